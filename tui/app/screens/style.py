"""The citation style chooser, with a live preview of the highlighted work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from time import monotonic

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.app.jobs import style_label
from tui.model import Work
from tui.text import inert

TYPE_AHEAD = 1.0  # seconds between keys that still continue a typed name
PUNCT_MEANING = {  # GB/T punctuation (jobs.PUNCT, the CLI's --punct) -> what it prints
    "standard": "as the edition prints it",
    "half": "half-width throughout",
    "bylanguage": "full-width for CJK works",  # Chinese, Japanese, Korean
}


class StyleScreen(ModalScreen[tuple[str, str] | None]):
    """OptionList of styles; the preview follows the highlight. Returns the chosen
    (style, GB/T punctuation), None on escape.

    Typing jumps: "v" goes to vancouver, "am" to ama (letters typed within TYPE_AHEAD
    seconds continue the name; a letter that continues nothing starts again). Left and
    right change GB/T's punctuation, not a letter: "p" jumps to printed.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("right", "punct(1)", "Punctuation", show=False),
        Binding("left", "punct(-1)", "Punctuation", show=False),
    ]

    def __init__(
        self,
        styles: dict[str, str],
        current: str,
        work: Work | None,
        formatter: Callable[[Work, str, str], str],
        punct: str = "standard",
    ) -> None:
        super().__init__()
        self.catalogue = styles
        self.current = current
        self.work = work
        self.formatter = formatter
        self.punct = punct if punct in PUNCT_MEANING else "standard"
        self.previews: dict[tuple[str, str], str] = {}
        self.formatting = False
        self._typed = ""
        self._typed_at = 0.0

    def compose(self) -> ComposeResult:
        options = []
        width = max((len(n) for n in self.catalogue), default=8)
        for name, description in self.catalogue.items():
            prompt = Text.assemble(
                ("● " if name == self.current else "  ", "bold"),
                (name.ljust(width), "bold"),
                ("  " + inert(description, keep_newlines=False), "dim"),
            )
            options.append(Option(prompt, id=name))
        with Vertical(id="style-dialog", classes="dialog"):
            yield Label(self._title(), id="style-title", classes="dialog-title")
            yield OptionList(*options, id="style-options")
            with VerticalScroll(id="style-preview-box"):
                yield Static("", id="style-preview", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        names = list(self.catalogue)
        if self.current in names:
            options.highlighted = names.index(self.current)
        options.focus()
        self._preview(self.current)

    def _title(self) -> Text:
        return Text.assemble(
            "Citation style (enter to choose, esc to cancel)\n",
            (f"GB/T punctuation: {self.punct}, {PUNCT_MEANING[self.punct]} (←/→)", "not bold"),
        )

    def action_punct(self, step: int) -> None:
        names = list(PUNCT_MEANING)
        self.punct = names[(names.index(self.punct) + step) % len(names)]
        self.query_one("#style-title", Label).update(self._title())
        option = self.query_one(OptionList).highlighted_option
        self._preview(option.id if option is not None and option.id else self.current)

    def on_key(self, event: events.Key) -> None:
        char = (event.character or "").lower()
        if len(char) != 1 or not char.isprintable() or char == " ":
            return
        now = monotonic()
        typed = (self._typed if now - self._typed_at < TYPE_AHEAD else "") + char
        self._typed_at = now
        names = [name.lower() for name in self.catalogue]
        for prefix in (typed, char):
            found = next((i for i, name in enumerate(names) if name.startswith(prefix)), None)
            if found is not None:
                self._typed = prefix
                self.query_one(OptionList).highlighted = found
                event.stop()
                return

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self._preview(event.option.id)

    def _preview(self, style: str) -> None:
        preview = self.query_one("#style-preview", Static)
        if self.work is None:
            preview.update(Text("No work highlighted to preview.", style="italic"))
            return
        punct = self.punct
        head = Text(f"{self.work.local_id} in {style_label(style, punct)}:\n", style="bold")
        if (style, punct) in self.previews:
            preview.update(head + Text(self.previews[style, punct]))
            return
        preview.update(head + Text("formatting…", style="dim"))
        if not self.formatting:  # one thread at a time; the latest request waits
            self.formatting = True
            self._format(style, punct)

    @work(thread=True, group="style-preview", description="preview")
    def _format(self, style: str, punct: str) -> None:
        try:
            text = inert(self.formatter(self.work, style, punct))
        except Exception as err:  # a style that cannot format this work says why
            text = f"(cannot format in {style}: {inert(str(err), keep_newlines=False)})"
        self.post_message(self.Formatted(style, punct, text))

    @dataclass
    class Formatted(Message):
        """A preview formatted in the thread."""

        style: str
        punct: str
        text: str

    @on(Formatted)
    def _formatted(self, message: Formatted) -> None:
        self.previews[message.style, message.punct] = message.text
        self.formatting = False
        option = self.query_one(OptionList).highlighted_option
        if option is not None and option.id:
            self._preview(option.id)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss((event.option.id, self.punct))

    def action_cancel(self) -> None:
        self.dismiss(None)
