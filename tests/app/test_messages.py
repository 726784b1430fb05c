"""The thread workers' messages take their fields as dataclasses did (tui/app/messages.py
builds them without dataclass's code generation)."""

from __future__ import annotations

import pytest

from tui.app.messages import CitationReady, FileDone, OnlineFailed


def test_fields_by_position_keyword_and_default():
    c = CitationReady("w", "apa", "text", punct="full")
    assert (c.work, c.style, c.text, c.ok, c.punct) == ("w", "apa", "text", True, "full")
    f = FileDone("done", False)
    assert (f.text, f.ok, f.review) == ("done", False, None)
    assert OnlineFailed(error="e", job=3).offline is False
    assert repr(FileDone("x")) == "FileDone(text='x', ok=True, review=None)"
    assert f.handler_name == "on_file_done" and f.bubble  # Message's own set-up ran
    assert not f._stop_propagation


@pytest.mark.parametrize(
    "make",
    [
        lambda: FileDone(),
        lambda: FileDone("a", text="b"),
        lambda: FileDone("a", True, None, 4),
        lambda: FileDone("a", nope=1),
    ],
)
def test_wrong_arguments_are_refused(make):
    with pytest.raises(TypeError):
        make()
