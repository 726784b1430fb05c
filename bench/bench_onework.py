"""Benchmark (not a test): commands that need one work, or only the index, at 10,000 and
100,000 works, with the library's cache (tui/bibcache.py) current.

    .venv/bin/python -m bench.bench_onework [--sizes 10000 100000] [--runs 5]
                                            [--db N=PATH ...] [--dir DIR]

For each size it makes a library in DIR/onework-N/ (a copy of `--db N=PATH` when given,
e.g. `--db 100000=/tmp/b100/library.json`; otherwise an import of bench/out/lib-N.bib,
made by bench.generate when missing; the original is never written), then times each
command as a real subprocess (`python -m tui`, interpreter start-up included) and
prints the median wall time, the median CPU time (user + sys) and the largest RSS of
the runs:

- `mark ID read`, `note ID TEXT`, `cite ID` (GB/T 7714), `cite ID --style apa`,
  `stats`, `reviews`, `tag ID +x`, `list --kind all --json` (stdout to a file);
- steady state: every command is run once first, so the cache holds the library's
  current version and what `cite` and `list --json` derive from it (the proper nouns
  of the review, the rows), and citeproc-js's disk cache holds the APA entry;
- "first run": the same commands right after the cache was deleted (the first one
  parses library.json and writes the cache; `list --json` and `cite` then derive what
  they need once);
- "apa, not rendered before": `cite --style apa` of a work citeproc-js has not
  rendered (an empty READINGLIST_CACHE), at this size and on a library of one review,
  so the cost of starting V8 shows apart from the library's.

Bytecode is written and used, as in an installed copy (PYTHONDONTWRITEBYTECODE is
unset for the children, PYTHONPYCACHEPREFIX puts it in DIR/pycache). `--code DIR` runs
the readinglist in another checkout (say the main branch, for a before/after). Figures are per-process: os.wait4 gives each child's own CPU
time and peak RSS. Targets (issue 16) at 100,000 works: one-work commands ≤ 0.3 s and
≤ 150 MB, `list --json` ≤ 2 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
CODE = ROOT  # the checkout whose readinglist is run (--code)
PYCACHE = OUT / "pycache"


@dataclass
class Runs:
    name: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"  {self.name:<34} {statistics.median(self.wall):6.2f} s wall "
            f"{statistics.median(self.cpu):6.2f} s cpu {max(self.rss_mb):7.0f} MB"
        )


def _env(cache_dir: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(CODE), "READINGLIST_CACHE": str(cache_dir)}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env.pop("READINGLIST_DB", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run(
    args: list[str], env: dict[str, str], stdout: Path | None = None
) -> tuple[float, float, float]:
    """`python -m tui ARGS` once: (wall s, cpu s, peak RSS MB) of that process alone."""
    out = open(stdout or os.devnull, "wb")  # noqa: SIM115
    try:
        t = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui", *args],
            stdout=out,
            stderr=subprocess.PIPE,
            env=env,
            cwd=CODE,  # `-m` puts the working directory first on sys.path
        )
        err = proc.stderr.read() if proc.stderr else b""
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        out.close()
    if proc.returncode != 0:
        raise RuntimeError(
            f"`readinglist {' '.join(args)}` exited {proc.returncode}: {err[-800:]!r}"
        )
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure(name: str, args: list[str], env, runs: int, stdout: Path | None = None) -> Runs:
    r = Runs(name)
    for _ in range(runs):
        wall, cpu, rss = run(args, env, stdout)
        r.wall.append(wall)
        r.cpu.append(cpu)
        r.rss_mb.append(rss)
    return r


def library_for(n: int, given: Path | None, folder: Path) -> tuple[Path, str]:
    """A library of n works in `folder` (a copy of `given`, or an import); its big
    collection's key."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db = folder / "library.json"
    env = _env(folder / "csl")
    if given is not None:
        shutil.copy2(given, db)
        for side in (given.with_name(given.stem + ".state.json"),):
            if side.exists():
                shutil.copy2(side, folder / side.name)
    else:
        from bench.bench_cli import bib_for

        run(["--db", str(db), "import", str(bib_for(n))], env)
    out = folder / "reviews.txt"
    run(["--db", str(db), "reviews"], env, out)
    keys = [line.split("\t")[0][2:] for line in out.read_text().splitlines()]
    return db, keys[-1]


def commands(db: Path, key: str, folder: Path) -> list[tuple[str, list[str], Path | None]]:
    one = f"{key}/ref500"
    base = ["--db", str(db)]
    return [
        ("mark ID read", [*base, "mark", one, "read"], None),
        ("note ID TEXT", [*base, "note", one, "a note"], None),
        ("cite ID (gbt7714)", [*base, "--review", key, "cite", "ref500"], None),
        ("cite ID --style apa", [*base, "--review", key, "cite", "ref500", "--style", "apa"], None),
        ("stats", [*base, "stats"], None),
        ("reviews", [*base, "reviews"], None),
        ("tag ID +x", [*base, "tag", one, "+x"], None),
        (
            "list --kind all --json",
            [*base, "list", "--review", key, "--kind", "all", "--json"],
            folder / "list.json",
        ),  # fmt: skip
    ]


def bench_size(n: int, given: Path | None, runs: int, root: Path) -> None:
    folder = root / f"onework-{n}"
    db, key = library_for(n, given, folder)
    size = db.stat().st_size / 1e6
    print(f"\n{n:,} works (library.json {size:.0f} MB), review {key}")
    env = _env(folder / "csl")
    cmds = commands(db, key, folder)
    print(" first run after the cache was deleted, in this order:")
    (folder / "library.json.cache").unlink(missing_ok=True)
    for name, args, stdout in cmds:
        print(measure(name, args, env, 1, stdout).line(), flush=True)
    cache = folder / "library.json.cache"
    size = f"{cache.stat().st_size / 1e6:.0f} MB" if cache.exists() else "none"
    print(f" cache: {size}; steady state (median of {runs}):")
    for name, args, stdout in cmds:
        print(measure(name, args, env, runs, stdout).line(), flush=True)
    print(" apa, not rendered before (empty READINGLIST_CACHE each run):")
    apa = cmds[3][1]
    r = Runs(f"cite ID --style apa, {n:,} works")
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as empty:
            wall, cpu, rss = run(apa, _env(Path(empty)))
        r.wall.append(wall)
        r.cpu.append(cpu)
        r.rss_mb.append(rss)
    print(r.line(), flush=True)


def floor(runs: int, root: Path) -> None:
    """The interpreter and the shipped review alone: what no cache can take away."""
    folder = root / "onework-floor"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db = folder / "library.json"
    env = _env(folder / "csl")
    run(["--db", str(db), "stats"], env)  # imports the shipped review
    run(["--db", str(db), "cite", "ref1", "--style", "apa"], env)  # rendered once
    print("floor (the shipped review, 58 works):")
    print(measure("readinglist --version", ["--version"], env, runs).line())
    print(measure("mark ref1 read", ["--db", str(db), "mark", "ref1", "read"], env, runs).line())
    print(measure("cite ref1 --style apa (rendered)", ["--db", str(db), "cite", "ref1",
                  "--style", "apa"], env, runs).line())  # fmt: skip
    r = Runs("cite ref2 --style apa (not rendered)")
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as empty:
            args = ["--db", str(db), "cite", "ref2", "--style", "apa"]
            wall, cpu, rss = run(args, _env(Path(empty)))
        r.wall.append(wall)
        r.cpu.append(cpu)
        r.rss_mb.append(rss)
    print(r.line())


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_onework", description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--runs", type=int, default=5, help="runs per command (median)")
    ap.add_argument("--db", action="append", default=[], metavar="N=PATH",
                    help="use a copy of this library for size N instead of importing")  # fmt: skip
    ap.add_argument("--dir", type=Path, default=OUT, help="where the copies go (bench/out)")
    ap.add_argument("--code", type=Path, default=ROOT, help="the checkout to run (this one)")
    args = ap.parse_args(argv)
    global CODE, PYCACHE
    CODE, PYCACHE = args.code.resolve(), args.dir / "pycache"
    given = {int(k): Path(v) for k, _, v in (d.partition("=") for d in args.db)}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load {load:.2f}, "
          f"{time.strftime('%Y-%m-%d')}, code {CODE}")  # fmt: skip
    floor(args.runs, args.dir)
    for n in args.sizes:
        bench_size(n, given.get(n), args.runs, args.dir)


if __name__ == "__main__":
    main()
