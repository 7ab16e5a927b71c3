"""Which Clockify connection the panel uses, as remembered in QSettings (no heavy imports)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSettings

from desktop import __version__, paths
from desktop.clockify import ApiKey, ClockifyClient, Connection, InvalidConnectionError

if TYPE_CHECKING:
    from desktop.credentials import CredentialStore

log = logging.getLogger(__name__)

SETTING_REGION = "connection/region"
SETTING_BASE_URL = "connection/base_url"
CUSTOM = "custom"


#: Clockify web-app hosts -> region code, for addresses pasted into the dialog.
HOST_REGIONS = {
    "euc1": "eu",
    "use2": "usa",
    "euw2": "uk",
    "apse2": "au",
}


def set_identity() -> None:
    """Organisation and application names: QSettings() finds the app's file from here on."""
    QCoreApplication.setOrganizationName(paths.ORGANISATION)
    QCoreApplication.setApplicationName(paths.APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)


def saved_connection(settings: QSettings) -> Connection:
    """The connection chosen last time in the dialog (Global when none)."""
    region = str(settings.value(SETTING_REGION, "global") or "global")
    if region == CUSTOM:
        url = str(settings.value(SETTING_BASE_URL, "") or "")
        if url:
            try:
                return Connection.for_base_url(url)
            except InvalidConnectionError:
                log.warning("the saved custom URL is not usable; using Global")
        return Connection.for_region("global")
    try:
        return Connection.for_region(region)
    except InvalidConnectionError:
        return Connection.for_region("global")


def save_connection(settings: QSettings, connection: Connection) -> None:
    settings.setValue(SETTING_REGION, connection.region or CUSTOM)
    settings.setValue(SETTING_BASE_URL, "" if connection.region else connection.base_url)


StoreFactory = Callable[[Callable[[bool], str | None]], "CredentialStore"]
ClientFactory = Callable[[Connection, ApiKey], ClockifyClient]


def default_client(connection: Connection, key: ApiKey) -> ClockifyClient:
    return ClockifyClient(connection, key, timeout=(5.0, 15.0))
