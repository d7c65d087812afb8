"""The guide's own Python client, loaded from the guide at run time (never copied here).

It is the baseline a user would otherwise start from: ``json.loads`` per frame
and a dictionary of handlers per message type.
"""

from __future__ import annotations

import re
import types
import warnings
from pathlib import Path

from benchmarks.harness import ROOT

GUIDE = ROOT.parent / "shared" / "protocol" / "websocket-integration-guide.md"


class GuideMissing(RuntimeError):
    pass


def guide_source(path: Path = GUIDE) -> str:
    """The class definition from the guide's "Python Client" section (without its usage example)."""
    if not path.exists():
        raise GuideMissing(f"protocol guide not found at {path}")
    text = path.read_text(encoding="utf-8")
    section = text.split("### Python Client", 1)
    if len(section) != 2:
        raise GuideMissing("the guide has no 'Python Client' section")
    block = re.search(r"```python\n(.*?)```", section[1], re.S)
    if not block:
        raise GuideMissing("the guide's Python Client section has no code block")
    code = block.group(1).split("\n# Usage example", 1)[0]
    if "class AIScientistWebSocket" not in code:
        raise GuideMissing("the guide's Python client no longer defines AIScientistWebSocket")
    return code


def load_guide_client(path: Path = GUIDE) -> type:
    """``AIScientistWebSocket`` as the guide defines it."""
    module = types.ModuleType("aisci_guide_client")
    code = compile(guide_source(path), str(path), "exec")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        exec(code, module.__dict__)  # noqa: S102 - the guide's published example, run as a baseline
    return module.AIScientistWebSocket
