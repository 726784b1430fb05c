"""Pilot tests of the Textual app: every action a reader takes, against a temp database."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.widgets import Input, OptionList, TextArea

from tests.helpers import (
    MARKUP_TITLE,
    SIZE,
    add_markup_review,
    notifications,
    row_text,
    screen_text,
    set_filter,
    settle,
)
from tui.app.app import ReadingListApp
from tui.app.screens.dialogs import CopyTextScreen, NoteScreen, ReviewScreen
from tui.app.screens.help import HelpScreen
from tui.app.screens.main import MainScreen
from tui.app.screens.style import StyleScreen
from tui.model import Work
from tui.store import Library

# GB/T 7714-2015 (numeric), read from the standard: family names in capitals, initials
# without points, "et al." after three authors, "[J]", "year, volume(issue): pages".
REF16_GBT = (
    "Sullivan K M，Goldmuntz E A，Keyes-Elstein L，et al. Myeloablative autologous "
    "stem-cell transplantation for severe scleroderma[J]. N Engl J Med，2018，378（1）：35-47."
)


async def type_text(pilot, text: str) -> None:
    await pilot.press(*["space" if ch == " " else ch for ch in text])


def main_screen(app) -> MainScreen:
    return app.main


async def filter_to_sullivan(pilot):
    await set_filter(pilot, "Sullivan")


# --- first screen ---------------------------------------------------------------------


async def test_first_screen_shows_review_lists_and_detail(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert app.title == "Advances in stem cell therapy for scleroderma"
        assert app.sub_title == "0/58 read"
        assert screen.refs.border_title == "References 0/43"
        assert screen.rels.border_title == "Related 0/15"
        assert app.focused is screen.refs
        first = row_text(screen.refs, 0)
        assert "Teske N, Fett N" in first and "2024" in first and "Recent advances" in first
        text = screen_text(app)
        assert "干细胞治疗硬皮病研究进展" in text  # review pane, Chinese title
        assert "10.16138/j.1673-6087.2025.04.15" in text
        assert "Reference 1" in text  # detail of the highlighted work
        assert "Citation (gbt7714)" in text


async def test_rows_align_cjk_and_cut_long_titles(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        for wl in (screen.refs, screen.rels):
            width = wl.scrollable_content_region.width
            for y in range(wl.scrollable_content_region.height):
                assert cell_len(row_text(wl, y)) == width
        related = row_text(screen.rels, 0)
        assert "金诗炜 等" in related
        assert "…" in related  # the long Chinese title is cut with an ellipsis
        # the year column starts at the same cell in a Chinese and an English row
        english = row_text(screen.refs, 0)
        assert cell_len(related[: related.index("2025")]) == cell_len(
            english[: english.index("2024")]
        )


# --- filter and marks -----------------------------------------------------------------


async def test_filter_sullivan_enter_space_persists(db, library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("slash")
        await type_text(pilot, "Sullivan")  # the list narrows as you type
        await settle(pilot)
        assert isinstance(app.focused, Input)
        assert len(screen.refs.rows) == 1
        assert screen.refs.highlighted.n == 16
        assert screen.refs.border_title == "References 0/43 · 1 of 43 match"
        assert "1 of 58 match" in str(screen.filter_info.render())
        await pilot.press("enter")
        assert app.focused is screen.refs
        assert screen.filter_input.value == "Sullivan"  # enter keeps the filter
        await pilot.press("space")
        await settle(pilot)
        assert app.sub_title == "1/58 read"
        assert screen.refs.border_title.startswith("References 1/43")
        assert "✓" in row_text(screen.refs, 0)
        assert "read  since" in screen_text(app)
    other = Library(db)
    try:
        assert other.state(other.resolve("ref16")).status == "read"
    finally:
        other.close()


async def test_escape_clears_the_filter(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await filter_to_sullivan(pilot)
        await pilot.press("escape")
        assert screen.filter_input.value == ""
        assert len(screen.refs.rows) == 43 and len(screen.rels.rows) == 15
        assert screen.refs.border_title == "References 0/43"
        assert app.focused is screen.refs
        # escape in the list clears an active filter too
        await filter_to_sullivan(pilot)
        await pilot.press("enter", "escape")
        assert len(screen.refs.rows) == 43


async def test_typing_pinyin_in_the_filter_finds_chinese_authors(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("slash")
        await type_text(pilot, "jsw")  # 金诗炜, by the initials of her name
        await settle(pilot)
        assert screen.refs.rows == []
        assert [screen.rels.works[i].authors[0] for i in screen.rels.rows] == ["金诗炜"]
        assert "1 of 58 match" in str(screen.filter_info.render())
        await pilot.press("backspace", "backspace", "backspace")
        await type_text(pilot, "author:TangWei")
        await settle(pilot)
        assert [screen.rels.works[i].n for i in screen.rels.rows] == [2, 9, 14]


async def test_filter_language_and_no_match(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await set_filter(pilot, "year:2023 -morphea")
        await settle(pilot)
        assert {screen.refs.works[i].year for i in screen.refs.rows} == {2023}
        assert all("orphea" not in screen.refs.works[i].title for i in screen.refs.rows)
        await pilot.press("escape")
        await set_filter(pilot, "zzzznothing")
        await settle(pilot)
        assert screen.refs.rows == [] and screen.rels.rows == []
        assert "No reference matches" in row_text(screen.refs, 0)
        # a half-typed query never raises
        await pilot.press("escape")
        await set_filter(pilot, 'year:20.. "unclosed')
        await settle(pilot)


async def test_reading_unread_and_toggle_back(db, library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("r")
        assert "▸" in row_text(screen.refs, 0)
        assert library.state(screen.refs.works[0]).status == "reading"
        await pilot.press("space")
        assert library.state(screen.refs.works[0]).status == "read"
        await pilot.press("space")
        assert library.state(screen.refs.works[0]).status == "unread"
        await pilot.press("down", "space", "u")
        assert library.state(screen.refs.works[1]).status == "unread"
        assert app.sub_title == "0/58 read"


async def test_undo_restores_status_and_note(db, library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        first = screen.refs.works[0]
        await pilot.press("space")
        assert library.state(first).status == "read"
        await pilot.press("z")
        assert library.state(first).status == "unread"
        assert app.sub_title == "0/58 read"
        await pilot.press("r", "ctrl+z")
        assert library.state(first).status == "unread"
        await pilot.press("z")
        assert "Nothing to undo." in notifications(app)


async def test_multi_select_marks_several(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("v", "x")  # select ref1 and ref2 (the cursor moves down)
        assert set(screen.session.selection) == {"lin2025/ref1", "lin2025/ref2"}
        assert screen.refs.border_title == "References 0/43 · 2 selected"
        assert row_text(screen.refs, 0).startswith("*")
        await pilot.press("space")
        states = [library.state(w).status for w in screen.refs.works[:3]]
        assert states == ["read", "read", "unread"]
        assert screen.session.selection == {}
        assert app.sub_title == "2/58 read"
        await pilot.press("z")
        assert [library.state(w).status for w in screen.refs.works[:2]] == ["unread", "unread"]


async def test_mouse_click_selects_a_row(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.click("#related", offset=(10, 3))  # border, then rows 1, 2, 3
        await settle(pilot)
        assert app.focused is screen.rels
        assert screen.rels.highlighted.n == 3
        assert "Related article 3" in screen_text(app)


async def test_keyboard_movement(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("end")
        assert screen.refs.highlighted.n == 43
        await pilot.press("home", "pagedown")
        assert screen.refs.highlighted.n > 5
        await pilot.press("pageup", "down", "down")
        assert screen.refs.highlighted.n == 3


# --- copy -----------------------------------------------------------------------------


async def test_copy_citation_to_system_clipboard(library, clip):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await filter_to_sullivan(pilot)
        await pilot.press("enter", "c")
        await settle(pilot)
        assert clip.copied == [REF16_GBT]
        assert any(
            "ref16" in m and "gbt7714" in m and "system clipboard" in m for m in notifications(app)
        )


async def test_copy_without_clipboard_shows_the_text(library, clip):
    clip.method = "none"
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await filter_to_sullivan(pilot)
        await pilot.press("enter", "c")
        await settle(pilot)
        assert isinstance(app.screen, CopyTextScreen)
        assert app.screen.query_one(TextArea).text == REF16_GBT
        assert "No clipboard found." in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_copy_through_the_terminal(library, clip, monkeypatch):
    clip.method = "terminal"
    app = ReadingListApp(library)
    sent: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", sent.append)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d")  # ref1's DOI
        await settle(pilot)
        assert sent == ["10.1007/s40257-023-00831-2"]
        assert any("terminal clipboard" in m for m in notifications(app))


async def test_copy_doi_of_a_work_without_one_warns(library, clip):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await filter_to_sullivan(pilot)
        await pilot.press("enter", "d")
        await settle(pilot)
        assert clip.copied == []
        assert "ref16 has no DOI." in notifications(app)


async def test_copy_bibliography_of_selection_and_of_filtered(library, clip):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await set_filter(pilot, "Sullivan")
        await pilot.press("enter", "C")
        await settle(pilot)
        assert len(clip.copied) == 1
        assert "Sullivan K M" in clip.copied[0]
        assert "Teske N" not in clip.copied[0]
        await pilot.press("escape", "home", "v", "v", "C")  # ref1 and ref2 selected
        await settle(pilot)
        assert "Teske N" in clip.copied[1] and "Jerjen R" in clip.copied[1]
        assert "Sullivan" not in clip.copied[1]


async def test_copied_bibliography_is_numbered_as_the_style_prints_its_list(library, clip):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("home", "v", "v", "C")  # ref1 and ref2, in the order shown
        await settle(pilot)
        lines = clip.copied[0].split("\n")
        assert lines[0].startswith("[1] Teske N，Fett N.") and lines[1].startswith("[2] Jerjen R")
        for style in ("vancouver", "ama"):
            app.style_name = style
            await pilot.press("C")
            await settle(pilot)
            lines = clip.copied[-1].split("\n")
            assert lines[0].startswith("1. Teske N") and lines[1].startswith("2. Jerjen R")
        app.style_name = "apa"  # author-date: a list without numbers
        await pilot.press("C")
        await settle(pilot)
        assert clip.copied[-1].startswith("Teske, N.")
        await pilot.press("c")  # the citations themselves stay unnumbered
        await settle(pilot)
        assert clip.copied[-1].startswith("Teske, N.")


# --- style chooser, notes, open -------------------------------------------------------


async def test_style_chooser_previews_and_sets_the_style(db, library, clip):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, StyleScreen)
        options = app.screen.query_one(OptionList)
        names = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert names[options.highlighted] == "gbt7714"
        assert "Teske N，Fett N." in screen_text(app)  # live preview of ref1
        for _ in range(names.index("vancouver") - names.index("gbt7714")):
            await pilot.press("down")
        await settle(pilot)
        assert "Teske N, Fett N." in screen_text(app)  # Vancouver: names as printed
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.style_name == "vancouver"
        assert "Citation (vancouver)" in screen_text(app)
        await pilot.press("c")
        await settle(pilot)
        assert clip.copied[-1].startswith("Teske N, Fett N.")
        assert any("vancouver" in m for m in notifications(app))
    assert Library(db).get_pref("app.style") == "vancouver"


async def test_style_chooser_escape_keeps_the_style(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s", "down", "escape")
        await settle(pilot)
        assert app.style_name == "gbt7714"


async def test_note_editing_saves_cancels_and_undoes(db, library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        first = screen.refs.works[0]
        await pilot.press("n")
        assert isinstance(app.screen, NoteScreen)
        await type_text(pilot, "read the methods [J]")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert library.state(first).note == "read the methods [J]"
        assert "read the methods [J]" in screen_text(app)
        await pilot.press("n")
        await type_text(pilot, " more")
        await pilot.press("escape", "d")  # changed text: discard it when asked
        assert library.state(first).note == "read the methods [J]"
        await pilot.press("z")
        assert library.state(first).note == ""
    other = Library(db)
    assert other.state(other.resolve("ref1")).note == ""


async def test_open_doi_or_pubmed(library, monkeypatch):
    app = ReadingListApp(library)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    monkeypatch.setenv("BROWSER", "firefox")  # a browser is there (see test_app_qa for none)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await set_filter(pilot, "Tyndall")  # ref13: a PMID and no DOI
        await pilot.press("enter", "o", "escape")
        await set_filter(pilot, "Sullivan")  # ref16: neither
        await pilot.press("enter", "o")
        await settle(pilot)
        assert opened == [
            "https://doi.org/10.1007/s40257-023-00831-2",
            "https://pubmed.ncbi.nlm.nih.gov/9014919/",
        ]
        assert any("ref16 has no DOI" in m for m in notifications(app))


# --- panes, help, palette, quit -------------------------------------------------------


async def test_tab_reaches_related_detail_and_review(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("tab")
        await settle(pilot)
        assert app.focused is screen.rels
        assert "Related article 1" in screen_text(app)
        assert "金诗炜" in screen_text(app)
        await pilot.press("tab")
        assert app.focused is screen.detail
        await pilot.press("tab")
        assert app.focused is screen.review_pane
        await pilot.press("tab")
        assert app.focused is screen.refs
        await pilot.press("shift+tab")
        assert app.focused is screen.review_pane


async def test_review_pane_collapses(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert not screen.review_pane.has_class("-collapsed")
        tall = screen.refs.size.height
        await pilot.press("i")
        await pilot.pause()
        assert screen.review_pane.has_class("-collapsed")
        assert screen.refs.size.height > tall


async def test_small_terminal_starts_collapsed_and_keeps_detail(library):
    app = ReadingListApp(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.review_pane.has_class("-collapsed")
        assert screen.refs.scrollable_content_region.height >= 5
        assert screen.detail.region.width == 80  # below the lists
        assert screen.detail.region.y > screen.rels.region.y


async def test_help_lists_every_key(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = "\n" + app.screen.query_one("#help-text").content.plain
        for key in ["/", "enter", "escape", "tab", "space", "c", "s", "d", "C", "o", "n"]:
            assert f"\n{key} " in text or f"\n{key}  " in text, key
        for words in ["toggle read / unread", "undo", "command palette", "quit", "has:doi"]:
            assert words in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_command_palette_runs_an_action(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "Mark reading")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert library.state(screen.refs.works[0]).status == "reading"


async def test_quit(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_prefs_survive_a_restart(db, library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.main.set_style("apa")
        await filter_to_sullivan(pilot)
        await pilot.press("enter", "tab")  # the related pane: 0 matches, so detail
        await settle(pilot)
        pane = app.main.last_pane
        await pilot.press("q")
    library.close()
    again = Library(db)
    app = ReadingListApp(again)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert app.style_name == "apa"
        assert screen.filter_input.value == "Sullivan"
        assert len(screen.refs.rows) == 1
        assert screen.last_pane == pane
        assert app.main.session.review.key == "lin2025"
    again.close()


# --- several reviews, outside changes, markup -----------------------------------------


async def test_markup_in_data_is_shown_literally(library):
    key = add_markup_review(library)
    app = ReadingListApp(library, key)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert "[bold]x[/bold] and [J]" in row_text(screen.refs, 0)
        detail = screen.detail.body.content.plain
        assert "[link=http://x]Roe R[/link]" in detail
        assert MARKUP_TITLE in detail
        assert "J [Test]" in detail
        text = screen_text(app)
        assert "A [bold]review[/bold] title" in app.title or "[bold]review" in text
        svg = app.export_screenshot()
        assert "[bold]x[/bold]" in svg


async def test_switch_review(library):
    key = add_markup_review(library)
    app = ReadingListApp(library, "lin2025")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert set(ids) == {"*", "lin2025", key}  # "*": all works
        for _ in range(ids.index(key) - ids.index("lin2025")):
            await pilot.press("down")
        if ids.index(key) < ids.index("lin2025"):
            for _ in range(ids.index("lin2025") - ids.index(key)):
                await pilot.press("up")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.session.review.key == key
        assert screen.refs.border_title == "References 0/2"
        assert not screen.rels.display
        assert library.get_pref("app.review") == key


async def test_changes_from_another_process_show_up(db, library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        other = Library(db)
        other.set_status([other.resolve("ref2")], "read")
        other.close()
        app.main.check_external_changes()
        await settle(pilot)
        assert app.sub_title == "1/58 read"
        assert "✓" in row_text(app.main.refs, 1)


async def test_theme_is_remembered(db, library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await pilot.pause()
    assert library.get_pref("app.theme") == "nord"
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "nord"


async def test_down_in_the_filter_goes_to_the_list(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await set_filter(pilot, "year:2023")
        await pilot.press("down")
        assert app.focused is app.main.refs
        assert app.main.refs.highlighted.year == 2023


async def test_big_lists_are_indexed_in_the_background(library, monkeypatch):
    import tui.session as app_module  # the session decides when to index in a thread

    monkeypatch.setattr(app_module, "INDEX_IN_BACKGROUND", 10)
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert set(screen.session.indexes) == {
            "reference",
            "related",
        }  # built after the first paint
        screen.session.indexes.clear()  # as if typed before the index was ready
        await set_filter(pilot, "Sullivan")
        assert [screen.refs.works[i].n for i in screen.refs.rows] == [16]
        assert "1 of 58 match" in str(screen.filter_info.render())


async def test_library_opened_after_the_first_paint(db, library):
    library.set_status([library.resolve("ref3")], "read")
    library.close()
    opened: list[Library] = []

    def opener() -> Library:
        opened.append(Library(db))
        return opened[-1]

    app = ReadingListApp(opener)
    shown: list[bool] = []
    app.library_shown = lambda: shown.append(True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert app.library is opened[0]
        assert app.sub_title == "1/58 read"
        assert app.main.refs.border_title == "References 1/43"
        assert shown == [True]
    opened[0].close()


def test_run_app_raises_when_the_library_cannot_be_opened():
    from tui.app.app import run_app
    from tui.errors import StoreError

    def opener():
        raise StoreError("db.json is damaged")

    with pytest.raises(StoreError, match="damaged"):
        run_app(opener, None, headless=True, size=(80, 24))


async def test_palette_shows_review_titles_literally(library):
    from textual.command import CommandPalette

    add_markup_review(library)
    app = ReadingListApp(library, "lin2025")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await type_text(pilot, "Review A")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("A [bold]review[/bold] title" in p for p in prompts), prompts
        await pilot.press("escape")


async def test_a_mark_that_cannot_be_saved_is_not_shown(library, monkeypatch):
    from tui.errors import StoreError

    def broken(works, status):
        raise StoreError("cannot write db.json: disk full")

    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(library, "set_status", broken)
        await pilot.press("space")
        await settle(pilot)
        assert "✓" not in row_text(app.main.refs, 0)
        assert app.sub_title == "0/58 read"
        assert "cannot write db.json: disk full" in notifications(app)
        assert app.main.session.undo_stack == []


async def test_click_opens_the_collapsed_review(library):
    app = ReadingListApp(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.review_pane.has_class("-collapsed")
        await pilot.click("#review")
        await pilot.pause()
        assert not screen.review_pane.has_class("-collapsed")
        assert "Abstract" in screen.review_pane.body.content.plain


def test_only_web_links_are_opened():
    from tui.app.widgets.panes import doi_url, work_url

    assert work_url(Work(url="javascript:alert(1)")) == ""
    assert work_url(Work(url="file:///etc/passwd")) == ""
    assert work_url(Work(url="https://example.org/paper")) == "https://example.org/paper"
    assert work_url(Work(pmid="9014919")) == "https://pubmed.ncbi.nlm.nih.gov/9014919/"
    assert doi_url("10.1000/a<b>") == "https://doi.org/10.1000/a%3Cb%3E"


async def test_all_works_of_the_library(library):
    key = add_markup_review(library)
    app = ReadingListApp(library, "lin2025")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("R", "home", "enter")  # "All works" comes first
        await settle(pilot)
        assert screen.session.review_key == "*"
        assert app.title == "All works"
        assert screen.refs.border_title == "References 0/45"  # 43 + the 2 of the other review
        assert screen.rels.border_title == "Related 0/15"
        await set_filter(pilot, "Sullivan")
        await pilot.press("enter", "space")
        assert library.state(library.resolve("ref16", review="lin2025")).status == "read"
        assert app.sub_title == "1/60 read"
        assert key in {w.review for w in screen.refs.works}
        await pilot.press("q")
    assert library.get_pref("app.review") == "*"
