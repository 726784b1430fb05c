"""Synthetic libraries for benchmarks (and property tests).

``make_library(n)`` gives ``n`` works spread over reviews of 50-60 works each, shaped
like the shipped review page: mostly English journal articles printed in GB/T 7714
(1-9 authors "Family INITIALS", often cut to three + et al.), Chinese related articles
with every author listed, accented names, DOIs (~60%) and PMIDs (~40%), supplements
and article numbers as pages.  The same seed always gives the same library.

``write_bib(path, works)`` writes them as a BibTeX file (a plain text writer: the
entries are simple and known to be well formed, so bibtexparser is not needed here).

    python -m bench.generate 10000 -o /tmp/lib.bib     # a .bib of 10,000 works
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from tui.model import Review, Work

__all__ = ["make_library", "write_bib"]

# -- vocabularies ----------------------------------------------------------------------

FAMILIES = (
    "Teske Fett Jerjen Nikpour Krieg Papara Bieber Jessop Farge Saccardi Snowden Allez "
    "Levin Hakim Shezen Kobayashi Nagafuchi Shoda Baraut Grigore Arruda Adamska Zia Bloom "
    "Ayoglu Donato Furst Wareing Wang Tyndall Black Finke Burt Shah Dill Sont Sullivan "
    "Goldmuntz Higashitani Yoshimi Franks Martyanov Ayano Tsukamoto Mitoma Bruera Molony "
    "Moll Holzer Zimmer Nair Sharma Huang Wu Tam Viswanathan Shi Galipeau Guiducci Manetti "
    "Romano Griffin Ryan Pathan Tunger Wobus Dudek Walczuk Wajda Bourin Tarte Christopeit "
    "Schendel Keyszer Fick Porta Loisel Scuderi Ceccarelli Onesti Dulong Roulois Granel "
    "Daumas Jouve Magalon Liu Zhang Barrett Fong Subramanian Liang Tang Kong Li Ma Smith "
    "Johnson Brown Garcia Martinez Rossi Bianchi Novak Kowalski Nielsen Larsen Costa Silva"
).split() + [
    "Müller",
    "Sensebé",
    "Ménard",
    "Föll",
    "Gonçalves",
    "Lima-Júnior",
    "Jean-Louis",
    "Keyes-Elstein",
    "Resche-Rigon",
    "Takase-Minegishi",
    "De Luca",
    "van Laar",
    "van Bijnen",
    "de Vries-Bouwstra",
    "Søndergaard",
    "Łukasik",
    "Østergaard",
    "Nuñez",
    "Çelik",
    "Dvořák",
]
_AUTHOR_COUNTS = (1, 1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9)
GIVEN_INITIALS = "A B C D E F G H J K L M N P R S T V W X Y Z".split()

ZH_FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
ZH_GIVEN = "瑞莲丽佳诗炜萌捷山焰元昉怡卫平坚青暐铭慈一格守杰健维莅慧芸文思锐洋敏连军蔚薇红幸青梅创琦茜威霏艳琳刚媛强锋英存邦海晓倩恺苏江明愿苓宁星炯莉莹婷雪玮元立根轶菊妹德沛春荣雯紫建民谢华超巍致信"

EN_WORDS = (
    "stem cell cells transplantation autologous allogeneic haematopoietic hematopoietic "
    "mesenchymal stromal systemic sclerosis scleroderma morphea localized diffuse "
    "cutaneous fibrosis treatment therapy therapies outcomes patients clinical trial "
    "randomized controlled safety efficacy long-term follow-up regulatory immune "
    "reconstitution disease reset mechanisms pathogenesis features update review "
    "guidelines severe autoimmune diseases adipose-derived vascular fraction injection "
    "fingers hands interstitial lung pulmonary arterial hypertension renal crisis skin "
    "score response predictors mortality risk benefit analysis cohort study "
    "retrospective prospective multicentre European American Japanese Chinese children "
    "adults repertoire autoantibody signatures molecular expression gene single-cell "
    "RNA-sequencing exosomes TGF-β signalling pathway Smad axis fibroblasts endothelial "
    "angiogenesis paracrine machinery vitro vivo model mouse bleomycin infusion "
    "cyclophosphamide rituximab tocilizumab nintedanib myeloablative non-myeloablative "
    "conditioning regimen CD34-selected graft manufacturing practices production "
    "quality donor haploidentical improvement marked progressive"
).split()
EN_GLUE = "of in for and with the to versus after before from by on a".split()

ZH_TERMS = (
    "干细胞 造血干细胞 间充质干细胞 自体 异基因 移植 治疗 硬皮病 系统性硬化症 局限性 硬斑病 "
    "皮肤 纤维化 研究进展 临床 疗效 观察 分析 患者 机制 免疫 调节 急性 髓系 白血病 淋巴瘤 "
    "多发性骨髓瘤 再生障碍性贫血 骨髓增生异常综合征 并发症 感染 肺部 预后 相关性 诊断 "
    "报告 监测 方案 预防 出血性膀胱炎 移植物抗宿主病 外周血 半相合 环磷酰胺 新型冠状病毒 "
    "口腔黏膜炎 凝血 指标 文献复习 一例 综述 进展 影响 特征 评价 安全性 有效性 随访"
).split()
ZH_GLUE = "的 在 与 及 对 后 中 和".split()

EN_JOURNALS = (
    "Am J Clin Dermatol|J Am Acad Dermatol|Front Med|Bone Marrow Transplant|Cells|"
    "Front Immunol|Rheumatology|Ann Rheum Dis|Arthritis Rheumatol|Lancet|JAMA|"
    "N Engl J Med|Mod Rheumatol|Arthritis Res Ther|Cochrane Database Syst Rev|"
    "Pediatr Rheumatol Online J|Int J Rheum Dis|Int J Mol Sci|Cytotherapy|"
    "Stem Cell Res Ther|Front Cell Dev Biol|Reumatologia|Hum Gene Ther|Leukemia|"
    "Arthritis Rheum|Ann Intern Med|Lancet Rheumatol|Cell Transplant|Stem Cells|"
    "JAMA Dermatol|Stem Cells Dev|J Dermatol Sci|Blood|J Clin Invest|Nat Med"
).split("|")
ZH_JOURNALS = (
    "内科理论与实践 诊断学理论与实践 中华内科杂志 中华血液学杂志 中华风湿病学杂志 "
    "中华皮肤科杂志 上海交通大学学报(医学版) 中国实验血液学杂志 临床皮肤科杂志"
).split()
DOI_PREFIXES = (
    "10.1007 10.1016 10.1093 10.1136 10.1111 10.1089 10.1038 10.7326 10.1002 10.1186 "
    "10.3390 10.3389 10.1056 10.16138"
).split()


def _pick(rng: random.Random, seq):
    # rng.choice/randint cost several Python calls each; this is 3x faster, and the
    # generator draws about a hundred numbers per work
    return seq[int(rng.random() * len(seq))]


def _int(rng: random.Random, lo: int, hi: int) -> int:
    return lo + int(rng.random() * (hi - lo + 1))


# -- one work --------------------------------------------------------------------------


def _en_author(rng: random.Random) -> str:
    family = _pick(rng, FAMILIES)
    k = _pick(rng, (1, 1, 2, 2, 2, 3))
    return f"{family} {''.join(_pick(rng, GIVEN_INITIALS) for _ in range(k))}"


def _zh_author(rng: random.Random) -> str:
    given = "".join(_pick(rng, ZH_GIVEN) for _ in range(_pick(rng, (1, 2, 2))))
    return _pick(rng, ZH_FAMILY) + given


def _en_title(rng: random.Random) -> str:
    n = _int(rng, 8, 25)
    words = []
    for i in range(n):
        pool = EN_GLUE if i and rng.random() < 0.3 else EN_WORDS
        words.append(_pick(rng, pool))
    if rng.random() < 0.15:  # "Part I: ..." / "Morphea: the 2023 update"
        k = _int(rng, 1, n - 1)
        words[k - 1] += ":"
    title = " ".join(words)
    return title[0].upper() + title[1:]


def _zh_title(rng: random.Random) -> str:
    target = _int(rng, 15, 40)
    out = ""
    while len(out) < target:
        out += _pick(rng, ZH_TERMS)
        if rng.random() < 0.3:
            out += _pick(rng, ZH_GLUE)
    out = out[:target]
    if rng.random() < 0.2:
        out += "1例"
    return out


def _ascii_key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _make_work(rng: random.Random, review: str, kind: str, n: int, zh: bool) -> Work:
    count = _pick(rng, _AUTHOR_COUNTS)
    if zh:
        authors = [_zh_author(rng) for _ in range(count)]
        et_al = False
        title = _zh_title(rng)
        journal = _pick(rng, ZH_JOURNALS)
    else:
        authors = [_en_author(rng) for _ in range(count)]
        et_al = count > 3 and rng.random() < 0.6  # GB/T 7714 prints three + "et al."
        if et_al:
            authors = authors[:3]
        title = _en_title(rng)
        journal = _pick(rng, EN_JOURNALS)
    year = _int(rng, 1990, 2025)
    volume = str(_int(rng, 1, 400))
    issue = f"{_int(rng, 1, 12):02d}" if zh else str(_int(rng, 1, 24))
    supplement = "Suppl 1" if rng.random() < 0.02 else ""
    if rng.random() < 0.1:
        issue = ""
    r = rng.random()
    first = _int(rng, 1, 3000)
    if r < 0.8:
        pages = f"{first}-{first + _int(rng, 1, 30)}"
    elif r < 0.9:
        pages = str(_int(rng, 10, 999999))  # article number
    elif r < 0.95:
        pages = f"e{first}-e{first + _int(rng, 1, 20)}"
    else:
        pages = _pick(rng, ("P77", f"CD0{_int(rng, 10000, 99999)}"))
    doi = ""
    if rng.random() < 0.6:
        prefix = "10.16138" if zh else _pick(rng, DOI_PREFIXES)
        doi = f"{prefix}/{_ascii_key(journal)[:6] or 'j'}.{year}.{_int(rng, 100, 99999)}"
    # PubMed indexes few Chinese journals: ~48% of English works, ~40% of all
    pmid = str(_int(rng, 1_000_000, 40_000_000)) if not zh and rng.random() < 0.48 else ""
    first_author = _ascii_key(authors[0].split(" ")[0]) if not zh else f"a{n}"
    key = f"{first_author}{year}{_ascii_key(title.split(' ')[0])[:12]}{kind[:3]}{n}"
    work = Work(
        review=review,
        kind=kind,
        n=n,
        key=key,
        authors=authors,
        et_al=et_al,
        title=title,
        type="J",
        journal=journal,
        year=year,
        volume=volume,
        issue=issue,
        supplement=supplement,
        pages=pages,
        doi=doi,
        pmid=pmid,
        lang="zh" if zh else "en",
    )
    work.raw = _printed(work)
    return work


def _printed(w: Work) -> str:
    """The work as a GB/T 7714 list prints it (the shape of the shipped page)."""
    names = ", ".join(w.authors)
    if w.et_al:
        names += ", 等" if w.lang == "zh" else ", et al"
    where = w.volume
    if w.issue:
        where += f"({w.issue})"
    if w.supplement:
        where += f" {w.supplement}"
    sep = ", " if w.lang == "zh" else ","
    text = f"{names}. {w.title}[{w.type}]. {w.journal}{sep}{w.year}{sep}{where}:{w.pages}."
    if w.doi:
        text += f" doi: {w.doi}"
    if w.pmid:
        text += f" pmid: {w.pmid}"
    return text


# -- a library -------------------------------------------------------------------------


def make_library(n: int, seed: int = 1) -> tuple[list[Review], list[Work]]:
    """n synthetic works over reviews of 50-60 works each (references, then related).

    About one work in four is Chinese; related articles of a Chinese review are
    Chinese, as on the shipped page.

    >>> reviews, works = make_library(120, seed=3)
    >>> len(works), sum(len(w.authors) >= 1 for w in works)
    (120, 120)
    >>> {w.review for w in works} <= {r.key for r in reviews}
    True
    >>> make_library(120, seed=3)[1] == works
    True
    """
    rng = random.Random(seed)
    reviews: list[Review] = []
    works: list[Work] = []
    r = 0
    while len(works) < n:
        r += 1
        zh_review = rng.random() < 0.3
        year = _int(rng, 2000, 2025)
        key = f"syn{seed}_{r:05d}"
        size = min(_int(rng, 50, 60), n - len(works))
        n_related = min(size, _int(rng, 8, 15))
        n_refs = size - n_related
        review = Review(
            key=key,
            title_zh=_zh_title(rng) if zh_review else "",
            title_en=_en_title(rng),
            authors_zh=[_zh_author(rng) for _ in range(_int(rng, 1, 5))] if zh_review else [],
            authors_en=[_en_author(rng) for _ in range(_int(rng, 1, 5))],
            journal_zh=_pick(rng, ZH_JOURNALS) if zh_review else "",
            journal_en=_pick(rng, EN_JOURNALS),
            year=year,
            volume=str(_int(rng, 1, 60)),
            issue=f"{_int(rng, 1, 12):02d}",
            pages=f"{_int(rng, 1, 900)}-{_int(rng, 901, 999)}",
            doi=f"10.16138/syn.{year}.{r:05d}",
            source=f"{key}.txt",
        )
        reviews.append(review)
        for i in range(1, n_refs + 1):
            zh = rng.random() < (0.15 if zh_review else 0.05)
            works.append(_make_work(rng, key, "reference", i, zh))
        for i in range(1, n_related + 1):
            works.append(_make_work(rng, key, "related", i, zh_review or rng.random() < 0.3))
    return reviews, works


# -- BibTeX ------------------------------------------------------------------------------

_BIB_SPECIAL = re.compile(r"([&%$#_])")


def _bib_value(text: str) -> str:
    return _BIB_SPECIAL.sub(r"\\\1", text).replace("{", "").replace("}", "")


def _bib_name(name: str) -> str:
    """ "Teske N" -> "Teske, N"; a Chinese name or "others" stays whole."""
    family, _, given = name.rpartition(" ")
    if family and given.isupper():
        return f"{family}, {given}"
    return name if name == "others" else f"{{{name}}}"


def write_bib(path: str | Path, works: Iterable[Work]) -> None:
    """Write works as @article entries (keys made unique across the file)."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for w in works:
        key = w.key or f"{w.review}{w.kind}{w.n}"
        count = seen.get(key, 0)
        seen[key] = count + 1
        if count:
            key = f"{key}_{count}"
        authors = list(w.authors) + (["others"] if w.et_al else [])
        fields = [
            ("author", " and ".join(_bib_name(a) for a in authors)),
            ("title", f"{{{_bib_value(w.title)}}}"),
            ("journal", _bib_value(w.journal)),
            ("year", str(w.year) if w.year is not None else ""),
            ("volume", w.volume),
            ("number", w.issue),
            ("pages", w.pages.replace("-", "--")),
            ("doi", w.doi),
            ("pmid", w.pmid),
            ("language", "chinese" if w.lang == "zh" else "english"),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
        out.append(f"@article{{{key},\n{body}\n}}\n")
    Path(path).write_text("\n".join(out), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    ap.add_argument("n", type=int, help="number of works")
    ap.add_argument("-o", "--output", default="library.bib", help="a .bib file to write")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    _, works = make_library(args.n, args.seed)
    write_bib(args.output, works)
    print(f"wrote {len(works)} works to {args.output}")


if __name__ == "__main__":
    main()
