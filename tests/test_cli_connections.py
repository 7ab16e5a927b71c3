"""The command line with several Clockify accounts (issue 20): `key set --name`, `key
status`, `key clear --name`, `list`/`xref --connection`, against two fake servers with
different keys. Neither key ever appears in the output."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_clockify import FakeClockify, FakeWorkspace, _sample_client, _sample_user

from desktop import __main__ as entry
from desktop.clockify import ApiKey, Connection
from desktop.clockify.models import Workspace
from desktop.store import EncryptedFileStore, api_key_entry, cache_key_entry, file_store, paths
from desktop.store.cache import EncryptedCache, Snapshot, WorkspaceSnapshot
from desktop.store.connections import ConnectionRegistry, NamedConnection
from desktop.store.ledger import RequestLedger

KEY_A = "acme-key-0123456789abcdef0123456789ab"
KEY_B = "beta-key-fedcba9876543210fedcba987654"
PASSPHRASE = "cli connections passphrase"
ACME = "Acme (EU)"
GERMAN = "Müller & Söhne GmbH (EU)"
BETA_WS = "64b0a00000000000000000b1"
BETA_CLIENT = "64b0c11e00000000000000b1"


def _beta_server() -> FakeClockify:
    owner = {
        "id": "64b0c0ffee000000000000b1",
        "name": "Bert Beta",
        "email": "bert@beta.example",
        "activeWorkspace": BETA_WS,
        "defaultWorkspace": BETA_WS,
        "profilePicture": "",
        "settings": None,
        "status": "ACTIVE",
    }
    workspace = FakeWorkspace(
        id=BETA_WS,
        name="Beta GmbH",
        plan="PRO",
        users=[_sample_user("64b0c0ffee000000000000b1", "Bert Beta", "bert@beta.example")],
        clients=[_sample_client(BETA_CLIENT, "Müller & Söhne KG", BETA_WS)],
    )
    return FakeClockify(api_keys={KEY_B: owner}, workspaces=[workspace])


@pytest.fixture(autouse=True)
def file_store_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The encrypted key file, with a cheap scrypt (the KDF is not the point here)."""
    monkeypatch.setattr(file_store, "SCRYPT_N", 2**10)
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    monkeypatch.setenv("CLOCKIFY_PANEL_PASSPHRASE", PASSPHRASE)


@pytest.fixture
def servers() -> Iterator[tuple[FakeClockify, FakeClockify]]:
    with FakeClockify.with_sample_data(api_key=KEY_A) as acme, _beta_server() as beta:
        yield acme, beta


def cli(
    capsys: pytest.CaptureFixture[str], *args: str, stdin: str = "", env_key: str | None = None
) -> tuple[int, str, str]:
    """Run the program in this process; its exit code, stdout and stderr."""
    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(sys, "stdin", io.StringIO(stdin))
        if env_key is not None:
            mp.setenv("CLOCKIFY_API_KEY", env_key)
        try:
            code = entry.run(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
    finally:
        mp.undo()
    out = capsys.readouterr()
    for key in (KEY_A, KEY_B):
        assert key not in out.out
        assert key not in out.err
    assert "Traceback" not in out.err
    return code, out.out, out.err


def _two(capsys: pytest.CaptureFixture[str], acme: FakeClockify, beta: FakeClockify) -> None:
    code, out, err = cli(
        capsys, "key", "set", "--name", ACME, "--base-url", acme.base_url, stdin=KEY_A + "\n"
    )
    assert code == 0, err
    assert f'as the new connection "{ACME}"' in out
    assert "It sees 2 workspaces." in out
    code, out, err = cli(
        capsys, "key", "set", "--name", GERMAN, "--base-url", beta.base_url, stdin=KEY_B
    )
    assert code == 0, err
    assert f'as the new connection "{GERMAN}"' in out


def _named() -> dict[str, NamedConnection]:
    return {c.name: c for c in ConnectionRegistry().load()}


def _store() -> EncryptedFileStore:
    return EncryptedFileStore(passphrase_provider=lambda _creating: PASSPHRASE)


def _names_in_json(out: str) -> list[str]:
    return [row["name"] for row in json.loads(out)]


def test_two_accounts_each_by_name(
    servers: tuple[FakeClockify, FakeClockify], capsys: pytest.CaptureFixture[str]
) -> None:
    acme, beta = servers
    _two(capsys, acme, beta)
    named = _named()
    assert list(named) == [ACME, GERMAN]
    assert named[ACME].connection == Connection.for_base_url(acme.base_url)  # the first: no slot
    assert named[GERMAN].connection.account is not None
    assert _store().get_api_key(named[GERMAN].connection) == ApiKey(KEY_B)

    # Without --connection: a usage error naming both, before any request.
    before = (len(acme.requests), len(beta.requests))
    code, out, err = cli(capsys, "list", "workspaces")
    assert code == 2
    assert out == ""
    assert f'There are 2 connections ("{ACME}", "{GERMAN}"): choose one with --connection' in err
    assert (len(acme.requests), len(beta.requests)) == before

    code, out, err = cli(
        capsys, "list", "workspaces", "--connection", "acme (eu)", "--format", "json"
    )
    assert code == 0, err
    assert _names_in_json(out) == ["Acme Ltd", "Side Project"]
    code, out, err = cli(
        capsys, "list", "workspaces", "--connection", "MÜLLER & SÖHNE GMBH (eu)", "--format", "json"
    )
    assert code == 0, err
    assert _names_in_json(out) == ["Beta GmbH"]
    code, out, err = cli(capsys, "list", "clients", "--connection", GERMAN, "--format", "json")
    assert code == 0, err
    assert _names_in_json(out) == ["Müller & Söhne KG"]

    # The request ledger counts each under its own connection's id.
    ledger = json.loads(RequestLedger().path.read_text(encoding="utf-8"))
    assert ledger["connections"][named[GERMAN].connection.id] == [BETA_WS]
    assert "#" in named[GERMAN].connection.id
    assert named[ACME].connection.id in ledger["connections"]

    # key status: every connection, one line each, nothing asked of Clockify.
    asked = (len(acme.requests), len(beta.requests))
    code, out, err = cli(capsys, "key", "status")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{ACME}: {acme.base_url}: API key acme")
    assert lines[1].startswith(f"{GERMAN}: {beta.base_url}: API key beta")
    assert all("stored in the encrypted file" in line for line in lines)
    assert (len(acme.requests), len(beta.requests)) == asked

    code, out, err = cli(capsys, "key", "status", "--name", "acme (EU)")
    assert code == 0, err
    assert f'connection "{ACME}"' in out
    assert "Belongs to Alice Admin <alice@acme.example>" in out
    code, out, err = cli(capsys, "key", "status", "--name", GERMAN)
    assert code == 0, err
    assert "Belongs to Bert Beta <bert@beta.example>" in out
    assert all(r.method == "GET" for r in [*acme.requests, *beta.requests])


def test_connection_is_checked_before_anything_is_sent(
    servers: tuple[FakeClockify, FakeClockify],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    acme, beta = servers
    _two(capsys, acme, beta)
    before = (len(acme.requests), len(beta.requests))
    code, _, err = cli(
        capsys, "list", "workspaces", "--connection", ACME, "--base-url", beta.base_url
    )
    assert code == 2
    assert "--connection picks a stored connection" in err
    assert "without --region or --base-url" in err
    code, _, err = cli(capsys, "list", "workspaces", "--connection", ACME, "--region", "eu")
    assert code == 2
    code, _, err = cli(capsys, "list", "workspaces", "--connection", "Initech")
    assert code == 2
    assert (
        f'There is no connection named "Initech"; the connections are "{ACME}", "{GERMAN}".' in err
    )
    export = tmp_path / "kunden.csv"
    export.write_text("Kundennummer;Firma\nK-1;Mueller und Soehne KG\n", encoding="utf-8")
    code, _, err = cli(capsys, "xref", "--customers", str(export))
    assert code == 2
    assert "choose one with --connection" in err
    code, _, err = cli(
        capsys, "xref", "--customers", str(export), "--connection", GERMAN, "--region", "eu"
    )
    assert code == 2
    assert (len(acme.requests), len(beta.requests)) == before

    code, out, err = cli(
        capsys, "xref", "--customers", str(export), "--connection", "müller & söhne gmbh (eu)",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    (entry_row,) = json.loads(out)
    assert entry_row["clockify_name"] == "Müller & Söhne KG"
    assert entry_row["status"] == "match"
    assert entry_row["docs101_id"] == "K-1"


def test_the_env_key_overrides_for_one_run_on_the_chosen_address(
    servers: tuple[FakeClockify, FakeClockify], capsys: pytest.CaptureFixture[str]
) -> None:
    acme, beta = servers
    _two(capsys, acme, beta)
    key_file = paths.data_dir() / "credentials.enc"
    registry_file = ConnectionRegistry().path
    stored = (key_file.read_bytes(), registry_file.read_bytes())

    # The stored key of Acme is not used: CLOCKIFY_API_KEY is, on Acme's address.
    code, _, err = cli(capsys, "list", "workspaces", "--connection", ACME, env_key=KEY_B)
    assert code == 3
    assert "rejected the API key" in err
    code, out, err = cli(
        capsys, "list", "workspaces", "--connection", GERMAN, "--format", "json", env_key=KEY_B
    )
    assert code == 0, err
    assert _names_in_json(out) == ["Beta GmbH"]
    # Still one of several: the env key does not choose.
    code, _, err = cli(capsys, "list", "workspaces", env_key=KEY_B)
    assert code == 2
    assert (key_file.read_bytes(), registry_file.read_bytes()) == stored
    code, out, _ = cli(capsys, "key", "status", env_key=KEY_B)
    assert code == 0
    assert "CLOCKIFY_API_KEY is set" in out


def test_key_set_by_name_and_address(
    servers: tuple[FakeClockify, FakeClockify], capsys: pytest.CaptureFixture[str]
) -> None:
    acme, beta = servers
    _two(capsys, acme, beta)
    asked = len(beta.requests)
    code, _, err = cli(
        capsys, "key", "set", "--name", "ACME (eu)", "--base-url", beta.base_url, stdin=KEY_B
    )
    assert code == 2
    assert f'The connection "{ACME}" is at {acme.base_url}, not {beta.base_url}' in err
    assert "its address cannot change" in err
    assert len(beta.requests) == asked

    # An existing name (any case) updates its key; the name keeps its case.
    code, out, err = cli(capsys, "key", "set", "--name", "acme (EU)", stdin=KEY_A)
    assert code == 0, err
    assert f'for the connection "{ACME}"' in out
    # Without --name: the stored connection with the address given.
    code, out, err = cli(capsys, "key", "set", "--base-url", beta.base_url, stdin=KEY_B)
    assert code == 0, err
    assert f'for the connection "{GERMAN}"' in out
    # Without --name or address, with two: a usage error naming them, the key not read.
    code, _, err = cli(capsys, "key", "set", "--no-verify", stdin=KEY_A)
    assert code == 2
    assert f'There are 2 connections ("{ACME}", "{GERMAN}"): choose one with --name' in err

    for bad, why in (
        ("", "cannot be empty"),
        ("   ", "cannot be empty"),
        ("x" * 81, "at most 80 characters; this one has 81."),
        ("Acme\tEU", "control characters"),
        ("Line\nbreak", "line breaks"),
    ):
        code, _, err = cli(capsys, "key", "set", "--no-verify", "--name", bad, stdin=KEY_A)
        assert code == 2, bad
        assert why in err
    code, out, err = cli(
        capsys, "key", "set", "--no-verify", "--name", "y" * 80, "--region", "uk", stdin=KEY_A
    )
    assert code == 0, err
    assert list(_named()) == [ACME, GERMAN, "y" * 80]
    assert _store().get_api_key(_named()["y" * 80].connection) == ApiKey(KEY_A)
    # A rejected key adds nothing.
    code, _, err = cli(
        capsys, "key", "set", "--name", "Wrong", "--base-url", beta.base_url, stdin=KEY_A
    )
    assert code == 3
    assert "not stored" in err
    assert "Wrong" not in _named()


def test_key_clear_by_name_leaves_the_other_untouched(
    servers: tuple[FakeClockify, FakeClockify], capsys: pytest.CaptureFixture[str]
) -> None:
    acme, beta = servers
    _two(capsys, acme, beta)
    named = _named()
    gone, kept = named[ACME].connection, named[GERMAN].connection
    cache = EncryptedCache(_store())
    for connection in (gone, kept):
        cache.save(connection, Snapshot(1.0, [WorkspaceSnapshot(Workspace("w", "W"), [], [])]))
    for name in (ACME, GERMAN):
        assert cli(capsys, "list", "workspaces", "--connection", name)[0] == 0
    kept_cache = cache.path_for(kept).read_bytes()

    code, _, err = cli(capsys, "key", "clear")
    assert code == 2
    assert f'("{ACME}", "{GERMAN}"): choose one with --name' in err

    code, out, err = cli(capsys, "key", "clear", "--name", "ACME (EU)")
    assert code == 0, err
    assert "Removed the API key of" in out
    assert "and its cached data" in out
    assert f'Removed the connection "{ACME}" from the list.' in out
    store = _store()
    assert store.get(api_key_entry(gone)) is None
    assert store.get(cache_key_entry(gone)) is None
    assert not cache.path_for(gone).exists()
    ledger = json.loads(RequestLedger().path.read_text(encoding="utf-8"))
    assert gone.id not in ledger["connections"]
    assert not set(ledger["workspaces"]) & {"64b0a0000000000000000001", "64b0a0000000000000000002"}
    assert list(_named()) == [GERMAN]
    # The other: its key, cache and ledger entries as they were; now the only one.
    assert store.get_api_key(kept) == ApiKey(KEY_B)
    assert cache.path_for(kept).read_bytes() == kept_cache
    assert ledger["connections"][kept.id] == [BETA_WS]
    code, out, err = cli(capsys, "list", "workspaces", "--format", "json")
    assert code == 0, err
    assert _names_in_json(out) == ["Beta GmbH"]

    code, _, err = cli(capsys, "key", "clear", "--name", ACME)
    assert code == 2
    assert f'There is no connection named "{ACME}"; the connections are "{GERMAN}".' in err
    code, out, err = cli(capsys, "key", "clear")  # the only one
    assert code == 0, err
    assert f'Removed the connection "{GERMAN}"' in out
    assert ConnectionRegistry().load() == []
    assert not (paths.data_dir() / "credentials.enc").exists()  # its last entries went
    code, _, err = cli(capsys, "key", "status")
    assert code == 3
    assert "No connection is stored" in err


def test_the_connection_of_an_earlier_version_is_the_only_one(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str]
) -> None:
    from conftest import TEST_KEY

    from desktop.store import connection_file

    old = Connection.for_base_url(fake_server.base_url)
    connection_file.save(old)
    _store().set_api_key(old, ApiKey(TEST_KEY))
    code, out, err = cli(capsys, "list", "workspaces", "--format", "json")
    assert code == 0, err
    assert TEST_KEY not in out + err
    assert _names_in_json(out) == ["Acme Ltd", "Side Project"]
    code, out, err = cli(capsys, "key", "status")
    assert code == 0, err
    host = old.host
    assert out.startswith(f"{host}: {old.base_url}: API key test")
    assert not ConnectionRegistry().path.exists()  # nothing changed, nothing written
    code, out, err = cli(
        capsys, "key", "set", "--no-verify", "--name", "Second", "--region", "eu", stdin=KEY_A
    )
    assert code == 0, err
    stored = json.loads(ConnectionRegistry().path.read_text(encoding="utf-8"))["connections"]
    assert stored[0] == {"name": host, "base_url": old.base_url}
    assert stored[1]["name"] == "Second"
    assert stored[1]["region"] == "eu"
    assert len(stored[1]["account"]) == 8
    code, out, err = cli(capsys, "list", "workspaces", "--connection", host, "--format", "json")
    assert code == 0, err


def test_a_first_key_set_without_a_name(
    servers: tuple[FakeClockify, FakeClockify], capsys: pytest.CaptureFixture[str]
) -> None:
    acme, beta = servers
    code, out, err = cli(capsys, "key", "set", "--base-url", acme.base_url, stdin=KEY_A)
    assert code == 0, err
    first = Connection.for_base_url(acme.base_url)
    assert f'as the new connection "{first.host}"' in out
    assert "The panel (python -m desktop) will use this connection." in out
    assert ConnectionRegistry().load() == [NamedConnection(first.host, first)]
    code, out, err = cli(capsys, "key", "set", "--base-url", beta.base_url, stdin=KEY_B)
    assert code == 0, err
    second = Connection.for_base_url(beta.base_url)
    assert f'as the new connection "{second.host}"' in out
    assert "The panel" not in out  # earlier panels cannot name a slot
    # An address picks its stored connection without --connection.
    code, out, err = cli(
        capsys, "list", "workspaces", "--base-url", beta.base_url, "--format", "json"
    )
    assert code == 0, err
    assert _names_in_json(out) == ["Beta GmbH"]
