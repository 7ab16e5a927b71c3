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
"""

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
