"""`python -m benchmarks.list_process [--users N] [--runs N] [--other CHECKOUT]`: section 8.

`clockify-panel list users --all --format F` as a user runs it, one whole process per run
(`python -m desktop list users ...`, the key in CLOCKIFY_API_KEY), for F in json, csv,
tsv and table, against the stdlib floor (benchmarks/list_floor.py) run as a process too,
and against the PyPI peers (benchmarks/list_peer.py, in benchmarks/.venv-peers) when
they are installed. Every contestant must print the floor's bytes; the runs are
interleaved round by round (floor and app in alternating order, then the peers), and a
ratio is the median of the rounds' own ratios. With --other, another checkout's app (a
`git worktree` of an older commit, say) runs in every round too. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import peers
from benchmarks.common import (
    CHILD_TIMEOUT,
    ROOT,
    ChildFailed,
    ServerProcess,
    Workdir,
    median,
)
from benchmarks.list_floor import FORMATS
from benchmarks.list_peer import NOTES

ENV_API_KEY = "CLOCKIFY_API_KEY"


@dataclass
class Contestant:
    """One way of printing the list: a command line per format, and what its runs gave."""

    name: str
    argv: list[str]  # "{fmt}" stands for the format
    env: dict[str, str]
    cwd: Path
    note: str = ""
    seconds: dict[str, list[float]] = field(default_factory=dict)
    digests: dict[str, set[str]] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    def command(self, fmt: str) -> list[str]:
        return [part.replace("{fmt}", fmt) for part in self.argv]


def timed(contestant: Contestant, fmt: str, server: ServerProcess) -> None:
    """One run: its wall time from spawn to exit, the digest of its stdout, its requests."""
    server.reset()
    started = time.perf_counter()
    done = subprocess.run(
        contestant.command(fmt),
        env=contestant.env,
        cwd=contestant.cwd,
        capture_output=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise ChildFailed(f"{contestant.name} --format {fmt} exited {done.returncode}: {tail}")
    contestant.seconds.setdefault(fmt, []).append(elapsed)
    contestant.digests.setdefault(fmt, set()).add(hashlib.sha256(done.stdout).hexdigest())
    contestant.requests[fmt] = server.count()


def peer_versions(python: str) -> dict[str, str]:
    code = (
        "import importlib.metadata as m\n"
        f"for n in {peers.PEER_PACKAGES!r}:\n"
        "    try: print(n, m.version(n))\n"
        "    except m.PackageNotFoundError: pass\n"
    )
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=False)
    return dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)


def make_shim(app_root: Path, base: Path) -> Path:
    """A folder whose `desktop` is app_root's, first on the path (before the editable install)."""
    shim = base / "other"
    shim.mkdir()
    (shim / "desktop").symlink_to(app_root.resolve() / "desktop", target_is_directory=True)
    return shim


def contestants(
    server: ServerProcess, env: dict[str, str], other_shim: Path | None, with_peers: bool = True
) -> tuple[list[Contestant], list[dict[str, Any]]]:
    """The floor, the app (and the other checkout's), the installed peers; the missing peers."""
    env = dict(env, **{ENV_API_KEY: server.api_key})
    where = [server.base_url, server.workspace_id]
    app_args = ["-m", "desktop", "list", "users", "--all", "--format", "{fmt}"]
    app_args += ["--workspace", server.workspace_id, "--base-url", server.base_url]
    python = sys.executable
    found = [
        Contestant("floor", [python, "-m", "benchmarks.list_floor", "{fmt}", *where], env, ROOT),
        Contestant("app", [python, *app_args], env, ROOT),
    ]
    if other_shim is not None:
        other_env = dict(env, PYTHONPATH=f"{other_shim}:{ROOT}")
        found.append(Contestant("other", [python, *app_args], other_env, other_shim))
    missing: list[dict[str, Any]] = []
    if not with_peers:
        return found, missing
    peer_python = peers.peer_python()
    versions = peer_versions(peer_python) if peer_python else {}
    for name in peers.PEER_PACKAGES:
        if peer_python is None or name not in versions:
            missing.append({"peer": name, "error": f"not installed (`{peers.INSTALL_COMMAND}`)"})
            continue
        argv = [peer_python, "-m", "benchmarks.list_peer", name, "{fmt}", *where]
        label = f"{name} {versions[name]}"
        found.append(Contestant(label, argv, env, ROOT, note=NOTES[name]))
    return found, missing


def run(
    server: ServerProcess,
    env: dict[str, str],
    runs: int,
    formats: tuple[str, ...] = FORMATS,
    other: Path | None = None,
    log: Any = None,
    with_peers: bool = True,
) -> dict[str, Any]:
    """Warm-up, then `runs` interleaved rounds; the figures per contestant and format."""
    with tempfile.TemporaryDirectory(prefix="clockify-list-") as temp:
        shim = make_shim(other, Path(temp)) if other is not None else None
        if other is not None:
            compileall.compile_dir(other / "desktop", quiet=1)
        everyone, missing = contestants(server, env, shim, with_peers)
        for contestant in everyone:  # warm-up: bytecode caches, the page cache
            try:
                timed(contestant, formats[0], server)
            except (ChildFailed, subprocess.TimeoutExpired) as exc:
                contestant.error = str(exc)
            contestant.seconds.clear()
            contestant.digests.clear()
        floor, app, *rest = everyone
        for round_ in range(runs):
            if log is not None:
                log(f"list: round {round_ + 1}/{runs}")
            for fmt in formats:
                pair = [floor, app] if round_ % 2 == 0 else [app, floor]
                for contestant in [*pair, *rest]:
                    if contestant.error is None:
                        try:
                            timed(contestant, fmt, server)
                        except (ChildFailed, subprocess.TimeoutExpired) as exc:
                            contestant.error = str(exc)
    return summarise(everyone, missing, formats, runs, server)


def paired(mine: list[float], base: list[float]) -> float | None:
    pairs = [m / b for m, b in zip(mine, base, strict=False) if b > 0]
    return median(pairs) if pairs else None


def summarise(
    everyone: list[Contestant],
    missing: list[dict[str, Any]],
    formats: tuple[str, ...],
    runs: int,
    server: ServerProcess,
) -> dict[str, Any]:
    floor, app = everyone[0], everyone[1]
    result: dict[str, Any] = {
        "users": server.users,
        "latency": server.latency,
        "runs": runs,
        "formats": list(formats),
        "contestants": [],
        "missing": missing,
    }
    for contestant in everyone:
        entry: dict[str, Any] = {"name": contestant.name, "note": contestant.note}
        if contestant.error is not None:
            entry["error"] = contestant.error
        per_format: dict[str, Any] = {}
        for fmt in formats:
            times = contestant.seconds.get(fmt, [])
            if not times:
                continue
            floor_times = floor.seconds.get(fmt, [])
            app_times = app.seconds.get(fmt, [])
            per_format[fmt] = {
                "seconds": median(times),
                "runs": times,
                "requests": contestant.requests.get(fmt),
                "to_floor": paired(times, floor_times),
                "to_app": paired(times, app_times),
                "same_output": contestant.digests.get(fmt) == floor.digests.get(fmt)
                and len(contestant.digests.get(fmt, ())) == 1,
            }
        entry["formats"] = per_format
        result["contestants"].append(entry)
    return result


def ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:,.0f} ms"


def times(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:.2f}x"


def print_result(result: dict[str, Any]) -> None:
    print(
        f"list users --all, whole process: {result['users']:,} users, "
        f"{result['latency'] * 1000:g} ms latency, {result['runs']} interleaved rounds"
    )
    print(f"{'contestant':34s} {'format':6s} {'median':>9s} {'/floor':>7s} {'/app':>7s}  req  same")
    for entry in result["contestants"]:
        if "error" in entry:
            print(f"{entry['name']:34s} error: {entry['error']}")
        for fmt, figures in entry["formats"].items():
            print(
                f"{entry['name']:34s} {fmt:6s} {ms(figures['seconds']):>9s} "
                f"{times(figures['to_floor']):>7s} {times(figures['to_app']):>7s} "
                f"{figures['requests']!s:>4s}  {'yes' if figures['same_output'] else 'NO'}"
            )
    for entry in result["missing"]:
        print(f"{entry['peer']:34s} n/a: {entry['error']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.list_process", description=__doc__)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated")
    parser.add_argument("--other", type=Path, help="another checkout, run in every round too")
    parser.add_argument("--no-peers", action="store_true", help="the floor and the app only")
    args = parser.parse_args(argv)
    formats = tuple(f for f in args.formats.split(",") if f)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        parser.error(f"unknown formats: {', '.join(sorted(unknown))}")
    compileall.compile_dir(ROOT / "desktop", quiet=1)
    workdir = Workdir()
    try:
        env = workdir.env()
        with ServerProcess(args.users, 10, args.latency, env) as server:
            result = run(
                server,
                env,
                args.runs,
                formats,
                args.other,
                log=lambda text: print(f"  .. {text}", file=sys.stderr, flush=True),
                with_peers=not args.no_peers,
            )
    finally:
        workdir.close()
    print_result(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
