"""Issue 13's command line: help with examples, did-you-mean, statuses in any case,
plurals, export's --kind default, and shell completion made from the parser."""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import run
from tui import cli
from tui.cli import build_parser, main
from tui.completion import script
from tui.model import ReadStatus
from tui.paths import shipped_review
from tui.sources import FORMATS
from tui.text import plural

ONE_ENTRY_BIB = """@article{teske2023,
  author = {Teske, Noelle and Fett, Nicole},
  title = {Recent advances in the treatment of morphea},
  journal = {Am J Clin Dermatol},
  year = {2023},
}
"""


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


# --- 6. export --kind -------------------------------------------------------------------


def test_export_defaults_to_references_as_list_does(db, capsys):
    run(db, "import", str(shipped_review()), capsys=capsys)
    _, out, _ = run(db, "export", capsys=capsys)
    lines = out.rstrip("\n").split("\n")
    assert len(lines) == 43 and lines[-1].startswith("[43] ")
    _, out, _ = run(db, "export", "--kind", "all", capsys=capsys)
    assert len(out.rstrip("\n").split("\n")) == 58
    _, out, _ = run(db, "export", "--kind", "related", "--format", "bibtex", capsys=capsys)
    assert out.count("@") == 15
    for name in ("list", "export"):
        kind = next(a for a in subcommands(build_parser())[name]._actions if a.dest == "kind")
        assert kind.default == "references" and "default: references" in kind.help


# --- 11. help ---------------------------------------------------------------------------


def test_every_subcommand_help_has_a_description_and_examples(capsys):
    for name, parser in subcommands(build_parser()).items():
        assert parser.description, name
        assert "examples:\n  " in (parser.epilog or ""), name
        assert f"readinglist {name}" in parser.epilog or name == "completion", name
        with pytest.raises(SystemExit):
            main([name, "--help"])
        out = capsys.readouterr().out
        assert "examples:\n  " in out and parser.description.split("\n")[0] in out, name


def test_mark_help_lists_the_statuses_and_import_help_the_formats(capsys):
    with pytest.raises(SystemExit):
        main(["mark", "--help"])
    out = capsys.readouterr().out
    assert "statuses (any case): unread, queued, reading, read, skipped" in out
    assert set(cli.STATUSES) == {s.value for s in ReadStatus}
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    out = capsys.readouterr().out
    for ext, (_, _, human) in FORMATS.items():
        assert ext in out and human in out, ext


# --- 11. did you mean, statuses, plurals -----------------------------------------------


@pytest.mark.parametrize(
    "argv, hint",
    [
        (["lsit"], "did you mean 'list'?"),
        (["exprot"], "did you mean 'export'?"),
        (["list", "--kind", "reference"], "did you mean 'references'?"),
    ],
)
def test_a_mistyped_choice_suggests_the_nearest(capsys, argv, hint):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert hint in err and err.count("\n") == 1 and err.startswith("readinglist")


def test_nothing_near_suggests_nothing(capsys):
    with pytest.raises(SystemExit):
        main(["zzzzzz"])
    assert "did you mean" not in capsys.readouterr().err


def test_statuses_are_case_insensitive(db, capsys):
    run(db, "import", str(shipped_review()), capsys=capsys)
    code, out, _ = run(db, "mark", "rel2", "Read", capsys=capsys)
    assert code == 0 and out.endswith("\tread\n")
    code, out, _ = run(db, "mark", "ref1", "READING", capsys=capsys)
    assert code == 0 and out.endswith("\treading\n")
    code, out, _ = run(db, "list", "--kind", "all", "--filter", "status:read", capsys=capsys)
    assert out.startswith("rel2 ")
    code, _, err = run(db, "mark", "ref1", "Done", capsys=capsys)
    assert code == 2 and "unknown status 'done'" in err.lower()


def test_counts_are_singular_for_one(db, capsys, tmp_path, monkeypatch):
    assert (plural(1, "work"), plural(2, "work"), plural(0, "review")) == (
        "1 work",
        "2 works",
        "0 reviews",
    )
    _, out, _ = run(db, "import", str(shipped_review()), capsys=capsys)
    assert "43 references, 15 related" in out  # not "15 relateds"
    bib = tmp_path / "one.bib"
    bib.write_text(ONE_ENTRY_BIB)
    _, out, _ = run(db, "import", str(bib), capsys=capsys)
    assert "\t1 reference" in out
    _, out, _ = run(db, "reviews", capsys=capsys)
    assert "1 ref, 0 related" in out and "43 refs, 15 related" in out
    monkeypatch.setattr(cli, "_is_tty", lambda: True)
    _, out, _ = run(db, "list", "--review", "one", capsys=capsys)
    assert out.rstrip("\n").split("\n")[-1] == "1 work, 0 read"
    _, _, err = run(db, "export", "--review", "one", "-o", str(tmp_path / "o.txt"), capsys=capsys)
    assert "wrote 1 work to" in err


# --- 11. shell completion ---------------------------------------------------------------

BASH_ASK = """
source "$1"
ask() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
  _readinglist_complete; printf '%s\\n' "${COMPREPLY[@]}"; }
"""


def bash_complete(path: Path, *words: str) -> list[str]:
    argv = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", BASH_ASK + f"ask readinglist {argv}", "_", path],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return [line for line in done.stdout.split("\n") if line]


def completion_script(tmp_path: Path, shell: str, capsys) -> Path:
    assert main(["completion", shell]) == 0
    path = tmp_path / f"readinglist.{shell}"
    path.write_text(capsys.readouterr().out)
    return path


def test_completion_needs_a_known_shell(capsys):
    with pytest.raises(SystemExit):
        main(["completion", "tcsh"])
    assert "invalid choice" in capsys.readouterr().err


def test_bash_completion_covers_every_subcommand_and_option(tmp_path, capsys):
    path = completion_script(tmp_path, "bash", capsys)
    subprocess.run(["bash", "-n", str(path)], check=True, timeout=30)
    subs = subcommands(build_parser())
    assert set(bash_complete(path, "")) == set(subs)
    assert bash_complete(path, "--db", "x.json", "ex") == ["export"]
    for name, parser in subs.items():
        flags = {f for a in parser._actions for f in a.option_strings}
        assert set(bash_complete(path, name, "-")) == flags, name
    assert bash_complete(path, "list", "--kind", "") == ["references", "related", "all"]
    assert bash_complete(path, "export", "--format", "vanc") == ["vancouver"]
    assert bash_complete(path, "mark", "ref1", "rea") == ["reading", "read"]
    assert bash_complete(path, "completion", "") == ["bash", "zsh", "fish"]
    assert bash_complete(path, "import", str(path)[:-2]) == [str(path)]


def test_completion_picks_up_new_subcommands_and_options(monkeypatch):
    """Others add subcommands and options (`--punct`...): generated from the parser, they are in."""
    build = cli.build_parser

    def more() -> argparse.ArgumentParser:
        parser = build()
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        extra = sub.add_parser("lookup", help="look works up")
        extra.add_argument("--punct", choices=["ascii", "cjk"])
        subcommands(parser)["cite"].add_argument("--wrap", metavar="FILE")
        return parser

    parser = more()
    for shell in ("bash", "zsh", "fish"):
        text = script(parser, shell)
        assert "lookup" in text and ("--punct" in text or "-l punct" in text), shell
        assert "ascii cjk" in text and "wrap" in text, shell


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_completion_parses(tmp_path, capsys):
    path = completion_script(tmp_path, "zsh", capsys)
    subprocess.run(["zsh", "-n", str(path)], check=True, timeout=30)
    text = path.read_text()
    for name in subcommands(build_parser()):
        assert f"\n                {name}) _arguments " in text, name


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completion_parses_and_completes(tmp_path, capsys):
    path = completion_script(tmp_path, "fish", capsys)
    subprocess.run(["fish", "--no-execute", str(path)], check=True, timeout=30)

    def ask(line: str) -> list[str]:
        done = subprocess.run(
            ["fish", "--no-config", "-c", f"source {path}; complete -C '{line}'"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return [row.split("\t")[0] for row in done.stdout.split("\n") if row]

    assert set(subcommands(build_parser())) <= set(ask("readinglist "))
    assert set(ask("readinglist list --kind ")) == {"references", "related", "all"}
    assert "--kind" in ask("readinglist export --")
