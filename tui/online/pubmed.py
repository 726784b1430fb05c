"""PubMed through NCBI E-utilities: ecitmatch (citation -> PMID), esearch, efetch.

https://www.ncbi.nlm.nih.gov/books/NBK25499/.  ecitmatch takes
``journal|year|volume|first page|author|key|`` lines and answers the same line with
the PMID appended (or ``NOT_FOUND``/``AMBIGUOUS``); efetch with ``retmode=xml``
answers a PubmedArticleSet.  XML is read with the standard library's ElementTree
(efetch answers are NCBI's own, and the DTD is never fetched).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from tui.model import Work, parse_author
from tui.online.http import Client, OnlineError
from tui.online.match import Candidate, norm_name

SERVICE = "eutils"


def _changed(what: str) -> OnlineError:
    return OnlineError(
        f"PubMed: the answer has an unexpected shape ({what}); the service may have "
        f"changed; nothing was changed"
    )


def citation_line(work: Work, key: str) -> str | None:
    """The ecitmatch line of a journal article, or None when it lacks what it needs."""
    first_page = re.split(r"[-–]", work.pages or "", maxsplit=1)[0].strip()
    if not (work.journal and work.year and work.volume and first_page and work.authors):
        return None
    a = parse_author(work.authors[0])
    author = f"{a.family} {a.initials}".strip() if a.family else a.literal
    fields = (work.journal, str(work.year), work.volume, first_page, author, key)
    return "|".join(f.replace("|", " ").lower() for f in fields) + "|"


def ecitmatch(client: Client, work: Work, key: str = "ref") -> str | None:
    """The PMID ecitmatch gives for a printed reference, or None."""
    line = citation_line(work, key)
    if line is None:
        return None
    answer = client.get(
        SERVICE, "/ecitmatch.cgi", {"db": "pubmed", "retmode": "xml", "bdata": line}
    )
    if answer.status == 404:
        return None
    text = answer.text().strip()
    if not text:
        return None
    if "|" not in text:
        raise _changed("not a citation line")
    found = text.splitlines()[0].rsplit("|", 1)[-1].strip()
    return found if found.isdigit() else None


def esearch(client: Client, term: str) -> list[str]:
    answer = client.get(SERVICE, "/esearch.fcgi", {"db": "pubmed", "term": term, "retmode": "xml"})
    root = _xml(answer.body)
    if root.tag != "eSearchResult":
        raise _changed(f"<{root.tag}> instead of <eSearchResult>")
    return [e.text.strip() for e in root.iterfind("IdList/Id") if e.text]


def efetch(client: Client, pmids: list[str]) -> tuple[dict[str, dict], str, str]:
    """PMID -> the fields of its PubMed record (see `article`), with URL and date."""
    answer = client.get(
        SERVICE, "/efetch.fcgi", {"db": "pubmed", "id": ",".join(pmids), "retmode": "xml"}
    )
    if answer.status == 404:
        return {}, answer.url, answer.date
    root = _xml(answer.body)
    if root.tag != "PubmedArticleSet":
        raise _changed(f"<{root.tag}> instead of <PubmedArticleSet>")
    out = {}
    for art in root.iterfind("PubmedArticle"):
        rec = article(art)
        if rec.get("pmid"):
            out[rec["pmid"]] = rec
    return out, answer.url, answer.date


def _xml(body: bytes) -> ET.Element:
    try:
        return ET.fromstring(body)
    except ET.ParseError:
        what = "cut off" if body.lstrip()[:1] == b"<" else "not XML"
        raise OnlineError(f"PubMed: the answer is {what}; nothing was changed") from None


def _text(el: ET.Element | None) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def article(art: ET.Element) -> dict:
    cit = art.find("MedlineCitation")
    if cit is None:
        raise _changed("a PubmedArticle without MedlineCitation")
    a = cit.find("Article")
    rec: dict = {"pmid": _text(cit.find("PMID"))}
    if a is None:
        return rec
    rec["title"] = _text(a.find("ArticleTitle")).rstrip(".")
    parts = []
    for t in a.iterfind("Abstract/AbstractText"):
        label = t.get("Label")
        body = _text(t)
        parts.append(f"{label}: {body}" if label and body else body)
    if any(parts):
        rec["abstract"] = "\n".join(p for p in parts if p)
    names = []
    for au in a.iterfind("AuthorList/Author"):
        last, initials = _text(au.find("LastName")), _text(au.find("Initials"))
        names.append(f"{last} {initials}".strip() or _text(au.find("CollectiveName")))
    if names:
        rec["authors"] = names
    years = []
    for path in ("Journal/JournalIssue/PubDate/Year", "ArticleDate/Year"):
        y = _text(a.find(path))
        if y.isdigit():
            years.append(int(y))
    medline = _text(a.find("Journal/JournalIssue/PubDate/MedlineDate"))[:4]
    if medline.isdigit():
        years.append(int(medline))
    rec["years"] = years
    rec["journal"] = _text(a.find("Journal/ISOAbbreviation")) or _text(a.find("Journal/Title"))
    rec["volume"] = _text(a.find("Journal/JournalIssue/Volume"))
    rec["issue"] = _text(a.find("Journal/JournalIssue/Issue"))
    rec["pages"] = _text(a.find("Pagination/MedlinePgn"))
    issn = [_text(i) for i in a.iterfind("Journal/ISSN")]
    if any(issn):
        rec["issn"] = [i for i in issn if i]
    types = [_text(t) for t in a.iterfind("PublicationTypeList/PublicationType")]
    if types:
        rec["publication_types"] = types
    mesh = [_text(m.find("DescriptorName")) for m in cit.iterfind("MeshHeadingList/MeshHeading")]
    if mesh:
        rec["mesh"] = [m for m in mesh if m]
    for aid in art.iterfind("PubmedData/ArticleIdList/ArticleId"):
        kind = aid.get("IdType")
        if kind in ("doi", "pmc") and aid.text:
            rec["pmcid" if kind == "pmc" else "doi"] = aid.text.strip()
    return rec


def candidate(rec: dict, url: str, date: str) -> Candidate:
    first = rec.get("authors", [""])[0] if rec.get("authors") else ""
    family = first.rsplit(" ", 1)[0] if " " in first else first
    return Candidate(
        service="pubmed",
        ident="pmid",
        value=rec["pmid"],
        title=rec.get("title", ""),
        years=tuple(rec.get("years", ())),
        families=(norm_name(family),) if family else (),
        url=url,
        date=date,
        extra={k: rec[k] for k in ("doi", "pmcid") if rec.get(k)},
    )
