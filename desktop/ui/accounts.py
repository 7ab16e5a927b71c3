"""The panel's other Clockify accounts: each loads, fails, caches and refreshes on its own.

The session's own connection (the first named connection, or the one the command line
chose) stays the panel's account as before: its loader is the window's `loader`, and its
rows are the model's account "". Every other named connection is an `ExtraAccount`: a
loader of its own feeding the same model under its key (`Connection.id`), its stored key
and cache read on a worker, its cache saved on a worker, its failures shown on its own
row and, for a rejected key, on the notice bar with "Update key". Nothing one account does
waits for another, and a failure of one leaves the others' rows alone.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Slot

from desktop.clockify import ApiKey, Connection, KeyRejectedError
from desktop.ui.loader import TreeLoader, describe_error, ledger_of
from desktop.ui.stored import open_store, prepare_cached, read_stored
from desktop.ui.tree_model import LoadState

if TYPE_CHECKING:
    from desktop.store.cache import OpenedCache, Snapshot
    from desktop.store.connections import NamedConnection
    from desktop.ui.connection_settings import ClientFactory, StoreFactory
    from desktop.ui.main_window import PanelWindow
    from desktop.ui.shown_data import ShownData
    from desktop.ui.stored import Prepared, StoredState

log = logging.getLogger(__name__)

#: As the session's own cache: saved this long after the last load finished.
CACHE_SAVE_DELAY_MS = 1500


def snapshot_of(shown: ShownData) -> Snapshot:
    """What the cache keeps of an account's rows shown (`PanelWindow.shown_data`)."""
    from desktop.store.cache import Snapshot, WorkspaceSnapshot

    workspaces = [
        WorkspaceSnapshot(
            workspace,
            users,
            clients,
            shown.include_inactive_users,
            shown.include_archived_clients,
        )
        for workspace, users, clients in shown.workspaces
    ]
    return Snapshot(saved_at=shown.loaded_at or time.time(), workspaces=workspaces)


def server_text(connection: Connection) -> str:
    """The account row's server: the region's name as the settings dialog shows it (in the
    interface's language), else the host."""
    if connection.region:
        return QCoreApplication.translate("SettingsDialog", connection.server_name)
    return connection.server_name


class AccountContext:
    """What every account shares with the session: the window, the factories, the cache
    folder, the passphrase of the key file once known, and the session's lock and set of
    forgotten ids that keep a cache save from bringing back a removed account's cache."""

    def __init__(
        self,
        window: PanelWindow,
        *,
        client_factory: ClientFactory,
        store_factory: StoreFactory | None,
        cache_dir: Path | None,
        passphrase: Callable[[], str | None],
        open_settings: Callable[[str | None], None],
        age_text: Callable[[float], str],
        cache_lock: threading.Lock,
        forgotten: set[str],
    ) -> None:
        self.window = window
        self.client_factory = client_factory
        self.store_factory = store_factory
        self.cache_dir = cache_dir
        self.passphrase = passphrase
        self.open_settings = open_settings
        self.age_text = age_text
        #: The session's: held by a save while it writes and by the forgetting (Remove...)
        #: while it deletes, which adds the connection's id to `forgotten` first; a save
        #: then writes nothing for an id in `forgotten`.
        self.cache_lock = cache_lock
        self.forgotten = forgotten


class ExtraAccount(QObject):
    """One more Clockify account in the tree (see the module's docstring)."""

    def __init__(self, context: AccountContext, named: NamedConnection) -> None:
        super().__init__(context.window)
        self.context = context
        self.window = context.window
        self.named = named
        self.key = named.connection.id
        self.loader = TreeLoader(self.window.model, self.window.runner, self, connection=self.key)
        self.loader.key_rejected.connect(self._on_key_rejected)
        self.loader.workspaces_failed.connect(self._on_workspaces_failed)
        self.loader.data_loaded.connect(self._on_data_loaded)
        self._stopped = False
        self._cache_key_made = False
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(CACHE_SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self._save_cache)
        self.window.attach_loader(self.loader)

    @property
    def connection(self) -> Connection:
        return self.named.connection

    # -- start and stop ------------------------------------------------------------------

    def start(self, key: ApiKey | None = None) -> None:
        """Connect with `key` (just saved in the dialog), else the stored key and cache."""
        if key is not None:
            self._connect(key, None)
            return
        connection = self.connection
        passphrase = self.context.passphrase()
        store_factory, cache_dir = self.context.store_factory, self.context.cache_dir
        self.window.model.set_connection_state(self.key, LoadState.LOADING)
        self.window.runner.submit(
            lambda _p: read_stored(connection, passphrase, store_factory, cache_dir),
            self._on_stored_read,
            self._on_stored_failed,
        )

    def stop(self) -> None:
        """Stop loading and saving (the account is removed, or started again)."""
        self._stopped = True
        self._save_timer.stop()
        self.window.detach_loader(self.loader)
        self.loader.set_client(None)

    def _on_stored_read(self, result: StoredState) -> None:
        if self._stopped:
            return
        _connection, key, cached = result
        if key is None:
            self.window.model.set_connection_state(
                self.key,
                LoadState.FAILED,
                self.tr("No API key stored: Settings\u2026 to add one."),
            )
            return
        self._connect(key, cached)

    def _on_stored_failed(self, error: BaseException) -> None:
        if self._stopped:
            return
        self.window.model.set_connection_state(
            self.key,
            LoadState.FAILED,
            self.tr("The stored API key could not be read: {problem}").format(
                problem=describe_error(error)
            ),
        )

    def _connect(self, key: ApiKey, cached: OpenedCache | None) -> None:
        self.loader.set_client(self.context.client_factory(self.connection, key))
        if cached is None:
            self.loader.refresh(automatic=True)
            return
        self._cache_key_made = True  # the cache opened, so its key is there
        self._show_cached(cached)

    # -- the cache -----------------------------------------------------------------------

    def _show_cached(self, cached: OpenedCache) -> None:
        """As the session does for its own: the workspaces now, their rows from a worker,
        then a refresh that leaves recent rows of Free workspaces alone."""
        self.window.show_cached(cached.workspaces, self.context.age_text(cached.saved_at), self.key)
        ledger = ledger_of(self.loader.client)

        def prepare(_progress: Any) -> tuple[Snapshot | None, dict[str, Prepared], frozenset[str]]:
            return prepare_cached(cached, ledger)

        def prepared(result: tuple[Snapshot | None, dict[str, Prepared], frozenset[str]]) -> None:
            if self._stopped:
                return
            snapshot, groups, saving = result
            if snapshot is not None:
                self.window.show_cached_groups(groups, self.key)
            self._refresh_after_cache(saving)

        def failed(error: BaseException) -> None:
            log.warning("cached rows could not be shown: %s", describe_error(error))
            if not self._stopped:
                self._refresh_after_cache(frozenset())

        self.window.runner.submit(prepare, prepared, failed)

    def _refresh_after_cache(self, saving: frozenset[str]) -> None:
        self.window.restore_view_of(self.key, load=False)
        shown = {ws.workspace.id for ws in self.window.model.workspaces(self.key)}
        if self.window.auto_refresh and not shown <= saving:
            self.loader.refresh(automatic=True, skip=saving)
        else:
            self.window.model.set_connection_state(self.key, LoadState.LOADED)

    @Slot()
    def _on_data_loaded(self) -> None:
        self._save_timer.start()

    @Slot()
    def _save_cache(self) -> None:
        if self._stopped or self.loader.client is None:
            return
        snapshot = snapshot_of(self.window.shown_data(self.loader))
        connection = self.connection
        context = self.context
        passphrase = context.passphrase()
        create_key = not self._cache_key_made

        def work(_progress: Any) -> bool:
            from desktop.store.cache import EncryptedCache

            cache = EncryptedCache(open_store(context.store_factory, passphrase), context.cache_dir)
            with context.cache_lock:
                if connection.id in context.forgotten:
                    return False  # removed since: leave nothing behind
                cache.save(connection, snapshot, create_key=create_key)
                return cache.path_for(connection).is_file()

        def done(written: bool) -> None:
            if written and not self._stopped:
                self._cache_key_made = True

        self.window.runner.submit(
            work, done, lambda error: log.warning("cache work failed: %s", describe_error(error))
        )

    # -- failures ------------------------------------------------------------------------

    @Slot()
    def _on_key_rejected(self) -> None:
        self.window.show_notice(
            self.tr(
                "{account}: Clockify rejected the API key. It may have been regenerated."
            ).format(account=self.named.name),
            self.tr("Update key"),
            lambda: self.context.open_settings(self.key),
        )

    @Slot(object)
    def _on_workspaces_failed(self, error: BaseException) -> None:
        if not isinstance(error, KeyRejectedError):
            self.window.show_status(
                self.tr("{account}: {problem}").format(
                    account=self.named.name, problem=describe_error(error)
                )
            )


class AccountSet(QObject):
    """The session's other accounts, kept in step with the named connections."""

    def __init__(self, context: AccountContext) -> None:
        super().__init__(context.window)
        self.context = context
        self.extras: dict[str, ExtraAccount] = {}

    def reconcile(
        self,
        named: list[NamedConnection],
        own: Connection | None,
        restart: dict[str, ApiKey] | None = None,
    ) -> None:
        """Show these named connections: `own` (the session's, if any) as the panel's own
        account, every other as an ExtraAccount. New ones start, gone ones stop and their
        rows go, renamed ones are renamed; those in `restart` (a key just saved) start
        again with that key."""
        restart = restart or {}
        own_id = own.id if own is not None else None
        wanted = [n for n in named if n.connection.id != own_id]
        keys = {n.connection.id for n in wanted}
        for key in [k for k in self.extras if k not in keys]:
            self.extras.pop(key).stop()
        accounts: list[tuple[str, str, str]] = []
        if own is not None:
            own_name = next((n.name for n in named if n.connection.id == own_id), "")
            accounts.append(
                (
                    self.context.window.loader.connection,
                    own_name or own.server_name,
                    server_text(own),
                )
            )
        accounts.extend((n.connection.id, n.name, server_text(n.connection)) for n in wanted)
        self.context.window.model.set_connections(accounts)  # the rows first, then loads
        for item in wanted:
            key = item.connection.id
            extra = self.extras.get(key)
            if extra is not None and key in restart:
                extra.stop()
                extra = None
            if extra is None:
                extra = self.extras[key] = ExtraAccount(self.context, item)
                extra.start(restart.get(key))
            else:
                extra.named = item
        self.context.window.accounts_changed()

    def stop_all(self) -> None:
        for extra in self.extras.values():
            extra.stop()
        self.extras.clear()
