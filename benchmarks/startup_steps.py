"""`python -m benchmarks.startup_steps`: where the panel's start-up time goes, step by step.

Runs the panel's start-up steps in a fresh process, in the order `desktop.__main__.run` takes
them (offscreen, no key stored: the connect page; the whole parser is built, as for a launch
with options), and a bare QWidget window, each N times, and prints the median time at which
each step ended. Nothing is asserted.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from benchmarks.common import ROOT, Workdir

# As benchmarks/gui_child.py times it: the first exposed window has been painted.
POLL = """
from PySide6.QtGui import QGuiApplication
def poll():
    if any(w.isExposed() for w in QGuiApplication.topLevelWindows()):
        mark("first paint done"); app.quit()
timer = QTimer(); timer.setInterval(1); timer.timeout.connect(poll); timer.start(); app.exec()
print(__import__("json").dumps(marks))
"""

PANEL = (
    """
import time; t0 = time.perf_counter(); marks = []
def mark(step): marks.append((step, (time.perf_counter() - t0) * 1000))
from desktop.__main__ import build_parser; mark("import desktop.__main__")
args = build_parser().parse_args(["--base-url", "http://127.0.0.1:9"]); mark("parse arguments")
import gc; gc.disable()  # as _run_panel: no collector passes until the window is built
from desktop.ui.stored import early_start; early = early_start(args); mark("early_start")
import desktop.ui.pyside_start; mark("import PySide6 (pyside_start)")
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication; mark("import PySide6.QtWidgets")
import desktop.ui.app as app_module; mark("import desktop.ui.app")
from desktop.ui.main_window import PanelWindow; mark("import desktop.ui.main_window")
from desktop.ui.session import PanelSession; mark("import desktop.ui.session")
app = app_module.create_application(); mark("QApplication")
app_module.hold_early_logs(); app_module.install_excepthook(); mark("logging, excepthook")
window = PanelWindow(); session = PanelSession(window); mark("PanelWindow, PanelSession")
app_module.tune_process(); window.show(); mark("show()")
"""
    + POLL
)

BARE = (
    """
import time; t0 = time.perf_counter(); marks = []
def mark(step): marks.append((step, (time.perf_counter() - t0) * 1000))
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget; mark("import PySide6.QtWidgets")
app = QApplication([]); widget = QWidget(); widget.resize(340, 640); widget.show()
"""
    + POLL
)


def run(code: str, env: dict[str, str], runs: int) -> list[tuple[str, float]]:
    samples: dict[str, list[float]] = {}
    order: list[str] = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for step, ms in json.loads(out.strip().splitlines()[-1]):
            if step not in samples:
                order.append(step)
            samples.setdefault(step, []).append(ms)
    return [(step, statistics.median(samples[step])) for step in order]


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    workdir = Workdir()
    try:
        env = workdir.env()
        env.pop("CLOCKIFY_PANEL_PASSPHRASE", None)
        for name, code in (("bare QWidget", BARE), ("panel", PANEL)):
            print(f"{name} (median of {runs} runs, ms since the interpreter ran this code):")
            previous = 0.0
            for step, ms in run(code, env, runs):
                print(f"  {step:32s} {ms:7.1f}  (+{ms - previous:.1f})")
                previous = ms
    finally:
        workdir.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
