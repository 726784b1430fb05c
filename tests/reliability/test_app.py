"""The app under another process's writes, a failing disk, and kill -9 while marking.

Pilot tests of what the app already does (tui/app/app.py): it re-reads the library
every two seconds (`MainScreen.check_external_changes`, called directly here rather
than waiting), and a mark that cannot be saved is reported while the app runs on.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from tests.helpers import SIZE, notifications, settle
from tui.app.app import ReadingListApp
from tui.store import Library

ROOT = Path(__file__).resolve().parents[2]


async def test_app_shows_what_another_process_changed(db: Path) -> None:
    lib = Library(db)
    app = ReadingListApp(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.main
        assert app.sub_title == "0/58 read"
        other = Library(db)  # the command line, in another process
        other.set_status([other.resolve("ref1"), other.resolve("rel2")], "read")
        other.set_note(other.resolve("ref1"), "seen elsewhere")
        screen.check_external_changes()  # what the app's 2 s timer calls
        await settle(pilot)
        assert app.sub_title == "2/58 read"
        assert screen.refs.border_title.startswith("References 1/43")
        assert screen.rels.border_title.startswith("Related 1/15")
        # and the app's next mark keeps the other process's marks
        await pilot.press("down", "space")  # ref2
        await settle(pilot)
        fresh = Library(db)
        read = {w.local_id for w in fresh.works() if fresh.state(w).status == "read"}
        assert read == {"ref1", "ref2", "rel2"}
        assert fresh.state(fresh.resolve("ref1")).note == "seen elsewhere"


async def test_app_runs_on_and_says_so_when_the_disk_fails(db: Path, monkeypatch) -> None:
    lib = Library(db)
    state_file = db.with_name("db.state.json")
    app = ReadingListApp(lib)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space")  # ref1 read: saved
        await settle(pilot)
        before = state_file.read_bytes()

        def full(fd):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "fsync", full)
        await pilot.press("down", "space")  # ref2: cannot be saved
        await settle(pilot)
        assert any("No space left on device" in n for n in notifications(app))
        assert app.is_running
        assert lib.save_error is not None  # what a lasting "not saved" indicator reads
        assert app.sub_title.startswith("1/58 read")  # the screen shows what is saved
        # and says, until a write works again, that marks are not being kept
        assert "changes are NOT being saved" in app.sub_title
        assert "No space left on device" in app.sub_title
        assert state_file.read_bytes() == before
        monkeypatch.undo()
        await pilot.press("space")  # the disk works again
        await settle(pilot)
        assert app.sub_title == "2/58 read" and lib.save_error is None
    fresh = Library(db)
    assert {w.local_id for w in fresh.works() if fresh.state(w).status == "read"} == {
        "ref1",
        "ref2",
    }


# --- kill -9 while marking in the app ---------------------------------------------------

HARNESS = textwrap.dedent(
    r"""
    import asyncio, json, os, random, signal, sys, time
    from tui.store import Library
    from tui.app.app import ReadingListApp

    path, trials, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    Library(path).close()  # imports the shipped review once

    def child(wfd):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        lib = Library(path)
        app = ReadingListApp(lib)

        async def run():
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                screen = app.main
                k = 0
                while True:
                    w = screen.active.highlighted
                    # what the space key runs (pressing keys through Pilot costs
                    # 0.2 s of screen updates each; every 8th mark goes that way)
                    if k % 8 == 7:
                        await pilot.press("space")
                    else:
                        screen.action_toggle_read()
                    st = lib.state(w).status
                    os.write(wfd, (json.dumps([w.local_id, st]) + "\n").encode())
                    screen.active.cursor = (screen.active.cursor + 1) % 43
                    k += 1
                    if k % 4 == 0:
                        await pilot.pause()

        asyncio.run(run())

    model = {}
    kills = acked_total = 0
    failures = []
    for trial in range(trials):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(r)
                child(w)
            finally:
                os._exit(4)
        os.close(w)
        want = rng.randrange(1, 40)
        buf = b""
        while buf.count(b"\n") < want:
            chunk = os.read(r, 4096)
            if not chunk:
                break
            buf += chunk
        t_end = time.perf_counter() + rng.random() * 0.01
        while time.perf_counter() < t_end:
            pass
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        while True:
            chunk = os.read(r, 4096)
            if not chunk:
                break
            buf += chunk
        os.close(r)
        kills += 1
        acks = [json.loads(x) for x in buf.decode().splitlines()]
        if not acks:
            failures.append(f"trial {trial}: the app marked nothing")
            break
        for local, status in acks:
            model[local] = status
        acked_total += len(acks)
        try:
            lib = Library(path)
        except Exception as exc:
            failures.append(f"trial {trial}: the database does not load: {exc!r}")
            break
        # only the mark in flight, on the row after the last acknowledged one, may differ
        last = int(acks[-1][0][3:])
        inflight = f"ref{last % 43 + 1}"
        for local, status in model.items():
            got = lib.state(lib.resolve(local)).status
            if got != status and local != inflight:
                failures.append(f"trial {trial}: {local} is {got}, acknowledged {status}")
        # the one unacknowledged mark may have landed: take the disk's word for it
        model = {w.local_id: lib.state(w).status for w in lib.works()}
        if failures:
            break
    print(json.dumps({"kills": kills, "acked": acked_total, "failures": failures}))
    """
)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_kill_9_while_marking_in_the_app(tmp_path: Path) -> None:
    seed = random.randrange(1 << 30)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # in memory when possible: a killed process leaves the same files anywhere
    shm = Path("/dev/shm")
    folder = tmp_path
    if shm.is_dir() and os.access(shm, os.W_OK):
        folder = Path(tempfile.mkdtemp(prefix="readinglist-app-", dir=shm))
    try:
        proc = subprocess.run(
            [sys.executable, "-c", HARNESS, str(folder / "db.json"), "4", str(seed)],
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
    finally:
        if folder != tmp_path:
            shutil.rmtree(folder, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print("app kill -9:", result, "seed", seed)
    assert result["failures"] == [], result
    assert result["kills"] == 4 and result["acked"] >= 4
