"""Small modal screens: note editor (and its unsaved-changes question), copy-by-hand,
review chooser."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from tui.model import Review
from tui.text import inert


class NoteScreen(ModalScreen[str | None]):
    """Edit the note of a work: ctrl+s saves, escape cancels. Returns the note or None.

    Changed text is never thrown away on one key: escape (and ctrl+q, which would quit
    the app: see `ask_before_quit`) ask first whether to save it, discard it or keep
    editing.
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, note: str) -> None:
        super().__init__()
        self.note_title = title
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog", classes="dialog"):
            yield Label(Text(self.note_title), id="note-title", classes="dialog-title")
            yield TextArea(self.note, id="note-text", soft_wrap=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @property
    def changed(self) -> bool:
        return self.query_one(TextArea).text != self.note

    def ask_before_quit(self) -> bool:
        """The app is about to quit: True (and ask) when that would lose changed text."""
        if self.changed:
            self.action_cancel()
            return True
        return False

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        if not self.changed:
            self.dismiss(None)
            return
        self.app.push_screen(DiscardNoteScreen(), self._answered)

    def _answered(self, answer: str | None) -> None:
        if answer == "save":
            self.action_save()
        elif answer == "discard":
            self.dismiss(None)
        else:  # keep editing
            self.query_one(TextArea).focus()

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()


class DiscardNoteScreen(ModalScreen[str]):
    """The note was changed and is about to be closed: "save", "discard" or "keep".

    Keep editing is the default (escape, enter on the focused button), so a second
    stray key cannot lose the text either.
    """

    BINDINGS = [
        Binding("s", "answer('save')", "Save"),
        Binding("d", "answer('discard')", "Discard"),
        Binding("escape,k", "answer('keep')", "Keep editing"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="discard-dialog", classes="dialog"):
            yield Label("The note has unsaved changes", classes="dialog-title")
            yield Static("Save them, discard them, or keep editing?")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (s)", id="save", variant="primary")
                yield Button("Discard (d)", id="discard", variant="error")
                yield Button("Keep editing (esc)", id="keep")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    def ask_before_quit(self) -> bool:
        return True  # the question is on screen: answer it first

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "keep")


class CopyTextScreen(ModalScreen[None]):
    """No clipboard could take the text: show it, selectable, to copy by hand."""

    BINDINGS = [Binding("escape,q", "close", "Close")]

    def __init__(self, title: str, message: str, text: str) -> None:
        super().__init__()
        self.copy_title = title
        self.message = message
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="copy-dialog", classes="dialog"):
            yield Label(Text(self.copy_title), classes="dialog-title")
            yield Static(Text(self.message), id="copy-message")
            yield TextArea(inert(self.text), id="copy-text", read_only=True, soft_wrap=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close (esc)", id="close", variant="primary")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.select_all()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)


class ReviewScreen(ModalScreen[str | None]):
    """Choose another review or collection of the database."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, reviews: list[Review], current: str | None, counts: dict[str, int]) -> None:
        super().__init__()
        self.reviews = reviews
        self.current = current
        self.counts = counts

    def compose(self) -> ComposeResult:
        options = [
            Option(
                Text.assemble(
                    ("● " if self.current == "*" else "  ", "bold"),
                    ("All works", "bold"),
                    (f"  {self.counts.get('*', 0)} works of every review", "dim"),
                ),
                id="*",
            )
        ]
        for review in self.reviews:
            prompt = Text.assemble(
                ("● " if review.key == self.current else "  ", "bold"),
                (inert(review.title, keep_newlines=False), "bold"),
                (f"  {inert(review.key, keep_newlines=False)}", "dim"),
                (f"  {self.counts.get(review.key, 0)} works", "dim"),
            )
            options.append(Option(prompt, id=review.key))
        with Vertical(id="review-dialog", classes="dialog"):
            yield Label("Switch review (enter to open, esc to cancel)", classes="dialog-title")
            yield OptionList(*options, id="review-options")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        for i, review in enumerate(self.reviews):
            if review.key == self.current:
                options.highlighted = i + 1  # after "All works"
        if self.current == "*":
            options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
