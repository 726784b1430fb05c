"""A collection is known by where it came from and what it holds, not by its file's
name: two refs.bib in two folders are two collections, the same file again updates
its collection, and an update says which works it removed and keeps their state."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.helpers import run
from tui.model import Review, Work
from tui.paths import shipped_review
from tui.store import Library

ALPHA = "@article{a1, author={Smith, John}, title={Alpha paper}, journal={J}, year={2020}}\n"
BETA = "@article{a2, author={Doe, Jane}, title={Beta paper}, journal={J}, year={2021}}\n"
GAMMA = (
    "@article{g1, author={Roe, Rick}, title={Gamma paper}, journal={K}, year={2019},"
    " doi={10.1000/gamma}}\n"
)
DELTA = "@article{d1, author={Poe, Pat}, title={Delta paper}, journal={K}, year={2018}}\n"


def titles(db: Path, key: str, capsys) -> list[str]:
    code, out, err = run(db, "list", "--review", key, "--json", capsys=capsys)
    assert code == 0, err
    return [row["title"] for row in json.loads(out)]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_same_name_in_two_folders_is_two_collections(db, tmp_path, capsys) -> None:
    a = write(tmp_path / "projA" / "refs.bib", ALPHA + BETA)
    b = write(tmp_path / "projB" / "refs.bib", GAMMA)
    code, out, err = run(db, "import", str(a), capsys=capsys)
    assert code == 0, err and out.startswith("refs\tcreated")
    run(db, "mark", "refs/ref1", "read", capsys=capsys)

    code, out, err = run(db, "import", str(b), capsys=capsys)
    assert code == 0, err
    fields = out.rstrip("\n").split("\t")
    assert fields[:2] == ["refs-2", "created"]
    assert "new key" in out and str(a.resolve()) in out  # says why it is not `refs`
    assert titles(db, "refs", capsys) == ["Alpha paper", "Beta paper"]
    assert titles(db, "refs-2", capsys) == ["Gamma paper"]
    _, out, _ = run(
        db, "list", "--review", "refs", "--filter", "status:read", "--json", capsys=capsys
    )
    assert [r["title"] for r in json.loads(out)] == ["Alpha paper"]  # the mark stayed

    # each file again updates its own collection
    _, out, _ = run(db, "import", str(b), str(a), capsys=capsys)
    assert [line.split("\t")[:2] for line in out.splitlines()] == [
        ["refs-2", "updated"],
        ["refs", "updated"],
    ]
    # identical content from elsewhere is the same collection, not a third
    copy = tmp_path / "elsewhere" / "copy.bib"
    copy.parent.mkdir()
    shutil.copy(b, copy)
    _, out, _ = run(db, "import", str(copy), capsys=capsys)
    assert out.split("\t")[:2] == ["refs-2", "updated"]
    _, out, _ = run(db, "reviews", "--json", capsys=capsys)
    assert sorted(r["key"] for r in json.loads(out)) == ["lin2025", "refs", "refs-2"]

    # the shipped review page, changed and from another folder, is still the review
    run(db, "mark", "lin2025/ref16", "read", capsys=capsys)
    moved = tmp_path / "downloads" / "page.txt"
    moved.parent.mkdir()
    moved.write_text(shipped_review().read_text(encoding="utf-8") + "\n", encoding="utf-8")
    code, out, err = run(db, "import", str(moved), capsys=capsys)
    assert code == 0, err
    assert out.split("\t")[:2] == ["lin2025", "updated"] and "removed" not in out
    _, out, _ = run(db, "reviews", "--json", capsys=capsys)
    assert len(json.loads(out)) == 3
    _, out, _ = run(
        db, "list", "--review", "lin2025", "--filter", "n:16 status:read", "--json", capsys=capsys
    )
    assert len(json.loads(out)) == 1


def test_changed_file_updates_and_names_what_it_removed(db, tmp_path, capsys) -> None:
    a = write(tmp_path / "projA" / "refs.bib", ALPHA + GAMMA + DELTA)
    run(db, "import", str(a), capsys=capsys)
    for ident in ("refs/ref1", "refs/ref2", "refs/ref3"):
        run(db, "mark", ident, "read", capsys=capsys)
    run(db, "note", "refs/ref3", "delta note", capsys=capsys)

    write(a, BETA + ALPHA)  # the same path, other content: Gamma and Delta are gone
    code, out, err = run(db, "import", str(a), capsys=capsys)
    assert code == 0, err
    fields = out.rstrip("\n").split("\t")
    assert fields[:2] == ["refs", "updated"] and "2 removed" in fields[-1]
    removed = [line for line in err.splitlines() if "removed" in line]
    assert len(removed) == 2
    assert "Gamma paper" in removed[0] and "ref2" in removed[0]
    assert "Delta paper" in removed[1] and "ref3" in removed[1]
    assert all("reading state is kept" in line for line in removed)
    assert titles(db, "refs", capsys) == ["Beta paper", "Alpha paper"]

    lib = Library(db, import_shipped=False)
    try:
        states = lib.states()
        assert states["doi:10.1000/gamma"].status == "read"  # kept under its DOI
        (delta,) = [s for i, s in states.items() if i.startswith("orphan:")]
        assert delta.status == "read" and delta.note == "delta note"
        (alpha,) = [w for w in lib.works("refs") if w.title == "Alpha paper"]
        assert lib.state(alpha).status == "read"  # followed its work to ref2
    finally:
        lib.close()


def test_collection_stored_by_file_name_only(db, tmp_path, capsys) -> None:
    """A library written before sources were paths knows only "refs.bib": a file of
    that name with mostly the same works is it; one with other works is not."""
    lib = Library(db, import_shipped=False)
    works = [
        Work(kind="reference", n=1, title="Alpha paper", authors=["Smith J"], year=2020),
        Work(kind="reference", n=2, title="Beta paper", authors=["Doe J"], year=2021),
    ]
    lib.import_review(
        Review(key="refs", kind="collection", title_en="refs", source="refs.bib"), works
    )
    lib.close()

    other = write(tmp_path / "projB" / "refs.bib", GAMMA + DELTA)
    _, out, _ = run(db, "import", str(other), capsys=capsys)
    assert out.split("\t")[:2] == ["refs-2", "created"]
    same = write(tmp_path / "projA" / "refs.bib", ALPHA + BETA + DELTA)
    _, out, _ = run(db, "import", str(same), capsys=capsys)
    assert out.split("\t")[:2] == ["refs", "updated"]
    assert titles(db, "refs", capsys) == ["Alpha paper", "Beta paper", "Delta paper"]
