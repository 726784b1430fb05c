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
  how the reading state of works known only by their number follows them;
* `merge_into`: a file's works merged into an existing review or collection
  (``import --into``): which are added, updated, unchanged, and which stored works
  the file does not have (left alone);
* `check_new_key`: a key the reader chose (``import --as``) is usable in ids.
"""

from __future__ import annotations

import dataclasses
import os
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tui.diskformat import work_doc
from tui.errors import ReadingListError
from tui.model import Review, State, Work, fold
from tui.text import inert

__all__ = [
    "Imported",
    "Merge",
    "carry_fetched",
    "carry_state",
    "check_new_key",
    "check_numbers",
    "find_same",
    "keeps_source",
    "match_old",
    "merge_into",
    "new_key",
    "new_key_base",
]


class Imported(tuple):
    """What `Library.import_review` did.

    Unpacks as ``(key, created)`` (what it returned before, so callers keep working);
    besides: ``taken_by``, the review that already holds the key this source asked for
    (so this one got ``refs-2``), and ``removed``, the works an update dropped because
    the source no longer has them (their reading state is kept).

    On an update (and an import ``into`` a review): ``added``, ``updated`` and
    ``unchanged``, the file's works as stored; ``left_alone``, the stored works the
    file does not have (kept as they were: only an update of the same source
    removes works, and lists them in ``removed``); ``title_kept``, the title the file
    would have given a collection that keeps its own (a collection is never renamed
    by a re-import), or "".
    """

    key: str
    created: bool
    taken_by: Review | None
    removed: list[Work]
    added: list[Work]
    updated: list[Work]
    unchanged: list[Work]
    left_alone: list[Work]
    title_kept: str

    def __new__(
        cls,
        key: str,
        created: bool,
        *,
        taken_by: Review | None = None,
        removed: list[Work] | None = None,
        added: list[Work] | None = None,
        updated: list[Work] | None = None,
        unchanged: list[Work] | None = None,
        left_alone: list[Work] | None = None,
        title_kept: str = "",
    ) -> Imported:
        self = super().__new__(cls, (key, created))
        self.key, self.created = key, created
        self.taken_by = taken_by
        self.removed = list(removed or [])
        self.added = list(added or [])
        self.updated = list(updated or [])
        self.unchanged = list(unchanged or [])
        self.left_alone = list(left_alone or [])
        self.title_kept = title_kept
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
        wid = w.id
        if wid in seen:
            raise ReadingListError(
                f"review '{key}' has two works numbered {w.local_id}: "
                f"'{seen[wid].title[:40]}' and '{w.title[:40]}'"
            )
        seen[wid] = w


def match_old(old: list[Work], new: list[Work]) -> dict[str, Work]:
    """new work id -> the old work it is, matched by DOI, PMID, the printed string or
    title+year (each old work at most once).

    Each way has an index of the old works (the first one with each key), built when
    a new work first needs it: where every work has a DOI, no printed string or title
    is ever normalised (a second at 100,000 works)."""
    if not old:
        return {}
    norms: dict[str, str] = {}  # a re-import meets each printed string and title twice
    indexes: list[dict | None] = [None] * len(_MATCH_KEYS)
    used: set[int] = set()  # the old works taken, by object (their ids are unique)
    match: dict[str, Work] = {}
    for w in new:
        for i, key_of in enumerate(_MATCH_KEYS):
            k = key_of(w, norms)
            if k is None:
                continue
            index = indexes[i]
            if index is None:
                index = indexes[i] = {}
                for o in old:
                    ko = key_of(o, norms)
                    if ko is not None:
                        index.setdefault(ko, o)
            o = index.get(k)
            if o is not None and id(o) not in used:
                used.add(id(o))
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


def _doi_key(w: Work, norms: dict[str, str] | None = None) -> str | None:
    return w.doi.lower() if w.doi else None


def _pmid_key(w: Work, norms: dict[str, str] | None = None) -> str | None:
    return w.pmid or None


def _raw_key(w: Work, norms: dict[str, str] | None = None) -> tuple | None:
    return (w.kind, _cached_norm(w.raw, norms)) if w.raw.strip() else None


def _title_key(w: Work, norms: dict[str, str] | None = None) -> tuple | None:
    return (w.kind, _cached_norm(w.title, norms), w.year) if w.title.strip() else None


# Ways to recognise the same work across two imports, most reliable first
_MATCH_KEYS = (_doi_key, _pmid_key, _raw_key, _title_key)


def _cached_norm(text: str, norms: dict[str, str] | None) -> str:
    if norms is None:
        return _norm(text)
    got = norms.get(text)
    if got is None:
        got = norms[text] = _norm(text)
    return got


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
    if not old or not states:  # (no state to move: nothing to look at)
        return {}
    changes: dict[str, State | None] = {}
    carried: set[str] = set()  # ids of old works whose state went to their new place
    new_by_ident: dict[str, Work] = {}
    for w in new:
        w_ident = w.ident
        new_by_ident[w_ident] = w  # (the last one, as a dict of them all)
        o = match.get(w.id)
        if o is None:
            continue
        o_ident = o.ident
        if o_ident not in states:
            continue
        if o_ident == w_ident:
            carried.add(o.id)
        elif w_ident.startswith("id:") or w_ident not in states:
            changes[w_ident] = states[o_ident]
            carried.add(o.id)
    for o in old:
        o_ident = o.ident
        if not o_ident.startswith("id:") or o_ident not in states:
            continue
        holder = new_by_ident.get(o_ident)
        if holder is not None and match.get(holder.id) is o:
            continue  # same work, same number
        changes.setdefault(o_ident, None)  # the number now belongs to another work
        if o.id not in carried:
            changes["orphan:" + o_ident] = states[o_ident]
    return changes


def check_new_key(key: str) -> str:
    """The key a reader chose for a new collection (``import --as``), stripped; a
    ReadingListError when ids could not carry it ("KEY/ref3" is split at the slash)."""
    text = str(key).strip()
    if not text:
        raise ReadingListError("the new key is empty")
    if "/" in text or any(ch.isspace() for ch in text) or inert(text, keep_newlines=False) != text:
        shown = inert(text, keep_newlines=False)
        raise ReadingListError(
            f"'{shown}' cannot be a key: no '/', spaces or control characters (ids are KEY/ref3)"
        )
    return text


@dataclass
class Merge:
    """What `merge_into` decided. ``works`` is the review's new list (its own works
    first, in their order, then the added ones); ``match`` maps each of them that was
    stored before to the stored work it is (the input of `carry_state`)."""

    works: list[Work] = field(default_factory=list)
    match: dict[str, Work] = field(default_factory=dict)
    added: list[Work] = field(default_factory=list)
    updated: list[Work] = field(default_factory=list)
    unchanged: list[Work] = field(default_factory=list)
    left_alone: list[Work] = field(default_factory=list)


def _into_keys(w: Work) -> list[tuple]:
    """As `_MATCH_KEYS`, plus the citation key, and without the kind: a file knows
    nothing of the lists of the review it goes into ("related" or "reference")."""
    keys: list[tuple] = []
    if w.doi:
        keys.append(("doi", w.doi.lower()))
    if w.pmid:
        keys.append(("pmid", w.pmid))
    if w.key.strip():
        keys.append(("key", w.key.strip().lower()))
    if w.raw.strip():
        keys.append(("raw", _norm(w.raw)))
    if w.title.strip():
        keys.append(("title", _norm(w.title), w.year))
    return keys


def _conflict(a: Work, b: Work) -> bool:
    """Two records that name different works whatever else they share (a citation
    key like smith2020 is easily given to two papers)."""
    return (
        bool(a.doi and b.doi and a.doi.lower() != b.doi.lower())
        or bool(a.pmid and b.pmid and a.pmid != b.pmid)
        or (a.year is not None and b.year is not None and a.year != b.year)
    )


def merge_into(key: str, old: list[Work], new: list[Work]) -> Merge:
    """The works `new` (from a file) merged into review `key`, which holds `old`.

    A new work is an old one when they share a DOI, PMID, citation key, printed
    string or title and year (most reliable first) and no DOI, PMID or year says
    otherwise; it then keeps the old work's list, number (so its id and the
    reading state filed under it stay) and, unless the file brings its own, what was
    fetched online, and takes the file's record (unchanged when it would be stored
    exactly as before). The citation key stays the old one when the
    file's belongs to another work of the review. Works that match nothing are added
    after the last of their kind, with a key of their own. Old works the file does
    not have are left alone. Changes nothing: `new` is copied.
    """
    index: dict[tuple, list[Work]] = {}
    for o in old:
        for k in _into_keys(o):
            index.setdefault(k, []).append(o)
    used: set[str] = set()
    pairs: list[tuple[Work, Work | None]] = []
    for w in new:
        found = None
        for k in _into_keys(w):
            found = next(
                (o for o in index.get(k, ()) if o.id not in used and not _conflict(o, w)), None
            )
            if found is not None:
                break
        if found is not None:
            used.add(found.id)
        pairs.append((w, found))

    taken = {o.key for o in old if o.key}
    last: dict[str, int] = {}
    for o in old:
        last[o.kind] = max(last.get(o.kind, 0), o.n)
    out = Merge()
    replaced: dict[str, Work] = {}
    for w, o in pairs:
        rec = dataclasses.replace(w, review=key, extra=dict(w.extra), fetched=dict(w.fetched))
        if o is not None:
            rec.kind, rec.n = o.kind, o.n
            if not rec.key or (rec.key != o.key and rec.key in taken):
                rec.key = o.key
            taken.add(rec.key)
            if o.fetched and not rec.fetched:
                rec.fetched = o.fetched
            if work_doc(rec, copy=False) == work_doc(o, copy=False):
                out.unchanged.append(o)
                replaced[o.id] = o
            else:
                out.updated.append(rec)
                replaced[o.id] = rec
            continue
        last[rec.kind] = rec.n = last.get(rec.kind, 0) + 1
        rec.key = _free_key(rec.key, taken) if rec.key else ""
        if rec.key:
            taken.add(rec.key)
        out.added.append(rec)
    for o in old:
        now = replaced.get(o.id)
        if now is None:
            out.left_alone.append(o)
            now = o
        out.works.append(now)
        out.match[now.id] = o
    out.works.extend(out.added)
    return out


def _free_key(base: str, taken: set[str]) -> str:
    """`base`, or base + 'a', 'b', ... (as Better BibTeX disambiguates) when taken."""
    if base not in taken:
        return base
    for suffix in string.ascii_lowercase:
        if base + suffix not in taken:
            return base + suffix
    i = 2
    while f"{base}-{i}" in taken:
        i += 1
    return f"{base}-{i}"
