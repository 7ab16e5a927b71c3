"""`python -m benchmarks.copy_child --rows N [--runs R]`: copying a big selection, and Left.

One process, one `PanelWindow` on its tree page, one workspace with N users (built as the
filter benchmark builds them), the workspace and its Users group expanded. Prints one JSON
line last:

- copy names / copy IDs: Ctrl+A in the tree, then the "Copy name" / "Copy ID" action (what
  Ctrl+C / Ctrl+Shift+C trigger). Timed from the action until the event loop is idle again
  (the status line painted). A 5 ms `PreciseTimer` heartbeat runs on the GUI thread
  meanwhile; the stall is its longest gap minus 5 ms.
- Left: the current row is the last user (the deepest row of the branch); `QTest.keyClick`
  Left, timed until idle. The current row must then be the Users group.
`--profile PATH` runs the copies and Left presses under pyinstrument.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from typing import Any

from benchmarks.common import WORKSPACE_ID, WORKSPACE_NAME, median
from benchmarks.gui_child import HEARTBEAT_MS, emit, idle_waiter, maxrss_kb, profiled


def run(rows: int, runs: int, profile: str | None) -> dict[str, Any]:
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtGui import QGuiApplication
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
    window.stack.setCurrentWidget(window.tree)
    model = window.model
    users: list[User] = []
    for chunk, start in enumerate(range(0, rows, 5000)):
        page = make_users(min(5000, rows - start), seed=1000 + chunk, workspace_id=WORKSPACE_ID)
        users.extend(User.from_json(record) for record in page)
        del page
    model.set_workspaces([Workspace(WORKSPACE_ID, WORKSPACE_NAME)])
    ws = model.workspaces()[0]
    model.set_group_rows(ws.users, make_user_nodes(users))
    expected_ids = [WORKSPACE_ID, *(u.id for u in users)]
    del users
    model.set_expanded(ws, True)
    model.set_expanded(ws.users, True)

    until_idle = idle_waiter()
    until_idle()
    window.activateWindow()
    window.tree.setFocus(Qt.FocusReason.OtherFocusReason)
    until_idle()
    clipboard = QGuiApplication.clipboard()
    ticks: list[float] = []
    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    wait = QEventLoop()
    deepest = ws.users.children[-1]
    deep_row = next(r for r, n in enumerate(model.visible_nodes()) if n is deepest)

    def timed_copy(action: Any, every_row: bool = True) -> tuple[float, float, float, int]:
        """Ms from the action to idle (wall, GUI thread's CPU), worst gap - 5 ms, lines."""
        if every_row:
            window.tree.selectAll()
        else:
            window.tree.clearSelection()
            window.tree.setCurrentIndex(model.index(deep_row, 0))
        until_idle()
        clipboard.setText("")
        ticks.clear()
        took: list[float] = []

        def copy() -> None:
            start, cpu = time.perf_counter(), time.thread_time()
            action.trigger()
            until_idle()
            took.append((time.perf_counter() - start) * 1000)
            took.append((time.thread_time() - cpu) * 1000)
            QTimer.singleShot(3 * HEARTBEAT_MS, wait.quit)

        heartbeat.start()
        QTimer.singleShot(4 * HEARTBEAT_MS, copy)  # a few ticks before, a few after
        wait.exec()
        heartbeat.stop()
        gaps = [(b - a) * 1000 - HEARTBEAT_MS for a, b in itertools.pairwise(ticks)]
        text = clipboard.text()
        lines = text.count("\n") + 1 if text else 0
        return took[0], took[1], max(gaps, default=float("nan")), lines

    def timed_key(
        modifier: Qt.KeyboardModifier, key: Qt.Key, lands_on: object
    ) -> tuple[float, float]:
        """From the deepest user, ms until idle (wall, CPU); it must land on `lands_on`."""
        last = model.index(deep_row, 0)
        window.tree.clearSelection()
        window.tree.setCurrentIndex(last)
        window.tree.scrollTo(last)
        until_idle()
        start, cpu = time.perf_counter(), time.thread_time()
        QTest.keyClick(window.tree, key, modifier)
        until_idle()
        took = (time.perf_counter() - start) * 1000, (time.thread_time() - cpu) * 1000
        if model.node(window.tree.currentIndex()) is not lands_on:
            raise SystemExit(f"{key!r} did not go where it should")
        return took

    result: dict[str, Any] = {"rows": rows, "runs": runs}
    with profiled(profile):
        copies = (
            ("names", window.copy_name_action, True),
            ("ids", window.copy_id_action, True),
            ("one_id", window.copy_id_action, False),  # the floor: one row, same status line
        )
        for name, action, every_row in copies:
            times, cpus, stalls = [], [], []
            for _ in range(runs):
                took, cpu, stall, lines = timed_copy(action, every_row)
                times.append(took)
                cpus.append(cpu)
                stalls.append(stall)
            if name == "ids" and clipboard.text().split("\n") != expected_ids:
                raise SystemExit("the copied IDs are not the rows' IDs in view order")
            result[name] = {
                "ms": times,
                "median_ms": median(times),
                "cpu_ms": cpus,
                "median_cpu_ms": median(cpus),
                "stall_ms": stalls,
                "median_stall_ms": median(stalls),
                "lines": lines,
            }
        keys: dict[str, list[tuple[float, float]]] = {"left": [], "ctrl_home": []}
        for _ in range(runs):  # interleaved: the machine's load drifts
            left = timed_key(Qt.KeyboardModifier.NoModifier, Qt.Key.Key_Left, ws.users)
            keys["left"].append(left)
            # Qt's own move to the first row (C++): the same scroll and repaint, no search.
            home = timed_key(Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_Home, ws)
            keys["ctrl_home"].append(home)
    for name, pairs in keys.items():
        result[name] = {
            "ms": [wall for wall, _ in pairs],
            "median_ms": median([wall for wall, _ in pairs]),
            "median_cpu_ms": median([cpu for _, cpu in pairs]),
        }
    result["maxrss_kb"] = maxrss_kb()
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile")
    args = parser.parse_args()
    emit(run(args.rows, args.runs, args.profile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
