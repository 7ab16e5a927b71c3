"""One running panel: where the key comes from, the settings dialog, and the cache."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Slot

from desktop.clockify import ApiKey, Connection, KeyRejectedError, NetworkError, RequestBudgetError
from desktop.clockify.models import Workspace
from desktop.store import connection_file
from desktop.ui.accounts import AccountContext, AccountSet, snapshot_of
from desktop.ui.connection_settings import (
    ClientFactory,
    Docs101Factory,
    StoreFactory,
    app_settings,
    default_client,
    default_docs101_client,
)
from desktop.ui.loader import describe_error, ledger_of
from desktop.ui.main_window import PanelWindow
from desktop.ui.stored import (
    env_passphrase,
    open_store,
    prepare_cached,
    read_stored,
    saved_connection,
    store_factory_or_default,
)
from desktop.ui.xref_link import Docs101Link

# The key store and the cache import cryptography and keyring (about 0.1 s): they are
# imported where they are used, on workers, so the window shows first.
if TYPE_CHECKING:
    from concurrent.futures import Future

    from desktop.store import CredentialStore, Forgotten
    from desktop.store.cache import OpenedCache, Snapshot
    from desktop.store.connections import NamedConnection
    from desktop.ui.settings_dialog import SettingsDialog
    from desktop.ui.stored import Prepared, StoredState

log = logging.getLogger(__name__)

CACHE_SAVE_DELAY_MS = 1500


def _read_accounts(_progress: object) -> list[NamedConnection]:
    """The named connections (on a worker); none while nothing was ever stored, so the
    Global default of a new installation is not shown as an account of its own."""
    from desktop.store.connections import ConnectionRegistry

    return ConnectionRegistry().saved() or []


def describe_age(saved_at: float, now: float | None = None) -> str:
    seconds = max((now if now is not None else time.time()) - saved_at, 0)
    if seconds < 90:
        return QCoreApplication.translate("PanelSession", "updated just now")
    if seconds < 90 * 60:
        text = QCoreApplication.translate("PanelSession", "updated {count} min ago")
        return text.format(count=round(seconds / 60))
    if seconds < 36 * 3600:
        text = QCoreApplication.translate("PanelSession", "updated {count} h ago")
        return text.format(count=round(seconds / 3600))
    text = QCoreApplication.translate("PanelSession", "updated {count} days ago")
    return text.format(count=round(seconds / 86400))


def describe_disconnect(connection: Connection, forgotten: Forgotten) -> str:
    """What Disconnect removed, in one sentence naming the connection."""
    if forgotten.api_key and forgotten.cached_data:
        text = QCoreApplication.translate(
            "PanelSession",
            "Disconnected from {connection}: its API key and cached data were removed from "
            "this computer.",
        )
    elif forgotten.api_key:
        text = QCoreApplication.translate(
            "PanelSession",
            "Disconnected from {connection}: its API key was removed from this computer "
            "(no data was cached).",
        )
    elif forgotten.cached_data:
        text = QCoreApplication.translate(
            "PanelSession",
            "Disconnected from {connection}: its cached data was removed from this computer "
            "(no API key was stored).",
        )
    else:
        text = QCoreApplication.translate(
            "PanelSession",
            "Disconnected from {connection}: nothing of it was stored on this computer.",
        )
    return text.format(connection=connection.label)


class PanelSession(QObject):
    """Connects the window to a key (stored or given), the dialog, and the cache.

    Key-store and cache work runs on the window's job runner; a passphrase, when the
    encrypted file is used, is asked on the GUI thread and then handed to the worker.

    Cache saves and Disconnect's forgetting run on workers, so they are serialised: both
    hold `_cache_lock` while they touch the cache, and Disconnect (under that lock) adds
    one to `_cache_generation` and marks the connection forgotten. A save writes only if
    neither happened since it was scheduled; a save already writing finishes first, and
    the forgetting then removes what it wrote. So no save still queued, running or
    scheduled before the panel hears of the Disconnect can bring the cache back. And after
    the first save, saves never create a cache key: if the key is removed elsewhere (`key
    clear` in a terminal), the panel's next save does not recreate the cache either.
    """

    def __init__(
        self,
        window: PanelWindow,
        *,
        store_factory: StoreFactory | None = None,
        client_factory: ClientFactory = default_client,
        region_urls: dict[str, str] | None = None,
        cache_dir: Path | None = None,
        docs101_factory: Docs101Factory = default_docs101_client,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.runner = window.runner
        self.settings = app_settings()
        self.store_factory = store_factory
        self.client_factory = client_factory
        self.region_urls = region_urls
        self.cache_dir = cache_dir
        self.connection: Connection | None = None
        self.dialog: SettingsDialog | None = None
        self.ask_passphrase: Callable[[bool], str | None] = self._ask_passphrase_with_box
        self._passphrase_reason = ""  # why the next passphrase box asks again ("": it doesn't)
        self._passphrase: str | None = None
        self._use_cache = True
        self._showing_cache_from: float | None = None
        self._cache_lock = threading.Lock()
        self._cache_generation = 0  # read and raised by workers under _cache_lock
        self._forgotten: set[str] = set()  # ids of connections Disconnect removed
        self._cache_key_made = False  # the connection's cache key exists: saves make none
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(CACHE_SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self._save_cache)
        window.settings_requested.connect(self.open_settings)
        window.data_loaded.connect(self._on_window_data_loaded)
        window.workspaces_failed.connect(self._on_window_workspaces_failed)
        window.workspaces_loaded.connect(self._on_window_workspaces_loaded)
        self.docs101_factory = docs101_factory
        #: The docs101 cross-reference: customers loaded after the clients, on workers.
        self.docs101 = Docs101Link(window, self._read_docs101_key, docs101_factory)
        #: The other named connections, each its own account in the tree.
        self.accounts = AccountSet(
            AccountContext(
                window,
                client_factory=client_factory,
                store_factory=store_factory,
                cache_dir=cache_dir,
                passphrase=lambda: self._passphrase,
                open_settings=lambda key: self.open_settings(select=key),
                age_text=describe_age,
                cache_lock=self._cache_lock,
                forgotten=self._forgotten,
            )
        )
        #: Whether the named connections are shown (a stored key; never with an env key).
        self._with_accounts = False

    # -- start ---------------------------------------------------------------------------

    def start(
        self,
        connection: Connection | None,
        key: ApiKey | None,
        prefetched: Future[StoredState] | None = None,
    ) -> None:
        """Connect with `key` if given, else with the stored key (read off the GUI thread).

        `prefetched` is that read, already started (see desktop.ui.stored.prefetch).
        """
        connection = connection or saved_connection()
        self.connection = connection
        self._cache_key_made = False
        if key is not None:
            self._use_cache = False  # a key from the environment: leave no traces behind
            self.window.connect_client(self.client_factory(connection, key))
            return
        self._use_cache = True
        self._with_accounts = True
        self.window.show_starting(self.tr("Reading the stored key\u2026"))
        self.load_accounts()
        if prefetched is not None:
            self.runner.submit(
                lambda _p: prefetched.result(), self._on_stored_read, self._on_stored_failed
            )
            return
        passphrase = self._passphrase
        self.runner.submit(
            lambda _p: read_stored(connection, passphrase, self.store_factory, self.cache_dir),
            self._on_stored_read,
            self._on_stored_failed,
        )

    def start_unconnected(self, problem: str) -> None:
        """No usable connection at start (a malformed CLOCKIFY_BASE_URL): say why, use none."""
        log.warning("%s", problem)
        self.connection = None
        self._use_cache = False
        self.window.show_connect_state()
        self.window.show_notice(problem, self.tr("Settings\u2026"), self.open_settings)

    # -- several accounts ----------------------------------------------------------------

    def load_accounts(self, restart: dict[str, ApiKey] | None = None) -> None:
        """Read the named connections on a worker, then show every other one as an account
        of its own (those in `restart` connect again with the key just saved)."""
        if not self._with_accounts:
            return

        def show(named: list[NamedConnection]) -> None:
            if self._with_accounts:
                self.accounts.reconcile(named, self.connection, restart)

        self.runner.submit(
            _read_accounts,
            show,
            lambda error: log.warning("the accounts could not be read: %s", error),
        )

    def _store(self, passphrase: str | None) -> CredentialStore:
        return open_store(self.store_factory, passphrase)

    def use_docs101(self, key: ApiKey, docs101_factory: Docs101Factory) -> None:
        """Use this docs101 key and client (demo mode), never the stored key or env's."""
        self.docs101_factory = docs101_factory
        self.docs101.docs101_factory = docs101_factory
        self.docs101.read_key = lambda: key
        self.docs101.env_key_wins = False

    def _read_docs101_key(self) -> ApiKey | None:
        """The stored docs101 key (on a worker); None when none is, or it cannot be read."""
        from desktop.store import CredentialError

        try:
            return self._store(self._passphrase).get_docs101_key()
        except CredentialError as exc:  # a locked store: the panel works without docs101
            log.warning("the docs101 key could not be read: %s", exc)
            return None

    def _ask_passphrase_with_box(self, creating: bool) -> str | None:
        from desktop.ui.passphrase_dialog import ask_passphrase

        return ask_passphrase(self.window, creating, self._passphrase_reason)

    def _on_stored_read(self, result: StoredState) -> None:
        connection, key, cached = result
        if key is None:
            self.window.show_connect_state()
            return
        client = self.client_factory(connection, key)
        if cached is None:
            self.window.connect_client(client)
            return
        self._cache_key_made = True  # the cache opened, so its key is there
        self.window.connect_client(client, load=False)
        self.show_cached(cached)

    def _on_stored_failed(self, error: BaseException) -> None:
        from desktop.store import PassphraseRequiredError, WrongPassphraseError

        if isinstance(error, PassphraseRequiredError | WrongPassphraseError):
            # A wrong passphrase: the box that asks again says so (and the status bar).
            wrong = isinstance(error, WrongPassphraseError)
            self._passphrase_reason = str(error) if wrong else ""
            if wrong:
                self.window.show_status(str(error))
            passphrase = self.ask_passphrase(False)
            if passphrase:
                self._passphrase = passphrase
                self.start(self.connection, None)
                return
        self.window.show_connect_state(
            self.tr("The stored API key could not be read: {problem}").format(
                problem=describe_error(error)
            )
            if not isinstance(error, PassphraseRequiredError)
            else self.tr("The stored API key is in an encrypted file; its passphrase is needed.")
        )

    # -- cache ---------------------------------------------------------------------------

    def show_cached(self, cached: OpenedCache) -> None:
        """Show the cached workspaces now, their users and clients next, then refresh.

        The workspace rows (all that is visible of a collapsed tree) appear with the next
        paint. The users and clients, records and rows with the search text of each, are
        built on a worker (tens of ms for 10,000 users); the refresh starts once they are in
        place, so live data always replaces cached rows, never the other way round.
        """
        connection = self.connection
        self._show_cached_workspaces(cached.saved_at, cached.workspaces)
        ledger = ledger_of(self.window.loader.client)

        def prepare(_progress: Any) -> tuple[Snapshot | None, dict[str, Prepared], frozenset[str]]:
            return prepare_cached(cached, ledger)

        def prepared(result: tuple[Snapshot | None, dict[str, Prepared], frozenset[str]]) -> None:
            if self.connection is not connection or not self.window.connected:
                return  # connected elsewhere meanwhile: these rows belong to the old account
            snapshot, groups, saving = result
            if snapshot is not None:
                self.window.show_cached_groups(groups)
            self._after_cached_rows(cached.saved_at, saving)

        def failed(error: BaseException) -> None:
            log.warning("cached rows could not be shown: %s", describe_error(error))
            if self.connection is connection and self.window.connected:
                self._after_cached_rows(cached.saved_at)

        self.runner.submit(prepare, prepared, failed)

    def _after_cached_rows(self, saved_at: float, saving: frozenset[str] = frozenset()) -> None:
        """Restore the view, and refresh at start unless that is off, or every workspace
        shown is in `saving` (Free workspaces with recent cached rows)."""
        # The tree as it was left: from these rows; groups the cache lacks are loaded now,
        # or by the refresh when there is one.
        shown = {ws.workspace.id for ws in self.window.model.workspaces()}
        refresh = self.window.auto_refresh and not shown <= saving
        self.window.restore_view(load=not refresh)
        age = describe_age(saved_at)
        if refresh:
            # On the next turn of the event loop: the first request also imports requests,
            # about 0.15 s of CPU on a worker, which should not hold up painting these rows.
            QTimer.singleShot(0, lambda: self.window.refresh_quietly(saving))
        elif self.window.auto_refresh:
            self.window.show_status(
                self.tr(
                    "Showing saved data, {age}: saving requests on the Free plan. F5 refreshes."
                ).format(age=age)
            )
        else:
            self.window.show_status(
                self.tr("Showing saved data, {age}. F5 refreshes.").format(age=age)
            )

    def _show_cached_workspaces(self, saved_at: float, workspaces: list[Workspace]) -> None:
        age = describe_age(saved_at)
        self.window.show_cached(workspaces, age)
        self._showing_cache_from = saved_at
        self.window.show_status(self.tr("Saved data, {age}").format(age=age))
        self.window.restore_view(load=False)  # open what was open; rows follow

    def snapshot(self) -> Snapshot:
        return snapshot_of(self.window.shown_data())

    @Slot()
    def _on_window_data_loaded(self) -> None:
        if self._use_cache and self.connection is not None:
            self._save_timer.start()

    @Slot()
    def _save_cache(self) -> None:
        connection = self.connection
        if connection is None or not self._use_cache or not self.window.connected:
            return
        snapshot = self.snapshot()
        passphrase = self._passphrase
        generation = self._cache_generation
        create_key = not self._cache_key_made

        def work(_progress: Any) -> bool:
            from desktop.store.cache import EncryptedCache

            cache = EncryptedCache(self._store(passphrase), self.cache_dir)
            with self._cache_lock:
                if generation != self._cache_generation or connection.id in self._forgotten:
                    return False  # disconnected since it was scheduled: leave nothing behind
                cache.save(connection, snapshot, create_key=create_key)
                return cache.path_for(connection).is_file()

        def done(written: bool) -> None:
            # Not after a Disconnect since (its key is gone), even if connected again.
            if written and self.connection == connection and generation == self._cache_generation:
                self._cache_key_made = True

        self.runner.submit(work, done, self._on_background_failed)

    def forget(self, store: CredentialStore, connection: Connection) -> Forgotten:
        """Disconnect's work, on a worker: remove the key, the cache file and the cache key.

        Under the cache lock, so no save writes meanwhile, and none scheduled before writes
        after (see the class's docstring).
        """
        from desktop.store import forget

        with self._cache_lock:
            self._cache_generation += 1
            self._forgotten.add(connection.id)
            return forget(store, connection, self.cache_dir)

    def _on_background_failed(self, error: BaseException) -> None:
        log.warning("cache work failed: %s", describe_error(error))

    @Slot(int)
    def _on_window_workspaces_loaded(self, _count: int) -> None:
        self._showing_cache_from = None

    @Slot(object)
    def _on_window_workspaces_failed(self, error: BaseException) -> None:
        if isinstance(error, KeyRejectedError):
            return  # the window shows its "Update key" bar
        if self._showing_cache_from is None:
            return
        stamp = time.strftime("%d %b %H:%M", time.localtime(self._showing_cache_from))
        if isinstance(error, RequestBudgetError):  # nothing was sent: not a failure
            self.window.show_notice(
                self.tr("Showing data from {stamp}. {problem}").format(
                    stamp=stamp, problem=error.message
                ),
                self.tr("Refresh anyway") if error.automatic else None,
                self.window.refresh if error.automatic else None,
            )
            return
        if isinstance(error, NetworkError):
            text = self.tr("Offline, showing data from {stamp}. {problem}")
        else:
            text = self.tr("Could not refresh, showing data from {stamp}. {problem}")
        self.window.show_notice(
            text.format(stamp=stamp, problem=describe_error(error)),
            self.tr("Retry"),
            self.window.refresh,
        )

    # -- settings dialog -----------------------------------------------------------------

    @Slot()
    def open_settings(self, select: str | None = None) -> None:
        """Open the settings dialog (`select`: the id of the account to show first)."""
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return
        from desktop.ui.settings_dialog import SettingsDialog

        connection = self.connection or saved_connection()
        dialog = SettingsDialog(
            self.runner,
            connection,
            in_use=self.connection,
            forget=self.forget,
            store_factory=self._dialog_store_factory,
            client_factory=self.client_factory,
            region_urls=self.region_urls,
            docs101_factory=self.docs101_factory,
            docs101_stored=bool(self.docs101.has_key),
            select=select,
            parent=self.window,
        )
        dialog.saved.connect(self._on_dialog_saved)
        dialog.renamed.connect(self._on_dialog_renamed)
        dialog.docs101_saved.connect(self._on_dialog_docs101_saved)
        dialog.docs101_disconnected.connect(self._on_dialog_docs101_disconnected)
        dialog.disconnected.connect(self._on_dialog_disconnected)
        dialog.finished.connect(self._on_dialog_finished)
        self.dialog = dialog
        dialog.show()
        if self.docs101.has_key is None:  # not looked yet: look now, on a worker

            def found(key: ApiKey | None) -> None:
                if self.dialog is dialog:
                    dialog.set_docs101_stored(key is not None)

            self.runner.submit(lambda _p: self._read_docs101_key(), found, lambda _e: None)

    def _dialog_store_factory(self, provider: Callable[[bool], str | None]) -> CredentialStore:
        # The dialog may have asked a passphrase; else the one this session already knows.
        known = self._passphrase
        factory = store_factory_or_default(self.store_factory)
        return factory(lambda creating: provider(creating) or known or env_passphrase(creating))

    @Slot(int)
    def _on_dialog_finished(self, _result: int) -> None:
        if self.dialog is not None:
            passphrase = self.dialog.passphrase
            if passphrase:
                self._passphrase = passphrase
            self.dialog.deleteLater()
        self.dialog = None

    @Slot(object, object)
    def _on_dialog_saved(self, connection: Connection, key: ApiKey) -> None:
        own = self.connection
        if (
            self._with_accounts
            and own is not None
            and self.window.connected
            and connection.id != own.id
            and (connection.account is None or connection.account != own.account)
        ):
            # Another account's key: that account connects again; the panel's own stays.
            self.load_accounts(restart={connection.id: key})
            return
        self.connection = connection
        self._use_cache = True
        self._cache_key_made = False
        self._forgotten.discard(connection.id)  # connected again: its cache may be saved
        self.window.connect_client(self.client_factory(connection, key))

        def not_saved(error: BaseException) -> None:
            log.warning("the connection could not be saved: %s", error)
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            self.window.show_notice(
                self.tr(
                    "Connected, but the next start will not remember this connection: {reason}."
                ).format(reason=reason),
                self.tr("OK"),
                self.window.hide_notice,
            )

        # An fsync'ed file write: on a worker, like every other file the session writes.
        self.runner.submit(lambda _p: connection_file.save(connection), lambda _r: None, not_saved)
        self._with_accounts = self._use_cache
        self.load_accounts()

    @Slot(object)
    def _on_dialog_docs101_saved(self, _key: ApiKey) -> None:
        self.docs101.reload()  # read from the store on a worker, like at start

    @Slot(bool)
    def _on_dialog_docs101_disconnected(self, _removed: bool) -> None:
        self.docs101.forget()
        self.window.show_status(self.tr("docs101 disconnected: its key was removed."))

    @Slot(object, str)
    def _on_dialog_renamed(self, _connection: Connection, _name: str) -> None:
        self.load_accounts()

    @Slot(object, object)
    def _on_dialog_disconnected(self, connection: Connection, forgotten: Forgotten) -> None:
        """`forget` has removed the key and the cache (see SettingsDialog): show that."""
        own = self.connection
        if self._with_accounts and own is not None and connection.id != own.id:
            self.load_accounts()  # another account removed: its rows go, the rest stay
            self.window.show_status(describe_disconnect(connection, forgotten))
            return
        self._save_timer.stop()
        self._cache_key_made = False
        self.window.forget_view()  # the IDs of what was open and selected go too
        self.window.show_connect_state()
        self.window.show_status(describe_disconnect(connection, forgotten))
        if self._with_accounts:
            self._start_on_next_account()

    def _start_on_next_account(self) -> None:
        """The panel's own account was removed: the first named one left becomes the
        panel's own (its stored key and cache read as at start); with none left, the
        panel stays unconnected."""

        def chosen(named: list[NamedConnection]) -> None:
            if self.window.connected or (self.dialog is not None and self.dialog.busy):
                return  # connected meanwhile (a key saved in the dialog)
            forgotten = self.accounts.context.forgotten
            named = [n for n in named if n.connection.id not in forgotten]
            if named:
                self.start(named[0].connection, None)
            else:
                self.accounts.reconcile([], None)

        self.runner.submit(
            _read_accounts,
            chosen,
            lambda error: log.warning("the accounts could not be read: %s", error),
        )
