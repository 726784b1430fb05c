"""Page ranges in the shipped CSL styles, as citeproc-js (Zotero's engine) prints them
from each style's page-range-format: Citing Medicine drops repeated digits and joins
with a hyphen (213-26; the hyphen is set in our copy of the style, see its comment),
MLA 9 keeps two digits (213–26), Chicago follows CMOS 16+ (100–110, 213–26), AMA, APA
and Cite Them Right print ranges in full. Where digits are dropped, a repeated letter
prefix is dropped with them (e91-104, S1-12): citeproc-js's reading of CSL Appendix V.

(Our own page-range code, tui.cite.pagerange, served citeproc-py, which printed
Vancouver "1-0" for 1-10; it went with citeproc-py, and with it the tests of the
specification's examples: citeproc-js implements them itself.)"""

from __future__ import annotations

import pytest

from tui.cite import CSL_FILES, format_citation
from tui.model import Work

RANGES = ["1-10", "5-12", "9-15", "100-110", "213-226", "1019-1024", "e91-e104", "S1-S12",
          "P77", "CD011819"]  # fmt: skip

# what each shipped style prints for each value, by its page-range-format
EXPECTED = {
    # Citing Medicine: hyphen, repeated digits left out (minimal)
    "vancouver": ["1-10", "5-12", "9-15", "100-10", "213-26", "1019-24", "e91-104", "S1-12",
                  "P77", "CD011819"],
    # AMA 11 §3.11.7 and APA 7: all digits (expanded)
    "ama": ["1-10", "5-12", "9-15", "100-110", "213-226", "1019-1024", "e91-e104", "S1-S12",
            "P77", "CD011819"],
    "apa": ["1–10", "5–12", "9–15", "100–110", "213–226", "1019–1024", "e91–e104", "S1–S12",
            "P77", "Article CD011819"],
    # MLA 9 §2.133: at least the last two digits (minimal-two)
    "mla": ["pp. 1–10", "pp. 5–12", "pp. 9–15", "pp. 100–10", "pp. 213–26", "pp. 1019–24",
            "pp. e91–104", "pp. S1–12", "p. P77", "p. CD011819"],
    # CMOS 16+: all digits under 100 and from a multiple of 100, else two or more
    "chicago": ["1–10", "5–12", "9–15", "100–110", "213–26", "1019–24", "e91–104", "S1–12",
                "P77", "CD011819"],
    # Cite Them Right's style sets no page-range-format: as printed
    "harvard": ["pp. 1–10", "pp. 5–12", "pp. 9–15", "pp. 100–110", "pp. 213–226",
                "pp. 1019–1024", "pp. e91–e104", "pp. S1–S12", "p. P77", "CD011819"],
}  # fmt: skip


def test_every_shipped_style_is_covered():
    assert set(EXPECTED) == set(CSL_FILES)


@pytest.mark.parametrize("style", sorted(EXPECTED))
@pytest.mark.parametrize("i", range(len(RANGES)))
def test_page_ranges_in_every_shipped_style(style, i):
    journal = "Cochrane Database Syst Rev" if RANGES[i] == "CD011819" else "J Foo"
    work = Work(authors=["Smith J"], title="A title", journal=journal, year=2020,
                volume="3", issue="2", pages=RANGES[i])  # fmt: skip
    text = format_citation(work, style)
    assert text.endswith(EXPECTED[style][i] + "."), text


def test_the_qa_report():
    w = Work(authors=["Smith J"], title="T", journal="J", year=2020, volume="1", pages="1-10")
    assert ";1:1-10." in format_citation(w, "vancouver")
    assert "pp. 5–12." in format_citation(Work(**{**w.to_dict(), "pages": "5-12"}), "mla")
