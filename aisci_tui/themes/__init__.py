"""Colour themes, one TOML file each.

The bundled themes live next to this module and ship inside the package; a
user may add more as ``*.toml`` files in ``$XDG_CONFIG_HOME/aisci-tui/themes/``
(a user theme with a bundled theme's name replaces it). A file holds the
fields of :class:`textual.theme.Theme` (``name``, ``primary``, ``dark``,
``background``…, and a ``[variables]`` table).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.theme import Theme

_COLOURS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
#: What a theme file may set: its name, the colours, and Textual's other theme fields.
_FIELDS = {"name", *_COLOURS, "dark", "luminosity_spread", "text_alpha", "variables", "ansi"}


class ThemeError(Exception):
    """A theme file that cannot be used; the message names the file and the reason."""


def bundled_theme_files() -> list[Path]:
    """The theme files shipped with the package, sorted by name."""
    root = resources.files(__name__)
    return sorted(
        (Path(str(entry)) for entry in root.iterdir() if entry.name.endswith(".toml")),
        key=lambda p: p.name,
    )


def user_theme_dir() -> Path:
    from aisci_tui.settings import config_dir

    return config_dir() / "themes"


def bundled_theme_names() -> list[str]:
    return [p.stem for p in bundled_theme_files()]


def parse_theme(path: Path) -> Theme:
    """One theme file as a Textual theme; raises :class:`ThemeError`."""
    from textual.color import Color, ColorParseError
    from textual.theme import Theme

    try:
        spec: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemeError(f"Could not read the theme file {path}: {exc}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"The theme file {path} is not valid TOML: {exc}.") from None
    spec.setdefault("name", path.stem)
    unknown = sorted(set(spec) - _FIELDS)
    if unknown:
        raise ThemeError(f"The theme file {path} has unknown field(s): {', '.join(unknown)}.")
    if not isinstance(spec.get("primary"), str):
        raise ThemeError(f'The theme file {path} must set primary = "<colour>".')
    variables = spec.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
        raise ThemeError(f'The theme file {path} has a [variables] table that is not name = "value" pairs.')
    for key in _COLOURS:
        value = spec.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ThemeError(f"The theme file {path}: {key} must be a colour string.")
        if value != "ansi_default":
            try:
                Color.parse(value)
            except ColorParseError:
                raise ThemeError(f"The theme file {path}: {key} = {value!r} is not a colour.") from None
    try:
        return Theme(**spec)
    except (TypeError, ValueError) as exc:
        raise ThemeError(f"The theme file {path} is not a valid theme: {exc}.") from None


def load_themes(extra_dirs: Iterable[Path] = ()) -> tuple[dict[str, Theme], list[str]]:
    """Bundled themes plus any in ``extra_dirs``; also the problems with files that were skipped.

    A broken user theme is skipped with a warning; a broken bundled theme is a bug and raises.
    """
    themes: dict[str, Theme] = {}
    for path in bundled_theme_files():
        theme = parse_theme(path)
        themes[theme.name] = theme
    problems: list[str] = []
    for directory in extra_dirs:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            try:
                theme = parse_theme(path)
            except ThemeError as exc:
                problems.append(str(exc))
                continue
            themes[theme.name] = theme
    return themes, problems
