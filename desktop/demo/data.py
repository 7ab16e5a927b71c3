"""Deterministic Clockify-shaped data for demo mode (the tests and benchmarks use it too)."""

from __future__ import annotations

import random
import unicodedata
from typing import Any

from desktop.demo.server import DemoClockify, DemoWorkspace

#: Public on purpose: the demo server runs on 127.0.0.1 and holds only made-up data.
DEMO_API_KEY = "demo-key-public-not-a-secret"

#: Names that break naive code: markup, huge, emoji, right-to-left, decomposed accents,
#: control characters, CSV-hostile punctuation, duplicates and a missing name.
TRICKY_NAMES: list[str | None] = [
    "<b>x</b><img src=x>",
    "<font color=red>Red</font>",
    "Long " + "x" * 9995,
    "Café ☕ 🚀 Ltd",
    "شركة المثال",
    "Zoe\u0308 Mu\u0308ller",
    "Zoë Müller",
    "Tab\tNew\nLine\x07Bell",
    'He said "hi", ok',
    "Duplicate Co",
    "Duplicate Co",
    None,
]

_FIRST_NAMES = [
    "Anna", "Ben", "Chloé", "David", "Elif", "Femi", "Grace", "Hiro", "Isabel", "Jonas",
    "Kateřina", "Liam", "Maya", "Noah", "Olga", "Pedro", "Qing", "Rosa", "Søren", "Tariq",
    "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoë", "Amara", "Bruno", "Carmen", "Dmitri",
    "Emma", "Farah", "Gabriel", "Hana", "Ivan", "Julia", "Kofi", "Lena", "Mateo", "Nadia",
]  # fmt: skip
_LAST_NAMES = [
    "Andersen", "Brown", "Castillo", "Dubois", "Evans", "Fischer", "García", "Hughes", "Ito",
    "Jensen", "Kowalski", "López", "Müller", "Nakamura", "O'Brien", "Petrov", "Quinn", "Rossi",
    "Schmidt", "Tanaka", "Usman", "Van der Berg", "Walsh", "Xu", "Yilmaz", "Zhang", "Okafor",
    "Lindqvist", "Novák", "Silva", "Kim", "Haddad", "Moreau", "Costa", "Weber", "Singh",
]  # fmt: skip
_COMPANY_WORDS = [
    "Northwind", "Blue Harbor", "Granite", "Maple", "Summit", "Redwood", "Silverline",
    "Atlas", "Beacon", "Cobalt", "Evergreen", "Falcon", "Horizon", "Ironbridge", "Juniper",
    "Keystone", "Lakeside", "Meridian", "Nimbus", "Orchard", "Pioneer", "Quarry", "Riverstone",
    "Sterling", "Tidewater", "Union", "Vertex", "Willow", "Zenith", "Crescent",
]  # fmt: skip
_COMPANY_TRADES = [
    "Logistics", "Bakery", "Analytics", "Dental", "Architects", "Media", "Robotics", "Foods",
    "Legal", "Travel", "Energy", "Studios", "Outfitters", "Health", "Consulting", "Software",
]  # fmt: skip
_COMPANY_SUFFIXES = ["Ltd", "GmbH", "Inc.", "LLC", "S.A.", "B.V.", "AB", "Pty Ltd", "Group", ""]
_ACCENTED_CLIENTS = [
    "Café Müller", "Crème Brûlée Bistro", "Søstrene Design", "Łódź Print House",
    "Niño Toys", "Ærø Ferries", "Façade Studio", "Ångström Optics", "Göteborg Glas",
    "Señora Óptica", "Zoë's Own Brand", "Dvořák Music", "Øresund Bikes", "Straße & Söhne",
    "Île Verte", "São Paulo Mídia", "Kraków Kraft", "Århus Ark", "Élan Vital", "Brønd Bryg",
    "Piñata Party Co", "Naïve Fonts", "Jalapeño Foods", "Smörgås Deli", "Übermaß Gym",
    "Fjäll Outdoor", "Crêperie Bretonne", "Açaí Bowl Bar", "Hôtel Étoile", "Tōkyō Tea",
]  # fmt: skip
_CURRENCIES = [("USD", "64b0cc0000000000000000e1"), ("EUR", "64b0cc0000000000000000e2")]
_MORE_CURRENCIES = [("CHF", "64b0cc0000000000000000e3"), ("GBP", "64b0cc0000000000000000e4")]
#: Streets and towns for made-up invoice addresses (German, as most docs101 customers).
_STREETS = [
    "Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schillerstraße", "Am Markt", "Lindenallee",
    "Industriestraße", "Goethestraße", "Kirchplatz", "Mühlenweg",
]  # fmt: skip
_TOWNS = [
    "10115 Berlin", "80331 München", "20095 Hamburg", "50667 Köln", "60311 Frankfurt am Main",
    "70173 Stuttgart", "04109 Leipzig", "01067 Dresden", "90402 Nürnberg", "28195 Bremen",
]  # fmt: skip
_NOTES = [
    "Rechnung nur als XRechnung",
    "Leitweg-ID 04011000-1234512345-06",
    "Zahlungsziel 14 Tage, 2 % Skonto",
    "Key account",
    "Bitte Bestellnummer angeben\nAnsprechpartnerin: Frau Weber",
]


#: Letters NFKD does not take apart, written as German and Nordic e-mail addresses write them.
_FOLD = str.maketrans(
    {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "æ": "ae", "Æ": "Ae", "ß": "ss", "å": "aa", "Å": "Aa"}
)


def _ascii(text: str) -> str:
    """A lower-case e-mail local part or domain from a name."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    kept = "".join(ch for ch in folded if ch.isascii() and (ch.isalnum() or ch in ".-"))
    return kept.lower() or "x"


def _new_id(rng: random.Random, used: set[str]) -> str:
    while True:
        value = f"{rng.getrandbits(96):024x}"
        if value not in used:
            used.add(value)
            return value


def _unique(name: str, seen: dict[str, int]) -> str:
    count = seen.get(name, 0) + 1
    seen[name] = count
    return name if count == 1 else f"{name} {count}"


def make_users(n: int, *, seed: int = 1, workspace_id: str) -> list[dict[str, Any]]:
    """n Clockify-shaped users with unique ids: ~5% INACTIVE members, a few null names."""
    rng = random.Random(seed)  # noqa: S311 - repeatable made-up data, not secrets
    used: set[str] = set()
    seen: dict[str, int] = {}
    domain = _ascii(f"ws{workspace_id[-6:]}") + ".example"
    users: list[dict[str, Any]] = []
    for _ in range(n):
        full = _unique(f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}", seen)
        local = ".".join(_ascii(part) for part in full.split())
        roll = rng.random()
        membership = "INACTIVE" if roll < 0.05 else "PENDING" if roll < 0.06 else "ACTIVE"
        account = rng.random()
        status = (
            "NOT_REGISTERED"
            if account < 0.02
            else "PENDING_EMAIL_VERIFICATION"
            if account < 0.04
            else "ACTIVE"
        )
        users.append(
            {
                "id": _new_id(rng, used),
                "name": None if rng.random() < 0.01 else full,
                "email": None if rng.random() < 0.005 else f"{local}@{domain}",
                "status": status,
                "memberships": [],
                "profilePicture": "",
                "activeWorkspace": workspace_id,
                "defaultWorkspace": workspace_id,
                "settings": None if rng.random() < 0.3 else {"weekStart": "MONDAY"},
                "customFields": [],
                "_membership": membership,
            }
        )
    return users


def make_clients(n: int, *, seed: int = 2, workspace_id: str) -> list[dict[str, Any]]:
    """n Clockify-shaped clients with unique ids: ~8% archived, nullable contact fields.

    About 40% have an address (multi-line, one-line or a long five-line one), 60% an
    e-mail, 30% CC e-mails (some an empty list), 10% a note, and the currencies are USD,
    EUR and a few CHF and GBP.
    """
    rng = random.Random(seed)  # noqa: S311 - repeatable made-up data, not secrets
    extra = random.Random(seed + 1_000_003)  # noqa: S311
    used: set[str] = set()
    seen: dict[str, int] = {}
    clients: list[dict[str, Any]] = []
    for _ in range(n):
        base = f"{rng.choice(_COMPANY_WORDS)} {rng.choice(_COMPANY_TRADES)}"
        suffix = rng.choice(_COMPANY_SUFFIXES)
        name = _unique(f"{base} {suffix}".strip(), seen)
        code, currency_id = rng.choice(_CURRENCIES)
        has_email = rng.random() < 0.6
        ident = _new_id(rng, used)
        archived = rng.random() < 0.08
        number = rng.randint(1, 250) if rng.random() < 0.4 else None
        noted = rng.random() < 0.1
        # The invoice fields come from their own generator, so the draws above (and every
        # name and id that tests rely on) are those of the data before these fields.
        street = f"{extra.choice(_STREETS)} {number}" if number is not None else None
        town = extra.choice(_TOWNS)
        layout = extra.random()
        if street is None:
            address = None
        elif layout < 0.6:  # a multi-line address, as docs101 prints it
            address = f"{street}\n{town}"
        elif layout < 0.8:
            address = f"{street}, {town}"
        else:
            address = f"z. Hd. Buchhaltung\n{street}\n{town}\nDeutschland"
        domain = _ascii(base.replace(" ", "-"))
        cc_roll = extra.random()
        cc_emails: list[str] | None = (
            None
            if cc_roll < 0.7
            else []
            if cc_roll < 0.8
            else [f"buchhaltung@{domain}.example"]
            if cc_roll < 0.95
            else [f"buchhaltung@{domain}.example", f"einkauf@{domain}.example"]
        )
        if extra.random() < 0.1:
            code, currency_id = extra.choice(_MORE_CURRENCIES)
        clients.append(
            {
                "id": ident,
                "name": name,
                "workspaceId": workspace_id,
                "archived": archived,
                "email": f"billing@{domain}.example" if has_email else None,
                "address": address,
                "note": extra.choice(_NOTES) if noted else None,
                "ccEmails": cc_emails,
                "currencyId": currency_id,
                "currencyCode": code,
            }
        )
    return clients


def _with_names(
    records: list[dict[str, Any]], names: list[str | None], rng: random.Random
) -> list[dict[str, Any]]:
    """Copies of the first records renamed to `names`, with fresh ids."""
    used = {str(record["id"]) for record in records}
    return [
        {**template, "id": _new_id(rng, used), "name": name}
        for template, name in zip(records, names, strict=False)
    ]


def demo_server() -> tuple[DemoClockify, str]:
    """The demo mode's server (not started yet) and its public key."""
    northwind_id = "5f1e0a0b0c0d0e0f10111201"
    studio_id = "5f1e0a0b0c0d0e0f10111202"
    side_id = "5f1e0a0b0c0d0e0f10111203"
    partner_id = "5f1e0a0b0c0d0e0f10111204"
    owner_id = "5f1e0a0b0c0d0e0f101112ff"
    owner = {
        "id": owner_id,
        "name": "Demo User",
        "email": "demo@example.com",
        "activeWorkspace": northwind_id,
        "defaultWorkspace": northwind_id,
        "profilePicture": "",
        "settings": None,
        "status": "ACTIVE",
    }

    def owner_member(workspace_id: str) -> dict[str, Any]:
        member = {k: v for k, v in owner.items() if k != "settings"}
        return {
            **member,
            "activeWorkspace": workspace_id,
            "memberships": [],
            "settings": None,
            "customFields": [],
            "_membership": "ACTIVE",
        }

    rng = random.Random(42)  # noqa: S311 - repeatable made-up data, not secrets
    northwind_users = make_users(5000, seed=11, workspace_id=northwind_id)
    northwind_clients = make_clients(1000, seed=12, workspace_id=northwind_id)
    northwind_users += _with_names(northwind_users, TRICKY_NAMES, rng)
    northwind_clients += _with_names(northwind_clients, TRICKY_NAMES, rng)
    northwind_users.append(owner_member(northwind_id))

    studio_clients = make_clients(30, seed=22, workspace_id=studio_id)
    for client, name in zip(studio_clients, _ACCENTED_CLIENTS, strict=True):
        client["name"] = name
        client["currencyCode"], client["currencyId"] = _CURRENCIES[1]
        domain = _ascii(name.replace(" ", "-"))  # the e-mails follow the new name
        if client["email"]:
            client["email"] = f"rechnung@{domain}.example"
        if client["ccEmails"]:
            client["ccEmails"] = [f"buchhaltung@{domain}.example"]
    studio_users = [*make_users(11, seed=21, workspace_id=studio_id), owner_member(studio_id)]

    side_users = [*make_users(2, seed=31, workspace_id=side_id), owner_member(side_id)]

    workspaces = [
        DemoWorkspace(
            northwind_id,
            "Northwind Consulting",
            northwind_users,
            northwind_clients,
            plan="PRO_YEAR_2024",
            currency="EUR",
            hourly_rate=9500,
        ),
        DemoWorkspace(studio_id, "Zoë's Design Studio", studio_users, studio_clients, plan="FREE"),
        DemoWorkspace(side_id, "Side Project", side_users, []),
        DemoWorkspace(
            partner_id,
            "Partner Agency",
            make_users(25, seed=41, workspace_id=partner_id),
            make_clients(40, seed=42, workspace_id=partner_id),
            forbid_users=True,
        ),
    ]
    server = DemoClockify(api_keys={DEMO_API_KEY: owner}, workspaces=workspaces, latency=0.03)
    return server, DEMO_API_KEY


__all__ = ["DEMO_API_KEY", "TRICKY_NAMES", "demo_server", "make_clients", "make_users"]
