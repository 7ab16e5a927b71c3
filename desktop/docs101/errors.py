"""The errors of the docs101 client: one base, a message fit to show, an exit code.

The exit codes are those the command line gives the same failures of Clockify: 2 for an
unusable base URL, 3 for a key refused or unusable, 4 for an account that may not do
this (docs101's plan), 5 for the network and timeouts, 1 for anything else.
Messages never contain the API key (server texts are quoted through `server_text`).
"""

from __future__ import annotations

from desktop.errors import AppError


class Docs101Error(AppError):
    """Base of every error the docs101 client raises."""


class Docs101ConnectionError(Docs101Error):
    """The base URL cannot be used (malformed, or plain http to a host not loopback)."""

    exit_code = 2


class Docs101KeyRejectedError(Docs101Error):
    """401: docs101 did not accept the key (mistyped, revoked or regenerated)."""

    exit_code = 3

    def __init__(self, host: str, server_message: str | None = None) -> None:
        detail = f' (server said: "{server_message}")' if server_message else ""
        super().__init__(
            f"docs101 rejected the API key at {host}{detail}. The key may be mistyped, "
            "revoked or regenerated: create a new one in docs101's settings and try again."
        )
        self.host = host


class Docs101UnusableKeyError(Docs101Error):
    """The key cannot be sent at all (empty, not ASCII, spaces); nothing was sent."""

    exit_code = 3


class Docs101PlanError(Docs101Error):
    """402: the docs101 plan does not allow this, or its request limit is used up.

    Attributes:
        used, limit: the requests used and allowed, when the server said so.
        reset_date: when the limit resets, as the server wrote it, when it said so.
    """

    exit_code = 4

    def __init__(
        self,
        message: str,
        *,
        used: int | None = None,
        limit: int | None = None,
        reset_date: str | None = None,
    ) -> None:
        super().__init__(message)
        self.used = used
        self.limit = limit
        self.reset_date = reset_date


class Docs101NetworkError(Docs101Error):
    """No connection, a refused or broken connection, a name that does not resolve, or a
    timeout (the whole request's deadline included)."""

    exit_code = 5


class Docs101UnexpectedError(Docs101Error):
    """The answer is not what docs101 sends: malformed or oversized, a redirect, a paging
    link to another host, endless pages, a customer without an id."""


class Docs101NotFoundError(Docs101UnexpectedError):
    """404: the customer list is not at this address (a wrong base URL)."""


class Docs101ServerError(Docs101Error):
    """400 or 422 (docs101 refused the request), 5xx, or another unexpected status."""


__all__ = [
    "Docs101ConnectionError",
    "Docs101Error",
    "Docs101KeyRejectedError",
    "Docs101NetworkError",
    "Docs101NotFoundError",
    "Docs101PlanError",
    "Docs101ServerError",
    "Docs101UnexpectedError",
    "Docs101UnusableKeyError",
]
