"""Writing private files atomically: a crash never leaves a half-written key file or cache."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def write_private_file(path: Path, data: bytes) -> None:
    """Replace `path` with `data`: mode 0600 from creation, fsync, then an atomic rename.

    The folder is created 0700 when missing. On any failure the previous file is left as
    it was, no temporary file remains, and the OSError propagates.
    """
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    temp = folder / f".{path.name}.{secrets.token_hex(6)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(temp, flags, 0o600)
    replaced = False
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
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
