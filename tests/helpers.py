"""Helpers shared by the test modules (plain functions and classes; the fixtures built on
them are in conftest.py). Import them: `from tests.helpers import settle`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tui.cli import main
from tui.model import Review, Work
from tui.store import Library

SIZE = (120, 40)  # the Pilot terminal of most app tests

# --- the command line ------------------------------------------------------------------


def run(db: Path, *args: str, capsys) -> tuple[int, str, str]:
    """`readinglist --db DB ARGS...` in this process: (exit status, stdout, stderr)."""
    code = main(["--db", str(db), *args])
    out, err = capsys.readouterr()
    return code, out, err


def without_cache(monkeypatch) -> None:
    """No library cache is read (tui.bibcache): library.json is parsed every time."""
    from tui import bibcache

    monkeypatch.setattr(bibcache, "open_reader", lambda *args, **kwargs: None)


# --- the app (Pilot) -------------------------------------------------------------------


@dataclass
class FakeResult:
    ok: bool
    method: str
    message: str = ""


@dataclass
class FakeClipboard:
    """Stands in for the system clipboard: records what the app copied."""

    method: str = "system"
    copied: list[str] = field(default_factory=list)

    def copy(self, text, terminal_copy=None):
        self.copied.append(text)
        if self.method == "terminal":
            terminal_copy(text)
            return FakeResult(True, "terminal", "copied through the terminal")
        if self.method == "none":
            return FakeResult(False, "none", "No clipboard found.")
        return FakeResult(True, "system", "")


async def settle(pilot) -> None:
    """Let messages, workers (citations, copies) and their replies finish."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def set_filter(pilot, text: str) -> None:
    """Fill the filter without typing it key by key (typing is tested once, in
    app/test_main_screen.py)."""
    await pilot.press("slash")
    pilot.app.focused.value = text
    await settle(pilot)


def row_text(worklist, y: int) -> str:
    return worklist.render_line(y).text


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def notifications(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


MARKUP_TITLE = "[bold]x[/bold] and [J] stay [red]literal"


def add_markup_review(lib: Library) -> str:
    """A second review whose text looks like Rich markup: it must be shown literally."""
    review = Review(
        key="markup2024",
        title_en="A [bold]review[/bold] title",
        authors_en=["Doe J"],
        journal_en="J [Test]",
        year=2024,
    )
    works = [
        Work(
            review="markup2024",
            kind="reference",
            n=1,
            key="doe2024",
            authors=["Doe J", "[link=http://x]Roe R[/link]"],
            title=MARKUP_TITLE,
            journal="J [Test]",
            year=2024,
            raw=f"Doe J. {MARKUP_TITLE}[J]. J [Test], 2024.",
        ),
        Work(
            review="markup2024",
            kind="reference",
            n=2,
            key="roe2023",
            authors=["Roe R"],
            title="Second",
            journal="Other",
            year=2023,
        ),
    ]
    key, _ = lib.import_review(review, works)
    return key
