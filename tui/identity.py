"""Which stored review and works an import is, and where their reading state goes.

`tui.store.Library.import_review` asks these functions, then writes what they
decided. They are pure: they read the library's reviews, works and states as
given and change nothing, so each rule can be tested on plain objects.

* `find_same`: the stored review an import updates (same DOI, same source checksum,
  same title; for a collection the same file, or a file of that name holding mostly
  the same works), or None for a new review;
* `new_key`: the key of a new review (its own key, else a slug of its title), with
  ``-2``, ``-3``... when another review holds it;
* `match_old` and `carry_state`: on an update, which old work each new one is, and
  how the reading state of works known only by their number follows them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

from tui.errors import ReadingListError
from tui.model import Review, State, Work, fold
from tui.text import inert

__all__ = [
    "Imported",
    "carry_fetched",
    "carry_state",
    "check_numbers",
    "find_same",
    "keeps_source",
    "match_old",
    "new_key",
    "new_key_base",
]


class Imported(tuple):
    """What `Library.import_review` did.

    Unpacks as ``(key, created)`` (what it returned before, so callers keep working);
    besides: ``taken_by``, the review that already holds the key this source asked for
    (so this one got ``refs-2``), and ``removed``, the works an update dropped because
    the source no longer has them (their reading state is kept).
    """

    key: str
    created: bool
    taken_by: Review | None
    removed: list[Work]

    def __new__(
        cls,
        key: str,
        created: bool,
        *,
        taken_by: Review | None = None,
        removed: list[Work] | None = None,
    ) -> Imported:
        self = super().__new__(cls, (key, created))
        self.key, self.created = key, created
        self.taken_by = taken_by
        self.removed = list(removed or [])
        return self


def _slug(text: str) -> str:
    text = fold(text)
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) > 40:  # cut at a word
        text = text[:41].rsplit("-", 1)[0]
    return text[:40].strip("-")


def _norm(text: str) -> str:
    return " ".join(fold(text).split())


def find_same(
    reviews: Iterable[Review],
    by_review: Mapping[str, list[Work]],
    review: Review,
    works: Iterable[Work] = (),
) -> Review | None:
    """The stored review (of `reviews`, whose works are `by_review`) that `review`
    with `works` is a new version of, or None."""
    reviews = list(reviews)
    doi = review.doi.strip().lower()
    titles = {_norm(t) for t in (review.title_zh, review.title_en) if t.strip()}
    for r in reviews:
        if doi and r.doi.strip().lower() == doi:
            return r
    for r in reviews:
        if review.checksum and r.checksum == review.checksum:
            return r
    for r in reviews:
        if review.kind == "collection" or r.kind == "collection":
            # A collection's title is its file's stem: rt.bib, rt.ris and rt.json are
            # three collections; the same file imported again is one.  The same file
            # is the same path; projA/refs.bib and projB/refs.bib are two files.
            if not review.source or r.kind != review.kind:
                continue
            if os.path.isabs(review.source) and r.source == review.source:
                return r
            if (
                not (os.path.isabs(review.source) and os.path.isabs(r.source))
                and _base_name(r.source) == _base_name(review.source)
                and _holds_mostly(by_review.get(r.key, []), list(works))
            ):
                # stored before sources were paths (or given without one): a file
                # of that name that still holds mostly the same works
                return r
            continue
        theirs = {_norm(t) for t in (r.title_zh, r.title_en) if t.strip()}
        if titles & theirs:
            return r
        if not titles and not theirs and review.key and review.key == r.key:
            return r
    return None


def new_key_base(review: Review) -> str:
    """The key a new review asks for: its own, else a slug of its title or journal."""
    # A key is printed as it is (ids, messages): no control characters in it.
    base = inert(review.key, keep_newlines=False).strip().replace("/", "-").replace(" ", "-")
    return base or _slug(review.title_en) or _slug(review.journal_en) or "review"


def new_key(taken: Iterable[str], review: Review) -> str:
    """`new_key_base`, or ``<base>-2``, ``-3``... when a key of `taken` has it
    (keys compare without case)."""
    base = new_key_base(review)
    key, i = base, 1
    low = {k.lower() for k in taken}
    while key.lower() in low:
        i += 1
        key = f"{base}-{i}"
    return key


def check_numbers(key: str, works: Iterable[Work]) -> None:
    """ReadingListError unless every work has a number and no two the same one."""
    seen: dict[str, Work] = {}
    for w in works:
        if not isinstance(w.n, int) or isinstance(w.n, bool):
            raise ReadingListError(f"review '{key}': work '{w.title[:40]}' has no number")
        if w.id in seen:
            raise ReadingListError(
                f"review '{key}' has two works numbered {w.local_id}: "
                f"'{seen[w.id].title[:40]}' and '{w.title[:40]}'"
            )
        seen[w.id] = w


def match_old(old: list[Work], new: list[Work]) -> dict[str, Work]:
    """new work id -> the old work it is, matched by DOI, PMID, the printed string or
    title+year (each old work at most once)."""
    if not old:
        return {}
    index: dict[tuple, Work] = {}
    for o in old:
        for k in _match_keys(o):
            index.setdefault(k, o)
    used: set[str] = set()
    match: dict[str, Work] = {}
    for w in new:
        for k in _match_keys(w):
            o = index.get(k)
            if o is not None and o.id not in used:
                used.add(o.id)
                match[w.id] = o
                break
    return match


def carry_fetched(new: list[Work], match: dict[str, Work]) -> None:
    """What online services gave a work (`Work.fetched`) stays with it on a re-import
    (matched by `match_old`), unless the new record brings its own."""
    for w in new:
        o = match.get(w.id)
        if o is not None and o.fetched and not w.fetched:
            w.fetched = o.fetched  # (the stored document is a copy: diskformat.work_doc)


def _holds_mostly(old: list[Work], new: list[Work]) -> bool:
    """Do two lists of works mostly hold the same works (more than half of each)?"""
    if not old or not new:
        return not old and not new
    same = len(match_old(old, new))
    return same * 2 > len(old) and same * 2 > len(new)


def _base_name(source: str) -> str:
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def keeps_source(old: str, new: str) -> bool:
    """On an update, keep the stored source rather than the new one?

    Only when the same content came from another file while the first still exists
    (a copy): the collection stays tied to the file it was first imported from.
    """
    return (
        bool(old)
        and old != new
        and os.path.isabs(old)
        and os.path.isabs(new)
        and os.path.exists(old)
    )


def _match_keys(w: Work) -> list[tuple]:
    """Ways to recognise the same work across two imports, most reliable first."""
    keys: list[tuple] = []
    if w.doi:
        keys.append(("doi", w.doi.lower()))
    if w.pmid:
        keys.append(("pmid", w.pmid))
    if w.raw.strip():
        keys.append(("raw", w.kind, _norm(w.raw)))
    if w.title.strip():
        keys.append(("title", w.kind, _norm(w.title), w.year))
    return keys


def carry_state(
    states: Mapping[str, State], old: list[Work], new: list[Work], match: dict[str, Work]
) -> dict[str, State | None]:
    """State moves when a re-import renumbers works that have no DOI/PMID.

    Works with a DOI or PMID keep their state by identity. Works known only by
    their number ("id:<review>/ref16") are matched old-to-new (`match`, from
    `match_old`); their state follows them to the new number. A state whose work
    disappeared is kept under "orphan:<ident>" rather than being handed to
    whichever work now has that number. Returns ident -> new state (None: none).
    """
    if not old:
        return {}
    changes: dict[str, State | None] = {}
    carried: set[str] = set()  # ids of old works whose state went to their new place
    for w in new:
        o = match.get(w.id)
        if o is None or o.ident not in states:
            continue
        if o.ident == w.ident:
            carried.add(o.id)
        elif w.ident.startswith("id:") or w.ident not in states:
            changes[w.ident] = states[o.ident]
            carried.add(o.id)
    new_by_ident = {w.ident: w for w in new}
    for o in old:
        if not o.ident.startswith("id:") or o.ident not in states:
            continue
        holder = new_by_ident.get(o.ident)
        if holder is not None and match.get(holder.id) is o:
            continue  # same work, same number
        changes.setdefault(o.ident, None)  # the number now belongs to another work
        if o.id not in carried:
            changes["orphan:" + o.ident] = states[o.ident]
    return changes
