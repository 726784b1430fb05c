"""Issue 14 in the app (Pilot): queue and skip keys, moving in the queue, priority,
tags with completion, sorting kept per review, saved views, the progress screen, and
`o` moving a work to reading."""

from __future__ import annotations

from tests.helpers import SIZE, notifications, set_filter, settle
from tui.app.app import ReadingListApp
from tui.app.screens.organise import ChoiceScreen, ProgressScreen, TagsScreen, parse_tags
from tui.store import Library


def shown_ns(app) -> list[int]:
    return [w.n for w in app.main.refs.visible_works]


async def test_queue_skip_and_move_in_the_queue(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        w1, w2, w3 = app.main.refs.works[:3]
        await pilot.press("Q", "down", "Q", "down", "X")
        await settle(pilot)
        assert library.state(w1).status == "queued" and library.state(w2).status == "queued"
        assert library.state(w3).status == "skipped"
        assert library.queue() == [w1, w2]
        await pilot.press("up", "left_square_bracket")  # ref2 up the queue
        await settle(pilot)
        assert library.queue() == [w2, w1]
        await pilot.press("z")  # undone
        await settle(pilot)
        assert library.queue() == [w1, w2]
        await pilot.press("down", "left_square_bracket")  # ref3 is skipped, not queued
        await settle(pilot)
        assert any("is not queued" in m for m in notifications(app))


async def test_priority_key_cycles_and_shows_a_column(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = app.main.refs.works[0]
        assert not app.main.refs.show_priority
        await pilot.press("p")
        await settle(pilot)
        assert library.state(first).priority == 1 and app.main.refs.show_priority
        assert "1" in app.main.refs.render_line(0).text[:12]
        await pilot.press("p", "p", "p")
        await settle(pilot)
        assert library.state(first).priority == 0 and not app.main.refs.show_priority


async def test_tags_dialog_adds_removes_and_completes(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first, second = app.main.refs.works[:2]
        library.edit_tags([second], add=["fibrosis"])
        await pilot.press("v", "v", "t")  # a selection of two
        await settle(pilot)
        assert isinstance(app.screen, TagsScreen)
        await pilot.press(*"skin, fib")
        await settle(pilot)
        await pilot.press("right")  # accepts the completion
        assert app.screen.query_one("#tags-input").value == "skin, fibrosis"
        await pilot.press("enter")
        await settle(pilot)
        assert library.state(first).tags == ["skin", "fibrosis"]
        assert library.state(second).tags == ["fibrosis", "skin"]
        await pilot.press("up", "up", "t")  # ref1 (the selection is done with)
        await settle(pilot)
        await pilot.press(*"-skin", "enter")
        await settle(pilot)
        assert library.state(first).tags == ["fibrosis"]
        await set_filter(pilot, "tag:skin")
        await settle(pilot)
        assert shown_ns(app) == [2]


def test_parse_tags():
    assert parse_tags("stem cells, -fibrosis, +skin,, -") == (["stem cells", "skin"], ["fibrosis"])


async def test_sort_is_chosen_reversed_and_kept_per_review(tmp_path):
    db = tmp_path / "db.json"
    library = Library(db)
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("down", "enter")  # year
        await settle(pilot)
        years = [w.year or 0 for w in app.main.refs.visible_works]
        assert years == sorted(years)
        await pilot.press("S", "enter")  # the current one again: descending
        await settle(pilot)
        years = [w.year or 0 for w in app.main.refs.visible_works]
        assert years == sorted(years, reverse=True) and app.main.session.sort == "-year"
        await set_filter(pilot, "year:2020..2022")  # the filter keeps the order
        await settle(pilot)
        kept = [w.year for w in app.main.refs.visible_works]
        assert kept == sorted(kept, reverse=True)
        await pilot.press("q")
    library.close()
    again = Library(db)
    app = ReadingListApp(again)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.main.session.sort == "-year"
    again.close()


async def test_views_keys_and_list(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        w = app.main.refs.works
        library.set_status([w[4]], "queued")
        library.set_status([w[1]], "queued")
        await pilot.press("1")  # To read: queued, by queue order
        await settle(pilot)
        assert shown_ns(app) == [5, 2]
        assert app.main.filter_input.value == "status:queued"
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("down", "enter")  # Unread with DOI
        await settle(pilot)
        assert app.main.filter_input.value == "status:unread has:doi"
        assert shown_ns(app) and all(x.doi for x in app.main.refs.visible_works)
        await pilot.press("9")
        await settle(pilot)
        assert any("No view 9" in m for m in notifications(app))


async def test_progress_screen_counts_chart_and_finish(library):
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        library.set_status(app.main.refs.works[:3], "read")
        library.set_status(app.main.refs.works[3:4], "skipped")
        await pilot.press("P")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProgressScreen)
        p = screen.progress
        assert p.read == 3 and p.counts["skipped"] == 1 and p.total == 58
        assert p.series[-1][1] == 3
        assert "read by" in str(screen.query_one("#progress-finish").render())
        assert list(screen.query_one("#progress-spark").data)[-1] == 3.0
        await pilot.press("a")  # all works: the same here (one review)
        await settle(pilot)
        assert screen.all_works and screen.progress.total == 58
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ProgressScreen)


async def test_open_moves_to_reading_and_z_undoes(library, monkeypatch):
    app = ReadingListApp(library)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    monkeypatch.setenv("BROWSER", "firefox")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = app.main.refs.works[0]
        library.set_status([first], "queued")
        await pilot.press("o")
        await settle(pilot)
        assert opened and library.state(first).status == "reading"
        await pilot.press("z")
        await settle(pilot)
        assert library.state(first).status == "queued"
        library.settings.open_marks_reading = False
        await pilot.press("o")
        await settle(pilot)
        assert library.state(first).status == "queued"
