"""Starting the panel: the Qt application, logging, the crash handler and the connection."""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from desktop.clockify import ApiKey, ClockifyError, Connection
from desktop.store import paths
from desktop.ui.connection_settings import set_identity
from desktop.ui.language import install_translators
from desktop.ui.lazy_qt import Qt
from desktop.ui.loader import describe_error
from desktop.ui.main_window import PanelWindow
from desktop.ui.session import PanelSession
from desktop.ui.stored import EarlyStart, early_start
from desktop.ui.theme import follow_scheme

if TYPE_CHECKING:
    from io import TextIOWrapper

    from PySide6.QtWidgets import QMessageBox

    from desktop.demo.server import DemoClockify as FakeClockify
    from desktop.instance import Claim
    from desktop.ui.instance_server import InstanceServer

log = logging.getLogger(__name__)


class EarlyRecords(logging.Handler):
    """Keeps what is logged before the log file is open; `attach_log_file` writes it there."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def hold_early_logs() -> None:
    """Log from now on; the records wait in memory until `attach_log_file` gets the file.

    Opening the rotating log file imports logging.handlers (socket, pickle...: about
    13 ms here), which need not delay the window's first paint.
    """
    root = logging.getLogger()
    root.addHandler(EarlyRecords())
    root.setLevel(logging.INFO)
    logging.getLogger("urllib3").setLevel(logging.WARNING)

    def qt_message(mode: QtMsgType, _context: object, message: str) -> None:
        level = {
            QtMsgType.QtDebugMsg: logging.DEBUG,
            QtMsgType.QtInfoMsg: logging.INFO,
            QtMsgType.QtWarningMsg: logging.WARNING,
        }.get(mode, logging.ERROR)
        logging.getLogger("qt").log(level, "%s", message)

    qInstallMessageHandler(qt_message)


LOG_FILE = "clockify-panel.log"
LOG_BACKUPS = 3


def _private_opener(path: str, flags: int) -> int:
    """os.open for the log files: new ones are 0600, and one an older release left is made so.

    On Windows the mode only sets or clears the read-only flag, so it is left alone there.
    """
    fd = os.open(path, flags, 0o600)
    if os.name == "posix":
        try:
            os.fchmod(fd, 0o600)
        except OSError:
            os.close(fd)
            raise
    return fd


def open_log_file() -> logging.Handler:
    """A rotating log file in the user's log directory (file work: call it off the GUI thread).

    The folder is 0700 and every log file in it, the rotated ones too, 0600 (on POSIX): the
    log names the accounts' hosts and errors, which are nobody else's business.
    """
    import logging.handlers

    class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
        def _open(self) -> TextIOWrapper:
            return open(
                self.baseFilename,
                "a",  # what RotatingFileHandler uses whenever it rotates
                encoding=self.encoding,
                errors=self.errors,
                opener=_private_opener,
            )

    directory = paths.log_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / LOG_FILE
    if os.name == "posix":
        os.chmod(directory, 0o700)  # a folder an older release made 0755
        for number in range(1, LOG_BACKUPS + 1):
            with contextlib.suppress(FileNotFoundError):
                os.chmod(f"{path}.{number}", 0o600)
    handler = PrivateRotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    return handler


def attach_log_file(handler: logging.Handler) -> None:
    """Log to `handler`, starting with the records held since `hold_early_logs`."""
    root = logging.getLogger()
    root.addHandler(handler)
    for early in [h for h in root.handlers if isinstance(h, EarlyRecords)]:
        root.removeHandler(early)
        for record in early.records:
            if record.levelno >= root.level:
                handler.handle(record)
        early.records.clear()


def drop_early_logs(error: BaseException) -> None:
    """No log file after all: say so once, and stop holding records in memory."""
    sys.stderr.write(f"clockify-panel: no log file ({error}); warnings go to stderr\n")
    root = logging.getLogger()
    for early in [h for h in root.handlers if isinstance(h, EarlyRecords)]:
        root.removeHandler(early)
        early.records.clear()


def setup_logging() -> None:
    """Log to the rotating file (and Qt's messages too), at once."""
    hold_early_logs()
    attach_log_file(open_log_file())


_open_boxes: list[QMessageBox] = []  # QMessageBox: imported where a box is shown


def install_excepthook() -> None:
    """An exception escaping a slot shows a dialog and is logged; the panel lives on."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        log.error("unexpected error", exc_info=(kind, error, tb))
        details = "".join(traceback.format_exception(kind, error, tb))
        if QApplication.instance() is None:
            sys.stderr.write(details)
            return
        from PySide6.QtWidgets import QMessageBox  # its class and enums: ~7 ms at start-up

        box = QMessageBox(
            QMessageBox.Icon.Critical, QCoreApplication.translate("app", "Clockify Panel"), ""
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            QCoreApplication.translate(
                "app", "Something went wrong: {error}. The panel keeps running."
            ).format(error=type(error).__name__)
        )
        box.setInformativeText(
            QCoreApplication.translate("app", "The details are also in the log file.")
        )
        box.setDetailedText(details)
        copy = box.addButton(
            QCoreApplication.translate("app", "Copy details"), QMessageBox.ButtonRole.ActionRole
        )
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(details))
        box.addButton(QMessageBox.StandardButton.Close)
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # Unparented and non-modal: keep a reference until it closes.
        _open_boxes.append(box)
        box.finished.connect(lambda _result: _open_boxes.remove(box))
        box.show()

    sys.excepthook = hook


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    set_identity()
    app = QApplication(argv if argv is not None else [sys.argv[0]])
    app.setDesktopFileName("clockify-panel")
    # The interface's language: the "Language" setting, else the system's (the .qm files
    # are compiled by the build; without them the panel is English and logs why).
    install_translators(app)
    return app


#: The system's colour scheme seen last ("light", "dark", "unknown"): the next start's first
#: frame follows it (desktop.ui.theme.follow_scheme).
SETTING_SCHEME = "view/system_colour_scheme"

#: How long a thread holds the GIL before another may take it (Python's default: 5 ms).
SWITCH_INTERVAL = 0.001


def tune_process() -> None:
    """The panel's process-wide settings; `run_panel` calls this once its window is built.

    Both keep the GUI thread answering while workers parse pages and build rows
    (docs/performance.md, section 4, the GUI stall):

    - `gc.freeze()`: what exists by now (modules, classes, the window) lives as long as the
      panel, so the collector's full passes skip it. Without it, one full collection on a
      worker building thousands of rows held the GIL for 40-46 ms. Then the collector is
      on: a launch (desktop.__main__) pauses it while the modules and the window are made,
      whose passes over them cost 15-20 ms of the start (the few cycles left from then,
      about 80 objects, are frozen with the rest).
    - A 1 ms switch interval: by default a busy worker keeps the GIL for 5 ms slices, and
      with two of them the GUI thread waited 20-30 ms for a turn.
    """
    gc.freeze()
    gc.enable()
    sys.setswitchinterval(SWITCH_INTERVAL)


#: The latest a deferred start-up step waits for the window's first paint (ms): a window that
#: is never painted (no display to expose it) still gets its steps.
FIRST_PAINT_FALLBACK_MS = 1000


class _FirstPaint(QObject):
    """Runs its steps once the watched widget has been painted the first time (or after
    FIRST_PAINT_FALLBACK_MS), each in order, then stops watching it."""

    def __init__(self, widget: QObject) -> None:
        super().__init__()  # not the widget's child: _WAITING holds it until it has run
        self._widget: QObject | None = widget
        self._steps: list[Callable[[], object]] = []
        widget.installEventFilter(self)
        QTimer.singleShot(FIRST_PAINT_FALLBACK_MS, self, self._run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._widget is not None and event.type() == QEvent.Type.Paint:
            # After the paint event has been handled and the frame flushed to the screen.
            QTimer.singleShot(0, self, self._run)
        return False

    def _run(self) -> None:
        widget, self._widget = self._widget, None
        if widget is None:
            return
        _WAITING.pop(id(widget), None)
        steps, self._steps = self._steps, []
        try:
            widget.removeEventFilter(self)
        except RuntimeError:  # the widget is already deleted: what waited for it goes too
            return
        for step in steps:
            step()


#: The widgets whose first paint is awaited, by id, with what waits for it.
_WAITING: dict[int, _FirstPaint] = {}


def after_first_paint(widget: QObject, step: Callable[[], object]) -> None:
    """Run `step` on the GUI thread once `widget` is next painted (run_panel: its first
    paint, the window being shown just before), or after FIRST_PAINT_FALLBACK_MS at most.

    For start-up work the first paint does not need (docs/performance.md, section 9): run
    before it, even on a worker (which takes the GIL from the GUI thread), it delays the
    window's appearance.
    """
    waiter = _WAITING.get(id(widget))
    if waiter is None:
        waiter = _WAITING[id(widget)] = _FirstPaint(widget)
    waiter._steps.append(step)


def start_serving(window: PanelWindow, claim: Claim, servers: list[InstanceServer]) -> None:
    """The single-instance server (desktop.ui.instance_server), added to `servers` once it
    listens; called once the window is shown (its QtNetwork import is ~10 ms): until then a
    second launch waits for it (desktop.instance.start_or_summon)."""
    from desktop.ui.instance_server import start_instance_server

    server = start_instance_server(window, claim)
    if server is not None:
        servers.append(server)


def run_panel(
    args: argparse.Namespace, early: EarlyStart | None = None, claim: Claim | None = None
) -> int:
    """Run the panel until it quits; `early` is desktop.ui.stored.early_start(args).

    `claim` (desktop.instance.start_or_summon): this process is the panel of its mode, and
    listens for later launches; without one (tests), it does not.
    """
    if early is None:
        try:
            early = early_start(args)
        except ClockifyError as exc:
            print(f"clockify-panel: {exc.message}", file=sys.stderr)
            return exc.exit_code

    app = create_application()
    hold_early_logs()
    install_excepthook()
    window = PanelWindow(tray_later=True)  # its tray: after the first paint, below
    # The system's light or dark scheme, now and when it changes while the panel runs: the
    # first frame follows the one seen last time, checked once it is painted (theme.py).
    settings = window.settings
    scheme = follow_scheme(
        app,
        window.model.refresh_colours,
        window,
        remembered=settings.value(SETTING_SCHEME),
        remember=lambda name: settings.setValue(SETTING_SCHEME, name),
    )
    # Started by the shortcut's `--toggle`: Esc in the empty filter sends it away again.
    window.hide_on_escape = getattr(args, "summon", None) == "toggle"
    session = PanelSession(window)
    tune_process()
    window.show()  # before any connection work: the panel appears at once
    # What the first paint does not need waits for it (the log file, the filter's clear
    # button, the instance server's QtNetwork import, building the demo): until then a
    # second launch waits for the server (desktop.instance.start_or_summon).
    after_first_paint(
        window,
        lambda: window.runner.submit(lambda _p: open_log_file(), attach_log_file, drop_early_logs),
    )
    after_first_paint(window, window.enable_clear_button)  # not seen in an empty filter
    after_first_paint(window, window.set_up_tray)  # the tray check and icon: 4-5 ms
    after_first_paint(window, scheme.confirm)
    instance_servers: list[InstanceServer] = []
    if claim is not None:
        after_first_paint(window, lambda: start_serving(window, claim, instance_servers))
    demo_servers: list[FakeClockify] = []
    if args.demo:
        window.setWindowTitle(QCoreApplication.translate("app", "Clockify Panel (demo data)"))
        window.show_starting(QCoreApplication.translate("app", "Starting the demo\u2026"))

        def make_demo(_progress: object) -> tuple[FakeClockify, FakeClockify, str]:
            from desktop.demo import demo_server
            from desktop.demo.docs101 import demo_docs101

            docs101, docs101_key = demo_docs101()
            return demo_server()[0].start(), docs101.start(), docs101_key

        def on_demo_ready(servers: tuple[FakeClockify, FakeClockify, str]) -> None:
            from desktop.demo import DEMO_API_KEY
            from desktop.docs101.client import Docs101Client

            server, docs101, docs101_key = servers
            demo_servers.extend((server, docs101))
            # The demo's docs101 too, so the cross-reference shows every marker.
            session.use_docs101(
                ApiKey(docs101_key), lambda key: Docs101Client(docs101.base_url, key)
            )
            session.start(Connection.for_base_url(server.base_url), ApiKey(DEMO_API_KEY))

        # On a worker, once the window is painted: building the demo data takes about 0.1 s.
        def on_demo_failed(error: BaseException) -> None:
            window.show_connect_state(
                QCoreApplication.translate("app", "The demo could not start: {problem}").format(
                    problem=describe_error(error)
                )
            )

        after_first_paint(
            window, lambda: window.runner.submit(make_demo, on_demo_ready, on_demo_failed)
        )
    elif early.problem is not None:
        session.start_unconnected(early.problem)
    else:
        session.start(early.connection, early.env_key, early.prefetched)
    code = app.exec()
    for listening in instance_servers:
        listening.close()  # before the caller lets go of the claim
    window.runner.cancel_all()
    for server in demo_servers:
        server.stop()
    return int(code)
