"""The command line, end to end, on a fresh database holding the shipped review."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run, without_cache
from tui.cli import build_parser, main
from tui.paths import shipped_review


@pytest.fixture(autouse=True, params=["cache", "no cache"])
def cache(request, monkeypatch) -> str:
    """Every test here runs with the library's cache (tui.bibcache) and without it."""
    if request.param == "no cache":
        without_cache(monkeypatch)
    return request.param


SUBCOMMANDS = [
    "import",
    "reviews",
    "review",
    "list",
    "cite",
    "mark",
    "note",
    "export",
    "stats",
    "styles",
]


def db_files(db: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in db.parent.iterdir()
        if p.is_file() and not p.name.endswith(".lock")
    }


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert "readinglist" in capsys.readouterr().out
    for name in SUBCOMMANDS:
        with pytest.raises(SystemExit) as e:
            main([name, "--help"])
        assert e.value.code == 0, name
        assert "usage: readinglist " + name in capsys.readouterr().out


def test_every_subcommand_is_in_the_parser():
    actions = [a for a in build_parser()._actions if a.dest == "command"]
    assert set(SUBCOMMANDS) <= set(actions[0].choices)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--db", "x.json"],
        ["--db=x.json", "--review", "lib-10"],
        ["--review", "import"],  # a value, not the command
        ["--review", "a", "--review=b"],  # the last one counts
        ["--db", ""],
        ["--db=-x"],
    ],
)
def test_plain_launch_is_read_as_the_parser_reads_it(argv):
    from tui.cli import _plain_launch

    assert vars(_plain_launch(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [
        ["list"],
        ["--db"],
        ["--db", "-x"],
        ["--rev", "k"],  # argparse's abbreviation
        ["--db", "x", "mark"],
        ["--help"],
        ["--version"],
        ["--", "x"],
    ],
)
def test_anything_else_goes_to_the_parser(argv):
    from tui.cli import _plain_launch

    assert _plain_launch(argv) is None


def test_first_run_imports_the_shipped_review(db, capsys):
    code, out, _ = run(db, "list", "--json", capsys=capsys)
    assert code == 0
    rows = json.loads(out)
    assert [r["n"] for r in rows] == list(range(1, 44))
    assert {r["kind"] for r in rows} == {"reference"}
    required = {
        "id",
        "review",
        "kind",
        "key",
        "n",
        "authors",
        "et_al",
        "title",
        "type",
        "journal",
        "year",
        "volume",
        "issue",
        "supplement",
        "pages",
        "doi",
        "pmid",
        "raw",
        "status",
        "note",
    }
    assert required <= set(rows[0])
    r16 = rows[15]
    assert (
        r16["title"] == "Myeloablative autologous stem-cell transplantation for severe scleroderma"
    )
    assert r16["authors"] == ["Sullivan KM", "Goldmuntz EA", "Keyes-Elstein L"]
    assert r16["et_al"] is True and r16["year"] == 2018 and r16["status"] == "unread"
    assert len({r["id"] for r in rows}) == 43


def test_kinds(db, capsys):
    _, out, _ = run(db, "list", "--kind", "related", "--json", capsys=capsys)
    related = json.loads(out)
    assert len(related) == 15 and all(r["kind"] == "related" for r in related)
    assert related[0]["authors"][0] == "金诗炜"
    _, out, _ = run(db, "list", "--kind", "all", "--json", capsys=capsys)
    assert len(json.loads(out)) == 58


def test_review_json(db, capsys):
    code, out, _ = run(db, "review", "--json", capsys=capsys)
    assert code == 0
    r = json.loads(out)
    assert r["title_zh"] == "干细胞治疗硬皮病研究进展"
    assert r["title_en"] == "Advances in stem cell therapy for scleroderma"
    assert r["authors_zh"] == ["林瑞莲", "马丽丽", "陈佳"]
    assert r["authors_en"] == ["LIN Ruilian", "MA Lili", "CHEN Jia"]
    assert r["journal_zh"] == "内科理论与实践"
    assert r["journal_en"] == "Journal of Internal Medicine Concepts & Practice"
    assert (r["year"], r["volume"], r["issue"], r["pages"]) == (2025, "20", "04", "340-344")
    assert r["doi"] == "10.16138/j.1673-6087.2025.04.15"
    assert (r["received"], r["online"], r["published"]) == (
        "2024-10-27",
        "2025-07-31",
        "2025-10-27",
    )
    assert r["citation_en"].startswith("LIN Ruilian, MA Lili, CHEN Jia. Advances")


def test_reviews(db, capsys):
    _, out, _ = run(db, "reviews", "--json", capsys=capsys)
    rows = json.loads(out)
    assert len(rows) == 1
    assert rows[0]["counts"] == {"reference": 43, "related": 15}
    assert rows[0]["year"] == 2025
    code, out, _ = run(db, "reviews", capsys=capsys)
    assert code == 0 and "干细胞治疗硬皮病研究进展" in out


def test_mark_and_list_shows_it(db, capsys):
    code, out, _ = run(db, "mark", "ref16", "rel3", "read", capsys=capsys)
    assert code == 0
    _, out, _ = run(db, "list", "--kind", "all", "--json", capsys=capsys)
    rows = {r["id"].split("/")[-1]: r for r in json.loads(out)}
    assert rows["ref16"]["status"] == "read" and rows["rel3"]["status"] == "read"
    assert rows["ref15"]["status"] == "unread"
    # the unique id works too
    full = rows["ref17"]["id"]
    assert run(db, "mark", full, "reading", capsys=capsys)[0] == 0
    _, out, _ = run(db, "list", "--filter", "status:reading", "--json", capsys=capsys)
    assert [r["n"] for r in json.loads(out)] == [17]
    _, out, _ = run(db, "stats", capsys=capsys)
    assert "1/43" in out and "1/15" in out


@pytest.mark.parametrize(
    "args",
    [
        ["mark", "ref99", "read"],
        ["mark", "ref1", "ref999", "read"],
        ["mark", "ref1", "done"],
        ["mark", "ref1", "read", "--review", "nope"],
        ["cite", "rel77"],
        ["cite", "ref1", "--style", "nosuchstyle"],
        ["list", "--review", "nope"],
        ["review", "nope"],
        ["import", "/no/such/file.txt"],
        ["list", "--filter", "year:abc"],
    ],
)
def test_user_errors_exit_2_with_one_line_and_change_nothing(db, capsys, args):
    run(db, "list", capsys=capsys)  # create the database
    run(db, "mark", "ref2", "read", capsys=capsys)
    before = db_files(db)
    code, out, err = run(db, *args, capsys=capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("readinglist: "), err
    assert "Traceback" not in err
    assert db_files(db) == before


def test_cite_printed_gives_back_every_entry_byte_for_byte(db, capsys):
    text = shipped_review().read_text(encoding="utf-8")
    refs = [m[1] for m in re.finditer(r"^\| \[\d+\] \| (.*?) \| *$", text, re.M)]
    assert len(refs) == 58
    ids = [f"ref{i}" for i in range(1, 44)] + [f"rel{i}" for i in range(1, 16)]
    code, out, _ = run(db, "cite", *ids, "--style", "printed", capsys=capsys)
    assert code == 0
    assert out.rstrip("\n").split("\n") == refs


def test_cite_gbt7714_default_one_line_per_id_in_order(db, capsys):
    code, out, _ = run(db, "cite", "ref16", "ref1", capsys=capsys)
    assert code == 0
    lines = out.rstrip("\n").split("\n")
    assert len(lines) == 2
    # the default is the edition in force, GB/T 7714-2025: family names as written
    assert lines[0].startswith("Sullivan K M，Goldmuntz E A，Keyes-Elstein L，et al. Myeloablative")
    assert lines[1].startswith("Teske N，Fett N. Recent advances")
    assert not lines[0][0].isdigit() and not lines[0].startswith("[")
    code, out, _ = run(db, "cite", "ref1", "--style", "gbt7714-2015", capsys=capsys)
    assert out.startswith("TESKE N, FETT N. Recent advances")


def test_cite_and_export_take_the_punctuation_width(db, capsys):
    code, out, _ = run(db, "cite", "ref1", "--punct", "half", capsys=capsys)
    assert code == 0 and out.startswith("Teske N, Fett N. Recent") and "2024, 25(2): 213" in out
    code, out, _ = run(db, "export", "--kind", "references", "--punct", "half", capsys=capsys)
    assert code == 0 and out.startswith("[1] Teske N, Fett N.")
    code, out, err = run(db, "cite", "ref1", "--punct", "wide", capsys=capsys)
    assert code == 2 and out == "" and len(err.strip().split("\n")) == 1
    assert "standard, half, bylanguage" in err


def test_cite_copy_reports_where_it_went(db, capsys, monkeypatch):
    import pyperclip

    copied = []
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    monkeypatch.setattr(pyperclip, "paste", lambda: copied[-1])
    code, out, err = run(db, "cite", "ref1", "--copy", capsys=capsys)
    assert code == 0 and copied == [out.rstrip("\n")]
    assert "clipboard" in err.lower()


def test_cite_copy_without_clipboard_still_prints(db, capsys, monkeypatch):
    import pyperclip

    def fail(_text):
        raise pyperclip.PyperclipException("no clipboard")

    monkeypatch.setattr(pyperclip, "copy", fail)
    code, out, err = run(db, "cite", "ref1", "--copy", capsys=capsys)
    assert code == 0 and "Teske N" in out
    assert err.strip() and "Traceback" not in err


def test_filter(db, capsys):
    _, out, _ = run(db, "list", "--filter", "sullivan", "--json", capsys=capsys)
    assert [r["n"] for r in json.loads(out)] == [16]
    _, out, _ = run(db, "list", "--filter", "year:2023..2024 has:doi", "--json", capsys=capsys)
    assert [r["n"] for r in json.loads(out)] == [1, 11, 43]


def test_filter_by_pinyin(db, capsys):
    # 金诗炜 is the first author of related article 1 of the shipped review
    code, out, _ = run(db, "list", "--kind", "all", "--filter", "jsw", "--json", capsys=capsys)
    assert code == 0
    assert [(r["kind"], r["n"], r["authors"][0]) for r in json.loads(out)] == [
        ("related", 1, "金诗炜")
    ]
    _, out, _ = run(db, "list", "--filter", "author:tangwei", "--kind", "all", capsys=capsys)
    assert re.findall(r"^rel\d+", out, re.M) == ["rel2", "rel9", "rel14"]  # 唐暐's
    # 干细胞 by its pinyin: the same works as the characters, and no English work
    runs = [
        run(db, "list", "--kind", "all", "--filter", q, "--json", capsys=capsys)[1]
        for q in ("title:干细胞", "title:gxb", "ganxibao")
    ]
    chars, initials, syllables = ([(r["kind"], r["n"]) for r in json.loads(o)] for o in runs)
    assert len(chars) == 11 and initials == chars and syllables == chars


def test_reimport_keeps_state_and_says_updated(db, capsys):
    run(db, "mark", "ref16", "read", capsys=capsys)
    run(db, "note", "ref16", "key trial", capsys=capsys)
    code, out, _ = run(db, "import", str(shipped_review()), capsys=capsys)
    assert code == 0 and "updated" in out
    _, out, _ = run(db, "list", "--filter", "n:16", "--json", capsys=capsys)
    (row,) = json.loads(out)
    assert row["status"] == "read" and row["note"] == "key trial"
    _, out, _ = run(db, "reviews", "--json", capsys=capsys)
    assert len(json.loads(out)) == 1


def test_export_to_file_and_markdown(db, capsys, tmp_path):
    run(db, "mark", "ref1", "read", capsys=capsys)
    target = tmp_path / "list.md"
    code, _, err = run(db, "export", "--format", "markdown", "-o", str(target), capsys=capsys)
    assert code == 0, err
    text = target.read_text(encoding="utf-8")
    assert "- [x] " in text and "- [ ] " in text
    assert "https://doi.org/10.1007/s40257-023-00831-2" in text
    code, out, _ = run(db, "export", "--format", "bibtex", "--kind", "references", capsys=capsys)
    assert code == 0 and out.count("@article{") == 43


def test_env_var_selects_the_database(tmp_path, monkeypatch, capsys):
    path = tmp_path / "env.json"
    monkeypatch.setenv("READINGLIST_DB", str(path))
    assert main(["mark", "ref5", "read"]) == 0
    capsys.readouterr()
    assert path.exists()
    main(["list", "--filter", "status:read", "--json"])
    assert [r["n"] for r in json.loads(capsys.readouterr().out)] == [5]


def test_styles_lists_names_and_credit(capsys):
    assert main(["styles"]) == 0
    out = capsys.readouterr().out
    for name in [
        "gbt7714",
        "printed",
        "apa",
        "vancouver",
        "ama",
        "mla",
        "chicago",
        "harvard",
        "bibtex",
        "ris",
        "csl-json",
    ]:
        assert name in out
    assert "Citation Style Language" in out or "CSL" in out


def test_console_script_and_module(tmp_path):
    exe = Path(sys.executable).with_name("readinglist")
    for cmd in ([str(exe)], [sys.executable, "-m", "tui"]):
        if cmd[0] != sys.executable and not exe.exists():
            continue
        out = subprocess.run(
            [*cmd, "--db", str(tmp_path / "x.json"), "list"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        assert "ref16" in out.stdout and "Sullivan KM" in out.stdout


def test_program_ends_at_once_with_everything_written(db, capsys, tmp_path):
    """`python -m tui` ends export, list, stats and reviews without the interpreter's
    teardown (tui.cli.FAST_EXIT): what they wrote is whole, the exit status theirs, the
    lock released, and main() called in a process (as here) still returns."""
    code, _, err = run(db, "import", str(shipped_review()), capsys=capsys)
    assert code == 0, err
    out_file = tmp_path / "out.bib"
    for args in (
        ["export", "--format", "bibtex"],
        ["export", "--format", "csl-json", "--kind", "all"],
        ["list", "--kind", "all", "--json"],
        ["stats"],
        ["reviews"],
        ["export", "--format", "bibtex", "-o", str(out_file)],
        ["list", "--review", "no-such-review"],
    ):
        expected = run(db, *args, capsys=capsys)
        expected_file = out_file.read_bytes() if "-o" in args else None
        out_file.unlink(missing_ok=True)
        got = subprocess.run(
            [sys.executable, "-m", "tui", "--db", str(db), *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert (got.returncode, got.stdout, got.stderr) == expected, args
        if expected_file is not None:
            assert out_file.read_bytes() == expected_file
    # the lock was let go: a command that writes runs at once
    assert run(db, "mark", "ref1", "read", capsys=capsys)[0] == 0


def test_hostile_text_never_reaches_the_terminal(db, capsys, tmp_path):
    page = shipped_review().read_text(encoding="utf-8")
    evil = page.replace(
        "Recent advances in treatment", "Recent \x1b]52;c;ZXZpbA==\x07[bold]advances\u202e"
    )
    src = tmp_path / "evil.txt"
    src.write_text(evil, encoding="utf-8")
    code, _, err = run(db, "import", str(src), capsys=capsys)
    assert code == 0, err
    for args in (
        ["list", "--review", "lin2025"],
        ["cite", "ref1", "--style", "printed"],
        ["cite", "ref1"],
        ["export", "--format", "markdown"],
    ):
        code, out, _ = run(db, *args, capsys=capsys)
        assert code == 0
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out


def test_filter_may_start_with_a_dash(db, capsys):
    code, out, err = run(db, "list", "--filter", "-stem", "--json", capsys=capsys)
    assert code == 0, err
    rows = json.loads(out)
    assert rows and all("stem" not in r["title"].lower() for r in rows)
    assert len(rows) < 43


def test_files_with_the_same_stem_are_separate_collections(db, capsys, tmp_path):
    bib = tmp_path / "rt.bib"
    bib.write_text("@article{a2020, author={Smith, John}, title={One}, journal={J}, year={2020}}\n")
    ris = tmp_path / "rt.ris"
    ris.write_text("TY  - JOUR\nAU  - Doe, Jane\nTI  - Two\nPY  - 2021\nER  - \n")
    code, out, err = run(db, "import", str(bib), str(ris), capsys=capsys)
    assert code == 0, err
    assert [line.split("\t")[1] for line in out.splitlines()] == ["created", "created"]
    code, out, _ = run(db, "import", str(bib), capsys=capsys)
    assert out.split("\t")[1] == "updated"
    _, out, _ = run(db, "reviews", "--json", capsys=capsys)
    assert len(json.loads(out)) == 3


def test_export_file_permissions_and_missing_folder(db, capsys, tmp_path):
    import os

    old = os.umask(0o022)
    try:
        target = tmp_path / "x.bib"
        assert run(db, "export", "--format", "bibtex", "-o", str(target), capsys=capsys)[0] == 0
        assert target.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(old)
    code, _, err = run(db, "export", "-o", str(tmp_path / "nope" / "x.bib"), capsys=capsys)
    assert code == 2 and "does not exist" in err
    assert not (tmp_path / "nope").exists()


def test_note_without_a_note_says_so(db, capsys):
    code, out, err = run(db, "note", "ref1", capsys=capsys)
    assert code == 0 and out == "" and "has no note" in err


def test_export_numbers_a_numeric_bibliography_but_cite_does_not(db, capsys):
    _, out, _ = run(db, "export", "--kind", "references", capsys=capsys)
    lines = out.rstrip("\n").split("\n")
    assert len(lines) == 43
    assert lines[0].startswith("[1] Teske N，Fett N.") and lines[15].startswith("[16] Sullivan K M")
    _, out, _ = run(db, "export", "--kind", "references", "--format", "apa", capsys=capsys)
    assert out.startswith("Teske, N.")
    _, out, _ = run(db, "cite", "ref1", capsys=capsys)
    assert out.startswith("Teske N")
