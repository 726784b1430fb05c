"""Sample works for the citation tests (built by hand from the shipped review page),
and tests of the Work -> CSL-JSON mapping that every CSL style and csl-json output use."""

from __future__ import annotations

from tui.cite.csljson import csl_name, to_csl
from tui.model import Review, Work

# reference 1 of the shipped review
REF1 = Work(
    review="lin2025",
    kind="reference",
    n=1,
    authors=["Teske N", "Fett N"],
    title="Recent advances in treatment of systemic sclerosis and morphea",
    type="J",
    journal="Am J Clin Dermatol",
    year=2024,
    volume="25",
    issue="2",
    pages="213-226",
    doi="10.1007/s40257-023-00831-2",
    pmid="38087156",
    lang="en",
    raw="Teske N, Fett N. Recent advances in treatment of systemic sclerosis and morphea[J]. "
    "Am J Clin Dermatol, 2024, 25(2):213-226. doi: 10.1007/s40257-023-00831-2 pmid: 38087156",
)
# related article 1: nine Chinese authors, issue printed "04"
REL1 = Work(
    review="lin2025",
    kind="related",
    n=1,
    authors=["金诗炜", "潘萌萌", "许捷", "高山", "王焰", "刘元昉", "陶怡", "章卫平", "糜坚青"],
    title="既往新型冠状病毒感染对多发性骨髓瘤患者自体造血干细胞移植的影响",
    type="J",
    journal="内科理论与实践",
    year=2025,
    volume="20",
    issue="04",
    pages="289-295",
    lang="zh",
)
# reference 2: "et al." in the source, only three authors known
REF2 = Work(
    review="lin2025",
    n=2,
    authors=["Jerjen R", "Nikpour M", "Krieg T"],
    et_al=True,
    title="Systemic sclerosis in adults. Part I: Clinical features and pathogenesis",
    journal="J Am Acad Dermatol",
    year=2022,
    volume="87",
    issue="5",
    pages="937-954",
    doi="10.1016/j.jaad.2021.10.065",
    pmid="35131402",
)
# reference 3: article number as pages, no issue, "De Luca DA"
REF3 = Work(
    review="lin2025",
    n=3,
    authors=["Papara C", "De Luca DA", "Bieber K"],
    et_al=True,
    title="Morphea: the 2023 update",
    journal="Front Med",
    year=2023,
    volume="10",
    pages="1108623",
)
# reference 13: a PMID without a DOI
REF13 = Work(
    review="lin2025",
    n=13,
    authors=["Tyndall A", "Black C", "Finke J"],
    et_al=True,
    title="Treatment of systemic sclerosis with autologous haemopoietic stem cell transplantation",
    journal="Lancet",
    year=1997,
    volume="349",
    issue="9047",
    pages="254",
    pmid="9014919",
)
# reference 22: a supplement, "9 Suppl 1:P77"
REF22 = Work(
    review="lin2025",
    n=22,
    authors=["Moll M", "Holzer U", "Zimmer C"],
    et_al=True,
    title="Autologous stem cell transplantation in two children with disabling pansclerotic morphea",
    journal="Pediatr Rheumatol Online J",
    year=2011,
    volume="9",
    supplement="Suppl 1",
    pages="P77",
)
# a Chinese item with 等 in the source and only three authors known
ZH_ETAL = Work(
    review="x",
    kind="related",
    n=2,
    authors=["袁训来", "陈哲", "肖书海"],
    et_al=True,
    title="蓝田生物群: 一个认识多细胞生物起源和早期演化的新窗口",
    journal="科学通报",
    year=2012,
    volume="55",
    issue="34",
    pages="3219",
    lang="zh",
)
REVIEW = Review(
    key="lin2025",
    title_zh="干细胞治疗硬皮病研究进展",
    title_en="Advances in stem cell therapy for scleroderma",
    authors_zh=["林瑞莲", "马丽丽", "陈佳"],
    authors_en=["LIN Ruilian", "MA Lili", "CHEN Jia"],
    journal_zh="内科理论与实践",
    journal_en="Journal of Internal Medicine Concepts & Practice",
    year=2025,
    volume="20",
    issue="04",
    pages="340-344",
    doi="10.16138/j.1673-6087.2025.04.15",
    citation_zh="林瑞莲, 马丽丽, 陈佳. 干细胞治疗硬皮病研究进展[J]. 内科理论与实践, 2025, 20(04): 340-344.",
)
REVIEW_WORK = REVIEW.as_work()

EDGE_CASES = {
    "ref1": REF1,
    "rel1": REL1,
    "et_al": REF2,
    "zh_et_al": ZH_ETAL,
    "no_issue_article_number": REF3,
    "pmid_no_doi": REF13,
    "supplement": REF22,
    "review": REVIEW_WORK,
}


def test_csl_english_names_get_initials_with_points():
    assert csl_name("Teske N") == {"family": "Teske", "given": "N."}
    assert csl_name("De Luca DA") == {"family": "De Luca", "given": "D. A."}
    assert csl_name("Smith, John A.") == {"family": "Smith", "given": "John A."}


def test_csl_cjk_names_and_organisations_are_literal():
    assert csl_name("金诗炜") == {"literal": "金诗炜"}
    assert csl_name("陈 佳") == {"literal": "陈佳"}
    assert csl_name("WHO") == {"literal": "WHO"}


def test_to_csl_ref1():
    d = to_csl(REF1, id="teske2024recent")
    assert d == {
        "id": "teske2024recent",
        "type": "article-journal",
        "author": [{"family": "Teske", "given": "N."}, {"family": "Fett", "given": "N."}],
        "title": "Recent advances in treatment of systemic sclerosis and morphea",
        "container-title": "Am J Clin Dermatol",
        "issued": {"date-parts": [[2024]]},
        "volume": "25",
        "issue": "2",
        "page": "213-226",
        "DOI": "10.1007/s40257-023-00831-2",
        "PMID": "38087156",
        "language": "en",
    }


def test_to_csl_keeps_the_source_issue_and_puts_the_supplement_in_issue():
    assert to_csl(REL1)["issue"] == "04"
    assert to_csl(REL1)["language"] == "zh"
    assert to_csl(REF22)["issue"] == "Suppl 1"
    both = Work(authors=["A B"], volume="9", issue="2", supplement="Suppl 1")
    assert to_csl(both)["issue"] == "2 Suppl 1"


def test_to_csl_types():
    assert to_csl(Work(type="M", title="x"))["type"] == "book"
    assert to_csl(Work(type="M", title="x", journal="Book"))["type"] == "chapter"
    assert to_csl(Work(type="D", title="x"))["type"] == "thesis"
    assert to_csl(Work(type="EB", title="x", url="http://a"))["type"] == "webpage"
    d = to_csl(Work(type="EB", url="http://a", accessed="2013-03-08"))
    assert d["accessed"] == {"date-parts": [[2013, 3, 8]]}
