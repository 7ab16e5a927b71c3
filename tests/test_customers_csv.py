"""Customers from a CSV file (issue 19): delimiters, encodings, German and English headers,
persons, the messages for what cannot be read, bounded memory for a 50 MB file, and arbitrary
bytes ending only in a CustomersError."""

from __future__ import annotations

import contextlib
import csv
import io
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.errors import AppError
from desktop.xref import customers_csv
from desktop.xref.customers import Customer, CustomersError, customer_name
from desktop.xref.customers_csv import (
    MAX_FILE_BYTES,
    parse_customers,
    read_customers,
    read_customers_csv,
)


def parse(text: str, encoding: str = "utf-8") -> customers_csv.CustomersCsv:
    return parse_customers(text.encode(encoding), "customers.csv")


def error_of(data: bytes) -> str:
    with pytest.raises(CustomersError) as caught:
        parse_customers(data, "customers.csv")
    return caught.value.message


# --- the model ---------------------------------------------------------------------------


def test_customer_name_is_the_organisation_else_first_last() -> None:
    assert customer_name("  ACME  GmbH ", "Anna", "Schmidt") == "ACME GmbH"
    assert customer_name(None, "Anna", "Schmidt") == "Anna Schmidt"
    assert customer_name("", " Anna ", None) == "Anna"
    assert customer_name("  ", None, "Schmidt") == "Schmidt"
    assert customer_name(None, None, None) is None
    assert customer_name(" ", "", "  ") is None


def test_customers_error_is_an_app_error_with_exit_code_2() -> None:
    assert issubclass(CustomersError, AppError)
    assert CustomersError.exit_code == 2
    assert str(CustomersError("x.csv is empty.")) == "x.csv is empty."


def test_customer_is_small_frozen_and_comparable() -> None:
    customer = Customer("17", "ACME GmbH")
    assert customer == Customer(id="17", name="ACME GmbH", email=None, vat_id=None)
    with pytest.raises(AttributeError):
        customer.name = "other"  # type: ignore[misc]


# --- delimiters, encodings, headers ------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_each_delimiter(delimiter: str) -> None:
    rows = [
        ["id", "organization_name", "email", "vat_id"],
        ["1", "ACME GmbH", "info@acme.example", "DE123456789"],
        ["2", "Contoso Ltd", "", ""],
    ]
    text = "".join(delimiter.join(row) + "\r\n" for row in rows)
    result = parse(text)
    assert result.delimiter == delimiter
    assert result.encoding == "utf-8"
    assert result.customers == (
        Customer("1", "ACME GmbH", "info@acme.example", "DE123456789"),
        Customer("2", "Contoso Ltd"),
    )


def test_the_delimiter_outnumbering_another_in_the_header_wins() -> None:
    # The sniffer prefers a comma among delimiters seen once per line; the header has more ';'.
    result = parse("Firma;Kundennummer, intern;E-Mail\nMüller GmbH;7;m@example.com\n")
    assert result.delimiter == ";"
    assert result.customers == (Customer("line 2", "Müller GmbH", "m@example.com"),)


def test_utf8_with_bom() -> None:
    data = b"\xef\xbb\xbf" + "Name;Kundennummer\nMüller & Söhne KG;K-1\n".encode()
    result = parse_customers(data, "export.csv")
    assert result.encoding == "utf-8-sig"
    assert result.customers == (Customer("K-1", "Müller & Söhne KG"),)


def test_cp1252_umlauts_as_german_spreadsheets_save_them() -> None:
    text = "Firma;Ort\r\nMüller & Söhne;Köln\r\nGroß Bäckerei €uro;Fürth\r\n"
    data = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the premise: these bytes are not UTF-8
    result = parse_customers(data, "export.csv")
    assert result.encoding == "cp1252"
    assert [c.name for c in result.customers] == ["Müller & Söhne", "Groß Bäckerei €uro"]


def test_cp1252_decided_for_the_whole_file_after_ascii_lines() -> None:
    lines = ["Firma"] + [f"Kunde {n}" for n in range(2000)] + ["Müller"]
    result = parse("\n".join(lines) + "\n", "cp1252")
    assert result.encoding == "cp1252"
    assert result.customers[-1].name == "Müller"
    assert len(result.customers) == 2001


def test_german_headers() -> None:
    text = (
        "Kundennummer;Firma;E-Mail;USt-IdNr.\n"
        "10001;Müller & Söhne KG;info@mueller.example;DE123456789\n"
    )
    assert parse(text, "cp1252").customers == (
        Customer("10001", "Müller & Söhne KG", "info@mueller.example", "DE123456789"),
    )


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("ORGANIZATION_NAME", "name"),
        (" Company Name ", "name"),
        ("Firmenname", "name"),
        ("Kunde", "name"),
        ("Unternehmen", "name"),
        ("Kunden-Nr.", "id"),
        ("customer_number", "id"),
        ("KundenNr", "id"),
        ("E-Mail", "email"),
        ("mail", "email"),
        ("UStID", "vat"),
        ("Umsatzsteuer-ID", "vat"),
        ("VAT", "vat"),
    ],
)
def test_headers_recognised_case_and_punctuation_ignored(header: str, role: str) -> None:
    columns = {"name": "name", "id": "id", "email": "email", "vat": "vat_id"}
    columns[role] = header
    text = f"{columns['name']},{columns['id']},{columns['email']},{columns['vat']}\nA,B,C,D\n"
    assert parse(text).customers == (Customer("B", "A", "C", "D"),)


def test_a_company_column_wins_over_a_plain_name_column() -> None:
    result = parse("Name,Firma\nAnna Schmidt,ACME GmbH\n")
    assert result.customers == (Customer("line 2", "ACME GmbH"),)


def test_person_rows_are_named_first_last() -> None:
    text = "Kundennummer\tVorname\tNachname\n1\tAnna\tSchmidt\n2\t\tMeier\n3\tJörg\t\n"
    assert [c.name for c in parse(text).customers] == ["Anna Schmidt", "Meier", "Jörg"]


def test_a_docs101_export_persons_without_an_organisation() -> None:
    text = (
        "id,organization_name,first_name,last_name,email,vat_id\n"
        "1,ACME GmbH,,,a@acme.example,DE1\n"
        "2,,Anna,Schmidt,anna@example.com,\n"
    )
    assert parse(text).customers == (
        Customer("1", "ACME GmbH", "a@acme.example", "DE1"),
        Customer("2", "Anna Schmidt", "anna@example.com"),
    )


def test_rows_without_a_name_are_skipped_and_counted_ids_default_to_the_line() -> None:
    text = "Firma,Kundennummer,Notiz\nACME,,\n,7,a note\n\n,,\nContoso,,\n"
    result = parse(text)
    assert result.customers == (Customer("line 2", "ACME"), Customer("line 6", "Contoso"))
    assert result.skipped == 1  # the row with a note; blank rows are not counted


def test_a_quoted_field_with_the_delimiter_and_a_newline() -> None:
    text = (
        'Kundennummer;Firma;E-Mail\r\n1;"Müller; Bau\r\nund Söhne";m@example.com\r\n2;Zweite;\r\n'
    )
    result = parse(text)
    assert result.customers == (
        Customer("1", "Müller; Bau und Söhne", "m@example.com"),
        Customer("2", "Zweite"),
    )


def test_ids_default_to_the_line_where_a_multiline_row_starts() -> None:
    result = parse('name\n"A\nB"\nC\n')
    assert result.customers == (Customer("line 2", "A B"), Customer("line 4", "C"))


def test_excel_sep_line_names_the_delimiter() -> None:
    result = parse("sep=;\r\nFirma;Nr\r\nACME, Inc;1\r\n")
    assert result.delimiter == ";"
    assert result.customers == (Customer("1", "ACME, Inc"),)


def test_lines_ending_in_a_lone_carriage_return() -> None:
    assert parse("Firma;Nr\rACME;1\rContoso;2\r").customers == (
        Customer("1", "ACME"),
        Customer("2", "Contoso"),
    )


def test_only_a_header_gives_no_customers() -> None:
    result = parse("Kundennummer;Firma;E-Mail\r\n")
    assert result.customers == ()
    assert result.skipped == 0


def test_blank_lines_before_the_header_are_skipped() -> None:
    assert parse("\n  \nFirma\nACME\n").customers == (Customer("line 4", "ACME"),)


# --- messages ----------------------------------------------------------------------------


def test_missing_name_column_names_the_headers_found() -> None:
    message = error_of(b"Kundennummer;Ort;Telefon\n1;Berlin;030\n")
    assert message == (
        "No column of customer names in customers.csv: its headers are Kundennummer, Ort, "
        "Telefon (expected one of organization_name, name, company, Firma, Kunde, Kundenname, "
        "Vorname and Nachname, ...)."
    )


def test_missing_name_column_shortens_many_and_odd_headers() -> None:
    header = ",".join([f"col{n}" for n in range(30)] + ["x" * 500, "\x1b[31m"])
    message = error_of(header.encode() + b"\n")
    assert "col11 and 20 more" in message
    assert "x" * 100 not in message
    assert "\x1b" not in message


@pytest.mark.parametrize("data", [b"", b"\n\r\n  \n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n"])
def test_empty_file(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "kunden.csv"
    path.write_bytes(data)
    with pytest.raises(CustomersError) as caught:
        read_customers(path)
    assert caught.value.message == f"{path} is empty."


def test_a_quote_never_closed_names_the_line_it_opens() -> None:
    assert error_of(b'Firma\nACME\n"Contoso\nNorthwind\n') == (
        "customers.csv, line 3: a quote opened in this row is never closed."
    )


def test_text_after_a_closing_quote_names_the_line() -> None:
    message = error_of(b'Firma\nACME\n"Contoso" Ltd\n')
    assert message.startswith("customers.csv, line 3: text follows a closing quote")


def test_a_byte_neither_utf8_nor_cp1252_names_the_line() -> None:
    assert error_of(b"Firma\nACME\nM\x81ller\n") == (
        "customers.csv, line 3: byte 0x81 is neither UTF-8 nor cp1252 text."
    )


def test_mixed_encodings_name_the_line() -> None:
    data = "Firma\nMüller\n".encode() + "Söhne\n".encode("cp1252")
    message = error_of(data)
    assert message.startswith("customers.csv, line 3: byte 0xF6 is not UTF-8")


def test_a_field_too_long_names_the_line_and_column() -> None:
    message = error_of(b"Kundennummer;Firma\n1;ACME\n2;" + b"x" * 1001 + b"\n")
    assert message == "customers.csv, line 3: the Firma field is longer than 1,000 characters."


def test_a_long_column_not_kept_is_no_error() -> None:
    result = parse("Firma;Notiz\nACME;" + "n" * 50_000 + "\n")
    assert result.customers == (Customer("line 2", "ACME"),)


def test_a_row_running_on_is_refused() -> None:
    data = b'Firma\n"' + b"x" * 100 + b"\n" + b"y\n" * 600_000
    message = error_of(data)
    assert message.startswith("customers.csv, line ")
    assert "never closed?" in message or "longer than" in message


def test_a_line_without_end_is_refused() -> None:
    assert error_of(b"Firma\n" + b"x" * (2 * 1024 * 1024)) == (
        "customers.csv, line 2: the line is longer than 1 MB."
    )


def test_too_many_customers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(customers_csv, "MAX_CUSTOMERS", 3)
    assert len(parse("Firma\nA\nB\nC\n").customers) == 3
    assert error_of(b"Firma\nA\nB\nC\nD\n") == (
        "customers.csv, line 5: more than 3 customers, more than this app reads from one file."
    )


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as sparse:
        sparse.truncate(MAX_FILE_BYTES + 1)  # no data written: reading it would find NULs
    with pytest.raises(CustomersError) as caught:
        read_customers(path)
    assert caught.value.message == (
        f"{path} is 104.9 MB, larger than the 100 MB a customer file may be."
    )


def test_files_that_are_not_csv(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    with pytest.raises(CustomersError, match=r"missing\.csv does not exist\.$"):
        read_customers(missing)
    with pytest.raises(CustomersError, match=r"is a folder, not a CSV file\.$"):
        read_customers(tmp_path)
    assert error_of(b"PK\x03\x04rest of a zip") == (
        "customers.csv is a spreadsheet workbook, not CSV: save it as CSV first."
    )
    assert error_of("Firma\nACME\n".encode("utf-16")) == (
        "customers.csv is UTF-16 text: save it as CSV (UTF-8) and try again."
    )


def test_an_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.csv"
    path.write_bytes(b"Firma\nACME\n")

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)  # as chmod 0 would, also when run as root
    with pytest.raises(CustomersError) as caught:
        read_customers(path)
    assert caught.value.message == f"{path} cannot be read: permission denied."


def test_read_customers_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "kunden.csv"
    path.write_bytes("Kundennummer;Firma\r\n7;Müller\r\n".encode("cp1252"))
    assert read_customers(path) == [Customer("7", "Müller")]
    assert read_customers_csv(path).encoding == "cp1252"


# --- a 50 MB file: bounded memory --------------------------------------------------------


def test_a_50_mb_file_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    note = "Notiz " + "lorem ipsum dolor sit amet " * 24  # ~660 characters not kept
    rows = 0
    with path.open("w", encoding="cp1252", newline="") as out:
        out.write("Kundennummer;Firma;E-Mail;USt-IdNr;Notiz\r\n")
        while out.tell() < 50 * 1024 * 1024:
            batch = "".join(
                f"K{n:07d};Müller & Söhne {n} GmbH;kunde{n}@example.com;DE{n:09d};{note}\r\n"
                for n in range(rows, rows + 1000)
            )
            out.write(batch)
            rows += 1000
    size = path.stat().st_size
    assert 50 * 1024 * 1024 <= size < MAX_FILE_BYTES

    tracemalloc.start()
    try:
        result = read_customers_csv(path)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert len(result.customers) == rows
    assert result.customers[-1] == Customer(
        f"K{rows - 1:07d}",
        f"Müller & Söhne {rows - 1} GmbH",
        f"kunde{rows - 1}@example.com",
        f"DE{rows - 1:09d}",
    )
    assert result.encoding == "cp1252"
    # The customers themselves are all that stays, far less than the file; reading adds a
    # bounded amount on top (a chunk, a row, the list's growth: under 1 MB measured), never
    # the file.
    assert kept < size / 2, (kept, size)
    assert peak - kept < 8 * 1024 * 1024, (peak, kept)


# --- properties --------------------------------------------------------------------------


@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_customers_errors(data: bytes) -> None:
    try:
        result = parse_customers(data, "fuzz.csv")
    except CustomersError as error:
        message = error.message
        result = None
    else:
        message = ""
    if result is None:
        assert message.endswith(".")
        assert "\n" not in message
        return
    for customer in result.customers:
        assert customer.name == " ".join(customer.name.split())
        assert customer.name
        assert customer.id


_CSVISH = st.text(alphabet=st.sampled_from('Firma;,\t"\r\n KundeäöüÄ€x1'), max_size=300)


@given(_CSVISH, st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_csv_like_text_raises_only_customers_errors(text: str, encoding: str) -> None:
    with contextlib.suppress(CustomersError):
        parse_customers(text.encode(encoding), "fuzz.csv")


_NAME = st.text(alphabet=st.sampled_from("ab Müller&Söhne,;\t\"'\n\r.-€ß"), max_size=25)
_ID = st.text(alphabet=st.sampled_from("0123456789KX-"), max_size=8)


@given(
    st.lists(st.tuples(_ID, _NAME), max_size=20),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_written_by_a_csv_writer_read_back(
    rows: list[tuple[str, str]], delimiter: str, encoding: str
) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["Kundennummer", "Firma"])
    writer.writerows(rows)
    result = parse_customers(out.getvalue().encode(encoding), "written.csv")
    expected = [(i, " ".join(n.split())) for i, n in rows if n.strip()]
    assert [c.name for c in result.customers] == [name for _, name in expected]
    for customer, (number, _) in zip(result.customers, expected, strict=True):
        assert customer.id == (number or customer.id)
        assert customer.id.startswith("line ") or customer.id == number
    assert result.delimiter == delimiter
