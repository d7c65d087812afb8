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
from aisci_tui.sources.rundir.nodes import build_tree, membership, plot_specs
from aisci_tui.sources.rundir.snapshot import StageFiles

#: Seconds between checks of every plot file when nothing said one changed.
PLOT_RECHECK_SECONDS = 15.0

Prepared = tuple[str, str, float | None, dict[str, Any], str]
Prepare = Callable[[str, str, float | None, dict[str, Any]], Prepared]


class Place:
    """One node of one stage: the node, its plots, its place in the stage's tree, its time."""

    __slots__ = ("node", "place", "plots", "when")

    def __init__(self, node: dict[str, Any], plots: list[PlotInfo], place: dict[str, Any], when: float | None) -> None:
        self.node, self.plots, self.place, self.when = node, plots, place, when


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
        self.places: list[Place] = []
        self.tree = StageTree(stage="")
        self.plots: dict[str, list[PlotInfo]] = {}

    def _plots_to_check(
        self, cache: FileCache, hints: Collection[Path] | None, recheck: float, now: float
    ) -> list[Path]:
        stamp = tuple(st.st_mtime_ns if (st := cache.stat(root)) is not None else None for root in self.roots)
        if self.checked_at is None or stamp != self.stamp or now - self.checked_at >= recheck or now < self.checked_at:
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
        best_id: str | None,
        carried: dict[str, str],
        *,
        hints: Collection[Path] | None = None,
        recheck: float = PLOT_RECHECK_SECONDS,
    ) -> bool:
        """Bring the tree and places up to date; True if they were rebuilt.

        ``best_id``: the stage's best node (progress.stage_infos); ``carried``: ids of
        earlier stages, with the stage's short name.
        """
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
        carried_here = {nid: carried[nid] for nid in self.specs if nid in carried}
        key = (best_id, sf.journal_mtime, tuple(sorted(carried_here.items())))
        if key == self.key and not changed:
            return False
        self.key = key
        self.plots = {
            nid: [PlotInfo(path, self.exists[path], text) for path, text in specs] for nid, specs in self.specs.items()
        }
        self.tree = build_tree(sf.name, self.journal or {}, best_id, self.plots, carried_here)
        self.places = []
        for node in self.nodes:
            nid = str(node["id"])
            shown = self.tree.nodes[nid]
            ctime, duration = finite(node.get("ctime")), finite(node.get("exec_time"))
            # the run's clock: the node's ctime and exec_time (a file's time only when it has none)
            when = ctime if ctime is not None else sf.journal_mtime
            if when is not None and duration is not None:
                when += max(0.0, duration)
            place = membership(sf.name, node, shown.parent, nid == best_id, shown.label)
            self.places.append(Place(node, self.plots[nid], place, when))
        return True
