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


#: The entry holding the docs101 API key: one for the panel, whichever Clockify connection
#: it uses (docs101 is an optional second connection, with its own Disconnect).
DOCS101_KEY_ENTRY = "docs101-api-key"


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

    def get_docs101_key(self) -> ApiKey | None:
        """The stored docs101 API key, or None; CredentialError when it is not usable."""
        value = self.get(DOCS101_KEY_ENTRY)
        if value is None:
            return None
        try:
            return ApiKey(value)
        except ValueError as exc:  # its text never repeats the key
            raise CredentialError(
                f"The docs101 API key stored in {self.description} is not usable ({exc}); "
                "store it again in the panel's settings or disconnect docs101 there."
            ) from None

    def set_docs101_key(self, key: ApiKey) -> None:
        self.set(DOCS101_KEY_ENTRY, key.reveal())

    def delete_docs101_key(self) -> bool:
        """Remove the docs101 key only (the Clockify keys and caches stay); False if none."""
        return self.delete(DOCS101_KEY_ENTRY)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.description})"


__all__ = [
    "DOCS101_KEY_ENTRY",
    "MAX_ENTRY_CHARS",
    "MAX_VALUE_CHARS",
    "CredentialStore",
    "PassphraseProvider",
    "api_key_entry",
    "cache_key_entry",
    "check_entry",
]
