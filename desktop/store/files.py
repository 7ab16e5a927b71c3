"""Writing private files atomically: a crash never leaves a half-written key file or cache."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
from pathlib import Path

_TEMP_HEX = 12  # characters of the random part of a temporary file's name


class NotRegularFileError(OSError):
    """The path is a folder, a FIFO, a device or a socket, not a regular file."""


def read_regular_file(path: Path, limit: int) -> bytes:
    """At most `limit` + 1 bytes of `path`, which must be a regular file (symlinks followed).

    Opened without blocking, so a FIFO put in its place cannot hang the caller; a folder,
    FIFO or device raises NotRegularFileError. FileNotFoundError when there is no file.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
    except OSError:
        os.close(fd)
        raise
    if not regular:
        os.close(fd)
        raise NotRegularFileError(f"{path.name} is not a regular file")
    with os.fdopen(fd, "rb") as handle:
        return handle.read(limit + 1)


def _temp_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(name)}\.[0-9a-f]{{{_TEMP_HEX}}}\.tmp")


def _lock(fd: int, wait: bool) -> bool:
    """Take the advisory lock of `fd`; False when someone else holds it.

    Windows has no such locks (True), but it refuses to remove a file that is open.
    """
    if sys.platform == "win32":  # pragma: no cover
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def _in_use(path: Path, seen: os.stat_result) -> bool:
    """Whether a writer still holds `path` (its lock); True when that cannot be told."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return True
    try:
        now = os.fstat(fd)
        if (now.st_dev, now.st_ino) != (seen.st_dev, seen.st_ino):
            return True
        return not _lock(fd, wait=False)
    except OSError:
        return True
    finally:
        os.close(fd)  # also releases the lock just taken


def remove_stale_temps(path: Path) -> list[str]:
    """Remove the temporary files an interrupted write of `path` left; their names.

    Only regular files named exactly ``.{name}.{12 hex digits}.tmp`` beside `path` go;
    symlinks are never followed (nor removed), and a file a live writer still holds
    (its lock, taken by `write_private_file`) is left alone.
    """
    folder = path.parent
    pattern = _temp_pattern(path.name)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    removed: list[str] = []
    for name in names:
        if not pattern.fullmatch(name):
            continue
        candidate = folder / name
        try:
            seen = os.lstat(candidate)
            if not stat.S_ISREG(seen.st_mode) or _in_use(candidate, seen):
                continue
            os.unlink(candidate)
        except OSError:
            continue
        removed.append(name)
    return removed


def write_private_file(path: Path, data: bytes) -> None:
    """Replace `path` with `data`: mode 0600 from creation, fsync, then an atomic rename.

    The folder is created 0700 when missing. Temporary files left beside `path` by an
    interrupted earlier write are removed first. On any failure the previous file is left
    as it was, no temporary file remains, and the OSError propagates.
    """
    import secrets  # and hashlib with it (OpenSSL): not before the panel's first paint

    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    remove_stale_temps(path)
    temp = folder / f".{path.name}.{secrets.token_hex(_TEMP_HEX // 2)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    fd = os.open(temp, flags, 0o600)
    replaced = False
    try:
        try:
            # Held until the rename: another writer's clean-up leaves this file alone.
            _lock(fd, wait=True)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
            if sys.platform != "win32":  # POSIX renames an open file; Windows does not
                os.replace(temp, path)
                replaced = True
        finally:
            os.close(fd)
        if not replaced:
            os.replace(temp, path)
            replaced = True
    finally:
        if not replaced:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
    # The rename itself is durable only once the folder is synced.
    with contextlib.suppress(OSError):
        folder_fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(folder_fd)
        finally:
            os.close(folder_fd)
