"""The command line: parses arguments and calls the core; no widgets here.

Every user error is a ReadingListError: one line on stderr, exit status 2, and the
database unchanged (IDs and files are all checked before anything is written).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from tui import __version__
from tui.cli_organise import COMMANDS as ORGANISE_COMMANDS
from tui.cli_organise import add_organise_commands, add_stats_options, cmd_stats_by, import_tags
from tui.errors import NotFound, ReadingListError
from tui.model import KIND_PREFIX, Work
from tui.perf import gc_paused
from tui.text import UNSAFE_IN_JSON, cell_width, fit, inert, plural, unsafe_in_json_utf8

if TYPE_CHECKING:
    import argparse

KIND_CHOICES = {
    "references": ("reference",),
    "related": ("related",),
    "all": ("reference", "related"),
}
STATUS_MARK = {"unread": " ", "reading": "~", "read": "x", "queued": "+", "skipped": "-"}
KIND_PLURAL = {"related": "related"}  # "1 reference", "15 related"


# ---------------------------------------------------------------------------- parser


# = ReadStatus values (a test keeps them in step); a settings file may rename them and add
# its own (tui.settings)
STATUSES = ("unread", "queued", "reading", "read", "skipped")
# = tui.sources.FORMATS, written out so that --help does not import every parser (a test
# keeps them in step)
IMPORT_FORMATS = """\
formats (by extension):
  .txt .html .htm   a review page (its references and related articles); a .txt
                    that starts as MEDLINE or Web of Science text is read as that
  .bib .bibtex      BibTeX (Zotero, JabRef, Mendeley, ...)
  .ris              RIS (Zotero, EndNote, Ovid, embase.com, ...)
  .json             CSL-JSON (Zotero, Better BibTeX, pandoc)
  .yaml .yml        CSL-YAML (Better BibTeX, pandoc)
  .nbib .medline    MEDLINE (PubMed's "Save as PubMed" file)
  .ciw              Web of Science plain text
  .cgi              a database export: Ovid's tagged format (MEDLINE or WoS by content)"""


def _style_names() -> list[str]:
    """Completion words for --style/--format (a .csl file's path is typed)."""
    from tui.cite import STYLES

    return list(STYLES) + ["markdown"]


def _command(sub, name: str, summary: str, description: str, examples: str, extra: str = ""):
    """A subcommand whose --help has a description and examples, laid out as written."""
    import argparse

    epilog = (extra + "\n\n" if extra else "") + "examples:\n" + examples
    return sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _add_sort(s) -> None:
    from tui.organise import SORT_KEYS

    _complete(
        s.add_argument(
            "--sort",
            metavar="KEY",
            help=f"{'|'.join(SORT_KEYS)}; -KEY for descending (default: n, the list's order)",
        ),
        [*SORT_KEYS, *(f"-{k}" for k in SORT_KEYS)],
    )


def _complete(action: argparse.Action, how):
    """What shell completion offers for this argument (see tui.completion)."""
    action.complete = how  # type: ignore[attr-defined]
    return action


def build_parser() -> argparse.ArgumentParser:
    from tui.cli_parser import Parser as _Parser  # (with argparse: not for the plain launch)

    p = _Parser(
        prog="readinglist",
        description="Work through a literature review: its references and related articles, "
        "reading status and citations. Without a subcommand, opens the app.",
        epilog="Each command's own --help has examples. Shell completion: "
        "readinglist completion bash|zsh|fish.",
    )
    p.add_argument("--version", action="version", version=f"readinglist {__version__}")
    _complete(
        p.add_argument(
            "--db",
            metavar="PATH",
            help="database file (default: $READINGLIST_DB or the user data dir)",
        ),
        "file",
    )
    p.add_argument(
        "--review", metavar="KEY", help="the review to work on (default: the last one used)"
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    s = _command(
        sub,
        "import",
        "import review pages (.txt/.html), .bib, .ris, CSL-JSON/YAML, MEDLINE, WoS",
        "Import review pages and bibliographies. Each file becomes one review or\n"
        "collection, known by the file it came from: importing the same file again\n"
        "updates it and keeps every reading status and note, and a collection keeps\n"
        "its title. --into KEY adds the file's works to an existing review or\n"
        "collection instead (the same work, by DOI, PMID, key or title, is updated;\n"
        "its other works are left alone); --as KEY names a new collection. All files\n"
        "are read before anything is written, so one bad file imports nothing.",
        "  readinglist import review.html\n"
        "  readinglist import my-library.bib refs.ris\n"
        "  readinglist import my-library.bib --into zotero-export --verbose\n"
        "  readinglist import new-search.ris --as scleroderma-trials",
        IMPORT_FORMATS,
    )
    _complete(s.add_argument("files", nargs="+", metavar="FILE"), "file")
    where = s.add_mutually_exclusive_group()
    where.add_argument(
        "--into",
        metavar="KEY",
        help="add to (and update within) this existing review or collection",
    )
    where.add_argument(
        "--as",
        dest="as_key",
        metavar="KEY",
        help="a new collection named KEY (refused if KEY exists: use --into)",
    )
    s.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="list the works added, updated, unchanged and left alone (on stderr)",
    )
    s.add_argument(
        "--tags-from-keywords",
        action="store_true",
        help="make tags of BibTeX keywords, RIS KW and CSL-JSON keyword (off by default)",
    )

    s = _command(
        sub,
        "reviews",
        "the reviews and collections in the database",
        "The reviews and collections in the database, with their counts; * marks\nthe current one.",
        "  readinglist reviews\n  readinglist reviews --json",
    )
    s.add_argument("--json", action="store_true", help="print one JSON array")

    s = _command(
        sub,
        "review",
        "one review's own fields",
        "One review's own fields: titles, authors, journal, dates, DOI, abstract\n"
        "and citation lines (the current review without KEY).",
        "  readinglist review\n  readinglist review lin2025 --json",
    )
    s.add_argument("key", nargs="?", metavar="KEY")
    s.add_argument("--json", action="store_true", help="print one JSON object")

    s = _command(
        sub,
        "list",
        "the works of a review, optionally filtered",
        "The works of a review, one per line: id, status ([x] read, [~] reading),\n"
        "authors, year, title and journal. See the README for the filter language.",
        "  readinglist list\n"
        "  readinglist list --filter 'author:sullivan year:2015..2020 -status:read'\n"
        "  readinglist list --kind all --filter 'has:doi' --json\n"
        "  readinglist list --sort -year\n"
        "  readinglist list --view 'To read'",
    )
    s.add_argument("--review", dest="sub_review", metavar="KEY")
    _add_sort(s)
    s.add_argument("--view", metavar="NAME", help="a saved view's filter and sort (see `view`)")
    s.add_argument(
        "--kind",
        choices=list(KIND_CHOICES),
        default="references",
        help="which works (default: references)",
    )
    s.add_argument(
        "--filter",
        metavar="QUERY",
        default="",
        help="e.g. 'author:sullivan year:2015..2020 -status:read'",
    )
    s.add_argument("--json", action="store_true", help="print one JSON array")

    s = _command(
        sub,
        "cite",
        "print (and copy) citations, one per line, in the order given",
        "Print citations, one per line, in the order of the IDs, without numbers.",
        "  readinglist cite ref16\n  readinglist cite ref16 ref1 --style vancouver --copy",
    )
    s.add_argument("ids", nargs="+", metavar="ID", help="ref16, rel3, or an id from `list --json`")
    _complete(
        s.add_argument(
            "--style",
            default="gbt7714",
            help="gbt7714 (default: the 2025 edition), gbt7714-2015, gbt7714-2025, their "
            "-nourl and -authoryear variants, printed, apa, vancouver, ama, "
            "mla, chicago, harvard, bibtex, ris, csl-json, or a .csl file",
        ),
        _style_names,
    )
    _punct_option(s)
    s.add_argument("--copy", action="store_true", help="also put the output on the clipboard")
    s.add_argument("--review", dest="sub_review", metavar="KEY")

    s = _command(
        sub,
        "mark",
        "set the reading status: mark ID... read|reading|unread|queued|skipped",
        "Set the reading status of one or more works. Every ID is checked before\n"
        "anything changes.",
        "  readinglist mark ref16 read\n  readinglist mark ref1 ref2 rel3 Reading\n"
        "  readinglist mark ref5 queued",
        "statuses (any case): " + ", ".join(STATUSES) + "\n(renamed or added to in the "
        "settings file beside the database, e.g. library.settings.toml; see the README)",
    )
    _complete(s.add_argument("args", nargs="+", metavar="ID... STATUS"), list(STATUSES))
    s.add_argument("--review", dest="sub_review", metavar="KEY")

    s = _command(
        sub,
        "note",
        "show or set the note on a work: note ID [TEXT]",
        "Show the note on a work, or set it to TEXT ('' clears it).",
        "  readinglist note ref16\n  readinglist note ref16 'compare with ref1'\n"
        "  readinglist note ref16 ''",
    )
    s.add_argument("id", metavar="ID")
    s.add_argument("text", nargs="?", metavar="TEXT", help="the new note ('' clears it)")
    s.add_argument("--review", dest="sub_review", metavar="KEY")

    s = _command(
        sub,
        "export",
        "a whole list as citations, bibtex, ris, csl-json or markdown",
        "A whole list (the references by default, as `list`), numbered as a numeric\n"
        "style prints its reference list ([1] GB/T 7714, 1. Vancouver and AMA).",
        "  readinglist export > references.txt\n"
        "  readinglist export --format bibtex -o review.bib\n"
        "  readinglist export --kind all --filter 'status:read' --format markdown\n"
        "  readinglist export --format bibtex --with-tags -o tagged.bib",
    )
    _add_sort(s)
    s.add_argument(
        "--with-tags",
        action="store_true",
        help="write the reading tags as keywords (bibtex, ris, csl-json); off by default",
    )
    _complete(
        s.add_argument(
            "--format",
            default="gbt7714",
            metavar="STYLE",
            help="any citation style (default: gbt7714), bibtex, ris, csl-json, or markdown",
        ),
        _style_names,
    )
    _punct_option(s)
    s.add_argument("--filter", metavar="QUERY", default="")
    s.add_argument("--review", dest="sub_review", metavar="KEY")
    s.add_argument(
        "--kind",
        choices=list(KIND_CHOICES),
        default="references",
        help="which works (default: references, as for list)",
    )
    _complete(
        s.add_argument(
            "-o",
            "--output",
            metavar="FILE",
            help="write to FILE (atomically, through a symlink; a FIFO or device is written to; "
            "- is stdout) instead of stdout",
        ),
        "file",
    )

    s = _command(
        sub,
        "stats",
        "counts and reading progress per review; --by week|month over time",
        "How many references and related articles each review has, and how many\n"
        "are read or being read. --by week|month: the works read per week or month\n"
        "(a bar chart too, in a terminal), the pace and the expected finish date.",
        "  readinglist stats\n  readinglist stats --by week\n"
        "  readinglist stats --by month --csv > progress.csv\n  readinglist stats --json",
    )
    add_stats_options(s)
    _command(
        sub,
        "styles",
        "the citation styles and their credits",
        "The citation style names that cite --style and export --format take.",
        "  readinglist styles",
    )

    s = _command(
        sub,
        "doctor",
        "check the database files; --recover writes what is left to a new file",
        "Check the database files without changing them (exit status 1 if a\n"
        "problem is found, a damaged backup too); --recover writes what can be saved into a new file.",
        "  readinglist doctor\n  readinglist doctor --recover --into saved.json",
    )
    s.add_argument(
        "--recover", action="store_true", help="recover into a new file (the old ones are kept)"
    )
    _complete(
        s.add_argument("--into", metavar="FILE", help="the new file (default: beside the old one)"),
        "file",
    )

    s = _command(
        sub,
        "completion",
        "print a shell completion script (bash, zsh or fish)",
        "Print a completion script for the shell, made from this command line's own\n"
        "options (so every subcommand and option is in it).",
        "  # bash (~/.bashrc):\n"
        '  eval "$(readinglist completion bash)"\n'
        "  # zsh (~/.zshrc, after compinit):\n"
        '  eval "$(readinglist completion zsh)"\n'
        "  # fish:\n"
        "  readinglist completion fish > ~/.config/fish/completions/readinglist.fish",
    )
    s.add_argument("shell", choices=["bash", "zsh", "fish"])
    add_organise_commands(sub, _command, _complete)

    from tui.cli_online import add_parsers  # resolve, fetch, add (they ask online services)

    add_parsers(sub)
    return p


# ---------------------------------------------------------------------------- helpers


def _open_library(args):
    from tui.paths import default_db_path
    from tui.store import Library

    path = Path(args.db).expanduser() if args.db else default_db_path()
    # the loaded library is not garbage: the collector never scans it (frozen before
    # it runs again, which saves its first pass over 100,000 works, 0.7 s)
    with gc_paused(keep=True):
        lib = Library(path)
    for notice in getattr(lib, "notices", ()):  # e.g. an older file converted, original kept
        _err(notice)
    return lib


def _check_filter_size(args) -> None:
    """A filter over the size limits is refused before the library is read: loading
    100,000 works only to say "filter too long" would take seconds. (Everything else
    about the query is checked once the reader's own state names are known.)"""
    text = getattr(args, "filter", None)
    if not text:
        return
    from tui.query import QueryError, parse

    try:
        parse(text, strict=True)
    except QueryError as err:
        if str(err).startswith("filter too long"):
            raise


def _review_key(args, lib) -> str:
    key = getattr(args, "sub_review", None) or args.review
    if key:
        lib.get_review(key)  # NotFound if unknown
        return key
    key = lib.default_review_key()
    if key is None:
        raise NotFound("the database has no review yet; import one with `readinglist import FILE`")
    return key


def _print_json(value) -> None:
    """Print JSON readable UTF-8 with no raw control characters.

    orjson gives the same text as json.dumps(ensure_ascii=False, indent=2) for this
    data, several times faster, and escapes C0 controls itself; DEL, C1 and bidi
    controls are escaped here as \\uXXXX (the value is the same). So the text is safe
    as it is and skips _out's inert() pass (150 MB at 100,000 works).
    """
    import orjson

    text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8")
    if UNSAFE_IN_JSON.search(text):
        text = UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
    sys.stdout.write(text)
    sys.stdout.write("\n")


def _out(text: str = "") -> None:
    """Every line of output passes inert(): keys, ids and file names from data too."""
    sys.stdout.write(inert(text) + "\n")


def _err(text: str) -> None:
    sys.stderr.write(f"readinglist: {inert(text, keep_newlines=False)}\n")


def _is_tty() -> bool:
    return sys.stdout.isatty()


_WORK_FIELDS = tuple(f.name for f in dataclasses.fields(Work))


def _work_json(work: Work, state, labels=None, queue=None) -> dict:
    """One work as `list --json` prints it: its fields, then its reading state."""
    return {**_fields_json(work), **_state_json(work.ident, state, labels, queue)}


def _fields_json(work: Work) -> dict:
    # the fields themselves, not Work.to_dict(): asdict deep-copies everything, and the
    # row is serialised at once (half the time of `list --json` at 10,000 works)
    local = f"{KIND_PREFIX.get(work.kind, work.kind)}{work.n}"
    d = {"id": f"{work.review}/{local}", "local_id": local}
    for name in _WORK_FIELDS:
        d[name] = getattr(work, name)
    d["names"] = _names_json(work)
    return d


def _state_json(ident: str, state, labels=None, queue=None) -> dict:
    return {
        "status": state.status,
        "changed": state.changed,
        "note": state.note,
        "tags": state.tags,
        "status_label": labels.get(state.status, state.status) if labels else state.status,
        "priority": state.priority or None,
        "queue": queue.get(ident) if queue else None,  # 1 = next to read
    }


# `list --json` without a filter or sort prints each work's fields from the library's
# cache (Library.derived), computed once per version of the library file: the name says
# what they are; change its number whenever _fields_json or _json_text changes.
ROWS = "cli.list-json.1"


def _json_text(value) -> bytes:
    """`value` as _print_json writes it, as bytes (without the newline)."""
    import orjson

    raw = orjson.dumps(value, option=orjson.OPT_INDENT_2)
    if unsafe_in_json_utf8(raw):
        text = UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m[0]):04x}", raw.decode("utf-8"))
        raw = text.encode("utf-8")
    return raw


def _row_parts(works: list[Work]) -> list[tuple[str, str, bytes]]:
    """(kind, ident, the JSON text of its fields as a row of the printed array) of each
    work: the first lines of its object, indented to their place, up to the last field
    before the reading state (no comma, no newline)."""
    return [
        (w.kind, w.ident, b"  " + _json_text(_fields_json(w))[:-2].replace(b"\n", b"\n  "))
        for w in works
    ]


def _print_rows(lib, review: str, kinds: tuple[str, ...]) -> None:
    """`list --json` of a review's works of `kinds`: exactly what _print_json prints of
    [_work_json(w, ...) ...], the fields from the cache and the state joined here."""
    from tui.model import State

    labels = lib.settings.labels
    queue = {w.ident: i for i, w in enumerate(lib.queue(), 1)}
    states = lib.state_view
    unread: bytes | None = None

    def state_text(ident: str, st) -> bytes:
        inner = _json_text(_state_json(ident, st, labels, queue))[2:-2]  # without { }
        return b",\n  " + inner.replace(b"\n", b"\n  ") + b"\n  }"

    out = getattr(sys.stdout, "buffer", None)
    if out is None or os.linesep != "\n":  # a text stream only (tests, Windows)
        out = None
    pieces: list[bytes] = []
    first = True
    for kind, ident, fields in lib.derived(ROWS, review, lambda: _row_parts(lib.works(review))):
        if kind not in kinds:
            continue
        st = states.get(ident)
        if st is None and ident not in queue:
            if unread is None:
                unread = state_text(ident, State())
            tail = unread
        else:
            tail = state_text(ident, st or State())
        pieces += (b"[\n" if first else b",\n", fields, tail)
        first = False
        if len(pieces) > 12_000:
            _write_bytes(out, b"".join(pieces))
            pieces = []
    pieces.append(b"[]\n" if first else b"\n]\n")
    _write_bytes(out, b"".join(pieces))


def _write_bytes(out, data: bytes) -> None:
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    sys.stdout.flush()
    out.write(data)


def _names_json(work: Work) -> dict:
    """Every contributor, structured, by CSL role: the record's names, or for a printed
    reference its authors and editors as split for formatting."""
    if work.csl:
        from tui.mapping import names_of

        return names_of(work.csl)
    from tui.cite.csljson import csl_name

    out = {}
    for role, names in (("author", work.authors), ("editor", work.editors)):
        if names:
            out[role] = [csl_name(n) for n in names if n.strip(" ,;")]
    return out


def _resolve_all(lib, tokens: list[str], review: str | None) -> list[Work]:
    """Resolve every ID before acting, so one bad ID changes nothing."""
    return [lib.resolve(tok, review) for tok in tokens]


def _osc52(text: str) -> None:
    """Copy through the terminal (OSC 52): works over SSH and in tmux with set-clipboard on."""
    import base64

    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    sys.stderr.write(f"\x1b]52;c;{payload}\x07")
    sys.stderr.flush()


def _atomic_write(path: Path, data: bytes) -> None:
    from tui.fsutil import atomic_write_bytes

    atomic_write_bytes(path, data)


# ---------------------------------------------------------------------------- commands


def cmd_import(args, lib) -> int:
    # What is read and stored lives until the command ends: never scanned (see gc_paused)
    with gc_paused(keep=True):
        return _import_files(args, lib)


def _import_files(args, lib) -> int:
    from tui.identity import check_new_key
    from tui.sources import load_file

    into = as_key = None
    if args.into is not None:  # checked before any file is read: one line, nothing written
        into = lib.get_review(args.into).key
    if args.as_key is not None:
        as_key = check_new_key(args.as_key)
        taken = next((r.key for r in lib.reviews() if r.key.lower() == as_key.lower()), None)
        if taken is not None:
            raise ReadingListError(
                f"'{taken}' already exists; nothing was imported "
                f"(to add to it: readinglist import FILE --into {taken})"
            )
    loaded = []
    for name in args.files:  # parse all first: a bad file imports nothing
        review, works = load_file(Path(name))
        # A collection is known by the file it came from, not by its name: two
        # refs.bib in two folders are two collections (see Library.import_review).
        try:
            review.source = os.fspath(Path(name).resolve())
        except (OSError, RuntimeError):  # a symlink loop: it was readable, keep the name
            pass
        loaded.append((review, works))
    for review, works in loaded:
        if as_key is not None:  # the first file makes the collection, the others join it
            done = lib.import_review(review, works, as_key=as_key)
            as_key, into = None, done.key
        else:
            done = lib.import_review(review, works, into=into)
        if args.tags_from_keywords:
            import_tags(lib, works)
        key, created = done
        if into is not None and not created:
            line = f"{key}\tupdated\t{_merge_counts(done)}"
        else:
            kinds = {}
            for w in works:
                kinds[w.kind] = kinds.get(w.kind, 0) + 1
            counts = ", ".join(plural(n, k, KIND_PLURAL.get(k)) for k, n in kinds.items())
            line = f"{key}\t{'created' if created else 'updated'}\t{counts}"
            if not created:
                line += f"\t{_merge_counts(done)}"
        if done.taken_by is not None:
            other = done.taken_by
            line += f"\tnew key: '{other.key}' is {other.source or 'another review'}"
        if done.removed:
            line += f"\t{len(done.removed)} removed (no longer in the file; listed on stderr)"
        _out(line)
        if done.title_kept:
            title = lib.get_review(key).title
            _err(f"{key}: keeps its title '{title}' (the file would name it '{done.title_kept}')")
        if args.verbose:
            _report_merge(done)
        _report_removed(lib, key, done.removed)
        for w in works:
            for warning in w.warnings:
                _err(f"warning: {key}/{w.local_id}: {inert(warning, keep_newlines=False)}")
        shown = {x for w in works for x in w.warnings}
        for warning in review.warnings:  # the file's own ("3 empty records skipped")
            if warning not in shown:
                _err(f"warning: {key}: {inert(warning, keep_newlines=False)}")
    return 0


def _merge_counts(done) -> str:
    """'1 added, 2 updated, 3 unchanged, 40 left alone' (left alone: only when any)."""
    parts = [f"{len(done.added):,} added", f"{len(done.updated):,} updated"]
    parts.append(f"{len(done.unchanged):,} unchanged")
    if done.left_alone:
        parts.append(f"{len(done.left_alone):,} left alone")
    return ", ".join(parts)


def _report_merge(done) -> None:
    """--verbose: one line per work on stderr, 'added  KEY/ref44  title'."""
    for what, works in (
        ("added", done.added),
        ("updated", done.updated),
        ("unchanged", done.unchanged),
        ("left alone", done.left_alone),
    ):
        for w in works:
            title = w.title or w.raw or w.doi or "(untitled)"
            if len(title) > 80:
                title = title[:79] + "…"
            _err(f"{what}: {w.id}: {inert(title, keep_newlines=False)}")


def _report_removed(lib, key: str, removed: list[Work], most: int = 20) -> None:
    """Say which works an update dropped: never delete without saying which."""
    states = lib.states()
    for w in removed[:most]:
        what = w.title or w.raw or w.doi or "(untitled)"
        if len(what) > 80:
            what = what[:79] + "…"
        kept = ""
        if w.ident in states or "orphan:" + w.ident in states:
            kept = " (its reading state is kept)"
        _err(f"{key}: removed {w.local_id}: {what}{kept}")
    if len(removed) > most:
        _err(f"{key}: and {len(removed) - most} more removed")


def _counts(lib, key: str) -> dict:
    return {"reference": 0, "related": 0, **lib.count_by_kind(key)}


def cmd_reviews(args, lib) -> int:
    reviews = lib.reviews()
    if args.json:
        rows = []
        for r in reviews:
            rows.append(
                {
                    "key": r.key,
                    "kind": r.kind,
                    "title_zh": r.title_zh,
                    "title_en": r.title_en,
                    "year": r.year,
                    "journal_zh": r.journal_zh,
                    "journal_en": r.journal_en,
                    "doi": r.doi,
                    "counts": _counts(lib, r.key),
                }
            )
        _print_json(rows)
        return 0
    current = lib.default_review_key()
    for r in reviews:
        c = _counts(lib, r.key)
        mark = "*" if r.key == current else " "
        title = inert(r.title_zh or r.title_en or r.key, keep_newlines=False)
        _out(
            f"{mark} {r.key}\t{r.year or ''}\t{plural(c['reference'], 'ref')}, "
            f"{c['related']} related\t{title}"
        )
    return 0


REVIEW_LABELS = [
    ("title_zh", "Title (zh)"),
    ("title_en", "Title (en)"),
    ("authors_zh", "Authors (zh)"),
    ("authors_en", "Authors (en)"),
    ("journal_zh", "Journal (zh)"),
    ("journal_en", "Journal (en)"),
    ("year", "Year"),
    ("volume", "Volume"),
    ("issue", "Issue"),
    ("pages", "Pages"),
    ("doi", "DOI"),
    ("received", "Received"),
    ("online", "Online"),
    ("published", "Published"),
    ("corresponding_author", "Corresponding"),
    ("email", "E-mail"),
    ("clc", "CLC"),
    ("citation_zh", "Citation (zh)"),
    ("citation_en", "Citation (en)"),
    ("abstract_zh", "Abstract (zh)"),
    ("abstract_en", "Abstract (en)"),
]


def cmd_review(args, lib) -> int:
    key = args.key or _review_key(args, lib)
    review = lib.get_review(key)
    if args.json:
        _print_json(review.to_dict())
        return 0
    _out(f"{'Key':<14} {review.key}")
    for field, label in REVIEW_LABELS:
        value = getattr(review, field)
        if isinstance(value, list):
            value = ", ".join(value)
        if value in ("", None):
            continue
        _out(f"{label:<14} {inert(str(value))}")
    return 0


def _select(args, lib, review: str):
    kinds = KIND_CHOICES[args.kind]
    works = [w for w in lib.works(review) if w.kind in kinds]
    text, sort = args.filter, getattr(args, "sort", None)
    if getattr(args, "view", None):
        from tui.organise import find_view

        view = find_view(lib, args.view)
        text = f"{view.query} {text}".strip() if text else view.query
        sort = sort or view.sort
    if text:  # (the query and sort modules only when asked: 35 ms of imports)
        from tui.query import Index, parse

        query = parse(text, strict=True, statuses=lib.settings.lookup())
        works = [works[i] for i in Index(works).filter(query, lib.states())]
    if sort:
        from tui.organise import sort_works

        works = sort_works(works, sort, lib.state_view, lib.settings)
    return works


def cmd_list(args, lib) -> int:
    review = _review_key(args, lib)
    if args.json and not (args.filter or args.sort or args.view):
        _print_rows(lib, review, KIND_CHOICES[args.kind])
        return 0
    works = _select(args, lib, review)
    if args.json:
        labels = lib.settings.labels
        queue = {w.ident: i for i, w in enumerate(lib.queue(), 1)}
        rows = [_work_json(w, lib.state(w), labels, queue) for w in works]
        _print_json(rows)
        return 0
    width = shutil.get_terminal_size((120, 24)).columns if _is_tty() else 0
    for w in works:
        status = lib.state(w).status
        who = inert(w.byline(), keep_newlines=False)
        title = inert(w.title or w.raw, keep_newlines=False)
        journal = inert(w.journal, keep_newlines=False)
        head = f"{w.local_id:<6} [{STATUS_MARK.get(status, '?')}] {fit(who, 22)} {str(w.year or ''):<4}  "
        if width:
            rest = max(10, width - cell_width(head) - 1)
            jw = min(cell_width(journal), max(0, rest // 3))
            line = (
                head + fit(title, rest - jw - 2) + "  " + fit(journal, jw)
                if jw
                else head + fit(title, rest)
            )
            _out(line.rstrip())
        else:
            _out(f"{head}{title}  {journal}".rstrip())
    if _is_tty():
        read = sum(1 for w in works if lib.state(w).status == "read")
        _out(f"{plural(len(works), 'work')}, {read} read")
    return 0


def _punct_option(parser) -> None:
    parser.add_argument(
        "--punct",
        default="standard",
        metavar="WIDTH",
        help="GB/T punctuation: standard (as the edition prints it), half, or bylanguage",
    )


def cmd_cite(args, lib) -> int:
    from tui.cite import (
        check_punct,
        check_style,
        format_bibliography,
        learn_proper_nouns,
        proper_nouns_of_titles,
    )

    style = check_style(args.style)
    punct = check_punct(args.punct)
    review = getattr(args, "sub_review", None) or args.review
    review = review or lib.default_review_key()
    works = _resolve_all(lib, args.ids, review)
    nouns = None
    if style.startswith("gbt7714"):  # sentence case keeps the review's proper nouns
        if review is None:
            nouns = learn_proper_nouns([*lib.works(), *works])
        else:  # learned from every title of the review: kept in the library's cache
            learned = lib.derived(
                "gbt7714.proper-nouns.1", review, lambda: proper_nouns_of_titles(lib.titles(review))
            )
            nouns = learned | learn_proper_nouns(works)
    text = format_bibliography(works, style, punct=punct, proper_nouns=nouns)
    shown = inert(text)
    _out(shown.rstrip("\n"))
    if args.copy:
        from tui.clipboard import copy

        result = copy(text, terminal_copy=_osc52 if sys.stderr.isatty() else None)
        _err(result.message)
    return 0


def cmd_mark(args, lib) -> int:
    if len(args.args) < 2:
        raise ReadingListError("usage: readinglist mark ID... read|reading|unread")
    *tokens, status = args.args
    # any case (`mark ref1 Read`, as style names are case-insensitive), shown or stored name
    found = lib.settings.resolve(status)
    if found is None:
        valid = lib.settings.describe()
        raise ReadingListError(f"unknown status '{inert(status)}': use one of {valid}")
    review = getattr(args, "sub_review", None) or args.review
    works = _resolve_all(lib, tokens, review or lib.default_review_key())
    lib.set_status(works, found)
    for w in works:
        _out(f"{w.id}\t{lib.settings.label(found)}")
    return 0


def cmd_note(args, lib) -> int:
    review = getattr(args, "sub_review", None) or args.review
    work = lib.resolve(args.id, review or lib.default_review_key())
    if args.text is None:
        note = lib.state(work).note
        if note:
            _out(note)
        else:
            _err(f"{work.id} has no note")
        return 0
    lib.set_note(work, args.text)
    _out(f"{work.id}\tnote {'cleared' if not args.text else 'saved'}")
    return 0


def cmd_export(args, lib) -> int:
    from tui.cite import check_punct, check_style, export_markdown, format_bibliography

    punct = check_punct(args.punct)

    review = _review_key(args, lib)
    works = _select(args, lib, review)
    fmt = args.format.lower()
    progress = None
    if len(works) >= 1000 and sys.stderr.isatty():

        def progress(done: int, total: int) -> None:
            sys.stderr.write(f"\rexporting {done}/{total}")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()

    if fmt == "markdown":
        r = lib.get_review(review)
        states = {w.ident: lib.state(w) for w in works}
        text = export_markdown(
            works, states, title=r.title, labels=lib.settings.labels, punct=punct
        )
    else:
        tags = [list(lib.state(w).tags) for w in works] if args.with_tags else None
        text = format_bibliography(
            works,
            check_style(args.format),
            progress=progress,
            numbered=True,
            tags=tags,
            punct=punct,
        )
    if not text.endswith("\n"):
        text += "\n"
    if args.output and args.output != "-":  # `-o -` is stdout, as usual
        out = Path(args.output).expanduser()
        if not out.parent.is_dir():
            raise NotFound(f"cannot write {args.output}: folder {out.parent} does not exist")
        _atomic_write(out, text.encode("utf-8"))
        _err(f"wrote {plural(len(works), 'work')} to {args.output}")
    else:
        sys.stdout.write(inert(text))
    return 0


def cmd_stats(args, lib) -> int:
    if args.by or args.json or args.csv:
        return cmd_stats_by(args, lib, _out, _print_json, _is_tty())
    total_read = total = 0
    for row in lib.stats():
        parts = []
        for kind, c in row["kind"].items():
            if not c["total"]:
                continue
            label = lib.settings.label
            more = "".join(
                f", {n} {label(status)}"
                for status, n in c.items()
                if n and status not in ("total", "read", "unread")
            )
            parts.append(
                f"{KIND_PREFIX.get(kind, kind)}s {c['read']}/{c['total']} {label('read')}{more}"
            )
            total_read += c["read"]
            total += c["total"]
        title = inert(row.get("title", ""), keep_newlines=False)
        _out(f"{row['key']}\t{'; '.join(parts)}\t{title}")
    pct = (100 * total_read / total) if total else 0
    _out(f"total\t{total_read}/{total} read ({pct:.0f}%)")
    return 0


def cmd_styles(args, lib=None) -> int:
    from tui.cite import STYLES, credits

    for name, desc in STYLES.items():
        _out(f"{name:<10} {desc}")
    _out("")
    _out(credits())
    return 0


def cmd_doctor(args, lib=None) -> int:
    """Never opens the library (it may be damaged): exit 0 healthy, 1 problems found."""
    from tui.doctor import diagnose, recover
    from tui.paths import default_db_path

    path = Path(args.db).expanduser() if args.db else default_db_path()
    diagnosis = diagnose(path)
    for line in diagnosis.lines():
        _out(inert(line).replace("\n", " "))
    if not args.recover:
        return 0 if diagnosis.healthy and not diagnosis.warnings() else 1
    if diagnosis.healthy and not args.into:
        _out("nothing to recover")
        return 0
    for line in recover(path, args.into).lines():
        _out(inert(line).replace("\n", " "))
    return 0


def cmd_completion(args, lib=None) -> int:
    """The completion script, generated from build_parser(): new subcommands are in it."""
    from tui.completion import script

    sys.stdout.write(script(build_parser(), args.shell))
    return 0


def _opens_fast(args) -> bool:
    """Whether the library's cache is current: then opening it reads only the cache's
    index (milliseconds even at 100,000 works), else it parses the library file or
    imports the shipped review (seconds)."""
    from tui.bibcache import cache_path_for, is_current
    from tui.fsutil import resolve
    from tui.paths import default_db_path
    from tui.storage import file_signature

    path = resolve(Path(args.db).expanduser() if args.db else default_db_path())
    try:
        return is_current(cache_path_for(path), file_signature(path))
    except ReadingListError:
        return False


def _open_app(args) -> int:
    """Open the app. A library whose cache is current is opened first (the screen then
    shows its first rows at once and loads the rest of a long review behind); any
    other is opened in a thread while the first screen paints, except that --review
    opens it first, since an unknown review is a user error before the screen opens."""
    import gc

    # The collector is off until the first frame is out (MainScreen turns it on again,
    # after gc.freeze): Textual, the app and the first screen make thousands of objects
    # that live as long as the app, and its passes over them were ~20 ms of the start.
    gc.disable()
    try:
        return _run_app(args)
    finally:
        gc.enable()


def _run_app(args) -> int:
    from tui.app.app import run_app

    if args.review or _opens_fast(args):
        lib = _open_library(args)
        try:
            if args.review:
                lib.get_review(args.review)
            run_app(lib, args.review)
        finally:
            lib.close()
    else:
        run_app(lambda: _open_library(args), None)
    return 0


COMMANDS = {
    "import": cmd_import,
    "reviews": cmd_reviews,
    "review": cmd_review,
    "list": cmd_list,
    "cite": cmd_cite,
    "mark": cmd_mark,
    "note": cmd_note,
    "export": cmd_export,
    "stats": cmd_stats,
    "styles": cmd_styles,
    "doctor": cmd_doctor,
    "completion": cmd_completion,
    **ORGANISE_COMMANDS,
}
NO_LIBRARY = ("styles", "doctor", "completion")  # doctor: the library may not open
_ONLINE = ("resolve", "fetch", "add")  # in tui.cli_online


def _glue_dash_values(argv: list[str]) -> list[str]:
    """`--filter -stem` means the query "-stem", not an option (argparse would refuse it);
    `--sort -year` likewise."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--filter", "--sort") and i + 1 < len(argv) and argv[i + 1].startswith("-"):
            out.append(f"{a}={argv[i + 1]}")
            i += 2
            continue
        out.append(a)
        i += 1
    return out


# Commands that read the whole library and have written everything (files written,
# fsynced and renamed; the lock released by lib.close()) when they return: the program
# `readinglist` ends them without the interpreter's teardown, which only frees memory
# (every Work of the library: 0.1-0.3 s at 100,000 works). Not the app, nor the online
# commands (their HTTP threads), nor cite (the clipboard).
FAST_EXIT = frozenset({"export", "list", "import", "stats", "reviews"})


def _exit_now(code: int) -> None:
    """End the process with `code` once stdout and stderr are flushed and the atexit
    functions have run; return (and let the interpreter exit as usual, saying what went
    wrong) when a flush fails."""
    import atexit

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    atexit._run_exitfuncs()
    os._exit(code)


def run() -> None:
    """The `readinglist` program (and `python -m tui`): main(), ending at once after the
    commands of FAST_EXIT. Tests call main(), which always returns."""
    raise SystemExit(main(fast_exit=True))


def _plain_launch(argv: list[str]) -> SimpleNamespace | None:
    """The app's own launch (`readinglist`, with `--db PATH` and `--review KEY`) read
    without the parser of every command (building it was ~5 ms of the app's start);
    None for anything else (a command, --help, an abbreviation, a missing value or one
    that starts with "-"), which build_parser() reads, errors included. Gives what that
    parser gives (tests/unit/test_cli.py compares them), without importing argparse."""
    found: dict[str, str | None] = {"db": None, "review": None}
    i = 0
    while i < len(argv):
        name, eq, value = argv[i].partition("=")
        if name not in ("--db", "--review"):
            return None
        if eq:
            i += 1
        else:
            if i + 1 >= len(argv) or argv[i + 1].startswith("-"):
                return None
            value = argv[i + 1]
            i += 2
        found[name[2:]] = value
    return SimpleNamespace(**found, command=None)


def main(argv: list[str] | None = None, *, fast_exit: bool = False) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _plain_launch(argv) or build_parser().parse_args(_glue_dash_values(argv))
    try:
        if args.command in NO_LIBRARY:
            return COMMANDS[args.command](args)
        if args.command is None:
            return _open_app(args)
        _check_filter_size(args)
        lib = _open_library(args)
        try:
            if args.command in _ONLINE:
                from tui.cli_online import COMMANDS as ONLINE_COMMANDS

                return ONLINE_COMMANDS[args.command](args, lib)
            code = COMMANDS[args.command](args, lib)
        finally:
            lib.close()
        if fast_exit and args.command in FAST_EXIT:
            _exit_now(code)
        return code
    except ReadingListError as err:
        _err(inert(str(err), keep_newlines=False))
        return err.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`readinglist list | head`): not an error
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        except OSError:
            pass
        return 0


if __name__ == "__main__":
    run()
