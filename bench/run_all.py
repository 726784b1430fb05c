"""Run every benchmark at 1,000 / 10,000 / 100,000 works and print one table vs the targets.

    .venv/bin/python -m bench.run_all [--sizes 1000 10000 100000] [--runs 5]
                                      [--only app cli query store cite] [--md]

Each benchmark runs as its own process (so one cannot warm the next), one after the
other, and its own report is printed as it goes:

- app:   bench/bench_app.py   first paint vs a bare Textual app, filter (model side and
         keystroke to repainted list), mark keystroke to disk;
- cli:   bench/bench_cli.py   import .bib (and again), list --json, cite 10 ids, export bibtex;
- query: bench/bench_query.py Index.filter for a set of queries (model side only);
- store: bench/bench_store.py one set_status to disk, without the app;
- cite:  bench/bench_cite.py  citation formatting per style (does not depend on size).

The summary table at the end holds the issue-5 measures, read from the reports of the
app and cli benchmarks.  `--md` prints it as a Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
ALL = ("app", "cli", "query", "store", "cite")

# measure -> (unit, {size: target}); "lower is better" for every one
TARGETS: dict[str, tuple[str, dict[int, float]]] = {
    "first paint, ratio to bare Textual": ("×", {10_000: 1.5, 100_000: 3.0}),
    "first paint ratio, library opened after the first paint": ("×", {}),
    "first paint, bare Textual": ("ms", {}),
    "first paint, readinglist": ("ms", {}),
    "filter, model side": ("ms", {10_000: 16.0, 100_000: 100.0}),
    "filter, keystroke to repainted list": ("ms", {10_000: 100.0, 100_000: 250.0}),
    "mark read, keystroke to on disk": ("ms", {10_000: 30.0, 100_000: 50.0}),
    "import .bib": ("s", {10_000: 5.0, 100_000: 10.0}),  # 100,000: issue 16 (was 60 s)
    "re-import .bib": ("s", {}),
    "list --json": ("s", {10_000: 1.0, 100_000: 5.0}),
    "cite 10 ids": ("s", {}),
    "export --format bibtex": ("s", {}),
}

# lines of bench_app.py's report -> (measure, group of the number)
_APP_PATTERNS = [
    (
        re.compile(r"first paint: bare Textual ([\d.]+) ms, readinglist ([\d.]+) ms, ratio ([\d.]+)"),
        [("first paint, bare Textual", 1), ("first paint, readinglist", 2),
         ("first paint, ratio to bare Textual", 3)],
    ),
    (
        re.compile(r"first paint, library opened after it: [\d.]+ ms, ratio ([\d.]+)"),
        [("first paint ratio, library opened after the first paint", 1)],
    ),
    (re.compile(r"filter, model side[^:]*: ([\d.]+) ms"), [("filter, model side", 1)]),
    (
        re.compile(r"filter, keystroke to repainted list: ([\d.]+) ms"),
        [("filter, keystroke to repainted list", 1)],
    ),
    (
        re.compile(r"mark read, keystroke to on disk: ([\d.]+) ms"),
        [("mark read, keystroke to on disk", 1)],
    ),
]  # fmt: skip
_CLI_NAMES = {
    "import": "import .bib",
    "re-import": "re-import .bib",
    "list --json": "list --json",
    "cite 10 ids": "cite 10 ids",
    "export bibtex": "export --format bibtex",
}


def stream(args: list[str]) -> str:
    """Run `python ARGS` from the project root, echo its output as it comes, return it."""
    print(f"\n$ python {' '.join(args)}", flush=True)
    proc = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        lines.append(line)
    if proc.wait():
        print(f"(exited with status {proc.returncode})")
    return "".join(lines)


def parse_app(report: str) -> dict[tuple[str, int], float]:
    """bench_app's report (sections headed "10,000 works: ...") -> {(measure, size): value}."""
    found: dict[tuple[str, int], float] = {}
    size = 0
    for line in report.splitlines():
        head = re.match(r"([\d,]+) works:", line)
        if head:
            size = int(head.group(1).replace(",", ""))
            continue
        for pattern, names in _APP_PATTERNS:
            m = pattern.search(line)
            if m and size:
                for name, group in names:
                    found.setdefault((name, size), float(m.group(group)))
    return found


def parse_cli(path: Path) -> tuple[dict[tuple[str, int], float], dict[tuple[str, int], float]]:
    """bench_cli's --json file -> ({(measure, size): median s}, {(measure, size): CPU s})."""
    found: dict[tuple[str, int], float] = {}
    cpu: dict[tuple[str, int], float] = {}
    if path.exists():
        for row in json.loads(path.read_text()):
            name = _CLI_NAMES.get(row["measure"])
            if name and row["size"]:
                found[(name, row["size"])] = row["median_s"]
                cpu[(name, row["size"])] = row["cpu_median_s"]
    return found, cpu


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        from importlib.metadata import version

        textual = version("textual")
    except Exception:  # not installed: the app benchmark will say so
        textual = "?"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cpus ({cpu}), Python {platform.python_version()}, "
        f"Textual {textual}, {platform.system()} {platform.release()}; "
        f"load average at the end {load}; {time.strftime('%Y-%m-%d %H:%M')}"
    )


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:.2f}"


def table(
    results: dict[tuple[str, int], float],
    sizes: list[int],
    md: bool,
    cpu: dict[tuple[str, int], float] | None = None,
) -> str:
    """One row per measure; a CLI figure also shows its CPU time (user + sys)."""
    cpu = cpu or {}
    head = ["measure", *(f"{n:,} works" for n in sizes), "target 10,000", "target 100,000", ""]
    rows = []
    for measure, (unit, targets) in TARGETS.items():
        if not any((measure, n) in results for n in sizes):
            continue
        cells = [measure]
        verdicts = []
        for n in sizes:
            value = results.get((measure, n))
            cell = _fmt(value, unit)
            if (measure, n) in cpu:
                cell += f" (cpu {cpu[(measure, n)]:.2f})"
            cells.append(cell)
            target = targets.get(n)
            if value is not None and target is not None:
                verdicts.append("met" if value <= target else f"MISSED at {n:,}")
        cells += [_fmt(targets.get(10_000), unit), _fmt(targets.get(100_000), unit)]
        cells.append("; ".join(v for v in verdicts if v != "met") or ("met" if verdicts else ""))
        rows.append(cells)
    if md:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    fmt = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))  # noqa: E731
    return "\n".join([fmt(head), *(fmt(r) for r in rows)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run_all", description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--runs", type=int, default=5, help="runs per measure (fewer at 100,000)")
    ap.add_argument("--only", nargs="+", choices=ALL, default=list(ALL))
    ap.add_argument("--md", action="store_true", help="print the summary as Markdown")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    sizes = [str(n) for n in args.sizes]
    results: dict[tuple[str, int], float] = {}
    cpu: dict[tuple[str, int], float] = {}
    started = time.time()
    if "app" in args.only:
        report = stream(
            ["bench/bench_app.py", "--sizes", *sizes, "--runs", str(args.runs), "--dir", str(OUT)]
        )
        results.update(parse_app(report))
    if "cli" in args.only:
        saved = OUT / "bench_cli.json"
        saved.unlink(missing_ok=True)
        stream(
            ["-m", "bench.bench_cli", "--sizes", *sizes, "--runs", str(args.runs),
             "--big-runs", str(max(1, args.runs // 2)), "--json", str(saved)]
        )  # fmt: skip
        found, cpu = parse_cli(saved)
        results.update(found)
    if "query" in args.only:
        stream(["-m", "bench.bench_query", *sizes])
    if "store" in args.only:
        stream(["bench/bench_store.py", "--sizes", ",".join(sizes)])
    if "cite" in args.only:
        stream(["bench/bench_cite.py"])
    print(f"\nall benchmarks took {time.time() - started:.0f} s")
    print(machine())
    print()
    print(table(results, args.sizes, args.md, cpu))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
