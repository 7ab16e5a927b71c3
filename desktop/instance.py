"""One panel per user and mode: the local socket a second launch summons it through.

The running panel listens on a local socket (desktop.ui.instance_server); every later
launch of the panel, and `--show`, `--hide`, `--toggle`, sends it one line and exits. This
module is that client, and it decides who the panel is: standard library only, no Qt and
no HTTP stack, so that a summons costs a bare interpreter's start and one round trip.

- The address: on POSIX a socket file `<mode>-<tag>.sock` in a private folder (0700) of
  the user's runtime directory (XDG_RUNTIME_DIR; macOS: the per-user TMPDIR), else
  /tmp/clockify-panel-<uid> (made by this user, checked to be theirs and private); on
  Windows a named pipe whose name holds the user's name (the server lets only that user
  in), its lock file in LOCALAPPDATA. The mode is "panel" or "demo" (`--demo` is its own
  panel). The tag is a short hash of the configuration root (XDG_CONFIG_HOME or the home
  folder): a process with another configuration (a test's private home) is another user
  as far as its settings go, so it does not reach this user's panel.
- The protocol: the client sends one line (`show`, `hide`, `toggle`, or `state`, which
  asks whether the window is shown), the panel acts and answers one line (`ok`, or the
  state) and closes. At most MAX_LINE bytes either way; the client waits TIMEOUT seconds
  at most for each exchange.
- Who is the panel: the process holding the lock file next to the socket (`claim`). The
  lock dies with its process, so a socket file a crashed panel left is known to be stale:
  the new panel, holding the lock, replaces it. Two launches at once: one gets the lock
  and starts, the other waits for its socket, summons it and exits (`start_or_summon`).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import zlib

from desktop.errors import AppError

TYPE_CHECKING = False  # typing's constant, without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Sequence

APP = "clockify-panel"
MODES = ("panel", "demo")
COMMANDS = ("show", "hide", "toggle", "state")
#: The flags of a summons, as the fast path of `python -m desktop` reads them.
SUMMON_FLAGS = {"--show": "show", "--hide": "hide", "--toggle": "toggle"}
MAX_LINE = 64  # bytes of a request or an answer, its newline included
TIMEOUT = 2.0  # seconds a client waits for a panel's answer
HANDOVER_TIMEOUT = 20.0  # seconds a launch waits for a panel that is starting (or ending)
HANDOVER_POLL = 0.05
#: AF_UNIX path limits: 108 bytes on Linux, 104 on macOS and the BSDs (with the NUL).
MAX_SOCKET_PATH = 100


class InstanceError(AppError):
    """A panel holds the lock of this mode but does not answer."""


class Address:
    """Where the panel of one mode listens and locks.

    Attributes:
        mode: "panel" or "demo".
        server_name: what QLocalServer.listen takes: the socket file's full path on POSIX,
            the pipe's name on Windows.
        client_path: what the client opens: the socket file, or `\\\\.\\pipe\\<name>`.
        folder: the private folder of the socket and the lock (on Windows: of the lock).
        lock_path: the lock file; its holder is the panel of this mode.
    """

    __slots__ = ("client_path", "folder", "lock_path", "mode", "server_name")

    def __init__(self, mode: str, server_name: str, client_path: str, folder: str) -> None:
        self.mode = mode
        self.server_name = server_name
        self.client_path = client_path
        self.folder = folder
        self.lock_path = os.path.join(folder, f"{_stem(mode)}.lock")

    def __repr__(self) -> str:
        return f"Address({self.mode!r}, {self.server_name!r})"


def mode_of(demo: bool) -> str:
    return "demo" if demo else "panel"


def _config_root() -> str:
    """The root of this user's configuration, as the settings see it (see the module)."""
    if sys.platform == "win32":
        return os.environ.get("APPDATA", "") or os.path.expanduser("~")
    if sys.platform != "darwin":
        configured = os.environ.get("XDG_CONFIG_HOME", "").strip()
        if os.path.isabs(configured):
            return configured
    return os.path.expanduser("~")


def _stem(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    tag = zlib.crc32(os.fsencode(_config_root())) & 0xFFFFFFFF
    return f"{mode}-{tag:08x}"


def _user_name() -> str:
    name = os.environ.get("USERNAME") or os.environ.get("USER") or "user"
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)[:32]


def _runtime_base() -> str:
    """The folder the private folder goes into (POSIX): the runtime directory, else /tmp
    (a folder of this user's own is made there and checked, see `_private_folder`)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if sys.platform != "darwin" and os.path.isabs(runtime):
        return runtime
    temporary = os.environ.get("TMPDIR", "")
    if sys.platform == "darwin" and os.path.isabs(temporary):
        return temporary  # per user on macOS: /var/folders/../T/
    return "/tmp"  # noqa: S108


def address(mode: str) -> Address:
    """The address of the panel of `mode` for this user (computed; nothing is created)."""
    stem = _stem(mode)
    if sys.platform == "win32":
        name = f"{APP}-{_user_name()}-{stem}"
        local = os.environ.get("LOCALAPPDATA", "") or os.path.expanduser("~")
        return Address(mode, name, f"\\\\.\\pipe\\{name}", os.path.join(local, APP))
    base = _runtime_base()
    folder = os.path.join(base, APP if base != "/tmp" else f"{APP}-{os.geteuid()}")  # noqa: S108
    path = os.path.join(folder, f"{stem}.sock")
    if len(os.fsencode(path)) > MAX_SOCKET_PATH:  # a deep runtime folder: the short one
        folder = f"/tmp/{APP}-{os.geteuid()}"  # noqa: S108
        path = os.path.join(folder, f"{stem}.sock")
    return Address(mode, path, path, folder)


# -- the client ------------------------------------------------------------------------------


def _is_private(folder: str) -> bool:
    """Whether `folder` is a real folder of this user's that no one else may enter."""
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    import stat

    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & 0o077


def _exchange_posix(path: str, line: bytes, timeout: float) -> bytes:
    # The C module: `socket` builds four enum types from it at import (3-5 ms of every
    # launch, the panel's cold start and a summons alike), and this needs none of them.
    import _socket

    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        connection.settimeout(timeout)
        connection.connect(path)
        connection.sendall(line)
        answer = b""
        deadline = time.monotonic() + timeout
        while b"\n" not in answer and len(answer) < MAX_LINE:
            connection.settimeout(max(deadline - time.monotonic(), 0.001))
            chunk = connection.recv(MAX_LINE - len(answer))
            if not chunk:
                break
            answer += chunk
        return answer
    finally:
        connection.close()


def _exchange_windows(path: str, line: bytes, timeout: float) -> bytes:
    """The pipe as a file; blocking reads, so on a thread that is given up after `timeout`."""
    import threading

    answers: list[bytes] = []

    def talk() -> None:
        with open(path, "r+b", buffering=0) as pipe:
            pipe.write(line)
            answer = b""
            while b"\n" not in answer and len(answer) < MAX_LINE:
                chunk = pipe.read(MAX_LINE - len(answer))
                if not chunk:
                    break
                answer += chunk
            answers.append(answer)

    def guarded() -> None:
        with contextlib.suppress(OSError):
            talk()

    thread = threading.Thread(target=guarded, name="clockify-panel summons", daemon=True)
    thread.start()
    thread.join(timeout)
    if not answers:
        raise TimeoutError("the panel did not answer")
    return answers[0]


def ask(command: str, where: Address, timeout: float = TIMEOUT) -> str | None:
    """Send `command` to the panel at `where`; its answer, or None if no panel answered.

    No panel: no socket file, a stale one (connection refused), a folder not this user's
    own, or no complete answer within `timeout` seconds.
    """
    if command not in COMMANDS:
        raise ValueError(f"unknown command {command!r}")
    line = f"{command}\n".encode()
    try:
        if sys.platform == "win32":
            answer = _exchange_windows(where.client_path, line, timeout)
        else:
            if not _is_private(where.folder):
                return None
            answer = _exchange_posix(where.client_path, line, timeout)
    except OSError:  # ENOENT, ECONNREFUSED, a timeout, a reset
        return None
    text, newline, _rest = answer.partition(b"\n")
    if not newline:
        return None
    try:
        return text.decode("ascii").strip()
    except UnicodeDecodeError:
        return None


def send(command: str, mode: str, timeout: float = TIMEOUT) -> bool:
    """Send `command` ("show", "hide" or "toggle") to the running panel of `mode`; whether
    one answered that it acted."""
    return ask(command, address(mode), timeout) == "ok"


def summon_request(argv: Sequence[str]) -> tuple[str, str] | None:
    """(command, mode) when `argv` asks for nothing but a panel, with flags this module
    reads itself (`--demo` and one of --show, --hide, --toggle); else None, and the full
    argument parser decides. A plain launch is a "show"."""
    args = list(argv)
    if len(set(args)) != len(args) or not set(args) <= {"--demo", *SUMMON_FLAGS}:
        return None
    commands = [SUMMON_FLAGS[a] for a in args if a in SUMMON_FLAGS]
    if len(commands) > 1:
        return None
    return (commands[0] if commands else "show", mode_of("--demo" in args))


# -- the panel's side ------------------------------------------------------------------------


class Claim:
    """This process is the panel of its mode while it holds the lock (until `release`).

    Attributes:
        address: where its server is to listen, or None when the single-instance machinery
            is not available here (`problem` says why) and the panel runs without it.
    """

    def __init__(self, where: Address | None, lock: int | None, problem: str = "") -> None:
        self.address = where
        self.problem = problem
        self._lock = lock

    def release(self) -> None:
        """Let go of the lock (after the server is closed: closing removes the socket file,
        which by then could be a new panel's). Once is enough; more calls do nothing."""
        lock, self._lock = self._lock, None
        if lock is not None:
            os.close(lock)  # the lock goes with its file descriptor


def _private_folder(folder: str) -> None:
    """Create `folder` (0700) or check the one there: this user's, a real folder, private."""
    with contextlib.suppress(FileExistsError):
        os.mkdir(folder, 0o700)
    if sys.platform == "win32":
        return
    info = os.lstat(folder)
    import stat

    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        raise PermissionError(f"{folder} is not a folder of this user's own")
    if info.st_mode & 0o077:
        os.chmod(folder, 0o700)


def try_claim(where: Address) -> Claim | None:
    """The lock of `where`'s mode if no other process holds it, else None.

    A folder or lock that cannot be made is no reason to refuse the panel: the Claim then
    holds nothing, has no address, and says why.
    """
    try:
        os.makedirs(os.path.dirname(where.folder), exist_ok=True)
        _private_folder(where.folder)
        lock = os.open(where.lock_path, os.O_RDWR | os.O_CREAT, 0o600)  # not inherited
    except OSError as exc:
        return Claim(None, None, f"no single-instance socket: {exc}")
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(lock, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # held by another process (BlockingIOError; PermissionError on Windows)
        os.close(lock)
        return None
    return Claim(where, lock)


def start_or_summon(command: str, mode: str, *, deadline: float = HANDOVER_TIMEOUT) -> Claim | None:
    """What a launch of the panel does first.

    The running panel of `mode` takes `command`: None, the launch is done. No panel runs:
    None too for "hide" (nothing to hide), else the Claim under which this process starts
    the panel. A panel that is starting (or ending) holds the lock without answering yet:
    wait for it, up to `deadline` seconds; InstanceError when it never answers.
    """
    where = address(mode)
    give_up = time.monotonic() + deadline
    while True:
        if ask(command, where) == "ok":
            return None
        claim = try_claim(where)
        if claim is not None:
            if command == "hide":
                claim.release()
                return None
            return claim
        if time.monotonic() >= give_up:
            raise InstanceError(
                f"another Clockify Panel ({mode}) holds {where.lock_path} but does not "
                "answer; end that process and try again"
            )
        time.sleep(HANDOVER_POLL)


__all__ = [
    "COMMANDS",
    "MAX_LINE",
    "MODES",
    "TIMEOUT",
    "Address",
    "Claim",
    "InstanceError",
    "address",
    "ask",
    "mode_of",
    "send",
    "start_or_summon",
    "summon_request",
    "try_claim",
]
