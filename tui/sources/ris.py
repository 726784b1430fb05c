"""Import a RIS (.ris) file as a collection of references.

rispy maps RIS tags to field names, but it reads leniently: a record without its `ER`
line, or a line that is not RIS at all, is silently dropped or glued to a field.  So the
file's structure is checked here first, line by line (records from `TY` to `ER`,
continuation lines, `1.` record numbers between records as rispy itself writes them,
Windows line endings), and each record then goes through rispy.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from tui.errors import ParseError
from tui.mapping.ris import ris_to_csl
from tui.model import Review, Work, has_cjk, parse_author
from tui.sources.latex import (
    clean_doi,
    clean_pages,
    finish,
    is_et_al,
    month_of,
    person,
    prepare_text,
    split_supplement,
    year_of,
)
from tui.sources.limits import (
    MAX_FIELD_CHARS,
    MAX_VALUES,
    check_field,
    check_records,
    check_values,
)

__all__ = ["parse_ris", "RIS_TYPES"]

# RIS reference type -> GB/T 7714 type code
RIS_TYPES = {
    "JOUR": "J",
    "JFULL": "J",
    "EJOUR": "J",
    "MGZN": "J",
    "INPR": "J",
    "ABST": "J",
    "SER": "J",
    "BOOK": "M",
    "EBOOK": "M",
    "EDBOOK": "G",  # an edited volume: GB/T 7714's 汇编
    "CHAP": "M",
    "ECHAP": "M",
    "CLSWK": "M",
    "DICT": "M",
    "ENCYC": "M",
    "CONF": "C",
    "CPAPER": "C",
    "THES": "D",
    "RPRT": "R",
    "GOVDOC": "R",
    "ELEC": "EB",
    "WEB": "EB",
    "BLOG": "EB",
    "ICOMM": "EB",
    "PAT": "P",
    "STAND": "S",
    "NEWS": "N",
    "DATA": "DS",
    "DBASE": "DB",
    "AGGR": "DB",
    "COMP": "CP",
    "GEN": "Z",
    "UNPB": "Z",
    "MANSCPT": "Z",
    "PCOMM": "Z",
}
_IN_CONTAINER = {"CHAP", "ECHAP", "CONF", "CPAPER", "ENCYC", "DICT"}
_JOURNALS = {"JOUR", "JFULL", "EJOUR", "MGZN", "INPR", "ABST", "SER", "NEWS"}

_TAG = re.compile(r"^(?:\d+\.\s+)?([A-Z][A-Z0-9]) {1,2}-(?: (.*))?$")
_NUMBER = re.compile(r"^\d+\.$")

_AUTHOR_TAGS = ("AU", "A1")
_EDITOR_TAGS = ("A2", "ED", "A3")


class _Record:
    __slots__ = ("number", "start", "lines", "tags", "counts", "more", "sizes", "source")

    def __init__(self, number: int, start: int, source: str) -> None:
        self.number = number
        self.start = start
        self.source = source
        self.lines: list[str] = []
        self.tags: list[list[str]] = []  # [tag, value]
        self.counts: dict[str, int] = {}  # lines of each tag (bounded: MAX_VALUES)
        # continuation lines of tags[i], joined once by close(): gluing each line to the
        # value as it came made 100,000 lines quadratic (17 s; a million: minutes)
        self.more: dict[int, list[str]] = {}
        self.sizes: dict[int, int] = {}

    def add(self, tag: str, value: str, no: int) -> None:
        n = self.counts.get(tag, 0) + 1
        self.counts[tag] = n
        place = f"record {self.number} (line {no})"
        if n > MAX_VALUES:
            check_values(n, self.source, place, f"{tag} lines")
        check_field(value, self.source, place, f"the {tag} field")
        self.tags.append([tag, value])

    def continued(self, piece: str, no: int) -> None:
        i = len(self.tags) - 1
        size = self.sizes.get(i, len(self.tags[i][1])) + 1 + len(piece)
        if size > MAX_FIELD_CHARS:
            place = f"record {self.number} (line {no})"
            check_field(size, self.source, place, f"the {self.tags[i][0]} field")
        self.sizes[i] = size
        self.more.setdefault(i, []).append(piece)

    def close(self) -> None:
        """Join the continuation lines into their values (once per record)."""
        for i, pieces in self.more.items():
            self.tags[i][1] = " ".join(p for p in (self.tags[i][1], *pieces) if p)
        self.more.clear()
        self.sizes.clear()


def parse_ris(text: str, *, source: str = "") -> tuple[Review, list[Work]]:
    """Read a .ris file: one collection, one reference per record, in file order."""
    original = text
    text = prepare_text(text, source, "RIS")
    records, empty = _split(text, source)
    works = [_work(rec, source) for rec in records]
    warnings = [f"{empty} empty records (no field but TY) skipped"] if empty else []
    return finish(original, source, works, warnings=warnings)


# ---------------------------------------------------------------- structure


def _split(text: str, source: str) -> tuple[list[_Record], int]:
    """The records with at least one field, and how many were empty (only TY and ER:
    a million of those once took 41 s and 2.1 GB; now they are counted, not kept)."""
    records: list[_Record] = []
    empty = 0
    current: _Record | None = None
    previous_closed = False  # tags may follow ER until a blank or number line
    for no, line in enumerate(text.split("\n"), start=1):
        body = line.rstrip().rstrip("\x1a")  # DOS end-of-file mark of old exporters
        m = _TAG.match(body)
        if current is None:
            if not body.strip():
                continue
            if _NUMBER.match(body.strip()):
                previous_closed = False  # the next record's number: Ovid's trailer ends
                continue
            if m and m.group(1) == "TY":
                if not (m.group(2) or "").strip():
                    raise ParseError(
                        "TY line without a reference type (such as JOUR)",
                        file=source,
                        place=f"record {len(records) + empty + 1}",
                    )
                if records:
                    records[-1].close()  # its tags after ER are complete
                current = _Record(len(records) + empty + 1, no, source)
                current.lines.append(line)
                current.add("TY", (m.group(2) or "").strip(), no)
                continue
            place = f"line {no}"
            if m and records and m.group(1) not in ("ER", "TY") and previous_closed:
                # Ovid writes tags after ER (NL, the link); they belong to that record
                records[-1].lines.append(line)
                records[-1].add(m.group(1), (m.group(2) or "").strip(), no)
                continue
            if not m and records and previous_closed and records[-1].tags[-1][0] != "TY":
                records[-1].continued(body.strip(), no)  # a tag after ER, continued
                records[-1].lines.append(line)
                continue
            if m and m.group(1) == "ER":
                raise ParseError(
                    "ER line without a record (no TY line before it)", file=source, place=place
                )
            if m:
                raise ParseError(
                    f"{m.group(1)} line outside a record (a record starts with 'TY  - ')",
                    file=source,
                    place=place,
                )
            raise ParseError(
                f"not RIS: expected a line 'TY  - ...', found {_shown(body)}",
                file=source,
                place=place,
            )
        current.lines.append(line)
        if m:
            tag, value = m.group(1), (m.group(2) or "").strip()
            if tag == "ER":
                current.close()
                if any(value for _, value in current.tags[1:]):
                    check_records(len(records) + 1, source, f"line {no}")
                    records.append(current)
                else:
                    empty += 1
                current = None
                previous_closed = True
            elif tag == "TY":
                raise ParseError(
                    f"no ER line before the next TY on line {no} (the record starts on"
                    f" line {current.start})",
                    file=source,
                    place=f"record {current.number}",
                )
            else:
                current.add(tag, value, no)
        elif body.strip():  # a field continued on the next line
            current.continued(body.strip(), no)
    if records:
        records[-1].close()
    if current is not None:
        raise ParseError(
            f"no ER line: the file ends inside this record (it starts on line {current.start})",
            file=source,
            place=f"record {current.number}",
        )
    if not records:
        if empty:
            raise ParseError(f"no RIS records with any field ({empty} empty ones)", file=source)
        raise ParseError("no RIS records (no line 'TY  - ...')", file=source)
    return records, empty


def _shown(line: str) -> str:
    line = line.strip()
    shown = line if len(line) <= 40 else line[:37] + "..."
    return repr(shown)


# ---------------------------------------------------------------- one record


def _fields(rec: _Record, source: str) -> dict:
    import rispy

    canonical = "\n".join(f"{tag}  - {value}" for tag, value in rec.tags) + "\nER  - \n"
    try:
        parsed = rispy.loads(canonical)
    except Exception as exc:  # rispy should not raise on canonical lines; be safe
        raise ParseError(
            f"cannot read this record ({' '.join(str(exc).split())})",
            file=source,
            place=f"record {rec.number}",
        ) from None
    return parsed[0] if parsed else {}


def _names(values: list[str]) -> tuple[list[str], list[str], bool]:
    printed: list[str] = []
    full: list[str] = []
    et_al = False
    for value in values:
        # some databases put several names in one AU line, separated by ';'
        for name in value.split(";"):
            name = " ".join(name.split())
            if not name:
                continue
            if is_et_al(name):
                et_al = True
                continue
            shown, whole = _person(name)
            if shown:
                printed.append(shown)
                full.append(whole)
    return printed, full, et_al


def _person(name: str) -> tuple[str, str]:
    """'Pierrot, A.' -> 'Pierrot A'; 'Nguyen, C.D., someone@uni.edu' (Scopus) -> 'Nguyen CD';
    '王芳' -> '王芳'; 'Smith JA' and 'John Smith' read as printed."""
    parts = [p.strip() for p in name.split(",")]
    parts = [p for p in parts if p and "@" not in p]
    if not parts:
        return "", ""
    if len(parts) == 1:
        single = parts[0]
        if has_cjk(single) and all(has_cjk(ch) or ch.isspace() for ch in single):
            return person("", literal=single.replace(" ", ""))
        n = _csl_name(single)  # as the record reads it: "Liu R." is Liu, R. (Embase)
        if n and "family" in n:
            return person(n["family"], n.get("given", ""))
        a = parse_author(single)
        if a.literal:
            return person("", literal=a.literal)
        return person(a.family, a.given)
    return person(parts[0], parts[1])  # "Family, Given[, Suffix]"


def _csl_name(name: str) -> dict | None:
    """One RIS name as a CSL name: 'Family, Given[, Suffix]', a CJK name or an
    organisation as a literal; None for 'et al.' and empty names."""
    name = " ".join(name.split())
    if not name or is_et_al(name):
        return None
    parts = [p.strip() for p in name.split(",")]
    parts = [p for p in parts if p and "@" not in p]  # Scopus appends e-mail addresses
    if not parts:
        return None
    if len(parts) == 1:
        # RIS writes "Family, Given": without a comma it is "Smith JA" (Vancouver) or an
        # organisation ("SR Research" is not Mr Sr), never a name to guess the order of
        m = re.fullmatch(r"(.+?)\s+((?:[A-Z]\.-?)+)", parts[0])
        if m:  # "Liu R.", "Adler D.G." (Embase): the family and its initials with points
            return {"family": m.group(1), "given": m.group(2)}
        a = parse_author(parts[0])
        if a.literal or not re.fullmatch(r"[^\W\d_]{1,4}", a.given) or not a.given.isupper():
            return {"literal": parts[0]}
        if a.family.isupper():
            return {"literal": parts[0]}
        return {"family": a.family, "given": a.given}
    d = {"family": parts[0], "given": parts[1]}
    if len(parts) > 2:
        d["suffix"] = ", ".join(parts[2:])
    return d


def _first(d: dict, *keys: str) -> str:
    for k in keys:
        v = d.get(k)
        if isinstance(v, list):
            v = next((x for x in v if str(x).strip()), "")
        if v and str(v).strip():
            return " ".join(str(v).split())
    return ""


def _iso_date(value: str) -> str:
    """'2020/10/15' or '2020/10/15/' -> '2020-10-15'; '2019//' -> '2019'."""
    nums = re.findall(r"\d+", value)
    if not nums or len(nums[0]) != 4:
        return value.strip()
    out = nums[0]
    for n in nums[1:3]:
        out += f"-{int(n):02d}"
    return out


def _work(rec: _Record, source: str) -> Work:
    d = _fields(rec, source)
    tags: dict[str, list[str]] = {}
    for tag, value in rec.tags:
        if value:
            tags.setdefault(tag, []).append(value)

    ty = (rec.tags[0][1] or "GEN").strip().upper()
    author_values = [v for t in _AUTHOR_TAGS for v in tags.get(t, [])]
    editor_values = [v for t in _EDITOR_TAGS for v in tags.get(t, [])]
    for role, values in (("authors", author_values), ("editors", editor_values)):
        # some databases put several names in one line, separated by ';'
        check_values(sum(v.count(";") + 1 for v in values), source, f"record {rec.number}", role)
    authors, authors_full, et_al = _names(author_values)
    editors, editors_full, _ = _names(editor_values)

    title = _first(d, "title", "primary_title") or _first(tags, "CT", "BT")
    if ty in _JOURNALS:
        journal = _first(d, "secondary_title", "journal_name", "alternate_title3",
                         "alternate_title2", "alternate_title1")  # fmt: skip
    elif ty in _IN_CONTAINER:
        # Scopus puts the proceedings title of a CONF record in C3
        journal = _first(d, "secondary_title") or _first(tags, "BT")
        if not journal and ty in ("CONF", "CPAPER"):
            journal = _first(d, "custom3")
    else:
        journal = ""

    start = _first(d, "start_page")
    end = _first(d, "end_page")
    if start and end and end != start and "-" not in start:
        pages = f"{start}-{end}"
    else:
        pages = start or end
    article_number = _first(d, "custom7")
    pages = clean_pages(pages or article_number)

    urls = [u for u in d.get("urls", []) if u]
    doi = clean_doi(_first(d, "doi"))
    if not doi:
        doi = next((clean_doi(u) for u in urls if re.search(r"doi\.org/", u)), "")
    doi = unquote(doi)
    pmid = ""
    database = _first(d, "name_of_database")
    accession = _first(d, "accession_number")
    if re.search(r"pubmed|medline", database, re.I) and re.fullmatch(r"\d{1,9}", accession):
        pmid = accession
    if not pmid:
        for note in [*tags.get("N1", []), *tags.get("M1", []), *tags.get("AN", [])]:
            m = re.search(r"\bPMID:?\s*(\d{1,9})\b", note)
            if m:
                pmid = m.group(1)
                break

    date = _first(d, "year", "publication_year", "date")
    year = year_of(date)
    extra: dict = {"ris_type": ty}
    for raw_date in (_first(d, "date"), _first(d, "year"), _first(d, "publication_year")):
        parts = [p for p in raw_date.split("/") if p.strip()]
        if len(parts) >= 2:
            month = month_of(parts[1])
            if isinstance(month, int):
                extra["month"] = month
                break
    if d.get("abstract") or d.get("notes_abstract"):
        extra["abstract"] = _first(d, "abstract", "notes_abstract")
    if d.get("keywords"):
        extra["keywords"] = [k for k in d["keywords"] if k]
    if d.get("notes"):
        extra["notes"] = [n for n in d["notes"] if n]
    sn = _first(d, "issn")
    if sn:
        extra["isbn" if ty in ("BOOK", "EBOOK", "EDBOOK", "CHAP", "ECHAP") else "issn"] = sn
    for key, name in (
        ("alternate_title1", "journal_abbrev"),
        ("alternate_title2", "journal_abbrev"),
        ("short_title", "short_title"),
        ("type_of_work", "type_of_work"),
        ("name_of_database", "database"),
        ("accession_number", "accession_number"),
        ("custom7", "article_number"),
        ("tertiary_title", "series"),
        ("date", "date"),
        ("author_address", "author_address"),
        ("note", "note"),
    ):
        value = _first(d, key)
        if value and name not in extra:
            extra[name] = value
    if ty not in _JOURNALS and ty not in _IN_CONTAINER and _first(d, "secondary_title"):
        extra.setdefault("series", _first(d, "secondary_title"))
    if len(urls) > 1:
        extra["urls"] = urls
    unknown = d.get("unknown_tag")
    if unknown:
        extra["ris_other"] = {k: list(v) for k, v in unknown.items() if k not in _EDITOR_TAGS}
        if not extra["ris_other"]:
            del extra["ris_other"]
    if authors_full:
        extra["authors_full"] = authors_full
    if editors_full:
        extra["editors_full"] = editors_full

    csl, leftovers = ris_to_csl(ty, rec.tags, name=_csl_name)
    extra.update(leftovers)
    issue, supplement = split_supplement(_first(d, "number"))
    type_code = RIS_TYPES.get(ty, "Z")
    if ty == "GEN" and _first(d, "type_of_work").lower() == "archive":
        type_code = "A"  # how tui.cite.ris writes GB/T 7714's 档案
    elif type_code == "Z" and urls:
        type_code = "EB"
    return Work(
        key=_first(d, "id"),
        authors=authors,
        et_al=et_al,
        title=title,
        type=type_code,
        journal=journal,
        year=year,
        volume=_first(d, "volume"),
        issue=issue,
        supplement=supplement,
        pages=pages,
        doi=doi,
        pmid=pmid,
        url=urls[0] if urls else "",
        accessed=_iso_date(_first(d, "access_date")) if d.get("access_date") else "",
        publisher=_first(d, "publisher"),
        place=_first(d, "place_published"),
        edition=_first(d, "edition"),
        editors=editors,
        lang=_first(d, "language") or "en",
        raw="\n".join(rec.lines),
        extra=extra,
        csl=csl,
    )
