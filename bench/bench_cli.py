"""Benchmark (not a test): the command line on libraries of 1,000 / 10,000 / 100,000 works.

    .venv/bin/python -m bench.bench_cli [--sizes 1000 10000 100000] [--runs 5] [--big-runs 3]

For each size it writes a synthetic .bib (bench.generate, into bench/out/, reused when
present) and times, each command as a real subprocess (`python -m tui`, i.e. the
`readinglist` console script, interpreter start-up included), stdout to a file:

- `import FILE.bib` into a fresh database (a new file each run, so the first-run import
  of the shipped review is counted too, as a user would see it);
- `list --kind all --json` of the imported collection;
- `cite` of 10 ids (from `list --json`, spread over the collection), default style;
- `export --format bibtex` of the whole collection.

Each figure is the median wall-clock time of `--runs` runs (`--big-runs` at 100,000
works and more); the CPU time (user + sys of the child) is printed too, since on a
shared machine it is the steadier measure of the code's own cost.  A floor row times
`python -c pass` and `python -m tui --version` (interpreter and argument parsing alone).
Targets (issue 5): import ≤ 5 s at 10,000 and ≤ 60 s at 100,000; `list --json` ≤ 1 s
and ≤ 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
    ("import", 100_000): 60.0,
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

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    @property
    def target(self) -> float | None:
        return TARGETS.get((self.measure, self.size))

    def as_dict(self) -> dict:
        return {
            "measure": self.measure,
            "size": self.size,
            "median_s": self.median,
            "cpu_median_s": self.cpu_median,
            "runs": len(self.wall),
            "target_s": self.target,
        }


def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("READINGLIST_DB", None)  # every command gets --db
    return env


def run(args: list[str], stdout_path: Path | None = None) -> tuple[float, float, str]:
    """Run `python ARGS` once; (wall seconds, child CPU seconds, stdout text or '')."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = open(stdout_path or os.devnull, "wb")  # noqa: SIM115
    try:
        t = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, *args],
            stdout=out,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=_env(),
        )
        wall = time.perf_counter() - t
    finally:
        out.close()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace")[-1500:]
        raise RuntimeError(f"`python {' '.join(args)}` exited {proc.returncode}:\n{err}")
    text = stdout_path.read_text(encoding="utf-8") if stdout_path else ""
    return wall, cpu, text


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


def bench_size(n: int, runs: int, log=print) -> list[Timing]:
    bib = bib_for(n)
    folder = OUT / f"cli-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "db" / "library.json"
    out = folder / "stdout.txt"
    tui = ["-m", "tui", "--db", str(db)]

    imp = Timing("import", n)
    key = ""
    for _ in range(runs):
        _fresh(db)
        wall, cpu, text = run([*tui, "import", str(bib)], out)
        imp.wall.append(wall)
        imp.cpu.append(cpu)
        # the .bib's collection is the last line: "KEY\tcreated\t10000 references"
        key = text.strip().splitlines()[-1].split("\t")[0]
    log(f"  import          {imp.median:8.2f} s  (cpu {imp.cpu_median:.2f} s)")

    lst = Timing("list --json", n)
    rows: list = []
    for i in range(runs):
        wall, cpu, text = run([*tui, "list", "--review", key, "--kind", "all", "--json"], out)
        lst.wall.append(wall)
        lst.cpu.append(cpu)
        if i == 0:
            rows = json.loads(text)
            if len(rows) != n:
                raise RuntimeError(f"list --json gave {len(rows)} works, expected {n}")
    log(f"  list --json     {lst.median:8.2f} s  (cpu {lst.cpu_median:.2f} s)")

    ids = [rows[(i * len(rows)) // 10]["id"] for i in range(10)]
    cite = Timing("cite 10 ids", n)
    for i in range(runs):
        wall, cpu, text = run([*tui, "cite", *ids], out)
        cite.wall.append(wall)
        cite.cpu.append(cpu)
        if i == 0 and len(text.strip().splitlines()) != 10:
            raise RuntimeError(f"cite printed {len(text.splitlines())} lines, expected 10")
    log(f"  cite 10 ids     {cite.median:8.2f} s  (cpu {cite.cpu_median:.2f} s)")

    exp = Timing("export bibtex", n)
    for i in range(runs):
        wall, cpu, text = run([*tui, "export", "--review", key, "--format", "bibtex"], out)
        exp.wall.append(wall)
        exp.cpu.append(cpu)
        if i == 0 and text.count("\n@") + text.startswith("@") != n:
            raise RuntimeError("export --format bibtex did not write every work")
    log(f"  export bibtex   {exp.median:8.2f} s  (cpu {exp.cpu_median:.2f} s)")
    return [imp, lst, cite, exp]


def floor(runs: int) -> list[Timing]:
    rows = []
    for measure, args in (
        ("python -c pass", ["-c", "pass"]),
        ("readinglist --version", ["-m", "tui", "--version"]),
    ):
        t = Timing(measure, 0)
        for _ in range(runs):
            wall, cpu, _ = run(args)
            t.wall.append(wall)
            t.cpu.append(cpu)
        rows.append(t)
    return rows


def table(timings: list[Timing]) -> str:
    lines = [
        f"{'measure':<22} {'works':>8} {'median':>9} {'cpu':>8} {'runs':>4} {'target':>8}  ",
    ]
    for t in timings:
        target = t.target
        verdict = "" if target is None else ("ok" if t.median <= target else "MISSED")
        lines.append(
            f"{t.measure:<22} {f'{t.size:,}' if t.size else '':>8} {t.median:8.2f}s {t.cpu_median:7.2f}s "
            f"{len(t.wall):>4} {f'{target:.0f}s' if target else '':>8}  {verdict}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[Timing]:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_cli", description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--runs", type=int, default=5, help="runs per command (median)")
    ap.add_argument("--big-runs", type=int, default=3, help="runs at 100,000 works and more")
    ap.add_argument("--json", metavar="FILE", type=Path, help="also write the results as JSON")
    args = ap.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, {time.strftime('%Y-%m-%d')}")
    timings = floor(args.runs)
    for n in args.sizes:
        print(f"\n{n:,} works ({bib_for(n).stat().st_size / 1e6:.1f} MB .bib)")
        timings += bench_size(n, args.big_runs if n >= BIG else args.runs)
    print()
    print(table(timings))
    if args.json:
        args.json.write_text(json.dumps([t.as_dict() for t in timings], indent=2) + "\n")
    return timings


if __name__ == "__main__":
    main()
