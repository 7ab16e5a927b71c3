"""`python -m benchmarks.gui_child MODE ...`: the Qt side of the benchmarks, one process a run.

Modes (each prints one JSON line last):
  startup --kind bare|table|demo|cached   time from spawn (env BENCH_T0) to the window shown
  prepare-cache                     write the panel's cache for the benchmark server
  stall                             GUI-thread heartbeat gaps while the panel loads
  filter --rows N                   per-keystroke latency of the filter box, and peak RSS
`--profile PATH` runs the measured part under pyinstrument and writes its text report.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchmarks.common import WORKSPACE_ID, WORKSPACE_NAME, percentile

T0 = float(os.environ.get("BENCH_T0", "0")) or time.time()
HEARTBEAT_MS = 5
QUERIES = ["garcia", "tanaka", "muller", "o'brie", "e7c4a1"]


def since_spawn() -> float:
    return time.time() - T0


def idle_waiter() -> Callable[[], object]:
    """A function that runs the event loop until it would wait for new events (layout and
    paint done), for timing work "until idle"."""
    from PySide6.QtCore import QAbstractEventDispatcher, QEventLoop

    idle_loop = QEventLoop()
    dispatcher = QAbstractEventDispatcher.instance()
    assert dispatcher is not None
    dispatcher.aboutToBlock.connect(idle_loop.quit)
    return idle_loop.exec


def maxrss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def emit(result: dict[str, Any]) -> None:
    print(json.dumps(result), flush=True)
    sys.stderr.flush()
    os._exit(0)  # skip Qt's and Python's teardown: nothing after this is measured


@contextlib.contextmanager
def profiled(path: str | None) -> Iterator[None]:
    if not path:
        yield
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        Path(path).write_text(profiler.output_text(unicode=True, color=False, show_all=False))


# -- 1. start-up -------------------------------------------------------------------------------


def startup(kind: str, base_url: str | None, wait_rows: bool) -> dict[str, Any]:
    """Spawn to first expose (+ the events queued behind it), measured alike for every kind.

    The panel runs through its real entry point (`desktop.__main__.run`), so whatever it does
    before importing Qt (reading the stored key early) is measured as it happens.
    """
    result: dict[str, Any] = {"kind": kind}
    if kind == "bare":
        from PySide6.QtWidgets import QApplication, QWidget

        app = QApplication([sys.argv[0]])
        _watcher = _watch(result, wait_rows=False)
        widget = QWidget()
        widget.resize(340, 640)
        widget.show()
        app.exec()
    elif kind == "table":
        app, _window = _minimal_table_window()
        _watcher = _watch(result, wait_rows=False)
        app.exec()
    else:
        import desktop.ui.stored as stored
        from desktop import __main__ as entry

        early_start = stored.early_start
        watchers: list[Any] = []

        def early_start_then_watch(args: Any) -> Any:
            early = early_start(args)
            import desktop.ui.app as app_module

            create = app_module.create_application

            def create_and_watch(argv: list[str] | None = None) -> Any:
                app = create(argv)
                watchers.append(_watch(result, wait_rows))
                return app

            app_module.create_application = create_and_watch  # type: ignore[assignment]
            return early

        stored.early_start = early_start_then_watch  # type: ignore[assignment]
        # Cached: no arguments, as a user starts it; the connection comes from connection.json,
        # which prepare-cache wrote (as `key set` does).
        argv = ["--demo"] if kind == "demo" else (["--base-url", base_url] if base_url else [])
        entry.run(argv)
    result["maxrss_kb"] = maxrss_kb()
    return result


def _minimal_table_window() -> tuple[Any, Any]:
    """The least a panel that shows a row needs: a filter box, a one-row table, a status line.

    No application code: this is the floor for any PySide6 table window on this machine, to
    read the panel's start-up against (the Qt namespace's enums, the item-view classes, and
    the fonts a first paint of text loads are all costs a bare QWidget does not pay).
    """
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
    from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

    class OneRow(QAbstractTableModel):
        def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
            return 0 if parent.isValid() else 1

        def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
            return 0 if parent.isValid() else 1

        def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
            display = role == Qt.ItemDataRole.DisplayRole
            return WORKSPACE_NAME if display and index.isValid() else None

    app = QApplication([sys.argv[0]])
    window = QWidget()
    layout = QVBoxLayout(window)
    search = QLineEdit()
    search.setPlaceholderText("Filter")
    table = QTableView()
    table.setModel(OneRow(table))
    table.horizontalHeader().hide()
    table.verticalHeader().hide()
    layout.addWidget(search)
    layout.addWidget(table)
    layout.addWidget(QLabel("1 workspace"))
    window.resize(340, 640)
    window.show()
    return app, window


def _watch(result: dict[str, Any], wait_rows: bool) -> Any:
    """Record the first paint (and with `wait_rows`, the first rows) into `result`.

    A 1 ms timer polls the top-level windows for the first exposed one: Qt paints a widget
    window while it handles the expose, so the paint is done when the poll sees it. An
    application-wide Python event filter would see this too, but it wraps every object an
    event passes through in Python, and that built some 150 PySide enum classes while the
    panel's window was constructed: +75 ms that only the benchmark paid (about 28 ms to
    construct the window without the filter, 104 ms with it, same process). Nothing here
    touches the `Qt` namespace either: building its enums costs some 40 ms, which the bare
    window must not be charged.
    """
    from PySide6.QtCore import QObject, QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    class Watch(QObject):
        def __init__(self) -> None:
            super().__init__(QApplication.instance())
            self.window: Any = None
            self.poll = QTimer(self)
            self.poll.setInterval(1)
            self.poll.timeout.connect(self.check)
            self.poll.start()

        def check(self) -> None:
            if any(w.isExposed() for w in QGuiApplication.topLevelWindows()):
                self.poll.stop()
                self.shown()

        def shown(self) -> None:
            result["shown_s"] = since_spawn()
            if not wait_rows:
                QApplication.quit()
                return
            from desktop.ui.main_window import PanelWindow

            windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, PanelWindow)]
            self.window = windows[0]
            model = self.window.model
            for signal in (model.layoutChanged, model.modelReset, model.rowsInserted):
                signal.connect(self.rows_changed)
            QTimer.singleShot(30_000, QApplication.quit)
            self.rows_changed()

        def rows_changed(self, *_args: object) -> None:
            """Decided when the rows enter the model; timed once the loop has painted them."""
            if "from_cache" in result or self.window.model.rowCount() == 0:
                return
            model = self.window.model
            from_cache_age = any(ws.from_cache_age for ws in model.workspaces())
            # Rows before the first network answer can only have come from the cache.
            result["from_cache"] = bool(from_cache_age or self.window.loader.loaded_at is None)
            QTimer.singleShot(0, self.rows_shown)

        def rows_shown(self) -> None:
            result["rows_s"] = since_spawn()
            result["rows"] = self.window.model.rowCount()
            QApplication.quit()

    return Watch()


def prepare_cache(base_url: str, api_key: str, users: int, clients: int) -> None:
    """Write the cache the panel would have saved after loading the benchmark server."""
    try:
        from desktop.store import cache
    except ImportError:
        emit({"supported": False, "reason": "no desktop.store.cache"})
        return
    needed = ("EncryptedCache", "Snapshot", "WorkspaceSnapshot")
    if not all(hasattr(cache, name) for name in needed):
        emit({"supported": False, "reason": "desktop.store.cache lacks " + "/".join(needed)})
        return
    from desktop.clockify import ApiKey, Client, Connection, User, Workspace
    from desktop.demo.data import make_clients, make_users
    from desktop.store import open_credential_store

    user_rows = make_users(users, seed=101, workspace_id=WORKSPACE_ID)
    client_rows = make_clients(clients, seed=102, workspace_id=WORKSPACE_ID)
    snapshot = cache.Snapshot(
        saved_at=time.time(),
        workspaces=[
            cache.WorkspaceSnapshot(
                workspace=Workspace(WORKSPACE_ID, WORKSPACE_NAME),
                users=[User.from_json(u) for u in user_rows if u["_membership"] == "ACTIVE"],
                clients=[Client.from_json(c) for c in client_rows if not c["archived"]],
            )
        ],
    )
    connection = Connection.for_base_url(base_url)
    credentials = open_credential_store()  # the encrypted file: passphrase from the env
    # The panel uses its cache only with a stored key (an env key leaves no traces).
    credentials.set_api_key(connection, ApiKey(api_key))
    store = cache.EncryptedCache(credentials)
    store.save(connection, snapshot)
    # What `key set` does too: the panel starts on this connection, with no arguments.
    from desktop.store import connection_file

    connection_file.save(connection)
    path = store.path_for(connection)
    emit({"supported": path.exists(), "path": str(path), "reason": "cache file not written"})


# -- 4. GUI stall ------------------------------------------------------------------------------


def stall(base_url: str, api_key: str, idle_s: float, profile: str | None) -> None:
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    from desktop.clockify import ApiKey, ClockifyClient, Connection
    from desktop.ui.app import create_application, tune_process
    from desktop.ui.main_window import PanelWindow
    from desktop.ui.tree_model import GroupNode, LoadState, WorkspaceNode

    app = create_application()
    window = PanelWindow()
    tune_process()  # as run_panel does once its window is built
    window.show()
    app.processEvents()
    ticks: list[float] = []
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(HEARTBEAT_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    loop = QEventLoop()

    # Baseline: the same heartbeat in the same window, idle.
    timer.start()
    QTimer.singleShot(int(idle_s * 1000), loop.quit)
    loop.exec()
    timer.stop()
    idle = _gaps(ticks)
    ticks.clear()

    model = window.model
    state: dict[str, Any] = {"expanded": set()}

    def drive() -> None:
        """Expand what appears, as a user pressing Right would; stop once all is loaded."""
        for row in range(min(model.rowCount(), 3)):
            index = model.index(row, 0)
            node = model.node(index)
            if isinstance(node, WorkspaceNode | GroupNode) and id(node) not in state["expanded"]:
                state["expanded"].add(id(node))
                window.tree.toggle_requested.emit(index, True)
        workspaces = model.workspaces()
        groups = [g for ws in workspaces for g in ws.groups]
        if groups and all(g.state is LoadState.LOADED for g in groups):
            if "loaded" not in state:
                state["loaded"] = time.perf_counter()
                state["rows"] = model.rowCount()
                QTimer.singleShot(300, loop.quit)  # and what queues up behind the last rows
        elif any(g.state is LoadState.FAILED for g in groups):
            state["error"] = [g.error for g in groups if g.error]
            loop.quit()

    driver = QTimer()
    driver.setInterval(10)
    driver.timeout.connect(drive)
    with profiled(profile):
        timer.start()
        driver.start()
        start = time.perf_counter()
        client = ClockifyClient(Connection.for_base_url(base_url), ApiKey(api_key))
        window.connect_client(client)
        QTimer.singleShot(60_000, loop.quit)
        loop.exec()
        timer.stop()
        driver.stop()
    loaded = _gaps(ticks)
    emit(
        {
            "idle": idle,
            "load": loaded,
            "load_s": state["loaded"] - start if "loaded" in state else None,
            "rows": state.get("rows"),
            "error": state.get("error"),
            "maxrss_kb": maxrss_kb(),
        }
    )


def _gaps(ticks: list[float]) -> dict[str, Any]:
    late = [(b - a) * 1000 - HEARTBEAT_MS for a, b in itertools.pairwise(ticks)]
    if not late:
        return {"worst_ms": None, "p99_ms": None, "ticks": len(ticks)}
    return {
        "worst_ms": max(late),
        "p99_ms": percentile(late, 99),
        "over_50ms": sum(1 for x in late if x > 50),
        "ticks": len(ticks),
    }


# -- 5. and 6. filter latency and memory ---------------------------------------------------------


def filter_latency(rows: int, queries: list[str], profile: str | None) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from desktop.clockify import User, Workspace
    from desktop.demo.data import make_users
    from desktop.ui.app import create_application, tune_process
    from desktop.ui.main_window import PanelWindow
    from desktop.ui.tree_model import make_user_nodes

    create_application()
    window = PanelWindow()
    tune_process()  # as run_panel does once its window is built
    window.show()
    window.stack.setCurrentWidget(window.tree)  # the tree page, as when connected
    model = window.model

    # Built page by page, as the app gets them, so no 50,000 dicts live at once.
    users: list[User] = []
    for chunk, start in enumerate(range(0, rows, 5000)):
        page = make_users(min(5000, rows - start), seed=1000 + chunk, workspace_id=WORKSPACE_ID)
        users.extend(User.from_json(record) for record in page)
        del page
    model.set_workspaces([Workspace(WORKSPACE_ID, WORKSPACE_NAME)])
    ws = model.workspaces()[0]
    model.set_group_rows(ws.users, make_user_nodes(users))
    del users
    model.set_expanded(ws, True)
    model.set_expanded(ws.users, True)

    until_idle = idle_waiter()
    until_idle()
    rss_loaded = maxrss_kb()
    window.activateWindow()
    window.filter_edit.setFocus(Qt.FocusReason.OtherFocusReason)
    until_idle()
    per_query: dict[str, list[float]] = {}
    matches: dict[str, int] = {}
    with profiled(profile):
        for query in queries:
            times = []
            for char in query:
                start = time.perf_counter()
                QTest.keyClick(window.filter_edit, char)
                until_idle()
                times.append((time.perf_counter() - start) * 1000)
            per_query[query] = times
            matches[query] = model.rowCount()
            window.filter_edit.clear()
            until_idle()
    every = [t for times in per_query.values() for t in times]
    emit(
        {
            "rows": rows,
            "per_query_ms": per_query,
            "visible_rows_after": matches,
            "median_ms": percentile(every, 50),
            "p95_ms": percentile(every, 95),
            "worst_ms": max(every) if every else None,
            "rss_loaded_kb": rss_loaded,
            "maxrss_kb": maxrss_kb(),
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["startup", "prepare-cache", "stall", "filter"])
    parser.add_argument("--kind", choices=["bare", "table", "demo", "cached"], default="bare")
    parser.add_argument("--base-url")
    parser.add_argument("--api-key")
    parser.add_argument("--wait-rows", action="store_true")
    parser.add_argument("--users", type=int, default=0)
    parser.add_argument("--clients", type=int, default=0)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--queries", default=",".join(QUERIES))
    parser.add_argument("--idle", type=float, default=1.0)
    parser.add_argument("--profile")
    args = parser.parse_args()
    if args.mode == "startup":
        with profiled(os.environ.get("BENCH_PROFILE_STARTUP")):
            result = startup(args.kind, args.base_url, args.wait_rows)
        emit(result)
    elif args.mode == "prepare-cache":
        prepare_cache(args.base_url, args.api_key, args.users, args.clients)
    elif args.mode == "stall":
        stall(args.base_url, args.api_key, args.idle, args.profile)
    else:
        filter_latency(args.rows, [q for q in args.queries.split(",") if q], args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
