"""Textual internals the tables rely on: a Textual upgrade that removes one fails here, by name.

``KeyedTable`` (``aisci_tui/tui/widgets/table.py``) paints from its own row records through
``DataTable``'s private attributes, listed in its ``TEXTUAL_INTERNALS``. Textual is pinned below
its next major version in ``pyproject.toml``; before raising that bound, run this file against
the new version. Besides the list, the two table modules are searched for every private name of
``DataTable`` they touch, so a use that was never listed is checked too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.widgets import DataTable

from aisci_tui.tui.widgets import table as table_widget

ROOT = Path(__file__).resolve().parents[2]
TABLE_MODULES = ("aisci_tui/tui/widgets/table.py", "aisci_tui/tui/views/table.py")


def private_names(path: str) -> set[str]:
    return set(re.findall(r"\.(_[a-z][a-z0-9_]*)\b", (ROOT / path).read_text(encoding="utf-8")))


def datatable_privates_used() -> set[str]:
    """Private names used in the table modules that the installed DataTable has (ours or Textual's)."""
    probe = DataTable()
    own = set(vars(table_widget.KeyedTable)) - set(vars(DataTable))
    used = set().union(*(private_names(path) for path in TABLE_MODULES))
    return {name for name in used if hasattr(probe, name) and name not in own}


LISTED = tuple(table_widget.TEXTUAL_INTERNALS)
FOUND = tuple(sorted(datatable_privates_used() - set(LISTED)))


@pytest.mark.parametrize("name", LISTED + FOUND)
def test_datatable_still_has(name):
    assert hasattr(DataTable(), name), (
        f"Textual's DataTable no longer has {name!r}, which aisci_tui/tui/widgets/table.py relies on: "
        "adapt KeyedTable before allowing this Textual version"
    )


def test_the_methods_keyed_table_overrides_are_still_datatable_methods():
    """An override of a private method Textual renamed would silently never be called."""
    for name in LISTED:
        if name in vars(table_widget.KeyedTable):
            assert getattr(DataTable, name, None) is not None, f"DataTable.{name} is gone: the override is dead"


def test_the_two_way_dict_the_row_order_lives_in():
    from textual._two_way_dict import TwoWayDict

    order = TwoWayDict({"a": 0, "b": 1})
    assert order.get("b") == 1 and order.get_key(0) == "a", "TwoWayDict.get / get_key changed"
    assert hasattr(order, "_forward") and len(order._forward) == 2, "TwoWayDict._forward is gone"


def test_every_datatable_internal_the_tables_use_is_listed():
    assert FOUND == (), f"used but not in TEXTUAL_INTERNALS: {FOUND}"
