"""GB/T 7714 reference strings -> Work: the shipped page's 58 lines and common variants.

The expected values below were written by reading the page
(data/000_b90cea9157f310d4.txt) and the standard's own examples, not by running the
parser.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.model import Work
from tui.paths import shipped_review
from tui.sources.gbt import parse_reference

A3 = True  # "et al." after three authors

# n, authors, et_al, title, journal, year, volume, issue, pages, doi, pmid
REFERENCES = [
    (1, ["Teske N", "Fett N"], False,
     "Recent advances in treatment of systemic sclerosis and morphea",
     "Am J Clin Dermatol", 2024, "25", "2", "213-226", "10.1007/s40257-023-00831-2", "38087156"),
    (2, ["Jerjen R", "Nikpour M", "Krieg T"], A3,
     "Systemic sclerosis in adults. Part I: Clinical features and pathogenesis",
     "J Am Acad Dermatol", 2022, "87", "5", "937-954", "10.1016/j.jaad.2021.10.065", "35131402"),
    (3, ["Papara C", "De Luca DA", "Bieber K"], A3, "Morphea: the 2023 update",
     "Front Med", 2023, "10", "", "1108623", "", ""),
    (4, ["Jessop H", "Farge D", "Saccardi R"], A3,
     "General information for patients and carers considering haematopoietic stem cell "
     "transplantation (HSCT) for severe autoimmune diseases (ADs)",
     "Bone Marrow Transplant", 2019, "54", "7", "933-942", "", ""),
    (5, ["Snowden JA", "Saccardi R", "Allez M"], A3,
     "Haematopoietic SCT in severe autoimmune diseases: updated Guidelines of the European "
     "Group for Blood and Marrow Transplant",
     "Bone Marrow Transplant", 2012, "47", "6", "770-790", "", ""),
    (6, ["Levin D", "Hakim A", "Shezen E"], A3,
     "Hematopoietic stem cell transplantation for systemic sclerosis: mechanisms of immune "
     "reconstitution and disease reset",
     "Cells", 2022, "11", "19", "3075", "", ""),
    (7, ["Kobayashi S", "Nagafuchi Y", "Shoda H"], A3,
     "The pathophysiological roles of regulatory T cells in the early phase of systemic sclerosis",
     "Front Immunol", 2022, "13", "", "900638", "", ""),
    (8, ["Baraut J", "Grigore EI", "Jean-Louis F"], A3,
     "Peripheral blood regulatory T cells in patients with diffuse systemic sclerosis (SSc) "
     "before and after autologous hematopoietic SCT",
     "Bone Marrow Transplant", 2014, "49", "3", "349-354", "", ""),
    (9, ["Lima-Júnior JR", "Arruda LCM", "Gonçalves MS"], A3,
     "Autologous haematopoietic stem cell transplant restores the suppressive capacity of "
     "regulatory B cells in systemic sclerosis patients",
     "Rheumatology", 2021, "60", "12", "5538-5548", "10.1093/rheumatology/keab257", "33724344"),
    (10, ["Adamska JZ", "Zia A", "Bloom MS"], A3,
     "Myeloablative autologous haematopoietic stem cell transplant resets the B cell "
     "repertoire to a more naïve state in patients with systemic sclerosis",
     "Ann Rheum Dis", 2023, "82", "3", "357-364", "", ""),
    (11, ["Ayoglu B", "Donato M", "Furst DE"], A3,
     "Characterising the autoantibody repertoire in systemic sclerosis following "
     "myeloablative haematopoietic stem cell transplant",
     "Ann Rheum Dis", 2023, "82", "5", "670-680", "10.1136/ard-2021-221926", "36653124"),
    (12, ["Wareing N", "Wang X", "Keyes-Elstein L"], A3,
     "Myeloablation followed by hematopoietic stem cell transplant and long-term "
     "normalization of systemic sclerosis molecular signatures",
     "Arthritis Rheumatol", 2024, "76", "8", "1288-1293", "", ""),
    (13, ["Tyndall A", "Black C", "Finke J"], A3,
     "Treatment of systemic sclerosis with autologous haemopoietic stem cell transplantation",
     "Lancet", 1997, "349", "9047", "254", "", "9014919"),
    (14, ["Burt RK", "Shah SJ", "Dill K"], A3,
     "Autologous non-myeloablative haemopoietic stem-cell transplantation compared with pulse "
     "cyclophosphamide once per month for systemic sclerosis (ASSIST)",
     "Lancet", 2011, "378", "9790", "498-506", "", ""),
    (15, ["van Laar JM", "Farge D", "Sont JK"], A3,
     "Autologous hematopoietic stem cell transplantation vs intravenous pulse "
     "cyclophosphamide in diffuse cutaneous systemic sclerosis",
     "JAMA", 2014, "311", "24", "2490-2498", "", ""),
    (16, ["Sullivan KM", "Goldmuntz EA", "Keyes-Elstein L"], A3,
     "Myeloablative autologous stem-cell transplantation for severe scleroderma",
     "N Engl J Med", 2018, "378", "1", "35-47", "", ""),
    (17, ["Higashitani K", "Takase-Minegishi K", "Yoshimi R"], A3,
     "Benefits and risks of haematopoietic stem cell transplantation for systemic sclerosis",
     "Mod Rheumatol", 2023, "33", "2", "330-337", "", ""),
    (18, ["van Bijnen S", "de Vries-Bouwstra J", "van Den Ende CH"], A3,
     "Predictive factors for treatment-related mortality and major adverse events after "
     "autologous haematopoietic stem cell transplantation for systemic sclerosis",
     "Ann Rheum Dis", 2020, "79", "8", "1084-1089", "", ""),
    (19, ["Franks JM", "Martyanov V", "Wang Y"], A3,
     "Machine learning predicts stem cell transplant response in severe scleroderma",
     "Ann Rheum Dis", 2020, "79", "12", "1608-1615", "10.1136/annrheumdis-2020-217033", "32933919"),
    (20, ["Ayano M", "Tsukamoto H", "Mitoma H"], A3,
     "CD34-selected versus unmanipulated autologous haematopoietic stem cell transplantation "
     "in the treatment of severe systemic sclerosis",
     "Arthritis Res Ther", 2019, "21", "1", "30", "", ""),
    (21, ["Bruera S", "Sidanmat H", "Molony DA"], A3,
     "Stem cell transplantation for systemic sclerosis",
     "Cochrane Database Syst Rev", 2022, "7", "7", "CD011819", "", ""),
    (22, ["Moll M", "Holzer U", "Zimmer C"], A3,
     "Autologous stem cell transplantation in two children with disabling pansclerotic morphea",
     "Pediatr Rheumatol Online J", 2011, "9", "", "P77", "", ""),
    (23, ["Nair V", "Sharma A", "Sharma S"], A3,
     "Successful autologous hematopoietic stem cell transplantation for a patient with "
     "rapidly progressive localized scleroderma",
     "Int J Rheum Dis", 2015, "18", "3", "366-371", "10.1111/1756-185X.12555", "25923607"),
    (24, ["Huang Y", "Wu Q", "Tam PKH"], False,
     "Immunomodulatory mechanisms of mesenchymal stem cells and their potential clinical "
     "applications",
     "Int J Mol Sci", 2022, "23", "17", "10023", "", ""),
    (25, ["Viswanathan S", "Shi Y", "Galipeau J"], A3,
     "Mesenchymal stem versus stromal cells",
     "Cytotherapy", 2019, "21", "10", "1019-1024", "", "31526643"),
    (26, ["Guiducci S", "Manetti M", "Romano E"], A3,
     "Bone marrow-derived mesenchymal stem cells from early diffuse systemic sclerosis "
     "exhibit a paracrine machinery and stimulate angiogenesis in vitro",
     "Ann Rheum Dis", 2011, "70", "11", "2011-2021", "10.1136/ard.2011.150607", "21821866"),
    (27, ["Griffin M", "Ryan CM", "Pathan O"], A3,
     "Characteristics of human adipose derived stem cells in scleroderma in comparison to "
     "sex and age matched normal controls",
     "Stem Cell Res Ther", 2017, "8", "1", "23", "", ""),
    (28, ["Müller L", "Tunger A", "Wobus M"], A3,
     "Immunomodulatory properties of mesenchymal stromal cells",
     "Front Cell Dev Biol", 2021, "9", "", "637725", "", ""),
    (29, ["Dudek DW", "Walczuk E", "Wajda A"], A3,
     "Mesenchymal stem cells in systemic sclerosis therapy",
     "Reumatologia", 2020, "58", "5", "324-330", "", ""),
    (30, ["Sensebé L", "Bourin P", "Tarte K"], False,
     "Good manufacturing practices production of mesenchymal stem/stromal cells",
     "Hum Gene Ther", 2011, "22", "1", "19-26", "10.1089/hum.2010.197", "21028982"),
    (31, ["Christopeit M", "Schendel M", "Föll J"], A3,
     "Marked improvement of severe progressive systemic sclerosis after transplantation of "
     "mesenchymal stem cells from an allogeneic haploidentical-related donor mediated by "
     "ligation of CD137L",
     "Leukemia", 2008, "22", "5", "1062-1064", "10.1038/sj.leu.2404996", "17972956"),
    (32, ["Keyszer G", "Christopeit M", "Fick S"], A3,
     "Treatment of severe progressive systemic sclerosis with transplantation of mesenchymal "
     "stromal cells from allogeneic related donors: Report of five cases",
     "Arthritis Rheum", 2011, "63", "8", "2540-2542", "", ""),
    (33, ["Guiducci S", "Porta F", "Saccardi R"], A3,
     "Autologous mesenchymal stem cells foster revascularization of ischemic limbs in "
     "systemic sclerosis",
     "Ann Intern Med", 2010, "153", "10", "650-654",
     "10.7326/0003-4819-153-10-201011160-00007", "21079220"),
    (34, ["Farge D", "Loisel S", "Resche-Rigon M"], A3,
     "Safety and preliminary efficacy of allogeneic bone marrow-derived multipotent "
     "mesenchymal stromal cells for systemic sclerosis",
     "Lancet Rheumatol", 2022, "4", "2", "e91-e104", "", ""),
    (35, ["Scuderi N", "Ceccarelli S", "Onesti MG"], A3,
     "Human adipose-derived stromal cells for cell-based therapies in the treatment of "
     "systemic sclerosis",
     "Cell Transplant", 2013, "22", "5", "779-795", "", "22526170"),
    (36, ["Ménard C", "Dulong J", "Roulois D"], A3,
     "Integrated transcriptomic, phenotypic, and functional study reveals tissue-specific "
     "immune properties of mesenchymal stromal cells",
     "Stem Cells", 2020, "38", "1", "146-159", "10.1002/stem.3077", "31502731"),
    (37, ["Granel B", "Daumas A", "Jouve E"], A3,
     "Safety, tolerability and potential efficacy of injection of autologous adipose-derived "
     "stromal vascular fraction in the fingers of patients with systemic sclerosis",
     "Ann Rheum Dis", 2015, "74", "12", "2175-2182", "", ""),
    (38, ["Daumas A", "Magalon J", "Jouve E"], A3,
     "Adipose tissue-derived stromal vascular fraction for treating hands of patients with "
     "systemic sclerosis",
     "Rheumatology", 2022, "61", "5", "1936-1947", "", ""),
    (39, ["Liu J", "Wang J", "Zhang Q"], A3,
     "Clinical, histologic, and transcriptomic evaluation of sequential fat grafting for morphea",
     "JAMA Dermatol", 2024, "160", "4", "425-433", "", ""),
    (40, ["Barrett AN", "Fong CY", "Subramanian A"], A3,
     "Human Wharton\u2019s jelly mesenchymal stem cells show unique gene expression compared "
     "with bone marrow mesenchymal stem cells using single-cell RNA-sequencing",
     "Stem Cells Dev", 2019, "28", "3", "196-211", "10.1089/scd.2018.0132", "30484393"),
    (41, ["Zhang H", "Liang J", "Tang X"], A3,
     "Sustained benefit from combined plasmapheresis and allogeneic mesenchymal stem cells "
     "transplantation therapy in systemic sclerosis",
     "Arthritis Res Ther", 2017, "19", "1", "165", "10.1186/s13075-017-1373-2", "28724445"),
    (42, ["Liang J", "Zhang H", "Kong W"], A3,
     "Safety analysis in patients with autoimmune disease receiving allogeneic mesenchymal "
     "stem cell infusion",
     "Stem Cell Res Ther", 2018, "9", "1", "312", "10.1186/s13287-018-1053-4", "30428931"),
    (43, ["Wang L", "Li T", "Ma X"], A3,
     "Exosomes from human adipose-derived mesenchymal stem cells attenuate localized "
     "scleroderma fibrosis by the Let-7a-5p/TGF-\u03b2R1/Smad axis",
     "J Dermatol Sci", 2023, "112", "1", "31-38", "10.1016/j.jdermsci.2023.09.001", "37743142"),
]  # fmt: skip

NKLS = "内科理论与实践"
ZDLS = "诊断学理论与实践"
# n, authors, title, journal, year, volume, issue, pages  (all [J], no et al., no DOI)
RELATED = [
    (1, ["金诗炜", "潘萌萌", "许捷", "高山", "王焰", "刘元昉", "陶怡", "章卫平", "糜坚青"],
     "既往新型冠状病毒感染对多发性骨髓瘤患者自体造血干细胞移植的影响",
     NKLS, 2025, "20", "04", "289-295"),
    (2, ["唐暐", "蔡铭慈", "沈一格", "张守杰", "葛健", "赵维莅"],
     "口疮散治疗自体造血干细胞移植患者口腔黏膜炎疗效观察", NKLS, 2025, "20", "01", "14-17"),
    (3, ["安慧慧", "吴涛", "李芸芸", "刘文慧", "田思锐", "刘洋", "高铭敏"],
     "CEBPA双突变合并GATA2种系突变急性髓系白血病1例", NKLS, 2024, "19", "03", "185-187"),
    (4, ["沈连军", "吴蔚", "吉薇", "王红", "孙幸", "施青青", "孙梅", "顾健", "倪军"],
     "急性粒-单核细胞白血病患者造血干细胞移植后微血栓形成凝血指标监测及治疗1例报告",
     ZDLS, 2024, "23", "02", "180-183"),
    (5, ["吴涛", "刘文慧"], "磷脂酰肌醇3激酶δ过度活化综合征治疗进展",
     NKLS, 2024, "19", "02", "140-143"),
    (6, ["王创琦", "王茜", "王文威", "吴霏霏", "章艳琳"],
     "精细化水化方案对预防异基因造血干细胞移植后并发出血性膀胱炎的研究",
     NKLS, 2023, "18", "06", "431-435"),
    (7, ["曹红刚", "苏媛", "赵强", "薛锋", "汉英", "王存邦", "白海", "吴涛"],
     "肝炎相关重症再生障碍性贫血诊治一例报道并文献复习", ZDLS, 2021, "20", "06", "579-581"),
    (8, ["许晓倩", "卿恺", "张苏江"], "造血干细胞移植后非感染性肺部并发症的诊治进展",
     ZDLS, 2021, "20", "06", "515-521"),
    (9, ["贾明愿", "王苓", "王丽宁", "樊星", "唐暐", "胡炯"],
     "异基因造血干细胞移植治疗髓系恶性血液病移植前临床特征与预后的相关性研究",
     NKLS, 2018, "13", "02", "92-97"),
    (10, ["王丽宁", "胡炯"], "异基因造血干细胞移植后闭塞性细支气管炎的诊断与治疗",
     NKLS, 2018, "13", "02", "118-123"),
    (11, ["赵莉敏", "陆莹婷", "王苓", "蒋雪玮", "翟元梅", "杨莉", "侯海珠", "胡炯", "刘立根"],
     "亲缘半相合外周血造血干细胞移植后胰腺急性移植物抗宿主病1例",
     NKLS, 2018, "13", "02", "113-114"),
    (12, ["侯军", "张轶文", "施菊妹"],
     "半相合外周血造血干细胞移植联合后置环磷酰胺方案治疗骨髓增生异常综合征1例",
     NKLS, 2018, "13", "02", "110-112"),
    (13, ["吴德沛", "胡炯"], "难治性急性髓系白血病治疗研究进展", NKLS, 2018, "13", "02", "73-75"),
    (14, ["尹春荣", "高雯慧", "王紫薇", "王苓", "唐暐", "王建民", "胡炯"],
     "难治性急性髓系白血病异基因造血干细胞移植治疗疗效分析", NKLS, 2018, "13", "02", "76-80"),
    (15, ["杨莉", "赵莉敏", "陆莹婷", "谢英华", "侯海珠", "尹春荣", "蒋雪玮", "杜超", "翟元梅",
          "董一文", "翁巍", "孙致信", "刘立根"],
     "自体造血干细胞移植治疗复发难治性生殖细胞肿瘤1例", NKLS, 2018, "13", "02", "107-109"),
]  # fmt: skip


def _page_cells() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The reference and related-article cells of the shipped page, cut out with plain
    string operations (not the parser's regular expressions)."""
    refs: list[tuple[int, str]] = []
    rels: list[tuple[int, str]] = []
    for line in shipped_review().read_text(encoding="utf-8").splitlines():
        if not line.startswith("| ["):
            continue
        close = line.index("] | ")
        n = int(line[3:close])
        cell = line[close + 4 : line.rindex(" | ")]
        (rels if refs and n <= refs[-1][0] or rels else refs).append((n, cell))
    return refs, rels


REF_CELLS, REL_CELLS = _page_cells()


def test_page_has_43_references_and_15_related():
    assert [n for n, _ in REF_CELLS] == list(range(1, 44))
    assert [n for n, _ in REL_CELLS] == list(range(1, 16))


def _expected(cell: str, n: int, **fields) -> dict:
    """Every field of the Work: the given ones, and the empty default for the rest."""
    return Work(n=n, raw=cell, type="J", **fields).to_dict()


@pytest.mark.parametrize("expected", REFERENCES, ids=lambda e: f"ref{e[0]}")
def test_every_field_of_every_reference(expected):
    n, authors, et_al, title, journal, year, volume, issue, pages, doi, pmid = expected
    cell = dict(REF_CELLS)[n]
    w = parse_reference(cell, n=n)
    extra = {}
    if n == 22:
        extra["supplement"] = "Suppl 1"
    if n == 25:  # "doi: S1465-3249(19)30841-2" is a PII, not a DOI
        extra["pii"] = "S1465-3249(19)30841-2"
        assert len(w.warnings) == 1 and "not a DOI" in w.warnings[0]
        extra["warnings"] = w.warnings
    assert w.to_dict() == _expected(
        cell, n, authors=authors, et_al=et_al, title=title, journal=journal, year=year,
        volume=volume, issue=issue, pages=pages, doi=doi, pmid=pmid, lang="en", **extra,
    )  # fmt: skip


@pytest.mark.parametrize("expected", RELATED, ids=lambda e: f"rel{e[0]}")
def test_every_field_of_every_related_article(expected):
    n, authors, title, journal, year, volume, issue, pages = expected
    cell = dict(REL_CELLS)[n]
    w = parse_reference(cell, n=n)
    assert w.to_dict() == _expected(
        cell, n, authors=authors, title=title, journal=journal, year=year,
        volume=volume, issue=issue, pages=pages, lang="zh",
    )  # fmt: skip


def test_raw_round_trips_byte_for_byte_for_all_58():
    page = shipped_review().read_bytes()
    cells = REF_CELLS + REL_CELLS
    assert len(cells) == 58
    for n, cell in cells:
        w = parse_reference(cell, n=n)
        assert w.raw.encode("utf-8") == cell.encode("utf-8")
        assert b"| " + w.raw.encode("utf-8") + b" | " in page


def test_ref36_double_space_kept_in_raw_not_in_title():
    cell = dict(REF_CELLS)[36]
    assert "et al.  Integrated" in cell
    w = parse_reference(cell)
    assert "et al.  Integrated" in w.raw
    assert w.title.startswith("Integrated transcriptomic")


def test_trailing_comma_author_lists():
    w = parse_reference(
        "王丽宁, 胡炯,. 异基因造血干细胞移植后闭塞性细支气管炎的诊断与治疗[J]. 内科理论与实践, 2018, 13(02): 118-123."
    )
    assert w.authors == ["王丽宁", "胡炯"]
    assert w.title == "异基因造血干细胞移植后闭塞性细支气管炎的诊断与治疗"


# --- leading numbers -------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["[16] ", "[16]", "16. ", "  [16]  "])
def test_leading_number_is_stripped(prefix):
    body = "Sullivan KM, Goldmuntz EA. Myeloablative transplantation[J]. N Engl J Med, 2018, 378(1):35-47."
    w = parse_reference(prefix + body)
    assert w.n == 16
    assert w.raw == body
    assert w.authors == ["Sullivan KM", "Goldmuntz EA"]
    assert w.pages == "35-47"


def test_explicit_n_wins_over_printed_number():
    w = parse_reference("[3] Li M. T[J]. J, 2020, 1(1): 1-2.", n=7)
    assert w.n == 7


# --- variants of other Chinese journals ---------------------------------------------


def test_full_width_punctuation():
    w = parse_reference(
        "张三，李四，王五，等．干细胞治疗进展［J］．中华内科杂志，2019，58（3）：201-205．"
    )
    assert w.authors == ["张三", "李四", "王五"]
    assert w.et_al is True
    assert w.title == "干细胞治疗进展"
    assert (w.journal, w.year, w.volume, w.issue, w.pages) == (
        "中华内科杂志",
        2019,
        "58",
        "3",
        "201-205",
    )
    assert w.lang == "zh" and w.warnings == []


def test_chinese_title_keeps_its_full_width_colon():
    w = parse_reference("张三. 硬皮病：诊断与治疗[J]. 中华医学杂志, 2020, 100(1): 1-5.")
    assert w.title == "硬皮病：诊断与治疗"


def test_chinese_et_al_deng():
    w = parse_reference("张三, 李四, 王五, 等. 标题[J]. 中国医刊, 2021, 56(2): 10-12.")
    assert w.authors == ["张三", "李四", "王五"] and w.et_al


def test_j_ol_with_url_and_access_date():
    w = parse_reference(
        "李强, 王明. 远程医疗的实践[J/OL]. 中国数字医学, 2020, 15(3): 1-5[2020-05-01]. "
        "https://www.example.cn/article/2020/3/1.html"
    )
    assert (w.type, w.medium) == ("J", "OL")
    assert (w.journal, w.year, w.volume, w.issue, w.pages) == (
        "中国数字医学",
        2020,
        "15",
        "3",
        "1-5",
    )
    assert w.accessed == "2020-05-01"
    assert w.url == "https://www.example.cn/article/2020/3/1.html"
    assert w.warnings == []


@pytest.mark.parametrize(
    "tail",
    [
        "DOI:10.3760/cma.j.issn.0376-2491.2020.01.001.",
        "DOI: 10.3760/cma.j.issn.0376-2491.2020.01.001.",
        "doi:10.3760/cma.j.issn.0376-2491.2020.01.001",
        "DOI：10.3760/cma.j.issn.0376-2491.2020.01.001．",
        "https://doi.org/10.3760/cma.j.issn.0376-2491.2020.01.001",
        "doi: https://doi.org/10.3760/cma.j.issn.0376-2491.2020.01.001.",
    ],
)
def test_doi_variants(tail):
    w = parse_reference(f"王明. 标题[J]. 中华医学杂志, 2020, 100(1): 1-5. {tail}")
    assert w.doi == "10.3760/cma.j.issn.0376-2491.2020.01.001"
    assert w.pages == "1-5"
    assert w.pii == ""
    assert w.warnings == []


def test_no_space_after_colon_and_comma():
    w = parse_reference("Smith J,Doe A.Title here[J].Nature,2019,570(7761):183-186.")
    assert w.authors == ["Smith J", "Doe A"]
    assert w.title == "Title here"
    assert (w.journal, w.year, w.volume, w.issue, w.pages) == (
        "Nature",
        2019,
        "570",
        "7761",
        "183-186",
    )


def test_no_volume():
    w = parse_reference("赵六. 护理体会[J]. 基层医学论坛, 2005(8): 42-45.")
    assert (w.journal, w.year, w.volume, w.issue, w.pages) == (
        "基层医学论坛",
        2005,
        "",
        "8",
        "42-45",
    )


def test_issue_keeps_leading_zero():
    w = parse_reference("林瑞莲. 进展[J]. 内科理论与实践, 2025, 20(04): 340-344.")
    assert w.issue == "04"


def test_supplement_in_issue_parentheses():
    w = parse_reference("Lee K. Abstracts[J]. Blood, 2019, 134(Suppl 1): 4567.")
    assert (w.volume, w.issue, w.supplement, w.pages) == ("134", "", "Suppl 1", "4567")


def test_chinese_book_with_pages():
    w = parse_reference("陈灏珠. 实用内科学[M]. 北京: 人民卫生出版社, 2010: 12-20.")
    assert w.type == "M"
    assert w.authors == ["陈灏珠"]
    assert w.title == "实用内科学"
    assert (w.place, w.publisher, w.year, w.pages) == ("北京", "人民卫生出版社", 2010, "12-20")
    assert w.journal == "" and w.warnings == []


def test_english_book_with_edition():
    w = parse_reference(
        "Firestein GS, Budd RC. Kelley's textbook of rheumatology[M]. 2nd ed. New York: Springer, 2010."
    )
    assert w.type == "M"
    assert w.title == "Kelley's textbook of rheumatology"
    assert (w.edition, w.place, w.publisher, w.year, w.pages) == (
        "2nd ed",
        "New York",
        "Springer",
        2010,
        "",
    )
    assert w.warnings == []


def test_chinese_book_edition():
    w = parse_reference("葛均波, 徐永健. 内科学[M]. 9版. 北京: 人民卫生出版社, 2018: 100.")
    assert (w.edition, w.place, w.publisher, w.year, w.pages) == (
        "9版",
        "北京",
        "人民卫生出版社",
        2018,
        "100",
    )


def test_thesis():
    w = parse_reference("王五. 系统性硬化症的免疫机制研究[D]. 上海: 复旦大学, 2019.")
    assert (w.type, w.title, w.place, w.publisher, w.year) == (
        "D",
        "系统性硬化症的免疫机制研究",
        "上海",
        "复旦大学",
        2019,
    )
    assert w.warnings == []


def test_conference_paper_in_proceedings():
    w = parse_reference(
        "张三. 干细胞移植的现状[C]//中华医学会. 第十次全国风湿病学学术会议论文集. "
        "北京: 中华医学会, 2015: 45-47."
    )
    assert w.type == "C"
    assert w.title == "干细胞移植的现状"
    assert w.journal == "第十次全国风湿病学学术会议论文集"
    assert (w.place, w.publisher, w.year, w.pages) == ("北京", "中华医学会", 2015, "45-47")


def test_book_chapter_with_editors():
    w = parse_reference(
        "Smith J. Stem cells[M]//Brown A, Green B, eds. Cell therapy. Boston: Academic Press, 2012: 10-30."
    )
    assert w.type == "M"
    assert w.editors == ["Brown A", "Green B"]
    assert w.journal == "Cell therapy"
    assert (w.place, w.publisher, w.year, w.pages) == ("Boston", "Academic Press", 2012, "10-30")


def test_conference_proceedings_as_a_whole():
    w = parse_reference("中国医师协会. 2019年学术年会论文汇编[C]. 北京: 中国医师协会, 2019.")
    assert (w.type, w.place, w.publisher, w.year) == ("C", "北京", "中国医师协会", 2019)
    assert w.authors == ["中国医师协会"]


def test_report():
    w = parse_reference(
        "World Health Organization. Global tuberculosis report 2020[R]. Geneva: WHO, 2020."
    )
    assert w.type == "R"
    assert w.authors == ["World Health Organization"]
    assert w.title == "Global tuberculosis report 2020"
    assert (w.place, w.publisher, w.year) == ("Geneva", "WHO", 2020)


def test_newspaper():
    w = parse_reference("丁文祥. 数字革命与竞争国际化[N]. 中国青年报, 2000-11-20(15).")
    assert w.type == "N"
    assert (w.journal, w.year, w.pages) == ("中国青年报", 2000, "15")
    assert w.extra["date"] == "2000-11-20"


def test_web_page_eb_ol():
    w = parse_reference(
        "萧钰. 出版业信息化迈入快车道[EB/OL]. (2001-12-19)[2002-04-15]. "
        "http://www.creader.com/news/20011219/200112190019.html."
    )
    assert (w.type, w.medium) == ("EB", "OL")
    assert w.title == "出版业信息化迈入快车道"
    assert w.year == 2001
    assert w.accessed == "2002-04-15"
    assert w.url == "http://www.creader.com/news/20011219/200112190019.html"
    assert w.warnings == []


def test_standard():
    w = parse_reference(
        "全国信息与文献标准化技术委员会. 信息与文献 参考文献著录规则: GB/T 7714—2015[S]. 北京: 中国标准出版社, 2015: 15."
    )
    assert w.type == "S"
    assert w.title == "信息与文献 参考文献著录规则: GB/T 7714—2015"
    assert (w.place, w.publisher, w.year, w.pages) == ("北京", "中国标准出版社", 2015, "15")


def test_title_with_brackets_and_dots():
    w = parse_reference(
        "Chen X, Li Y, Wu Z, et al. [18F]FDG PET/CT in systemic sclerosis. A pilot study[J]. "
        "Eur J Nucl Med Mol Imaging, 2021, 48(5):1500-1508."
    )
    assert w.title == "[18F]FDG PET/CT in systemic sclerosis. A pilot study"
    assert w.type == "J"
    assert w.journal == "Eur J Nucl Med Mol Imaging"


def test_pmid_and_doi_after_pages():
    w = parse_reference(
        "Lee A. T[J]. Cell, 2020, 180(1):1-2. DOI: 10.1016/j.cell.2019.12.001. PMID: 31923396."
    )
    assert (w.doi, w.pmid) == ("10.1016/j.cell.2019.12.001", "31923396")


def test_pii_is_not_a_doi():
    w = parse_reference(
        "X A. T[J]. Cytotherapy, 2019, 21(10):1019-1024. doi: S1465-3249(19)30841-2"
    )
    assert w.doi == ""
    assert w.pii == "S1465-3249(19)30841-2"
    assert any("not a DOI" in x for x in w.warnings)


def test_article_number_and_elocator_pages():
    assert parse_reference("A B. T[J]. PLoS One, 2020, 15:e0229000.").pages == "e0229000"
    assert parse_reference("A B. T[J]. Lancet Rheumatol, 2022, 4(2):e91-e104.").pages == "e91-e104"


# --- never raises -------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "",
        "   ",
        "just some words without any structure",
        "[J]",
        "Smith J. Title[J]. ",
        "Smith J. Title[J]. Journal without year",
        "[[[[ ]]]] ::: ,,, ...",
        "\x00\ufffd 随便什么",
        "A" * 5000,
    ],
)
def test_unparseable_lines_keep_raw_and_warn(line):
    w = parse_reference(line)
    assert w.raw == line.strip()
    assert w.warnings, "an unparseable line must say so"
    assert w.type  # always some type code


def test_journal_without_year_warns_but_keeps_author_and_title():
    w = parse_reference("Smith J. Title[J]. Journal without year.")
    assert w.authors == ["Smith J"]
    assert w.title == "Title"
    assert w.year is None
    assert any("source" in x for x in w.warnings)


def test_unknown_trailing_text_warns():
    w = parse_reference("Smith J. Title[J]. Nature, 2019, 1(1):1-2. doi: 10.1/x Retracted")
    assert w.doi == "10.1/x"
    assert any("Retracted" in x for x in w.warnings)


def test_vancouver_without_type_code():
    w = parse_reference("Smith J, Doe A. A title. Nature. 2019;570(7761):183-6.")
    assert w.raw.startswith("Smith J")
    assert w.authors == ["Smith J", "Doe A"]
    assert w.title == "A title"
    assert w.year == 2019
    assert w.warnings


def test_non_string_input_does_not_raise():
    w = parse_reference(None)  # type: ignore[arg-type]
    assert w.warnings


# --- property: any text in, a Work out --------------------------------------------------

_PIECES = st.sampled_from(
    ["Smith J", ", ", ". ", "et al.", "等", "[J]", "[M]", "[J/OL]", "[EB/OL]", "//", "2020",
     "(04)", ":", "12-15", "doi: ", "10.1000/x", "pmid: 123", "https://a.b/c", "[2020-05-01]",
     "，", "：", "［", "］", "（", "）", "．", "北京", "胡炯,.", "  ", "\n", "Suppl 1", "e91"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(_PIECES, max_size=30).map("".join)))
def test_never_raises_and_keeps_raw(text):
    w = parse_reference(text)
    assert isinstance(w.warnings, list)
    assert w.type
    stripped = text.strip()
    # raw is the text as printed, less a leading "[n]" / "n." number
    assert stripped.endswith(w.raw)
    assert all(isinstance(a, str) and a for a in w.authors)
    assert w.year is None or isinstance(w.year, int)
    assert all(len(x) < 400 for x in w.warnings)


def test_long_pathological_line_is_fast():
    import time

    line = "A. T[C]//" + "a. " * 3000 + "B: C, 2020"
    t = time.perf_counter()
    parse_reference(line)
    assert time.perf_counter() - t < 1.0


def test_patent():
    w = parse_reference("张三, 李四. 一种细胞培养装置: CN201510000001.X[P]. 2015-06-10.")
    assert w.type == "P"
    assert w.title == "一种细胞培养装置: CN201510000001.X"
    assert w.year == 2015
    assert w.extra["date"] == "2015-06-10"
    assert w.warnings == []


def test_web_page_with_publisher_and_year():
    w = parse_reference(
        "World Health Organization. Scleroderma fact sheet[EB/OL]. Geneva: WHO, 2020[2021-03-04]. "
        "https://www.who.int/fact-sheets/scleroderma"
    )
    assert (w.type, w.medium, w.place, w.publisher, w.year) == ("EB", "OL", "Geneva", "WHO", 2020)
    assert w.accessed == "2021-03-04"
    assert w.url == "https://www.who.int/fact-sheets/scleroderma"
    assert w.warnings == []


def test_journal_name_with_parentheses_and_chinese_supplement():
    w = parse_reference("王五. 标题[J]. 中华医学杂志（英文版）, 2019, 40(增刊1): 12-13.")
    assert w.journal == "中华医学杂志（英文版）"
    assert (w.volume, w.issue, w.supplement, w.pages) == ("40", "", "增刊1", "12-13")
