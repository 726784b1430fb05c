"""Organising the reading: sort orders, saved views and progress over time.

Shared by the CLI (`list --sort`, `view`, `stats --by`) and the app (sorting, the views
list, the progress screen). Core code: no Textual, no Rich; it reads reading state
through a `Mapping[ident, State]` (the library's `state_view`) and the state names
through `tui.settings.Settings`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tui import pinyin
from tui.errors import ReadingListError
from tui.model import State, Work
from tui.settings import Settings

_UNREAD = State()

# --- sorting ----------------------------------------------------------------------

SORT_KEYS = ("n", "year", "author", "title", "journal", "status", "priority", "changed", "queue")


def parse_sort(spec: str) -> tuple[str, bool]:
    """ "-year" -> ("year", True): the key and whether it is descending."""
    text = str(spec or "n").strip().lower()
    descending = text.startswith("-")
    key = text.lstrip("-+") or "n"
    if key not in SORT_KEYS:
        raise ReadingListError(f"unknown sort '{spec}' (use {'|'.join(SORT_KEYS)}, - to reverse)")
    return key, descending


def _text(value: str, *, name: bool = False) -> tuple[str, str]:
    """The sort key of a text: folded (case and accents do not change the order), and
    Chinese by its pinyin, as Chinese bibliographies sort (金 among the J's), family
    names by their surname readings (曾 zeng): tui.pinyin.sort_key."""
    return pinyin.sort_key(value.strip(), name=name)


def sort_works(
    works: Iterable[Work],
    spec: str,
    states: Mapping[str, State],
    settings: Settings | None = None,
) -> list[Work]:
    """`works` in the order `spec` names (see SORT_KEYS). Works without the value (no
    year, no priority, not queued...) come last in both directions; ties keep the
    order given (the list's own order), so sorting is stable."""
    key, descending = parse_sort(spec)
    works = list(works)
    if key == "n":
        return works[::-1] if descending else works
    order = {name: i for i, name in enumerate((settings or Settings()).names)}

    def state(w: Work) -> State:
        return states.get(w.ident) or _UNREAD

    def value(w: Work):  # None: missing, goes last
        if key == "year":
            return w.year
        if key == "author":
            return _text(w.authors[0], name=True) if w.authors else None
        if key == "title":
            return _text(w.title or w.raw) if (w.title or w.raw).strip() else None
        if key == "journal":
            return _text(w.journal) if w.journal.strip() else None
        st = state(w)
        if key == "status":
            return order.get(st.status, len(order))
        if key == "priority":
            return st.priority or None
        if key == "changed":
            return st.changed or None
        return st.queue if st.status == "queued" and st.queue else None  # queue

    pairs = [(value(w), w) for w in works]
    have = [p for p in pairs if p[0] is not None]
    have.sort(key=lambda p: p[0], reverse=descending)
    return [w for _, w in have] + [w for v, w in pairs if v is None]


# --- saved views ------------------------------------------------------------------

VIEWS_PREF = "views"


@dataclass(frozen=True)
class View:
    """A named filter and sort."""

    name: str
    query: str
    sort: str = "n"

    def to_dict(self) -> dict:
        return {"name": self.name, "query": self.query, "sort": self.sort}


DEFAULT_VIEWS = (
    View("To read", "status:queued", "queue"),
    View("Unread with DOI", "status:unread has:doi", "n"),
    View("Read this week", "status:read changed:week", "-changed"),
)


def views(library) -> list[View]:
    """The saved views (the shipped defaults until the reader saves or deletes one)."""
    stored = library.get_pref(VIEWS_PREF)
    if not isinstance(stored, list):
        return list(DEFAULT_VIEWS)
    out = []
    for d in stored:
        if isinstance(d, dict) and isinstance(d.get("name"), str) and d["name"].strip():
            query, sort = d.get("query", ""), d.get("sort", "n")
            out.append(View(d["name"], query if isinstance(query, str) else "", _sort_or_n(sort)))
    return out


def _sort_or_n(sort) -> str:
    try:
        parse_sort(sort)
    except ReadingListError:
        return "n"
    return sort


def find_view(library, name: str) -> View:
    wanted = " ".join(str(name).split()).casefold()
    for v in views(library):
        if v.name.casefold() == wanted:
            return v
    known = ", ".join(v.name for v in views(library)) or "none"
    raise ReadingListError(f"no view '{name}' (saved views: {known})")


def save_view(library, name: str, query: str, sort: str = "n") -> View:
    """Save (or replace) a view; the query and sort are checked first (strictly)."""
    from tui.query import parse

    name = " ".join(str(name).split())
    if not name or len(name) > 60:
        raise ReadingListError("a view needs a name of 1 to 60 characters")
    parse(query, strict=True, statuses=library.settings.lookup())
    parse_sort(sort)
    view = View(name, query, sort)
    existing = views(library)
    same = [v.name.casefold() == name.casefold() for v in existing]
    if any(same):  # replaced in its place (its number key stays the same)
        new = [view if s else v for v, s in zip(existing, same, strict=True)]
    else:
        new = [*existing, view]
    library.set_pref(VIEWS_PREF, [v.to_dict() for v in new])
    return view


def delete_view(library, name: str) -> View:
    view = find_view(library, name)
    library.set_pref(VIEWS_PREF, [v.to_dict() for v in views(library) if v != view])
    return view


# --- progress over time -----------------------------------------------------------


def _local_day(stamp: str) -> date | None:
    try:
        return datetime.fromisoformat(stamp).astimezone().date()
    except (ValueError, TypeError, OverflowError):
        return None


def period_start(day: date, by: str) -> date:
    """The first day of the week (Monday) or month `day` falls in."""
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    raise ReadingListError(f"unknown period '{by}' (use week or month)")


def _next_period(start: date, by: str) -> date:
    if by == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def period_label(start: date, by: str) -> str:
    """ "2025-W07" for a week (ISO week), "2025-02" for a month."""
    if by == "week":
        iso = start.isocalendar()
        return f"{iso[0]}-W{iso[1]:02d}"
    return f"{start.year}-{start.month:02d}"


@dataclass
class Progress:
    """Where a set of works stands: counts by state, works read per period, the pace."""

    counts: dict[str, int]  # stored state name -> works (one per reading state)
    total: int
    series: list[tuple[date, int]]  # (first day of the period, works marked read in it)
    by: str
    today: date

    @property
    def read(self) -> int:
        return self.counts.get("read", 0)

    @property
    def left(self) -> int:
        """Works still to read (skipped ones are done with, not left)."""
        return self.total - self.read - self.counts.get("skipped", 0)

    def pace(self, periods: int = 4) -> float:
        """Works read per period over the last `periods` periods (this one included)."""
        recent = [n for _, n in self.series[-periods:]]
        return sum(recent) / len(recent) if recent else 0.0

    def finish_date(self, periods: int = 4) -> date | None:
        """When the works left are read at the recent pace (None: no pace, or nothing left:
        then `left` says which)."""
        pace = self.pace(periods)
        if self.left <= 0 or pace <= 0:
            return None
        days = 7 if self.by == "week" else 30.44
        return self.today + timedelta(days=round(self.left / pace * days))

    def rows(self, settings: Settings | None = None) -> list[dict]:
        """The series as rows: {"period", "start", "read"} (for JSON and CSV)."""
        return [
            {"period": period_label(start, self.by), "start": start.isoformat(), "read": n}
            for start, n in self.series
        ]

    def to_json(self, settings: Settings | None = None) -> dict:
        settings = settings or Settings()
        finish = self.finish_date()
        return {
            "by": self.by,
            "total": self.total,
            "counts": dict(self.counts),
            "labels": {k: settings.label(k) for k in self.counts},
            "left": self.left,
            "pace": round(self.pace(), 2),
            "finish": finish.isoformat() if finish else None,
            "series": self.rows(settings),
        }


def progress(
    works: Iterable[Work],
    states: Mapping[str, State],
    settings: Settings | None = None,
    *,
    by: str = "week",
    today: date | None = None,
    min_periods: int = 8,
) -> Progress:
    """Counts and the works read per week or month (by the time each was marked read;
    a state keeps the time of its last change, so a work marked read, then touched
    again, counts when it was last marked). The series runs without gaps from the
    first period with a read work (at least `min_periods`) to the current one."""
    return progress_of(
        (w.ident for w in works), states, settings, by=by, today=today, min_periods=min_periods
    )


def progress_of(
    idents: Iterable[str],
    states: Mapping[str, State],
    settings: Settings | None = None,
    *,
    by: str = "week",
    today: date | None = None,
    min_periods: int = 8,
) -> Progress:
    """`progress` of the works whose `Work.ident`s these are (no Work needed)."""
    settings = settings or Settings()
    today = today or date.today()
    counts = dict.fromkeys(settings.names, 0)
    per: dict[date, int] = {}
    seen: set[str] = set()
    for ident in idents:
        if ident in seen:  # one reading state, counted once
            continue
        seen.add(ident)
        st = states.get(ident) or _UNREAD
        counts[st.status] = counts.get(st.status, 0) + 1
        if st.status == "read":
            day = _local_day(st.changed)
            if day is not None and day <= today:
                start = period_start(day, by)
                per[start] = per.get(start, 0) + 1
    last = period_start(today, by)
    first = last
    for _ in range(min_periods - 1):
        first = period_start(first - timedelta(days=1), by)
    if per:
        first = min(first, min(per))
    series = []
    start = first
    while start <= last:
        series.append((start, per.get(start, 0)))
        start = _next_period(start, by)
    return Progress(counts, len(seen), series, by, today)


BLOCKS = " ▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    """One block character per value, scaled to the largest (no image library)."""
    top = max(values, default=0)
    if top <= 0:
        return BLOCKS[0] * len(values)
    return "".join(BLOCKS[round(v / top * (len(BLOCKS) - 1))] for v in values)


def bar_chart(series: list[tuple[str, int]], width: int = 40) -> list[str]:
    """Horizontal bars of full blocks (with an eighth-block end), one line per period."""
    top = max((n for _, n in series), default=0)
    label_w = max((len(label) for label, _ in series), default=0)
    lines = []
    for label, n in series:
        eighths = round(n / top * width * 8) if top else 0
        bar = "█" * (eighths // 8) + ("▏▎▍▌▋▊▉"[eighths % 8 - 1] if eighths % 8 else "")
        lines.append(f"{label:<{label_w}} {bar} {n}".rstrip())
    return lines
