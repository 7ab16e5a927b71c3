"""Disconnect with a real Secret Service: the key and the cache key leave the keyring.

The panel runs in a child process inside its own D-Bus session with gnome-keyring (see
tests/secret_service.py); the fake Clockify runs here, on 127.0.0.1. The encrypted-file
store's variant of these checks is in test_session.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEST_KEY
from fake_clockify import FakeClockify
from secret_service import require_secret_service, run_in_session, secret_service_env

from desktop.clockify import Connection

ROOT = Path(__file__).resolve().parents[1]
SECRETS_IN_DATA = ("Alice Admin", "alice@acme.example", "Bob Builder", "Acme Ltd", "Initech")

# The child: store the key in the keyring, start the panel on it, load and cache Acme, then
# Disconnect with the form showing another region. It prints one JSON line of what it saw;
# never a secret.
PANEL_CHILD = r"""
import json, shutil, sys, tempfile, time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop.clockify import ApiKey, Connection
from desktop.store import cache_key_entry, open_credential_store, paths
from desktop.store.cache import EncryptedCache
from tests.fake_clockify import SAMPLE_WORKSPACE_ID
from desktop.ui.connection_settings import set_identity
from desktop.ui.main_window import PanelWindow
from desktop.ui.session import PanelSession
from desktop.ui.tree_model import LoadState


def until(condition, seconds=30.0):
    # Runs the child's own event loop until a state holds (no Qt test helper in a plain
    # child process); the short sleep only keeps this loop from spinning a core.
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting")
        QApplication.processEvents()
        time.sleep(0.01)


class Stub:
    def __init__(self, entries):
        self.entries = dict(entries)

    def get(self, entry):
        return self.entries.get(entry)

    def set(self, entry, value):
        self.entries[entry] = value

    def delete(self, entry):
        return self.entries.pop(entry, None) is not None


set_identity()
app = QApplication([])
connection = Connection.for_base_url(sys.argv[1])
store = open_credential_store()
store.set_api_key(connection, ApiKey(sys.stdin.readline().strip()))
window = PanelWindow()
session = PanelSession(window)
runner = window.runner
window.show()
session.start(connection, None)
until(lambda: window.loader.loaded_at is not None and not window.loader.busy)
acme = window.model.workspace(SAMPLE_WORKSPACE_ID)
window.loader.load_workspace(SAMPLE_WORKSPACE_ID)
until(lambda: acme.users.state is LoadState.LOADED and acme.clients.state is LoadState.LOADED)
session._save_cache()
until(lambda: runner.wait_idle(0))
QApplication.processEvents()
cache_file = EncryptedCache(store).path_for(connection)
old_cache_key = store.get(cache_key_entry(connection))
seen = {
    "store": store.kind,
    "cached": cache_file.is_file() and old_cache_key is not None,
}

session.open_settings()
dialog = session.dialog
dialog.confirm = lambda _question: True
dialog.region_combo.setCurrentIndex(dialog.region_combo.findData("eu"))
dialog.disconnect_button.click()
until(lambda: session.dialog is None)
until(lambda: runner.wait_idle(0))
QApplication.processEvents()
seen["api_key_gone"] = store.get_api_key(connection) is None
seen["cache_key_gone"] = store.get(cache_key_entry(connection)) is None
seen["cache_file_gone"] = not cache_file.exists()
seen["status"] = window.status_label.text()

# Every file of the app's folders, tried as the cache with the key that sealed it.
probe = EncryptedCache(Stub({cache_key_entry(connection): old_cache_key}), Path(tempfile.mkdtemp()))
decrypted = []
for folder in (paths.config_dir(), paths.data_dir(), paths.cache_dir(), paths.log_dir()):
    for path in folder.rglob("*") if folder.exists() else []:
        if path.is_file():
            shutil.copyfile(path, probe.path_for(connection))
            if probe.open(connection) is not None:
                decrypted.append(str(path))
seen["decrypted"] = decrypted
window.close()
runner.shutdown()
print(json.dumps(seen))
"""

# A later session: does the keyring still hold anything of the connection?
PROBE_CHILD = r"""
import json, sys
from desktop.clockify import Connection
from desktop.store import api_key_entry, cache_key_entry, open_credential_store

connection = Connection.for_base_url(sys.argv[1])
store = open_credential_store()
print(json.dumps({
    "store": store.kind,
    "api_key": store.get(api_key_entry(connection)) is not None,
    "cache_key": store.get(cache_key_entry(connection)) is not None,
}))
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.pop("CLOCKIFY_PANEL_CREDENTIALS", None)
    env.pop("CLOCKIFY_PANEL_PASSPHRASE", None)
    return env


def _last_json(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert result.returncode == 0, result.stderr
    assert TEST_KEY not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert isinstance(seen, dict)
    return seen


@pytest.mark.secret_service
@pytest.mark.timeout(120)
def test_disconnect_with_a_real_secret_service_leaves_nothing_of_the_account(
    fake_server: FakeClockify, isolated_home: Path, tmp_path: Path
) -> None:
    require_secret_service()
    env = secret_service_env(_env(), isolated_home, tmp_path / "runtime")
    argv = [sys.executable, "-c", PANEL_CHILD, fake_server.base_url]
    seen = _last_json(run_in_session(argv, env, stdin=TEST_KEY + "\n", timeout=90))
    connection = Connection.for_base_url(fake_server.base_url)
    assert seen["store"] == "keyring"
    assert seen["cached"] is True
    assert seen["api_key_gone"] is True
    assert seen["cache_key_gone"] is True
    assert seen["cache_file_gone"] is True
    assert seen["decrypted"] == []
    assert seen["status"] == (
        f"Disconnected from {connection.label}: its API key and cached data were removed "
        "from this computer."
    )

    # A new D-Bus session on the same keyring: nothing of the connection is left in it.
    probe = [sys.executable, "-c", PROBE_CHILD, fake_server.base_url]
    after = _last_json(run_in_session(probe, env, timeout=30))
    assert after == {"store": "keyring", "api_key": False, "cache_key": False}
    assert list(isolated_home.rglob("*.keyring")), "gnome-keyring kept nothing under HOME"
    for path in isolated_home.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            for text in (TEST_KEY, *SECRETS_IN_DATA):
                assert text.encode() not in data, (text, path)
