"""The filter language: parse once, match many.

Shared by the CLI (``list --filter``, ``export --filter``) and the app (filter as you
type).  A query is an OR of AND-groups of terms::

    stem cell                      every word must occur somewhere
    "stem cell"                    a phrase (words next to each other, in this order)
    author:teske   au:teske        text fields: author, title, journal, doi, pmid,
    title:"two words"              url, abstract, key, note, tag (substring, like plain words)
    year:2015  year:2015..2020     year ranges; open ends ``2015..`` and ``..2010``;
    year:>2018  year:<=2010        comparisons; ``2015-2020`` is read as a range too
    n:16  n:1..10                  the number in its list (same syntax as year)
    status:unread|reading|read     reading state (no state = unread); also queued, skipped
                                   and the reader's own states, by shown or stored name
    prio:1  prio:1..2  prio:none   priority 1-3 (``priority:`` too)
    changed:week  changed:7d       when the status last changed: today, week (since
    changed:2025-01-01..2025-03-31 Monday), month, year, N days/weeks, ISO dates
    type:J  kind:related  lang:zh  exact codes (kind also takes ref/rel/references)
    has:doi has:pmid has:note      has:url, has:pages, has:year, has:tags, has:authors,
                                   has:journal, has:title
    -word  -field:value  -"phr"    exclude
    a or b    a OR b    a | b      either side; ``and`` / ``&`` between terms are no-ops

Matching folds case and accents on both sides (:func:`tui.model.fold`, plus ø/ł/æ/œ
and curly quotes), so ``muller`` finds "Müller".  A word is a plain substring, so
``cell`` matches "cells" and a run of CJK characters ("干细胞") matches inside a
Chinese title without any word segmentation.  Plain words search the bibliographic
fields (authors, title, journal, year, volume, issue, supplement, pages, DOI, PMID,
PII, URL, publisher, place, editors; the string as printed when no title was parsed)
and, when reading state is given, the note and tags.  A phrase never spans two
fields or two authors.  ``pmid:``/``doi:`` are substrings too, so a half-typed
identifier already narrows the list.

Decisions:

* An unknown field name is not a field: ``part:one`` or ``Part I:`` is searched as the
  plain word ``part:one`` / ``i:`` (titles contain colons; a URL ``https://…`` too).  In
  strict mode an alphabetic unknown name followed by a value (``autor:teske``) is an
  error, because it is nearly always a typo; quote it to search it as text.
* Known field names in Chinese are accepted too: 作者, 标题/题名, 期刊, 年/年份.
* :func:`parse` is lenient by default (the app parses every keystroke): an unclosed
  quote runs to the end, and a term it cannot read (``year:abc``, ``status:r``, an empty
  ``author:``, a dangling ``or``) is dropped and explained in ``Query.errors``.  With
  ``strict=True`` the first such problem raises :class:`QueryError` with a one-line
  message, for the CLI.

The language is small enough that a hand-written tokenizer is clearer than a parser
library (papis, for instance, uses pyparsing for a similar job).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from tui import pinyin
from tui.errors import ReadingListError
from tui.model import State, Work, strip_marks

__all__ = ["Index", "Query", "QueryError", "FilterCancelled", "parse", "normalize"]

# Bounds on one filter.  Each term is a pass over the candidate works, so a pasted page
# of text (2,000 terms took 7.3 s over 100,000 works) would otherwise freeze the app
# and the CLI; a real filter is a handful of terms, a pasted title a few hundred
# characters.
MAX_QUERY_CHARS = 1000
MAX_TERMS = 64


class QueryError(ReadingListError):
    """A filter the CLI cannot use: one line, e.g. "bad year range 'abc' in filter"."""


class FilterCancelled(Exception):
    """Raised by Index.filter when its `cancelled` callback says the answer is no longer
    wanted (the app: a newer keystroke)."""


# --------------------------------------------------------------------------------------
# normalisation

# Beyond Unicode decomposition: letters that NFKD does not split, and typographic
# quotes/apostrophes/spaces that people do not type.
_EXTRA = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "«": '"',
        "»": '"',
    }
)
_WS = re.compile(r"\s+")
# control characters (the search text uses \x00-\x02 as separators), replaced by a
# space in data and queries; normalize() then only meets \t \n \r among them
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EXTRA_RE = re.compile("[" + "".join(chr(c) for c in _EXTRA) + "]")


def _extra(m: re.Match[str]) -> str:
    return _EXTRA[ord(m[0])]


def normalize(text: str) -> str:
    """Search form of text: :func:`tui.model.fold` (case and accents), plus a few
    letters NFKD leaves alone (ø ł æ œ), straight quotes, single spaces.

    Written out rather than calling ``fold`` because fold's per-character Python loop
    makes indexing 100,000 works slow: ASCII text only needs lowering, and the
    combining marks are removed by one regular expression.

    >>> normalize("Müller  L")
    'muller l'
    >>> normalize("Sensebé, Føll, Wharton’s")
    "sensebe, foll, wharton's"
    >>> normalize("干细胞治疗")
    '干细胞治疗'
    >>> normalize("ＡＢＣ：１")
    'abc:1'
    """
    if text.isascii():
        text = text.lower()
        # (four scans in C are faster than one regular expression here)
        if "  " in text or "\t" in text or "\n" in text or "\r" in text:
            return " ".join(text.split())
        return text.strip()
    if _EXTRA_RE.search(text):  # (str.translate with a dict is slow on long text)
        text = _EXTRA_RE.sub(_extra, text)
    text = unicodedata.normalize("NFKD", text)
    if not text.isascii():
        text = strip_marks(text)
    # str.split() splits on Unicode whitespace but not on our separators \x00, \x01
    return " ".join(text.casefold().split())


@lru_cache(maxsize=4096)
def _state_text(note: str, tags: tuple[str, ...]) -> str:
    return "\x00".join(normalize(x) for x in (note, *tags))


@lru_cache(maxsize=4096)
def _norm_cached(text: str) -> str:
    return normalize(text)


# --------------------------------------------------------------------------------------
# one work as searchable text

_MISSING = -(10**9)  # year/n of a work without one: never inside any range
_LOW, _HIGH = _MISSING + 1, 10**9
_SEP = "\x00"  # between fields: a phrase never spans two fields
_ASEP = "\x01"  # between authors: nor two names

# the fields at the head of the search text, in this order (then everything else)
_SEGMENTS = ("author", "title", "journal", "doi", "pmid", "url", "abstract")
_SEGMENT_POS = {name: i for i, name in enumerate(_SEGMENTS)}
# non-empty fields for has:, as bits
_FLAG = {
    "doi": 1,
    "pmid": 2,
    "url": 4,
    "pages": 8,
    "year": 16,
    "authors": 32,
    "journal": 64,
    "title": 128,
}
# the same ranges as tui.model.has_cjk, searched in C
_CJK = re.compile(
    "[\u4e00-\u9fff\u3400-\u4dbf\u3040-\u30ff\uac00-\ud7af\U00020000-\U0002a6df\uf900-\ufaff]"
)


class _Row:
    """One work as the query sees it (Index keeps the same values in columns)."""

    __slots__ = ("hay", "key", "year", "n", "kind", "type", "lang", "ident", "flags", "py")

    def __init__(self, hay, key, year, n, kind, type, lang, ident, flags, py) -> None:
        self.hay = hay  # normalised fields in _SEGMENTS order, then the rest, \x00 apart
        self.key = key
        self.year = year
        self.n = n
        self.kind = kind
        self.type = type
        self.lang = lang
        self.ident = ident
        self.flags = flags
        self.py = py  # pinyin keys of author, title, journal, \x00 apart ("" without Han)

    def segment(self, field: str) -> str:
        if field == "key":
            return self.key
        return self.hay.split(_SEP, len(_SEGMENTS))[_SEGMENT_POS[field]]

    def pinyin_hit(self, word: str, field: str) -> bool:
        if not self.py or field not in _PINYIN_POS or not pinyin.could_be_pinyin(word):
            return False
        key = self.py if field == "" else self.py.split(_SEP)[_PINYIN_POS[field]]
        return any(p in key for p in pinyin.patterns(word))


def _lang(work: Work) -> str:
    """lang as given, but "zh" for CJK text left at the default "en" (a .bib entry
    without a language field)."""
    lang = work.lang.lower() if work.lang.isascii() else normalize(work.lang)
    if lang and lang != "en":
        return lang
    if work.title.isascii() and all(a.isascii() for a in work.authors):
        return lang
    if _CJK.search(work.title) or any(_CJK.search(a) for a in work.authors):
        return "zh"
    return lang


# the fields with pinyin keys (see tui.pinyin), in the order of _Row.py; "" = any
_PINYIN_FIELDS = ("author", "title", "journal")
_PINYIN_POS = {"": -1, **{f: i for i, f in enumerate(_PINYIN_FIELDS)}}
# lists shorter than this get their pinyin keys at the first pinyin-like word, unless
# pypinyin is loaded already (tui.session indexes lists of 5,000 and more in a thread)
_PINYIN_NOW = 5000


def _maybe_han(w: Work) -> bool:
    """False for a work whose author, title and journal are ASCII (most English works)."""
    return not (w.title.isascii() and w.journal.isascii() and all(a.isascii() for a in w.authors))


def _pinyin_key(w: Work) -> str:
    """Pinyin search keys of the author, title and journal, \x00 apart; "" when none
    holds Chinese (English works: checked without loading pypinyin)."""
    if not _maybe_han(w):
        return ""
    key = _SEP.join(
        (pinyin.names_key(w.authors), pinyin.field_key(w.title), pinyin.field_key(w.journal))
    )
    return key if key != _SEP * 2 else ""


def _prepare(work: Work, with_pinyin: bool = True) -> tuple:
    """The values of a _Row, its search text not yet normalised (see _row)."""
    w = work
    # author: matches every contributor (editors, translators, directors…), in full
    names = [*w.authors, *w.contributors] if (w.csl or w.editors) else w.authors
    head = (_ASEP.join(names), w.title, w.journal, w.doi, w.pmid, w.url, w.abstract)
    tail = [
        str(w.year) if w.year is not None else "",
        w.volume,
        w.issue,
        w.supplement,
        w.pages,
        w.pii,
        w.publisher,
        w.place,
        *w.editors,
    ]
    if not w.title and w.raw:  # not parsed: search the string as printed
        tail.append(w.raw)
    if not "".join((*w.authors, *head[1:], *tail)).isprintable():  # rare: tabs, NULs…
        head = (
            _ASEP.join(_CONTROL.sub(" ", a).strip() for a in names),
            *(_CONTROL.sub(" ", h) for h in head[1:]),
        )
        tail = [_CONTROL.sub(" ", t) for t in tail]
    # blanks next to a separator are not collapsed by normalize(): strip them here
    text = _SEP.join([h.strip() for h in head] + [t.strip() for t in tail if t])
    flags = (
        (w.doi and 1 or 0)
        | (w.pmid and 2 or 0)
        | (w.url and 4 or 0)
        | (w.pages and 8 or 0)
        | (w.year is not None and 16 or 0)
        | (w.authors and 32 or 0)
        | (w.journal and 64 or 0)
        | (w.title and 128 or 0)
    )
    return (
        text,
        w.key.lower() if w.key.isascii() else normalize(w.key),
        w.year if w.year is not None else _MISSING,
        w.n,
        w.kind,
        w.type.lower() if w.type.isascii() else normalize(w.type),
        _lang(w),
        w.ident,
        flags,
        _pinyin_key(w) if with_pinyin else "",
    )


def _row(work: Work) -> _Row:
    text, *rest = _prepare(work)
    return _Row(normalize(text), *rest)


# --------------------------------------------------------------------------------------
# terms

_TEXT_FIELDS = (*_SEGMENTS, "key")
_STATE_TEXT_FIELDS = ("note", "tag")
_RANGE_FIELDS = ("year", "n")
_EXACT_FIELDS = ("type", "kind", "lang")
FIELDS = (
    *_TEXT_FIELDS,
    *_STATE_TEXT_FIELDS,
    *_RANGE_FIELDS,
    *_EXACT_FIELDS,
    "status",
    "prio",
    "changed",
    "has",
)
_ALIASES = {
    **{f: f for f in FIELDS},
    "au": "author",
    "authors": "author",
    "by": "author",
    "ti": "title",
    "jo": "journal",
    "container": "journal",
    "y": "year",
    "tags": "tag",
    "priority": "prio",
    "作者": "author",
    "标题": "title",
    "题名": "title",
    "期刊": "journal",
    "年": "year",
    "年份": "year",
}
STATUSES = ("unread", "queued", "reading", "read", "skipped")  # = tui.model.ReadStatus


def nearest_field(name: str) -> str:
    """The known field a mistyped `name` most likely meant ("yera" -> "year"), or "".

    difflib's ratio over the field names and their aliases (stdlib: no need for our own
    edit distance); an alias found stands for its field.
    """
    from difflib import get_close_matches

    near = get_close_matches(normalize(name), list(_ALIASES), n=1, cutoff=0.6)
    return _ALIASES[near[0]] if near else ""


_KIND_VALUES = {
    "reference": "reference",
    "references": "reference",
    "ref": "reference",
    "refs": "reference",
    "related": "related",
    "rel": "related",
    "review": "review",
}
HAS_VALUES = (*_FLAG, "note", "tags")
_HAS_ALIASES = {**{h: h for h in HAS_VALUES}, "tag": "tags", "author": "authors"}


@dataclass(frozen=True, slots=True)
class Term:
    """One condition.  ``field`` is "" for a plain word or phrase."""

    field: str
    value: str  # normalised; for ranges the text as written
    negate: bool = False
    quoted: bool = False
    lo: int = 0  # inclusive bounds of year:/n:
    hi: int = 0

    # -- one work -------------------------------------------------------------------
    def test(self, row: _Row, state: State | None) -> bool:
        return self._hit(row, state) != self.negate

    def _hit(self, row: _Row, state: State | None) -> bool:
        f, v = self.field, self.value
        if f == "":
            if v in row.hay or row.pinyin_hit(v, f):
                return True
            return state is not None and v in _state_text(state.note, tuple(state.tags))
        if f in _TEXT_FIELDS:
            return v in row.segment(f) or row.pinyin_hit(v, f)
        if f == "year":
            return self.lo <= row.year <= self.hi
        if f == "n":
            return self.lo <= row.n <= self.hi
        if f == "kind":
            return row.kind == v
        if f == "type":
            return row.type == v
        if f == "lang":
            return row.lang == v
        return self._hit_state(state, row.flags)

    def _hit_state(self, state: State | None, flags: int = 0) -> bool:
        f, v = self.field, self.value
        if f == "status":
            return (state.status if state is not None else "unread") == v
        if f == "prio":
            return self.lo <= (state.priority if state is not None else 0) <= self.hi
        if f == "changed":
            day = _day_of(state.changed) if state is not None else None
            return day is not None and self.lo <= day <= self.hi
        if f == "note":
            return state is not None and v in _norm_cached(state.note)
        if f == "tag":
            return state is not None and any(v in _norm_cached(t) for t in state.tags)
        if f == "has":
            if v == "note":
                return state is not None and bool(state.note.strip())
            if v == "tags":
                return state is not None and bool(state.tags)
            return bool(flags & _FLAG[v])
        raise AssertionError(f)  # pragma: no cover

    # -- many works (Index) -----------------------------------------------------------
    def select(self, ix: Index, cand: range | list[int], ctx: _Ctx) -> list[int]:
        """The indices of cand that satisfy this term (the same answer as `test`)."""
        f, v, neg = self.field, self.value, self.negate
        hay = ix._hay
        if f == "":
            hits = ctx.state_hits(v)
            ids = ix._ident
            py = ix._find_pinyin(v, cand, f)  # Chinese text whose pinyin starts so
            if hits and neg:
                return [i for i in cand if v not in hay[i] and ids[i] not in hits and i not in py]
            if neg:
                if py:
                    return [i for i in cand if v not in hay[i] and i not in py]
                return [i for i in cand if v not in hay[i]]
            found = ix._find(v, cand)
            if hits:  # or a note/tag holds the word
                extra = [i for i in cand if ids[i] in hits]
                if extra:
                    found = sorted(set(found).union(extra))
            if py:
                found = sorted(py.union(found))
            return found
        if f in _TEXT_FIELDS:
            col = ix._key if f == "key" else ix._segment(f)
            py = ix._find_pinyin(v, cand, f)
            if neg:
                if py:
                    return [i for i in cand if v not in col[i] and i not in py]
                return [i for i in cand if v not in col[i]]
            if f != "key":  # the whole text holds the field: search it first, it is fast
                found = [i for i in ix._find(v, cand) if v in col[i]]
            else:
                found = [i for i in cand if v in col[i]]
            if py:
                found = sorted(py.union(found))
            return found
        if f in _RANGE_FIELDS:
            col = ix._year if f == "year" else ix._n
            lo, hi = self.lo, self.hi
            if neg:
                return [i for i in cand if not lo <= col[i] <= hi]
            return [i for i in cand if lo <= col[i] <= hi]
        if f in _EXACT_FIELDS:
            col = ix._exact[f]
            if neg:
                return [i for i in cand if col[i] != v]
            return [i for i in cand if col[i] == v]
        if f == "has" and v in _FLAG:
            col, bit = ix._flags, _FLAG[v]
            if neg:
                return [i for i in cand if not col[i] & bit]
            return [i for i in cand if col[i] & bit]
        # status, note, tag, has:note, has:tags read the state only
        default = self._hit_state(None) != neg  # a work without state
        if not ctx.states:
            return list(cand) if default else []
        # the idents of the states that pass (states are few next to works)
        ids = ix._ident
        passing = ctx.passing(self)
        if default:
            failing = ctx.failing(self)
            if not failing:
                return list(cand)
            return [i for i in cand if ids[i] not in failing]
        return [i for i in cand if ids[i] in passing]

    # -- text -------------------------------------------------------------------------
    def describe(self) -> str:
        f, v = self.field, self.value
        if f == "":
            text = f'"{v}"' if self.quoted or " " in v else v
        elif f in _RANGE_FIELDS or f == "prio":
            text = f"{f} {_describe_range(self.lo, self.hi)}"
        elif f == "has":
            text = f"has {v}"
        else:
            text = f'{f}:"{v}"' if (self.quoted or " " in v) else f"{f}:{v}"
        return f"NOT {text}" if self.negate else text


def _describe_range(lo: int, hi: int) -> str:
    if lo == hi:
        return str(lo)
    if lo == _LOW:
        return f"≤ {hi}"
    if hi == _HIGH:
        return f"≥ {lo}"
    return f"{lo}–{hi}"


class _Ctx:
    """What one Index.filter call computes at most once, from the states."""

    __slots__ = ("states", "_texts", "_hits", "_pass")

    def __init__(self, states: dict[str, State] | None) -> None:
        self.states = states
        self._texts: dict[str, str] | None = None
        self._hits: dict[str, set[str]] = {}
        self._pass: dict[Term, tuple[set[str], set[str]]] = {}

    def state_hits(self, word: str) -> set[str]:
        """Idents whose note or tags contain word (few works have a note)."""
        if not self.states:
            return set()
        if self._texts is None:
            self._texts = {
                ident: _state_text(s.note, tuple(s.tags))
                for ident, s in self.states.items()
                if s.note or s.tags
            }
        hits = self._hits.get(word)
        if hits is None:
            hits = self._hits[word] = {k for k, t in self._texts.items() if word in t}
        return hits

    def _split(self, term: Term) -> tuple[set[str], set[str]]:
        got = self._pass.get(term)
        if got is None:
            yes: set[str] = set()
            no: set[str] = set()
            neg = term.negate
            for ident, s in self.states.items():
                (yes if term._hit_state(s) != neg else no).add(ident)
            got = self._pass[term] = (yes, no)
        return got

    def passing(self, term: Term) -> set[str]:
        return self._split(term)[0]

    def failing(self, term: Term) -> set[str]:
        return self._split(term)[1]


# --------------------------------------------------------------------------------------
# parsing

_TOKEN = re.compile(
    r"""
    (?P<neg>-)?
    (?:(?P<name>[^\s:"]+):)?
    (?:
        "(?P<quoted>[^"]*)(?P<close>"?)
      | (?P<word>\S*)
    )
    """,
    re.VERBOSE,
)
_NUM = r"(\d{1,4})"
_RANGE = re.compile(rf"{_NUM}?\s*(?:\.\.|-|–|—)\s*{_NUM}?")
_CMP = re.compile(rf"(>=|<=|>|<|=|≥|≤){_NUM}")


def _parse_range(value: str) -> tuple[int, int] | None:
    """year:/n: values -> inclusive (lo, hi), or None if unreadable.

    >>> _parse_range("2015")
    (2015, 2015)
    >>> _parse_range("2015..2020")
    (2015, 2020)
    >>> _parse_range("..2010")[1], _parse_range("2015..")[0], _parse_range(">2018")[0]
    (2010, 2015, 2019)
    >>> _parse_range("abc") is None, _parse_range("2020..2015") is None
    (True, True)
    """
    if value.isdigit() and len(value) <= 4:
        return int(value), int(value)
    m = _CMP.fullmatch(value)
    if m:
        op, k = m[1], int(m[2])
        return {
            ">": (k + 1, _HIGH),
            ">=": (k, _HIGH),
            "≥": (k, _HIGH),
            "<": (_LOW, k - 1),
            "<=": (_LOW, k),
            "≤": (_LOW, k),
            "=": (k, k),
        }[op]
    m = _RANGE.fullmatch(value)
    if m and (m[1] or m[2]):
        lo = int(m[1]) if m[1] else _LOW
        hi = int(m[2]) if m[2] else _HIGH
        if lo <= hi:
            return lo, hi
    return None


class Query:
    """A parsed filter: ``groups`` is an OR of AND-groups of :class:`Term`.

    >>> q = parse('author:teske or author:sullivan year:2015..2020')
    >>> q.describe()
    'author:teske OR (author:sullivan AND year 2015–2020)'
    >>> q.matches(Work(authors=["Sullivan KM"], year=2018))
    True
    >>> q.matches(Work(authors=["Sullivan KM"], year=2021))
    False
    >>> parse("").is_empty, parse("  ").matches(Work())
    (True, True)
    """

    __slots__ = ("text", "groups", "errors", "hints")

    def __init__(
        self,
        text: str,
        groups: list[list[Term]],
        errors: list[str] | None = None,
        hints: list[str] | None = None,
    ) -> None:
        self.text = text
        self.groups = groups
        #: what lenient parsing dropped, one line each (for a hint in the app)
        self.errors = errors or []
        #: what lenient parsing kept but was probably a typo: an unknown field name,
        #: searched as text ("unknown field 'yera' — did you mean year:?")
        self.hints = hints or []

    @property
    def is_empty(self) -> bool:
        """True when the query keeps every work (no usable term)."""
        return not self.groups

    def matches(self, work: Work, state: State | None = None) -> bool:
        """Does work (with its reading state; None = unread, no note) match?"""
        if not self.groups:
            return True
        row = _row(work)
        return any(all(t.test(row, state) for t in g) for g in self.groups)

    def describe(self) -> str:
        """Human summary: ``author:teske AND year 2015–2020``."""
        if not self.groups:
            return "everything"
        parts = []
        for g in self.groups:
            text = " AND ".join(t.describe() for t in g)
            parts.append(f"({text})" if len(g) > 1 and len(self.groups) > 1 else text)
        return " OR ".join(parts)

    def __repr__(self) -> str:
        return f"Query({self.text!r})"


def parse(text: str, *, strict: bool = False, statuses: dict[str, str] | None = None) -> Query:
    """Parse a filter.  Lenient by default: never raises, drops what it cannot read.

    >>> parse('title:"stem cell" -morphea').describe()
    'title:"stem cell" AND NOT morphea'
    >>> parse('year:abc').is_empty
    True
    >>> try:
    ...     parse('year:abc', strict=True)
    ... except QueryError as err:
    ...     print(err)
    bad year range 'abc' in filter
    >>> parse('"unclosed phrase').describe()
    '"unclosed phrase"'

    `statuses` maps each state name a reader may type (folded) to its stored name
    (`tui.settings.Settings.lookup`); default: the built-in states.
    """
    errors: list[str] = []
    hints: list[str] = []

    def problem(message: str) -> None:
        if strict:
            raise QueryError(message)
        errors.append(message)

    if len(text) > MAX_QUERY_CHARS:
        # (checked before folding: the work stays bounded however long the text is)
        problem(f"filter too long ({len(text):,} characters; the limit is {MAX_QUERY_CHARS:,})")
        text = text[:MAX_QUERY_CHARS]  # lenient: the app filters by what fits
    # fold the whole query first: fields and values are case/accent-insensitive, and
    # full-width "：" or curly quotes typed with a Chinese input method become ASCII
    s = normalize(_CONTROL.sub(" ", text))
    groups: list[list[Term]] = []
    group: list[Term] = []
    pending_or = False
    terms = 0
    pos = 0
    while pos < len(s):
        if s[pos] == " ":
            pos += 1
            continue
        m = _TOKEN.match(s, pos)
        assert m is not None and m.end() > pos  # the pattern always eats a character
        pos = m.end()
        neg, name, quoted = bool(m["neg"]), m["name"], m["quoted"]
        is_quoted = quoted is not None
        if is_quoted and not m["close"]:
            problem("unclosed quote in filter")
        value = (quoted if is_quoted else m["word"]).strip()
        if not neg and name is None and not is_quoted and value in ("or", "|", "||"):
            if not group:
                problem(f"'{value}' needs a term on both sides in filter")
            else:
                pending_or = True
            continue
        if not neg and name is None and not is_quoted and value in ("and", "&", "&&"):
            continue
        if pending_or:
            groups.append(group)
            group = []
            pending_or = False
        field = _ALIASES.get(name) if name is not None else ""
        if field is None:  # not a field: search "name:value" as a word
            if strict and name.isalpha() and value:
                raise QueryError(
                    f"unknown field '{name}:' in filter (known: {', '.join(FIELDS)};"
                    f' quote "{name}:{value}" to search it as text)'
                )
            if name.isalpha() and value and not value.startswith("/"):  # (not a URL)
                near = nearest_field(name)
                hint = f"unknown field '{name}'" + (
                    f" — did you mean {near}:?" if near else " (searched as text)"
                )
                if hint not in hints:
                    hints.append(hint)
            field, value = "", f"{name}:{value}"
        term = _make_term(field, value, neg, is_quoted, name, problem, statuses)
        if term is None:
            continue
        terms += 1
        if terms > MAX_TERMS:
            message = f"filter too long (more than {MAX_TERMS} terms)"
            if strict:
                raise QueryError(message)
            errors.insert(0, message)  # the first thing the filter bar says
            break
        if term not in group:  # "a a a": the same term again changes nothing
            group.append(term)
    if pending_or:
        problem("'or' needs a term on both sides in filter")
    if group:
        groups.append(group)
    # "a or a": the same group again adds no works (order of terms does not matter)
    unique: list[list[Term]] = []
    seen: set[frozenset[Term]] = set()
    for g in groups:
        if frozenset(g) not in seen:
            seen.add(frozenset(g))
            unique.append(g)
    return Query(text, unique, errors, hints)


def _make_term(field, value, neg, quoted, name, problem, statuses=None) -> Term | None:
    shown = f"{name}:" if name is not None else ""
    if not value:
        if field or neg:
            problem(f"missing value after '{'-' if neg else ''}{shown}' in filter")
        return None
    if field == "" or field in _TEXT_FIELDS or field in _STATE_TEXT_FIELDS:
        if field == "doi":
            value = re.sub(r"^(?:https?://)?(?:dx\.)?doi\.org/|^doi:\s*", "", value)
        return Term(field, value, neg, quoted)
    if field in _RANGE_FIELDS:
        bounds = _parse_range(value.replace(" ", ""))
        if bounds is None:
            what = "year range" if field == "year" else "number"
            problem(f"bad {what} '{value}' in filter")
            return None
        return Term(field, value, neg, quoted, *bounds)
    if field == "status":
        known = statuses if statuses is not None else {s: s for s in STATUSES}
        stored = known.get(" ".join(value.split()))
        if stored is None:
            problem(f"unknown status '{value}' in filter (use {', '.join(known)})")
            return None
        return Term(field, stored, neg)
    if field == "prio":
        bounds = (0, 0) if value in ("none", "0") else _parse_range(value.replace(" ", ""))
        if bounds is None or bounds[0] > 3 or bounds[1] < 0:
            problem(f"bad priority '{value}' in filter (use 1, 2, 3, 1..2 or none)")
            return None
        return Term(field, value, neg, quoted, max(bounds[0], 0), min(bounds[1], 3))
    if field == "changed":
        days = _parse_days(value)
        if days is None:
            problem(
                f"bad date '{value}' in filter (use today, week, month, year, 7d, 2w, "
                f"2025-03-01 or 2025-01-01..2025-03-31)"
            )
            return None
        return Term(field, value, neg, quoted, *days)
    if field == "kind":
        kind = _KIND_VALUES.get(value)
        if kind is None:
            problem(f"unknown kind '{value}' in filter (use reference or related)")
            return None
        return Term(field, kind, neg)
    if field == "has":
        what = _HAS_ALIASES.get(value)
        if what is None:
            problem(f"unknown has:{value} in filter (use {', '.join(HAS_VALUES)})")
            return None
        return Term(field, what, neg)
    return Term(field, value, neg, quoted)  # type, lang: exact codes


_DAYS = re.compile(r"(\d{1,4})\s*([dw])")
_DATE = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")


def _parse_days(value: str) -> tuple[int, int] | None:
    """changed: values -> inclusive (first, last) local dates as ordinals, or None.

    Relative values (today, week, 7d) are read against today when the filter is parsed.
    """
    from datetime import date, timedelta

    today = date.today()
    end = today.toordinal() + 1  # (a mark made just now in UTC may be "tomorrow")
    v = value.replace(" ", "")
    if v == "today":
        return today.toordinal(), end
    if v == "week":
        return (today - timedelta(days=today.weekday())).toordinal(), end
    if v == "month":
        return today.replace(day=1).toordinal(), end
    if v == "year":
        return today.replace(month=1, day=1).toordinal(), end
    m = _DAYS.fullmatch(v)
    if m:
        n = int(m[1]) * (7 if m[2] == "w" else 1)
        return today.toordinal() - max(n - 1, 0), end
    lo_text, dots, hi_text = v.partition("..")
    try:
        if dots:
            lo = _date_bound(lo_text, first=True) if lo_text else 1
            hi = _date_bound(hi_text, first=False) if hi_text else end
        else:
            lo, hi = _date_bound(v, first=True), _date_bound(v, first=False)
    except ValueError:
        return None
    return (lo, hi) if lo <= hi else None


def _date_bound(text: str, *, first: bool) -> int:
    """ "2025-03" -> its first (or last) day; "2025-03-04" -> that day (ValueError else)."""
    from datetime import date

    if not _DATE.fullmatch(text):
        raise ValueError(text)
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        return date(*parts).toordinal()
    y, mo = parts
    if first:
        return date(y, mo, 1).toordinal()
    return date(y + mo // 12, mo % 12 + 1, 1).toordinal() - 1


@lru_cache(maxsize=4096)
def _day_of(stamp: str) -> int | None:
    """The local date (an ordinal) of a state's ISO time stamp; None when there is none."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(stamp).astimezone().date().toordinal()
    except (ValueError, TypeError, OverflowError):
        return None


# --------------------------------------------------------------------------------------
# many works


class Index:
    """Precomputed folded search text per work, for filtering 100,000 works fast.

    Each work becomes one normalised text (its fields, \\x00 apart) and a few values
    (year, n, kind…) once.  A query runs term by term over a shrinking list of
    candidate rows, cheap comparisons first; every term is one list comprehension
    with a C-level substring test or comparison.  The rows found for the last few
    words are remembered, so that typing "ste" after "st" only searches the rows
    that hold "st".

    >>> works = [Work(authors=["Müller L"], year=2021), Work(title="干细胞治疗", year=2015)]
    >>> ix = Index(works)
    >>> ix.filter(parse("muller")), ix.filter(parse("干细胞")), ix.filter(parse("year:..2020"))
    ([0], [1], [1])
    >>> ix.update(1, Work(title="stem cells", year=2019)); ix.filter(parse("cell"))
    [1]
    """

    def __init__(self, works: list[Work]) -> None:
        self._hay: list[str] = []
        self._key: list[str] = []
        self._year: list[int] = []
        self._n: list[int] = []
        self._ident: list[str] = []
        self._flags: list[int] = []
        self._exact: dict[str, list[str]] = {"kind": [], "type": [], "lang": []}
        self._segments: dict[str, list[str]] | None = None  # built on first field query
        # row -> pinyin keys, for the rows with Chinese text only (tui.pinyin)
        self._py: dict[int, str] = {}
        self._py_segments: dict[str, dict[int, str]] = {}
        # A small list is indexed on the app's UI thread, where loading pypinyin (0.5 s)
        # would freeze the screen: its keys wait for the first word that could be
        # pinyin (the filter runs in a thread).  A big list is indexed in a thread: its
        # keys are built now, so that no keystroke waits for them.
        self._py_pending: dict[int, Work] | None = None
        if len(works) < _PINYIN_NOW and not pinyin.loaded():
            self._py_pending = {}
        # word -> all rows whose text contains it, for the last few words searched
        self._words: dict[str, list[int]] = {}
        pending = self._py_pending
        for w in works:
            if pending is not None and _maybe_han(w):
                pending[len(self._hay)] = w
                self._append(_prepare(w, with_pinyin=False))
            else:
                self._append(_prepare(w, with_pinyin=pending is None))

    def _append(self, values: tuple) -> None:
        text, key, year, n, kind, type_, lang, ident, flags, py = values
        if py:
            self._py[len(self._hay)] = py
        self._hay.append(normalize(text))
        self._key.append(key)
        self._year.append(year)
        self._n.append(n)
        self._ident.append(ident)
        self._flags.append(flags)
        self._exact["kind"].append(kind)
        self._exact["type"].append(type_)
        self._exact["lang"].append(lang)

    def __len__(self) -> int:
        return len(self._hay)

    def update(self, i: int, work: Work) -> None:
        """Replace row i with work; ``i == len(index)`` appends it."""
        self._segments = None
        self._words = {}
        self._py_segments = {}
        pending = self._py_pending
        if pending is not None:
            pending.pop(i, None)
            if _maybe_han(work):
                pending[i] = work
        if i == len(self._hay):
            self._append(_prepare(work, with_pinyin=pending is None))
            return
        text, *rest = _prepare(work, with_pinyin=pending is None)
        row = _Row(normalize(text), *rest)
        self._hay[i] = row.hay
        self._key[i] = row.key
        self._year[i] = row.year
        self._n[i] = row.n
        self._ident[i] = row.ident
        self._flags[i] = row.flags
        self._exact["kind"][i] = row.kind
        self._exact["type"][i] = row.type
        self._exact["lang"][i] = row.lang
        if row.py:
            self._py[i] = row.py
        else:
            self._py.pop(i, None)

    def filter(
        self,
        query: Query,
        states: dict[str, State] | None = None,
        *,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[int]:
        """Indices of the works that match, in order.

        ``states`` maps :attr:`Work.ident` to its :class:`State`; missing = unread.
        ``cancelled`` is asked before each term (one pass over the candidates): when
        it returns True the filter stops with FilterCancelled.  Calls from several
        threads at once are safe as long as nobody calls `update` meanwhile.
        """
        n = len(self._hay)
        if not query.groups:
            return list(range(n))
        ctx = _Ctx(states)
        results = []
        for group in query.groups:
            cand: range | list[int] = range(n)
            for term in sorted(group, key=_cost):
                if cancelled is not None and cancelled():
                    raise FilterCancelled
                cand = term.select(self, cand, ctx)
                if not cand:
                    break
            results.append(cand)
        if len(results) == 1:
            return list(results[0])
        merged: set[int] = set()
        for r in results:
            merged.update(r)
        return sorted(merged)

    # -- helpers of Term.select ---------------------------------------------------------
    def _find(self, word: str, cand: range | list[int]) -> list[int]:
        """The rows of cand whose text contains word."""
        hay = self._hay
        if not isinstance(cand, range) or len(cand) < 2000:
            return [i for i in cand if word in hay[i]]
        # typing "s", "st", "ste": the rows holding "ste" are among those holding "st"
        cache = self._words
        out = cache.pop(word, None)
        if out is None:
            best = None
            # (a copy of the items: a filter in another thread may change the cache;
            # every step here tolerates that, at worst something is searched again)
            for known, rows in list(cache.items()):
                if known in word and (best is None or len(rows) < len(best)):
                    best = rows
            if best is None:
                out = self._search(word)
            else:
                out = [i for i in best if word in hay[i]]
        cache[word] = out  # (the lists are never changed: callers build new ones)
        while len(cache) > 32:
            try:
                cache.pop(next(iter(cache)), None)
            except (StopIteration, RuntimeError):  # emptied or changed meanwhile
                break
        if len(cand) != len(hay):  # a range, but not all rows (never, in practice)
            out = [i for i in out if i in cand]
        return out

    def _find_pinyin(self, word: str, cand: range | list[int], field: str) -> set[int]:
        """The rows of cand whose Chinese text (in field; "" any of author, title,
        journal) a word typed as pinyin finds; see tui.pinyin.

        Only the rows with Chinese text are tested, each a few substring tests, so a
        library of English works pays one dict lookup per query.
        """
        if field not in _PINYIN_POS or not pinyin.could_be_pinyin(word):
            return set()
        if self._py_pending:
            self._build_pinyin()
        if not self._py:
            return set()
        pats = pinyin.patterns(word)
        if not pats:
            return set()
        keys = self._py if field == "" else self._py_segment(field)
        if isinstance(cand, range) and len(cand) == len(self._hay):
            items = list(keys.items())
        else:
            items = [(i, keys[i]) for i in cand if i in keys]
        hits: set[int] = set()
        for p in pats:
            hits.update([i for i, k in items if p in k])
        return hits

    def _build_pinyin(self) -> None:
        """The pinyin keys of the rows that wait for them (see __init__)."""
        pending = self._py_pending or {}
        for i, w in list(pending.items()):
            key = _pinyin_key(w)
            if key:
                self._py[i] = key
        self._py_segments = {}
        self._py_pending = None

    def _py_segment(self, field: str) -> dict[int, str]:
        seg = self._py_segments.get(field)
        if seg is None:
            pos = _PINYIN_POS[field]
            seg = {i: k.split(_SEP)[pos] for i, k in self._py.items()}
            self._py_segments[field] = seg
        return seg

    def _search(self, word: str) -> list[int]:
        """All rows whose text contains word.

        (Searching one long string of all the texts with str.find and jumping from hit
        to hit was tried: barely faster for rare words, slower for common ones, and
        the string costs time to build and as much memory again.)
        """
        return [i for i, h in enumerate(self._hay) if word in h]

    def _segment(self, field: str) -> list[str]:
        if self._segments is None:
            cols: list[list[str]] = [[] for _ in _SEGMENTS]
            appends = [c.append for c in cols]
            k = len(_SEGMENTS)
            for h in self._hay:
                parts = h.split(_SEP, k)
                for j in range(k):
                    appends[j](parts[j])
            self._segments = dict(zip(_SEGMENTS, cols, strict=True))
        return self._segments[field]


def _cost(term: Term) -> int:
    """Order of evaluation inside an AND-group: cheap first, then selective.

    Comparing an int or a short code costs a tenth of a substring search, so the
    year/n/kind/type/lang/has: terms run first and the words search fewer rows.
    """
    f = term.field
    if f in _RANGE_FIELDS or f in _EXACT_FIELDS or (f == "has" and term.value in _FLAG):
        return 0
    if term.negate:
        return 50
    if f == "" or f in _TEXT_FIELDS:
        return 20 - min(len(term.value), 8)  # longer words first: fewer survivors
    return 30  # state terms: a set lookup per row
