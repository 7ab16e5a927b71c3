"""The real panel in a subprocess on a real X server: filter, copy, read the X clipboard;
drag a row out into another application (tests/drop_target.py).

Every key is pressed once. Between the keys the test waits for what a user would wait for,
read from outside the process: the window mapped (xdotool), the status bar's text as a
screen reader reads it (AT-SPI over a private D-Bus session), the X clipboard (xclip), what
the drop target reports on its stdout.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from fake_clockify import SAMPLE_BILLED_ADDRESS, SAMPLE_BILLED_CLIENT_ID, FakeClockify

pytestmark = pytest.mark.xvfb

TOOLS = ("Xvfb", "xdotool", "xclip", "dbus-daemon")
A11Y_SERVICE = Path("/usr/share/dbus-1/services/org.a11y.Bus.service")  # from at-spi2-core
INSTALL = "apt-get install -y xvfb xdotool xclip dbus at-spi2-core"
CLIENT_NAME = "Globex Corporation"  # unique in the sample data, the one with a bill-to block
CLIENT_ID = SAMPLE_BILLED_CLIENT_ID
CLIENT_CELL = f"Client, {CLIENT_NAME}"  # its row, as a screen reader says it
LISTS = ("/users", "/clients")
DROP_TARGET = Path(__file__).with_name("drop_target.py")
DRAG_STEPS = 20  # pointer motions from the row to the target: X drag and drop follows them
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
        return list(self._names_of("label", self.UNWALKED).values())

    def cell_extents(self, name: str, timeout: float = 60) -> tuple[int, int, int, int]:
        """Where the cell a screen reader calls `name` is on the screen: x, y, width, height."""
        from jeepney import DBusAddress, new_method_call

        found: list[tuple[str, str]] = []

        def shown() -> bool:
            found[:] = [
                node
                for node, text in self._names_of("cell", {"menu bar", "menu"}).items()
                if text == name
            ]
            return bool(found)

        assert poll(shown, timeout), f"no cell named {name!r}"
        bus, path = found[0]
        component = DBusAddress(path, bus, "org.a11y.atspi.Component")
        x, y, width, height = self._ask(new_method_call(component, "GetExtents", "u", (0,)))
        return x, y, width, height  # 0 above: in screen coordinates

    def _names_of(self, wanted: str, unwalked: Collection[str]) -> dict[tuple[str, str], str]:
        """The name of each accessible whose role is `wanted`, by its (bus name, path);
        the children of roles in `unwalked` are not looked at."""
        from jeepney.wrappers import DBusErrorResponse

        found: dict[tuple[str, str], str] = {}
        pending = list(self._call(*self.REGISTRY_ROOT, "GetChildren"))
        while pending:
            name, path = pending.pop()
            try:
                role = self._call(name, path, "GetRoleName")
                if role == wanted:
                    found[name, path] = self._name(name, path)
                if role not in unwalked:
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


def window_geometry(display: str, window: str) -> tuple[int, int, int, int]:
    """A top-level window's x, y, width and height on the screen (there is no window manager)."""
    shell = xdotool(display, "getwindowgeometry", "--shell", window)
    values = dict(line.split("=", 1) for line in shell.split())
    return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])


def press_and_move(display: str, start: tuple[int, int], end: tuple[int, int]) -> None:
    """Press the left button at `start` and move, in DRAG_STEPS motions, to `end` (held)."""
    xdotool(display, "mousemove", "--sync", str(start[0]), str(start[1]))
    xdotool(display, "mousedown", "1")
    for step in range(1, DRAG_STEPS + 1):
        x = start[0] + (end[0] - start[0]) * step // DRAG_STEPS
        y = start[1] + (end[1] - start[1]) * step // DRAG_STEPS
        xdotool(display, "mousemove", "--sync", str(x), str(y))


def read_clipboard(display: str) -> str | None:
    """The clipboard as UTF-8 text (UTF8_STRING: STRING would be Latin-1), None if empty."""
    result = subprocess.run(
        ["xclip", "-selection", "clipboard", "-o", "-target", "UTF8_STRING"],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        encoding="utf-8",
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


@dataclass
class Panel:
    """The running panel: its process, its top-level window and its accessibility tree."""

    process: subprocess.Popen[bytes]
    display: str
    window: str
    accessible: AccessibleTree
    stdout_path: Path
    stderr_path: Path

    def key(self, *keys: str) -> None:
        xdotool(self.display, "key", "--clearmodifiers", *keys)

    def filter_to_the_client(self, fake_server: FakeClockify) -> None:
        """Ctrl+F and type CLIENT_NAME; back when its one match is in and nothing loads."""
        xdotool(self.display, "windowfocus", "--sync", self.window)
        self.key("ctrl+f")
        xdotool(self.display, "type", "--delay", "15", CLIENT_NAME)
        # The filter loads every list (2 workspaces, users and clients each): the server
        # answers them, then the status bar says the one match is in and nothing loads.
        assert fake_server.wait_answered(4, LISTS, timeout=60)
        self.accessible.wait_for_label(ONE_MATCH_LOADED)
        assert fake_server.count(LISTS) == fake_server.count(LISTS, answered=True) == 4

    def quit(self) -> None:
        """Close the window as a window manager would; the panel exits 0 with a clean stderr."""
        assert close_window_politely(self.display, int(self.window))
        try:
            code = self.process.wait(60)
        except subprocess.TimeoutExpired:
            pytest.fail("the panel did not quit after its window was closed")
        errors = self.stderr_path.read_text(errors="replace")
        assert code == 0, errors
        assert "Traceback" not in errors
        assert "Fatal Python error" not in errors
        assert TEST_KEY not in errors + self.stdout_path.read_text(errors="replace")


@pytest.fixture
def panel(
    display: str, session_bus: str, fake_server: FakeClockify, tmp_path: Path
) -> Iterator[Panel]:
    """`python -m desktop` against the fake server, its window mapped and workspaces in."""
    pytest.importorskip("jeepney")  # keyring's own dependency on Linux
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "DBUS_SESSION_BUS_ADDRESS": session_bus,
        "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",  # Qt's AT-SPI bridge, as with a screen reader
        "CLOCKIFY_API_KEY": TEST_KEY,  # the key goes via the environment, never argv
    }
    stdout_path, stderr_path = tmp_path / "panel.out", tmp_path / "panel.err"
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "desktop", "--base-url", fake_server.base_url],
            env=env,
            stdout=out,
            stderr=err,
        )
    accessible: AccessibleTree | None = None
    try:
        found = xdotool(
            display, "search", "--sync", "--onlyvisible", "--name", "Clockify", timeout=60
        )
        assert TEST_KEY not in " ".join(process.args)  # type: ignore[arg-type]
        accessible = AccessibleTree(session_bus)
        accessible.wait_for_label(WORKSPACES_IN)
        yield Panel(process, display, found.split()[0], accessible, stdout_path, stderr_path)
    finally:
        if accessible is not None:
            accessible.close()
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


@dataclass
class DropTarget:
    """tests/drop_target.py running: its process (stdout a pipe) and its window."""

    process: subprocess.Popen[bytes]
    window: str

    def report(self, event: str, timeout: float = 60) -> dict[str, Any]:
        """The next line the target writes, which must report `event` ("over", "drop")."""
        assert self.process.stdout is not None
        line = read_first_line(self.process.stdout.fileno(), timeout, f"the drop target ({event})")
        report: dict[str, Any] = json.loads(line)
        assert report["event"] == event, report
        return report


@pytest.fixture
def drop_target(panel: Panel, session_bus: str, tmp_path: Path) -> Iterator[DropTarget]:
    """Another application that accepts drops, its window mapped beside the panel's."""
    x, y, width, _ = window_geometry(panel.display, panel.window)
    env = {
        **os.environ,
        "DISPLAY": panel.display,
        "QT_QPA_PLATFORM": "xcb",
        "DBUS_SESSION_BUS_ADDRESS": session_bus,  # not the developer's own session
    }
    with (tmp_path / "drop_target.err").open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, str(DROP_TARGET), str(x + width + 40), str(y + 40)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
        )
    try:
        found = xdotool(
            panel.display, "search", "--sync", "--onlyvisible", "--name", "Drop target", timeout=60
        )
        yield DropTarget(process, found.split()[0])
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        assert process.stdout is not None
        process.stdout.close()


def test_filter_and_copy_an_id_with_the_keyboard_only(
    panel: Panel, fake_server: FakeClockify
) -> None:
    assert fake_server.count(LISTS) == 0  # nothing but the workspaces before the filter
    panel.filter_to_the_client(fake_server)
    # Down moves to the first match; Ctrl+Shift+C copies its ID.
    panel.key("Down", "ctrl+shift+c")
    assert poll(lambda: read_clipboard(panel.display) == CLIENT_ID, 60), (
        f"clipboard holds {read_clipboard(panel.display)!r}, not {CLIENT_ID!r}"
    )
    panel.quit()


def test_copy_the_bill_to_block_of_a_client_with_a_two_line_address(
    panel: Panel, fake_server: FakeClockify
) -> None:
    (globex,) = [
        client
        for workspace in fake_server.workspaces
        for client in workspace.clients
        if client["id"] == SAMPLE_BILLED_CLIENT_ID
    ]
    assert globex["address"] == SAMPLE_BILLED_ADDRESS  # "Musterstra\u00dfe 1\n10115 Berlin"
    expected = "\n".join((CLIENT_NAME, SAMPLE_BILLED_ADDRESS, globex["email"]))
    panel.filter_to_the_client(fake_server)
    # Down moves to the match; Ctrl+B copies its name, address lines and e-mail.
    panel.key("Down", "ctrl+b")
    panel.accessible.wait_for_label(re.compile(re.escape(f"Copied bill-to block of {CLIENT_NAME}")))
    assert read_clipboard(panel.display) == expected
    panel.quit()


def test_drag_a_client_row_out_into_another_application(
    panel: Panel, fake_server: FakeClockify, drop_target: DropTarget
) -> None:
    panel.filter_to_the_client(fake_server)
    x, y, width, height = panel.accessible.cell_extents(CLIENT_CELL)
    left, top, target_width, target_height = window_geometry(panel.display, drop_target.window)
    # Press on the row, move onto the target, and let go once the target has seen the drag
    # (or, failing, let go anyway: the button stays up for whatever runs next).
    try:
        press_and_move(
            panel.display,
            (x + width // 2, y + height // 2),
            (left + target_width // 2, top + target_height // 2),
        )
        drop_target.report("over")
    finally:
        xdotool(panel.display, "mouseup", "1")
    dropped = drop_target.report("drop")
    assert {"text/plain", "application/json"} <= set(dropped["formats"]), dropped
    assert dropped["text/plain"] == CLIENT_NAME
    (record,) = json.loads(dropped["application/json"])
    assert (record["kind"], record["id"]) == ("client", CLIENT_ID)
    assert record["address"] == SAMPLE_BILLED_ADDRESS
    panel.quit()
