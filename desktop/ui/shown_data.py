"""What the window shows of Clockify's data, for the cache (`PanelWindow.shown_data`).

Apart from desktop.ui.main_window so that its dataclass is made when the cache is first
written, not before the panel's first paint (docs/performance.md, section 9).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.clockify.models import Client, User, Workspace


@dataclass(frozen=True, slots=True)
class ShownData:
    """What the window shows of Clockify's data, for the cache.

    Attributes:
        workspaces: each workspace shown, with its users and its clients when they are
            loaded (None when not).
        include_inactive_users, include_archived_clients: what those lists include.
        loaded_at: when the workspaces last arrived from Clockify (None: not yet).
    """

    workspaces: list[tuple[Workspace, list[User] | None, list[Client] | None]]
    include_inactive_users: bool
    include_archived_clients: bool
    loaded_at: float | None
