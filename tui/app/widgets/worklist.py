"""A virtual list of works: draws only the rows on screen (Textual's Line API).

DataTable and OptionList build a widget-side row for every item, which takes
seconds for 10,000+ works. This ScrollView keeps just the model (a list of works
and a list of row indices into it, the filter result) and renders each visible
line on demand in `render_line`, so 100,000 works cost no more to show than 40.

Written here rather than taken from a library: no Textual widget renders a
model-backed list lazily with CJK-aware columns.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.model import State, Work
from tui.text import inert

MARKS = {"read": "✓", "reading": "▸", "unread": " ", "queued": "+", "skipped": "-"}
"""Status marks: all East-Asian-width neutral, so one cell in every terminal."""
NOTE_MARK = "✎"
"""After the status mark of a work that has a note (East-Asian-width neutral too)."""

_DEFAULT_STATE = State()
REVIEW_KEY_WIDTH = 14  # at most this much of a review key before the number
MIN_REVIEW_KEY = 10  # ... and at least this much (lin2025, markup2024), when the title needs room


def short_authors(work: Work) -> str:
    """First author(s) as a list row shows them (Work.byline), as text, never markup."""
    return inert(work.byline(), keep_newlines=False)


def fit(text: str, width: int) -> str:
    """Cut or pad `text` to exactly `width` cells; a cut ends in "…".

    Uses Rich's cell widths (the ones Textual's compositor uses), so a double-width
    character is never split in half.
    """
    if width <= 0:
        return ""
    length = cell_len(text)
    if length <= width:
        return text + " " * (width - length)
    cut = set_cell_size(text, width - 1).rstrip()
    return set_cell_size(cut + "…", width)


class WorkList(ScrollView, can_focus=True):
    """One row per work: selection, number, status and note marks, first author(s), year,
    title, journal."""

    COMPONENT_CLASSES = {
        "worklist--cursor",
        "worklist--cursor-blurred",
        "worklist--selected",
        "worklist--number",
        "worklist--read",
        "worklist--reading",
        "worklist--read-row",
        "worklist--year",
        "worklist--journal",
        "worklist--empty",
    }

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        """The work under the cursor changed (None when the list is empty)."""

        def __init__(self, worklist: WorkList, work: Work | None) -> None:
            super().__init__()
            self.worklist = worklist
            self.work = work

        @property
        def control(self) -> WorkList:
            return self.worklist

    def __init__(
        self,
        kind: str,
        label: str,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.kind = kind
        self.label = label
        self.works: list[Work] = []
        self.rows: list[int] = []  # indices into works, in display order (the filter result)
        self.states: dict[str, State] = {}
        self.selected: set[str] = set()  # Work.id
        self.filtered = False
        self.empty_text = "Nothing here."
        self._number_width = 2
        self._key_width = 0  # the review key before the number (rows of several reviews)
        self.show_review = False  # rows of several reviews: "lin2025 16" (set before set_works)
        self.show_priority = False  # a priority column (while any work has a priority)
        self._last_posted: str | None = ""
        self._style_cache: dict[tuple, tuple] = {}
        self._base_style: Style | None = None  # rich_style, while render_lines runs

    # --- model -------------------------------------------------------------------

    def set_works(self, works: list[Work], states: dict[str, State]) -> None:
        """Show a new list of works (all rows, cursor on the first)."""
        self.works = works
        self.states = states
        self.rows = list(range(len(works)))
        self.filtered = False
        self._number_width = len(str(max((w.n for w in works), default=0)))
        self._key_width = 0
        if self.show_review:  # the number is "<review> <n>": its review key goes first
            keys = max((cell_len(inert(w.review, keep_newlines=False)) for w in works), default=0)
            self._key_width = min(keys, REVIEW_KEY_WIDTH)
        self._rows_changed(keep=None)

    def make_room_for_number(self, n: int) -> None:
        """Numbers up to `n` are coming (a long review loading): the column is that wide
        from the first frame, so the rows do not move when they arrive."""
        self._number_width = max(self._number_width, len(str(n)))
        self.refresh()

    def grew(self, added: list[Work], rows: list[int]) -> None:
        """`added` were appended to `works` (a long review loading behind its first
        rows): show `rows` now, the cursor and scroll where they are."""
        width = len(str(max((w.n for w in added), default=0)))
        self._number_width = max(self._number_width, width)
        self.rows = rows
        self.virtual_size = Size(self.scrollable_content_region.width, len(rows))
        self.refresh()

    def set_rows(self, rows: list[int], filtered: bool) -> None:
        """Show only these works (indices into `works`), keeping the highlighted one if it stays."""
        keep = self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None
        self.rows = rows
        self.filtered = filtered
        self._rows_changed(keep=keep)

    def _rows_changed(self, keep: int | None) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows))
        new = 0
        if keep is not None:
            # keep the cursor on the same work; filter results keep list order (sorted)
            pos = bisect_left(self.rows, keep)
            if pos < len(self.rows) and self.rows[pos] == keep:
                new = pos
        self._last_posted = ""
        self.cursor = new
        self.refresh()

    @property
    def highlighted(self) -> Work | None:
        if 0 <= self.cursor < len(self.rows):
            return self.works[self.rows[self.cursor]]
        return None

    @property
    def visible_works(self) -> list[Work]:
        """The works the filter lets through, in order."""
        return [self.works[i] for i in self.rows]

    def count_read(self) -> int:
        """How many works of the list are read (cheap while few works have a state)."""
        read = {ident for ident, st in self.states.items() if st.status == "read"}
        if not read:
            return 0
        return sum(1 for w in self.works if w.ident in read)

    def move_to_work(self, work_id: str) -> bool:
        for pos, i in enumerate(self.rows):
            if self.works[i].id == work_id:
                self.cursor = pos
                return True
        return False

    # --- cursor ------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1)) if self.rows else 0

    def watch_cursor(self, value: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        work = self.highlighted
        key = work.id if work is not None else None
        if key != self._last_posted:
            self._last_posted = key
            self.post_message(self.Highlighted(self, work))

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    async def handle_key(self, event: events.Key) -> bool:
        """A key sent here while this list had the focus but taken from the queue after
        the priority key `/` moved the focus to the filter is still this list's: its binding is
        looked up from the list, as when it was typed. (Textual looks a key's binding up
        from whatever is focused when the key is handled, so `jj␣/lancet` typed in one
        burst, e.g. while the app starts, would lose the moves and the mark.)"""
        focused = self.screen.focused
        if focused is not self and focused is getattr(self.screen, "filter_input", None):
            for node in self.ancestors_with_self:  # the list, its pane, the screen, the app
                for binding in node._bindings.key_to_bindings.get(event.key, ()):
                    if not binding.priority and await self.app.run_action(binding.action, node):
                        event.prevent_default()
                        event.stop()
                        return True
        return await super().handle_key(event)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows))
        self._scroll_cursor_into_view()

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.scrollable_content_region.height - 1)

    def action_page_down(self) -> None:
        self.cursor += max(1, self.scrollable_content_region.height - 1)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self.rows) - 1

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = round(self.scroll_y) + offset.y
        if 0 <= row < len(self.rows):
            self.cursor = row
        self.focus()

    def refresh_works(self, works: Iterable[Work] | None = None) -> None:
        """Redraw after a status or selection change (the rows on screen only)."""
        self.refresh()

    # --- drawing -----------------------------------------------------------------

    def _columns(self, width: int) -> tuple[int, int, int, int, int]:
        """Widths of the review key, authors, year, title and journal columns for a row
        `width` wide.

        The title gets the room: it is what the reader scans. When it would be narrower
        than two fifths of the row, the others give way, the least useful first: the
        review key (down to MIN_REVIEW_KEY), the journal (down to 10), the authors
        (down to 12); on very narrow rows the journal goes.
        """
        key = self._key_width
        authors = max(12, min(22, width // 4))
        year = 5
        journal = min(24, max(10, width // 6)) if width >= 70 else 0

        def title() -> int:
            # selection, review key and space, number, space, status mark, note mark,
            # (priority,) space
            fixed = 1 + (key + 1 if key else 0) + self._number_width + 1 + 3
            fixed += 1 if self.show_priority else 0
            return width - fixed - (authors + 1) - year - (journal + 1 if journal else 0)

        want = max(24, width * 2 // 5)
        if title() < want and key > MIN_REVIEW_KEY:
            key = max(MIN_REVIEW_KEY, key - (want - title()))
        if title() < want and journal > 10:
            journal = max(10, journal - (want - title()))
        if title() < want and authors > 12:
            authors = max(12, authors - (want - title()))
        if title() < 12:  # very narrow: drop the journal
            journal = 0
        return key, authors, year, max(title(), 0), journal

    def render_lines(self, crop: Region) -> list[Strip]:
        # the widget's style once per redraw, not once a row: rich_style combines the
        # styles of every ancestor (a millisecond of the first frame's 40 rows)
        self._base_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._base_style = None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self._base_style if self._base_style is not None else self.rich_style
        index = round(self.scroll_y) + y
        if not self.rows:
            if y == 0:
                style = base + self.get_component_rich_style("worklist--empty")
                return Strip([Segment(fit(" " + self.empty_text, width), style)], width)
            return Strip.blank(width, base)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        work = self.works[self.rows[index]]
        return self._render_row(work, index == self.cursor, width, base)

    def _row_styles(self, base: Style, status: str, selected: bool, cursor: bool) -> tuple:
        """(row, number, mark, year, journal) styles; cached, as every row asks."""
        key = (base, status, selected, cursor, cursor and self.has_focus, self.app.theme)
        styles = self._style_cache.get(key)
        if styles is None:
            get = self.get_component_rich_style
            row = base
            if status == "read":
                row = row + get("worklist--read-row")
            if selected:
                row = row + get("worklist--selected")
            if cursor:
                row = row + get(
                    "worklist--cursor" if self.has_focus else "worklist--cursor-blurred"
                )
            mark = row + get(f"worklist--{status}") if status in ("read", "reading") else row
            styles = (
                row,
                row + get("worklist--number"),
                mark,
                row + get("worklist--year"),
                row + get("worklist--journal"),
            )
            if len(self._style_cache) > 64:
                self._style_cache.clear()
            self._style_cache[key] = styles
        return styles

    def notify_style_update(self) -> None:
        self._style_cache.clear()
        super().notify_style_update()

    def _render_row(self, work: Work, is_cursor: bool, width: int, base: Style) -> Strip:
        state = self.states.get(work.ident, _DEFAULT_STATE)
        status = state.status
        selected = work.id in self.selected
        row_style, number_style, mark_style, year_style, journal_style = self._row_styles(
            base, status, selected, is_cursor
        )

        key_w, authors_w, year_w, title_w, journal_w = self._columns(width)
        segments = [
            Segment("*" if selected else " ", row_style),
            Segment(self._number(work, key_w) + " ", number_style),
            Segment(MARKS.get(status, " "), mark_style),
            Segment(NOTE_MARK if state.note else " ", number_style),
            Segment(" ", row_style),
        ]
        if self.show_priority:  # 1-3 after the marks, as JabRef's prio1-3
            segments.insert(4, Segment(str(state.priority or " "), number_style))
        segments += [
            Segment(fit(short_authors(work), authors_w) + " ", row_style),
            Segment(fit(str(work.year or ""), year_w), year_style),
            Segment(fit(inert(work.title, keep_newlines=False), title_w), row_style),
        ]
        if journal_w:
            segments.append(Segment(" ", row_style))
            segments.append(
                Segment(fit(inert(work.journal, keep_newlines=False), journal_w), journal_style)
            )
        strip = Strip(segments)
        return strip.adjust_cell_length(width, row_style)

    def _number(self, work: Work, key_width: int) -> str:
        """ "16", or "lin2025 16" in rows of several reviews (the key cut to `key_width`)."""
        n = str(work.n).rjust(self._number_width)
        if not key_width:
            return n
        return fit(inert(work.review, keep_newlines=False), key_width) + " " + n

    def region_of_cursor(self) -> Region:
        return Region(0, self.cursor, self.size.width, 1)
