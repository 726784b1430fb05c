"""The command palette's own entries: every action (with its key), style and review."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape as escape_markup

from tui.app.jobs import style_catalogue
from tui.app.keys import palette_entries
from tui.errors import ReadingListError
from tui.session import ALL_WORKS
from tui.text import inert

if TYPE_CHECKING:
    from tui.app.app import ReadingListApp


def _run(screen, action: str):
    """Run a palette entry's action, unless it must wait (the screen then says why);
    the palette awaits what this returns."""
    return None if screen.refused(action) else screen.run_action(action)


class ReadingListCommands(Provider):
    """Every action of the app, every citation style and every review in the palette."""

    if TYPE_CHECKING:

        @property
        def app(self) -> ReadingListApp: ...

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        screen = app.main
        out: list[tuple[str, str, Callable[[], object]]] = []
        for title, help_text, action in palette_entries():
            out.append((title, help_text, partial(_run, screen, action)))
        for name, description in style_catalogue().items():
            out.append((f"Citation style: {name}", description, partial(app.set_style, name)))
        try:
            reviews = app.library.reviews() if app.library is not None else []
        except ReadingListError:
            reviews = []
        if len(reviews) > 1:
            out.append(
                (
                    "Review: All works",
                    "Every work of every review and collection",
                    partial(screen.open_review, ALL_WORKS),
                )
            )
            for review in reviews:
                out.append(
                    (
                        f"Review: {inert(review.title, keep_newlines=False)}",
                        f"Open review {review.key}",
                        partial(screen.open_review, review.key),
                    )
                )
        return out

    async def discover(self) -> Hits:
        for title, help_text, command in self._commands():
            yield DiscoveryHit(Text(title), command, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._commands():
            score = matcher.match(title)
            if score > 0:
                # highlight() reads markup: escape, so a title's "[J]" stays text
                shown = matcher.highlight(escape_markup(title))
                yield Hit(score, shown, command, text=title, help=help_text)
