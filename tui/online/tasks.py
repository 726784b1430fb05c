"""What `resolve`, `fetch` and `add` do, for the CLI and the app alike (no I/O but the
client's; nothing is written here: each task returns the changes, and the caller
stores them in one write, so an error or Ctrl-C half-way changes nothing)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from tui.errors import ReadingListError
from tui.model import Work
from tui.online import arxiv, crossref, idconv, openlibrary, pubmed, unpaywall
from tui.online.http import Client
from tui.online.links import full_text_url as full_text_url  # (its home: no httpx)
from tui.online.match import Outcome, Verdict, decide

Progress = Callable[[int, int, Work], None]
FETCH_FIELDS = ("abstract", "mesh", "authors", "pmcid", "types", "issn", "license", "oa")


def _entry(value, source: str, url: str, date: str, **more) -> dict:
    return {"value": value, "source": source, "url": url, "date": date, **more}


# ---------------------------------------------------------------------------- resolve


def resolve(client: Client, works: list[Work], progress: Progress | None = None) -> list[Outcome]:
    """Look up the DOI (Crossref) and PMID (PubMed) of every work that lacks one."""
    out = []
    for i, w in enumerate(works):
        if progress:
            progress(i, len(works), w)
        out.append(resolve_one(client, w))
    if progress and works:
        progress(len(works), len(works), works[-1])
    return out


def needs_resolving(w: Work) -> bool:
    return bool(w.title or w.raw) and not (w.any_doi and w.any_pmid)


def resolve_one(client: Client, w: Work) -> Outcome:
    outcome = Outcome(w)
    if not needs_resolving(w):
        return outcome
    if not w.any_doi:
        acc, uns = decide(w, crossref.query(client, w.raw or _describe(w)))
        outcome.accepted += acc
        outcome.unsure += uns
    if not w.any_pmid:
        pmid = pubmed.ecitmatch(client, w, key=w.local_id)
        if pmid:
            recs, url, date = pubmed.efetch(client, [pmid])
            if pmid in recs:
                acc, uns = decide(w, [pubmed.candidate(recs[pmid], url, date)])
                outcome.accepted += acc
                outcome.unsure += uns
    return outcome


def _describe(w: Work) -> str:
    parts = [", ".join(w.authors[:3]), w.title, w.journal, str(w.year or ""), w.volume, w.pages]
    return ". ".join(p for p in parts if p)


def identifiers(v: Verdict, *, confirmed: bool = False) -> dict[str, dict]:
    """The fetched entries a verdict writes: its DOI or PMID, with the evidence."""
    c = v.candidate
    evidence = v.evidence()
    if confirmed:
        evidence["confirmed"] = True  # the reader confirmed an unsure match
    fields = {c.ident: _entry(c.value, c.service, c.url, c.date, evidence=evidence)}
    for name, value in c.extra.items():  # PubMed's record names the DOI and PMCID too
        fields.setdefault(name, _entry(value, c.service, c.url, c.date, evidence=evidence))
    return fields


def resolution_changes(outcomes: list[Outcome], confirm: set[str] = frozenset()) -> dict:
    """{work id: fetched entries} for accepted matches (and confirmed unsure ones)."""
    changes: dict[str, dict] = {}
    for o in outcomes:
        fields: dict = {}
        for v in o.accepted:
            for name, entry in identifiers(v).items():
                if name in ("doi", "pmid") and getattr(o.work, "any_" + name):
                    continue  # never over an identifier the work already has
                if name == "pmcid" and o.work.fetched_value("pmcid"):
                    continue
                fields.setdefault(name, entry)
        if not o.accepted and o.unsure and o.work.id in confirm:
            fields.update(identifiers(o.unsure[0], confirmed=True))
        if fields:
            changes[o.work.id] = fields
    return changes


# ---------------------------------------------------------------------------- fetch


def fetch(
    client: Client,
    works: list[Work],
    wanted: tuple[str, ...] = FETCH_FIELDS,
    progress: Progress | None = None,
) -> dict[str, dict]:
    """{work id: fetched entries} of what PubMed, Crossref, the ID converter and
    Unpaywall give for works with a DOI or PMID."""
    changes: dict[str, dict] = {}
    for i, w in enumerate(works):
        if progress:
            progress(i, len(works), w)
        fields = fetch_one(client, w, wanted)
        if fields:
            changes[w.id] = fields
    if progress and works:
        progress(len(works), len(works), works[-1])
    return changes


_PUBMED_FIELDS = {
    "abstract": "abstract",
    "mesh": "mesh",
    "authors": "authors",
    "pmcid": "pmcid",
    "types": "publication_types",
    "issn": "issn",
}


def fetch_one(client: Client, w: Work, wanted: tuple[str, ...]) -> dict:
    fields: dict = {}
    pmid, doi = w.any_pmid, w.any_doi
    if pmid:
        recs, url, date = pubmed.efetch(client, [pmid])
        rec = recs.get(pmid)
        if rec:
            for name, key in _PUBMED_FIELDS.items():
                if name in wanted and rec.get(key):
                    fields[name] = _entry(rec[key], "pubmed", url, date)
            if not doi and rec.get("doi"):
                doi = rec["doi"]
                fields["doi"] = _entry(doi, "pubmed", url, date)
    if doi and any(f in wanted for f in ("abstract", "authors", "issn", "license")):
        msg, url, date = crossref.work(client, doi)
        if msg is not None:
            got = crossref.fields(msg)
            for name in ("abstract", "authors", "issn", "license"):
                if name in wanted and got.get(name) and name not in fields:
                    fields[name] = _entry(got[name], "crossref", url, date)
    if ("oa" in wanted or "pmcid" in wanted) and "pmcid" not in fields and (pmid or doi):
        if not w.fetched_value("pmcid"):
            rec, url, date = idconv.convert(client, pmid or doi)
            if rec.get("pmcid"):
                fields["pmcid"] = _entry(rec["pmcid"], "idconv", url, date)
    if "oa" in wanted and doi and client.settings.email:
        loc, url, date = unpaywall.best_location(client, doi)
        if loc:
            fields["oa_url"] = _entry(
                loc["url"], "unpaywall", url, date, license=loc.get("license", "")
            )
    pmcid = fields.get("pmcid", {}).get("value") or w.fetched_value("pmcid")
    if "oa" in wanted and pmcid and "oa_url" not in fields and not w.fetched_value("oa_url"):
        src = fields.get("pmcid") or w.fetched.get("pmcid", {})
        fields["oa_url"] = _entry(
            f"https://pmc.ncbi.nlm.nih.gov/articles/{pmcid}/",
            src.get("source", ""),
            src.get("url", ""),
            src.get("date", ""),
        )
    return fields


# ---------------------------------------------------------------------------- add


@dataclass
class Identifier:
    kind: str  # doi | pmid | arxiv | isbn
    value: str
    text: str = field(default="")


def parse_identifier(text: str) -> Identifier:
    t = text.strip()
    low = t.lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "http://dx.doi.org/", "doi:"):
        if low.startswith(prefix):
            t, low = t[len(prefix) :].strip(), low[len(prefix) :].strip()
            break
    if re.fullmatch(r"10\.\d{4,9}/\S+", t):
        return Identifier("doi", t, text)
    m = re.fullmatch(r"(?:pmid:?\s*)(\d{1,9})", low)
    if m:
        return Identifier("pmid", m[1], text)
    m = re.fullmatch(r"arxiv:\s*(\S+)", t, re.IGNORECASE)
    if m and arxiv.ARXIV_ID.match(m[1]):
        return Identifier("arxiv", m[1], text)
    m = re.fullmatch(r"isbn:?\s*([\d\-\sXx]+)", t, re.IGNORECASE)
    if m:
        isbn = openlibrary.normalise_isbn(m[1])
        if isbn is None:
            raise ReadingListError(f"'{text}' is not a valid ISBN (its check digit is wrong)")
        return Identifier("isbn", isbn, text)
    raise ReadingListError(
        f"cannot read '{text}' as an identifier (use a DOI like 10.1000/xyz, pmid:38087156, "
        f"arXiv:2401.01234 or isbn:9787302589785)"
    )


def lookup(client: Client, ident: Identifier) -> Work:
    """A new Work (not stored) from the record a service has for the identifier."""
    if ident.kind == "doi":
        msg, url, date = crossref.work(client, ident.value)
        if msg is None:
            raise ReadingListError(f"Crossref has no work with DOI {ident.value}")
        got = crossref.fields(msg)
        w = _work_from(got, "crossref", url, date)
        w.type = "J" if got.get("type") in ("journal-article", None) else _gbt_type(got["type"])
        return w
    if ident.kind == "pmid":
        recs, url, date = pubmed.efetch(client, [ident.value])
        rec = recs.get(ident.value)
        if rec is None:
            raise ReadingListError(f"PubMed has no record with PMID {ident.value}")
        got = dict(rec, year=(rec.get("years") or [None])[0])
        w = _work_from(got, "pubmed", url, date)
        w.pmid = ident.value
        return w
    if ident.kind == "arxiv":
        rec, url, date = arxiv.entry(client, ident.value)
        if rec is None:
            raise ReadingListError(f"arXiv has no e-print {ident.value}")
        w = _work_from(rec, "arxiv", url, date)
        w.type, w.medium, w.url = (
            ("J", "OL", rec["url"]) if rec.get("doi") else ("A", "OL", rec["url"])
        )
        w.journal = w.journal or "arXiv"
        w.extra["arxiv"] = ident.value
        return w
    rec, url, date = openlibrary.book(client, ident.value)
    if rec is None:
        raise ReadingListError(f"Open Library has no book with ISBN {ident.value}")
    w = _work_from(rec, "openlibrary", url, date)
    w.type = "M"
    w.extra["isbn"] = ident.value
    return w


def _gbt_type(crossref_type: str) -> str:
    return {
        "book": "M",
        "monograph": "M",
        "edited-book": "M",
        "book-chapter": "M",
        "proceedings-article": "C",
        "dissertation": "D",
        "report": "R",
        "standard": "S",
        "posted-content": "A",
        "dataset": "DB",
    }.get(crossref_type, "J")


def _work_from(rec: dict, source: str, url: str, date: str) -> Work:
    w = Work(
        kind="reference",
        authors=list(rec.get("authors") or []),
        title=rec.get("title", ""),
        journal=rec.get("journal", ""),
        year=rec.get("year") if isinstance(rec.get("year"), int) else None,
        volume=rec.get("volume", ""),
        issue=rec.get("issue", ""),
        pages=rec.get("pages", ""),
        doi=rec.get("doi", ""),
        publisher=rec.get("publisher", ""),
        place=rec.get("place", ""),
        url=rec.get("url", "") if source == "openlibrary" else "",
    )
    w.extra["added_from"] = {"service": source, "url": url, "date": date}
    for name, key in (
        ("abstract", "abstract"),
        ("mesh", "mesh"),
        ("pmcid", "pmcid"),
        ("types", "publication_types"),
        ("issn", "issn"),
        ("license", "license"),
    ):
        if rec.get(key):
            w.fetched[name] = _entry(rec[key], source, url, date)
    return w
