"""Benchmark (not a test): launch to the first row of the work list on screen, black-box.

    .venv/bin/python -m bench.bench_firstrow [--runs 9] [--sizes 10000 100000]
        [--code main=/work/main --code branch=.] [--modes review plain cold]

Issue 16 measures the app the way its user sees it: in a real terminal (tmux, 120x40),
from launch to the moment the first row of the work list is on the screen. A bare
Textual app (Header, Static, Footer) is measured in the same run, one launch of it
before each launch of readinglist, so a busy machine slows both alike; the ratio of
the medians is the figure the issue sets targets for (<= 1.3 at 10,000 works, <= 2 at
100,000).

Each launch runs `tmux new-session -d -x 120 -y 40 CMD` on a tmux server of its own
(started once, before the clock), then polls `tmux capture-pane -p` about every 5 ms
until the screen shows the first row: for the bare app its Static's text, for
readinglist a line of the References box that starts with row number 1. The time is
from just before `tmux new-session` to the capture that showed it. At that moment the
CPU time (user + sys) the process has used so far is read from /proc, so a slow wall
time on a loaded machine can be told from a slow program.

Modes (each a row per size and checkout):
- `review`: `readinglist --db PATH --review lib-N` (the library's cache current);
- `plain`: `readinglist --db PATH`, which opens the review shown last time: the copy's
  pref says lib-N (else it would be the library's first review, the shipped one);
- `cold`: `--review lib-N` with `library.json.cache` deleted before each launch (the
  library file is parsed and the cache written again), reported separately.

The libraries are copies of /work/data/bN (see --data) in a temporary folder: the runs
write prefs and caches there, never into the originals. `--code LABEL=DIR` runs
readinglist from another checkout, so main and a branch are measured in one run: the
HEAD commit of each DIR is exported (git archive) into the temporary folder and run
from there (python -m tui.cli, the same interpreter), so its uncommitted changes are
not measured and nothing is written into the checkout. Python writes .pyc files as
usual (PYTHONDONTWRITEBYTECODE is dropped), and one launch of each before the
measured ones writes them.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOCKET = f"firstrow{os.getpid()}"
WIDTH, HEIGHT = 120, 40
BARE_TEXT = "Bare app first line"
BARE = f"""
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    def compose(self):
        yield Header()
        yield Static({BARE_TEXT!r})
        yield Footer()

Bare().run()
"""
LAST_REVIEW = """
import sys
from tui.store import Library
with Library(sys.argv[1]) as lib:
    lib.set_pref("app.review", sys.argv[2])
"""
# the References box's first row: "│     1    Author ..." (row numbers are right-aligned)
FIRST_ROW = re.compile(r"^│\s+1\s{2,}\S", re.MULTILINE)
TIMEOUT = 60.0


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=False
    ).stdout


def cpu_of(pid: int) -> float:
    """user + sys seconds the process has used (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def launch(cmd: str, seen: re.Pattern[str] | str, cwd: Path) -> tuple[float, float]:
    """Seconds from launch to `seen` on the screen, and the CPU seconds used by then."""
    name = f"s{time.monotonic_ns()}"
    t0 = time.perf_counter()
    subprocess.run(
        ["tmux", "-L", SOCKET, "new-session", "-d", "-s", name, "-x", str(WIDTH), "-y",
         str(HEIGHT), "-c", str(cwd), f"exec {cmd}"],
        check=True,
    )  # fmt: skip
    pid = None
    try:
        while True:
            screen = tmux("capture-pane", "-p", "-t", name)
            now = time.perf_counter()
            found = seen in screen if isinstance(seen, str) else seen.search(screen)
            if found:
                cpu = cpu_of(pid) if pid else float("nan")
                return now - t0, cpu
            if pid is None:
                out = tmux("display-message", "-p", "-t", name, "#{pane_pid}").strip()
                pid = int(out) if out.isdigit() else None
            if now - t0 > TIMEOUT:
                raise RuntimeError(f"nothing seen after {TIMEOUT} s:\n{screen}")
            time.sleep(0.005)
    finally:
        tmux("kill-session", "-t", name)
        if pid:  # wait until it is gone, so the next launch has the machine
            for _ in range(400):
                if not Path(f"/proc/{pid}").exists():
                    break
                time.sleep(0.005)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    ap.add_argument("--code", action="append", default=[], help="LABEL=DIR (repeatable)")
    ap.add_argument("--modes", nargs="+", default=["review", "plain", "cold"])
    ap.add_argument("--data", default="/work/data", help="holds bN/library.json")
    args = ap.parse_args()
    py = sys.executable
    tmp = Path(tempfile.mkdtemp(prefix="firstrow-"))
    codes = []  # each checkout's HEAD, exported: its .pyc files are written there
    for label, src in [tuple(c.split("=", 1)) for c in args.code] or [("this", str(ROOT))]:
        dest = tmp / f"code-{label}"
        dest.mkdir()
        archive = subprocess.run(
            ["git", "-C", src, "archive", "HEAD"], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
        codes.append((label, str(dest)))
    # as a user runs it: Python writes its .pyc files (a shell that forbids it would make
    # every launch compile readinglist's modules again, and not Textual's, installed ones)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    tmux("new-session", "-d", "-s", "keep", "-x", "20", "-y", "5", "sleep 100000")
    rows = []
    try:
        bare_file = tmp / "bare.py"
        bare_file.write_text(BARE)
        bare_cmd = f"{py} {bare_file}"
        print(f"load average before: {os.getloadavg()}", flush=True)
        for n in args.sizes:
            for label, code in codes:
                lib_dir = tmp / f"{label}-{n}"
                shutil.copytree(Path(args.data) / f"b{n}", lib_dir, symlinks=True)
                db = lib_dir / "library.json"
                # as for the author: the big review was the one open last time
                # (the shipped review is the library's first, opened when none was)
                subprocess.run([py, "-c", LAST_REVIEW, str(db), f"lib-{n}"], cwd=ROOT, check=True)
                for mode in args.modes:
                    review = "" if mode == "plain" else f" --review lib-{n}"
                    cmd = f"{py} -m tui.cli --db {db}{review}"
                    bare_t, app_t, app_cpu, bare_cpu = [], [], [], []
                    launch(bare_cmd, BARE_TEXT, tmp)  # not counted: .pyc files, disk cache
                    launch(cmd, FIRST_ROW, Path(code))
                    for _ in range(args.runs):
                        t, c = launch(bare_cmd, BARE_TEXT, tmp)
                        bare_t.append(t)
                        bare_cpu.append(c)
                        if mode == "cold":
                            (lib_dir / "library.json.cache").unlink(missing_ok=True)
                        t, c = launch(cmd, FIRST_ROW, Path(code))
                        app_t.append(t)
                        app_cpu.append(c)
                    med = statistics.median
                    row = (n, label, mode, med(bare_t), med(app_t), med(bare_cpu), med(app_cpu))
                    rows.append(row)
                    print(
                        f"{n:>7} {label:<10} {mode:<7} bare {row[3] * 1000:6.0f} ms "
                        f"(cpu {row[5] * 1000:4.0f})  readinglist {row[4] * 1000:6.0f} ms "
                        f"(cpu {row[6] * 1000:5.0f})  ratio {row[4] / row[3]:5.2f}  "
                        f"[{min(app_t) * 1000:.0f}..{max(app_t) * 1000:.0f} ms]",
                        flush=True,
                    )
    finally:
        tmux("kill-server")
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nload average after: {os.getloadavg()}; medians of {args.runs} runs\n")
    print("| works | code | launch | bare app | readinglist | ratio | CPU bare / readinglist |")
    print("|---|---|---|---|---|---|---|")
    for n, label, mode, bare, app, bcpu, acpu in rows:
        launch_text = {"review": "--review", "plain": "plain", "cold": "--review, no cache"}[mode]
        print(
            f"| {n:,} | {label} | {launch_text} | {bare:.3f} s | {app:.3f} s | "
            f"{app / bare:.2f} | {bcpu:.2f} / {acpu:.2f} s |"
        )


if __name__ == "__main__":
    main()
