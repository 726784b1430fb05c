"""The library: reviews, their works and the reader's state, kept in TinyDB.

Two TinyDB files, both written atomically by `tui.storage.OrjsonStorage`:

* ``PATH`` (e.g. ``library.json``): tables ``meta``, ``reviews`` (one document per
  review, ``Review.to_dict()`` plus its import order ``seq``) and ``works``
  (``Work.to_dict()``, document id = the work's id ``"<review>/ref16"``).
* the state file (`state_path_for`: ``library.json`` -> ``library.state.json``,
  ``reading.db`` -> ``reading.db-state.json``): tables ``meta``,
  ``state`` (document id = ``Work.ident``; only non-default states) and ``prefs``
  (document id = the pref's name, ``{"value": ...}``).

Marking a work read rewrites only the small state file, never the bibliography.
Once the state file is big (APPEND_ABOVE, thousands of states) a mark is instead
appended to ``library.state.log`` (see `tui.storage.AppendLog`), which is folded
into the state file when it grows past COMPACT_ABOVE and on `close()`.

``PATH`` is resolved once when the library is opened: through a symlink, every
file (the library, its temporary files, lock, state, log and backups) is written
beside the link's target. Anything but a regular file or a missing path (a
folder, FIFO, device) is refused before it is opened.

Every read-modify-write holds ``PATH.lock`` (filelock) and first re-reads what
another process has written, so two processes never silently lose each other's
changes; `reload_if_changed()` (a few stat calls) lets a long-running app notice
them. Works are loaded once and kept in memory as `Work` objects.

When a write fails (full disk, read-only folder, damaged file, busy lock) the
method raises StoreError, the file on disk and the objects in memory stay as they
were, and `Library.save_error` holds the reason until a write succeeds again: an
app shows "changes are not being saved" while it is set.

Format versions: both files store ``meta.db.format`` (FORMAT_VERSION). Format 0
is what came before the version was stored: ONE plain TinyDB file as TinyDB's own
JSONStorage writes it, with TinyDB's counting document ids ("1", "2", ...):
``reviews`` (each document has its ``key``), ``works`` (each has ``review``,
``kind``, ``n``) and the reading state in TinyDB's ``_default`` table (or a
``state`` table): ``{"ident": "doi:...", "status": "read", "changed": ..., "note":
..., "tags": [...]}``; optionally ``prefs`` documents ``{"name": ..., "value": ...}``.
Opening such a file converts it (`migrate_format0`): the original is kept as
``PATH.format0`` and the two files of format 1 are written. A file of a newer
format than this version reads is refused and left untouched.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any

import orjson
from filelock import FileLock, Timeout
from tinydb.table import Document

from tui.errors import NotFound, ReadingListError, StoreError
from tui.fsutil import check_regular_or_missing, create_exclusive, mode_of, resolve
from tui.model import KIND_PREFIX, KINDS, PREFIX_KIND, ReadStatus, Review, State, Work, fold
from tui.perf import gc_paused as _gc_paused
from tui.storage import (
    AppendLog,
    KeyedDB,
    backups_of,
    ensure_parent,
    file_signature,
    open_db,
)
from tui.text import inert

FORMAT_VERSION = 2  # 2: works carry their lossless record, `csl` (tui.mapping.upgrade)
LIBRARY_SCHEMA = "readinglist library"
STATE_SCHEMA = "readinglist state"
LOCK_TIMEOUT = 10.0  # seconds to wait for another process's write
# A state file above this size is not rewritten for every mark: changes are
# appended to library.state.log and folded in once the log passes COMPACT_ABOVE.
APPEND_ABOVE = 256 * 1024
COMPACT_ABOVE = 1024 * 1024
_META_ID = "db"
_STATUSES = tuple(s.value for s in ReadStatus)

__all__ = ["FORMAT_VERSION", "Imported", "Library", "migrate_format0", "state_path_for"]


def state_path_for(path: Path) -> Path:
    """The small file that changes often, named from the library's whole file name.

    ``library.json`` -> ``library.state.json`` (the name every library had so far);
    any other name -> ``<name>-state.json`` (``reading.db`` -> ``reading.db-state.json``).
    No two library names share a state file: the first form always ends in
    ``.state.json``, the second in ``-state.json``.
    """
    if path.suffix == ".json" and path.stem:
        return path.with_name(path.stem + ".state.json")
    return path.with_name(path.name + "-state.json")


def legacy_state_path(path: Path) -> Path:
    """What older versions used: ``reading.db`` -> ``reading.state.json`` (shared by
    ``reading.json`` and every other ``reading.*``)."""
    if path.suffix:
        return path.with_suffix(".state.json")
    return path.with_name(path.name + ".state.json")


def log_path_for(path: Path) -> Path:
    """``library.state.json`` -> ``library.state.log`` (the change log of a state file)."""
    return state_path_for(path).with_suffix(".log")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _check_status(status: Any) -> str:
    value = str(status).strip().lower()
    if value not in _STATUSES:
        raise ReadingListError(f"unknown status '{status}' (use read, reading or unread)")
    return value


def _slug(text: str) -> str:
    text = fold(text)
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) > 40:  # cut at a word
        text = text[:41].rsplit("-", 1)[0]
    return text[:40].strip("-")


def _norm(text: str) -> str:
    return " ".join(fold(text).split())


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


class Library:
    """The reader's library on disk; see the module docstring for the files."""

    def __init__(self, path: str | Path, *, import_shipped: bool = True) -> None:
        # Resolved once: a symlinked library is written through, beside its target.
        self.path = resolve(path)
        check_regular_or_missing(self.path)  # a FIFO or /dev/zero is never opened
        self.state_path = state_path_for(self.path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.log_path = self.state_path.with_suffix(".log")
        # Things the user should hear about once (e.g. a file was converted).
        self.notices: list[str] = []
        self._adopt_legacy_state()
        for file in (self.path, self.state_path):
            backup = next((b for b in backups_of(file) if _nonempty(b)), None)
            if not os.path.lexists(file) and backup is not None:
                # Starting afresh would soon write over the backup: the only copy left.
                raise StoreError(
                    f"{file} is missing but its backup {backup.name} is there; "
                    f"run `readinglist doctor --recover`, or move the backup away "
                    f"to start afresh"
                )
        mode = mode_of(self.path)
        self._lock = FileLock(
            str(self.lock_path), timeout=LOCK_TIMEOUT, mode=-1 if mode is None else mode
        )
        self._main: KeyedDB = open_db(self.path)
        self._side: KeyedDB = open_db(self.state_path, mode_from=self.path)
        self._log = AppendLog(self.log_path, mode_from=self.path)
        self._main_gen = -1
        self._side_gen = -1
        self._reviews: dict[str, Review] = {}  # in import order
        self._seq: dict[str, int] = {}
        self._works: list[Work] = []
        self._by_id: dict[str, Work] = {}
        self._by_review: dict[str, list[Work]] = {}
        self._states: dict[str, State] = {}
        self._prefs: dict[str, Any] = {}
        # Why the last write failed (None once a write succeeds): see the module doc.
        self.save_error: str | None = None
        self._unreadable: tuple | None = None  # file versions reload_if_changed could not read
        self._swept = False  # leftover temporary files removed (at the first write)
        self._migrate_if_old()
        self._sync_main()
        self._sync_side()
        if import_shipped and not self._reviews:
            self._import_shipped()

    def _adopt_legacy_state(self) -> None:
        """Older versions named the state file of ``reading.db`` ``reading.state.json``
        (shared with ``reading.json``). When this existing library is the only file
        that can own such a file, it and its backups and log are renamed to the new
        names (under the lock). When another file could own it too, nothing is moved
        (guessing could hand one library's marks to the other): this library starts
        its own state file and a notice says where the shared marks are."""
        legacy = legacy_state_path(self.path)
        if legacy == self.state_path or not self.path.is_file():
            return
        try:
            with FileLock(str(self.lock_path), timeout=LOCK_TIMEOUT):
                if not os.path.lexists(self.state_path) and legacy.is_file():
                    self._adopt(legacy)
        except (Timeout, OSError) as exc:
            raise StoreError(
                f"cannot rename {legacy.name} to {self.state_path.name}: "
                f"{getattr(exc, 'strerror', None) or 'another readinglist process is busy'}"
            ) from None

    def _adopt(self, legacy: Path) -> None:
        owners = sorted(
            entry.name
            for entry in os.scandir(self.path.parent)
            if entry.name != self.path.name
            and Path(entry.name).stem == Path(legacy.stem).stem
            and Path(entry.name).suffix not in (".lock", ".bak", ".tmp", ".log")
            and not entry.name.startswith(".")
            and entry.is_file()
            and legacy_state_path(Path(entry.path)) == legacy
        )
        if owners:
            self.notices.append(
                f"{self.path.name} now keeps its marks in {self.state_path.name}; older "
                f"versions shared {legacy.name} with {owners[0]} and it was left there "
                f"(copy it to {self.state_path.name} before marking anything to keep "
                f"its marks here too)"
            )
            return
        moves = [(legacy, self.state_path), (legacy.with_suffix(".log"), self.log_path)]
        moves += [
            (b, self.state_path.with_name(self.state_path.name + b.name[len(legacy.name) :]))
            for b in backups_of(legacy)
        ]
        try:
            for old, new in moves:
                if os.path.lexists(old):
                    os.link(old, new, follow_symlinks=False)  # never over an existing file
                    os.unlink(old)
        except OSError as exc:
            raise StoreError(
                f"cannot rename {legacy.name} to {self.state_path.name}: {exc.strerror or exc}"
            ) from None
        self.notices.append(
            f"{legacy.name} was renamed {self.state_path.name} (the state file of "
            f"{self.path.name} is now named after its whole file name)"
        )

    # --- context manager -----------------------------------------------------

    def close(self) -> None:
        """Fold the change log (if any) into the state file; the data is safe either way."""
        if self._log.pos:
            with contextlib.suppress(StoreError):
                with self._locked():
                    self._sync_side()
                    self._commit_side({}, {}, compact=True)
        self._main.close()
        self._side.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"Library({str(self.path)!r}, reviews={len(self._reviews)}, works={len(self._works)})"
        )

    # --- reviews -------------------------------------------------------------

    def reviews(self) -> list[Review]:
        return list(self._reviews.values())

    def get_review(self, key: str) -> Review:
        try:
            return self._reviews[key]
        except KeyError:
            pass
        for k, r in self._reviews.items():  # "LIN2025" finds "lin2025"
            if k.lower() == str(key).lower():
                return r
        known = ", ".join(self._reviews) or "none yet; import one with `readinglist import FILE`"
        raise NotFound(f"no review '{key}' (known: {known})")

    def default_review_key(self) -> str | None:
        key = self._prefs.get("review")
        if isinstance(key, str) and key in self._reviews:
            return key
        return next(iter(self._reviews), None)

    # --- works ---------------------------------------------------------------

    def works(self, review: str | None = None, kind: str | None = None) -> list[Work]:
        kind = self._check_kind(kind)
        if review is not None:
            found = self._by_review.get(self.get_review(review).key, [])
        else:
            found = self._works
        if kind is None:
            return list(found)
        return [w for w in found if w.kind == kind]

    @staticmethod
    def _check_kind(kind: str | None) -> str | None:
        if kind is None or kind == "all":
            return None
        k = kind.strip().lower()
        if k in KINDS:
            return k
        if k.endswith("s") and k[:-1] in KINDS:  # "references" as the CLI spells it
            return k[:-1]
        if k in PREFIX_KIND:
            return PREFIX_KIND[k]
        raise ReadingListError(f"unknown kind '{kind}' (use {', '.join(KINDS)} or all)")

    def get_work(self, id: str) -> Work:
        work = self._by_id.get(id)
        if work is not None:
            return work
        review, _, local = str(id).strip().partition("/")
        if local:
            rev = self.get_review(review)  # NotFound names the known reviews
            work = self._local(rev.key, local)
            if work is not None:
                return work
            raise NotFound(f"no work '{id}' ({self._describe(rev.key)})")
        raise NotFound(f"no work '{id}' (a full id looks like 'review-key/ref16')")

    def _local(self, review: str, local: str) -> Work | None:
        m = re.fullmatch(r"(ref|rel)?0*(\d+)", local.strip(), re.IGNORECASE)
        if not m:
            return None
        kind = PREFIX_KIND[m[1].lower()] if m[1] else "reference"
        n = int(m[2])
        for w in self._by_review.get(review, ()):
            if w.kind == kind and w.n == n:
                return w
        return None

    def _describe(self, review: str) -> str:
        """'review lin2025 has ref1-ref43 and rel1-rel15'"""
        parts = []
        for kind in KINDS:
            ns = [w.n for w in self._by_review.get(review, ()) if w.kind == kind]
            if ns:
                p = KIND_PREFIX[kind]
                parts.append(f"{p}{min(ns)}-{p}{max(ns)}" if len(ns) > 1 else f"{p}{ns[0]}")
        has = " and ".join(parts) if parts else "no works"
        return f"review '{review}' has {has}"

    def resolve(self, token: str, review: str | None = None) -> Work:
        """A work from what a user types: ref16, rel3, 16, a full id, a key, a DOI or PMID."""
        t = str(token).strip()
        if not t:
            raise NotFound("empty work id (use ref16, rel3 or a full id like review-key/ref16)")
        if t in self._by_id:
            return self._by_id[t]
        if review is not None:
            rk: str | None = self.get_review(review).key
        else:
            rk = self.default_review_key()
        low = t.lower()
        if "/" in t and not low.startswith(("doi:", "10.", "http")):
            head, _, local = t.partition("/")
            if any(k.lower() == head.lower() for k in self._reviews) or re.fullmatch(
                r"(ref|rel)?\d+", local, re.IGNORECASE
            ):
                return self.get_work(t)  # NotFound names the review or the numbers
        if rk is not None:
            work = self._local(rk, t)
            if work is not None:
                return work
        found = self._by_identifier(t)
        if found is None:
            found = self._by_key(t, rk)
        if found is not None:
            return found
        if rk is None:
            raise NotFound(f"no work '{t}': the library has no review yet")
        if re.fullmatch(r"(ref|rel)?\d+", low):
            raise NotFound(f"no {t} in review '{rk}' ({self._describe(rk)})")
        raise NotFound(
            f"no work '{t}' in review '{rk}' (use ref16, rel3, a full id like {rk}/ref16, "
            f"a citation key or a DOI)"
        )

    def _by_identifier(self, t: str) -> Work | None:
        low = t.lower()
        for prefix in ("https://doi.org/", "http://doi.org/", "http://dx.doi.org/", "doi:"):
            if low.startswith(prefix):
                low = "doi:" + low[len(prefix) :].strip()
                break
        else:
            if low.startswith("10.") and "/" in low:
                low = "doi:" + low
        if not low.startswith(("doi:", "pmid:")):
            return None
        for w in self._works:
            if w.ident == low:
                return w
        return None

    def _by_key(self, t: str, review: str | None) -> Work | None:
        pool = [w for w in self._works if w.key and w.key.lower() == t.lower()]
        if not pool:
            return None
        exact = [w for w in pool if w.key == t] or pool
        here = [w for w in exact if w.review == review]
        if len(here) == 1:
            return here[0]
        if len(exact) == 1:
            return exact[0]
        ids = ", ".join(w.id for w in exact[:5])
        raise NotFound(f"'{t}' is the key of several works ({ids}); use a full id")

    # --- importing -----------------------------------------------------------

    def import_review(self, review: Review, works: list[Work]) -> Imported:
        """Add a review and its works, or update the same review in place.

        The same review (same DOI, same source checksum, or same title) keeps its
        key and all reading state, even when its lists were renumbered.  A collection
        is the same when it comes from the same file (``review.source`` as an absolute
        path), has the same checksum, or, for a source known only by its file name,
        has that name and mostly the same works: another file that happens to share
        the name gets a key of its own (``refs-2``), it does not replace the first.
        Sets ``review.key`` and every ``work.review`` to the key it is stored under.
        Returns ``(key, created)``, with what the reader should hear about (see Imported).
        """
        works = list(works)
        with self._locked():
            self._sync_main()
            self._sync_side()
            same = self._find_same(review, works)
            created = same is None
            key = same.key if same is not None else self._new_key(review)
            taken_by = None
            if same is None:  # the key it asked for may belong to another source
                base = self._new_key_base(review).lower()
                taken_by = next((r for k, r in self._reviews.items() if k.lower() == base), None)
            old_works = list(self._by_review.get(key, [])) if same is not None else []
            if same is not None and _keeps_source(same.source, review.source):
                # an identical copy found elsewhere: the collection keeps its origin
                review.source = same.source
                if review.kind == "collection":  # (and the title its file gave it)
                    review.title_zh, review.title_en = same.title_zh, same.title_en
            review.key = key
            seen: dict[str, Work] = {}
            for w in works:
                if not isinstance(w.n, int) or isinstance(w.n, bool):
                    raise ReadingListError(f"review '{key}': work '{w.title[:40]}' has no number")
                w.review = key
                if w.id in seen:
                    raise ReadingListError(
                        f"review '{key}' has two works numbered {w.local_id}: "
                        f"'{seen[w.id].title[:40]}' and '{w.title[:40]}'"
                    )
                seen[w.id] = w
            if same is not None:
                seq = self._seq[key]
            else:
                seq = max(self._seq.values(), default=0) + 1
            rdoc = review.to_dict()
            rdoc["seq"] = seq
            docs = {w.id: _work_doc(w) for w in works}
            reviews = self._main.table("reviews")
            table = self._main.table("works")
            with self._main.storage.batch():
                self._ensure_meta(self._main, LIBRARY_SCHEMA)
                reviews.remove(doc_ids=[key])
                reviews.insert(Document(rdoc, doc_id=key))
                if old_works:
                    table.remove(doc_ids=[w.id for w in old_works])
                table.insert_multiple(Document(d, doc_id=i) for i, d in docs.items())
            self._main.storage.release()
            self._set_review(key, seq, Review.from_dict(rdoc), docs.values())
            matched = _match_old(old_works, works)
            moves = self._carry_state(old_works, works, matched)
            if moves:
                self._put_states(moves)
        kept = {o.id for o in matched.values()}
        removed = [o for o in old_works if o.id not in kept]
        return Imported(key, created, taken_by=taken_by, removed=removed)

    def _find_same(self, review: Review, works: Iterable[Work] = ()) -> Review | None:
        doi = review.doi.strip().lower()
        titles = {_norm(t) for t in (review.title_zh, review.title_en) if t.strip()}
        for r in self._reviews.values():
            if doi and r.doi.strip().lower() == doi:
                return r
        for r in self._reviews.values():
            if review.checksum and r.checksum == review.checksum:
                return r
        for r in self._reviews.values():
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
                    and _holds_mostly(self._by_review.get(r.key, []), list(works))
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

    @staticmethod
    def _new_key_base(review: Review) -> str:
        # A key is printed as it is (ids, messages): no control characters in it.
        base = inert(review.key, keep_newlines=False).strip().replace("/", "-").replace(" ", "-")
        return base or _slug(review.title_en) or _slug(review.journal_en) or "review"

    def _new_key(self, review: Review) -> str:
        base = self._new_key_base(review)
        key, i = base, 1
        taken = {k.lower() for k in self._reviews}
        while key.lower() in taken:
            i += 1
            key = f"{base}-{i}"
        return key

    def _carry_state(
        self, old: list[Work], new: list[Work], match: dict[str, Work]
    ) -> dict[str, State | None]:
        """State moves when a re-import renumbers works that have no DOI/PMID.

        Works with a DOI or PMID keep their state by identity. Works known only by
        their number ("id:<review>/ref16") are matched old-to-new (`match`, from
        _match_old); their state follows them to the new number. A state whose work disappeared is kept under "orphan:<ident>"
        rather than being handed to whichever work now has that number.
        """
        if not old:
            return {}
        states = self._states
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

    def remove_review(self, key: str) -> None:
        with self._locked():
            self._sync_main()
            self._sync_side()
            key = self.get_review(key).key
            ids = [w.id for w in self._by_review.get(key, [])]
            with self._main.storage.batch():
                self._main.table("reviews").remove(doc_ids=[key])
                if ids:
                    self._main.table("works").remove(doc_ids=ids)
            self._main.storage.release()
            self._set_review(key, 0, None, ())
            # Shared (DOI/PMID) states may belong to other reviews too: keep them.
            prefixes = (f"id:{key}/", f"orphan:id:{key}/")
            gone = {i: None for i in self._states if i.startswith(prefixes)}
            if gone:
                self._put_states(gone)

    def _import_shipped(self) -> None:
        try:
            from tui.sources import load_file
        except ImportError:  # the importers are not there (yet): start empty
            return
        from tui.paths import shipped_review

        for review, works in _unpack_loaded(load_file(shipped_review())):
            self.import_review(review, works)

    # --- reading state -------------------------------------------------------

    def state(self, work: Work) -> State:
        return self._states.get(work.ident) or State()

    def states(self) -> dict[str, State]:
        """ident -> State for every non-default state (treat the States as read-only)."""
        return dict(self._states)

    @property
    def state_view(self) -> Mapping[str, State]:
        """ident -> State, read-only and without a copy (the app reads it for every row).

        Ask again after each call into the library: a reload may replace what it views.
        """
        return MappingProxyType(self._states)

    def set_status(self, works: list[Work], status: str) -> None:
        status = _check_status(status)
        works = list(works)
        if not works:
            return
        with self._locked():
            self._sync_side()
            now = _now()
            changes: dict[str, State | None] = {}
            for w in works:
                old = self._states.get(w.ident) or State()
                if old.status == status or w.ident in changes:
                    continue
                changes[w.ident] = State(status, now, old.note, list(old.tags))
            if changes:
                self._put_states(changes)

    def set_note(self, work: Work, note: str) -> None:
        note = str(note).strip()
        with self._locked():
            self._sync_side()
            old = self._states.get(work.ident) or State()
            if old.note != note:
                self._put_states({work.ident: State(old.status, old.changed, note, list(old.tags))})

    def set_tags(self, work: Work, tags: Iterable[str]) -> None:
        clean: list[str] = []
        for t in tags:
            t = str(t).strip()
            if t and t not in clean:
                clean.append(t)
        with self._locked():
            self._sync_side()
            old = self._states.get(work.ident) or State()
            if old.tags != clean:
                self._put_states({work.ident: State(old.status, old.changed, old.note, clean)})

    def _put_states(self, changes: dict[str, State | None]) -> None:
        self._commit_side(changes, {})

    def _commit_side(
        self, states: dict[str, State | None], prefs: dict[str, Any], *, compact: bool = False
    ) -> None:
        """Make state and pref changes durable with one write (lock held, just synced).

        A small state file is rewritten atomically. A big one is left alone and the
        changes are appended to the log, until the log is big enough to be folded
        in (one rewrite, then the log is removed).
        """
        storage = self._side.storage
        cache = storage.cached()
        absorbed = cache.get("meta", {}).get(_META_ID, {}).get("absorbed")
        stale = bool(self._log.token) and self._log.token == absorbed
        docs = {
            i: _state_doc(st) if st is not None and not st.is_default else None
            for i, st in states.items()
        }
        side = file_signature(self.state_path)
        append = (
            not compact
            and side is not None
            and side[2] > APPEND_ABOVE
            and self._log.pos < COMPACT_ABOVE
        )
        if append:
            entries = [{"t": "s", "id": i, "v": d} for i, d in docs.items()]
            entries += [{"t": "p", "id": n, "v": v} for n, v in prefs.items()]
            if not entries:
                return
            try:
                orjson.dumps(entries)
            except TypeError as exc:
                raise StoreError(f"cannot store this value in {self.log_path}: {exc}") from None
            if stale:
                self._log.remove()
            self._log.append(entries)
            _apply_entries(cache, entries)
        elif states or prefs or self._log.pos:
            existing = cache.get("state", {})
            drop = [i for i in docs if i in existing]
            put = [Document(d, doc_id=i) for i, d in docs.items() if d is not None]
            table = self._side.table("state")
            with storage.batch():
                self._ensure_meta(self._side, STATE_SCHEMA)
                if self._log.token and not stale:
                    self._side.table("meta").update(
                        {"absorbed": self._log.token}, doc_ids=[_META_ID]
                    )
                if drop:
                    table.remove(doc_ids=drop)
                if put:
                    table.insert_multiple(put)
                for name, value in prefs.items():
                    self._side.table("prefs").upsert(Document({"value": value}, doc_id=name))
            if self._log.pos or self._log.token:
                # Absorbed: if removing fails the header token marks it as stale.
                with contextlib.suppress(OSError):
                    self._log.remove()
        self._apply_states(states)
        self._prefs.update(prefs)

    def _apply_states(self, changes: dict[str, State | None]) -> None:
        for ident, st in changes.items():
            if st is None or st.is_default:
                self._states.pop(ident, None)
            else:
                self._states[ident] = st

    # --- prefs ---------------------------------------------------------------

    def get_pref(self, name: str, default: Any = None) -> Any:
        return self._prefs.get(name, default)

    def set_pref(self, name: str, value: Any) -> None:
        with self._locked():
            self._sync_side()
            if name in self._prefs and self._prefs[name] == value:
                return
            self._commit_side({}, {name: value})

    # --- stats ---------------------------------------------------------------

    def stats(self) -> list[dict]:
        out = []
        for key, r in self._reviews.items():
            kinds = {k: {"total": 0, "read": 0, "reading": 0, "unread": 0} for k in KINDS}
            for w in self._by_review.get(key, ()):
                c = kinds.setdefault(w.kind, {"total": 0, "read": 0, "reading": 0, "unread": 0})
                c["total"] += 1
                c[self.state(w).status] += 1
            out.append({"key": key, "title": r.title, "kind": kinds})
        return out

    # --- other processes -----------------------------------------------------

    def reload_if_changed(self) -> bool:
        """Pick up what another process wrote; True when anything was reloaded.

        A file that became unreadable raises StoreError once (the library keeps
        what it had in memory, and `save_error` says that changes cannot be saved);
        asking again while the files stay as they are returns False, so an app
        polling every few seconds shows the message once. Once the files are
        readable again they are loaded and `save_error` is cleared.
        """
        try:
            changed = False
            if self._main.storage.changed_on_disk():
                changed |= self._sync_main()
            if self._side.storage.changed_on_disk() or self._log.changed_on_disk():
                changed |= self._sync_side()
        except StoreError as exc:
            seen = self._signatures()
            if seen == self._unreadable:
                return False
            self._unreadable = seen
            self.save_error = str(exc)
            raise
        if self._unreadable is not None:
            self._unreadable = None
            self.save_error = None
        return changed

    def _signatures(self) -> tuple:
        return tuple(file_signature(p) for p in (self.path, self.state_path, self.log_path))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the lock for one read-modify-write; a StoreError on the way (lock,
        damaged file, failed write) is kept in `save_error` until a write succeeds."""
        try:
            ensure_parent(self.path)
            try:
                self._lock.acquire()
            except Timeout:
                raise StoreError(
                    f"{self.path} is busy: another readinglist process holds "
                    f"{self.lock_path.name} (waited {LOCK_TIMEOUT:g} s); try again"
                ) from None
            except OSError as exc:
                raise StoreError(
                    f"cannot write {self.path}: cannot create the lock file "
                    f"{self.lock_path.name}: {exc.strerror or exc}"
                ) from None
        except StoreError as exc:
            self.save_error = str(exc)
            raise
        try:
            if not self._swept:
                self._sweep_leftovers()
            yield
        except StoreError as exc:
            self.save_error = str(exc)
            raise
        else:
            self.save_error = None
        finally:
            self._lock.release()

    def _sweep_leftovers(self) -> None:
        """Remove temporary files a killed writer left behind (lock held: every
        writer of these files holds it while its temporary file exists)."""
        self._swept = True
        names = (self.path.name, self.state_path.name, self.log_path.name)
        prefixes = tuple(f".{n}." for n in names)
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.path.parent):
                if entry.name.endswith(".tmp") and entry.name.startswith(prefixes):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)

    # --- older formats ---------------------------------------------------------

    def _migrate_if_old(self) -> None:
        """Convert a format-0 file (see the module doc) to the current format."""
        with _gc_paused():  # the first read parses the whole file
            data = self._main.storage.read()
        meta = data.get("meta", {}).get(_META_ID, {}) if isinstance(data, dict) else {}
        if (
            isinstance(meta, dict)
            and meta.get("format") == 1
            and meta.get("schema") == LIBRARY_SCHEMA
        ):
            self._upgrade_format1()
            return
        if not data or _META_ID in data.get("meta", {}) or not any(data.values()):
            return
        if not _looks_like_format0(data):
            return  # _load_main explains what is wrong with it
        with self._locked():
            self._main.storage.invalidate()
            data = self._main.storage.read()
            if not data or _META_ID in data.get("meta", {}):
                return  # another process converted it meanwhile
            main, side = migrate_format0(data, self.path)
            kept = self.path.with_name(self.path.name + ".format0")
            n = 1
            while os.path.lexists(kept):  # never through a planted (dangling) symlink
                n += 1
                kept = self.path.with_name(f"{self.path.name}.format0.{n}")
            try:
                try:
                    os.link(self.path, kept)
                except FileExistsError:
                    raise
                except OSError:
                    with (
                        open(self.path, "rb") as src,
                        os.fdopen(create_exclusive(kept), "wb") as out,
                    ):
                        shutil.copyfileobj(src, out)
            except OSError as exc:
                raise StoreError(
                    f"cannot convert {self.path} from format 0: cannot keep a copy as "
                    f"{kept.name}: {exc.strerror or exc}; the file was left untouched"
                ) from None
            old_side = self._side.storage.read() or {}
            if _META_ID not in old_side.get("meta", {}):
                # The state file is written first: a crash before the main file is
                # converted leaves the old main file, and converting again keeps
                # the state file written the first time.
                self._side.storage.write(side)
            self._main.storage.write(main)
            self._main.storage.release()
            self.notices.append(
                f"{self.path} was converted from format 0 to format {FORMAT_VERSION}; "
                f"the original is kept as {kept.name}"
            )

    def _upgrade_format1(self) -> None:
        """Format 1 -> 2: each work gains its record (tui.mapping.upgrade); every other
        field, the state file and its identities stay as they are."""
        from tui.mapping.upgrade import upgrade_works

        with self._locked():
            self._main.storage.invalidate()
            data = self._main.storage.read() or {}
            meta = data.get("meta", {}).get(_META_ID, {})
            if meta.get("format") != 1 or not isinstance(data.get("works", {}), dict):
                return  # another process converted it meanwhile; or _load_main explains
            upgrade_works(data.get("works", {}))
            data["meta"][_META_ID] = {**meta, "format": FORMAT_VERSION}
            self._main.storage.write(data)
            self._main.storage.release()

    # --- loading -------------------------------------------------------------

    def _sync_main(self) -> bool:
        """Re-read the main file when it changed on disk; True when rebuilt."""
        storage = self._main.storage
        if storage.generation == self._main_gen and not storage.changed_on_disk():
            return False
        with _gc_paused():
            data = storage.read() or {}
            if storage.generation == self._main_gen:
                storage.release()
                return False
            self._load_main(data)
        # The works now live as Work objects; keeping the parsed JSON as well
        # would double the memory (and the garbage collector's work) at 100,000
        # works. An import parses the file again.
        storage.release()
        return True

    def _load_main(self, data: dict) -> None:
        _check_meta(data, self.path, LIBRARY_SCHEMA)
        reviews: list[tuple[int, Review]] = []
        seq: dict[str, int] = {}
        by_review: dict[str, list[Work]] = {}
        try:
            for doc_id, doc in data.get("reviews", {}).items():
                r = Review.from_dict(doc)
                r.key = doc_id
                s = doc.get("seq", 0)
                seq[doc_id] = s if isinstance(s, int) and not isinstance(s, bool) else 0
                reviews.append((seq[doc_id], r))
                by_review[doc_id] = []
            for doc in data.get("works", {}).values():
                w = _make_work(doc)
                if not isinstance(w.n, int) or w.review not in by_review:
                    raise ValueError(f"work {w.review}/{w.kind}{w.n}")
                by_review[w.review].append(w)
        except (TypeError, ValueError, AttributeError) as exc:
            raise StoreError(f"{self.path} is damaged ({exc}); it was left untouched") from None
        reviews.sort(key=lambda p: p[0])
        self._reviews = {r.key: r for _, r in reviews}
        self._seq = seq
        for ws in by_review.values():
            ws.sort(key=_work_order)
        self._by_review = {k: by_review[k] for k in self._reviews}
        self._index_works()
        self._main_gen = self._main.storage.generation
        for t in ("reviews", "works"):
            self._main.table(t).clear_cache()

    def _set_review(self, key: str, seq: int, review: Review | None, docs: Iterable[dict]) -> None:
        """Update the in-memory lists after our own write (no re-parse of the file)."""
        if review is None:
            self._reviews.pop(key, None)
            self._seq.pop(key, None)
            self._by_review.pop(key, None)
        else:
            review.key = key
            self._reviews[key] = review
            self._seq[key] = seq
            self._by_review[key] = sorted(map(_make_work, docs), key=_work_order)
        self._index_works()
        self._main_gen = self._main.storage.generation

    def _index_works(self) -> None:
        self._works = [w for k in self._reviews for w in self._by_review.get(k, ())]
        self._by_id = {w.id: w for w in self._works}

    def _sync_side(self) -> bool:
        """Bring states and prefs up to date with the state file and its log."""
        storage = self._side.storage
        data = storage.read() or {}
        full = storage.generation != self._side_gen
        if not full and not self._log.changed_on_disk():
            return False
        if full:
            _check_meta(data, self.state_path, STATE_SCHEMA)
            self._log.forget()
        entries, restarted = self._log.read_new()
        cache = storage.cached()
        absorbed = cache.get("meta", {}).get(_META_ID, {}).get("absorbed")
        if self._log.token and self._log.token == absorbed:
            entries = []  # left behind by a crash after it was folded in
        _apply_entries(cache, entries)
        try:
            if full or restarted:
                states: dict[str, State] = {}
                for ident, doc in cache.get("state", {}).items():
                    st = _parse_state(ident, doc)
                    if not st.is_default:
                        states[ident] = st
                prefs = {name: doc["value"] for name, doc in cache.get("prefs", {}).items()}
                self._states, self._prefs = states, prefs
            else:
                for e in entries:
                    if e["t"] == "p":
                        self._prefs[e["id"]] = e["v"]
                    elif e["v"] is None:
                        self._states.pop(e["id"], None)
                    else:
                        self._apply_states({e["id"]: _parse_state(e["id"], e["v"])})
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            storage.invalidate()
            self._log.forget()
            where = self.log_path if entries and not full else self.state_path
            raise StoreError(f"{where} is damaged ({exc}); it was left untouched") from None
        self._side_gen = storage.generation
        for t in ("state", "prefs"):
            self._side.table(t).clear_cache()
        return True

    @staticmethod
    def _ensure_meta(db: KeyedDB, schema: str) -> None:
        meta = db.table("meta")
        if meta.get(doc_id=_META_ID) is None:
            meta.insert(
                Document(
                    {"format": FORMAT_VERSION, "schema": schema, "created": _now()},
                    doc_id=_META_ID,
                )
            )


_FORMAT0_TABLES = {"_default", "reviews", "works", "state", "prefs"}


def _looks_like_format0(data: dict) -> bool:
    """A plain TinyDB file of reviews and works (see the module doc)."""
    if "meta" in data or not set(data) <= _FORMAT0_TABLES:
        return False
    if not (data.get("reviews") or data.get("works")):
        return False
    works = data.get("works", {}).values()
    reviews = data.get("reviews", {}).values()
    return all(isinstance(d.get("key"), str) for d in reviews) and all(
        {"review", "kind", "n"} <= d.keys() for d in works
    )


def migrate_format0(data: dict, path: Path) -> tuple[dict, dict]:
    """A format-0 database (see the module doc) as the (main, state) files of format 1.

    Raises StoreError naming `path` when a document cannot be read.
    """
    now = _now()
    main: dict[str, dict] = {
        "meta": {_META_ID: {"format": FORMAT_VERSION, "schema": LIBRARY_SCHEMA, "created": now}},
        "reviews": {},
        "works": {},
    }
    side: dict[str, dict] = {
        "meta": {_META_ID: {"format": FORMAT_VERSION, "schema": STATE_SCHEMA, "created": now}},
        "state": {},
        "prefs": {},
    }

    def order(item: tuple[str, Any]) -> tuple:
        return (0, int(item[0])) if item[0].isdigit() else (1, item[0])

    try:
        for seq, (_, doc) in enumerate(sorted(data.get("reviews", {}).items(), key=order), 1):
            r = Review.from_dict(doc)
            rdoc = r.to_dict()
            rdoc["seq"] = seq
            main["reviews"][r.key] = rdoc
        for _, doc in sorted(data.get("works", {}).items(), key=order):
            w = _make_work(doc)
            if not isinstance(w.n, int) or isinstance(w.n, bool) or w.review not in main["reviews"]:
                raise ValueError(f"work {w.review}/{w.kind}{w.n}")
            main["works"][w.id] = _work_doc(w)
        for table in ("_default", "state"):
            for doc_id, doc in sorted(data.get(table, {}).items(), key=order):
                ident = doc.get("ident")
                if not isinstance(ident, str):
                    raise ValueError(f"state document {doc_id} has no ident")
                st = _parse_state(ident, doc)
                if not st.is_default:
                    side["state"][ident] = _state_doc(st)
        for doc_id, doc in data.get("prefs", {}).items():
            if not isinstance(doc.get("name"), str) or "value" not in doc:
                raise ValueError(f"pref {doc_id} has no name or value")
            side["prefs"][doc["name"]] = {"value": doc["value"]}
    except (TypeError, ValueError, AttributeError) as exc:
        raise StoreError(
            f"{path} is an old (format 0) database that cannot be converted ({exc}); "
            f"it was left untouched"
        ) from None
    return main, side


def _nonempty(path: Path) -> bool:
    try:
        return os.stat(path).st_size > 0
    except OSError:
        return False


def _check_meta(data: dict, path: Path, schema: str) -> None:
    if not data:
        return
    meta = data.get("meta", {}).get(_META_ID)
    if meta is None:
        if any(data.values()):
            raise StoreError(
                f"{path} is not a readinglist database (it has no format version); "
                f"it was left untouched"
            )
        return
    fmt = meta.get("format")
    if not isinstance(fmt, int) or isinstance(fmt, bool) or fmt < 1:
        raise StoreError(f"{path} is damaged (format version {fmt!r}); it was left untouched")
    if fmt > FORMAT_VERSION:
        raise StoreError(
            f"{path} was written by a newer readinglist (format {fmt}; this version reads "
            f"format {FORMAT_VERSION}); upgrade readinglist; the file was left untouched"
        )
    if meta.get("schema") != schema:
        raise StoreError(
            f"{path} is a {meta.get('schema') or 'different'} file, not a {schema} file; "
            f"it was left untouched"
        )


_WORK_DEFAULTS = Work().to_dict()
_KIND_ORDER = {k: i for i, k in enumerate(KINDS)}


def _work_order(w: Work) -> tuple:
    return (_KIND_ORDER.get(w.kind, len(KINDS)), w.kind, w.n)


def _work_doc(w: Work) -> dict:
    """A work as stored: Work.to_dict() without the fields left at their default.

    Most works leave a dozen fields empty; not storing them makes the file about
    a third smaller and faster to load. ``_make_work`` fills them back in.
    (Also much faster than dataclasses.asdict, which deep-copies recursively.)
    """
    doc: dict = {"review": w.review, "kind": w.kind, "n": w.n}
    for name, default in _WORK_DEFAULTS.items():
        if name in doc:
            continue
        value = getattr(w, name)
        if value != default:
            if isinstance(value, list):
                value = list(value)
            elif isinstance(value, dict):
                value = _json_copy(value)
            doc[name] = value
    return doc


def _json_copy(value):
    """A copy of JSON-shaped data (dicts, lists, scalars); much cheaper than deepcopy."""
    if isinstance(value, dict):
        return {k: _json_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_copy(v) for v in value]
    return value


def _state_doc(st: State) -> dict:
    """A state as stored: status and date always, note and tags when there are any."""
    doc: dict = {"status": st.status, "changed": st.changed}
    if st.note:
        doc["note"] = st.note
    if st.tags:
        doc["tags"] = list(st.tags)
    return doc


def _parse_state(ident: str, doc: Any) -> State:
    if not isinstance(doc, dict):
        raise ValueError(f"state of '{ident}' is not an object")
    st = State.from_dict(doc)
    if st.status not in _STATUSES:
        raise ValueError(f"'{ident}' has status '{st.status}'")
    if not isinstance(st.note, str) or not isinstance(st.changed, str):
        raise ValueError(f"'{ident}' has a note or date that is not text")
    if not all(isinstance(t, str) for t in st.tags):
        raise ValueError(f"'{ident}' has tags that are not text")
    return st


def _apply_entries(cache: dict, entries: list[dict]) -> None:
    """Replay log entries onto the state file's data (in memory)."""
    for e in entries:
        if e["t"] == "p":
            cache.setdefault("prefs", {})[e["id"]] = {"value": e["v"]}
        elif e["v"] is None:
            cache.setdefault("state", {}).pop(e["id"], None)
        else:
            cache.setdefault("state", {})[e["id"]] = e["v"]


def _make_work(doc: dict) -> Work:
    try:
        return Work(**doc)  # the fast path: a document we wrote ourselves
    except TypeError:
        return Work.from_dict(doc)  # fields from a newer version are ignored


def _match_old(old: list[Work], new: list[Work]) -> dict[str, Work]:
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


def _holds_mostly(old: list[Work], new: list[Work]) -> bool:
    """Do two lists of works mostly hold the same works (more than half of each)?"""
    if not old or not new:
        return not old and not new
    same = len(_match_old(old, new))
    return same * 2 > len(old) and same * 2 > len(new)


def _base_name(source: str) -> str:
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def _keeps_source(old: str, new: str) -> bool:
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


def _unpack_loaded(loaded: Any) -> list[tuple[Review, list[Work]]]:
    """What `tui.sources.load_file` returns, as (review, works) pairs.

    Accepts a (Review, works) pair, an object with .review and .works, or a list
    of either, so the store does not depend on the importer's exact return type.
    """
    if isinstance(loaded, tuple) and len(loaded) == 2 and isinstance(loaded[0], Review):
        return [(loaded[0], list(loaded[1]))]
    if hasattr(loaded, "review") and hasattr(loaded, "works"):
        return [(loaded.review, list(loaded.works))]
    if isinstance(loaded, list):
        out: list[tuple[Review, list[Work]]] = []
        for item in loaded:
            out.extend(_unpack_loaded(item))
        return out
    raise TypeError(f"tui.sources.load_file returned {type(loaded).__name__}")
