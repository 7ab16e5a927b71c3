"""The real panel in a subprocess on a real X server: filter, copy an ID, read the X clipboard."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import TEST_KEY

from desktop.fake import FakeClockify

pytestmark = pytest.mark.xvfb

TOOLS = ("Xvfb", "xdotool", "xclip")
CLIENT_NAME = "Globex Corporation"  # unique in the sample data
CLIENT_ID = "64b0c11e0000000000000001"


def poll(predicate: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    """Polls another process's state (X server, clipboard): there is no Qt loop to wait on."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


@pytest.fixture(scope="session")
def xvfb_display() -> Iterator[str]:
    """A private Xvfb for the session; its display number comes from -displayfd."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        reason = f"needs {', '.join(missing)} (apt-get install -y xvfb xdotool xclip)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)
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
        number = b""
        deadline = time.monotonic() + 15
        while not number.endswith(b"\n") and time.monotonic() < deadline:
            ready, _, _ = select.select([read_end], [], [], 0.5)
            if ready:
                chunk = os.read(read_end, 16)
                if not chunk:
                    break
                number += chunk
        if not number.strip():
            pytest.fail("Xvfb did not report a display number within 15 s")
        yield f":{number.decode().strip()}"
    finally:
        os.close(read_end)
        server.terminate()
        server.wait(10)


@pytest.fixture
def display(xvfb_display: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """DISPLAY set for one test only: the offscreen tests after it never see it."""
    monkeypatch.setenv("DISPLAY", xvfb_display)
    return xvfb_display


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
    display: str, fake_server: FakeClockify, tmp_path: Path
) -> None:
    xvfb_display = display
    env = {
        **os.environ,
        "DISPLAY": xvfb_display,
        "QT_QPA_PLATFORM": "xcb",
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
    try:
        found = xdotool(
            xvfb_display, "search", "--sync", "--onlyvisible", "--name", "Clockify", timeout=20
        )
        window = found.split()[0]
        assert TEST_KEY not in " ".join(panel.args)  # type: ignore[arg-type]

        def copy_sequence(type_name: bool) -> bool:
            xdotool(xvfb_display, "windowfocus", "--sync", window)
            xdotool(xvfb_display, "key", "--clearmodifiers", "ctrl+f")
            if type_name:
                xdotool(xvfb_display, "type", "--delay", "15", CLIENT_NAME)

            # Matches arrive as the groups load: until they do, Down lands on a workspace.
            def copied() -> bool:
                xdotool(xvfb_display, "key", "--clearmodifiers", "ctrl+f", "Down", "ctrl+shift+c")
                return poll(lambda: read_clipboard(xvfb_display) == CLIENT_ID, 1.0)

            return poll(copied, 10, interval=0)

        # Focus under a bare X server (no window manager) can be flaky: one retry.
        if not copy_sequence(type_name=True):
            assert copy_sequence(type_name=True), (
                f"clipboard holds {read_clipboard(xvfb_display)!r}, not {CLIENT_ID!r}"
            )
        assert read_clipboard(xvfb_display) == CLIENT_ID
        requested = {r.path.rsplit("/", 1)[-1] for r in fake_server.requests}
        assert {"workspaces", "clients"} <= requested

        assert close_window_politely(xvfb_display, int(window))
        try:
            code = panel.wait(15)
        except subprocess.TimeoutExpired:
            pytest.fail("the panel did not quit after its window was closed")
        errors = stderr_path.read_text(errors="replace")
        assert code == 0, errors
        assert "Traceback" not in errors
        assert "Fatal Python error" not in errors
        assert TEST_KEY not in errors + stdout_path.read_text(errors="replace")
    finally:
        if panel.poll() is None:
            panel.terminate()
            try:
                panel.wait(10)
            except subprocess.TimeoutExpired:
                panel.kill()
                panel.wait(5)
