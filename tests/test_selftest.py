"""`python -m desktop --self-test` and `--version` in a subprocess, as a user would run them.

The PyInstaller bundle runs the same self-test (scripts/build_bundle.sh); building it is
too slow for every test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from desktop import __version__

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_self_test_passes_on_demo_data(isolated_home):
    result = _run("--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert not [line for line in lines if line.startswith("FAIL")], result.stdout
    ok = [line for line in lines if line.startswith("ok: ")]
    for expected in (
        "ok: resources found",
        "ok: SVG image plugin loaded",
        "ok: cryptography works",
        "ok: keyring backend modules importable",
        "ok: 4 demo workspaces loaded",
        "ok: selected a client and copied its ID",
    ):
        assert any(line.startswith(expected) for line in ok), (expected, result.stdout)
    # conftest forces keyring's fail backend: a warning, not a failure.
    assert any(
        line.startswith("warning: keyring backend is") and "PYTHON_KEYRING_BACKEND" in line
        for line in lines
    ), result.stdout
    assert lines[-1].startswith("self-test passed")
    # The demo key is public, but the self-test prints no key at all.
    from desktop.demo import DEMO_API_KEY

    assert DEMO_API_KEY not in result.stdout + result.stderr
    # Settings went to a temporary folder, not the user's.
    assert not any((isolated_home / "config").rglob("*.conf")), "user settings were written"


def test_version_prints_the_version():
    result = _run("--version", timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"clockify-panel {__version__}"
