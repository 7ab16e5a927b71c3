"""Connecting: the API key, the region, a connection test that tells the truth, and save."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.clockify import (
    REGIONS,
    ApiKey,
    Connection,
    CurrentUser,
    InvalidConnectionError,
    KeyRejectedError,
    Workspace,
)
from desktop.clockify.regions import probe_regions, region_from_address
from desktop.store import (
    CredentialError,
    CredentialStore,
    PassphraseRequiredError,
    WrongPassphraseError,
    account,
    open_credential_store,
)
from desktop.ui.connection_settings import (
    CUSTOM,
    ClientFactory,
    Docs101Factory,
    StoreFactory,
    app_settings,
    default_client,
    default_docs101_client,
)
from desktop.ui.fitting import FittingDialog, MessageArea, wrapped_label
from desktop.ui.language import LANGUAGE_KEY, saved_setting
from desktop.ui.loader import describe_error
from desktop.ui.passphrase_dialog import ask_passphrase
from desktop.workers import JobRunner

log = logging.getLogger(__name__)

#: The regions' labels (desktop.clockify's REGIONS, English), for lupdate: the dialog shows
#: them translated.
_REGION_LABELS = (
    QT_TRANSLATE_NOOP("SettingsDialog", "Global"),
    QT_TRANSLATE_NOOP("SettingsDialog", "EU (Germany)"),
    QT_TRANSLATE_NOOP("SettingsDialog", "USA"),
    QT_TRANSLATE_NOOP("SettingsDialog", "UK"),
    QT_TRANSLATE_NOOP("SettingsDialog", "Australia"),
)

#: Removes a connection's key, cache file and cache key (runs on a worker).
Forgetter = Callable[[CredentialStore, Connection], account.Forgotten]


def custom_connection(text: str) -> Connection:
    """The connection of a typed or pasted custom URL; InvalidConnectionError when malformed.

    Connection.for_base_url says what is wrong in one sentence; a ValueError from the URL
    parsers underneath (a stray bracket, say) is turned into one here, never a crash.
    """
    try:
        return Connection.for_base_url(text)
    except InvalidConnectionError:
        raise
    except ValueError:
        raise InvalidConnectionError(
            QCoreApplication.translate(
                "SettingsDialog",
                "The custom base URL is not valid: it should look like "
                "https://clockify.example.com/api/v1.",
            )
        ) from None


@dataclass(frozen=True, slots=True)
class TestResult:
    user: CurrentUser
    workspaces: list[Workspace]


class SettingsDialog(FittingDialog):
    """The connect dialog. Network and key-store work runs on the job runner.

    The form shows `connection` first; Save stores the key for whatever the form shows.
    Disconnect acts on `in_use`, the connection the panel is using, whatever the form shows
    (None: the panel uses none, and Disconnect is off).

    Signals:
        saved(Connection, ApiKey): the key was stored; the panel should (re)connect.
        disconnected(Connection, Forgotten): `forget` removed the connection's key and cache.
        docs101_saved(ApiKey): the docs101 key was stored (the dialog stays open).
        docs101_disconnected(bool): the docs101 key was removed (False: none was stored).

    The docs101 section is a second, optional connection with its own key entry
    (CredentialStore.set_docs101_key): its Disconnect removes only that key, and the
    Clockify Disconnect leaves it alone (it is not tied to one Clockify account).

    Every text that can be long or change (the help, the region note, the result line)
    wraps, and the dialog's height follows them (see FittingDialog); the result line is a
    MessageArea, so even a very long one scrolls rather than being cut off.

    Attributes:
        confirm: asks a yes/no question (a message box; tests replace it).
        ask_passphrase: asks the key file's passphrase, given whether the file is being
            created and why it asks again ("" the first time); tests replace it.
    """

    saved = Signal(object, object)
    disconnected = Signal(object, object)
    docs101_saved = Signal(object)
    docs101_disconnected = Signal(bool)

    def __init__(
        self,
        runner: JobRunner,
        connection: Connection,
        *,
        in_use: Connection | None,
        forget: Forgetter = account.forget,
        store_factory: StoreFactory = open_credential_store,
        client_factory: ClientFactory = default_client,
        region_urls: dict[str, str] | None = None,
        docs101_factory: Docs101Factory = default_docs101_client,
        docs101_stored: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Connect to Clockify"))
        self.runner = runner
        self.in_use = in_use
        self.forget = forget
        self.store_factory = store_factory
        self.client_factory = client_factory
        self.region_urls = region_urls or {code: url for code, (_, url) in REGIONS.items()}
        self.confirm: Callable[[str], bool] = self._confirm_with_box
        self.ask_passphrase: Callable[[bool, str], str | None] = self._passphrase_with_box
        self._job: int | None = None
        self._tested: tuple[Connection, ApiKey] | None = None
        self._passphrase: str | None = None
        self._pending_save: tuple[Connection, ApiKey] | None = None
        self.docs101_factory = docs101_factory
        self.docs101_stored = docs101_stored
        #: A docs101 store job to run again once the key file's passphrase is known.
        self._docs101_retry: Callable[[], None] | None = None

        self._build(connection)

    # -- building ------------------------------------------------------------------------

    def _build(self, connection: Connection) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        outer.addWidget(self.tabs)
        page = QWidget(self.tabs)
        layout = QVBoxLayout(page)
        form = QFormLayout()
        key_row = QHBoxLayout()
        self.key_edit = QLineEdit(self)
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText(self.tr("Paste your Clockify API key"))
        self.key_edit.setAccessibleName(self.tr("API key"))
        self.show_key = QCheckBox(self.tr("Show"), self)
        self.show_key.toggled.connect(self._on_show_key_toggled)
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.show_key)
        key_label = QLabel(self.tr("API &key:"), self)
        key_label.setBuddy(self.key_edit)
        form.addRow(key_label, key_row)
        self.help_label = wrapped_label(
            self.tr(
                "Find your personal API key in Clockify under Profile > Settings > API "
                "(in some versions: Workspace Settings > API). Generate one if there is none."
            ),
            self,
        )
        layout.addLayout(form)
        layout.addWidget(self.help_label)  # outside the form: it wraps to the dialog's width

        form = QFormLayout()
        self.region_combo = QComboBox(self)
        for code, (label, _url) in REGIONS.items():
            self.region_combo.addItem(self.tr(label), code)
        self.region_combo.addItem(self.tr("Custom URL"), CUSTOM)
        form.addRow(self.tr("&Region:"), self.region_combo)
        self.url_edit = QLineEdit(self)
        self.url_edit.setPlaceholderText("https://clockify.example.com/api/v1")
        self.url_edit.setAccessibleName(self.tr("Custom base URL"))
        form.addRow(self.tr("Custom &URL:"), self.url_edit)
        self.region_note = wrapped_label("", self)
        self.region_note.hide()  # until a pasted address sets the region
        layout.addLayout(form)
        layout.addWidget(self.region_note)

        self.result_area = MessageArea(self)
        self.result_label = self.result_area.label
        layout.addWidget(self.result_area)

        self.try_regions_button = QPushButton(self.tr("Try the other regions"), self)
        self.try_regions_button.hide()
        self.use_region_button = QPushButton(self)
        self.use_region_button.hide()
        extra = QHBoxLayout()
        extra.addWidget(self.try_regions_button)
        extra.addWidget(self.use_region_button)
        extra.addStretch(1)
        layout.addLayout(extra)

        # The interface's language (desktop.ui.language): stored at once, used from the next
        # start (every text would have to be set again to switch now).
        form = QFormLayout()
        self.language_combo = QComboBox(self)
        self.language_combo.addItem(self.tr("System"), "")
        self.language_combo.addItem("English", "en")  # each language in its own words
        self.language_combo.addItem("Deutsch", "de")
        self.language_combo.setCurrentIndex(max(self.language_combo.findData(saved_setting()), 0))
        self.language_combo.setToolTip(
            self.tr("The language of the panel's window and dialogs; it applies at the next start.")
        )
        self.language_combo.currentIndexChanged.connect(self._on_language_changed)
        form.addRow(self.tr("&Language:"), self.language_combo)
        layout.addLayout(form)
        layout.addStretch(1)  # a window made taller keeps the texts at the top

        buttons = QHBoxLayout()
        self.test_button = QPushButton(self.tr("&Test connection"), self)
        self.save_button = QPushButton(self.tr("&Save"), self)
        self.save_button.setDefault(True)
        self.save_anyway_button = QPushButton(self.tr("Save &anyway"), self)
        self.save_anyway_button.hide()
        self.disconnect_button = QPushButton(self.tr("&Disconnect"), self)
        self.disconnect_button.setEnabled(self.in_use is not None)
        self.disconnect_button.setToolTip(
            self.tr("Remove the stored key and the cached data of {connection}").format(
                connection=self.in_use.label
            )
            if self.in_use is not None
            else self.tr("The panel uses no connection.")
        )
        self.close_button = QPushButton(self.tr("Close"), self)
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.disconnect_button)
        buttons.addWidget(self.save_anyway_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.tabs.addTab(page, "Clockify")
        self.tabs.addTab(self._build_docs101(), "docs101")

        self._select_connection(connection)
        self.region_combo.currentIndexChanged.connect(self._on_region_changed)
        self.key_edit.textChanged.connect(self._on_key_edit_text_changed)
        self.url_edit.textChanged.connect(self._on_url_edit_text_changed)
        self.test_button.clicked.connect(self._on_test_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.save_anyway_button.clicked.connect(self._on_save_anyway_clicked)
        self.disconnect_button.clicked.connect(self._on_disconnect_clicked)
        self.close_button.clicked.connect(self.reject)
        self.try_regions_button.clicked.connect(self._on_try_regions_clicked)
        self.use_region_button.clicked.connect(self._on_use_region_clicked)

    def _build_docs101(self) -> QWidget:
        """The optional docs101 connection, on its own tab: its key, Test, Save, Disconnect."""
        group = QWidget(self.tabs)
        box = QVBoxLayout(group)
        form = QFormLayout()
        self.docs101_key_edit = QLineEdit(group)
        self.docs101_key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.docs101_key_edit.setPlaceholderText(
            self.tr("Stored; paste a new key to replace it")
            if self.docs101_stored
            else self.tr("Paste your docs101 API key")
        )
        self.docs101_key_edit.setAccessibleName(self.tr("docs101 API key"))
        label = QLabel(self.tr("docs&101 key:"), group)
        label.setBuddy(self.docs101_key_edit)
        form.addRow(label, self.docs101_key_edit)
        box.addLayout(form)
        self.docs101_help = wrapped_label(
            self.tr(
                "Optional. With a docs101 API key (Pro plan), each client shows whether "
                "docs101 has it as a customer."
            ),
            group,
        )
        box.addWidget(self.docs101_help)
        self.docs101_result = MessageArea(group)
        box.addWidget(self.docs101_result)
        box.addStretch(1)
        row = QHBoxLayout()
        self.docs101_test_button = QPushButton(self.tr("&Test connection"), group)
        self.docs101_save_button = QPushButton(self.tr("&Save"), group)
        self.docs101_disconnect_button = QPushButton(self.tr("&Disconnect"), group)
        self.docs101_disconnect_button.setEnabled(self.docs101_stored)
        self.docs101_disconnect_button.setToolTip(
            self.tr("Remove the stored docs101 key; the Clockify connection stays.")
        )
        row.addWidget(self.docs101_test_button)
        row.addStretch(1)
        row.addWidget(self.docs101_disconnect_button)
        row.addWidget(self.docs101_save_button)
        close = QPushButton(self.tr("Close"), group)
        close.clicked.connect(self.reject)
        row.addWidget(close)
        box.addLayout(row)
        self.docs101_test_button.clicked.connect(self._on_docs101_test_clicked)
        self.docs101_save_button.clicked.connect(self._on_docs101_save_clicked)
        self.docs101_disconnect_button.clicked.connect(self._on_docs101_disconnect_clicked)
        return group

    def _select_connection(self, connection: Connection) -> None:
        code = connection.region or CUSTOM
        self.region_combo.setCurrentIndex(max(self.region_combo.findData(code), 0))
        if not connection.region:
            self.url_edit.setText(connection.base_url)
        self.url_edit.setEnabled(code == CUSTOM)

    # -- reading the form ----------------------------------------------------------------

    def connection(self) -> Connection:
        """The connection the form describes; raises InvalidConnectionError."""
        code = self.region_combo.currentData()
        if code == CUSTOM:
            return custom_connection(self.url_edit.text())
        return Connection(base_url=self.region_urls[code], region=code)

    def _read_form(self) -> tuple[Connection, ApiKey] | None:
        """The form's connection and key, or None after showing what is wrong with them."""
        try:
            return self.connection(), self.api_key()
        except InvalidConnectionError as exc:
            self._show_result(exc.message)
            return None

    def api_key(self) -> ApiKey:
        """The key in the form; raises InvalidConnectionError saying what is wrong with it."""
        text = self.key_edit.text()
        if not text.strip():
            raise InvalidConnectionError(self.tr("Enter your API key first."))
        try:
            return ApiKey(text)
        except ValueError as exc:  # the message says what is wrong, never the key itself
            raise InvalidConnectionError(
                self.tr("This API key cannot be used: {problem}.").format(problem=exc)
            ) from None

    # -- form reactions ------------------------------------------------------------------

    @Slot(bool)
    def _on_show_key_toggled(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.key_edit.setEchoMode(mode)

    @Slot(int)
    def _on_language_changed(self, _index: int) -> None:
        app_settings().setValue(LANGUAGE_KEY, self.language_combo.currentData())

    @Slot(int)
    def _on_region_changed(self, _index: int) -> None:
        self.url_edit.setEnabled(self.region_combo.currentData() == CUSTOM)
        self._forget_test()

    @Slot(str)
    def _on_key_edit_text_changed(self, text: str) -> None:
        self._take_address(self.key_edit, text, self.tr("now paste the key itself"))

    @Slot(str)
    def _on_url_edit_text_changed(self, text: str) -> None:
        self._take_address(self.url_edit, text, self.tr("Clockify's own hosts need no custom URL"))

    def _take_address(self, edit: QLineEdit, text: str, hint: str) -> None:
        """A Clockify address pasted into `edit` picks the region and is not kept there."""
        region = region_from_address(text)
        if region is None:
            self._forget_test()
            return
        edit.clear()
        self._set_region(region, self.tr("from the address you pasted; {hint}").format(hint=hint))

    def _set_region(self, code: str, why: str) -> None:
        self.region_combo.setCurrentIndex(self.region_combo.findData(code))
        self.region_note.setText(
            self.tr("Region set to {region} {why}.").format(
                region=self.tr(REGIONS[code][0]), why=why
            )
        )
        self.region_note.show()

    def _forget_test(self) -> None:
        self._tested = None
        self.save_anyway_button.hide()
        self.try_regions_button.hide()
        self.use_region_button.hide()

    # -- test connection -----------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._job is not None

    @Slot()
    def _on_test_clicked(self) -> None:
        if self.busy:
            self.cancel_work(self.tr("Cancelled."))
            return
        self.start_test()

    def start_test(self, then_save: bool = False) -> None:
        form = self._read_form()
        if form is None:
            return
        connection, key = form
        self._forget_test()
        client = self.client_factory(connection, key)

        def work(_progress: Any) -> TestResult:
            try:
                return TestResult(client.current_user(), client.workspaces())
            finally:
                client.close()

        self._show_result(
            self.tr("Testing the connection to {host}\u2026").format(host=connection.host)
        )
        self._start(
            work,
            lambda result: self._on_test_done(connection, key, result, then_save),
            lambda error: self._on_test_failed(connection, error),
        )
        self.test_button.setText(self.tr("&Cancel test"))

    def _on_test_done(
        self, connection: Connection, key: ApiKey, result: TestResult, then_save: bool
    ) -> None:
        self._finish()
        user = result.user
        unnamed = self.tr("(unnamed workspace)")
        names = ", ".join(w.name or unnamed for w in result.workspaces[:10])
        count = len(result.workspaces)
        more = "" if count <= 10 else self.tr(", and {count} more").format(count=count - 10)
        if count == 0:
            text = self.tr("Connected as {name} ({email}): 0 workspaces.")
        elif count == 1:
            text = self.tr("Connected as {name} ({email}): 1 workspace: {names}{more}.")
        else:
            text = self.tr("Connected as {name} ({email}): {count} workspaces: {names}{more}.")
        self._show_result(
            text.format(
                name=user.name or self.tr("(no name)"),
                email=user.email or self.tr("no e-mail"),
                count=count,
                names=names,
                more=more,
            )
        )
        self._tested = (connection, key)
        if then_save:
            self._save(connection, key)

    def _on_test_failed(self, connection: Connection, error: BaseException) -> None:
        self._finish()
        message = describe_error(error)
        if isinstance(error, KeyRejectedError):
            message += self.tr(
                " If you regenerated the key in Clockify, the old one no longer works: "
                "paste the new one."
            )
            if connection.region:
                self.try_regions_button.show()
        self._show_result(message)
        self.save_anyway_button.show()

    # -- other regions -------------------------------------------------------------------

    @Slot()
    def _on_try_regions_clicked(self) -> None:
        form = self._read_form()
        if form is None:
            return
        current, key = form
        others = [code for code in self.region_urls if code != current.region]
        clients = [
            (code, self.client_factory(Connection(self.region_urls[code], code), key))
            for code in others
        ]

        def work(_progress: Any) -> tuple[str | None, list[str]]:
            return probe_regions(clients)

        self.try_regions_button.hide()
        self._show_result(self.tr("Trying the key in the other regions\u2026"))
        self._start(work, self._on_regions_done, self._on_regions_failed)

    def _on_regions_done(self, result: tuple[str | None, list[str]]) -> None:
        self._finish()
        code, problems = result
        if code is None:
            text = self.tr(
                "No other region accepts this key either: it is wrong, revoked or regenerated."
            )
            if problems:
                text += self.tr(" Some regions could not be asked: ") + "; ".join(problems)
            self._show_result(text)
            return
        label = self.tr(REGIONS[code][0])
        self._show_result(
            self.tr("The key works in the {region} region, not in the one chosen.").format(
                region=label
            )
        )
        self.use_region_button.setText(self.tr("Use {region}").format(region=label))
        self.use_region_button.setProperty("region", code)
        self.use_region_button.show()

    def _on_regions_failed(self, error: BaseException) -> None:
        self._finish()
        self._show_result(describe_error(error))

    @Slot()
    def _on_use_region_clicked(self) -> None:
        code = str(self.use_region_button.property("region"))
        self._set_region(code, self.tr("because it accepts the key"))
        self.use_region_button.hide()
        self.start_test()

    # -- save and disconnect -------------------------------------------------------------

    @Slot()
    def _on_save_clicked(self) -> None:
        if self.busy:
            return
        form = self._read_form()
        if form is None:
            return
        connection, key = form
        if self._tested == (connection, key):
            self._save(connection, key)
        else:
            self.start_test(then_save=True)

    @Slot()
    def _on_save_anyway_clicked(self) -> None:
        form = self._read_form()
        if form is not None:
            self._save(*form)

    def _start_store_job(
        self, work: Callable[[CredentialStore], Any], done: Callable[[Any], None]
    ) -> None:
        """Run `work` with the key store on a worker, with the passphrase asked so far.

        When the store needs a passphrase it has not got, the failure handler asks for it:
        twice, for a new passphrase, when the store was about to create the key file.
        """
        passphrase = self._passphrase
        creating: list[bool] = []  # how the store last asked (from the worker)

        def provider(is_new_file: bool) -> str | None:
            creating.append(is_new_file)
            return passphrase

        def job(_progress: Any) -> Any:
            return work(self.store_factory(provider))

        self._start(job, done, lambda error: self._on_store_failed(error, creating[-1:] == [True]))

    def _save(self, connection: Connection, key: ApiKey) -> None:
        self._pending_save = (connection, key)
        self._docs101_retry = None

        def work(store: CredentialStore) -> str:
            store.set_api_key(connection, key)
            return store.description

        self._show_result(self.tr("Storing the key\u2026"))
        self._start_store_job(work, self._on_saved)

    def _on_saved(self, description: str) -> None:
        self._finish()
        pending, self._pending_save = self._pending_save, None
        assert pending is not None
        connection, key = pending
        log.info("stored the API key for %s in %s", connection.label, description)
        self.saved.emit(connection, key)
        self.accept()

    def _on_store_failed(self, error: BaseException, creating: bool) -> None:
        self._finish()
        if isinstance(error, PassphraseRequiredError | WrongPassphraseError):
            # Wrong, too short...: say so, here and in the box that asks again.
            reason = "" if type(error) is PassphraseRequiredError else str(error)
            if reason:
                self._show_result(reason)
            passphrase = self.ask_passphrase(creating, reason)
            retry, self._docs101_retry = self._docs101_retry, None
            if passphrase:
                self._passphrase = passphrase
                if retry is not None:
                    retry()
                elif self._pending_save is not None:
                    self._save(*self._pending_save)
                else:
                    self._disconnect()
                return
            if retry is not None:
                self.docs101_result.setText(
                    self.tr(
                        "The key file's passphrase is needed to change the stored keys. "
                        "Nothing was changed."
                    )
                )
            elif self._pending_save is not None:
                self._show_result(
                    self.tr(
                        "No system keyring works here, so the key needs a passphrase to be "
                        "stored encrypted. Nothing was stored."
                    )
                )
            else:
                self._show_result(
                    self.tr(
                        "The key file's passphrase is needed to remove the key. "
                        "Nothing was removed."
                    )
                )
            return
        show = self._show_result
        if self._docs101_retry is not None:
            self._docs101_retry = None
            show = self.docs101_result.setText
        if isinstance(error, CredentialError):
            show(str(error))
        else:
            show(describe_error(error))

    @Slot()
    def _on_disconnect_clicked(self) -> None:
        in_use = self.in_use
        if self.busy or in_use is None:
            return
        question = self.tr(
            "Disconnect the panel from {connection}? Its stored API key and cached data "
            "are removed from this computer."
        ).format(connection=in_use.label)
        try:
            shown = self.connection()
        except InvalidConnectionError:
            shown = None
        if shown != in_use:
            question += self.tr(" (The form shows another connection; that one is left alone.)")
        if not self.confirm(question):
            return
        self._pending_save = None
        self._docs101_retry = None
        self._disconnect()

    def _disconnect(self) -> None:
        """Forget the connection in use (key, cache file, cache key) on a worker."""
        connection = self.in_use
        if connection is None:
            return
        forget = self.forget
        self._show_result(
            self.tr("Removing the key and the cached data of {connection}\u2026").format(
                connection=connection.label
            )
        )
        self._start_store_job(
            lambda store: forget(store, connection),
            lambda forgotten: self._on_disconnected(connection, forgotten),
        )

    def _on_disconnected(self, connection: Connection, forgotten: account.Forgotten) -> None:
        self._finish()
        log.info("disconnected from %s", connection.label)
        self.disconnected.emit(connection, forgotten)
        self.accept()

    @property
    def passphrase(self) -> str | None:
        """The key file's passphrase, if one was asked here (the panel reuses it)."""
        return self._passphrase

    # -- docs101 -------------------------------------------------------------------------

    def set_docs101_stored(self, stored: bool) -> None:
        """Whether a docs101 key is stored (the panel found out after the dialog opened)."""
        self.docs101_stored = stored
        self.docs101_key_edit.setPlaceholderText(
            self.tr("Stored; paste a new key to replace it")
            if stored
            else self.tr("Paste your docs101 API key")
        )
        if not self.busy:
            self.docs101_disconnect_button.setEnabled(stored)

    def docs101_key(self) -> ApiKey | None:
        """The docs101 key in the form, or None after saying what is wrong with it."""
        text = self.docs101_key_edit.text()
        if not text.strip():
            self.docs101_result.setText(self.tr("Enter your docs101 API key first."))
            return None
        try:
            return ApiKey(text)
        except ValueError as exc:  # the message says what is wrong, never the key itself
            self.docs101_result.setText(
                self.tr("This API key cannot be used: {problem}.").format(problem=exc)
            )
            return None

    @Slot()
    def _on_docs101_test_clicked(self) -> None:
        if self.busy:
            self.cancel_work()
            self.docs101_result.setText(self.tr("Cancelled."))
            return
        key = self.docs101_key()
        if key is None:
            return
        try:
            client = self.docs101_factory(key)
        except Exception as exc:  # an unusable base URL or key: its message says which
            self.docs101_result.setText(describe_error(exc))
            return

        def work(_progress: Any) -> int:
            try:
                return len(client.customers())
            finally:
                client.close()

        self.docs101_result.setText(
            self.tr("Testing the connection to {host}\u2026").format(host=client.host)
        )
        self._start(work, self._on_docs101_test_done, self._on_docs101_test_failed)
        self.docs101_test_button.setText(self.tr("&Cancel test"))

    def _on_docs101_test_done(self, count: int) -> None:
        self._finish()
        self.docs101_result.setText(
            self.tr("Connected: 1 customer.")
            if count == 1
            else self.tr("Connected: {count} customers.").format(count=f"{count:,}")
        )

    def _on_docs101_test_failed(self, error: BaseException) -> None:
        self._finish()
        self.docs101_result.setText(describe_error(error))

    @Slot()
    def _on_docs101_save_clicked(self) -> None:
        if self.busy:
            return
        key = self.docs101_key()
        if key is not None:
            self._docs101_save(key)

    def _docs101_save(self, key: ApiKey) -> None:
        self._pending_save = None
        self._docs101_retry = lambda: self._docs101_save(key)

        def work(store: CredentialStore) -> str:
            store.set_docs101_key(key)
            return store.description

        def done(description: str) -> None:
            self._finish()
            self._docs101_retry = None
            log.info("stored the docs101 API key in %s", description)
            self.docs101_stored = True
            self.docs101_key_edit.clear()
            self.docs101_key_edit.setPlaceholderText(
                self.tr("Stored; paste a new key to replace it")
            )
            self.docs101_result.setText(self.tr("The docs101 key is stored."))
            self.docs101_disconnect_button.setEnabled(True)
            self.docs101_saved.emit(key)

        self.docs101_result.setText(self.tr("Storing the key\u2026"))
        self._start_store_job(work, done)

    @Slot()
    def _on_docs101_disconnect_clicked(self) -> None:
        if self.busy or not self.docs101_stored:
            return
        if not self.confirm(
            self.tr(
                "Remove the stored docs101 API key from this computer? The Clockify "
                "connection stays as it is."
            )
        ):
            return
        self._docs101_disconnect()

    def _docs101_disconnect(self) -> None:
        self._pending_save = None
        self._docs101_retry = self._docs101_disconnect

        def done(removed: bool) -> None:
            self._finish()
            self._docs101_retry = None
            self.docs101_stored = False
            self.docs101_key_edit.setPlaceholderText(self.tr("Paste your docs101 API key"))
            self.docs101_result.setText(
                self.tr("The docs101 key was removed from this computer.")
                if removed
                else self.tr("No docs101 key was stored.")
            )
            self.docs101_disconnect_button.setEnabled(False)
            self.docs101_disconnected.emit(removed)

        self.docs101_result.setText(self.tr("Removing the docs101 key\u2026"))
        self._start_store_job(lambda store: store.delete_docs101_key(), done)

    # -- plumbing ------------------------------------------------------------------------

    def _start(
        self,
        work: Callable[[Any], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        self._job = self.runner.submit(work, done, failed)
        self.save_button.setEnabled(False)
        self.disconnect_button.setEnabled(False)
        self.docs101_save_button.setEnabled(False)
        self.docs101_disconnect_button.setEnabled(False)

    def _finish(self) -> None:
        self._job = None
        self.test_button.setText(self.tr("&Test connection"))
        self.save_button.setEnabled(True)
        self.disconnect_button.setEnabled(self.in_use is not None)
        self.docs101_test_button.setText(self.tr("&Test connection"))
        self.docs101_save_button.setEnabled(True)
        self.docs101_disconnect_button.setEnabled(self.docs101_stored)

    def cancel_work(self, message: str | None = None) -> None:
        """Forget the running job: its result, when it comes, is dropped."""
        if self._job is not None:
            self.runner.cancel(self._job)
        self._finish()
        if message:
            self._show_result(message)

    def _show_result(self, text: str) -> None:
        self.result_area.setText(text)

    def done(self, result: int) -> None:
        self.cancel_work()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel_work()
        super().closeEvent(event)

    def _confirm_with_box(self, question: str) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question, self.tr("Clockify Panel"), question, parent=self
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _passphrase_with_box(self, creating: bool, reason: str) -> str | None:
        return ask_passphrase(self, creating, reason)
