"""The online dialogs: add a work by identifier, and confirm unsure matches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from tui.text import inert

if TYPE_CHECKING:
    from tui.online.match import Outcome

ADD_HINT = (
    "A DOI (10.1007/s40257-023-00831-2), pmid:38087156, arXiv:2401.01234 or "
    "isbn:9787302589785. Crossref, PubMed, arXiv or Open Library is asked for the record."
)


class AddScreen(ModalScreen[str | None]):
    """Ask for an identifier; returns it (the screen looks it up) or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = "#add-hint { margin-bottom: 1; }"

    def __init__(self, into: str) -> None:
        super().__init__()
        self.into = into

    def compose(self) -> ComposeResult:
        with Vertical(id="add-dialog", classes="dialog"):
            yield Label("Add by identifier", classes="dialog-title")
            yield Static(Text(f"{ADD_HINT} It goes into {self.into}."), id="add-hint")
            yield Input(placeholder="DOI, pmid:…, arXiv:… or isbn:…", id="add-input")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add (enter)", id="add", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#add")
    def _add(self) -> None:
        self.dismiss(self.query_one(Input).value.strip() or None)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def evidence_text(o: Outcome) -> Text:
    """One unsure match on one line: the work, the identifier offered, what agreed."""
    v = o.unsure[0]
    c = v.candidate
    agreed = ", ".join(v.agreed) or "nothing"
    missing = ", ".join(x for x in ("title", "year", "author") if x not in v.agreed)
    score = f", score {c.score:g}" if c.score is not None else ""
    return Text.assemble(
        (inert(o.work.local_id, keep_newlines=False), "bold"),
        f"  {c.ident}:{inert(c.value, keep_newlines=False)}",
        (f"  {c.service}: {agreed} agree", "green"),
        (f"; {missing} differ" if missing else "", "yellow"),
        (f" (title {v.title_ratio:.0%}{score})", "dim"),
    )


def titles_text(o: Outcome) -> Text:
    """The printed reference and the record offered for it, to compare."""
    c = o.unsure[0].candidate
    years = "/".join(str(y) for y in c.years) or "?"
    text = Text("printed: ", style="bold")
    text.append(inert(o.work.title or o.work.raw, keep_newlines=False))
    text.append(f" ({o.work.year or '?'})", style="dim")
    text.append("\nrecord:  ", style="bold")
    text.append(inert(c.title, keep_newlines=False))
    text.append(f" ({years})", style="dim")
    return text


class ConfirmMatchesScreen(ModalScreen[list[str] | None]):
    """Matches the resolver was unsure of: the reader ticks the right ones, and only
    those are written (returns their work ids; None or [] writes nothing)."""

    BINDINGS = [
        Binding("ctrl+s", "confirm", "Confirm"),
        Binding("escape", "cancel", "Skip"),
    ]
    DEFAULT_CSS = """
    #unsure-list { height: auto; min-height: 3; max-height: 50vh; }
    #unsure-titles { height: auto; margin-top: 1; }
    """

    def __init__(self, outcomes: list[Outcome]) -> None:
        super().__init__()
        self.outcomes = outcomes

    def compose(self) -> ComposeResult:
        items = [Selection(evidence_text(o), o.work.id) for o in self.outcomes if o.unsure]
        with Vertical(id="unsure-dialog", classes="dialog"):
            yield Label(
                f"{len(items)} unsure matches: tick the right ones (space), ctrl+s writes them",
                classes="dialog-title",
            )
            yield SelectionList[str](*items, id="unsure-list")
            yield Static("", id="unsure-titles")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Confirm ticked (ctrl+s)", id="confirm", variant="primary")
                yield Button("Skip all (esc)", id="skip")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()
        self._show_titles(0)

    @on(SelectionList.SelectionHighlighted)
    def _highlighted(self, event: SelectionList.SelectionHighlighted) -> None:
        self._show_titles(event.selection_index)

    def _show_titles(self, index: int) -> None:
        unsure = [o for o in self.outcomes if o.unsure]
        if 0 <= index < len(unsure):
            self.query_one("#unsure-titles", Static).update(titles_text(unsure[index]))

    @on(Button.Pressed, "#confirm")
    def action_confirm(self) -> None:
        self.dismiss(list(self.query_one(SelectionList).selected))

    @on(Button.Pressed, "#skip")
    def action_cancel(self) -> None:
        self.dismiss(None)
