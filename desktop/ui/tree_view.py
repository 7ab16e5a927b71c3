"""A table view that draws the flat rows of PanelModel as a tree (indentation and arrows)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from desktop.ui.tree_model import PanelModel, Role

INDENT = 16


class TreeRowDelegate(QStyledItemDelegate):
    """Paints one row: indentation, a branch arrow for expandable rows, then the text."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
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
        opt.rect = QRect(
            rect.left() + (depth + 1) * INDENT,
            rect.top(),
            rect.width() - (depth + 1) * INDENT,
            rect.height(),
        )
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width() + (int(index.data(Role.DEPTH) or 0) + 1) * INDENT, hint.height())


class TreeView(QTableView):
    """Rows of a PanelModel with tree keys: Left/Right collapse and expand, Enter activates.

    Signals:
        toggle_requested(QModelIndex): an expandable row's arrow, Left/Right or +/- asked
            to open or close it (the model decides).
        activated_row(QModelIndex): Enter or double-click on a row.
    """

    toggle_requested = Signal(QModelIndex, bool)
    activated_row = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(TreeRowDelegate(self))
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the tree, as in any form
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setMouseTracking(True)
        header = self.horizontalHeader()
        header.hide()
        header.setStretchLastSection(True)
        rows = self.verticalHeader()
        rows.hide()
        # Fixed row heights keep layout O(1): the view never asks the model for sizes.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.setAccessibleName("Workspaces, users and clients")

    def model(self) -> PanelModel:
        model = super().model()
        assert isinstance(model, PanelModel)
        return model

    def keyPressEvent(self, event: QKeyEvent) -> None:
        index = self.currentIndex()
        key = event.key()
        if index.isValid() and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            expandable = bool(index.data(Role.EXPANDABLE))
            expanded = bool(index.data(Role.EXPANDED))
            if key in (Qt.Key.Key_Right, Qt.Key.Key_Plus) and expandable:
                if not expanded:
                    self.toggle_requested.emit(index, True)
                elif key == Qt.Key.Key_Right:
                    self._move_to(index.row() + 1)
                return
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
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and index.data(Role.EXPANDABLE):
            depth = int(index.data(Role.DEPTH) or 0)
            x = event.position().x()
            if depth * INDENT <= x < (depth + 1) * INDENT:
                self.setCurrentIndex(index)
                self.toggle_requested.emit(index, not bool(index.data(Role.EXPANDED)))
                return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        index = self.indexAt(event.position().toPoint())
        if index.isValid():
            self.activated_row.emit(index)
            return
        super().mouseDoubleClickEvent(event)

    def _move_to(self, row: int) -> None:
        model = self.model()
        if 0 <= row < model.rowCount():
            index = model.index(row, 0)
            self.setCurrentIndex(index)
            self.scrollTo(index)
