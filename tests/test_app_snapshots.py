"""SVG snapshots of the app (pytest-textual-snapshot) on a temporary database.

Nothing in them depends on the clock: the highlighted work is never one whose status
changed (that would print a timestamp), and no notification is on screen.
Update after a deliberate change: `pytest tests/test_app_snapshots.py --snapshot-update`,
then look at the SVGs in tests/__snapshots__/.
"""

from __future__ import annotations

import pytest

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


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


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
