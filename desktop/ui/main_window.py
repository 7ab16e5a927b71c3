"""The side panel: toolbar, filter box, the tree and a status bar."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QByteArray,
    QCoreApplication,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop import resources
from desktop.clockify import KeyRejectedError, RequestBudgetError
from desktop.clockify.models import Client, User, Workspace
from desktop.ui import clipboard
from desktop.ui.connection_settings import app_settings
from desktop.ui.details import DetailsCard
from desktop.ui.lazy_qt import (
    Qt,
    set_centred,
    set_custom_context_menu,
    set_plain_text,
    set_shortcut,
)
from desktop.ui.loader import TreeLoader, describe_error, ledger_of
from desktop.ui.tree_model import (
    GroupNode,
    Kind,
    LoadState,
    Node,
    PanelModel,
    RecordNode,
    RowKey,
    WorkspaceNode,
    merge_spans,
    no_name,
    node_emails,
    node_ids,
    node_name,
    node_names,
    visible_text,
)
from desktop.ui.tree_view import TreeView
from desktop.workers import JobRunner

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent

    from desktop.clockify import ClockifyClient
    from desktop.store.ledger import RequestLedger, Usage
    from desktop.ui import formats
    from desktop.ui.saved_view import SavedView
    from desktop.ui.shown_data import ShownData
    from desktop.ui.tray import PanelTray
    from desktop.xref.matching import Entry

log = logging.getLogger(__name__)

SETTING_ON_TOP = "window/always_on_top"
SETTING_GEOMETRY = "window/geometry"
#: Where the desktop has a tray: closing the window hides it there (on by default).
SETTING_KEEP_IN_TRAY = "window/keep_in_tray"
#: Set once the tray's notice has said where the closed window went (it says so once).
SETTING_TRAY_NOTICE_SHOWN = "window/tray_notice_shown"
SETTING_INACTIVE = "view/show_inactive_users"
SETTING_ARCHIVED = "view/show_archived_clients"
SETTING_DETAILS = "view/show_details"
SETTING_IDS = "view/show_ids"
#: "Only clients not in docs101" (the docs101 cross-reference's filter).
SETTING_ONLY_MISSING = "view/only_clients_not_in_docs101"
#: Off for people on rate-limited plans: the panel then starts on its cached data.
SETTING_AUTO_REFRESH = "connection/refresh_at_start"
#: The tree as the user left it (SavedView's JSON: kinds and IDs only, never a name).
SETTING_VIEW = "view/tree"
#: The tree's state is also saved this long after the user last opened, closed, selected
#: or scrolled something (on a worker), so a panel that is killed keeps most of it.
VIEW_SAVE_DELAY_MS = 2000


#: A workspace's cached users' and clients' rows (None: that list was not cached).
CachedRows = tuple[list[RecordNode] | None, list[RecordNode] | None]


class PanelWindow(QMainWindow):
    """The reference panel.

    Signals:
        settings_requested(): the settings (connect) dialog should open.
        workspaces_loaded(int): the workspace list arrived and is shown (its length).
        workspaces_failed(object): loading it failed (the exception), and the status bar
            says so; `describe_error` makes the sentence.
        data_loaded(): rows from Clockify arrived and are shown (for the cache).
        customers_csv_chosen(str): the user chose a CSV file of customers (its path) for
            the docs101 cross-reference; Docs101Link reads it on a worker.
    """

    settings_requested = Signal()
    workspaces_loaded = Signal(int)
    workspaces_failed = Signal(object)  # the exception
    data_loaded = Signal()
    customers_csv_chosen = Signal(str)

    def __init__(
        self,
        runner: JobRunner | None = None,
        parent: QWidget | None = None,
        *,
        tray_later: bool = False,
    ) -> None:
        """`tray_later`: the tray is looked for by `set_up_tray`, which the caller calls
        (desktop.ui.app: after the first paint); otherwise here."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Clockify Panel"))
        self.setWindowIcon(resources.icon("app"))
        self.settings = app_settings()
        self.runner = runner or JobRunner(parent=self)
        self.model = PanelModel(self)
        self.loader = TreeLoader(self.model, self.runner, self)
        self.loader.include_inactive_users = self._bool_setting(SETTING_INACTIVE)
        self.loader.include_archived_clients = self._bool_setting(SETTING_ARCHIVED)
        #: The loaders of the other Clockify accounts shown (desktop.ui.accounts), by key.
        self.extra_loaders: dict[str, TreeLoader] = {}
        self._connected = False
        #: What the connect state says (None: the invitation), kept for `accounts_changed`,
        #: and whether it is what the panel shows (not connected, not starting).
        self._connect_explanation: str | None = None
        self._connect_state_shown = False
        self._init_view_memory()
        #: Esc in an empty filter hides the window (see `hide_on_escape`).
        self._hide_on_escape = False
        #: Set by `quit_panel`: closing the window then quits, tray or not.
        self._quitting = False
        #: The tray icon, where the desktop has a tray (None: closing the window quits).
        self.tray: PanelTray | None = None
        #: "Keep running in the tray": only where the desktop has a tray (`set_up_tray`).
        self.keep_in_tray_action: QAction | None = None
        self._tray_looked_for = False

        self._build_actions()
        self._build_ui()
        self._connect_signals()
        self._restore_window()
        self.show_connect_state()
        if not tray_later:
            self.set_up_tray()

    # -- building ------------------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot: Callable[..., None],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        icon: str | None = None,
        checkable: bool = False,
    ) -> QAction:
        action = QAction(text, self)
        if icon:
            action.setIcon(resources.icon(icon))
        if shortcut is not None:
            # In the window, Qt's default context; set without Qt.Key (lazy_qt).
            sequence = (
                QKeySequence.fromString(shortcut, QKeySequence.SequenceFormat.NativeText)
                if isinstance(shortcut, str)  # as QKeySequence(str) reads it
                else QKeySequence(shortcut)
            )
            set_shortcut(action, sequence)
            action.setToolTip(
                self.tr("{action} ({shortcut})").format(action=text, shortcut=sequence.toString())
            )
        action.setCheckable(checkable)
        if checkable:
            action.toggled.connect(slot)
        else:
            action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.refresh_action = self._action(self.tr("Refresh"), self.refresh, "F5", "refresh")
        self.pin_action = self._action(
            self.tr("Always on top"), self._on_pin_toggled, "Ctrl+T", "pin", checkable=True
        )
        self.settings_action = self._action(
            self.tr("Settings\u2026"), self.settings_requested.emit, "Ctrl+,", "settings"
        )
        self.find_action = self._action(
            self.tr("Filter"), self.focus_filter, QKeySequence.StandardKey.Find
        )
        self.copy_name_action = self._action(self.tr("Copy name"), self.copy_names, "Ctrl+C")
        self.copy_id_action = self._action(self.tr("Copy ID"), self.copy_ids, "Ctrl+Shift+C")
        self.copy_both_action = QAction(self.tr("Copy name<TAB>ID"), self)
        self.copy_both_action.triggered.connect(self.copy_name_and_id)
        self.copy_email_action = self._action(self.tr("Copy e-mail"), self.copy_emails, "Ctrl+E")
        self.copy_bill_to_action = self._action(
            self.tr("Copy bill-to block"), self.copy_bill_to, "Ctrl+B"
        )
        self.copy_bill_to_action.setToolTip(
            self.tr("Copy the client's name, address and e-mail, one per line (Ctrl+B)")
        )
        self.details_action = self._action(
            self.tr("Show details"), self._on_details_toggled, "Ctrl+I", checkable=True
        )
        self.show_ids_action = self._action(
            self.tr("Show IDs"), self._on_show_ids_toggled, checkable=True
        )
        self.paid_plan_action = QAction(self.tr("This workspace has a paid plan"), self)
        self.paid_plan_action.setCheckable(True)
        self.paid_plan_action.setToolTip(
            self.tr(
                "Free workspaces allow 30 API requests an hour, shared with docs101 and other "
                "integrations, so the panel spends few of them. Check this if the workspace pays "
                "for a plan without that limit."
            )
        )
        self.paid_plan_action.toggled.connect(self._on_paid_plan_toggled)
        #: What the ledger said at its last reading: workspace id -> marked paid; the
        #: workspace the right-click menu's paid-plan action is about.
        self._paid_marks: dict[str, bool] = {}
        self._menu_workspace: str | None = None
        self.edit_templates_action = QAction(self.tr("Edit templates\u2026"), self)
        self.edit_templates_action.triggered.connect(self.edit_templates)
        #: "Copy as": the built-in formats and the user's templates, filled when it opens.
        self.copy_as_menu = QMenu(self.tr("Copy as"), self)
        self.copy_as_menu.aboutToShow.connect(self._fill_copy_as_menu)
        self.inactive_action = self._action(
            self.tr("Show inactive users"), self._on_inactive_toggled, checkable=True
        )
        self.archived_action = self._action(
            self.tr("Show archived clients"), self._on_archived_toggled, checkable=True
        )
        self.auto_refresh_action = self._action(
            self.tr("Refresh at start"), self._on_auto_refresh_toggled, checkable=True
        )
        self.auto_refresh_action.setToolTip(
            self.tr(
                "Load fresh data when the panel starts. Off: start on the saved data; "
                "F5 refreshes (saves API requests on rate-limited plans)."
            )
        )
        self.auto_refresh_action.setChecked(self._bool_setting(SETTING_AUTO_REFRESH, True))
        self.only_missing_action = self._action(
            self.tr("Only clients not in docs101"), self._on_only_missing_toggled, checkable=True
        )
        self.only_missing_action.setToolTip(
            self.tr("Hide the clients docs101 has as customers (exactly or by a similar name).")
        )
        self.export_xref_action = self._action(
            self.tr("Export cross-reference\u2026"), self.export_xref
        )
        self.export_xref_action.setEnabled(False)  # until clients are cross-referenced
        self.customers_csv_action = self._action(
            self.tr("Customers from a CSV file\u2026"), self.choose_customers_csv
        )
        self.customers_csv_action.setToolTip(
            self.tr(
                "Cross-reference the clients with the customers in a CSV file (a docs101 "
                "export) instead of the docs101 API. The file is used again at the next start "
                "and wins over a stored docs101 key until a docs101 key is saved in Settings."
            )
        )
        #: Asks where to write the export ("" or None: cancelled); tests replace it.
        self.ask_export_path: Callable[[], str | None] = self._ask_export_path_with_box
        self.inactive_action.setChecked(self.loader.include_inactive_users)
        self.archived_action.setChecked(self.loader.include_archived_clients)

    def _build_ui(self) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.setSpacing(4)

        bar = QHBoxLayout()
        bar.setSpacing(2)
        self.filter_edit = QLineEdit(central)
        self.filter_edit.setPlaceholderText(self.tr("Filter names, e-mails, IDs (Ctrl+F)"))
        # Its clear button, shown only while it holds text, is made at the first text or
        # after the first paint (desktop.ui.app), not before it: its icon's theme lookup
        # costs 5-10 ms of the start, and an empty filter looks the same without it.
        self.filter_edit.textChanged.connect(self.enable_clear_button)
        self.filter_edit.setAccessibleName(self.tr("Filter"))
        self.filter_edit.installEventFilter(self)
        bar.addWidget(self.filter_edit, 1)
        for action in (self.refresh_action, self.pin_action, self.settings_action):
            button = QToolButton(central)
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            bar.addWidget(button)
        menu_button = QToolButton(central)
        menu_button.setIcon(resources.icon("menu"))
        menu_button.setToolTip(self.tr("View options"))
        menu_button.setAccessibleName(self.tr("View options"))
        menu_button.setAutoRaise(True)
        menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        options = QMenu(menu_button)
        options.addAction(self.details_action)
        options.addAction(self.show_ids_action)
        options.addSeparator()
        options.addAction(self.inactive_action)
        options.addAction(self.archived_action)
        options.addSeparator()
        options.addMenu(self.copy_as_menu)
        options.addSeparator()
        options.addAction(self.only_missing_action)
        options.addAction(self.export_xref_action)
        options.addAction(self.customers_csv_action)
        options.addSeparator()
        options.addAction(self.auto_refresh_action)
        self._options_menu = options  # "Keep running in the tray" is added by set_up_tray
        menu_button.setMenu(options)
        bar.addWidget(menu_button)
        layout.addLayout(bar)

        self.notice = QFrame(central)
        self.notice.setFrameShape(QFrame.Shape.StyledPanel)
        notice_layout = QHBoxLayout(self.notice)
        notice_layout.setContentsMargins(6, 3, 3, 3)
        self.notice_label = QLabel(self.notice)
        set_plain_text(self.notice_label)
        self.notice_label.setWordWrap(True)
        self.notice_button = QPushButton(self.notice)
        self.notice_button.clicked.connect(self._on_notice_button_clicked)
        notice_layout.addWidget(self.notice_label, 1)
        notice_layout.addWidget(self.notice_button)
        self.notice.hide()
        self._notice_callback: Callable[[], None] | None = None
        layout.addWidget(self.notice)

        self.stack = QStackedWidget(central)
        # The tree page: the tree, and the details card of its current row below it.
        self.tree_page = QWidget(self.stack)
        tree_layout = QVBoxLayout(self.tree_page)
        tree_layout.setContentsMargins(0, 0, 0, 0)
        tree_layout.setSpacing(4)
        self.tree = TreeView(self.tree_page)
        self.tree.setModel(self.model)
        set_custom_context_menu(self.tree)
        tree_layout.addWidget(self.tree, 1)
        self.details = DetailsCard(self.tree_page)
        self.details.copied.connect(self.show_status)
        tree_layout.addWidget(self.details)
        self.stack.addWidget(self.tree_page)

        self.connect_page = QWidget(self.stack)
        page = QVBoxLayout(self.connect_page)
        page.addStretch(1)
        self.connect_label = QLabel(self.connect_page)
        set_plain_text(self.connect_label)
        self.connect_label.setWordWrap(True)
        set_centred(self.connect_label)
        page.addWidget(self.connect_label)
        self.connect_button = QPushButton(self.tr("Connect to Clockify\u2026"), self.connect_page)
        self.connect_button.clicked.connect(self.settings_requested.emit)
        button_row = QHBoxLayout()  # the button centred, at its own width
        button_row.addStretch(1)
        button_row.addWidget(self.connect_button)
        button_row.addStretch(1)
        page.addLayout(button_row)
        page.addStretch(2)
        self.stack.addWidget(self.connect_page)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        # Keyboard flow: Tab from the filter goes straight to the tree (buttons come after).
        QWidget.setTabOrder(self.filter_edit, self.tree)
        show_details = self._bool_setting(SETTING_DETAILS)
        self.details.setVisible(show_details)
        self.details_action.setChecked(show_details)
        show_ids = self._bool_setting(SETTING_IDS)
        self.model.set_show_ids(show_ids)
        self.show_ids_action.setChecked(show_ids)
        only_missing = self._bool_setting(SETTING_ONLY_MISSING)
        self.model.set_only_missing(only_missing)
        self.only_missing_action.setChecked(only_missing)

        self.status_label = QLabel(self)
        set_plain_text(self.status_label)
        self.statusBar().addWidget(self.status_label, 1)
        self.resize(340, 640)

    def _connect_signals(self) -> None:
        self.filter_edit.textChanged.connect(self._on_filter_edit_text_changed)
        self.tree.toggle_requested.connect(self._on_tree_toggle_requested)
        self.tree.expand_all_requested.connect(self._on_tree_expand_all_requested)
        # The card follows the current row, and rows replaced by a refresh or a filter.
        self.model.layoutChanged.connect(self._update_details)
        self.model.modelReset.connect(self._update_details)
        self.model.xref_changed.connect(self._update_details)
        self.model.xref_changed.connect(self._on_model_xref_changed)
        self.tree.activated_row.connect(self._on_tree_activated_row)
        self.tree.customContextMenuRequested.connect(self._on_tree_context_menu)
        self.tree.selectionModel().currentRowChanged.connect(self._on_tree_current_changed)
        self.tree.user_input.connect(self._on_user_input)
        self.filter_edit.textEdited.connect(self._on_user_input)
        self.model.layoutChanged.connect(self._schedule_row_restore)
        self.loader.group_failed.connect(self._schedule_row_restore)
        for changed in (
            self.tree.toggle_requested,
            self.tree.selectionModel().selectionChanged,
            self.tree.selectionModel().currentRowChanged,
            self.tree.verticalScrollBar().valueChanged,
        ):
            changed.connect(self._save_view_soon)
        self.loader.workspaces_loaded.connect(self._on_loader_workspaces_loaded)
        self.loader.workspaces_failed.connect(self._on_loader_workspaces_failed)
        self.loader.group_failed.connect(self._on_loader_group_failed)
        self.loader.busy_changed.connect(self._on_loader_busy_changed)
        self.loader.busy_changed.connect(self.update_request_count)
        self.loader.key_rejected.connect(self._on_loader_key_rejected)
        # Passed on after the window's own handlers above: listeners see the window updated.
        self.loader.workspaces_loaded.connect(self.workspaces_loaded)
        self.loader.workspaces_failed.connect(self.workspaces_failed)
        self.loader.data_loaded.connect(self.data_loaded)

    # -- accounts ------------------------------------------------------------------------

    def loaders(self) -> list[TreeLoader]:
        """The loader of every account shown: the panel's own first, then the others'."""
        return [self.loader, *self.extra_loaders.values()]

    def loader_for(self, node: Node) -> TreeLoader:
        """The loader of the account the row belongs to."""
        if isinstance(node, GroupNode):
            ws: WorkspaceNode | None = node.workspace
        elif isinstance(node, WorkspaceNode):
            ws = node
        else:
            ws = self.model.workspace_of(node)
        if ws is None:
            return self.loader
        return self.extra_loaders.get(ws.connection, self.loader)

    def attach_loader(self, loader: TreeLoader) -> None:
        """Show another account's rows (desktop.ui.accounts): its loads join the window's
        filter, status line and restored view; its failures are the account's to show."""
        self.extra_loaders[loader.connection] = loader
        loader.include_inactive_users = self.loader.include_inactive_users
        loader.include_archived_clients = self.loader.include_archived_clients
        loader.group_failed.connect(self._schedule_row_restore)
        loader.group_failed.connect(self._on_loader_group_failed)
        loader.busy_changed.connect(self._on_loader_busy_changed)
        loader.busy_changed.connect(self.update_request_count)
        loader.workspaces_loaded.connect(partial(self._on_extra_workspaces_loaded, loader))

    def accounts_changed(self) -> None:
        """Accounts were added or removed: while the panel's own account is not connected,
        show the tree when there are others (their rows), else the invitation to connect."""
        if not self._connect_state_shown:
            return
        on_tree = self.stack.currentWidget() is self.tree_page
        if bool(self.extra_loaders) != on_tree:  # else the page, and the status line, stay
            self.show_connect_state(self._connect_explanation)

    def detach_loader(self, loader: TreeLoader) -> None:
        """Stop showing an account's loads (removed, or about to be started again)."""
        if self.extra_loaders.get(loader.connection) is loader:
            del self.extra_loaders[loader.connection]
        loader.cancel_all()

    @property
    def busy(self) -> bool:
        return any(loader.busy for loader in self.loaders())

    def _on_extra_workspaces_loaded(self, loader: TreeLoader, _count: int) -> None:
        self.restore_view_of(loader.connection, load=True)
        if self.model.query:
            loader.load_everything()

    def _clear_own_rows(self) -> None:
        """Drop the panel's own account's rows; other accounts' stay."""
        if self.extra_loaders:
            self.model.clear_connection(self.loader.connection)
        else:
            self.model.clear()

    # -- connection ----------------------------------------------------------------------

    def connect_client(self, client: ClockifyClient, *, load: bool = True) -> None:
        """Start using a connection, keeping nothing of the old one; `load` fetches now."""
        self.loader.set_client(client)
        self._clear_own_rows()
        self._connected = True
        self._connect_state_shown = False
        self.hide_notice()
        self.stack.setCurrentWidget(self.tree_page)
        if load:
            self.show_status(
                self.tr("Loading workspaces from {host}\u2026").format(host=client.connection.host)
            )
            self.loader.refresh()

    def show_connect_state(self, explanation: str | None = None) -> None:
        """No key: a friendly invitation, not an error. With other accounts shown, their
        rows stay and the account's own row says it is not connected."""
        self.loader.set_client(None)
        self._clear_own_rows()
        self._connected = False
        self._connect_explanation = explanation
        self._connect_state_shown = True
        if self.extra_loaders:
            self.model.set_connection_state(
                self.loader.connection,
                LoadState.FAILED,
                explanation or self.tr("No API key stored: Settings\u2026 to add one."),
            )
            self.stack.setCurrentWidget(self.tree_page)
            self.show_status(self.tr("Not connected"))
            return
        self.connect_label.setText(
            explanation
            or self.tr(
                "Connect to Clockify to see your workspaces, users and clients here.\n\n"
                "You need your personal API key (Clockify: Profile > Settings > API)."
            )
        )
        self.stack.setCurrentWidget(self.connect_page)
        self.show_status(self.tr("Not connected"))

    def show_starting(self, text: str) -> None:
        """The (empty) tree with a status line, while the key or the demo is being set up."""
        self._connect_state_shown = False
        self.stack.setCurrentWidget(self.tree_page)
        self.show_status(text)

    @property
    def connected(self) -> bool:
        return self._connected

    @Slot()
    def refresh(self) -> None:
        if not self._connected and not self.extra_loaders:
            self.settings_requested.emit()
            return
        self.hide_notice()
        self.show_status(self.tr("Refreshing\u2026"))
        for loader in self.loaders():
            loader.refresh()

    def refresh_quietly(self, skip: frozenset[str] = frozenset()) -> None:
        """The refresh at start: reload what is shown, as an automatic refresh, leaving the
        status line and notices alone (the cache's status line stays until fresh data
        arrives). `skip`: workspaces whose groups keep their cached rows."""
        self.loader.refresh(automatic=True, skip=skip)

    # -- data from the cache -------------------------------------------------------------

    def show_cached(self, workspaces: list[Workspace], age: str, connection: str = "") -> None:
        """Show an account's cached workspaces (unless some are shown already), each marked
        with `age`."""
        if not self.model.workspaces(connection):
            self.model.set_workspaces(workspaces, connection)
        for workspace in workspaces:
            node = self.model.workspace(workspace.id, connection)
            if node is not None:
                node.from_cache_age = age

    def show_cached_groups(self, groups: Mapping[str, CachedRows], connection: str = "") -> None:
        """Cached users' and clients' rows (None: not cached), by the ID of their workspace.

        Only under workspaces shown, and only into groups never asked for: a group loading
        or loaded keeps its rows, so live data always replaces cached rows, never the
        other way round.
        """
        for workspace_id, (users, clients) in groups.items():
            node = self.model.workspace(workspace_id, connection)
            if node is None:
                continue
            if users is not None and node.users.state is LoadState.IDLE:
                self.model.set_group_rows(node.users, users)
            if clients is not None and node.clients.state is LoadState.IDLE:
                self.model.set_group_rows(node.clients, clients)

    def shown_data(self, loader: TreeLoader | None = None) -> ShownData:
        """An account's workspaces shown (the panel's own by default), with their users and
        clients where loaded (for the cache)."""
        from desktop.ui.shown_data import ShownData  # not made before the first paint

        loader = loader or self.loader
        workspaces = []
        for node in self.model.workspaces(loader.connection):
            users: list[User] | None = None
            clients: list[Client] | None = None
            if node.users.state is LoadState.LOADED:
                users = [n.record for n in node.users.children if isinstance(n.record, User)]
            if node.clients.state is LoadState.LOADED:
                clients = [n.record for n in node.clients.children if isinstance(n.record, Client)]
            workspaces.append((node.workspace, users, clients))
        return ShownData(
            workspaces,
            loader.include_inactive_users,
            loader.include_archived_clients,
            loader.loaded_at,
        )

    # -- notices and status --------------------------------------------------------------

    def show_status(self, text: str) -> None:
        self.status_label.setText(text)

    def show_notice(
        self, text: str, button: str | None = None, callback: Callable[[], None] | None = None
    ) -> None:
        """A non-blocking bar above the tree (never a modal pop-up)."""
        self.notice_label.setText(text)
        self.notice_button.setVisible(button is not None)
        if button:
            self.notice_button.setText(button)
        self._notice_callback = callback
        self.notice.show()

    def hide_notice(self) -> None:
        self.notice.hide()
        self._notice_callback = None

    @Slot()
    def _on_notice_button_clicked(self) -> None:
        if self._notice_callback is not None:
            self._notice_callback()

    # -- filter --------------------------------------------------------------------------

    @Slot()
    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    @Slot(str)
    def enable_clear_button(self, _text: str = "") -> None:
        """Give the filter its clear button (once; see `_build_ui`)."""
        if not self.filter_edit.isClearButtonEnabled():
            self.filter_edit.setClearButtonEnabled(True)

    def _on_filter_edit_text_changed(self, text: str) -> None:
        self.model.set_filter(text)
        if self.model.query:
            for loader in self.loaders():
                loader.load_everything()
        self._update_count_status()

    def eventFilter(self, watched: object, event: object) -> bool:
        if (
            watched is self.filter_edit
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
        ):
            key = event.key()
            if key == Qt.Key.Key_Escape and self.filter_edit.text():
                self.filter_edit.clear()
                return True
            if key == Qt.Key.Key_Escape and self.hide_on_escape:
                self.dismiss()
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.focus_first_match()
                return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]

    def focus_first_match(self) -> None:
        row = self.model.first_match_row()
        self.tree.setFocus(Qt.FocusReason.OtherFocusReason)
        if row >= 0:
            index = self.model.index(row, 0)
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)

    def _update_count_status(self) -> None:
        if not self.model.query:
            return
        matches = self.model.match_count()
        pending = self.busy
        text = (
            self.tr("{count} matches so far (still loading)")
            if pending
            else self.tr("{count} matches")
        )
        self.show_status(text.format(count=f"{matches:,}"))

    # -- tree ----------------------------------------------------------------------------

    @Slot(QModelIndex, bool)
    def _on_tree_toggle_requested(self, index: QModelIndex, expand: bool) -> None:
        node = self.model.node(index)
        if node is None or isinstance(node, RecordNode):
            return
        self.model.set_expanded(node, expand)
        if expand:
            if isinstance(node, WorkspaceNode):
                for group in node.groups:
                    self.loader_for(group).load_group(group)
            elif isinstance(node, GroupNode) and node.state is LoadState.IDLE:
                self.loader_for(node).load_group(node)

    @Slot(QModelIndex)
    def _on_tree_activated_row(self, index: QModelIndex) -> None:
        node = self.model.node(index)
        if isinstance(node, RecordNode):
            self.copy_names()
        elif isinstance(node, GroupNode) and node.state is LoadState.FAILED:
            self.loader_for(node).load_group(node, force=True)
        elif node is not None:
            self._on_tree_toggle_requested(index, not self.model.is_expanded(node))

    @Slot(QModelIndex)
    def _on_tree_expand_all_requested(self, index: QModelIndex) -> None:
        node = self.model.node(index)
        if node is None:
            return
        for group in self.model.expand_all(node):
            self.loader_for(group).load_group(group)

    @Slot(QModelIndex, QModelIndex)
    def _on_tree_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_details()
        if self._restoring_rows:
            return  # the restored current row loads nothing that expanding did not
        node = self.model.node(current)
        if isinstance(node, WorkspaceNode):
            self.loader_for(node).load_workspace(node.workspace.id)
        elif isinstance(node, GroupNode) and node.state is LoadState.IDLE:
            self.loader_for(node).load_group(node, automatic=True)

    @Slot(QPoint)
    def _on_tree_context_menu(self, pos: QPoint) -> None:
        index = self.tree.indexAt(pos)
        node = self.model.node(index)
        if not isinstance(node, RecordNode | WorkspaceNode):
            return
        if not self.tree.selectionModel().isSelected(index):
            self.tree.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction(self.copy_name_action)
        menu.addAction(self.copy_id_action)
        menu.addAction(self.copy_both_action)
        if isinstance(node, RecordNode):
            menu.addAction(self.copy_email_action)
            if node.kind is Kind.CLIENT:
                menu.addAction(self.copy_bill_to_action)
        menu.addMenu(self.copy_as_menu)
        if isinstance(node, WorkspaceNode) and ledger_of(self.loader_for(node).client) is not None:
            self._menu_workspace = node.workspace.id
            self.paid_plan_action.blockSignals(True)
            self.paid_plan_action.setChecked(self._paid_marks.get(node.workspace.id, False))
            self.paid_plan_action.blockSignals(False)
            menu.addSeparator()
            menu.addAction(self.paid_plan_action)
        menu.addSeparator()
        menu.addAction(self.show_ids_action)
        menu.addAction(self.details_action)
        self.context_menu = menu  # for tests: the menu last shown
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    # -- copy ----------------------------------------------------------------------------

    def selected_nodes(self) -> list[RecordNode | WorkspaceNode]:
        """Selected workspace, user and client rows, top to bottom (else the current row).

        Read from the selection's ranges (top and bottom row each), not from one index per
        row: with 50,000 rows selected that list alone costs more than the whole copy.
        """
        selection = self.tree.selectionModel().selection()
        ranges = (selection.at(i) for i in range(selection.count()))
        spans = [(r.top(), r.bottom()) for r in ranges if r.isValid()]
        if not spans and self.tree.currentIndex().isValid():
            row = self.tree.currentIndex().row()
            spans = [(row, row)]
        return self.model.copyable_in(spans)

    def _copy(self, what: str, values: clipboard.Values) -> None:
        if self.focusWidget() is self.filter_edit and self.filter_edit.hasSelectedText():
            self.filter_edit.copy()  # Ctrl+C in the filter box copies its text, as usual
            return
        self.show_status(clipboard.copy_rows(what, self.selected_nodes(), values))

    @Slot()
    def copy_names(self) -> None:
        self._copy("name", node_names)

    @Slot()
    def copy_ids(self) -> None:
        self._copy("ID", node_ids)

    @Slot()
    def copy_name_and_id(self) -> None:
        self._copy("name and ID", clipboard.names_and_ids)

    @Slot()
    def copy_emails(self) -> None:
        """Ctrl+E: the selected rows' e-mails, one line per row as Ctrl+C copies their names
        (an empty line for a row without one); when no row has one, the clipboard is left
        alone and the status bar says so."""
        nodes = self.selected_nodes()
        if nodes and not any(node_emails(nodes)):
            self.show_status(self._rows_lack(nodes, "e-mail"))
            return
        self._copy("e-mail", node_emails)

    @Slot()
    def copy_bill_to(self) -> None:
        """Ctrl+B: each selected client's bill-to block (formats.bill_to_block), separated
        by an empty line; other rows are left out, and with no client the clipboard is left
        alone and the status bar says so."""
        from desktop.ui import formats  # the copy formats: on first use, not at start

        nodes = self.selected_nodes()
        clients = [n.record for n in nodes if isinstance(n, RecordNode) and n.kind is Kind.CLIENT]
        text = formats.bill_to_blocks([c for c in clients if isinstance(c, Client)])
        if not nodes:
            self.show_status(clipboard.nothing_selected())
        elif not text:
            self.show_status(self._rows_lack(nodes, "bill-to block"))
        else:
            QGuiApplication.clipboard().setText(text)
            client_nodes: list[RecordNode | WorkspaceNode] = [
                n for n in nodes if isinstance(n, RecordNode) and n.kind is Kind.CLIENT
            ]
            self.show_status(clipboard.copied_message("bill-to block", client_nodes))

    def copy_as(self, label: str, render: Callable[[list[formats.Item]], str]) -> None:
        """Copy the selected rows as `render` writes them (a format of "Copy as")."""
        nodes = self.selected_nodes()
        if not nodes:
            self.show_status(clipboard.nothing_selected())
            return
        text = render(self.model.items(nodes))
        label = format_label(label)
        if text:
            QGuiApplication.clipboard().setText(text)
        if not text:
            if len(nodes) == 1:
                message = self.tr("Nothing to copy as {format} for {name}")
            else:
                message = self.tr("Nothing to copy as {format} for {count} rows")
        elif len(nodes) == 1:
            message = self.tr("Copied {name} as {format}")
        else:
            message = self.tr("Copied {count} rows as {format}")
        self.show_status(
            message.format(
                format=label,
                name=clipboard.short(node_name(nodes[0]) or no_name()),
                count=len(nodes),
            )
        )

    def _rows_lack(self, nodes: list[RecordNode | WorkspaceNode], what: str) -> str:
        """ "Acme GmbH has no e-mail: ..." for one row, "The 3 rows have ..." for several."""
        one = len(nodes) == 1
        if what == "e-mail":
            text = (
                self.tr("{name} has no e-mail: nothing copied")
                if one
                else self.tr("The {count} rows have no e-mail: nothing copied")
            )
        else:
            text = (
                self.tr("{name} has no bill-to block (only clients have one)")
                if one
                else self.tr("The {count} rows have no bill-to block (only clients have one)")
            )
        return text.format(name=clipboard.short(node_name(nodes[0]) or no_name()), count=len(nodes))

    def user_templates(self) -> list[tuple[str, str]]:
        """The user's own "Copy as" templates (name, template), as saved."""
        from desktop.ui import formats

        return formats.templates_from_json(self.settings.value(formats.SETTINGS_KEY))

    @Slot()
    def _fill_copy_as_menu(self) -> None:
        from desktop.ui import formats

        menu = self.copy_as_menu
        menu.clear()
        for label, render in formats.BUILT_IN_FORMATS:
            action = menu.addAction(format_label(label))
            action.triggered.connect(partial(self.copy_as, label, render))
        templates = self.user_templates()
        if templates:
            menu.addSeparator()
        for name, text in templates:
            template = formats.Template.parse(text)  # stored ones were checked when read
            action = menu.addAction(visible_text(name).replace("&", "&&"))
            action.triggered.connect(
                partial(self.copy_as, name, partial(formats.render_template, template))
            )
        menu.addSeparator()
        menu.addAction(self.edit_templates_action)

    @Slot()
    def edit_templates(self) -> None:
        """Open the template editor (not modal to the panel's work: Qt's window-modal open)."""
        from desktop.ui.template_dialog import TemplateDialog  # on use: its import is not free

        sample = self.model.items(self.selected_nodes()[:20])
        dialog = TemplateDialog(self.user_templates(), sample, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._save_templates(dialog.templates()))
        self.template_dialog = dialog
        dialog.open()

    def _save_templates(self, templates: list[tuple[str, str]]) -> None:
        from desktop.ui import formats

        self.settings.setValue(formats.SETTINGS_KEY, formats.templates_to_json(templates))
        if len(templates) == 1:
            self.show_status(self.tr("1 template saved"))
        else:
            self.show_status(self.tr("{count} templates saved").format(count=len(templates)))

    # -- the request budget --------------------------------------------------------------

    @Slot()
    def update_request_count(self) -> None:
        """Read the request ledger on a worker, then say on the status line's tooltip how
        many requests each rate-limited workspace shown has had from this app in the last
        hour (unlimited workspaces: nothing)."""
        ledger = self._ledger()
        if ledger is None or self.busy:
            return
        from desktop.store.ledger import FREE_PLAN_LIMIT  # imported with the ledger already

        names = {ws.workspace.id: ws.workspace.name or no_name() for ws in self.model.workspaces()}

        def read(_progress: object) -> list[Usage]:
            return [ledger.usage(workspace_id) for workspace_id in names]

        def show(usages: list[Usage]) -> None:
            self._paid_marks = {u.workspace_id: u.marked_paid for u in usages}
            line = self.tr("Clockify requests in the last hour: {used} of {limit} ({name}, {plan})")
            lines = [
                line.format(
                    used=u.used,
                    limit=FREE_PLAN_LIMIT,
                    name=clipboard.short(names.get(u.workspace_id, u.workspace_id), 40),
                    plan=_plan_text(u),
                )
                for u in usages
                if u.limited
            ]
            text = "\n".join(lines)
            self.status_label.setToolTip(text)
            self.status_label.setAccessibleDescription(text)

        self.runner.submit(
            read, show, lambda error: log.warning("request counts unread: %s", error)
        )

    def _ledger(self) -> RequestLedger | None:
        """The request ledger (one file for every account), if a loader's client counts."""
        for loader in self.loaders():
            ledger = ledger_of(loader.client)
            if ledger is not None:
                return ledger
        return None

    @Slot(bool)
    def _on_paid_plan_toggled(self, paid: bool) -> None:
        ledger = self._ledger()
        workspace_id = self._menu_workspace
        if ledger is None or workspace_id is None:
            return
        self._paid_marks[workspace_id] = paid

        def mark(_progress: object) -> None:
            ledger.set_paid(workspace_id, paid)

        self.runner.submit(
            mark,
            lambda _result: self.update_request_count(),
            lambda error: self.show_status(
                self.tr("The plan could not be saved: {problem}").format(
                    problem=describe_error(error)
                )
            ),
        )

    # -- details and IDs -----------------------------------------------------------------

    @Slot()
    def _update_details(self) -> None:
        if not self.details.isHidden():  # hidden: it is filled when shown
            node = self.model.node(self.tree.currentIndex())
            account = self.model.connection_of(node) if node is not None else None
            shown = account.name if account is not None and self.model.shows_connections else None
            self.details.show_node(node, shown)

    @Slot(bool)
    def _on_details_toggled(self, on: bool) -> None:
        self.settings.setValue(SETTING_DETAILS, on)
        self.details.setVisible(on)
        self._update_details()

    @Slot(bool)
    def _on_show_ids_toggled(self, on: bool) -> None:
        self.settings.setValue(SETTING_IDS, on)
        self.model.set_show_ids(on)

    # -- loader results ------------------------------------------------------------------

    @Slot(int)
    def _on_loader_workspaces_loaded(self, count: int) -> None:
        if count == 0:
            self.show_status(self.tr("This key sees no workspaces."))
        else:
            stamp = time.strftime("%H:%M")
            if count == 1:
                text = self.tr("1 workspace \u00b7 updated {time}")
            else:
                text = self.tr("{count} workspaces \u00b7 updated {time}")
            self.show_status(text.format(count=count, time=stamp))
        self.restore_view(load=True)
        if self.model.query:
            self.loader.load_everything()

    @Slot(object)
    def _on_loader_workspaces_failed(self, error: BaseException) -> None:
        message = describe_error(error)
        self.show_status(message)
        if isinstance(error, RequestBudgetError):
            # Nothing was sent; an automatic refresh may be asked for anyway, a refused F5
            # says when one fits again (the message).
            if error.automatic:
                self.show_notice(message, self.tr("Refresh anyway"), self.refresh)
            else:
                self.show_notice(message)
            return
        if not isinstance(error, KeyRejectedError):
            # A rejected key has its own "Update key" bar; retrying would not help.
            self.show_notice(message, self.tr("Retry"), self.refresh)

    @Slot(object)
    def _on_loader_group_failed(self, error: BaseException) -> None:
        self.show_status(describe_error(error))

    @Slot(bool)
    def _on_loader_busy_changed(self, busy: bool) -> None:
        self.refresh_action.setEnabled(True)
        self._update_count_status()

    @Slot()
    def _on_loader_key_rejected(self) -> None:
        self.show_notice(
            self.tr("Clockify rejected the API key. It may have been regenerated."),
            self.tr("Update key"),
            self.settings_requested.emit,
        )

    # -- the tree across restarts --------------------------------------------------------

    def _init_view_memory(self) -> None:
        """What restoring and saving the tree's state needs (see `restore_view`)."""
        # Read now (the settings file is loaded already), made sense of when rows arrive.
        self._saved_view_text: object = self.settings.value(SETTING_VIEW)
        self._saved_view: SavedView | None = None
        saved = self._saved_view_text not in (None, "")
        self._expansion_pending = saved  # until the first workspaces are shown
        self._groups_pending = saved  # until the restored workspaces' groups are asked for
        self._rows_pending = saved  # until selection and scroll are back, or the user acts
        self._restored_workspaces: list[WorkspaceNode] = []
        self._restoring_rows = False
        self._row_restore_timer = QTimer(self)
        self._row_restore_timer.setSingleShot(True)
        self._row_restore_timer.setInterval(0)  # after the layout change that asked for it
        self._row_restore_timer.timeout.connect(self._restore_rows)
        self._view_save_timer = QTimer(self)
        self._view_save_timer.setSingleShot(True)
        self._view_save_timer.setInterval(VIEW_SAVE_DELAY_MS)
        self._view_save_timer.timeout.connect(self._save_view_in_background)
        # Background saves and the one at quit: the newest wins (see `_write_view`).
        self._view_lock = threading.Lock()
        self._view_generation = 0

    def restore_view(self, *, load: bool) -> None:
        """Open the tree as it was left at the last quit, once its rows are there.

        Called when the first workspaces are shown, from the cache (`load` False: their
        groups come from the cache too) or loaded (`load` True). The saved workspaces and
        groups that still exist open at once; with `load`, the groups of those workspaces
        that have no rows yet are loaded, as expanding a workspace does, and nothing else.
        The selection, the current row and the scroll position follow as the open groups'
        rows arrive, unless the user has clicked, typed or scrolled in the meantime. Rows
        that no longer exist are skipped. Each of these steps happens once per window.
        """
        if self._expansion_pending:
            if not self.model.workspaces():
                return
            self._expansion_pending = False
            from desktop.ui.saved_view import SavedView  # with the first rows: not at start

            self._saved_view = SavedView.from_json(self._saved_view_text)
            self._saved_view_text = None
            if self._saved_view is None:
                self._groups_pending = self._rows_pending = False
                return
            self._restored_workspaces = self.model.expand_keys(self._saved_view.expanded)
        if load and self._groups_pending:
            self._groups_pending = False
            for ws in self._restored_workspaces:
                if ws.expanded and self.model.workspace_of(ws) is ws:
                    for group in ws.groups:
                        if group.state is LoadState.IDLE:
                            self.loader_for(group).load_group(group, automatic=True)
        self._schedule_row_restore()

    def restore_view_of(self, connection: str, *, load: bool) -> None:
        """Another account's workspaces arrived (desktop.ui.accounts): open those of its
        workspaces and groups the saved state had open, as `restore_view` did for the rows
        there before; with `load`, load their groups that have no rows yet."""
        if self._expansion_pending:  # nothing restored yet: this is the first rows' restore
            self.restore_view(load=load)
            return
        saved = self._saved_view
        if saved is None:  # none saved, or forgotten (Disconnect)
            return
        keys = [key for key in saved.expanded if self.model.workspace(key[1], connection)]
        opened = self.model.expand_keys(keys)
        if load:
            for ws in opened:
                for group in ws.groups:
                    if group.state is LoadState.IDLE:
                        self.loader_for(group).load_group(group, automatic=True)
        self._schedule_row_restore()

    def forget_view(self) -> None:
        """Forget the saved state of the tree (Disconnect): nothing of it is restored."""
        self._expansion_pending = self._groups_pending = self._rows_pending = False
        self._saved_view_text = self._saved_view = None
        self._view_save_timer.stop()
        with self._view_lock:
            self._view_generation += 1
            self.settings.remove(SETTING_VIEW)

    @Slot()
    def _on_user_input(self) -> None:
        """The user acted on the tree or the filter: restoring never moves what they chose."""
        if self._rows_pending:
            self._rows_pending = False
            self._row_restore_timer.stop()

    @Slot()
    def _schedule_row_restore(self) -> None:
        if self._rows_pending and not self._expansion_pending:
            self._row_restore_timer.start()

    @Slot()
    def _restore_rows(self) -> None:
        """Select, make current and scroll to the saved rows that are shown now.

        Done again as more of the open groups' rows arrive, until all have arrived.
        """
        saved = self._saved_view
        if not self._rows_pending or saved is None:
            return
        wanted = [*saved.selected]
        wanted.extend(key for key in (saved.current, saved.top) if key is not None)
        rows = self.model.rows_of_keys(wanted)
        selection = QItemSelection()
        for top, bottom in merge_spans((rows[k], rows[k]) for k in saved.selected if k in rows):
            selection.select(self.model.index(top, 0), self.model.index(bottom, 0))
        selection_model = self.tree.selectionModel()
        flag = QItemSelectionModel.SelectionFlag
        self._restoring_rows = True
        try:
            selection_model.select(selection, flag.ClearAndSelect | flag.Rows)
            current = rows.get(saved.current) if saved.current is not None else None
            if current is not None:
                selection_model.setCurrentIndex(self.model.index(current, 0), flag.NoUpdate)
        finally:
            self._restoring_rows = False
        top_row = rows.get(saved.top, -1) if saved.top is not None else -1
        self.tree.restore_scroll(top_row, saved.offset, saved.scroll)
        if self._restored_rows_arrived():
            self._rows_pending = False
            self._view_save_timer.stop()  # what was just restored is what is saved

    def _restored_rows_arrived(self) -> bool:
        """Whether every open group of the restored workspaces has its rows (or failed)."""
        for ws in self._restored_workspaces:
            if not ws.expanded or self.model.workspace(ws.workspace.id) is not ws:
                continue
            for group in ws.groups:
                if (
                    group.expanded
                    and not group.children
                    and group.state
                    not in (
                        LoadState.LOADED,
                        LoadState.FAILED,
                    )
                ):
                    return False
        return True

    def view_state(self) -> SavedView:
        """The tree's open rows, selection, current row and scroll position, by ID."""
        from desktop.ui.saved_view import MAX_SAVED_SELECTION, SavedView

        model = self.model
        selection = self.tree.selectionModel().selection()
        ranges = (selection.at(i) for i in range(selection.count()))
        spans = merge_spans((r.top(), r.bottom()) for r in ranges if r.isValid())
        selected: list[RowKey | None] = []
        if sum(bottom - top + 1 for top, bottom in spans) <= MAX_SAVED_SELECTION:
            selected = [model.row_key(r) for top, bottom in spans for r in range(top, bottom + 1)]
        current = self.tree.currentIndex()
        top, offset, value = self.tree.scroll_state()
        return SavedView(
            expanded=tuple(model.expanded_keys()),
            selected=tuple(key for key in selected if key is not None),
            current=model.row_key(current.row()) if current.isValid() else None,
            top=model.row_key(top),
            offset=offset,
            scroll=value,
        )

    def _view_to_save(self) -> str | None:
        """The state to save now; None while a restore is unfinished or nothing is shown.

        Until the saved state is back (or the user has moved on), it is kept as it is: a
        panel closed before its rows arrived does not forget where it was.
        """
        if self._expansion_pending or self._rows_pending or not self.model.workspaces():
            return None
        return self.view_state().to_json()

    def _save_view(self) -> None:
        """Save the tree's state now, on this thread (at quit)."""
        text = self._view_to_save()
        if text is not None:
            with self._view_lock:
                self._view_generation += 1
                self.settings.setValue(SETTING_VIEW, text)

    @Slot()
    def _save_view_soon(self) -> None:
        """Something the user sees changed: save the tree's state once things are quiet."""
        self._view_save_timer.start()  # not connected directly: start(int) sets the interval

    @Slot()
    def _save_view_in_background(self) -> None:
        text = self._view_to_save()
        if text is None:
            return
        with self._view_lock:
            self._view_generation += 1
            generation = self._view_generation
        self.runner.submit(
            lambda _progress: self._write_view(text, generation),
            lambda _result: None,
            lambda error: log.warning("the tree's state could not be saved: %s", error),
        )

    def _write_view(self, text: str, generation: int) -> None:
        """On a worker: write the state unless a newer one was saved (or forgotten) since."""
        with self._view_lock:
            if generation != self._view_generation:
                return
            settings = app_settings()  # QSettings: one object per thread
            settings.setValue(SETTING_VIEW, text)
            settings.sync()

    # -- toggles and window state --------------------------------------------------------

    def _bool_setting(self, key: str, default: bool = False) -> bool:
        value = self.settings.value(key, default)
        return value in (True, "true", "1", 1)

    @Slot(bool)
    def _on_pin_toggled(self, on: bool) -> None:
        self.settings.setValue(SETTING_ON_TOP, on)
        if bool(self.windowFlags() & Qt.WindowType.WindowStaysOnTopHint) != on:
            visible = self.isVisible()
            self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, on)
            if visible:
                self.show()  # changing flags hides a window

    @Slot(bool)
    def _on_auto_refresh_toggled(self, on: bool) -> None:
        self.settings.setValue(SETTING_AUTO_REFRESH, on)

    @property
    def auto_refresh(self) -> bool:
        return self._bool_setting(SETTING_AUTO_REFRESH, True)

    # -- docs101 cross-reference ---------------------------------------------------------

    @Slot(bool)
    def _on_only_missing_toggled(self, on: bool) -> None:
        self.settings.setValue(SETTING_ONLY_MISSING, on)
        self.model.set_only_missing(on)

    @Slot()
    def _on_model_xref_changed(self) -> None:
        self.export_xref_action.setEnabled(self.model.has_xref())

    @Slot()
    def export_xref(self) -> None:
        """Write every cross-referenced client to a CSV file (the `xref` command's columns)."""
        entries = self.model.xref_entries()
        if not entries:
            self.show_status(self.tr("No client is cross-referenced with docs101 yet."))
            return
        path = self.ask_export_path()
        if not path:
            return

        def work(_progress: object) -> int:
            write_xref_csv(path, entries)
            return len(entries)

        def done(count: int) -> None:
            self.show_status(
                self.tr("Exported {count} clients to {path}.").format(count=f"{count:,}", path=path)
            )

        def failed(error: BaseException) -> None:
            reason = (
                error.strerror
                if isinstance(error, OSError) and error.strerror
                else describe_error(error)
            )
            self.show_status(
                self.tr("The cross-reference could not be written to {path}: {reason}").format(
                    path=path, reason=reason
                )
            )

        self.runner.submit(work, done, failed)

    def choose_customers_csv(self) -> None:
        """Ask for a CSV file of customers; Docs101Link reads it (customers_csv_chosen)."""
        from PySide6.QtWidgets import QFileDialog

        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Customers from a CSV file"),
            "",
            self.tr("CSV files (*.csv);;All files (*)"),
        )
        if path:
            self.customers_csv_chosen.emit(path)

    def _ask_export_path_with_box(self) -> str | None:
        from PySide6.QtWidgets import QFileDialog

        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Export cross-reference"),
            "clockify-docs101.csv",
            self.tr("CSV files (*.csv)"),
        )
        return path or None

    @Slot(bool)
    def _on_inactive_toggled(self, on: bool) -> None:
        self.settings.setValue(SETTING_INACTIVE, on)
        for loader in self.loaders():
            loader.include_inactive_users = on
            loader.reload_kind(Kind.USERS)

    @Slot(bool)
    def _on_archived_toggled(self, on: bool) -> None:
        self.settings.setValue(SETTING_ARCHIVED, on)
        for loader in self.loaders():
            loader.include_archived_clients = on
            loader.reload_kind(Kind.CLIENTS)

    def _restore_window(self) -> None:
        geometry = self.settings.value(SETTING_GEOMETRY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        self._pull_onto_screen()
        on_top = self._bool_setting(SETTING_ON_TOP)
        self.pin_action.setChecked(on_top)
        if on_top:  # off is a new window's state: no flag to set (nor Qt's namespace to build)
            self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)

    def _pull_onto_screen(self) -> None:
        """After a monitor change, a restored window may sit where no screen is."""
        frame = self.frameGeometry()
        screens = QGuiApplication.screens()
        if not screens or any(s.availableGeometry().intersects(frame) for s in screens):
            return
        available = QGuiApplication.primaryScreen().availableGeometry()
        width = min(frame.width(), available.width())
        height = min(frame.height(), available.height())
        self.resize(width, height)
        self.move(available.right() - width + 1, available.top())

    def _save_window_state(self) -> None:
        """Save the tree's state and the geometry now, and write the settings file."""
        self._view_save_timer.stop()
        self._save_view()
        self.settings.setValue(SETTING_GEOMETRY, self.saveGeometry())
        # Written now: after the last window closes, the event loop that would write it
        # later ends, and nothing promises the settings object is destroyed (and flushed).
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_window_state()
        if self.keeps_running_in_tray and not self._quitting:
            event.ignore()
            self.hide()
            self._tray_notice_once()
            return
        for loader in self.loaders():
            loader.cancel_all()
        super().closeEvent(event)

    # -- showing and hiding (the tray, Esc, and a second launch's --show/--hide/--toggle) ---

    @property
    def keeps_running_in_tray(self) -> bool:
        """Whether closing the window hides it in the tray (a tray, and the setting on)."""
        return (
            self.tray is not None
            and self.keep_in_tray_action is not None
            and self.keep_in_tray_action.isChecked()
        )

    @property
    def hide_on_escape(self) -> bool:
        """Whether Esc in an empty filter hides the window: always where the tray is, and
        when set (by the single-instance support while `--toggle` is in use)."""
        return self._hide_on_escape or self.tray is not None

    @hide_on_escape.setter
    def hide_on_escape(self, on: bool) -> None:
        self._hide_on_escape = on

    @Slot()
    def summon(self) -> None:
        """Bring the window to the front, un-minimised, with the filter focused and its
        text selected (a second launch, the tray's Show, a click on the tray icon)."""
        if self.isMinimized():
            self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.show()
        self.raise_()
        self.activateWindow()
        self.focus_filter()

    @Slot()
    def dismiss(self) -> None:
        """Hide the window (the panel keeps running); its state is saved as at a close."""
        self._save_window_state()
        self.hide()

    @Slot()
    def toggle_visible(self, *, raise_if_inactive: bool = True) -> None:
        """Dismiss the window when it is shown, else summon it.

        `raise_if_inactive` (the default, for a keyboard shortcut's `--toggle`): a shown
        window that is not the active one (behind others) comes to the front instead of
        hiding. The tray icon passes False: clicking it may take the focus from the window.
        """
        shown = self.isVisible() and not self.isMinimized()
        if shown and (self.isActiveWindow() or not raise_if_inactive):
            self.dismiss()
        else:
            self.summon()

    @Slot()
    def quit_panel(self) -> None:
        """Really quit (the tray's Quit): save as a close does, then end the application."""
        self._quitting = True
        self._save_window_state()
        for loader in self.loaders():
            loader.cancel_all()
        if self.tray is not None:
            self.tray.hide()
        QApplication.quit()

    def set_up_tray(self) -> None:
        """Where the desktop has a system tray: the tray icon, and "Keep running in the
        tray" at the end of the view options. Looked for once; run_panel asks after the first
        paint, which neither shows (the check and the icon cost 4-5 ms of the start)."""
        if self._tray_looked_for:
            return
        self._tray_looked_for = True
        from desktop.ui.tray import PanelTray, tray_available

        if not tray_available():
            return
        self.keep_in_tray_action = self._action(
            self.tr("Keep running in the tray"), self._on_keep_in_tray_toggled, checkable=True
        )
        self.keep_in_tray_action.setToolTip(
            self.tr("Closing the window hides it in the tray; Quit from the tray icon's menu.")
        )
        self.keep_in_tray_action.setChecked(self._bool_setting(SETTING_KEEP_IN_TRAY, True))
        self._options_menu.addAction(self.keep_in_tray_action)
        self.tray = PanelTray(self)
        self._update_quit_on_close()

    @Slot(bool)
    def _on_keep_in_tray_toggled(self, on: bool) -> None:
        self.settings.setValue(SETTING_KEEP_IN_TRAY, on)
        self._update_quit_on_close()

    def _update_quit_on_close(self) -> None:
        """While the tray keeps the panel, closing its last window (a hidden panel's
        message box, say) must not end the application; otherwise it quits as always."""
        if self.tray is not None:
            QApplication.setQuitOnLastWindowClosed(not self.keeps_running_in_tray)

    def _tray_notice_once(self) -> None:
        """The first time ever the window goes to the tray, the tray says where it went."""
        if self.tray is None or self._bool_setting(SETTING_TRAY_NOTICE_SHOWN):
            return
        self.settings.setValue(SETTING_TRAY_NOTICE_SHOWN, True)
        self.settings.sync()
        self.tray.show_notice()


def _plan_text(usage: Usage) -> str:
    """Why a workspace is limited, for the request count's tooltip."""
    if usage.limited_until is not None and usage.limited_until > time.time():
        return QCoreApplication.translate("PanelWindow", "limited after a 429 answer")
    if usage.plan is None:
        return QCoreApplication.translate("PanelWindow", "plan unknown, counted as Free")
    return QCoreApplication.translate("PanelWindow", "Free plan")


#: The built-in "Copy as" formats' labels (formats.BUILT_IN_FORMATS), for lupdate: the menu
#: and the status messages show them translated.
_FORMAT_LABELS = (
    QT_TRANSLATE_NOOP("PanelWindow", "Name<TAB>ID"),
    QT_TRANSLATE_NOOP("PanelWindow", "Name (ID)"),
    QT_TRANSLATE_NOOP("PanelWindow", "Name <e-mail>"),
    QT_TRANSLATE_NOOP("PanelWindow", "Bill-to block"),
    QT_TRANSLATE_NOOP("PanelWindow", "JSON"),
)


#: The export's columns: those of the `xref` command's csv and json output.
XREF_COLUMNS = ("clockify_id", "clockify_name", "status", "docs101_id", "docs101_name", "score")


def write_xref_csv(path: str, entries: Sequence[Entry]) -> None:
    """`entries` as a CSV file (UTF-8, a header of XREF_COLUMNS); an OSError if not written."""
    import csv

    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(XREF_COLUMNS)
        for entry in entries:
            writer.writerow(
                [
                    entry.clockify_id,
                    entry.clockify_name or "",
                    entry.status,
                    entry.docs101_id or "",
                    entry.docs101_name or "",
                    "" if entry.score is None else f"{entry.score:.1f}",  # as `xref` does
                ]
            )


def format_label(label: str) -> str:
    """A built-in format's label in the interface's language (a user's template: as named)."""
    if label in _FORMAT_LABELS:
        return QCoreApplication.translate("PanelWindow", label)
    return label


__all__ = ["CachedRows", "PanelWindow"]
