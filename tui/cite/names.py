"""Author names as the formatters need them.

`tui.model.parse_author` splits a name as printed; this adds what the formatters
need on top: names already printed GB/T-style with spaced initials
("DES MARAIS D J"), pinyin names with the family name in capitals ("LIN Ruilian"),
and given names that are initials only ("DA" -> "D. A." for CSL and BibTeX).
"""

from __future__ import annotations

import re

from tui.model import Author, has_cjk, parse_author

# "DES MARAIS D J", "Teske N", "Frese K. S.": a family name then single-letter initials
_SPACED_INITIALS = re.compile(r"^(?P<family>\S.*?)(?P<initials>(?:\s+[A-Z]\.?)+)$")
_INITIALS_ONLY = re.compile(r"^[A-Z]{1,4}$")
_DOTTED_INITIALS = re.compile(r"^(?:[A-Z]\.?\s*-?\s*)+$")


def split_name(name: str) -> Author:
    """Like parse_author, but also understands spaced initials ("DES MARAIS D J")."""
    name = " ".join(name.split())
    if name and "," not in name and not has_cjk(name):
        m = _SPACED_INITIALS.match(name)
        if m and not m["family"].endswith(" ") and len(m["initials"].split()) > 1:
            family = m["family"]
            if family.isupper() and len(family) > 1:  # "DES MARAIS" -> "Des Marais"
                family = _title_word(family)
            return Author(family=family, given="".join(m["initials"].replace(".", "").split()))
    return parse_author(name)


def _title_word(text: str) -> str:
    return " ".join(w[:1] + w[1:].lower() if w.isalpha() else w.title() for w in text.split())


def is_pinyin_name(name: str) -> bool:
    """'LIN Ruilian', 'MA Lili': a Chinese name in pinyin, family name in capitals first."""
    parts = " ".join(name.split()).split(" ")
    if len(parts) < 2 or len(parts) > 3 or "," in name:
        return False
    head, rest = parts[0], parts[1:]
    return (
        head.isalpha()
        and head.isupper()
        and len(head) > 1
        and all(p[:1].isupper() and not p.isupper() and p.replace("-", "").isalpha() for p in rest)
    )


def initial_letters(author: Author) -> list[str]:
    """The given name as a list of initials: 'DA' -> ['D', 'A'], 'John A.' -> ['J', 'A']."""
    given = author.given.strip()
    if not given:
        return []
    if _INITIALS_ONLY.match(given):
        return list(given)
    parts = re.split(r"[\s.\-]+", given)
    return [p[0].upper() for p in parts if p]


def csl_given(author: Author) -> str:
    """A given name for CSL/BibTeX data: initials get points ('DA' -> 'D. A.', 'N' -> 'N.').

    Written-out given names are kept ('John A.', 'Ruilian').
    """
    given = author.given.strip()
    if _INITIALS_ONLY.match(given):
        return " ".join(ch + "." for ch in given)
    if _DOTTED_INITIALS.match(given):  # "J.A." -> "J. A."
        letters = re.findall(r"[A-Z]", given)
        return " ".join(ch + "." for ch in letters)
    return given
