"""The public API of tui.cite: style names, bibliographies, Markdown, credits."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.unit.test_cite_data import REF1, REF2, REF13, REL1, REVIEW_WORK
from tui.cite import (
    STYLES,
    TEXT_STYLES,
    check_style,
    credits,
    export_markdown,
    format_bibliography,
    format_citation,
    style_names,
)
from tui.errors import NotFound, ReadingListError
from tui.model import State, Work
from tui.paths import shipped_review, styles_dir


def test_style_names_in_display_order():
    assert style_names() == [
        "gbt7714", "gbt7714-2025", "gbt7714-2015", "gbt7714-2025-nourl", "gbt7714-2015-nourl",
        "gbt7714-2025-authoryear", "gbt7714-2015-authoryear", "printed", "apa", "vancouver", "ama", "mla", "chicago", "harvard",
        "bibtex", "ris", "csl-json",
    ]  # fmt: skip
    assert list(STYLES) == style_names()
    assert all(STYLES[s] and "\n" not in STYLES[s] for s in STYLES)
    assert TEXT_STYLES == set(style_names()) - {"bibtex", "ris", "csl-json"}


@pytest.mark.parametrize(
    "given, expected",
    [
        ("gbt7714", "gbt7714"),
        ("GB/T 7714", "gbt7714"),
        ("GB/T 7714-2015", "gbt7714-2015"),
        ("gbt7714-2025", "gbt7714-2025"),
        ("  APA ", "apa"),
        ("Vancouver", "vancouver"),
        ("CSL-JSON", "csl-json"),
        ("csljson", "csl-json"),
        ("BibTeX", "bibtex"),
    ],
)
def test_check_style_normalises(given, expected):
    assert check_style(given) == expected


def test_unknown_style_is_one_line_listing_the_names():
    with pytest.raises(NotFound) as e:
        check_style("harward")
    msg = str(e.value)
    assert "\n" not in msg and "harward" in msg
    assert all(name in msg for name in style_names())
    assert isinstance(e.value, ReadingListError)
    with pytest.raises(NotFound):
        format_citation(REF1, "nope")


def test_every_csl_file_is_shipped_with_the_credit():
    for name in ("apa.csl", "nlm-citation-sequence.csl", "american-medical-association.csl",
                 "modern-language-association.csl", "chicago-author-date.csl",
                 "harvard-cite-them-right.csl"):  # fmt: skip
        assert (styles_dir() / name).is_file()
        assert "creativecommons.org/licenses/by-sa/3.0" in (styles_dir() / name).read_text()
    text = (styles_dir() / "CREDITS.md").read_text()
    assert "Attribution-ShareAlike 3.0" in text and "citation-style-language/styles" in text


def test_credits():
    text = credits()
    assert "Citation Style Language" in text and "Attribution-ShareAlike 3.0" in text
    assert "https://creativecommons.org/licenses/by-sa/3.0/" in text


def test_bibliography_one_line_per_work_in_the_given_order_without_numbers():
    works = [REL1, REF1, REF2]
    for style in TEXT_STYLES:
        lines = format_bibliography(works, style).split("\n")
        assert lines == [format_citation(w, style) for w in works]
        assert not any(line[:1].isdigit() or line.startswith("[") for line in lines)
    assert format_bibliography([], "apa") == ""


def test_numbered_bibliographies(tmp_path):
    works = [REF1, REL1]
    gbt = format_bibliography(works, "gbt7714-2015", numbered=True).split("\n")
    # GB/T 7714-2015 numeric lists: "[1] KANAMORI H. Shaking without quaking[J]. …"
    assert gbt[0] == (
        "[1] TESKE N, FETT N. Recent advances in treatment of systemic sclerosis and "
        "morphea[J]. Am J Clin Dermatol, 2024, 25(2): 213-226. DOI:10.1007/s40257-023-00831-2."
    )
    assert gbt[1].startswith("[2] 金诗炜, 潘萌萌, 许捷, 等. ")
    # Citing Medicine and AMA: "1. Teske N, Fett N. …"
    for style in ("vancouver", "ama"):
        lines = format_bibliography(works, style, numbered=True).split("\n")
        assert lines[0].startswith("1. Teske N, Fett N. Recent advances")
        assert lines[1].startswith("2. 金诗炜, 潘萌萌")
    # author-date styles, printed and records are never numbered
    for style in ("apa", "mla", "chicago", "harvard", "printed", "bibtex", "ris", "csl-json"):
        assert format_bibliography(works, style, numbered=True) == format_bibliography(works, style)
    # the default stays unnumbered (readinglist cite)
    assert format_bibliography(works, "vancouver").startswith("Teske N")
    # a .csl file: numbered when its category says the citations are numbers
    import shutil

    for name, numbered in (("nlm-citation-sequence.csl", True), ("apa.csl", False)):
        p = tmp_path / f"my-{name}"
        shutil.copy(styles_dir() / name, p)
        text = format_bibliography([REF1], str(p), numbered=True)
        assert text.startswith("1. Teske") is numbered, text


def test_progress_is_reported_to_the_end():
    calls = []
    works = [REF1] * 250
    format_bibliography(works, "gbt7714", progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (250, 250)
    assert all(t == 250 for _, t in calls) and len(calls) <= 130
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    calls.clear()
    format_bibliography(works[:3], "bibtex", progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (3, 3)


def test_printed_is_the_raw_string_and_falls_back_without_one():
    assert format_citation(REF1, "printed") == REF1.raw
    assert format_citation(REVIEW_WORK, "printed") == REVIEW_WORK.raw
    w = Work(authors=["Smith J"], title="No raw", journal="J", year=2000)
    assert format_citation(w, "printed") == format_citation(w, "gbt7714")


def test_printed_gives_back_all_58_entries_of_the_shipped_review_byte_for_byte():
    from tui.sources import load_file

    _review, works = load_file(shipped_review())
    assert len(works) == 58
    text = shipped_review().read_text(encoding="utf-8")
    lines = format_bibliography(works, "printed").split("\n")
    assert len(lines) == 58
    for line in lines:
        assert f"| {line} |" in text


def test_markdown_reading_list():
    states = {
        REF1.ident: State(status="read", note="Key review.\nSee table 2"),
        REL1.ident: State(status="reading"),
    }
    text = export_markdown(
        [REF1, REL1, REF13], states, "gbt7714-2015", title="干细胞治疗硬皮病研究进展"
    )
    lines = text.split("\n")
    assert lines[0] == "# 干细胞治疗硬皮病研究进展"
    assert "1/3 read, 1 reading" in lines
    assert (
        "- [x] TESKE N, FETT N. Recent advances in treatment of systemic sclerosis and morphea[J]. "
        "Am J Clin Dermatol, 2024, 25(2): 213-226. DOI:10.1007/s40257-023-00831-2. "
        "([doi](https://doi.org/10.1007/s40257-023-00831-2))"
    ) in lines
    assert "  > Key review." in lines and "  > See table 2" in lines
    rel = next(line for line in lines if "金诗炜" in line)
    assert rel.startswith("- [ ] ") and rel.endswith("*(reading)*")
    pm = next(line for line in lines if "TYNDALL" in line)
    assert pm.startswith("- [ ] ") and "([PubMed](https://pubmed.ncbi.nlm.nih.gov/9014919/))" in pm
    assert text.endswith("\n")


def test_markdown_escapes_markdown_in_titles_and_takes_a_style():
    w = Work(authors=["A B"], title="*bold* and _it_ <b>", year=2000, doi="10.1/x(1)")
    text = export_markdown([w], {}, style="apa")
    assert r"\*bold\* and \_it\_ \<b\>" in text
    assert "(https://doi.org/10.1/x%281%29)" in text
    with pytest.raises(NotFound):
        export_markdown([w], {}, style="bibtex")


def test_core_does_not_import_textual():
    code = (
        "import sys, tui.cite, tui.clipboard, tui.cite.csl, tui.cite.gbt7714, tui.cite.bibtex,"
        " tui.cite.ris, tui.cite.csljson, tui.cite.markdown; print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
