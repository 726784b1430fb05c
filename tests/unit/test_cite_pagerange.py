"""Page ranges in the CSL styles (tui.cite.pagerange): citeproc-py 0.11 printed
Vancouver "1-0" for 1-10 and MLA "pp. 5–2" for 5-12. Expected values are the
examples of the CSL 1.0.2 specification, Appendix V, and of each style's guide:
Citing Medicine / MEDLINE drop repeated digits (304-10, 1199-205, S93-9), MLA 9
keeps two digits (213–26), CMOS 16 §9.61 (321–25, 1496–504), AMA, APA and Cite
Them Right print ranges in full."""

from __future__ import annotations

import pytest

from tui.cite import CSL_FILES, format_citation
from tui.cite.pagerange import format_range, last_page
from tui.model import Work

SPEC = [
    # (first, last, format, printed after the dash)
    ("42", "45", "expanded", "45"), ("321", "328", "expanded", "328"),
    ("2787", "2816", "expanded", "2816"), ("321", "8", "expanded", "328"),
    ("42", "45", "minimal", "5"), ("321", "328", "minimal", "8"),
    ("2787", "2816", "minimal", "816"), ("12", "19", "minimal", "9"),
    ("21", "30", "minimal", "30"), ("304", "310", "minimal", "10"),
    ("1199", "1205", "minimal", "205"), ("1", "10", "minimal", "10"),
    ("42", "45", "minimal-two", "45"), ("321", "328", "minimal-two", "28"),
    ("2787", "2816", "minimal-two", "816"), ("5", "12", "minimal-two", "12"),
    # chicago-15 (and its alias "chicago")
    ("3", "10", "chicago-15", "10"), ("71", "72", "chicago-15", "72"),
    ("100", "104", "chicago-15", "104"), ("600", "613", "chicago-15", "613"),
    ("1100", "1123", "chicago-15", "1123"), ("107", "108", "chicago-15", "8"),
    ("505", "517", "chicago-15", "17"), ("1002", "1006", "chicago-15", "6"),
    ("321", "325", "chicago-15", "25"), ("415", "532", "chicago-15", "532"),
    ("11564", "11568", "chicago-15", "68"), ("13792", "13803", "chicago-15", "803"),
    ("1496", "1504", "chicago-15", "1504"), ("2787", "2816", "chicago-15", "2816"),
    ("1496", "1504", "chicago", "1504"),
    # chicago-16: no four-digit rule
    ("92", "113", "chicago-16", "113"), ("1087", "1089", "chicago-16", "89"),
    ("1496", "1504", "chicago-16", "504"), ("12991", "13001", "chicago-16", "3001"),
    ("107", "108", "chicago-16", "8"), ("321", "325", "chicago-16", "25"),
    # no format: as printed
    ("213", "26", None, "26"), ("1", "10", None, "10"),
]  # fmt: skip


@pytest.mark.parametrize(("first", "last", "fmt", "expected"), SPEC)
def test_the_specification_examples(first, last, fmt, expected):
    assert last_page(first, last, fmt) == expected


def test_prefixed_and_odd_ranges():
    # a letter prefix is kept while nothing is left out; Citing Medicine drops
    # the repeated letter with the digits ("Headache. 2002;42 Suppl 2:S93-9")
    assert last_page("S1", "S12", "minimal") == "S12"
    assert last_page("e91", "e104", "minimal") == "e104"
    assert last_page("S93", "S99", "minimal") == "9"
    assert last_page("S1", "12", "expanded") == "S12"
    # not a range we can read: as printed
    assert last_page("S1", "T12", "minimal") == "T12"
    assert last_page("22", "22", "minimal") == "22"
    assert last_page("xii", "xv", "minimal") == "xv"
    assert format_range("34-36, 87-91", "minimal") == "34–6, 87–91"
    assert format_range("P77", "minimal") == "P77"


RANGES = ["1-10", "5-12", "9-15", "100-110", "213-226", "1019-1024", "e91-e104", "S1-S12",
          "P77", "CD011819"]  # fmt: skip

# what each shipped style prints for each value, by its page-range-format
EXPECTED = {
    # Citing Medicine: hyphen, repeated digits left out (minimal)
    "vancouver": ["1-10", "5-12", "9-15", "100-10", "213-26", "1019-24", "e91-e104", "S1-S12",
                  "P77", "CD011819"],
    # AMA 11 §3.11.7 and APA 7: all digits (expanded)
    "ama": ["1-10", "5-12", "9-15", "100-110", "213-226", "1019-1024", "e91-e104", "S1-S12",
            "P77", "CD011819"],
    "apa": ["1–10", "5–12", "9–15", "100–110", "213–226", "1019–1024", "e91–e104", "S1–S12",
            "P77", "Article CD011819"],
    # MLA 9 §2.133: at least the last two digits (minimal-two)
    "mla": ["pp. 1–10", "pp. 5–12", "pp. 9–15", "pp. 100–10", "pp. 213–26", "pp. 1019–24",
            "pp. e91–e104", "pp. S1–S12", "p. P77", "article CD011819"],
    # CMOS 16+: all digits under 100 and from a multiple of 100, else two or more
    "chicago": ["1–10", "5–12", "9–15", "100–110", "213–26", "1019–24", "e91–e104", "S1–S12",
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
