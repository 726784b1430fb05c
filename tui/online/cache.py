"""The on-disk cache of every answer the online services gave.

One small JSON file per request (named by the SHA-256 of the method, URL and query),
holding the date it was asked, the status and the body.  It is derived and disposable
(DESIGN.md: "derived caches are disposable"): deleting the folder loses nothing but a
second round of questions, and a damaged or unreadable file is treated as missing.
Writes are atomic (tui.fsutil) so a Ctrl-C never leaves half a file that a later run
would have to recognise as damage.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import orjson

CACHE_FORMAT = 1


def default_cache_dir() -> Path:
    """`READINGLIST_CACHE` if set, else readinglist/online in the user's cache folder."""
    env = os.environ.get("READINGLIST_CACHE")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("readinglist", appauthor=False)) / "online"


@dataclass(frozen=True, slots=True)
class Cached:
    status: int
    body: bytes
    date: str  # ISO time the service answered
    url: str


class AnswerCache:
    def __init__(self, folder: Path | None) -> None:
        self.folder = folder  # None: no cache (nothing read, nothing written)

    @staticmethod
    def key(url: str, params: dict | None) -> str:
        items = sorted((str(k), str(v)) for k, v in (params or {}).items())
        raw = orjson.dumps([url, items])
        return hashlib.sha256(raw).hexdigest()

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.json"

    def get(self, url: str, params: dict | None) -> Cached | None:
        if self.folder is None:
            return None
        try:
            doc = orjson.loads(self._path(self.key(url, params)).read_bytes())
            if doc.get("format") != CACHE_FORMAT:
                return None
            return Cached(int(doc["status"]), doc["body"].encode("utf-8"), doc["date"], doc["url"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # missing or damaged: ask again

    def put(self, url: str, params: dict | None, status: int, body: bytes) -> Cached:
        date = datetime.now(timezone.utc).isoformat(timespec="seconds")
        shown = url
        if params:
            from urllib.parse import urlencode

            shown = f"{url}?{urlencode(sorted(params.items()))}"
        entry = Cached(status, body, date, shown)
        if self.folder is None:
            return entry
        doc = {
            "format": CACHE_FORMAT,
            "date": date,
            "url": shown,
            "status": status,
            "body": body.decode("utf-8", "replace"),
        }
        path = self._path(self.key(url, params))
        # a cache that cannot be written (read-only, full disk) only costs a question later
        from tui.errors import ReadingListError
        from tui.fsutil import atomic_write_bytes

        with contextlib.suppress(OSError, ReadingListError):
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(path, orjson.dumps(doc))
        return entry
