"""The README's commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _fenced_commands(heading: str) -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(f"## {heading}", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, f"no command block under {heading!r}"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_ci_runs_the_readme_test_command() -> None:
    (command,) = _fenced_commands("Run the tests")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    # CI creates and activates the venv itself; the rest of the line must be the same.
    tail = command.split("&& . .venv/bin/activate && ", 1)[1]
    assert tail in ci


def test_readme_run_command_uses_demo_mode() -> None:
    (command,) = _fenced_commands("Install and run")
    assert command.endswith("python -m desktop --demo")
