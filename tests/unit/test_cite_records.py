"""BibTeX, RIS and CSL-JSON records: read back with the libraries that read them."""

from __future__ import annotations

import dataclasses
import json
import re

import bibtexparser
import pytest
import rispy

from tests.unit.test_cite_data import EDGE_CASES, REF1, REF2, REF3, REF13, REF22, REL1, REVIEW_WORK
from tui.cite import format_bibliography, format_citation
from tui.model import Work


def _bib(works):
    lib = bibtexparser.parse_string(format_bibliography(works, "bibtex"))
    assert not lib.failed_blocks
    return lib.entries


def test_bibtex_reference_1():
    (e,) = _bib([REF1])
    assert e.entry_type == "article"
    assert e.key == "teske2024recent"
    f = {k: v.value for k, v in e.fields_dict.items()}
    assert f == {
        "author": "Teske, N. and Fett, N.",
        "title": "Recent advances in treatment of systemic sclerosis and morphea",
        "journal": "Am J Clin Dermatol",
        "year": "2024",
        "volume": "25",
        "number": "2",
        "pages": "213--226",
        "doi": "10.1007/s40257-023-00831-2",
        "pmid": "38087156",
        "language": "en",
    }


def test_bibtex_chinese_names_are_braced_and_et_al_is_and_others():
    (e,) = _bib([REL1])
    assert e.key == "jin2025jiwang"
    assert e["author"].startswith("{金诗炜} and {潘萌萌} and ")
    assert e["number"] == "04"
    (e,) = _bib([REF2])
    assert e["author"] == "Jerjen, R. and Nikpour, M. and Krieg, T. and others"
    (e,) = _bib([REF3])
    assert e["author"] == "Papara, C. and De Luca, D. A. and Bieber, K. and others"


def test_bibtex_keys_are_unique_within_the_output():
    a = Work(authors=["Sullivan KM"], title="Myeloablative autologous stem-cell transplantation",
             year=2018)  # fmt: skip
    b = Work(authors=["Sullivan KM"], title="Myeloablative therapy", year=2018)
    c = Work(key="mine", authors=["X Y"], title="T", year=2000)
    keys = [e.key for e in _bib([a, b, c, c])]
    assert keys == ["sullivan2018myeloablative", "sullivan2018myeloablativea", "mine", "minea"]


def test_bibtex_escapes_latex_specials_but_not_the_doi():
    w = Work(authors=["A B"], title="50% of T_cells & B", journal="Concepts & Practice",
             year=2020, doi="10.1000/a_b%c")  # fmt: skip
    text = format_citation(w, "bibtex")
    assert r"title = {50\% of T\_cells \& {B}}" in text
    assert r"journal = {Concepts \& Practice}" in text
    assert "doi = {10.1000/a_b%c}" in text


def test_bibtex_supplement_and_review():
    (e,) = _bib([REF22])
    assert e["number"] == "Suppl 1" and e["pages"] == "P77" and e["volume"] == "9"
    (e,) = _bib([REVIEW_WORK])
    assert e["doi"] == "10.16138/j.1673-6087.2025.04.15"


def test_ris_reference_1_has_no_numbered_header():
    text = format_citation(REF1, "ris")
    assert not re.search(r"(?m)^\d+\.\s*$", text)
    assert text.startswith("TY  - JOUR\n")
    (r,) = rispy.loads(text)
    assert r["authors"] == ["Teske, N.", "Fett, N."]
    assert r["title"] == "Recent advances in treatment of systemic sclerosis and morphea"
    assert r["secondary_title"] == "Am J Clin Dermatol"
    assert r["journal_name"] == "Am J Clin Dermatol"
    assert (r["year"], r["volume"], r["number"]) == ("2024", "25", "2")
    assert (r["start_page"], r["end_page"]) == ("213", "226")
    assert r["doi"] == "10.1007/s40257-023-00831-2"
    assert r["accession_number"] == "38087156" and r["name_of_database"] == "PubMed"


def test_ris_many_records():
    works = list(EDGE_CASES.values())
    refs = rispy.loads(format_bibliography(works, "ris"))
    assert len(refs) == len(works)
    rel1 = refs[1]
    assert rel1["authors"][0] == "金诗炜" and len(rel1["authors"]) == 9
    by_title = {r["title"]: r for r in refs}
    assert by_title[REF22.title]["number"] == "Suppl 1"
    assert (
        by_title[REF3.title]["start_page"] == "1108623" and "end_page" not in by_title[REF3.title]
    )
    assert "doi" not in by_title[REF13.title]
    assert by_title[REF13.title]["accession_number"] == "9014919"


def test_csl_json_records():
    items = json.loads(format_bibliography([REF1, REL1, REF1], "csl-json"))
    assert [i["id"] for i in items] == ["teske2024recent", "jin2025jiwang", "teske2024recenta"]
    assert items[1]["author"][0] == {"literal": "金诗炜"}
    assert "金诗炜" in format_citation(REL1, "csl-json")  # not \\u escapes


@pytest.mark.parametrize("style", ["bibtex", "ris", "csl-json"])
@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_records_for_every_edge_case(style, case):
    text = format_citation(EDGE_CASES[case], style)
    # BibTeX capitals are protected: "Part {I}: Clinical features"
    shown = text.replace("{", "").replace("}", "") if style == "bibtex" else text
    assert EDGE_CASES[case].title in shown
    assert not text.endswith("\n")


def test_csl_json_keeps_et_al_in_custom():
    (item,) = json.loads(format_citation(REF2, "csl-json"))
    assert item["custom"] == {"et_al": True}
    assert len(item["author"]) == 3
    (item,) = json.loads(format_citation(REF1, "csl-json"))
    assert "custom" not in item


# every bibliographic field of a Work (not where it sits: review, kind, n; nor what
# only the source has: raw, extra, warnings)
ROUND_TRIP_FIELDS = [f.name for f in dataclasses.fields(Work)
                     if f.name not in {"review", "kind", "n", "raw", "extra", "warnings",
                                       # a printed reference has no record but its fields;
                                       # read back from a file, it has the file's
                                       "csl"}]  # fmt: skip
# documented losses (tui/cite/ris.py): RIS cannot say "et al." nor hold a PII;
# `medium` ("OL" of [J/OL]) is no field of any of the three: a URL says it
LOSSES = {"bibtex": {"medium"}, "ris": {"et_al", "pii", "medium"}, "csl-json": {"medium"}}
FORMATS = [("bibtex", ".bib"), ("ris", ".ris"), ("csl-json", ".json")]


def _read_back(tmp_path, works, style, ext):
    from tui.sources import load_file

    path = tmp_path / f"export{ext}"
    path.write_text(format_bibliography(works, style) + "\n", encoding="utf-8")
    return load_file(path)[1]


# words a BibTeX style would lower-case are braced; written by hand
PROTECTED = [
    ("CD34-selected autologous HSCT in SSc", "{CD34-selected} autologous {HSCT} in {SSc}"),
    ("Regulatory T cells before and after autologous SCT",
     "Regulatory {T} cells before and after autologous {SCT}"),
    ("The Let-7a-5p/TGF-βR1/Smad axis and mRNA", "The {Let-7a-5p/TGF-βR1/Smad} axis and {mRNA}"),
    ('Results of the "ASSIST" trial (Th17, COVID-19)',
     'Results of the "{ASSIST}" trial ({Th17}, {COVID-19})'),
    ("Recent advances in treatment of systemic sclerosis and morphea",
     "Recent advances in treatment of systemic sclerosis and morphea"),
    ("Systemic sclerosis in adults. Part I: Clinical features",
     "Systemic sclerosis in adults. Part {I}: Clinical features"),
    ("HSCT for scleroderma", "{HSCT} for scleroderma"),
    ("Mesenchymal stem cells", "Mesenchymal stem cells"),
    ("既往新型冠状病毒感染对 HSCT 的影响", "既往新型冠状病毒感染对 HSCT 的影响"),
]  # fmt: skip


@pytest.mark.parametrize(("title", "field"), PROTECTED)
def test_bibtex_protects_capitals_and_reads_back(tmp_path, title, field):
    work = Work(authors=["Smith J"], title=title, journal="J", year=2020)
    text = format_citation(work, "bibtex")
    assert f"title = {{{field}}}," in text
    (back,) = _read_back(tmp_path, [work], "bibtex", ".bib")
    assert back.title == title


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("the\nHSCT trial", "{the\nHSCT} trial"),  # a word with a line break inside
        ("Cells of\nSSc", "Cells {of\nSSc}"),
        ("HSCT\n", "{HSCT\n}"),  # the break kept, not dropped before the tail
        ("T cells\n", "T cells\n"),
    ],
)
def test_protect_title_takes_a_word_with_a_line_break(title, expected):
    from tui.cite.bibtex import protect_title

    assert protect_title(title) == expected


def _differences(works, back, style):
    fields = [f for f in ROUND_TRIP_FIELDS if f not in LOSSES[style]]
    assert len(back) == len(works)
    return [
        (a.local_id, a.key, f, getattr(a, f), getattr(b, f))
        for a, b in zip(works, back, strict=True)
        for f in fields
        if getattr(a, f) != getattr(b, f)
    ]


@pytest.mark.parametrize(("style", "ext"), FORMATS)
def test_the_shipped_review_reads_back_with_the_same_fields(tmp_path, style, ext):
    from tui.paths import shipped_review
    from tui.sources import load_file

    _review, works = load_file(shipped_review())
    assert len(works) == 58
    assert sum(w.et_al for w in works) == 40 and [w.pii for w in works if w.pii]
    back = _read_back(tmp_path, works, style, ext)
    assert _differences(works, back, style) == []
    if style == "ris":  # the documented loss, and nothing else
        assert not any(w.et_al for w in back) and not any(w.pii for w in back)


ALL_FIELDS = [
    # GB/T 7714-2015's own example of an online article, with every serial field
    Work(key="frese2013next", authors=["Frese KS", "Katus HA", "Meder B"], et_al=True,
         title="Next-generation sequencing: from understanding biology to personalized medicine",
         type="J", journal="Biology", year=2013, volume="2", issue="1", supplement="Suppl 2",
         pages="378-398", doi="10.3390/biology2010378", pmid="24000001",
         url="http://www.mdpi.com/2079-7737/2/1/378", accessed="2013-03-19", lang="en"),
    Work(key="peebles2001probability", authors=["Peebles PZ"],
         title="Probability, random variables, and random signal principles", type="M",
         year=2001, edition="4", publisher="McGraw-Hill", place="New York", lang="en"),
    Work(key="smith2010chapter", authors=["Smith J"], editors=["Doe J", "Roe R"],
         title="A chapter", type="M", journal="The book", year=2010, pages="12-20",
         publisher="Springer", place="Berlin", lang="en"),
    Work(key="yuan2012lantian", authors=["袁训来", "陈哲", "肖书海"], et_al=True,
         title="蓝田生物群: 一个认识多细胞生物起源和早期演化的新窗口", type="J", journal="科学通报",
         year=2012, volume="55", issue="34", pages="3219", pii="S0023-074X(12)00001-1", lang="zh"),
] + [
    # every GB/T 7714 type code comes back as itself
    Work(key=f"type{code.lower()}2020", authors=["Smith J"], title=f"An item of type {code}",
         type=code, year=2020, lang="en")
    for code in ["J", "N", "M", "G", "C", "D", "R", "P", "S", "EB", "DB", "DS", "CP", "A", "Z"]
]  # fmt: skip


@pytest.mark.parametrize(("style", "ext"), FORMATS)
def test_every_field_and_type_reads_back(tmp_path, style, ext):
    back = _read_back(tmp_path, ALL_FIELDS, style, ext)
    assert _differences(ALL_FIELDS, back, style) == []


def test_type_mappings():
    from tui.cite.bibtex import entry_type, fields_of
    from tui.cite.csljson import to_csl
    from tui.cite.ris import to_ris

    ds, db, g = Work(type="DS", title="x"), Work(type="DB", title="x"), Work(type="G", title="x")
    assert to_csl(ds)["type"] == "dataset" and "genre" not in to_csl(ds)
    assert to_csl(db)["type"] == "dataset" and to_csl(db)["genre"] == "database"
    assert to_csl(g)["type"] == "collection"
    assert to_ris(ds)["type_of_reference"] == "DATA"
    assert to_ris(db)["type_of_reference"] == "DBASE"
    assert entry_type(g) == "collection" and entry_type(ds) == "dataset"
    assert ("entrysubtype", "database") in fields_of(db)
    assert ("entrysubtype", "newspaper") in fields_of(Work(type="N", title="x"))


NAME_LISTS = [
    [{"family": "Teske", "given": "N."}, {"family": "Fett", "given": "N."}],
    [{"family": "De Luca", "given": "D. A."}, {"family": "Smith", "given": "J"}],
    [{"family": "Smith & Sons", "given": "A"}, {"family": "Lee", "given": "B_C"}],
    [{"family": "O{'}Brien", "given": "P"}, {"family": "Ng", "given": "{K"}],
    [{"family": " Lee", "given": "A"}, {"family": "Kim ", "given": ""}],
    [{"family": "", "given": "Madonna"}, {"family": "Cher", "given": ""}],
    [{"family": "", "given": ""}, {"family": "Tab\tName", "given": "X"}],
    [{"family": "Wu", "given": "Y  Z"}, {"literal": "WHO"}],
    [{"family": "van der Veen", "given": "P", "non-dropping-particle": "van"}],
    [{"family": "Lee", "given": 5}, "just text"],
]


@pytest.mark.parametrize("names", NAME_LISTS)
def test_bibtex_name_lists_as_name_by_name(names):
    """The and-list of a record's names is each name written and escaped alone."""
    from tui.cite.bibtex import _csl_bib_name, _csl_bib_names

    assert _csl_bib_names(names) == " and ".join(_csl_bib_name(n) for n in names)
