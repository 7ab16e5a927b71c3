"""Copying rows: the text put on the clipboard for names, IDs and e-mails, and what it says."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QGuiApplication

from desktop.ui.tree_model import (
    NO_NAME,
    RecordNode,
    WorkspaceNode,
    node_ids,
    node_name,
    node_names,
    visible_text,
)

#: The rows' values to copy, one per row (node_names, node_ids, node_emails, names_and_ids).
Values = Callable[[list[RecordNode | WorkspaceNode]], list[str]]

NOTHING_SELECTED = "Nothing selected to copy"


def short(text: str, limit: int = 60) -> str:
    """A name for a status message: control characters visible, long names cut."""
    text = visible_text(text)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def names_and_ids(nodes: list[RecordNode | WorkspaceNode]) -> list[str]:
    """One "name<TAB>id" line per node."""
    return [f"{n}\t{i}" for n, i in zip(node_names(nodes), node_ids(nodes), strict=True)]


def copied_message(what: str, nodes: list[RecordNode | WorkspaceNode]) -> str:
    """The status message after copying `what` ("name", "ID", ...) of `nodes` (not empty)."""
    if len(nodes) == 1:
        return f"Copied {what} of {short(node_name(nodes[0]) or NO_NAME)}"
    return f"Copied {what}s of {len(nodes)} rows"


def copy_rows(what: str, nodes: list[RecordNode | WorkspaceNode], values: Values) -> str:
    """Put `values` of `nodes` on the clipboard, one per line; the status message to show.

    With no rows nothing is copied (the clipboard keeps what it holds).
    """
    if not nodes:
        return NOTHING_SELECTED
    QGuiApplication.clipboard().setText("\n".join(values(nodes)))
    return copied_message(what, nodes)
