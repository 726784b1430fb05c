"""The app's online part (issue 15) against the local test server of tests/unit/test_online.py:
fetch and resolve with a progress bar, escape stops them with nothing written,
unsure matches confirmed by the reader, add by identifier, `o`, no network."""

from __future__ import annotations

import pytest
from textual.widgets import Input, SelectionList

from tests.helpers import SIZE, notifications, screen_text, settle
from tests.unit.test_online import (
    Server,
    add_route,
    online_pref,
    shipped_fetch_route,
    shipped_route,
)
from tui.app.app import ReadingListApp
from tui.app.keys import palette_entries
from tui.app.screens.online import AddScreen, ConfirmMatchesScreen
from tui.store import Library

ABSTRACT = {
    "value": "Stem-cell transplantation in systemic sclerosis: what the trials show.",
    "source": "pubmed",
    "url": "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/efetch.fcgi",
    "date": "2026-01-02T03:04:05+00:00",
}


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


@pytest.fixture
def db(tmp_path, server, monkeypatch):
    """The shipped review, its online settings pointing at the test server."""
    monkeypatch.setenv("READINGLIST_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    monkeypatch.delenv("READINGLIST_EMAIL", raising=False)
    path = tmp_path / "lib.json"
    with Library(path) as lib:
        lib.set_pref("online", online_pref(server))
    return path


async def until(pilot, condition, tries: int = 400) -> None:
    """Wait for `condition` (never a fixed time)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("condition not met")


async def test_fetch_shows_progress_and_then_the_abstracts(db, library, server):
    server.route = shipped_fetch_route
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bar = app.main.online
        await pilot.press("F")
        await settle(pilot)
        assert not bar.has_class("-running")
        assert (bar.bar.total, bar.bar.progress) == (18, 18)  # set only by progress messages
        assert "Fetched data for 18 works (18 abstracts)." in notifications(app)
        text = app.main.detail.body.content.plain  # ref1 is highlighted
        assert "builtabstract ref1." in text and "(fetched from PubMed," in text
        app.main.filter_input.value = "abstract:builtabstract"
        await settle(pilot)
        assert app.main.session.lists["reference"].filtered
        assert len(app.main.refs.rows) == 18
    with Library(db) as lib:
        assert lib.resolve("ref13").fetched["abstract"]["source"] == "pubmed"


async def test_escape_stops_a_fetch_and_nothing_is_written(db, library, server):
    def hang_after_two(path, params):
        if len(server.hits) > 2:
            return "hang", {}, b""
        return shipped_fetch_route(path, params)

    server.route = hang_after_two
    before = db.read_bytes()
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await until(pilot, lambda: len(server.hits) > 2)
        assert app.main.online.has_class("-running")
        await pilot.press("escape")
        assert not app.main.online.has_class("-running")
        assert "Fetching abstracts: stopped; nothing was written." in notifications(app)
        server.release.set()
        await settle(pilot)
        assert db.read_bytes() == before
        assert "builtabstract" not in screen_text(app)


async def test_resolve_writes_sure_matches_and_asks_about_unsure_ones(db, library, server):
    server.route = shipped_route
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        assert "24 resolved, 2 unsure, 17 not found." in notifications(app)
        dialog = app.screen
        assert isinstance(dialog, ConfirmMatchesScreen)
        shown = [str(o.prompt) for o in dialog.query_one(SelectionList)._options]
        assert len(shown) == 2 and shown[0].startswith("ref12  doi:10.5555/")
        assert "title, author agree; year differ" in shown[0]
        titles = dialog.query_one("#unsure-titles").render()
        assert "printed:" in str(titles) and "record:" in str(titles)
        with Library(db) as lib:  # sure ones written, unsure ones not (yet)
            assert lib.resolve("ref4").fetched_value("doi")
            assert not lib.resolve("ref12").fetched
        await pilot.press("space", "ctrl+s")  # tick ref12 only
        await settle(pilot)
        assert "1 confirmed matches written." in notifications(app)
    with Library(db) as lib:
        assert lib.resolve("ref12").fetched["doi"]["evidence"]["confirmed"] is True
        assert not lib.resolve("ref21").fetched


async def test_add_by_identifier_from_the_dialog(db, library, server):
    assert "Add by identifier" in [title for title, _, _ in palette_entries()]
    server.route = add_route
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        assert isinstance(app.screen, AddScreen)
        app.screen.query_one(Input).value = "hello"
        await pilot.press("enter")
        await settle(pilot)
        assert any("cannot read 'hello'" in m for m in notifications(app))
        assert server.hits == []  # a bad identifier asks nothing
        await pilot.press("a")
        app.screen.query_one(Input).value = "pmid:11748933"
        await pilot.press("enter")
        await settle(pilot)
        assert any(
            m.startswith("Added added/ref1: Is cryopreservation") for m in notifications(app)
        )
        assert app.main.session.review_key == "added"
        assert app.main.refs.highlighted.pmid == "11748933"
        await pilot.press("a")
        app.screen.query_one(Input).value = "pmid:11748933"
        await pilot.press("enter")
        await settle(pilot)
        assert "Already in the library: added/ref1." in notifications(app)
    with Library(db) as lib:
        assert [w.pmid for w in lib.works("added")] == ["11748933"]


async def test_no_network_is_one_line_and_the_app_goes_on(db, library):
    pref = library.get_pref("online")
    library.set_pref("online", {**pref, "urls": dict.fromkeys(pref["urls"], "http://127.0.0.1:9")})
    before = db.read_bytes()
    app = ReadingListApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)
        (said,) = [m for m in notifications(app) if "no network?" in m]
        assert said.startswith("cannot reach 127.0.0.1:9") and "\n" not in said
        assert not app.main.online.has_class("-running")
        assert db.read_bytes() == before
        await pilot.press("space")  # the app keeps working
        await settle(pilot)
        assert library.state(library.resolve("ref1")).status == "read"


async def test_o_opens_the_free_full_text_and_details_show_the_links(library, monkeypatch):
    pmc = "https://pmc.ncbi.nlm.nih.gov/articles/PMC1234567/"
    library.set_fetched(
        {
            "lin2025/ref1": {"oa_url": {**ABSTRACT, "value": pmc, "source": "idconv"}},
            "lin2025/ref16": {"doi": {**ABSTRACT, "value": "10.5555/x", "source": "crossref"}},
        }
    )
    app = ReadingListApp(library)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    monkeypatch.setenv("BROWSER", "firefox")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert f"Free text {pmc}  (NCBI ID converter" in app.main.detail.body.content.plain
        await pilot.press("o")
        app.main.filter_input.value = "Sullivan"  # ref16: no printed DOI, one resolved
        await settle(pilot)
        await pilot.press("enter", "o")
        await settle(pilot)
        assert "10.5555/x  (Crossref, 2026-01-02)" in app.main.detail.body.content.plain
        assert opened == [pmc, "https://doi.org/10.5555/x"]


def test_details_with_a_fetched_abstract(snap_compare, library):
    library.set_fetched({"lin2025/ref1": {"abstract": ABSTRACT}})
    assert snap_compare(ReadingListApp(library), terminal_size=(120, 40), run_before=settle)
