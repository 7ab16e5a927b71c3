"""Talking to Clockify: a plain-Python, read-only client (no Qt here).

`ClockifyClient` and `RetryPolicy` are imported from `desktop.clockify.client` on first use
(`__getattr__`): the panel's first paint needs the connection, models and errors, not the
client (about 5 ms of imports).
"""

from typing import TYPE_CHECKING, Any

from desktop.clockify.connection import REGIONS, ApiKey, Connection
from desktop.clockify.errors import (
    ClockifyError,
    InvalidConnectionError,
    KeyRejectedError,
    NetworkError,
    NoPermissionError,
    RateLimitedError,
    RequestBudgetError,
    ServerError,
    UnexpectedResponseError,
    WorkspaceNotFoundError,
)
from desktop.clockify.models import Client, CurrentUser, User, Workspace

if TYPE_CHECKING:
    from desktop.clockify.client import ClockifyClient, RetryPolicy

__all__ = [
    "REGIONS",
    "ApiKey",
    "Client",
    "ClockifyClient",
    "ClockifyError",
    "Connection",
    "CurrentUser",
    "InvalidConnectionError",
    "KeyRejectedError",
    "NetworkError",
    "NoPermissionError",
    "RateLimitedError",
    "RequestBudgetError",
    "RetryPolicy",
    "ServerError",
    "UnexpectedResponseError",
    "User",
    "Workspace",
    "WorkspaceNotFoundError",
]


def __getattr__(name: str) -> Any:
    """The client's names, imported on first use (PEP 562)."""
    if name in ("ClockifyClient", "RetryPolicy"):
        from desktop.clockify import client

        value = getattr(client, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
