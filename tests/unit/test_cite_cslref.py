"""Our CSL citations against citeproc-js (Zotero's CSL processor), without Node.

tests/fixtures/cslref/<library>.<style>.json hold citeproc-js's rendering of every item of
the real Zotero libraries in tests/fixtures/zotero/ (written by bench/cslref/record.py,
which runs citeproc-js; bench/cslref/compare.py is the full measurement). Here the items
go through our own pipeline (CSL-JSON import, then `format_citation`) and the exact
matches are counted, with whitespace normalised as issues 11 and 12 allow.

The counts are a ratchet: each must stay at least the number measured when the floor
was set. Raise a floor when the engine or the record improves (the failure message of
an improved count does not exist; compare.py prints the counts), never lower one
without saying why in the commit.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path

import pytest

from tui.cite import CSL_FILES, format_citation
from tui.paths import styles_dir

FIXTURES = Path(__file__).parents[1] / "fixtures"
LIBRARIES = ["apa-data", "gbt7714-data"]
STYLES = list(CSL_FILES)

# Exact matches with citeproc-js 2.4.63 (processor 1.4.61) through our pipeline (CSL-JSON
# import, then format_citation). Since a work is rendered from its record (the item as
# imported, tui.cite.csl.render_data), every item equals the reference: measured
# 2026-12-06 with bench/cslref/compare.py (before: 40-103 per library and style, when
# the item was rebuilt from our flat fields). Any fall is a regression.
FLOORS = {(lib, style): n for lib, n in (("apa-data", 198), ("gbt7714-data", 141))
          for style in STYLES}  # fmt: skip


_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The only normalisation the issues allow: whitespace (as bench/cslref/compare.py)."""
    return _WS.sub(" ", text).strip()


@functools.cache
def _items(library: str) -> list[dict]:
    return json.loads((FIXTURES / "zotero" / f"{library}.json").read_text(encoding="utf-8"))


@functools.cache
def _works(library: str):
    from tui.sources.csljson import parse_csljson

    text = (FIXTURES / "zotero" / f"{library}.json").read_text(encoding="utf-8")
    return parse_csljson(text, source=f"{library}.json")[1]


def _recorded(library: str, style: str) -> dict:
    path = FIXTURES / "cslref" / f"{library}.{style}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_library_and_style_is_recorded_and_nothing_else():
    names = {p.name for p in (FIXTURES / "cslref").glob("*.json")}
    assert names == {f"{lib}.{style}.json" for lib in LIBRARIES for style in STYLES}
    assert set(FLOORS) == {(lib, style) for lib in LIBRARIES for style in STYLES}


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("style", STYLES)
def test_recorded_references_are_of_these_fixtures_and_style_files(library, style):
    rec = _recorded(library, style)
    assert rec["library"] == f"tests/fixtures/zotero/{library}.json"
    assert [e["id"] for e in rec["entries"]] == [str(i["id"]) for i in _items(library)]
    assert all(e["text"] and e["html"] for e in rec["entries"])
    assert rec["style"] == style and rec["csl"] == CSL_FILES[style]
    # recorded from this very .csl file: after changing it, run bench/cslref/record.py
    csl = (styles_dir() / CSL_FILES[style]).read_bytes()
    assert rec["csl_sha256"] == hashlib.sha256(csl).hexdigest(), (
        f"{CSL_FILES[style]} changed since the citeproc-js references were recorded: "
        "run `.venv/bin/python -m bench.cslref.record` (needs Node, see bench/cslref)"
    )


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("style", STYLES)
def test_exact_matches_with_citeproc_js_do_not_fall(library, style):
    works = _works(library)
    entries = _recorded(library, style)["entries"]
    assert len(works) == len(entries)
    matches = sum(
        normalise(format_citation(w, style)) == e["text"]
        for w, e in zip(works, entries, strict=True)
    )
    floor = FLOORS[(library, style)]
    assert matches >= floor, (
        f"{style} on {library}: {matches} of {len(works)} citations equal citeproc-js's, "
        f"fewer than the {floor} measured before; see bench/cslref/compare.py for the diffs"
    )
