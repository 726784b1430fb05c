"""CSL-JSON import: a real Zotero export, names and dates, errors, round trips.

Expected values are read off the fixture (tests/fixtures/README.md) and the JSON in each
test, not produced by the parser.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.errors import ParseError
from tui.model import Work
from tui.sources.csljson import parse_csljson

FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_zotero_csl_json_export():
    text = (FIXTURES / "zotero-csl.json").read_text(encoding="utf-8")
    review, works = parse_csljson(text, source="zotero-csl.json")
    assert review.kind == "collection" and review.key == "zotero-csl"
    news, book, art = works
    assert [w.n for w in works] == [1, 2, 3]
    assert news.type == "N"
    assert news.journal == "Aargauer Zeitung"
    assert news.title == "Wer entblösst hier eigentlich wen?"
    assert (news.year, news.pages) == (2022, "6-7")  # "date-parts": [["2022", 8, 27]]
    assert news.extra["month"] == 8
    assert news.authors == []
    assert book.type == "M"
    assert book.authors == ["Dürrenmatt F"]
    assert book.extra["authors_full"] == ["Dürrenmatt, Friedrich"]
    assert (book.publisher, book.place, book.year) == ("Diogenes", "Zürich", 1989)
    assert book.journal == ""
    assert book.extra["ISBN"] == "978-3-257-01820-2"
    assert art.type == "J"
    assert art.authors == ["Dupré MJ", "Tipler FJ"]
    assert art.journal == "Bayesian Analysis"
    assert (art.year, art.volume, art.issue) == (2009, "4", "3")
    assert art.doi == "10.1214/09-BA422"
    assert art.extra["journalAbbreviation"] == "Bayesian Anal."
    assert art.extra["abstract"].startswith("By basing Bayesian probability theory")
    # Zotero's ids are URLs, not citation keys: the id is kept, a key is made
    assert art.extra["id"] == "http://zotero.org/users/6482136/items/H8KQMTYV"
    assert art.key == "dupre2009new"


def test_raw_is_each_item_as_written():
    text = (FIXTURES / "zotero-csl.json").read_text(encoding="utf-8")
    _, works = parse_csljson(text, source="z.json")
    for w in works:
        assert w.raw in text
        assert json.loads(w.raw)["title"] == w.title
    assert works[2].raw.startswith('{\n\t\t"id": "http://zotero.org/users/6482136/items/H8KQMTYV"')


ITEMS = [
    {
        "id": "lin2025",
        "type": "article-journal",
        "title": "干细胞治疗硬皮病研究进展",
        "author": [
            {"family": "林", "given": "瑞莲"},
            {"literal": "马丽丽"},
            {"family": "陈", "given": "佳"},
            {"literal": "等"},
        ],
        "container-title": "内科理论与实践",
        "issued": {"date-parts": [[2025, 8]]},
        "volume": 20,
        "issue": "04",
        "page": "340–344",
        "DOI": "https://doi.org/10.16138/j.1673-6087.2025.04.08",
    },
    {
        "id": "deluca",
        "citation-key": "deluca2019ann",
        "type": "paper-conference",
        "title": "A <i>supplement</i> abstract",
        "author": [
            {"family": "Luca", "given": "Dario A.", "non-dropping-particle": "De"},
            {"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van"},
        ],
        "container-title": "Ann Rheum Dis",
        "issued": {"raw": "2019"},
        "issue": "2 Suppl 1",
        "page": "P77",
        "PMID": "31234567",
        "accessed": {"date-parts": [["2024", "3", "5"]]},
    },
    {"id": 7, "type": "webpage", "title": "A page", "URL": "https://example.org"},
    {
        "id": "k",
        "type": "article-journal",
        "title": "한국어 제목",
        "author": [{"literal": "김철수"}],
    },
]


def test_names_dates_markup_and_types():
    text = "\ufeff" + json.dumps(ITEMS, ensure_ascii=False, indent=2).replace("\n", "\r\n")
    _, works = parse_csljson(text, source="items.json")
    zh, conf, web, ko = works
    assert zh.key == "lin2025"
    assert zh.authors == ["林瑞莲", "马丽丽", "陈佳"]
    assert zh.et_al is True
    assert zh.lang == "zh"
    assert (zh.year, zh.volume, zh.issue, zh.pages) == (2025, "20", "04", "340-344")
    assert zh.doi == "10.16138/j.1673-6087.2025.04.08"
    assert zh.extra["month"] == 8
    assert conf.key == "deluca2019ann"  # citation-key wins over id
    assert conf.type == "C" and conf.journal == "Ann Rheum Dis"
    assert conf.title == "A supplement abstract"
    assert conf.authors == ["De Luca DA", "van Beethoven L"]
    assert (conf.year, conf.issue, conf.supplement) == (2019, "2", "Suppl 1")
    assert conf.pmid == "31234567"
    assert conf.accessed == "2024-03-05"
    assert web.key == "7" and web.type == "EB" and web.url == "https://example.org"
    assert ko.lang == "ko" and ko.authors == ["김철수"]


def test_a_single_item_object_is_read():
    _, works = parse_csljson(json.dumps(ITEMS[2]), source="one.json")
    assert len(works) == 1 and works[0].title == "A page"


MALFORMED = [
    ("", None, "empty"),
    ("[", "line 1, column 2", "cut off"),
    (
        '[\n  {"type": "book", "title": "x"},\n  {"type": "bo',
        "line 3, column 15",
        "string is not closed",
    ),
    ('[{"type": "book", "title": "x"}', "line 1, column 32", "cut off"),
    ("[]", None, "no items"),
    ('{"name": "not csl", "version": 1}', "item 1 (line 1)", "not a CSL-JSON item"),
    ('[{"a": 1}, {"b": 2}]', "item 1 (line 1)", "not a CSL-JSON item"),
    ('[{"type": "book", "title": "ok"},\n 3]', "item 2 (line 2)", "not a CSL-JSON item"),
    ('[{"type": "book", "title": "x"}] trailing', "line 1", "after the end"),
    ('[{"type": "book", "title": "x"} {"type": "book"}]', "line 1", "expected ','"),
    ("null", "line 1", "not CSL-JSON"),
    ("@article{a, title={x}}", "line 1", "not CSL-JSON"),
    ('[{"title": "x", "author": "Smith"}]', "item 1 (line 1)", '"author"'),
    ('[{"title": "x", "issued": {"date-parts": 2019}}]', "item 1 (line 1)", '"issued"'),
    ('[{"title": "x", "type": {"a": 1}}]', "item 1 (line 1)", '"type"'),
    ("[" * 50000, "line 1", ""),
]


@pytest.mark.parametrize(("text", "place", "words"), MALFORMED)
def test_malformed_input_is_one_clear_error(text, place, words):
    with pytest.raises(ParseError) as info:
        parse_csljson(text, source="bad.json")
    err = info.value
    assert err.file == "bad.json"
    if place:
        assert err.place == place
    assert words in str(err)
    assert "\n" not in str(err)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_works_or_parse_error(text):
    try:
        _, works = parse_csljson(text, source="f.json")
    except ParseError:
        return
    assert works and all(isinstance(w, Work) for w in works)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "title",
                    "author",
                    "issued",
                    "family",
                    "given",
                    "literal",
                    "date-parts",
                    "page",
                    "DOI",
                    "id",
                    "container-title",
                    "raw",
                ]
            ),
            children,
            max_size=5,
        )
    ),  # fmt: skip
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_JSON, max_size=4))
def test_any_json_list_gives_works_or_parse_error(items):
    try:
        parse_csljson(json.dumps(items), source="f.json")
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


FIELDS = ("key", "authors", "title", "type", "journal", "year", "volume", "issue",
          "supplement", "pages", "doi", "pmid", "lang")  # fmt: skip


def test_round_trip_through_plain_json():
    items = []
    for w in _sample_works():
        names = []
        for a in w.authors:
            family, _, initials = a.rpartition(" ")
            names.append({"family": family, "given": initials} if family else {"literal": a})
        item = {
            "id": w.key,
            "type": "article-journal",
            "author": names,
            "title": w.title,
            "container-title": w.journal,
            "issued": {"date-parts": [[w.year]]},
            "volume": w.volume,
            "issue": " ".join(x for x in (w.issue, w.supplement) if x),
            "page": w.pages,
            "language": w.lang,
        }
        if w.doi:
            item["DOI"] = w.doi
        if w.pmid:
            item["PMID"] = w.pmid
        items.append(item)
    _, back = parse_csljson(json.dumps(items, ensure_ascii=False), source="round.json")
    for a, b in zip(_sample_works(), back, strict=True):
        for f in FIELDS:
            assert getattr(b, f) == getattr(a, f), f


def test_round_trip_through_our_csl_json_export():
    cite = pytest.importorskip("tui.cite")
    if not hasattr(cite, "format_bibliography"):
        pytest.skip("tui.cite.format_bibliography not there yet")
    text = cite.format_bibliography(_sample_works(), "csl-json")
    _, back = parse_csljson(text, source="export.json")
    for a, b in zip(_sample_works(), back, strict=True):
        for f in FIELDS:
            assert getattr(b, f) == getattr(a, f), f


def test_custom_et_al_and_pii_are_read_back():
    # what tui.cite.csljson writes for "Jerjen R, Nikpour M, Krieg T, et al." and for
    # reference 25's PII; an unknown key of "custom" stays in extra
    items = [
        {
            "id": "jerjen2022systemic",
            "type": "article-journal",
            "title": "Systemic sclerosis in adults",
            "author": [{"family": "Jerjen", "given": "R."}, {"family": "Nikpour", "given": "M."}],
            "custom": {"et_al": True, "pii": "S1465-3249(19)30841-2", "colour": "red"},
        },
        {"id": "b", "type": "article-journal", "title": "B", "custom": {"et_al": False}},
    ]
    _, (a, b) = parse_csljson(json.dumps(items), source="c.json")
    assert a.et_al is True and a.authors == ["Jerjen R", "Nikpour M"]
    assert a.pii == "S1465-3249(19)30841-2"
    assert a.extra["custom"] == {"colour": "red"}
    assert b.et_al is False and b.pii == "" and "custom" not in b.extra


def test_database_archive_and_collection_types():
    items = [
        {"id": "a", "type": "dataset", "title": "A data set"},
        {"id": "b", "type": "dataset", "genre": "database", "title": "A database"},
        {"id": "c", "type": "manuscript", "genre": "archive", "title": "An archive"},
        {"id": "d", "type": "collection", "title": "A collection"},
        {"id": "e", "type": "manuscript", "title": "A manuscript"},
    ]
    _, works = parse_csljson(json.dumps(items), source="t.json")
    assert [w.type for w in works] == ["DS", "DB", "A", "G", "Z"]


# ---------------------------------------------------------------- a cut-off big file


def test_cut_off_big_list_is_reported_at_once_with_line_and_column(monkeypatch):
    """The whole text is checked by orjson first: the item-by-item walk (which kept
    every item decoded before reaching the cut) never starts."""
    from tui.sources import csljson

    def walk(*args):
        raise AssertionError("the item walk ran")

    monkeypatch.setattr(csljson, "_decode", walk)
    item = '  {"id": "a%d", "type": "article-journal", "title": "T \\"q\\" \\\\"},\n'
    text = "[\n" + "".join(item % i for i in range(20000))
    with pytest.raises(ParseError) as info:
        parse_csljson(text + '  {"id": "b", "title": "Half a ti', source="cut.json")
    assert info.value.place == "line 20002, column 34"  # after the 33 characters of the line
    assert "cut off (a string is not closed)" in str(info.value)
    with pytest.raises(ParseError) as info:
        parse_csljson(text.rstrip(",\n"), source="cut.json")  # the last item is whole
    assert info.value.place == f"line 20001, column {len(item % 19999) - 1}"
    assert "cut off (it ends before the JSON does)" in str(info.value)
