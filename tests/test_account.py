"""Forgetting a connection: the key, the cached data and the cache key go, and nothing decrypts.

With the encrypted file store in process, and with a real Secret Service through the CLI.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEST_KEY
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from secret_service import require_secret_service, run_in_session, secret_service_env

from desktop.clockify import ApiKey, Connection
from desktop.clockify.models import User, Workspace
from desktop.store import (
    CredentialError,
    CredentialStore,
    EncryptedFileStore,
    Forgotten,
    KeyringUnavailableError,
    WrongPassphraseError,
    api_key_entry,
    cache_key_entry,
    file_store,
    forget,
    forget_connection,
    paths,
)
from desktop.store import cache as cache_module
from desktop.store.cache import EncryptedCache, Snapshot, WorkspaceSnapshot

ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "account test passphrase"
EU = Connection.for_region("eu")
GLOBAL = Connection.for_region("global")
OTHER_KEY = "other-key-0123456789abcdef0123456789"
SECRET_NAME = "Secret Workspace Name 7f3a"


@pytest.fixture(autouse=True)
def cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cheap scrypt for new key files: these tests are about what is removed, not the KDF."""
    monkeypatch.setattr(file_store, "SCRYPT_N", 2**10)


def _snapshot() -> Snapshot:
    return Snapshot(
        saved_at=1_700_000_000.0,
        workspaces=[
            WorkspaceSnapshot(
                workspace=Workspace("ws-1", SECRET_NAME),
                users=[User("u-1", "Alice Secret", "alice@secret.example", "ACTIVE")],
                clients=[],
            )
        ],
    )


def _store() -> EncryptedFileStore:
    return EncryptedFileStore(passphrase_provider=lambda _creating: PASSPHRASE)


def _app_files(home: Path) -> list[Path]:
    """Every regular file under the test's config, data, cache and state folders."""
    for folder in (paths.config_dir(), paths.data_dir(), paths.cache_dir(), paths.log_dir()):
        assert folder.is_relative_to(home)  # the isolated HOME holds every app folder
    return [p for p in home.rglob("*") if p.is_file() and not p.is_symlink()]


def _files_that_decrypt(home: Path, cache_key: bytes, connection: Connection) -> list[Path]:
    """Files under `home` giving up data of `connection` with its old cache key or passphrase."""
    aad = cache_module.AAD_PREFIX + connection.id.encode()
    found: list[Path] = []
    for path in _app_files(home):
        data = path.read_bytes()
        assert SECRET_NAME.encode() not in data, f"plain cached data in {path}"
        assert base64.urlsafe_b64encode(cache_key) not in data, f"the cache key is in {path}"
        start = data.find(cache_module.MAGIC)
        while start >= 0:
            nonce, sealed = data[start + 4 : start + 16], data[start + 16 :]
            start = data.find(cache_module.MAGIC, start + 1)
            try:
                AESGCM(cache_key).decrypt(nonce, sealed, aad)
            except InvalidTag:
                continue
            found.append(path)
        if data.lstrip().startswith(b"{") and b"clockify-panel-credentials" in data:
            entries = EncryptedFileStore(path, lambda _c: PASSPHRASE)
            for entry in (api_key_entry(connection), cache_key_entry(connection)):
                if entries.get(entry) is not None:
                    found.append(path)
    return found


def _cache_key(store: CredentialStore, connection: Connection) -> bytes:
    text = store.get(cache_key_entry(connection))
    assert text is not None
    return base64.urlsafe_b64decode(text)


# -- the encrypted file store ----------------------------------------------------------------


def test_forget_removes_the_key_the_cache_and_its_key(isolated_home: Path) -> None:
    store = _store()
    store.set_api_key(EU, ApiKey(TEST_KEY))
    store.set_api_key(GLOBAL, ApiKey(OTHER_KEY))
    cache = EncryptedCache(store)
    cache.save(EU, _snapshot())
    cache.save(GLOBAL, _snapshot())
    eu_cache_key = _cache_key(store, EU)
    assert _files_that_decrypt(isolated_home, eu_cache_key, EU)  # the check sees the data

    assert forget(store, EU) == Forgotten(api_key=True, cached_data=True)

    again = _store()  # a new object reads the file afresh
    assert again.get_api_key(EU) is None
    assert again.get(cache_key_entry(EU)) is None
    assert not cache.path_for(EU).exists()
    assert EncryptedCache(again).load(EU) is None
    assert _files_that_decrypt(isolated_home, eu_cache_key, EU) == []
    # The other connection is untouched.
    assert again.get_api_key(GLOBAL) == ApiKey(OTHER_KEY)
    assert EncryptedCache(again).load(GLOBAL) == _snapshot()

    assert forget(again, EU) == Forgotten(api_key=False, cached_data=False)
    assert forget_connection(again, GLOBAL) is True
    assert forget_connection(again, GLOBAL) is False


def test_a_cache_without_a_key_is_still_removed(tmp_path: Path) -> None:
    store = _store()
    cache = EncryptedCache(store, tmp_path / "cache")
    cache.save(EU, _snapshot())
    assert forget(store, EU, tmp_path / "cache") == Forgotten(api_key=False, cached_data=True)
    assert list((tmp_path / "cache").iterdir()) == []


class _BrokenKeyStore(EncryptedFileStore):
    """Removing the API key fails; everything else works."""

    def delete_api_key(self, connection: Connection) -> bool:
        raise KeyringUnavailableError("The system keyring (test) could not remove it.")


def test_a_failed_key_removal_still_removes_the_cache(tmp_path: Path) -> None:
    store = _BrokenKeyStore(tmp_path / "credentials.enc", lambda _c: PASSPHRASE)
    store.set_api_key(EU, ApiKey(TEST_KEY))
    cache = EncryptedCache(store, tmp_path / "cache")
    cache.save(EU, _snapshot())
    with pytest.raises(KeyringUnavailableError, match="could not remove it"):
        forget(store, EU, tmp_path / "cache")
    assert not cache.path_for(EU).exists()
    assert store.get(cache_key_entry(EU)) is None


def test_a_cache_file_that_cannot_be_removed_is_reported_after_the_rest(tmp_path: Path) -> None:
    store = _store()
    store.set_api_key(EU, ApiKey(TEST_KEY))
    cache = EncryptedCache(store, tmp_path / "cache")
    cache.save(EU, _snapshot())
    stuck = cache.path_for(EU)
    stuck.unlink()
    stuck.mkdir()  # unlink() of a folder fails
    (stuck / "inside").write_text("x")
    with pytest.raises(CredentialError, match=r"The cached data of EU .* could not be deleted"):
        forget(store, EU, tmp_path / "cache")
    assert store.get_api_key(EU) is None
    assert store.get(cache_key_entry(EU)) is None


def test_a_wrong_passphrase_is_the_store_error_once_and_the_cache_file_goes(
    tmp_path: Path,
) -> None:
    key_file = tmp_path / "credentials.enc"
    EncryptedFileStore(key_file, lambda _c: PASSPHRASE).set_api_key(EU, ApiKey(TEST_KEY))
    before = key_file.read_bytes()
    wrong = EncryptedFileStore(key_file, lambda _c: "not the passphrase")
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    EncryptedCache(wrong, cache_dir).path_for(EU).write_bytes(b"CPC1" + bytes(40))
    with pytest.raises(WrongPassphraseError) as caught:
        forget(wrong, EU, cache_dir)
    assert str(caught.value).count("does not open") == 1
    assert key_file.read_bytes() == before
    assert list(cache_dir.iterdir()) == []


# -- a real Secret Service, through the CLI -------------------------------------------------

_SAVE_CACHE = """
import base64, sys
from desktop.clockify import Connection
from desktop.clockify.models import Workspace
from desktop.store import cache_key_entry, open_credential_store
from desktop.store.cache import EncryptedCache, Snapshot, WorkspaceSnapshot
store = open_credential_store()
connection = Connection.for_region(sys.argv[1])
snapshot = Snapshot(1.0, [WorkspaceSnapshot(Workspace("ws-1", sys.argv[2]), [], [])])
EncryptedCache(store).save(connection, snapshot)
print(store.kind)
print(store.get(cache_key_entry(connection)))
"""

_ENTRIES = """
import sys
from desktop.clockify import Connection
from desktop.store import api_key_entry, cache_key_entry, open_credential_store
store = open_credential_store()
connection = Connection.for_region(sys.argv[1])
print(store.kind, store.get(api_key_entry(connection)) is None,
      store.get(cache_key_entry(connection)) is None)
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


@pytest.mark.secret_service
@pytest.mark.timeout(120)
def test_key_clear_with_a_real_secret_service_leaves_nothing_that_decrypts(
    isolated_home: Path, tmp_path: Path
) -> None:
    require_secret_service()
    env = secret_service_env(_env(), isolated_home, tmp_path / "runtime")

    def run(argv: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
        result = run_in_session([sys.executable, *argv], env, stdin=stdin)
        assert result.returncode == 0, result.stderr
        assert TEST_KEY not in result.stdout + result.stderr
        return result

    run(["-m", "desktop", "key", "set", "--no-verify", "--region", "eu"], stdin=TEST_KEY)
    saved = run(["-c", _SAVE_CACHE, "eu", SECRET_NAME]).stdout.split()
    assert saved[0] == "keyring"
    cache_key = base64.urlsafe_b64decode(saved[1])
    assert not (paths.data_dir() / "credentials.enc").exists()
    assert _files_that_decrypt(isolated_home, cache_key, EU)  # the cache is there

    cleared = run(["-m", "desktop", "key", "clear", "--region", "eu"])
    assert "Removed the API key of EU" in cleared.stdout
    assert "and its cached data" in cleared.stdout
    assert run(["-c", _ENTRIES, "eu"]).stdout.split() == ["keyring", "True", "True"]
    assert _files_that_decrypt(isolated_home, cache_key, EU) == []
    assert json.dumps(sorted(p.name for p in paths.cache_dir().glob("*.cache"))) == "[]"
