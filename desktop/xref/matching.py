"""Clockify clients matched to docs101 customers by name (no Qt, no I/O).

`normalise` turns a company name into a canonical form: equal forms are a `match`.
Otherwise each client's best candidate is scored with a token-based rapidfuzz scorer and
is `similar` at or above `THRESHOLD`, else the client is `missing`. docs/xref-matching.md
explains the steps, the scorer and how `THRESHOLD` was measured on tests/data/.

The normalisation, in order:

1. Unicode NFC, then `casefold` (so ``ß`` and ``ẞ`` become ``ss``).
2. German letters folded as German writes them without umlauts: ``ä ö ü`` to
   ``ae oe ue`` (before any accent is dropped, so "Müller" equals "Mueller").
3. Every other accent dropped (NFKD without combining marks; letters NFKD does not
   decompose, such as ``ø ł đ``, by cleanco's table).
4. Dotted abbreviations joined: ``e.K.`` to ``ek``, ``S.A.`` to ``sa``, ``B.V.`` to ``bv``.
5. Apostrophes dropped ("McDonald's" equals "McDonalds"); ``&`` and ``+`` are words.
6. Every other character that is not a letter or digit becomes a space; words split.
7. ``&``, ``+``, ``and`` and ``und`` become the one word ``und``.
8. Trailing legal forms removed, repeatedly ("GmbH & Co. KG", "UG (haftungsbeschränkt)",
   "Ltd", "Inc.", "S.A.", ...): cleanco's list of terms, normalised by these same steps,
   plus the German forms it lacks (UG, e.K., mbH, ...). Only at the end of the name,
   never the whole name: "AG Software GmbH" keeps its "ag", "GmbH" stays "gmbh".
9. A leading article dropped ("The", "Der", "Die", "Das") when other words remain.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Final, Literal

from cleanco.clean import get_unique_terms
from cleanco.non_nfkd_map import NON_NFKD_MAP
from rapidfuzz import fuzz, process

Status = Literal["match", "similar", "missing"]

#: The score (0-100) from which a best candidate is `similar`: measured on
#: tests/data/company_pairs.csv by `python -m benchmarks.xref --threshold-table`.
THRESHOLD: Final = 97.0

#: A candidate whose words are a strict subset of the other name's (or the reverse),
#: the extra words meaningful ("Müller" and "Müller Bau"), scores at most this.
SUBSET_CAP: Final = 60.0

#: Names whose numbers differ ("Filiale 1", "Filiale 2") score at most this.
NUMBER_CAP: Final = 60.0

#: Names equal but for spaces and fillers ("MüllerBau", "Müller Bau") score this.
COMPACT_SCORE: Final = 99.0

#: Names with the same words after a light stemming ("Traders", "Trading") score this.
STEM_SCORE: Final = 98.0

#: Any other pair of names scores at most this, below the two rules above.
FUZZY_CEILING: Final = 97.9

#: Words that carry no identity, left out when scoring ("Baker & McKenzie" is "Baker
#: McKenzie"); a leading article is also dropped by `normalise`.
FILLER: Final = frozenset({"und", "the", "der", "die", "das"})
_ARTICLES: Final = frozenset({"the", "der", "die", "das"})

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_ABBREVIATION = re.compile(r"(?<!\w)[^\W\d_](?:\.[^\W\d_])+(?!\w)\.?")
_APOSTROPHES = re.compile("['\u2019\u2018`\u00b4]")
_NOT_WORD = re.compile(r"[\W_]+")
_AND = frozenset({"und", "and"})

#: Legal forms cleanco does not list (German ones mostly), before normalising.
_EXTRA_LEGAL_FORMS: Final = (
    "UG",
    "UG (haftungsbeschränkt)",
    "haftungsbeschränkt",
    "e.K.",
    "e.Kfm.",
    "e.Kfr.",
    "mbH",
    "gGmbH",
    "GmbH & Co.",
    "AG & Co. KG",
    "SE & Co. KG",
    "UG & Co. KG",
    "& Co. KG",
    "Co. KG",
    "& Cie.",
    "PartG mbB",
    "Incorporated",
    "Corporation",
    "Limited",
)

#: cleanco terms that are ordinary words or country codes in company names here.
_NOT_LEGAL_FORMS: Final = frozenset({"private", "vat", "uk", "ok", "ae", "oe", "at", "et"})


def _fold(text: str) -> str:
    """Steps 1-3: case, German letters, other accents."""
    text = unicodedata.normalize("NFC", text).casefold().translate(_GERMAN)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(
        NON_NFKD_MAP.get(char, char) for char in decomposed if unicodedata.category(char) != "Mn"
    )


def _words(text: str) -> list[str]:
    """Steps 1-7: the name's words, before its legal form is removed."""
    text = _fold(text)
    text = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _APOSTROPHES.sub("", text).replace("&", " und ").replace("+", " und ")
    return ["und" if word in _AND else word for word in _NOT_WORD.split(text) if word]


def _legal_forms() -> dict[str, tuple[tuple[str, ...], ...]]:
    """The legal forms as words, by their last word, the longest first for each."""
    terms: set[str] = {str(term) for term in get_unique_terms()}
    terms.update(_EXTRA_LEGAL_FORMS)
    forms = {tuple(_words(term)) for term in terms}
    by_last: dict[str, list[tuple[str, ...]]] = {}
    for form in sorted(forms, key=lambda form: (-len(form), form)):
        if form and " ".join(form) not in _NOT_LEGAL_FORMS:
            by_last.setdefault(form[-1], []).append(form)
    return {last: tuple(forms) for last, forms in by_last.items()}


_LEGAL_FORMS: Final = _legal_forms()


def _strip_legal_forms(words: list[str]) -> list[str]:
    """Step 8: trailing legal forms removed while at least one other word remains."""
    while True:
        for form in _LEGAL_FORMS.get(words[-1] if words else "", ()):
            size = len(form)
            if len(words) > size and tuple(words[-size:]) == form:
                del words[-size:]
                break
        else:
            return words


def normalise(name: str) -> str:
    """The canonical form of a company name (the steps in this module's docstring)."""
    words = _strip_legal_forms(_words(name))
    if len(words) > 1 and words[0] in _ARTICLES:
        del words[0]
    return " ".join(words)


@lru_cache(maxsize=65_536)
def _stem(word: str) -> str:
    """A light stem for scoring only: "traders" and "trading" both "trad"."""
    for ending in ("ings", "ing", "ers", "er", "es", "s"):
        if len(word) - len(ending) >= 4 and word.endswith(ending):
            return word[: -len(ending)]
    return word


def _meaningful(normalised: str) -> list[str]:
    """The words that carry identity: fillers ("und", articles) left out."""
    return [word for word in normalised.split() if word not in FILLER]


def _scoring_form(normalised: str) -> str:
    """The meaningful words stemmed and sorted (`fuzz.ratio` on two: a token sort ratio)."""
    return " ".join(sorted(_stem(word) for word in _meaningful(normalised)))


def _compact(normalised: str) -> str:
    """The meaningful words run together: "muellerbau" for "mueller bau"."""
    return "".join(_meaningful(normalised))


def score(first: str, second: str) -> float:
    """How alike two normalised names are, 0-100 (the scorer behind `similar`).

    A ladder, so that a kind of likeness always outranks a looser one:

    - 100: equal names (a `match`);
    - `COMPACT_SCORE` (99): equal but for spaces and fillers ("muellerbau" and
      "mueller bau", "baker und mckenzie" and "baker mckenzie");
    - `STEM_SCORE` (98): equal words after a light stemming ("northwind traders" and
      "northwind trading", "blackstone builders" and "blackstone builder");
    - else at most `FUZZY_CEILING` (97.9): the mean of rapidfuzz's token sort ratio on
      the meaningful words and on their stems, capped at `SUBSET_CAP` when one name's
      words are a strict subset of the other's ("mueller" and "mueller bau": the extra
      word makes another company) and at `NUMBER_CAP` when their numbers differ.
    """
    if first == second:
        return 100.0
    compact = _compact(first)
    if compact and compact == _compact(second):
        return COMPACT_SCORE
    stemmed = fuzz.ratio(_scoring_form(first), _scoring_form(second), processor=None)
    return _fuzzy(first, second, stemmed)


def _fuzzy(first: str, second: str, stemmed: float) -> float:
    """The score of two unequal names whose stemmed forms' ratio is `stemmed`."""
    form_1, form_2 = _scoring_form(first), _scoring_form(second)
    if form_1 and form_1 == form_2:
        return STEM_SCORE
    plain = fuzz.ratio(
        " ".join(sorted(_meaningful(first))),
        " ".join(sorted(_meaningful(second))),
        processor=None,
    )
    mean = min((stemmed + plain) / 2, FUZZY_CEILING)
    return round(_capped(first, second, mean), 1)


def _capped(first: str, second: str, raw: float) -> float:
    words_1, words_2 = set(_meaningful(first)), set(_meaningful(second))
    if words_1 != words_2 and (words_1 < words_2 or words_2 < words_1):
        raw = min(raw, SUBSET_CAP)
    numbers_1 = {word for word in words_1 if word.isdigit()}
    numbers_2 = {word for word in words_2 if word.isdigit()}
    if numbers_1 != numbers_2:
        raw = min(raw, NUMBER_CAP)
    return raw


@dataclass(frozen=True)
class Candidate:
    """A docs101 customer: `key` its id as text, `name` its display name."""

    key: str
    name: str


@dataclass(frozen=True)
class Entry:
    """One Clockify client and what it matched; the docs101 fields None when `missing`."""

    clockify_id: str
    clockify_name: str | None
    status: Status
    docs101_id: str | None
    docs101_name: str | None
    score: float | None


@dataclass(frozen=True)
class XrefResult:
    """One entry per Clockify client (input order), and the customers no client matched."""

    entries: tuple[Entry, ...]
    unmatched_customers: tuple[Candidate, ...]


#: How many candidates the fast first pass hands to `score` for each client.
_SHORTLIST = 8


def _keys(normalised: str) -> set[str]:
    """Blocking keys: each word's first and last three letters (fillers left out)."""
    keys: set[str] = set()
    for word in normalised.split():
        if word in FILLER:
            continue
        keys.add("<" + word[:3])
        keys.add(word[-3:] + ">")
    return keys


_NO_POSTINGS: Final[tuple[list[int], list[int]]] = ([], [])


def _length_window(length: int, cutoff: float) -> tuple[float, float]:
    """The lengths a string may have to reach `fuzz.ratio` >= `cutoff` with one this long.

    The ratio is 100 * (1 - indel / (a + b)) and the indel distance is at least |a - b|,
    so with f = 1 - cutoff / 100: a * (1 - f) / (1 + f) <= b <= a * (1 + f) / (1 - f).
    """
    slack = 1 - cutoff / 100
    if slack >= 1:
        return 0, float("inf")
    return length * (1 - slack) / (1 + slack) - 1e-6, length * (1 + slack) / (1 - slack) + 1e-6


def cross_reference(
    clients: Sequence[tuple[str, str | None]],
    customers: Sequence[Candidate],
    *,
    threshold: float = THRESHOLD,
) -> XrefResult:
    """Each Clockify client `(id, name)` matched to the best docs101 customer.

    `match` when the normalised names are equal (score 100; the first such customer);
    else `similar` with the best `score` if it is at least `threshold`; else (and for a
    missing or empty name) `missing`. The customers referenced by no `match` or
    `similar` entry are `unmatched_customers`, in their input order.

    Only customers sharing a word's first or last three letters with the client are
    scored (an index built once), so 5,000 by 5,000 names take well under a second.
    """
    index = _Index(customers)
    used: set[int] = set()
    entries: list[Entry] = []
    for clockify_id, clockify_name in clients:
        found = index.best(clockify_name or "", threshold)
        if found is None:
            entries.append(Entry(clockify_id, clockify_name, "missing", None, None, None))
            continue
        position, status, value = found
        used.add(position)
        customer = customers[position]
        entries.append(
            Entry(clockify_id, clockify_name, status, customer.key, customer.name, value)
        )
    unmatched = tuple(c for position, c in enumerate(customers) if position not in used)
    return XrefResult(tuple(entries), unmatched)


class _Index:
    """The customers' names normalised once, with lookups for exact and fuzzy matches."""

    def __init__(self, customers: Sequence[Candidate]) -> None:
        self.normalised = [normalise(customer.name) for customer in customers]
        self.exact: dict[str, int] = {}
        self.compact: dict[str, int] = {}
        self.forms: list[str] = [""] * len(customers)
        postings: dict[str, list[tuple[int, int]]] = {}
        for position, name in enumerate(self.normalised):
            if not name:
                continue
            self.exact.setdefault(name, position)
            compact = _compact(name)
            if compact:
                self.compact.setdefault(compact, position)
            form = self.forms[position] = _scoring_form(name)
            for key in _keys(name):
                postings.setdefault(key, []).append((len(form), position))
        # Each key's customers by the length of their scoring form, for a length window.
        self.keys: dict[str, tuple[list[int], list[int]]] = {}
        for key, entries in postings.items():
            entries.sort()
            self.keys[key] = ([length for length, _ in entries], [p for _, p in entries])

    def best(self, name: str, threshold: float) -> tuple[int, Status, float] | None:
        """The best customer for a client's name: its position, status and score."""
        query = normalise(name)
        if not query:
            return None
        position = self.exact.get(query)
        if position is not None:
            return position, "match", 100.0
        position = self.compact.get(_compact(query))
        if position is not None and threshold <= COMPACT_SCORE:
            return position, "similar", COMPACT_SCORE
        # A fuzzy score is at most the mean of the stemmed ratio and one at most 100, so
        # a stemmed ratio below 2 * threshold - 100 cannot reach the threshold (and
        # names equal after stemming have a stemmed ratio of 100).
        cutoff = max(0.0, 2 * threshold - 100)
        form = _scoring_form(query)
        shortest, longest = _length_window(len(form), cutoff)
        candidates: set[int] = set()
        for key in _keys(query):
            lengths, positions = self.keys.get(key, _NO_POSTINGS)
            start = bisect_left(lengths, shortest)
            candidates.update(positions[start : bisect_right(lengths, longest, start)])
        if not candidates:
            return None
        ordered = sorted(candidates)  # ties go to the first customer
        # itemgetter of several positions gives their forms as a tuple, in C.
        choices = itemgetter(*ordered)(self.forms) if len(ordered) > 1 else [self.forms[ordered[0]]]
        shortlist = process.extract(
            form,
            choices,
            scorer=fuzz.ratio,
            processor=None,
            score_cutoff=cutoff,
            limit=_SHORTLIST,
        )
        best: tuple[int, Status, float] | None = None
        for _choice, stemmed, at in shortlist:
            position = ordered[at]
            value = _fuzzy(query, self.normalised[position], stemmed)
            if value < threshold:
                continue
            if best is None or value > best[2] or (value == best[2] and position < best[0]):
                best = (position, "similar", value)
        return best
