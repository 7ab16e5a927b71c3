"""The connect dialog (issue 5): a connection test that tells the truth, region help, save.

The tests talk to FakeClockify on 127.0.0.1 over real HTTP, through the dialog's
region_urls and client_factory injections; confirm and ask_passphrase are replaced, except
where the passphrase box itself is tested. The layout tests (issue 14: no text is ever cut
off) show the longest messages through scripted clients and stores, at 1x and 2x font size.
"""

from __future__ import annotations

import gc
import logging
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from conftest import TEST_KEY
from fake_clockify import FakeClockify
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QWidget,
)
from pytestqt.exceptions import TimeoutError as QtBotTimeout

from desktop.clockify import (
    REGIONS,
    ApiKey,
    ClockifyClient,
    Connection,
    CurrentUser,
    KeyRejectedError,
    NetworkError,
    RetryPolicy,
    Workspace,
)
from desktop.clockify.client import decode_json
from desktop.clockify.errors import server_text
from desktop.clockify.regions import region_from_address
from desktop.store import (
    FILE_NAME,
    CorruptStoreError,
    CredentialError,
    EncryptedFileStore,
    Forgotten,
    KeyringLockedError,
    KeyringUnavailableError,
    StoreWriteError,
    WrongPassphraseError,
    paths,
)
from desktop.ui.passphrase_dialog import PassphraseDialog, ask_passphrase
from desktop.ui.settings_dialog import CUSTOM, SettingsDialog
from desktop.ui.settings_dialog import TestResult as ProbeResult
from desktop.workers import JobRunner

PASSPHRASE = "correct horse battery staple"
FAST_RETRY = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02, max_total=0.1)


# -- fixtures and helpers ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def isolated_settings(isolated_home: Path) -> Path:
    """QSettings caches its folder once per process: point it at this test's config dir."""
    config = isolated_home / "config"
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(config))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(config))
    QSettings().clear()
    return config


_KEEP: list[Any] = []


@pytest.fixture(autouse=True)
def delete_qt_objects(qapp: QApplication) -> Iterator[None]:
    """Keep this test's dialogs and runner alive, then delete them on the GUI thread.

    qtbot only holds widgets weakly: a dialog left to the garbage collector may be
    destroyed by a collection that happens to run on a worker thread, which crashes Qt.
    """
    yield
    for obj in reversed(_KEEP):
        if shiboken6.isValid(obj):
            shiboken6.delete(obj)
    _KEEP.clear()
    gc.collect()


@pytest.fixture
def runner(qapp: QApplication) -> Iterator[JobRunner]:
    job_runner = JobRunner(max_workers=4)
    _KEEP.append(job_runner)
    yield job_runner
    assert job_runner.wait_idle(10)
    QCoreApplication.processEvents()
    job_runner.shutdown()


def fast_client(connection: Connection, key: ApiKey) -> ClockifyClient:
    return ClockifyClient(connection, key, timeout=(2.0, 2.0), retry=FAST_RETRY)


def make_dialog(
    qtbot: Any,
    runner: JobRunner,
    base_url: str,
    *,
    region_urls: dict[str, str] | None = None,
    client_factory: Any = fast_client,
    connection: Connection | None = None,
) -> SettingsDialog:
    """A dialog on the custom URL `base_url` (or on `connection`), shown, boxes replaced.

    The panel uses that same connection (Disconnect acts on it).
    """
    shown = connection or Connection.for_base_url(base_url)
    dialog = SettingsDialog(
        runner,
        shown,
        in_use=shown,
        client_factory=client_factory,
        region_urls=region_urls,
    )
    qtbot.addWidget(dialog)
    _KEEP.append(dialog)
    dialog.confirm = lambda _question: pytest.fail("unexpected confirmation box")
    dialog.ask_passphrase = lambda _creating, _reason: pytest.fail("unexpected passphrase box")
    dialog.show()
    return dialog


def run_test(qtbot: Any, dialog: SettingsDialog, runner: JobRunner, timeout: int = 8000) -> str:
    dialog.test_button.click()
    assert dialog.busy
    qtbot.waitUntil(lambda: not dialog.busy, timeout=timeout)
    assert runner.wait_idle(5)
    return dialog.result_label.text()


def user_calls(server: FakeClockify) -> int:
    return sum(1 for r in server.requests if r.path.endswith("/user"))


def refused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def files_containing(root: Path, needle: str) -> list[Path]:
    data = needle.encode()
    return [p for p in root.rglob("*") if p.is_file() and data in p.read_bytes()]


@pytest.fixture
def other_server() -> Iterator[FakeClockify]:
    """A second Clockify "region" that knows TEST_KEY; the fake_server fixture's twin."""
    with FakeClockify.with_sample_data(api_key=TEST_KEY) as server:
        yield server


@pytest.fixture
def stranger_server() -> Iterator[FakeClockify]:
    """A region that does not know TEST_KEY."""
    with FakeClockify.with_sample_data(api_key="some-other-key-00000000000000000000") as server:
        yield server


# -- test connection: success and each failure -------------------------------------------------


def test_success_names_the_user_and_the_workspaces(
    qtbot: Any, runner: JobRunner, fake_server: FakeClockify
) -> None:
    dialog = make_dialog(qtbot, runner, fake_server.base_url)
    assert dialog.region_combo.currentData() == CUSTOM
    dialog.key_edit.setText(TEST_KEY)
    text = run_test(qtbot, dialog, runner)
    assert text == (
        "Connected as Alice Admin (alice@acme.example): 2 workspaces: Acme Ltd, Side Project."
    )
    assert dialog.save_anyway_button.isHidden()
    assert dialog.test_button.text() == "&Test connection"


def test_success_through_a_region(qtbot: Any, runner: JobRunner, fake_server: FakeClockify) -> None:
    urls = dict.fromkeys(REGIONS, fake_server.base_url)
    dialog = make_dialog(
        qtbot, runner, "", region_urls=urls, connection=Connection.for_region("global")
    )
    assert dialog.region_combo.currentData() == "global"
    dialog.key_edit.setText(TEST_KEY)
    assert "Connected as Alice Admin" in run_test(qtbot, dialog, runner)


def test_key_rejected_mentions_region_and_regeneration(
    qtbot: Any, runner: JobRunner, stranger_server: FakeClockify
) -> None:
    dialog = make_dialog(qtbot, runner, stranger_server.base_url)
    dialog.key_edit.setText(TEST_KEY)
    text = run_test(qtbot, dialog, runner)
    assert text.startswith("Clockify rejected the API key at 127.0.0.1:")
    assert "region" in text
    assert "regenerated" in text
    assert TEST_KEY not in text
    assert not dialog.save_anyway_button.isHidden()
    # A custom URL has no other regions to try.
    assert dialog.try_regions_button.isHidden()


def test_wrong_region_is_found_and_used(
    qtbot: Any,
    runner: JobRunner,
    stranger_server: FakeClockify,
    other_server: FakeClockify,
) -> None:
    urls = dict.fromkeys(REGIONS, stranger_server.base_url)
    urls["eu"] = other_server.base_url
    dialog = make_dialog(
        qtbot, runner, "", region_urls=urls, connection=Connection.for_region("global")
    )
    dialog.key_edit.setText(TEST_KEY)
    assert "rejected" in run_test(qtbot, dialog, runner)
    assert not dialog.try_regions_button.isHidden()

    dialog.try_regions_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=8000)
    assert dialog.result_label.text() == (
        "The key works in the EU (Germany) region, not in the one chosen."
    )
    assert not dialog.use_region_button.isHidden()
    assert dialog.try_regions_button.isHidden()

    dialog.use_region_button.click()
    assert dialog.region_combo.currentData() == "eu"
    qtbot.waitUntil(lambda: not dialog.busy, timeout=8000)
    assert dialog.result_label.text().startswith("Connected as Alice Admin")
    assert "EU (Germany)" in dialog.region_note.text()
    # Bounded: never more than one GET /user per region, in all.
    total = user_calls(stranger_server) + user_calls(other_server)
    assert total <= len(REGIONS)
    assert user_calls(stranger_server) == 1  # only the first test; EU answered first
    assert runner.wait_idle(5)


def test_no_other_region_accepts_the_key(
    qtbot: Any, runner: JobRunner, stranger_server: FakeClockify
) -> None:
    urls = dict.fromkeys(REGIONS, stranger_server.base_url)
    dialog = make_dialog(
        qtbot, runner, "", region_urls=urls, connection=Connection.for_region("eu")
    )
    dialog.key_edit.setText(TEST_KEY)
    run_test(qtbot, dialog, runner)
    dialog.try_regions_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=8000)
    assert dialog.result_label.text().startswith("No other region accepts this key")
    assert dialog.use_region_button.isHidden()
    assert user_calls(stranger_server) == len(REGIONS)
    assert runner.wait_idle(5)


def test_no_connection_names_the_host(qtbot: Any, runner: JobRunner) -> None:
    port = refused_port()
    dialog = make_dialog(qtbot, runner, f"http://127.0.0.1:{port}")
    dialog.key_edit.setText(TEST_KEY)
    text = run_test(qtbot, dialog, runner)
    assert text == f"No connection: 127.0.0.1:{port} refused the connection."


def test_timeout_names_the_host(qtbot: Any, runner: JobRunner, fake_server: FakeClockify) -> None:
    fake_server.stall = 5.0

    def slow_client(connection: Connection, key: ApiKey) -> ClockifyClient:
        return ClockifyClient(connection, key, timeout=(0.5, 0.5), retry=FAST_RETRY)

    dialog = make_dialog(qtbot, runner, fake_server.base_url, client_factory=slow_client)
    dialog.key_edit.setText(TEST_KEY)
    text = run_test(qtbot, dialog, runner)
    host = Connection.for_base_url(fake_server.base_url).host
    assert text.startswith(f"Connection timeout: {host} did not answer within 0.5 s.")
    fake_server.stop()  # wakes the stalled handler at once


def test_rate_limited(qtbot: Any, runner: JobRunner, fake_server: FakeClockify) -> None:
    fake_server.rate_limit_first = 100
    dialog = make_dialog(qtbot, runner, fake_server.base_url)
    dialog.key_edit.setText(TEST_KEY)
    text = run_test(qtbot, dialog, runner)
    assert text.startswith("Rate limited:")
    assert "429" in text
    assert user_calls(fake_server) == FAST_RETRY.attempts


def test_server_error(qtbot: Any, runner: JobRunner, fake_server: FakeClockify) -> None:
    fake_server.server_error_first = 100
    dialog = make_dialog(qtbot, runner, fake_server.base_url)
    dialog.key_edit.setText(TEST_KEY)
    text = run_test(qtbot, dialog, runner)
    assert text.startswith("Clockify server error:")
    assert "503" in text


def test_not_a_clockify_server(qtbot: Any, runner: JobRunner, fake_server: FakeClockify) -> None:
    fake_server.malformed = "html"
    dialog = make_dialog(qtbot, runner, fake_server.base_url)
    dialog.key_edit.setText(TEST_KEY)
    text = run_test(qtbot, dialog, runner)
    assert "Is this a Clockify server?" in text
    assert not text.startswith("Connected")


def test_user_fine_but_workspace_list_broken_is_not_success(
    qtbot: Any, runner: JobRunner, fake_server: FakeClockify
) -> None:
    fake_server.malformed = "bad-json"
    fake_server.malformed_paths = ("/workspaces",)
    dialog = make_dialog(qtbot, runner, fake_server.base_url)
    dialog.key_edit.setText(TEST_KEY)
    text = run_test(qtbot, dialog, runner)
    assert "/workspaces" in text
    assert "not valid JSON" in text
    assert not text.startswith("Connected")


def test_the_failure_messages_all_differ(
    qtbot: Any, runner: JobRunner, fake_server: FakeClockify
) -> None:
    dialog = make_dialog(qtbot, runner, fake_server.base_url)
    dialog.key_edit.setText(TEST_KEY)
    seen = {}
    for knob, value in (
        ("rate_limit_first", 2),
        ("server_error_first", 2),
        ("malformed", "html"),
    ):
        setattr(fake_server, knob, value)
        seen[knob] = run_test(qtbot, dialog, runner)
        fake_server.malformed = None
    seen["ok"] = run_test(qtbot, dialog, runner)
    fake_server.api_keys = {}
    seen["rejected"] = run_test(qtbot, dialog, runner)
    assert len(set(seen.values())) == len(seen), seen


def test_plain_http_to_a_remote_host_is_refused_without_a_request(
    qtbot: Any, runner: JobRunner, fake_server: FakeClockify
) -> None:
    made: list[Connection] = []

    def recording_client(connection: Connection, key: ApiKey) -> ClockifyClient:
        made.append(connection)
        return fast_client(connection, key)

    dialog = make_dialog(qtbot, runner, fake_server.base_url, client_factory=recording_client)
    dialog.key_edit.setText(TEST_KEY)
    dialog.url_edit.setText("http://clockify.example.com/api/v1")
    dialog.test_button.click()
    assert not dialog.busy
    text = dialog.result_label.text()
    assert text.startswith("Refusing plain http to clockify.example.com")
    assert "https" in text
    dialog.save_button.click()
    assert not dialog.busy
    assert text == dialog.result_label.text()
    assert made == []
    assert fake_server.requests == []


def test_empty_key_asks_for_one(qtbot: Any, runner: JobRunner, fake_server: FakeClockify) -> None:
    dialog = make_dialog(qtbot, runner, fake_server.base_url)
    dialog.test_button.click()
    assert not dialog.busy
    assert dialog.result_label.text().startswith("Enter your API key first")
    assert fake_server.requests == []


# -- malformed input never crashes ------------------------------------------------------------

MALFORMED_URLS = [
    "https://[::1",
    "https://a..b.com",
    "https://clockify.example.com:99999",
    "https://clockify.example.com/api/v1?workspace=1",
    "https://clockify.example.com/api/v1#top",
    "https://" + "a" * 64 + ".example.com",
]


def _recording(made: list[Connection]) -> Any:
    def factory(connection: Connection, key: ApiKey) -> ClockifyClient:
        made.append(connection)
        return fast_client(connection, key)

    return factory


@pytest.mark.parametrize(
    "url",
    MALFORMED_URLS,
    ids=["open-bracket", "empty-label", "port", "query", "fragment", "long-label"],
)
@pytest.mark.parametrize("typed", [True, False], ids=["typed", "pasted"])
def test_a_malformed_custom_url_is_a_message_in_the_dialog(
    qtbot: Any, runner: JobRunner, monkeypatch: pytest.MonkeyPatch, url: str, typed: bool
) -> None:
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    made: list[Connection] = []
    dialog = make_dialog(
        qtbot,
        runner,
        "",
        connection=Connection.for_region("global"),
        client_factory=_recording(made),
    )
    dialog.region_combo.setCurrentIndex(dialog.region_combo.findData(CUSTOM))
    dialog.key_edit.setText(TEST_KEY)
    if typed:
        QTest.keyClicks(dialog.url_edit, url)
    else:
        QGuiApplication.clipboard().setText(url)
        dialog.url_edit.paste()
    assert dialog.url_edit.text() == url
    for button in (dialog.test_button, dialog.save_button):
        button.click()
        assert not dialog.busy
        text = dialog.result_label.text()
        assert text.startswith("The custom base URL"), text
        assert text.endswith("."), text
        assert dialog.isVisible()
    assert made == []  # no request was even prepared
    assert runner.wait_idle(5)
    assert not _credentials_file().exists()


def test_a_value_error_from_the_url_parser_is_still_a_message(
    qtbot: Any, runner: JobRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: whatever the parser underneath raises, the dialog says so."""

    def parser_error(_url: str) -> Connection:
        raise ValueError("Invalid IPv6 URL")

    monkeypatch.setattr(Connection, "for_base_url", parser_error)
    made: list[Connection] = []
    dialog = make_dialog(
        qtbot,
        runner,
        "",
        connection=Connection.for_region("global"),
        client_factory=_recording(made),
    )
    dialog.region_combo.setCurrentIndex(dialog.region_combo.findData(CUSTOM))
    dialog.url_edit.setText("https://[::1")
    dialog.key_edit.setText(TEST_KEY)
    dialog.test_button.click()
    assert not dialog.busy
    assert dialog.result_label.text() == (
        "The custom base URL is not valid: it should look like https://clockify.example.com/api/v1."
    )
    assert made == []


@pytest.mark.parametrize(
    "key",
    [
        "\u043a\u043b\u044e\u0447-0123456789abcdef",  # Cyrillic, from a translated page
        "0123456789\x07abcdef",  # a control character
        "0123456789\u200babcdef",  # a zero-width space from a formatted document
        "0123\n4567",  # two lines
        "k" * 300,  # a paste gone wrong
    ],
    ids=["cyrillic", "control", "zero-width", "two-lines", "too-long"],
)
def test_an_unusable_pasted_key_is_a_message_in_the_dialog(
    qtbot: Any,
    runner: JobRunner,
    fake_server: FakeClockify,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    key: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    made: list[Connection] = []
    dialog = make_dialog(qtbot, runner, fake_server.base_url, client_factory=_recording(made))
    QGuiApplication.clipboard().setText(key)
    dialog.key_edit.paste()
    assert dialog.key_edit.text() == key
    for button in (dialog.test_button, dialog.save_button):
        button.click()
        assert not dialog.busy
        text = dialog.result_label.text()
        assert text.startswith("This API key cannot be used: the API key "), text
        assert key.strip() not in text  # the message describes the key, never repeats it
    assert made == []
    assert fake_server.requests == []
    assert runner.wait_idle(5)
    assert not _credentials_file().exists()
    assert key.strip() not in caplog.text


# -- never freezes ----------------------------------------------------------------------------


def test_dialog_stays_responsive_and_cancel_works(
    qtbot: Any, runner: JobRunner, fake_server: FakeClockify
) -> None:
    fake_server.stall = 5.0
    dialog = make_dialog(qtbot, runner, fake_server.base_url)
    dialog.key_edit.setText(TEST_KEY)
    dialog.test_button.click()
    assert dialog.busy
    assert dialog.test_button.text() == "&Cancel test"
    qtbot.waitUntil(lambda: len(fake_server.requests) == 1, timeout=3000)

    fired: list[bool] = []
    QTimer.singleShot(50, lambda: fired.append(True))
    qtbot.waitUntil(lambda: bool(fired), timeout=1000)
    dialog.key_edit.setFocus()
    QTest.keyClicks(dialog.key_edit, "xyz")
    assert dialog.key_edit.text() == TEST_KEY + "xyz"
    assert dialog.busy

    dialog.test_button.click()  # Cancel
    assert not dialog.busy
    assert dialog.result_label.text() == "Cancelled."
    assert dialog.test_button.text() == "&Test connection"
    assert dialog.save_button.isEnabled()
    fake_server.stop()  # the stalled answer comes now, and nobody is waiting for it
    assert runner.wait_idle(5)
    QCoreApplication.processEvents()
    assert dialog.result_label.text() == "Cancelled."


def test_closing_mid_test_leaves_no_handler_behind(
    qtbot: Any, runner: JobRunner, fake_server: FakeClockify
) -> None:
    fake_server.stall = 0.5
    connection = Connection.for_base_url(fake_server.base_url)
    dialog = SettingsDialog(runner, connection, in_use=connection, client_factory=fast_client)
    dialog.show()
    dialog.key_edit.setText(TEST_KEY)
    dialog.test_button.click()
    assert dialog.busy
    qtbot.waitUntil(lambda: len(fake_server.requests) == 1, timeout=3000)
    dialog.close()
    dialog.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
    with pytest.raises(RuntimeError):
        dialog.result_label.text()  # really gone
    # The server answers now; the result must be dropped, not delivered to a dead widget.
    assert runner.wait_idle(5)
    QCoreApplication.processEvents()
    QCoreApplication.processEvents()
    assert fake_server.requests[-1].path.endswith(("/user", "/workspaces"))


# -- region help ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "region"),
    [
        ("https://euc1.clockify.me/tracker", "eu"),
        ("https://app.clockify.me/tracker", "global"),
        ("https://app.clockify.me/workspaces/64b0a0000000000000000001/settings", "global"),
        ("acme.clockify.me", "global"),
        ("https://use2.clockify.me/reports/summary", "usa"),
        ("euw2.clockify.me/tracker", "uk"),
        ("https://apse2.clockify.me/", "au"),
        ("https://clockify.me", "global"),
    ],
)
def test_region_from_address(address: str, region: str) -> None:
    assert region_from_address(address) == region


@pytest.mark.parametrize(
    "text",
    [TEST_KEY, "", "https://example.com/tracker", "https://clockify.me.evil.example/", "a b"],
)
def test_region_from_address_ignores_other_text(text: str) -> None:
    assert region_from_address(text) is None


@pytest.mark.parametrize("field", ["key_edit", "url_edit"])
def test_pasting_an_address_selects_the_region_and_is_not_kept(
    qtbot: Any, runner: JobRunner, field: str
) -> None:
    dialog = make_dialog(qtbot, runner, "", connection=Connection.for_region("global"))
    edit: QLineEdit = getattr(dialog, field)
    if field == "url_edit":
        dialog.region_combo.setCurrentIndex(dialog.region_combo.findData(CUSTOM))
    edit.setText("https://euc1.clockify.me/tracker")
    assert dialog.region_combo.currentData() == "eu"
    assert edit.text() == ""
    assert "EU (Germany)" in dialog.region_note.text()
    assert dialog.key_edit.text() == ""
    with pytest.raises(Exception, match="Enter your API key"):
        dialog.api_key()


# -- save -------------------------------------------------------------------------------------


def _credentials_file() -> Path:
    return paths.data_dir() / FILE_NAME


def _stored_key(connection: Connection) -> ApiKey | None:
    return EncryptedFileStore(_credentials_file(), lambda _creating: PASSPHRASE).get_api_key(
        connection
    )


def _assert_key_only_in_the_store(home: Path, caplog: pytest.LogCaptureFixture) -> None:
    QSettings().sync()
    assert files_containing(home, TEST_KEY) == []
    assert TEST_KEY not in caplog.text
    assert _credentials_file().is_file()


@pytest.mark.parametrize("mode", ["file", "auto"])
def test_save_after_a_test_stores_the_key_in_the_store_only(
    qtbot: Any,
    runner: JobRunner,
    fake_server: FakeClockify,
    monkeypatch: pytest.MonkeyPatch,
    isolated_home: Path,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    """Mode file forces the encrypted file; auto falls back to it from keyring's fail backend."""
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", mode)
    asked: list[bool] = []
    dialog = make_dialog(qtbot, runner, fake_server.base_url)

    def ask(creating: bool, _reason: str) -> str:
        asked.append(creating)
        return PASSPHRASE

    dialog.ask_passphrase = ask
    dialog.key_edit.setText(TEST_KEY)
    assert run_test(qtbot, dialog, runner).startswith("Connected")
    requests_before = len(fake_server.requests)
    with qtbot.waitSignal(dialog.saved, timeout=8000) as saved:
        dialog.save_button.click()
    connection, key = saved.args
    assert connection == Connection.for_base_url(fake_server.base_url)
    assert key == ApiKey(TEST_KEY)
    assert len(fake_server.requests) == requests_before  # tested already: no second test
    assert asked == [True]  # creating the file: the box asks twice
    assert dialog.passphrase == PASSPHRASE
    assert not dialog.isVisible()
    assert runner.wait_idle(5)
    assert _stored_key(connection) == ApiKey(TEST_KEY)
    _assert_key_only_in_the_store(isolated_home, caplog)


def test_keyring_required_but_failing_stores_nothing(
    qtbot: Any, runner: JobRunner, fake_server: FakeClockify, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "keyring")
    dialog = make_dialog(qtbot, runner, fake_server.base_url)
    dialog.key_edit.setText(TEST_KEY)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "keyring" in dialog.result_label.text(), timeout=8000)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=8000)
    assert dialog.result_label.text().startswith("CLOCKIFY_PANEL_CREDENTIALS=keyring")
    assert dialog.isVisible()
    assert not _credentials_file().exists()


def test_save_without_a_test_tests_first(
    qtbot: Any,
    runner: JobRunner,
    fake_server: FakeClockify,
    monkeypatch: pytest.MonkeyPatch,
    isolated_home: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    dialog = make_dialog(qtbot, runner, fake_server.base_url)
    dialog.ask_passphrase = lambda _creating, _reason: PASSPHRASE
    dialog.key_edit.setText(TEST_KEY)
    with qtbot.waitSignal(dialog.saved, timeout=8000):
        dialog.save_button.click()
    assert user_calls(fake_server) == 1
    assert runner.wait_idle(5)
    assert _stored_key(Connection.for_base_url(fake_server.base_url)) == ApiKey(TEST_KEY)
    _assert_key_only_in_the_store(isolated_home, caplog)


def test_failed_test_offers_save_anyway(
    qtbot: Any,
    runner: JobRunner,
    stranger_server: FakeClockify,
    monkeypatch: pytest.MonkeyPatch,
    isolated_home: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    dialog = make_dialog(qtbot, runner, stranger_server.base_url)
    dialog.ask_passphrase = lambda _creating, _reason: PASSPHRASE
    saved: list[object] = []
    dialog.saved.connect(lambda c, k: saved.append(k))
    dialog.key_edit.setText(TEST_KEY)
    assert dialog.save_anyway_button.isHidden()
    dialog.save_button.click()
    qtbot.waitUntil(lambda: not dialog.save_anyway_button.isHidden(), timeout=8000)
    assert "rejected" in dialog.result_label.text()
    assert saved == []
    assert dialog.isVisible()
    assert not _credentials_file().exists()

    with qtbot.waitSignal(dialog.saved, timeout=8000):
        dialog.save_anyway_button.click()
    assert saved == [ApiKey(TEST_KEY)]
    assert runner.wait_idle(5)
    assert _stored_key(Connection.for_base_url(stranger_server.base_url)) == ApiKey(TEST_KEY)
    _assert_key_only_in_the_store(isolated_home, caplog)


def test_declined_passphrase_stores_nothing(
    qtbot: Any, runner: JobRunner, fake_server: FakeClockify, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    dialog = make_dialog(qtbot, runner, fake_server.base_url)
    dialog.ask_passphrase = lambda _creating, _reason: None
    dialog.key_edit.setText(TEST_KEY)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "Nothing was stored" in dialog.result_label.text(), timeout=8000)
    assert dialog.isVisible()
    assert not _credentials_file().exists()


# -- disconnect -------------------------------------------------------------------------------


def _store_key(connection: Connection) -> None:
    EncryptedFileStore(_credentials_file(), lambda _creating: PASSPHRASE).set_api_key(
        connection, ApiKey(TEST_KEY)
    )


def test_disconnect_removes_the_stored_key(
    qtbot: Any, runner: JobRunner, fake_server: FakeClockify, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    connection = Connection.for_base_url(fake_server.base_url)
    _store_key(connection)
    dialog = make_dialog(qtbot, runner, fake_server.base_url)
    questions: list[str] = []
    asked: list[bool] = []
    dialog.confirm = lambda question: questions.append(question) or True

    def ask(creating: bool, _reason: str) -> str:
        asked.append(creating)
        return PASSPHRASE

    dialog.ask_passphrase = ask
    with qtbot.waitSignal(dialog.disconnected, timeout=8000) as signal:
        dialog.disconnect_button.click()
    assert signal.args == [connection, Forgotten(api_key=True, cached_data=False)]
    assert questions == [  # Disconnect is Remove... of the selected account (issue 20)
        f"Remove the account {connection.host}? Its stored API key, cached data and request "
        "counts are removed from this computer."
    ]
    assert asked == [False]  # opening the existing file
    assert not dialog.isVisible()
    assert runner.wait_idle(5)
    assert _stored_key(connection) is None
    assert fake_server.requests == []


def test_disconnect_acts_on_the_selected_account_not_the_address_in_the_form(
    qtbot: Any, runner: JobRunner, fake_server: FakeClockify, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    in_use = Connection.for_base_url(fake_server.base_url)
    other = Connection.for_region("eu")
    _store_key(in_use)
    _store_key(other)
    dialog = make_dialog(qtbot, runner, fake_server.base_url)
    dialog.ask_passphrase = lambda _creating, _reason: PASSPHRASE
    questions: list[str] = []
    dialog.confirm = lambda question: questions.append(question) or True
    dialog.region_combo.setCurrentIndex(dialog.region_combo.findData("eu"))
    assert dialog.connection() == other
    with qtbot.waitSignal(dialog.disconnected, timeout=8000) as signal:
        dialog.disconnect_button.click()
    assert signal.args[0] == in_use
    assert questions[0].startswith(f"Remove the account {in_use.host}?")
    assert runner.wait_idle(5)
    assert _stored_key(in_use) is None
    assert _stored_key(other) == ApiKey(TEST_KEY)


def test_without_a_connection_in_use_remove_acts_on_the_selected_account(
    qtbot: Any, runner: JobRunner
) -> None:
    """Issue 20: Disconnect became Remove... of the selected account, in use or not."""
    dialog = SettingsDialog(runner, Connection.for_region("global"), in_use=None)
    qtbot.addWidget(dialog)
    _KEEP.append(dialog)
    dialog.confirm = lambda _question: False
    dialog.show()
    assert dialog.disconnect_button is dialog.remove_button
    assert dialog.disconnect_button.isEnabled()
    assert dialog.disconnect_button.toolTip().startswith("Remove the selected account")
    dialog.key_edit.setText(TEST_KEY)
    dialog.url_edit.setText("http://clockify.example.com")  # refused: nothing runs
    dialog.region_combo.setCurrentIndex(dialog.region_combo.findData(CUSTOM))
    dialog.test_button.click()
    assert not dialog.busy
    assert dialog.disconnect_button.isEnabled()
    dialog.disconnect_button.click()  # declined: nothing runs
    assert not dialog.busy


def test_a_declined_passphrase_removes_nothing(
    qtbot: Any, runner: JobRunner, fake_server: FakeClockify, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    connection = Connection.for_base_url(fake_server.base_url)
    _store_key(connection)
    dialog = make_dialog(qtbot, runner, fake_server.base_url)
    dialog.confirm = lambda _question: True
    asked: list[bool] = []
    dialog.ask_passphrase = lambda creating, _reason: asked.append(creating) and None
    dialog.disconnect_button.click()
    qtbot.waitUntil(lambda: bool(asked), timeout=8000)
    assert asked == [False]
    assert dialog.result_label.text() == (
        "The key file's passphrase is needed to remove the key. Nothing was removed."
    )
    assert dialog.isVisible()
    assert _stored_key(connection) == ApiKey(TEST_KEY)


def test_disconnect_declined_does_nothing(
    qtbot: Any, runner: JobRunner, fake_server: FakeClockify, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    connection = Connection.for_base_url(fake_server.base_url)
    _store_key(connection)
    dialog = make_dialog(qtbot, runner, fake_server.base_url)
    dialog.confirm = lambda _question: False
    gone: list[object] = []
    dialog.disconnected.connect(gone.append)
    dialog.disconnect_button.click()
    assert not dialog.busy
    assert runner.wait_idle(5)
    QCoreApplication.processEvents()
    assert gone == []
    assert dialog.isVisible()
    assert _stored_key(connection) == ApiKey(TEST_KEY)


# -- the key file's passphrase ----------------------------------------------------------------


def passphrase_dialog(qtbot: Any, creating: bool) -> PassphraseDialog:
    dialog = PassphraseDialog(None, creating)
    qtbot.addWidget(dialog)
    _KEEP.append(dialog)
    dialog.show()
    return dialog


def test_a_new_passphrase_is_typed_twice_in_one_dialog_and_checked(qtbot: Any) -> None:
    dialog = passphrase_dialog(qtbot, creating=True)
    assert dialog.second_edit.isVisible()
    assert dialog.first_edit.echoMode() is QLineEdit.EchoMode.Password
    assert dialog.second_edit.echoMode() is QLineEdit.EchoMode.Password
    assert not dialog.ok_button.isEnabled()
    assert dialog.problem_label.text() == ""  # nothing typed is not a mistake yet

    steps = [
        ("x", "x", "The passphrase is too short; choose one of at least 8 characters."),
        ("seven77", "seven77", "The passphrase is too short; choose one of at least 8 characters."),
        (PASSPHRASE, "", "Type the same passphrase again in the second field."),
        (PASSPHRASE, PASSPHRASE + "!", "The two passphrases differ."),
    ]
    for first, second, problem in steps:
        dialog.first_edit.setText(first)
        dialog.second_edit.setText(second)
        assert not dialog.ok_button.isEnabled(), first
        assert dialog.problem_label.text() == problem
        assert dialog.passphrase() is None
        QTest.keyClick(dialog.second_edit, Qt.Key.Key_Return)  # Enter does not get past it
        assert dialog.isVisible()

    dialog.second_edit.setText(PASSPHRASE)
    assert dialog.ok_button.isEnabled()
    assert dialog.problem_label.text() == ""
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.passphrase() == PASSPHRASE


def test_an_existing_file_asks_its_passphrase_once(qtbot: Any) -> None:
    dialog = passphrase_dialog(qtbot, creating=False)
    assert not dialog.second_edit.isVisible()
    assert not dialog.ok_button.isEnabled()
    dialog.first_edit.setText("x")  # a file made before the rule still opens
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    assert dialog.passphrase() == "x"


def answer_passphrase_box(typed: tuple[str, ...] | None, seen: list[bool]) -> None:
    """When a PassphraseDialog is shown (modal), type `typed` into it and press OK.

    None presses Cancel. `seen` gets the box's `creating` flag.
    """

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, PassphraseDialog):
            QTimer.singleShot(10, answer)  # not shown yet
            return
        seen.append(box.creating)
        if typed is None:
            box.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
            return
        for edit, text in zip((box.first_edit, box.second_edit), typed, strict=False):
            edit.setText(text)
        box.ok_button.click()

    QTimer.singleShot(0, answer)


@pytest.mark.parametrize(
    ("creating", "typed", "expected"),
    [
        (True, (PASSPHRASE, PASSPHRASE), PASSPHRASE),
        (False, ("old",), "old"),
        (True, None, None),
    ],
    ids=["new", "existing", "cancelled"],
)
def test_ask_passphrase_returns_what_the_box_accepted(
    qtbot: Any, creating: bool, typed: tuple[str, ...] | None, expected: str | None
) -> None:
    seen: list[bool] = []
    answer_passphrase_box(typed, seen)
    assert ask_passphrase(None, creating) == expected
    assert seen == [creating]


def test_saving_into_a_new_key_file_asks_a_checked_passphrase_twice(
    qtbot: Any, runner: JobRunner, fake_server: FakeClockify, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real box, end to end: the key file is created with the passphrase typed twice."""
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    dialog = make_dialog(qtbot, runner, fake_server.base_url)
    dialog.ask_passphrase = dialog._passphrase_with_box  # the default: the real box
    dialog.key_edit.setText(TEST_KEY)
    seen: list[bool] = []
    answer_passphrase_box((PASSPHRASE, PASSPHRASE), seen)
    with qtbot.waitSignal(dialog.saved, timeout=15000):
        dialog.save_button.click()  # tests the key, then stores it: the box comes then
    assert seen == [True]
    assert runner.wait_idle(5)
    assert _stored_key(Connection.for_base_url(fake_server.base_url)) == ApiKey(TEST_KEY)


# -- show / hide ------------------------------------------------------------------------------


def test_show_toggle_flips_the_echo_mode(qtbot: Any, runner: JobRunner) -> None:
    dialog = make_dialog(qtbot, runner, "", connection=Connection.for_region("global"))
    assert dialog.key_edit.echoMode() is QLineEdit.EchoMode.Password
    dialog.show_key.click()
    assert dialog.key_edit.echoMode() is QLineEdit.EchoMode.Normal
    dialog.show_key.click()
    assert dialog.key_edit.echoMode() is QLineEdit.EchoMode.Password


# -- nothing is cut off (issue 14) -------------------------------------------------------------

#: About the longest host name there can be: three 63-letter labels and no place to wrap.
LONG_HOST = ".".join(["a" * 63, "b" * 63, "c" * 63]) + ".example"
LONG_NAME = "Maximiliana Theodora Konstantinopoulou-Vandenberghe de la Fuente y Ortega"
LONG_EMAIL = "maximiliana.theodora.konstantinopoulou-vandenberghe@subsidiary.example.com"
LONG_SERVER_MESSAGE = (
    "The API key you sent does not exist, was revoked by a workspace owner, or belongs to "
    "a workspace in another data region; please generate a new key in your profile. "
) * 5


@pytest.fixture(params=[1, 2], ids=["1x", "2x"])
def font_scale(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[int]:
    """The application's font at 1x and 2x its point size; restored afterwards."""
    original = QApplication.font()
    assert original.pointSizeF() > 0
    scaled = QFont(original)
    scaled.setPointSizeF(original.pointSizeF() * request.param)
    QApplication.setFont(scaled)
    try:
        yield int(request.param)
    finally:
        QApplication.setFont(original)


def _scroll_area_of(widget: QWidget, window: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def cut_texts(window: QWidget) -> list[str]:
    """What is cut off in `window`, one line per visible label whose text does not fit.

    A label fits when it is as large as its text needs (its height for its width and its
    widest word, when it wraps; its size hint otherwise) and it lies inside the window, or
    in a scroll area inside the window whose scroll range reaches all of it. The window
    itself must fit the screen's available height.
    """
    problems = []
    bounds = window.rect()
    screen = window.screen()
    if screen is not None and window.height() > screen.availableGeometry().height():
        problems.append(f"the window is {window.height()} high, the screen {screen}")
    for label in window.findChildren(QLabel):
        if not label.isVisibleTo(window) or not label.text():
            continue
        name = repr(label.text()[:40])
        if label.wordWrap():
            width = label.minimumSizeHint().width()
            height = label.heightForWidth(label.width())
        else:
            width, height = label.sizeHint().width(), label.sizeHint().height()
        if label.width() < width or label.height() < height:
            problems.append(f"{name} is {label.width()}x{label.height()}, needs {width}x{height}")
        area = _scroll_area_of(label, window)
        shown: QWidget = area if area is not None else label
        where = QRect(shown.mapTo(window, QPoint(0, 0)), shown.size())
        if not bounds.contains(where):
            problems.append(f"{name} lies at {where}, outside the window's {bounds}")
        if area is not None:
            viewport = area.viewport().size()
            hidden_below = label.height() - viewport.height()
            hidden_right = label.width() - viewport.width()
            if (
                area.verticalScrollBar().maximum() < hidden_below
                or area.horizontalScrollBar().maximum() < hidden_right
            ):
                problems.append(f"{name} cannot be scrolled into view in {viewport}")
    return problems


def assert_nothing_cut(qtbot: Any, window: QWidget) -> None:
    """Wait until no text of `window` is cut off (it fits itself on the next event loop turn)."""
    problems: list[str] = []

    def fits() -> bool:
        problems[:] = cut_texts(window)
        return not problems

    try:
        qtbot.waitUntil(fits, timeout=3000)
    except QtBotTimeout:
        pytest.fail("cut off: " + "; ".join(problems))


def settled_height(window: QWidget) -> int:
    """The window's height once the layout changes already posted are handled."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    return window.height()


class ScriptedClient:
    """Stands in for ClockifyClient in the layout tests: answers as told, sends nothing."""

    def __init__(self, outcome: ProbeResult | BaseException) -> None:
        self.outcome = outcome

    def _result(self) -> ProbeResult:
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome

    def current_user(self) -> CurrentUser:
        return self._result().user

    def workspaces(self) -> list[Workspace]:
        return self._result().workspaces

    def close(self) -> None:
        pass


def sixty_workspaces() -> ProbeResult:
    """A user with a long name and e-mail who sees 60 workspaces with long names."""
    user = CurrentUser(
        id="64b0c0ffee00000000000001",
        name=LONG_NAME,
        email=LONG_EMAIL,
        active_workspace=None,
        default_workspace=None,
    )
    workspaces = [
        Workspace(id=f"64b0a00000000000000000{i:02}", name=f"Globex Corporation Europe, unit {i}")
        for i in range(60)
    ]
    return ProbeResult(user, workspaces)


def timeout_at_long_host() -> NetworkError:
    """The client's own timeout sentence, for the longest host."""
    connection = Connection.for_base_url(f"https://{LONG_HOST}/api/v1")
    client = ClockifyClient(connection, ApiKey(TEST_KEY), timeout=(30.0, 30.0))
    try:
        return client._timeout_error()
    finally:
        client.close()


def longest_test_failures() -> list[BaseException]:
    """The longest failure of each kind a connection test can end with."""
    try:
        decode_json(b'{"oops": [', f"{LONG_HOST} for /workspaces")
    except Exception as exc:  # UnexpectedResponseError, the text the client would show
        unexpected: BaseException = exc
    return [
        KeyRejectedError(LONG_HOST, server_text(LONG_SERVER_MESSAGE, TEST_KEY)),
        KeyRejectedError(LONG_HOST, server_text("x" * 1000, TEST_KEY)),  # one endless word
        timeout_at_long_host(),
        NetworkError(ClockifyClient._connection_failure(LONG_HOST, OSError("NameResolution"))),
        unexpected,
    ]


def longest_store_errors() -> list[CredentialError]:
    """The longest key-store error of each kind Save can end with."""
    path = _credentials_file()
    return [
        CorruptStoreError(path, "the decrypted content has the wrong shape"),
        StoreWriteError(
            f"Cannot write the key file {path}: No space left on device; the previous "
            "file, if any, is unchanged."
        ),
        KeyringUnavailableError(
            "The system keyring (SecretService Keyring) could not store the key: "
            "org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets "
            "was not provided by any .service files."
        ),
        KeyringLockedError(),
    ]


def raising(error: BaseException) -> Callable[[Any], Any]:
    """A store factory whose store fails with `error`."""

    def factory(_provider: Any) -> Any:
        raise error

    return factory


def scripted_dialog(
    qtbot: Any, runner: JobRunner, outcomes: dict[str | None, ProbeResult | BaseException]
) -> SettingsDialog:
    """A dialog on the Global region whose clients answer `outcomes[region]`, no network."""
    return make_dialog(
        qtbot,
        runner,
        "",
        region_urls=dict.fromkeys(REGIONS, "http://127.0.0.1:9/api/v1"),  # never asked
        connection=Connection.for_region("global"),
        client_factory=lambda connection, _key: ScriptedClient(outcomes[connection.region]),
    )


def test_no_message_of_the_dialog_is_cut_off(
    qtbot: Any, runner: JobRunner, font_scale: int
) -> None:
    """Issue 14: every message, at its longest, fits the dialog or scrolls in it (1x, 2x)."""
    outcomes: dict[str | None, ProbeResult | BaseException] = {}
    dialog = scripted_dialog(qtbot, runner, outcomes)
    dialog.key_edit.setText("https://euc1.clockify.me/tracker")  # a pasted address
    assert dialog.region_note.isVisible()
    dialog.key_edit.setText(TEST_KEY)
    assert_nothing_cut(qtbot, dialog)

    outcomes["eu"] = sixty_workspaces()
    text = run_test(qtbot, dialog, runner)
    assert text.startswith(f"Connected as {LONG_NAME} ({LONG_EMAIL}): 60 workspaces: ")
    assert text.endswith(", and 50 more.")
    assert_nothing_cut(qtbot, dialog)

    for error in longest_test_failures():
        outcomes["eu"] = error
        assert run_test(qtbot, dialog, runner).startswith(str(error))
        assert_nothing_cut(qtbot, dialog)

    # Every other region fails too, each with a long sentence: the longest message of all.
    outcomes.update(dict.fromkeys(REGIONS, timeout_at_long_host()))
    outcomes["eu"] = longest_test_failures()[0]
    run_test(qtbot, dialog, runner)
    dialog.try_regions_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=8000)
    text = dialog.result_label.text()
    assert text.startswith("No other region accepts this key either")
    assert text.count("did not answer within") == len(REGIONS) - 1
    assert_nothing_cut(qtbot, dialog)

    outcomes["eu"] = sixty_workspaces()
    run_test(qtbot, dialog, runner)  # tested: Save goes straight to the store
    for store_error in longest_store_errors():
        dialog.store_factory = raising(store_error)
        dialog.save_button.click()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=8000)
        assert dialog.result_label.text() == str(store_error)
        assert_nothing_cut(qtbot, dialog)

    wrong = WrongPassphraseError(_credentials_file())
    dialog.store_factory = raising(wrong)
    reasons: list[str] = []
    cut_behind_the_box: list[str] = []

    def ask(_creating: bool, reason: str) -> None:
        reasons.append(reason)
        if dialog.result_label.text() != reason:
            cut_behind_the_box.append("the result line does not say why")
        try:
            assert_nothing_cut(qtbot, dialog)
        except BaseException as exc:  # recorded, not raised into Qt
            cut_behind_the_box.append(str(exc))

    dialog.ask_passphrase = ask
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "Nothing was stored" in dialog.result_label.text(), timeout=8000)
    assert reasons == [str(wrong)]
    assert cut_behind_the_box == []
    assert_nothing_cut(qtbot, dialog)


@pytest.mark.parametrize("creating", [False, True], ids=["existing", "new"])
def test_the_passphrase_box_says_why_it_asks_again_and_cuts_nothing(
    qtbot: Any, font_scale: int, creating: bool
) -> None:
    reason = str(WrongPassphraseError(_credentials_file()))
    box = PassphraseDialog(None, creating, reason)
    qtbot.addWidget(box)
    _KEEP.append(box)
    box.show()
    assert box.reason_label.isVisible()
    assert box.reason_label.text() == reason
    assert box.reason_label.wordWrap()
    assert_nothing_cut(qtbot, box)
    if creating:  # each problem line under the fields
        for first, second in [
            ("x", ""),
            (PASSPHRASE, ""),
            (PASSPHRASE, PASSPHRASE + "!"),
        ]:
            box.first_edit.setText(first)
            box.second_edit.setText(second)
            assert box.problem_label.text()
            assert_nothing_cut(qtbot, box)


def test_the_dialog_follows_its_message_the_font_and_its_width(
    qtbot: Any, runner: JobRunner
) -> None:
    """Taller for a long message, a larger font or a narrower window; back for a short one."""
    outcomes: dict[str | None, ProbeResult | BaseException] = {"global": sixty_workspaces()}
    dialog = scripted_dialog(qtbot, runner, outcomes)

    def show_short_message() -> None:
        dialog.key_edit.clear()
        dialog.test_button.click()
        assert dialog.result_label.text() == "Enter your API key first."

    show_short_message()
    assert_nothing_cut(qtbot, dialog)
    width, short = dialog.width(), settled_height(dialog)

    dialog.key_edit.setText(TEST_KEY)
    assert run_test(qtbot, dialog, runner).startswith("Connected as")
    assert_nothing_cut(qtbot, dialog)
    tall = settled_height(dialog)
    assert tall > short
    # It fits in ten lines: no scroll bar (which would also wrap it into one line more).
    assert not dialog.result_area.verticalScrollBar().isVisible()
    assert dialog.result_label.width() == dialog.result_area.viewport().width()

    original = QApplication.font()
    doubled = QFont(original)
    doubled.setPointSizeF(original.pointSizeF() * 2)
    QApplication.setFont(doubled)  # while it is shown
    try:
        qtbot.waitUntil(lambda: dialog.result_label.font() == doubled, timeout=3000)
        assert_nothing_cut(qtbot, dialog)
        assert dialog.height() > tall
    finally:
        QApplication.setFont(original)
    qtbot.waitUntil(lambda: dialog.result_label.font() == original, timeout=3000)
    assert_nothing_cut(qtbot, dialog)
    dialog.resize(width, dialog.height())  # the larger font widened it
    qtbot.waitUntil(lambda: dialog.height() == tall, timeout=3000)

    dialog.resize(1, dialog.height())  # as narrow as it goes
    qtbot.waitUntil(lambda: dialog.width() < width, timeout=3000)
    assert_nothing_cut(qtbot, dialog)
    assert dialog.height() > tall
    dialog.resize(width, dialog.height())
    qtbot.waitUntil(lambda: dialog.height() == tall, timeout=3000)

    show_short_message()
    qtbot.waitUntil(lambda: dialog.height() == short, timeout=3000)  # shrinks back
    assert_nothing_cut(qtbot, dialog)

    dialog.resize(width, tall + 100)  # made taller by hand: it stays so
    qtbot.waitUntil(lambda: dialog.height() == tall + 100, timeout=3000)
    dialog.key_edit.setText(TEST_KEY)
    run_test(qtbot, dialog, runner)
    show_short_message()
    assert settled_height(dialog) == tall + 100
    assert_nothing_cut(qtbot, dialog)


def answer_boxes(answers: list[str], seen: list[tuple[bool, str, list[str]]]) -> None:
    """Answer each PassphraseDialog shown (modal) with the next of `answers`.

    `seen` gets each box's (reason shown, reason text, what is cut off in it), once nothing
    is cut off or after 3 s (each box fits itself on the next turn of the event loop).
    """
    tries: list[int] = [0]

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, PassphraseDialog):
            QTimer.singleShot(10, answer)  # not shown yet
            return
        problems = cut_texts(box)
        tries[0] += 1
        if problems and tries[0] < 300:
            QTimer.singleShot(10, answer)
            return
        tries[0] = 0
        try:
            seen.append((box.reason_area.isVisible(), box.reason_label.text(), problems))
            box.first_edit.setText(answers.pop(0))
            box.ok_button.click()
        finally:
            if box.isVisible():  # something went wrong: never leave a modal box open
                box.reject()
        if answers:
            QTimer.singleShot(0, answer)

    QTimer.singleShot(0, answer)


def test_saving_asks_again_with_the_reason_in_the_box(
    qtbot: Any, runner: JobRunner, fake_server: FakeClockify, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real box, end to end: a wrong passphrase is asked again, saying why, in the box."""
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    connection = Connection.for_base_url(fake_server.base_url)
    _store_key(connection)  # the key file exists: its passphrase is asked once per box
    dialog = make_dialog(qtbot, runner, fake_server.base_url)
    dialog.ask_passphrase = dialog._passphrase_with_box  # the default: the real box
    dialog.key_edit.setText(TEST_KEY)
    seen: list[tuple[bool, str, list[str]]] = []
    answer_boxes(["wrong passphrase", PASSPHRASE], seen)
    with qtbot.waitSignal(dialog.saved, timeout=20000):
        dialog.save_button.click()
    reason = str(WrongPassphraseError(_credentials_file()))
    assert seen == [(False, "", []), (True, reason, [])]
    assert runner.wait_idle(5)


def test_the_panel_start_asks_again_with_the_reason_in_the_box(
    qtbot: Any, fake_server: FakeClockify, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PanelSession at start: after a wrong passphrase the box says why, not only the status bar."""
    from desktop.ui.main_window import PanelWindow
    from desktop.ui.session import PanelSession

    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    monkeypatch.delenv("CLOCKIFY_PANEL_PASSPHRASE", raising=False)
    connection = Connection.for_base_url(fake_server.base_url)
    _store_key(connection)
    window = PanelWindow()
    qtbot.addWidget(window)
    _KEEP.append(window)
    session = PanelSession(window, client_factory=fast_client)
    assert session.ask_passphrase == session._ask_passphrase_with_box  # the real box
    seen: list[tuple[bool, str, list[str]]] = []
    answer_boxes(["wrong passphrase", PASSPHRASE], seen)
    try:
        session.start(connection, None)
        qtbot.waitUntil(lambda: window.connected, timeout=20000)
    finally:
        session._save_timer.stop()
        window.loader.cancel_all()
        assert window.runner.wait_idle(10)
        QCoreApplication.processEvents()
        window.close()
        window.runner.shutdown()
    reason = str(WrongPassphraseError(_credentials_file()))
    assert seen == [(False, "", []), (True, reason, [])]
