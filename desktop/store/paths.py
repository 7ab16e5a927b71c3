"""Every place the app writes to, from one module, each overridable for tests by env vars."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "clockify-panel"
ORGANISATION = "clockify-panel"


def data_dir() -> Path:
    """Where the encrypted key file lives when no keyring works."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """Where the encrypted cache of loaded rows lives."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """QSettings' folder on Linux; kept here so tests can search it."""
    return Path(platformdirs.user_config_dir(ORGANISATION, appauthor=False))


def state_dir() -> Path:
    """Where the request ledger lives (state that is neither settings nor a cache)."""
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))
