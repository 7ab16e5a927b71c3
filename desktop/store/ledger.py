"""The request ledger: how many requests this app sent to each Clockify workspace lately.

Free Clockify workspaces allow 30 API requests an hour for the whole workspace, shared
with every other integration (issue 17). The ledger counts this app's own requests per
workspace over a rolling hour, in one small JSON file in the state folder that the panel
and the `list` command (several processes at once) share, and refuses a request that
would pass this app's share on a limited workspace: 10 an hour for automatic requests,
25 for those the user asked for.

The file holds nothing but workspace and connection ids, plans, flags and times::

    {"v": 1,
     "workspaces": {id: {"plan": str | null, "known": bool, "paid": bool,
                         "limited_until": float | null, "requests": [time, ...]}},
     "connections": {connection id: [workspace id, ...]}}

Every change is a read-modify-write under a lock file beside it (`filelock`, portable)
and a thread lock, so no process loses another's entry. A damaged file is rebuilt empty
with one warning. When the disk fails (a read-only folder, a lock that cannot be taken in
`lock_timeout` seconds) the ledger warns once and keeps counting in memory; what it could
not write is written the next time the disk works. Nothing here raises but
`RequestBudgetError` (from `admit`), and `ValueError` for a limit below 1.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import filelock

from desktop.clockify.errors import RequestBudgetError
from desktop.clockify.models import MAX_ID_LENGTH, Workspace
from desktop.store import paths
from desktop.store.files import read_regular_file, write_private_file

log = logging.getLogger(__name__)

_T = TypeVar("_T")

#: The rolling window the budget is counted over, in seconds.
WINDOW_SECONDS = 3600.0
#: Requests an hour a Free workspace allows, for every integration together.
FREE_PLAN_LIMIT = 30
#: This app's share for the requests it sends on its own (refresh at start, filter, retries).
AUTOMATIC_LIMIT = 10
#: This app's share for the requests the user asked for (F5, Retry, expanding a group).
USER_LIMIT = 25
#: How long a 429 marks a workspace limited, whatever its plan.
LIMITED_AFTER_429_SECONDS = 3600.0
LEDGER_FILE = "request-ledger.json"

VERSION = 1
#: Bounds of the file: request times kept per workspace, workspaces, connections, bytes.
MAX_REQUESTS = 1000
MAX_WORKSPACES = 500
MAX_CONNECTIONS = 100
MAX_FILE_BYTES = 1 << 20
#: The longest plan text kept (Clockify's are short words such as "FREE" or "PRO").
MAX_PLAN_CHARS = 100
#: Changes kept in memory while the disk fails, to be written once it works again.
MAX_PENDING = 5000
#: After the lock could not be taken, later attempts wait at most this long (seconds), so
#: a lock held forever by a hung process slows each request down only a little.
DEGRADED_LOCK_TIMEOUT = 0.25
#: Request times are stored to the millisecond.
_TIME_DIGITS = 3


@dataclass(frozen=True, slots=True)
class Usage:
    """This app's requests to one workspace in the last hour, and whether it is limited.

    `times` are the counted requests' times, oldest first; `used` is how many there are.
    `name` is known only when this ledger object saw the workspace in `note_workspaces`.
    """

    workspace_id: str
    used: int
    limited: bool
    plan: str | None
    marked_paid: bool
    limited_until: float | None = None
    name: str | None = None
    times: tuple[float, ...] = ()

    def next_free_at(self, limit: int) -> float | None:
        """When enough counted requests have left the window that `used` < `limit`;
        None when it is below already."""
        limit = max(limit, 1)  # nothing is ever below 0
        if self.used < limit:
            return None
        return self.times[self.used - limit] + WINDOW_SECONDS

    @property
    def display_name(self) -> str:
        """The workspace's name, or "workspace <id>" when no name is known."""
        return _display_name(self.workspace_id, self.name)


@dataclass(slots=True)
class _Entry:
    plan: str | None = None
    known: bool = False
    paid: bool = False
    limited_until: float | None = None
    requests: list[float] = field(default_factory=list)


@dataclass(slots=True)
class _State:
    workspaces: dict[str, _Entry] = field(default_factory=dict)
    connections: dict[str, list[str]] = field(default_factory=dict)

    def entry(self, workspace_id: str) -> _Entry:
        found = self.workspaces.get(workspace_id)
        if found is None:
            found = self.workspaces[workspace_id] = _Entry()
        return found

    def copy(self) -> _State:
        return copy.deepcopy(self)


_Op = Callable[[_State], None]


class _DamagedError(ValueError):
    """The file is not a ledger this version writes."""


def _display_name(workspace_id: str, name: str | None) -> str:
    if name and name.strip():
        return name
    shown = workspace_id if len(workspace_id) <= MAX_ID_LENGTH else workspace_id[:99] + "\u2026"
    return f"workspace {shown}"


def _clock_text(moment: float) -> str:
    """`moment` as local "HH:MM", rounded up to the minute (never earlier than it)."""
    return time.strftime("%H:%M", time.localtime(math.ceil(moment / 60.0) * 60))


def _is_time(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH


def _parse_entry(raw: Any) -> _Entry:
    if not isinstance(raw, dict):
        raise _DamagedError("a workspace is not an object")
    plan = raw.get("plan")
    known = raw.get("known")
    paid = raw.get("paid")
    until = raw.get("limited_until")
    requests = raw.get("requests")
    if plan is not None and not (isinstance(plan, str) and len(plan) <= MAX_PLAN_CHARS):
        raise _DamagedError("a plan is not a short text")
    if not isinstance(known, bool) or not isinstance(paid, bool):
        raise _DamagedError("a flag is not true or false")
    if until is not None and not _is_time(until):
        raise _DamagedError("limited_until is not a time")
    if not isinstance(requests, list) or len(requests) > MAX_REQUESTS:
        raise _DamagedError("requests is not a list of at most 1,000 times")
    if not all(_is_time(moment) for moment in requests):
        raise _DamagedError("a request time is not a number")
    return _Entry(
        plan=plan,
        known=known,
        paid=paid,
        limited_until=None if until is None else float(until),
        requests=[float(moment) for moment in requests],
    )


def _parse(data: bytes) -> _State:
    """The ledger in `data`; _DamagedError when it is not one."""
    if len(data) > MAX_FILE_BYTES:
        raise _DamagedError("the file is too large")
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise _DamagedError("not JSON") from error
    if not isinstance(raw, dict) or raw.get("v") != VERSION or isinstance(raw.get("v"), bool):
        raise _DamagedError("not a ledger of version 1")
    workspaces = raw.get("workspaces")
    connections = raw.get("connections")
    if not isinstance(workspaces, dict) or len(workspaces) > MAX_WORKSPACES:
        raise _DamagedError("workspaces is not an object of at most 500")
    if not isinstance(connections, dict) or len(connections) > MAX_CONNECTIONS:
        raise _DamagedError("connections is not an object")
    state = _State()
    for ident, entry in workspaces.items():
        if not _is_id(ident):
            raise _DamagedError("a workspace id is not an id")
        state.workspaces[ident] = _parse_entry(entry)
    for ident, members in connections.items():
        if not _is_id(ident) or not isinstance(members, list):
            raise _DamagedError("a connection is not a list of ids")
        if len(members) > MAX_WORKSPACES or not all(_is_id(member) for member in members):
            raise _DamagedError("a connection is not a list of ids")
        state.connections[ident] = list(members)
    return state


def _serialise(state: _State, request_cap: int) -> bytes:
    workspaces = {
        ident: {
            "plan": entry.plan,
            "known": entry.known,
            "paid": entry.paid,
            "limited_until": entry.limited_until,
            "requests": [round(moment, _TIME_DIGITS) for moment in entry.requests[-request_cap:]]
            if request_cap
            else [],
        }
        for ident, entry in state.workspaces.items()
    }
    document = {"v": VERSION, "workspaces": workspaces, "connections": state.connections}
    return json.dumps(document, separators=(",", ":"), allow_nan=False).encode("ascii")


def _encode(state: _State) -> bytes:
    """The file's bytes, within MAX_FILE_BYTES: when too large, fewer request times are
    kept per workspace (never fewer than the Free plan's 30 before the oldest connections
    are forgotten), then fewer again."""
    cap = MAX_REQUESTS
    while True:
        data = _serialise(state, cap)
        if len(data) <= MAX_FILE_BYTES:
            return data
        if cap > FREE_PLAN_LIMIT + 2:
            cap //= 2
        elif state.connections:
            del state.connections[next(iter(state.connections))]
        elif cap:
            cap //= 2
        else:  # pragma: no cover - 500 ids of 256 characters stay far below 1 MB
            state.workspaces.clear()


def _normalise(state: _State, now: float) -> bool:
    """Clamp times in the future to now, drop those out of the window, and keep the bounds.

    True when a clamp changed something (the clock went backwards): that must reach the
    file, or the entries would count again only once the clock passes them.
    """
    clamped = False
    oldest = now - WINDOW_SECONDS
    for entry in state.workspaces.values():
        kept: list[float] = []
        for moment in entry.requests:
            if moment > now:
                moment = now
                clamped = True
            if moment > oldest:
                kept.append(moment)
        kept.sort()
        entry.requests = kept[-MAX_REQUESTS:]
        if entry.limited_until is not None:
            if entry.limited_until > now + LIMITED_AFTER_429_SECONDS:
                entry.limited_until = now + LIMITED_AFTER_429_SECONDS
                clamped = True
            elif entry.limited_until <= now:
                entry.limited_until = None
    if len(state.workspaces) > MAX_WORKSPACES:
        # Keep the user's "paid" marks first, then the most recently active workspaces.
        def activity(item: tuple[str, _Entry]) -> tuple[bool, float]:
            entry = item[1]
            latest = max(entry.requests, default=-math.inf)
            return entry.paid, max(latest, entry.limited_until or -math.inf)

        kept_items = sorted(state.workspaces.items(), key=activity, reverse=True)
        state.workspaces = dict(kept_items[:MAX_WORKSPACES])
    while len(state.connections) > MAX_CONNECTIONS:
        del state.connections[next(iter(state.connections))]
    return clamped


def _limited(entry: _Entry | None, now: float) -> bool:
    if entry is None:
        return True  # never seen: its plan is unknown
    if entry.limited_until is not None and entry.limited_until > now:
        return True
    if entry.paid:
        return False
    return entry.plan is None or "FREE" in entry.plan.upper()


def _counted(entry: _Entry | None, now: float) -> tuple[float, ...]:
    if entry is None:
        return ()
    oldest = now - WINDOW_SECONDS
    return tuple(sorted(min(moment, now) for moment in entry.requests if moment > oldest))


class LedgerGate:
    """A `RequestGate` (desktop.clockify.client) bound to one connection of a ledger."""

    def __init__(
        self,
        ledger: RequestLedger,
        connection_id: str,
        *,
        limit: int | None = None,
        force: bool = False,
    ) -> None:
        self.ledger = ledger
        self.connection_id = connection_id
        self.limit = limit
        self.force = force

    def admit(self, workspace_id: str | None, automatic: bool) -> None:
        self.ledger.admit(
            self.connection_id, workspace_id, automatic, limit=self.limit, force=self.force
        )

    def rate_limited(self, workspace_id: str | None) -> None:
        self.ledger.rate_limited(self.connection_id, workspace_id)

    def note_workspaces(self, workspaces: Iterable[Workspace]) -> None:
        """The workspaces (and plans) a `/workspaces` answer of this connection listed."""
        self.ledger.note_workspaces(self.connection_id, workspaces, count_listing=True)


class RequestLedger:
    """Counts this app's requests per workspace; see the module's docstring."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
        lock_timeout: float = 5.0,
    ) -> None:
        self._path = path
        self._clock = clock
        self._lock_timeout = lock_timeout
        self._file_lock: filelock.BaseFileLock | None = None
        self._thread_lock = threading.Lock()
        self._names: dict[str, str] = {}
        # What the file held when last read or written, and the changes made since that
        # are not in it yet (the disk failed): the ledger is `_base` with `_pending` applied.
        self._base = _State()
        self._pending: deque[_Op] = deque(maxlen=MAX_PENDING)
        self._degraded = False
        self._disk_warned = False
        self._damage_warned: bytes | None = None

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = paths.state_dir() / LEDGER_FILE
        return self._path

    # The user's and the panel's questions ------------------------------------------------

    def note_workspaces(
        self, connection_id: str, workspaces: Iterable[Workspace], *, count_listing: bool = False
    ) -> None:
        """Remember each workspace's plan, and that these are the connection's workspaces
        (replacing what it had). Names are kept in memory only, for messages.

        With `count_listing`, the first time a connection's workspaces are noted, the
        `/workspaces` request that listed them is counted against each: when it was sent,
        the ledger knew none of them.
        """
        seen: dict[str, str | None] = {}
        for workspace in workspaces:
            if not _is_id(workspace.id):
                continue
            plan = workspace.plan[:MAX_PLAN_CHARS] if workspace.plan is not None else None
            seen[workspace.id] = plan
            if workspace.name and workspace.name.strip():
                self._names[workspace.id] = workspace.name
            if len(seen) >= MAX_WORKSPACES:
                break

        stamp = self._clock()

        def note(state: _State) -> None:
            first = count_listing and connection_id not in state.connections
            for ident, plan in seen.items():
                entry = state.entry(ident)
                entry.plan = plan
                entry.known = True
                if first:
                    entry.requests.append(stamp)
            state.connections.pop(connection_id, None)  # the newest goes last
            state.connections[connection_id] = list(seen)

        if _is_id(connection_id):
            self._change(note)

    def is_limited(self, workspace_id: str) -> bool:
        """Whether the workspace has the Free plan's budget: a 429 in the last hour, or
        (unless the user marked it paid) a plan unknown, absent or containing FREE."""
        return self.usage(workspace_id).limited

    def set_paid(self, workspace_id: str, paid: bool) -> None:
        """The user's "This workspace has a paid plan", remembered in the file."""

        def mark(state: _State) -> None:
            state.entry(workspace_id).paid = paid

        if _is_id(workspace_id):
            self._change(mark)

    def marked_paid(self, workspace_id: str) -> bool:
        return self.usage(workspace_id).marked_paid

    def usage(self, workspace_id: str) -> Usage:
        def look(state: _State, now: float) -> tuple[Usage, None]:
            return self._usage(state, workspace_id, now), None

        return self._transact(look)

    def forget_connection(self, connection_id: str) -> None:
        """Forget a connection (it was removed): its list of workspaces, and the entries
        (counts, plans, paid marks) of those of its workspaces no other connection lists.
        Under the same locks as every change; like them it never raises."""

        def forget(state: _State) -> None:
            members = state.connections.pop(connection_id, None)
            if not members:
                return
            still_listed = {ident for others in state.connections.values() for ident in others}
            for ident in members:
                if ident not in still_listed:
                    state.workspaces.pop(ident, None)
                    self._names.pop(ident, None)

        self._change(forget)

    # The client's gate ---------------------------------------------------------------------

    def admit(
        self,
        connection_id: str,
        workspace_id: str | None,
        automatic: bool,
        *,
        limit: int | None = None,
        force: bool = False,
    ) -> None:
        """Check and record one request about to be sent, atomically.

        A request for a workspace counts against it; one naming none (`/user`,
        `/workspaces`) against every workspace of the connection. Refused with
        RequestBudgetError, recording nothing, when a limited workspace it counts against
        has `limit` requests in the last hour already (AUTOMATIC_LIMIT or USER_LIMIT unless
        given), unless `force`.
        """
        share = limit if limit is not None else AUTOMATIC_LIMIT if automatic else USER_LIMIT
        if share < 1:
            raise ValueError(f"a limit of {share} admits nothing")

        def decide(state: _State, now: float) -> tuple[None, _Op | None]:
            if workspace_id is None:
                targets = list(dict.fromkeys(state.connections.get(connection_id, [])))
            else:
                targets = [workspace_id]
            targets = [ident for ident in targets if _is_id(ident)]
            if not force:
                worst: Usage | None = None
                for ident in targets:
                    usage = self._usage(state, ident, now)
                    if not usage.limited or usage.used + 1 <= share:
                        continue
                    if worst is None or (usage.next_free_at(share) or 0.0) > (
                        worst.next_free_at(share) or 0.0
                    ):
                        worst = usage
                if worst is not None:
                    raise self._refusal(worst, share, automatic)

            def record(state: _State) -> None:
                for ident in targets:
                    state.entry(ident).requests.append(now)

            return None, record if targets else None

        self._transact(decide)

    def rate_limited(self, connection_id: str, workspace_id: str | None) -> None:
        """The server answered 429: the workspace (every workspace of the connection for
        None) counts as limited for the next LIMITED_AFTER_429_SECONDS, whatever its plan."""

        def decide(state: _State, now: float) -> tuple[None, _Op]:
            if workspace_id is None:
                targets = list(state.connections.get(connection_id, []))
            else:
                targets = [workspace_id]
            until = now + LIMITED_AFTER_429_SECONDS

            def mark(state: _State) -> None:
                for ident in targets:
                    if _is_id(ident):
                        entry = state.entry(ident)
                        entry.limited_until = max(entry.limited_until or until, until)

            return None, mark

        self._transact(decide)

    def gate(
        self, connection_id: str, *, limit: int | None = None, force: bool = False
    ) -> LedgerGate:
        """A RequestGate for a client of this connection (`limit` and `force` as `admit`'s)."""
        return LedgerGate(self, connection_id, limit=limit, force=force)

    # Inside ----------------------------------------------------------------------------------

    def _usage(self, state: _State, workspace_id: str, now: float) -> Usage:
        entry = state.workspaces.get(workspace_id)
        times = _counted(entry, now)
        until = entry.limited_until if entry is not None else None
        return Usage(
            workspace_id=workspace_id,
            used=len(times),
            limited=_limited(entry, now),
            plan=entry.plan if entry is not None else None,
            marked_paid=entry.paid if entry is not None else False,
            limited_until=until if until is not None and until > now else None,
            name=self._names.get(workspace_id),
            times=times,
        )

    def _refusal(self, usage: Usage, limit: int, automatic: bool) -> RequestBudgetError:
        retry_at = usage.next_free_at(limit)
        assert retry_at is not None  # refused only when used >= limit
        name = usage.display_name
        if automatic:
            message = (
                f"Saving requests for {name}: {usage.used} of {FREE_PLAN_LIMIT} used by this "
                "panel in the last hour. F5 refreshes anyway."
            )
        else:
            message = (
                f"Clockify allows {name} {FREE_PLAN_LIMIT} requests an hour on its plan, and "
                f"this app has used {usage.used} of them in the last hour; the next request "
                f"is possible at {_clock_text(retry_at)}."
            )
        return RequestBudgetError(
            message,
            workspace_id=usage.workspace_id,
            used=usage.used,
            limit=limit,
            retry_at=retry_at,
            automatic=automatic,
        )

    def _change(self, op: _Op) -> None:
        def decide(state: _State, now: float) -> tuple[None, _Op]:
            return None, op

        self._transact(decide)

    def _transact(self, decide: Callable[[_State, float], tuple[_T, _Op | None]]) -> _T:
        """Read the ledger, let `decide` look at it (and raise, or return an answer and a
        change), apply the change and write the ledger: all under both locks."""
        with self._thread_lock:
            locked = self._acquire()
            try:
                now = self._clock()
                state, readable, dirty = self._read(now)
                op: _Op | None = None
                try:
                    result, op = decide(state, now)
                finally:
                    if op is not None:
                        op(state)
                        self._pending.append(op)
                        dirty = True
                    _normalise(state, now)
                    if dirty and locked and readable:
                        self._write(state)
                return result
            finally:
                if locked:
                    self._release()

    def _read(self, now: float) -> tuple[_State, bool, bool]:
        """The ledger (the file's with the pending changes), whether the file could be read,
        and whether it must be written (damaged, clamped, or changes pending)."""
        dirty = False
        readable = True
        try:
            data = read_regular_file(self.path, MAX_FILE_BYTES)
        except FileNotFoundError:
            base = _State()
        except OSError as error:  # a folder in its place, no permission, an I/O error
            self._disk_problem(f"cannot read it ({type(error).__name__})")
            base = self._base.copy()
            readable = False
        else:
            try:
                base = _parse(data)
            except _DamagedError as error:
                digest = hashlib.sha256(data).digest()
                if self._damage_warned != digest:
                    self._damage_warned = digest
                    log.warning(
                        "The request ledger %s was damaged (%s); it starts again empty.",
                        self.path,
                        error,
                    )
                base = _State()
                dirty = True
        if readable:
            self._base = base.copy()
        state = base
        for op in self._pending:
            op(state)
        if _normalise(state, now):
            dirty = True
        return state, readable, dirty or bool(self._pending)

    def _write(self, state: _State) -> None:
        try:
            data = _encode(state)
            write_private_file(self.path, data)
        except (OSError, ValueError) as error:
            self._disk_problem(f"cannot write it ({type(error).__name__})")
            return
        self._pending.clear()
        self._base = state.copy()

    def _acquire(self) -> bool:
        """Take the lock file; False (after a warning, once) when it cannot be had."""
        try:
            if self._file_lock is None:
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                self._file_lock = filelock.FileLock(
                    str(self.path) + ".lock", timeout=self._lock_timeout, mode=0o600
                )
            timeout = self._lock_timeout
            if self._degraded:
                timeout = min(timeout, DEGRADED_LOCK_TIMEOUT)
            self._file_lock.acquire(timeout=timeout)
        except (OSError, RuntimeError) as error:  # a Timeout is an OSError; RuntimeError
            # is filelock's for a lock inherited across fork or one that would deadlock
            self._degraded = True
            self._disk_problem(f"cannot lock it ({type(error).__name__})")
            return False
        self._degraded = False
        return True

    def _release(self) -> None:
        assert self._file_lock is not None
        with contextlib.suppress(OSError):
            self._file_lock.release()

    def _disk_problem(self, what: str) -> None:
        if not self._disk_warned:
            self._disk_warned = True
            log.warning(
                "The request ledger %s: %s; requests are counted in memory until it works.",
                self.path,
                what,
            )
