"""Connecting: the named accounts, the API key, the region, a connection test that tells
the truth, and save."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QToolButton,
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
from desktop.store.connections import (
    ConnectionNameError,
    ConnectionRegistry,
    ConnectionsError,
    NamedConnection,
    check_name,
    default_name,
    name_key,
    unused_name,
)
from desktop.store.ledger import RequestLedger
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


#: Where an account of the list comes from:
#: "stored": an entry of the registry (its `connection` carries its storage slot);
#: "given": the dialog's `connection`, which no entry of the registry has (Save adds it);
#: "new": added with Add... and not saved yet (nothing of it is stored anywhere);
#: "unknown": the dialog's `connection` before the registry was read (a worker finds out).
AccountKind = Literal["stored", "given", "new", "unknown"]


@dataclass(slots=True)
class Account:
    """One row of the dialog's list of accounts."""

    name: str
    connection: Connection
    kind: AccountKind
    #: Whether the key store holds its key; None: not known (the store wants a passphrase).
    has_key: bool | None = None
    #: Whether the user chose the name (Add..., Rename...): Save keeps it; else an account
    #: not stored yet is named after the address the form shows when it is saved.
    name_chosen: bool = False

    @property
    def named(self) -> NamedConnection:
        return NamedConnection(self.name, self.connection)


@dataclass(frozen=True, slots=True)
class _Saved:
    named: NamedConnection
    description: str


def _describe(error: BaseException) -> str:
    """describe_error, and the registry's own sentences (a name taken, a file not saved)."""
    if isinstance(error, ConnectionsError):
        return error.message
    return describe_error(error)


def _resolve(registry: ConnectionRegistry, account: Account) -> Account:
    """`account` with its kind known (on a worker): an "unknown" one is the registry's
    entry with its connection ("stored"), else "given"."""
    if account.kind != "unknown":
        return account
    connections = registry.load()
    for named in connections:
        if named.connection == account.connection:
            return Account(named.name, named.connection, "stored", account.has_key)
    name = unused_name(default_name(account.connection), connections)
    return Account(name, account.connection, "given", account.has_key)


def _forget_everything(
    store: CredentialStore,
    connection: Connection,
    forget: Forgetter,
    ledger: RequestLedger | None,
) -> account.Forgotten:
    """`forget` (key, cache file, cache key), then the connection's request-ledger entries;
    what `desktop.store.account.forget_named` does, through the dialog's `forget`."""
    forgotten = forget(store, connection)
    (ledger if ledger is not None else RequestLedger()).forget_connection(connection.id)
    return forgotten


def _store_account(
    store: CredentialStore,
    registry: ConnectionRegistry,
    target: Account | None,
    connection: Connection,
    key: ApiKey,
    forget: Forgetter,
    ledger: RequestLedger | None,
) -> NamedConnection:
    """Save's work, on a worker: store `key` for the account `target` (None: no account is
    selected) at the address `connection`; the account as the registry now has it.

    The store is unlocked first, so a passphrase it needs is asked before the registry
    changes; a registry change whose key could not be stored is undone.
    """
    store.unlock()
    if target is not None and target.kind == "unknown":
        target = _resolve(registry, target)
    if target is None or target.kind != "stored":
        if target is not None and target.name_chosen:
            name = target.name
        else:  # named after the address the form shows, which may not be the one given
            name = unused_name(default_name(connection), registry.load())
        named = registry.add(name, connection)
        try:
            store.set_api_key(named.connection, key)
        except BaseException:
            with contextlib.suppress(Exception):
                registry.remove(named.name)
            raise
        return named
    old = target.connection
    moved = connection.with_account(old.account)
    store.set_api_key(moved, key)
    try:
        named = registry.update(target.named, connection)
    except BaseException:
        if moved != old:
            with contextlib.suppress(Exception):
                store.delete_api_key(moved)
        raise
    if named.connection != old:  # moved to another address: the old one's data goes
        try:
            _forget_everything(store, old, forget, ledger)
        except Exception as exc:  # the key is stored; what is left of the old is said
            log.warning(
                "the key and cache of %s (the account's old address) could not be removed: %s",
                old.label,
                _describe(exc),
            )
    return named


def _stored_keys(
    factory: StoreFactory, passphrase: str | None, connections: list[NamedConnection]
) -> dict[str, bool]:
    """Which connections have a key in the store (by id), when that is cheap: the store
    opens without asking anything; else {} (not known). Runs on a worker."""
    try:
        store = factory(lambda _creating: passphrase)
        return {c.connection.id: store.get_api_key(c.connection) is not None for c in connections}
    except Exception as exc:  # a locked keyring, a passphrase not known yet: not known
        log.debug("whether the accounts have keys is not known: %s", type(exc).__name__)
        return {}


class SettingsDialog(FittingDialog):
    """The connect dialog. Network, key-store and registry work runs on the job runner.

    The Clockify tab lists the named accounts (`registry`, issue 20: "name · address", and
    "no key stored" when the store says so without asking a passphrase) with Add...,
    Rename... and Remove...; the form below (region or custom URL, key, Test, Save) edits
    the selected one. The list is read on a worker; until then it shows `connection`.
    The account selected first is the one whose `Connection.id` is `select`, else the one
    equal to `connection`, else (with `select` given) the first; else `connection` itself
    is shown as an account not stored yet, named after its address ("given": a dialog
    opened on an address no account has; Save adds it).

    Add... asks a name (`ask_name`); a valid one becomes a new account, selected, that is
    written to the registry only when Save stores its key. Save stores the key of the
    selected account: a new one is added first (`registry.add` gives it its storage slot,
    so two accounts on one server keep two keys); for a stored one whose address the form
    changed, the registry entry keeps its name and slot, the key is stored under the new
    address and the old address's key, cache and request counts are removed. Rename...
    renames in the registry. Remove... (also `disconnect_button`) removes the selected
    account's key, cache file, cache key and request-ledger entries (`forget`, then the
    ledger) and its registry entry; the dialog closes when it was the account the panel
    uses (`in_use`), else it stays open with the list updated.

    Signals:
        saved(Connection, ApiKey): the key was stored, under the connection with its
            storage slot; the panel should (re)connect it.
        disconnected(Connection, Forgotten): an account was removed (key, cache, counts).
        renamed(Connection, str): the stored account of that connection has a new name.
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
        ask_name: asks an account's name, given the question and the current name; None
            when cancelled (an input box; tests replace it).
    """

    saved = Signal(object, object)
    disconnected = Signal(object, object)
    renamed = Signal(object, str)
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
        registry: ConnectionRegistry | None = None,
        select: str | None = None,
        ledger: RequestLedger | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Connect to Clockify"))
        self.runner = runner
        self.in_use = in_use
        self.forget = forget
        self.registry = registry if registry is not None else ConnectionRegistry()
        #: The request ledger whose entries Remove... forgets (None: the app's, opened then).
        self.ledger = ledger
        self._initial = connection
        self._select = select
        #: The list's rows; until the registry is read, `connection` as "unknown".
        self.accounts: list[Account] = [Account(default_name(connection), connection, "unknown")]
        self._list_job: int | None = None
        self._list_read = False
        self._given_removed = False
        self.ask_name: Callable[[str, str], str | None] = self._name_with_box
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
        #: A removal to run again once the key file's passphrase is known.
        self._remove_retry: Callable[[], None] | None = None

        self._build(connection)
        self._read_accounts()

    # -- building ------------------------------------------------------------------------

    def _build(self, connection: Connection) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        outer.addWidget(self.tabs)
        page = QWidget(self.tabs)
        layout = QVBoxLayout(page)
        layout.addLayout(self._build_accounts(page))
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
        self.close_button = QPushButton(self.tr("Close"), self)
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_anyway_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.tabs.addTab(page, "Clockify")
        self.tabs.addTab(self._build_docs101(), "docs101")

        self._select_connection(connection)
        self._fill_accounts()
        self.accounts_box.currentIndexChanged.connect(self._on_account_selected)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.rename_button.clicked.connect(self._on_rename_clicked)
        self.region_combo.currentIndexChanged.connect(self._on_region_changed)
        self.key_edit.textChanged.connect(self._on_key_edit_text_changed)
        self.url_edit.textChanged.connect(self._on_url_edit_text_changed)
        self.test_button.clicked.connect(self._on_test_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.save_anyway_button.clicked.connect(self._on_save_anyway_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.close_button.clicked.connect(self.reject)
        self.try_regions_button.clicked.connect(self._on_try_regions_clicked)
        self.use_region_button.clicked.connect(self._on_use_region_clicked)

    def _build_accounts(self, page: QWidget) -> QHBoxLayout:
        """The accounts and their buttons (Add..., Rename..., Remove...), in one row: a
        drop-down list, so that the dialog fits the screen at twice the font size too."""
        box = QHBoxLayout()
        label = QLabel(self.tr("A&ccount:"), page)
        self.accounts_box = QComboBox(page)
        self.accounts_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.accounts_box.setMinimumContentsLength(6)  # an 80-character name does not widen it
        self.accounts_box.setAccessibleName(self.tr("Accounts"))
        self.accounts_box.setToolTip(
            self.tr("The form below edits the selected account: its region, its API key.")
        )
        label.setBuddy(self.accounts_box)
        box.addWidget(label)
        box.addWidget(self.accounts_box, 1)
        # Tool buttons: as wide as their texts, so that the dialog can be made as narrow as
        # before (push buttons are 80 pixels at least).
        self.add_button = QToolButton(page)
        self.add_button.setText(self.tr("A&dd\u2026"))
        self.add_button.setToolTip(self.tr("Add another Clockify account, with its own key."))
        self.rename_button = QToolButton(page)
        self.rename_button.setText(self.tr("Re&name\u2026"))
        self.remove_button = QToolButton(page)
        self.remove_button.setText(self.tr("Re&move\u2026"))
        self.remove_button.setToolTip(
            self.tr(
                "Remove the selected account: its stored API key, cached data and request counts."
            )
        )
        #: The Disconnect of earlier versions: removing the selected account.
        self.disconnect_button = self.remove_button
        for button in (self.add_button, self.rename_button, self.remove_button):
            box.addWidget(button)
        return box

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

    # -- the accounts --------------------------------------------------------------------

    def current_account(self) -> Account | None:
        """The selected account; None when the list is empty."""
        row = self.accounts_box.currentIndex()
        return self.accounts[row] if 0 <= row < len(self.accounts) else None

    @property
    def accounts_read(self) -> bool:
        """Whether the registry was read (until then the list shows `connection` only)."""
        return self._list_read

    def _address_text(self, connection: Connection) -> str:
        if connection.region:
            return self.tr("{region} ({host})").format(
                region=self.tr(REGIONS[connection.region][0]), host=connection.host
            )
        return connection.base_url

    def _account_text(self, row: Account) -> str:
        text = self.tr("{name} \u00b7 {address}").format(
            name=row.name, address=self._address_text(row.connection)
        )
        if row.kind == "new":
            return text + self.tr(" \u00b7 not saved yet")
        if row.has_key is False:
            return text + self.tr(" \u00b7 no key stored")
        return text

    def _fill_accounts(self, select: int | None = 0) -> None:
        """Show `self.accounts` in the list, the row `select` selected (no form change)."""
        box = self.accounts_box
        box.blockSignals(True)
        try:
            box.clear()
            for index, row in enumerate(self.accounts):
                box.addItem(self._account_text(row))
                box.setItemData(index, row.connection.base_url, Qt.ItemDataRole.ToolTipRole)
            box.setCurrentIndex(
                select if select is not None and select < len(self.accounts) else -1
            )
        finally:
            box.blockSignals(False)
        self._update_key_placeholder()
        self._update_account_buttons()

    def _update_account_buttons(self) -> None:
        idle = self._job is None
        current = self.current_account()
        self.accounts_box.setEnabled(idle)
        self.add_button.setEnabled(idle and self._list_read)
        self.rename_button.setEnabled(
            idle and self._list_read and current is not None and current.kind != "unknown"
        )
        self.remove_button.setEnabled(idle and current is not None)

    def _update_key_placeholder(self) -> None:
        current = self.current_account()
        self.key_edit.setPlaceholderText(
            self.tr("Stored; paste a new key to replace it")
            if current is not None and current.has_key
            else self.tr("Paste your Clockify API key")
        )

    def _read_accounts(self) -> None:
        """Read the registry (and which keys are stored, when that is cheap) on a worker."""
        registry, factory, passphrase = self.registry, self.store_factory, self._passphrase
        initial = self._initial

        def work(_progress: Any) -> tuple[list[NamedConnection], dict[str, bool]]:
            connections = registry.load()
            given = NamedConnection("", initial)
            return connections, _stored_keys(factory, passphrase, [*connections, given])

        self._drop_list_read()
        self._list_job = self.runner.submit(work, self._on_accounts_read, self._on_accounts_failed)

    def _on_accounts_read(self, result: tuple[list[NamedConnection], dict[str, bool]]) -> None:
        self._list_job = None
        connections, keys = result
        first = not self._list_read
        self._list_read = True
        before = self.current_account()
        rows = [
            Account(n.name, n.connection, "stored", keys.get(n.connection.id)) for n in connections
        ]
        pick: int | None = None
        if first:
            if self._select is not None:
                pick = next(
                    (i for i, r in enumerate(rows) if r.connection.id == self._select), None
                )
            if pick is None:
                pick = next((i for i, r in enumerate(rows) if r.connection == self._initial), None)
            if pick is None and self._select is not None and rows:
                pick = 0
        shown = next((r for r in self.accounts if r.kind == "given"), None)
        in_list = any(r.connection == self._initial for r in rows)
        if (
            not in_list
            and not self._given_removed
            and ((first and pick is None) or shown is not None)
        ):
            if shown is None:
                name = unused_name(default_name(self._initial), connections)
                shown = Account(name, self._initial, "given", keys.get(self._initial.id))
            rows.append(shown)  # with the name it was given here, if any
            if pick is None and first:
                pick = len(rows) - 1
        rows.extend(r for r in self.accounts if r.kind == "new")
        if pick is None and before is not None:
            pick = next(
                (
                    i
                    for i, r in enumerate(rows)
                    if r.kind == before.kind and name_key(r.name) == name_key(before.name)
                ),
                None,
            )
        if pick is None and rows:
            pick = 0
        self.accounts = rows
        self._fill_accounts(pick)
        after = self.current_account()
        if after is not None and (
            before is None or not after.connection.same_address(before.connection)
        ):
            self._show_account(after)

    def _on_accounts_failed(self, error: BaseException) -> None:
        self._list_job = None
        log.warning("the list of accounts could not be read: %s", type(error).__name__)
        self._show_result(_describe(error))

    def _show_account(self, row: Account) -> None:
        """Load the account's address into the form, with an empty key field."""
        self._select_connection(row.connection)
        self.key_edit.clear()
        self.region_note.hide()
        self._forget_test()
        self._show_result("")
        self._update_key_placeholder()

    def _drop_account(self, row: Account) -> None:
        self.accounts = [r for r in self.accounts if r is not row]
        self._fill_accounts(0)
        current = self.current_account()
        if current is not None:
            self._show_account(current)

    @Slot(int)
    def _on_account_selected(self, _row: int) -> None:
        current = self.current_account()
        if current is not None:
            self._show_account(current)
        self._update_account_buttons()

    def _names(self) -> list[NamedConnection]:
        return [r.named for r in self.accounts]

    @Slot()
    def _on_add_clicked(self) -> None:
        if self.busy or not self._list_read:
            return
        answer = self.ask_name(
            self.tr("The new account's name (the organisation it belongs to, say):"), ""
        )
        if answer is None:
            return
        try:
            name = check_name(answer, self._names())
        except ConnectionNameError as exc:
            self._show_result(exc.message)
            return
        try:
            address = self.connection()
        except InvalidConnectionError:
            code = next(iter(self.region_urls))
            address = Connection(self.region_urls[code], code)
        row = Account(name, address.with_account(None), "new", has_key=False, name_chosen=True)
        self.accounts.append(row)
        self._fill_accounts(len(self.accounts) - 1)
        self._show_account(row)
        self._show_result(
            self.tr(
                "Choose the region of {name} (or its custom URL), paste its API key, then Save."
            ).format(name=name)
        )

    @Slot()
    def _on_rename_clicked(self) -> None:
        current = self.current_account()
        if self.busy or current is None or current.kind == "unknown":
            return
        answer = self.ask_name(
            self.tr("The new name of {name}:").format(name=current.name), current.name
        )
        if answer is None:
            return
        try:
            name = check_name(answer, self._names(), renaming=current.named)
        except ConnectionNameError as exc:
            self._show_result(exc.message)
            return
        if name == current.name:
            return
        if current.kind != "stored":  # not in the registry yet: Save writes it so
            current.name = name
            current.name_chosen = True
            self._fill_accounts(self.accounts_box.currentIndex())
            return
        registry, old = self.registry, current.name

        def work(_progress: Any) -> NamedConnection:
            return registry.rename(old, name)

        self._show_result(self.tr("Renaming {name}\u2026").format(name=old))
        self._start(work, lambda named: self._on_renamed(current, named), self._on_renaming_failed)

    def _on_renamed(self, row: Account, named: NamedConnection) -> None:
        self._finish()
        row.name = named.name
        if any(r is row for r in self.accounts):
            self._fill_accounts(self.accounts_box.currentIndex())
        self._show_result(self.tr("The account is now named {name}.").format(name=named.name))
        self.renamed.emit(named.connection, named.name)

    def _on_renaming_failed(self, error: BaseException) -> None:
        self._finish()
        self._show_result(_describe(error))

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
        """Store `key` for the selected account at the form's `connection` (see the class)."""
        self._pending_save = (connection, key)
        self._docs101_retry = None
        self._remove_retry = None
        current = self.current_account()
        target = replace(current) if current is not None else None  # the worker's copy
        registry, forget, ledger = self.registry, self.forget, self.ledger

        def work(store: CredentialStore) -> _Saved:
            named = _store_account(store, registry, target, connection, key, forget, ledger)
            return _Saved(named, store.description)

        self._show_result(self.tr("Storing the key\u2026"))
        self._start_store_job(work, self._on_saved)

    def _on_saved(self, saved: _Saved) -> None:
        self._finish()
        pending, self._pending_save = self._pending_save, None
        assert pending is not None
        _form, key = pending
        connection = saved.named.connection
        log.info("stored the API key for %s in %s", connection.label, saved.description)
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
            remove, self._remove_retry = self._remove_retry, None
            if passphrase:
                self._passphrase = passphrase
                if retry is not None:
                    retry()
                elif self._pending_save is not None:
                    self._save(*self._pending_save)
                elif remove is not None:
                    remove()
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
        self._remove_retry = None
        if self._docs101_retry is not None:
            self._docs101_retry = None
            show = self.docs101_result.setText
        if isinstance(error, CredentialError):
            show(str(error))
        else:
            show(_describe(error))

    @Slot()
    def _on_remove_clicked(self) -> None:
        account = self.current_account()
        if self.busy or account is None:
            return
        if account.kind == "new":  # nothing of it is stored anywhere: it leaves the list
            self._drop_account(account)
            self._show_result(
                self.tr("{name} was not saved; it is no longer in the list.").format(
                    name=account.name
                )
            )
            return
        question = self.tr(
            "Remove the account {name}? Its stored API key, cached data and request counts "
            "are removed from this computer."
        ).format(name=account.name)
        if not self.confirm(question):
            return
        self._pending_save = None
        self._docs101_retry = None
        self._remove(replace(account))

    def _remove(self, target: Account) -> None:
        """Forget `target` on a worker: its key, cache file, cache key and request-ledger
        entries (`forget`, then the ledger), then its entry in the registry."""
        registry, forget, ledger = self.registry, self.forget, self.ledger
        self._remove_retry = lambda: self._remove(target)

        def work(store: CredentialStore) -> tuple[Account, account.Forgotten]:
            found = _resolve(registry, target)
            forgotten = _forget_everything(store, found.connection, forget, ledger)
            if found.kind == "stored":
                registry.remove(found.name)
            return found, forgotten

        self._show_result(
            self.tr("Removing {name}: its key, cached data and request counts\u2026").format(
                name=target.name
            )
        )
        self._start_store_job(work, lambda result: self._on_removed(*result))

    def _on_removed(self, removed: Account, forgotten: account.Forgotten) -> None:
        self._finish()
        self._remove_retry = None
        connection = removed.connection
        log.info("removed the account of %s", connection.label)
        self.disconnected.emit(connection, forgotten)
        if self.in_use is not None and connection == self.in_use:
            self.accept()  # the panel's own account: it is disconnected, as before
            return
        if removed.kind == "given":
            self._given_removed = True
        gone = [a for a in self.accounts if a.kind != "new" and a.connection == connection]
        for row in gone:
            self._drop_account(row)
        self._show_result(
            self.tr(
                "{name} was removed: its API key, cached data and request counts are gone "
                "from this computer."
            ).format(name=removed.name)
        )
        self._read_accounts()  # what another window or the command line changed, too

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
        self._update_account_buttons()
        self.docs101_save_button.setEnabled(False)
        self.docs101_disconnect_button.setEnabled(False)

    def _finish(self) -> None:
        self._job = None
        self.test_button.setText(self.tr("&Test connection"))
        self.save_button.setEnabled(True)
        self._update_account_buttons()
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

    def _drop_list_read(self) -> None:
        if self._list_job is not None:
            self.runner.cancel(self._list_job)
            self._list_job = None

    def done(self, result: int) -> None:
        self.cancel_work()
        self._drop_list_read()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel_work()
        self._drop_list_read()
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

    def _name_with_box(self, question: str, current: str) -> str | None:
        text, accepted = QInputDialog.getText(
            self, self.tr("Clockify Panel"), question, QLineEdit.EchoMode.Normal, current
        )
        return text if accepted else None
