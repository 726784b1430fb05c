"""GB/T 7714-2025 and 2015, every document type, from the standards' own examples (2015
clause 4 and appendix A, 2025 clause 8 and appendix B), the records written here as a
.bib export would carry them; plus the styles, the punctuation setting, the no-URL
variant, sentence case and the author-date system."""

from __future__ import annotations

import pytest

from bench.gbt_examples import normalise
from tui.cite import check_style, format_bibliography, format_citation, learn_proper_nouns
from tui.cite.gbt7714 import sentence_case
from tui.errors import NotFound
from tui.sources.bibtex import parse_bibtex


def bib(text: str):
    return parse_bibtex(text, source="t.bib")[1][0]


def cite(text: str, style: str, **kw) -> str:
    return format_citation(bib(text), style, **kw)


PEEBLES = """@book{p, author = {Peebles, Jr., Peyton Z.},
  title = {Probability, Random Variables, and Random Signal Principles},
  edition = {Fourth}, publisher = {McGraw-Hill}, location = {New York}, year = {2001},
  langid = {english}}"""
TRANSLATED = """@book{h, author = {哈里森 and 沃尔德伦}, translator = {谢远涛},
  title = {经济数学与金融数学}, pages = {235--236}, publisher = {中国人民大学出版社},
  location = {北京}, year = {2012}, langid = {chinese}}"""
VOLUME = """@book{c, author = {陈登原}, title = {国史旧闻}, volume = {1}, pages = {29},
  publisher = {中华书局}, location = {北京}, year = {2000}, langid = {chinese}}"""
EDITED = """@proceedings{n, editor = {牛志明 and 斯温兰德 and 雷光春},
  title = {综合湿地管理国际研讨会论文集}, publisher = {海洋出版社}, location = {北京},
  year = {2012}, langid = {chinese}}"""
ORIGINAL_DATE = """@book{w, author = {王夫之}, title = {宋论}, edition = {刻本},
  publisher = {湘乡曾国荃}, location = {金陵}, year = {1865（清同治四年）}, langid = {chinese}}"""
CHAPTER = """@incollection{s, author = {Weinstein, Louis and Swartz, Morton N.},
  editor = {Sodeman, Jr., William A. and Sodeman, William A.},
  title = {Pathogenic Properties of Invading Microorganisms},
  booktitle = {Pathologic Physiology: Mechanisms of Disease}, pages = {457--472},
  publisher = {Saunders}, location = {Philadelphia}, year = {1974}, langid = {english}}"""
ONLINE_ARTICLE = """@article{f, author = {Frese, Karen S. and Katus, Hugo A. and Meder, Benjamin},
  title = {Next-Generation Sequencing: From Understanding Biology to Personalized Medicine},
  journaltitle = {Biology}, volume = {2}, number = {1}, pages = {378--398}, year = {2013},
  urldate = {2013-03-19}, url = {http://www.mdpi.com/2079-7737/2/1/378},
  doi = {10.3390/biology2010378}, langid = {english}}"""
DOI_IN_URL = """@book{f2, author = {Fan, Xuetong and Sommers, Christopher H.},
  title = {Food Irradiation Research and Technology}, edition = {2}, pages = {25--26},
  publisher = {Blackwell Publishing}, location = {Ames, Iowa}, year = {2013},
  urldate = {2014-06-26},
  url = {http://onlinelibrary.wiley.com/doi/10.1002/9781118422557/summary},
  doi = {10.1002/9781118422557}, langid = {english}}"""
STANDARD = """@standard{g, author = {全国信息与文献标准化技术委员会},
  title = {信息与文献 都柏林核心元数据元素集}, number = {GB/T 25100—2010}, pages = {2--3},
  publisher = {中国标准出版社}, location = {北京}, year = {2010}, langid = {chinese}}"""
PATENT = """@patent{d, author = {邓一刚}, title = {全智能节电器}, number = {CN200610171314.3},
  pages = {8--9}, year = {2008}, date = {2008-01-16}, langid = {chinese}}"""
PATENT_HOLDER = """@patent{x, author = {石顺祥 and 许海平}, holder = {西安电子科技大学},
  title = {光折变自适应光外差探测方法}, number = {01128777.2}, year = {2002},
  date = {2002-03-06}, urldate = {2002-05-28}, url = {http://211.152.9.47/x?recid=1},
  langid = {chinese}}"""
REPORT = """@report{r, author = {{U.S. Department of Transportation Federal Highway Administration}},
  title = {Guidelines for Handling Excavated Acid-Producing Materials},
  number = {PB 91-194001}, pages = {25},
  institution = {U.S. Department of Commerce National Information Service},
  location = {Springfield}, year = {1990}, langid = {american}}"""
ARCHIVE = """@misc{a, entrysubtype = {archive}, author = {李鸿章},
  title = {奏请上海道库洋务外销要款无款可筹仍拨药厘接济事}, number = {04-01-35-0399-039},
  institution = {中国第一历史档案馆}, location = {北京}, year = {1887（光绪十三年三月十三日）},
  langid = {chinese}}"""
NEWSPAPER = """@article{np, entrysubtype = {newspaper}, author = {丁文详},
  title = {数字革命与竞争国际化}, journaltitle = {中国青年报}, pages = {15}, year = {2000},
  date = {2000-11-20}, langid = {chinese}}"""
THESIS = """@thesis{t, author = {Cairns, Brian R.},
  title = {Infrared Spectroscopic Studies of Solid Oxygen}, type = {phdthesis}, pages = {15},
  institution = {University of California, Berkeley}, location = {Berkeley},
  year = {1965}, langid = {american}}"""
PAPER = """@inproceedings{cp, author = {汪学军}, editor = {国家环境保护总局生物安全管理办公室},
  title = {中国农业转基因生物研发进展与安全管理},
  booktitle = {中国国家生物安全框架实施国际合作项目研讨会论文集}, pages = {22--25},
  publisher = {中国环境科学出版社}, location = {北京}, year = {2005}, langid = {chinese}}"""
WEB = """@online{eb, author = {Bawden, David}, title = {Origins and Concepts of Digital Literacy},
  date = {2008-05-04}, urldate = {2013-03-08}, url = {http://www.soi.city.ac.uk/dl.pdf},
  langid = {english}}"""
DATASET = """@dataset{ds, author = {Sugarman, L. and Markham, S.},
  title = {Students in a Selective High School: Some Vocationally Oriented Data},
  publisher = {UK Data Service}, year = {1980}, urldate = {2025-07-10},
  url = {https://beta.ukdataservice.ac.uk/study?id=996}, langid = {british}}"""
PREPRINT = """@online{pp, entrysubtype = {preprint}, author = {Jenkins, Stewart D. and
  Ruostekoski, Janne}, title = {Controlled Manipulation of Light by Cooperative Response of
  Atoms in an Optical Lattice}, version = {2}, eprinttype = {arXiv}, year = {2012},
  date = {2012-03-18}, urldate = {2020-06-24}, url = {https://doi.org/10.48550/arXiv.1112.6136},
  doi = {10.48550/arXiv.1112.6136}, pubstate = {preprint}, langid = {american}}"""
MAP = """@misc{cm, entrysubtype = {map}, author = {胡健民}, title = {东南极拉斯曼丘陵地区地质图},
  scale = {1:25000}, dimensions = {128cm×84cm}, publisher = {科学出版社}, location = {北京},
  year = {2021}, langid = {chinese}}"""

CASES_2015 = [
    (PEEBLES, "PEEBLES P Z, Jr. Probability, random variables, and random signal "
     "principles[M]. 4th ed. New York: McGraw-Hill, 2001."),
    (TRANSLATED, "哈里森, 沃尔德伦. 经济数学与金融数学[M]. 谢远涛, 译. 北京: "
     "中国人民大学出版社, 2012: 235-236."),
    (VOLUME, "陈登原. 国史旧闻: 第 1 卷[M]. 北京: 中华书局, 2000: 29."),
    (EDITED, "牛志明, 斯温兰德, 雷光春. 综合湿地管理国际研讨会论文集[C]. 北京: 海洋出版社, 2012."),
    (ORIGINAL_DATE, "王夫之. 宋论[M]. 刻本. 金陵: 湘乡曾国荃, 1865（清同治四年）."),
    (CHAPTER, "WEINSTEIN L, SWARTZ M N. Pathogenic properties of invading microorganisms[M]//"
     "SODEMAN W A, Jr, SODEMAN W A. Pathologic physiology: mechanisms of disease. "
     "Philadelphia: Saunders, 1974: 457-472."),
    (ONLINE_ARTICLE, "FRESE K S, KATUS H A, MEDER B. Next-generation sequencing: from "
     "understanding biology to personalized medicine[J/OL]. Biology, 2013, 2(1): 378-398"
     "[2013-03-19]. http://www.mdpi.com/2079-7737/2/1/378. DOI:10.3390/biology2010378."),
    (DOI_IN_URL, "FAN X, SOMMERS C H. Food irradiation research and technology[M/OL]. 2nd ed. "
     "Ames, Iowa: Blackwell Publishing, 2013: 25-26[2014-06-26]. "
     "http://onlinelibrary.wiley.com/doi/10.1002/9781118422557/summary."),
    (STANDARD, "全国信息与文献标准化技术委员会. 信息与文献 都柏林核心元数据元素集: "
     "GB/T 25100—2010[S]. 北京: 中国标准出版社, 2010: 2-3."),
    (PATENT_HOLDER, "西安电子科技大学. 光折变自适应光外差探测方法: 01128777.2[P/OL]. "
     "2002-03-06[2002-05-28]. http://211.152.9.47/x?recid=1."),
    (NEWSPAPER, "丁文详. 数字革命与竞争国际化[N]. 中国青年报, 2000-11-20(15)."),
    (PAPER, "汪学军. 中国农业转基因生物研发进展与安全管理[C]//国家环境保护总局生物安全管理办公室. "
     "中国国家生物安全框架实施国际合作项目研讨会论文集. 北京: 中国环境科学出版社, 2005: 22-25."),
    (WEB, "BAWDEN D. Origins and concepts of digital literacy[EB/OL]. (2008-05-04)"
     "[2013-03-08]. http://www.soi.city.ac.uk/dl.pdf."),
]  # fmt: skip

CASES_2025 = [
    (PEEBLES, "Peebles P Z Jr. Probability，random variables，and random signal principles[M]. "
     "4th ed. New York：McGraw-Hill，2001."),
    (TRANSLATED, "哈里森，沃尔德伦. 经济数学与金融数学[M]. 谢远涛，译. 北京：中国人民大学出版社，"
     "2012：235-236."),
    (ORIGINAL_DATE, "王夫之. 宋论[M]. 刻本. 金陵：湘乡曾国荃，1865（清同治四年）."),
    (CHAPTER, "Weinstein L，Swartz M N. Pathogenic properties of invading microorganisms[M]//"
     "Sodeman W A Jr，Sodeman W A. Pathologic physiology：mechanisms of disease. "
     "Philadelphia：Saunders，1974：457-472."),
    # 2025 drops the access date of what is not only on the network
    (ONLINE_ARTICLE, "Frese K S，Katus H A，Meder B. Next-generation sequencing：from "
     "understanding biology to personalized medicine[J/OL]. Biology，2013，2（1）：378-398. "
     "http://www.mdpi.com/2079-7737/2/1/378. DOI:10.3390/biology2010378."),
    (STANDARD, "GB/T 25100—2010 信息与文献 都柏林核心元数据元素集[S]."),
    (PATENT, "邓一刚. 全智能节电器：CN200610171314.3[P]. 2008-01-16：8-9."),
    (REPORT, "U.S. Department of Transportation Federal Highway Administration. Guidelines for "
     "handling excavated acid-producing materials：PB 91-194001[R]. Springfield：U.S. "
     "Department of Commerce National Information Service，1990：25."),
    (ARCHIVE, "李鸿章. 奏请上海道库洋务外销要款无款可筹仍拨药厘接济事：04-01-35-0399-039[A]. "
     "北京：中国第一历史档案馆，1887（光绪十三年三月十三日）."),
    (NEWSPAPER, "丁文详. 数字革命与竞争国际化[N]. 中国青年报，2000-11-20（15）."),
    (THESIS, "Cairns B R. Infrared spectroscopic studies of solid oxygen[D]. Berkeley："
     "University of California，Berkeley，1965：15."),
    (DATASET, "Sugarman L，Markham S. Students in a selective high school：some vocationally "
     "oriented data[DS/OL]. UK Data Service（1980）[2025-07-10]. "
     "https://beta.ukdataservice.ac.uk/study?id=996."),
    (PREPRINT, "Jenkins S D，Ruostekoski J. Controlled manipulation of light by cooperative "
     "response of atoms in an optical lattice[PP/OL]. V2. arXiv（2012-03-18）[2020-06-24]. "
     "https://doi.org/10.48550/arXiv.1112.6136."),
    (MAP, "胡健民. 东南极拉斯曼丘陵地区地质图. 1:25000[CM]. 北京：科学出版社，2021. 128cm×84cm."),
]  # fmt: skip


@pytest.mark.parametrize("record, expected", CASES_2015)
def test_2015_types(record, expected):
    assert cite(record, "gbt7714-2015") == expected


@pytest.mark.parametrize("record, expected", CASES_2025)
def test_2025_types(record, expected):
    assert normalise(cite(record, "gbt7714-2025")) == normalise(expected)


def test_2025_prints_full_width_punctuation_and_2015_half_width():
    assert cite(PEEBLES, "gbt7714-2025") == (
        "Peebles P Z Jr. Probability，random variables，and random signal principles[M]. "
        "4th ed. New York：McGraw-Hill，2001."
    )
    assert cite(PEEBLES, "gbt7714-2025", punct="half") == (
        "Peebles P Z Jr. Probability, random variables, and random signal principles[M]. "
        "4th ed. New York: McGraw-Hill, 2001."
    )
    # by language: full-width for a Chinese work only
    assert "New York: McGraw-Hill, 2001" in cite(PEEBLES, "gbt7714-2015", punct="bylanguage")
    assert "北京：中华书局，2000：29" in cite(VOLUME, "gbt7714-2015", punct="bylanguage")
    # URLs and identifiers keep their own characters
    assert "http://www.mdpi.com/2079-7737/2/1/378. DOI:10.3390/biology2010378." in cite(
        ONLINE_ARTICLE, "gbt7714-2025"
    )


def test_bad_punct_is_one_clear_error():
    with pytest.raises(NotFound, match="standard, half, bylanguage"):
        cite(PEEBLES, "gbt7714", punct="wide")


def test_nourl_variant_drops_url_access_date_and_ol_but_not_a_web_page():
    assert cite(ONLINE_ARTICLE, "gbt7714-2015-nourl") == (
        "FRESE K S, KATUS H A, MEDER B. Next-generation sequencing: from understanding biology "
        "to personalized medicine[J]. Biology, 2013, 2(1): 378-398. DOI:10.3390/biology2010378."
    )
    assert cite(ONLINE_ARTICLE, "gbt7714-2025-nourl").endswith(
        "[J]. Biology，2013，2（1）：378-398. DOI:10.3390/biology2010378."
    )
    assert cite(WEB, "gbt7714-2015-nourl") == cite(WEB, "gbt7714-2015")


def test_styles_and_aliases():
    assert check_style("gbt7714") == "gbt7714"
    assert check_style("GB/T 7714-2015") == "gbt7714-2015"
    assert check_style("gbt77142025nourl") == "gbt7714-2025-nourl"
    # gbt7714 is the edition in force
    assert cite(PEEBLES, "gbt7714") == cite(PEEBLES, "gbt7714-2025")


def test_author_date_lists_tell_one_authors_year_apart():
    one = """@article{k1, author = {Kennedy, W. J. and Garrison, R. E.}, title = {Chalks},
      journaltitle = {Sedimentology}, volume = {22}, pages = {311}, year = {1975}}"""
    two = one.replace("k1", "k2").replace("Chalks", "Phosphates")
    text = format_bibliography([bib(one), bib(two)], "gbt7714-2015-authoryear")
    assert text.split("\n") == [
        "KENNEDY W J, GARRISON R E, 1975a. Chalks[J]. Sedimentology, 22: 311.",
        "KENNEDY W J, GARRISON R E, 1975b. Phosphates[J]. Sedimentology, 22: 311.",
    ]
    anon = """@article{a, title = {人物龙凤帛画}, journaltitle = {中国书法}, number = {3},
      pages = {5}, year = {2023}, langid = {chinese}}"""
    assert normalise(cite(anon, "gbt7714-2025-authoryear")) == normalise(
        "佚名，2023. 人物龙凤帛画[J]. 中国书法 （3）：5."
    )


def test_sentence_case_keeps_what_it_must():
    assert sentence_case("Shaking without Quaking") == "Shaking without quaking"
    assert (
        sentence_case("About OCLC: History of Cooperation") == "About OCLC: history of cooperation"
    )
    assert sentence_case("The Genome of Eucalyptus Grandis", frozenset({"Eucalyptus"})) == (
        "The genome of Eucalyptus grandis"
    )
    assert sentence_case("Deep-Time Images in the Age of McGraw") == (
        "Deep-time images in the age of McGraw"
    )
    # already sentence case: left alone, its proper nouns too
    assert sentence_case("The genome of Eucalyptus grandis") == "The genome of Eucalyptus grandis"


def test_proper_nouns_are_learned_from_the_library():
    lib = [bib("@article{a, title = {Hospital care in Ohio and elsewhere}, year = {2001}}")]
    nouns = learn_proper_nouns(lib)
    assert "Ohio" in nouns
    title_case = bib("@article{b, title = {Rural Hospitals of Ohio}, journal = {J}, year = {2002}}")
    assert "of Ohio[J]" in format_citation(title_case, "gbt7714-2015", proper_nouns=nouns)
    assert "of ohio[J]" in format_citation(title_case, "gbt7714-2015")
    # a whole list learns from itself
    text = format_bibliography([*lib, title_case], "gbt7714-2015")
    assert "Rural hospitals of Ohio[J]" in text


def test_2025_keeps_full_given_names_only_when_they_are_pinyin():
    """'Wang Shanshan' stays whole (the 2025 examples), but an English given name that a
    loose initial-final pattern would also read as pinyin ('Doe Jane', 'Lee Ann') is cut
    to initials like every other Western name."""
    text = (
        "@article{a, author={Doe, Jane and Lee, Ann and Wang, Shanshan}, title={T},"
        " journal={J}, year={2024}}"
    )
    _, (work,) = parse_bibtex(text, source="x.bib")
    out = format_citation(work, "gbt7714-2025")
    assert normalise(out).startswith(normalise("Doe J, Lee A, Wang Shanshan. T[J]")), out


@pytest.mark.parametrize("style", ["gbt7714-2025", "gbt7714-2015"])
def test_a_blank_name_particle_is_no_particle(style):
    """A von-part of spaces only (a record from elsewhere) is read as none: no IndexError."""
    from tui.model import Work

    csl = {
        "type": "article-journal",
        "author": [{"family": "Veen", "given": "Piet", "non-dropping-particle": " \t"}],
        "title": "A study",
        "container-title": "J Test",
        "issued": {"date-parts": [[2020]]},
    }
    plain = dict(csl, author=[{"family": "Veen", "given": "Piet"}])
    fields = {"authors": ["Veen P"], "title": "A study", "journal": "J Test", "year": 2020}
    expected = format_bibliography([Work(**fields, csl=plain)], style)
    assert format_bibliography([Work(**fields, csl=csl)], style) == expected
    assert "VEEN P" in expected.upper()
