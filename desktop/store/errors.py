"""The store's errors: each `message` is one user-facing text without secrets."""

from __future__ import annotations

from pathlib import Path

from desktop.errors import AppError
from desktop.store.env import ENV_BACKEND, ENV_PASSPHRASE


class CredentialError(AppError):
    """Base of the store's errors; the command line exits 3 for them, as for a missing key."""

    exit_code = 3


class PassphraseRequiredError(CredentialError):
    """The encrypted file needs a passphrase and none (or an empty one) was given."""


class WrongPassphraseError(CredentialError):
    """The passphrase does not open the existing key file (the file is left as it is)."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The passphrase does not open the key file {path}. Check "
            f"{ENV_PASSPHRASE} (or the passphrase typed); the file was left untouched."
        )
        self.path = path


class CorruptStoreError(CredentialError):
    """The key file cannot be read: truncated, garbled, or not a key file at all."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"The key file {path} is damaged ({detail}); it was left untouched: "
            "remove it and store the key again (python -m desktop key set)."
        )
        self.path = path


class PassphraseTooShortError(PassphraseRequiredError):
    """A new key file was to be made with a passphrase shorter than the minimum."""


class KeyringUnavailableError(CredentialError):
    """The system keyring was required (or in use) and failed."""


class KeyringLockedError(KeyringUnavailableError):
    """The system keyring is there but locked (or its unlock prompt was dismissed)."""

    def __init__(self) -> None:
        super().__init__(
            "The system keyring is locked: unlock it, or set "
            f"{ENV_BACKEND}=file to keep the key in the encrypted file instead."
        )


class EntryTooLargeError(CredentialError):
    """A value (or entry name) is longer than a store takes; nothing was written."""


class StoreWriteError(CredentialError):
    """The key file could not be written; the previous file, if any, is intact."""


__all__ = [
    "CorruptStoreError",
    "CredentialError",
    "EntryTooLargeError",
    "KeyringLockedError",
    "KeyringUnavailableError",
    "PassphraseRequiredError",
    "PassphraseTooShortError",
    "StoreWriteError",
    "WrongPassphraseError",
]
