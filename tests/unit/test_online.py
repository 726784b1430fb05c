"""The online part (issue 15) against a local HTTP server: never the network.

The server (http.server on 127.0.0.1, started per test) answers with the responses
saved in tests/fixtures/online/ (most recorded from the real services; see its
README), or with the failures each test asks for.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.helpers import run
from tui.model import Work
from tui.online import crossref, pubmed
from tui.online.http import Client, OnlineError, RateLimiter, Settings
from tui.online.tasks import parse_identifier, resolve_one
from tui.store import Library

FIX = Path(__file__).parents[1] / "fixtures" / "online"


def fixture(name: str) -> bytes:
    return (FIX / name).read_bytes()


class Server:
    """Routes requests to `self.route(path, params) -> (status, headers, body)`."""

    def __init__(self) -> None:
        self.hits: list[tuple[str, dict]] = []
        self.release = threading.Event()
        self.route = lambda path, params: (404, {}, b"no route")
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                u = urlsplit(self.path)
                params = dict(parse_qsl(u.query))
                server.hits.append((u.path, params))
                status, headers, body = server.route(u.path, params)
                if status == "hang":
                    server.release.wait(10)
                    return
                self.send_response(status)
                length = headers.pop("Content-Length", len(body))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


def online_pref(server: Server, **more) -> dict:
    urls = {k: f"{server.url}/{k}" for k in ("eutils", "idconv", "crossref", "arxiv")}
    urls |= {k: f"{server.url}/{k}" for k in ("openlibrary", "unpaywall")}
    pref = {"urls": urls, "rates": dict.fromkeys(urls, 1000.0), "timeout": 0.5}
    pref.update(more)
    return pref


@pytest.fixture
def env(tmp_path, server, monkeypatch):
    """A library (the shipped review) whose online settings point at the server."""
    monkeypatch.setenv("READINGLIST_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    monkeypatch.delenv("READINGLIST_EMAIL", raising=False)
    db = tmp_path / "lib.json"
    with Library(db) as lib:
        lib.set_pref("online", online_pref(server))
    return db


def client_for(server: Server, tmp_path: Path, **kw) -> Client:
    s = Settings.load(online_pref(server))
    s.cache_dir = tmp_path / "cache"
    return Client(s, **kw)


def ok(body: bytes, ctype: str = "application/json") -> tuple:
    return 200, {"Content-Type": ctype}, body


# ---------------------------------------------------------------- matching, real answers


BOETTIGER = Work(
    review="t",
    n=1,
    authors=["Boettiger C", "Hastings A"],
    title="Ecological management of stochastic systems with long transients",
    year=2020,
)


def crossref_query_route(path, params):
    if path == "/crossref/works":
        return ok(fixture("crossref-works-query-ecology-boettiger.json"))
    return 404, {}, b""


def test_a_crossref_match_is_accepted_with_its_evidence(server, tmp_path):
    server.route = crossref_query_route
    with client_for(server, tmp_path) as client:
        outcome = resolve_one(client, Work(**{**BOETTIGER.to_dict(), "pmid": "1"}))
    assert outcome.status == "resolved"
    (v,) = outcome.accepted
    assert v.candidate.value == "10.1007/s12080-020-00477-4"
    assert v.evidence()["agreed"] == ["title", "year", "author"]
    assert v.evidence()["score"] == pytest.approx(33.73656)


def test_no_match_and_an_unsure_match(server, tmp_path):
    server.route = crossref_query_route
    other = Work(review="t", n=2, authors=["Teske N"], title="Recent advances", year=2024, pmid="1")
    wrong_year = Work(**{**BOETTIGER.to_dict(), "year": 2019, "pmid": "1"})
    with client_for(server, tmp_path) as client:
        assert resolve_one(client, other).status == "not found"
        unsure = resolve_one(client, wrong_year)
    assert unsure.status == "unsure"
    assert unsure.unsure[0].agreed == ["title", "author"]


def test_pubmed_citation_match_is_checked_against_the_record(server, tmp_path):
    def route(path, params):
        if path == "/eutils/ecitmatch.cgi":  # NCBI echoes the line and appends the PMID
            assert params["bdata"].startswith("cryobiology|2001|42|244|taddei ar|")
            return ok(params["bdata"].encode() + b"11748933\n", "text/plain")
        if path == "/eutils/efetch.fcgi":
            return ok(fixture("pubmed-efetch-11748933-11700088.xml"), "text/xml")
        return 404, {}, b""

    server.route = route
    w = Work(
        review="t",
        n=1,
        authors=["Taddei AR", "Barbato F"],
        title="Is cryopreservation a homogeneous process? Ultrastructure and motility of "
        "untreated, prefreezing, and postthawed spermatozoa of Diplodus puntazzo (Cetti)",
        journal="Cryobiology",
        year=2001,
        volume="42",
        pages="244-255",
        doi="10.1006/cryo.2001.2328",
    )
    with client_for(server, tmp_path) as client:
        outcome = resolve_one(client, w)
    (v,) = outcome.accepted
    assert (v.candidate.service, v.candidate.value) == ("pubmed", "11748933")
    assert v.candidate.extra["doi"] == "10.1006/cryo.2001.2328"


def test_recorded_answers_parse(server, tmp_path):
    line = fixture("pubmed-ecitmatch-2014248.txt").decode()
    assert line.rsplit("|", 1)[1].strip() == "2014248"
    server.route = lambda p, q: ok(fixture("pubmed-efetch-11748933-11700088.xml"), "text/xml")
    with client_for(server, tmp_path) as client:
        recs, _, _ = pubmed.efetch(client, ["11748933"])
    rec = recs["11748933"]
    assert rec["abstract"].startswith("This study subdivides the cryopreservation procedure")
    assert "Cryopreservation" in rec["mesh"] and rec["authors"][0] == "Taddei AR"
    assert rec["publication_types"][0] == "Journal Article"
    msg = json.loads(fixture("crossref-work-10.1371-journal.pone.0033693.json"))["message"]
    got = crossref.fields(msg)
    assert got["license"] == "http://creativecommons.org/licenses/by/4.0/"
    assert got["authors"][0] == "Sadasivan Shankar" and got["issn"] == ["1932-6203"]


# ---------------------------------------------------------------- the shipped review


def shipped_route(path, params):
    if path == "/crossref/works":
        answers = json.loads(fixture("built/shipped-crossref.json"))
        body = answers.get(params["query.bibliographic"])
        if body is None:  # (not a reference of the shipped review)
            return 404, {}, b"Resource not found."
        return ok(json.dumps(body).encode())
    if path == "/eutils/ecitmatch.cgi":  # built: NCBI's answer when nothing matches
        return ok(params["bdata"].encode() + b"NOT_FOUND\n", "text/plain")
    return 404, {}, b"Resource not found."


def test_resolve_links_every_reference_with_a_match_and_flags_the_rest(env, server, capsys):
    server.route = shipped_route
    before = env.read_bytes()
    code, out, err = run(env, "resolve", "--dry-run", capsys=capsys)
    assert code == 0 and env.read_bytes() == before
    code, out, err = run(env, "resolve", capsys=capsys)
    assert code == 0, err
    lines = {ln.split("\t")[0]: ln.split("\t")[1] for ln in out.splitlines() if "\t" in ln}
    assert lines["ref3"] == lines["ref22"] == "not found"
    assert lines["ref12"] == lines["ref21"] == "unsure"  # a year off; two DOIs agree
    assert "24 resolved, 2 unsure, 17 not found; 15 already had a DOI and PMID" in out
    assert sum(1 for ln in out.splitlines() if ln.startswith("rel") and "not found" in ln) == 15
    with Library(env) as lib:
        works = {w.local_id: w for w in lib.works(kind="reference")}
        linked = [w for w in works.values() if w.fetched_value("doi")]
        assert len(linked) == 24
        for w in linked:
            assert w.doi == ""  # the printed field is left as printed
            assert w.any_doi == f"10.5555/readinglist.lin2025.{w.local_id}"
            assert w.fetched["doi"]["evidence"]["agreed"] == ["title", "year", "author"]
            assert w.fetched["doi"]["source"] == "crossref" and w.fetched["doi"]["date"]
        assert not works["ref12"].fetched and not works["ref21"].fetched
    asked = len(server.hits)
    code, out, _ = run(env, "resolve", "--confirm", "ref12", capsys=capsys)
    assert code == 0 and len(server.hits) == asked  # answered from the cache
    with Library(env) as lib:
        ref12 = lib.resolve("ref12")
        assert ref12.fetched["doi"]["evidence"]["confirmed"] is True


def shipped_efetch(pmid: str) -> bytes | None:
    """The built efetch answer for one PMID of the shipped review (the set, with only
    that article, as efetch answers for one id)."""
    text = fixture("built/shipped-efetch.xml").decode("utf-8")
    head = text[: text.index("<PubmedArticleSet>")]
    for art in re.findall(r"<PubmedArticle>.*?</PubmedArticle>", text, re.S):
        if f'<PMID Version="1">{pmid}</PMID>' in art:
            return f"{head}<PubmedArticleSet>\n{art}\n</PubmedArticleSet>\n".encode()
    return None


def shipped_fetch_route(path, params):
    """PubMed answers (built) for the shipped review's PMIDs; Crossref has none of its
    DOIs (the recorded 404) and the ID converter no PMC copy (its 'error' record)."""
    if path == "/eutils/efetch.fcgi":
        body = shipped_efetch(params["id"])
        return ok(body, "text/xml") if body else ok(b"<PubmedArticleSet></PubmedArticleSet>")
    if path.startswith("/crossref/works/"):
        return 404, {}, fixture("crossref-work-not-found.txt")
    if path == "/idconv/":
        return ok(b'{"status": "ok", "records": [{"pmid": "1", "status": "error"}]}')
    return shipped_route(path, params)


def test_fetch_fills_the_abstracts_of_the_shipped_review(env, server, capsys):
    server.route = shipped_fetch_route
    code, out, err = run(env, "fetch", capsys=capsys)
    assert code == 0, err
    assert "18 of 18 works with a DOI or PMID got data (18 abstracts)" in out
    with Library(env) as lib:
        with_pmid = [w for w in lib.works() if w.pmid]
        assert len(with_pmid) == 18
        for w in with_pmid:
            assert w.abstract.endswith(f"builtabstract ref{w.n}.")
            assert w.fetched["abstract"]["source"] == "pubmed"
            assert "abstract" not in w.extra  # the printed record is left as printed
    code, out, _ = run(env, "list", "--filter", "abstract:builtabstract", capsys=capsys)
    assert code == 0 and out.count("\n") == 18
    code, out, _ = run(env, "list", "--filter", "builtabstract ref13", "--json", capsys=capsys)
    (hit,) = json.loads(out)
    assert hit["pmid"] == "9014919"


def test_a_second_run_asks_nothing_and_a_damaged_cache_is_ignored(env, server, capsys, tmp_path):
    server.route = shipped_route
    run(env, "resolve", "--dry-run", capsys=capsys)
    asked = len(server.hits)
    assert asked > 28
    run(env, "resolve", "--dry-run", capsys=capsys)
    assert len(server.hits) == asked
    cached = sorted((tmp_path / "cache").rglob("*.json"))
    cached[0].write_bytes(b"{damaged")
    code, _, err = run(env, "resolve", "--dry-run", capsys=capsys)
    assert code == 0 and err == "" and len(server.hits) == asked + 1


# ---------------------------------------------------------------- failures: one line, no change


def _fail(kind):
    def route(path, params):
        if kind == "429":
            return 429, {"Retry-After": "120"}, b"Too many requests"
        if kind == "500":
            return 500, {}, b"Internal Server Error"
        if kind == "timeout":
            return "hang", {}, b""
        if kind == "truncated":
            return (
                200,
                {"Content-Length": "5000", "Content-Type": "application/json"},
                fixture("crossref-works-query-ecology-boettiger.json")[:1000],
            )
        if kind == "cut json":
            return ok(fixture("crossref-works-query-ecology-boettiger.json")[:1000])
        if kind == "not json":
            return ok(b"<html><body>Service unavailable</body></html>", "text/html")
        if kind == "schema":
            return ok(b'{"status": "ok", "message-type": "work-list", "message": {"works": []}}')
        raise AssertionError(kind)

    return route


@pytest.mark.parametrize(
    "kind, says",
    [
        ("429", "Crossref: too many requests (HTTP 429); it asks to wait 120 s"),
        ("500", "answered HTTP 500"),
        ("timeout", "Crossref: no answer from 127.0.0.1"),
        ("truncated", "Crossref: the answer from 127.0.0.1"),
        ("cut json", "is cut off"),
        ("not json", "is not JSON"),
        ("schema", "unexpected shape (no message.items); the service may have changed"),
    ],
)
def test_each_failure_is_one_line_and_changes_nothing(env, server, capsys, kind, says):
    server.route = _fail(kind)
    before = env.read_bytes()
    code, out, err = run(env, "resolve", capsys=capsys)
    assert code == 1
    assert err.count("\n") == 1 and says in err and "nothing was changed" in err
    assert "Traceback" not in err and out == ""
    assert env.read_bytes() == before


def test_no_network_is_one_line_for_every_command(env, capsys):
    with Library(env) as lib:
        pref = dict(lib.get_pref("online"))
        pref["urls"] = dict.fromkeys(pref["urls"], "http://127.0.0.1:9")  # nothing listens
        lib.set_pref("online", pref)
    before = env.read_bytes()
    for args in (["resolve"], ["fetch"], ["add", "pmid:11748933"]):
        code, out, err = run(env, *args, capsys=capsys)
        assert code == 1 and err.startswith("readinglist: cannot reach 127.0.0.1:9"), (
            args,
            out,
            err,
        )
        assert err.count("\n") == 1 and "no network?" in err
    assert env.read_bytes() == before


def test_retry_after_is_waited_for_when_short(server, tmp_path):
    answers = [
        (429, {"Retry-After": "2"}, b""),
        ok(fixture("crossref-works-query-ecology-boettiger.json")),
    ]
    server.route = lambda p, q: answers.pop(0)
    slept = []
    with client_for(server, tmp_path, sleep=slept.append) as client:
        assert len(crossref.query(client, "x")) == 20
    assert slept == [2.0]


def test_rate_limit_spaces_requests():
    now = [0.0]
    slept = []

    def sleep(s):
        slept.append(round(s, 3))
        now[0] += s

    limiter = RateLimiter(lambda: now[0], sleep)
    for _ in range(4):
        limiter.wait("eutils", 3.0)
    assert slept == [0.333, 0.333, 0.333]
    assert Settings.load({}, {"NCBI_API_KEY": "k"}).rate("eutils") == 10.0
    assert Settings.load({}, {}).rate("eutils") == 3.0


def test_polite_headers(server, tmp_path):
    server.route = crossref_query_route
    s = Settings.load(online_pref(server, email="me@example.org"))
    s.cache_dir = None
    seen = {}

    class Spy(Client):
        pass

    with Spy(s) as client:
        crossref.query(client, "x")
        seen = client._http.headers
    assert (
        seen["User-Agent"].startswith("readinglist/")
        and "mailto:me@example.org" in seen["User-Agent"]
    )
    assert server.hits[-1][1]["mailto"] == "me@example.org"


# ---------------------------------------------------------------- add, fetch, search


def add_route(path, params):
    if path == "/crossref/works/10.1371/journal.pone.0033693":
        return ok(fixture("crossref-work-10.1371-journal.pone.0033693.json"))
    if path == "/eutils/efetch.fcgi" and params["id"] == "11748933":
        return ok(fixture("pubmed-efetch-11748933-11700088.xml"), "text/xml")
    if path == "/arxiv/query":
        return ok(fixture("arxiv-1605.08386.xml"), "application/atom+xml")
    if path == "/openlibrary/api/books":
        return ok(fixture("built/openlibrary-isbn-9787302589785.json"))
    if path == "/idconv/" and params["ids"] == "10.1038/ng.590":
        return ok(fixture("idconv-10.1038-ng.590.json"))
    if path == "/unpaywall/10.1371/journal.pone.0033693":
        return ok(fixture("built/unpaywall-10.1371-journal.pone.0033693.json"))
    if path == "/idconv/":
        return ok(b'{"status": "ok", "records": [{"doi": "x", "status": "error"}]}')
    return 404, {}, b"Resource not found."


def test_add_each_identifier_type_then_fetch_and_search_the_abstract(env, server, capsys):
    server.route = add_route
    added = {}
    for ident in (
        "10.1371/journal.pone.0033693",
        "pmid:11748933",
        "arXiv:1605.08386",
        "isbn:9787302589785",
    ):
        code, out, err = run(env, "add", ident, capsys=capsys)
        assert code == 0, err
        wid, what, title = out.rstrip("\n").split("\t")
        added[ident] = (wid, title)
    assert added["pmid:11748933"][1].startswith("Is cryopreservation a homogeneous process?")
    assert added["arXiv:1605.08386"][1] == "Heat-bath random walks with Markov bases"
    assert added["isbn:9787302589785"][1] == "Python程序设计基础"
    code, out, _ = run(env, "add", "pmid:11748933", capsys=capsys)
    assert "already in the library" in out
    with Library(env) as lib:
        works = {w.id: w for w in lib.works("added")}
        book = works[added["isbn:9787302589785"][0]]
        assert (book.type, book.publisher, book.year) == ("M", "清华大学出版社", 2021)
        arx = works[added["arXiv:1605.08386"][0]]
        assert arx.abstract.startswith("Graphs on lattice points")
        assert arx.fetched["abstract"]["source"] == "arxiv"
    code, out, err = run(env, "fetch", "--review", "added", capsys=capsys)
    assert code == 0, err
    code, out, _ = run(
        env,
        "list",
        "--review",
        "added",
        "--filter",
        "abstract:cryosolution",
        "--json",
        capsys=capsys,
    )
    (hit,) = json.loads(out)
    assert hit["pmid"] == "11748933" and hit["fetched"]["mesh"]["source"] == "pubmed"
    code, out, _ = run(env, "list", "--review", "added", "--filter", "cryosolution", capsys=capsys)
    assert out.count("\n") == 1


def test_fetch_adds_open_access_links_beside_the_printed_fields(env, server, capsys):
    server.route = add_route
    with Library(env) as lib:
        pref = lib.get_pref("online")
        lib.set_pref("online", {**pref, "email": "me@example.org"})
    run(env, "add", "10.1371/journal.pone.0033693", capsys=capsys)
    code, out, err = run(env, "fetch", "--review", "added", capsys=capsys)
    assert code == 0, err
    with Library(env) as lib:
        (w,) = lib.works("added")
        assert w.fetched["oa_url"]["source"] == "unpaywall"
        assert w.fetched["license"]["value"].startswith("http://creativecommons.org/")
        assert w.doi == "10.1371/journal.pone.0033693"


def test_bad_identifiers_ask_nothing(env, server, capsys):
    for bad, says in (("isbn:9787302589786", "check digit"), ("hello", "cannot read 'hello'")):
        code, _, err = run(env, "add", bad, capsys=capsys)
        assert code == 2 and says in err and err.count("\n") == 1
    assert server.hits == []
    assert parse_identifier("https://doi.org/10.1000/XYZ").value == "10.1000/XYZ"
    assert parse_identifier("PMID: 38087156").value == "38087156"


def test_fetched_data_survives_a_reimport(env, server, capsys):
    server.route = shipped_route
    run(env, "resolve", capsys=capsys)
    from tui.paths import shipped_review

    run(env, "import", str(shipped_review()), capsys=capsys)
    with Library(env) as lib:
        assert lib.resolve("ref4").fetched_value("doi") == "10.5555/readinglist.lin2025.ref4"


def test_online_errors_are_user_errors():
    assert issubclass(OnlineError, Exception) and OnlineError("x").exit_code == 1


def test_exports_carry_the_fetched_abstract(env, server, capsys):
    server.route = add_route
    run(env, "add", "arXiv:1605.08386", capsys=capsys)
    for fmt, mark in (
        ("bibtex", "abstract = {Graphs on lattice"),
        ("ris", "AB  - Graphs on lattice"),
    ):
        code, out, _ = run(env, "export", "--review", "added", "--format", fmt, capsys=capsys)
        assert code == 0 and mark in out
    code, out, _ = run(env, "export", "--review", "added", "--format", "csl-json", capsys=capsys)
    assert json.loads(out)[0]["abstract"].startswith("Graphs on lattice points")
