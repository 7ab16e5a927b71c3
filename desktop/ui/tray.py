"""The panel's tray icon: a left click shows or hides the window, its menu Show, Refresh,
Always on top and Quit (issue 18, point 2). PanelWindow makes one only where the desktop
has a system tray (`tray_available`)."""

from __future__ import annotations

from typing import Protocol, cast

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from desktop import resources


class PanelWindow(Protocol):
    """What the tray needs of the panel's window (desktop.ui.main_window.PanelWindow, which
    makes the tray: naming it here would make the two modules import each other)."""

    refresh_action: QAction
    pin_action: QAction

    def toggle_visible(self, *, raise_if_inactive: bool = True) -> None: ...

    def summon(self) -> None: ...

    def quit_panel(self) -> None: ...


#: The icon's tooltip and the notice (English; shown translated with PanelTray.tr).
TOOLTIP: str = QT_TRANSLATE_NOOP("PanelTray", "Clockify Panel")  # type: ignore[assignment]
NOTICE_TITLE = TOOLTIP
NOTICE_TEXT: str = QT_TRANSLATE_NOOP(  # type: ignore[assignment]
    "PanelTray",
    "Clockify Panel is still running in the tray; click its icon to show it again. "
    "Quit from its menu.",
)


def tray_available() -> bool:
    """Whether the desktop has a system tray (looked up on each call, so tests can patch it)."""
    return bool(QSystemTrayIcon.isSystemTrayAvailable())


class PanelTray(QObject):
    """The tray icon of a PanelWindow, shown from the start.

    Its menu holds the window's own Refresh and Always on top actions, so their state
    (the pin's check mark, a disabled refresh) is the window's. Every menu entry is text:
    screen readers read the texts as the entries' names.
    """

    def __init__(self, window: QWidget) -> None:
        """`window`: the PanelWindow (typed by what the tray uses of it, see PanelWindow)."""
        super().__init__(window)
        self.window = cast("PanelWindow", window)
        self.icon = QSystemTrayIcon(resources.icon("app"), self)
        self.icon.setToolTip(self.tr(TOOLTIP))
        self.show_action = QAction(self.tr("Show"), self)
        self.show_action.triggered.connect(self._on_show_triggered)
        self.quit_action = QAction(self.tr("Quit"), self)
        self.quit_action.triggered.connect(self._on_quit_triggered)
        self.menu = QMenu(window)
        self.menu.addAction(self.show_action)
        self.menu.addAction(self.window.refresh_action)
        self.menu.addAction(self.window.pin_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.icon.show()

    @Slot(QSystemTrayIcon.ActivationReason)
    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # Only a left click: a double click also sends Trigger first, so it is not a toggle
        # of its own. On some desktops clicking the icon takes the focus from the window:
        # a shown window hides whether it is the active one or not.
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.window.toggle_visible(raise_if_inactive=False)

    @Slot()
    def _on_show_triggered(self) -> None:
        self.window.summon()

    @Slot()
    def _on_quit_triggered(self) -> None:
        self.window.quit_panel()

    def show_notice(self) -> None:
        """Say once where the window went (the window decides when: see `closeEvent`)."""
        self.icon.showMessage(
            self.tr(NOTICE_TITLE),
            self.tr(NOTICE_TEXT),
            QSystemTrayIcon.MessageIcon.Information,
            8000,
        )

    def hide(self) -> None:
        """Take the icon out of the tray (at quit: no icon lingers until the process ends)."""
        self.icon.hide()


__all__ = ["NOTICE_TEXT", "PanelTray", "tray_available"]
