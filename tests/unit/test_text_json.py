"""unsafe_in_json_utf8: the quick scan says what the regex says, on every character
it looks for and on text around them."""

from __future__ import annotations

import random

from tui.text import UNSAFE_IN_JSON, UNSAFE_IN_JSON_UTF8, unsafe_in_json_utf8

UNSAFE = [chr(c) for c in range(0x7F, 0x20000) if UNSAFE_IN_JSON.match(chr(c))]
NEAR = 'é°±·\xa0–—’“”…‰€\u2060\u2065\u206a\u200d\u200b\u061b\u061d干细胞😀aZ09{}":,'


def test_each_unsafe_character_is_found_alone_and_in_text() -> None:
    assert len(UNSAFE) == 1 + 32 + 1 + 2 + 5 + 4  # DEL, C1, ALM, LRM/RLM, LRE..RLO, LRI..PDI
    for ch in UNSAFE:
        for text in (ch, f"abc{ch}def", f"干细胞{ch}", f'{{"t": "x{ch}"}}'):
            assert unsafe_in_json_utf8(text.encode()), repr(text)


def test_text_without_them_is_passed_as_the_regex_passes_it() -> None:
    rng = random.Random(7)
    pool = NEAR + "".join(UNSAFE)
    for _ in range(5000):
        text = "".join(rng.choice(pool if rng.random() < 0.05 else NEAR) for _ in range(12))
        raw = text.encode()
        assert unsafe_in_json_utf8(raw) == (UNSAFE_IN_JSON_UTF8.search(raw) is not None), text
    for text in ("", "plain ascii [J]", "干细胞治疗", "Müller – “quoted” …", "\u2060\u2065"):
        assert not unsafe_in_json_utf8(text.encode()), text


def test_a_lazy_pattern_compiles_once_on_first_use_and_acts_as_the_regex(monkeypatch) -> None:
    import re

    import tui.text
    from tui.text import LazyPattern

    compiled: list[str] = []
    real = re.compile
    monkeypatch.setattr(tui.text.re, "compile", lambda s, *a: compiled.append(s) or real(s, *a))
    han = LazyPattern("[\u4e00-\u9fff]+")
    assert compiled == []  # nothing paid by an import that never uses it
    assert han.search("ab干细胞cd").group() == "干细胞"
    assert han.fullmatch("干细胞") and not han.fullmatch("干x")
    assert han.sub("-", "a干b") == "a-b" and han.findall("干a细") == ["干", "细"]
    assert han.pattern == "[\u4e00-\u9fff]+"
    assert compiled == ["[\u4e00-\u9fff]+"]  # once, however often it is used
    assert not hasattr(han, "_missing")
