"""CSL styles through citeproc-py. Expected strings were written from each style's
rules (APA 7 §9-10, Citing Medicine ch. 1, AMA 11 §3, MLA 9 ch. 5, CMOS 18 ch. 13,
Cite Them Right 12) for reference 1 and related article 1, then compared."""

from __future__ import annotations

import re
import shutil
import time

import pytest
from test_cite_data import EDGE_CASES, REF1, REF2, REF3, REF13, REF22, REL1

from tui.cite import CSL_FILES, check_style, format_citation
from tui.cite.csl import ET_AL_PLACEHOLDER, load_style
from tui.errors import NotFound, ParseError
from tui.model import Work
from tui.paths import styles_dir

Z = "既往新型冠状病毒感染对多发性骨髓瘤患者自体造血干细胞移植的影响"

EXPECTED = {
    "apa": (
        "Teske, N., & Fett, N. (2024). Recent advances in treatment of systemic sclerosis and "
        "morphea. Am J Clin Dermatol, 25(2), 213–226. https://doi.org/10.1007/s40257-023-00831-2",
        # APA 7 lists up to 20 authors, "&" before the last
        f"金诗炜, 潘萌萌, 许捷, 高山, 王焰, 刘元昉, 陶怡, 章卫平, & 糜坚青. (2025). {Z}. "
        "内科理论与实践, 20(4), 289–295.",
    ),
    "vancouver": (
        "Teske N, Fett N. Recent advances in treatment of systemic sclerosis and morphea. "
        "Am J Clin Dermatol. 2024;25(2):213-26. doi:10.1007/s40257-023-00831-2 PubMed PMID: 38087156.",
        # more than 6 authors: the first 6, then et al.
        f"金诗炜, 潘萌萌, 许捷, 高山, 王焰, 刘元昉, et al. {Z}. 内科理论与实践. 2025;20(4):289-95.",
    ),
    "ama": (
        "Teske N, Fett N. Recent advances in treatment of systemic sclerosis and morphea. "
        "Am J Clin Dermatol. 2024;25(2):213-226. doi:10.1007/s40257-023-00831-2",
        # more than 6 authors: the first 3, then et al.
        f"金诗炜, 潘萌萌, 许捷, et al. {Z}. 内科理论与实践. 2025;20(4):289-295.",
    ),
    "mla": (
        "Teske, N., and N. Fett. “Recent Advances in Treatment of Systemic Sclerosis and "
        "Morphea.” Am J Clin Dermatol, vol. 25, no. 2, 2024, pp. 213–26, "
        "https://doi.org/10.1007/s40257-023-00831-2.",
        # three or more authors: the first, then et al.
        f"金诗炜, et al. “{Z}.” 内科理论与实践, vol. 20, no. 4, 2025, pp. 289–95.",
    ),
    "chicago": (
        "Teske, N., and N. Fett. 2024. “Recent Advances in Treatment of Systemic Sclerosis and "
        "Morphea.” Am J Clin Dermatol 25 (2): 213–26. https://doi.org/10.1007/s40257-023-00831-2.",
        # more than 6 authors: the first 3, then et al.
        f"金诗炜, 潘萌萌, 许捷, et al. 2025. “{Z}.” 内科理论与实践 20 (4): 289–95.",
    ),
    "harvard": (
        "Teske, N. and Fett, N. (2024) ‘Recent advances in treatment of systemic sclerosis and "
        "morphea’, Am J Clin Dermatol, 25(2), pp. 213–226. "
        "Available at: https://doi.org/10.1007/s40257-023-00831-2.",
        # four or more authors: the first, then et al.
        f"金诗炜 et al. (2025) ‘{Z}’, 内科理论与实践, 20(4), pp. 289–295.",
    ),
}


@pytest.mark.parametrize("style", sorted(EXPECTED))
def test_reference_1(style):
    assert format_citation(REF1, style) == EXPECTED[style][0]


@pytest.mark.parametrize("style", sorted(EXPECTED))
def test_related_article_1(style):
    assert format_citation(REL1, style) == EXPECTED[style][1]


@pytest.mark.parametrize("style", sorted(EXPECTED))
@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_every_edge_case_gives_one_clean_line(style, case):
    text = format_citation(EDGE_CASES[case], style)
    assert text and "\n" not in text and "  " not in text
    assert ET_AL_PLACEHOLDER.lower() not in text.lower()
    assert not re.match(r"^\s*(\[\d+\]|\d+\.)", text), text  # no number glued on ("1.Teske")
    assert ", ." not in text and ".." not in text
    assert "None" not in text


def test_chinese_names_are_not_split_in_apa():
    text = format_citation(REL1, "apa")
    assert "金, ." not in text and "诗炜 ." not in text
    assert text.startswith("金诗炜, 潘萌萌")


def test_mla_and_chicago_put_the_period_inside_the_quotes():
    for style in ("mla", "chicago"):
        text = format_citation(REF1, style)
        assert "Morphea.”" in text and "”." not in text
    # Cite Them Right is British: punctuation outside the single quotes
    assert "morphea’," in format_citation(REF1, "harvard")


def test_et_al_in_the_source_with_three_known_authors():
    assert format_citation(REF2, "vancouver").startswith(
        "Jerjen R, Nikpour M, Krieg T, et al. Systemic"
    )
    assert format_citation(REF2, "ama").startswith("Jerjen R, Nikpour M, Krieg T, et al. Systemic")
    assert format_citation(REF2, "apa").startswith(
        "Jerjen, R., Nikpour, M., Krieg, T., et al. (2022)."
    )
    assert format_citation(REF2, "chicago").startswith(
        "Jerjen, R., M. Nikpour, T. Krieg, et al. 2022."
    )
    assert format_citation(REF2, "mla").startswith("Jerjen, R., et al. “Systemic")
    assert format_citation(REF2, "harvard").startswith("Jerjen, R. et al. (2022)")


def test_initials_of_de_luca_da():
    assert "De Luca DA" in format_citation(REF3, "vancouver")
    assert "De Luca, D. A." in format_citation(REF3, "apa")


def test_article_number_no_issue_supplement_and_pmid_without_doi():
    assert format_citation(REF3, "vancouver").endswith("Front Med. 2023;10:1108623.")
    assert format_citation(REF22, "vancouver").endswith(
        "Pediatr Rheumatol Online J. 2011;9(Suppl 1):P77."
    )
    assert format_citation(REF22, "apa").endswith("Pediatr Rheumatol Online J, 9(Suppl 1), P77.")
    assert format_citation(REF13, "vancouver").endswith(
        "Lancet. 1997;349(9047):254. PubMed PMID: 9014919."
    )
    assert format_citation(REF13, "ama").endswith("Lancet. 1997;349(9047):254.")


def test_styles_are_parsed_once_and_then_fast():
    path = str(styles_dir() / CSL_FILES["chicago"])
    assert load_style(path) is load_style(path)
    format_citation(REF1, "chicago")
    t = time.perf_counter()
    for _ in range(10):
        format_citation(REF1, "chicago")
    # the budget is 50 ms per copy; allow slow CI machines four times that
    assert (time.perf_counter() - t) / 10 < 0.2


def test_a_path_to_a_csl_file_is_a_style(tmp_path):
    p = tmp_path / "my-apa.csl"
    shutil.copy(styles_dir() / "apa.csl", p)
    assert check_style(str(p)) == str(p.resolve())
    assert format_citation(REF1, str(p)) == EXPECTED["apa"][0]


def test_a_dependent_style_uses_its_parent(tmp_path):
    p = tmp_path / "my-journal.csl"
    p.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" default-locale="en-US">'
        "<info><title>My journal</title><id>http://www.zotero.org/styles/my-journal</id>"
        '<link href="http://www.zotero.org/styles/my-journal" rel="self"/>'
        '<link href="http://www.zotero.org/styles/nlm-citation-sequence" rel="independent-parent"/>'
        "</info></style>",
        encoding="utf-8",
    )
    assert format_citation(REF1, str(p)) == EXPECTED["vancouver"][0]
    orphan = tmp_path / "orphan.csl"
    orphan.write_text(p.read_text().replace("nlm-citation-sequence", "no-such-parent"))
    with pytest.raises(NotFound, match="no-such-parent.csl"):
        check_style(str(orphan))


def test_bad_style_files_give_one_line_errors(tmp_path):
    with pytest.raises(NotFound):
        check_style(str(tmp_path / "missing.csl"))
    bad = tmp_path / "bad.csl"
    bad.write_text("<style><bibliography><layout>", encoding="utf-8")
    with pytest.raises(ParseError) as e:
        check_style(str(bad))
    assert "\n" not in str(e.value) and "bad.csl" in str(e.value)


def test_two_chinese_authors_have_no_comma_before_and():
    w = Work(authors=["王丽宁", "胡炯"], title="异基因造血干细胞移植后闭塞性细支气管炎的诊断与治疗",
             journal="内科理论与实践", year=2018, volume="13", issue="02", pages="118-123",
             lang="zh")  # fmt: skip
    assert format_citation(w, "apa").startswith("王丽宁 & 胡炯. (2018). 异基因")
    assert format_citation(w, "mla").startswith("王丽宁 and 胡炯. “异基因")
    assert format_citation(w, "chicago").startswith("王丽宁 and 胡炯. 2018. “异基因")
    assert format_citation(w, "vancouver").startswith("王丽宁, 胡炯. 异基因")
    # Western names keep APA's comma: "Teske, N., & Fett, N."
    assert format_citation(REF1, "apa").startswith("Teske, N., & Fett, N. (2024).")


def test_a_work_without_authors_prints_its_title_once():
    w = Work(title="Anonymous thing", year=2020, journal="J", volume="3", pages="1-9")
    assert format_citation(w, "apa") == "Anonymous thing. (2020). J, 3, 1–9."
    assert format_citation(w, "mla") == "“Anonymous Thing.” J, vol. 3, 2020, pp. 1–9."
    assert format_citation(w, "chicago") == "“Anonymous Thing.” 2020. J 3: 1–9."
    assert format_citation(w, "vancouver") == "Anonymous thing. J. 2020;3:1-9."


def test_vancouver_cited_date_has_spaces():
    w = Work(type="EB", authors=["Bawden D"], title="Origins", url="http://x.org/a",
             accessed="2013-03-08", extra={"date": "2008-05-04"})  # fmt: skip
    assert format_citation(w, "vancouver") == (
        "Bawden D. Origins [Internet]. 2008 [cited 2013 Mar 8]. Available from: http://x.org/a"
    )


def test_preload_parses_the_style_ahead(tmp_path):
    from tui.cite import preload
    from tui.cite.csl import _cache

    p = tmp_path / "pre.csl"
    shutil.copy(styles_dir() / "harvard-cite-them-right.csl", p)
    preload(str(p))
    assert str(p.resolve()) in _cache
    preload("gbt7714")  # nothing to parse: no error
    with pytest.raises(NotFound):
        preload("nope")
