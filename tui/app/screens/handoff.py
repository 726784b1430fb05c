"""The main screen's actions that hand the reader's works on to someone else: the app's
copy worker (c, C, d) or a dialog whose answer is then applied (n: the note editor,
R: the review switcher).

Plain functions of the screen rather than methods or a mixin: MainScreen keeps one
delegating `action_*` per key (the key registry binds actions to the screen), and each
of these flows reads top to bottom here, apart from the screen's drawing and focus code.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from tui.app.jobs import CopyJob, style_label
from tui.errors import ReadingListError
from tui.model import Work
from tui.session import ALL_WORKS, describe_works
from tui.text import inert

if TYPE_CHECKING:
    from tui.app.app import ReadingListApp
    from tui.app.messages import Copied
    from tui.app.screens.main import MainScreen

BIG_BIBLIOGRAPHY = 200  # CSL styles take about 10 ms a work: say longer ones are under way


# --- copy: formatted and copied in the app's thread worker -------------------------------


def copy_citations(screen: MainScreen) -> None:
    """c: the targets' citations, reusing those the detail pane has formatted."""
    session = screen.session
    works = session.targets(screen.active.highlighted)
    if not works:
        screen.notify("Nothing to copy: the list is empty.", severity="warning")
        return
    style, punct, citations = screen.app.style_name, screen.app.punct, session.citations
    keys = {w.id: (w.id, style, punct) for w in works}
    cached = {i: citations[key] for i, key in keys.items() if key in citations}
    what = f"{describe_works(works)} in {style_label(style, punct)}"
    screen.app.copy(CopyJob(works, style, "citations", what, cached=cached, punct=punct))


def copy_bibliography(screen: MainScreen) -> None:
    """C: a bibliography of the selected works, else of every work the filter shows."""
    works = screen.session.targets(None) or screen.refs.visible_works + screen.rels.visible_works
    if not works:
        screen.notify("Nothing to copy: no work is shown.", severity="warning")
        return
    style, punct = screen.app.style_name, screen.app.punct
    label = style_label(style, punct)
    if len(works) > BIG_BIBLIOGRAPHY:
        screen.notify(f"Formatting {len(works):,} works in {label}…", markup=False)
    what = f"bibliography of {len(works)} works in {label}"
    screen.app.copy(CopyJob(works, style, "bibliography", what, punct=punct))


def copy_doi(screen: MainScreen) -> None:
    """d: the highlighted work's DOI."""
    w = screen.active.highlighted
    if w is None:
        return
    if not w.doi:
        screen.notify(f"{w.local_id} has no DOI.", severity="warning", markup=False)
        return
    screen.app.copy(CopyJob([w], "", "doi", f"DOI of {w.local_id}"))


# --- dialogs: ask, then apply the answer ------------------------------------------------


def edit_note(screen: MainScreen) -> None:
    """n: edit the highlighted work's note; saving an unchanged note writes nothing."""
    from tui.app.screens.dialogs import NoteScreen

    w = screen.active.highlighted
    if w is None:
        return
    title = f"Note on {w.local_id}: {inert(w.title, keep_newlines=False)}"
    note = screen.session.state_of(w).note
    screen.app.push_screen(NoteScreen(title, note), partial(_note_done, screen, w))


def _note_done(screen: MainScreen, w: Work, note: str | None) -> None:
    if note is None:
        return
    try:
        if not screen.session.set_note(w, note):
            return
    except ReadingListError as err:
        screen.write_failed(err, "Note not saved", "error")
        return
    screen.changed()
    screen.notify(f"Note on {w.local_id} saved.", markup=False)


def switch_review(screen: MainScreen) -> None:
    """R: choose another review (or all works) of the database and open it."""
    from tui.app.screens.dialogs import ReviewScreen

    library = screen.library
    reviews = library.reviews()
    if len(reviews) < 2:
        screen.notify("This database holds one review.")
        return
    counts = {r.key: len(library.works(review=r.key)) for r in reviews}
    counts[ALL_WORKS] = sum(counts.values())
    chooser = ReviewScreen(reviews, screen.session.review_key, counts)
    screen.app.push_screen(chooser, lambda key: screen.open_review(key) if key else None)


def report_copy(app: ReadingListApp, message: Copied) -> None:
    """Say where a copy went, or open the copy-by-hand dialog when it went nowhere sure."""
    from tui.app.screens.dialogs import CopyTextScreen

    result, what = message.result, message.what
    where = getattr(result, "where", "") or {
        "system": "the system clipboard",
        "terminal": "the terminal clipboard (OSC 52)",
    }.get(result.method)
    if message.intro:  # the link could not be opened: say where it went instead
        where = f"copied it to {where}" if result.ok and where else "no clipboard to copy it to"
        app.notify(
            f"{message.intro} ({where}).", title="No browser", severity="warning", markup=False
        )
        return
    if result.ok and where:
        app.notify(f"Copied {what} to {where}.", title="Copied", markup=False)
        return
    problem = result.message or "No clipboard is available here."
    hint = f"{problem} Select the text below and copy it with your terminal."
    app.push_screen(CopyTextScreen(f"Copy {what} by hand", hint, message.text))
