"""Render the panel on demo data offscreen and save docs/screenshot.png (for the README).

    python scripts/screenshot.py [--out docs/screenshot.png] [--width 360] [--height 640]
    python scripts/screenshot.py --xref   # docs/screenshot-xref.png

By default the shot opens "Zoë's Design Studio", selects the client "Ærø Ferries" (a
two-line address, an e-mail, a currency and a two-line note) and shows the details card
(Ctrl+I) under the tree. `--workspace`, `--select`, `--filter`, `--no-details` and `--ids`
change what it shows; `--select ''` picks the client by position (`--client`) instead.
`--scheme dark` shows it in the dark scheme (docs/screenshot-dark.png), `--scheme light` in
the light one; by default the platform's (light, offscreen). `--lang de` shows the German
interface (docs/screenshot-de.png), as the "Language" setting does; by default the system's
language (English under LANG=C). The German needs the compiled translations
(scripts/compile_translations.py).

`--xref` also starts the demo docs101 (desktop.demo.docs101) and cross-references the
clients with its customers, as demo mode does: the client rows carry their markers and the
card opens on "Fjäll Outdoor" (similar to "Fjäll Outdoors GmbH") with its docs101 fields;
written to docs/screenshot-xref.png.

Runs in-process like `clockify-panel --demo` (a fake Clockify on 127.0.0.1, no network),
with settings in a temporary folder; needs no display (Qt's offscreen platform).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QGuiApplication

    from desktop.demo.docs101 import DemoDocs101
    from desktop.ui.main_window import PanelWindow
    from desktop.ui.xref_link import Docs101Link

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANG", "C.UTF-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        help="the PNG written (default: docs/screenshot.png, with --xref docs/screenshot-xref.png)",
    )
    parser.add_argument("--width", type=int, default=360)
    parser.add_argument("--height", type=int, default=640)
    parser.add_argument(
        "--workspace",
        default="Zoë's Design Studio",
        help="the demo workspace whose clients are opened ('' for the first)",
    )
    parser.add_argument(
        "--select",
        help="the name of the client to select ('' to pick one by --client; default: "
        "Ærø Ferries, with --xref Fjäll Outdoor)",
    )
    parser.add_argument(
        "--client", type=int, default=2, help="which client row to select without --select"
    )
    parser.add_argument("--filter", default="", help="text typed into the filter box ('' for none)")
    parser.add_argument(
        "--no-details",
        dest="details",
        action="store_false",
        help="leave the details card (Ctrl+I) closed",
    )
    parser.add_argument("--ids", action="store_true", help="show the ID column (Show IDs)")
    parser.add_argument(
        "--scheme",
        choices=("dark", "light"),
        help="the colour scheme the system asks for (default: the platform's)",
    )
    parser.add_argument(
        "--lang",
        choices=("en", "de"),
        help="the interface's language, as the Language setting sets it (default: the system's)",
    )
    parser.add_argument(
        "--xref",
        action="store_true",
        help="cross-reference the clients with the demo docs101 (markers, the card's fields)",
    )
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = ROOT / "docs" / ("screenshot-xref.png" if args.xref else "screenshot.png")
    if args.select is None:
        args.select = "Fjäll Outdoor" if args.xref else "Ærø Ferries"
    # "Partner Agency" forbids listing users on purpose; its warning is not news here.
    logging.getLogger().setLevel(logging.ERROR)

    from PySide6.QtCore import QCoreApplication, QItemSelectionModel
    from PySide6.QtWidgets import QAbstractItemView

    from desktop.clockify import ApiKey, ClockifyClient, Connection
    from desktop.demo import DEMO_API_KEY, demo_server
    from desktop.selftest import isolate_settings, quiet_offscreen_warnings, wait_until
    from desktop.ui.app import create_application
    from desktop.ui.main_window import PanelWindow
    from desktop.ui.tree_model import LoadState

    # A whole row, as a click selects it (the ID column too, when it is shown).
    flag = QItemSelectionModel.SelectionFlag
    row_select = flag.ClearAndSelect | flag.Rows

    deadline = time.monotonic() + 60
    with tempfile.TemporaryDirectory(prefix="clockify-panel-shot-") as settings_dir:
        isolate_settings(settings_dir)
        if args.lang:
            from desktop.ui.connection_settings import app_settings
            from desktop.ui.language import LANGUAGE_KEY

            app_settings().setValue(LANGUAGE_KEY, args.lang)
        quiet_offscreen_warnings()
        app = create_application()
        if args.scheme:
            set_scheme(app, args.scheme == "dark")
        server, _ = demo_server()
        server.latency = 0.0
        server.start()
        docs101 = None
        try:
            window = PanelWindow()
            if args.xref:
                docs101, link = start_docs101(window)
            window.setWindowTitle(QCoreApplication.translate("app", "Clockify Panel (demo data)"))
            window.resize(args.width, args.height)
            window.connect_client(
                ClockifyClient(Connection.for_base_url(server.base_url), ApiKey(DEMO_API_KEY))
            )
            window.show()
            if not wait_until(app, lambda: bool(window.model.workspaces()), deadline):
                print("screenshot: the demo workspaces did not load", file=sys.stderr)
                return 1
            workspaces = window.model.workspaces()
            named = [ws for ws in workspaces if ws.workspace.name == args.workspace]
            if args.workspace and not named:
                print(f"screenshot: no demo workspace {args.workspace!r}", file=sys.stderr)
                return 1
            workspace = named[0] if named else workspaces[0]
            window.details_action.setChecked(args.details)
            window.show_ids_action.setChecked(args.ids)
            group = workspace.clients
            window.model.set_expanded(workspace, True)
            window.model.set_expanded(group, True)
            for each in workspace.groups:
                window.loader.load_group(each)
            loaded = (LoadState.LOADED, LoadState.FAILED)
            if not wait_until(
                app,
                lambda: all(g.state in loaded for g in workspace.groups) and not window.loader.busy,
                deadline,
            ):
                print("screenshot: the clients did not load", file=sys.stderr)
                return 1
            if args.xref and not wait_until(
                app,
                lambda: (
                    link.state == "failed" or all(node.xref is not None for node in group.children)
                ),
                deadline,
            ):
                print("screenshot: the clients were not cross-referenced", file=sys.stderr)
                return 1
            if args.xref and link.state == "failed":
                print("screenshot: the demo docs101 failed", file=sys.stderr)
                return 1
            if not group.children:
                print(f"screenshot: {workspace.workspace.name} has no clients", file=sys.stderr)
                return 1
            if args.select:
                chosen = [n for n in group.children if n.record.name == args.select]
                if not chosen:
                    print(
                        f"screenshot: {workspace.workspace.name} has no client {args.select!r}",
                        file=sys.stderr,
                    )
                    return 1
                node = chosen[0]
            else:
                node = group.children[min(args.client, len(group.children) - 1)]
            index = window.model.index_of(node)
            window.tree.setFocus()
            window.tree.selectionModel().setCurrentIndex(index, row_select)
            # The selected client in the middle of the tree (the card takes the panel's foot).
            app.processEvents()
            window.tree.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
            if args.filter:
                # Typed like a person would; the filter loads every group it still needs.
                window.filter_edit.setFocus()
                for char in args.filter:
                    window.filter_edit.insert(char)
                    app.processEvents()
                every = [g for ws in window.model.workspaces() for g in ws.groups]
                wait_until(
                    app,
                    lambda: all(g.state in loaded for g in every) and not window.loader.busy,
                    deadline,
                )
                match = window.model.index_of(node)
                if not match.isValid():
                    row = window.model.first_match_row()
                    match = window.model.index(max(row, 0), 0)
                window.tree.selectionModel().setCurrentIndex(match, row_select)
                window.tree.scrollToTop()
            else:
                window.copy_ids()  # the status bar then reads "Copied ID of ..."
            if args.details and not window.details.fields():
                print("screenshot: the details card shows no fields", file=sys.stderr)
                return 1
            wait_until(app, lambda: False, time.monotonic() + 0.3)  # let it paint
            image = window.grab()
            args.out.parent.mkdir(parents=True, exist_ok=True)
            if not image.save(str(args.out), "PNG"):
                print(f"screenshot: cannot write {args.out}", file=sys.stderr)
                return 1
            print(f"saved {args.out} ({image.width()}x{image.height()})")
            window.loader.cancel_all()
            window.runner.cancel_all()
            window.hide()
            window.deleteLater()
            app.processEvents()
        finally:
            server.stop()
            if docs101 is not None:
                docs101.stop()
    return 0


def start_docs101(window: PanelWindow) -> tuple[DemoDocs101, Docs101Link]:
    """The demo docs101, started, and the window's link to it, as demo mode sets it up
    (PanelSession.use_docs101): its key only, never the stored key or the environment's."""
    from desktop.clockify import ApiKey
    from desktop.demo.docs101 import demo_docs101
    from desktop.docs101.client import Docs101Client
    from desktop.ui.xref_link import Docs101Link

    docs101, key = demo_docs101()
    docs101.latency = 0.0
    docs101.start()
    link = Docs101Link(
        window, lambda: ApiKey(key), lambda api_key: Docs101Client(docs101.base_url, api_key)
    )
    link.env_key_wins = False
    return docs101, link


def set_scheme(app: QGuiApplication, dark: bool) -> None:
    """Ask for the light or dark scheme (Qt 6.8+); where the platform's palette does not
    follow (offscreen, for one), set the panel's own, as desktop.ui.theme.follow_scheme does."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    from desktop.ui.theme import dark_palette, is_dark, light_palette

    scheme = Qt.ColorScheme.Dark if dark else Qt.ColorScheme.Light
    QGuiApplication.styleHints().setColorScheme(scheme)
    if is_dark(app.palette()) != dark:
        app.setPalette(dark_palette() if dark else light_palette())


if __name__ == "__main__":
    sys.exit(main())
