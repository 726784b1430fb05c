"""Filter speed: Index.filter over synthetic libraries (a benchmark, not a test).

    .venv/bin/python -m bench.bench_query            # 10,000 and 100,000 works
    .venv/bin/python -m bench.bench_query 5000 --repeat 21

Targets (DESIGN, "filtering stays under a frame"): ≤ 16 ms over 10,000 works and
≤ 100 ms over 100,000 for typical queries.  Prints the median (and the fastest) time
of each query, the number of hits, and the time to build the index.  On a busy
machine the minimum is the better estimate of the code's own cost.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.generate import make_library
from tui.model import State
from tui.query import Index, parse

QUERIES = (
    "sullivan",
    "stem cell year:2015..2020",
    "status:unread has:doi",
    "muller",
    "干细胞",
    '"stem cell" -morphea',
    "author:teske or author:sullivan",
    "journal:rheum year:>2018 kind:related",
    "note:important",
    "s",  # the first keystroke: almost everything matches
    "zzzz",  # nothing matches
    # pinyin (issue 14): syllables, initials, a field with a range, the first key
    "jin",
    "ganxibao",
    "gxb",
    "author:jsw year:2015..",
    "z",
)
TARGET_MS = {10_000: 16.0, 100_000: 100.0}


def _states(works, every: int = 7) -> dict[str, State]:
    """Some reading state, as after months of use: every 7th work read or reading."""
    states = {}
    for i, w in enumerate(works[::every]):
        note = "important: compare with ref 12" if i % 10 == 0 else ""
        states[w.ident] = State(status="read" if i % 3 else "reading", note=note)
    return states


def bench(n: int, repeat: int) -> None:
    _, works = make_library(n)
    states = _states(works)
    import tui.query

    # the cost pinyin adds to building the index: built once without its keys, then with
    # (pypinyin's tables loaded apart, as the app's worker does once per process)
    real, tui.query._pinyin_key = tui.query._pinyin_key, lambda w: ""
    t0 = time.perf_counter()
    Index(works)
    plain = (time.perf_counter() - t0) * 1000
    tui.query._pinyin_key = real
    t0 = time.perf_counter()
    import pypinyin.phrases_dict  # noqa: F401
    import pypinyin.pinyin_dict  # noqa: F401

    load = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    index = Index(works)
    build = (time.perf_counter() - t0) * 1000
    target = TARGET_MS.get(n)
    print(
        f"\n{n:,} works: Index built in {build:.0f} ms ({plain:.0f} ms without pinyin keys"
        f" for {len(index._py):,} works with Chinese text; loading pypinyin {load:.0f} ms)"
        + (f"; target {target:.0f} ms" if target else "")
    )
    for text in QUERIES:
        q = parse(text, strict=True)
        times = []
        for _ in range(repeat):
            index._words.clear()  # time a new query, not one the index remembers
            t = time.perf_counter()
            hits = index.filter(q, states)
            times.append((time.perf_counter() - t) * 1000)
        med = statistics.median(times)
        flag = "" if target is None or med <= target else "  SLOW"
        print(f"  {med:7.2f} ms (min {min(times):6.2f})  {len(hits):7,} hits  {text}{flag}")
    for typed in ("mesenchymal stem", "ganxibao"):
        index = Index(works)  # a fresh one: nothing remembered from the queries above
        times = []
        for end in range(1, len(typed) + 1):
            t = time.perf_counter()
            index.filter(parse(typed[:end]), states)
            times.append((time.perf_counter() - t) * 1000)
        print(
            f"  typing {typed!r} one key at a time: median {statistics.median(times):.2f} ms,"
            f" first key {times[0]:.2f} ms, slowest {max(times):.2f} ms"
        )
    q = parse("stem cell year:2015..2020")
    t = time.perf_counter()
    for w in works[:1000]:
        q.matches(w, states.get(w.ident))
    print(f"  Query.matches: {(time.perf_counter() - t) * 1000:.2f} µs per work")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_query", description=__doc__)
    ap.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    ap.add_argument("--repeat", type=int, default=11)
    args = ap.parse_args(argv)
    for n in args.sizes:
        bench(n, args.repeat)


if __name__ == "__main__":
    main()
