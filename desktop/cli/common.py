"""What every command shares: exit codes, `CliError`, terminal-safe text, the --workspace
parser, the connection a command works on (`--connection NAME`, `chosen_connection`), the
API key it uses, the client it talks through, and the gate that keeps a command within
this app's share of a Free workspace's hourly requests (`BudgetGate`)."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.clockify.connection import ApiKey, Connection
from desktop.errors import AppError
from desktop.options import ENV_API_KEY, ENV_BASE_URL, api_key_from_env, connection_from_args

# The HTTP client and the key store are imported where they are used: the panel parses
# these arguments too, and starts reading the stored key right after, before anything
# else is imported.
if TYPE_CHECKING:
    from desktop.clockify import ClockifyClient, Workspace
    from desktop.store.connections import ConnectionRegistry, NamedConnection
    from desktop.store.ledger import RequestLedger, Usage

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_KEY = 3

PROG = "clockify-panel"

#: A Clockify id as this program accepts it from a person: a plain token, nothing that could
#: change the path or the query of the request it goes into.
_ID_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")


class CliError(AppError):
    """A failure with its exit code and one clear line for stderr."""

    def __init__(self, message: str, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def terminal_text(text: str) -> str:
    """`text` with control characters escaped, so that nothing from a server can steer the
    terminal (colours, cursor moves, a bell, a changed window title)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def workspace_id(text: str) -> str:
    """--workspace: a plain id token (letters, digits, '-', '_'; 1 to 64 characters)."""
    if not _ID_TOKEN.match(text):
        raise argparse.ArgumentTypeError(
            "must be a workspace id: 1 to 64 letters, digits, '-' or '_' "
            "(`list workspaces` shows the ids)"
        )
    return text


@contextlib.contextmanager
def store_errors() -> Iterator[None]:
    """A key store failure becomes the command line's one-line message with exit code 3."""
    from desktop.store import CredentialError

    try:
        yield
    except CredentialError as exc:
        raise CliError(exc.message, EXIT_KEY) from None


@dataclass(frozen=True, slots=True)
class Chosen:
    """The connection a command works on, and its name when it is a stored one (None for
    an address given with --region / --base-url that no stored connection has)."""

    connection: Connection
    name: str | None = None

    @property
    def description(self) -> str:
        """For messages: the address's label, then the name (quoted) when there is one."""
        label = self.connection.label
        return label if self.name is None else f'{label}, connection "{terminal_text(self.name)}"'

    @property
    def set_command(self) -> str:
        """The command that stores this connection's key."""
        if self.name is None:
            return "python -m desktop key set"
        return f'python -m desktop key set --name "{terminal_text(self.name)}"'


def add_connection_choice(parser: argparse.ArgumentParser) -> None:
    """Add --connection NAME to a command that talks to Clockify (`list`, `xref`)."""
    parser.add_argument(
        "--connection",
        metavar="NAME",
        help="the stored connection to use, by its name (ignoring case; `key status` lists "
        "them); needed when there are several. Not with --region or --base-url",
    )


def _registry() -> ConnectionRegistry:
    from desktop.store.connections import ConnectionRegistry

    return ConnectionRegistry()


def _address_given(args: argparse.Namespace) -> bool:
    """Whether --region, --base-url or env CLOCKIFY_BASE_URL names an address."""
    return bool(args.region or args.base_url or os.environ.get(ENV_BASE_URL))


def _names(connections: Sequence[NamedConnection]) -> str:
    return ", ".join(f'"{terminal_text(c.name)}"' for c in connections)


def stored_connections(registry: ConnectionRegistry | None = None) -> list[NamedConnection]:
    """The stored connections; none while nothing was ever stored (the registry's implicit
    Global connection is only a default then)."""
    return (registry or _registry()).saved() or []


def chosen_connection(
    args: argparse.Namespace, name: str | None, *, option: str = "--connection"
) -> Chosen:
    """The connection a command works on.

    * `name` (given with `option`): the stored connection of that name, ignoring case
      (exit 2 when there is none, naming the choices); --region or --base-url with it is a
      usage error (exit 2). Env CLOCKIFY_BASE_URL is ignored then.
    * else --region, --base-url or env CLOCKIFY_BASE_URL: the stored connection with that
      address when exactly one has it (several: exit 2, naming them); when none has it,
      the address itself in the storage slot of earlier versions (a key stored by an
      earlier version, or CLOCKIFY_API_KEY for one run).
    * else the only stored connection; none: Global (the default of earlier versions,
      for CLOCKIFY_API_KEY or a key stored before connections had names), several: exit 2,
      naming them and saying to use `option`.
    """
    from desktop.store.connections import UnknownConnectionError

    if name is not None:
        if args.region or args.base_url:
            raise CliError(
                f"{option} picks a stored connection, with its address: give it without "
                "--region or --base-url.",
                EXIT_USAGE,
            )
        try:
            named = _registry().find(name)
        except UnknownConnectionError as exc:
            raise CliError(terminal_text(exc.message), EXIT_USAGE) from None
        return Chosen(named.connection, named.name)
    connections = stored_connections()
    if _address_given(args):
        address = connection_from_args(args)
        matching = [c for c in connections if c.connection.same_address(address)]
        if len(matching) == 1:
            return Chosen(matching[0].connection, matching[0].name)
        if matching:
            raise CliError(
                f"{len(matching)} connections use {address.label} ({_names(matching)}): "
                f"choose one with {option} NAME.",
                EXIT_USAGE,
            )
        return Chosen(address)
    if len(connections) == 1:
        return Chosen(connections[0].connection, connections[0].name)
    if not connections:
        return Chosen(Connection.for_region("global"))
    raise CliError(
        f"There are {len(connections)} connections ({_names(connections)}): choose one with "
        f"{option} NAME.",
        EXIT_USAGE,
    )


def resolve_api_key(connection: Connection, chosen: Chosen | None = None) -> ApiKey:
    """The key from env CLOCKIFY_API_KEY, else the stored one; exit 3 when there is none."""
    env_key = api_key_from_env()  # UnusableEnvKeyError: exit 3
    if env_key is not None:
        return env_key
    from desktop.store import load_api_key

    with store_errors():
        key = load_api_key(connection)
    if key is None:
        chosen = chosen or Chosen(connection)
        raise CliError(
            f"No API key for {chosen.description}. Connect with `{chosen.set_command}` "
            f"(it reads the key from stdin), or set {ENV_API_KEY}.",
            EXIT_KEY,
        )
    return key


def make_client(args: argparse.Namespace, connection: Connection, key: ApiKey) -> ClockifyClient:
    """The client of a command: --timeout for each request (at most 5 s to connect)."""
    from desktop.clockify import ClockifyClient

    timeout = float(args.timeout)
    # No thread to keep responsive here: each page is decoded in one call, while the next
    # one is on its way.
    return ClockifyClient(
        connection, key, timeout=(min(5.0, timeout), timeout), yielding=False, read_ahead=True
    )


#: A command warns (once, on stderr) when this app's count for a limited workspace in the
#: last hour is above this after one of its requests; it refuses past the ledger's
#: USER_LIMIT (25) unless --force.
WARN_ABOVE = 20


def budget_gate(connection: Connection, *, force: bool = False) -> BudgetGate:
    """The gate of a command's client: its requests counted in the request ledger the panel
    shares (the default file in the state folder), for `connection`."""
    from desktop.store.ledger import RequestLedger

    return BudgetGate(RequestLedger(), connection.id, force=force)


class BudgetGate:
    """The command line's RequestGate (desktop.clockify.client), on a RequestLedger for one
    connection.

    Each request counts as one the user asked for (retries too: the user is waiting for
    them), so a limited (Free plan) workspace gets at most the ledger's USER_LIMIT of them
    in a rolling hour; past that the request is not sent and RequestBudgetError (exit 5)
    says when one will be possible, and that --force sends it anyway (`force`: counted, never
    refused). The first time a request leaves a limited workspace above WARN_ABOVE, one
    warning line goes to `warn` (default: stderr); never a second one. A 429 is recorded:
    the ledger then treats the workspace as limited for an hour, whatever its plan.
    """

    def __init__(
        self,
        ledger: RequestLedger,
        connection_id: str,
        *,
        force: bool = False,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.ledger = ledger
        self.connection_id = connection_id
        self.force = force
        self._warn = warn or _print_warning
        self._noted: list[str] = []  # the workspaces a /workspaces answer named, this run
        self._warned = False
        self._lock = threading.Lock()  # a page read ahead is admitted on another thread

    def admit(self, workspace_id: str | None, automatic: bool) -> None:
        """Count the request about to be sent, or raise RequestBudgetError to stop it."""
        from desktop.clockify.errors import RequestBudgetError
        from desktop.store.ledger import USER_LIMIT

        del automatic  # a command sends nothing on its own: the user asked for all of it
        try:
            self.ledger.admit(
                self.connection_id, workspace_id, False, limit=USER_LIMIT, force=self.force
            )
        except RequestBudgetError as exc:
            raise RequestBudgetError(
                f"{exc.message} Nothing was sent; --force sends it anyway (the workspace's "
                "hourly budget is shared with its other integrations).",
                workspace_id=exc.workspace_id,
                used=exc.used,
                limit=exc.limit,
                retry_at=exc.retry_at,
                automatic=False,
            ) from None
        # A request naming no workspace (/workspaces, /user) counts for each of the key's.
        self._warn_once([workspace_id] if workspace_id is not None else self._noted)

    def rate_limited(self, workspace_id: str | None) -> None:
        self.ledger.rate_limited(self.connection_id, workspace_id)

    def note_workspaces(self, workspaces: Iterable[Workspace]) -> None:
        """A /workspaces answer: the ledger learns their plans (so that later commands and
        the panel know which are limited) and their names (for the messages)."""
        workspaces = list(workspaces)
        self.ledger.note_workspaces(self.connection_id, workspaces)
        with self._lock:
            self._noted = [w.id for w in workspaces]
        # The request for this answer counted against them: a `list workspaces` warns too.
        self._warn_once(self._noted)

    def _warn_once(self, workspace_ids: Sequence[str]) -> None:
        """The warning, for the first of `workspace_ids` above WARN_ABOVE, unless given."""
        for wid in workspace_ids:
            if self._warned:
                return
            usage = self.ledger.usage(wid)
            if usage.limited and usage.used > WARN_ABOVE and self._claim_warning():
                self._warn(
                    f"{usage.used} of the {_free_plan_limit()} requests Clockify allows "
                    f"{usage.display_name} an hour used by this app in the last hour "
                    f"({_why_limited(usage)})."
                )
                return

    def _claim_warning(self) -> bool:
        """True once: for the one thread that gives the warning."""
        with self._lock:
            claimed, self._warned = not self._warned, True
        return claimed


def _free_plan_limit() -> int:
    from desktop.store.ledger import FREE_PLAN_LIMIT

    return FREE_PLAN_LIMIT


def _why_limited(usage: Usage) -> str:
    """Why the ledger counts a workspace's requests against 30 an hour."""
    plan = usage.plan
    if plan is None or "FREE" in plan.upper():
        return "Free plan"
    return "Clockify answered 429 Too Many Requests within the hour"


def _print_warning(text: str) -> None:
    print(f"{PROG}: warning: {terminal_text(text)}", file=sys.stderr)


__all__ = [
    "EXIT_ERROR",
    "EXIT_KEY",
    "EXIT_OK",
    "EXIT_USAGE",
    "PROG",
    "WARN_ABOVE",
    "BudgetGate",
    "Chosen",
    "CliError",
    "add_connection_choice",
    "budget_gate",
    "chosen_connection",
    "make_client",
    "resolve_api_key",
    "store_errors",
    "stored_connections",
    "terminal_text",
    "workspace_id",
]
