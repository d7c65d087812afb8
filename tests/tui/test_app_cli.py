"""The `aisci-tui` root command and `aisci-tui demo`, run as a person would (subprocess, real terminal)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.pty import Pty

CLI = [sys.executable, "-m", "aisci_tui"]


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AISCI_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "xdg"), HOME=str(tmp_path), TERM="xterm-256color")
    env.update(extra)
    return env


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=20, env=env_for(tmp_path, **env), cwd=tmp_path
    )


def test_help_documents_config_env_and_exit_codes(tmp_path):
    started = time.perf_counter()
    out = run(tmp_path, "--help")
    elapsed = time.perf_counter() - started
    assert out.returncode == 0
    text = " ".join(out.stdout.split())
    for needle in (
        "config.toml",
        "XDG_CONFIG_HOME",
        "--config",
        "AISCI_URL",
        "AISCI_REFRESH_HZ",
        "AISCI_API_KEY",
        "Exit codes",
        "3 authentication failed",
        "--session",
        "--theme",
        "--no-mouse",
        "--refresh-hz",
        "wss://api.ai-scientist.com/ws",
        "[keymap]",
        "NO_COLOR",
    ):
        assert needle in text, needle
    assert "--naive-render" not in text
    assert elapsed < 3.0  # generous for a loaded machine; interactive runs take ~0.2 s


def test_broken_config_is_one_sentence_and_exit_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("refresh_hz = [\n")
    out = run(tmp_path, "--config", str(bad))
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert "not valid TOML" in out.stderr


def test_unknown_theme_and_keymap_are_usage_errors(tmp_path):
    out = run(tmp_path, "demo", "--theme", "neon")
    assert out.returncode == 2 and "Unknown theme 'neon'" in out.stderr and "aisci-16" in out.stderr
    cfg = tmp_path / "c.toml"
    cfg.write_text('[keymap]\npaws = "space"\n')
    out = run(tmp_path, "demo", "--config", str(cfg))
    assert out.returncode == 2 and "unknown binding 'paws'" in out.stderr


def test_missing_credentials_exit_3_before_the_screen_opens(tmp_path):
    out = run(tmp_path, "--url", "ws://127.0.0.1:9/ws")
    assert out.returncode == 3
    assert "AISCI_API_KEY" in out.stderr and "Traceback" not in out.stderr
    assert "\x1b[" not in out.stdout  # the terminal was never switched to the dashboard


def test_dashboard_options_before_a_subcommand_are_refused(tmp_path):
    out = run(tmp_path, "--session", "s1", "events")
    assert out.returncode == 2 and "--session belongs to the dashboard" in out.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_demo_comes_up_live_promptly_and_sighup_exits_cleanly(tmp_path):
    """``demo`` shows a live screen (connection open, rates, the tabs) without waiting on anything.

    What this guards is that start-up never stalls: no retry, timeout or back-off on the way to the
    first live screen. On a busy 2-core machine that screen appears after about 1.5 s; the 6 s bound
    leaves room for a loaded CI runner and is still below the client's 10 s open timeout, so a
    start-up that waits for a timeout fails. How fast the first frame comes (about 0.5 s) is a
    measurement, made in ``benchmarks/startup.py``, not a test.
    """
    term = Pty([*CLI, "demo", "--seed", "7", "--speed", "5"], env_for(tmp_path), tmp_path, size=(100, 30))
    try:
        started = time.monotonic()
        live = term.read_until(["● open".encode(), b"ev/s", b"Agents"], timeout=8.0)
        elapsed = time.monotonic() - started
        assert live, term.output[-2000:]
        assert elapsed < 6.0, f"took {elapsed:.2f}s: start-up waited on something"
        term.drain(0.5)
        term.proc.send_signal(signal.SIGHUP)
        code = term.proc.wait(10)
        term.drain(0.3)
    finally:
        term.close()
    assert code == 0
    assert b"Traceback" not in term.output
    assert b"\x1b[?1000h" in term.output  # mouse reporting on by default
    assert b"\x1b[?1049l" in term.output  # left the alternate screen: the terminal is restored


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_no_mouse_leaves_the_mouse_to_the_terminal_and_q_quits(tmp_path):
    term = Pty([*CLI, "demo", "--seed", "8", "--no-mouse"], env_for(tmp_path), tmp_path, size=(80, 24))
    try:
        assert term.read_until(["● open".encode(), b"Quit"], timeout=8.0), term.output[-2000:]
        os.write(term.master, b"q")
        code = term.proc.wait(10)
        term.drain(0.3)
    finally:
        term.close()
    assert code == 0
    assert b"\x1b[?1000h" not in term.output and b"\x1b[?1003h" not in term.output
    assert b"Traceback" not in term.output


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_ctrl_c_quits_like_q(tmp_path):
    term = Pty([*CLI, "demo", "--seed", "8"], env_for(tmp_path), tmp_path, size=(80, 24))
    try:
        assert term.read_until(["● open".encode(), b"Quit"], timeout=8.0), term.output[-2000:]
        os.write(term.master, b"\x03")  # what the terminal sends for Ctrl-C
        code = term.proc.wait(10)
        term.drain(0.3)
    finally:
        term.close()
    assert code == 0
    assert b"Traceback" not in term.output and b"Do you want to quit" not in term.output
    assert b"\x1b[?1049l" in term.output  # the terminal is restored
