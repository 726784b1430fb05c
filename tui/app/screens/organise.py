"""Organising the reading in the app (issue 14): the queue keys, priority, tags, the
sort order, saved views and the progress screen.

The rules are the session's and the core's (tui/session.py, tui/organise.py); this
module turns keys into those calls and draws the dialogs. MainScreen gets the actions
from `OrganiseActions` (a mixin, so that the main screen's own class stays short: it
holds the drawing, focus and filter code), each a one-line call into a flow below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, OptionList, Sparkline, Static
from textual.widgets.option_list import Option

from tui.errors import ReadingListError
from tui.model import Work
from tui.organise import SORT_KEYS, View, parse_sort, period_label, progress, sparkline, views
from tui.session import ALL_WORKS, describe_works
from tui.text import inert

if TYPE_CHECKING:
    from tui.app.screens.main import MainScreen

SORT_PREF = "app.sorts"  # review key -> its sort (each review keeps its own, as its filter)
SORT_HELP = {
    "n": "number in the list",
    "year": "year",
    "author": "first author",
    "title": "title",
    "journal": "journal",
    "status": "reading state",
    "priority": "priority (1 first)",
    "changed": "when the status changed",
    "queue": "reading queue",
}


class OrganiseActions:
    """MainScreen's organising actions (bound in tui/app/keys.py)."""

    def _screen(self) -> MainScreen:
        return cast("MainScreen", self)

    def action_queue_move(self, step: int) -> None:
        queue_move(self._screen(), step)

    def action_priority(self) -> None:
        cycle_priority(self._screen())

    def action_tags(self) -> None:
        edit_tags(self._screen())

    def action_sort(self) -> None:
        choose_sort(self._screen())

    def action_views(self) -> None:
        choose_view(self._screen())

    def action_view(self, number: int) -> None:
        apply_view_number(self._screen(), number)

    def action_progress(self) -> None:
        screen = self._screen()
        screen.app.push_screen(ProgressScreen(screen))


# --- the main screen's hooks ---------------------------------------------------------


def sort_for(screen: MainScreen, key: str | None) -> str:
    """The sort remembered for review `key` ("n" when none or no longer valid)."""
    sorts = screen.library.get_pref(SORT_PREF)
    spec = sorts.get(key or "", "n") if isinstance(sorts, dict) else "n"
    try:
        parse_sort(spec)
    except ReadingListError:
        return "n"
    return str(spec)


def update_columns(screen: MainScreen) -> None:
    """Show the priority column while any work has a priority; the reader's state names."""
    states = screen.library.state_view
    has_priority = any(st.priority for st in states.values())
    for wl in screen.lists:
        wl.show_priority = has_priority
    screen.detail.labels = screen.library.settings.labels


def opened(screen: MainScreen, work: Work) -> None:
    """o opened `work`: unread or queued becomes reading (a setting; z undoes it)."""
    from tui.app.widgets.panes import work_url

    if not work_url(work):
        return
    try:
        status = screen.session.opened(work)
    except ReadingListError as err:
        screen.write_failed(err, "Not saved", "error")
        return
    if status:
        screen.changed()
        label = screen.library.settings.label(status)
        screen.notify(f"{work.local_id} is now {label} (z undoes).", markup=False)


# --- flows ----------------------------------------------------------------------------


def _targets(screen: MainScreen, what: str) -> list[Work]:
    works = screen.session.targets(screen.active.highlighted)
    if not works:
        screen.notify(f"Nothing to {what}: the list is empty.", severity="warning")
    return works


def queue_move(screen: MainScreen, step: int) -> None:
    """[ and ]: move the highlighted queued work up or down the queue."""
    work = screen.active.highlighted
    if work is None:
        return
    session = screen.session
    if session.state_of(work).status != "queued":
        label = screen.library.settings.label("queued")
        screen.notify(f"{work.local_id} is not {label} (Q queues it).", severity="warning")
        return
    try:
        moved = session.move_in_queue(work, step)
    except ReadingListError as err:
        screen.write_failed(err, "Not saved", "error")
        return
    if not moved:
        screen.notify(f"{work.local_id} is already {'first' if step < 0 else 'last'}.")
        return
    if session.sort.lstrip("-") == "queue":  # the list shows the queue: show the new order
        resort(screen, session.sort)
        screen.active.move_to_work(work.id)
    place = [w.ident for w in screen.library.queue(_shown(screen))].index(work.ident) + 1
    screen.notify(f"{work.local_id} is number {place} in the queue.")
    screen.changed()


def _shown(screen: MainScreen) -> list[Work]:
    return [w for shown in screen.session.lists.values() for w in shown.works]


def cycle_priority(screen: MainScreen) -> None:
    """p: priority none -> 1 -> 2 -> 3 -> none on the targets (from the first one's)."""
    works = _targets(screen, "prioritise")
    if not works:
        return
    session = screen.session
    new = (session.state_of(works[0]).priority + 1) % 4
    try:
        session.set_priority(works, new)
    except ReadingListError as err:
        screen.write_failed(err, "Not saved", "error")
        return
    screen.notify(f"Priority of {describe_works(works)}: {new or 'none'}.")
    if len(works) > 1:
        session.selection.clear()
    screen.changed()


def edit_tags(screen: MainScreen) -> None:
    """t: add or remove tags on the targets, with completion from the tags in use."""
    works = _targets(screen, "tag")
    if not works:
        return
    session = screen.session
    current = sorted({t for w in works for t in session.state_of(w).tags}, key=str.casefold)

    def done(text: str | None) -> None:
        if text is None:
            return
        add, remove = parse_tags(text)
        if not add and not remove:
            return
        try:
            session.edit_tags(works, add, remove)
        except ReadingListError as err:
            screen.write_failed(err, "Not saved", "error")
            return
        tags = ", ".join(screen.session.state_of(works[0]).tags) or "no tags"
        what = describe_works(works)
        screen.notify(f"{what}: {tags}" if len(works) == 1 else f"Tags of {what} changed.")
        if len(works) > 1:  # as after marking a selection: done with it
            session.selection.clear()
        screen.changed()

    title = f"Tags of {describe_works(works)}"
    screen.app.push_screen(TagsScreen(title, current, session.all_tags()), done)


def parse_tags(text: str) -> tuple[list[str], list[str]]:
    """ "stem cells, -fibrosis, +skin" -> (["stem cells", "skin"], ["fibrosis"])."""
    add: list[str] = []
    remove: list[str] = []
    for part in text.split(","):
        part = " ".join(part.split())
        if part.startswith("-"):
            if part[1:].strip():
                remove.append(part[1:].strip())
        elif part.lstrip("+").strip():
            add.append(part.lstrip("+").strip())
    return add, remove


def resort(screen: MainScreen, spec: str) -> None:
    """Order the lists by `spec`, keep the filter and the highlighted works."""
    session = screen.session
    keep = {wl.kind: (wl.highlighted.id if wl.highlighted else None) for wl in screen.lists}
    session.set_sort(spec)
    for wl in screen.lists:
        wl.set_works(session.lists[wl.kind].works, session.states)
    screen.apply_filter(session.filter_text)
    for wl in screen.lists:
        work_id = keep.get(wl.kind)
        if work_id:
            wl.move_to_work(work_id)


def set_sort(screen: MainScreen, spec: str) -> None:
    resort(screen, spec)
    key = screen.session.review_key
    sorts = screen.library.get_pref(SORT_PREF)
    sorts = dict(sorts) if isinstance(sorts, dict) else {}
    if key is not None and sorts.get(key, "n") != screen.session.sort:
        sorts[key] = screen.session.sort
        screen.save_pref(SORT_PREF, sorts)
    screen.notify(f"Sorted by {describe_sort(screen.session.sort)}.")


def describe_sort(spec: str) -> str:
    key, descending = parse_sort(spec)
    return SORT_HELP[key] + (", descending" if descending else "")


def choose_sort(screen: MainScreen) -> None:
    """S: pick a sort key; picking the current one again reverses it."""
    current = screen.session.sort

    def done(key: str | None) -> None:
        if key is None:
            return
        if key == current.lstrip("-"):
            key = key if current.startswith("-") else "-" + key
        set_sort(screen, key)

    options = []
    for key in SORT_KEYS:
        mark = "● " if current.lstrip("-") == key else "  "
        arrow = (" (descending)" if current.startswith("-") else " (ascending)") if mark else ""
        options.append((key, f"{mark}{key:<9} {SORT_HELP[key]}{arrow}"))
    title = "Sort by (enter; the current one again reverses it; esc cancels)"
    screen.app.push_screen(ChoiceScreen(title, options, current.lstrip("-")), done)


def apply_view(screen: MainScreen, view: View) -> None:
    """A saved view: its filter in the filter bar, its sort on the lists."""
    if screen.session.sort != view.sort:
        resort(screen, view.sort)
    screen.filter_input.value = view.query
    screen.apply_filter(view.query)
    screen.remember_filter()
    screen.notify(
        f"View {view.name!r}: {view.query or 'everything'}, by {describe_sort(view.sort)}."
    )
    screen.action_focus_list()


def apply_view_number(screen: MainScreen, number: int) -> None:
    saved = views(screen.library)
    if not 1 <= number <= len(saved):
        screen.notify(f"No view {number} (w lists the saved views).", severity="warning")
        return
    apply_view(screen, saved[number - 1])


def choose_view(screen: MainScreen) -> None:
    """w: the saved views (`readinglist view save` adds one)."""
    saved = views(screen.library)
    if not saved:
        screen.notify("No saved views (readinglist view save NAME QUERY).", severity="warning")
        return

    def done(name: str | None) -> None:
        for v in saved:
            if v.name == name:
                apply_view(screen, v)

    options = [
        (
            v.name,
            f"{i}  {v.name}  —  {v.query or 'everything'}  (by {v.sort})" if i <= 9 else v.name,
        )
        for i, v in enumerate(saved, 1)
    ]
    title = "Views (enter applies; keys 1-9 apply one from the list; esc cancels)"
    screen.app.push_screen(ChoiceScreen(title, options, saved[0].name), done)


# --- dialogs -----------------------------------------------------------------------


class TagsScreen(ModalScreen[str | None]):
    """Add tags (comma-separated; -tag removes one), completing from the tags in use."""

    DEFAULT_CSS = """
    #tags-dialog { height: auto; }
    #tags-help { color: $text-muted; margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, current: list[str], known: list[str]) -> None:
        super().__init__()
        self.tags_title = title
        self.current = current
        self.known = known

    def compose(self) -> ComposeResult:
        with Vertical(id="tags-dialog", classes="dialog"):
            yield Label(Text(self.tags_title), classes="dialog-title")
            now = ", ".join(self.current) or "none"
            yield Static(
                Text(
                    f"Now: {now}\nType tags separated by commas; -tag removes one. "
                    "right arrow completes; enter applies; esc cancels."
                ),
                id="tags-help",
            )
            suggestions = [*self.known, *(f"-{t}" for t in self.current)]
            yield Input(
                id="tags-input",
                placeholder="stem cells, -fibrosis",
                suggester=TagSuggester(suggestions),
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TagSuggester(SuggestFromList):
    """Completes the tag being typed: the text after the last comma."""

    def __init__(self, tags: list[str]) -> None:
        super().__init__(tags, case_sensitive=False)

    async def get_suggestion(self, value: str) -> str | None:
        head, comma, last = value.rpartition(",")
        typed = last.lstrip()
        if not typed:
            return None
        found = await super().get_suggestion(typed)
        if found is None:
            return None
        return head + comma + last[: len(last) - len(typed)] + found


class ChoiceScreen(ModalScreen[str | None]):
    """One choice from a list: (id, line) options; returns the chosen id or None."""

    DEFAULT_CSS = """
    #choice-options { height: auto; min-height: 3; max-height: 70vh; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, options: list[tuple[str, str]], current: str) -> None:
        super().__init__()
        self.choice_title = title
        self.options = options
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="choice-dialog", classes="dialog"):
            yield Label(self.choice_title, classes="dialog-title")
            yield OptionList(
                *(Option(Text(inert(line, keep_newlines=False)), id=i) for i, line in self.options),
                id="choice-options",
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [i for i, _ in self.options]
        if self.current in ids:
            options.highlighted = ids.index(self.current)
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ProgressScreen(ModalScreen[None]):
    """P: counts by state, works read per week, and the expected finish, for the review
    shown or (a) for every work of the library."""

    DEFAULT_CSS = """
    #progress-dialog { height: auto; }
    #progress-spark { height: 3; margin: 1 0; }
    """
    BINDINGS = [
        Binding("escape,q,P", "close", "Close"),
        Binding("a", "toggle_all", "This review / all works"),
    ]

    def __init__(self, main: MainScreen) -> None:
        super().__init__()
        self.main = main
        self.all_works = main.session.review_key == ALL_WORKS

    def compose(self) -> ComposeResult:
        with Vertical(id="progress-dialog", classes="dialog"):
            yield Label("", id="progress-title", classes="dialog-title")
            yield Static("", id="progress-counts")
            yield Sparkline([0], id="progress-spark")
            yield Static("", id="progress-weeks")
            yield Static("", id="progress-finish")

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        lib = self.main.library
        session = self.main.session
        if self.all_works:
            works, title = lib.works(), "All works"
        else:
            works = [w for shown in session.lists.values() for w in shown.works]
            title = inert(session.review.short_title, keep_newlines=False) if session.review else ""
        p = progress(works, lib.state_view, lib.settings, by="week", min_periods=12)
        self.progress = p
        other = "this review" if self.all_works else "all works"
        self.query_one("#progress-title", Label).update(
            Text(f"Progress: {title} (a: {other}; esc closes)")
        )
        counts = Text()
        for status, n in p.counts.items():
            counts.append(f"{lib.settings.label(status)} ", style="bold")
            counts.append(f"{n}   ")
        counts.append(f"\n{p.read}/{p.total} read, {p.left} left")
        self.query_one("#progress-counts", Static).update(counts)
        values = [n for _, n in p.series]
        self.query_one("#progress-spark", Sparkline).data = [float(v) for v in values]
        first, last = p.series[0][0], p.series[-1][0]
        weeks = Text(
            f"Read per week, {period_label(first, 'week')} to {period_label(last, 'week')}: "
            f"{sparkline(values)}  (this week {values[-1]}, most {max(values)})"
        )
        self.query_one("#progress-weeks", Static).update(weeks)
        finish = p.finish_date()
        if p.left <= 0:
            text = "Finished: nothing left to read."
        elif finish is None:
            text = f"{p.left} left; no pace yet (nothing read in the last 4 weeks)."
        else:
            text = f"At {p.pace():.1f} a week, the last of {p.left} is read by {finish:%Y-%m-%d}."
        self.query_one("#progress-finish", Static).update(Text(text))

    def action_toggle_all(self) -> None:
        self.all_works = not self.all_works
        self.show()

    def action_close(self) -> None:
        self.dismiss(None)
