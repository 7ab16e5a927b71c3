"""The credential store: the encrypted file with keyring's real `fail` backend, and the choice."""

from __future__ import annotations

import base64
import json
import logging
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest
from keyring.backends import fail, null

from desktop.clockify import ApiKey, Connection
from desktop.store import (
    ENV_BACKEND,
    ENV_PASSPHRASE,
    MAX_VALUE_CHARS,
    CorruptStoreError,
    CredentialError,
    EncryptedFileStore,
    EntryTooLargeError,
    KeyringLockedError,
    KeyringStore,
    KeyringUnavailableError,
    PassphraseRequiredError,
    PassphraseTooShortError,
    StoreWriteError,
    WrongPassphraseError,
    check_new_passphrase,
    file_store,
    keyring_problem,
    load_api_key,
    open_credential_store,
    paths,
)
from desktop.store.file_store import DerivedKey, derive_key, seal_entries
from desktop.store.files import write_private_file

KEY = "cred-key-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
PASSPHRASE = "correct horse battery staple"
GLOBAL = Connection.for_region("global")
EU = Connection.for_region("eu")
CHEAP_N = 2**10
LOCKED_MESSAGE = (
    "The system keyring is locked: unlock it, or set CLOCKIFY_PANEL_CREDENTIALS=file to "
    "keep the key in the encrypted file instead."
)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A working backend for the choice tests (the real ones are in test_keycmd)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")


class DismissedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.InitError("Failed to create the collection: Prompt dismissed..")


@pytest.fixture
def use_backend() -> Iterator[object]:
    """Install a keyring backend for one test, then restore whatever was there."""
    previous = keyring.get_keyring()

    def install(backend: keyring.backend.KeyringBackend) -> keyring.backend.KeyringBackend:
        keyring.set_keyring(backend)
        return backend

    yield install
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def cheap_kdf(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """New key files at a cheap scrypt cost, except in tests that ask for `real_kdf`."""
    if "real_kdf" not in request.fixturenames:
        monkeypatch.setattr(file_store, "SCRYPT_N", CHEAP_N)


@pytest.fixture
def real_kdf() -> int:
    """The scrypt cost new files really get (the test checks it or needs it)."""
    assert file_store.SCRYPT_N == 2**17
    return file_store.SCRYPT_N


@pytest.fixture
def passphrase(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(ENV_PASSPHRASE, PASSPHRASE)
    return PASSPHRASE


@pytest.fixture
def key_file() -> Path:
    return paths.data_dir() / "credentials.enc"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "credentials.enc")


# -- choosing the store ----------------------------------------------------------------------


def test_fail_backend_means_the_encrypted_file(key_file: Path) -> None:
    assert isinstance(keyring.get_keyring(), fail.Keyring)  # set by conftest
    store = open_credential_store()
    assert isinstance(store, EncryptedFileStore)
    assert store.path == key_file
    assert store.description == f"the encrypted file {key_file} (passphrase-protected)"


def test_an_absent_keyring_means_the_encrypted_file(use_backend) -> None:  # type: ignore[no-untyped-def]
    use_backend(null.Keyring())
    assert isinstance(open_credential_store(), EncryptedFileStore)
    assert keyring_problem() == "the keyring backend is 'null Keyring'"


@pytest.mark.parametrize(
    "backend", [LockedKeyring(), DismissedKeyring()], ids=["locked", "dismissed"]
)
def test_a_locked_keyring_is_an_error_never_the_file(  # type: ignore[no-untyped-def]
    use_backend, backend, passphrase: str, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_backend(backend)
    for choice in ("", "auto", "keyring"):
        monkeypatch.setenv(ENV_BACKEND, choice)
        with pytest.raises(KeyringLockedError) as caught:
            open_credential_store()
        assert str(caught.value) == LOCKED_MESSAGE
        with pytest.raises(KeyringLockedError):
            load_api_key(GLOBAL)
    assert keyring_problem() == LOCKED_MESSAGE
    assert not key_file.exists()
    monkeypatch.setenv(ENV_BACKEND, "file")  # what the message offers works
    open_credential_store().set_api_key(GLOBAL, ApiKey(KEY))
    assert open_credential_store().get_api_key(GLOBAL) == ApiKey(KEY)


def test_a_keyring_that_fails_otherwise_is_an_error_never_the_file(
    use_backend,  # type: ignore[no-untyped-def]
    key_file: Path,
) -> None:
    use_backend(DbusBrokenKeyring())
    with pytest.raises(
        KeyringUnavailableError, match="does not answer \\(RuntimeError\\)"
    ) as caught:
        open_credential_store()
    assert "CLOCKIFY_PANEL_CREDENTIALS=file" in str(caught.value)
    assert "D-Bus said" not in str(caught.value)
    assert not key_file.exists()


class FullyLockedKeyring(LockedKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")


def test_keyring_operations_on_a_locked_keyring_say_it_is_locked() -> None:
    store = KeyringStore(FullyLockedKeyring())
    for action in (
        lambda: store.get_api_key(GLOBAL),
        lambda: store.set_api_key(GLOBAL, ApiKey(KEY)),
        lambda: store.delete_api_key(GLOBAL),
    ):
        with pytest.raises(KeyringLockedError, match=r"^The system keyring is locked: unlock it"):
            action()
    with pytest.raises(KeyringLockedError):
        KeyringStore(DismissedKeyring()).get("cache-key:global")


def test_an_existing_key_file_stays_the_store_when_a_keyring_appears(  # type: ignore[no-untyped-def]
    use_backend, passphrase: str, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys written to the file are read from the file: one store holds them at a time."""
    open_credential_store().set_api_key(GLOBAL, ApiKey(KEY))  # no keyring (fail backend)
    backend = use_backend(MemoryKeyring())
    store = open_credential_store()
    assert isinstance(store, EncryptedFileStore)
    assert store.get_api_key(GLOBAL) == ApiKey(KEY)
    store.set_api_key(EU, ApiKey(KEY[::-1]))  # new keys go there too
    assert backend.items == {}
    # Forcing the keyring is still possible, and then the file is not read.
    monkeypatch.setenv(ENV_BACKEND, "keyring")
    assert open_credential_store().get_api_key(GLOBAL) is None
    monkeypatch.delenv(ENV_BACKEND)
    # Removing the file's last entry removes the file: the keyring takes over.
    store.delete_api_key(GLOBAL)
    assert key_file.exists()
    store.delete_api_key(EU)
    assert not key_file.exists()
    assert isinstance(open_credential_store(), KeyringStore)


def test_a_damaged_key_file_is_reported_not_bypassed(  # type: ignore[no-untyped-def]
    use_backend, passphrase: str, key_file: Path
) -> None:
    use_backend(MemoryKeyring())
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_bytes(b"garbage")
    with pytest.raises(CorruptStoreError, match="is damaged"):
        open_credential_store().get_api_key(GLOBAL)


def test_a_working_keyring_is_used(use_backend) -> None:  # type: ignore[no-untyped-def]
    backend = use_backend(MemoryKeyring())
    store = open_credential_store()
    assert isinstance(store, KeyringStore)
    assert store.description.startswith("the system keyring (")
    store.set_api_key(GLOBAL, ApiKey(KEY))
    assert backend.items == {("clockify-panel", "api-key:global"): KEY}
    assert store.get_api_key(GLOBAL) == ApiKey(KEY)
    assert load_api_key(GLOBAL) == ApiKey(KEY)
    store.set("cache-key:global", "c" * 20)
    assert store.get("cache-key:global") == "c" * 20
    assert store.delete_api_key(GLOBAL) is True
    assert store.delete_api_key(GLOBAL) is False
    assert store.get_api_key(GLOBAL) is None
    assert KEY not in repr(store)


def test_env_forces_the_file(use_backend, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    use_backend(MemoryKeyring())
    monkeypatch.setenv(ENV_BACKEND, "file")
    assert isinstance(open_credential_store(), EncryptedFileStore)


def test_env_forcing_a_broken_keyring_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_BACKEND, "keyring")
    with pytest.raises(KeyringUnavailableError, match="CLOCKIFY_PANEL_CREDENTIALS=keyring"):
        open_credential_store()


def test_env_with_a_bogus_value_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_BACKEND, "post-it")
    with pytest.raises(CredentialError, match="'file', 'keyring'"):
        open_credential_store()


# -- the encrypted file ----------------------------------------------------------------------


def test_round_trip(passphrase: str, key_file: Path) -> None:
    store = open_credential_store()
    assert store.get_api_key(GLOBAL) is None
    store.set_api_key(GLOBAL, ApiKey(KEY))
    store.set("cache-key:global", "cache-secret-value")
    store.set_api_key(EU, ApiKey(KEY[::-1]))

    again = open_credential_store()  # a new object: derives the key again from the file
    assert again.get_api_key(GLOBAL) == ApiKey(KEY)
    assert again.get_api_key(EU) == ApiKey(KEY[::-1])
    assert again.get("cache-key:global") == "cache-secret-value"
    assert load_api_key(GLOBAL) == ApiKey(KEY)

    assert again.delete_api_key(GLOBAL) is True
    assert again.delete_api_key(GLOBAL) is False
    assert open_credential_store().get_api_key(GLOBAL) is None
    assert open_credential_store().get_api_key(EU) == ApiKey(KEY[::-1])


def test_file_holds_no_plain_key_and_is_private(
    passphrase: str, key_file: Path, real_kdf: int
) -> None:
    open_credential_store().set_api_key(GLOBAL, ApiKey(KEY))
    raw = key_file.read_bytes()
    assert KEY.encode() not in raw
    assert base64.b64encode(KEY.encode()) not in raw
    assert base64.b64encode(KEY.encode())[:20] not in raw
    assert passphrase.encode() not in raw
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    document = json.loads(raw)
    assert document["kdf"] == {"name": "scrypt", "n": 2**17, "r": 8, "p": 1, "length": 64}
    assert len(base64.b64decode(document["salt"])) == 16
    assert len(base64.b64decode(document["nonce"])) == 12
    assert len(base64.b64decode(document["verifier"])) == 32


def test_every_write_uses_a_fresh_nonce(passphrase: str, key_file: Path) -> None:
    store = open_credential_store()
    store.set_api_key(GLOBAL, ApiKey(KEY))
    first = json.loads(key_file.read_bytes())
    store.set_api_key(GLOBAL, ApiKey(KEY))
    second = json.loads(key_file.read_bytes())
    assert first["salt"] == second["salt"]
    assert first["nonce"] != second["nonce"]


def test_wrong_passphrase_is_clear_and_leaves_the_file(
    passphrase: str, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_credential_store().set_api_key(GLOBAL, ApiKey(KEY))
    before = key_file.read_bytes()
    monkeypatch.setenv(ENV_PASSPHRASE, "not the passphrase")
    store = open_credential_store()
    with pytest.raises(WrongPassphraseError) as caught:
        store.get_api_key(GLOBAL)
    message = str(caught.value)
    assert message.startswith(f"The passphrase does not open the key file {key_file}.")
    assert "not the passphrase" not in message
    assert KEY not in message
    for action in (
        lambda: store.set_api_key(GLOBAL, ApiKey(KEY[::-1])),
        lambda: store.delete_api_key(GLOBAL),
        lambda: load_api_key(GLOBAL),
    ):
        with pytest.raises(WrongPassphraseError):
            action()
    assert key_file.read_bytes() == before
    assert _leftovers(key_file.parent) == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],
        lambda raw: b"",
        lambda raw: b"\x00\xff garbage",
        lambda raw: b"[]",
    ],
    ids=["truncated", "empty", "binary", "not-a-dict"],
)
def test_damaged_file_is_clear_and_left_alone(passphrase: str, key_file: Path, damage) -> None:  # type: ignore[no-untyped-def]
    open_credential_store().set_api_key(GLOBAL, ApiKey(KEY))
    damaged = damage(key_file.read_bytes())
    key_file.write_bytes(damaged)
    store = open_credential_store()
    with pytest.raises(CorruptStoreError, match="is damaged") as caught:
        store.get_api_key(GLOBAL)
    assert str(key_file) in str(caught.value)
    assert "remove it and store the key again" in str(caught.value)
    with pytest.raises(CorruptStoreError):
        store.set_api_key(GLOBAL, ApiKey(KEY))
    assert key_file.read_bytes() == damaged


def test_garbled_ciphertext_with_right_passphrase_is_damage_not_a_wrong_passphrase(
    passphrase: str, key_file: Path
) -> None:
    open_credential_store().set_api_key(GLOBAL, ApiKey(KEY))
    document = json.loads(key_file.read_bytes())
    sealed = bytearray(base64.b64decode(document["ciphertext"]))
    sealed[3] ^= 0x55
    document["ciphertext"] = base64.b64encode(bytes(sealed)).decode()
    key_file.write_text(json.dumps(document))
    before = key_file.read_bytes()
    with pytest.raises(CorruptStoreError, match="does not decrypt"):
        open_credential_store().get_api_key(GLOBAL)
    assert key_file.read_bytes() == before


def test_writes_leave_no_temp_files(passphrase: str, key_file: Path) -> None:
    store = open_credential_store()
    for i in range(3):
        store.set(f"cache-key:{i}", f"value-{i}")
    store.delete("cache-key:1")
    assert _leftovers(key_file.parent) == []


def test_failed_write_keeps_the_old_file(
    passphrase: str, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_credential_store()
    store.set_api_key(GLOBAL, ApiKey(KEY))
    before = key_file.read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr("os.replace", broken_replace)
        with pytest.raises(StoreWriteError, match="No space left on device") as caught:
            store.set_api_key(GLOBAL, ApiKey(KEY[::-1]))
    assert KEY[::-1] not in str(caught.value)
    assert key_file.read_bytes() == before
    assert _leftovers(key_file.parent) == []
    assert open_credential_store_with(PASSPHRASE).get_api_key(GLOBAL) == ApiKey(KEY)


def open_credential_store_with(passphrase: str) -> EncryptedFileStore:
    return EncryptedFileStore(passphrase_provider=lambda creating: passphrase)


def test_missing_passphrase_is_clear(key_file: Path) -> None:
    store = open_credential_store()
    # Nothing stored yet: reading needs no passphrase.
    assert store.get_api_key(GLOBAL) is None
    assert load_api_key(GLOBAL) is None
    with pytest.raises(PassphraseRequiredError, match="set CLOCKIFY_PANEL_PASSPHRASE"):
        store.set_api_key(GLOBAL, ApiKey(KEY))
    assert not key_file.exists()

    open_credential_store_with(PASSPHRASE).set_api_key(GLOBAL, ApiKey(KEY))
    with pytest.raises(PassphraseRequiredError, match="CLOCKIFY_PANEL_PASSPHRASE"):
        load_api_key(GLOBAL)


def test_empty_passphrase_is_refused(monkeypatch: pytest.MonkeyPatch, key_file: Path) -> None:
    monkeypatch.setenv(ENV_PASSPHRASE, "")
    with pytest.raises(PassphraseRequiredError, match="empty"):
        open_credential_store().set_api_key(GLOBAL, ApiKey(KEY))
    assert not key_file.exists()


def test_provider_is_told_whether_the_file_is_new(key_file: Path) -> None:
    calls: list[bool] = []

    def provider(creating: bool) -> str:
        calls.append(creating)
        return PASSPHRASE

    EncryptedFileStore(passphrase_provider=provider).set_api_key(GLOBAL, ApiKey(KEY))
    EncryptedFileStore(passphrase_provider=provider).get_api_key(GLOBAL)
    assert calls == [True, False]
    assert isinstance(open_credential_store(passphrase_provider=provider), EncryptedFileStore)


def test_scrypt_runs_once_per_file_and_passphrase(
    passphrase: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The panel opens a store per worker job: the second store must not pay scrypt again."""
    calls = []
    real = derive_key

    def counting(*args: object) -> tuple[bytes, bytes]:
        calls.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(file_store, "derive_key", counting)
    store = open_credential_store()
    store.unlock()
    store.set_api_key(GLOBAL, ApiKey(KEY))
    store.get_api_key(GLOBAL)
    store.set("cache-key:global", "x" * 16)
    store.delete_api_key(GLOBAL)
    assert len(calls) == 1
    open_credential_store().get("cache-key:global")
    assert len(calls) == 1
    wrong = EncryptedFileStore(passphrase_provider=lambda _creating: "another passphrase")
    with pytest.raises(WrongPassphraseError):
        wrong.get("cache-key:global")
    assert len(calls) == 2


def test_secrets_stay_out_of_repr(passphrase: str) -> None:
    store = open_credential_store()
    store.set_api_key(GLOBAL, ApiKey(KEY))
    for text in (repr(store), str(store), repr(store.get_api_key(GLOBAL)), repr(vars(store))):
        assert KEY not in text
        assert PASSPHRASE not in text


def test_unusable_stored_value_is_a_clear_error(passphrase: str) -> None:
    store = open_credential_store()
    store.set("api-key:global", "has spaces in it")
    with pytest.raises(CredentialError, match="not usable"):
        store.get_api_key(GLOBAL)


def test_store_and_clockify_errors_share_one_base() -> None:
    """One `message` base: a caller can show either kind, and exit with its code."""
    from desktop.clockify import ClockifyError, KeyRejectedError
    from desktop.errors import AppError

    assert issubclass(CredentialError, AppError)
    assert issubclass(ClockifyError, AppError)
    for error in (
        CorruptStoreError(Path("k.enc"), "truncated"),
        KeyringLockedError(),
        KeyRejectedError("api.clockify.me"),
    ):
        assert isinstance(error, AppError)
        assert str(error) == error.message
        assert error.exit_code == 3


class LeakyBrokenKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError(f"could not save {password}")


class DbusBrokenKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError(f"D-Bus said something about {username}")


def test_keyring_failures_are_credential_errors_without_secrets() -> None:
    with pytest.raises(KeyringUnavailableError, match="could not store the key") as caught:
        KeyringStore(LeakyBrokenKeyring()).set_api_key(GLOBAL, ApiKey(KEY))
    assert KEY not in str(caught.value)
    assert "<hidden>" in str(caught.value)
    with pytest.raises(KeyringUnavailableError, match="could not read the key: RuntimeError"):
        KeyringStore(DbusBrokenKeyring()).get_api_key(GLOBAL)


def test_concurrent_writers_from_two_processes_lose_nothing(tmp_path: Path, real_kdf: int) -> None:
    """The panel and `key set` may write at once: every entry must survive."""
    path = tmp_path / "credentials.enc"
    script = (
        "import sys; from pathlib import Path\n"
        "from desktop.store import EncryptedFileStore\n"
        "store = EncryptedFileStore(Path(sys.argv[1]), lambda _c: 'passphrase')\n"
        "for i in range(5): store.set(f'{sys.argv[2]}-{i}', 'v')\n"
    )
    EncryptedFileStore(path, lambda _c: "passphrase").set("seed", "v")  # all open this file
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(path), name])
        for name in ("panel", "cli", "third")
    ]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    store = EncryptedFileStore(path, lambda _c: "passphrase")
    for name in ("panel", "cli", "third"):
        for i in range(5):
            assert store.get(f"{name}-{i}") == "v"


def test_the_key_derivation_matches_cryptography_scrypt(real_kdf: int) -> None:
    """Files written when the KDF came from cryptography still open: same scrypt, same bytes.

    At the real cost (N = 2**17, r = 8: 128 MiB), so the memory bound `derive_key` gives
    OpenSSL is checked too.
    """
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    salt = bytes(range(16))
    n, r, p = file_store.SCRYPT_N, file_store.SCRYPT_R, file_store.SCRYPT_P
    key, verifier = derive_key("correct horse", salt, n, r, p)
    expected = Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(b"correct horse")
    assert key + verifier == expected


@pytest.mark.parametrize(
    ("n", "r", "p"),
    [(2**20, 16, 1), (2**19, 8, 1), (2**15, 33, 1), (3, 8, 1), (2**15, 8, 17), (2**17, 8, 0)],
)
def test_kdf_parameters_out_of_range_are_damage_not_a_memory_grab(
    passphrase: str, key_file: Path, n: int, r: int, p: int
) -> None:
    open_credential_store().set_api_key(GLOBAL, ApiKey(KEY))
    document = json.loads(key_file.read_text())
    document["kdf"].update(n=n, r=r, p=p)
    key_file.write_text(json.dumps(document))
    with pytest.raises(CorruptStoreError, match="out of range"):
        open_credential_store().get_api_key(GLOBAL)


# -- passphrases and the scrypt cost ---------------------------------------------------------


def _write_file(path: Path, entries: dict[str, str], passphrase: str, n: int) -> None:
    """A key file as an older release wrote it: any passphrase, any cost, any entries."""
    salt = os.urandom(16)
    key, verifier = derive_key(passphrase, salt, n, 8, 1)
    write_private_file(path, seal_entries(entries, DerivedKey(salt, n, 8, 1, key, verifier)))


def test_check_new_passphrase() -> None:
    assert check_new_passphrase("12345678") is None
    assert check_new_passphrase("correct horse") is None
    assert check_new_passphrase("ÅÅÅÅÅÅÅÅ") is None
    assert check_new_passphrase("") == (
        "The passphrase is empty; choose one of at least 8 characters."
    )
    for short in ("x", "1234567", "       "[:7]):
        assert check_new_passphrase(short) == (
            "The passphrase is too short; choose one of at least 8 characters."
        )
    assert "cannot be encoded" in str(check_new_passphrase("abcdefgh\ud800"))


@pytest.mark.parametrize("short", ["x", "1234567"])
def test_a_new_key_file_needs_a_passphrase_of_eight_characters(
    short: str, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_PASSPHRASE, short)
    store = open_credential_store()
    for action in (store.unlock, lambda: store.set_api_key(GLOBAL, ApiKey(KEY))):
        with pytest.raises(PassphraseTooShortError) as caught:
            action()
        assert str(caught.value) == (
            f"The passphrase for the new key file {key_file} is too short: use at least 8 "
            "characters."
        )
        assert short not in str(caught.value).replace(str(key_file), "")
    assert isinstance(caught.value, PassphraseRequiredError)  # a passphrase is still needed
    assert not key_file.exists()


def test_an_existing_file_keeps_opening_with_its_short_passphrase(
    key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_file(key_file, {"api-key:global": KEY}, "x", CHEAP_N)
    monkeypatch.setenv(ENV_PASSPHRASE, "x")
    store = open_credential_store()
    assert store.get_api_key(GLOBAL) == ApiKey(KEY)
    store.set_api_key(EU, ApiKey(KEY[::-1]))
    assert open_credential_store().get_api_key(EU) == ApiKey(KEY[::-1])


def test_an_older_file_is_re_encrypted_at_the_current_cost_when_written(
    passphrase: str, key_file: Path, real_kdf: int
) -> None:
    _write_file(key_file, {"api-key:global": KEY, "cache-key:global": "c" * 44}, PASSPHRASE, 2**15)
    old = json.loads(key_file.read_bytes())
    store = open_credential_store()
    assert store.get_api_key(GLOBAL) == ApiKey(KEY)
    assert (
        key_file.read_bytes() == json.dumps(old, indent=2).encode() + b"\n"
    )  # reads write nothing
    store.set_api_key(EU, ApiKey(KEY[::-1]))
    new = json.loads(key_file.read_bytes())
    assert new["kdf"] == {"name": "scrypt", "n": 2**17, "r": 8, "p": 1, "length": 64}
    assert new["salt"] != old["salt"]
    again = open_credential_store()  # opens with the same passphrase, at the new cost
    assert again.get_api_key(GLOBAL) == ApiKey(KEY)
    assert again.get_api_key(EU) == ApiKey(KEY[::-1])
    assert again.get("cache-key:global") == "c" * 44
    store.set_api_key(EU, ApiKey(KEY))  # the same object goes on at the new cost
    assert json.loads(key_file.read_bytes())["salt"] == new["salt"]
    assert open_credential_store().get_api_key(EU) == ApiKey(KEY)


def test_a_passphrase_that_cannot_be_encoded_is_refused(
    key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EncryptedFileStore(passphrase_provider=lambda _c: "abcdefgh\udcff")
    with pytest.raises(PassphraseRequiredError, match="cannot be encoded"):
        store.set_api_key(GLOBAL, ApiKey(KEY))
    assert not key_file.exists()


# -- sizes -------------------------------------------------------------------------------


def test_oversized_values_are_refused_by_both_stores(passphrase: str, key_file: Path) -> None:
    store = open_credential_store()
    store.set("cache-key:global", "v" * MAX_VALUE_CHARS)
    before = key_file.read_bytes()
    keyring_store = KeyringStore(MemoryKeyring())
    for target in (store, keyring_store):
        with pytest.raises(EntryTooLargeError) as caught:
            target.set("cache-key:global", "v" * 2_000_000)
        assert str(caught.value) == (
            "A stored secret may have at most 4,096 characters; this one has 2,000,000, so it "
            "was not stored."
        )
        with pytest.raises(EntryTooLargeError, match="name of a stored secret"):
            target.set("x" * 5000, "v")
    assert key_file.read_bytes() == before
    assert keyring_store.get("cache-key:global") is None


def test_an_oversized_entry_from_an_older_release_locks_nobody_out(
    passphrase: str, key_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """0.1 stored a 2,000,000-character key; any write now drops it, reads still work."""
    huge = "k" * 2_000_000
    _write_file(key_file, {"api-key:eu": huge, "api-key:global": KEY}, PASSPHRASE, CHEAP_N)
    assert key_file.stat().st_size > 2_000_000
    store = open_credential_store()
    assert store.get_api_key(GLOBAL) == ApiKey(KEY)
    with pytest.raises(CredentialError) as caught:
        store.get_api_key(EU)
    assert "is not usable (the API key is 2,000,000 characters long" in str(caught.value)
    assert "python -m desktop key clear" in str(caught.value)
    # key clear of the connection removes it (any write would drop it).
    assert store.delete_api_key(EU) is True
    assert key_file.stat().st_size < 2000
    assert open_credential_store().get_api_key(GLOBAL) == ApiKey(KEY)

    _write_file(key_file, {"api-key:eu": huge, "api-key:global": KEY}, PASSPHRASE, CHEAP_N)
    with caplog.at_level(logging.WARNING):
        open_credential_store().set("cache-key:global", "c" * 44)  # another entry's write
    assert key_file.stat().st_size < 2000
    assert open_credential_store().get("api-key:eu") is None
    assert "Dropped 1 oversized entry" in caplog.text
    assert huge not in caplog.text


def test_a_key_file_over_the_read_limit_says_to_remove_it(passphrase: str, key_file: Path) -> None:
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_bytes(b" " * (file_store.MAX_FILE_BYTES + 1))
    with pytest.raises(CorruptStoreError) as caught:
        open_credential_store().get_api_key(GLOBAL)
    assert "far too large for a key file" in str(caught.value)
    assert "remove it and store the key again" in str(caught.value)


# -- what the parser does with odd files -----------------------------------------------------


def _valid_document(key_file: Path) -> dict[str, object]:
    open_credential_store().set_api_key(GLOBAL, ApiKey(KEY))
    document: dict[str, object] = json.loads(key_file.read_bytes())
    return document


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        (lambda d: d["kdf"].update(n=1e400), "missing or garbled"),
        (lambda d: d["kdf"].update(n=True), "missing or garbled"),
        (lambda d: d["kdf"].update(n=1024.0), "missing or garbled"),
        (lambda d: d["kdf"].update(r="8"), "missing or garbled"),
        (lambda d: d["kdf"].update(n=10**300), "out of range"),
        (lambda d: d["kdf"].update(n=-(2**10)), "out of range"),
        (lambda d: d.update(kdf=[1, 2]), "unknown key derivation"),
        (lambda d: d.update(kdf={"name": ["scrypt"]}), "unknown key derivation"),
        (lambda d: d.update(version=True), "unknown version"),
        (lambda d: d.update(version=1.0), "unknown version"),
        (lambda d: d.update(version=[[[]]]), "unknown version"),
        (lambda d: d.update(salt={"nested": [1, {"x": None}]}), "missing or garbled"),
        (lambda d: d.update(nonce="not base64!"), "missing or garbled"),
        (lambda d: d.update(nonce="QUJD\u00e9"), "missing or garbled"),
        (lambda d: d.update(ciphertext=None), "missing or garbled"),
        (lambda d: d.pop("verifier"), "missing or garbled"),
        (lambda d: d.update(nonce="QUJD"), "wrong length"),
    ],
)
def test_odd_fields_are_damage(  # type: ignore[no-untyped-def]
    passphrase: str, key_file: Path, change, detail: str
) -> None:
    document = _valid_document(key_file)
    change(document)
    key_file.write_text(json.dumps(document))
    damaged = key_file.read_bytes()
    with pytest.raises(CorruptStoreError, match=detail):
        open_credential_store().get_api_key(GLOBAL)
    assert key_file.read_bytes() == damaged


@pytest.mark.parametrize(
    "raw",
    [
        b'{"format": "clockify-panel-credentials", "version": 1, "kdf": {"n": 1e400}}',
        b"\xff\xfe not utf-8 \xc3\x28",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"format": "clockify-panel-credentials", "version": ' + b"9" * 5000 + b"}",
        b"NaN",
    ],
    ids=["inf", "non-utf8", "deep", "huge-int", "nan"],
)
def test_odd_bytes_are_damage(passphrase: str, key_file: Path, raw: bytes) -> None:
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_bytes(raw)
    with pytest.raises(CorruptStoreError):
        open_credential_store().get_api_key(GLOBAL)
    assert key_file.read_bytes() == raw


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_or_folder_in_place_of_the_key_file_is_damage_without_hanging(
    passphrase: str, key_file: Path
) -> None:
    key_file.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(key_file)
    with pytest.raises(CorruptStoreError, match="not a regular file"):
        open_credential_store().get_api_key(GLOBAL)
    assert stat.S_ISFIFO(key_file.lstat().st_mode)
    key_file.unlink()
    key_file.mkdir()
    with pytest.raises(CorruptStoreError, match="not a regular file"):
        open_credential_store().set_api_key(GLOBAL, ApiKey(KEY))
    assert key_file.is_dir()


def test_a_symlinked_key_file_is_read_and_its_target_never_written(
    passphrase: str, key_file: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("not a key file")
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.symlink_to(outside)
    store = open_credential_store()
    with pytest.raises(CorruptStoreError, match="not valid JSON"):
        store.set_api_key(GLOBAL, ApiKey(KEY))
    assert outside.read_text() == "not a key file"
    assert key_file.is_symlink()


# -- temporary files -------------------------------------------------------------------------


def test_a_write_removes_stale_temporary_files_and_nothing_else(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    target = folder / "credentials.enc"
    stale = [
        folder / ".credentials.enc.0123456789ab.tmp",
        folder / ".credentials.enc.ffffffffffff.tmp",
    ]
    for path in stale:
        path.write_bytes(b"x" * 1000)
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    kept = {
        folder / ".credentials.enc.abc.tmp": "short random part",
        folder / ".credentials.enc.0123456789AB.tmp": "upper case",
        folder / ".credentials.enc.0123456789ab.tmp.bak": "other suffix",
        folder / "credentials.enc.0123456789ab.tmp": "no dot",
        folder / ".other.0123456789ab.tmp": "another file's",
        folder / "notes.txt": "unrelated",
    }
    for path, text in kept.items():
        path.write_text(text)
    link = folder / ".credentials.enc.aaaaaaaaaaaa.tmp"
    link.symlink_to(outside)
    (folder / ".credentials.enc.bbbbbbbbbbbb.tmp").mkdir()

    write_private_file(target, b"new content")

    assert target.read_bytes() == b"new content"
    assert not any(path.exists() for path in stale)
    assert {path: path.read_text() for path in kept} == kept
    assert link.is_symlink()
    assert outside.read_text() == "keep me"
    assert (folder / ".credentials.enc.bbbbbbbbbbbb.tmp").is_dir()


@pytest.mark.skipif(sys.platform == "win32", reason="advisory locks (flock)")
def test_a_temporary_file_a_live_writer_holds_is_left_alone(tmp_path: Path) -> None:
    import fcntl

    target = tmp_path / "credentials.enc"
    busy = tmp_path / ".credentials.enc.0123456789ab.tmp"
    fd = os.open(busy, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        write_private_file(target, b"data")
        assert busy.exists()
    finally:
        os.close(fd)
    write_private_file(target, b"data")
    assert not busy.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_write_killed_midway_leaves_a_temp_file_the_next_write_removes(
    passphrase: str, key_file: Path
) -> None:
    store = open_credential_store()
    store.set_api_key(GLOBAL, ApiKey(KEY))
    before = key_file.read_bytes()
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from desktop.store.files import write_private_file\n"
        "os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
        "write_private_file(Path(sys.argv[1]), b'x' * 6_000_000)\n"
    )
    child = subprocess.run([sys.executable, "-c", script, str(key_file)], check=False, timeout=60)
    assert child.returncode == -signal.SIGKILL
    assert key_file.read_bytes() == before
    assert len(_leftovers(key_file.parent)) == 1  # the killed write's temporary file

    store.set_api_key(EU, ApiKey(KEY[::-1]))
    assert _leftovers(key_file.parent) == []
    assert open_credential_store().get_api_key(GLOBAL) == ApiKey(KEY)
