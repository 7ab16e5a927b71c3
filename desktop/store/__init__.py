"""Everything the app keeps on disk or in the keyring; no Qt and no UI here.

Modules:

* `errors`: the store's errors, all `CredentialError` (an `desktop.errors.AppError`).
* `base`: `CredentialStore`, the entry names and their limits.
* `keyring_store`: the system keyring; `file_store`: the encrypted key file.
* `choice`: which store holds the keys (`open_credential_store`), the stored key
  (`load_api_key`), and whether the keyring works (`keyring_problem`).
* `cache`: the encrypted cache of loaded rows; it imports cryptography, so its names
  are imported from `desktop.store.cache`, not from here.
* `account`: forgetting a connection (`forget`, `forget_named`: key, cache, cache key and
  request ledger entries); `connection_file`: the connection the panel starts on (before
  issue 20); `connections`: the named connections (`ConnectionRegistry`,
  `NamedConnection`, `check_name`); `files`: private files written atomically; `paths`:
  where everything lives.

Importing this package (or `choice`) imports neither Qt nor cryptography, nor `keyring`:
the panel's start reads the key on a thread before PySide6 is imported.

Its names are imported on first use (`__getattr__`): the panel's start imports `paths`
and `connection_file` from here before its first paint, and the key store's modules
(hashlib, secrets, the key file, the keyring's choice: about 15 ms) only when a key is
read, on its own thread (desktop/ui/stored.py).
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.store.account import Forgotten, forget, forget_connection, forget_named
    from desktop.store.base import (
        DOCS101_KEY_ENTRY,
        MAX_ENTRY_CHARS,
        MAX_VALUE_CHARS,
        CredentialStore,
        PassphraseProvider,
        api_key_entry,
        cache_key_entry,
    )
    from desktop.store.choice import keyring_problem, load_api_key, open_credential_store
    from desktop.store.env import ENV_BACKEND, ENV_PASSPHRASE
    from desktop.store.errors import (
        CorruptStoreError,
        CredentialError,
        EntryTooLargeError,
        KeyringLockedError,
        KeyringUnavailableError,
        PassphraseRequiredError,
        PassphraseTooShortError,
        StoreWriteError,
        WrongPassphraseError,
    )
    from desktop.store.file_store import (
        FILE_NAME,
        MIN_PASSPHRASE_CHARS,
        EncryptedFileStore,
        check_new_passphrase,
        default_passphrase_provider,
    )
    from desktop.store.keyring_store import SERVICE, KeyringStore

__all__ = [
    "DOCS101_KEY_ENTRY",
    "ENV_BACKEND",
    "ENV_PASSPHRASE",
    "FILE_NAME",
    "MAX_ENTRY_CHARS",
    "MAX_VALUE_CHARS",
    "MIN_PASSPHRASE_CHARS",
    "SERVICE",
    "CorruptStoreError",
    "CredentialError",
    "CredentialStore",
    "EncryptedFileStore",
    "EntryTooLargeError",
    "Forgotten",
    "KeyringLockedError",
    "KeyringStore",
    "KeyringUnavailableError",
    "PassphraseProvider",
    "PassphraseRequiredError",
    "PassphraseTooShortError",
    "StoreWriteError",
    "WrongPassphraseError",
    "api_key_entry",
    "cache_key_entry",
    "check_new_passphrase",
    "default_passphrase_provider",
    "forget",
    "forget_connection",
    "forget_named",
    "keyring_problem",
    "load_api_key",
    "open_credential_store",
]

#: Where each name of `__all__` is defined: imported from there on first use.
_HOMES = {
    "CorruptStoreError": "desktop.store.errors",
    "CredentialError": "desktop.store.errors",
    "CredentialStore": "desktop.store.base",
    "DOCS101_KEY_ENTRY": "desktop.store.base",
    "ENV_BACKEND": "desktop.store.env",
    "ENV_PASSPHRASE": "desktop.store.env",
    "EncryptedFileStore": "desktop.store.file_store",
    "EntryTooLargeError": "desktop.store.errors",
    "FILE_NAME": "desktop.store.file_store",
    "Forgotten": "desktop.store.account",
    "KeyringLockedError": "desktop.store.errors",
    "KeyringStore": "desktop.store.keyring_store",
    "KeyringUnavailableError": "desktop.store.errors",
    "MAX_ENTRY_CHARS": "desktop.store.base",
    "MAX_VALUE_CHARS": "desktop.store.base",
    "MIN_PASSPHRASE_CHARS": "desktop.store.file_store",
    "PassphraseProvider": "desktop.store.base",
    "PassphraseRequiredError": "desktop.store.errors",
    "PassphraseTooShortError": "desktop.store.errors",
    "SERVICE": "desktop.store.keyring_store",
    "StoreWriteError": "desktop.store.errors",
    "WrongPassphraseError": "desktop.store.errors",
    "api_key_entry": "desktop.store.base",
    "cache_key_entry": "desktop.store.base",
    "check_new_passphrase": "desktop.store.file_store",
    "default_passphrase_provider": "desktop.store.file_store",
    "forget": "desktop.store.account",
    "forget_connection": "desktop.store.account",
    "forget_named": "desktop.store.account",
    "keyring_problem": "desktop.store.choice",
    "load_api_key": "desktop.store.choice",
    "open_credential_store": "desktop.store.choice",
}


def __getattr__(name: str) -> Any:
    """A name of `__all__`, imported from its module on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
