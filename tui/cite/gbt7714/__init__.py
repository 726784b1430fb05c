"""GB/T 7714 references (信息与文献 参考文献著录规则), both editions, as the standards' own
examples print them: GB/T 7714-2025 (in force since 2026-07-01) and GB/T 7714-2015.

Written here rather than run through citeproc-py with the CSL GB/T styles: those lean on
CSL-M extensions (per-item language switching), so citeproc-py drops the type mark and
cannot print `等` for a Chinese item and `et al.` for an English one in the same list.

    format_work(work, "2025")                   numeric (顺序编码制), the edition's punctuation
    format_work(work, "2015", punct="half")     half-width punctuation
    format_work(work, "2025", url=False)        no URL, access date or /OL (-nourl styles)
    format_work(work, "2025", author_date=True) 著者-出版年制: "Caplan P, 1993. Cataloging …"

Modules: `record` reads a work (the only place that knows how the store keeps it),
`people` names, `casing` sentence case, `layout` and `compose` the elements of each
document type, `punct` the punctuation width.  Tested against every complete example of
both standards (tests/fixtures/gbt7714/, bench/gbt_examples.py) and in
tests/test_cite_gbt7714.py.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from tui.cite.gbt7714.casing import LazyLexicon, learn, sentence_case
from tui.cite.gbt7714.compose import body, tail
from tui.cite.gbt7714.layout import Options, number, pages
from tui.cite.gbt7714.people import format_name as _format_name
from tui.cite.gbt7714.punct import PUNCT, check_punct, full_width, widen
from tui.cite.gbt7714.record import _names, read
from tui.model import Work

EDITIONS = ("2025", "2015")
IN_FORCE = "2025"

__all__ = [
    "EDITIONS",
    "IN_FORCE",
    "PUNCT",
    "check_punct",
    "format_work",
    "format_name",
    "learn_proper_nouns",
    "lazy_proper_nouns",
    "number",
    "pages",
    "sentence_case",
    "year_suffixes",
]


def format_work(
    work: Work,
    edition: str = IN_FORCE,
    *,
    punct: str = "standard",
    url: bool = True,
    author_date: bool = False,
    lexicon: frozenset = frozenset(),
    year_suffix: str = "",
) -> str:
    """One reference without its number, ending with a full stop."""
    if edition not in EDITIONS:
        raise ValueError(f"GB/T 7714 edition {edition!r}: use one of {', '.join(EDITIONS)}")
    rec = read(work)
    opt = _options(edition, url, author_date, lexicon, year_suffix)
    text, ids = tail(rec, opt, body(rec, opt))
    text = " ".join(text.split())
    if full_width(edition, check_punct(punct), rec.lang):
        text = widen(text)
    if ids:
        text = f"{text} {ids}" if text.endswith(".") else f"{text}. {ids}"
    text = text.rstrip()
    return text if text.endswith(".") else text + "."


@functools.lru_cache(maxsize=64)  # one per style and list: a frozen dataclass is slow to build
def _options(edition: str, url: bool, author_date: bool, lexicon: frozenset, suffix: str):
    return Options(edition=edition, url=url, author_date=author_date, lexicon=lexicon,
                   year_suffix=suffix)  # fmt: skip


def year_suffixes(works: list[Work], edition: str = IN_FORCE) -> list[str]:
    """Author-date lists (2015 10.2.3, 2025 9.3.1.3): one author's works of one year are
    told apart by "a", "b", … after the year, in list order ("KENNEDY W J, …, 1975a")."""
    from tui.cite.gbt7714.layout import Options, creators, year_of

    opt = Options(edition=edition)
    keys = []
    for work in works:
        rec = read(work)
        keys.append((creators(rec, opt), year_of(rec), rec.title))
    groups: dict[tuple, list[str]] = {}
    for who, year, title in keys:
        titles = groups.setdefault((who, year), [])
        if title not in titles:
            titles.append(title)
    out = []
    for who, year, title in keys:
        titles = groups[(who, year)]
        out.append(chr(ord("a") + titles.index(title)) if len(titles) > 1 else "")
    return out


def format_name(name: str, edition: str = "2015") -> str:
    """One author as printed ("Teske N", "Smith, John A.", "金诗炜") in the edition's form."""
    got = _names([name])
    return _format_name(got[0], edition) if got else ""


def learn_proper_nouns(works: Iterable[Work]) -> frozenset:
    """Words that stay capitalised inside the sentence-case titles of a library's works:
    kept capitalised when another work's Title Case title is put in sentence case."""
    return learn(w.title for w in works)


def lazy_proper_nouns(works: list[Work]) -> LazyLexicon:
    """learn_proper_nouns(works), learned only if a title is put in sentence case."""
    return LazyLexicon(works)
