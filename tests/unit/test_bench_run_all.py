"""bench.run_all reads the reports of the benchmarks and compares them with the targets.

(The benchmarks themselves are not run here: they take minutes.)
"""

import json

from bench.bench_cli import Timing
from bench.bench_cli import table as cli_table
from bench.run_all import parse_app, parse_cli, table

APP_REPORT = """\
python 3.11.7, 2 cpus, 2026-11-26

10,000 works: database built in 0.8 s (/tmp/app-10000.json)
  first paint: bare Textual 315 ms, readinglist 659 ms, ratio 2.09  (library opened before)
  first paint, library opened after it: 629 ms, ratio 2.00; lists on screen at 889 ms
  filter, model side ('stem cell'): 0.4 ms
  filter, keystroke to repainted list: 60.2 ms
  mark read, keystroke to on disk: 4.5 ms

100,000 works: reusing /tmp/app-100000.json
  first paint: bare Textual 288 ms, readinglist 700 ms, ratio 2.43
  filter, model side ('stem cell'): 120.5 ms
"""


def test_parse_app_reads_each_size_section():
    found = parse_app(APP_REPORT)
    assert found[("first paint, ratio to bare Textual", 10_000)] == 2.09
    assert found[("first paint, bare Textual", 10_000)] == 315
    assert found[("first paint ratio, library opened after the first paint", 10_000)] == 2.0
    assert found[("filter, keystroke to repainted list", 10_000)] == 60.2
    assert found[("mark read, keystroke to on disk", 10_000)] == 4.5
    assert found[("first paint, ratio to bare Textual", 100_000)] == 2.43
    assert found[("filter, model side", 100_000)] == 120.5
    assert ("mark read, keystroke to on disk", 100_000) not in found


def test_table_says_which_targets_are_missed():
    found = parse_app(APP_REPORT)
    text = table(found, [10_000, 100_000], md=False)
    rows = {line.split("  ")[0]: line for line in text.splitlines()}
    # ratio 2.09 > 1.5 at 10,000; 2.43 <= 3 at 100,000
    assert "MISSED at 10,000" in rows["first paint, ratio to bare Textual"]
    assert "MISSED at 100,000" not in rows["first paint, ratio to bare Textual"]
    # 0.4 ms <= 16 ms, but 120.5 ms > 100 ms
    assert rows["filter, model side"].rstrip().endswith("MISSED at 100,000")
    assert rows["filter, keystroke to repainted list"].rstrip().endswith("met")


def test_markdown_table_has_one_column_per_size(tmp_path):
    saved = tmp_path / "cli.json"
    saved.write_text(
        json.dumps(
            [
                {"measure": "python -c pass", "size": 0, "median_s": 0.03, "cpu_median_s": 0.03},
                {"measure": "list --json", "size": 10000, "median_s": 0.8, "cpu_median_s": 0.7},
                {"measure": "import", "size": 10000, "median_s": 6.0, "cpu_median_s": 4.0},
            ]
        )
    )
    found, cpu = parse_cli(saved)
    assert found == {("list --json", 10_000): 0.8, ("import .bib", 10_000): 6.0}
    text = table(found, [10_000], md=True, cpu=cpu).splitlines()
    assert text[0].startswith("| measure | 10,000 works |")
    assert "| import .bib | 6.00 s (cpu 4.00) | 5.00 s | 10.00 s | MISSED at 10,000 |" in text
    assert "| list --json | 0.80 s (cpu 0.70) | 1.00 s | 5.00 s | met |" in text
    assert parse_cli(tmp_path / "missing.json") == ({}, {})


def test_cli_table_compares_medians_with_targets():
    t = Timing("list --json", 100_000, wall=[6.0, 4.0, 4.5], cpu=[3.0, 3.0, 3.0])
    assert t.median == 4.5 and t.target == 5.0
    line = cli_table([t]).splitlines()[1]
    assert "100,000" in line and line.rstrip().endswith("ok")
    slow = Timing("import", 10_000, wall=[5.5], cpu=[5.0])
    assert cli_table([slow]).splitlines()[1].rstrip().endswith("MISSED")
