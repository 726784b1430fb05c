"""What thread workers report back: messages, handled on the main thread with `@on`.

`post_message` is thread-safe, so a worker posts one of these to its screen instead of
calling back into widgets through `call_from_thread`: the handlers run in the message
loop, in the order posted, and are found by their type rather than by a callback name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from textual.message import Message

from tui.errors import ReadingListError
from tui.model import Work

if TYPE_CHECKING:
    from tui.clipboard import CopyResult
    from tui.query import Index
    from tui.store import Library


M = TypeVar("M", bound=type[Message])
_NO_DEFAULT = object()


def fields(cls: M) -> M:
    """A message's fields from its annotations, given by position or keyword, as
    `dataclasses.dataclass` takes them (its defaults from the class), but without
    generating code: dataclass compiles an __init__, __repr__ and __eq__ per class, 3 ms
    of the app's start for these 13. Then Message's own initialisation, as dataclass's
    __init__ does through __post_init__."""
    names = tuple(cls.__dict__.get("__annotations__", {}))
    defaults = tuple(cls.__dict__.get(n, _NO_DEFAULT) for n in names)

    def __init__(self: Message, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__}() takes {len(names)} arguments, got {len(args)}")
        for name, default, value in zip(
            names, defaults, (*args, *[_NO_DEFAULT] * len(names)), strict=False
        ):
            if name in kwargs:
                if value is not _NO_DEFAULT:
                    raise TypeError(f"{cls.__name__}() got {name!r} twice")
                value = kwargs.pop(name)
            elif value is _NO_DEFAULT:
                if default is _NO_DEFAULT:
                    raise TypeError(f"{cls.__name__}() missing {name!r}")
                value = default
            setattr(self, name, value)
        if kwargs:
            raise TypeError(f"{cls.__name__}() got unexpected {', '.join(map(repr, kwargs))}")
        Message.__init__(self)

    def __rich_repr__(self: Message) -> Any:  # what Textual's log shows of a message
        for name in names:
            yield name, getattr(self, name)

    cls.__init__ = __init__  # type: ignore[misc]
    cls.__rich_repr__ = __rich_repr__  # type: ignore[method-assign]
    return cls


@fields
class LibraryOpened(Message):
    """The library opened in a thread is ready to show."""

    library: Library


@fields
class LibraryFailed(Message):
    """The library could not be opened: the app leaves and run_app raises `error`."""

    error: ReadingListError


@fields
class WorksLoaded(Message):
    """Works `start`.. of list `kind`, loaded in a thread for session generation `generation`."""

    generation: int
    kind: str
    start: int
    works: list[Work]


@fields
class IndexesReady(Message):
    """Search indexes built in a thread for the lists of session generation `generation`."""

    generation: int
    built: dict[str, Index]


@fields
class FilterDone(Message):
    """A filter run in a thread (`FilterJob` `seq`) found `rows` (kind -> row indices)."""

    seq: int
    rows: dict[str, list[int]]


@fields
class CitationReady(Message):
    """`work` formatted in `style` for the detail pane; `ok` False: `text` says why not."""

    work: Work
    style: str
    text: str
    ok: bool = True
    punct: str = "standard"  # GB/T punctuation (jobs.PUNCT)


@fields
class TerminalCopy(Message):
    """Send `text` to the terminal's clipboard (OSC 52), which only the app can write to."""

    text: str


@fields
class Copied(Message):
    """A copy finished: `result` says where the text went (or that it went nowhere)."""

    result: CopyResult
    text: str
    what: str
    intro: str = ""  # set when a link is copied because no browser could open it


@fields
class CopyFailed(Message):
    """The text to copy could not be formatted (e.g. a style that cannot be loaded)."""

    error: str


@fields
class FileDone(Message):
    """An import or export run in a thread finished: `text` says what it did or why not;
    `review` is the key of the review imported (the screen shows it)."""

    text: str
    ok: bool = True
    review: str | None = None


@fields
class OnlineProgress(Message):
    """Online job `job` has done `done` of `total` works (`label`: the one it is at)."""

    job: int
    done: int
    total: int
    label: str


@fields
class OnlineDone(Message):
    """Online job `job` (`kind`: fetch, resolve or add) finished: `result` is what the
    core's task returned (changes, outcomes or a new Work); nothing is written yet."""

    job: int
    kind: str
    result: object


@fields
class OnlineFailed(Message):
    """Online job `job` stopped: `error` is one line (no network, a service error)."""

    job: int
    error: str
    offline: bool = False
