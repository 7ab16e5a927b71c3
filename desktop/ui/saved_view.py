"""The tree's state across restarts (`SavedView`): its open rows, selection, current row and
scroll position, by kind and ID, as JSON in the settings.

Apart from desktop.ui.tree_view so that the panel's start imports it (and makes its
dataclass) only when the first rows arrive or the view is saved (docs/performance.md,
section 9).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from desktop.ui.tree_model import Kind, RowKey

log = logging.getLogger(__name__)

#: At most this many selected rows are remembered across restarts (more: only the current).
MAX_SAVED_SELECTION = 1000
MAX_SAVED_EXPANDED = 3000
_MAX_SAVED_TEXT = 512 * 1024
_MAX_ID = 200
_MAX_PIXELS = 2**31 - 1
_KIND_NAMES = {kind: kind.name.lower() for kind in Kind}
_KINDS = {name: kind for kind, name in _KIND_NAMES.items()}
_RECORD_KINDS = (Kind.USER, Kind.CLIENT)


@dataclass(frozen=True, slots=True)
class SavedView:
    """What the panel remembers of its tree across restarts: kinds and IDs, never a name.

    Attributes:
        expanded: the open workspaces and groups.
        selected: the selected rows (none when more than MAX_SAVED_SELECTION were).
        current: the current row.
        top: the row at the top of the tree, `offset` pixels of it scrolled past.
        scroll: the scroll bar's value, for when `top` is not there.
    """

    expanded: tuple[RowKey, ...] = ()
    selected: tuple[RowKey, ...] = ()
    current: RowKey | None = None
    top: RowKey | None = None
    offset: int = 0
    scroll: int = 0

    def to_json(self) -> str:
        import json  # here: json is not needed before the panel's first paint

        def keys(items: tuple[RowKey, ...]) -> list[list[str]]:
            return [_key_to_json(key) for key in items]

        return json.dumps(
            {
                "expanded": keys(self.expanded),
                "selected": keys(self.selected),
                "current": _key_to_json(self.current) if self.current else None,
                "top": _key_to_json(self.top) if self.top else None,
                "offset": self.offset,
                "scroll": self.scroll,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: object) -> SavedView | None:
        """The view saved as `to_json` made it; None (and a log line) if it is unusable.

        Any text is read safely: keys of a wrong shape are left out, sizes are bounded.
        """
        if text is None or text == "":
            return None
        import json

        try:
            if not isinstance(text, str) or len(text) > _MAX_SAVED_TEXT:
                raise ValueError
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError
        except (ValueError, RecursionError):
            log.warning("the saved view of the tree is not usable; starting without it")
            return None
        return cls(
            expanded=_keys_from_json(data.get("expanded"), MAX_SAVED_EXPANDED),
            selected=_keys_from_json(data.get("selected"), MAX_SAVED_SELECTION),
            current=_key_from_json(data.get("current")),
            top=_key_from_json(data.get("top")),
            offset=_pixels_from_json(data.get("offset")),
            scroll=_pixels_from_json(data.get("scroll")),
        )


def _key_to_json(key: RowKey) -> list[str]:
    kind, workspace_id, record_id = key
    return [_KIND_NAMES[kind], workspace_id, record_id]


def _key_from_json(item: Any) -> RowKey | None:
    if not isinstance(item, list) or len(item) != 3:
        return None
    name, workspace_id, record_id = item
    if not (isinstance(name, str) and isinstance(workspace_id, str) and isinstance(record_id, str)):
        return None
    kind = _KINDS.get(name)
    if kind is None or not 0 < len(workspace_id) <= _MAX_ID or len(record_id) > _MAX_ID:
        return None
    if (kind in _RECORD_KINDS) != bool(record_id):
        return None
    return (kind, workspace_id, record_id)


def _keys_from_json(items: Any, limit: int) -> tuple[RowKey, ...]:
    if not isinstance(items, list):
        return ()
    keys = (_key_from_json(item) for item in items[:limit])
    return tuple(dict.fromkeys(key for key in keys if key is not None))


def _pixels_from_json(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        return 0
    return min(max(value, 0), _MAX_PIXELS)
