"""Text helpers shared by the BibTeX, RIS and CSL-JSON importers.

- `latex_to_text`: LaTeX markup of a BibTeX field to Unicode for display
  ({\\"u} -> ü, \\c{c} -> ç, -- -> –, ~ -> space, {Title} -> Title), through pylatexenc
  (the library bibtexparser's own LatexDecodingMiddleware uses);
- `person`: one name as a reference list prints it ("De Luca DA", "金诗炜") and in full
  ("De Luca, Dario A.") for CSL styles;
- page, DOI, year and language clean-up, and `finish`, which turns the works read from
  one file into a collection (a `Review` of kind "collection") with numbered, keyed items.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from pathlib import PurePath

from tui.errors import ParseError
from tui.model import Review, Work, has_cjk

__all__ = [
    "latex_to_text",
    "person",
    "is_et_al",
    "clean_pages",
    "split_supplement",
    "clean_doi",
    "year_of",
    "month_of",
    "guess_lang",
    "prepare_text",
    "finish",
    "collection_key",
]

ET_AL = frozenset({"others", "et al", "et al.", "等", "等.", "et. al.", "外", "외"})

# ---------------------------------------------------------------- LaTeX -> Unicode

_decoder = None
_walker_db = None
_LATEX_CHARS = re.compile(r"[\\{}~$%]|--|``|''")
_NEEDS_PARSER = re.compile(r"[\\$%]")
_SIMPLE = [("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"), ("~", " ")]


_KEEP_ARGUMENT = ("texttt", "textsf", "textmd", "textup", "mbox")
_LOGOS = {"TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2e", "BibTeX": "BibTeX",
          "XeTeX": "XeTeX", "XeLaTeX": "XeLaTeX", "LuaTeX": "LuaTeX", "LuaLaTeX": "LuaLaTeX",
          "ConTeXt": "ConTeXt", "METAFONT": "METAFONT", "MF": "METAFONT", "MP": "MetaPost",
          "biber": "Biber", "biblatex": "biblatex", "AmS": "AMS"}  # fmt: skip


def _get_decoder():
    global _decoder, _walker_db
    if _decoder is None:
        from pylatexenc.latex2text import (
            LatexNodes2Text,
            MacroTextSpec,
            get_default_latex_context_db,
        )
        from pylatexenc.latexwalker import get_default_latex_context_db as walker_db

        db = get_default_latex_context_db()
        db.add_context_category(
            "readinglist",
            prepend=True,
            macros=[
                MacroTextSpec("url", simplify_repl="%s"),
                # pylatexenc's parser knows these take an argument, but its text
                # conversion has no rule for them and dropped the argument with the
                # macro ("Note the \\texttt{sorttitle} field" lost its word)
                *(MacroTextSpec(m, simplify_repl="%s") for m in _KEEP_ARGUMENT),
                # the TeX logos have no rule either: "{\\TeX}: The Program" read as
                # ": The Program" (biblatex-examples' knuth:ct:b)
                *(MacroTextSpec(m, simplify_repl=text) for m, text in _LOGOS.items()),
            ],
        )
        _decoder = LatexNodes2Text(
            latex_context=db,
            math_mode="text",
            keep_braced_groups=False,
            strict_latex_spaces=True,
        )
        _walker_db = walker_db()  # built once: pylatexenc would build it on every call
    return _decoder


def _escape(value: str) -> str:
    # A bare % starts a LaTeX comment and would eat the rest of the line; in a
    # bibliography field it is meant literally.  A lone $ would open math mode.
    value = _BARE_PERCENT.sub(r"\\%", value)
    if len(_BARE_DOLLAR.findall(value)) % 2:
        value = _BARE_DOLLAR.sub(r"\\$", value)
    return value


_BARE_PERCENT = re.compile(r"(?<!\\)%")
_BARE_DOLLAR = re.compile(r"(?<!\\)\$")


@functools.lru_cache(maxsize=8192)  # only short text comes here (see _decode_long)
def _decode_short(value: str) -> str:
    decoder = _get_decoder()
    try:
        return decoder.latex_to_text(value, latex_context=_walker_db, tolerant_parsing=True)
    except Exception:  # pylatexenc is tolerant; this is a last resort (also RecursionError)
        return re.sub(r"\\[A-Za-z]+\s*|[{}\\]", "", value)


def _decode(value: str) -> str:
    value = _escape(value)
    if len(value) <= _CHUNK:
        return _decode_short(value)
    return _decode_long(value)


# ---- long values, piece by piece
#
# pylatexenc is not linear on long input: it appends each character of a run of plain
# text to a string attribute (`lastchars +=`, quadratic: a 1.6 MB \url{...} took
# minutes) and keeps a node object per token (1.1 MB of \"a took 11 s and 379 MB).
# A value longer than _CHUNK is therefore cut into units that LaTeX reads independently
# (a group, a control sequence with the argument after it, a math span, a run of text or
# of spaces), the units are packed into pieces of about _CHUNK characters, and each
# piece is decoded on its own; a unit longer than that (one huge group or run) is
# unwrapped or cut further.  Values up to _CHUNK characters (every real field) are
# decoded whole, exactly as before.  The one approximation: a macro with two unbraced
# or braced arguments (\frac{a}{b}) cut between them at a piece boundary, which only a
# value of thousands of characters can meet.

_CHUNK = 2000
_TOKEN = re.compile(r"\\(?:[A-Za-z@]+|.)|[{}$]|\s+|[^\\{}$\s]+", re.S)
# a control sequence and the group after it: \url{...}, \"{...}, \emph {...}
_MACRO_GROUP = re.compile(r"(\\(?:[A-Za-z@]+|.))\s*\{", re.S)
# macros whose text is their argument's text: a huge argument is decoded as a group
_TRANSPARENT = frozenset(
    r"\url \emph \textit \textbf \textsc \textrm \textsf \texttt \textup \textsl"
    r" \textmd \textnormal \mbox \hbox \text \path".split()
)
_LIGATURE_CHARS = frozenset("-`'!?,<>~")


def _units(value: str) -> Iterator[str]:
    """The top-level units of `value` (see above), in order; joined they are `value`.
    A generator: a unit list would take ~50 bytes an input byte."""
    start = 0  # where the current unit began
    depth = 0
    math = False
    pending = False  # a control sequence still waits for its argument
    for m in _TOKEN.finditer(value):
        tok = m.group()
        c = tok[0]
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
        elif c == "$":
            math = not math
        if depth or math:
            continue
        if c == "\\" and tok not in ("\\{", "\\}", "\\$", "\\%", "\\\\"):
            pending = True  # its argument (or the spaces it eats) belongs to it
            continue
        if c.isspace() and pending:
            continue
        end = m.end()
        if pending and c not in "{}$\\":  # an argument is one character, not the run
            end = m.start() + 1  # (or a ligature: \i --- is \i and an em dash)
            while (
                end < m.end()
                and end - m.start() < 3
                and {value[end - 1], value[end]} <= _LIGATURE_CHARS
            ):
                end += 1
        pending = False
        yield value[start:end]
        if end < m.end():
            yield value[end : m.end()]
        start = m.end()
    if start < len(value):
        yield value[start:]


def _decode_long(value: str) -> str:
    out: list[str] = []
    piece: list[str] = []
    size = 0

    def flush() -> None:
        nonlocal size
        if piece:
            out.append(_decode_piece("".join(piece)))
            piece.clear()
            size = 0

    for unit in _units(value):
        if len(unit) > _CHUNK:
            flush()
            out.append(_decode_unit(unit))
            continue
        if size + len(unit) > _CHUNK:
            flush()
        piece.append(unit)
        size += len(unit)
    flush()
    return "".join(out)


def _decode_piece(piece: str) -> str:
    """A piece decoded on its own, keeping the spaces at its ends (they separate it
    from its neighbours, which pylatexenc cannot see)."""
    text = _decode_short(piece)
    if piece[:1].isspace() and not text[:1].isspace():
        text = " " + text
    if piece[-1:].isspace() and not text[-1:].isspace():
        text += " "
    return text


def _decode_unit(unit: str) -> str:
    """One unit longer than _CHUNK: a plain run is cut between characters that form no
    ligature; a {group} or \\url{...} is its content (pylatexenc gives the same);
    anything else is decoded whole."""
    if _PLAIN.fullmatch(unit):  # letters, digits, spaces: pylatexenc gives them back
        return unit
    if _NEEDS_DECODER.search(unit) is None:  # a run of text or spaces
        parts, start = [], 0
        while len(unit) - start > _CHUNK:
            cut = start + _CHUNK
            end = min(len(unit), cut + _CHUNK)
            while cut < end and (unit[cut - 1] in _LIGATURE_CHARS or unit[cut] in _LIGATURE_CHARS):
                cut += 1
            parts.append(_decode_short(unit[start:cut]))
            start = cut
        parts.append(_decode_short(unit[start:]))
        return "".join(parts)
    m = _MACRO_GROUP.match(unit)
    inner = _group_content(unit, m.end() - 1 if m else 0)
    if inner is None:
        return _decode_short(unit)
    text = _decode_long(inner) if len(inner) > _CHUNK else _decode_short(inner)
    if m and m.group(1) not in _TRANSPARENT:
        # an accent or other macro over thousands of characters (never seen in real
        # data): the macro on an empty group, then the text, instead of minutes
        text = _decode_short(m.group(1) + "{}") + text
    return text


_NEEDS_DECODER = re.compile(r"[\\{}$]")
_PLAIN = re.compile(r"(?:[^\W_]|[ \t\n.,;:/()+=*@])*+")


def _group_content(unit: str, start: int) -> str | None:
    """The text inside the group opening at `start` when it ends the unit (nested
    protective braces {{...}} are taken off in a loop: no recursion on depth)."""
    if unit[start : start + 1] != "{" or unit[-1] != "}":
        return None
    inner = unit[start + 1 : -1]
    while inner.startswith("{") and inner.endswith("}") and _balanced(inner[1:-1]):
        inner = inner[1:-1]
    return inner if _balanced(inner) else None


def _balanced(text: str) -> bool:
    """No '}' closes more than was opened, and all is closed (escaped braces aside)."""
    depth = 0
    for m in _BRACE.finditer(text):
        depth += 1 if m.group() == "{" else -1
        if depth < 0:
            return False
    return depth == 0


_BRACE = re.compile(r"(?<!\\)[{}]")


def latex_to_text(value: str) -> str:
    """BibTeX field text as a reader sees it: accents decoded, braces gone, spaces squeezed."""
    if not value:
        return ""
    if _LATEX_CHARS.search(value):
        if _NEEDS_PARSER.search(value):
            value = _decode(value)
        else:  # only protective braces and TeX ligatures (most Zotero output): no parser
            for tex, char in _SIMPLE:
                value = value.replace(tex, char)
            value = value.replace("{", "").replace("}", "")
    value = value.replace("\xa0", " ")
    return " ".join(value.split())


# ---------------------------------------------------------------- names


_CAPITALS = re.compile(r"[A-Z]{1,4}")
_INITIAL_SEP = re.compile(r"[\s.\-‐]+")


def _initials(given: str) -> str:
    """'Dario A.' -> 'DA', 'Jean-Marc' -> 'JM', 'C.J.' -> 'CJ', 'DA' -> 'DA'."""
    given = given.strip()
    if _CAPITALS.fullmatch(given):
        return given
    parts = [p for p in _INITIAL_SEP.split(given) if p]
    out = []
    for p in parts:
        ch = next((c for c in p if c.isalpha()), "")
        out.append(ch.upper())
    return "".join(out)


def person(
    family: str, given: str = "", *, literal: str = "", particle: str = ""
) -> tuple[str, str]:
    """One name as printed in a reference list, and in full.

    >>> person("De Luca", "Dario A.")
    ('De Luca DA', 'De Luca, Dario A.')
    >>> person("金", "诗炜")
    ('金诗炜', '金诗炜')
    >>> person("", literal="World Health Organization")
    ('World Health Organization', 'World Health Organization')
    """
    words = given.split()
    # "{W.M.P. van der} Aalst": the particles written with the given names belong
    # to the family name in a reference list ("van der Aalst WMP")
    while len(words) > 1 and words[-1] in _PARTICLES:
        particle = f"{words.pop()} {particle}"
    family = " ".join(f"{particle} {family}".split())
    given = " ".join(words)
    literal = " ".join(literal.split())
    if literal or not (family or given):
        return literal, literal
    if not given:
        return family, family
    if not family:
        return given, given
    if has_cjk(family) or has_cjk(given):
        # East Asian names are written family name first, without a space
        whole = family + given if _all_cjk(family + given) else f"{family} {given}"
        return whole, whole
    initials = _initials(given)
    return (f"{family} {initials}" if initials else family), f"{family}, {given}"


_PARTICLES = frozenset(
    "van der den de del della di da das dos du la le von zu ten ter vom zum zur".split()
)


def _all_cjk(text: str) -> bool:
    return all(has_cjk(ch) for ch in text.replace(" ", ""))


def is_et_al(name: str) -> bool:
    return name.strip().casefold() in ET_AL


# ---------------------------------------------------------------- fields


def clean_pages(pages: str) -> str:
    """'12--34' -> '12-34', '17114 – 17136' -> '17114-17136'."""
    pages = " ".join(str(pages).split())
    return _DASHES.sub("-", pages) if pages else pages


_DASHES = re.compile(r"\s*(?:-{1,3}|[–—‐‑−])\s*")


_SUPPL = re.compile(
    r"^(?P<issue>.*?)[\s,(]*(?P<suppl>\b(?:Suppl(?:ement)?|Sup)\b\.?\s*[\w.\-]*)\)?$", re.I
)


def split_supplement(issue: str) -> tuple[str, str]:
    """'2 Suppl 1' -> ('2', 'Suppl 1'), 'Suppl 1' -> ('', 'Suppl 1'), '4' -> ('4', '')."""
    issue = " ".join(str(issue).split())
    m = _SUPPL.match(issue)
    if not m:
        return issue, ""
    return m.group("issue").strip(), m.group("suppl").strip()


_DOI = re.compile(r"10\.\d{4,9}/\S+")


def clean_doi(value: str) -> str:
    """'https://doi.org/10.1000/XYZ' -> '10.1000/XYZ'; '' when there is no DOI in it."""
    value = str(value).strip()
    m = _DOI.search(value)
    if not m:
        return ""
    doi = m.group(0).rstrip(".,;")
    if "%2F" in doi or "%2f" in doi:
        from urllib.parse import unquote

        doi = unquote(doi)
    return doi


_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def year_of(value) -> int | None:
    """'2019', '2019//', '2019/05/01/', '2019-05', 'Spring 2019' -> 2019."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value < 10000 else None
    m = _YEAR.search(str(value))
    if not m:
        return None
    year = int(m.group(1))
    return year or None


MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january", "janvier", "januar"),
            ("feb", "february", "février", "februar"),
            ("mar", "march", "mars", "märz"),
            ("apr", "april", "avril"),
            ("may", "mai"),
            ("jun", "june", "juin", "juni"),
            ("jul", "july", "juillet", "juli"),
            ("aug", "august", "août"),
            ("sep", "sept", "september", "septembre"),
            ("oct", "october", "octobre", "oktober"),
            ("nov", "november", "novembre"),
            ("dec", "december", "décembre", "dezember"),
        ],
        start=1,
    )
    for m in names
}


def month_of(value) -> int | str:
    """'apr', 'April', '4', 4 -> 4; anything else is kept as text."""
    if isinstance(value, int) and 1 <= value <= 12:
        return value
    text = str(value).strip().strip(".").casefold()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    return MONTHS.get(text, str(value).strip())


_LANG_NAMES = {
    "english": "en",
    "eng": "en",
    "en": "en",
    "chinese": "zh",
    "chi": "zh",
    "zho": "zh",
    "zh": "zh",
    "中文": "zh",
    "korean": "ko",
    "kor": "ko",
    "ko": "ko",
    "japanese": "ja",
    "jpn": "ja",
    "ja": "ja",
    "german": "de",
    "ger": "de",
    "deu": "de",
    "de": "de",
    "french": "fr",
    "fre": "fr",
    "fra": "fr",
    "fr": "fr",
    "spanish": "es",
    "spa": "es",
    "es": "es",
}


_HANGUL = re.compile("[\uac00-\ud7af\u1100-\u11ff]")
_KANA = re.compile("[\u3040-\u30ff]")


def guess_lang(title: str, authors: list[str], declared: str = "") -> str:
    """'zh' for Chinese items, 'ko'/'ja' for Korean/Japanese, else the declared one or 'en'."""
    text = title if has_cjk(title) else "".join(authors)
    if has_cjk(text):
        if _HANGUL.search(text):
            return "ko"
        if _KANA.search(text):
            return "ja"
        return "zh"
    code = declared.strip().casefold().replace("_", "-")
    if code in _LANG_NAMES:
        return _LANG_NAMES[code]
    if re.fullmatch(r"[a-z]{2}(-[a-z0-9]+)*", code):
        return code.split("-")[0]
    return "en"


# ---------------------------------------------------------------- the collection


def prepare_text(text: str, source: str, kind: str) -> str:
    """Strip a byte-order mark, unify line endings; reject empty and binary input."""
    if not isinstance(text, str):
        raise ParseError(f"not text ({kind} expected)", file=source)
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ParseError(f"empty file (no {kind} records)", file=source)
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise ParseError(f"binary data, not {kind} text", file=source, place=f"line {line}")
    return text


def collection_key(stem: str) -> str:
    """'My Library' -> 'my-library', 'Müller 2020' -> 'muller-2020', '我的文献' -> 'wo-de-wen-xian'."""
    if has_cjk(stem):
        try:
            from pypinyin import lazy_pinyin

            stem = " ".join(lazy_pinyin("".join(f" {ch} " if has_cjk(ch) else ch for ch in stem)))
        except ImportError:  # pragma: no cover - pypinyin is a dependency
            pass
    folded = unicodedata.normalize("NFKD", stem)
    folded = folded.replace("ß", "ss").replace("ø", "o").replace("ł", "l").replace("æ", "ae")
    folded = folded.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def finish(
    text: str,
    source: str,
    works: list[Work],
    *,
    title: str = "",
    warnings: list[str] | None = None,
) -> tuple[Review, list[Work]]:
    """Make `works` (in file order) the items of a collection named after the file."""
    stem = PurePath(source).stem if source else ""
    title = " ".join((title or stem).split())
    key = collection_key(stem) or collection_key(title)
    checksum = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    if not key:
        key = "collection-" + checksum[:8]
    review = Review(
        key=key,
        kind="collection",
        title_zh=title if has_cjk(title) else "",
        title_en="" if has_cjk(title) else title,
        source=source,
        checksum=checksum,
        warnings=list(warnings or []),
    )
    for i, w in enumerate(works, start=1):
        w.review = key
        w.kind = "reference"
        w.n = i
        w.lang = guess_lang(w.title, w.authors, w.lang)
    _assign_keys(works, review)
    return review, works


def _assign_keys(works: list[Work], review: Review) -> None:
    """Keep each source key; the second 'smith2020' becomes 'smith2020a' (as Better BibTeX)."""
    from tui.sources.keys import suffix

    seen: set[str] = set()
    for w in works:
        if not w.key:
            continue
        if w.key in seen:
            base = w.key
            i = 0
            while True:
                candidate = base + suffix(i)
                if candidate not in seen:
                    break
                i += 1
            msg = f"duplicate key {base!r} (item {w.n}) renamed {candidate!r}"
            w.warnings.append(msg)
            review.warnings.append(msg)
            w.key = candidate
        seen.add(w.key)
    if all(w.key for w in works):
        return
    try:  # the shared key maker, if the keys module is there
        from tui.sources.keys import unique_keys
    except ImportError:  # pragma: no cover - fallback while keys.py is missing
        unique_keys = None
    if unique_keys is not None:
        unique_keys(works)
        return
    for w in works:  # pragma: no cover
        if not w.key:
            base = f"item{w.n}"
            key, i = base, 0
            while key in seen:
                key, i = base + suffix(i), i + 1
            w.key = key
            seen.add(key)
