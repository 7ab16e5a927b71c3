"""Render the panel on demo data offscreen and save docs/screenshot.png (for the README).

    python scripts/screenshot.py [--out docs/screenshot.png] [--width 360] [--height 640]

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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANG", "C.UTF-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--width", type=int, default=360)
    parser.add_argument("--height", type=int, default=640)
    parser.add_argument("--client", type=int, default=2, help="which client row to select")
    parser.add_argument(
        "--filter", default="studio", help="text typed into the filter box ('' for none)"
    )
    args = parser.parse_args(argv)
    # "Partner Agency" forbids listing users on purpose; its warning is not news here.
    logging.getLogger().setLevel(logging.ERROR)

    from PySide6.QtCore import QItemSelectionModel

    from desktop.clockify import ApiKey, ClockifyClient, Connection
    from desktop.demo import DEMO_API_KEY, demo_server
    from desktop.selftest import isolate_settings, quiet_offscreen_warnings, wait_until
    from desktop.ui.app import create_application
    from desktop.ui.main_window import PanelWindow
    from desktop.ui.tree_model import LoadState

    deadline = time.monotonic() + 60
    with tempfile.TemporaryDirectory(prefix="clockify-panel-shot-") as settings_dir:
        isolate_settings(settings_dir)
        quiet_offscreen_warnings()
        app = create_application()
        server, _ = demo_server()
        server.latency = 0.0
        server.start()
        try:
            window = PanelWindow()
            window.setWindowTitle("Clockify Panel (demo data)")
            window.resize(args.width, args.height)
            window.connect_client(
                ClockifyClient(Connection.for_base_url(server.base_url), ApiKey(DEMO_API_KEY))
            )
            window.show()
            if not wait_until(app, lambda: bool(window.model.workspaces()), deadline):
                print("screenshot: the demo workspaces did not load", file=sys.stderr)
                return 1
            workspace = window.model.workspaces()[0]
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
            if not group.children:
                print("screenshot: the first workspace has no clients", file=sys.stderr)
                return 1
            node = group.children[min(args.client, len(group.children) - 1)]
            index = window.model.index_of(node)
            window.tree.setFocus()
            window.tree.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            window.tree.scrollToTop()
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
                window.tree.selectionModel().setCurrentIndex(
                    match, QItemSelectionModel.SelectionFlag.ClearAndSelect
                )
                window.tree.scrollToTop()
            else:
                window.copy_ids()  # the status bar then reads "Copied ID of ..."
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
