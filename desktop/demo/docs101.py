"""Demo mode's docs101: made-up customers served read-only on 127.0.0.1.

`demo_customers()` overlaps the demo Clockify's clients (desktop/demo/data.py) with exact,
near and missing names, so that the cross-reference shows every status. `DemoDocs101`
serves them as docs101 does: GET /api/v1/customer/ with the key in `X-API-Key` answers
the whole list (401 `{"message": "Invalid API key"}` for any other key, 404 for any other
path), on the demo Clockify's server and handler (desktop.demo.server). Nothing is
recorded. The tests' fake docs101 (tests/fake_docs101.py) is a DemoDocs101 with fault
switches and a request log, serving the same customers.
"""

from __future__ import annotations

from typing import Any

from desktop.demo.server import API_PREFIX, Answer, DemoClockify, Request, json_answer

#: The demo's docs101 key: public, made up, in docs101's format.
DEMO_DOCS101_KEY = "ak_live_demo-public-not-a-secret"

#: The customer list's path, as docs101's API has it (the trailing slash included).
CUSTOMERS_PATH = API_PREFIX + "/customer/"


def _company(ident: int, name: str, email: str | None, vat_id: str | None) -> dict[str, Any]:
    return {
        "id": ident,
        "organization_name": name,
        "first_name": None,
        "last_name": None,
        "salutation": None,
        "email": email,
        "contact_type": "B2B",
        "vat_id": vat_id,
        "language": "de",
        "is_active": True,
    }


def _person(ident: int, salutation: str, first: str, last: str, email: str) -> dict[str, Any]:
    return {
        "id": ident,
        "organization_name": None,
        "first_name": first,
        "last_name": last,
        "salutation": salutation,
        "email": email,
        "contact_type": "B2C",
        "vat_id": None,
        "language": "de",
        "is_active": True,
    }


def demo_customers() -> list[dict[str, Any]]:
    """The demo's docs101 customers, as docs101 sends them (fresh dicts on every call).

    Against the demo Clockify (desktop/demo/data.py), by design:
    - exact: studio clients "Café Müller", "Søstrene Design", "Göteborg Glas", "Naïve
      Fonts", "Hôtel Étoile", "Straße & Söhne", and Northwind's "Horizon Logistics GmbH",
      "Atlas Media GmbH" and "Keystone Legal Group";
    - near: "Cafe Mueller GmbH"-style spellings of others ("Creme Brulee Bistro GmbH",
      "Strasse und Soehne KG" next to the exact one, "Jalapeno Foods GmbH", "Vertex
      Robotics", "Falcon Robotics BV", "Cobalt Dental SA"), equal once normalised;
    - similar: "Fjäll Outdoors GmbH" for the studio's "Fjäll Outdoor" (score 98, a light
      stem);
    - missing: most demo clients have no customer here;
    - docs101 only: "Bäckerei Schmidt e.K.", "Müller Bau GmbH" and two persons (no
      organisation name, matched by first and last name), one of them inactive.
    """
    rows = [
        ("Café Müller", "info@cafe-mueller.example", "DE811234567"),
        ("Søstrene Design", "hej@sostrene-design.example", None),
        ("Göteborg Glas", None, "SE556677889901"),
        ("Naïve Fonts", "hello@naive-fonts.example", None),
        ("Hôtel Étoile", "reception@hotel-etoile.example", "FR40303265045"),
        ("Straße & Söhne", "buero@strasse-soehne.example", "DE298765432"),
        ("Horizon Logistics GmbH", "ap@horizon-logistics.example", "DE123456789"),
        ("Atlas Media GmbH", "rechnung@atlas-media.example", "DE234567891"),
        ("Keystone Legal Group", "billing@keystone-legal.example", None),
        ("Creme Brulee Bistro GmbH", None, "DE345678912"),
        ("Strasse und Soehne KG", "kg@strasse-soehne.example", "DE456789123"),
        ("Fjäll Outdoors GmbH", "hej@fjall-outdoors.example", "SE556123456701"),
        ("Jalapeno Foods GmbH", "orders@jalapeno.example", "DE567891234"),
        ("Vertex Robotics", "finance@vertex-robotics.example", None),
        ("Falcon Robotics BV", "ap@falcon-robotics.example", "NL123456789B01"),
        ("Cobalt Dental SA", None, "ESA12345678"),
        ("Bäckerei Schmidt e.K.", "backstube@schmidt.example", "DE678912345"),
        ("Müller Bau GmbH", "bau@mueller-bau.example", "DE789123456"),
    ]
    customers = [
        _company(1001 + index, name, email, vat) for index, (name, email, vat) in enumerate(rows)
    ]
    customers.append(_person(2001, "Frau", "Zoë", "Müller", "zoe.mueller@example.com"))
    former = _person(2002, "Herr", "Jonas", "Weber", "j.weber@example.com")
    former["is_active"] = False
    customers.append(former)
    return customers


def _error(status: int, message: str) -> Answer:
    return json_answer(status, {"message": message})


class DemoDocs101(DemoClockify):
    """The demo's docs101, on a daemon thread once started (`start()`, `stop()`, `with`);
    `base_url` is what the docs101 client takes (``http://127.0.0.1:PORT/api/v1``).

    Attributes:
        api_key: the one key it accepts (DEMO_DOCS101_KEY by default).
        customers: the records served, as docs101 shapes them (demo_customers()).
        latency: seconds waited before each answer, so the demo feels like a network.
    """

    def __init__(
        self,
        *,
        api_key: str = DEMO_DOCS101_KEY,
        customers: list[dict[str, Any]] | None = None,
        latency: float = 0.0,
    ) -> None:
        super().__init__(latency=latency)
        self.api_key = api_key
        self.customers = demo_customers() if customers is None else customers

    def _answer(self, request: Request) -> Answer:
        if self.latency > 0:
            self._stopping.wait(self.latency)
        if request.method != "GET":
            return _error(405, "Method not allowed")
        keys = request.keys
        if len(keys) != 1 or keys[0].strip() != self.api_key:
            return _error(401, "Invalid API key")
        if request.path != CUSTOMERS_PATH:
            return _error(404, "Not found")
        return json_answer(200, self.customers)


def demo_docs101() -> tuple[DemoDocs101, str]:
    """The demo mode's docs101 (not started yet) and its public key."""
    return DemoDocs101(latency=0.03), DEMO_DOCS101_KEY


__all__ = [
    "CUSTOMERS_PATH",
    "DEMO_DOCS101_KEY",
    "DemoDocs101",
    "demo_customers",
    "demo_docs101",
]
