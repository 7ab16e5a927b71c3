"""One error hierarchy whose messages can be shown to the user as they are.

Messages never contain the API key: the client never formats it into text, and the
constructors only receive hosts, paths and server messages.
"""

from __future__ import annotations


class ClockifyError(Exception):
    """Base of every error the Clockify layer raises.

    Attributes:
        message: one sentence, fit for a status bar or a dialog.
        exit_code: what the command line exits with for this error.
    """

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidConnectionError(ClockifyError):
    """The region or base URL given is unusable (for example plain http to a remote host)."""

    exit_code = 2


class KeyRejectedError(ClockifyError):
    """401: the key is wrong, revoked, regenerated, or belongs to another region."""

    exit_code = 3

    def __init__(self, host: str, server_message: str | None = None) -> None:
        detail = f' (server said: "{server_message}")' if server_message else ""
        super().__init__(
            f"Clockify rejected the API key at {host}{detail}. The key may be mistyped, "
            "revoked or regenerated, or it may belong to another region "
            "(EU, USA, UK, Australia): check the region and the key."
        )
        self.host = host


class NoPermissionError(ClockifyError):
    """403 on a list the key's owner may not read (typically users for a non-admin)."""

    exit_code = 4


class WorkspaceNotFoundError(ClockifyError):
    """403/400 with code 501: the workspace does not exist or is not the key's."""

    exit_code = 4

    def __init__(self, workspace_id: str) -> None:
        super().__init__(
            f"Workspace not found: {workspace_id} does not exist or this API key "
            "has no access to it."
        )
        self.workspace_id = workspace_id


class NetworkError(ClockifyError):
    """No connection, a refused connection, a name that does not resolve, or a timeout."""

    exit_code = 5


class RateLimitedError(ClockifyError):
    """429 that persisted through the retries."""

    exit_code = 5


class ServerError(ClockifyError):
    """5xx that persisted through the retries, or another unexpected status."""


class UnexpectedResponseError(ClockifyError):
    """The answer is not what Clockify sends: malformed JSON, wrong shape, endless pages."""
