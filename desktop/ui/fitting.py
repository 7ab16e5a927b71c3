"""Dialogs whose wrapped texts are never cut off: the message area and the fitting dialog."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QDialog, QFrame, QLabel, QScrollArea, QSizePolicy, QWidget

#: A message taller than this many lines scrolls (see MessageArea).
MESSAGE_MAX_LINES = 10


def wrapped_label(text: str, parent: QWidget) -> QLabel:
    """A plain-text label that wraps at word boundaries (its height follows its width)."""
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class MessageArea(QScrollArea):
    """A message of any length: wrapped, selectable, and never cut off.

    It is as tall as its text up to MESSAGE_MAX_LINES lines (a third of the screen at
    most), and scrolls beyond; a word wider than the area (a long host name, a server's
    token) scrolls sideways instead of widening the dialog. Set the text with `setText`,
    so the dialog's height follows it. No frame and no background of its own: it looks
    like a label.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.label = wrapped_label("", self)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self.label.setAutoFillBackground(False)  # setWidget turned it on
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def text(self) -> str:
        return self.label.text()

    def setText(self, text: str) -> None:
        self.label.setText(text)
        self._update_scroll_bar()
        self.updateGeometry()  # the dialog's layout asks heightForWidth again

    def _line(self) -> int:
        return self.label.fontMetrics().lineSpacing()

    def _text_height(self, width: int) -> int:
        """The label's height at `width` (at least its widest word), uncapped."""
        return self.label.heightForWidth(max(width, self.label.minimumSizeHint().width()))

    def _update_scroll_bar(self) -> None:
        # A vertical bar only when the text is taller than the cap: QScrollArea alone keeps
        # a bar it once needed, wrapping a text that would fit into one line more.
        inner = self.width() - 2 * self.frameWidth()
        fits = self._text_height(inner) <= self._max_text_height()
        policy = (
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff if fits else Qt.ScrollBarPolicy.ScrollBarAsNeeded
        )
        if self.verticalScrollBarPolicy() != policy:
            self.setVerticalScrollBarPolicy(policy)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._update_scroll_bar()
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._update_scroll_bar()

    def _max_text_height(self) -> int:
        tallest = self._line() * MESSAGE_MAX_LINES
        screen = self.screen()
        if screen is not None:
            tallest = min(tallest, screen.availableGeometry().height() // 3)
        return max(tallest, self._line())

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        frame = 2 * self.frameWidth()
        inner = max(width - frame, 1)
        height = min(self._text_height(inner), self._max_text_height())
        if self.label.minimumSizeHint().width() > inner:  # the widest word scrolls sideways
            height += self.horizontalScrollBar().sizeHint().height()
        return max(height, self._line()) + frame

    def sizeHint(self) -> QSize:
        width = self.label.fontMetrics().averageCharWidth() * 40
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        # One line: the height it really needs at its width comes from heightForWidth.
        frame = 2 * self.frameWidth()
        return QSize(self.label.fontMetrics().averageCharWidth() * 10, self._line() + frame)


class FittingDialog(QDialog):
    """A dialog as tall as its wrapped texts need at its width, so none is ever cut off.

    Qt sizes a window once, when it is first shown; a wrapped text that gets longer, a
    narrower window or a larger font would then cut texts off. So whenever the layout
    changes (a text, a button shown, the font) or the width does, the height the layout
    needs at the current width becomes the minimum height and the window grows to it; a
    window the user has not made taller shrinks back when the texts get shorter. It opens
    WIDTH_CHARS average characters wide, or wider if its rows need it.
    """

    WIDTH_CHARS = 76

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self._fitted_height: int | None = None  # the height fit() gave it, if it still has it
        self._fitting = False
        self._shown = False

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        width = max(hint.width(), self.fontMetrics().averageCharWidth() * self.WIDTH_CHARS)
        return QSize(width, hint.height())

    def fit(self) -> None:
        """Set the minimum height to what the texts need at this width, and grow to it."""
        layout = self.layout()
        if layout is None or not self.isVisible() or self._fitting:
            return
        self._fitting = True
        try:
            layout.activate()  # may widen the window first, to the layout's minimum width
            needed = max(
                layout.totalHeightForWidth(self.width()), layout.totalMinimumSize().height()
            )
            self.setMinimumHeight(needed)
            if self.height() < needed or self.height() == self._fitted_height:
                self.resize(self.width(), needed)
            self._fitted_height = needed if self.height() == needed else None
        finally:
            self._fitting = False

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:  # a text, a row or the font changed
            self.fit()
        return handled

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown:  # the first height is Qt's guess, not the user's choice
            self._shown = True
            self._fitted_height = self.height()
        self.fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.fit()
