"""The files of a library and what they hold, as objects: `LibraryFile` and `StateFile`.

`tui.store.Library` hands the bibliography (reviews and works of ``PATH``) to a
`LibraryFile`, and the reading state and prefs to a `StateFile`: the state file (`state_path_for`) and, once that file
is big, its change log (`log_path_for`, see `tui.storage.AppendLog`). Marking a work
read rewrites only the small state file, never the bibliography; once the state file
is big (``append_above``) a mark is instead appended to the log, which is folded
into the state file when it grows past ``compact_above`` and on close.

Every write goes through TinyDB's table API (one changed state is one document
update, insert or removal) inside `OrjsonStorage.batch`, so the file is written
once, atomically. The log's entries that the state file does not hold yet are
kept here (``unfolded``) and written by the next fold.

The format of every file is `tui.diskformat`'s; this module only reads and writes.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson
from tinydb.table import Document, Table

from tui import bibcache
from tui import diskformat as fmt
from tui.bibcache import CacheDamaged, CacheReader, cache_path_for
from tui.errors import NotFound, StoreError
from tui.fsutil import can_write, create_exclusive, mode_of
from tui.model import KIND_PREFIX, PREFIX_KIND, Review, State, Work
from tui.perf import gc_paused
from tui.storage import AppendLog, KeyedDB, backups_of, file_signature, open_db

__all__ = [
    "LibraryFile",
    "StateFile",
    "adopt_legacy_state",
    "ensure_meta",
    "keep_copy",
    "legacy_state_path",
    "log_path_for",
    "put_doc",
    "state_path_for",
]


# The library file is written one document per line (a third smaller than indented,
# see tui.storage.dump); the state file, small and read by people, stays indented.
LIBRARY_LAYOUT = "lines"


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


def ensure_meta(db: KeyedDB, schema: str) -> None:
    """Give a new file its meta document (a no-op when it has one)."""
    meta = db.table("meta")
    if meta.get(doc_id=fmt.META_ID) is None:
        meta.insert(Document(fmt.new_meta(schema), doc_id=fmt.META_ID))


def _replace_with(doc: dict) -> Callable[[dict], None]:
    """A TinyDB update that makes the stored document `doc` (not merges it in)."""

    def replace(stored: dict) -> None:
        stored.clear()
        stored.update(doc)

    return replace


def put_doc(table: Table, doc_id: str, doc: dict) -> None:
    """Store `doc` under `doc_id`: one update of the stored document (replaced, not
    merged into) when there is one, else one insert."""
    if table.contains(doc_id=doc_id):
        table.update(_replace_with(doc), doc_ids=[doc_id])
    else:
        table.insert(Document(doc, doc_id=doc_id))


class LazyFileLock:
    """A `filelock.FileLock` made the first time it is used: importing filelock costs
    about 10 ms, and opening a library to read it (the app's start) takes no lock."""

    def __init__(self, path: str, **kwargs: Any) -> None:
        self.lock_file = path
        self._kwargs = kwargs
        self._lock: Any = None

    def _real(self) -> Any:
        if self._lock is None:
            from filelock import FileLock

            self._lock = FileLock(self.lock_file, **self._kwargs)
        return self._lock

    def acquire(self, *args: Any, **kwargs: Any) -> Any:
        return self._real().acquire(*args, **kwargs)

    def release(self, *args: Any, **kwargs: Any) -> None:
        self._real().release(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)


def adopt_legacy_state(path: Path, lock_path: Path, timeout: float) -> list[str]:
    """Older versions named the state file of ``reading.db`` ``reading.state.json``
    (shared with ``reading.json``). When this existing library is the only file
    that can own such a file, it and its backups and log are renamed to the new
    names (under the lock). When another file could own it too, nothing is moved
    (guessing could hand one library's marks to the other): this library starts
    its own state file and the notice returned says where the shared marks are."""
    legacy = legacy_state_path(path)
    state_path = state_path_for(path)
    if legacy == state_path or not path.is_file():
        return []
    from filelock import FileLock, Timeout

    try:
        with FileLock(str(lock_path), timeout=timeout):
            if not os.path.lexists(state_path) and legacy.is_file():
                return _adopt(path, legacy)
    except (Timeout, OSError) as exc:
        raise StoreError(
            f"cannot rename {legacy.name} to {state_path.name}: "
            f"{getattr(exc, 'strerror', None) or 'another readinglist process is busy'}"
        ) from None
    return []


def _adopt(path: Path, legacy: Path) -> list[str]:
    state_path, log_path = state_path_for(path), log_path_for(path)
    owners = sorted(
        entry.name
        for entry in os.scandir(path.parent)
        if entry.name != path.name
        and Path(entry.name).stem == Path(legacy.stem).stem
        and Path(entry.name).suffix not in (".lock", ".bak", ".tmp", ".log")
        and not entry.name.startswith(".")
        and entry.is_file()
        and legacy_state_path(Path(entry.path)) == legacy
    )
    if owners:
        return [
            f"{path.name} now keeps its marks in {state_path.name}; older "
            f"versions shared {legacy.name} with {owners[0]} and it was left there "
            f"(copy it to {state_path.name} before marking anything to keep "
            f"its marks here too)"
        ]
    moves = [(legacy, state_path), (legacy.with_suffix(".log"), log_path)]
    moves += [
        (b, state_path.with_name(state_path.name + b.name[len(legacy.name) :]))
        for b in backups_of(legacy)
    ]
    try:
        for old, new in moves:
            if os.path.lexists(old):
                os.link(old, new, follow_symlinks=False)  # never over an existing file
                os.unlink(old)
    except OSError as exc:
        raise StoreError(
            f"cannot rename {legacy.name} to {state_path.name}: {exc.strerror or exc}"
        ) from None
    return [
        f"{legacy.name} was renamed {state_path.name} (the state file of "
        f"{path.name} is now named after its whole file name)"
    ]


def keep_copy(path: Path, suffix: str) -> Path:
    """Keep the file at `path` as ``<name><suffix>`` (or ``<name><suffix>.2``...):
    a hard link, or a copy where links are not supported. Never through an existing
    name, not even a dangling symlink. Returns the name; OSError when it fails."""
    kept = path.with_name(path.name + suffix)
    n = 1
    while os.path.lexists(kept):
        n += 1
        kept = path.with_name(f"{path.name}{suffix}.{n}")
    try:
        os.link(path, kept)
    except FileExistsError:
        raise
    except OSError:
        bits = os.stat(path).st_mode & 0o777  # the copy is as private as the file
        with open(path, "rb") as src, os.fdopen(create_exclusive(kept, bits), "wb") as out:
            shutil.copyfileobj(src, out)
    return kept


class StateFile:
    """The reading state and prefs of a library: its state file and change log.

    ``states`` (ident -> non-default State) and ``prefs`` are what the files hold,
    as of the last `sync` or `commit`. The caller holds the library's lock around
    every `commit` and syncs first.
    """

    def __init__(self, library_path: Path) -> None:
        self.path = state_path_for(library_path)
        self.log_path = log_path_for(library_path)
        self.db: KeyedDB = open_db(self.path, mode_from=library_path)
        self.log = AppendLog(self.log_path, mode_from=library_path)
        self.states: dict[str, State] = {}
        self.prefs: dict[str, Any] = {}
        # Log entries the state file does not hold yet: (kind, id) -> value.
        self.unfolded: dict[tuple[str, str], Any] = {}
        self._gen = -1

    def changed_on_disk(self) -> bool:
        return self.db.storage.changed_on_disk() or self.log.changed_on_disk()

    def close(self) -> None:
        self.db.close()

    # --- reading -----------------------------------------------------------------

    def sync(self) -> bool:
        """Bring states and prefs up to date with the state file and its log."""
        storage = self.db.storage
        raw = storage.read()
        data = raw or {}
        full = storage.generation != self._gen
        if not full and not self.log.changed_on_disk():
            return False
        if full:
            fmt.check_meta(raw, self.path, fmt.STATE_SCHEMA)
            self.log.forget()
        entries, restarted = self.log.read_new()
        if self.log.token and self.log.token == fmt.absorbed_token(data):
            entries = []  # left behind by a crash after it was folded in
        try:
            if full or restarted:
                states: dict[str, State] = {}
                for ident, doc in data.get("state", {}).items():
                    st = fmt.state_from_doc(ident, doc)
                    if not st.is_default:
                        states[ident] = st
                prefs = {name: doc["value"] for name, doc in data.get("prefs", {}).items()}
                self.states, self.prefs, self.unfolded = states, prefs, {}
            self._replay(entries)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            storage.invalidate()
            self.log.forget()
            where = self.log_path if entries and not full else self.path
            raise StoreError(f"{where} is damaged ({exc}); it was left untouched") from None
        self._gen = storage.generation
        for t in ("meta", *fmt.STATE_TABLES):
            self.db.table(t).clear_cache()
        return True

    def _replay(self, entries: list[dict]) -> None:
        for e in entries:
            if e["t"] == "p":
                self.prefs[e["id"]] = e["v"]
            else:
                st = None if e["v"] is None else fmt.state_from_doc(e["id"], e["v"])
                self._apply({e["id"]: st})
            self.unfolded[(e["t"], e["id"])] = e["v"]

    def _apply(self, changes: dict[str, State | None]) -> None:
        for ident, st in changes.items():
            if st is None or st.is_default:
                self.states.pop(ident, None)
            else:
                self.states[ident] = st

    # --- writing -----------------------------------------------------------------

    def commit(
        self,
        states: dict[str, State | None],
        prefs: dict[str, Any],
        *,
        append_above: int,
        compact_above: int,
        compact: bool = False,
    ) -> None:
        """Make state and pref changes durable with one write (lock held, just synced).

        A small state file is rewritten atomically. A big one (over `append_above`
        bytes) is left alone and the changes are appended to the log, until the log
        passes `compact_above` bytes (or `compact`): then it is folded in (one
        rewrite, then the log is removed).
        """
        data = self.db.storage.read() or {}
        stale = bool(self.log.token) and self.log.token == fmt.absorbed_token(data)
        docs = {
            i: fmt.state_doc(st) if st is not None and not st.is_default else None
            for i, st in states.items()
        }
        size = file_signature(self.path)
        append = (
            not compact
            and size is not None
            and size[2] > append_above
            and self.log.pos < compact_above
        )
        if append:
            entries = [fmt.state_entry(i, d) for i, d in docs.items()]
            entries += [fmt.pref_entry(n, v) for n, v in prefs.items()]
            if not entries:
                return
            try:
                orjson.dumps(entries)
            except TypeError as exc:
                raise StoreError(f"cannot store this value in {self.log_path}: {exc}") from None
            if stale:
                self.log.remove()
                self.unfolded = {}
            self.log.append(entries)
            self.unfolded.update(((e["t"], e["id"]), e["v"]) for e in entries)
        elif states or prefs or self.log.pos:
            changes = {} if stale else dict(self.unfolded)
            changes.update((("s", i), d) for i, d in docs.items())
            changes.update((("p", n), v) for n, v in prefs.items())
            self._write(changes, absorbs=self.log.token if not stale else "")
            self.unfolded = {}
            if self.log.pos or self.log.token:
                # Absorbed: if removing fails the header token marks it as stale.
                with contextlib.suppress(OSError):
                    self.log.remove()
        self._apply(states)
        self.prefs.update(prefs)

    def _write(self, changes: dict[tuple[str, str], Any], absorbs: str) -> None:
        """One atomic rewrite of the state file: one table operation per changed
        document (a state that went back to the default is removed)."""
        state, pref, meta = (self.db.table(t) for t in ("state", "prefs", "meta"))
        with self.db.storage.batch():
            ensure_meta(self.db, fmt.STATE_SCHEMA)
            if absorbs:
                meta.update({"absorbed": absorbs}, doc_ids=[fmt.META_ID])
            gone: list[str] = []
            new: list[Document] = []
            for (kind, ident), value in changes.items():
                if kind == "p":
                    pref.upsert(Document(fmt.pref_doc(value), doc_id=ident))
                elif value is None:
                    if state.contains(doc_id=ident):
                        gone.append(ident)
                elif state.contains(doc_id=ident):
                    state.update(_replace_with(value), doc_ids=[ident])
                else:
                    new.append(Document(value, doc_id=ident))
            if gone:
                state.remove(doc_ids=gone)
            if new:
                state.insert_multiple(new)


FREEZE_ABOVE = 10_000  # works built at once (see _Group.build)


def _work_id(key: str, kind: str, n: int) -> str:
    return f"{key}/{KIND_PREFIX.get(kind, kind)}{n}"  # as Work.id


_LOCAL_ID = re.compile(r"(ref|rel)(-?[1-9]\d*|0)")  # Work.local_id, as it is written


class _Group:
    """One review's works in list order: the index (kind, number, citation key and
    ident of each) and each `Work` once built, from the cache's document on demand."""

    __slots__ = (
        "key",
        "kinds",
        "ns",
        "objs",
        "reader",
        "first",
        "src",
        "missing",
        "_lazy",
        "_places",
    )
    LAZY = {"keys": "key", "idents": "ident", "titles": "title"}  # column -> Work field

    def __init__(
        self,
        key: str,
        kinds: list[str],
        ns: list[int],
        objs: list[Work | None],
        reader: CacheReader | None = None,
        first: int = 0,
    ) -> None:
        self.key = key
        self.kinds = kinds
        self.ns = ns
        self.objs = objs
        self.reader = reader  # where the works not built yet are
        self.first = first  # this review's first work in the reader's index
        self.src: list[int] | None = None  # each work's place there, once one was inserted
        self.missing = len(objs) if reader is not None else 0  # how many are not built
        self._lazy: dict[str, list] = {}  # the LAZY columns read so far
        self._places: dict[str, list[int]] = {}  # kind -> where its works are, once asked

    @classmethod
    def of(cls, key: str, works: list[Work]) -> _Group:
        return cls(key, [w.kind for w in works], [w.n for w in works], list(works))

    def __len__(self) -> int:
        return len(self.ns)

    def column(self, name: str) -> list:
        """One of the LAZY columns: from the cache, or from the works once all are built."""
        found = self._lazy.get(name)
        if found is None:
            if self.reader is not None:  # (inserting a work reads them all first)
                found = self.reader.column(name)[self.first : self.first + len(self)]
            else:
                found = [getattr(w, self.LAZY[name]) for w in self.objs]
            self._lazy[name] = found
        return found

    @property
    def keys(self) -> list[str]:
        return self.column("keys")

    @property
    def idents(self) -> list[str]:
        return self.column("idents")

    @property
    def ids(self) -> list[str]:
        return [_work_id(self.key, k, n) for k, n in zip(self.kinds, self.ns, strict=True)]

    def find(self, kind: str, n: int) -> int | None:
        """The place of the work `kind` number `n`."""
        ns, kinds = self.ns, self.kinds
        i = -1
        while True:
            try:
                i = ns.index(n, i + 1)
            except ValueError:
                return None
            if kinds[i] == kind:
                return i

    def place(self, wid: str) -> int | None:
        """The place of the work whose id is `wid` (of this review)."""
        m = _LOCAL_ID.fullmatch(wid, len(self.key) + 1)
        if m is not None:
            return self.find(PREFIX_KIND[m[1]], int(m[2]))
        ids = self.ids  # not a reference or related work: never written by us
        return ids.index(wid) if wid in ids else None

    def places(self, kind: str, limit: int | None = None) -> list[int]:
        """Where the works of `kind` are, in order (the first `limit`: the scan stops
        there, so a screen's first rows of 100,000 works cost no full scan)."""
        found = self._places.get(kind)
        if found is not None:
            return found if limit is None else found[:limit]
        kinds = self.kinds
        if limit is not None:
            out: list[int] = []
            i = -1
            with contextlib.suppress(ValueError):
                while len(out) < limit:
                    i = kinds.index(kind, i + 1)
                    out.append(i)
            return out
        found = self._places[kind] = [i for i, k in enumerate(kinds) if k == kind]
        return found

    def build(self, lo: int, hi: int, keep: list[bool] | None = None) -> None:
        """Build the works lo..hi-1 (those whose keep[i - lo] is true) from the cache,
        one read for all (CacheDamaged when a document is not what the index says)."""
        if not self.missing or lo >= hi:
            return
        objs = self.objs
        need = [i for i in range(lo, hi) if objs[i] is None and (keep is None or keep[i - lo])]
        if not need:
            return
        assert self.reader is not None
        src = self.src
        where = [self.first + i for i in need] if src is None else [src[i] for i in need]
        start = where[0]
        mask = [False] * (where[-1] + 1 - start)
        for r in where:
            mask[r - start] = True
        # What was built in bulk is the library, kept as long as it is open: moved out
        # of the collector's view (gc.freeze, as tui.cli and tui.app do with a library
        # loaded whole) before the collector is on again. Freezing only afterwards was
        # too late: the first allocation after the pause ran a collection over every
        # new work (0.9 s of an export of 100,000 works).
        with gc_paused():  # (see tui.perf) thousands of documents at once
            self._built(need, where, self.reader.docs(start, where[-1] + 1, mask))
            if len(need) >= FREEZE_ABOVE:
                gc.freeze()

    def _built(self, need: list[int], where: list[int], docs: list[dict | None]) -> None:
        objs, kinds, ns = self.objs, self.kinds, self.ns
        start = where[0]
        for i, r in zip(need, where, strict=True):
            try:
                work = fmt.work_from_doc(docs[r - start])  # type: ignore[arg-type]
                ok = work.id == _work_id(self.key, kinds[i], ns[i])
            except (TypeError, ValueError, AttributeError):
                ok = False
            if not ok:
                raise CacheDamaged(f"work {_work_id(self.key, kinds[i], ns[i])}")
            objs[i] = work
            self.missing -= 1
        if not self.missing:
            self.reader = None  # every work is built: the cache file may close
            self.src = None

    def insert(self, at: int, work: Work) -> None:
        self._places.clear()
        lazy = [(self.column(name), getattr(work, attr)) for name, attr in self.LAZY.items()]
        if self.missing:  # the works after `at` move: keep where each one is in the cache
            if self.src is None:
                self.src = list(range(self.first, self.first + len(self)))
            self.src.insert(at, -1)
        for column, value in [(self.kinds, work.kind), (self.ns, work.n), (self.objs, work), *lazy]:
            column.insert(at, value)


def _recovering(method):
    """A LibraryFile method that reads works from the cache: when a document there
    turns out damaged, the library file itself is loaded (and the cache rebuilt),
    and the method runs again."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._mutex:
            try:
                return method(self, *args, **kwargs)
            except CacheDamaged:
                self._load_file(use_cache=False)
                return method(self, *args, **kwargs)

    return wrapper


class LibraryFile:
    """The bibliography of a library: the reviews and works of its main file.

    ``reviews`` (key -> Review, in import order) and ``seq`` (key -> import order) are
    what the file holds, as of the last `sync` or write; ``by_review`` (key -> its works
    in list order), ``works`` (all, in that order) and ``by_id`` give its works. The
    caller holds the library's lock around every write and syncs first.

    When the cache (`tui.bibcache`, ``<name>.cache``) holds the file's current version,
    `sync` reads the cache's index instead of parsing the file, and each work is built
    from its cached document the first time it is asked for: a command that needs one
    work reads one. Otherwise the file is parsed and the cache written anew; every
    write of the file (`write_review`, `add_work`, `set_fetched`) rewrites the cache
    too, from the data in hand. Nothing here depends on the cache being there.
    """

    def __init__(self, path: Path, lock: LazyFileLock | None = None) -> None:
        self.path = path
        self.cache_path = cache_path_for(path)
        self.db: KeyedDB = open_db(path, layout=LIBRARY_LAYOUT)
        self.reviews: dict[str, Review] = {}
        self.seq: dict[str, int] = {}
        self.by_review: Mapping[str, list[Work]] = _ByReview(self)
        self.by_id: Mapping[str, Work] = _ById(self)
        self._groups: dict[str, _Group] = {}
        self._reader: CacheReader | None = None  # the cache of the version held
        self._derived: dict[str, Any] = {}  # derived values asked for so far
        self._lock = lock  # the library's lock: held while the cache is written
        self._mutex = threading.RLock()  # works are built from one thread at a time
        self._gen = -1

    def close(self) -> None:
        with self._mutex:  # a thread building works (the app loading a review) ends first
            self.db.close()
            for group in self._groups.values():
                if group.reader is not None:
                    group.reader.close()
            if self._reader is not None:
                self._reader.close()

    # --- loading -----------------------------------------------------------------

    def sync(self) -> bool:
        """Re-read the file when it changed on disk; True when rebuilt."""
        storage = self.db.storage
        if storage.generation == self._gen and not storage.changed_on_disk():
            return False
        return self._load_file(use_cache=True)

    def load_cached(self) -> bool:
        """Take the reviews and the index of works from the cache, when it holds the
        file's current version (True); the file is not read."""
        try:
            signature = file_signature(self.path)
        except StoreError:
            return False
        reader = bibcache.open_reader(self.cache_path, signature)
        if reader is None or signature is None:
            return False
        index = reader.index
        try:
            reviews = [fmt.review_from_doc(key, doc) for key, doc in index.reviews]
        except (TypeError, ValueError, AttributeError):
            reader.close()
            return False
        with self._mutex:
            self.reviews = {r.key: r for r, _ in reviews}
            self.seq = {r.key: seq for r, seq in reviews}
            groups: dict[str, _Group] = {}
            starts = index.starts()
            kinds, ns = reader.column("kinds"), reader.column("ns")
            for (key, _), a, b in zip(index.reviews, starts, starts[1:], strict=False):
                groups[key] = _Group(key, kinds[a:b], ns[a:b], [None] * (b - a), reader, a)
            self._replace(groups, reader)
            self.db.storage.adopt(signature)
            self._gen = self.db.storage.generation
        return True

    def _load_file(self, *, use_cache: bool) -> bool:
        storage = self.db.storage
        if use_cache and self.load_cached():
            return True
        if not use_cache:  # what the cache holds is damaged: the file itself
            storage.invalidate()
            self._gen = -1
            with contextlib.suppress(OSError):
                os.unlink(self.cache_path)
        with gc_paused():
            data = storage.read()
            if storage.generation == self._gen:
                storage.release()
                return False
            self._load(data)
            self._write_cache(data, share=True)
        # The works now live as Work objects; keeping the parsed JSON as well
        # would double the memory (and the garbage collector's work) at 100,000
        # works. An import parses the file again.
        storage.release()
        return True

    def _load(self, data: dict | None) -> None:
        fmt.check_meta(data, self.path, fmt.LIBRARY_SCHEMA)
        data = data or {}
        reviews: list[tuple[int, Review]] = []
        seq: dict[str, int] = {}
        by_review: dict[str, list[Work]] = {}
        try:
            for doc_id, doc in data.get("reviews", {}).items():
                r, seq[doc_id] = fmt.review_from_doc(doc_id, doc)
                reviews.append((seq[doc_id], r))
                by_review[doc_id] = []
            for doc in data.get("works", {}).values():
                w = fmt.work_from_doc(doc)
                if not isinstance(w.n, int) or w.review not in by_review:
                    raise ValueError(f"work {w.review}/{w.kind}{w.n}")
                by_review[w.review].append(w)
        except (TypeError, ValueError, AttributeError) as exc:
            raise StoreError(f"{self.path} is damaged ({exc}); it was left untouched") from None
        reviews.sort(key=lambda p: p[0])
        with self._mutex:
            self.reviews = {r.key: r for _, r in reviews}
            self.seq = seq
            groups = {}
            for key in self.reviews:
                by_review[key].sort(key=fmt.work_order)
                groups[key] = _Group.of(key, by_review[key])
            self._replace(groups, None)
            self._gen = self.db.storage.generation
        for t in fmt.LIBRARY_TABLES:
            self.db.table(t).clear_cache()

    def _replace(self, groups: dict[str, _Group], reader: CacheReader | None) -> None:
        old = [g.reader for g in self._groups.values()] + [self._reader]
        self._groups = groups
        self._reader = reader
        self._changed()
        for r in old:
            if r is not None and r is not reader:
                r.close()

    def _changed(self) -> None:
        self._derived = {}

    # --- the cache -----------------------------------------------------------------

    @contextlib.contextmanager
    def _cache_lock(self) -> Iterator[bool]:
        """Hold the library's lock (True) if it is free or ours already: every writer of
        the library file holds it, so the cache written is of the version on disk."""
        if not can_write(self.path):
            yield False  # a read-only library: no cache
            return
        if self._lock is None:
            yield True
            return
        from filelock import Timeout

        try:
            self._lock.acquire(timeout=0)
        except (Timeout, OSError):
            yield False
            return
        try:
            yield True
        finally:
            self._lock.release()

    def _write_cache(self, data: dict | None, *, share: bool = False) -> None:
        """Write the cache of the version just read or written (`data`, its tables):
        best effort, any failure just leaves no (or a stale) cache. `share`: the tables
        were parsed from the file (see bibcache.build)."""
        signature = self.db.storage.signature
        if data is None or signature is None:
            return
        with self._cache_lock() as ok:
            try:
                if not ok or file_signature(self.path) != signature:
                    return
                built = bibcache.build(data, share=share)
                bibcache.write(self.cache_path, signature, built, mode_of(self.path))
            except Exception:  # noqa: BLE001 - the cache is only ever a help
                return
        self._reader = None  # the reader of an older version has no sections for this one

    def derived(self, name: str, compute: Callable[[], Any]) -> Any:
        """`compute()`, kept in the cache under `name` until the file changes (name it
        after what it computes and its version). Not None."""
        with self._mutex:
            if name in self._derived:
                return self._derived[name]
            signature = self.db.storage.signature
            reader = self._reader
            if reader is None and signature is not None:
                reader = self._reader = bibcache.open_reader(self.cache_path, signature)
            value = reader.section(name) if reader is not None else None
            if value is None:
                with gc_paused():  # (see tui.perf) it may make 100,000 small objects
                    value = compute()
                if reader is not None and signature is not None:
                    with self._cache_lock() as ok:
                        if ok:
                            bibcache.add_section(
                                self.cache_path, signature, name, value, mode_of(self.path)
                            )
            self._derived[name] = value
            return value

    # --- reading works -------------------------------------------------------------

    def count(self, key: str | None = None, kind: str | None = None) -> int:
        groups = self._groups.values() if key is None else [self._groups.get(key)]
        return sum(
            (len(g) if kind is None else g.kinds.count(kind)) for g in groups if g is not None
        )

    @_recovering
    def review_works(
        self, key: str, kind: str | None = None, limit: int | None = None, start: int = 0
    ) -> list[Work]:
        """The works of review `key` in list order (of one kind): those from `start`
        up to `limit` (the first `limit` when `start` is 0)."""
        g = self._groups.get(key)
        if g is None:
            return []
        if kind is None:
            hi = len(g) if limit is None else min(limit, len(g))
            g.build(start, hi)
            return g.objs[start:hi]  # type: ignore[return-value]
        places = g.places(kind, limit if start == 0 else None)[start:limit]
        if places:
            lo = places[0]
            keep = [False] * (places[-1] + 1 - lo)
            for i in places:
                keep[i - lo] = True
            g.build(lo, places[-1] + 1, keep)
        return [g.objs[i] for i in places]  # type: ignore[misc]

    @property
    def works(self) -> list[Work]:
        """Every work, review after review, in list order."""
        return [w for key in self._groups for w in self.review_works(key)]

    def _place(self, wid: str) -> tuple[str, int] | None:
        key, sep, _ = wid.rpartition("/")
        g = self._groups.get(key) if sep else None
        i = g.place(wid) if g is not None else None
        return None if i is None else (key, i)

    def has(self, wid: str) -> bool:
        return self._place(wid) is not None

    @_recovering
    def _at(self, key: str, i: int) -> Work:
        g = self._groups[key]
        g.build(i, i + 1)
        return g.objs[i]  # type: ignore[return-value]

    def work(self, wid: str) -> Work | None:
        """The work whose id is `wid`: only it is read (None: there is none)."""
        place = self._place(wid)
        return None if place is None else self._at(*place)

    def numbers(self, key: str, kind: str) -> list[int]:
        g = self._groups.get(key)
        return [] if g is None else [n for k, n in zip(g.kinds, g.ns, strict=True) if k == kind]

    def local(self, key: str, kind: str, n: int) -> Work | None:
        """The work `kind` number `n` of review `key`."""
        g = self._groups.get(key)
        i = g.find(kind, n) if g is not None else None
        return None if i is None else self._at(key, i)

    @_recovering
    def find_ident(self, ident: str) -> Work | None:
        """The first work (in list order) whose reading state is `ident`'s."""
        for key, g in self._groups.items():
            if ident in g.idents:
                return self._at(key, g.idents.index(ident))
        return None

    @_recovering
    def find_key(self, folded: str) -> list[Work]:
        """The works whose citation key is `folded` (lower case) without regard to case."""
        return [
            self._at(key, i)
            for key, g in self._groups.items()
            for i, k in enumerate(g.keys)
            if k and k.lower() == folded
        ]

    def ids_of(self, key: str) -> list[str]:
        g = self._groups.get(key)
        return [] if g is None else g.ids

    def kinds_of(self, key: str) -> list[str]:
        g = self._groups.get(key)
        return [] if g is None else list(g.kinds)

    @_recovering
    def kinds_and_idents(self, key: str) -> tuple[list[str], list[str]]:
        """The kind and the ident of each work of review `key`, in list order (the
        lists themselves: read them, never change them)."""
        g = self._groups.get(key)
        return ([], []) if g is None else (g.kinds, g.idents)

    @_recovering
    def with_idents(self, idents: set[str], key: str | None = None) -> list[Work]:
        """The works (in list order; of review `key`) whose reading state is one of
        `idents`: only those are built."""
        keys = list(self._groups) if key is None else [key] if key in self._groups else []
        return [
            self._at(k, i)
            for k in keys
            if idents
            for i, ident in enumerate(self._groups[k].idents)
            if ident in idents
        ]

    @_recovering
    def titles_of(self, key: str) -> list[str]:
        g = self._groups.get(key)
        return [] if g is None else list(g.column("titles"))

    @_recovering
    def idents_of(self, key: str | None = None) -> list[str]:
        keys = list(self._groups) if key is None else [key] if key in self._groups else []
        return [ident for k in keys for ident in self._groups[k].idents]

    # --- writing -----------------------------------------------------------------

    def write_review(
        self, key: str, rdoc: dict | None, old_ids: list[str], docs: dict[str, dict]
    ) -> None:
        """One atomic write: review `key` becomes `rdoc` (None: it goes) and its works
        `docs` replace the works `old_ids`; then the objects in memory follow (no
        re-parse of the file)."""
        reviews, works = self.db.table("reviews"), self.db.table("works")
        with self.db.storage.batch():
            ensure_meta(self.db, fmt.LIBRARY_SCHEMA)
            if rdoc is None:
                reviews.remove(doc_ids=[key])
            else:
                put_doc(reviews, key, rdoc)
            if old_ids:
                works.remove(doc_ids=old_ids)
            if docs:
                works.insert_multiple(Document(d, doc_id=i) for i, d in docs.items())
        self._written()
        with self._mutex:
            if rdoc is None:
                self.reviews.pop(key, None)
                self.seq.pop(key, None)
                self._groups.pop(key, None)
            else:
                review, self.seq[key] = fmt.review_from_doc(key, rdoc)
                self.reviews[key] = review
                works_of = sorted(map(fmt.work_from_doc, docs.values()), key=fmt.work_order)
                self._groups[key] = _Group.of(key, works_of)
            self._changed()
            self._gen = self.db.storage.generation

    def add_work(self, key: str, work: Work) -> Work:
        """One atomic write: `work` joins review `key` (which exists), numbered after
        its last work of that kind; the other works are not rewritten."""
        work.review = key
        work.n = 1 + max(self.numbers(key, work.kind), default=0)
        doc = fmt.work_doc(work)
        with self.db.storage.batch():
            self.db.table("works").insert(Document(doc, doc_id=work.id))
        self._written()
        stored = fmt.work_from_doc(doc)
        g = self._groups[key]
        order = fmt.work_order(stored)
        at = next(
            (
                i
                for i, (k, n) in enumerate(zip(g.kinds, g.ns, strict=True))
                if fmt.order_of(k, n) > order
            ),
            len(g),
        )
        g.insert(at, stored)
        self._changed()
        self._gen = self.db.storage.generation
        return stored

    def set_fetched(self, changes: dict[str, dict[str, dict | None]]) -> None:
        """One atomic write of what online services gave: {work id: {field: entry}},
        None removing a field. Only each work's ``fetched`` document field changes;
        an unknown id is refused (NotFound) before anything is written."""
        missing = [wid for wid in changes if not self.has(wid)]
        if missing:
            raise NotFound(f"no work '{missing[0]}' in {self.path}; nothing was saved")
        merged: dict[str, dict] = {}
        stored: dict[str, Work] = {}
        for wid, fields in changes.items():
            stored[wid] = work = self.work(wid)  # type: ignore[assignment]
            old = work.fetched
            new = fmt.json_copy(old) if isinstance(old, dict) else {}
            for name, entry in fields.items():
                if entry is None:
                    new.pop(name, None)
                else:
                    new[name] = fmt.json_copy(entry)
            merged[wid] = new
        works = self.db.table("works")
        with self.db.storage.batch():
            for wid, new in merged.items():
                works.update({"fetched": new}, doc_ids=[wid])
        self._written()
        for wid, new in merged.items():
            stored[wid].fetched = new
        self._derived = {}
        self._gen = self.db.storage.generation

    def _written(self) -> None:
        """After a write of the file: the cache follows from the tables just written
        (in memory, not parsed again), then they are dropped."""
        storage = self.db.storage
        with gc_paused():
            self._write_cache(storage.read())
        storage.release()


class _ByReview(Mapping):
    """review key -> its works in list order (built on demand)."""

    def __init__(self, file: LibraryFile) -> None:
        self._file = file

    def __getitem__(self, key: str) -> list[Work]:
        if key not in self._file._groups:
            raise KeyError(key)
        return self._file.review_works(key)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._file._groups))

    def __len__(self) -> int:
        return len(self._file._groups)


class _ById(Mapping):
    """work id -> Work (built on demand; `in` only looks at the index)."""

    def __init__(self, file: LibraryFile) -> None:
        self._file = file

    def __getitem__(self, wid: str) -> Work:
        work = self._file.work(wid)
        if work is None:
            raise KeyError(wid)
        return work

    def __contains__(self, wid: object) -> bool:
        return isinstance(wid, str) and self._file.has(wid)

    def __iter__(self) -> Iterator[str]:
        return iter([wid for g in list(self._file._groups.values()) for wid in g.ids])

    def __len__(self) -> int:
        return self._file.count()
