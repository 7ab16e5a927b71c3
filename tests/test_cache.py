"""The encrypted per-connection cache: round trips, secrecy, corruption and failure handling."""

from __future__ import annotations

import base64
import logging
import os
import stat
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop.clockify.connection import Connection
from desktop.clockify.models import Client, User, Workspace
from desktop.store import cache as cache_module
from desktop.store.cache import (
    CLIENT_COLUMNS,
    USER_COLUMNS,
    EncryptedCache,
    Removal,
    SecretStore,
    Snapshot,
    WorkspaceSnapshot,
    record_builder,
)

EU = Connection.for_region("eu")
CUSTOM = Connection.for_base_url("https://clockify.example.com/api/v1")


class MemoryStore:
    """A dict behind the SecretStore protocol."""

    def __init__(self) -> None:
        self.entries: dict[str, str] = {}

    def get(self, entry: str) -> str | None:
        return self.entries.get(entry)

    def set(self, entry: str, value: str) -> None:
        self.entries[entry] = value

    def delete(self, entry: str) -> None:
        self.entries.pop(entry, None)


class LockedStore(MemoryStore):
    """A store whose reads fail, like a locked keyring."""

    def get(self, entry: str) -> str | None:
        raise RuntimeError("the keyring is locked")


def _typed(store: SecretStore) -> SecretStore:
    return store


USERS = [
    User("u-1", "Zoë Ångström-Łukasiewicz", "zoe@example.com", "ACTIVE"),
    User("u-2", None, None, None),
    User("u-3", "<b>Bold</b> & <script>alert(1)</script>", "x+y@example.org", "INACTIVE"),
    User("u-4", "名前 😀 \u200b\u202e rtl \ud800 lone", "emoji😀@example.jp", "PENDING"),
    User("u-5", "", "", "ACTIVE"),
]
CLIENTS = [
    Client(
        "c-1",
        "Müller GmbH & Co. KG",
        False,
        "info@mueller.example",
        "Straße 1\n12345 Köln",
        ("buchhaltung@mueller.example", "chef@mueller.example"),
        "EUR",
        "Rechnung per E-Mail\nZahlungsziel 14 Tage",
    ),
    Client("c-2", None, True, None, None),
    Client("c-3", "<i>Acme</i> \"quoted\" 'single'", True, "acme@example.com", "line\ttab"),
]


def _snapshot() -> Snapshot:
    return Snapshot(
        saved_at=1_717_171_717.125,
        workspaces=[
            WorkspaceSnapshot(
                workspace=Workspace("ws-1", "Ünïcødé <Workspace>", "PRO", "EUR", "105.00 EUR"),
                users=list(USERS),
                clients=list(CLIENTS),
                include_inactive_users=True,
                include_archived_clients=True,
            ),
            WorkspaceSnapshot(workspace=Workspace("ws-2", None), users=None, clients=None),
            WorkspaceSnapshot(
                workspace=Workspace("ws-3", "Empty"),
                users=[],
                clients=[],
                include_inactive_users=False,
                include_archived_clients=True,
            ),
        ],
    )


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache-dir"


@pytest.fixture
def cache(store: MemoryStore, cache_dir: Path) -> EncryptedCache:
    return EncryptedCache(_typed(store), cache_dir)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    return [r for r in warnings if r.name == "desktop.store.cache"]


# --- round trip ---------------------------------------------------------------------------


def test_round_trip(cache: EncryptedCache) -> None:
    snapshot = _snapshot()
    cache.save(EU, snapshot)
    loaded = cache.load(EU)
    assert loaded == snapshot
    assert loaded is not None
    assert loaded.saved_at == 1_717_171_717.125
    first = loaded.workspaces[0]
    assert first.include_inactive_users is True
    assert first.include_archived_clients is True
    assert loaded.workspaces[1].users is None
    assert loaded.workspaces[1].clients is None
    assert loaded.workspaces[2].users == []
    assert first.users is not None
    assert all(type(u) is User for u in first.users)
    assert first.users[3].name == USERS[3].name  # lone surrogate survives
    assert hash(first.users[0]) == hash(USERS[0])


def test_saved_at_round_trips_and_overwrites(cache: EncryptedCache) -> None:
    cache.save(EU, Snapshot(saved_at=1.5, workspaces=[]))
    cache.save(EU, Snapshot(saved_at=1_800_000_000.0001, workspaces=[]))
    assert cache.load(EU) == Snapshot(saved_at=1_800_000_000.0001, workspaces=[])


def test_missing_file_is_none_silently(
    cache: EncryptedCache, store: MemoryStore, caplog: pytest.LogCaptureFixture
) -> None:
    assert cache.load(EU) is None
    assert _warnings(caplog) == []
    assert store.entries == {}


def test_default_directory_is_the_cache_dir(store: MemoryStore, isolated_home: Path) -> None:
    cache = EncryptedCache(store)
    assert cache.path_for(EU).parent == isolated_home / "cache" / "clockify-panel"
    cache.save(EU, _snapshot())
    assert cache.load(EU) == _snapshot()


def test_file_name_hides_the_base_url(cache: EncryptedCache, cache_dir: Path) -> None:
    path = cache.path_for(CUSTOM)
    assert path.parent == cache_dir
    assert path.suffix == ".cache"
    assert len(path.stem) == 32
    assert all(ch in "0123456789abcdef" for ch in path.stem)
    assert "example" not in path.name
    assert cache.path_for(EU) != path


# --- secrecy ------------------------------------------------------------------------------


def test_file_holds_no_plain_text(cache: EncryptedCache, cache_dir: Path) -> None:
    cache.save(CUSTOM, _snapshot())
    raw = cache.path_for(CUSTOM).read_bytes()
    assert raw.startswith(b"CPC1")
    secrets_in_data = ["ws-1", "Workspace", "example", "ACTIVE", "u-1", "c-1"]
    records: list[User | Client] = [*USERS, *CLIENTS]
    for record in records:
        secrets_in_data += [v for v in vars_of(record) if isinstance(v, str) and len(v) >= 3]
    for text in secrets_in_data:
        for encoded in {text.encode("utf-8", "surrogatepass"), text.encode("unicode_escape")}:
            assert encoded not in raw, text
    for start in (0, 4, 16):
        with pytest.raises(zlib.error):
            zlib.decompress(raw[start:])


def vars_of(record: User | Client) -> list[object]:
    return [getattr(record, name) for name in record.__slots__]


def test_key_is_in_the_store_not_in_the_directory(
    cache: EncryptedCache, store: MemoryStore, cache_dir: Path
) -> None:
    cache.save(EU, _snapshot())
    key_text = store.entries["cache-key:eu"]
    key = base64.urlsafe_b64decode(key_text)
    assert len(key) == 32
    files = [p for p in cache_dir.rglob("*") if p.is_file()]
    assert files == [cache.path_for(EU)]
    for path in files:
        data = path.read_bytes()
        assert key not in data
        assert key_text.encode() not in data
        assert key_text.rstrip("=").encode() not in data
        assert base64.b64encode(key) not in data
    # The key is created once and reused.
    cache.save(EU, _snapshot())
    assert store.entries["cache-key:eu"] == key_text


def test_file_and_directory_modes(cache: EncryptedCache, cache_dir: Path) -> None:
    cache.save(EU, _snapshot())
    assert stat.S_IMODE(cache.path_for(EU).stat().st_mode) == 0o600
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700


def test_each_write_uses_a_fresh_nonce(cache: EncryptedCache) -> None:
    cache.save(EU, _snapshot())
    first = cache.path_for(EU).read_bytes()
    cache.save(EU, _snapshot())
    second = cache.path_for(EU).read_bytes()
    assert first[4:16] != second[4:16]
    assert first != second


# --- corruption ---------------------------------------------------------------------------


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: b"garbage bytes, not a cache at all" * 3, id="garbage"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: data[:20], id="truncated-header"),
        pytest.param(lambda data: data[:-1], id="truncated-tag"),
        pytest.param(lambda data: data[: len(data) // 2], id="truncated-half"),
        pytest.param(lambda data: _flip(data, 30), id="flipped-ciphertext"),
        pytest.param(lambda data: _flip(data, 6), id="flipped-nonce"),
        pytest.param(lambda data: _flip(data, len(data) - 1), id="flipped-tag"),
        pytest.param(lambda data: b"CPC2" + data[4:], id="bad-magic"),
    ],
)
def test_corrupt_file_is_discarded(
    cache: EncryptedCache,
    caplog: pytest.LogCaptureFixture,
    damage: Callable[[bytes], bytes],
) -> None:
    cache.save(EU, _snapshot())
    path = cache.path_for(EU)
    path.write_bytes(damage(path.read_bytes()))
    with caplog.at_level(logging.WARNING):
        assert cache.load(EU) is None
    warnings = _warnings(caplog)
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert path.name in message
    assert "eu" not in message.replace(path.name, "")
    assert not path.exists()
    # A later save works again.
    cache.save(EU, _snapshot())
    assert cache.load(EU) == _snapshot()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs and /dev/zero")
def test_a_fifo_folder_or_endless_file_in_place_of_the_cache_is_absent(
    cache: EncryptedCache, cache_dir: Path, tmp_path: Path
) -> None:
    cache.save(EU, _snapshot())
    path = cache.path_for(EU)
    path.unlink()
    os.mkfifo(path)
    assert cache.load(EU) is None  # does not hang
    assert not path.exists()
    path.symlink_to("/dev/zero")
    assert cache.load(EU) is None  # does not read forever
    assert not path.is_symlink()
    path.mkdir()
    assert cache.load(EU) is None
    assert path.is_dir()
    outside = tmp_path / "outside.txt"
    outside.write_text("not a cache")
    path.rmdir()
    path.symlink_to(outside)
    assert cache.load(EU) is None
    assert outside.read_text() == "not a cache"  # only the link was discarded
    assert not path.is_symlink()


def _seal(store: MemoryStore, connection: Connection, plain: bytes) -> bytes:
    """Encrypt an arbitrary payload exactly as the cache does, to test the decoder."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = base64.urlsafe_b64decode(store.entries[f"cache-key:{connection.id}"])
    nonce = os.urandom(12)
    aad = b"clockify-panel-cache-v1|" + connection.id.encode()
    return b"CPC1" + nonce + AESGCM(key).encrypt(nonce, plain, aad)


@pytest.mark.parametrize(
    "plain",
    [
        pytest.param(b"not compressed", id="not-zlib"),
        pytest.param(zlib.compress(b"{not json"), id="bad-json"),
        pytest.param(zlib.compress(b"\xff\xfe"), id="bad-utf8"),
        pytest.param(zlib.compress(b"[]"), id="not-object"),
        pytest.param(zlib.compress(b'{"v":3,"saved_at":1,"workspaces":[]}'), id="version-3"),
        pytest.param(
            zlib.compress(b'{"v":2,"saved_at":1,"workspaces":[["w",null,false,false,null,null]]}'),
            id="v2-row-without-details",
        ),
        pytest.param(
            zlib.compress(
                b'{"v":2,"saved_at":1,"workspaces":[["w",null,false,false,null,null,[1,null,null]]]}'
            ),
            id="v2-details-bad-type",
        ),
        pytest.param(
            zlib.compress(
                b'{"v":2,"saved_at":1,"workspaces":[["w",null,false,false,null,null,[null]]]}'
            ),
            id="v2-details-short",
        ),
        pytest.param(
            zlib.compress(
                b'{"v":2,"saved_at":1,"workspaces":[["w",null,false,false,null,'
                b'[["c"],[null],[true],[null],[null],[[5]],[null],[null]],[null,null,null]]]}'
            ),
            id="v2-cc-email-not-text",
        ),
        pytest.param(
            zlib.compress(
                b'{"v":2,"saved_at":1,"workspaces":[["w",null,false,false,null,'
                b'[["c"],[null],[true],[null],[null],["a@x"],[null],[null]],[null,null,null]]]}'
            ),
            id="v2-cc-emails-not-list",
        ),
        pytest.param(
            zlib.compress(
                b'{"v":2,"saved_at":1,"workspaces":[["w",null,false,false,null,'
                b'[["c"],[null],[true],[null],[null]],[null,null,null]]]}'
            ),
            id="v2-clients-v1-columns",
        ),
        pytest.param(zlib.compress(b'{"v":true,"saved_at":1,"workspaces":[]}'), id="version-true"),
        pytest.param(zlib.compress(b'{"saved_at":1,"workspaces":[]}'), id="no-version"),
        pytest.param(zlib.compress(b'{"v":1,"saved_at":"x","workspaces":[]}'), id="bad-time"),
        pytest.param(zlib.compress(b'{"v":1,"saved_at":1,"workspaces":{}}'), id="bad-list"),
        pytest.param(
            zlib.compress(b'{"v":1,"saved_at":1,"workspaces":[["w",null,false,false,null]]}'),
            id="short-workspace",
        ),
        pytest.param(
            zlib.compress(b'{"v":1,"saved_at":1,"workspaces":[["",null,false,false,null,null]]}'),
            id="empty-workspace-id",
        ),
        pytest.param(
            zlib.compress(
                b'{"v":1,"saved_at":1,"workspaces":[["w",null,false,false,'
                b'[["u"],["n"],["e"]],null]]}'
            ),
            id="users-missing-column",
        ),
        pytest.param(
            zlib.compress(
                b'{"v":1,"saved_at":1,"workspaces":[["w",null,false,false,'
                b'[["u","v"],["n"],[null],[null]],null]]}'
            ),
            id="users-ragged",
        ),
        pytest.param(
            zlib.compress(
                b'{"v":1,"saved_at":1,"workspaces":[["w",null,false,false,'
                b'[["u"],[5],[null],[null]],null]]}'
            ),
            id="users-bad-type",
        ),
        pytest.param(
            zlib.compress(
                b'{"v":1,"saved_at":1,"workspaces":[["w",null,false,false,'
                b"[[null],[null],[null],[null]],null]]}"
            ),
            id="users-null-id",
        ),
        pytest.param(
            zlib.compress(
                b'{"v":1,"saved_at":1,"workspaces":[["w",null,false,false,null,'
                b'[["c"],[null],[0],[null],[null]]]]}'
            ),
            id="clients-archived-not-bool",
        ),
        pytest.param(
            zlib.compress(
                b'{"v":1,"saved_at":1,"workspaces":[["w",null,false,false,null,"clients"]]}'
            ),
            id="clients-not-list",
        ),
        pytest.param(
            zlib.compress(b'{"v":1,"saved_at":1,"workspaces":[]}')[:-6], id="truncated-zlib"
        ),
        pytest.param(
            zlib.compress(b'{"v":1,"saved_at":1' + b"0" * 400 + b',"workspaces":[]}'),
            id="huge-time",
        ),
        pytest.param(zlib.compress(b'{"v":1,"saved_at":1e400,"workspaces":[]}'), id="inf-time"),
        pytest.param(zlib.compress(b"[" * 100_000 + b"]" * 100_000), id="deep-nesting"),
        pytest.param(
            zlib.compress(b'{"v":1,"saved_at":1,"workspaces":[],"pad":"' + b"x" * 5000 + b'"}'),
            id="over-the-size-bound",
        ),
    ],
)
def test_wrong_payload_is_discarded(
    cache: EncryptedCache,
    store: MemoryStore,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    plain: bytes,
) -> None:
    monkeypatch.setattr(cache_module, "MAX_PAYLOAD_BYTES", 4096)  # a bomb, in small
    cache.save(EU, _snapshot())
    path = cache.path_for(EU)
    path.write_bytes(_seal(store, EU, plain))
    with caplog.at_level(logging.WARNING):
        assert cache.load(EU) is None
    assert len(_warnings(caplog)) == 1
    assert not path.exists()


def test_version_1_payload_of_earlier_releases_loads(
    cache: EncryptedCache, store: MemoryStore
) -> None:
    """A cache written before clients kept CC e-mails, currency and note still opens (no
    reload needed after an upgrade); the new fields are empty."""
    cache.save(EU, _snapshot())
    plain = zlib.compress(
        b'{"v":1,"saved_at":7,"workspaces":[["w",null,false,true,'
        b'[["u"],["N"],[null],["ACTIVE"]],[["c"],[null],[true],[null],["A"]]]]}'
    )
    cache.path_for(EU).write_bytes(_seal(store, EU, plain))
    assert cache.load(EU) == Snapshot(
        saved_at=7.0,
        workspaces=[
            WorkspaceSnapshot(
                Workspace("w", None),
                [User("u", "N", None, "ACTIVE")],
                [Client("c", None, True, None, "A")],
                include_inactive_users=False,
                include_archived_clients=True,
            )
        ],
    )


def test_hand_sealed_version_2_payload_loads(cache: EncryptedCache, store: MemoryStore) -> None:
    cache.save(EU, _snapshot())
    plain = zlib.compress(
        b'{"v":2,"saved_at":7,"workspaces":[["w","W",false,true,null,'
        b'[["c"],["C"],[false],["c@x"],["Weg 1\\nBerlin"],[["d@x","e@x"]],["EUR"],["n"]],'
        b'["PRO","EUR","1.50 EUR"]]]}'
    )
    cache.path_for(EU).write_bytes(_seal(store, EU, plain))
    loaded = cache.load(EU)
    assert loaded is not None
    (workspace,) = loaded.workspaces
    assert workspace.workspace == Workspace("w", "W", "PRO", "EUR", "1.50 EUR")
    assert workspace.clients == [
        Client("c", "C", False, "c@x", "Weg 1\nBerlin", ("d@x", "e@x"), "EUR", "n")
    ]
    assert type(workspace.clients[0].cc_emails) is tuple


def test_missing_key_entry_discards(
    cache: EncryptedCache, store: MemoryStore, caplog: pytest.LogCaptureFixture
) -> None:
    cache.save(EU, _snapshot())
    store.entries.clear()
    with caplog.at_level(logging.WARNING):
        assert cache.load(EU) is None
    assert len(_warnings(caplog)) == 1
    assert not cache.path_for(EU).exists()


def test_invalid_key_entry_discards_and_save_replaces_it(
    cache: EncryptedCache, store: MemoryStore, caplog: pytest.LogCaptureFixture
) -> None:
    cache.save(EU, _snapshot())
    store.entries["cache-key:eu"] = "not base64 ü!"
    with caplog.at_level(logging.WARNING):
        assert cache.load(EU) is None
    assert len(_warnings(caplog)) == 1
    assert not cache.path_for(EU).exists()
    cache.save(EU, _snapshot())
    assert len(base64.urlsafe_b64decode(store.entries["cache-key:eu"])) == 32
    assert cache.load(EU) == _snapshot()


def test_store_error_on_load_keeps_the_file(
    store: MemoryStore, cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    EncryptedCache(store, cache_dir).save(EU, _snapshot())
    locked = LockedStore()
    cache = EncryptedCache(locked, cache_dir)
    with caplog.at_level(logging.WARNING):
        assert cache.load(EU) is None
    warnings = _warnings(caplog)
    assert len(warnings) == 1
    assert "locked" not in warnings[0].getMessage()
    assert cache.path_for(EU).exists()
    # Unlocked again, the same file loads.
    assert EncryptedCache(store, cache_dir).load(EU) == _snapshot()


def test_connections_do_not_read_each_other(
    cache: EncryptedCache, store: MemoryStore, caplog: pytest.LogCaptureFixture
) -> None:
    cache.save(EU, _snapshot())
    cache.save(CUSTOM, Snapshot(saved_at=2.0, workspaces=[]))
    assert store.entries["cache-key:eu"] != store.entries[f"cache-key:{CUSTOM.id}"]
    cache.path_for(CUSTOM).write_bytes(cache.path_for(EU).read_bytes())
    with caplog.at_level(logging.WARNING):
        assert cache.load(CUSTOM) is None
    assert len(_warnings(caplog)) == 1
    assert cache.load(EU) == _snapshot()


def test_same_key_other_connection_still_refused(cache: EncryptedCache, store: MemoryStore) -> None:
    """Even with the key copied over, the associated data ties a file to its connection."""
    cache.save(EU, _snapshot())
    store.entries[f"cache-key:{CUSTOM.id}"] = store.entries["cache-key:eu"]
    cache.path_for(CUSTOM).parent.mkdir(parents=True, exist_ok=True)
    cache.path_for(CUSTOM).write_bytes(cache.path_for(EU).read_bytes())
    assert cache.load(CUSTOM) is None


# --- delete -------------------------------------------------------------------------------


def test_delete_removes_file_and_key_and_is_idempotent(
    cache: EncryptedCache, store: MemoryStore, caplog: pytest.LogCaptureFixture
) -> None:
    cache.save(EU, _snapshot())
    cache.save(CUSTOM, _snapshot())
    cache.delete(EU)
    assert not cache.path_for(EU).exists()
    assert "cache-key:eu" not in store.entries
    cache.delete(EU)
    cache.delete(Connection.for_region("uk"))
    assert _warnings(caplog) == []
    assert cache.load(CUSTOM) == _snapshot()
    assert cache.load(EU) is None


def test_delete_with_missing_directory(cache: EncryptedCache, cache_dir: Path) -> None:
    assert not cache_dir.exists()
    assert cache.delete(EU) == Removal(removed=False)


def test_delete_says_whether_it_removed_something(
    cache: EncryptedCache, store: MemoryStore
) -> None:
    cache.save(EU, _snapshot())
    assert cache.delete(EU) == Removal(removed=True)
    assert cache.delete(EU) == Removal(removed=False)
    store.entries["cache-key:eu"] = "a key whose file is gone"
    assert cache.delete(EU) == Removal(removed=True)
    assert store.entries == {}


def test_a_late_save_without_create_key_cannot_bring_a_cache_back(
    cache: EncryptedCache, store: MemoryStore
) -> None:
    cache.save(EU, _snapshot(), create_key=False)
    assert not cache.path_for(EU).exists()
    assert store.entries == {}
    cache.save(EU, Snapshot(saved_at=1.0, workspaces=[]))
    cache.save(EU, _snapshot(), create_key=False)  # the key exists: saved
    assert cache.load(EU) == _snapshot()
    cache.delete(EU)
    cache.save(EU, _snapshot(), create_key=False)
    assert not cache.path_for(EU).exists()
    assert store.entries == {}
    store.entries["cache-key:eu"] = "not a valid key"
    cache.save(EU, _snapshot(), create_key=False)  # never replaced either
    assert not cache.path_for(EU).exists()
    assert store.entries == {"cache-key:eu": "not a valid key"}


# --- save failures ------------------------------------------------------------------------


def test_failed_replace_keeps_previous_file_and_no_temp(
    cache: EncryptedCache,
    cache_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache.save(EU, _snapshot())
    before = cache.path_for(EU).read_bytes()

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with caplog.at_level(logging.WARNING):
        cache.save(EU, Snapshot(saved_at=3.0, workspaces=[]))
    assert len(_warnings(caplog)) == 1
    assert cache.path_for(EU).read_bytes() == before
    assert sorted(p.name for p in cache_dir.iterdir()) == [cache.path_for(EU).name]
    monkeypatch.undo()
    assert cache.load(EU) == _snapshot()


def test_failed_write_leaves_no_temp(
    cache: EncryptedCache, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(fd: int) -> None:
        raise OSError(5, "I/O error")

    monkeypatch.setattr(os, "fsync", fail)
    cache.save(EU, _snapshot())
    assert list(cache_dir.iterdir()) == []


def test_unwritable_directory_is_a_warning(
    store: MemoryStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    cache = EncryptedCache(store, blocker / "cache")
    with caplog.at_level(logging.WARNING):
        cache.save(EU, _snapshot())
        assert cache.load(EU) is None
    assert len(_warnings(caplog)) == 1


def test_store_error_on_save_is_a_warning(
    cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = EncryptedCache(LockedStore(), cache_dir)
    with caplog.at_level(logging.WARNING):
        cache.save(EU, _snapshot())
    assert len(_warnings(caplog)) == 1
    assert not cache_dir.exists() or list(cache_dir.iterdir()) == []


def test_store_error_on_set_is_a_warning(cache_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    class ReadOnlyStore(MemoryStore):
        def set(self, entry: str, value: str) -> None:
            raise PermissionError("read only")

    cache = EncryptedCache(ReadOnlyStore(), cache_dir)
    with caplog.at_level(logging.WARNING):
        cache.save(EU, _snapshot())
    assert len(_warnings(caplog)) == 1
    assert not cache.path_for(EU).exists()


def test_store_error_on_delete_is_a_warning(
    store: MemoryStore, cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    class StubbornStore(MemoryStore):
        def delete(self, entry: str) -> None:
            raise RuntimeError("no")

    stubborn = StubbornStore()
    cache = EncryptedCache(stubborn, cache_dir)
    cache.save(EU, _snapshot())
    with caplog.at_level(logging.WARNING):
        removal = cache.delete(EU)
    assert len(_warnings(caplog)) == 1
    assert not cache.path_for(EU).exists()
    assert removal.removed is True
    assert [type(f) for f in removal.failures] == [RuntimeError]


# --- the fast record builder --------------------------------------------------------------


def test_fast_builder_is_used_and_matches_the_constructor() -> None:
    columns = [["a", "b"], ["A", None], [None, "b@x"], ["ACTIVE", None]]
    build = record_builder(User, USER_COLUMNS)
    built = build(*columns)
    assert built == [User("a", "A", None, "ACTIVE"), User("b", None, "b@x", None)]
    assert build.__name__ == "fill"  # what the cache uses for its users and clients
    assert record_builder(Client, CLIENT_COLUMNS).__name__ == "fill"
    with pytest.raises(AttributeError):
        built[0].name = "changed"  # type: ignore[misc]
    clients = record_builder(Client, CLIENT_COLUMNS)(
        ["c"], [None], [True], ["c@x"], [None], [("d@x",)], ["EUR"], ["n"]
    )
    assert clients == [Client("c", None, True, "c@x", None, ("d@x",), "EUR", "n")]


@dataclass(frozen=True, slots=True)
class _Checked:
    """A record whose own __init__ checks its value: it must be called."""

    id: str

    def __init__(self, id: str) -> None:
        if not id:
            raise ValueError("empty id")
        object.__setattr__(self, "id", id)


@dataclass(frozen=True, slots=True)
class _PostInit:
    id: str

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("empty id")


def test_builder_calls_the_constructor_of_other_classes() -> None:
    build = record_builder(User, ("id", "name"))  # not its fields
    assert build.__name__ == "construct"
    assert build(["a"], ["A"], [None], [None]) == [User("a", "A", None, None)]
    for cls in (_Checked, _PostInit):
        build = record_builder(cls, ("id",))
        assert build.__name__ == "construct"
        with pytest.raises(ValueError, match="empty id"):
            build([""])


def test_the_garbage_collector_is_left_alone(
    cache: EncryptedCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saves and loads run on workers, at times two at once: none may switch the collector.

    (One job switching it back on would do so under the other.)
    """
    import gc

    switched: list[str] = []
    monkeypatch.setattr(gc, "disable", lambda: switched.append("disable"))
    monkeypatch.setattr(gc, "enable", lambda: switched.append("enable"))
    cache.save(EU, _snapshot())
    assert cache.load(EU) == _snapshot()
    opened = cache.open(EU)
    assert opened is not None
    assert opened.complete() == _snapshot()
    cache.path_for(EU).write_bytes(b"garbage" * 10)
    assert cache.load(EU) is None
    assert switched == []
    assert gc.isenabled()


def test_open_decodes_the_workspaces_and_complete_the_rest(cache: EncryptedCache) -> None:
    snapshot = _snapshot()
    cache.save(EU, snapshot)
    opened = cache.open(EU)
    assert opened is not None
    assert opened.saved_at == snapshot.saved_at
    assert opened.workspaces == [ws.workspace for ws in snapshot.workspaces]
    assert opened.complete() == snapshot == cache.load(EU)


def test_unusable_users_found_after_open_discard_the_file(
    cache: EncryptedCache, store: MemoryStore, caplog: pytest.LogCaptureFixture
) -> None:
    """The workspace rows were fine (and shown); the users are not: log, discard, no crash."""
    cache.save(EU, _snapshot())
    path = cache.path_for(EU)
    plain = zlib.compress(
        b'{"v":1,"saved_at":7,"workspaces":[["w","Acme",false,false,[["u"],[3]],null]]}'
    )
    path.write_bytes(_seal(store, EU, plain))
    opened = cache.open(EU)
    assert opened is not None
    assert opened.workspaces == [Workspace("w", "Acme")]
    with caplog.at_level(logging.WARNING):
        assert opened.complete() is None
    assert len(_warnings(caplog)) == 1
    assert "Acme" not in caplog.text
    assert not path.exists()
