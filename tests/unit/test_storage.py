"""The atomic orjson TinyDB storage (tui/storage.py)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tinydb.table import Document

from tui.errors import StoreError
from tui.storage import OrjsonStorage, check_shape, open_db


def test_tables_round_trip_and_file_is_readable_utf8(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    db = open_db(path)
    db.table("works").insert(Document({"title": "干细胞治疗硬皮病", "n": 1}, doc_id="a/ref1"))
    db.close()
    raw = path.read_bytes()
    assert "干细胞治疗硬皮病".encode() in raw  # UTF-8 as is, no \\uXXXX escapes
    assert b"\\u" not in raw
    assert orjson.loads(raw) == {"works": {"a/ref1": {"title": "干细胞治疗硬皮病", "n": 1}}}
    again = open_db(path)
    assert again.table("works").get(doc_id="a/ref1") == {"title": "干细胞治疗硬皮病", "n": 1}


def test_keyed_table_operations_use_string_ids(tmp_path: Path) -> None:
    t = open_db(tmp_path / "db.json").table("state")
    t.insert_multiple([Document({"s": 1}, doc_id="doi:x"), Document({"s": 2}, doc_id="id:r/ref2")])
    assert t.update({"s": 3}, doc_ids=["doi:x", "missing"]) == ["doi:x"]
    t.upsert(Document({"s": 4}, doc_id="pmid:1"))
    assert t.remove(doc_ids=["id:r/ref2"]) == ["id:r/ref2"]
    assert {d.doc_id: d["s"] for d in t.all()} == {"doi:x": 3, "pmid:1": 4}
    with pytest.raises(ValueError):
        t.insert(Document({"s": 5}, doc_id="doi:x"))  # ids stay unique


def test_batch_writes_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = open_db(tmp_path / "db.json")
    replaced = []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (replaced.append(b), real(a, b)))
    with db.storage.batch():
        db.table("a").insert(Document({"x": 1}, doc_id="1"))
        db.table("b").insert(Document({"y": 2}, doc_id="2"))
        db.table("a").remove(doc_ids=["1"])
    targets = [Path(p).name for p in replaced]
    assert targets.count("db.json") == 1
    assert orjson.loads((tmp_path / "db.json").read_bytes()) == {"a": {}, "b": {"2": {"y": 2}}}


def test_failed_batch_writes_nothing_and_forgets_its_edits(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    db = open_db(path)
    db.table("a").insert(Document({"x": 1}, doc_id="1"))
    before = path.read_bytes()
    with pytest.raises(RuntimeError), db.storage.batch():
        db.table("a").update({"x": 99}, doc_ids=["1"])
        raise RuntimeError("boom")
    assert path.read_bytes() == before
    assert db.table("a").get(doc_id="1") == {"x": 1}  # not the half-done 99


def test_crash_before_replace_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "db.json"
    db = open_db(path)
    db.table("a").insert(Document({"x": 1}, doc_id="1"))
    before = path.read_bytes()

    def crash(src, dst):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(StoreError, match="db.json"):
        db.table("a").insert(Document({"x": 2}, doc_id="2"))
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert open_db(path).table("a").get(doc_id="2") is None
    assert db.table("a").get(doc_id="2") is None  # the cache forgot the failed insert


def test_backup_is_previous_version(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    db = open_db(path)
    db.table("a").insert(Document({"v": 1}, doc_id="1"))
    first = path.read_bytes()
    db.table("a").update({"v": 2}, doc_ids=["1"])
    assert (tmp_path / "db.json.bak").read_bytes() == first
    assert orjson.loads(path.read_bytes())["a"]["1"]["v"] == 2


def test_reads_are_cached_until_another_writer_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    mine = OrjsonStorage(path)
    mine.write({"a": {"1": {"v": 1}}})
    gen = mine.generation
    assert mine.read() == {"a": {"1": {"v": 1}}}
    assert mine.generation == gen and not mine.changed_on_disk()
    other = OrjsonStorage(path)
    other.write({"a": {"1": {"v": 2}}})
    assert mine.changed_on_disk()
    assert mine.read() == {"a": {"1": {"v": 2}}}
    assert mine.generation == gen + 1


def test_release_drops_data_and_rereads_without_new_generation(tmp_path: Path) -> None:
    s = OrjsonStorage(tmp_path / "db.json")
    s.write({"a": {"1": {"v": 1}}})
    s.read()
    gen = s.generation
    s.release()
    assert s._data is None
    assert s.read() == {"a": {"1": {"v": 1}}}
    assert s.generation == gen


@pytest.mark.parametrize(
    "content, words",
    [
        (b'{"a": {"1": {"v": 1}', "truncated"),
        (b'{"a": {"1": {"v": "a long str', "truncated"),  # cut inside a string
        (b'{"a": {"1": {"v": 12', "truncated"),  # inside a number
        (b"hello, I am not JSON", "not valid JSON"),
        (b"[1, 2, 3]", "JSON array"),
        (b'{"a": [1, 2]}', "table 'a'"),
        (b'{"a": {"1": 5}}', "table 'a'"),
    ],
)
def test_damaged_file_is_a_clear_error_and_left_alone(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "db.json"
    path.write_bytes(content)
    db = open_db(path)
    with pytest.raises(StoreError) as err:
        db.table("a").insert(Document({"v": 1}, doc_id="9"))
    msg = str(err.value)
    assert str(path) in msg and words in msg and "\n" not in msg
    assert path.read_bytes() == content


def test_empty_file_is_damage_not_an_empty_database(tmp_path: Path) -> None:
    """We never write an empty file: one is what a crash or a full disk leaves."""
    path = tmp_path / "db.json"
    path.write_bytes(b"")
    with pytest.raises(StoreError, match="db.json is empty"):
        OrjsonStorage(path).read()
    assert path.read_bytes() == b""


def test_check_shape_accepts_tinydb_layout(tmp_path: Path) -> None:
    check_shape({"_default": {}, "t": {"1": {"a": [1]}}}, tmp_path / "x")


def test_new_file_follows_umask_and_existing_mode_is_kept(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        s = OrjsonStorage(tmp_path / "db.json")
        s.write({})
        assert (tmp_path / "db.json").stat().st_mode & 0o777 == 0o644
        os.chmod(tmp_path / "db.json", 0o600)
        s.write({"a": {}})
        assert (tmp_path / "db.json").stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)


def test_missing_folders_are_created(tmp_path: Path) -> None:
    path = tmp_path / "x" / "y" / "db.json"
    OrjsonStorage(path).write({"a": {}})
    assert orjson.loads(path.read_bytes()) == {"a": {}}


def test_folder_that_cannot_be_created_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot"):
        OrjsonStorage(blocker / "sub" / "db.json").write({})


def test_write_is_fsynced_renamed_then_the_folder_fsynced(tmp_path: Path, monkeypatch) -> None:
    """The order that makes a write durable: data on disk before the rename, and the
    rename itself on disk (the folder's fsync) before the write is reported done."""
    path = tmp_path / "db.json"
    db = open_db(path)
    db.table("a").insert(Document({"v": 1}, doc_id="1"))
    events: list[tuple] = []
    names: dict[int, str] = {}
    real_open, real_fsync, real_replace = os.open, os.fsync, os.replace

    def spy_open(file, flags, *args, **kw):
        fd = real_open(file, flags, *args, **kw)
        names[fd] = "folder" if Path(file) == tmp_path else Path(file).name
        return fd

    def spy_fsync(fd):
        events.append(("fsync", names.get(fd, "tmp")))
        return real_fsync(fd)

    def spy_replace(src, dst):
        events.append(("replace", Path(src).name, Path(dst).name))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "open", spy_open)
    monkeypatch.setattr(os, "fsync", spy_fsync)
    monkeypatch.setattr(os, "replace", spy_replace)
    db.table("a").insert(Document({"v": 2}, doc_id="2"))
    monkeypatch.undo()
    main = [e for e in events if e[0] == "fsync" or e[2] == "db.json"]
    assert main[0][0] == "fsync" and main[0][1].endswith(".tmp")  # the new data first
    assert main[1][0] == "replace" and main[1][1].endswith(".tmp")
    assert main[2] == ("fsync", "folder")  # then the rename is made durable


def test_first_version_is_its_own_backup(tmp_path: Path) -> None:
    """A file written once (a library after its first import) has a backup too, and
    it is a copy: damage done to the file in place does not reach it."""
    path = tmp_path / "db.json"
    db = open_db(path)
    db.table("a").insert(Document({"v": 1}, doc_id="1"))
    backup = tmp_path / "db.json.bak"
    assert backup.read_bytes() == path.read_bytes()
    assert os.stat(backup).st_ino != os.stat(path).st_ino
    with open(path, "r+b") as fh:  # damaged in place (an editor, a sync tool)
        fh.truncate(5)
    assert orjson.loads(backup.read_bytes()) == {"a": {"1": {"v": 1}}}


def test_first_write_keeps_an_older_backup(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    backup = tmp_path / "db.json.bak"
    backup.write_bytes(b'{"a": {"1": {"v": "old"}}}')
    open_db(path).table("a").insert(Document({"v": 1}, doc_id="1"))
    assert backup.read_bytes() == b'{"a": {"1": {"v": "old"}}}'


# --- the library file's layout: one document per line ------------------------------


def test_library_file_is_one_document_per_line_and_state_file_stays_indented(
    tmp_path: Path,
) -> None:
    from tui.model import Review, Work
    from tui.store import Library

    path = tmp_path / "library.json"
    lib = Library(path, import_shipped=False)
    works = [
        Work(kind="reference", n=i, title=f"T{i}", extra={"k": [i, {"x": "é"}]}) for i in (1, 2, 3)
    ]
    lib.import_review(Review(key="r", title_en="R"), works)
    lib.set_pref("style", "apa")
    lines = path.read_bytes().splitlines()
    # each work is one line of its own, a JSON object keyed by its id
    for w in works:
        line = next(x for x in lines if x.startswith(f'"{w.id}":'.encode()))
        assert orjson.loads(b"{" + line.rstrip(b",") + b"}")[w.id]["title"] == w.title
    assert len(lines) < 15  # no line per field, as an indented file has
    assert orjson.loads(path.read_bytes())["works"]["r/ref2"]["extra"] == {"k": [2, {"x": "é"}]}
    state = (tmp_path / "library.state.json").read_bytes()
    assert b'\n  "prefs": {' in state  # indented, as it always was


def test_an_indented_library_file_still_loads_and_is_written_in_lines(tmp_path: Path) -> None:
    from tui.model import Review, Work
    from tui.store import Library

    path = tmp_path / "library.json"
    lib = Library(path, import_shipped=False)
    lib.import_review(Review(key="r", title_en="R"), [Work(kind="reference", n=1, title="T")])
    lib.close()
    data = orjson.loads(path.read_bytes())
    path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))  # as older versions wrote
    lib = Library(path, import_shipped=False)
    assert [w.title for w in lib.works()] == ["T"]
    lib.import_review(Review(key="s", title_en="S"), [Work(kind="reference", n=1, title="U")])
    assert b'\n"s/ref1":{' in path.read_bytes()
    assert orjson.loads(path.read_bytes())["works"]["r/ref1"] == data["works"]["r/ref1"]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(), st.dictionaries(st.text(), _JSON, max_size=4), max_size=3))
def test_lines_layout_is_the_same_json(data) -> None:
    from tui.storage import dump

    raw = b"".join(dump(data, "lines"))
    assert orjson.loads(raw) == data
    assert raw.endswith(b"}\n")


def test_lines_layout_refuses_what_json_cannot_hold(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    storage = OrjsonStorage(path, layout="lines")
    for bad in ({"t": {1: {}}}, {"t": {"a": {"x": object()}}}):
        with pytest.raises(StoreError, match="cannot be stored as JSON"):
            storage.write(bad)
    assert not path.exists()
    with pytest.raises(ValueError):
        OrjsonStorage(path, layout="compact")
