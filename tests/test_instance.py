"""One panel per user and mode (issue 18, point 1): real panels in subprocesses, summoned.

The panel is `python -m desktop --demo` (no account needed), offscreen unless a test needs
a real X server (the filter's focus, the count of visible windows). Each test has its own
HOME and XDG folders (conftest) and its own runtime folder, so the sockets are its own.
What the window does is read from outside: the panel answers `state` on its socket
("visible"/"hidden", then "active" and "filter" when the filter has the focus with all its
text selected), the processes from /proc, the windows with xdotool.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from test_panel_e2e import display, poll, xvfb_display  # noqa: F401 (fixtures)

from desktop import __main__ as entry
from desktop import instance

PANEL_START = 60.0  # seconds: a cold start of the panel on a busy shared machine
SUMMON_LIMIT = 15.0  # seconds a second launch may take before the test calls it hung


@pytest.fixture(autouse=True)
def runtime_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private XDG_RUNTIME_DIR for the test (short: a socket path has ~100 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="cp-run-"))
    folder.chmod(0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    yield folder
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        else:
            path.unlink()
    folder.rmdir()


@dataclass
class Panel:
    process: subprocess.Popen[bytes]
    stderr_path: Path

    def state(self) -> str | None:
        return instance.ask("state", instance.address("demo"))

    def wait_for_state(self, expected: str, timeout: float = 20) -> None:
        """Until `state` answers `expected`; a one-word `expected` ("visible", "hidden") is
        matched against the first word only."""
        seen: list[str | None] = []

        def reached() -> bool:
            seen.append(self.state())
            answer = seen[-1] or ""
            return (answer if " " in expected else answer.partition(" ")[0]) == expected

        assert poll(reached, timeout), f"state {seen[-1]!r}, not {expected!r}"

    def errors(self) -> str:
        return self.stderr_path.read_text(errors="replace")


def _env(**extra: str) -> dict[str, str]:
    """The test's environment (its HOME and XDG folders) for a child; offscreen by default."""
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", **extra}


def _start(tmp_path: Path, name: str, *args: str, **env: str) -> Panel:
    stderr_path = tmp_path / f"{name}.err"
    with stderr_path.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "desktop", "--demo", *args],
            env=_env(**env),
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    return Panel(process, stderr_path)


def _wait_until_it_answers(panel: Panel) -> None:
    def answers() -> bool:
        if panel.process.poll() is not None:
            pytest.fail(f"the panel exited ({panel.process.returncode}): {panel.errors()}")
        return panel.state() is not None

    assert poll(answers, PANEL_START), f"the panel never answered: {panel.errors()}"


def _stop(*panels: Panel) -> None:
    for panel in panels:
        if panel.process.poll() is None:
            panel.process.terminate()
            try:
                panel.process.wait(10)
            except subprocess.TimeoutExpired:
                panel.process.kill()
                panel.process.wait(10)


@pytest.fixture
def panel(tmp_path: Path) -> Iterator[Panel]:
    """A running demo panel (offscreen), answering on its socket."""
    started = _start(tmp_path, "panel")
    try:
        _wait_until_it_answers(started)
        yield started
    finally:
        _stop(started)


def _launch(*args: str, **env: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """`python -m desktop --demo ARGS`, which must end by itself; its result and seconds."""
    began = time.monotonic()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "desktop", "--demo", *args],
            env=_env(**env),
            capture_output=True,
            text=True,
            timeout=SUMMON_LIMIT,
            check=False,
        )
    except subprocess.TimeoutExpired:  # run() has killed it: it became a second panel
        pytest.fail(f"`--demo {' '.join(args)}` did not end within {SUMMON_LIMIT:.0f} s")
    return result, time.monotonic() - began


def panel_processes() -> list[int]:
    """The pids of demo panels (or launches) running under this test's HOME (from /proc)."""
    if not Path("/proc/self/environ").exists():
        pytest.skip("needs /proc to count the panel's processes")
    home = f"HOME={os.environ['HOME']}".encode()
    found = []
    for entry_dir in Path("/proc").iterdir():
        if not entry_dir.name.isdigit():
            continue
        try:
            command = (entry_dir / "cmdline").read_bytes().split(b"\0")
            environment = (entry_dir / "environ").read_bytes().split(b"\0")
        except OSError:  # gone, or not ours
            continue
        if command[1:4] == [b"-m", b"desktop", b"--demo"] and home in environment:
            found.append(int(entry_dir.name))
    return sorted(found)


# -- real panels, offscreen -------------------------------------------------------------------


def test_a_second_launch_shows_the_running_panel_and_exits(panel: Panel) -> None:
    assert instance.send("hide", "demo")
    panel.wait_for_state("hidden")
    result, _seconds = _launch()
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    panel.wait_for_state("visible")
    assert panel.process.poll() is None
    assert panel_processes() == [panel.process.pid]  # one process, and the same one


def test_hide_then_show_then_toggle(panel: Panel) -> None:
    for args, expected in [
        (("--hide",), "hidden"),
        (("--hide",), "hidden"),  # hiding a hidden panel is no error
        (("--show",), "visible"),
        (("--hide",), "hidden"),
        (("--toggle",), "visible"),  # hidden: toggle shows it
    ]:
        result, _seconds = _launch(*args)
        assert result.returncode == 0, result.stderr
        # Offscreen, a window shown again is not activated: the focus is checked under X.
        panel.wait_for_state(expected)
    assert panel_processes() == [panel.process.pid]


@pytest.mark.parametrize("how", ["killed-panel", "closed-socket"])
def test_a_stale_socket_is_replaced(tmp_path: Path, how: str) -> None:
    where = instance.address("demo")
    if how == "killed-panel":  # a crash: the socket file and the lock file are left
        crashed = _start(tmp_path, "crashed")
        try:
            _wait_until_it_answers(crashed)
        finally:
            crashed.process.send_signal(signal.SIGKILL)
            crashed.process.wait(10)
    else:  # a socket file nobody listens on
        Path(where.folder).mkdir(mode=0o700, parents=True)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
            dead.bind(where.server_name)
    assert Path(where.server_name).exists()
    began = time.monotonic()
    assert instance.ask("state", where) is None  # connection refused: no panel
    assert time.monotonic() - began < 1.0  # refused at once, no wait for a timeout

    started = _start(tmp_path, "panel")
    try:
        _wait_until_it_answers(started)
        result, _seconds = _launch("--show")
        assert result.returncode == 0, result.stderr
        assert panel_processes() == [started.process.pid]
    finally:
        _stop(started)


def test_two_panels_started_at_once_leave_one(tmp_path: Path) -> None:
    first, second = _start(tmp_path, "first"), _start(tmp_path, "second")
    panels = [first, second]
    try:
        assert poll(lambda: any(p.process.poll() is not None for p in panels), PANEL_START)
        ended = next(p for p in panels if p.process.poll() is not None)
        running = next(p for p in panels if p is not ended)
        assert ended.process.returncode == 0, ended.errors()
        assert running.state() is not None
        assert panel_processes() == [running.process.pid]
    finally:
        _stop(*panels)


def test_hide_with_no_panel_does_nothing_and_show_starts_one(tmp_path: Path) -> None:
    result, _seconds = _launch("--hide")
    assert result.returncode == 0, result.stderr
    assert instance.ask("state", instance.address("demo")) is None
    assert panel_processes() == []

    started = _start(tmp_path, "panel", "--toggle")  # as --show: none runs, so one starts
    try:
        _wait_until_it_answers(started)
        started.wait_for_state("visible")
        assert panel_processes() == [started.process.pid]
    finally:
        _stop(started)


#: Not for a summons: Qt, the HTTP stack, and the command line's and the panel's modules.
HEAVY = (
    "PySide6",
    "shiboken6",
    "requests",
    "urllib3",
    "desktop.cli",
    "desktop.clockify",
    "desktop.ui",
)
SUMMONER = f"""
import sys
from desktop.__main__ import main
code = main(sys.argv[1:])
heavy = sorted(m for m in sys.modules if m.startswith({HEAVY!r}))
print(code, len(heavy), heavy[:5])
"""


def test_the_summoning_process_imports_no_qt_and_no_http(panel: Panel) -> None:
    """The second process hands over before it imports Qt, requests, or even the command
    line's modules (the argument parser's commands and the Clockify client). Were it to start a
    panel of its own instead, it would not end: run() kills it and the test fails."""
    for args in (["--demo"], ["--demo", "--hide"], ["--demo", "--show"], ["--demo", "--toggle"]):
        result = subprocess.run(
            [sys.executable, "-c", SUMMONER, *args],
            env=_env(),
            capture_output=True,
            text=True,
            timeout=SUMMON_LIMIT,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split(maxsplit=2)[:2] == ["0", "0"], result.stdout
    # `python -m desktop` runs the same module as a script: no import of Qt either.
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "desktop", "--demo", "--show"],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=SUMMON_LIMIT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    imported = [line.rpartition("|")[2].strip() for line in result.stderr.splitlines()]
    assert "desktop.instance" in imported
    assert not [m for m in imported if m.startswith(HEAVY)]


# -- under X: the focus, and the windows counted ----------------------------------------------


def visible_windows(screen: str) -> list[str]:
    result = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", "Clockify"],
        env={**os.environ, "DISPLAY": screen},
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return result.stdout.split()


@pytest.mark.xvfb
def test_summoned_under_x_with_the_filter_focused_and_selected(
    display: str,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    started = _start(tmp_path, "panel", QT_QPA_PLATFORM="xcb", DISPLAY=display)
    try:
        _wait_until_it_answers(started)
        assert poll(lambda: len(visible_windows(display)) == 1, 20)
        result, _seconds = _launch("--show", QT_QPA_PLATFORM="xcb", DISPLAY=display)
        assert result.returncode == 0, result.stderr
        started.wait_for_state("visible active filter")  # focused; the empty text selected
        subprocess.run(
            ["xdotool", "type", "--delay", "15", "acme"],
            env={**os.environ, "DISPLAY": display},
            timeout=20,
            check=True,
        )
        started.wait_for_state("visible active")  # typed: the text is no longer selected

        result, _seconds = _launch("--hide", QT_QPA_PLATFORM="xcb", DISPLAY=display)
        assert result.returncode == 0, result.stderr
        started.wait_for_state("hidden")
        assert poll(lambda: visible_windows(display) == [], 20)

        result, _seconds = _launch(QT_QPA_PLATFORM="xcb", DISPLAY=display)  # a second launch
        assert result.returncode == 0, result.stderr
        started.wait_for_state("visible active filter")  # "acme" focused and selected again
        assert poll(lambda: len(visible_windows(display)) == 1, 20)

        for expected in ("hidden", "visible active filter"):  # in front: toggle hides it
            result, _seconds = _launch("--toggle", QT_QPA_PLATFORM="xcb", DISPLAY=display)
            assert result.returncode == 0, result.stderr
            started.wait_for_state(expected)

        # Shown again at once, within Qt's 100 ms wait for a FocusIn after the hide: the
        # window must still become active (desktop.ui.instance_server.focus_is_leaving).
        for _ in range(3):
            assert instance.send("hide", "demo")
            assert instance.send("show", "demo")
            started.wait_for_state("visible active filter")
        assert panel_processes() == [started.process.pid]
    finally:
        _stop(started)


# -- the client and the server's bounds, in this process ---------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ("show", "panel")),
        (["--demo"], ("show", "demo")),
        (["--toggle"], ("toggle", "panel")),
        (["--hide", "--demo"], ("hide", "demo")),
        (["--demo", "--show"], ("show", "demo")),
        (["--show", "--hide"], None),  # the parser's error, not a summons
        (["--demo", "--demo"], None),
        (["--region", "eu"], None),  # the parser reads it; the panel then summons itself
        (["list", "workspaces"], None),  # commands never reach for the socket
        (["key", "status"], None),
        (["--self-test"], None),
        (["--help"], None),
    ],
)
def test_which_launches_the_fast_path_summons(
    argv: list[str], expected: tuple[str, str] | None
) -> None:
    assert instance.summon_request(argv) == expected


def test_summons_with_a_command_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        entry.run(["--show", "list", "workspaces"])
    assert exited.value.code == 2
    assert "--show is for the panel" in capsys.readouterr().err


def test_each_mode_and_configuration_has_its_own_address(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    panel_address, demo_address = instance.address("panel"), instance.address("demo")
    assert panel_address.server_name != demo_address.server_name
    assert panel_address.folder == demo_address.folder
    assert panel_address.folder.startswith(os.environ["XDG_RUNTIME_DIR"])
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "elsewhere"))
    assert instance.address("demo").server_name != demo_address.server_name


@contextlib.contextmanager
def _listener(where: instance.Address, talk: Callable[[socket.socket], object]) -> Iterator[None]:
    """A fake panel at `where` for one connection, which `talk` handles."""
    Path(where.folder).mkdir(mode=0o700, parents=True, exist_ok=True)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(where.server_name)
    server.listen(1)

    def serve() -> None:
        connection, _ = server.accept()
        with connection:
            talk(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.close()
        thread.join(5)


def _silent(connection: socket.socket) -> None:
    connection.recv(64)
    time.sleep(2)


def _endless(connection: socket.socket) -> None:
    connection.recv(64)
    with contextlib.suppress(OSError):  # the client hangs up
        for _ in range(1000):
            connection.sendall(b"x" * 1000)


@pytest.mark.parametrize("talk", [_silent, _endless], ids=["silent", "endless"])
def test_a_panel_that_does_not_answer_properly_is_no_panel(
    talk: Callable[[socket.socket], object],
) -> None:
    where = instance.address("demo")
    with _listener(where, talk):
        began = time.monotonic()
        assert instance.ask("show", where, timeout=0.3) is None
        assert time.monotonic() - began < 1.5


def test_a_folder_that_is_not_private_is_not_trusted(runtime_dir: Path) -> None:
    where = instance.address("demo")
    answered: list[bytes] = []

    def answer(connection: socket.socket) -> None:
        answered.append(connection.recv(64))
        connection.sendall(b"ok\n")

    with _listener(where, answer):
        Path(where.folder).chmod(0o755)
        assert instance.ask("show", where) is None
        Path(where.folder).chmod(0o700)
        assert instance.ask("show", where) == "ok"
    assert answered == [b"show\n"]


def test_the_server_bounds_what_it_reads(qtbot: QtBot) -> None:
    """In this process: a request without its newline within MAX_LINE bytes, or an unknown
    one, is answered "error"; a client that says nothing is dropped after TIMEOUT."""
    from PySide6.QtWidgets import QApplication

    from desktop.ui.instance_server import InstanceServer
    from desktop.ui.main_window import PanelWindow

    window = PanelWindow()
    qtbot.addWidget(window)
    where = instance.address("demo")
    Path(where.folder).mkdir(mode=0o700, parents=True)
    server = InstanceServer(window, where.server_name)
    assert server.listen()
    assert stat.S_IMODE(Path(where.server_name).stat().st_mode) & 0o077 == 0

    def exchange(request: bytes, wait: float = 5) -> bytes:
        answers: list[bytes] = []

        def talk() -> None:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                client.settimeout(wait)
                client.connect(where.server_name)
                client.sendall(request)
                answer = b""
                with contextlib.suppress(OSError):
                    while chunk := client.recv(4096):
                        answer += chunk
                answers.append(answer)

        thread = threading.Thread(target=talk, daemon=True)
        thread.start()
        qtbot.waitUntil(lambda: bool(answers), timeout=int(wait * 1000) + 2000)
        thread.join(5)
        return answers[0]

    try:
        assert exchange(b"state\n") in (b"visible\n", b"hidden\n", b"hidden active\n")
        assert exchange(b"x" * instance.MAX_LINE + b"show\n") == b"error\n"
        assert exchange(b"reboot\n") == b"error\n"
        assert exchange(b"hide\n") == b"ok\n"
        assert not window.isVisible()
        began = time.monotonic()
        assert exchange(b"sho", wait=instance.TIMEOUT + 3) == b""  # dropped, no answer
        assert instance.TIMEOUT - 0.5 < time.monotonic() - began < instance.TIMEOUT + 3
        QApplication.processEvents()
    finally:
        server.close()
    assert not Path(where.server_name).exists()  # closing removes the socket file


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen
def test_a_toggle_makes_esc_in_the_empty_filter_hide_and_hide_saves_the_state(
    qtbot: QtBot,
) -> None:
    """In this process: once a --toggle has reached the panel, Esc in its empty filter sends it
    away as the shortcut does; a hide by the socket saves the window's state as a close does."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from desktop.ui.instance_server import InstanceServer
    from desktop.ui.main_window import PanelWindow

    window = PanelWindow()
    qtbot.addWidget(window)
    server = InstanceServer(window, instance.address("demo").server_name)
    saved: list[bool] = []
    window._save_window_state = lambda: saved.append(True)  # type: ignore[method-assign]
    assert not window.hide_on_escape  # no tray offscreen, no toggle yet
    window.show()
    assert server.act("toggle") == "ok"
    assert window.hide_on_escape
    window.show()
    window.filter_edit.setFocus()
    QTest.keyClick(window.filter_edit, Qt.Key.Key_Escape)
    assert not window.isVisible()
    window.show()
    assert server.act("hide") == "ok"
    assert not window.isVisible()
    assert saved
