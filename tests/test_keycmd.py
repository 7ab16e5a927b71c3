"""`key set|status|clear` end to end: real subprocesses, the fake Clockify, real stores.

The file store runs with keyring's real `fail` backend (conftest); the Secret Service
tests start gnome-keyring in a private D-Bus session.
"""

from __future__ import annotations

import base64
import io
import json
import os
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import TEST_KEY
from fake_clockify import FakeClockify
from secret_service import require_secret_service, run_in_session, secret_service_env

from desktop import __main__ as entry
from desktop.cli import keys
from desktop.clockify import Connection
from desktop.clockify.models import Workspace
from desktop.store import EncryptedFileStore, paths
from desktop.store.cache import EncryptedCache, Snapshot, WorkspaceSnapshot
from desktop.store.file_store import DerivedKey, derive_key, seal_entries
from desktop.store.files import write_private_file

ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "keycmd test passphrase"


def _env(**extra: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    for name, value in extra.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _check_output(argv: Sequence[str], result: subprocess.CompletedProcess[str]) -> None:
    assert TEST_KEY not in " ".join(argv)
    assert TEST_KEY not in result.stdout
    assert TEST_KEY not in result.stderr
    assert "Traceback" not in result.stderr, result.stderr


def run_cli(
    *args: str, stdin: str = "", env: dict[str, str] | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "desktop", *args]
    result = subprocess.run(
        argv,
        input=stdin,
        env=env if env is not None else _env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    _check_output(argv, result)
    return result


def assert_key_nowhere(home: Path, key: str = TEST_KEY) -> int:
    """No file under `home` holds the key in plain text or base64; returns files searched."""
    raw = key.encode()
    needles = [raw] + [base64.b64encode(raw[shift:])[:-4] for shift in range(3)]
    searched = 0
    for path in home.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            searched += 1
            for needle in needles:
                assert needle not in data, f"the key is readable in {path}"
    return searched


@pytest.fixture
def file_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("CLOCKIFY_PANEL_PASSPHRASE", PASSPHRASE)
    return _env()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the encrypted file, end to end ----------------------------------------------------------


@pytest.mark.timeout(90)
def test_round_trip_with_the_encrypted_file(
    fake_server: FakeClockify, file_env: dict[str, str], isolated_home: Path
) -> None:
    url = ["--base-url", fake_server.base_url]
    stored = run_cli("key", "set", *url, stdin=TEST_KEY + "\n", env=file_env)
    assert stored.returncode == 0, stored.stderr
    key_file = paths.data_dir() / "credentials.enc"
    assert "Stored the API key for" in stored.stdout
    assert f"the encrypted file {key_file} (passphrase-protected)" in stored.stdout
    assert "It sees 2 workspaces." in stored.stdout
    assert key_file.exists()
    # The panel will start on this connection: it is saved in the panel's connection file.
    saved = Path(file_env["XDG_CONFIG_HOME"]) / "clockify-panel" / "connection.json"
    assert json.loads(saved.read_text(encoding="utf-8")) == {"base_url": fake_server.base_url}
    assert "The panel (python -m desktop) will use this connection." in stored.stdout
    assert TEST_KEY not in saved.read_text(encoding="utf-8")

    listed = run_cli("list", "workspaces", *url, env=file_env)
    assert listed.returncode == 0, listed.stderr
    assert "Acme Ltd" in listed.stdout
    assert "Side Project" in listed.stdout

    status = run_cli("key", "status", *url, env=file_env)
    assert status.returncode == 0, status.stderr
    assert "the encrypted file" in status.stdout
    assert f"API key: {TEST_KEY[:4]}" in status.stdout
    assert TEST_KEY[-4:] in status.stdout
    assert "Belongs to Alice Admin <alice@acme.example>" in status.stdout

    assert assert_key_nowhere(isolated_home) >= 1
    assert all(r.method == "GET" for r in fake_server.requests)

    # The panel would have cached what it loaded: key clear removes that too.
    connection = Connection.for_base_url(fake_server.base_url)
    store = EncryptedFileStore(key_file)
    cache = EncryptedCache(store)
    cache.save(connection, Snapshot(1.0, [WorkspaceSnapshot(Workspace("w", "Acme"), [], [])]))
    assert cache.path_for(connection).exists()

    cleared = run_cli("key", "clear", *url, env=file_env)
    assert cleared.returncode == 0, cleared.stderr
    assert "Removed the API key of" in cleared.stdout
    assert "and its cached data" in cleared.stdout
    assert not cache.path_for(connection).exists()
    assert not key_file.exists()  # its last entries went: no file holds anything of it
    again = run_cli("key", "clear", *url, env=file_env)
    assert again.returncode == 0
    assert "No API key or cached data was stored for" in again.stdout

    after = run_cli("list", "workspaces", *url, env=file_env)
    assert after.returncode == 3
    assert "No API key" in after.stderr
    assert assert_key_nowhere(isolated_home) >= 1


def test_base_url_from_the_environment(fake_server: FakeClockify, file_env: dict[str, str]) -> None:
    env = dict(file_env, CLOCKIFY_BASE_URL=fake_server.base_url)
    assert run_cli("key", "set", stdin=TEST_KEY, env=env).returncode == 0
    listed = run_cli("list", "workspaces", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "Acme Ltd" in listed.stdout


def test_rejected_key_is_not_stored(fake_server: FakeClockify, file_env: dict[str, str]) -> None:
    wrong = "wrong-key-0123456789abcdef0123456789"
    result = run_cli("key", "set", "--base-url", fake_server.base_url, stdin=wrong, env=file_env)
    assert result.returncode == 3
    assert "rejected the API key" in result.stderr
    assert "not stored" in result.stderr
    assert wrong not in result.stderr + result.stdout
    status = run_cli("key", "status", "--base-url", fake_server.base_url, env=file_env)
    assert status.returncode == 3
    assert "No API key is stored" in status.stderr


def test_empty_input_is_a_usage_error(fake_server: FakeClockify, file_env: dict[str, str]) -> None:
    for stdin in ("", "\n", "   \n"):
        result = run_cli(
            "key", "set", "--base-url", fake_server.base_url, stdin=stdin, env=file_env
        )
        assert result.returncode == 2
        assert "No API key was given" in result.stderr
    assert fake_server.requests == []
    assert not (paths.data_dir() / "credentials.enc").exists()


def test_no_verify_stores_without_asking(
    fake_server: FakeClockify, file_env: dict[str, str]
) -> None:
    url = ["--base-url", fake_server.base_url]
    result = run_cli("key", "set", "--no-verify", *url, stdin=TEST_KEY, env=file_env)
    assert result.returncode == 0, result.stderr
    assert "not checked" in result.stdout
    assert fake_server.requests == []
    assert run_cli("list", "workspaces", *url, env=file_env).returncode == 0


def test_wrong_passphrase_fails_clearly_and_keeps_the_file(
    fake_server: FakeClockify, file_env: dict[str, str]
) -> None:
    url = ["--base-url", fake_server.base_url]
    assert run_cli("key", "set", *url, stdin=TEST_KEY, env=file_env).returncode == 0
    key_file = paths.data_dir() / "credentials.enc"
    before = key_file.read_bytes()
    wrong = dict(file_env, CLOCKIFY_PANEL_PASSPHRASE="a wrong passphrase")
    for args, stdin in (
        (("list", "workspaces"), ""),
        (("key", "status"), ""),
        (("key", "clear"), ""),
        (("key", "set", "--no-verify"), TEST_KEY),
    ):
        result = run_cli(*args, *url, stdin=stdin, env=wrong)
        assert result.returncode != 0, args
        assert f"The passphrase does not open the key file {key_file}." in result.stderr
        assert "a wrong passphrase" not in result.stderr
    assert key_file.read_bytes() == before
    assert sorted(p.name for p in key_file.parent.iterdir()) == ["credentials.enc"]


def test_truncated_file_is_a_clear_message(
    fake_server: FakeClockify, file_env: dict[str, str]
) -> None:
    url = ["--base-url", fake_server.base_url]
    assert run_cli("key", "set", *url, stdin=TEST_KEY, env=file_env).returncode == 0
    key_file = paths.data_dir() / "credentials.enc"
    key_file.write_bytes(key_file.read_bytes()[:100])
    damaged = key_file.read_bytes()
    result = run_cli("list", "workspaces", *url, env=file_env)
    assert result.returncode == 3
    assert f"The key file {key_file} is damaged" in result.stderr
    assert "remove it and store the key again" in result.stderr
    assert key_file.read_bytes() == damaged


def test_missing_passphrase_is_a_clear_message(fake_server: FakeClockify) -> None:
    url = ["--base-url", fake_server.base_url]
    result = run_cli("key", "set", *url, stdin=TEST_KEY)
    assert result.returncode == 3
    assert "set CLOCKIFY_PANEL_PASSPHRASE" in result.stderr
    assert fake_server.requests == []  # failed before the network
    assert not (paths.data_dir() / "credentials.enc").exists()


def test_status_without_a_key(fake_server: FakeClockify) -> None:
    result = run_cli("key", "status", "--base-url", fake_server.base_url)
    assert result.returncode == 3
    assert "Store: the encrypted file" in result.stdout
    assert "No API key is stored for" in result.stderr


def test_status_when_clockify_is_unreachable(file_env: dict[str, str]) -> None:
    url = ["--base-url", f"http://127.0.0.1:{_free_port()}", "--timeout", "3"]
    assert run_cli("key", "set", "--no-verify", *url, stdin=TEST_KEY, env=file_env).returncode == 0
    result = run_cli("key", "status", *url, env=file_env)
    assert result.returncode == 5, result.stderr
    assert "Store: the encrypted file" in result.stdout
    assert f"API key: {TEST_KEY[:4]}" in result.stdout
    assert "Could not check whom the key belongs to" in result.stderr


def test_a_short_new_passphrase_is_refused_before_the_network(fake_server: FakeClockify) -> None:
    env = _env(CLOCKIFY_PANEL_PASSPHRASE="1234567")
    result = run_cli("key", "set", "--base-url", fake_server.base_url, stdin=TEST_KEY, env=env)
    assert result.returncode == 3
    key_file = paths.data_dir() / "credentials.enc"
    assert f"The passphrase for the new key file {key_file} is too short" in result.stderr
    assert "1234567" not in result.stderr
    assert fake_server.requests == []
    assert not key_file.exists()


def test_an_oversized_key_is_refused_and_an_old_oversized_file_is_recovered(
    file_env: dict[str, str],
) -> None:
    huge = "k" * 2_000_000
    refused = run_cli("key", "set", "--no-verify", "--region", "eu", stdin=huge, env=file_env)
    assert refused.returncode == 2
    assert "2,000,000 characters long" in refused.stderr
    assert huge[:300] not in refused.stderr
    key_file = paths.data_dir() / "credentials.enc"
    assert not key_file.exists()

    # A file as 0.1 wrote it with that key (cheap scrypt: its cost is not the point here).
    salt = os.urandom(16)
    key, verifier = derive_key(PASSPHRASE, salt, 2**10, 8, 1)
    unlocked = DerivedKey(salt, 2**10, 8, 1, key, verifier)
    entries = {"api-key:eu": huge, "api-key:global": TEST_KEY}
    write_private_file(key_file, seal_entries(entries, unlocked))

    status = run_cli("key", "status", "--region", "eu", env=file_env)
    assert status.returncode == 3
    assert "is not usable (the API key is 2,000,000 characters long" in status.stderr
    assert "python -m desktop key clear" in status.stderr
    cleared = run_cli("key", "clear", "--region", "eu", env=file_env)
    assert cleared.returncode == 0, cleared.stderr
    assert "Removed the API key of EU" in cleared.stdout
    assert key_file.stat().st_size < 2000
    assert EncryptedFileStore(key_file).get("api-key:global") == TEST_KEY


# -- in-process details ----------------------------------------------------------------------


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_hidden_prompt_on_stderr(
    monkeypatch: pytest.MonkeyPatch, file_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    prompts: list[tuple[str, object]] = []

    def fake_getpass(prompt: str = "", stream: object = None) -> str:
        prompts.append((prompt, stream))
        return TEST_KEY

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    monkeypatch.setattr(sys, "stdin", _Tty("this line must not be read\n"))
    code = entry.run(["key", "set", "--no-verify", "--region", "eu"])
    assert code == 0
    assert prompts == [(keys.PROMPT, sys.stderr)]
    out = capsys.readouterr()
    assert "Stored the API key for EU (Germany) (euc1.clockify.me)" in out.out
    assert TEST_KEY not in out.out + out.err


def test_key_is_never_an_argument() -> None:
    parser = entry.build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["key", "set", TEST_KEY])
    with pytest.raises(SystemExit):
        parser.parse_args(["key", "set", "--key", TEST_KEY])


# -- a real Secret Service -------------------------------------------------------------------


@pytest.mark.secret_service
@pytest.mark.timeout(120)
def test_round_trip_with_a_real_secret_service(
    fake_server: FakeClockify, isolated_home: Path, tmp_path: Path
) -> None:
    require_secret_service()
    env = secret_service_env(_env(), isolated_home, tmp_path / "runtime")
    url = ["--base-url", fake_server.base_url]

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "desktop", *args]
        result = run_in_session(argv, env, stdin=stdin)
        _check_output(argv, result)
        return result

    stored = run("key", "set", *url, stdin=TEST_KEY + "\n")
    assert stored.returncode == 0, stored.stderr
    assert "in the system keyring (SecretService Keyring)" in stored.stdout
    assert not (paths.data_dir() / "credentials.enc").exists()

    listed = run("list", "workspaces", *url)  # a new D-Bus session: the keyring persisted
    assert listed.returncode == 0, listed.stderr
    assert "Acme Ltd" in listed.stdout

    status = run("key", "status", *url)
    assert status.returncode == 0, status.stderr
    assert "Store: the system keyring (SecretService Keyring)" in status.stdout
    assert "Belongs to Alice Admin <alice@acme.example>" in status.stdout

    keyrings = list(isolated_home.rglob("*.keyring"))
    assert keyrings, "gnome-keyring kept nothing under the test HOME"
    assert assert_key_nowhere(isolated_home) >= len(keyrings)

    cleared = run("key", "clear", *url)
    assert cleared.returncode == 0, cleared.stderr
    assert "Removed the API key" in cleared.stdout
    after = run("list", "workspaces", *url)
    assert after.returncode == 3
    assert "No API key" in after.stderr
    assert not (paths.data_dir() / "credentials.enc").exists()


LOCKED = (
    "The system keyring is locked: unlock it, or set CLOCKIFY_PANEL_CREDENTIALS=file to "
    "keep the key in the encrypted file instead."
)


@pytest.mark.secret_service
@pytest.mark.timeout(120)
def test_a_locked_secret_service_is_reported_and_one_store_stays_the_truth(
    fake_server: FakeClockify, isolated_home: Path, tmp_path: Path
) -> None:
    require_secret_service()
    env = secret_service_env(_env(), isolated_home, tmp_path / "runtime")
    key_file = paths.data_dir() / "credentials.enc"
    url = ["--base-url", fake_server.base_url]

    def run(
        *args: str, unlock: bool, stdin: str = "", **extra: str
    ) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "desktop", *args, *url]
        result = run_in_session(argv, dict(env, **extra), unlock=unlock, stdin=stdin, timeout=60)
        _check_output(argv, result)
        return result

    probe = "from desktop.store import keyring_problem\nprint(keyring_problem())\n"
    result = run_in_session([sys.executable, "-c", probe], env, unlock=False, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == LOCKED

    # Locked: `key set` says so and writes nothing anywhere (no silent file).
    stored = run("key", "set", unlock=False, stdin=TEST_KEY, CLOCKIFY_PANEL_PASSPHRASE=PASSPHRASE)
    assert stored.returncode == 3
    assert LOCKED in stored.stderr
    assert not key_file.exists()
    assert fake_server.requests == []
    unlocked = run("key", "status", unlock=True)
    assert unlocked.returncode == 3
    assert "Store: the system keyring (SecretService Keyring)" in unlocked.stdout
    assert "No API key is stored" in unlocked.stderr

    # The way out the message offers: the file; once it exists, it is read even unlocked.
    forced = run(
        "key",
        "set",
        unlock=False,
        stdin=TEST_KEY,
        CLOCKIFY_PANEL_CREDENTIALS="file",
        CLOCKIFY_PANEL_PASSPHRASE=PASSPHRASE,
    )
    assert forced.returncode == 0, forced.stderr
    assert "in the encrypted file" in forced.stdout
    status = run("key", "status", unlock=True, CLOCKIFY_PANEL_PASSPHRASE=PASSPHRASE)
    assert status.returncode == 0, status.stderr
    assert f"Store: the encrypted file {key_file}" in status.stdout
    assert "Belongs to Alice Admin" in status.stdout
    assert_key_nowhere(isolated_home)


def test_status_escapes_control_characters_in_the_owner_name(file_env: dict[str, str]) -> None:
    """The owner's name comes from the server: it must not steer the terminal."""
    owner = {"id": "u1", "name": "Eve\x1b]0;owned\x07\x1b[2J", "email": "eve@example.com"}
    with FakeClockify(api_keys={TEST_KEY: owner}, workspaces=[]) as server:
        url = ["--base-url", server.base_url]
        assert (
            run_cli("key", "set", "--no-verify", *url, stdin=TEST_KEY, env=file_env).returncode == 0
        )
        result = run_cli("key", "status", *url, env=file_env)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert "\x07" not in result.stdout
    assert r"Belongs to Eve\x1b]0;owned\x07\x1b[2J <eve@example.com>" in result.stdout
