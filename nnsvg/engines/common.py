"""Pieces every layout engine shares: measured text, arrowheads, fitting the canvas.

Text is measured with the :class:`~nnsvg.textmetrics.TextMetrics` passed in, so
layouts know each label's extent without any renderer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from nnsvg.describe import describe
from nnsvg.engines.limits import DEFAULT_MAX_EDGES, DEFAULT_MAX_NODES, LayoutLimits
from nnsvg.geometry import Vec, normalize
from nnsvg.mathtext import has_math, plain
from nnsvg.network import Network, Skip
from nnsvg.scene import BBox, Circle, Group, Item, Paint, Scene, Text, TextStyle, bounds
from nnsvg.spec.graph import MERGE_TYPES
from nnsvg.spec.model import Layer
from nnsvg.spec.shapes import Shape
from nnsvg.textmetrics import TextMetrics
from nnsvg.textset import set_text
from nnsvg.theme import Theme

__all__ = [
    "DEFAULT_MAX_EDGES",
    "DEFAULT_MAX_NODES",
    "LayoutLimits",
    "TextMaker",
    "arrowhead",
    "finish_scene",
    "fit_scene",
    "format_count",
    "kernel_window",
    "kind_legend",
    "level",
    "merge_mark",
    "one_to_one",
    "says_the_same",
    "scaled_size",
    "skip_lanes",
    "superscript",
    "vector_units",
]


@dataclass(frozen=True, slots=True)
class TextMaker:
    """Makes measured :class:`Text` items in one font family."""

    metrics: TextMetrics
    family: str

    def text(
        self,
        x: float,
        y: float,
        content: str,
        size: float,
        *,
        anchor: str = "middle",
        weight: str = "normal",
        style: str = "normal",
        color: str | None = None,
        cls: str | None = None,
        baseline: str = "alphabetic",
    ) -> Text:
        """A text item; ``baseline`` "central" puts its visual centre at ``y``.

        ``content`` may hold math (``$x_t$``) and characters the family's font lacks:
        it is then set into runs (:mod:`nnsvg.textset`)."""
        setting = set_text(self.metrics, content, size, self.family, weight, style)
        ascent = self.metrics.ascent(size, self.family)
        descent = self.metrics.descent(size, self.family)
        if baseline == "central":
            y += (ascent - descent) / 2 * 0.85
        return Text(
            x=x,
            y=y,
            text=setting.text,
            anchor=anchor,
            width=setting.width,
            ascent=setting.ascent,
            descent=setting.descent,
            style=TextStyle(
                size=size,
                weight=None if weight == "normal" else weight,
                style=None if style == "normal" else style,
                color=color,
            ),
            cls=cls,
            runs=setting.runs,
            source=content if has_math(content) else None,
        )

    def width(self, content: str, size: float, weight: str = "normal") -> float:
        return set_text(self.metrics, content, size, self.family, weight, "normal").width

    def ascent(self, size: float) -> float:
        return self.metrics.ascent(size, self.family)

    def descent(self, size: float) -> float:
        return self.metrics.descent(size, self.family)


def says_the_same(label: str | None, size: str | None) -> bool:
    """Whether a size line would repeat the label above it (``label: 1×10`` over the
    size ``1×10``): it is then printed once.

    >>> says_the_same("1×120", " 1×120"), says_the_same("C5", "120@1×1")
    (True, False)
    """
    return (
        bool(label and size)
        and " ".join(label.split()).casefold() == " ".join(size.split()).casefold()
    )


def arrowhead(tip: Vec, direction: Vec, length: float, width: float) -> tuple[Vec, Vec, Vec]:
    """The three corners of an arrowhead whose tip is at ``tip``, pointing along ``direction``."""
    ux, uy = normalize(direction)
    bx, by = tip[0] - ux * length, tip[1] - uy * length
    nx, ny = -uy * width / 2, ux * width / 2
    return ((bx + nx, by + ny), tip, (bx - nx, by - ny))


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def superscript(number: int) -> str:
    """``784`` -> ``⁷⁸⁴``."""
    return str(number).translate(_SUPERSCRIPTS)


def format_count(number: int) -> str:
    """Counts for messages: ``2000000`` -> ``2,000,000``."""
    return f"{number:,}"


def fit_scene(
    items: list[Item],
    theme: Theme,
    *,
    title: str | None,
    desc: str | None,
    physical_width: tuple[float, str] | None = None,
    meta: dict[str, str] | None = None,
) -> Scene:
    """A scene whose viewBox is the content's bounds plus the theme's margin."""
    box = bounds(items)
    if box is None:
        box = BBox(0, 0, 1, 1)
    for value in (box.x0, box.y0, box.x1, box.y1):
        if not math.isfinite(value):
            raise ValueError("layout produced a non-finite coordinate")
    box = box.expand(theme.canvas.margin)
    # Snap the canvas outwards to whole units: stable, readable viewBox numbers.
    x0, y0 = math.floor(box.x0), math.floor(box.y0)
    x1, y1 = math.ceil(box.x1), math.ceil(box.y1)
    background = theme.canvas.background if theme.canvas.background != "none" else None
    return Scene(
        viewbox=(x0, y0, x1 - x0, y1 - y0),
        items=tuple(items),
        title=title,
        desc=desc,
        background=background,
        physical_width=physical_width,
        font=TextStyle(family=theme.font.family, size=theme.font.size, color=theme.font.color),
        meta=dict(meta or {}),
    )


# The styles whose notes on layers are placed here; the others place their own (blocks
# beside its blocks, lenet with the operation's caption, alexnet under its box).
NOTE_ENGINES = ("fcnn",)


def _layer_notes(items: list[Item], net: Network, theme: Theme, tm: TextMaker) -> list[Item]:
    """``items`` with the notes of ``net``'s layers placed clear of everything."""
    from nnsvg.engines.notes import add_notes

    notes = [(node.id, node.note) for node in net.nodes if node.note]
    if not notes:
        return items
    size = theme.label.size_size

    def make_text(x: float, y: float, text: str, anchor: str) -> Text:
        return tm.text(
            x,
            y,
            text,
            size,
            anchor=anchor,
            style="italic",
            color=theme.label.secondary_color,
            cls="note",
        )

    return add_notes(
        items, notes, size, theme.layer.label_gap, theme.label.min_separation / 2, make_text
    )


def finish_scene(
    items: list[Item],
    net: Network,
    theme: Theme,
    tm: TextMaker,
    *,
    engine: str,
    physical_width: tuple[float, str] | None,
) -> Scene:
    """Add the figure title (when the figure shows it) and fit the canvas: the last
    step of every engine. The fcnn style's notes on layers are placed here, after
    everything else (:mod:`nnsvg.engines.notes`)."""
    if engine in NOTE_ENGINES:
        items = _layer_notes(items, net, theme, tm)
    if net.show_title and net.title:
        box = bounds(items) or BBox(0, 0, 1, 1)
        size = theme.label.figure_title_size
        text = tm.text(
            (box.x0 + box.x1) / 2,
            box.y0 - size * 0.8,
            net.title,
            size,
            weight="bold",
            cls="title",
        )
        items = [*items, Group(id="figure-title", role="title", children=(text,))]
    return fit_scene(
        items,
        theme,
        title=plain(net.title) if net.title else net.title,
        desc=net.description if net.description is not None else describe(net),
        physical_width=physical_width,
        meta={"engine": engine},
    )


def kernel_window(
    layer: Layer | None, in_shape: tuple[int, ...], out_shape: tuple[int, ...]
) -> tuple[int, ...] | None:
    """The window a conv or pooling layer slides over its input, per spatial axis
    ((kh, kw) on maps, (k,) on 1D sequences), clipped to the input; None for layers
    without one. A layer whose shape was stated without a kernel gets the window
    its size ratio suggests."""
    if layer is None or layer.type not in ("conv", "conv_transpose", "pool"):
        return None
    dims = len(in_shape) - 1
    if dims not in (1, 2):
        return None
    kernel = layer.kernel if layer.type != "pool" else (layer.size or (2,))
    if kernel is None:
        kernel = (max(1, round(in_shape[0] / max(out_shape[0], 1))),)
    if len(kernel) == 1:
        kernel = kernel * dims
    return tuple(min(k, n) for k, n in zip(kernel[:dims], in_shape[:dims]))


def scaled_size(value: float, largest: float, scale: str, low: float, high: float) -> float:
    """A drawn size for ``value`` against the largest one: ``high`` for the largest,
    through a ``linear``, ``sqrt`` or ``log`` scale, never below ``low``.

    >>> scaled_size(28, 32, "linear", 8, 120), scaled_size(1, 1000, "log", 4, 70) > 4
    (105.0, True)
    """
    if largest <= 0:
        return low
    if scale == "sqrt":
        t = math.sqrt(value / largest)
    elif scale == "log":
        t = math.log1p(value) / math.log1p(largest)
    else:
        t = value / largest
    return max(low, min(high, high * t))


# --- skip connections (LeNet and AlexNet) -------------------------------------------------
class Drawn(Protocol):
    """What the CNN engines draw for a node, as skip connections see it."""

    @property
    def index(self) -> int: ...  # the node's index in the network


D = TypeVar("D", bound=Drawn)


def skip_lanes(
    skips: Sequence[Skip], elements: Sequence[D] | Mapping[int, D]
) -> list[tuple[D, D, int, str]]:
    """Every skip connection (from, to, lane, merge), shortest first: a skip whose span
    holds an end of another gets a higher lane, so arcs nest instead of crossing, and
    two that meet at a layer (A to B, then B to C) take two lanes, not one line.
    ``elements`` are the drawn nodes, by node index (a list, or a row's mapping)."""
    pairs = [(elements[s.source], elements[s.target], s.merge) for s in skips]
    lanes: list[list[tuple[int, int]]] = []
    placed = []
    for a, b, merge in sorted(pairs, key=lambda p: (p[1].index - p[0].index, p[0].index)):
        lane = 0
        while lane < len(lanes) and any(not (b.index < s or a.index > t) for s, t in lanes[lane]):
            lane += 1
        if lane == len(lanes):
            lanes.append([])
        lanes[lane].append((a.index, b.index))
        placed.append((a, b, lane, merge))
    return placed


def junction_dot(x: float, y: float, theme: Theme, color: str | None = None) -> Circle:
    """The dot where a line parts from a row connector (a skip turning off it, or the
    edges into a row going their ways), in the skips' colour unless ``color``."""
    fill = color or theme.skip.color
    return Circle(x, y, theme.skip.width * 2.2, Paint(fill=fill, stroke="none"))


def level(positions: Sequence[float], wanted: Sequence[float | None]) -> list[float]:
    """Items packed in order along a line (``positions``, increasing) moved as near as
    they can come to where they want to be (``wanted``; None: anywhere), keeping their
    order and at least their packed distances: the least-squares answer, an isotonic
    regression of (wanted - packed offset) by pool-adjacent-violators. An item that
    wants nothing keeps its distance to the one before it (the first ones, to the one
    after them); with no wishes at all nothing moves.

    >>> level([0, 10, 20], [5, None, 100])
    [5.0, 15.0, 100.0]
    >>> level([0, 10], [8, 2])  # both cannot have their way: they share the difference
    [0.0, 10.0]
    """
    if not positions:
        return []
    first = positions[0]
    blocks: list[list[float]] = []  # [weight, weighted sum of targets, count]
    waiting = 0  # items that want nothing before the first block: they join it
    for p, want in zip(positions, wanted):
        if want is None:
            if blocks:
                blocks[-1][2] += 1
            else:
                waiting += 1
            continue
        blocks.append([1.0, want - (p - first), waiting + 1])
        waiting = 0
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][0] > blocks[-1][1] / blocks[-1][0]:
            w, total, n = blocks.pop()
            blocks[-1][0] += w
            blocks[-1][1] += total
            blocks[-1][2] += n
    if not blocks:
        return [float(p) for p in positions]
    out: list[float] = []
    for weight, total, n in blocks:
        z = total / weight
        out.extend(z + (p - first) for p in positions[len(out) : len(out) + int(n)])
    return out


def kind_legend(net: Network, color_by: str) -> bool:
    """Whether a figure shows the legend of layer kinds: ``legend: true``, or its
    colours are by kind (``color_by: kind``) and ``legend`` is not ``false``."""
    return net.legend is True or (color_by == "kind" and net.legend is not False)


def one_to_one(net: Network) -> set[tuple[int, int]]:
    """The edges (u, v) of a network where u feeds v alone and v reads u alone, neither
    a merge: where a graph engine may join two tensors as a chain does (a kernel and
    its projection, a pyramid, an arrow) rather than with a connector."""
    readers = [0] * len(net.nodes)
    for node in net.nodes:
        for source in node.inputs:
            readers[source] += 1
    return {
        (node.inputs[0], node.index)
        for node in net.nodes
        if len(node.inputs) == 1
        and readers[node.inputs[0]] == 1
        and node.kind not in MERGE_TYPES
        and net.nodes[node.inputs[0]].kind not in MERGE_TYPES
    }


def merge_mark(
    x: float, y: float, merge: str, theme: Theme, tm: TextMaker, *, radius: float | None = None
) -> list[Item]:
    """The circled + (add), × (multiply) or ‖ (concat) where inputs merge."""
    sk = theme.skip
    r = radius if radius is not None else sk.mark_radius
    symbol = {"add": "+", "multiply": "×"}.get(merge, "‖")
    return [
        Circle(x, y, r, Paint(fill=sk.mark_fill, stroke=sk.color, stroke_width=sk.width)),
        tm.text(x, y, symbol, r * 1.6, baseline="central", color=sk.color, cls="merge"),
    ]


def vector_units(shape: Shape) -> int | None:
    """A tensor drawn as a vector (a bar): a 1-D shape, or maps of 1×1 (then: its
    channels); None for feature maps."""
    if len(shape) == 1:
        return shape[0]
    if all(n == 1 for n in shape[:-1]):
        return shape[-1]
    return None
