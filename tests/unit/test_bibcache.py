"""The library's cache (tui/bibcache.py, used by tui/storefiles.LibraryFile): a library
whose cache is current opens without parsing library.json, and a cache that is missing,
stale, damaged or not writable changes nothing a user sees."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import orjson
import pytest

from tests.helpers import run
from tui import bibcache, storage
from tui.bibcache import cache_path_for
from tui.doctor import diagnose
from tui.model import Review, Work
from tui.store import Library

ROOT = Path(__file__).resolve().parents[2]


def works(n: int = 30) -> list[Work]:
    out = [
        Work(
            kind="reference",
            n=i,
            key=f"k{i}",
            title=f"Title {i} of the Mayo Clinic study" if i % 4 else f"The Title {i}",
            authors=[f"Author{i} A", "金诗炜"],
            journal="J Test",
            year=2000 + i,
            doi=f"10.1/{i}" if i % 3 else "",
            pmid=str(1000 + i) if i % 5 == 0 else "",
            extra={"abstract": f"abstract {i}"},
        )
        for i in range(1, n + 1)
    ]
    out += [Work(kind="related", n=i, title=f"Related {i}", lang="zh") for i in (1, 2)]
    return out


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "library.json"
    lib = Library(path, import_shipped=False)
    lib.import_review(Review(key="alpha", title_en="Alpha"), works())
    lib.import_review(Review(key="beta", title_en="Beta"), works(5)[:3])
    lib.close()
    return path


class Parses:
    """Counts how often each file is parsed (OrjsonStorage reads it whole)."""

    def __init__(self, monkeypatch) -> None:
        self.paths: list[str] = []
        real = storage.OrjsonStorage._load

        def load(storage_self):
            self.paths.append(storage_self.path.name)
            return real(storage_self)

        monkeypatch.setattr(storage.OrjsonStorage, "_load", load)

    def of(self, name: str) -> int:
        return self.paths.count(name)


def snapshot(lib: Library) -> list:
    """Everything a reader of the library sees (not the cache's internals)."""
    return [
        [r.to_dict() for r in lib.reviews()],
        [(w.id, w.ident, w.to_dict()) for w in lib.works()],
        lib.stats(),
        lib.default_review_key(),
    ]


def uncached(path: Path) -> list:
    """What the library holds, read from library.json alone."""
    data = orjson.loads(path.read_bytes())
    return sorted(data["works"])


# --- used when current ---------------------------------------------------------------


def test_a_current_cache_is_read_instead_of_the_library_file(path: Path, monkeypatch, capsys):
    assert cache_path_for(path).is_file()  # written by the import
    parses = Parses(monkeypatch)
    for argv in (
        ["mark", "alpha/ref3", "read"],
        ["note", "ref7", "look again"],
        ["cite", "ref3"],
        ["--review", "alpha", "cite", "k5", "--style", "vancouver"],
        ["stats"],
        ["reviews"],
        ["tag", "ref4", "+x"],
        ["priority", "ref4", "1"],
        ["mark", "ref6", "queued"],
        ["next"],
        ["list", "--json"],
        ["list", "--kind", "all", "--json"],
    ):
        code, out, err = run(path, *argv, capsys=capsys)
        assert code == 0, (argv, err)
    assert parses.of("library.json") == 0
    lib = Library(path)
    assert lib.state(lib.resolve("alpha/ref3")).status == "read"
    assert parses.of("library.json") == 0


@pytest.fixture
def reads(monkeypatch) -> list[tuple[int, int]]:
    """The (start, stop) of every run of documents read from a cache (CacheReader.docs)."""
    calls: list[tuple[int, int]] = []
    real = bibcache.CacheReader.docs

    def docs(self, start, stop, keep=None):
        calls.append((start, stop))
        return real(self, start, stop, keep)

    monkeypatch.setattr(bibcache.CacheReader, "docs", docs)
    return calls


def test_one_work_is_read_from_the_cache(path: Path, reads) -> None:
    lib = Library(path)
    work = lib.resolve("alpha/ref7")
    assert work.title == "Title 7 of the Mayo Clinic study"
    assert reads == [(6, 7)]
    assert lib.resolve("ref7") is work and lib.get_work("alpha/ref7") is work
    assert lib.resolve("K7") is work and lib.resolve("10.1/7") is work
    assert reads == [(6, 7)]  # built once
    first = lib.first_works("alpha", 3)
    assert [w.n for w in first] == [1, 2, 3] and reads[-1] == (0, 3)
    assert all(a is b for a, b in zip(first, lib.works("alpha"), strict=False))
    assert [w.id for w in lib.first_works("alpha", 1, "related")] == ["alpha/rel1"]
    assert lib.count() == 35 and lib.count("alpha", "related") == 2


def test_the_same_results_with_and_without_the_cache(path: Path) -> None:
    cached = Library(path)
    before = snapshot(cached)
    cache_path_for(path).unlink()
    plain = Library(path)
    assert snapshot(plain) == before
    assert [w.id for w in plain.works()] == [w.id for w in cached.works()]
    assert sorted(w.id for w in plain.works()) == uncached(path)
    for token in ("ref3", "alpha/rel2", "beta/ref2", "k9", "doi:10.1/4", "10.1/4"):
        assert cached.resolve(token).to_dict() == plain.resolve(token).to_dict()


@pytest.mark.parametrize(
    "token, review",
    [("ref99", None), ("alpha/ref0", None), ("gamma/ref1", None), ("rel9", "alpha"), ("k", None)],
)
def test_errors_are_the_same_with_and_without_the_cache(path: Path, token, review) -> None:
    messages = []
    for _ in range(2):
        lib = Library(path)
        with pytest.raises(Exception) as err:
            lib.resolve(token, review)
        messages.append((type(err.value), str(err.value)))
        cache_path_for(path).unlink(missing_ok=True)
        lib.close()
    assert messages[0] == messages[1]


# --- ignored when not current -------------------------------------------------------------


def _damage(cache: Path, where: str) -> None:
    raw = bytearray(cache.read_bytes())
    if where == "truncated":
        del raw[len(raw) // 2 :]
    elif where == "empty":
        raw = bytearray()
    elif where == "magic":
        raw[0] ^= 0xFF
    elif where == "index":
        raw[200] ^= 0xFF  # inside the index (after the prelude)
    elif where == "garbage":
        raw = bytearray(os.urandom(len(raw)))
    elif where == "zeros":  # what a crash without fsync can leave
        raw = bytearray(len(raw))
    cache.write_bytes(bytes(raw))


@pytest.mark.parametrize("where", ["truncated", "empty", "magic", "index", "garbage", "zeros"])
def test_a_damaged_cache_is_ignored_and_rebuilt(path: Path, where: str, monkeypatch) -> None:
    expect = snapshot(Library(path))
    _damage(cache_path_for(path), where)
    parses = Parses(monkeypatch)
    lib = Library(path)
    assert snapshot(lib) == expect
    assert parses.of("library.json") == 1
    assert snapshot(Library(path)) == expect  # the cache was written again, and used
    assert parses.of("library.json") == 1


def test_a_damaged_document_in_the_cache_falls_back_to_the_file(path: Path, monkeypatch):
    expect = snapshot(Library(path))
    cache = cache_path_for(path)
    raw = bytearray(cache.read_bytes())
    title = b"Title 13 of the Mayo"
    at = raw.index(title)
    raw[at : at + len(title)] = b"Title 13 of the Xayo"  # the index is intact
    cache.write_bytes(bytes(raw))
    lib = Library(path)
    assert lib.resolve("ref13").title == "Title 13 of the Mayo Clinic study"
    assert snapshot(lib) == expect
    assert Library(path).resolve("ref13").title.startswith("Title 13 of the Mayo")


def test_the_cache_of_another_library_is_not_used(tmp_path: Path, path: Path) -> None:
    other = tmp_path / "other" / "library.json"
    lib = Library(other, import_shipped=False)
    lib.import_review(Review(key="gamma", title_en="Gamma"), works(3))
    lib.close()
    expect = snapshot(Library(path))
    cache_path_for(path).write_bytes(cache_path_for(other).read_bytes())
    assert snapshot(Library(path)) == expect


def test_a_library_file_changed_by_another_program_makes_the_cache_stale(path: Path) -> None:
    Library(path).close()
    text = path.read_bytes()
    same_size = text.replace(b"Title 13 of the Mayo", b"Title 13 of the Xayo")
    assert len(same_size) == len(text)
    st = os.stat(path)
    with open(path, "r+b") as fh:  # edited in place: the same file, the same size
        fh.write(same_size)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert Library(path).resolve("ref13").title.startswith("Title 13 of the Xayo")
    # replaced by another file (a sync tool, an older readinglist): the same
    data = orjson.loads(path.read_bytes())
    data["works"]["alpha/ref13"]["title"] = "Replaced"
    path.with_name("new.json").write_bytes(orjson.dumps(data))
    os.replace(path.with_name("new.json"), path)
    lib = Library(path)
    assert lib.resolve("ref13").title == "Replaced"
    assert Library(path).resolve("ref13").title == "Replaced"


@pytest.mark.parametrize("what", ["folder", "fifo", "symlink to /dev/zero"])
def test_a_cache_name_that_is_not_a_file_is_ignored(path: Path, what: str) -> None:
    expect = snapshot(Library(path))
    cache = cache_path_for(path)
    cache.unlink()
    if what == "folder":
        cache.mkdir()
    elif what == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        os.mkfifo(cache)
    else:
        cache.symlink_to("/dev/zero")
    lib = Library(path)  # never blocks on the FIFO, never reads /dev/zero
    assert snapshot(lib) == expect
    lib.set_status([lib.resolve("ref1")], "read")
    assert Library(path).state(lib.resolve("ref1")).status == "read"


# --- writes ------------------------------------------------------------------------------


def test_every_write_of_the_library_file_refreshes_the_cache(path: Path, monkeypatch) -> None:
    lib = Library(path)
    parses = Parses(monkeypatch)

    def reopened() -> Library:
        fresh = Library(path)
        assert snapshot(fresh) == snapshot(lib)
        return fresh

    lib.import_review(Review(key="gamma", title_en="Gamma"), works(4))
    lib.add_work("alpha", Work(kind="reference", title="Added", doi="10.9/added"))
    assert reopened().resolve("alpha/ref31").title == "Added"
    lib.set_fetched({"alpha/ref2": {"abstract": {"value": "fetched", "source": "test"}}})
    assert reopened().resolve("alpha/ref2").abstract == "abstract 2"
    assert reopened().resolve("alpha/ref2").fetched["abstract"]["value"] == "fetched"
    lib.remove_review("beta")
    assert [r.key for r in reopened().reviews()] == ["alpha", "gamma"]
    writes = parses.of("library.json")  # each write parses the file once, to write it
    assert writes <= 4
    lib.set_status([lib.resolve("ref1")], "read")  # the state file only
    assert parses.of("library.json") == writes


def test_a_work_added_among_cached_works_keeps_the_others_right(path: Path) -> None:
    lib = Library(path)  # nothing built yet
    lib.add_work("alpha", Work(kind="reference", title="Added"))
    lib.add_work("alpha", Work(kind="related", title="Added too"))
    got = [(w.id, w.title) for w in lib.works("alpha")]
    cache_path_for(path).unlink()
    assert got == [(w.id, w.title) for w in Library(path).works("alpha")]
    assert got[-1] == ("alpha/rel3", "Added too") and got[30] == ("alpha/ref31", "Added")


def test_a_writer_killed_before_the_cache_is_written_leaves_a_stale_cache(path: Path) -> None:
    """kill -9 between the (durable) library write and the cache write: the next open
    sees the new library file, not the old cache."""
    script = textwrap.dedent(
        """
        import os, sys
        from tui import bibcache
        from tui.model import Work
        from tui.store import Library

        def killed(*args, **kwargs):
            os.kill(os.getpid(), 9)

        lib = Library(sys.argv[1])
        bibcache.write = killed
        lib.add_work("alpha", Work(kind="reference", title="Written before the kill"))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
    )
    assert proc.returncode == -9, proc.stderr
    assert Library(path).resolve("alpha/ref31").title == "Written before the kill"


def test_another_process_s_write_is_picked_up_from_its_cache(path: Path, monkeypatch) -> None:
    mine = Library(path)
    mine.resolve("ref2")
    other = Library(path)
    other.import_review(Review(key="alpha", title_en="Alpha"), works(31))
    parses = Parses(monkeypatch)
    assert mine.reload_if_changed()
    assert mine.resolve("ref31").title == "Title 31 of the Mayo Clinic study"
    assert parses.of("library.json") == 0


def test_no_cache_where_it_cannot_be_written(path: Path, monkeypatch, capsys) -> None:
    """A folder we may not write (simulated: root may write anywhere): no cache, no
    message, the same results."""
    cache = cache_path_for(path)
    expect = snapshot(Library(path))
    cache.unlink()
    real_open = os.open

    def refuse(file, flags, *args, **kw):
        if flags & os.O_CREAT and str(file).startswith(str(path.parent / ".library.json.cache")):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, flags, *args, **kw)

    monkeypatch.setattr(os, "open", refuse)
    assert snapshot(Library(path)) == expect
    code, out, err = run(path, "mark", "ref2", "read", capsys=capsys)
    assert (code, err) == (0, "") and out == "alpha/ref2\tread\n"
    code, out, err = run(path, "list", "--json", capsys=capsys)
    assert code == 0 and err == "" and json.loads(out)[1]["status"] == "read"
    assert not cache.exists()
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_no_cache_for_a_read_only_library(path: Path) -> None:
    cache = cache_path_for(path)
    cache.unlink()
    path.chmod(0o444)
    try:
        lib = Library(path)
        assert lib.read_only and len(lib.works()) == 35
        assert not cache.exists()
    finally:
        path.chmod(0o644)


# --- derived values ------------------------------------------------------------------------


def test_a_derived_value_is_computed_once_per_library_version(path: Path) -> None:
    calls: list[str] = []

    def derived(lib: Library, review: str) -> list[str]:
        def compute() -> list[str]:
            calls.append(review)
            return [w.title for w in lib.works(review)]

        return lib.derived("test.titles.1", review, compute)

    first = derived(Library(path), "alpha")
    assert calls == ["alpha"] and first[3] == "The Title 4"
    assert first == Library(path).titles("alpha")
    assert derived(Library(path), "ALPHA") == first  # read from the cache
    assert derived(Library(path), "beta") == ["Title 1 of the Mayo Clinic study"] + first[1:3]
    assert calls == ["alpha", "beta"]
    lib = Library(path)
    lib.add_work("alpha", Work(kind="reference", title="New"))
    assert derived(lib, "alpha")[30] == "New" and lib.titles("alpha")[30] == "New"
    assert derived(Library(path), "alpha")[30] == "New"
    assert derived(Library(path), "beta")[0] == "Title 1 of the Mayo Clinic study"
    assert calls == ["alpha", "beta", "alpha", "beta"]


def _list_json_as_before(path: Path, review: str, kinds: tuple, capsys) -> str:
    """What `list --json` printed before it read rows from the cache."""
    from tui import cli

    lib = Library(path)
    queue = {w.ident: i for i, w in enumerate(lib.queue(), 1)}
    labels = lib.settings.labels
    works = [w for w in lib.works(review) if w.kind in kinds]
    capsys.readouterr()
    cli._print_json([cli._work_json(w, lib.state(w), labels, queue) for w in works])
    return capsys.readouterr().out


def test_list_json_is_the_same_from_the_cache(path: Path, monkeypatch, capsys) -> None:
    lib = Library(path)
    lib.set_note(lib.resolve("ref2"), "bidi \u202e and DEL \x7f and C1 \x85")
    lib.set_status([lib.resolve("ref3"), lib.resolve("rel1")], "queued")
    lib.set_priority([lib.resolve("ref4")], 2)
    lib.edit_tags([lib.resolve("ref5")], add=["t\u2066x"])
    lib.add_work("beta", Work(kind="reference", title="Evil \u202e title \x9b[31m"))
    outputs = []
    for kinds, argv in ((("reference",), []), (("reference", "related"), ["--kind", "all"])):
        for review in ("alpha", "beta"):
            for _ in range(2):  # rows computed, then read from the cache
                code, out, _ = run(path, "--review", review, "list", "--json", *argv, capsys=capsys)
                assert code == 0
                assert out == _list_json_as_before(path, review, kinds, capsys)
            outputs.append(out)
    assert "\\u202e" in outputs[0] and "\\u007f" in outputs[0] and "\u202e" not in outputs[0]
    assert "\\u009b" in outputs[1] and "\x9b" not in outputs[1]
    assert json.loads(outputs[1])[-1]["title"] == "Evil \u202e title \x9b[31m"
    empty = Library(path, import_shipped=False)
    empty.import_review(Review(key="none", title_en="None"), [])
    code, out, _ = run(path, "--review", "none", "list", "--json", capsys=capsys)
    assert out == "[]\n"


# --- side files ------------------------------------------------------------------------------


def test_the_cache_is_named_from_the_whole_file_name(tmp_path: Path) -> None:
    assert cache_path_for(tmp_path / "library.json").name == "library.json.cache"
    assert cache_path_for(tmp_path / "library.db").name == "library.db.cache"
    from tui.storefiles import log_path_for, state_path_for

    for name in ("library.json", "reading.db", "x", "library.state.json"):
        p = tmp_path / name
        others = {p, state_path_for(p), log_path_for(p), p.with_name(p.name + ".lock")}
        assert cache_path_for(p) not in others


def test_leftover_temporary_cache_files_are_swept_and_reported(path: Path) -> None:
    leftover = path.with_name(".library.json.cache.0123456789abcdef.tmp")
    leftover.write_bytes(b"torn")
    assert leftover in diagnose(path).leftovers
    lib = Library(path)
    lib.set_status([lib.resolve("ref1")], "read")
    assert not leftover.exists()


def test_doctor_says_what_the_cache_is(path: Path) -> None:
    lines = "\n".join(diagnose(path).lines())
    assert "library.json.cache: up to date" in lines
    path.write_bytes(path.read_bytes() + b"\n")
    lines = "\n".join(diagnose(path).lines())
    assert "library.json.cache: out of date" in lines
    assert diagnose(path).healthy


def test_stats_count_every_work_by_its_state(path: Path) -> None:
    """stats counts from the index; the same as counting work by work."""
    lib = Library(path)
    lib.set_status([lib.resolve("ref1"), lib.resolve("beta/ref2")], "read")  # one DOI, two
    lib.set_note(lib.resolve("ref3"), "still unread, with a note")
    lib.set_status([lib.resolve("rel2"), lib.resolve("ref4")], "skipped")
    lib.set_status([lib.resolve("ref5")], "queued")
    lib._commit({"id:alpha/ref6": lib.state(lib.resolve("ref6")).but(status="gone-name")}, {})
    lib.add_work("alpha", Work(kind="reference", title="New"))

    def counted(lib: Library) -> list:
        out = []
        for r in lib.reviews():
            kinds: dict = {}
            for k in ("reference", "related"):
                kinds[k] = {"total": 0, **dict.fromkeys(lib.settings.names, 0)}
            for w in lib.works(r.key):
                c = kinds.setdefault(w.kind, {"total": 0, **dict.fromkeys(lib.settings.names, 0)})
                c["total"] += 1
                status = lib.state(w).status
                c[status] = c.get(status, 0) + 1
            out.append({"key": r.key, "title": r.title, "kind": kinds})
        return out

    assert Library(path).stats() == counted(Library(path)) == lib.stats()
    assert lib.stats()[0]["kind"]["reference"]["gone-name"] == 1


def test_a_cache_rebuilt_from_the_file_stores_each_repeated_text_once(path: Path) -> None:
    """A document parsed from library.json holds its title, journal... twice (flat and in
    its record) as separate strings; the cache writes the record's as a reference to the
    flat one (smaller, and fewer strings to make when loading), and reads back the same."""
    data = orjson.loads(path.read_bytes())
    doc = next(d for d in data["works"].values() if d.get("title"))
    doc["csl"] = {
        "title": doc["title"][:3] + doc["title"][3:],
        "container-title": "J Test",
        "language": "english",
    }
    doc["extra"] = {"language": "eng" + "lish".lower()}
    assert doc["csl"]["title"] is not doc["title"]
    before = orjson.loads(orjson.dumps(doc))
    built = bibcache.build(data, share=True)
    i = next(i for i, b in enumerate(built.blobs) if bibcache.marshal.loads(b) == before)
    back = bibcache.marshal.loads(built.blobs[i])
    assert back == before
    assert back["csl"]["title"] is back["title"]
    assert back["csl"]["container-title"] is back["journal"]
    assert back["csl"]["language"] is back["extra"]["language"]
    assert len(built.blobs[i]) < len(bibcache.marshal.dumps(before))


def test_a_list_is_read_a_chunk_at_a_time(path: Path, reads) -> None:
    """What the app loads behind a long review's first rows: each chunk read once, the
    same works as a whole load, and the first rows without a scan of every kind."""
    refs = [w.id for w in Library(path).works("alpha", "reference")]
    lib = Library(path)
    reads.clear()  # (the whole load above)
    chunks = [lib.works_between("alpha", "reference", a, a + 4) for a in range(0, len(refs), 4)]
    assert [w.id for chunk in chunks for w in chunk] == refs
    assert len(reads) == len(chunks)
    assert lib.works_between("alpha", "reference", 2, 5) == chunks[0][2:] + chunks[1][:1]
    assert len(reads) == len(chunks)  # built once
    assert lib.works_between("alpha", "related", 0, 10) == lib.works("alpha", "related")


def test_is_current_reads_the_prelude_only(path: Path) -> None:
    signature = storage.file_signature(path)
    assert bibcache.is_current(cache_path_for(path), signature)
    assert not bibcache.is_current(cache_path_for(path), (*signature[:4], 0))
    assert not bibcache.is_current(path.with_name("none.cache"), signature)
    cache_path_for(path).write_bytes(b"short")
    assert not bibcache.is_current(cache_path_for(path), signature)
