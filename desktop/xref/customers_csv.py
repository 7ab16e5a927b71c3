"""Customers from a CSV file, as docs101 or a spreadsheet exports them.

The column of names is recognised by its header (English or German, case, spaces, dashes and
underscores ignored: "Firma", "organization_name", "Kunden-Nr.", "USt-IdNr."); a person row
without an organisation name is named "first last". The delimiter (comma, semicolon, tab) is
guessed from the header line, or taken from Excel's "sep=;" first line; the encoding is UTF-8
(with or without a byte order mark) if every line is, else cp1252 (how German spreadsheets save
"CSV"). The file is read as a stream of lines: memory holds the customers and one row, never the
file. Everything it cannot read ends in a CustomersError whose one sentence names the file and,
where there is one, the line.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from desktop.xref.customers import Customer, CustomersError, customer_name

MAX_FILE_BYTES = 100 * 1024 * 1024
"""Files larger than this are refused before a byte is read."""

MAX_CUSTOMERS = 200_000
"""More customers than this end the reading with a message."""

MAX_FIELD_CHARS = 1_000
"""The longest name, id, e-mail or VAT id read (other columns are not kept)."""

MAX_ROW_BYTES = 1024 * 1024
"""The longest row (a quote never closed would otherwise swallow the rest of the file)."""

DELIMITERS = (",", ";", "\t")

_CHUNK_BYTES = 64 * 1024
_SNIFF_CHARS = 4096
_SHOWN_HEADERS = 12
_SHOWN_CHARS = 40
_BOM = b"\xef\xbb\xbf"

# Header synonyms, each compared after _key() (casefolded, without spaces, dashes, dots and
# underscores), in order of preference: a company column wins over a plain "name" (often the
# contact person's), docs101's "id" over a customer number.
_NAME_HEADERS = (
    "organization_name",
    "organisation_name",
    "organization",
    "organisation",
    "company_name",
    "company",
    "firmenname",
    "firma",
    "unternehmensname",
    "unternehmen",
    "kundenname",
    "customer_name",
    "kunde",
    "name",
)
_FIRST_NAME_HEADERS = ("first_name", "firstname", "given_name", "vorname")
_LAST_NAME_HEADERS = ("last_name", "lastname", "surname", "family_name", "nachname")
_ID_HEADERS = (
    "id",
    "customer_id",
    "customer_number",
    "customer_no",
    "kundennummer",
    "kunden-nr",
    "kundennr",
    "kunden_id",
    "nr",
    "nummer",
    "number",
)
_EMAIL_HEADERS = ("email", "e-mail", "mail", "email_address", "e-mail-adresse")
_VAT_HEADERS = (
    "vat_id",
    "vat",
    "vat_number",
    "vat_no",
    "ust-idnr",
    "ustid",
    "ust-id",
    "umsatzsteuer-id",
    "ust-identifikationsnummer",
)
_EXPECTED = "organization_name, name, company, Firma, Kunde, Kundenname, Vorname and Nachname, ..."


@dataclass(frozen=True, slots=True)
class CustomersCsv:
    """What a CSV file of customers held.

    Attributes:
        customers: in the file's order, each with a name.
        skipped: rows with content but no name (neither an organisation nor a person).
        encoding: "utf-8-sig" (with a byte order mark), "utf-8" or "cp1252".
        delimiter: ",", ";" or a tab.
    """

    customers: tuple[Customer, ...]
    skipped: int
    encoding: str
    delimiter: str


def read_customers(path: Path) -> list[Customer]:
    """The customers in the CSV file at `path` (see `read_customers_csv`)."""
    return list(read_customers_csv(path).customers)


def read_customers_csv(path: Path) -> CustomersCsv:
    """The customers in the CSV file at `path`, with what was skipped and how it was read.

    Raises:
        CustomersError: the file is missing, not a file, empty, over MAX_FILE_BYTES, has no
            column of names, more than MAX_CUSTOMERS customers, or a line it cannot read.
    """
    source = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise CustomersError(f"{source} does not exist.") from None
    except OSError as error:
        raise CustomersError(f"{source} cannot be read: {_reason(error)}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise CustomersError(f"{source} is a folder, not a CSV file.")
    if not stat.S_ISREG(info.st_mode):
        raise CustomersError(f"{source} is not a regular file.")
    _check_size(info.st_size, source)
    try:
        with path.open("rb") as stream:
            return _parse(stream, source)
    except OSError as error:
        raise CustomersError(f"{source} cannot be read: {_reason(error)}.") from None


def parse_customers(data: bytes, source: str) -> CustomersCsv:
    """The customers in `data`, a CSV file's bytes; `source` names it in messages.

    Raises:
        CustomersError: as `read_customers_csv`.
    """
    _check_size(len(data), source)
    return _parse(io.BytesIO(data), source)


def _check_size(size: int, source: str) -> None:
    if size > MAX_FILE_BYTES:
        raise CustomersError(
            f"{source} is {size / 1e6:,.1f} MB, larger than the "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB a customer file may be."
        )
    if size == 0:
        raise CustomersError(f"{source} is empty.")


def _reason(error: OSError) -> str:
    if isinstance(error, PermissionError):
        return "permission denied"
    return (error.strerror or str(error) or type(error).__name__).rstrip(".")


class _Lines:
    """The physical lines of a byte stream, decoded and counted, with the row's size bounded.

    `line` is the number of the last line given out; `row_bytes` counts the bytes since the
    reader last reset it (at the start of each row).
    """

    def __init__(self, stream: BinaryIO, source: str) -> None:
        self._stream = stream
        self._source = source
        self.line = 0
        self.row_bytes = 0
        self.encoding = "utf-8"
        self._utf8_certain = False  # a byte order mark, or a non-ASCII line that was UTF-8

    def __iter__(self) -> Iterator[str]:
        first = self._stream.read(_CHUNK_BYTES)
        total = len(first)
        first = self._check_start(first)
        # Lines end in \n (or \r\n); a file whose first chunk has only \r uses \r (old Mac).
        end = b"\r" if b"\n" not in first and b"\r" in first else b"\n"
        buffer = first
        while True:
            start = 0
            while (stop := buffer.find(end, start)) != -1:
                yield self._decode(buffer[start : stop + 1])
                start = stop + 1
            buffer = buffer[start:]
            if len(buffer) > MAX_ROW_BYTES:
                raise CustomersError(
                    f"{self._source}, line {self.line + 1}: the line is longer than "
                    f"{MAX_ROW_BYTES // (1024 * 1024)} MB."
                )
            chunk = self._stream.read(_CHUNK_BYTES)
            if not chunk:
                break
            total += len(chunk)
            if total > MAX_FILE_BYTES:  # grew since it was measured
                _check_size(total, self._source)
            buffer += chunk
        if buffer:
            yield self._decode(buffer)

    def _check_start(self, first: bytes) -> bytes:
        if first.startswith(_BOM):
            self._utf8_certain = True
            self.encoding = "utf-8-sig"
            return first[len(_BOM) :]
        if first.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise CustomersError(
                f"{self._source} is UTF-16 text: save it as CSV (UTF-8) and try again."
            )
        if first.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            raise CustomersError(
                f"{self._source} is a spreadsheet workbook, not CSV: save it as CSV first."
            )
        return first

    def _decode(self, raw: bytes) -> str:
        self.line += 1
        self.row_bytes += len(raw)
        if self.row_bytes > MAX_ROW_BYTES:
            raise CustomersError(
                f"{self._source}, line {self.line}: the row runs on for more than "
                f"{MAX_ROW_BYTES // (1024 * 1024)} MB (a quote that is never closed?)."
            )
        if self.encoding == "cp1252":
            return self._cp1252(raw)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            if self._utf8_certain:
                raise CustomersError(
                    f"{self._source}, line {self.line}: byte 0x{raw[error.start]:02X} is not "
                    "UTF-8 although the lines before are (the file mixes two encodings)."
                ) from None
            # Every line so far was ASCII, the same in cp1252: the whole file is cp1252.
            self.encoding = "cp1252"
            return self._cp1252(raw)
        if not self._utf8_certain and not raw.isascii():
            self._utf8_certain = True
        return text

    def _cp1252(self, raw: bytes) -> str:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError as error:
            raise CustomersError(
                f"{self._source}, line {self.line}: byte 0x{raw[error.start]:02X} is neither "
                "UTF-8 nor cp1252 text."
            ) from None


def _parse(stream: BinaryIO, source: str) -> CustomersCsv:
    lines = _Lines(stream, source)
    physical = iter(lines)
    first = next((line for line in physical if line.strip()), None)
    if first is None:
        raise CustomersError(f"{source} is empty.")
    hint = _sep_hint(first, source, lines.line)
    delimiter = hint or _delimiter(first)
    rows = physical if hint else itertools.chain([first], physical)
    reader = csv.reader(rows, delimiter=delimiter, quotechar='"', doublequote=True, strict=True)

    header_start = lines.line + 1 if hint else lines.line
    lines.row_bytes = 0
    header = _next_row(reader, lines, source, header_start)
    while header is not None and not any(field.strip() for field in header):
        lines.row_bytes = 0
        header = _next_row(reader, lines, source, lines.line + 1)
    if header is None:
        raise CustomersError(f"{source} is empty.")
    columns = _Columns(header, source)

    customers: list[Customer] = []
    skipped = 0
    while True:
        start = lines.line + 1
        lines.row_bytes = 0
        row = _next_row(reader, lines, source, start)
        if row is None:
            break
        customer = columns.customer(row, start)
        if customer is None:
            if any(field.strip() for field in row):
                skipped += 1
            continue
        if len(customers) >= MAX_CUSTOMERS:
            raise CustomersError(
                f"{source}, line {start}: more than {MAX_CUSTOMERS:,} customers, more than "
                "this app reads from one file."
            )
        customers.append(customer)
    return CustomersCsv(tuple(customers), skipped, lines.encoding, delimiter)


def _sep_hint(line: str, source: str, number: int) -> str | None:
    """The delimiter Excel's optional first line "sep=;" names, None without one."""
    text = line.rstrip("\r\n")
    if not text.lower().startswith("sep=") or len(text) != 5:
        return None
    if text[4] not in DELIMITERS:
        raise CustomersError(
            f"{source}, line {number}: {text!r} names a delimiter other than a comma, a "
            "semicolon or a tab."
        )
    return text[4]


def _delimiter(header: str) -> str:
    """The delimiter of the header line: csv.Sniffer's guess among DELIMITERS, unless another
    appears more often outside quotes (the sniffer prefers a comma among ties)."""
    sample = header[:_SNIFF_CHARS]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except Exception:  # a heuristic: any failure of it falls back to counting
        sniffed = ""
    unquoted = re.sub(r'"[^"]*"', "", sample)
    counts = {candidate: unquoted.count(candidate) for candidate in DELIMITERS}
    most = max(DELIMITERS, key=lambda candidate: counts[candidate])
    if sniffed in DELIMITERS and counts[sniffed] >= counts[most]:
        return sniffed
    return most if counts[most] else ","


def _next_row(
    reader: Iterator[list[str]], lines: _Lines, source: str, start: int
) -> list[str] | None:
    """The next row, None at the end; a csv error as a CustomersError naming the line."""
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as error:
        raise CustomersError(_csv_message(str(error), source, lines.line, start)) from None


def _csv_message(error: str, source: str, line: int, start: int) -> str:
    if "unexpected end of data" in error:
        return f"{source}, line {start}: a quote opened in this row is never closed."
    if "expected after" in error:
        return (
            f"{source}, line {line}: text follows a closing quote (a quote inside a quoted "
            'field is written as two, "").'
        )
    if "field larger than field limit" in error:
        return (
            f"{source}, line {line}: a field is longer than {csv.field_size_limit():,} "
            "characters (a quote that is never closed?)."
        )
    if "new-line character" in error:
        return f"{source}, line {line}: a line break inside a field that is not quoted."
    return f"{source}, line {line}: {error.rstrip('.')}."


def _key(header: str) -> str:
    """A header as the synonyms are compared: casefolded, without spaces, dashes, dots."""
    return re.sub(r"[\W_]+", "", header.casefold())


def _find(keys: dict[str, int], synonyms: tuple[str, ...]) -> int | None:
    for synonym in synonyms:
        index = keys.get(_key(synonym))
        if index is not None:
            return index
    return None


class _Columns:
    """Which column holds what, from the header row; makes a Customer of a row."""

    def __init__(self, header: list[str], source: str) -> None:
        keys: dict[str, int] = {}
        for index, text in enumerate(header):
            keys.setdefault(_key(text), index)
        keys.pop("", None)
        self._header = header
        self._source = source
        self._name = _find(keys, _NAME_HEADERS)
        self._first = _find(keys, _FIRST_NAME_HEADERS)
        self._last = _find(keys, _LAST_NAME_HEADERS)
        self._id = _find(keys, _ID_HEADERS)
        self._email = _find(keys, _EMAIL_HEADERS)
        self._vat = _find(keys, _VAT_HEADERS)
        if self._name is None and self._first is None and self._last is None:
            raise CustomersError(
                f"No column of customer names in {source}: its headers are "
                f"{_shown_headers(header)} (expected one of {_EXPECTED})."
            )

    def customer(self, row: list[str], start: int) -> Customer | None:
        """The customer in `row` (starting at line `start`), None when it has no name."""
        name = customer_name(
            self._field(row, self._name, start),
            self._field(row, self._first, start),
            self._field(row, self._last, start),
        )
        if name is None:
            return None
        return Customer(
            id=self._field(row, self._id, start) or f"line {start}",
            name=name,
            email=self._field(row, self._email, start) or None,
            vat_id=self._field(row, self._vat, start) or None,
        )

    def _field(self, row: list[str], index: int | None, start: int) -> str:
        if index is None or index >= len(row):
            return ""
        value = row[index].strip()
        if len(value) > MAX_FIELD_CHARS:
            raise CustomersError(
                f"{self._source}, line {start}: the {_shown(self._header[index])} field is "
                f"longer than {MAX_FIELD_CHARS:,} characters."
            )
        return value


def _shown_headers(header: list[str]) -> str:
    shown = ", ".join(_shown(text) for text in header[:_SHOWN_HEADERS])
    more = len(header) - _SHOWN_HEADERS
    return f"{shown} and {more:,} more" if more > 0 else shown


def _shown(text: str) -> str:
    """A header fit to quote: control characters escaped, shortened, "" for an empty one."""
    text = text.strip()
    if not text:
        return '""'
    if len(text) > _SHOWN_CHARS:
        text = text[: _SHOWN_CHARS - 3] + "..."
    if not text.isprintable():
        text = text.encode("unicode_escape").decode("ascii")
    return text


__all__ = [
    "DELIMITERS",
    "MAX_CUSTOMERS",
    "MAX_FIELD_CHARS",
    "MAX_FILE_BYTES",
    "MAX_ROW_BYTES",
    "CustomersCsv",
    "parse_customers",
    "read_customers",
    "read_customers_csv",
]
