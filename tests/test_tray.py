"""The tray (issue 18, points 2 and 3): closing hides the panel where a tray keeps it, the
tray's notice says so once, its icon and menu show, hide, refresh, pin and quit, Esc in an
empty filter hides the window, and the window's summon/dismiss/toggle API.

The offscreen platform has no system tray: the tests that need one make
`QSystemTrayIcon.isSystemTrayAvailable` say there is one before the window is made.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QSystemTrayIcon, QToolButton, QWidget
from test_panel import WindowFactory, make_window, settings_dir, show_active

from desktop.ui.main_window import (
    SETTING_GEOMETRY,
    SETTING_KEEP_IN_TRAY,
    SETTING_ON_TOP,
    SETTING_TRAY_NOTICE_SHOWN,
    PanelWindow,
)
from desktop.ui.tray import NOTICE_TEXT, PanelTray

__all__ = ["make_window", "settings_dir"]  # fixtures, used by name

Reason = QSystemTrayIcon.ActivationReason

pytestmark = pytest.mark.qt_log_ignore(
    # The offscreen platform raises no window, and has no tray for the forced one.
    "This plugin does not support raise",
    "No such signal QPlatformNativeInterface::systemTrayWindowChanged",
    extend=True,
)


@pytest.fixture(autouse=True)
def quit_on_last_window(qapp: QApplication) -> Iterator[None]:
    """The window changes this application-wide flag: every test starts and ends with Qt's
    default (True), so a test that forgot it shows, and no other test sees a change."""
    QApplication.setQuitOnLastWindowClosed(True)
    yield
    QApplication.setQuitOnLastWindowClosed(True)


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Every QSystemTrayIcon.showMessage call (its arguments)."""
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(QSystemTrayIcon, "showMessage", lambda _self, *args: calls.append(args))
    return calls


@pytest.fixture
def with_tray(monkeypatch: pytest.MonkeyPatch, messages: list[tuple[Any, ...]]) -> None:
    """The desktop has a system tray (for the windows made from now on)."""
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))


@pytest.fixture
def quits(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every QApplication.quit() call; the test's application does not end."""
    calls: list[str] = []
    monkeypatch.setattr(QApplication, "quit", staticmethod(lambda: calls.append("quit")))
    return calls


@pytest.fixture
def elsewhere(qtbot: Any) -> QWidget:
    """Another window, standing for the application the user works in. (Offscreen, a
    window shown again is not activated again until another one was active meanwhile.)"""
    other = QLineEdit()
    qtbot.addWidget(other)
    return other


def activate(qtbot: Any, widget: QWidget) -> None:
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=5000)


def tray_of(window: PanelWindow) -> PanelTray:
    assert window.tray is not None
    return window.tray


def options_menu_actions(window: PanelWindow) -> list[Any]:
    for button in window.findChildren(QToolButton):
        if button.accessibleName() == "View options":
            return list(button.menu().actions())
    raise AssertionError("no View options button")


def menu_entries(tray: PanelTray) -> list[str]:
    return [a.text() for a in tray.menu.actions() if not a.isSeparator()]


def press_escape_in_filter(window: PanelWindow) -> None:
    QTest.keyClick(window.filter_edit, Qt.Key.Key_Escape)


# -- the tray after the first paint (run_panel) ---------------------------------------------


@pytest.mark.usefixtures("with_tray")
def test_a_tray_set_up_later_is_the_same_tray_once(qtbot: Any, quits: list[str]) -> None:
    """run_panel makes the window with `tray_later` and sets the tray up after its first
    paint: until then no tray and closing quits; then the same icon, menu entry and
    application flag as a window that set it up at once, and a second call adds nothing."""
    window = PanelWindow(tray_later=True)
    qtbot.addWidget(window)
    assert window.tray is None
    assert window.keep_in_tray_action is None
    assert not window.keeps_running_in_tray
    assert QApplication.quitOnLastWindowClosed()
    before = options_menu_actions(window)

    window.set_up_tray()
    window.set_up_tray()

    tray = tray_of(window)
    assert tray.icon.isVisible()
    assert window.keep_in_tray_action is not None
    assert window.keep_in_tray_action.isChecked()
    assert options_menu_actions(window) == [*before, window.keep_in_tray_action]
    assert menu_entries(tray) == ["Show", "Refresh", "Always on top", "Quit"]
    assert not QApplication.quitOnLastWindowClosed()
    assert window.hide_on_escape
    window.quit_panel()
    assert quits == ["quit"]
    window.runner.shutdown()


@pytest.mark.usefixtures("messages")
def test_without_a_tray_set_up_later_nothing_is_added(qtbot: Any) -> None:
    window = PanelWindow(tray_later=True)
    qtbot.addWidget(window)
    before = options_menu_actions(window)
    window.set_up_tray()
    assert window.tray is None
    assert window.keep_in_tray_action is None
    assert options_menu_actions(window) == before
    assert QApplication.quitOnLastWindowClosed()
    window.runner.shutdown()


# -- closing ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("with_tray")
def test_closing_hides_to_the_tray_saves_and_keeps_the_application(
    qtbot: Any, make_window: WindowFactory, quits: list[str]
) -> None:
    window = make_window()
    tray = tray_of(window)
    assert tray.icon.isVisible()
    assert tray.icon.toolTip() == "Clockify Panel"
    assert not tray.icon.icon().isNull()
    assert window.keep_in_tray_action is not None
    assert window.keep_in_tray_action.isChecked()  # on by default where a tray exists
    assert window.keep_in_tray_action in options_menu_actions(window)
    assert not QApplication.quitOnLastWindowClosed()  # a hidden panel's last box closing
    show_active(qtbot, window)

    assert window.close() is False  # the close was refused: the window went to the tray
    assert not window.isVisible()
    assert QSettings().value(SETTING_GEOMETRY) is not None
    assert not QApplication.quitOnLastWindowClosed()
    assert quits == []

    tray.icon.activated.emit(Reason.Trigger)  # and it comes back from there
    assert window.isVisible()


def test_without_a_tray_closing_closes_as_before(
    qtbot: Any, make_window: WindowFactory, messages: list[tuple[Any, ...]]
) -> None:
    window = make_window()
    assert window.tray is None
    assert window.keep_in_tray_action is None
    assert "Keep running in the tray" not in [a.text() for a in options_menu_actions(window)]
    assert QApplication.quitOnLastWindowClosed()
    assert not window.hide_on_escape
    show_active(qtbot, window)

    assert window.close() is True
    assert not window.isVisible()
    assert QSettings().value(SETTING_GEOMETRY) is not None
    assert messages == []


@pytest.mark.usefixtures("with_tray")
def test_keep_running_in_the_tray_off_closes_and_is_remembered(
    qtbot: Any, make_window: WindowFactory, messages: list[tuple[Any, ...]]
) -> None:
    window = make_window()
    action = window.keep_in_tray_action
    assert action is not None
    action.trigger()
    assert not action.isChecked()
    assert QSettings().value(SETTING_KEEP_IN_TRAY) in (False, "false")
    assert QApplication.quitOnLastWindowClosed()
    show_active(qtbot, window)
    assert window.close() is True
    assert messages == []

    again = make_window()
    assert again.keep_in_tray_action is not None
    assert not again.keep_in_tray_action.isChecked()
    assert QApplication.quitOnLastWindowClosed()
    again.keep_in_tray_action.trigger()
    assert not QApplication.quitOnLastWindowClosed()
    assert QSettings().value(SETTING_KEEP_IN_TRAY) in (True, "true")
    show_active(qtbot, again)
    assert again.close() is False
    assert not again.isVisible()


@pytest.mark.usefixtures("with_tray")
def test_the_tray_notice_comes_only_the_first_time_ever(
    qtbot: Any, make_window: WindowFactory, messages: list[tuple[Any, ...]], elsewhere: QWidget
) -> None:
    window = make_window()
    show_active(qtbot, window)
    window.close()
    assert len(messages) == 1
    assert messages[0][1] == NOTICE_TEXT
    assert "tray" in NOTICE_TEXT
    assert "Quit" in NOTICE_TEXT
    assert QSettings().value(SETTING_TRAY_NOTICE_SHOWN) in (True, "true")

    activate(qtbot, elsewhere)
    show_active(qtbot, window)
    window.close()
    assert not window.isVisible()
    assert len(messages) == 1

    again = make_window()  # the next start of the panel
    show_active(qtbot, again)
    again.close()
    assert not again.isVisible()
    assert len(messages) == 1


@pytest.mark.usefixtures("with_tray")
def test_a_hide_without_a_close_shows_no_notice(
    qtbot: Any, make_window: WindowFactory, messages: list[tuple[Any, ...]]
) -> None:
    window = make_window()
    show_active(qtbot, window)
    window.dismiss()
    assert not window.isVisible()
    assert messages == []
    assert QSettings().value(SETTING_TRAY_NOTICE_SHOWN) is None


# -- the tray icon and its menu ---------------------------------------------------------------


@pytest.mark.usefixtures("with_tray")
def test_a_left_click_on_the_icon_hides_and_shows(
    qtbot: Any, make_window: WindowFactory, elsewhere: QWidget
) -> None:
    window = make_window()
    tray = tray_of(window)
    window.filter_edit.setText("acme")
    show_active(qtbot, window)
    window.tree.setFocus()

    tray.icon.activated.emit(Reason.Trigger)
    assert not window.isVisible()
    tray.icon.activated.emit(Reason.Context)  # the right click opens the menu, no more
    tray.icon.activated.emit(Reason.DoubleClick)  # a double click sent a Trigger already
    assert not window.isVisible()

    activate(qtbot, elsewhere)
    tray.icon.activated.emit(Reason.Trigger)
    assert window.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    assert QApplication.focusWidget() is window.filter_edit
    assert window.filter_edit.selectedText() == "acme"

    # A shown window hides on a click even when it is not the active one: clicking the
    # icon may take the focus from it.
    activate(qtbot, elsewhere)
    assert window.isVisible()
    assert not window.isActiveWindow()
    tray.icon.activated.emit(Reason.Trigger)
    assert not window.isVisible()


@pytest.mark.usefixtures("with_tray")
def test_the_menu_shows_refreshes_pins_and_quits(
    qtbot: Any, make_window: WindowFactory, quits: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window()
    tray = tray_of(window)
    assert menu_entries(tray) == ["Show", "Refresh", "Always on top", "Quit"]
    assert tray.icon.contextMenu() is tray.menu
    assert [a.isSeparator() for a in tray.menu.actions()] == [False, False, False, True, False]

    # Screen readers name each entry by its text.
    menu = QAccessible.queryAccessibleInterface(tray.menu)
    assert menu is not None
    names = [menu.child(i).text(QAccessible.Text.Name) for i in range(menu.childCount())]
    assert [n for n in names if n] == menu_entries(tray)

    # Show summons the hidden window.
    window.dismiss()
    tray.show_action.trigger()
    assert window.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)

    # Refresh is the window's own: unconnected, it asks for the settings.
    refresh = next(a for a in tray.menu.actions() if a.text() == "Refresh")
    assert refresh is window.refresh_action
    with qtbot.waitSignal(window.settings_requested, timeout=1000):
        refresh.trigger()

    # Always on top is the window's pin: one check mark, and the window follows it.
    pin = next(a for a in tray.menu.actions() if a.text() == "Always on top")
    assert pin.isCheckable()
    on_top = Qt.WindowType.WindowStaysOnTopHint
    pin.trigger()
    assert window.pin_action.isChecked()
    assert window.windowFlags() & on_top
    assert QSettings().value(SETTING_ON_TOP) in (True, "true")
    window.pin_action.trigger()
    assert not pin.isChecked()
    assert not window.windowFlags() & on_top

    # Quit quits for real: the state is saved, the loads stop, and the close that Qt's
    # quit sends to the window is not turned into a hide.
    cancelled: list[bool] = []
    real_cancel = window.loader.cancel_all

    def cancel_all() -> None:
        cancelled.append(True)
        real_cancel()

    monkeypatch.setattr(window.loader, "cancel_all", cancel_all)
    QSettings().remove(SETTING_GEOMETRY)
    tray.quit_action.trigger()
    assert quits == ["quit"]
    assert cancelled
    assert QSettings().value(SETTING_GEOMETRY) is not None
    assert not tray.icon.isVisible()
    assert window.close() is True


# -- Esc, and the window's API for a second launch ---------------------------------------------


def test_escape_in_an_empty_filter_hides_only_when_asked(
    qtbot: Any, make_window: WindowFactory
) -> None:
    window = make_window()  # no tray here
    show_active(qtbot, window)
    window.focus_filter()
    press_escape_in_filter(window)
    assert window.isVisible()  # no tray, no --toggle: Esc hides nothing

    window.hide_on_escape = True  # what --toggle sets
    assert window.hide_on_escape
    window.filter_edit.setText("acme")
    press_escape_in_filter(window)
    assert window.filter_edit.text() == ""  # Esc with text only clears it
    assert window.isVisible()
    press_escape_in_filter(window)
    assert not window.isVisible()

    window.hide_on_escape = False
    window.summon()
    press_escape_in_filter(window)
    assert window.isVisible()


@pytest.mark.usefixtures("with_tray")
def test_escape_in_an_empty_filter_hides_where_the_tray_is(
    qtbot: Any, make_window: WindowFactory
) -> None:
    window = make_window()
    assert window.hide_on_escape
    window.hide_on_escape = False  # --toggle not in use: the tray is reason enough
    assert window.hide_on_escape
    show_active(qtbot, window)
    window.filter_edit.setText("x")
    press_escape_in_filter(window)
    assert window.isVisible()
    assert window.filter_edit.text() == ""
    press_escape_in_filter(window)
    assert not window.isVisible()


def test_summon_brings_the_window_back_with_the_filter_selected(
    qtbot: Any, make_window: WindowFactory, elsewhere: QWidget
) -> None:
    window = make_window()
    show_active(qtbot, window)
    window.filter_edit.setText("globex")
    window.tree.setFocus()
    window.filter_edit.deselect()
    window.dismiss()
    assert not window.isVisible()
    assert QSettings().value(SETTING_GEOMETRY) is not None  # dismiss saves as a close does

    activate(qtbot, elsewhere)
    window.summon()
    assert window.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    assert QApplication.focusWidget() is window.filter_edit
    assert window.filter_edit.selectedText() == "globex"

    window.showMinimized()
    qtbot.waitUntil(window.isMinimized, timeout=5000)
    window.summon()
    assert not window.isMinimized()
    assert window.isVisible()


def test_toggle_visible_raises_a_window_behind_others_then_hides_it(
    qtbot: Any, make_window: WindowFactory, elsewhere: QWidget
) -> None:
    window = make_window()
    show_active(qtbot, window)
    activate(qtbot, elsewhere)
    assert not window.isActiveWindow()

    window.toggle_visible()  # shown but behind: it comes to the front
    assert window.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    assert QApplication.focusWidget() is window.filter_edit

    window.toggle_visible()  # shown and active: it hides
    assert not window.isVisible()
    window.toggle_visible()  # hidden: it comes back
    assert window.isVisible()

    activate(qtbot, elsewhere)
    window.toggle_visible(raise_if_inactive=False)
    assert not window.isVisible()
