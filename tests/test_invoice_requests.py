"""Issue 16 adds no request: the card, Show IDs, Ctrl+E, Ctrl+B, Copy as, `*`, dragging rows
out and filtering all read what a load already brought, and the load itself of a 10,000-user,
2,000-client workspace takes exactly the requests its pages need."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pytest
from fake_clockify import FakeClockify, FakeWorkspace
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtTest import QTest
from test_panel import (
    WindowFactory,
    clipboard,
    connected_window,
    expand_workspace,
    flush,
    make_window,
    settings_dir,
)

from desktop.clockify.client import PAGE_SIZE
from desktop.demo.data import make_clients, make_users
from desktop.ui import formats
from desktop.ui.main_window import PanelWindow
from desktop.ui.tree_model import MIME_JSON, MIME_TEXT, LoadState, RecordNode, WorkspaceNode

__all__ = ["make_window", "settings_dir"]  # fixtures, used by name

HUGE_WS = "4e9a00000000000000000001"
HUGE_USERS = 10_000
HUGE_CLIENTS = 2_000
TEMPLATE = ("Invoice line", "{name} <{email}> {currency} ({workspace})")
#: Wall-clock time granted to a complete load of the huge workspace on a busy machine.
LOAD_TIMEOUT_MS = 60_000


@pytest.fixture
def huge_server(fake_server: FakeClockify) -> FakeClockify:
    """The sample workspaces plus one of 10,000 users and 2,000 clients (the demo's records:
    some inactive users and archived clients, addresses, e-mails, CC e-mails, notes)."""
    fake_server.add_workspace(
        FakeWorkspace(
            id=HUGE_WS,
            name="Huge Agency",
            users=make_users(HUGE_USERS, workspace_id=HUGE_WS),
            clients=make_clients(HUGE_CLIENTS, workspace_id=HUGE_WS),
        )
    )
    return fake_server


def requests_by_path(server: FakeClockify) -> Counter[str]:
    return Counter(request.path for request in server.requests)


Page = tuple[str, str | None, str | None]  # path, page, page-size


def requests_by_page(server: FakeClockify) -> Counter[Page]:
    return Counter((r.path, r.query.get("page"), r.query.get("page-size")) for r in server.requests)


def per_path(by_page: Counter[Page]) -> Counter[str]:
    by_path: Counter[str] = Counter()
    for (path, _page, _size), n in by_page.items():
        by_path[path] += n
    return by_path


def pages(records: int, page_size: int) -> int:
    """Requests for one complete list: Clockify's paging stops on the page that says
    Last-Page: true (the fake server says it on the page holding the last record), so
    ceil(records / page_size) pages, and one (empty) page for an empty list."""
    return max(1, math.ceil(records / page_size))


def expected_load(server: FakeClockify, page_size: int, workspaces_path: str) -> Counter[Page]:
    """The requests of a complete load, each once: the workspace list (not paged), then for
    each workspace pages 1..pages(n) of its users (status=ACTIVE, what the panel asks by
    default) and of its clients (archived=false), each with the client's page size. Counted
    from the server's own records, not from the rows the panel shows, so a load that stops
    early or reads too far disagrees as much as one that asks something twice."""
    expected: Counter[Page] = Counter({(workspaces_path, None, None): 1})
    for ws in server.workspaces:
        active = [u for u in ws.users if u.get("_membership", "ACTIVE") == "ACTIVE"]
        current = [c for c in ws.clients if c.get("archived") is not True]
        for kind, records in (("users", active), ("clients", current)):
            for page in range(1, pages(len(records), page_size) + 1):
                expected[(f"{workspaces_path}/{ws.id}/{kind}", str(page), str(page_size))] += 1
    return expected


def first_client(ws: WorkspaceNode) -> RecordNode:
    """The first client with an address and an e-mail (so Ctrl+B and Ctrl+E copy something)."""
    for node in ws.clients.children:
        record = node.record
        if getattr(record, "address", None) and getattr(record, "email", None):
            return node
    raise AssertionError("no client with an address and an e-mail")


def make_current(window: PanelWindow, node: RecordNode | WorkspaceNode) -> None:
    """Click-like: the row becomes the only selected row and the current one."""
    window.tree.setFocus()
    window.tree.selectionModel().setCurrentIndex(
        window.model.index_of(node),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )


def ctrl(window: PanelWindow, key: Qt.Key) -> None:
    QTest.keyClick(window.tree, key, Qt.KeyboardModifier.ControlModifier)


def test_the_invoice_features_add_no_request_to_a_complete_load(
    qtbot: Any, make_window: WindowFactory, huge_server: FakeClockify
) -> None:
    server = huge_server
    window = connected_window(qtbot, make_window, server)
    client = window.loader.client
    assert client is not None
    page_size = client.page_size
    assert page_size == PAGE_SIZE == 5000  # Clockify's largest page, what the panel asks

    # -- load everything: every workspace open, both groups of each loaded completely --------
    # (the huge one first, with room for its 10,000 users on a busy machine)
    window.tree.setCurrentIndex(window.model.index_of(window.model.workspace(HUGE_WS)))
    for ws_node in window.model.workspaces():
        window.loader.load_workspace(ws_node.workspace.id)
    qtbot.waitUntil(
        lambda: all(
            g.state is LoadState.LOADED for w in window.model.workspaces() for g in w.groups
        ),
        timeout=LOAD_TIMEOUT_MS,
    )
    for ws_node in window.model.workspaces():
        expand_workspace(qtbot, window, ws_node.workspace.id)
    qtbot.waitUntil(lambda: not window.loader.busy, timeout=LOAD_TIMEOUT_MS)
    flush(window)
    assert server.wait_answered(len(server.requests))

    huge = window.model.workspace(HUGE_WS)
    assert huge is not None
    huge_ws = next(w for w in server.workspaces if w.id == HUGE_WS)
    active_users = sum(1 for u in huge_ws.users if u.get("_membership") == "ACTIVE")
    current_clients = sum(1 for c in huge_ws.clients if c.get("archived") is not True)
    assert len(huge.users.children) == active_users > page_size  # complete, and 2 pages
    assert len(huge.clients.children) == current_clients

    # The load: exactly the pages of every list, each asked once with the client's page size.
    workspaces_path = next(r.path for r in server.requests if r.path.endswith("/workspaces"))
    expected = expected_load(server, page_size, workspaces_path)
    assert requests_by_page(server) == expected
    loaded = requests_by_path(server)  # the count per path, compared again at the end
    assert loaded == per_path(expected)
    # The same as one formula: the workspace list, ceil(9,411 active users / 5,000) = 2
    # pages and ceil(1,844 current clients / 5,000) = 1 page for the huge workspace, and one
    # page of users and one of clients for each sample workspace (fewer than a page of each):
    # 1 + 2 + 1 + 2 * 2 = 8 requests.
    samples = len(server.workspaces) - 1
    assert sum(loaded.values()) == 1 + (
        math.ceil(active_users / page_size) + math.ceil(current_clients / page_size)
    ) + samples * (1 + 1)
    load_total = len(server.requests)

    # -- every new thing of issue 16 --------------------------------------------------------
    window.settings.setValue(formats.SETTINGS_KEY, formats.templates_to_json([TEMPLATE]))
    ctrl(window, Qt.Key.Key_I)  # the details card (details_action's shortcut)
    assert window.details_action.isChecked()
    assert window.details.isVisible()

    acme_client = first_client(huge)
    member = next(n for n in huge.users.children if getattr(n.record, "email", None))
    for node in (acme_client, member, huge):
        make_current(window, node)
        name = node.workspace.name if isinstance(node, WorkspaceNode) else node.record.name
        assert ("Name", name) in window.details.fields()

    window.show_ids_action.trigger()
    assert window.model.columnCount() == 2
    window.show_ids_action.trigger()
    assert window.model.columnCount() == 1

    # `*` on the (closed) workspace row opens it and both its groups again.
    for branch in (huge, *huge.groups):
        window.model.set_expanded(branch, False)
    make_current(window, huge)
    QTest.keyClick(window.tree, Qt.Key.Key_Asterisk)
    assert all(window.model.is_expanded(b) for b in (huge, *huge.groups))

    make_current(window, member)
    ctrl(window, Qt.Key.Key_E)
    assert clipboard() == member.record.email
    make_current(window, acme_client)
    ctrl(window, Qt.Key.Key_B)
    assert clipboard() == formats.bill_to_blocks([acme_client.record])
    window.copy_email_action.trigger()
    window.copy_bill_to_action.trigger()

    # Copy as: each built-in format and the user's template, from the menu as it opens.
    window.copy_as_menu.aboutToShow.emit()
    labels = [label for label, _render in formats.BUILT_IN_FORMATS] + [TEMPLATE[0]]
    actions = {a.text(): a for a in window.copy_as_menu.actions() if a.text()}
    for label in labels:
        actions[label].trigger()
        assert window.status_label.text().endswith(f" as {label}")
    window.edit_templates()  # the template editor's live preview of the selected row
    window.template_dialog.reject()

    # Dragging the selected rows out: a client, a user and the workspace.
    selection = window.tree.selectionModel()
    for node in (acme_client, member, huge):
        selection.select(
            window.model.index_of(node),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    mime = window.model.mimeData(selection.selectedIndexes())
    assert mime.hasFormat(MIME_TEXT)
    assert mime.hasFormat(MIME_JSON)
    assert len(mime.text().split("\n")) == 3

    # Filtering by text (the user's e-mail: a filter loads every group not yet loaded).
    window.filter_edit.setText(member.record.email)
    assert window.model.match_count() >= 1
    assert any(
        window.model.node(window.model.index(r, 0)) is member
        for r in range(window.model.rowCount())
    )
    window.filter_edit.clear()

    # -- nothing more arrives -----------------------------------------------------------------
    # Every job the actions started (none should have) finished and delivered its result...
    flush(window)
    assert not window.loader.busy
    # ...and the only timed wait of the test: 300 ms of event loop as the window in which
    # a late request would still arrive (a timer, a queued load); then the log is read.
    qtbot.wait(300)
    flush(window)
    assert all(g.state is LoadState.LOADED for w in window.model.workspaces() for g in w.groups)
    assert requests_by_path(server) == loaded
    assert len(server.requests) == load_total
