"""Plain data of readinglist: reviews, works, authors and reading state.

No I/O and no Textual here: every other module (sources, cite, store, query, app,
cli) speaks in these types.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import asdict, dataclass, field, fields
from enum import Enum

from tui.text import LazyPattern

KINDS = ("reference", "related")
KIND_PREFIX = {"reference": "ref", "related": "rel"}
PREFIX_KIND = {v: k for k, v in KIND_PREFIX.items()}


class ReadStatus(str, Enum):
    """The built-in reading states (stored names; a settings file may rename them and add
    more, see `tui.settings`)."""

    UNREAD = "unread"
    QUEUED = "queued"  # to read next, in the queue's order (State.queue)
    READING = "reading"
    READ = "read"
    SKIPPED = "skipped"  # decided not to read

    def __str__(self) -> str:  # "read", not "ReadStatus.READ"
        return self.value


# CJK ideographs, kana and hangul as a regex class (for patterns built on it)
CJK_CLASS = (
    "[\u4e00-\u9fff\u3400-\u4dbf\u3040-\u30ff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002a6df]"
)


def has_cjk(text: str) -> bool:
    """True when text holds CJK ideographs, kana or hangul.

    >>> has_cjk("Müller"), has_cjk("TGF-β"), has_cjk("干细胞"), has_cjk("한국")
    (False, False, True, True)
    """
    # No regex: compiling one over these wide ranges took 4-6 ms (a bitmap of the
    # BMP built in Python), paid by the app's first frame (its rows' bylines).
    # isascii() and max() run in C and settle most text; CJK text ends the scan at
    # its first ideograph. The ranges are CJK_CLASS's.
    if text.isascii() or max(text) < "\u3040":
        return False
    for ch in text:
        if ch >= "\u3040" and (
            "\u4e00" <= ch <= "\u9fff"
            or ch <= "\u30ff"
            or "\u3400" <= ch <= "\u4dbf"
            or "\uac00" <= ch <= "\ud7af"
            or "\uf900" <= ch <= "\ufaff"
            or "\U00020000" <= ch <= "\U0002a6df"
        ):
            return True
    return False


def fold(text: str) -> str:
    """Case- and accent-insensitive form used for searching ("Müller" -> "muller")."""
    if text.isascii():  # nothing to decompose, no marks: most text, at C speed
        return text.casefold()
    text = unicodedata.normalize("NFKD", text)
    if not text.isascii():
        text = strip_marks(text)
    return text.casefold()


def strip_marks(text: str) -> str:
    """`text` without its combining characters (unicodedata.combining != 0), such as
    the accents NFKD splits off; a regex pass, not a Python step per character."""
    bmp, astral = _combining_marks()
    text = bmp.sub("", text)
    if _ASTRAL.search(text):
        text = astral.sub("", text)
    return text


_ASTRAL = LazyPattern("[\U00010000-\U0010ffff]")


@functools.cache
def _combining_marks() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Patterns of every character with unicodedata.combining != 0: those of the Basic
    Multilingual Plane, and those above it.

    Built from this Python's Unicode tables on first use (about 20 ms).  Two patterns,
    because the regex engine tests a class of BMP characters with a table but one
    with astral characters range by range (60 times slower).  No combining character
    lies above U+1FFFF (tests/unit/test_query.py checks that).
    """
    combining = unicodedata.combining
    marks = [chr(c) for c in range(0x20000) if combining(chr(c))]
    bmp = "".join(re.escape(m) for m in marks if m <= "\uffff")
    astral = "".join(re.escape(m) for m in marks if m > "\uffff")
    return re.compile(f"[{bmp}]+"), re.compile(f"[{astral}]+")


# The flat fields of a Work that are views of its record, `csl` (see Work)
FLAT_VIEWS = ("authors", "et_al", "title", "type", "journal", "year", "volume", "issue",
              "supplement", "pages", "doi", "pmid", "url", "accessed", "publisher", "place",
              "edition", "editors", "lang")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Author:
    """One author name split for formatting.

    `literal` is set for names that must never be split or reordered (Chinese,
    Japanese, Korean names and organisations); `family`/`given` otherwise.
    `initials` is the given name as initials without points ("DA" for "De Luca DA").
    """

    family: str = ""
    given: str = ""
    literal: str = ""

    @property
    def is_literal(self) -> bool:
        return bool(self.literal)

    @property
    def initials(self) -> str:
        if not self.given:
            return ""
        # "DA" stays "DA"; "David Andrew" -> "DA"; "Jean-Louis" -> "JL"
        if re.fullmatch(r"[A-Z]{1,4}", self.given):
            return self.given
        parts = re.split(r"[\s.\-]+", self.given)
        return "".join(p[0].upper() for p in parts if p)

    def display(self) -> str:
        if self.literal:
            return self.literal
        return f"{self.family} {self.given}".strip()


_INITIALS = re.compile(r"^(?P<family>.+?)\s+(?P<given>[^\W\d_][^\W\d_\-]{0,3}(?:-[^\W\d_])?)$")

# Words that make a name an organisation, never split into family and given names
_ORG_WORDS = frozenset(
    "organization organisation association society group committee institute institution "
    "council foundation consortium agency collaboration collaborative department ministry "
    "university network federation board commission center centre panel college academy "
    "union office service trust force alliance investigators team unit hospital".split()
)


def _is_org(name: str) -> bool:
    words = [w.strip(".,()").lower() for w in name.split()]
    return len(words) >= 2 and any(w in _ORG_WORDS for w in words)


def parse_author(name: str) -> Author:
    """Split one author name as printed in a reference list.

    >>> parse_author("Teske N")
    Author(family='Teske', given='N', literal='')
    >>> parse_author("De Luca DA")
    Author(family='De Luca', given='DA', literal='')
    >>> parse_author("金诗炜")
    Author(family='', given='', literal='金诗炜')
    >>> parse_author("Smith, John A.")
    Author(family='Smith', given='John A.', literal='')
    >>> parse_author("Lefèvre É")
    Author(family='Lefèvre', given='É', literal='')
    >>> parse_author("World Health Organization")
    Author(family='', given='', literal='World Health Organization')
    """
    name = " ".join(name.split())
    if not name:
        return Author()
    if has_cjk(name):
        return Author(literal=name.replace(" ", "") if _all_cjk(name) else name)
    if "," in name:  # "Family, Given" (BibTeX, RIS, CSL)
        family, _, given = name.partition(",")
        return Author(family=family.strip(), given=given.strip())
    if _is_org(name):  # "World Health Organization", "EBMT Autoimmune Diseases Working Party"
        return Author(literal=name)
    m = _INITIALS.match(name)
    if m and m["given"].isupper():  # Vancouver / GB/T: "Family INITIALS", "Lefèvre É"
        return Author(family=m["family"], given=m["given"])
    parts = name.split(" ")
    if len(parts) == 1:
        return Author(literal=name)
    if parts[0].isupper() and len(parts[0]) > 1 and not parts[-1].isupper():
        # "LIN Ruilian": pinyin with the family name in capitals first
        return Author(family=parts[0].capitalize(), given=" ".join(parts[1:]))
    # "John A. Smith", with particles ("Ludwig van Beethoven")
    i = len(parts) - 1
    while i > 1 and parts[i - 1][:1].islower():
        i -= 1
    return Author(family=" ".join(parts[i:]), given=" ".join(parts[:i]))


def _all_cjk(name: str) -> bool:
    return all(has_cjk(ch) or ch.isspace() for ch in name)


@dataclass(slots=True)
class Work:
    """A reference or related article of a review (or an item of a collection).

    The lossless record is `csl`, a CSL-JSON item (every variable, structured names for
    every role, dates as date-parts; see tui.mapping).  Every importer fills it: BibTeX,
    RIS, CSL-JSON/YAML and the database exports as the source gave it, and a printed
    reference (review page) as far as the string allows (tui.mapping.printed).  What a
    source gives with no CSL variable stays in `extra` under its source name; our own
    fields (`raw`, the printed string; the GB/T `type` code; `pii`; `warnings`; `review`,
    `kind`, `n`, `key`) sit beside it.  Reading state lives apart (see `State`).

    The flat bibliographic fields (FLAT_VIEWS: `authors` as printed, `title`, `journal`,
    `year`, ...) are views of the record, kept as stored projections rather than
    properties computed on each read, because: every reader (the filter over 100,000
    works, the list, GB/T 7714 output, identity via `doi`/`pmid`) reads them in hot loops,
    and computing them from `csl` on each read would cost each start and each keystroke;
    the printed string of a review page is the primary source of its fields (the 58
    shipped works parse field for field as printed, e.g. "04" or "Suppl 1"), and the
    record is made from them, not the other way round; and a few BibTeX/RIS conventions
    set a view from what the record keeps in `extra` (an @collection is GB/T "G", a
    book's `number` shows as its issue).  They are kept in sync in one place: on import,
    where `tui.sources.csljson.views(csl)` is the one function that computes them from a
    record (the CSL-JSON, CSL-YAML and database importers call it; BibTeX, RIS and the
    printed parser give the same values), and tests/unit/test_mapping.py checks, for every
    fixture, that the stored fields equal `views(csl)` except a listed few of those
    `extra` conventions.  Nothing edits a work's fields after import.
    """

    review: str = ""
    kind: str = "reference"  # "reference" | "related"
    n: int = 0  # its number in the list, from 1
    key: str = ""  # citation key, unique within the review ("teske2024recent")
    authors: list[str] = field(default_factory=list)  # as printed: "Teske N", "金诗炜"
    et_al: bool = False  # "et al." / "等" after the listed authors
    title: str = ""
    type: str = "J"  # GB/T 7714 type code: J, M, D, C, R, N, P, S, G, EB, DB, CP, A, Z
    journal: str = ""  # container: journal, book title of a chapter, proceedings
    year: int | None = None
    volume: str = ""
    issue: str = ""
    supplement: str = ""  # "Suppl 1"
    pages: str = ""  # "213-226", "P77", "CD011819", "e91-e104"
    doi: str = ""
    pmid: str = ""
    pii: str = ""  # publisher item identifier printed where a DOI belongs
    url: str = ""
    accessed: str = ""  # access date of an online item, ISO
    medium: str = ""  # "OL" for [J/OL]
    publisher: str = ""
    place: str = ""
    edition: str = ""
    editors: list[str] = field(default_factory=list)
    lang: str = "en"  # "zh", "en", …
    raw: str = ""  # the string exactly as the source printed it
    extra: dict = field(default_factory=dict)  # other source fields (month, isbn, abstract…)
    warnings: list[str] = field(default_factory=list)
    csl: dict = field(default_factory=dict)  # the CSL-JSON item: the lossless record

    @property
    def printed(self) -> str:
        """The reference as the source printed it (stored as `raw`)."""
        return self.raw

    def byline(self) -> str:
        """The authors as a list row or `readinglist list` shows them: "Teske N, Fett N",
        "Sullivan KM et al.", "金诗炜 等"; with no author, the editors who stand in for
        them: "Varga J, Denton CP (eds.)", "牛志明 等编"."""
        names = [a for a in self.authors if a.strip()]
        role = ""
        if not names:
            names = [e for e in self.editors if e.strip()]
            if not names:
                return ""
            if has_cjk(names[0]):
                role = "编"
            else:
                role = " (ed.)" if len(names) == 1 and not self.et_al else " (eds.)"
        cjk = has_cjk(names[0])
        if len(names) <= 2 and not self.et_al:
            return ", ".join(names) + role
        return names[0] + (" 等" if cjk else " et al.") + role

    @property
    def contributors(self) -> list[str]:
        """Everyone named besides the authors (editors, translators, directors…), in full."""
        if not self.csl:
            return list(self.editors)
        from tui.mapping import name_text

        return [
            name_text(n)
            for role, names in self.csl.items()
            if role != "author" and role in _NAME_ROLES and isinstance(names, list)
            for n in names
        ]

    # What online services added, beside the printed fields and never over them:
    # {field: {"value", "source", "url", "date", ...}} (see tui.online); one place, so
    # the record itself stays as the source printed it.
    fetched: dict = field(default_factory=dict)

    def fetched_value(self, name: str, default=""):
        """The value an online service gave for `name` (see `fetched`), or default."""
        entry = self.fetched.get(name) if isinstance(self.fetched, dict) else None
        if isinstance(entry, dict) and entry.get("value") not in (None, "", []):
            return entry["value"]
        return default

    @property
    def abstract(self) -> str:
        """The abstract as the source gave it, else as fetched online."""
        printed = self.extra.get("abstract") if isinstance(self.extra, dict) else None
        if not (isinstance(printed, str) and printed.strip()) and isinstance(self.csl, dict):
            printed = self.csl.get("abstract")
        if isinstance(printed, str) and printed.strip():
            return printed
        value = self.fetched_value("abstract")
        return value if isinstance(value, str) else ""

    @property
    def any_doi(self) -> str:
        """The printed DOI, else one resolved online (the printed `doi` stays empty)."""
        value = self.doi or self.fetched_value("doi")
        return value if isinstance(value, str) else ""

    @property
    def any_pmid(self) -> str:
        value = self.pmid or self.fetched_value("pmid")
        return value if isinstance(value, str) else ""

    @property
    def id(self) -> str:
        """Unique in the database: "<review key>/ref16"."""
        # (local_id written out: an import asks a million times)
        return f"{self.review}/{KIND_PREFIX.get(self.kind, self.kind)}{self.n}"

    @property
    def local_id(self) -> str:
        """Unique within the review: "ref16", "rel3"."""
        return f"{KIND_PREFIX.get(self.kind, self.kind)}{self.n}"

    @property
    def ident(self) -> str:
        """Identity for reading state: the same DOI/PMID in two reviews shares state
        (`work_ident` is the same rule, for a stored document's fields)."""
        if self.doi:
            return "doi:" + self.doi.lower()
        if self.pmid:
            return "pmid:" + self.pmid
        return "id:" + self.id

    @property
    def is_chinese(self) -> bool:
        return self.lang == "zh" or has_cjk(self.title) or any(map(has_cjk, self.authors))

    def author_list(self) -> list[Author]:
        return [parse_author(a) for a in self.authors]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Work:
        names = _WORK_FIELDS
        return cls(**{k: v for k, v in d.items() if k in names})


_WORK_FIELDS = frozenset(f.name for f in fields(Work))


def work_ident(doi: str, pmid: str, work_id: str) -> str:
    """`Work.ident` of a work with this DOI, PMID and id (also read from a stored
    document's fields, without making the Work: see tui.bibcache)."""
    if doi:
        return "doi:" + doi.lower()
    if pmid:
        return "pmid:" + pmid
    return "id:" + work_id


_NAME_ROLES: frozenset = frozenset()  # filled below from tui.mapping (no import cycle)


@dataclass(slots=True)
class Review:
    """A review article (kind "review") or an imported collection (kind "collection")."""

    key: str = ""
    kind: str = "review"  # "review" | "collection"
    title_zh: str = ""
    title_en: str = ""
    authors_zh: list[str] = field(default_factory=list)
    authors_en: list[str] = field(default_factory=list)
    journal_zh: str = ""
    journal_en: str = ""
    year: int | None = None
    volume: str = ""
    issue: str = ""  # as printed: "04"
    pages: str = ""
    doi: str = ""
    received: str = ""  # ISO dates
    online: str = ""
    published: str = ""
    corresponding_author: str = ""
    email: str = ""
    abstract_zh: str = ""
    abstract_en: str = ""
    keywords_zh: list[str] = field(default_factory=list)
    keywords_en: list[str] = field(default_factory=list)
    clc: str = ""  # 中图分类号
    citation_zh: str = ""  # the citation lines as printed
    citation_en: str = ""
    url: str = ""
    source: str = ""  # file name it was imported from
    checksum: str = ""  # sha256 of that file
    warnings: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.title_zh or self.title_en or self.key

    @property
    def short_title(self) -> str:
        return self.title_en or self.title_zh or self.key

    def as_work(self) -> Work:
        """The review itself as a citable item."""
        zh = bool(self.title_zh)
        return Work(
            review=self.key,
            kind="review",
            n=0,
            key=self.key,
            authors=list(self.authors_zh if zh else self.authors_en),
            title=self.title_zh if zh else self.title_en,
            type="J",
            journal=self.journal_zh if zh else self.journal_en,
            year=self.year,
            volume=self.volume,
            issue=self.issue,
            pages=self.pages,
            doi=self.doi,
            lang="zh" if zh else "en",
            raw=self.citation_zh if zh else self.citation_en,
        )

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Review:
        return cls(**{k: v for k, v in d.items() if k in _REVIEW_FIELDS})


_REVIEW_FIELDS = frozenset(f.name for f in fields(Review))


@dataclass(slots=True)
class State:
    """Reading state of one work, kept apart from its bibliographic data."""

    status: str = ReadStatus.UNREAD.value
    changed: str = ""  # ISO timestamp of the last status change
    note: str = ""
    tags: list[str] = field(default_factory=list)
    priority: int = 0  # 1 (highest) to 3, as JabRef's prio1-3; 0 = none
    queue: int = 0  # place in the reading queue (smaller first) while queued; 0 = none

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> State:
        return cls(
            status=d.get("status", "unread"),
            changed=d.get("changed", ""),
            note=d.get("note", ""),
            tags=list(d.get("tags", [])),
            priority=d.get("priority", 0),
            queue=d.get("queue", 0),
        )

    def but(self, **changes) -> State:
        """A copy with `changes` (tags copied, so the copy never shares the list)."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["tags"] = list(self.tags)
        d.update(changes)
        return State(**d)

    @property
    def is_default(self) -> bool:
        return (
            self.status == "unread"
            and not self.note
            and not self.tags
            and not self.priority
            and not self.queue
        )


def _load_roles() -> None:
    global _NAME_ROLES
    from tui.mapping import NAME_VARIABLES

    _NAME_ROLES = frozenset(NAME_VARIABLES)


_load_roles()
