"""The library: reviews, their works and the reader's state, kept in TinyDB.

Two TinyDB files, both written atomically by `tui.storage.OrjsonStorage`; what
they hold (tables, documents, the meta document, log entries, older formats) is
defined in `tui.diskformat`:

* ``PATH`` (e.g. ``library.json``): tables ``meta``, ``reviews`` and ``works``;
* the state file (`state_path_for`: ``library.json`` -> ``library.state.json``,
  ``reading.db`` -> ``reading.db-state.json``): tables ``meta``, ``state`` and
  ``prefs``, read and written by `tui.storefiles.StateFile`.

Marking a work read rewrites only the small state file, never the bibliography.
Once the state file is big (APPEND_ABOVE, thousands of states) a mark is instead
appended to ``library.state.log`` (see `tui.storage.AppendLog`), which is folded
into the state file when it grows past COMPACT_ABOVE and on `close()`. Every write
goes through TinyDB's table API: one status change is one document update.

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

A library file of an older format (`tui.diskformat.MIGRATIONS`) is converted when
it is opened: the original is kept as ``PATH.format<N>`` and both files are written
in the current format. A file of a newer format than this version reads is refused
and left untouched. Which stored review an import updates, and where reading state
goes when a re-import renumbers works, is decided in `tui.identity`.
The reader's edits of reading state (`tui.readingstate`) and the steps of an
import (`tui.importing`) are `Library` methods defined in modules of their own.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from tinydb.table import Document

from tui import diskformat as fmt
from tui import readingstate
from tui.diskformat import FORMAT_VERSION, LIBRARY_SCHEMA, STATE_SCHEMA, migrate_format0
from tui.errors import NotFound, ReadingListError, StoreError
from tui.fsutil import can_write, check_regular_or_missing, mode_of, resolve
from tui.model import KIND_PREFIX, KINDS, PREFIX_KIND, Review, State, Work
from tui.perf import gc_paused
from tui.settings import load_settings, settings_path_for
from tui.storage import KeyedDB, backups_of, ensure_parent, file_signature
from tui.storefiles import (
    LazyFileLock,
    LibraryFile,
    StateFile,
    adopt_legacy_state,
    keep_copy,
    legacy_state_path,
    log_path_for,
    state_path_for,
)

LOCK_TIMEOUT = 10.0  # seconds to wait for another process's write
# A state file above this size is not rewritten for every mark: changes are
# appended to library.state.log and folded in once the log passes COMPACT_ABOVE.
APPEND_ABOVE = 256 * 1024
COMPACT_ABOVE = 1024 * 1024

__all__ = [
    "FORMAT_VERSION",
    "LIBRARY_SCHEMA",
    "STATE_SCHEMA",
    "Imported",
    "Library",
    "legacy_state_path",
    "log_path_for",
    "migrate_format0",
    "state_path_for",
]

if TYPE_CHECKING:
    from tui.identity import Imported


def __getattr__(name: str) -> Any:
    # `tui.store.Imported`, without importing tui.identity with every start (1.5 ms)
    if name == "Imported":
        from tui.identity import Imported

        return Imported
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _as_ident(t: str) -> str | None:
    """'doi:…' or 'pmid:…' (as Work.ident spells it) for a DOI or PMID as typed."""
    low = t.lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "http://dx.doi.org/", "doi:"):
        if low.startswith(prefix):
            low = "doi:" + low[len(prefix) :].strip()
            break
    else:
        if low.startswith("10.") and "/" in low:
            low = "doi:" + low
    return low if low.startswith(("doi:", "pmid:")) else None


class Library:
    """The reader's library on disk; see the module docstring for the files."""

    def __init__(self, path: str | Path, *, import_shipped: bool = True) -> None:
        # Resolved once: a symlinked library is written through, beside its target.
        self.path = resolve(path)
        check_regular_or_missing(self.path)  # a FIFO or /dev/zero is never opened
        self.state_path = state_path_for(self.path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.log_path = log_path_for(self.path)
        # Things the user should hear about once (e.g. a file was converted).
        self.notices: list[str] = []
        if not self.read_only:  # a read-only library is never renamed or written
            self.notices += adopt_legacy_state(self.path, self.lock_path, LOCK_TIMEOUT)
        for file in (self.path, self.state_path):
            backup = next((b for b in backups_of(file) if _nonempty(b)), None)
            if not os.path.lexists(file) and backup is not None:
                # Starting afresh would soon write over the backup: the only copy left.
                raise StoreError(
                    f"{file} is missing but its backup {backup.name} is there; "
                    f"run `readinglist doctor --recover`, or move the backup away "
                    f"to start afresh"
                )
        # The lock file holds no data: it takes the library's bits but always lets its
        # owner read and write it (filelock refuses a lock file it could not open
        # again, e.g. 0444 for a read-only library). Pure reads take no lock at all:
        # every write is an atomic rename, so a reader sees one whole version.
        mode = mode_of(self.path)
        self._lock = LazyFileLock(
            str(self.lock_path),
            timeout=LOCK_TIMEOUT,
            mode=-1 if mode is None else (mode & 0o777) | 0o600,
        )
        # state names and switches the reader set by hand (tui.settings)
        self.settings = load_settings(settings_path_for(self.path))
        # reviews and works (from the cache beside the file when it is current)
        self._bib = LibraryFile(self.path, lock=self._lock)
        self._side = StateFile(self.path)  # reading state and prefs
        # Why the last write failed (None once a write succeeds): see the module doc.
        self.save_error: str | None = None
        self._unreadable: tuple | None = None  # file versions reload_if_changed could not read
        self._swept = False  # leftover temporary files removed (at the first write)
        if not self._bib.load_cached():  # a cache is only ever of the current format
            self._migrate_if_old()
        self._bib.sync()
        self._side.sync()
        if import_shipped and not self._bib.reviews and not self.read_only:
            self._import_shipped()

    @property
    def read_only(self) -> bool:
        """True when the library or its state file may not be written by us (their
        owner made them read-only): it can be read, and every write is refused in
        one line instead of renaming a new file over a file the user protected."""
        return not (can_write(self.path) and can_write(self.state_path))

    def _check_writable(self) -> None:
        for name in (self.path, self.state_path):
            if can_write(name):
                continue
            with contextlib.suppress(OSError, AttributeError):
                if os.statvfs(name).f_flag & os.ST_RDONLY:
                    raise StoreError(
                        f"cannot write {name}: Read-only file system; nothing was changed"
                    )
            raise StoreError(
                f"{name} is read-only; nothing was changed (make it writable, "
                f"e.g. chmod u+w, to make changes)"
            )

    # --- context manager -----------------------------------------------------

    def close(self) -> None:
        """Fold the change log (if any) into the state file; the data is safe either way."""
        if self._side.log.pos and not self.read_only:
            with contextlib.suppress(StoreError):
                with self._locked():
                    self._side.sync()
                    self._commit({}, {}, compact=True)
        self._bib.close()
        self._side.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"Library({str(self.path)!r}, reviews={len(self._bib.reviews)}, works={self.count()})"
        )

    # --- reviews -------------------------------------------------------------

    def reviews(self) -> list[Review]:
        return list(self._bib.reviews.values())

    def get_review(self, key: str) -> Review:
        try:
            return self._bib.reviews[key]
        except KeyError:
            pass
        for k, r in self._bib.reviews.items():  # "LIN2025" finds "lin2025"
            if k.lower() == str(key).lower():
                return r
        known = (
            ", ".join(self._bib.reviews) or "none yet; import one with `readinglist import FILE`"
        )
        raise NotFound(f"no review '{key}' (known: {known})")

    def default_review_key(self) -> str | None:
        key = self._side.prefs.get("review")
        if isinstance(key, str) and key in self._bib.reviews:
            return key
        return next(iter(self._bib.reviews), None)

    # --- works ---------------------------------------------------------------

    def works(self, review: str | None = None, kind: str | None = None) -> list[Work]:
        kind = self._check_kind(kind)
        if review is not None:
            return self._bib.review_works(self.get_review(review).key, kind)
        return [w for key in self._bib.reviews for w in self._bib.review_works(key, kind)]

    def first_works(self, review: str, n: int, kind: str | None = None) -> list[Work]:
        """The first `n` works of a review in list order (of one kind): only these are
        read from the cache, so a screen can show them before the rest are loaded."""
        return self._bib.review_works(self.get_review(review).key, self._check_kind(kind), n)

    def works_between(self, review: str, kind: str | None, start: int, stop: int) -> list[Work]:
        """Works `start` to `stop` - 1 of a review in list order (of one kind): a screen
        that showed the first ones loads the rest a chunk at a time."""
        key = self.get_review(review).key
        return self._bib.review_works(key, self._check_kind(kind), stop, start)

    def count(self, review: str | None = None, kind: str | None = None) -> int:
        """How many works a review (the library: None) has, of one kind or all; no work
        is loaded for this."""
        key = self.get_review(review).key if review is not None else None
        return self._bib.count(key, self._check_kind(kind))

    def count_by_kind(self, review: str) -> dict[str, int]:
        """{kind: how many works} of a review, kinds in list order (no work is loaded)."""
        out: dict[str, int] = {}
        for kind in self._bib.kinds_of(self.get_review(review).key):
            out[kind] = out.get(kind, 0) + 1
        return out

    def idents(self, review: str | None = None) -> list[str]:
        """`Work.ident` of every work of a review (the library: None), in list order;
        no work is loaded for this."""
        key = self.get_review(review).key if review is not None else None
        return self._bib.idents_of(key)

    def titles(self, review: str) -> list[str]:
        """The title of every work of a review, in list order; no work is loaded."""
        return self._bib.titles_of(self.get_review(review).key)

    def derived(self, name: str, review: str, compute: Callable[[], Any]) -> Any:
        """``compute()``, a value computed from one review's works, kept in the
        library's cache until the library file changes, so that the next process reads
        it instead of computing it again. `name` says what is computed and its version
        (change it when `compute` changes); the value must be marshal-able (str, bytes,
        numbers, lists, tuples, dicts, sets) and not None."""
        key = self.get_review(review).key
        return self._bib.derived(f"{name}:{key}", compute)

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
        work = self._bib.work(id)
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
        return self._bib.local(review, kind, int(m[2]))

    def _describe(self, review: str) -> str:
        """'review lin2025 has ref1-ref43 and rel1-rel15'"""
        parts = []
        for kind in KINDS:
            ns = self._bib.numbers(review, kind)
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
        work = self._bib.work(t)
        if work is not None:
            return work
        if review is not None:
            rk: str | None = self.get_review(review).key
        else:
            rk = self.default_review_key()
        low = t.lower()
        if "/" in t and not low.startswith(("doi:", "10.", "http")):
            head, _, local = t.partition("/")
            if any(k.lower() == head.lower() for k in self._bib.reviews) or re.fullmatch(
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
        ident = _as_ident(t)
        return self._bib.find_ident(ident) if ident else None

    def _by_key(self, t: str, review: str | None) -> Work | None:
        pool = self._bib.find_key(t.lower())
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

    def import_review(
        self,
        review: Review,
        works: list[Work],
        *,
        into: str | None = None,
        as_key: str | None = None,
    ) -> Imported:
        """Add a review and its works, or update the same review in place (the steps
        are in tui.importing, imported with the first import: it and tui.identity were
        1.5 ms of every start)."""
        from tui.importing import import_review

        return import_review(self, review, works, into=into, as_key=as_key)

    def remove_review(self, key: str) -> None:
        with self._locked():
            self._bib.sync()
            self._side.sync()
            key = self.get_review(key).key
            ids = self._bib.ids_of(key)
            self._bib.write_review(key, None, ids, {})
            # Shared (DOI/PMID) states may belong to other reviews too: keep them.
            prefixes = (f"id:{key}/", f"orphan:id:{key}/")
            gone = {i: None for i in self._side.states if i.startswith(prefixes)}
            if gone:
                self._commit(gone, {})

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
        return self._side.states.get(work.ident) or State()

    def states(self) -> dict[str, State]:
        """ident -> State for every non-default state (treat the States as read-only)."""
        return dict(self._side.states)

    @property
    def state_view(self) -> Mapping[str, State]:
        """ident -> State, read-only and without a copy (the app reads it for every row).

        Ask again after each call into the library: a reload may replace what it views.
        """
        return MappingProxyType(self._side.states)

    # The reader's edits, one locked write each (see tui.readingstate).
    set_status = readingstate.set_status
    set_priority = readingstate.set_priority
    edit_tags = readingstate.edit_tags
    restore_states = readingstate.restore_states
    all_tags = readingstate.all_tags
    queue = readingstate.queue
    move_in_queue = readingstate.move_in_queue
    set_note = readingstate.set_note
    set_tags = readingstate.set_tags

    def add_work(self, key: str, work: Work) -> Work:
        """Append one work to a review or collection, numbered after its last of that
        kind (`readinglist add`), in one write; the other works are not rewritten."""
        with self._locked():
            self._bib.sync()
            return self._bib.add_work(self.get_review(key).key, work)

    def set_fetched(self, changes: dict[str, dict[str, dict | None]]) -> None:
        """Store what online services gave, in one write: {work id: {field: entry}}
        (None removes the field). Only `Work.fetched` changes, never a printed field;
        every id is checked before anything is written (see LibraryFile.set_fetched)."""
        if changes:
            with self._locked():
                self._bib.sync()
                self._bib.set_fetched(changes)

    def _commit(
        self, states: dict[str, State | None], prefs: dict[str, Any], *, compact: bool = False
    ) -> None:
        """Make state and pref changes durable (lock held, just synced): see StateFile."""
        self._side.commit(
            states,
            prefs,
            append_above=APPEND_ABOVE,
            compact_above=COMPACT_ABOVE,
            compact=compact,
        )

    # --- prefs ---------------------------------------------------------------

    def get_pref(self, name: str, default: Any = None) -> Any:
        return self._side.prefs.get(name, default)

    def set_pref(self, name: str, value: Any) -> None:
        with self._locked():
            self._side.sync()
            if name in self._side.prefs and self._side.prefs[name] == value:
                return
            self._commit({}, {name: value})

    # --- stats ---------------------------------------------------------------

    def stats(self) -> list[dict]:
        """Per review: per kind, the total and the count of each state (stored names)."""
        out = []
        names = self.settings.names

        def zero() -> dict[str, int]:
            return {"total": 0, **dict.fromkeys(names, 0)}

        states = self._side.states
        for key, r in self._bib.reviews.items():
            kinds = {k: zero() for k in KINDS}
            ks, idents = self._bib.kinds_and_idents(key)  # no work is loaded
            for kind in dict.fromkeys(ks):  # in the order they first appear
                kinds.setdefault(kind, zero())["total"] = ks.count(kind)
            if "unread" in names:  # every work unread, then the few that are not
                for c in kinds.values():
                    c["unread"] = c["total"]
                for i in [i for i, ident in enumerate(idents) if ident in states]:
                    c = kinds[ks[i]]
                    c["unread"] -= 1
                    status = states[idents[i]].status
                    c[status] = c.get(status, 0) + 1
            else:  # (a settings file without it: counted in list order, as shown)
                for kind, ident in zip(ks, idents, strict=True):
                    st = states.get(ident)
                    status = st.status if st is not None else "unread"
                    c = kinds[kind]
                    c[status] = c.get(status, 0) + 1
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
            if self._bib.db.storage.changed_on_disk():
                changed |= self._bib.sync()
            if self._side.changed_on_disk():
                changed |= self._side.sync()
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
            self._check_writable()
            ensure_parent(self.path)
            from filelock import Timeout

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
        """Convert a file of an older format (`tui.diskformat.migrate`) to the current one."""
        with gc_paused():  # the first read parses the whole file
            data = self._bib.db.storage.read()
        if not fmt.needs_migration(data):
            return  # current, new, or not ours (LibraryFile.sync says what is wrong)
        with self._locked():
            self._bib.db.storage.invalidate()
            data = self._bib.db.storage.read()
            if not fmt.needs_migration(data):
                return  # another process converted it meanwhile
            assert data is not None
            old = fmt.format_of(data) or 0
            old_side = self._side.db.storage.read()
            main, side = fmt.migrate(data, old_side, self.path)
            try:
                kept = keep_copy(self.path, f".format{old}")
            except OSError as exc:
                raise StoreError(
                    f"cannot convert {self.path} from format {old}: cannot keep a copy "
                    f"({exc.strerror or exc}); the file was left untouched"
                ) from None
            # The state file is written first: a crash before the main file is
            # converted leaves the old main file, and converting again keeps the
            # state file written the first time.
            if (fmt.format_of(old_side) or 0) < fmt.FORMAT_VERSION:
                _replace_all(self._side.db, side)
            _replace_all(self._bib.db, main)
            self._bib.db.storage.release()
            self.notices.append(
                f"{self.path} was converted from format {old} to format {fmt.FORMAT_VERSION}; "
                f"the original is kept as {kept.name}"
            )


def _replace_all(db: KeyedDB, tables: dict[str, dict]) -> None:
    """Write a whole new content into a file, in one atomic write (a migration)."""
    with db.storage.batch():
        db.drop_tables()
        for name, docs in tables.items():
            db.table(name).insert_multiple(Document(d, doc_id=i) for i, d in docs.items())


def _nonempty(path: Path) -> bool:
    try:
        return os.stat(path).st_size > 0
    except OSError:
        return False


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
