"""Database tagged exports (PubMed MEDLINE, Web of Science, Ovid) and CSL-YAML (issue 11).

We import these formats but do not write them, so fidelity is tested field by field
against the files themselves (tests/fixtures/exports/README.md gives counts and quirks).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.errors import ParseError
from tui.sources import load_file

EXPORTS = Path(__file__).parents[1] / "fixtures" / "exports"


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("pubmed-medline.txt", 4),
        ("wos-plaintext.txt", 1),
        ("ovid-embase-endnote.cgi", 2),
        ("better-csl.yml", 4),
    ],
)
def test_real_exports_import_with_their_counts(name, count):
    _r, works = load_file(EXPORTS / name)
    assert len(works) == count
    assert all(w.csl.get("type") and w.csl.get("title") for w in works)


def test_pubmed_medline_field_by_field(tmp_path):
    _r, works = load_file(EXPORTS / "pubmed-medline.txt")
    first, second, third = works[0], works[1], works[2]
    assert first.csl["PMID"] == first.pmid == "16403221"
    assert first.csl["author"] == [
        {"family": "Casbon", "given": "James A"},
        {"family": "Crooks", "given": "Gavin E"},
        {"family": "Saqi", "given": "Mansoor A S"},
    ]
    # the short forms (AU) are kept under their tag, not read as more authors
    assert first.extra["medline_tags"]["AU"] == ["Casbon JA", "Crooks GE", "Saqi MA"]
    assert first.csl["container-title"] == "BMC bioinformatics"
    assert first.csl["container-title-short"] == "BMC Bioinformatics"
    assert first.csl["DOI"] == first.doi == "10.1186/1471-2105-7-10"
    assert first.pii == "1471-2105-7-10"
    assert first.csl["PMCID"] == "PMC1373603"
    assert first.csl["page"] == "10" and first.csl["volume"] == "7"
    assert first.csl["abstract"].startswith("BACKGROUND: Benchmarking algorithms")
    assert "structural genomics easier and more principled." in first.csl["abstract"]
    assert first.extra["medline_tags"]["MH"][0] == "*Database Management Systems"
    assert first.extra["medline_tags"]["AD"][0].endswith(
        "London EC1 6BQ, UK. j.a.casbon@qmul.ac.uk"
    )
    # DP '2006 Mar 1' keeps month and day; [doi]/[pii] in either order
    assert second.csl["issued"] == {"date-parts": [[2006, 3, 1]]}
    assert second.csl["issue"] == "5" and second.pages == "616-7"
    assert third.doi == "10.1093/bioinformatics/bth078" and third.pii == "bth078"
    assert third.csl["author"][0] == {"family": "de Hoon", "given": "M J L"}
    # what the flat fields show comes from the record
    assert first.authors == ["Casbon JA", "Crooks GE", "Saqi MAS"] and first.year == 2006
    nbib = tmp_path / "saved.nbib"
    nbib.write_bytes((EXPORTS / "pubmed-medline.txt").read_bytes())
    assert [w.csl for w in load_file(nbib)[1]] == [w.csl for w in works]


def test_web_of_science_field_by_field():
    _r, (w,) = load_file(EXPORTS / "wos-plaintext.txt")
    assert w.csl["type"] == "article-journal"
    assert w.csl["author"][1] == {"family": "Gyeke", "given": "Mavis Dako Plusminus"}
    assert w.extra["wos_tags"]["AU"] == ["Asampong, E", "Gyeke, MDP", "Oduro, R"]
    assert w.csl["title"] == (
        "Caregivers' views on stigmatization and discrimination of people affected by "
        "leprosy in Ghana"
    )
    assert w.csl["container-title"] == "PLOS NEGLECTED TROPICAL DISEASES"
    assert w.csl["issued"] == {"date-parts": [[2018, 1]]}  # PD JAN + PY 2018
    assert (w.csl["volume"], w.csl["issue"], w.csl["page"]) == ("12", "1", "e0006219")
    assert w.doi == "10.1371/journal.pntd.0006219" and w.pmid == "29377890"
    assert w.csl["abstract"].split("\n")[:2] == [
        "Background",
        "Leprosy is a condition that has long been associated with stigma and discrimination,"
        " even when infected persons have been cured. This paper describes stigma and"
        " discrimination as viewed by caregivers who are associated with people affected by"
        " leprosy in Ghana.",
    ]
    assert len(w.extra["wos_tags"]["C1"]) == 3
    assert w.extra["wos_tags"]["UT"] == ["WOS:000424022700066"]
    assert w.extra["wos_tags"]["DA"] == ["2020-11-06"]  # the export date, not the issued one


def test_ovid_export_field_by_field():
    _r, (a, b) = load_file(EXPORTS / "ovid-embase-endnote.cgi")
    assert a.csl["title"] == (
        "Quality of life in patients with primary ciliary dyskinesia: A systematic review."
    )
    assert a.csl["author"][2] == {"family": "Lucas", "given": "J.S."}
    assert a.doi == "10.1186/s12919-018-0099-8"
    assert a.csl["container-title"] == "BMC Proceedings" and a.csl["volume"] == "12"
    assert a.csl["issued"] == {"date-parts": [[2018]]}
    # the structured abstract's sections at the margin belong to AB
    assert "\nMethod(s): We searched MEDLINE" in a.csl["abstract"]
    assert "\nConclusion(s): Health-related quality of life" in a.csl["abstract"]
    tags = a.extra["ovid_tags"]
    assert tags["UI"] == ["621381829"] and tags["DB"] == ["Embase"]
    assert len(tags["IN"]) == 1 and "(Behan, Galvin) School of Applied Psychology" in tags["IN"][0]
    assert b.csl["author"][0] == {"family": "Dyskinesia", "given": "P.C."}  # as Ovid gives it


def test_csl_yaml_reads_the_items_and_their_date_forms():
    _r, works = load_file(EXPORTS / "better-csl.yml")
    adams, berndt, dunning, wordsworth = works
    assert adams.csl["issued"] == {"date-parts": [[2014, 12, 31], [2015, 1, 1]]}
    assert adams.csl["volume"] == "62" and adams.csl["page"] == "493–518"
    assert adams.csl["title"].startswith("The physical volcanology of the 1600 eruption of **")
    assert berndt.csl["accessed"] == {"date-parts": [[2014, 10, 2]]}
    assert dunning.csl["collection-number"] == "33"
    assert wordsworth.csl["editor"] == [{"family": "Wordsworth", "given": "John"}]
    assert "author" not in wordsworth.csl and wordsworth.editors == ["Wordsworth J"]
    assert [w.key for w in works] == ["Adams2001", "Berndt1994", "Dunning2016", "Wordsworth1883"]


def test_csl_yaml_exports_as_the_same_csl_json():
    from tui.cite import format_bibliography
    from tui.sources.csljson import parse_csljson

    _r, works = load_file(EXPORTS / "better-csl.yml")
    _r, back = parse_csljson(format_bibliography(works, "csl-json"), source="x.json")
    assert [b.csl for b in back] == [w.csl for w in works]


@pytest.mark.parametrize(
    "text",
    [
        "- &a [1, 2]\n- type: book\n  title: *a\n",  # aliases: never expanded
        "- type: book\n  title: &t T\n",  # nor anchors
        "- " + "[" * 100 + "]" * 100 + "\n",  # nesting
        "- !!python/object/apply:os.system ['true']\n",  # no object construction
        "key: [unclosed\n",
        "just a string\n",
    ],
)
def test_csl_yaml_refuses_bad_input_in_one_line(tmp_path, text):
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError) as err:
        load_file(p)
    assert "\n" not in str(err.value) and str(p) in str(err.value)


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("a.nbib", "PMID- 1\nTI  - x\nnot a tag line\n", "not MEDLINE"),
        ("a.ciw", "FN Clarivate\nVR 1.0\nPT J\nTI x\n", "no ER line"),
        ("a.cgi", "hello\n", "not a MEDLINE"),
    ],
)
def test_tagged_formats_refuse_bad_input_in_one_line(tmp_path, name, text, words):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError) as err:
        load_file(p)
    assert words in str(err.value) and "\n" not in str(err.value)
