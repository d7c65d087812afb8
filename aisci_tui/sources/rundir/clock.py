"""The run's own clock: when it started, what it last did, and whether it is being written now.

File modification times are not the run's times: copying, ``rsync`` without
``-t``, unpacking an archive or a network file system reset them. The run's
own times are the stamp in its folder's name (``launch_scientist_bfts.py``
names the folder ``datetime.now().strftime("%Y-%m-%d_%H-%M-%S")``, local time
of the machine that ran it), each node's ``ctime`` (``Node.ctime``, set when the
node is made) and ``exec_time``. File times only say whether the run is being
written *right now*, and they count as the run's times only while they agree
with the node times (the newest journal was saved after its newest node ran).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from aisci_tui.sources.rundir.layout import RUN_NAME

#: How far before the first node the folder's stamp may lie, read in the viewer's zone.
FIRST_NODE_WITHIN = 6 * 3600.0
#: A journal saved this long after its newest node ran still agrees with it (plots, VLM review, seeds).
SAVE_LAG = 3 * 3600.0
#: A journal saved this long before its newest node was made cannot be the run's own time.
SKEW = 120.0


@dataclass(slots=True)
class NodeTimes:
    """The node times of one journal: first creation, newest end (``ctime + exec_time``)."""

    first: float | None
    newest: float | None


@dataclass(slots=True)
class RunClock:
    started: float | None
    #: The newest time the run itself recorded (node ends; file times too while they are trusted).
    latest: float | None
    newest_node: float | None
    files_trusted: bool
    #: Files are changing now: seen changing while watched, or trusted and newer than the timeout.
    writing: bool
    #: Not ended, not being written, and nothing newer than the execution timeout.
    stalled: bool
    now: float

    def elapsed(self) -> float | None:
        if self.started is None:
            return None
        end = self.now if self.writing else self.latest
        return max(0.0, end - self.started) if end is not None else None


def folder_stamp(name: str, first_node: float | None) -> float | None:
    """The folder name's start time, in the zone that puts it shortly before the first node.

    The name is the local time of the machine that ran it, which need not be the
    viewer's. Of the viewer's zone and every whole-hour offset from UTC, the one
    that puts the start closest before the first node is used (the viewer's zone
    on a tie); half-hour offsets only when no whole-hour one fits. A run whose
    first node came more than an hour after its start may so be placed in a
    zone up to an hour off.
    """
    m = RUN_NAME.match(name)
    if not m:
        return None
    try:
        naive = datetime.strptime(m.group(1), "%Y-%m-%d_%H-%M-%S")
    except ValueError:
        return None
    local = naive.astimezone().timestamp()
    if first_node is None:
        return local
    as_utc = naive.replace(tzinfo=UTC).timestamp()
    for step in (3600.0, 1800.0):
        candidates = [local] + [as_utc - k * step for k in range(int(-12 * 3600 / step), int(14 * 3600 / step) + 1)]
        fits = [(first_node - c, i, c) for i, c in enumerate(candidates) if 0.0 <= first_node - c <= FIRST_NODE_WITHIN]
        if fits:
            return min(fits)[2]
    return local


def files_agree(journal_mtime: float | None, times: NodeTimes) -> bool:
    """Whether a journal's modification time fits the nodes it holds (it was saved after they ran)."""
    if journal_mtime is None or times.newest is None:
        return True
    return times.newest - SKEW <= journal_mtime <= times.newest + SAVE_LAG


def run_clock(
    name: str,
    stages: list[tuple[float | None, NodeTimes]],
    last_change: float | None,
    first_change: float | None,
    observed_change: float | None,
    recorded: float | None,
    timeout: float,
    ended: bool,
    now: float,
) -> RunClock:
    """``stages``: (journal modification time, node times) of each stage, in order.

    ``observed_change``: when a file was last seen changing while watched (None if never);
    ``recorded``: the newest time the run recorded after its tree search (LLM reply times).
    """
    firsts = [t.first for _, t in stages if t.first is not None]
    ends = [t.newest for _, t in stages if t.newest is not None]
    first_node = min(firsts) if firsts else None
    newest_node = max(ends) if ends else None
    newest_journal = max(stages, key=lambda s: s[1].newest or 0.0) if ends else None
    trusted = newest_journal is None or files_agree(*newest_journal)
    started = folder_stamp(name, first_node)
    if started is None:
        started = first_node if first_node is not None else (first_change if trusted else None)
    candidates = [t for t in (newest_node, recorded, last_change if trusted else None) if t is not None]
    latest = max(candidates) if candidates else started
    seen = observed_change is not None and now - observed_change <= timeout
    fresh = trusted and last_change is not None and now - last_change <= timeout
    writing = not ended and (seen or fresh)
    stalled = not ended and not writing and (latest is None or now - latest > timeout)
    return RunClock(started, latest, newest_node, trusted, writing, stalled, now)
