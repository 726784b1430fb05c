"""kill -9 at random moments while marking: the database always loads and every
mark that was reported done is there.

A harness process (one subprocess, so the test process itself never forks) forks
a child per trial. The child marks works in a loop, through `Library` or through
the command line's `main()`, and writes one acknowledgement line to a pipe after
each call returns. The harness kills it with SIGKILL after a random number of
acknowledgements plus a random fraction of a mark, reads every acknowledgement the
child managed to write, and checks the database against them: each acknowledged
change is on disk; the one change in flight may or may not be.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tui.store import Library

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")

HARNESS = textwrap.dedent(
    r"""
    import json, os, random, signal, sys, time
    from tui import store
    from tui.model import Review, Work
    from tui.store import Library

    path, mode, trials, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rng = random.Random(seed)
    N = 24
    if mode == "log":  # every mark is appended; the log is folded in every few marks
        store.APPEND_ABOVE, store.COMPACT_ABOVE = 0, 600
    STATUSES = ("read", "reading", "unread")

    def works(version):
        # Only work 1 (it has a DOI) changes its title: a work known only by its
        # number and title would rightly count as another work if its title changed.
        return [Work(kind="reference", n=i, title=f"T{i} v{version}" if i == 1 else f"T{i}",
                     doi=f"10.5/{i}" if i % 3 else "") for i in range(1, N + 1)]

    def op(trial, k):
        i = 1 + (trial * 7 + k * 5) % N
        kind = "import" if mode == "import" and k % 4 == 3 else ("note" if k % 5 == 4 else "mark")
        return kind, i, STATUSES[(trial + k) % 3], f"note {trial}.{k}"

    def apply(model, o, trial, k):
        kind, i, status, note = o
        if kind == "mark":
            model["s"][i] = status
        elif kind == "note":
            model["n"][i] = note
        else:
            model["v"] = f"{trial}.{k}"

    def observe(lib):
        ws = {w.n: w for w in lib.works()}
        return {
            "s": {i: lib.state(ws[i]).status for i in ws},
            "n": {i: lib.state(ws[i]).note for i in ws},
            "v": ws[1].title.split(" v", 1)[1],
        }

    def child(trial, wfd):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        lib = None if mode == "cli" else Library(path, import_shipped=False)
        k = 0
        while True:
            kind, i, status, note = op(trial, k)
            if mode == "cli":
                from tui.cli import main
                argv = ["--db", path, "mark", f"ref{i}", status] if kind == "mark" else \
                       ["--db", path, "note", f"ref{i}", note]
                if main(argv) != 0:
                    os._exit(3)
            elif kind == "mark":
                w = lib.resolve(f"ref{i}")
                lib.set_status([w], status)
            elif kind == "note":
                lib.set_note(lib.resolve(f"ref{i}"), note)
            else:
                lib.import_review(Review(key="r", title_en="R"), works(f"{trial}.{k}"))
            os.write(wfd, b"%d\n" % k)
            k += 1

    if mode == "cli":  # imported once here, not again in every child
        import tui.cli, tui.paths, tui.query, tui.text  # noqa: E401, F401
    lib = Library(path, import_shipped=False)
    lib.import_review(Review(key="r", title_en="R"), works("0"))
    model = observe(lib)
    lib.close()
    acked_total = landed = 0
    torn = set()
    failures = []
    started = time.perf_counter()
    for trial in range(trials):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(r)
                child(trial, w)
            finally:
                os._exit(4)
        os.close(w)
        want = rng.randrange(0, 12)
        buf = b""
        while buf.count(b"\n") < want:
            chunk = os.read(r, 4096)
            if not chunk:
                break
            buf += chunk
        # a random moment inside the next mark (one takes a few milliseconds)
        t_end = time.perf_counter() + rng.random() * 0.006
        while time.perf_counter() < t_end:
            pass
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        while True:  # every acknowledgement written before the kill counts
            chunk = os.read(r, 4096)
            if not chunk:
                break
            buf += chunk
        os.close(r)
        if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
            failures.append(f"trial {trial}: child ended by itself ({status})")
            break
        # a kill inside a write, before its rename, leaves a temporary file
        torn |= {n for n in os.listdir(os.path.dirname(path)) if n.endswith(".tmp")}
        acked = [int(x) for x in buf.split()]
        if acked != list(range(len(acked))):
            failures.append(f"trial {trial}: acknowledgements out of order {acked}")
            break
        for k in acked:
            apply(model, op(trial, k), trial, k)
        acked_total += len(acked)
        try:
            got = observe(Library(path, import_shipped=False))
        except Exception as exc:
            failures.append(f"trial {trial}: the database does not load: {exc!r}")
            break
        got = json.loads(json.dumps(got))
        expect = json.loads(json.dumps(model))
        if got != expect:
            inflight = json.loads(json.dumps(model))
            apply(inflight, op(trial, len(acked)), trial, len(acked))
            inflight = json.loads(json.dumps(inflight))
            if got != inflight:
                failures.append(f"trial {trial}: acked {len(acked)}; disk {got} != {expect}")
                break
            landed += 1
            model = inflight
    print(json.dumps({"trials": trial + 1, "acked": acked_total, "landed": landed,
                      "torn_writes": len(torn), "failures": failures,
                      "seconds": time.perf_counter() - started}))
    """
)


@pytest.fixture
def crash_dir(tmp_path: Path):
    """A folder in memory (tmpfs) when there is one: a killed process leaves the
    same files on any file system, and without real fsyncs the trials run ~10x
    faster, so many more kills fit in the time."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="readinglist-crash-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_harness(tmp_path: Path, mode: str, trials: int) -> dict:
    seed = random.randrange(1 << 30)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", HARNESS, str(tmp_path / "lib.json"), mode, str(trials), str(seed)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["seed"] = seed
    return result


@pytest.mark.slow
@pytest.mark.parametrize(
    "mode, trials",
    [
        ("rewrite", 150),  # Library.set_status/set_note: small state file rewritten
        ("log", 150),  # big-library mode: append-only log, folded in now and then
        ("import", 100),  # marks and re-imports (the library file rewritten)
        ("cli", 100),  # the command line's main(): opens, marks, closes
    ],
)
def test_kill_9_while_marking_loses_no_acknowledged_mark(
    crash_dir: Path, mode: str, trials: int
) -> None:
    result = run_harness(crash_dir, mode, trials)
    assert result["failures"] == [], result
    assert result["trials"] == trials
    assert result["acked"] > trials
    print(mode, result)  # shown with pytest -s: the measured numbers
    lib = Library(crash_dir / "lib.json", import_shipped=False)
    assert len(lib.works()) == 24


@pytest.mark.slow
def test_kill_9_of_real_command_line_processes(tmp_path: Path) -> None:
    """The real `readinglist mark` process, killed anywhere from start-up to exit."""
    path = tmp_path / "lib.json"
    lib = Library(path, import_shipped=False)
    from tui.model import Review, Work

    lib.import_review(
        Review(key="r", title_en="R"),
        [Work(kind="reference", n=i, title=f"T{i}") for i in range(1, 9)],
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done: dict[int, str] = {}
    rng = random.Random()
    # measure one full run to spread the kills over its whole length
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "tui", "--db", str(path), "mark", "ref8", "reading"],
        env=env,
        check=True,
        capture_output=True,
    )
    full = time.perf_counter() - t0
    done[8] = "reading"
    finished = 0
    for trial in range(12):
        i = 1 + trial % 7
        status = ("read", "reading")[trial % 2]
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui", "--db", str(path), "mark", f"ref{i}", status],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            proc.wait(timeout=rng.random() * full * 1.2)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        fresh = Library(path, import_shipped=False)  # always loads
        got = fresh.state(fresh.resolve(f"ref{i}")).status
        if proc.returncode == 0:
            assert out.decode().strip() == f"r/ref{i}\t{status}"
            assert got == status
            finished += 1
        done_here = {j: s for j, s in done.items() if j != i}
        for j, s in done_here.items():
            assert fresh.state(fresh.resolve(f"ref{j}")).status == s
        done[i] = got  # killed: either value is fine, but it must stay as it is now
    print(f"real CLI kills: {12 - finished} killed, {finished} finished")
