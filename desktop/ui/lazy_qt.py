"""PySide's `Qt` namespace built on first use, and the first frame's Qt values without it.

PySide makes the Python enum types of a class when the class is first used. For the `Qt`
namespace that is 93 types (`Qt.Key` alone has 471 members): 25-45 ms on the machines we
measured, the largest single cost of the panel's start beyond a bare window
(docs/performance.md, section 9). Any use builds all of them: a name looked up
(`Qt.AlignmentFlag`), and a value of one of its types passed between Qt and Python (a
`QKeySequence` handed to `QAction.setShortcut`, whose overloads PySide tries against
`Qt.Key`; `QStyleHints.colorScheme()`).

The modules the panel imports before its first paint therefore take `Qt` from here: a
stand-in that imports the namespace when one of its names is first looked up (then keeps
it), so that importing them builds nothing. What the first frame itself sets goes through
Qt's property system with the integer values below (the property's enum is converted in
C++), and shortcuts through `set_shortcut`. A key press, a row's flags or a menu later builds
the namespace as usual, after the window is on screen.

tests/test_lazy_qt.py checks every value here against Qt's own, and that a start of the
demo, and one without a key, paint their first frame without building the namespace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import Qt as Qt
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QWidget
else:

    class _LazyNamespace:
        """`Qt`, imported at its first name looked up; each name is kept once looked up."""

        def __getattr__(self, name: str) -> object:
            from PySide6.QtCore import Qt

            value = getattr(Qt, name)
            setattr(self, name, value)
            return value

        def __repr__(self) -> str:
            return "<Qt namespace, built on first use>"

    Qt = _LazyNamespace()


#: Qt.ItemDataRole.DisplayRole
DISPLAY_ROLE = 0
#: Qt.ItemDataRole.UserRole: the first role of the application's own.
USER_ROLE = 0x0100
#: Qt.TextFormat.PlainText
PLAIN_TEXT = 0
#: Qt.AlignmentFlag.AlignCenter (AlignHCenter | AlignVCenter)
ALIGN_CENTER = 0x0084
#: Qt.ScrollBarPolicy.ScrollBarAlwaysOff
SCROLL_BAR_ALWAYS_OFF = 1
#: Qt.DropAction.CopyAction
COPY_ACTION = 1
#: Qt.ContextMenuPolicy.CustomContextMenu
CUSTOM_CONTEXT_MENU = 3


def _set(widget: QWidget | QAction, name: str, value: object) -> None:
    if not widget.setProperty(name, value):  # False: no such property (a Qt change)
        raise RuntimeError(f"{type(widget).__name__} has no property {name!r}")


def set_plain_text(label: QLabel) -> None:
    """`label.setTextFormat(Qt.TextFormat.PlainText)`: names from a server are never markup."""
    _set(label, "textFormat", PLAIN_TEXT)


def set_centred(label: QLabel) -> None:
    """`label.setAlignment(Qt.AlignmentFlag.AlignCenter)`."""
    _set(label, "alignment", ALIGN_CENTER)


def set_no_horizontal_scroll_bar(area: QAbstractScrollArea) -> None:
    """`area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)`."""
    _set(area, "horizontalScrollBarPolicy", SCROLL_BAR_ALWAYS_OFF)


def set_copy_on_drop(view: QWidget) -> None:
    """`view.setDefaultDropAction(Qt.DropAction.CopyAction)` (a QAbstractItemView)."""
    _set(view, "defaultDropAction", COPY_ACTION)


def set_custom_context_menu(widget: QWidget) -> None:
    """`widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)`."""
    _set(widget, "contextMenuPolicy", CUSTOM_CONTEXT_MENU)


def set_shortcut(action: QAction, sequence: QKeySequence) -> None:
    """`action.setShortcut(sequence)`: PySide tries that call's overloads against `Qt.Key`,
    the property takes the sequence as it is."""
    _set(action, "shortcut", sequence)
