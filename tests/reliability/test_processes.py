"""Two processes on one database: the command line twice, or the command line and
a Library held open the way the app holds it. No update is lost, none overwrites
the other's, and what one imports the other sees."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tui.model import Review, Work
from tui.store import Library

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
N = 16


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "library.json"
    lib = Library(p, import_shipped=False)
    lib.import_review(
        Review(key="r", title_en="Review R"),
        # half with a DOI (state by identity), half known by their number only
        [
            Work(kind="reference", n=i, title=f"T{i}", doi=f"10.3/{i}" if i % 2 else "")
            for i in range(1, 2 * N + 1)
        ],
    )
    return p


def cli(path: Path, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui", "--db", str(path), *argv],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )


# Each worker runs the command line's main() many times in one process (one
# start-up instead of dozens), exactly as `readinglist mark/note` would.
CLI_LOOP = textwrap.dedent(
    """
    import sys
    from tui.cli import main
    path, which, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for i in range(1, count + 1):
        if which == "a":  # marks the odd works, and notes on work 2
            assert main(["--db", path, "mark", f"ref{2 * i - 1}", "read"]) == 0
            assert main(["--db", path, "note", "ref2", f"a{i}"]) == 0
        else:  # marks the even works and notes on them (work 2 too)
            assert main(["--db", path, "mark", f"ref{2 * i}", "reading"]) == 0
            assert main(["--db", path, "note", f"ref{2 * i}", f"b{i}"]) == 0
    """
)


@pytest.mark.slow
def test_two_command_lines_at_once_lose_nothing(path: Path) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLI_LOOP, str(path), which, str(N)],
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for which in ("a", "b")
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    lib = Library(path, import_shipped=False)
    for i in range(1, N + 1):
        odd, even = lib.resolve(f"ref{2 * i - 1}"), lib.resolve(f"ref{2 * i}")
        assert lib.state(odd).status == "read"
        assert lib.state(even).status == "reading"
        if 2 * i != 2:
            assert lib.state(even).note == f"b{i}"
    # work 2: its status from b and its note from a's last write, or b's (both
    # wrote a note on it); neither write wiped the other's status
    ref2 = lib.state(lib.resolve("ref2"))
    assert ref2.status == "reading" and ref2.note in {f"a{N}", "b1"}


def test_command_line_and_an_open_library(path: Path) -> None:
    """The app keeps a Library open for hours while the command line writes."""
    app = Library(path, import_shipped=False)
    assert cli(path, "mark", "ref1", "ref2", "read").returncode == 0
    # The app has not looked yet; its own writes must not undo the command line's.
    assert app.state(app.resolve("ref1")).status == "unread"
    app.set_status([app.resolve("ref3")], "reading")
    app.set_note(app.resolve("ref1"), "from the app")  # on a work the CLI just marked
    got = json.loads(cli(path, "list", "--json").stdout)
    by_n = {w["n"]: w for w in got}
    assert by_n[1]["status"] == "read" and by_n[1]["note"] == "from the app"
    assert by_n[2]["status"] == "read" and by_n[3]["status"] == "reading"
    # and the app now shows what the command line did
    assert app.state(app.resolve("ref2")).status == "read"
    assert app.reload_if_changed() is False  # nothing new since its own write

    assert cli(path, "mark", "ref4", "read").returncode == 0
    assert cli(path, "note", "ref3", "from the command line").returncode == 0
    assert app.reload_if_changed() is True
    assert app.state(app.resolve("ref4")).status == "read"
    assert app.state(app.resolve("ref3")).note == "from the command line"
    assert app.state(app.resolve("ref3")).status == "reading"


def test_reviews_imported_by_one_are_seen_by_the_other(path: Path, tmp_path: Path) -> None:
    app = Library(path, import_shipped=False)
    app.set_status([app.resolve("ref1")], "read")
    bib = tmp_path / "zotero.bib"
    shutil.copy(FIXTURES / "zotero.bib", bib)
    done = cli(path, "import", str(bib))
    assert done.returncode == 0, done.stderr
    key = done.stdout.split("\t")[0]
    assert app.reload_if_changed() is True
    assert key in [r.key for r in app.reviews()]
    imported = app.works(key)
    assert imported
    # the app marks one of the new works; the command line sees it and the old mark
    app.set_status([imported[0]], "reading")
    listed = json.loads(cli(path, "list", "--review", key, "--kind", "all", "--json").stdout)
    assert {w["id"]: w["status"] for w in listed}[imported[0].id] == "reading"
    assert json.loads(cli(path, "list", "--review", "r", "--json").stdout)[0]["status"] == "read"
    # the other way round: the app imports, the command line lists it
    app.import_review(Review(key="s", title_en="Second"), [Work(kind="related", n=1, title="S1")])
    assert "s\t" in cli(path, "reviews").stdout


LIB_LOOP = textwrap.dedent(
    """
    import sys
    from tui.model import Review, Work
    from tui.store import Library
    path, which, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    lib = Library(path, import_shipped=False)   # held open, like the app
    for i in range(1, count + 1):
        lib.set_status([lib.resolve(f"r/ref{2 * i - (which == 'a')}")], "read")
        if i % 4 == 0:
            lib.import_review(Review(key=f"{which}{i}", title_en=f"{which} {i}"),
                              [Work(kind="reference", n=1, title=f"{which}{i}")])
    """
)


@pytest.mark.slow
def test_two_open_libraries_marking_and_importing_at_once(path: Path) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", LIB_LOOP, str(path), which, str(N)],
            env=ENV,
            stderr=subprocess.PIPE,
        )
        for which in ("a", "b")
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    lib = Library(path, import_shipped=False)
    assert all(lib.state(w).status == "read" for w in lib.works("r"))
    keys = {r.key for r in lib.reviews()}
    assert keys == {"r"} | {f"{w}{i}" for w in "ab" for i in range(4, N + 1, 4)}
