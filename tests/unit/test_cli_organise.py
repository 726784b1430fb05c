"""Issue 14 from the command line: states and the queue (`next`), priority, tags,
`--sort`, saved views, `stats --by`, the settings file, and the JSON fields."""

from __future__ import annotations

import json

import pytest

from tests.helpers import run, without_cache
from tui.settings import settings_path_for


@pytest.fixture(autouse=True, params=["cache", "no cache"])
def cache(request, monkeypatch) -> str:
    """Every test here runs with the library's cache (tui.bibcache) and without it."""
    if request.param == "no cache":
        without_cache(monkeypatch)
    return request.param


def ids(out: str) -> list[str]:
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def test_queue_and_next(db, capsys, monkeypatch):
    assert run(db, "mark", "ref1", "ref7", "ref3", "queued", capsys=capsys)[0] == 0
    code, out, _ = run(db, "next", capsys=capsys)
    assert code == 0 and out.startswith("lin2025/ref1\t")
    _, out, _ = run(db, "list", "--sort", "queue", "--filter", "status:queued", capsys=capsys)
    assert ids(out) == ["ref1", "ref7", "ref3"]
    opened = []
    import webbrowser

    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    code, out, err = run(db, "next", "--open", capsys=capsys)
    assert code == 0 and opened == ["https://doi.org/10.1007/s40257-023-00831-2"]
    # opening moved it to reading (the default setting): the queue goes on
    _, out, _ = run(db, "next", capsys=capsys)
    assert out.startswith("lin2025/ref7\t")
    _, out, _ = run(db, "list", "--json", "--filter", "status:queued", capsys=capsys)
    rows = json.loads(out)
    assert [(r["local_id"], r["queue"], r["status_label"]) for r in rows] == [
        ("ref3", 2, "queued"),
        ("ref7", 1, "queued"),
    ]


def test_next_with_nothing_queued_is_one_line(db, capsys):
    code, out, err = run(db, "next", capsys=capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "nothing is queued" in err
    code, out, _ = run(db, "next", "--json", capsys=capsys)
    assert code == 0 and json.loads(out) is None


def test_priority_filter_sort_and_json(db, capsys):
    assert run(db, "priority", "ref9", "1", capsys=capsys)[0] == 0
    run(db, "priority", "ref4", "ref2", "3", capsys=capsys)
    _, out, _ = run(db, "list", "--filter", "prio:1..3", "--sort", "priority", capsys=capsys)
    assert ids(out) == ["ref9", "ref2", "ref4"]
    _, out, _ = run(db, "list", "--filter", "prio:1", "--json", capsys=capsys)
    assert [(r["local_id"], r["priority"]) for r in json.loads(out)] == [("ref9", 1)]
    run(db, "priority", "ref9", "none", capsys=capsys)
    _, out, _ = run(db, "list", "--filter", "prio:1", capsys=capsys)
    assert out == ""
    code, _, err = run(db, "priority", "ref9", "high", capsys=capsys)
    assert code == 2 and "unknown priority 'high'" in err


def test_tags_add_remove_filter_and_export_only_when_asked(db, capsys):
    code, out, _ = run(db, "tag", "ref1", "ref2", "+fibrosis", "+stem cells", capsys=capsys)
    assert code == 0 and out.splitlines()[0] == "lin2025/ref1\tfibrosis, stem cells"
    _, out, _ = run(db, "tag", "ref1", "-fibrosis", capsys=capsys)
    assert out == "lin2025/ref1\tstem cells\n"
    _, out, _ = run(db, "list", "--filter", "tag:fibrosis", capsys=capsys)
    assert ids(out) == ["ref2"]
    _, out, _ = run(db, "export", "--format", "bibtex", "--filter", "tag:stem", capsys=capsys)
    assert out.count("@") == 2 and "keywords" not in out and "stem cells" not in out
    _, out, _ = run(
        db, "export", "--format", "bibtex", "--with-tags", "--filter", "tag:stem", capsys=capsys
    )
    assert "keywords = {fibrosis, stem cells}" in out and "keywords = {stem cells}" in out
    _, out, _ = run(
        db, "export", "--format", "ris", "--with-tags", "--filter", "tag:fib", capsys=capsys
    )
    assert "KW  - fibrosis" in out
    code, _, err = run(db, "tag", "+x", capsys=capsys)
    assert code == 2 and "usage" in err
    code, _, err = run(db, "tag", "ref99", "+x", capsys=capsys)
    assert code == 2 and "ref99" in err


def test_import_tags_from_keywords_only_behind_the_flag(db, tmp_path, capsys):
    bib = tmp_path / "k.bib"
    bib.write_text(
        "@article{a, title={T}, author={Smith, J}, year={2020}, keywords={stem cells; fibrosis}}\n",
        encoding="utf-8",
    )
    ris = tmp_path / "k.ris"
    ris.write_text("TY  - JOUR\nTI  - R\nKW  - morphea\nKW  - skin\nER  - \n", encoding="utf-8")
    csl = tmp_path / "k.json"
    csl.write_text(json.dumps([{"id": "x", "type": "article", "title": "C", "keyword": "a, b"}]))
    run(db, "import", str(bib), capsys=capsys)
    _, out, _ = run(db, "list", "--review", "k", "--json", capsys=capsys)
    assert json.loads(out)[0]["tags"] == []
    code, _, _ = run(
        db, "import", "--tags-from-keywords", str(bib), str(ris), str(csl), capsys=capsys
    )
    assert code == 0
    _, out, _ = run(
        db,
        "list",
        "--kind",
        "all",
        "--filter",
        "tag:fibrosis",
        "--json",
        "--review",
        "k",
        capsys=capsys,
    )
    assert json.loads(out)[0]["tags"] == ["stem cells", "fibrosis"]
    _, out, _ = run(db, "reviews", "--json", capsys=capsys)
    keys = [r["key"] for r in json.loads(out)]
    tags = {}
    for key in keys:
        _, out, _ = run(db, "list", "--review", key, "--json", capsys=capsys)
        for r in json.loads(out):
            tags[r["title"]] = r["tags"]
    assert tags["R"] == ["morphea", "skin"] and tags["C"] == ["a", "b"]


def test_sort_keys_and_descending(db, capsys):
    _, out, _ = run(db, "list", "--sort", "-year", "--json", capsys=capsys)
    years = [r["year"] or 0 for r in json.loads(out)]
    assert years == sorted(years, reverse=True)
    _, out, _ = run(db, "list", "--sort", "title", "--json", capsys=capsys)
    titles = [r["title"].casefold() for r in json.loads(out)]
    assert titles[0] <= titles[1] <= titles[2]
    code, _, err = run(db, "list", "--sort", "size", capsys=capsys)
    assert code == 2 and "unknown sort 'size'" in err


def test_views_save_list_use_delete(db, capsys):
    _, out, _ = run(db, "view", "list", capsys=capsys)
    assert [line.split("\t")[1] for line in out.splitlines()] == [
        "To read",
        "Unread with DOI",
        "Read this week",
    ]
    run(db, "priority", "ref2", "ref5", "1", capsys=capsys)
    code, out, _ = run(db, "view", "save", "Top", "prio:1", "--sort", "-n", capsys=capsys)
    assert code == 0
    _, out, _ = run(db, "list", "--view", "top", capsys=capsys)
    assert ids(out) == ["ref5", "ref2"]
    run(db, "mark", "ref4", "read", capsys=capsys)
    _, out, _ = run(db, "list", "--view", "Read this week", capsys=capsys)
    assert ids(out) == ["ref4"]
    code, _, err = run(db, "view", "save", "Bad", "year:abc", capsys=capsys)
    assert code == 2 and "bad year range" in err
    run(db, "view", "delete", "Top", capsys=capsys)
    code, _, err = run(db, "list", "--view", "Top", capsys=capsys)
    assert code == 2 and "no view 'Top'" in err
    _, out, _ = run(db, "view", "list", "--json", capsys=capsys)
    assert [v["name"] for v in json.loads(out)] == ["To read", "Unread with DOI", "Read this week"]


def test_stats_by_week_json_and_csv(db, capsys):
    run(db, "mark", "ref1", "ref2", "read", capsys=capsys)
    run(db, "mark", "ref3", "skipped", capsys=capsys)
    code, out, _ = run(db, "stats", "--by", "week", capsys=capsys)
    lines = out.splitlines()
    assert code == 0 and lines[7].endswith("\t2")  # 8 weeks, this one last
    assert "58 works: 55 unread, 2 read, 1 skipped" in out
    assert "55 to read at 0.5 a week" in out
    assert "█" not in out  # not a terminal: no chart
    _, out, _ = run(db, "stats", "--json", capsys=capsys)
    data = json.loads(out)
    assert data["series"][-1]["read"] == 2 and data["counts"]["skipped"] == 1
    assert data["reviews"][0]["key"] == "lin2025" and data["finish"]
    _, out, _ = run(db, "stats", "--by", "month", "--csv", capsys=capsys)
    assert out.splitlines()[0] == "month,start,read" and out.splitlines()[-1].endswith(",2")
    _, out, _ = run(db, "stats", capsys=capsys)
    assert "refs 2/43 read, 1 skipped" in out


def test_stats_draws_a_bar_chart_in_a_terminal(db, capsys, monkeypatch):
    from tui import cli

    monkeypatch.setattr(cli, "_is_tty", lambda: True)
    run(db, "mark", "ref1", "read", capsys=capsys)
    _, out, _ = run(db, "stats", "--by", "week", capsys=capsys)
    assert "█" in out


def test_settings_file_renames_states_everywhere(db, capsys):
    run(db, "reviews", capsys=capsys)  # creates the library
    settings_path_for(db).write_text(
        '[states]\nread = "done"\nlater = "maybe later"\n', encoding="utf-8"
    )
    code, out, _ = run(db, "mark", "ref1", "Done", capsys=capsys)
    assert code == 0 and out == "lin2025/ref1\tdone\n"
    run(db, "mark", "ref2", "maybe later", capsys=capsys)
    _, out, _ = run(db, "list", "--filter", "status:done", "--json", capsys=capsys)
    row = json.loads(out)[0]
    assert (row["local_id"], row["status"], row["status_label"]) == ("ref1", "read", "done")
    _, out, _ = run(db, "stats", capsys=capsys)
    assert "refs 1/43 done, 1 maybe later" in out
    _, out, _ = run(
        db, "export", "--format", "markdown", "--filter", "-status:unread", capsys=capsys
    )
    assert "1/2 done, 1 maybe later" in out and "*(maybe later)*" in out
    code, _, err = run(db, "mark", "ref1", "finished", capsys=capsys)
    assert code == 2 and "use one of unread, queued, reading, done, skipped, maybe later" in err
    settings_path_for(db).write_text("[states\n", encoding="utf-8")
    code, _, err = run(db, "list", capsys=capsys)
    assert code == 2 and "not valid TOML" in err and err.count("\n") == 1
