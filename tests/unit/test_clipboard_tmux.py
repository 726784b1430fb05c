"""Copies inside a real tmux (and GNU screen) session land in its paste buffer.

Each test starts its own tmux server on a unique socket (`-L`), runs a copy from a
process inside one of its panes (so $TMUX is set as tmux sets it), waits for the result
file, reads the buffer back with `tmux show-buffer`, and kills the server.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from tui import clipboard

TEXT = "金诗炜, 潘萌萌. 既往[J]. 2025, 20(4): 289-295.\nTESKE N, FETT N. Recent advances[J]."

SCRIPT = """
import json, sys
from tui import clipboard
sent = []
r = clipboard.copy(sys.argv[2], terminal_copy=sent.append)
out = {"ok": r.ok, "method": r.method, "message": r.message, "where": r.where, "sent": sent}
with open(sys.argv[1] + ".tmp", "w") as f:
    json.dump(out, f)
import os
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
# keep the pane, and so the server and its buffer, alive until the test ends it:
# a server whose last pane exits goes away before `show-buffer` can ask it
sys.stdin.read()
"""

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def wait_for(path: Path, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE", "STY")}
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "SSH_CONNECTION", "SSH_TTY"):
        env.pop(name, None)  # no system clipboard: the multiplexer is the way
    return env


@pytest.fixture
def tmux_server(tmp_path):
    """Start a server with the given config lines; yield a `tmux -L sock` runner."""
    socket = f"readinglist-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    started = []

    def start(config: str, command: list[str]):
        conf = tmp_path / "tmux.conf"
        conf.write_text(config)
        env = clean_env()
        subprocess.run(
            ["tmux", "-L", socket, "-f", str(conf) if config else "/dev/null"]
            + ["new-session", "-d", "-x", "80", "-y", "24", "--", *command],
            env=env,
            check=True,
            timeout=10,
        )
        started.append(socket)

        def tmux(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                ["tmux", "-L", socket, *args], env=env, capture_output=True, timeout=10
            )

        return tmux

    yield start
    for name in started:
        subprocess.run(["tmux", "-L", name, "kill-server"], capture_output=True, timeout=10)


def copy_inside(tmux_server, tmp_path, config: str):
    script = tmp_path / "copy_inside.py"  # not copy.py: that is a stdlib module
    script.write_text(SCRIPT)
    result = tmp_path / "result.json"
    tmux = tmux_server(config, [sys.executable, str(script), str(result), TEXT])
    wait_for(result, "the copy inside tmux")
    return json.loads(result.read_text()), tmux


@needs_tmux
@pytest.mark.parametrize(
    "config, setting",
    [("", "external"), ("set -g set-clipboard on\n", "on")],
    ids=["default-config", "set-clipboard-on"],
)
def test_a_copy_inside_tmux_lands_in_its_buffer(tmux_server, tmp_path, config, setting):
    r, tmux = copy_inside(tmux_server, tmp_path, config)
    buffer = tmux("show-buffer")
    assert buffer.returncode == 0, buffer.stderr
    assert buffer.stdout.decode("utf-8") == TEXT
    assert (r["ok"], r["method"]) == (True, "tmux")
    assert r["sent"] == []  # no OSC 52 for tmux to drop
    assert r["message"] == "Copied to " + clipboard.TMUX_WHERE[setting]
    assert "tmux's paste buffer" in r["message"] and "\n" not in r["message"]


@needs_tmux
def test_with_set_clipboard_off_the_message_names_the_setting(tmux_server, tmp_path):
    r, tmux = copy_inside(tmux_server, tmp_path, "set -g set-clipboard off\n")
    assert tmux("show-buffer").stdout.decode("utf-8") == TEXT
    assert r["ok"] and "set -g set-clipboard on" in r["message"]
    assert "does not get it" in r["message"]


@needs_tmux
def test_a_dead_tmux_server_is_not_reported_as_a_copy(monkeypatch, tmp_path):
    """$TMUX names a server that is gone: fall back, and claim nothing for OSC 52."""
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "SSH_CONNECTION", "SSH_TTY", "STY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TMUX", f"{tmp_path}/no-such-socket,1,0")
    sent = []
    r = clipboard.copy("text", terminal_copy=sent.append)
    assert sent == ["text"]
    assert (r.ok, r.method) == (False, "terminal")
    assert "may not pass it on" in r.message and "set -g set-clipboard on" in r.message
    assert "copy by hand" in r.message


needs_screen = pytest.mark.skipif(shutil.which("screen") is None, reason="screen not installed")


@needs_screen
def test_a_copy_inside_gnu_screen_lands_in_its_buffer(tmp_path):
    name = f"rl{uuid.uuid4().hex[:8]}"
    script = tmp_path / "copy_inside.py"  # not copy.py: that is a stdlib module
    script.write_text(SCRIPT)
    result = tmp_path / "result.json"
    env = clean_env()
    # a private socket folder, with a short path (a socket's path has at most 107 bytes)
    env["SCREENDIR"] = tempfile.mkdtemp(prefix="rl-screen-")
    subprocess.run(
        ["screen", "-dmS", name, sys.executable, str(script), str(result), TEXT],
        env=env,
        check=True,
        timeout=10,
    )
    try:
        wait_for(result, "the copy inside screen")
        r = json.loads(result.read_text())
        assert (r["ok"], r["method"]) == (True, "screen"), r
        assert r["sent"] == []
    finally:
        subprocess.run(["screen", "-S", name, "-X", "quit"], env=env, capture_output=True)
        shutil.rmtree(env["SCREENDIR"], ignore_errors=True)
