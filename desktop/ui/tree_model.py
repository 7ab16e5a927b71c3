"""The workspace -> Users / Clients tree, presented to the view as a flat list of visible rows.

Why flat: with a Python model, QTreeView lays out every row of an expanded branch through
two Python calls per row (about 8 us each here), so expanding or re-filtering a 50,000-row
group took 0.4 s. A QTableView over the visible rows of the tree lays out in constant time,
so a keystroke costs only the Python filtering. The tree itself lives in the node classes
below; depth and expansion are item roles, and the delegate draws the indentation.

Columns: column 0 is the tree; `set_show_ids` adds column 1, the row's Clockify id in a
fixed-pitch font. Every role other than the display text, font and accessible text answers
in column 1 as in column 0, so code that reads a row may read it from either column.

Screen readers: each row's accessible text names its kind and, for a workspace or group,
whether it is open ("Workspace, Acme, expanded"); its accessible description is its level
("Level 1" for a workspace, 2 for a group, 3 for a user or client).
"""

from __future__ import annotations

import enum
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, cast

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QByteArray,
    QCoreApplication,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Signal,
)
from PySide6.QtGui import QBrush, QGuiApplication

from desktop.clockify.models import Client, User, Workspace
from desktop.search import normalise, search_text
from desktop.ui.lazy_qt import DISPLAY_ROLE, USER_ROLE, Qt
from desktop.ui.theme import Theme, colours

if TYPE_CHECKING:  # desktop.xref imports rapidfuzz: only on workers, never at start
    from PySide6.QtGui import QFont

    from desktop.ui.client_xref import ClientXref  # made on a worker, with the first marks
    from desktop.ui.formats import Item  # the copy formats: imported on first use
    from desktop.xref.matching import Entry

AnyIndex = QModelIndex | QPersistentModelIndex

#: What a drag of rows carries: their names, and their records as JSON.
MIME_TEXT = "text/plain"
MIME_JSON = "application/json"

#: Shown for a record or workspace without a name (English; `no_name()` and the model show
#: them in the interface's language).
NO_NAME: str = QT_TRANSLATE_NOOP("PanelModel", "(no name)")  # type: ignore[assignment]
NO_WORKSPACE_NAME: str = QT_TRANSLATE_NOOP(  # type: ignore[assignment]
    "PanelModel", "(unnamed workspace)"
)
#: The group rows' labels (GroupNode.label, English), for lupdate: the model shows them
#: translated.
_GROUP_LABELS = (
    QT_TRANSLATE_NOOP("PanelModel", "Users"),
    QT_TRANSLATE_NOOP("PanelModel", "Clients"),
)


def no_name() -> str:
    """NO_NAME in the interface's language (for status messages)."""
    return QCoreApplication.translate("PanelModel", NO_NAME)


_TOOLTIP_MAX = 300

#: The column of the Clockify ids, when `PanelModel.show_ids` is on.
ID_COLUMN = 1


def id_font() -> QFont:
    """The fixed-pitch font of the ID column (the system's; needs a QGuiApplication)."""
    from PySide6.QtGui import QFontDatabase  # when the ID column first shows

    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


class Role(enum.IntEnum):
    """Custom item roles; values the copy actions need live here, not in display text."""

    NAME = USER_ROLE + 1  # exact name, "" when null
    ID = USER_ROLE + 2
    EMAIL = USER_ROLE + 3
    KIND = USER_ROLE + 4
    DEPTH = USER_ROLE + 5
    EXPANDABLE = USER_ROLE + 6
    EXPANDED = USER_ROLE + 7
    STATE = USER_ROLE + 8
    #: A client's docs101 status: "match", "similar" or "missing"; None without docs101 data.
    XREF = USER_ROLE + 9


class Kind(enum.IntEnum):
    WORKSPACE = 0
    USERS = 1
    CLIENTS = 2
    USER = 3
    CLIENT = 4
    CONNECTION = 5  # a Clockify account's row, shown only with more than one


class LoadState(enum.Enum):
    IDLE = "idle"  # never asked for
    LOADING = "loading"
    LOADED = "loaded"
    FAILED = "failed"


def visible_text(text: str) -> str:
    """Control characters as their visible symbols (U+2400 block), so one row stays one line.

    Everything else, markup included, is shown as it is: the views draw plain text.
    """
    if text.isprintable():
        return text
    return text.translate(_CONTROL_SYMBOLS)


_CONTROL_SYMBOLS = {code: 0x2400 + code for code in range(0x20)} | {0x7F: 0x2421}


def plain_tooltip(lines: Iterable[str]) -> str:
    """A tooltip that Qt cannot mistake for rich text: escaped and wrapped in <p>."""
    import html  # on hover only: not worth its import time at start-up

    parts = []
    for line in lines:
        if len(line) > _TOOLTIP_MAX:
            line = line[:_TOOLTIP_MAX] + "\u2026"
        parts.append(html.escape(visible_text(line)))
    return "<p style='white-space:pre-wrap'>" + "<br>".join(parts) + "</p>"


def node_name(node: Node) -> str:
    """The exact name a copy puts on the clipboard ("" when null; a group's label, a
    connection's name)."""
    if isinstance(node, RecordNode):
        return node.record.name or ""
    if isinstance(node, WorkspaceNode):
        return node.workspace.name or ""
    if isinstance(node, ConnectionNode):
        return node.name
    return node.label


def node_id(node: Node) -> str:
    """The Clockify id of a record or workspace row ("" for a group or connection row)."""
    if isinstance(node, RecordNode):
        return node.record.id
    if isinstance(node, WorkspaceNode):
        return node.workspace.id
    return ""


def node_email(node: Node) -> str:
    """A user's or client's e-mail ("" when it has none, and for other rows)."""
    if isinstance(node, RecordNode):
        return node.record.email or ""
    return ""


def node_names(nodes: Iterable[Node]) -> list[str]:
    """`node_name` of each node; records are read inline (a call per row doubled a copy)."""
    return [n.record.name or "" if type(n) is RecordNode else node_name(n) for n in nodes]


def node_ids(nodes: Iterable[Node]) -> list[str]:
    """`node_id` of each node, records read inline (see `node_names`)."""
    return [n.record.id if type(n) is RecordNode else node_id(n) for n in nodes]


def node_emails(nodes: Iterable[Node]) -> list[str]:
    """`node_email` of each node, records read inline (see `node_names`)."""
    return [n.record.email or "" if type(n) is RecordNode else "" for n in nodes]


class RecordNode:
    """A user or a client row. Built off the GUI thread (search text is precomputed).

    `xref` is a client's docs101 cross-reference, None until there is one (see
    PanelModel.set_xref).
    """

    __slots__ = ("kind", "record", "search", "xref")

    depth: ClassVar[int] = 2
    expandable: ClassVar[bool] = False

    def __init__(self, kind: Kind, record: User | Client) -> None:
        self.kind = kind
        self.record = record
        self.search = search_text(record.name, record.email, record.id)
        self.xref: ClientXref | None = None

    @property
    def name(self) -> str:
        return self.record.name or ""

    @property
    def email(self) -> str:
        return self.record.email or ""


def make_user_nodes(users: Sequence[User]) -> list[RecordNode]:
    return [RecordNode(Kind.USER, u) for u in users]


def make_client_nodes(clients: Sequence[Client]) -> list[RecordNode]:
    return [RecordNode(Kind.CLIENT, c) for c in clients]


@dataclass(eq=False)
class GroupNode:
    """ "Users (N)" or "Clients (N)" under a workspace."""

    kind: Kind
    workspace: WorkspaceNode
    children: list[RecordNode] = field(default_factory=list)
    state: LoadState = LoadState.IDLE
    progress: int = 0
    error: str | None = None
    expanded: bool = False
    #: Narrowing: the last query filtered here and its matches, valid while `version` holds.
    version: int = 0
    _last_query: str | None = None
    _last_version: int = -1
    _last_matches: list[RecordNode] = field(default_factory=list)

    depth: ClassVar[int] = 1
    expandable: ClassVar[bool] = True

    @property
    def label(self) -> str:
        return "Users" if self.kind is Kind.USERS else "Clients"

    def matches(self, query: str) -> list[RecordNode]:
        """Children whose search text contains `query`; narrows within the last result."""
        pool: Sequence[RecordNode] = self.children
        last = self._last_query
        if last is not None and self._last_version == self.version and query.startswith(last):
            if query == last:
                return self._last_matches
            pool = self._last_matches
        result = [node for node in pool if query in node.search]
        self._last_query, self._last_version, self._last_matches = query, self.version, result
        return result


@dataclass(eq=False)
class WorkspaceNode:
    workspace: Workspace
    search: str = ""
    expanded: bool = False
    from_cache_age: str | None = None
    #: The key (Connection.id) of the Clockify account the workspace was listed with.
    connection: str = ""
    users: GroupNode = field(init=False)
    clients: GroupNode = field(init=False)

    kind: ClassVar[Kind] = Kind.WORKSPACE
    depth: ClassVar[int] = 0
    expandable: ClassVar[bool] = True

    def __post_init__(self) -> None:
        self.users = GroupNode(Kind.USERS, self)
        self.clients = GroupNode(Kind.CLIENTS, self)
        self.search = search_text(self.workspace.name, self.workspace.id)

    @property
    def groups(self) -> tuple[GroupNode, GroupNode]:
        return (self.users, self.clients)

    def group(self, kind: Kind) -> GroupNode:
        return self.users if kind is Kind.USERS else self.clients


@dataclass(eq=False)
class ConnectionNode:
    """A Clockify account (a named connection): its row heads its workspaces when the
    panel holds more than one; with one, the row is not shown and the tree is as before.

    `state` is its workspace list's: LOADING while listed, FAILED with `error` (a rejected
    key, a timeout) while its cached workspaces, if any, stay below it.
    """

    key: str
    name: str = ""
    address: str = ""
    workspaces: list[WorkspaceNode] = field(default_factory=list)
    expanded: bool = True
    state: LoadState = LoadState.IDLE
    error: str | None = None
    search: str = ""

    kind: ClassVar[Kind] = Kind.CONNECTION
    depth: ClassVar[int] = -1  # shown one level above the workspaces (see PanelModel.data)
    expandable: ClassVar[bool] = True


Node = WorkspaceNode | GroupNode | RecordNode | ConnectionNode

#: A row named by kind and IDs only: (kind, workspace id, user or client id, "" for the
#: workspace and group rows). What the panel remembers of its view across restarts.
RowKey = tuple[Kind, str, str]


class PanelModel(QAbstractTableModel):
    """The tree's visible rows: one column, two with `show_ids`. Mutated only on the GUI thread.

    Structural changes go through `_relayout`, which emits one layoutChanged and moves
    persistent indexes (selection, current row) to where their nodes went.

    Signals:
        clients_loaded(str): a workspace's client rows were set (its id): from Clockify or
            from the cache.
        xref_changed(): the docs101 cross-reference of some clients changed.
    """

    clients_loaded = Signal(str)
    xref_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        #: The Clockify accounts, in order; their row level is shown only with two or more.
        self._connections: list[ConnectionNode] = []
        #: Every account's workspaces in the tree's order, the first node of each workspace id
        #: (the same workspace may be listed by two accounts), and id() of every node.
        self._workspaces: list[WorkspaceNode] = []
        self._by_id: dict[str, WorkspaceNode] = {}
        self._present: set[int] = set()
        self._rows: list[Node] = []
        #: Rows of the workspace and group rows (ascending), and the same by id() of the node;
        #: records sit right under their group's row, so these find any row's parent.
        self._branch_rows: list[int] = []
        self._branch_row_of: dict[int, int] = {}
        #: id() of a record node -> its row; built on first use after each relayout.
        self._record_row_of: dict[int, int] | None = None
        self._query = ""
        self._filter_collapsed: set[int] = set()  # id() of nodes collapsed while filtering
        self._show_ids = False
        self._id_font: QFont | None = None  # made on first use: needs a QGuiApplication
        #: The dimmed and error colours, and the cacheKey() of the palette they were made for.
        self._theme: Theme | None = None
        self._theme_palette = 0
        # Texts of every row kind, translated once (the language is chosen at start).
        self._no_name = self.tr(NO_NAME)
        self._no_workspace_name = self.tr(NO_WORKSPACE_NAME)
        self._users_label = self.tr("Users")
        self._clients_label = self.tr("Clients")
        #: docs101 cross-reference: workspace id -> client id -> its ClientXref.
        self._xref: dict[str, dict[str, ClientXref]] = {}
        #: "Only clients not in docs101": clients docs101 has (match, similar) are hidden.
        self._only_missing = False

    # -- Qt model interface --------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return 2 if self._show_ids else 1

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.row() < len(self._rows) and not isinstance(
            self._rows[index.row()], (GroupNode, ConnectionNode)
        ):
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    # -- dragging rows out ---------------------------------------------------------------

    def mimeTypes(self) -> list[str]:
        return [MIME_TEXT, MIME_JSON]

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """The dragged rows: their names as text/plain (what Ctrl+C copies) and their full
        records as application/json (formats.records_json_text); group rows left out."""
        from desktop.ui.formats import records_json_text  # on the first drag

        rows = sorted({index.row() for index in indexes if index.isValid()})
        nodes = self.copyable_in(merge_spans((row, row) for row in rows))
        data = QMimeData()
        data.setText("\n".join(node_names(nodes)))
        data.setData(MIME_JSON, QByteArray(records_json_text(self.items(nodes)).encode("utf-8")))
        return data

    def items(self, nodes: Iterable[RecordNode | WorkspaceNode]) -> list[Item]:
        """Each node's record paired with its workspace (for the copy formats); a record
        whose row is no longer shown is left out."""
        items: list[Item] = []
        for node in nodes:
            if isinstance(node, WorkspaceNode):
                items.append((node.workspace, node.workspace))
                continue
            workspace = self.workspace_of(node)
            if workspace is not None:
                items.append((node.record, workspace.workspace))
        return items

    def data(self, index: AnyIndex, role: int = DISPLAY_ROLE) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        column = index.column()
        if column != 0 and not (column == ID_COLUMN and self._show_ids):
            return None
        node = self._rows[index.row()]
        if column == ID_COLUMN:
            if role == Qt.ItemDataRole.DisplayRole:
                return node_id(node)
            if role == Qt.ItemDataRole.FontRole:
                if self._id_font is None:
                    self._id_font = id_font()
                return self._id_font
            if role == Qt.ItemDataRole.AccessibleTextRole:
                ident = node_id(node)
                return self.tr("ID {id}").format(id=ident) if ident else self.tr("No ID")
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(node)
        if role == Role.NAME:
            return node_name(node)
        if role == Role.ID:
            return node_id(node)
        if role == Role.EMAIL:
            return node_email(node)
        if role == Role.KIND:
            return int(node.kind)
        if role == Role.DEPTH:
            return node.depth + self._depth_offset
        if role == Role.EXPANDABLE:
            return node.expandable
        if role == Role.EXPANDED:
            return self.is_expanded(node)
        if role == Role.STATE:
            return node.state.value if isinstance(node, (GroupNode, ConnectionNode)) else ""
        if role == Role.XREF:
            if isinstance(node, RecordNode) and node.xref is not None:
                return node.xref.entry.status
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(node)
        if role == Qt.ItemDataRole.FontRole:
            return self._font(node)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(node)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._accessible_text(node)
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return self.tr("Level {level}").format(level=node.depth + self._depth_offset + 1)
        return None

    # -- reading -------------------------------------------------------------------------

    @property
    def query(self) -> str:
        return self._query

    @property
    def show_ids(self) -> bool:
        """Whether column 1 (ID_COLUMN) shows each row's Clockify id."""
        return self._show_ids

    def workspace_of(self, node: Node) -> WorkspaceNode | None:
        """The workspace a workspace, group or record row belongs to.

        None when the node is not in the model (a record: when its row is not shown). A
        record's workspace is found through its group's row: `row_of` (a map built once
        per relayout) and `parent_row` (a bisection), not a scan.
        """
        if isinstance(node, RecordNode):
            row = self.row_of(node)
            if row < 0:
                return None
            group = self._rows[self.parent_row(row)]
            assert isinstance(group, GroupNode)
            return group.workspace
        if isinstance(node, ConnectionNode):
            return None
        ws = node if isinstance(node, WorkspaceNode) else node.workspace
        return ws if id(ws) in self._present else None

    def workspaces(self, connection: str | None = None) -> list[WorkspaceNode]:
        """Every workspace node, or those of one account (its key)."""
        if connection is None:
            return list(self._workspaces)
        return [ws for ws in self._workspaces if ws.connection == connection]

    def workspace(self, workspace_id: str, connection: str | None = None) -> WorkspaceNode | None:
        """The workspace's node (of that account, when given; else the first listed)."""
        if connection is None:
            return self._by_id.get(workspace_id)
        for ws in self._workspaces:
            if ws.connection == connection and ws.workspace.id == workspace_id:
                return ws
        return None

    @property
    def _depth_offset(self) -> int:
        """1 when the account rows are shown (they are at level 0), else 0."""
        return 1 if len(self._connections) > 1 else 0

    @property
    def shows_connections(self) -> bool:
        """Whether the tree's top level is the accounts (more than one is held)."""
        return len(self._connections) > 1

    def connections(self) -> list[ConnectionNode]:
        return list(self._connections)

    def connection(self, key: str) -> ConnectionNode | None:
        for conn in self._connections:
            if conn.key == key:
                return conn
        return None

    def connection_of(self, node: Node) -> ConnectionNode | None:
        """The account a row belongs to (None for a record whose row is not shown)."""
        if isinstance(node, ConnectionNode):
            return node
        ws = self.workspace_of(node)
        return self.connection(ws.connection) if ws is not None else None

    def node(self, index: AnyIndex) -> Node | None:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        return self._rows[index.row()]

    def row_of(self, node: Node) -> int:
        """The node's row, -1 when it is not shown.

        Workspace and group rows are looked up directly; a record's row through a map of
        every record row, built the first time one is asked for after a change.
        """
        if not isinstance(node, RecordNode):
            return self._branch_row_of.get(id(node), -1)
        rows = self._record_row_of
        if rows is None:
            rows = self._record_row_of = {
                id(n): r for r, n in enumerate(self._rows) if isinstance(n, RecordNode)
            }
        return rows.get(id(node), -1)

    def parent_row(self, row: int) -> int:
        """The row of the row's parent (its group or workspace); -1 for a workspace row.

        Only workspace and group rows are searched, a few per workspace, so this costs the
        same in a branch of any size.
        """
        if not 0 <= row < len(self._rows):
            return -1
        depth = self._rows[row].depth
        branch_rows = self._branch_rows
        for at in range(bisect_left(branch_rows, row) - 1, -1, -1):
            candidate = branch_rows[at]
            if self._rows[candidate].depth < depth:
                return candidate
        return -1

    def copyable_in(self, spans: Iterable[tuple[int, int]]) -> list[RecordNode | WorkspaceNode]:
        """The workspace, user and client nodes of the spans' rows, top to bottom, once each.

        A span is (top, bottom), both inclusive; spans may overlap and come in any order.
        Group rows are left out. The rows between two group rows are taken as one slice,
        so 50,000 rows cost a few slices, not 50,000 type checks.
        """
        rows = self._rows
        branch_rows = self._branch_rows
        nodes: list[RecordNode | WorkspaceNode] = []
        for top, bottom in merge_spans(spans):
            start, end = max(top, 0), min(bottom, len(rows) - 1)
            for at in range(bisect_left(branch_rows, start), len(branch_rows)):
                row = branch_rows[at]
                if row > end:
                    break
                if isinstance(rows[row], (GroupNode, ConnectionNode)):
                    nodes.extend(cast("list[RecordNode | WorkspaceNode]", rows[start:row]))
                    start = row + 1
            nodes.extend(cast("list[RecordNode | WorkspaceNode]", rows[start : end + 1]))
        return nodes

    def index_of(self, node: Node) -> QModelIndex:
        row = self.row_of(node)
        return self.index(row, 0) if row >= 0 else QModelIndex()

    def visible_nodes(self) -> list[Node]:
        return list(self._rows)

    def record_count(self) -> int:
        return sum(len(g.children) for w in self._workspaces for g in w.groups)

    def match_count(self) -> int:
        """Users and clients matching the filter (narrowing keeps this cheap)."""
        query = self._query
        return sum(len(g.matches(query)) for w in self._workspaces for g in w.groups)

    def first_match_row(self) -> int:
        """The first user or client row (the first workspace row when there is none)."""
        for row, node in enumerate(self._rows):
            if isinstance(node, RecordNode):
                return row
        return 0 if self._rows else -1

    def is_expanded(self, node: Node) -> bool:
        if isinstance(node, RecordNode):
            return False
        if self._query:
            return id(node) not in self._filter_collapsed
        return node.expanded

    def row_key(self, row: int) -> RowKey | None:
        """The row's kind and IDs (its workspace found through its group); None past the end."""
        if not 0 <= row < len(self._rows):
            return None
        node = self._rows[row]
        if isinstance(node, RecordNode):
            group = self._rows[self.parent_row(row)]
            assert isinstance(group, GroupNode)
            return (node.kind, group.workspace.workspace.id, node.record.id)
        if isinstance(node, WorkspaceNode):
            return (Kind.WORKSPACE, node.workspace.id, "")
        if isinstance(node, ConnectionNode):
            return (Kind.CONNECTION, node.key, "")
        return (node.kind, node.workspace.workspace.id, "")

    def rows_of_keys(self, keys: Iterable[RowKey]) -> dict[RowKey, int]:
        """The shown rows of those keys; keys of rows not shown (or gone) are left out.

        Only the rows of the groups named by record keys are read, not every row.
        """
        found: dict[RowKey, int] = {}
        wanted: dict[tuple[str, Kind], set[str]] = {}
        for key in keys:
            kind, workspace_id, record_id = key
            if kind is Kind.CONNECTION:
                conn = self.connection(workspace_id)
                row = self.row_of(conn) if conn is not None else -1
                if row >= 0:
                    found[key] = row
                continue
            ws = self._by_id.get(workspace_id)
            if ws is None:
                continue
            if kind is Kind.WORKSPACE:
                node: Node = ws
            elif kind in (Kind.USERS, Kind.CLIENTS):
                node = ws.group(kind)
            else:
                group_kind = Kind.USERS if kind is Kind.USER else Kind.CLIENTS
                wanted.setdefault((workspace_id, group_kind), set()).add(record_id)
                continue
            row = self.row_of(node)
            if row >= 0:
                found[key] = row
        rows = self._rows
        for (workspace_id, group_kind), record_ids in wanted.items():
            group = self._by_id[workspace_id].group(group_kind)
            row = self.row_of(group) + 1
            if row == 0:
                continue
            record_kind = Kind.USER if group_kind is Kind.USERS else Kind.CLIENT
            while row < len(rows):
                node = rows[row]
                if not isinstance(node, RecordNode):
                    break
                if node.record.id in record_ids:
                    found[(record_kind, workspace_id, node.record.id)] = row
                row += 1
        return found

    def expanded_keys(self) -> list[RowKey]:
        """The workspaces and groups that are open (as without a filter), by kind and IDs."""
        keys: list[RowKey] = []
        for ws in self._workspaces:
            if ws.expanded:
                keys.append((Kind.WORKSPACE, ws.workspace.id, ""))
            keys.extend((g.kind, ws.workspace.id, "") for g in ws.groups if g.expanded)
        return keys

    # -- changing ------------------------------------------------------------------------

    def set_workspaces(self, workspaces: Sequence[Workspace], connection: str = "") -> None:
        """Replace an account's workspace list (the account `connection`, made when new),
        keeping the nodes (and rows) of known workspaces; other accounts' stay as they are."""
        conn = self._connection_node(connection)
        known = {n.workspace.id: n for n in conn.workspaces}
        nodes = []
        for ws in workspaces:
            existing = known.get(ws.id)
            if existing is None:
                existing = WorkspaceNode(ws, connection=connection)
            elif existing.workspace != ws:
                existing.workspace = ws
                existing.search = search_text(ws.name, ws.id)
            nodes.append(existing)
        conn.workspaces = nodes
        self._index_workspaces()
        self._relayout()

    def set_connections(self, accounts: Sequence[tuple[str, str, str]]) -> None:
        """The accounts the panel holds, in order: (key, name, address) each. Accounts not
        named are dropped with their rows; new ones start empty. With two or more, each is
        a row above its workspaces."""
        known = {conn.key: conn for conn in self._connections}
        nodes = []
        for key, name, address in accounts:
            conn = known.get(key) or ConnectionNode(key)
            conn.name, conn.address = name, address
            conn.search = search_text(name, address)
            nodes.append(conn)
        self._connections = nodes
        self._index_workspaces()
        self._relayout()

    def set_connection_state(self, key: str, state: LoadState, error: str | None = None) -> None:
        """An account's workspace list is loading, loaded or failed (with the sentence)."""
        conn = self.connection(key)
        if conn is None or (conn.state is state and conn.error == error):
            return
        conn.state, conn.error = state, error
        row = self.row_of(conn)
        if row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        elif self._query and self.shows_connections:
            self._relayout()  # a failed account shows its row while filtering

    def clear_connection(self, key: str) -> None:
        """Drop an account's workspaces and rows (its key removed, say); it stays listed."""
        conn = self.connection(key)
        if conn is None:
            return
        conn.workspaces = []
        conn.state, conn.error = LoadState.IDLE, None
        self._index_workspaces()
        self._relayout()

    def clear(self) -> None:
        self.beginResetModel()
        for conn in self._connections:
            conn.workspaces = []
            conn.state, conn.error = LoadState.IDLE, None
        self._workspaces = []
        self._by_id = {}
        self._present = set()
        self._set_rows([], [])
        self._filter_collapsed.clear()
        self.endResetModel()

    def _connection_node(self, key: str) -> ConnectionNode:
        conn = self.connection(key)
        if conn is None:
            conn = ConnectionNode(key, name=key)
            self._connections.append(conn)
        return conn

    def _index_workspaces(self) -> None:
        self._workspaces = [ws for conn in self._connections for ws in conn.workspaces]
        by_id: dict[str, WorkspaceNode] = {}
        for ws in self._workspaces:
            by_id.setdefault(ws.workspace.id, ws)
        self._by_id = by_id
        self._present = {id(ws) for ws in self._workspaces}

    def set_group_loading(self, group: GroupNode, progress: int = 0) -> None:
        group.state = LoadState.LOADING
        group.progress = progress
        self._group_changed(group)

    def set_group_rows(self, group: GroupNode, nodes: list[RecordNode]) -> None:
        group.children = nodes
        group.state = LoadState.LOADED
        group.error = None
        group.version += 1
        if group.kind is Kind.CLIENTS:
            self._apply_xref(group)
        self._relayout()
        if group.kind is Kind.CLIENTS:
            self.clients_loaded.emit(group.workspace.workspace.id)

    # -- docs101 cross-reference ---------------------------------------------------------

    def set_xref(self, workspace_id: str, found: Mapping[str, ClientXref]) -> None:
        """The cross-reference of a workspace's clients, by client id (kept for reloads)."""
        self._xref[workspace_id] = dict(found)
        for ws in self._workspaces:  # the same workspace may be listed by two accounts
            if ws.workspace.id == workspace_id:
                self._apply_xref(ws.clients)
        self._xref_updated()

    def clear_xref(self) -> None:
        """Forget every client's docs101 cross-reference (docs101 disconnected)."""
        if not self._xref and not any(
            node.xref is not None for ws in self._workspaces for node in ws.clients.children
        ):
            return
        self._xref.clear()
        for ws in self._workspaces:
            for node in ws.clients.children:
                node.xref = None
        self._xref_updated()

    def has_xref(self) -> bool:
        return bool(self._xref)

    def xref_entries(self) -> list[Entry]:
        """Every client's cross-reference entry, in the tree's order (filters ignored)."""
        return [
            node.xref.entry
            for ws in self._workspaces
            for node in ws.clients.children
            if node.xref is not None
        ]

    @property
    def only_missing(self) -> bool:
        return self._only_missing

    def set_only_missing(self, on: bool) -> None:
        """Show only the clients docs101 lacks (and those not cross-referenced yet)."""
        if on != self._only_missing:
            self._only_missing = on
            self._relayout()

    def _apply_xref(self, group: GroupNode) -> None:
        found = self._xref.get(group.workspace.workspace.id, {})
        for node in group.children:
            node.xref = found.get(node.record.id)

    def _xref_updated(self) -> None:
        if self._only_missing:
            self._relayout()
        elif self._rows:
            last = self.index(len(self._rows) - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)
        self.xref_changed.emit()

    def _shown(self, group: GroupNode, nodes: list[RecordNode]) -> list[RecordNode]:
        """`nodes` of `group` without the clients the docs101 toggle hides."""
        if not self._only_missing or group.kind is not Kind.CLIENTS:
            return nodes
        return [n for n in nodes if n.xref is None or n.xref.entry.status == "missing"]

    def set_group_error(self, group: GroupNode, message: str) -> None:
        """Keep the rows the group had; the group row shows the failure."""
        group.state = LoadState.FAILED
        group.error = message
        self._group_changed(group)

    def set_show_ids(self, on: bool) -> None:
        """Show (or hide) column 1, the rows' Clockify ids; rows and selection stay."""
        if on == self._show_ids:
            return
        if on:
            self.beginInsertColumns(QModelIndex(), ID_COLUMN, ID_COLUMN)
            self._show_ids = True
            self.endInsertColumns()
        else:
            self.beginRemoveColumns(QModelIndex(), ID_COLUMN, ID_COLUMN)
            self._show_ids = False
            self.endRemoveColumns()

    def set_expanded(self, node: Node, expanded: bool) -> None:
        if isinstance(node, RecordNode) or not self._open(node, expanded):
            return
        self._relayout()

    def expand_all(self, node: Node) -> list[GroupNode]:
        """Open everything under the row (the `*` key): a workspace and both its groups, or a
        group. One relayout. Returns those groups never loaded (IDLE), for the caller to load;
        nothing for a record row.
        """
        if isinstance(node, RecordNode):
            return []
        if isinstance(node, ConnectionNode):  # the account and its workspaces; no loads
            changed = self._open(node, True)
            for ws in node.workspaces:
                changed = self._open(ws, True) or changed
            if changed:
                self._relayout()
            return []
        branches: list[WorkspaceNode | GroupNode] = [node]
        groups: list[GroupNode] = [node] if isinstance(node, GroupNode) else list(node.groups)
        if isinstance(node, WorkspaceNode):
            branches.extend(groups)
        changed = False
        for branch in branches:
            changed = self._open(branch, True) or changed
        if changed:
            self._relayout()
        return [group for group in groups if group.state is LoadState.IDLE]

    def expand_keys(self, keys: Iterable[RowKey]) -> list[WorkspaceNode]:
        """Open the workspaces and groups of these keys that exist (as without a filter).

        One relayout for all of them. Returns the workspaces among the keys (open now).
        """
        opened: list[WorkspaceNode] = []
        changed = False
        for kind, workspace_id, _record_id in keys:
            ws = self._by_id.get(workspace_id)
            if ws is None or kind not in (Kind.WORKSPACE, Kind.USERS, Kind.CLIENTS):
                continue
            node = ws if kind is Kind.WORKSPACE else ws.group(kind)
            if kind is Kind.WORKSPACE and ws not in opened:
                opened.append(ws)
            if not node.expanded:
                node.expanded = changed = True
        if changed:
            self._relayout()
        return opened

    def set_filter(self, text: str) -> None:
        query = normalise(text.strip())
        if query == self._query:
            return
        self._query = query
        self._filter_collapsed.clear()
        self._relayout()

    # -- internals -----------------------------------------------------------------------

    def _open(self, node: ConnectionNode | WorkspaceNode | GroupNode, expanded: bool) -> bool:
        """Open or close the node (the filter's own state while filtering), no relayout.

        Returns whether anything changed.
        """
        if self.is_expanded(node) == expanded:
            return False
        if self._query:
            if expanded:
                self._filter_collapsed.discard(id(node))
            else:
                self._filter_collapsed.add(id(node))
        else:
            node.expanded = expanded
        return True

    def _group_changed(self, group: GroupNode) -> None:
        row = self.row_of(group)
        if row < 0:
            # A group that just failed or started loading may need to appear while filtering.
            if self._query:
                self._relayout()
            return
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def _set_rows(self, rows: list[Node], branch_rows: list[int]) -> None:
        self._rows = rows
        self._branch_rows = branch_rows
        self._branch_row_of = {id(rows[r]): r for r in branch_rows}
        self._record_row_of = None

    def _flatten(self) -> tuple[list[Node], list[int]]:
        """The visible rows, and the rows among them that are accounts, workspaces or groups."""
        rows: list[Node] = []
        branch_rows: list[int] = []
        if not self.shows_connections:
            self._flatten_workspaces(self._workspaces, rows, branch_rows)
            return rows, branch_rows
        query = self._query
        for conn in self._connections:
            sub_rows: list[Node] = []
            sub_branch_rows: list[int] = []
            self._flatten_workspaces(conn.workspaces, sub_rows, sub_branch_rows)
            if query and not (
                sub_rows
                or query in conn.search
                or conn.state in (LoadState.LOADING, LoadState.FAILED)
            ):
                continue
            branch_rows.append(len(rows))
            rows.append(conn)
            if self.is_expanded(conn):
                start = len(rows)
                rows.extend(sub_rows)
                branch_rows.extend(start + row for row in sub_branch_rows)
        return rows, branch_rows

    def _flatten_workspaces(
        self, workspaces: Iterable[WorkspaceNode], rows: list[Node], branch_rows: list[int]
    ) -> None:
        """Append the visible rows of these workspaces (and their branch rows' numbers)."""
        query = self._query
        for ws in workspaces:
            if not query:
                branch_rows.append(len(rows))
                rows.append(ws)
                if ws.expanded:
                    for group in ws.groups:
                        branch_rows.append(len(rows))
                        rows.append(group)
                        if group.expanded:
                            rows.extend(self._shown(group, group.children))
                continue
            ws_match = query in ws.search
            found = [(g, self._shown(g, g.matches(query))) for g in ws.groups]
            # Not loaded yet, or failed: matches may be there, and the group row says so.
            pending = any(g.state is not LoadState.LOADED for g in ws.groups)
            if not (ws_match or pending or any(m for _, m in found)):
                continue
            branch_rows.append(len(rows))
            rows.append(ws)
            if id(ws) in self._filter_collapsed:
                continue
            for group, matches in found:
                if matches or ws_match or group.state is not LoadState.LOADED:
                    branch_rows.append(len(rows))
                    rows.append(group)
                    if matches and id(group) not in self._filter_collapsed:
                        rows.extend(matches)

    def _relayout(self) -> None:
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        moved_nodes = [self._rows[i.row()] if i.row() < len(self._rows) else None for i in old]
        self._set_rows(*self._flatten())
        if old:
            wanted = {id(n): n for n in moved_nodes if n is not None}
            positions: dict[int, int] = {}
            if wanted:
                for row, node in enumerate(self._rows):
                    if id(node) in wanted:
                        positions[id(node)] = row
                        if len(positions) == len(wanted):
                            break
            missing = {
                (n.kind, n.record.id): id(n)
                for n in moved_nodes
                if isinstance(n, RecordNode) and id(n) not in positions
            }
            if missing:
                # A reloaded group has new row objects: follow the same record by its id.
                for row, node in enumerate(self._rows):
                    if isinstance(node, RecordNode):
                        old_id = missing.get((node.kind, node.record.id))
                        if old_id is not None and old_id not in positions:
                            positions[old_id] = row
            new = []
            for index, moved in zip(old, moved_nodes, strict=True):
                row = positions.get(id(moved), -1) if moved is not None else -1
                new.append(self.index(row, index.column()) if row >= 0 else QModelIndex())
            self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _display(self, node: Node) -> str:
        if isinstance(node, ConnectionNode):
            return self._connection_text(node)
        if isinstance(node, RecordNode):
            return visible_text(node.record.name[:500]) if node.record.name else self._no_name
        if isinstance(node, WorkspaceNode):
            name = node.workspace.name
            text = visible_text(name[:500]) if name else self._no_workspace_name
            if node.from_cache_age:
                text += f"  \u00b7 {node.from_cache_age}"
            return text
        return self._group_text(node)

    def _accessible_text(self, node: Node) -> str:
        """What a screen reader says of the row: its kind, name or count, open or closed."""
        if isinstance(node, RecordNode):
            record = node.record
            name = visible_text(record.name[:500]) if record.name else self._no_name
            if isinstance(record, User):
                return self.tr("User, {name}").format(name=name)
            if record.archived:
                text = self.tr("Client, {name}, archived").format(name=name)
            else:
                text = self.tr("Client, {name}").format(name=name)
            if node.xref is not None:  # the marker, for those who do not see it
                status = node.xref.entry.status
                if status == "match":
                    text += self.tr(", in docs101")
                elif status == "similar":
                    text += self.tr(", similar in docs101")
                else:
                    text += self.tr(", not in docs101")
            return text
        state = self.tr("expanded") if self.is_expanded(node) else self.tr("collapsed")
        if isinstance(node, ConnectionNode):
            if node.state is LoadState.FAILED:
                return self.tr("Account, {name}, failed: {problem}").format(
                    name=visible_text(node.name), problem=node.error or self.tr("failed")
                )
            return self.tr("Account, {name}, {state}").format(
                name=visible_text(node.name), state=state
            )
        if isinstance(node, WorkspaceNode):
            ws_name = node.workspace.name
            shown = visible_text(ws_name[:500]) if ws_name else self._no_workspace_name
            return self.tr("Workspace, {name}, {state}").format(name=shown, state=state)
        if node.state is LoadState.LOADING:
            count = self.tr("loading")
        elif node.state is LoadState.FAILED:
            count = self.tr("failed")
        elif node.state is LoadState.IDLE:
            count = self.tr("not loaded")
        elif self._query:
            count = self.tr("{shown} of {total}").format(
                shown=f"{len(node.matches(self._query)):,}", total=f"{len(node.children):,}"
            )
        else:
            count = f"{len(node.children):,}"
        return self.tr("{group} group, {count}, {state}").format(
            group=self._group_label(node), count=count, state=state
        )

    def _connection_text(self, conn: ConnectionNode) -> str:
        text = visible_text(conn.name)
        if conn.address:
            text += f"  \u00b7 {conn.address}"
        if conn.state is LoadState.LOADING:
            return self.tr("{account} (loading\u2026)").format(account=text)
        if conn.state is LoadState.FAILED:
            return self.tr("{account}: {problem}").format(
                account=text, problem=conn.error or self.tr("failed")
            )
        return text

    def _group_label(self, group: GroupNode) -> str:
        return self._users_label if group.kind is Kind.USERS else self._clients_label

    def _group_text(self, group: GroupNode) -> str:
        label = self._group_label(group)
        total = len(group.children)
        if group.state is LoadState.LOADING:
            if group.progress:
                return self.tr("{group} (loading\u2026 {count})").format(
                    group=label, count=f"{group.progress:,}"
                )
            return self.tr("{group} (loading\u2026)").format(group=label)
        if group.state is LoadState.FAILED:
            return self.tr("{group}: {problem} [Enter to retry]").format(
                group=label, problem=group.error or self.tr("failed")
            )
        if group.state is LoadState.IDLE:
            return label
        if self._query or (self._only_missing and group.kind is Kind.CLIENTS):
            pool = group.matches(self._query) if self._query else group.children
            shown = len(self._shown(group, pool))
            if self._query or shown != total:
                return self.tr("{group} ({shown} of {total})").format(
                    group=label, shown=f"{shown:,}", total=f"{total:,}"
                )
        return f"{label} ({total:,})"

    def _tooltip(self, node: Node) -> str:
        if isinstance(node, RecordNode):
            record = node.record
            name = record.name if record.name is not None else self._no_name
            lines = [self.tr("Name: {name}").format(name=name)]
            lines.append(self.tr("ID: {id}").format(id=record.id))
            if isinstance(record, User):
                lines.append(self.tr("E-mail: {email}").format(email=record.email or "-"))
                lines.append(self.tr("Status: {status}").format(status=record.status or "-"))
            else:
                archived = self.tr("yes") if record.archived else self.tr("no")
                lines.append(self.tr("Archived: {archived}").format(archived=archived))
                if record.email:
                    lines.append(self.tr("E-mail: {email}").format(email=record.email))
                if node.xref is not None:
                    lines.append(self._xref_line(node.xref.entry))
            return plain_tooltip(lines)
        if isinstance(node, ConnectionNode):
            lines = [self.tr("Account: {name}").format(name=node.name)]
            if node.address:
                lines.append(self.tr("Server: {address}").format(address=node.address))
            if node.state is LoadState.FAILED:
                lines.append(node.error or self.tr("failed"))
            return plain_tooltip(lines)
        if isinstance(node, WorkspaceNode):
            name = node.workspace.name or self._no_workspace_name
            lines = [
                self.tr("Workspace: {name}").format(name=name),
                self.tr("ID: {id}").format(id=node.workspace.id),
            ]
            if node.from_cache_age:
                lines.append(self.tr("Shown from the cache: {age}").format(age=node.from_cache_age))
            return plain_tooltip(lines)
        if node.state is LoadState.FAILED:
            return plain_tooltip(
                [node.error or self.tr("failed"), self.tr("Press Enter or double-click to retry.")]
            )
        return plain_tooltip([self._group_text(node)])

    def _xref_line(self, entry: Entry) -> str:
        if entry.status == "match":
            return self.tr("In docs101: {name} ({id})").format(
                name=entry.docs101_name, id=entry.docs101_id
            )
        if entry.status == "similar":
            return self.tr("Similar in docs101: {name} ({id}), score {score}").format(
                name=entry.docs101_name, id=entry.docs101_id, score=f"{entry.score or 0:.0f}"
            )
        return self.tr("Not in docs101")

    def _font(self, node: Node) -> QFont | None:
        # Imported with the first row shown: PySide builds QFont's 8 enum types with it,
        # which a first frame without rows does not need.
        from PySide6.QtGui import QFont

        if isinstance(node, (WorkspaceNode, ConnectionNode)):
            font = QFont(QGuiApplication.font())
            font.setBold(True)
            return font
        if isinstance(node, RecordNode):
            if node.record.name:
                return None
        elif node.state not in (LoadState.LOADING, LoadState.FAILED):
            return None
        font = QFont(QGuiApplication.font())
        font.setItalic(True)
        return font

    def _foreground(self, node: Node) -> QBrush | None:
        if isinstance(node, (GroupNode, ConnectionNode)):
            if node.state is LoadState.FAILED:
                return self.theme().error_brush
            return None
        if isinstance(node, RecordNode):
            record = node.record
            muted = (isinstance(record, Client) and record.archived) or (
                isinstance(record, User) and record.status not in (None, "ACTIVE")
            )
            if muted or not record.name:
                return self.theme().dimmed_brush
        return None

    def theme(self) -> Theme:
        """The dimmed and error colours for the application's palette (theme.colours), made
        again only when the palette changes (a light or dark scheme followed, say)."""
        palette = QGuiApplication.palette()
        key = palette.cacheKey()
        if self._theme is None or key != self._theme_palette:
            self._theme = colours(palette)
            self._theme_palette = key
        return self._theme

    def refresh_colours(self) -> None:
        """The palette changed: drop the cached colours and repaint the rows (one signal)."""
        self._theme = None
        if self._rows:
            last = self.index(len(self._rows) - 1, self.columnCount() - 1)
            self.dataChanged.emit(
                self.index(0, 0),
                last,
                [Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole],
            )


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Inclusive (top, bottom) row spans, sorted, with overlapping and touching ones joined."""
    merged: list[tuple[int, int]] = []
    for top, bottom in sorted(spans):
        if merged and top <= merged[-1][1] + 1:
            if bottom > merged[-1][1]:
                merged[-1] = (merged[-1][0], bottom)
        else:
            merged.append((top, bottom))
    return merged
