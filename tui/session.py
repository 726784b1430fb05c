"""A reading session: what the reader is doing with one library, with no widget in sight.

The app's main screen is a view of one `ReadingSession`: the session owns the review
shown, its two lists and the rows the filter lets through, the selection, which works
an action applies to, undo, status and note changes, the read counts and the titles
that count them, and the citations already formatted. The screen only draws it and
says what happened. So every rule here is tested without a Pilot (tests/unit/test_session.py),
as cobib's TUI runs the same command objects as its CLI.

Reading state is never copied: the session looks it up in the `Library` on each use
(`Library.state_view`), so there is one copy of it, the library's, and nothing to
re-sync after a write or a reload. No Textual (nor Rich) here: this is core code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui.model import Review, State, Work

if TYPE_CHECKING:
    from tui.query import Index, Query
    from tui.store import Library

ALL_WORKS = "*"  # the review key that shows every work of the library
KINDS = ("reference", "related")
LABELS = {"reference": "References", "related": "Related"}
INDEX_IN_BACKGROUND = 5000  # lists at least this long are indexed in a thread
# Lists at least this long (both together) are filtered in a thread: a filter over
# 100,000 works can take longer than a frame, and typing must never wait for it.
# Below it the answer comes faster than a thread could hand it back.
FILTER_IN_BACKGROUND = 5000
# A review at least this long opens on its first rows (FIRST_ROWS of each list) and the
# rest is loaded behind, CHUNK works at a time (see ReadingSession.open).
LOAD_IN_CHUNKS = 5000
FIRST_ROWS = 200
CHUNK = 5000
_UNREAD = State()


class LiveStates(Mapping[str, State]):
    """ident -> State of the library, looked up afresh on every access.

    `Library.state_view` may be replaced by a reload; holding this instead means a
    list never shows marks from before one.
    """

    __slots__ = ("_library",)

    def __init__(self, library: Library) -> None:
        self._library = library

    def __getitem__(self, ident: str) -> State:
        return self._library.state_view[ident]

    def get(self, ident: str, default=None):  # faster than Mapping's, through KeyError
        return self._library.state_view.get(ident, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._library.state_view)

    def __len__(self) -> int:
        return len(self._library.state_view)

    def items(self):  # the view's own, not a wrapper per item
        return self._library.state_view.items()


@dataclass
class Shown:
    """One list: all its works, and the rows (indices into `works`) the filter shows."""

    kind: str
    works: list[Work] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    filtered: bool = False

    @property
    def visible(self) -> list[Work]:
        return [self.works[i] for i in self.rows]


@dataclass(frozen=True)
class FilterJob:
    """A filter over lists too long to filter between two frames.

    The caller runs `run` in a thread and hands its answer to
    `ReadingSession.finish_filter`, which shows it only if no newer filter (or another
    review) came meanwhile. `seq` says which `set_filter` call this job answers.
    """

    seq: int
    query: Query
    indexes: tuple[tuple[str, Index], ...]
    states: dict[str, State]  # a copy: a mark made meanwhile must not change under the thread

    def run(self, cancelled: Callable[[], bool]) -> dict[str, list[int]]:
        """kind -> rows; raises tui.query.FilterCancelled once `cancelled()` says so
        (asked between terms: a thread cannot be stopped from outside)."""
        return {
            kind: index.filter(self.query, self.states, cancelled=cancelled)
            for kind, index in self.indexes
        }


@dataclass
class Place:
    """Where the reader was in one review, kept across runs (pref app.places): the work
    under each list's cursor, and whether the review pane was compact (`i`; None: the
    screen's height decides)."""

    works: dict[str, str] = field(default_factory=dict)  # kind -> Work.id
    compact: bool | None = None

    @classmethod
    def from_pref(cls, value: object) -> Place:
        """The place a pref holds; anything malformed counts as no place (never an error)."""
        if not isinstance(value, dict):
            return cls()
        works = value.get("works")
        compact = value.get("compact")
        return cls(
            {k: v for k, v in works.items() if k in KINDS and isinstance(v, str)}
            if isinstance(works, dict)
            else {},
            compact if isinstance(compact, bool) else None,
        )

    def to_pref(self) -> dict[str, object]:
        out: dict[str, object] = {"works": dict(self.works)}
        if self.compact is not None:
            out["compact"] = self.compact
        return out


@dataclass
class Change:
    """One undoable change: statuses before it ("status"), a note before it ("note"), or
    whole states before it ("state": priority, tags, queue places)."""

    what: str
    before: list[tuple[Work, Any]]


class ReadingSession:
    """The reader's place in a library; see the module docstring."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.states = LiveStates(library)
        self.review_key: str | None = None  # a review's key, or ALL_WORKS
        self.review: Review | None = None
        self.lists: dict[str, Shown] = {kind: Shown(kind) for kind in KINDS}
        self.selection: dict[str, Work] = {}  # Work.id -> work
        self.undo_stack: list[Change] = []
        self.read_counts: dict[str, int] = dict.fromkeys(KINDS, 0)
        self.citations: dict[tuple[str, str, str], str] = {}  # (Work.id, style, punct) -> text
        self.indexes: dict[str, Index] = {}
        self.generation = 0  # bumped whenever the lists are loaded again
        self.filter_text = ""
        self.filter_errors: list[str] = []  # what the filter could not use
        self.filter_hints: list[str] = []  # what it used but was probably a typo
        self.filter_description = ""
        self.filter_in_background = FILTER_IN_BACKGROUND  # (tests lower it)
        self.filter_seq = 0  # bumped by every set_filter and open: older answers are stale
        self.filter_job: FilterJob | None = None  # running; the lists show the last answer
        self.sort = "n"  # the lists' order (tui.organise.SORT_KEYS); set before open
        self.query: Query | None = None  # the filter shown (None: unfiltered)
        # Work.id -> (work, whether it matched when the filter ran), for the works whose
        # state changed since: marking a work read under status:unread keeps it listed
        # (the reader is working there), and the titles say how many no longer fit
        self._since_filter: dict[str, tuple[Work, bool]] = {}
        # kind -> how many works the list will have, while the rest is being loaded
        self.loading: dict[str, int] = {}

    # --- loading -----------------------------------------------------------------

    def open(self, key: str | None, *, in_chunks: bool = False) -> None:
        """Show review `key` (ALL_WORKS: every work; None: nothing), unfiltered.

        `in_chunks`: a long review (LOAD_IN_CHUNKS works or more, in the library's own
        order) shows only its first FIRST_ROWS of each list; `loading` then says how
        many each list will have, and the caller loads the rest (`chunks`) into
        `add_loaded`. Until that is done the filter waits (`set_filter` keeps the text)
        and nothing that needs the whole list (a sort, select all) may run."""
        lib = self.library
        self.review_key = key
        self.review = lib.get_review(key) if key and key != ALL_WORKS else None
        self.selection.clear()
        self.indexes.clear()
        self.generation += 1
        self.filter_seq += 1  # a filter still running was for the lists shown before
        self.filter_job = None
        self.query = None
        self._since_filter.clear()
        self.undo_stack.clear()
        self.citations.clear()  # a re-import may have changed the works
        self.loading = {}
        chunked = (
            in_chunks
            and key not in (None, ALL_WORKS)
            and self.sort == "n"
            and lib.count(key) >= LOAD_IN_CHUNKS
        )
        for kind, shown in self.lists.items():
            if chunked:
                works = lib.first_works(key, FIRST_ROWS, kind)  # type: ignore[arg-type]
                total = lib.count(key, kind)
                if len(works) < total:
                    self.loading[kind] = total
            else:
                works = self._fetch(kind)
                if self.sort != "n":
                    works = self._sorted(works)
            shown.works, shown.rows, shown.filtered = works, list(range(len(works))), False
        self.recount()

    def chunks(self) -> list[tuple[str, int, int]]:
        """(kind, start, stop) of each chunk still to load, in order."""
        out = []
        for kind, total in self.loading.items():
            for start in range(len(self.lists[kind].works), total, CHUNK):
                out.append((kind, start, min(start + CHUNK, total)))
        return out

    def add_loaded(self, generation: int, kind: str, start: int, works: list[Work]) -> bool:
        """Append a chunk loaded behind (False, nothing changed: it is for lists no longer
        shown, or not the next one). The rows grow with it: no filter runs meanwhile."""
        shown = self.lists[kind]
        if generation != self.generation or kind not in self.loading:
            return False
        if start != len(shown.works):
            return False
        read = {i for i, st in self.library.state_view.items() if st.status == "read"}
        shown.works.extend(works)  # in place: the list widget holds the same list
        shown.rows = list(range(len(shown.works)))
        if read:
            self.read_counts[kind] += sum(1 for w in works if w.ident in read)
        if len(shown.works) >= self.loading[kind]:
            del self.loading[kind]
        return True

    @property
    def loaded_fraction(self) -> float:
        """How much of the lists being loaded is there (1.0: all, or nothing loads)."""
        if not self.loading:
            return 1.0
        have = sum(len(self.lists[k].works) for k in self.loading)
        return have / max(1, sum(self.loading.values()))

    def _fetch(self, kind: str) -> list[Work]:
        """The works of one list of the review shown, in the library's order."""
        key = self.review_key
        if key == ALL_WORKS:
            return self.library.works(kind=kind)
        return self.library.works(review=key, kind=kind) if key else []

    def _sorted(self, works: list[Work]) -> list[Work]:
        from tui.organise import sort_works

        return sort_works(works, self.sort, self.library.state_view, self.library.settings)

    def set_sort(self, spec: str) -> None:
        """Order both lists by `spec` (ReadingListError for an unknown one, nothing
        changed); the filter stays. The lists' indexes are built again for the new order
        (the caller runs `refilter()` as after `open`)."""
        from tui.organise import parse_sort

        key, descending = parse_sort(spec)
        self.sort = ("-" if descending else "") + key
        for kind, shown in self.lists.items():
            works = self._fetch(kind)
            if self.sort != "n":
                works = self._sorted(works)
            shown.works, shown.rows, shown.filtered = works, list(range(len(works))), False
        self.indexes.clear()
        self.generation += 1
        self.filter_seq += 1
        self.filter_job = None

    def row_of(self, kind: str, work_id: str) -> int | None:
        """Where work `work_id` is among the rows list `kind` shows (None: not shown)."""
        shown = self.lists[kind]
        for pos, i in enumerate(shown.rows):
            if shown.works[i].id == work_id:
                return pos
        return None

    def state_of(self, work: Work) -> State:
        return self.library.state_view.get(work.ident) or _UNREAD

    def recount(self) -> None:
        """Count the read works of each list (cheap while few works have a state)."""
        read = {i for i, st in self.library.state_view.items() if st.status == "read"}
        for kind, shown in self.lists.items():
            self.read_counts[kind] = sum(1 for w in shown.works if w.ident in read) if read else 0

    # --- filter ------------------------------------------------------------------

    def missing_indexes(self) -> list[tuple[str, list[Work]]]:
        return [(k, s.works) for k, s in self.lists.items() if k not in self.indexes]

    def index_now_if_small(self) -> bool:
        """True when both lists have a search index, built here when they are small.

        False: the lists are big (100,000 works take about a second to index), so the
        caller builds `missing_indexes()` in a thread and hands them to `add_indexes`.
        """
        if self.loading:  # an index of part of a list would filter part of it
            return False
        missing = self.missing_indexes()
        if not missing:
            return True
        if sum(len(works) for _, works in missing) >= INDEX_IN_BACKGROUND:
            return False
        from tui.query import Index

        for kind, works in missing:
            self.indexes[kind] = Index(works)
        return True

    def add_indexes(self, generation: int, built: Mapping[str, Index]) -> bool:
        """Use indexes built in a thread; False when built for lists no longer shown."""
        if generation != self.generation:
            return False
        self.indexes.update(built)
        return True

    def set_filter(self, text: str) -> bool:
        """Narrow both lists to the works matching `text` (the query language).

        False when the lists need their indexes first (see `index_now_if_small`); the
        text is kept, so calling `refilter()` once they are there finishes the job.
        True: the rows are narrowed, or, for long lists, `filter_job` is set and the
        caller runs it in a thread (the rows stay as they were until `finish_filter`).
        Every call makes the answer of any job still running stale, so the lists end
        up showing the answer for the last text, never an earlier one that finished late.
        """
        self.filter_text = text
        self.filter_seq += 1
        self.filter_job = None
        query = None
        if text.strip():  # (no text: tui.query is not even imported, e.g. at start)
            from tui.query import parse

            # (bounded: tui.query.MAX_QUERY_CHARS, MAX_TERMS); the reader's names of states
            query = parse(text, statuses=self.library.settings.lookup())
        self.filter_errors = list(query.errors) if query is not None else []
        self.filter_hints = list(query.hints) if query is not None else []
        self._since_filter.clear()
        self.query = None if query is None or query.is_empty else query
        if query is None or query.is_empty:
            self.filter_description = ""
            for shown in self.lists.values():
                shown.rows, shown.filtered = list(range(len(shown.works))), False
            return True
        if self.loading:  # never a filter over part of a list: refilter() once loaded
            return False
        if not self.index_now_if_small():
            return False
        self.filter_description = query.describe()
        if self.total >= self.filter_in_background:
            jobs = tuple((kind, self.indexes[kind]) for kind in self.lists)
            self.filter_job = FilterJob(self.filter_seq, query, jobs, dict(self.library.state_view))
            return True
        for kind, shown in self.lists.items():
            shown.rows, shown.filtered = self.indexes[kind].filter(query, self.states), True
        return True

    def refilter(self) -> bool:
        return self.set_filter(self.filter_text)

    def filter_is_current(self, seq: int) -> bool:
        """Whether FilterJob `seq` is still wanted (safe to ask from its thread)."""
        return seq == self.filter_seq

    def finish_filter(self, seq: int, rows: Mapping[str, list[int]]) -> bool:
        """Show the answer of FilterJob `seq`; False, changing nothing, when it is stale."""
        if self.filter_job is None or seq != self.filter_job.seq:
            return False  # the reader typed on meanwhile: that answer is on its way
        self.filter_job = None
        for kind, shown in self.lists.items():
            if kind in rows:
                shown.rows, shown.filtered = rows[kind], True
        return True

    @property
    def filter_pending(self) -> bool:
        """A filter runs in a thread: the rows are still those of the text before."""
        return self.filter_job is not None

    def _note_changes(self, works: list[Work]) -> None:
        """Before `works` change state: remember whether each matched the filter shown."""
        if self.query is None:
            return
        for w in works:
            if w.id not in self._since_filter:
                self._since_filter[w.id] = (w, self.query.matches(w, self.state_of(w)))

    def changed_since_filter(self, kind: str | None = None) -> int:
        """How many works (of list `kind`, else of both) the filter would now place
        differently: changed since it ran, they match now and did not, or the reverse."""
        query = self.query
        if query is None:
            return 0
        return sum(
            1
            for w, matched in self._since_filter.values()
            if (kind is None or w.kind == kind) and query.matches(w, self.state_of(w)) != matched
        )

    @property
    def filter_hides_everything(self) -> bool:
        return bool(self.filter_text) and not any(s.rows for s in self.lists.values())

    # --- selection and targets ----------------------------------------------------

    def targets(self, highlighted: Work | None) -> list[Work]:
        """The selected works (references then related), else the highlighted one."""
        if self.selection:
            order = {kind: i for i, kind in enumerate(KINDS)}
            return sorted(self.selection.values(), key=lambda w: (order.get(w.kind, 2), w.n))
        return [highlighted] if highlighted is not None else []

    def toggle_selected(self, work: Work) -> None:
        if self.selection.pop(work.id, None) is None:
            self.selection[work.id] = work

    def select_all(self, works: list[Work]) -> None:
        """Select every work of `works`, or clear the selection when all already are."""
        if works and all(w.id in self.selection for w in works):
            self.selection.clear()
        else:
            self.selection.update((w.id, w) for w in works)

    def selected_count(self, kind: str) -> int:
        return sum(1 for w in self.selection.values() if w.kind == kind)

    # --- changes -----------------------------------------------------------------

    def set_status(self, works: list[Work], status: str, *, record: bool = True) -> None:
        """Mark `works` `status` (raises ReadingListError, then nothing changed)."""
        before = [(w, self.state_of(w).status) for w in works]
        self._note_changes(works)
        self.library.set_status(works, status)
        if record:
            self.undo_stack.append(Change("status", before))
        self._count_changes(before)

    def set_priority(self, works: list[Work], priority: int) -> None:
        self._change_states(works, lambda: self.library.set_priority(works, priority))

    def edit_tags(self, works: list[Work], add: list[str], remove: list[str]) -> None:
        self._change_states(works, lambda: self.library.edit_tags(works, add, remove))

    def _change_states(self, works: list[Work], write: Callable[[], None]) -> None:
        before = [(w, self.state_of(w)) for w in works]
        write()
        self.undo_stack.append(Change("state", before))

    def move_in_queue(self, work: Work, step: int) -> bool:
        """Move a queued work up (<0) or down the queue of the works shown; undoable."""
        among = [w for shown in self.lists.values() for w in shown.works]
        before = [(w, self.state_of(w)) for w in self.library.queue(among)]
        if not self.library.move_in_queue(work, step, among):
            return False
        self.undo_stack.append(Change("state", before))
        return True

    def opened(self, work: Work) -> str:
        """The reader opened `work` (o): unread or queued becomes reading when the settings
        say so (undoable with the other changes). Returns the new status, or ""."""
        if not self.library.settings.open_marks_reading:
            return ""
        if self.state_of(work).status not in ("unread", "queued"):
            return ""
        self.set_status([work], "reading")
        return "reading"

    def all_tags(self) -> list[str]:
        return self.library.all_tags()

    def toggle_read(self, works: list[Work]) -> str:
        """Read, unless every one of `works` already is: then unread. Returns which."""
        everyone_read = bool(works) and all(self.state_of(w).status == "read" for w in works)
        status = "unread" if everyone_read else "read"
        self.set_status(works, status)
        return status

    def set_note(self, work: Work, note: str) -> bool:
        """Keep `note` on `work`; False when it is the note it has already."""
        old = self.state_of(work).note
        if note == old:
            return False
        self._note_changes([work])
        self.library.set_note(work, note)
        self.undo_stack.append(Change("note", [(work, old)]))
        return True

    def undo(self) -> str:
        """Undo the last change and say what was restored ("" when there is nothing).

        On a ReadingListError the change stays on the stack: nothing was undone.
        """
        if not self.undo_stack:
            return ""
        change = self.undo_stack[-1]
        if change.what == "note":
            work, old_note = change.before[0]
            self._note_changes([work])
            self.library.set_note(work, old_note)
            self.undo_stack.pop()
            return f"Undone: note of {work.local_id} restored."
        if change.what == "state":
            now = [(w, self.state_of(w).status) for w, _ in change.before]
            self.library.restore_states(change.before)
            self.undo_stack.pop()
            self._count_changes(now)
            what = describe_works([w for w, _ in change.before])
            return f"Undone: {what} restored."
        now = [(w, self.state_of(w).status) for w, _ in change.before]
        groups: dict[str, list[Work]] = {}
        for w, old in change.before:
            groups.setdefault(old, []).append(w)
        self._note_changes([w for w, _ in change.before])
        for status, works in groups.items():
            self.library.set_status(works, status)
        self.undo_stack.pop()
        self._count_changes(now)
        what = describe_works([w for w, _ in change.before])
        return f"Undone: status of {what} restored."

    def _count_changes(self, before: list[tuple[Work, str]]) -> None:
        for w, old in before:
            new = self.state_of(w).status
            if w.kind in self.read_counts and (old == "read") != (new == "read"):
                self.read_counts[w.kind] += 1 if new == "read" else -1

    # --- titles ------------------------------------------------------------------

    @property
    def total(self) -> int:
        """How many works both lists have (those still loading counted)."""
        return sum(self.loading.get(k, len(s.works)) for k, s in self.lists.items())

    @property
    def shown_total(self) -> int:
        return sum(len(s.rows) for s in self.lists.values())

    def progress(self) -> str:
        """ "12/58 read": the header's count ("loading 35%" while a long review loads)."""
        if self.loading:
            return f"loading {int(self.loaded_fraction * 100)}%"
        return f"{sum(self.read_counts.values())}/{self.total} read"

    def list_title(self, kind: str) -> str:
        """ "References 2/43 · 7 of 43 match · 2 changed since filtering · 2 selected":
        a list's border title."""
        shown = self.lists[kind]
        if kind in self.loading:
            return f"{LABELS[kind]} {len(shown.works):,} of {self.loading[kind]:,} loaded…"
        title = f"{LABELS[kind]} {self.read_counts[kind]}/{len(shown.works)}"
        if shown.filtered:
            title += f" · {len(shown.rows)} of {len(shown.works)} match"
            stale = self.changed_since_filter(kind)
            if stale:
                title += f" · {stale} changed since filtering"
        chosen = self.selected_count(kind)
        if chosen:  # in the title, where the eye already is for the counts
            title += f" · {chosen} selected"
        return title


def describe_works(works: list[Work]) -> str:
    """ "ref16" for one work, "3 works" for more."""
    return works[0].local_id if len(works) == 1 else f"{len(works)} works"
