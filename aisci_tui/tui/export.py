"""Write what a view shows to a JSON or CSV file.

Values are exported in full (not truncated like the screen). In CSV, text
that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``,
``@``) gets a leading apostrophe, and terminal escape sequences are removed
so ``cat``-ing the file is safe. JSON keeps the values exactly.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aisci_tui.textsafe import clean

FORMATS = ("json", "csv")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportError(Exception):
    """The file could not be written; the message is a sentence for a person."""


def _plain(value: Any) -> Any:
    """JSON-able form of a value (pydantic models and datetimes included)."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def csv_cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = clean(text, None, newlines=True)
    if text.startswith(_FORMULA_START):
        text = "'" + text
    return text


def render(
    fmt: str, view_id: str, columns: Sequence[str], rows: Sequence[dict[str, Any]], exported_at: datetime
) -> str:
    if fmt == "json":
        doc = {
            "view": view_id,
            "exported_at": exported_at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "columns": list(columns),
            "rows": [{c: _plain(row.get(c)) for c in columns} for row in rows],
        }
        return json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False, default=str) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([csv_cell(c) for c in columns])
        for row in rows:
            writer.writerow([csv_cell(row.get(c)) for c in columns])
        return out.getvalue()
    raise ValueError(f"unknown export format {fmt!r}")


def export_filename(view_id: str, fmt: str, when: datetime) -> str:
    stamp = when.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    return f"aisci-{view_id}-{stamp}.{fmt}"


def write_export(
    directory: Path,
    fmt: str,
    view_id: str,
    columns: Sequence[str],
    rows: Sequence[dict[str, Any]],
    when: datetime | None = None,
) -> Path:
    """Write the file and return its path; never overwrites (adds ``-2``, ``-3``…)."""
    when = when or datetime.now(UTC)
    try:
        text = render(fmt, view_id, columns, rows, when)
    except ValueError as exc:
        raise ExportError(f"The {view_id} view could not be exported as {fmt.upper()}: {exc}.") from None
    directory = directory.expanduser()
    base = export_filename(view_id, fmt, when)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for n in range(1, 1000):
            name = base if n == 1 else base.replace(f".{fmt}", f"-{n}.{fmt}")
            path = directory / name
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                continue
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            return path
    except OSError as exc:
        raise ExportError(f"Could not write the export to {directory}: {exc.strerror or exc}.") from None
    raise ExportError(f"Too many exports named {base} in {directory}.")
