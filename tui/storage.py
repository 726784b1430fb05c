"""A TinyDB storage that is fast, atomic and honest about damaged files.

TinyDB's own JSONStorage re-reads and re-parses the whole file on every table
operation, rewrites it in place (a crash mid-write leaves half a file) and
writes ``\\uXXXX`` escapes for Chinese text. None of TinyDB's storages does atomic
writes, so this one is our own code (on top of TinyDB's ``Storage`` interface):

* orjson for parsing and writing (readable UTF-8, several times faster than json);
* the parsed data is cached and only re-read when the file's identity (inode,
  size, mtime, ctime) changes, i.e. when another process replaced it;
* writes go to a temporary file in the same directory, are flushed and fsynced,
  the current file is kept as ``<name>.bak`` (a hard link, so it costs nothing),
  then ``os.replace`` swaps the new file in and the directory is fsynced;
* ``batch()`` collects any number of TinyDB operations into one write;
* a file that is not what we wrote (truncated, not JSON, wrong shape) raises
  StoreError naming the file, and is never written over.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from tui.errors import StoreError

Signature = tuple[int, int, int, int, int]


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

    def __init__(self, path: str | Path, *, indent: bool = True) -> None:
        self.path = Path(path)
        self.backup_path = self.path.with_name(self.path.name + ".bak")
        self._options = orjson.OPT_INDENT_2 if indent else 0
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

    def release(self) -> None:
        """Drop the parsed data (the caller keeps what it built from it).

        The next read parses the file again; while the file is unchanged that
        does not count as a new generation.
        """
        if self._known and not self._batching:
            self._data = None
            self._released = True

    def _load(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"cannot read {self.path}: {_why(exc)}") from None
        if not raw.strip():
            return None  # an empty file is an empty database (e.g. `touch library.json`)
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            truncated = exc.pos >= len(raw.rstrip())  # it ended in the middle of a value
            what = "is truncated" if truncated else "is not valid JSON"
            hint = ""
            if self.backup_path.exists():
                hint = f"; the last good version is {self.backup_path.name}"
            raise StoreError(f"{self.path} {what} ({exc}); it was left untouched{hint}") from None
        check_shape(data, self.path)
        return data

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
            payload = orjson.dumps(data, option=self._options | orjson.OPT_APPEND_NEWLINE)
        except TypeError as exc:  # text that is not Unicode, numbers over 64 bits, objects
            self.invalidate()
            raise StoreError(
                f"cannot write {self.path}: some data cannot be stored as JSON ({exc}); "
                f"the file on disk was not changed"
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

    def _replace(self, payload: bytes) -> None:
        ensure_parent(self.path)
        directory = self.path.parent
        tmp = directory / f".{self.path.name}.{secrets.token_hex(6)}.tmp"
        # Not tempfile.mkstemp: its files are 0600 whatever the umask; the database
        # gets the usual permissions (or keeps the ones the user gave it).
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        try:
            with contextlib.suppress(OSError):
                os.chmod(tmp, os.stat(self.path).st_mode & 0o7777)
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            self._keep_backup()
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(directory)

    def _keep_backup(self) -> None:
        """Keep the current (last good) file as <name>.bak before replacing it.

        A hard link costs nothing whatever the file size; where links are not
        supported, a copy is made instead.
        """
        if not self.path.exists():
            return
        link = self.backup_path.with_name(f".{self.backup_path.name}.{os.getpid()}.tmp")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(link)
        try:
            try:
                os.link(self.path, link)
            except OSError:
                import shutil

                shutil.copy2(self.path, link)
            os.replace(link, self.backup_path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(link)
            raise

    def close(self) -> None:
        self._pending = None


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX); not possible on Windows."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


def open_db(path: str | Path) -> KeyedDB:
    return KeyedDB(path, storage=OrjsonStorage)
