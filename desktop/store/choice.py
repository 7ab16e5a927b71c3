"""Which store holds the keys, and reading the stored API key.

`open_credential_store()` picks the store, so that one store holds the keys at a time:

* the encrypted file, ``paths.data_dir() / "credentials.enc"``, as long as it exists: the
  keys stored earlier are there (it is removed when its last entry is);
* else the system keyring (service ``clockify-panel``) when there is one. A keyring that
  is there but does not answer (locked, a dismissed unlock prompt) is an error
  (`KeyringLockedError`), never silently replaced by the file;
* else (keyring's ``fail`` or ``null`` backend, a chainer with no backends, a backend
  that cannot be set up) a new encrypted file, whose key is derived from a passphrase
  (scrypt) and whose content is sealed with AES-256-GCM.

Environment:

* ``CLOCKIFY_PANEL_CREDENTIALS=file`` forces the encrypted file, ``=keyring`` forces the
  keyring (an error when it does not work); unset, empty or ``auto`` picks as above.
* ``CLOCKIFY_PANEL_PASSPHRASE`` is the passphrase of the encrypted file for the default
  passphrase provider (the panel passes a dialog-based provider instead).

Entries are named ``api-key:{connection.id}`` for API keys and ``cache-key:{connection.id}``
for the key of a connection's cache; values have at most MAX_VALUE_CHARS characters.
Secrets never appear in messages, ``repr()``, logs or process arguments. The store imports
neither Qt nor cryptography at import time: the panel's start reads the key on a thread
before PySide6 is imported.
"""

from __future__ import annotations

import logging
import os

from desktop.clockify.connection import ApiKey, Connection
from desktop.store.base import CredentialStore, PassphraseProvider
from desktop.store.env import ENV_BACKEND
from desktop.store.errors import CredentialError, KeyringUnavailableError
from desktop.store.file_store import EncryptedFileStore
from desktop.store.keyring_store import KeyringStore, system_keyring

log = logging.getLogger(__name__)


def keyring_problem() -> str | None:
    """Why the system keyring cannot be used (absent, locked, failing), or None when it works."""
    backend, absent = system_keyring()
    if backend is None:
        return absent
    try:
        KeyringStore(backend).probe()
    except CredentialError as exc:
        return exc.message
    return None


def open_credential_store(
    passphrase_provider: PassphraseProvider | None = None,
) -> CredentialStore:
    """The store that holds the keys: the key file if it exists, else the keyring if any.

    Without a key file, a keyring that is there but locked raises `KeyringLockedError`
    (a keyring that fails otherwise, `KeyringUnavailableError`) rather than starting a
    second store; only a keyring that is absent gives a new encrypted file. Env
    ``CLOCKIFY_PANEL_CREDENTIALS=file`` forces the encrypted file; ``=keyring`` forces
    the keyring, even when a key file exists, and raises `KeyringUnavailableError` when
    there is none. `passphrase_provider(creating)` gives the file's passphrase (default:
    env ``CLOCKIFY_PANEL_PASSPHRASE``); it is called only when the file is used.
    """
    choice = os.environ.get(ENV_BACKEND, "").strip().lower()
    if choice not in ("", "auto", "file", "keyring"):
        raise CredentialError(f"{ENV_BACKEND} must be 'file', 'keyring' or 'auto', not {choice!r}.")
    file_store = EncryptedFileStore(passphrase_provider=passphrase_provider)
    if choice == "file":
        return file_store
    if choice != "keyring" and file_store.exists():
        log.info("Using the encrypted key file: it holds the keys stored so far.")
        return file_store
    backend, absent = system_keyring()
    if backend is None:
        if choice == "keyring":
            raise KeyringUnavailableError(
                f"{ENV_BACKEND}=keyring, but there is no system keyring: {absent}."
            )
        log.info("Using the encrypted key file: %s.", absent)
        return file_store
    store = KeyringStore(backend)
    store.probe()
    return store


def load_api_key(
    connection: Connection, passphrase_provider: PassphraseProvider | None = None
) -> ApiKey | None:
    """The stored key for `connection`, or None; CredentialError when it cannot be read."""
    return open_credential_store(passphrase_provider).get_api_key(connection)


__all__ = [
    "keyring_problem",
    "load_api_key",
    "open_credential_store",
]
