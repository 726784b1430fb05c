"""Benchmark (not a test): the command line on libraries of 1,000 / 10,000 / 100,000 works.

    .venv/bin/python -m bench.bench_cli [--sizes 1000 10000 100000] [--runs 5] [--big-runs 3]
                                        [--only import re-import list cite export]

For each size it writes a synthetic .bib (bench.generate, into bench/out/, reused when
present) and times, each command as a real subprocess (`python -m tui`, i.e. the
`readinglist` console script, interpreter start-up included), stdout to a file:

- `import FILE.bib` into a fresh database (a new file each run, so the first-run import
  of the shipped review is counted too, as a user would see it);
- `re-import`: the same file imported again into that database (an update: every work
  is matched to the stored one and unchanged, reading state kept);
- `list --kind all --json` of the imported collection;
- `cite` of 10 ids (from `list --json`, spread over the collection), default style;
- `export --format bibtex` of the whole collection.

`--only` picks some of them (list, cite and export need the import, so it always runs).
Each figure is the median wall-clock time of `--runs` runs (`--big-runs` at 100,000
works and more); the CPU time (user + sys of the child) is printed too, since on a
shared machine it is the steadier measure of the code's own cost, and so is the
child's peak memory (RSS, the median of the runs).  After the import the size of
library.json is printed.  A floor row times `python -c pass` and `python -m tui
--version` (interpreter and argument parsing alone).
Targets: import ≤ 5 s at 10,000 (issue 5) and ≤ 10 s at 100,000 (issue 16);
`list --json` ≤ 1 s and ≤ 5 s (issue 5).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"

# seconds, by (measure, size)
TARGETS = {
    ("import", 10_000): 5.0,
    ("import", 100_000): 10.0,
    ("list --json", 10_000): 1.0,
    ("list --json", 100_000): 5.0,
}
BIG = 100_000


@dataclass
class Timing:
    measure: str
    size: int
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)  # peak memory of each run, MB

    def add(self, wall: float, cpu: float, rss: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)
        self.rss.append(rss)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    @property
    def rss_median(self) -> float | None:
        return statistics.median(self.rss) if self.rss else None

    @property
    def target(self) -> float | None:
        return TARGETS.get((self.measure, self.size))

    def as_dict(self) -> dict:
        return {
            "measure": self.measure,
            "size": self.size,
            "median_s": self.median,
            "cpu_median_s": self.cpu_median,
            "rss_median_mb": self.rss_median,
            "runs": len(self.wall),
            "target_s": self.target,
        }


def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("READINGLIST_DB", None)  # every command gets --db
    return env


def run(args: list[str], stdout_path: Path | None = None) -> tuple[float, float, float, str]:
    """Run `python ARGS` once; (wall seconds, CPU seconds, peak RSS in MB, stdout text or '')
    of that child (os.wait4: its own figures, not the maximum over all children)."""
    out = open(stdout_path or os.devnull, "wb")  # noqa: SIM115
    try:
        t = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, *args],
            stdout=out,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=_env(),
        )
        assert proc.stderr is not None
        err = proc.stderr.read()  # (a full pipe would block the child)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        out.close()
    cpu = usage.ru_utime + usage.ru_stime
    rss = usage.ru_maxrss / 1024  # KB on Linux
    if proc.returncode != 0:
        text = err.decode("utf-8", "replace")[-1500:]
        raise RuntimeError(f"`python {' '.join(args)}` exited {proc.returncode}:\n{text}")
    text = stdout_path.read_text(encoding="utf-8") if stdout_path else ""
    return wall, cpu, rss, text


def bib_for(n: int, seed: int = 1) -> Path:
    """bench/out/lib-N.bib, written by bench.generate when it is not there yet."""
    path = OUT / f"lib-{n}.bib"
    if not path.exists():
        from bench.generate import make_library, write_bib

        OUT.mkdir(parents=True, exist_ok=True)
        _, works = make_library(n, seed)
        write_bib(path, works)
    return path


def _fresh(db: Path) -> None:
    """An empty folder for the database (the store keeps side files next to it)."""
    shutil.rmtree(db.parent, ignore_errors=True)
    db.parent.mkdir(parents=True)


MEASURES = ("import", "re-import", "list", "cite", "export")


def _line(t: Timing, label: str) -> str:
    return (
        f"  {label:<15} {t.median:8.2f} s  (cpu {t.cpu_median:.2f} s, "
        f"{t.rss_median or 0:.0f} MB RSS)"
    )


def bench_size(n: int, runs: int, log=print, only: tuple[str, ...] = MEASURES) -> list[Timing]:
    bib = bib_for(n)
    folder = OUT / f"cli-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "db" / "library.json"
    out = folder / "stdout.txt"
    tui = ["-m", "tui", "--db", str(db)]

    imp = Timing("import", n)
    again = Timing("re-import", n)
    key = ""
    for _ in range(runs):
        _fresh(db)
        wall, cpu, rss, text = run([*tui, "import", str(bib)], out)
        imp.add(wall, cpu, rss)
        # the .bib's collection is the last line: "KEY\tcreated\t10000 references"
        key = text.strip().splitlines()[-1].split("\t")[0]
        if "re-import" in only:
            wall, cpu, rss, text = run([*tui, "import", str(bib)], out)
            again.add(wall, cpu, rss)
            if f"0 added, 0 updated, {n:,} unchanged" not in text:
                raise RuntimeError(f"the re-import changed something: {text.strip()}")
    log(_line(imp, "import"))
    if "re-import" in only:
        log(_line(again, "re-import"))
    log(f"  library.json    {db.stat().st_size / 1e6:8.1f} MB")
    timings = [imp] + ([again] if "re-import" in only else [])
    if not {"list", "cite", "export"} & set(only):
        return timings

    lst = Timing("list --json", n)
    rows: list = []
    for i in range(runs):
        wall, cpu, rss, text = run([*tui, "list", "--review", key, "--kind", "all", "--json"], out)
        lst.add(wall, cpu, rss)
        if i == 0:
            rows = json.loads(text)
            if len(rows) != n:
                raise RuntimeError(f"list --json gave {len(rows)} works, expected {n}")
    if "list" in only:
        log(_line(lst, "list --json"))
        timings.append(lst)

    if "cite" in only:
        ids = [rows[(i * len(rows)) // 10]["id"] for i in range(10)]
        cite = Timing("cite 10 ids", n)
        for i in range(runs):
            wall, cpu, rss, text = run([*tui, "cite", *ids], out)
            cite.add(wall, cpu, rss)
            if i == 0 and len(text.strip().splitlines()) != 10:
                raise RuntimeError(f"cite printed {len(text.splitlines())} lines, expected 10")
        log(_line(cite, "cite 10 ids"))
        timings.append(cite)

    if "export" in only:
        exp = Timing("export bibtex", n)
        for i in range(runs):
            wall, cpu, rss, text = run([*tui, "export", "--review", key, "--format", "bibtex"], out)
            exp.add(wall, cpu, rss)
            if i == 0 and text.count("\n@") + text.startswith("@") != n:
                raise RuntimeError("export --format bibtex did not write every work")
        log(_line(exp, "export bibtex"))
        timings.append(exp)
    return timings


def floor(runs: int) -> list[Timing]:
    rows = []
    for measure, args in (
        ("python -c pass", ["-c", "pass"]),
        ("readinglist --version", ["-m", "tui", "--version"]),
    ):
        t = Timing(measure, 0)
        for _ in range(runs):
            wall, cpu, rss, _ = run(args)
            t.add(wall, cpu, rss)
        rows.append(t)
    return rows


def table(timings: list[Timing]) -> str:
    lines = [
        f"{'measure':<22} {'works':>8} {'median':>9} {'cpu':>8} {'rss':>8} {'runs':>4} "
        f"{'target':>8}  ",
    ]
    for t in timings:
        target = t.target
        verdict = "" if target is None else ("ok" if t.median <= target else "MISSED")
        rss = f"{t.rss_median:.0f}MB" if t.rss_median is not None else ""
        lines.append(
            f"{t.measure:<22} {f'{t.size:,}' if t.size else '':>8} {t.median:8.2f}s {t.cpu_median:7.2f}s "
            f"{rss:>8} {len(t.wall):>4} {f'{target:.0f}s' if target else '':>8}  {verdict}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[Timing]:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_cli", description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--runs", type=int, default=5, help="runs per command (median)")
    ap.add_argument("--big-runs", type=int, default=3, help="runs at 100,000 works and more")
    ap.add_argument("--json", metavar="FILE", type=Path, help="also write the results as JSON")
    ap.add_argument(
        "--only", nargs="+", choices=MEASURES, default=list(MEASURES), help="measure only these"
    )
    args = ap.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, {time.strftime('%Y-%m-%d')}")
    timings = floor(args.runs)
    for n in args.sizes:
        print(f"\n{n:,} works ({bib_for(n).stat().st_size / 1e6:.1f} MB .bib)")
        timings += bench_size(n, args.big_runs if n >= BIG else args.runs, only=tuple(args.only))
    print()
    print(table(timings))
    if args.json:
        args.json.write_text(json.dumps([t.as_dict() for t in timings], indent=2) + "\n")
    return timings


if __name__ == "__main__":
    main()
