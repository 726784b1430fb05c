"""Organising the reading in the core (issue 14): states and the queue, priority, tags,
the settings file, sorting, saved views and progress over time."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import orjson
import pytest

from tui.errors import ReadingListError
from tui.model import State, Work
from tui.organise import (
    DEFAULT_VIEWS,
    bar_chart,
    delete_view,
    find_view,
    parse_sort,
    progress,
    save_view,
    sort_works,
    sparkline,
    views,
)
from tui.query import Index, parse
from tui.settings import SettingsError, load_settings, settings_path_for
from tui.store import Library, state_path_for


@pytest.fixture
def path(tmp_path):
    return tmp_path / "db.json"


@pytest.fixture
def lib(path):
    lib = Library(path)
    yield lib
    lib.close()


def refs(lib, *ns):
    return [lib.resolve(f"ref{n}") for n in ns]


# --- states and the queue -----------------------------------------------------------


def test_queued_and_skipped_are_states_that_survive_a_reopen(lib, path):
    a, b = refs(lib, 1, 2)
    lib.set_status([a], "queued")
    lib.set_status([b], "Skipped")
    lib.close()
    again = Library(path)
    assert again.state(a).status == "queued" and again.state(b).status == "skipped"
    again.close()


def test_queue_keeps_the_order_works_were_queued_in_and_moves_them(lib):
    a, b, c = refs(lib, 5, 2, 9)
    for w in (a, b, c):
        lib.set_status([w], "queued")
    assert lib.queue() == [a, b, c]
    assert lib.move_in_queue(c, -1)
    assert lib.queue() == [a, c, b]
    assert lib.move_in_queue(a, +5)  # (to the end, not past it)
    assert lib.queue() == [c, b, a]
    assert not lib.move_in_queue(c, -1)  # already first
    lib.set_status([b], "reading")  # leaving the queue loses the place
    assert lib.queue() == [c, a] and lib.state(b).queue == 0
    lib.set_status([b], "queued")  # back at the end
    assert lib.queue() == [c, a, b]


def test_queue_among_a_subset_moves_past_works_outside_it(lib):
    a, b, c = refs(lib, 1, 2, 3)
    lib.set_status([a, b, c], "queued")
    assert lib.move_in_queue(c, -1, among=[a, c])
    assert lib.queue() == [c, b, a]  # c took a's place, a took c's


def test_priority_and_tags_are_state_and_shared_by_doi(lib):
    w = lib.works()[0]
    twin = Work(review="other", n=1, doi=w.doi.upper()) if w.doi else None
    lib.set_priority([w], 1)
    lib.edit_tags([w], add=["stem cells", "Review"], remove=[])
    lib.edit_tags([w], add=["review"], remove=["STEM CELLS"])
    st = lib.state(w)
    assert (st.priority, st.tags) == (1, ["Review"])
    if twin is not None:
        assert lib.state(twin).priority == 1
    with pytest.raises(ReadingListError, match="unknown priority '4'"):
        lib.set_priority([w], 4)
    assert lib.all_tags() == ["Review"]


def test_restore_states_puts_back_priority_tags_and_queue(lib):
    a = refs(lib, 1)[0]
    before = [(a, lib.state(a))]
    lib.set_status([a], "queued")
    lib.set_priority([a], 2)
    lib.restore_states(before)
    assert lib.state(a) == State()


def test_new_fields_are_stored_only_when_set_and_old_files_read_as_before(lib, path):
    a, b = refs(lib, 1, 2)
    lib.set_status([a], "read")
    lib.set_priority([b], 3)
    lib.set_status([b], "queued")
    lib.close()
    docs = orjson.loads(state_path_for(path).read_bytes())["state"]
    assert set(docs[a.ident]) == {"status", "changed"}  # only what is set is stored
    assert docs[b.ident]["priority"] == 3 and docs[b.ident]["queue"] == 1
    from tui.diskformat import FORMAT_VERSION

    # priority and queue need no new format: the version is the one the records use
    assert orjson.loads(state_path_for(path).read_bytes())["meta"]["db"]["format"] == FORMAT_VERSION


# --- the settings file --------------------------------------------------------------


def test_settings_rename_and_add_states(path):
    settings_path_for(path).write_text(
        '[states]\nread = "done"\nqueued = "to read"\nlater = "maybe later"\n', encoding="utf-8"
    )
    lib = Library(path)
    try:
        w = refs(lib, 1)[0]
        lib.set_status([w], "Done")
        assert lib.state(w).status == "read"  # stored under its own name
        lib.set_status([w], "maybe later")
        assert lib.state(w).status == "later"
        assert lib.settings.names[-1] == "later" and lib.settings.label("read") == "done"
        q = parse('status:"to read"', statuses=lib.settings.lookup())
        assert q.groups[0][0].value == "queued"
        with pytest.raises(ReadingListError, match="use unread, to read, reading, done"):
            lib.set_status([w], "finished")
        counts = lib.stats()[0]["kind"]["reference"]
        assert counts["later"] == 1
    finally:
        lib.close()


@pytest.mark.parametrize(
    "text, message",
    [
        ("[states\n", "not valid TOML"),
        ('[states]\n"bad name" = "x"\n', "must be letters"),
        ('[states]\nqueued = "next"\nread = "queued"\n', "'read' cannot be shown as 'queued'"),
        ('[states]\nlater = "Done"\nread = "done"\n', "have the same name"),
        ("open_marks_reading = 3\n", "true or false"),
    ],
)
def test_bad_settings_are_one_clear_error(tmp_path, text, message):
    p = tmp_path / "s.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=message):
        load_settings(p)


def test_settings_defaults_and_path():
    s = load_settings(None)
    assert s.names == ["unread", "queued", "reading", "read", "skipped"]
    assert s.open_marks_reading is True
    from pathlib import Path

    assert settings_path_for(Path("a/library.json")).name == "library.settings.toml"
    assert settings_path_for(Path("a/reading.db")).name == "reading.db-settings.toml"


# --- the filter ---------------------------------------------------------------------


def _stamp(days_ago: int) -> str:
    t = datetime.now(timezone.utc) - timedelta(days=days_ago)
    return t.isoformat(timespec="seconds")


def test_prio_changed_and_new_status_filters():
    works = [Work(review="r", n=i, title=f"t{i}") for i in range(1, 5)]
    states = {
        works[0].ident: State("queued", _stamp(0), priority=1, queue=1),
        works[1].ident: State("read", _stamp(0), priority=2),
        works[2].ident: State("read", _stamp(40)),
        works[3].ident: State("skipped", _stamp(1), tags=["Fibrosis"]),
    }
    ix = Index(works)

    def hits(text):
        return [works[i].n for i in ix.filter(parse(text, strict=True), states)]

    assert hits("prio:1") == [1]
    assert hits("prio:1..2") == [1, 2]
    assert hits("prio:none") == [3, 4]
    assert hits("status:read changed:30d") == [2]
    assert hits("status:queued") == [1] and hits("status:skipped") == [4]
    assert hits("tag:fibrosis") == [4]
    assert hits("-changed:2d") == [3]
    for w in works:  # the one-work path agrees
        q = parse("prio:1..2 -status:read")
        assert q.matches(w, states.get(w.ident)) == (w.n == 1)
    for bad in ("prio:7", "prio:x", "changed:soon", "changed:2025-13-01"):
        with pytest.raises(ReadingListError):
            parse(bad, strict=True)


# --- sorting --------------------------------------------------------------------------


def test_sort_keys_and_missing_values_last():
    a = Work(review="r", n=1, authors=["Zhou X"], title="beta", year=2020, journal="J B")
    b = Work(review="r", n=2, authors=["Álvarez P"], title="Alpha", year=None)
    c = Work(review="r", n=3, authors=[], title="gamma", year=2018, journal="J A")
    states = {
        a.ident: State("read", "2025-01-02T00:00:00+00:00", priority=3),
        c.ident: State("queued", "2025-01-03T00:00:00+00:00", priority=1, queue=7),
        b.ident: State("queued", "", queue=2),
    }
    ws = [a, b, c]

    def order(spec):
        return [w.n for w in sort_works(ws, spec, states)]

    assert order("n") == [1, 2, 3] and order("-n") == [3, 2, 1]
    assert order("year") == [3, 1, 2] and order("-year") == [1, 3, 2]
    assert order("author") == [2, 1, 3]  # Álvarez before Zhou, no author last
    assert order("title") == [2, 1, 3]
    assert order("journal") == [3, 1, 2]
    assert order("status") == [2, 3, 1]  # queued before read (the settings' order)
    assert order("priority") == [3, 1, 2] and order("-priority") == [1, 3, 2]
    assert order("changed") == [1, 3, 2]
    assert order("queue") == [2, 3, 1]
    assert parse_sort("-Year") == ("year", True)
    with pytest.raises(ReadingListError, match="unknown sort 'size'"):
        parse_sort("size")


# --- saved views ----------------------------------------------------------------------


def test_default_views_then_save_replace_and_delete(lib):
    assert views(lib) == list(DEFAULT_VIEWS)
    assert [v.name for v in views(lib)] == ["To read", "Unread with DOI", "Read this week"]
    for v in DEFAULT_VIEWS:  # every shipped view is a valid filter and sort
        parse(v.query, strict=True)
        parse_sort(v.sort)
    save_view(lib, "Mine", "prio:1", "-year")
    save_view(lib, "to read", "status:queued prio:1", "queue")  # replaced in place
    assert [v.name for v in views(lib)] == ["to read", "Unread with DOI", "Read this week", "Mine"]
    assert find_view(lib, "MINE").sort == "-year"
    delete_view(lib, "Unread with DOI")
    assert [v.name for v in views(lib)] == ["to read", "Read this week", "Mine"]
    with pytest.raises(ReadingListError, match="bad priority"):
        save_view(lib, "x", "prio:9")
    with pytest.raises(ReadingListError, match="unknown sort"):
        save_view(lib, "x", "", "size")
    with pytest.raises(ReadingListError, match="no view 'nope'"):
        delete_view(lib, "nope")


# --- progress -------------------------------------------------------------------------


def test_progress_counts_series_and_finish_date():
    today = date(2025, 3, 12)  # a Wednesday
    works = [Work(review="r", n=i) for i in range(1, 11)]

    def at(d: date) -> str:
        return datetime(d.year, d.month, d.day, 12).astimezone().isoformat()

    states = {
        works[0].ident: State("read", at(today)),
        works[1].ident: State("read", at(today - timedelta(days=1))),
        works[2].ident: State("read", at(today - timedelta(days=7))),
        works[3].ident: State("read", at(today - timedelta(days=21))),
        works[4].ident: State("skipped", at(today)),
        works[5].ident: State("reading", at(today)),
    }
    p = progress(works, states, by="week", today=today)
    assert p.counts == {"unread": 4, "queued": 0, "reading": 1, "read": 4, "skipped": 1}
    assert p.left == 5
    assert [n for _, n in p.series][-4:] == [1, 0, 1, 2]
    assert p.series[-1][0] == date(2025, 3, 10) and len(p.series) == 8
    assert p.pace() == 1.0  # 4 read in the last 4 weeks
    assert p.finish_date() == today + timedelta(days=35)
    j = p.to_json()
    assert j["series"][-1] == {"period": "2025-W11", "start": "2025-03-10", "read": 2}
    assert j["finish"] == "2025-04-16"
    m = progress(works, states, by="month", today=today)
    assert m.rows()[-1] == {"period": "2025-03", "start": "2025-03-01", "read": 3}
    assert progress(works, {}, today=today).finish_date() is None


def test_charts_are_block_characters():
    assert sparkline([0, 1, 2, 4]) == " ▂▄█"
    assert sparkline([]) == ""
    lines = bar_chart([("2025-W01", 2), ("2025-W02", 1)], width=4)
    assert lines == ["2025-W01 ████ 2", "2025-W02 ██ 1"]


# --- the reading session (the app's logic, without a Pilot) -----------------------------


@pytest.fixture
def session(lib):
    from tui.session import ReadingSession

    s = ReadingSession(lib)
    s.open("lin2025")
    return s


def _ns(session, kind="reference"):
    shown = session.lists[kind]
    return [shown.works[i].n for i in shown.rows]


def test_session_sorts_then_filters_in_that_order(session):
    session.set_sort("-year")
    years = [w.year or 0 for w in session.lists["reference"].works]
    assert years == sorted(years, reverse=True)
    assert session.set_filter("year:2020..2022")
    shown = session.lists["reference"]
    kept = [shown.works[i].year for i in shown.rows]
    assert kept and kept == sorted(kept, reverse=True) and set(kept) <= {2020, 2021, 2022}
    session.set_sort("n")
    assert session.refilter()
    assert _ns(session) == sorted(_ns(session))
    session.open("lin2025")  # the sort stays for the next open (the app remembers it)
    assert session.sort == "n"


def test_opening_moves_unread_and_queued_to_reading_and_undo_puts_it_back(session, lib):
    w1, w2 = session.lists["reference"].works[:2]
    assert session.opened(w1) == "reading"
    assert lib.state(w1).status == "reading"
    assert session.opened(w1) == ""  # already reading: nothing
    session.undo()
    assert lib.state(w1).status == "unread"
    lib.set_status([w2], "read")
    assert session.opened(w2) == ""  # a read work stays read
    lib.settings.open_marks_reading = False
    assert session.opened(w1) == "" and lib.state(w1).status == "unread"


def test_priority_tags_and_queue_moves_are_undone(session, lib):
    a, b, c = session.lists["reference"].works[:3]
    session.set_priority([a, b], 2)
    session.edit_tags([a], ["x", "y"], [])
    assert lib.state(a).priority == 2 and lib.state(a).tags == ["x", "y"]
    assert session.undo().startswith("Undone: ref1")
    assert lib.state(a).tags == [] and lib.state(a).priority == 2
    session.undo()
    assert lib.state(a).priority == 0 and lib.state(b).priority == 0
    session.set_status([a, b, c], "queued")
    assert session.move_in_queue(c, -2)
    assert lib.queue() == [c, a, b]
    session.undo()
    assert lib.queue() == [a, b, c]
    assert not session.move_in_queue(a, -1)


def test_session_filter_knows_the_readers_state_names(path):
    from tui.session import ReadingSession

    settings_path_for(path).write_text('[states]\nread = "done"\n', encoding="utf-8")
    lib = Library(path)
    try:
        lib.set_status(refs(lib, 2), "done")
        s = ReadingSession(lib)
        s.open("lin2025")
        assert s.set_filter("status:Done") and not s.filter_errors
        assert _ns(s) == [2]
    finally:
        lib.close()


def test_sorting_by_author_puts_chinese_names_in_pinyin_order():
    """As Chinese bibliographies sort: 金诗炜 (jin) among the J's, 曾丽 as zeng."""
    from tui.organise import sort_works

    names = ["Jones A", "金诗炜", "Jiang B", "曾丽", "安慧慧", "Zhao Y"]
    works = [Work(review="r", kind="reference", n=i, authors=[a]) for i, a in enumerate(names, 1)]
    ordered = [w.authors[0] for w in sort_works(works, "author", {})]
    assert ordered == ["安慧慧", "Jiang B", "金诗炜", "Jones A", "曾丽", "Zhao Y"]
    titles = [
        Work(review="r", n=i, title=t) for i, t in enumerate(["造血干细胞", "Apple", "干细胞"], 1)
    ]
    assert [w.title for w in sort_works(titles, "title", {})] == ["Apple", "干细胞", "造血干细胞"]
