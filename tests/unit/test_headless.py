"""The core never imports Textual (nor Rich): the CLI and scripts stay fast and usable headless."""

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
    "tui.session",
    "tui.storage",
    "tui.doctor",
]
UI = ("textual", "rich")  # the session is core code: the screen draws it, Rich included


def test_core_does_not_import_textual_or_rich():
    code = (
        "import importlib, sys\n"
        f"for name in {CORE!r}:\n"
        "    importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {UI!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core imported: {out.stdout.strip()}"


def test_a_broken_import_would_be_seen():
    # the check above can fail: importing the app does pull textual and rich in
    code = "import sys, tui.app.app; print('textual' in sys.modules and 'rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode == 0:
        assert out.stdout.strip() == "True"
