"""The selected node of a search tree: what it is, how it scored, and its plots.

Plots are drawn with textual-image where the terminal can draw images; each
plot is also described in words (path, file size, the vision model's reading),
which is all that is shown when images cannot be drawn.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from functools import partial
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from aisci_tui.sources.rundir.model import PlotInfo, TreeNode
from aisci_tui.textsafe import clean
from aisci_tui.tui.run.images import (
    TEXT_ONLY,
    ImageLoadError,
    ImageSupport,
    describe,
    drawable,
    load_image,
)
from aisci_tui.tui.run.tree import MARKS, kind_of
from aisci_tui.tui.widgets.tones import Palette

log = logging.getLogger("aisci_tui.tui.run")

SUMMARY_LIMIT = 1_500
FINALS_LIMIT = 12
ANALYSIS_LIMIT = 1_500


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except (OSError, ValueError):
        return None
    return info.st_mtime_ns, info.st_size


def final_values(data: Any) -> list[tuple[str, float]]:
    """``("validation loss [pair_sum]", 0.6175)``… from the bridge's flattened metrics."""
    results = getattr(data, "results", None)
    metrics = getattr(results, "metrics", None) if results is not None else None
    extra = getattr(metrics, "model_extra", None) or {}
    return [
        (name.removesuffix(" final"), float(value))
        for name, value in extra.items()
        if isinstance(name, str)
        and name.endswith(" final")
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ]


def node_text(node: TreeNode, data: Any, palette: Palette) -> Text:
    """The node's identity, verdict, metric and findings, as plain words."""
    symbol, word, tone = MARKS[kind_of(node)]
    out = Text()
    out.append(f"Step {node.step if node.step is not None else '?'}: ", style="bold")
    out.append(clean(node.label or node.id, 200), style="bold")
    out.append("\n")
    out.append(f"{symbol} {word}", style=palette[tone])
    if node.is_best and node.status != "completed":
        out.append(f" ({clean(node.status, 40)})", style=palette["muted"])
    if node.is_buggy and node.exc_type:
        out.append(f": {clean(node.exc_type, 80)}", style=palette["error"])
    if node.verdict:
        out.append(f" · {clean(node.verdict, 80)}", style=palette["muted"])
    out.append("\n")
    if node.metric:
        out.append("Metric: ", style=palette["muted"])
        out.append(clean(node.metric, 200) + "\n")
    for name, value in final_values(data)[:FINALS_LIMIT]:
        out.append(f"  {clean(name, 80)}  ", style=palette["muted"])
        out.append(f"{value:.4g}\n")
    out.append("Node: ", style=palette["muted"])
    out.append(clean(node.id, 80))
    if node.parent:
        out.append("  parent: ", style=palette["muted"])
        out.append(clean(node.parent, 80))
    out.append("\n")
    results = getattr(data, "results", None)
    summary = getattr(results, "summary", None) if results is not None else None
    if summary:
        out.append("\n")
        out.append(clean(summary, SUMMARY_LIMIT, newlines=True) + "\n")
    findings = [f for f in node.vlm_summary if f not in {p.analysis for p in node.plots}]
    for finding in findings[:5]:
        out.append("• ", style=palette["muted"])
        out.append(clean(finding, SUMMARY_LIMIT, newlines=True) + "\n")
    return out


def plot_title(index: int, count: int, plot: PlotInfo, palette: Palette) -> Text:
    out = Text()
    out.append(f"Plot {index}/{count}: ", style=palette["muted"])
    out.append(clean(plot.title, 120), style="bold")
    return out


def plot_text(plot: PlotInfo, why_not: str | None, palette: Palette, root: Path | None = None) -> Text:
    """One plot in words: where it is (relative to the run folder when known), its size, the analysis."""
    shown = plot.path
    if root is not None:
        try:
            shown = plot.path.relative_to(root)
        except ValueError:
            pass
    out = Text()
    out.append(clean(str(shown), 400) + "\n", style=palette["primary"])
    out.append(describe(plot.path), style=palette["muted"])
    if why_not:
        out.append(f" · not drawn: {why_not}", style=palette["muted"])
    out.append("\n")
    if plot.analysis:
        out.append(clean(plot.analysis, ANALYSIS_LIMIT, newlines=True) + "\n")
    return out


class PlotPane(VerticalScroll):
    """Shows one node; remounts its plots only when the node or its plot files change."""

    DEFAULT_CSS = """
    PlotPane { border: round $panel-lighten-2; padding: 0 1; height: 1fr; }
    PlotPane:focus { border: round $primary; }
    PlotPane > .plot-image { width: 100%; height: auto; margin: 0 0 1 0; }
    PlotPane > .plot-text { margin: 0 0 1 0; }
    PlotPane > .plot-title { margin: 0; }
    """

    def __init__(
        self, placeholder: str, *, support: ImageSupport = TEXT_ONLY, root: Path | None = None, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.placeholder = placeholder
        self.support = support
        self.root = root
        self._sig: Hashable = None
        self._texts: list[Text] = [Text(placeholder)]
        self.images_shown = 0

    def compose(self) -> ComposeResult:
        yield Static(Text(self.placeholder), classes="plot-head")

    def text(self) -> str:
        """Everything the pane says, as plain text (for tests and exports)."""
        return "\n".join(t.plain for t in self._texts)

    def _say(self, text: Text, classes: str = "plot-text") -> None:
        self._texts.append(text)
        if self.is_attached:
            self.mount(Static(text, classes=classes))

    def show(self, node: TreeNode | None, data: Any, palette: Palette, *, force: bool = False) -> None:
        """Show ``node`` (None: the placeholder)."""
        if not self.is_attached or not self.is_mounted:
            return  # on the way out (the app is closing)
        plots = node.plots if node is not None else []
        sig = (
            None if node is None else (node.id, node_label_sig(node), repr(getattr(data, "results", None))),
            tuple((str(p.path), p.analysis, _stamp(p.path)) for p in plots),
            palette,
        )
        if sig == self._sig and not force:
            return
        self._sig = sig
        head = self.query_one(".plot-head", Static)
        for child in list(self.children):
            if child is not head:
                child.remove()
        self.images_shown = 0
        self._texts = [node_text(node, data, palette) if node is not None else Text(self.placeholder)]
        head.update(self._texts[0])
        if node is None:
            return
        if not plots:
            self._say(Text("No plots for this node.", style=palette["muted"]))
            return
        if not self.support.enabled:
            self._say(Text(f"Plots are described, not drawn: {self.support.method}.", style=palette["muted"]))
        for n, plot in enumerate(plots, start=1):
            why_not = drawable(plot.path, self.root) if self.support.enabled else None
            self._say(plot_title(n, len(plots), plot, palette), "plot-title")
            if self.support.enabled and why_not is None:
                self._mount_image(plot.path)
            self._say(plot_text(plot, why_not, palette, self.root))

    def _mount_image(self, path: Path) -> None:
        """A placeholder now; the image once a worker thread has decoded it."""
        slot = Static(Text("(drawing the plot …)"), classes="plot-text")
        self.mount(slot)
        self.run_worker(
            partial(self._decode, path, slot, self._sig),
            thread=True,
            group="plots",
            name=f"decode {path.name}",
            exit_on_error=False,
        )

    def _decode(self, path: Path, slot: Static, sig: Hashable) -> None:
        try:
            image: Any = load_image(path)
            problem = None
        except ImageLoadError as exc:
            image, problem = None, str(exc)
        self.app.call_from_thread(self._place, slot, sig, image, problem)

    def _place(self, slot: Static, sig: Hashable, image: Any, problem: str | None) -> None:
        if sig != self._sig or not slot.is_attached:
            return  # another node is shown by now
        if problem is not None or self.support.widget is None:
            log.info("could not draw a plot: %s", problem)
            slot.update(Text(f"(not drawn: {problem})"))
            return
        try:
            widget = self.support.widget(image, classes="plot-image")
        except Exception as exc:  # noqa: BLE001 - a picture that will not draw is described instead
            slot.update(Text(f"(not drawn: {type(exc).__name__})"))
            return
        self.mount(widget, after=slot)
        slot.remove()
        self.images_shown += 1


def node_label_sig(node: TreeNode) -> tuple[Any, ...]:
    return (
        node.step,
        node.label,
        node.status,
        node.is_best,
        node.metric,
        node.exc_type,
        node.parent,
        node.verdict,
        tuple(node.vlm_summary),
    )
