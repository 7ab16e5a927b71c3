"""`python -m benchmarks.enum_types [--all]`: the enum types made before the first paint.

PySide6 builds a class's Python enum types (`enum.EnumType`) when the class is first
imported, about 0.25 ms each on the machine of docs/performance.md; the `Qt` namespace alone
has about a hundred. This runs `python -m desktop --demo` (offscreen, a private HOME and
XDG folders) and a bare PySide6 window in fresh processes, counts the enum types each makes
before its first paint, and for the panel prints where they came from: the innermost line of
`desktop/` on the stack when each was made (an import names its class, a call wraps an
argument of a type not built yet). `--all` lists every type. The times are those of
`EnumType.__new__` alone and are for comparing one site with another, not the start-up's
total. Nothing is asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

from benchmarks.common import ROOT, Workdir

HOOK = """
import enum, json, os, sys, time, traceback
T0 = time.perf_counter()
MADE = []
_new = enum.EnumType.__new__
def _counted(metacls, cls, bases, classdict, **kw):
    began = time.perf_counter()
    made = _new(metacls, cls, bases, classdict, **kw)
    ms = (time.perf_counter() - began) * 1000
    site = "(no desktop/ frame)"
    for frame in reversed(traceback.extract_stack()[:-1]):
        if "/desktop/" in frame.filename:
            site = f"{frame.filename.split('/desktop/')[-1]}:{frame.lineno} {frame.line}"
            break
    MADE.append(((time.perf_counter() - T0) * 1000, ms, made.__qualname__, site))
    return made
enum.EnumType.__new__ = _counted
def report(leave=True):
    print(json.dumps({"at": (time.perf_counter() - T0) * 1000, "made": MADE}))
    sys.stdout.flush()
    if leave:
        os._exit(0)
"""

PANEL = (
    HOOK
    + """
import importlib.abc, importlib.util
class _AfterFirstPaint(importlib.abc.MetaPathFinder):
    # desktop.ui.app.after_first_paint's first step reports: the window has been painted.
    def find_spec(self, name, path, target=None):
        if name != "desktop.ui.app":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run_module = spec.loader.exec_module
        def exec_module(module):
            run_module(module)
            real = module.after_first_paint
            first = []
            def after_first_paint(widget, step):
                if not first:
                    first.append(True)
                    real(widget, lambda: report(leave=False))
                    real(widget, leave_later)
                real(widget, step)
            module.after_first_paint = after_first_paint
        spec.loader.exec_module = exec_module
        return spec
def leave_later():
    # After the steps that follow the first paint (the colour scheme remembered for the
    # next start among them), with the settings written, as a panel that keeps running.
    from PySide6.QtCore import QTimer
    def leave():
        from desktop.ui.connection_settings import app_settings
        app_settings().sync()
        os._exit(0)
    QTimer.singleShot(300, leave)
sys.meta_path.insert(0, _AfterFirstPaint())
from desktop.__main__ import run
run(["--demo"])
"""
)

BARE = (
    HOOK
    + """
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([]); widget = QWidget(); widget.resize(340, 640); widget.show()
def poll():
    if any(w.isExposed() for w in QGuiApplication.topLevelWindows()):
        report()
timer = QTimer(); timer.setInterval(1); timer.timeout.connect(poll); timer.start(); app.exec()
"""
)


def made_before_paint(code: str, env: dict[str, str]) -> list[list[object]]:
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return [made for made in result["made"] if made[0] <= result["at"]]


def main() -> int:
    every = "--all" in sys.argv[1:]
    workdir = Workdir()
    try:
        env = workdir.env()
        env.pop("CLOCKIFY_PANEL_PASSPHRASE", None)
        made_before_paint(PANEL, env)  # a warm-up: bytecode caches and settings written
        bare = made_before_paint(BARE, env)
        panel = made_before_paint(PANEL, env)
    finally:
        workdir.close()
    print(f"bare window: {len(bare)} enum types before its first paint")
    print(f"panel (--demo): {len(panel)} enum types before its first paint, by where made:")
    count: Counter[str] = Counter()
    cost: Counter[str] = Counter()
    for _at, ms, _name, site in panel:
        count[str(site)] += 1
        cost[str(site)] += float(str(ms))
    for site in sorted(count, key=lambda s: -cost[s]):
        names = " ".join(str(m[2]) for m in panel if m[3] == site)
        shown = names if every or len(names) < 70 else names[:67] + "..."
        print(f"  {count[site]:4d} {cost[site]:6.1f} ms  {site}\n{'':16s}{shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
