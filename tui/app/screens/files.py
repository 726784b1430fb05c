"""The palette's file and overview commands: Import file…, Export…, Progress, Sort.

Each says its command-line equivalent, so the palette also teaches the CLI. Import and
export go through the core in a thread (tui/app/jobs.py) and report with a FileDone
message; the dialog only asks for a path.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

if TYPE_CHECKING:
    from tui.app.app import ReadingListApp


class PathScreen(ModalScreen[str | None]):
    """Ask for a file path: enter uses it, escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, hint: str, value: str = "") -> None:
        super().__init__()
        self.path_title = title
        self.hint = hint
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="path-dialog", classes="dialog"):
            yield Label(Text(self.path_title), classes="dialog-title")
            yield Static(Text(self.hint), id="path-hint")
            yield Input(self.value, placeholder="path of the file", id="path")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_import(app: ReadingListApp) -> None:
    hint = (
        "A .bib, .ris, CSL-JSON (.json) or CSL-YAML file, PubMed MEDLINE (.nbib), Web of "
        "Science (.ciw) or Ovid (.cgi) export, or a review page (.txt/.html). "
        "The same as: readinglist import FILE"
    )
    screen = PathScreen("Import file (enter to import, esc to cancel)", hint)
    app.push_screen(screen, lambda path: app.import_file(path) if path else None)


def ask_export(app: ReadingListApp) -> None:
    main = app.main
    works = main.session.targets(None) or main.refs.visible_works + main.rels.visible_works
    what = "the selected works" if main.session.selection else "the works shown"
    hint = (
        f"Writes {what} ({len(works)}) in {app.style_name}, numbered as the style prints "
        "its list; a .bib, .ris, .json or .md name writes that format instead. "
        "The same as: readinglist export --format STYLE -o FILE"
    )
    screen = PathScreen("Export (enter to write, esc to cancel)", hint, "references.txt")
    app.push_screen(screen, lambda path: app.export_file(works, path) if path else None)


def save_screenshot(app: ReadingListApp, filename: str | None, path: str | None) -> None:
    """Save an SVG of the screen in `path` (else the current folder, else the data
    folder), and say where."""
    folders = [Path(path)] if path else [Path.cwd()]
    with contextlib.suppress(Exception):
        from tui.paths import data_dir

        folders.append(Path(data_dir()))
    errors = []
    for i, folder in enumerate(folders):
        try:
            if i:  # the data folder may not exist yet; the current one must
                folder.mkdir(parents=True, exist_ok=True)
            saved = app.save_screenshot(filename, str(folder))
        except OSError as err:
            errors.append(f"{folder}: {err.strerror or err}")
            continue
        app.notify(f"Screenshot saved as {saved}", title="Screenshot", markup=False)
        return
    app.notify(
        "Screenshot not saved: " + "; ".join(errors),
        title="Screenshot",
        severity="error",
        markup=False,
    )
