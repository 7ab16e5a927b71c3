"""A client's docs101 cross-reference (`ClientXref`), as a client row keeps it.

Apart from desktop.ui.tree_model so that its dataclass is made when docs101's data is first
matched (on a worker), not before the panel's first paint (docs/performance.md, section 9).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.xref.customers import Customer
    from desktop.xref.matching import Entry


@dataclass(frozen=True, slots=True)
class ClientXref:
    """A client's docs101 cross-reference: its entry and, unless missing, the customer."""

    entry: Entry
    customer: Customer | None = None
