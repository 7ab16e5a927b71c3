"""`python -m benchmarks.summon [--rounds N] [--no-wm] [--json PATH]`: start-up and summons
under a real X server, the way a user sees them.

On a private Xvfb display, with a window manager when one is installed (openbox, icewm,
xfwm4, metacity, matchbox or twm, the first found; "no window manager" otherwise), each
round times, one after another:

1. **bare**: a bare PySide6 `QWidget` (340x640) in a new process;
2. **panel**: `python -m desktop --demo` in a new process (a private HOME and XDG folders);
3. **summon**: that panel hidden (`python -m desktop --demo --hide`, then waited for until
   its window is unmapped), then `python -m desktop --demo --toggle` spawned.

Each time runs from the parent's `time.monotonic()` just before spawning the process to
the window's first paint after it is mapped and viewable on the X server: seen by this
process through Xlib (ctypes: libX11, and libXdamage for the paint), not by the process
measured, which runs as a user runs it. Viewable is `map_state` IsViewable, what
`xdotool search --onlyvisible` tests; with a window manager a window is viewable only
once the manager has framed and mapped it. The paint is the first DamageNotify on the
window (a window Qt creates has no background, so nothing else draws into it). This
process follows the X events of the root window and of the window and its parents, so a
moment is taken when the server reports it, not at the next turn of a poll (a 20 ms poll
backs the events up; the output says if it ever saw one first). Without libXdamage a
window counts as visible once mapped, and the output says so; the map times are printed
too (the panel's first paint came some 40-55 ms after its map until the log file, the
instance server and the demo's build waited for it; now 2-7 ms, a bare window's 1-3 ms).

A warm-up round (not counted) comes first: the bytecode caches and the panel's settings
then exist, as for a user's second start of the day. The ratios are the medians of each
round's own panel/bare and summon/bare, as in section 1 of `python -m benchmarks`.
Nothing is asserted; the figures are printed (and written as JSON with --json).
"""

from __future__ import annotations

import argparse
import compileall
import ctypes
import ctypes.util
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, Workdir, median

WINDOW_MANAGERS = ("openbox", "icewm", "xfwm4", "metacity", "matchbox-window-manager", "twm")
BARE_TITLE = "bench bare window"
BARE_CODE = f"""
import sys
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv[:1])
window = QWidget()
window.setWindowTitle({BARE_TITLE!r})
window.resize(340, 640)
window.show()
app.exec()
"""
SHOW_TIMEOUT = 60.0  # seconds: a cold start on a busy shared machine
POLL_S = 0.02  # the fallback look when no X event came
SETTLE_S = 0.4  # after the panel appeared (its demo rows load), and after it is hidden

# Xlib constants (X.h)
CREATE_NOTIFY, DESTROY_NOTIFY, UNMAP_NOTIFY, MAP_NOTIFY = 16, 17, 18, 19
REPARENT_NOTIFY, PROPERTY_NOTIFY = 21, 28
STRUCTURE_NOTIFY_MASK = 1 << 17
SUBSTRUCTURE_NOTIFY_MASK = 1 << 19
PROPERTY_CHANGE_MASK = 1 << 22
IS_VIEWABLE = 2
DAMAGE_NOTIFY = 0  # XDamageNotify, from the extension's event base
DAMAGE_REPORT_NON_EMPTY = 3
PAINT_GRACE_S = 2.0  # a window seen viewable that long with no paint reported: its map counts
ANY_PROPERTY_TYPE = 0


class NoX(RuntimeError):
    """What this benchmark needs is missing (Xvfb, libX11)."""


class _Attributes(ctypes.Structure):
    _fields_ = [
        ("x", ctypes.c_int),
        ("y", ctypes.c_int),
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("border_width", ctypes.c_int),
        ("depth", ctypes.c_int),
        ("visual", ctypes.c_void_p),
        ("root", ctypes.c_ulong),
        ("c_class", ctypes.c_int),
        ("bit_gravity", ctypes.c_int),
        ("win_gravity", ctypes.c_int),
        ("backing_store", ctypes.c_int),
        ("backing_planes", ctypes.c_ulong),
        ("backing_pixel", ctypes.c_ulong),
        ("save_under", ctypes.c_int),
        ("colormap", ctypes.c_ulong),
        ("map_installed", ctypes.c_int),
        ("map_state", ctypes.c_int),
        ("all_event_masks", ctypes.c_long),
        ("your_event_mask", ctypes.c_long),
        ("do_not_propagate_mask", ctypes.c_long),
        ("override_redirect", ctypes.c_int),
        ("screen", ctypes.c_void_p),
    ]


class _Event(ctypes.Structure):
    """XEvent: a union of 24 longs, all of them starting with type, serial, send_event and
    display; then PropertyNotify has its window (at offset 32), the structure events the
    window that received the event and then the one it is about (offset 40)."""

    _fields_ = [("type", ctypes.c_int), ("pad", ctypes.c_long * 24)]

    def window(self) -> int:
        offset = 32 if self.type == PROPERTY_NOTIFY else 40
        return ctypes.c_ulong.from_buffer(self, offset).value

    def drawable(self) -> int:
        """A DamageNotify's drawable (offset 32, as a PropertyNotify's window)."""
        return ctypes.c_ulong.from_buffer(self, 32).value


_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)


class XWatch:
    """One Xlib connection that tells when a process's top-level window is viewable."""

    def __init__(self, display: str) -> None:
        name = ctypes.util.find_library("X11")
        if name is None:
            raise NoX("no libX11 (apt-get install libx11-6)")
        x = ctypes.CDLL(name)
        p, w, i = ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int
        x.XOpenDisplay.restype, x.XOpenDisplay.argtypes = p, [ctypes.c_char_p]
        x.XDefaultRootWindow.restype, x.XDefaultRootWindow.argtypes = w, [p]
        x.XSelectInput.argtypes = [p, w, ctypes.c_long]
        x.XQueryTree.argtypes = [
            p,
            w,
            ctypes.POINTER(w),
            ctypes.POINTER(w),
            ctypes.POINTER(ctypes.POINTER(w)),
            ctypes.POINTER(ctypes.c_uint),
        ]
        x.XGetWindowAttributes.argtypes = [p, w, ctypes.POINTER(_Attributes)]
        x.XInternAtom.restype, x.XInternAtom.argtypes = w, [p, ctypes.c_char_p, i]
        x.XGetWindowProperty.argtypes = [
            p,
            w,
            w,
            ctypes.c_long,
            ctypes.c_long,
            i,
            w,
            ctypes.POINTER(w),
            ctypes.POINTER(i),
            ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.c_void_p),
        ]
        x.XFree.argtypes = [p]
        x.XPending.argtypes = [p]
        x.XEventsQueued.argtypes = [p, i]
        x.XNextEvent.argtypes = [p, ctypes.POINTER(_Event)]
        x.XConnectionNumber.argtypes = [p]
        x.XSync.argtypes = [p, i]
        x.XCloseDisplay.argtypes = [p]
        x.XSetErrorHandler.argtypes = [_ERROR_HANDLER]
        self._x = x
        # A window gone between an event and a look (BadWindow) is no error here.
        self._on_error = _ERROR_HANDLER(lambda _display, _event: 0)
        x.XSetErrorHandler(self._on_error)
        self._display = x.XOpenDisplay(display.encode())
        if not self._display:
            raise NoX(f"cannot open display {display}")
        self.root = x.XDefaultRootWindow(self._display)
        self._pid_atom = x.XInternAtom(self._display, b"_NET_WM_PID", 0)
        self._wm_check = x.XInternAtom(self._display, b"_NET_SUPPORTING_WM_CHECK", 0)
        self._watched: set[int] = set()
        self._damage: dict[int, int] = {}  # window: its Damage object
        self._painted: set[int] = set()  # windows drawn into since the wait began
        self._damage_event = self._load_damage()
        x.XSelectInput(self._display, self.root, SUBSTRUCTURE_NOTIFY_MASK | PROPERTY_CHANGE_MASK)
        x.XSync(self._display, 0)

    def _load_damage(self) -> int | None:
        """The DamageNotify event type, or None without the DAMAGE extension or libXdamage
        (then a window counts as visible once mapped, without its first paint)."""
        name = ctypes.util.find_library("Xdamage")
        if name is None:
            return None
        damage = ctypes.CDLL(name)
        p, i = ctypes.c_void_p, ctypes.c_int
        damage.XDamageQueryExtension.argtypes = [p, ctypes.POINTER(i), ctypes.POINTER(i)]
        damage.XDamageCreate.restype = ctypes.c_ulong
        damage.XDamageCreate.argtypes = [p, ctypes.c_ulong, i]
        damage.XDamageSubtract.argtypes = [p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
        event_base, error_base = i(), i()
        if not damage.XDamageQueryExtension(
            self._display, ctypes.byref(event_base), ctypes.byref(error_base)
        ):
            return None
        self._xdamage = damage
        return event_base.value + DAMAGE_NOTIFY

    @property
    def sees_paint(self) -> bool:
        return self._damage_event is not None

    def _watch_paint(self, window: int) -> None:
        """Report the next drawing into `window` (a DamageNotify once its damage is not
        empty: a window Qt made has no background, so its first damage is its first
        paint)."""
        if self._damage_event is None:
            return
        if window in self._damage:
            self._xdamage.XDamageSubtract(self._display, self._damage[window], 0, 0)
        else:
            self._damage[window] = self._xdamage.XDamageCreate(
                self._display, window, DAMAGE_REPORT_NON_EMPTY
            )

    def close(self) -> None:
        self._x.XCloseDisplay(self._display)

    # -- looks at the server --

    def _children(self, window: int) -> tuple[int, list[int]]:
        root, parent = ctypes.c_ulong(), ctypes.c_ulong()
        children = ctypes.POINTER(ctypes.c_ulong)()
        count = ctypes.c_uint()
        ok = self._x.XQueryTree(
            self._display,
            window,
            ctypes.byref(root),
            ctypes.byref(parent),
            ctypes.byref(children),
            ctypes.byref(count),
        )
        if not ok:
            return 0, []
        found = [children[k] for k in range(count.value)]
        if children:
            self._x.XFree(children)
        return parent.value, found

    def _cardinal(self, window: int, atom: int) -> int | None:
        kind, fmt = ctypes.c_ulong(), ctypes.c_int()
        items, after = ctypes.c_ulong(), ctypes.c_ulong()
        data = ctypes.c_void_p()
        status = self._x.XGetWindowProperty(
            self._display,
            window,
            atom,
            0,
            1,
            0,
            ANY_PROPERTY_TYPE,
            ctypes.byref(kind),
            ctypes.byref(fmt),
            ctypes.byref(items),
            ctypes.byref(after),
            ctypes.byref(data),
        )
        value = None
        if status == 0 and data.value:
            if items.value and fmt.value == 32:
                value = ctypes.c_ulong.from_address(data.value).value
            self._x.XFree(data)
        return value

    def viewable(self, window: int) -> bool:
        attributes = _Attributes()
        if not self._x.XGetWindowAttributes(self._display, window, ctypes.byref(attributes)):
            return False
        return attributes.map_state == IS_VIEWABLE and not attributes.override_redirect

    def windows_of(self, pid: int) -> list[int]:
        """Every window (at any depth: under a window manager, inside its frame) whose
        _NET_WM_PID is `pid`."""
        found, todo = [], [self.root]
        while todo:
            window = todo.pop()
            if window != self.root and self._cardinal(window, self._pid_atom) == pid:
                found.append(window)
            todo.extend(self._children(window)[1])
        return found

    def has_window_manager(self) -> bool:
        return self._cardinal(self.root, self._wm_check) is not None

    def _follow(self, window: int) -> None:
        """Events of `window` and of each of its parents (a frame) from now on."""
        while window and window != self.root:
            if window not in self._watched:
                self._watched.add(window)
                self._x.XSelectInput(
                    self._display, window, STRUCTURE_NOTIFY_MASK | PROPERTY_CHANGE_MASK
                )
            window = self._children(window)[0]

    # -- waiting --

    def _drain(self) -> list[_Event]:
        """The events queued. A window destroyed is forgotten here: X gives its id to the
        next client (the next process's window often has the same one)."""
        events = []
        while self._x.XPending(self._display):
            event = _Event()
            self._x.XNextEvent(self._display, ctypes.byref(event))
            events.append(event)
            if event.type == DESTROY_NOTIFY:
                self._watched.discard(event.window())
                self._damage.pop(event.window(), None)
        return events

    def wait(self, pid: int, visible: bool, timeout: float = SHOW_TIMEOUT) -> dict[str, Any]:
        """Until a window of `pid` is viewable and drawn into since this call (with XDamage;
        else viewable), or, `visible` False, until none is viewable. The monotonic time the
        server's answer or event said so, whether an event or the poll saw it, and "mapped":
        when it was first seen viewable (with XDamage: the paint is the later of the two).
        """
        deadline = time.monotonic() + timeout
        fd = self._x.XConnectionNumber(self._display)
        candidates: set[int] = set()
        self._x.XSync(self._display, 0)
        self._drain()  # what happened before: windows destroyed, earlier paints
        self._painted.clear()
        for window in self._damage:
            self._watch_paint(window)  # reported again from the next drawing on
        by, rescan = "start", True
        mapped: float | None = None
        while True:
            if rescan:  # the whole tree: at the start, and when a poll found no event
                for window in self.windows_of(pid):
                    if window not in candidates:
                        candidates.add(window)
                        self._follow(window)
                        self._watch_paint(window)
            shown = [w for w in candidates if self.viewable(w)]
            now = time.monotonic()
            if shown and mapped is None:
                mapped = now
            drawn = not self.sees_paint or any(w in self._painted for w in shown)
            # A window that is already drawn and never drawn again (found late): its map.
            late = mapped is not None and now - mapped > PAINT_GRACE_S
            if (bool(shown) and (drawn or late)) if visible else not shown:
                # Events that came with the look's answers: the change came meanwhile.
                if by == "poll" and self._x.XEventsQueued(self._display, 0):
                    by = "event"
                at = mapped if visible and not drawn else now
                return {"at": at, "mapped": mapped, "by": by, "painted": visible and drawn}
            if now >= deadline:
                raise TimeoutError(f"no {'visible' if visible else 'hidden'} window of {pid}")
            self._x.XSync(self._display, 0)  # our selections made; pending events queued
            events = self._drain()
            if not events:
                ready, _, _ = select.select([fd], [], [], POLL_S)
                events = self._drain() if ready else []
            by, rescan = ("event", False) if events else ("poll", True)
            for event in events:
                if event.type == self._damage_event:
                    self._painted.add(event.drawable())
                    continue
                if event.type not in (CREATE_NOTIFY, MAP_NOTIFY, REPARENT_NOTIFY, PROPERTY_NOTIFY):
                    continue
                window = event.window()
                if event.type == CREATE_NOTIFY:
                    self._follow(window)  # its _NET_WM_PID comes as a property change
                if window not in candidates and self._cardinal(window, self._pid_atom) == pid:
                    candidates.add(window)
                    self._watch_paint(window)
                if window in candidates:
                    self._follow(window)  # and its new parents, after a reparent

    def wait_for_window_manager(self, timeout: float = 15.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.has_window_manager():
                return True
            time.sleep(0.02)
        return False


class Display:
    """A private Xvfb (its number from -displayfd) and, if one is installed, a window
    manager on it."""

    def __init__(self, env: dict[str, str], use_wm: bool = True) -> None:
        if shutil.which("Xvfb") is None:
            raise NoX("no Xvfb (apt-get install xvfb)")
        read_end, write_end = os.pipe()
        self._server = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_end),
                "-screen",
                "0",
                "1280x1024x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_end,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_end)
        self._wm: subprocess.Popen[bytes] | None = None
        self.watch: XWatch | None = None
        try:
            number = b""
            deadline = time.monotonic() + 15
            while not number.endswith(b"\n") and time.monotonic() < deadline:
                ready, _, _ = select.select([read_end], [], [], 0.5)
                if ready:
                    chunk = os.read(read_end, 64)
                    if not chunk:
                        break
                    number += chunk
            if not number.strip():
                raise NoX("Xvfb did not report its display")
            self.name = f":{number.decode().strip()}"
            self.watch = XWatch(self.name)
            self.window_manager = "no window manager"
            manager = (
                next((m for m in WINDOW_MANAGERS if shutil.which(m)), None) if use_wm else None
            )
            if use_wm and manager is None:
                self.window_manager = "no window manager (none installed: apt-get install openbox)"
            if manager is not None:
                args = [manager, "--sm-disable"] if manager == "openbox" else [manager]
                self._wm = subprocess.Popen(
                    args,
                    env={**env, "DISPLAY": self.name},
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
                if self.watch.wait_for_window_manager():
                    self.window_manager = manager
                else:
                    self.window_manager = f"no window manager ({manager} did not start)"
        except BaseException:
            self.close()
            raise
        finally:
            os.close(read_end)

    def close(self) -> None:
        if self.watch is not None:
            self.watch.close()
            self.watch = None
        for process in (self._wm, self._server):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(10)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


class Rounds:
    def __init__(self, display: Display, env: dict[str, str], log: Callable[[str], None]) -> None:
        assert display.watch is not None
        self.watch = display.watch
        self.base_env = {**env, "QT_QPA_PLATFORM": "xcb", "DISPLAY": display.name}
        self.env = self.base_env
        self.round = 0
        self.log = log
        self.errors = Path(env["HOME"]) / "children.err"

    def _tail(self) -> str:
        lines = self.errors.read_text(errors="replace").strip().splitlines()
        return " | ".join(lines[-6:]) or "nothing on stderr"

    def _spawn(self, args: list[str]) -> tuple[subprocess.Popen[bytes], float]:
        with self.errors.open("ab") as err:
            began = time.monotonic()
            process = subprocess.Popen(
                [sys.executable, *args],
                env=self.env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        return process, began

    def _shown(self, process: subprocess.Popen[bytes], began: float) -> dict[str, Any]:
        seen = self.watch.wait(process.pid, visible=True)
        return {
            "s": seen["at"] - began,
            "mapped_s": seen["mapped"] - began,
            "painted": seen["painted"],
            "by": seen["by"],
        }

    def bare(self) -> dict[str, Any]:
        process, began = self._spawn(["-c", BARE_CODE])
        try:
            return self._shown(process, began)
        finally:
            _stop(process)

    def panel_and_summon(self) -> tuple[dict[str, Any], dict[str, Any]]:
        panel, began = self._spawn(["-m", "desktop", "--demo"])
        try:
            cold = self._shown(panel, began)
            time.sleep(SETTLE_S)  # its demo rows arrive; the panel settles
            hide, _ = self._spawn(["-m", "desktop", "--demo", "--hide"])
            if hide.wait(30) != 0:
                raise RuntimeError(f"--hide exited {hide.returncode}: {self._tail()}")
            self.watch.wait(panel.pid, visible=False)
            time.sleep(SETTLE_S)
            toggle, began = self._spawn(["-m", "desktop", "--demo", "--toggle"])
            summon = self._shown(panel, began)
            code = toggle.wait(30)
            summon["client_exit_s"] = time.monotonic() - began
            if code != 0:
                raise RuntimeError(f"--toggle exited {code}: {self._tail()}")
            if panel.poll() is not None:
                raise RuntimeError(f"the panel exited ({panel.returncode}): {self._tail()}")
            return cold, summon
        finally:
            _stop(panel)

    def one(self) -> dict[str, Any]:
        """A round; its processes get a runtime folder of their own (the panel's socket and
        lock), as after a log-in, so no round starts where the last one's panel, ended with
        SIGTERM, left its socket file."""
        self.round += 1
        runtime = Path(self.base_env["XDG_RUNTIME_DIR"]) / f"r{self.round}"
        runtime.mkdir(mode=0o700)
        self.env = {**self.base_env, "XDG_RUNTIME_DIR": str(runtime)}
        bare = self.bare()
        panel, summon = self.panel_and_summon()
        return {"bare": bare, "panel": panel, "summon": summon}


def run(
    rounds: int, *, use_wm: bool = True, log: Callable[[str], None] = lambda _t: None
) -> dict[str, Any]:
    """The warm-up and `rounds` rounds; medians, paired ratios and every round."""
    workdir = Workdir()
    env = workdir.env()
    started = time.monotonic()
    try:
        display = Display(env, use_wm=use_wm)
        try:
            log(f"summon: Xvfb {display.name}, {display.window_manager}; warm-up round")
            bench = Rounds(display, env, log)
            bench.one()
            results = []
            for number in range(rounds):
                log(f"summon round {number + 1}/{rounds}")
                results.append(bench.one())
        finally:
            sees_paint = display.watch is not None and display.watch.sees_paint
            display.close()
    finally:
        workdir.close()
    kinds = ("bare", "panel", "summon")
    bare = [r["bare"]["s"] for r in results]
    panel = [r["panel"]["s"] for r in results]
    summon = [r["summon"]["s"] for r in results]
    return {
        "window_manager": display.window_manager,
        "visible": "first paint after the map (XDamage)"
        if sees_paint
        else "mapped (no XDamage: the first paint is not seen)",
        "rounds": rounds,
        "bare_s": median(bare),
        "panel_s": median(panel),
        "summon_s": median(summon),
        **{f"{k}_mapped_s": median([r[k]["mapped_s"] for r in results]) for k in kinds},
        "unpainted": sum(1 for r in results for k in kinds if not r[k]["painted"]),
        "summon_client_exit_s": median([r["summon"]["client_exit_s"] for r in results]),
        "panel_ratio": median([p / b for p, b in zip(panel, bare, strict=True)]),
        "summon_ratio": median([s / b for s, b in zip(summon, bare, strict=True)]),
        "seen_by_poll": sum(1 for r in results for k in kinds if r[k]["by"] != "event"),
        "elapsed_s": time.monotonic() - started,
        "runs": results,
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def describe(result: dict[str, Any]) -> str:
    lines = [
        f"under Xvfb, {result['window_manager']}; median of {result['rounds']} rounds "
        f"(+1 warm-up), {result['elapsed_s']:.1f} s; visible: {result['visible']}",
        f"  bare PySide6 window, spawn to visible: {ms(result['bare_s'])}",
        f"  panel cold start (--demo), spawn to visible: {ms(result['panel_s'])}, "
        f"{result['panel_ratio']:.2f}x bare (target <= 1.5x)",
        f"  summon (--demo --toggle), spawn to visible again: {ms(result['summon_s'])}, "
        f"{result['summon_ratio']:.2f}x bare (target <= 0.5x); "
        f"the summoning process exited after {ms(result['summon_client_exit_s'])}",
    ]
    each = " ".join(
        f"{r['bare']['s'] * 1000:.0f}/{r['panel']['s'] * 1000:.0f}/{r['summon']['s'] * 1000:.0f}"
        for r in result["runs"]
    )
    lines.append(f"  rounds (bare/panel/summon ms): {each}")
    mapped = "/".join(f"{result[f'{k}_mapped_s'] * 1000:.0f}" for k in ("bare", "panel", "summon"))
    lines.append(f"  mapped (medians, bare/panel/summon ms): {mapped}")
    if result["unpainted"]:
        lines.append(f"  ({result['unpainted']} of the times: no paint seen, the map counted)")
    if result["seen_by_poll"]:
        lines.append(f"  ({result['seen_by_poll']} of the times were seen by the 20 ms poll)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.summon", description=__doc__)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument(
        "--no-wm", action="store_true", help="no window manager, even if one is installed"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the result as JSON")
    args = parser.parse_args(argv)
    compileall.compile_dir(ROOT / "desktop", quiet=1)  # as an installed app runs
    try:
        result = run(
            args.rounds,
            use_wm=not args.no_wm,
            log=lambda t: print(f"  .. {t}", file=sys.stderr, flush=True),
        )
    except NoX as exc:
        print(f"summon: skipped: {exc}")
        return 0
    print(describe(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
