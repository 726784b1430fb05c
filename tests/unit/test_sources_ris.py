"""RIS import: a real Scopus export, record numbers, odd dates, CJK, errors, round trips.

Expected values are read off the fixture (tests/fixtures/README.md) and the RIS text in
each test, not produced by the parser.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.errors import ParseError
from tui.model import Work
from tui.sources.ris import parse_ris

FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_scopus_export_fields():
    text = (FIXTURES / "scopus.ris").read_text(encoding="utf-8")
    review, works = parse_ris(text, source="scopus.ris")
    assert review.kind == "collection" and review.key == "scopus"
    assert review.title_en == "scopus"
    assert [w.n for w in works] == [1, 2, 3, 4, 5, 6]
    a = works[0]
    assert a.title == (
        "FORC signatures and switching-field distributions of dipolar coupled "
        "nanowire-based hysterons"
    )
    assert a.type == "J"
    assert a.journal == "Journal of Applied Physics"
    assert a.extra["journal_abbrev"] == "J Appl Phys"
    assert (a.year, a.volume, a.issue) == (2020, "128", "9")
    assert a.pages == "093903"  # no SP/EP: the article number (C7)
    assert a.doi == "10.1063/5.0020407"
    assert a.authors == ["Pierrot A", "Béron F", "Blon T"]
    assert a.extra["authors_full"] == ["Pierrot, A.", "Béron, F.", "Blon, T."]
    assert a.extra["database"] == "Scopus"
    assert a.url.startswith("https://www.scopus.com/inward/record.uri?eid=2-s2.0-85091557653")
    # the references note goes on over several lines
    notes = a.extra["notes"]
    assert notes[0] == "Export Date: 15 October 2020"
    assert notes[1].startswith("References: Mayergoyz, I.D., (1986)")
    assert "Preisach, F., (1935) Z. Phys., 94, p. 277;" in notes[1]
    b = works[1]
    assert b.pages == "931-934"
    assert b.authors == ["Nguyen CD"]
    c = works[2]
    assert c.authors == ["Nguyen TA", "Lee J"]
    assert c.extra["keywords"][0] == "Bit-patterned media recording"
    assert len(c.extra["keywords"]) == 5
    # Scopus puts the corresponding author's e-mail in the AU line
    assert works[3].authors == ["Nguyen CD"]
    assert works[3].pages == "2334-2339"
    # a one-word name stays as it is
    assert works[4].authors[:3] == ["Hussain R", "Aakansha", "Brahma B"]
    assert works[4].extra["notes"][0] == "Cited By :3"
    # a conference paper: Scopus names the proceedings in C3
    conf = works[5]
    assert conf.type == "C"
    assert conf.journal == (
        "17th International Conference on Electrical Engineering/Electronics, Computer, "
        "Telecommunications and Information Technology, ECTI-CON 2020"
    )
    assert conf.pages == "731-734"
    assert conf.authors == ["Rueangnetr N", "Warisarn C", "Myint LMM"]


def test_keys_are_made_when_there_is_no_id():
    _, works = parse_ris((FIXTURES / "scopus.ris").read_text(encoding="utf-8"), source="s.ris")
    keys = [w.key for w in works]
    assert keys[0] == "pierrot2020forc"
    assert len(set(keys)) == 6
    # two "Nguyen 2020 Design..." records: the second key gets a letter
    assert keys[1] == "nguyen2020design" and keys[3] == "nguyen2020designa"


def test_raw_is_the_record_as_written():
    text = (FIXTURES / "scopus.ris").read_text(encoding="utf-8")
    _, works = parse_ris(text, source="s.ris")
    for w in works:
        assert w.raw.startswith(f"TY  - {w.extra['ris_type']}\n")
        assert w.raw.endswith("ER  -")
        assert w.raw in text


CNKI_LIKE = (
    "\ufeff1.\r\n"
    "TY  - JOUR\r\n"
    "ID  - lin2025ganxibao\r\n"
    "AU  - 林瑞莲\r\n"
    "AU  - 马丽丽\r\n"
    "AU  - 陈佳\r\n"
    "AU  - 等\r\n"
    "TI  - 干细胞治疗硬皮病研究进展\r\n"
    "T2  - 内科理论与实践\r\n"
    "PY  - 2025//\r\n"
    "VL  - 20\r\n"
    "IS  - 04\r\n"
    "SP  - 340\r\n"
    "EP  - 344\r\n"
    "DO  - https://doi.org/10.16138/j.1673-6087.2025.04.08\r\n"
    "ER  - \r\n"
    "\r\n"
    "2.\r\n"
    "TY  - CHAP\r\n"
    "AU  - 김철수\r\n"
    "AU  - Smith, John A.\r\n"
    "TI  - 한국어 장 제목\r\n"
    "T2  - The Book Title\r\n"
    "A2  - Doe, Jane\r\n"
    "PB  - Hanbit\r\n"
    "CY  - Seoul\r\n"
    "PY  - 2021/05/03/\r\n"
    "UR  - https://example.org/chapter\r\n"
    "ER  -\r\n"
    "3.\r\n"
    "TY  - JOUR\r\n"
    "AU  - Sullivan KM\r\n"
    "TI  - Myeloablative autologous stem-cell transplantation for severe scleroderma\r\n"
    "JO  - N Engl J Med\r\n"
    "PY  - 2018\r\n"
    "VL  - 378\r\n"
    "IS  - 1\r\n"
    "SP  - 35-47\r\n"
    "AN  - 29298160\r\n"
    "DB  - PubMed\r\n"
    "ER  - \r\n"
    "\x1a"
)


def test_numbered_records_windows_endings_bom_cjk_and_odd_dates():
    review, works = parse_ris(CNKI_LIKE, source="我的文献.ris")
    assert review.key == "wo-de-wen-xian"
    assert review.title_zh == "我的文献"
    zh, ko, en = works
    assert zh.key == "lin2025ganxibao"
    assert zh.authors == ["林瑞莲", "马丽丽", "陈佳"]
    assert zh.et_al is True
    assert zh.lang == "zh"
    assert zh.title == "干细胞治疗硬皮病研究进展"
    assert zh.journal == "内科理论与实践"
    assert (zh.year, zh.volume, zh.issue, zh.pages) == (2025, "20", "04", "340-344")
    assert zh.doi == "10.16138/j.1673-6087.2025.04.08"
    assert "\r" not in zh.raw
    assert ko.type == "M"
    assert ko.authors == ["김철수", "Smith JA"]
    assert ko.lang == "ko"
    assert ko.journal == "The Book Title"
    assert ko.editors == ["Doe J"]
    assert (ko.publisher, ko.place) == ("Hanbit", "Seoul")
    assert ko.year == 2021 and ko.extra["month"] == 5
    assert ko.url == "https://example.org/chapter"
    assert en.authors == ["Sullivan KM"]
    assert en.pages == "35-47"
    assert en.pmid == "29298160"


def test_types_supplements_and_continuation_lines():
    text = (
        "TY  - CPAPER\nTI  - A long title\n  that goes on\nT2  - Proc. Conf.\nPY  - 2019\nER  - \n"
        "TY  - THES\nTI  - A thesis\nPB  - Some University\nER  - \n"
        "TY  - JOUR\nTI  - S\nJO  - Ann Rheum Dis\nVL  - 9\nIS  - Suppl 1\nSP  - P77\nER  - \n"
        "TY  - ELEC\nTI  - A page\nUR  - https://example.org\nY2  - 2024/03/05\nER  - \n"
        "TY  - ZZZZ\nTI  - Unknown type\nER  - \n"
    )
    _, works = parse_ris(text, source="t.ris")
    conf, thesis, suppl, web, other = works
    assert conf.type == "C" and conf.journal == "Proc. Conf."
    assert conf.title == "A long title that goes on"
    assert thesis.type == "D" and thesis.publisher == "Some University"
    assert (suppl.volume, suppl.issue, suppl.supplement, suppl.pages) == ("9", "", "Suppl 1", "P77")
    assert web.type == "EB" and web.accessed == "2024-03-05"
    assert other.type == "Z" and other.extra["ris_type"] == "ZZZZ"


MALFORMED = [
    ("", None, "empty"),
    ("TY  - JOUR\nTI  - x\n", "record 1", "no ER line"),
    ("TY  - JOUR\nTI  - x\nER  - \nTY  - BOOK\nTI  - y\n", "record 2", "no ER line"),
    ("TY  - JOUR\nTI  - x\nTY  - BOOK\nER  - \n", "record 1", "next TY on line 3"),
    ("hello world\n", "line 1", "not RIS"),
    ('[{"type": "book"}]', "line 1", "not RIS"),
    ("TI  - x\nER  - \n", "line 1", "outside a record"),
    ("ER  - \n", "line 1", "without a record"),
    ("TY  - \nER  - \n", "record 1", "reference type"),
    ("TY  - JOUR\nER  - \n\nsome junk\n", "line 4", "not RIS"),
    ("TY  - JOUR\x00\nER  - \n", "line 1", "binary"),
]


@pytest.mark.parametrize(("text", "place", "words"), MALFORMED)
def test_malformed_input_is_one_clear_error(text, place, words):
    with pytest.raises(ParseError) as info:
        parse_ris(text, source="bad.ris")
    err = info.value
    assert err.file == "bad.ris"
    if place:
        assert err.place == place
    assert words in str(err)
    assert "\n" not in str(err)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_works_or_parse_error(text):
    try:
        _, works = parse_ris(text, source="f.ris")
    except ParseError:
        return
    assert works and all(isinstance(w, Work) for w in works)


_LINES = st.sampled_from(
    ["TY  - JOUR", "TY  - ", "ER  - ", "ER  -", "AU  - Smith, J.", "AU  - 等", "TI  - x",
     "PY  - 2019//", "SP  - 1", "EP  - 9", "1.", "", "  continued", "DO  - 10.1/x", "UR  - ;",
     "KW  - a", "ID  - k", "junk"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINES, max_size=30).map("\n".join))
def test_ris_like_text_gives_works_or_parse_error(text):
    try:
        parse_ris(text, source="f.ris")
    except ParseError:
        pass


# ---------------------------------------------------------------- round trips


def _sample_works() -> list[Work]:
    return [
        Work(
            key="teske2024recent",
            authors=["Teske N", "Fett N"],
            title="Recent advances in the treatment of systemic sclerosis",
            type="J",
            journal="J Dtsch Dermatol Ges",
            year=2024,
            volume="22",
            issue="4",
            pages="541-553",
            doi="10.1111/ddg.15351",
        ),
        Work(
            key="jin2025jiwang",
            authors=["金诗炜", "张三", "李四"],
            title="既往新型冠状病毒感染对干细胞移植的影响",
            type="J",
            journal="内科理论与实践",
            year=2025,
            volume="20",
            issue="04",
            pages="340-344",
            lang="zh",
        ),
        Work(
            key="deluca2019",
            authors=["De Luca DA", "Des Marais DJ"],
            title="Supplement results",
            type="J",
            journal="Ann Rheum Dis",
            year=2019,
            volume="9",
            supplement="Suppl 1",
            pages="P77",
            pmid="31234567",
        ),
    ]


FIELDS = ("authors", "title", "type", "journal", "year", "volume", "issue", "supplement",
          "pages", "doi", "pmid", "lang")  # fmt: skip


def _same(a: Work, b: Work) -> None:
    for f in FIELDS:
        assert getattr(b, f) == getattr(a, f), f


def test_round_trip_through_rispy_dumps():
    import rispy

    records = []
    for w in _sample_works():
        r = {
            "type_of_reference": "JOUR",
            "id": w.key,
            "authors": [
                a if not a.isascii() else "{}, {}".format(*a.rsplit(" ", 1)) for a in w.authors
            ],
            "title": w.title,
            "secondary_title": w.journal,
            "year": str(w.year),
            "volume": w.volume,
            "number": " ".join(x for x in (w.issue, w.supplement) if x),
            "start_page": w.pages.split("-")[0],
            "language": w.lang,
        }
        if "-" in w.pages:
            r["end_page"] = w.pages.split("-")[1]
        if w.doi:
            r["doi"] = w.doi
        if w.pmid:
            r["accession_number"] = w.pmid
            r["name_of_database"] = "PubMed"
        records.append(r)
    text = rispy.dumps(records)  # with rispy's "1." header lines
    assert text.lstrip().startswith("1.")
    _, back = parse_ris(text, source="round.ris")
    for a, b in zip(_sample_works(), back, strict=True):
        _same(a, b)
        assert b.key == a.key


def test_round_trip_through_our_ris_export():
    cite = pytest.importorskip("tui.cite")
    if not hasattr(cite, "format_bibliography"):
        pytest.skip("tui.cite.format_bibliography not there yet")
    text = cite.format_bibliography(_sample_works(), "ris")
    _, back = parse_ris(text, source="export.ris")
    for a, b in zip(_sample_works(), back, strict=True):
        _same(a, b)


def test_dataset_database_edited_book_and_archive_types():
    text = (
        "TY  - DATA\nTI  - A data set\nER  - \n"
        "TY  - DBASE\nTI  - A database\nER  - \n"
        "TY  - EDBOOK\nTI  - An edited volume\nER  - \n"
        "TY  - GEN\nTI  - An archive\nM3  - archive\nER  - \n"
        "TY  - GEN\nTI  - Something\nER  - \n"
    )
    _, works = parse_ris(text, source="t.ris")
    assert [w.type for w in works] == ["DS", "DB", "G", "A", "Z"]


def test_id_is_the_key():
    _, (w,) = parse_ris("TY  - JOUR\nID  - teske2024recent\nTI  - T\nER  - \n", source="k.ris")
    assert w.key == "teske2024recent"
