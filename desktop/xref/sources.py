"""The cross-reference's inputs from where they come: docs101's API and Clockify's clients.

No Qt, no I/O: the command line and the panel fetch the records and hand them here, then
to `desktop.xref.matching.cross_reference`.

The rules:

- A docs101 customer's `id` is docs101's id as text; its name is the organisation's name,
  else "first last" for a person (`customer_name`, trimmed, inner whitespace collapsed).
  A record with neither has nothing to match by and is left out.
- Inactive docs101 customers (``is_active`` false) are kept: the customer still exists in
  docs101, and a Clockify client named like it is not `missing` there (marking it so
  would invite a duplicate customer). Its e-mail and VAT id are kept as given.
- A Clockify client is `(id, name)`, its name as Clockify gives it (None or empty is
  matched by nothing: `missing`). Which clients to include (archived ones or not) is the
  caller's choice; the order is kept.
"""

from __future__ import annotations

from collections.abc import Iterable

from desktop.clockify.models import Client
from desktop.docs101.client import Docs101Customer
from desktop.xref.customers import Customer, customer_name
from desktop.xref.matching import Candidate


def customers_from_docs101(records: Iterable[Docs101Customer]) -> list[Customer]:
    """docs101's customers as `Customer`s, in their order; those without a name left out."""
    customers: list[Customer] = []
    for record in records:
        name = customer_name(record.organization_name, record.first_name, record.last_name)
        if name is None:
            continue
        customers.append(
            Customer(
                id=record.id,
                name=name,
                email=_optional(record.email),
                vat_id=_optional(record.vat_id),
            )
        )
    return customers


def candidates(customers: Iterable[Customer]) -> list[Candidate]:
    """The customers as matching candidates: key the customer's id, name its name."""
    return [Candidate(key=customer.id, name=customer.name) for customer in customers]


def clients_for_xref(clients: Iterable[Client]) -> list[tuple[str, str | None]]:
    """Clockify clients as `cross_reference` takes them: `(id, name)`, in their order."""
    return [(client.id, client.name) for client in clients]


def customers_by_id(customers: Iterable[Customer]) -> dict[str, Customer]:
    """The customers by id, for a details card (`Entry.docs101_id` to its `Customer`).

    When two customers share an id (a CSV file may repeat a customer number) the first
    one is kept.
    """
    found: dict[str, Customer] = {}
    for customer in customers:
        found.setdefault(customer.id, customer)
    return found


def _optional(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = " ".join(text.split())
    return cleaned or None


__all__ = ["candidates", "clients_for_xref", "customers_by_id", "customers_from_docs101"]
