"""Benchmark (not a test): the app with 10,000 and 100,000 works in one list.

    .venv/bin/python bench/bench_app.py [--sizes 10000 100000] [--runs 7] [--dir DIR]

For each size it builds a database holding one collection of that many works
(bench.generate.make_library, renumbered into a single review so both lists are
as long as they get) and prints medians of:

- first paint: process start to the first painted screen (Textual's Ready event,
  headless), for the app and, in the same run, a bare Textual app (Header, Static,
  Footer); the ratio of the two (targets: <= 1.5 at 10,000, <= 3 at 100,000);
- filter, model side: tui.query.Index.filter for one query (<= 16 ms / 100 ms);
- filter, keystroke to repainted list: a key typed into the filter until the screen
  update that shows the new list is written (<= 100 ms / 250 ms);
- mark: `space` on a work until its state is on disk (set_status returned: written
  and fsynced) (<= 30 ms / 50 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BARE = """
import sys, time
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    def compose(self):
        yield Header()
        yield Static("Hello")
        yield Footer()

    def on_ready(self):
        print(f"READY {time.time():.6f}", flush=True)
        self.exit()

Bare().run(headless=True, size=(120, 40))
"""

APP = """
import sys, time
from tui.store import Library

# the order of the command line: open the library, then import and run the app
lib = Library(sys.argv[1], import_shipped=False)
import tui.app.app as app_module

class Timed(app_module.ReadingListApp):
    def on_ready(self):
        print(f"READY {time.time():.6f}", flush=True)
        self.exit()

app_module.ReadingListApp = Timed
app_module.run_app(lib, "bench", headless=True, size=(120, 40))
lib.close()
"""


DEFERRED = """
import sys, time
from tui.store import Library
import tui.app.app as app_module

# run_app given a function that opens the library: the screen paints first
class Timed(app_module.ReadingListApp):
    def on_ready(self):
        print(f"READY {time.time():.6f}", flush=True)

    def library_shown(self):
        print(f"SHOWN {time.time():.6f}", flush=True)
        self.exit()

app_module.ReadingListApp = Timed
app_module.run_app(
    lambda: Library(sys.argv[1], import_shipped=False), "bench", headless=True, size=(120, 40)
)
"""


def build_db(path: Path, n: int) -> float:
    """A database with one collection "bench" of n works; returns seconds taken."""
    from bench.generate import make_library
    from tui.model import Review
    from tui.store import Library

    start = time.perf_counter()
    _, works = make_library(n)
    counters = {"reference": 0, "related": 0}
    for w in works:
        counters[w.kind] = counters.get(w.kind, 0) + 1
        w.n = counters[w.kind]
        w.review = "bench"
    review = Review(key="bench", kind="collection", title_en=f"Benchmark collection of {n} works")
    lib = Library(path, import_shipped=False)
    try:
        lib.import_review(review, works)
    finally:
        lib.close()
    return time.perf_counter() - start


def first_paint(code: str, *args: str) -> float:
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    for line in out.stdout.splitlines():
        if line.startswith("READY "):
            return float(line.split()[1]) - start
    raise RuntimeError(f"no READY from child: {out.stdout[-300:]} {out.stderr[-800:]}")


def deferred_paint(db: Path) -> tuple[float, float]:
    """(first paint, lists shown) with the library opened after the first paint."""
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-c", DEFERRED, str(db)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    marks = dict(
        line.split() for line in out.stdout.splitlines() if line[:6] in ("READY ", "SHOWN ")
    )
    return float(marks["READY"]) - start, float(marks["SHOWN"]) - start


def model_filter(path: Path, query_text: str, runs: int) -> float:
    from tui.query import Index, parse
    from tui.store import Library

    lib = Library(path, import_shipped=False)
    try:
        works = lib.works(review="bench", kind="reference")
        states = lib.states()
        index = Index(works)
        query = parse(query_text)
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            index.filter(query, states)
            times.append(time.perf_counter() - t)
        return statistics.median(times)
    finally:
        lib.close()


async def in_app(path: Path, runs: int) -> tuple[float, float]:
    """(keystroke to repainted list, mark to disk) medians, in seconds, in one app run."""
    from tui.app.app import ReadingListApp
    from tui.store import Library

    lib = Library(path, import_shipped=False)
    app = ReadingListApp(lib, "bench")
    painted: list[float] = []
    display = app._display

    def timed_display(screen, renderable):
        display(screen, renderable)
        painted.append(time.perf_counter())

    app._display = timed_display  # type: ignore[method-assign]
    saved: list[float] = []
    set_status = lib.set_status

    def timed_set_status(works, status):
        set_status(works, status)
        saved.append(time.perf_counter())

    lib.set_status = timed_set_status  # type: ignore[method-assign]
    filter_times, mark_times = [], []
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            main = app.main
            # build the index once (the first filter of a session pays for it)
            await pilot.press("slash", "x", "backspace")
            await pilot.pause()
            words = ["s", "t", "e", "m"]
            # when the list first draws a row of the new filter result
            drawn: list[float] = []
            render_line = main.refs.render_line

            def timed_render_line(y, rows_seen=[None]):  # noqa: B006 - a cell
                if main.refs.rows is not rows_seen[0]:
                    rows_seen[0] = main.refs.rows
                    drawn.append(time.perf_counter())
                return render_line(y)

            main.refs.render_line = timed_render_line  # type: ignore[method-assign]
            for _ in range(runs):
                await pilot.press("slash")
                await pilot.pause()
                for ch in words:
                    t = time.perf_counter()
                    await pilot.press(ch)
                    await pilot.pause()
                    if not drawn or drawn[-1] < t:
                        raise RuntimeError("the list was not redrawn")
                    # the first screen update written after the list drew its new rows
                    shown = [p for p in painted if p >= drawn[-1]]
                    if not shown:
                        raise RuntimeError("the redrawn list was not written to the screen")
                    filter_times.append(shown[0] - t)
                await pilot.press("escape")
                await pilot.pause()
            main.refs.focus()
            await pilot.pause()
            for i in range(runs * 2):
                before = len(saved)
                t = time.perf_counter()
                await pilot.press("space" if i % 2 == 0 else "down")
                if i % 2 == 0:
                    mark_times.append(saved[before] - t)
                await pilot.pause()
    finally:
        lib.close()
    return statistics.median(filter_times), statistics.median(mark_times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="rl-bench-app-"))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, {time.strftime('%Y-%m-%d')}")
    for n in args.sizes:
        db = folder / f"app-{n}.json"
        if not db.exists():
            took = build_db(db, n)
            print(f"\n{n:,} works: database built in {took:.1f} s ({db})")
        else:
            print(f"\n{n:,} works: reusing {db}")
        bare, ours, early, shown = [], [], [], []
        for _ in range(args.runs):  # interleaved, so load changes hit all alike
            bare.append(first_paint(BARE))
            ours.append(first_paint(APP, str(db)))
            paint, lists = deferred_paint(db)
            early.append(paint)
            shown.append(lists)
        b, o = statistics.median(bare), statistics.median(ours)
        e, s = statistics.median(early), statistics.median(shown)
        print(
            f"  first paint: bare Textual {b * 1000:.0f} ms, readinglist {o * 1000:.0f} ms, "
            f"ratio {o / b:.2f}  (library opened before the app, as the CLI does now)"
        )
        print(
            f"  first paint, library opened after it: {e * 1000:.0f} ms, ratio {e / b:.2f}; "
            f"lists on screen at {s * 1000:.0f} ms"
        )
        model = model_filter(db, "stem cell", args.runs * 3)
        print(f"  filter, model side ('stem cell'): {model * 1000:.1f} ms")
        keystroke, mark = asyncio.run(in_app(db, args.runs))
        print(f"  filter, keystroke to repainted list: {keystroke * 1000:.1f} ms")
        print(f"  mark read, keystroke to on disk: {mark * 1000:.1f} ms")


if __name__ == "__main__":
    main()
