"""The organise screens' dialogs: tags, a choice (sort, views) and progress.

Imported when one is opened, not with the main screen: their widgets (OptionList,
Sparkline, a suggester) are not on the first screen, and every import before it paints
is start-up time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, OptionList, Sparkline, Static
from textual.widgets.option_list import Option

from tui.organise import period_label, progress, sparkline
from tui.session import ALL_WORKS
from tui.text import inert

if TYPE_CHECKING:
    from tui.app.screens.main import MainScreen


class TagsScreen(ModalScreen[str | None]):
    """Add tags (comma-separated; -tag removes one), completing from the tags in use."""

    DEFAULT_CSS = """
    #tags-dialog { height: auto; }
    #tags-help { color: $text-muted; margin-bottom: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, current: list[str], known: list[str]) -> None:
        super().__init__()
        self.tags_title = title
        self.current = current
        self.known = known

    def compose(self) -> ComposeResult:
        with Vertical(id="tags-dialog", classes="dialog"):
            yield Label(Text(self.tags_title), classes="dialog-title")
            now = ", ".join(self.current) or "none"
            yield Static(
                Text(
                    f"Now: {now}\nType tags separated by commas; -tag removes one. "
                    "right arrow completes; enter applies; esc cancels."
                ),
                id="tags-help",
            )
            suggestions = [*self.known, *(f"-{t}" for t in self.current)]
            yield Input(
                id="tags-input",
                placeholder="stem cells, -fibrosis",
                suggester=TagSuggester(suggestions),
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TagSuggester(SuggestFromList):
    """Completes the tag being typed: the text after the last comma."""

    def __init__(self, tags: list[str]) -> None:
        super().__init__(tags, case_sensitive=False)

    async def get_suggestion(self, value: str) -> str | None:
        head, comma, last = value.rpartition(",")
        typed = last.lstrip()
        if not typed:
            return None
        found = await super().get_suggestion(typed)
        if found is None:
            return None
        return head + comma + last[: len(last) - len(typed)] + found


class ChoiceScreen(ModalScreen[str | None]):
    """One choice from a list: (id, line) options; returns the chosen id or None."""

    DEFAULT_CSS = """
    #choice-options { height: auto; min-height: 3; max-height: 70vh; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, options: list[tuple[str, str]], current: str) -> None:
        super().__init__()
        self.choice_title = title
        self.options = options
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="choice-dialog", classes="dialog"):
            yield Label(self.choice_title, classes="dialog-title")
            yield OptionList(
                *(Option(Text(inert(line, keep_newlines=False)), id=i) for i, line in self.options),
                id="choice-options",
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [i for i, _ in self.options]
        if self.current in ids:
            options.highlighted = ids.index(self.current)
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ProgressScreen(ModalScreen[None]):
    """P: counts by state, works read per week, and the expected finish, for the review
    shown or (a) for every work of the library."""

    DEFAULT_CSS = """
    #progress-dialog { height: auto; }
    #progress-spark { height: 3; margin: 1 0; }
    """
    BINDINGS = [
        Binding("escape,q,P", "close", "Close"),
        Binding("a", "toggle_all", "This review / all works"),
    ]

    def __init__(self, main: MainScreen) -> None:
        super().__init__()
        self.main = main
        self.all_works = main.session.review_key == ALL_WORKS

    def compose(self) -> ComposeResult:
        with Vertical(id="progress-dialog", classes="dialog"):
            yield Label("", id="progress-title", classes="dialog-title")
            yield Static("", id="progress-counts")
            yield Sparkline([0], id="progress-spark")
            yield Static("", id="progress-weeks")
            yield Static("", id="progress-finish")

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        lib = self.main.library
        session = self.main.session
        if self.all_works:
            works, title = lib.works(), "All works"
        else:
            works = [w for shown in session.lists.values() for w in shown.works]
            title = inert(session.review.short_title, keep_newlines=False) if session.review else ""
        p = progress(works, lib.state_view, lib.settings, by="week", min_periods=12)
        self.progress = p
        other = "this review" if self.all_works else "all works"
        self.query_one("#progress-title", Label).update(
            Text(f"Progress: {title} (a: {other}; esc closes)")
        )
        counts = Text()
        for status, n in p.counts.items():
            counts.append(f"{lib.settings.label(status)} ", style="bold")
            counts.append(f"{n}   ")
        counts.append(f"\n{p.read}/{p.total} read, {p.left} left")
        self.query_one("#progress-counts", Static).update(counts)
        values = [n for _, n in p.series]
        self.query_one("#progress-spark", Sparkline).data = [float(v) for v in values]
        first, last = p.series[0][0], p.series[-1][0]
        weeks = Text(
            f"Read per week, {period_label(first, 'week')} to {period_label(last, 'week')}: "
            f"{sparkline(values)}  (this week {values[-1]}, most {max(values)})"
        )
        self.query_one("#progress-weeks", Static).update(weeks)
        finish = p.finish_date()
        if p.left <= 0:
            text = "Finished: nothing left to read."
        elif finish is None:
            text = f"{p.left} left; no pace yet (nothing read in the last 4 weeks)."
        else:
            text = f"At {p.pace():.1f} a week, the last of {p.left} is read by {finish:%Y-%m-%d}."
        self.query_one("#progress-finish", Static).update(Text(text))

    def action_toggle_all(self) -> None:
        self.all_works = not self.all_works
        self.show()

    def action_close(self) -> None:
        self.dismiss(None)
