"""RIS tags <-> CSL-JSON variables: one table, read by tui.sources.ris (import) and
tui.cite.ris (export).

Each row is (tag, CSL variable, kind); the first row of a variable is the tag the exporter
writes, the others are read as well.  Tags with no CSL variable stay in
`extra["ris_tags"]` under their own names and are written back as they came.  The
choices follow Zotero's RIS translator (A4 translator, A3 series editor, DA the full date,
Y2 the access date, M3 the genre).
"""

from __future__ import annotations

import re

from tui.mapping import date_iso, name_sorted, parse_date

RIS_MAP: tuple[tuple[str, str, str], ...] = (
    ("AU", "author", "names"),
    ("A1", "author", "names"),
    ("A2", "editor", "names"),
    ("ED", "editor", "names"),
    ("A3", "collection-editor", "names"),
    ("A4", "translator", "names"),
    ("TA", "translator", "names"),
    ("TI", "title", "text"),
    ("T1", "title", "text"),
    ("CT", "title", "text"),
    ("T2", "container-title", "text"),
    ("JO", "container-title", "text"),
    ("JF", "container-title", "text"),
    ("BT", "container-title", "text"),
    ("J2", "container-title-short", "text"),
    ("JA", "container-title-short", "text"),
    ("J1", "container-title-short", "text"),
    ("T3", "collection-title", "text"),
    ("ST", "title-short", "text"),
    ("VL", "volume", "text"),
    ("IS", "issue", "text"),
    ("NV", "number-of-volumes", "text"),
    ("ET", "edition", "text"),
    ("SE", "section", "text"),
    ("PB", "publisher", "text"),
    ("CY", "publisher-place", "text"),
    ("PP", "publisher-place", "text"),
    ("DO", "DOI", "text"),
    ("UR", "URL", "text"),
    ("SN", "ISSN", "text"),
    ("AB", "abstract", "text"),
    ("N2", "abstract", "text"),
    ("N1", "note", "text"),
    ("LA", "language", "text"),
    ("M3", "genre", "text"),
    ("CN", "call-number", "text"),
    ("DB", "source", "text"),
    ("DA", "issued", "date"),
    ("PY", "issued", "date"),
    ("Y1", "issued", "date"),
    ("Y2", "accessed", "date"),
)
_ROW = {t: (v, k) for t, v, k in RIS_MAP}
_FIRST: dict[str, str] = {}
for _t, _v, _k in RIS_MAP:
    _FIRST.setdefault(_v, _t)
HANDLED = frozenset({*_ROW, "TY", "ER", "SP", "EP", "ID"})
# the export's rows: the first of each variable, in the table's order (the others name
# the same variable and are only read)
_FIRST_ROWS = tuple(row for row in RIS_MAP if _FIRST[row[1]] == row[0])
_DASH = re.compile(r"\s*[\u2010-\u2015]\s*")

RIS_CSL_TYPES = {
    "JOUR": "article-journal", "JFULL": "article-journal", "EJOUR": "article-journal",
    "MGZN": "article-magazine", "NEWS": "article-newspaper", "BOOK": "book",
    "EBOOK": "book", "EDBOOK": "book", "CHAP": "chapter", "ECHAP": "chapter",
    "CONF": "paper-conference", "CPAPER": "paper-conference", "THES": "thesis",
    "RPRT": "report", "GOVDOC": "report", "ELEC": "webpage", "WEB": "webpage",
    "BLOG": "post-weblog", "PAT": "patent", "STAND": "standard", "DATA": "dataset",
    "DBASE": "dataset", "COMP": "software", "MAP": "map", "ART": "graphic",
    "SOUND": "song", "MPCT": "motion_picture", "VIDEO": "motion_picture",
    "BILL": "bill", "STAT": "legislation", "CASE": "legal_case", "HEAR": "hearing",
    "PCOMM": "personal_communication", "ICOMM": "personal_communication",
    "UNPB": "manuscript", "MANSCPT": "manuscript", "ENCYC": "entry-encyclopedia",
    "DICT": "entry-dictionary", "SER": "book", "GEN": "document", "INPR": "article-journal",
    "ABST": "article-journal", "AGGR": "dataset", "CLSWK": "classic",
}  # fmt: skip
CSL_RIS_TYPES = {"article": "GEN", "document": "GEN", "post": "BLOG", "interview": "PCOMM"}
for _r, _c in RIS_CSL_TYPES.items():
    CSL_RIS_TYPES.setdefault(_c, _r)


def ris_to_csl(ty: str, tags: list[list[str]], *, name) -> tuple[dict, dict]:
    """A record's tags (in order) as a CSL item, and the tags with no CSL variable
    ({tag: [values]}). `name` splits one name into a CSL name (or None)."""
    item: dict = {"type": RIS_CSL_TYPES.get(ty, "document")}
    other: dict[str, list[str]] = {}
    used: dict[str, str] = {}
    start = end = ""
    for tag, value in tags:
        if not value or tag in ("TY", "ID"):  # the ID is Work.key (made unique on import)
            continue
        if tag in ("SP", "EP"):
            start, end = (value, end) if tag == "SP" else (start, value)
            continue
        if tag not in _ROW:
            other.setdefault(tag, []).append(value)
            continue
        var, kind = _ROW[tag]
        if kind == "names":
            if var in item and used.get(var) != tag:
                other.setdefault(tag, []).append(value)
                continue
            for one in value.split(";") if ";" in value and "," in value else [value]:
                n = name(one)
                if n:
                    item.setdefault(var, []).append(n)
        elif kind == "list":
            item[var] = f"{item[var]}, {value}" if var in item else value
        elif var in item:
            other.setdefault(tag, []).append(value)
            continue
        elif kind == "date":
            item[var] = _ris_date(value)
        else:
            item[var] = value
        used.setdefault(var, tag)
    if start or end:
        item["page"] = f"{start}-{end}" if start and end and end != start else start or end
    if ty in ("BOOK", "EBOOK", "EDBOOK", "CHAP", "ECHAP") and "ISSN" in item:
        item["ISBN"] = item.pop("ISSN")
    extra: dict = {"ris_tags": other} if other else {}
    renamed = {v: t for v, t in used.items() if _FIRST[v] != t}
    if renamed:
        extra["ris_fields"] = renamed
    return item, extra


def _ris_date(value: str) -> dict:
    """'2020/10/15/', '2019//', '2018', '2018/11/28/Fall' as a CSL date; else raw."""
    nums = [p for p in value.split("/")]
    if nums and re.fullmatch(r"\d{4}", nums[0].strip()):
        parts = [int(nums[0])]
        for p in nums[1:3]:
            if not p.strip().isdigit():
                break
            parts.append(int(p))
        if len(parts) > 1 and not 1 <= parts[1] <= 12:
            parts = parts[:1]
        return {"date-parts": [parts]}
    return parse_date(value) or {"raw": value}


def csl_to_ris(item: dict, ty: str = "", used: dict | None = None) -> list[tuple[str, str]]:
    """A CSL item as RIS tags, in the table's order, `ty` for the record's own type and
    `used` for the tags it came with where they are not the table's first."""
    used = used or {}
    ctype = str(item.get("type", "document"))
    out = [("TY", ty or CSL_RIS_TYPES.get(ctype, "GEN"))]
    if ctype in ("book", "chapter") and item.get("ISBN"):
        item = {**item, "ISSN": item["ISBN"]}
    for tag, var, kind in _FIRST_ROWS:
        value = item.get(var)
        if value in (None, "", []):
            continue
        tag = used.get(var, tag)
        if kind == "names":
            out.extend([(tag, name_sorted(n)) for n in value])
        elif kind == "date":
            if isinstance(value, dict) and value.get("date-parts"):
                p = [int(str(x)) for x in value["date-parts"][0][:3]]
                text = "/".join([str(p[0]), *(f"{x:02d}" for x in p[1:])])
                out.append((tag, text + "/" * (3 - len(p)) if tag == "DA" else text))
            else:
                out.append((tag, date_iso(value) or str(value.get("raw", ""))))
        elif kind == "list":
            out.extend((tag, k.strip()) for k in str(value).split(",") if k.strip())
        else:
            out.append((tag, str(value)))
    page = str(item.get("page", ""))
    if page:
        sp, _, ep = _DASH.sub("-", page).partition("-")
        out.append(("SP", sp.strip()))
        if ep.strip():
            out.append(("EP", ep.strip()))
    return out
