"""The reader never raises on files caught mid-write, deleted, unreadable or gone."""

from __future__ import annotations

import os
import shutil

from aisci_tui.sources.rundir import RunReader
from tests.bridge.helpers import by_type, one
from tests.bridge.runwriter import RunWriter, mid_run


def texts(reader: RunReader) -> list[str]:
    return [n.text for n in reader.take_notices()]


def exp_ids(events) -> set[str]:
    return {e.data.experiment_id for e in by_type(events, "experiment_results")}


def test_half_written_journal_keeps_the_last_good_content_and_is_retried(tmp_path):
    run = mid_run(tmp_path)
    reader = RunReader(run.path)
    assert len(exp_ids(reader.scan())) == 8  # 9 journal entries, 8 node ids
    s2 = run.stages[1]
    nid = s2.add_node(parent=s2.nodes[0]["id"], loss=0.2)
    s2.write()
    s2.write_partial(0.6)
    events = reader.scan()
    assert nid not in exp_ids(events)
    notices = reader.take_notices()
    assert len(notices) == 1 and "journal.json is incomplete" in notices[0].text
    assert notices[0].kind == "info" and notices[0].severity == "info"
    assert s2.folder in next(iter(reader.problems)) and reader.retry_soon
    assert reader.tree(s2.folder) is not None and len(reader.tree(s2.folder).nodes) == 4  # old content
    reader.scan()
    assert reader.take_notices() == []  # the same problem is reported once
    s2.write()
    assert nid in exp_ids(reader.scan())
    assert any("can be read again" in t for t in texts(reader))
    assert reader.problems == {} and not reader.retry_soon


def test_problems_of_a_removed_folder_are_forgotten(tmp_path):
    run = mid_run(tmp_path)
    s2 = run.stages[1]
    s2.write_partial(0.5)
    reader = RunReader(run.path)
    reader.scan()
    assert reader.problems and reader.retry_soon
    shutil.rmtree(s2.path)
    reader.scan()
    assert reader.problems == {} and not reader.retry_soon


def test_journal_half_written_on_first_sight_yields_its_nodes_once_complete(tmp_path):
    run = RunWriter(tmp_path)
    s1 = run.stage(1)
    s1.add_node()
    s1.add_node(buggy=True)
    s1.write()
    s1.write_partial(0.3)
    reader = RunReader(run.path)
    events = reader.scan()
    assert exp_ids(events) == set()
    # the stage still counts from notes/stage_progress.json
    assert one(events, "research_progress").data.nodes["total"] == 2
    s1.write()
    assert len(exp_ids(reader.scan())) == 2


def test_files_deleted_under_the_reader(tmp_path):
    run = mid_run(tmp_path)
    reader = RunReader(run.path)
    reader.scan()
    s2 = run.stages[1]
    (s2.path / "journal.json").unlink()
    (s2.path / "notes" / "stage_progress.json").unlink()
    (run.path / "idea.json").unlink()
    shutil.rmtree(run.logs / "experiment_results")
    events = reader.scan()
    assert any("disappeared" in t for t in texts(reader))
    assert reader.tree(s2.folder) is not None  # what it last held
    # plots are gone, so experiments that showed them are updated without them
    updated = by_type(events, "experiment_results")
    assert len(updated) == 5 and all(not e.data.results.visualizations for e in updated)  # one per node id
    shutil.rmtree(s2.path)
    events = reader.scan()
    progress = one(events, "research_progress").data
    assert progress.phase_key == "stage_2" and progress.current_phase.endswith("(starting)")
    s2.path.mkdir()
    s2.write()
    assert one(reader.scan(), "research_progress").data.current_phase == "Stage 2 baseline tuning (1 first attempt)"


def test_a_folder_in_place_of_a_file_and_a_file_in_place_of_a_folder(tmp_path):
    # running as root, chmod does not stop reads; these make reads fail the same way
    run = mid_run(tmp_path)
    reader = RunReader(run.path)
    reader.scan()
    s2 = run.stages[1]
    journal = s2.path / "journal.json"
    journal.unlink()
    journal.mkdir()
    notes = s2.path / "notes"
    shutil.rmtree(notes)
    notes.write_text("not a folder")
    reader.scan()
    problems = reader.problems
    assert any("journal.json is not a regular file" in p for p in problems.values())
    warnings = [n for n in reader.take_notices() if n.severity == "warning"]
    assert warnings and all(n.kind == "info" for n in warnings)
    journal.rmdir()
    notes.unlink()
    s2.write()
    reader.scan()
    assert reader.problems == {}


def test_logs_run_folder_replaced_by_a_file(tmp_path):
    run = mid_run(tmp_path)
    reader = RunReader(run.path)
    reader.scan()
    backup = tmp_path / "moved"
    shutil.move(run.logs, backup)
    run.logs.write_text("oops")
    events = reader.scan()  # no stages are visible now; nothing raises
    assert one(events, "research_progress").data.phase_key == "stage_1"
    run.logs.unlink()
    shutil.move(backup, run.logs)
    assert one(reader.scan(), "research_progress").data.phase_key == "stage_2"


def test_a_fifo_is_not_opened(tmp_path):
    # opening a FIFO for reading would block the reader forever
    run = mid_run(tmp_path)
    best = run.stages[1].path / "best_node_id.txt"
    best.unlink()
    os.mkfifo(best)
    reader = RunReader(run.path)
    reader.scan()
    assert any("best_node_id.txt is not a regular file" in p for p in reader.problems.values())


def test_symlink_loop_is_a_problem_not_a_crash(tmp_path):
    run = mid_run(tmp_path)
    loop = run.stages[1].path / "notes" / "stage_progress.json"
    loop.unlink()
    loop.symlink_to(loop)
    reader = RunReader(run.path)
    events = reader.scan()
    assert one(events, "research_progress").data.phase_key == "stage_2"
    assert any("stage_progress.json" in k for k in reader.problems)


def test_run_folder_that_disappears_and_comes_back(tmp_path):
    run = mid_run(tmp_path)
    reader = RunReader(run.path)
    first = reader.scan()
    assert reader.exists
    away = tmp_path / "away"
    shutil.move(run.path, away)
    assert reader.scan() == []
    assert not reader.exists
    notices = texts(reader)
    assert any("is not there" in t for t in notices)
    assert reader.scan() == [] and texts(reader) == []  # said once
    shutil.move(away, run.path)
    assert reader.scan() == []  # nothing changed meanwhile, so nothing new
    assert any("is back" in t for t in texts(reader)) and reader.exists
    assert first


def test_a_reader_of_a_folder_that_never_existed(tmp_path):
    reader = RunReader(tmp_path / "nope")
    assert reader.scan() == []
    assert reader.stages == [] and reader.status is None and reader.tree("stage_1") is None
    assert any("is not there" in n.text for n in reader.take_notices())


def test_bad_config_and_idea_fall_back_to_defaults(tmp_path):
    run = mid_run(tmp_path)
    (run.path / "bfts_config.yaml").write_text("agent: [unclosed\n")
    (run.path / "idea.json").write_text("[1, 2, 3]")
    reader = RunReader(run.path)
    progress = one(reader.scan(), "research_progress").data
    assert progress.title == run.name
    assert reader.stages[1].max_iters == 12  # upstream's default for stage 2


def test_recorded_paths_never_lead_out_of_the_run_folder(tmp_path):
    from aisci_tui.sources.rundir.layout import resolve_in_run

    run = tmp_path / "experiments" / "2025-06-12_09-13-56_x_attempt_0"
    assert resolve_in_run(run, f"experiments/{run.name}/logs/0-run/a.png") == run / "logs/0-run/a.png"
    assert resolve_in_run(run, f"/home/someone/AI-Scientist-v2/experiments/{run.name}/f.png") == run / "f.png"
    assert resolve_in_run(run, "../../logs/0-run/b.png") == run / "logs/0-run/b.png"
    assert resolve_in_run(run, f"experiments/{run.name}/../../../etc/passwd") == run / "etc/passwd"
    assert resolve_in_run(run, "/etc/passwd") is None
    assert resolve_in_run(run, "..") is None and resolve_in_run(run, None) is None


def test_a_rewrite_within_one_timestamp_grain_is_still_seen(tmp_path):
    """Same size, same mtime_ns (a coarse file-system clock): a recent file is read again until it settles."""
    from aisci_tui.sources.rundir.files import SETTLE_SECONDS, FileCache

    now = [1_000_000.0]
    cache = FileCache(clock=lambda: now[0])
    path = tmp_path / "stage_progress.json"
    path.write_text('{"total_nodes": 20}')
    stamp = int((now[0] - 0.001) * 1e9)
    os.utime(path, ns=(stamp, stamp))
    first = cache.json(path)
    assert first == {"total_nodes": 20}
    assert cache.json(path) is first  # unchanged bytes: the same object, nothing to rebuild
    path.write_text('{"total_nodes": 21}')
    os.utime(path, ns=(stamp, stamp))  # the second write landed in the same grain
    assert cache.json(path) == {"total_nodes": 21}
    now[0] += SETTLE_SECONDS + 1  # settled: from now on (mtime, size) decides
    settled = cache.json(path)
    path.write_text('{"total_nodes": 22}')
    os.utime(path, ns=(stamp, stamp))
    assert cache.json(path) is settled
