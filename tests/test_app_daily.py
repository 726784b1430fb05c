"""Daily use (issue 13, the app's part): nothing lost silently, a place kept, a layout
that gives titles the room, and keys and commands a newcomer finds."""

from __future__ import annotations

import pytest
from test_app import SIZE, main_screen, notifications, screen_text, set_filter, settle, type_text
from textual.widgets import TextArea

from tui.app.app import ReadingListApp
from tui.app.screens.dialogs import NoteScreen
from tui.app.screens.main import MainScreen
from tui.store import Library


@pytest.fixture
def db(tmp_path):
    return tmp_path / "db.json"


@pytest.fixture
def library(db):
    lib = Library(db)
    yield lib
    lib.close()


# --- 3. an unsaved note is never thrown away without a word ---------------------------


async def test_escape_on_a_changed_note_asks_first(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = main_screen(app).refs.works[0]
        await pilot.press("n")
        await type_text(pilot, "methods")
        await pilot.press("escape")  # asks: the text is still there
        assert not isinstance(app.screen, (NoteScreen, MainScreen))
        await pilot.press("escape")  # keep editing
        assert isinstance(app.screen, NoteScreen)
        assert app.screen.query_one(TextArea).text == "methods"
        await pilot.press("ctrl+q")  # would quit the app: asks too
        assert app.is_running and not isinstance(app.screen, (NoteScreen, MainScreen))
        await pilot.press("s")  # save
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert library.state(first).note == "methods"
        await pilot.press("n")
        await type_text(pilot, " more")
        await pilot.press("escape", "d")  # discard, said twice
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert library.state(first).note == "methods"
        await pilot.press("n", "escape")  # unchanged: closes at once
        assert isinstance(app.screen, MainScreen)


# --- 4. the filter bar names an unknown field, with the nearest known one -------------


def test_an_unknown_field_is_named_with_the_nearest_known_one():
    from tui.query import parse

    assert parse("yera:2020").hints == ["unknown field 'yera' — did you mean year:?"]
    assert parse("autor:teske").hints == ["unknown field 'autor' — did you mean author:?"]
    assert parse("https://doi.org/10.1/x Part I: x title:x").hints == []  # text, not typos


async def test_filter_bar_names_an_unknown_field(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await set_filter(pilot, "yera:2020")
        info = str(main_screen(app).filter_info.render())
        assert "unknown field 'yera' — did you mean year:?" in info
        await set_filter(pilot, "year:2020")
        assert "unknown" not in str(main_screen(app).filter_info.render())
