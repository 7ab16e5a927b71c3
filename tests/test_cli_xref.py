"""The `xref` command end to end (issue 19, point 5): the fake Clockify with a workspace
whose clients overlap a fake docs101's customers (exact, near, missing), every format,
the CSV path without docs101, the docs101 key and its errors, and Clockify's errors with
`list`'s exit codes. Neither key ever appears in the output."""

from __future__ import annotations

import csv
import io
import json
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from fake_clockify import FakeClockify, FakeWorkspace
from fake_docs101 import DOCS101_TEST_KEY, FakeDocs101
from test_cli import _fast_client, run

import desktop.store
from desktop.cli import xref as xref_command
from desktop.clockify.connection import ApiKey, Connection
from desktop.demo import demo_server
from desktop.demo.docs101 import DEMO_DOCS101_KEY, DemoDocs101, demo_docs101
from desktop.store import PassphraseRequiredError
from desktop.store.ledger import RequestLedger

XREF_WS = "64b0a00000000000000000d1"
KEYS = ["clockify_id", "clockify_name", "status", "docs101_id", "docs101_name", "score"]

#: Clockify client id, its name, and what it should be: (status, docs101 id or None).
CLIENTS: list[tuple[str, str, str, str | None]] = [
    ("64b0c11e00000000000000d1", "ACME GmbH.", "match", "11"),
    ("64b0c11e00000000000000d2", "Müller & Söhne KG", "match", "12"),
    ("64b0c11e00000000000000d3", "Contoso Ltd", "match", "13"),
    ("64b0c11e00000000000000d4", "Northwind Traders", "similar", "14"),
    ("64b0c11e00000000000000d5", "Müller GmbH", "missing", None),
    ("64b0c11e00000000000000d6", "Fabrikam Unlimited", "missing", None),
    ("64b0c11e00000000000000d7", "Zoë Müller", "match", "21"),
]
ARCHIVED = ("64b0c11e00000000000000d8", "Tailspin Toys AG")


def _company(ident: int, name: str) -> dict[str, Any]:
    return {
        "id": ident,
        "organization_name": name,
        "first_name": None,
        "last_name": None,
        "email": f"c{ident}@example.com",
        "vat_id": f"DE{ident:09d}",
        "is_active": True,
    }


def docs101_customers() -> list[dict[str, Any]]:
    """The customers the workspace's clients are matched against."""
    customers = [
        _company(11, "Acme GmbH"),
        _company(12, "Mueller und Soehne KG"),
        _company(13, "Contoso Limited"),
        _company(14, "Northwind Trading Company"),
        _company(15, "Müller Bau GmbH"),
        _company(16, "Tailspin Toys AG"),
    ]
    person = {**_company(21, "x"), "organization_name": None, "first_name": "Zoë"}
    person["last_name"] = "Müller"
    customers.append(person)
    customers.append({**_company(22, "x"), "organization_name": None, "vat_id": None})
    return customers


def _client(client_id: str, name: str, archived: bool = False) -> dict[str, Any]:
    return {
        "id": client_id,
        "name": name,
        "workspaceId": XREF_WS,
        "archived": archived,
        "email": None,
        "address": None,
        "note": None,
        "ccEmails": None,
        "currencyId": "64b0cc0000000000000000ee",
        "currencyCode": "EUR",
    }


@pytest.fixture(autouse=True)
def no_docs101_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DOCS101_API_KEY", "DOCS101_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server(fake_server: FakeClockify) -> FakeClockify:
    """The fake Clockify with one more workspace, "Xref GmbH" (PRO: not budget-limited)."""
    clients = [_client(cid, name) for cid, name, _, _ in CLIENTS]
    clients.append(_client(*ARCHIVED, archived=True))
    fake_server.add_workspace(
        FakeWorkspace(id=XREF_WS, name="Xref GmbH", clients=clients, plan="PRO")
    )
    return fake_server


@pytest.fixture
def docs101() -> Iterator[FakeDocs101]:
    with FakeDocs101(customers=docs101_customers()) as fake:
        yield fake


def xref(server: FakeClockify, *rest: str, docs101: FakeDocs101 | None = None) -> list[str]:
    args = ["xref", "--workspace", XREF_WS, *rest, "--base-url", server.base_url]
    if docs101 is not None:
        args += ["--docs101-base-url", docs101.base_url]
    return args


def run_xref(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *,
    key: str | None = TEST_KEY,
    docs101_key: str | None = DOCS101_TEST_KEY,
) -> tuple[int, str, str]:
    if docs101_key is not None:
        monkeypatch.setenv("DOCS101_API_KEY", docs101_key)
    else:
        monkeypatch.delenv("DOCS101_API_KEY", raising=False)
    code, out, err = run(args, capsys, key=key)
    assert TEST_KEY not in out + err
    assert DOCS101_TEST_KEY not in out + err
    if key:
        assert key not in out + err
    if docs101_key and docs101_key.strip():
        assert docs101_key.strip() not in out + err
    return code, out, err


def _refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/v1"


# -- output ----------------------------------------------------------------------------------


def test_json_has_exactly_the_keys_and_the_acceptance_statuses(
    server: FakeClockify,
    docs101: FakeDocs101,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    code, out, err = run_xref(
        xref(server, "--format", "json", docs101=docs101), capsys, monkeypatch
    )
    assert code == 0, err
    assert err == ""
    entries = json.loads(out)
    assert all(list(entry) == KEYS for entry in entries)
    got = {e["clockify_id"]: e for e in entries}
    assert set(got) == {cid for cid, *_ in CLIENTS}  # the archived one left out
    # In Clockify's order (by name), as it answered.
    assert [e["clockify_name"] for e in entries] == sorted(
        (n for _, n, *_ in CLIENTS), key=str.casefold
    )
    for cid, name, status, docs101_id in CLIENTS:
        entry = got[cid]
        assert entry["clockify_name"] == name
        assert (entry["status"], entry["docs101_id"]) == (status, docs101_id), name
        if status == "missing":
            assert entry["docs101_name"] is None
            assert entry["score"] is None
        else:
            assert isinstance(entry["docs101_id"], str)
            assert isinstance(entry["docs101_name"], str)
            assert isinstance(entry["score"], float)
    assert got[CLIENTS[0][0]]["docs101_name"] == "Acme GmbH"
    assert got[CLIENTS[0][0]]["score"] == 100.0
    assert 0 < got[CLIENTS[3][0]]["score"] < 100
    assert got[CLIENTS[6][0]]["docs101_name"] == "Zoë Müller"
    # "Müller GmbH" is never "Müller Bau GmbH"'s match.
    assert got[CLIENTS[4][0]]["status"] != "match"
    assert [r.path for r in docs101.requests] == ["/api/v1/customer/"]
    assert server.count(f"/workspaces/{XREF_WS}/clients") == 1
    assert TEST_KEY not in caplog.text
    assert DOCS101_TEST_KEY not in caplog.text


def test_all_includes_archived_clients(
    server: FakeClockify,
    docs101: FakeDocs101,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = run_xref(
        xref(server, "--format", "json", "--all", docs101=docs101), capsys, monkeypatch
    )
    assert code == 0, err
    entries = {e["clockify_id"]: e for e in json.loads(out)}
    assert entries[ARCHIVED[0]]["status"] == "match"
    assert entries[ARCHIVED[0]]["docs101_id"] == "16"


def test_csv_has_a_header_and_one_row_per_client(
    server: FakeClockify,
    docs101: FakeDocs101,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = run_xref(xref(server, "--format", "csv", docs101=docs101), capsys, monkeypatch)
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert rows[0] == KEYS
    assert sorted(row[0] for row in rows[1:]) == sorted(cid for cid, *_ in CLIENTS)
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id[CLIENTS[0][0]] == [
        CLIENTS[0][0],
        "ACME GmbH.",
        "match",
        "11",
        "Acme GmbH",
        "100.0",
    ]
    assert by_id[CLIENTS[5][0]] == [CLIENTS[5][0], "Fabrikam Unlimited", "missing", "", "", ""]


def test_the_table_is_the_default_and_readable(
    server: FakeClockify,
    docs101: FakeDocs101,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = run_xref(xref(server, docs101=docs101), capsys, monkeypatch)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == [k.upper() for k in KEYS]
    assert len(lines) == 1 + len(CLIENTS)
    northwind = next(line for line in lines if "Northwind Traders" in line)
    assert "similar" in northwind
    assert "Northwind Trading Company" in northwind
    fabrikam = next(line for line in lines if "Fabrikam" in line)
    assert fabrikam.split()[-1] == "missing"


def test_an_empty_workspace_prints_the_header_only(
    server: FakeClockify,
    docs101: FakeDocs101,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    empty = "64b0a00000000000000000d2"
    server.add_workspace(FakeWorkspace(id=empty, name="Empty", clients=[], plan="PRO"))
    args = ["xref", "--workspace", empty, "--base-url", server.base_url]
    args += ["--docs101-base-url", docs101.base_url]
    code, out, _ = run_xref([*args, "--format", "json"], capsys, monkeypatch)
    assert (code, out) == (0, "[]\n")
    code, out, _ = run_xref([*args, "--format", "csv"], capsys, monkeypatch)
    assert (code, out) == (0, ",".join(KEYS) + "\r\n")


# -- where the customers come from ------------------------------------------------------------


def test_a_csv_file_needs_no_docs101_at_all(
    server: FakeClockify,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    export = tmp_path / "kunden.csv"
    export.write_bytes(
        "Kundennummer;Firma;E-Mail\n"
        "K-1;Acme GmbH;a@example.com\n"
        "K-2;Mueller und Soehne KG;\n"
        "K-3;Contoso Limited;\n"
        "K-4;Northwind Trading Company;\n".encode("cp1252")
    )
    # Any attempt to reach docs101 would be refused (exit 5).
    monkeypatch.setenv("DOCS101_BASE_URL", _refused_url())
    code, out, err = run_xref(
        xref(server, "--customers", str(export), "--format", "json"),
        capsys,
        monkeypatch,
        docs101_key=None,
    )
    assert code == 0, err
    got = {e["clockify_name"]: (e["status"], e["docs101_id"]) for e in json.loads(out)}
    assert got["ACME GmbH."] == ("match", "K-1")
    assert got["Müller & Söhne KG"] == ("match", "K-2")
    assert got["Contoso Ltd"] == ("match", "K-3")
    assert got["Northwind Traders"] == ("similar", "K-4")
    assert got["Fabrikam Unlimited"] == ("missing", None)


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b"", "empty"),
        (b"id;email\n1;a@example.com\n", "email"),  # names the headers it found
        (None, "does not exist"),
    ],
)
def test_an_unreadable_csv_exits_2_with_its_message_and_sends_nothing(
    server: FakeClockify,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    content: bytes | None,
    phrase: str,
) -> None:
    export = tmp_path / "customers.csv"
    if content is not None:
        export.write_bytes(content)
    code, out, err = run_xref(
        xref(server, "--customers", str(export)), capsys, monkeypatch, docs101_key=None
    )
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert phrase in err
    assert str(export) in err
    assert server.count() == 0


def test_no_docs101_key_exits_3_before_any_request(
    server: FakeClockify,
    docs101: FakeDocs101,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = run_xref(xref(server, docs101=docs101), capsys, monkeypatch, docs101_key=None)
    assert code == 3
    assert out == ""
    assert err.strip() == f"clockify-panel: {xref_command.NO_DOCS101_KEY}"
    assert server.count() == 0
    assert docs101.requests == []


def test_an_unusable_docs101_key_exits_3_without_repeating_it(
    server: FakeClockify,
    docs101: FakeDocs101,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = run_xref(
        xref(server, docs101=docs101), capsys, monkeypatch, docs101_key="ak_live_has spaces"
    )
    assert code == 3
    assert "DOCS101_API_KEY" in err
    assert "has spaces" not in err
    assert server.count() == 0
    assert docs101.requests == []


@pytest.mark.parametrize(
    ("status", "code", "phrase"),
    [
        (401, 3, "docs101 rejected the API key"),
        (402, 4, "plan limit is used up"),
        (500, 1, "500"),
    ],
)
def test_docs101_errors_have_their_exit_codes_and_cost_no_clockify_request(
    server: FakeClockify,
    docs101: FakeDocs101,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    status: int,
    code: int,
    phrase: str,
) -> None:
    docs101.status = status
    docs101.echo_key = True  # a server quoting the key back: never shown
    got, out, err = run_xref(xref(server, docs101=docs101), capsys, monkeypatch)
    assert got == code, err
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert phrase in err
    assert "Traceback" not in err
    assert server.count() == 0


def test_a_wrong_docs101_key_exits_3(
    server: FakeClockify,
    docs101: FakeDocs101,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrong = "ak_live_wrongwrongwrongwrongwrong0000"
    code, _, err = run_xref(xref(server, docs101=docs101), capsys, monkeypatch, docs101_key=wrong)
    assert code == 3
    assert "rejected" in err
    assert server.count() == 0


def test_docs101_unreachable_exits_5(
    server: FakeClockify, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = xref(server, "--docs101-base-url", _refused_url())
    code, _, err = run_xref(args, capsys, monkeypatch)
    assert code == 5
    assert "refused" in err


def test_the_option_wins_over_the_environment_for_the_base_url(
    server: FakeClockify,
    docs101: FakeDocs101,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCS101_BASE_URL", _refused_url())
    code, _, err = run_xref(xref(server, docs101=docs101), capsys, monkeypatch)
    assert code == 0, err
    monkeypatch.setenv("DOCS101_BASE_URL", docs101.base_url)
    code, _, err = run_xref(xref(server), capsys, monkeypatch)
    assert code == 0, err
    assert len(docs101.requests) == 2


def test_plain_http_docs101_to_a_remote_host_is_a_usage_error(
    server: FakeClockify, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = xref(server, "--docs101-base-url", "http://docs101.example.com/api/v1")
    code, _, err = run_xref(args, capsys, monkeypatch)
    assert code == 2
    assert "plain http" in err
    assert server.count() == 0


# -- Clockify's errors, as `list` has them ---------------------------------------------------


def test_no_clockify_key_exits_3(
    server: FakeClockify,
    docs101: FakeDocs101,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = run_xref(xref(server, docs101=docs101), capsys, monkeypatch, key=None)
    assert code == 3
    assert out == ""
    assert "CLOCKIFY_API_KEY" in err
    assert docs101.requests == []


@pytest.mark.parametrize(
    ("setup", "workspace", "code", "phrases"),
    [
        ("wrong key", None, 3, ["rejected the API key"]),
        ("unknown workspace", "nope", 4, ["Workspace not found"]),
        ("rate limited", None, 5, ["Rate limited"]),
        ("server error", None, 1, ["server error", "503"]),
        ("malformed", None, 1, ["not valid JSON"]),
    ],
)
def test_clockify_errors_have_lists_exit_codes(
    server: FakeClockify,
    docs101: FakeDocs101,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    setup: str,
    workspace: str | None,
    code: int,
    phrases: list[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(xref_command, "make_client", _fast_client)
    key = TEST_KEY
    if setup == "wrong key":
        key = "not-the-key-0000000000"
    elif setup == "rate limited":
        server.rate_limit_first = 100
    elif setup == "server error":
        server.server_error_first = 100
    elif setup == "malformed":
        server.malformed = "bad-json"
    args = xref(server, docs101=docs101)
    if workspace is not None:
        args[2] = workspace
    got, out, err = run_xref(args, capsys, monkeypatch, key=key)
    assert got == code, err
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    for phrase in phrases:
        assert phrase in err
    assert key not in caplog.text
    assert DOCS101_TEST_KEY not in caplog.text


def test_the_workspace_may_be_omitted_only_when_the_key_sees_one(
    server: FakeClockify,
    docs101: FakeDocs101,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args = ["xref", "--base-url", server.base_url, "--docs101-base-url", docs101.base_url]
    code, _, err = run_xref(args, capsys, monkeypatch)
    assert code == 2
    assert "--workspace" in err
    for ws in server.workspaces:
        if ws.id != XREF_WS:
            ws.visible_to = {"someone-else"}
    code, out, err = run_xref([*args, "--format", "json"], capsys, monkeypatch)
    assert code == 0, err
    assert len(json.loads(out)) == len(CLIENTS)


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    from desktop import __main__ as entry

    for bad in (["xref", "--format", "tsv"], ["xref", "--workspace", "a/b"]):
        with pytest.raises(SystemExit) as exc:
            entry.run(bad)
        assert exc.value.code == 2


def test_every_clockify_request_passes_the_budget_gate(
    server: FakeClockify,
    docs101: FakeDocs101,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A limited workspace at this app's share: refused (exit 5), nothing sent to Clockify;
    --force sends it, and counts it."""
    limited = "64b0a00000000000000000d3"
    server.add_workspace(
        FakeWorkspace(id=limited, name="Free", clients=[_client("64b0c11e00000000000000e1", "A")])
    )
    connection = Connection.from_options(None, server.base_url).id
    ledger = RequestLedger()
    for _ in range(25):
        ledger.admit(connection, limited, False, force=True)
    args = ["xref", "--workspace", limited, "--base-url", server.base_url]
    args += ["--docs101-base-url", docs101.base_url]
    code, out, err = run_xref(args, capsys, monkeypatch)
    assert code == 5
    assert out == ""
    assert "--force" in err
    assert server.count(f"/workspaces/{limited}/clients") == 0
    code, out, err = run_xref([*args, "--force"], capsys, monkeypatch)
    assert code == 0, err
    assert server.count(f"/workspaces/{limited}/clients") == 1
    assert RequestLedger().usage(limited).used == 26


# -- the demo ------------------------------------------------------------------------------------


def test_the_demo_docs101_serves_the_demo_customers_to_xref(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    clockify, clockify_key = demo_server()
    docs, docs_key = demo_docs101()
    assert docs_key == DEMO_DOCS101_KEY
    studio = "5f1e0a0b0c0d0e0f10111202"
    with clockify, docs:
        args = ["xref", "--workspace", studio, "--format", "json"]
        args += ["--base-url", clockify.base_url, "--docs101-base-url", docs.base_url]
        code, out, err = run_xref(args, capsys, monkeypatch, key=clockify_key, docs101_key=docs_key)
    assert code == 0, err
    got = {e["clockify_name"]: e for e in json.loads(out)}
    for name in ("Café Müller", "Søstrene Design", "Göteborg Glas", "Straße & Söhne"):
        assert got[name]["status"] == "match", name
    assert got["Crème Brûlée Bistro"]["docs101_name"] == "Creme Brulee Bistro GmbH"
    assert {e["status"] for e in got.values()} >= {"match", "missing"}


def test_the_demo_docs101_refuses_another_key_and_path() -> None:
    from desktop.docs101.client import Docs101Client
    from desktop.docs101.errors import Docs101KeyRejectedError, Docs101NotFoundError

    with DemoDocs101() as docs:
        with pytest.raises(Docs101KeyRejectedError):
            Docs101Client(docs.base_url, "ak_live_other").customers()
        with pytest.raises(Docs101NotFoundError):
            Docs101Client(docs.base_url + "/nested", DEMO_DOCS101_KEY).customers()
        customers = Docs101Client(docs.base_url, DEMO_DOCS101_KEY).customers()
    assert len(customers) == 20


# -- the stored docs101 key ------------------------------------------------------------------


class _Store:
    """A key store as `open_credential_store()` returns it, holding a docs101 key or not."""

    def __init__(self, key: str | None = None, error: Exception | None = None) -> None:
        self.key, self.error, self.asked = key, error, 0

    def get_docs101_key(self) -> ApiKey | None:
        self.asked += 1
        if self.error is not None:
            raise self.error
        return None if self.key is None else ApiKey(self.key)


def test_the_stored_docs101_key_is_used_when_the_environment_has_none(
    server: FakeClockify,
    docs101: FakeDocs101,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = _Store(DOCS101_TEST_KEY)
    monkeypatch.setattr(desktop.store, "open_credential_store", lambda: store)
    code, out, err = run_xref(xref(server, docs101=docs101), capsys, monkeypatch, docs101_key=None)
    assert code == 0, err
    assert store.asked == 1
    assert "Acme GmbH" in out
    # The environment's key wins, and the store is not even opened.
    monkeypatch.setattr(desktop.store, "open_credential_store", _no_store)
    code, _, err = run_xref(xref(server, docs101=docs101), capsys, monkeypatch)
    assert code == 0, err


def _no_store() -> object:
    raise AssertionError("the key store was opened")


@pytest.mark.parametrize(
    ("store", "phrase"),
    [
        (_Store(None), "No docs101 API key"),
        (object(), "No docs101 API key"),  # a store that keeps no docs101 key at all
        (_Store(error=PassphraseRequiredError("The key file needs its passphrase.")), "passphrase"),
    ],
)
def test_no_usable_stored_docs101_key_exits_3(
    server: FakeClockify,
    docs101: FakeDocs101,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    store: object,
    phrase: str,
) -> None:
    monkeypatch.setattr(desktop.store, "open_credential_store", lambda: store)
    code, out, err = run_xref(xref(server, docs101=docs101), capsys, monkeypatch, docs101_key=None)
    assert code == 3
    assert out == ""
    assert phrase in err
    assert server.count() == 0
    assert docs101.requests == []
