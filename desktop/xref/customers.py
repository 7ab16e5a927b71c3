"""A docs101 customer as the cross-reference needs it, and the error of reading customers.

The one model whichever source gives the customers: docs101's API (ids are integers there)
or a CSV file (whose customer number may be text, or missing: then the line it came from).
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.errors import AppError


@dataclass(frozen=True, slots=True)
class Customer:
    """One docs101 customer.

    Attributes:
        id: docs101's id as text, a CSV file's customer number, or "line 12" when the
            file has none for that row.
        name: the organisation's name, or "first last" for a person without one; never
            empty.
        email: the e-mail address, None when not known.
        vat_id: the VAT id (e.g. DE123456789), None when not known.
    """

    id: str
    name: str
    email: str | None = None
    vat_id: str | None = None


class CustomersError(AppError):
    """Customers could not be read (a CSV file that is missing, empty, too large, without a
    column of names, or unreadable at a line). One sentence, naming the file and, where
    there is one, its line.

    The command line exits 2 for it, as for any unusable input it was given.
    """

    exit_code = 2


def customer_name(
    organization_name: str | None, first_name: str | None, last_name: str | None
) -> str | None:
    """The name a customer is matched by: the organisation's name, else "first last" (a
    person in docs101 has no organisation name), else None when all are empty.

    Each part is trimmed and runs of whitespace inside it become one space.
    """
    organization = _clean(organization_name)
    if organization:
        return organization
    person = " ".join(part for part in (_clean(first_name), _clean(last_name)) if part)
    return person or None


def _clean(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


__all__ = ["Customer", "CustomersError", "customer_name"]
