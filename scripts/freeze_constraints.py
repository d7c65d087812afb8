"""Write constraints.txt: the installed version of everything ``pip install '.[test]'`` pulls in.

Run it in an environment where ``.[test]`` was just installed (ideally a fresh virtualenv, with
``pip install -U '.[test]'`` to take the newest releases), check the suite passes, and commit the
file. CI installs with ``-c constraints.txt``, so a new release of a dependency cannot turn a
green main red overnight; it reaches CI when this file is refreshed.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[\s;<>=!~\[(]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _extras(requirement: str) -> list[str]:
    match = re.search(r"\[([^\]]+)\]", requirement.split(";")[0])
    return [e.strip() for e in match.group(1).split(",")] if match else []


def _applies(requirement: str, extras: list[str]) -> bool:
    """Whether a dependency line applies here (environment markers, and the extras asked for)."""
    if ";" not in requirement:
        return True
    from packaging.markers import Marker

    marker = Marker(requirement.split(";", 1)[1])
    return any(marker.evaluate({"extra": extra}) for extra in extras or [""])


def closure(requirements: list[str]) -> dict[str, str]:
    """Every distribution the requirements pull in, with its installed version."""
    pinned: dict[str, str] = {}
    todo = [(r, _extras(r)) for r in requirements]
    seen: set[tuple[str, tuple[str, ...]]] = set()
    while todo:
        requirement, extras = todo.pop()
        name = _name(requirement)
        if (name, tuple(extras)) in seen:
            continue
        seen.add((name, tuple(extras)))
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            sys.exit(f"{name} is not installed: install '.[test]' first")
        pinned[name] = dist.version
        for sub in dist.requires or []:
            if _applies(sub, extras):
                todo.append((sub, _extras(sub)))
    return pinned


def main() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"]) + list(project["optional-dependencies"]["test"])
    pinned = closure(wanted)
    lines = [f"{name}=={version}" for name, version in sorted(pinned.items())]
    header = (
        "# Versions CI installs (pip install -c constraints.txt '.[test]').\n"
        "# Refresh: python scripts/freeze_constraints.py (see README, Development).\n"
    )
    (ROOT / "constraints.txt").write_text(header + "\n".join(lines) + "\n")
    print(f"constraints.txt: {len(lines)} distributions")


if __name__ == "__main__":
    main()
