"""A stage's search tree as a Textual ``Tree``, updated node by node."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Tree
from textual.widgets._tree import TreeNode as WidgetNode

from aisci_tui.sources.rundir.model import StageTree, TreeNode
from aisci_tui.textsafe import clean
from aisci_tui.tui.widgets.tones import Palette

LABEL_LIMIT = 70

#: (symbol, word for the help line, tone) of each kind of node.
MARKS: dict[str, tuple[str, str, str]] = {
    "best": ("★", "best node", "success"),
    "completed": ("✓", "good", "primary"),
    "partial": ("◐", "ran, not good: plots rejected or unchecked, seed aggregate", "warning"),
    "failed": ("✖", "buggy", "error"),
}


def kind_of(node: TreeNode) -> str:
    if node.is_best:
        return "best"
    return node.status if node.status in MARKS else "partial"


def short_metric(metric: str | None) -> str | None:
    """The metric text as the bridge writes it (name, direction, value, dataset scope)."""
    return metric or None


def node_label(node: TreeNode, palette: Palette) -> Text:
    """``"★  1 improve · tuning: epochs · validation loss 0.4867 (mean of 3 datasets) ↓ · best"``.

    What tells nodes apart (step, kind and tag, verdict, metric or exception), readable without colour.
    """
    symbol, _, tone = MARKS[kind_of(node)]
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append(symbol, style=palette[tone])
    text.append(f" {node.step if node.step is not None else '?':>2} ", style=palette["muted"])
    text.append(clean(node.label or node.id, LABEL_LIMIT))
    if node.is_buggy:
        text.append(f" · {clean(node.exc_type, 40)}" if node.exc_type else " · buggy", style=palette["error"])
    else:
        if metric := short_metric(node.metric):
            text.append(f" · {clean(metric, 60)}", style=palette["accent"])
        if node.verdict:
            text.append(f" · {clean(node.verdict, 40)}", style=palette["warning"])
    if node.is_best:
        text.append(" · best", style=palette["success"])
    return text


class SearchTree(Tree[str], inherit_bindings=False):
    """Nodes by id; :meth:`show` adds, relabels or (when the shape changed) rebuilds."""

    DEFAULT_CSS = "SearchTree { height: 1fr; }"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Plots", id="tree.open"),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("left", "collapse_or_parent", "Collapse", show=False),
        Binding("right", "expand", "Expand", show=False),
        Binding("shift+up", "cursor_previous_sibling", "Previous sibling", show=False),
        Binding("shift+down", "cursor_next_sibling", "Next sibling", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "scroll_home", "Top", show=False),
        Binding("end", "scroll_end", "Bottom", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("search", id=id)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 3
        self._by_id: dict[str, WidgetNode[str]] = {}
        self._parent_of: dict[str, str | None] = {}
        self._label_of: dict[str, Text] = {}
        self.rebuilds = 0

    @property
    def node_ids(self) -> list[str]:
        """Ids in display order (for tests and exports)."""
        out: list[str] = []
        stack = list(reversed(self.root.children))
        while stack:
            node = stack.pop()
            if node.data is not None:
                out.append(node.data)
            stack.extend(reversed(node.children))
        return out

    def label_of(self, node_id: str) -> str:
        return self._label_of[node_id].plain

    @property
    def highlighted_id(self) -> str | None:
        node = self.cursor_node
        return node.data if node is not None else None

    def wipe(self) -> None:
        self.clear()
        self._by_id.clear()
        self._parent_of.clear()
        self._label_of.clear()

    def show(self, tree: StageTree, palette: Palette) -> None:
        """Make the widget show ``tree``, touching only what changed."""
        walk = tree.walk()
        roots = set(tree.roots)
        parents = {nid: None if nid in roots else node.parent for nid, node in tree.nodes.items()}
        gone = set(self._by_id) - set(tree.nodes)
        moved = any(nid in self._parent_of and self._parent_of[nid] != parent for nid, parent in parents.items())
        if gone or moved:
            keep = self.highlighted_id
            self.wipe()
            self.rebuilds += 1
            self._add_all(walk, tree, parents, palette)
            if keep is not None and keep in self._by_id:
                self.move_cursor(self._by_id[keep])
            return
        self._add_all(walk, tree, parents, palette)

    def _add_all(
        self, walk: list[tuple[int, TreeNode]], tree: StageTree, parents: dict[str, str | None], palette: Palette
    ) -> None:
        for _, node in walk:
            label = node_label(node, palette)
            widget = self._by_id.get(node.id)
            if widget is None:
                self._add(node, parents[node.id], tree, label)
            elif label != self._label_of[node.id]:
                self._label_of[node.id] = label
                widget.set_label(label)
            if widget is not None and node.children and not widget.allow_expand:
                widget.allow_expand = True
                widget.expand()

    def _add(self, node: TreeNode, parent_id: str | None, tree: StageTree, label: Text) -> None:
        parent = self._by_id[parent_id] if parent_id is not None else self.root
        siblings = tree.nodes[parent_id].children if parent_id is not None else tree.roots
        position = siblings.index(node.id) if node.id in siblings else len(siblings)
        before = None
        for later in siblings[position + 1 :]:
            if later in self._by_id:
                before = self._by_id[later]
                break
        if node.children:
            widget = parent.add(label, node.id, before=before, expand=True)
        else:
            widget = parent.add_leaf(label, node.id, before=before)
        self._by_id[node.id] = widget
        self._parent_of[node.id] = parent_id
        self._label_of[node.id] = label

    def select_id(self, node_id: str) -> bool:
        widget = self._by_id.get(node_id)
        if widget is None:
            return False
        self.move_cursor(widget)
        return True

    def action_collapse_or_parent(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
        elif node.parent is not None and not node.parent.is_root:
            self.move_cursor(node.parent)

    def action_expand(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand:
            node.expand()
