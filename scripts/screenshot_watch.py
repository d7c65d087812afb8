"""Save an SVG picture of ``aisci-tui watch RUN`` for the README.

    python scripts/screenshot_watch.py ../shared/reference/ai-scientist-v2-run/mid/experiments/<run> \
        --out screenshots/watch.svg

Runs the real dashboard headless on the run folder (read only), waits until
the folder has been read, switches to the view asked for (the search tree by
default) and writes the screen with ``App.save_screenshot``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

VIEW_KEYS = {"research": "1", "agents": "2", "experiments": "3", "ethics": "4", "events": "5", "tree": "6"}


async def shoot(run: Path, out: Path, *, view: str, size: tuple[int, int], images: str) -> Path:
    from aisci_tui.settings import Settings
    from aisci_tui.sources.rundir import RunSource
    from aisci_tui.tui.run.apps import watch_app
    from aisci_tui.tui.run.images import TEXT_ONLY, probe

    support = probe("blocks") if images == "blocks" else TEXT_ONLY
    source = RunSource(run, poll_interval=0.2, watch=False)
    app = watch_app(source, run, settings=Settings.model_construct(), images=support)
    async with app.run_test(size=size) as pilot:
        version = -1
        for _ in range(200):  # until the folder is read and nothing new arrives for a moment
            await pilot.pause(0.1)
            if app.store.sessions and app.store.version == version:
                break
            version = app.store.version
        await pilot.press(VIEW_KEYS[view])
        await pilot.pause(1.0)  # plots are decoded in a worker thread
        out.parent.mkdir(parents=True, exist_ok=True)
        written = app.save_screenshot(filename=out.name, path=str(out.parent))
    await source.aclose()
    return Path(written)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="an AI-Scientist-v2 run folder")
    parser.add_argument("--out", type=Path, default=Path("screenshots/watch.svg"))
    parser.add_argument("--view", choices=sorted(VIEW_KEYS), default="tree")
    parser.add_argument("--size", default="120x36", help="columns x rows (default 120x36)")
    parser.add_argument(
        "--images",
        choices=("blocks", "off"),
        default="blocks",
        help="draw the plots as coloured blocks, or describe them only",
    )
    args = parser.parse_args()
    from aisci_tui.sources.rundir import classify

    if classify(args.run) != "run":
        print(f"{args.run} is not an AI-Scientist-v2 run folder.", file=sys.stderr)
        return 2
    cols, _, rows = args.size.partition("x")
    written = asyncio.run(
        shoot(args.run.resolve(), args.out, view=args.view, size=(int(cols), int(rows)), images=args.images)
    )
    print(written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
