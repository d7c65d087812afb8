#!/usr/bin/env python3
"""Write SVG screenshots of every dashboard view (and the help screen) into ``screenshots/``.

The pictures come from the seeded simulator with frozen clocks, so running
this again without code changes gives the same files. ``--png`` also writes
PNGs when ``cairosvg`` is installed (``pip install cairosvg``; not a project
dependency).

    python scripts/make_screenshots.py [--out screenshots] [--png]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

#: (file stem, keys to press, terminal size, theme)
SHOTS: list[tuple[str, list[str], tuple[int, int], str]] = [
    ("home", [], (120, 36), "aisci-dark"),
    ("home-80x24", [], (80, 24), "aisci-dark"),
    ("home-200x50", [], (200, 50), "aisci-dark"),
    ("session-charts", ["enter"], (120, 36), "aisci-dark"),
    ("research", ["1"], (120, 36), "aisci-dark"),
    ("agents", ["2"], (120, 36), "aisci-dark"),
    ("experiments", ["3"], (120, 36), "aisci-dark"),
    ("ethics", ["4"], (120, 36), "aisci-dark"),
    ("events", ["5"], (120, 36), "aisci-dark"),
    ("help", ["question_mark"], (120, 36), "aisci-dark"),
    ("agents-80x24", ["2"], (80, 24), "aisci-dark"),
    ("research-light", ["1"], (120, 36), "aisci-light"),
    ("agents-16-colours", ["2"], (120, 36), "aisci-16"),
]


async def shoot(stem: str, keys: list[str], size: tuple[int, int], theme: str, out: Path) -> Path:
    from aisci_tui.tui.seeded import seeded_app

    app = seeded_app(theme=theme)
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.2)
        for key in keys:
            await pilot.press(key)
        await pilot.pause(0.3)
        svg = app.export_screenshot(title=f"aisci-tui — {stem}")
    path = out / f"{stem}.svg"
    path.write_text(svg, encoding="utf-8")
    return path


def to_png(svg: Path) -> Path | None:
    try:
        import cairosvg
    except ImportError:
        return None
    png = svg.with_suffix(".png")
    cairosvg.svg2png(url=str(svg), write_to=str(png))
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "screenshots")
    parser.add_argument("--png", action="store_true", help="also write PNGs (needs cairosvg)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for stem, keys, size, theme in SHOTS:
        svg = asyncio.run(shoot(stem, keys, size, theme, args.out))
        line = f"{svg}"
        if args.png:
            png = to_png(svg)
            line += f"  {png}" if png else "  (no PNG: pip install cairosvg)"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
