"""A stage's experiment items and tree, rebuilt only when its journal, best node or plots change.

Checking every plot file on every scan would make an idle rescan cost one
``stat`` per plot (thousands in a long run). Instead all plot paths are checked
when the journal changes, when a folder holding the plot folders changes
(``experiment_results/``: a result folder came or went), when file
notifications name a plot or its folder, and every ``recheck`` seconds as a
safety net; plots still missing are checked on every scan, as they usually
appear shortly after the journal names them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from aisci_tui.sources.rundir.files import FileCache, finite
from aisci_tui.sources.rundir.model import PlotInfo, StageTree
from aisci_tui.sources.rundir.nodes import build_tree, experiment_payload, plot_specs
from aisci_tui.sources.rundir.snapshot import StageFiles

#: Seconds between checks of every plot file when nothing said one changed.
PLOT_RECHECK_SECONDS = 15.0

Prepared = tuple[str, str, float | None, dict[str, Any], str]
Prepare = Callable[[str, str, float | None, dict[str, Any]], Prepared]


class StageMemo:
    """What one stage's journal yields, cached against the journal object it came from."""

    def __init__(self, journal: dict[str, Any] | None, run_dir: Path) -> None:
        self.journal = journal
        data = journal or {}
        self.nodes = [n for n in data.get("nodes") or [] if isinstance(n, dict) and n.get("id")]
        self.specs = {str(n["id"]): plot_specs(run_dir, n) for n in self.nodes}
        #: Plot path -> whether it was a file at its last check.
        self.exists: dict[Path, bool] = {}
        #: Plot paths not found at their last check.
        self.missing: set[Path] = set()
        #: Folder -> the plot paths directly in it.
        self.by_dir: dict[Path, list[Path]] = {}
        for specs in self.specs.values():
            for path, _ in specs:
                if path not in self.exists:
                    self.exists[path] = False
                    self.by_dir.setdefault(path.parent, []).append(path)
        self.roots = sorted({folder.parent for folder in self.by_dir})
        self.stamp: tuple[int | None, ...] | None = None
        self.checked_at: float | None = None
        self.key: tuple[Any, ...] | None = None
        self.items: list[Prepared] = []
        self.tree = StageTree(stage="")
        self.plots: dict[str, list[PlotInfo]] = {}
        #: Items built but not yet turned into events by the reader.
        self.pending = False

    def _plots_to_check(self, cache: FileCache, hints: Collection[Path] | None,
                        recheck: float, now: float) -> list[Path]:
        stamp = tuple(st.st_mtime_ns if (st := cache.stat(root)) is not None else None for root in self.roots)
        if (self.checked_at is None or stamp != self.stamp or now - self.checked_at >= recheck
                or now < self.checked_at):
            self.stamp, self.checked_at = stamp, now
            return list(self.exists)
        paths = list(self.missing)
        for hint in hints or ():
            if hint in self.exists:
                paths.append(hint)
            paths += self.by_dir.get(hint, ())
        return paths

    def refresh(
        self,
        cache: FileCache,
        sf: StageFiles,
        prepare: Prepare,
        run_dir: Path,
        session_id: str,
        *,
        hints: Collection[Path] | None = None,
        recheck: float = PLOT_RECHECK_SECONDS,
    ) -> bool:
        """Bring the items up to date; True if they were rebuilt (and are now pending)."""
        changed = False
        for path in self._plots_to_check(cache, hints, recheck, time.monotonic()):
            found = cache.is_file(path)
            if self.exists[path] != found:
                self.exists[path] = found
                changed = True
            if found:
                self.missing.discard(path)
            else:
                self.missing.add(path)
        key = (sf.best_id, sf.journal_mtime)
        if key == self.key and not changed:
            return False
        self.key = key
        self.plots = {nid: [PlotInfo(path, self.exists[path], text) for path, text in specs]
                      for nid, specs in self.specs.items()}
        self.tree = build_tree(sf.name, self.journal or {}, sf.best_id, self.plots)
        by_id = {str(n["id"]): n for n in self.nodes}
        self.items = []
        for node in self.nodes:
            nid = str(node["id"])
            parent = self.tree.nodes[nid].parent
            data = experiment_payload(run_dir, session_id, sf.name, node, parent, nid == sf.best_id,
                                      self.plots[nid], by_id.get(parent) if parent else None)
            ctime, duration = finite(node.get("ctime")), finite(node.get("exec_time"))
            when = ctime if ctime is not None else sf.journal_mtime
            if when is not None and duration is not None:
                when += max(0.0, duration)
            self.items.append(prepare("experiment_results", data["experiment_id"], when, data))
        self.pending = True
        return True
