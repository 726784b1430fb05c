"""Parse one printed GB/T 7714 reference string into a `Work`.

No library parses GB/T 7714 reference strings (citation parsers such as anystyle or
GROBID are trained models for Western styles and are not Python libraries we can
ship), so this is our own code: a small, forgiving, position-keeping parser.

The approach: translate full-width punctuation to ASCII one character for one
character (so every offset in the normalised text is also an offset in the original),
find the type code ("[J]", "[M]", "[J/OL]", "[EB/OL]", ...), split what stands before
it into authors and title, and parse what follows it according to the type.  Text
fields (title, journal, publisher, place) are sliced from the original string, so a
Chinese title keeps its full-width punctuation.  `parse_reference` never raises:
whatever it cannot read is reported in `Work.warnings` and `Work.raw` always holds
the string as printed.
"""

from __future__ import annotations

import re

from tui.model import Work, has_cjk

__all__ = ["parse_reference", "TYPE_CODES", "MEDIA"]

# GB/T 7714-2015, 4.1 / Annex B: document type codes, and carrier codes after "/".
TYPE_CODES = frozenset(
    {"M", "C", "G", "N", "J", "D", "R", "S", "P", "DB", "CP", "EB", "A", "CM", "DS", "Z"}
)
MEDIA = frozenset({"MT", "DK", "CD", "OL"})

# Full-width forms U+FF01..U+FF5E map to ASCII 0x21..0x7E; plus the ideographic space
# and full stop.  One character for one character: offsets stay valid.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0x3002: 0x2E, 0x00A0: 0x20})

_NUMBER = re.compile(r"\s*(?:\[(\d{1,4})\]|(\d{1,4})\.(?=\s|\D))\s*")
_MARKER = re.compile(r"\[(?P<code>[A-Z]{1,2})(?:/(?P<medium>[A-Z]{2}))?\](?=\s*(?:[.,:;/]|$))")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_DATE = r"\d{4}-\d{1,2}-\d{1,2}"

# Identifiers printed after the source part.
_DOI_URL = re.compile(r"https?://(?:dx\.)?doi\.org/(?P<doi>10\.\S+)", re.I)
_DOI = re.compile(r"\bdoi\s*:?\s*(?P<value>\S+)", re.I)
_PMID = re.compile(r"\bpmid\s*:?\s*(?P<value>\d+)", re.I)
_PMCID = re.compile(r"\bpmcid\s*:?\s*(?P<value>PMC\d+)", re.I)
_URL = re.compile(r"https?://\S+", re.I)
_ACCESSED = re.compile(rf"\[(?P<date>{_DATE})\]")

_J_SOURCE = re.compile(
    r"""[\s.,]*
    (?P<journal>.+?)\s*,\s*
    (?P<year>\d{4})[a-z]?
    (?:\s*,\s*(?P<volume>[^,():;\s][^,():;]*?))?
    \s*(?:\((?P<issue>[^()]*)\))?
    \s*(?::\s*(?P<pages>[^\s,;:]+?(?:\s*,\s*[^\s,;:]+?)*?))?
    [\s.,;]*""",
    re.X,
)
_N_SOURCE = re.compile(
    rf"[\s.,]*(?P<journal>.+?)\s*,\s*(?P<date>{_DATE})\s*(?:\((?P<pages>[^()]*)\))?[\s.,;]*"
)
_EDITION = re.compile(
    r"[\s.,]*(?P<edition>\d+(?:st|nd|rd|th)\s+ed|Rev\s+ed|\d+\s*版|第\s*\S{1,3}\s*版)\s*\.",
    re.I,
)
_PUB_SOURCE = re.compile(
    r"""[\s.,]*
    (?:(?P<place>[^:,.]+?)\s*:\s*)?
    (?:(?P<publisher>[^:]+?)\s*,\s*)?
    (?P<year>\d{4})(?:-\d{1,2}-\d{1,2})?[a-z]?
    (?:\s*:\s*(?P<pages>[^\s,;:]+?(?:\s*,\s*[^\s,;:]+?)*?))?
    [\s.,;]*""",
    re.X,
)
_UPDATED = re.compile(rf"\((?P<date>{_DATE})\)")
_SUPPL = re.compile(r"^(?P<before>.*?)\s*(?P<supp>(?:Suppl(?:ement)?\.?|增刊|Sup\.?)\s*\S*)$", re.I)
_ET_AL = frozenset({"et al", "等", "等人"})
_NAME_END = re.compile(r"[,.、]")
_EDITOR_WORDS = re.compile(r"[\s,]*(?:eds?\.?|主编|编|编著|译)$", re.I)


def _iso(date: str) -> str:
    """'2020-5-1' -> '2020-05-01'."""
    y, m, d = date.split("-")
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"


def _q(s: str, limit: int = 60) -> str:
    """Quote a piece of text for a warning, shortened."""
    return repr(s if len(s) <= limit else s[: limit - 1] + "…")


def _clean(s: str) -> str:
    """Trim spaces and the punctuation that separates elements (ASCII and full-width)."""
    return s.strip(" \t\r\n\u3000.,;，．。；")


def parse_reference(text: str, *, n: int = 0, record: bool = False) -> Work:
    """One printed reference in, a `Work` out.  Never raises.

    With `record`, the work also gets its CSL record (`Work.csl`), as far as the printed
    string allows (tui.mapping.printed); the review page's importer asks for it.

    >>> w = parse_reference("Teske N, Fett N. Recent advances[J]. Am J Clin Dermatol, 2024, 25(2):213-226.")
    >>> w.authors, w.journal, w.year, w.volume, w.issue, w.pages
    (['Teske N', 'Fett N'], 'Am J Clin Dermatol', 2024, '25', '2', '213-226')
    """
    text = text if isinstance(text, str) else str(text)
    raw = text.strip()
    work = Work(n=n, raw=raw, type="")
    try:
        _parse(raw, work)
    except Exception as exc:  # a bug must not lose the line: keep raw, say what failed
        work.warnings.append(f"could not parse reference ({type(exc).__name__}: {exc})")
    if not work.type:
        work.type = "Z"
    work.lang = "zh" if has_cjk(work.raw) else "en"
    if record:
        from tui.mapping.printed import printed_to_csl

        try:
            work.csl = printed_to_csl(work)
        except Exception as exc:  # as above: the fields stay; the record is left out
            work.warnings.append(f"could not make its record ({type(exc).__name__}: {exc})")
    return work


def _parse(raw: str, work: Work) -> None:
    norm = raw.translate(_FULLWIDTH)
    m = _NUMBER.match(norm)
    start = 0
    if m and (m.group(1) or m.group(2)) and m.end() < len(norm):
        if not work.n:
            work.n = int(m.group(1) or m.group(2))
        start = m.end()
        raw = raw[start:]
        norm = norm[start:]
        work.raw = raw
    if not norm.strip():
        work.warnings.append("empty reference")
        return

    marker = _find_marker(norm)
    if marker is None:
        work.warnings.append("no document type code such as [J] or [M] found")
        _parse_without_marker(raw, norm, work)
        return
    work.type = marker["code"]
    work.medium = marker["medium"] or ""

    head_end = marker.start()
    title_start = _authors(norm, head_end, work)
    work.title = raw[title_start:head_end].strip()
    if not work.title:
        work.warnings.append("no title found")

    tail_start = marker.end()
    if norm.startswith("//", tail_start):
        _parse_container(raw, norm, tail_start + 2, work)
    else:
        _parse_source(raw, norm, tail_start, work)


def _find_marker(norm: str) -> re.Match | None:
    for m in _MARKER.finditer(norm):
        if m["code"] in TYPE_CODES and (m["medium"] is None or m["medium"] in MEDIA):
            return m
    return None


def _authors(norm: str, end: int, work: Work) -> int:
    """Read the author list at the start of norm[:end]; return where the title starts.

    Names are separated by "," (or "、"); the list ends at the first "." after a name
    ("et al." and "等" end it too).  Empty names ("胡炯,." on Magtech pages) are dropped.
    If the text does not look like an author list the whole head is the title.
    """
    pos = 0
    names: list[str] = []
    et_al = False
    while pos < end:
        m = _NAME_END.search(norm, pos, end)
        if m is None:
            break
        token = norm[pos : m.start()].strip()
        delim = m.group()
        pos = m.end()
        low = token.lower()
        if low in _ET_AL:
            et_al = True
            return _skip(norm, pos, end, work, names, et_al)
        if token and not _plausible_name(token):
            names = []
            break
        if token:
            if delim == "." and has_cjk(token) and len(token) >= 3 and token.endswith("等"):
                # "王五等." printed without a comma before 等
                token, et_al = token[:-1], True
            names.append(token)
        if delim == ".":
            return _skip(norm, pos, end, work, names, et_al)
    work.warnings.append("no author list found")
    return 0


def _skip(norm: str, pos: int, end: int, work: Work, names: list[str], et_al: bool) -> int:
    # a stray "." or "," after "et al." / "等" (e.g. "等,."), then spaces
    while pos < end and norm[pos] in " \t\r\n.,":
        pos += 1
    work.authors = names
    work.et_al = et_al
    return pos


def _plausible_name(token: str) -> bool:
    if len(token) > 120 or ":" in token or "[" in token:
        return False
    if has_cjk(token):
        return True
    return len(token.split()) <= 8


def _parse_without_marker(raw: str, norm: str, work: Work) -> None:
    """Vancouver-like "Authors. Title. Journal, 2020, 1(2):3-4." without a type code."""
    ids_at = _identifiers(raw, norm, 0, work)
    body_end = ids_at
    title_start = _authors(norm, body_end, work) if "." in norm[:body_end] else 0
    dot = norm.find(". ", title_start, body_end)
    if dot > 0:
        work.title = raw[title_start:dot].strip()
        m = _J_SOURCE.fullmatch(norm, dot + 1, body_end)
        if m:
            work.type = "J"
            _fill_journal(raw, m, work)
            return
    else:
        work.title = raw[title_start:body_end].strip().rstrip(".")
    y = _YEAR.search(norm, title_start, body_end)
    if y:
        work.year = int(y.group())


def _identifiers(raw: str, norm: str, start: int, work: Work) -> int:
    """Pull DOI, PMID, PMCID, URL and access date out of norm[start:]; return where the
    first one begins (the end of the source part).  Unread text there is a warning."""
    spans: list[tuple[int, int]] = []
    end = len(norm)

    for m in _DOI_URL.finditer(norm, start):
        if not work.doi:
            work.doi = m["doi"].rstrip(".,;")
        spans.append(m.span())
    for m in _DOI.finditer(norm, start):
        if any(a <= m.start() < b for a, b in spans):
            continue
        value = m["value"].rstrip(".,;")
        url = _DOI_URL.fullmatch(value)
        if url:  # "doi: https://doi.org/10...."
            value = url["doi"].rstrip(".,;")
        if value.lower().startswith("10."):
            work.doi = work.doi or value
        elif value:
            # Magtech prints a publisher item identifier where the DOI belongs.
            work.pii = work.pii or value
            work.warnings.append(
                f"'doi: {value}' is not a DOI (a DOI starts with 10.); kept as PII"
            )
        spans.append(m.span())
    for m in _PMID.finditer(norm, start):
        work.pmid = work.pmid or m["value"]
        spans.append(m.span())
    for m in _PMCID.finditer(norm, start):
        work.extra.setdefault("pmcid", m["value"])
        spans.append(m.span())
    for m in _URL.finditer(norm, start):
        if any(a <= m.start() < b for a, b in spans):
            continue
        work.url = work.url or raw[m.start() : m.end()].rstrip(".,;")
        spans.append(m.span())
    for m in _ACCESSED.finditer(norm, start):
        work.accessed = work.accessed or _iso(m["date"])
        spans.append(m.span())

    if not spans:
        return end
    spans.sort()
    first = spans[0][0]
    # whatever is left between and after the identifiers should only be punctuation
    pos = first
    leftovers = []
    for a, b in spans:
        if a > pos:
            leftovers.append(norm[pos:a])
        pos = max(pos, b)
    leftovers.append(norm[pos:])
    rest = _clean(" ".join(_clean(x) for x in leftovers))
    if rest:
        work.warnings.append(f"unread text after the source: {_q(rest)}")
    return first


def _parse_source(raw: str, norm: str, start: int, work: Work) -> None:
    end = _identifiers(raw, norm, start, work)
    code = work.type
    if code == "J":
        m = _J_SOURCE.fullmatch(norm, start, end)
        if m:
            _fill_journal(raw, m, work)
            return
    elif code == "N":
        m = _N_SOURCE.fullmatch(norm, start, end)
        if m:
            work.journal = _clean(raw[m.start("journal") : m.end("journal")])
            work.extra["date"] = _iso(m["date"])
            work.year = int(m["date"][:4])
            work.pages = (m["pages"] or "").strip()
            return
    else:
        if _parse_publication(raw, norm, start, end, work):
            return
    # Could not read the source part: keep the year if there is one.
    y = _YEAR.search(norm, start, end)
    if y:
        work.year = int(y.group())
    part = _clean(raw[start:end])
    if part or code in ("J", "N"):
        work.warnings.append(f"could not read the source part of a [{code}] reference: {_q(part)}")


def _fill_journal(raw: str, m: re.Match, work: Work) -> None:
    work.journal = _clean(raw[m.start("journal") : m.end("journal")])
    work.year = int(m["year"])
    volume = (m["volume"] or "").strip()
    issue = (m["issue"] or "").strip()
    s = _SUPPL.match(volume)
    if s:  # "9 Suppl 1"
        volume, work.supplement = s["before"], s["supp"]
    s = _SUPPL.match(issue)
    if s:  # "(Suppl 1)", "(3 Suppl)"
        issue, work.supplement = s["before"], s["supp"]
    work.volume, work.issue = volume, issue
    work.pages = (m["pages"] or "").strip()


def _parse_publication(raw: str, norm: str, start: int, end: int, work: Work) -> bool:
    """Books, theses, reports, standards, proceedings, web pages:
    "[M]. 2nd ed. New York: Springer, 2010: 12-20." / "[EB/OL]. (2012-05-03)"."""
    pos = start
    e = _EDITION.match(norm, pos, end)
    if e:
        work.edition = e["edition"]
        pos = e.end()
    u = _UPDATED.search(norm, pos, end)
    if u:  # web pages: "(update date)[access date]"
        work.extra["updated"] = _iso(u["date"])
        work.year = int(u["date"][:4])
        before = _clean(raw[pos : u.start()])
        if before:  # "Geneva: WHO, (2020-03-05)" or just "WHO"
            place, sep, publisher = before.translate(_FULLWIDTH).partition(":")
            if sep and not has_cjk(place) or (sep and len(place) <= 10):
                work.place = _clean(before[: len(place)])
                work.publisher = _clean(before[len(place) + 1 :])
            else:
                work.publisher = before
        after = _clean(norm[u.end() : end])
        if after:
            work.warnings.append(f"unread text after the date: {_q(after)}")
        return True
    if not _clean(norm[pos:end]):
        return work.medium == "OL" or work.type in ("EB", "DB", "CP")
    m = _PUB_SOURCE.fullmatch(norm, pos, end)
    if not m:
        return False
    if m["place"]:
        work.place = _clean(raw[m.start("place") : m.end("place")])
    if m["publisher"]:
        work.publisher = _clean(raw[m.start("publisher") : m.end("publisher")])
    work.year = int(m["year"])
    date = re.match(_DATE, norm[m.start("year") :])
    if date:
        work.extra["date"] = _iso(date.group())
    work.pages = (m["pages"] or "").strip()
    return True


def _parse_container(raw: str, norm: str, start: int, work: Work) -> None:
    """A part of a book or proceedings: "[C]//Editors. Book title. Place: Publisher,
    year: pages." -- the container's title goes to `journal`, its editors to `editors`."""
    end = _identifiers(raw, norm, start, work)
    # the publication part is the last ". "-separated piece that matches
    pieces = [m.end() for m in re.finditer(r"\.\s+", norm[:end]) if m.end() > start]
    # a container title has a handful of ". " at most: try the last few cuts only,
    # which keeps a pathological line from taking quadratic time
    for cut in [start, *pieces[-12:]]:
        if _PUB_SOURCE.fullmatch(norm, cut, end):
            saved = (work.place, work.publisher, work.year, work.pages)
            if _parse_publication(raw, norm, cut, end, work):
                container = raw[start:cut]
                break
            work.place, work.publisher, work.year, work.pages = saved
    else:
        container = raw[start:end]
        y = _YEAR.search(norm, start, end)
        if y:
            work.year = int(y.group())
        work.warnings.append("could not read the publication part of the container")
    parts = [_clean(p) for p in re.split(r"\.\s+", container.translate(_FULLWIDTH)) if _clean(p)]
    # re-slice from raw so full-width punctuation in titles survives
    # GB/T 7714-2015 8.1.2: "//专著主要责任者. 专著题名. 出版地: 出版者, 出版年: 页码"
    if len(parts) >= 2:
        names = _EDITOR_WORDS.sub("", parts[0])
        work.editors = [x.strip() for x in re.split(r"[,、]", names) if x.strip()]
        idx = container.translate(_FULLWIDTH).find(parts[1])
        work.journal = _clean(container[idx:]) if idx >= 0 else ". ".join(parts[1:])
    else:
        work.journal = _clean(container)
