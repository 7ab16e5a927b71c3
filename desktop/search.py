"""Search text normalisation: case- and accent-insensitive, precomputed once per record."""

from __future__ import annotations

import unicodedata


def normalise(text: str | None) -> str:
    """Fold case and strip accents, so "zoe" finds "Zoë" and "ZOE"."""
    if not text:
        return ""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def search_text(*fields: str | None) -> str:
    """One string per record; fields are joined by a newline so a query never spans two.

    The fields are joined first and normalised once: most records are ASCII, and one
    lower() of the whole is the cheapest path (this runs for every row loaded).
    """
    return normalise("\n".join(f for f in fields if f))
