"""Database tagged-text formats -> CSL-JSON variables: one table each, read by
tui.sources.tagged.  PubMed's MEDLINE (what a `.nbib` holds), Web of Science's plain
text ("Other reference software") and Ovid's tagged export (its "EndNote" .cgi).

We import these but do not write them (RIS and CSL-JSON carry the same record out), so a
tag with no CSL variable stays in `extra["<format>_tags"]` under its own name, in order,
and shows in Details.  The choices follow Zotero's translators for the same formats
(PubMed MEDLINE: FAU before AU, AID/LID `[doi]`, DP the issued date; Web of Science: AF
before AU, BP/EP the pages, AR the article number when there are no pages).

Each row is (tag, CSL variable, kind); kind is "names" (one name a line), "text" (the
first value wins, later ones are kept under the tag), "date", or a special kind the
reader handles ("id": AID/LID, "skip-if": a short form of a name tag already given).
"""

from __future__ import annotations

import re

from tui.mapping import parse_date

Row = tuple[str, str, str]

MEDLINE_MAP: tuple[Row, ...] = (
    ("PMID", "PMID", "text"),
    ("TI", "title", "text"),
    ("BTI", "title", "text"),  # a book (NCBI Bookshelf): the title is BTI
    ("FAU", "author", "names"),
    ("CN", "author", "literal"),  # a corporate author (collective name)
    ("FED", "editor", "names"),
    ("JT", "container-title", "text"),
    ("TA", "container-title-short", "text"),
    ("VI", "volume", "text"),
    ("IP", "issue", "text"),
    ("PG", "page", "text"),
    ("DP", "issued", "date"),
    ("AB", "abstract", "text"),
    ("LA", "language", "text"),
    ("IS", "ISSN", "text"),
    ("ISBN", "ISBN", "text"),
    ("PMC", "PMCID", "text"),
    ("AID", "DOI", "id"),
    ("LID", "DOI", "id"),
    ("PB", "publisher", "text"),
    ("PL", "publisher-place", "text"),
    ("EN", "edition", "text"),
    ("CTI", "collection-title", "text"),
)
# the short forms of a name that MEDLINE writes after each full one
MEDLINE_SHORT = {"AU": "FAU", "ED": "FED"}

WOS_MAP: tuple[Row, ...] = (
    ("AF", "author", "names"),
    ("CA", "author", "literal"),  # group author
    ("BF", "editor", "names"),
    ("BE", "editor", "names"),
    ("TI", "title", "text"),
    ("SO", "container-title", "text"),
    ("SE", "collection-title", "text"),
    ("BS", "collection-title", "text"),
    ("JI", "container-title-short", "text"),
    ("VL", "volume", "text"),
    ("IS", "issue", "text"),
    ("AR", "number", "text"),  # article number; also the page when there are no BP/EP
    ("PG", "number-of-pages", "text"),
    ("LA", "language", "text"),
    ("AB", "abstract", "text"),
    ("PU", "publisher", "text"),
    ("PI", "publisher-place", "text"),
    ("SN", "ISSN", "text"),
    ("BN", "ISBN", "text"),
    ("DI", "DOI", "text"),
    ("PM", "PMID", "text"),
    ("CT", "event-title", "text"),
    ("CL", "event-place", "text"),
)
WOS_SHORT = {"AU": "AF", "BA": "BF"}
WOS_TYPES = {"J": "article-journal", "B": "book", "S": "chapter", "P": "patent",
             "C": "paper-conference"}  # fmt: skip

OVID_MAP: tuple[Row, ...] = (
    ("TI", "title", "text"),
    ("AU", "author", "names"),
    ("ED", "editor", "names"),
    ("JN", "container-title", "text"),
    ("JA", "container-title-short", "text"),
    ("VO", "volume", "text"),
    ("IP", "issue", "text"),
    ("PG", "page", "text"),
    ("YR", "issued", "date"),
    ("AB", "abstract", "text"),
    ("PB", "publisher", "text"),
    ("IS", "ISSN", "text"),
    ("IB", "ISBN", "text"),
    ("DO", "DOI", "text"),
    ("LG", "language", "text"),
    ("UR", "URL", "text"),
    ("PT", "genre", "text"),
)

MAPS = {"medline": MEDLINE_MAP, "wos": WOS_MAP, "ovid": OVID_MAP}
SHORT = {"medline": MEDLINE_SHORT, "wos": WOS_SHORT, "ovid": {}}

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}  # fmt: skip
_SEASONS = {"spr": 1, "spring": 1, "sum": 2, "summer": 2, "fal": 3, "fall": 3, "aut": 3,
            "autumn": 3, "win": 4, "winter": 4}  # fmt: skip


def tagged_date(text: str, year: str = "") -> dict:
    """MEDLINE's DP ('2006', '2006 Mar 1', '2006 Mar-Apr', '2005 Winter', '2006 Jan 10-16'),
    Web of Science's PD with PY ('JAN', 'JAN 15', 'FAL' with 2018), Ovid's YR ('2018'),
    as a CSL date; what does not read stays as {"raw": …}."""
    raw = " ".join(f"{year} {text}".split()) if year else " ".join(text.split())
    words = raw.replace("-", " - ").split()
    if not words or not re.fullmatch(r"\d{4}", words[0]):
        return parse_date(raw) or {"raw": raw}
    parts: list[int] = [int(words[0])]
    rest = words[1:]
    season = None
    if rest and rest[0].lower().rstrip(".") in _SEASONS:
        season = _SEASONS[rest[0].lower().rstrip(".")]
        rest = rest[1:]
    elif rest and rest[0][:3].lower() in _MONTHS:
        parts.append(_MONTHS[rest[0][:3].lower()])
        rest = rest[1:]
        if rest and rest[0].isdigit() and 1 <= int(rest[0]) <= 31:
            parts.append(int(rest[0]))
            rest = rest[1:]
    out: dict = {"date-parts": [parts]}
    if rest and rest[0] == "-" and len(rest) == 2:  # a range within the year
        end = rest[1]
        if end[:3].lower() in _MONTHS:
            out["date-parts"].append([parts[0], _MONTHS[end[:3].lower()]])
            rest = []
        elif end.isdigit() and len(parts) == 3 and 1 <= int(end) <= 31:
            out["date-parts"].append([parts[0], parts[1], int(end)])
            rest = []
    if rest:
        return {"raw": raw}  # '2006 Mar 1 [Epub ahead of print]': keep it as written
    if season:
        out["season"] = season
    return out


def tagged_name(text: str) -> dict | None:
    """'Casbon, James A' / 'de Hoon, M J L' -> family/given; 'Behan L.' / 'Casbon JA'
    (family then initials) -> family/given; anything else (an organisation) literal."""
    text = " ".join(text.split())
    if not text:
        return None
    if "," in text:
        family, _, given = text.partition(",")
        family, given = family.strip(), given.strip()
        if family and given:
            return {"family": family, "given": given}
        return {"literal": family or given}
    words = text.split()
    if len(words) >= 2 and re.fullmatch(r"(?:[A-Z]\.?(?:-?[A-Z]\.?)*){1,4}", words[-1]):
        return {"family": " ".join(words[:-1]), "given": words[-1]}
    return {"literal": text}


def tags_to_csl(fmt: str, tags: list[tuple[str, str]]) -> tuple[dict, dict[str, list[str]]]:
    """A record's (tag, value) lines as a CSL item (without its type) and the tags
    that have no CSL variable or repeat one already given ({tag: [values]})."""
    rows = {t: (v, k) for t, v, k in MAPS[fmt]}
    short = SHORT[fmt]
    present = {t for t, _ in tags}
    item: dict = {}
    other: dict[str, list[str]] = {}
    for tag, value in tags:
        if not value:
            continue
        if tag in short and short[tag] in present:  # the short form of a full name
            other.setdefault(tag, []).append(value)
            continue
        if tag in short:  # only the short form: read it as the name
            tag_row = rows.get(short[tag])
        else:
            tag_row = rows.get(tag)
        if tag_row is None:
            other.setdefault(tag, []).append(value)
            continue
        var, kind = tag_row
        if kind in ("names", "literal"):  # every name line of the role, in order
            n = {"literal": " ".join(value.split())} if kind == "literal" else tagged_name(value)
            if n:
                item.setdefault(var, []).append(n)
        elif kind == "id":  # AID/LID: '10.1186/x [doi]', '1471-x [pii]'
            m = re.fullmatch(r"(.*?)\s*\[(\w+)\]", value)
            which = m.group(2).lower() if m else ""
            if which == "doi" and var not in item:
                item[var] = m.group(1)
            else:
                other.setdefault(tag, []).append(value)
        elif var in item:
            other.setdefault(tag, []).append(value)
        elif kind == "date":
            item[var] = tagged_date(value)
        else:
            item[var] = value
    return item, other
