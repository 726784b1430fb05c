"""Making text from data safe and tidy for a terminal (no Textual, no Rich markup)."""

from __future__ import annotations

import re
import unicodedata


class LazyPattern:
    """A regex compiled the first time it is used. Wide Unicode classes (Han, CJK,
    astral planes) take milliseconds each to compile, and a module-level one is paid by
    every start, the app's first screen included, whether or not it is ever used.

    The first use puts the pattern's methods on the instance, so later uses find them
    there: going through __getattr__ on each call made the search index's pinyin keys
    (millions of calls at 100,000 works) 0.3 s slower."""

    _METHODS = ("search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer")

    def __init__(self, source: str) -> None:
        self._source = source

    def __getattr__(self, name: str):
        if name.startswith("_"):  # (_source before __init__, dunders: not the pattern's)
            raise AttributeError(name)
        pattern = self.__dict__.get("_pattern")
        if pattern is None:
            pattern = self._pattern = re.compile(self._source)
            for method in self._METHODS:
                setattr(self, method, getattr(pattern, method))
        return getattr(pattern, name)


# C0 controls except tab and newline, DEL, C1 controls, and the bidi controls
# (LRE…RLO, LRI…PDI, LRM/RLM/ALM) that can reorder what a terminal shows.
_BIDI_DEL_C1 = "\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f{_BIDI_DEL_C1}]")
# what json.dumps leaves raw (it escapes C0 itself)
UNSAFE_IN_JSON = re.compile(f"[{_BIDI_DEL_C1}]")
# the same characters in UTF-8, to search encoded JSON without decoding it
UNSAFE_IN_JSON_UTF8 = re.compile(
    rb"\x7f|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]"
)


# the same split by lead byte: a pattern that starts with a literal byte is searched for
# that byte at memchr speed, the alternation above tries every position (~0.25 GB/s)
_UNSAFE_E2 = re.compile(rb"\xe2(?:\x80[\x8e\x8f\xaa-\xae]|\x81[\xa6-\xa9])")
_UNSAFE_C2 = re.compile(rb"\xc2[\x80-\x9f]")


def unsafe_in_json_utf8(raw: bytes) -> bool:
    """Whether encoded JSON holds a character of UNSAFE_IN_JSON, what
    UNSAFE_IN_JSON_UTF8.search says, 3 times faster (it was 1 s of the first `list
    --json` of 100,000 works: 250 MB of JSON, an en dash in most rows)."""
    return (
        b"\x7f" in raw
        or b"\xd8\x9c" in raw
        or (b"\xe2" in raw and _UNSAFE_E2.search(raw) is not None)
        or (b"\xc2" in raw and _UNSAFE_C2.search(raw) is not None)
    )


def inert(text: str, *, keep_newlines: bool = True) -> str:
    """Text from data with every control sequence removed.

    Escape sequences lose their ESC, so nothing from a title or note can move the
    cursor, set the clipboard (OSC 52) or reorder the line.

    >>> inert("a\\x1b]52;c;ZXZpbA==\\x07b")
    'a]52;c;ZXZpbA==b'
    >>> inert("x\\u202ey")
    'xy'
    """
    text = _CONTROL.sub("", text)
    if not keep_newlines:
        text = " ".join(text.split())
    return text


def cell_width(text: str) -> int:
    """Terminal columns of text: East Asian wide and full-width characters take two."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def fit(text: str, width: int) -> str:
    """Cut or pad text to exactly `width` terminal columns, ending a cut with '…'."""
    if width <= 0:
        return ""
    if cell_width(text) <= width:
        return text + " " * (width - cell_width(text))
    out, used = [], 0
    for ch in text:
        w = (
            0
            if unicodedata.combining(ch)
            else (2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1)
        )
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" + " " * (width - 1 - used)


def plural(n: int, word: str, words: str | None = None) -> str:
    """ "1 work", "2 works", "1 entry"/"3 entries" (given), "15 related" (words=word)."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"
