"""The Magtech review page importer and load_file.

Expected values were written by reading data/000_b90cea9157f310d4.txt.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap

import pytest

from tui.errors import ParseError, ReadingListError
from tui.model import Review
from tui.paths import shipped_review
from tui.sources import load_file, parse_page

PAGE = shipped_review().read_text(encoding="utf-8")

ABSTRACT = (
    "硬皮病是一种以皮肤及内脏组织纤维化为主要特征的自身免疫性结缔组织病,目前尚缺乏满意的治疗方法。"
    "近年来,干细胞因其自我更新和多向分化潜能,已成为治疗多种疾病的新兴手段,"
    "在硬皮病治疗领域也取得显著进展。本文综述了近年来干细胞治疗硬皮病的机制及临床研究进展,"
    "以期为未来基础研究提供新思路,并为临床治疗提供理论依据。"
)
CITATION_ZH = (
    "林瑞莲, 马丽丽, 陈佳. 干细胞治疗硬皮病研究进展[J]. 内科理论与实践, 2025, 20(04): 340-344."
)
CITATION_EN = (
    "LIN Ruilian, MA Lili, CHEN Jia. Advances in stem cell therapy for scleroderma[J]. "
    "Journal of Internal Medicine Concepts & Practice, 2025, 20(04): 340-344."
)

EXPECTED_REVIEW = {
    "key": "lin2025",
    "kind": "review",
    "title_zh": "干细胞治疗硬皮病研究进展",
    "title_en": "Advances in stem cell therapy for scleroderma",
    "authors_zh": ["林瑞莲", "马丽丽", "陈佳"],
    "authors_en": ["LIN Ruilian", "MA Lili", "CHEN Jia"],
    "journal_zh": "内科理论与实践",
    "journal_en": "Journal of Internal Medicine Concepts & Practice",
    "year": 2025,
    "volume": "20",
    "issue": "04",
    "pages": "340-344",
    "doi": "10.16138/j.1673-6087.2025.04.15",
    "received": "2024-10-27",
    "online": "2025-07-31",
    "published": "2025-10-27",
    "corresponding_author": "陈佳",
    "email": "",
    "abstract_zh": ABSTRACT,
    "abstract_en": "",
    "keywords_zh": [],
    "keywords_en": [],
    "clc": "",
    "citation_zh": CITATION_ZH,
    "citation_en": CITATION_EN,
    "url": "",
    "source": "000_b90cea9157f310d4.txt",
    "checksum": hashlib.sha256(PAGE.encode("utf-8")).hexdigest(),
    "warnings": [],
}


@pytest.fixture(scope="module")
def parsed():
    return parse_page(PAGE, source="000_b90cea9157f310d4.txt")


def test_every_review_field(parsed):
    review, _ = parsed
    assert review.to_dict() == EXPECTED_REVIEW


def test_citation_lines_are_exactly_as_printed(parsed):
    review, _ = parsed
    assert review.citation_zh + "\n" in PAGE
    assert review.citation_en + "\n" in PAGE


def test_references_then_related(parsed):
    _, works = parsed
    assert len(works) == 58
    assert [(w.kind, w.n) for w in works] == [("reference", n) for n in range(1, 44)] + [
        ("related", n) for n in range(1, 16)
    ]
    assert all(w.review == "" for w in works)


def test_work_keys(parsed):
    _, works = parsed
    keys = {w.local_id: w.key for w in works}
    assert keys["ref1"] == "teske2024recent"
    assert keys["ref16"] == "sullivan2018myeloablative"
    assert keys["ref15"] == "vanlaar2014autologous"
    assert keys["ref28"] == "muller2021immunomodulatory"
    assert keys["ref36"] == "menard2020integrated"
    assert keys["rel1"] == "jin2025jiwang"
    assert keys["rel3"] == "an2024cebpa"
    assert len(set(keys.values())) == 58


def test_trailing_table_rows_are_ignored(parsed):
    _, works = parsed
    assert not any("阅读次数" in w.raw or "全文" == w.raw for w in works)


def test_a_few_works_through_the_page(parsed):
    _, works = parsed
    by = {w.local_id: w for w in works}
    assert by["ref25"].pii == "S1465-3249(19)30841-2" and by["ref25"].doi == ""
    assert by["ref22"].supplement == "Suppl 1" and by["ref22"].pages == "P77"
    assert by["rel10"].authors == ["王丽宁", "胡炯"]
    assert "et al.  Integrated" in by["ref36"].raw


def test_raw_round_trips_through_the_page(parsed):
    _, works = parsed
    for w in works:
        assert f"] | {w.raw} | " in PAGE


# --- HTML ---------------------------------------------------------------------------

HTML = textwrap.dedent("""\
    <!DOCTYPE html>
    <html><head><title>干细胞治疗硬皮病研究进展</title>
    <script>var x = "| [9] | not a reference | ";</script></head>
    <body>
    <div class="header">内科理论与实践 &rsaquo;&rsaquo; 2025, Vol. 20 &rsaquo;&rsaquo; Issue (04): 340-344.doi: 10.16138/j.1673-6087.2025.04.15</div>
    <p>收稿日期:2024-10-27</p>
    <p>出版日期:2025-07-31</p><p>发布日期:2025-10-27</p>
    <p>通讯作者:
      陈 佳 E-mail: <a href="mailto:chen.jia@example.org">chen.jia@example.org</a></p>
    <p>摘要:</p><p>硬皮病是一种自身免疫性结缔组织病。</p>
    <p>关键词: 硬皮病, 干细胞, 间充质干细胞</p>
    <p>中图分类号: R593.2</p>
    <p>林瑞莲, 马丽丽, 陈佳. 干细胞治疗硬皮病研究进展[J]. 内科理论与实践, 2025, 20(04): 340-344.</p>
    <p>LIN Ruilian, MA Lili, CHEN Jia. Advances in stem cell therapy for scleroderma[J]. Journal of Internal Medicine Concepts &amp; Practice, 2025, 20(04): 340-344.</p>
    <table class="reference-tab">
    <tr><td class="td1">[1]</td><td class="td2">Teske N, Fett N. Recent advances in treatment of
        systemic sclerosis and morphea[J]. Am J Clin Dermatol, 2024, 25(2):213-226.
        doi: <a href="https://doi.org/10.1007/s40257-023-00831-2">10.1007/s40257-023-00831-2</a></td></tr>
    <tr><td>[2]</td><td>Ménard C, Dulong J, Roulois D, et al.  Integrated study[J]. Stem Cells, 2020, 38(1):146-159.</td></tr>
    </table>
    <table>
    <tr><td>[1]</td><td>王丽宁, 胡炯,. 异基因造血干细胞移植后闭塞性细支气管炎的诊断与治疗[J]. 内科理论与实践, 2018, 13(02): 118-123.</td></tr>
    <tr><td>阅读次数</td><td></td></tr>
    </table>
    </body></html>
    """)


def test_html_page():
    review, works = parse_page(HTML, source="page.html")
    assert review.title_zh == "干细胞治疗硬皮病研究进展"
    assert review.journal_en == "Journal of Internal Medicine Concepts & Practice"
    assert (review.journal_zh, review.year, review.volume, review.issue, review.pages) == (
        "内科理论与实践",
        2025,
        "20",
        "04",
        "340-344",
    )
    assert review.doi == "10.16138/j.1673-6087.2025.04.15"
    assert (review.received, review.online, review.published) == (
        "2024-10-27",
        "2025-07-31",
        "2025-10-27",
    )
    assert review.corresponding_author == "陈佳"
    assert review.email == "chen.jia@example.org"
    assert review.abstract_zh == "硬皮病是一种自身免疫性结缔组织病。"
    assert review.keywords_zh == ["硬皮病", "干细胞", "间充质干细胞"]
    assert review.clc == "R593.2"
    assert review.key == "lin2025"
    assert [(w.kind, w.n) for w in works] == [("reference", 1), ("reference", 2), ("related", 1)]
    ref1 = works[0]
    assert ref1.raw == (
        "Teske N, Fett N. Recent advances in treatment of systemic sclerosis and morphea[J]. "
        "Am J Clin Dermatol, 2024, 25(2):213-226. doi: 10.1007/s40257-023-00831-2"
    )
    assert ref1.doi == "10.1007/s40257-023-00831-2"
    assert ref1.title == "Recent advances in treatment of systemic sclerosis and morphea"
    assert works[1].raw.startswith("Ménard C, Dulong J, Roulois D, et al.  Integrated")
    assert works[1].title == "Integrated study"
    assert works[2].authors == ["王丽宁", "胡炯"]


def test_html_page_from_file(tmp_path):
    f = tmp_path / "article.html"
    f.write_text(HTML, encoding="utf-8")
    review, works = load_file(f)
    assert review.source == "article.html"
    assert len(works) == 3


# --- not a page -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "hello world\n",
        "| a | b |\n| c | d |\n",
        "<html><body><p>nothing</p></body></html>",
        "摘要: 无",
    ],
)
def test_not_a_page_raises_parse_error(text):
    with pytest.raises(ParseError) as err:
        parse_page(text, source="x.txt")
    msg = str(err.value)
    assert msg.startswith("x.txt: ")
    assert "\n" not in msg
    assert err.value.file == "x.txt"


def test_page_with_only_a_reference_table():
    review, works = parse_page("| [1] | Li M. Title[J]. J Med, 2020, 1(1):1-2. | \n")
    assert review == Review(checksum=review.checksum)
    assert [w.title for w in works] == ["Title"]


def test_page_never_invents_missing_fields():
    review, works = parse_page(CITATION_EN + "\n")
    assert review.title_en == "Advances in stem cell therapy for scleroderma"
    assert review.title_zh == "" and review.authors_zh == [] and review.doi == ""
    assert review.received == "" and review.corresponding_author == ""
    assert works == []


def test_numbering_gap_is_a_warning_not_an_error():
    text = "| [1] | Li M. A[J]. J, 2020, 1(1):1-2. | \n| [3] | Li M. B[J]. J, 2020, 1(1):1-2. | \n"
    _, works = parse_page(text)
    assert [w.n for w in works] == [1, 3]
    assert any("[2]" in x for x in works[0].warnings)


# --- load_file ---------------------------------------------------------------------------


def test_load_shipped_page():
    review, works = load_file(shipped_review())
    assert review.key == "lin2025"
    assert review.source == "000_b90cea9157f310d4.txt"
    assert review.checksum == hashlib.sha256(shipped_review().read_bytes()).hexdigest()
    assert len(works) == 58


def test_load_file_with_bom(tmp_path):
    f = tmp_path / "page.txt"
    f.write_bytes(b"\xef\xbb\xbf" + PAGE.encode("utf-8"))
    review, works = load_file(f)
    assert review.title_zh == "干细胞治疗硬皮病研究进展"
    assert len(works) == 58


def test_load_file_with_windows_line_endings(tmp_path):
    f = tmp_path / "page.txt"
    f.write_bytes(PAGE.replace("\n", "\r\n").encode("utf-8"))
    review, works = load_file(f)
    assert review.citation_en == CITATION_EN
    assert len(works) == 58
    assert (
        works[35].raw
        == "Ménard C, Dulong J, Roulois D, et al.  Integrated transcriptomic, phenotypic, and functional study reveals tissue-specific immune properties of mesenchymal stromal cells[J]. Stem Cells, 2020, 38(1):146-159. doi: 10.1002/stem.3077 pmid: 31502731"
    )


def _one_line_error(path, match):
    with pytest.raises(ParseError) as err:
        load_file(path)
    msg = str(err.value)
    assert "\n" not in msg
    assert str(path) in msg
    assert match in msg
    assert isinstance(err.value, ReadingListError)
    return err.value


def test_missing_file(tmp_path):
    _one_line_error(tmp_path / "nope.txt", "no such file")


def test_directory(tmp_path):
    _one_line_error(tmp_path, "directory")


def test_empty_file(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    _one_line_error(f, "empty")


def test_blank_file(tmp_path):
    f = tmp_path / "blank.txt"
    f.write_bytes(b"\xef\xbb\xbf \n\t\n")
    _one_line_error(f, "empty")


def test_not_utf8(tmp_path):
    f = tmp_path / "gbk.txt"
    f.write_bytes(CITATION_ZH.encode("gbk"))
    _one_line_error(f, "not UTF-8")


def test_too_large(tmp_path):
    f = tmp_path / "big.txt"
    with open(f, "wb") as fh:  # a sparse file: no 50 MB written to disk
        fh.truncate(50 * 1024 * 1024 + 1)
    _one_line_error(f, "too large")


def test_text_that_is_not_a_page(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("shopping list\nmilk\n", encoding="utf-8")
    _one_line_error(f, "not a journal article page")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_file(tmp_path):
    f = tmp_path / "secret.txt"
    f.write_text(PAGE, encoding="utf-8")
    f.chmod(0)
    try:
        _one_line_error(f, "cannot read")
    finally:
        f.chmod(0o644)


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("x.bib", "tui.sources.bibtex"),
        ("x.ris", "tui.sources.ris"),
        ("x.json", "tui.sources.csljson"),
    ],
)
def test_missing_importer_module_is_unsupported_format(tmp_path, monkeypatch, name, module):
    monkeypatch.setitem(sys.modules, module, None)  # as if the module did not exist
    f = tmp_path / name
    f.write_text("@article{a, title={T}}\n", encoding="utf-8")
    _one_line_error(f, "unsupported format")


@pytest.mark.parametrize(
    ("text", "module"),
    [
        ("@article{a, title={T}}\n", "tui.sources.bibtex"),
        ("TY  - JOUR\nTI  - T\nER  - \n", "tui.sources.ris"),
        ('[{"id": "a", "title": "T"}]', "tui.sources.csljson"),
    ],
)
def test_unknown_extension_is_sniffed(tmp_path, monkeypatch, text, module):
    monkeypatch.setitem(sys.modules, module, None)
    f = tmp_path / "export.dat"
    f.write_text(text, encoding="utf-8")
    err = _one_line_error(f, "unsupported format")
    assert {
        "tui.sources.bibtex": "BibTeX",
        "tui.sources.ris": "RIS",
        "tui.sources.csljson": "CSL-JSON",
    }[module] in str(err)


def test_dispatch_passes_text_and_source_name(tmp_path, monkeypatch):
    import types

    seen = {}

    def parse_bibtex(text, *, source=""):
        seen["args"] = (text, source)
        return Review(key="k"), []

    fake = types.ModuleType("tui.sources.bibtex")
    fake.parse_bibtex = parse_bibtex
    monkeypatch.setitem(sys.modules, "tui.sources.bibtex", fake)
    f = tmp_path / "My Library.BIB"
    f.write_bytes(b"\xef\xbb\xbf@book{x, title={T}}")
    review, works = load_file(str(f))
    assert seen["args"] == ("@book{x, title={T}}", "My Library.BIB")
    assert review.source == "My Library.BIB"
    assert review.checksum == hashlib.sha256(f.read_bytes()).hexdigest()


def test_importer_bug_on_bad_input_becomes_parse_error(tmp_path, monkeypatch):
    import types

    def parse_ris(text, *, source=""):
        raise ValueError("line 3: no TY tag")

    fake = types.ModuleType("tui.sources.ris")
    fake.parse_ris = parse_ris
    monkeypatch.setitem(sys.modules, "tui.sources.ris", fake)
    f = tmp_path / "bad.ris"
    f.write_text("junk", encoding="utf-8")
    _one_line_error(f, "line 3: no TY tag")


def test_parsers_run_without_the_cyclic_gc_which_comes_back_after(tmp_path, monkeypatch):
    import gc
    import types

    seen = []

    def parse_ris(text, *, source=""):
        seen.append(gc.isenabled())
        if "bad" in source:
            raise ValueError("no TY tag")
        return Review(key="r"), []

    fake = types.ModuleType("tui.sources.ris")
    fake.parse_ris = parse_ris
    monkeypatch.setitem(sys.modules, "tui.sources.ris", fake)
    good, bad = tmp_path / "good.ris", tmp_path / "bad.ris"
    good.write_text("TY  - JOUR", encoding="utf-8")
    bad.write_text("TY  - JOUR", encoding="utf-8")
    assert gc.isenabled()
    load_file(good)
    assert gc.isenabled()
    with pytest.raises(ParseError):
        load_file(bad)
    assert gc.isenabled()
    assert seen == [False, False]
    gc.disable()  # a caller that had it off keeps it off
    try:
        load_file(good)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_core_does_not_import_textual():
    code = "import sys, tui.sources, tui.sources.page, tui.sources.gbt, tui.sources.keys; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- more page shapes -------------------------------------------------------------------

META_HTML = """<html><head>
<meta name="citation_title" content="干细胞治疗硬皮病研究进展">
<meta name="citation_title" content="Advances in stem cell therapy for scleroderma">
<meta name="citation_author" content="林瑞莲"><meta name="citation_author" content="马丽丽">
<meta name="citation_author" content="LIN Ruilian"><meta name="citation_author" content="MA Lili">
<meta name="citation_journal_title" content="内科理论与实践">
<meta name="citation_doi" content="10.16138/j.1673-6087.2025.04.15">
<meta name="citation_volume" content="20"><meta name="citation_issue" content="04">
<meta name="citation_firstpage" content="340"><meta name="citation_lastpage" content="344">
<meta name="citation_publication_date" content="2025-10-27">
<meta name="keywords" content="硬皮病;干细胞">
<link rel="canonical" href="https://example.org/CN/10.16138/j.1673-6087.2025.04.15">
</head><body><table>
<tr><td>[1]</td><td>Teske N, Fett N. Recent advances[J]. Am J Clin Dermatol, 2024, 25(2):213-226.</td></tr>
</table></body></html>"""


def test_html_meta_tags_fill_what_the_page_body_lacks():
    review, works = parse_page(META_HTML, source="m.html")
    assert review.title_zh == "干细胞治疗硬皮病研究进展"
    assert review.title_en == "Advances in stem cell therapy for scleroderma"
    assert review.authors_zh == ["林瑞莲", "马丽丽"]
    assert review.authors_en == ["LIN Ruilian", "MA Lili"]
    assert review.journal_zh == "内科理论与实践" and review.journal_en == ""
    assert (review.year, review.volume, review.issue, review.pages) == (2025, "20", "04", "340-344")
    assert review.doi == "10.16138/j.1673-6087.2025.04.15"
    assert review.keywords_zh == ["硬皮病", "干细胞"]
    assert review.url == "https://example.org/CN/10.16138/j.1673-6087.2025.04.15"
    assert review.key == "lin2025"
    assert len(works) == 1


def test_references_as_plain_numbered_lines():
    text = (
        "参考文献\n"
        "[1] Teske N, Fett N. Recent advances[J]. Am J Clin Dermatol, 2024, 25(2):213-226.\n"
        "[2] 陈灏珠. 实用内科学[M]. 北京: 人民卫生出版社, 2010: 12-20.\n"
        "[3] see the appendix\n"
    )
    _, works = parse_page(text)
    assert [(w.n, w.type) for w in works] == [(1, "J"), (2, "M")]
    assert works[1].raw == "陈灏珠. 实用内科学[M]. 北京: 人民卫生出版社, 2010: 12-20."


def test_other_tables_are_not_references():
    text = "| 2024 | 12 | \n| 年份 | 次数 | \n" + CITATION_EN + "\n"
    review, works = parse_page(text)
    assert works == []
    assert review.citation_en == CITATION_EN


def test_txt_holding_bibtex_goes_to_the_bibtex_importer(tmp_path, monkeypatch):
    import types

    fake = types.ModuleType("tui.sources.bibtex")
    fake.parse_bibtex = lambda text, *, source="": (Review(key="bib"), [])
    monkeypatch.setitem(sys.modules, "tui.sources.bibtex", fake)
    f = tmp_path / "export.txt"
    f.write_text("@article{a, title={T}}\n", encoding="utf-8")
    assert load_file(f)[0].key == "bib"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs mkfifo")
def test_fifo_is_refused_without_blocking(tmp_path):
    f = tmp_path / "pipe.txt"
    os.mkfifo(f)
    _one_line_error(f, "not a regular file")


def test_plain_reference_lines_in_a_txt_are_a_page_not_json(tmp_path):
    f = tmp_path / "refs.txt"
    f.write_text("[1] Li M. Title[J]. J Med, 2020, 1(1):1-2.\n", encoding="utf-8")
    _, works = load_file(f)
    assert [w.title for w in works] == ["Title"]
