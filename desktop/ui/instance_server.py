"""The panel's end of the local socket a second launch summons it through (desktop.instance).

A request is one line (`show`, `hide`, `toggle` or `state`) of at most
`instance.MAX_LINE` bytes; the panel acts, answers one line and closes the connection. A
client that sends more, or nothing within `instance.TIMEOUT` seconds, is dropped.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from desktop import instance
from desktop.ui.main_window import PanelWindow

log = logging.getLogger(__name__)


#: How long a show waits at most for the platform to let go of a window just hidden (ms).
FOCUS_SETTLE_MS = 300
FOCUS_POLL_MS = 10


def show_window(window: PanelWindow) -> None:
    """Bring `window` to the front, un-minimised, with the filter focused and its text selected."""
    if window.isMinimized():
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()
    window.focus_filter()


def focus_is_leaving(window: PanelWindow) -> bool:
    """Whether `window` is hidden but still the application's focus window.

    Under X (xcb), a window that had the focus stays Qt's focus window for 100 ms after it
    is hidden (Qt waits that long for a FocusIn that would make the change moot). A window
    shown again within that time gets the X focus, but Qt, finding its focus window
    unchanged, never activates it again: no active window, no focused filter. A show then
    waits until the focus has left (`InstanceServer`).
    """
    handle = window.windowHandle()
    return not window.isVisible() and handle is not None and QGuiApplication.focusWindow() is handle


def is_in_front(window: PanelWindow) -> bool:
    return window.isVisible() and not window.isMinimized() and window.isActiveWindow()


def window_state(window: PanelWindow) -> str:
    """The answer to `state`: "visible" or "hidden", then "active" when the window has the
    focus and "filter" when its filter has it with all its text selected."""
    words = ["visible" if window.isVisible() and not window.isMinimized() else "hidden"]
    if window.isActiveWindow():
        words.append("active")
    edit = window.filter_edit
    if edit.hasFocus() and edit.selectedText() == edit.text():
        words.append("filter")
    return " ".join(words)


class _Conversation(QObject):
    """One client: its request read (bounded), acted on, answered; then it is closed."""

    def __init__(self, server: InstanceServer, socket: QLocalSocket) -> None:
        super().__init__(socket)  # goes with its socket
        self._server = server
        self._socket = socket
        self._request = b""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._give_up)
        self._timer.start(int(instance.TIMEOUT * 1000))
        socket.readyRead.connect(self._read)
        socket.disconnected.connect(socket.deleteLater)
        if socket.bytesAvailable():
            self._read()

    @Slot()
    def _read(self) -> None:
        if self._timer.isActive():
            wanted = instance.MAX_LINE - len(self._request)
            self._request += bytes(self._socket.read(wanted).data())
            line, newline, _rest = self._request.partition(b"\n")
            if newline:
                self._answer(self._server.act(line.decode("ascii", "replace").strip()))
            elif len(self._request) >= instance.MAX_LINE:
                self._answer("error")

    def _answer(self, text: str) -> None:
        self._timer.stop()
        self._socket.write(f"{text}\n".encode("ascii"))
        self._socket.flush()
        self._socket.disconnectFromServer()

    @Slot()
    def _give_up(self) -> None:
        self._socket.abort()
        self._socket.deleteLater()


class InstanceServer(QObject):
    """Listens at `claim.address` for as long as the panel runs (see the module)."""

    def __init__(self, window: PanelWindow, name: str) -> None:
        super().__init__(window)
        self._window = window
        self._name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._show_after = 0.0  # a show waiting for the focus to leave: give up then
        self._settling = QTimer(self)
        self._settling.setInterval(FOCUS_POLL_MS)
        self._settling.timeout.connect(self._show_once_settled)

    def listen(self) -> bool:
        """Listen, replacing a socket file a crashed panel left (the caller holds the lock);
        whether it worked (if not, it is logged and the panel runs on without it)."""
        QLocalServer.removeServer(self._name)
        if self._server.listen(self._name):
            return True
        log.warning("no single-instance socket at %s: %s", self._name, self._server.errorString())
        return False

    def close(self) -> None:
        """Stop listening; on POSIX this removes the socket file."""
        self._server.close()

    @Slot()
    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            if socket is not None:
                _Conversation(self, socket)

    def act(self, command: str) -> str:
        """Carry out `command` on the window; the answer line (without its newline)."""
        window = self._window
        if command == "show":
            self._show()
        elif command == "hide":
            self._hide()
        elif command == "toggle":
            # Summoned and sent away by a shortcut: Esc in the empty filter sends it away too.
            window.hide_on_escape = True
            if is_in_front(window) or self._settling.isActive():
                self._hide()
            else:
                self._show()
        elif command == "state":
            return window_state(window)
        else:
            return "error"
        return "ok"

    def _show(self) -> None:
        if focus_is_leaving(self._window):
            self._show_after = time.monotonic() + FOCUS_SETTLE_MS / 1000
            self._settling.start()
        elif not self._settling.isActive():
            show_window(self._window)

    def _hide(self) -> None:
        self._settling.stop()
        self._window.dismiss()  # hidden, its state saved as at a close

    @Slot()
    def _show_once_settled(self) -> None:
        if not focus_is_leaving(self._window) or time.monotonic() >= self._show_after:
            self._settling.stop()
            show_window(self._window)


def start_instance_server(window: PanelWindow, claim: instance.Claim) -> InstanceServer | None:
    """The server of the panel holding `claim`, listening; None when there is none to run."""
    if claim.address is None:
        if claim.problem:
            log.warning("%s", claim.problem)
        return None
    server = InstanceServer(window, claim.address.server_name)
    return server if server.listen() else None
