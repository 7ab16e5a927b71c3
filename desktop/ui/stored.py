"""Reading the stored key and the cache at start, off the GUI thread, as early as possible."""

from __future__ import annotations

import argparse
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.clockify import ApiKey, Connection, InvalidConnectionError

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from concurrent.futures import Future

    from desktop.store import CredentialStore
    from desktop.store.cache import OpenedCache, Snapshot, WorkspaceSnapshot
    from desktop.store.ledger import RequestLedger
    from desktop.ui.tree_model import RecordNode

    Prepared = tuple[list[RecordNode] | None, list[RecordNode] | None]
    StoredState = tuple[Connection, ApiKey | None, OpenedCache | None]
    StoreFactory = Callable[[Callable[[bool], str | None]], CredentialStore]


def env_passphrase(creating: bool) -> str | None:
    from desktop.store import default_passphrase_provider

    return default_passphrase_provider(creating)


def store_factory_or_default(store_factory: StoreFactory | None) -> StoreFactory:
    if store_factory is not None:
        return store_factory
    from desktop.store import open_credential_store

    return open_credential_store


def open_store(store_factory: StoreFactory | None, passphrase: str | None) -> CredentialStore:
    """The key store; the file's passphrase as asked, else from the environment."""
    factory = store_factory_or_default(store_factory)
    return factory(lambda creating: passphrase or env_passphrase(creating))


def prepare_nodes(cached: WorkspaceSnapshot) -> Prepared:
    from desktop.ui.tree_model import make_client_nodes, make_user_nodes

    users = make_user_nodes(cached.users) if cached.users is not None else None
    clients = make_client_nodes(cached.clients) if cached.clients is not None else None
    return users, clients


#: A Free workspace whose cached rows are younger than this is not refreshed at start.
FRESH_ENOUGH_SECONDS = 15 * 60


def prepare_cached(
    cached: OpenedCache, ledger: RequestLedger | None
) -> tuple[Snapshot | None, dict[str, Prepared], frozenset[str]]:
    """On a worker: the cache's users' and clients' rows by workspace id, and which
    workspaces the refresh at start leaves alone (those on a Free budget whose cached rows
    are younger than FRESH_ENOUGH_SECONDS; the ledger is a file, so it is read here)."""
    young = time.time() - cached.saved_at < FRESH_ENOUGH_SECONDS
    saving = frozenset(
        ws.id for ws in cached.workspaces if young and ledger and ledger.is_limited(ws.id)
    )
    snapshot = cached.complete()
    if snapshot is None:
        return None, {}, frozenset()
    groups = {ws.workspace.id: prepare_nodes(ws) for ws in snapshot.workspaces}
    return snapshot, groups, saving


def read_stored(
    connection: Connection,
    passphrase: str | None,
    store_factory: StoreFactory | None = None,
    cache_dir: Path | None = None,
) -> StoredState:
    """The stored key of `connection` and its opened cache (None and None when there is none).

    Only the cached workspaces are decoded here. The users and clients become records and
    tree rows later (`OpenedCache.complete`, `prepare_nodes`), once the window shows the
    workspaces: building thousands of them here would compete with the GUI thread for the
    GIL before its first paint.
    """
    store = open_store(store_factory, passphrase)
    key = store.get_api_key(connection)
    if key is None:
        return connection, None, None
    from desktop.store.cache import EncryptedCache  # after the key: see prefetch

    return connection, key, EncryptedCache(store, cache_dir).open(connection)


def prefetch(connection: Connection) -> Future[StoredState]:
    """Start `read_stored` now, on its own thread, while PySide6 and the window load.

    The read (with the encrypted key file, scrypt: about 0.15 s with the GIL released;
    then cryptography's import and the cache's decryption) then overlaps the GUI thread's
    work up to the first paint instead of following it (docs/performance.md, section 1).
    """
    from concurrent.futures import Future  # not for the demo's start, which reads no key

    future: Future[StoredState] = Future()

    def work() -> None:
        try:
            future.set_result(read_stored(connection, None))
        except BaseException as exc:  # delivered to the session like any job failure
            future.set_exception(exc)

    threading.Thread(target=work, name="clockify-prefetch", daemon=True).start()
    return future


@dataclass(frozen=True, slots=True)
class EarlyStart:
    """What the panel starts with, decided before the UI modules are imported.

    Attributes:
        connection: None in demo mode, and when `problem` says why there is none.
        env_key: the key from CLOCKIFY_API_KEY, which wins over the stored one.
        prefetched: the stored key and cache, being read (None with an env key or demo).
        problem: why the panel starts unconnected (CLOCKIFY_BASE_URL is malformed).
    """

    connection: Connection | None
    env_key: ApiKey | None
    prefetched: Future[StoredState] | None
    problem: str | None = None


def early_start(args: argparse.Namespace) -> EarlyStart:
    """Pick the connection and start reading the stored key.

    Called first thing for the panel: the read (scrypt, decryption) then runs while PySide6
    and the UI modules are imported. A malformed --base-url or --region raises
    InvalidConnectionError (the command line reports it); a malformed CLOCKIFY_BASE_URL,
    perhaps set long ago in a profile and invisible from a desktop launcher, starts the
    panel unconnected with `problem` saying why.
    """
    if args.demo:
        return EarlyStart(None, None, None)
    from desktop.options import ENV_BASE_URL

    if not args.base_url and os.environ.get(ENV_BASE_URL):
        try:
            connection = _connection_from_args(args)
        except InvalidConnectionError as exc:
            problem = (
                f"{ENV_BASE_URL} holds an unusable address, so the panel is not connected: "
                f"{exc.message[:1].lower()}{exc.message[1:]} Correct or unset it, or "
                "connect through Settings."
            )
            return EarlyStart(None, None, None, problem)
    elif args.region or args.base_url:
        connection = _connection_from_args(args)
    else:
        connection = saved_connection()
    env_key = _env_key()
    return EarlyStart(connection, env_key, None if env_key else prefetch(connection))


def _connection_from_args(args: argparse.Namespace) -> Connection:
    """The connection the options and CLOCKIFY_BASE_URL ask for; InvalidConnectionError."""
    from desktop.options import connection_from_args

    try:
        return connection_from_args(args)
    except ValueError:  # what the URL parsers underneath raise (a stray bracket, say)
        raise InvalidConnectionError(
            "The custom base URL is not valid: it should look like "
            "https://clockify.example.com/api/v1."
        ) from None


def saved_connection() -> Connection:
    """The panel's own connection: the first named one (Global when there is none), read
    without importing Qt. The others are shown as accounts of their own
    (desktop.ui.accounts)."""
    from desktop.store import connection_file
    from desktop.store.connections import ConnectionRegistry

    named = ConnectionRegistry().saved()
    if named is not None:
        return named[0].connection if named else Connection.for_region(connection_file.GLOBAL)

    saved = connection_file.load()
    if saved is not None:
        return saved
    # Release 0.1.0 kept it in QSettings: read it there once, then keep it in the file.
    from desktop.ui.connection_settings import take_legacy_connection

    legacy = take_legacy_connection()
    if legacy is None:
        return Connection.for_region(connection_file.GLOBAL)
    try:
        connection_file.save(legacy)
    except OSError as exc:
        log.warning("the saved connection could not be moved to its file: %s", exc)
    return legacy


def _env_key() -> ApiKey | None:
    """The key in CLOCKIFY_API_KEY; an unusable one is logged and ignored."""
    from desktop.options import UnusableEnvKeyError, api_key_from_env

    try:
        return api_key_from_env()
    except UnusableEnvKeyError as exc:
        log.warning("%s Ignoring it.", exc.message)
        return None
