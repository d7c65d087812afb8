"""Names and places in an AI-Scientist-v2 run folder.

```
experiments/<YYYY-MM-DD_HH-MM-SS>_<idea>_attempt_<n>/
    idea.json  idea.md  bfts_config.yaml
    <n>-run/process_ForkProcess-<k>/          one folder per worker process
    logs/<n>-run/stage_<k>_<main>_<i>_<sub>/   journal.json, notes/stage_progress.json, ...
    logs/<n>-run/*_summary.json               after the tree search
    figures/  token_tracker.json  citations_progress.json  latex/  *.pdf  review_text.txt
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

RUN_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2})_(.+)_attempt_(\d+)$")
STAGE_NAME = re.compile(r"^stage_(\d+)_(.+?)_(\d+)_(.*)$")
RUN_LOG_DIR = re.compile(r"^(\d+)-run$")
WORKER_DIR = re.compile(r"^process_(.*?)(\d*)$")

#: The four main stages of the tree search, by number.
MAIN_STAGES: dict[int, str] = {
    1: "initial implementation",
    2: "baseline tuning",
    3: "creative research",
    4: "ablation studies",
}

#: Upstream's defaults, used when bfts_config.yaml does not say.
DEFAULT_MAX_ITERS: dict[int, int] = {1: 20, 2: 12, 3: 12, 4: 18}
DEFAULT_TIMEOUT = 3600.0
DEFAULT_CITE_ROUNDS = 20

SUMMARY_FILES = ("draft_summary.json", "baseline_summary.json", "research_summary.json", "ablation_summary.json")


@dataclass(frozen=True, slots=True)
class StageName:
    """A stage folder's name taken apart: ``stage_2_baseline_tuning_1_first_attempt``."""

    folder: str
    main: int
    main_name: str
    sub: int
    sub_name: str

    @property
    def key(self) -> str:
        """The name upstream uses for the stage (the folder name without ``stage_``)."""
        return self.folder.removeprefix("stage_")

    @property
    def label(self) -> str:
        main = MAIN_STAGES.get(self.main, self.main_name.replace("_", " "))
        sub = self.sub_name.replace("_", " ").strip()
        return f"Stage {self.main} {main} ({self.sub}{' ' + sub if sub else ''})"


def parse_stage(folder: str) -> StageName | None:
    m = STAGE_NAME.match(folder)
    if not m:
        return None
    return StageName(folder, int(m.group(1)), m.group(2), int(m.group(3)), m.group(4))


def parse_run_name(name: str) -> tuple[datetime | None, str, int | None]:
    """(start time, idea name, attempt) from a run folder's name; the time is local, made aware."""
    m = RUN_NAME.match(name)
    if not m:
        return None, name, None
    try:
        naive = datetime.strptime(m.group(1), "%Y-%m-%d_%H-%M-%S")
    except ValueError:
        return None, m.group(2), int(m.group(3))
    return naive.astimezone(), m.group(2), int(m.group(3))


def iso(ts: float | None) -> str | None:
    """Seconds since the epoch as the protocol's timestamp (UTC, milliseconds, ``Z``)."""
    if ts is None:
        return None
    try:
        moment = datetime.fromtimestamp(ts, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def looks_like_run(path: Path) -> bool:
    """A folder that an AI-Scientist-v2 run wrote (or is writing)."""
    try:
        if not path.is_dir():
            return False
        if RUN_NAME.match(path.name):
            return True
        return (path / "idea.json").is_file() or (path / "logs").is_dir()
    except OSError:
        return False


def worker_number(folder: str) -> int | None:
    m = WORKER_DIR.match(folder)
    if not m or not m.group(2):
        return None
    return int(m.group(2))


def resolve_in_run(run_dir: Path, recorded: str | None) -> Path | None:
    """Where a path written by upstream (relative to its working dir) is on this machine.

    Upstream records ``experiments/<run>/logs/...`` relative to the directory it was
    started from; the bridge may see the run folder anywhere, so the part after the
    run folder's name is re-rooted at ``run_dir``.
    """
    if not recorded or not isinstance(recorded, str):
        return None
    parts = Path(recorded).parts
    if run_dir.name in parts:
        parts = parts[len(parts) - parts[::-1].index(run_dir.name) :]
    elif Path(recorded).is_absolute():
        return None  # somewhere outside this run: not shown
    inside = [p for p in parts if p not in ("..", ".")]  # never climb out of the run folder
    return run_dir.joinpath(*inside) if inside else None
