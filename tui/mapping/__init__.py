"""The lossless record: CSL-JSON items, and the tables that map BibTeX, RIS and CSL-JSON to them.

A work's canonical record is `Work.csl`, a CSL-JSON item (CSL 1.0.2 variables, structured
names for every role, dates as date-parts with ranges, seasons, circa and raw); the
flat fields of `Work` (authors as printed, title, journal, year, …) are the views every
reader uses, filled from it on import.  A work read from a printed reference (a review
page, a GB/T 7714 string) has no `csl`: its record is its flat fields, and
`tui.cite.csljson.to_csl` derives the item from them.

One module per format holds its table, read by both its importer (tui.sources.*) and its
exporter (tui.cite.*): `bibtex.BIBTEX_MAP`, `ris.RIS_MAP`, `csljson` (the variables).
No I/O and no Textual here.
"""

from __future__ import annotations

import re

# CSL 1.0.2 name variables (https://docs.citationstyles.org/en/stable/specification.html
# #name-variables) and the extra roles citeproc-js knows
NAME_VARIABLES = (
    "author",
    "chair",
    "collection-editor",
    "compiler",
    "composer",
    "container-author",
    "contributor",
    "curator",
    "director",
    "editor",
    "editorial-director",
    "editor-translator",
    "executive-producer",
    "guest",
    "host",
    "illustrator",
    "interviewer",
    "narrator",
    "organizer",
    "original-author",
    "performer",
    "producer",
    "recipient",
    "reviewed-author",
    "script-writer",
    "series-creator",
    "translator",
)
DATE_VARIABLES = (
    "accessed",
    "available-date",
    "event-date",
    "issued",
    "original-date",
    "submitted",
)
NUMBER_VARIABLES = (
    "chapter-number",
    "citation-number",
    "collection-number",
    "edition",
    "first-reference-note-number",
    "issue",
    "locator",
    "number",
    "number-of-pages",
    "number-of-volumes",
    "page",
    "page-first",
    "part-number",
    "printing-number",
    "section",
    "supplement-number",
    "version",
    "volume",
)
TEXT_VARIABLES = tuple(
    """abstract annote archive archive_collection archive_location archive-place authority
    call-number citation-key citation-label collection-title container-title
    container-title-short dimensions division DOI event event-title event-place genre ISBN
    ISSN jurisdiction keyword language license medium note original-publisher
    original-publisher-place original-title part-title PMCID PMID publisher publisher-place
    references reviewed-genre reviewed-title scale source status title title-short URL
    volume-title year-suffix""".split()
)
VARIABLES = frozenset(("id", "type", "custom", *NAME_VARIABLES, *DATE_VARIABLES,
                       *NUMBER_VARIABLES, *TEXT_VARIABLES))  # fmt: skip

# What a reader calls each role (Details, list --json)
ROLE_LABELS = {r: r.replace("-", " ").replace("_", " ") for r in NAME_VARIABLES}

_SEASONS = {"spring": 1, "summer": 2, "autumn": 3, "fall": 3, "winter": 4}


# ---------------------------------------------------------------- names


def name_text(name: dict) -> str:
    """A name as a reader writes it in full: 'Ludwig van Beethoven Jr.', 'SR Research'."""
    if not isinstance(name, dict):
        return str(name or "")
    if name.get("literal"):
        return str(name["literal"])
    parts = [
        name.get("given"),
        name.get("dropping-particle"),
        name.get("non-dropping-particle"),
        name.get("family"),
    ]
    text = " ".join(str(p) for p in parts if p)
    if name.get("suffix"):
        text += (", " if name.get("comma-suffix") else " ") + str(name["suffix"])
    return text


def name_sorted(name: dict) -> str:
    """A name family first: 'van Beethoven, Ludwig, Jr.', 'SR Research'."""
    if not isinstance(name, dict):
        return str(name or "")
    if len(name) == 2:  # the usual shape, {"family", "given"}: the same text sooner
        family, given = name.get("family"), name.get("given")
        if type(family) is str and type(given) is str:
            return f"{family}, {given}" if family and given else family or given
    if name.get("literal"):
        return str(name["literal"])
    family = " ".join(str(p) for p in (name.get("non-dropping-particle"), name.get("family")) if p)
    given = " ".join(str(p) for p in (name.get("given"), name.get("dropping-particle")) if p)
    out = ", ".join(p for p in (family, given) if p)
    if name.get("suffix"):
        out += ", " + str(name["suffix"])
    return out


def names_of(item: dict) -> dict[str, list[dict]]:
    """Every name role of a CSL item that holds names, in CSL's order of roles."""
    out = {}
    for role in NAME_VARIABLES:
        value = item.get(role)
        if isinstance(value, list) and value:
            out[role] = [n if isinstance(n, dict) else {"literal": str(n)} for n in value]
    return out


# ---------------------------------------------------------------- dates

_ISO = re.compile(r"^(-?\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def parse_date(text: str) -> dict | None:
    """An EDTF-like or ISO date as a CSL date: '2018-11-28', '2001/2003', '1990~' (circa),
    '2019-21' (season 1: spring, as EDTF writes seasons), 'Spring 2019'; None when the text
    is no such date (the caller keeps it as {"raw": …})."""
    text = " ".join(str(text).split())
    if not text:
        return None
    circa = text.endswith(("~", "?")) or text.lower().startswith(("c.", "ca.", "circa "))
    core = re.sub(r"^(?:c\.|ca\.|circa)\s*", "", text, flags=re.I).rstrip("~?")
    season = None
    m = re.fullmatch(r"(spring|summer|autumn|fall|winter)\s+(\d{4})", core, re.I)
    if m:
        season, core = _SEASONS[m.group(1).lower()], m.group(2)
    ends = core.split("/") if "/" in core else [core]
    if len(ends) > 2:
        return None
    parts = []
    for end in ends:
        m = _ISO.match(end.strip())
        if not m:
            return None
        p = [int(x) for x in m.groups() if x is not None]
        if len(p) > 1 and 21 <= p[1] <= 24:  # EDTF season
            season, p = p[1] - 20, p[:1]
        if len(p) > 1 and not 1 <= p[1] <= 12 or len(p) > 2 and not 1 <= p[2] <= 31:
            return None
        parts.append(p)
    out: dict = {"date-parts": parts}
    if season:
        out["season"] = season
    if circa:
        out["circa"] = True
    return out


def date_iso(value) -> str:
    """The first date of a CSL date as ISO text ('2018-11-28', '2018'), or ''."""
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            try:
                p = [int(str(x).strip()) for x in parts[0][:3]]
            except ValueError:
                return ""
            return "-".join([f"{p[0]:04d}", *(f"{x:02d}" for x in p[1:])])
        raw = value.get("raw") or value.get("literal")
        if isinstance(raw, (str, int)):
            d = parse_date(str(raw))
            return date_iso(d) if d else ""
        return ""
    if isinstance(value, (str, int)):
        d = parse_date(str(value))
        return date_iso(d) if d else ""
    return ""


def date_text(value) -> str:
    """A CSL date as EDTF-like text ('2001/2003', '1990~', '2018-11-28'): BibTeX's `date`,
    the inverse of parse_date."""
    if not isinstance(value, dict):
        return str(value or "")
    parts = value.get("date-parts")
    if not isinstance(parts, list) or not parts:
        return str(value.get("raw") or value.get("literal") or "")
    ends = []
    for p in parts[:2]:
        try:
            p = [int(str(x).strip()) for x in p[:3]]
        except (ValueError, TypeError):
            return str(value.get("raw") or "")
        if not p:
            continue
        ends.append("-".join([f"{p[0]:04d}", *(f"{x:02d}" for x in p[1:])]))
    text = "/".join(ends)
    if value.get("season") and len(ends) == 1 and len(str(ends[0])) == 4:
        try:
            text += f"-{20 + int(value['season'])}"
        except ValueError:
            pass
    if value.get("circa"):
        text += "~"
    return text


# ---------------------------------------------------------------- Zotero's Extra

_EXTRA_LINE = re.compile(r"^\s*\{?:?([A-Za-z][A-Za-z _-]*?):?\}?\s*:\s*(.*?)\s*$")
_EXTRA_CURLY = re.compile(r"\{:([A-Za-z][A-Za-z _-]*):\s*([^}]*)\}")


def _variable(label: str) -> str:
    """'Original Date', 'original-date', 'originalDate' -> 'original-date' (Zotero's forms)."""
    label = re.sub(r"(?<=[a-z])(?=[A-Z])", "-", label.strip())
    key = re.sub(r"[\s_]+", "-", label).lower()
    for name in VARIABLES:  # DOI, ISBN, PMID… and archive_location keep their spelling
        if name.lower() == key or name.lower().replace("_", "-") == key:
            return name
    return key


def parse_extra(note: str) -> dict:
    """The CSL variables in Zotero's "Extra" lines (CSL-JSON `note`), as citeproc-js's
    note-field hack reads them: `original-date: 1950`, `type: motion_picture`,
    `director: Family || Given`, and the legacy `{:original-date: 1950}`; a variable
    already in the item wins (the caller decides). Lines that are not such fields stay
    in the note and are not returned."""
    if not isinstance(note, str) or ":" not in note:
        return {}
    found: dict = {}
    lines = note.splitlines()
    for line in lines:
        pairs = _EXTRA_CURLY.findall(line) or []
        if not pairs:
            m = _EXTRA_LINE.match(line)
            pairs = [(m.group(1), m.group(2))] if m else []
        for label, value in pairs:
            key = _variable(label)
            if key not in VARIABLES or not value:
                continue
            if key in NAME_VARIABLES:
                family, sep, given = value.partition("||")
                name = (
                    {"family": family.strip(), "given": given.strip()}
                    if sep
                    else {"literal": value.strip()}
                )
                found.setdefault(key, []).append(name)
            elif key in DATE_VARIABLES:
                found.setdefault(key, parse_date(value) or {"raw": value})
            else:
                found.setdefault(key, value)
    return found


def with_extra(item: dict) -> dict:
    """The item with the variables its Extra lines give filled in where it has none."""
    extra = parse_extra(item.get("note", ""))
    if not extra:
        return item
    out = dict(item)
    for k, v in extra.items():
        if k not in out or out[k] in (None, "", []):
            out[k] = v
    return out
