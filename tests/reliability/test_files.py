"""File-system safety of the database and of exports (issue 9, items 1, 3-7, 13):
empty files are damage, backups are never made worse and are kept in generations,
symlinks are written through, streams are written to, side files belong to one
library and take its permissions, nothing we create follows a planted symlink,
and nothing is read before its size is checked."""

from __future__ import annotations

import os
import resource
import stat
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest

from tui import storage, store
from tui.cli import main
from tui.doctor import recover
from tui.errors import StoreError
from tui.model import Review, Work
from tui.storage import OrjsonStorage, dated_backups
from tui.store import Library, state_path_for

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60  # seconds a subprocess may take before it counts as hanging


def make_library(path: Path, n: int = 5) -> Library:
    lib = Library(path, import_shipped=False)
    works = [
        Work(kind="reference", n=i, title=f"Title {i}", doi=f"10.1/{i}") for i in range(1, n + 1)
    ]
    lib.import_review(Review(key="lin2025", title_en="A review"), works)
    return lib


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_limited(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    """The CLI in a child limited to 1 GiB of memory: a test of "never read into
    memory" must not take the machine's memory when it fails."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    env = {k: v for k, v in os.environ.items() if k != "READINGLIST_DB"}
    return subprocess.run(
        [sys.executable, "-m", "tui", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT,
        preexec_fn=limit,
    )


def device(folder: Path, name: str) -> Path:
    """A private copy of /dev/null or /dev/zero (mknod needs root): a test that fails
    must not replace the machine's own /dev/null."""
    numbers = {"null": (1, 3), "zero": (1, 5)}[name]
    node = folder / name
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(*numbers))
    except (OSError, AttributeError):
        pytest.skip("cannot create a device node here (needs root)")
    return node


class Clock:
    """storage._utcnow, moved on by hand (dated backups are at most one an hour)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 6, 1, 45, 12, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, hours: float) -> None:
        self.now += timedelta(hours=hours)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(storage, "_utcnow", c)
    return c


# --- 1. empty files are damage; backups never get worse; generations ------------------


def test_empty_library_stops_every_command_and_keeps_the_backup(tmp_path, capsys) -> None:
    path = tmp_path / "library.json"
    make_library(path).close()
    backup = path.with_name("library.json.bak")
    before = backup.read_bytes()
    path.write_bytes(b"")
    code, out, err = run(capsys, "--db", str(path), "list")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "library.json is empty" in err
    assert path.read_bytes() == b"" and backup.read_bytes() == before


def test_empty_state_file_stops_a_mark_and_keeps_the_state_backup(tmp_path, capsys) -> None:
    path = tmp_path / "library.json"
    lib = make_library(path)
    lib.set_status([lib.resolve("ref1")], "read")
    lib.set_status([lib.resolve("ref2")], "read")
    lib.close()
    side = state_path_for(path)
    side_bak = side.with_name(side.name + ".bak")
    before = side_bak.read_bytes()
    side.write_bytes(b"")
    code, _, err = run(capsys, "--db", str(path), "mark", "ref3", "read")
    assert code == 2 and "library.state.json is empty" in err and err.count("\n") == 1
    assert side.read_bytes() == b"" and side_bak.read_bytes() == before


@pytest.mark.parametrize("name", ["library.json", "library.state.json", "library.state.log"])
def test_doctor_reports_an_empty_file_as_a_problem(tmp_path, capsys, monkeypatch, name) -> None:
    monkeypatch.setattr(store, "APPEND_ABOVE", 0)  # marks go to the change log
    path = tmp_path / "library.json"
    lib = make_library(path)
    lib.set_status([lib.resolve("ref1")], "read")
    lib.set_status([lib.resolve("ref2")], "read")
    assert path.with_name("library.state.log").exists()
    (tmp_path / name).write_bytes(b"")
    code, out, _ = run(capsys, "--db", str(path), "doctor")
    assert code == 1 and "no problems found" not in out
    assert f"{name}: DAMAGED: is empty" in out


@pytest.mark.parametrize("damage", [b"", b'{"a": {"1": {"v"'])
def test_a_backup_is_never_replaced_by_a_worse_file(tmp_path, damage) -> None:
    path = tmp_path / "db.json"
    first = OrjsonStorage(path)
    first.write({"a": {"1": {"v": 1}}})
    first.write({"a": {"1": {"v": 2}}})
    backup = tmp_path / "db.json.bak"
    good = backup.read_bytes()
    path.write_bytes(damage)  # damaged in place behind our back
    OrjsonStorage(path).write({"a": {"1": {"v": 3}}})
    assert backup.read_bytes() == good


def test_dated_backups_keep_the_last_generations(tmp_path, clock) -> None:
    path = tmp_path / "db.json"
    db = OrjsonStorage(path)
    for v in range(1, 10):
        clock.advance(2)
        db.write({"a": {"1": {"v": v}}})
    dated = dated_backups(path)
    assert len(dated) == storage.BACKUP_GENERATIONS
    # newest first: the versions rotated out by the last five writes (8, 7, 6, 5, 4)
    assert [orjson.loads(p.read_bytes())["a"]["1"]["v"] for p in dated] == [8, 7, 6, 5, 4]
    assert dated[0].name == "db.json.bak-20261206T194512Z"
    # within the hour, no new generation: a burst of marks does not push out old ones
    for v in range(10, 14):
        db.write({"a": {"1": {"v": v}}})
    assert dated_backups(path) == dated


def test_library_missing_with_only_a_dated_backup_is_refused(tmp_path, clock) -> None:
    path = tmp_path / "library.json"
    lib = make_library(path)
    clock.advance(2)
    lib.set_status([lib.resolve("ref1")], "read")
    clock.advance(2)
    lib.import_review(Review(key="b", title_en="B"), [Work(kind="reference", n=1, title="x")])
    lib.close()
    assert dated_backups(path)
    path.unlink()
    path.with_name("library.json.bak").unlink()
    with pytest.raises(StoreError, match=r"missing but its backup library.json.bak-"):
        Library(path)


def test_recover_uses_older_generations_when_the_bak_is_bad(tmp_path, clock, capsys) -> None:
    path = tmp_path / "library.json"
    lib = make_library(path, n=7)
    clock.advance(2)
    lib.set_status([lib.resolve("ref1")], "read")
    clock.advance(2)
    lib.import_review(
        Review(key="other", title_en="Other"), [Work(kind="reference", n=1, title="x")]
    )
    clock.advance(2)
    lib.set_status([lib.resolve("ref2")], "read")
    lib.close()
    assert dated_backups(path) and dated_backups(state_path_for(path))
    path.write_bytes(b"")  # the library, its .bak and the state's .bak are gone
    path.with_name("library.json.bak").write_bytes(b"")
    side_bak = state_path_for(path).with_name("library.state.json.bak")
    side_bak.write_bytes(b"{")
    code, out, _ = run(capsys, "--db", str(path), "doctor")
    assert code == 1 and "library.json.bak-" in out
    result = recover(path, tmp_path / "rec.json")
    assert result.reviews == 1 and result.works == 7  # as the dated backup holds it
    assert any("library.json.bak-" in s for s in result.sources)


# --- 3. symlinks are written through -------------------------------------------------


def test_db_symlink_is_written_through_beside_its_target(tmp_path, capsys) -> None:
    synced, data = tmp_path / "synced", tmp_path / "data"
    synced.mkdir()
    data.mkdir()
    target = synced / "library.json"
    make_library(target).close()
    link = data / "library.json"
    link.symlink_to(target)
    code, _, err = run(capsys, "--db", str(link), "mark", "ref1", "read")
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert sorted(p.name for p in data.iterdir()) == ["library.json"]  # nothing beside the link
    assert (synced / "library.state.json").exists() and (synced / "library.json.lock").exists()
    assert Library(target).state(Library(target).resolve("ref1")).status == "read"
    code, _, _ = run(capsys, "--db", str(link), "import", str(ROOT / "tests/fixtures/zotero.bib"))
    assert link.is_symlink()
    assert len(Library(target).reviews()) == 2


def test_export_to_a_symlink_writes_its_target(tmp_path, capsys) -> None:
    path = tmp_path / "library.json"
    make_library(path).close()
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    target = tmp_path / "refs.bib"
    target.write_text("old\n")
    link = thesis / "refs.bib"
    link.symlink_to(target)
    code, _, err = run(capsys, "--db", str(path), "export", "--format", "bibtex", "-o", str(link))
    assert code == 0, err
    assert link.is_symlink() and "Title 1" in target.read_text()
    assert sorted(p.name for p in thesis.iterdir()) == ["refs.bib"]


# --- 4. special files --------------------------------------------------------------


def test_export_to_a_fifo_streams_to_its_reader(tmp_path, capsys) -> None:
    path = tmp_path / "library.json"
    make_library(path).close()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as fh:
            got.append(fh.read())

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    code, _, err = run(capsys, "--db", str(path), "export", "--format", "bibtex", "-o", str(fifo))
    t.join(WAIT)
    assert code == 0, err
    assert got and b"Title 1" in got[0]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_export_to_dev_null_keeps_the_device(tmp_path, capsys) -> None:
    path = tmp_path / "library.json"
    make_library(path).close()
    null = device(tmp_path, "null")
    code, _, err = run(capsys, "--db", str(path), "export", "-o", str(null))
    assert code == 0, err
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".null.")]


def test_export_dash_is_stdout(tmp_path, capsys, monkeypatch) -> None:
    path = tmp_path / "library.json"
    make_library(path).close()
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "--db", str(path), "export", "--format", "bibtex", "-o", "-")
    assert code == 0 and "Title 1" in out and not (tmp_path / "-").exists()


@pytest.mark.parametrize("command", ["list", "doctor"])
@pytest.mark.parametrize("special", ["fifo", "zero", "null"])
def test_db_that_is_not_a_regular_file_is_refused(tmp_path, command, special) -> None:
    if special == "fifo":
        special = str(tmp_path / "lib.fifo")
        os.mkfifo(special)
    else:
        special = str(device(tmp_path, special))
    proc = run_limited("--db", special, command, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "not a database file" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert os.path.exists(special) and not stat.S_ISREG(os.stat(special).st_mode)


# --- 13. sizes are checked before reading ---------------------------------------------


@pytest.mark.parametrize("which", ["library.json", "library.state.json"])
@pytest.mark.parametrize("command", ["list", "doctor"])
def test_a_huge_file_is_never_read_into_memory(tmp_path, which, command) -> None:
    path = tmp_path / "library.json"
    lib = make_library(path)
    lib.set_status([lib.resolve("ref1")], "read")
    lib.close()
    huge = tmp_path / which
    with open(huge, "r+b") as fh:  # sparse: 2 GiB that take no disk
        fh.truncate(2 << 30)
    proc = run_limited("--db", str(path), command, cwd=tmp_path)
    assert "Traceback" not in proc.stderr and "MemoryError" not in proc.stderr
    assert "too big" in proc.stderr + proc.stdout
    if command == "list":
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    else:
        assert proc.returncode == 1
    assert huge.stat().st_size == 2 << 30


# --- 5. side files follow the whole file name ---------------------------------------


def test_two_library_names_do_not_share_a_state_file(tmp_path) -> None:
    a, b = tmp_path / "reading.json", tmp_path / "reading.db"
    assert state_path_for(a) != state_path_for(b)
    lib_a = make_library(a)
    lib_a.set_status([lib_a.resolve("ref1")], "read")
    lib_b = make_library(b)
    assert lib_b.state(lib_b.resolve("ref1")).status == "unread"
    lib_b.set_status([lib_b.resolve("ref2")], "reading")
    lib_a.close()
    lib_b.close()
    again = Library(a)
    assert again.state(again.resolve("ref2")).status == "unread"
    assert again.state(again.resolve("ref1")).status == "read"


def test_state_path_names() -> None:
    assert state_path_for(Path("/x/library.json")) == Path("/x/library.state.json")
    assert state_path_for(Path("/x/reading.db")) == Path("/x/reading.db-state.json")
    assert state_path_for(Path("/x/mylib")) == Path("/x/mylib-state.json")
    assert state_path_for(Path("/x/reading.db.json")) != state_path_for(Path("/x/reading.db"))


def test_an_existing_library_with_the_old_state_name_is_migrated(tmp_path) -> None:
    path = tmp_path / "reading.db"
    lib = make_library(path)
    lib.set_status([lib.resolve("ref1")], "read")
    lib.close()
    # as an older version left it: reading.state.json (and its backup)
    new = state_path_for(path)
    old = tmp_path / "reading.state.json"
    new.rename(old)
    new.with_name(new.name + ".bak").rename(tmp_path / "reading.state.json.bak")
    lib = Library(path)
    assert lib.state(lib.resolve("ref1")).status == "read"
    assert new.exists() and not old.exists()
    assert (tmp_path / "reading.db-state.json.bak").exists()
    assert any("reading.state.json was renamed reading.db-state.json" in n for n in lib.notices)


def test_an_ambiguous_old_state_file_is_left_for_both(tmp_path) -> None:
    """reading.json owns reading.state.json; reading.db (which shared it) starts its
    own state file, says so, and the shared file is not touched."""
    a = tmp_path / "reading.json"
    lib_a = make_library(a)
    lib_a.set_status([lib_a.resolve("ref1")], "read")
    lib_a.close()
    b = tmp_path / "reading.db"
    make_library(b).close()  # as an older version left it: no state file of its own
    assert not state_path_for(b).exists()
    shared = (tmp_path / "reading.state.json").read_bytes()
    lib_b = Library(b)
    assert any("reading.state.json" in n and "reading.json" in n for n in lib_b.notices)
    assert (tmp_path / "reading.state.json").read_bytes() == shared


# --- 6. nothing we create follows a planted symlink -----------------------------------


def test_recover_into_refuses_a_planted_symlink(tmp_path, capsys) -> None:
    path = tmp_path / "library.json"
    make_library(path).close()
    path.write_bytes(b"{")
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "rec.json.bak").symlink_to(victim)
    code, _, err = run(
        capsys, "--db", str(path), "doctor", "--recover", "--into", str(out_dir / "rec.json")
    )
    assert code == 2 and "rec.json.bak exists already" in err
    assert victim.read_bytes() == b"precious"


def test_recover_into_never_writes_through_a_symlink_at_a_temporary_name(tmp_path) -> None:
    path = tmp_path / "library.json"
    make_library(path).close()
    path.write_bytes(b"{")
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for name in ("rec.json", "rec.state.json"):  # the names older versions used
        (out_dir / f".{name}.bak.{os.getpid()}.tmp").symlink_to(victim)
    recover(path, out_dir / "rec.json")
    assert victim.read_bytes() == b"precious"
    assert Library(out_dir / "rec.json").works()


def test_a_planted_dangling_symlink_at_the_output_is_refused(tmp_path) -> None:
    path = tmp_path / "library.json"
    make_library(path).close()
    path.write_bytes(b"{")
    into = tmp_path / "rec.json"
    into.symlink_to(tmp_path / "nowhere")
    with pytest.raises(StoreError, match="exists already"):
        recover(path, into)
    assert not (tmp_path / "nowhere").exists()


# --- 7. side files take the library's permissions --------------------------------------


def test_side_files_take_the_mode_of_the_library(tmp_path, monkeypatch, clock) -> None:
    old = os.umask(0o022)
    try:
        made = tmp_path / "made"
        made.mkdir()
        make_library(made / "library.json").close()
        folder = tmp_path / "private"
        folder.mkdir()
        path = folder / "library.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, (made / "library.json").read_bytes())
        os.close(fd)
        monkeypatch.setattr(store, "APPEND_ABOVE", 0)  # the second mark goes to the log
        lib = Library(path)
        lib.set_status([lib.resolve("ref1")], "read")
        clock.advance(2)
        lib.set_status([lib.resolve("ref2")], "read")
        clock.advance(2)
        lib.import_review(Review(key="b", title_en="B"), [Work(kind="reference", n=1, title="x")])
        lib.set_status([lib.resolve("ref3")], "read")
        modes = {p.name: stat.S_IMODE(os.lstat(p).st_mode) for p in folder.iterdir()}
        lib.close()
        expected = {"library.state.json", "library.state.log", "library.json.lock"}
        assert expected | {"library.json.bak", "library.state.json.bak"} <= modes.keys()
        assert any(n.startswith("library.json.bak-") for n in modes)
        assert modes == dict.fromkeys(modes, 0o600), modes
    finally:
        os.umask(old)


def test_the_change_log_takes_the_mode_of_the_library(tmp_path, monkeypatch) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "library.json"
        lib = make_library(path)
        os.chmod(path, 0o600)
        monkeypatch.setattr(store, "APPEND_ABOVE", 0)
        lib.set_status([lib.resolve("ref1")], "read")  # creates the state file
        lib.set_status([lib.resolve("ref2")], "read")  # appended to the log
        log = tmp_path / "library.state.log"
        assert log.exists()
        assert stat.S_IMODE(log.stat().st_mode) == 0o600
        assert stat.S_IMODE(state_path_for(path).stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_format0_conversion_never_writes_through_a_planted_symlink(tmp_path) -> None:
    from tests.unit.test_store import write_format0

    path = tmp_path / "library.json"
    write_format0(path)
    original = path.read_bytes()
    victim = tmp_path / "victim"
    (tmp_path / "library.json.format0").symlink_to(victim)  # dangling: exists() is False
    lib = Library(path)
    assert lib.works()
    assert not victim.exists()
    assert (tmp_path / "library.json.format0.2").read_bytes() == original
