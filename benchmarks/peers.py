"""Section 3: the same load with Clockify clients from PyPI, in the benchmark's own venv."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from benchmarks.common import PEER_VENV, ChildFailed, ServerProcess, run_child

PEER_PACKAGES = ["clockifyclient", "clockify-sdk", "clockify-api-client"]
INSTALL_COMMAND = "python -m benchmarks --install-peers"


def peer_python() -> str | None:
    python = PEER_VENV / "bin" / "python"
    return str(python) if python.exists() else None


def install() -> int:
    """Create benchmarks/.venv-peers and install the peers there (never in the app's venv)."""
    if peer_python() is None:
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    python = peer_python()
    assert python is not None
    command = [python, "-m", "pip", "install", "--quiet", *PEER_PACKAGES]
    return subprocess.run(command, check=False).returncode


def installed(python: str) -> set[str]:
    code = (
        "import importlib.metadata as m, sys\n"
        f"for n in {PEER_PACKAGES!r}:\n"
        "    try: m.version(n); print(n)\n"
        "    except m.PackageNotFoundError: pass\n"
    )
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=False)
    return set(out.stdout.split())


def run(server: ServerProcess, env: dict[str, str]) -> list[dict[str, Any]]:
    python = peer_python()
    if python is None:
        return [
            {"peer": name, "error": f"not installed (run `{INSTALL_COMMAND}`)"}
            for name in PEER_PACKAGES
        ]
    present = installed(python)
    results = []
    for name in PEER_PACKAGES:
        if name not in present:
            results.append({"peer": name, "error": f"not installed (run `{INSTALL_COMMAND}`)"})
            continue
        server.reset()
        args = ["-m", "benchmarks.peer_child", name, server.base_url, server.api_key]
        try:
            result = run_child([*args, server.workspace_id], env, python=python)
        except ChildFailed as exc:
            result = {"peer": name, "error": str(exc)}
        result["requests"] = server.count()
        results.append(result)
    return results
