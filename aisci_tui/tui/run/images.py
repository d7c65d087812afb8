"""Drawing plots in the terminal with textual-image, when it is installed and the terminal can.

textual-image asks the terminal what it supports when it is first imported,
which only works before a Textual app owns the terminal: call :func:`probe`
in the command, before the app starts, and hand the result to the view.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: ``--images`` choices: detect, force coloured half-cell blocks, or never draw.
MODES = ("auto", "blocks", "off")
#: Image files larger than this are described, never decoded.
MAX_IMAGE_BYTES = 20 * 1024 * 1024
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"})


@dataclass(frozen=True, slots=True)
class ImageSupport:
    """How plots are drawn: a widget class (or None) and a few words for the pane."""

    widget: Any | None  # a textual_image widget class
    method: str

    @property
    def enabled(self) -> bool:
        return self.widget is not None


TEXT_ONLY = ImageSupport(None, "text only")


def probe(mode: str = "auto") -> ImageSupport:
    """Which way this terminal can draw images; never raises."""
    if mode == "off":
        return ImageSupport(None, "images turned off")
    quiet = logging.getLogger("textual_image")  # its terminal queries log warnings we do not want on screen
    if not quiet.handlers:
        quiet.addHandler(logging.NullHandler())
        quiet.propagate = False
    try:
        if mode == "blocks":
            from textual_image.widget import HalfcellImage

            return ImageSupport(HalfcellImage, "half-cell blocks")
        from textual_image import renderable
        from textual_image.widget import Image
    except ImportError:
        return ImageSupport(None, "textual-image is not installed: reinstall aisci-tui to draw plots")
    except Exception as exc:  # noqa: BLE001 - a terminal query that went wrong must not stop the command
        return ImageSupport(None, f"images unavailable ({type(exc).__name__})")
    kinds = {
        renderable.SixelImage: "sixel graphics",
        renderable.TGPImage: "kitty graphics",
        renderable.HalfcellImage: "half-cell blocks",
    }
    method = kinds.get(renderable.Image)
    if method is None:  # not a terminal: the unicode fallback is too coarse for a plot
        return ImageSupport(None, "this terminal cannot draw images")
    return ImageSupport(Image, method)


def drawable(path: Path, root: Path | None = None) -> str | None:
    """None if ``path`` may be decoded and drawn, else why not (a few words)."""
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        return "not an image file"
    if root is not None:
        try:
            path.resolve().relative_to(root.resolve())
        except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop
            return "outside the run folder"
    info = _regular(path)
    if isinstance(info, str):
        return "not on this machine" if info == MISSING else info
    if info.st_size > MAX_IMAGE_BYTES:
        return "too large to draw"
    return None


def describe(path: Path) -> str:
    """``"34.2 kB, 1200×900 px"``, ``"missing"``, … (the pixel size only for PNG files)."""
    info = _regular(path)
    if isinstance(info, str):
        return info
    size = _bytes(info.st_size)
    dims = png_size(path) if path.suffix.lower() == ".png" else None
    return f"{size}, {dims[0]}×{dims[1]} px" if dims else size


MISSING = "missing"


def _regular(path: Path) -> os.stat_result | str:
    """The file's status, or why it is not a regular file here (``MISSING`` when it is not there)."""
    try:
        info = path.stat()
    except (OSError, ValueError):
        return MISSING
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    return info


def _bytes(n: int) -> str:
    if n < 1000:
        return f"{n} B"
    value = float(n)
    for unit in ("kB", "MB"):
        value /= 1000
        if value < 1000:
            return f"{value:.1f} {unit}"
    return f"{value / 1000:.1f} GB"


def png_size(path: Path) -> tuple[int, int] | None:
    """Width and height from a PNG's header, without decoding it."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(24)
    except (OSError, ValueError):
        return None
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


#: Images with more pixels than this are described, never decoded.
MAX_PIXELS = 40_000_000
#: Decoded images are shrunk to fit in this many pixels each way (terminal cells are coarse).
MAX_SIDE = 1600


class ImageLoadError(Exception):
    """An image file that cannot be decoded; the message is a few words."""


def load_image(path: Path) -> Any:
    """The decoded image (a PIL image, shrunk if large), for a textual-image widget.

    Runs in a worker thread: decoding a large PNG must not stall the screen.
    Raises :class:`ImageLoadError`.
    """
    try:
        from PIL import Image
    except ImportError:
        raise ImageLoadError("Pillow is not installed") from None
    try:
        with Image.open(path) as img:
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise ImageLoadError(f"{width}×{height} px is too large to draw")
            img.load()
            out = img.convert("RGBA") if img.mode not in ("RGB", "RGBA") else img.copy()
    except ImageLoadError:
        raise
    except Exception as exc:  # noqa: BLE001 - PIL raises many kinds of errors for broken files
        raise ImageLoadError(f"the image could not be decoded ({type(exc).__name__})") from None
    out.thumbnail((MAX_SIDE, MAX_SIDE))
    return out
