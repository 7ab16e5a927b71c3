"""Talking to Clockify: a plain-Python, read-only client (no Qt here)."""

from desktop.clockify.client import ClockifyClient, RetryPolicy
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
