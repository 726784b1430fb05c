"""Disk problems: a full disk, a read-only file system, a database in a missing
folder or under a file. A clear one-line message naming the file, exit status 2
from the command line, nothing lost: the file on disk stays the previous version,
the Library in memory keeps what was saved, and it saves again once the disk does.

Where the test process may mount (root, as in CI), a real tiny tmpfs is used: the
kernel itself says ENOSPC and EROFS. Elsewhere those tests are skipped and the
patched versions in tests/unit/test_store.py cover the same paths.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from pathlib import Path

import pytest

from tui import store
from tui.cli import main
from tui.errors import StoreError
from tui.model import Review, Work
from tui.store import Library, state_path_for


def _mount(point: Path, size: str) -> bool:
    if os.name != "posix" or os.geteuid() != 0:
        return False
    point.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)],
        capture_output=True,
    )
    return done.returncode == 0


@pytest.fixture
def tiny(tmp_path: Path):
    """A 512 KiB file system of its own (unmounted afterwards)."""
    point = tmp_path / "tiny"
    if not _mount(point, "512k"):
        pytest.skip("cannot mount a tmpfs here (not root?)")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def make(path: Path, n: int = 20) -> Library:
    lib = Library(path, import_shipped=False)
    lib.import_review(
        Review(key="r", title_en="R"),
        [Work(kind="reference", n=i, title=f"T{i}", doi=f"10.4/{i}") for i in range(1, n + 1)],
    )
    return lib


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def fill(folder: Path) -> Path:
    """Use up every free byte of the file system `folder` is on."""
    filler = folder / "filler"
    with open(filler, "wb") as fh:
        block = b"\0" * 65536
        with contextlib.suppress(OSError):
            while True:
                fh.write(block)
                fh.flush()
        with contextlib.suppress(OSError):  # and the last few bytes
            while True:
                os.write(fh.fileno(), b"\0")
    return filler


def cli(db: Path, *argv: str, capsys) -> tuple[int, str, str]:
    code = main(["--db", str(db), *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("mode", ["rewrite", "log"])
def test_full_disk(tiny: Path, capsys, monkeypatch, mode: str) -> None:
    if mode == "log":
        monkeypatch.setattr(store, "APPEND_ABOVE", 0)
    path = tiny / "library.json"
    lib = make(path)  # held open, like the app
    lib.set_status([lib.resolve("ref1")], "read")
    lib.set_status([lib.resolve("ref2")], "reading")
    filler = fill(tiny)
    before = files(tiny)
    del before["filler"]

    with pytest.raises(StoreError) as err:
        lib.set_status([lib.resolve("ref3")], "read")
        lib.set_note(lib.resolve("ref1"), "x" * 20000)  # the log has room for small lines
    msg = str(err.value)
    assert "No space left on device" in msg and str(tiny) in msg and "\n" not in msg
    assert lib.save_error == msg  # the app shows "not saved" while this is set
    with pytest.raises(StoreError, match="No space left"):
        lib.import_review(Review(key="s", title_en="S"), [Work(kind="related", n=1, title="S")])
    code, _, err_text = cli(path, "note", "ref2", "y" * 20000, capsys=capsys)
    assert code == 2 and "No space left on device" in err_text and err_text.count("\n") == 1
    # nothing lost: the files are the last good ones, memory is what was saved
    after = files(tiny)
    del after["filler"]
    if mode == "rewrite":
        assert after == before
    assert lib.state(lib.resolve("ref1")).status == "read"
    assert lib.state(lib.resolve("ref2")).status == "reading"
    assert lib.state(lib.resolve("ref1")).note == ""
    assert [r.key for r in lib.reviews()] == ["r"]
    assert not [p for p in tiny.iterdir() if p.name.endswith(".tmp")]
    # reading still works
    code, out, _ = cli(path, "list", capsys=capsys)
    assert code == 0 and "T1" in out

    filler.unlink()  # space again: saving works again, and says so
    lib.set_note(lib.resolve("ref1"), "x" * 20000)
    assert lib.save_error is None
    fresh = Library(path, import_shipped=False)
    assert fresh.state(fresh.resolve("ref1")).note == "x" * 20000
    assert fresh.state(fresh.resolve("ref1")).status == "read"
    assert fresh.state(fresh.resolve("ref2")).status == "reading"


def test_read_only_file_system(tiny: Path, capsys) -> None:
    path = tiny / "library.json"
    lib = make(path)
    lib.set_status([lib.resolve("ref1")], "read")
    before = files(tiny)
    remount = subprocess.run(["mount", "-o", "remount,ro", str(tiny)], capture_output=True)
    if remount.returncode:
        pytest.skip("cannot remount read-only")
    try:
        with pytest.raises(StoreError) as err:
            lib.set_status([lib.resolve("ref2")], "read")
        assert "Read-only file system" in str(err.value) and "\n" not in str(err.value)
        assert lib.save_error is not None
        assert lib.state(lib.resolve("ref2")).status == "unread"
        code, _, err_text = cli(path, "mark", "ref2", "read", capsys=capsys)
        assert code == 2 and "Read-only file system" in err_text and str(tiny) in err_text
        assert err_text.count("\n") == 1
        # reading a read-only library works
        for argv in (["list"], ["stats"], ["cite", "ref1"], ["doctor"]):
            code, out, err_text = cli(path, *argv, capsys=capsys)
            assert code == 0, (argv, err_text)
        # a new library there cannot even start: said clearly
        code, _, err_text = cli(tiny / "new.json", "list", capsys=capsys)
        assert code == 2 and "Read-only file system" in err_text
        assert files(tiny) == before
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(tiny)], capture_output=True)
    lib.set_status([lib.resolve("ref2")], "read")
    assert lib.save_error is None


def test_read_only_folder_by_permission(tmp_path: Path, monkeypatch, capsys) -> None:
    """chmod does not stop root, so the OS's refusal is simulated (any user, any OS)."""
    path = tmp_path / "library.json"
    lib = make(path)
    before = files(tmp_path)
    real_open = os.open

    def refuse(file, flags, *args, **kw):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, flags, *args, **kw)

    monkeypatch.setattr(os, "open", refuse)
    code, _, err = cli(path, "mark", "ref1", "read", capsys=capsys)
    assert code == 2 and "Permission denied" in err and str(path) in err
    with pytest.raises(StoreError, match="Permission denied"):
        lib.set_status([lib.resolve("ref1")], "read")
    assert lib.save_error is not None and lib.state(lib.resolve("ref1")).status == "unread"
    monkeypatch.undo()
    assert files(tmp_path) == before


def test_db_in_a_missing_folder_is_created(tmp_path: Path, capsys) -> None:
    path = tmp_path / "a" / "b" / "library.json"
    code, out, err = cli(path, "mark", "ref1", "read", capsys=capsys)  # shipped review
    assert code == 0, err
    assert path.exists() and state_path_for(path).exists()
    code, out, _ = cli(path, "list", "--json", capsys=capsys)
    assert code == 0 and '"status": "read"' in out


def test_db_under_a_file_is_a_clear_error(tmp_path: Path, capsys) -> None:
    (tmp_path / "notes.txt").write_text("my notes")
    path = tmp_path / "notes.txt" / "library.json"
    for argv in (["list"], ["mark", "ref1", "read"], ["import", str(tmp_path / "x.bib")]):
        code, out, err = cli(path, *argv, capsys=capsys)
        assert code == 2 and out == ""
        assert "notes.txt" in err and err.count("\n") == 1 and "Traceback" not in err
    assert (tmp_path / "notes.txt").read_text() == "my notes"


def test_db_that_is_a_folder_is_a_clear_error(tmp_path: Path, capsys) -> None:
    code, _, err = cli(tmp_path, "list", capsys=capsys)
    assert code == 2 and "is a folder" in err and str(tmp_path) in err
