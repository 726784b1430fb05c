"""The command line's organising commands (issue 14): tag, priority, next, view, and
`stats --by`. Kept apart from tui/cli.py so that file stays about the daily commands;
cli.py registers these (`add_organise_commands`) and dispatches to `COMMANDS`.

Same rules as cli.py: every ID and value is checked before anything is written; a user
error is one line on stderr and exit status 2 (a ReadingListError).
"""

from __future__ import annotations

import sys
from urllib.parse import quote

from tui.errors import ReadingListError
from tui.model import Work
from tui.text import inert

PRIORITIES = {"1": 1, "2": 2, "3": 3, "0": 0, "none": 0}


def add_organise_commands(sub, command, complete) -> None:
    """The subcommands, built with cli.py's `_command` (description and examples)."""
    s = command(
        sub,
        "tag",
        "add or remove tags: tag ID... +TAG -TAG",
        "Add (+TAG) and remove (-TAG) tags on one or more works. Tags are reading\n"
        "state: a work with the same DOI or PMID in another review has the same tags.\n"
        "With no +/- the tags of each work are printed.",
        "  readinglist tag ref1 ref2 +fibrosis +'stem cells'\n"
        "  readinglist tag ref1 -fibrosis\n  readinglist tag ref1",
    )
    # nargs "...": argparse.REMAINDER (argparse is imported only with the parser)
    s.add_argument("args", nargs="...", metavar="ID... +TAG -TAG", help="IDs, then tags")

    s = command(
        sub,
        "priority",
        "set the priority: priority ID... 1|2|3|none",
        "Set the priority of one or more works: 1 is the highest (as JabRef's prio1);\n"
        "none takes it away. Filter with prio:1, sort with --sort priority.",
        "  readinglist priority ref16 1\n  readinglist priority ref1 ref2 none",
    )
    complete(s.add_argument("args", nargs="+", metavar="ID... PRIORITY"), list(PRIORITIES))
    s.add_argument("--review", dest="sub_review", metavar="KEY")

    s = command(
        sub,
        "next",
        "the first work of the reading queue (--open opens it)",
        "Print the first queued work (mark works `queued` to queue them; the queue\n"
        "keeps the order they were queued in, and the app's keys move them). Without\n"
        "--review, the queue of the whole library. --open opens its DOI or PubMed\n"
        "page and, as the app's o, marks it reading (see the settings file).",
        "  readinglist mark ref3 ref7 queued\n  readinglist next\n  readinglist next --open",
    )
    s.add_argument("--open", action="store_true", help="open it in the browser")
    s.add_argument("--json", action="store_true", help="print one JSON object (null: none)")
    s.add_argument("--review", dest="sub_review", metavar="KEY")

    s = command(
        sub,
        "view",
        "saved views: view save NAME QUERY [--sort KEY] | view list | view delete NAME",
        "A view is a named filter and sort; `list --view NAME` and the app's views\n"
        "(keys 1-9) use them. Shipped: To read, Unread with DOI, Read this week.",
        "  readinglist view list\n"
        "  readinglist view save 'Top' 'prio:1 -status:read' --sort year\n"
        "  readinglist list --view Top\n  readinglist view delete Top",
    )
    vs = s.add_subparsers(dest="view_command", metavar="ACTION", parser_class=type(s))
    vs.required = True
    v = vs.add_parser("save", help="save (or replace) a view")
    v.add_argument("name", metavar="NAME")
    v.add_argument("query", metavar="QUERY")
    v.add_argument("--sort", default="n", metavar="KEY", help="sort key (default: n)")
    v = vs.add_parser("list", help="the saved views")
    v.add_argument("--json", action="store_true", help="print one JSON array")
    v = vs.add_parser("delete", help="delete a view")
    v.add_argument("name", metavar="NAME")


def add_stats_options(s) -> None:
    s.add_argument(
        "--by",
        choices=["week", "month"],
        help="works read per week or month, the pace and the expected finish date",
    )
    s.add_argument("--json", action="store_true", help="print one JSON object")
    s.add_argument("--csv", action="store_true", help="print the series as CSV")


# ---------------------------------------------------------------------------- helpers


def _cli():
    from tui import cli  # (cli imports this module: its helpers are fetched when run)

    return cli


def _review(args) -> str | None:
    return getattr(args, "sub_review", None) or args.review


def _line(work: Work, lib) -> str:
    st = lib.state(work)
    who = inert(work.byline(), keep_newlines=False)
    title = inert(work.title or work.raw, keep_newlines=False)
    prio = f"\tprio {st.priority}" if st.priority else ""
    return f"{work.id}\t{who}\t{work.year or ''}\t{title}{prio}"


def work_url(work: Work) -> str:
    """The DOI, else PubMed, else an http(s) URL (as the app's `o`)."""
    if work.doi.strip():
        return "https://doi.org/" + quote(work.doi.strip(), safe="/:;()._-")
    if work.pmid.strip():
        return f"https://pubmed.ncbi.nlm.nih.gov/{quote(work.pmid.strip())}/"
    url = work.url.strip()
    ok = url.lower().startswith(("https://", "http://")) and " " not in url
    return url if ok and url.isprintable() else ""


def keyword_tags(work: Work) -> list[str]:
    """Tags from the keywords an import kept (BibTeX keywords, RIS KW, CSL keyword)."""
    out: list[str] = []
    for name in ("keywords", "keyword"):
        value = work.extra.get(name)
        if isinstance(value, str):
            sep = ";" if ";" in value else ","
            out += value.split(sep)
        elif isinstance(value, list):
            out += [v for v in value if isinstance(v, str)]
    return [" ".join(t.split()) for t in out if t.strip()][:50]


def import_tags(lib, works: list[Work]) -> None:
    """`import --tags-from-keywords`: each work's keywords become its tags (added)."""
    by_tags: dict[tuple[str, ...], list[Work]] = {}
    for w in works:
        tags = tuple(keyword_tags(w))
        if tags:
            by_tags.setdefault(tags, []).append(w)
    for tags, group in by_tags.items():
        lib.edit_tags(group, add=tags)


# ---------------------------------------------------------------------------- commands


def cmd_tag(args, lib) -> int:
    cli = _cli()
    tokens = list(args.args)
    review = _review(args)
    if "--review" in tokens:  # (the remainder holds it when given after the IDs)
        i = tokens.index("--review")
        if i + 1 >= len(tokens):
            raise ReadingListError("--review needs a KEY")
        review = tokens[i + 1]
        del tokens[i : i + 2]
    if tokens[:1] == ["--"]:
        tokens = tokens[1:]
    ids = [t for t in tokens if not t.startswith(("+", "-"))]
    add = [t[1:] for t in tokens if t.startswith("+")]
    remove = [t[1:] for t in tokens if t.startswith("-")]
    if not ids:
        raise ReadingListError("usage: readinglist tag ID... +TAG -TAG")
    if any(not " ".join(t.split()) for t in add + remove):
        raise ReadingListError("an empty tag: write +TAG or -TAG")
    if any(len(t) > 100 for t in add):
        raise ReadingListError("a tag is at most 100 characters")
    works = cli._resolve_all(lib, ids, review or lib.default_review_key())
    if add or remove:
        lib.edit_tags(works, add=add, remove=remove)
    for w in works:
        cli._out(f"{w.id}\t{', '.join(lib.state(w).tags)}")
    return 0


def cmd_priority(args, lib) -> int:
    cli = _cli()
    if len(args.args) < 2:
        raise ReadingListError("usage: readinglist priority ID... 1|2|3|none")
    *tokens, value = args.args
    priority = PRIORITIES.get(value.strip().lower())
    if priority is None:
        raise ReadingListError(f"unknown priority '{inert(value)}': use 1, 2, 3 or none")
    works = cli._resolve_all(lib, tokens, _review(args) or lib.default_review_key())
    lib.set_priority(works, priority)
    for w in works:
        cli._out(f"{w.id}\tprio {priority or 'none'}")
    return 0


def cmd_next(args, lib) -> int:
    cli = _cli()
    review = _review(args)
    queue = lib.queue(review=review)
    if not queue:
        if args.json:
            cli._print_json(None)
            return 0
        where = f"review '{review}'" if review else "the library"
        raise ReadingListError(
            f"nothing is queued in {where}; queue works with `readinglist mark ID... queued`"
        )
    work = queue[0]
    if args.json:
        st = lib.state(work)
        cli._print_json(cli._work_json(work, st, lib.settings.labels, {work.ident: 1}))
    else:
        cli._out(_line(work, lib))
    if args.open:
        url = work_url(work)
        if not url:
            raise ReadingListError(f"{work.id} has no DOI, PMID or URL to open")
        import webbrowser

        if not webbrowser.open(url):
            cli._err(f"no browser could be started; the link is {url}")
        else:
            cli._err(f"opening {url}")
        if lib.settings.open_marks_reading:
            lib.set_status([work], "reading")
    return 0


def cmd_view(args, lib) -> int:
    from tui.organise import delete_view, save_view, views

    cli = _cli()
    if args.view_command == "save":
        view = save_view(lib, args.name, args.query, args.sort)
        cli._out(f"saved view '{view.name}'")
    elif args.view_command == "delete":
        view = delete_view(lib, args.name)
        cli._out(f"deleted view '{view.name}'")
    elif args.json:
        cli._print_json([v.to_dict() for v in views(lib)])
    else:
        for i, v in enumerate(views(lib), 1):
            cli._out(f"{i}\t{v.name}\t{v.query}\t--sort {v.sort}")
    return 0


def cmd_stats_by(args, lib, out, print_json, tty: bool) -> int:
    """`stats --by week|month`, `--json`, `--csv`: the whole library's progress, and each
    review's counts (with --json)."""
    from tui.organise import bar_chart, period_label, progress_of

    by = args.by or "week"
    settings = lib.settings
    whole = progress_of(lib.idents(), lib.state_view, settings, by=by)
    if args.json:
        reviews = [
            {
                "key": r.key,
                **progress_of(lib.idents(r.key), lib.state_view, settings, by=by).to_json(),
            }
            for r in lib.reviews()
        ]
        print_json({**whole.to_json(settings), "reviews": reviews, "stats": lib.stats()})
        return 0
    if args.csv:
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([by, "start", "read"])
        for row in whole.rows():
            writer.writerow([row["period"], row["start"], row["read"]])
        return 0
    for start, n in whole.series:
        out(f"{period_label(start, by)}\t{start.isoformat()}\t{n}")
    if tty:
        out("")
        for line in bar_chart([(period_label(s, by), n) for s, n in whole.series]):
            out(line)
    counts = ", ".join(f"{n} {settings.label(k)}" for k, n in whole.counts.items() if n)
    out(f"total\t{whole.total} works: {counts}")
    finish = whole.finish_date()
    per = "week" if by == "week" else "month"
    if whole.left <= 0:
        out("finished: nothing left to read")
    elif finish is None:
        out(f"left\t{whole.left} to read; no pace yet (nothing read in the last 4 {per}s)")
    else:
        out(f"left\t{whole.left} to read at {whole.pace():.1f} a {per}: done by {finish}")
    return 0


COMMANDS = {"tag": cmd_tag, "priority": cmd_priority, "next": cmd_next, "view": cmd_view}
