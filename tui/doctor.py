"""`readinglist doctor`: check the database files and recover what can be recovered.

`diagnose(path)` looks at every file of a library (see `tui.store`): the library
file, the state file, the change log, the two ``.bak`` backups of the last good
versions and the older dated backups (``.bak-<time>``), and says what is wrong with
each, without writing anything. An empty file, or one that is not a regular file
or too big to be ours, is damage; nothing is read before its size is checked.

`recover(path)` builds a NEW library from the best of what is there and never
touches the old files:

* bibliography (reviews, works): the library file if it is sound; otherwise the
  newest sound backup (``.bak``, then the dated ones, newest first) as the base -
  or, when no backup is sound, what can be salvaged from all of them, newer over
  older - with every document that can still be read from the damaged file laid
  over it (they are newer);
* reading state: the state file if sound, otherwise its backups (the same way)
  plus what can be read from the damaged file; then the change log's complete entries on top
  (unless the state file says it has absorbed that log already).

Reading documents out of a damaged JSON file ("salvage") is our own code: JSON
libraries parse a whole document or nothing. Every salvaged document is checked
with the same rules the store uses when it loads a file, so nothing the store
would refuse ends up in the new file. The new files are then opened with
`Library` to prove they load.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from tui import diskformat as fmt
from tui.bibcache import cache_path_for, open_reader
from tui.diskformat import LIBRARY_SCHEMA, STATE_SCHEMA
from tui.errors import StoreError
from tui.fsutil import check_regular_or_missing, read_regular, resolve
from tui.sources.limits import too_deep
from tui.storage import AppendLog, OrjsonStorage, dated_backups, file_signature
from tui.store import Library
from tui.storefiles import LIBRARY_LAYOUT, log_path_for, state_path_for
from tui.text import plural

__all__ = ["Diagnosis", "FileReport", "Recovery", "diagnose", "recover", "salvage_documents"]

_TABLES = ("meta", "reviews", "works", "state", "prefs", "_default")
# how deep a document may nest (its own object counts): what we write ourselves stays
# under 10; orjson will not write beyond 255 and Python's json not read beyond ~1000
MAX_DOC_DEPTH = 64


@dataclass
class FileReport:
    """What one file of the library holds, or what is wrong with it."""

    path: Path
    role: str  # "library", "state", "change log", "library backup", "state backup"
    exists: bool
    problem: str = ""  # one line; "" when the file is sound
    note: str = ""  # something worth saying that is not damage
    counts: dict[str, int] = field(default_factory=dict)
    data: dict | None = field(default=None, repr=False)  # parsed tables when sound

    @property
    def ok(self) -> bool:
        return not self.problem

    def line(self) -> str:
        name = self.path.name
        if not self.exists:
            return f"{self.role:<15} {name}: not there"
        if self.problem:
            return f"{self.role:<15} {name}: DAMAGED: {self.problem}"
        what = ", ".join(f"{n} {k}" for k, n in self.counts.items()) or "empty"
        extra = f" ({self.note})" if self.note else ""
        return f"{self.role:<15} {name}: ok, {what}{extra}"


@dataclass
class Diagnosis:
    path: Path
    files: list[FileReport]
    leftovers: list[Path] = field(default_factory=list)  # temporary files of a crash
    cache: str = ""  # what the derived cache beside the library is (never a problem)

    @property
    def healthy(self) -> bool:
        """True when the library opens with everything it holds."""
        return not self.problems()

    def backups(self, role: str) -> list[FileReport]:
        """The backups of one file ("library" or "state") that are there, newest first."""
        return [f for f in self.files[3:] if f.role == f"{role} backup" and f.exists]

    def problems(self) -> list[str]:
        out = [f"{f.path.name}: {f.problem}" for f in self.files[:3] if f.exists and f.problem]
        for file in self.files[:2]:
            if file.exists:
                continue
            for backup in self.backups(file.role):
                if _size(backup.path):
                    out.append(
                        f"{file.path.name} is missing but its backup {backup.path.name} is there"
                    )
                    break
        return out

    def warnings(self) -> list[str]:
        """Damaged backups: the library opens with everything it holds, but the safety
        net is gone until the next change writes a good backup."""
        return [f"{f.path.name}: {f.problem}" for f in self.files[3:] if f.exists and f.problem]

    def lines(self) -> list[str]:
        out = [f"database {self.path}"]
        out += ["  " + f.line() for f in self.files]
        for p in self.leftovers:
            out.append(f"  leftover        {p.name}: a temporary file left by a crash (harmless)")
        if self.cache:
            out.append(f"  {'cache':<15} {cache_path_for(self.path).name}: {self.cache}")
        warnings = self.warnings()
        if self.healthy and warnings:
            out.append(
                f"the library and state files are sound, but {plural(len(warnings), 'backup')} "
                f"{'is' if len(warnings) == 1 else 'are'} damaged ({warnings[0]}); "
                f"the next change writes a good backup"
            )
        elif self.healthy:
            out.append("no problems found")
        else:
            out.append(
                "problems found; `readinglist doctor --recover` writes what can be "
                "recovered into a new file and keeps these files as they are"
            )
        return out


@dataclass
class Recovery:
    into: Path
    state_into: Path
    sources: list[str]
    reviews: int
    works: int
    states: int
    dropped: list[str]

    def lines(self) -> list[str]:
        out = [
            f"recovered {plural(self.reviews, 'review')}, {plural(self.works, 'work')} and "
            f"{plural(self.states, 'reading state')} into {self.into} (and {self.state_into.name})",
            "from: " + "; ".join(self.sources),
        ]
        if self.dropped:
            shown = "; ".join(self.dropped[:5])
            more = f" and {len(self.dropped) - 5} more" if len(self.dropped) > 5 else ""
            out.append(f"could not recover: {shown}{more}")
        out.append("the old files were not changed")
        out.append(f"to check it: readinglist --db '{self.into}' stats")
        out.append(
            f"to use it: move the old files away, then rename {self.into.name} and "
            f"{self.state_into.name} to the old names (or always pass --db)"
        )
        return out


# ----------------------------------------------------------------------- diagnose


def _files(path: Path) -> tuple[Path, Path, Path, Path, Path]:
    side = state_path_for(path)
    log = log_path_for(path)
    return (
        path,
        side,
        log,
        path.with_name(path.name + ".bak"),
        side.with_name(side.name + ".bak"),
    )


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def diagnose(path: str | Path) -> Diagnosis:
    """Check every file of the library at `path`; writes nothing.

    ``files`` is: library, state, change log, library.bak, state.bak, then the dated
    backups of the library and of the state file (newest first).
    """
    path = resolve(path)  # the files the store uses: beside a symlink's target
    check_regular_or_missing(path)
    main, side, log, main_bak, side_bak = _files(path)
    files = [
        _check_tables(main, "library", LIBRARY_SCHEMA),
        _check_tables(side, "state", STATE_SCHEMA),
        _check_log(log),
        _check_tables(main_bak, "library backup", LIBRARY_SCHEMA),
        _check_tables(side_bak, "state backup", STATE_SCHEMA),
    ]
    files += [_check_tables(p, "library backup", LIBRARY_SCHEMA) for p in dated_backups(main)]
    files += [_check_tables(p, "state backup", STATE_SCHEMA) for p in dated_backups(side)]
    leftovers: list[Path] = []
    if path.parent.is_dir():
        names = (main.name, side.name, log.name)
        for p in sorted(path.parent.iterdir()):
            if p.name.endswith(".tmp") and p.name.startswith(tuple(f".{n}." for n in names)):
                leftovers.append(p)
    return Diagnosis(path, files, leftovers, _check_cache(path))


def _check_cache(path: Path) -> str:
    """The cache (tui.bibcache) is derived and disposable: only said what it is."""
    cache = cache_path_for(path)
    if not os.path.lexists(cache):
        return ""
    try:
        reader = open_reader(cache, file_signature(path))
    except StoreError:
        reader = None
    if reader is None:
        return "out of date or unreadable (rebuilt when the library is next opened; harmless)"
    reader.close()
    return "up to date (a copy for speed; safe to delete)"


def _read_tables(path: Path) -> dict | None:
    """The parsed file (None: it went away), or StoreError with the storage's own
    one-line message."""
    return OrjsonStorage(path).read()


def _check_tables(path: Path, role: str, schema: str) -> FileReport:
    report = FileReport(path, role, exists=os.path.lexists(path))
    if not report.exists:
        return report
    try:
        data = _read_tables(path)
        if schema == LIBRARY_SCHEMA and fmt.looks_like_format0(data):
            main, side = fmt.migrate_format0(data, path)
            report.note = "format 0; it is converted when readinglist opens it"
            report.counts = {
                "reviews": len(main["reviews"]),
                "works": len(main["works"]),
                "states": len(side["state"]),
            }
            report.data = data  # as it is: recover() converts it
            return report
        fmt.check_meta(data, path, schema)
    except StoreError as exc:
        report.problem = _short(str(exc), path)
        return report
    data = data or {}
    bad: list[str] = []
    docs = _valid_docs(data, schema, bad)
    if schema == LIBRARY_SCHEMA:
        report.counts = {"reviews": len(docs["reviews"]), "works": len(docs["works"])}
    else:
        report.counts = {"states": len(docs["state"]), "prefs": len(docs["prefs"])}
    if bad:
        report.problem = f"{len(bad)} unreadable documents ({bad[0]})"
    report.data = data
    return report


def _short(message: str, path: Path) -> str:
    """A store message without the file name in front (the report shows it) and the
    'left untouched' tail (doctor never touches anything)."""
    message = message.removeprefix(str(path)).strip()
    for tail in ("; it was left untouched", "; the file was left untouched"):
        message = message.replace(tail, "")
    return re.sub(r"; the last good version is \S+$", "", message)


def _check_log(path: Path) -> FileReport:
    report = FileReport(path, "change log", exists=os.path.lexists(path))
    if not report.exists:
        return report
    try:
        entries, _ = AppendLog(path).read_new()
        if not (read_regular(path) or b"").endswith(b"\n"):
            report.note = "its last line was cut off by a crash and is ignored"
    except StoreError as exc:
        report.problem = _short(str(exc), path)
        return report
    report.counts = {"changes": len(entries)}
    return report


def _valid_docs(data: dict, schema: str, bad: list[str]) -> dict[str, dict]:
    """The documents of each table that the store would accept; the rest named in `bad`."""
    data = {table: _shallow(docs, table, bad) for table, docs in data.items()}
    if schema == LIBRARY_SCHEMA:
        reviews = {k: d for k, d in data.get("reviews", {}).items() if _ok_review(k, d, bad)}
        works = {k: d for k, d in data.get("works", {}).items() if _ok_work(k, d, reviews, bad)}
        return {"reviews": reviews, "works": works}
    states = {k: d for k, d in data.get("state", {}).items() if _ok_state(k, d, bad)}
    prefs = {k: d for k, d in data.get("prefs", {}).items() if _ok_pref(k, d, bad)}
    return {"state": states, "prefs": prefs}


def _shallow(docs: Any, table: str, bad: list[str]) -> Any:
    """The table without documents nested deeper than MAX_DOC_DEPTH (named in `bad`):
    no real record nests so deep, and the copies and writes after this would fail."""
    if not isinstance(docs, dict) or table == "meta":
        return docs
    deep = [k for k, d in docs.items() if too_deep(d, MAX_DOC_DEPTH)]
    for k in deep:
        bad.append(f"{table} '{k}': nested too deeply (more than {MAX_DOC_DEPTH} levels)")
    return {k: d for k, d in docs.items() if k not in deep} if deep else docs


def _ok_review(key: str, doc: Any, bad: list[str]) -> bool:
    try:
        if not isinstance(doc, dict) or doc.get("key", key) != key:
            raise ValueError("not a review")
        r, _ = fmt.review_from_doc(key, doc)
        if not isinstance(r.title_zh, str) or not isinstance(r.title_en, str):
            raise ValueError("title is not text")
        return True
    except (TypeError, ValueError, AttributeError) as exc:
        bad.append(f"review '{key}': {exc}")
        return False


def _ok_work(key: str, doc: Any, reviews: dict, bad: list[str]) -> bool:
    try:
        if not isinstance(doc, dict):
            raise ValueError("not an object")
        w = fmt.work_from_doc(doc)
        if not isinstance(w.n, int) or isinstance(w.n, bool):
            raise ValueError("no number")
        if w.review not in reviews:
            raise ValueError(f"its review '{w.review}' is missing")
        if w.id != key:
            raise ValueError(f"stored under the wrong id (it is {w.id})")
        return True
    except (TypeError, ValueError, AttributeError) as exc:
        bad.append(f"work '{key}': {exc}")
        return False


def _ok_state(ident: str, doc: Any, bad: list[str]) -> bool:
    try:
        fmt.state_from_doc(ident, doc)
        if "status" not in doc:
            raise ValueError(f"'{ident}' has no status")
        return True
    except (TypeError, ValueError, AttributeError) as exc:
        bad.append(f"state: {exc}")
        return False


def _ok_pref(name: str, doc: Any, bad: list[str]) -> bool:
    if isinstance(doc, dict) and set(doc) == {"value"}:
        return True
    bad.append(f"pref '{name}' is not {{\"value\": ...}}")
    return False


# ----------------------------------------------------------------------- salvage

_KEY = re.compile(r'"((?:[^"\\\n]|\\.){0,2000})"\s*:\s*\{')
_JSON_MARK = re.compile(r'"(?:[^"\\]++|\\.)*+"|[{}\[\]]', re.S)


def _end_of_value(text: str, start: int) -> int:
    """Index after the object or list that opens at `start` (the end of the text if it
    is never closed), found by counting brackets outside strings: linear, no recursion,
    for a value too deep to decode."""
    depth = 0
    for m in _JSON_MARK.finditer(text, start):
        c = m.group()
        if c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
            if depth == 0:
                return m.end()
    return len(text)


def salvage_documents(raw: bytes) -> dict[str, dict[str, Any]]:
    """Every ``"id": {...}`` object that can still be parsed out of a damaged file,
    by table ({table: {id: document}}). Unchecked: callers validate the documents.

    Walks the text: an object that parses whole is taken (a table or a document)
    and skipped over; one that does not (cut off, or with garbage inside) is
    entered, so the objects inside it are tried one by one.
    """
    text = raw.decode("utf-8", errors="replace")
    decoder = json.JSONDecoder()
    out: dict[str, dict[str, Any]] = {}
    table: str | None = None
    pos = 0
    while True:
        m = _KEY.search(text, pos)
        if m is None:
            break
        try:
            name = json.loads(f'"{m[1]}"')
        except ValueError:
            pos = m.end()
            continue
        brace = m.end() - 1
        try:
            value, end = decoder.raw_decode(text, brace)
        except ValueError:
            if name in _TABLES:
                table = name
            pos = brace + 1
            continue
        except RecursionError:
            # nested deeper than Python's json can read: a table is entered (the
            # documents in it are tried one by one), anything else is skipped whole,
            # as no real document nests that deep
            if name in _TABLES:
                table, pos = name, brace + 1
            else:
                pos = _end_of_value(text, brace)
            continue
        if (
            name in _TABLES
            and isinstance(value, dict)
            and all(isinstance(d, dict) for d in value.values())
        ):
            # a whole table; "meta" is recognised but never salvaged
            out.setdefault(name, {}).update(value)
            table = None
        elif table is not None:
            out.setdefault(table, {})[name] = value
        pos = end
    return out


# ----------------------------------------------------------------------- recover


def _default_into(path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    stem, suffix = (path.stem, path.suffix) if path.suffix else (path.name, "")
    n = 1
    while True:
        tail = f"-{n}" if n > 1 else ""
        into = path.with_name(f"{stem}.recovered-{stamp}{tail}{suffix}")
        if not any(os.path.lexists(p) for p in _created_by_recover(into)):
            return into
        n += 1


def _created_by_recover(into: Path) -> list[Path]:
    """Every name recover() writes: the two files and their first backups."""
    side = state_path_for(into)
    return [
        into,
        side,
        into.with_name(into.name + ".bak"),
        side.with_name(side.name + ".bak"),
        cache_path_for(into),
    ]


def _docs_of(report: FileReport, schema: str, sources: list[str]) -> dict[str, dict] | None:
    """Documents from one file: all valid ones if it parses, else the salvaged ones."""
    if not report.exists:
        return None
    if report.data is not None:
        data = report.data
        how = "as it is" if report.ok else "its readable documents"
    else:
        try:
            raw = read_regular(report.path)
        except StoreError:
            return None
        if raw is None:
            return None
        data = salvage_documents(raw)
        how = "salvaged documents"
    docs = _valid_docs(data, schema, [])
    if any(docs.values()):
        sources.append(f"{report.path.name} ({how})")
    return docs


def _from_backups(
    backups: list[FileReport], schema: str, sources: list[str]
) -> dict[str, dict] | None:
    """The newest sound, non-empty backup; when none is, what can be salvaged from all
    of them, newer laid over older."""
    for report in backups:
        if report.ok and report.data is not None:
            docs = _docs_of(report, schema, [])
            if docs is not None and any(docs.values()):
                sources.append(f"{report.path.name} (as it is)")
                return docs
    merged: dict[str, dict] | None = None
    for report in reversed(backups):
        merged = _merge(merged, _docs_of(report, schema, sources))
    return merged


def _merge(base: dict[str, dict] | None, top: dict[str, dict] | None) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for part in (base, top):
        for table, docs in (part or {}).items():
            out.setdefault(table, {}).update(docs)
    return out


def _log_entries(path: Path) -> tuple[str, list[dict]]:
    """The log's token and every complete, well-formed entry (bad lines skipped)."""
    try:
        raw = read_regular(path) or b""
    except StoreError:
        return "", []
    token, entries = "", []
    lines = raw[: raw.rfind(b"\n") + 1].splitlines()
    for i, line in enumerate(lines):
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(item, dict):
            continue
        if i == 0 and isinstance(item.get("log"), str):
            token = item["log"]
        elif fmt.is_entry(item):
            entries.append(item)
    return token, entries


def recover(path: str | Path, into: str | Path | None = None) -> Recovery:
    """Write what can be recovered of the library at `path` into a new library.

    The new library goes to `into` (default: ``<name>.recovered-<time>.json`` beside
    the old one) plus its state file; the old files are never changed. Raises
    StoreError when `into` exists or nothing at all can be recovered.
    """
    diagnosis = diagnose(path)
    path = diagnosis.path
    main, side, log = diagnosis.files[:3]
    target = Path(into).expanduser().absolute() if into else _default_into(path)
    target_side = state_path_for(target)
    # lexists: a planted symlink (even a dangling one) at any name we write is refused
    for p in _created_by_recover(target):
        if os.path.lexists(p):
            raise StoreError(f"{p} exists already; give a new file name to recover into")
    sources: list[str] = []
    dropped: list[str] = []

    # The bibliography: a format-0 file is converted; otherwise backup, then newer docs.
    format0_side: dict | None = None
    if main.ok and main.data is not None and fmt.looks_like_format0(main.data):
        converted, format0_side = fmt.migrate_format0(main.data, main.path)
        lib_docs = {"reviews": converted["reviews"], "works": converted["works"]}
        sources.append(f"{main.path.name} (format 0, converted)")
    elif main.ok and main.exists:
        lib_docs = _docs_of(main, LIBRARY_SCHEMA, sources) or {}
    else:
        lib_docs = _merge(
            _from_backups(diagnosis.backups("library"), LIBRARY_SCHEMA, sources),
            _docs_of(main, LIBRARY_SCHEMA, sources),
        )
    lib_docs = _valid_docs(lib_docs, LIBRARY_SCHEMA, dropped)  # works of lost reviews go

    # The reading state: backup, then the state file, then the change log.
    if format0_side is not None and not side.exists:
        state_docs = {"state": format0_side["state"], "prefs": format0_side["prefs"]}
    elif side.ok and side.exists:
        state_docs = _docs_of(side, STATE_SCHEMA, sources) or {}
    else:
        state_docs = _merge(
            _from_backups(diagnosis.backups("state"), STATE_SCHEMA, sources),
            _docs_of(side, STATE_SCHEMA, sources),
        )
    state_docs = _valid_docs(state_docs, STATE_SCHEMA, dropped)
    token, entries = _log_entries(log.path) if log.exists else ("", [])
    if entries and not (token and token == fmt.absorbed_token(side.data)):
        fmt.apply_entries(state_docs, entries)
        state_docs = _valid_docs(state_docs, STATE_SCHEMA, dropped)
        sources.append(f"{log.path.name} ({plural(len(entries), 'change')})")

    if not any(lib_docs.values()) and not any(state_docs.values()):
        raise StoreError(f"nothing could be recovered from {path} or its backups")

    seqs = sorted(
        lib_docs["reviews"].items(),
        key=lambda kv: kv[1].get("seq") if isinstance(kv[1].get("seq"), int) else 1 << 30,
    )
    reviews = {}
    for i, (key, doc) in enumerate(seqs, 1):
        doc = dict(doc)
        doc["key"], doc["seq"] = key, i
        reviews[key] = doc

    def meta(schema: str, **extra: Any) -> dict:
        return {fmt.META_ID: fmt.new_meta(schema, recovered_from=str(path), **extra)}

    # That log is in the new state file: never replay it.
    side_meta = meta(STATE_SCHEMA, **({"absorbed": token} if token else {}))
    # The new files hold the same private data: they take the permission bits of
    # the old library (else of whichever of its files is left), not the umask's.
    like = next((f.path for f in diagnosis.files if f.exists), None)
    # State first: a library file without its state file would look complete.
    OrjsonStorage(target_side, mode_from=like).write(
        {"meta": side_meta, "state": state_docs["state"], "prefs": state_docs["prefs"]}
    )
    OrjsonStorage(target, mode_from=like, layout=LIBRARY_LAYOUT).write(
        {"meta": meta(LIBRARY_SCHEMA), "reviews": reviews, "works": lib_docs["works"]}
    )
    check = Library(target, import_shipped=False)  # proves it loads
    result = Recovery(
        into=target,
        state_into=target_side,
        sources=sources or ["nothing usable"],
        reviews=len(check.reviews()),
        works=len(check.works()),
        states=len(check.states()),
        dropped=dropped,
    )
    check.close()
    return result
