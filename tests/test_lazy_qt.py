"""The first frame without PySide's `Qt` namespace (desktop.ui.lazy_qt): the values it sets
are Qt's own, they take effect, and a start paints without building the namespace."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QTableView, QWidget

from desktop.ui import lazy_qt
from desktop.ui.main_window import PanelWindow


def test_the_values_are_qt_s_own() -> None:
    assert Qt.ItemDataRole.DisplayRole.value == lazy_qt.DISPLAY_ROLE
    assert Qt.ItemDataRole.UserRole.value == lazy_qt.USER_ROLE
    assert Qt.TextFormat.PlainText.value == lazy_qt.PLAIN_TEXT
    assert Qt.AlignmentFlag.AlignCenter.value == lazy_qt.ALIGN_CENTER
    assert Qt.ScrollBarPolicy.ScrollBarAlwaysOff.value == lazy_qt.SCROLL_BAR_ALWAYS_OFF
    assert Qt.DropAction.CopyAction.value == lazy_qt.COPY_ACTION
    assert Qt.ContextMenuPolicy.CustomContextMenu.value == lazy_qt.CUSTOM_CONTEXT_MENU


def test_the_stand_in_gives_the_namespace_s_own_names() -> None:
    assert lazy_qt.Qt.AlignmentFlag is Qt.AlignmentFlag
    assert lazy_qt.Qt.ItemDataRole.UserRole is Qt.ItemDataRole.UserRole
    assert lazy_qt.Qt.Key.Key_Escape == Qt.Key.Key_Escape
    with pytest.raises(AttributeError):
        lazy_qt.Qt.NoSuchName  # noqa: B018


def test_each_setter_takes_effect(qapp: QApplication) -> None:
    label = QLabel()
    lazy_qt.set_plain_text(label)
    lazy_qt.set_centred(label)
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.alignment() == Qt.AlignmentFlag.AlignCenter
    view = QTableView()
    lazy_qt.set_no_horizontal_scroll_bar(view)
    lazy_qt.set_copy_on_drop(view)
    lazy_qt.set_custom_context_menu(view)
    assert view.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    assert view.defaultDropAction() == Qt.DropAction.CopyAction
    assert view.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu
    action = QAction()
    lazy_qt.set_shortcut(action, QKeySequence.fromString("Ctrl+Shift+C"))
    assert action.shortcut() == QKeySequence("Ctrl+Shift+C")
    assert action.shortcutContext() == Qt.ShortcutContext.WindowShortcut
    for widget in (label, view):
        widget.deleteLater()


def test_a_property_qt_does_not_have_is_an_error_not_a_silent_no_op(qapp: QApplication) -> None:
    widget = QWidget()
    with pytest.raises(RuntimeError, match="QWidget has no property 'alignment'"):
        lazy_qt.set_centred(widget)  # type: ignore[arg-type]
    widget.deleteLater()


def test_the_window_s_widgets_get_the_values(qapp: QApplication) -> None:
    window = PanelWindow()
    try:
        assert window.status_label.textFormat() == Qt.TextFormat.PlainText
        assert window.notice_label.textFormat() == Qt.TextFormat.PlainText
        assert window.connect_label.textFormat() == Qt.TextFormat.PlainText
        assert window.connect_label.alignment() == Qt.AlignmentFlag.AlignCenter
        assert window.tree.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu
        assert window.tree.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        assert window.tree.defaultDropAction() == Qt.DropAction.CopyAction
        assert window.tree.textElideMode() == Qt.TextElideMode.ElideRight  # Qt's default
        assert window.refresh_action.shortcut() == QKeySequence("F5")
        assert "(F5)" in window.refresh_action.toolTip()
    finally:
        window.close()
        window.deleteLater()


#: A start as `desktop.__main__` makes it, reporting at its first paint whether the `Qt`
#: namespace was built by then, and exiting once the steps after the paint have run.
CHILD = """
import json, os, sys
from desktop.__main__ import parse_arguments
args = parse_arguments(sys.argv[1:])
from desktop.ui.stored import early_start
early = early_start(args)
import desktop.ui.pyside_start
import desktop.ui.app as app_module
report = {}
original = app_module._FirstPaint._run
def run(self):
    import PySide6.QtCore
    report["built"] = "Qt" in vars(PySide6.QtCore)
    original(self)
    from desktop.ui.connection_settings import app_settings
    settings = app_settings()
    report["scheme"] = settings.value(app_module.SETTING_SCHEME)
    settings.sync()
    print(json.dumps(report), flush=True)
    os._exit(0)
app_module._FirstPaint._run = run
app_module.run_panel(args, early, None)
"""


def first_paint(*argv: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *argv],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


@pytest.mark.parametrize("argv", [["--demo"], []], ids=["demo", "no key"])
def test_a_start_paints_before_building_the_namespace(argv: list[str]) -> None:
    """The first start asks Qt for the colour scheme before its first paint (that builds
    the namespace) and remembers it; the next one follows the remembered scheme and asks
    after the paint."""
    first = first_paint(*argv)
    assert first == {"built": True, "scheme": "unknown"}  # offscreen: no scheme
    assert first_paint(*argv) == {"built": False, "scheme": "unknown"}
