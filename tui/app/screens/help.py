"""Every key of the app, the filter language and the credits."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

FILTER_HELP = [
    ("words", "match anywhere (case- and accent-insensitive; all must match)"),
    ('"a phrase"', "match the words together"),
    ("-word", "exclude works that match"),
    ("author:  title:  journal:", "match in one field"),
    ("year:2015..2020  year:2018", "a year or a range"),
    ("status:unread|reading|read", "by reading status"),
    ("has:doi  has:pmid  has:note", "works that have one"),
]


def help_text(sections: list[tuple[str, list[tuple[str, str]]]], credits: str) -> Text:
    width = max((len(k) for _, rows in sections for k, _ in rows), default=8) + 2
    out = Text()
    for title, rows in sections:
        out.append(title + "\n", style="bold underline")
        for keys, description in rows:
            out.append(keys.ljust(width), style="bold")
            out.append(description + "\n")
        out.append("\n")
    out.append("Filter language\n", style="bold underline")
    fw = max(len(k) for k, _ in FILTER_HELP) + 2
    for syntax, description in FILTER_HELP:
        out.append(syntax.ljust(fw), style="bold")
        out.append(description + "\n")
    if credits:
        out.append("\nCredits\n", style="bold underline")
        out.append(credits.strip() + "\n")
    return out


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close")]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]], credits: str) -> None:
        super().__init__()
        self.sections = sections
        self.credits = credits

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog"):
            yield Label("Keys (esc to close)", classes="dialog-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(help_text(self.sections, self.credits), id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
