"""The panel's light or dark theme: the system's scheme followed, and readable status colours.

- `colours(palette)` picks the dimmed colour (inactive users, archived clients, rows without
  a name) and the error colour (a group that failed to load) for that palette's row
  backgrounds, so that each keeps a WCAG AA contrast of at least 4.5:1 (normal text) against
  the base and the alternate base colours. `contrast` is WCAG 2's ratio, on the relative
  luminance of the sRGB colours (linearised, not their "lightness").
- `follow_scheme(app, on_change)` keeps the application's palette on the system's light or
  dark scheme (Qt 6.5+ `QStyleHints.colorScheme`), a change while running included. Where
  the platform theme changes the palette itself (Windows 11, macOS, KDE) it is left alone;
  where it only reports the scheme (GNOME without a GTK palette, say), the panel sets a dark
  or light palette of its own, and takes it back when the system's palette matches again.

Selected rows: the styles draw a selected row's text in the palette's HighlightedText,
whatever the model's foreground (QCommonStyle's CE_ItemViewItem), so the dimmed and error
colours never meet the Highlight background; `selected_contrast` measures what does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPalette

from desktop.ui.lazy_qt import Qt

#: WCAG 2 level AA for normal text (1.4.3).
AA_NORMAL = 4.5
#: What the colours are chosen for: a little above AA, so that no rounding takes them below.
TARGET = 4.6

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup


def _linear(channel: float) -> float:
    """One sRGB channel (0..1) as linear light (WCAG 2's formula)."""
    if channel <= 0.04045:
        return channel / 12.92
    return float(((channel + 0.055) / 1.055) ** 2.4)


def luminance(colour: QColor) -> float:
    """WCAG relative luminance: 0 for black, 1 for white (alpha ignored)."""
    rgb = colour.toRgb()
    return (
        0.2126 * _linear(rgb.red() / 255)
        + 0.7152 * _linear(rgb.green() / 255)
        + 0.0722 * _linear(rgb.blue() / 255)
    )


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    la, lb = luminance(a), luminance(b)
    if la < lb:
        la, lb = lb, la
    return (la + 0.05) / (lb + 0.05)


def is_dark(palette: QPalette) -> bool:
    """Whether the palette is a dark one: its window text lighter than its window."""
    return luminance(palette.color(_Role.WindowText)) > luminance(palette.color(_Role.Window))


@dataclass(frozen=True)
class Theme:
    """The colours the tree adds to a palette, as brushes ready for the ForegroundRole."""

    dark: bool
    dimmed: QColor
    error: QColor
    dimmed_brush: QBrush
    error_brush: QBrush


def backgrounds(palette: QPalette) -> list[QColor]:
    """The colours a row's text may stand on: the base and the alternate base."""
    return [palette.color(_Role.Base), palette.color(_Role.AlternateBase)]


def min_contrast(colour: QColor, palette: QPalette) -> float:
    """The colour's lowest contrast with the row backgrounds of the palette."""
    return min(contrast(colour, bg) for bg in backgrounds(palette))


def selected_contrast(palette: QPalette) -> float:
    """The contrast of a selected row's text (HighlightedText) with its Highlight."""
    return contrast(palette.color(_Role.HighlightedText), palette.color(_Role.Highlight))


def colours(palette: QPalette) -> Theme:
    """The dimmed and error colours for this palette, each >= 4.5:1 on its row backgrounds."""
    dimmed = _dimmed(palette)
    error = _error(palette)
    return Theme(is_dark(palette), dimmed, error, QBrush(dimmed), QBrush(error))


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    """a when t is 0, b when t is 1, rounded to 8 bits a channel."""
    ra, rb = a.toRgb(), b.toRgb()
    return QColor(
        round(ra.red() + (rb.red() - ra.red()) * t),
        round(ra.green() + (rb.green() - ra.green()) * t),
        round(ra.blue() + (rb.blue() - ra.blue()) * t),
    )


def _least(make: Callable[[float], QColor], palette: QPalette) -> QColor | None:
    """make(t) for the smallest t in 0..1 that reaches TARGET (make's contrast rising with t);
    None when even make(1) does not."""
    if min_contrast(make(1.0), palette) < TARGET:
        return None
    if min_contrast(make(0.0), palette) >= TARGET:
        return make(0.0)
    low, high = 0.0, 1.0
    for _ in range(16):
        middle = (low + high) / 2
        if min_contrast(make(middle), palette) >= TARGET:
            high = middle
        else:
            low = middle
    return make(high)


def _extreme(palette: QPalette) -> QColor:
    """Black or white, whichever stands out more from the row backgrounds."""
    black, white = QColor(0, 0, 0), QColor(255, 255, 255)
    return black if min_contrast(black, palette) >= min_contrast(white, palette) else white


def _dimmed(palette: QPalette) -> QColor:
    """The palette's disabled text colour, moved towards its text colour until it is AA (from
    the base colour when the disabled text is no dimmer than the text).

    The platform's own dimmed tint is kept as far as it can be; most themes' disabled text
    (Fusion's #bebebe on white: 1.8:1) is too faint for text one must read.
    """
    start = palette.color(_Group.Disabled, _Role.Text)
    text = palette.color(_Group.Active, _Role.Text)
    base = palette.color(_Group.Active, _Role.Base)
    if contrast(start, base) >= contrast(text, base):  # a disabled text that is not dimmer
        start = base
    found = _least(lambda t: _mix(start, text, t), palette)
    if found is None:  # the text itself is below AA: as far as black or white goes
        found = _least(lambda t: _mix(text, _extreme(palette), t), palette)
    return found if found is not None else _extreme(palette)


#: The error colour's hue and saturation (HSL): a red, darker on light rows, lighter on dark.
_ERROR_HUE = 0.0
_ERROR_SATURATION = 0.85


def _error(palette: QPalette) -> QColor:
    """A red at the HSL lightness nearest to a pure red's (0.5) that is AA on the rows."""

    def red(lightness: float) -> QColor:
        return QColor.fromHslF(_ERROR_HUE, _ERROR_SATURATION, lightness).toRgb()

    if _extreme(palette).lightness() > 128:  # dark rows: lighter reds
        found = _least(lambda t: red(0.5 + 0.5 * t), palette)
    else:
        found = _least(lambda t: red(0.5 - 0.5 * t), palette)
    return found if found is not None else _extreme(palette)


# -- the palettes the panel sets itself --------------------------------------------------


def dark_palette() -> QPalette:
    """A dark palette for a platform that reports a dark scheme but keeps a light palette.

    Every text colour is AA (>= 4.5:1) on the background it is drawn on, the selected row's
    white on its blue (5.0:1) included.
    """
    text = QColor("#e6e6e6")
    palette = QPalette()
    for group in (_Group.Active, _Group.Inactive, _Group.Disabled):
        for role, value in (
            (_Role.Window, "#2b2b2b"),
            (_Role.WindowText, text),
            (_Role.Base, "#1e1e1e"),
            (_Role.AlternateBase, "#262626"),
            (_Role.ToolTipBase, "#2b2b2b"),
            (_Role.ToolTipText, text),
            (_Role.PlaceholderText, "#9a9a9a"),
            (_Role.Text, text),
            (_Role.Button, "#353535"),
            (_Role.ButtonText, text),
            (_Role.BrightText, "#ff6b6b"),
            (_Role.Light, "#505050"),
            (_Role.Midlight, "#404040"),
            (_Role.Mid, "#2a2a2a"),
            (_Role.Dark, "#1a1a1a"),
            (_Role.Shadow, "#000000"),
            (_Role.Highlight, "#2a6fc9"),
            (_Role.HighlightedText, "#ffffff"),
            (_Role.Link, "#6cb4ff"),
            (_Role.LinkVisited, "#c09cff"),
            (_Role.Accent, "#2a6fc9"),
        ):
            palette.setColor(group, role, QColor(value))
    for role in (_Role.WindowText, _Role.Text, _Role.ButtonText, _Role.ToolTipText):
        palette.setColor(_Group.Disabled, role, QColor("#7f7f7f"))
    palette.setColor(_Group.Disabled, _Role.Highlight, QColor("#404040"))
    palette.setColor(_Group.Disabled, _Role.HighlightedText, QColor("#a0a0a0"))
    palette.setColor(_Group.Disabled, _Role.Base, QColor("#262626"))
    palette.setColor(_Group.Disabled, _Role.Button, QColor("#2e2e2e"))
    return palette


def light_palette() -> QPalette:
    """Fusion's standard (light) palette, for a platform with a dark palette in a light scheme."""
    from PySide6.QtWidgets import QStyleFactory  # only when the schemes disagree

    style = QStyleFactory.create("Fusion")
    return style.standardPalette() if style is not None else QPalette(QColor("#efefef"))


#: The system's colour schemes by name, as `SchemeFollower.scheme` holds them (and the
#: settings remember the last one seen).
SCHEMES = ("unknown", "light", "dark")


def scheme_name(scheme: Qt.ColorScheme) -> str:
    """ "light", "dark" or "unknown" for one of Qt's colour schemes."""
    if scheme is Qt.ColorScheme.Dark:
        return "dark"
    if scheme is Qt.ColorScheme.Light:
        return "light"
    return "unknown"


class SchemeFollower(QObject):
    """Keeps the application's palette on the system's scheme; see `follow_scheme`."""

    def __init__(
        self,
        app: QGuiApplication,
        on_change: Callable[[], None],
        owner: QObject | None = None,
        remembered: object = None,
        remember: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(owner or app)
        self._app = app
        self._on_change = on_change
        self._overriding = False
        self._remember = remember
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(self._on_scheme_changed)
        self._stored = remembered if remembered in SCHEMES else None
        #: "light", "dark" or "unknown" (SCHEMES).
        self.scheme: str = self._stored or self._system_scheme()

    @staticmethod
    def _system_scheme() -> str:
        # Qt's answer is a Qt.ColorScheme: this builds PySide's Qt namespace (lazy_qt).
        return scheme_name(QGuiApplication.styleHints().colorScheme())

    def overrides(self) -> bool:
        """Whether the application palette is one this object set (and may take back)."""
        return self._overriding

    def sync(self) -> bool:
        """Make the palette agree with `scheme`; returns whether the palette changed."""
        changed = False
        if self._overriding:
            # Back to the platform's palette first: it may well match the scheme by now.
            self._app.setPalette(QPalette())
            self._overriding = False
            changed = True
        if self.scheme == "unknown":
            return changed
        want_dark = self.scheme == "dark"
        if is_dark(self._app.palette()) != want_dark:
            self._app.setPalette(dark_palette() if want_dark else light_palette())
            self._overriding = True
            changed = True
        return changed

    def confirm(self) -> None:
        """Check the remembered scheme against the system's (after the first paint, when
        the palette followed a remembered scheme): a change made while the panel was not
        running is applied now, and the scheme seen is remembered for the next start."""
        self._seen(self._system_scheme())

    def _seen(self, scheme: str) -> None:
        if scheme != self._stored and self._remember is not None:
            self._remember(scheme)
        self._stored = scheme
        if scheme != self.scheme:
            self.scheme = scheme
            self._apply()

    def _on_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        # After the platform's own palette update, which may come in the same event.
        QTimer.singleShot(0, self, lambda: self._seen(scheme_name(scheme)))

    def _apply(self) -> None:
        self.sync()
        self._on_change()


def follow_scheme(
    app: QGuiApplication,
    on_change: Callable[[], None],
    owner: QObject | None = None,
    remembered: object = None,
    remember: Callable[[str], None] | None = None,
) -> SchemeFollower:
    """Follow the system's light or dark scheme from now on; `on_change` is called after
    every change of scheme (with the palette already changed), to drop cached colours.

    The palette is put right at once, so call it before the window is shown. Owned by
    `owner` (the window whose colours `on_change` drops: following stops when it goes), or
    by `app`.

    `remembered` is the scheme `remember` was last given (a setting; anything but one of
    SCHEMES counts as none): the palette follows it, without asking Qt, whose answer builds
    PySide's `Qt` namespace (25-45 ms of the start, desktop.ui.lazy_qt), and `confirm`
    (after the first paint) asks and corrects it. Without one, Qt is asked at once.
    `remember` gets every scheme seen that differs from the one remembered.
    """
    follower = SchemeFollower(app, on_change, owner, remembered, remember)
    follower.sync()
    return follower
