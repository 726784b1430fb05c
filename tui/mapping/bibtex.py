"""BibTeX/biblatex fields <-> CSL-JSON variables: one table, read by tui.sources.bibtex
(import) and tui.cite.bibtex (export).

Each row is (BibTeX field, CSL variable, kind); the first row of a variable is the field
the exporter writes, the others are read as well ("journaltitle", "location").  Which
field an entry used is remembered in `extra["bibtex_fields"]` when it is not the first,
so the export writes the entry's own field names back.  Fields with no CSL variable stay
in `extra` under their own names (tui.sources.bibtex) and are written back as they came.
Mapping as Zotero's and Better BibTeX's translators and citeproc-js's BibTeX reader do.
"""

from __future__ import annotations

from tui.mapping import date_text, parse_date

# kind: "names" (an and-list), "text" (LaTeX decoded), "verbatim" (kept as written),
# "date" (EDTF: biblatex's date, urldate, origdate, eventdate)
BIBTEX_MAP: tuple[tuple[str, str, str], ...] = (
    ("author", "author", "names"),
    ("editor", "editor", "names"),
    ("translator", "translator", "names"),
    ("bookauthor", "container-author", "names"),
    ("editora", "collection-editor", "names"),
    ("commentator", "contributor", "names"),
    ("title", "title", "text"),
    ("shorttitle", "title-short", "text"),
    ("origtitle", "original-title", "text"),
    ("journal", "container-title", "text"),
    ("journaltitle", "container-title", "text"),
    ("booktitle", "container-title", "text"),
    ("shortjournal", "container-title-short", "text"),
    ("series", "collection-title", "text"),
    ("volume", "volume", "text"),
    ("volumes", "number-of-volumes", "text"),
    ("edition", "edition", "text"),
    ("pages", "page", "text"),
    ("pagetotal", "number-of-pages", "text"),
    ("chapter", "chapter-number", "text"),
    ("version", "version", "text"),
    ("publisher", "publisher", "text"),
    ("institution", "publisher", "text"),
    ("school", "publisher", "text"),
    ("organization", "publisher", "text"),
    ("address", "publisher-place", "text"),
    ("location", "publisher-place", "text"),
    ("eventtitle", "event-title", "text"),
    ("venue", "event-place", "text"),
    ("type", "genre", "text"),
    ("howpublished", "medium", "text"),
    ("abstract", "abstract", "text"),
    ("note", "note", "text"),
    ("annote", "annote", "text"),
    ("annotation", "annote", "text"),
    ("keywords", "keyword", "text"),
    ("langid", "language", "text"),
    ("language", "language", "text"),
    ("doi", "DOI", "verbatim"),
    ("url", "URL", "verbatim"),
    ("isbn", "ISBN", "verbatim"),
    ("issn", "ISSN", "verbatim"),
    ("pmid", "PMID", "verbatim"),
    ("pmcid", "PMCID", "verbatim"),
    ("date", "issued", "date"),
    ("urldate", "accessed", "date"),
    ("origdate", "original-date", "date"),
    ("eventdate", "event-date", "date"),
)

# entry type -> CSL type (Zotero's and Better BibTeX's choices)
BIBTEX_CSL_TYPES = {
    "article": "article-journal",
    "periodical": "periodical",
    "book": "book",
    "mvbook": "book",
    "booklet": "pamphlet",
    "inbook": "chapter",
    "bookinbook": "chapter",
    "incollection": "chapter",
    "collection": "book",
    "mvcollection": "book",
    "reference": "book",
    "inreference": "entry-encyclopedia",
    "manual": "report",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "patent": "patent",
    "standard": "standard",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "dataset": "dataset",
    "software": "software",
    "unpublished": "manuscript",
    "misc": "document",
}
# CSL type -> entry type for the export (the first entry type of each CSL type above)
CSL_BIBTEX_TYPES = {"article-magazine": "article", "article-newspaper": "article",
                    "review": "article", "legislation": "misc", "motion_picture": "misc"}  # fmt: skip
for _t, _c in BIBTEX_CSL_TYPES.items():
    CSL_BIBTEX_TYPES.setdefault(_c, _t)

# `number` is the issue of an article, the number of a report or standard, and the number
# in its series of a book
_NUMBER_IS_ISSUE = {"article-journal", "article-magazine", "article-newspaper", "periodical"}
_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()
_CANONICAL = {}
for _f, _v, _k in BIBTEX_MAP:
    _CANONICAL.setdefault(_v, _f)
_FIELD = {f: (v, k) for f, v, k in BIBTEX_MAP}
# fields the table reads besides its rows
HANDLED = frozenset({*_FIELD, "year", "month", "day", "number", "issue", "entrysubtype"})


def bibtex_to_csl(
    entry_type: str, key: str, fields: dict[str, str], *, text, verbatim, names
) -> tuple[dict, dict]:
    """An entry's fields (as written) as a CSL item, and the field names it used where they
    are not the table's first (`extra["bibtex_fields"]`). `text`, `verbatim` and `names`
    decode a value: the importer's LaTeX decoder, its verbatim reader, its name splitter
    (a list of CSL names)."""
    etype = entry_type.lower()
    subtype = fields.get("entrysubtype", "").strip("{} ").lower()
    ctype = BIBTEX_CSL_TYPES.get(etype, "document")
    if etype == "article" and subtype in ("newspaper", "magazine"):
        ctype = f"article-{subtype}"
    item: dict = {"type": ctype}  # the key is Work.key (made unique on import), not kept twice
    used: dict[str, str] = {}
    for name, value in fields.items():
        if name not in _FIELD or not value or value.isspace():
            continue
        var, kind = _FIELD[name]
        if var in item:
            continue  # the first field given wins; the others stay in extra
        if kind == "names":
            got = names(value)
            if not got:
                continue
            item[var] = got
        elif kind == "date":
            raw = verbatim(value)
            item[var] = parse_date(raw) or {"raw": raw}
        elif kind == "verbatim":
            item[var] = verbatim(value)
        else:
            item[var] = text(value)
        if _CANONICAL[var] != name:
            used[var] = name
    number = fields.get("number", "").strip() or fields.get("issue", "").strip()
    if number:
        which = "number" if fields.get("number", "").strip() else "issue"
        if ctype in _NUMBER_IS_ISSUE or which == "issue":
            item["issue"] = text(number)
            if which == "number":
                used["issue"] = "number"
        elif "collection-title" in item:
            item["collection-number"] = text(number)
        else:
            item["number"] = text(number)
    if "issued" not in item and fields.get("year", "").strip():
        year = verbatim(fields["year"])
        part: list = []
        if year.strip().isdigit():
            part = [int(year)]
            month = fields.get("month", "").strip().strip("{}").lower()[:3]
            if month.isdigit() and 1 <= int(month) <= 12:
                part.append(int(month))
            elif month in _MONTHS:
                part.append(_MONTHS.index(month) + 1)
            day = fields.get("day", "").strip("{} ")
            if len(part) == 2 and day.isdigit():
                part.append(int(day))
            item["issued"] = {"date-parts": [part]}
        else:
            item["issued"] = {"literal": year}
        used["issued"] = "year"
    return item, used


def csl_to_bibtex(item: dict, used: dict, *, names, escape) -> tuple[str, list[tuple[str, str]]]:
    """A CSL item as an entry type and fields, with the field names the entry came with
    (`used`). `names` writes a list of CSL names as an and-list; `escape` text for BibTeX."""
    ctype = str(item.get("type", "document"))
    etype = CSL_BIBTEX_TYPES.get(ctype, "misc")
    out: list[tuple[str, str]] = []
    append = out.append
    if ctype in ("article-newspaper", "article-magazine"):
        append(("entrysubtype", ctype.partition("-")[2]))
    plain = _PLAIN
    for var, value in item.items():
        # (as `value in (None, "", [])`, without three comparisons for every true value)
        if not value and (value is None or value == "" or value == []):
            continue
        # the usual variable, under its first field name: one look-up (called for every
        # variable of every work of an export)
        step = plain.get(var)
        if step is not None and var not in used:
            name, kind = step
            if kind == "text":
                if name == "journal" and etype != "article":
                    name = "booktitle"
                append((name, escape(value if type(value) is str else str(value))))
            elif kind == "names":
                append((name, names(value)))
            elif kind == "date":
                append((name, date_text(value)))
            else:  # verbatim
                append((name, value if type(value) is str else str(value)))
            continue
        if var in _NOT_WRITTEN:
            continue
        if var in _NUMBERS_AND_ISSUED:
            if var == "issued":
                if used.get("issued") == "year":
                    out.extend(_year_month(value))
                    continue
            else:
                name = "issue" if var == "issue" and used.get("issue") != "number" else "number"
                if var == "issue" and ctype in _NUMBER_IS_ISSUE and "issue" not in used:
                    name = "number"
                append((name, escape(str(value))))
                continue
        name = used.get(var) or _CANONICAL.get(var)
        if name is None:
            continue
        kind = _KIND[name]
        if kind == "text":
            if name == "journal" and etype != "article":
                name = "booktitle"
            append((name, escape(str(value))))
        elif kind == "names":
            append((name, names(value)))
        elif kind == "date":
            append((name, date_text(value)))
        else:  # verbatim
            append((name, str(value)))
    return etype, out


_NOT_WRITTEN = frozenset({"id", "type", "custom"})
_NUMBERS_AND_ISSUED = frozenset({"issued", "issue", "number", "collection-number"})
_KIND = {f: k for f, (_v, k) in _FIELD.items()}
# variable -> (its first field, kind), for those written without a special rule
_PLAIN = {
    v: (f, _KIND[f])
    for v, f in _CANONICAL.items()
    if v not in _NOT_WRITTEN and v not in _NUMBERS_AND_ISSUED
}


def _year_month(value) -> list[tuple[str, str]]:
    if not isinstance(value, dict):
        return [("year", str(value))]
    if value.get("literal"):
        return [("year", str(value["literal"]))]
    parts = (value.get("date-parts") or [[]])[0]
    out = [("year", str(parts[0]))] if parts else []
    if len(parts) > 1:
        out.append(("month", _MONTHS[int(parts[1]) - 1]))
    if len(parts) > 2:
        out.append(("day", str(parts[2])))
    return out
