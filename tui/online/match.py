"""Does an online record describe the printed reference?  Title, year, first author.

A candidate is accepted only when all three agree after normalising (case, accents,
punctuation, markup such as <scp>/<i>, "The"/"A" and spacing): a wrong identifier
written silently would send the reader to the wrong paper, so anything less is
"unsure" and waits for the reader to confirm it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from tui.model import Work, fold, parse_author

TITLE_AGREES = 0.93  # difflib ratio of normalised titles (typos, a dropped word)
TITLE_SIMILAR = 0.75  # below this the candidate is not the same paper at all

_TAGS = re.compile(r"<[^>]{1,40}>")
_NONWORD = re.compile(r"[^\w]+")


def norm_title(text: str) -> str:
    text = _TAGS.sub("", text or "")
    text = _NONWORD.sub(" ", fold(text)).strip()
    return re.sub(r"^(the|a|an) ", "", text)


def norm_name(text: str) -> str:
    return _NONWORD.sub("", fold(text or ""))


def first_family(work: Work) -> str:
    if not work.authors:
        return ""
    a = parse_author(work.authors[0])
    return norm_name(a.family or a.literal)


@dataclass
class Candidate:
    """One record a service offered for a printed reference."""

    service: str  # "crossref", "pubmed"
    ident: str  # "doi" | "pmid"
    value: str  # the DOI or PMID
    title: str
    years: tuple[int, ...]  # every year the record gives (print, online, issued)
    families: tuple[str, ...]  # first author's family name (and variants)
    score: float | None = None
    url: str = ""
    date: str = ""
    extra: dict = field(default_factory=dict)  # other fields found on the way (pmcid…)


@dataclass
class Verdict:
    candidate: Candidate
    agreed: list[str]  # of "title", "year", "author"
    title_ratio: float

    @property
    def accepted(self) -> bool:
        return self.agreed == ["title", "year", "author"]

    def evidence(self) -> dict:
        c = self.candidate
        ev = {
            "service": c.service,
            "agreed": list(self.agreed),
            "title": round(self.title_ratio, 3),
        }
        if c.score is not None:
            ev["score"] = c.score
        return ev


def judge(work: Work, c: Candidate) -> Verdict:
    ratio = difflib.SequenceMatcher(None, norm_title(work.title), norm_title(c.title)).ratio()
    agreed = []
    if work.title and ratio >= TITLE_AGREES:
        agreed.append("title")
    if work.year is not None and work.year in c.years:
        agreed.append("year")
    fam = first_family(work)
    if fam and any(fam == f or (len(fam) > 3 and f.endswith(fam)) for f in c.families):
        agreed.append("author")
    return Verdict(c, agreed, ratio)


@dataclass
class Outcome:
    """What resolving one work found: accepted verdicts, unsure ones, or nothing."""

    work: Work
    accepted: list[Verdict] = field(default_factory=list)
    unsure: list[Verdict] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.accepted:
            return "resolved"
        return "unsure" if self.unsure else "not found"


def decide(work: Work, candidates: list[Candidate]) -> tuple[list[Verdict], list[Verdict]]:
    """(accepted, unsure) among one service's candidates for one identifier kind.

    Accepted: exactly one identifier whose record agrees on all three.  Two different
    identifiers that both agree (a paper and its erratum, a duplicate deposit) are
    unsure.  A record that resembles the reference (similar title, or an agreeing
    title with the year or author off) is unsure.
    """
    verdicts = [judge(work, c) for c in candidates]
    full = [v for v in verdicts if v.accepted]
    values = {v.candidate.value.lower() for v in full}
    if len(values) == 1:
        return [full[0]], []
    if len(values) > 1:
        return [], full
    near = [v for v in verdicts if v.title_ratio >= TITLE_SIMILAR and len(v.agreed) >= 1]
    near.sort(key=lambda v: (len(v.agreed), v.title_ratio), reverse=True)
    return [], near[:3]
