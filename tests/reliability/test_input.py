"""Bad input files for `readinglist import`: one line naming the file (and the place,
where there is one), exit status 2, and nothing imported; and property tests that
no input makes an importer or the page parser raise anything but ParseError."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.cli import main
from tui.errors import ParseError
from tui.model import Review, Work
from tui.sources import MAX_BYTES, load_file
from tui.sources.bibtex import parse_bibtex
from tui.sources.csljson import parse_csljson
from tui.sources.page import parse_page
from tui.sources.ris import parse_ris
from tui.store import Library

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "data" / "000_b90cea9157f310d4.txt"

# Where the message says the problem is.
PLACE = re.compile(r"line \d+|record \d+|offset \d+|byte \d+|entry|item \d+|position \d+")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "db" / "library.json"
    lib = Library(path, import_shipped=False)
    lib.import_review(Review(key="r", title_en="R"), [Work(kind="reference", n=1, title="T")])
    lib.set_status([lib.resolve("ref1")], "read")
    return path


def db_bytes(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file()}


def write(folder: Path, name: str, content: bytes | str) -> Path:
    p = folder / name
    p.write_bytes(content.encode() if isinstance(content, str) else content)
    return p


def random_bytes(n: int) -> bytes:
    data = bytearray(os.urandom(n))
    data[0] = 0xFF  # never valid UTF-8, whatever the rest is
    return bytes(data)


BAD = [
    # name, content, words in the message, has a place
    ("random.bib", random_bytes(4000), "not UTF-8", True),
    ("random.ris", random_bytes(4000), "not UTF-8", True),
    ("random.json", random_bytes(4000), "not UTF-8", True),
    ("random.txt", random_bytes(4000), "not UTF-8", True),
    ("empty.bib", b"", "empty", False),
    ("blank.ris", b"  \n\n \t\n", "empty", False),
    (
        "unbalanced.bib",
        "@article{a,\n  title = {Open {brace},\n  year = {2020}\n}\n\n@book{b, title={B}}\n",
        "unbalanced",
        True,
    ),
    ("unclosed.bib", "@article{a, title = " + "{" * 5000 + "x\n", "never closed", True),
    ("no-er.ris", "TY  - JOUR\nTI  - A title\nAU  - Smith, J\nPY  - 2020\n", "no ER", True),
    ("cut.json", '[{"id": "a", "type": "article-journal", "title": "T"}, {"id": "b", "ti', "cut off", True),
    ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply", True),
    ("deep-item.json", '[{"id": "a", "title": ' + "[" * 5000 + "]" * 5000 + "}]", "", True),
    ("braces.txt", "{" * 100_000, "", True),
    ("page.html", "<html><body><p>Not an article</p></body></html>", "not a journal article page", False),
]  # fmt: skip


@pytest.mark.parametrize("name, content, words, placed", BAD, ids=[b[0] for b in BAD])
def test_bad_file_is_one_line_exit_2_and_nothing_imported(
    db: Path, tmp_path: Path, capsys, name: str, content, words: str, placed: bool
) -> None:
    before = db_bytes(db)
    bad = write(tmp_path, name, content)
    good = write(tmp_path, "good.txt", PAGE.read_bytes())
    # a good file next to the bad one is not imported either: all are read first
    code = main(["--db", str(db), "import", str(good), str(bad)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith(f"readinglist: {bad}: ") and err.count("\n") == 1, err
    assert words in err
    if placed:
        assert PLACE.search(err), err
    assert len(err) < 400
    assert db_bytes(db) == before


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda d: d / "missing.ris", "no such file"),
        (lambda d: (d / "folder.bib").mkdir() or d / "folder.bib", "is a directory"),
    ],
    ids=["missing", "directory"],
)
def test_path_that_is_not_a_file(db: Path, tmp_path: Path, capsys, make, words: str) -> None:
    before = db_bytes(db)
    target = make(tmp_path)
    code = main(["--db", str(db), "import", str(target)])
    _, err = capsys.readouterr()
    assert code == 2 and err.startswith(f"readinglist: {target}: {words}")
    assert err.count("\n") == 1
    assert db_bytes(db) == before


def test_file_over_50_mb_is_refused_without_reading_it(db: Path, tmp_path: Path, capsys) -> None:
    big = tmp_path / "big.ris"
    with open(big, "wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse: no 50 MB written to the disk
    before = db_bytes(db)
    t0 = time.perf_counter()
    code = main(["--db", str(db), "import", str(big)])
    elapsed = time.perf_counter() - t0
    _, err = capsys.readouterr()
    assert code == 2 and str(big) in err and "too large" in err and "50 MB" in err
    assert elapsed < 1.0
    assert db_bytes(db) == before


@pytest.mark.slow
def test_50_mb_of_junk_is_refused_quickly(db: Path, tmp_path: Path, capsys) -> None:
    """Just under the limit: read and refused in about a second, nothing imported."""
    junk = tmp_path / "junk.ris"
    line = b"x" * 79 + b"\n"
    junk.write_bytes(line * ((MAX_BYTES - 100) // len(line)))
    before = db_bytes(db)
    t0 = time.perf_counter()
    code = main(["--db", str(db), "import", str(junk)])
    elapsed = time.perf_counter() - t0
    _, err = capsys.readouterr()
    assert code == 2 and str(junk) in err and "line 1" in err and err.count("\n") == 1
    assert elapsed < 15
    assert db_bytes(db) == before


def test_deeply_nested_braces_in_bibtex_do_not_crash(db: Path, tmp_path: Path, capsys) -> None:
    """Balanced braces, however deep, are valid BibTeX: imported or refused, never a crash."""
    deep = write(
        tmp_path, "deep.bib", "@article{a, title = " + "{" * 50_000 + "x" + "}" * 50_000 + "}\n"
    )
    code = main(["--db", str(db), "import", str(deep)])
    out, err = capsys.readouterr()
    assert code in (0, 2)
    if code == 2:
        assert str(deep) in err and err.count("\n") == 1
    else:
        assert out.startswith("deep\tcreated")


# --- property tests: nothing but ParseError ------------------------------------------

_PAGE_PIECES = st.sampled_from(
    ["<html>", "<body>", "<table>", "<tr>", "<td>", "</td>", "</tr>", "</table>", "<p>", "</p>",
     "<div>", "<br>", "<script>", "</script>", "&amp;", "&#x", ";", "| ", " |", "[1]", "[43]",
     "1.", "参考文献", "References", "相关文章", "摘要:", "Abstract:", "引用本文:", "收稿日期:",
     "2024-10-27", "doi: 10.1/x", "内科理论与实践 ›› 2025, Vol. 20 ›› Issue (04): 340-344.",
     "[J]. ", "Teske N, Fett N. ", "林瑞莲, 马丽丽, 陈佳. ", "通讯作者:", "E-mail: ", "\n", "  ",
     "\t", "<", ">", "\x00", "\u202e"]
)  # fmt: skip

_PAGE_LINES = PAGE.read_text(encoding="utf-8").splitlines()


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=400), st.lists(_PAGE_PIECES, max_size=60).map("".join)))
def test_page_parser_gives_a_review_or_parse_error(text: str) -> None:
    try:
        review, works = parse_page(text, source="p.txt")
    except ParseError:
        return
    assert isinstance(review, Review) and all(isinstance(w, Work) for w in works)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_PAGE_LINES), max_size=80), st.randoms())
def test_page_parser_on_shuffled_and_cut_pages(lines: list[str], rnd) -> None:
    """Pieces of the real page in any order, cut anywhere."""
    text = "\n".join(lines)
    text = text[: rnd.randrange(len(text) + 1)]
    try:
        parse_page(text, source="p.txt")
    except ParseError:
        pass


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=600))
@pytest.mark.parametrize("importer", [parse_bibtex, parse_ris, parse_csljson, parse_page])
def test_any_decoded_bytes_give_works_or_parse_error(importer, data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    try:
        importer(text, source="f")
    except ParseError:
        pass


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.binary(max_size=400),
    st.sampled_from([".bib", ".bibtex", ".ris", ".json", ".txt", ".html", ".htm", "", ".dat"]),
)
def test_load_file_raises_only_parse_error(tmp_path: Path, data: bytes, ext: str) -> None:
    """Through the file-level entry point: the extension picks the importer, or sniffing."""
    p = tmp_path / f"f{ext}"
    p.write_bytes(data)
    try:
        review, works = load_file(p)
    except ParseError as err:
        assert str(p) in str(err) and "\n" not in str(err)
        return
    assert isinstance(review, Review) and all(isinstance(w, Work) for w in works)
