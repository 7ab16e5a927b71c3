"""`key set|status|clear`: store, check and forget the API key of a named connection.

Connections have names (`desktop.store.connections`); `--name NAME` picks one (ignoring
case), and `key set --name NEW` adds one. Without --name, the address given (--region,
--base-url, env CLOCKIFY_BASE_URL) picks the stored connection that has it, else the only
stored connection is meant; several are a usage error (exit 2) that names them.

The key is read from stdin only (without echo on a terminal), never from the command
line, where other users could read it in the process list.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from desktop.cli.common import (
    EXIT_KEY,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    chosen_connection,
    make_client,
    store_errors,
    stored_connections,
    terminal_text,
)
from desktop.clockify import ApiKey, ClockifyError, Connection, KeyRejectedError
from desktop.options import (
    ENV_API_KEY,
    ENV_BASE_URL,
    add_connection_options,
    connection_from_args,
)

# The key store is imported by the commands that use it: the panel's start parses these
# arguments too, and it reads the key on its own thread, as early as it can.
if TYPE_CHECKING:
    from desktop.store import CredentialStore
    from desktop.store.connections import NamedConnection

PROMPT = "Clockify API key (typing is hidden): "


def add_key_command(commands: Any) -> None:
    """Add `key` with its actions to the program's subparsers."""
    key = commands.add_parser(
        "key",
        help="store, check or forget the API key of a named connection (system keyring or "
        "encrypted file)",
        description=(
            "Keep the API key of each Clockify connection (a name you choose, a region or "
            "base URL) in the system keyring or, without one, in a passphrase-protected file "
            "(passphrase from env CLOCKIFY_PANEL_PASSPHRASE). Env "
            "CLOCKIFY_PANEL_CREDENTIALS=file|keyring forces one of them."
        ),
    )
    actions = key.add_subparsers(dest="key_action", metavar="ACTION", required=True)

    setter = actions.add_parser(
        "set",
        help="read the key from stdin, check it and store it",
        description=(
            "Read the API key from stdin (hidden prompt on a terminal, else the first line), "
            "check it against Clockify and store it. With --name: a new name adds that "
            "connection (at --region / --base-url, default Global), an existing one gets the "
            "new key (its address cannot change). Without --name: the stored connection with "
            "the address given, else a new one named after the region or host; without an "
            "address, the only stored connection (a new Global one when none is stored), or "
            "exit 2 when there are several."
        ),
    )
    setter.add_argument(
        "--no-verify", action="store_true", help="store the key without asking Clockify"
    )
    _add_name_option(
        setter,
        "the connection's name: any text up to 80 characters, unique "
        'ignoring case, such as "Acme (EU)"',
    )
    add_connection_options(setter)
    setter.set_defaults(handler=_cmd_set)

    status = actions.add_parser(
        "status",
        help="list every connection and whether a key is stored; with --name, check one",
        description=(
            "Without --name, --region or --base-url (or env CLOCKIFY_BASE_URL): every stored "
            "connection, one per line "
            "(name, address, whether a key is stored and where), without asking Clockify; "
            f"exit {EXIT_OK} when at least one has a key, {EXIT_KEY} when none has. With one "
            "of them: that connection in detail (the key masked, and whom it belongs to, "
            f"asked of Clockify): exit {EXIT_OK}, {EXIT_KEY} without a key, or the exit code "
            "of the failed check."
        ),
    )
    _add_name_option(status, "the connection to check, by its name (ignoring case)")
    add_connection_options(status)
    status.set_defaults(handler=_cmd_status)

    clear = actions.add_parser(
        "clear",
        help="forget a connection: its key, cached data, request counts and name",
        description=(
            "Remove the connection's API key, its cached data and the cache's key, its "
            "entries in the request ledger, and the connection itself from the list. "
            "Without --name: the stored connection with the address given, or the only one "
            "(exit 2 when there are several)."
        ),
    )
    _add_name_option(clear, "the connection to forget, by its name (ignoring case)")
    add_connection_options(clear)
    clear.set_defaults(handler=_cmd_clear)


def _add_name_option(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument("--name", metavar="NAME", help=text)


def _open_store() -> CredentialStore:
    from desktop.store import open_credential_store

    with store_errors():
        return open_credential_store()


def _read_key() -> ApiKey:
    stdin = sys.stdin
    if stdin is None:
        raise CliError("No stdin to read the API key from.", EXIT_USAGE)
    try:
        # Never echoed on a terminal; a pipe gives its first line.
        text = getpass.getpass(PROMPT, stream=sys.stderr) if stdin.isatty() else stdin.readline()
    except EOFError:
        text = ""
    if not text.strip():
        raise CliError(
            "No API key was given: type it at the prompt or pipe it on stdin "
            "(it is never taken from the command line).",
            EXIT_USAGE,
        )
    try:
        return ApiKey(text)
    except ValueError as exc:
        raise CliError(f"That is not a usable API key: {exc}.", EXIT_USAGE) from None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _names(connections: Sequence[NamedConnection]) -> str:
    return ", ".join(f'"{terminal_text(c.name)}"' for c in connections)


def _target_for_set(args: argparse.Namespace) -> tuple[NamedConnection | None, str, Connection]:
    """Which connection `key set` stores the key for: an existing one (and its name and
    connection), or None with the checked name and the address of a new one."""
    from desktop.store.connections import check_name, default_name, name_key, unused_name

    explicit = bool(args.region or args.base_url)
    registry_connections = stored_connections()
    address = connection_from_args(args)  # InvalidConnectionError: exit 2
    if args.name is not None:
        key = name_key(args.name)
        for named in registry_connections:
            if name_key(named.name) == key:
                if explicit and not named.connection.same_address(address):
                    shown = terminal_text(named.name)
                    raise CliError(
                        f'The connection "{shown}" is at '
                        f"{named.connection.label}, not {address.label}: its address cannot "
                        "change. Give another name for a new connection, or forget this one "
                        f'first (python -m desktop key clear --name "{shown}").',
                        EXIT_USAGE,
                    )
                return named, named.name, named.connection
        return None, check_name(args.name, registry_connections), address
    if args.region or args.base_url or os.environ.get(ENV_BASE_URL):
        matching = [c for c in registry_connections if c.connection.same_address(address)]
        if len(matching) == 1:
            return matching[0], matching[0].name, matching[0].connection
        if matching:
            raise CliError(
                f"{len(matching)} connections use {address.label} "
                f"({_names(matching)}): choose one with --name NAME.",
                EXIT_USAGE,
            )
        return None, unused_name(default_name(address), registry_connections), address
    if len(registry_connections) == 1:
        only = registry_connections[0]
        return only, only.name, only.connection
    if not registry_connections:
        return None, default_name(address), address
    raise CliError(
        f"There are {len(registry_connections)} connections ({_names(registry_connections)}): "
        "choose one with "
        "--name NAME (a new name adds a connection).",
        EXIT_USAGE,
    )


def _cmd_set(args: argparse.Namespace) -> int:
    from desktop.store.connections import ConnectionRegistry

    existing, name, connection = _target_for_set(args)  # usage errors before the key
    key = _read_key()
    store = _open_store()
    with store_errors():
        # Ask for the passphrase (file store) before the network, so a missing one fails fast.
        store.unlock()
    seen = ""
    if not args.no_verify:
        client = make_client(args, connection, key)
        try:
            workspaces = client.workspaces()
        except ClockifyError as exc:
            hint = "" if isinstance(exc, KeyRejectedError) else " (--no-verify stores it unchecked)"
            raise CliError(f"{exc.message} The key was not stored{hint}.", exc.exit_code) from None
        finally:
            client.close()
        seen = f" It sees {_plural(len(workspaces), 'workspace')}."
    else:
        seen = " It was not checked (--no-verify)."
    registry = ConnectionRegistry()
    if existing is None:
        # The storage slot is chosen by the registry: the key goes under the added id.
        named = registry.add(name, connection)
        try:
            with store_errors():
                store.set_api_key(named.connection, key)
        except BaseException:
            with contextlib.suppress(Exception):
                registry.remove(named.name)
            raise
        added = True
    else:
        with store_errors():
            store.set_api_key(existing.connection, key)
        # The implicit connection of an earlier version becomes a stored one.
        named = registry.keep(existing)
        added = False
    print(
        f"Stored the API key for {named.connection.label} in {store.description}, "
        f'{"as the new" if added else "for the"} connection "{terminal_text(named.name)}".{seen}'
    )
    if named.connection.account is None:
        _remember_for_the_panel(named.connection)
    return EXIT_OK


def _remember_for_the_panel(connection: Connection) -> None:
    """The panel of earlier versions starts on the connection saved for it: make it this one
    (only for a connection in the storage slot of earlier versions, which it can name)."""
    from desktop.store import connection_file

    try:
        connection_file.save(connection)
    except OSError as exc:
        print(
            f"Note: the panel could not be told to use this connection ({exc}); "
            "choose it in its settings.",
            file=sys.stderr,
        )
    else:
        print("The panel (python -m desktop) will use this connection.")


def _owner_text(name: str | None, email: str | None) -> str:
    who = name or "(no name)"
    return f"{who} <{email}>" if email else who


def _cmd_status(args: argparse.Namespace) -> int:
    if args.name is None and not (args.region or args.base_url or os.environ.get(ENV_BASE_URL)):
        return _status_of_all()
    chosen = chosen_connection(args, args.name, option="--name")
    connection = chosen.connection
    store = _open_store()
    print(f"Connection: {chosen.description}")
    print(f"Store: {store.description}")
    with store_errors():
        key = store.get_api_key(connection)
    if os.environ.get(ENV_API_KEY, "").strip():
        print(f"Note: {ENV_API_KEY} is set; commands use it instead of the stored key.")
    if key is None:
        raise CliError(
            f"No API key is stored for {chosen.description}. Store one with "
            f"`{chosen.set_command}` (it reads the key from stdin).",
            EXIT_KEY,
        )
    print(f"API key: {key.masked()}")
    client = make_client(args, connection, key)
    try:
        user = client.current_user()
    except ClockifyError as exc:
        print(
            f"Could not check whom the key belongs to: {terminal_text(exc.message)}",
            file=sys.stderr,
        )
        return exc.exit_code
    finally:
        client.close()
    # The owner's name and e-mail come from the server: nothing in them steers the terminal.
    print(f"Belongs to {terminal_text(_owner_text(user.name, user.email))}")
    return EXIT_OK


def _status_of_all() -> int:
    """`key status` alone: one line per connection, nothing asked of Clockify."""
    from desktop.store import CredentialError
    from desktop.store.connections import ConnectionRegistry

    connections = ConnectionRegistry().load()
    store = _open_store()
    where = store.description
    if os.environ.get(ENV_API_KEY, "").strip():
        print(f"Note: {ENV_API_KEY} is set; commands use it instead of the stored keys.")
    if not connections:
        raise CliError(
            "No connection is stored. Add one with `python -m desktop key set --name NAME` "
            "(it reads the key from stdin).",
            EXIT_KEY,
        )
    with_key = 0
    for named in connections:
        head = f"{terminal_text(named.name)}: {named.connection.label}:"
        try:
            key = store.get_api_key(named.connection)
        except CredentialError as exc:
            if type(exc) is not CredentialError:  # locked, damaged, wrong passphrase: all
                raise CliError(exc.message, EXIT_KEY) from None
            print(f"{head} the API key stored in {where} is not usable.")
            continue
        if key is None:
            print(f"{head} no API key stored (in {where}).")
        else:
            with_key += 1
            print(f"{head} API key {key.masked()} stored in {where}.")
    if not with_key:
        raise CliError(
            "No API key is stored for any connection. Store one with "
            "`python -m desktop key set` (it reads the key from stdin).",
            EXIT_KEY,
        )
    return EXIT_OK


def _cmd_clear(args: argparse.Namespace) -> int:
    from desktop.store import forget
    from desktop.store.connections import ConnectionRegistry
    from desktop.store.ledger import RequestLedger

    chosen = chosen_connection(args, args.name, option="--name")
    connection = chosen.connection
    store = _open_store()
    registry = ConnectionRegistry()
    with store_errors():
        # On a failure the connection stays in the list, so that `key clear` can be repeated.
        forgotten = forget(store, connection, ledger=RequestLedger())
    removed = None
    if chosen.name is not None and not registry.is_pristine():
        removed = registry.remove(chosen.name)
    where, label = store.description, chosen.description
    if forgotten.api_key and forgotten.cached_data:
        print(f"Removed the API key of {label} from {where}, and its cached data.")
    elif forgotten.api_key:
        print(f"Removed the API key of {label} from {where}; no data was cached.")
    elif forgotten.cached_data:
        print(f"No API key was stored for {label} in {where}; removed its cached data.")
    else:
        print(f"No API key or cached data was stored for {label} in {where}.")
    if removed is not None:
        print(f'Removed the connection "{terminal_text(removed.name)}" from the list.')
    return EXIT_OK


__all__ = ["PROMPT", "add_key_command"]
