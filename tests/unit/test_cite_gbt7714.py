"""GB/T 7714-2015 numeric, checked against the standard's own examples (section 8 and
appendix A of GB/T 7714-2015) and against references of the shipped review."""

from __future__ import annotations

import pytest

from tests.unit.test_cite_data import (
    EDGE_CASES,
    REF1,
    REF2,
    REF3,
    REF13,
    REF22,
    REL1,
    REVIEW_WORK,
    ZH_ETAL,
)
from tui.cite import format_citation
from tui.cite.gbt7714 import format_name, format_work
from tui.model import Work


def test_reference_1():
    assert format_citation(REF1, "gbt7714-2015") == (
        "TESKE N, FETT N. Recent advances in treatment of systemic sclerosis and morphea[J]. "
        "Am J Clin Dermatol, 2024, 25(2): 213-226. DOI:10.1007/s40257-023-00831-2."
    )


def test_related_article_1_three_authors_then_deng_and_issue_as_a_number():
    assert format_citation(REL1, "gbt7714-2015") == (
        "金诗炜, 潘萌萌, 许捷, 等. 既往新型冠状病毒感染对多发性骨髓瘤患者自体造血干细胞移植的影响[J]. "
        "内科理论与实践, 2025, 20(4): 289-295."
    )


def test_et_al_from_the_source_with_three_known_authors():
    assert format_citation(REF2, "gbt7714-2015").startswith(
        "JERJEN R, NIKPOUR M, KRIEG T, et al. Systemic"
    )
    # standard's example 8.1.2: "袁训来, 陈哲, 肖书海, 等. 蓝田生物群: …[J]. 科学通报, 2012, 55(34): 3219."
    assert format_citation(ZH_ETAL, "gbt7714-2015") == (
        "袁训来, 陈哲, 肖书海, 等. 蓝田生物群: 一个认识多细胞生物起源和早期演化的新窗口[J]. "
        "科学通报, 2012, 55(34): 3219."
    )


def test_four_known_authors_are_cut_to_three():
    w = Work(authors=["Myburg AA", "Grattapaglia D", "Tuskan GA", "Hellsten U"], title="T")
    assert format_citation(w, "gbt7714-2015").startswith(
        "MYBURG A A, GRATTAPAGLIA D, TUSKAN G A, et al. T[J]."
    )


def test_article_number_and_no_issue():
    assert format_citation(REF3, "gbt7714-2015") == (
        "PAPARA C, DE LUCA D A, BIEBER K, et al. Morphea: the 2023 update[J]. "
        "Front Med, 2023, 10: 1108623."
    )


def test_pmid_without_doi_is_not_printed():
    assert format_citation(REF13, "gbt7714-2015") == (
        "TYNDALL A, BLACK C, FINKE J, et al. Treatment of systemic sclerosis with autologous "
        "haemopoietic stem cell transplantation[J]. Lancet, 1997, 349(9047): 254."
    )


def test_supplement_inside_the_parentheses():
    assert format_citation(REF22, "gbt7714-2015").endswith(
        "Pediatr Rheumatol Online J, 2011, 9(Suppl 1): P77."
    )


def test_review_itself():
    assert format_citation(REVIEW_WORK, "gbt7714-2015") == (
        "林瑞莲, 马丽丽, 陈佳. 干细胞治疗硬皮病研究进展[J]. 内科理论与实践, 2025, 20(4): 340-344. "
        "DOI:10.16138/j.1673-6087.2025.04.15."
    )


def test_no_volume_gives_year_and_issue():
    # standard's example: 杨洪升. 四库馆私家抄校书考略[J]. 文献, 2013(1): 56-75.
    w = Work(authors=["杨洪升"], title="四库馆私家抄校书考略", journal="文献", year=2013, issue="1",
             pages="56-75", lang="zh")  # fmt: skip
    assert (
        format_citation(w, "gbt7714-2015")
        == "杨洪升. 四库馆私家抄校书考略[J]. 文献, 2013(1): 56-75."
    )


def test_standard_example_kanamori():
    w = Work(authors=["Kanamori H"], title="Shaking without quaking", journal="Science",
             year=1998, volume="279", issue="5359", pages="2063")  # fmt: skip
    assert (
        format_citation(w, "gbt7714-2015")
        == "KANAMORI H. Shaking without quaking[J]. Science, 1998, 279(5359): 2063."
    )


def test_standard_example_online_journal_with_access_date_url_and_doi():
    w = Work(
        authors=["Frese KS", "Katus HA", "Meder B"],
        title="Next-generation sequencing: from understanding biology to personalized medicine",
        journal="Biology", year=2013, volume="2", issue="1", pages="378-398",
        url="http://www.mdpi.com/2079-7737/2/1/378", accessed="2013-03-19",
        doi="10.3390/biology2010378",
    )  # fmt: skip
    assert format_citation(w, "gbt7714-2015") == (
        "FRESE K S, KATUS H A, MEDER B. Next-generation sequencing: from understanding biology "
        "to personalized medicine[J/OL]. Biology, 2013, 2(1): 378-398[2013-03-19]. "
        "http://www.mdpi.com/2079-7737/2/1/378. DOI:10.3390/biology2010378."
    )


def test_standard_example_no_issue_online():
    w = Work(
        authors=["Myburg AA", "Grattapaglia D", "Tuskan GA"], et_al=True,
        title="The genome of eucalyptus grandis", journal="Nature", year=2014, volume="510",
        pages="356-362", accessed="2014-06-25",
        url="http://www.nature.com/nature/journal/v510/n7505/pdf/nature13308.pdf",
        doi="10.1038/nature13308",
    )  # fmt: skip
    assert format_citation(w, "gbt7714-2015") == (
        "MYBURG A A, GRATTAPAGLIA D, TUSKAN G A, et al. The genome of eucalyptus grandis[J/OL]. "
        "Nature, 2014, 510: 356-362[2014-06-25]. "
        "http://www.nature.com/nature/journal/v510/n7505/pdf/nature13308.pdf. DOI:10.1038/nature13308."
    )


def test_standard_example_books():
    w = Work(type="M", authors=["徐光宪", "王祥云"], title="物质结构", place="北京",
             publisher="科学出版社", year=2010, lang="zh")  # fmt: skip
    assert (
        format_citation(w, "gbt7714-2015") == "徐光宪, 王祥云. 物质结构[M]. 北京: 科学出版社, 2010."
    )
    w = Work(type="M", authors=["Peebles PZ"], title="Probability, random variables, and random "
             "signal principles", edition="4", place="New York", publisher="McGraw-Hill",
             year=2001)  # fmt: skip
    assert format_citation(w, "gbt7714-2015") == (
        "PEEBLES P Z. Probability, random variables, and random signal principles[M]. "
        "4th ed. New York: McGraw-Hill, 2001."
    )
    w = Work(type="M", authors=["陈登原"], title="国史旧闻: 第1卷", place="北京",
             publisher="中华书局", year=2000, pages="29", lang="zh")  # fmt: skip
    assert (
        format_citation(w, "gbt7714-2015")
        == "陈登原. 国史旧闻: 第1卷[M]. 北京: 中华书局, 2000: 29."
    )


def test_unknown_place_and_publisher():
    w = Work(type="M", authors=["Smith J"], title="A book", year=1990)
    assert format_citation(w, "gbt7714-2015") == "SMITH J. A book[M]. [S.l.: s.n.], 1990."
    w = Work(type="M", authors=["张三"], title="书", year=1990, lang="zh")
    assert format_citation(w, "gbt7714-2015") == "张三. 书[M]. [出版地不详: 出版者不详], 1990."


def test_standard_example_thesis():
    w = Work(type="D", authors=["马欢"], title="人类活动影响下海河流域典型区水循环变化分析",
             place="北京", publisher="清华大学", year=2011, pages="27", lang="zh")  # fmt: skip
    assert format_citation(w, "gbt7714-2015") == (
        "马欢. 人类活动影响下海河流域典型区水循环变化分析[D]. 北京: 清华大学, 2011: 27."
    )


def test_standard_example_web_page():
    w = Work(type="EB", authors=["Bawden D"], title="Origins and concepts of digital literacy",
             extra={"date": "2008-05-04"}, accessed="2013-03-08",
             url="http://www.soi.city.ac.uk/~dbawden/digital%20literacy%20chapter.pdf")  # fmt: skip
    assert format_citation(w, "gbt7714-2015") == (
        "BAWDEN D. Origins and concepts of digital literacy[EB/OL]. (2008-05-04)[2013-03-08]. "
        "http://www.soi.city.ac.uk/~dbawden/digital%20literacy%20chapter.pdf."
    )


def test_standard_example_newspaper():
    w = Work(type="N", authors=["丁文祥"], title="数字革命与竞争国际化", journal="中国青年报",
             extra={"date": "2000-11-20"}, pages="15", lang="zh")  # fmt: skip
    assert (
        format_citation(w, "gbt7714-2015")
        == "丁文祥. 数字革命与竞争国际化[N]. 中国青年报, 2000-11-20(15)."
    )


def test_chapter_in_a_book():
    w = Work(type="M", authors=["王夫之"], title="周易外传: 卷5", editors=["王夫之"],
             journal="船山全书: 第6册", place="长沙", publisher="岳麓书社", year=2011,
             pages="1109", lang="zh")  # fmt: skip
    assert format_citation(w, "gbt7714-2015") == (
        "王夫之. 周易外传: 卷5[M]//王夫之. 船山全书: 第6册. 长沙: 岳麓书社, 2011: 1109."
    )


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Teske N", "TESKE N"),
        ("De Luca DA", "DE LUCA D A"),
        ("DES MARAIS D J", "DES MARAIS D J"),
        ("Tam PKH", "TAM P K H"),
        ("van Laar JM", "VAN LAAR J M"),
        ("Lima-Júnior JR", "LIMA-JÚNIOR J R"),
        ("Smith, John A.", "SMITH J A"),
        ("John A. Smith", "SMITH J A"),
        ("LIN Ruilian", "LIN Ruilian"),
        ("金诗炜", "金诗炜"),
        ("陈 佳", "陈佳"),
        ("胡炯,", "胡炯"),
        ("WHO", "WHO"),
    ],
)
def test_names(name, expected):
    assert format_name(name) == expected


def test_page_quirk_trailing_comma_author_is_dropped():
    w = Work(authors=["王丽宁", "胡炯", ""], title="异基因造血干细胞移植后闭塞性细支气管炎的诊断与治疗",
             journal="内科理论与实践", year=2018, volume="13", issue="02", pages="118-123",
             lang="zh")  # fmt: skip
    assert format_citation(w, "gbt7714-2015").startswith("王丽宁, 胡炯. 异基因")


def test_en_dash_pages_become_hyphens():
    w = Work(authors=["A B"], title="T", journal="J", year=2000, volume="1", pages="10–20")
    assert format_citation(w, "gbt7714-2015").endswith("2000, 1: 10-20.")


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_edge_cases_give_one_clean_line(case):
    text = format_citation(EDGE_CASES[case], "gbt7714-2015")
    assert "\n" not in text and "  " not in text
    assert text.endswith(".") and not text.endswith("..")
    assert "[J]" in text


def test_et_al_or_deng_follows_the_authors_script_not_the_item_language():
    # a .bib entry: Western authors, one Chinese word in the title, lang zh
    work = Work(authors=["Müller H", "Wang L", "Zhang S", "Li X"], lang="zh",
                title="Stem cells and 硬皮病", journal="J Foo", year=2020, volume="1",
                pages="1-9")  # fmt: skip
    assert format_work(work, "2015") == (
        "MÜLLER H, WANG L, ZHANG S, et al. Stem cells and 硬皮病[J]. J Foo, 2020, 1: 1-9."
    )
    work.authors, work.et_al = ["Müller H", "Wang L", "Zhang S"], True
    assert format_work(work, "2015").startswith("MÜLLER H, WANG L, ZHANG S, et al. Stem")
    # Chinese names in an English item: 等
    zh = Work(authors=["金诗炜", "潘萌萌", "许捷"], et_al=True, lang="en",
              title="Prior COVID-19 and autologous HSCT", journal="J Foo", year=2025)  # fmt: skip
    assert format_work(zh, "2015").startswith("金诗炜, 潘萌萌, 许捷, 等. Prior COVID-19")
    # pinyin names are written in Latin script: et al.
    py = Work(authors=["LIN Ruilian", "MA Lili", "CHEN Jia", "WANG Yan"], lang="zh",
              title="干细胞治疗硬皮病研究进展", journal="内科理论与实践", year=2025)  # fmt: skip
    assert format_work(py, "2015").startswith("LIN Ruilian, MA Lili, CHEN Jia, et al. 干细胞")


# The shipped review under the edition in force (gbt7714 = GB/T 7714-2025): family names
# as written, full-width comma, colon and parentheses, and a DOI counts as an access path
# so an article with one is [J/OL] (2025 9.3.1.3: "邱均平, 2000a. …[J/OL]. …. DOI:…").
def test_reference_1_under_2025():
    assert format_citation(REF1, "gbt7714-2025") == (
        "Teske N，Fett N. Recent advances in treatment of systemic sclerosis and morphea[J/OL]. "
        "Am J Clin Dermatol，2024，25（2）：213-226. DOI:10.1007/s40257-023-00831-2."
    )
    assert format_citation(REF1) == format_citation(REF1, "gbt7714-2025")


def test_review_and_related_article_under_2025():
    assert format_citation(REVIEW_WORK, "gbt7714-2025") == (
        "林瑞莲，马丽丽，陈佳. 干细胞治疗硬皮病研究进展[J/OL]. 内科理论与实践，2025，20（4）：340-344. "
        "DOI:10.16138/j.1673-6087.2025.04.15."
    )
    assert format_citation(REL1, "gbt7714-2025") == (
        "金诗炜，潘萌萌，许捷，等. 既往新型冠状病毒感染对多发性骨髓瘤患者自体造血干细胞移植的影响[J]. "
        "内科理论与实践，2025，20（4）：289-295."
    )
    assert format_citation(REF3, "gbt7714-2025").startswith(
        "Papara C，De Luca D A，Bieber K，et al."
    )
    # half-width on request, and the no-URL variant drops the /OL a DOI brings (the DOI
    # itself stays: journals that want no URL still ask for it)
    assert format_citation(REF1, "gbt7714-2025-nourl", punct="half") == (
        "Teske N, Fett N. Recent advances in treatment of systemic sclerosis and morphea[J]. "
        "Am J Clin Dermatol, 2024, 25(2): 213-226. DOI:10.1007/s40257-023-00831-2."
    )
