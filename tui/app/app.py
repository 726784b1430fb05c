"""The readinglist Textual app: a review, its references and related articles.

Entry point for the CLI: `run_app(library, review)`. Everything the app shows from
data is built as rich Text / Textual Content, never as markup strings.

Heavy modules (citeproc, bibtexparser via tui.cite) are imported lazily in thread
workers, so the first screen paints about as fast as a bare Textual app.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import sys
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.markup import escape as escape_markup
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from tui.app.widgets.panes import DetailPane, ReviewPane, work_text, work_url
from tui.app.widgets.worklist import WorkList
from tui.errors import ReadingListError
from tui.model import Review, State, Work
from tui.text import inert

if TYPE_CHECKING:
    from tui.store import Library

DEFAULT_STYLE = "gbt7714"
PANES = ("references", "related", "detail", "review")
SAVE_WARNING = "changes are NOT being saved"
HEADER_SIDES = 8 + 10  # Header's icon and clock space around the title
SHORT_SCREEN = 32  # below this many lines the review pane starts collapsed
INDEX_IN_BACKGROUND = 5000
# Lists at least this long (both together) are filtered in a thread: a filter over
# 100,000 works can take longer than a frame, and typing must never wait for it.
# Below it the answer comes faster than a thread could hand it back.
FILTER_IN_BACKGROUND = 5000
ALL_WORKS = "*"  # the review key that shows every work of the library  # lists at least this long are indexed in a thread

KEY_HELP: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Move",
        [
            ("up/down  j/k", "move in the list"),
            ("pgup/pgdn home/end", "page, first, last"),
            ("tab  shift+tab", "next / previous pane"),
            ("mouse", "click a row or pane, scroll with the wheel"),
        ],
    ),
    (
        "Filter",
        [
            ("/", "filter the lists as you type"),
            ("enter", "go to the filtered list, keeping the filter"),
            ("escape", "clear the filter (in a list: clear the selection first)"),
        ],
    ),
    (
        "Reading status",
        [
            ("space", "toggle read / unread"),
            ("r", "mark reading"),
            ("u", "mark unread"),
            (
                "v  x",
                "select / unselect, then move down (space, r, u, c, C then act on the selection)",
            ),
            ("V", "select every work shown / clear the selection"),
            ("z  ctrl+z", "undo the last change"),
        ],
    ),
    (
        "Marks in the lists",
        [
            ("✓  ▸", "read, reading (no mark: unread)"),
            ("✎", "has a note (n edits it)"),
            ("*", "selected (the pane title counts them)"),
        ],
    ),
    (
        "Citations",
        [
            ("c", "copy the citation in the current style"),
            ("s", "choose the citation style (live preview)"),
            ("d", "copy the DOI"),
            ("C", "copy selected (or all shown) works as a bibliography"),
        ],
    ),
    (
        "More",
        [
            ("o", "open the DOI (or PubMed record) in the browser"),
            ("n", "edit the note"),
            ("i", "show / hide the review's details"),
            ("R", "switch review"),
            ("ctrl+p", "command palette: every action, styles, reviews, themes"),
            ("?", "this help"),
            ("q", "quit"),
        ],
    ),
]

# (title, help, action) for the command palette: every action of the main screen
ACTIONS: list[tuple[str, str, str]] = [
    ("Filter", "Focus the filter input", "filter"),
    ("Clear filter", "Show every work again", "clear_filter"),
    ("Toggle read", "Mark the highlighted or selected works read / unread", "toggle_read"),
    ("Mark reading", "Mark the highlighted or selected works as reading", "mark('reading')"),
    ("Mark unread", "Mark the highlighted or selected works unread", "mark('unread')"),
    ("Mark read", "Mark the highlighted or selected works read", "mark('read')"),
    ("Select", "Select or unselect the highlighted work", "select"),
    ("Select all shown", "Select every work the filter shows, or clear", "select_all"),
    ("Undo", "Undo the last status or note change", "undo"),
    ("Copy citation", "Copy the citation in the current style", "copy"),
    ("Copy DOI", "Copy the DOI of the highlighted work", "copy_doi"),
    ("Copy bibliography", "Copy selected or shown works as a bibliography", "copy_bibliography"),
    ("Choose citation style", "Pick a style with a live preview", "choose_style"),
    ("Open in browser", "Open the DOI or PubMed record", "open"),
    ("Edit note", "Edit the note of the highlighted work", "note"),
    ("Toggle review details", "Show or hide the review pane's details", "toggle_review"),
    ("Switch review", "Open another review of the database", "switch_review"),
    ("Next pane", "Move to the next pane", "next_pane"),
    ("Help", "Show every key", "help"),
    ("Quit", "Leave readinglist", "quit"),
]

STYLE_FALLBACK = {
    "gbt7714": "GB/T 7714-2015 numeric",
    "printed": "the reference as the source printed it",
}


def style_catalogue() -> dict[str, str]:
    """Style name -> description, from tui.cite (imported on first use)."""
    try:
        from tui.cite import STYLES

        return dict(STYLES)
    except ImportError:  # the formatters are not installed yet
        return dict(STYLE_FALLBACK)


def format_citation(work: Work, style: str) -> str:
    from tui.cite import format_citation as fmt

    return fmt(work, style=style)


def format_bibliography(works: list[Work], style: str) -> str:
    """Numbered as the style prints its list ("[1] ", "1. "), as `export` numbers it."""
    from tui.cite import format_bibliography as fmt

    return fmt(works, style, numbered=True)


_REVERSED = re.compile(r"bad (year range|number) '(\d+)\s*(?:\.\.|-)\s*(\d+)'")


def filter_hint(error: str) -> str:
    """One of Query.errors as the filter bar shows it: shorter, with a way out."""
    m = _REVERSED.match(error)
    if m and int(m[2]) > int(m[3]):
        field = "year" if m[1] == "year range" else "n"
        return f"reversed range: did you mean {field}:{m[3]}..{m[2]}?"
    error = error.removesuffix(" in filter")
    return error.replace(" in filter (", " (")


def no_browser() -> str:
    """Why no web browser can be opened here ("" when one probably can).

    Textual's open_url calls webbrowser.open and ignores the result. On Linux without
    a display, webbrowser would start a text browser (lynx, w3m) inside this very
    terminal, or nothing at all; so there we only trust an explicit $BROWSER.
    """
    import webbrowser

    if os.environ.get("BROWSER"):
        return ""
    if not sys.platform.startswith(("win", "darwin", "cygwin")):
        wsl = "microsoft" in os.uname().release.lower()
        if not wsl and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return "no graphical display here (DISPLAY is not set)"
    try:
        webbrowser.get()
    except webbrowser.Error:
        return "no web browser found"
    return ""


def cite_credits() -> str:
    try:
        from tui.cite import credits

        return credits()
    except ImportError:
        return ""


class FilterInput(Input):
    """The filter above the lists; escape clears it and goes back to the list."""

    BINDINGS = [
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("down", "to_list", "To the list", show=False),
    ]

    def action_to_list(self) -> None:
        self.screen.action_focus_list()  # type: ignore[attr-defined]

    def action_clear_filter(self) -> None:
        self.value = ""
        self.screen.action_focus_list()  # type: ignore[attr-defined]


class ReadingListCommands(Provider):
    """Every action of the app, every citation style and every review in the palette."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        screen = app.main  # type: ignore[attr-defined]
        out: list[tuple[str, str, Callable[[], object]]] = []
        for title, help_text, action in ACTIONS:
            out.append((title, help_text, partial(screen.run_action, action)))
        for name, description in style_catalogue().items():
            out.append((f"Citation style: {name}", description, partial(screen.set_style, name)))
        try:
            library = app.library  # type: ignore[attr-defined]
            reviews = library.reviews() if library is not None else []
        except ReadingListError:
            reviews = []
        if len(reviews) > 1:
            out.append(
                (
                    "Review: All works",
                    "Every work of every review and collection",
                    partial(screen.open_review, ALL_WORKS),
                )
            )
            for review in reviews:
                out.append(
                    (
                        f"Review: {inert(review.title, keep_newlines=False)}",
                        f"Open review {review.key}",
                        partial(screen.open_review, review.key),
                    )
                )
        return out

    async def discover(self) -> Hits:
        for title, help_text, command in self._commands():
            yield DiscoveryHit(Text(title), command, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._commands():
            score = matcher.match(title)
            if score > 0:
                # highlight() reads markup: escape, so a title's "[J]" stays text
                shown = matcher.highlight(escape_markup(title))
                yield Hit(score, shown, command, text=title, help=help_text)


class MainScreen(Screen):
    """Review pane, filter, the two lists and the detail pane."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (SHORT_SCREEN, "-tall")]

    BINDINGS = [
        # shown in the footer, most needed first (an 80-column footer shows about six)
        Binding("slash", "filter", "Filter"),
        Binding("space", "toggle_read", "Read"),
        Binding("c", "copy", "Copy"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        Binding("r", "mark('reading')", "Reading"),
        Binding("s", "choose_style", "Style"),
        Binding("n", "note", "Note"),
        Binding("o", "open", "Open"),
        Binding("tab", "next_pane", "Pane"),
        # in the help screen and the command palette
        Binding("escape", "escape", "Clear", show=False),
        Binding("u", "mark('unread')", "Unread", show=False),
        Binding("v,x", "select", "Select", show=False),
        Binding("V", "select_all", "Select all", show=False),
        Binding("z,ctrl+z", "undo", "Undo", show=False),
        Binding("C", "copy_bibliography", "Copy all", show=False),
        Binding("d", "copy_doi", "Copy DOI", show=False),
        Binding("i", "toggle_review", "Review", show=False),
        Binding("R", "switch_review", "Switch review", show=False),
        Binding("shift+tab", "previous_pane", "Previous pane", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.review: Review | None = None
        self.review_key: str | None = None  # a review's key, or ALL_WORKS
        self.states: dict[str, State] = {}
        self.selection: dict[str, Work] = {}
        self.indexes: dict[str, object] = {}
        self.read_counts: dict[str, int] = {"reference": 0, "related": 0}
        self.undo_stack: list[tuple] = []
        self.citations: dict[tuple[str, str], str] = {}
        self.review_collapsed: bool | None = None  # None: by screen height
        self.filter_text = ""
        self.filter_errors: list[str] = []
        self._check_remembered = False  # the filter came from the last session  # what the filter could not use, one line each
        self.last_pane = "references"
        self._painted = False
        self._formatting = False  # a citation is being formatted in a thread
        self._detail_pending = False  # the detail pane will follow the cursor
        self._wanted: tuple[Work, str] | None = None  # the latest citation asked for
        self._generation = 0  # bumped whenever the lists are loaded again
        self._indexing: int | None = None  # the generation whose index is being built
        self._filter_seq = 0  # bumped by every apply_filter: older answers are stale
        self._filter_pending = False  # a filter runs in a thread; the lists show the last
        self.refs = WorkList("reference", "References", id="references")
        self.rels = WorkList("related", "Related", id="related")
        self.active: WorkList = self.refs
        self.review_pane = ReviewPane(id="review")
        self.detail = DetailPane(id="detail")
        self.filter_input = FilterInput(
            placeholder="/ filter: words, author:, title:, journal:, year:2015..2020, "
            "status:unread, has:doi, -word",
            id="filter",
            select_on_focus=False,
        )
        self.filter_info = Static("", id="filter-info", markup=False)

    @property
    def library(self) -> Library:
        return self.app.library  # type: ignore[attr-defined]

    @property
    def lists(self) -> tuple[WorkList, WorkList]:
        return (self.refs, self.rels)

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        with Horizontal(id="body"):
            with Vertical(id="main"):
                yield self.review_pane
                with Horizontal(id="filter-bar"):
                    yield self.filter_input
                    yield self.filter_info
                yield self.refs
                yield self.rels
            yield self.detail
        yield Footer()

    # --- loading -----------------------------------------------------------------

    def on_mount(self) -> None:
        self.call_after_refresh(self._first_paint_done)
        app: ReadingListApp = self.app  # type: ignore[assignment]
        if app.library is None:  # opened in a thread: paint first, fill the lists after
            self.refs.empty_text = "Opening the library…"
            self.rels.display = False
            self.review_pane.show(None, True, "Opening the library…")
            self.open_library(app.opener)
            return
        self.start()

    def start(self) -> None:
        """Show the library: the remembered (or requested) review, filter and pane."""
        app: ReadingListApp = self.app  # type: ignore[assignment]
        self.filter_text = app.initial_filter
        self.load_review(app.initial_review)
        if self.filter_text:
            self.filter_input.value = self.filter_text
            self._check_remembered = True
            self.apply_filter(self.filter_text)
            self.drop_remembered_filter_if_empty()
        pane = app.initial_pane if app.initial_pane in PANES else "references"
        self.focus_pane(pane)
        self.set_interval(2.0, self.check_external_changes)
        self.call_after_refresh(app.library_shown)
        for notice in self.library.notices:  # e.g. an older file converted: once, at start
            if notice not in app.notices_shown:
                app.notices_shown.add(notice)
                self.notify(
                    inert(notice, keep_newlines=False), title="Library", timeout=15, markup=False
                )

    @work(thread=True, group="open")
    def open_library(self, opener: Callable[[], Library]) -> None:
        try:
            library = opener()
        except ReadingListError as err:
            self.app.call_from_thread(self.app.fail, err)  # type: ignore[attr-defined]
            return
        gc.freeze()  # see tui/app/__init__.py
        self.app.call_from_thread(self._library_opened, library)

    def _library_opened(self, library: Library) -> None:
        app: ReadingListApp = self.app  # type: ignore[assignment]
        app.set_library(library)
        if self.filter_input.value:  # typed while the library was opening
            app.initial_filter = self.filter_input.value
        self.start()

    def _first_paint_done(self) -> None:
        self._painted = True
        self.ensure_indexes()  # big lists: ready before the reader types

    def load_review(self, key: str | None) -> None:
        """Show review `key` (or nothing when the database has none)."""
        lib = self.library
        self.review_key = key
        self.review = lib.get_review(key) if key and key != ALL_WORKS else None
        self.selection.clear()
        self.indexes.clear()
        self._generation += 1
        self._filter_seq += 1  # a filter still running was for the lists shown before
        self._filter_pending = False
        self.undo_stack.clear()
        self.citations.clear()  # a re-import may have changed the works
        self.states = lib.states()
        if key == ALL_WORKS:
            refs = lib.works(kind="reference")
            rels = lib.works(kind="related")
        else:
            refs = lib.works(review=key, kind="reference") if key else []
            rels = lib.works(review=key, kind="related") if key else []
        self.refs.selected = self.selection
        self.rels.selected = self.selection
        for wl in self.lists:  # every review's works: say which review each comes from
            wl.show_review = key == ALL_WORKS
        self.refs.set_works(refs, self.states)
        self.rels.set_works(rels, self.states)
        self.refs.empty_text = "No references." if not refs else "No reference matches the filter."
        self.rels.empty_text = "No related articles." if not rels else "No related article matches."
        self.rels.display = bool(rels)
        self.recount()
        self.show_review()
        if self.filter_text:
            self.apply_filter(self.filter_text)
        self.show_detail()

    def reload(self) -> None:
        """The database changed on disk (another readinglist): show it, keep the places."""
        keep = {wl.kind: (wl.highlighted.id if wl.highlighted else None) for wl in self.lists}
        key = self.review_key
        known = {r.key for r in self.library.reviews()} | {ALL_WORKS}
        if key not in known:
            key = self.library.default_review_key()
        undo = list(self.undo_stack)
        self.load_review(key)
        self.undo_stack = undo
        for wl in self.lists:
            if keep.get(wl.kind):
                wl.move_to_work(keep[wl.kind])

    def check_external_changes(self) -> None:
        try:
            changed = self.library.reload_if_changed()
        except ReadingListError as err:
            self.write_failed(err, severity="error")
            return
        if changed:
            self.reload()
        else:
            self.update_titles()  # save_error may have been cleared or set

    def recount(self) -> None:
        for wl in self.lists:
            self.read_counts[wl.kind] = wl.count_read()
        self.update_titles()

    def show_review(self) -> None:
        collapsed = self.review_collapsed
        if collapsed is None:
            collapsed = self.app.size.height < SHORT_SCREEN
        if self.review_key == ALL_WORKS:
            self.review_pane.show(None, collapsed, self.all_works_summary())
        else:
            self.review_pane.show(self.review, collapsed)
        self.review_pane.border_title = "Review" + (" (i: more)" if collapsed else " (i: less)")

    def all_works_summary(self) -> str:
        reviews = len(self.library.reviews())
        total = len(self.refs.works) + len(self.rels.works)
        return (
            f"All works: {total:,} works of {reviews} reviews and collections "
            "(R to open one review)"
        )

    def on_resize(self, event: events.Resize) -> None:
        self.app.refresh_header()  # type: ignore[attr-defined]
        if self.review_collapsed is None:
            self.show_review()

    # --- titles and counts -------------------------------------------------------

    def write_failed(self, err: ReadingListError, title: str = "", severity: str = "error") -> None:
        """A write failed: say why now, and keep saying so in the header until one works."""
        self.notify(str(err), title=title, severity=severity, markup=False)  # type: ignore[arg-type]
        self.update_titles()

    def save_state_warning(self) -> str:
        """The header's lasting warning while the library cannot save ("" when it can)."""
        app: ReadingListApp = self.app  # type: ignore[assignment]
        error = getattr(app.library, "save_error", None) if app.library is not None else None
        if not error:
            return ""
        return f"{SAVE_WARNING}: {inert(str(error), keep_newlines=False)}"

    def update_titles(self) -> None:
        app = self.app
        total_read = sum(self.read_counts.values())
        total = len(self.refs.works) + len(self.rels.works)
        if self.review_key == ALL_WORKS:
            app.title = "All works"
        elif self.review is not None:
            app.title = inert(self.review.short_title, keep_newlines=False)
        else:
            app.title = "readinglist"
        warning = self.save_state_warning()
        app.sub_title = f"{total_read}/{total} read" + (f" — {warning}" if warning else "")
        for wl in self.lists:
            title = f"{wl.label} {self.read_counts[wl.kind]}/{len(wl.works)}"
            if wl.filtered:
                title += f" · {len(wl.rows)} of {len(wl.works)} match"
            chosen = sum(1 for w in self.selection.values() if w.kind == wl.kind)
            if chosen:  # in the title, where the eye already is for the counts
                title += f" · {chosen} selected"
            wl.border_title = title
            wl.border_subtitle = "space, r, u mark them · esc unselects" if chosen else ""
        self.update_filter_info()

    def update_filter_info(self) -> None:
        if not self.filter_text.strip():
            self.filter_info.update("")
            return
        shown = len(self.refs.rows) + len(self.rels.rows)
        total = len(self.refs.works) + len(self.rels.works)
        problem = self.filter_errors[0] if self.filter_errors else ""
        if problem:
            # a dropped term would otherwise silently match everything
            text = Text("⚠ " + inert(problem, keep_newlines=False), style="bold")
            text.append(f"  {shown} of {total} shown", style="dim")
            self.filter_info.set_class(True, "-error")
        else:
            text = Text(f"{shown} of {total} match", style="bold")
            describe = getattr(self, "_describe", "")
            if describe:
                text.append("  " + inert(describe, keep_newlines=False), style="dim")
            self.filter_info.set_class(False, "-error")
        self.filter_info.update(text)

    # --- filter ------------------------------------------------------------------

    def ensure_indexes(self) -> bool:
        """True when both lists have a search index; else start building them.

        Small lists are indexed at once; big ones (100,000 works take about a second)
        in a thread, so neither the first paint nor the first keystroke waits.
        """
        missing = [wl for wl in self.lists if wl.kind not in self.indexes]
        if not missing:
            return True
        if sum(len(wl.works) for wl in missing) < INDEX_IN_BACKGROUND:
            from tui.query import Index

            for wl in missing:
                self.indexes[wl.kind] = Index(wl.works)
            return True
        if self._indexing != self._generation:
            self._indexing = self._generation
            self.build_indexes(self._generation, [(wl.kind, wl.works) for wl in missing])
        return False

    @work(thread=True, group="index")
    def build_indexes(self, generation: int, lists: list[tuple[str, list[Work]]]) -> None:
        from tui.query import Index

        built = {kind: Index(works) for kind, works in lists}
        self.app.call_from_thread(self._indexes_ready, generation, built)

    def _indexes_ready(self, generation: int, built: dict) -> None:
        self._indexing = None
        if generation != self._generation:
            if self.filter_text:  # built for lists no longer shown: build again
                self.apply_filter(self.filter_text)
            return
        self.indexes.update(built)
        if self.filter_text:
            self.apply_filter(self.filter_text)
            self.drop_remembered_filter_if_empty()

    def apply_filter(self, text: str) -> None:
        """Narrow both lists to the works matching `text` (the query language).

        Big lists are filtered in a thread (`run_filter`); each call makes every
        answer still being computed stale, so the lists always end up showing the
        answer for the last text, never an earlier one that finished late.
        """
        from tui.query import parse

        self.filter_text = text
        self._filter_seq += 1
        self._filter_pending = False
        query = parse(text)  # (bounded: tui.query.MAX_QUERY_CHARS, MAX_TERMS)
        self.filter_errors = [filter_hint(e) for e in query.errors]
        if query.is_empty:
            self._describe = ""
            for wl in self.lists:
                wl.set_rows(list(range(len(wl.works))), filtered=False)
        elif not self.ensure_indexes():
            total = len(self.refs.works) + len(self.rels.works)
            self.filter_info.update(Text(f"indexing {total:,} works…", style="italic"))
            return
        elif sum(len(wl.works) for wl in self.lists) >= FILTER_IN_BACKGROUND:
            self._describe = query.describe()
            self._filter_pending = True
            jobs = [(wl.kind, self.indexes[wl.kind]) for wl in self.lists]
            # (a copy: marking changes self.states while the thread reads it)
            self.run_filter(self._filter_seq, query, jobs, dict(self.states))
            self.update_filter_info()  # the new problem, if any, at once
            return
        else:
            self._describe = query.describe()
            for wl in self.lists:
                wl.set_rows(self.indexes[wl.kind].filter(query, self.states), filtered=True)
        self.update_titles()

    @work(thread=True, exclusive=True, group="filter")
    def run_filter(self, seq: int, query, jobs: list[tuple[str, object]], states) -> None:
        """Filter big lists off the UI thread; a newer keystroke cancels this one.

        A thread cannot be stopped from outside, so the filter asks between terms
        whether it is still wanted and gives up (FilterCancelled) when it is not.
        """
        from textual.worker import get_current_worker

        from tui.query import FilterCancelled

        worker = get_current_worker()

        def stale() -> bool:
            return worker.is_cancelled or seq != self._filter_seq

        try:
            rows = {kind: index.filter(query, states, cancelled=stale) for kind, index in jobs}
        except FilterCancelled:
            return
        if not stale():
            self.app.call_from_thread(self._filter_done, seq, rows)

    def _filter_done(self, seq: int, rows: dict[str, list[int]]) -> None:
        if seq != self._filter_seq:
            return  # the reader typed on meanwhile: that answer is on its way
        self._filter_pending = False
        for wl in self.lists:
            if wl.kind in rows:
                wl.set_rows(rows[wl.kind], filtered=True)
        self.update_titles()
        self.drop_remembered_filter_if_empty()

    def drop_remembered_filter_if_empty(self) -> None:
        """A filter remembered from last time that hides everything is a trap: clear it."""
        if not self._check_remembered or len(self.indexes) < len(self.lists):
            return  # (big lists: checked again once their index is built)
        if self._filter_pending:
            return  # (checked again when the filter's thread is done)
        self._check_remembered = False
        if self.filter_text and not self.refs.rows and not self.rels.rows:
            self.notify(
                f"The remembered filter {inert(self.filter_text, keep_newlines=False)!r} "
                "matched nothing here, so it was cleared.",
                title="Filter cleared",
                markup=False,
            )
            self.action_clear_filter()
            self.remember_filter()
            if self.focused is not self.filter_input:
                self.focus_pane(self.last_pane)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.apply_filter(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.action_focus_list()
        self.remember_filter()

    def remember_filter(self) -> None:
        """Keep the filter for this review only: another review starts unfiltered."""
        try:
            self.app.remember_filter(self.review_key, self.filter_text)  # type: ignore[attr-defined]
        except ReadingListError as err:
            self.write_failed(err, "Preference not saved", "warning")

    def action_filter(self) -> None:
        self.filter_input.focus()

    def action_clear_filter(self) -> None:
        self.filter_input.value = ""
        self.apply_filter("")

    def action_focus_list(self) -> None:
        """Focus the list the reader was in, or the first one with matches."""
        target = self.active
        if not target.rows:
            for wl in self.lists:
                if wl.rows and wl.display:
                    target = wl
                    break
        target.focus()

    def action_escape(self) -> None:
        if self.selection:
            self.selection.clear()
            self.refresh_lists()
        elif self.filter_text:
            self.action_clear_filter()
            self.remember_filter()

    # --- panes -------------------------------------------------------------------

    def pane_widget(self, name: str):
        return {
            "references": self.refs,
            "related": self.rels,
            "detail": self.detail,
            "review": self.review_pane,
        }[name]

    def current_pane(self) -> str:
        focused = self.focused
        for name in PANES:
            if focused is self.pane_widget(name):
                return name
        return self.active.id or "references"

    def focus_pane(self, name: str) -> None:
        """Focus pane `name`, or the references when it is hidden or shows no row."""
        widget = self.pane_widget(name)
        if not widget.display or (isinstance(widget, WorkList) and not widget.rows):
            widget = self.refs
        widget.focus()

    def _cycle(self, step: int) -> None:
        visible = [
            name
            for name in PANES
            if self.pane_widget(name).display
            and not (name in ("references", "related") and not self.pane_widget(name).rows)
        ]
        current = self.current_pane() if self.focused is not self.filter_input else None
        if current is None:
            self.action_focus_list()
            return
        pos = visible.index(current) if current in visible else -1
        self.pane_widget(visible[(pos + step) % len(visible)]).focus()

    def action_next_pane(self) -> None:
        self._cycle(1)

    def action_previous_pane(self) -> None:
        self._cycle(-1)

    @on(events.DescendantFocus)
    def _focus_moved(self, event: events.DescendantFocus) -> None:
        widget = event.widget
        for name in PANES:
            if widget is self.pane_widget(name):
                self.last_pane = name
        if isinstance(widget, WorkList) and widget is not self.active:
            self.active = widget
            self.show_detail()
        for wl in self.lists:
            wl.refresh()

    def action_toggle_review(self) -> None:
        collapsed = self.review_pane.has_class("-collapsed")
        self.review_collapsed = not collapsed
        self.show_review()

    # --- detail ------------------------------------------------------------------

    @on(WorkList.Highlighted)
    def _highlighted(self, event: WorkList.Highlighted) -> None:
        # the list repaints first; the details follow a frame later, once for a burst
        # of moves (a held cursor key, a filter being typed)
        if event.worklist is self.active and not self._detail_pending:
            self._detail_pending = True
            self.call_after_refresh(self._flush_detail)

    def _flush_detail(self) -> None:
        self._detail_pending = False
        self.show_detail()

    def state_of(self, w: Work) -> State:
        return self.states.get(w.ident) or State()

    def show_detail(self) -> None:
        w = self.active.highlighted
        self.detail.border_title = "Details"
        if w is None:
            self.detail.show(Text("Nothing highlighted.", style="italic"))
            return
        style = self.app.style_name  # type: ignore[attr-defined]
        citation = self.citations.get((w.id, style))
        self.detail.show(work_text(w, self.state_of(w), style, citation, w.id in self.selection))
        if citation is None:
            if self._painted:
                self.request_citation(w, style)
            else:  # the first screen paints before citeproc & co. are imported
                self.call_after_refresh(self.request_citation, w, style)

    def request_citation(self, w: Work, style: str) -> None:
        """Format in a thread, one at a time; while one runs, only the latest request
        waits (holding a cursor key down formats the row it stops on, not every row).
        Nothing is cancelled, so waiting for workers never sees a cancelled one."""
        self._wanted = (w, style)
        if not self._formatting:
            self._formatting = True
            self.format_for_detail(w, style)

    @work(thread=True, group="citation")
    def format_for_detail(self, w: Work, style: str) -> None:
        try:
            text = format_citation(w, style)
        except Exception as err:  # the detail pane says why instead of crashing
            text = f"(cannot format in {style}: {err})"
        self.app.call_from_thread(self._citation_ready, w, style, text)

    def _citation_ready(self, w: Work, style: str, text: str) -> None:
        self.citations[(w.id, style)] = text
        self._formatting = False
        wanted = self._wanted
        if wanted is not None and (wanted[0].id, wanted[1]) not in self.citations:
            self.request_citation(*wanted)
        current = self.active.highlighted
        if current is not None and current.id == w.id:
            self.show_detail()

    # --- reading status ----------------------------------------------------------

    def targets(self) -> list[Work]:
        """The selected works (refs then related), else the highlighted one."""
        if self.selection:
            order = {"reference": 0, "related": 1}
            return sorted(self.selection.values(), key=lambda w: (order.get(w.kind, 2), w.n))
        w = self.active.highlighted
        return [w] if w is not None else []

    def _describe_works(self, works: list[Work]) -> str:
        if len(works) == 1:
            return works[0].local_id
        return f"{len(works)} works"

    def set_status(self, works: list[Work], status: str, record: bool = True) -> bool:
        if not works:
            self.notify("Nothing to mark: the list is empty.", severity="warning")
            return False
        before = [(w, self.state_of(w).status) for w in works]
        try:
            self.library.set_status(works, status)
        except ReadingListError as err:
            self.write_failed(err, "Not saved", "error")
            return False
        if record:
            self.undo_stack.append(("status", before))
        for w in works:
            self.states[w.ident] = self.library.state(w)
        self.after_change(before)
        return True

    def after_change(self, before: list[tuple[Work, str]]) -> None:
        for w, old in before:
            new = self.state_of(w).status
            if w.kind in self.read_counts and (old == "read") != (new == "read"):
                self.read_counts[w.kind] += 1 if new == "read" else -1
        self.update_titles()
        self.refresh_lists()
        self.show_detail()

    def refresh_lists(self) -> None:
        for wl in self.lists:
            wl.refresh()
        self.update_titles()

    def action_toggle_read(self) -> None:
        works = self.targets()
        everyone_read = bool(works) and all(self.state_of(w).status == "read" for w in works)
        status = "unread" if everyone_read else "read"
        if self.set_status(works, status) and len(works) > 1:
            self.notify(f"Marked {len(works)} works {status}.")
        if len(works) > 1:
            self.selection.clear()
            self.refresh_lists()

    def action_mark(self, status: str) -> None:
        works = self.targets()
        if self.set_status(works, status) and len(works) > 1:
            self.notify(f"Marked {len(works)} works {status}.")
            self.selection.clear()
            self.refresh_lists()

    def action_select(self) -> None:
        w = self.active.highlighted
        if w is None:
            return
        if w.id in self.selection:
            del self.selection[w.id]
        else:
            self.selection[w.id] = w
        self.active.cursor += 1
        self.refresh_lists()
        self.show_detail()

    def action_select_all(self) -> None:
        shown = self.active.visible_works
        if shown and all(w.id in self.selection for w in shown):
            self.selection.clear()
        else:
            for w in shown:
                self.selection[w.id] = w
        self.refresh_lists()
        self.show_detail()

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo.")
            return
        entry = self.undo_stack.pop()
        if entry[0] == "status":
            before: list[tuple[Work, str]] = entry[1]
            now = [(w, self.state_of(w).status) for w, _ in before]
            groups: dict[str, list[Work]] = {}
            for w, old in before:
                groups.setdefault(old, []).append(w)
            try:
                for status, works in groups.items():
                    self.library.set_status(works, status)
            except ReadingListError as err:
                self.write_failed(err, "Not undone", "error")
                return
            for w, _ in before:
                self.states[w.ident] = self.library.state(w)
            self.after_change(now)
            what = self._describe_works([w for w, _ in before])
            self.notify(f"Undone: status of {what} restored.", markup=False)
        elif entry[0] == "note":
            _, w, old_note = entry
            try:
                self.library.set_note(w, old_note)
            except ReadingListError as err:
                self.write_failed(err, "Not undone", "error")
                return
            self.states[w.ident] = self.library.state(w)
            self.refresh_lists()
            self.show_detail()
            self.notify(f"Undone: note of {w.local_id} restored.", markup=False)

    # --- notes -------------------------------------------------------------------

    def action_note(self) -> None:
        from tui.app.screens.dialogs import NoteScreen

        w = self.active.highlighted
        if w is None:
            return
        title = f"Note on {w.local_id}: {inert(w.title, keep_newlines=False)}"
        self.app.push_screen(NoteScreen(title, self.state_of(w).note), partial(self._note_done, w))

    def _note_done(self, w: Work, note: str | None) -> None:
        if note is None:
            return
        old = self.state_of(w).note
        if note == old:
            return
        try:
            self.library.set_note(w, note)
        except ReadingListError as err:
            self.write_failed(err, "Note not saved", "error")
            return
        self.undo_stack.append(("note", w, old))
        self.states[w.ident] = self.library.state(w)
        self.update_titles()
        self.refresh_lists()
        self.show_detail()
        self.notify(f"Note on {w.local_id} saved.", markup=False)

    # --- copy --------------------------------------------------------------------

    def action_copy(self) -> None:
        works = self.targets()
        if not works:
            self.notify("Nothing to copy: the list is empty.", severity="warning")
            return
        style = self.app.style_name  # type: ignore[attr-defined]
        what = f"{self._describe_works(works)} in {style}"
        self.copy_worker(works, style, "citations", what)

    def action_copy_bibliography(self) -> None:
        if self.selection:
            works = self.targets()
        else:
            works = self.refs.visible_works + self.rels.visible_works
        if not works:
            self.notify("Nothing to copy: no work is shown.", severity="warning")
            return
        style = self.app.style_name  # type: ignore[attr-defined]
        what = f"bibliography of {len(works)} works in {style}"
        if len(works) > 200:  # CSL styles take about 10 ms a work: say it is under way
            self.notify(f"Formatting {len(works):,} works in {style}…", markup=False)
        self.copy_worker(works, style, "bibliography", what)

    def action_copy_doi(self) -> None:
        w = self.active.highlighted
        if w is None:
            return
        if not w.doi:
            self.notify(f"{w.local_id} has no DOI.", severity="warning", markup=False)
            return
        self.copy_worker([w], "", "doi", f"DOI of {w.local_id}")

    @work(thread=True, group="copy")
    def copy_worker(
        self, works: list[Work], style: str, mode: str, what: str, text: str = "", intro: str = ""
    ) -> None:
        try:
            if mode == "url":
                pass  # `text` is the link itself
            elif mode == "doi":
                text = works[0].doi
            elif mode == "bibliography":
                text = format_bibliography(works, style)
            else:
                text = "\n".join(format_citation(w, style) for w in works)
        except Exception as err:  # e.g. a style that cannot be loaded
            self.app.call_from_thread(
                self.notify,
                inert(str(err), keep_newlines=False),
                title="Cannot format",
                severity="error",
                markup=False,
            )
            return
        from tui import clipboard

        def terminal_copy(payload: str) -> None:
            self.app.call_from_thread(self.app.copy_to_clipboard, payload)

        result = clipboard.copy(text, terminal_copy=terminal_copy)
        self.app.call_from_thread(self._copied, result, text, what, intro)

    def _copied(self, result, text: str, what: str, intro: str = "") -> None:
        from tui.app.screens.dialogs import CopyTextScreen

        where = getattr(result, "where", "") or {
            "system": "the system clipboard",
            "terminal": "the terminal clipboard (OSC 52)",
        }.get(result.method)
        if intro:  # the link could not be opened: say where it went instead
            where = f"copied it to {where}" if result.ok and where else "no clipboard to copy it to"
            self.notify(f"{intro} ({where}).", title="No browser", severity="warning", markup=False)
            return
        if result.ok and where:
            self.notify(f"Copied {what} to {where}.", title="Copied", markup=False)
            return
        message = result.message or "No clipboard is available here."
        self.app.push_screen(
            CopyTextScreen(
                f"Copy {what} by hand",
                f"{message} Select the text below and copy it with your terminal.",
                text,
            )
        )

    # --- style, open, review -----------------------------------------------------

    def action_choose_style(self) -> None:
        from tui.app.screens.style import StyleScreen

        screen = StyleScreen(
            style_catalogue(),
            self.app.style_name,  # type: ignore[attr-defined]
            self.active.highlighted,
            format_citation,
        )
        self.app.push_screen(screen, self._style_chosen)

    def _style_chosen(self, style: str | None) -> None:
        if style:
            self.set_style(style)

    def set_style(self, style: str) -> None:
        self.app.style_name = style  # type: ignore[attr-defined]
        self.save_pref("app.style", style)
        self.show_detail()
        self.notify(f"Citation style: {style}.", markup=False)

    def action_open(self) -> None:
        w = self.active.highlighted
        if w is None:
            return
        url = work_url(w)
        if not url:
            self.notify(f"{w.local_id} has no DOI, PMID or URL.", severity="warning", markup=False)
            return
        problem = no_browser()
        if not problem:
            try:
                self.app.open_url(url)
            except Exception as err:  # webbrowser.Error, OSError from a broken $BROWSER
                problem = f"the browser could not be started ({err})"
        if problem:
            # say so in one line, with the URL, and put the URL on a clipboard
            intro = f"Cannot open a browser: {problem}. The link is {url}"
            self.copy_worker([w], "", "url", f"link of {w.local_id}", text=url, intro=intro)
            return
        self.notify(f"Opening {url}", markup=False)

    def action_switch_review(self) -> None:
        from tui.app.screens.dialogs import ReviewScreen

        if self.app.library is None:  # type: ignore[attr-defined]
            return
        reviews = self.library.reviews()
        if len(reviews) < 2:
            self.notify("This database holds one review.")
            return
        counts = {r.key: len(self.library.works(review=r.key)) for r in reviews}
        counts[ALL_WORKS] = sum(counts.values())
        current = self.review_key
        self.app.push_screen(ReviewScreen(reviews, current, counts), self._review_chosen)

    def _review_chosen(self, key: str | None) -> None:
        if key:
            self.open_review(key)

    def open_review(self, key: str) -> None:
        self.remember_filter()
        # each review keeps its own filter (one that suits this review may hide all of another)
        self.filter_text = self.app.saved_filters.get(key, "")  # type: ignore[attr-defined]
        self.filter_input.value = self.filter_text
        self.load_review(key)
        self.save_pref("app.review", key)
        self.focus_pane("references")

    # --- help, quit, prefs -------------------------------------------------------

    def action_help(self) -> None:
        from tui.app.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(KEY_HELP, cite_credits()))

    async def action_quit(self) -> None:
        self.app.save_session()  # type: ignore[attr-defined]
        self.app.exit()

    def save_pref(self, name: str, value) -> None:
        try:
            self.library.set_pref(name, value)
        except ReadingListError as err:
            self.write_failed(err, "Preference not saved", "warning")
            return
        self.update_titles()


class ReadingListApp(App):
    """Work through a review: its references and related articles."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    TITLE = "readinglist"
    COMMANDS = App.COMMANDS | {ReadingListCommands}
    COMMAND_PALETTE_BINDING = "ctrl+p"

    def __init__(self, library: Library | Callable[[], Library], review: str | None = None) -> None:
        """`library` is an open Library, or a function that opens one: then the first
        screen paints at once and the library is opened in a thread meanwhile."""
        super().__init__()
        self.requested_review = review
        self.style_name: str = DEFAULT_STYLE
        self.initial_filter = ""
        self.saved_filters: dict[str, str] = {}  # review key -> its remembered filter
        self.notices_shown: set[str] = set()
        self.initial_pane = "references"
        self.initial_review: str | None = None
        self.error: ReadingListError | None = None
        self.opener: Callable[[], Library] | None = None
        self.library: Library | None = None
        if callable(library) and not hasattr(library, "works"):
            self.opener = library
        else:
            self.set_library(library)  # type: ignore[arg-type]
        self.main = MainScreen()

    def set_library(self, library: Library) -> None:
        """Use `library` and the preferences it remembers."""
        self.library = library
        self.style_name = str(library.get_pref("app.style", DEFAULT_STYLE) or DEFAULT_STYLE)
        filters = library.get_pref("app.filters")
        self.saved_filters: dict[str, str] = {
            str(k): str(v) for k, v in (filters if isinstance(filters, dict) else {}).items() if v
        }
        self.initial_pane = str(library.get_pref("app.pane", "references") or "references")
        self.initial_review = self._pick_review(self.requested_review)
        old = library.get_pref("app.filter")  # before filters were kept per review
        if old and not isinstance(filters, dict) and library.get_pref("app.review"):
            self.saved_filters[str(library.get_pref("app.review"))] = str(old)
        self.initial_filter = self.saved_filters.get(self.initial_review or "", "")
        theme = library.get_pref("app.theme")
        if theme and theme in self.available_themes:
            self.theme = theme

    def library_shown(self) -> None:
        """Called once the library's lists are on screen (a hook for benchmarks)."""

    def fail(self, error: ReadingListError) -> None:
        """The library could not be opened: leave; run_app raises the error."""
        self.error = error
        self.exit(return_code=error.exit_code)

    def _pick_review(self, review: str | None) -> str | None:
        keys = [r.key for r in self.library.reviews()]
        if review and review in keys:
            return review
        last = self.library.get_pref("app.review")
        if last in keys or (last == ALL_WORKS and len(keys) > 1):
            return last
        return self.library.default_review_key() if keys else None

    def get_default_screen(self) -> Screen:
        return self.main

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def format_title(self, title: str, sub_title: str) -> Content:
        """Title — progress, with the title cut to fit: the count is never cut off.

        (Textual's HeaderTitle cuts the end of the line, which is the count.)
        """
        from rich.cells import cell_len, set_cell_size

        if not sub_title:
            return Content(title)
        # the header's title sits between its icon (8 cells) and clock space (10)
        room = self.size.width - HEADER_SIDES
        tail = " — " + sub_title
        left = room - cell_len(tail)
        if cell_len(title) > left:
            title = set_cell_size(title, left - 1).rstrip() + "…" if left > 4 else ""
        count, _, warning = sub_title.partition(" — " + SAVE_WARNING)
        shown = Content(count).stylize("dim")
        if warning:  # lasting and loud: the reader must not think marks are kept
            shown = Content.assemble(
                shown, (" — ", "dim"), Content(SAVE_WARNING + warning).stylize("bold $text-error")
            )
        if not title:
            return shown
        return Content.assemble(Content(title), (" — ", "dim"), shown)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's palette commands, with our own Screenshot: Textual's saves to
        ~/Downloads and fails where there is none."""
        for command in super().get_system_commands(screen):
            if command.title == "Screenshot":
                yield SystemCommand(
                    "Screenshot",
                    "Save an SVG screenshot in the current folder (else the data folder)",
                    lambda: self.set_timer(0.1, self.action_screenshot),
                )
            else:
                yield command

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Save an SVG of the screen where the user finds it, and say where."""
        folders = [Path(path)] if path else [Path.cwd()]
        with contextlib.suppress(Exception):
            from tui.paths import data_dir

            folders.append(Path(data_dir()))
        errors = []
        for i, folder in enumerate(folders):
            try:
                if i:  # the data folder may not exist yet; the current one must
                    folder.mkdir(parents=True, exist_ok=True)
                saved = self.save_screenshot(filename, str(folder))
            except OSError as err:
                errors.append(f"{folder}: {err.strerror or err}")
                continue
            self.notify(f"Screenshot saved as {saved}", title="Screenshot", markup=False)
            return
        self.notify(
            "Screenshot not saved: " + "; ".join(errors),
            title="Screenshot",
            severity="error",
            markup=False,
        )

    def refresh_header(self) -> None:
        """The header formats its title only when it changes: again for a new width."""
        for header in self.main.query(Header):
            with contextlib.suppress(Exception):  # not mounted yet
                header.query_one("HeaderTitle", Static).update(header.format_title())

    def _theme_changed(self, theme) -> None:
        if self.library is not None and self.library.get_pref("app.theme") != theme.name:
            self.main.save_pref("app.theme", theme.name)

    def remember_filter(self, review: str | None, text: str) -> None:
        """Keep `text` as the filter of `review` (pref app.filters: review key -> filter)."""
        if review is None or self.library is None:
            return
        filters = dict(self.saved_filters)
        if text:
            filters[review] = text
        else:
            filters.pop(review, None)
        if filters != self.saved_filters:
            self.library.set_pref("app.filters", filters)
            self.saved_filters = filters

    def save_session(self) -> None:
        """Remember the review, pane and filter for the next start."""
        main = self.main
        if self.library is None:
            return
        values = {"app.review": main.review_key, "app.pane": main.last_pane}
        try:
            self.remember_filter(main.review_key, main.filter_text)
        except ReadingListError:
            pass  # nothing to save it to; the session still ends cleanly
        for name, value in values.items():
            try:
                if self.library.get_pref(name) != value:
                    self.library.set_pref(name, value)
            except ReadingListError:
                pass  # nothing to save it to; the session still ends cleanly


def run_app(
    library: Library | Callable[[], Library],
    review: str | None,
    *,
    headless: bool = False,
    size: tuple[int, int] | None = None,
) -> None:
    """Open the app on `library`, on review `review` (else the last or default one).

    `library` may also be a function that opens one (say `lambda: Library(path)`):
    the first screen then paints before a big library has loaded, and the library is
    closed here at the end; a ReadingListError from opening it is raised here.
    `headless` and `size` are for benchmarks: run without a terminal.
    """
    gc.freeze()  # see tui/app/__init__.py: the loaded library is not garbage
    app = ReadingListApp(library, review)
    try:
        app.run(headless=headless, size=size)
        app.save_session()
    finally:
        if app.opener is not None and app.library is not None:
            app.library.close()
    if app.error is not None:
        raise app.error


__all__ = ["ReadingListApp", "run_app"]
