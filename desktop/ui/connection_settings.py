"""The app's identity for QSettings and the connection of release 0.1.0."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QSettings

from desktop import __version__
from desktop.clockify import ApiKey, Connection, InvalidConnectionError
from desktop.options import ENV_DOCS101_BASE_URL
from desktop.store import paths

if TYPE_CHECKING:
    from desktop.clockify.client import ClockifyClient
    from desktop.docs101.client import Docs101Client
    from desktop.store import CredentialStore

log = logging.getLogger(__name__)

SETTING_REGION = "connection/region"
SETTING_BASE_URL = "connection/base_url"
CUSTOM = "custom"


def set_identity() -> None:
    """Organisation and application names: QSettings() finds the app's file from here on.

    Called by `app_settings`, the one way the panel makes its QSettings, so no QSettings
    is ever made before the identity, whichever code runs first (the connection of 0.1.0
    is read before the QApplication exists).
    """
    if QCoreApplication.organizationName() != paths.ORGANISATION:
        QCoreApplication.setOrganizationName(paths.ORGANISATION)
    if QCoreApplication.applicationName() != paths.APP_NAME:
        QCoreApplication.setApplicationName(paths.APP_NAME)
    if QCoreApplication.applicationVersion() != __version__:
        QCoreApplication.setApplicationVersion(__version__)


class PanelSettings(QSettings):
    """The panel's QSettings: setting a value to what the file holds already changes nothing.

    Every `setValue` makes Qt rewrite the whole file at its next sync (with a lock file and
    an fsync: 5-15 ms on a busy disk), and the window, while it is built, sets each action
    to its saved state, whose handler saves that state again: without this, every start
    rewrote the file before the window's first paint (docs/performance.md, section 9).
    """

    def setValue(self, key: str, value: Any, /) -> None:
        if self.contains(key) and _same_setting(self.value(key), value):
            return
        super().setValue(key, value)


def _same_setting(stored: object, value: object) -> bool:
    """Whether `stored` (as QSettings reads it back: an INI file gives text) is `value`."""
    if type(stored) is type(value) and stored == value:
        return True
    if isinstance(stored, str) and isinstance(value, bool):
        return stored == ("true" if value else "false")  # what QSettings writes for a bool
    return False


def app_settings() -> QSettings:
    """The panel's QSettings, made after `set_identity` (else it would be another file)."""
    set_identity()
    return PanelSettings()


def take_legacy_connection() -> Connection | None:
    """The connection release 0.1.0 saved in QSettings, removed from there; None if none.

    Since then the connection lives in its own file (desktop.store.connection_file), which the
    panel can read before PySide6 is imported.
    """
    settings = app_settings()
    region = str(settings.value(SETTING_REGION, "") or "")
    if not region:
        return None
    url = str(settings.value(SETTING_BASE_URL, "") or "")
    settings.remove(SETTING_REGION)
    settings.remove(SETTING_BASE_URL)
    try:
        if region == CUSTOM:
            return Connection.for_base_url(url)
        return Connection.for_region(region)
    except InvalidConnectionError:
        log.warning("the saved connection is not usable; using Global")
        return Connection.for_region("global")


StoreFactory = Callable[[Callable[[bool], str | None]], "CredentialStore"]
ClientFactory = Callable[[Connection, ApiKey], "ClockifyClient"]


def default_client(connection: Connection, key: ApiKey) -> ClockifyClient:
    """The panel's client: its requests counted in the request ledger (the file shared with
    `list`), which holds them within a share of a Free workspace's hourly budget."""
    from desktop.clockify.client import ClockifyClient
    from desktop.store.ledger import RequestLedger

    return ClockifyClient(
        connection, key, timeout=(5.0, 15.0), gate=RequestLedger().gate(connection.id)
    )


Docs101Factory = Callable[[ApiKey], "Docs101Client"]


def default_docs101_client(key: ApiKey) -> Docs101Client:
    """The panel's docs101 client: docs101.com, or DOCS101_BASE_URL when set."""
    from desktop.docs101.client import DEFAULT_BASE_URL, Docs101Client

    base_url = os.environ.get(ENV_DOCS101_BASE_URL, "").strip() or DEFAULT_BASE_URL
    return Docs101Client(base_url, key, timeout=(5.0, 20.0))
