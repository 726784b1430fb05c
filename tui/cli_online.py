"""The online subcommands: resolve, fetch, add (kept apart from cli.py, which only
registers them, so the commands that never touch the network stay as they were).

Each asks the services first and writes once at the end: a service error, no
network or Ctrl-C leaves the library as it was (the answers received so far stay in
the on-disk cache, so running again picks up where it stopped, without asking).
"""

from __future__ import annotations

import sys

from tui.errors import ReadingListError
from tui.text import fit, inert


def add_parsers(sub) -> None:
    from tui.cli import _command

    s = _command(
        sub,
        "resolve",
        "find the DOI and PMID of printed references (Crossref, PubMed)",
        "Look up each printed reference of a review without a DOI or PMID in PubMed's\n"
        "citation matcher and Crossref's bibliographic search. A match is written only\n"
        "when its title, year and first author agree; unsure matches are listed for you\n"
        "to confirm with --confirm, never written silently. Answers are cached on disk.",
        "  readinglist resolve --dry-run\n"
        "  readinglist resolve --review lin2025\n"
        "  readinglist resolve --confirm ref12",
    )
    s.add_argument("--review", dest="sub_review", metavar="KEY")
    s.add_argument(
        "--dry-run", action="store_true", help="show what would be linked; write nothing"
    )
    s.add_argument(
        "--confirm",
        nargs="+",
        metavar="ID",
        default=[],
        help="accept the unsure match shown for these works",
    )

    s = _command(
        sub,
        "fetch",
        "fetch abstracts and more for works with a DOI or PMID",
        "Fetch abstracts, MeSH terms, full author lists, PMC and open-access links for\n"
        "the works of a review that have a DOI or PMID (PubMed, Crossref, the NCBI ID\n"
        "converter, and Unpaywall when an email is set). Fetched fields are kept beside\n"
        "the printed ones, with where they came from; nothing printed is overwritten.",
        "  readinglist fetch\n  readinglist fetch --fields abstract,mesh --review lin2025",
    )
    s.add_argument("--review", dest="sub_review", metavar="KEY")
    s.add_argument(
        "--fields",
        metavar="LIST",
        default="",
        help="comma-separated, of: abstract, mesh, authors, pmcid, types, issn, license, oa "
        "(default: all)",
    )

    s = _command(
        sub,
        "add",
        "add a work by identifier: a DOI, pmid:N, arXiv:ID or isbn:N",
        "Add a work to a review or collection by its identifier, with its record from\n"
        "Crossref (DOI), PubMed (PMID), arXiv or Open Library (ISBN).",
        "  readinglist add 10.1007/s40257-023-00831-2\n"
        "  readinglist add pmid:38087156 --into lin2025\n"
        "  readinglist add arXiv:2401.01234\n"
        "  readinglist add isbn:9787302589785",
    )
    s.add_argument("identifier", metavar="IDENTIFIER")
    s.add_argument(
        "--into", metavar="KEY", help="the review or collection to add it to (default: 'added')"
    )


def _client(lib):
    from tui.online.http import Client, Settings

    return Client(Settings.load(lib.get_pref("online")))


class _Bar:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, verb: str) -> None:
        self.verb = verb
        self.on = sys.stderr.isatty()

    def __call__(self, done: int, total: int, work) -> None:
        if not self.on or not total:
            return
        width = 24
        filled = width * done // total
        label = fit(inert(work.local_id, keep_newlines=False), 8)
        sys.stderr.write(
            f"\r{self.verb} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label}"
        )
        if done == total:
            sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.on:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _interrupted(bar: _Bar) -> int:
    bar.clear()
    sys.stderr.write(
        "readinglist: interrupted; nothing was changed (answers so far are cached: "
        "running again continues without asking them again)\n"
    )
    return 130


def _review(args, lib) -> str:
    from tui.cli import _review_key

    return _review_key(args, lib)


def cmd_resolve(args, lib) -> int:
    from tui.cli import _out
    from tui.online.tasks import needs_resolving, resolution_changes, resolve

    key = _review(args, lib)
    works = [w for w in lib.works(key) if needs_resolving(w)]
    confirm = {lib.resolve(t, key).id for t in args.confirm}  # unknown IDs: before asking
    if confirm:
        works = [w for w in works if w.id in confirm]
    bar = _Bar("resolving")
    try:
        with _client(lib) as client:
            outcomes = resolve(client, works, bar)
    except KeyboardInterrupt:
        return _interrupted(bar)
    bar.clear()
    changes = resolution_changes(outcomes, confirm)
    counts = {"resolved": 0, "unsure": 0, "not found": 0}
    for o in outcomes:
        status = "resolved" if o.work.id in changes else o.status
        counts[status] = counts.get(status, 0) + 1
        what = fit(inert(o.work.title or o.work.raw, keep_newlines=False), 50)
        if o.work.id in changes:
            got = changes[o.work.id]
            ids = " ".join(f"{k}:{got[k]['value']}" for k in ("doi", "pmid") if k in got)
            how = ", ".join(
                sorted(
                    {
                        f"{got[k]['source']} ({'+'.join(got[k]['evidence']['agreed'])})"
                        for k in got
                        if k in ("doi", "pmid")
                    }
                )
            )
            _out(f"{o.work.local_id}\tresolved\t{ids}\t{how}\t{what}")
        elif o.unsure:
            v = o.unsure[0]
            c = v.candidate
            agreed = "+".join(v.agreed) or "nothing"
            _out(
                f"{o.work.local_id}\tunsure\t{c.ident}:{c.value}?\t{c.service}: {agreed} agree"
                f' — "{fit(inert(c.title, keep_newlines=False), 40)}"\t{what}'
            )
        else:
            _out(f"{o.work.local_id}\tnot found\t\t\t{what}")
    skipped = len(lib.works(key)) - len(works) if not confirm else 0
    summary = (
        f"{counts['resolved']} resolved, {counts['unsure']} unsure, "
        f"{counts['not found']} not found"
        + (f"; {skipped} already had a DOI and PMID" if skipped else "")
    )
    if args.dry_run:
        _out(summary + " (dry run: nothing written)")
        return 0
    lib.set_fetched(changes)
    if counts["unsure"]:
        summary += "; confirm an unsure match with `readinglist resolve --confirm ID...`"
    _out(summary)
    return 0


def cmd_fetch(args, lib) -> int:
    from tui.cli import _out
    from tui.online.tasks import FETCH_FIELDS, fetch

    wanted = tuple(f.strip().lower() for f in args.fields.split(",") if f.strip()) or FETCH_FIELDS
    unknown = [f for f in wanted if f not in FETCH_FIELDS]
    if unknown:
        raise ReadingListError(
            f"unknown field '{inert(unknown[0])}' (use {', '.join(FETCH_FIELDS)})"
        )
    key = _review(args, lib)
    works = [w for w in lib.works(key) if w.any_doi or w.any_pmid]
    bar = _Bar("fetching")
    try:
        with _client(lib) as client:
            changes = fetch(client, works, wanted, bar)
    except KeyboardInterrupt:
        return _interrupted(bar)
    bar.clear()
    lib.set_fetched(changes)
    abstracts = sum(1 for c in changes.values() if "abstract" in c)
    _out(
        f"{len(changes)} of {len(works)} works with a DOI or PMID got data "
        f"({abstracts} abstracts); {len(lib.works(key)) - len(works)} have no identifier "
        f"(try `readinglist resolve`)"
    )
    return 0


def cmd_add(args, lib) -> int:
    from tui.cli import _out
    from tui.online.intake import add_to_library, already_there
    from tui.online.tasks import lookup, parse_identifier

    ident = parse_identifier(args.identifier)  # a bad identifier asks nothing
    into = lib.get_review(args.into).key if args.into else None
    there = already_there(lib, ident)
    if there is not None:
        _out(f"{there.id}\talready in the library")
        return 0
    try:
        with _client(lib) as client:
            work = lookup(client, ident)
    except KeyboardInterrupt:
        sys.stderr.write("readinglist: interrupted; nothing was changed\n")
        return 130
    stored = add_to_library(lib, work, into)
    _out(f"{stored.id}\tadded\t{inert(stored.title, keep_newlines=False)}")
    return 0


COMMANDS = {"resolve": cmd_resolve, "fetch": cmd_fetch, "add": cmd_add}
