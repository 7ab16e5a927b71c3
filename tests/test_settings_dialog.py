"""The connect dialog (issue 5): a connection test that tells the truth, region help, save.

Every test talks to FakeClockify on 127.0.0.1 over real HTTP, through the dialog's
region_urls and client_factory injections; no modal box ever opens (confirm and
ask_passphrase are replaced).
"""

from __future__ import annotations

import gc
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from conftest import TEST_KEY
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLineEdit

from desktop import paths
from desktop.account import Forgotten
from desktop.clockify import REGIONS, ApiKey, ClockifyClient, Connection, RetryPolicy
from desktop.credentials import FILE_NAME, EncryptedFileStore
from desktop.fake.server import FakeClockify
from desktop.ui.settings_dialog import (
    CUSTOM,
    PassphraseDialog,
    SettingsDialog,
    ask_passphrase,
    region_from_address,
)
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
    dialog.ask_passphrase = lambda _creating: pytest.fail("unexpected passphrase box")
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
    server = FakeClockify.with_sample_data(api_key=TEST_KEY)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def stranger_server() -> Iterator[FakeClockify]:
    """A region that does not know TEST_KEY."""
    server = FakeClockify.with_sample_data(api_key="some-other-key-00000000000000000000")
    server.start()
    try:
        yield server
    finally:
        server.stop()


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

    def ask(creating: bool) -> str:
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
    dialog.ask_passphrase = lambda _creating: PASSPHRASE
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
    dialog.ask_passphrase = lambda _creating: PASSPHRASE
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
    dialog.ask_passphrase = lambda _creating: None
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

    def ask(creating: bool) -> str:
        asked.append(creating)
        return PASSPHRASE

    dialog.ask_passphrase = ask
    with qtbot.waitSignal(dialog.disconnected, timeout=8000) as signal:
        dialog.disconnect_button.click()
    assert signal.args == [connection, Forgotten(api_key=True, cached_data=False)]
    assert questions == [
        f"Disconnect the panel from {connection.label}? Its stored API key and cached data "
        "are removed from this computer."
    ]
    assert asked == [False]  # opening the existing file
    assert not dialog.isVisible()
    assert runner.wait_idle(5)
    assert _stored_key(connection) is None
    assert fake_server.requests == []


def test_disconnect_acts_on_the_connection_in_use_not_the_one_in_the_form(
    qtbot: Any, runner: JobRunner, fake_server: FakeClockify, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    in_use = Connection.for_base_url(fake_server.base_url)
    other = Connection.for_region("eu")
    _store_key(in_use)
    _store_key(other)
    dialog = make_dialog(qtbot, runner, fake_server.base_url)
    dialog.ask_passphrase = lambda _creating: PASSPHRASE
    questions: list[str] = []
    dialog.confirm = lambda question: questions.append(question) or True
    dialog.region_combo.setCurrentIndex(dialog.region_combo.findData("eu"))
    assert dialog.connection() == other
    with qtbot.waitSignal(dialog.disconnected, timeout=8000) as signal:
        dialog.disconnect_button.click()
    assert signal.args[0] == in_use
    assert questions[0].startswith(f"Disconnect the panel from {in_use.label}?")
    assert questions[0].endswith("(The form shows another connection; that one is left alone.)")
    assert runner.wait_idle(5)
    assert _stored_key(in_use) is None
    assert _stored_key(other) == ApiKey(TEST_KEY)


def test_without_a_connection_in_use_disconnect_is_off(qtbot: Any, runner: JobRunner) -> None:
    dialog = SettingsDialog(runner, Connection.for_region("global"), in_use=None)
    qtbot.addWidget(dialog)
    _KEEP.append(dialog)
    dialog.confirm = lambda _question: pytest.fail("unexpected confirmation box")
    dialog.show()
    assert not dialog.disconnect_button.isEnabled()
    assert dialog.disconnect_button.toolTip() == "The panel uses no connection."
    dialog.key_edit.setText(TEST_KEY)
    dialog.url_edit.setText("http://clockify.example.com")  # refused: nothing runs
    dialog.region_combo.setCurrentIndex(dialog.region_combo.findData(CUSTOM))
    dialog.test_button.click()
    assert not dialog.busy
    assert not dialog.disconnect_button.isEnabled()  # still off after a test ends


def test_a_declined_passphrase_removes_nothing(
    qtbot: Any, runner: JobRunner, fake_server: FakeClockify, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    connection = Connection.for_base_url(fake_server.base_url)
    _store_key(connection)
    dialog = make_dialog(qtbot, runner, fake_server.base_url)
    dialog.confirm = lambda _question: True
    asked: list[bool] = []
    dialog.ask_passphrase = lambda creating: asked.append(creating) and None
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
