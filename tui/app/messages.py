"""What thread workers report back: messages, handled on the main thread with `@on`.

`post_message` is thread-safe, so a worker posts one of these to its screen instead of
calling back into widgets through `call_from_thread`: the handlers run in the message
loop, in the order posted, and are found by their type rather than by a callback name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from tui.errors import ReadingListError
from tui.model import Work

if TYPE_CHECKING:
    from tui.clipboard import CopyResult
    from tui.query import Index
    from tui.store import Library


@dataclass
class LibraryOpened(Message):
    """The library opened in a thread is ready to show."""

    library: Library


@dataclass
class LibraryFailed(Message):
    """The library could not be opened: the app leaves and run_app raises `error`."""

    error: ReadingListError


@dataclass
class WorksLoaded(Message):
    """Works `start`.. of list `kind`, loaded in a thread for session generation `generation`."""

    generation: int
    kind: str
    start: int
    works: list[Work]


@dataclass
class IndexesReady(Message):
    """Search indexes built in a thread for the lists of session generation `generation`."""

    generation: int
    built: dict[str, Index]


@dataclass
class FilterDone(Message):
    """A filter run in a thread (`FilterJob` `seq`) found `rows` (kind -> row indices)."""

    seq: int
    rows: dict[str, list[int]]


@dataclass
class CitationReady(Message):
    """`work` formatted in `style` for the detail pane; `ok` False: `text` says why not."""

    work: Work
    style: str
    text: str
    ok: bool = True
    punct: str = "standard"  # GB/T punctuation (jobs.PUNCT)


@dataclass
class TerminalCopy(Message):
    """Send `text` to the terminal's clipboard (OSC 52), which only the app can write to."""

    text: str


@dataclass
class Copied(Message):
    """A copy finished: `result` says where the text went (or that it went nowhere)."""

    result: CopyResult
    text: str
    what: str
    intro: str = ""  # set when a link is copied because no browser could open it


@dataclass
class CopyFailed(Message):
    """The text to copy could not be formatted (e.g. a style that cannot be loaded)."""

    error: str


@dataclass
class FileDone(Message):
    """An import or export run in a thread finished: `text` says what it did or why not;
    `review` is the key of the review imported (the screen shows it)."""

    text: str
    ok: bool = True
    review: str | None = None


@dataclass
class OnlineProgress(Message):
    """Online job `job` has done `done` of `total` works (`label`: the one it is at)."""

    job: int
    done: int
    total: int
    label: str


@dataclass
class OnlineDone(Message):
    """Online job `job` (`kind`: fetch, resolve or add) finished: `result` is what the
    core's task returned (changes, outcomes or a new Work); nothing is written yet."""

    job: int
    kind: str
    result: object


@dataclass
class OnlineFailed(Message):
    """Online job `job` stopped: `error` is one line (no network, a service error)."""

    job: int
    error: str
    offline: bool = False
