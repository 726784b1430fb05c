"""What the adversarial re-trial of issue 9 (Reliability II) still found (F1-F9, W1,
W3, W5-W7 in its notes): read-only libraries, files without our meta, write-through
of a symlinked state file, the modes of recovered and temporary files, read-only and
block-device export targets, damaged backups in `doctor`, the order of the filter
check, and the import's collection title through a symlink.

The tests run as root on the test machine: device nodes are made with mknod in the
test's own folder, and "not allowed to write" is simulated (os.access) as well as
run for real under `setpriv` as nobody where that is possible."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tui.cli import main
from tui.model import Review, Work
from tui.store import Library, state_path_for

ROOT = Path(__file__).resolve().parents[2]


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


def deny_writing(monkeypatch, *paths: Path) -> None:
    """Behave as a user who may not write `paths` (the tests run as root, who may)."""
    denied = {os.path.realpath(p) for p in paths}
    real = os.access

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and os.path.realpath(path) in denied:
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


def as_nobody(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    """The CLI run as user nobody (root's permission override dropped), or a skip."""
    setpriv = shutil.which("setpriv")
    if setpriv is None or os.geteuid() != 0:
        pytest.skip("needs root and setpriv to run as another user")
    cmd = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    probe = subprocess.run(
        [*cmd, sys.executable, "-c", "import tui"], cwd=ROOT, capture_output=True
    )
    if probe.returncode:
        pytest.skip("cannot run the code as nobody here")
    env = {k: v for k, v in os.environ.items() if k != "READINGLIST_DB"}
    env["HOME"] = str(cwd)
    return subprocess.run(
        [*cmd, sys.executable, "-m", "tui", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def shared_dir():
    """A folder user nobody may write (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="rl-retrial-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# --- F2: a read-only library is read, and writes are refused in one line ------------------

READING = [["list"], ["reviews"], ["stats"], ["cite", "ref1"], ["export"], ["review", "lin2025"]]


@pytest.mark.parametrize("mode", [0o444, 0o400])
def test_a_read_only_library_can_be_read(tmp_path, capsys, mode) -> None:
    path = tmp_path / "library.json"
    make_library(path).close()
    path.chmod(mode)
    for argv in READING:
        code, out, err = run(capsys, "--db", str(path), *argv)
        assert code == 0 and out, (argv, err)
    lock = path.with_name("library.json.lock")
    assert stat.S_IMODE(lock.stat().st_mode) & 0o600 == 0o600 or not lock.exists()


def test_a_library_we_may_not_write_refuses_writes_in_one_line(
    tmp_path, capsys, monkeypatch
) -> None:
    path = tmp_path / "library.json"
    make_library(path).close()
    before = path.read_bytes(), path.stat().st_ino
    deny_writing(monkeypatch, path)
    for argv in READING:
        code, out, err = run(capsys, "--db", str(path), *argv)
        assert code == 0 and out, (argv, err)
    for argv in (["mark", "ref1", "read"], ["note", "ref1", "hi"]):
        code, out, err = run(capsys, "--db", str(path), *argv)
        assert code == 2 and out == "" and err.count("\n") == 1
        assert "read-only" in err and "Traceback" not in err
    assert (path.read_bytes(), path.stat().st_ino) == before
    assert not state_path_for(path).exists()
    lib = Library(path)
    assert lib.read_only
    from tui.app.app import ReadingListApp

    assert "read-only" in ReadingListApp(lib).save_state_warning()
    lib.close()


def test_an_empty_read_only_library_is_not_filled_with_the_shipped_review(
    tmp_path, monkeypatch
) -> None:
    path = tmp_path / "library.json"
    Library(path, import_shipped=False)._bib.write_review("x", None, [], {})
    before = path.read_bytes()
    deny_writing(monkeypatch, path)
    lib = Library(path)
    assert lib.reviews() == [] and lib.read_only
    lib.close()
    assert path.read_bytes() == before


def test_a_read_only_library_for_real_as_another_user(shared_dir) -> None:
    path = shared_dir / "library.json"
    made = as_nobody("--db", str(path), "list", cwd=shared_dir)
    assert made.returncode == 0, made.stderr
    path.chmod(0o444)
    before = path.read_bytes()
    for argv in READING:
        done = as_nobody("--db", str(path), *argv, cwd=shared_dir)
        assert done.returncode == 0 and done.stdout, (argv, done.stderr)
    done = as_nobody("--db", str(path), "mark", "ref1", "read", cwd=shared_dir)
    assert done.returncode == 2 and "read-only" in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == 0o444


# --- F1: a file without our meta is damage, never an empty library ----------------------

NOT_OURS = [b"{}\n", b'{"_default": {}}\n', b'{"reviews": {}, "works": {}}\n']


@pytest.mark.parametrize("content", NOT_OURS)
def test_a_library_without_meta_stops_even_a_reading_command(tmp_path, capsys, content) -> None:
    path = tmp_path / "library.json"
    lib = make_library(path)
    lib.set_status([lib.resolve("ref1")], "read")
    lib.close()
    backup = path.with_name("library.json.bak")
    kept = backup.read_bytes()
    path.write_bytes(content)
    for argv in (["reviews"], ["list"], ["mark", "ref2", "read"]):
        code, out, err = run(capsys, "--db", str(path), *argv)
        assert code == 2 and out == "" and err.count("\n") == 1
        assert "library.json is not a readinglist database" in err
    assert path.read_bytes() == content and backup.read_bytes() == kept
    assert not list(tmp_path.glob("library.json.bak-*"))
    code, out, _ = run(capsys, "--db", str(path), "doctor")
    assert code == 1 and "library.json: DAMAGED" in out


@pytest.mark.parametrize("content", NOT_OURS[:2])
def test_a_state_file_without_meta_stops_a_mark_and_keeps_its_backup(
    tmp_path, capsys, content
) -> None:
    path = tmp_path / "library.json"
    lib = make_library(path)
    lib.set_status([lib.resolve("ref1")], "read")
    lib.set_status([lib.resolve("ref2")], "read")
    lib.close()
    side = state_path_for(path)
    side_bak = side.with_name(side.name + ".bak")
    kept = side_bak.read_bytes()
    side.write_bytes(content)
    code, _, err = run(capsys, "--db", str(path), "mark", "ref3", "read")
    assert code == 2 and "library.state.json is not a readinglist database" in err
    assert side.read_bytes() == content and side_bak.read_bytes() == kept


def test_storage_never_rotates_a_file_without_meta_into_the_backup(tmp_path) -> None:
    from tui.storage import OrjsonStorage

    path = tmp_path / "x.json"
    good = OrjsonStorage(path)
    good.write({"meta": {"1": {"format": 2, "schema": "state"}}, "state": {}})
    good.write({"meta": {"1": {"format": 2, "schema": "state"}}, "state": {"a": {}}})
    kept = path.with_name("x.json.bak").read_bytes()
    path.write_bytes(b"{}")
    OrjsonStorage(path).write({"meta": {"1": {"format": 2, "schema": "state"}}})
    assert path.with_name("x.json.bak").read_bytes() == kept


# --- F8: a symlinked state file is written through ---------------------------------------


def test_a_symlinked_state_file_is_written_through(tmp_path, capsys) -> None:
    path = tmp_path / "lib" / "library.json"
    path.parent.mkdir()
    lib = make_library(path)
    lib.set_status([lib.resolve("ref1")], "read")
    lib.close()
    side = state_path_for(path)
    elsewhere = tmp_path / "synced" / "state.json"
    elsewhere.parent.mkdir()
    side.rename(elsewhere)
    side.symlink_to(elsewhere)
    code, _, err = run(capsys, "--db", str(path), "mark", "ref2", "read")
    assert code == 0, err
    assert side.is_symlink() and side.resolve() == elsewhere
    assert b"10.1/2" in elsewhere.read_bytes()
    lib = Library(path)
    assert {lib.state(w).status for w in lib.works()[:2]} == {"read"}
    lib.close()
    assert not [p for p in elsewhere.parent.iterdir() if p.name.endswith(".tmp")]


def test_the_backup_of_a_symlinked_state_file_keeps_the_version_before_the_write(
    tmp_path, capsys
) -> None:
    """Re-trial N1: the backup was a hard link to the symlink itself, so it showed the
    live file (the previous version was nowhere) and a .tmp name was left behind."""
    path = tmp_path / "lib" / "library.json"
    path.parent.mkdir()
    lib = make_library(path)
    lib.set_status([lib.resolve("ref1")], "read")
    lib.close()
    side = state_path_for(path)
    elsewhere = tmp_path / "synced" / "state.json"
    elsewhere.parent.mkdir()
    side.rename(elsewhere)
    side.symlink_to(elsewhere)
    before = elsewhere.read_bytes()
    for ref in ("ref2", "ref3"):
        code, _, err = run(capsys, "--db", str(path), "mark", ref, "read")
        assert code == 0, err
        backup = side.with_name(side.name + ".bak")
        assert not backup.is_symlink() and backup.read_bytes() == before
        before = elsewhere.read_bytes()
    assert b"10.1/3" in elsewhere.read_bytes()
    leftovers = [p.name for p in side.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    code, out, _ = run(capsys, "--db", str(path), "doctor")
    assert code == 0 and "leftover" not in out


# --- F7: doctor --recover keeps private data private --------------------------------------


@pytest.mark.parametrize("into", [False, True])
def test_recovered_files_take_the_mode_of_the_library(tmp_path, capsys, into) -> None:
    path = tmp_path / "library.json"
    lib = make_library(path)
    lib.set_status([lib.resolve("ref1")], "read")
    lib.close()
    for p in tmp_path.iterdir():
        p.chmod(0o600)
    path.write_bytes(b'{"meta": {')  # damaged: recover from the backup
    old = os.umask(0o022)
    try:
        argv = ["--into", str(tmp_path / "out" / "rec.json")] if into else []
        if into:
            (tmp_path / "out").mkdir()
        code, out, err = run(capsys, "--db", str(path), "doctor", "--recover", *argv)
    finally:
        os.umask(old)
    assert code == 0, err
    made = [p for p in tmp_path.rglob("*") if "rec" in p.name and p.is_file()]
    assert len(made) >= 3  # library, state file and their first backups
    for p in made:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name


# --- W3: temporary and log files are created with their final mode -----------------------


def test_files_are_created_private_even_where_chmod_fails(tmp_path, monkeypatch) -> None:
    from tui import store

    monkeypatch.setattr(store, "APPEND_ABOVE", 0)  # the second mark goes to the change log
    path = tmp_path / "library.json"
    make_library(path).close()
    for p in tmp_path.iterdir():
        p.chmod(0o600)

    def refuse(*args, **kwargs):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fchmod", refuse)  # e.g. a file system that ignores modes
    monkeypatch.setattr(os, "chmod", refuse)
    old = os.umask(0o022)
    try:
        lib = Library(path)
        lib.set_status([lib.resolve("ref1")], "read")
        lib.set_status([lib.resolve("ref2")], "read")
        assert path.with_name("library.state.log").exists()
        lib.close()
    finally:
        os.umask(old)
    for p in tmp_path.iterdir():
        if p.name != "library.json.lock":
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name


# --- F9, W6: export -o never replaces a file we may not write, nor writes a disk ------------


@pytest.mark.parametrize("through_link", [False, True])
def test_export_refuses_a_read_only_target(tmp_path, capsys, monkeypatch, through_link) -> None:
    path = tmp_path / "library.json"
    make_library(path).close()
    target = tmp_path / "theirs.bib"
    target.write_text("not yours\n")
    target.chmod(0o444)
    out_path = target
    if through_link:
        out_path = tmp_path / "refs.bib"
        out_path.symlink_to(target)
    deny_writing(monkeypatch, target)
    code, out, err = run(capsys, "--db", str(path), "export", "-o", str(out_path))
    assert code == 2 and err.count("\n") == 1 and "Permission denied" in err
    assert target.read_text() == "not yours\n" and "wrote" not in err
    assert out_path.is_symlink() == through_link


def test_export_refuses_a_read_only_target_for_real_as_another_user(shared_dir) -> None:
    path = shared_dir / "library.json"
    assert as_nobody("--db", str(path), "list", cwd=shared_dir).returncode == 0
    target = shared_dir / "theirs.bib"  # root's and read-only, in a folder anyone may write
    target.write_text("not yours\n")
    target.chmod(0o444)
    link = shared_dir / "refs.bib"
    link.symlink_to(target)
    for out in (target, link):
        done = as_nobody("--db", str(path), "export", "-o", str(out), cwd=shared_dir)
        assert done.returncode == 2 and "Permission denied" in done.stderr, done.stderr
    assert target.read_text() == "not yours\n" and link.is_symlink()


def test_export_refuses_a_block_device(tmp_path, capsys) -> None:
    path = tmp_path / "library.json"
    make_library(path).close()
    disk = tmp_path / "disk"
    try:  # a block device numbered for local use: nothing real is behind it
        os.mknod(disk, stat.S_IFBLK | 0o600, os.makedev(240, 0))
    except (OSError, AttributeError):
        pytest.skip("cannot create a device node here (needs root)")
    code, out, err = run(capsys, "--db", str(path), "export", "-o", str(disk))
    assert code == 2 and err.count("\n") == 1 and "block device" in err
    assert stat.S_ISBLK(os.lstat(disk).st_mode)


# --- W1: a damaged backup is not "no problems" ---------------------------------------------


@pytest.mark.parametrize("content", [b"", b'{"meta": '])
def test_doctor_warns_about_a_damaged_backup(tmp_path, capsys, content) -> None:
    path = tmp_path / "library.json"
    make_library(path).close()
    path.with_name("library.json.bak").write_bytes(content)
    code, out, _ = run(capsys, "--db", str(path), "doctor")
    assert code == 1 and "no problems found" not in out
    assert "library.json.bak: DAMAGED" in out and "1 backup is damaged" in out


# --- W5: a filter over the limits is refused before the library is read ------------------


@pytest.mark.parametrize(
    "query", ["x" * 5000, " ".join(f"w{i}" for i in range(400))], ids=["chars", "terms"]
)
@pytest.mark.parametrize("command", ["list", "export"])
def test_a_too_long_filter_is_refused_before_the_library_is_opened(
    tmp_path, capsys, monkeypatch, query, command
) -> None:
    import tui.store

    def never(*args, **kwargs):
        raise AssertionError("the library was opened")

    monkeypatch.setattr(tui.store, "Library", never)
    code, out, err = run(capsys, "--db", str(tmp_path / "l.json"), command, "--filter", query)
    assert code == 2 and out == "" and "filter too long" in err and err.count("\n") == 1


# --- W7: importing through a symlink is importing its target ------------------------------

BIB = "@article{a1, title = {First}, author = {Lin, Wei}, year = 2020, doi = {10.1/a1}}\n"


def test_importing_through_a_symlink_keeps_the_targets_name(tmp_path, capsys) -> None:
    path = tmp_path / "library.json"
    make_library(path).close()
    target = tmp_path / "thesis-refs.bib"
    target.write_text(BIB)
    link = tmp_path / "mine.bib"
    link.symlink_to(target)
    code, out, err = run(capsys, "--db", str(path), "import", str(target))
    assert code == 0, err
    lib = Library(path)
    (direct,) = [r for r in lib.reviews() if r.key != "lin2025"]
    lib.close()
    code, out, err = run(capsys, "--db", str(path), "import", str(link))
    assert code == 0 and "keeps its title" not in err, err
    lib = Library(path)
    (again,) = [r for r in lib.reviews() if r.key != "lin2025"]
    lib.close()
    assert (again.key, again.title) == (direct.key, direct.title)
    assert "mine" not in again.title


def test_a_symlink_imported_first_is_named_after_its_target(tmp_path, capsys) -> None:
    path = tmp_path / "library.json"
    make_library(path).close()
    target = tmp_path / "thesis-refs.bib"
    target.write_text(BIB)
    (tmp_path / "mine.bib").symlink_to(target)
    code, out, err = run(capsys, "--db", str(path), "import", str(tmp_path / "mine.bib"))
    assert code == 0, err
    lib = Library(path)
    (made,) = [r for r in lib.reviews() if r.key != "lin2025"]
    lib.close()
    assert "thesis" in made.key and "mine" not in made.title


async def test_the_app_opens_a_read_only_library_and_says_so(tmp_path, monkeypatch) -> None:
    from tests.helpers import screen_text, settle
    from tui.app.app import ReadingListApp

    path = tmp_path / "db.json"
    Library(path).close()  # the shipped review
    before = path.read_bytes()
    deny_writing(monkeypatch, path)
    lib = Library(path)
    app = ReadingListApp(lib)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        assert "read-only" in screen_text(app).splitlines()[0]
        await pilot.press("space")  # a mark is refused, the app goes on
        await settle(pilot)
        assert "read-only" in app.sub_title and "0/58 read" in app.sub_title
    lib.close()
    assert path.read_bytes() == before and not state_path_for(path).exists()
