"""Pilot tests for what a QA pass found in the app (filter hints, detail labels,
remembered filters, no browser, small screens, discoverability, header, save errors)."""

from __future__ import annotations

from tests.helpers import (
    add_markup_review,
    notifications,
    row_text,
    screen_text,
    set_filter,
    settle,
)
from tui.app.app import ReadingListApp
from tui.store import Library

SIZE = (80, 24)  # small: every test renders fewer cells


# --- 1. filter errors are shown --------------------------------------------------------


QUERY_PROBLEMS = [
    ("year:abc", "bad year range 'abc'"),
    (
        "status:done",
        "unknown status 'done' (use unread, queued",
    ),  # (five states: the rest may be cut)
    ("year:2020..2015", "reversed range: did you mean year:2015..2020?"),
]


async def test_a_term_the_filter_cannot_use_is_named(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        info = app.main.filter_info
        for query, expected in QUERY_PROBLEMS:
            await set_filter(pilot, query)
            assert expected in str(info.content), query
            assert info.has_class("-error")
            assert expected in screen_text(app)  # on screen, not cut off
            await pilot.press("escape")
        await set_filter(pilot, "Sullivan")
        assert not info.has_class("-error")
        assert "1 of 58 match" in str(info.content)


# --- 2. source extras: reader's labels, no internals -----------------------------------


def add_extras_review(lib: Library) -> str:
    from tui.model import Review, Work

    review = Review(key="extras2024", title_en="Imported", year=2024)
    work = Work(
        review="extras2024",
        kind="reference",
        n=1,
        key="roe2020book",
        authors=["Roe R"],
        title="A book",
        type="M",
        year=2020,
        extra={
            "entry_type": "book",
            "ris_type": "BOOK",
            "id": "item-7",
            "authors_full": [{"family": "Roe", "given": "Richard"}],
            "isbn": "978-3-16-148410-0",
            "month": 3,
            "keywords": ["sclerosis", "stem cells"],
            "abstract": "We review the books.",
            "short_title": "Book",
        },
    )
    key, _ = lib.import_review(review, [work])
    return key


async def test_detail_shows_source_fields_with_readers_labels(library):
    key = add_extras_review(library)
    app = ReadingListApp(library, key)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        detail = app.main.detail.body.content.plain
        for shown in (
            "ISBN",
            "978-3-16-148410-0",
            "Month",
            "March",
            "Keywords",
            "sclerosis; stem cells",
            "Abstract",
            "We review the books.",
            "Short title",
        ):
            assert shown in detail
        for hidden in ("Authors_f", "Entry_typ", "Ris_type", "item-7", "Richard", "BOOK"):
            assert hidden not in detail


# --- 9. wrapped values hang under the value column; year and volume apart ------------


def render_lines(renderable, width: int) -> list[str]:
    from rich.console import Console

    console = Console(width=width, record=True, color_system=None, legacy_windows=False)
    console.print(renderable)
    return [line.rstrip() for line in console.export_text().splitlines()]


def test_wrapped_values_hang_under_the_value_column():
    from tui.app.widgets.panes import work_text
    from tui.model import State, Work

    work = Work(
        review="lin2025",
        n=16,
        authors=["Sullivan KM", "Goldmuntz EA", "Keyes-Elstein L"],
        et_al=True,
        title="Myeloablative autologous stem-cell transplantation for severe scleroderma",
        journal="N Engl J Med",
        year=2018,
        volume="378",
        issue="1",
        pages="35-47",
    )
    lines = render_lines(work_text(work, State(), "gbt7714", "x"), 40)
    at = next(i for i, line in enumerate(lines) if line.startswith("Authors"))
    column = lines[at].index("Sullivan")
    assert column >= len("Authors ")
    follow = lines[at + 1]
    assert follow[:column].strip() == "" and follow[column:].strip(), lines
    assert any(line.startswith("Year") and line.endswith("2018") for line in lines)
    assert any(line.startswith("Volume") and "378, issue 1" in line for line in lines)
    assert any(line.startswith("Pages") and line.endswith("35-47") for line in lines)


def test_help_descriptions_hang_under_themselves():
    from tui.app.keys import help_sections
    from tui.app.screens.help import help_text

    lines = render_lines(help_text(help_sections(), ""), 50)
    at = next(i for i, line in enumerate(lines) if line.startswith("v  x"))
    column = lines[at].index("select")
    assert lines[at + 1][:column].strip() == "" and lines[at + 1][column:].strip()


# --- 3. a filter is remembered per review; one that hides everything is dropped ---------


async def test_each_review_keeps_its_own_filter(db, library):
    other = add_markup_review(library)
    app = ReadingListApp(library, "lin2025")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.main
        await set_filter(pilot, "Sullivan")
        await pilot.press("enter")
        screen.open_review(other)
        await settle(pilot)
        assert screen.filter_input.value == "" and len(screen.refs.rows) == 2
        assert app.focused is screen.refs
        screen.open_review("lin2025")
        await settle(pilot)
        assert screen.filter_input.value == "Sullivan" and len(screen.refs.rows) == 1
        screen.open_review(other)
        await settle(pilot)
        await pilot.press("q")
    again = Library(db)
    assert again.get_pref("app.filters") == {"lin2025": "Sullivan"}
    app = ReadingListApp(again)  # reopens the other review: unfiltered
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.main.session.review_key == other and app.main.session.filter_text == ""
    again.close()


async def test_a_remembered_filter_that_matches_nothing_is_cleared(library):
    library.set_pref("app.filters", {"lin2025": "zzznothing"})
    library.set_pref("app.pane", "related")
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.main
        assert screen.session.filter_text == "" and screen.filter_input.value == ""
        assert len(screen.refs.rows) == 43
        assert any("zzznothing" in m and "cleared" in m for m in notifications(app))
        assert library.get_pref("app.filters") == {}


async def test_focus_is_never_restored_to_an_empty_pane(library):
    library.set_pref("app.filters", {"lin2025": "Sullivan"})  # no related article matches
    library.set_pref("app.pane", "related")
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.main.session.filter_text == "Sullivan" and app.main.rels.rows == []
        assert app.focused is app.main.refs


# --- 4. `o` without a browser says so, shows the link and copies it ------------------


async def test_open_without_a_browser_shows_and_copies_the_link(library, clip, monkeypatch):
    import webbrowser

    for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    app = ReadingListApp(library)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    url = "https://doi.org/10.1007/s40257-023-00831-2"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert opened == []  # no text browser started inside the terminal
        said = [m for m in notifications(app) if "Cannot open a browser" in m]
        assert len(said) == 1 and "\n" not in said[0]
        assert url in said[0] and "DISPLAY" in said[0]
        assert "copied it to the system clipboard" in said[0]
        assert clip.copied == [url]

        # a browser that is configured but fails to start is reported the same way
        def broken(url, **kw):
            raise webbrowser.Error("could not locate runnable browser")

        monkeypatch.setenv("BROWSER", "nonexistent-browser")
        monkeypatch.setattr(app, "open_url", broken)
        clip.method = "none"
        await pilot.press("o")
        await settle(pilot)
        said = [m for m in notifications(app) if "could not locate runnable browser" in m]
        assert said and url in said[0] and "no clipboard" in said[0]


# --- 5. dialogs fit a 60x20 terminal -------------------------------------------------


def inside(widget, screen_size) -> bool:
    region = widget.region
    width, height = screen_size
    return (
        region.width > 0
        and region.height > 0
        and region.x >= 0
        and region.y >= 0
        and region.right <= width
        and region.bottom <= height
    )


async def test_dialogs_fit_a_small_terminal(library):
    from textual.widgets import Button, OptionList, TextArea

    small = (60, 20)
    app = ReadingListApp(library)
    async with app.run_test(size=small) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        dialog = app.screen
        for widget in (dialog.query_one(TextArea), *dialog.query(Button)):
            assert inside(widget, small), widget
        assert dialog.query_one(TextArea).region.height >= 3
        await pilot.press("escape")
        await pilot.press("s")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        box = app.screen.query_one("#style-preview-box")
        assert inside(options, small) and inside(box, small)
        assert box.region.height >= 3
        assert "ref1 in" in screen_text(app)  # the preview's first line is on screen


# --- 6. selection count in the title, note marks, help on v/x ------------------------


async def test_selection_count_note_mark_and_help(library):
    from tui.app.screens.help import HelpScreen

    library.set_note(library.resolve("ref2"), "methods are good")
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.main
        assert "✎" not in row_text(screen.refs, 0)
        assert row_text(screen.refs, 1).startswith("  2  ✎ Jerjen R")
        await pilot.press("v", "v", "v")
        assert screen.refs.border_title == "References 0/43 · 3 selected"
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("#help-text").content.plain
        assert "select / unselect, then move down" in text
        assert "✎" in text and "has a note" in text


# --- 7. the help's filter language lists all of README's --------------------------------

# README "Filter language", and the language of tui/query.py
README_FILTER_TERMS = [
    "words",
    "author:",
    "title:",
    "journal:",
    "year:2015",
    "year:2015..2020",
    "status:unread|queued|reading|read|skipped",
    "prio:1",
    "prio:1..2",
    "prio:none",
    "tag:fibrosis",
    "changed:week",
    "type:J",
    "kind:related",
    "doi:",
    "pmid:",
    "n:16",
    "note:",
    "has:doi",
    "has:pmid",
    "has:note",
    "-word",
    "-field:value",
    '"quoted phrase"',
    "or",
]


def test_help_lists_the_whole_filter_language():
    from tui.app.screens.help import FILTER_HELP

    syntax = [s for s, _ in FILTER_HELP]
    for term in README_FILTER_TERMS:
        field, colon, value = term.partition(":")
        found = any(
            term in s or (colon and field + ":" in s and all(v in s for v in value.split("|")))
            for s in syntax
        )
        found = found or (term == "or" and any(" or " in s for s in syntax))
        assert found, term


# --- 8. a narrow header cuts the title, never the count ---------------------------------


async def test_narrow_header_keeps_the_read_count(library):
    app = ReadingListApp(library)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        top = screen_text(app).splitlines()[0]
        assert "— 0/58 read" in top
        assert "Advances in stem" in top and "…" in top
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        top = screen_text(app).splitlines()[0]
        assert "Advances in stem cell therapy for scleroderma — 0/58 read" in top, top
        await pilot.resize_terminal(40, 20)
        await settle(pilot)
        assert "0/58 read" in screen_text(app).splitlines()[0]


# --- 10. "All works" says which review each row comes from ------------------------------


async def test_all_works_rows_name_their_review(library):
    other = add_markup_review(library)
    app = ReadingListApp(library, "lin2025")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.main
        assert not row_text(screen.refs, 0).lstrip().startswith("lin2025")
        screen.open_review("*")
        await settle(pilot)
        rows = [row_text(screen.refs, y) for y in range(len(screen.refs.rows))]
        assert any(r.split()[:2] == ["lin2025", "16"] for r in rows)
        assert any(r.split()[:2] == [other, "2"] for r in rows)
        await set_filter(pilot, "Sullivan")
        await pilot.press("enter")
        await settle(pilot)
        assert "lin2025/ref16" in screen.detail.body.content.plain


# --- 11. the palette's Screenshot saves where the user is, and says where ---------------


async def wait_for(pilot, condition, tries: int = 100) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not met")


async def test_palette_screenshot_is_saved_and_says_where(library, tmp_path, monkeypatch):
    from pathlib import Path

    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["Screenshot"].callback()
        await wait_for(pilot, lambda: list(here.glob("*.svg")))
        saved = list(here.glob("*.svg"))
        assert len(saved) == 1 and "<svg" in saved[0].read_text(encoding="utf-8")
        assert any(str(saved[0]) in m for m in notifications(app))
        # no writable current folder: the data folder
        data = tmp_path / "data"
        monkeypatch.setattr(Path, "cwd", classmethod(lambda cls: tmp_path / "gone"))
        monkeypatch.setattr("tui.paths.data_dir", lambda: data)
        app.action_screenshot()
        await pilot.pause()
        assert len(list(data.glob("*.svg"))) == 1
        assert any(str(data) in m for m in notifications(app))


# --- 12. a lasting warning while nothing can be saved; store notices once ---------------


async def test_save_error_is_shown_until_a_write_works(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        library.save_error = "cannot write db.state.json: Read-only file system"
        app.main.check_external_changes()
        await pilot.pause()
        top = screen_text(app).splitlines()[0]
        assert "0/58 read" in top and "changes are NOT being saved" in top
        assert "Read-only file system" in app.sub_title
        await pilot.press("space")  # a good write clears save_error
        await settle(pilot)
        assert library.save_error is None
        assert app.sub_title == "1/58 read"


async def test_store_notices_are_shown_once_at_start(library):
    library.notices.append("db.json was converted from format 0 to format 1; kept db.json.v0")
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        said = [m for m in notifications(app) if "converted from format 0" in m]
        assert len(said) == 1
