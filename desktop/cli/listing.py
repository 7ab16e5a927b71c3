"""`list workspaces|users|clients`: the complete list, as a table, JSON, CSV or TSV."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from desktop.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    BudgetGate,
    CliError,
    add_connection_choice,
    budget_gate,
    chosen_connection,
    make_client,
    resolve_api_key,
    terminal_text,
    workspace_id,
)
from desktop.clockify.errors import NoPermissionError, WorkspaceNotFoundError
from desktop.options import add_connection_options

if TYPE_CHECKING:
    from desktop.clockify import ClockifyClient, Workspace

Row = dict[str, Any]


def _workspace_rows(items: Sequence[Workspace]) -> list[Row]:
    return [{"id": w.id, "name": w.name} for w in items]


def _workspaces(client: ClockifyClient, gate: BudgetGate) -> list[Workspace]:
    """The key's workspaces; their plans go to the request ledger (which are limited)."""
    workspaces = client.workspaces()
    gate.note_workspaces(workspaces)
    return workspaces


def _pick_workspace(client: ClockifyClient, gate: BudgetGate, requested: str | None) -> str:
    if requested:
        return requested
    workspaces = _workspaces(client, gate)
    if len(workspaces) == 1:
        return workspaces[0].id
    listing = ", ".join(f"{w.id} ({w.name})" for w in workspaces[:10])
    raise CliError(
        f"This key sees {len(workspaces)} workspaces: choose one with --workspace ID"
        + (f" ({listing})." if workspaces else "."),
        EXIT_USAGE,
    )


def run_list(args: argparse.Namespace) -> int:
    """`list`: print the list `args` asks for; CliError or ClockifyError when it cannot."""
    # Checked before any request: a typo costs none of the workspace's hourly budget.
    if args.fields:
        wrong = [name for name in args.fields if name not in COLUMNS[args.what]]
        if wrong:
            raise CliError(
                f"The {args.what} list has no column {terminal_text(wrong[0])!r}; its columns are "
                f"{', '.join(COLUMNS[args.what])}.",
                EXIT_USAGE,
            )
    # --connection NAME, or the only stored connection, or the address given (exit 2 when
    # it is not clear which).
    picked = chosen_connection(args, args.connection)
    connection = picked.connection
    key = resolve_api_key(connection, picked)
    # Every request is counted in the ledger the panel shares, and refused past this app's
    # share of a limited (Free plan) workspace's hourly budget unless --force.
    gate = budget_gate(connection, force=args.force)
    client = make_client(args, connection, key)
    client.gate = gate
    try:
        rows: list[Row]
        if args.what == "workspaces":
            rows = _workspace_rows(_workspaces(client, gate))
        else:
            chosen = _pick_workspace(client, gate, args.workspace)
            if args.what == "users":
                try:
                    rows = client.user_rows(chosen, include_inactive=args.all)
                except NoPermissionError:
                    # 403 code 501 is the same answer for "not an admin" and "no such
                    # workspace"; the workspace list tells them apart.
                    if chosen not in {w.id for w in _workspaces(client, gate)}:
                        raise WorkspaceNotFoundError(chosen) from None
                    raise
            else:
                rows = client.client_rows(chosen, include_archived=args.all)
    finally:
        client.close()
    columns = args.fields or (list(rows[0]) if rows else COLUMNS[args.what])
    # Built whole, then written at once: json.dump wrote 10,000 users in 200,000 pieces.
    sys.stdout.write(FORMATTERS[args.format](rows, columns))
    return EXIT_OK


#: The columns of each list, in their order (what an empty list prints): Clockify's names.
COLUMNS = {
    "workspaces": ["id", "name"],
    "users": ["id", "name", "email", "status"],
    "clients": [
        "id",
        "name",
        "archived",
        "address",
        "email",
        "ccEmails",
        "currencyCode",
        "note",
    ],
}


def field_list(text: str) -> list[str]:
    """`--fields`: column names separated by commas, each known to some list."""
    names = [name.strip() for name in text.split(",")]
    known = dict.fromkeys(name for columns in COLUMNS.values() for name in columns)
    if not text.strip() or any(not name for name in names):
        raise argparse.ArgumentTypeError(
            "give column names separated by commas, e.g. --fields id,name,email"
        )
    unknown = [name for name in names if name not in known]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown column {terminal_text(unknown[0])!r}; the columns are {', '.join(known)}"
        )
    return list(dict.fromkeys(names))


#: The types a row's value has (texts, null, the archived flag); any other is formatted the
#: slow, general way.
_PLAIN_TYPES = frozenset({str, type(None), bool})
_JSON_SCALARS = {None: "null", True: "true", False: "false"}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):  # ccEmails
        return ", ".join(map(str, value))
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
        if not types <= _PLAIN_TYPES:  # ccEmails lists, or any odd value
            picked = [{name: row[name] for name in columns} for row in rows]
            return json.dumps(picked, ensure_ascii=False, indent=2) + "\n"
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


#: The text of the rows in each --format, built whole.
FORMATTERS: dict[str, Callable[[list[Row], list[str]], str]] = {
    "table": _table_text,
    "json": _json_text,
    "csv": _delimited(","),
    "tsv": _delimited("\t"),
}


def add_list_command(commands: Any) -> None:
    """Add `list` to the program's subparsers."""
    lister = commands.add_parser(
        "list",
        help="print workspaces, users or clients (table, json, csv, tsv)",
        description="Print the complete list of workspaces, or of a workspace's users or clients. "
        "--connection NAME picks one of several stored connections (without it: the only one).",
    )
    lister.add_argument("what", choices=["workspaces", "users", "clients"])
    lister.add_argument(
        "--workspace", metavar="ID", type=workspace_id, help="workspace id (optional if only one)"
    )
    lister.add_argument("--format", choices=sorted(FORMATTERS), default="table")
    lister.add_argument(
        "--all", action="store_true", help="include inactive users and archived clients"
    )
    lister.add_argument(
        "--fields",
        metavar="A,B,C",
        type=field_list,
        help="the columns to print, in this order (default: all of the list's columns: "
        + "; ".join(f"{what}: {','.join(columns)}" for what, columns in COLUMNS.items())
        + ")",
    )
    lister.add_argument(
        "--force",
        action="store_true",
        help="send even past this app's share of a Free workspace's hourly budget "
        "(Clockify allows a Free workspace 30 requests an hour, shared with its other "
        "integrations; this app stops at 25 and warns above 20)",
    )
    add_connection_options(lister)
    add_connection_choice(lister)
    lister.set_defaults(handler=run_list)


__all__ = ["COLUMNS", "FORMATTERS", "Row", "add_list_command", "run_list"]
