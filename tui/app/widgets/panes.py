"""The review pane and the detail pane: text built as rich Text, never as markup."""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from tui.app.jobs import style_label
from tui.app.messages import CitationReady
from tui.model import Review, State, Work
from tui.online.links import doi_url, fetched_source, full_text_url, pubmed_url, web_url
from tui.text import inert

LABEL = Style(bold=True)
DIM = Style(dim=True)
LABEL_WIDTH = 10


_TAG_SETS = (("ris_tags", "RIS"), ("medline_tags", "MEDLINE"), ("wos_tags", "WoS"),
             ("ovid_tags", "Ovid"))  # fmt: skip


def work_url(work: Work) -> str:
    """Where `o` takes the reader: the free full text when known, else the DOI, else the
    PubMed record, else the work's URL (printed or fetched; only ever http(s))."""
    return full_text_url(work)


def clean(text: str) -> str:
    """Data as one line of terminal-safe text."""
    return inert(text or "", keep_newlines=False)


def when(stamp: str) -> str:
    """An ISO timestamp as the reader's local "YYYY-MM-DD HH:MM"."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return clean(stamp)
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")


def issue_line(year, volume: str, issue: str, pages: str, supplement: str = "") -> str:
    """ "2018, 378(1): 35-47" as GB/T 7714 prints the numbers."""
    out = str(year or "")
    if volume:
        out += f", {volume}" if out else volume
    if issue:
        out += f"({issue})"
    if supplement:
        out += f" {supplement}"
    if pages:
        out += f": {pages}"
    return clean(out)


# Source fields an importer keeps in Work.extra, with the label a reader knows them by.
# Shown in this order; other extras follow under a label made from their name.
EXTRA_LABELS = {
    "month": "Month",
    "date": "Date",
    "isbn": "ISBN",
    "issn": "ISSN",
    "series": "Series",
    "journal_abbrev": "Journal abbr.",
    "short_title": "Short title",
    "container-title": "In",
    "booktitle": "In",
    "article_number": "Article no.",
    "type_of_work": "Type of work",
    "school": "School",
    "institution": "Institution",
    "organization": "Organization",
    "location": "Location",
    "database": "Database",
    "accession_number": "Accession no.",
    "eprint": "E-print",
    "archiveprefix": "Archive",
    "primaryclass": "Class",
    "pmcid": "PMCID",
    "language": "Language",
    "urls": "Other URLs",
    "updated": "Updated",
    "author_address": "Address",
    "keywords": "Keywords",
    "note": "Source note",
    "notes": "Source notes",
    "abstract": "Abstract",
}
# Importers' bookkeeping, meaningless to a reader: never shown.
HIDDEN_EXTRAS = {
    "id",
    "authors_full",
    "editors_full",
    "entry_type",
    "ris_type",
    "csl_type",
    "ris_other",
    "custom",
    "type",
    "key",
    "citation-key",
    "citation-label",
    "file",
    "owner",
    "timestamp",
    "crossref",
    "source",
}
MONTHS = (
    "January February March April May June July August September October November December"
).split()


def extra_fields(extra: dict) -> list[tuple[str, str]]:
    """(label, value) of the source extras a reader cares about, known ones first."""
    names = [n for n in EXTRA_LABELS if n in extra]
    names += sorted(
        n
        for n in extra
        if isinstance(n, str)
        and n not in EXTRA_LABELS
        and n not in HIDDEN_EXTRAS
        and not n.startswith("_")
        and not n.endswith(("_full", "_type"))
    )
    out: list[tuple[str, str]] = []
    for name in names:
        value = extra[name]
        if value in ("", None, [], {}) or isinstance(value, dict):
            continue
        if name == "month" and isinstance(value, int) and 1 <= value <= 12:
            shown = MONTHS[value - 1]
        elif isinstance(value, list):
            sep = "; " if name in ("keywords", "notes") else ", "
            shown = sep.join(str(v) for v in value if not isinstance(v, (dict, list)))
        else:
            shown = str(value)
        label = EXTRA_LABELS.get(name) or clean(name).replace("_", " ").replace("-", " ")
        if shown.strip():
            out.append((label[:1].upper() + label[1:], shown))
    return out


class Fields:
    """Blocks of text and "label  value" rows whose values wrap under the value column.

    Rows are laid out as a two-column rich Table grid (Rich wraps each cell, CJK
    included), so a long author list or abstract hangs under its value instead of
    running back under the label. `plain` is the same content as plain text.
    """

    def __init__(self) -> None:
        self.parts: list[Text | tuple[str, Text]] = []
        self.whole: set[int] = set()  # rows of identifiers: see `row`

    def text(self, text: Text | str, style: Style | str = "") -> None:
        self.parts.append(text if isinstance(text, Text) else Text(text, style=style))

    def row(
        self, label: str, value: str | Text, style: Style | str = "", *, whole: bool = False
    ) -> None:
        """A "label  value" row. `whole`: an identifier (DOI, URL...) is broken only
        where nothing else fits: too long for the value column, it goes on a line of its
        own under the label, and is folded only when it is longer than that line too."""
        if not isinstance(value, Text):
            value = Text(value, style=style)
        if whole:
            self.whole.add(len(self.parts))
        self.parts.append((label, value))

    @property
    def label_width(self) -> int:
        widths = [cell_len(p[0]) for p in self.parts if isinstance(p, tuple)]
        return max([LABEL_WIDTH - 1, *widths])

    @property
    def plain(self) -> str:
        width = self.label_width
        lines = []
        for part in self.parts:
            if isinstance(part, tuple):
                lines.append(part[0].ljust(width + 1) + part[1].plain)
            else:
                lines.append(part.plain)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.plain

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = self.label_width
        table: Table | None = None
        for i, part in enumerate(self.parts):
            if isinstance(part, tuple):
                if table is None:
                    table = Table.grid(padding=(0, 1))
                    table.add_column(width=width, no_wrap=True, style=LABEL)
                    table.add_column(ratio=1, overflow="fold")
                value = part[1]
                if i in self.whole and width + 1 + value.cell_len > options.max_width >= (
                    value.cell_len
                ):
                    table.add_row(Text(part[0], style=LABEL), Text(""))
                    yield table
                    table = None
                    line = value.copy()
                    line.end = "\n"  # (a link's Text ends in "": a line of its own here)
                    yield line
                    continue
                table.add_row(Text(part[0], style=LABEL), value)
                continue
            if table is not None:
                yield table
                table = None
            yield part
        if table is not None:
            yield table


def volume_text(volume: str, issue: str, supplement: str = "") -> tuple[str, str]:
    """("Volume", "25, issue 2") for the detail pane, or ("", "") when there is none."""
    parts = [clean(volume)] if volume else []
    if issue:
        parts.append(f"issue {clean(issue)}")
    if supplement:
        parts.append(clean(supplement))
    if not parts:
        return "", ""
    return ("Volume" if volume else "Issue"), ", ".join(parts)


def link(url_text: str, url: str) -> Text:
    return Text(url_text, style=Style(link=url, underline=True), end="")


def review_summary(review: Review) -> Text:
    """One line for the collapsed review pane."""
    title = clean(review.title_zh or review.title_en or review.key)
    journal = clean(review.journal_zh or review.journal_en)
    parts = [("▸ ", "dim"), (title, "bold")]
    if journal:
        parts.append(("  " + journal, ""))
    numbers = issue_line(review.year, review.volume, review.issue, review.pages)
    if numbers:
        parts.append((" " + numbers, ""))
    return Text.assemble(*parts, no_wrap=True, overflow="ellipsis", end="")


def review_text(review: Review) -> Fields:
    """Every field of the review, one per line, the abstract wrapped."""
    lines = Fields()
    if review.title_zh:
        lines.text(Text(clean(review.title_zh), style="bold"))
    if review.title_en:
        lines.text(Text(clean(review.title_en), style="bold italic"))
    if review.authors_zh:
        lines.row("Authors", clean(", ".join(review.authors_zh)))
    if review.authors_en:
        label = "" if review.authors_zh else "Authors"
        lines.row(label, clean(", ".join(review.authors_en)))
    journal = " / ".join(clean(j) for j in (review.journal_zh, review.journal_en) if j)
    numbers = issue_line(review.year, review.volume, review.issue, review.pages)
    if journal or numbers:
        lines.row("Journal", ", ".join(x for x in (journal, numbers) if x))
    if review.doi:
        lines.row("DOI", link(clean(review.doi), doi_url(review.doi)), whole=True)
    dates = "   ".join(
        f"{name} {clean(value)}"
        for name, value in (
            ("Received", review.received),
            ("Online", review.online),
            ("Published", review.published),
        )
        if value
    )
    if dates:
        lines.row("Dates", dates)
    if review.corresponding_author:
        who = clean(review.corresponding_author)
        if review.email:
            who += f" <{clean(review.email)}>"
        lines.row("Contact", who)
    keywords = "; ".join(clean(k) for k in (review.keywords_zh or review.keywords_en))
    if keywords:
        lines.row("Keywords", keywords)
    for abstract in (review.abstract_zh, review.abstract_en):
        if abstract:
            lines.text(Text(""))
            lines.text(Text("Abstract", style=LABEL))
            lines.text(Text(inert(abstract).strip()))
    cites = [c for c in (review.citation_zh, review.citation_en) if c]
    if cites:
        lines.text(Text(""))
        lines.text(Text("Cite this review as", style=LABEL))
        for c in cites:
            lines.text(clean(c))
    return lines


def work_text(
    work: Work,
    state: State,
    style: str,
    citation: str | None,
    selected: bool = False,
    labels: dict[str, str] | None = None,
) -> Fields:
    """Every field of one work, its links, reading state and citation (`labels`: the
    names the reader gave the states, tui.settings)."""
    kind = "Reference" if work.kind == "reference" else "Related article"
    head = Text.assemble(
        (f"{kind} {work.n}", "bold"),
        (f"  {clean(work.id)}  [{clean(work.type)}]", DIM),
        ("  selected" if selected else "", "bold"),
    )
    lines = Fields()
    lines.text(head)
    lines.text(clean(work.title), style="bold")
    if work.authors:
        names = ", ".join(clean(a) for a in work.authors)
        if work.et_al:
            names += ", 等" if work.is_chinese else ", et al."
        lines.row("Authors", names)
    if state.note:  # near the top: a note just written is seen without scrolling
        lines.row("Note", inert(state.note).rstrip())
    if work.journal:
        lines.row("Journal", clean(work.journal))
    if work.year:
        lines.row("Year", str(work.year))
    label, numbers = volume_text(work.volume, work.issue, work.supplement)
    if numbers:
        lines.row(label, numbers)
    if work.pages:
        lines.row("Pages", clean(work.pages))
    if work.csl:  # every role of the record, by name ("translator", "director"…)
        from tui.mapping import ROLE_LABELS, name_text, names_of

        for role, names in names_of(work.csl).items():
            if role != "author":
                label = ROLE_LABELS[role].capitalize() + ("s" if len(names) > 1 else "")
                lines.row(label, clean(", ".join(name_text(n) for n in names)))
    for label, value in (
        ("Editors", "" if work.csl else ", ".join(work.editors)),
        ("Publisher", ", ".join(x for x in (work.place, work.publisher) if x)),
        ("Edition", work.edition),
        ("Medium", work.medium),
        ("Accessed", work.accessed),
    ):
        if value:
            lines.row(label, clean(value))
    online_links(lines, work)
    if work.pii:
        lines.row("PII", clean(work.pii), whole=True)
    if work.url and not work.doi:
        url = web_url(work.url)
        lines.row("URL", link(clean(work.url), url) if url else clean(work.url), whole=True)
    for label, value in (("Review", work.review), ("Key", work.key), ("Language", work.lang)):
        if value:
            lines.row(label, clean(value))
    for key, fmt in _TAG_SETS:  # what has no CSL variable, kept under the source's tags
        tags = work.extra.get(key)
        for tag, values in (tags if isinstance(tags, dict) else {}).items():
            if isinstance(values, list):
                lines.row(f"{fmt} {tag}", clean("; ".join(str(v) for v in values)))
    for label, value in extra_fields(work.extra):
        lines.row(label, inert(value).strip() if label == "Abstract" else clean(value))
    source = fetched_source(work, "abstract")
    if source and work.abstract and "abstract" not in work.extra:  # printed, else fetched
        abstract = Text(inert(work.abstract).strip())
        abstract.append(f"\n(fetched from {clean(source)})", style=DIM)
        lines.row("Abstract", abstract)
    status = Text((labels or {}).get(state.status, state.status), style="bold")
    if state.changed:
        status.append(f"  since {when(state.changed)}", style=DIM)
    lines.row("Status", status)
    if state.priority:
        lines.row("Priority", f"{state.priority} (1 is the highest)")
    if state.tags:
        lines.row("Tags", clean(", ".join(state.tags)))
    lines.text(Text(""))
    lines.text(Text(f"Citation ({style})", style=LABEL))
    if citation is None:
        lines.text(Text("formatting…", style=DIM))
    else:
        lines.text(Text(inert(citation).rstrip()))
    if work.raw:
        lines.text(Text(""))
        lines.text(Text("As printed", style=LABEL))
        lines.text(Text(clean(work.raw)))
    for warning in work.warnings:
        lines.text(Text(f"! {clean(warning)}", style="italic"))
    return lines


def online_links(lines: Fields, work: Work) -> None:
    """DOI, PMID, PMC and free full text rows: printed, else fetched (saying from where)."""
    pmcid = work.fetched_value("pmcid")
    pmc = f"https://pmc.ncbi.nlm.nih.gov/articles/{pmcid}/" if isinstance(pmcid, str) else ""
    oa = work.fetched_value("oa_url")
    for label, value, url, name, printed in (
        ("DOI", work.any_doi, doi_url(work.any_doi), "doi", work.doi),
        ("PMID", work.any_pmid, pubmed_url(work.any_pmid), "pmid", work.pmid),
        ("PMC", pmcid if pmc else "", web_url(pmc), "pmcid", ""),
        ("Free text", oa if isinstance(oa, str) else "", web_url(str(oa)), "oa_url", ""),
    ):
        if not value:
            continue
        text = link(clean(value), url) if url else Text(clean(value))
        source = "" if printed else fetched_source(work, name)
        if source:
            text.append(f"  ({clean(source)})", style=DIM)
        lines.row(label, text, whole=True)


class ReviewPane(VerticalScroll, can_focus=True):
    """The review's own fields; collapsed to a single line on request or on short screens.

    A click on the collapsed line opens it (the same as `i`).
    """

    class Expand(Message):
        """The reader clicked the collapsed pane: the screen opens it (as `i` does)."""

    def on_click(self) -> None:
        if self.has_class("-collapsed"):
            self.post_message(self.Expand())

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.body = Static("", id="review-body", markup=False)

    def compose(self):
        yield self.body

    def show(self, review: Review | None, collapsed: bool, empty: str = "") -> None:
        self.set_class(collapsed, "-collapsed")
        if review is None:
            self.body.update(Text(empty or "No review in this database.", style="italic"))
        elif collapsed:
            self.body.update(review_summary(review))
        else:
            self.body.update(review_text(review))


class DetailPane(VerticalScroll, can_focus=True):
    """Everything about the highlighted work, with its citation in the current style.

    Citations are formatted here in a thread, one at a time; while one runs, only the
    latest request waits (holding a cursor key down formats the row it stops on, not
    every row). Nothing is cancelled, so waiting for workers never sees a cancelled one.
    What is formatted goes into `citations` (the session's: `c` copies from there);
    a style that fails says why here, and that is never copied.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.body = Static("", id="detail-body", markup=False)
        # (Work.id, style, punct) -> text; punct is GB/T's punctuation width (jobs.PUNCT)
        self.citations: dict[tuple[str, str, str], str] = {}
        self.labels: dict[str, str] = {}  # the reader's names of the states (tui.settings)
        self.errors: dict[tuple[str, str, str], str] = {}
        self.ready = False  # citeproc & co. wait until the first screen has painted
        self._shown: tuple[Work, State, str, bool, str] | None = None
        self._formatting = False
        self._wanted: tuple[Work, str, str] | None = None

    def compose(self):
        yield self.body

    def show(self, text: Text | Fields) -> None:
        self._shown = None
        self.body.update(text)

    def show_work(
        self, work: Work, state: State, style: str, selected: bool, punct: str = "standard"
    ) -> None:
        key = (work.id, style, punct)
        citation = self.citations.get(key) or self.errors.get(key)
        label = style_label(style, punct)
        self.body.update(work_text(work, state, label, citation, selected, self.labels))
        self._shown = (work, state, style, selected, punct)
        if citation is None:
            if self.ready:
                self._request(work, style, punct)
            else:  # formatted by start()
                self._wanted = (work, style, punct)

    def start(self) -> None:
        """The first frame is out: citations may be formatted from now on."""
        self.ready = True
        if self._wanted is not None and not self._formatting:
            self._request(*self._wanted)

    def _request(self, work: Work, style: str, punct: str) -> None:
        self._wanted = (work, style, punct)
        if not self._formatting:
            self._formatting = True
            self._format(work, style, punct)

    @work(thread=True, group="citation", description="format the citation")
    def _format(self, w: Work, style: str, punct: str) -> None:
        from tui.app.jobs import cite_for_detail

        self.post_message(cite_for_detail(w, style, punct))

    @on(CitationReady)
    def _citation_ready(self, message: CitationReady) -> None:
        message.stop()
        key = (message.work.id, message.style, message.punct)
        (self.citations if message.ok else self.errors)[key] = message.text
        self._formatting = False
        wanted = self._wanted
        if wanted is not None:
            wanted_key = (wanted[0].id, wanted[1], wanted[2])
            if wanted_key not in self.citations and wanted_key not in self.errors:
                self._request(*wanted)
        if self._shown is not None and self._shown[0].id == message.work.id:
            self.show_work(*self._shown)
