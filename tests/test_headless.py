"""The core never imports Textual: the CLI and scripts stay fast and usable headless."""

import subprocess
import sys

CORE = [
    "tui.model",
    "tui.errors",
    "tui.text",
    "tui.paths",
    "tui.fsutil",
    "tui.sources",
    "tui.store",
    "tui.query",
    "tui.cite",
    "tui.clipboard",
    "tui.cli",
]


def test_core_does_not_import_textual():
    code = (
        "import importlib, sys\n"
        f"for name in {CORE!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core imported: {out.stdout.strip()}"


def test_a_broken_import_would_be_seen():
    # the check above can fail: importing the app does pull textual in
    code = "import sys, tui.app.app; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode == 0:
        assert out.stdout.strip() == "True"
