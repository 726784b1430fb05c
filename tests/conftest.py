"""Test-wide settings, and the fixtures shared by every folder (one definition each; a
module that needs another database overrides `db`, and `library` then opens that one)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.helpers import FakeClipboard
from tui.store import Library

# citeproc-js's rendered entries are cached on disk (tui.cite.citeproc_js): the tests
# keep theirs in a directory of their own, never in the user's cache
os.environ.setdefault("READINGLIST_CACHE", tempfile.mkdtemp(prefix="readinglist-test-cache-"))


@pytest.fixture
def db(tmp_path: Path, monkeypatch) -> Path:
    """A database path in a fresh temp dir (not created yet); READINGLIST_DB unset so
    the command line uses this one."""
    monkeypatch.delenv("READINGLIST_DB", raising=False)
    return tmp_path / "db.json"


@pytest.fixture
def library(db: Path):
    """The Library on `db` (the shipped review on a new one), closed afterwards."""
    lib = Library(db)
    yield lib
    lib.close()


@pytest.fixture
def clip(monkeypatch) -> FakeClipboard:
    """The app's copies go to a FakeClipboard, which records them."""
    import tui.clipboard

    fake = FakeClipboard()
    monkeypatch.setattr(tui.clipboard, "copy", fake.copy)
    return fake
