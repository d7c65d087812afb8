"""Reading files that another process rewrites in place, without ever raising.

A run folder's JSON files are rewritten after every step, not atomically, so a
reader can meet a truncated file, a file that vanished for a moment, or a path
it may not open. :class:`FileCache` re-reads a file only when its
``(mtime_ns, size)`` changed, keeps the last good content when a new read fails,
retries failed reads on every call, and records each problem once.

File systems keep modification times at a coarse grain (a few milliseconds,
whole seconds on some network shares), so a file rewritten twice within one
grain with the same size keeps its ``(mtime_ns, size)``. A file read while its
modification time is that recent is read again on the next call until it has
settled; unchanged bytes keep the same parsed object.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat as stat_mod
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import yaml

from aisci_tui.values import finite as finite  # the rundir modules import it from here

#: Files larger than this are not parsed (a run's JSON files are far smaller).
MAX_BYTES = 256 * 1024 * 1024
#: A file modified less than this long before it was read may change again unseen.
SETTLE_SECONDS = 2.0


def load_json(raw: bytes) -> Any:
    """Parse JSON; Python's writer emits NaN/Infinity, which orjson refuses, so fall back."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


def load_yaml(raw: bytes) -> Any:
    # upstream's per-stage config.yaml carries python tags; the run's bfts_config.yaml does not
    return yaml.load(raw, Loader=_LenientLoader)  # noqa: S506 - the loader below builds no objects


class _LenientLoader(yaml.SafeLoader):
    """A safe loader that turns unknown ``!!python/...`` tags into plain values."""


def _construct_unknown(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_LenientLoader.add_multi_constructor("tag:yaml.org,2002:python/", _construct_unknown)


@dataclass(slots=True)
class _Entry:
    key: tuple[int, int] | None = None  # (mtime_ns, size) of the good content
    value: Any = None
    mtime: float | None = None
    ok: bool = False  # last attempt succeeded for ``key``
    digest: bytes = b""  # of the raw bytes of the good content
    settled: bool = False  # read long enough after its last change


class FileCache:
    """Cached, fault-tolerant reads of the files in one folder tree."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        #: The wall clock, to compare with modification times (never a simulated clock).
        self.clock = clock
        self._entries: dict[tuple[Path, str], _Entry] = {}
        #: Current problems by path: a short sentence each. Cleared when a read succeeds.
        self.problems: dict[Path, str] = {}
        #: Problems that appeared or cleared since :meth:`take_problem_changes`.
        self._pending: list[tuple[Path, str | None]] = []
        #: Paths whose last read found content still being written (worth retrying soon).
        self.transient: set[Path] = set()
        self._touched: set[Path] = set()

    # -- problems ---------------------------------------------------------------

    def _problem(self, path: Path, text: str | None) -> None:
        if self.problems.get(path) == text:
            return
        if text is None:
            if path not in self.problems:
                return
            del self.problems[path]
        else:
            self.problems[path] = text
        self._pending.append((path, text))

    def begin(self) -> None:
        """Start a pass over the folder; see :meth:`finish`."""
        self._touched = set()

    def finish(self) -> None:
        """Forget problems of paths this pass did not look at (their folder went away)."""
        for path in [p for p in self.problems if p not in self._touched]:
            del self.problems[path]
            self.transient.discard(path)

    def take_problem_changes(self) -> list[tuple[Path, str | None]]:
        """Problems that appeared (text) or went away (None) since the last call."""
        out, self._pending = self._pending, []
        return out

    # -- stat and listing -------------------------------------------------------

    def stat(self, path: Path) -> os.stat_result | None:
        """The file's stat, or None if it is missing or cannot be looked at."""
        self._touched.add(path)
        try:
            st = path.stat()
        except FileNotFoundError:
            self._looked(path)
            return None
        except OSError as exc:
            self._problem(path, f"cannot look at {path.name}: {_reason(exc)}")
            return None
        self._looked(path)
        return st

    def _looked(self, path: Path) -> None:
        """A stat that works again ends a "cannot look at" problem (other problems stay with their reads)."""
        if self.problems.get(path, "").startswith("cannot look at "):
            self._problem(path, None)

    def is_file(self, path: Path) -> bool:
        st = self.stat(path)
        return st is not None and stat_mod.S_ISREG(st.st_mode)

    def is_dir(self, path: Path) -> bool:
        st = self.stat(path)
        return st is not None and stat_mod.S_ISDIR(st.st_mode)

    def listdir(self, path: Path) -> list[os.DirEntry[str]]:
        """Entries of a folder, sorted by name; [] if missing, not a folder or unreadable."""
        self._touched.add(path)
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except FileNotFoundError:
            self._problem(path, None)
            return []
        except NotADirectoryError:
            self._problem(path, f"{path.name} should be a folder but is a file")
            return []
        except OSError as exc:
            self._problem(path, f"cannot list {path.name}: {_reason(exc)}")
            return []
        self._problem(path, None)
        return entries

    # -- content ----------------------------------------------------------------

    def json(self, path: Path) -> Any:
        return self._read(path, "json", load_json)

    def yaml(self, path: Path) -> Any:
        return self._read(path, "yaml", load_yaml)

    def text(self, path: Path) -> str | None:
        return self._read(path, "text", lambda raw: raw.decode("utf-8", errors="replace"))

    def parsed(self, path: Path, kind: str, parse: Callable[[bytes], Any]) -> Any:
        """The file read with ``parse`` (cached like the others under ``kind``)."""
        return self._read(path, kind, parse)

    def mtime(self, path: Path, kind: str = "json") -> float | None:
        """Modification time of the content last read successfully with ``kind``."""
        entry = self._entries.get((path, kind))
        return entry.mtime if entry else None

    def _read(self, path: Path, kind: str, parse: Callable[[bytes], Any]) -> Any:
        entry = self._entries.setdefault((path, kind), _Entry())
        self._touched.add(path)
        self.transient.discard(path)
        try:
            st = path.stat()
        except FileNotFoundError:
            if entry.key is not None:
                self._problem(path, f"{path.name} disappeared; showing what it last held")
            return entry.value
        except OSError as exc:
            self._problem(path, f"cannot look at {path.name}: {_reason(exc)}")
            return entry.value
        key = (st.st_mtime_ns, st.st_size)
        if entry.ok and key == entry.key and entry.settled:
            return entry.value
        if not stat_mod.S_ISREG(st.st_mode):
            self._problem(path, f"{path.name} is not a regular file")
            return entry.value
        if st.st_size > MAX_BYTES:
            self._problem(path, f"{path.name} is too large to read ({st.st_size} bytes)")
            return entry.value
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
        except FileNotFoundError:
            return entry.value
        except OSError as exc:
            entry.ok = False
            self._problem(path, f"cannot read {path.name}: {_reason(exc)}")
            return entry.value
        digest = hashlib.blake2b(raw, digest_size=16).digest()
        settled = self.clock() - st.st_mtime >= SETTLE_SECONDS
        if entry.ok and digest == entry.digest:
            entry.key, entry.mtime, entry.settled = key, st.st_mtime, settled
            self._problem(path, None)
            return entry.value
        try:
            value = parse(raw)
        except (ValueError, yaml.YAMLError, RecursionError):
            # most likely caught mid-rewrite: keep the old content, try again next time
            entry.ok = False
            self.transient.add(path)
            self._problem(path, f"{path.name} is incomplete or not valid yet; will retry")
            return entry.value
        entry.key, entry.value, entry.mtime, entry.ok = key, value, st.st_mtime, True
        entry.digest, entry.settled = digest, settled
        self._problem(path, None)
        return value

    def forget(self, path: Path) -> None:
        """Drop everything cached for ``path`` and any problem recorded for it."""
        for kind in ("json", "yaml", "text"):
            self._entries.pop((path, kind), None)
        self._problem(path, None)


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
