"""An AES-GCM encrypted cache, per connection, of the workspaces, users and clients last loaded."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import logging
import math
import secrets
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any, Protocol, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from desktop.clockify.connection import Connection
from desktop.clockify.models import Client, User, Workspace
from desktop.store import paths
from desktop.store.base import cache_key_entry
from desktop.store.files import NotRegularFileError, read_regular_file, write_private_file

log = logging.getLogger(__name__)

_T = TypeVar("_T")

MAGIC = b"CPC1"
NONCE_BYTES = 12
KEY_BYTES = 32
TAG_BYTES = 16
HEADER_BYTES = len(MAGIC) + NONCE_BYTES
PAYLOAD_VERSION = 2
#: Payloads of these versions are read (1: before the client's CC e-mails, currency, note).
READABLE_VERSIONS = (1, 2)
SUFFIX = ".cache"
AAD_PREFIX = b"clockify-panel-cache-v1|"
ZLIB_LEVEL = 1  # level 6 is ~2.5x slower to save for ~5% smaller files
#: Bounds on what is read: 50,000 users make a file of a few MB and a payload of tens.
MAX_FILE_BYTES = 256 << 20
MAX_PAYLOAD_BYTES = 1 << 30


class SecretStore(Protocol):
    """The part of the credential store the cache needs: named text entries."""

    def get(self, entry: str) -> str | None: ...

    def set(self, entry: str, value: str) -> None: ...

    def delete(self, entry: str) -> object: ...


@dataclass(slots=True)
class WorkspaceSnapshot:
    """One workspace with its users and clients as last loaded (None = never loaded)."""

    workspace: Workspace
    users: list[User] | None
    clients: list[Client] | None
    include_inactive_users: bool = False
    include_archived_clients: bool = False


@dataclass(slots=True)
class Snapshot:
    """Everything loaded for one connection, and when (`time.time()`) it was loaded."""

    saved_at: float
    workspaces: list[WorkspaceSnapshot]


class _Unusable(Exception):
    """The cache file cannot be used; the message is a fixed reason without data."""


def _aad(connection: Connection) -> bytes:
    return AAD_PREFIX + connection.id.encode("utf-8")


def _decode_key(text: str) -> bytes | None:
    try:
        key = base64.urlsafe_b64decode(text.encode("ascii"))
    except (ValueError, binascii.Error):  # UnicodeEncodeError is a ValueError
        return None
    return key if len(key) == KEY_BYTES else None


# --- encoding: compact columns, one JSON list per field -----------------------------------
#
# The plain text is {"v": 2, "saved_at": float, "workspaces": [[id, name, inactive,
# archived, users, clients, details], ...]} where users is null or [ids, names, emails,
# statuses], clients is null or [ids, names, archived, emails, addresses, cc_emails,
# currencies, notes] (cc_emails: a list of texts per client) and details is [plan,
# currency, hourly_rate]: parallel lists, so 50,000 rows are a handful of JSON arrays
# rather than 50,000 objects. Version 1 (0.1 and issues up to 15) had no details and
# the first five client columns; it is still read, the new fields empty.

_TEXT_TYPES: frozenset[type] = frozenset({str, type(None)})
_ID_TYPES: frozenset[type] = frozenset({str})
_BOOL_TYPES: frozenset[type] = frozenset({bool})
_LIST_TYPES: frozenset[type] = frozenset({list})


def _encode(snapshot: Snapshot) -> bytes:
    workspaces: list[list[Any]] = []
    for ws in snapshot.workspaces:
        users: list[list[Any]] | None = None
        if ws.users is not None:
            rows = ws.users
            users = [
                [u.id for u in rows],
                [u.name for u in rows],
                [u.email for u in rows],
                [u.status for u in rows],
            ]
        clients: list[list[Any]] | None = None
        if ws.clients is not None:
            found = ws.clients
            clients = [
                [c.id for c in found],
                [c.name for c in found],
                [c.archived for c in found],
                [c.email for c in found],
                [c.address for c in found],
                [list(c.cc_emails) for c in found],
                [c.currency for c in found],
                [c.note for c in found],
            ]
        workspaces.append(
            [
                ws.workspace.id,
                ws.workspace.name,
                ws.include_inactive_users,
                ws.include_archived_clients,
                users,
                clients,
                [ws.workspace.plan, ws.workspace.currency, ws.workspace.hourly_rate],
            ]
        )
    document = {"v": PAYLOAD_VERSION, "saved_at": snapshot.saved_at, "workspaces": workspaces}
    # ensure_ascii keeps lone surrogates (possible in parsed JSON) encodable.
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return zlib.compress(text.encode("ascii"), ZLIB_LEVEL)


def _columns(value: object, types: tuple[frozenset[type], ...], what: str) -> list[list[Any]]:
    """Check parallel columns: a list of len(types) lists of one length, typed as given."""
    if type(value) is not list or len(value) != len(types):
        raise _Unusable(f"the {what} have the wrong shape")
    length = len(value[0]) if type(value[0]) is list else -1
    for column, allowed in zip(value, types, strict=True):
        if type(column) is not list or len(column) != length:
            raise _Unusable(f"the {what} have the wrong shape")
        if not set(map(type, column)) <= allowed:
            raise _Unusable(f"the {what} have the wrong types")
    if not all(value[0]):
        raise _Unusable(f"the {what} have an empty id")
    return value


#: The fields of a User and of a Client, in the order of the cache's columns.
USER_COLUMNS = ("id", "name", "email", "status")
CLIENT_COLUMNS = (
    "id",
    "name",
    "archived",
    "email",
    "address",
    "cc_emails",
    "currency",
    "note",
)


def _generated_init(cls: type) -> bool:
    """Whether `cls.__init__` is the one dataclasses wrote: it only assigns the fields."""
    init = getattr(vars(cls).get("__init__"), "__code__", None)
    return init is not None and init.co_filename == "<string>"


def record_builder(cls: type[_T], names: tuple[str, ...]) -> Callable[..., list[_T]]:
    """A builder of `cls` records from parallel columns named `names`.

    For a plain slots dataclass whose fields are exactly `names`, whose ``__init__`` is
    the generated one (which only assigns each field) and with no ``__post_init__``, the
    records are made as pickle and copy make them: bare instances whose slots are filled
    through their descriptors, in C loops. Any other class gets its constructor.

    The constructor of a frozen dataclass assigns each field through
    ``object.__setattr__``: for 50,000 users and 10,000 clients, building the records
    took 72 ms of CPU with it against 42 ms this way (opening and completing a cache
    together: 1.5x). The records are equal either way (tests/test_cache.py).
    """

    def construct(*columns: list[Any]) -> list[_T]:
        return list(map(cls, *columns))

    fields = dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else ()
    if (
        tuple(f.name for f in fields) != names
        or not _generated_init(cls)
        or hasattr(cls, "__post_init__")
        or any(f.init is False for f in fields)
        or any(type(vars(cls).get(name)).__name__ != "member_descriptor" for name in names)
    ):
        return construct
    setters = [vars(cls)[name].__set__ for name in names]
    new = object.__new__

    def fill(*columns: list[Any]) -> list[_T]:
        records: list[_T] = list(map(new, repeat(cls, len(columns[0]))))
        for setter, column in zip(setters, columns, strict=True):
            deque(map(setter, records, column), maxlen=0)
        return records

    return fill


_build_users = record_builder(User, USER_COLUMNS)
_build_clients = record_builder(Client, CLIENT_COLUMNS)


def _users(value: object) -> list[User] | None:
    if value is None:
        return None
    columns = _columns(value, (_ID_TYPES, _TEXT_TYPES, _TEXT_TYPES, _TEXT_TYPES), "users")
    return _build_users(*columns)


_CLIENT_TYPES_V1 = (_ID_TYPES, _TEXT_TYPES, _BOOL_TYPES, _TEXT_TYPES, _TEXT_TYPES)
_CLIENT_TYPES = (*_CLIENT_TYPES_V1, _LIST_TYPES, _TEXT_TYPES, _TEXT_TYPES)


def _clients(value: object, version: int) -> list[Client] | None:
    if value is None:
        return None
    if version == 1:
        columns = _columns(value, _CLIENT_TYPES_V1, "clients")
        empty: list[Any] = [None] * len(columns[0])
        columns += [[()] * len(columns[0]), empty, empty]
    else:
        columns = _columns(value, _CLIENT_TYPES, "clients")
        cc_emails = columns[5]
        if any(type(item) is not str for emails in cc_emails for item in emails):
            raise _Unusable("the clients have the wrong types")
        columns[5] = list(map(tuple, cc_emails))
    return _build_clients(*columns)


def _details(value: object) -> tuple[str | None, str | None, str | None]:
    """A workspace's plan, currency and hourly rate (version 2)."""
    if type(value) is not list or len(value) != 3:
        raise _Unusable("a workspace row has the wrong shape")
    if not set(map(type, value)) <= _TEXT_TYPES:
        raise _Unusable("a workspace row has the wrong types")
    plan, currency, rate = value
    return plan, currency, rate


def _decode_workspaces(compressed: bytes) -> tuple[float, list[Workspace], list[list[Any]]]:
    """The time, the checked workspace rows, and the raw rows (users and clients undecoded)."""
    try:
        inflater = zlib.decompressobj()
        text = inflater.decompress(compressed, MAX_PAYLOAD_BYTES)
    except zlib.error:
        raise _Unusable("the payload is not compressed data") from None
    if inflater.unconsumed_tail:
        raise _Unusable("the payload is too large")
    if not inflater.eof:
        raise _Unusable("the payload is truncated")
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError, deep nesting
        raise _Unusable("the payload is not JSON") from None
    if type(document) is not dict:
        raise _Unusable("the payload is not an object")
    version = document.get("v")
    if type(version) is not int or version not in READABLE_VERSIONS:
        raise _Unusable("the payload has an unknown version")
    width = 6 if version == 1 else 7
    saved_at = document.get("saved_at")
    if type(saved_at) is not int and type(saved_at) is not float:
        raise _Unusable("the payload has no valid time")
    try:
        saved_at = float(saved_at)
    except OverflowError:  # an integer of hundreds of digits
        raise _Unusable("the payload has no valid time") from None
    if not math.isfinite(saved_at):
        raise _Unusable("the payload has no valid time")
    rows = document.get("workspaces")
    if type(rows) is not list:
        raise _Unusable("the workspaces are not a list")
    workspaces: list[Workspace] = []
    for row in rows:
        if type(row) is not list or len(row) != width:
            raise _Unusable("a workspace row has the wrong shape")
        wid, name, inactive, archived = row[:4]
        if (
            type(wid) is not str
            or not wid
            or (name is not None and type(name) is not str)
            or type(inactive) is not bool
            or type(archived) is not bool
        ):
            raise _Unusable("a workspace row has the wrong types")
        plan, currency, rate = _details(row[6]) if version > 1 else (None, None, None)
        workspaces.append(Workspace(wid, name, plan, currency, rate))
    return saved_at, workspaces, rows


def _decode_groups(saved_at: float, workspaces: list[Workspace], rows: list[list[Any]]) -> Snapshot:
    """The users and clients of rows checked by `_decode_workspaces` (of one version:
    six items a row in version 1, seven in version 2)."""
    return Snapshot(
        saved_at=saved_at,
        workspaces=[
            WorkspaceSnapshot(
                workspace=workspace,
                users=_users(row[4]),
                clients=_clients(row[5], 1 if len(row) == 6 else 2),
                include_inactive_users=row[2],
                include_archived_clients=row[3],
            )
            for workspace, row in zip(workspaces, rows, strict=True)
        ],
    )


def _discard(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("Cannot discard %s: %s", path.name, type(exc).__name__)


@dataclass(frozen=True, slots=True)
class Removal:
    """What `EncryptedCache.delete` did: whether a cache file or key was removed, and failures.

    A failure is the OSError of the file, or whatever the secret store raised.
    """

    removed: bool
    failures: tuple[Exception, ...] = ()


@dataclass(slots=True)
class OpenedCache:
    """A cache file decrypted and checked, with only its workspace rows decoded so far.

    Decoding the users and clients means building a record for each (about 35 ms for
    10,000 users here); `complete` does it, and the panel calls it on a worker once the
    workspace rows are on screen.
    """

    saved_at: float
    workspaces: list[Workspace]
    _rows: list[list[Any]]
    _path: Path

    def complete(self) -> Snapshot | None:
        """Everything in the file; None (logged, file discarded) if its rows are unusable."""
        try:
            return _decode_groups(self.saved_at, self.workspaces, self._rows)
        except _Unusable as exc:
            reason = str(exc)
        except Exception as exc:  # belt and braces: a cache must never crash the panel
            reason = type(exc).__name__
        log.warning("Discarding the cache file %s: %s.", self._path.name, reason)
        _discard(self._path)
        return None


# --- the cache ------------------------------------------------------------------------------


class EncryptedCache:
    """Per-connection snapshots in ``directory``, sealed with a key kept in a secret store.

    Nothing here raises: an unreadable cache is logged, discarded and treated as absent,
    and a failed save is logged and skipped.
    """

    def __init__(self, store: SecretStore, directory: Path | None = None) -> None:
        self._store = store
        self._directory = directory if directory is not None else paths.cache_dir()

    @property
    def directory(self) -> Path:
        return self._directory

    def path_for(self, connection: Connection) -> Path:
        digest = hashlib.sha256(connection.id.encode("utf-8")).hexdigest()[:32]
        return self._directory / f"{digest}{SUFFIX}"

    def load(self, connection: Connection) -> Snapshot | None:
        """Everything cached for `connection`; None when there is no usable cache."""
        opened = self.open(connection)
        return opened.complete() if opened is not None else None

    def open(self, connection: Connection) -> OpenedCache | None:
        """The cache of `connection`, decrypted, with its workspace rows (see OpenedCache)."""
        path = self.path_for(connection)
        try:
            data = read_regular_file(path, MAX_FILE_BYTES)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except NotRegularFileError:
            data = b""  # discarded below as truncated
        except OSError as exc:
            log.warning("Cannot read the cache file %s: %s", path.name, type(exc).__name__)
            return None
        try:
            key_text = self._store.get(cache_key_entry(connection))
        except Exception as exc:
            log.warning(
                "Cannot read the cache key from the secret store (%s); not using the cache.",
                type(exc).__name__,
            )
            return None
        try:
            if key_text is None:
                raise _Unusable("its key is not in the secret store")
            key = _decode_key(key_text)
            if key is None:
                raise _Unusable("its key in the secret store is not valid")
            if len(data) < HEADER_BYTES + TAG_BYTES:
                raise _Unusable("the file is truncated, or not a regular file")
            if len(data) > MAX_FILE_BYTES:
                raise _Unusable("the file is far too large")
            if data[: len(MAGIC)] != MAGIC:
                raise _Unusable("the file is not a cache file")
            nonce = data[len(MAGIC) : HEADER_BYTES]
            try:
                compressed = AESGCM(key).decrypt(nonce, data[HEADER_BYTES:], _aad(connection))
            except InvalidTag:
                raise _Unusable("the file does not decrypt (damaged or not ours)") from None
            saved_at, workspaces, rows = _decode_workspaces(compressed)
            return OpenedCache(saved_at, workspaces, rows, path)
        except _Unusable as exc:
            log.warning("Discarding the cache file %s: %s.", path.name, exc)
            _discard(path)
            return None
        except Exception as exc:  # belt and braces: a cache must never crash the panel
            log.warning("Discarding the cache file %s: %s.", path.name, type(exc).__name__)
            _discard(path)
            return None

    def save(self, connection: Connection, snapshot: Snapshot, create_key: bool = True) -> None:
        """Seal `snapshot` into the cache file of `connection`; failures are logged.

        With `create_key` False, a connection without a cache key is not saved: a save
        that arrives after the connection was forgotten cannot bring its cache back.
        """
        path = self.path_for(connection)
        try:
            payload = _encode(snapshot)
        except (ValueError, TypeError, AttributeError) as exc:
            log.warning(
                "Not saving the cache: the data cannot be encoded (%s).", type(exc).__name__
            )
            return
        key = self._key_for_save(connection, create_key)
        if key is None:
            return
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = MAGIC + nonce + AESGCM(key).encrypt(nonce, payload, _aad(connection))
        try:
            self._write_atomically(path, sealed)
        except OSError as exc:
            log.warning("Cannot write the cache file %s: %s", path.name, type(exc).__name__)

    def delete(self, connection: Connection) -> Removal:
        """Remove the cache file of `connection` and its key; failures are logged and returned."""
        path = self.path_for(connection)
        removed = False
        failures: list[Exception] = []
        try:
            path.unlink()
            removed = True
        except (FileNotFoundError, NotADirectoryError):
            pass
        except OSError as exc:
            log.warning("Cannot delete the cache file %s: %s", path.name, type(exc).__name__)
            failures.append(exc)
        entry = cache_key_entry(connection)
        try:
            if self._store.get(entry) is not None:
                self._store.delete(entry)
                removed = True
        except Exception as exc:
            log.warning(
                "Cannot delete the cache key from the secret store (%s).", type(exc).__name__
            )
            failures.append(exc)
        return Removal(removed, tuple(failures))

    # --- helpers ----------------------------------------------------------------------------

    def _key_for_save(self, connection: Connection, create_key: bool) -> bytes | None:
        entry = cache_key_entry(connection)
        try:
            text = self._store.get(entry)
            key = _decode_key(text) if text is not None else None
            if key is None:
                if not create_key:
                    log.info("Not saving the cache: the connection has no cache key any more.")
                    return None
                key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
                self._store.set(entry, base64.urlsafe_b64encode(key).decode("ascii"))
        except Exception as exc:
            log.warning("Not saving the cache: the secret store failed (%s).", type(exc).__name__)
            return None
        return key

    def _write_atomically(self, path: Path, data: bytes) -> None:
        self._directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private_file(path, data)
