"""Which Clockify connection the panel starts on: a small JSON file, readable without Qt.

The panel reads it first thing, so that the stored key (scrypt, or a keyring call) is being
read while PySide6 is still being imported; QSettings would need PySide6 imported first.
The file holds the region code or the custom base URL, never a key:
`{"region": "eu"}` or `{"base_url": "https://clockify.example.com/api/v1"}`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from desktop.clockify.connection import Connection
from desktop.clockify.errors import InvalidConnectionError
from desktop.store import paths
from desktop.store.files import write_private_file

log = logging.getLogger(__name__)

FILE_NAME = "connection.json"
GLOBAL = "global"


def path() -> Path:
    return paths.config_dir() / FILE_NAME


def load() -> Connection | None:
    """The saved connection; None when nothing is saved. An unusable file means Global."""
    try:
        raw = path().read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("the saved connection could not be read (%s); using Global", exc)
        return Connection.for_region(GLOBAL)
    import json  # here: the demo's start reads no file, and json is not needed before its paint

    try:
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if data.get("base_url"):
            return Connection.for_base_url(str(data["base_url"]))
        return Connection.for_region(str(data.get("region") or GLOBAL))
    except (ValueError, InvalidConnectionError) as exc:  # JSONDecodeError is a ValueError
        log.warning("the saved connection is not usable (%s); using Global", exc)
        return Connection.for_region(GLOBAL)


def save(connection: Connection) -> None:
    """Remember `connection` for the next start (atomic write); raises OSError."""
    import json

    data = {"region": connection.region} if connection.region else {"base_url": connection.base_url}
    write_private_file(path(), json.dumps(data).encode("utf-8") + b"\n")
