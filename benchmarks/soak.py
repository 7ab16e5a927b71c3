"""`python -m benchmarks.soak [--cycles 1000] [--platform offscreen|xvfb] [--json PATH]`:
the resident panel's memory over many show/hide cycles (issue 18: a 1,000-cycle show/hide
soak grows RSS by less than 5 MB).

A child process (a fresh interpreter, a private HOME and XDG folders) builds the real
panel in-process on the demo data (`desktop.demo.demo_server` on 127.0.0.1, as
`clockify-panel --demo` and scripts/screenshot.py do) and loads it as a user would leave
it: the workspaces, "Zoë's Design Studio" expanded with its Users and Clients groups
loaded and open, a client current and the details card (Ctrl+I) shown. Then each cycle is

1. **summon**: show + raise + activate + the filter focused and its text selected. Under
   Xvfb through the socket's path, `InstanceServer.act("show")` (desktop/ui/instance_server.py),
   which waits, as for a real second launch, while the focus is still leaving the window
   just hidden (Qt's xcb keeps it 100 ms): some 140 ms a cycle. Offscreen `window.summon()`
   (the same calls): there the hidden window stays the focus window for good, so the
   server's wait would run its full 300 ms every cycle, and no window is active again;
2. the current row moved to the next record (users and clients in turn), so the details
   card shows another record;
3. **dismiss**: `act("hide")` (offscreen `window.dismiss()`, which it calls): the tree's state
   and the geometry saved and the settings file written, then the window hidden;

with the event loop run after each step (`processEvents`, the posted events and deferred
deletes sent, `QTest.qWait(0)`), so what a step queued (deleteLater, zero timers) runs.
The socket itself is not used (no `QLocalServer.listen`): a client's connection objects
are the socket's, not the window's, and would add the kernel's socket buffers to the noise.

After 50 warm-up cycles (first-use caches: fonts, style, the card's row widgets) and a
`gc.collect()`, the RSS is read; again after the N cycles and a `gc.collect()`. RSS is the
current resident set, `VmRSS` of /proc/self/status (Linux). Elsewhere it falls back to
`resource.getrusage(RUSAGE_SELF).ru_maxrss`, the *peak* RSS, which cannot go down, so a
growth read there is an upper bound; the output says which was used. The RSS is also
sampled every 100 cycles (`--sample-every`), and the growth per 100 cycles is the
least-squares slope of those samples (less sensitive to one allocator step than after -
before). Whatever the benchmark inspects (the window's QObjects, Python's objects) is
counted before the first RSS read: the first `findChildren` and `gc.get_objects()` cost
some 2-3 MB, which an early version charged to the soak as a step in its first cycles.

`--platform xvfb` runs the child on a private Xvfb (no window manager; `Xvfb` must be
installed), where show and hide map and unmap a real X window; the default is Qt's
offscreen platform. `--no-card` (card hidden), `--no-moves` (no row moves) and
`--via window|server` (the summon and dismiss above, whatever the platform) bisect a
growth; `--tracemalloc` prints the Python allocations that grew most (slower: figures
with it are not comparable).

Nothing is asserted: the figures are printed (and written as JSON with --json), next to
the 5 MB target. `run(...)` is what `python -m benchmarks` calls.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, Workdir

TARGET_MB = 5.0
WARMUP = 50
SAMPLE_EVERY = 100
WORKSPACE = "Zoë's Design Studio"
CHILD_TIMEOUT_S = 1800.0
LOAD_TIMEOUT_S = 90.0
SHOW_TIMEOUT_S = 5.0  # a show deferred while the focus leaves (under X: 100 ms, at most 300)


class NoXvfb(RuntimeError):
    """`--platform xvfb` without an Xvfb binary."""


# -- the child: the panel, loaded, shown and hidden N times ---------------------------------


def rss_kb() -> tuple[int, str]:
    """The current RSS in KiB, and where it came from."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]), "VmRSS"
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is KiB on Linux and the BSDs, bytes on macOS.
    return (peak // 1024 if sys.platform == "darwin" else peak), "ru_maxrss (peak)"


def child(args: argparse.Namespace) -> int:
    import gc
    import logging
    import tempfile

    logging.getLogger().setLevel(logging.ERROR)  # "Partner Agency" forbids listing users

    from PySide6.QtCore import QCoreApplication, QEvent, QItemSelectionModel, QObject
    from PySide6.QtTest import QTest

    from desktop.clockify import ApiKey, ClockifyClient, Connection
    from desktop.demo import DEMO_API_KEY, demo_server
    from desktop.selftest import isolate_settings, quiet_offscreen_warnings, wait_until
    from desktop.ui.app import create_application, tune_process
    from desktop.ui.instance_server import InstanceServer
    from desktop.ui.main_window import PanelWindow
    from desktop.ui.theme import follow_scheme
    from desktop.ui.tree_model import LoadState

    tracing = bool(args.tracemalloc)
    if tracing:
        import tracemalloc

        tracemalloc.start(12)

    settings_dir = tempfile.mkdtemp(prefix="clockify-soak-settings-")
    isolate_settings(settings_dir)
    quiet_offscreen_warnings()
    app = create_application()
    server, _ = demo_server()
    server.latency = 0.0
    server.start()
    deadline = time.monotonic() + LOAD_TIMEOUT_S

    window = PanelWindow()
    follow_scheme(app, window.model.refresh_colours, window)  # as run_panel does
    tune_process()
    window.setWindowTitle("Clockify Panel (soak)")
    window.resize(360, 640)
    window.connect_client(
        ClockifyClient(Connection.for_base_url(server.base_url), ApiKey(DEMO_API_KEY))
    )
    window.show()

    def fail(text: str) -> int:
        print(f"soak: {text}", file=sys.stderr, flush=True)
        return 1

    if not wait_until(app, lambda: bool(window.model.workspaces()), deadline):
        return fail("the demo workspaces did not load")
    model = window.model
    named = [ws for ws in model.workspaces() if ws.workspace.name == WORKSPACE]
    workspace = named[0] if named else model.workspaces()[0]
    model.set_expanded(workspace, True)
    for group in workspace.groups:
        window.loader.load_group(group)
    done = (LoadState.LOADED, LoadState.FAILED)
    if not wait_until(
        app,
        lambda: all(g.state in done for g in workspace.groups) and not window.loader.busy,
        deadline,
    ):
        return fail("the users and clients did not load")
    for group in workspace.groups:
        model.set_expanded(group, True)
    records = [node for group in workspace.groups for node in group.children]
    if not records:
        return fail(f"{workspace.workspace.name} has no users or clients")
    window.details_action.setChecked(not args.no_card)
    row_select = QItemSelectionModel.SelectionFlag.ClearAndSelect
    row_select |= QItemSelectionModel.SelectionFlag.Rows
    window.tree.setFocus()
    window.tree.selectionModel().setCurrentIndex(model.index_of(records[0]), row_select)
    wait_until(app, lambda: False, time.monotonic() + 0.3)  # laid out and painted
    if not args.no_card and not window.details.fields():
        return fail("the details card shows no fields")

    instance = InstanceServer(window, "clockify-panel-soak-unused")  # never listens

    def settle() -> None:
        app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.sendPostedEvents()
        QTest.qWait(0)

    def summon() -> None:
        if args.via == "window":
            window.summon()
        else:
            instance.act("show")
            if not window.isVisible():  # deferred until the focus has left (under X)
                wait_until(app, window.isVisible, time.monotonic() + SHOW_TIMEOUT_S)
        settle()

    def dismiss() -> None:
        if args.via == "window":
            window.dismiss()
        else:
            instance.act("hide")
        settle()

    position = {"at": 0}

    def move_row() -> None:
        if args.no_moves:
            return
        position["at"] = (position["at"] + 1) % len(records)
        index = model.index_of(records[position["at"]])
        window.tree.selectionModel().setCurrentIndex(index, row_select)
        settle()

    stats = {"not_visible": 0, "not_filter": 0, "not_active": 0}

    def cycle() -> None:
        summon()
        if not window.isVisible():
            stats["not_visible"] += 1
        # The filter the window's focus widget, its text selected: what a summon promises.
        # (Offscreen, no window is ever active again once hidden, so hasFocus() is False
        # there; the window's focus widget is what gets the keys once it is active.)
        edit = window.filter_edit
        if not (window.focusWidget() is edit and edit.selectedText() == edit.text()):
            stats["not_filter"] += 1
        if not window.isActiveWindow():
            stats["not_active"] += 1
        move_row()
        dismiss()

    def objects() -> int:
        return len(window.findChildren(QObject))

    for _ in range(WARMUP):
        cycle()
    stats = {"not_visible": 0, "not_filter": 0, "not_active": 0}
    # Counted before the RSS is read, so what counting allocates is not charged to the soak.
    objects_before = objects()
    python_before = len(gc.get_objects())
    gc.collect()
    settle()
    before, source = rss_kb()
    snapshot_before = tracemalloc.take_snapshot() if tracing else None
    samples: list[tuple[int, int]] = [(0, before)]
    started = time.perf_counter()
    for n in range(1, args.cycles + 1):
        cycle()
        if n % args.sample_every == 0 and n != args.cycles:
            samples.append((n, rss_kb()[0]))
    elapsed = time.perf_counter() - started
    gc.collect()
    settle()
    after, _ = rss_kb()
    samples.append((args.cycles, after))
    result: dict[str, Any] = {
        "platform": app.platformName(),
        "via": args.via,
        "card": not args.no_card,
        "moves": not args.no_moves,
        "cycles": args.cycles,
        "warmup": WARMUP,
        "rss_source": source,
        "rss_before_kb": before,
        "rss_after_kb": after,
        "growth_kb": after - before,
        "per_100_kb": slope(samples) * 100,
        "samples": samples,
        "seconds": elapsed,
        "ms_per_cycle": elapsed / max(args.cycles, 1) * 1000,
        "window_objects_before": objects_before,
        "window_objects_after": objects(),
        "python_objects_before": python_before,
        "python_objects_after": len(gc.get_objects()),
        "records": len(records),
        "rows": model.rowCount(),
        "not_visible_after_summon": stats["not_visible"],
        "filter_not_focused_after_summon": stats["not_filter"],
        "not_active_after_summon": stats["not_active"],
        "tracemalloc": [],
    }
    if tracing and snapshot_before is not None:
        top = tracemalloc.take_snapshot().compare_to(snapshot_before, "traceback")
        result["tracemalloc"] = [
            {
                "size_diff_kb": round(stat.size_diff / 1024, 1),
                "count_diff": stat.count_diff,
                "where": [f"{frame.filename}:{frame.lineno}" for frame in stat.traceback][-4:],
            }
            for stat in top[:15]
        ]
    window.loader.cancel_all()
    window.runner.cancel_all()
    server.stop()
    shutil.rmtree(settings_dir, ignore_errors=True)
    print(json.dumps(result), flush=True)
    sys.stderr.flush()
    os._exit(0)  # no teardown: nothing after this is measured


def slope(samples: list[tuple[int, int]]) -> float:
    """KiB a cycle: the least-squares line through (cycle, RSS) samples."""
    if len(samples) < 2:
        return 0.0
    xs = [x for x, _ in samples]
    ys = [y for _, y in samples]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in samples) / var if var else 0.0


# -- the parent: the child's environment (and its Xvfb), the report ------------------------


class Xvfb:
    """A private Xvfb; its display number comes from -displayfd (as tests/test_panel_e2e.py)."""

    def __init__(self) -> None:
        binary = shutil.which("Xvfb")
        if binary is None:
            raise NoXvfb("no Xvfb (apt-get install xvfb)")
        read_end, write_end = os.pipe()
        self._process = subprocess.Popen(
            [
                *(binary, "-displayfd", str(write_end)),
                *("-screen", "0", "1280x1024x24", "-nolisten", "tcp"),
            ],
            pass_fds=(write_end,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_end)
        try:
            number = b""
            end = time.monotonic() + 15
            while not number.endswith(b"\n") and time.monotonic() < end:
                chunk = os.read(read_end, 16)
                if not chunk:
                    break
                number += chunk
        finally:
            os.close(read_end)
        if not number.strip():
            self.close()
            raise NoXvfb("Xvfb did not report a display")
        self.display = f":{number.decode().strip()}"

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


def run(
    cycles: int = 1000,
    platform: str = "offscreen",
    *,
    via: str = "auto",
    card: bool = True,
    moves: bool = True,
    trace: bool = False,
    sample_every: int = SAMPLE_EVERY,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """One soak in a child process; its result (see `child`).

    Raises NoXvfb (a RuntimeError) without Xvfb, RuntimeError when the child fails or
    times out, OSError when it cannot be started."""
    workdir = Workdir()
    xvfb: Xvfb | None = None
    try:
        env = workdir.env()
        if platform == "xvfb":
            xvfb = Xvfb()
            env["QT_QPA_PLATFORM"] = "xcb"
            env["DISPLAY"] = xvfb.display
            env.pop("WAYLAND_DISPLAY", None)
        argv = [sys.executable, "-m", "benchmarks.soak", "--child", "--cycles", str(cycles)]
        if via == "auto":
            via = "server" if platform == "xvfb" else "window"
        argv += ["--via", via]
        argv += [] if card else ["--no-card"]
        argv += [] if moves else ["--no-moves"]
        argv += ["--tracemalloc"] if trace else []
        argv += ["--sample-every", str(max(1, sample_every))]
        if log:
            log(f"soak: {cycles} cycles on {platform}")
        try:
            completed = subprocess.run(
                argv,
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=CHILD_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"soak child still running after {CHILD_TIMEOUT_S:.0f} s") from exc
        lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
        if completed.returncode != 0 or not lines:
            tail = (completed.stderr or completed.stdout).strip().splitlines()[-8:]
            raise RuntimeError(f"soak child exited {completed.returncode}: " + " | ".join(tail))
        result: dict[str, Any] = json.loads(lines[-1])
        result["requested_platform"] = platform
        return result
    finally:
        if xvfb is not None:
            xvfb.close()
        workdir.close()


def mb(kb: float) -> str:
    return f"{kb / 1024:,.2f} MB"


def describe(result: dict[str, Any]) -> str:
    growth_mb = result["growth_kb"] / 1024
    verdict = "met" if growth_mb < TARGET_MB else "NOT met"
    what = ", ".join(
        [
            f"via {'InstanceServer.act' if result['via'] == 'server' else 'window.summon/dismiss'}",
            "card shown" if result["card"] else "card hidden",
            "row moved each cycle" if result["moves"] else "no row moves",
        ]
    )
    lines = [
        f"soak: {result['cycles']} show/hide cycles on Qt platform {result['platform']!r} "
        f"({what}; {result['warmup']} warm-up cycles, {result['records']} records)",
        f"  RSS ({result['rss_source']}) before: {mb(result['rss_before_kb'])}, "
        f"after: {mb(result['rss_after_kb'])}",
        f"  growth: {growth_mb:+.2f} MB (target < {TARGET_MB:g} MB: {verdict}); "
        f"per 100 cycles: {result['per_100_kb'] / 1024:+.3f} MB (slope of the samples)",
        "  samples (cycle: MB): "
        + ", ".join(f"{n}: {kb / 1024:.1f}" for n, kb in result["samples"]),
        f"  QObjects under the window: {result['window_objects_before']} -> "
        f"{result['window_objects_after']}; Python objects: {result['python_objects_before']:,}"
        f" -> {result['python_objects_after']:,}",
        f"  {result['seconds']:.1f} s, {result['ms_per_cycle']:.1f} ms a cycle; summons that "
        f"left the window hidden: {result['not_visible_after_summon']}, the filter unfocused "
        f"or unselected: {result['filter_not_focused_after_summon']}, the window not active: "
        f"{result['not_active_after_summon']}",
    ]
    if result["rss_source"] != "VmRSS":
        lines.append("  (peak RSS: the growth is an upper bound)")
    for stat in result.get("tracemalloc", []):
        lines.append(
            f"  tracemalloc {stat['size_diff_kb']:+.1f} KiB ({stat['count_diff']:+d} blocks): "
            + " <- ".join(reversed(stat["where"]))
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__)
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--platform", choices=("offscreen", "xvfb"), default="offscreen")
    parser.add_argument(
        "--via",
        choices=("auto", "server", "window"),
        default="auto",
        help="server: InstanceServer.act; window: window.summon/dismiss; auto: server under "
        "xvfb, window offscreen",
    )
    parser.add_argument("--no-card", action="store_true", help="the details card hidden")
    parser.add_argument("--no-moves", action="store_true", help="the current row never moves")
    parser.add_argument("--tracemalloc", action="store_true", help="top Python allocations")
    parser.add_argument("--sample-every", type=int, default=SAMPLE_EVERY, help="cycles")
    parser.add_argument("--json", metavar="PATH", help="also write the result as JSON")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    try:
        result = run(
            args.cycles,
            args.platform,
            via=args.via,
            card=not args.no_card,
            moves=not args.no_moves,
            trace=args.tracemalloc,
            sample_every=args.sample_every,
        )
    except NoXvfb as exc:
        print(f"soak: skipped: {exc}", file=sys.stderr)
        return 1
    print(describe(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
