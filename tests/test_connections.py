"""The named connections (issue 20): `Connection.account`, names and their checks, the
registry's file (upgrade, damage, concurrency), and forgetting one connection entirely
(key, cache file, cache key, request ledger entries) while the other stays untouched."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import pytest
from conftest import TEST_KEY
from hypothesis import given
from hypothesis import strategies as st

from desktop.clockify import ApiKey, Connection, InvalidConnectionError
from desktop.clockify.models import Workspace
from desktop.store import (
    CredentialError,
    EncryptedFileStore,
    api_key_entry,
    cache_key_entry,
    connection_file,
    file_store,
    forget_named,
    paths,
)
from desktop.store.cache import EncryptedCache, Snapshot, WorkspaceSnapshot
from desktop.store.connections import (
    MAX_NAME_LENGTH,
    ConnectionChoiceError,
    ConnectionNameError,
    ConnectionRegistry,
    NamedConnection,
    UnknownConnectionError,
    check_name,
    default_name,
    unused_name,
)
from desktop.store.ledger import RequestLedger

PASSPHRASE = "connections test passphrase"
OTHER_KEY = "other-key-0123456789abcdef0123456789"
EU = Connection.for_region("eu")
GLOBAL = Connection.for_region("global")
GERMAN = "Müller & Söhne GmbH (EU)"


@pytest.fixture(autouse=True)
def cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(file_store, "SCRYPT_N", 2**10)


def _store() -> EncryptedFileStore:
    return EncryptedFileStore(passphrase_provider=lambda _creating: PASSPHRASE)


def _registry_file() -> Path:
    return paths.config_dir() / "connections.json"


def _snapshot(workspace_id: str) -> Snapshot:
    return Snapshot(1_700_000_000.0, [WorkspaceSnapshot(Workspace(workspace_id, "W"), [], [])])


# -- Connection.account ------------------------------------------------------------------------


def test_the_id_of_earlier_versions_is_kept_without_an_account() -> None:
    assert EU.account is None
    assert EU.id == "eu"
    assert Connection.for_base_url("https://clockify.example.com").id == (
        "url:https://clockify.example.com/api/v1"
    )
    slotted = EU.with_account("3f9a0c1d")
    assert slotted.id == "eu#3f9a0c1d"
    assert slotted.label == EU.label
    assert slotted.same_address(EU)
    assert slotted != EU
    assert slotted.with_account(None) == EU
    assert Connection(EU.base_url, "eu", "abc").id == "eu#abc"


@pytest.mark.parametrize("account", ["", "A1", "a-b", "a" * 33, "ä", "a b", "#", "a\n"])
def test_an_account_is_1_to_32_lowercase_letters_or_digits(account: str) -> None:
    with pytest.raises(InvalidConnectionError):
        EU.with_account(account)
    with pytest.raises(InvalidConnectionError):
        Connection(EU.base_url, "eu", account)
    assert EU.with_account("a" * 32).account == "a" * 32


# -- names ------------------------------------------------------------------------------------


def test_names_are_free_unicode_text_up_to_80_characters() -> None:
    assert check_name(f"  {GERMAN}\u00a0 ", []) == GERMAN
    assert check_name("Ærø Ferries 🚢 東京", []) == "Ærø Ferries 🚢 東京"
    assert check_name("x" * 80, []) == "x" * 80
    with pytest.raises(ConnectionNameError) as too_long:
        check_name("x" * 81, [])
    assert too_long.value.message == (
        "A connection's name can have at most 80 characters; this one has 81."
    )
    assert too_long.value.exit_code == 2
    # Characters, not bytes: 80 umlauts are fine.
    assert check_name("ü" * 80, []) == "ü" * 80


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "\u3000"])
def test_an_empty_name_is_refused(name: str) -> None:
    with pytest.raises(ConnectionNameError, match="cannot be empty"):
        check_name(name, [])


@pytest.mark.parametrize(
    "name", ["Acme\nEU", "Acme\tEU", "Acme\x1b[31m", "Acme\x00", "A\u2028B", "A\u202eB", "A\x7f"]
)
def test_control_characters_and_line_breaks_are_refused(name: str) -> None:
    with pytest.raises(ConnectionNameError, match="line breaks, tabs or other control"):
        check_name(name, [])


def test_names_are_unique_ignoring_case() -> None:
    existing = [NamedConnection("ACME", EU), NamedConnection(GERMAN, GLOBAL)]
    with pytest.raises(ConnectionNameError) as caught:
        check_name("acme", existing)
    assert caught.value.message == (
        'There is a connection named "ACME" already (names are compared ignoring case): '
        "choose another name."
    )
    with pytest.raises(ConnectionNameError, match=r"MÜLLER|Müller"):
        check_name("  MÜLLER & SÖHNE GMBH (eu) ", existing)
    # Composed and decomposed umlauts are the same name.
    with pytest.raises(ConnectionNameError):
        check_name("Mu\u0308ller & So\u0308hne GmbH (EU)", existing)
    # Renaming a connection to its own name in another case is fine.
    assert check_name("Acme", existing, renaming=existing[0]) == "Acme"
    with pytest.raises(ConnectionNameError):
        check_name("acme", existing, renaming=existing[1])


@given(st.text(max_size=120))
def test_check_name_either_returns_a_clean_name_or_says_why_not(text: str) -> None:
    refused: ConnectionNameError | None = None
    try:
        name = check_name(text, [])
    except ConnectionNameError as exc:
        refused = exc
    if refused is not None:
        assert refused.exit_code == 2
        assert refused.message.endswith(".")
        assert "\n" not in refused.message
        return
    assert name == text.strip()
    assert 1 <= len(name) <= MAX_NAME_LENGTH
    assert "\n" not in name
    assert "\r" not in name
    assert "\t" not in name
    with pytest.raises(ConnectionNameError):
        check_name(f" {name} ", [NamedConnection(name, EU)])
    assert check_name(name, [NamedConnection(name, EU)], renaming=NamedConnection(name, EU))


def test_default_names() -> None:
    assert default_name(GLOBAL) == "Global"
    assert default_name(EU) == "EU (Germany)"
    assert default_name(Connection.for_base_url("http://127.0.0.1:8123")) == "127.0.0.1:8123"
    existing = [NamedConnection("Global", GLOBAL), NamedConnection("global (2)", EU)]
    assert unused_name("Global", existing) == "Global (3)"
    assert unused_name("EU (Germany)", existing) == "EU (Germany)"


# -- the registry -----------------------------------------------------------------------------


def test_nothing_stored_means_the_global_default(isolated_home: Path) -> None:
    registry = ConnectionRegistry()
    assert registry.path == _registry_file()
    assert registry.load() == [NamedConnection("Global", GLOBAL)]
    assert registry.is_pristine()
    assert not _registry_file().exists()  # reading writes nothing
    # The first connection ever takes the slot of earlier versions, in place of the default.
    added = registry.add(GERMAN, EU.with_account("ffff0000"))
    assert added == NamedConnection(GERMAN, EU)
    assert registry.load() == [added]
    assert not registry.is_pristine()
    assert json.loads(_registry_file().read_text(encoding="utf-8")) == {
        "version": 1,
        "connections": [{"name": GERMAN, "region": "eu"}],
    }
    assert _registry_file().stat().st_mode & 0o777 == 0o600
    # Later ones get a fresh slot each, also on the same address.
    second = registry.add("ACME", EU)
    third = registry.add("Acme 2", EU)
    assert second.connection.same_address(EU)
    assert len({added.connection.id, second.connection.id, third.connection.id}) == 3
    assert second.connection.account is not None
    assert len(second.connection.account) == 8
    entries = json.loads(_registry_file().read_text(encoding="utf-8"))["connections"]
    assert entries[1] == {"name": "ACME", "region": "eu", "account": second.connection.account}


def test_upgrade_keeps_the_key_cache_and_ledger_names(isolated_home: Path) -> None:
    # Settings of an earlier version: connection.json, a key, a cache and ledger entries.
    custom = Connection.for_base_url("https://clockify.example.com:8443/")
    connection_file.save(custom)
    store = _store()
    store.set_api_key(custom, ApiKey(TEST_KEY))
    cache = EncryptedCache(store)
    cache.save(custom, _snapshot("ws-old"))
    ledger = RequestLedger()
    ledger.note_workspaces(custom.id, [Workspace("ws-old", "Old", plan="FREE")])

    registry = ConnectionRegistry()
    (first,) = registry.load()
    assert first.name == "clockify.example.com:8443"
    assert first.connection == custom
    assert first.connection.id == custom.id
    assert not registry.is_pristine()
    assert _store().get_api_key(first.connection) == ApiKey(TEST_KEY)
    loaded = EncryptedCache(_store()).load(first.connection)
    assert loaded is not None
    assert loaded.workspaces[0].workspace.id == "ws-old"
    assert "ws-old" in json.loads(ledger.path.read_text())["connections"][first.connection.id]

    # The first change stores it as it was, and adds the new one after it, in its own slot.
    other = registry.add("Acme", EU)
    assert registry.load() == [first, other]
    assert other.connection.account is not None
    assert json.loads(_registry_file().read_text())["connections"][0] == {
        "name": "clockify.example.com:8443",
        "base_url": "https://clockify.example.com:8443/api/v1",
    }
    assert not (isolated_home / "config").joinpath("x").exists()


def test_upgrade_of_a_region_is_named_after_it() -> None:
    connection_file.save(EU)
    assert ConnectionRegistry().load() == [NamedConnection("EU (Germany)", EU)]


def test_an_empty_list_means_no_connections() -> None:
    _registry_file().parent.mkdir(parents=True, exist_ok=True)
    _registry_file().write_text('{"version": 1, "connections": []}', encoding="utf-8")
    registry = ConnectionRegistry()
    assert registry.load() == []
    assert not registry.is_pristine()
    with pytest.raises(ConnectionChoiceError, match="No Clockify connection is stored") as caught:
        registry.pick(None)
    assert caught.value.exit_code == 2
    added = registry.add("Global", GLOBAL)
    assert added.connection.account is not None  # something was stored before: a fresh slot


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe",
        b"[]",
        b'{"version": 2, "connections": []}',
        b'{"version": 1, "connections": [{"name": "A"}]}',
        b'{"version": 1, "connections": [{"name": "A", "region": "mars"}]}',
        b'{"version": 1, "connections": [{"name": "A\\nB", "region": "eu"}]}',
        b'{"version": 1, "connections": [{"name": "A", "region": "eu", "account": "X!"}]}',
        b'{"version": 1, "connections": [{"name": "A", "region": "eu"},'
        b' {"name": "a", "region": "global"}]}',
        b'{"version": 1, "connections": [{"name": "A", "region": "eu"},'
        b' {"name": "B", "region": "eu"}]}',
    ],
)
def test_a_damaged_file_is_logged_once_and_treated_as_missing(
    content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    connection_file.save(EU)
    path = _registry_file()
    path.write_bytes(content)
    registry = ConnectionRegistry()
    with caplog.at_level(logging.WARNING, logger="desktop.store.connections"):
        assert registry.load() == [NamedConnection("EU (Germany)", EU)]
        assert registry.load() == [NamedConnection("EU (Germany)", EU)]
    damaged = [r for r in caplog.records if "damaged" in r.getMessage()]
    assert len(damaged) == 1, caplog.text
    assert path.read_bytes() == content  # reading never deletes it
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="desktop.store.connections"):
        added = registry.add("Acme", GLOBAL)
    assert "is replaced; a copy is kept in" in caplog.text
    assert path.with_name("connections.json.damaged").read_bytes() == content
    assert registry.load() == [NamedConnection("EU (Germany)", EU), added]


def test_find_and_pick_ignore_case_and_name_the_choices() -> None:
    registry = ConnectionRegistry()
    acme = registry.add("ACME", EU)
    assert registry.pick(None) == acme
    german = registry.add(GERMAN, GLOBAL)
    assert registry.find("acme") == acme
    assert registry.find(" müller & SÖHNE gmbh (eu) ") == german
    assert registry.pick("Acme") == acme
    with pytest.raises(UnknownConnectionError) as unknown:
        registry.find("Initech")
    assert unknown.value.exit_code == 2
    assert unknown.value.message == (
        f'There is no connection named "Initech"; the connections are "ACME", "{GERMAN}".'
    )
    with pytest.raises(ConnectionChoiceError) as several:
        registry.pick(None)
    assert several.value.exit_code == 2
    assert f'"ACME", "{GERMAN}"' in several.value.message
    assert "--connection" in several.value.message


def test_rename_update_and_remove() -> None:
    registry = ConnectionRegistry()
    acme = registry.add("ACME", EU)
    other = registry.add("Other", EU)
    renamed = registry.rename("acme", "Acme")  # its own name, in another case
    assert renamed == NamedConnection("Acme", acme.connection)
    with pytest.raises(ConnectionNameError, match='"Acme" already'):
        registry.rename("other", "ACME")
    with pytest.raises(ConnectionNameError, match="81"):
        registry.rename("other", "y" * 81)
    moved = registry.update(other, GLOBAL)
    assert moved.connection == GLOBAL.with_account(other.connection.account)
    assert registry.remove("OTHER") == moved
    assert registry.load() == [renamed]
    with pytest.raises(UnknownConnectionError):
        registry.remove("Other")


def test_keep_stores_the_implicit_connection() -> None:
    connection_file.save(EU)
    registry = ConnectionRegistry()
    (implicit,) = registry.load()
    assert not _registry_file().exists()
    assert registry.keep(implicit) == implicit
    assert json.loads(_registry_file().read_text())["connections"] == [
        {"name": "EU (Germany)", "region": "eu"}
    ]


def test_concurrent_adds_from_two_threads_lose_nothing() -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def add_many(prefix: str) -> None:
        registry = ConnectionRegistry()  # each thread its own object: the file lock decides
        try:
            start.wait()
            for number in range(15):
                registry.add(f"{prefix} {number}", EU)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add_many, args=(p,)) for p in ("Thread A", "Thread B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    names = [c.name for c in ConnectionRegistry().load()]
    assert sorted(names) == sorted(f"Thread {p} {n}" for p in "AB" for n in range(15))
    ids = [c.connection.id for c in ConnectionRegistry().load()]
    assert len(set(ids)) == 30


def test_one_object_shared_by_threads_loses_nothing() -> None:
    registry = ConnectionRegistry()
    threads = [
        threading.Thread(target=lambda n=n: registry.add(f"Shared {n}", GLOBAL)) for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(registry.load()) == 8


# -- forgetting one connection ----------------------------------------------------------------


def test_removing_one_leaves_nothing_of_it_and_the_other_untouched() -> None:
    registry = ConnectionRegistry()
    store = _store()
    cache = EncryptedCache(store)
    ledger = RequestLedger()
    kept = registry.add(GERMAN, EU)
    gone = registry.add("Acme (EU)", EU)  # the same server, another account
    assert gone.connection.account is not None
    for named, key, own in ((gone, TEST_KEY, "ws-gone"), (kept, OTHER_KEY, "ws-kept")):
        store.set_api_key(named.connection, ApiKey(key))
        cache.save(named.connection, _snapshot(own))
        ledger.note_workspaces(
            named.connection.id,
            [Workspace(own, own, plan="FREE"), Workspace("ws-shared", "Shared", plan="FREE")],
        )
        ledger.admit(named.connection.id, own, automatic=False)
    ledger.set_paid("ws-gone", True)
    kept_cache = cache.path_for(kept.connection).read_bytes()

    forgotten = forget_named(_store(), gone)  # the default ledger file
    registry.remove(gone.name)

    fresh = _store()
    assert forgotten.api_key
    assert forgotten.cached_data
    assert fresh.get(api_key_entry(gone.connection)) is None
    assert fresh.get(cache_key_entry(gone.connection)) is None
    assert not cache.path_for(gone.connection).exists()
    state = json.loads(ledger.path.read_text())
    assert gone.connection.id not in state["connections"]
    assert "ws-gone" not in state["workspaces"]
    assert "ws-shared" in state["workspaces"]  # the other connection lists it still
    assert gone.connection.id not in ledger.path.read_text()
    assert gone.connection.account not in _registry_file().read_text()
    # The other connection: key, cache and ledger as they were.
    assert registry.load() == [kept]
    assert fresh.get_api_key(kept.connection) == ApiKey(OTHER_KEY)
    assert cache.path_for(kept.connection).read_bytes() == kept_cache
    assert EncryptedCache(fresh).load(kept.connection) is not None
    assert state["connections"][kept.connection.id] == ["ws-kept", "ws-shared"]
    assert len(state["workspaces"]["ws-kept"]["requests"]) == 1  # its admitted request
    # Nothing else under the app's folders names it.
    for folder in (paths.config_dir(), paths.data_dir(), paths.cache_dir(), paths.state_dir()):
        for path in folder.rglob("*"):
            if path.is_file():
                assert gone.connection.id.encode() not in path.read_bytes(), path


def test_every_part_is_tried_when_the_key_cannot_be_removed() -> None:
    store = _store()
    ledger = RequestLedger()
    named = NamedConnection("Acme", EU.with_account("abcd1234"))
    store.set_api_key(named.connection, ApiKey(TEST_KEY))
    EncryptedCache(store).save(named.connection, _snapshot("ws-1"))
    ledger.note_workspaces(named.connection.id, [Workspace("ws-1", "W")])

    class Failing(EncryptedFileStore):
        def delete(self, entry: str) -> bool:
            if entry.startswith("api-key:"):
                raise CredentialError("The keyring did not answer.")
            return super().delete(entry)

    failing = Failing(passphrase_provider=lambda _creating: PASSPHRASE)
    with pytest.raises(CredentialError, match=r"The keyring did not answer\."):
        forget_named(failing, named, ledger=ledger)
    assert not EncryptedCache(store).path_for(named.connection).exists()
    assert named.connection.id not in json.loads(ledger.path.read_text())["connections"]


def test_the_ledger_forgets_a_connection_under_its_lock() -> None:
    ledger = RequestLedger()
    ledger.note_workspaces("eu#aaaa", [Workspace("w1", "One"), Workspace("w2", "Two")])
    ledger.note_workspaces("eu", [Workspace("w2", "Two")])
    ledger.forget_connection("eu#aaaa")
    ledger.forget_connection("never-seen")
    other = RequestLedger()  # another process's view
    assert other.usage("w1").used == 0
    state = json.loads(ledger.path.read_text())
    assert set(state["connections"]) == {"eu"}
    assert set(state["workspaces"]) == {"w2"}
