"""The theme: WCAG contrast of the dimmed and error colours in light and dark palettes, the
system's scheme followed while running, and icons sharp at 2x."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QItemSelectionModel, QRect, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPainter, QPalette
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QStyleFactory

from desktop import resources
from desktop.clockify import Client, User, Workspace
from desktop.ui.theme import (
    AA_NORMAL,
    backgrounds,
    colours,
    contrast,
    dark_palette,
    follow_scheme,
    is_dark,
    light_palette,
    luminance,
    min_contrast,
    selected_contrast,
)
from desktop.ui.tree_model import PanelModel, RecordNode, make_client_nodes, make_user_nodes
from desktop.ui.tree_view import TreeView

R = QPalette.ColorRole


def fusion_light() -> QPalette:
    style = QStyleFactory.create("Fusion")
    assert style is not None
    return style.standardPalette()


def breeze_dark_like() -> QPalette:
    """A dark palette made from one colour, as QPalette(button) derives it."""
    return QPalette(QColor("#31363b"), QColor("#232629"))


def plain_light() -> QPalette:
    return QPalette(QColor("#ffffff"))


def plain_dark() -> QPalette:
    palette = QPalette(QColor("#353535"), QColor("#2b2b2b"))
    palette.setColor(R.Base, QColor("#1e1e1e"))
    palette.setColor(R.AlternateBase, QColor("#262626"))
    palette.setColor(R.Text, QColor("#e6e6e6"))
    palette.setColor(R.WindowText, QColor("#e6e6e6"))
    return palette


PALETTES = {
    "fusion-light": fusion_light,
    "plain-light": plain_light,
    "ours-dark": dark_palette,
    "plain-dark": plain_dark,
    "breeze-dark-like": breeze_dark_like,
    "light_palette": light_palette,
}
DARK = {"ours-dark", "plain-dark", "breeze-dark-like"}


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    """The application, its palette given back to the platform afterwards."""
    yield qapp
    qapp.setPalette(QPalette())


# -- contrast ------------------------------------------------------------------------------


def test_contrast_matches_wcag_reference_values() -> None:
    black, white = QColor("#000000"), QColor("#ffffff")
    assert contrast(black, white) == pytest.approx(21.0)
    assert contrast(white, black) == pytest.approx(21.0)
    assert contrast(white, white) == pytest.approx(1.0)
    # The textbook examples: #777 just misses AA on white, #767676 is the lightest grey that passes.
    assert contrast(QColor("#777777"), white) == pytest.approx(4.48, abs=0.005)
    assert contrast(QColor("#767676"), white) == pytest.approx(4.54, abs=0.005)
    # Linearised sRGB, not lightness: mid grey #808080 is 21.6 % of white's luminance.
    assert luminance(QColor("#808080")) == pytest.approx(0.2159, abs=0.0005)
    assert contrast(QColor("#ff0000"), white) == pytest.approx(4.0, abs=0.005)
    assert contrast(QColor("#0000ff"), white) == pytest.approx(8.59, abs=0.005)


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_dimmed_and_error_colours_are_aa_on_the_rows(app: QApplication, name: str) -> None:
    palette = PALETTES[name]()
    theme = colours(palette)
    assert theme.dark is (name in DARK)
    assert is_dark(palette) is (name in DARK)
    for colour in (theme.dimmed, theme.error):
        for background in backgrounds(palette):
            assert contrast(colour, background) >= AA_NORMAL, (name, colour.name())
        assert min_contrast(colour, palette) >= AA_NORMAL
    # Dimmed: less contrast than the normal text, so it still reads as dimmed.
    text = palette.color(R.Text)
    base = palette.color(R.Base)
    assert contrast(theme.dimmed, base) < contrast(text, base)
    # Error: a red.
    error = theme.error.toRgb()
    assert error.red() > 1.5 * max(error.green(), error.blue()), error.name()
    assert theme.dimmed_brush.color() == theme.dimmed
    assert theme.error_brush.color() == theme.error


def test_figures_of_the_two_schemes(app: QApplication) -> None:
    """The colours the panel shows in Fusion's light palette and in its own dark one."""
    light, dark = colours(fusion_light()), colours(dark_palette())
    assert (light.dimmed.name(), light.error.name()) == ("#707070", "#df1212")
    assert (dark.dimmed.name(), dark.error.name()) == ("#8e8e8e", "#f25a5a")


def test_a_palette_whose_text_is_below_aa_gets_black_or_white(app: QApplication) -> None:
    palette = QPalette(QColor("#808080"))
    palette.setColor(R.Base, QColor("#9a9a9a"))
    palette.setColor(R.AlternateBase, QColor("#9a9a9a"))
    palette.setColor(R.Text, QColor("#bbbbbb"))
    theme = colours(palette)
    assert min_contrast(theme.dimmed, palette) >= AA_NORMAL
    assert min_contrast(theme.error, palette) >= AA_NORMAL


def test_the_dark_palette_is_aa_everywhere_text_is_drawn() -> None:
    palette = dark_palette()
    pairs = [
        (R.Text, R.Base),
        (R.Text, R.AlternateBase),
        (R.WindowText, R.Window),
        (R.ButtonText, R.Button),
        (R.ToolTipText, R.ToolTipBase),
        (R.PlaceholderText, R.Base),
        (R.HighlightedText, R.Highlight),
        (R.Link, R.Base),
    ]
    for fore, back in pairs:
        assert contrast(palette.color(fore), palette.color(back)) >= AA_NORMAL, (fore, back)
    assert selected_contrast(palette) >= AA_NORMAL


# -- the model's colours -------------------------------------------------------------------

WS = "aaaaaaaaaaaaaaaaaaaaaa01"


def model_with_dimmed_rows() -> tuple[PanelModel, list[RecordNode]]:
    model = PanelModel()
    model.set_workspaces([Workspace(id=WS, name="Acme")])
    ws = model.workspaces()[0]
    users = make_user_nodes(
        [
            User(id="u1", name="Active Anna", email=None, status="ACTIVE"),
            User(id="u2", name="Inactive Ivo", email=None, status="INACTIVE"),
        ]
    )
    clients = make_client_nodes(
        [Client(id="c1", name="Archived Ltd", archived=True, email=None, address=None)]
    )
    model.set_group_rows(ws.users, users)
    model.set_group_rows(ws.clients, clients)
    model.set_expanded(ws, True)
    model.set_expanded(ws.users, True)
    model.set_expanded(ws.clients, True)
    return model, users + clients


def foreground(model: PanelModel, node: Any) -> QColor | None:
    brush = model.index_of(node).data(Qt.ItemDataRole.ForegroundRole)
    return None if brush is None else brush.color()


def test_the_model_colours_rows_from_the_theme(app: QApplication) -> None:
    app.setPalette(fusion_light())
    model, (anna, ivo, archived) = model_with_dimmed_rows()
    theme = colours(app.palette())
    assert foreground(model, anna) is None
    assert foreground(model, ivo) == theme.dimmed
    assert foreground(model, archived) == theme.dimmed
    group = model.workspaces()[0].users
    model.set_group_error(group, "HTTP 500")
    assert foreground(model, group) == theme.error
    # One Theme per palette: the same brush object row after row.
    assert model.theme() is model.theme()


def test_a_palette_change_recolours_the_dimmed_rows(app: QApplication, qtbot: Any) -> None:
    app.setPalette(fusion_light())
    model, (_anna, ivo, _archived) = model_with_dimmed_rows()
    light = foreground(model, ivo)
    app.setPalette(dark_palette())
    dark = foreground(model, ivo)
    assert light is not None
    assert dark is not None
    assert light != dark
    assert dark == colours(dark_palette()).dimmed
    assert min_contrast(dark, dark_palette()) >= AA_NORMAL
    # refresh_colours: one dataChanged over the rows, for the view to repaint them.
    with qtbot.waitSignal(model.dataChanged) as blocker:
        model.refresh_colours()
    top, bottom, roles = blocker.args
    assert (top.row(), bottom.row()) == (0, model.rowCount() - 1)
    assert Qt.ItemDataRole.ForegroundRole in roles


def test_following_the_system_scheme_while_running(app: QApplication, qtbot: Any) -> None:
    """The system turns dark, then light again: the palette follows, the model repaints.

    The offscreen platform has no scheme of its own (setColorScheme does nothing there), so
    the change is the signal a platform theme emits.
    """
    app.setPalette(QPalette())
    assert not is_dark(app.palette())
    model, (_anna, ivo, _archived) = model_with_dimmed_rows()
    light = foreground(model, ivo)
    changes: list[bool] = []
    painted: list[object] = []
    model.dataChanged.connect(lambda *args: painted.append(args))

    def on_change() -> None:
        changes.append(is_dark(app.palette()))
        model.refresh_colours()

    follower = follow_scheme(app, on_change)
    try:
        assert not follower.overrides()  # Unknown scheme: the platform's palette stays
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        qtbot.waitUntil(lambda: changes == [True])
        assert follower.overrides()
        assert is_dark(app.palette())
        assert painted
        dark = foreground(model, ivo)
        assert dark == colours(app.palette()).dimmed != light
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        qtbot.waitUntil(lambda: changes == [True, False])
        assert not follower.overrides()  # the platform's own (light) palette again
        assert foreground(model, ivo) == light
    finally:
        shiboken6.delete(follower)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_dark_platform_palette_in_a_dark_scheme_is_left_alone(app: QApplication) -> None:
    app.setPalette(plain_dark())  # as a platform theme (KDE, Windows 11) sets it itself
    calls: list[int] = []
    follower = follow_scheme(app, lambda: calls.append(1))
    try:
        follower.scheme = "dark"
        assert not follower.sync()
        assert app.palette().color(R.Base) == QColor("#1e1e1e")
        follower.scheme = "light"
        assert follower.sync()  # a dark palette in a light scheme: Fusion's light one
        assert not is_dark(app.palette())
    finally:
        shiboken6.delete(follower)


def test_the_first_frame_follows_the_remembered_scheme_until_the_system_s_is_read(
    app: QApplication, qtbot: Any
) -> None:
    """A start follows the scheme seen last time (asking Qt builds PySide's Qt namespace,
    25-45 ms, so it waits for the first paint); `confirm` then reads the system's, puts a
    change made meanwhile right, and remembers it."""
    app.setPalette(QPalette())
    assert not is_dark(app.palette())
    changes: list[bool] = []
    remembered: list[str] = []
    follower = follow_scheme(
        app,
        lambda: changes.append(is_dark(app.palette())),
        remembered="dark",
        remember=remembered.append,
    )
    try:
        assert follower.scheme == "dark"
        assert follower.overrides()
        assert is_dark(app.palette())
        assert changes == []
        assert remembered == []
        follower.confirm()  # offscreen, the system's scheme is unknown
        assert follower.scheme == "unknown"
        assert not follower.overrides()
        assert not is_dark(app.palette())
        assert changes == [False]
        assert remembered == ["unknown"]
        follower.confirm()  # nothing new: nothing changed, nothing written
        assert changes == [False]
        assert remembered == ["unknown"]
        QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        qtbot.waitUntil(lambda: remembered == ["unknown", "dark"])
        assert changes == [False, True]
    finally:
        shiboken6.delete(follower)


@pytest.mark.parametrize("remembered", [None, "purple", 2, ""])
def test_without_a_usable_remembered_scheme_the_system_is_asked_at_once(
    app: QApplication, remembered: object
) -> None:
    app.setPalette(QPalette())
    seen: list[str] = []
    follower = follow_scheme(app, lambda: None, remembered=remembered, remember=seen.append)
    try:
        assert follower.scheme == "unknown"  # offscreen's answer, asked for
        assert not follower.overrides()
        follower.confirm()
        assert seen == ["unknown"]  # remembered for the next start
    finally:
        shiboken6.delete(follower)


# -- selected rows -------------------------------------------------------------------------


def strongest_pixel(image: QImage, rect: QRect, background: QColor) -> QColor:
    """The pixel of `rect` that stands out most from the background: the text's own colour."""
    best, best_contrast = background, 1.0
    for y in range(rect.top(), rect.bottom() + 1):
        for x in range(rect.left(), rect.right() + 1):
            colour = image.pixelColor(x, y)
            ratio = contrast(colour, background)
            if ratio > best_contrast:
                best, best_contrast = colour, ratio
    return best


def close(a: QColor, b: QColor, tolerance: int = 12) -> bool:
    a, b = a.toRgb(), b.toRgb()
    return all(
        abs(x - y) <= tolerance
        for x, y in ((a.red(), b.red()), (a.green(), b.green()), (a.blue(), b.blue()))
    )


@pytest.mark.parametrize("palette_name", ["fusion-light", "ours-dark"])
def test_a_selected_dimmed_row_is_drawn_in_highlighted_text(
    app: QApplication, qtbot: Any, palette_name: str
) -> None:
    """The dimmed colour is never drawn on the Highlight: the style uses HighlightedText."""
    palette = PALETTES[palette_name]()
    app.setPalette(palette)
    model, (_anna, ivo, _archived) = model_with_dimmed_rows()
    view = TreeView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(300, 300)
    view.show()
    qtbot.waitExposed(view)
    theme = colours(palette)
    index = model.index_of(ivo)
    rect = view.visualRect(index).adjusted(2, 2, -2, -2)

    image = view.viewport().grab().toImage()
    unselected = strongest_pixel(image, rect, palette.color(R.Base))
    assert close(unselected, theme.dimmed), (unselected.name(), theme.dimmed.name())

    flag = QItemSelectionModel.SelectionFlag
    view.selectionModel().setCurrentIndex(index, flag.ClearAndSelect | flag.Rows)
    view.setFocus()
    app.processEvents()
    image = view.viewport().grab().toImage()
    highlight = image.pixelColor(rect.right() - 4, rect.center().y())
    selected = strongest_pixel(image, rect, highlight)
    # Anti-aliased on the gradient of the selection: near, not at, the HighlightedText.
    assert close(selected, palette.color(R.HighlightedText), 32), selected.name()
    assert not close(selected, theme.dimmed, 48)


# -- icons ---------------------------------------------------------------------------------

ICONS = sorted(p.stem for p in (resources.resources_dir() / "icons").glob("*.svg"))


def test_there_are_icons() -> None:
    assert {"app", "menu", "pin", "refresh", "settings"} <= set(ICONS)


@pytest.mark.parametrize("name", ICONS)
def test_icons_are_vector_only(name: str) -> None:
    text = (resources.resources_dir() / "icons" / f"{name}.svg").read_text("utf-8")
    assert re.search(r'viewBox="0 0 \d+ \d+"', text)
    assert "<image" not in text
    assert "data:" not in text


@pytest.mark.parametrize("name", ICONS)
@pytest.mark.parametrize("size", [16, 22, 24])
def test_icons_are_sharp_at_2x(app: QApplication, name: str, size: int) -> None:
    """At device pixel ratio 2 the SVG is drawn at twice the pixels, not a 1x pixmap scaled."""
    path = resources.resources_dir() / "icons" / f"{name}.svg"
    icon = resources.icon(name)
    assert not icon.isNull()
    pixmap = icon.pixmap(QSize(size, size), 2.0)
    assert pixmap.devicePixelRatio() == 2.0
    assert (pixmap.width(), pixmap.height()) == (2 * size, 2 * size)
    # The same pixels as the SVG rendered straight at 2x size.
    direct = QImage(2 * size, 2 * size, QImage.Format.Format_ARGB32_Premultiplied)
    direct.fill(Qt.GlobalColor.transparent)
    painter = QPainter(direct)
    QSvgRenderer(str(path)).render(painter)
    painter.end()
    got = pixmap.toImage().convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    got.setDevicePixelRatio(1.0)
    assert got == direct
    # ... and not what a 1x pixmap blown up would give.
    small = QIcon(str(path)).pixmap(QSize(size, size), 1.0).toImage()
    upscaled = small.scaled(
        2 * size,
        2 * size,
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    ).convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    assert got != upscaled


ICON_GREY = QColor("#7c8390")


@pytest.mark.parametrize("background", ["#ffffff", "#efefef", "#353535", "#2b2b2b", "#1e1e1e"])
def test_the_grey_icons_stand_out_in_both_schemes(background: str) -> None:
    """WCAG 1.4.11 (non-text contrast, 3:1) on light and dark windows, buttons and rows."""
    for name in ("menu", "pin", "refresh", "settings"):
        text = (resources.resources_dir() / "icons" / f"{name}.svg").read_text("utf-8")
        assert set(re.findall(r"#[0-9a-fA-F]{6}", text)) == {ICON_GREY.name()}
    assert contrast(ICON_GREY, QColor(background)) >= 3.0
