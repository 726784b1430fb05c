"""A derived, disposable copy of a library file that opens fast: ``library.json.cache``.

``library.json`` (TinyDB, indented JSON) stays the one source of truth: every write
goes to it first. Parsing it whole costs seconds at 100,000 works, so beside it we keep
a binary copy (`cache_path_for`: the library's whole file name + ``.cache``, which no
other library's side file can be named) from which a command that needs one work reads
only a small index and that work:

* a fixed-size **prelude**: magic bytes, a tag (cache layout, ``marshal.version``, the
  Python version, the byte order, the library file format and readinglist's version),
  the sizes of the four regions below, the CRC-32 of the head, and the **signature**
  of the library file it was made from (`tui.storage.file_signature`: device, inode,
  size, mtime, ctime);
* the **head** (one ``marshal`` blob, read and checked with one read): the reviews'
  stored documents in import order, how many works each has, where each column and
  each work's document is, and their CRC-32s;
* the **columns**, one ``marshal`` blob each, per work in list order (the reviews in
  import order, each review's works as `tui.diskformat.work_order` sorts them): kind,
  number, citation key, ident and title, each read the first time it is needed
  (finding a work by its id needs kinds and numbers only);
* the **documents**: each work's stored document exactly as ``library.json`` holds it,
  ``marshal``-ed one by one, so one work is one ``pread``;
* **derived sections** (optional): values computed from one review's works (the rows
  of ``list --json``, the proper nouns GB/T learns from titles), added the first time a
  command asks for them and dropped whenever the library file changes.

``marshal`` rather than JSON or pickle: it is the fastest (de)serialiser in the
standard library for plain dicts, lists and strings, it cannot run code, and its
format is tied to the Python version, which the tag checks.

A cache is used only when its prelude, tag and head are intact and its signature is
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
from collections.abc import Callable, Sequence
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
    "is_current",
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


# magic, tag, the sizes of the head, columns, documents and derived sections, the
# head's CRC, the library file's signature
_PRELUDE = struct.Struct("<8s64sQQQQI4xQQqqq")

# reading one work means os.pread (POSIX); elsewhere there is simply no cache
SUPPORTED = hasattr(os, "pread")
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

# per work, in list order; each is decoded the first time it is asked for
COLUMNS = ("kinds", "ns", "keys", "idents", "titles")


class Index:
    """The head of a cache: what is read (and checked) whenever a cache is opened.

    ``reviews``: (key, stored document) in import order; ``counts``: the number of works
    of each; ``columns``: where each of `COLUMNS` is (offset in the columns region, size,
    CRC); ``offsets``/``crcs``: where each work's document is in the documents region
    (n + 1 offsets) and its CRC; ``derived``: the derived sections (offset in their
    region, size, CRC).
    """

    def __init__(
        self,
        reviews: list[tuple[str, dict]],
        counts: list[int],
        columns: dict[str, tuple[int, int, int]],
        offsets: array,
        crcs: array,
        derived: dict[str, tuple[int, int, int]],
    ) -> None:
        self.reviews = reviews
        self.counts = counts
        self.columns = columns
        self.offsets = offsets
        self.crcs = crcs
        self.derived = derived
        self.size = sum(counts)

    def starts(self) -> list[int]:
        """Where each review's works begin in the columns (and the end, last)."""
        out = [0]
        for c in self.counts:
            out.append(out[-1] + c)
        return out

    def to_bytes(self) -> bytes:
        return marshal.dumps(
            (
                self.reviews,
                self.counts,
                self.columns,
                self.offsets.tobytes(),
                self.crcs.tobytes(),
                self.derived,
            )
        )

    @classmethod
    def from_bytes(cls, raw: bytes) -> Index:
        """ValueError (or another error the caller catches) unless `raw` is a head."""
        reviews, counts, columns, offsets, crcs, derived = marshal.loads(raw)
        index = cls(reviews, counts, columns, array("Q"), array("I"), derived)
        index.offsets.frombytes(offsets)
        index.crcs.frombytes(crcs)
        n = index.size
        if not (
            isinstance(reviews, list)
            and all(isinstance(r, tuple) and len(r) == 2 for r in reviews)
            and len(counts) == len(reviews)
            and isinstance(columns, dict)
            and set(columns) == set(COLUMNS)
            and isinstance(derived, dict)
            and len(index.crcs) == n
            and len(index.offsets) == n + 1
        ):
            raise ValueError("inconsistent head")
        return index


def _table(blobs: dict[str, bytes]) -> tuple[dict[str, tuple[int, int, int]], int]:
    """Where each blob goes when they are written one after the other; their total size."""
    table, at = {}, 0
    for name, raw in blobs.items():
        table[name] = (at, len(raw), zlib.crc32(raw))
        at += len(raw)
    return table, at


@dataclass
class Built:
    """A cache ready to write: its head, its columns and its documents, marshal-ed."""

    index: Index
    columns: dict[str, bytes]
    blobs: list[bytes]


def _seq(doc: dict) -> int:
    seq = doc.get("seq", 0)  # as tui.diskformat.review_from_doc reads it
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else 0


# a document's flat fields and the record's variables that most often hold the same text
_SHARED = (("title", "title"), ("journal", "container-title"), ("volume", "volume"),
           ("issue", "issue"), ("doi", "DOI"), ("publisher", "publisher"))  # fmt: skip


def _shared(doc: dict) -> dict:
    """`doc` with each text of its record (`csl`) that equals its flat field (title,
    journal, volume, issue, DOI, publisher; and the source's language in `extra`) made
    that same string, so that marshal writes it once and then a reference: a document
    parsed from library.json or made by an importer holds them as separate strings (at
    100,000 works 139 MB of documents instead of 124 MB, and 0.5 million strings more to
    make on every load). The values are equal, so `doc` stays what it was. (Only when
    the cache is rebuilt from the parsed file: see `build`.)"""
    csl = doc.get("csl")
    if type(csl) is not dict or not csl:
        return doc
    get = csl.get
    for flat, var in _SHARED:
        value = doc.get(flat)
        if value and type(value) is str:
            other = get(var)
            if other is not value and other == value:
                csl[var] = value  # (an equal value: the dict keeps its size and order)
    extra = doc.get("extra")
    if type(extra) is dict:
        value = extra.get("language")
        other = get("language")
        if value and other is not value and other == value and type(value) is str:
            csl["language"] = value
    return doc


def build(tables: dict[str, dict[str, Any]], *, share: bool = False) -> Built:
    """The cache of a library file's parsed tables (already checked by the loader).

    The order is `tui.storefiles.LibraryFile`'s: reviews by import order, works of each
    review in the order the file holds them, then sorted (stably) by `work_order`.
    Raises (KeyError, TypeError, ...) on data the loader would not have accepted.
    ``share``: the documents' repeated texts are written once (`_shared`), for tables
    parsed from the file, which is slow anyway; an import or another write is not made
    slower by it (0.2 s at 100,000 works).
    """
    reviews = sorted(tables.get("reviews", {}).items(), key=lambda kv: _seq(kv[1]))
    groups: dict[str, list[tuple[tuple, str, str, int, dict]]] = {k: [] for k, _ in reviews}
    for doc in tables.get("works", {}).values():
        review, kind, n = doc.get("review", ""), doc.get("kind", "reference"), doc.get("n", 0)
        groups[review].append((order_of(kind, n), review, kind, n, doc))
    counts: list[int] = []
    columns: dict[str, list] = {name: [] for name in COLUMNS}
    kinds, ns, keys, idents, titles = (columns[name] for name in COLUMNS)
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
            titles.append(doc.get("title", ""))
            blob = dumps(_shared(doc) if share else doc)
            blobs.append(blob)
            at += len(blob)
            offsets.append(at)
            crcs.append(crc32(blob))
    raw = {name: marshal.dumps(column) for name, column in columns.items()}
    table, _ = _table(raw)
    return Built(Index(list(reviews), counts, table, offsets, crcs, {}), raw, blobs)


# --------------------------------------------------------------------------- writing


def _prelude(
    head: bytes, columns_len: int, docs_len: int, derived_len: int, signature: Signature
) -> bytes:
    return _PRELUDE.pack(
        MAGIC,
        _tag(),
        len(head),
        columns_len,
        docs_len,
        derived_len,
        zlib.crc32(head),
        *signature,
    )


def _write_file(path: Path, mode: int | None, chunks: list[bytes | Callable[[int], None]]) -> bool:
    """Write `chunks` (bytes, or a function given the fd that writes its part) to a new
    file and rename it to `path`. False (and nothing left behind) when that fails.

    No fsync: see the module doc."""
    if not SUPPORTED:
        return False
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
    head = built.index.to_bytes()
    columns = b"".join(built.columns.values())

    def docs(fd: int) -> None:
        # in slices of a few MB: one join of every document would double the memory
        step = 4096
        for i in range(0, len(built.blobs), step):
            _write_all(fd, b"".join(built.blobs[i : i + step]))

    docs_len = built.index.offsets[-1]
    prelude = _prelude(head, len(columns), docs_len, 0, signature)
    return _write_file(path, mode, [prelude, head, columns, docs])


def add_section(path: Path, signature: Signature, name: str, value: Any, mode: int | None) -> bool:
    """Add the derived section `name` to the cache of library version `signature`
    (True when done): a new file with the same columns and documents (copied, not
    re-encoded), the sections it had and this one."""
    reader = open_reader(path, signature)
    if reader is None:
        return False
    try:
        raw = marshal.dumps(value)
        index = reader.index
        base = reader.derived_len
        index.derived = {**index.derived, name: (base, len(raw), zlib.crc32(raw))}
        head = index.to_bytes()

        def copy(fd: int) -> None:  # columns, documents and the sections there were
            left, at = reader.columns_len + reader.docs_len + base, reader.columns_start
            while left:
                chunk = os.pread(reader.fd, min(left, 1 << 23), at)
                if not chunk:
                    raise OSError("the cache was cut short while it was copied")
                _write_all(fd, chunk)
                left -= len(chunk)
                at += len(chunk)

        prelude = _prelude(head, reader.columns_len, reader.docs_len, base + len(raw), signature)
        return _write_file(path, mode, [prelude, head, copy, raw])
    except (OSError, ValueError, TypeError):
        return False
    finally:
        reader.close()


# --------------------------------------------------------------------------- reading


class CacheReader:
    """An open cache whose head is read; columns, documents and sections are read on
    demand.

    Holds the file open: once its head is read, a cache replaced on disk by a newer
    one is still read from the version that head describes.
    """

    def __init__(self, fd: int, index: Index, columns_start: int, lengths: tuple[int, int, int]):
        self.fd = fd
        self.index = index
        self.columns_start = columns_start
        self.columns_len, self.docs_len, self.derived_len = lengths
        self.docs_start = columns_start + self.columns_len
        self._columns: dict[str, list] = {}

    def close(self) -> None:
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1

    def __del__(self) -> None:
        self.close()

    def _read(self, start: int, size: int, crc: int | None = None) -> bytes:
        try:
            raw = os.pread(self.fd, size, start)
        except (OSError, OverflowError, ValueError) as exc:
            raise CacheDamaged(str(exc)) from None
        if len(raw) != size or (crc is not None and zlib.crc32(raw) != crc):
            raise CacheDamaged("cut short or changed")
        return raw

    def column(self, name: str) -> list:
        """One of `COLUMNS`, for every work (CacheDamaged when it is not whole)."""
        found = self._columns.get(name)
        if found is None:
            offset, size, crc = self.index.columns[name]
            raw = self._read(self.columns_start + offset, size, crc)
            try:
                found = marshal.loads(raw)
            except (ValueError, EOFError, TypeError) as exc:
                raise CacheDamaged(f"column {name}: {exc}") from None
            if not isinstance(found, list) or len(found) != self.index.size:
                raise CacheDamaged(f"column {name}")
            self._columns[name] = found
        return found

    def docs(self, start: int, stop: int, keep: Sequence[bool] | None = None) -> list[dict | None]:
        """The stored documents of works start..stop-1 (one read); with `keep`, only
        those whose keep[i - start] is true (the others are None). CacheDamaged when
        one is not what the index says."""
        offsets, crcs = self.index.offsets, self.index.crcs
        base = offsets[start]
        view = memoryview(self._read(self.docs_start + base, offsets[stop] - base))
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
            return marshal.loads(self._read(self.docs_start + self.docs_len + offset, size, crc))
        except (CacheDamaged, ValueError, EOFError, TypeError):
            return None


def is_current(path: Path, signature: Signature | None) -> bool:
    """Whether the cache at `path` says it was made from library version `signature`
    (its prelude only: one small read; `open_reader` checks the rest)."""
    if signature is None or not SUPPORTED:
        return False
    try:
        with open(path, "rb", buffering=0) as f:
            prelude = f.read(_PRELUDE.size)
        magic, tag, *_, s1, s2, s3, s4, s5 = _PRELUDE.unpack(prelude)
    except (OSError, struct.error):
        return False
    return magic == MAGIC and tag.rstrip(b"\0") == _tag() and (s1, s2, s3, s4, s5) == signature


def open_reader(path: Path, signature: Signature | None) -> CacheReader | None:
    """The cache at `path` if it is intact and made from library version `signature`;
    else None (whatever is wrong with it: it is only a cache)."""
    if signature is None or not SUPPORTED:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _BINARY)
    except OSError:
        return None
    reader = None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size < _PRELUDE.size:
            raise ValueError("not a cache")
        prelude = os.pread(fd, _PRELUDE.size, 0)
        magic, tag, head_len, *lengths, crc, s1, s2, s3, s4, s5 = _PRELUDE.unpack(prelude)
        if magic != MAGIC or tag.rstrip(b"\0") != _tag() or (s1, s2, s3, s4, s5) != signature:
            raise ValueError("another version")
        if _PRELUDE.size + head_len + sum(lengths) != st.st_size:
            raise ValueError("cut short or grown")
        raw = os.pread(fd, head_len, _PRELUDE.size)
        if len(raw) != head_len or zlib.crc32(raw) != crc:
            raise ValueError("damaged head")
        index = Index.from_bytes(raw)
        columns_len, docs_len, derived_len = lengths
        if index.offsets[0] != 0 or index.offsets[-1] != docs_len:
            raise ValueError("inconsistent head")
        for table, region in ((index.columns, columns_len), (index.derived, derived_len)):
            if any(o < 0 or n < 0 or o + n > region for o, n, _ in table.values()):
                raise ValueError("inconsistent head")
        reader = CacheReader(
            fd, index, _PRELUDE.size + head_len, (columns_len, docs_len, derived_len)
        )
        reader.column("kinds")  # every use needs these two: read (and checked) now
        reader.column("ns")
    except Exception:  # noqa: BLE001 - any damage at all means: no cache
        if reader is not None:
            reader.fd = -1  # closed here, once
        os.close(fd)
        return None
    return reader
