"""desktop.xref.sources: docs101's customers and Clockify's clients as the cross-reference
takes them (issue 19), and the demo's customers through them."""

from __future__ import annotations

from typing import Any

from desktop.clockify.models import Client
from desktop.demo.docs101 import demo_customers
from desktop.docs101.client import Docs101Customer
from desktop.xref.customers import Customer
from desktop.xref.matching import Candidate, cross_reference
from desktop.xref.sources import (
    candidates,
    clients_for_xref,
    customers_by_id,
    customers_from_docs101,
)


def _record(ident: Any = 1, **fields: Any) -> Docs101Customer:
    return Docs101Customer.from_json({"id": ident, **fields})


def _client(ident: str, name: str | None, archived: bool = False) -> Client:
    return Client(id=ident, name=name, archived=archived, email=None, address=None)


def test_an_organisation_is_named_by_its_organisation_name() -> None:
    record = _record(
        7,
        organization_name="  Acme   GmbH ",
        first_name="Ada",
        last_name="Lovelace",
        email="billing@acme.example",
        vat_id="DE123456789",
    )
    assert customers_from_docs101([record]) == [
        Customer(id="7", name="Acme GmbH", email="billing@acme.example", vat_id="DE123456789")
    ]


def test_a_person_is_named_first_last_and_either_alone_will_do() -> None:
    got = customers_from_docs101(
        [
            _record(1, organization_name=None, first_name="Zoë", last_name="Müller"),
            _record(2, organization_name="   ", first_name=None, last_name="Weber"),
            _record(3, first_name="Jonas"),
        ]
    )
    assert [(c.id, c.name) for c in got] == [("1", "Zoë Müller"), ("2", "Weber"), ("3", "Jonas")]


def test_a_record_without_any_name_is_left_out_and_the_order_kept() -> None:
    got = customers_from_docs101(
        [
            _record(1, organization_name="B"),
            _record(2),
            _record(3, organization_name=" ", first_name="", last_name="\t"),
            _record(4, organization_name="A"),
        ]
    )
    assert [c.id for c in got] == ["1", "4"]


def test_inactive_customers_are_kept() -> None:
    got = customers_from_docs101([_record(5, organization_name="Former AG", is_active=False)])
    assert [(c.id, c.name) for c in got] == [("5", "Former AG")]


def test_the_id_is_text_and_blank_contact_fields_are_none() -> None:
    [customer] = customers_from_docs101(
        [_record(123456789012, organization_name="X", email="  ", vat_id="")]
    )
    assert customer.id == "123456789012"
    assert customer.email is None
    assert customer.vat_id is None


def test_candidates_are_keyed_by_the_customer_id() -> None:
    customers = [Customer("K-1", "Acme GmbH"), Customer("line 3", "Contoso Ltd")]
    assert candidates(customers) == [
        Candidate(key="K-1", name="Acme GmbH"),
        Candidate(key="line 3", name="Contoso Ltd"),
    ]
    assert candidates([]) == []


def test_clients_are_id_and_name_in_their_order_archived_ones_included() -> None:
    clients = [_client("b", "Beta"), _client("a", None), _client("c", "Old", archived=True)]
    assert clients_for_xref(clients) == [("b", "Beta"), ("a", None), ("c", "Old")]
    assert clients_for_xref(iter(clients)) == clients_for_xref(clients)  # any iterable


def test_customers_by_id_keeps_the_first_of_a_repeated_id() -> None:
    first, second, other = Customer("1", "A"), Customer("1", "B"), Customer("2", "C")
    assert customers_by_id([first, second, other]) == {"1": first, "2": other}
    assert customers_by_id([]) == {}


def test_the_acceptance_pairs_through_the_sources() -> None:
    records = [
        _record(11, organization_name="Acme GmbH"),
        _record(12, organization_name="Mueller und Soehne KG"),
        _record(13, organization_name="Contoso Limited"),
        _record(14, organization_name="Northwind Trading Company"),
        _record(15, organization_name="Müller Bau GmbH"),
    ]
    clients = [
        _client("c1", "ACME GmbH."),
        _client("c2", "Müller & Söhne KG"),
        _client("c3", "Contoso Ltd"),
        _client("c4", "Northwind Traders"),
        _client("c5", "Müller GmbH"),
        _client("c6", "Fabrikam Unlimited"),
        _client("c7", None),
    ]
    customers = customers_from_docs101(records)
    result = cross_reference(clients_for_xref(clients), candidates(customers))
    got = {e.clockify_id: (e.status, e.docs101_id) for e in result.entries}
    assert got["c1"] == ("match", "11")
    assert got["c2"] == ("match", "12")
    assert got["c3"] == ("match", "13")
    assert got["c4"] == ("similar", "14")
    assert got["c5"][0] != "match"
    assert got["c6"] == ("missing", None)
    assert got["c7"] == ("missing", None)
    # The card finds each matched customer by its id.
    cards = customers_by_id(customers)
    for entry in result.entries:
        if entry.docs101_id is not None:
            assert cards[entry.docs101_id].name == entry.docs101_name


def test_the_demo_customers_all_convert_persons_and_the_inactive_one_included() -> None:
    records = [Docs101Customer.from_json(r) for r in demo_customers()]
    customers = customers_from_docs101(records)
    assert len(customers) == len(records) == 20
    names = {c.name for c in customers}
    assert {"Zoë Müller", "Jonas Weber", "Café Müller", "Müller Bau GmbH"} <= names
    assert len(customers_by_id(customers)) == 20
    assert demo_customers() is not demo_customers()  # fresh records on every call
