"""NCBI's PMC ID converter: DOI or PMID -> PMCID (the free full text in PMC).

https://pmc.ncbi.nlm.nih.gov/tools/id-converter-api/: ``?ids=<id>&format=json``
answers ``{"status": "ok", "records": [{"pmcid", "pmid", "doi", ...}]}``; a record
for an article that is not in PMC carries ``"status": "error"`` instead.
"""

from __future__ import annotations

from tui.online.http import Client, OnlineError

SERVICE = "idconv"


def convert(client: Client, ident: str) -> tuple[dict, str, str]:
    answer = client.get(SERVICE, "/", {"ids": ident, "format": "json"})
    if answer.status == 404:
        return {}, answer.url, answer.date
    data = answer.json(SERVICE)
    records = data.get("records") if isinstance(data, dict) else None
    if not isinstance(records, list):
        raise OnlineError(
            "NCBI ID converter: the answer has an unexpected shape (no records); "
            "the service may have changed; nothing was changed"
        )
    rec = next((r for r in records if isinstance(r, dict) and r.get("pmcid")), {})
    return {k: str(rec[k]) for k in ("pmcid", "pmid", "doi") if rec.get(k)}, answer.url, answer.date
