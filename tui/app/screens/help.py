"""Every key of the app, the filter language and the credits."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.app.widgets.panes import Fields

# Everything README's "Filter language" lists (tui/query.py is the reference).
FILTER_HELP = [
    ("words", "match anywhere (case- and accent-insensitive; all must match)"),
    ('"quoted phrase"', "match the words together, in this order"),
    ("author:  title:  journal:", 'match in one field (author:sullivan, title:"stem cell")'),
    ("doi:  pmid:  note:", "part of the DOI, the PMID, your note"),
    ("year:2015", "one year"),
    ("year:2015..2020", "a range of years (open ends: year:2015..  year:..2010)"),
    ("n:16  n:1..10", "the number in its list"),
    ("status:unread|queued|reading|read|skipped", "by reading status (or your own names)"),
    ("prio:1  prio:1..2  prio:none", "by priority (1 is the highest)"),
    ("tag:fibrosis", "part of one of your tags"),
    ("changed:week|today|month|7d", "when the status last changed (or 2025-03-01..2025-03-31)"),
    ("type:J", "GB/T 7714 type code: J journal, M book, D thesis, C proceedings…"),
    ("kind:reference|related", "references or related articles"),
    ("has:doi|pmid|note", "works that have one (also has:url, has:pages)"),
    ("-word  -field:value", "exclude works that match"),
    ("a or b", "either side (also OR, |)"),
]


def help_text(sections: list[tuple[str, list[tuple[str, str]]]], credits: str) -> Fields:
    """Keys and the filter language as rows whose descriptions wrap under themselves."""
    out = Fields()
    for title, rows in sections:
        out.text(title, style="bold underline")
        for keys, description in rows:
            out.row(keys, description)
        out.text("")
    out.text("Filter language", style="bold underline")
    for syntax, description in FILTER_HELP:
        out.row(syntax, description)
    if credits:
        out.text("")
        out.text("Credits", style="bold underline")
        out.text(credits.strip())
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
