"""The credential store: the encrypted file with keyring's real `fail` backend, and the choice."""

from __future__ import annotations

import base64
import json
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest
from keyring.backends import fail, null

from desktop import credentials, paths
from desktop.clockify import ApiKey, Connection
from desktop.credentials import (
    CorruptStoreError,
    CredentialError,
    EncryptedFileStore,
    KeyringStore,
    KeyringUnavailableError,
    PassphraseRequiredError,
    StoreWriteError,
    WrongPassphraseError,
    load_api_key,
    open_credential_store,
)

KEY = "cred-key-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
PASSPHRASE = "correct horse battery staple"
GLOBAL = Connection.for_region("global")
EU = Connection.for_region("eu")


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


@pytest.fixture
def passphrase(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(credentials.ENV_PASSPHRASE, PASSPHRASE)
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


@pytest.mark.parametrize(
    "backend",
    [null.Keyring(), LockedKeyring(), DismissedKeyring()],
    ids=["null", "locked", "dismissed"],
)
def test_unusable_keyrings_mean_the_encrypted_file(use_backend, backend) -> None:  # type: ignore[no-untyped-def]
    use_backend(backend)
    assert isinstance(open_credential_store(), EncryptedFileStore)
    assert credentials.keyring_problem() is not None


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
    monkeypatch.setenv(credentials.ENV_BACKEND, "file")
    assert isinstance(open_credential_store(), EncryptedFileStore)


def test_env_forcing_a_broken_keyring_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(credentials.ENV_BACKEND, "keyring")
    with pytest.raises(KeyringUnavailableError, match="CLOCKIFY_PANEL_CREDENTIALS=keyring"):
        open_credential_store()


def test_env_with_a_bogus_value_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(credentials.ENV_BACKEND, "post-it")
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


def test_file_holds_no_plain_key_and_is_private(passphrase: str, key_file: Path) -> None:
    open_credential_store().set_api_key(GLOBAL, ApiKey(KEY))
    raw = key_file.read_bytes()
    assert KEY.encode() not in raw
    assert base64.b64encode(KEY.encode()) not in raw
    assert base64.b64encode(KEY.encode())[:20] not in raw
    assert passphrase.encode() not in raw
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    document = json.loads(raw)
    assert document["kdf"] == {"name": "scrypt", "n": 2**15, "r": 8, "p": 1, "length": 64}
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
    monkeypatch.setenv(credentials.ENV_PASSPHRASE, "not the passphrase")
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
    monkeypatch.setenv(credentials.ENV_PASSPHRASE, "")
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


def test_scrypt_runs_once_per_store(passphrase: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = credentials._derive

    def counting(*args: object) -> tuple[bytes, bytes]:
        calls.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(credentials, "_derive", counting)
    store = open_credential_store()
    store.unlock()
    store.set_api_key(GLOBAL, ApiKey(KEY))
    store.get_api_key(GLOBAL)
    store.set("cache-key:global", "x" * 16)
    store.delete_api_key(GLOBAL)
    assert len(calls) == 1
    open_credential_store().get("cache-key:global")
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


def test_concurrent_writers_from_two_processes_lose_nothing(tmp_path: Path) -> None:
    """The panel and `key set` may write at once: every entry must survive."""
    import subprocess
    import sys

    path = tmp_path / "credentials.enc"
    script = (
        "import sys; from pathlib import Path\n"
        "from desktop.credentials import EncryptedFileStore\n"
        "store = EncryptedFileStore(Path(sys.argv[1]), lambda _c: 'pw')\n"
        "for i in range(5): store.set(f'{sys.argv[2]}-{i}', 'v')\n"
    )
    EncryptedFileStore(path, lambda _c: "pw").set("seed", "v")  # both open an existing file
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(path), name])
        for name in ("panel", "cli", "third")
    ]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    store = EncryptedFileStore(path, lambda _c: "pw")
    for name in ("panel", "cli", "third"):
        for i in range(5):
            assert store.get(f"{name}-{i}") == "v"


def test_the_key_derivation_matches_cryptography_scrypt() -> None:
    """Files written when the KDF came from cryptography still open: same scrypt, same bytes."""
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    from desktop import credentials

    salt = bytes(range(16))
    n, r, p = credentials.SCRYPT_N, credentials.SCRYPT_R, credentials.SCRYPT_P
    key, verifier = credentials._derive("correct horse", salt, n, r, p)
    expected = Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(b"correct horse")
    assert key + verifier == expected


@pytest.mark.parametrize(
    ("n", "r", "p"), [(2**20, 16, 1), (2**15, 33, 1), (3, 8, 1), (2**15, 8, 17)]
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
