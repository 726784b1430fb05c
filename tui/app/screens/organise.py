"""Organising the reading in the app (issue 14): the queue keys, priority, tags, the
sort order, saved views and the progress screen.

The rules are the session's and the core's (tui/session.py, tui/organise.py); this
module turns keys into those calls (the dialogs: organise_dialogs.py). MainScreen gets the actions
from `OrganiseActions` (a mixin, so that the main screen's own class stays short: it
holds the drawing, focus and filter code), each a one-line call into a flow below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from tui.errors import ReadingListError
from tui.model import Work
from tui.organise import SORT_KEYS, View, parse_sort, views
from tui.session import describe_works

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
        from tui.app.screens.organise_dialogs import ProgressScreen

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
    from tui.app.screens.organise_dialogs import TagsScreen

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
    from tui.app.screens.organise_dialogs import ChoiceScreen

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
    from tui.app.screens.organise_dialogs import ChoiceScreen

    screen.app.push_screen(ChoiceScreen(title, options, saved[0].name), done)


# --- the dialogs (tui/app/screens/organise_dialogs.py, imported when one opens) ------

_DIALOGS = ("ChoiceScreen", "ProgressScreen", "TagSuggester", "TagsScreen")


def __getattr__(name: str):
    if name in _DIALOGS:
        from tui.app.screens import organise_dialogs

        return getattr(organise_dialogs, name)
    raise AttributeError(name)
