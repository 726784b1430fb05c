"""Sentence case for titles in Latin script (GB/T 7714-2015 8.2; 2025 8.2: "KANAMORI H.
Shaking without quaking[J]").

Only a title written in Title Case is changed; one already in sentence case is left as it
is.  Kept: the first word, words the source protected (BibTeX braces), acronyms and words
with an inner capital or a digit ("OCLC", "McGraw", "GigaScience", "Th17"), "I", the first
word after a dash that opens a part ("Explosive atmospheres—Part 20-2"), and proper nouns
learned from the library: words that stay capitalised inside the sentence-case titles of
other works (`learn`).  The limit: a Title Case proper noun that no other title shows is
lower-cased ("california"), unless the source protects it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

_SMALL = frozenset(
    "a an the and or nor but of in on at to for from by with without via into onto over "
    "under between through about as per vs de la le et du des von van der".split()
)
# a word: a letter, then letters, digits and apostrophes ("Kaplan's"); written as runs, not
# one alternation per character, which took twice as long (the same matches)
_WORD = re.compile(r"[^\W\d_][^\W_]*(?:['’]+[^\W_]*)*")
# each word with what comes between it and the word before (no letter: [\W\d_]); a word ends
# in a letter, digit or apostrophe, so only that text can end a sentence before a word
_GAP_WORD = re.compile(r"([\W\d_]*)(" + _WORD.pattern + ")")
_ENDS = (":", ".", "?", "!", "—")  # a capital after these starts a sentence or a part


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and (len(word) == 1 or word[1:].islower())


def _is_title_case(title: str) -> bool:
    """Most significant words after the first start with a capital."""
    if title[1:].islower():  # no capital after the first letter (said in C, sooner)
        return False
    return _title_case(_WORD.findall(title)[1:])


def _title_case(rest: list[str]) -> bool:
    """`rest`: a title's words after the first."""
    words = [w for w in rest if len(w) > 3 and w.lower() not in _SMALL]
    if not words:
        return bool(rest) and all(_capitalised(w) or w.isupper() for w in rest)
    caps = sum(1 for w in words if w[:1].isupper())
    return caps * 2 > len(words)


# cached for the app, which cites the same works again; `learn` reads every title of a
# library once and calls the function itself (100,000 titles would only churn the cache)
is_title_case = functools.lru_cache(maxsize=8192)(_is_title_case)


def _keep(word: str, protected: frozenset, lexicon: frozenset) -> bool:
    stem = word[:-2] if word.endswith(("'s", "’s")) else word  # "Kaplan & Sadock's"
    if stem in protected or stem in lexicon or word == "I":
        return True
    if len(word) > 1 and any(c.isupper() for c in word[1:]):  # OCLC, McGraw, GigaScience
        return True
    return any(c.isdigit() for c in word)


@functools.lru_cache(maxsize=8192)
def sentence_case(title: str, protected: frozenset = frozenset(), lexicon=frozenset()) -> str:
    """'Shaking without Quaking' -> 'Shaking without quaking' (see the module's rules)."""
    if not title or not is_title_case(title):
        return title
    out, last, first = [], 0, True
    for m in _WORD.finditer(title):
        word = m.group()
        before = title[last : m.start()]
        out.append(before)
        last = m.end()
        if first or not _capitalised(word) or _keep(word, protected, lexicon):
            out.append(word)
        else:
            out.append(word.lower())
        first = False
    out.append(title[last:])
    return "".join(out)


def learn(titles: Iterable[str]) -> frozenset:
    """Proper nouns of a library: capitalised words inside its sentence-case titles
    ("The genome of Eucalyptus grandis" teaches "Eucalyptus")."""
    found: set[str] = set()
    for title in titles:
        # no capital after the first letter: no capitalised word inside
        if not title or title[1:].islower():
            continue
        pairs = _GAP_WORD.findall(title)[1:]  # (the text before a word, the word)
        if _title_case([word for _gap, word in pairs]):
            continue
        for gap, word in pairs:
            if len(word) > 1 and _capitalised(word) and not gap.rstrip().endswith(_ENDS):
                found.add(word)
    return frozenset(found)


class LazyLexicon:
    """`learn` of some works' titles, learned when first asked (`word in lexicon`): only a
    title in Title Case is put in sentence case and asks, and most lists have none, while
    learning reads every title of the list (0.8 s at 100,000 works).  Hashed by identity,
    as the caches of one list's formatting need."""

    __slots__ = ("_works", "_words")

    def __init__(self, works) -> None:
        self._works = works  # objects with a `title`
        self._words: frozenset | None = None

    def __contains__(self, word: object) -> bool:
        words = self._words
        if words is None:  # two threads may both learn: the same words
            words = self._words = learn(w.title for w in self._works)
        return word in words
