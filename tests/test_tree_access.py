"""The tree's ID column, what screen readers hear of it, `*` and PanelModel.workspace_of."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QAccessible, QFontInfo
from PySide6.QtWidgets import QHeaderView, QStyledItemDelegate, QStyleOptionViewItem

from desktop.clockify import Client, User, Workspace
from desktop.ui.tree_model import (
    ID_COLUMN,
    GroupNode,
    Node,
    PanelModel,
    Role,
    WorkspaceNode,
    make_client_nodes,
    make_user_nodes,
)
from desktop.ui.tree_view import ID_CHARS, TreeView

WS_A = "aaaaaaaaaaaaaaaaaaaaaa01"
WS_B = "bbbbbbbbbbbbbbbbbbbbbb02"
WS_C = "cccccccccccccccccccccc03"
ZOE = "64b0c0ffee0000000000aa01"
GLOBEX = "64b0c11e0000000000000001"


def user(uid: str, name: str | None) -> User:
    return User(id=uid, name=name, email=None, status="ACTIVE")


def client(cid: str, name: str | None, archived: bool = False) -> Client:
    return Client(id=cid, name=name, archived=archived, email=None, address=None)


def ws_node(model: PanelModel, workspace_id: str) -> WorkspaceNode:
    node = model.workspace(workspace_id)
    assert node is not None
    return node


def small_model() -> PanelModel:
    """Two loaded workspaces and one never loaded (WS_C); nothing expanded."""
    model = PanelModel()
    model.set_workspaces(
        [Workspace(WS_A, "Acme Ltd"), Workspace(WS_B, "Side\tProject"), Workspace(WS_C, None)]
    )
    a, b = ws_node(model, WS_A), ws_node(model, WS_B)
    model.set_group_rows(
        a.users,
        make_user_nodes(
            [
                user(ZOE, "Zoë Müller"),
                user("64b0c0ffee0000000000aa02", "Bob Builder"),
                user("64b0c0ffee0000000000aa03", None),
            ]
        ),
    )
    model.set_group_rows(
        a.clients,
        make_client_nodes(
            [
                client(GLOBEX, "Globex"),
                client("64b0c11e0000000000000002", "Old\nCo", archived=True),
            ]
        ),
    )
    model.set_group_rows(b.users, make_user_nodes([user("5ide00000000000000000001", "Ann")]))
    model.set_group_rows(b.clients, [])
    return model


def open_all(model: PanelModel) -> None:
    for ws in model.workspaces():
        model.set_expanded(ws, True)
        for group in ws.groups:
            model.set_expanded(group, True)


def node_at(model: PanelModel, row: int) -> Node:
    node = model.node(model.index(row, 0))
    assert node is not None
    return node


@pytest.fixture(autouse=True)
def _app(qapp: Any) -> None:
    """Fonts, views and accessibility need a QApplication."""


@pytest.fixture
def view(qtbot: Any) -> TreeView:
    tree = TreeView()
    qtbot.addWidget(tree)
    tree.setModel(small_model())
    tree.resize(600, 500)
    tree.show()
    return tree


# -- the ID column ---------------------------------------------------------------------------


def test_the_id_column_comes_and_goes_and_shows_ids_in_a_fixed_pitch_font(
    qtmodeltester: Any,
) -> None:
    model = small_model()
    qtmodeltester.check(model)
    open_all(model)
    inserted: list[tuple[int, int]] = []
    removed: list[tuple[int, int]] = []
    model.columnsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    model.columnsRemoved.connect(lambda _parent, first, last: removed.append((first, last)))
    assert (model.show_ids, model.columnCount()) == (False, 1)
    assert model.index(0, ID_COLUMN).data() is None

    model.set_show_ids(True)
    model.set_show_ids(True)  # no change: no signal
    assert (model.show_ids, model.columnCount()) == (True, 2)
    assert inserted == [(ID_COLUMN, ID_COLUMN)]
    a = ws_node(model, WS_A)
    zoe = a.users.children[0]
    ws_id = model.index(model.row_of(a), ID_COLUMN)
    group_id = model.index(model.row_of(a.users), ID_COLUMN)
    zoe_id = model.index(model.row_of(zoe), ID_COLUMN)
    assert ws_id.data() == WS_A
    assert group_id.data() == ""
    assert zoe_id.data() == ZOE
    font = zoe_id.data(Qt.ItemDataRole.FontRole)
    assert QFontInfo(font).fixedPitch()
    assert model.flags(zoe_id) == model.flags(model.index(model.row_of(zoe), 0))

    model.set_group_loading(a.users)  # the group row changes in both columns
    model.set_show_ids(False)
    assert model.columnCount() == 1
    assert removed == [(ID_COLUMN, ID_COLUMN)]
    assert model.index(0, ID_COLUMN).data() is None


def test_the_id_column_answers_every_other_role_as_column_0() -> None:
    model = small_model()
    open_all(model)
    model.set_filter("o")  # the filter's own expansion too
    model.set_show_ids(True)
    roles = [
        *Role,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.AccessibleDescriptionRole,
    ]
    for row in range(model.rowCount()):
        for role in roles:
            assert model.index(row, ID_COLUMN).data(role) == model.index(row, 0).data(role), (
                row,
                role,
            )
    # The font differs: bold workspace names in column 0, the fixed font in column 1.
    assert model.index(0, ID_COLUMN).data(Qt.ItemDataRole.FontRole) != model.index(0, 0).data(
        Qt.ItemDataRole.FontRole
    )


def test_a_group_change_repaints_every_column() -> None:
    model = small_model()
    model.set_expanded(ws_node(model, WS_C), True)
    model.set_show_ids(True)
    changed: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda top, bottom, _roles=(): changed.append(
            (top.row(), top.column(), bottom.row(), bottom.column())
        )
    )
    group = ws_node(model, WS_C).users
    model.set_group_loading(group)
    row = model.row_of(group)
    assert changed == [(row, 0, row, ID_COLUMN)]


def test_the_view_gives_the_id_column_a_fixed_width_and_draws_it_plain(view: TreeView) -> None:
    model = view.model()
    open_all(model)
    header = view.horizontalHeader()
    model.set_show_ids(True)
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Stretch
    assert header.sectionResizeMode(ID_COLUMN) == QHeaderView.ResizeMode.Fixed
    metrics = view.fontMetrics()
    fixed = QFontInfo(model.index(0, ID_COLUMN).data(Qt.ItemDataRole.FontRole))
    assert fixed.fixedPitch()
    width = view.id_column_width()
    assert header.sectionSize(ID_COLUMN) == width
    assert width > ID_CHARS * metrics.averageCharWidth() // 2
    assert header.sectionSize(0) + width == view.viewport().width()
    # Column 1 has no indentation: the tree delegate sizes it as a plain delegate does.
    zoe_row = model.row_of(ws_node(model, WS_A).users.children[0])
    option = QStyleOptionViewItem()
    option.initFrom(view)
    delegate = view.itemDelegate()
    plain = QStyledItemDelegate()
    id_index = model.index(zoe_row, ID_COLUMN)
    assert delegate.sizeHint(option, id_index) == plain.sizeHint(option, id_index)
    tree_index = model.index(zoe_row, 0)
    assert (
        delegate.sizeHint(option, tree_index).width() > plain.sizeHint(option, tree_index).width()
    )
    view.grab()  # both columns paint
    model.set_show_ids(False)
    assert header.count() == 1
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Stretch


def selected_spans(view: TreeView) -> list[tuple[int, int, int, int]]:
    """(top, bottom, left, right) of each selection range, as the copy reads them."""
    selection = view.selectionModel().selection()
    ranges = [selection.at(i) for i in range(selection.count())]
    return sorted((r.top(), r.bottom(), r.left(), r.right()) for r in ranges)


def test_selected_rows_are_the_right_rows_with_two_columns(view: TreeView, qtbot: Any) -> None:
    model = view.model()
    open_all(model)
    a = ws_node(model, WS_A)
    selection_model = view.selectionModel()
    flag = QItemSelectionModel.SelectionFlag
    # Selected before the column comes: the selection widens to it, same rows.
    zoe_row = model.row_of(a.users.children[0])
    selection_model.select(model.index(zoe_row, 0), flag.ClearAndSelect | flag.Rows)
    model.set_show_ids(True)
    assert selected_spans(view) == [(zoe_row, zoe_row, 0, ID_COLUMN)]

    # Shift+Down from a row of column 1: two whole rows, each once.
    view.setCurrentIndex(model.index(zoe_row, ID_COLUMN))
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert selected_spans(view) == [(zoe_row, zoe_row + 1, 0, ID_COLUMN)]
    assert [index.row() for index in selection_model.selectedRows(0)] == [zoe_row, zoe_row + 1]
    spans = [(top, bottom) for top, bottom, _left, _right in selected_spans(view)]
    assert model.copyable_in(spans) == a.users.children[:2]

    # Ctrl+A: every row once.
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    spans = [(top, bottom) for top, bottom, _left, _right in selected_spans(view)]
    everything = [n for n in model.visible_nodes() if not isinstance(n, GroupNode)]
    assert model.copyable_in(spans) == everything

    # Right on a user row stays in the tree's column; Left goes to the group row.
    view.setCurrentIndex(model.index(zoe_row, 0))
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert (view.currentIndex().row(), view.currentIndex().column()) == (zoe_row, 0)
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.currentIndex().row() == model.row_of(a.users)

    # The tree keys work from a row's ID cell too.
    toggles: list[tuple[int, bool]] = []
    view.toggle_requested.connect(lambda index, on: toggles.append((index.row(), on)))
    view.setCurrentIndex(model.index(model.row_of(a.users), ID_COLUMN))
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert toggles == [(model.row_of(a.users), False)]


# -- what a screen reader hears --------------------------------------------------------------


@pytest.fixture
def screen_reader() -> Iterator[None]:
    """Accessibility on, as when a screen reader listens (the view then keeps it current)."""
    was = QAccessible.isActive()
    QAccessible.setActive(True)
    yield
    QAccessible.setActive(was)


def heard(view: TreeView) -> dict[tuple[int, int], tuple[str, str]]:
    """(row, column) -> (name, description) of each cell of the view's accessible table."""
    table = QAccessible.queryAccessibleInterface(view)
    assert table is not None
    assert table.role() == QAccessible.Role.Table
    cells: dict[tuple[int, int], tuple[str, str]] = {}
    for i in range(table.childCount()):
        child = table.child(i)
        if child is None or child.role() != QAccessible.Role.Cell:
            continue  # the (hidden) headers and their corner
        cell = child.tableCellInterface()
        cells[(cell.rowIndex(), cell.columnIndex())] = (
            child.text(QAccessible.Text.Name),
            child.text(QAccessible.Text.Description),
        )
    return cells


def column_heard(view: TreeView, column: int = 0) -> list[tuple[str, str]]:
    cells = heard(view)
    return [cells[(row, column)] for row in range(view.model().rowCount())]


@pytest.mark.usefixtures("screen_reader")
def test_a_screen_reader_hears_each_rows_kind_state_and_level(view: TreeView) -> None:
    model = view.model()
    a = ws_node(model, WS_A)
    assert column_heard(view) == [
        ("Workspace, Acme Ltd, collapsed", "Level 1"),
        ("Workspace, Side\u2409Project, collapsed", "Level 1"),
        ("Workspace, (unnamed workspace), collapsed", "Level 1"),
    ]
    model.set_expanded(a, True)
    assert column_heard(view)[:3] == [
        ("Workspace, Acme Ltd, expanded", "Level 1"),
        ("Users group, 3, collapsed", "Level 2"),
        ("Clients group, 2, collapsed", "Level 2"),
    ]
    model.set_expanded(a.users, True)
    model.set_expanded(a.clients, True)
    assert column_heard(view)[:9] == [
        ("Workspace, Acme Ltd, expanded", "Level 1"),
        ("Users group, 3, expanded", "Level 2"),
        ("User, Zoë Müller", "Level 3"),
        ("User, Bob Builder", "Level 3"),
        ("User, (no name)", "Level 3"),
        ("Clients group, 2, expanded", "Level 2"),
        ("Client, Globex", "Level 3"),
        ("Client, Old\u240aCo, archived", "Level 3"),
        ("Workspace, Side\u2409Project, collapsed", "Level 1"),
    ]
    model.set_expanded(a.users, False)
    assert column_heard(view)[1] == ("Users group, 3, collapsed", "Level 2")
    model.set_expanded(a, False)
    assert column_heard(view)[0] == ("Workspace, Acme Ltd, collapsed", "Level 1")


@pytest.mark.usefixtures("screen_reader")
def test_a_screen_reader_hears_a_groups_loading_failure_and_filter_count(view: TreeView) -> None:
    model = view.model()
    c = ws_node(model, WS_C)
    model.set_expanded(c, True)
    row = model.row_of(c.users)
    assert column_heard(view)[row] == ("Users group, not loaded, collapsed", "Level 2")
    model.set_group_loading(c.users, 1200)
    assert column_heard(view)[row] == ("Users group, loading, collapsed", "Level 2")
    model.set_group_error(c.users, "No permission")
    assert column_heard(view)[row] == ("Users group, failed, collapsed", "Level 2")
    model.set_filter("zo")  # opened while filtering, counting the matches
    a = ws_node(model, WS_A)
    assert column_heard(view)[model.row_of(a.users)] == ("Users group, 1 of 3, expanded", "Level 2")


@pytest.mark.usefixtures("screen_reader")
def test_a_screen_reader_hears_the_id_column_and_the_keys(view: TreeView) -> None:
    model = view.model()
    open_all(model)
    model.set_show_ids(True)
    ids = column_heard(view, ID_COLUMN)
    a = ws_node(model, WS_A)
    assert ids[model.row_of(a)] == (f"ID {WS_A}", "Level 1")
    assert ids[model.row_of(a.users)] == ("No ID", "Level 2")
    assert ids[model.row_of(a.users.children[0])] == (f"ID {ZOE}", "Level 3")
    assert column_heard(view)[0] == ("Workspace, Acme Ltd, expanded", "Level 1")
    table = QAccessible.queryAccessibleInterface(view)
    assert table is not None
    description = table.text(QAccessible.Text.Description)
    assert "*" in description
    assert "Right/Left" in description
    assert table.text(QAccessible.Text.Name) == "Workspaces, users and clients"


# -- `*`: everything under the row -----------------------------------------------------------


def stars(view: TreeView) -> list[int]:
    rows: list[int] = []
    view.expand_all_requested.connect(lambda index: rows.append(index.row()))
    return rows


def test_star_asks_to_open_everything_under_an_expandable_row(view: TreeView, qtbot: Any) -> None:
    model = view.model()
    asked = stars(view)
    model.set_expanded(ws_node(model, WS_A), True)
    view.setCurrentIndex(model.index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_Asterisk)
    view.setCurrentIndex(model.index(1, 0))  # the Users group
    qtbot.keyClick(view, Qt.Key.Key_Asterisk, Qt.KeyboardModifier.KeypadModifier)
    view.setCurrentIndex(model.index(2, 0))
    qtbot.keyClick(view, Qt.Key.Key_Asterisk, Qt.KeyboardModifier.ShiftModifier)  # Shift+8
    assert asked == [0, 1, 2]
    model.set_show_ids(True)
    view.setCurrentIndex(model.index(0, ID_COLUMN))
    qtbot.keyClick(view, Qt.Key.Key_Asterisk)
    assert asked == [0, 1, 2, 0]


def test_star_does_nothing_on_a_record_or_with_ctrl(view: TreeView, qtbot: Any) -> None:
    model = view.model()
    asked = stars(view)
    open_all(model)
    zoe_row = model.row_of(ws_node(model, WS_A).users.children[0])
    view.setCurrentIndex(model.index(zoe_row, 0))
    qtbot.keyClick(view, Qt.Key.Key_Asterisk)
    assert view.currentIndex().row() == zoe_row  # not a type-ahead search for "*"
    view.setCurrentIndex(model.index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_Asterisk, Qt.KeyboardModifier.ControlModifier)
    assert asked == []


def count_layouts(model: PanelModel) -> list[int]:
    layouts: list[int] = []
    model.layoutChanged.connect(lambda *_args: layouts.append(1))
    return layouts


def test_expand_all_opens_a_workspace_and_its_groups_in_one_relayout() -> None:
    model = small_model()
    a, c = ws_node(model, WS_A), ws_node(model, WS_C)
    layouts = count_layouts(model)
    assert model.expand_all(a) == []  # both loaded: nothing to load
    assert len(layouts) == 1
    assert a.expanded
    assert a.users.expanded
    assert a.clients.expanded
    assert model.visible_nodes()[:8] == [
        a,
        a.users,
        *a.users.children,
        a.clients,
        *a.clients.children,
    ]
    assert model.expand_all(c) == [c.users, c.clients]  # never loaded: the caller loads them
    assert len(layouts) == 2
    assert c.expanded
    assert c.users.expanded
    assert c.clients.expanded
    assert model.expand_all(c) == [c.users, c.clients]  # still to load; nothing to relayout
    assert len(layouts) == 2


def test_expand_all_of_a_group_or_a_record() -> None:
    model = small_model()
    b, c = ws_node(model, WS_B), ws_node(model, WS_C)
    model.set_expanded(c, True)
    model.set_group_loading(c.clients)
    layouts = count_layouts(model)
    assert model.expand_all(c.users) == [c.users]
    assert (c.users.expanded, c.clients.expanded) == (True, False)
    assert model.expand_all(c.clients) == []  # loading already
    assert c.clients.expanded
    assert len(layouts) == 2
    model.set_expanded(b, True)
    assert model.expand_all(b.users) == []
    assert b.users.expanded
    ann = b.users.children[0]
    before = model.visible_nodes()
    layouts.clear()
    assert model.expand_all(ann) == []
    assert layouts == []
    assert model.visible_nodes() == before
    assert not b.clients.expanded


def test_expand_all_while_filtering_opens_the_filters_view_only() -> None:
    model = small_model()
    a = ws_node(model, WS_A)
    model.set_filter("o")
    model.set_expanded(a, False)
    assert model.visible_nodes()[1] is not a.users
    assert model.expand_all(a) == []
    assert model.is_expanded(a)
    assert model.is_expanded(a.users)
    assert model.visible_nodes()[1] is a.users
    assert not a.expanded  # the expansion without a filter is untouched
    model.set_filter("")
    assert model.visible_nodes()[1] is not a.users


# -- workspace_of ----------------------------------------------------------------------------


def scanned_workspace(model: PanelModel, row: int) -> WorkspaceNode:
    """Brute force: the nearest workspace row at or above the row."""
    for candidate in range(row, -1, -1):
        node = node_at(model, candidate)
        if isinstance(node, WorkspaceNode):
            return node
    raise AssertionError(row)


def test_workspace_of_every_shown_row_in_every_state() -> None:
    model = small_model()
    open_all(model)
    for query in ("", "o", "ann", "zzz"):
        model.set_filter(query)
        for row, node in enumerate(model.visible_nodes()):
            assert model.workspace_of(node) is scanned_workspace(model, row), (query, row)
    model.set_filter("")
    a, b = ws_node(model, WS_A), ws_node(model, WS_B)
    ann = b.users.children[0]
    assert model.workspace_of(ann) is b
    assert model.workspace_of(b.clients) is b
    model.set_expanded(b.users, False)
    assert model.workspace_of(ann) is None  # not shown
    model.set_workspaces([a.workspace])
    assert model.workspace_of(b) is None  # gone from the model
    assert model.workspace_of(b.users) is None
    assert model.workspace_of(a.clients.children[1]) is a


class CountingRows(list[Node]):
    """The model's rows, counting each row read (a scan would read thousands)."""

    reads = 0

    def __getitem__(self, key: Any) -> Any:
        CountingRows.reads += 1
        return super().__getitem__(key)

    def __iter__(self) -> Iterator[Node]:
        CountingRows.reads += len(self)
        return super().__iter__()


def test_workspace_of_a_record_in_a_big_group_reads_a_few_rows() -> None:
    model = PanelModel()
    model.set_workspaces([Workspace(WS_A, "A"), Workspace(WS_B, "B")])
    b = ws_node(model, WS_B)
    model.set_group_rows(
        b.clients, make_client_nodes([client(f"c{i:023d}", f"C {i}") for i in range(20000)])
    )
    open_all(model)
    assert model.workspace_of(b.clients.children[0]) is b  # the row map: once per relayout
    model._rows = CountingRows(model._rows)
    CountingRows.reads = 0
    sample = b.clients.children[::1000]
    assert all(model.workspace_of(node) is b for node in sample)
    assert CountingRows.reads <= 5 * len(sample)
