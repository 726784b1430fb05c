"""The main screen: a view of the reading session (tui/session.py).

The session decides what is shown and what an action does; this screen draws it (the
review pane, the filter, the two lists, the detail pane, the titles), turns keys into
session calls, and runs the slow parts in thread workers whose results come back as
messages (tui/app/messages.py). Everything shown from data is built as rich Text /
Textual Content, never as markup strings.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Header, Input

from tui.app import keys
from tui.app.messages import FilterDone, IndexesReady, WorksLoaded
from tui.app.screens import handoff, marking, organise
from tui.app.screens.organise import OrganiseActions
from tui.app.widgets.filter import FilterBar, FilterInput
from tui.app.widgets.footer import KeyFooter
from tui.app.widgets.online import OnlineBar
from tui.app.widgets.panes import DetailPane, ReviewPane
from tui.app.widgets.worklist import WorkList
from tui.errors import ReadingListError
from tui.session import ALL_WORKS, Place, ReadingSession
from tui.text import inert

if TYPE_CHECKING:
    from tui.app.app import ReadingListApp
    from tui.store import Library

PANES = ("references", "related", "detail", "review")
SHORT_SCREEN = 32  # below this many lines the review pane starts collapsed
AFTER_FIRST_FRAME = 0.03  # seconds from the first refresh to the threads' start
# what can run before the library has opened (in a thread, after the first paint)
BEFORE_OPEN = {"filter", "help", "quit", "next_pane", "previous_pane", "escape"}
# what waits while a long review's rest is loaded behind its first rows: whatever
# needs the whole list, or could change the library file under the loading thread
WHILE_LOADING = {
    "select_all",
    "sort",
    "views",
    "view",
    "progress",
    "copy_bibliography",
    "switch_review",
    "online",
    "import_file",
    "export_file",
}


class MainScreen(OrganiseActions, Screen[None]):
    """Review pane, filter, the two lists and the detail pane."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (SHORT_SCREEN, "-tall")]
    BINDINGS = keys.bindings()

    if TYPE_CHECKING:  # the one place that says which App this screen runs in

        @property
        def app(self) -> ReadingListApp: ...

    def __init__(self) -> None:
        super().__init__()
        self._session: ReadingSession | None = None
        self.review_collapsed: bool | None = None  # None: by screen height
        self._check_remembered = False  # the filter came from the last session
        self.last_pane = "references"
        self._detail_pending = False  # the detail pane will follow the cursor
        self._stale = False  # the footer shows `f` (see _follow_filter_state)
        self._typed_before_open = False  # the reader typed a filter while it opened
        self._place_pending: Place | None = None  # where to go once a long review is loaded
        self._painted = False  # the first frame is out (see on_mount)
        self._after_paint: list[tuple] = []  # what waits for it
        self.refs = WorkList("reference", "References", id="references")
        self.rels = WorkList("related", "Related", id="related")
        self.active: WorkList = self.refs
        self.review_pane = ReviewPane(id="review")
        self.detail = DetailPane(id="detail")
        self.detail.border_title = "Details"
        self.filter_bar = FilterBar(id="filter-bar")
        self.filter_input, self.filter_info = self.filter_bar.input, self.filter_bar.info
        self.filter_input.leave = self._focus_list_now
        self.online = OnlineBar(self, id="online")  # fetch, resolve, add: tui/app/widgets

    @property
    def session(self) -> ReadingSession:
        if self._session is None:  # check_action keeps actions away until then
            raise RuntimeError("the library is not open yet")
        return self._session

    @property
    def is_open(self) -> bool:
        """Whether the library is open (it may open in a thread after the first paint)."""
        return self._session is not None

    @property
    def library(self) -> Library:
        return self.session.library

    @property
    def lists(self) -> tuple[WorkList, WorkList]:
        return (self.refs, self.rels)

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        with Horizontal(id="body"):
            with Vertical(id="main"):
                yield self.review_pane
                yield self.filter_bar
                yield self.refs
                yield self.rels
                yield self.online
            yield self.detail
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Until the library is open, only what needs no library (None: shown, disabled);
        `f` only while marks changed what the filter would show (False: not in the footer)."""
        if self._session is None:
            return True if action in BEFORE_OPEN else None
        if self._session.loading and action in WHILE_LOADING:
            return None
        if action == "refilter":
            return self._session.changed_since_filter() > 0
        return True

    # --- loading -----------------------------------------------------------------

    def on_mount(self) -> None:
        # the threads (search index, the rest of a long review, citations, the CSL
        # style) start once the first frame is out: started at once, they would take
        # the interpreter from the thread that writes it to the terminal
        # (headless, as under Pilot, nothing is written: no need to wait)
        if self.app.is_headless:
            self.call_after_refresh(self._first_paint_done)
        else:
            self.call_after_refresh(self.set_timer, AFTER_FIRST_FRAME, self._first_paint_done)
        if self.app.library is None:  # opened in a thread: paint first, fill the lists after
            self.refs.empty_text = "Opening the library…"
            self.rels.display = False
            self.review_pane.show(None, True, "Opening the library…")
            if self.app.opener is not None:
                self.app.open_library(self.app.opener)  # then the app calls start
        else:
            self.start(self.app.library)
        # keys typed ahead (tui/app/typeahead.py) once the focus set above (a deferred
        # call) is in place
        self.app.call_later(self.app.release_keys)

    def start(self, library: Library) -> None:
        """Show the library: the remembered (or requested) review, filter and pane."""
        app = self.app
        self._session = ReadingSession(library)
        self.detail.citations = self.session.citations  # `c` copies what the pane formatted
        for wl in self.lists:
            wl.selected = self.session.selection
        # a filter typed while the library opened is the reader's, not a remembered one
        typed = self._typed_before_open
        text = self.filter_input.value if typed else app.initial_filter
        self.load_review(app.initial_review, text, in_chunks=True)
        if app.initial_filter and not typed:
            self.filter_input.value = app.initial_filter
            self._check_remembered = True
            self.drop_remembered_filter_if_empty()
        if self.focused is not self.filter_input:  # else the reader is typing there
            self.focus_pane(app.initial_pane if app.initial_pane in PANES else "references")
        self.poll = self.set_interval(2.0, self.check_external_changes)
        self.call_after_refresh(app.library_shown)
        # the remembered CSL style is built off the main thread, so no copy waits for it
        self.after_first_frame(app.preload_style, app.style_name)
        for notice in library.notices:  # e.g. an older file converted: once, at start
            if notice not in app.notices_shown:
                app.notices_shown.add(notice)
                self.notify(
                    inert(notice, keep_newlines=False), title="Library", timeout=15, markup=False
                )

    def after_first_frame(self, callback, *args) -> None:
        """Run `callback(*args)` once the first frame is on the screen (at once after)."""
        if self._painted:
            self.call_after_refresh(callback, *args)
        else:
            self._after_paint.append((callback, args))

    def _first_paint_done(self) -> None:
        self._painted = True
        if not gc.isenabled():  # paused by the CLI for the start (tui/cli.py _open_app)
            gc.freeze()
            gc.enable()
        self.detail.start()
        if self._session is not None:
            self.ensure_indexes()  # big lists: ready before the reader types
        waiting, self._after_paint = self._after_paint, []
        for callback, args in waiting:
            callback(*args)

    def load_review(
        self,
        key: str | None,
        filter_text: str = "",
        place: Place | None = None,
        *,
        in_chunks: bool = False,
    ) -> None:
        """Show review `key` (or nothing when the database has none), filtered, at
        `place` (else where the reader was in it last time). `in_chunks`: a long
        review shows its first rows now and loads the rest behind (ReadingSession.open)."""
        session = self.session
        session.sort = organise.sort_for(self, key)  # each review keeps its own order
        session.open(key, in_chunks=in_chunks)
        organise.update_columns(self)
        self.detail.errors.clear()  # a re-import may have changed the works
        for wl in self.lists:  # every review's works: say which review each comes from
            wl.show_review = key == ALL_WORKS
            shown = session.lists[wl.kind]
            wl.set_works(shown.works, session.states)
            if wl.kind in session.loading:  # numbered up to about this many: room for it
                wl.make_room_for_number(session.loading[wl.kind])
        refs, rels = self.refs.works, self.rels.works
        self.refs.empty_text = "No references." if not refs else "No reference matches the filter."
        self.rels.empty_text = "No related articles." if not rels else "No related article matches."
        self.rels.display = bool(rels)
        place = place or self.app.places.get(key or "")
        self.review_collapsed = place.compact if place else None
        self.show_review()
        self.apply_filter(filter_text)
        for wl in self.lists:  # back where the reader was in this review
            if place and wl.kind in place.works:
                wl.move_to_work(place.works[wl.kind])
        self._place_pending = place if session.loading else None
        if self._painted:
            self.show_detail()
        else:  # the first frame shows the rows, the details follow (as after a move)
            self.after_first_frame(self._flush_detail)
        if session.loading:  # after the first rows are painted
            self.after_first_frame(self._load_rest, session.generation)

    def _load_rest(self, generation: int) -> None:
        if self._session is not None and self.session.generation == generation:
            chunks = self.session.chunks()
            self._load_chunks(self.library, self.session.review_key or "", generation, chunks)

    @work(thread=True, group="load", exclusive=True, description="load the rest of the review")
    def _load_chunks(
        self, library: Library, key: str, generation: int, chunks: list[tuple[str, int, int]]
    ) -> None:
        """The rest of a long review, a chunk at a time, each posted as WorksLoaded."""
        from textual.worker import get_current_worker

        worker = get_current_worker()
        for kind, start, stop in chunks:
            if worker.is_cancelled or self.session.generation != generation:
                return
            try:
                works = library.works_between(key, kind, start, stop)
            except Exception:
                if worker.is_cancelled:  # the app quit meanwhile: the library is closed
                    return
                raise
            gc.freeze()  # see tui/app/__init__.py: they live as long as the library
            self.post_message(WorksLoaded(generation, kind, start, works))

    @on(WorksLoaded)
    def _works_loaded(self, message: WorksLoaded) -> None:
        session = self.session
        if not session.add_loaded(message.generation, message.kind, message.start, message.works):
            return
        wl = self.refs if message.kind == "reference" else self.rels
        wl.grew(message.works, session.lists[message.kind].rows)
        self.update_titles()
        if session.loading:
            return
        # the whole review is there: the filter typed meanwhile runs now, on all of it
        self.refresh_bindings()
        place, self._place_pending = self._place_pending, None
        for w in self.lists:
            if place and w.kind in place.works and w.cursor == 0:
                w.move_to_work(place.works[w.kind])
        self.apply_filter(session.filter_text)
        self.ensure_indexes()

    def place(self) -> Place:
        """Where the reader is in this review (kept per review across runs)."""
        works = {wl.kind: wl.highlighted.id for wl in self.lists if wl.highlighted}
        pending = self._place_pending  # (a long review still loading: see _works_loaded)
        for wl in self.lists:  # a place past the rows loaded so far is still the place
            if pending and wl.kind in pending.works and wl.cursor == 0:
                works[wl.kind] = pending.works[wl.kind]
        return Place(works, self.review_collapsed)

    def reload(self) -> None:
        """The database changed on disk (another readinglist): show it, keep the places."""
        key = self.session.review_key
        known = {r.key for r in self.library.reviews()} | {ALL_WORKS}
        if key not in known:
            key = self.library.default_review_key()
        undo = list(self.session.undo_stack)
        self.load_review(key, self.session.filter_text, self.place())
        self.session.undo_stack[:] = undo

    def check_external_changes(self) -> None:
        if self.session.loading:  # (asked again once it is all there)
            return
        try:
            changed = self.library.reload_if_changed()
        except ReadingListError as err:
            self.write_failed(err, severity="error")
            return
        if changed:
            self.reload()
        else:
            self.update_titles()  # save_error may have been cleared or set

    def show_review(self) -> None:
        collapsed = self.review_collapsed
        if collapsed is None:
            collapsed = self.app.size.height < SHORT_SCREEN
        if self.session.review_key == ALL_WORKS:
            reviews = len(self.library.reviews())
            summary = (
                f"All works: {self.session.total:,} works of {reviews} reviews and collections "
                "(R to open one review)"
            )
            self.review_pane.show(None, collapsed, summary)
        else:
            self.review_pane.show(self.session.review, collapsed)
        self.review_pane.border_title = "Review" + (" (i: more)" if collapsed else " (i: less)")

    def on_resize(self, event: events.Resize) -> None:
        self.app.refresh_header()
        if self.review_collapsed is None and self._session is not None:
            self.show_review()

    # --- titles ------------------------------------------------------------------

    def write_failed(
        self, err: ReadingListError, title: str = "", severity: SeverityLevel = "error"
    ) -> None:
        """A write failed: say why now, and keep saying so in the header until one works."""
        self.notify(str(err), title=title, severity=severity, markup=False)
        self.update_titles()

    def update_titles(self) -> None:
        """The header's title and count, each list's title, the filter bar: from the session."""
        session, app = self.session, self.app
        if session.review_key == ALL_WORKS:
            app.title = "All works"
        elif session.review is not None:
            app.title = inert(session.review.short_title, keep_newlines=False)
        else:
            app.title = "readinglist"
        warning = app.save_state_warning()
        app.sub_title = session.progress() + (f" — {warning}" if warning else "")
        for wl in self.lists:
            wl.border_title = session.list_title(wl.kind)
            chosen = session.selected_count(wl.kind)
            wl.border_subtitle = "space, r, u mark them · esc unselects" if chosen else ""
        self.filter_bar.show_result(self.session)

    def changed(self) -> None:
        """After a status, note or selection change: redraw the rows, titles and details once."""
        organise.update_columns(self)
        for wl in self.lists:
            wl.refresh()
        self.update_titles()
        self.show_detail()
        self._follow_filter_state()

    # --- filter ------------------------------------------------------------------

    def ensure_indexes(self) -> bool:
        return self.filter_bar.ensure_indexes(self.session)

    @on(IndexesReady)
    def _indexes_ready(self, message: IndexesReady) -> None:
        self.filter_bar.indexes_arrived()
        session = self.session
        if not session.add_indexes(message.generation, message.built):
            if session.filter_text:  # built for lists no longer shown: build again
                self.apply_filter(session.filter_text)
            return
        if session.filter_text:
            self.apply_filter(session.filter_text)
            self.drop_remembered_filter_if_empty()

    def apply_filter(self, text: str) -> None:
        """Narrow both lists to the works matching `text` (the query language); big
        lists are filtered in the filter bar's thread and come back as FilterDone."""
        session = self.session
        if not session.set_filter(text):
            self.ensure_indexes()
            self.filter_bar.show_indexing(session)
        elif session.filter_job is not None:
            self.filter_bar.run_filter(session, session.filter_job)
            self.filter_bar.show_result(session)  # the new problem, if any, at once
        else:
            self._show_rows()

    @on(FilterDone)
    def _filter_done(self, message: FilterDone) -> None:
        if self.session.finish_filter(message.seq, message.rows):  # else stale
            self._show_rows()
            self.drop_remembered_filter_if_empty()

    def _show_rows(self) -> None:
        for wl in self.lists:
            shown = self.session.lists[wl.kind]
            wl.set_rows(shown.rows, filtered=shown.filtered)
        self.update_titles()
        self._follow_filter_state()

    def _follow_filter_state(self) -> None:
        """The footer shows `f` while marks changed what the filter would show."""
        stale = self.session.changed_since_filter() > 0
        if stale != self._stale:
            self._stale = stale
            self.refresh_bindings()

    def drop_remembered_filter_if_empty(self) -> None:
        """A filter remembered from last time that hides everything is a trap: clear it."""
        session = self.session
        if not self._check_remembered or len(session.indexes) < len(self.lists):
            return  # (big lists: checked again once their index is built)
        if session.filter_pending:
            return  # (checked again when the filter's thread is done)
        self._check_remembered = False
        if session.filter_hides_everything:
            self.notify(
                f"The remembered filter {inert(session.filter_text, keep_newlines=False)!r} "
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
        if self._session is not None:
            self.apply_filter(event.value)
        else:  # applied by start() once the library is open
            self._typed_before_open = True

    def refused(self, action: str) -> bool:
        """True, saying why, when `action` ("mark('read')", "app.export_file") cannot run
        yet: the library is still opening, or a long review still loading needs it whole
        (the palette and the app's own actions ask this; keys come through on_key)."""
        name = action.partition("(")[0].removeprefix("app.")
        if self.check_action(name, ()) is not None:  # (None: not yet, see check_action)
            return False
        opening = self._session is None
        what = "the library is still opening" if opening else "the review is still loading"
        self.notify(
            f"Not yet: {what}, so “{keys.action_title(action)}” was not done; "
            "try again in a moment.",
            severity="warning",
            markup=False,
        )
        return True

    def on_key(self, event: events.Key) -> None:
        """Before the library is open a key of an action that needs it does nothing:
        say so, rather than lose it without a word."""
        if self._session is not None and not self._session.loading:
            return
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if self.refused(binding.action):
                event.stop()
                event.prevent_default()
                return

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        self.action_focus_list()
        if self._session is not None:
            self.remember_filter()

    @on(FilterInput.Leave)
    def _filter_left(self, event: FilterInput.Leave) -> None:
        self.action_focus_list()  # a cleared filter comes as Input.Changed

    def remember_filter(self) -> None:
        """Keep the filter for this review only: another review starts unfiltered."""
        try:
            self.app.remember_filter(self.session.review_key, self.session.filter_text)
        except ReadingListError as err:
            self.write_failed(err, "Preference not saved", "warning")

    def action_filter(self) -> None:
        """`/` (a priority binding): the focus moves at once, so the keys typed right
        after it go into the filter even when they were queued behind it; in any other
        input `/` is typed."""
        if isinstance(self.focused, Input):  # (no TextArea on this screen)
            raise SkipAction()
        self.set_focus(self.filter_input)

    def _focus_list_now(self) -> None:
        """Leave the filter for a list at once (see FilterInput)."""
        target = self.active
        if not target.rows:
            target = next((wl for wl in self.lists if wl.rows and wl.display), target)
        self.set_focus(target)

    def action_refilter(self) -> None:
        self.apply_filter(self.session.filter_text)

    def action_clear_filter(self) -> None:
        self.filter_input.value = ""
        self.apply_filter("")

    def action_focus_list(self) -> None:
        """Focus the list the reader was in, or the first one with matches."""
        target = self.active
        if not target.rows:
            target = next((wl for wl in self.lists if wl.rows and wl.display), target)
        target.focus()

    def action_escape(self) -> None:
        if self._session is None or self.online.cancel():  # a running fetch stops first
            return
        if self.session.selection:
            self.session.selection.clear()
            self.changed()
        elif self.session.filter_text:
            self.action_clear_filter()
            self.remember_filter()

    # --- panes -------------------------------------------------------------------

    def _can_focus(self, name: str) -> bool:
        widget = self.query_one(f"#{name}")  # the panes' ids are their names
        return widget.display and not (isinstance(widget, WorkList) and not widget.rows)

    def focus_pane(self, name: str) -> None:
        """Focus pane `name`, or the references when it is hidden or shows no row."""
        self.query_one(f"#{name}" if self._can_focus(name) else "#references").focus()

    def _cycle(self, step: int) -> None:
        focused = self.focused.id if self.focused is not None else None
        if focused == "filter":
            self.action_focus_list()
            return
        visible = [name for name in PANES if self._can_focus(name)]
        current = focused if focused in PANES else (self.active.id or "references")
        pos = visible.index(current) if current in visible else -1
        self.query_one(f"#{visible[(pos + step) % len(visible)]}").focus()

    def action_next_pane(self) -> None:
        self._cycle(1)

    def action_previous_pane(self) -> None:
        self._cycle(-1)

    @on(events.DescendantFocus)
    def _focus_moved(self, event: events.DescendantFocus) -> None:
        widget = event.widget
        if widget.id in PANES:
            self.last_pane = widget.id
        if isinstance(widget, WorkList) and widget is not self.active:
            self.active = widget
            if self._session is not None:
                self.show_detail()
        for wl in self.lists:
            wl.refresh()

    @on(ReviewPane.Expand)
    def action_toggle_review(self) -> None:
        self.review_collapsed = not self.review_pane.has_class("-collapsed")
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
        if self._session is not None:
            self.show_detail()

    def show_detail(self) -> None:
        w = self.active.highlighted
        self.detail.border_title = "Details"
        if w is None:
            self.detail.show(Text("Nothing highlighted.", style="italic"))
            return
        session = self.session
        selected = w.id in session.selection
        app = self.app
        self.detail.show_work(w, session.state_of(w), app.style_name, selected, app.punct)

    # --- reading status and notes ------------------------------------------------

    def action_toggle_read(self) -> None:
        marking.mark(self, None)

    def action_mark(self, status: str) -> None:
        marking.mark(self, status)

    def action_select(self) -> None:
        w = self.active.highlighted
        if w is None:
            return
        self.session.toggle_selected(w)
        self.active.cursor += 1
        self.changed()

    def action_select_all(self) -> None:
        self.session.select_all(self.active.visible_works)
        self.changed()

    def action_undo(self) -> None:
        marking.undo(self)

    def action_note(self) -> None:
        handoff.edit_note(self)

    # --- copy, style, open, review -----------------------------------------------

    def action_copy(self) -> None:
        handoff.copy_citations(self)

    def action_copy_bibliography(self) -> None:
        handoff.copy_bibliography(self)

    def action_copy_doi(self) -> None:
        handoff.copy_doi(self)

    def action_choose_style(self) -> None:
        self.app.choose_style(self.active.highlighted)

    def set_style(self, style: str) -> None:
        self.app.set_style(style)

    def action_open(self) -> None:
        if self.active.highlighted is not None:
            self.app.open_work(self.active.highlighted)
            organise.opened(self, self.active.highlighted)

    def action_online(self, kind: str) -> None:
        self.online.start(kind)  # fetch, resolve or add (see widgets/online.py)

    def action_help(self) -> None:
        self.app.action_help()

    def action_switch_review(self) -> None:
        handoff.switch_review(self)

    def open_review(self, key: str) -> None:
        self.remember_filter()
        try:
            self.app.remember_place(self.session.review_key, self.place())
        except ReadingListError as err:
            self.write_failed(err, "Preference not saved", "warning")
        # each review keeps its own filter (one that suits this review may hide all of another)
        text = self.app.saved_filters.get(key, "")
        self.filter_input.value = text
        self.load_review(key, text)
        self.save_pref("app.review", key)
        self.focus_pane("references")

    # --- help, quit, prefs -------------------------------------------------------

    async def action_quit(self) -> None:
        self.app.save_session()
        self.app.exit()

    def save_pref(self, name: str, value: object) -> None:
        try:
            self.library.set_pref(name, value)
        except ReadingListError as err:
            self.write_failed(err, "Preference not saved", "warning")
            return
        self.update_titles()
