"""Citation formatters: GB/T 7714 (our own), CSL styles (citeproc-js), BibTeX, RIS, CSL-JSON.

    format_citation(work, "apa")             one line, no leading number
    format_bibliography(works, "bibtex")     one line per work, or the records
    export_markdown(works, states)           a reading-list document
    check_style("GB/T 7714") -> "gbt7714"    a style name or a path to a .csl file

No Textual here. Outputs have no trailing newline (export_markdown excepted).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from tui.errors import NotFound
from tui.model import State, Work
from tui.paths import styles_dir

STYLES: dict[str, str] = {
    "gbt7714": "GB/T 7714, the edition in force (2025), numeric (default)",
    "gbt7714-2025": "GB/T 7714-2025 numeric (顺序编码制), in force since 2026-07-01",
    "gbt7714-2015": "GB/T 7714-2015 numeric, the edition it replaced (theses, journals still on it)",
    "gbt7714-2025-nourl": "GB/T 7714-2025 numeric without URL, access date and /OL (DOI kept)",
    "gbt7714-2015-nourl": "GB/T 7714-2015 numeric without URL, access date and /OL (DOI kept)",
    "gbt7714-2025-authoryear": "GB/T 7714-2025 author-date (著者-出版年制)",
    "gbt7714-2015-authoryear": "GB/T 7714-2015 author-date (著者-出版年制)",
    "printed": "the reference exactly as its source printed it",
    # APA 7 (§9.8) lists up to 20 authors and never writes "et al." in a
    # reference; a source that printed three names and "et al." gives no more,
    # so the three are followed by "et al." (see tui.cite.csl: the least wrong)
    "apa": "APA Style 7th edition (all authors; 'et al.' only where the source left names out)",
    "vancouver": "NLM/Vancouver: Citing Medicine 2nd edition, citation-sequence (ICMJE)",
    "ama": "AMA Manual of Style 11th edition",
    "mla": "MLA Handbook 9th edition",
    "chicago": "Chicago Manual of Style 18th edition, author-date",
    "harvard": "Cite Them Right 12th edition, Harvard (author-date)",
    "bibtex": "BibTeX records (LaTeX, JabRef, Zotero import)",
    "ris": "RIS records (EndNote, Zotero, Mendeley import)",
    "csl-json": "CSL-JSON records (Zotero, Pandoc, citeproc)",
}
# GB/T 7714 style -> (edition, with URL/access date//OL, author-date)
GBT_STYLES = {
    "gbt7714": ("2025", True, False),
    "gbt7714-2025": ("2025", True, False),
    "gbt7714-2015": ("2015", True, False),
    "gbt7714-2025-nourl": ("2025", False, False),
    "gbt7714-2015-nourl": ("2015", False, False),
    "gbt7714-2025-authoryear": ("2025", True, True),
    "gbt7714-2015-authoryear": ("2015", True, True),
}
TEXT_STYLES = {*GBT_STYLES, "printed", "apa", "vancouver", "ama", "mla", "chicago", "harvard"}
RECORD_STYLES = {"bibtex", "ris", "csl-json"}

# the shipped CSL file behind each named style (data/styles/, CC BY-SA 3.0)
CSL_FILES = {
    "apa": "apa.csl",
    "vancouver": "nlm-citation-sequence.csl",
    "ama": "american-medical-association.csl",
    "mla": "modern-language-association.csl",
    "chicago": "chicago-author-date.csl",
    "harvard": "harvard-cite-them-right.csl",
}

_ALIASES = {
    "gbt7714": "gbt7714",
    "gbt77142015": "gbt7714-2015",
    "gbt77142025": "gbt7714-2025",
    "gbt77142015nourl": "gbt7714-2015-nourl",
    "gbt77142025nourl": "gbt7714-2025-nourl",
    "gbt77142015authoryear": "gbt7714-2015-authoryear",
    "gbt77142025authoryear": "gbt7714-2025-authoryear",
    "gb7714": "gbt7714",
    "gbt": "gbt7714",
    "gb": "gbt7714",
    "raw": "printed",
    "asprinted": "printed",
    "apa7": "apa",
    "nlm": "vancouver",
    "icmje": "vancouver",
    "ama11": "ama",
    "mla9": "mla",
    "chicagoauthordate": "chicago",
    "citethemright": "harvard",
    "bib": "bibtex",
    "biblatex": "bibtex",
    "csljson": "csl-json",
    "json": "csl-json",
}

CREDITS = """\
The APA, Vancouver (NLM), AMA, MLA, Chicago and Harvard styles are rendered by
citeproc-js (Frank Bennett, CPAL-1.0 or AGPL-3.0; the unmodified file and its licence
are shipped in tui/data/citeproc/) from Citation Style Language styles and locales of
the CSL project
(https://citationstyles.org, https://github.com/citation-style-language/styles),
by their authors and contributors, licensed under a Creative Commons
Attribution-ShareAlike 3.0 licence (https://creativecommons.org/licenses/by-sa/3.0/).
Shipped files: apa.csl, nlm-citation-sequence.csl, american-medical-association.csl,
modern-language-association.csl, chicago-author-date.csl, harvard-cite-them-right.csl."""


def style_names() -> list[str]:
    return list(STYLES)


def _is_path(style: str) -> bool:
    return style.lower().endswith(".csl") or "/" in style or os.sep in style


def check_style(style: str) -> str:
    """A known style name ("GB/T 7714" -> "gbt7714") or the absolute path of a .csl file.

    Raises NotFound with a one-line message listing the names.
    """
    raw = (style or "").strip()
    key = raw.lower()
    if key in STYLES:
        return key
    squashed = "".join(ch for ch in key if ch.isalnum())
    if squashed in _ALIASES:
        return _ALIASES[squashed]
    if squashed in STYLES:
        return squashed
    if raw and _is_path(raw):
        p = Path(raw).expanduser()
        if p.is_file():
            from tui.cite.csl import load_style

            load_style(str(p.resolve()))  # a clear error now rather than later
            return str(p.resolve())
        raise NotFound(f"style file not found: {raw}")
    raise NotFound(
        f"unknown style '{raw}': use one of {', '.join(STYLES)}, or a path to a .csl file"
    )


def is_text_style(style: str) -> bool:
    """True for styles that give one line per work (named text styles and .csl files)."""
    style = check_style(style)
    return style not in RECORD_STYLES


def _csl_path(style: str) -> str:
    name = CSL_FILES.get(style)
    return str(styles_dir() / name) if name else style


def format_citation(
    work: Work,
    style: str = "gbt7714",
    *,
    punct: str = "standard",
    proper_nouns: frozenset | None = None,
) -> str:
    """One work: a line without a leading number, or for bibtex/ris/csl-json its record.

    `punct` (GB/T styles): "standard" as the edition prints it, "half" or "bylanguage"
    (full-width for Chinese, Japanese and Korean works).  `proper_nouns`: words kept
    capitalised when a GB/T style puts an English title in sentence case (see
    `learn_proper_nouns`)."""
    style = check_style(style)
    punct = check_punct(punct)
    if style in RECORD_STYLES:
        return format_bibliography([work], style)
    return _format_line(work, style, punct, proper_nouns or frozenset())


def check_punct(punct: str) -> str:
    """One of "standard", "half", "bylanguage"; NotFound with the choices otherwise."""
    from tui.cite.gbt7714.punct import check_punct as check

    return check(punct)


def learn_proper_nouns(works) -> frozenset:
    """Proper nouns of a library for GB/T's sentence case: words that stay capitalised
    inside the sentence-case titles of its works ("The genome of Eucalyptus grandis")."""
    from tui.cite.gbt7714 import learn_proper_nouns as learn

    return learn(works)


def _lazy_proper_nouns(works: list[Work]):
    """learn_proper_nouns(works) when a title first needs them (most lists never do)."""
    from tui.cite.gbt7714 import lazy_proper_nouns

    return lazy_proper_nouns(works)


def proper_nouns_of_titles(titles) -> frozenset:
    """`learn_proper_nouns` of works with these titles (no Work needed)."""
    from tui.cite.gbt7714.casing import learn

    return learn(titles)


def _year_suffixes(works: list[Work], style: str) -> list[str]:
    if style not in GBT_STYLES or not GBT_STYLES[style][2]:
        return []
    from tui.cite.gbt7714 import year_suffixes

    return year_suffixes(works, GBT_STYLES[style][0])


def _format_line(
    work: Work,
    style: str,
    punct: str = "standard",
    lexicon: frozenset = frozenset(),
    year_suffix: str = "",
) -> str:
    if style in GBT_STYLES:
        from tui.cite.gbt7714 import format_work

        edition, url, author_date = GBT_STYLES[style]
        return format_work(work, edition, punct=punct, url=url, author_date=author_date,
                           lexicon=lexicon, year_suffix=year_suffix)  # fmt: skip
    if style == "printed":
        if work.raw and not work.raw.startswith("@"):
            return work.raw
        from tui.cite.gbt7714 import format_work  # imported from BibTeX etc.: nothing printed

        return format_work(work, punct=punct, lexicon=lexicon)
    from tui.cite.csl import format_work as csl_format

    return csl_format(work, _csl_path(style))


def format_bibliography(
    works: list[Work],
    style: str = "gbt7714",
    *,
    progress: Callable[[int, int], None] | None = None,
    numbered: bool = False,
    tags: list[list[str]] | None = None,
    punct: str = "standard",
    proper_nouns: frozenset | None = None,
) -> str:
    """Text styles: one citation per line in the given order, no numbers.

    bibtex / ris / csl-json: the records (BibTeX keys unique within the output).
    `progress(done, total)` is called now and then (about every 1%) and at the end.
    `numbered=True` (an exported reference list, the app's bibliography copy)
    numbers the lines as the numeric styles print their lists: "[1] " for
    the numeric GB/T styles, "1. " for vancouver, ama and a .csl file whose category is
    numeric; author-date styles, printed and the records stay unnumbered.
    `readinglist cite` never numbers (the contract). `tags` (one list per work, for
    the records only): the reader's tags as keywords; without it no tag is written.
    `punct` as in format_citation; GB/T styles learn proper nouns from `works` unless
    `proper_nouns` is given.
    """
    style = check_style(style)
    punct = check_punct(punct)
    works = list(works)
    total = len(works)
    step = max(1, total // 100)

    def tick(done: int) -> None:
        if progress is not None and (done % step == 0 or done == total):
            progress(done, total)

    if style in RECORD_STYLES:
        out = _records(works, style, tags)
        if progress is not None:
            progress(total, total)
        return out
    lexicon = frozenset()
    if style in GBT_STYLES or style == "printed":
        lexicon = proper_nouns if proper_nouns is not None else _lazy_proper_nouns(works)
    label = number_label(style) if numbered else None
    suffixes = _year_suffixes(works, style)
    lines = []
    for i, work in enumerate(works, 1):
        line = _format_line(work, style, punct, lexicon, suffixes[i - 1] if suffixes else "")
        lines.append(label.format(i) + line if label else line)
        tick(i)
    if progress is not None and total == 0:
        progress(0, 0)
    return "\n".join(lines)


# how the numeric styles number their reference lists: GB/T 7714 prints
# "[1] " (its examples of 顺序编码制 lists), Citing Medicine and AMA "1. "
NUMBER_LABELS = {
    **{s: "[{}] " for s, (_e, _u, author_date) in GBT_STYLES.items() if not author_date},
    "vancouver": "{}. ",
    "ama": "{}. ",
}


def number_label(style: str) -> str | None:
    """The format of a line's number in a numbered list ("[{}] ", "{}. "), or None
    for a style whose lists are not numbered (author-date, printed, records)."""
    style = check_style(style)
    if style in STYLES:
        return NUMBER_LABELS.get(style)
    from tui.cite.csl import is_numeric

    return "{}. " if is_numeric(style) else None


def _records(works: list[Work], style: str, tags: list[list[str]] | None = None) -> str:
    from tui.cite.bibtex import citation_keys

    keys = citation_keys(works)
    if style == "bibtex":
        from tui.cite.bibtex import format_bibtex

        return format_bibtex(works, keys, tags)
    if style == "ris":
        from tui.cite.ris import format_ris

        return format_ris(works, keys, tags)
    from tui.cite.csljson import format_csljson

    return format_csljson(works, keys, tags)


def export_markdown(
    works: list[Work],
    states: dict[str, State],
    style: str = "gbt7714",
    title: str = "",
    labels: dict[str, str] | None = None,
    *,
    punct: str = "standard",
) -> str:
    """A reading-list document: '- [x] citation ([doi](https://doi.org/…))' per work.

    `states` maps work.ident (or work.id) to its State; missing means unread.
    Unlike the other outputs this ends with a newline.
    """
    from tui.cite.markdown import export_markdown as _export

    style = check_style(style)
    punct = check_punct(punct)
    if style in RECORD_STYLES:
        raise NotFound(f"markdown export needs a text style, not '{style}'")
    works = list(works)
    lexicon = _lazy_proper_nouns(works) if style in GBT_STYLES else frozenset()
    return _export(works, states, lambda w: _format_line(w, style, punct, lexicon), title, labels)


def preload(style: str = "gbt7714") -> None:
    """Parse a CSL style now (e.g. in a worker at app start-up), so the first copy is instant."""
    style = check_style(style)
    is_path = style not in STYLES
    if style in CSL_FILES or is_path:
        from tui.cite.csl import build

        build(_csl_path(style))


def credits() -> str:
    """The CSL styles' credit and licence, for `readinglist styles` and the app's help."""
    return CREDITS


__all__ = [
    "STYLES",
    "TEXT_STYLES",
    "CSL_FILES",
    "style_names",
    "check_style",
    "check_punct",
    "learn_proper_nouns",
    "proper_nouns_of_titles",
    "GBT_STYLES",
    "is_text_style",
    "number_label",
    "format_citation",
    "format_bibliography",
    "export_markdown",
    "credits",
    "preload",
]
