"""The arXiv API: one e-print by its identifier (Atom XML).

https://info.arxiv.org/help/api/user-manual.html: ``/query?id_list=2401.01234``
answers an Atom feed with one <entry> (title, summary = the abstract, authors,
published date, arxiv:doi and arxiv:journal_ref when the paper was published).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from tui.online.http import Client, OnlineError

SERVICE = "arxiv"
_NS = {"a": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$", re.I)


def entry(client: Client, arxiv_id: str) -> tuple[dict | None, str, str]:
    answer = client.get(SERVICE, "/query", {"id_list": arxiv_id, "max_results": 1})
    try:
        root = ET.fromstring(answer.body)
    except ET.ParseError:
        raise OnlineError("arXiv: the answer is cut off or not XML; nothing was changed") from None
    if root.tag != "{http://www.w3.org/2005/Atom}feed":
        raise OnlineError(
            "arXiv: the answer has an unexpected shape (no Atom feed); nothing was changed"
        )
    e = root.find("a:entry", _NS)
    if e is None or e.find("a:title", _NS) is None or (_t(e, "a:title") == "Error"):
        return None, answer.url, answer.date

    rec: dict = {
        "title": _t(e, "a:title"),
        "abstract": _t(e, "a:summary"),
        "authors": [_t(a, "a:name") for a in e.iterfind("a:author", _NS)],
        "arxiv": arxiv_id,
        "url": f"https://arxiv.org/abs/{arxiv_id}",
    }
    published = _t(e, "a:published")
    if published[:4].isdigit():
        rec["year"] = int(published[:4])
    for key, path in (("doi", "arxiv:doi"), ("journal_ref", "arxiv:journal_ref")):
        if _t(e, path):
            rec[key] = _t(e, path)
    for link in e.iterfind("a:link", _NS):
        if link.get("title") == "pdf" and link.get("href"):
            rec["pdf"] = link.get("href")
    return rec, answer.url, answer.date


def _t(el: ET.Element, path: str) -> str:
    found = el.find(path, _NS)
    return " ".join("".join(found.itertext()).split()) if found is not None else ""
