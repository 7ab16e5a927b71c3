"""`xref`: each Clockify client of a workspace matched to its docs101 customer.

The customers come from a CSV export (``--customers FILE.csv``) or else from docs101's API,
with the key in env DOCS101_API_KEY or else the one the key store keeps (when it keeps
one). The matching is desktop.xref.matching's; the output one entry per Clockify client:
`clockify_id`, `clockify_name`, `status` (match, similar, missing), `docs101_id`,
`docs101_name`, `score` (the last three null for `missing`).

What is checked before any request, so that a mistake costs nothing: the connection
(`--connection NAME`, else the only stored one; exit 2 when it is not clear), then the CSV
file is read (exit 2 with its message), the docs101 key and base URL are resolved, then the
Clockify key. docs101 is asked before Clockify: a refused docs101 key costs none of a Free
workspace's hourly Clockify budget. Every Clockify request goes through the same budget
gate as `list`, and the exit codes are `list`'s: 2 usage or an unreadable file, 3 a key
missing or refused, 4 no access (a workspace not found, docs101's plan), 5 the network,
a timeout or the budget, 1 anything else.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.cli.common import (
    EXIT_KEY,
    EXIT_OK,
    CliError,
    add_connection_choice,
    budget_gate,
    chosen_connection,
    make_client,
    resolve_api_key,
    store_errors,
    workspace_id,
)
from desktop.cli.listing import FORMATTERS, Row, _pick_workspace
from desktop.options import (
    ENV_DOCS101_API_KEY,
    add_connection_options,
    add_docs101_options,
    docs101_base_url_from_args,
    docs101_key_from_env,
)

if TYPE_CHECKING:
    from desktop.clockify.connection import ApiKey
    from desktop.xref.customers import Customer
    from desktop.xref.matching import Entry

#: The keys of each entry, in this order (json: exactly these; csv and table: the columns).
COLUMNS = ["clockify_id", "clockify_name", "status", "docs101_id", "docs101_name", "score"]

#: The formats `xref` prints.
FORMATS = ("table", "json", "csv")

NO_DOCS101_KEY = (
    f"No docs101 API key: set {ENV_DOCS101_API_KEY}, or give --customers FILE.csv "
    "(a CSV export of your docs101 customers)."
)


def run_xref(args: argparse.Namespace) -> int:
    """`xref`: print the cross-reference `args` asks for; an AppError when it cannot."""
    from desktop.xref.customers_csv import read_customers

    picked = chosen_connection(args, args.connection)  # usage errors first (exit 2)
    connection = picked.connection
    fetch_customers: Callable[[], list[Customer]]
    if args.customers is not None:
        customers = read_customers(Path(args.customers))  # CustomersError: exit 2

        def fetch_customers() -> list[Customer]:
            return customers
    else:
        fetch_customers = _docs101_source(args)
    key = resolve_api_key(connection, picked)
    gate = budget_gate(connection, force=args.force)
    found = fetch_customers()
    client = make_client(args, connection, key)
    client.gate = gate
    try:
        chosen = _pick_workspace(client, gate, args.workspace)
        clients = client.clients(chosen, include_archived=args.all)
    finally:
        client.close()

    from desktop.xref.matching import cross_reference
    from desktop.xref.sources import candidates, clients_for_xref

    result = cross_reference(clients_for_xref(clients), candidates(found))
    rows = entry_rows(result.entries)
    if args.format != "json":
        rows = [{**row, "score": _score_text(row["score"])} for row in rows]
    # Built whole, then written at once, as `list` does.
    sys.stdout.write(FORMATTERS[args.format](rows, COLUMNS))
    return EXIT_OK


def entry_rows(entries: Sequence[Entry]) -> list[Row]:
    """Each entry as a row of COLUMNS; the score rounded to one decimal (None if missing)."""
    return [
        {
            "clockify_id": e.clockify_id,
            "clockify_name": e.clockify_name,
            "status": e.status,
            "docs101_id": e.docs101_id,
            "docs101_name": e.docs101_name,
            "score": None if e.score is None else round(float(e.score), 1),
        }
        for e in entries
    ]


def _score_text(score: Any) -> str | None:
    return None if score is None else f"{score:.1f}"


def _docs101_source(args: argparse.Namespace) -> Callable[[], list[Customer]]:
    """What reads the customers from docs101's API, with the key and the base URL resolved
    now (exit 3 without a key, 2 for an unusable base URL); nothing is sent yet."""
    from desktop.docs101.client import DEFAULT_BASE_URL, Docs101Client

    key = docs101_key_from_env()
    if key is None:
        key = _stored_docs101_key()
    if key is None:
        raise CliError(NO_DOCS101_KEY, EXIT_KEY)
    timeout = float(args.timeout)
    docs101 = Docs101Client(
        docs101_base_url_from_args(args) or DEFAULT_BASE_URL,
        key,
        timeout=(min(5.0, timeout), timeout),
        yielding=False,
    )

    def fetch() -> list[Customer]:
        from desktop.xref.sources import customers_from_docs101

        try:
            return customers_from_docs101(docs101.customers())
        finally:
            docs101.close()

    return fetch


def _stored_docs101_key() -> ApiKey | None:
    """The docs101 key the key store keeps (the panel's settings store it), None when it
    keeps none. A store that cannot be read is exit 3 with its message, as for the
    Clockify key.

    Read through the store's `get_docs101_key()`; a store without that method (a build
    whose store keeps no docs101 key) has none.
    """
    from desktop.store import open_credential_store

    with store_errors():
        store = open_credential_store()
        load: Callable[[], ApiKey | None] | None = getattr(store, "get_docs101_key", None)
        return None if load is None else load()


def add_xref_command(commands: Any) -> None:
    """Add `xref` to the program's subparsers."""
    xref = commands.add_parser(
        "xref",
        help="match each Clockify client to its docs101 customer (table, json, csv)",
        description="Cross-reference a workspace's Clockify clients with your docs101 "
        "customers: one entry per client with its status (match, similar, missing), the "
        "docs101 customer's id and name, and the score. The customers come from "
        "--customers FILE.csv, else from docs101's API (env DOCS101_API_KEY, else the "
        "stored docs101 key).",
    )
    xref.add_argument(
        "--workspace", metavar="ID", type=workspace_id, help="workspace id (optional if only one)"
    )
    xref.add_argument(
        "--customers",
        metavar="FILE.csv",
        help="a CSV export of your docs101 customers, instead of docs101's API",
    )
    xref.add_argument("--format", choices=FORMATS, default="table")
    xref.add_argument("--all", action="store_true", help="include archived clients")
    xref.add_argument(
        "--force",
        action="store_true",
        help="send even past this app's share of a Free workspace's hourly budget (as for `list`)",
    )
    add_connection_options(xref)
    add_connection_choice(xref)
    add_docs101_options(xref)
    xref.set_defaults(handler=run_xref)


__all__ = ["COLUMNS", "FORMATS", "NO_DOCS101_KEY", "add_xref_command", "entry_rows", "run_xref"]
