"""Property tests of the two parsers of files on disk: the key file and the cache file.

Whatever is in credentials.enc, the key store gives a value or raises CredentialError (and
leaves the file as it was). Whatever is in a cache file, even sealed with the right key,
the cache gives a Snapshot or None, never an exception. Key files here use scrypt at a
tiny cost (n <= 64), so that 150 examples stay cheap.
"""

from __future__ import annotations

import base64
import json
import os
import zlib
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import example, given
from hypothesis import strategies as st
from test_cache import MemoryStore

from desktop.clockify import Connection
from desktop.clockify.models import Client, User, Workspace
from desktop.store import (
    CredentialError,
    EncryptedFileStore,
    cache_key_entry,
    file_store,
)
from desktop.store import cache as cache_module
from desktop.store.cache import EncryptedCache, Snapshot, WorkspaceSnapshot
from desktop.store.file_store import DerivedKey, derive_key, seal

PASSPHRASE = "property passphrase"
EU = Connection.for_region("eu")
SMALL_N = 16
ENTRIES = {"api-key:eu": "a-key-0123456789", "cache-key:eu": "c" * 44}


def _cheap_integers() -> st.SearchStrategy[int]:
    """Any integer except powers of two above 64: no example asks scrypt for real work."""
    return st.integers(min_value=-(2**80), max_value=2**80).filter(
        lambda v: not (v > 64 and v & (v - 1) == 0)
    )


def _odd_numbers() -> st.SearchStrategy[Any]:
    """What JSON numbers can be besides small ints: 1e400 parses as inf, true is 1 to int()."""
    return st.sampled_from(
        [float("inf"), float("-inf"), True, False, 16.0, 0.5, -0.0, 2**64, 10**400, -16, 0]
    ) | st.floats(allow_nan=False)


def _json_values() -> st.SearchStrategy[Any]:
    scalars = (
        st.none()
        | st.booleans()
        | _cheap_integers()
        | st.floats(allow_nan=False)  # NaN is not equal to itself: fine, but noisy
        | st.text(max_size=30)
        | st.sampled_from(["scrypt", "AQID", "", "===", "AAAAAAAAAAAAAAAA"])
    )
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=12,
    )


def _unlocked(salt: bytes = b"s" * 16, n: int = SMALL_N) -> DerivedKey:
    key, verifier = derive_key(PASSPHRASE, salt, n, 8, 1)
    return DerivedKey(salt, n, 8, 1, key, verifier)


UNLOCKED = _unlocked()


def _valid_document(plain: bytes | None = None) -> dict[str, Any]:
    """A key file document that opens with PASSPHRASE (at SMALL_N), sealing `plain`."""
    if plain is None:
        plain = json.dumps(ENTRIES).encode()
    return seal(plain, UNLOCKED, nonce=b"n" * 12)


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the examples write; files at SMALL_N count as current (no re-encryption)."""
    monkeypatch.setattr(file_store, "SCRYPT_N", SMALL_N)
    return tmp_path / "credentials.enc"


def _store(path: Path) -> EncryptedFileStore:
    return EncryptedFileStore(path, lambda _creating: PASSPHRASE)


def _read_or_refuse(path: Path) -> None:
    """get and set either work or raise CredentialError; a refused file is left as it was."""
    before = path.read_bytes()
    try:
        value: object = _store(path).get("api-key:eu")
    except CredentialError as exc:
        value = exc
    if isinstance(value, CredentialError):
        assert value.message
        assert path.read_bytes() == before
    else:
        assert value is None or isinstance(value, str)
    try:
        _store(path).set("api-key:global", "another-key-0123")
    except CredentialError:
        assert path.read_bytes() == before
    else:
        assert _store(path).get("api-key:global") == "another-key-0123"


# -- the key file ----------------------------------------------------------------------------


def test_the_valid_document_opens(key_file: Path) -> None:
    key_file.write_text(json.dumps(_valid_document()))
    assert _store(key_file).get("api-key:eu") == ENTRIES["api-key:eu"]


@given(raw=st.binary(max_size=600))
def test_any_bytes_in_the_key_file(key_file: Path, raw: bytes) -> None:
    key_file.write_bytes(raw)
    _read_or_refuse(key_file)


@given(document=_json_values())
def test_any_json_document_in_the_key_file(key_file: Path, document: Any) -> None:
    key_file.write_text(json.dumps(document))
    _read_or_refuse(key_file)


_FIELDS = ["format", "version", "kdf", "salt", "verifier", "cipher", "nonce", "ciphertext"]
_KDF_FIELDS = ["name", "n", "r", "p", "length"]


@given(
    top=st.dictionaries(st.sampled_from(_FIELDS), _json_values(), max_size=3),
    kdf=st.dictionaries(st.sampled_from(["n", "r", "p"]), _odd_numbers(), min_size=1)
    | st.dictionaries(st.sampled_from(_KDF_FIELDS), _json_values(), max_size=3),
    dropped=st.lists(st.sampled_from(_FIELDS), max_size=2),
)
@example(top={}, kdf={"n": float("inf")}, dropped=[])  # "n": 1e400 in the file
@example(top={}, kdf={"n": True}, dropped=[])
@example(top={}, kdf={"r": 10**400}, dropped=[])
@example(top={"kdf": [[[{}]]]}, kdf={}, dropped=[])
@example(top={"salt": {"a": [1]}}, kdf={}, dropped=[])
@example(top={"nonce": "\u00e9\u00e9\u00e9\u00e9"}, kdf={}, dropped=[])
def test_a_key_file_with_odd_fields(
    key_file: Path, top: dict[str, Any], kdf: dict[str, Any], dropped: list[str]
) -> None:
    document = _valid_document()
    document["kdf"].update(kdf)
    document.update(top)
    for name in dropped:
        document.pop(name, None)
    key_file.write_text(json.dumps(document))
    _read_or_refuse(key_file)


@given(
    cut=st.integers(min_value=0, max_value=2000),
    flips=st.lists(st.tuples(st.integers(0, 2000), st.integers(1, 255)), max_size=4),
    extra=st.binary(max_size=20),
)
def test_a_damaged_key_file(
    key_file: Path, cut: int, flips: list[tuple[int, int]], extra: bytes
) -> None:
    raw = bytearray(json.dumps(_valid_document(), indent=2).encode())
    for where, mask in flips:
        raw[where % len(raw)] ^= mask
    key_file.write_bytes(bytes(raw[: max(cut, 1)]) + extra)
    _read_or_refuse(key_file)


@given(
    plain=st.binary(max_size=200)
    | _json_values().map(lambda v: json.dumps(v).encode())
    | st.dictionaries(st.text(max_size=10), _json_values(), max_size=4).map(
        lambda v: json.dumps(v).encode()
    )
)
def test_any_content_sealed_with_the_right_key(key_file: Path, plain: bytes) -> None:
    key_file.write_text(json.dumps(_valid_document(plain)))
    _read_or_refuse(key_file)


# -- the cache file --------------------------------------------------------------------------


CACHE_KEY = bytes(range(32))


def _cache(tmp_path: Path) -> EncryptedCache:
    store = MemoryStore()
    store.set(cache_key_entry(EU), base64.urlsafe_b64encode(CACHE_KEY).decode())
    return EncryptedCache(store, tmp_path / "cache")


def _sealed(plain: bytes) -> bytes:
    nonce = os.urandom(12)
    aad = cache_module.AAD_PREFIX + EU.id.encode()
    return cache_module.MAGIC + nonce + AESGCM(CACHE_KEY).encrypt(nonce, plain, aad)


def _load_never_raises(cache: EncryptedCache, data: bytes) -> Snapshot | None:
    path = cache.path_for(EU)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    opened = cache.open(EU)  # must not raise
    if opened is None:
        return None
    snapshot = opened.complete()  # must not raise
    if snapshot is not None:
        for item in snapshot.workspaces:
            assert type(item.workspace.id) is str
            assert item.workspace.id
            assert all(type(u) is User and type(u.id) is str for u in item.users or [])
            assert all(type(c) is Client and type(c.archived) is bool for c in item.clients or [])
    return snapshot


@given(data=st.binary(max_size=400) | st.binary(max_size=200).map(lambda b: b"CPC1" + b))
def test_any_bytes_in_a_cache_file(tmp_path: Path, data: bytes) -> None:
    assert _load_never_raises(_cache(tmp_path), data) is None


def _text_or_none() -> st.SearchStrategy[Any]:
    return st.none() | st.text(max_size=6) | _json_values()


def _columns(width: int) -> st.SearchStrategy[Any]:
    """Users' or clients' columns, sometimes right, often subtly wrong."""
    return (
        st.integers(0, 3).flatmap(
            lambda length: st.lists(
                st.lists(_text_or_none() | st.booleans(), min_size=length, max_size=length),
                min_size=width - 1,
                max_size=width + 1,
            )
        )
        | st.none()
        | _json_values()
    )


_ROWS = st.lists(
    st.tuples(
        st.text(max_size=4) | _json_values(),
        _text_or_none(),
        st.booleans() | _json_values(),
        st.booleans() | _json_values(),
        _columns(4),
        _columns(5),
    ).map(list)
    | _json_values(),
    max_size=3,
)


@given(
    plain=st.binary(max_size=300)
    | _json_values().map(lambda v: zlib.compress(json.dumps(v).encode()))
    | st.fixed_dictionaries(
        {"v": st.just(1) | _json_values(), "saved_at": _json_values(), "workspaces": _ROWS}
    ).map(lambda v: zlib.compress(json.dumps(v).encode()))
)
def test_any_payload_sealed_with_the_right_key(tmp_path: Path, plain: bytes) -> None:
    result = _load_never_raises(_cache(tmp_path), _sealed(plain))
    assert result is None or isinstance(result, Snapshot)


_ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=12)
_OPTIONAL_TEXT = st.none() | _ANY_TEXT
_IDS = st.text(min_size=1, max_size=8)


@given(
    saved_at=st.floats(allow_nan=False, allow_infinity=False),
    workspaces=st.lists(
        st.builds(
            WorkspaceSnapshot,
            workspace=st.builds(Workspace, _IDS, _OPTIONAL_TEXT),
            users=st.none()
            | st.lists(st.builds(User, _IDS, _OPTIONAL_TEXT, _OPTIONAL_TEXT, _OPTIONAL_TEXT)),
            clients=st.none()
            | st.lists(
                st.builds(
                    Client, _IDS, _OPTIONAL_TEXT, st.booleans(), _OPTIONAL_TEXT, _OPTIONAL_TEXT
                )
            ),
            include_inactive_users=st.booleans(),
            include_archived_clients=st.booleans(),
        ),
        max_size=3,
    ),
)
def test_any_snapshot_round_trips(
    tmp_path: Path, saved_at: float, workspaces: list[WorkspaceSnapshot]
) -> None:
    cache = _cache(tmp_path)
    snapshot = Snapshot(saved_at, workspaces)
    cache.save(EU, snapshot)
    assert cache.load(EU) == snapshot
