"""Copy text to the clipboard, by whichever way works here, and say which.

1. the system clipboard through pyperclip (pbcopy, xclip/xsel, wl-copy, Windows);
2. inside tmux ($TMUX), tmux's own paste buffer (`tmux load-buffer -w -`), which tmux
   also passes on to the outer terminal's clipboard when its `set-clipboard` allows;
   inside GNU screen ($STY), screen's paste buffer (`readbuf`);
3. else `terminal_copy`, which the app passes as `App.copy_to_clipboard` (OSC 52);
4. else nothing: the caller shows the text so it can be selected by hand.

Only a way whose result is read back counts as a success: pyperclip's X11 backends do
not report failure (xclip without a display just exits), tmux's and screen's buffers
are read back too. OSC 52 cannot be read back, and tmux drops it with its default
`set-clipboard external`, so a text sent that way is reported as *not* known to have
arrived and the caller still shows it to copy by hand.

Over SSH the remote machine's clipboard is not the user's, so there the multiplexer
and the terminal go first. Never raises. No Textual here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tui.text import inert

TMUX_SETTING = "set -g set-clipboard on"
NO_CLIPBOARD = (
    "No clipboard available (install xclip/wl-clipboard or use a terminal with OSC 52); "
    "the text is shown to copy by hand"
)
SYSTEM_OK = "Copied to the system clipboard"
TERMINAL_SENT = (
    "Sent to the terminal (OSC 52), but the terminal may not pass it on "
    f"(in tmux: {TMUX_SETTING}); the text is shown to copy by hand"
)
# where the text went, as "Copied ... to {where}." reads
TMUX_WHERE = {
    "on": "tmux's paste buffer (prefix ] pastes it); tmux passes it on to the terminal's "
    "clipboard if the terminal accepts OSC 52",
    "external": "tmux's paste buffer (prefix ] pastes it); tmux passes it on to the "
    "terminal's clipboard if the terminal accepts OSC 52",
    "off": "tmux's paste buffer (prefix ] pastes it); tmux's set-clipboard is off, so the "
    f"terminal's clipboard does not get it ({TMUX_SETTING})",
    "old": "tmux's paste buffer (prefix ] pastes it); this tmux (before 3.2) does not pass it "
    "on, so the terminal's clipboard may not get it",
}
SCREEN_WHERE = (
    "screen's paste buffer (C-a ] pastes it); screen does not pass it on to the terminal's "
    "clipboard"
)
TIMEOUT = 3.0  # seconds for one tmux/screen command: a hung server must not hang a copy


@dataclass
class CopyResult:
    ok: bool  # the text is known to be on a clipboard or paste buffer (read back)
    method: str  # "system" | "tmux" | "screen" | "terminal" | "none"
    message: str  # one line telling the user which way the text went
    text: str = ""  # the text as copied (control characters removed)
    where: str = ""  # "the system clipboard", "tmux's paste buffer (...)"; "" if not ok


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


def _run(argv: list[str], data: str | None = None) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(
            argv,
            input=None if data is None else data.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):  # not installed, hung, not executable
        return None


def _tmux_copy(text: str) -> str | None:
    """Load `text` into tmux's paste buffer; the TMUX_WHERE key, or None if it failed.

    The tmux client finds the server from $TMUX. `-w` (tmux 3.2+) also sends the buffer
    to the outer terminal's clipboard as far as `set-clipboard` allows; older versions
    refuse the flag, so the plain load is tried next.
    """
    version = "new"
    done = _run(["tmux", "load-buffer", "-w", "-"], text)
    if done is None:
        return None
    if done.returncode != 0:
        version = "old"
        done = _run(["tmux", "load-buffer", "-"], text)
        if done is None or done.returncode != 0:
            return None
    back = _run(["tmux", "show-buffer"])
    if back is None or back.returncode != 0:
        return None
    if not _same(back.stdout.decode("utf-8", "replace"), text):
        return None
    if version == "old":
        return "old"
    setting = _run(["tmux", "show-options", "-gv", "set-clipboard"])
    value = setting.stdout.decode("ascii", "replace").strip() if setting else ""
    return value if value in TMUX_WHERE else "external"


def _screen_copy(text: str) -> bool:
    """Load `text` into GNU screen's paste buffer (`readbuf`), checked with `writebuf`.

    `screen -X` only queues the command, so the file may be removed only once screen has
    read it: screen runs the queued commands in order, so when `writebuf`'s copy appears
    (and matches), `readbuf` is done. The files are in a private directory (mkdtemp, 0700).
    """
    with tempfile.TemporaryDirectory(prefix="readinglist-copy-") as folder:
        src = Path(folder) / "in"
        back = Path(folder) / "out"
        src.write_bytes(text.encode("utf-8"))
        for argv in (
            ["screen", "-X", "readbuf", "-e", "utf8", str(src)],
            ["screen", "-X", "writebuf", "-e", "utf8", str(back)],
        ):
            done = _run(argv)
            if done is None or done.returncode != 0:
                return False
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:  # not a fixed sleep: until screen has written it
            try:
                if _same(back.read_bytes().decode("utf-8", "replace"), text):
                    return True
            except OSError:
                pass
            time.sleep(0.02)
        return False


def _multiplexer() -> str | None:
    if os.environ.get("TMUX"):
        return "tmux"
    if os.environ.get("STY"):
        return "screen"
    return None


def copy(text: str, *, terminal_copy: Callable[[str], None] | None = None) -> CopyResult:
    """Put `text` on a clipboard; the result says which way it went. Never raises."""
    text = clean(text)
    mux = _multiplexer()
    ways: list[str] = ["system", "mux", "terminal"]
    if _over_ssh():
        ways = ["mux", "terminal", "system"] if terminal_copy is not None else ["mux", "system"]
    for way in ways:
        if way == "system":
            if not _no_display() and _system_copy(text):
                return CopyResult(True, "system", SYSTEM_OK, text, "the system clipboard")
        elif way == "mux":
            try:
                if mux == "tmux":
                    how = _tmux_copy(text)
                    if how is not None:
                        where = TMUX_WHERE[how]
                        return CopyResult(True, "tmux", f"Copied to {where}", text, where)
                elif mux == "screen" and _screen_copy(text):
                    return CopyResult(
                        True, "screen", f"Copied to {SCREEN_WHERE}", text, SCREEN_WHERE
                    )
            except Exception:  # never raise: a copy that failed is said, not thrown
                pass
        elif _terminal_copy(text, terminal_copy):
            # cannot be read back, so not a success; over SSH the remote system
            # clipboard (the way left) is not the user's, so stop here either way
            return CopyResult(False, "terminal", TERMINAL_SENT, text)
    return CopyResult(False, "none", NO_CLIPBOARD, text)
