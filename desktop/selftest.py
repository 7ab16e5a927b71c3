"""`clockify-panel --self-test`: proves an installation (or a PyInstaller bundle) works.

It starts the panel in-process on the built-in demo data (a fake Clockify server on
127.0.0.1, no account, no network), loads the workspaces and one workspace's clients,
selects a client, copies its ID and reads the clipboard back. It also checks the bundled
resources, the SVG icon plugin, the cryptography library and the keyring backends.

One line per check, ``ok: ...`` or ``FAIL: ...`` (and ``warning: ...`` for what depends
on the machine rather than the installation); exit 0 when every check passed, 1 otherwise.
Settings go to a temporary folder, so the user's window position and options are
untouched. No secret is ever printed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from desktop.ui.main_window import PanelWindow

TIMEOUT = 60.0
EXIT_OK = 0
EXIT_FAILED = 1


class _Report:
    """Collects the check lines and whether all passed."""

    def __init__(self) -> None:
        self.failed = False

    def ok(self, text: str) -> None:
        print(f"ok: {text}", flush=True)

    def fail(self, text: str) -> None:
        self.failed = True
        print(f"FAIL: {text}", flush=True)

    def warn(self, text: str) -> None:
        print(f"warning: {text}", flush=True)


def _frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def prepare_environment() -> None:
    """Offscreen Qt when there is no display (Qt aborts without a platform)."""
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if not os.environ.get("QT_QPA_PLATFORM") and not has_display and sys.platform == "linux":
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def wait_until(app: QApplication, predicate: Callable[[], bool], deadline: float) -> bool:
    """Run the event loop until `predicate()` holds or the deadline (monotonic) passes."""
    from PySide6.QtCore import QEventLoop, QTimer

    if predicate():
        return True
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return False
    loop = QEventLoop()

    def poll() -> None:
        if predicate():
            loop.quit()

    ticker = QTimer()
    ticker.setInterval(20)
    ticker.timeout.connect(poll)
    limit = QTimer()
    limit.setSingleShot(True)
    limit.timeout.connect(loop.quit)
    ticker.start()
    limit.start(max(1, int(remaining * 1000)))
    loop.exec()
    ticker.stop()
    limit.stop()
    app.processEvents()
    return predicate()


# -- checks that need no window --------------------------------------------------------------


def _check_resources(report: _Report) -> None:
    from PySide6.QtGui import QImageReader

    from desktop import resources

    icon_path = resources.resources_dir() / "icons" / "app.svg"
    if icon_path.is_file():
        report.ok(f"resources found ({resources.resources_dir()})")
    else:
        report.fail(f"resources missing: no {icon_path}")
        return
    formats = {
        bytes(f.data()).decode("ascii", "replace") for f in QImageReader.supportedImageFormats()
    }
    if "svg" in formats:
        report.ok("SVG image plugin loaded")
    else:
        report.fail("no SVG image plugin (imageformats/libqsvg); icons would be blank")
    pixmap = resources.icon("app").pixmap(32, 32)
    if pixmap.isNull():
        report.fail("the app icon does not render (iconengines/libqsvgicon missing?)")
    else:
        report.ok("app icon renders (SVG icon engine)")


def _check_crypto(report: _Report) -> None:
    """The encrypted key file needs scrypt (hashlib's OpenSSL) and cryptography's AES-GCM."""
    try:
        import secrets

        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        from desktop.store.file_store import derive_key

        key, _verifier = derive_key("probe", secrets.token_bytes(16), 2**4, 8, 1)
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(key).encrypt(nonce, b"self-test", None)
        if AESGCM(key).decrypt(nonce, sealed, None) != b"self-test":
            raise ValueError("round trip mismatch")
    except Exception as exc:
        report.fail(f"cryptography does not work ({type(exc).__name__}: {exc})")
        return
    report.ok("cryptography works (scrypt, AES-256-GCM)")


def _backend_modules() -> list[str]:
    """The modules the platform's real keyring backend needs."""
    if sys.platform == "win32":
        return ["keyring.backends.Windows", "win32ctypes.core"]
    if sys.platform == "darwin":
        return ["keyring.backends.macOS"]
    return ["keyring.backends.SecretService", "secretstorage", "jeepney", "cryptography"]


def _backend_entry_point() -> str:
    if sys.platform == "win32":
        return "Windows"
    if sys.platform == "darwin":
        return "macOS"
    return "SecretService"


def _check_keyring(report: _Report) -> None:
    """The keyring's backend modules must be present; whether a service runs is the machine's.

    A missing module is a broken installation (or a bundle without the keyring hook's
    backends): FAIL. The ``fail`` backend with all modules present only means this
    machine has no keyring service (no D-Bus session, no gnome-keyring): a warning, since
    the panel then uses its encrypted key file.
    """
    import importlib

    missing = []
    for name in _backend_modules():
        try:
            importlib.import_module(name)
        except Exception as exc:
            missing.append(f"{name} ({type(exc).__name__})")
    if missing:
        report.fail("keyring backend modules missing: " + ", ".join(missing))
    else:
        report.ok("keyring backend modules importable: " + ", ".join(_backend_modules()))

    # keyring finds its backends through entry points: a bundle without keyring's
    # metadata would silently fall back to the fail backend even on a desktop.
    from importlib.metadata import entry_points

    found = {ep.name for ep in entry_points(group="keyring.backends")}
    wanted = _backend_entry_point()
    if wanted in found:
        report.ok(f"keyring backend {wanted!r} is registered (entry point)")
    else:
        report.fail(f"keyring backend {wanted!r} is not registered (keyring metadata missing?)")

    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception as exc:
        report.fail(f"keyring does not load ({type(exc).__name__})")
        return
    name = str(getattr(backend, "name", type(backend).__name__))
    if isinstance(backend, fail.Keyring):
        forced = os.environ.get("PYTHON_KEYRING_BACKEND", "")
        why = f"forced by PYTHON_KEYRING_BACKEND={forced}" if forced else "no keyring service"
        report.warn(
            f"keyring backend is {name!r} ({why}); the panel keeps the key in its encrypted file"
        )
    else:
        report.ok(f"keyring backend: {name}")


# -- the panel ---------------------------------------------------------------------------------


def quiet_offscreen_warnings() -> None:
    """Drop the offscreen platform's one harmless warning; pass other Qt messages on."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(mode: QtMsgType, _context: object, message: str) -> None:
        if "does not support propagateSizeHints" in message:
            return
        if mode in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg):
            return
        print(f"qt: {message}", file=sys.stderr, flush=True)

    qInstallMessageHandler(handler)


def isolate_settings(folder: str) -> None:
    """QSettings() in the window read and write an INI file in `folder`, not the user's."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, folder)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.SystemScope, folder)


def _check_panel(app: QApplication, report: _Report, deadline: float) -> None:
    from PySide6.QtCore import QItemSelectionModel
    from PySide6.QtGui import QGuiApplication

    from desktop.clockify import ApiKey, ClockifyClient, Connection
    from desktop.demo import DEMO_API_KEY, demo_server
    from desktop.ui.main_window import PanelWindow
    from desktop.ui.tree_model import LoadState

    report.ok(f"Qt platform {QGuiApplication.platformName()!r}")
    server, _ = demo_server()
    server.start()
    window: PanelWindow | None = None
    try:
        window = PanelWindow()
        window.setWindowTitle("Clockify Panel (self-test)")
        connection = Connection.for_base_url(server.base_url)
        window.connect_client(ClockifyClient(connection, ApiKey(DEMO_API_KEY)))
        window.show()
        panel = window

        if not wait_until(app, lambda: bool(panel.model.workspaces()), deadline):
            report.fail("the demo workspaces did not load (see the panel's status bar text)")
            return
        workspaces = panel.model.workspaces()
        report.ok(f"{len(workspaces)} demo workspaces loaded")

        workspace = workspaces[0]
        group = workspace.clients
        panel.model.set_expanded(workspace, True)
        panel.model.set_expanded(group, True)
        panel.loader.load_group(group)

        def settled() -> bool:
            return group.state in (LoadState.LOADED, LoadState.FAILED)

        if not wait_until(app, settled, deadline) or group.state is not LoadState.LOADED:
            report.fail(
                f"the clients of the first workspace did not load ({group.error or 'timeout'})"
            )
            return
        if not group.children:
            report.fail("the first demo workspace has no clients")
            return
        report.ok(f"{len(group.children)} clients loaded")

        node = group.children[0]
        index = panel.model.index_of(node)
        if not index.isValid():
            report.fail("the first client row is not visible in the tree")
            return
        panel.tree.setFocus()
        panel.tree.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        app.processEvents()
        clipboard = QGuiApplication.clipboard()
        clipboard.clear()
        panel.copy_ids()
        app.processEvents()
        expected = node.record.id
        if clipboard.text() == expected:
            report.ok(f"selected a client and copied its ID ({expected})")
        else:
            report.fail("copy ID did not put the client's ID on the clipboard")

        image = panel.grab()
        if image.isNull() or image.width() < 50:
            report.fail("the window does not render")
        else:
            report.ok(f"window renders ({image.width()}x{image.height()})")
    finally:
        if window is not None:
            window.loader.cancel_all()
            window.runner.cancel_all()
            window.hide()
            window.deleteLater()
        app.processEvents()
        server.stop()


def run_self_test() -> int:
    """Run every check; 0 when all passed, 1 otherwise."""
    from desktop import __version__

    started = time.monotonic()
    deadline = started + TIMEOUT
    report = _Report()
    kind = "bundle" if _frozen() else "source"
    print(f"clockify-panel {__version__} self-test ({kind}, Python {sys.version.split()[0]})")
    prepare_environment()
    try:
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        from desktop.ui.app import create_application
    except Exception as exc:
        report.fail(f"Qt does not import ({type(exc).__name__}: {exc})")
        return EXIT_FAILED
    report.ok(f"PySide6 {pyside_version}, Qt {qVersion()}")

    with tempfile.TemporaryDirectory(prefix="clockify-panel-selftest-") as settings_dir:
        isolate_settings(settings_dir)
        quiet_offscreen_warnings()
        app = create_application()
        _check_resources(report)
        _check_crypto(report)
        _check_keyring(report)
        try:
            _check_panel(app, report, deadline)
        except Exception as exc:
            report.fail(f"the panel failed: {type(exc).__name__}: {exc}")
    elapsed = time.monotonic() - started
    if report.failed:
        print(f"self-test FAILED in {elapsed:.1f} s")
        return EXIT_FAILED
    print(f"self-test passed in {elapsed:.1f} s")
    return EXIT_OK


__all__ = ["isolate_settings", "prepare_environment", "run_self_test", "wait_until"]
