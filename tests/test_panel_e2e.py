"""The real panel in a subprocess on a real X server: filter, copy an ID, read the X clipboard.

Every key is pressed once. Between the keys the test waits for what a user would wait for,
read from outside the process: the window mapped (xdotool), the status bar's text as a
screen reader reads it (AT-SPI over a private D-Bus session), the X clipboard (xclip).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from fake_clockify import FakeClockify

pytestmark = pytest.mark.xvfb

TOOLS = ("Xvfb", "xdotool", "xclip", "dbus-daemon")
A11Y_SERVICE = Path("/usr/share/dbus-1/services/org.a11y.Bus.service")  # from at-spi2-core
INSTALL = "apt-get install -y xvfb xdotool xclip dbus at-spi2-core"
CLIENT_NAME = "Globex Corporation"  # unique in the sample data
CLIENT_ID = "64b0c11e0000000000000001"
# The status bar: the workspaces are in; one match and nothing loading any more.
WORKSPACES_IN = re.compile(r"2 workspaces \u00b7 updated \d\d:\d\d")
ONE_MATCH_LOADED = re.compile(r"1 match(es)?")


def poll(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Wait for another process's state (X server, clipboard, the accessibility tree).

    There is no Qt event loop or Event of ours to wait on, so this polls: the sleep is
    the pause between two looks at a state, never a guess at how long something takes.
    """
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def skip_or_fail(reason: str) -> None:
    """Skip without the tools, except on CI (env CI=true), where the test must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


def read_first_line(fd: int, timeout: float, what: str) -> str:
    """A line a child writes to a pipe at start-up (a display number, a bus address)."""
    text = b""
    deadline = time.monotonic() + timeout
    while not text.endswith(b"\n") and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            chunk = os.read(fd, 256)
            if not chunk:
                break
            text += chunk
    if not text.strip():
        pytest.fail(f"{what} did not report within {timeout:.0f} s")
    return text.decode().strip()


@pytest.fixture(scope="session")
def xvfb_display() -> Iterator[str]:
    """A private Xvfb for the session; its display number comes from -displayfd."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not A11Y_SERVICE.is_file():
        missing.append("at-spi2-core")
    if missing:
        skip_or_fail(f"needs {', '.join(missing)} ({INSTALL})")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [
            "Xvfb",
            "-displayfd",
            str(write_end),
            "-screen",
            "0",
            "1280x1024x24",
            "-nolisten",
            "tcp",
        ],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        yield f":{read_first_line(read_end, 15, 'Xvfb')}"
    finally:
        os.close(read_end)
        server.terminate()
        server.wait(10)


@pytest.fixture
def display(xvfb_display: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """DISPLAY set for one test only: the offscreen tests after it never see it."""
    monkeypatch.setenv("DISPLAY", xvfb_display)
    return xvfb_display


@pytest.fixture
def session_bus(tmp_path: Path) -> Iterator[str]:
    """A private D-Bus session, so the panel's accessibility tree can be read.

    Its services (the AT-SPI bus launcher) get a HOME and runtime folder under tmp_path,
    and the whole process group is ended afterwards.
    """
    home, runtime = tmp_path / "bus-home", tmp_path / "bus-runtime"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)}
    env["XDG_RUNTIME_DIR"] = str(runtime)
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    assert daemon.stdout is not None
    try:
        yield read_first_line(daemon.stdout.fileno(), 15, "dbus-daemon")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(daemon.pid, signal.SIGTERM)  # the daemon and what it started
        daemon.wait(10)
        daemon.stdout.close()


class AccessibleTree:
    """The panel's widgets as a screen reader sees them: AT-SPI, read with jeepney."""

    REGISTRY_ROOT = ("org.a11y.atspi.Registry", "/org/a11y/atspi/accessible/root")
    UNWALKED = frozenset({"tree", "tree table", "list", "table", "menu bar"})  # rows, menus

    def __init__(self, session_address: str) -> None:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection
        from jeepney.wrappers import unwrap_msg

        session = open_dbus_connection(bus=session_address, auth_timeout=30)
        try:
            launcher = DBusAddress("/org/a11y/bus", "org.a11y.Bus", "org.a11y.Bus")
            call = new_method_call(launcher, "GetAddress")
            (address,) = unwrap_msg(session.send_and_get_reply(call, timeout=30))
        finally:
            session.close()
        self._bus = open_dbus_connection(bus=address, auth_timeout=30)

    def close(self) -> None:
        self._bus.close()

    def _ask(self, message: Any) -> Any:
        from jeepney.wrappers import unwrap_msg

        return unwrap_msg(self._bus.send_and_get_reply(message, timeout=30))[0]

    def _call(self, name: str, path: str, method: str) -> Any:
        from jeepney import DBusAddress, new_method_call

        node = DBusAddress(path, name, "org.a11y.atspi.Accessible")
        return self._ask(new_method_call(node, method))

    def _name(self, name: str, path: str) -> str:
        from jeepney import DBusAddress, Properties

        node = DBusAddress(path, name, "org.a11y.atspi.Accessible")
        return str(self._ask(Properties(node).get("Name"))[1])

    def wait_for_label(self, pattern: re.Pattern[str], timeout: float = 60) -> None:
        """Until a label's whole text matches `pattern` (fails with the labels last seen)."""
        seen: list[str] = []

        def shown() -> bool:
            seen[:] = self.labels()
            return any(pattern.fullmatch(text) for text in seen)

        assert poll(shown, timeout), f"no label matches {pattern.pattern!r}: {seen!r}"

    def labels(self) -> list[str]:
        """The text of every label of every application, the panel's status bar among them."""
        from jeepney.wrappers import DBusErrorResponse

        found: list[str] = []
        pending = list(self._call(*self.REGISTRY_ROOT, "GetChildren"))
        while pending:
            name, path = pending.pop()
            try:
                role = self._call(name, path, "GetRoleName")
                if role == "label":
                    found.append(self._name(name, path))
                if role not in self.UNWALKED:
                    pending.extend(self._call(name, path, "GetChildren"))
            except DBusErrorResponse:
                continue  # a widget gone between two looks
        return found


def xdotool(display: str, *args: str, timeout: float = 10) -> str:
    result = subprocess.run(
        ["xdotool", *args],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return result.stdout


def read_clipboard(display: str) -> str | None:
    result = subprocess.run(
        ["xclip", "-selection", "clipboard", "-o"],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
    )
    return result.stdout if result.returncode == 0 else None


class _XClientMessageEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    ]


class _XEvent(ctypes.Union):
    _fields_ = [("xclient", _XClientMessageEvent), ("pad", ctypes.c_long * 24)]


def close_window_politely(display: str, window: int) -> bool:
    """Send WM_DELETE_WINDOW, as a window manager's close button does (xdotool has none)."""
    name = ctypes.util.find_library("X11")
    if name is None:
        return False
    xlib = ctypes.CDLL(name)
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    xlib.XInternAtom.restype = ctypes.c_ulong
    xlib.XSendEvent.argtypes = [
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_int,
        ctypes.c_long,
        ctypes.POINTER(_XEvent),
    ]
    xlib.XFlush.argtypes = [ctypes.c_void_p]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    connection = xlib.XOpenDisplay(display.encode())
    if not connection:
        return False
    try:
        event = _XEvent()
        event.xclient.type = 33  # ClientMessage
        event.xclient.window = window
        event.xclient.message_type = xlib.XInternAtom(connection, b"WM_PROTOCOLS", 0)
        event.xclient.format = 32
        event.xclient.data[0] = xlib.XInternAtom(connection, b"WM_DELETE_WINDOW", 0)
        event.xclient.data[1] = 0  # CurrentTime
        xlib.XSendEvent(connection, window, 0, 0, ctypes.byref(event))
        xlib.XFlush(connection)
    finally:
        xlib.XCloseDisplay(connection)
    return True


def test_filter_and_copy_an_id_with_the_keyboard_only(
    display: str, session_bus: str, fake_server: FakeClockify, tmp_path: Path
) -> None:
    pytest.importorskip("jeepney")  # keyring's own dependency on Linux
    xvfb_display = display
    env = {
        **os.environ,
        "DISPLAY": xvfb_display,
        "QT_QPA_PLATFORM": "xcb",
        "DBUS_SESSION_BUS_ADDRESS": session_bus,
        "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",  # Qt's AT-SPI bridge, as with a screen reader
        "CLOCKIFY_API_KEY": TEST_KEY,  # the key goes via the environment, never argv
    }
    stdout_path, stderr_path = tmp_path / "panel.out", tmp_path / "panel.err"
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        panel = subprocess.Popen(
            [sys.executable, "-m", "desktop", "--base-url", fake_server.base_url],
            env=env,
            stdout=out,
            stderr=err,
        )
    accessible: AccessibleTree | None = None
    try:
        found = xdotool(
            xvfb_display, "search", "--sync", "--onlyvisible", "--name", "Clockify", timeout=60
        )
        window = found.split()[0]
        assert TEST_KEY not in " ".join(panel.args)  # type: ignore[arg-type]
        accessible = AccessibleTree(session_bus)
        accessible.wait_for_label(WORKSPACES_IN)
        lists = ("/users", "/clients")
        assert fake_server.count(lists) == 0  # nothing but the workspaces before the filter

        xdotool(xvfb_display, "windowfocus", "--sync", window)
        xdotool(xvfb_display, "key", "--clearmodifiers", "ctrl+f")
        xdotool(xvfb_display, "type", "--delay", "15", CLIENT_NAME)
        # The filter loads every list (2 workspaces, users and clients each): the server
        # answers them, then the status bar says the one match is in and nothing loads.
        assert fake_server.wait_answered(4, lists, timeout=60)
        accessible.wait_for_label(ONE_MATCH_LOADED)
        assert fake_server.count(lists) == fake_server.count(lists, answered=True) == 4
        # Down moves to the first match; Ctrl+Shift+C copies its ID.
        xdotool(xvfb_display, "key", "--clearmodifiers", "Down", "ctrl+shift+c")
        assert poll(lambda: read_clipboard(xvfb_display) == CLIENT_ID, 60), (
            f"clipboard holds {read_clipboard(xvfb_display)!r}, not {CLIENT_ID!r}"
        )

        assert close_window_politely(xvfb_display, int(window))
        try:
            code = panel.wait(60)
        except subprocess.TimeoutExpired:
            pytest.fail("the panel did not quit after its window was closed")
        errors = stderr_path.read_text(errors="replace")
        assert code == 0, errors
        assert "Traceback" not in errors
        assert "Fatal Python error" not in errors
        assert TEST_KEY not in errors + stdout_path.read_text(errors="replace")
    finally:
        if accessible is not None:
            accessible.close()
        if panel.poll() is None:
            panel.terminate()
            try:
                panel.wait(10)
            except subprocess.TimeoutExpired:
                panel.kill()
                panel.wait(5)
