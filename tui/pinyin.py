"""Pinyin for Chinese text: search keys, query patterns and the sort key.

A reader whose library is half Chinese types ``jin`` or ``jsw`` for 金诗炜 and
``ganxibao`` or ``gxb`` for 干细胞.  This module turns Chinese (Han) text into pinyin
once, when the filter index is built, and turns a typed Latin word into the patterns
that find it; :mod:`tui.query` then searches with plain substring tests in C.

The readings come from pypinyin's character table (every reading of every character,
tones dropped, ü written ``v`` as pinyin input methods type it).  Not its converter:
``lazy_pinyin`` segments text into words in Python and takes 0.6 ms per title, 10 s
for the Chinese titles of a 100,000-work library.  Instead each character gets its
commonest reading, and a character with several readings (行 xing/hang, 长 chang/zhang)
takes the reading of a pypinyin phrase around it when there is one (银行 yinhang,
生长 shengzhang).  A family name is read as a family name (曾 zeng, 单 shan, 区 ou),
and every other reading of a one-character family name is searchable too (曾 also as
ceng), since readers type what they think the name is.

Search key of a field (see :func:`field_key`): every run of Han characters as
``\\x03jin\\x03shi\\x03wei`` (each syllable after a \\x03) and as upper-case initials
``JSW``; runs apart by spaces.  A typed word becomes (:func:`patterns`):

* syllables: every split of the word into whole syllables, the last one possibly cut
  short (``jinsh`` = jin + sh…), as ``\\x03jin\\x03sh``.  The \\x03 before each
  syllable is what makes ``inshi`` find nothing: a match starts on a syllable.
* initials: the word in capitals, ``JSW``, when it has two letters or more (one
  letter is already the start of a syllable).

Mixing the two in one word (``jinsw``) is not supported.  Only Han text has keys, so
an English work is never found through pinyin.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache, lru_cache

from tui.text import LazyPattern

__all__ = [
    "has_han",
    "loaded",
    "field_key",
    "name_key",
    "names_key",
    "could_be_pinyin",
    "patterns",
    "sort_key",
    "authors_sort_key",
    "SURNAME_READINGS",
    "COMPOUND_SURNAMES",
]

# Surnames whose reading differs from the commonest reading of the character, and
# two-character surnames (pypinyin has no surname mode; tui.sources.keys uses these too).
SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "朴": "piao", "查": "zha",
    "区": "ou", "盖": "ge", "缪": "miao", "翟": "zhai", "乐": "yue", "覃": "qin",
    "种": "chong", "秘": "bi", "召": "shao", "句": "gou", "尉迟": "yuchi", "万俟": "moqi",
    "长孙": "zhangsun", "令狐": "linghu",
}  # fmt: skip
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 独孤 "
    "南宫 西门 澹台 万俟 闻人 赫连 呼延 端木 百里 东郭 钟离 申屠".split()
)

# Han ideographs (the blocks pypinyin's table covers; kana and hangul have no pinyin)


_HAN_CLASS = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]"
_HAN = LazyPattern(_HAN_CLASS)
_HAN_RUN = LazyPattern(_HAN_CLASS + "+")
_ALL_HAN = _HAN_RUN  # (fullmatch of the same pattern)
_SYL = "\x03"  # before each syllable in a key
_LONGEST_QUERY = 40  # letters; a longer word is not pinyin anyone types
_MAX_PATTERNS = 32


def loaded() -> bool:
    """Are pypinyin's tables in memory (so reading Chinese costs no 0.5 s load)?"""
    return "pypinyin.phrases_dict" in sys.modules and "pypinyin.pinyin_dict" in sys.modules


def has_han(text: str) -> bool:
    """Does text hold a Han character (the only kind with a pinyin reading)?"""
    return _HAN.search(text) is not None


@cache
def _toneless(reading: str) -> str:
    """'lǚ' -> 'lv', 'zhǎng' -> 'zhang' (pypinyin's table has ~1,500 toned syllables)."""
    text = unicodedata.normalize("NFD", reading.replace("ü", "v"))
    return "".join(c for c in text if not unicodedata.combining(c)).replace("ü", "v")


@cache
def _readings(ch: str) -> tuple[str, ...]:
    """Every toneless reading of one character, the commonest first; () if none."""
    from pypinyin.pinyin_dict import pinyin_dict  # lazy: ~0.5 s to load

    raw = pinyin_dict.get(ord(ch))
    if not raw:
        return ()
    out: list[str] = []
    for r in raw.split(","):
        t = _toneless(r)
        if t and t.isascii() and t.isalpha() and t not in out:
            out.append(t)
    return tuple(out)


class _Table(dict):
    """str.translate table, filled on first sight of a character: Han character ->
    what ``value(readings)`` makes of its readings; no reading -> deleted."""

    def __init__(self, value) -> None:
        super().__init__()
        self._value = value

    def __missing__(self, code: int) -> str | None:
        rs = _readings(chr(code))
        got = self[code] = self._value(rs) if rs else None
        return got


_FULL = _Table(lambda rs: _SYL + rs[0])  # 金 -> "\x03jin"
_INITIAL = _Table(lambda rs: rs[0][0].upper())  # 金 -> "J"


@lru_cache(maxsize=1)
def _fixes() -> tuple[dict[str, tuple[str, ...]], re.Pattern[str]]:
    """pypinyin's phrases of 2-3 characters in which a character is not read the
    commonest way (银行 yin hang, 长期 chang qi, 目的 mu di): 1,700 of its 47,000
    phrases; and a pattern of the characters that begin one.  About 0.2 s, once."""
    from pypinyin.phrases_dict import phrases_dict

    fixes: dict[str, tuple[str, ...]] = {}
    for phrase, readings in phrases_dict.items():
        if len(phrase) not in (2, 3) or len(readings) != len(phrase):
            continue
        toneless = tuple(_toneless(r[0]) for r in readings)
        if any(_readings(c)[:1] not in ((), (t,)) for c, t in zip(phrase, toneless, strict=True)):
            if all(t.isascii() and t.isalpha() for t in toneless):
                fixes[phrase] = toneless
    starts = sorted({p[0] for p in fixes})
    return fixes, re.compile("[" + "".join(re.escape(c) for c in starts) + "]")


def _run_syllables(run: str) -> list[str]:
    """One reading per character of a run of Han characters (no reading: skipped):
    the commonest, or the one of a phrase it is in."""
    out = [rs[0] if rs else "" for rs in map(_readings, run)]
    fixes, starts = _fixes()
    for m in starts.finditer(run):
        i = m.start()
        for size in (3, 2):
            got = fixes.get(run[i : i + size])
            if got is not None:
                out[i : i + size] = got
                break
    return [x for x in out if x]


def _run_key(run: str) -> tuple[str, str]:
    """(syllables, initials) of a run of Han characters.

    Written with str.translate, in C, for the common case of a run without a phrase
    read an uncommon way; this is what keeps building the index of 100,000 works
    cheap (a Python loop per character cost 4 s there).
    """
    fixes, starts = _fixes()
    for m in starts.finditer(run):
        i = m.start()
        if run[i : i + 2] in fixes or run[i : i + 3] in fixes:
            syllables = _run_syllables(run)
            return _SYL + _SYL.join(syllables), "".join(x[0] for x in syllables).upper()
    return run.translate(_FULL), run.translate(_INITIAL)


def _key(runs: list[tuple[str, str]]) -> str:
    runs = [r for r in runs if r[0]]
    if not runs:
        return ""
    return " ".join(full for full, _ in runs) + " " + " ".join(ini for _, ini in runs)


@lru_cache(maxsize=65536)
def field_key(text: str) -> str:
    """Search key of a title, journal… ("" without Han text).

    >>> field_key("干细胞治疗")
    '\\x03gan\\x03xi\\x03bao\\x03zhi\\x03liao GXBZL'
    >>> field_key("CEBPA双突变"), field_key("Stem cells")
    ('\\x03shuang\\x03tu\\x03bian STB', '')
    """
    if not has_han(text):
        return ""
    return _key([_run_key(r) for r in _HAN_RUN.findall(text)])


def _name_syllables(name: str) -> list[list[str]]:
    """Readings of one Chinese name: the family name as a family name, first.

    Returns one syllable list per way of reading it (a one-character family name with
    several readings: every reading, the family-name one first).
    """
    han = "".join(_HAN_RUN.findall(name))
    if not han:
        return []
    if not _HAN.match(name.strip()):  # "Li 金": not a Chinese name, read as text
        return [_run_syllables(han)]
    family = _family(han)
    rest = _run_syllables(han[len(family) :])
    readings = _family_readings(family)
    if not readings:
        return [rest]
    return [[*r, *rest] for r in readings]


def _family(han: str) -> str:
    """The family name at the head of a Chinese name: one character, or two (欧阳)."""
    return han[:2] if han[:2] in COMPOUND_SURNAMES else han[:1]


@lru_cache(maxsize=1024)
def _family_readings(family: str) -> tuple[tuple[str, ...], ...]:
    """Ways to read a family name, as syllables, the family-name reading first:
    曾 (zeng), (ceng); 长孙 (zhang, sun)."""
    special = SURNAME_READINGS.get(family)
    if len(family) == 2:
        for a in _readings(family[0]):
            for b in _readings(family[1]):
                if a + b == special:
                    return ((a, b),)
        return (tuple(_run_syllables(family)),)
    readings = _readings(family)
    if special:
        readings = (special, *(r for r in readings if r != special))
    return tuple((r,) for r in readings[:4])


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Search key of one author's name ("" without Han text).

    >>> name_key("金诗炜")
    '\\x03jin\\x03shi\\x03wei JSW'
    >>> name_key("曾丽").split()
    ['\\x03zeng\\x03li', '\\x03ceng\\x03li', 'ZL', 'CL']
    """
    han = name if _ALL_HAN.fullmatch(name) else "".join(_HAN_RUN.findall(name))
    if not han:
        return ""
    if not _HAN.match(name.strip()):  # "Li 金": not a Chinese name, read as text
        return _key([_run_key(han)])
    # (given names are not phrases: read character by character, in C)
    family = _family(han)
    rest = han[len(family) :]
    full, initials = rest.translate(_FULL), rest.translate(_INITIAL)
    return _key([(f + full, i + initials) for f, i in _family_keys(family)])


@lru_cache(maxsize=1024)
def _family_keys(family: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (_SYL + _SYL.join(r), "".join(x[0] for x in r).upper()) for r in _family_readings(family)
    )


def names_key(names: list[str] | tuple[str, ...]) -> str:
    """Search key of a list of authors (names apart, so no match spans two names)."""
    return " ".join(k for k in map(name_key, names) if k)


# --------------------------------------------------------------------------------------
# the typed side


@lru_cache(maxsize=1)
def _syllables() -> tuple[frozenset[str], frozenset[str]]:
    """(every syllable, every non-empty prefix of one), from pypinyin's table.

    Syllables without a vowel (嗯 n, 呣 m, 哼 hng) are left out: they would let
    nearly any word split into "syllables".
    """
    from pypinyin.pinyin_dict import pinyin_dict

    toned = set()
    for raw in pinyin_dict.values():
        toned.update(raw.split(","))
    syllables = set()
    for r in toned:
        t = _toneless(r)
        if t.isascii() and t.isalpha() and any(v in t for v in "aeiouv"):
            syllables.add(t)
    prefixes = {s[:k] for s in syllables for k in range(1, len(s) + 1)}
    return frozenset(syllables), frozenset(prefixes)


def spells_pinyin(word: str, at_most: int) -> bool:
    """Does `word` spell at most `at_most` real pinyin syllables ("Shanshan": 2)?

    >>> spells_pinyin("Shanshan", 3), spells_pinyin("Jane", 3), spells_pinyin("Doe", 1)
    (True, False, False)
    """
    word = word.lower()
    if not word.isascii() or not word.isalpha() or len(word) > 6 * at_most:
        return False
    valid = _syllables()[0]
    # fewest syllables that spell word[:i] (None: it cannot be spelled)
    best: list[int | None] = [0] + [None] * len(word)
    for i in range(1, len(word) + 1):
        for j in range(max(0, i - 6), i):
            n = best[j]
            if n is not None and word[j:i] in valid and (best[i] is None or n + 1 < best[i]):
                best[i] = n + 1
    return best[-1] is not None and best[-1] <= at_most


def could_be_pinyin(word: str) -> bool:
    """Is word (already folded: lower case, no accents) something typed as pinyin?

    Letters only (a space or an apostrophe between syllables is allowed), at most 40.
    Cheap: it does not load pypinyin.
    """
    if not word.isascii() or len(word) > _LONGEST_QUERY + 10:
        return False
    letters = word.replace(" ", "").replace("'", "")
    return 0 < len(letters) <= _LONGEST_QUERY and letters.isalpha()


@lru_cache(maxsize=1024)
def patterns(word: str) -> tuple[str, ...]:
    """The substrings of a key that a typed word finds; () if it cannot be pinyin.

    >>> patterns("jinshi"), patterns("jsw")
    (('\\x03jin\\x03shi',), ('JSW',))
    >>> patterns("inshi"), patterns("cell2"), patterns("sullivan")
    ((), (), ())
    >>> sorted(patterns("xian"))
    ['\\x03xi\\x03a\\x03n', '\\x03xi\\x03an', '\\x03xia\\x03n', '\\x03xian']
    """
    if not could_be_pinyin(word):
        return ()
    syllables, prefixes = _syllables()
    parts = [p for p in re.split(r"[ ']+", word) if p]  # "xi'an": the split is given
    splits: list[list[str]] = [[]]
    for j, part in enumerate(parts):
        last = j == len(parts) - 1
        found = []
        for head in splits:
            for tail in _splits(part, syllables, prefixes, last):
                found.append(head + tail)
                if len(found) >= _MAX_PATTERNS:
                    break
        splits = found
        if not splits:
            break
    out = [_SYL + _SYL.join(s) for s in splits]
    letters = "".join(parts)
    # initials: one per character, so only letters a syllable can start with (not i u v)
    if len(letters) >= 2 and len(parts) == 1 and all(c in prefixes for c in letters):
        out.append(letters.upper())
    return tuple(dict.fromkeys(out))


def _splits(word: str, syllables, prefixes, last: bool) -> list[list[str]]:
    """Ways of cutting word into syllables; with last, the final one may be cut short."""
    out: list[list[str]] = []

    def walk(pos: int, acc: list[str]) -> None:
        if len(out) >= _MAX_PATTERNS:
            return
        for end in range(pos + 1, min(len(word), pos + 6) + 1):
            piece = word[pos:end]
            if end == len(word):
                if piece in syllables or (last and piece in prefixes):
                    out.append([*acc, piece])
            elif piece in syllables:
                walk(end, [*acc, piece])
            elif piece not in prefixes:
                break

    walk(0, [])
    return out


# --------------------------------------------------------------------------------------
# sorting


@lru_cache(maxsize=65536)
def sort_key(text: str, *, name: bool = False) -> tuple[str, str]:
    """Key to sort titles or names with Chinese ones in pinyin order.

    Han characters become their pinyin (syllables apart by spaces, family names read
    as family names when ``name`` is true), everything folded to lower case without
    accents, so 金诗炜 sorts as "jin shi wei" between "Jiang" and "Jones", as a
    bibliography sorted by author's pinyin does.  The text itself breaks ties, so the
    order is stable and characters read alike stay together.  Empty text gives
    ("", ""): callers put works without an author or title where they like.

    >>> names = ["Jones A", "金诗炜", "Jiang B", "曾丽", "安慧慧"]
    >>> sorted(names, key=lambda s: sort_key(s, name=True))
    ['安慧慧', 'Jiang B', '金诗炜', 'Jones A', '曾丽']
    """
    from tui.query import normalize

    if not has_han(text):
        return normalize(text), text
    out: list[str] = []
    pos = 0
    first = True
    for m in _HAN_RUN.finditer(text):
        if m.start() > pos:
            out.append(text[pos : m.start()])
        if name and first and not text[: m.start()].strip():
            syllables = _name_syllables(m[0])[0]
        else:
            syllables = _run_syllables(m[0])
        out.append(" " + " ".join(syllables) + " ")
        first = False
        pos = m.end()
    out.append(text[pos:])
    return normalize("".join(out)), text


def authors_sort_key(authors: list[str] | tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Key to sort works by their authors: the first author, then the next…"""
    return tuple(sort_key(a, name=True) for a in authors)
