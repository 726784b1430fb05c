"""Hostile text in the data (Rich markup, ESC sequences, OSC 52, bidi controls, C1
controls, very long strings) never reaches the terminal as a control sequence from
any command line output: listings, citations, exports, stats, notes, warnings,
error messages with file names, and the doctor's report."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import orjson
import pytest

from tui.cli import main
from tui.model import Review, Work
from tui.store import Library

# What must never be written: C0 controls but tab and newline, DEL, C1 controls and
# the bidi controls that reorder a line (written out here, not taken from tui.text).
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

MARKUP = "[bold red]B[/] [link=https://evil.example]x[/link]"
HOSTILE = (
    f"{MARKUP} \x1b[31mRED\x1b[0m \x1b]52;c;ZXZpbA==\x07 \x1b]8;;https://evil\x1b\\"
    "\u202eRTL\u202c \u2066iso\u2069 \x9b31m \x07\x08\x7f\x00 end"
)
LONG = "Long " * 3000


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "library.json"
    lib = Library(path, import_shipped=False)
    key, _ = lib.import_review(
        Review(
            key="k" + HOSTILE,
            title_zh=HOSTILE,
            title_en=HOSTILE,
            authors_zh=[HOSTILE],
            journal_zh=HOSTILE,
            abstract_zh=HOSTILE,
            citation_zh=HOSTILE,
            doi="10.1/x" + HOSTILE,
        ),
        [
            Work(
                kind="reference",
                n=1,
                title=HOSTILE,
                authors=[HOSTILE, "Smith J"],
                journal=HOSTILE,
                key="ck" + HOSTILE,
                year=2020,
                volume=HOSTILE,
                pages=HOSTILE,
                raw=HOSTILE,
                doi="10.9/y" + HOSTILE,
                url="https://x/" + HOSTILE,
            ),
            Work(kind="related", n=1, title=LONG, authors=["Y" * 3000], journal=HOSTILE, raw=LONG),
        ],
    )
    w = lib.resolve(f"{key}/ref1")
    lib.set_note(w, HOSTILE)
    lib.set_tags(w, [HOSTILE])
    return path


def run(capsys, db: Path, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["--db", str(db), *argv])
    except SystemExit as exc:  # argparse errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def leaks(text: str) -> list[str]:
    return sorted({hex(ord(c)) for c in FORBIDDEN.findall(text)})


TEXT_COMMANDS = [
    ["reviews"],
    ["review"],
    ["list", "--kind", "all"],
    ["stats"],
    ["note", "ref1"],
    ["mark", "ref1", "read"],
    ["note", "ref1", "new " + HOSTILE],
    ["export"],
    ["export", "--format", "markdown"],
    *[["cite", "ref1", "rel1", "--style", s] for s in ("gbt7714", "printed", "apa", "vancouver")],
    *[["cite", "ref1", "--style", s] for s in ("mla", "bibtex", "ris", "csl-json")],
    *[["export", "--format", s] for s in ("bibtex", "ris", "csl-json")],
]


@pytest.mark.parametrize("argv", TEXT_COMMANDS, ids=[" ".join(a[:4]) for a in TEXT_COMMANDS])
def test_terminal_output_is_inert(db: Path, capsys, argv: list[str]) -> None:
    code, out, err = run(capsys, db, *argv)
    assert code == 0, err
    assert leaks(out + err) == []
    assert out.strip()


def test_markup_is_printed_as_text(db: Path, capsys) -> None:
    _, out, _ = run(capsys, db, "cite", "ref1", "--style", "printed")
    assert MARKUP in out  # shown as the characters it is made of, never interpreted
    _, out, _ = run(capsys, db, "review")
    assert MARKUP in out and "RTL" in out and "end" in out


def test_very_long_strings_are_printed_whole_and_inert(db: Path, capsys) -> None:
    _, out, _ = run(capsys, db, "cite", "rel1", "--style", "printed")
    assert out.strip() == LONG.strip()


@pytest.mark.parametrize(
    "argv",
    [
        ["cite", "\x1b[31mref1"],
        ["mark", "ref1", "\x1b]52;c;ZXZpbA==\x07"],
        ["import", "\x1b]0;title\x07\u202e.bib"],
        ["--review", "\x1b[2J\x9b2J", "list"],
        ["list", "--kind", "\x1b[31mall"],
        ["list", "--filter", "year:\x1b[31m"],
        ["note", "\u202eref1"],
    ],
    ids=["cite", "mark", "import", "review", "kind", "filter", "note"],
)
def test_error_messages_with_hostile_names_are_inert(db: Path, capsys, argv) -> None:
    code, out, err = run(capsys, db, *argv)
    assert code == 2
    assert leaks(out + err) == []
    assert err.splitlines()[-1].startswith("readinglist")  # argparse's usage comes first


def test_import_warnings_and_keys_are_inert(db: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    import tui.sources

    def load_file(path):
        w = Work(kind="reference", n=1, title="t", warnings=[HOSTILE])
        return Review(key="new" + HOSTILE, title_en="New " + HOSTILE), [w]

    monkeypatch.setattr(tui.sources, "load_file", load_file)
    code, out, err = run(capsys, db, "import", str(tmp_path / "x.bib"))
    assert code == 0
    assert "warning" in err and leaks(out + err) == []


def test_doctor_report_is_inert(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "dir\x1b]52;c;ZXZpbA==\x07\u202e"
    folder.mkdir()
    path = folder / "library.json"
    path.write_bytes(b"{not json")
    code, out, err = run(capsys, path, "doctor")
    assert code == 1 and "DAMAGED" in out
    assert leaks(out + err) == []


def test_terminal_copy_sends_only_base64(capsys) -> None:
    """OSC 52 copying: the data travels base64-encoded, so none of it is a control."""
    from tui.cli import _osc52

    _osc52(HOSTILE)
    _, err = capsys.readouterr()
    m = re.fullmatch(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07", err)
    assert m is not None
    assert base64.b64decode(m[1]).decode("utf-8") == HOSTILE


def test_json_output_keeps_the_data_and_escapes_c0(db: Path, capsys) -> None:
    _, out, _ = run(capsys, db, "list", "--json")
    assert "\x1b" not in out and "\x07" not in out
    [row] = json.loads(out)
    assert row["title"] == HOSTILE and row["note"] == HOSTILE  # lossless


JSON_COMMANDS = [["list", "--kind", "all", "--json"], ["review", "--json"], ["reviews", "--json"]]


@pytest.mark.parametrize("argv", JSON_COMMANDS, ids=[a[0] for a in JSON_COMMANDS])
def test_json_output_has_no_raw_controls(db: Path, capsys, argv) -> None:
    code, out, _ = run(capsys, db, *argv)
    assert code == 0 and leaks(out) == []


@pytest.mark.parametrize("argv", [["reviews"], ["review"], ["stats"], ["mark", "ref1", "read"]])
def test_hostile_key_in_an_old_file_is_inert(tmp_path: Path, capsys, argv) -> None:
    path = tmp_path / "library.json"
    lib = Library(path, import_shipped=False)
    lib.import_review(Review(key="plain", title_en="t"), [Work(kind="reference", n=1, title="a")])
    data = orjson.loads(path.read_bytes())
    key = "k\x1b]52;c;ZXZpbA==\x07\u202e"
    data["reviews"] = {key: {**data["reviews"]["plain"], "key": key}}
    data["works"] = {f"{key}/ref1": {**data["works"]["plain/ref1"], "review": key}}
    path.write_bytes(orjson.dumps(data))
    code, out, err = run(capsys, path, *argv)
    assert code == 0 and leaks(out + err) == []
