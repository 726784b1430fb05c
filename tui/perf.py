"""Speed helpers shared by the store and the importers (no I/O, no Textual)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["gc_paused"]


@contextlib.contextmanager
def gc_paused(*, keep: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects at once.

    Parsing 100,000 works (loading a library, or importing a 100,000-entry .bib)
    makes millions of small containers; with the collector on, each burst of
    allocations makes it traverse everything built so far (a third to a half of
    the time, see bench/RESULTS.md). Nothing built there forms reference cycles
    worth collecting meanwhile; the collector runs again afterwards.

    Its first pass afterwards still walks everything built meanwhile (0.7 s after
    loading 100,000 works). ``keep=True``, for what lives as long as the process (a
    command's library, an import's works): `gc.freeze()` before the collector is on
    again moves it all out of the collector's view, as tui/cli.py and tui/app do.
    A pause inside another one leaves the outer one to do that.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if keep:
                gc.freeze()
            gc.enable()
