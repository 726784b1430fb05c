"""tui.perf.gc_paused: the collector paused while building many objects at once."""

from __future__ import annotations

import gc

import pytest

from tui.perf import gc_paused


@pytest.fixture(autouse=True)
def _collector_as_it_was():
    was = gc.isenabled()
    gc.enable()
    yield
    gc.unfreeze()  # (what a test froze goes back to the collector)
    if not was:
        gc.disable()


def test_paused_inside_and_on_again_after() -> None:
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # an inner pause leaves it off
    assert gc.isenabled()


def test_keep_freezes_what_was_built_before_the_collector_runs_again() -> None:
    gc.unfreeze()
    with gc_paused(keep=True):
        built = [{"n": i} for i in range(1000)]
        with gc_paused(keep=True):
            pass
        assert gc.get_freeze_count() == 0  # the inner pause leaves it to the outer one
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(built)  # never walked by the collector's passes
    assert gc.get_count()[0] < 10  # nothing left for its next pass


def test_without_keep_nothing_is_frozen_and_an_error_still_turns_it_on() -> None:
    gc.unfreeze()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError
    assert gc.isenabled() and gc.get_freeze_count() == 0
