"""The `list` command end to end against the fake server: output formats, every error row of
docs/clockify-api.md with its exit code and message, and complete lists in every paging variant."""

from __future__ import annotations

import csv
import io
import json
import logging
import socket
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from conftest import TEST_KEY
from fake_clockify import (
    SAMPLE_BILLED_ADDRESS,
    SAMPLE_BILLED_CLIENT_ID,
    SAMPLE_OWNER_ID,
    SAMPLE_SIDE_WORKSPACE_ID,
    SAMPLE_WORKSPACE_ID,
    FakeClockify,
    FakeWorkspace,
)
from hypothesis import given
from hypothesis import strategies as st

from desktop import __main__ as entry
from desktop.cli import listing as list_command
from desktop.cli.common import terminal_text
from desktop.demo.data import TRICKY_NAMES, make_clients, make_users

BIG = "64b0a00000000000000000aa"


def run(
    args: list[str], capsys: pytest.CaptureFixture[str], key: str | None = TEST_KEY
) -> tuple[int, str, str]:
    mp = pytest.MonkeyPatch()
    try:
        if key is not None:
            mp.setenv("CLOCKIFY_API_KEY", key)
        code = entry.run(args)
    finally:
        mp.undo()
    out = capsys.readouterr()
    return code, out.out, out.err


def listing(server: FakeClockify, *rest: str) -> list[str]:
    return ["list", *rest, "--base-url", server.base_url]


# -- output ----------------------------------------------------------------------------------


def test_workspaces_table_and_json(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(listing(fake_server, "workspaces"), capsys)
    assert code == 0, err
    assert out.splitlines()[0].split() == ["ID", "NAME"]
    assert "Acme Ltd" in out
    code, out, _ = run(listing(fake_server, "workspaces", "--format", "json"), capsys)
    assert json.loads(out) == [
        {"id": SAMPLE_WORKSPACE_ID, "name": "Acme Ltd"},
        {"id": SAMPLE_SIDE_WORKSPACE_ID, "name": "Side Project"},
    ]


def test_users_json_has_email_and_status_and_all_adds_inactive(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        listing(fake_server, "users", "--workspace", SAMPLE_WORKSPACE_ID, "--format", "json"),
        capsys,
    )
    assert code == 0
    users = json.loads(out)
    assert all(set(u) == {"id", "name", "email", "status"} for u in users)
    active = {u["id"] for u in fake_server.workspaces[0].users if u["_membership"] == "ACTIVE"}
    assert {u["id"] for u in users} == active
    code, out, _ = run(
        listing(
            fake_server, "users", "--workspace", SAMPLE_WORKSPACE_ID, "--format", "json", "--all"
        ),
        capsys,
    )
    assert {u["id"] for u in json.loads(out)} == {u["id"] for u in fake_server.workspaces[0].users}


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_csv_and_tsv_round_trip_any_name(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    odd = "64b0a00000000000000000bb"
    extra = ['Comma, "quoted" Ltd', "Tab\there", "Line\nbreak"]
    clients = make_clients(len(TRICKY_NAMES) + len(extra), workspace_id=odd)
    for record, name in zip(clients, [*TRICKY_NAMES, *extra], strict=True):
        record["name"] = name
        record["archived"] = False
    fake_server.add_workspace(FakeWorkspace(id=odd, name="Odd", users=[], clients=clients))
    code, out, _ = run(listing(fake_server, "clients", "--workspace", odd, "--format", fmt), capsys)
    assert code == 0
    rows = list(csv.reader(io.StringIO(out, newline=""), delimiter="," if fmt == "csv" else "\t"))
    assert rows[0] == list_command.COLUMNS["clients"]
    got = {row[0]: row[1] for row in rows[1:]}
    assert got == {c["id"]: c["name"] or "" for c in clients}


def test_workspace_may_be_omitted_only_when_the_key_sees_one(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(listing(fake_server, "clients"), capsys)
    assert code == 2
    assert "--workspace" in err
    fake_server.workspaces[1].visible_to = {"someone-else"}
    code, out, _ = run(listing(fake_server, "clients", "--format", "json"), capsys)
    assert code == 0
    assert {c["id"] for c in json.loads(out)}


# -- complete lists ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["header", "lowercase", "none", "total-count", "always-false"])
def test_every_item_in_every_paging_variant(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    users = make_users(12_345, workspace_id=BIG)
    clients = make_clients(2_345, workspace_id=BIG)
    fake_server.add_workspace(FakeWorkspace(id=BIG, name="Big", users=users, clients=clients))
    fake_server.paging_mode = mode
    code, out, _ = run(
        listing(fake_server, "users", "--workspace", BIG, "--all", "--format", "json"), capsys
    )
    assert code == 0
    assert sorted(u["id"] for u in json.loads(out)) == sorted(u["id"] for u in users)
    user_requests = [r for r in fake_server.requests if r.path.endswith("/users")]
    assert len(user_requests) == (4 if mode == "always-false" else 3)
    code, out, _ = run(
        listing(fake_server, "clients", "--workspace", BIG, "--all", "--format", "json"), capsys
    )
    assert code == 0
    assert sorted(c["id"] for c in json.loads(out)) == sorted(c["id"] for c in clients)


# -- errors: docs/clockify-api.md's table, one row each -----------------------------------------


def test_no_key_at_all_exits_3_and_says_how_to_connect(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(listing(fake_server, "workspaces"), capsys, key=None)
    assert code == 3
    assert out == ""
    assert "key set" in err
    assert "CLOCKIFY_API_KEY" in err


@pytest.mark.parametrize(
    ("setup", "args", "code", "phrases"),
    [
        ("wrong key", ["workspaces"], 3, ["rejected the API key", "region"]),
        ("users forbidden", ["users", "--workspace", "W"], 4, ["No permission", "clients"]),
        ("unknown workspace", ["clients", "--workspace", "nope"], 4, ["Workspace not found"]),
        ("unknown workspace", ["users", "--workspace", "nope"], 4, ["Workspace not found"]),
        ("rate limited", ["workspaces"], 5, ["Rate limited"]),
        ("server error", ["workspaces"], 1, ["server error", "503"]),
        ("malformed", ["workspaces"], 1, ["not valid JSON"]),
        ("object", ["users", "--workspace", "W"], 1, ["expected a list"]),
        ("html", ["workspaces"], 1, ["Is this a Clockify server?"]),
        ("endless pages", ["users", "--workspace", "W"], 1, ["same page twice"]),
        ("reset", ["users", "--workspace", "BIG"], 5, ["broke off"]),
    ],
)
def test_each_error_row_has_its_exit_code_and_message(
    fake_server: FakeClockify,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    setup: str,
    args: list[str],
    code: int,
    phrases: list[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    # Retries would only slow this test: the client's own retry tests cover them.
    monkeypatch.setattr(list_command, "make_client", _fast_client)
    key = TEST_KEY
    if setup == "wrong key":
        key = "not-the-key-0000000000"
    elif setup == "users forbidden":
        fake_server.workspaces[0].forbid_users = True
    elif setup == "rate limited":
        fake_server.rate_limit_first = 100
    elif setup == "server error":
        fake_server.server_error_first = 100
    elif setup == "malformed":
        fake_server.malformed = "bad-json"
    elif setup == "object":
        fake_server.malformed = "object"
        fake_server.malformed_paths = ("/users",)
    elif setup == "html":
        fake_server.malformed = "html"
    elif setup == "endless pages":
        fake_server.ignore_paging = True
        fake_server.workspaces[0].users.extend(make_users(6000, workspace_id=SAMPLE_WORKSPACE_ID))
    elif setup == "reset":
        fake_server.add_workspace(
            FakeWorkspace(
                id=BIG, name="Big", users=make_users(12_345, workspace_id=BIG), clients=[]
            )
        )
        fake_server.reset_after_pages = 1
    args = [{"W": SAMPLE_WORKSPACE_ID, "BIG": BIG}.get(a, a) for a in args]
    got, out, err = run(listing(fake_server, *args), capsys, key=key)
    assert got == code, err
    assert out == ""
    assert len(err.strip().splitlines()) == 1  # one clear line
    assert "Traceback" not in err
    for phrase in phrases:
        assert phrase in err
    assert TEST_KEY not in err + caplog.text
    assert key not in err + caplog.text


def _fast_client(args: object, connection: object, key: object) -> object:
    from desktop.clockify import ClockifyClient, RetryPolicy

    return ClockifyClient(
        connection,  # type: ignore[arg-type]
        key,  # type: ignore[arg-type]
        timeout=(2.0, 2.0),
        retry=RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02, max_total=0.05),
    )


def test_a_stalled_server_ends_with_exit_5_within_the_timeout(
    fake_server: FakeClockify,
) -> None:
    # Never answered while the command runs: without its timeout it would hang until
    # subprocess.run's deadline (far beyond a few 1 s tries) and fail there.
    with fake_server.hold("/workspaces") as gate:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "desktop",
                *listing(fake_server, "workspaces"),
                "--timeout",
                "1",
            ],
            env={**_env(), "CLOCKIFY_API_KEY": TEST_KEY},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert gate.arrived >= 1
        assert fake_server.count("/workspaces", answered=True) == 0
    assert done.returncode == 5
    assert "timeout" in done.stderr.lower()
    assert TEST_KEY not in done.stderr + done.stdout


def test_a_refused_connection_exits_5(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, _, err = run(["list", "workspaces", "--base-url", f"http://127.0.0.1:{port}"], capsys)
    assert code == 5
    assert "refused" in err


def test_plain_http_to_a_remote_host_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["list", "workspaces", "--base-url", "http://clockify.example.com"], capsys)
    assert code == 2
    assert "plain http" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        entry.run(["list", "projects"])
    assert exc.value.code == 2


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


# -- output at the network floor (issue #14) -----------------------------------------------------

ODD = "64b0a00000000000000000cc"
ODD_TEXTS: list[Any] = [
    *TRICKY_NAMES,
    'Comma, "quoted" Ltd',
    "Tab\there",
    "Line\nbreak\r\nand CR",
    "Escape \x1b[31mred\x1b[0m and \x9b",
    "Percent %s %d %% %(x)s",
    "Back\\slash and /slash",
    "Line separator \u2028 and NEL \x85",
    "Emoji \U0001f680 and 日本語",
    "",
    " leading and trailing ",
    12.5,  # numbers and flags become their text, objects and lists nothing
    10**30,
    True,
    {"nested": ["x"]},
    ["list"],
]


def _odd_workspace() -> FakeWorkspace:
    users = make_users(len(ODD_TEXTS), workspace_id=ODD, seed=7)
    clients = make_clients(len(ODD_TEXTS), workspace_id=ODD, seed=8)
    flags: list[Any] = [True, False, "yes", None, 1]
    for i, (user, client, text) in enumerate(zip(users, clients, ODD_TEXTS, strict=True)):
        user["name"] = text
        user["email"] = ODD_TEXTS[-1 - i]
        user["status"] = [None, "ACTIVE", "PENDING", 7, "INACTIVE"][i % 5]
        client["name"] = text
        client["archived"] = flags[i % len(flags)]
    return FakeWorkspace(id=ODD, name="Odd", users=users, clients=clients)


def _previous_output(rows: list[dict[str, Any]], columns: list[str], fmt: str) -> str:
    """What `list` printed before issue #14, piece by piece with json and csv: the reference."""
    out = io.StringIO()

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):  # ccEmails, since issue 16
            return ", ".join(value)
        return str(value)

    if fmt == "json":
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt in ("csv", "tsv"):
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(row[c]) for c in columns])
        out.write(buffer.getvalue())
    else:
        cells = [[terminal_text(cell(row[c])) for c in columns] for row in rows]
        widths = [len(c) for c in columns]
        for line in cells:
            for i, text in enumerate(line):
                widths[i] = min(max(widths[i], len(text)), 60)
        head = "  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True))
        out.write(head.rstrip() + "\n")
        for line in cells:
            out.write("  ".join(t.ljust(w) for t, w in zip(line, widths, strict=True)).rstrip())
            out.write("\n")
    return out.getvalue()


def _model_rows(server: FakeClockify, what: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows as the model objects give them (the panel's path), in the server's order."""
    from desktop.clockify import ApiKey, ClockifyClient, Connection

    client = ClockifyClient(Connection.for_base_url(server.base_url), ApiKey(TEST_KEY))
    try:
        if what == "users":
            users = client.users(ODD, include_inactive=True)
            return [
                {"id": u.id, "name": u.name, "email": u.email, "status": u.status} for u in users
            ], ["id", "name", "email", "status"]
        clients = client.clients(ODD, include_archived=True)
        odd = next(ws for ws in server.workspaces if ws.id == ODD)
        sent = {c["id"]: c.get("ccEmails") for c in odd.clients}
        rows = [
            {
                "id": c.id,
                "name": c.name,
                "archived": c.archived,
                "address": c.address,
                "email": c.email,
                "ccEmails": list(c.cc_emails) if isinstance(sent[c.id], list) else None,
                "currencyCode": c.currency,
                "note": c.note,
            }
            for c in clients
        ]
        return rows, list_command.COLUMNS["clients"]
    finally:
        client.close()


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "table"])
@pytest.mark.parametrize("what", ["users", "clients"])
def test_each_format_prints_the_same_text_as_before(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str], what: str, fmt: str
) -> None:
    fake_server.add_workspace(_odd_workspace())
    rows, columns = _model_rows(fake_server, what)
    assert len(rows) == len(ODD_TEXTS)
    code, out, err = run(
        listing(fake_server, what, "--workspace", ODD, "--all", "--format", fmt), capsys
    )
    assert code == 0, err
    assert out == _previous_output(rows, columns, fmt)


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "table"])
@pytest.mark.parametrize("what", ["users", "clients"])
def test_an_empty_list_prints_the_same_text_as_before(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str], what: str, fmt: str
) -> None:
    fake_server.add_workspace(FakeWorkspace(id=ODD, name="Empty", users=[], clients=[]))
    columns = list_command.COLUMNS[what]
    code, out, err = run(listing(fake_server, what, "--workspace", ODD, "--format", fmt), capsys)
    assert code == 0, err
    assert out == _previous_output([], columns, fmt)


class _CountingOut(io.StringIO):
    writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "table"])
def test_the_output_is_written_in_one_piece(
    fake_server: FakeClockify, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    fake_server.add_workspace(_odd_workspace())
    out = _CountingOut()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setenv("CLOCKIFY_API_KEY", TEST_KEY)
    assert (
        entry.run(listing(fake_server, "users", "--workspace", ODD, "--all", "--format", fmt)) == 0
    )
    assert out.writes == 1
    assert out.getvalue().count("\n") >= len(ODD_TEXTS)


def test_the_command_line_decodes_each_page_in_one_call(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.clockify import client as client_module

    calls: dict[str, int] = {"whole": 0, "yielding": 0}
    whole, yielding = client_module.loads_whole, client_module.loads_yielding

    def counted(name: str, loads: Callable[[bytes | bytearray], Any]) -> Any:
        def wrapper(body: bytes | bytearray) -> Any:
            calls[name] += 1
            return loads(body)

        return wrapper

    monkeypatch.setattr(client_module, "loads_whole", counted("whole", whole))
    monkeypatch.setattr(client_module, "loads_yielding", counted("yielding", yielding))
    users = make_users(12_345, workspace_id=BIG)
    fake_server.add_workspace(FakeWorkspace(id=BIG, name="Big", users=users, clients=[]))
    code, out, err = run(
        listing(fake_server, "users", "--workspace", BIG, "--all", "--format", "csv"), capsys
    )
    assert code == 0, err
    assert len(out.splitlines()) == 1 + len(users)
    assert calls == {"whole": 3, "yielding": 0}  # 5,000 + 5,000 + 2,345


RECORD_TEXT = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["\ud800", "a\udfffb", "Zoë", "\x1b[2J", "%s", "\u2028"]),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)
RECORDS = st.one_of(
    st.fixed_dictionaries(
        {"id": st.one_of(st.text(min_size=1, max_size=30), RECORD_TEXT)},
        optional={
            "name": RECORD_TEXT,
            "email": RECORD_TEXT,
            "status": RECORD_TEXT,
            "archived": RECORD_TEXT,
            "address": RECORD_TEXT,
            "currencyCode": RECORD_TEXT,
            "note": RECORD_TEXT,
            "ccEmails": st.one_of(RECORD_TEXT, st.lists(RECORD_TEXT, max_size=3)),
        },
    ),
    RECORD_TEXT,
)


@given(RECORDS)
def test_rows_hold_what_the_models_hold_for_any_record(record: Any) -> None:
    # Private names on purpose: the client's row builders are held to the models' rules for
    # any record here; its public user_rows/client_rows reach them only through a server.
    from desktop.clockify import Client, UnexpectedResponseError, User
    from desktop.clockify.client import _client_row, _user_row

    client_fields = {
        "id": "id",
        "name": "name",
        "archived": "archived",
        "address": "address",
        "email": "email",
        "ccEmails": "cc_emails",
        "currencyCode": "currency",
        "note": "note",
    }
    for parse, row_of, fields in (
        (User.from_json, _user_row, {name: name for name in ("id", "name", "email", "status")}),
        (Client.from_json, _client_row, client_fields),
    ):
        model: Any = None
        refused = ""
        try:
            model = parse(record)
        except UnexpectedResponseError as exc:
            refused = exc.message
        if refused:
            with pytest.raises(UnexpectedResponseError) as got:
                row_of(record)
            assert got.value.message == refused
            continue
        row = row_of(record)
        assert list(row) == list(fields)
        expected = {name: getattr(model, attribute) for name, attribute in fields.items()}
        if "ccEmails" in expected:  # a list where the server sent one, else null
            sent = record.get("ccEmails")
            expected["ccEmails"] = list(expected["ccEmails"]) if isinstance(sent, list) else None
        assert row == expected


ROW_VALUE = st.one_of(
    st.none(), st.booleans(), st.text(), st.sampled_from(["%s", "%%", "\x1b", "\u2028", '"'])
)


@given(st.lists(st.tuples(ROW_VALUE, ROW_VALUE, ROW_VALUE), max_size=8))
def test_every_format_matches_the_previous_text_for_any_rows(
    values: list[tuple[Any, Any, Any]],
) -> None:
    columns = ["id", "name", "archived"]
    rows = [dict(zip(columns, line, strict=True)) for line in values]
    for fmt, text_of in list_command.FORMATTERS.items():
        assert text_of(rows, columns) == _previous_output(rows, columns, fmt), fmt


def test_the_next_page_is_asked_for_while_a_page_is_decoded(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.clockify import client as client_module

    seen_while_decoding: list[bool] = []
    whole = client_module.loads_whole

    def decode(body: bytes | bytearray) -> Any:
        if not seen_while_decoding:  # page 1: page 2 must be asked for meanwhile
            seen_while_decoding.append(fake_server.wait_arrived(2, "/users", timeout=10))
        return whole(body)

    monkeypatch.setattr(client_module, "loads_whole", decode)
    users = make_users(12_345, workspace_id=BIG)
    fake_server.add_workspace(FakeWorkspace(id=BIG, name="Big", users=users, clients=[]))
    code, out, err = run(
        listing(fake_server, "users", "--workspace", BIG, "--all", "--format", "json"), capsys
    )
    assert code == 0, err
    assert seen_while_decoding == [True]
    assert sorted(u["id"] for u in json.loads(out)) == sorted(u["id"] for u in users)
    pages = [r.query["page"] for r in fake_server.requests if r.path.endswith("/users")]
    assert pages == ["1", "2", "3"]  # the same requests as one page after another


@pytest.mark.parametrize("key", [TEST_KEY, "not-the-key-0000000000"])
def test_the_collector_is_back_on_after_a_list(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str], key: str
) -> None:
    import gc

    code, _, _ = run(listing(fake_server, "workspaces"), capsys, key=key)
    assert code == (0 if key == TEST_KEY else 3)
    assert gc.isenabled()  # it rests only while the list is fetched and printed


# -- the invoice fields (issue 16) ------------------------------------------------------------


def test_clients_json_carries_every_invoice_field_as_the_server_sent_it(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        listing(fake_server, "clients", "--workspace", SAMPLE_WORKSPACE_ID, "--format", "json"),
        capsys,
    )
    assert code == 0, err
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows[SAMPLE_BILLED_CLIENT_ID] == {
        "id": SAMPLE_BILLED_CLIENT_ID,
        "name": "Globex Corporation",
        "archived": False,
        "address": SAMPLE_BILLED_ADDRESS,
        "email": "billing@globex.example",
        "ccEmails": ["ap@globex.example", "cfo@globex.example"],
        "currencyCode": "EUR",
        "note": "Purchase order number on every invoice",
    }
    bare = rows["64b0c11e0000000000000004"]  # a client the server sends with nulls
    assert (bare["ccEmails"], bare["address"], bare["note"]) == (None, None, None)
    assert all(list(row) == list_command.COLUMNS["clients"] for row in rows.values())


def test_users_json_carries_id_name_email_status(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        listing(fake_server, "users", "--workspace", SAMPLE_WORKSPACE_ID, "--format", "json"),
        capsys,
    )
    assert code == 0, err
    rows = json.loads(out)
    assert rows
    assert all(list(row) == ["id", "name", "email", "status"] for row in rows)
    assert {"id": SAMPLE_OWNER_ID, "name": "Alice Admin", "email": "alice@acme.example",
            "status": "ACTIVE"} in rows  # fmt: skip


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_fields_picks_the_columns_in_their_order(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    args = ["--workspace", SAMPLE_WORKSPACE_ID, "--format", fmt, "--fields", "name, ccEmails,id"]
    code, out, err = run(listing(fake_server, "clients", *args), capsys)
    assert code == 0, err
    if fmt == "json":
        globex = next(r for r in json.loads(out) if r["id"] == SAMPLE_BILLED_CLIENT_ID)
        assert globex == {
            "name": "Globex Corporation",
            "ccEmails": ["ap@globex.example", "cfo@globex.example"],
            "id": SAMPLE_BILLED_CLIENT_ID,
        }
    elif fmt == "table":
        lines = out.splitlines()
        assert lines[0].split() == ["NAME", "CCEMAILS", "ID"]
        globex = next(line for line in lines if SAMPLE_BILLED_CLIENT_ID in line)
        assert globex.split("  ")[0] == "Globex Corporation"
        assert "ap@globex.example, cfo@globex.example" in globex
    else:
        rows = list(
            csv.reader(io.StringIO(out, newline=""), delimiter="," if fmt == "csv" else "\t")
        )
        assert rows[0] == ["name", "ccEmails", "id"]
        assert [
            "Globex Corporation",
            "ap@globex.example, cfo@globex.example",
            SAMPLE_BILLED_CLIENT_ID,
        ] in rows


@pytest.mark.parametrize(
    ("what", "fields", "said"),
    [
        ("clients", "name,colour", "unknown column 'colour'"),
        ("clients", "name,,id", "separated by commas"),
        ("clients", " ", "separated by commas"),
        ("clients", "name,status", "The clients list has no column 'status'"),
        ("users", "name,address", "The users list has no column 'address'"),
        ("clients", "\x1b[2Jx", "unknown column '\\\\x1b[2Jx'"),
    ],
)
def test_a_wrong_field_is_one_line_exit_2_and_no_request(
    fake_server: FakeClockify,
    capsys: pytest.CaptureFixture[str],
    what: str,
    fields: str,
    said: str,
) -> None:
    args = ["--workspace", SAMPLE_WORKSPACE_ID, "--fields", fields]
    try:
        code, out, err = run(listing(fake_server, what, *args), capsys)
    except SystemExit as exc:  # argparse's usage error
        code, (out, err) = int(str(exc.code)), capsys.readouterr()
    assert code == 2
    assert out == ""
    assert said in err
    assert "Traceback" not in err
    assert "\x1b" not in err
    assert len(err.strip().splitlines()) <= 3  # argparse: usage line(s), then the one error
    assert fake_server.count() == 0
