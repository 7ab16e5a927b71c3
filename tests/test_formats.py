"""The "Copy as..." formats (desktop/ui/formats.py): bill-to blocks, line formats, JSON,
the user's templates and their stored list. Pure Python: no Qt is needed here."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.clockify.models import Client, User, Workspace
from desktop.ui.formats import (
    BUILT_IN_FORMATS,
    FIELDS,
    MAX_TEMPLATES,
    Item,
    Template,
    TemplateError,
    bill_to_block,
    bill_to_blocks,
    item_fields,
    record_json,
    records_json_text,
    render_template,
    templates_from_json,
    templates_to_json,
)

WS = Workspace(id="ws1", name="Acme Studio", plan="PRO", currency="EUR", hourly_rate="105.00 EUR")
USER = User(id="u1", name="Ada Lovelace", email="ada@example.com", status="ACTIVE")
CLIENT = Client(
    id="c1",
    name="Muster GmbH",
    archived=False,
    email="rechnung@muster.example",
    address="Musterstraße 1\n10115 Berlin",
    cc_emails=("a@muster.example", "b@muster.example"),
    currency="EUR",
    note="Net 30",
)
WS_ITEM: Item = (WS, WS)
USER_ITEM: Item = (USER, WS)
CLIENT_ITEM: Item = (CLIENT, WS)


def client(**changes: object) -> Client:
    fields: dict[str, object] = {
        "id": "c1",
        "name": "Muster GmbH",
        "archived": False,
        "email": "rechnung@muster.example",
        "address": "Musterstraße 1\n10115 Berlin",
    }
    fields.update(changes)
    return Client(**fields)  # type: ignore[arg-type]


# Bill-to blocks -------------------------------------------------------------------------


def test_bill_to_block_keeps_the_lines_of_a_multi_line_address() -> None:
    assert bill_to_block(client(address="Musterstraße 1\nHaus B\n10115 Berlin")) == (
        "Muster GmbH\nMusterstraße 1\nHaus B\n10115 Berlin\nrechnung@muster.example"
    )


def test_bill_to_block_keeps_a_one_line_address_on_one_line() -> None:
    assert bill_to_block(client(address="Musterstraße 1, 10115 Berlin")) == (
        "Muster GmbH\nMusterstraße 1, 10115 Berlin\nrechnung@muster.example"
    )


@pytest.mark.parametrize("address", [None, ""])
def test_bill_to_block_without_an_address(address: str | None) -> None:
    assert bill_to_block(client(address=address)) == "Muster GmbH\nrechnung@muster.example"


@pytest.mark.parametrize("email", [None, ""])
def test_bill_to_block_without_an_email(email: str | None) -> None:
    assert bill_to_block(client(email=email)) == "Muster GmbH\nMusterstraße 1\n10115 Berlin"


@pytest.mark.parametrize("name", [None, ""])
def test_bill_to_block_without_a_name(name: str | None) -> None:
    assert bill_to_block(client(name=name)) == (
        "Musterstraße 1\n10115 Berlin\nrechnung@muster.example"
    )


def test_bill_to_block_of_nothing_but_an_id_is_empty() -> None:
    assert bill_to_block(client(name=None, email=None, address=None)) == ""


def test_a_trailing_newline_of_the_address_leaves_no_empty_line() -> None:
    assert bill_to_block(client(address="Musterstraße 1\n10115 Berlin\n")) == (
        "Muster GmbH\nMusterstraße 1\n10115 Berlin\nrechnung@muster.example"
    )
    assert bill_to_block(client(address="Musterstraße 1\r\n10115 Berlin\r\n", email=None)) == (
        "Muster GmbH\nMusterstraße 1\n10115 Berlin"
    )


def test_the_address_is_otherwise_kept_exactly() -> None:
    address = "  Musterstraße 1 \n\tHof\n10115 Berlin  "
    assert bill_to_block(client(address=address, email=None)) == f"Muster GmbH\n{address}"


def test_a_line_break_in_the_name_or_email_becomes_a_space() -> None:
    block = bill_to_block(client(name="Muster\nGmbH\n", address=None, email="r@m.example\n"))
    assert block == "Muster GmbH \nr@m.example "


def test_bill_to_blocks_of_three_clients_are_separated_by_one_empty_line() -> None:
    clients = [
        client(),
        client(name="Beispiel AG", address="Hauptstr. 5", email=None),
        client(name="Solo", address=None, email="solo@example.com"),
    ]
    assert bill_to_blocks(clients) == (
        "Muster GmbH\nMusterstraße 1\n10115 Berlin\nrechnung@muster.example"
        "\n\n"
        "Beispiel AG\nHauptstr. 5"
        "\n\n"
        "Solo\nsolo@example.com"
    )


# Built-in formats -----------------------------------------------------------------------


def test_the_built_in_formats_in_order() -> None:
    assert [label for label, _ in BUILT_IN_FORMATS] == [
        "Name<TAB>ID",
        "Name (ID)",
        "Name <e-mail>",
        "Bill-to block",
        "JSON",
    ]


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Name<TAB>ID", "Acme Studio\tws1"),
        ("Name (ID)", "Acme Studio (ws1)"),
        ("Name <e-mail>", "Acme Studio"),
        ("Bill-to block", ""),
    ],
)
def test_built_in_formats_on_a_workspace(label: str, expected: str) -> None:
    assert dict(BUILT_IN_FORMATS)[label]([WS_ITEM]) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Name<TAB>ID", "Ada Lovelace\tu1"),
        ("Name (ID)", "Ada Lovelace (u1)"),
        ("Name <e-mail>", "Ada Lovelace <ada@example.com>"),
        ("Bill-to block", ""),
    ],
)
def test_built_in_formats_on_a_user(label: str, expected: str) -> None:
    assert dict(BUILT_IN_FORMATS)[label]([USER_ITEM]) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Name<TAB>ID", "Muster GmbH\tc1"),
        ("Name (ID)", "Muster GmbH (c1)"),
        ("Name <e-mail>", "Muster GmbH <rechnung@muster.example>"),
        ("Bill-to block", "Muster GmbH\nMusterstraße 1\n10115 Berlin\nrechnung@muster.example"),
    ],
)
def test_built_in_formats_on_a_client(label: str, expected: str) -> None:
    assert dict(BUILT_IN_FORMATS)[label]([CLIENT_ITEM]) == expected


def test_line_formats_give_one_line_per_item_and_no_trailing_newline() -> None:
    items = [WS_ITEM, USER_ITEM, CLIENT_ITEM, (client(id="c2", name="Two\nLines"), WS)]
    formats = dict(BUILT_IN_FORMATS)
    assert formats["Name<TAB>ID"](items) == (
        "Acme Studio\tws1\nAda Lovelace\tu1\nMuster GmbH\tc1\nTwo Lines\tc2"
    )
    assert formats["Name (ID)"](items) == (
        "Acme Studio (ws1)\nAda Lovelace (u1)\nMuster GmbH (c1)\nTwo Lines (c2)"
    )
    assert formats["Name <e-mail>"](items) == (
        "Acme Studio\nAda Lovelace <ada@example.com>\n"
        "Muster GmbH <rechnung@muster.example>\nTwo Lines <rechnung@muster.example>"
    )


def test_line_formats_without_a_name() -> None:
    nameless: Item = (User(id="u9", name=None, email="x@example.com", status=None), WS)
    formats = dict(BUILT_IN_FORMATS)
    assert formats["Name<TAB>ID"]([nameless]) == "\tu9"
    assert formats["Name (ID)"]([nameless]) == "(u9)"
    assert formats["Name <e-mail>"]([nameless]) == "<x@example.com>"


def test_bill_to_block_format_skips_what_is_not_a_client() -> None:
    other = client(id="c2", name="Beispiel AG", address=None, email=None)
    text = dict(BUILT_IN_FORMATS)["Bill-to block"]([WS_ITEM, CLIENT_ITEM, USER_ITEM, (other, WS)])
    assert text == (
        "Muster GmbH\nMusterstraße 1\n10115 Berlin\nrechnung@muster.example\n\nBeispiel AG"
    )


def test_json_format_of_a_workspace_a_user_and_a_client() -> None:
    text = dict(BUILT_IN_FORMATS)["JSON"]([WS_ITEM, USER_ITEM, CLIENT_ITEM])
    assert text == records_json_text([WS_ITEM, USER_ITEM, CLIENT_ITEM])
    assert "Musterstraße" in text  # ensure_ascii=False
    assert text.startswith('[\n  {\n    "kind": "workspace"')  # indented by 2
    assert json.loads(text) == [
        {
            "kind": "workspace",
            "id": "ws1",
            "name": "Acme Studio",
            "featureSubscriptionType": "PRO",
            "currencyCode": "EUR",
            "hourlyRate": "105.00 EUR",
        },
        {
            "kind": "user",
            "id": "u1",
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "status": "ACTIVE",
            "workspaceId": "ws1",
            "workspaceName": "Acme Studio",
        },
        {
            "kind": "client",
            "id": "c1",
            "name": "Muster GmbH",
            "archived": False,
            "address": "Musterstraße 1\n10115 Berlin",
            "email": "rechnung@muster.example",
            "ccEmails": ["a@muster.example", "b@muster.example"],
            "currencyCode": "EUR",
            "note": "Net 30",
            "workspaceId": "ws1",
            "workspaceName": "Acme Studio",
        },
    ]


def test_record_json_keeps_none_as_null() -> None:
    bare = Client(id="c3", name=None, archived=True, email=None, address=None)
    record = record_json((bare, Workspace(id="w", name=None)))
    assert record == {
        "kind": "client",
        "id": "c3",
        "name": None,
        "archived": True,
        "address": None,
        "email": None,
        "ccEmails": [],
        "currencyCode": None,
        "note": None,
        "workspaceId": "w",
        "workspaceName": None,
    }
    assert '"name": null' in records_json_text([(bare, WS)])


def test_item_fields_of_each_kind() -> None:
    assert item_fields(WS_ITEM) == {
        "name": "Acme Studio",
        "id": "ws1",
        "email": "",
        "address": "",
        "currency": "EUR",
        "note": "",
        "workspace": "Acme Studio",
        "workspace_id": "ws1",
    }
    assert item_fields(USER_ITEM) == {
        "name": "Ada Lovelace",
        "id": "u1",
        "email": "ada@example.com",
        "address": "",
        "currency": "",
        "note": "",
        "workspace": "Acme Studio",
        "workspace_id": "ws1",
    }
    assert item_fields(CLIENT_ITEM)["address"] == "Musterstraße 1\n10115 Berlin"
    assert item_fields(CLIENT_ITEM)["note"] == "Net 30"
    assert tuple(item_fields(CLIENT_ITEM)) == FIELDS


# Templates ------------------------------------------------------------------------------


def test_a_template_rendering_all_fields() -> None:
    template = Template.parse(
        "{{{name}}} {id} <{email}> [{address}] {currency} {note} @ {workspace}/{workspace_id}"
    )
    assert template.render(CLIENT_ITEM) == (
        "{Muster GmbH} c1 <rechnung@muster.example> [Musterstraße 1\n10115 Berlin] "
        "EUR Net 30 @ Acme Studio/ws1"
    )
    assert template.render(USER_ITEM) == (
        "{Ada Lovelace} u1 <ada@example.com> []   @ Acme Studio/ws1"
    )


def test_render_template_joins_the_items_with_newlines() -> None:
    template = Template.parse("{name};{id}")
    assert render_template(template, [WS_ITEM, USER_ITEM, CLIENT_ITEM]) == (
        "Acme Studio;ws1\nAda Lovelace;u1\nMuster GmbH;c1"
    )
    assert render_template(template, []) == ""


def test_tab_and_newline_are_allowed_in_a_template() -> None:
    assert Template.parse("{name}\t{id}\n").render(USER_ITEM) == "Ada Lovelace\tu1\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{foo}", 'Unknown field "foo" at position 1; the known fields are {name}, {id}'),
        ("Hi {Name}", 'Unknown field "Name" at position 4'),
        ("{name", 'The "{" at position 1 is never closed'),
        ("a {name {id}", 'The "{" at position 3 is never closed'),
        ("name}", 'The "}" at position 5 has no "{" before it'),
        ("{}", 'The empty placeholder "{}" at position 1 names no field'),
        ("x {0}", "The positional placeholder {0} at position 3 is not allowed"),
        ("{name.__class__}", "{name.__class__} at position 1 uses attribute or index access"),
        ("{name[0]}", "{name[0]} at position 1 uses attribute or index access"),
        ("{name!r}", '{name!r} at position 1 has a conversion ("!")'),
        ("{name:>10}", '{name:>10} at position 1 has a format spec (":")'),
        ("", "The template is empty"),
        (" \n\t", "The template is empty"),
        ("x" * 2001, "The template has 2,001 characters; at most 2,000 are allowed."),
        ("{name}\x07", "control character (U+0007) at position 7"),
        ("a\rb", "control character (U+000D) at position 2"),
        ("\x7f", "control character (U+007F) at position 1"),
    ],
)
def test_template_errors_name_the_problem(text: str, expected: str) -> None:
    with pytest.raises(TemplateError) as raised:
        Template.parse(text)
    assert expected in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_a_template_of_2000_characters_is_allowed() -> None:
    text = "{name}" + "x" * 1994
    assert Template.parse(text).render(USER_ITEM) == "Ada Lovelace" + "x" * 1994


def test_the_unknown_field_message_lists_every_known_field() -> None:
    with pytest.raises(TemplateError) as raised:
        Template.parse("{nope}")
    for field in FIELDS:
        assert "{" + field + "}" in str(raised.value)


def test_a_long_field_name_is_cut_in_the_message() -> None:
    with pytest.raises(TemplateError) as raised:
        Template.parse("{" + "z" * 500 + "}")
    assert len(str(raised.value)) < 250


# Stored templates -----------------------------------------------------------------------


def test_templates_round_trip_through_json() -> None:
    pairs = [("Invoice", "{name}\n{address}"), ("Tabbed", "{name}\t{id}"), ("Ümlaut", "{id}")]
    text = templates_to_json(pairs)
    assert json.loads(text) == [{"name": n, "template": t} for n, t in pairs]
    assert "Ümlaut" in text
    assert templates_from_json(text) == pairs


@pytest.mark.parametrize(
    "text",
    [None, 42, b"[]", "", "not json", "{}", '"a"', "[" * 100_000, "[1, null, []]", "[{}]"],
)
def test_templates_from_json_of_nonsense_is_empty(text: object) -> None:
    assert templates_from_json(text) == []


def test_templates_from_json_skips_malformed_entries() -> None:
    entries = [
        {"name": "Good", "template": "{name}"},
        {"name": "", "template": "{name}"},
        {"name": "  ", "template": "{name}"},
        {"name": "x" * 61, "template": "{name}"},
        {"name": "Bad template", "template": "{name.__class__}"},
        {"name": "Too long", "template": "x" * 2001},
        {"name": "good", "template": "{id}"},  # the same name as "Good"
        {"name": 5, "template": "{name}"},
        {"name": "No template"},
        {"name": "Ctrl\x1b", "template": "{name}"},
        ["Good", "{name}"],
        {"name": "x" * 60, "template": "{id}", "extra": True},
    ]
    assert templates_from_json(json.dumps(entries)) == [("Good", "{name}"), ("x" * 60, "{id}")]


def test_templates_from_json_keeps_at_most_twenty() -> None:
    pairs = [(f"T{i}", "{name}") for i in range(30)]
    assert templates_from_json(templates_to_json(pairs)) == pairs[:MAX_TEMPLATES]
    assert MAX_TEMPLATES == 20


def test_formats_imports_no_qt() -> None:
    code = (
        "import sys, desktop.ui.formats\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken'))]\n"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# Properties -----------------------------------------------------------------------------

_TOKENS = [*"{}nameidl.[]!:0 \t\n\x00\r", "name", "id", "email", "workspace_id"]
_TEMPLATE_TEXT = st.lists(st.sampled_from(_TOKENS), max_size=30).map("".join) | st.text(max_size=60)


@given(_TEMPLATE_TEXT)
def test_parse_returns_a_template_or_raises_template_error(text: str) -> None:
    try:
        template = Template.parse(text)
    except TemplateError as error:
        message = str(error)
        template = None
    else:
        message = ""
    if template is None:
        assert message.endswith(".")
        return
    assert template.text == text
    for item in (WS_ITEM, USER_ITEM, CLIENT_ITEM):
        assert isinstance(template.render(item), str)


_MAYBE_TEXT = st.none() | st.text(max_size=30)


@given(
    st.sampled_from(
        ["{name}", "{id}{{x}}", "{address}|{note}", "{email} {workspace} {workspace_id}"]
    ),
    st.text(max_size=20),
    _MAYBE_TEXT,
    _MAYBE_TEXT,
    _MAYBE_TEXT,
    _MAYBE_TEXT,
    st.booleans(),
)
def test_rendering_a_parsed_template_never_raises(
    suffix: str,
    prefix: str,
    name: str | None,
    email: str | None,
    address: str | None,
    workspace_name: str | None,
    archived: bool,
) -> None:
    try:
        template = Template.parse(prefix + suffix)
    except TemplateError:
        template = Template.parse(suffix)
    workspace = Workspace(id="w", name=workspace_name, currency=email)
    records: list[Item] = [
        (workspace, workspace),
        (User(id="u", name=name, email=email, status=address), workspace),
        (Client(id="c", name=name, archived=archived, email=email, address=address), workspace),
    ]
    for item in records:
        assert isinstance(template.render(item), str)
    assert isinstance(render_template(template, records), str)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=70),
    lambda children: (
        st.lists(children, max_size=25)
        | st.dictionaries(
            st.sampled_from(["name", "template", "x"]) | st.text(max_size=5), children, max_size=4
        )
    ),
    max_leaves=60,
)


@given(_JSON)
def test_templates_from_json_never_raises(data: object) -> None:
    for text in (json.dumps(data), data):
        result = templates_from_json(text)
        assert len(result) <= MAX_TEMPLATES
        for name, template in result:
            assert 0 < len(name) <= 60
            Template.parse(template)


@given(st.text(max_size=200))
def test_templates_from_json_never_raises_on_any_text(text: str) -> None:
    assert isinstance(templates_from_json(text), list)


def _without_empty_lines(address: str | None) -> bool:
    if not address:
        return True
    lines = address.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")
    return not lines or "" not in lines.split("\n")


_PART = st.none() | st.text(alphabet=st.sampled_from(list("ab \t\n\r.ß")), max_size=12)


@given(_PART, _PART, _PART)
def test_bill_to_block_never_ends_with_or_doubles_a_newline(
    name: str | None, address: str | None, email: str | None
) -> None:
    block = bill_to_block(Client(id="c", name=name, archived=False, email=email, address=address))
    assert not block.endswith("\n")
    if _without_empty_lines(address):
        assert "\n\n" not in block
