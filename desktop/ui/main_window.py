"""The side panel: toolbar, filter box, the tree and a status bar."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QByteArray, QEvent, QModelIndex, QPoint, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
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
from desktop.clockify import ClockifyClient, KeyRejectedError
from desktop.ui.loader import TreeLoader
from desktop.ui.tree_model import (
    NO_NAME,
    GroupNode,
    Kind,
    LoadState,
    PanelModel,
    RecordNode,
    WorkspaceNode,
    node_emails,
    node_ids,
    node_name,
    node_names,
    visible_text,
)
from desktop.ui.tree_view import TreeView
from desktop.workers import JobRunner

log = logging.getLogger(__name__)

SETTING_ON_TOP = "window/always_on_top"
SETTING_GEOMETRY = "window/geometry"
SETTING_INACTIVE = "view/show_inactive_users"
SETTING_ARCHIVED = "view/show_archived_clients"
#: Off for people on rate-limited plans: the panel then starts on its cached data.
SETTING_AUTO_REFRESH = "connection/refresh_at_start"


def short(text: str, limit: int = 60) -> str:
    """A name for a status message: control characters visible, long names cut."""
    text = visible_text(text)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def names_and_ids(nodes: list[RecordNode | WorkspaceNode]) -> list[str]:
    """One "name<TAB>id" line per node."""
    return [f"{n}\t{i}" for n, i in zip(node_names(nodes), node_ids(nodes), strict=True)]


class PanelWindow(QMainWindow):
    """The reference panel.

    Signals:
        settings_requested(): the settings (connect) dialog should open.
    """

    settings_requested = Signal()

    def __init__(self, runner: JobRunner | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Clockify Panel")
        self.setWindowIcon(resources.icon("app"))
        self.settings = QSettings()
        self.runner = runner or JobRunner(parent=self)
        self.model = PanelModel(self)
        self.loader = TreeLoader(self.model, self.runner, self)
        self.loader.include_inactive_users = self._bool_setting(SETTING_INACTIVE)
        self.loader.include_archived_clients = self._bool_setting(SETTING_ARCHIVED)
        self._connected = False

        self._build_actions()
        self._build_ui()
        self._connect_signals()
        self._restore_window()
        self.show_connect_state()

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
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setToolTip(f"{text} ({QKeySequence(shortcut).toString()})")
        action.setCheckable(checkable)
        if checkable:
            action.toggled.connect(slot)
        else:
            action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.refresh_action = self._action("Refresh", self.refresh, "F5", "refresh")
        self.pin_action = self._action(
            "Always on top", self._on_pin_toggled, "Ctrl+T", "pin", checkable=True
        )
        self.settings_action = self._action(
            "Settings\u2026", self.settings_requested.emit, "Ctrl+,", "settings"
        )
        self.find_action = self._action("Filter", self.focus_filter, QKeySequence.StandardKey.Find)
        self.copy_name_action = self._action("Copy name", self.copy_names, "Ctrl+C")
        self.copy_id_action = self._action("Copy ID", self.copy_ids, "Ctrl+Shift+C")
        self.copy_both_action = QAction("Copy name<TAB>ID", self)
        self.copy_both_action.triggered.connect(self.copy_name_and_id)
        self.copy_email_action = QAction("Copy e-mail", self)
        self.copy_email_action.triggered.connect(self.copy_emails)
        self.inactive_action = self._action(
            "Show inactive users", self._on_inactive_toggled, checkable=True
        )
        self.archived_action = self._action(
            "Show archived clients", self._on_archived_toggled, checkable=True
        )
        self.auto_refresh_action = self._action(
            "Refresh at start", self._on_auto_refresh_toggled, checkable=True
        )
        self.auto_refresh_action.setToolTip(
            "Load fresh data when the panel starts. Off: start on the saved data; F5 refreshes "
            "(saves API requests on rate-limited plans)."
        )
        self.auto_refresh_action.setChecked(self._bool_setting(SETTING_AUTO_REFRESH, True))
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
        self.filter_edit.setPlaceholderText("Filter names, e-mails, IDs (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Filter")
        self.filter_edit.installEventFilter(self)
        bar.addWidget(self.filter_edit, 1)
        for action in (self.refresh_action, self.pin_action, self.settings_action):
            button = QToolButton(central)
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            bar.addWidget(button)
        menu_button = QToolButton(central)
        menu_button.setIcon(resources.icon("menu"))
        menu_button.setToolTip("View options")
        menu_button.setAutoRaise(True)
        menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        options = QMenu(menu_button)
        options.addAction(self.inactive_action)
        options.addAction(self.archived_action)
        options.addSeparator()
        options.addAction(self.auto_refresh_action)
        menu_button.setMenu(options)
        bar.addWidget(menu_button)
        layout.addLayout(bar)

        self.notice = QFrame(central)
        self.notice.setFrameShape(QFrame.Shape.StyledPanel)
        notice_layout = QHBoxLayout(self.notice)
        notice_layout.setContentsMargins(6, 3, 3, 3)
        self.notice_label = QLabel(self.notice)
        self.notice_label.setTextFormat(Qt.TextFormat.PlainText)
        self.notice_label.setWordWrap(True)
        self.notice_button = QPushButton(self.notice)
        self.notice_button.clicked.connect(self._on_notice_button_clicked)
        notice_layout.addWidget(self.notice_label, 1)
        notice_layout.addWidget(self.notice_button)
        self.notice.hide()
        self._notice_callback: Callable[[], None] | None = None
        layout.addWidget(self.notice)

        self.stack = QStackedWidget(central)
        self.tree = TreeView(self.stack)
        self.tree.setModel(self.model)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.stack.addWidget(self.tree)

        self.connect_page = QWidget(self.stack)
        page = QVBoxLayout(self.connect_page)
        page.addStretch(1)
        self.connect_label = QLabel(self.connect_page)
        self.connect_label.setTextFormat(Qt.TextFormat.PlainText)
        self.connect_label.setWordWrap(True)
        self.connect_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        page.addWidget(self.connect_label)
        self.connect_button = QPushButton("Connect to Clockify\u2026", self.connect_page)
        self.connect_button.clicked.connect(self.settings_requested.emit)
        page.addWidget(self.connect_button, 0, Qt.AlignmentFlag.AlignHCenter)
        page.addStretch(2)
        self.stack.addWidget(self.connect_page)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        # Keyboard flow: Tab from the filter goes straight to the tree (buttons come after).
        QWidget.setTabOrder(self.filter_edit, self.tree)

        self.status_label = QLabel(self)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addWidget(self.status_label, 1)
        self.resize(340, 640)

    def _connect_signals(self) -> None:
        self.filter_edit.textChanged.connect(self._on_filter_edit_text_changed)
        self.tree.toggle_requested.connect(self._on_tree_toggle_requested)
        self.tree.activated_row.connect(self._on_tree_activated_row)
        self.tree.customContextMenuRequested.connect(self._on_tree_context_menu)
        self.tree.selectionModel().currentRowChanged.connect(self._on_tree_current_changed)
        self.loader.workspaces_loaded.connect(self._on_loader_workspaces_loaded)
        self.loader.workspaces_failed.connect(self._on_loader_workspaces_failed)
        self.loader.group_failed.connect(self._on_loader_group_failed)
        self.loader.busy_changed.connect(self._on_loader_busy_changed)
        self.loader.key_rejected.connect(self._on_loader_key_rejected)

    # -- connection ----------------------------------------------------------------------

    def connect_client(self, client: ClockifyClient, *, load: bool = True) -> None:
        """Start using a connection, keeping nothing of the old one; `load` fetches now."""
        self.loader.set_client(client)
        self.model.clear()
        self._connected = True
        self.hide_notice()
        self.stack.setCurrentWidget(self.tree)
        if load:
            self.show_status(f"Loading workspaces from {client.connection.host}\u2026")
            self.loader.refresh()

    def show_connect_state(self, explanation: str | None = None) -> None:
        """No key: a friendly invitation, not an error."""
        self.loader.set_client(None)
        self.model.clear()
        self._connected = False
        self.connect_label.setText(
            explanation
            or "Connect to Clockify to see your workspaces, users and clients here.\n\n"
            "You need your personal API key (Clockify: Profile > Settings > API)."
        )
        self.stack.setCurrentWidget(self.connect_page)
        self.show_status("Not connected")

    def show_starting(self, text: str) -> None:
        """The (empty) tree with a status line, while the key or the demo is being set up."""
        self.stack.setCurrentWidget(self.tree)
        self.show_status(text)

    @property
    def connected(self) -> bool:
        return self._connected

    @Slot()
    def refresh(self) -> None:
        if not self._connected:
            self.settings_requested.emit()
            return
        self.hide_notice()
        self.show_status("Refreshing\u2026")
        self.loader.refresh()

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
    def _on_filter_edit_text_changed(self, text: str) -> None:
        self.model.set_filter(text)
        if self.model.query:
            self.loader.load_everything()
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
        pending = self.loader.busy
        self.show_status(f"{matches:,} matches" + (" so far (still loading)" if pending else ""))

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
                    self.loader.load_group(group)
            elif node.state is LoadState.IDLE:
                self.loader.load_group(node)

    @Slot(QModelIndex)
    def _on_tree_activated_row(self, index: QModelIndex) -> None:
        node = self.model.node(index)
        if isinstance(node, RecordNode):
            self.copy_names()
        elif isinstance(node, GroupNode) and node.state is LoadState.FAILED:
            self.loader.load_group(node, force=True)
        elif node is not None:
            self._on_tree_toggle_requested(index, not self.model.is_expanded(node))

    @Slot(QModelIndex, QModelIndex)
    def _on_tree_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        node = self.model.node(current)
        if isinstance(node, WorkspaceNode):
            self.loader.load_workspace(node.workspace.id)
        elif isinstance(node, GroupNode) and node.state is LoadState.IDLE:
            self.loader.load_group(node)

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
        if isinstance(node, RecordNode) and node.kind is Kind.USER:
            menu.addAction(self.copy_email_action)
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

    def _copy(
        self, what: str, values: Callable[[list[RecordNode | WorkspaceNode]], list[str]]
    ) -> None:
        if self.focusWidget() is self.filter_edit and self.filter_edit.hasSelectedText():
            self.filter_edit.copy()  # Ctrl+C in the filter box copies its text, as usual
            return
        nodes = self.selected_nodes()
        if not nodes:
            self.show_status("Nothing selected to copy")
            return
        QGuiApplication.clipboard().setText("\n".join(values(nodes)))
        if len(nodes) == 1:
            self.show_status(f"Copied {what} of {short(node_name(nodes[0]) or NO_NAME)}")
        else:
            self.show_status(f"Copied {what}s of {len(nodes)} rows")

    @Slot()
    def copy_names(self) -> None:
        self._copy("name", node_names)

    @Slot()
    def copy_ids(self) -> None:
        self._copy("ID", node_ids)

    @Slot()
    def copy_name_and_id(self) -> None:
        self._copy("name and ID", names_and_ids)

    @Slot()
    def copy_emails(self) -> None:
        self._copy("e-mail", node_emails)

    # -- loader results ------------------------------------------------------------------

    @Slot(int)
    def _on_loader_workspaces_loaded(self, count: int) -> None:
        if count == 0:
            self.show_status("This key sees no workspaces.")
        else:
            stamp = time.strftime("%H:%M")
            self.show_status(f"{count} workspace{'s' if count != 1 else ''} \u00b7 updated {stamp}")
        if self.model.query:
            self.loader.load_everything()

    @Slot(str)
    def _on_loader_workspaces_failed(self, message: str) -> None:
        self.show_status(message)
        if not isinstance(self.loader.last_error, KeyRejectedError):
            # A rejected key has its own "Update key" bar; retrying would not help.
            self.show_notice(message, "Retry", self.refresh)

    @Slot(str)
    def _on_loader_group_failed(self, message: str) -> None:
        self.show_status(message)

    @Slot(bool)
    def _on_loader_busy_changed(self, busy: bool) -> None:
        self.refresh_action.setEnabled(True)
        self._update_count_status()

    @Slot()
    def _on_loader_key_rejected(self) -> None:
        self.show_notice(
            "Clockify rejected the API key. It may have been regenerated.",
            "Update key",
            self.settings_requested.emit,
        )

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

    @Slot(bool)
    def _on_inactive_toggled(self, on: bool) -> None:
        self.settings.setValue(SETTING_INACTIVE, on)
        self.loader.include_inactive_users = on
        self.loader.reload_kind(Kind.USERS)

    @Slot(bool)
    def _on_archived_toggled(self, on: bool) -> None:
        self.settings.setValue(SETTING_ARCHIVED, on)
        self.loader.include_archived_clients = on
        self.loader.reload_kind(Kind.CLIENTS)

    def _restore_window(self) -> None:
        geometry = self.settings.value(SETTING_GEOMETRY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        self._pull_onto_screen()
        on_top = self._bool_setting(SETTING_ON_TOP)
        self.pin_action.setChecked(on_top)
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, on_top)

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

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue(SETTING_GEOMETRY, self.saveGeometry())
        self.loader.cancel_all()
        super().closeEvent(event)


__all__ = ["PanelWindow"]
