"""The panel's end of the local socket a second launch summons it through (desktop.instance).

A request is one line (`show`, `hide`, `toggle` or `state`) of at most
`instance.MAX_LINE` bytes; the panel acts, answers one line and closes the connection. A
client that sends more, or nothing within `instance.TIMEOUT` seconds, is dropped.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from desktop import instance
from desktop.ui.main_window import PanelWindow

log = logging.getLogger(__name__)


def show_window(window: PanelWindow) -> None:
    """Bring `window` to the front, un-minimised, with the filter focused and its text selected."""
    if window.isMinimized():
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()
    window.focus_filter()


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
            show_window(window)
        elif command == "hide":
            window.hide()
        elif command == "toggle":
            if is_in_front(window):
                window.hide()
            else:
                show_window(window)
        elif command == "state":
            return window_state(window)
        else:
            return "error"
        return "ok"


def start_instance_server(window: PanelWindow, claim: instance.Claim) -> InstanceServer | None:
    """The server of the panel holding `claim`, listening; None when there is none to run."""
    if claim.address is None:
        if claim.problem:
            log.warning("%s", claim.problem)
        return None
    server = InstanceServer(window, claim.address.server_name)
    return server if server.listen() else None
