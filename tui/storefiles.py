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
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from filelock import FileLock, Timeout
from tinydb.table import Document, Table

from tui import diskformat as fmt
from tui.errors import NotFound, StoreError
from tui.fsutil import create_exclusive
from tui.model import Review, State, Work
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


class LibraryFile:
    """The bibliography of a library: the reviews and works of its main file.

    ``reviews`` (key -> Review, in import order), ``seq`` (key -> import order),
    ``by_review`` (key -> its works in list order), ``works`` and ``by_id`` are what
    the file holds, as of the last `sync` or `write_review`. The caller holds the
    library's lock around every write and syncs first.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db: KeyedDB = open_db(path, layout=LIBRARY_LAYOUT)
        self.reviews: dict[str, Review] = {}
        self.seq: dict[str, int] = {}
        self.by_review: dict[str, list[Work]] = {}
        self.works: list[Work] = []
        self.by_id: dict[str, Work] = {}
        self._gen = -1

    def close(self) -> None:
        self.db.close()

    def sync(self) -> bool:
        """Re-read the file when it changed on disk; True when rebuilt."""
        storage = self.db.storage
        if storage.generation == self._gen and not storage.changed_on_disk():
            return False
        with gc_paused():
            data = storage.read()
            if storage.generation == self._gen:
                storage.release()
                return False
            self._load(data)
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
        self.reviews = {r.key: r for _, r in reviews}
        self.seq = seq
        for ws in by_review.values():
            ws.sort(key=fmt.work_order)
        self.by_review = {k: by_review[k] for k in self.reviews}
        self._index()
        self._gen = self.db.storage.generation
        for t in fmt.LIBRARY_TABLES:
            self.db.table(t).clear_cache()

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
        self.db.storage.release()
        if rdoc is None:
            self.reviews.pop(key, None)
            self.seq.pop(key, None)
            self.by_review.pop(key, None)
        else:
            review, self.seq[key] = fmt.review_from_doc(key, rdoc)
            self.reviews[key] = review
            self.by_review[key] = sorted(map(fmt.work_from_doc, docs.values()), key=fmt.work_order)
        self._index()
        self._gen = self.db.storage.generation

    def add_work(self, key: str, work: Work) -> Work:
        """One atomic write: `work` joins review `key` (which exists), numbered after
        its last work of that kind; the other works are not rewritten."""
        work.review = key
        same_kind = (w.n for w in self.by_review[key] if w.kind == work.kind)
        work.n = 1 + max(same_kind, default=0)
        doc = fmt.work_doc(work)
        with self.db.storage.batch():
            self.db.table("works").insert(Document(doc, doc_id=work.id))
        self.db.storage.release()
        stored = fmt.work_from_doc(doc)
        self.by_review[key] = sorted([*self.by_review[key], stored], key=fmt.work_order)
        self._index()
        self._gen = self.db.storage.generation
        return stored

    def set_fetched(self, changes: dict[str, dict[str, dict | None]]) -> None:
        """One atomic write of what online services gave: {work id: {field: entry}},
        None removing a field. Only each work's ``fetched`` document field changes;
        an unknown id is refused (NotFound) before anything is written."""
        missing = [wid for wid in changes if wid not in self.by_id]
        if missing:
            raise NotFound(f"no work '{missing[0]}' in {self.path}; nothing was saved")
        merged: dict[str, dict] = {}
        for wid, fields in changes.items():
            old = self.by_id[wid].fetched
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
        self.db.storage.release()
        for wid, new in merged.items():
            self.by_id[wid].fetched = new
        self._gen = self.db.storage.generation

    def _index(self) -> None:
        self.works = [w for k in self.reviews for w in self.by_review.get(k, ())]
        self.by_id = {w.id: w for w in self.works}
