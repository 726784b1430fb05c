"""A long review opens on its first rows and loads the rest behind (ReadingSession.open
with in_chunks): every row arrives, a filter typed meanwhile waits for the whole list,
a mark made meanwhile is kept, and the header says how far the loading is.

The thresholds are lowered so the shipped review (43 references, 15 related) is "long",
and the loading thread waits on a gate the test opens: no sleep, no timing."""

from __future__ import annotations

import threading

import pytest

from tests.helpers import SIZE, settle
from tui import session as session_module
from tui.app.app import ReadingListApp
from tui.storage import file_signature
from tui.store import Library


@pytest.fixture
def gate(monkeypatch):
    """Chunks of 7 after the first 5 rows of each list; each chunk waits for the gate."""
    monkeypatch.setattr(session_module, "LOAD_IN_CHUNKS", 10)
    monkeypatch.setattr(session_module, "FIRST_ROWS", 5)
    monkeypatch.setattr(session_module, "CHUNK", 7)
    opened = threading.Event()
    loaded = Library.works_between

    def works_between(self, *args):
        assert opened.wait(30)
        return loaded(self, *args)

    monkeypatch.setattr(Library, "works_between", works_between)
    yield opened
    opened.set()  # never leave the thread waiting


def numbers(worklist) -> list[int]:
    return [worklist.works[i].n for i in worklist.rows]


async def test_every_row_is_there_in_the_end(gate, library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.main
        assert numbers(screen.refs) == [1, 2, 3, 4, 5]  # the first rows at once
        gate.set()
        await settle(pilot)
        assert numbers(screen.refs) == list(range(1, 44))
        assert len(screen.rels.rows) == 15
        assert [w.id for w in screen.refs.works] == [
            w.id for w in library.works("lin2025", "reference")
        ]
        assert not screen.session.loading


async def test_the_title_says_how_far_the_loading_is(gate, library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.main
        assert app.sub_title == f"loading {int(10 / 58 * 100)}%"  # 5 + 5 of 58
        assert screen.refs.border_title == "References 5 of 43 loaded…"
        gate.set()
        await settle(pilot)
        assert app.sub_title == "0/58 read"
        assert screen.refs.border_title == "References 0/43"
        assert screen.rels.border_title == "Related 0/15"


async def test_a_filter_typed_while_loading_applies_to_the_whole_list(gate, library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.main
        await pilot.press("slash", *"Sullivan")  # ref16: not among the first rows
        await pilot.pause()
        assert screen.filter_input.value == "Sullivan"
        assert numbers(screen.refs) == [1, 2, 3, 4, 5]  # never a filter of part of the list
        assert "loaded" in str(screen.filter_info.render())  # and it says why
        gate.set()
        await settle(pilot)
        assert numbers(screen.refs) == [16]
        assert "1 of 58 match" in str(screen.filter_info.render())


async def test_a_mark_made_while_loading_is_kept(gate, db, library):
    signature = file_signature(library.path)
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.main
        await pilot.press("down", "space")  # ref2 read, while 38 references still load
        await pilot.pause()
        assert library.state(library.resolve("ref2")).status == "read"
        assert file_signature(library.path) == signature  # the library file is not written
        gate.set()
        await settle(pilot)
        assert app.sub_title == "1/58 read"
        assert screen.refs.border_title == "References 1/43"
        assert screen.session.state_of(screen.refs.works[1]).status == "read"
    assert file_signature(library.path) == signature
    with Library(db) as again:  # on disk, for the next start
        assert again.state(again.resolve("ref2")).status == "read"
        assert again.count("lin2025") == 58


async def test_what_needs_the_whole_list_waits_and_says_so(gate, library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("V")  # select all: only the rows loaded so far would be chosen
        await pilot.pause()
        assert not app.main.session.selection
        assert any("still loading" in n.message for n in app._notifications)
        gate.set()
        await settle(pilot)
        await pilot.press("V")
        await pilot.pause()
        assert len(app.main.session.selection) == 43


async def test_import_and_export_wait_while_loading(gate, library):
    """An import would rewrite the library file under the thread reading the review."""
    from tui.app.screens.files import PathScreen

    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_import_file()
        app.action_export_file()
        await pilot.pause()
        assert app.screen is app.main
        assert sum("still loading" in n.message for n in app._notifications) == 2
        gate.set()
        await settle(pilot)
        app.action_import_file()
        await pilot.pause()
        assert isinstance(app.screen, PathScreen)


async def test_a_place_past_the_first_rows_is_kept_when_quitting_while_loading(gate, library):
    """The remembered place (ref30) is not among the first rows: quitting before it is
    loaded keeps it, rather than saving the top of the list over it."""
    from tui.session import Place

    library.set_pref("app.places", {"lin2025": Place({"reference": "lin2025/ref30"}).to_pref()})
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.main
        assert screen.session.loading and screen.refs.cursor == 0
        assert screen.place().works["reference"] == "lin2025/ref30"
        gate.set()
        await settle(pilot)
        assert screen.refs.highlighted.id == "lin2025/ref30"  # moved there once loaded
