"""A derived, disposable copy of a library file that opens fast: ``library.json.cache``.

``library.json`` (TinyDB, indented JSON) stays the one source of truth: every write
goes to it first. Parsing it whole costs seconds at 100,000 works, so beside it we keep
a binary copy (`cache_path_for`: the library's whole file name + ``.cache``, which no
other library's side file can be named) from which a command that needs one work reads
only a small index and that work:

* a fixed-size **prelude**: magic bytes, a tag (cache layout, ``marshal.version``, the
  Python version, the byte order, the library file format and readinglist's version),
  the sizes of the three regions below, the CRC-32 of the index, and the **signature**
  of the library file it was made from (`tui.storage.file_signature`: device, inode,
  size, mtime, ctime);
* the **index** (one ``marshal`` blob, read with one read): the reviews' stored
  documents in import order, how many works each has, and per work in list order (the
  reviews in import order, each review's works as `tui.diskformat.work_order` sorts
  them) its id, kind, number, citation key and ident, plus where its document is and
  the document's CRC-32;
* the **documents**: each work's stored document exactly as ``library.json`` holds it,
  ``marshal``-ed one by one, so one work is one ``pread``;
* **derived sections** (optional): values computed from one review's works (the rows
  of ``list --json``, the proper nouns GB/T learns from titles), added the first time a
  command asks for them and dropped whenever the library file changes.

``marshal`` rather than JSON or pickle: it is the fastest (de)serialiser in the
standard library for plain dicts, lists and strings, it cannot run code, and its
format is tied to the Python version, which the tag checks.

A cache is used only when its prelude, tag and index are intact and its signature is
the library file's current one; anything else (stale, truncated, damaged, foreign, of
another Python) is ignored, never reported: the caller parses ``library.json`` and
writes a new cache. A document whose CRC does not match raises `CacheDamaged`, after
which the caller does the same. Deleting the cache loses nothing.

Written atomically (a new file under an unpredictable O_EXCL|O_NOFOLLOW name, then a
rename), with the library's permission bits, and NOT fsynced: a cache torn by a crash
or power loss is caught by its sizes and CRCs and rebuilt, so it is not worth an fsync
of 100 MB on every import. A folder we may not write simply means no cache.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import stat
import struct
import sys
import zlib
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui import __version__
from tui import diskformat as fmt
from tui.diskformat import order_of
from tui.fsutil import create_exclusive, temp_name
from tui.model import KIND_PREFIX, work_ident
from tui.storage import Signature

__all__ = [
    "CACHE_VERSION",
    "CacheDamaged",
    "CacheReader",
    "Index",
    "add_section",
    "build",
    "cache_path_for",
    "open_reader",
    "write",
]

CACHE_VERSION = 1  # raise it whenever the layout below changes
MAGIC = b"RLCACHE\x00"


def _tag() -> bytes:
    """Everything a cache depends on besides the library file itself: a cache made by
    another Python (marshal's format), machine (the arrays' byte order), library file
    format or readinglist version (the derived sections) is simply not used."""
    return (
        f"v{CACHE_VERSION} {sys.implementation.cache_tag} m{marshal.version} "
        f"{sys.byteorder} f{fmt.FORMAT_VERSION} {__version__}"
    ).encode()[:64]


# magic, tag, index/documents/derived sizes, index CRC, library signature
_PRELUDE = struct.Struct("<8s64sQQQI4xQQqqq")
_READ_LIMIT = 1 << 31  # no region of a cache we wrote comes near this

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class CacheDamaged(Exception):
    """A document or section of a cache that looked sound is not (a torn write)."""


def cache_path_for(path: Path) -> Path:
    """``library.json`` -> ``library.json.cache``: from the whole file name, so two
    libraries never share one, and none of a library's other side files (state, log,
    lock, backups) ends in ``.cache``."""
    return path.with_name(path.name + ".cache")


# --------------------------------------------------------------------------- building


COLUMNS = ("kinds", "ns", "keys", "idents")  # per work, in list order


class Index:
    """What a cache's index holds (and what `build` makes from a library's tables).

    ``reviews``: (key, stored document) in import order; ``counts``: the number of
    works of each; the per-work `COLUMNS` (kind, number, citation key, ident) are in
    list order, review after review, each decoded the first time it is asked for
    (`column`): finding one work by its id needs only kinds and numbers.
    """

    def __init__(
        self,
        reviews: list[tuple[str, dict]],
        counts: list[int],
        columns: dict[str, list | bytes],
        offsets: array,
        crcs: array,
        derived: dict[str, tuple[int, int, int]] | None = None,
    ) -> None:
        self.reviews = reviews
        self.counts = counts
        self._columns = columns
        self.offsets = offsets  # where each document starts in the documents (n + 1)
        self.crcs = crcs  # each document's CRC-32
        self.derived = derived or {}  # name -> (offset in the derived region, size, CRC)
        self.size = sum(counts)

    def column(self, name: str) -> list:
        """One per-work column, all works (CacheDamaged if it does not decode whole)."""
        value = self._columns[name]
        if isinstance(value, bytes):
            try:
                value = marshal.loads(value)
            except (ValueError, EOFError, TypeError) as exc:
                raise CacheDamaged(f"column {name}: {exc}") from None
            if not isinstance(value, list) or len(value) != self.size:
                raise CacheDamaged(f"column {name}")
            self._columns[name] = value
        return value

    def starts(self) -> list[int]:
        """Where each review's works begin in the columns (and the end, last)."""
        out = [0]
        for c in self.counts:
            out.append(out[-1] + c)
        return out

    def to_bytes(self) -> bytes:
        columns = {
            name: v if isinstance(v, bytes) else marshal.dumps(v)
            for name, v in self._columns.items()
        }
        return marshal.dumps(
            (
                self.reviews,
                self.counts,
                columns,
                self.offsets.tobytes(),
                self.crcs.tobytes(),
                self.derived,
            )
        )

    @classmethod
    def from_bytes(cls, raw: bytes) -> Index:
        """ValueError (or another error the caller catches) unless `raw` is an index."""
        reviews, counts, columns, offsets, crcs, derived = marshal.loads(raw)
        index = cls(reviews, counts, columns, array("Q"), array("I"), derived)
        index.offsets.frombytes(offsets)
        index.crcs.frombytes(crcs)
        n = index.size
        if not (
            isinstance(reviews, list)
            and all(isinstance(r, tuple) and len(r) == 2 for r in reviews)
            and len(counts) == len(reviews)
            and set(columns) == set(COLUMNS)
            and len(index.crcs) == n
            and len(index.offsets) == n + 1
            and isinstance(derived, dict)
        ):
            raise ValueError("inconsistent index")
        return index


@dataclass
class Built:
    """A cache ready to write: its index and its work documents, marshal-ed."""

    index: Index
    blobs: list[bytes]


def _seq(doc: dict) -> int:
    seq = doc.get("seq", 0)  # as tui.diskformat.review_from_doc reads it
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else 0


def build(tables: dict[str, dict[str, Any]]) -> Built:
    """The cache of a library file's parsed tables (already checked by the loader).

    The order is `tui.storefiles.LibraryFile`'s: reviews by import order, works of each
    review in the order the file holds them, then sorted (stably) by `work_order`.
    Raises (KeyError, TypeError, ...) on data the loader would not have accepted.
    """
    reviews = sorted(tables.get("reviews", {}).items(), key=lambda kv: _seq(kv[1]))
    groups: dict[str, list[tuple[tuple, str, str, int, dict]]] = {k: [] for k, _ in reviews}
    for doc in tables.get("works", {}).values():
        review, kind, n = doc.get("review", ""), doc.get("kind", "reference"), doc.get("n", 0)
        groups[review].append((order_of(kind, n), review, kind, n, doc))
    counts: list[int] = []
    kinds: list[str] = []
    ns: list[int] = []
    keys: list[str] = []
    idents: list[str] = []
    blobs: list[bytes] = []
    offsets, crcs = array("Q", [0]), array("I")
    at = 0
    dumps, crc32, intern = marshal.dumps, zlib.crc32, sys.intern
    for key, _ in reviews:
        works = groups[key]
        works.sort(key=lambda t: t[0])
        counts.append(len(works))
        for _, review, kind, n, doc in works:
            kinds.append(intern(kind))  # one string in the cache, not one per work
            ns.append(n)
            keys.append(doc.get("key", ""))
            wid = f"{review}/{KIND_PREFIX.get(kind, kind)}{n}"
            idents.append(work_ident(doc.get("doi", ""), doc.get("pmid", ""), wid))
            blob = dumps(doc)
            blobs.append(blob)
            at += len(blob)
            offsets.append(at)
            crcs.append(crc32(blob))
    columns = {"kinds": kinds, "ns": ns, "keys": keys, "idents": idents}
    index = Index(list(reviews), counts, columns, offsets, crcs)
    return Built(index, blobs)


# --------------------------------------------------------------------------- writing


def _prelude(index_raw: bytes, docs_len: int, derived_len: int, signature: Signature) -> bytes:
    return _PRELUDE.pack(
        MAGIC,
        _tag(),
        len(index_raw),
        docs_len,
        derived_len,
        zlib.crc32(index_raw),
        *signature,
    )


def _write_file(
    path: Path, mode: int | None, chunks: Iterable[bytes | Callable[[int], None]]
) -> bool:
    """Write `chunks` (bytes, or a function given the fd that writes its part) to a new
    file and rename it to `path`. False (and nothing left behind) when that fails.

    No fsync: see the module doc."""
    tmp = temp_name(path)
    try:
        fd = create_exclusive(tmp, 0o666 if mode is None else mode & 0o777)
    except OSError:
        return False
    try:
        try:
            if mode is not None:
                with contextlib.suppress(OSError):
                    os.fchmod(fd, mode & 0o777)
            for chunk in chunks:
                if callable(chunk):
                    chunk(fd)
                else:
                    _write_all(fd, chunk)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        return True
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write(path: Path, signature: Signature, built: Built, mode: int | None) -> bool:
    """Write the cache of the library version `signature` (True when it was written)."""
    index = built.index
    index.derived = {}
    index_raw = index.to_bytes()
    docs_len = index.offsets[-1]

    def docs(fd: int) -> None:
        # in slices of a few MB: one join of every document would double the memory
        step = 4096
        for i in range(0, len(built.blobs), step):
            _write_all(fd, b"".join(built.blobs[i : i + step]))

    return _write_file(path, mode, [_prelude(index_raw, docs_len, 0, signature), index_raw, docs])


def add_section(path: Path, signature: Signature, name: str, value: Any, mode: int | None) -> bool:
    """Add the derived section `name` to the cache of library version `signature`
    (True when done): a new file with the same index and documents (copied, not
    re-encoded), the sections it had and this one."""
    reader = open_reader(path, signature)
    if reader is None:
        return False
    try:
        raw = marshal.dumps(value)
        index = reader.index
        base = reader.derived_len
        index.derived = {**index.derived, name: (base, len(raw), zlib.crc32(raw))}
        index_raw = index.to_bytes()
        start = reader.docs_start

        def copy(fd: int) -> None:
            left, at = reader.docs_len + base, start
            while left:
                chunk = os.pread(reader.fd, min(left, 1 << 23), at)
                if not chunk:
                    raise OSError("the cache was cut short while it was copied")
                _write_all(fd, chunk)
                left -= len(chunk)
                at += len(chunk)

        prelude = _prelude(index_raw, reader.docs_len, base + len(raw), signature)
        return _write_file(path, mode, [prelude, index_raw, copy, raw])
    except (OSError, ValueError, TypeError):
        return False
    finally:
        reader.close()


# --------------------------------------------------------------------------- reading


class CacheReader:
    """An open cache whose index is loaded; documents are read on demand (`docs`).

    Holds the file open: once its index is read, a cache replaced on disk by a newer
    one is still read from the version that index describes.
    """

    def __init__(self, fd: int, index: Index, docs_start: int, docs_len: int, derived_len: int):
        self.fd = fd
        self.index = index
        self.docs_start = docs_start
        self.docs_len = docs_len
        self.derived_len = derived_len

    def close(self) -> None:
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1

    def __del__(self) -> None:
        self.close()

    def docs(self, start: int, stop: int, keep: Sequence[bool] | None = None) -> list[dict | None]:
        """The stored documents of works start..stop-1 (one read); with `keep`, only
        those whose keep[i - start] is true (the others are None). CacheDamaged when
        one is not what the index says."""
        index = self.index
        offsets, crcs = index.offsets, index.crcs
        base = offsets[start]
        try:
            raw = os.pread(self.fd, offsets[stop] - base, self.docs_start + base)
        except (OSError, OverflowError, ValueError) as exc:
            raise CacheDamaged(str(exc)) from None
        if len(raw) != offsets[stop] - base:
            raise CacheDamaged("cut short")
        view = memoryview(raw)
        out: list[dict | None] = []
        loads, crc32 = marshal.loads, zlib.crc32
        for i in range(start, stop):
            if keep is not None and not keep[i - start]:
                out.append(None)
                continue
            blob = view[offsets[i] - base : offsets[i + 1] - base]
            if crc32(blob) != crcs[i]:
                raise CacheDamaged(f"work {i}")
            try:
                doc = loads(blob)
            except (ValueError, EOFError, TypeError) as exc:
                raise CacheDamaged(f"work {i}: {exc}") from None
            if not isinstance(doc, dict):
                raise CacheDamaged(f"work {i}")
            out.append(doc)
        return out

    def section(self, name: str) -> Any:
        """A derived section's value, or None when the cache has none of that name."""
        where = self.index.derived.get(name)
        if where is None:
            return None
        offset, size, crc = where
        try:
            raw = os.pread(self.fd, size, self.docs_start + self.docs_len + offset)
            if len(raw) != size or zlib.crc32(raw) != crc:
                return None
            return marshal.loads(raw)
        except (OSError, ValueError, EOFError, TypeError, OverflowError):
            return None


def open_reader(path: Path, signature: Signature | None) -> CacheReader | None:
    """The cache at `path` if it is intact and made from library version `signature`;
    else None (whatever is wrong with it: it is only a cache)."""
    if signature is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _BINARY)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size < _PRELUDE.size:
            raise ValueError("not a cache")
        head = os.pread(fd, _PRELUDE.size, 0)
        magic, tag, index_len, docs_len, derived_len, crc, *sig = _PRELUDE.unpack(head)
        if magic != MAGIC or tag.rstrip(b"\0") != _tag() or tuple(sig) != tuple(signature):
            raise ValueError("another version")
        if _PRELUDE.size + index_len + docs_len + derived_len != st.st_size:
            raise ValueError("cut short or grown")
        if max(index_len, docs_len, derived_len) > _READ_LIMIT:
            raise ValueError("too big")
        raw = os.pread(fd, index_len, _PRELUDE.size)
        if len(raw) != index_len or zlib.crc32(raw) != crc:
            raise ValueError("damaged index")
        index = Index.from_bytes(raw)
        index.column("kinds")  # every use needs these two: decoded (and checked) now
        index.column("ns")
        if index.offsets[0] != 0 or index.offsets[-1] != docs_len:
            raise ValueError("inconsistent index")
    except Exception:  # noqa: BLE001 - any damage at all means: no cache
        os.close(fd)
        return None
    return CacheReader(fd, index, _PRELUDE.size + index_len, docs_len, derived_len)
