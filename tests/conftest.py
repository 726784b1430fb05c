"""Test-wide settings."""

from __future__ import annotations

import os
import tempfile

# citeproc-js's rendered entries are cached on disk (tui.cite.citeproc_js): the tests
# keep theirs in a directory of their own, never in the user's cache
os.environ.setdefault("READINGLIST_CACHE", tempfile.mkdtemp(prefix="readinglist-test-cache-"))
