"""Shared fixtures: an isolated home for every test, offscreen Qt, and the fake Clockify server."""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Set before any Qt import: tests never need a display unless marked xvfb.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANG", "C.UTF-8")
if "XDG_RUNTIME_DIR" not in os.environ:
    _runtime = tempfile.mkdtemp(prefix="clockify-panel-runtime-")
    os.chmod(_runtime, 0o700)
    os.environ["XDG_RUNTIME_DIR"] = _runtime

from fake_clockify import FakeClockify, RecordedRequest

# Property-based tests: a bounded number of examples so CI stays fast, no per-example
# deadline (the machines are shared and noisy), the same examples on every run.
settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("ci")

TEST_KEY = "test-key-0123456789abcdef0123456789ab"


@pytest.fixture(autouse=True)
def collect_garbage_on_the_gui_thread() -> Iterator[None]:
    """After each test (its widgets closed), collect reference cycles on this thread.

    Left for later, a cycle holding Qt objects is collected by whichever thread happens to
    allocate next, often a fake server's or a worker's, and destroying Qt objects there
    crashes the interpreter (seen as "Fatal Python error: Segmentation fault" with
    "Garbage-collecting" on a server thread, tests apart, in long runs).
    """
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own HOME and XDG dirs: nothing touches the developer's files."""
    home = tmp_path / "home"
    for sub in ("config", "data", "cache", "state"):
        (home / sub).mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    # No test reaches the developer's keyring: the fail backend unless a test picks another.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    # QSettings caches its folder once per process: point it at this test's config dir.
    from PySide6.QtCore import QSettings

    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(home / "config"))
    for name in ("CLOCKIFY_API_KEY", "CLOCKIFY_BASE_URL", "CLOCKIFY_PANEL_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True)
def only_get_requests(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Read-only, over the whole suite: every fake server in a test sees only GET."""
    methods: list[str] = []
    original = FakeClockify._record

    def record(self: FakeClockify, entry: RecordedRequest) -> None:
        methods.append(entry.method)
        original(self, entry)

    monkeypatch.setattr(FakeClockify, "_record", record)
    yield
    if request.node.get_closest_marker("sends_non_get") is None:
        assert set(methods) <= {"GET"}, f"the app sent {sorted(set(methods) - {'GET'})}"


@pytest.fixture
def fake_server() -> Iterator[FakeClockify]:
    """A fake Clockify on 127.0.0.1 with one key (TEST_KEY) and a small workspace."""
    with FakeClockify.with_sample_data(api_key=TEST_KEY) as server:
        yield server
