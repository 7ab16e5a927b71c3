"""The connection that the arguments and the environment ask for: one place for the command
line and the panel, below both.

* ``--region``, ``--base-url`` and env ``CLOCKIFY_BASE_URL`` pick the connection
  (`connection_from_args`); ``--timeout`` bounds each request (`timeout_seconds`).
* env ``CLOCKIFY_API_KEY`` is a key that wins over the stored one (`api_key_from_env`).
* docs101, the optional second connection (the cross-reference): ``--docs101-base-url``
  and env ``DOCS101_BASE_URL`` point it elsewhere than docs101.com (tests, the demo;
  `docs101_base_url_from_args`); env ``DOCS101_API_KEY`` is a docs101 key that wins over
  the stored one on the command line (`docs101_key_from_env`).

Light on purpose: the panel reads these before it starts reading the stored key, and that
read starts before anything heavy is imported. Nothing here imports the key store, Qt, the
UI or the command line.
"""

from __future__ import annotations

import argparse
import math
import os

from desktop.clockify.connection import MAX_KEY_LENGTH, REGIONS, ApiKey, Connection
from desktop.errors import AppError

#: An API key that wins over the stored one (the command line and the panel).
ENV_API_KEY = "CLOCKIFY_API_KEY"
#: A custom API base URL, used when --base-url is not given.
ENV_BASE_URL = "CLOCKIFY_BASE_URL"
#: A docs101 API key that wins over the stored one (the command line).
ENV_DOCS101_API_KEY = "DOCS101_API_KEY"
#: docs101's API base URL, used when --docs101-base-url is not given.
ENV_DOCS101_BASE_URL = "DOCS101_BASE_URL"

MIN_TIMEOUT = 1.0
MAX_TIMEOUT = 600.0
DEFAULT_TIMEOUT = 20.0


class UnusableEnvKeyError(AppError):
    """CLOCKIFY_API_KEY is set but cannot be an API key (the message never repeats it)."""

    exit_code = 3  # the command line's exit code for a key problem


def api_key_from_env() -> ApiKey | None:
    """The key in env CLOCKIFY_API_KEY, None when it is unset or blank.

    Raises UnusableEnvKeyError when it is set but cannot be an API key.
    """
    value = os.environ.get(ENV_API_KEY, "").strip()
    if not value:
        return None
    try:
        return ApiKey(value)
    except ValueError as exc:  # its text never repeats the key
        raise UnusableEnvKeyError(f"{ENV_API_KEY} is not a usable API key: {exc}.") from None


def docs101_key_from_env() -> ApiKey | None:
    """The docs101 key in env DOCS101_API_KEY, None when it is unset or blank.

    Raises UnusableEnvKeyError (exit 3) when it is set but cannot be an API key; the
    message never repeats the key.
    """
    value = os.environ.get(ENV_DOCS101_API_KEY, "").strip()
    if not value:
        return None
    if len(value) > MAX_KEY_LENGTH:  # ApiKey's own text for this names Clockify
        raise UnusableEnvKeyError(
            f"{ENV_DOCS101_API_KEY} is not a usable API key: it is {len(value):,} characters "
            "long, far longer than any API key."
        )
    try:
        return ApiKey(value)
    except ValueError as exc:
        raise UnusableEnvKeyError(
            f"{ENV_DOCS101_API_KEY} is not a usable API key: {exc}."
        ) from None


def timeout_seconds(text: str) -> float:
    """--timeout: a finite number of seconds from MIN_TIMEOUT to MAX_TIMEOUT."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (MIN_TIMEOUT <= value <= MAX_TIMEOUT):  # also false for nan
        # repr() shows every control character escaped: nothing typed steers the terminal.
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds from {MIN_TIMEOUT:g} to {MAX_TIMEOUT:g}, "
            f"not {text[:40]!r}"
        )
    return value


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    """Add --region, --base-url and --timeout to `parser` (the program and each command)."""
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
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="give up on a request not complete within this time, 1 to 600 (default 20)",
    )


def add_docs101_options(parser: argparse.ArgumentParser) -> None:
    """Add --docs101-base-url to `parser` (the commands that read docs101's customers)."""
    group = parser.add_argument_group("docs101")
    group.add_argument(
        "--docs101-base-url",
        metavar="URL",
        help=f"docs101's API base URL (tests, demo); env {ENV_DOCS101_BASE_URL} "
        "(default: https://docs101.com/api/v1)",
    )


def docs101_base_url_from_args(args: argparse.Namespace) -> str | None:
    """The docs101 base URL --docs101-base-url (else env DOCS101_BASE_URL) asks for; None
    for docs101's own (the docs101 client's default). Checked by the client, not here."""
    given: str | None = getattr(args, "docs101_base_url", None)
    return given or os.environ.get(ENV_DOCS101_BASE_URL) or None


def connection_from_args(args: argparse.Namespace) -> Connection:
    """The connection --base-url (else env CLOCKIFY_BASE_URL) or --region asks for; Global
    when none does. A malformed URL raises InvalidConnectionError (or, from the URL parsers
    underneath, ValueError)."""
    base_url = args.base_url or os.environ.get(ENV_BASE_URL) or None
    return Connection.from_options(args.region, base_url)


__all__ = [
    "DEFAULT_TIMEOUT",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "ENV_DOCS101_API_KEY",
    "ENV_DOCS101_BASE_URL",
    "MAX_TIMEOUT",
    "MIN_TIMEOUT",
    "UnusableEnvKeyError",
    "add_connection_options",
    "add_docs101_options",
    "api_key_from_env",
    "connection_from_args",
    "docs101_base_url_from_args",
    "docs101_key_from_env",
    "timeout_seconds",
]
