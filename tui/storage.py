"""A TinyDB storage that is fast, atomic and honest about damaged files.

TinyDB's own JSONStorage re-reads and re-parses the whole file on every table
operation, rewrites it in place (a crash mid-write leaves half a file) and
writes ``\\uXXXX`` escapes for Chinese text. None of TinyDB's storages does atomic
writes, so this one is our own code (on top of TinyDB's ``Storage`` interface):

* orjson for parsing and writing (readable UTF-8, several times faster than json);
  a file is written indented (``layout="indent"``, the state file) or one document
  per line (``layout="lines"``, the library file: a third smaller than indented,
  as fast to write and read, still readable and greppable line by line); both
  are plain JSON, so either layout reads a file written in the other;
* the parsed data is cached and only re-read when the file's identity (inode,
  size, mtime, ctime) changes, i.e. when another process replaced it;
* writes go to a temporary file (O_EXCL|O_NOFOLLOW, an unpredictable name) in the
  same directory, are flushed and fsynced, the current file is kept as
  ``<name>.bak`` (a hard link, so it costs nothing) - but only if it parses, so a
  backup is never replaced by something worse - then ``os.replace`` swaps the new
  file in and the directory is fsynced; a new file's first version is copied to
  ``<name>.bak``, so there always is a backup;
* older generations: at most once an hour (BACKUP_EVERY) the version rotated out
  is also copied to ``<name>.bak-20261206T014512Z`` (UTC); the newest
  BACKUP_GENERATIONS of those are kept, older ones removed;
* the file and its side files get the permission bits of the library file they
  belong to (``mode_from``), so a 0600 library never has a 0644 backup;
* ``batch()`` collects any number of TinyDB operations into one write;
* a file that is not what we wrote (empty, truncated, not JSON, wrong shape, not
  a regular file, too big to be ours) raises StoreError naming the file, and is
  never written over. Sizes are checked before anything is read.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from tui.diskformat import is_entry, is_ours
from tui.errors import StoreError
from tui.fsutil import (
    create_exclusive,
    fsync_dir,
    mode_of,
    read_regular,
    resolve,
    temp_name,
    write_temp,
)

Signature = tuple[int, int, int, int, int]

BACKUP_GENERATIONS = 5  # dated backups kept beside each file
BACKUP_EVERY = 3600.0  # seconds: at most one new dated backup an hour
_STAMP = "%Y%m%dT%H%M%SZ"
_DATED = re.compile(r"\.bak-(\d{8}T\d{6}Z)")


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def dated_backups(path: Path) -> list[Path]:
    """The dated backups of `path` (``<name>.bak-<UTC time>``), newest first."""
    found: list[tuple[str, Path]] = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent):
            name = entry.name
            if name.startswith(path.name):
                m = _DATED.fullmatch(name, len(path.name))
                if m:
                    found.append((m[1], Path(entry.path)))
    return [p for _, p in sorted(found, reverse=True)]


def backups_of(path: Path) -> list[Path]:
    """Every backup of `path` that is there, newest first: ``.bak``, then the dated ones."""
    plain = path.with_name(path.name + ".bak")
    return ([plain] if os.path.lexists(plain) else []) + dated_backups(path)


def file_signature(path: Path) -> Signature | None:
    """What identifies one version of a file: None when it does not exist.

    Every write replaces the file by a new inode, so a change of content always
    changes the signature (the old inode stays alive as the .bak link, so its
    number cannot be reused by the very next write).
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror or exc}") from None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def ensure_parent(path: Path) -> None:
    """Create the folders a database file lives in; StoreError when that fails."""
    parent = path.parent
    if parent.is_dir():
        return
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the folder {parent} for {path.name}: {_why(exc)}"
        ) from None


class OrjsonStorage(Storage):
    """TinyDB storage: one JSON object of tables, each an object of documents."""

    def __init__(
        self, path: str | Path, *, layout: str = "indent", mode_from: Path | None = None
    ) -> None:
        self.path = Path(path)
        self.backup_path = self.path.with_name(self.path.name + ".bak")
        # the library file whose permission bits this (side) file takes
        self.mode_from = mode_from
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
        self.layout = layout
        self._data: dict[str, dict[str, Any]] | None = None
        self._signature: Signature | None = None
        self._known = False  # we have read or written the version with _signature
        self._released = False  # ... but dropped its parsed data to save memory
        self._pending: dict[str, dict[str, Any]] | None = None
        self._batching = 0
        # Counts every time _data is replaced from disk (not by our own writes):
        # callers compare it to know when to rebuild what they derived from it.
        self.generation = 0

    # --- reading -------------------------------------------------------------

    def changed_on_disk(self) -> bool:
        """True when the file is not the version we last read or wrote (cheap: one stat)."""
        return not self._known or file_signature(self.path) != self._signature

    def read(self) -> dict[str, dict[str, Any]] | None:
        if self._batching and self._pending is not None:
            return self._pending
        signature = file_signature(self.path)
        if self._known and signature == self._signature:
            if not self._released:
                return self._data
            # The same version as before, parsed again after release(): callers
            # that derived objects from it need not rebuild (no new generation).
            self._data = self._load() if signature is not None else None
            self._released = False
            return self._data
        # If another process replaces the file between stat and read, we hold
        # newer data under an older signature: the next read simply reads again.
        data = self._load() if signature is not None else None
        self._data = data
        self._signature = signature
        self._known = True
        self._released = False
        self.generation += 1
        return data

    @property
    def signature(self) -> Signature | None:
        """The version of the file this storage last read, wrote or adopted."""
        return self._signature if self._known else None

    def adopt(self, signature: Signature) -> None:
        """The caller holds what version `signature` of the file holds, read from a
        derived copy (tui.bibcache): count it as read and released, as a new
        generation, so the file is parsed only when a read asks for its data."""
        self._data = None
        self._signature = signature
        self._known = True
        self._released = True
        self.generation += 1

    def release(self) -> None:
        """Drop the parsed data (the caller keeps what it built from it).

        The next read parses the file again; while the file is unchanged that
        does not count as a new generation.
        """
        if self._known and not self._batching:
            self._data = None
            self._released = True

    def _load(self) -> dict[str, dict[str, Any]] | None:
        raw = read_regular(self.path)
        if raw is None:
            return None
        return self._parse(raw)

    def _parse(self, raw: bytes) -> dict[str, dict[str, Any]]:
        if not raw.strip():
            # Every version we write is whole: an empty file is what a crash on some
            # file systems, a full disk or a sync tool leaves, never an empty database.
            raise StoreError(
                f"{self.path} is empty ({len(raw)} bytes); it was left untouched{self._hint()}"
            )
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            # it ended in the middle of a value (orjson points at the value's start)
            truncated = exc.pos >= len(raw.rstrip()) or "unexpected end of data" in str(exc)
            what = "is truncated" if truncated else "is not valid JSON"
            raise StoreError(
                f"{self.path} {what} ({exc}); it was left untouched{self._hint()}"
            ) from None
        check_shape(data, self.path)
        return data

    def _hint(self) -> str:
        for backup in backups_of(self.path):
            with contextlib.suppress(OSError):
                if os.stat(backup).st_size:
                    return f"; the last good version is {backup.name}"
        return ""

    # --- writing -------------------------------------------------------------

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if self._batching:
            self._pending = data
            return
        self._write_now(data)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Run several TinyDB operations and write the file once at the end.

        If the block raises, nothing is written and the cache is dropped (TinyDB
        edits the cached dicts in place), so the next read sees the file again.
        """
        self._batching += 1
        try:
            yield
        except BaseException:
            self._batching -= 1
            if not self._batching:
                self._pending = None
                self.invalidate()
            raise
        self._batching -= 1
        if not self._batching and self._pending is not None:
            pending, self._pending = self._pending, None
            self._write_now(pending)

    def invalidate(self) -> None:
        """Forget the cached data: the next read parses the file again."""
        self._data = None
        self._signature = None
        self._known = False
        self._released = False

    def _write_now(self, data: dict[str, dict[str, Any]]) -> None:
        try:
            payload = dump(data, self.layout)
        except TypeError as exc:  # text that is not Unicode, numbers over 64 bits, objects
            self.invalidate()
            if "Recursion limit" in str(exc):  # orjson stops at 255 levels
                why = "some of its data nest too deeply (more than 255 levels)"
            else:
                why = f"some data cannot be stored as JSON ({exc})"
            raise StoreError(
                f"cannot write {self.path}: {why}; the file on disk was not changed"
            ) from None
        try:
            self._replace(payload)
        except OSError as exc:
            self.invalidate()
            raise StoreError(
                f"cannot write {self.path}: {_why(exc)} (the file on disk was not changed)"
            ) from None
        self._data = data
        self._signature = file_signature(self.path)
        self._known = True
        self._released = False

    def _replace(self, payload: list[bytes]) -> None:
        ensure_parent(self.path)
        # A symlink (a state file kept in a synced folder) is written through: the new
        # version replaces the link's target, beside the target; the backups stay
        # beside the link, where the library and `doctor` look for them.
        target = resolve(self.path)
        ensure_parent(target)
        directory = target.parent
        # Not tempfile.mkstemp: its files are 0600 whatever the umask; the database
        # gets the usual permissions, keeps the ones the user gave it, and a side
        # file takes those of its library file.
        mode = mode_of(self.mode_from, target)
        tmp = write_temp(target, payload, mode)
        try:
            first = not os.path.exists(target)
            rotated = self._keep_backup(mode)
            os.replace(tmp, target)
            if first and not backups_of(self.path):
                self._first_backup(payload, mode)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        fsync_dir(directory, strict=True)
        if rotated:  # after the write is durable: a dated copy is never in its way
            self._keep_generation(mode)

    def _first_backup(self, payload: list[bytes], mode: int | None) -> None:
        """A new file's first version is its own backup (a copy, not a link, so
        damage done to the file in place does not reach it): without this, a file
        written once, like a library after its first import, would have none.
        A failure here loses nothing, so it is not an error.
        """
        tmp = None
        try:
            tmp = write_temp(self.backup_path, payload, mode)
            os.replace(tmp, self.backup_path)
        except OSError:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def _parses(self) -> bool:
        """True when the file on disk is a version worth keeping as a backup."""
        signature = file_signature(self.path)
        if signature is None:
            return False
        if self._known and signature == self._signature:
            return True  # the version we read (and checked) or wrote ourselves
        try:
            raw = read_regular(self.path)
            # parsed JSON is not enough: `{}` is no library, and must not become the backup
            return raw is not None and is_ours(self._parse(raw))
        except StoreError:
            return False

    def _keep_backup(self, mode: int | None) -> bool:
        """Keep the current (last good) file as <name>.bak before replacing it,
        and now and then as a dated generation too.

        Only a file that parses is kept: an empty or damaged file never replaces
        a backup (True when it was kept). A hard link costs nothing whatever the file size; where links
        are not supported, a copy is made instead.
        """
        if not self._parses():
            return False
        # through a symlink, the target: a hard link made to the link itself would go on
        # showing whatever the target holds next, so the backup would be no backup
        self._link_or_copy(resolve(self.path), self.backup_path, mode)
        return True

    def _link_or_copy(
        self, source: Path, dest: Path, mode: int | None, *, copy: bool = False
    ) -> None:
        """`dest` becomes `source` (via a fresh temporary name, then os.replace): a hard
        link unless `copy` (or links are not supported)."""
        link = temp_name(dest)
        try:
            try:
                if copy:
                    raise OSError("a copy was asked for")
                os.link(source, link)
            except OSError:
                fd = create_exclusive(link, 0o666 if mode is None else mode & 0o777)
                with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                    shutil.copyfileobj(src, out)
                    out.flush()
                    os.fsync(out.fileno())
                if mode is not None:
                    os.chmod(link, mode)
            os.replace(link, dest)
            # rename() between two names of one file does nothing and leaves both:
            # the temporary name must not stay behind as a "crash leftover"
            with contextlib.suppress(FileNotFoundError):
                os.unlink(link)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(link)
            raise

    def _keep_generation(self, mode: int | None) -> None:
        """The version just kept as .bak becomes a dated backup too, when the newest
        dated one is older than BACKUP_EVERY; then all but the newest
        BACKUP_GENERATIONS are removed. A failure here loses nothing."""
        now = _utcnow()
        existing = dated_backups(self.path)
        if existing:
            newest = _DATED.fullmatch(existing[0].name, len(self.path.name))
            assert newest is not None
            try:
                when = datetime.strptime(newest[1], _STAMP).replace(tzinfo=timezone.utc)
            except ValueError:  # a name that only looks like ours (month 13)
                when = None
            if when is not None and abs((now - when).total_seconds()) < BACKUP_EVERY:
                return
        dated = self.path.with_name(f"{self.path.name}.bak-{now.strftime(_STAMP)}")
        try:
            # A copy, not a link to .bak: damage done to one backup in place must
            # not reach the others. Once an hour at most, so the cost stays small.
            self._link_or_copy(self.backup_path, dated, mode, copy=True)
        except OSError:
            return
        for old in dated_backups(self.path)[BACKUP_GENERATIONS:]:
            with contextlib.suppress(OSError):
                os.unlink(old)

    def close(self) -> None:
        self._pending = None


LAYOUTS = ("indent", "lines")


def dump(data: dict[str, dict[str, Any]], layout: str = "indent") -> list[bytes]:
    """A TinyDB file's tables as the bytes written, in pieces to be written one after
    the other: indented (orjson's OPT_INDENT_2, one piece), or ``"lines"``, one
    document per line::

        {
        "works": {
        "lin2025/ref1":{"review":"lin2025","kind":"reference","n":1,...},
        "lin2025/ref2":{...}
        }
        }

    TypeError when some value is not JSON (orjson's message)."""
    if layout == "indent":
        return [orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)]
    # Our own framing around orjson's compact output (orjson has no such option): one
    # dumps() per document, written piece by piece (never joined: 150 MB at 100,000
    # works). The one-line documents make the file a third smaller than indented,
    # for the same cost.
    dumps = orjson.dumps
    out = [b"{"]
    for i, (name, table) in enumerate(data.items()):
        out.append(b",\n" if i else b"\n")
        if not isinstance(table, dict):  # not a table: written as it is
            out.append(dumps({name: table})[1:-1])
            continue
        # dumps({key: value})[1:-1]: orjson checks that each key is text
        out.append(dumps({name: 0})[1:-2] + b" {")
        if table:
            docs = [dumps({key: doc})[1:-1] for key, doc in table.items()]
            pieces = [b",\n"] * (2 * len(docs))
            pieces[0] = b"\n"
            pieces[1::2] = docs  # each document after its separator
            out += pieces
        out.append(b"\n}")
    out.append(b"\n}\n")
    return out


def check_shape(data: Any, path: Path) -> None:
    """A TinyDB file is {table: {doc_id: {field: value}}}; anything else is damage."""
    if not isinstance(data, dict):
        kind = type(data).__name__.replace("dict", "object").replace("list", "array")
        raise StoreError(
            f"{path} is not a readinglist database (it holds a JSON {kind}, "
            f"not an object of tables); it was left untouched"
        )
    for name, table in data.items():
        if not isinstance(table, dict) or not all(isinstance(d, dict) for d in table.values()):
            raise StoreError(
                f"{path} is damaged: table '{name}' is not an object of documents; "
                f"it was left untouched"
            )


class KeyedTable(Table):
    """A TinyDB table whose document ids are strings we choose (a work id, an ident).

    This gives O(1) look-ups by id (``get(doc_id=...)``, ``update(doc_ids=...)``)
    instead of scanning every document with a query.
    """

    document_id_class = str  # type: ignore[assignment]

    def _get_next_id(self):  # pragma: no cover - we always pass explicit ids
        raise TypeError("documents of a keyed table need an explicit doc_id")

    def _update_table(self, updater) -> None:
        """TinyDB's version copies the whole table twice per operation to turn
        string ids into ints and back; our ids are strings already, so this one
        edits the table in place and costs only what the operation touches (a
        mark at 100,000 states stays fast). On a failed write the storage drops
        its cache, so the in-place edit never outlives a write that did not happen.
        """
        tables = self._storage.read()
        if tables is None:
            tables = {}
        table = tables.setdefault(self.name, {})
        try:
            updater(table)
        except BaseException:
            invalidate = getattr(self._storage, "invalidate", None)
            if invalidate is not None:
                invalidate()  # the table may be half edited: read the file again
            raise
        self._storage.write(tables)
        self.clear_cache()


class KeyedDB(TinyDB):
    table_class = KeyedTable

    @property
    def storage(self) -> OrjsonStorage:  # type: ignore[override]
        return self._storage  # type: ignore[return-value]


def open_db(path: str | Path, *, mode_from: Path | None = None, layout: str = "indent") -> KeyedDB:
    return KeyedDB(path, storage=OrjsonStorage, mode_from=mode_from, layout=layout)


class AppendLog:
    """A JSON-lines log of changes kept next to a TinyDB file (our own code: TinyDB
    has no append-only storage).

    Rewriting a 10 MB state file for each mark costs ~100 ms; appending one line
    and fsyncing it costs about what a tiny file does. The owner folds the log into
    its TinyDB file now and then ("compaction") and then removes the log.

    The first line is a header ``{"log": token}``; the TinyDB file records the
    token of a log it has absorbed, so a log left behind by a crash between
    compaction and removal is recognised and never replayed over newer data.
    The entries' shape is `tui.diskformat`'s (`is_entry`).
    A last line without its newline (a crash mid-append) is ignored and cut off
    before the next append; any other bad line is damage (StoreError). A new log
    appears whole (written to a temporary file, then renamed), so an empty log is
    damage too.
    """

    def __init__(self, path: str | Path, *, mode_from: Path | None = None) -> None:
        self.path = Path(path)
        self.mode_from = mode_from  # the library file whose permission bits the log takes
        self.pos = 0  # bytes of complete lines read or written
        self.token = ""  # token of the log at self.path ("" when there is none)
        self.signature: Signature | None = None

    def changed_on_disk(self) -> bool:
        return file_signature(self.path) != self.signature

    def forget(self) -> None:
        """Read from the start next time."""
        self.pos = 0
        self.token = ""
        self.signature = None

    def read_new(self) -> tuple[list[dict], bool]:
        """Entries added since the last read; True when the log restarted from 0."""
        signature = file_signature(self.path)
        if signature is None:
            restarted = bool(self.pos or self.token)
            self.forget()
            return [], restarted
        old = self.signature
        restarted = old is None or signature[:2] != old[:2] or signature[2] < self.pos
        start = 0 if restarted else self.pos
        if signature[2] == 0:
            raise StoreError(f"{self.path} is empty (0 bytes); it was left untouched")
        raw = read_regular(self.path, offset=start)
        if raw is None:
            self.forget()
            return [], True
        cut = raw.rfind(b"\n") + 1  # a torn last line is not read
        lines = raw[:cut].splitlines()
        if restarted:
            self.token = ""
        entries: list[dict] = []
        for i, line in enumerate(lines):
            try:
                item = orjson.loads(line)
            except orjson.JSONDecodeError:
                item = None
            if start == 0 and i == 0:
                if not isinstance(item, dict) or not isinstance(item.get("log"), str):
                    raise StoreError(
                        f"{self.path} is damaged (no header line); it was left untouched"
                    )
                self.token = item["log"]
                continue
            if not is_entry(item):
                raise StoreError(
                    f"{self.path} is damaged (entry at byte {start + sum(len(x) + 1 for x in lines[:i])} "
                    f"is not a change); it was left untouched"
                )
            entries.append(item)
        self.pos = start + cut
        self.signature = signature
        return entries, restarted

    def append(self, entries: list[dict]) -> None:
        """Append entries durably (the caller holds the lock and has just read)."""
        payload = b"".join(orjson.dumps(e) + b"\n" for e in entries)  # TypeError: caller's
        header = b""
        token = self.token
        if self.pos == 0:
            token = os.urandom(8).hex()  # secrets.token_hex(8) (see fsutil.temp_name)
            header = orjson.dumps({"log": token}) + b"\n"
        if self.pos == 0:
            self._create(header + payload)
            self.token = token
            return
        try:
            fd = os.open(
                self.path,
                os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0),
            )
        except OSError as exc:
            raise StoreError(f"cannot write {self.path}: {_why(exc)}") from None
        try:
            try:
                if os.fstat(fd).st_size != self.pos:
                    os.ftruncate(fd, self.pos)  # drop a line torn by a crash
                os.lseek(fd, self.pos, os.SEEK_SET)
                data = memoryview(header + payload)
                while data:
                    data = data[os.write(fd, data) :]
                os.fsync(fd)
            except OSError as exc:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, self.pos)
                raise StoreError(
                    f"cannot write {self.path}: {_why(exc)} (nothing was changed)"
                ) from None
        finally:
            os.close(fd)
        self.pos += len(header) + len(payload)
        self.token = token
        self.signature = file_signature(self.path)

    def _create(self, data: bytes) -> None:
        """A new log, header and first entries at once (never an empty file)."""
        tmp = None
        try:
            ensure_parent(self.path)
            tmp = write_temp(self.path, data, mode_of(self.mode_from))
            os.replace(tmp, self.path)
            tmp = None
        except OSError as exc:
            raise StoreError(
                f"cannot write {self.path}: {_why(exc)} (nothing was changed)"
            ) from None
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        with contextlib.suppress(OSError):
            fsync_dir(self.path.parent, strict=True)
        self.pos = len(data)
        self.signature = file_signature(self.path)

    def remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
            fsync_dir(self.path.parent, strict=True)
        self.forget()
