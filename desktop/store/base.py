"""What every key store is: named secret entries, their names and their size limits."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

from desktop.clockify.connection import ApiKey, Connection
from desktop.store.errors import CredentialError, EntryTooLargeError

#: The longest value and entry name a store takes: an API key has at most 256 characters,
#: an entry name holds a custom URL of at most 2,000.
MAX_VALUE_CHARS = 4096
MAX_ENTRY_CHARS = 4096

#: Called with creating=True when a new file is about to be made (a dialog asks twice),
#: False to open an existing one; None means "no passphrase available".
PassphraseProvider = Callable[[bool], "str | None"]


def api_key_entry(connection: Connection) -> str:
    """The entry holding the API key of `connection`."""
    return f"api-key:{connection.id}"


def cache_key_entry(connection: Connection) -> str:
    """The entry holding the key of the encrypted cache of `connection` (see store.cache)."""
    return f"cache-key:{connection.id}"


def check_entry(entry: str, value: str) -> None:
    """Refuse what no store should hold: an oversized value or entry name."""
    if len(value) > MAX_VALUE_CHARS:
        raise EntryTooLargeError(
            f"A stored secret may have at most {MAX_VALUE_CHARS:,} characters; this one has "
            f"{len(value):,}, so it was not stored."
        )
    if len(entry) > MAX_ENTRY_CHARS:
        raise EntryTooLargeError(
            f"The name of a stored secret may have at most {MAX_ENTRY_CHARS:,} characters; "
            f"this one has {len(entry):,}, so it was not stored."
        )


class CredentialStore(ABC):
    """Named secret entries; API keys are the entries ``api-key:{connection.id}``."""

    @property
    @abstractmethod
    def description(self) -> str:
        """Where the secrets live, for people: "the system keyring (...)"."""

    @property
    @abstractmethod
    def kind(self) -> str:
        """ "keyring" or "file"."""

    @abstractmethod
    def get(self, entry: str) -> str | None: ...

    @abstractmethod
    def set(self, entry: str, value: str) -> None: ...

    @abstractmethod
    def delete(self, entry: str) -> bool:
        """Remove the entry; False when there was none."""

    def unlock(self) -> None:  # noqa: B027 - optional hook, nothing to do by default
        """Ask for what a later write needs (the passphrase) now, before slow work."""

    def get_api_key(self, connection: Connection) -> ApiKey | None:
        value = self.get(api_key_entry(connection))
        if value is None:
            return None
        try:
            return ApiKey(value)
        except ValueError as exc:  # its text never repeats the key
            raise CredentialError(
                f"The API key stored for {connection.label} in {self.description} is not "
                f"usable ({exc}); store it again (python -m desktop key set) or remove it "
                "(python -m desktop key clear)."
            ) from None

    def set_api_key(self, connection: Connection, key: ApiKey) -> None:
        self.set(api_key_entry(connection), key.reveal())

    def delete_api_key(self, connection: Connection) -> bool:
        return self.delete(api_key_entry(connection))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.description})"


__all__ = [
    "MAX_ENTRY_CHARS",
    "MAX_VALUE_CHARS",
    "CredentialStore",
    "PassphraseProvider",
    "api_key_entry",
    "cache_key_entry",
    "check_entry",
]
