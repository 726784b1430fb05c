"""One reference: the elements of each document type in the order the edition prints them.

Built with half-width punctuation; `tui.cite.gbt7714.punct` widens it where the edition (or
the user's setting) prints full-width.  The examples each rule follows are quoted from the
standards (2015 clause 4 and appendix A, 2025 clause 8 and appendix B).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tui.cite.gbt7714.casing import is_title_case, sentence_case
from tui.cite.gbt7714.people import format_names, is_chinese_list
from tui.cite.gbt7714.record import Rec, protected
from tui.model import has_cjk

_DASHES = re.compile(r"\s*[\u2010-\u2015\u2212~～]\s*")
# contributions printed "[M]//host": a chapter, a paper, a standard in a collection
_IN_HOST = {"incollection", "inbook", "inproceedings", "conference", "bookinbook", "inreference"}
_BOOKISH = {"M", "C", "G", "D", "R", "S", "A", "Z", "CM", "DB", "CP"}
# network-born types: 2025 prints their access date, and the no-URL variant keeps their URL
_NETWORK = {"EB", "DS", "PP", "CP", "DB"}
_ORDINALS = {w: i for i, w in enumerate(
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
    "twelfth".split())}  # fmt: skip
_LATIN_TEXT = re.compile(r"[A-Za-z]")
_WORD_DASH = re.compile(r"(?<=[^\W\d])[–—](?=[^\W\d])")  # "technology–Telecom…" -> "—"
_STANDARD_YEAR = re.compile(r"(?<=\S)[-–](\d{4})$")  # "AIAA G-136-2022" -> "G-136—2022"


@dataclass(frozen=True, slots=True)
class Options:
    edition: str = "2025"  # "2015" | "2025"
    url: bool = True  # False: the -nourl variant (no URL, access date or /OL)
    author_date: bool = False  # 著者-出版年制: the year follows the names
    lexicon: frozenset = frozenset()  # proper nouns learned from the library (or LazyLexicon)
    year_suffix: str = ""  # author-date: "a", "b" for one author's works of one year


def number(text: str) -> str:
    """'04' -> '4'; anything that is not a plain number is kept ('Suppl 1', '12A')."""
    text = text.strip()
    return str(int(text)) if text.isdigit() else text


def pages(text: str) -> str:
    return _DASHES.sub("-", text.strip())


def dot(text: str, more: str) -> str:
    """Join two elements with '. ', without doubling a full stop ('et al.', '4th ed.')."""
    if not text:
        return more
    if not more:
        return text
    return f"{text} {more}" if text.endswith((".", "?", "!")) else f"{text}. {more}"


def _cased(text: str, rec: Rec, opt: Options) -> str:
    if not text or has_cjk(text) or rec.lang in ("de", "ru") or not _LATIN_TEXT.search(text):
        return text
    text = _WORD_DASH.sub("—", text) if "–" in text or "—" in text else text
    if not is_title_case(text):
        return text
    names = {n.get("family", "") for n in (*rec.author, *rec.editor)}
    return sentence_case(text, protected(rec.raw) | names, opt.lexicon)


def edition_text(rec: Rec) -> str:
    """'Fourth' -> '4th ed.', Chinese '2' -> '2版'; '修订版', 'Rev. ed.' as written."""
    ed = rec.edition.strip()
    if not ed:
        return ""
    low = ed.lower().rstrip(".")
    if low.endswith(" edition"):
        low = low[: -len(" edition")]
    n = _ORDINALS.get(low)
    if n is None and re.fullmatch(r"\d+(st|nd|rd|th)?", low):
        n = int(re.match(r"\d+", low).group())
    if n is None:
        return ed
    if n <= 1:
        return ""
    if rec.lang in ("zh", "ja"):
        return f"{n}版"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix} ed."


def volume_text(volume: str, lang: str) -> str:
    """A volume of a multi-volume work after its title: '第 1 卷', '제 1 권'."""
    v = volume.strip()
    if not v.isdigit():
        return v
    if lang == "zh":
        return f"第 {int(v)} 卷"
    if lang == "ko":
        return f"제 {int(v)} 권"
    return f"v.{int(v)}"


def journal_title(text: str) -> str:
    """An abbreviated journal title without its full stops: 'Br. Med. J.' -> 'Br Med J'."""
    words = text.split()
    if words and any(w.endswith(".") for w in words) and not has_cjk(text):
        return " ".join(w.rstrip(".") if len(w) <= 8 else w for w in words)
    return text


def is_online(rec: Rec, opt: Options) -> bool:
    if rec.code in _NETWORK:
        return True
    # 2025 counts a DOI as an access path: "邱均平, 2000a. …[J/OL]. …. DOI:10.16353/…"
    # (9.3.1.3), where 2015 prints [J] for a DOI without a URL
    doi = bool(rec.doi) and opt.edition == "2025"
    return opt.url and (bool(rec.url) or doi or rec.medium.upper() == "OL")


def contribution(rec: Rec) -> bool:
    return rec.entry in _IN_HOST or (rec.code in ("M", "C", "S", "CM") and bool(rec.container)
                                      and rec.entry not in ("book", "proceedings", "collection"))  # fmt: skip


def creators(rec: Rec, opt: Options) -> str:
    if rec.code == "S" and opt.edition == "2025":
        return ""
    names = rec.author
    if rec.code == "P" and rec.holder:
        names = rec.holder
    elif not names and not contribution(rec):
        names = rec.editor  # an editor stands in for a missing author
    return format_names(names, opt.edition, rec.et_al and names is rec.author, lang=rec.lang)


def anonymous(rec: Rec) -> str:
    return "佚名" if rec.lang in ("zh", "ja") or has_cjk(rec.title) else "Anon"


def title_block(rec: Rec, opt: Options) -> str:
    """'国史旧闻: 第 1 卷[M]', 'Title: GB/T 25100—2010[S]', 'GB/T 3792—2021 Title[S]'."""
    title = rec.title.rstrip(". ")
    # a journal's or a website's own name is not put in sentence case (2025 8.11.2.2:
    # "Library of Congress[EB/OL]")
    if rec.entry != "periodical" and not (rec.code == "EB" and not rec.author and not rec.issued):
        title = _cased(title, rec, opt)
    num = _STANDARD_YEAR.sub(r"—\1", rec.number) if rec.code == "S" else rec.number
    if rec.code == "S" and opt.edition == "2025" and num:
        title = f"{num} {title}"
    elif num and rec.code in ("S", "P", "R", "A"):
        title = f"{title}: {num}"
    if rec.volume and rec.code in ("M", "C", "G", "CM") and not contribution(rec):
        if rec.entry != "periodical":
            title = f"{title}: {volume_text(rec.volume, rec.lang)}"
    if rec.scale and rec.code == "CM":
        title = f"{title}. {rec.scale}"
    mark = f"[{rec.code}/OL]" if is_online(rec, opt) else f"[{rec.code}]"
    return title + mark


def translators(rec: Rec, opt: Options) -> str:
    if not rec.translator:
        return ""
    names = format_names(rec.translator, opt.edition)
    return f"{names}, 译" if is_chinese_list(rec.translator) or rec.lang == "zh" else (
        f"{names}, trans")  # fmt: skip


def host(rec: Rec, opt: Options) -> str:
    """'//EDITORS. Book: 第 1 册' of a contribution."""
    eds = format_names(rec.editor, opt.edition)
    book = _cased(rec.container, rec, opt) if rec.container else rec.event  # a name: as is
    if rec.volume:
        book = f"{book}: {volume_text(rec.volume, rec.lang)}"
    return dot(eds, book)


def year_of(rec: Rec) -> str:
    return rec.year or rec.issued[:4]
