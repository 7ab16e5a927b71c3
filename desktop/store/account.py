"""Forgetting a connection: its API key, its cached data and the cache's key, together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.clockify.connection import Connection
from desktop.store.errors import CredentialError

if TYPE_CHECKING:
    from desktop.store.base import CredentialStore
    from desktop.store.connections import NamedConnection
    from desktop.store.ledger import RequestLedger


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What `forget` removed: the API key, and the cached data (its file or its key)."""

    api_key: bool
    cached_data: bool


def forget(
    store: CredentialStore,
    connection: Connection,
    cache_directory: Path | None = None,
    *,
    ledger: RequestLedger | None = None,
) -> Forgotten:
    """Remove the API key of `connection`, its cache file and its cache key from `store`,
    and, when a `ledger` is given, the connection's entries in that request ledger.

    Every part is tried even when an earlier one fails; then the first failure is raised
    as a CredentialError (the store's own error when it is one), with the others appended.
    """
    from desktop.store.cache import EncryptedCache  # imports cryptography: only when used

    failures: list[CredentialError] = []
    api_key = False
    try:
        api_key = store.delete_api_key(connection)
    except CredentialError as exc:
        failures.append(exc)
    removal = EncryptedCache(store, cache_directory).delete(connection)
    for failure in removal.failures:
        failures.append(_as_credential_error(failure, connection))
    if ledger is not None:
        try:
            ledger.forget_connection(connection.id)
        except Exception as exc:  # the ledger never raises; this is a safety net
            failures.append(
                CredentialError(
                    f"The request counts of {connection.label} could not be forgotten "
                    f"({type(exc).__name__})."
                )
            )
    if failures:
        raise _combined(failures)
    return Forgotten(api_key=api_key, cached_data=removal.removed)


def forget_named(
    store: CredentialStore,
    named: NamedConnection,
    cache_directory: Path | None = None,
    ledger: RequestLedger | None = None,
) -> Forgotten:
    """Remove everything of the named connection but its entry in the list of connections
    (`ConnectionRegistry.remove`): its API key, cache file and cache key from `store`, and
    its entries in the request ledger (`ledger`, default: the app's ledger file). Every part
    is tried even when one fails, as in `forget`."""
    if ledger is None:
        from desktop.store.ledger import RequestLedger

        ledger = RequestLedger()
    return forget(store, named.connection, cache_directory, ledger=ledger)


def forget_connection(
    store: CredentialStore, connection: Connection, cache_directory: Path | None = None
) -> bool:
    """`forget`, answering whether an API key was stored (and is now removed)."""
    return forget(store, connection, cache_directory).api_key


def _as_credential_error(failure: Exception, connection: Connection) -> CredentialError:
    if isinstance(failure, CredentialError):
        return failure
    if isinstance(failure, OSError):
        return CredentialError(
            f"The cached data of {connection.label} could not be deleted: "
            f"{failure.strerror or type(failure).__name__}."
        )
    return CredentialError(
        f"The key of the cached data of {connection.label} could not be removed "
        f"({type(failure).__name__})."
    )


def _combined(failures: list[CredentialError]) -> CredentialError:
    first = failures[0]
    others: list[str] = []
    for failure in failures[1:]:
        if failure.message != first.message and failure.message not in others:
            others.append(failure.message)
    if not others:
        return first
    return CredentialError(" ".join([first.message, *others]))


__all__ = ["Forgotten", "forget", "forget_connection", "forget_named"]
