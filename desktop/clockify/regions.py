"""Clockify's regions seen from outside: the region of a pasted address, and which accepts a key."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from desktop.clockify.client import ClockifyClient
from desktop.clockify.connection import REGIONS
from desktop.clockify.errors import ClockifyError, KeyRejectedError

#: Clockify web-app hosts -> region code, for addresses pasted into the dialog.
HOST_REGIONS = {
    "euc1": "eu",
    "use2": "usa",
    "euw2": "uk",
    "apse2": "au",
}


def region_from_address(text: str) -> str | None:
    """The region of a pasted Clockify address (euc1.clockify.me/... is EU), else None."""
    candidate = text.strip()
    if not candidate or " " in candidate or "clockify.me" not in candidate.lower():
        return None
    if "://" not in candidate:
        candidate = "https://" + candidate
    try:
        host = (urlsplit(candidate).hostname or "").lower()
    except ValueError:
        return None
    if host != "clockify.me" and not host.endswith(".clockify.me"):
        return None
    first = host.split(".")[0]
    # app., api., global. and a workspace subdomain (acme.clockify.me) all use Global.
    return HOST_REGIONS.get(first, "global")


def probe_regions(clients: Iterable[tuple[str, ClockifyClient]]) -> tuple[str | None, list[str]]:
    """The first region whose client's GET /user accepts the key (or None), and the problems.

    Each client is closed once asked; the ones after an accepting region are neither asked
    nor closed. A problem is "<region label>: <message>" for a region that could not be
    asked (not for one that rejected the key).
    """
    # Bounded: one GET /user per region, and only because the user asked.
    problems = []
    for code, client in clients:
        try:
            client.current_user()
        except KeyRejectedError:
            continue
        except ClockifyError as exc:
            problems.append(f"{REGIONS[code][0]}: {exc.message}")
            continue
        finally:
            client.close()
        return code, problems
    return None, problems
