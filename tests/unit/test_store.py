"""The TinyDB library (tui/store.py): data, reading state, safety, two processes."""

from __future__ import annotations

import copy
import errno
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui import store
from tui.errors import NotFound, ReadingListError, StoreError
from tui.model import Review, State, Work
from tui.store import FORMAT_VERSION, Library, state_path_for

ROOT = Path(__file__).resolve().parents[2]


# --- helpers -------------------------------------------------------------------


def review(key: str = "lin2025", **kw) -> Review:
    base = dict(
        key=key,
        title_zh="干细胞治疗硬皮病研究进展",
        title_en="Advances in stem cell therapy for scleroderma",
        doi="10.16138/j.1673-6087.2025.04.03",
    )
    base.update(kw)
    return Review(**base)


def ref(n: int, title: str, doi: str = "", kind: str = "reference", **kw) -> Work:
    return Work(kind=kind, n=n, title=title, doi=doi, raw=f"{title}[J]. X, 2020.", **kw)


def small_works() -> list[Work]:
    return [
        ref(1, "Alpha", "10.1/a"),
        ref(2, "Beta", "10.1/b"),
        ref(3, "Gamma"),  # no DOI/PMID: known by its number
        ref(1, "相关文章", kind="related", lang="zh"),
    ]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "library.json"


@pytest.fixture
def lib(path: Path) -> Library:
    lib = Library(path, import_shipped=False)
    lib.import_review(review(), small_works())
    return lib


def on_disk(path: Path) -> dict:
    return orjson.loads(path.read_bytes())


# --- data round trip -----------------------------------------------------------


def full_work() -> Work:
    """Every field different from its default."""
    return Work(
        review="ignored",
        kind="related",
        n=7,
        key="teske2024recent",
        authors=["Teske N", "金诗炜"],
        et_al=True,
        title="Recent advances [J] in 硬皮病",
        type="M",
        journal="Am J Clin Dermatol",
        year=2024,
        volume="25",
        issue="2",
        supplement="Suppl 1",
        pages="e91-e104",
        doi="10.1007/s40257-023-00831-2",
        pmid="38087156",
        pii="S0190-9622(21)02710-2",
        url="https://example.org/x",
        accessed="2025-01-02",
        medium="OL",
        publisher="Springer",
        place="Cham",
        edition="2",
        editors=["Smith J"],
        lang="zh",
        raw="Teske N, 金诗炜, 等. Recent advances[M]. 2024.",
        extra={"isbn": "978-3", "nested": {"a": [1, 2]}},
        warnings=["odd pages"],
    )


def full_review() -> Review:
    return Review(
        key="lin2025",
        kind="collection",
        title_zh="干细胞治疗硬皮病研究进展",
        title_en="Advances in stem cell therapy for scleroderma",
        authors_zh=["林瑞莲", "马丽丽", "陈佳"],
        authors_en=["LIN Ruilian", "MA Lili", "CHEN Jia"],
        journal_zh="内科理论与实践",
        journal_en="Journal of Internal Medicine Concepts & Practice",
        year=2025,
        volume="20",
        issue="04",
        pages="340-344",
        doi="10.16138/j.1673-6087.2025.04.03",
        received="2024-12-01",
        online="2025-08-01",
        published="2025-08-25",
        corresponding_author="陈佳",
        email="x@example.org",
        abstract_zh="摘要",
        abstract_en="Abstract",
        keywords_zh=["硬皮病"],
        keywords_en=["scleroderma"],
        clc="R593",
        citation_zh="林瑞莲, 马丽丽, 陈佳. 干细胞治疗硬皮病研究进展[J]. 2025",
        citation_en="LIN Ruilian. Advances[J]. 2025",
        url="https://www.nklljsj.com/x",
        source="000_b90cea9157f310d4.txt",
        checksum="ab" * 32,
        warnings=["broken byline"],
    )


def test_every_work_and_review_field_survives(path: Path) -> None:
    lib = Library(path, import_shipped=False)
    key, created = lib.import_review(full_review(), [full_work(), Work(n=1, title="Plain")])
    assert (key, created) == ("lin2025", True)
    lib.close()
    again = Library(path, import_shipped=False)
    expected = full_work()
    expected.review = "lin2025"  # filled in by the import
    assert again.get_work("lin2025/rel7") == expected
    assert again.get_work("lin2025/ref1") == Work(review="lin2025", n=1, title="Plain")
    assert again.get_review("lin2025") == full_review()
    assert again.reviews() == [full_review()]


def test_files_are_readable_utf8_with_format_version(lib: Library, path: Path) -> None:
    raw = path.read_bytes()
    assert "干细胞治疗硬皮病研究进展".encode() in raw and b"\\u" not in raw
    data = on_disk(path)
    assert data["meta"]["db"]["format"] == FORMAT_VERSION == 2
    assert set(data) >= {"meta", "reviews", "works"}
    assert data["works"]["lin2025/ref1"]["title"] == "Alpha"
    assert data["works"]["lin2025/ref1"]["review"] == "lin2025"


def test_state_lives_in_its_own_small_file(lib: Library, path: Path) -> None:
    assert state_path_for(path) == path.with_name("library.state.json")
    main_before = path.read_bytes()
    lib.set_status([lib.resolve("ref1")], "read")
    assert path.read_bytes() == main_before  # the bibliography was not rewritten
    side = on_disk(path.with_name("library.state.json"))
    assert side["meta"]["db"]["format"] == FORMAT_VERSION
    assert side["state"]["doi:10.1/a"]["status"] == "read"


def test_works_order_and_filters(path: Path) -> None:
    lib = Library(path, import_shipped=False)
    shuffled = [
        ref(2, "B", kind="related"),
        ref(10, "J"),
        ref(1, "A", kind="related"),
        ref(2, "b2"),
    ]
    lib.import_review(review("first"), shuffled)
    lib.import_review(review("second", title_zh="另一篇", title_en="", doi=""), [ref(1, "Z")])
    ids = [w.id for w in lib.works()]
    assert ids == ["first/ref2", "first/ref10", "first/rel1", "first/rel2", "second/ref1"]
    assert [w.id for w in lib.works("first", "related")] == ["first/rel1", "first/rel2"]
    assert [w.id for w in lib.works(kind="references")] == [
        "first/ref2",
        "first/ref10",
        "second/ref1",
    ]
    assert [r.key for r in lib.reviews()] == ["first", "second"]
    with pytest.raises(NotFound, match=r"no review 'nope' \(known: first, second\)"):
        lib.works("nope")
    with pytest.raises(ReadingListError, match="unknown kind"):
        lib.works(kind="book")


# --- finding works -------------------------------------------------------------


def test_resolve_accepts_what_users_type(lib: Library) -> None:
    assert lib.resolve("ref2").title == "Beta"
    assert lib.resolve("2").title == "Beta"
    assert lib.resolve("REF2").title == "Beta"
    assert lib.resolve("rel1").title == "相关文章"
    assert lib.resolve("lin2025/ref3").title == "Gamma"
    assert lib.resolve("doi:10.1/A").title == "Alpha"
    assert lib.resolve("https://doi.org/10.1/b").title == "Beta"
    assert lib.get_work("lin2025/ref1").title == "Alpha"


def test_resolve_by_citation_key(path: Path) -> None:
    lib = Library(path, import_shipped=False)
    lib.import_review(review(), [ref(1, "A", key="teske2024recent")])
    assert lib.resolve("teske2024recent").id == "lin2025/ref1"


@pytest.mark.parametrize(
    "token, pattern",
    [
        ("ref99", r"no ref99 in review 'lin2025' \(review 'lin2025' has ref1-ref3 and rel1\)"),
        ("lin2025/ref99", r"no work 'lin2025/ref99'"),
        ("other/ref1", r"no review 'other' \(known: lin2025\)"),
        ("nonsense", r"no work 'nonsense' in review 'lin2025'"),
        ("", r"empty work id"),
    ],
)
def test_resolve_errors_are_one_helpful_line(lib: Library, token: str, pattern: str) -> None:
    with pytest.raises(NotFound) as err:
        lib.resolve(token)
    assert re.search(pattern, str(err.value)), str(err.value)
    assert "\n" not in str(err.value)


def test_resolve_in_another_review(lib: Library) -> None:
    lib.import_review(review("b", title_zh="乙", title_en="", doi=""), [ref(1, "Other one")])
    assert lib.resolve("ref1").title == "Alpha"  # the first review is the default
    assert lib.resolve("ref1", review="b").title == "Other one"
    lib.set_pref("review", "b")
    assert lib.default_review_key() == "b"
    assert lib.resolve("ref1").title == "Other one"


# --- importing -----------------------------------------------------------------


def test_import_fills_keys(path: Path) -> None:
    lib = Library(path, import_shipped=False)
    works = small_works()
    r = review(key="")
    key, created = lib.import_review(r, works)
    assert created and key == "advances-in-stem-cell-therapy-for"  # cut at a word, 40 max
    assert r.key == key and all(w.review == key for w in works)


def test_new_review_with_taken_key_gets_a_suffix(lib: Library) -> None:
    k2, c2 = lib.import_review(review(title_zh="另一篇", title_en="Other", doi=""), [ref(1, "x")])
    k3, c3 = lib.import_review(review(title_zh="第三篇", title_en="Third", doi=""), [ref(1, "y")])
    assert (k2, c2, k3, c3) == ("lin2025-2", True, "lin2025-3", True)
    assert [r.key for r in lib.reviews()] == ["lin2025", "lin2025-2", "lin2025-3"]


@pytest.mark.parametrize(
    "again",
    [
        review(key="renamed", title_zh="", title_en=""),  # same DOI
        review(key="renamed", doi=""),  # same title
        review(key="renamed", doi="", title_zh="x", title_en="y", checksum="c0ffee"),  # checksum
    ],
)
def test_same_review_is_updated_in_place(path: Path, again: Review) -> None:
    lib = Library(path, import_shipped=False)
    lib.import_review(review(checksum="c0ffee"), small_works())
    key, created = lib.import_review(again, [ref(1, "Only")])
    assert (key, created) == ("lin2025", False)
    assert [w.id for w in lib.works()] == ["lin2025/ref1"]
    assert len(lib.reviews()) == 1


def test_reimport_keeps_state_when_numbering_shifts(lib: Library, path: Path) -> None:
    beta, gamma = lib.resolve("ref2"), lib.resolve("ref3")
    lib.set_status([beta], "read")
    lib.set_note(beta, "key paper")
    lib.set_status([gamma], "reading")
    before_beta, before_gamma = lib.state(beta), lib.state(gamma)
    # A new reference appears first: every number shifts by one.
    v2 = [ref(1, "New first"), ref(2, "Alpha", "10.1/a"), ref(3, "Beta", "10.1/b"), ref(4, "Gamma")]
    assert lib.import_review(review(), v2) == ("lin2025", False)
    lib.close()
    lib = Library(path, import_shipped=False)
    assert lib.resolve("ref3").title == "Beta"
    assert lib.state(lib.resolve("ref3")) == before_beta  # status, note and changed
    assert lib.state(lib.resolve("ref4")) == before_gamma  # followed by its printed string
    assert lib.state(lib.resolve("ref1")) == State()  # the newcomer inherits nothing
    assert lib.state(lib.resolve("ref2")) == State()


def test_reimport_without_a_removed_work_keeps_its_state_apart(lib: Library) -> None:
    lib.set_status([lib.resolve("ref3")], "read")  # Gamma, known only by number
    lib.import_review(
        review(), [ref(1, "Alpha", "10.1/a"), ref(2, "Beta", "10.1/b"), ref(3, "Delta")]
    )
    assert lib.state(lib.resolve("ref3")) == State()  # Delta did not take Gamma's mark
    assert lib.states()["orphan:id:lin2025/ref3"].status == "read"


def test_duplicate_numbers_are_refused(path: Path) -> None:
    lib = Library(path, import_shipped=False)
    with pytest.raises(ReadingListError, match="two works numbered ref1"):
        lib.import_review(review(), [ref(1, "a"), ref(1, "b")])
    assert lib.reviews() == []


def test_state_is_shared_across_reviews_by_doi(lib: Library, path: Path) -> None:
    other = review("b", title_zh="乙", title_en="", doi="")
    lib.import_review(other, [ref(5, "Alpha again", "10.1/A"), ref(6, "Mine only")])
    lib.set_status([lib.resolve("ref5", review="b")], "read")
    assert lib.state(lib.resolve("ref1", review="lin2025")).status == "read"
    assert lib.state(lib.resolve("ref6", review="b")).status == "unread"
    lib.close()
    assert on_disk(state_path_for(path))["state"].keys() == {"doi:10.1/a"}


def test_remove_review(lib: Library) -> None:
    lib.set_status([lib.resolve("ref1"), lib.resolve("ref3")], "read")
    lib.remove_review("lin2025")
    assert lib.reviews() == [] and lib.works() == []
    assert set(lib.states()) == {"doi:10.1/a"}  # shared-by-DOI state is kept
    with pytest.raises(NotFound):
        lib.remove_review("lin2025")
    assert lib.default_review_key() is None


# --- reading state and prefs ---------------------------------------------------


def test_set_status_and_note(lib: Library, path: Path) -> None:
    a, b = lib.resolve("ref1"), lib.resolve("ref3")
    assert lib.state(a) == State()
    lib.set_status([a, b], "read")
    st = lib.state(a)
    assert st.status == "read"
    changed = datetime.fromisoformat(st.changed)
    assert changed.utcoffset() == timedelta(0) and changed.microsecond == 0
    assert abs(datetime.now(timezone.utc) - changed) < timedelta(minutes=1)
    lib.set_note(b, "  compare with ref1 ")
    assert lib.state(b).note == "compare with ref1"
    lib.set_status([a], "unread")
    lib.close()
    again = Library(path, import_shipped=False)
    assert again.states() == {
        "id:lin2025/ref3": State("read", again.state(b).changed, "compare with ref1", [])
    }
    # Only non-default states are stored.
    assert list(on_disk(state_path_for(path))["state"]) == ["id:lin2025/ref3"]


def test_unknown_status_is_refused(lib: Library) -> None:
    with pytest.raises(
        ReadingListError,
        match=r"unknown status 'done' \(use unread, queued, reading, read, skipped\)",
    ):
        lib.set_status([lib.resolve("ref1")], "done")
    assert lib.states() == {}


def test_prefs_persist(lib: Library, path: Path) -> None:
    assert lib.get_pref("style", "gbt7714") == "gbt7714"
    lib.set_pref("style", "apa")
    lib.set_pref("pane", {"name": "refs", "row": 3})
    lib.close()
    again = Library(path, import_shipped=False)
    assert again.get_pref("style") == "apa"
    assert again.get_pref("pane") == {"name": "refs", "row": 3}


def test_default_review_key(lib: Library) -> None:
    assert lib.default_review_key() == "lin2025"
    lib.set_pref("review", "gone")
    assert lib.default_review_key() == "lin2025"
    assert (
        Library(lib.path.with_name("empty.json"), import_shipped=False).default_review_key() is None
    )


def test_stats(lib: Library) -> None:
    lib.set_status([lib.resolve("ref1")], "read")
    lib.set_status([lib.resolve("ref2"), lib.resolve("rel1")], "reading")
    assert lib.stats() == [
        {
            "key": "lin2025",
            "title": "干细胞治疗硬皮病研究进展",
            "kind": {
                "reference": {
                    "total": 3,
                    "read": 1,
                    "reading": 1,
                    "unread": 1,
                    "queued": 0,
                    "skipped": 0,
                },
                "related": {
                    "total": 1,
                    "read": 0,
                    "reading": 1,
                    "unread": 0,
                    "queued": 0,
                    "skipped": 0,
                },
            },
        }
    ]


# --- safety --------------------------------------------------------------------


def test_crash_during_write_keeps_old_file(lib: Library, path: Path, monkeypatch) -> None:
    side = state_path_for(path)
    lib.set_status([lib.resolve("ref1")], "read")
    before_main, before_side = path.read_bytes(), side.read_bytes()

    def crash(src, dst):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(StoreError, match="library.state.json"):
        lib.set_status([lib.resolve("ref2")], "read")
    with pytest.raises(StoreError, match="library.json"):
        lib.import_review(review(), [ref(1, "Replaced")])
    monkeypatch.undo()
    assert path.read_bytes() == before_main and side.read_bytes() == before_side
    # memory agrees with the disk: nothing half-applied
    assert lib.state(lib.resolve("ref2")).status == "unread"
    assert lib.resolve("ref1").title == "Alpha"
    again = Library(path, import_shipped=False)
    assert again.state(again.resolve("ref1")).status == "read"
    assert len(again.works()) == 4
    lib.set_status([lib.resolve("ref2")], "read")  # works again once the disk does
    assert Library(path, import_shipped=False).state(lib.resolve("ref2")).status == "read"


def damage_cases() -> list:
    good = {
        "meta": {"db": {"format": 1, "schema": "readinglist library"}},
        "reviews": {},
        "works": {},
    }
    text = orjson.dumps(good)
    return [
        pytest.param(text[: len(text) // 2], "truncated", id="truncated"),
        pytest.param(b"this is not JSON at all", "not valid JSON", id="not-json"),
        pytest.param(b'[{"key": "lin2025"}]', "JSON array", id="list"),
        pytest.param(text.replace(b'"format":1', b'"format":99'), "newer", id="format-99"),
        # no format version, and not a format-0 file either (a review without a key)
        pytest.param(b'{"reviews": {"1": {"title": "x"}}}', "no format version", id="no-meta"),
        pytest.param(b'{"notes": {"1": {"text": "x"}}}', "no format version", id="other-tinydb"),
        pytest.param(
            text.replace(b"library", b"state"), "not a readinglist library", id="wrong-schema"
        ),
    ]


@pytest.mark.parametrize("content, words", damage_cases())
def test_damaged_main_file(path: Path, content: bytes, words: str) -> None:
    path.write_bytes(content)
    for _ in range(2):  # asking twice changes nothing either
        with pytest.raises(StoreError) as err:
            Library(path)  # would import the shipped review if it could
        msg = str(err.value)
        assert str(path) in msg and words in msg and "\n" not in msg
        assert path.read_bytes() == content


@pytest.mark.parametrize(
    "content",
    [
        b'{"state": {"doi:x": {"status": "read"',
        b'{"meta": {"db": {"format": 99, "schema": "readinglist state"}}}',
        b'{"meta": {"db": {"format": 1, "schema": "readinglist state"}}, "state": {"doi:x": {"status": "done!"}}}',
    ],
)
def test_damaged_state_file(lib: Library, path: Path, content: bytes) -> None:
    side = state_path_for(path)
    side.write_bytes(content)
    with pytest.raises(StoreError, match=re.escape(str(side))):
        Library(path, import_shipped=False)
    with pytest.raises(StoreError):
        lib.set_status([lib.resolve("ref1")], "read")
    assert side.read_bytes() == content


def test_broken_work_document_is_damage(lib: Library, path: Path) -> None:
    data = on_disk(path)
    data["works"]["lin2025/ref1"]["review"] = "unknown-review"
    content = orjson.dumps(data)
    path.write_bytes(content)
    with pytest.raises(StoreError, match="damaged"):
        Library(path, import_shipped=False)
    assert path.read_bytes() == content


def test_backup_of_last_good_state(lib: Library, path: Path) -> None:
    first = path.read_bytes()
    lib.import_review(review(), [ref(1, "Version two", "10.1/a")])
    backup = path.with_name("library.json.bak")
    assert backup.read_bytes() == first
    lib.set_status([lib.resolve("ref1")], "read")
    lib.set_status([lib.resolve("ref1")], "reading")
    side_bak = on_disk(path.with_name("library.state.json.bak"))
    assert side_bak["state"]["doi:10.1/a"]["status"] == "read"


def test_empty_file_is_damage_not_a_new_library(path: Path) -> None:
    path.write_bytes(b"")
    with pytest.raises(StoreError, match="library.json is empty"):
        Library(path, import_shipped=False)
    assert path.read_bytes() == b""


def test_missing_folders_are_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "library.json"
    lib = Library(path, import_shipped=False)
    lib.import_review(review(), small_works())
    assert path.exists() and len(Library(path, import_shipped=False).works()) == 4


def test_folder_that_cannot_exist_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(StoreError) as err:
        lib = Library(tmp_path / "afile" / "library.json", import_shipped=False)
        lib.import_review(review(), small_works())
    assert "afile" in str(err.value) and "\n" not in str(err.value)


def test_path_that_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        Library(tmp_path)


def test_read_only_folder_is_a_store_error(lib: Library, path: Path, monkeypatch) -> None:
    """As root chmod does not stop writes, so the refusal of the OS is simulated."""
    before = state_path_for(path).read_bytes() if state_path_for(path).exists() else None
    real_open = os.open

    def read_only(file, flags, *args, **kw):
        if str(file).endswith(".tmp") and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, flags, *args, **kw)

    monkeypatch.setattr(os, "open", read_only)
    with pytest.raises(StoreError, match="Permission denied") as err:
        lib.set_status([lib.resolve("ref1")], "read")
    assert "library.state.json" in str(err.value)
    monkeypatch.undo()
    assert lib.states() == {}
    after = state_path_for(path).read_bytes() if state_path_for(path).exists() else None
    assert after == before


def test_full_disk_is_a_store_error(lib: Library, path: Path, monkeypatch) -> None:
    lib.set_status([lib.resolve("ref1")], "read")
    before = state_path_for(path).read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StoreError, match="No space left on device"):
        lib.set_note(lib.resolve("ref1"), "lost?")
    monkeypatch.undo()
    assert state_path_for(path).read_bytes() == before
    assert lib.state(lib.resolve("ref1")).note == ""
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


# --- two processes -------------------------------------------------------------


def test_two_libraries_on_one_path_lose_nothing(lib: Library, path: Path) -> None:
    other = Library(path, import_shipped=False)
    lib.set_status([lib.resolve("ref1")], "read")
    other.set_status([other.resolve("ref2")], "reading")  # other's view was stale
    other.set_pref("style", "apa")
    lib.set_note(lib.resolve("ref3"), "from the first")
    lib.set_pref("pane", "related")
    fresh = Library(path, import_shipped=False)
    assert {i: s.status for i, s in fresh.states().items()} == {
        "doi:10.1/a": "read",
        "doi:10.1/b": "reading",
        "id:lin2025/ref3": "unread",
    }
    assert fresh.state(fresh.resolve("ref3")).note == "from the first"
    assert (fresh.get_pref("style"), fresh.get_pref("pane")) == ("apa", "related")


def test_import_in_one_keeps_marks_of_the_other(lib: Library, path: Path) -> None:
    other = Library(path, import_shipped=False)
    other.set_status([other.resolve("ref1")], "read")
    lib.import_review(review("b", title_zh="乙", title_en="", doi=""), [ref(1, "B1")])
    other.import_review(review("c", title_zh="丙", title_en="", doi=""), [ref(1, "C1")])
    fresh = Library(path, import_shipped=False)
    assert [r.key for r in fresh.reviews()] == ["lin2025", "b", "c"]
    assert fresh.state(fresh.resolve("ref1")).status == "read"


def test_reload_if_changed(lib: Library, path: Path) -> None:
    other = Library(path, import_shipped=False)
    assert lib.reload_if_changed() is False
    other.set_status([other.resolve("ref1")], "read")
    assert lib.state(lib.resolve("ref1")).status == "unread"  # not yet seen
    assert lib.reload_if_changed() is True
    assert lib.state(lib.resolve("ref1")).status == "read"
    assert lib.reload_if_changed() is False
    other.import_review(review("b", title_zh="乙", title_en="", doi=""), [ref(1, "B1")])
    assert lib.reload_if_changed() is True
    assert lib.resolve("b/ref1").title == "B1"


WORKER = textwrap.dedent(
    """
    import sys
    from tui import store
    from tui.store import Library
    path, status, first, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if sys.argv[5] == "log":
        store.APPEND_ABOVE, store.COMPACT_ABOVE = 0, 400  # append, and fold in now and then
    lib = Library(path, import_shipped=False)
    for i in range(first, first + count):
        lib.set_status([lib.resolve(f"ref{i}")], status)
        lib.set_note(lib.resolve(f"ref{i + count}"), f"note {i}")
    """
)


@pytest.mark.parametrize("mode", ["rewrite", "log"])
def test_two_processes_marking_at_once_lose_nothing(path: Path, mode: str) -> None:
    n = 12
    lib = Library(path, import_shipped=False)
    lib.import_review(review(), [ref(i, f"T{i}", f"10.2/{i}") for i in range(1, 4 * n + 1)])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(path), status, str(first), str(n), mode], env=env
        )
        for status, first in (("read", 1), ("reading", 2 * n + 1))
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    states = Library(path, import_shipped=False).states()
    assert sum(s.status == "read" for s in states.values()) == n
    assert sum(s.status == "reading" for s in states.values()) == n
    assert sum(bool(s.note) for s in states.values()) == 2 * n


# --- the shipped review --------------------------------------------------------


def test_shipped_review_is_imported_on_first_open(path: Path) -> None:
    sources = pytest.importorskip("tui.sources")
    if not hasattr(sources, "load_file"):
        pytest.skip("tui.sources.load_file is not there yet")
    lib = Library(path)
    [r] = lib.reviews()
    assert r.doi == "10.16138/j.1673-6087.2025.04.15"  # as the page prints it
    assert len(lib.works(r.key, "reference")) == 43
    assert len(lib.works(r.key, "related")) == 15
    lib.set_status([lib.resolve("ref16")], "read")
    again = Library(path)  # not imported a second time
    assert len(again.reviews()) == 1 and len(again.works()) == 58
    assert again.state(again.resolve("ref16")).status == "read"


def test_import_shipped_false_starts_empty(path: Path) -> None:
    lib = Library(path, import_shipped=False)
    assert lib.reviews() == [] and lib.works() == [] and not path.exists()


def test_lock_file_that_cannot_be_created_is_a_store_error(
    lib: Library, path: Path, monkeypatch
) -> None:
    real_open = os.open

    def read_only(file, flags, *args, **kw):
        if str(file).endswith(".lock") and flags & os.O_CREAT:
            raise OSError(errno.EROFS, "Read-only file system", str(file))
        return real_open(file, flags, *args, **kw)

    (path.with_name(path.name + ".lock")).unlink(missing_ok=True)
    monkeypatch.setattr(os, "open", read_only)
    with pytest.raises(StoreError, match="Read-only file system") as err:
        lib.set_status([lib.resolve("ref1")], "read")
    assert "library.json.lock" in str(err.value)
    monkeypatch.undo()
    assert lib.states() == {}


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_works = st.builds(
    Work,
    kind=st.sampled_from(["reference", "related"]),
    n=st.integers(1, 10_000),
    key=_text,
    authors=st.lists(_text, max_size=4),
    et_al=st.booleans(),
    title=_text,
    type=st.sampled_from(["J", "M", "D", "EB"]),
    year=st.none() | st.integers(1000, 2100),
    pages=_text,
    doi=_text,
    pmid=_text,
    editors=st.lists(_text, max_size=2),
    lang=st.sampled_from(["en", "zh", ""]),
    raw=_text,
    extra=st.dictionaries(_text, _text | st.integers(-(2**53), 2**53), max_size=3),
    warnings=st.lists(_text, max_size=2),
)


@settings(max_examples=25, deadline=None)
@given(works=st.lists(_works, max_size=6, unique_by=lambda w: (w.kind, w.n)))
def test_any_works_survive_a_round_trip(works: list[Work]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "library.json"
        expected = [copy.deepcopy(w) for w in works]
        Library(path, import_shipped=False).import_review(review(), works)
        for w in expected:
            w.review = "lin2025"
        again = Library(path, import_shipped=False)
        assert sorted(again.works(), key=lambda w: w.id) == sorted(expected, key=lambda w: w.id)


def test_text_that_is_not_unicode_is_refused_without_damage(lib: Library, path: Path) -> None:
    before = path.read_bytes()
    with pytest.raises(StoreError, match="cannot write") as err:
        lib.import_review(review(), [ref(1, "bad \udcff byte")])
    assert "\n" not in str(err.value)
    assert path.read_bytes() == before
    assert [w.title for w in lib.works()] == ["Alpha", "Beta", "Gamma", "相关文章"]


def test_tags(lib: Library, path: Path) -> None:
    w = lib.resolve("ref1")
    lib.set_tags(w, ["methods", " methods ", "", "rct"])
    assert Library(path, import_shipped=False).state(w).tags == ["methods", "rct"]
    lib.set_tags(w, [])
    assert lib.states() == {}


# --- the change log of a big state file ----------------------------------------


@pytest.fixture
def logged(lib: Library, monkeypatch) -> Library:
    """A library whose state file counts as big: marks go to library.state.log."""
    monkeypatch.setattr(store, "APPEND_ABOVE", 0)
    lib.set_pref("style", "apa")  # creates the state file (an empty one is rewritten)
    return lib


def test_big_state_file_is_not_rewritten_for_a_mark(logged: Library, path: Path) -> None:
    side = state_path_for(path)
    before = side.read_bytes()
    logged.set_status([logged.resolve("ref1")], "read")
    logged.set_note(logged.resolve("ref3"), "later")
    logged.set_pref("pane", "related")
    assert side.read_bytes() == before
    log = path.with_name("library.state.log").read_bytes().splitlines()
    assert len(log) == 4  # a header and three changes
    assert orjson.loads(log[1]) == {
        "t": "s",
        "id": "doi:10.1/a",
        "v": {"status": "read", "changed": logged.state(logged.resolve("ref1")).changed},
    }
    again = Library(path, import_shipped=False)
    assert again.state(again.resolve("ref1")).status == "read"
    assert again.state(again.resolve("ref3")).note == "later"
    assert (again.get_pref("style"), again.get_pref("pane")) == ("apa", "related")


def test_log_is_folded_in_when_big_and_on_close(logged: Library, path: Path, monkeypatch) -> None:
    log = path.with_name("library.state.log")
    logged.set_status([logged.resolve("ref1")], "read")
    assert log.exists()
    monkeypatch.setattr(store, "COMPACT_ABOVE", 1)
    logged.set_status([logged.resolve("ref2")], "reading")
    assert not log.exists()
    side = on_disk(state_path_for(path))
    assert {i: d["status"] for i, d in side["state"].items()} == {
        "doi:10.1/a": "read",
        "doi:10.1/b": "reading",
    }
    monkeypatch.setattr(store, "COMPACT_ABOVE", 1 << 20)
    logged.set_status([logged.resolve("ref1")], "unread")
    assert log.exists()
    logged.close()
    assert not log.exists()
    assert set(on_disk(state_path_for(path))["state"]) == {"doi:10.1/b"}


def test_other_library_sees_logged_changes(logged: Library, path: Path) -> None:
    other = Library(path, import_shipped=False)
    logged.set_status([logged.resolve("ref1")], "read")
    assert other.reload_if_changed() is True
    assert other.state(other.resolve("ref1")).status == "read"
    other.set_status([other.resolve("ref2")], "reading")  # appends to the same log
    assert logged.reload_if_changed() is True
    assert {i: s.status for i, s in logged.states().items()} == {
        "doi:10.1/a": "read",
        "doi:10.1/b": "reading",
    }
    assert logged.reload_if_changed() is False


def test_torn_last_line_is_ignored_and_cut(logged: Library, path: Path) -> None:
    log = path.with_name("library.state.log")
    logged.set_status([logged.resolve("ref1")], "read")
    with open(log, "ab") as fh:
        note = "x" * 300  # longer than the next entry, so only a cut removes it all
        fh.write(b'{"t": "s", "id": "doi:10.1/b", "v": {"note": "' + note.encode())  # crash
    again = Library(path, import_shipped=False)
    assert set(again.states()) == {"doi:10.1/a"}
    again.set_status([again.resolve("ref3")], "reading")
    assert b"xxx" not in log.read_bytes()
    assert set(Library(path, import_shipped=False).states()) == {"doi:10.1/a", "id:lin2025/ref3"}


def test_damaged_log_line_is_a_store_error(logged: Library, path: Path) -> None:
    log = path.with_name("library.state.log")
    logged.set_status([logged.resolve("ref1")], "read")
    with open(log, "ab") as fh:
        fh.write(b"garbage\n")
    content = log.read_bytes()
    with pytest.raises(StoreError, match=r"library\.state\.log is damaged"):
        Library(path, import_shipped=False)
    with pytest.raises(StoreError):
        logged.set_status([logged.resolve("ref2")], "read")
    assert log.read_bytes() == content


def test_log_left_by_a_crash_after_folding_is_not_replayed(
    logged: Library, path: Path, monkeypatch
) -> None:
    log = path.with_name("library.state.log")
    logged.set_status([logged.resolve("ref1")], "read")
    kept = log.read_bytes()
    # Fold the log in together with a newer change, then "crash" before the log is removed.
    monkeypatch.setattr(store, "COMPACT_ABOVE", 1)
    logged.set_status([logged.resolve("ref1")], "unread")
    log.write_bytes(kept)
    again = Library(path, import_shipped=False)
    assert again.state(again.resolve("ref1")).status == "unread"  # not resurrected
    monkeypatch.setattr(store, "COMPACT_ABOVE", 1 << 20)
    again.set_status([again.resolve("ref2")], "read")  # starts a fresh log
    assert Library(path, import_shipped=False).states().keys() == {"doi:10.1/b"}


def test_failed_append_changes_nothing(logged: Library, path: Path, monkeypatch) -> None:
    log = path.with_name("library.state.log")
    logged.set_status([logged.resolve("ref1")], "read")
    before = log.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StoreError, match="No space left"):
        logged.set_status([logged.resolve("ref2")], "read")
    monkeypatch.undo()
    assert log.read_bytes() == before
    assert set(logged.states()) == {"doi:10.1/a"}


def test_busy_lock_is_a_clear_error(path: Path, monkeypatch) -> None:
    monkeypatch.setattr(store, "LOCK_TIMEOUT", 0.2)
    lib = Library(path, import_shipped=False)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, filelock; l = filelock.FileLock(sys.argv[1]); l.acquire(); "
            "print('held', flush=True); sys.stdin.read()",
            str(path) + ".lock",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout.readline().strip() == b"held"
        with pytest.raises(StoreError, match="busy: another readinglist process holds"):
            lib.import_review(review(), small_works())
    finally:
        holder.communicate(b"", timeout=30)
    assert lib.reviews() == [] and not path.exists()


# --- format versions and failed writes -------------------------------------------


def write_format0(path: Path) -> None:
    """A format-0 database written by TinyDB itself (its JSONStorage, counting ids)."""
    from tinydb import TinyDB

    with TinyDB(path) as db:  # TinyDB's default storage: plain JSON, ids "1", "2", ...
        db.table("reviews").insert({"key": "old2019", "title_en": "An old review", "year": 2019})
        db.table("reviews").insert({"key": "second", "title_en": "Second"})
        db.table("works").insert({"review": "old2019", "kind": "reference", "n": 2, "title": "B"})
        db.table("works").insert(
            {"review": "old2019", "kind": "reference", "n": 1, "title": "A", "doi": "10.9/A"}
        )
        db.table("works").insert({"review": "second", "kind": "related", "n": 1, "title": "R"})
        db.insert({"ident": "doi:10.9/a", "status": "read", "changed": "2020-01-01T00:00:00"})
        db.insert({"ident": "id:second/rel1", "status": "unread", "note": "look at fig 2"})
        db.table("prefs").insert({"name": "style", "value": "apa"})


def test_format0_file_is_converted_and_the_original_kept(path: Path) -> None:
    write_format0(path)
    original = path.read_bytes()
    lib = Library(path)  # would import the shipped review if it saw an empty library
    assert [r.key for r in lib.reviews()] == ["old2019", "second"]
    assert [w.title for w in lib.works("old2019")] == ["A", "B"]  # ordered by number
    assert lib.state(lib.resolve("old2019/ref1")).status == "read"
    assert lib.state(lib.resolve("second/rel1")).note == "look at fig 2"
    assert lib.get_pref("style") == "apa"
    assert path.with_name("library.json.format0").read_bytes() == original
    assert on_disk(path)["meta"]["db"]["format"] == FORMAT_VERSION
    assert on_disk(state_path_for(path))["meta"]["db"]["format"] == FORMAT_VERSION
    assert "format 0" in lib.notices[0] and "library.json.format0" in lib.notices[0]
    again = Library(path)
    assert again.notices == [] and len(again.works()) == 3
    assert again.state(again.resolve("old2019/ref1")).status == "read"


def test_format0_file_that_cannot_be_converted_is_left_alone(path: Path) -> None:
    from tinydb import TinyDB

    with TinyDB(path) as db:
        db.table("reviews").insert({"key": "r"})
        db.table("works").insert({"review": "elsewhere", "kind": "reference", "n": 1})
    before = path.read_bytes()
    with pytest.raises(StoreError, match="format 0") as err:
        Library(path)
    assert str(path) in str(err.value)
    assert path.read_bytes() == before
    assert not path.with_name("library.json.format0").exists()
    assert not state_path_for(path).exists()


def test_save_error_is_set_while_writes_fail(lib: Library, path: Path, monkeypatch) -> None:
    assert lib.save_error is None
    lib.set_status([lib.resolve("ref1")], "read")
    before = state_path_for(path).read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StoreError):
        lib.set_status([lib.resolve("ref2")], "read")
    assert lib.save_error is not None and "No space left" in lib.save_error
    assert "library.state.json" in lib.save_error
    # memory keeps what was saved; the file is the one before
    assert lib.state(lib.resolve("ref1")).status == "read"
    assert lib.state(lib.resolve("ref2")).status == "unread"
    assert state_path_for(path).read_bytes() == before
    with pytest.raises(ReadingListError):
        lib.set_status([lib.resolve("ref2")], "done")  # a user error is not a disk error
    assert "No space left" in lib.save_error
    monkeypatch.undo()
    lib.set_status([lib.resolve("ref2")], "read")
    assert lib.save_error is None
    assert Library(path, import_shipped=False).state(lib.resolve("ref2")).status == "read"


def test_review_keys_never_hold_control_characters(lib: Library) -> None:
    key, _ = lib.import_review(
        review("\x1b]52;c;ZXZpbA==\x07ev\u202eil\x9b31m", title_zh="乙", title_en="", doi=""),
        [ref(1, "x")],
    )
    assert key == "]52;c;ZXZpbA==evil31m"
    assert lib.resolve(f"{key}/ref1").id == f"{key}/ref1"


def test_file_damaged_under_an_open_library_is_reported_once(lib: Library, path: Path) -> None:
    """An app polls reload_if_changed every few seconds: one message, not one per poll."""
    lib.set_status([lib.resolve("ref1")], "read")
    good = path.read_bytes()
    broken = path.with_name("broken")
    broken.write_bytes(good[:40])
    os.replace(broken, path)  # another program breaks the file
    with pytest.raises(StoreError, match="truncated"):
        lib.reload_if_changed()
    assert lib.save_error is not None and "truncated" in lib.save_error
    assert lib.reload_if_changed() is False  # said once
    assert lib.state(lib.resolve("ref1")).status == "read"  # memory keeps what it had
    assert len(lib.works()) == 4
    with pytest.raises(StoreError):
        lib.import_review(review(), small_works())  # never written over
    assert path.read_bytes() == good[:40]
    fixed = path.with_name("fixed")
    fixed.write_bytes(good)
    os.replace(fixed, path)
    assert lib.reload_if_changed() is True
    assert lib.save_error is None
    lib.set_status([lib.resolve("ref2")], "read")
    assert Library(path, import_shipped=False).state(lib.resolve("ref2")).status == "read"


def test_temporary_files_left_by_a_killed_writer_are_removed(lib: Library, path: Path) -> None:
    folder = path.parent
    left = [
        folder / ".library.json.0123456789ab.tmp",
        folder / ".library.state.json.ba9876543210.tmp",
        folder / ".library.json.bak.4242.tmp",
    ]
    keep = [folder / ".other.json.0123.tmp", folder / "library.json.tmp", folder / "notes.tmp"]
    for p in left + keep:
        p.write_bytes(b"half a file")
    again = Library(path, import_shipped=False)
    assert all(p.exists() for p in left)  # opening to read changes nothing
    again.set_status([again.resolve("ref1")], "read")
    assert not any(p.exists() for p in left)
    assert all(p.read_bytes() == b"half a file" for p in keep)


# --- one write, one document ----------------------------------------------------


def test_one_status_change_is_one_document_update(lib: Library, path: Path, monkeypatch) -> None:
    from tui.storage import KeyedTable, OrjsonStorage

    work = lib.resolve("ref1")
    lib.set_note(work, "a note")
    calls: list[tuple[str, str]] = []

    def spying(name: str):
        original = getattr(KeyedTable, name)

        def spy(self, *args, **kw):
            calls.append((self.name, name))
            return original(self, *args, **kw)

        return spy

    for name in ("insert", "insert_multiple", "update", "upsert", "remove", "truncate"):
        monkeypatch.setattr(KeyedTable, name, spying(name))
    writes: list[Path] = []
    write_now = OrjsonStorage._write_now

    def counted(self, data):
        writes.append(self.path)
        return write_now(self, data)

    monkeypatch.setattr(OrjsonStorage, "_write_now", counted)
    lib.set_status([work], "read")
    assert calls == [("state", "update")]  # not a removal and an insert
    assert writes == [state_path_for(path)]
    calls.clear()
    lib.set_note(work, "")  # the stored document is replaced, not merged into
    assert calls == [("state", "update")]
    assert on_disk(state_path_for(path))["state"][work.ident] == {
        "status": "read",
        "changed": lib.state(work).changed,
    }
    assert Library(path, import_shipped=False).state(work) == lib.state(work)


def test_a_new_format_step_converts_older_files(lib: Library, path: Path, monkeypatch) -> None:
    from tui import diskformat

    lib.set_status([lib.resolve("ref1")], "read")
    lib.close()
    cur = diskformat.FORMAT_VERSION

    def step(main: dict, side: dict | None, where: Path) -> tuple[dict, dict]:
        main, side = copy.deepcopy(main), copy.deepcopy(side or {})
        for data in (main, side):
            data["meta"]["db"]["format"] = cur + 1
        for doc in main["works"].values():
            doc["title"] = doc["title"].upper()
        return main, side

    monkeypatch.setattr(diskformat, "FORMAT_VERSION", cur + 1)
    monkeypatch.setattr(diskformat, "MIGRATIONS", [*diskformat.MIGRATIONS, (cur, step)])
    again = Library(path, import_shipped=False)
    assert again.resolve("ref1").title == "ALPHA"
    assert again.state(again.resolve("ref1")).status == "read"
    assert on_disk(path)["meta"]["db"]["format"] == cur + 1
    assert on_disk(state_path_for(path))["meta"]["db"]["format"] == cur + 1
    assert (path.parent / f"library.json.format{cur}").is_file()
    assert f"from format {cur} to format {cur + 1}" in again.notices[0]


def test_work_doc_copies_unless_asked_not_to() -> None:
    from tui.diskformat import work_doc

    w = Work(review="r", n=1, title="T", extra={"a": [1]}, csl={"author": [{"family": "F"}]})
    doc = work_doc(w)
    doc["extra"]["a"].append(2)
    doc["csl"]["author"][0]["family"] = "G"
    assert w.extra == {"a": [1]} and w.csl == {"author": [{"family": "F"}]}
    shared = work_doc(w, copy=False)  # (for a document only compared or written)
    assert shared == work_doc(w) and shared["csl"] is w.csl
