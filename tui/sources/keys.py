"""Stable BibTeX-style citation keys: family name + year + first title word.

"Sullivan KM ... Myeloablative autologous ..., 2018" -> "sullivan2018myeloablative";
"金诗炜 ... 既往新型冠状病毒 ..., 2025" -> "jin2025jiwang" (pinyin through pypinyin).
Better BibTeX's key formulas are JavaScript inside Zotero; no Python library builds
such keys, so this is a few lines of our own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from tui.model import Work, has_cjk, parse_author

__all__ = ["make_key", "unique_keys", "ascii_fold", "pinyin"]

STOPWORDS = frozenset(
    """a an the and or of on in at to for from by with without into onto over under
    as is are was were be been its it this that these those via vs versus about
    de la le les el los las der die das und du des del""".split()
)

# Surnames whose reading differs from the commonest reading of the character, and
# two-character surnames (pypinyin has no surname mode).
_SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "朴": "piao", "查": "zha",
    "区": "ou", "盖": "ge", "缪": "miao", "翟": "zhai", "乐": "yue", "覃": "qin",
    "种": "chong", "秘": "bi", "召": "shao", "句": "gou", "尉迟": "yuchi", "万俟": "moqi",
    "长孙": "zhangsun", "令狐": "linghu",
}  # fmt: skip
_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 独孤 "
    "南宫 西门 澹台 万俟 闻人 赫连 呼延 端木 百里 东郭 钟离 申屠".split()
)


def ascii_fold(text: str) -> str:
    """'Müller' -> 'Muller', 'Lima-Júnior' -> 'Lima-Junior'; drops what has no ASCII form."""
    text = unicodedata.normalize("NFKD", text)
    text = text.replace("ß", "ss").replace("æ", "ae").replace("ø", "o").replace("ł", "l")
    return text.encode("ascii", "ignore").decode("ascii")


def pinyin(text: str) -> str:
    """Toneless pinyin of the CJK characters in text, joined ('既往' -> 'jiwang')."""
    from pypinyin import lazy_pinyin  # lazy: loading its dictionaries takes ~0.3 s

    return "".join(lazy_pinyin(text, errors="ignore"))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower())


def _family_part(name: str) -> str:
    author = parse_author(name)
    if author.literal and has_cjk(author.literal):
        lit = author.literal.replace(" ", "")
        cjk = "".join(ch for ch in lit if has_cjk(ch))
        surname = cjk[:2] if cjk[:2] in _COMPOUND_SURNAMES else cjk[:1]
        return _SURNAME_READINGS.get(surname) or _slug(pinyin(surname))
    if author.literal or _is_organisation(name, author):
        # an organisation: its first significant word
        return _first_word(name) or _slug(name)[:12]
    return _slug(author.family)


def _is_organisation(name: str, author) -> bool:
    """ "World Health Organization": three or more words, no comma, no initials."""
    words = name.split()
    return (
        len(words) >= 3
        and "," not in name
        and "." not in name
        and not re.fullmatch(r"[A-Z]{1,4}", author.given or "")
    )


def _first_word(title: str) -> str:
    # CJK characters separate words here ("CEBPA双突变合并GATA2" -> "cebpa")
    latin = "".join(" " if has_cjk(ch) else ch for ch in title)
    for word in re.findall(r"[A-Za-z0-9]+", ascii_fold(latin)):
        w = word.lower()
        if w not in STOPWORDS:
            return w
    return ""


def _title_part(title: str) -> str:
    title = title.strip()
    # skip leading punctuation such as quotes or "["
    stripped = title.lstrip(" \"'“‘[(（【《")
    if stripped and has_cjk(stripped[0]):
        cjk = [ch for ch in stripped if has_cjk(ch)][:2]
        return _slug(pinyin("".join(cjk)))
    return _first_word(stripped)


def make_key(work: Work) -> str:
    """A citation key: 'sullivan2018myeloablative', 'jin2025jiwang', 'anon2020' ..."""
    family = ""
    for name in work.authors:
        family = _family_part(name)
        if family:
            break
    if not family:
        family = "anon"
    year = str(work.year) if work.year else ""
    return f"{family}{year}{_title_part(work.title)}"


def unique_keys(works: Iterable[Work]) -> None:
    """Give every work without a key one, unique within `works`.

    Keys already set are kept and reserved; the first work with a given key keeps
    it, later ones get 'a', 'b', ... 'z', 'aa', ... appended (as Better BibTeX does).
    """
    works = list(works)
    taken = {w.key for w in works if w.key}
    next_suffix: dict[str, int] = {}  # per base key, so 10,000 "smith2020" stay linear
    for w in works:
        if w.key:
            continue
        base = make_key(w)
        key = base
        i = next_suffix.get(base, 0)
        while key in taken:
            key = base + suffix(i)
            i += 1
        next_suffix[base] = i
        w.key = key
        taken.add(key)


def suffix(i: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'aa', ..."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(97 + r) + s
    return s
