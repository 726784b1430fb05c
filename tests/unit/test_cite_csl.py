"""CSL styles through citeproc-py. Expected strings were written from each style's
rules (APA 7 §9-10, Citing Medicine ch. 1, AMA 11 §3, MLA 9 ch. 5, CMOS 18 ch. 13,
Cite Them Right 12) for reference 1 and related article 1, then compared."""

from __future__ import annotations

import re
import shutil
import time

import pytest

from tests.unit.test_cite_data import (
    EDGE_CASES,
    REF1,
    REF2,
    REF3,
    REF13,
    REF22,
    REL1,
    REVIEW,
    REVIEW_WORK,
)
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
        "Am J Clin Dermatol. 2024;25(2):213-26. doi: 10.1007/s40257-023-00831-2. "
        "PubMed PMID: 38087156.",
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


def test_vancouver_ends_the_doi_before_the_pmid():
    # Citing Medicine / PubMed's NLM form: "doi: 10.…." then "PubMed PMID: …."
    work = Work(authors=["Ayano M", "Tsukamoto H", "Kohno K"], et_al=True,
                title="Increased CD226 expression on CD8+ T cells",
                journal="Arthritis Res Ther", year=2017, volume="19", issue="1", pages="165",
                doi="10.1186/s13075-017-1373-2", pmid="28724445")  # fmt: skip
    assert format_citation(work, "vancouver").endswith(
        "Arthritis Res Ther. 2017;19(1):165. doi: 10.1186/s13075-017-1373-2. PubMed PMID: 28724445."
    )
    # a DOI without a PMID ends with its full stop too; AMA keeps "doi:10.…"
    work.pmid = ""
    assert format_citation(work, "vancouver").endswith(
        "2017;19(1):165. doi: 10.1186/s13075-017-1373-2."
    )
    assert format_citation(work, "ama").endswith(". doi:10.1186/s13075-017-1373-2")


def test_apa_lists_every_author_and_keeps_et_al_only_for_unknown_names():
    # APA 7 §9.8: up to 20 authors, all of them, "&" before the last
    names = [f"Author{c} A" for c in "BCDEFGHIJKLMNOPQRST"]  # 19 authors
    work = Work(authors=names, title="A title", journal="J", year=2020)
    text = format_citation(work, "apa")
    assert text.startswith("AuthorB, A., AuthorC, A., AuthorD, A.,")
    assert "AuthorS, A., & AuthorT, A. (2020)." in text and "et al." not in text
    # only three names known (the source printed "et al."): they, then "et al."
    # (documented choice: the other APA forms would state something false)
    assert format_citation(REF2, "apa").startswith(
        "Jerjen, R., Nikpour, M., Krieg, T., et al. (2022). Systemic sclerosis in adults."
    )
    assert ". . ." not in format_citation(REF2, "apa")


def test_mla_et_al_after_the_first_of_three_or_more_authors():
    # MLA 9 §2.1.2: two authors both named, three or more: the first, "et al."
    def mla(authors, et_al=False):
        work = Work(authors=authors, et_al=et_al, title="A title", journal="J", year=2020)
        return format_citation(work, "mla")

    assert mla(["Teske N", "Fett N", "Smith J"]).startswith("Teske, N., et al. “A Title.”")
    assert mla(["Teske, Nicole", "Fett, Noah", "Smith, Jo"]).startswith("Teske, Nicole, et al. “")
    assert mla(["Teske N", "Fett N"]).startswith("Teske, N., and N. Fett. “A Title.”")
    # two names printed, then et al. in the source: more than two authors
    assert mla(["Teske N", "Fett N"], et_al=True).startswith("Teske, N., et al. “A Title.”")
    assert mla(["Teske N"], et_al=True).startswith("Teske, N., et al. “A Title.”")


def test_initials_of_de_luca_da():
    assert "De Luca DA" in format_citation(REF3, "vancouver")
    assert "De Luca, D. A." in format_citation(REF3, "apa")


def test_pmid_without_doi():
    assert format_citation(REF13, "vancouver").endswith(
        "Lancet. 1997;349(9047):254. PubMed PMID: 9014919."
    )
    assert format_citation(REF13, "ama").endswith("Lancet. 1997;349(9047):254.")
    # a single page in the Lancet is a page, not an article number
    assert format_citation(REF13, "apa").endswith("Lancet, 349(9047), 254.")
    assert format_citation(REF13, "mla").endswith("Lancet, vol. 349, no. 9047, 1997, p. 254.")


# "9 Suppl 1:P77": a supplement to volume 9 (no issue), as each guide writes it
SUPPLEMENT = {
    # APA 7 §9.25 / its CSL: "Suppl." with a point, in the issue's parentheses
    "apa": "Pediatr Rheumatol Online J, 9(Suppl. 1), P77.",
    # Citing Medicine ch. 1, "Volume with supplement", prints "2011;9 Suppl 1:P77"; its CSL
    # style has no supplement-number, so the supplement is the issue, as Zotero prints it
    "vancouver": "Pediatr Rheumatol Online J. 2011;9(Suppl 1):P77.",
    # AMA 11 §3.11.6: "(suppl 1)" in lower case
    "ama": "Pediatr Rheumatol Online J. 2011;9(suppl 1):P77.",
    # MLA 9 abbreviation "supp." in the number element
    "mla": "Pediatr Rheumatol Online J, vol. 9, supp. 1, 2011, p. P77.",
    "chicago": "Pediatr Rheumatol Online J 9 (supp. 1): P77.",
    "harvard": "Pediatr Rheumatol Online J, 9(Suppl 1), p. P77.",
}


@pytest.mark.parametrize("style", sorted(SUPPLEMENT))
def test_volume_supplement(style):
    assert format_citation(REF22, style).endswith(SUPPLEMENT[style])


def test_issue_supplement():
    work = Work(
        authors=["Semin A"], title="A study", journal="Semin Oncol", year=1996,
        volume="23", issue="1", supplement="Suppl 2", pages="89-97",
    )  # fmt: skip
    # Citing Medicine, "Issue with supplement": "1996;23(1 Suppl 2):89-97"
    assert format_citation(work, "vancouver").endswith("Semin Oncol. 1996;23(1 Suppl 2):89-97.")
    assert format_citation(work, "apa").endswith("Semin Oncol, 23(1, Suppl. 2), 89–97.")
    assert "vol. 23, no. 1, supp. 2, 1996, pp. 89–97" in format_citation(work, "mla")


# reference 3, "Front Med, 2023, 10:1108623": an article number, not a page. MLA's and
# Cite Them Right's CSL styles have no article number (CSL `number` is their issue), so
# it goes in as the page and citeproc-js labels it "p.", as Zotero prints it
ARTICLE_NUMBER = {
    # APA 7 §9.27: "Article" before an article number
    "apa": "Front Med, 10, Article 1108623.",
    "vancouver": "Front Med. 2023;10:1108623.",
    "ama": "Front Med. 2023;10:1108623.",
    "mla": "Front Med, vol. 10, 2023, p. 1108623.",
    "chicago": "Front Med 10: 1108623.",
    "harvard": "Front Med, 10, p. 1108623.",
}


@pytest.mark.parametrize("style", sorted(ARTICLE_NUMBER))
def test_article_number(style):
    assert format_citation(REF3, style).endswith(ARTICLE_NUMBER[style])


def test_article_numbers_are_told_from_pages():
    from tui.cite.csl import article_number

    def w(pages, journal="J Foo"):
        return Work(journal=journal, pages=pages)

    assert article_number(w("1108623")) and article_number(w("e0173487"))
    assert article_number(w("CD011819", "Cochrane Database Syst Rev"))
    assert article_number(w("30", "Arthritis Res Ther"))  # a BioMed Central journal
    assert article_number(w("3075", "Cells"))  # MDPI
    assert not article_number(w("254", "Lancet")) and not article_number(w("3075"))
    assert not article_number(w("213-226")) and not article_number(w("P77"))
    assert not article_number(w("e91-e104")) and not article_number(w(""))
    ref20 = Work(
        authors=["Ayano M"], title="CD34-selected", journal="Arthritis Res Ther", year=2019,
        volume="21", issue="1", pages="30",
    )  # fmt: skip
    assert format_citation(ref20, "apa").endswith("Arthritis Res Ther, 21(1), Article 30.")
    assert format_citation(ref20, "harvard").endswith("Arthritis Res Ther, 21(1), p. 30.")
    assert format_citation(ref20, "mla").endswith("vol. 21, no. 1, 2019, p. 30.")


def test_sentence_case_styles_print_the_title_as_the_source_did():
    # APA 7 §6.17 capitalises a subtitle ("Morphea: The 2023 update"); citeproc-js, like
    # every CSL processor, never lowercases or capitalises in a sentence-case style, so
    # the title is the record's (docs/CSL-ENGINE.md lists this difference from the guide)
    assert "(2023). Morphea: the 2023 update. Front Med" in format_citation(REF3, "apa")
    assert "‘Morphea: the 2023 update’" in format_citation(REF3, "harvard")
    assert "Morphea: the 2023 update. Front Med." in format_citation(REF3, "vancouver")


def _title(style: str, title: str) -> str:
    text = format_citation(Work(authors=["Smith J"], title=title, journal="J", year=2020), style)
    return re.search(r"“(.*?)[.]?”", text).group(1)


# title case, checked by hand against CMOS 18 §8.159-161 and MLA 9 §2.90-91
TITLE_CASE = [
    # prepositions of any length, "vs" and "versus" stay lower case
    (
        "Autologous hematopoietic stem cell transplantation vs intravenous pulse cyclophosphamide",
        "Autologous Hematopoietic Stem Cell Transplantation vs Intravenous Pulse Cyclophosphamide",
        "Autologous Hematopoietic Stem Cell Transplantation vs Intravenous Pulse Cyclophosphamide",
    ),
    ("Mesenchymal stem versus stromal cells", "Mesenchymal Stem versus Stromal Cells",
     "Mesenchymal Stem versus Stromal Cells"),
    ("Cyclophosphamide once per month", "Cyclophosphamide Once per Month",
     "Cyclophosphamide Once per Month"),
    (
        "Regulatory T cells in patients (SSc) before and after autologous SCT",
        "Regulatory T Cells in Patients (SSc) before and after Autologous SCT",
        "Regulatory T Cells in Patients (SSc) before and after Autologous SCT",
    ),
    # hyphenated compounds: both elements (CMOS 18 §8.161 keeps "Non-myeloablative" after
    # a prefix in Chicago; citeproc-js capitalises every element, as Zotero prints it)
    (
        "Predictive factors for treatment-related mortality",
        "Predictive Factors for Treatment-Related Mortality",
        "Predictive Factors for Treatment-Related Mortality",
    ),
    (
        "Autologous non-myeloablative haemopoietic stem-cell transplantation",
        "Autologous Non-Myeloablative Haemopoietic Stem-Cell Transplantation",
        "Autologous Non-Myeloablative Haemopoietic Stem-Cell Transplantation",
    ),
    ("CD34-selected cells and single-cell RNA-sequencing", "CD34-Selected Cells and Single-Cell RNA-Sequencing",
     "CD34-Selected Cells and Single-Cell RNA-Sequencing"),
    ("Production of mesenchymal stem/stromal cells", "Production of Mesenchymal Stem/Stromal Cells",
     "Production of Mesenchymal Stem/Stromal Cells"),
    # the last word always capitalised, even a preposition; symbols left alone
    ("What they are made of", "What They Are Made Of", "What They Are Made Of"),
    ("The Let-7a-5p/TGF-βR1/Smad axis", "The Let-7a-5p/TGF-βR1/Smad Axis",
     "The Let-7a-5p/TGF-βR1/Smad Axis"),
]  # fmt: skip


@pytest.mark.parametrize(("title", "chicago", "mla"), TITLE_CASE)
def test_title_case(title, chicago, mla):
    assert _title("chicago", title) == chicago
    assert _title("mla", title) == mla


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


def test_mla_and_chicago_keep_given_names_in_full():
    work = Work(authors=["Smith, John A", "Doe, Jane"], title="A title", journal="J", year=2020)
    # MLA 9 and CMOS 18 give names as the source does; APA and Cite Them Right: initials
    assert format_citation(work, "mla").startswith("Smith, John A., and Jane Doe.")
    assert format_citation(work, "chicago").startswith("Smith, John A., and Jane Doe. 2020.")
    assert format_citation(work, "apa").startswith("Smith, J. A., & Doe, J. (2020).")
    assert format_citation(work, "harvard").startswith("Smith, J.A. and Doe, J. (2020)")


DOI = "10.16138/j.1673-6087.2025.04.15"
T = "干细胞治疗硬皮病研究进展"
J = "内科理论与实践"
# the shipped review itself (Review.as_work(): its Chinese title, byline and journal)
REVIEW_EXPECTED = {
    "gbt7714-2015": f"林瑞莲, 马丽丽, 陈佳. {T}[J]. {J}, 2025, 20(4): 340-344. DOI:{DOI}.",
    "printed": f"林瑞莲, 马丽丽, 陈佳. {T}[J]. {J}, 2025, 20(04): 340-344.",
    "apa": f"林瑞莲, 马丽丽, & 陈佳. (2025). {T}. {J}, 20(4), 340–344. https://doi.org/{DOI}",
    "vancouver": f"林瑞莲, 马丽丽, 陈佳. {T}. {J}. 2025;20(4):340-4. doi: {DOI}.",
    "ama": f"林瑞莲, 马丽丽, 陈佳. {T}. {J}. 2025;20(4):340-344. doi:{DOI}",
    "mla": f"林瑞莲, et al. “{T}.” {J}, vol. 20, no. 4, 2025, pp. 340–44, https://doi.org/{DOI}.",
    "chicago": f"林瑞莲, 马丽丽, and 陈佳. 2025. “{T}.” {J} 20 (4): 340–44. https://doi.org/{DOI}.",
    "harvard": f"林瑞莲, 马丽丽, and 陈佳 (2025) ‘{T}’, {J}, 20(4), pp. 340–344. "
    f"Available at: https://doi.org/{DOI}.",
}
TE = "Advances in stem cell therapy for scleroderma"
JE = "Journal of Internal Medicine Concepts & Practice"
# the same review known only by its English metadata (pinyin byline "LIN Ruilian")
REVIEW_EN_EXPECTED = {
    "gbt7714-2015": f"LIN Ruilian, MA Lili, CHEN Jia. {TE}[J]. {JE}, 2025, 20(4): 340-344. DOI:{DOI}.",
    "apa": f"Lin, R., Ma, L., & Chen, J. (2025). {TE}. {JE}, 20(4), 340–344. https://doi.org/{DOI}",
    "vancouver": f"Lin R, Ma L, Chen J. {TE}. {JE}. 2025;20(4):340-4. doi: {DOI}.",
    "ama": f"Lin R, Ma L, Chen J. {TE}. {JE}. 2025;20(4):340-344. doi:{DOI}",
    "mla": "Lin, Ruilian, et al. “Advances in Stem Cell Therapy for Scleroderma.” "
    f"{JE}, vol. 20, no. 4, 2025, pp. 340–44, https://doi.org/{DOI}.",
    "chicago": "Lin, Ruilian, Lili Ma, and Jia Chen. 2025. “Advances in Stem Cell Therapy for "
    f"Scleroderma.” {JE} 20 (4): 340–44. https://doi.org/{DOI}.",
    "harvard": f"Lin, R., Ma, L. and Chen, J. (2025) ‘{TE}’, {JE}, 20(4), pp. 340–344. "
    f"Available at: https://doi.org/{DOI}.",
}


@pytest.mark.parametrize("style", sorted(REVIEW_EXPECTED))
def test_the_review_itself_in_every_style(style):
    assert format_citation(REVIEW_WORK, style) == REVIEW_EXPECTED[style]


@pytest.mark.parametrize("style", sorted(REVIEW_EN_EXPECTED))
def test_an_english_review_itself_in_every_style(style):
    from dataclasses import replace

    review = replace(REVIEW, title_zh="", authors_zh=[], journal_zh="", citation_zh="")
    assert format_citation(review.as_work(), style) == REVIEW_EN_EXPECTED[style]


def test_the_review_itself_as_records():
    from tui.cite import format_bibliography

    bib = format_bibliography([REVIEW_WORK], "bibtex")
    assert bib.startswith("@article{lin2025,") and f"doi = {{{DOI}}}" in bib
    assert "author = {{林瑞莲} and {马丽丽} and {陈佳}}" in bib
    ris = format_bibliography([REVIEW_WORK], "ris")
    assert "TY  - JOUR" in ris and f"DO  - {DOI}" in ris and "AU  - 林瑞莲" in ris


# A work imported from Zotero is rendered from its record, the CSL-JSON item as imported:
# citeproc-js prints from it what Zotero prints. Expected strings: Node's citeproc-js
# 2.4.63 (bench/cslref/render.js) on this very item, not our own output.
ZOTERO_BOOK = {
    "id": "http://zotero.org/users/1/items/ABCD1234",
    "type": "book",
    "title": "The art of translation",
    "author": [{"family": "McCauley", "given": "Stewart M."}, {"literal": "SR Research"}],
    "translator": [{"family": "Weaver", "given": "Warren"}],
    "issued": {"date-parts": [[2018, 11, 28]]},
    "publisher": "Penguin",
    "edition": "2",
}
ZOTERO_BOOK_EXPECTED = {
    "apa": "McCauley, S. M. & SR Research. (2018). The art of translation "
    "(W. Weaver, Trans.; 2nd ed.). Penguin.",
    "chicago": "McCauley, Stewart M. and SR Research. 2018. The Art of Translation. 2nd ed. "
    "Translated by Warren Weaver. Penguin.",
    "mla": "McCauley, Stewart M. and SR Research. The Art of Translation. "
    "Translated by Warren Weaver, 2nd ed., Penguin, 2018.",
}


def _imported(*items: dict) -> list[Work]:
    import json

    from tui.sources.csljson import parse_csljson

    return parse_csljson(json.dumps(list(items)), source="zotero.json")[1]


@pytest.mark.parametrize("style", sorted(ZOTERO_BOOK_EXPECTED))
def test_an_imported_work_is_rendered_from_its_record(style):
    # an organisation stays one, full given names stay, the translator is printed
    [work] = _imported(ZOTERO_BOOK)
    assert format_citation(work, style) == ZOTERO_BOOK_EXPECTED[style]


def test_an_imported_record_is_not_rewritten_by_the_printed_reference_rules():
    # "04" stays as the source wrote it and a page is not taken for an article number
    # (both are what we do for a printed reference); citeproc-js on the same item:
    item = {"id": "x", "type": "article-journal", "title": "A study", "container-title": "J Test",
            "author": [{"family": "Smith", "given": "John"}], "volume": "04", "issue": "2",
            "page": "1108623", "issued": {"date-parts": [[2020]]}}  # fmt: skip
    [work] = _imported(item)
    assert format_citation(work, "apa") == "Smith, J. (2020). A study. J Test, 04(2), 1108623."


def test_a_bibtex_work_is_rendered_from_its_record_with_a_bare_doi_and_no_scopus_type(tmp_path):
    # given names in full from the record (Chicago prints them); the DOI written as a URL
    # and Scopus's `type = {Article}` (kept as CSL genre) are not printed as such.
    # Expected: Node's citeproc-js on the item tui.cite.csl.render_data feeds it.
    from tui.sources import load_file

    bib = tmp_path / "t.bib"
    bib.write_text(
        "@article{b, author = {Bardram, Jakob E. and Kjær, Rasmus}, title = {The trouble "
        "with login}, journal = {Personal and Ubiquitous Computing}, year = {2005}, "
        "volume = {9}, number = {6}, pages = {357--367}, type = {Article}, "
        "doi = {http://dx.doi.org/10.1007/s00779-005-0347-6}}\n",
        encoding="utf-8",
    )
    [work] = load_file(bib)[1]
    assert format_citation(work, "chicago") == (
        "Bardram, Jakob E., and Rasmus Kjær. 2005. “The Trouble with Login.” Personal and "
        "Ubiquitous Computing 9 (6): 357–67. https://doi.org/10.1007/s00779-005-0347-6."
    )
    assert format_citation(work, "apa") == (
        "Bardram, J. E., & Kjær, R. (2005). The trouble with login. Personal and Ubiquitous "
        "Computing, 9(6), 357–367. https://doi.org/10.1007/s00779-005-0347-6"
    )
