"""Benchmark (not a test): how long one status change takes to reach disk.

    .venv/bin/python bench/bench_store.py [--runs 25] [--marked 0.1] [--dir DIR]

For 10,000 and 100,000 synthetic works (split over 10 reviews) it prints the time
to import them, to open the library (load and build Work objects), and the median
and worst of one `set_status` call (lock, stat, write of the state file, fsync,
os.replace, fsync of the folder; or, once the state file is big, an append to
the change log and its fsync). `--marked` is the share of works that already have
a reading state, i.e. the size of the state file. Each run checks that a fresh
Library sees every mark.
Targets (issues): one mark under 30 ms at 10,000 works and under 50 ms at 100,000.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui.model import Review, Work  # noqa: E402
from tui.store import Library  # noqa: E402


def synthetic(n_works: int, n_reviews: int = 10) -> list[tuple[Review, list[Work]]]:
    per = n_works // n_reviews
    out = []
    for r in range(n_reviews):
        review = Review(key=f"rev{r}", title_en=f"Synthetic review {r}", doi=f"10.9999/rev.{r}")
        works = []
        for i in range(1, per + 1):
            kind = "reference" if i % 4 else "related"
            works.append(
                Work(
                    kind=kind,
                    n=i,
                    key=f"author{r}x{i}",
                    authors=["Teske N", "Karschnia P", "Weller J", "金诗炜"],
                    et_al=True,
                    title=f"Recent advances in topic {i} of review {r}: a systematic study",
                    journal="Journal of Synthetic Medicine",
                    year=1990 + i % 35,
                    volume=str(i % 60),
                    issue=str(i % 12),
                    pages=f"{i}-{i + 9}",
                    doi=f"10.1000/{r}.{i}" if i % 3 else "",
                    pmid=str(30000000 + r * per + i) if i % 5 == 0 else "",
                    raw=f"Teske N, Karschnia P, Weller J, et al. Recent advances {i}[J]. J Synth Med, 2020.",
                )
            )
        out.append((review, works))
    return out


def bench(n_works: int, runs: int, marked: float, folder: Path) -> None:
    path = folder / f"lib{n_works}.json"
    lib = Library(path, import_shipped=False)
    t0 = time.perf_counter()
    for review, works in synthetic(n_works):
        lib.import_review(review, works)
    t_import = time.perf_counter() - t0
    works = lib.works()
    pre = works[: int(len(works) * marked)]
    if pre:
        lib.set_status(pre, "reading")
    lib.close()

    t0 = time.perf_counter()
    lib = Library(path, import_shipped=False)
    t_open = time.perf_counter() - t0
    works = lib.works()
    times = []
    for i in range(runs):
        w = works[(i * 7919) % len(works)]
        status = "read" if lib.state(w).status != "read" else "unread"
        t0 = time.perf_counter()
        lib.set_status([w], status)
        times.append(time.perf_counter() - t0)
    expected = lib.states()
    log = lib.log_path.stat().st_size / 1e3 if lib.log_path.exists() else 0
    check = Library(path, import_shipped=False)  # another process's view: all marks on disk
    assert check.states() == expected, "a mark did not reach the disk"
    lib.close()
    size = path.stat().st_size / 1e6
    side = lib.state_path.stat().st_size / 1e3
    print(
        f"{n_works:>7} works ({size:.1f} MB; state file {side:.0f} kB with {len(pre)} states, "
        f"log {log:.0f} kB): "
        f"import {t_import * 1000:.0f} ms, open {t_open * 1000:.0f} ms, "
        f"set_status median {statistics.median(times) * 1000:.2f} ms, "
        f"max {max(times) * 1000:.2f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=25)
    ap.add_argument("--marked", type=float, default=0.1, help="share of works already marked")
    ap.add_argument("--dir", help="folder for the databases (default: a temporary one)")
    ap.add_argument("--sizes", default="10000,100000")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            bench(n, args.runs, args.marked, Path(tmp))


if __name__ == "__main__":
    main()
