"""SVG snapshots of the app (pytest-textual-snapshot) on a temporary database.

Nothing in them depends on the clock: the highlighted work is never one whose status
changed (that would print a timestamp), and no notification is on screen.
Update after a deliberate change: `pytest tests/app/test_snapshots.py --snapshot-update`,
then look at the SVGs in tests/app/__snapshots__/test_snapshots/.
"""

from __future__ import annotations

import pytest

from tests.helpers import add_markup_review, settle
from tui.app.app import ReadingListApp
from tui.store import Library


@pytest.fixture
def library(tmp_path):
    lib = Library(tmp_path / "db.json")
    # some progress to show: two references read, one being read (not the highlighted one)
    lib.set_status([lib.resolve("ref2"), lib.resolve("ref3")], "read")
    lib.set_status([lib.resolve("ref5")], "reading")
    yield lib
    lib.close()


def test_main_screen_120x40(snap_compare, library):
    assert snap_compare(ReadingListApp(library), terminal_size=(120, 40), run_before=settle)


def test_main_screen_80x24(snap_compare, library):
    assert snap_compare(ReadingListApp(library), terminal_size=(80, 24), run_before=settle)


def test_filtered_to_sullivan(snap_compare, library):
    async def run_before(pilot):
        await pilot.press("slash", *"Sullivan", "enter")
        await settle(pilot)

    assert snap_compare(ReadingListApp(library), terminal_size=(120, 40), run_before=run_before)


def test_related_pane_80x24(snap_compare, library):
    async def run_before(pilot):
        await pilot.press("tab")
        await settle(pilot)

    assert snap_compare(ReadingListApp(library), terminal_size=(80, 24), run_before=run_before)


def test_help_screen(snap_compare, library):
    async def run_before(pilot):
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(ReadingListApp(library), terminal_size=(120, 40), run_before=run_before)


def test_style_chooser(snap_compare, library):
    async def run_before(pilot):
        await pilot.press("s", "down")
        await settle(pilot)

    assert snap_compare(ReadingListApp(library), terminal_size=(120, 40), run_before=run_before)


def test_note_dialog(snap_compare, library):
    async def run_before(pilot):
        await pilot.press("n", *"methods")
        await settle(pilot)

    assert snap_compare(ReadingListApp(library), terminal_size=(120, 40), run_before=run_before)


def test_copy_by_hand_dialog(snap_compare, library, monkeypatch):
    from tui import clipboard

    def nowhere(text, terminal_copy=None):
        return clipboard.CopyResult(False, "none", clipboard.NO_CLIPBOARD, text)

    monkeypatch.setattr(clipboard, "copy", nowhere)

    async def run_before(pilot):
        await pilot.press("c")
        await settle(pilot)

    assert snap_compare(ReadingListApp(library), terminal_size=(120, 40), run_before=run_before)


def test_review_switcher(snap_compare, library):
    add_markup_review(library)

    async def run_before(pilot):
        await pilot.press("R")
        await settle(pilot)

    app = ReadingListApp(library, "lin2025")
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_style_chooser_80x24(snap_compare, library):
    async def run_before(pilot):
        await pilot.press("s", "down")
        await settle(pilot)

    assert snap_compare(ReadingListApp(library), terminal_size=(80, 24), run_before=run_before)


def test_changes_not_saved_header(snap_compare, library):
    library.save_error = "cannot write db.json: disk full"  # as after a failed write
    assert snap_compare(ReadingListApp(library), terminal_size=(120, 40), run_before=settle)


def test_all_works_120x40(snap_compare, library):
    # the review key, journal and authors give way: the title gets two fifths of the row
    from tui.model import Review, Work

    review = Review(key="zotero-export-2024", title_en="My library", year=2024)
    work = Work(review=review.key, kind="reference", n=1, key="x", title="Short", year=2024)
    library.import_review(review, [work])
    library.set_pref("app.review", "*")
    assert snap_compare(ReadingListApp(library), terminal_size=(120, 40), run_before=settle)
