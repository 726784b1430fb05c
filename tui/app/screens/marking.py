"""The main screen's reading-status keys (space, r, u, z): the session marks and undoes,
these say what happened (a failed write says why, and nothing is shown as changed).

Plain functions of the screen, as in handoff.py, so MainScreen keeps one delegating
`action_*` per key and stays a view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.errors import ReadingListError

if TYPE_CHECKING:
    from tui.app.screens.main import MainScreen


def mark(screen: MainScreen, status: str | None) -> None:
    """Mark the targets `status` (None: toggle read); a write that fails says why."""
    session = screen.session
    works = session.targets(screen.active.highlighted)
    if not works:
        screen.notify("Nothing to mark: the list is empty.", severity="warning")
        return
    try:
        if status is None:
            status = session.toggle_read(works)
        else:
            session.set_status(works, status)
    except ReadingListError as err:
        screen.write_failed(err, "Not saved", "error")
        return
    if len(works) > 1:
        screen.notify(f"Marked {len(works)} works {status}.")
        session.selection.clear()
    screen.changed()


def undo(screen: MainScreen) -> None:
    """z: undo the last status or note change, and say what came back."""
    try:
        done = screen.session.undo()
    except ReadingListError as err:
        screen.write_failed(err, "Not undone", "error")
        return
    if not done:
        screen.notify("Nothing to undo.")
        return
    screen.changed()
    screen.notify(done, markup=False)
