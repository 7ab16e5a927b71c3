"""The encrypted key file: entries sealed with AES-256-GCM under a scrypt-derived key.

The file is ``paths.data_dir() / "credentials.enc"`` unless another path is given; its key
is derived from a passphrase (scrypt), which the passphrase provider gives: by default
env ``CLOCKIFY_PANEL_PASSPHRASE`` (the panel passes a dialog-based provider instead).
Secrets never appear in messages, ``repr()``, logs or process arguments. This module
imports neither Qt nor cryptography at import time: the panel's start reads the key on a
thread before PySide6 is imported, and scrypt comes from the standard library.
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
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.store import paths
from desktop.store.base import (
    MAX_ENTRY_CHARS,
    MAX_VALUE_CHARS,
    CredentialStore,
    PassphraseProvider,
    check_entry,
)
from desktop.store.env import ENV_PASSPHRASE
from desktop.store.errors import (
    CorruptStoreError,
    CredentialError,
    PassphraseRequiredError,
    PassphraseTooShortError,
    StoreWriteError,
    WrongPassphraseError,
)
from desktop.store.files import NotRegularFileError, read_regular_file, write_private_file

log = logging.getLogger(__name__)

FILE_NAME = "credentials.enc"
FILE_FORMAT = "clockify-panel-credentials"
FILE_VERSION = 1
#: scrypt's cost for new files (128 * r * N = 128 MiB of memory); files written at a lower
#: cost (0.1 wrote N = 2**15) still open and are re-encrypted at this one when next written.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
NONCE_BYTES = 12
KEY_BYTES = 32
MIN_PASSPHRASE_CHARS = 8
#: The largest key file read. New files stay far below; older releases could store a
#: key of any length (say 2,000,000 characters), and such a file must still open so that
#: `key set` or `key clear` can drop the oversized entry (every write does).
MAX_FILE_BYTES = 16 << 20


def check_new_passphrase(text: str) -> str | None:
    """What is wrong with `text` as the passphrase of a new key file, or None when it will do."""
    if not text:
        return f"The passphrase is empty; choose one of at least {MIN_PASSPHRASE_CHARS} characters."
    if len(text) < MIN_PASSPHRASE_CHARS:
        return (
            f"The passphrase is too short; choose one of at least {MIN_PASSPHRASE_CHARS} "
            "characters."
        )
    if not _encodable(text):
        return "The passphrase contains characters that cannot be encoded; choose another one."
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return False
    return True


def default_passphrase_provider(creating: bool) -> str | None:
    """The passphrase from env CLOCKIFY_PANEL_PASSPHRASE, or None when it is unset."""
    del creating
    return os.environ.get(ENV_PASSPHRASE)


@dataclass(frozen=True, slots=True)
class DerivedKey:
    """A key derived by `derive_key`, its verifier and what they were derived with.

    Kept in memory only. `passphrase` is kept only while the file is at a lower scrypt cost
    than SCRYPT_N, to re-encrypt it at the current cost when it is next written.
    """

    salt: bytes
    n: int
    r: int
    p: int
    key: bytes
    verifier: bytes
    passphrase: str | None = None

    def __repr__(self) -> str:
        return "DerivedKey(<hidden>)"


def derive_key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    """The file's key and its verifier: the two halves of scrypt(passphrase, salt, n, r, p)."""
    # The standard library's scrypt (OpenSSL's, the same function as cryptography's Scrypt,
    # GIL released): the panel's start reads the key on a thread, and this way that thread
    # reaches scrypt without first importing cryptography (~20 ms of GIL).
    # OpenSSL needs 128 * r * (n + 2) bytes for V and 128 * r * p for B: at the default
    # N = 2**17, r = 8 that is 128 MiB and a little; the margin covers the rest.
    memory = 128 * r * (n + p + 2) + 65536
    material = hashlib.scrypt(
        passphrase.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=memory, dklen=2 * KEY_BYTES
    )
    return material[:KEY_BYTES], material[KEY_BYTES:]


_DERIVED: OrderedDict[bytes, tuple[bytes, bytes]] = OrderedDict()
_DERIVED_LOCK = threading.Lock()
_DERIVED_KEEP = 4


def _derive_once(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    """`derive_key`, remembered for the process: the panel opens a store for every job on a
    worker (each cache save, each dialog action), and at N = 2**17 scrypt costs about a
    second of CPU and 128 MiB each time. The last few results are kept in memory only,
    named by a digest, beside the passphrase the session keeps anyway."""
    name = hashlib.sha256(
        b"%d:%d:%d:" % (n, r, p) + salt + b":" + passphrase.encode("utf-8", "surrogatepass")
    ).digest()
    with _DERIVED_LOCK:
        known = _DERIVED.get(name)
        if known is not None:
            _DERIVED.move_to_end(name)
            return known
    derived = derive_key(passphrase, salt, n, r, p)
    with _DERIVED_LOCK:
        _DERIVED[name] = derived
        while len(_DERIVED) > _DERIVED_KEEP:
            _DERIVED.popitem(last=False)
    return derived


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _aad(salt: bytes) -> bytes:
    return f"{FILE_FORMAT} v{FILE_VERSION}".encode() + salt


def seal(plain: bytes, key: DerivedKey, nonce: bytes | None = None) -> dict[str, Any]:
    """The key file's JSON document holding `plain` sealed under `key` (a fresh nonce).

    File (JSON): format, version, kdf {name, n, r, p, length}, salt, verifier, cipher,
    nonce, ciphertext (binary fields base64); the salt is authenticated with the content.
    """
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(NONCE_BYTES) if nonce is None else nonce
    sealed = AESGCM(key.key).encrypt(nonce, plain, _aad(key.salt))
    return {
        "format": FILE_FORMAT,
        "version": FILE_VERSION,
        "kdf": {"name": "scrypt", "n": key.n, "r": key.r, "p": key.p, "length": 2 * KEY_BYTES},
        "salt": _b64(key.salt),
        "verifier": _b64(key.verifier),
        "cipher": "AES-256-GCM",
        "nonce": _b64(nonce),
        "ciphertext": _b64(sealed),
    }


def seal_entries(entries: dict[str, str], key: DerivedKey) -> bytes:
    """The content of a key file holding `entries` under `key`, whatever its cost."""
    plain = json.dumps(entries, sort_keys=True).encode("utf-8")
    return (json.dumps(seal(plain, key), indent=2) + "\n").encode("ascii")


def _kdf_in_range(n: int, r: int, p: int) -> bool:
    """Bounds that keep a garbled (or hostile) file from asking for much memory or time.

    At most 256 MiB (128 * r * n), twice what new files use.
    """
    return (
        2 <= n <= 2**20
        and n & (n - 1) == 0
        and 1 <= r <= 32
        and 1 <= p <= 16
        and 128 * r * n <= 2**28
    )


class EncryptedFileStore(CredentialStore):
    """A JSON dict of entries, sealed with AES-256-GCM under a scrypt-derived key.

    The file is a JSON document (see `seal`). The verifier is the second half of the
    scrypt output, so a wrong passphrase and a damaged file give different messages.
    Written atomically with mode 0600; errors never modify or delete the file; the file
    is removed when its last entry is. The derived key is cached in the object, so scrypt
    runs once per process (twice when an older file is re-encrypted at the current cost).
    """

    def __init__(
        self, path: Path | None = None, passphrase_provider: PassphraseProvider | None = None
    ) -> None:
        self.path = Path(path) if path is not None else paths.data_dir() / FILE_NAME
        self._provider = passphrase_provider or default_passphrase_provider
        self._unlocked: DerivedKey | None = None

    @property
    def description(self) -> str:
        return f"the encrypted file {self.path} (passphrase-protected)"

    @property
    def kind(self) -> str:
        return "file"

    def exists(self) -> bool:
        """Whether there is a key file (or anything else) at its path; never reads it."""
        return os.path.lexists(self.path)

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
        if not _encodable(passphrase):
            raise PassphraseRequiredError(
                f"The passphrase for the key file {self.path} contains characters that "
                "cannot be encoded; it is refused."
            )
        return passphrase

    def _read_header(self) -> dict[str, Any] | None:
        """The parsed file, checked for shape; None when there is no file.

        Anything odd in the file is a CorruptStoreError: every field is checked for its
        JSON type before it is used (no float, bool or huge number reaches int()).
        """
        try:
            raw = read_regular_file(self.path, MAX_FILE_BYTES)
        except FileNotFoundError:
            return None
        except NotRegularFileError:
            raise CorruptStoreError(self.path, "it is not a regular file") from None
        except OSError as exc:
            raise CredentialError(
                f"Cannot read the key file {self.path}: {exc.strerror or type(exc).__name__}."
            ) from None
        if len(raw) > MAX_FILE_BYTES:
            raise CorruptStoreError(self.path, "far too large for a key file")
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise CorruptStoreError(self.path, "it is not valid JSON; truncated?") from None
        if type(data) is not dict or data.get("format") != FILE_FORMAT:
            raise CorruptStoreError(self.path, "it is not a clockify-panel key file")
        version = data.get("version")
        if type(version) is not int or version != FILE_VERSION:
            shown = f" {version}" if type(version) is int and abs(version) < 10**6 else ""
            raise CorruptStoreError(self.path, f"unknown version{shown}; from a newer release?")
        kdf = data.get("kdf")
        if type(kdf) is not dict or kdf.get("name") != "scrypt":
            raise CorruptStoreError(self.path, "unknown key derivation")
        n, r, p = kdf.get("n"), kdf.get("r"), kdf.get("p")
        texts: list[str] = []
        for name in ("salt", "verifier", "nonce", "ciphertext"):
            text = data.get(name)
            if type(text) is str:
                texts.append(text)
        if type(n) is not int or type(r) is not int or type(p) is not int or len(texts) != 4:
            raise CorruptStoreError(self.path, "fields are missing or garbled")
        try:
            salt, verifier, nonce, ciphertext = (
                base64.b64decode(text, validate=True) for text in texts
            )
        except (ValueError, binascii.Error):  # non-ASCII text is a ValueError
            raise CorruptStoreError(self.path, "fields are missing or garbled") from None
        if not _kdf_in_range(n, r, p):
            raise CorruptStoreError(self.path, "key derivation parameters out of range")
        if (
            len(salt) < 8
            or len(verifier) != KEY_BYTES
            or len(nonce) != NONCE_BYTES
            or len(ciphertext) < 16
        ):
            raise CorruptStoreError(self.path, "fields have the wrong length")
        return {
            "n": n,
            "r": r,
            "p": p,
            "salt": salt,
            "verifier": verifier,
            "nonce": nonce,
            "ciphertext": ciphertext,
        }

    def _derived(self, passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
        try:
            return _derive_once(passphrase, salt, n, r, p)
        except MemoryError:
            raise CredentialError(
                f"There is not enough memory to derive the key of {self.path} "
                f"(scrypt needs {128 * r * n >> 20} MiB)."
            ) from None
        except ValueError:  # OpenSSL refused the parameters
            raise CorruptStoreError(self.path, "key derivation parameters refused") from None

    def _unlock_existing(self, header: dict[str, Any]) -> DerivedKey:
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
        key, verifier = self._derived(passphrase, salt, n, r, p)
        if not hmac.compare_digest(verifier, header["verifier"]):
            raise WrongPassphraseError(self.path)
        kept = passphrase if n < SCRYPT_N else None  # to re-encrypt at the current cost
        self._unlocked = DerivedKey(salt, n, r, p, key, verifier, kept)
        return self._unlocked

    def _load(self) -> tuple[dict[str, str], DerivedKey | None]:
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
        except (InvalidTag, ValueError, OverflowError):
            raise CorruptStoreError(
                self.path, "the passphrase is right but the content does not decrypt"
            ) from None
        try:
            entries = json.loads(plain.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise CorruptStoreError(self.path, "the decrypted content is not JSON") from None
        if type(entries) is not dict or not all(
            type(k) is str and type(v) is str for k, v in entries.items()
        ):
            raise CorruptStoreError(self.path, "the decrypted content has the wrong shape")
        return entries, unlocked

    def _new_unlocked(self) -> DerivedKey:
        cached = self._unlocked
        if cached is not None:
            return cached
        passphrase = self._passphrase(creating=True)
        if len(passphrase) < MIN_PASSPHRASE_CHARS:  # _passphrase refused the other problems
            raise PassphraseTooShortError(
                f"The passphrase for the new key file {self.path} is too short: use at least "
                f"{MIN_PASSPHRASE_CHARS} characters."
            )
        self._unlocked = self._at_current_cost(passphrase)
        return self._unlocked

    def _at_current_cost(self, passphrase: str) -> DerivedKey:
        salt = secrets.token_bytes(SALT_BYTES)
        key, verifier = self._derived(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        return DerivedKey(salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, key, verifier)

    # -- writing ---------------------------------------------------------------------------

    def _save(self, entries: dict[str, str], unlocked: DerivedKey) -> None:
        """Write `entries`, dropping oversized ones, at the current scrypt cost.

        An older release could store a value of any length; such an entry is unusable
        (no API key is that long) and is dropped here, so any write repairs the file.
        A file at a lower cost than SCRYPT_N gets a new salt and the current cost, with
        the passphrase that opened it.
        """
        oversized = [
            name
            for name, value in entries.items()
            if len(value) > MAX_VALUE_CHARS or len(name) > MAX_ENTRY_CHARS
        ]
        for name in oversized:
            del entries[name]
        if oversized:
            log.warning(
                "Dropped %d oversized entr%s from the key file (written by an older release).",
                len(oversized),
                "y" if len(oversized) == 1 else "ies",
            )
        target = unlocked
        if unlocked.n < SCRYPT_N and unlocked.passphrase is not None:
            target = self._at_current_cost(unlocked.passphrase)
        if not entries:
            self._remove_file()
        else:
            self._write(entries, target)
        self._unlocked = target

    def _remove_file(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            raise StoreWriteError(
                f"Cannot remove the key file {self.path}, which holds no key any more: "
                f"{exc.strerror or type(exc).__name__}."
            ) from None

    def _write(self, entries: dict[str, str], unlocked: DerivedKey) -> None:
        data = seal_entries(entries, unlocked)
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
        check_entry(entry, value)
        with self._exclusive():
            entries, unlocked = self._load()
            if unlocked is None:
                unlocked = self._new_unlocked()
            entries[entry] = value
            self._save(entries, unlocked)

    def delete(self, entry: str) -> bool:
        with self._exclusive():
            entries, unlocked = self._load()
            if unlocked is None or entry not in entries:
                return False
            del entries[entry]
            self._save(entries, unlocked)
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


__all__ = [
    "FILE_NAME",
    "MIN_PASSPHRASE_CHARS",
    "SCRYPT_N",
    "DerivedKey",
    "EncryptedFileStore",
    "check_new_passphrase",
    "default_passphrase_provider",
    "derive_key",
    "seal",
    "seal_entries",
]
