"""Copy text to the clipboard, by whichever way works here, and say which.

1. the system clipboard through pyperclip (pbcopy, xclip/xsel, wl-copy, Windows);
2. else `terminal_copy`, which the app passes as `App.copy_to_clipboard` (OSC 52:
   works over SSH and in tmux with `set-clipboard on`);
3. else nothing: the caller shows the text so it can be selected by hand.

Over SSH the remote machine's clipboard is not the user's, so there the terminal
way goes first. pyperclip's X11 backends do not report failure (xclip without a
display just exits), so a copy is checked by reading the clipboard back.
Never raises. No Textual here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

from tui.text import inert

NO_CLIPBOARD = (
    "No clipboard available (install xclip/wl-clipboard or use a terminal with OSC 52); "
    "the text is shown to copy by hand"
)
SYSTEM_OK = "Copied to the system clipboard"
TERMINAL_OK = (
    "Sent to the terminal clipboard (OSC 52); "
    "if nothing pastes, enable it in the terminal (tmux: set -g set-clipboard on)"
)


@dataclass
class CopyResult:
    ok: bool
    method: str  # "system" | "terminal" | "none"
    message: str  # one line telling the user which way the text went
    text: str = ""  # the text as copied (control characters removed)


def clean(text: str) -> str:
    """The text without control characters (ESC, C0/C1 but \\n and \\t, bidi controls)."""
    # the same set tui.text.inert removes for the terminal: a pasted citation must not
    # read differently from what was shown
    return inert(text.replace("\r\n", "\n"))


def _over_ssh() -> bool:
    return bool(os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"))


def _no_display() -> bool:
    """Linux/BSD without X11 or Wayland: pyperclip would silently fail."""
    if sys.platform.startswith(("win", "darwin", "cygwin")):
        return False
    if "microsoft" in os.uname().release.lower():  # WSL: clip.exe works
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _system_copy(text: str) -> bool:
    try:
        import pyperclip

        pyperclip.copy(text)
        try:
            back = pyperclip.paste()
        except Exception:
            return True  # copied; reading back is not supported everywhere
        return _same(back, text)
    except Exception:  # pyperclip.PyperclipException, missing binaries, OS errors
        return False


def _same(a: str | None, b: str) -> bool:
    def norm(s: str) -> str:
        return s.replace("\r\n", "\n").rstrip()

    return a is not None and norm(a) == norm(b)


def _terminal_copy(text: str, terminal_copy: Callable[[str], None] | None) -> bool:
    if terminal_copy is None:
        return False
    try:
        terminal_copy(text)
        return True
    except Exception:
        return False


def copy(text: str, *, terminal_copy: Callable[[str], None] | None = None) -> CopyResult:
    """Put `text` on a clipboard; the result says which way it went. Never raises."""
    text = clean(text)
    ways: list[str] = ["system", "terminal"]
    if _over_ssh() and terminal_copy is not None:
        ways = ["terminal", "system"]
    for way in ways:
        if way == "system":
            if not _no_display() and _system_copy(text):
                return CopyResult(True, "system", SYSTEM_OK, text)
        elif _terminal_copy(text, terminal_copy):
            return CopyResult(True, "terminal", TERMINAL_OK, text)
    return CopyResult(False, "none", NO_CLIPBOARD, text)
