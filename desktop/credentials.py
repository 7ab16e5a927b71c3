"""Where the API key (and other secrets) are kept: the OS keyring, else an encrypted file.

`open_credential_store()` picks the store:

* the system keyring (service ``clockify-panel``) when its backend works: keyring's
  ``fail`` and ``null`` backends, a chainer with no backends, and any ``KeyringError``
  from a harmless probe read (a locked keyring, a dismissed Secret Service prompt) count
  as "no keyring";
* otherwise an encrypted file, ``paths.data_dir() / "credentials.enc"``, whose key is
  derived from a passphrase (scrypt) and whose content is sealed with AES-256-GCM.

Environment:

* ``CLOCKIFY_PANEL_CREDENTIALS=file`` forces the encrypted file, ``=keyring`` forces the
  keyring (an error when it does not work); unset, empty or ``auto`` picks as above.
* ``CLOCKIFY_PANEL_PASSPHRASE`` is the passphrase of the encrypted file for the default
  passphrase provider (the panel passes a dialog-based provider instead).

Entries are named ``api-key:{connection.id}`` for API keys and, for example,
``cache-key:{connection.id}`` for other secrets. Secrets never appear in messages,
``repr()``, logs or process arguments.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import logging
import os
import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop import paths
from desktop.clockify.connection import ApiKey, Connection
from desktop.files import write_private_file

log = logging.getLogger(__name__)

SERVICE = "clockify-panel"
ENV_PASSPHRASE = "CLOCKIFY_PANEL_PASSPHRASE"  # noqa: S105 - a variable name, not a secret
ENV_BACKEND = "CLOCKIFY_PANEL_CREDENTIALS"
FILE_NAME = "credentials.enc"

FILE_FORMAT = "clockify-panel-credentials"
FILE_VERSION = 1
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
NONCE_BYTES = 12
KEY_BYTES = 32
MAX_FILE_BYTES = 1 << 20

#: Called with creating=True when a new file is about to be made (a dialog asks twice),
#: False to open an existing one; None means "no passphrase available".
PassphraseProvider = Callable[[bool], "str | None"]


# -- errors ----------------------------------------------------------------------------------


class CredentialError(Exception):
    """Base of the store's errors; `message` is one user-facing text without secrets."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


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


class KeyringUnavailableError(CredentialError):
    """The system keyring was required (or in use) and failed."""


class StoreWriteError(CredentialError):
    """The key file could not be written; the previous file, if any, is intact."""


# -- entries ---------------------------------------------------------------------------------


def api_key_entry(connection: Connection) -> str:
    """The entry holding the API key of `connection`."""
    return f"api-key:{connection.id}"


def cache_key_entry(connection: Connection) -> str:
    """The entry holding the key of the encrypted cache of `connection` (see desktop.cache)."""
    return f"cache-key:{connection.id}"


def default_passphrase_provider(creating: bool) -> str | None:
    """The passphrase from env CLOCKIFY_PANEL_PASSPHRASE, or None when it is unset."""
    del creating
    return os.environ.get(ENV_PASSPHRASE)


# -- the stores ------------------------------------------------------------------------------


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
        except ValueError:
            raise CredentialError(
                f"The API key stored for {connection.label} in {self.description} is not "
                "usable; store it again (python -m desktop key set)."
            ) from None

    def set_api_key(self, connection: Connection, key: ApiKey) -> None:
        self.set(api_key_entry(connection), key.reveal())

    def delete_api_key(self, connection: Connection) -> bool:
        return self.delete(api_key_entry(connection))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.description})"


def _scrub(text: str, *secrets_: str) -> str:
    for secret in secrets_:
        if secret:
            text = text.replace(secret, "<hidden>")
    return text


class KeyringStore(CredentialStore):
    """The OS keyring through `keyring`, service ``clockify-panel``."""

    def __init__(self, backend: Any = None) -> None:
        import keyring

        self._backend = backend if backend is not None else keyring.get_keyring()

    @property
    def backend_name(self) -> str:
        return str(getattr(self._backend, "name", type(self._backend).__name__))

    @property
    def description(self) -> str:
        return f"the system keyring ({self.backend_name})"

    @property
    def kind(self) -> str:
        return "keyring"

    def _failure(self, action: str, exc: BaseException, *secrets_: str) -> CredentialError:
        from keyring.errors import KeyringError

        # keyring's own errors say what went wrong ("Prompt dismissed"); others (D-Bus
        # libraries) may say anything, so only their type is shown.
        detail = _scrub(str(exc), *secrets_).strip() if isinstance(exc, KeyringError) else ""
        return KeyringUnavailableError(
            f"The system keyring ({self.backend_name}) could not {action}: "
            f"{detail or type(exc).__name__}."
        )

    def get(self, entry: str) -> str | None:
        try:
            value = self._backend.get_password(SERVICE, entry)
        except Exception as exc:
            raise self._failure("read the key", exc) from None
        return value if isinstance(value, str) else None

    def set(self, entry: str, value: str) -> None:
        try:
            self._backend.set_password(SERVICE, entry, value)
        except Exception as exc:
            raise self._failure("store the key", exc, value) from None

    def delete(self, entry: str) -> bool:
        from keyring.errors import PasswordDeleteError

        if self.get(entry) is None:
            return False
        try:
            self._backend.delete_password(SERVICE, entry)
        except PasswordDeleteError:
            return False
        except Exception as exc:
            raise self._failure("remove the key", exc) from None
        return True


@dataclass(frozen=True, slots=True)
class _Unlocked:
    """A derived key and what it was derived with (kept in memory only)."""

    salt: bytes
    n: int
    r: int
    p: int
    key: bytes
    verifier: bytes

    def __repr__(self) -> str:
        return "_Unlocked(<hidden>)"


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    # The standard library's scrypt (OpenSSL's, the same function as cryptography's Scrypt,
    # GIL released): the panel's start reads the key on a thread, and this way that thread
    # reaches the 0.15 s of scrypt without first importing cryptography (~20 ms of GIL).
    memory = 128 * r * (n + p + 2) + 65536  # what OpenSSL's scrypt allocates, and a margin
    material = hashlib.scrypt(
        passphrase.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=memory, dklen=2 * KEY_BYTES
    )
    return material[:KEY_BYTES], material[KEY_BYTES:]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _aad(salt: bytes) -> bytes:
    return f"{FILE_FORMAT} v{FILE_VERSION}".encode() + salt


class EncryptedFileStore(CredentialStore):
    """A JSON dict of entries, sealed with AES-256-GCM under a scrypt-derived key.

    File (JSON): format, version, kdf {name, n, r, p, length}, salt, verifier, cipher,
    nonce, ciphertext (binary fields base64). The verifier is the second half of the
    scrypt output, so a wrong passphrase and a damaged file give different messages.
    Written atomically with mode 0600; errors never modify or delete the file. The
    derived key is cached in the object, so scrypt runs once per process.
    """

    def __init__(
        self, path: Path | None = None, passphrase_provider: PassphraseProvider | None = None
    ) -> None:
        self.path = Path(path) if path is not None else paths.data_dir() / FILE_NAME
        self._provider = passphrase_provider or default_passphrase_provider
        self._unlocked: _Unlocked | None = None

    @property
    def description(self) -> str:
        return f"the encrypted file {self.path} (passphrase-protected)"

    @property
    def kind(self) -> str:
        return "file"

    # -- reading ---------------------------------------------------------------------------

    def _passphrase(self, creating: bool) -> str:
        passphrase = self._provider(creating)
        if passphrase is None:
            raise PassphraseRequiredError(
                f"No system keyring is available, so the API key is kept in the encrypted "
                f"file {self.path}, which needs a passphrase: set {ENV_PASSPHRASE}."
            )
        if not passphrase:
            raise PassphraseRequiredError(
                f"The passphrase for the key file {self.path} is empty; an empty "
                "passphrase is refused."
            )
        return passphrase

    def _read_header(self) -> dict[str, Any] | None:
        """The parsed file, checked for shape; None when there is no file."""
        try:
            with self.path.open("rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CredentialError(
                f"Cannot read the key file {self.path}: {exc.strerror or exc}."
            ) from None
        if len(raw) > MAX_FILE_BYTES:
            raise CorruptStoreError(self.path, "far too large for a key file")
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise CorruptStoreError(self.path, "it is not valid JSON; truncated?") from None
        if not isinstance(data, dict) or data.get("format") != FILE_FORMAT:
            raise CorruptStoreError(self.path, "it is not a clockify-panel key file")
        if data.get("version") != FILE_VERSION:
            raise CorruptStoreError(
                self.path, f"unknown version {data.get('version')!r}; from a newer release?"
            )
        kdf = data.get("kdf")
        if not isinstance(kdf, dict) or kdf.get("name") != "scrypt":
            raise CorruptStoreError(self.path, "unknown key derivation")
        try:
            n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
            fields = {
                name: base64.b64decode(str(data[name]), validate=True)
                for name in ("salt", "verifier", "nonce", "ciphertext")
            }
        except (KeyError, TypeError, ValueError, binascii.Error):
            raise CorruptStoreError(self.path, "fields are missing or garbled") from None
        # Bounds keep a garbled (or hostile) file from asking for gigabytes of memory.
        if not (
            2 <= n <= 2**20
            and n & (n - 1) == 0
            and 1 <= r <= 32
            and 1 <= p <= 16
            and 128 * r * n <= 2**30
        ):
            raise CorruptStoreError(self.path, "key derivation parameters out of range")
        if (
            len(fields["salt"]) < 8
            or len(fields["verifier"]) != KEY_BYTES
            or len(fields["nonce"]) != NONCE_BYTES
            or len(fields["ciphertext"]) < 16
        ):
            raise CorruptStoreError(self.path, "fields have the wrong length")
        return {"n": n, "r": r, "p": p, **fields}

    def _unlock_existing(self, header: dict[str, Any]) -> _Unlocked:
        salt: bytes = header["salt"]
        n, r, p = header["n"], header["r"], header["p"]
        cached = self._unlocked
        if (
            cached is not None
            and (cached.salt, cached.n, cached.r, cached.p) == (salt, n, r, p)
            and hmac.compare_digest(cached.verifier, header["verifier"])
        ):
            return cached
        passphrase = self._passphrase(creating=False)
        key, verifier = _derive(passphrase, salt, n, r, p)
        if not hmac.compare_digest(verifier, header["verifier"]):
            raise WrongPassphraseError(self.path)
        self._unlocked = _Unlocked(salt, n, r, p, key, verifier)
        return self._unlocked

    def _load(self) -> tuple[dict[str, str], _Unlocked | None]:
        header = self._read_header()
        if header is None:
            return {}, None
        unlocked = self._unlock_existing(header)
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            plain = AESGCM(unlocked.key).decrypt(
                header["nonce"], header["ciphertext"], _aad(unlocked.salt)
            )
        except InvalidTag:
            raise CorruptStoreError(
                self.path, "the passphrase is right but the content does not decrypt"
            ) from None
        try:
            entries = json.loads(plain.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise CorruptStoreError(self.path, "the decrypted content is not JSON") from None
        if not isinstance(entries, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in entries.items()
        ):
            raise CorruptStoreError(self.path, "the decrypted content has the wrong shape")
        return entries, unlocked

    def _new_unlocked(self) -> _Unlocked:
        cached = self._unlocked
        if cached is not None:
            return cached
        passphrase = self._passphrase(creating=True)
        salt = secrets.token_bytes(SALT_BYTES)
        key, verifier = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        self._unlocked = _Unlocked(salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, key, verifier)
        return self._unlocked

    # -- writing ---------------------------------------------------------------------------

    def _write(self, entries: dict[str, str], unlocked: _Unlocked) -> None:
        nonce = secrets.token_bytes(NONCE_BYTES)
        plain = json.dumps(entries, sort_keys=True).encode("utf-8")
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        sealed = AESGCM(unlocked.key).encrypt(nonce, plain, _aad(unlocked.salt))
        document = {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "kdf": {
                "name": "scrypt",
                "n": unlocked.n,
                "r": unlocked.r,
                "p": unlocked.p,
                "length": 2 * KEY_BYTES,
            },
            "salt": _b64(unlocked.salt),
            "verifier": _b64(unlocked.verifier),
            "cipher": "AES-256-GCM",
            "nonce": _b64(nonce),
            "ciphertext": _b64(sealed),
        }
        data = (json.dumps(document, indent=2) + "\n").encode("ascii")
        folder = self.path.parent
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(folder, 0o700)
        except OSError as exc:
            raise StoreWriteError(
                f"Cannot create the folder {folder} for the key file: {exc.strerror or exc}."
            ) from None
        try:
            write_private_file(self.path, data)
        except OSError as exc:
            raise StoreWriteError(
                f"Cannot write the key file {self.path}: {exc.strerror or exc}; "
                "the previous file, if any, is unchanged."
            ) from None

    # -- the API ---------------------------------------------------------------------------

    def unlock(self) -> None:
        header = self._read_header()
        if header is None:
            self._new_unlocked()
        else:
            self._load()

    def get(self, entry: str) -> str | None:
        entries, _ = self._load()
        return entries.get(entry)

    def set(self, entry: str, value: str) -> None:
        with self._exclusive():
            entries, unlocked = self._load()
            if unlocked is None:
                unlocked = self._new_unlocked()
            entries[entry] = value
            self._write(entries, unlocked)

    def delete(self, entry: str) -> bool:
        with self._exclusive():
            entries, unlocked = self._load()
            if unlocked is None or entry not in entries:
                return False
            del entries[entry]
            self._write(entries, unlocked)
            return True

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """One writer at a time across processes (the panel and `key set`, say).

        Without it, two read-modify-write cycles could interleave and one change be lost.
        An advisory lock on the key file's folder (no lock file is left behind); where there
        is no fcntl (Windows), writes stay atomic but are not serialised.
        """
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on POSIX
            yield
            return
        folder = self.path.parent
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(folder, os.O_RDONLY)
        except OSError as exc:
            raise StoreWriteError(
                f"Cannot lock the key file {self.path}: {exc.strerror or exc}."
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock


# -- choosing --------------------------------------------------------------------------------


def keyring_problem() -> str | None:
    """Why the system keyring cannot be used, or None when it works."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null
        from keyring.errors import KeyringError
    except ImportError:  # pragma: no cover - keyring is a dependency
        return "the keyring package is not installed"
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # any backend set-up failure means "no keyring"
        return f"no keyring backend could be loaded ({type(exc).__name__})"
    if isinstance(backend, fail.Keyring | null.Keyring):
        return f"the keyring backend is {backend.name!r}"
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return "the keyring has no usable backends"
    try:
        backend.get_password(SERVICE, "probe")
    except KeyringError as exc:
        return f"the keyring does not answer ({type(exc).__name__}: {exc})"
    except Exception as exc:  # D-Bus and friends raise their own types
        return f"the keyring does not answer ({type(exc).__name__})"
    return None


def open_credential_store(
    passphrase_provider: PassphraseProvider | None = None,
) -> CredentialStore:
    """The keyring store when the keyring works, else the encrypted-file store.

    Env ``CLOCKIFY_PANEL_CREDENTIALS=file`` forces the encrypted file; ``=keyring``
    forces the keyring and raises `KeyringUnavailableError` when it does not work.
    `passphrase_provider(creating)` gives the file's passphrase (default: env
    ``CLOCKIFY_PANEL_PASSPHRASE``); it is called only when the file is used.
    """
    choice = os.environ.get(ENV_BACKEND, "").strip().lower()
    if choice not in ("", "auto", "file", "keyring"):
        raise CredentialError(f"{ENV_BACKEND} must be 'file', 'keyring' or 'auto', not {choice!r}.")
    if choice == "file":
        return EncryptedFileStore(passphrase_provider=passphrase_provider)
    problem = keyring_problem()
    if problem is None:
        return KeyringStore()
    if choice == "keyring":
        raise KeyringUnavailableError(
            f"{ENV_BACKEND}=keyring, but the system keyring cannot be used: {problem}."
        )
    log.info("Using the encrypted key file: %s", problem)
    return EncryptedFileStore(passphrase_provider=passphrase_provider)


def load_api_key(
    connection: Connection, passphrase_provider: PassphraseProvider | None = None
) -> ApiKey | None:
    """The stored key for `connection`, or None; CredentialError when it cannot be read."""
    return open_credential_store(passphrase_provider).get_api_key(connection)


__all__ = [
    "ENV_BACKEND",
    "ENV_PASSPHRASE",
    "SERVICE",
    "CorruptStoreError",
    "CredentialError",
    "CredentialStore",
    "EncryptedFileStore",
    "KeyringStore",
    "KeyringUnavailableError",
    "PassphraseProvider",
    "PassphraseRequiredError",
    "StoreWriteError",
    "WrongPassphraseError",
    "api_key_entry",
    "cache_key_entry",
    "default_passphrase_provider",
    "keyring_problem",
    "load_api_key",
    "open_credential_store",
]
