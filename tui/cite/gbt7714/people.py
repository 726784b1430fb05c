"""Names as GB/T 7714 prints them (2015 clause 8.1.2; 2025 clause 8.1).

2015 prints a Western family name in capitals ("PEEBLES P Z, Jr"); 2025 as written
("Peebles P Z Jr").  Both keep every initial without points ("Кочетков А Я"), print
Cyrillic and other family names as written in their script, CJK names and
organisations as written, and cut a list after three names with "等" / "et al.".
2025 also prints a pinyin given name in full ("Wang Shanshan"): its examples do.
"""

from __future__ import annotations

import functools
import re

from tui.model import has_cjk

MAX_NAMES = 3
ET_AL_ZH = "等"
ET_AL = "et al."

_LATIN = re.compile(r"[A-Za-zÀ-ɏ]")
_CAPS = re.compile(r"[A-Z]{1,4}")  # a given name of initials only: "DA"
_INITIAL_CUT = re.compile(r"[\s.\-‐]+")
_WORD_CUT = re.compile(r"[\s.]+")


@functools.lru_cache(maxsize=8192)  # family names and initials recur far more than whole names
def _pinyin(text: str, syllables: int) -> bool:
    """Is `text` at most `syllables` real pinyin syllables ("Shanshan", "Xi-an")?

    Real syllables (tui.pinyin), not a pattern of initials and finals: a pattern also
    takes English names apart ("Doe" as d-o-e, "Jane" as ja-ne), which keep initials.
    """
    from tui.pinyin import spells_pinyin

    return spells_pinyin(text.replace("-", "").replace("'", ""), syllables)


def initials(given: str) -> list[str]:
    """Every initial of a given name: 'Peyton Z.' -> P Z, 'А. Я.' -> А Я, 'DA' -> D A."""
    given = given.strip()
    if not given:
        return []
    if _CAPS.fullmatch(given):
        return list(given)
    return [p[0].upper() for p in _INITIAL_CUT.split(given) if p]


def _initials_2025(given: str) -> str:
    words = [w for w in _WORD_CUT.split(given.strip()) if w]
    if len(words) == 1 and _CAPS.fullmatch(words[0]):
        return " ".join(words[0])
    return " ".join("-".join(p[0].upper() for p in w.split("-") if p) for w in words)


def format_name(name: dict, edition: str) -> str:
    """One CSL name as the edition prints it."""
    return _format_name(tuple(name.items()), edition)


@functools.lru_cache(maxsize=65536)  # a library names the same people again and again
def _format_name(items: tuple, edition: str) -> str:
    name = dict(items)
    if name.get("literal"):
        lit = " ".join(str(name["literal"]).split())
        return lit.replace(" ", "") if all(has_cjk(c) or c == " " for c in lit) else lit
    family = " ".join(str(name.get("family", "")).split())
    given = " ".join(str(name.get("given", "")).split())
    particle = str(name.get("non-dropping-particle", "") or name.get("dropping-particle", ""))
    suffix = str(name.get("suffix", "")).strip()
    if has_cjk(family) or has_cjk(given):
        return family + given
    if name.get("pinyin"):  # printed "LIN Ruilian": the given name kept whole
        return f"{family.upper() if edition == '2015' else family} {given}"
    full = f"{particle} {family}".strip()
    latin = bool(_LATIN.search(full))
    if edition == "2025" and latin and _pinyin(family, 1) and _pinyin(given, 3):
        shown = f"{full} {given.replace('-', '')}"
    elif edition == "2025":
        # 2025 8.5.3-10: "Veen P H v d" (van der Veen), "Park J-R" (Jong-Rim)
        shown = " ".join([family, _initials_2025(given), *(w[0] for w in particle.split())])
    else:
        caps = full.upper() if latin else full
        shown = " ".join([caps, *initials(given)])
    if suffix:
        shown += f", {suffix}" if edition == "2015" else f" {suffix}"
    return shown.strip()


def is_chinese_list(names: list[dict]) -> bool:
    """等 or et al.: by the script of the first name (a list is written in one script)."""
    for n in names:
        text = n.get("literal") or n.get("family", "") + n.get("given", "")
        if text.strip():
            return has_cjk(text)
    return False


def format_names(names: list[dict], edition: str, et_al: bool = False, *, lang: str = "") -> str:
    """At most three names, then ', 等' / ', et al.'."""
    shown = [s for s in (format_name(n, edition) for n in names) if s]
    more = et_al or len(shown) > MAX_NAMES
    shown = shown[:MAX_NAMES]
    if more and shown:
        chinese = is_chinese_list(names) if names else lang == "zh"
        shown.append(ET_AL_ZH if chinese else ET_AL)
    return ", ".join(shown)
