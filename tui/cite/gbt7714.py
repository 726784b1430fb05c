"""GB/T 7714-2015 numeric (顺序编码制) references, as the standard's own examples print them.

Written here rather than run through citeproc-py with the CSL GB/T styles: those
styles lean on CSL-M extensions (per-item language switching), so citeproc-py drops
the type mark `[J]` and cannot print `等` for a Chinese item and `et al.` for an
English one in the same list. The rules below follow GB/T 7714-2015 and its
examples (sections 4, 8 and appendix A), e.g.

    KANAMORI H. Shaking without quaking[J]. Science, 1998, 279(5359): 2063.
    FRESE K S, KATUS H A, MEDER B. Next-generation sequencing: from understanding
        biology to personalized medicine[J/OL]. Biology, 2013, 2(1): 378-398
        [2013-03-19]. http://www.mdpi.com/2079-7737/2/1/378. DOI:10.3390/biology2010378.
    杨洪升. 四库馆私家抄校书考略[J]. 文献, 2013(1): 56-75.
    PEEBLES P Z, Jr. Probability, random variables, and random signal principles[M].
        4th ed. New York: McGraw-Hill, 2001.

Decisions (tested in tests/unit/test_cite_gbt7714.py):
- Western names: family name in capitals, initials without points and separated by
  spaces (8.1.2: "DES MARAIS D J", "FRESE K S"), so "De Luca DA" prints "DE LUCA D A".
  Pinyin names printed with the family name in capitals ("LIN Ruilian") are kept
  as written; CJK names and organisations are printed as written.
- At most three authors, then ", 等" for Chinese names and ", et al." for others;
  also when the source itself ended its list with et al./等. Chosen by the
  authors' script (`chinese_names`), not the item's language: a .bib entry by
  Müller, Wang and Zhang with one Chinese word in its title is a Chinese item
  for everything else but prints "MÜLLER H, WANG L, ZHANG S, et al.". Only a
  work without author names falls back to its title's script.
- Numbers are printed as numbers: an issue printed "04" by the journal becomes "4"
  (the standard's examples never pad: "2012, 55(34): 3219"). `printed` keeps "04".
- A supplement goes inside the parentheses: "2011, 9(Suppl 1): P77".
- DOI last, as "DOI:10.…", and the entry ends with a full stop like every example.
- A PII printed where a DOI belongs and a PMID are not part of GB/T 7714 and are left out.
"""

from __future__ import annotations

import re

from tui.cite.names import initial_letters, is_pinyin_name, split_name
from tui.model import Work, has_cjk

MAX_AUTHORS = 3
ET_AL_ZH = "等"
ET_AL = "et al."

# types printed with "place: publisher, year"
_BOOKISH = {"M", "C", "G", "D", "R", "S", "A", "Z", "DB", "CP"}
_DASHES = re.compile(r"\s*[\u2010-\u2015\u2212~～]\s*")


def format_name(name: str) -> str:
    """One author as GB/T 7714 prints it: 'Teske N' -> 'TESKE N', '金诗炜' as written."""
    name = " ".join(name.split()).strip(" ,;")
    if not name:
        return ""
    if has_cjk(name):
        return name.replace(" ", "") if all(has_cjk(c) or c == " " for c in name) else name
    if is_pinyin_name(name):
        return name
    author = split_name(name)
    if author.literal:
        return author.literal
    family = author.family.upper()
    initials = " ".join(initial_letters(author))
    return f"{family} {initials}".strip()


def format_authors(names: list[str], et_al: bool, chinese: bool) -> str:
    shown = [n for n in map(format_name, names) if n]
    more = et_al or len(shown) > MAX_AUTHORS
    shown = shown[:MAX_AUTHORS]
    if more and shown:
        shown.append(ET_AL_ZH if chinese else ET_AL)
    return ", ".join(shown)


def chinese_names(work: Work) -> bool:
    """True when the author list is written in CJK script ("金诗炜"): 等 after it.

    Decided by the first author written out (a list is written in one script);
    with no authors, by the title.
    """
    for name in work.authors:
        if name.strip(" ,;"):
            return has_cjk(name)
    return has_cjk(work.title)


def number(text: str) -> str:
    """'04' -> '4'; anything that is not a plain number is kept ('Suppl 1', '12A')."""
    text = text.strip()
    return str(int(text)) if text.isdigit() else text


def pages(text: str) -> str:
    return _DASHES.sub("-", text.strip())


def _type_mark(work: Work) -> tuple[str, bool]:
    code, _, medium = (work.type or "J").upper().partition("/")
    online = bool(work.url) or medium == "OL" or work.medium.upper() == "OL" or code == "EB"
    return (f"[{code}/OL]" if online else f"[{code}]"), online


def _edition(work: Work, chinese: bool) -> str:
    ed = work.edition.strip()
    if not ed or ed == "1":
        return ""
    if ed.isdigit():
        if chinese:
            return f"{ed}版"
        n = int(ed)
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix} ed."
    return ed


def _serial(work: Work) -> str:
    """'Am J Clin Dermatol, 2024, 25(2): 213-226' / '文献, 2013(1): 56-75'."""
    year = str(work.year) if work.year else ""
    issue = " ".join(x for x in (number(work.issue), work.supplement.strip()) if x)
    issue = f"({issue})" if issue else ""
    vol = number(work.volume)
    parts = [work.journal.strip()] if work.journal.strip() else []
    if vol:
        parts += [year] if year else []
        parts.append(vol + issue)
    elif year or issue:
        parts.append(year + issue)
    text = ", ".join(parts)
    if work.pages.strip():
        text += f": {pages(work.pages)}"
    return text


def _newspaper(work: Work) -> str:
    """'人民日报, 2013-01-12(2)'."""
    date = str(work.extra.get("date") or work.year or "")
    text = ", ".join(x for x in (work.journal.strip(), date) if x)
    if work.pages.strip():
        text += f"({pages(work.pages)})"
    return text


def _imprint(work: Work, chinese: bool) -> str:
    """'北京: 科学出版社, 2010: 112' with the standard's fill-ins for unknown place/publisher."""
    place, publisher = work.place.strip(), work.publisher.strip()
    if place and publisher:
        head = f"{place}: {publisher}"
    elif place:
        head = f"{place}: " + ("[出版者不详]" if chinese else "[s.n.]")
    elif publisher:
        head = ("[出版地不详]" if chinese else "[S.l.]") + f": {publisher}"
    else:
        head = "[出版地不详: 出版者不详]" if chinese else "[S.l.: s.n.]"
    text = head + (f", {work.year}" if work.year else "")
    if work.pages.strip():
        text += f": {pages(work.pages)}"
    return text


def _dot(text: str, more: str) -> str:
    """Join two elements with '. ', without doubling a full stop ('et al.', '4th ed.')."""
    if not text:
        return more
    if not more:
        return text
    return f"{text} {more}" if text.endswith(".") else f"{text}. {more}"


def format_work(work: Work) -> str:
    """One reference in GB/T 7714-2015 numeric style, without its number."""
    chinese = work.is_chinese
    code = (work.type or "J").upper().partition("/")[0]
    mark, _online = _type_mark(work)
    out = format_authors(work.authors, work.et_al, chinese_names(work))
    title = work.title.strip().rstrip(".").strip()
    out = _dot(out, title + mark)

    container = work.journal.strip()
    if code in {"J"}:
        out = _dot(out, _serial(work))
    elif code == "N":
        out = _dot(out, _newspaper(work))
    elif code == "EB" or (code not in _BOOKISH and code != "P"):
        date = str(work.extra.get("date") or work.year or "")
        pub = ": ".join(x for x in (work.place.strip(), work.publisher.strip()) if x)
        out = _dot(out, pub)
        if date:
            out = _dot(out, f"({date})")
    elif code == "P":
        date = str(work.extra.get("date") or work.year or "")
        out = _dot(out, date)
    else:
        if container and code in {"M", "C", "G"}:
            # a contribution in a book or proceedings: "[M]//EDITOR. Book. Place: …"
            eds = [e for e in work.editors if e.strip(" ,;")]
            host = format_authors(work.editors, False, has_cjk(eds[0]) if eds else chinese)
            host = _dot(host, container)
            out = out + "//" + host
        out = _dot(out, _edition(work, chinese))
        out = _dot(out, _imprint(work, chinese))

    if work.accessed.strip():
        out += f"[{work.accessed.strip()}]"
    if work.url.strip():
        out = _dot(out, work.url.strip())
    if work.doi.strip():
        out = _dot(out, f"DOI:{work.doi.strip()}")
    out = " ".join(out.split())
    return out if out.endswith(".") else out + "."
