"""Run commands against a real Secret Service: gnome-keyring inside a private D-Bus session.

Each command gets its own `dbus-run-session`; the keyring's storage lives under the
(isolated) HOME, so what one command stores the next one reads, as long as the same
keyring password unlocks it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

KEYRING_PASSWORD = "test-keyring-password"

_UNLOCKED = (
    'eval "$(printf %s "$GK_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets)"'
)
_LOCKED = 'eval "$(gnome-keyring-daemon --components=secrets </dev/null)"'


def missing_tools() -> str | None:
    """Why a Secret Service cannot be started here, or None."""
    missing = [t for t in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(t)]
    if missing:
        return f"{' and '.join(missing)} not installed (apt-get install gnome-keyring dbus)"
    return None


def require_secret_service() -> None:
    """Skip without the tools, except on CI (env CI=true), where the test must run."""
    reason = missing_tools()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must run the Secret Service tests, but {reason}")
    pytest.skip(reason)


def secret_service_env(base: Mapping[str, str], home: Path, runtime: Path) -> dict[str, str]:
    """`base` with HOME/XDG_RUNTIME_DIR pointing at temporary dirs and no forced backend."""
    env = dict(base)
    env.pop("PYTHON_KEYRING_BACKEND", None)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    env.pop("GNOME_KEYRING_CONTROL", None)
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    runtime.chmod(0o700)
    env["HOME"] = str(home)
    env["XDG_RUNTIME_DIR"] = str(runtime)
    env["GK_PASSWORD"] = KEYRING_PASSWORD
    return env


def wrap(argv: Sequence[str], *, unlock: bool = True) -> list[str]:
    """`argv` run inside a fresh D-Bus session with gnome-keyring's secrets component."""
    start = _UNLOCKED if unlock else _LOCKED
    return ["dbus-run-session", "--", "sh", "-c", f'{start}; exec "$@"', "sh", *argv]


def run_in_session(
    argv: Sequence[str],
    env: Mapping[str, str],
    *,
    unlock: bool = True,
    stdin: str | None = None,
    timeout: float = 30,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        wrap(argv, unlock=unlock),
        input=stdin if stdin is not None else "",
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
