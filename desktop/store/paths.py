"""Every place the app writes to, from one module, each overridable for tests by env vars.

platformdirs is imported when a folder is first asked for: the panel's first paint needs
none of them (its settings are Qt's), and the import takes about 6 ms.
"""

from __future__ import annotations

from pathlib import Path

APP_NAME = "clockify-panel"
ORGANISATION = "clockify-panel"


def data_dir() -> Path:
    """Where the encrypted key file lives when no keyring works."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """Where the encrypted cache of loaded rows lives."""
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """QSettings' folder on Linux; kept here so tests can search it."""
    import platformdirs

    return Path(platformdirs.user_config_dir(ORGANISATION, appauthor=False))


def state_dir() -> Path:
    """Where the request ledger lives (state that is neither settings nor a cache)."""
    import platformdirs

    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))
