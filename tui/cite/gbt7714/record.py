"""The one place the GB/T formatter reads a work: CSL-JSON variables, whatever the store holds.

The formatter speaks CSL-JSON (structured names per role, `issued`, `publisher-place`,
`number`, `genre`, …).  `read(work)` gives it a `Rec`: from the canonical record
`work.csl` (names, dates, numbers) when the work has one, the flat `Work` fields and
`extra` filling in what CSL has no variable for (holder, scale, CSTR, entrysubtype); a
work read from a printed reference has no `csl` and is read from its flat fields alone.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from tui.cite.names import is_pinyin_name, split_name
from tui.model import Work, has_cjk

# biblatex langid / ISO code -> the two-letter code the rules are keyed on
_LANGS = {
    "english": "en", "american": "en", "british": "en", "canadian": "en", "australian": "en",
    "chinese": "zh", "japanese": "ja", "korean": "ko", "russian": "ru", "french": "fr",
    "german": "de", "ngerman": "de", "portuguese": "pt", "brazilian": "pt", "spanish": "es",
    "italian": "it",
}  # fmt: skip
SHOWN = 4  # names read of a list: GB/T prints three, a fourth means "et al."
_CORP_SUFFIX = {"inc", "inc.", "ltd", "ltd.", "co.", "llc", "gmbh", "plc"}
# words that make a "Family, Given" pair an organisation split by a BibTeX name parser
_ORG = frozenset(
    "association organization organisation society institute institution department "
    "ministry university academy council committee commission office bureau center centre "
    "library congress group agency federation foundation administration ltd inc pty corp "
    "company corporation laboratory museum service press".split()
)
_PARTICLES = frozenset("van von der den de da di du des del della la le ten ter dos das y".split())


@dataclass(slots=True)
class Rec:
    """A work as the GB/T rules see it (CSL-JSON variable names, as plain values)."""

    code: str  # GB/T type code: J, M, C, … DS, PP, CM
    entry: str = ""  # the source's own kind (biblatex entry type, CSL type)
    lang: str = "en"
    author: list[dict] = field(default_factory=list)  # CSL names
    editor: list[dict] = field(default_factory=list)
    translator: list[dict] = field(default_factory=list)
    holder: list[dict] = field(default_factory=list)  # a patent's holder
    et_al: bool = False
    title: str = ""
    raw: str = ""  # the BibTeX entry as written: its braces protect words (`protected`)
    container: str = ""  # container-title: journal, book, proceedings
    container_short: str = ""
    event: str = ""  # event-title (a conference without proceedings)
    volume: str = ""
    issue: str = ""
    supplement: str = ""
    number: str = ""  # of a standard, patent, report, archive item
    page: str = ""
    edition: str = ""
    publisher: str = ""
    place: str = ""
    issued: str = ""  # as the source dates it: "2013-01-12", "1865（清同治四年）", "1984-"
    year: str = ""
    accessed: str = ""
    url: str = ""
    doi: str = ""
    cstr: str = ""
    version: str = ""
    repository: str = ""  # a preprint's server (arXiv, ChinaXiv)
    scale: str = ""
    dimensions: str = ""
    medium: str = ""


def read(work: Work) -> Rec:
    """The record of `work` for the formatter."""
    csl = getattr(work, "csl", None)
    if csl:
        return _from_csl(work, csl)
    return _from_flat(work)


def _from_csl(work: Work, csl: dict) -> Rec:
    """The canonical record: structured names (suffixes, particles), full dates and
    literal years ("1865（清同治四年）") from the CSL item; what CSL has no variable for
    (holder, scale, CSTR, entrysubtype) and the serial's split issue from the flat views."""
    roles = [r for r in ("author", "editor", "translator") if isinstance(csl.get(r), list)]
    rec = _from_flat(work, roles)
    for role in roles:
        setattr(rec, role, [_csl_person(n) for n in csl[role][:SHOWN] if isinstance(n, dict)])
    issued = _date(csl.get("issued"))
    if issued:
        rec.issued = issued
        # the year of a dated item ("2013-09-30"); a range or a literal as written
        dated = _DATED.fullmatch(issued)
        rec.year = dated.group(1) if dated else issued
    rec.accessed = _date(csl.get("accessed")) or rec.accessed
    for var, attr in (("title", "title"), ("volume", "volume"), ("edition", "edition"),
                      ("publisher", "publisher"), ("publisher-place", "place"),
                      ("version", "version"), ("URL", "url"), ("DOI", "doi"),
                      ("container-title-short", "container_short"),
                      ("event-title", "event")):  # fmt: skip
        if csl.get(var):
            setattr(rec, attr, str(csl[var]).strip())
    if csl.get("number") and rec.code not in ("J", "N"):
        rec.number = str(csl["number"]).strip()
    if csl.get("language") and not (work.extra or {}).get("langid"):
        rec.lang = _LANGS.get(str(csl["language"]).lower(), rec.lang)
    return rec


def _csl_person(name: dict) -> dict:
    """A CSL name for GB/T: an organisation that a BibTeX name parser split into parts
    ("American Association" / "for the" / "Advancement of Science") put back together."""
    if name.get("literal"):
        return {"literal": str(name["literal"])}
    family, given = str(name.get("family", "")), str(name.get("given", ""))
    particle = str(name.get("non-dropping-particle", "") or name.get("dropping-particle", ""))
    if particle.isspace():  # a von-part of blanks is none
        particle = ""
    if given.lower() in _CORP_SUFFIX:  # "Online Computer Library Center, Inc."
        return {"literal": f"{family}, {given}"}
    if particle and (particle.split()[0] not in _PARTICLES) or _organisation(family, given):
        return {"literal": " ".join(x for x in (given, particle, family) if x)}
    out = {"family": family, "given": given}
    if particle:
        out["non-dropping-particle"] = particle
    if name.get("suffix"):
        out["suffix"] = str(name["suffix"]).rstrip(".")
    return out


def _date(value) -> str:
    """A CSL date as GB/T prints it: '2013-01-12', '2013', '1957-1990', or its literal."""
    if not isinstance(value, dict):
        return str(value or "").strip()
    if value.get("literal"):
        return str(value["literal"]).strip()
    if value.get("raw"):  # EDTF "1979/" (still running) -> "1979-", as GB/T prints it
        return str(value["raw"]).strip().replace("/", "-")
    parts = value.get("date-parts") or []
    shown = [
        "-".join(f"{int(p):02d}" if i else str(p) for i, p in enumerate(d)) for d in parts if d
    ]
    return "-".join(shown)


_DATED = re.compile(r"(\d{4})-\d\d(?:-\d\d)?")


def _from_flat(work: Work, from_record: list[str] | tuple[str, ...] = ()) -> Rec:
    """`from_record`: the roles the caller takes from the CSL record; their flat names are
    not read (unless the entry lists name suffixes: handed out in order, authors first)."""
    x = work.extra or {}
    entry = str(x.get("entry_type", ""))
    lang = _lang(work, x)
    suffixes = [list(p) for p in x.get("name_suffixes") or []]
    skip = () if suffixes else from_record
    # GB/T prints three names: the first four tell whether "et al." follows
    authors: list[dict] = []
    editors: list[dict] = []
    translators: list[dict] = []
    if "author" not in skip:
        authors = _names((x.get("authors_full") or work.authors)[:SHOWN], suffixes)
    if "editor" not in skip:
        editors = _names((x.get("editors_full") or work.editors)[:SHOWN], suffixes)
    if "translator" not in from_record:
        translators = _names(_and_list(x.get("translator", ""))[:SHOWN])
    year_text = str(x.get("year_text") or "")
    issued = str(x.get("date") or year_text or (work.year or ""))
    year = year_text or (str(work.year) if work.year else "")
    serial = work.type in ("J", "N")
    rec = Rec(
        code=_code(work, x),
        entry=entry,
        lang=lang,
        author=authors,
        editor=editors,
        translator=translators,
        holder=_names(_and_list(x.get("holder", ""))[:SHOWN]),
        et_al=work.et_al,
        title=work.title.strip(),
        raw=work.raw if work.raw.startswith("@") else "",
        container=work.journal.strip(),
        container_short=str(x.get("shortjournal", "")).strip(),
        event=str(x.get("eventtitle", "")).strip(),
        volume=work.volume.strip(),
        issue=work.issue.strip() if serial else "",
        supplement=work.supplement.strip(),
        number="" if serial else " ".join(p for p in (work.issue, work.supplement) if p),
        page=work.pages.strip() or str(x.get("eid", "")).strip(),
        edition=work.edition.strip(),
        publisher=work.publisher.strip(),
        place=work.place.strip() or str(x.get("location", "")).strip(),
        issued=issued,
        year=year,
        accessed=work.accessed.strip(),
        url=work.url.strip(),
        doi=work.doi.strip(),
        cstr=str(x.get("cstr", "")).strip(),
        version=str(x.get("version", "")).strip(),
        repository=str(x.get("eprinttype", "") or x.get("repository", "")).strip(),
        scale=str(x.get("scale", "")).strip(),
        dimensions=str(x.get("dimensions", "")).strip(),
        medium=work.medium,
    )
    return rec


def _lang(work: Work, x: dict) -> str:
    raw = str(x.get("langid") or work.lang or "").strip().lower()
    lang = _LANGS.get(raw, raw[:2] if raw else "en")
    if lang == "en" and has_cjk(work.title) and not x.get("langid"):
        return "zh"
    return lang


def _code(work: Work, x: dict) -> str:
    """The GB/T type code, with what biblatex says in entrysubtype/pubstate/eprinttype."""
    code = (work.type or "J").upper().partition("/")[0]
    sub = str(x.get("entrysubtype", "")).strip().lower()
    entry = str(x.get("entry_type", ""))
    if sub == "map":
        return "CM"
    if sub == "preprint" or str(x.get("pubstate", "")).lower() in ("preprint", "prepublished"):
        return "PP"
    if entry == "periodical":
        return "J"
    if entry == "collection" and code == "G":
        return "G"
    return code


def _and_list(value) -> list[str]:
    if isinstance(value, list):
        return value
    text = " ".join(str(value or "").split())
    return [p for p in re.split(r"\s+and\s+", text) if p] if text else []


def _names(names: list[str], suffixes: list | None = None) -> list[dict]:
    """'Family, Given' / 'Family GI' / '金诗炜' -> CSL names; `suffixes` [[full name, "Jr"]]
    in list order (consumed: a father and son may share a name)."""
    out = []
    for raw in names:
        items = _one_name(str(raw))
        if not items:
            continue
        name = dict(items)
        for pair in suffixes or []:
            if pair[0] == raw:
                name["suffix"] = pair[1]
                suffixes.remove(pair)
                break
        out.append(name)
    return out


@functools.lru_cache(maxsize=65536)  # a library names the same people again and again
def _one_name(raw: str) -> tuple:
    name = " ".join(raw.split()).strip(" ,;")
    if not name:
        return ()
    if has_cjk(name):
        return (("literal", name),)
    if is_pinyin_name(name):  # "LIN Ruilian": printed pinyin, family name first
        family, _, given = name.partition(" ")
        return (("family", family.capitalize()), ("given", given), ("pinyin", True))
    if "," in name:
        cut = name.rpartition(",") if name.count(",") > 1 else name.partition(",")
        family, given = cut[0].strip(), cut[2].strip()
        if given.lower() in _CORP_SUFFIX:  # "Online Computer Library Center, Inc."
            return (("literal", name),)
        if _organisation(family, given):  # {American Association for the …} unbraced
            return (("literal", f"{given} {family}"),)
        return tuple(_particle({"family": family, "given": given}).items())
    if len(name.split()) > 1 and any(w.lower().strip(".,()") in _ORG for w in name.split()):
        return (("literal", name),)  # "Trisco Icap Pty Ltd"
    a = split_name(name)
    if a.literal:
        return (("literal", a.literal),)
    return (("family", a.family), ("given", a.given))


def _particle(name: dict) -> dict:
    """'van der Veen' -> particle 'van der', family 'Veen'."""
    words = name["family"].split()
    i = 0
    while i < len(words) - 1 and words[i] in _PARTICLES:
        i += 1
    if i:
        name["non-dropping-particle"] = " ".join(words[:i])
        name["family"] = " ".join(words[i:])
    return name


def _organisation(family: str, given: str) -> bool:
    words = f"{given} {family}".split()
    if len(words) > 2 and any(w.lower().strip(".,()") in _ORG for w in words):
        return True
    head = family.split(maxsplit=1)[0] if family and not family.isspace() else ""
    return head[:1].islower() and head not in _PARTICLES


_TITLE_FIELD = re.compile(r"\b(?:title|booktitle|eventtitle)\s*=\s*\{", re.IGNORECASE)


_INNER = re.compile(r"\{([^{}]*)\}")


@functools.lru_cache(maxsize=4096)
def protected(raw: str) -> frozenset:
    """Words the BibTeX titles protect with inner braces ("{OCLC}", "{Eucalyptus}").
    Read only when a title is put in sentence case; the accents' braces ({\\'e}) give
    letters, harmless here."""
    words: set[str] = set()
    for m in _TITLE_FIELD.finditer(raw):
        end = raw.find("\n", m.end())
        body = raw[m.end() : end if end > 0 else len(raw)]
        for inner in _INNER.findall(body):
            words.update(re.findall(r"[^\W_]+", inner))
    return frozenset(words)
