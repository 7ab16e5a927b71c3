"""How the panel picks its connection and key at start (before any window exists)."""

from __future__ import annotations

import argparse
import gc
import logging
import logging.handlers
import os
import stat
import sys
from collections.abc import Callable, Iterator

import pytest
import shiboken6
from conftest import TEST_KEY
from PySide6.QtCore import QCoreApplication, QSettings

from desktop.clockify import ApiKey, Connection, InvalidConnectionError
from desktop.store import connection_file, open_credential_store, paths
from desktop.ui.connection_settings import SETTING_BASE_URL, SETTING_REGION, set_identity
from desktop.ui.main_window import PanelWindow
from desktop.ui.stored import early_start, saved_connection

PASSPHRASE = "startup passphrase"


def _args(**given: object) -> argparse.Namespace:
    values = {"demo": False, "region": None, "base_url": None, "timeout": 20.0}
    values.update(given)
    return argparse.Namespace(**values)


@pytest.fixture(autouse=True)
def file_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    monkeypatch.setenv("CLOCKIFY_PANEL_PASSPHRASE", PASSPHRASE)
    set_identity()  # as the panel does, so QSettings() is the panel's file
    QSettings().clear()


@pytest.mark.parametrize(
    "connection",
    [Connection.for_region("eu"), Connection.for_base_url("https://clockify.example.com")],
)
def test_the_saved_connection_round_trips(connection: Connection) -> None:
    connection_file.save(connection)
    assert saved_connection() == connection
    assert connection_file.path().stat().st_mode & 0o077 == 0  # private, like every file


@pytest.mark.parametrize(
    "content",
    [
        '{"base_url": "http://not-loopback.example.com"}',  # plain http off this machine
        '{"region": "mars"}',
        "[1, 2]",
        "{not json",
        "\udcff",
    ],
    ids=["insecure-url", "unknown-region", "not-an-object", "garbled", "not-utf8"],
)
def test_an_unusable_saved_connection_means_global(
    content: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = connection_file.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    with caplog.at_level("WARNING"):
        assert saved_connection() == Connection.for_region("global")
    assert "using Global" in caplog.text


def test_nothing_saved_means_global() -> None:
    assert saved_connection() == Connection.for_region("global")
    assert not connection_file.path().exists()


@pytest.fixture
def no_identity() -> Iterator[None]:
    """The application's identity unset, as at start-up before the panel sets it.

    The panel reads the connection of release 0.1.0 before its QApplication exists: the
    code under test must set the identity itself before it makes its QSettings.
    """
    before = (QCoreApplication.organizationName(), QCoreApplication.applicationName())
    QCoreApplication.setOrganizationName("")
    QCoreApplication.setApplicationName("")
    yield
    QCoreApplication.setOrganizationName(before[0])
    QCoreApplication.setApplicationName(before[1])


def settings_of_0_1_0() -> QSettings:
    """The panel's settings file, named explicitly (the identity may be unset)."""
    return QSettings(paths.ORGANISATION, paths.APP_NAME)


@pytest.mark.parametrize(
    ("region", "url", "expected"),
    [
        ("eu", "", Connection.for_region("eu")),
        (
            "custom",
            "https://clockify.example.com",
            Connection.for_base_url("https://clockify.example.com"),
        ),
    ],
    ids=["region", "custom"],
)
def test_the_connection_saved_by_0_1_0_moves_to_its_file(
    no_identity: None, region: str, url: str, expected: Connection
) -> None:
    settings = settings_of_0_1_0()
    settings.setValue(SETTING_REGION, region)
    settings.setValue(SETTING_BASE_URL, url)
    settings.setValue("connection/refresh_at_start", False)  # another setting, not moved
    settings.sync()
    assert saved_connection() == expected
    assert connection_file.load() == expected  # read from the file from now on
    after = settings_of_0_1_0()
    assert after.value(SETTING_REGION) is None
    assert after.value("connection/refresh_at_start") in (False, "false")  # kept


def test_an_unusable_connection_saved_by_0_1_0_means_global(no_identity: None) -> None:
    settings = settings_of_0_1_0()
    settings.setValue(SETTING_REGION, "custom")
    settings.setValue(SETTING_BASE_URL, "http://not-loopback.example.com")
    settings.sync()
    assert saved_connection() == Connection.for_region("global")
    assert settings_of_0_1_0().value(SETTING_REGION) is None  # read, so removed


def test_starting_on_the_saved_connection_does_not_import_qt() -> None:
    """The key read starts before PySide6 is imported: reading the connection needs no Qt."""
    import subprocess
    import sys

    connection_file.save(Connection.for_region("eu"))
    code = (
        "import sys; from desktop.ui.stored import saved_connection; "
        "print(saved_connection().region, any(m.startswith('PySide6') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["eu", "False"]


def test_early_start_reads_the_key_of_the_saved_connection() -> None:
    connection = Connection.for_base_url("https://clockify.example.com")
    connection_file.save(connection)
    open_credential_store().set_api_key(connection, ApiKey(TEST_KEY))
    early = early_start(_args())
    assert early.connection == connection
    assert early.env_key is None
    assert early.prefetched is not None
    read_connection, key, snapshot = early.prefetched.result(timeout=30)
    assert read_connection == connection
    assert key == ApiKey(TEST_KEY)
    assert snapshot is None  # no cache yet


def test_early_start_options_and_env_key_win(monkeypatch: pytest.MonkeyPatch) -> None:
    connection_file.save(Connection.for_region("eu"))
    monkeypatch.setenv("CLOCKIFY_API_KEY", TEST_KEY)
    early = early_start(_args(region="uk"))
    assert early.connection == Connection.for_region("uk")
    assert early.env_key == ApiKey(TEST_KEY)
    assert early.prefetched is None  # an env key: nothing stored is read


def test_demo_needs_no_connection() -> None:
    early = early_start(_args(demo=True))
    assert early == early.__class__(None, None, None)


def _run_panel_until(
    monkeypatch: pytest.MonkeyPatch,
    args: argparse.Namespace,
    ready: Callable[[PanelWindow], bool],
    look: Callable[[PanelWindow], None],
) -> tuple[int, list[logging.Handler]]:
    """run_panel in process: once `ready(window)`, `look(window)`, then close the window.

    Returns the exit code and the root logger's handlers as the panel left them.
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.ui import app as app_module
    from desktop.ui.main_window import PanelWindow

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    interval = sys.getswitchinterval()

    def poll() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, PanelWindow)]
        visible = [w for w in windows if w.isVisible()]
        if visible and ready(visible[0]):
            window = visible[0]
            look(window)
            window.runner.wait_idle(5)
            window.close()
            return
        QTimer.singleShot(50, poll)

    QTimer.singleShot(0, poll)
    QTimer.singleShot(20_000, QApplication.quit)  # a safety net, never the way out
    try:
        code = app_module.run_panel(args)
    finally:
        sys.setswitchinterval(interval)  # run_panel tunes the process (tune_process)
        # The window and its children deleted by Qt, in Qt's order, before the collector
        # frees their wrappers: left to it, a wrapper freed after its Qt parent crashed
        # the interpreter ("Garbage-collecting", in QObject's destructor) in some runs.
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, PanelWindow):
                shiboken6.delete(widget)
        gc.unfreeze()
        gc.collect()  # the panel's garbage, on this (the GUI) thread, not on a worker later
        root = logging.getLogger()
        handlers = list(root.handlers)
        for handler in handlers:
            if isinstance(handler, logging.FileHandler | app_module.EarlyRecords):
                root.removeHandler(handler)
                handler.close()
    return code, handlers


def test_run_panel_in_demo_mode_loads_the_demo_through_the_normal_path(
    qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m desktop --demo`, in process: the demo server starts on a worker, the panel
    connects to it, and its workspaces load; quitting stops the server."""
    from desktop.demo.server import DemoClockify as FakeClockify
    from desktop.ui import app as app_module

    servers: list[FakeClockify] = []
    original_stop = FakeClockify.stop

    def stop(self: FakeClockify) -> None:
        servers.append(self)
        original_stop(self)

    monkeypatch.setattr(FakeClockify, "stop", stop)
    seen: dict[str, object] = {}

    def look(window: PanelWindow) -> None:
        seen["title"] = window.windowTitle()
        seen["names"] = [w.workspace.name for w in window.model.workspaces()]
        seen["tuned"] = (sys.getswitchinterval(), gc.get_freeze_count() > 0)

    code, handlers = _run_panel_until(
        monkeypatch, _args(demo=True), lambda w: len(w.model.workspaces()) >= 4, look
    )
    assert code == 0
    # The log file was opened on a worker, and replaced the records held in memory.
    assert any(isinstance(h, logging.FileHandler) for h in handlers)
    assert not any(isinstance(h, app_module.EarlyRecords) for h in handlers)
    assert (app_module.paths.log_dir() / "clockify-panel.log").is_file()
    assert seen["title"] == "Clockify Panel (demo data)"
    assert "Northwind Consulting" in seen["names"]  # type: ignore[operator]
    assert servers  # the demo server was stopped on the way out
    assert seen["tuned"] == (pytest.approx(app_module.SWITCH_INTERVAL), True)


def test_tune_process_freezes_what_exists_and_shortens_the_switch_interval() -> None:
    """What `run_panel` sets for the whole process, and only there (not in create_application)."""
    from desktop.ui import app as app_module

    interval = sys.getswitchinterval()
    frozen = gc.get_freeze_count()
    try:
        app_module.create_application()
        assert sys.getswitchinterval() == interval  # making the app tunes nothing
        assert gc.get_freeze_count() == frozen
        app_module.tune_process()
        assert sys.getswitchinterval() == pytest.approx(app_module.SWITCH_INTERVAL)
        assert gc.get_freeze_count() > frozen  # what exists now: out of the collector's passes
        gc.disable()  # as a launch leaves it while the modules and the window are made
        app_module.tune_process()
        assert gc.isenabled()
    finally:
        gc.enable()
        sys.setswitchinterval(interval)
        gc.unfreeze()
        gc.collect()  # on this (the GUI) thread, not on a worker later


MALFORMED_URLS = [
    "https://[::1",
    "https://a..b.com",
    "https://clockify.example.com:99999",
    "https://clockify.example.com/api/v1?workspace=1",
    "https://clockify.example.com/api/v1#top",
    "https://" + "a" * 64 + ".example.com",
]
MALFORMED_IDS = ["open-bracket", "empty-label", "port", "query", "fragment", "long-label"]


@pytest.mark.parametrize("url", MALFORMED_URLS, ids=MALFORMED_IDS)
def test_a_malformed_env_base_url_starts_unconnected_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    open_credential_store().set_api_key(saved_connection(), ApiKey(TEST_KEY))
    monkeypatch.setenv("CLOCKIFY_BASE_URL", url)
    monkeypatch.setenv("CLOCKIFY_API_KEY", TEST_KEY)
    early = early_start(_args())
    assert early.connection is None  # neither that address nor the saved connection
    assert early.env_key is None  # the key from the environment goes nowhere
    assert early.prefetched is None  # nor is the stored key read
    assert early.problem is not None
    assert early.problem.startswith(
        "CLOCKIFY_BASE_URL holds an unusable address, so the panel is not connected: "
        "the custom base URL"
    )
    assert early.problem.endswith(" Correct or unset it, or connect through Settings.")
    assert TEST_KEY not in early.problem


@pytest.mark.parametrize("url", MALFORMED_URLS, ids=MALFORMED_IDS)
def test_a_malformed_base_url_option_is_a_clear_error(url: str) -> None:
    with pytest.raises(InvalidConnectionError, match=r"^The custom base URL"):
        early_start(_args(base_url=url))


def test_a_parser_value_error_at_start_is_still_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def parser_error(_url: str) -> Connection:
        raise ValueError("Invalid IPv6 URL")

    monkeypatch.setattr(Connection, "for_base_url", parser_error)
    with pytest.raises(InvalidConnectionError, match=r"^The custom base URL is not valid"):
        early_start(_args(base_url="https://[::1"))
    monkeypatch.setenv("CLOCKIFY_BASE_URL", "https://[::1")
    early = early_start(_args())
    assert early.connection is None
    assert early.problem is not None
    assert "the custom base URL is not valid" in early.problem


def test_the_panel_starts_with_a_malformed_env_base_url_and_says_why(
    qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`CLOCKIFY_BASE_URL='https://[::1' clockify-panel`, in process: a window, not a crash."""
    open_credential_store().set_api_key(saved_connection(), ApiKey(TEST_KEY))
    monkeypatch.setenv("CLOCKIFY_BASE_URL", "https://[::1")
    seen: dict[str, object] = {}

    def look(window: PanelWindow) -> None:
        seen["notice"] = window.notice_label.text()
        seen["button"] = window.notice_button.text()
        seen["page"] = window.stack.currentWidget() is window.connect_page
        seen["connected"] = window.connected
        seen["status"] = window.status_label.text()

    code, _handlers = _run_panel_until(
        monkeypatch, _args(), lambda w: w.notice.isVisibleTo(w), look
    )
    assert code == 0
    assert str(seen["notice"]).startswith(
        "CLOCKIFY_BASE_URL holds an unusable address, so the panel is not connected: "
        "the custom base URL"
    )
    assert seen["button"] == "Settings\u2026"
    assert seen["page"] is True
    assert seen["connected"] is False
    assert seen["status"] == "Not connected"


def test_records_logged_before_the_log_file_opens_are_written_to_it(qapp: object) -> None:
    import logging

    from desktop.ui import app as app_module

    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    try:
        app_module.hold_early_logs()
        logging.getLogger("desktop.test").warning("logged before the file: %s", "first")
        logging.getLogger("desktop.test").debug("below the level: not kept")
        handler = app_module.open_log_file()
        app_module.attach_log_file(handler)
        logging.getLogger("desktop.test").info("logged after: %s", "second")
        handler.flush()
        assert not any(isinstance(h, app_module.EarlyRecords) for h in root.handlers)
        text = (app_module.paths.log_dir() / "clockify-panel.log").read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if "desktop.test" in line]
        assert len(lines) == 2
        assert "WARNING desktop.test: logged before the file: first" in lines[0]
        assert "INFO desktop.test: logged after: second" in lines[1]
    finally:
        for h in root.handlers[:]:
            if h not in before:
                root.removeHandler(h)
                h.close()
        root.setLevel(level)


def test_without_a_log_file_the_held_records_are_let_go(
    qapp: object, capsys: pytest.CaptureFixture[str]
) -> None:
    import logging

    from desktop.ui import app as app_module

    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    try:
        app_module.hold_early_logs()
        logging.getLogger("desktop.test").warning("held for a file that never comes")
        app_module.drop_early_logs(PermissionError(13, "Permission denied"))
        assert not any(isinstance(h, app_module.EarlyRecords) for h in root.handlers)
        assert "no log file ([Errno 13] Permission denied)" in capsys.readouterr().err
    finally:
        for h in root.handlers[:]:
            if h not in before:
                root.removeHandler(h)
        root.setLevel(level)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX; Windows has ACLs")
def test_the_log_folder_and_every_log_file_are_private(qapp: object) -> None:
    """Folder 0700, files 0600: also the ones an older release left 0755/0644, and rotated ones."""
    from desktop.ui import app as app_module

    folder = app_module.paths.log_dir()
    folder.mkdir(parents=True)
    folder.chmod(0o755)
    old_log = folder / app_module.LOG_FILE
    old_backup = folder / f"{app_module.LOG_FILE}.2"
    for path in (old_log, old_backup):
        path.write_text("left by an older release\n", encoding="utf-8")
        path.chmod(0o644)
    handler = app_module.open_log_file()
    try:
        record = logging.LogRecord("desktop.test", logging.INFO, __file__, 1, "hello", (), None)
        handler.handle(record)
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        handler.doRollover()  # the current file becomes .1 and a new one is opened
        handler.handle(record)
        handler.flush()
    finally:
        handler.close()
    files = sorted(p.name for p in folder.iterdir())
    assert files == [f"{app_module.LOG_FILE}{end}" for end in ("", ".1", ".3")]  # .2 became .3
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX; Windows has ACLs")
def test_a_new_log_file_is_private_from_its_creation(
    qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Created 0600 whatever the umask: never readable by others, not even for a moment."""
    from desktop.ui import app as app_module

    created: list[int] = []
    real_open = os.open

    def spy(path: str, flags: int, mode: int = 0o777, **kwargs: object) -> int:
        if flags & os.O_CREAT:
            created.append(mode)
        return real_open(path, flags, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", spy)
    previous = os.umask(0o022)
    try:
        handler = app_module.open_log_file()
        handler.close()
    finally:
        os.umask(previous)
    assert created == [0o600]
    folder = app_module.paths.log_dir()
    assert isinstance(handler, logging.FileHandler)
    assert stat.S_IMODE((folder / app_module.LOG_FILE).stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--demo"],
        ["--show"],
        ["--hide"],
        ["--toggle"],
        ["--demo", "--toggle"],
        ["--hide", "--demo"],
        ["--demo", "--demo"],
    ],
)
def test_a_launch_of_the_panel_reads_its_flags_as_the_parser_does(argv: list[str]) -> None:
    """The panel's launches skip building the parser (start-up time), with the same result."""
    from desktop.__main__ import build_parser, panel_arguments, parse_arguments

    expected = build_parser().parse_args(argv)
    assert panel_arguments(argv) == expected
    assert parse_arguments(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["--show", "--hide"],
        ["--toggle", "--toggle"],
        ["--demo", "--region", "eu"],
        ["--self-test"],
        ["list", "workspaces"],
        ["--help"],
        ["--version"],
        ["--dem"],
        ["demo"],
    ],
)
def test_anything_but_the_panel_s_flags_goes_to_the_parser(argv: list[str]) -> None:
    from desktop.__main__ import panel_arguments

    assert panel_arguments(argv) is None


def test_a_launch_of_the_panel_does_not_import_the_command_line() -> None:
    """Neither the parser's commands nor `desktop.cli` are needed to start the panel."""
    import subprocess

    code = (
        "import sys; from desktop.__main__ import parse_arguments, _handler; "
        "args = parse_arguments(['--demo', '--toggle']); "
        "print(_handler(args).__name__, any(m.startswith('desktop.cli') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["_run_panel", "False"]


def test_setting_a_value_to_what_the_file_holds_leaves_the_file_alone() -> None:
    """The window sets its actions to their saved states while it is built: no rewrite of
    the settings file (and its fsync) before the first paint when nothing changed."""
    from desktop.ui.connection_settings import app_settings

    first = app_settings()
    first.setValue("test/flag", True)
    first.setValue("test/text", "abc")
    first.sync()
    path = first.fileName()
    written = os.stat(path).st_ino  # Qt rewrites it as a new file, renamed over the old
    again = app_settings()  # reads the file back: the flag is text now
    again.setValue("test/flag", True)
    again.setValue("test/text", "abc")
    again.sync()
    assert os.stat(path).st_ino == written
    again.setValue("test/flag", False)
    again.sync()
    assert app_settings().value("test/flag", type=bool) is False
    assert os.stat(path).st_ino != written


def test_the_faster_pyside_check_answers_as_pyside_does() -> None:
    """desktop.ui.pyside_start: PySide's "does this module use PySide?", from the bytes."""
    from desktop.ui import pyside_start

    assert pyside_start.install()  # done at import; again: nothing more
    feature = sys.modules["shibokensupport.feature"]
    faster = feature._mod_uses_pyside
    original = faster.__closure__[0].cell_contents
    modules = [m for m in list(sys.modules.values()) if getattr(m, "__file__", None)]
    assert len(modules) > 50
    assert [faster(m) for m in modules] == [original(m) for m in modules]
    assert faster(sys.modules["desktop.ui.main_window"]) is True
    assert faster(sys.modules["desktop.clockify.models"]) is False
