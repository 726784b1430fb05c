"""`import --into KEY` and `--as KEY` (issue 13, item 12): a file's works join an
existing review or collection without touching its other works, a new collection
gets the name asked for (never an existing one), and a re-import never renames a
collection without a word."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run
from tui.cli import main
from tui.errors import NotFound, ReadingListError
from tui.model import Review, Work
from tui.store import Library

ALPHA = "@article{a1, author={Smith, John}, title={Alpha paper}, journal={J}, year={2020}}\n"
BETA = (
    "@article{a2, author={Doe, Jane}, title={Beta paper}, journal={J}, year={2021},"
    " doi={10.1000/beta}}\n"
)
BETA_FIXED = BETA.replace("Beta paper", "Beta paper, corrected")
GAMMA = "@article{a3, author={Roe, Rick}, title={Gamma paper}, journal={K}, year={2019}}\n"
EPSILON = "@article{e1, author={New, Nora}, title={Epsilon paper}, journal={K}, year={2024}}\n"
# the key of Gamma, given to another paper (another year): not Gamma
REUSED = "@article{a3, author={Who, Will}, title={Zeta paper}, journal={K}, year={2010}}\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def rows(db: Path, key: str, capsys) -> list[dict]:
    code, out, err = run(db, "list", "--review", key, "--kind", "all", "--json", capsys=capsys)
    assert code == 0, err
    return json.loads(out)


def reviews(db: Path, capsys) -> dict[str, dict]:
    _, out, _ = run(db, "reviews", "--json", capsys=capsys)
    return {r["key"]: r for r in json.loads(out)}


def files_of(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(db.parent.glob(db.name + "*"))}


def test_into_existing_collection(db, tmp_path, capsys) -> None:
    zotero = write(tmp_path / "zotero-export.bib", ALPHA + BETA + GAMMA)
    code, out, err = run(db, "import", str(zotero), capsys=capsys)
    assert out.startswith("zotero-export\tcreated"), err
    run(db, "mark", "zotero-export/ref1", "read", capsys=capsys)
    run(db, "mark", "zotero-export/ref2", "reading", capsys=capsys)
    run(db, "note", "zotero-export/ref3", "gamma note", capsys=capsys)
    lib = Library(db)
    lib.set_fetched({"zotero-export/ref2": {"abstract": {"value": "Fetched.", "source": "t"}}})
    lib.close()
    shipped = rows(db, "lin2025", capsys)

    mine = write(tmp_path / "my-library.bib", BETA_FIXED + ALPHA + EPSILON + REUSED)
    code, out, err = run(
        db, "import", str(mine), "--into", "zotero-export", "--verbose", capsys=capsys
    )
    assert code == 0, err
    assert out == "zotero-export\tupdated\t2 added, 1 updated, 1 unchanged, 1 left alone\n"
    for line in (
        "added: zotero-export/ref4: Epsilon paper",
        "added: zotero-export/ref5: Zeta paper",
        "updated: zotero-export/ref2: Beta paper, corrected",
        "unchanged: zotero-export/ref1: Alpha paper",
        "left alone: zotero-export/ref3: Gamma paper",
    ):
        assert line in err

    got = {r["local_id"]: r for r in rows(db, "zotero-export", capsys)}
    assert {n: r["title"] for n, r in got.items()} == {
        "ref1": "Alpha paper",
        "ref2": "Beta paper, corrected",
        "ref3": "Gamma paper",
        "ref4": "Epsilon paper",
        "ref5": "Zeta paper",
    }
    assert got["ref5"]["key"] != "a3"  # Gamma keeps its key; the other paper gets its own
    assert got["ref3"]["key"] == "a3"
    # reading state and fetched data stay with their works
    assert (got["ref1"]["status"], got["ref2"]["status"]) == ("read", "reading")
    assert got["ref3"]["note"] == "gamma note"
    assert got["ref2"]["fetched"]["abstract"]["value"] == "Fetched."
    # nothing else changed: no new collection, the title and the shipped review as they were
    assert sorted(reviews(db, capsys)) == ["lin2025", "zotero-export"]
    assert reviews(db, capsys)["zotero-export"]["title_en"] == "zotero-export"
    assert rows(db, "lin2025", capsys) == shipped

    # the same file again: nothing added, nothing updated
    code, out, err = run(db, "import", str(mine), "--into", "zotero-export", capsys=capsys)
    assert out == "zotero-export\tupdated\t0 added, 0 updated, 4 unchanged, 1 left alone\n"
    assert len(rows(db, "zotero-export", capsys)) == 5


def test_into_a_review_adds_after_its_last_reference(db, tmp_path, capsys) -> None:
    run(db, "mark", "lin2025/ref16", "read", capsys=capsys)
    extra = write(tmp_path / "extra.bib", EPSILON)
    code, out, err = run(db, "import", str(extra), "--into", "LIN2025", capsys=capsys)
    assert code == 0, err
    assert out == "lin2025\tupdated\t1 added, 0 updated, 0 unchanged, 58 left alone\n"
    got = {r["local_id"]: r for r in rows(db, "lin2025", capsys)}
    assert got["ref44"]["title"] == "Epsilon paper" and got["ref16"]["status"] == "read"


def test_into_a_missing_key_is_refused_in_one_line(db, tmp_path, capsys) -> None:
    run(db, "reviews", capsys=capsys)  # the library exists
    before = files_of(db)
    mine = write(tmp_path / "my-library.bib", ALPHA)
    code, out, err = run(db, "import", str(mine), "--into", "nope", capsys=capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "'nope'" in err and "lin2025" in err
    assert files_of(db) == before


def test_as_names_a_new_collection_and_never_an_existing_one(db, tmp_path, capsys) -> None:
    mine = write(tmp_path / "my-library.bib", ALPHA + BETA)
    code, out, err = run(db, "import", str(mine), "--as", "trials", capsys=capsys)
    assert code == 0, err
    assert out == "trials\tcreated\t2 references\n"
    assert reviews(db, capsys)["trials"]["title_en"] == "trials"
    run(db, "mark", "trials/ref1", "read", capsys=capsys)

    before = files_of(db)
    other = write(tmp_path / "other.bib", EPSILON)
    for name in ("trials", "Trials", "lin2025"):
        code, out, err = run(db, "import", str(other), "--as", name, capsys=capsys)
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and "already exists" in err
        assert "--into " + name.lower() in err  # the key as stored
    code, out, err = run(db, "import", str(other), "--as", "a/b", capsys=capsys)
    assert code == 2 and err.count("\n") == 1
    assert files_of(db) == before
    with pytest.raises(SystemExit) as exc:  # argparse: one or the other
        main(["--db", str(db), "import", str(other), "--as", "x", "--into", "trials"])
    assert exc.value.code == 2 and "not allowed with" in capsys.readouterr().err


def test_same_content_reimport_keeps_the_title(db, tmp_path, capsys) -> None:
    zotero = write(tmp_path / "zotero-export.bib", ALPHA + BETA)
    run(db, "import", str(zotero), capsys=capsys)
    run(db, "mark", "zotero-export/ref1", "read", capsys=capsys)
    mine = write(tmp_path / "my-library.bib", ALPHA + BETA)
    zotero.unlink()  # (while it exists, the copy was already kept apart)

    code, out, err = run(db, "import", str(mine), capsys=capsys)
    assert code == 0, err
    fields = out.rstrip("\n").split("\t")
    assert fields[:2] == ["zotero-export", "updated"]
    assert fields[-1] == "0 added, 0 updated, 2 unchanged"
    assert "keeps its title 'zotero-export'" in err and "'my-library'" in err
    got = reviews(db, capsys)
    assert sorted(got) == ["lin2025", "zotero-export"]
    assert got["zotero-export"]["title_en"] == "zotero-export"
    assert rows(db, "zotero-export", capsys)[0]["status"] == "read"


# --- store level --------------------------------------------------------------


def work(n: int, title: str, **kw) -> Work:
    return Work(kind="reference", n=n, title=title, raw=f"{title}. J, 2020.", year=2020, **kw)


@pytest.fixture
def lib(tmp_path: Path):
    lib = Library(tmp_path / "lib.json", import_shipped=False)
    lib.import_review(
        Review(key="refs", kind="collection", title_en="refs", source="/x/refs.bib"),
        [work(1, "Alpha", doi="10.1/a"), work(2, "Beta", pmid="123"), work(3, "Gamma")],
    )
    lib.import_review(Review(key="other", title_en="Other"), [work(1, "Alpha", doi="10.1/a")])
    yield lib
    lib.close()


def test_store_import_into(lib) -> None:
    (gamma,) = [w for w in lib.works("refs") if w.title == "Gamma"]
    lib.set_status([gamma], "read")
    lib.set_note(gamma, "kept")
    other = [w.to_dict() for w in lib.works("other")]
    done = lib.import_review(
        Review(kind="collection", title_en="mine", source="/y/mine.bib"),
        [
            work(1, "Beta, second edition", pmid="123"),
            work(2, "Gamma", doi="10.1/g"),  # Gamma gains a DOI: its state follows
            work(3, "Delta"),
        ],
        into="refs",
    )
    assert (done.key, done.created) == ("refs", False)
    assert [w.id for w in done.added] == ["refs/ref4"]
    assert [w.id for w in done.updated] == ["refs/ref2", "refs/ref3"]
    assert [w.id for w in done.left_alone] == ["refs/ref1"]
    assert done.unchanged == [] and done.removed == []
    assert [w.title for w in lib.works("refs")] == [
        "Alpha",
        "Beta, second edition",
        "Gamma",
        "Delta",
    ]
    (gamma,) = [w for w in lib.works("refs") if w.title == "Gamma"]
    assert gamma.doi == "10.1/g"
    assert (lib.state(gamma).status, lib.state(gamma).note) == ("read", "kept")
    assert lib.get_review("refs").title_en == "refs"
    assert lib.get_review("refs").source == "/x/refs.bib"
    assert [w.to_dict() for w in lib.works("other")] == other
    assert sorted(r.key for r in lib.reviews()) == ["other", "refs"]


def test_store_import_refusals_write_nothing(lib) -> None:
    before = {p.name: p.read_bytes() for p in lib.path.parent.iterdir()}
    with pytest.raises(NotFound):
        lib.import_review(Review(kind="collection"), [work(1, "X")], into="nope")
    with pytest.raises(ReadingListError, match="already exists"):
        lib.import_review(Review(kind="collection"), [work(1, "X")], as_key="REFS")
    assert {p.name: p.read_bytes() for p in lib.path.parent.iterdir()} == before
    done = lib.import_review(
        Review(kind="collection", title_en="file", source="/z/file.bib"),
        [work(1, "X")],
        as_key="mine",
    )
    assert (done.key, done.created) == ("mine", True)
    assert lib.get_review("mine").title_en == "mine"


def test_store_reimport_tells_added_updated_unchanged(lib) -> None:
    lib.set_fetched({"refs/ref3": {"abstract": {"value": "Fetched.", "source": "t"}}})
    source = Review(key="refs", kind="collection", title_en="refs", source="/x/refs.bib")
    done = lib.import_review(
        source,
        [
            work(1, "Alpha", doi="10.1/a"),
            work(2, "Beta", pmid="123", volume="2"),  # a field more
            work(3, "Gamma"),  # its fetched abstract stays: unchanged
            work(4, "Delta"),
        ],
    )
    assert (done.key, done.created) == ("refs", False)
    assert [w.id for w in done.unchanged] == ["refs/ref1", "refs/ref3"]
    assert [w.id for w in done.updated] == ["refs/ref2"]
    assert [w.id for w in done.added] == ["refs/ref4"]
    assert lib.get_work("refs/ref3").abstract == "Fetched."
    assert lib.get_work("refs/ref2").volume == "2"
