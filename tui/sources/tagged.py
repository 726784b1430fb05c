"""Import the tagged-text exports of bibliographic databases as collections:

* PubMed's MEDLINE format (`.nbib`, or PubMed's "Save as PubMed format" `.txt`): records
  separated by blank lines, each starting `PMID- `; a tag is padded to four characters
  (`AU  - `, `FAU - `); continuation lines are indented by six spaces.
* Web of Science's plain text ("Other reference software"): a `FN`/`VR` header, records
  from `PT` to `ER`, `EF` at the end; a tag and one space; continuation lines are
  indented by three spaces, and for name and address tags each one is another value.
* Ovid's tagged export (its "EndNote"/"Complete Reference" .cgi): records start with a
  `<3001. >` line; `TI  - ` tags; a line without a tag (indented or not: Ovid writes a
  structured abstract's sections at the margin) continues the last tag.

The line structure is read here; each record's tags then go through one table per format
(tui.mapping.tagged) into the CSL record, and the flat fields are that record's views
(tui.sources.csljson.work_from_item), so nothing is read twice in two ways.
"""

from __future__ import annotations

import re

from tui.errors import ParseError
from tui.mapping.tagged import WOS_TYPES, tags_to_csl
from tui.model import Review, Work
from tui.sources.csljson import work_from_item
from tui.sources.latex import clean_doi, finish, prepare_text
from tui.sources.limits import check_field, check_records, check_values

__all__ = ["parse_medline", "parse_wos", "parse_ovid", "sniff_tagged"]

_MEDLINE_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,3}- ?(.*)$")
_WOS_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_OVID_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3})  - ?(.*)$")
_OVID_START = re.compile(r"^<\s*\d+\.\s*>\s*$")
# Web of Science tags whose continuation lines are further values, not more text
_WOS_LISTS = {"AU", "AF", "BA", "BF", "BE", "CA", "GP", "ED", "C1", "C3", "CR", "RI", "OI"}


def sniff_tagged(text: str) -> str:
    """'medline', 'wos', 'ovid' or '' for the head of a file."""
    head = text.lstrip("\ufeff \r\n\t")[:2000]
    if head.startswith("PMID-"):
        return "medline"
    if head.startswith("FN ") and re.search(r"^PT ", head, re.M):
        return "wos"
    if _OVID_START.match(head.split("\n", 1)[0].strip()):
        return "ovid"
    return ""


class _Record:
    __slots__ = ("start", "lines", "tags")

    def __init__(self, start: int) -> None:
        self.start = start
        self.lines: list[str] = []
        self.tags: list[list] = []  # [tag, [pieces], joiner]

    def add(self, tag: str, value: str, joiner: str = " ") -> None:
        self.tags.append([tag, [value.strip()] if value.strip() else [], joiner])

    def more(self, value: str) -> None:
        # pieces are joined once at the end: a huge field is not copied line by line
        if self.tags and value.strip():
            self.tags[-1][1].append(value.strip())

    def pairs(self) -> list[tuple[str, str]]:
        return [(t, j.join(p)) for t, p, j in self.tags]

    def check(self, source: str) -> None:
        """Refuse a tag over MAX_FIELD_CHARS or given more than MAX_VALUES times (one
        linear pass before anything is joined or mapped)."""
        counts: dict[str, int] = {}
        place = f"the record on line {self.start}"
        for tag, pieces, joiner in self.tags:
            counts[tag] = counts.get(tag, 0) + 1
            check_values(counts[tag], source, place, f"{tag} lines")
            size = sum(map(len, pieces)) + len(joiner) * max(len(pieces) - 1, 0)
            check_field(size, source, place, f"the {tag} field")


def _check(records: list[_Record], source: str, no: int) -> None:
    check_records(len(records), source, f"line {no}")


def _medline_records(text: str, source: str) -> list[_Record]:
    records: list[_Record] = []
    cur: _Record | None = None
    for no, line in enumerate(text.split("\n"), start=1):
        body = line.rstrip()
        if not body.strip():
            cur = None
            continue
        if cur is not None and line.startswith("      "):
            cur.lines.append(line)
            cur.more(body)
            continue
        m = _MEDLINE_TAG.match(body)
        if not m:
            raise ParseError(
                f"not MEDLINE: expected a line 'TAG - ...', found {body.strip()[:40]!r}",
                file=source,
                place=f"line {no}",
            )
        if cur is None or m.group(1) == "PMID" and any(t[0] == "PMID" for t in cur.tags):
            cur = _Record(no)
            records.append(cur)
            _check(records, source, no)
        cur.lines.append(line)
        cur.add(m.group(1), m.group(2), "\n" if m.group(1) == "AB" else " ")
    return records


def _wos_records(text: str, source: str) -> list[_Record]:
    records: list[_Record] = []
    cur: _Record | None = None
    for no, line in enumerate(text.split("\n"), start=1):
        body = line.rstrip()
        if cur is None:
            m = _WOS_TAG.match(body)
            if not body.strip() or m and m.group(1) in ("FN", "VR", "EF"):
                continue
            if not m or m.group(1) != "PT":
                raise ParseError(
                    f"not Web of Science text: expected 'PT ...', found {body.strip()[:40]!r}",
                    file=source,
                    place=f"line {no}",
                )
            cur = _Record(no)
            records.append(cur)
            _check(records, source, no)
        cur.lines.append(line)
        if body.startswith("   ") and cur.tags:
            tag = cur.tags[-1][0]
            if tag in _WOS_LISTS:
                cur.add(tag, body)
            else:
                cur.more(body)
            continue
        m = _WOS_TAG.match(body)
        if not m:
            if body.strip():
                raise ParseError(
                    f"not Web of Science text: {body.strip()[:40]!r}",
                    file=source,
                    place=f"line {no}",
                )
            continue
        if m.group(1) == "ER":
            cur = None
            continue
        cur.add(m.group(1), m.group(2) or "", "\n" if m.group(1) == "AB" else " ")
    if cur is not None:
        raise ParseError(
            f"no ER line: the file ends inside a record (it starts on line {cur.start})",
            file=source,
        )
    return records


def _ovid_records(text: str, source: str) -> list[_Record]:
    records: list[_Record] = []
    cur: _Record | None = None
    for no, line in enumerate(text.split("\n"), start=1):
        body = line.rstrip()
        if _OVID_START.match(body.strip()):
            cur = _Record(no)
            records.append(cur)
            _check(records, source, no)
            continue
        if not body.strip():
            continue
        if cur is None:
            raise ParseError(
                f"not an Ovid export: expected a line '<1. >', found {body.strip()[:40]!r}",
                file=source,
                place=f"line {no}",
            )
        cur.lines.append(line)
        m = _OVID_TAG.match(body)
        if m:
            cur.add(m.group(1), m.group(2), "\n" if m.group(1) == "AB" else " ")
        elif cur.tags:  # indented, or a structured abstract's section at the margin
            cur.more(body)
        else:
            raise ParseError(
                f"a line before the first tag: {body.strip()[:40]!r}",
                file=source,
                place=f"line {no}",
            )
    return records


# ---------------------------------------------------------------- one record


def _work(fmt: str, rec: _Record, source: str) -> Work:
    tags = rec.pairs()
    item, other = tags_to_csl(fmt, tags)
    first = {}
    for t, v in tags:
        first.setdefault(t, v)
    pii = ""
    if fmt == "medline":
        item["type"] = "article-journal"
        if "BTI" in first:
            if "TI" in first:
                item["type"] = "chapter"
                item["container-title"] = first["BTI"]
                other.pop("BTI", None)
            else:
                item["type"] = "book"
        for value in [*other.get("AID", []), *other.get("LID", [])]:
            if value.endswith("[pii]"):
                pii = value[: -len("[pii]")].strip()
                break
    elif fmt == "wos":
        item["type"] = WOS_TYPES.get(first.get("PT", "J").strip(), "article-journal")
        bp, ep = first.get("BP", ""), first.get("EP", "")
        if bp or ep:
            item["page"] = f"{bp}-{ep}" if bp and ep and bp != ep else bp or ep
            for t in ("BP", "EP"):
                other.pop(t, None)
        elif "number" in item:  # Zotero's choice: an article number is where pages go
            item["page"] = item.pop("number")
        if "PD" in first or "PY" in first:
            from tui.mapping.tagged import tagged_date

            item["issued"] = tagged_date(first.get("PD", ""), first.get("PY", ""))
    elif fmt == "ovid":
        su = first.get("SU", "").lower()
        item["type"] = "book" if su.startswith("book") else "article-journal"
        so = first.get("SO", "")
        if so and "container-title" not in item:
            item["container-title"] = so.split(". ", 1)[0].strip()
            m = re.search(r"\.\s(\d+)(?:\s\(([^)]+)\))?(?:\s\(([^)]*)\))?,\s(\d{4})\.", so)
            if m:
                item.setdefault("volume", m.group(1))
                if m.group(2):
                    item.setdefault("issue", m.group(2))
                if m.group(3) and m.group(3) != "no pagination":
                    item.setdefault("page", m.group(3))
    if "DOI" in item:
        item["DOI"] = clean_doi(item["DOI"]) or item["DOI"]
    raw = "\n".join(rec.lines)
    w = work_from_item(item, raw, f"record starting on line {rec.start}", source)
    w.pii = w.pii or pii
    if other:
        w.extra[f"{fmt}_tags"] = other
    return w


def _parse(fmt: str, split, text: str, source: str, kind: str) -> tuple[Review, list[Work]]:
    original = text
    text = prepare_text(text, source, kind)
    records = split(text, source)
    if not records:
        raise ParseError(f"no {kind} records", file=source)
    for rec in records:
        rec.check(source)
    return finish(original, source, [_work(fmt, r, source) for r in records])


def parse_medline(text: str, *, source: str = "") -> tuple[Review, list[Work]]:
    """Read PubMed's MEDLINE format (.nbib): one collection, one reference per PMID."""
    return _parse("medline", _medline_records, text, source, "MEDLINE")


def parse_wos(text: str, *, source: str = "") -> tuple[Review, list[Work]]:
    """Read Web of Science plain text: one collection, one reference per PT...ER."""
    return _parse("wos", _wos_records, text, source, "Web of Science")


def parse_ovid(text: str, *, source: str = "") -> tuple[Review, list[Work]]:
    """Read Ovid's tagged export: one collection, one reference per <N. > record."""
    return _parse("ovid", _ovid_records, text, source, "Ovid")


def parse_tagged(text: str, *, source: str = "") -> tuple[Review, list[Work]]:
    """Read whichever of the three a file's head shows."""
    fmt = sniff_tagged(text)
    parse = {"medline": parse_medline, "wos": parse_wos, "ovid": parse_ovid}.get(fmt)
    if parse is None:
        raise ParseError(
            "not a MEDLINE (PMID- ...), Web of Science (FN/PT ...) or Ovid (<1. >) export",
            file=source,
        )
    return parse(text, source=source)
