"""One HTTP client for every service: settings, cache, rate limits, retries, errors.

httpx does the HTTP (timeouts, HTTP/2 when the `h2` package is installed, proxies
from the environment); this module adds what readinglist promises on top:

* every answer (200, and 404 "no such record") is cached on disk with its date
  (tui.online.cache), so a second run asks nothing;
* each service is asked no faster than its limit (NCBI 3/s, 10/s with
  NCBI_API_KEY; Crossref's polite pool; arXiv one every 3 s);
* 429 with a short Retry-After and 5xx answers are retried with backoff, a few
  times; then, like a timeout, a cut-off body or an answer that is not what the
  service sends, it becomes one OnlineError line naming the service.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from tui import __version__
from tui.errors import ReadingListError
from tui.online.cache import AnswerCache, Cached, default_cache_dir

# The services, their official base URLs and polite request rates (requests/second).
BASE_URLS = {
    "eutils": "https://eutils.ncbi.nlm.nih.gov/entrez/eutils",
    "idconv": "https://www.ncbi.nlm.nih.gov/pmc/utils/idconv/v1.0",
    "crossref": "https://api.crossref.org",
    "arxiv": "https://export.arxiv.org/api",
    "openlibrary": "https://openlibrary.org",
    "unpaywall": "https://api.unpaywall.org/v2",
}
RATES = {
    "eutils": 3.0,  # 10 with NCBI_API_KEY (see Settings.rate)
    "idconv": 3.0,
    "crossref": 5.0,  # what api.crossref.org announces in X-Rate-Limit-Limit
    "arxiv": 1 / 3,  # arXiv's API terms: one request every three seconds
    "openlibrary": 1.0,
    "unpaywall": 10.0,
}
NAMES = {
    "eutils": "PubMed",
    "idconv": "NCBI ID converter",
    "crossref": "Crossref",
    "arxiv": "arXiv",
    "openlibrary": "Open Library",
    "unpaywall": "Unpaywall",
}
MAX_WAIT = 30.0  # seconds: a longer Retry-After is reported, not waited for
RETRIES = 2


class OnlineError(ReadingListError):
    """A service could not be asked or gave an answer we cannot use (one line)."""

    exit_code = 1


class Offline(OnlineError):
    """No network (or the host cannot be reached)."""


@dataclass
class Settings:
    """What the online part needs to know; from the library's `online` pref and env.

    The `online` pref is a dict: ``{"email": "...", "urls": {"crossref": "http://..."},
    "rates": {...}, "timeout": 10}``.  `NCBI_API_KEY` and `READINGLIST_EMAIL` come from
    the environment.
    """

    email: str = ""
    ncbi_api_key: str = ""
    urls: dict[str, str] = field(default_factory=lambda: dict(BASE_URLS))
    rates: dict[str, float] = field(default_factory=dict)
    timeout: float = 10.0
    cache_dir: Path | None = None

    @classmethod
    def load(cls, pref: Any = None, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        pref = pref if isinstance(pref, dict) else {}
        urls = dict(BASE_URLS)
        given = pref.get("urls")
        if isinstance(given, dict):
            urls.update({k: str(v).rstrip("/") for k, v in given.items() if k in BASE_URLS})
        rates = pref.get("rates") if isinstance(pref.get("rates"), dict) else {}
        timeout = pref.get("timeout", 10.0)
        return cls(
            email=str(pref.get("email") or env.get("READINGLIST_EMAIL", "")).strip(),
            ncbi_api_key=env.get("NCBI_API_KEY", "").strip(),
            urls=urls,
            rates={k: float(v) for k, v in rates.items() if isinstance(v, int | float) and v > 0},
            timeout=float(timeout) if isinstance(timeout, int | float) and timeout > 0 else 10.0,
            cache_dir=default_cache_dir(),
        )

    def rate(self, service: str) -> float:
        if service in self.rates:
            return self.rates[service]
        if service in ("eutils", "idconv") and self.ncbi_api_key:
            return 10.0
        return RATES[service]

    @property
    def user_agent(self) -> str:
        contact = f"; mailto:{self.email}" if self.email else ""
        return f"readinglist/{__version__} (https://pypi.org/project/readinglist/{contact})"


class RateLimiter:
    """At most `rate` requests a second to one service (a minimum gap between starts)."""

    def __init__(self, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self.clock, self.sleep = clock, sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, service: str, rate: float) -> None:
        with self._lock:
            now = self.clock()
            start = max(now, self._next.get(service, now))
            self._next[service] = start + 1.0 / rate
        if start > now:
            self.sleep(start - now)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes
    date: str
    url: str
    cached: bool

    def json(self, service: str) -> Any:
        import orjson

        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            what = "cut off" if self.body.lstrip()[:1] in (b"{", b"[") else "not JSON"
            raise OnlineError(
                f"{NAMES[service]}: the answer from {_host(self.url)} is {what}; nothing was changed"
            ) from None

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


class Client:
    """Asks the services; one per command (or app worker).  Use as a context manager."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        offline_ok: bool = True,
    ) -> None:
        self.settings = settings
        self.cache = AnswerCache(settings.cache_dir)
        self.sleep = sleep
        self.limiter = RateLimiter(clock, sleep)
        self.asked = 0  # requests sent (not answered from the cache)
        self.from_cache = 0
        try:
            import h2  # noqa: F401

            http2 = True
        except ImportError:
            http2 = False
        self._http = httpx.Client(
            timeout=httpx.Timeout(settings.timeout, connect=min(5.0, settings.timeout)),
            headers={"User-Agent": settings.user_agent},
            follow_redirects=True,
            http2=http2,
            transport=transport,
            trust_env=True,  # HTTP(S)_PROXY, NO_PROXY, SSL_CERT_FILE from the environment
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def url(self, service: str, path: str = "") -> str:
        return self.settings.urls[service].rstrip("/") + path

    def get(self, service: str, path: str, params: dict | None = None) -> Answer:
        """GET base+path; 200 and 404 come back (and are cached), the rest raises."""
        url = self.url(service, path)
        params = dict(params or {})
        if service == "eutils":
            params.setdefault("tool", "readinglist")
            if self.settings.email:
                params.setdefault("email", self.settings.email)
        if service == "crossref" and self.settings.email:
            params.setdefault("mailto", self.settings.email)  # the polite pool
        if service == "unpaywall":
            params.setdefault("email", self.settings.email)
        cached: Cached | None = self.cache.get(url, params)
        if cached is not None:
            self.from_cache += 1
            return Answer(cached.status, cached.body, cached.date, cached.url, True)
        ask = dict(params)
        if service in ("eutils", "idconv") and self.settings.ncbi_api_key:
            ask["api_key"] = self.settings.ncbi_api_key  # never cached, never shown
        name = NAMES[service]
        for attempt in range(RETRIES + 1):
            self.limiter.wait(service, self.settings.rate(service))
            try:
                self.asked += 1
                r = self._http.get(url, params=ask)
                body = r.content
            except httpx.TimeoutException:
                if attempt < RETRIES:
                    continue
                raise OnlineError(
                    f"{name}: no answer from {_host(url)} within {self.settings.timeout:g} s; "
                    f"nothing was changed"
                ) from None
            except (httpx.ConnectError, httpx.UnsupportedProtocol) as exc:
                raise Offline(
                    f"cannot reach {_host(url)} ({name}): no network? ({_why(exc)}); "
                    f"nothing was changed"
                ) from None
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.DecodingError):
                if attempt < RETRIES:
                    continue
                raise OnlineError(
                    f"{name}: the answer from {_host(url)} was cut off; nothing was changed"
                ) from None
            except httpx.HTTPError as exc:
                raise OnlineError(f"{name}: {_why(exc)}; nothing was changed") from None
            if r.status_code in (200, 404):
                entry = self.cache.put(url, params, r.status_code, body)
                return Answer(r.status_code, body, entry.date, entry.url, False)
            if r.status_code in (429, 503):
                wait = _retry_after(r.headers.get("Retry-After"))
                if wait is not None and wait <= MAX_WAIT and attempt < RETRIES:
                    self.sleep(wait)
                    continue
                later = f"; it asks to wait {wait:g} s" if wait is not None else ""
                raise OnlineError(
                    f"{name}: too many requests (HTTP {r.status_code}){later}; "
                    f"nothing was changed, try again later"
                )
            if r.status_code >= 500 and attempt < RETRIES:
                self.sleep(0.5 * 2**attempt)
                continue
            raise OnlineError(
                f"{name}: {_host(url)} answered HTTP {r.status_code}; nothing was changed"
            )
        raise AssertionError("unreachable")  # pragma: no cover


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


def _why(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
