"""GB/T 7714 speed: 2,000 works of every document type formatted in each GB/T style.

    .venv/bin/python -m bench.bench_gbt [--n 2000] [--repeat 5]

Issue 12's bar: formatting 2,000 works in GB/T stays under 0.1 s.  The works are the
records of the standards' own examples (tests/fixtures/gbt7714/, both editions, every
type) imported with our BibTeX importer and repeated to --n; the time is the best of
--repeat runs of format_bibliography (proper nouns learned from the list included).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.1


def works(n: int) -> list:
    from bench.gbt_examples import EDITIONS, load
    from tui.sources.bibtex import parse_bibtex

    pool = [parse_bibtex(e["record"], source="x.bib")[1][0] for ed in EDITIONS for e in load(ed)]
    return [pool[i % len(pool)] for i in range(n)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    from tui.cite import GBT_STYLES, format_bibliography

    ws = works(args.n)
    slow = False
    for style in GBT_STYLES:
        best = min(_time(format_bibliography, ws, style) for _ in range(args.repeat))
        slow |= best >= TARGET
        print(f"{style:<24} {args.n} works {best:6.3f} s ({best / args.n * 1e6:5.1f} µs/work)")
    print(f"target < {TARGET} s per 2,000 works -> {'SLOW' if slow else 'OK'}")
    return 0


def _time(fn, *a) -> float:
    t = time.perf_counter()
    fn(*a)
    return time.perf_counter() - t


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
