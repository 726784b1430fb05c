"""Citation keys: family name + year + first significant title word."""

from __future__ import annotations

import pytest

from tui.model import Work
from tui.sources.keys import ascii_fold, make_key, unique_keys


def W(authors, year, title, key=""):
    return Work(authors=list(authors), year=year, title=title, key=key)


@pytest.mark.parametrize(
    ("authors", "year", "title", "key"),
    [
        (
            ["Sullivan KM", "Goldmuntz EA"],
            2018,
            "Myeloablative autologous stem-cell transplantation",
            "sullivan2018myeloablative",
        ),
        (["Teske N", "Fett N"], 2024, "Recent advances in treatment", "teske2024recent"),
        (["Teske N"], 2024, "The recent advances", "teske2024recent"),  # stop word skipped
        (["van Laar JM"], 2014, "Autologous hematopoietic", "vanlaar2014autologous"),
        (["De Luca DA"], 2023, "Morphea: the 2023 update", "deluca2023morphea"),
        (["Müller L"], 2021, "Immunomodulatory properties", "muller2021immunomodulatory"),
        (["Lima-Júnior JR"], 2021, "Autologous", "limajunior2021autologous"),
        (["Sensebé L"], 2011, "Good manufacturing", "sensebe2011good"),
        (["Ménard C"], 2020, "Integrated transcriptomic", "menard2020integrated"),
        (["Chen X"], 2021, "[18F]FDG PET/CT", "chen202118f"),
        (["金诗炜", "潘萌萌"], 2025, "既往新型冠状病毒感染对多发性骨髓瘤", "jin2025jiwang"),
        (["安慧慧"], 2024, "CEBPA双突变合并GATA2种系突变", "an2024cebpa"),
        (["曾小明"], 2020, "硬皮病", "zeng2020yingpi"),  # surname reading, not "ceng"
        (["欧阳修"], 2020, "干细胞", "ouyang2020ganxi"),  # two-character surname
        (["LIN Ruilian"], 2025, "Advances in stem cell therapy", "lin2025advances"),
        (["World Health Organization"], 2020, "Global tuberculosis report", "world2020global"),
        ([], 2020, "Anonymous work", "anon2020anonymous"),
        (["Smith J"], None, "Undated", "smithundated"),
        (["", "Smith J"], 2020, "", "smith2020"),
    ],
)
def test_make_key(authors, year, title, key):
    assert make_key(W(authors, year, title)) == key


def test_keys_are_ascii():
    k = make_key(W(["Øster Ł"], 2020, "Straße æther"))
    assert k.isascii() and k == k.lower()


def test_ascii_fold():
    assert ascii_fold("Gonçalves Föll naïve") == "Goncalves Foll naive"


def test_unique_keys_suffixes_and_keeps_existing():
    works = [
        W(["Guiducci S"], 2011, "Bone marrow"),
        W(["Guiducci S"], 2011, "Bone density"),
        W(["Guiducci S"], 2011, "Bone cells"),
        W(["Smith J"], 2020, "Cells", key="guiducci2011bone"),  # already taken
        W(["Li M"], 2019, "Other"),
    ]
    unique_keys(works)
    assert [w.key for w in works] == [
        "guiducci2011bonea",
        "guiducci2011boneb",
        "guiducci2011bonec",
        "guiducci2011bone",
        "li2019other",
    ]
    assert len({w.key for w in works}) == len(works)


def test_unique_keys_first_keeps_base():
    works = [W(["Li M"], 2019, "Same"), W(["Li M"], 2019, "Same")]
    unique_keys(works)
    assert [w.key for w in works] == ["li2019same", "li2019samea"]


def test_unique_keys_is_stable():
    a = [W(["Li M"], 2019, "Same"), W(["Li M"], 2019, "Same"), W(["Wu T"], 2018, "X")]
    b = [W(["Li M"], 2019, "Same"), W(["Li M"], 2019, "Same"), W(["Wu T"], 2018, "X")]
    unique_keys(a)
    unique_keys(b)
    assert [w.key for w in a] == [w.key for w in b]
    unique_keys(a)  # running again changes nothing
    assert [w.key for w in a] == [w.key for w in b]


def test_many_collisions_run_past_z():
    works = [W(["Li M"], 2019, "Same") for _ in range(30)]
    unique_keys(works)
    keys = [w.key for w in works]
    assert len(set(keys)) == 30
    assert keys[26] == "li2019samez" and keys[27] == "li2019sameaa"
