"""`aisci-tui watch` as a person runs it: bad paths, a run in a real terminal, the run list."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from aisci_tui.tui.run.picker import RunPicker
from tests.bridge.helpers import cli_env, wait_until
from tests.bridge.runwriter import early_run, failed_run, finished_run, mid_run
from tests.pty import Pty

CLI = [sys.executable, "-m", "aisci_tui"]
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


def run_cli(tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=30, env=cli_env(tmp_path), cwd=tmp_path
    )


def test_a_path_that_is_not_a_run_is_one_sentence_and_exit_2(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "notes.txt").write_text("hello")
    cases = {
        str(tmp_path / "missing"): "does not exist",
        str(plain / "notes.txt"): "is a file",
        str(plain): "is not an AI-Scientist-v2 run folder",
    }
    for path, words in cases.items():
        out = run_cli(tmp_path, "watch", path)
        assert out.returncode == 2, (path, out.stderr)
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0] and "Traceback" not in out.stderr
        assert "\x1b[" not in out.stdout  # the screen was never taken over
    out = run_cli(tmp_path, "serve", "--from-run", str(plain))
    assert out.returncode == 2 and "is not an AI-Scientist-v2 run folder" in out.stderr


def test_an_unwritable_recording_is_one_sentence_and_exit_2(tmp_path):
    run = mid_run(tmp_path)
    out = run_cli(tmp_path, "watch", str(run.path), "--record", str(tmp_path / "no" / "such" / "dir.jsonl"))
    assert out.returncode == 2 and "Cannot record to" in out.stderr and "Traceback" not in out.stderr


@posix_only
def test_watch_a_run_in_a_terminal_record_it_and_quit(tmp_path):
    run = mid_run(tmp_path)
    record = tmp_path / "watched.jsonl"
    term = Pty(
        [*CLI, "watch", str(run.path), "--images", "off", "--record", str(record)], env=cli_env(tmp_path), cwd=tmp_path
    )
    try:
        assert term.wait_for("● open", "Toy Idea: Does It Work?", "Stage 2 baseline tuning"), term.output[-3000:]
        term.send("6")
        assert term.wait_for("4 nodes: ", "tuning: learning rate"), term.output[-3000:]
        term.send("q")
        code = term.finish()
    finally:
        term.close()
    assert code == 0 and b"Traceback" not in term.output
    assert b"\x1b[?1049l" in term.output  # the terminal was given back
    assert stat.S_IMODE(os.stat(record).st_mode) == 0o600
    lines = record.read_bytes().splitlines()
    assert sum(b'"experiment_results"' in line for line in lines) == 8  # one per node id


@posix_only
def test_an_experiments_folder_is_watched_whole_every_run_a_session(tmp_path):
    early_run(tmp_path, name="2025-06-10_08-00-00_older_idea_attempt_0", title="An Older Idea")
    finished_run(tmp_path, name="2025-06-12_09-00-00_newer_idea_attempt_1", title="A Newer Idea")
    term = Pty([*CLI, "watch", str(tmp_path / "experiments"), "--images", "off"], env=cli_env(tmp_path), cwd=tmp_path)
    try:
        assert term.wait_for("All sessions (2)", "An Older Idea", "A Newer Idea"), term.output[-3000:]
        term.send("q")
        code = term.finish()
    finally:
        term.close()
    assert code == 0 and b"Traceback" not in term.output


def test_several_run_folders_are_watched_together(tmp_path):
    early = early_run(tmp_path, name="2025-06-10_08-00-00_older_idea_attempt_0", title="An Older Idea")
    newer = finished_run(tmp_path, name="2025-06-12_09-00-00_newer_idea_attempt_1", title="A Newer Idea")
    term = Pty(
        [*CLI, "watch", str(early.path), str(newer.path), "--images", "off"], env=cli_env(tmp_path), cwd=tmp_path
    )
    try:
        assert term.wait_for("All sessions (2)", "An Older Idea", "A Newer Idea"), term.output[-3000:]
        term.send("q")
        code = term.finish()
    finally:
        term.close()
    assert code == 0 and b"Traceback" not in term.output


def test_pick_lists_the_runs_and_opens_the_chosen_one(tmp_path):
    early_run(tmp_path, name="2025-06-10_08-00-00_older_idea_attempt_0", title="An Older Idea")
    finished_run(tmp_path, name="2025-06-12_09-00-00_newer_idea_attempt_1", title="A Newer Idea")
    term = Pty(
        [*CLI, "watch", str(tmp_path / "experiments"), "--pick", "--images", "off"], env=cli_env(tmp_path), cwd=tmp_path
    )
    try:
        assert term.wait_for("2 runs in", "newer_idea", "older_idea", "finished"), term.output[-3000:]
        term.send("\r")  # the newest is highlighted first
        assert term.wait_for("● open", "A Newer Idea"), term.output[-3000:]
        term.send("q")
        code = term.finish()
    finally:
        term.close()
    assert code == 0 and b"Traceback" not in term.output


async def test_the_run_list_is_newest_first_with_states(tmp_path):
    early_run(tmp_path, name="2025-06-10_08-00-00_early_attempt_0")
    failed_run(tmp_path, name="2025-06-11_08-00-00_broken_attempt_0")
    finished_run(tmp_path, name="2025-06-12_08-00-00_done_attempt_2")
    picker = RunPicker(tmp_path / "experiments")
    async with picker.run_test(size=(140, 30)) as pilot:
        await wait_until(pilot, lambda: len(picker.runs) == 3, what="three runs")
        assert [r.idea for r in picker.runs] == ["done", "broken", "early"]
        assert [r.state for r in picker.runs] == ["finished", "failed", "stage 1 stalled"]  # its nodes are old
        table = picker.query_one("DataTable")
        assert table.get_cell_at((0, 2)).plain == "2" and "finished" in table.get_cell_at((0, 3)).plain
        await pilot.press("down", "enter")
    assert picker.return_value == tmp_path / "experiments" / "2025-06-11_08-00-00_broken_attempt_0"

    quitter = RunPicker(tmp_path / "experiments")
    async with quitter.run_test() as pilot:
        await wait_until(pilot, lambda: quitter.runs, what="the runs")
        await pilot.press("q")
    assert quitter.return_value is None
