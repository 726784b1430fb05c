"""tui.identity.match_old: which old work each re-imported one is."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui import identity
from tui.identity import _norm, match_old
from tui.model import Work


def _reference(old: list[Work], new: list[Work]) -> dict[str, Work]:
    """match_old as first written: every key of every old work indexed up front."""

    def keys(w: Work) -> list[tuple]:
        out: list[tuple] = []
        if w.doi:
            out.append(("doi", w.doi.lower()))
        if w.pmid:
            out.append(("pmid", w.pmid))
        if w.raw.strip():
            out.append(("raw", w.kind, _norm(w.raw)))
        if w.title.strip():
            out.append(("title", w.kind, _norm(w.title), w.year))
        return out

    index: dict[tuple, Work] = {}
    for o in old:
        for k in keys(o):
            index.setdefault(k, o)
    used: set[str] = set()
    match: dict[str, Work] = {}
    for w in new:
        for k in keys(w):
            o = index.get(k)
            if o is not None and o.id not in used:
                used.add(o.id)
                match[w.id] = o
                break
    return match


_WORK = st.builds(
    lambda doi, pmid, raw, title, year, kind: (doi, pmid, raw, title, year, kind),
    st.sampled_from(["", "", "10.1/A", "10.1/a", "10.2/b"]),
    st.sampled_from(["", "", "1", "2"]),
    st.sampled_from(["", " ", "Smith J. Title. 2020", "SMITH  J. Title. 2020", "Müller"]),
    st.sampled_from(["", "Title", "title", "Other"]),
    st.sampled_from([None, 2020, 2021]),
    st.sampled_from(["reference", "related"]),
)


def _works(specs) -> list[Work]:
    return [
        Work(review="r", kind=kind, n=i, doi=doi, pmid=pmid, raw=raw, title=title, year=year)
        for i, (doi, pmid, raw, title, year, kind) in enumerate(specs, 1)
    ]


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORK, max_size=8), st.lists(_WORK, max_size=8))
def test_match_old_matches_as_with_every_index_built_up_front(old, new) -> None:
    old_works, new_works = _works(old), _works(new)
    assert match_old(old_works, new_works) == _reference(old_works, new_works)


def test_works_all_with_a_doi_are_matched_without_normalising_any_text(monkeypatch) -> None:
    def refuse(text: str) -> str:
        raise AssertionError("no printed string or title needs normalising")

    monkeypatch.setattr(identity, "_norm", refuse)
    old = [Work(review="r", n=i, doi=f"10.1/{i}", raw=f"R{i}", title=f"T{i}") for i in (1, 2)]
    new = [Work(review="r", n=i, doi=f"10.1/{3 - i}", raw="x", title="y") for i in (1, 2)]
    assert match_old(old, new) == {"r/ref1": old[1], "r/ref2": old[0]}
    with pytest.raises(AssertionError):
        match_old(old, [Work(review="r", n=1, raw="R1")])  # (then it is needed)
