"""Helpers for building many objects at once (import, loading a library)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects at once.

    Parsing a 100,000-entry .bib or loading 100,000 works makes millions of small
    containers; with the collector on, each burst of allocations makes it traverse
    everything built so far (about a third of the time at 100,000 works, see
    bench/RESULTS.md). Nothing built there makes cycles worth collecting meanwhile.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
