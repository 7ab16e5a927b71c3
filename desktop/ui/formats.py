"""The "Copy as..." formats: bill-to blocks, line formats, JSON, and the user's own templates.

Pure Python (the standard library and the Clockify records, no Qt), so every format can be
tested without a display. A copied item is a record plus the workspace it belongs to (see
`Item`); nothing here raises on a record, whatever its texts hold. Only `Template.parse`
raises, a TemplateError whose message is one sentence for the user.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from desktop.clockify.models import Client, User, Workspace

#: A copied row: the record and the workspace it belongs to (a workspace row: itself twice).
Item = tuple[Workspace | User | Client, Workspace]

#: The fields a template can name, in the order the hint lists them.
FIELDS = ("name", "id", "email", "address", "currency", "note", "workspace", "workspace_id")

#: Bounds of the user's templates (a longer template is refused, see Template.parse).
MAX_TEMPLATE_LENGTH = 2_000
MAX_TEMPLATES = 20
MAX_NAME_LENGTH = 60

#: The QSettings key holding the user's templates (templates_to_json's text).
SETTINGS_KEY = "copy/templates"

#: A stored template list longer than this is not read at all (20 full templates, every
#: character escaped as \\uXXXX, fit in a fifth of it).
_MAX_STORED_LENGTH = 1_000_000
#: A field name quoted in a message is cut to this many characters.
_QUOTE_LIMIT = 40

_LINE_BREAKS = str.maketrans({"\r": "\n"})


def _one_line(text: str | None) -> str:
    """`text` ("" for None) with every line break a space, so it stays on one line.

    Names and e-mails are one-line fields in Clockify, but its API accepts line breaks in
    them; a stray one would otherwise split a row of a line format in two, or leave an
    empty line or a trailing newline in a bill-to block. A CR LF pair is one break.
    """
    if not text:
        return ""
    if "\n" not in text and "\r" not in text:
        return text
    return text.replace("\r\n", "\n").translate(_LINE_BREAKS).replace("\n", " ")


def _address_lines(address: str | None) -> str:
    """The address as stored, its line breaks as "\\n", without line breaks at its end.

    A CR LF pair or a lone CR counts as one line break (the block is joined with "\\n").
    Line breaks at the very end are dropped, so a stored trailing newline leaves no empty
    line in the block; nothing else is stripped: spaces, tabs, empty lines inside and line
    breaks at the start are kept exactly as stored.
    """
    if not address:
        return ""
    return address.replace("\r\n", "\n").translate(_LINE_BREAKS).rstrip("\n")


def bill_to_block(client: Client) -> str:
    """The client's bill-to block: name, address lines, e-mail; joined with "\\n".

    Parts that are None or empty are left out (an address of only line breaks is empty).
    The address keeps its line breaks (see `_address_lines`); a line break in the name or
    the e-mail becomes a space (see `_one_line`). No trailing newline. CC e-mails, the
    currency and the note are not part of the block.
    """
    parts = (_one_line(client.name), _address_lines(client.address), _one_line(client.email))
    return "\n".join(part for part in parts if part)


def bill_to_blocks(clients: Sequence[Client]) -> str:
    """The clients' bill-to blocks, separated by one empty line; "" for no clients.

    A client whose block is empty (no name, address or e-mail) adds no block.
    """
    return "\n\n".join(block for block in map(bill_to_block, clients) if block)


def item_fields(item: Item) -> dict[str, str]:
    """Each of FIELDS' texts for `item`, exactly as stored ("" when absent).

    `workspace` is the workspace's name and `workspace_id` its id; a workspace row's
    `currency` is its default currency; a workspace has no e-mail, address or note, a user
    no address, currency or note.
    """
    record, workspace = item
    fields = dict.fromkeys(FIELDS, "")
    fields["name"] = record.name or ""
    fields["id"] = record.id
    fields["workspace"] = workspace.name or ""
    fields["workspace_id"] = workspace.id
    if isinstance(record, Workspace):
        fields["currency"] = record.currency or ""
    elif isinstance(record, User):
        fields["email"] = record.email or ""
    else:
        fields["email"] = record.email or ""
        fields["address"] = record.address or ""
        fields["currency"] = record.currency or ""
        fields["note"] = record.note or ""
    return fields


def record_json(item: Item) -> dict[str, Any]:
    """The item's full record under Clockify's own names, for JSON; None stays None.

    A client's and a user's record carry their workspace's id and name; a workspace's
    `currencyCode` is its default currency and its `hourlyRate` the rate as the panel
    shows it ("105.00 EUR"), not Clockify's {"amount", "currency"} object.
    """
    record, workspace = item
    if isinstance(record, Workspace):
        return {
            "kind": "workspace",
            "id": record.id,
            "name": record.name,
            "featureSubscriptionType": record.plan,
            "currencyCode": record.currency,
            "hourlyRate": record.hourly_rate,
        }
    if isinstance(record, User):
        return {
            "kind": "user",
            "id": record.id,
            "name": record.name,
            "email": record.email,
            "status": record.status,
            "workspaceId": workspace.id,
            "workspaceName": workspace.name,
        }
    return {
        "kind": "client",
        "id": record.id,
        "name": record.name,
        "archived": record.archived,
        "address": record.address,
        "email": record.email,
        "ccEmails": list(record.cc_emails),
        "currencyCode": record.currency,
        "note": record.note,
        "workspaceId": workspace.id,
        "workspaceName": workspace.name,
    }


def records_json_text(items: Sequence[Item]) -> str:
    """A JSON array of the items' `record_json`, indented by 2, non-ASCII kept as is."""
    import json  # here: json is not needed before the panel's first paint

    return json.dumps([record_json(item) for item in items], ensure_ascii=False, indent=2)


# The built-in formats -------------------------------------------------------------------


def _name_tab_id(item: Item) -> str:
    return f"{_one_line(item[0].name)}\t{item[0].id}"


def _name_paren_id(item: Item) -> str:
    name = _one_line(item[0].name)
    return f"{name} ({item[0].id})" if name else f"({item[0].id})"


def _name_email(item: Item) -> str:
    record = item[0]
    name = _one_line(record.name)
    email = "" if isinstance(record, Workspace) else _one_line(record.email)
    if not email:
        return name
    return f"{name} <{email}>" if name else f"<{email}>"


def _lines(line: Callable[[Item], str]) -> Callable[[Sequence[Item]], str]:
    """A format giving `line` of each item, joined with "\\n" (no trailing newline)."""

    def render(items: Sequence[Item]) -> str:
        return "\n".join(line(item) for item in items)

    return render


def _bill_to(items: Sequence[Item]) -> str:
    """The bill-to blocks of the clients among `items`; others are skipped ("" if none)."""
    return bill_to_blocks([record for record, _ in items if isinstance(record, Client)])


#: The built-in formats in menu order: (label, items -> text). The line formats give one
#: line per item: the name with its line breaks as spaces (see `_one_line`), and
#: - "Name<TAB>ID": name, a tab, the id (an item without a name: a tab and the id);
#: - "Name (ID)": "name (id)", or "(id)" without a name;
#: - "Name <e-mail>": "name <e-mail>", just the name without an e-mail (a workspace has
#:   none), "<e-mail>" without a name.
#: "Bill-to block" gives the clients' blocks (bill_to_blocks); items that are not clients
#: are skipped, and with no client among the items the text is "" (the caller says so
#: rather than copying nothing). "JSON" is records_json_text.
BUILT_IN_FORMATS: list[tuple[str, Callable[[Sequence[Item]], str]]] = [
    ("Name<TAB>ID", _lines(_name_tab_id)),
    ("Name (ID)", _lines(_name_paren_id)),
    ("Name <e-mail>", _lines(_name_email)),
    ("Bill-to block", _bill_to),
    ("JSON", records_json_text),
]


# The user's templates -------------------------------------------------------------------


class TemplateError(ValueError):
    """A template that cannot be used; the message is one sentence for the user."""


def _quote(text: str) -> str:
    """`text` for a message, cut to _QUOTE_LIMIT characters."""
    return text if len(text) <= _QUOTE_LIMIT else text[: _QUOTE_LIMIT - 1] + "\u2026"


def _bad_character(text: str) -> int | None:
    """The index of the first control character (but tab and newline) or lone surrogate."""
    for index, char in enumerate(text):
        if char in "\t\n":
            continue
        if unicodedata.category(char) in ("Cc", "Cs"):
            return index
    return None


def _field_problem(field: str, position: int) -> str | None:
    """Why the placeholder `{field}` at 1-based `position` is refused; None if it is fine."""
    where = f"at position {position}"
    if "!" in field:
        return (
            f'The placeholder {{{_quote(field)}}} {where} has a conversion ("!"); '
            "templates allow only plain field names like {name}."
        )
    if ":" in field:
        return (
            f'The placeholder {{{_quote(field)}}} {where} has a format spec (":"); '
            "templates allow only plain field names like {name}."
        )
    if "." in field or "[" in field or "]" in field:
        return (
            f"The placeholder {{{_quote(field)}}} {where} uses attribute or index access; "
            "templates allow only plain field names like {name}."
        )
    if not field:
        return (
            f'The empty placeholder "{{}}" {where} names no field; '
            "write a field name inside, like {name}."
        )
    if field.isdigit():
        return (
            f"The positional placeholder {{{_quote(field)}}} {where} is not allowed; "
            "use a field name like {name}."
        )
    if field not in FIELDS:
        known = ", ".join("{" + name + "}" for name in FIELDS)
        return f'Unknown field "{_quote(field)}" {where}; the known fields are {known}.'
    return None


def _scan(text: str) -> tuple[tuple[str, str | None], ...]:
    """The template's parts: (literal text, field or None); raises TemplateError.

    `{{` and `}}` are literal braces; `{field}` is a placeholder. Positions in messages
    count characters from 1.
    """
    parts: list[tuple[str, str | None]] = []
    literal: list[str] = []
    index, end = 0, len(text)
    while index < end:
        char = text[index]
        if char == "{":
            if text.startswith("{{", index):
                literal.append("{")
                index += 2
                continue
            close = text.find("}", index + 1)
            opened = text.find("{", index + 1)
            if close == -1 or (opened != -1 and opened < close):
                raise TemplateError(
                    f'The "{{" at position {index + 1} is never closed; '
                    'write "{{" for a literal brace.'
                )
            field = text[index + 1 : close]
            problem = _field_problem(field, index + 1)
            if problem is not None:
                raise TemplateError(problem)
            parts.append(("".join(literal), field))
            literal = []
            index = close + 1
        elif char == "}":
            if text.startswith("}}", index):
                literal.append("}")
                index += 2
                continue
            raise TemplateError(
                f'The "}}" at position {index + 1} has no "{{" before it; '
                'write "}}" for a literal brace.'
            )
        else:
            # Copy the run of ordinary characters up to the next brace in one step.
            stops = [i for i in (text.find("{", index), text.find("}", index)) if i != -1]
            stop = min(stops) if stops else end
            literal.append(text[index:stop])
            index = stop
    if literal:
        parts.append(("".join(literal), None))
    return tuple(parts)


@dataclass(frozen=True, slots=True)
class Template:
    """A checked user template: `text` as typed and its parts; make one with `parse`.

    `parts` are (literal text, field name or None) pairs; every field is one of FIELDS.
    """

    text: str
    parts: tuple[tuple[str, str | None], ...]

    @classmethod
    def parse(cls, text: str) -> Template:
        """The template of `text`; TemplateError (one sentence for the user) if refused.

        Refused: an empty template or one of only spaces, tabs and newlines; one over
        MAX_TEMPLATE_LENGTH characters; a control character other than tab and newline
        (or a lone surrogate); an unclosed "{" or a lone "}"; and any placeholder but a
        plain field name of FIELDS: "{}", "{0}", "{name.attr}", "{name[0]}", "{name!r}",
        "{name:>10}", an unknown name. Only the first problem is reported.
        """
        if not isinstance(text, str):
            raise TemplateError("The template is not text.")
        if not text.strip():
            raise TemplateError("The template is empty; write some text or a field like {name}.")
        if len(text) > MAX_TEMPLATE_LENGTH:
            raise TemplateError(
                f"The template has {len(text):,} characters; "
                f"at most {MAX_TEMPLATE_LENGTH:,} are allowed."
            )
        bad = _bad_character(text)
        if bad is not None:
            raise TemplateError(
                f"The template has a control character (U+{ord(text[bad]):04X}) at position "
                f"{bad + 1}; only tab and newline are allowed."
            )
        return cls(text, _scan(text))

    def render(self, item: Item) -> str:
        """The template filled in with `item`'s fields (see item_fields); never raises."""
        fields = item_fields(item)
        return "".join(
            literal + (fields.get(field, "") if field else "") for literal, field in self.parts
        )


def render_template(template: Template, items: Sequence[Item]) -> str:
    """The template rendered for each item, joined with "\\n" (no trailing newline)."""
    return "\n".join(template.render(item) for item in items)


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a template (one sentence), or None if it can.

    A name is needed, of at most MAX_NAME_LENGTH characters, with no control character.
    Whether another template has the same name is the caller's to check.
    """
    if not name.strip():
        return "The template needs a name."
    if len(name) > MAX_NAME_LENGTH:
        return f"The name has {len(name)} characters; at most {MAX_NAME_LENGTH} are allowed."
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in name):
        return "The name has a control character."
    return None


def same_name(first: str, second: str) -> bool:
    """Whether two template names count as the same (case and outer spaces ignored)."""
    return first.strip().casefold() == second.strip().casefold()


def templates_from_json(text: object) -> list[tuple[str, str]]:
    """The (name, template) pairs stored as `text`; never raises, whatever `text` is.

    `text` is what QSettings gave for SETTINGS_KEY: a JSON list of {"name", "template"}
    objects. Anything else gives []. An entry is skipped when it is not such an object,
    its name is refused by `name_problem` or repeats an earlier name (see `same_name`), or
    its template is refused by Template.parse. At most MAX_TEMPLATES entries are kept (the
    first ones that pass); a text over a million characters is not read.
    """
    if not isinstance(text, str) or len(text) > _MAX_STORED_LENGTH:
        return []
    import json

    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return []
    if not isinstance(data, list):
        return []
    kept: list[tuple[str, str]] = []
    for entry in data:
        if len(kept) >= MAX_TEMPLATES:
            break
        if not isinstance(entry, dict):
            continue
        name, template = entry.get("name"), entry.get("template")
        if not isinstance(name, str) or not isinstance(template, str):
            continue
        if name_problem(name) is not None or any(same_name(name, n) for n, _ in kept):
            continue
        try:
            Template.parse(template)
        except TemplateError:
            continue
        kept.append((name, template))
    return kept


def templates_to_json(items: Iterable[tuple[str, str]]) -> str:
    """The text to store under SETTINGS_KEY for the (name, template) pairs, in order.

    Written as given; templates_from_json applies the bounds when it reads them back.
    """
    import json

    return json.dumps(
        [{"name": name, "template": template} for name, template in items], ensure_ascii=False
    )
