"""The plain data model: names, identities, round trips; and the docstring examples."""

import doctest

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tui.model
import tui.text
from tui.model import Review, State, Work, parse_author


@pytest.mark.parametrize("module", [tui.model, tui.text])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    "name, family, given, literal",
    [
        ("Teske N", "Teske", "N", ""),
        ("van Laar JM", "van Laar", "JM", ""),
        ("de Vries-Bouwstra J", "de Vries-Bouwstra", "J", ""),
        ("Lefèvre É", "Lefèvre", "É", ""),
        ("糜坚青", "", "", "糜坚青"),
        ("陈 佳", "", "", "陈佳"),
        (
            "EBMT Autoimmune Diseases Working Party Group",
            "",
            "",
            "EBMT Autoimmune Diseases Working Party Group",
        ),
        ("Smith, John Andrew", "Smith", "John Andrew", ""),
        ("Ludwig van Beethoven", "van Beethoven", "Ludwig", ""),
    ],
)
def test_parse_author(name, family, given, literal):
    a = parse_author(name)
    assert (a.family, a.given, a.literal) == (family, given, literal)


def test_initials():
    assert parse_author("Smith, John Andrew").initials == "JA"
    assert parse_author("Grigore EI").initials == "EI"


def test_ids_and_identity():
    w = Work(review="lin2025", kind="related", n=3)
    assert (w.id, w.local_id, w.ident) == ("lin2025/rel3", "rel3", "id:lin2025/rel3")
    w.pmid = "123"
    assert w.ident == "pmid:123"
    w.doi = "10.1000/ABC"
    assert w.ident == "doi:10.1000/abc"


def test_round_trips_ignore_unknown_fields():
    w = Work(review="r", n=1, authors=["金诗炜"], title="t", year=2020, extra={"isbn": "1"})
    assert Work.from_dict({**w.to_dict(), "status": "read"}) == w
    r = Review(key="k", authors_zh=["林瑞莲"], year=2025)
    assert Review.from_dict(r.to_dict()) == r
    assert State.from_dict({}).is_default
    assert not State.from_dict({"status": "read"}).is_default


def test_byline_shows_the_editors_when_a_work_has_no_author():
    """A Zotero book with editors only: the list shows its editors, not a blank."""
    from tui.model import Work

    assert Work(authors=["Teske N", "Fett N"]).byline() == "Teske N, Fett N"
    assert Work(authors=["Sullivan KM", "A B", "C D"]).byline() == "Sullivan KM et al."
    assert Work(authors=["金诗炜"], et_al=True).byline() == "金诗炜 等"
    assert Work(editors=["Varga J", "Denton CP"]).byline() == "Varga J, Denton CP (eds.)"
    assert Work(editors=["Schmid HJ"]).byline() == "Schmid HJ (ed.)"
    assert Work(editors=["牛志明", "斯温兰德", "雷光春"]).byline() == "牛志明 等编"
    assert Work().byline() == ""


def _fold_char_by_char(text: str) -> str:
    """fold() as it was first written: NFKD, then drop each combining character."""
    import unicodedata

    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


@settings(max_examples=500, deadline=None)
@given(
    st.text(st.characters(codec="utf-8"))
    | st.text(st.sampled_from("aÉé ñß ＡΩ金詩\u0301\u0e48\U0001d167ﬁ"))
)
def test_fold_drops_what_the_character_by_character_fold_drops(text):
    from tui.model import fold, strip_marks

    assert fold(text) == _fold_char_by_char(text)
    assert strip_marks("Sensebe\u0301 \U0001d167x") == "Sensebe x"  # (an astral mark too)


def test_has_cjk_agrees_with_the_query_pattern_at_every_range_edge():
    from tui.model import has_cjk
    from tui.query import _CJK

    edges = [0x3040, 0x30FF, 0x3400, 0x4DBF, 0x4E00, 0x9FFF, 0xAC00, 0xD7AF, 0xF900, 0xFAFF]
    edges += [0x20000, 0x2A6DF]
    chars = [chr(c + d) for c in edges for d in (-1, 0, 1)] + ["é", "β", "\uff08"]
    for ch in chars:
        for text in (ch, "ab" + ch, ch + "é", "Müller " + ch + " x"):
            assert has_cjk(text) == (_CJK.search(text) is not None), hex(ord(ch))
