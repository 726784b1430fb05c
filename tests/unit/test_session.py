"""The reading session (tui/session.py) without a Pilot: what the main screen shows and does."""

from __future__ import annotations

import pytest

from tui.errors import StoreError
from tui.session import ALL_WORKS, INDEX_IN_BACKGROUND, ReadingSession


@pytest.fixture
def session(library):
    s = ReadingSession(library)
    s.open("lin2025")
    return s


def refs(session):
    return session.lists["reference"].works


def test_open_shows_the_review_and_its_two_lists(session):
    assert session.review is not None and session.review.key == "lin2025"
    assert len(refs(session)) == 43 and len(session.lists["related"].works) == 15
    assert session.lists["reference"].rows == list(range(43))
    assert session.progress() == "0/58 read"
    assert session.list_title("reference") == "References 0/43"


def test_all_works_and_no_review(library):
    s = ReadingSession(library)
    s.open(ALL_WORKS)
    assert s.review is None and s.total == 58
    s.open(None)
    assert s.total == 0 and s.progress() == "0/0 read"


def test_state_view_is_read_only_and_follows_writes(library):
    view = library.state_view
    with pytest.raises(TypeError):
        view["x"] = None  # type: ignore[index]
    library.set_status([library.resolve("ref1")], "read")
    assert library.state_view[library.resolve("ref1").ident].status == "read"


def test_the_session_keeps_no_copy_of_reading_state(session, library):
    w = refs(session)[0]
    library.set_status([w], "reading")  # as the CLI or a reload would
    assert session.state_of(w).status == "reading"
    assert session.states[w.ident].status == "reading"


def test_toggle_read_counts_and_undo(session, library):
    w = refs(session)[3]
    assert session.toggle_read(session.targets(w)) == "read"
    assert library.state(w).status == "read"
    assert session.read_counts == {"reference": 1, "related": 0}
    assert session.list_title("reference") == "References 1/43"
    assert session.toggle_read([w]) == "unread"
    assert session.read_counts["reference"] == 0
    assert session.undo() == "Undone: status of ref4 restored."
    assert library.state(w).status == "read" and session.read_counts["reference"] == 1
    assert session.undo() == "Undone: status of ref4 restored."
    assert library.state(w).status == "unread" and session.read_counts["reference"] == 0
    assert session.undo() == ""


def test_a_selection_is_the_target_in_list_order(session):
    rel = session.lists["related"].works[1]
    r5, r2 = refs(session)[4], refs(session)[1]
    for w in (rel, r5, r2):
        session.toggle_selected(w)
    assert session.targets(refs(session)[0]) == [r2, r5, rel]
    assert session.list_title("reference") == "References 0/43 · 2 selected"
    session.toggle_selected(r5)
    assert session.targets(None) == [r2, rel]
    assert session.toggle_read(session.targets(None)) == "read"
    assert session.read_counts == {"reference": 1, "related": 1}
    assert session.toggle_read(session.targets(None)) == "unread"  # all were read


def test_select_all_shown_then_clear(session):
    session.set_filter("Sullivan")
    shown = session.lists["reference"].visible
    session.select_all(shown)
    assert set(session.selection) == {w.id for w in shown}
    session.select_all(shown)
    assert session.selection == {}


def test_filter_narrows_the_rows_and_the_titles(session):
    assert session.set_filter("Sullivan")
    assert [refs(session)[i].local_id for i in session.lists["reference"].rows] == ["ref16"]
    assert session.list_title("reference") == "References 0/43 · 1 of 43 match"
    assert session.filter_description
    assert session.set_filter("year:2020..2015 zzzz")
    assert session.filter_errors and session.filter_hides_everything
    assert session.set_filter("")
    assert session.shown_total == 58 and not session.lists["reference"].filtered


def test_big_lists_wait_for_their_indexes(library, monkeypatch):
    monkeypatch.setattr("tui.session.INDEX_IN_BACKGROUND", 10)
    s = ReadingSession(library)
    s.open("lin2025")
    assert not s.set_filter("Sullivan")  # would index 58 works here: left to a thread
    assert s.filter_text == "Sullivan" and s.shown_total == 58
    from tui.query import Index

    built = {kind: Index(works) for kind, works in s.missing_indexes()}
    assert not s.add_indexes(s.generation - 1, built)  # built for lists no longer shown
    assert s.add_indexes(s.generation, built)
    assert s.refilter() and s.shown_total == 1
    assert INDEX_IN_BACKGROUND > 10


def test_big_lists_are_filtered_by_a_job_whose_late_answer_is_dropped(session, library):
    session.filter_in_background = 10  # 58 works: as if they were 100,000
    assert session.set_filter("Sullivan") and session.filter_pending
    assert session.shown_total == 58  # the rows wait for the job's answer
    first = session.filter_job
    assert first is not None
    library.set_status([refs(session)[15]], "read")  # the job reads its own copy
    assert first.states == {} and len(library.state_view) == 1
    assert session.set_filter("Teske")  # typed on before the answer came
    second = session.filter_job
    assert second is not None and not session.filter_is_current(first.seq)
    assert not session.finish_filter(first.seq, first.run(lambda: False))  # stale
    assert session.shown_total == 58 and session.filter_pending
    assert session.finish_filter(second.seq, second.run(lambda: False))
    assert not session.filter_pending and session.list_title("reference").endswith("match")
    assert session.shown_total < 58
    session.set_filter("Sullivan")
    late = session.filter_job
    assert late is not None
    session.open("lin2025")  # another review (or a reload): the answer is for old lists
    assert not session.filter_pending and not session.finish_filter(late.seq, {"reference": []})
    assert session.shown_total == 58


def test_note_change_and_undo(session, library):
    w = refs(session)[0]
    assert session.set_note(w, "read the methods")
    assert not session.set_note(w, "read the methods")  # the same: nothing to undo
    assert len(session.undo_stack) == 1
    assert session.undo() == "Undone: note of ref1 restored."
    assert library.state(w).note == ""


def test_a_failed_write_changes_nothing(session, library, monkeypatch):
    def broken(works, status):
        raise StoreError("disk full")

    monkeypatch.setattr(library, "set_status", broken)
    w = refs(session)[0]
    with pytest.raises(StoreError):
        session.toggle_read([w])
    assert session.undo_stack == [] and session.read_counts["reference"] == 0


def test_a_failed_undo_stays_undoable(session, library, monkeypatch):
    w = refs(session)[0]
    session.toggle_read([w])
    monkeypatch.setattr(
        library, "set_status", lambda works, status: (_ for _ in ()).throw(StoreError("disk full"))
    )
    with pytest.raises(StoreError):
        session.undo()
    assert len(session.undo_stack) == 1 and session.read_counts["reference"] == 1


def test_opening_again_forgets_selection_undo_and_citations(session):
    session.toggle_selected(refs(session)[0])
    session.toggle_read(session.targets(None))
    session.citations[(refs(session)[0].id, "apa")] = "x"
    generation = session.generation
    session.open("lin2025")
    assert session.selection == {} and session.undo_stack == [] and session.citations == {}
    assert session.generation == generation + 1 and session.read_counts["reference"] == 1
