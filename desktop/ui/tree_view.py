"""A table view that draws the flat rows of PanelModel as a tree (indentation and arrows).

Column 0 is the tree (indented, with arrows) and stretches; the optional ID column is plain
text of a fixed width, measured once from its font: never sized to its contents, which
would read every row. Keys follow the tree conventions: Right/Left open and close, `*`
opens everything under the row, Enter activates it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPalette,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyledItemDelegate,
    QTableView,
    QWidget,
)

from desktop.ui.lazy_qt import Qt, set_copy_on_drop, set_no_horizontal_scroll_bar
from desktop.ui.tree_model import PanelModel, Role, id_font

if TYPE_CHECKING:
    # Imported where a row is painted (TreeRowDelegate): PySide builds their 11 enum types
    # with them, which a first frame without rows never needs.
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QStyleOptionViewItem

INDENT = 16
#: The ID column is as wide as this many characters of its fixed-pitch font, plus padding.
ID_CHARS = 24
ID_PADDING = 16
KEYS_DESCRIPTION = (
    "Right/Left open and close, * opens everything under the row, Enter copies the name"
)


def keys_description() -> str:
    """KEYS_DESCRIPTION in the interface's language."""
    return QCoreApplication.translate(
        "TreeView",
        "Right/Left open and close, * opens everything under the row, Enter copies the name",
    )


#: A client row's docs101 marker (Role.XREF): its glyph and colour, drawn at the row's end.
XREF_MARKERS: dict[str, tuple[str, QColor]] = {
    "match": ("\u2713", QColor(46, 125, 50)),
    "similar": ("\u2248", QColor(230, 120, 0)),
    "missing": ("\u2717", QColor(198, 40, 40)),
}


class TreeRowDelegate(QStyledItemDelegate):
    """Paints one row: indentation, a branch arrow for expandable rows, then the text.

    A client row with docs101 data ends in a marker (XREF_MARKERS): one glyph, no lookup.
    Only column 0 is drawn as the tree; other columns (the IDs) as plain cells.
    """

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if index.column() != 0:
            super().paint(painter, option, index)
            return
        # Imported at the first row painted, not with this module: PySide builds QStyle's
        # 15 enum types with it (about 14 ms), which a window without rows never needs.
        from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        rect = QRect(opt.rect)
        # Full-row background and selection first, then the indented content.
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        depth = int(index.data(Role.DEPTH) or 0)
        left = rect.left() + depth * INDENT
        if index.data(Role.EXPANDABLE):
            branch = QStyleOptionViewItem(opt)
            branch.rect = QRect(left, rect.top(), INDENT, rect.height())
            state = opt.state | QStyle.StateFlag.State_Children
            if index.data(Role.EXPANDED):
                state |= QStyle.StateFlag.State_Open
            branch.state = state
            style.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorBranch, branch, painter, widget)
        marker = XREF_MARKERS.get(index.data(Role.XREF) or "")
        width = 0
        if marker is not None:
            width = opt.fontMetrics.height() + 4
        opt.rect = QRect(
            rect.left() + (depth + 1) * INDENT,
            rect.top(),
            rect.width() - (depth + 1) * INDENT - width,
            rect.height(),
        )
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        if marker is not None:
            glyph, colour = marker
            if opt.state & QStyle.StateFlag.State_Selected:
                colour = opt.palette.color(QPalette.ColorRole.HighlightedText)
            painter.save()
            painter.setPen(colour)
            painter.setFont(opt.font)
            box = QRect(rect.right() - width + 1, rect.top(), width, rect.height())
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, glyph)
            painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        if index.column() != 0:
            return hint
        return QSize(hint.width() + (int(index.data(Role.DEPTH) or 0) + 1) * INDENT, hint.height())


class TreeView(QTableView):
    """Rows of a PanelModel with tree keys: Left/Right collapse and expand, Enter activates.

    Signals:
        toggle_requested(QModelIndex): an expandable row's arrow, Left/Right or +/- asked
            to open or close it (the model decides).
        expand_all_requested(QModelIndex): `*` on an expandable row asked to open it and
            everything under it (see PanelModel.expand_all).
        activated_row(QModelIndex): Enter or double-click on a row.
        user_input(): the user pressed a key or a mouse button in the tree, turned the
            wheel or moved the scroll bar (never emitted for changes made by code).
    """

    toggle_requested = Signal(QModelIndex, bool)
    expand_all_requested = Signal(QModelIndex)
    activated_row = Signal(QModelIndex)
    user_input = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(TreeRowDelegate(self))
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the tree, as in any form
        set_no_horizontal_scroll_bar(self)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setMouseTracking(True)
        # Rows can be dragged out (names as text, records as JSON), never dropped in.
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        set_copy_on_drop(self)
        header = self.horizontalHeader()
        header.hide()
        # Column 0 stretches; any other column (the IDs) is fixed, as wide as 24 hex digits.
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # Measured when the ID column first shows (loading the fixed-pitch font: ~4 ms).
        self._id_width: int | None = None
        header.sectionCountChanged.connect(self._on_section_count_changed)
        rows = self.verticalHeader()
        rows.hide()
        # Fixed row heights keep layout O(1): the view never asks the model for sizes.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.setAccessibleName(self.tr("Workspaces, users and clients"))
        self.setAccessibleDescription(keys_description())
        self.verticalScrollBar().actionTriggered.connect(self._on_scroll_action)

    def model(self) -> PanelModel:
        model = super().model()
        assert isinstance(model, PanelModel)
        return model

    def id_column_width(self) -> int:
        """The fixed width of the ID column, in pixels."""
        if self._id_width is None:
            metrics = QFontMetrics(id_font())
            self._id_width = metrics.horizontalAdvance("0" * ID_CHARS) + ID_PADDING
            self.horizontalHeader().setDefaultSectionSize(self._id_width)
        return self._id_width

    @Slot(int, int)
    def _on_section_count_changed(self, old: int, new: int) -> None:
        """Size the columns; a column shown now joins the selected rows' selection."""
        header = self.horizontalHeader()
        for section in range(new):
            if section == 0:
                header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            else:
                header.setSectionResizeMode(section, QHeaderView.ResizeMode.Fixed)
                header.resizeSection(section, self.id_column_width())
        selection_model = self.selectionModel()
        if (
            0 < old < new
            and selection_model is not None
            and selection_model.model() is super().model()
            and selection_model.hasSelection()
        ):
            # One range per selected span, not per row: widen each to the whole row.
            flag = QItemSelectionModel.SelectionFlag
            selection_model.select(selection_model.selection(), flag.Select | flag.Rows)

    @Slot(int)
    def _on_scroll_action(self, _action: int) -> None:
        self.user_input.emit()

    def scroll_state(self) -> tuple[int, int, int]:
        """(the row at the top, -1 if none; pixels of it scrolled past; the scroll value)."""
        value = self.verticalScrollBar().value()
        top = self.rowAt(0)
        if top < 0:
            return -1, 0, value
        return top, max(value - self.verticalHeader().sectionPosition(top), 0), value

    def restore_scroll(self, top: int, offset: int, value: int) -> None:
        """Scroll so `top` (if >= 0) is at the top, `offset` pixels past; else to `value`.

        The rows may have just changed: the scroll bar's range is brought up to date first.
        """
        self.executeDelayedItemsLayout()
        self.updateGeometries()
        if top >= 0:
            value = self.verticalHeader().sectionPosition(top) + offset
        self.verticalScrollBar().setValue(value)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self.user_input.emit()
        index = self.currentIndex()
        key = event.key()
        modifiers = event.modifiers()
        if index.isValid() and key == Qt.Key.Key_Asterisk:
            # `*` is Shift+8 on many layouts: Shift and the keypad are both fine.
            allowed = Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier
            if not modifiers & ~allowed:
                if index.data(Role.EXPANDABLE):
                    self.expand_all_requested.emit(index)
                return
        if index.isValid() and not modifiers & ~Qt.KeyboardModifier.KeypadModifier:
            expandable = bool(index.data(Role.EXPANDABLE))
            expanded = bool(index.data(Role.EXPANDED))
            if key in (Qt.Key.Key_Right, Qt.Key.Key_Plus) and expandable:
                if not expanded:
                    self.toggle_requested.emit(index, True)
                elif key == Qt.Key.Key_Right:
                    self._move_to(index.row() + 1)
                return
            if key == Qt.Key.Key_Right:
                return  # not to the ID column: Right is the tree's key
            if key in (Qt.Key.Key_Left, Qt.Key.Key_Minus):
                if expandable and expanded:
                    self.toggle_requested.emit(index, False)
                elif key == Qt.Key.Key_Left:
                    parent = self.model().parent_row(index.row())
                    self._move_to(parent if parent >= 0 else index.row())
                return
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.activated_row.emit(index)
                return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.user_input.emit()
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and index.column() == 0 and index.data(Role.EXPANDABLE):
            depth = int(index.data(Role.DEPTH) or 0)
            x = event.position().x()
            if depth * INDENT <= x < (depth + 1) * INDENT:
                self.setCurrentIndex(index)
                self.toggle_requested.emit(index, not bool(index.data(Role.EXPANDED)))
                return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.user_input.emit()
        index = self.indexAt(event.position().toPoint())
        if index.isValid():
            self.activated_row.emit(index)
            return
        super().mouseDoubleClickEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.user_input.emit()
        super().wheelEvent(event)

    def _move_to(self, row: int) -> None:
        model = self.model()
        if 0 <= row < model.rowCount():
            index = model.index(row, 0)
            self.setCurrentIndex(index)
            self.scrollTo(index)
