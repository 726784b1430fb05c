"""Open Library: a book by its ISBN.

https://openlibrary.org/dev/docs/api/books: ``/api/books?bibkeys=ISBN:<isbn>&format=json
&jscmd=data`` answers ``{"ISBN:<isbn>": {"title", "authors": [{"name"}], "publishers":
[{"name"}], "publish_date", "publish_places", "number_of_pages", "url", ...}}``, or ``{}``
when Open Library has no such book.
"""

from __future__ import annotations

import re

from tui.online.http import Client, OnlineError

SERVICE = "openlibrary"


def book(client: Client, isbn: str) -> tuple[dict | None, str, str]:
    key = f"ISBN:{isbn}"
    answer = client.get(SERVICE, "/api/books", {"bibkeys": key, "format": "json", "jscmd": "data"})
    data = answer.json(SERVICE)
    if not isinstance(data, dict):
        raise OnlineError("Open Library: the answer has an unexpected shape; nothing was changed")
    rec = data.get(key)
    if not isinstance(rec, dict):
        return None, answer.url, answer.date
    if not isinstance(rec.get("title"), str):
        raise OnlineError(
            "Open Library: the answer has an unexpected shape (a book without a title); "
            "nothing was changed"
        )
    out: dict = {"title": rec["title"], "isbn": isbn}
    if isinstance(rec.get("subtitle"), str):
        out["title"] += ": " + rec["subtitle"]
    out["authors"] = [
        a["name"] for a in rec.get("authors", []) if isinstance(a, dict) and a.get("name")
    ]
    pubs = [p["name"] for p in rec.get("publishers", []) if isinstance(p, dict) and p.get("name")]
    if pubs:
        out["publisher"] = pubs[0]
    places = [p["name"] for p in rec.get("publish_places", []) if isinstance(p, dict)]
    if places:
        out["place"] = places[0]
    year = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", str(rec.get("publish_date", "")))
    if year:
        out["year"] = int(year[1])
    if isinstance(rec.get("url"), str):
        out["url"] = rec["url"]
    return out, answer.url, answer.date


def normalise_isbn(text: str) -> str | None:
    """Digits of a valid ISBN-10 or ISBN-13 (hyphens and spaces dropped), else None."""
    s = re.sub(r"[\s\-]", "", text).upper()
    if re.fullmatch(r"\d{13}", s):
        total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(s))
        return s if total % 10 == 0 else None
    if re.fullmatch(r"\d{9}[\dX]", s):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(s))
        return s if total % 11 == 0 else None
    return None
