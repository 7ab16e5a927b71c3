"""Talking to Clockify: a plain-Python, read-only client (no Qt here)."""

from typing import TYPE_CHECKING, Any

from desktop.clockify.connection import REGIONS, ApiKey, Connection
from desktop.clockify.errors import (
    ClockifyError,
    InvalidConnectionError,
    KeyRejectedError,
    NetworkError,
    NoPermissionError,
    RateLimitedError,
    ServerError,
    UnexpectedResponseError,
    WorkspaceNotFoundError,
)
from desktop.clockify.models import Client, CurrentUser, User, Workspace

if TYPE_CHECKING:
    from desktop.clockify.client import ClockifyClient, RetryPolicy


def __getattr__(name: str) -> Any:
    """The client module on first use: the panel's start reads the stored key before it."""
    if name in ("ClockifyClient", "RetryPolicy"):
        from desktop.clockify import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    "RetryPolicy",
    "ServerError",
    "UnexpectedResponseError",
    "User",
    "Workspace",
    "WorkspaceNotFoundError",
]
