"""The named Clockify connections: a name the user chooses, a region or base URL, a slot.

One small JSON file in the config folder, shared by the panel and the command line; it
never holds a key (keys stay in the key store, under the connection's `id`)::

    {"version": 1,
     "connections": [{"name": "Acme (EU)", "region": "eu"},
                     {"name": "Side work", "base_url": "https://...", "account": "3f9a0c1d"}]}

`account` is the storage slot (`Connection.account`): absent for the slot of earlier
versions, whose key, cache and ledger entries are named by the address alone.

Upgrade, without asking anything: while connections.json does not exist, `load()` answers
one connection, the one earlier versions used (connection.json, else Global), in the slot
of earlier versions and named after its region ("Global", "EU (Germany)") or, for a base
URL, its host; the file is written the first time the registry changes anything. A file
holding an empty list means no connections.

Storage slots: `add` gives each new connection a fresh random slot (`secrets.token_hex(4)`),
so that two connections never share a key, a cache or ledger entries, even on one server.
The one exception is a first connection when nothing was ever stored (neither
connections.json nor connection.json exists): it takes the slot of earlier versions and
replaces the implicit Global one, so that a first `key set --base-url URL` and
`list --base-url URL` (without a name) keep meaning the same connection as before.

Every change is a read-modify-write under a thread lock and a `filelock` lock file beside
the file, written atomically and private (`write_private_file`), so the panel and any
number of command-line runs lose nothing. A damaged file is logged once, treated as
missing, and copied aside (``connections.json.damaged``, with a log line) before the
registry next writes over it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from desktop.clockify.connection import REGIONS, Connection, check_account
from desktop.clockify.errors import InvalidConnectionError
from desktop.errors import AppError
from desktop.store import connection_file, paths
from desktop.store.files import read_regular_file, write_private_file

log = logging.getLogger(__name__)

_T = TypeVar("_T")

FILE_NAME = "connections.json"
VERSION = 1
#: The longest name, in characters (code points), after white space is stripped.
MAX_NAME_LENGTH = 80
#: More connections than anyone holds; keeps a hostile file small.
MAX_CONNECTIONS = 100
MAX_FILE_BYTES = 1 << 20
#: Bytes of randomness of a new storage slot (8 hex digits).
ACCOUNT_BYTES = 4
#: How long a change waits for another process's change, in seconds.
LOCK_TIMEOUT = 10.0

#: Characters that reorder or hide text on a terminal: bidirectional embeddings,
#: overrides and isolates.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Unicode categories a name may not contain: controls (tabs, line feeds), surrogates,
#: line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


class ConnectionsError(AppError):
    """Base of the registry's errors: one sentence; the command line exits 2 (usage)."""

    exit_code = 2


class ConnectionNameError(ConnectionsError):
    """A name that cannot be a connection's: empty, too long, control characters, taken."""


class UnknownConnectionError(ConnectionsError):
    """No connection has the name asked for; the message names the choices."""


class ConnectionChoiceError(ConnectionsError):
    """No name was given and there is not exactly one connection to take."""


class ConnectionsWriteError(ConnectionsError):
    """The list of connections could not be written (or locked); nothing changed."""

    exit_code = 1


@dataclass(frozen=True, slots=True)
class NamedConnection:
    """A connection with the name the user gave it."""

    name: str
    connection: Connection


def name_key(name: str) -> str:
    """What two names are compared by: stripped, NFC, case folded ("ACME" is "acme")."""
    return unicodedata.normalize("NFC", name.strip()).casefold()


def _quoted(name: str) -> str:
    return f'"{name}"'


def names_text(connections: Sequence[NamedConnection]) -> str:
    """The names, quoted, separated by commas (for messages)."""
    return ", ".join(_quoted(c.name) for c in connections)


def check_name(
    name: str,
    existing: Sequence[NamedConnection],
    *,
    renaming: NamedConnection | None = None,
) -> str:
    """`name` stripped of surrounding white space when it can name a new connection (or
    `renaming`, whose own name it may be in another case); ConnectionNameError saying why
    not: empty, longer than MAX_NAME_LENGTH, control characters or line breaks, or the
    name of another connection ignoring case."""
    value = name.strip()
    if not value:
        raise ConnectionNameError("A connection's name cannot be empty.")
    if len(value) > MAX_NAME_LENGTH:
        raise ConnectionNameError(
            f"A connection's name can have at most {MAX_NAME_LENGTH} characters; this one "
            f"has {len(value):,}."
        )
    for ch in value:
        if unicodedata.category(ch) in _REFUSED_CATEGORIES or ch in _BIDI_CONTROLS:
            raise ConnectionNameError(
                "A connection's name cannot contain line breaks, tabs or other control characters."
            )
    key = name_key(value)
    for other in existing:
        if renaming is not None and other == renaming:
            continue
        if name_key(other.name) == key:
            raise ConnectionNameError(
                f"There is a connection named {_quoted(other.name)} already (names are "
                "compared ignoring case): choose another name."
            )
    return value


def default_name(connection: Connection) -> str:
    """The name a connection gets when none is given: its region's name ("Global",
    "EU (Germany)") or, for a base URL, its host (with the port, if any)."""
    return connection.server_name[:MAX_NAME_LENGTH] or "Clockify"


def unused_name(base: str, existing: Sequence[NamedConnection]) -> str:
    """`base`, or `base` with " (2)", " (3)"... when another connection has that name."""
    taken = {name_key(c.name) for c in existing}
    base = base.strip()[: MAX_NAME_LENGTH - 6]
    candidate, number = base, 1
    while name_key(candidate) in taken:
        number += 1
        candidate = f"{base} ({number})"
    return candidate


class _Damaged(ValueError):
    """The file is not a list of connections this version writes."""


def _parse(data: bytes) -> list[NamedConnection]:
    if len(data) > MAX_FILE_BYTES:
        raise _Damaged("the file is too large")
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _Damaged("not JSON") from None
    if not isinstance(raw, dict) or raw.get("version") != VERSION or raw.get("version") is True:
        raise _Damaged("not a list of connections of version 1")
    items = raw.get("connections")
    if not isinstance(items, list) or len(items) > MAX_CONNECTIONS:
        raise _Damaged(f"'connections' is not a list of at most {MAX_CONNECTIONS}")
    found: list[NamedConnection] = []
    ids: set[str] = set()
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise _Damaged("a connection has no name")
        try:
            name = check_name(item["name"], found)
            region, base_url, account = (
                item.get("region"),
                item.get("base_url"),
                item.get("account"),
            )
            if isinstance(base_url, str) and base_url and region is None:
                connection = Connection.for_base_url(base_url)
            elif isinstance(region, str) and region in REGIONS and base_url is None:
                connection = Connection.for_region(region)
            else:
                raise _Damaged("a connection has neither a known region nor a base URL")
            if account is not None:
                connection = connection.with_account(check_account(account))
        except (ConnectionNameError, InvalidConnectionError) as exc:
            raise _Damaged(exc.message) from None
        if connection.id in ids:
            raise _Damaged("two connections share an address and a storage slot")
        ids.add(connection.id)
        found.append(NamedConnection(name, connection))
    return found


def _entry(named: NamedConnection) -> dict[str, Any]:
    connection = named.connection
    entry: dict[str, Any] = {"name": named.name}
    if connection.region:
        entry["region"] = connection.region
    else:
        entry["base_url"] = connection.base_url
    if connection.account is not None:
        entry["account"] = connection.account
    return entry


def _encode(connections: Sequence[NamedConnection]) -> bytes:
    document = {"version": VERSION, "connections": [_entry(c) for c in connections]}
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


@dataclass(slots=True)
class _Read:
    connections: list[NamedConnection]
    #: False while the file does not exist (or is damaged): `connections` is the implicit one.
    stored: bool
    #: True when nothing was ever stored: neither this file nor connection.json exists.
    pristine: bool = False
    damaged: bytes | None = None


class ConnectionRegistry:
    """The named connections in `path` (default: the config folder's connections.json)."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._thread_lock = threading.Lock()
        self._warned_damage: bytes | None = None

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = paths.config_dir() / FILE_NAME
        return self._path

    # Reading -----------------------------------------------------------------------------

    def load(self) -> list[NamedConnection]:
        """The connections, in the order they were added (see the module for the upgrade)."""
        return self._read().connections

    def saved(self) -> list[NamedConnection] | None:
        """The connections stored (or those of the upgrade, see `load`), read once; None
        while nothing was ever stored, when `load()`'s Global connection is only a default."""
        read = self._read()
        return None if read.pristine else read.connections

    def is_pristine(self) -> bool:
        """Whether nothing was ever stored (neither connections.json nor connection.json
        exists): `load()`'s one connection is then only the Global default, without a key,
        and the first `add` takes its place."""
        return self._read().pristine

    def find(self, name: str) -> NamedConnection:
        """The connection named `name` (ignoring case); UnknownConnectionError naming the
        choices when there is none."""
        return _find(self.load(), name)

    def pick(self, name: str | None) -> NamedConnection:
        """The connection named `name`; for None the only one, else ConnectionChoiceError
        (none, or several: the message names them and says to use --connection)."""
        connections = self.load()
        if name is not None:
            return _find(connections, name)
        if len(connections) == 1:
            return connections[0]
        if not connections:
            raise ConnectionChoiceError(
                "No Clockify connection is stored: add one with "
                "`python -m desktop key set --name NAME`."
            )
        raise ConnectionChoiceError(
            f"There are {len(connections)} connections ({names_text(connections)}): "
            "choose one with --connection NAME."
        )

    # Changing ----------------------------------------------------------------------------

    def add(self, name: str, connection: Connection) -> NamedConnection:
        """Add `connection` (its address; the storage slot is chosen here) as `name`;
        ConnectionNameError for a name that is not usable or taken."""

        def change(read: _Read) -> tuple[NamedConnection, list[NamedConnection]]:
            if read.pristine:
                # Nothing was ever stored: the first connection takes the slot of earlier
                # versions (its key, cache and ledger names are the address's own), in
                # place of the implicit Global one.
                added = NamedConnection(check_name(name, []), connection.with_account(None))
                return added, [added]
            # Else the implicit connection of an earlier version (while the file does not
            # exist) becomes the first stored one, and this one comes after it.
            existing = list(read.connections)
            checked = check_name(name, existing)
            ids = {c.connection.id for c in existing}
            while True:
                import secrets  # on a change only: the panel's start reads the list

                slotted = connection.with_account(secrets.token_hex(ACCOUNT_BYTES))
                if slotted.id not in ids:
                    break
            added = NamedConnection(checked, slotted)
            return added, [*existing, added]

        return self._change(change)

    def rename(self, old_name: str, new_name: str) -> NamedConnection:
        """Give the connection named `old_name` the name `new_name` (another case of its
        own name too); UnknownConnectionError, ConnectionNameError."""

        def change(read: _Read) -> tuple[NamedConnection, list[NamedConnection]]:
            current = _find(read.connections, old_name)
            checked = check_name(new_name, read.connections, renaming=current)
            renamed = NamedConnection(checked, current.connection)
            return renamed, [renamed if c == current else c for c in read.connections]

        return self._change(change)

    def update(self, named: NamedConnection, connection: Connection) -> NamedConnection:
        """Give the connection `named` (found by its name) the address of `connection`,
        keeping its storage slot; the updated connection. Also writes the file when it
        does not exist yet (so that the implicit connection becomes a stored one)."""

        def change(read: _Read) -> tuple[NamedConnection, list[NamedConnection]]:
            current = _find(read.connections, named.name)
            moved = connection.with_account(current.connection.account)
            clash = [c for c in read.connections if c != current and c.connection.id == moved.id]
            if clash:
                raise ConnectionNameError(
                    f"The connection {_quoted(clash[0].name)} has that address and storage "
                    "slot already."
                )
            updated = NamedConnection(current.name, moved)
            return updated, [updated if c == current else c for c in read.connections]

        return self._change(change)

    def keep(self, named: NamedConnection) -> NamedConnection:
        """Make sure `named` is in the file (the implicit connection of an upgrade becomes
        a stored one); the connection as stored."""
        return self.update(named, named.connection)

    def remove(self, name: str) -> NamedConnection:
        """Remove the connection named `name` from the list (only the entry: its key,
        cache and ledger entries are `desktop.store.account.forget_named`'s); it."""

        def change(read: _Read) -> tuple[NamedConnection, list[NamedConnection]]:
            current = _find(read.connections, name)
            return current, [c for c in read.connections if c != current]

        return self._change(change)

    # Inside ------------------------------------------------------------------------------

    def _read(self) -> _Read:
        try:
            data = read_regular_file(self.path, MAX_FILE_BYTES)
        except FileNotFoundError:
            return self._implicit(pristine=not connection_file.path().exists())
        except OSError as exc:
            self._warn_damage(
                b"", f"cannot read it ({exc.strerror or type(exc).__name__}); it is ignored"
            )
            return self._implicit(pristine=False)
        try:
            return _Read(_parse(data), stored=True)
        except _Damaged as exc:
            self._warn_damage(data, f"it is damaged ({exc}); it is ignored")
            read = self._implicit(pristine=False)
            read.damaged = data
            return read

    def _implicit(self, *, pristine: bool) -> _Read:
        connection = connection_file.load() or Connection.for_region(connection_file.GLOBAL)
        connection = connection.with_account(None)
        implicit = NamedConnection(default_name(connection), connection)
        return _Read([implicit], stored=False, pristine=pristine)

    def _warn_damage(self, data: bytes, what: str) -> None:
        if self._warned_damage != data:
            self._warned_damage = data
            log.warning("The list of connections %s: %s.", self.path, what)

    def _change(self, change: Callable[[_Read], tuple[_T, list[NamedConnection]]]) -> _T:
        with self._thread_lock, self._file_lock():
            read = self._read()
            result, connections = change(read)
            if read.damaged is not None:
                self._keep_damaged_copy()
            try:
                write_private_file(self.path, _encode(connections))
            except OSError as exc:
                raise ConnectionsWriteError(
                    f"The list of connections {self.path} could not be saved "
                    f"({exc.strerror or type(exc).__name__}); nothing was changed."
                ) from None
            return result

    def _keep_damaged_copy(self) -> None:
        aside = self.path.with_name(self.path.name + ".damaged")
        try:
            import shutil

            shutil.copyfile(self.path, aside)
            aside.chmod(0o600)
        except OSError as exc:
            log.warning(
                "The damaged list of connections %s is replaced; it could not be copied "
                "aside (%s).",
                self.path,
                type(exc).__name__,
            )
        else:
            log.warning(
                "The damaged list of connections %s is replaced; a copy is kept in %s.",
                self.path,
                aside,
            )

    @contextlib.contextmanager
    def _file_lock(self) -> Any:
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            import filelock  # on a change only: reading needs no lock (atomic writes)

            lock = filelock.FileLock(str(self.path) + ".lock", timeout=LOCK_TIMEOUT, mode=0o600)
            lock.acquire()
        except (OSError, RuntimeError) as exc:  # filelock's Timeout is an OSError
            raise ConnectionsWriteError(
                f"The list of connections {self.path} could not be locked for a change "
                f"({type(exc).__name__}); nothing was changed."
            ) from None
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                lock.release()


def _find(connections: Sequence[NamedConnection], name: str) -> NamedConnection:
    key = name_key(name)
    for named in connections:
        if name_key(named.name) == key:
            return named
    if not connections:
        raise UnknownConnectionError(
            f"There is no connection named {_quoted(name.strip())}: no connection is stored."
        )
    raise UnknownConnectionError(
        f"There is no connection named {_quoted(name.strip())}; the connections are "
        f"{names_text(connections)}."
    )


__all__ = [
    "FILE_NAME",
    "MAX_NAME_LENGTH",
    "ConnectionChoiceError",
    "ConnectionNameError",
    "ConnectionRegistry",
    "ConnectionsError",
    "ConnectionsWriteError",
    "NamedConnection",
    "UnknownConnectionError",
    "check_name",
    "default_name",
    "name_key",
    "names_text",
    "unused_name",
]
