"""Citation speed: first use (import + style load + format) and warm format, per style,
and `readinglist cite ID --style S` cold in a fresh process.

    .venv/bin/python bench/bench_cite.py [--n 200] [--export 2000]
    .venv/bin/python bench/bench_cite.py --cold [--runs 5]

Targets: copying one citation in the app is instant, i.e. < 50 ms per citation after
the first use of a style; `readinglist cite ID --style apa` <= 0.3 s in a fresh process
(issue 12). Each style's first use is measured in a fresh process, so imports, V8's
start and citeproc-js's style build are counted. `--cold` runs the real CLI on a fresh
database: gbt7714 (no CSL engine), and apa/chicago/vancouver on an entry in the
citeproc-js disk cache (hit: no V8) and not in it (miss: V8 start, the 0.97 MB processor,
the style build); the median of --runs, with Python's bare start for scale.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui.cite import STYLES, format_bibliography, format_citation  # noqa: E402
from tui.model import Work  # noqa: E402

WORKS = [
    Work(review="b", n=1, authors=["Teske N", "Fett N"],
         title="Recent advances in treatment of systemic sclerosis and morphea",
         journal="Am J Clin Dermatol", year=2024, volume="25", issue="2", pages="213-226",
         doi="10.1007/s40257-023-00831-2", pmid="38087156"),
    Work(review="b", kind="related", n=1,
         authors=["金诗炜", "潘萌萌", "许捷", "高山", "王焰", "刘元昉", "陶怡", "章卫平", "糜坚青"],
         title="既往新型冠状病毒感染对多发性骨髓瘤患者自体造血干细胞移植的影响",
         journal="内科理论与实践", year=2025, volume="20", issue="04", pages="289-295", lang="zh"),
    Work(review="b", n=22, authors=["Moll M", "Holzer U", "Zimmer C"], et_al=True,
         title="Autologous stem cell transplantation in two children with disabling pansclerotic morphea",
         journal="Pediatr Rheumatol Online J", year=2011, volume="9", supplement="Suppl 1",
         pages="P77"),
]  # fmt: skip

FIRST_USE = """
import sys, time, json
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
from tui.cite import format_citation
from tui.model import Work
t1 = time.perf_counter()
format_citation(Work(authors=["Teske N", "Fett N"], title="Recent advances", journal="J",
                     year=2024, volume="25", issue="2", pages="213-226"), {style!r})
t2 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1]))
"""


def first_use(style: str) -> tuple[float, float]:
    code = FIRST_USE.format(root=str(ROOT), style=style)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imp, first = json.loads(out.stdout)
    return imp * 1000, first * 1000


def warm(style: str, n: int) -> tuple[float, float]:
    for w in WORKS:
        format_citation(w, style)
    times = []
    for i in range(n):
        w = WORKS[i % len(WORKS)]
        t = time.perf_counter()
        format_citation(w, style)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def _run(cmd: list[str], env: dict) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - t


def cold(runs: int) -> None:
    """The CLI, cold, as a user runs it: a fresh process per run."""
    import os
    import shutil
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="bench-cite-"))
    exe = str(Path(sys.executable).with_name("readinglist"))
    env = dict(os.environ, READINGLIST_CACHE=str(tmp / "cache"))
    base = [exe, "--db", str(tmp / "db.json")]
    try:
        subprocess.run([*base, "list"], env=env, check=True, capture_output=True)
        bare = statistics.median(_run([sys.executable, "-c", "pass"], env) for _ in range(runs))
        print(f"python -c pass: {bare:.3f} s (median of {runs})")
        gbt = statistics.median(_run([*base, "cite", "ref1"], env) for _ in range(runs))
        print(f"cite ref1 --style gbt7714: {gbt:.3f} s")
        for style in ("apa", "chicago", "vancouver"):
            misses, hits = [], []
            for i in range(runs):
                shutil.rmtree(tmp / "cache", ignore_errors=True)
                misses.append(_run([*base, "cite", f"ref{i + 2}", "--style", style], env))
                hits.append(_run([*base, "cite", f"ref{i + 2}", "--style", style], env))
            print(
                f"cite --style {style}: cached entry {statistics.median(hits):.3f} s, "
                f"uncached {statistics.median(misses):.3f} s"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200, help="warm formats per style")
    ap.add_argument("--export", type=int, default=2000, help="works in the export test (0: skip)")
    ap.add_argument("--cold", action="store_true", help="only the cold CLI measurement")
    ap.add_argument("--runs", type=int, default=5, help="fresh processes per cold case")
    args = ap.parse_args()
    if args.cold:
        cold(args.runs)
        return 0

    print(f"{'style':<10} {'import ms':>9} {'first ms':>9} {'warm median':>12} {'warm p95':>9}")
    worst = 0.0
    for style in STYLES:
        imp, first = first_use(style)
        med, p95 = warm(style, args.n)
        worst = max(worst, p95)
        print(f"{style:<10} {imp:9.1f} {first:9.1f} {med:10.2f}ms {p95:7.2f}ms")
    print(f"worst warm p95: {worst:.1f} ms (target < 50 ms) -> {'OK' if worst < 50 else 'SLOW'}")

    if args.export:
        works = [WORKS[i % len(WORKS)] for i in range(args.export)]
        print(f"\nexport of {args.export} works (format_bibliography):")
        for style in STYLES:
            t = time.perf_counter()
            format_bibliography(works, style, progress=lambda d, t: None)
            dt = time.perf_counter() - t
            print(f"  {style:<10} {dt:7.2f} s  ({dt / args.export * 1000:.2f} ms/work)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
