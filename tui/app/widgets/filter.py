"""The filter input above the lists, and how the filter bar words the query's errors."""

from __future__ import annotations

import re
from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static

from tui.app.messages import FilterDone, IndexesReady
from tui.model import Work
from tui.session import FilterJob, ReadingSession
from tui.text import inert

PLACEHOLDER = (
    "/ filter: words, author:, title:, journal:, year:2015..2020, status:unread, has:doi, -word"
)
_REVERSED = re.compile(r"bad (year range|number) '(\d+)\s*(?:\.\.|-)\s*(\d+)'")


def filter_hint(error: str) -> str:
    """One of Query.errors as the filter bar shows it: shorter, with a way out."""
    m = _REVERSED.match(error)
    if m and int(m[2]) > int(m[3]):
        field = "year" if m[1] == "year range" else "n"
        return f"reversed range: did you mean {field}:{m[3]}..{m[2]}?"
    error = error.removesuffix(" in filter")
    return error.replace(" in filter (", " (")


class FilterInput(Input):
    """The filter; escape clears it, down leaves it: either way the reader goes back to
    a list, which the screen decides (the input only says so, with `Leave`).

    Enter, escape and down are priority bindings and move the focus at once (`leave`,
    set by the screen), not a message later: keys typed faster than the app handles
    them (a busy start, a paste, `/lancet⏎jj`) are routed to whatever has the focus
    when each is taken from the queue, so a later focus change would let the keys
    after enter go into the filter."""

    BINDINGS = [
        Binding("escape", "clear_filter", "Clear filter", show=False, priority=True),
        Binding("down", "to_list", "To the list", show=False, priority=True),
        Binding("enter", "submit_filter", "Go to the list", show=False, priority=True),
    ]
    leave: Callable[[], None] | None = None  # focuses a list at once (the screen's)

    class Leave(Message):
        """The reader left the filter for the lists (`cleared`: with escape)."""

        def __init__(self, cleared: bool) -> None:
            super().__init__()
            self.cleared = cleared

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder=PLACEHOLDER, select_on_focus=False, **kwargs)

    def _leave_now(self) -> None:
        if self.leave is not None:
            self.leave()

    def action_to_list(self) -> None:
        self._leave_now()
        self.post_message(self.Leave(cleared=False))

    def action_clear_filter(self) -> None:
        self.value = ""
        self._leave_now()
        self.post_message(self.Leave(cleared=True))

    async def action_submit_filter(self) -> None:
        self._leave_now()
        await self.action_submit()  # Input.Submitted, as Input's own enter


class FilterBar(Horizontal):
    """The filter input and, beside it, what the filter did ("3 of 58 match", or why not).

    It also runs the slow parts of filtering big lists in threads: building their search
    indexes (IndexesReady) and the filter itself (FilterDone), both handled by the screen,
    which owns the lists they are for.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.input = FilterInput(id="filter")
        self.info = Static("", id="filter-info", markup=False)
        self._indexing: int | None = None  # the session generation being indexed

    def compose(self) -> ComposeResult:
        yield self.input
        yield self.info

    def ensure_indexes(self, session: ReadingSession) -> bool:
        """True when both lists have a search index; else start building them in a thread,
        so neither the first paint nor the first keystroke waits."""
        if session.loading:  # (built once the whole review is there)
            return False
        if session.index_now_if_small():
            return True
        if self._indexing != session.generation:
            self._indexing = session.generation
            self._build(session.generation, session.missing_indexes())
        return False

    def indexes_arrived(self) -> None:
        self._indexing = None

    @work(thread=True, group="index", description="build the search indexes")
    def _build(self, generation: int, lists: list[tuple[str, list[Work]]]) -> None:
        from tui.query import Index

        self.post_message(IndexesReady(generation, {kind: Index(ws) for kind, ws in lists}))

    @work(thread=True, exclusive=True, group="filter", description="filter")
    def run_filter(self, session: ReadingSession, job: FilterJob) -> None:
        """Run a filter off the UI thread; the next keystroke makes it stale.

        A thread cannot be stopped from outside, so the filter asks between terms
        whether it is still wanted (a newer worker of the group cancels this one, a newer
        `set_filter` moves the session on) and gives up with FilterCancelled when not.
        """
        from textual.worker import get_current_worker

        from tui.query import FilterCancelled

        worker = get_current_worker()

        def stale() -> bool:
            return worker.is_cancelled or not session.filter_is_current(job.seq)

        try:
            rows = job.run(stale)
        except FilterCancelled:
            return
        if not stale():
            self.post_message(FilterDone(job.seq, rows))

    def show_indexing(self, session: ReadingSession) -> None:
        """The filter waits: for the rest of a long review, or for the search index."""
        if session.loading:
            done = int(session.loaded_fraction * 100)
            text = f"filters when all {session.total:,} works are loaded ({done}%)…"
        else:
            text = f"indexing {session.total:,} works…"
        self.info.update(Text(text, style="italic"))

    def show_result(self, session: ReadingSession) -> None:
        if not session.filter_text.strip():
            self.info.update("")
            return
        waiting = session.query is not None and not any(s.filtered for s in session.lists.values())
        if waiting and not session.filter_errors:  # not filtered yet: say what it waits for
            self.show_indexing(session)
            return
        shown, total = session.shown_total, session.total
        if session.filter_errors:  # a dropped term would otherwise silently match everything
            problem = filter_hint(session.filter_errors[0])
            text = Text("⚠ " + inert(problem, keep_newlines=False), style="bold")
            text.append(f"  {shown} of {total} shown", style="dim")
            self.info.set_class(True, "-error")
        elif session.filter_hints:  # searched as text, but nearly always a typo: say so
            text = Text("⚠ " + inert(session.filter_hints[0], keep_newlines=False), style="bold")
            text.append(f"  {shown} of {total} match", style="dim")
            self.info.set_class(True, "-error")
            self.info.set_class(False, "-stale")
        else:
            text = Text(f"{shown} of {total} match", style="bold")
            stale = session.changed_since_filter()
            if stale:  # kept where the reader works, but no longer what the filter says
                text.append(f" · {stale} changed since filtering (f)", style="bold")
            elif session.filter_description:
                described = inert(session.filter_description, keep_newlines=False)
                text.append("  " + described, style="dim")
            self.info.set_class(False, "-error")
            self.info.set_class(bool(stale), "-stale")
        self.info.update(text)
