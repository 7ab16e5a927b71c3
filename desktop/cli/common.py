"""What every command shares: exit codes, `CliError`, terminal-safe text, the --workspace
parser, the API key the command uses and the client it talks through."""

from __future__ import annotations

import argparse
import contextlib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from desktop.clockify.connection import ApiKey, Connection
from desktop.errors import AppError
from desktop.options import ENV_API_KEY, api_key_from_env

# The HTTP client and the key store are imported where they are used: the panel parses
# these arguments too, and starts reading the stored key right after, before anything
# else is imported.
if TYPE_CHECKING:
    from desktop.clockify import ClockifyClient

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


def resolve_api_key(connection: Connection) -> ApiKey:
    """The key from env CLOCKIFY_API_KEY, else the stored one; exit 3 when there is none."""
    env_key = api_key_from_env()  # UnusableEnvKeyError: exit 3
    if env_key is not None:
        return env_key
    from desktop.store import load_api_key

    with store_errors():
        key = load_api_key(connection)
    if key is None:
        raise CliError(
            f"No API key for {connection.label}. Connect with `python -m desktop key set` "
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


__all__ = [
    "EXIT_ERROR",
    "EXIT_KEY",
    "EXIT_OK",
    "EXIT_USAGE",
    "PROG",
    "CliError",
    "make_client",
    "resolve_api_key",
    "store_errors",
    "terminal_text",
    "workspace_id",
]
