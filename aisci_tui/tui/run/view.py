"""The Tree view: a stage's search, parent → children, best and buggy nodes marked, plots beside it.

Built from the experiments in the store (the bridge tags each with its stage,
step, parent and best flag), so it works for a watched folder, a replay, and a
remote ``serve --from-run``. ``[`` and ``]`` step through the stages; the view
follows the newest stage until one is picked.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.widgets import Static, Tree

from aisci_tui.sources.rundir.model import StageTree
from aisci_tui.store import Changes, Store
from aisci_tui.textsafe import clean
from aisci_tui.tui.run import searchtree
from aisci_tui.tui.run.images import TEXT_ONLY, ImageSupport
from aisci_tui.tui.run.plots import PlotPane
from aisci_tui.tui.run.searchtree import StageKey, StageSummary
from aisci_tui.tui.run.tree import MARKS, SearchTree, short_metric
from aisci_tui.tui.views.base import StoreView, ViewContext

#: At least this many columns put the plots beside the tree instead of under it.
SIDE_BY_SIDE = 110

EMPTY = (
    "No search tree yet. The tree view shows AI-Scientist-v2 tree searches: "
    "`aisci-tui watch RUN_FOLDER`, a replayed recording of one, or a server started with "
    "`aisci-tui serve --from-run`."
)


class TreeView(StoreView):
    """Key 6: the search tree of one stage and the plots of the highlighted node."""

    VIEW_ID = "tree"
    TITLE = "Tree"
    FILTER_LABEL = None
    EVENT_TYPES = ("experiment_results",)

    DEFAULT_CSS = """
    TreeView > #tree-stage { height: auto; padding: 0 1; }
    TreeView > .split { layout: horizontal; height: 1fr; }
    TreeView > .split > SearchTree { width: 1fr; height: 1fr; border: round $panel-lighten-2; }
    TreeView > .split > SearchTree:focus { border: round $primary; }
    TreeView > .split > PlotPane { width: 1fr; height: 1fr; }
    TreeView.-narrow > .split { layout: vertical; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "stage(-1)", "Prev stage", id="tree.stage-prev"),
        Binding("right_square_bracket", "stage(1)", "Next stage", id="tree.stage-next"),
        Binding("escape", "focus_tree", "Back to tree", show=False, id="tree.back"),
    ]

    def __init__(
        self,
        *,
        images: ImageSupport = TEXT_ONLY,
        plot_root: Path | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        #: How plots are drawn, and the folder they may be read from (None: anywhere a node names).
        self.images, self.plot_root = images, plot_root
        self.stages: list[StageSummary] = []
        self.stage: StageKey | None = None
        self.pinned = False  # the user chose a stage; otherwise follow the newest
        self.text = ""
        self.shown = StageTree(stage="")
        self._shown_key: StageKey | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(EMPTY), id="tree-stage")
        with Container(classes="split"):
            yield SearchTree(id="tree-nodes")
            yield PlotPane(
                "Highlight a node to see its plots.", support=self.images, root=self.plot_root, id="tree-plots"
            )

    @property
    def tree(self) -> SearchTree:  # type: ignore[override]  # (Textual's DOMNode.tree is a debug drawing)
        return self.query_one(SearchTree)

    @property
    def pane(self) -> PlotPane:
        return self.query_one(PlotPane)

    def ready(self) -> bool:
        return bool(self.query(SearchTree))

    def reset(self) -> None:
        self.stages, self.stage, self.pinned = [], None, False
        self.shown, self._shown_key = StageTree(stage=""), None
        if self.is_mounted and self.ready():
            self.tree.wipe()
            self.pane.show(None, None, self.palette)

    # -- sync -----------------------------------------------------------------------

    def update_view(self, store: Store, changes: Changes, ctx: ViewContext, full: bool) -> None:
        if not full and not changes.experiments and not any(k == "experiments" for k, _ in changes.removed):
            return
        self.stages = searchtree.stages(store, ctx.session_id)
        keys = [s.key for s in self.stages]
        if not self.pinned or self.stage not in keys:
            self.pinned = False
            self.stage = keys[-1] if keys else None
        self._show_stage_line()
        if self.stage is None:
            self.shown, self._shown_key = StageTree(stage=""), None
            self.tree.wipe()
            self.pane.show(None, None, self.palette)
            return
        tree = searchtree.filtered(searchtree.stage_tree(store, self.stage), self.text)
        if self.stage != self._shown_key:
            self.tree.wipe()
        first = not self.tree.node_ids
        self.tree.show(tree, self.palette)
        self.shown, self._shown_key = tree, self.stage
        if first and tree.best_id and not self.text:
            self.call_after_refresh(self._select, tree.best_id)
        self._show_node()

    def _select(self, node_id: str) -> None:
        if self.is_attached and self.ready() and self.tree.select_id(node_id):
            self._show_node()

    def _show_stage_line(self) -> None:
        line = self.query_one("#tree-stage", Static)
        summary = next((s for s in self.stages if s.key == self.stage), None)
        if summary is None:
            line.update(Text(EMPTY))
            return
        p = self.palette
        n = self.stages.index(summary) + 1
        text = Text(no_wrap=False)
        text.append(clean(summary.label, 120), style="bold")
        text.append(
            f"  (stage {n} of {len(self.stages)}; [ ] to switch)" if len(self.stages) > 1 else "", style=p["muted"]
        )
        if len({s.key.session_id for s in self.stages}) > 1 and summary.key.session_id:
            text.append(f"  {clean(summary.key.session_id, 80)}", style=p["muted"])
        text.append("\n")
        text.append(f"{summary.total} nodes: ")
        text.append(f"{MARKS['completed'][0]} {summary.good} good", style=p["primary"])
        text.append(" · ")
        text.append(f"{MARKS['failed'][0]} {summary.buggy} buggy", style=p["error"])
        if summary.other:
            text.append(" · ")
            text.append(f"{MARKS['partial'][0]} {summary.other} other", style=p["warning"])
        text.append("   best: ", style=p["muted"])
        best, found = stage_best(summary)
        if found:
            text.append(f"{MARKS['best'][0]} ", style=p["success"])
        text.append(clean(best, 100), style=p["success" if found else "muted"])
        if self.text:
            text.append(f"   filter: {clean(self.text, 40)}", style=p["accent"])
        line.update(text)

    def _show_node(self, *, force: bool = False) -> None:
        if not self.is_attached or not self.ready():
            return
        nid = self.tree.highlighted_id
        node = self.shown.nodes.get(nid) if nid is not None else None
        data = None
        if node is not None and self._store is not None:
            entity = self._store.experiments.get(node.experiment_id)
            data = entity.data if entity is not None else None
        self.pane.show(node, data, self.palette, force=force)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        event.stop()
        self._show_node()

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        self.open_selected()

    def on_resize(self) -> None:
        self.set_class(self.size.width < SIDE_BY_SIDE, "-narrow")

    # -- the contract -------------------------------------------------------------------

    def set_text_filter(self, text: str) -> None:
        self.text = text
        self._refilter()

    def export_rows(self) -> tuple[list[str], list[dict]]:
        columns = [
            "session_id",
            "stage",
            "step",
            "node_id",
            "parent_id",
            "status",
            "best",
            "label",
            "metric",
            "exc_type",
            "plots",
        ]
        rows = []
        for _, node in self.shown.walk():
            rows.append(
                {
                    "session_id": self.stage.session_id if self.stage else None,
                    "stage": self.shown.stage,
                    "step": node.step,
                    "node_id": node.id,
                    "parent_id": node.parent,
                    "status": node.status,
                    "best": node.is_best,
                    "label": node.label,
                    "metric": node.metric,
                    "exc_type": node.exc_type,
                    "plots": "; ".join(str(p.path) for p in node.plots),
                }
            )
        return columns, rows

    def open_selected(self) -> None:
        if self.ready() and self.tree.highlighted_id is not None:
            self._show_node()
            self.pane.focus()

    # -- actions ------------------------------------------------------------------------

    def action_stage(self, step: int) -> None:
        keys = [s.key for s in self.stages]
        if not keys:
            return
        at = keys.index(self.stage) if self.stage in keys else len(keys) - 1
        target = max(0, min(len(keys) - 1, at + step))
        self.stage = keys[target]
        self.pinned = target != len(keys) - 1
        self._refilter()

    def action_focus_tree(self) -> None:
        self.tree.focus()

    def reveal(self, key: str) -> None:
        """Go to an experiment's node (its stage shown, the node highlighted), or to a stage by folder name."""
        store = self._store
        entity = store.experiments.get(key) if store is not None else None
        stage = (
            searchtree.stage_of(entity)
            if entity is not None
            else next((s.key for s in self.stages if s.key.stage == key), None)
        )
        if stage is None:
            return
        self.stage, self.pinned = stage, True
        self._refilter()
        node = next((n.id for n in self.shown.nodes.values() if n.experiment_id == key), None)
        if node is not None:
            self.call_after_refresh(self._select, node)

    def _refilter(self) -> None:
        if self._store is not None and self._ctx is not None and self.is_mounted and self.ready():
            self._shown_key = None
            self.tree.wipe()
            self.update_view(self._store, Changes(), self._ctx, True)


def stage_best(summary: StageSummary) -> tuple[str, bool]:
    """A stage's best as the tree's headline says it, and whether there is a best node:
    ``("validation loss ↓ 0.4867", True)``, ``("no good node yet", False)``."""
    if not summary.good:
        return "no good node yet", False
    if summary.best_id:
        return short_metric(summary.best_metric) or summary.best_id[:12], True
    return "none yet", False


def tree_view(images: ImageSupport = TEXT_ONLY, plot_root: Path | None = None) -> TreeView:
    """A tree view that draws plots with ``images``, reading them only under ``plot_root``."""
    return TreeView(images=images, plot_root=plot_root, id=TreeView.VIEW_ID)


def dashboard_views(
    images: ImageSupport = TEXT_ONLY, plot_root: Path | None = None
) -> list[type[StoreView] | StoreView]:
    """The five standard views (classes) plus a configured tree view (key 6)."""
    from aisci_tui.tui.views import VIEWS

    return [*VIEWS, tree_view(images, plot_root)]
