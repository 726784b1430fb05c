"""`readinglist doctor` (tui/doctor.py): damaged databases are reported, refused by
every other command with the file left as it was, and recovered into a new file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tui import store
from tui.cli import main
from tui.doctor import diagnose, recover, salvage_documents
from tui.errors import StoreError
from tui.model import Review, Work
from tui.store import Library, state_path_for


def make_library(path: Path, n: int = 30) -> Library:
    lib = Library(path, import_shipped=False)
    r = Review(key="lin2025", title_en="Advances in stem cell therapy for scleroderma")
    works = [
        Work(kind="reference", n=i, title=f"Title {i}", doi=f"10.1/{i}" if i % 2 else "")
        for i in range(1, n + 1)
    ]
    lib.import_review(r, works)
    return lib


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "library.json"


def all_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def statuses(lib: Library) -> dict[str, str]:
    return {w.local_id: lib.state(w).status for w in lib.works() if lib.state(w).status != "unread"}


def test_healthy_library(path: Path, capsys) -> None:
    lib = make_library(path)
    lib.set_status([lib.resolve("ref1")], "read")
    code, out, _ = run(capsys, "--db", str(path), "doctor")
    assert code == 0
    assert "no problems found" in out
    assert re.search(r"library\s+library.json: ok, 1 reviews, 30 works", out)
    assert re.search(r"state\s+library.state.json: ok, 1 states", out)
    code, out, _ = run(capsys, "--db", str(path), "doctor", "--recover")
    assert code == 0 and "nothing to recover" in out
    assert not list(path.parent.glob("*recovered*"))


# --- damaged files: refused, untouched, reported, recovered ------------------------


def damage_truncate(path: Path) -> None:
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) * 2 // 3])


def damage_garbage(path: Path) -> None:
    raw = path.read_bytes()
    mid = raw.index(b'"lin2025/ref9"')
    path.write_bytes(raw[:mid] + b"\x00\xff garbage ]]] " + raw[mid + 20 :])


def damage_array(path: Path) -> None:
    path.write_bytes(b'[{"key": "lin2025"}]')


def damage_newer(path: Path) -> None:
    # (the library file is one document per line: no space after its colons)
    path.write_bytes(re.sub(rb'"format": ?2', b'"format": 7', path.read_bytes()))


@pytest.mark.parametrize(
    "damage, words",
    [
        (damage_truncate, "truncated"),
        (damage_garbage, "not valid JSON"),
        (damage_array, "JSON array"),
        (damage_newer, "newer readinglist"),
    ],
)
def test_damaged_library_file(path: Path, capsys, damage, words: str) -> None:
    lib = make_library(path)
    lib.set_status([lib.resolve("ref2"), lib.resolve("ref3")], "read")
    # A second import, so that the backup is the previous version, not this one.
    lib.import_review(lib.reviews()[0], lib.works() + [Work(kind="related", n=1, title="R")])
    damage(path)
    before = all_bytes(path.parent)

    for argv in (["list"], ["mark", "ref1", "read"], ["stats"], ["import", str(path)], []):
        code, out, err = run(capsys, "--db", str(path), *argv)
        assert code == 2, argv
        assert err.count("\n") == 1 and str(path) in err and words in err, err
        assert all_bytes(path.parent) == before  # byte for byte, backups included

    code, out, _ = run(capsys, "--db", str(path), "doctor")
    assert code == 1
    assert re.search(r"library\s+library.json: DAMAGED: .*" + words, out)
    assert "problems found" in out and "--recover" in out
    assert all_bytes(path.parent) == before

    code, out, _ = run(capsys, "--db", str(path), "doctor", "--recover")
    assert code == 0
    into = Path(re.search(r"into (\S+\.json) ", out)[1])
    assert into.parent == path.parent and into != path and "not changed" in out
    for name, content in before.items():
        assert (path.parent / name).read_bytes() == content
    got = Library(into, import_shipped=False)
    assert len(got.works()) >= 30  # the backup has all 30; the last import may be lost
    assert statuses(got) == {"ref2": "read", "ref3": "read"}


def test_salvage_gets_documents_newer_than_the_backup(path: Path) -> None:
    lib = make_library(path)
    extra = [Work(kind="related", n=i, title=f"Related {i}") for i in range(1, 6)]
    lib.import_review(lib.reviews()[0], lib.works() + extra)
    damage_garbage(path)  # breaks one document in the middle; the rest is readable
    result = recover(path)
    got = Library(result.into, import_shipped=False)
    ids = {w.local_id for w in got.works()}
    assert {f"rel{i}" for i in range(1, 6)} <= ids  # only in the damaged file
    assert len(ids) == 35  # ref9 itself comes from the backup
    assert any("salvaged" in s for s in result.sources)


def test_salvage_without_any_backup(path: Path) -> None:
    make_library(path)
    path.with_name("library.json.bak").unlink()
    raw = path.read_bytes()
    path.write_bytes(raw[: raw.index(b'"lin2025/ref20"')])  # cut off in the works table
    # the damaged file is refused and left alone
    with pytest.raises(StoreError, match="truncated"):
        Library(path, import_shipped=False)
    assert not diagnose(path).healthy
    got = Library(recover(path).into, import_shipped=False)
    assert [w.n for w in got.works()] == list(range(1, 20))


def test_damaged_state_file_with_change_log(path: Path, capsys, monkeypatch) -> None:
    lib = make_library(path)
    lib.set_status([lib.resolve("ref1")], "read")
    lib.set_note(lib.resolve("ref2"), "kept in the state file")
    monkeypatch.setattr(store, "APPEND_ABOVE", 0)  # later marks go to the change log
    lib.set_status([lib.resolve("ref3")], "reading")
    lib.set_status([lib.resolve("ref4")], "read")
    log = path.with_name("library.state.log")
    assert log.exists()
    side = state_path_for(path)
    raw = side.read_bytes()
    side.write_bytes(raw[: raw.rindex(b'"kept in the state file"') + 30])  # cut after the note
    before = all_bytes(path.parent)
    code, _, err = run(capsys, "--db", str(path), "list")
    assert code == 2 and "library.state.json is truncated" in err
    code, out, _ = run(capsys, "--db", str(path), "doctor")
    assert code == 1 and re.search(r"state\s+library.state.json: DAMAGED", out)
    assert re.search(r"change log\s+library.state.log: ok, 2 changes", out)
    code, out, _ = run(capsys, "--db", str(path), "doctor", "--recover")
    assert code == 0 and "library.state.log (2 changes)" in out
    assert all_bytes(path.parent).items() >= before.items()
    got = Library(Path(re.search(r"into (\S+\.json) ", out)[1]), import_shipped=False)
    assert statuses(got) == {"ref1": "read", "ref3": "reading", "ref4": "read"}
    assert got.state(got.resolve("ref2")).note == "kept in the state file"


def test_damaged_line_in_change_log(path: Path, monkeypatch) -> None:
    monkeypatch.setattr(store, "APPEND_ABOVE", 0)
    lib = make_library(path)
    lib.set_status([lib.resolve("ref1")], "read")  # first write of the state file
    for i in (2, 3, 4):
        lib.set_status([lib.resolve(f"ref{i}")], "read")
    log = path.with_name("library.state.log")
    lines = log.read_bytes().splitlines(keepends=True)
    lines[2] = b"{not json\n"  # the entry of ref3
    log.write_bytes(b"".join(lines))
    with pytest.raises(StoreError, match="library.state.log is damaged"):
        Library(path, import_shipped=False)
    report = diagnose(path)
    assert not report.healthy and "library.state.log" in report.problems()[0]
    got = Library(recover(path).into, import_shipped=False)
    assert statuses(got) == {"ref1": "read", "ref2": "read", "ref4": "read"}


def test_missing_library_file_with_backup(path: Path, capsys) -> None:
    lib = make_library(path)
    lib.set_status([lib.resolve("ref5")], "read")
    path.unlink()  # deleted by mistake: starting afresh would overwrite the backup
    before = all_bytes(path.parent)
    code, _, err = run(capsys, "--db", str(path), "list")
    assert code == 2 and "library.json is missing but its backup" in err and "doctor" in err
    assert all_bytes(path.parent) == before and not path.exists()
    assert "library.json is missing" in diagnose(path).problems()[0]
    got = Library(recover(path).into, import_shipped=False)
    assert len(got.works()) == 30 and statuses(got) == {"ref5": "read"}


def test_recover_into_a_given_file_never_overwrites(path: Path, tmp_path: Path) -> None:
    make_library(path)
    damage_truncate(path)
    into = tmp_path / "elsewhere" / "new.json"
    result = recover(path, into)
    assert result.into == into and into.exists() and state_path_for(into).exists()
    with pytest.raises(StoreError, match="exists already"):
        recover(path, into)


def test_nothing_to_recover_is_a_clear_error(path: Path, capsys) -> None:
    path.write_bytes(b"\x00\x01 not a database")
    code, _, err = run(capsys, "--db", str(path), "doctor", "--recover")
    assert code == 2 and "nothing could be recovered" in err and str(path) in err
    assert path.read_bytes() == b"\x00\x01 not a database"


def test_format0_file_is_reported_as_convertible(path: Path) -> None:
    from tests.unit.test_store import write_format0

    write_format0(path)
    report = diagnose(path)
    assert report.healthy
    assert "format 0" in report.files[0].line()
    got = Library(recover(path, path.with_name("new.json")).into, import_shipped=False)
    assert len(got.works()) == 3 and got.get_pref("style") == "apa"


def test_salvage_documents_reads_what_is_whole() -> None:
    text = (
        b'{"meta": {"db": {"format": 1}}, "works": {"a/ref1": {"n": 1, "extra": {"x": 1}}, '
        b'"a/ref2": {"n": 2, "title": "cut \x00 \xff}}}, "a/ref3": {"n": 3}, "a/ref4": {"n": '
    )
    got = salvage_documents(text)
    assert got["meta"] == {"db": {"format": 1}}
    assert got["works"]["a/ref1"] == {"n": 1, "extra": {"x": 1}}
    assert got["works"]["a/ref3"] == {"n": 3}
    assert "a/ref4" not in got["works"]
