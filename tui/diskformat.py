"""The library's on-disk format: what the files hold, apart from how they are written.

`tui.store` (which reads and writes the files) and `tui.doctor` (which checks and
recovers them) both speak the format through this module only, so there is one
definition of it:

* **meta**: each TinyDB file has a table ``meta`` with one document ``"db"``:
  ``{"format": FORMAT_VERSION, "schema": LIBRARY_SCHEMA | STATE_SCHEMA, "created":
  ...}`` and, in a state file that has folded a change log in, ``"absorbed"`` (the
  log's token, so a log left behind by a crash is never replayed); `check_meta`
  refuses a file of another schema or a newer format.
* **documents** (codecs between documents and `tui.model` objects): ``reviews``
  (document id = the review's key; ``Review.to_dict()`` plus its import order
  ``seq``), ``works`` (document id = ``Work.id``; ``Work.to_dict()`` without the
  fields left at their default), ``state`` (document id = ``Work.ident``; only
  non-default states), ``prefs`` (document id = the pref's name, ``{"value": ...}``).
  The codecs are generic over the dataclasses' fields, so a field added to `Work`
  is stored without a change here.
* **log entries** (one JSON line each in the change log, see `tui.storage.AppendLog`):
  ``{"t": "s", "id": ident, "v": state document or null}`` and ``{"t": "p", "id":
  name, "v": value}``.
* **migrations**: `MIGRATIONS` lists the steps ``(from_version, function)``; `migrate`
  runs the steps from a file's version up to FORMAT_VERSION. Format 0 is what came
  before the version was stored: ONE plain TinyDB file as TinyDB's own JSONStorage
  writes it, with TinyDB's counting document ids ("1", "2", ...): ``reviews`` (each
  document has its ``key``), ``works`` (each has ``review``, ``kind``, ``n``) and the
  reading state in TinyDB's ``_default`` table (or a ``state`` table): ``{"ident":
  "doi:...", "status": "read", "changed": ..., "note": ..., "tags": [...]}``;
  optionally ``prefs`` documents ``{"name": ..., "value": ...}``.

No I/O here: everything takes and returns the parsed data (``{table: {id: doc}}``).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tui.errors import StoreError
from tui.model import KINDS, ReadStatus, Review, State, Work

FORMAT_VERSION = 2  # 2: works carry their lossless record, `csl` (tui.mapping.upgrade)
LIBRARY_SCHEMA = "readinglist library"
STATE_SCHEMA = "readinglist state"
META_ID = "db"  # the one document of the ``meta`` table
STATUSES = tuple(s.value for s in ReadStatus)
LIBRARY_TABLES = ("reviews", "works")
STATE_TABLES = ("state", "prefs")

Tables = dict[str, dict[str, Any]]

__all__ = [
    "FORMAT_VERSION",
    "LIBRARY_SCHEMA",
    "META_ID",
    "MIGRATIONS",
    "STATE_SCHEMA",
    "STATUSES",
    "absorbed_token",
    "apply_entries",
    "check_meta",
    "is_ours",
    "format_of",
    "is_entry",
    "json_copy",
    "looks_like_format0",
    "migrate",
    "migrate_format0",
    "needs_migration",
    "new_meta",
    "now",
    "order_of",
    "pref_doc",
    "pref_entry",
    "review_doc",
    "review_from_doc",
    "state_doc",
    "state_entry",
    "state_from_doc",
    "work_doc",
    "work_from_doc",
    "work_order",
]


def now() -> str:
    """The time stamps the files hold (UTC, to the second)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --- meta --------------------------------------------------------------------


def new_meta(schema: str, **extra: Any) -> dict:
    """The meta document of a new file of `schema` (plus `extra` fields)."""
    return {"format": FORMAT_VERSION, "schema": schema, "created": now(), **extra}


def _meta(data: Tables | None) -> dict | None:
    meta = (data or {}).get("meta", {}).get(META_ID)
    return meta if isinstance(meta, dict) else None


def format_of(data: Tables | None) -> int | None:
    """The format version a file's data says it has: None for no data or no meta
    (format 0 or not ours: `looks_like_format0` tells), or whatever is stored."""
    meta = _meta(data)
    return None if meta is None else meta.get("format")


def is_ours(data: Tables | None) -> bool:
    """Whether parsed data is a file readinglist wrote: it has a meta document, or it
    is a format-0 file. Anything else is never kept as a backup."""
    return _meta(data) is not None or looks_like_format0(data)


def absorbed_token(data: Tables | None) -> str | None:
    """The token of the change log a state file has folded in (None if none)."""
    meta = _meta(data)
    return None if meta is None else meta.get("absorbed")


def check_meta(data: Tables | None, path: Path, schema: str) -> None:
    """StoreError naming `path` unless `data` is a file of `schema` this version reads
    (None, no file yet, passes).

    Every file we write has its meta document from its first write on, so a file
    without one - even ``{}`` or the ``{"_default": {}}`` of a plain TinyDB - is not
    a new, empty library but damage (or someone else's file): taking it as empty
    would fill it anew and rotate it over the last good backup. A format-0 file is
    converted before this is asked (`needs_migration`)."""
    if data is None:
        return
    meta = _meta(data)
    if meta is None:
        what = "it has no format version" if data else "it holds no tables"
        raise StoreError(f"{path} is not a readinglist database ({what}); it was left untouched")
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


# --- documents ---------------------------------------------------------------

_WORK_DEFAULTS = Work().to_dict()
_KIND_ORDER = {k: i for i, k in enumerate(KINDS)}
# the fields work_doc stores when they are not at their default (review, kind and n
# always), read with one attrgetter call instead of a getattr per field
_DOC_FIELDS = tuple(name for name in _WORK_DEFAULTS if name not in ("review", "kind", "n"))
_DOC_DEFAULTS = tuple(_WORK_DEFAULTS[name] for name in _DOC_FIELDS)
_doc_values = operator.attrgetter(*_DOC_FIELDS)


def work_order(w: Work) -> tuple:
    """How the works of one review are listed: references, then related, by number."""
    return (_KIND_ORDER.get(w.kind, len(KINDS)), w.kind, w.n)


def order_of(kind: str, n: int) -> tuple:
    """`work_order` of a work of `kind` numbered `n` (from a stored document's fields)."""
    return (_KIND_ORDER.get(kind, len(KINDS)), kind, n)


def work_doc(w: Work, *, copy: bool = True) -> dict:
    """A work as stored: Work.to_dict() without the fields left at their default.

    Most works leave a dozen fields empty; not storing them makes the file about
    a third smaller and faster to load. `work_from_doc` fills them back in.
    (Also much faster than dataclasses.asdict, which deep-copies recursively.)

    The document's lists and dicts are copies (`json_copy`), unless ``copy=False``:
    then it shares them with `w`, for a document that is only compared or written
    (an import writes 100,000 of them; copying took longer than writing the file).
    """
    doc: dict = {"review": w.review, "kind": w.kind, "n": w.n}
    for name, value, default in zip(_DOC_FIELDS, _doc_values(w), _DOC_DEFAULTS, strict=True):
        if value != default:
            if copy:
                if isinstance(value, list):
                    value = list(value)
                elif isinstance(value, dict):
                    value = json_copy(value)
            doc[name] = value
    return doc


def json_copy(value, depth: int = 0):
    """A copy of JSON-shaped data (dicts, lists, scalars); much cheaper than deepcopy.

    Refuses data nested deeper than any record needs (the importers stop at 32 levels)
    in one line, before Python's recursion limit or orjson's (255 levels on writing)."""
    if depth > 64:
        raise StoreError("a work's fields nest too deeply (more than 64 levels); not saved")
    if isinstance(value, dict):
        return {k: json_copy(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [json_copy(v, depth + 1) for v in value]
    return value


def work_from_doc(doc: dict) -> Work:
    """The work a document holds (TypeError/ValueError/AttributeError when it cannot)."""
    try:
        return Work(**doc)  # the fast path: a document we wrote ourselves
    except TypeError:
        return Work.from_dict(doc)  # fields from a newer version are ignored


def review_doc(review: Review, seq: int) -> dict:
    """A review as stored: its fields and its place in the import order."""
    doc = review.to_dict()
    doc["seq"] = seq
    return doc


def review_from_doc(key: str, doc: dict) -> tuple[Review, int]:
    """The review stored under `key` and its import order (0 when not a number)."""
    r = Review.from_dict(doc)
    r.key = key
    seq = doc.get("seq", 0)
    return r, seq if isinstance(seq, int) and not isinstance(seq, bool) else 0


def state_doc(st: State) -> dict:
    """A state as stored: status and date always; note, tags, priority and queue place
    only when set (so a file without them is format 1 as it always was)."""
    doc: dict = {"status": st.status, "changed": st.changed}
    if st.note:
        doc["note"] = st.note
    if st.tags:
        doc["tags"] = list(st.tags)
    if st.priority:
        doc["priority"] = st.priority
    if st.queue:
        doc["queue"] = st.queue
    return doc


# A stored status: a built-in one, or a user's own from the settings file (tui.settings);
# any short name of letters, digits, "-" and "_" (a state whose name the settings no longer
# list is kept and shown by its name, never called damage).
STATUS_NAME = re.compile(r"[^\W][\w-]{0,39}")


def _is_int(value: Any, lo: int, hi: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi


def state_from_doc(ident: str, doc: Any) -> State:
    """The state a document holds; ValueError (naming `ident`) when it is not one."""
    if not isinstance(doc, dict):
        raise ValueError(f"state of '{ident}' is not an object")
    st = State.from_dict(doc)
    if not isinstance(st.status, str) or not STATUS_NAME.fullmatch(st.status):
        raise ValueError(f"'{ident}' has status {st.status!r}")
    if not _is_int(st.priority, 0, 3) or not _is_int(st.queue, 0, 2**53):
        raise ValueError(f"'{ident}' has a priority or queue place that is not a small number")
    if not isinstance(st.note, str) or not isinstance(st.changed, str):
        raise ValueError(f"'{ident}' has a note or date that is not text")
    if not all(isinstance(t, str) for t in st.tags):
        raise ValueError(f"'{ident}' has tags that are not text")
    return st


def pref_doc(value: Any) -> dict:
    return {"value": value}


# --- log entries ---------------------------------------------------------------


def state_entry(ident: str, doc: dict | None) -> dict:
    """A change of one state (None: back to the default, the document goes)."""
    return {"t": "s", "id": ident, "v": doc}


def pref_entry(name: str, value: Any) -> dict:
    return {"t": "p", "id": name, "v": value}


def is_entry(item: Any) -> bool:
    """Is one parsed log line a change (and not damage)?"""
    return (
        isinstance(item, dict)
        and item.get("t") in ("s", "p")
        and isinstance(item.get("id"), str)
        and "v" in item
    )


def apply_entries(tables: Tables, entries: list[dict]) -> None:
    """Replay log entries onto a state file's tables (``state``, ``prefs``), in memory."""
    for e in entries:
        if e["t"] == "p":
            tables.setdefault("prefs", {})[e["id"]] = pref_doc(e["v"])
        elif e["v"] is None:
            tables.setdefault("state", {}).pop(e["id"], None)
        else:
            tables.setdefault("state", {})[e["id"]] = e["v"]


# --- migrations ------------------------------------------------------------------

_FORMAT0_TABLES = {"_default", "reviews", "works", "state", "prefs"}


def looks_like_format0(data: Tables | None) -> bool:
    """A plain TinyDB file of reviews and works (see the module doc)."""
    if not data or "meta" in data or not set(data) <= _FORMAT0_TABLES:
        return False
    if not (data.get("reviews") or data.get("works")):
        return False
    works = data.get("works", {}).values()
    reviews = data.get("reviews", {}).values()
    return all(isinstance(d.get("key"), str) for d in reviews) and all(
        {"review", "kind", "n"} <= d.keys() for d in works
    )


def _format0_to_1(main: Tables, side: Tables | None, path: Path) -> tuple[Tables, Tables]:
    """Format 0 (one file, see the module doc) -> the library and state files of 1.

    `side` is ignored: format 0 kept the reading state in the one file.
    """
    created = now()
    out_main: Tables = {
        "meta": {META_ID: {"format": 1, "schema": LIBRARY_SCHEMA, "created": created}},
        "reviews": {},
        "works": {},
    }
    out_side: Tables = {
        "meta": {META_ID: {"format": 1, "schema": STATE_SCHEMA, "created": created}},
        "state": {},
        "prefs": {},
    }

    def order(item: tuple[str, Any]) -> tuple:
        return (0, int(item[0])) if item[0].isdigit() else (1, item[0])

    try:
        for seq, (_, doc) in enumerate(sorted(main.get("reviews", {}).items(), key=order), 1):
            r = Review.from_dict(doc)
            out_main["reviews"][r.key] = review_doc(r, seq)
        for _, doc in sorted(main.get("works", {}).items(), key=order):
            w = work_from_doc(doc)
            if (
                not isinstance(w.n, int)
                or isinstance(w.n, bool)
                or w.review not in out_main["reviews"]
            ):
                raise ValueError(f"work {w.review}/{w.kind}{w.n}")
            out_main["works"][w.id] = work_doc(w)
        for table in ("_default", "state"):
            for doc_id, doc in sorted(main.get(table, {}).items(), key=order):
                ident = doc.get("ident")
                if not isinstance(ident, str):
                    raise ValueError(f"state document {doc_id} has no ident")
                st = state_from_doc(ident, doc)
                if not st.is_default:
                    out_side["state"][ident] = state_doc(st)
        for doc_id, doc in main.get("prefs", {}).items():
            if not isinstance(doc.get("name"), str) or "value" not in doc:
                raise ValueError(f"pref {doc_id} has no name or value")
            out_side["prefs"][doc["name"]] = pref_doc(doc["value"])
    except (TypeError, ValueError, AttributeError) as exc:
        raise StoreError(
            f"{path} is an old (format 0) database that cannot be converted ({exc}); "
            f"it was left untouched"
        ) from None
    return out_main, out_side


def _format1_to_2(main: Tables, side: Tables | None, path: Path) -> tuple[Tables, Tables]:
    """Format 1 -> 2: each work gains its lossless record, `csl` (`tui.mapping.upgrade`).

    Every other field of every document, the state file's states and prefs, and so every
    identity, stay exactly as they were; only the two meta documents say format 2.
    """
    from tui.mapping.upgrade import upgrade_works  # the importers, only when upgrading

    works = main.get("works", {})
    if not isinstance(works, dict):
        raise StoreError(f"{path} is damaged (its works are not a table); it was left untouched")
    out_main = {name: dict(docs) if isinstance(docs, dict) else docs for name, docs in main.items()}
    out_main["works"] = {k: dict(d) if isinstance(d, dict) else d for k, d in works.items()}
    upgrade_works(out_main["works"])
    meta = _meta(main) or new_meta(LIBRARY_SCHEMA)
    out_main["meta"] = {META_ID: {**meta, "format": 2}}
    out_side: Tables = {name: dict(docs) for name, docs in (side or {}).items()}
    side_meta = _meta(side) or {"schema": STATE_SCHEMA, "created": now()}
    out_side["meta"] = {META_ID: {**side_meta, "format": 2}}
    for table in STATE_TABLES:
        out_side.setdefault(table, {})
    return out_main, out_side


Step = Callable[[Tables, "Tables | None", Path], tuple[Tables, Tables]]

# The steps from each old format to the next, in order: ``(from_version, step)``.
# A step takes the library file's data, the state file's data (None when there is
# none) and the library's path (for messages), and returns both files' data in
# format ``from_version + 1``; it raises StoreError naming the path when it cannot.
# A new format: raise FORMAT_VERSION and append its step here.
MIGRATIONS: list[tuple[int, Step]] = [
    (0, _format0_to_1),
    (1, _format1_to_2),
]


def needs_migration(data: Tables | None) -> bool:
    """Is this library file's data of a format older than FORMAT_VERSION?"""
    if looks_like_format0(data):
        return True
    fmt = format_of(data)
    return (
        isinstance(fmt, int)
        and not isinstance(fmt, bool)
        and 1 <= fmt < FORMAT_VERSION
        and (_meta(data) or {}).get("schema") == LIBRARY_SCHEMA  # else check_meta explains
    )


def migrate(main: Tables, side: Tables | None, path: Path) -> tuple[Tables, Tables]:
    """The (library, state) data of an older format as of FORMAT_VERSION."""
    version = 0 if looks_like_format0(main) else format_of(main)
    if not isinstance(version, int):
        raise StoreError(f"{path} has no format version; it was left untouched")
    out_side = side
    for start, step in MIGRATIONS:
        if start >= version:
            main, out_side = step(main, out_side, path)
    assert out_side is not None
    return main, out_side


def migrate_format0(data: Tables, path: Path) -> tuple[Tables, Tables]:
    """A format-0 database as the (library, state) data of FORMAT_VERSION."""
    return migrate(data, None, path)
