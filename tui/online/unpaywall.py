"""Unpaywall: where a DOI can be read for free (asked only when settings give an email).

https://unpaywall.org/products/api: ``/v2/<doi>?email=<you>`` answers ``{"doi",
"is_oa", "best_oa_location": {"url", "url_for_pdf", "url_for_landing_page",
"license", "version", "host_type"} | null, ...}``; 404 for a DOI it does not know.
"""

from __future__ import annotations

from urllib.parse import quote

from tui.online.http import Client, OnlineError

SERVICE = "unpaywall"


def best_location(client: Client, doi: str) -> tuple[dict | None, str, str]:
    answer = client.get(SERVICE, "/" + quote(doi, safe="/:;()<>[]@!$&'*+,="))
    if answer.status == 404:
        return None, answer.url, answer.date
    data = answer.json(SERVICE)
    if not isinstance(data, dict) or "is_oa" not in data:
        raise OnlineError(
            "Unpaywall: the answer has an unexpected shape (no is_oa); nothing was changed"
        )
    loc = data.get("best_oa_location")
    if not data.get("is_oa") or not isinstance(loc, dict):
        return None, answer.url, answer.date
    url = loc.get("url_for_pdf") or loc.get("url") or loc.get("url_for_landing_page")
    if not isinstance(url, str) or not url:
        return None, answer.url, answer.date
    out = {"url": url}
    for key in ("license", "version", "host_type"):
        if isinstance(loc.get(key), str):
            out[key] = loc[key]
    return out, answer.url, answer.date
