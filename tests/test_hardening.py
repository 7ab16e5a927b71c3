"""Adversarial checks over the running panel: crashes in slots, long use, and secrets."""

from __future__ import annotations

import gc
import logging
import random
import sys
import threading
import tracemalloc
from pathlib import Path

import pytest
import shiboken6
from conftest import TEST_KEY
from fake_clockify import SAMPLE_WORKSPACE_ID, FakeClockify
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.clockify import ApiKey, ClockifyClient, Connection, RetryPolicy
from desktop.ui import app as panel_app
from desktop.ui.main_window import PanelWindow
from desktop.ui.tree_model import LoadState


def _window(
    qtbot: QtBot, server: FakeClockify, key: str = TEST_KEY, timeout: float = 2.0
) -> PanelWindow:
    window = PanelWindow()
    qtbot.addWidget(window)
    client = ClockifyClient(
        Connection.for_base_url(server.base_url),
        ApiKey(key),
        timeout=(timeout, timeout),
        retry=RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02, max_total=0.1),
    )
    window.connect_client(client)
    qtbot.waitUntil(lambda: bool(window.model.workspaces()), timeout=5000)
    return window


def _key_windows(key: str = TEST_KEY, width: int = 8) -> set[str]:
    """Every `width`-character piece of the key: none may be shown or logged."""
    return {key[i : i + width] for i in range(len(key) - width + 1)}


def _leaked(text: str) -> list[str]:
    return sorted(piece for piece in _key_windows() if piece in text)


def _app_threads() -> int:
    """Threads of the app (the fake server's per-connection threads excluded)."""
    return sum(1 for t in threading.enumerate() if "process_request" not in t.name)


def test_an_exception_in_a_slot_shows_a_dialog_logs_and_the_panel_lives_on(
    qtbot: QtBot, fake_server: FakeClockify
) -> None:
    previous_hook = sys.excepthook  # pytest-qt's, for this test's call
    root = logging.getLogger()
    handlers = list(root.handlers)
    try:
        panel_app.setup_logging()
        panel_app.install_excepthook()
        window = _window(qtbot, fake_server)
        client = window.loader.client
        assert client is not None
        key = client._api_key

        def boom() -> None:
            # A careless message naming what holds the key: their reprs must hide it.
            raise RuntimeError(f"slot failed with {client!r}, {key!r}, {key}, {key.masked()}")

        # A real slot, called by Qt's event loop: PySide hands its exception to the hook.
        QTimer.singleShot(0, boom)
        qtbot.waitUntil(
            lambda: any(isinstance(w, QMessageBox) for w in QApplication.topLevelWidgets()),
            timeout=10000,
        )
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
        assert len(boxes) == 1
        box = boxes[0]
        assert box.text() == "Something went wrong: RuntimeError. The panel keeps running."
        assert "slot failed with ClockifyClient(" in box.detailedText()  # details to copy
        assert "in boom" in box.detailedText()  # the traceback reaches the slot
        assert box.isVisible()
        assert not box.isModal()
        details = box.detailedText()
        assert _leaked(details) == []
        # The panel still works: a refresh completes.
        failures: list[object] = []
        window.workspaces_failed.connect(failures.append)
        with qtbot.waitSignal(window.workspaces_loaded, timeout=10000):
            window.refresh()
        qtbot.waitUntil(lambda: not window.loader.busy, timeout=10000)
        assert failures == []
        copy = next(b for b in box.buttons() if b.text() == "Copy details")
        copy.click()  # copies, and closes the box as any of its buttons does
        assert QApplication.clipboard().text() == details
        log_file = Path(panel_app.paths.log_dir()) / "clockify-panel.log"
        for handler in logging.getLogger().handlers:
            handler.flush()
        text = log_file.read_text(encoding="utf-8")
        assert "unexpected error" in text
        assert "RuntimeError: slot failed with ClockifyClient(" in text
        assert _leaked(text) == []
        window.runner.wait_idle(5)
    finally:
        sys.excepthook = previous_hook
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()


def test_soak_300_cycles_no_thread_growth_no_stale_rows_bounded_memory(
    qtbot: QtBot, fake_server: FakeClockify
) -> None:
    rng = random.Random(300)
    window = _window(qtbot, fake_server, timeout=60.0)  # held answers never time out
    model = window.model
    ws = model.workspace(SAMPLE_WORKSPACE_ID)
    assert ws is not None
    window.loader.load_workspace(SAMPLE_WORKSPACE_ID)
    qtbot.waitUntil(lambda: ws.clients.state is LoadState.LOADED, timeout=5000)
    threads_before = 0
    tracemalloc.start()
    baseline = 0
    gate = fake_server.hold()
    for cycle in range(300):
        window.refresh()
        window.filter_edit.setText(rng.choice(["", "a", "ac", "x", "zo", "<b>"]))
        model.set_expanded(ws, cycle % 2 == 0)
        model.set_expanded(ws.users, cycle % 3 == 0)
        # A few answers now, the rest later: older answers arrive after newer refreshes.
        gate.release(rng.randint(0, 2))
        if cycle % 10 == 9:
            gate.close()  # every held answer goes, then a new block of ten cycles
            qtbot.waitUntil(lambda: not window.loader.busy, timeout=10000)
            gate = fake_server.hold()
        if cycle == 50:
            # Warmed up: the runner has started all its workers by now.
            threads_before = _app_threads()
            gc.collect()
            baseline = tracemalloc.get_traced_memory()[0]
    gate.close()
    qtbot.waitUntil(lambda: not window.loader.busy, timeout=10000)
    window.runner.wait_idle(5)
    QApplication.processEvents()
    gc.collect()
    current, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    growth = current - baseline
    print(f"\nsoak: Python heap grew {growth / 1024:.0f} KiB over cycles 50..300")
    assert _app_threads() <= threads_before
    assert growth < 5 * 1024 * 1024
    # No stale rows: after the last refresh the tree holds exactly the server's data.
    window.filter_edit.setText("")
    names = sorted(n.name for n in ws.clients.children)
    served = sorted(c["name"] or "" for c in fake_server.workspaces[0].clients if not c["archived"])
    assert names == served


def test_a_full_session_leaves_the_key_nowhere(
    qtbot: QtBot,
    fake_server: FakeClockify,
    isolated_home: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    window = _window(qtbot, fake_server)
    window.loader.load_workspace(SAMPLE_WORKSPACE_ID)
    qtbot.waitUntil(lambda: not window.loader.busy, timeout=5000)
    # Fail: the key is revoked mid-session.
    fake_server.api_keys.clear()
    window.refresh()
    qtbot.waitUntil(lambda: not window.notice.isHidden(), timeout=5000)
    assert "rejected the API key" in window.notice_label.text()
    assert window.model.workspaces()  # what was loaded stays
    assert TEST_KEY not in repr(window.loader.client)
    window.show_connect_state()
    window.runner.wait_idle(5)
    window.close()
    out = capsys.readouterr()
    assert _leaked(out.out + out.err) == []
    assert _leaked(caplog.text) == []
    assert "rejected the API key" in caplog.text  # the log was written, and checked
    for path in isolated_home.rglob("*"):
        if path.is_file():
            content = path.read_bytes().decode("utf-8", errors="replace")
            assert _leaked(content) == [], path


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_certificates_are_always_verified(tmp_path: Path) -> None:
    import ssl
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from desktop.clockify import NetworkError

    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"[]")

        def log_message(self, *_args: object) -> None:
            pass

    cert, key = _self_signed(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"https://127.0.0.1:{server.server_address[1]}"
        client = ClockifyClient(Connection.for_base_url(url), ApiKey(TEST_KEY), timeout=(2, 2))
        with pytest.raises(NetworkError, match="certificate could not be verified"):
            client.workspaces()
        assert seen == []  # the key never reached a server with an untrusted certificate
    finally:
        server.shutdown()
        server.server_close()


# -- whatever is typed or pasted into the connect dialog ---------------------------------------

_FORM_PIECES = st.sampled_from(
    ["https://", "http://", "", "[", "]", "::1", "127.0.0.1", ":", "@", "?", "#", "%", "/",
     ".", "..", "a" * 64, "-", "api", "/api/v1", "\u00fc", "\u043a\u043b\u044e\u0447", "99999",
     " ", "\t", "\n", "\\", "\x00", "\x07", "\u200b", "clockify.me", "euc1.", "example.com"]
)  # fmt: skip
_FORM_TEXT = st.one_of(st.text(max_size=60), st.lists(_FORM_PIECES, max_size=8).map("".join))


@given(url=_FORM_TEXT, key=_FORM_TEXT)
def test_any_text_in_the_connect_dialog_is_a_connection_or_one_sentence(
    qtbot: QtBot, url: str, key: str
) -> None:
    """Reading the form never raises: a connection and a key, or a message in the dialog."""
    from desktop.ui.settings_dialog import CUSTOM, SettingsDialog
    from desktop.workers import JobRunner

    runner = JobRunner(max_workers=1)
    dialog = SettingsDialog(runner, Connection.for_region("global"), in_use=None)
    try:
        dialog.region_combo.setCurrentIndex(dialog.region_combo.findData(CUSTOM))
        dialog.url_edit.setText(url)  # an address of Clockify's own picks its region
        dialog.key_edit.setText(key)
        dialog.result_label.clear()
        form = dialog._read_form()
        text = dialog.result_label.text()
        if form is None:
            assert text, "refused without a word"
            assert text.endswith("."), text
            assert "\n" not in text.strip()
            secret = key.strip()
            if len(secret) >= 8 and secret not in url:
                assert secret not in text  # the message describes the key, never repeats it
        else:
            connection, api_key = form
            assert connection.base_url.endswith("/api/v1")
            assert api_key.reveal() == key.strip()
            assert text == ""
    finally:
        runner.shutdown()
        shiboken6.delete(dialog)
