"""Benchmark (not a test): `readinglist export` of a whole library, per format (issue 16:
`export --format bibtex` <= 5 s at 100,000 works).

    .venv/bin/python -m bench.bench_export [--sizes 10000 100000] [--formats bibtex ris ...]
        [--runs 3] [--big-runs 1] [--db 100000=PATH] [--keep DIR | --compare DIR]

Two measures per size, so that loading the library and writing the records can be told
apart (the library's load is the store's business, the writer the exporter's):

- in one fresh process: the library's load (`Library(path)`, every work built), then each
  format's writer alone (`format_bibliography` of every work, as `export` calls it), wall
  and CPU seconds;
- each format as a real `python -m tui --db DB export --review KEY --format F -o FILE`
  subprocess: wall, CPU (user + sys) and peak RSS of the child, median of `--runs`
  (`--big-runs` at 100,000 works and more).

The library of each size is bench/out/export-N/library.json, imported once from the
synthetic bench/out/lib-N.bib (bench.generate) and reused; `--db N=PATH` uses another
library file instead (it is only read, but `export` takes its lock: use a copy you own).
`--keep DIR` saves each export to DIR/N-FORMAT.txt; `--compare DIR` says for each whether
it is byte-identical to the file kept there (run with `--keep` on the old code first).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
FORMATS = ("bibtex", "ris", "csl-json", "gbt7714")
TARGETS = {("bibtex", 100_000): 5.0}  # whole command, seconds (issue 16)
BIG = 100_000

# run in a fresh interpreter: the load, then each writer, as JSON on stdout
IN_PROCESS = """
import gc, json, resource, sys, time
sys.path.insert(0, {root!r})
from tui.cite import format_bibliography
from tui.store import Library
t, c = time.perf_counter(), time.process_time()
lib = Library({db!r})
gc.freeze()  # as the CLI does after the load
works = [w for w in lib.works({key!r}) if w.kind == "reference"]
out = {{"load": [time.perf_counter() - t, time.process_time() - c], "works": len(works)}}
for fmt in {formats!r}:
    t, c = time.perf_counter(), time.process_time()
    text = format_bibliography(works, fmt, numbered=True)
    out[fmt] = [time.perf_counter() - t, time.process_time() - c]
    del text
out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
lib.close()
print(json.dumps(out))
"""


def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("READINGLIST_DB", None)
    return env


def run(args: list[str], stdout_path: Path | None = None) -> tuple[float, float, float, str]:
    """`python ARGS` once: (wall s, CPU s, peak RSS MB, stdout) of that child alone."""
    out = open(stdout_path or os.devnull, "wb")  # noqa: SIM115
    try:
        t = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, *args], stdout=out, stderr=subprocess.PIPE, cwd=ROOT, env=_env()
        )
        err = proc.stderr.read() if proc.stderr else b""
        _pid, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        out.close()
    if proc.returncode != 0:
        tail = err.decode("utf-8", "replace")[-1500:]
        raise RuntimeError(f"`python {' '.join(args)}` exited {proc.returncode}:\n{tail}")
    text = stdout_path.read_text(encoding="utf-8") if stdout_path else ""
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text


def library_for(n: int) -> Path:
    """bench/out/export-N/library.json: lib-N.bib imported once, then reused."""
    db = OUT / f"export-{n}" / "library.json"
    if not db.exists():
        from bench.bench_cli import bib_for

        db.parent.mkdir(parents=True, exist_ok=True)
        print(f"  importing {bib_for(n).name} into {db.relative_to(ROOT)} (once) ...", flush=True)
        run(["-m", "tui", "--db", str(db), "import", str(bib_for(n))])
    return db


def biggest_review(db: Path) -> str:
    """The key of the review or collection with the most works."""
    code = (
        f"import sys, json; sys.path.insert(0, {str(ROOT)!r}); from tui.store import Library\n"
        f"lib = Library({str(db)!r}); keys = [r.key for r in lib.reviews()]\n"
        f"print(max(keys, key=lambda k: len(lib.works(k)))); lib.close()"
    )
    return run(["-c", code], OUT / "bench_export.key")[3].strip()


def count_records(fmt: str, text: str) -> int:
    if fmt == "bibtex":
        return text.count("\n@") + text.startswith("@")
    if fmt == "ris":
        return sum(1 for line in text.splitlines() if line.startswith("ER  -"))
    if fmt == "csl-json":
        return len(json.loads(text))
    return len(text.splitlines())


def bench_size(n: int, db: Path, formats: list[str], runs: int, args) -> list[dict]:
    key = biggest_review(db)
    got = json.loads(
        run(
            ["-c", IN_PROCESS.format(root=str(ROOT), db=str(db), key=key, formats=formats)],
            OUT / "bench_export.json",
        )[3]  # fmt: skip
    )
    works = got["works"]
    print(f"\n{works:,} works ({db.stat().st_size / 1e6:.0f} MB {db.name}), review {key}")
    print(f"  in-process load           {got['load'][0]:6.2f} s wall {got['load'][1]:6.2f} s cpu")
    for fmt in formats:
        wall, cpu = got[fmt]
        print(f"  in-process writer {fmt:<8} {wall:6.2f} s wall {cpu:6.2f} s cpu")
    print(f"  in-process peak RSS {got['rss_mb']:.0f} MB")
    rows = []
    for fmt in formats:
        target = OUT / f"export-{n}" / f"export.{fmt}"
        target.parent.mkdir(parents=True, exist_ok=True)
        walls, cpus, rss = [], [], []
        for i in range(runs):
            wall, cpu, mb, _ = run(
                [
                    "-m",
                    "tui",
                    "--db",
                    str(db),
                    "export",
                    "--review",
                    key,
                    "--format",
                    fmt,
                    "-o",
                    str(target),
                ]  # fmt: skip
            )
            walls.append(wall)
            cpus.append(cpu)
            rss.append(mb)
            if i == 0:
                text = target.read_text(encoding="utf-8")
                if count_records(fmt, text) != works:
                    raise RuntimeError(f"export --format {fmt} did not write {works} records")
        row = {
            "format": fmt,
            "works": works,
            "writer_cpu_s": got[fmt][1],
            "load_cpu_s": got["load"][1],
            "wall_s": statistics.median(walls),
            "cpu_s": statistics.median(cpus),
            "rss_mb": max(rss),
            "runs": runs,
        }
        limit = TARGETS.get((fmt, n))
        verdict = "" if limit is None else (" ok" if row["wall_s"] <= limit else " MISSED")
        print(
            f"  export {fmt:<9} {row['wall_s']:6.2f} s wall {row['cpu_s']:6.2f} s cpu "
            f"{row['rss_mb']:6.0f} MB RSS{f'  (target {limit:.0f} s wall){verdict}' if limit else ''}"
        )
        _keep_or_compare(n, fmt, target, args)
        rows.append(row)
    return rows


def _keep_or_compare(n: int, fmt: str, target: Path, args) -> None:
    name = f"{n}-{fmt}.txt"
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        (args.keep / name).write_bytes(target.read_bytes())
    if args.compare:
        old = args.compare / name
        if not old.exists():
            print(f"    compare: no {old}")
            return
        a, b = old.read_bytes(), target.read_bytes()
        if a == b:
            print(f"    compare: byte-identical to {old} ({len(b):,} bytes)")
            return
        pairs = zip(a.splitlines(), b.splitlines(), strict=False)
        line = next(
            (i for i, (x, y) in enumerate(pairs) if x != y), min(a.count(b"\n"), b.count(b"\n"))
        )
        print(f"    compare: DIFFERENT from {old}, first at line {line + 1}")


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_export", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--formats", nargs="+", default=list(FORMATS))
    ap.add_argument("--runs", type=int, default=3, help="runs of each command (median)")
    ap.add_argument("--big-runs", type=int, default=1, help="runs at 100,000 works and more")
    ap.add_argument("--db", action="append", default=[], metavar="N=PATH",
                    help="the library file to use for size N (default: bench/out/export-N)")  # fmt: skip
    ap.add_argument("--keep", type=Path, metavar="DIR", help="save each export in DIR")
    ap.add_argument("--compare", type=Path, metavar="DIR", help="compare with the files in DIR")
    ap.add_argument("--json", metavar="FILE", type=Path, help="also write the rows as JSON")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    dbs = {
        int(k): Path(v).expanduser().resolve() for k, _, v in (d.partition("=") for d in args.db)
    }
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}")
    rows = []
    for n in args.sizes:
        db = dbs.get(n) or library_for(n)
        rows += bench_size(n, db, args.formats, args.big_runs if n >= BIG else args.runs, args)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return rows


if __name__ == "__main__":
    main()
