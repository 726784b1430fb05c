"""argparse's own messages (unknown options, invalid choices, extra arguments, help)
echo what was typed: they pass the same sanitising as every other output, in one line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import main

# C0 controls but tab and newline, DEL, C1 controls, bidi controls (written out here,
# not taken from tui.text)
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
PAYLOADS = {
    "esc": "\x1b[2J\x1b[31mred",
    "bel": "ding\x07\x07",
    "c1": "\x9b31m\x9d0;title\x9c",
    "osc52": "\x1b]52;c;ZXZpbA==\x07",
    "osc52-st": "\x1b]52;c;ZXZpbA==\x1b\\",
    "bidi": "\u202eevil\u2066",
}
CASES = {
    "unknown-option": lambda p: ["--db", "{db}", "list", f"--x{p}"],
    "unknown-global-option": lambda p: [f"--{p}", "list"],
    "invalid-choice": lambda p: ["--db", "{db}", "list", "--kind", f"all{p}"],
    "extra-positional": lambda p: ["--db", "{db}", "review", "k", f"extra{p}"],
    "invalid-command": lambda p: ["--db", "{db}", f"li{p}st"],
}


def _argv(case: str, payload: str, db: Path) -> list[str]:
    return [a.replace("{db}", str(db)) for a in CASES[case](payload)]


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
@pytest.mark.parametrize("case", list(CASES))
def test_argparse_errors_are_one_inert_line(case, payload, tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(_argv(case, payload, tmp_path / "lib.json"))
    out, err = capsys.readouterr()
    assert exc.value.code == 2
    assert FORBIDDEN.findall(out + err) == []
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith("readinglist") and "error:" in err
    assert not (tmp_path / "lib.json").exists()  # nothing written


def test_real_command_line_bytes_are_inert(tmp_path) -> None:
    """Through a real process: what reaches the terminal, as bytes."""
    env = {**os.environ, "READINGLIST_DB": str(tmp_path / "lib.json"), "PYTHONIOENCODING": ""}
    for argv in (
        ["list", "--kind", "\x1b]52;c;ZXZpbA==\x07"],
        ["list", "--\x1b]52;c;ZXZpbA==\x07"],
        ["review", "k", "\x1b[31m\x9b31m\x07"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "tui", *argv], capture_output=True, env=env, timeout=60
        )
        assert proc.returncode == 2
        text = (proc.stdout + proc.stderr).decode("utf-8", "replace")
        assert FORBIDDEN.findall(text) == []
        assert len(proc.stderr.splitlines()) == 1
