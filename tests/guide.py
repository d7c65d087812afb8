"""Reads the protocol guide's examples at test time (the guide itself is not part of the repo).

The guide and the reference run folder live in ``../shared``, next to the checkout. Tests that
read them skip when it is missing on a developer's machine, and fail under CI (``CI=true``),
where a missing ``../shared`` means the tests that need it would silently not run.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
GUIDE = SHARED / "protocol" / "websocket-integration-guide.md"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require_shared(path: Path, what: str) -> None:
    """Skip (fail under CI) unless ``path``, something in ``../shared``, exists."""
    if path.exists():
        return
    message = f"{what} not found at {path} (../shared is not next to this checkout)"
    if in_ci():
        pytest.fail(f"{message}; under CI it must be there", pytrace=False)
    pytest.skip(message)


def guide_text() -> str:
    require_shared(GUIDE, "the protocol guide")
    return GUIDE.read_text(encoding="utf-8")


def _balanced(text: str, start: int) -> str:
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
    raise ValueError("unbalanced braces")


def _js_to_json(literal: str) -> str:
    text = re.sub(r"//[^\n]*", "", literal)
    text = re.sub(r"\b(generateMessageId\(\)|newToken)", '"generated"', text)
    text = text.replace("'", '"')
    text = re.sub(r"([{,]\s*)([A-Za-z_]\w*)\s*:", r'\1"\2":', text)
    text = re.sub(r",(\s*[}\]])", r"\1", text)
    return text


def guide_messages() -> list[tuple[str, dict]]:
    """Every message example in the guide as (label, object): JSON blocks and JS ``send`` literals."""
    text = guide_text()
    out: list[tuple[str, dict]] = []
    for n, block in enumerate(re.findall(r"```json\n(.*?)```", text, re.S)):
        try:
            obj = json.loads(block)
        except json.JSONDecodeError:
            obj = json.loads(_js_to_json(block))
        out.append((f"json#{n}:{obj.get('type')}", obj))
    for n, m in enumerate(re.finditer(r"JSON\.stringify\(\{", text)):
        literal = _balanced(text, m.end() - 1)
        if "type:" not in literal or "..." in literal:
            continue
        obj = json.loads(_js_to_json(literal))
        if not isinstance(obj.get("data"), dict):
            continue
        out.append((f"js#{n}:{obj.get('type')}", obj))
    return out
