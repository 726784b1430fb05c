"""What the app does off the main thread, as plain functions: formatting and copying.

The workers in screens/main.py call these and post the message they return. Heavy
modules (citeproc, bibtexparser via tui.cite) are imported here on first use, so the
first screen paints about as fast as a bare Textual app.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from textual.message import Message

from tui.app.messages import CitationReady, Copied, CopyFailed, FileDone
from tui.model import Work
from tui.text import inert

DEFAULT_STYLE = "gbt7714"
# GB/T punctuation as `--punct` names it: tui.cite.gbt7714.punct.PUNCT, spelt out here
# because importing it at start costs 33 ms (tests check the two agree)
PUNCT = ("standard", "half", "bylanguage")
STYLE_FALLBACK = {
    "gbt7714": "GB/T 7714-2015 numeric",
    "printed": "the reference as the source printed it",
}


def style_catalogue() -> dict[str, str]:
    """Style name -> description, from tui.cite (imported on first use)."""
    try:
        from tui.cite import STYLES

        return dict(STYLES)
    except ImportError:  # the formatters are not installed yet
        return dict(STYLE_FALLBACK)


def format_citation(work: Work, style: str, punct: str = "standard") -> str:
    """`punct` is GB/T's punctuation width (PUNCT); other styles ignore it."""
    from tui.cite import format_citation as fmt

    return fmt(work, style=style, punct=punct)


def format_bibliography(works: list[Work], style: str, punct: str = "standard") -> str:
    """Numbered as the style prints its list ("[1] ", "1. "), as `export` numbers it."""
    from tui.cite import format_bibliography as fmt

    return fmt(works, style, numbered=True, punct=punct)


def style_label(style: str, punct: str) -> str:
    """How the app names a style: "apa", or "gbt7714, half punctuation"."""
    return style if punct == "standard" else f"{style}, {punct} punctuation"


def cite_credits() -> str:
    try:
        from tui.cite import credits

        return credits()
    except ImportError:
        return ""


def preload_style(style: str) -> None:
    """Build a CSL style's engine now, so no copy waits for it: citeproc-js takes 1-3 s
    to build APA or Chicago (docs/CSL-ENGINE.md). A style that cannot load says so
    when it is used, not here."""
    try:
        from tui.cite import preload

        preload(style)
    except Exception:  # said by the detail pane or the copy that uses the style
        pass


def cite_for_detail(work: Work, style: str, punct: str = "standard") -> CitationReady:
    """The detail pane's citation of `work`; a style that fails says why instead."""
    try:
        return CitationReady(work, style, format_citation(work, style, punct), punct=punct)
    except Exception as err:  # the detail pane says why instead of crashing
        text = f"(cannot format in {style}: {err})"
        return CitationReady(work, style, text, ok=False, punct=punct)


@dataclass
class CopyJob:
    """What to copy: citations, a bibliography, a DOI, or `text` as it is (a link).

    `cached` holds citations the detail pane has formatted already (Work.id -> text):
    those are not formatted again.
    """

    works: list[Work]
    style: str
    mode: str  # "citations" | "bibliography" | "doi" | "text"
    what: str  # how the notification names it: "ref16 in apa"
    text: str = ""
    intro: str = ""
    cached: dict[str, str] = field(default_factory=dict)
    punct: str = "standard"

    def render(self) -> str:
        if self.mode == "text":
            return self.text
        if self.mode == "doi":
            return self.works[0].doi
        if self.mode == "bibliography":
            return format_bibliography(self.works, self.style, self.punct)
        return "\n".join(
            self.cached.get(w.id) or format_citation(w, self.style, self.punct) for w in self.works
        )


def run_copy(job: CopyJob, terminal_copy: Callable[[str], None]) -> Message:
    """Format and copy `job` (in a thread); the message says how it went."""
    try:
        text = job.render()
    except Exception as err:  # e.g. a style that cannot be loaded
        return CopyFailed(inert(str(err), keep_newlines=False))
    from tui import clipboard

    result = clipboard.copy(text, terminal_copy=terminal_copy)
    return Copied(result, text, job.what, job.intro)


def no_browser() -> str:
    """Why no web browser can be opened here ("" when one probably can).

    Textual's open_url calls webbrowser.open and ignores the result. On Linux without
    a display, webbrowser would start a text browser (lynx, w3m) inside this very
    terminal, or nothing at all; so there we only trust an explicit $BROWSER.
    """
    import webbrowser

    if os.environ.get("BROWSER"):
        return ""
    if not sys.platform.startswith(("win", "darwin", "cygwin")):
        wsl = "microsoft" in os.uname().release.lower()
        if not wsl and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return "no graphical display here (DISPLAY is not set)"
    try:
        webbrowser.get()
    except webbrowser.Error:
        return "no web browser found"
    return ""


# --- the palette's Import file… and Export… (through the core, as the CLI does) ---------

EXPORT_FORMATS = {".bib": "bibtex", ".ris": "ris", ".json": "csl-json", ".md": "markdown"}


def run_import(library, path: str) -> FileDone:
    """Import the file at `path` as `readinglist import` does; one line says what it did."""
    from pathlib import Path

    from tui.errors import ReadingListError
    from tui.sources import load_file

    try:
        file = Path(path).expanduser()
        review, works = load_file(file)
        try:
            review.source = os.fspath(file.resolve())
        except (OSError, RuntimeError):
            pass
        done = library.import_review(review, works)
    except ReadingListError as err:
        return FileDone(str(err), ok=False)
    key, created = done
    n = len(works)
    what = f"{'Created' if created else 'Updated'} {key}: {n} work{'s' if n != 1 else ''}"
    if done.removed:
        what += f", {len(done.removed)} removed (no longer in the file)"
    return FileDone(what + ".", review=key)


def run_export(
    works: list[Work], states, style: str, path: str, title: str, punct: str = "standard"
) -> FileDone:
    """Write `works` to `path` as `readinglist export` does: the format follows the file's
    extension (.bib, .ris, .json, .md), else the citation style, numbered as it prints."""
    from pathlib import Path

    from tui.cite import check_style, export_markdown, format_bibliography
    from tui.errors import ReadingListError
    from tui.fsutil import atomic_write_bytes

    file = Path(path).expanduser()
    fmt = EXPORT_FORMATS.get(file.suffix.lower(), style)
    try:
        if not file.parent.is_dir():
            return FileDone(f"Cannot write {path}: folder {file.parent} does not exist.", False)
        if fmt == "markdown":
            text = export_markdown(works, states, title=title, punct=punct)
        else:
            text = format_bibliography(works, check_style(fmt), numbered=True, punct=punct)
        atomic_write_bytes(file, (text if text.endswith("\n") else text + "\n").encode("utf-8"))
    except (ReadingListError, OSError) as err:
        return FileDone(f"Not exported: {err}", ok=False)
    n = len(works)
    return FileDone(f"Wrote {n} work{'s' if n != 1 else ''} in {fmt} to {file}.")
