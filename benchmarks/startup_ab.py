"""`python -m benchmarks.startup_ab OTHER [--runs N] [--kind cached|demo]`: start-up, A/B.

Compares the panel's start-up from this checkout's `desktop/` with another checkout's (a
`git worktree` of an older commit, say), interleaved round by round against the same
benchmark server and the same cache, next to a bare QWidget window started in the same
round. Both sides run this checkout's benchmark child, so only the app's code differs.
Prints medians and the median of the per-round ratios; nothing is asserted.
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, ServerProcess, Workdir, run_child

USERS, CLIENTS = 10_000, 2_000


def child(args: list[str], env: dict[str, str], shim: Path) -> dict[str, Any]:
    """This checkout's benchmark child, importing `desktop` from the shim's checkout."""
    return run_child(args, dict(env, PYTHONPATH=f"{shim}:{ROOT}"), cwd=shim)


def make_shim(name: str, app_root: Path, base: Path) -> Path:
    """A folder whose `desktop` is app_root's, first on the path (before the editable install)."""
    shim = base / name
    shim.mkdir()
    (shim / "desktop").symlink_to(app_root / "desktop", target_is_directory=True)
    return shim


def check_imports(shim: Path, app_root: Path, env: dict[str, str]) -> None:
    env = dict(env, PYTHONPATH=f"{shim}:{ROOT}")
    code = "import desktop, benchmarks; print(desktop.__file__); print(benchmarks.__file__)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=shim, capture_output=True, text=True, check=True
    ).stdout.split()
    desktop_file, bench_file = Path(out[0]).resolve(), Path(out[1]).resolve()
    if not desktop_file.is_relative_to(app_root.resolve()):
        raise SystemExit(f"desktop came from {desktop_file}, not from {app_root}")
    if not bench_file.is_relative_to(ROOT):
        raise SystemExit(f"benchmarks came from {bench_file}, not from {ROOT}")


def save_legacy_connection(base_url: str, env: dict[str, str]) -> None:
    """Checkouts before connection.json read the connection from QSettings: put it there too.

    (This checkout reads connection.json, which prepare-cache wrote, and ignores these keys.)
    And the settings an earlier start of the panel leaves: the colour scheme it saw.
    """
    code = (
        "import sys\n"
        "from PySide6.QtCore import QCoreApplication, QSettings\n"
        "QCoreApplication.setOrganizationName('clockify-panel')\n"
        "QCoreApplication.setApplicationName('clockify-panel')\n"
        "s = QSettings()\n"
        "s.setValue('connection/region', 'custom')\n"
        "s.setValue('connection/base_url', sys.argv[1])\n"
        # The colour scheme an earlier start saw (offscreen: none), as a user's second
        # start finds it: the first start ever asks Qt before its first paint.
        "s.setValue('view/system_colour_scheme', 'unknown')\n"
        "s.sync()\n"
    )
    subprocess.run([sys.executable, "-c", code, base_url], env=env, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup_ab", description=__doc__)
    parser.add_argument("other", type=Path, help="the other checkout (its desktop/ is used)")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--kind", choices=["cached", "demo"], default="cached")
    args = parser.parse_args(argv)
    roots = {"this": ROOT, "other": args.other.resolve()}
    for root in roots.values():
        compileall.compile_dir(root / "desktop", quiet=1)
    workdir = Workdir()
    results: dict[str, list[dict[str, Any]]] = {"this": [], "other": []}
    bare: list[float] = []
    try:
        env = workdir.env()
        with tempfile.TemporaryDirectory(prefix="clockify-ab-") as temp:
            shims = {name: make_shim(name, root, Path(temp)) for name, root in roots.items()}
            for name, root in roots.items():
                check_imports(shims[name], root, env)
            with ServerProcess(USERS, CLIENTS, 0.02, env) as server:
                counts = ["--users", str(USERS), "--clients", str(CLIENTS)]
                prepare = ["prepare-cache", "--base-url", server.base_url, "--api-key"]
                gui = ["-m", "benchmarks.gui_child"]
                run_child([*gui, *prepare, server.api_key, *counts], env)
                save_legacy_connection(server.base_url, env)
                # Cached: no arguments; prepare-cache saved the connection, as `key set` does.
                start = [*gui, "startup", "--wait-rows", "--kind", args.kind]
                for round_ in range(args.runs):
                    bare.append(run_child([*gui, "startup", "--kind", "bare"], env)["shown_s"])
                    order = ["this", "other"] if round_ % 2 == 0 else ["other", "this"]
                    for name in order:
                        results[name].append(child(start, env, shims[name]))
    finally:
        workdir.close()
    print(f"{args.kind} start-up, {args.runs} rounds; bare QWidget median {median_ms(bare)}")
    for name, runs in results.items():
        parts = []
        for key, label in (("shown_s", "window shown"), ("rows_s", "rows visible")):
            pairs = [(r[key], b) for r, b in zip(runs, bare, strict=True) if r.get(key)]
            ratio = statistics.median(v / b for v, b in pairs) if pairs else float("nan")
            parts.append(f"{label} {median_ms([v for v, _ in pairs])} ({ratio:.2f}x)")
        cached = sum(1 for r in runs if r.get("from_cache"))
        print(
            f"  {name:5s} {roots[name]}: " + ", ".join(parts) + f"; from cache {cached}/{len(runs)}"
        )
    return 0


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms" if values else "n/a"


if __name__ == "__main__":
    raise SystemExit(main())
