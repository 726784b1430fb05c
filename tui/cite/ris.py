"""RIS records through rispy.

Decisions:
- No numbered header lines ("1.", "2." that rispy's RisWriter puts before each
  record): most readers accept them, some (older EndNote, several converters)
  do not, and the RIS specification has none.
- AU one per author as "Family, Given" (initials with points), CJK names as written.
- ID: the citation key, unique within the output (the same key as BibTeX's).
- Journal in both T2 (what Zotero and EndNote read as the journal) and JO
  (the abbreviation field): our journal names are usually the abbreviations.
- Pages split into SP/EP ("e91-e104" -> SP e91, EP e104; "CD011819" -> SP only).
- A supplement goes to IS ("Suppl 1", or "2 Suppl 1").
- PMID as AN (accession number) with DB "PubMed", so it is not taken for another
  database's number; that is how EndNote's PubMed connection writes it.
- et al. in the source: RIS has no way to say it; the known authors are listed
  and the fact is lost (documented loss: a .ris file reads back without et_al).
  So is a PII printed where a DOI belongs (RIS has no field for it).
- Types come back unchanged through tui.sources.ris: DS is DATA, DB DBASE,
  G (汇编) EDBOOK, A (档案) GEN with M3 "archive".
"""

from __future__ import annotations

import re

import rispy

from tui.cite.csljson import csl_name
from tui.model import Work

RIS_TYPES = {
    "J": "JOUR",
    "N": "NEWS",
    "M": "BOOK",
    "G": "EDBOOK",
    "C": "CPAPER",
    "D": "THES",
    "R": "RPRT",
    "P": "PAT",
    "S": "STAND",
    "EB": "ELEC",
    "DS": "DATA",
    "DB": "DBASE",
    "CP": "COMP",
    "A": "GEN",
    "Z": "GEN",
}


class _Writer(rispy.RisWriter):
    def set_header(self, count: int) -> str:
        return ""


def ris_name(name: str) -> str:
    d = csl_name(name)
    if "literal" in d:
        return d["literal"]
    return f"{d['family']}, {d['given']}" if d.get("given") else d["family"]


def ris_type(work: Work) -> str:
    code = (work.type or "J").upper().partition("/")[0]
    t = RIS_TYPES.get(code, "GEN")
    if t == "BOOK" and work.journal:
        return "CHAP"
    return t


# flat fields copied as they are (trimmed): rispy's names for them
_PLAIN_RIS = (
    ("edition", "edition"),
    ("publisher", "publisher"),
    ("place", "place_published"),
    ("doi", "doi"),
)


def to_ris(work: Work) -> dict:
    r: dict = {"type_of_reference": ris_type(work)}
    if (work.type or "").upper().partition("/")[0] == "A":
        r["type_of_work"] = "archive"
    authors = [ris_name(a) for a in work.authors if a.strip(" ,;")]
    if authors:
        r["authors"] = authors
    editors = [ris_name(a) for a in work.editors if a.strip(" ,;")]
    if editors:
        r["secondary_authors"] = editors
    if work.title:
        r["title"] = " ".join(work.title.split())
    if work.journal:
        r["secondary_title"] = work.journal.strip()
        if r["type_of_reference"] in ("JOUR", "NEWS"):
            r["journal_name"] = work.journal.strip()
    if work.year:
        r["year"] = str(work.year)
    if work.volume:
        r["volume"] = work.volume.strip()
    issue = " ".join(x for x in (work.issue.strip(), work.supplement.strip()) if x)
    if issue:
        r["number"] = issue
    if work.pages.strip():
        sp, _, ep = re.sub(r"\s*[\u2010-\u2015]\s*", "-", work.pages.strip()).partition("-")
        r["start_page"] = sp.strip()
        if ep.strip():
            r["end_page"] = ep.strip()
    for attr, tag in _PLAIN_RIS:
        value = getattr(work, attr)
        if value:
            r[tag] = value.strip()
    if work.pmid:
        r["accession_number"] = work.pmid.strip()
        r["name_of_database"] = "PubMed"
    if work.url:
        r["urls"] = [work.url.strip()]
    if work.abstract:  # printed, else fetched online (Work.abstract)
        r["abstract"] = work.abstract.strip()
    if work.accessed:
        r["access_date"] = work.accessed.strip()
    lang = "zh" if work.is_chinese else (work.lang or "")
    if lang:
        r["language"] = lang
    return r


def record_lines(work: Work, key: str | None, tags: list[str] | None = None) -> str:
    """A work with a lossless record as RIS through the table of tui.mapping.ris, plus
    the source's tags that have no CSL variable, under their own names."""
    from tui.mapping.ris import csl_to_ris

    used = work.extra.get("ris_fields")
    tags_ = csl_to_ris(
        work.csl, str(work.extra.get("ris_type", "")), used if isinstance(used, dict) else None
    )
    if key is not None:
        tags_.insert(1, ("ID", key))
    other = work.extra.get("ris_tags")
    if isinstance(other, dict):
        tags_.extend((t, v) for t, vs in other.items() for v in vs if isinstance(v, str))
    tags_.extend(("KW", t) for t in tags or ())  # the reader's tags, only when asked
    tags_.append(("ER", ""))
    lines = []
    for t, v in tags_:
        v = " ".join(v.split())
        lines.append(f"{t}  - {v}" if v else f"{t}  -")  # "ER  -": no space at the end
    return "\n".join(lines)


def format_ris(
    works: list[Work], keys: list[str] | None = None, tags: list[list[str]] | None = None
) -> str:
    """The records; with `keys`, each gets its citation key as ID (read back as the key);
    with `tags` (one list per work), the reader's tags as KW (only when asked)."""
    from tui.mapping.printed import is_printed

    if any(w.csl and not is_printed(w) for w in works):
        ks = keys if keys is not None else [None] * len(works)
        ts = tags if tags is not None else [[] for _ in works]
        return "\n\n".join(
            record_lines(w, k, t)
            if w.csl and not is_printed(w)
            else format_ris([w], None if k is None else [k], [t])
            for w, k, t in zip(works, ks, ts, strict=True)
        )
    records = [to_ris(w) for w in works]
    if tags is not None:
        for r, t in zip(records, tags, strict=True):
            if t:
                r["keywords"] = list(t)
    if keys is not None:
        records = [
            {"type_of_reference": r.pop("type_of_reference"), "id": key, **r}
            for r, key in zip(records, keys, strict=True)
        ]
    return _Writer().formats(records).strip("\n")
