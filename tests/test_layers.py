"""The layers of desktop/ hold: the command line runs with PySide6 blocked, the import
contracts (pyproject.toml, `lint-imports`) pass and catch a deliberate violation, and the
entry sets up a command's process once, only when it runs as the program."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEST_KEY
from fake_clockify import SAMPLE_WORKSPACE_ID, FakeClockify

ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "layers test passphrase"

#: `python -c` this, then the program's arguments: the entry's main() in a process where
#: any import of Qt fails, as on a machine without PySide6.
WITHOUT_QT = r"""
import importlib.abc, sys

QT = ("PySide6", "shiboken6")

class NoQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in QT:
            print(f"blocked import of {name}", file=sys.stderr)
            raise ImportError(f"{name} is not installed here")
        return None

sys.meta_path.insert(0, NoQt())
from desktop.__main__ import main
code = main(sys.argv[1:])
loaded = sorted(n for n in sys.modules if n.partition(".")[0] in QT)
assert not loaded, loaded
sys.exit(code)
"""


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.update(extra)
    return env


def _without_qt(
    *args: str, env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_QT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert "blocked import" not in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert TEST_KEY not in result.stdout + result.stderr
    return result


@pytest.mark.timeout(120)
def test_the_command_line_runs_without_pyside6(fake_server: FakeClockify) -> None:
    url = ("--base-url", fake_server.base_url)
    listed = _without_qt("list", "workspaces", *url, env=_env(CLOCKIFY_API_KEY=TEST_KEY))
    assert listed.returncode == 0, listed.stderr
    assert "Acme Ltd" in listed.stdout

    # The key store too (the encrypted file: keyring's fail backend, from conftest).
    stored = _env(CLOCKIFY_PANEL_PASSPHRASE=PASSPHRASE)
    setter = _without_qt("key", "set", *url, env=stored, stdin=TEST_KEY + "\n")
    assert setter.returncode == 0, setter.stderr
    status = _without_qt("key", "status", *url, env=stored)
    assert status.returncode == 0, status.stderr
    assert "Belongs to Alice Admin <alice@acme.example>" in status.stdout
    users = _without_qt(
        "list", "users", "--workspace", SAMPLE_WORKSPACE_ID, "--format", "csv", *url, env=stored
    )
    assert users.returncode == 0, users.stderr
    assert users.stdout.splitlines()[0] == "id,name,email,status"
    assert "Alice Admin,alice@acme.example,ACTIVE" in users.stdout


def test_the_panel_needs_pyside6_and_says_so() -> None:
    """The hook above really blocks Qt: the panel cannot start behind it (this keeps the
    test of the command line honest)."""
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_QT, "--demo"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "blocked import of PySide6" in result.stderr


# -- the import contracts --------------------------------------------------------------------


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` with the project's contracts on the copy of desktop/ in `tree`."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command; "
            "sys.exit(lint_imports_command())",
            "--no-cache",
        ],
        cwd=tree,
        capture_output=True,
        text=True,
        env={**_env(), "PYTHONPATH": str(tree)},
        timeout=120,
        check=False,
    )
    # One line per contract, however wide the terminal: names are matched as plain words.
    result.stdout = " ".join(result.stdout.split())
    return result


def _copy_of_the_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(
        ROOT / "desktop", tree / "desktop", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


@pytest.mark.timeout(120)
def test_the_layers_hold(tmp_path: Path) -> None:
    result = _lint_imports(_copy_of_the_tree(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken" in result.stdout


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        (
            "cli/common.py",
            "import PySide6.QtCore",
            "The command line imports no UI and no Qt",
        ),
        (
            "ui/stored.py",
            "from desktop.cli import common",
            "The UI never imports the command line",
        ),
        (
            "clockify/models.py",
            "from desktop.store import paths",
            "The Clockify client imports nothing of the app",
        ),
        (
            "store/paths.py",
            "from PySide6.QtCore import QSettings",
            "The stores and the connection options import no Qt",
        ),
        (
            "ui/tree_model.py",
            "from desktop.ui import session",
            "No cycles inside desktop/",
        ),
    ],
)
def test_a_deliberate_violation_breaks_a_contract(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    tree = _copy_of_the_tree(tmp_path)
    source = tree / "desktop" / module
    source.write_text(source.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    result = _lint_imports(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{contract}" in result.stdout
    assert "BROKEN" in result.stdout
    assert " 0 broken" not in result.stdout


# -- the process of a command ----------------------------------------------------------------

#: Reports, at the very end of the process (after the entry's own exit handlers), whether the
#: collector is on and how many objects it was told to skip.
AT_EXIT = r"""
import atexit, gc, sys
atexit.register(lambda: print(f"collecting={gc.isenabled()} frozen={gc.get_freeze_count()}"))
from desktop import __main__ as entry
for _ in range(int(sys.argv[1])):
    code = getattr(entry, sys.argv[2])(sys.argv[3:])
    assert code == 0, code
"""


def _at_exit(calls: int, function: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", AT_EXIT, str(calls), function, *args],
        capture_output=True,
        text=True,
        env=_env(CLOCKIFY_API_KEY=TEST_KEY),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-1]


def test_a_command_process_rests_the_collector_and_freezes_at_exit(
    fake_server: FakeClockify,
) -> None:
    args = ("list", "workspaces", "--base-url", fake_server.base_url)
    collecting, frozen = _at_exit(1, "main", *args).split()
    assert collecting == "collecting=False"
    assert int(frozen.partition("=")[2]) > 1000  # the modules, classes and rows left


def test_running_commands_in_process_leaves_the_collector_alone(
    fake_server: FakeClockify,
) -> None:
    """`run` (tests, benchmarks) changes nothing of the process, however often it is called."""
    args = ("list", "workspaces", "--base-url", fake_server.base_url)
    assert _at_exit(3, "run", *args) == "collecting=True frozen=0"


def test_the_panel_and_the_self_test_are_not_commands() -> None:
    from desktop.__main__ import build_parser, is_command

    parser = build_parser()
    assert not is_command(parser.parse_args([]))
    assert not is_command(parser.parse_args(["--demo"]))
    assert not is_command(parser.parse_args(["--self-test"]))
    assert is_command(parser.parse_args(["list", "workspaces"]))
    assert is_command(parser.parse_args(["key", "status"]))
