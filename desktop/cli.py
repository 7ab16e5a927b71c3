"""The command line: the panel (default), `list` for scripts, and `key` for the stored key."""

from __future__ import annotations

import argparse
import atexit
import csv
import gc
import io
import json
import logging
import math
import os
import re
import sys
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, NoReturn

from desktop import __version__
from desktop.clockify.connection import REGIONS, ApiKey, Connection
from desktop.clockify.errors import ClockifyError, NoPermissionError, WorkspaceNotFoundError

# The HTTP client is imported where it is used: the panel parses these arguments too, and
# starts reading the stored key right after, before anything else is imported.
if TYPE_CHECKING:
    from desktop.clockify import ClockifyClient, Workspace

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_KEY = 3

ENV_API_KEY = "CLOCKIFY_API_KEY"
ENV_BASE_URL = "CLOCKIFY_BASE_URL"
PROG = "clockify-panel"

MIN_TIMEOUT = 1.0
MAX_TIMEOUT = 600.0
#: A Clockify id as this program accepts it from a person: a plain token, nothing that could
#: change the path or the query of the request it goes into.
_ID_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")


class CliError(Exception):
    """A failure with its exit code and one clear line for stderr."""

    def __init__(self, message: str, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def terminal_text(text: str) -> str:
    """`text` with control characters escaped, so that nothing from a server can steer the
    terminal (colours, cursor moves, a bell, a changed window title)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def timeout_seconds(text: str) -> float:
    """--timeout: a finite number of seconds from MIN_TIMEOUT to MAX_TIMEOUT."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (MIN_TIMEOUT <= value <= MAX_TIMEOUT):  # also false for nan
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds from {MIN_TIMEOUT:g} to {MAX_TIMEOUT:g}, "
            f"not {terminal_text(text[:40])!r}"
        )
    return value


def workspace_id(text: str) -> str:
    """--workspace: a plain id token (letters, digits, '-', '_'; 1 to 64 characters)."""
    if not _ID_TOKEN.match(text):
        raise argparse.ArgumentTypeError(
            "must be a workspace id: 1 to 64 letters, digits, '-' or '_' "
            "(`list workspaces` shows the ids)"
        )
    return text


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection")
    group.add_argument(
        "--region",
        choices=list(REGIONS),
        help="Clockify region of the account (default: global)",
    )
    group.add_argument(
        "--base-url",
        metavar="URL",
        help=f"custom API base URL (self-hosted, tests); env {ENV_BASE_URL}",
    )
    group.add_argument(
        "--timeout",
        type=timeout_seconds,
        default=20.0,
        metavar="SECONDS",
        help="give up on a request not complete within this time, 1 to 600 (default 20)",
    )


def connection_from_args(args: argparse.Namespace) -> Connection:
    base_url = args.base_url or os.environ.get(ENV_BASE_URL) or None
    return Connection.from_options(args.region, base_url)


def resolve_api_key(connection: Connection) -> ApiKey:
    """The key from env CLOCKIFY_API_KEY, else the stored one; exit 3 when there is none."""
    env_key = os.environ.get(ENV_API_KEY, "").strip()
    if env_key:
        try:
            return ApiKey(env_key)
        except ValueError as exc:
            raise CliError(f"{ENV_API_KEY} is not a usable API key: {exc}.", EXIT_KEY) from None
    from desktop.store import CredentialError, load_api_key

    try:
        key = load_api_key(connection)
    except CredentialError as exc:
        raise CliError(str(exc), EXIT_KEY) from None
    if key is None:
        raise CliError(
            f"No API key for {connection.label}. Connect with `python -m desktop key set` "
            f"(it reads the key from stdin), or set {ENV_API_KEY}.",
            EXIT_KEY,
        )
    return key


def make_client(args: argparse.Namespace, connection: Connection, key: ApiKey) -> ClockifyClient:
    from desktop.clockify import ClockifyClient

    timeout = float(args.timeout)
    # No thread to keep responsive here: each page is decoded in one call, while the next
    # one is on its way.
    return ClockifyClient(
        connection, key, timeout=(min(5.0, timeout), timeout), yielding=False, read_ahead=True
    )


# -- list ------------------------------------------------------------------------------------

Row = dict[str, Any]


def _workspace_rows(items: Sequence[Workspace]) -> list[Row]:
    return [{"id": w.id, "name": w.name} for w in items]


def _pick_workspace(client: ClockifyClient, requested: str | None) -> str:
    if requested:
        return requested
    workspaces = client.workspaces()
    if len(workspaces) == 1:
        return workspaces[0].id
    listing = ", ".join(f"{w.id} ({w.name})" for w in workspaces[:10])
    raise CliError(
        f"This key sees {len(workspaces)} workspaces: choose one with --workspace ID"
        + (f" ({listing})." if workspaces else "."),
        EXIT_USAGE,
    )


def _cmd_list(args: argparse.Namespace) -> int:
    # A list is trees of JSON, with no cycles for the cyclic collector to find: it only
    # costs this short process time (about 12 ms for 10,000 users), so it rests until the
    # list is printed. What is left then lives until the process ends, and is frozen at
    # exit so that the collector's last full pass skips it (35 ms with requests loaded).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _list(args)
    finally:
        if collecting:
            gc.enable()
        atexit.unregister(gc.freeze)  # registered once, however many lists one process prints
        atexit.register(gc.freeze)


def _list(args: argparse.Namespace) -> int:
    connection = connection_from_args(args)
    key = resolve_api_key(connection)
    client = make_client(args, connection, key)
    try:
        rows: list[Row]
        if args.what == "workspaces":
            rows = _workspace_rows(client.workspaces())
        else:
            workspace_id = _pick_workspace(client, args.workspace)
            if args.what == "users":
                try:
                    rows = client.user_rows(workspace_id, include_inactive=args.all)
                except NoPermissionError:
                    # 403 code 501 is the same answer for "not an admin" and "no such
                    # workspace"; the workspace list tells them apart.
                    if workspace_id not in {w.id for w in client.workspaces()}:
                        raise WorkspaceNotFoundError(workspace_id) from None
                    raise
            else:
                rows = client.client_rows(workspace_id, include_archived=args.all)
    finally:
        client.close()
    columns = list(rows[0]) if rows else _COLUMNS[args.what]
    # Built whole, then written at once: json.dump wrote 10,000 users in 200,000 pieces.
    sys.stdout.write(_FORMATTERS[args.format](rows, columns))
    return EXIT_OK


_COLUMNS = {
    "workspaces": ["id", "name"],
    "users": ["id", "name", "email", "status"],
    "clients": ["id", "name", "archived"],
}
#: The types a row's value has (texts, null, the archived flag); any other is formatted the
#: slow, general way.
_PLAIN_TYPES = frozenset({str, type(None), bool})
_JSON_SCALARS = {None: "null", True: "true", False: "false"}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _column(rows: list[Row], name: str) -> tuple[list[Any], frozenset[type]]:
    """The values of one column, and the types among them."""
    values = [row[name] for row in rows]
    return values, frozenset(map(type, values))


def _json_text(rows: list[Row], columns: list[str]) -> str:
    """json.dumps(rows, ensure_ascii=False, indent=2) and a newline, the same text, built in
    about half the time: each text through json's own C encoder, a column at a time, and
    every row through one template."""
    if not rows:
        return "[]\n"
    encoded: list[list[str]] = []
    for name in columns:
        values, types = _column(rows, name)
        if not types <= _PLAIN_TYPES:
            return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
        encoded.append(
            [encode_basestring(v) if type(v) is str else _JSON_SCALARS[v] for v in values]
        )
    keys = [encode_basestring(name).replace("%", "%%") for name in columns]
    template = "  {\n" + ",\n".join(f"    {key}: %s" for key in keys) + "\n  }"
    return "[\n" + ",\n".join(map(template.__mod__, zip(*encoded, strict=True))) + "\n]\n"


def _cells(rows: list[Row], columns: list[str]) -> list[list[str]]:
    """Each column's values as the text of a cell (see _cell)."""
    cells: list[list[str]] = []
    for name in columns:
        values, types = _column(rows, name)
        if types <= {str}:
            cells.append(values)
        elif types <= {str, type(None)}:
            cells.append(["" if v is None else v for v in values])
        else:
            cells.append([_cell(v) for v in values])
    return cells


def _delimited(delimiter: str) -> Callable[[list[Row], list[str]], str]:
    def text(rows: list[Row], columns: list[str]) -> str:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows(zip(*_cells(rows, columns), strict=True))
        return buffer.getvalue()

    return text


def _table_text(rows: list[Row], columns: list[str]) -> str:
    # One row per record, and nothing that steers the terminal: control characters escaped.
    cells = [
        [t if t.isprintable() else terminal_text(t) for t in column]
        for column in _cells(rows, columns)
    ]
    widths = [
        min(max(len(name), max(map(len, column))), 60) if column else len(name)
        for name, column in zip(columns, cells, strict=True)
    ]
    template = "  ".join(f"%-{w}s" for w in widths)
    lines = [(template % tuple(c.upper() for c in columns)).rstrip()]
    lines += [(template % line).rstrip() for line in zip(*cells, strict=True)]
    lines.append("")
    return "\n".join(lines)


_FORMATTERS: dict[str, Callable[[list[Row], list[str]], str]] = {
    "table": _table_text,
    "json": _json_text,
    "csv": _delimited(","),
    "tsv": _delimited("\t"),
}


# -- parser ----------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (and exit code 2), like every other
    error of this program; --help still shows the usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {terminal_text(message)} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="A reference panel of Clockify workspaces, users and clients.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the panel on built-in demo data (no account, no network)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation on demo data (offscreen), print ok/FAIL lines, and exit",
    )
    add_connection_options(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    lister = commands.add_parser(
        "list",
        help="print workspaces, users or clients (table, json, csv, tsv)",
        description="Print the complete list of workspaces, or of a workspace's users or clients.",
    )
    lister.add_argument("what", choices=["workspaces", "users", "clients"])
    lister.add_argument(
        "--workspace", metavar="ID", type=workspace_id, help="workspace id (optional if only one)"
    )
    lister.add_argument("--format", choices=sorted(_FORMATTERS), default="table")
    lister.add_argument(
        "--all", action="store_true", help="include inactive users and archived clients"
    )
    add_connection_options(lister)
    lister.set_defaults(handler=_cmd_list)

    from desktop.keycmd import add_key_command

    add_key_command(commands)
    return parser


def _run_panel(args: argparse.Namespace) -> int:
    from desktop.ui.stored import early_start

    early = early_start(args)  # first: the stored key is read while the UI loads
    from desktop.ui.app import run_panel

    return run_panel(args, early)


def run(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv))
    if args.self_test:
        from desktop.selftest import run_self_test

        return run_self_test()
    handler: Callable[[argparse.Namespace], int] = getattr(args, "handler", _run_panel)
    try:
        return handler(args)
    except (CliError, ClockifyError) as exc:
        print(f"{PROG}: {terminal_text(exc.message)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `clockify-panel list users | head`: the reader left; that is not an error.
        sys.stderr.close()
        return EXIT_OK
