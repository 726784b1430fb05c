"""The steps of an import: `tui.store.Library.import_review` (``into``, ``as_key``).

A `Library` method (``Library.import_review`` calls it, importing this module then), kept here so that
the store module holds the files and this one the order of an import: take the
lock and re-read both files, ask `tui.identity` which stored review and works the
import is, write the review and its works in one write, move the reading state
that follows renumbered works in one more, and say what changed (`Imported`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui import diskformat as fmt
from tui.errors import ReadingListError
from tui.identity import (
    Imported,
    carry_fetched,
    carry_state,
    check_new_key,
    check_numbers,
    find_same,
    keeps_source,
    match_old,
    merge_into,
    new_key,
    new_key_base,
)
from tui.model import Review, Work
from tui.perf import gc_paused

if TYPE_CHECKING:
    from tui.store import Library

__all__ = ["import_review"]


def import_review(
    lib: Library,
    review: Review,
    works: list[Work],
    *,
    into: str | None = None,
    as_key: str | None = None,
) -> Imported:
    """Add a review and its works, or update the same review in place.

    The same review (same DOI, same source checksum, or same title) keeps its
    key and all reading state, even when its lists were renumbered.  A collection
    is the same when it comes from the same file (``review.source`` as an absolute
    path), has the same checksum, or, for a source known only by its file name,
    has that name and mostly the same works: another file that happens to share
    the name gets a key of its own (``refs-2``), it does not replace the first.
    A collection keeps its title: a re-import from a file of another name says so
    (``title_kept``) rather than renaming it.  (The rules are `tui.identity`'s.)

    ``into=KEY``: the works join the existing review or collection KEY instead
    (NotFound if there is none), matched to its works by `tui.identity.merge_into`;
    its own fields and the works the file does not have stay as they were.
    ``as_key=KEY``: a new review or collection under KEY (a collection is also
    titled KEY); ReadingListError, and nothing written, if KEY is taken.

    Sets ``review.key`` and every ``work.review`` to the key it is stored under.
    Returns ``(key, created)``, with what the reader should hear about (see Imported).

    The works are handed over: the library's stored works share their lists and
    records (copying 100,000 records took longer than writing them), so a caller
    must not change them afterwards.
    """
    works = list(works)
    if into is not None and as_key is not None:
        raise ReadingListError("import into an existing review or as a new one, not both")
    if as_key is not None:
        as_key = check_new_key(as_key)
    # The collector is paused throughout: an import builds millions of small objects
    # next to the library's own, and each of its passes would walk them all
    # (a third of a 100,000-work import).
    with lib._locked(), gc_paused():
        lib._bib.sync()
        lib._side.sync()
        if into is not None:
            return _import_into(lib, lib.get_review(into).key, works)
        if as_key is not None:
            taken = next((k for k in lib._bib.reviews if k.lower() == as_key.lower()), None)
            if taken is not None:
                raise ReadingListError(f"'{taken}' already exists; nothing was imported")
            same = None
            review.key = as_key
            if review.kind == "collection":
                review.title_zh, review.title_en = "", as_key
        else:
            same = find_same(lib._bib.reviews.values(), lib._bib.by_review, review, works)
        created = same is None
        key = same.key if same is not None else new_key(lib._bib.reviews, review)
        taken_by = None
        if same is None and as_key is None:  # the key it asked for may be another's
            base = new_key_base(review).lower()
            taken_by = next((r for k, r in lib._bib.reviews.items() if k.lower() == base), None)
        old_works = list(lib._bib.by_review.get(key, [])) if same is not None else []
        title_kept = ""
        if same is not None and keeps_source(same.source, review.source):
            # an identical copy found elsewhere: the collection keeps its origin
            review.source = same.source
        if same is not None and review.kind == "collection" == same.kind:
            # its title is the reader's (its first file's name, or --as): kept
            if (review.title_zh, review.title_en) != (same.title_zh, same.title_en):
                title_kept = review.title
            review.title_zh, review.title_en = same.title_zh, same.title_en
        review.key = key
        for w in works:
            w.review = key
        check_numbers(key, works)
        seq = lib._bib.seq[key] if same is not None else max(lib._bib.seq.values(), default=0) + 1
        matched = match_old(old_works, works)
        carry_fetched(works, matched)  # what was fetched online stays with the same work
        rdoc = fmt.review_doc(review, seq)
        docs = {w.id: fmt.work_doc(w, copy=False) for w in works}
        lib._bib.write_review(key, rdoc, [w.id for w in old_works], docs)
        moves = carry_state(lib._side.states, old_works, works, matched)
        if moves:
            lib._commit(moves, {})
    kept = {o.id for o in matched.values()}
    removed = [o for o in old_works if o.id not in kept]
    stored = lib._bib.by_id
    added, updated, unchanged = [], [], []
    if same is not None:
        for w in works:
            o = matched.get(w.id)
            if o is None:
                group = added
            else:  # stored exactly as before: every field equal (so the documents are)
                group = unchanged if o == w else updated
            group.append(stored.get(w.id, w))
    return Imported(
        key,
        created,
        taken_by=taken_by,
        removed=removed,
        added=added,
        updated=updated,
        unchanged=unchanged,
        title_kept=title_kept,
    )


def _import_into(lib: Library, key: str, works: list[Work]) -> Imported:
    """`import_review(..., into=key)` (lock held, just synced)."""
    old_works = list(lib._bib.by_review.get(key, []))
    merge = merge_into(key, old_works, works)
    check_numbers(key, merge.works)
    if merge.added or merge.updated:
        rdoc = fmt.review_doc(lib._bib.reviews[key], lib._bib.seq[key])
        docs = {w.id: fmt.work_doc(w, copy=False) for w in merge.works}
        lib._bib.write_review(key, rdoc, [o.id for o in old_works], docs)
        moves = carry_state(lib._side.states, old_works, merge.works, merge.match)
        if moves:
            lib._commit(moves, {})
    stored = lib._bib.by_id
    return Imported(
        key,
        False,
        added=[stored.get(w.id, w) for w in merge.added],
        updated=[stored.get(w.id, w) for w in merge.updated],
        unchanged=merge.unchanged,
        left_alone=merge.left_alone,
    )
