"""Shared helpers: statistics, the environment of the child processes, the server process."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PEER_VENV = Path(__file__).resolve().parent / ".venv-peers"
BENCH_API_KEY = "bench-key-public-not-a-secret"  # a made-up key, served on 127.0.0.1 only
BENCH_PASSPHRASE = "bench-passphrase-not-a-secret"  # noqa: S105 - temp credential file only
WORKSPACE_ID = "5f1e0a0b0c0d0e0f10bec001"
WORKSPACE_NAME = "Benchmark Workspace"
CHILD_TIMEOUT = 240.0


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100), linear between the closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * p / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(value: float | None, baseline: float | None) -> float | None:
    if value is None or baseline is None or baseline <= 0:
        return None
    return value / baseline


@dataclass
class Row:
    """One line of the result table."""

    section: str
    metric: str
    value: str
    baseline: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "metric": self.metric,
            "value": self.value,
            "baseline": self.baseline,
            "ratio": self.ratio,
            "target": self.target,
            "met": self.met,
            "data": self.data,
        }


class Workdir:
    """A private HOME and XDG folders, so the children never touch the user's settings."""

    def __init__(self) -> None:
        self._temp = tempfile.TemporaryDirectory(prefix="clockify-bench-")
        self.path = Path(self._temp.name)
        for name in ("home", "config", "cache", "state", "data", "runtime"):
            (self.path / name).mkdir(mode=0o700)

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            # Children write and use bytecode caches, as an installed app does.
            if not key.startswith(("CLOCKIFY_", "XDG_", "QT_")) and key != "PYTHONDONTWRITEBYTECODE"
        }
        env.update(
            {
                "HOME": str(self.path / "home"),
                "XDG_CONFIG_HOME": str(self.path / "config"),
                "XDG_CACHE_HOME": str(self.path / "cache"),
                "XDG_STATE_HOME": str(self.path / "state"),
                "XDG_DATA_HOME": str(self.path / "data"),
                "XDG_RUNTIME_DIR": str(self.path / "runtime"),
                "QT_QPA_PLATFORM": "offscreen",
                "LANG": "C.UTF-8",
                "PYTHONPATH": str(ROOT),
                "CLOCKIFY_PANEL_CREDENTIALS": "file",
                "CLOCKIFY_PANEL_PASSPHRASE": BENCH_PASSPHRASE,
                "NO_PROXY": "127.0.0.1,localhost",
            }
        )
        env.update(extra)
        return env

    def close(self) -> None:
        self._temp.cleanup()


def run_child(
    args: Sequence[str],
    env: dict[str, str],
    *,
    python: str | None = None,
    cwd: Path | None = None,
) -> dict[str, Any]:
    """Run `python -m benchmarks.<module> ...`; its last stdout line is a JSON result.

    The child's start time (parent's time.time() just before spawning) travels in
    BENCH_T0, so the child can tell how long after its spawn something happened.
    """
    env = dict(env)
    env["BENCH_T0"] = repr(time.time())
    completed = subprocess.run(
        [python or sys.executable, *args],
        env=env,
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or not lines:
        tail = (completed.stderr or completed.stdout).strip().splitlines()[-8:]
        raise ChildFailed(f"{' '.join(args)} exited {completed.returncode}: " + " | ".join(tail))
    result: dict[str, Any] = json.loads(lines[-1])
    return result


class ChildFailed(RuntimeError):
    pass


class ServerProcess:
    """The fake Clockify server in its own process, so its work never shares our GIL.

    Commands on its stdin: "count" (requests since the last reset), "reset", "quit".
    """

    def __init__(self, users: int, clients: int, latency: float, env: dict[str, str]) -> None:
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.server",
                "--users",
                str(users),
                "--clients",
                str(clients),
                "--latency",
                str(latency),
            ],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        info = json.loads(self._readline())
        self.base_url: str = info["base_url"]
        self.api_key: str = info["api_key"]
        self.workspace_id: str = info["workspace_id"]
        self.totals: dict[str, int] = info["totals"]
        self.users = users
        self.clients = clients
        self.latency = latency

    def _readline(self) -> str:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise ChildFailed("the fake server process ended")
        return line

    def _command(self, text: str) -> str:
        assert self._proc.stdin is not None
        self._proc.stdin.write(text + "\n")
        self._proc.stdin.flush()
        return self._readline().strip()

    def count(self) -> int:
        return int(self._command("count"))

    def reset(self) -> None:
        self._command("reset")

    def close(self) -> None:
        if self._proc.poll() is None:
            try:
                self._command("quit")
                self._proc.wait(timeout=10)
            except (OSError, ChildFailed, subprocess.TimeoutExpired):
                self._proc.kill()
                self._proc.wait()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
