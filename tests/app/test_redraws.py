"""The app as a view of the session: one redraw of the titles per change, and no
citation formatted twice."""

from __future__ import annotations

from tests.helpers import SIZE, FakeClipboard, settle
from tui.app.app import ReadingListApp


async def test_one_space_recomputes_the_titles_once(library, monkeypatch):
    from tui.app.screens.main import MainScreen

    # the 2-second check for other processes' changes also updates the titles; on a
    # loaded machine its tick can land inside the measured window, so it is off here
    monkeypatch.setattr(MainScreen, "check_external_changes", lambda self: None)
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        calls = []
        app.main.poll.pause()  # the 2-second poll for other processes redraws them too
        original = type(app.main).update_titles
        monkeypatch.setattr(
            type(app.main), "update_titles", lambda self: (calls.append(1), original(self))
        )
        await pilot.press("space")
        await pilot.pause()
        assert library.state(app.main.refs.works[0]).status == "read"
        assert calls == [1]
        calls.clear()
        await pilot.press("v", "v", "space")  # two selected: one more recount, not three
        await pilot.pause()
        assert len(calls) == 3  # each v once, the space once


async def test_copy_reuses_the_citation_of_the_detail_pane(library, monkeypatch):
    import tui.app.jobs as jobs
    from tui import clipboard

    fake = FakeClipboard()
    monkeypatch.setattr(clipboard, "copy", fake.copy)
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # the detail pane has formatted ref1
        formatted = []
        real = jobs.format_citation
        monkeypatch.setattr(jobs, "format_citation", lambda w, s: formatted.append(w) or real(w, s))
        await pilot.press("c")
        await settle(pilot)
        assert formatted == [] and len(fake.copied) == 1 and fake.copied[0].startswith("Teske N")
