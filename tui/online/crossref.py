"""Crossref REST API: bibliographic query (finds DOIs, with a score) and works by DOI.

https://api.crossref.org/swagger-ui/index.html: ``/works?query.bibliographic=<the
printed reference>&rows=5`` answers ``{"status": "ok", "message-type": "work-list",
"message": {"items": [...]}}``; ``/works/<DOI>`` answers ``{"message-type": "work",
"message": {...}}`` or 404 "Resource not found.".  The ``mailto`` (settings) puts us
in the polite pool.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from tui.online.http import Client, OnlineError
from tui.online.match import Candidate, norm_name

SERVICE = "crossref"


def _changed(what: str) -> OnlineError:
    return OnlineError(
        f"Crossref: the answer has an unexpected shape ({what}); the service may have "
        f"changed; nothing was changed"
    )


def query(client: Client, printed: str, rows: int = 5) -> list[Candidate]:
    answer = client.get(SERVICE, "/works", {"query.bibliographic": printed, "rows": rows})
    if answer.status == 404:
        return []
    data = answer.json(SERVICE)
    items = data.get("message", {}).get("items") if isinstance(data, dict) else None
    if not isinstance(items, list) or not isinstance(data.get("message"), dict):
        raise _changed("no message.items")
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("DOI"), str):
            raise _changed("an item without a DOI")
        c = candidate(item)
        c.url, c.date = answer.url, answer.date
        out.append(c)
    return out


def candidate(item: dict) -> Candidate:
    titles = item.get("title") or [""]
    title = titles[0] if isinstance(titles, list) and titles else str(titles)
    score = item.get("score")
    return Candidate(
        service=SERVICE,
        ident="doi",
        value=item["DOI"],
        title=title if isinstance(title, str) else "",
        years=_years(item),
        families=_families(item),
        score=float(score) if isinstance(score, int | float) else None,
    )


def work(client: Client, doi: str) -> tuple[dict | None, str, str]:
    """The Crossref record of a DOI (None when Crossref has none), with URL and date."""
    answer = client.get(SERVICE, "/works/" + quote(doi, safe="/:;()<>[]@!$&'*+,="))
    if answer.status == 404:
        return None, answer.url, answer.date
    data = answer.json(SERVICE)
    msg = data.get("message") if isinstance(data, dict) else None
    if not isinstance(msg, dict) or not isinstance(msg.get("DOI"), str):
        raise _changed("no message.DOI")
    return msg, answer.url, answer.date


def fields(msg: dict) -> dict:
    """What we keep of a Crossref record: abstract, authors, ISSN, licence, and the
    bibliographic fields `add` needs."""
    out: dict = {}
    abstract = msg.get("abstract")
    if isinstance(abstract, str) and abstract.strip():
        out["abstract"] = jats_text(abstract)
    names = []
    for a in msg.get("author") or []:
        if isinstance(a, dict):
            name = " ".join(x for x in (a.get("family", ""), a.get("given", "")) if x)
            names.append(name or a.get("name", ""))
    if names:
        out["authors"] = names
    issn = [i for i in msg.get("ISSN") or [] if isinstance(i, str)]
    if issn:
        out["issn"] = issn
    lic = [x.get("URL") for x in msg.get("license") or [] if isinstance(x, dict)]
    if any(lic):
        out["license"] = next(u for u in lic if u)
    title = (msg.get("title") or [""])[0] if isinstance(msg.get("title"), list) else ""
    if title:
        out["title"] = jats_text(title)
    container = msg.get("container-title")
    if isinstance(container, list) and container:
        out["journal"] = container[0]
    years = _years(msg)
    if years:
        out["year"] = years[0]
    for src, dst in (("volume", "volume"), ("issue", "issue"), ("page", "pages")):
        if isinstance(msg.get(src), str):
            out[dst] = msg[src]
    out["doi"] = msg["DOI"]
    if isinstance(msg.get("type"), str):
        out["type"] = msg["type"]
    return out


_JATS = re.compile(r"<[^>]+>")


def jats_text(text: str) -> str:
    """Crossref abstracts are JATS XML fragments: plain text, paragraphs kept."""
    import html

    text = re.sub(r"</jats:p>\s*", "\n", text)
    text = re.sub(r"<jats:title>.*?</jats:title>\s*", "", text, flags=re.S)
    text = html.unescape(_JATS.sub("", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _years(item: dict) -> tuple[int, ...]:
    years = []
    for key in ("published-print", "published-online", "issued", "published", "created"):
        parts = item.get(key, {}).get("date-parts") if isinstance(item.get(key), dict) else None
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            y = parts[0][0]
            if isinstance(y, int) and y not in years:
                years.append(y)
        if key == "published" and years:
            break  # "created" is the deposit date: only when nothing else is given
    return tuple(years)


def _families(item: dict) -> tuple[str, ...]:
    authors = item.get("author")
    if not isinstance(authors, list) or not authors:
        return ()
    first = next(
        (a for a in authors if isinstance(a, dict) and a.get("sequence") == "first"), authors[0]
    )
    if not isinstance(first, dict):
        return ()
    return tuple(
        norm_name(x) for x in (first.get("family"), first.get("name")) if isinstance(x, str) and x
    )
