"""Daily use (issue 13, the app's part): nothing lost silently, a place kept, a layout
that gives titles the room, and keys and commands a newcomer finds."""

from __future__ import annotations

import pytest
from textual.widgets import TextArea

from tests.app.test_main_screen import main_screen, type_text
from tests.helpers import SIZE, screen_text, set_filter, settle
from tui.app.app import ReadingListApp
from tui.app.screens.dialogs import NoteScreen
from tui.app.screens.main import MainScreen
from tui.store import Library

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


# --- 13. marks under status:unread: kept listed, counted, one key filters again -------


def test_session_counts_what_changed_since_filtering(library):
    from tui.session import ReadingSession

    session = ReadingSession(library)
    session.open("lin2025")
    session.set_filter("status:unread")
    refs = session.lists["reference"]
    first, second = (refs.works[i] for i in refs.rows[:2])
    session.set_status([first, second], "read")
    assert len(refs.rows) == 43  # still listed: the reader is working there
    assert session.changed_since_filter() == 2
    assert session.list_title("reference") == (
        "References 2/43 · 43 of 43 match · 2 changed since filtering"
    )
    session.undo()  # back to unread: they fit the filter again
    assert session.changed_since_filter() == 0
    session.set_status([first], "read")
    session.refilter()
    assert session.changed_since_filter() == 0 and len(refs.rows) == 42
    session.set_note(refs.works[refs.rows[0]], "a note")  # no state term: nothing moves
    assert session.changed_since_filter() == 0


async def test_footer_offers_f_while_the_filter_is_stale(library):
    app = ReadingListApp(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await set_filter(pilot, "status:unread")
        await pilot.press("enter", "space", "down", "space")
        await settle(pilot)
        assert "43 of 43 match · 2 changed since filtering" in screen.refs.border_title
        assert "2 changed since filtering (f)" in str(screen.filter_info.render())
        assert "f Refilter" in screen_text(app).splitlines()[-1]
        await pilot.press("f")
        await settle(pilot)
        assert screen.refs.border_title == "References 2/43 · 41 of 43 match"
        assert "Refilter" not in screen_text(app).splitlines()[-1]


# --- 7. the place is kept per review: each list's row, the review pane's size ---------


def test_a_place_survives_a_malformed_pref():
    from tui.session import Place

    assert Place.from_pref({"works": {"reference": "a/ref3", "x": 1}, "compact": False}) == Place(
        {"reference": "a/ref3"}, False
    )
    assert Place.from_pref("junk") == Place() == Place.from_pref({"works": [1], "compact": 2})
    assert Place.from_pref(Place({"related": "a/rel2"}, True).to_pref()).compact is True


async def test_rows_and_review_pane_come_back_after_a_restart(db, library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("down", "down", "down", "tab", "down", "i")  # ref4, rel2, compact
        await settle(pilot)
        assert screen.refs.highlighted.n == 4 and screen.rels.highlighted.n == 2
        assert screen.review_pane.has_class("-collapsed")
        await pilot.press("q")
    library.close()
    again = Library(db)
    app = ReadingListApp(again)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.refs.highlighted.n == 4 and screen.rels.highlighted.n == 2
        assert screen.review_pane.has_class("-collapsed")  # 40 lines would expand it
        assert "Reference 4" in screen_text(app) or "Related article 2" in screen_text(app)
    again.close()


# --- 8. the note is near the top of Details ------------------------------------------


def add_many_authors_review(lib: Library) -> None:
    from tui.model import Review, Work

    review = Review(key="big2024", title_en="Many authors", authors_en=["Doe J"], year=2024)
    authors = [f"Author{i:02d} AB" for i in range(40)]
    work = Work(
        review="big2024",
        kind="reference",
        n=1,
        key="consortium2024",
        authors=authors,
        title="A trial with a long author list",
        journal="Lancet",
        year=2024,
        volume="400",
        issue="1",
        pages="1-20",
        doi="10.1016/S0140-6736(24)00001-1",
        pmid="12345678",
        raw="Author00 AB, Author01 AB, et al. A trial with a long author list[J]. Lancet, 2024.",
    )
    lib.import_review(review, [work])
    lib.set_note(lib.resolve("ref1", review="big2024"), "check the supplement")


async def test_a_note_is_seen_without_scrolling_details(library):
    add_many_authors_review(library)
    app = ReadingListApp(library, "big2024")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert main_screen(app).detail.scroll_y == 0
        assert "check the supplement" in screen_text(app)


# --- 9. layout: titles get the room, the footer keeps s n o, Details is tall enough ----


async def test_all_works_gives_the_title_the_room(library):
    from tests.helpers import row_text
    from tui.model import Review, Work

    review = Review(key="zotero-export-2024", title_en="My library", year=2024)
    work = Work(review=review.key, kind="reference", n=1, key="x", title="Short", year=2024)
    library.import_review(review, [work])
    library.set_pref("app.review", "*")
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        refs = main_screen(app).refs
        assert "lin2025" in row_text(refs, 0)
        # ref1's title, "Recent advances in treatment of systemic sclerosis and morphea"
        assert "Recent advances in treatment" in row_text(refs, 0)  # 28 cells: was 17


async def test_80x24_footer_keeps_s_n_o_and_details_is_tall_enough(library):
    app = ReadingListApp(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        for key in ("s Style", "n Note", "o Open", "/ Filter", "space Read", "c Copy", "? Help"):
            assert key in footer
        assert main_screen(app).detail.content_region.height > 5


async def test_footer_shows_more_keys_where_there_is_room(library):
    app = ReadingListApp(library)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        for key in ("v Select", "V All", "C Copy all", "d DOI", "z Undo", "R Reviews", "i Review"):
            assert key in footer


def render_plain(renderable, width: int) -> list[str]:
    import io

    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return [line.rstrip() for line in console.export_text().splitlines()]


def test_a_doi_is_broken_only_where_nothing_else_fits():
    from tui.app.widgets.panes import Fields

    doi = "10.1016/j.jdermsci.2023.09.001"  # 30 cells: wider than the value column
    fields = Fields()
    fields.row("Journal", "J Dermatol Sci")
    fields.row("DOI", doi, whole=True)
    fields.row("PMID", "37743142", whole=True)
    lines = render_plain(fields, 36)  # the detail pane's width at 120 columns
    assert doi in lines  # whole, on a line of its own under its label
    assert lines[-1].split() == ["PMID", "37743142"]
    assert render_plain(fields, 60)[1].split() == ["DOI", doi]  # room: beside its label
    longer = "10.7326/0003-4819-153-10-201011160-00007"  # longer than a line: folded
    fields = Fields()
    fields.row("DOI", longer, whole=True)
    assert "".join(line.replace("DOI", "").strip() for line in render_plain(fields, 36)) == longer


# --- 10. discoverability: the palette finds import, export, progress, sort ------------


def test_every_key_is_in_the_palette_with_its_key():
    from tui.app import keys

    palette = {action: help_text for _, help_text, action in keys.palette_entries()}
    for k in keys.KEYS:
        if k.keys and k.action and k.action != "escape":  # escape: "Clear filter"
            assert palette[k.action].endswith(f"({k.shown or k.keys})"), k.action


async def palette_hits(app, pilot, words: str) -> list[str]:
    from textual.command import CommandList

    await pilot.press("ctrl+p")
    await pilot.pause()
    await type_text(pilot, words)
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    options = app.screen.query_one(CommandList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


@pytest.mark.parametrize("word", ["import", "export", "progress", "sort"])
async def test_the_palette_finds(library, word):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        hits = await palette_hits(app, pilot, word)
        assert any(word in hit.lower() for hit in hits), hits


async def test_palette_progress_import_and_export(library, tmp_path):

    bib = tmp_path / "mine.bib"
    bib.write_text("@article{doe2024, author={Doe, Jane}, title={A title}, year={2024}}\n")
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        from tui.app.screens.organise import ProgressScreen

        await palette_hits(app, pilot, "Progress")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ProgressScreen)
        await pilot.press("escape")
        await settle(pilot)
        await palette_hits(app, pilot, "Import file")
        await pilot.press("enter")
        await settle(pilot)
        app.screen.query_one("#path").value = str(bib)
        await pilot.press("enter")
        await settle(pilot)
        assert main_screen(app).session.review_key != "lin2025"  # the new collection
        assert main_screen(app).refs.works[0].title == "A title"
        out = tmp_path / "out.txt"
        await palette_hits(app, pilot, "Export")
        await pilot.press("enter")
        await settle(pilot)
        app.screen.query_one("#path").value = str(out)
        await pilot.press("enter")
        await settle(pilot)
        assert out.read_text().startswith("[1] Doe J. A title")  # GB/T 7714-2025


async def test_style_chooser_jumps_to_a_typed_name(library, monkeypatch):
    from textual.widgets import OptionList

    # "a" then "m" continue one name however slowly a loaded machine delivers them
    monkeypatch.setattr("tui.app.screens.style.TYPE_AHEAD", 3600.0)
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s", "v")
        await pilot.pause()  # the chooser is pushed, then the key reaches it
        options = app.screen.query_one(OptionList)
        assert options.highlighted_option.id == "vancouver"
        await pilot.press("escape", "s", "a", "m")  # "a": apa, then "am": ama
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        assert options.highlighted_option.id == "ama"
        await pilot.press("enter")
        await pilot.pause()
        assert app.style_name == "ama"


async def test_punctuation_chosen_in_the_style_chooser_is_copied_and_kept(db, library, clip):
    """Issue 12 item 2: the chooser sets GB/T's punctuation as `--punct` does; `c` and
    Details follow it (not the full-width citation formatted before), and it is kept."""
    from tui.app.jobs import PUNCT
    from tui.cite.gbt7714.punct import PUNCT as CORE_PUNCT

    assert PUNCT == CORE_PUNCT  # the app spells the choices out rather than import them
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # Details has formatted ref1 in standard (full-width) 2025
        assert "Teske N，Fett N." in screen_text(app)
        await pilot.press("s", "right", "escape")  # esc forgets the punctuation too
        await settle(pilot)
        assert app.punct == "standard"
        await pilot.press("s", "right")  # standard -> half
        await settle(pilot)
        text = screen_text(app)
        assert "GB/T punctuation: half, half-width throughout" in text
        assert "ref1 in gbt7714, half punctuation:" in text
        assert "Teske N, Fett N." in text  # the live preview follows
        await pilot.press("enter", "c")
        await settle(pilot)
        assert clip.copied[-1].startswith("Teske N, Fett N. Recent advances")
        assert "，" not in clip.copied[-1]
        await pilot.press("q")
    library.close()
    again = Library(db)
    app = ReadingListApp(again)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.punct == "half"
        assert "Citation (gbt7714, half punctuation)" in screen_text(app)
        await pilot.press("C")
        await settle(pilot)
        assert clip.copied[-1].startswith("[1] Teske N, Fett N. Recent advances")
    again.close()


async def test_a_click_on_a_footer_key_presses_it(library):
    from tui.app.screens.help import HelpScreen
    from tui.app.widgets.footer import KeyFooter

    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = app.main.query_one(KeyFooter)
        start = next(s for s, _e, key, _on in footer._spans if key == "question_mark")
        await pilot.click(KeyFooter, offset=(start + 1, 0))
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
