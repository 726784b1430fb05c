"""The CLI's argparse parser class (tui.cli imports it, and argparse, only when it builds
the parser: the app's plain launch is read without it, see tui.cli._plain_launch)."""

from __future__ import annotations

import argparse
import sys

from tui.text import inert


class Parser(argparse.ArgumentParser):
    """argparse, with its messages made as inert as the rest of the output.

    argparse echoes the arguments it rejects ("unrecognized arguments: ...", "invalid
    choice: ..."), so an escape sequence typed or pasted into an argument (OSC 52 sets
    the clipboard) would reach the terminal: every message it prints passes inert().
    """

    def error(self, message: str):  # one line, exit 2, as for every user error
        message = inert(message, keep_newlines=False)
        hint = self._did_you_mean(message)
        if hint:
            message = f"{message}; did you mean '{hint}'?"
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def _did_you_mean(self, message: str) -> str:
        """For "argument X: invalid choice: 'lsit'", the nearest choice of X ("list")."""
        import difflib
        import re

        m = re.match(r"argument (.+?): invalid choice: (['\"])(.*?)\2", message)
        if not m:
            return ""
        for action in self._actions:
            name = "/".join(action.option_strings) or action.metavar or action.dest
            if name == m[1] and action.choices:
                near = difflib.get_close_matches(m[3].lower(), [str(c) for c in action.choices], 1)
                return near[0] if near else ""
        return ""

    def _print_message(self, message: str, file=None) -> None:
        # (usage, help, --version and exit messages all go through here)
        if message:
            file = file or sys.stderr
            try:
                file.write(inert(message))
            except (AttributeError, OSError):  # as argparse: no stream, nothing to say
                pass
