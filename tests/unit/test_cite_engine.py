"""citeproc-js in V8 (tui.cite.citeproc_js): its disk cache of rendered entries, what the
command line says when the engine cannot run, and user .csl files (good and malformed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cite import citeproc_js as cj
from tui.cite.csl import load_style
from tui.cli import main
from tui.paths import styles_dir

ITEM = {
    "id": "x",
    "type": "article-journal",
    "title": "A study",
    "author": [{"family": "Smith", "given": "J."}],
    "container-title": "J Foo",
    "issued": {"date-parts": [[2020]]},
    "page": "213-226",
}
VANCOUVER = "Smith J. A study. J Foo. 2020;213-26.\n"  # as citeproc-js ends it
STYLE = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Mine</title><id>mine</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout>BODY</layout></bibliography>
</style>
"""


def vancouver() -> tuple[str, str]:
    style = load_style(styles_dir() / "nlm-citation-sequence.csl")
    return style.xml, style.lang


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache directory of this test's own, and no entry remembered in memory."""
    monkeypatch.setenv("READINGLIST_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(cj, "_memo", {})
    return tmp_path / "cache" / "csl"


@pytest.fixture
def fresh_engine(cache, monkeypatch):
    """As a fresh process: no V8 context, no engine built, no style key computed."""
    for name, value in [("_ctx", None), ("_styles", {}), ("_skeys", {})]:
        monkeypatch.setattr(cj, name, value)


def no_engine(*args):
    raise AssertionError("the engine was asked for an entry that is on disk")


def entries(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.txt"))


# --- the cache of rendered entries -------------------------------------------------


def test_an_entry_on_disk_needs_no_engine_and_deleting_the_cache_loses_nothing(cache, monkeypatch):
    xml, lang = vancouver()
    assert cj.render(ITEM, xml, lang) == VANCOUVER
    assert len(entries(cache)) == 1
    with monkeypatch.context() as m:  # a fresh process with the entry on disk
        m.setattr(cj, "_memo", {})
        m.setattr(cj, "_engine", no_engine)
        assert cj.render(ITEM, xml, lang) == VANCOUVER
    shutil.rmtree(cache)
    cj._memo.clear()
    assert cj.render(ITEM, xml, lang) == VANCOUVER  # rendered again
    assert len(entries(cache)) == 1


@pytest.mark.parametrize(
    "damage",
    [
        lambda head, text: b"",  # empty
        lambda head, text: b"\xff\xfe\x00garbage",  # not UTF-8
        lambda head, text: text.encode(),  # no head line
        lambda head, text: f"{head}\n{text[:10]}".encode(),  # cut short after the head
        lambda head, text: f"{head}\nSmith J. Another study.".encode(),  # other text
        lambda head, text: f"{'0' * 64}:{head.split(':', 1)[1]}\n{text}".encode(),  # other key
    ],
    ids=["empty", "binary", "headless", "truncated", "altered", "other-key"],
)
def test_a_damaged_entry_is_ignored_and_rendered_again(cache, damage):
    xml, lang = vancouver()
    assert cj.render(ITEM, xml, lang) == VANCOUVER
    [path] = entries(cache)
    head, text = path.read_bytes().decode().split("\n", 1)
    path.write_bytes(damage(head, text))
    cj._memo.clear()
    assert cj.render(ITEM, xml, lang) == VANCOUVER
    assert path.read_bytes().decode() == f"{head}\n{text}"  # and written again, whole


def test_the_key_changes_with_style_locale_item_and_processor(tmp_path, monkeypatch):
    monkeypatch.setattr(cj, "_skeys", {})
    xml, lang = vancouver()
    key = cj.style_key(xml, lang)
    assert cj.style_key(xml, lang) == key
    assert cj.style_key(xml.replace("Citing Medicine", "Citing  Medicine", 1), lang) != key
    assert cj.style_key(xml, "en-GB") != key
    assert cj.item_key(dict(ITEM, page="213-227")) != cj.item_key(ITEM)
    assert cj.item_key(dict(reversed(ITEM.items()))) == cj.item_key(ITEM)  # order: same
    # the same locale name with other terms (a new readinglist ships a changed locale)
    locales = tmp_path / "locales"
    shutil.copytree(cj.locales_dir(), locales)
    us = locales / "locales-en-US.xml"
    us.write_text(us.read_text(encoding="utf-8").replace("et al.", "and others"), "utf-8")
    with monkeypatch.context() as m:
        m.setattr(cj, "_skeys", {})
        m.setattr(cj, "locales_dir", lambda: locales)
        assert cj.style_key(xml, lang) != key
    # another processor, or another add-on script around it
    with monkeypatch.context() as m:
        m.setattr(cj, "_skeys", {})
        m.setattr(cj, "JS_SHA256", "1" * 64)
        assert cj.style_key(xml, lang) != key
    with monkeypatch.context() as m:
        m.setattr(cj, "_skeys", {})
        m.setattr(cj, "_SHIM", cj._SHIM + "\n;")
        assert cj.style_key(xml, lang) != key


# --- the engine missing or changed: one line from the command line -------------------


def cite(db: Path, style: str, capsys) -> tuple[int, str, str]:
    code = main(["--db", str(db), "cite", "ref1", "--style", style])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_a_changed_processor_file_is_refused_in_one_line(
    fresh_engine, db, tmp_path, monkeypatch, capsys
):
    changed = tmp_path / "citeproc_commonjs.js"
    changed.write_bytes(cj.js_path().read_bytes().replace(b"CSL", b"CSX", 1))
    monkeypatch.setattr(cj, "js_path", lambda: changed)
    code, out, err = cite(db, "apa", capsys)
    assert code == 2 and out == ""
    assert "not the tested citeproc 2.4.63" in one_line(err)


def test_a_missing_processor_file_is_said_in_one_line(
    fresh_engine, db, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(cj, "js_path", lambda: tmp_path / "gone.js")
    code, out, err = cite(db, "apa", capsys)
    assert code == 2 and out == ""
    assert "the CSL processor is missing" in one_line(err)


def test_without_mini_racer_csl_styles_say_so_in_one_line_and_gbt_still_works(
    fresh_engine, db, monkeypatch, capsys
):
    monkeypatch.setitem(sys.modules, "py_mini_racer", None)  # import fails
    code, out, err = cite(db, "apa", capsys)
    assert code == 2 and out == ""
    assert "pip install mini-racer" in one_line(err)
    code, out, err = cite(db, "gbt7714", capsys)
    assert code == 0 and out.startswith("Teske N，Fett N. Recent advances")  # gbt7714 = 2025


def test_two_styles_built_and_the_process_still_exits(tmp_path):
    # mini-racer left to the garbage collector joined its loop thread during interpreter
    # teardown and the process hung; the context is now closed at exit
    code = (
        "from tui.cite import format_citation\n"
        "from tui.model import Work\n"
        "w = Work(authors=['Smith J'], title='A study', journal='J Foo', year=2020)\n"
        "for style in ('vancouver', 'mla'):\n"
        "    print(format_citation(w, style))\n"
    )
    env = dict(os.environ, READINGLIST_CACHE="")  # no cache: V8 builds both styles
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True,
        timeout=90,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "Smith J. A study. J Foo. 2020.",
        "Smith, J. “A Study.” J Foo, 2020.",
    ]


# --- any .csl file a user passes -------------------------------------------------------


def test_a_users_own_csl_file_works_from_the_command_line(cache, db, tmp_path, capsys):
    mine = tmp_path / "mine.csl"
    body = '<text variable="title" suffix=" / "/><text variable="container-title"/>'
    mine.write_text(STYLE.replace("BODY", body), encoding="utf-8")
    code, out, err = cite(db, str(mine), capsys)
    assert (code, err) == (0, "")
    assert (
        out
        == "Recent advances in treatment of systemic sclerosis and morphea / Am J Clin Dermatol\n"
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (STYLE.replace("BODY", "<group><foo/></group>"), "citeproc-js cannot load this style"),
        (STYLE.replace("BODY", '<date variable="issued" form="bogus"/>'), "cannot format"),
        (STYLE.replace("</style>", ""), "not a CSL style"),
        ("<html><body>a web page</body></html>", "not a CSL style"),
        ("\x00\xff not text", "not a CSL style"),
    ],
    ids=["unknown-element", "fails-at-render", "not-closed", "not-csl", "binary"],
)
def test_a_malformed_csl_file_gives_one_line(cache, db, tmp_path, capsys, text, said):
    bad = tmp_path / "bad.csl"
    bad.write_bytes(text.encode("utf-8", "surrogateescape"))
    code, out, err = cite(db, str(bad), capsys)
    assert code == 2 and out == ""
    assert said in one_line(err)


# --- the app never waits for a style to build -----------------------------------------


async def test_the_app_builds_the_remembered_style_in_a_worker(tmp_path, monkeypatch):
    import threading

    import tui.app.jobs
    import tui.cite
    from tui.app.app import ReadingListApp
    from tui.store import Library

    built: list[tuple[str, bool]] = []
    monkeypatch.setattr(
        tui.cite, "preload", lambda style: built.append((style, threading.current_thread() is threading.main_thread()))
    )  # fmt: skip
    monkeypatch.setattr(tui.app.jobs, "format_citation", lambda work, style: "a citation")
    library = Library(tmp_path / "db.json")
    library.set_pref("app.style", "apa")
    app = ReadingListApp(library)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            assert built == [("apa", False)]  # at start, off the main thread
            app.set_style("chicago")
            await app.workers.wait_for_complete()
            assert built == [("apa", False), ("chicago", False)]
    finally:
        library.close()


def test_a_rendered_entry_is_keyed_by_the_record_not_only_the_flat_fields(cache, monkeypatch):
    # two imports of one book, the second with a translator: the flat fields are the
    # same, the records differ, and so must the cached entries (else the second would
    # be read back from the first's)
    import json

    from tui.cite import format_citation
    from tui.sources.csljson import parse_csljson

    book = {"id": "b", "type": "book", "title": "On translation", "publisher": "Penguin",
            "author": [{"family": "Smith", "given": "Jane"}], "issued": {"date-parts": [[2018]]}}  # fmt: skip
    translated = dict(book, translator=[{"family": "Weaver", "given": "Warren"}])
    plain = parse_csljson(json.dumps([book]), source="a.json")[1][0]
    other = parse_csljson(json.dumps([translated]), source="b.json")[1][0]
    assert (plain.authors, plain.title, plain.year) == (other.authors, other.title, other.year)
    first = format_citation(plain, "apa")
    second = format_citation(other, "apa")
    assert "Weaver" not in first and "(W. Weaver, Trans.)" in second
    assert len(entries(cache)) == 2
    with monkeypatch.context() as m:  # a fresh process: both read back from disk
        m.setattr(cj, "_memo", {})
        m.setattr(cj, "_engine", no_engine)
        assert format_citation(other, "apa") == second
        assert format_citation(plain, "apa") == first
