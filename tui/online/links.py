"""Where a work can be read, from what it holds (printed and fetched): no network and no
httpx, so the app's detail pane and `o` use it without loading the online clients."""

from __future__ import annotations

from urllib.parse import quote

from tui.model import Work
from tui.text import inert


def _clean(text: str) -> str:
    return inert(text or "", keep_newlines=False).strip()


def doi_url(doi: str) -> str:
    return "https://doi.org/" + quote(_clean(doi), safe="/:;()._-")


def pubmed_url(pmid: str) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{quote(_clean(pmid))}/"


def web_url(url: str) -> str:
    """The URL if it is http(s) and free of control characters, else "" (never file:,
    javascript:…): data, printed or fetched, never picks what is opened."""
    url = _clean(url)
    return url if url.lower().startswith(("https://", "http://")) and " " not in url else ""


def full_text_url(w: Work) -> str:
    """Where `o` sends the reader: the free full text when known, else the DOI page,
    else the PubMed record, else the work's own web URL ("" when none)."""
    oa = w.fetched_value("oa_url")
    free = web_url(oa) if isinstance(oa, str) else ""
    if free:
        return free
    if w.any_doi:
        return doi_url(w.any_doi)
    if w.any_pmid:
        return pubmed_url(w.any_pmid)
    return web_url(w.url)


def fetched_source(w: Work, name: str) -> str:
    """'PubMed, 2026-12-06' for a fetched field ("" when the field is printed or absent)."""
    entry = w.fetched.get(name) if isinstance(w.fetched, dict) else None
    if not isinstance(entry, dict) or entry.get("value") in (None, "", []):
        return ""
    source = SERVICE_NAMES.get(str(entry.get("source", "")), str(entry.get("source", "")))
    date = str(entry.get("date", ""))[:10]
    return ", ".join(x for x in (source, date) if x)


SERVICE_NAMES = {
    "pubmed": "PubMed",
    "crossref": "Crossref",
    "arxiv": "arXiv",
    "openlibrary": "Open Library",
    "idconv": "NCBI ID converter",
    "unpaywall": "Unpaywall",
}
