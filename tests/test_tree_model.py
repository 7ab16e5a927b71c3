"""PanelModel: Qt's model checks through its whole life, filter semantics, roles, persistence."""

from __future__ import annotations

import random
import unicodedata
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QPersistentModelIndex, Qt

from desktop.clockify import Client, User, Workspace
from desktop.demo.data import TRICKY_NAMES, make_clients, make_users
from desktop.ui.tree_model import (
    NO_NAME,
    GroupNode,
    LoadState,
    Node,
    PanelModel,
    RecordNode,
    Role,
    WorkspaceNode,
    make_client_nodes,
    make_user_nodes,
)

WS_A = "aaaaaaaaaaaaaaaaaaaaaa01"
WS_B = "bbbbbbbbbbbbbbbbbbbbbb02"
WS_C = "cccccccccccccccccccccc03"


def users_from(records: list[dict[str, Any]]) -> list[User]:
    return [User.from_json(r) for r in records]


def clients_from(records: list[dict[str, Any]]) -> list[Client]:
    return [Client.from_json(r) for r in records]


def user(uid: str, name: str | None, email: str | None = None) -> User:
    return User(id=uid, name=name, email=email, status="ACTIVE")


def client(cid: str, name: str | None, email: str | None = None) -> Client:
    return Client(id=cid, name=name, archived=False, email=email, address=None)


def display_rows(model: PanelModel) -> list[str]:
    return [model.index(r, 0).data(Qt.ItemDataRole.DisplayRole) for r in range(model.rowCount())]


def names_of(nodes: list[Node]) -> list[str]:
    return [n.name for n in nodes if isinstance(n, RecordNode)]


def ws_node(model: PanelModel, workspace_id: str) -> WorkspaceNode:
    node = model.workspace(workspace_id)
    assert node is not None
    return node


def small_model() -> PanelModel:
    """Two workspaces, both groups loaded, nothing expanded."""
    model = PanelModel()
    model.set_workspaces([Workspace(WS_A, "Acme Ltd"), Workspace(WS_B, "Side Project")])
    a = ws_node(model, WS_A)
    model.set_group_rows(
        a.users,
        make_user_nodes(
            [
                user("64b0c0ffee0000000000aa01", "Zoë Müller", "zoe@acme.example"),
                user("64b0c0ffee0000000000aa02", "Zoe\u0308 Decomposed", "zd@acme.example"),
                user("64b0c0ffee0000000000aa03", "Bob Builder", "bob@acme.example"),
                user("64b0c0ffee0000000000aa04", None, "noname@acme.example"),
            ]
        ),
    )
    model.set_group_rows(
        a.clients,
        make_client_nodes(
            [
                client("64b0c11e0000000000000001", "Globex Corporation"),
                client("64b0c11e0000000000000004", "<b>x</b><img src=x>"),
                client("64b0c11e0000000000000005", "Tab\tNew\nLine\x07Bell"),
            ]
        ),
    )
    b = ws_node(model, WS_B)
    model.set_group_rows(b.users, make_user_nodes([user("5ide00000000000000000001", "Ann Side")]))
    model.set_group_rows(b.clients, make_client_nodes([client("5ide0000000000000000c001", "Zoo")]))
    return model


@pytest.fixture(autouse=True)
def _app(qapp: Any) -> None:
    """Font and brush roles need a QApplication."""


# -- Qt's own model checks through the model's whole life -----------------------------------


def test_qt_model_tester_through_the_whole_life(qtmodeltester: Any) -> None:
    model = PanelModel()
    qtmodeltester.check(model)

    model.set_workspaces(
        [Workspace(WS_A, "Northwind"), Workspace(WS_B, None), Workspace(WS_C, "Zoë's Studio")]
    )
    assert model.rowCount() == 3
    a = ws_node(model, WS_A)
    model.set_expanded(a, True)
    assert [type(n) for n in model.visible_nodes()[:3]] == [WorkspaceNode, GroupNode, GroupNode]
    model.set_group_loading(a.users)
    model.set_group_loading(a.users, 1200)
    assert display_rows(model)[1] == "Users (loading\u2026 1,200)"

    big = make_user_nodes(users_from(make_users(5000, seed=3, workspace_id=WS_A)))
    model.set_group_rows(a.users, big)
    assert display_rows(model)[1] == "Users (5,000)"
    model.set_expanded(a.users, True)
    assert model.rowCount() == 3 + 2 + 5000
    model.set_group_rows(
        a.clients, make_client_nodes(clients_from(make_clients(300, workspace_id=WS_A)))
    )
    model.set_expanded(a.clients, True)
    assert model.rowCount() == 3 + 2 + 5000 + 300

    model.set_expanded(a.users, False)
    assert model.rowCount() == 3 + 2 + 300
    model.set_expanded(a.users, True)

    for query in ("an", "anna", "an", "zzzz-nothing", "", "É"):
        model.set_filter(query)
    assert model.query == "e"  # folded: no accent, no case
    model.set_filter("anna")
    model.set_expanded(a.users, False)  # collapsing while filtering
    model.set_group_error(a.clients, "No permission")
    model.set_filter("")

    # Refresh: the same workspaces (one renamed, one gone, one new) keep their nodes.
    model.set_workspaces([Workspace(WS_A, "Northwind Renamed"), Workspace("dddd", "New")])
    assert ws_node(model, WS_A) is a
    assert a.users.children is big
    assert model.workspace(WS_B) is None
    assert display_rows(model)[0] == "Northwind Renamed"
    model.set_group_loading(a.clients)
    model.set_group_error(a.clients, "boom")
    model.clear()
    assert model.rowCount() == 0
    model.set_workspaces([Workspace(WS_A, "Again")])
    assert model.rowCount() == 1


def test_qt_model_tester_while_groups_arrive_during_a_filter(qtmodeltester: Any) -> None:
    model = PanelModel()
    qtmodeltester.check(model)
    model.set_workspaces([Workspace(WS_A, "Acme"), Workspace(WS_B, "Side")])
    model.set_filter("zoe")
    a, b = ws_node(model, WS_A), ws_node(model, WS_B)
    # Unloaded workspaces stay visible while filtering: their matches may still come.
    assert model.rowCount() >= 2
    model.set_group_loading(a.users)
    model.set_group_rows(a.users, make_user_nodes([user("u1", "Zoë"), user("u2", "Bob")]))
    model.set_group_rows(a.clients, [])
    model.set_group_loading(b.users)
    model.set_group_error(b.users, "No permission to list the users")
    model.set_group_rows(b.clients, make_client_nodes([client("c1", "Nothing here")]))
    rows = display_rows(model)
    assert rows == [
        "Acme",
        "Users (1 of 2)",
        "Zoë",
        "Side",
        "Users: No permission to list the users [Enter to retry]",
    ]


# -- filter semantics -----------------------------------------------------------------------


@pytest.mark.parametrize("query", ["zoe", "ZOE", "Zoë", "Zoe\u0308", "zoë", "müller", "MULLER"])
def test_filter_is_accent_and_case_insensitive(query: str) -> None:
    model = small_model()
    model.set_filter(query)
    found = names_of(model.visible_nodes())
    expected = {"Zoë Müller", "Zoe\u0308 Decomposed"} if "m" not in query.lower() else set()
    if "ller" in query.lower():
        expected = {"Zoë Müller"}
    assert set(found) == expected


def test_filter_finds_by_email_and_by_id() -> None:
    model = small_model()
    model.set_filter("noname@acme")
    nodes = [n for n in model.visible_nodes() if isinstance(n, RecordNode)]
    assert [n.record.id for n in nodes] == ["64b0c0ffee0000000000aa04"]
    model.set_filter("64B0C11E0000000000000004")  # upper case ID still matches
    nodes = [n for n in model.visible_nodes() if isinstance(n, RecordNode)]
    assert [n.name for n in nodes] == ["<b>x</b><img src=x>"]


def test_parents_of_matches_are_shown_expanded() -> None:
    model = small_model()
    a = ws_node(model, WS_A)
    assert not a.expanded
    model.set_filter("globex")
    rows = model.visible_nodes()
    assert rows == [a, a.clients, a.clients.children[0]]
    for node in (a, a.clients):
        assert model.index_of(node).data(Role.EXPANDED) is True
    # Expansion while filtering is separate from the real one.
    assert not a.expanded
    assert not a.clients.expanded


def test_group_labels_count_matches_while_filtering() -> None:
    model = small_model()
    a = ws_node(model, WS_A)
    model.set_expanded(a, True)
    assert display_rows(model)[1:3] == ["Users (4)", "Clients (3)"]
    model.set_filter("zoe")
    assert model.index_of(a.users).data() == "Users (2 of 4)"
    assert model.row_of(a.clients) == -1  # no client matches and the workspace does not
    model.set_filter("ltd")  # the workspace matches: both groups shown
    assert model.index_of(a.users).data() == "Users (0 of 4)"
    assert model.index_of(a.clients).data() == "Clients (0 of 3)"


def test_clearing_the_filter_restores_the_expansion_state() -> None:
    model = small_model()
    a, b = ws_node(model, WS_A), ws_node(model, WS_B)
    model.set_expanded(a, True)
    model.set_expanded(a.users, True)
    before = model.visible_nodes()
    assert a.clients in before
    assert not any(n in before for n in a.clients.children)  # clients stay closed

    model.set_filter("o")
    model.set_expanded(a.users, False)  # collapse something while filtering
    model.set_expanded(b, False)
    assert model.index_of(a.users).data(Role.EXPANDED) is False
    model.set_filter("")
    assert model.visible_nodes() == before
    assert a.expanded
    assert a.users.expanded
    assert not a.clients.expanded
    assert not b.expanded
    # A new filter starts with everything open again.
    model.set_filter("o")
    assert model.index_of(a.users).data(Role.EXPANDED) is True


def reference_matches(group: GroupNode, query: str) -> list[str]:
    """Brute force: fold every field from scratch, no caches."""

    def fold(text: str | None) -> str:
        if not text:
            return ""
        decomposed = unicodedata.normalize("NFKD", text)
        return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()

    wanted = fold(query.strip())
    if not wanted:  # a lone combining mark folds to nothing: no filter at all
        return [node.record.id for node in group.children]
    found = []
    for node in group.children:
        record = node.record
        fields = (record.name, record.email, record.id)
        if any(wanted in fold(f) for f in fields):
            found.append(record.id)
    return found


def build_model(user_records: list[User], client_records: list[Client]) -> PanelModel:
    model = PanelModel()
    model.set_workspaces([Workspace(WS_A, "Northwind"), Workspace(WS_B, "Small")])
    a, b = ws_node(model, WS_A), ws_node(model, WS_B)
    model.set_group_rows(a.users, make_user_nodes(user_records))
    model.set_group_rows(a.clients, make_client_nodes(client_records))
    model.set_group_rows(b.users, make_user_nodes(user_records[:7]))
    model.set_group_rows(b.clients, [])
    return model


def visible_ids(model: PanelModel) -> list[str]:
    return [model.index(r, 0).data(Role.ID) for r in range(model.rowCount())]


def test_narrowing_gives_the_same_rows_as_fresh_filtering() -> None:
    rng = random.Random(7)
    user_records = users_from(make_users(300, seed=5, workspace_id=WS_A))
    tricky = [
        {"id": f"7r1c4y{i:018d}", "name": name, "email": f"t{i}@tricky.example"}
        for i, name in enumerate(TRICKY_NAMES)
    ]
    user_records += users_from(tricky)
    client_records = clients_from(make_clients(200, workspace_id=WS_A))
    typed = build_model(user_records, client_records)
    a = ws_node(typed, WS_A)
    alphabet = "aeiou nrstlmzøëü@.0123456789abcdefZÖE\u0308"
    query = ""
    checked = 0
    for _step in range(300):
        if query and rng.random() < 0.3:
            query = query[: -rng.randint(1, len(query))]  # backspace(s)
        elif len(query) < 6:
            query += rng.choice(alphabet)
        typed.set_filter(query)
        fresh = build_model(user_records, client_records)
        fresh.set_filter(query)
        assert visible_ids(typed) == visible_ids(fresh), query
        if query.strip():
            expected = reference_matches(a.users, query)
            members = {id(n) for n in a.users.children}
            shown = [n.record.id for n in typed.visible_nodes() if id(n) in members]
            if not typed.query:
                shown = [n.record.id for n in a.users.children]
            assert shown == expected, query
            checked += 1
    assert checked > 50


def test_new_rows_during_a_filter_are_not_narrowed_from_stale_matches() -> None:
    model = small_model()
    a = ws_node(model, WS_A)
    model.set_filter("zo")
    model.set_group_rows(a.users, make_user_nodes([user("n1", "Zora New"), user("n2", "Bob")]))
    model.set_filter("zor")
    assert names_of(model.visible_nodes()) == ["Zora New"]


# -- row lookups: row_of, parent_row, copyable_in -------------------------------------------


def scanned_parent_row(model: PanelModel, row: int) -> int:
    """Brute force: the nearest row above with a smaller depth, -1 when there is none."""
    depth = model.index(row, 0).data(Role.DEPTH)
    for candidate in range(row - 1, -1, -1):
        if model.index(candidate, 0).data(Role.DEPTH) < depth:
            return candidate
    return -1


def check_lookups(model: PanelModel) -> None:
    for row, node in enumerate(model.visible_nodes()):
        assert model.row_of(node) == row
        assert model.parent_row(row) == scanned_parent_row(model, row), row
    assert model.parent_row(-1) == model.parent_row(model.rowCount()) == -1


def test_row_of_and_parent_row_match_a_scan_in_every_state() -> None:
    model = build_model(
        users_from(make_users(40, seed=3, workspace_id=WS_A)),
        clients_from(make_clients(30, workspace_id=WS_A)),
    )
    model.set_workspaces([*(n.workspace for n in model.workspaces()), Workspace(WS_C, "Third")])
    a, b, c = (ws_node(model, w) for w in (WS_A, WS_B, WS_C))
    check_lookups(model)
    for node in (a, a.users, a.clients, b, b.users, c, c.users):
        model.set_expanded(node, True)
        check_lookups(model)
    model.set_filter("a")
    check_lookups(model)
    model.set_expanded(a.users, False)  # collapsed while filtering
    check_lookups(model)
    hidden = a.users.children[0]
    model.set_filter("zzz-no-match")
    check_lookups(model)
    assert model.row_of(hidden) == -1
    assert model.row_of(a.users) == -1
    model.set_filter("")
    model.set_group_rows(a.users, make_user_nodes([user("n1", "New"), user("n2", "Rows")]))
    check_lookups(model)
    assert model.row_of(hidden) == -1  # a reloaded group's old nodes are gone
    model.clear()
    assert model.row_of(a) == -1
    assert model.parent_row(0) == -1


def test_copyable_in_gives_the_spans_records_and_workspaces_once_in_row_order() -> None:
    model = build_model(
        users_from(make_users(25, seed=4, workspace_id=WS_A)),
        clients_from(make_clients(10, workspace_id=WS_A)),
    )
    for node in model.workspaces():
        model.set_expanded(node, True)
        for group in node.groups:
            model.set_expanded(group, True)
    nodes = model.visible_nodes()
    count = len(nodes)
    rng = random.Random(11)
    for _ in range(200):
        spans = []
        for _ in range(rng.randint(0, 4)):
            top = rng.randrange(count)
            spans.append((top, min(count - 1, top + rng.randint(0, 12))))
        wanted = sorted({r for top, bottom in spans for r in range(top, bottom + 1)})
        expected = [nodes[r] for r in wanted if not isinstance(nodes[r], GroupNode)]
        assert model.copyable_in(spans) == expected, spans
    assert model.copyable_in([(0, count + 5)]) == [n for n in nodes if not isinstance(n, GroupNode)]


# -- roles and display ----------------------------------------------------------------------


def record_index(model: PanelModel, record_id: str) -> Any:
    model.set_filter(record_id)
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if index.data(Role.ID) == record_id:
            return index
    raise AssertionError(f"{record_id} not shown")


def test_a_null_name_shows_a_placeholder_but_copies_empty() -> None:
    model = small_model()
    index = record_index(model, "64b0c0ffee0000000000aa04")
    assert index.data(Qt.ItemDataRole.DisplayRole) == NO_NAME
    assert index.data(Role.NAME) == ""
    assert index.data(Role.EMAIL) == "noname@acme.example"


def test_control_characters_are_shown_as_symbols_but_the_name_is_exact() -> None:
    model = small_model()
    index = record_index(model, "64b0c11e0000000000000005")
    shown = index.data(Qt.ItemDataRole.DisplayRole)
    assert shown == "Tab\u2409New\u240aLine\u2407Bell"
    assert shown.isprintable()
    assert index.data(Role.NAME) == "Tab\tNew\nLine\x07Bell"


def test_markup_is_shown_literally_and_escaped_in_the_tooltip() -> None:
    model = small_model()
    index = record_index(model, "64b0c11e0000000000000004")
    assert index.data(Qt.ItemDataRole.DisplayRole) == "<b>x</b><img src=x>"
    assert index.data(Role.NAME) == "<b>x</b><img src=x>"
    tooltip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;x&lt;/b&gt;&lt;img src=x&gt;" in tooltip
    assert "<b>" not in tooltip
    assert "<img" not in tooltip


def test_roles_of_each_kind_of_row() -> None:
    model = small_model()
    a = ws_node(model, WS_A)
    model.set_expanded(a, True)
    ws_index, users_index = model.index(0, 0), model.index(1, 0)
    assert ws_index.data(Role.ID) == WS_A
    assert ws_index.data(Role.NAME) == "Acme Ltd"
    assert ws_index.data(Role.DEPTH) == 0
    assert ws_index.data(Role.EXPANDABLE) is True
    assert ws_index.data(Role.EXPANDED) is True
    assert users_index.data(Role.ID) == ""
    assert users_index.data(Role.DEPTH) == 1
    assert users_index.data(Role.STATE) == LoadState.LOADED.value
    model.set_expanded(a.users, True)
    first_user = model.index(2, 0)
    assert first_user.data(Role.DEPTH) == 2
    assert first_user.data(Role.EXPANDABLE) is False
    assert first_user.data(Role.EXPANDED) is False


# -- persistent indexes (selection) follow their nodes ---------------------------------------


def test_persistent_indexes_follow_their_nodes_across_relayouts() -> None:
    model = small_model()
    a, b = ws_node(model, WS_A), ws_node(model, WS_B)
    model.set_expanded(b, True)
    model.set_expanded(b.users, True)
    ann = b.users.children[0]
    selection = QItemSelectionModel(model)
    selection.select(
        model.index_of(ann),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    selection.setCurrentIndex(model.index_of(ann), QItemSelectionModel.SelectionFlag.NoUpdate)
    persistent = QPersistentModelIndex(model.index_of(ann))
    before = persistent.row()

    model.set_expanded(a, True)  # rows appear above
    model.set_expanded(a.users, True)
    assert persistent.row() == model.row_of(ann) > before
    assert [model.node(i) for i in selection.selectedRows()] == [ann]
    assert model.node(selection.currentIndex()) is ann

    model.set_filter("ann")  # filtering keeps the node, at another row
    assert model.node(persistent) is ann
    assert [model.node(i) for i in selection.selectedRows()] == [ann]

    model.set_filter("zzz-no-match")  # hidden: the index becomes invalid, no stale row
    assert not persistent.isValid()
    assert selection.selectedRows() == []

    keep = QPersistentModelIndex(model.index_of(b))
    model.set_filter("")
    model.set_workspaces([Workspace(WS_C, "First now"), Workspace(WS_B, "Side Project")])
    assert keep.isValid() is False or model.node(keep) is b
    fresh = QPersistentModelIndex(model.index_of(b))
    model.set_workspaces([Workspace(WS_B, "Side Project")])
    assert model.node(fresh) is b
    assert fresh.row() == 0
