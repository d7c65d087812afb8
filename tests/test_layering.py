"""The engine (protocol, client, store, sources, server) imports no Textual."""

from __future__ import annotations

import subprocess
import sys

ENGINE = [
    "aisci_tui.protocol",
    "aisci_tui.store",
    "aisci_tui.sources.base",
    "aisci_tui.sources.fanin",
    "aisci_tui.textsafe",
    "aisci_tui.cli",
    "aisci_tui.tui.ingest",  # Pump and RenderGate: usable without the app (README, library use)
]
OPTIONAL = ["aisci_tui.client", "aisci_tui.server", "aisci_tui.sources.rundir", "aisci_tui.sources.replay"]


def imported_after(module: str) -> set[str]:
    code = f"import importlib, sys, json;importlib.import_module({module!r});print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    import json

    return set(json.loads(out.stdout))


def test_engine_modules_do_not_import_textual():
    import importlib.util

    modules = ENGINE + [m for m in OPTIONAL if importlib.util.find_spec(m) is not None]
    for module in modules:
        loaded = imported_after(module)
        assert not any(m == "textual" or m.startswith("textual.") for m in loaded), module
