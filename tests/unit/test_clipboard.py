"""tui.clipboard: system clipboard, else the terminal (OSC 52), else say so. Never raises."""

from __future__ import annotations

import pyperclip
import pytest

from tui import clipboard
from tui.clipboard import NO_CLIPBOARD, CopyResult, clean, copy


class FakeSystem:
    def __init__(self, fail=False, paste_back=None):
        self.fail = fail
        self.paste_back = paste_back
        self.copied: list[str] = []

    def copy(self, text):
        if self.fail:
            raise pyperclip.PyperclipException("no copy/paste mechanism")
        self.copied.append(text)

    def paste(self):
        if self.paste_back is not None:
            return self.paste_back
        return self.copied[-1] if self.copied else ""


@pytest.fixture
def system(monkeypatch):
    """A desktop session with a working clipboard, not over SSH."""
    fake = FakeSystem()
    monkeypatch.setattr(pyperclip, "copy", fake.copy)
    monkeypatch.setattr(pyperclip, "paste", fake.paste)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    monkeypatch.delenv(
        "TMUX", raising=False
    )  # (tmux and screen: tests/unit/test_clipboard_tmux.py)
    monkeypatch.delenv("STY", raising=False)
    return fake


def test_system_clipboard(system):
    sent = []
    r = copy("TESKE N, FETT N. Recent advances[J].", terminal_copy=sent.append)
    assert r == CopyResult(
        True,
        "system",
        clipboard.SYSTEM_OK,
        "TESKE N, FETT N. Recent advances[J].",
        "the system clipboard",
    )
    assert system.copied == ["TESKE N, FETT N. Recent advances[J]."]
    assert sent == []  # one way only
    assert "\n" not in r.message


def test_no_system_clipboard_uses_the_terminal_but_claims_nothing(system):
    """OSC 52 cannot be read back (tmux drops it by default): not reported as copied."""
    system.fail = True
    sent = []
    r = copy("text", terminal_copy=sent.append)
    assert (r.ok, r.method) == (False, "terminal")
    assert sent == ["text"]
    assert "OSC 52" in r.message and "\n" not in r.message
    assert "may not pass it on" in r.message and "set -g set-clipboard on" in r.message


def test_neither_way_says_so_and_does_not_raise(system):
    system.fail = True
    r = copy("text")
    assert r == CopyResult(False, "none", NO_CLIPBOARD, "text")

    def broken(text):
        raise RuntimeError("terminal gone")

    r = copy("text", terminal_copy=broken)
    assert (r.ok, r.method, r.message) == (False, "none", NO_CLIPBOARD)


def test_pyperclip_raising_anything_is_caught(system, monkeypatch):
    def boom(text):
        raise OSError("xclip: cannot open display")

    monkeypatch.setattr(pyperclip, "copy", boom)
    assert copy("x").method == "none"


def test_a_copy_that_does_not_read_back_is_not_trusted(system):
    system.paste_back = ""  # xclip without a display "succeeds" silently
    sent = []
    r = copy("text", terminal_copy=sent.append)
    assert r.method == "terminal" and sent == ["text"]


def test_no_display_skips_the_system_clipboard(system, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(clipboard.sys, "platform", "linux")
    sent = []
    r = copy("text", terminal_copy=sent.append)
    if "microsoft" not in clipboard.os.uname().release.lower():
        assert r.method == "terminal" and system.copied == []


def test_over_ssh_the_terminal_goes_first(system, monkeypatch):
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    sent = []
    r = copy("text", terminal_copy=sent.append)
    assert r.method == "terminal" and sent == ["text"] and system.copied == []
    # without a terminal way, the remote system clipboard is still better than nothing
    assert copy("text").method == "system"


def test_control_characters_are_stripped(system):
    nasty = "a\x1b[31mb\x07c\u202ed\te\nf\x9b\x00g\u2066h\r\ni\x7f"
    expected = "a[31mbcd\te\nfgh\ni"
    assert clean(nasty) == expected
    sent = []
    system.fail = True
    r = copy(nasty, terminal_copy=sent.append)
    assert sent == [expected] and r.text == expected


def test_chinese_and_brackets_are_kept(system):
    text = "金诗炜, 潘萌萌, 许捷, 等. 既往…[J]. 内科理论与实践, 2025, 20(4): 289-295."
    assert copy(text).text == text
    assert system.copied == [text]
