"""The reader's settings file: the names of the reading states, and what `o` does.

A small TOML file beside the library (`settings_path_for`: ``library.json`` ->
``library.settings.toml``, ``reading.db`` -> ``reading.db-settings.toml``), written by
hand; a missing file means the defaults::

    # readinglist settings
    open_marks_reading = true      # opening a work (o) moves unread/queued to reading

    [states]                       # stored name = the name shown and typed
    unread = "unread"
    queued = "to read"             # renamed: `status:"to read"`, `mark ref1 "to read"`
    reading = "reading"
    read = "done"
    skipped = "skipped"
    later = "maybe later"          # a state of one's own

The stored name never changes (renaming a state rewrites no data); the shown name is
what the filter, `mark`, `stats`, exports and the app use, and the stored name is
accepted too. The built-in states are always there (a file may rename, not remove
them), in the order unread, queued, reading, read, skipped, then the reader's own.

Read with the standard library's tomllib (no writer needed: the reader edits the file).
A file that cannot be read is one clear error (`SettingsError`), never a traceback.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from tui.diskformat import STATUS_NAME
from tui.errors import ReadingListError
from tui.model import ReadStatus


def _tomllib():
    """The TOML parser, imported when a settings file exists (~1.5 ms that the app's
    start does not pay when there is none)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - the same parser, before it joined the standard library
        import tomli as tomllib
    return tomllib


BUILTIN = tuple(s.value for s in ReadStatus)
# Work through the queue in this order: what still counts as "to be read" for progress
OPEN_STATES = ("unread", "queued", "reading")
MAX_STATES = 32


class SettingsError(ReadingListError):
    """The settings file is there but cannot be used (one line, naming the file)."""


def settings_path_for(path: Path) -> Path:
    """``library.json`` -> ``library.settings.toml``; other names -> ``<name>-settings.toml``."""
    if path.suffix == ".json":
        return path.with_name(path.stem + ".settings.toml")
    return path.with_name(path.name + "-settings.toml")


@dataclass
class Settings:
    """State names (stored -> shown, in order) and the open-marks-reading switch."""

    labels: dict[str, str] = field(default_factory=lambda: {s: s for s in BUILTIN})
    open_marks_reading: bool = True
    path: Path | None = None  # where they came from (None: the defaults)

    @property
    def names(self) -> list[str]:
        """The stored names, in the order states are listed."""
        return list(self.labels)

    def label(self, status: str) -> str:
        """The shown name of a stored state (its own name when the settings drop it)."""
        return self.labels.get(status, status)

    def lookup(self) -> dict[str, str]:
        """Every name a reader may type (shown and stored, case-folded) -> stored name."""
        out = {k.casefold(): k for k in self.labels}
        out.update((v.casefold(), k) for k, v in self.labels.items())  # (never clash: see load)
        return out

    def resolve(self, name: str) -> str | None:
        """The stored name of the state `name` names (shown or stored, any case)."""
        return self.lookup().get(" ".join(str(name).split()).casefold())

    def check(self, name: str) -> str:
        """`resolve`, or a ReadingListError listing the states."""
        found = self.resolve(name)
        if found is None:
            raise ReadingListError(f"unknown status '{name}' (use {self.describe()})")
        return found

    def describe(self) -> str:
        return ", ".join(self.labels.values())


def load_settings(path: Path | None) -> Settings:
    """The settings in `path` (the defaults when it is None or missing)."""
    if path is None:
        return Settings()
    try:
        with open(path, "rb") as f:
            tomllib = _tomllib()
            try:
                data = tomllib.load(f)
            except tomllib.TOMLDecodeError as exc:
                raise SettingsError(f"{path}: not valid TOML ({exc})") from None
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read the settings ({exc})") from None
    settings = Settings(path=path)
    marks = data.get("open_marks_reading", True)
    if not isinstance(marks, bool):
        raise SettingsError(f"{path}: open_marks_reading must be true or false")
    settings.open_marks_reading = marks
    states = data.get("states", {})
    if not isinstance(states, dict):
        raise SettingsError(f'{path}: [states] must be a table of name = "shown name"')
    if len(states) > MAX_STATES:
        raise SettingsError(f"{path}: at most {MAX_STATES} states")
    for key, shown in states.items():
        if not STATUS_NAME.fullmatch(key):
            raise SettingsError(
                f"{path}: state name '{key}' must be letters, digits, - or _ (at most 40)"
            )
        if not isinstance(shown, str) or not shown.strip() or len(shown) > 40:
            raise SettingsError(f"{path}: the shown name of '{key}' must be short text")
        settings.labels[key] = " ".join(shown.split())
    seen: dict[str, str] = {}
    for key, shown in settings.labels.items():
        other = seen.get(shown.casefold())
        if other is not None:
            raise SettingsError(f"{path}: states '{other}' and '{key}' have the same name")
        seen[shown.casefold()] = key
    stored = {k.casefold(): k for k in settings.labels}
    for key, shown in settings.labels.items():
        other = stored.get(shown.casefold())
        if other is not None and other != key:
            raise SettingsError(f"{path}: '{key}' cannot be shown as '{shown}', a state's name")
    return settings
