"""Search that knows Chinese: pinyin in the filter (tui.query, tui.pinyin) and the
pinyin sort key."""

from __future__ import annotations

import doctest

import pytest

from tui.model import Work
from tui.query import Index, parse

# Related articles of the shipped review (names and titles copied from the page).
JIN = Work(
    review="r",
    kind="related",
    n=1,
    authors=["金诗炜", "潘萌萌", "许捷", "高山", "王焰", "刘元昉", "陶怡", "章卫平", "糜坚青"],
    title="既往新型冠状病毒感染对多发性骨髓瘤患者自体造血干细胞移植的影响",
    journal="内科理论与实践",
    year=2025,
    lang="zh",
)
TANG = Work(
    review="r",
    kind="related",
    n=2,
    authors=["唐暐", "蔡铭慈", "沈一格", "张守杰", "葛健", "赵维莅"],
    title="口疮散治疗自体造血干细胞移植患者口腔黏膜炎疗效观察",
    journal="内科理论与实践",
    year=2025,
    lang="zh",
)
AN = Work(
    review="r",
    kind="related",
    n=3,
    authors=["安慧慧", "吴涛", "李芸芸", "刘文慧", "田思锐", "刘洋", "高铭敏"],
    title="CEBPA双突变合并GATA2种系突变急性髓系白血病1例",
    journal="内科理论与实践",
    year=2024,
    lang="zh",
)
# an English work whose author's name is pinyin written out: never matched through pinyin
LATIN = Work(
    review="r",
    n=4,
    authors=["Jin Shi-Wei", "Sullivan KM"],
    title="Stem cells for scleroderma: a gxb-free approach",
    journal="Ganxibao Res",
    year=2025,
)
CHINESE = [JIN, TANG, AN]
WORKS = [*CHINESE, LATIN]


def found(query: str, works=WORKS) -> list[int]:
    """Indices found by Index.filter; Query.matches must agree, work by work."""
    q = parse(query)
    got = Index(works).filter(q)
    assert got == [i for i, w in enumerate(works) if q.matches(w)], query
    return got


@pytest.mark.parametrize(
    "query", ["jin", "jinshiwei", "jinshi", "jinsh", "JinShiWei", "JIN", "jsw", "author:jsw"]
)
def test_pinyin_and_initials_find_the_author(query):
    assert 0 in found(query)
    assert found(f"author:{query.removeprefix('author:')}", CHINESE) == [0]


def test_tones_and_accents_are_ignored():
    assert found("author:jīnshīwěi") == [0]
    assert found("title:gānxìbāo") == [0, 1]


def test_a_match_starts_on_a_syllable():
    assert found("inshi") == []  # inside jin|shi
    assert found("author:hiwei") == []
    assert found("author:sw") == [0]  # shi wei: a syllable of the given name


@pytest.mark.parametrize("query", ["ganxibao", "gxb", "title:gxb", "title:ganxibao", "zaoxue"])
def test_titles_by_syllables_and_initials(query):
    # 造血干细胞 is in the first two titles; 安慧慧's title is about leukaemia
    assert found(query, CHINESE) == [0, 1]


def test_mixed_queries():
    assert found("author:jsw year:2025") == [0]
    assert found("author:jsw year:2024") == []
    assert found("author:ahh kind:related") == [2]
    assert found("author:tw or author:ahh") == [1, 2]
    assert found("-author:jsw kind:related") == [1, 2]
    assert found("gxb -jsw", CHINESE) == [1]
    assert found('author:"jin shi"', CHINESE) == [0]
    assert found("journal:nklly") == [0, 1, 2]  # 内科理论与实践


def test_latin_text_never_goes_through_pinyin():
    # the English work has "Jin Shi-Wei" and "gxb" and "Ganxibao" in plain letters:
    # plain substrings find it, pinyin initials do not
    assert found("jsw") == [0]
    assert found("jsw", [LATIN]) == []
    assert found("author:jinshiwei", [LATIN]) == []
    assert found("gxb", [LATIN]) == [0]  # the word itself is in its title
    assert found("sullivan") == [3]
    assert found("cell") == [3]


def test_names_of_the_shipped_review():
    assert found("author:tangwei") == [1]
    assert found("author:anhuihui") == [2]
    assert found("author:mjq") == [0]  # 糜坚青, the last author
    assert found("author:zhangshoujie") == [1]


def test_family_names_are_read_as_family_names():
    works = [
        Work(authors=["曾丽"], title="x"),
        Work(authors=["单萌"], title="y"),
        Work(authors=["区伟"], title="z"),
        Work(authors=["欧阳修"], title="w"),
    ]
    assert found("author:zengli", works) == [0]
    assert found("author:zl", works) == [0]
    assert found("author:shan", works) == [1]
    assert found("author:ouwei", works) == [2]
    assert found("author:ouyangxiu", works) == [3]
    assert found("author:oyx", works) == [3]
    # every other reading of a one-character family name is searchable too
    assert found("author:ceng", works) == [0]
    assert found("author:dan", works) == [1]


def test_a_character_reads_as_in_its_phrase():
    # 长 alone is zhang, in 长期 chang; 行 alone is xing, in 银行 hang
    works = [Work(title="长期随访"), Work(title="生长因子"), Work(title="银行")]
    assert found("changqi", works) == [0]
    assert found("shengzhang", works) == [1]
    assert found("yinhang", works) == [2]


def test_index_update_keeps_pinyin():
    ix = Index([JIN, TANG])
    q = parse("author:jsw")
    assert ix.filter(q) == [0]
    ix.update(0, LATIN)
    assert ix.filter(q) == []
    ix.update(1, JIN)
    assert ix.filter(q) == [1]
    ix.update(2, AN)  # appended
    assert ix.filter(parse("author:ahh")) == [2]


def test_long_or_odd_words_are_not_pinyin():
    from tui.pinyin import patterns

    assert patterns("x" * 60) == ()
    assert patterns("ab1") == ()
    assert patterns("sullivan") == ()  # no split into syllables; has i, u: not initials
    assert len(patterns("zhongguorenminjiefangjun" * 1)) <= 33


def test_sort_key_puts_chinese_names_in_pinyin_order():
    from tui.pinyin import authors_sort_key, sort_key

    names = ["Jones A", "金诗炜", "Jiang B", "曾丽", "安慧慧", "唐暐", "Tang W", "Zhao Y"]
    assert sorted(names, key=lambda s: sort_key(s, name=True)) == [
        "安慧慧",
        "Jiang B",
        "金诗炜",
        "Jones A",
        "Tang W",
        "唐暐",  # tang wei
        "曾丽",  # zeng: read as a family name, not ceng
        "Zhao Y",
    ]
    titles = ["Stem cells", "干细胞治疗", "Gene therapy", "CEBPA双突变"]
    assert sorted(titles, key=sort_key) == [
        "CEBPA双突变",
        "干细胞治疗",
        "Gene therapy",
        "Stem cells",
    ]
    works = [JIN, TANG, AN]
    assert [w.n for w in sorted(works, key=lambda w: authors_sort_key(w.authors))] == [3, 1, 2]
    assert sort_key("") == ("", "")


def test_doctests():
    import tui.pinyin

    assert doctest.testmod(tui.pinyin).failed == 0
