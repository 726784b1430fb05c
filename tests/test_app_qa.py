"""Pilot tests for what a QA pass found in the app (filter hints, detail labels,
remembered filters, no browser, small screens, discoverability, header, save errors)."""

from __future__ import annotations

import pytest
from test_app import FakeClipboard, screen_text, set_filter, settle

from tui.app.app import ReadingListApp
from tui.store import Library

SIZE = (120, 40)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "db.json"


@pytest.fixture
def library(db):
    lib = Library(db)
    yield lib
    lib.close()


@pytest.fixture
def clip(monkeypatch):
    import tui.clipboard

    fake = FakeClipboard()
    monkeypatch.setattr(tui.clipboard, "copy", fake.copy)
    return fake


# --- 1. filter errors are shown --------------------------------------------------------


QUERY_PROBLEMS = [
    ("year:abc", "bad year range 'abc'"),
    ("status:done", "unknown status 'done' (use unread, reading or read)"),
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
