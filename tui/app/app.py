"""The readinglist Textual app: a review, its references and related articles.

Entry point for the CLI: `run_app(library, review)`. The app holds what outlives a
screen: the library, the preferences it remembers (style, filters, pane, theme), the
header's title. The main screen (screens/main.py) is a view of the reading session
(tui/session.py); keys come from one registry (keys.py); the palette's entries from
commands.py. Heavy modules (citeproc, bibtexparser via tui.cite) are imported lazily in
thread workers, so the first screen paints about as fast as a bare Textual app.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App, SystemCommand
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Static

from tui.app.commands import ReadingListCommands
from tui.app.jobs import (
    DEFAULT_STYLE,
    PUNCT,
    CopyJob,
    cite_credits,
    format_citation,
    no_browser,
    run_copy,
    run_export,
    run_import,
    style_catalogue,
    style_label,
)
from tui.app.jobs import preload_style as build_style
from tui.app.keys import help_sections
from tui.app.messages import (
    Copied,
    CopyFailed,
    FileDone,
    LibraryFailed,
    LibraryOpened,
    TerminalCopy,
)
from tui.app.screens import handoff
from tui.app.screens.main import MainScreen
from tui.app.typeahead import TypeAhead
from tui.app.widgets.panes import work_url
from tui.errors import ReadingListError
from tui.model import Work
from tui.session import ALL_WORKS, Place
from tui.text import inert

if TYPE_CHECKING:
    from tui.store import Library

SAVE_WARNING = "changes are NOT being saved"
HEADER_SIDES = 8 + 10  # Header's icon and clock space around the title


class ReadingListApp(TypeAhead, App[None]):
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
        self.punct = "standard"  # GB/T punctuation width, one of jobs.PUNCT
        self.initial_filter = ""
        self.saved_filters: dict[str, str] = {}  # review key -> its remembered filter
        self.places: dict[str, Place] = {}  # review key -> where the reader was
        self.notices_shown: set[str] = set()
        self.initial_pane = "references"
        self.initial_review: str | None = None
        self.error: ReadingListError | None = None
        self.opener: Callable[[], Library] | None = None
        self.library: Library | None = None
        if callable(library):  # a Library is not: an opener
            self.opener = library
        else:
            self.set_library(library)
        self.main = MainScreen()

    def set_library(self, library: Library) -> None:
        """Use `library` and the preferences it remembers."""
        self.library = library
        self.style_name = str(library.get_pref("app.style", DEFAULT_STYLE) or DEFAULT_STYLE)
        punct = library.get_pref("app.punct", "standard")
        self.punct = punct if punct in PUNCT else "standard"  # a malformed pref: the default
        filters = library.get_pref("app.filters")
        self.saved_filters = {
            str(k): str(v) for k, v in (filters if isinstance(filters, dict) else {}).items() if v
        }
        self.initial_pane = str(library.get_pref("app.pane", "references") or "references")
        places = library.get_pref("app.places")
        self.places = {
            str(k): Place.from_pref(v)
            for k, v in (places if isinstance(places, dict) else {}).items()
        }
        self.initial_review = self._pick_review(library, self.requested_review)
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

    def _pick_review(self, library: Library, review: str | None) -> str | None:
        keys = [r.key for r in library.reviews()]
        if review and review in keys:
            return review
        last = library.get_pref("app.review")
        if last in keys or (last == ALL_WORKS and len(keys) > 1):
            return last
        return library.default_review_key() if keys else None

    def save_state_warning(self) -> str:
        """The header's lasting warning while the library cannot save ("" when it can)."""
        error = self.library.save_error if self.library is not None else None
        if not error and self.library is not None and self.library.read_only:
            error = "the library is read-only"
        if not error:
            return ""
        return f"{SAVE_WARNING}: {inert(str(error), keep_newlines=False)}"

    def get_default_screen(self) -> Screen:
        self.hold_keys_until_mounted(self.main)  # keys typed ahead wait for its list
        return self.main

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    # --- services the screens ask for: opening, copying, the style, the browser ---

    @work(thread=True, group="open", description="open the library")
    def open_library(self, opener: Callable[[], Library]) -> None:
        """Open the library while the main screen (which asks for this once mounted) paints."""
        try:
            library = opener()
        except ReadingListError as err:
            self.post_message(LibraryFailed(err))
            return
        gc.freeze()  # see tui/app/__init__.py
        self.post_message(LibraryOpened(library))

    @on(LibraryFailed)
    def _library_failed(self, message: LibraryFailed) -> None:
        self.fail(message.error)

    @on(LibraryOpened)
    def _library_opened(self, message: LibraryOpened) -> None:
        self.set_library(message.library)
        self.main.start(message.library)  # (it applies a filter typed meanwhile)

    @work(thread=True, group="preload", exclusive=True, description="preload")
    def preload_style(self, style: str) -> None:
        """Build the current CSL style in a thread at start and on a change of style."""
        build_style(style)

    @work(thread=True, group="copy", description="copy")
    def copy(self, job: CopyJob) -> None:
        """Format (unless cached) and copy in a thread; the result comes as a message."""
        self.post_message(run_copy(job, lambda text: self.post_message(TerminalCopy(text))))

    @on(TerminalCopy)
    def _terminal_copy(self, message: TerminalCopy) -> None:
        # posted before the worker's Copied, so it is written before that is shown
        self.copy_to_clipboard(message.text)

    @on(CopyFailed)
    def _copy_failed(self, message: CopyFailed) -> None:
        self.notify(message.error, title="Cannot format", severity="error", markup=False)

    @on(Copied)
    def _copied(self, message: Copied) -> None:
        handoff.report_copy(self, message)

    def choose_style(self, work: Work | None) -> None:
        from tui.app.screens.style import StyleScreen

        chooser = StyleScreen(style_catalogue(), self.style_name, work, format_citation, self.punct)
        self.push_screen(chooser, lambda chosen: self.set_style(*chosen) if chosen else None)

    def set_style(self, style: str, punct: str | None = None) -> None:
        """Cite in `style` from now on, with GB/T punctuation `punct` (None: as it was)."""
        self.style_name = style
        self.punct = punct or self.punct
        self.preload_style(style)
        self.main.save_pref("app.style", style)
        if punct is not None:
            self.main.save_pref("app.punct", punct)
        self.main.show_detail()
        self.notify(f"Citation style: {style_label(style, self.punct)}.", markup=False)

    def open_work(self, w: Work) -> None:
        """Open the work's DOI (or PubMed, or URL) page; with no browser, copy the link."""
        url = work_url(w)
        if not url:
            self.notify(f"{w.local_id} has no DOI, PMID or URL.", severity="warning", markup=False)
            return
        problem = no_browser()
        if not problem:
            try:
                self.open_url(url)
            except Exception as err:  # webbrowser.Error, OSError from a broken $BROWSER
                problem = f"the browser could not be started ({err})"
        if problem:
            # say so in one line, with the URL, and put the URL on a clipboard
            intro = f"Cannot open a browser: {problem}. The link is {url}"
            self.copy(CopyJob([w], "", "text", f"link of {w.local_id}", text=url, intro=intro))
            return
        self.notify(f"Opening {url}", markup=False)

    # --- the palette's Import file…, Export…, Progress, Sort (screens/files.py) ---
    # (its dialogs are imported when one opens: not with every start)

    def action_import_file(self) -> None:
        if not self.main.refused("app.import_file"):
            from tui.app.screens import files

            files.ask_import(self)

    def action_export_file(self) -> None:
        if not self.main.refused("app.export_file"):
            from tui.app.screens import files

            files.ask_export(self)

    @work(thread=True, group="file", description="import")
    def import_file(self, path: str) -> None:
        if self.library is not None:
            self.post_message(run_import(self.library, path))

    @work(thread=True, group="file", description="export")
    def export_file(self, works: list[Work], path: str) -> None:
        if self.library is not None:
            states = {w.ident: self.library.state(w) for w in works}
            title = self.title or "readinglist"
            style, punct = self.style_name, self.punct
            self.post_message(run_export(works, states, style, path, title, punct))

    @on(FileDone)
    def _file_done(self, message: FileDone) -> None:
        severity = "information" if message.ok else "error"
        self.notify(message.text, title="Import / export", severity=severity, markup=False)
        if message.review is not None:
            self.main.open_review(message.review)

    async def action_quit(self) -> None:
        """ctrl+q: quit, unless the screen on top holds changed text: it asks first."""
        ask = getattr(self.screen, "ask_before_quit", None)
        if ask is not None and ask():
            return
        self.save_session()
        self.exit()

    def action_help(self) -> None:
        from tui.app.screens.help import HelpScreen

        self.push_screen(HelpScreen(help_sections(), cite_credits()))

    # --- the header ------------------------------------------------------------------

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
        from tui.app.screens import files

        files.save_screenshot(self, filename, path)

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

    def remember_place(self, review: str | None, place: Place) -> None:
        """Keep `place` as where the reader was in `review` (pref app.places)."""
        if review is None or self.library is None:
            return
        places = {**self.places, review: place}
        if places != self.places:
            self.library.set_pref("app.places", {k: p.to_pref() for k, p in places.items()})
            self.places = places

    def save_session(self) -> None:
        """Remember the review, pane, filter and place for the next start."""
        if self.library is None or not self.main.is_open:
            return
        session = self.main.session
        values = {"app.review": session.review_key, "app.pane": self.main.last_pane}
        try:
            self.remember_filter(session.review_key, session.filter_text)
            self.remember_place(session.review_key, self.main.place())
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
