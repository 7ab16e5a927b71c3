"""`key set|status|clear`: store, check and forget the API key of a connection.

The key is read from stdin only (without echo on a terminal), never from the command
line, where other users could read it in the process list.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import TYPE_CHECKING, Any

from desktop.cli.common import (
    EXIT_KEY,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    make_client,
    store_errors,
    terminal_text,
)
from desktop.clockify import ApiKey, ClockifyError, Connection, KeyRejectedError
from desktop.options import ENV_API_KEY, add_connection_options, connection_from_args

# The key store is imported by the commands that use it: the panel's start parses these
# arguments too, and it reads the key on its own thread, as early as it can.
if TYPE_CHECKING:
    from desktop.store import CredentialStore

PROMPT = "Clockify API key (typing is hidden): "


def add_key_command(commands: Any) -> None:
    """Add `key` with its actions to the program's subparsers."""
    key = commands.add_parser(
        "key",
        help="store, check or forget the API key (system keyring or encrypted file)",
        description=(
            "Keep the API key in the system keyring or, without one, in a passphrase-"
            "protected file (passphrase from env CLOCKIFY_PANEL_PASSPHRASE). "
            "Env CLOCKIFY_PANEL_CREDENTIALS=file|keyring forces one of them."
        ),
    )
    actions = key.add_subparsers(dest="key_action", metavar="ACTION", required=True)

    setter = actions.add_parser(
        "set",
        help="read the key from stdin, check it and store it",
        description=(
            "Read the API key from stdin (hidden prompt on a terminal, else the first line), "
            "check it against Clockify and store it for the connection."
        ),
    )
    setter.add_argument(
        "--no-verify", action="store_true", help="store the key without asking Clockify"
    )
    add_connection_options(setter)
    setter.set_defaults(handler=_cmd_set)

    status = actions.add_parser(
        "status",
        help="show where the key is kept, the key masked, and whom it belongs to",
    )
    add_connection_options(status)
    status.set_defaults(handler=_cmd_status)

    clear = actions.add_parser(
        "clear", help="forget the stored key of the connection and its cached data"
    )
    add_connection_options(clear)
    clear.set_defaults(handler=_cmd_clear)


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


def _cmd_set(args: argparse.Namespace) -> int:
    connection = connection_from_args(args)
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
    with store_errors():
        store.set_api_key(connection, key)
    print(f"Stored the API key for {connection.label} in {store.description}.{seen}")
    _remember_for_the_panel(connection)
    return EXIT_OK


def _remember_for_the_panel(connection: Connection) -> None:
    """The panel starts on the connection saved for it: make it this one."""
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
    connection: Connection = connection_from_args(args)
    store = _open_store()
    print(f"Connection: {connection.label}")
    print(f"Store: {store.description}")
    with store_errors():
        key = store.get_api_key(connection)
    if os.environ.get(ENV_API_KEY, "").strip():
        print(f"Note: {ENV_API_KEY} is set; commands use it instead of the stored key.")
    if key is None:
        raise CliError(
            f"No API key is stored for {connection.label}. Store one with "
            "`python -m desktop key set` (it reads the key from stdin).",
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


def _cmd_clear(args: argparse.Namespace) -> int:
    from desktop.store import forget

    connection = connection_from_args(args)
    store = _open_store()
    with store_errors():
        forgotten = forget(store, connection)
    where, label = store.description, connection.label
    if forgotten.api_key and forgotten.cached_data:
        print(f"Removed the API key of {label} from {where}, and its cached data.")
    elif forgotten.api_key:
        print(f"Removed the API key of {label} from {where}; no data was cached.")
    elif forgotten.cached_data:
        print(f"No API key was stored for {label} in {where}; removed its cached data.")
    else:
        print(f"No API key or cached data was stored for {label} in {where}.")
    return EXIT_OK


__all__ = ["PROMPT", "add_key_command"]
