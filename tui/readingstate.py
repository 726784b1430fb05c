"""The reader's edits of reading state: status, priority, tags, note, queue, undo.

These are `tui.store.Library` methods (``Library.set_status = set_status`` and so
on), kept here so that the store module holds the files and this one the rules of
a reading state. Each edit is one locked read-modify-write (`Library._locked`):
it re-reads what another process wrote (``lib._side.sync()``), changes only the
states that differ, and makes them durable in one write (`Library._commit`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from tui import diskformat as fmt
from tui.errors import ReadingListError
from tui.model import State, Work

if TYPE_CHECKING:
    from tui.store import Library

__all__ = [
    "all_tags",
    "edit_tags",
    "move_in_queue",
    "queue",
    "restore_states",
    "set_note",
    "set_priority",
    "set_status",
    "set_tags",
]


def set_status(lib: Library, works: list[Work], status: str) -> None:
    """Mark `works` `status` (a shown or stored name, see tui.settings).

    A work that becomes queued goes to the end of the queue; one that leaves the
    queue loses its place there.
    """
    status = lib.settings.check(status)
    works = list(works)
    if not works:
        return
    with lib._locked():
        lib._side.sync()
        now = fmt.now()
        changes: dict[str, State | None] = {}
        last = _last_queued(lib)
        for w in works:
            old = lib._side.states.get(w.ident) or State()
            if old.status == status or w.ident in changes:
                continue
            queue = 0
            if status == "queued":
                last += 1
                queue = last
            changes[w.ident] = old.but(status=status, changed=now, queue=queue)
        if changes:
            lib._commit(changes, {})


def _last_queued(lib: Library) -> int:
    return max((s.queue for s in lib._side.states.values()), default=0)


def set_priority(lib: Library, works: list[Work], priority: int) -> None:
    """Priority 1 (highest) to 3, or 0 for none."""
    if isinstance(priority, bool) or priority not in (0, 1, 2, 3):
        raise ReadingListError(f"unknown priority '{priority}' (use 1, 2, 3 or 0 for none)")
    _update(lib, works, lambda old: old.but(priority=priority))


def edit_tags(lib: Library, works: list[Work], add: Iterable[str] = (), remove: Iterable[str] = ()):
    """Add tags `add` and remove tags `remove` (matched without regard to case)."""
    add = [t for t in (" ".join(str(t).split()) for t in add) if t]
    gone = {" ".join(str(t).split()).casefold() for t in remove}

    def edit(old: State) -> State:
        tags = [t for t in old.tags if t.casefold() not in gone]
        have = {t.casefold() for t in tags}
        for t in add:
            if t.casefold() not in have:
                tags.append(t)
                have.add(t.casefold())
        return old.but(tags=tags)

    _update(lib, works, edit)


def restore_states(lib: Library, before: list[tuple[Work, State]]) -> None:
    """Put back whole states (undo)."""
    with lib._locked():
        lib._side.sync()
        changes: dict[str, State | None] = {w.ident: st for w, st in before}
        lib._commit(changes, {})


def all_tags(lib: Library) -> list[str]:
    """Every tag in use, for completion (sorted, without regard to case)."""
    seen: dict[str, str] = {}
    for st in lib._side.states.values():
        for t in st.tags:
            seen.setdefault(t.casefold(), t)
    return sorted(seen.values(), key=str.casefold)


def queue(
    lib: Library, works: Iterable[Work] | None = None, *, review: str | None = None
) -> list[Work]:
    """The queued works of `works` (default: of review `review`, else of the library)
    in queue order, one per reading state (the same DOI in two reviews is queued once)."""
    states = lib._side.states
    seen: set[str] = set()
    out = []
    if works is None:  # only the queued works are loaded
        key = lib.get_review(review).key if review is not None else None
        queued = {i for i, st in states.items() if st.status == "queued"}
        works = lib._bib.with_idents(queued, key)
    for w in works:
        st = states.get(w.ident)
        if st is not None and st.status == "queued" and w.ident not in seen:
            seen.add(w.ident)
            out.append(w)
    out.sort(key=lambda w: states[w.ident].queue)
    return out


def move_in_queue(lib: Library, work: Work, step: int, among: Iterable[Work] | None = None) -> bool:
    """Move a queued work `step` places up (<0) or down (>0) the queue of `among`
    (default: the library); False when it is not queued or already at that end."""
    line = queue(lib, among)
    pos = next((i for i, w in enumerate(line) if w.ident == work.ident), None)
    if pos is None:
        return False
    new = max(0, min(len(line) - 1, pos + step))
    if new == pos:
        return False
    places = [lib.state(w).queue for w in line]  # kept; the works move between them
    line.insert(new, line.pop(pos))
    with lib._locked():
        lib._side.sync()
        changes: dict[str, State | None] = {}
        for w, place in zip(line, places, strict=True):
            old = lib._side.states.get(w.ident) or State()
            if old.queue != place:
                changes[w.ident] = old.but(queue=place)
        lib._commit(changes, {})
    return True


def _update(lib: Library, works: Iterable[Work], edit) -> None:
    """One write of `edit(old state)` for every work (each shared state once)."""
    works = list(works)
    if not works:
        return
    with lib._locked():
        lib._side.sync()
        changes: dict[str, State | None] = {}
        for w in works:
            if w.ident in changes:
                continue
            old = lib._side.states.get(w.ident) or State()
            new = edit(old)
            if new != old:
                changes[w.ident] = new
        if changes:
            lib._commit(changes, {})


def set_note(lib: Library, work: Work, note: str) -> None:
    note = str(note).strip()
    with lib._locked():
        lib._side.sync()
        old = lib._side.states.get(work.ident) or State()
        if old.note != note:
            lib._commit({work.ident: old.but(note=note)}, {})


def set_tags(lib: Library, work: Work, tags: Iterable[str]) -> None:
    clean: list[str] = []
    for t in tags:
        t = str(t).strip()
        if t and t not in clean:
            clean.append(t)
    with lib._locked():
        lib._side.sync()
        old = lib._side.states.get(work.ident) or State()
        if old.tags != clean:
            lib._commit({work.ident: old.but(tags=clean)}, {})
