"""The one base of the errors whose message is shown to people as it is."""

from __future__ import annotations


class AppError(Exception):
    """An error with a user-facing text and the exit code the command line gives it.

    Attributes:
        message: one or two sentences without secrets, fit for a status bar, a dialog or
            the command line's error line.
        exit_code: what the command line exits with for this error (a class attribute).
    """

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


__all__ = ["AppError"]
