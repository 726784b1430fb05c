"""The filter language (tui.query) and the synthetic libraries (bench.generate)."""

from __future__ import annotations

import doctest
import unicodedata
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bench.generate  # bench/ is importable: pytest puts the repository root on the path
import tui.query
from bench.generate import make_library, write_bib
from tests.unit.test_cite_data import REF1, REF2
from tui.errors import ReadingListError
from tui.model import State, Work, fold
from tui.query import Index, Query, QueryError, normalize, parse

# A few works shaped like the shipped review page (values copied from it).
TESKE = replace(REF1, review="r", key="teske2024recent", raw="")
JERJEN = replace(REF2, review="r", volume="", issue="", pages="")  # a work with no pages
SULLIVAN = Work(
    review="r",
    n=16,
    authors=["Sullivan KM", "Goldmuntz EA", "Keyes-Elstein L"],
    et_al=True,
    title="Myeloablative autologous stem-cell transplantation for severe scleroderma",
    journal="N Engl J Med",
    year=2018,
    volume="378",
    issue="1",
    pages="35-47",
)
MULLER = Work(
    review="r",
    n=28,
    authors=["Müller L", "Tunger A", "Wobus M"],
    et_al=True,
    title="Immunomodulatory properties of mesenchymal stromal cells",
    journal="Front Cell Dev Biol",
    year=2021,
    volume="9",
    pages="637725",
)
SENSEBE = Work(
    review="r",
    n=30,
    authors=["Sensebé L", "Bourin P", "Tarte K"],
    title="Good manufacturing practices production of mesenchymal stem/stromal cells",
    journal="Hum Gene Ther",
    year=2011,
    doi="10.1089/hum.2010.197",
    pmid="21028982",
)
JIN = Work(
    review="r",
    kind="related",
    n=1,
    authors=["金诗炜", "潘萌萌", "许捷"],
    title="既往新型冠状病毒感染对多发性骨髓瘤患者自体造血干细胞移植的影响",
    journal="内科理论与实践",
    year=2025,
    issue="04",
    pages="289-295",
    lang="zh",
)
NOYEAR = Work(
    review="r", n=44, authors=["Anon A"], title="A paper without a year", url="https://x.org/p"
)
WORKS = [TESKE, JERJEN, SULLIVAN, MULLER, SENSEBE, JIN, NOYEAR]


def hits(text: str, states: dict[str, State] | None = None, works=WORKS) -> list[int]:
    """The list numbers of the works that match, checked both ways."""
    q = parse(text)
    slow = [w.n for w in works if q.matches(w, (states or {}).get(w.ident))]
    fast = [works[i].n for i in Index(works).filter(q, states)]
    assert fast == slow, text
    return slow


# -- doctests ------------------------------------------------------------------------


@pytest.mark.parametrize("module", [tui.query, bench.generate])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0


# -- normalisation ---------------------------------------------------------------------


def test_normalize_folds_case_accents_widths_and_spaces():
    assert normalize("Müller") == "muller"
    assert normalize("SENSEBÉ") == "sensebe"
    assert normalize("Gonçalves") == "goncalves"
    assert normalize("Ménard  C,\tDulong J") == "menard c, dulong j"
    assert normalize("Søndergaard Łukasik") == "sondergaard lukasik"
    assert normalize("Wharton’s jelly") == "wharton's jelly"
    assert normalize("ＴＧＦ－β") == "tgf-β"
    assert normalize("Straße") == "strasse"


@given(st.text())
def test_normalize_is_fold_with_single_spaces(text):
    text = tui.query._CONTROL.sub(" ", text)
    if tui.query._EXTRA_RE.search(text):
        text = tui.query._EXTRA_RE.sub("", text)
    assert normalize(text) == " ".join(fold(text).split())


def test_no_combining_character_above_the_scanned_planes():
    # normalize() builds its table of combining marks from U+0000..U+1FFFF only
    assert not any(unicodedata.combining(chr(c)) for c in range(0x20000, 0x110000))


# -- words and phrases -----------------------------------------------------------------


def test_words_match_anywhere_case_insensitive():
    assert hits("sullivan") == [16]
    assert hits("SULLIVAN") == [16]
    assert hits("scleroderma") == [16]  # title
    assert hits("dermatol") == [1, 2]  # journals
    assert hits("38087156") == [1]  # pmid
    assert hits("2011") == [30]  # year
    assert hits("637725") == [28]  # pages


def test_all_words_must_match():
    assert hits("systemic sclerosis") == [1, 2]
    assert hits("systemic sclerosis morphea") == [1]
    assert hits("sclerosis sullivan") == []


def test_word_is_a_substring():
    assert hits("cell") == [16, 28, 30]  # stem-cell, cells


def test_accent_insensitive_both_ways():
    assert hits("muller") == [28]
    assert hits("müller") == [28]
    assert hits("MULLER") == [28]
    assert hits("sensebe") == [30]
    work = Work(authors=["Muller J"], title="x")
    assert parse("Müller").matches(work)


def test_cjk_word_matches_inside_chinese_title():
    assert hits("干细胞") == [1]
    assert hits("造血干细胞移植") == [1]
    assert hits("金诗炜") == [1]
    assert hits("内科理论与实践") == [1]
    assert hits("干细胞 2025") == [1]
    assert hits("干细胞 2024") == []


def test_phrase():
    assert hits('"stem cell"') == []  # "stem-cell" in the title
    assert hits('"stem-cell transplantation"') == [16]
    assert hits('"mesenchymal stromal"') == [28]
    assert hits('"stromal mesenchymal"') == []
    assert hits('title:"two words"') == []
    assert hits('title:"clinical features"') == [2]


def test_phrase_does_not_span_two_fields_or_two_authors():
    # "... morphea" ends the title and "Am J Clin Dermatol" is the journal
    assert hits('"morphea am j"') == []
    assert hits('"fett n teske"') == []
    assert hits('"n fett"') == []
    assert hits('author:"teske n"') == [1]


def test_exclusion():
    assert hits("sclerosis -morphea") == [2]
    assert hits("-sclerosis") == [16, 28, 30, 1, 44]
    assert hits("cell -author:müller") == [16, 30]
    assert hits('cell -"stem-cell"') == [28, 30]
    assert hits("-year:2000..2030") == [44]


# -- fields ----------------------------------------------------------------------------


def test_author_title_journal_fields():
    assert hits("author:teske") == [1]
    assert hits("author:fett") == [1]  # the second author
    assert hits("author:keyes-elstein") == [16]
    assert hits("author:sclerosis") == []
    assert hits("title:sclerosis") == [1, 2]
    assert hits("title:teske") == []
    assert hits("journal:dermatol") == [1, 2]
    assert hits("journal:内科") == [1]
    assert hits("au:sullivan") == [16]
    assert hits("作者:金诗炜") == [1]


def test_identifier_fields():
    assert hits("doi:10.1016") == [2]
    assert hits("doi:https://doi.org/10.1016/j.jaad") == [2]
    assert hits("pmid:35131402") == [2]
    assert hits("pmid:3") == [1, 2]  # a prefix while typing
    assert hits("key:teske2024") == [1]


def test_number_in_list_lang_type_kind():
    assert hits("n:16") == [16]
    assert hits("n:1") == [1, 1]  # reference 1 and related 1
    assert hits("n:1 kind:related") == [1]
    assert [w.kind for w in WORKS if parse("n:1 kind:ref").matches(w)] == ["reference"]
    assert hits("n:16..30") == [16, 28, 30]
    assert hits("lang:zh") == [1]
    assert hits("lang:en") == [1, 2, 16, 28, 30, 44]
    assert hits("type:j") == hits("type:J") == [1, 2, 16, 28, 30, 1, 44]
    assert hits("type:M") == []
    assert hits("kind:related") == [1]
    assert hits("kind:references") == [1, 2, 16, 28, 30, 44]


def test_chinese_text_without_lang_counts_as_zh():
    bib = Work(title="干细胞治疗硬皮病研究进展", authors=["林瑞莲"])  # lang left at "en"
    assert parse("lang:zh").matches(bib)
    assert not parse("lang:en").matches(bib)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("year:2018", [16]),
        ("year:2018..2022", [2, 16, 28]),
        ("year:2022..2018", []),  # reversed range: dropped while typing, see strict
        ("year:2021..", [1, 2, 28, 1]),
        ("year:..2018", [16, 30]),
        ("year:>2021", [1, 2, 1]),
        ("year:>=2021", [1, 2, 28, 1]),
        ("year:<2018", [30]),
        ("year:<=2018", [16, 30]),
        ("year:2011-2018", [16, 30]),
        ("year:1990", []),
    ],
)
def test_year(query, expected):
    if query == "year:2022..2018":
        assert parse(query).is_empty
        return
    assert hits(query) == expected


def test_year_bounds_are_inclusive():
    assert hits("year:2011..2011") == [30]
    assert hits("year:2024..2025") == [1, 1]


# -- reading state -----------------------------------------------------------------------


def test_status_without_states_is_unread():
    assert hits("status:unread") == [w.n for w in WORKS]
    assert hits("status:read") == []
    assert hits("status:reading") == []
    assert hits("-status:unread") == []


def test_status_with_states():
    states = {
        TESKE.ident: State(status="read"),
        SULLIVAN.ident: State(status="reading"),
        MULLER.ident: State(status="unread", note="compare"),
    }
    assert hits("status:read", states) == [1]
    assert hits("status:reading", states) == [16]
    assert hits("status:unread", states) == [2, 28, 30, 1, 44]
    assert hits("-status:unread", states) == [1, 16]
    assert hits("status:unread has:doi", states) == [2, 30]
    assert parse("status:read").matches(TESKE, State(status="read"))
    assert not parse("status:read").matches(TESKE)


def test_note_has_note_tags_and_words_in_notes():
    states = {
        JERJEN.ident: State(note="Important: read the Part II too"),
        JIN.ident: State(note="   "),
        SENSEBE.ident: State(tags=["GMP", "methods"]),
    }
    assert hits("has:note", states) == [2]
    assert hits("-has:note", states) == [1, 16, 28, 30, 1, 44]
    assert hits("note:important", states) == [2]
    assert hits("note:sclerosis", states) == []  # the title is not the note
    assert hits("important", states) == [2]  # plain words look in notes too
    assert hits("-important", states) == [1, 16, 28, 30, 1, 44]
    assert hits("tag:gmp", states) == [30]
    assert hits("has:tags", states) == [30]
    assert hits("methods", states) == [30]
    assert hits("has:note") == []


def test_has_fields():
    assert hits("has:doi") == [1, 2, 30]
    assert hits("has:pmid") == [1, 2, 30]
    assert hits("has:url") == [44]
    assert hits("-has:doi") == [16, 28, 1, 44]
    assert hits("has:year") == [1, 2, 16, 28, 30, 1]
    assert hits("has:pages") == [1, 16, 28, 1]


# -- or, unknown fields, describe ------------------------------------------------------------


def test_or():
    assert hits("author:teske or author:sullivan") == [1, 16]
    assert hits("author:teske OR author:sullivan") == [1, 16]
    assert hits("author:teske | author:sullivan") == [1, 16]


def test_or_of_and_groups():
    # (sclerosis AND 2022) OR (sullivan)
    assert hits("sclerosis 2022 or sullivan") == [2, 16]
    # (teske) OR (sullivan AND 2011): Sullivan is 2018
    assert hits("teske or sullivan 2011") == [1]
    assert hits("and sclerosis and morphea") == [1]  # "and" joins, it is no word


def test_unknown_field_is_a_word():
    assert hits("i:") == [2]  # "Part I: Clinical"
    assert hits('"part i: clinical"') == [2]
    assert hits("foo:bar") == []
    q = parse("foo:bar")
    assert not q.is_empty and q.groups[0][0].field == ""
    url = Work(url="https://example.org/x")
    assert parse("https://example.org").matches(url)


def test_describe():
    assert parse("author:teske year:2015..2020").describe() == "author:teske AND year 2015–2020"
    assert parse("-status:read has:doi").describe() == "NOT status:read AND has doi"
    assert parse("year:..2010").describe() == "year ≤ 2010"
    assert parse("year:>2018").describe() == "year ≥ 2019"
    assert parse("a b or c").describe() == "(a AND b) OR c"
    assert parse('"stem cell"').describe() == '"stem cell"'
    assert parse("").describe() == "everything"


def test_empty_query_matches_everything():
    for text in ("", "   ", "and", "or", "-"):
        q = parse(text)
        assert q.is_empty
        assert isinstance(q, Query) and q.text == text
        assert hits(text) == [w.n for w in WORKS]


# -- lenient and strict parsing ------------------------------------------------------------

LONG_QUERIES = [
    'author:"van laar" title:"stem cell" year:2015..2020 -status:read or journal:lancet',
    "干细胞 -author:金诗炜 has:doi year:>2018 kind:related lang:zh n:1..10 | note:重要",
    '-"unclosed phrase status:reading type:J pmid:123 doi:10.1016/j.jaad has:pmid',
    "year:..2010 or year:2015.. or year:<=2001 or y:1999-2003 tag:x has:tags key:k",
]


@pytest.mark.parametrize("text", LONG_QUERIES)
def test_every_prefix_parses_while_typing(text):
    states = {TESKE.ident: State(status="read", note="x", tags=["x"])}
    index = Index(WORKS)
    for end in range(len(text) + 1):
        q = parse(text[:end])
        q.describe()
        slow = [i for i, w in enumerate(WORKS) if q.matches(w, states.get(w.ident))]
        assert index.filter(q, states) == slow


@given(st.text(alphabet='ab :-"|.<>=0129yearuthoinsdp干', max_size=40))
def test_lenient_parse_never_raises(text):
    q = parse(text)
    q.describe()
    Index(WORKS).filter(q)


def test_lenient_drops_and_explains():
    q = parse("year:abc sullivan")
    assert q.errors == ["bad year range 'abc' in filter"]
    assert q.describe() == "sullivan"
    assert parse("status:r").is_empty  # typing "status:read"
    assert parse("author:").is_empty
    assert parse('"stem-cell tra').describe() == '"stem-cell tra"'
    assert hits('"stem-cell tra') == [16]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("year:abc", "bad year range 'abc' in filter"),
        ("year:2020..2015", "bad year range '2020..2015' in filter"),
        ("n:x", "bad number 'x' in filter"),
        ('title:"stem cell', "unclosed quote in filter"),
        (
            "status:done",
            "unknown status 'done' in filter (use unread, queued, reading, read, skipped)",
        ),
        ("status:r", "unknown status 'r' in filter (use unread, queued, reading, read, skipped)"),
        ("kind:x", "unknown kind 'x' in filter (use reference or related)"),
        ("author:", "missing value after 'author:' in filter"),
        ("sullivan -", "missing value after '-' in filter"),
        ("teske or", "'or' needs a term on both sides in filter"),
        ("or teske", "'or' needs a term on both sides in filter"),
    ],
)
def test_strict_errors(text, message):
    with pytest.raises(QueryError) as err:
        parse(text, strict=True)
    assert str(err.value) == message
    assert isinstance(err.value, ReadingListError)
    parse(text)  # lenient: no error


def test_strict_unknown_field_and_has():
    with pytest.raises(QueryError, match=r"unknown field 'autor:'"):
        parse("autor:teske", strict=True)
    with pytest.raises(QueryError, match=r"unknown has:abstract"):
        parse("has:abstract", strict=True)
    # not alphabetic, or without a value: text, also in strict mode
    assert parse("i: 10.1016/j:x", strict=True).describe() == "i: AND 10.1016/j:x"
    assert parse('"autor:teske"', strict=True).describe() == '"autor:teske"'


def test_strict_accepts_valid_queries():
    for text in LONG_QUERIES[:2] + LONG_QUERIES[3:]:
        assert "\n" not in parse(text, strict=True).describe()


# -- Index -----------------------------------------------------------------------------------


def test_index_update_and_append():
    index = Index(WORKS)
    assert index.filter(parse("sullivan")) == [2]
    index.update(2, Work(authors=["Someone E"], title="Other"))
    assert index.filter(parse("sullivan")) == []
    index.update(len(index), SULLIVAN)
    assert len(index) == len(WORKS) + 1
    assert index.filter(parse("sullivan")) == [len(WORKS)]
    assert index.filter(parse("author:someone")) == [2]
    assert index.filter(parse("")) == list(range(len(WORKS) + 1))


def test_index_of_nothing():
    assert Index([]).filter(parse("x")) == []
    assert Index([]).filter(parse("")) == []


def test_control_characters_in_data_do_not_shift_fields():
    odd = Work(authors=["A\x00B"], title="t\x01i\ttle", journal="jour\x02nal")
    assert parse("journal:jour").matches(odd)
    assert not parse("title:jour").matches(odd)
    assert Index([odd]).filter(parse("journal:nal")) == [0]


LIBRARY = make_library(2100, seed=7)[1]  # > 2000 works: Index remembers words
LIBRARY_INDEX = Index(LIBRARY)
LIBRARY_STATES = {
    w.ident: State(
        status=("read", "reading", "unread")[i % 3],
        note="important" if i % 5 == 0 else "",
        tags=["todo"] if i % 7 == 0 else [],
    )
    for i, w in enumerate(LIBRARY[::4])
}

VOCAB = [
    "stem",
    "cell",
    "sullivan",
    "muller",
    "sclerosis",
    "干细胞",
    "移植",
    '"stem cell"',
    "author:wang",
    "author:li",
    'title:"systemic sclerosis"',
    "journal:rheum",
    "journal:内科",
    "doi:10.1016",
    "pmid:1",
    "year:2015",
    "year:2015..2020",
    "year:..2000",
    "year:>2018",
    "n:1..10",
    "status:unread",
    "status:read",
    "status:reading",
    "kind:related",
    "lang:zh",
    "type:J",
    "has:doi",
    "has:pmid",
    "has:note",
    "has:tags",
    "note:important",
    "important",
    "tag:todo",
    "s",
    "zzz",
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(VOCAB), st.booleans(), st.integers(0, 5)),
        min_size=1,
        max_size=5,
    ),
    st.booleans(),
)
def test_index_filter_equals_matches(parts, with_states):
    words = []
    for term, negate, joiner in parts:
        if words and joiner == 0:
            words.append("or")
        words.append(("-" if negate else "") + term)
    q = parse(" ".join(words))
    states = LIBRARY_STATES if with_states else None
    expected = [
        i for i, w in enumerate(LIBRARY) if q.matches(w, states.get(w.ident) if states else None)
    ]
    assert LIBRARY_INDEX.filter(q, states) == expected


def test_index_finds_common_and_rare_words_in_a_large_library():
    # whole-library searches (many or few hits) against matches()
    for text in ("s", "e", "sullivan", "zzz", "干", "10.1", "-s", "stem cell -cells"):
        q = parse(text)
        assert LIBRARY_INDEX.filter(q) == [i for i, w in enumerate(LIBRARY) if q.matches(w)]


def test_index_typing_word_by_word_in_a_large_library():
    # each keystroke narrows the rows found for the previous one (Index._words)
    index = Index(LIBRARY)
    for text in ("mesenchymal stem", "sul", "s", "stromal -stem", "sullivan 2019"):
        for end in range(1, len(text) + 1):
            q = parse(text[:end])
            expected = [i for i, w in enumerate(LIBRARY) if q.matches(w)]
            assert index.filter(q) == expected, text[:end]
    index.update(0, Work(title="zzzyzzy"))
    assert index.filter(parse("zzzyzzy")) == [0]
    assert index.filter(parse("zzzyzz")) == [0]


# -- bench.generate ----------------------------------------------------------------------------


def test_make_library_shape():
    reviews, works = make_library(1200, seed=2)
    assert len(works) == 1200
    sizes = {r.key: 0 for r in reviews}
    for w in works:
        sizes[w.review] += 1
    assert all(50 <= s <= 60 for s in list(sizes.values())[:-1])
    assert {w.kind for w in works} == {"reference", "related"}
    assert all(1 <= len(w.authors) <= 9 for w in works)
    assert all(1990 <= w.year <= 2025 for w in works)
    zh = [w for w in works if w.lang == "zh"]
    assert 0.1 < len(zh) / len(works) < 0.5
    assert all(15 <= len(w.title) <= 42 for w in zh)
    en = [w for w in works if w.lang == "en"]
    assert all(8 <= len(w.title.split()) <= 25 for w in en)
    assert 0.5 < sum(bool(w.doi) for w in works) / len(works) < 0.7
    assert 0.3 < sum(bool(w.pmid) for w in works) / len(works) < 0.5
    assert any("ü" in a or "é" in a for w in works for a in w.authors)
    ids = [w.id for w in works]
    assert len(set(ids)) == len(ids)
    for w in works:  # numbered from 1 in each list
        assert w.n >= 1 and w.raw.startswith(w.authors[0])
    assert make_library(1200, seed=2)[1] == works
    assert make_library(1200, seed=3)[1] != works


def test_write_bib_is_read_back_by_bibtexparser(tmp_path):
    import bibtexparser

    _, works = make_library(150, seed=4)
    works = works + works[:3]  # the same keys twice: made unique
    path = tmp_path / "lib.bib"
    write_bib(path, works)
    lib = bibtexparser.parse_file(str(path))
    assert not lib.failed_blocks
    assert len(lib.entries) == len(works)
    assert len({e.key for e in lib.entries}) == len(works)
    first = lib.entries[0]
    assert first["title"].strip("{}") == works[0].title
    assert first["year"] == str(works[0].year)


# -- the shipped review page -----------------------------------------------------------------


def test_filters_on_the_shipped_review():
    # expected lists read off data/000_b90cea9157f310d4.txt by hand
    from tui.paths import shipped_review
    from tui.sources import load_file

    _, works = load_file(shipped_review())
    index = Index(works)

    def ids(text):
        return [works[i].local_id for i in index.filter(parse(text, strict=True))]

    assert ids("干细胞") == [f"rel{n}" for n in (1, 2, 4, 6, 8, 9, 10, 11, 12, 14, 15)]
    assert ids("author:胡炯") == ["rel9", "rel10", "rel11", "rel13", "rel14"]
    assert ids("muller") == ["ref28"]
    assert ids("sensebe") == ["ref30"]
    assert ids("doi:10.1016") == ["ref2", "ref43"]
    assert ids('"part i:"') == ["ref2"]
    assert ids("author:teske or author:sullivan") == ["ref1", "ref16"]
    assert ids("lang:zh") == [f"rel{n}" for n in range(1, 16)]
    assert ids("morphea year:2020..") == ["ref1", "ref3", "ref39"]
