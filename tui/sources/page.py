"""Import a review from the article page of a Magtech journal site (text or HTML).

Hundreds of Chinese journals publish on the Magtech platform; its article page has a
header line ("内科理论与实践 ›› 2025, Vol. 20 ›› Issue (04): 340-344.doi: ..."), the
dates, the corresponding author, the abstract, the two citation lines (Chinese and
English) and a table of references followed by a table of related articles.  The
scraped text of such a page renders the tables as "| [n] | text | " rows.

Everything here is positional text parsing of one platform's layout, which no library
does; HTML is first turned into the same text with the standard library's
`html.parser`.  Where the page does not give a field it stays empty: nothing is
invented (the shipped page has no Chinese title block and a broken English byline, so
titles, authors and journal come from the citation lines).
"""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser

from tui.errors import ParseError
from tui.model import Review, Work, has_cjk
from tui.sources.gbt import parse_reference
from tui.sources.keys import _family_part, unique_keys
from tui.sources.limits import check_field

__all__ = ["parse_page", "html_to_text", "looks_like_html"]

_SEP = r"\s*[:：]\s*"
_DATE = r"(\d{4}-\d{1,2}-\d{1,2})"
_HEADER = re.compile(
    r"^[ \t]*(?P<journal>[^\n|]*?\S)\s*(?:››|»|>>|›)\s*"
    r"(?P<year>\d{4})\s*[,，]\s*Vol\.?\s*(?P<volume>[^\s›»>]+)\s*(?:››|»|>>|›)\s*"
    r"Issue\s*\((?P<issue>[^)]*)\)\s*[:：]\s*(?P<pages>[\w\-–]+)"
    r"[.。\s]*(?:doi\s*[:：]\s*(?P<doi>10\.\S+))?",
    re.M | re.I,
)
_DATES = {
    # field: (Chinese label, English label)
    "received": ("收稿日期", "Received"),
    "online": ("出版日期", "Online"),
    "published": ("发布日期", "Published"),
}
_CORRESPONDING = re.compile(
    r"通讯作者" + _SEP + r"(?P<name>[^\n:：]*?)\s*"
    r"(?:E-?mail" + _SEP + r"(?P<email>[^\s<>@]+@[^\s<>]+)?|\n|$)",
    re.I,
)
_ROW = re.compile(r"^\s*\|\s*(?:\[(?P<n>\d{1,4})\]|(?P<n2>\d{1,4})\.)\s*\|(?P<text>.*)\|\s*$")
# a reference printed as a plain line: "[3] Papara C, ... [J]. Front Med, 2023, 10:1108623."
_LINE_REF = re.compile(
    r"^\s*\[(?P<n>\d{1,4})\]\s*(?P<text>\S.*\[[A-Z]{1,2}(?:/[A-Z]{2})?\].*?)\s*$"
)
_LABEL = re.compile(
    r"^\s*(摘要|中图分类号|关键词|Abstract|Key\s*words|Keywords|引用本文|"
    r"Cite this article|参考文献|References|相关文章|通讯作者|基金资助|作者简介)\s*[:：]?",
    re.I,
)
_CITE_PREFIX = re.compile(r"^\s*(?:引用本文|Cite this article)\s*[:：]\s*", re.I)


def looks_like_html(text: str) -> bool:
    head = text[:20000]
    return bool(re.search(r"<(?:!doctype\s+html|html|body|table|td|div|p)\b", head, re.I))


class _TextMaker(HTMLParser):
    """HTML -> the same text a browser scrape gives: blocks on their own lines,
    table rows as "| cell | cell | "."""

    BLOCK = frozenset(
        "p div br li ul ol h1 h2 h3 h4 h5 h6 table tbody thead section article header "
        "footer dd dt dl title form blockquote pre hr".split()
    )
    SKIP = frozenset({"script", "style", "noscript", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.meta: list[tuple[str, str]] = []  # (name, content) of <meta> and canonical link

    def handle_starttag(self, tag, attrs):
        if tag == "meta":
            a = {k.lower(): (v or "") for k, v in attrs}
            name = (a.get("name") or a.get("property") or "").strip().lower()
            if name and a.get("content", "").strip():
                self.meta.append((name, a["content"].strip()))
            return
        if tag == "link":
            a = {k.lower(): (v or "") for k, v in attrs}
            if a.get("rel", "").lower() == "canonical" and a.get("href"):
                self.meta.append(("canonical", a["href"].strip()))
            return
        if tag in self.SKIP:
            self.skip += 1
        elif tag == "tr":
            self._end_row()
            self.row = []
        elif tag in ("td", "th"):
            self._end_cell()
            if self.row is None:
                self.row = []
            self.cell = []
        elif tag in self.BLOCK and self.cell is None:
            self.out.append("\n")
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag == "table":
            self._end_row()
            self.out.append("\n")
        elif tag in self.BLOCK and self.cell is None:
            self.out.append("\n")

    def handle_data(self, data):
        if self.skip:
            return
        if self.cell is not None:
            self.cell.append(data)
        elif self.row is not None:
            if data.strip():  # text between cells: keep it as a cell of its own
                self.row.append(data.strip())
        else:
            self.out.append(data)

    def _end_cell(self):
        if self.cell is not None and self.row is not None:
            # line breaks inside a cell are layout, runs of spaces are kept as printed
            text = re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", "".join(self.cell)).strip()
            self.row.append(text)
        self.cell = None

    def _end_row(self):
        self._end_cell()
        if self.row is not None:
            if any(self.row):
                self.out.append("\n| " + " | ".join(self.row) + " | \n")
            self.row = None

    def text(self) -> str:
        self._end_row()
        return "".join(self.out)


def html_to_text(html: str) -> str:
    return _convert(html)[0]


def _convert(html: str) -> tuple[str, list[tuple[str, str]]]:
    maker = _TextMaker()
    maker.feed(html)
    maker.close()
    return maker.text(), maker.meta


def _from_meta(meta: list[tuple[str, str]], review: Review) -> None:
    """Fill fields the visible page left empty from Highwire/Dublin Core <meta> tags
    (citation_title, citation_author, citation_doi, ...), which Magtech pages carry."""
    authors_zh: list[str] = []
    authors_en: list[str] = []

    def put(name: str, value: str) -> None:
        if value and not getattr(review, name):
            setattr(review, name, value)

    for name, value in meta:
        zh = has_cjk(value)
        if name in ("citation_title", "dc.title"):
            put("title_zh" if zh else "title_en", value)
        elif name in ("citation_author", "dc.creator"):
            (authors_zh if zh else authors_en).append(value)
        elif name in ("citation_journal_title", "dc.source"):
            put("journal_zh" if zh else "journal_en", value)
        elif name in ("citation_doi", "dc.identifier") and value.lower().startswith(
            ("10.", "doi:", "https://doi.org/")
        ):
            put("doi", re.sub(r"^(?:doi:\s*|https://doi\.org/)", "", value, flags=re.I))
        elif name == "citation_volume":
            put("volume", value)
        elif name == "citation_issue":
            put("issue", value)
        elif name in ("citation_publication_date", "citation_date", "dc.date"):
            y = re.match(r"\d{4}", value)
            if y and not review.year:
                review.year = int(y.group())
        elif name in ("citation_keywords", "keywords"):
            words = [k.strip() for k in re.split(r"[,，;；]", value) if k.strip()]
            field = "keywords_zh" if zh else "keywords_en"
            if words and not getattr(review, field):
                setattr(review, field, words)
        elif name in ("canonical", "og:url", "citation_abstract_html_url"):
            put("url", value)
    if authors_zh and not review.authors_zh:
        review.authors_zh = authors_zh
    if authors_en and not review.authors_en:
        review.authors_en = authors_en
    first = dict(meta).get("citation_firstpage", "")
    last = dict(meta).get("citation_lastpage", "")
    if first and not review.pages:
        review.pages = f"{first}-{last}" if last and last != first else first


def parse_page(text: str, *, source: str = "") -> tuple[Review, list[Work]]:
    """Parse a Magtech article page (scraped text or HTML) into the review and its
    references and related articles.  Raises ParseError if it is not such a page."""
    checksum = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    meta: list[tuple[str, str]] = []
    if looks_like_html(text):
        body, meta = _convert(text)
    else:
        body = text
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    lines = body.split("\n")

    works = _table(lines, source)
    cite_zh, cite_en = _citation_lines(lines)
    if not works and not cite_zh and not cite_en:
        raise ParseError(
            "not a journal article page (no citation lines and no reference table)",
            file=source,
        )

    review = Review(source=source, checksum=checksum)
    review.citation_zh, review.citation_en = cite_zh, cite_en
    _from_citations(review)
    _from_header(body, review)
    _dates(body, review)
    _corresponding(body, review)
    review.abstract_zh = _block(lines, ("摘要",))
    review.abstract_en = _block(lines, ("Abstract",))
    review.keywords_zh = _keywords(body, r"关键词")
    review.keywords_en = _keywords(body, r"Key\s*words|Keywords")
    m = re.search(r"中图分类号[ \t]*[:：][ \t]*([A-Z][^\n]*)", body)
    review.clc = m.group(1).strip() if m else ""
    _from_meta(meta, review)
    review.key = _review_key(review)

    unique_keys(works)
    return review, works


def _table(lines: list[str], source: str = "") -> list[Work]:
    """The "| [n] | text | " rows: references, then (numbers restart) related articles."""
    works: list[Work] = []
    kind, prev = "reference", 0
    rows = [m for m in map(_ROW.match, lines) if m]
    if not rows:  # no table: references as "[n] text" lines
        rows = [m for m in map(_LINE_REF.match, lines) if m]
    for m in rows:
        n = int(m["n"] or m["n2"])
        if works and n <= prev:
            if kind == "reference":
                kind = "related"
            else:
                works[-1].warnings.append(f"numbering restarts again at [{n}]")
        elif works and n != prev + 1:
            missing = f"[{prev + 1}]" + (f"-[{n - 1}]" if n - 1 > prev + 1 else "")
            works[-1].warnings.append(f"{missing} missing after this one")
        prev = n
        check_field(m["text"], source, f"reference [{n}]", "the reference")  # 1 MB, as all
        work = parse_reference(m["text"].strip(), n=n, record=True)
        work.kind = kind
        work.review = ""  # the store fills it
        works.append(work)
    return works


def _citation_lines(lines: list[str]) -> tuple[str, str]:
    """The two "how to cite this article" lines, exactly as printed."""
    zh = en = ""
    for line in lines:
        if line.lstrip().startswith("|") or _LINE_REF.match(line):
            continue
        text = _CITE_PREFIX.sub("", line).strip()
        if not re.search(r"\[J(?:/OL)?\]", text) or not re.search(r"[,，]\s*\d{4}", text):
            continue
        w = parse_reference(text)
        if not w.title or not w.year:
            continue
        if has_cjk(text):
            zh = zh or text
        else:
            en = en or text
    return zh, en


def _from_citations(review: Review) -> None:
    if review.citation_zh:
        w = parse_reference(review.citation_zh)
        review.title_zh, review.authors_zh, review.journal_zh = w.title, w.authors, w.journal
        _numbers(review, w)
    if review.citation_en:
        w = parse_reference(review.citation_en)
        review.title_en, review.authors_en, review.journal_en = w.title, w.authors, w.journal
        _numbers(review, w)


def _numbers(review: Review, w: Work) -> None:
    for name in ("year", "volume", "issue", "pages", "doi"):
        value = getattr(w, name)
        if value and not getattr(review, name):
            setattr(review, name, value)


def _from_header(body: str, review: Review) -> None:
    m = _HEADER.search(body)
    if not m:
        return
    found = {
        "journal_zh": m["journal"].strip(),
        "year": int(m["year"]),
        "volume": m["volume"],
        "issue": m["issue"].strip(),
        "pages": m["pages"],
        "doi": (m["doi"] or "").rstrip(".,;"),
    }
    if not has_cjk(found["journal_zh"]):
        found["journal_en"] = found.pop("journal_zh")
    for name, value in found.items():
        if not value:
            continue
        have = getattr(review, name)
        if have and have != value:
            review.warnings.append(f"{name}: header says {value!r}, citation says {have!r}")
        else:
            setattr(review, name, value)


def _dates(body: str, review: Review) -> None:
    for name, (zh, en) in _DATES.items():
        mz = re.search(zh + _SEP + _DATE, body)
        me = re.search(r"\b" + en + r"\s*:\s*" + _DATE, body)
        dz = _iso(mz.group(1)) if mz else ""
        de = _iso(me.group(1)) if me else ""
        if dz and de and dz != de:
            review.warnings.append(f"{name}: {zh} {dz} but {en} {de}")
        setattr(review, name, dz or de)


def _iso(date: str) -> str:
    y, m, d = date.split("-")
    return f"{int(y):04d}-{int(m):02d}-{int(d):02d}"


def _corresponding(body: str, review: Review) -> None:
    m = _CORRESPONDING.search(body)
    if not m:
        return
    name = m["name"].strip(" \t*,;，；")
    # The page prints the Chinese name with a space between family and given name
    # ("陈 佳"); a Chinese name is written without one, so join it ("陈佳").
    if name and all(has_cjk(ch) or ch.isspace() for ch in name):
        name = "".join(name.split())
    review.corresponding_author = name
    review.email = (m["email"] or "").rstrip(".,;")


def _block(lines: list[str], labels: tuple[str, ...]) -> str:
    """The paragraph(s) after a label line such as "摘要:", up to the next label,
    citation line or table row."""
    start = None
    for i, line in enumerate(lines):
        m = re.match(r"^\s*(?:" + "|".join(labels) + r")\s*[:：]\s*", line, re.I)
        if m:
            start = i
            first = line[m.end() :].strip()
            break
    if start is None:
        return ""
    paras = [first] if first else []
    for line in lines[start + 1 :]:
        s = line.strip()
        if _LABEL.match(s) or s.startswith("|") or re.search(r"\[J(?:/OL)?\]", s):
            break
        if s:
            paras.append(s)
    return "\n".join(paras)


def _keywords(body: str, label: str) -> list[str]:
    m = re.search(r"^\s*(?:" + label + r")[ \t]*[:：][ \t]*([^\n]*)", body, re.M | re.I)
    if not m:
        return []
    return [k.strip() for k in re.split(r"[,，;；、]", m.group(1)) if k.strip()]


def _review_key(review: Review) -> str:
    """Family name of the first English author + year ("lin2025")."""
    family = ""
    for name in (*review.authors_en, *review.authors_zh):
        family = _family_part(name)
        if family:
            break
    if not family:
        return ""  # nothing on the page gives one: the store picks a key
    return f"{family}{review.year or ''}"
