"""Filters are bounded work: a long query is refused (CLI) or cut with a message (app),
repeated terms cost nothing, and in the app a filter over a big library runs in a
thread that the next keystroke makes stale, so typing never waits for it."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from bench.generate import make_library
from tui.cli import main
from tui.model import Review, Work
from tui.query import MAX_QUERY_CHARS, MAX_TERMS, FilterCancelled, Index, QueryError, parse
from tui.store import Library

# --- the query language ------------------------------------------------------------------


def test_too_long_query_is_one_clear_error_in_strict_mode() -> None:
    with pytest.raises(QueryError, match=r"filter too long .*the limit is 1,000"):
        parse("a" * (MAX_QUERY_CHARS + 1), strict=True)
    with pytest.raises(QueryError, match=rf"filter too long \(more than {MAX_TERMS} terms\)"):
        parse(" ".join(f"w{i}" for i in range(MAX_TERMS + 1)), strict=True)
    # at the limits it is fine
    assert len(parse(" ".join(f"w{i}" for i in range(MAX_TERMS)), strict=True).groups[0]) == 64


def test_lenient_parse_keeps_what_fits_and_says_so_first() -> None:
    q = parse(" ".join(f"w{i}" for i in range(2000)) + " year:abc")
    assert q.errors[0] == f"filter too long (more than {MAX_TERMS} terms)"
    assert sum(len(g) for g in q.groups) == MAX_TERMS
    q = parse("x" * 10**6)
    assert q.errors[0].startswith("filter too long (1,000,000 characters")
    assert [t.value for t in q.groups[0]] == ["x" * MAX_QUERY_CHARS]


def test_repeated_terms_and_groups_are_searched_once() -> None:
    q = parse("cell cell -x cell -x")
    assert [t.describe() for t in q.groups[0]] == ["cell", "NOT x"]
    q = parse("a b or b a or a b or c")
    assert [[t.value for t in g] for g in q.groups] == [["a", "b"], ["c"]]


def test_repeated_terms_do_not_multiply_the_time() -> None:
    _, works = make_library(3000, seed=5)
    ix = Index(works)
    # "e" matches most works: every repetition was another pass over them
    one, many = parse("e -zzz"), parse(" ".join(["e", "-zzz"] * 30))
    assert ix.filter(one) == ix.filter(many)

    def best(query) -> float:
        times = []
        for _ in range(5):
            t = time.perf_counter()
            ix.filter(query)
            times.append(time.perf_counter() - t)
        return min(times)

    assert best(many) < 5 * best(one)  # (before: about 30 times)


def test_filter_stops_when_cancelled() -> None:
    ix = Index([Work(title="stem cells", n=1), Work(title="other", n=2)])
    asked = []

    def cancelled() -> bool:
        asked.append(True)
        return len(asked) > 1

    with pytest.raises(FilterCancelled):
        ix.filter(parse("stem cells"), cancelled=cancelled)
    assert ix.filter(parse("stem"), cancelled=lambda: False) == [0]


def test_cli_refuses_a_long_filter_in_one_line(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("READINGLIST_DB", raising=False)
    code = main(["--db", str(tmp_path / "lib.json"), "list", "--filter", "e " * 400])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == f"readinglist: filter too long (more than {MAX_TERMS} terms)\n"


# --- the app --------------------------------------------------------------------------------

BIG = 6000  # above FILTER_IN_BACKGROUND: filtered in a thread


@pytest.fixture
def big_library(tmp_path):
    _, works = make_library(BIG, seed=7)
    for i, w in enumerate(works, start=1):
        w.kind, w.n = "reference", i
    lib = Library(tmp_path / "big.json", import_shipped=False)
    lib.import_review(Review(key="big", kind="collection", title_en="big"), works)
    yield lib
    lib.close()


async def _until(pilot, condition, what: str, timeout: float = 20.0) -> None:
    """Let the app run until condition() holds (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause()
        await asyncio.sleep(0)


async def test_typing_never_waits_for_a_filter_and_the_last_one_wins(big_library, monkeypatch):
    from tui.app.app import ReadingListApp
    from tui.session import FILTER_IN_BACKGROUND

    assert BIG >= FILTER_IN_BACKGROUND
    real = Index.filter
    gate = threading.Event()  # the filter for "s" hangs until the test lets it go
    started = threading.Event()
    finished: list[str] = []

    def slow_filter(self, query, states=None, **kw):
        if query.text == "s":
            started.set()
            gate.wait(timeout=5)  # (only so that the old, blocking code ends at all)
        try:
            return real(self, query, states, **kw)
        finally:
            finished.append(query.text)

    monkeypatch.setattr(Index, "filter", slow_filter)
    app = ReadingListApp(big_library)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main
        await _until(pilot, lambda: len(screen.session.indexes) == 2, "the index")
        await pilot.press("slash", "s")
        await _until(pilot, started.is_set, "the filter for 's' to start")
        await pilot.press("m", "i")  # while it still runs
        assert screen.filter_input.value == "smi"
        assert "s" not in finished  # the keys were handled before that filter finished
        await _until(
            pilot, lambda: "smi" in finished and not screen.session.filter_pending, "'smi'"
        )
        expected = real(Index(screen.refs.works), parse("smi"))
        assert screen.refs.rows == expected and 0 < len(expected) < BIG

        gate.set()  # the stale filter ends last: its answer must not be shown
        await _until(pilot, lambda: "s" in finished or not app.workers, "the stale filter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.refs.rows == expected
        assert f"{len(expected)} of {BIG} match" in str(screen.filter_info.render())


async def test_filter_bar_says_a_query_is_too_long(big_library):
    from tui.app.app import ReadingListApp

    app = ReadingListApp(big_library)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main
        await _until(pilot, lambda: len(screen.session.indexes) == 2, "the index")
        await pilot.press("slash")
        screen.filter_input.value = " ".join(f"w{i}" for i in range(500))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "filter too long" in str(screen.filter_info.render())
