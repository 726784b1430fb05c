"""Errors the user can cause. Each renders as one line; the CLI exits 2 on them."""

from __future__ import annotations


class ReadingListError(Exception):
    """A user-facing error: str(err) is a single clear line, no traceback is shown."""

    exit_code = 2


class ParseError(ReadingListError):
    """Malformed input: names the file and, where known, the place (line/record)."""

    def __init__(self, message: str, *, file: str = "", place: str = "") -> None:
        self.file = file
        self.place = place
        self.detail = message
        where = ": ".join(x for x in (file, place) if x)
        super().__init__(f"{where}: {message}" if where else message)


class NotFound(ReadingListError):
    """Unknown ID, review, style or file."""


class StoreError(ReadingListError):
    """The database cannot be read or written (damaged, locked, read-only, full disk)."""
