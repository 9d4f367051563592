"""The FCNN engine: node-edge diagrams of fully connected networks (NN-SVG's FCNN).

Layers are columns (``direction: right``) or rows (``down``) of nodes centred
on one line; wide layers show their first and last nodes around a vertical
ellipsis. Edges of one layer pair form one or a few :class:`EdgeBundle` s:
uniform edges are walked as zigzag trails (every edge once, one vertex per
edge), weight-encoded edges are grouped into a few colour/width/opacity steps.
Labels sit under the columns (beside the rows), and the distance between
layers grows when neighbouring labels would otherwise touch.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

from nnsvg.engines.common import (
    LayoutLimits,
    TextMaker,
    arrowhead,
    finish_scene,
    says_the_same,
    superscript,
)
from nnsvg.engines.fcnn_edges import colorbar, layer_edges
from nnsvg.engines.fcnn_graph import Plan, place_ranks, plan_of
from nnsvg.errors import LimitError, SpecError
from nnsvg.geometry import Vec, normalize
from nnsvg.network import Network
from nnsvg.scene import (
    Circle,
    Group,
    Item,
    Paint,
    Path,
    Polygons,
    Scene,
    Text,
)
from nnsvg.spec.model import Layer
from nnsvg.textmetrics import TextMetrics
from nnsvg.theme import Theme

__all__ = ["ACTIVATION_NAMES", "layout_fcnn", "visible_units"]

ACTIVATION_NAMES = {
    "relu": "ReLU",
    "leaky_relu": "Leaky ReLU",
    "leakyrelu": "Leaky ReLU",
    "prelu": "PReLU",
    "elu": "ELU",
    "selu": "SELU",
    "gelu": "GELU",
    "silu": "SiLU",
    "swish": "Swish",
    "mish": "Mish",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "softmax": "softmax",
    "softplus": "softplus",
    "linear": "linear",
    "identity": "identity",
}


def visible_units(units: int, limit: int | None) -> tuple[list[int], bool]:
    """Which unit indices are drawn, and whether an ellipsis stands among them.

    >>> visible_units(5, 8)
    ([0, 1, 2, 3, 4], False)
    >>> visible_units(784, 6)
    ([0, 1, 2, 781, 782, 783], True)
    """
    if limit is None or units <= limit:
        return list(range(units)), False
    head = (limit + 1) // 2
    tail = limit - head
    return [*range(head), *range(units - tail, units)], True


@dataclass(frozen=True, slots=True)
class Slot:
    kind: str  # "node", "bias" or "ellipsis"
    unit: int  # the unit index of a node, -1 otherwise
    offset: float  # position along the layer, before centring


@dataclass(slots=True)
class Column:
    """One layer as placed: slots along the layer, its position along the network
    (``pos``) and across it (``across``: 0 but for the layers of a graph's rank)."""

    layer: Layer
    slots: list[Slot]
    extent: float
    pos: float = 0.0
    across: float = 0.0
    id: str = ""  # the node's id in the figure
    role: str = "hidden"  # input (reads nothing), output (read by nothing), hidden

    def center_of(self, slot: Slot) -> float:
        return slot.offset - self.extent / 2 + self.across


def _columns(net: Network, theme: Theme, plan: Plan) -> list[Column]:
    pitch = 2 * theme.node.radius + theme.node.spacing
    columns = []
    for node_id, role, layer in plan.drawn:
        limit = (layer.max_visible or net.max_visible) if net.elide else None
        units, elided = visible_units(layer.units, limit)
        # The bias unit leads the layer; a recurrent layer's loop stands at the
        # leading end (right) or trailing end (down), so its bias moves out of the way.
        bias_first = layer.bias and not (layer.recurrent and net.direction == "right")
        kinds: list[tuple[str, int]] = [("bias", -1)] if bias_first else []
        ellipsis_after = (limit + 1) // 2 if elided and limit else -1
        for k, unit in enumerate(units):
            if k == ellipsis_after:
                kinds.append(("ellipsis", -1))
            kinds.append(("node", unit))
        if layer.bias and not bias_first:
            kinds.append(("bias", -1))
        slots: list[Slot] = []
        offset = 0.0
        for k, (kind, unit) in enumerate(kinds):
            if k and "bias" in (kind, kinds[k - 1][0]):
                offset += theme.bias.gap
            slots.append(Slot(kind, unit, offset))
            offset += pitch
        extent = offset - pitch  # first slot centre to last slot centre
        columns.append(Column(layer, slots, extent, id=node_id, role=role))
    return columns


def _drawn_counts(net: Network, plan: Plan) -> list[tuple[int, int]]:
    """Per layer: (drawn nodes, drawn bias units), computed without building anything."""
    counts = []
    for _, _, layer in plan.drawn:
        limit = (layer.max_visible or net.max_visible) if net.elide else None
        nodes = layer.units if limit is None else min(layer.units, limit)
        counts.append((nodes, int(layer.bias)))
    return counts


def _check_limits(net: Network, plan: Plan, limits: LayoutLimits) -> None:
    """Refuse a figure too large to draw before any of it is built (10**12 units is
    a quick, clear error, not a MemoryError)."""
    counts = _drawn_counts(net, plan)
    nodes = sum(n + b for n, b in counts)
    if nodes > limits.max_nodes:
        raise LimitError(
            f"the figure would draw {nodes:,} nodes; the limit is {limits.max_nodes:,} "
            "(let wide layers elide with max_visible, or raise it with --max-nodes)",
            location=net.where("layers"),
            field="layers",
        )
    edges = sum((counts[a][0] + counts[a][1]) * counts[b][0] for a, b in plan.pairs)
    if edges > limits.max_edges:
        raise LimitError(
            f"the figure would draw {edges:,} edges; the limit is {limits.max_edges:,} "
            "(let wide layers elide, or raise it with --max-edges)",
            location=net.where("layers"),
            field="layers",
        )


def _default_title(role: str) -> str:
    return {"input": "Input Layer", "output": "Output Layer"}.get(role, "Hidden Layer")


def _label_lines(net: Network, layer: Layer, role: str) -> list[tuple[str, str]]:
    """The label lines of a layer as (role, text): title, size, activation."""
    lines: list[tuple[str, str]] = []
    # A label or size_label the spec gives replaces the line; "" leaves the line out.
    if layer.label is not None:
        lines.append(("title", layer.label))
    elif net.labels.titles:
        lines.append(("title", _default_title(role)))
    if layer.size_label is not None:
        lines.append(("size", layer.size_label))
    elif net.labels.sizes == "math":
        lines.append(("size", "ℝ" + superscript(layer.units)))
    elif net.labels.sizes == "plain":
        lines.append(("size", f"{layer.units:,}"))
    if net.labels.activations and layer.activation:
        name = ACTIVATION_NAMES.get(layer.activation.lower(), layer.activation)
        lines.append(("activation", name))
    title = next((text for role, text in lines if role == "title"), None)
    return [
        (role, text)
        for role, text in lines
        if text and not (role == "size" and says_the_same(title, text))
    ]


class _Labels:
    """Measures and places the label block of each layer."""

    def __init__(self, net: Network, theme: Theme, tm: TextMaker, plan: Plan) -> None:
        self.theme = theme
        self.tm = tm
        self.lines = [_label_lines(net, layer, role) for _, role, layer in plan.drawn]
        self.names = [layer.node_labels or () for _, _, layer in plan.drawn]

    def size(self, role: str) -> float:
        label = self.theme.label
        return {
            "title": label.title_size,
            "size": label.size_size,
            "activation": label.activation_size,
        }[role]

    def weight(self, role: str) -> str:
        return self.theme.font.title_weight if role == "title" else "normal"

    def block_width(self, i: int) -> float:
        return max(
            (self.tm.width(t, self.size(r), self.weight(r)) for r, t in self.lines[i]),
            default=0.0,
        )

    def node_label_width(self, i: int, unit: int) -> float:
        """The width of the name of unit ``unit`` of layer ``i``."""
        return self.tm.width(self.names[i][unit], self.theme.label.size_size)

    def line_step(self, role: str) -> float:
        size = self.size(role)
        return self.tm.ascent(size) + self.tm.descent(size) + self.theme.label.line_gap

    def block_height(self, i: int) -> float:
        return sum(self.line_step(r) for r, _ in self.lines[i]) - (
            self.theme.label.line_gap if self.lines[i] else 0
        )

    def items(self, i: int, x: float, top: float, anchor: str) -> list[Text]:
        """The label lines of layer ``i``, the first line's top at ``top``."""
        out = []
        y = top
        for role, text in self.lines[i]:
            size = self.size(role)
            y += self.tm.ascent(size)
            italic = role == "activation" and self.theme.label.activation_style == "italic"
            out.append(
                self.tm.text(
                    x,
                    y,
                    text,
                    size,
                    anchor=anchor,
                    weight=self.weight(role),
                    style="italic" if italic else "normal",
                    color=None if role == "title" else self.theme.label.secondary_color,
                    cls=f"label-{role}",
                )
            )
            y += self.tm.descent(size) + self.theme.label.line_gap
        return out


def _place_layers(net: Network, theme: Theme, columns: list[Column], labels: _Labels) -> None:
    """Positions along the network, widening gaps where labels would touch."""
    pos = 0.0
    sep = theme.label.min_separation
    for i, column in enumerate(columns):
        column.pos = pos
        if i + 1 < len(columns):
            gap = theme.layer.spacing
            if net.direction == "right":
                need = (labels.block_width(i) + labels.block_width(i + 1)) / 2 + sep
            else:
                need = (labels.block_height(i) + labels.block_height(i + 1)) / 2 + sep
            need = max(need, 2 * theme.node.radius + sep)
            pos += max(gap, need)


class Frame:
    """Maps (along-network, across-layer) coordinates to x, y for a direction."""

    def __init__(self, direction: str) -> None:
        self.right = direction == "right"

    def xy(self, along: float, across: float) -> Vec:
        return (along, across) if self.right else (across, along)


def layout_fcnn(
    net: Network,
    theme: Theme,
    metrics: TextMetrics,
    *,
    limits: LayoutLimits | None = None,
    physical_width: tuple[float, str] | None = None,
) -> Scene:
    """Lay out a node-edge figure of ``net`` in ``theme`` (a network that branches:
    its layers in ranks, see :mod:`nnsvg.engines.fcnn_graph`)."""
    plan = plan_of(net)
    _check_limits(net, plan, limits or LayoutLimits())
    columns = _columns(net, theme, plan)
    tm = TextMaker(metrics, theme.font.family)
    labels = _Labels(net, theme, tm, plan)
    if plan.ranks is None:
        _place_layers(net, theme, columns, labels)
    else:
        place_ranks(plan, columns, theme, labels.block_width, labels.block_height, net.direction)
    frame = Frame(net.direction)
    _check_node_labels(net, columns, plan, labels)

    edge_groups, legend_range = layer_edges(net, theme, columns, frame, net.weights, plan)
    items: list[Item] = list(edge_groups)
    layer_groups = [
        _layer_group(net, theme, tm, labels, columns, i, frame, _label_row(plan, columns, i))
        for i in range(len(columns))
    ]
    items.extend(layer_groups)

    show_legend = net.legend if net.legend is not None else "color" in net.edges.encode
    if show_legend and legend_range is not None and "color" in net.edges.encode:
        items.append(colorbar(theme, tm, items, legend_range))
    return finish_scene(items, net, theme, tm, engine="fcnn", physical_width=physical_width)


# --- nodes and labels ----------------------------------------------------------------
def _layer_group(
    net: Network,
    theme: Theme,
    tm: TextMaker,
    labels: _Labels,
    columns: list[Column],
    i: int,
    frame: Frame,
    row: list[Column],
) -> Group:
    column = columns[i]
    layer = column.layer
    r = theme.node.radius
    node = theme.node
    fill = layer.color or (
        node.input_fill
        if column.role == "input"
        else node.output_fill
        if column.role == "output"
        else node.fill
    )
    stroke = layer.stroke or node.stroke
    nodes: list[Item] = []
    extras: list[Item] = []
    for slot in column.slots:
        cx, cy = frame.xy(column.pos, column.center_of(slot))
        if slot.kind == "node":
            nodes.append(Circle(cx, cy, r))
        elif slot.kind == "bias":
            extras.append(_bias_node(theme, tm, cx, cy))
        else:
            extras.append(_ellipsis(theme, frame, cx, cy))
    children: list[Item] = [
        Group(
            id=f"{column.id}-nodes",
            role="nodes",
            children=tuple(nodes),
            paint=Paint(fill=fill, stroke=stroke, stroke_width=node.stroke_width),
        ),
        *extras,
    ]
    if layer.recurrent:
        children.append(_recurrent_loop(theme, column, frame))
    label_items = _layer_labels(theme, labels, columns[i], i, frame, row)
    if label_items:
        children.append(Group(id=f"{column.id}-labels", role="labels", children=tuple(label_items)))
    node_labels = _node_labels(theme, labels, column, i, frame)
    if node_labels:
        children.append(
            Group(id=f"{column.id}-node-labels", role="node-labels", children=tuple(node_labels))
        )
    title = layer.label or _default_title(column.role)
    return Group(id=column.id, role=f"layer {column.role}", children=tuple(children), title=title)


def _label_row(plan: Plan, columns: list[Column], i: int) -> list[Column]:
    """The columns whose labels line up with column ``i``'s: every column of a chain,
    as NN-SVG aligns them; in a graph, the columns alone in their rank, and a column
    that shares its rank keeps its labels to itself."""
    if plan.ranks is None:
        return columns
    count = {r: plan.ranks.count(r) for r in plan.ranks}
    if count[plan.ranks[i]] > 1:
        return [columns[i]]
    return [c for k, c in enumerate(columns) if count[plan.ranks[k]] == 1]


def _layer_labels(
    theme: Theme, labels: _Labels, column: Column, i: int, frame: Frame, near: list[Column]
) -> list[Text]:
    """A layer's label block: under its column (beside its row), lined up with those
    of the columns ``near`` it."""
    r = theme.node.radius
    stroke = theme.node.stroke_width / 2
    if frame.right:
        bottom = max(c.across + c.extent / 2 for c in near) + r + stroke
        return labels.items(i, column.pos, bottom + theme.layer.label_gap, "middle")
    left = min(c.across - c.extent / 2 for c in near) - r - stroke
    top = column.pos - labels.block_height(i) / 2
    return labels.items(i, left - theme.layer.label_gap, top, "end")


def _node_label_field(layer: Layer) -> tuple[str, Any]:
    return f"layers[{layer.index}].node_labels", ("layers", layer.index, "node_labels")


def _check_node_labels(net: Network, columns: list[Column], plan: Plan, labels: _Labels) -> None:
    """node_labels stand beside their nodes on the side no edge leaves from: an input
    layer's before it, an output layer's after it. A hidden layer has edges on both
    sides (every node of a dense layer joins every node of its neighbours, so the
    edges fill the whole gap on either side): a label there would lie across them,
    which is an error, as is a layer inside a graph's figure (another layer's edges
    pass beside it) and, across a row (direction: down), names too wide to stand
    side by side over their nodes."""
    last = max(plan.ranks) if plan.ranks else 0
    for k, column in enumerate(columns):
        layer = column.layer
        if not layer.node_labels:
            continue
        field, path = _node_label_field(layer)
        where = net.where(*path)
        if column.role == "hidden":
            raise SpecError(
                "node_labels go on an input layer (before its nodes) or an output layer "
                "(after them); this hidden layer has edges on both sides, where the "
                "labels would lie across them: name the layer with label instead",
                location=where,
                field=field,
            )
        if layer.units is not None and len(layer.node_labels) > layer.units:
            raise SpecError(
                f"names {len(layer.node_labels)} nodes, but the layer has {layer.units} units",
                location=where,
                field=field,
            )
        if plan.ranks is not None:
            rank = plan.ranks[k]
            if (column.role == "input" and rank != 0) or (column.role == "output" and rank != last):
                raise SpecError(
                    f"this {column.role} layer stands inside the figure (other layers' edges "
                    "pass beside it), where its node_labels would lie across them; "
                    "node_labels go on layers at the figure's start or end",
                    location=where,
                    field=field,
                )
        if net.direction == "down":
            _check_row_fits(labels, column, k, field, where)


def _check_row_fits(labels: _Labels, column: Column, k: int, field: str, where: Any) -> None:
    """Across a row the names stand side by side over (under) their nodes: each must
    leave the least label separation to the next."""
    sep = labels.theme.label.min_separation / 2
    placed = [(column.center_of(s), labels.node_label_width(k, s.unit)) for s in _labelled(column)]
    for (a, wa), (b, wb) in itertools.pairwise(placed):
        if (wa + wb) / 2 + sep > b - a:
            pitch = 2 * labels.theme.node.radius + labels.theme.node.spacing
            raise SpecError(
                "the node_labels are too wide to stand side by side over a row "
                f"(direction: down leaves about {pitch - sep:.0f} units per name): "
                "shorten them, or draw the figure with direction: right",
                location=where,
                field=field,
            )


def _labelled(column: Column) -> list[Slot]:
    """The drawn nodes that have a name (an elided node's name goes with it)."""
    names = column.layer.node_labels or ()
    return [s for s in column.slots if s.kind == "node" and s.unit < len(names) and names[s.unit]]


def _node_labels(theme: Theme, labels: _Labels, column: Column, i: int, frame: Frame) -> list[Text]:
    """The names of a layer's drawn nodes, each beside its node on the side away from
    the edges: left of an input column (above an input row), right of an output
    column (under an output row). Across a row they clear the layer's label block,
    which stands left of the row."""
    names = column.layer.node_labels
    if not names:
        return []
    r = theme.node.radius + theme.node.stroke_width / 2
    gap = theme.layer.label_gap / 2
    size = theme.label.size_size
    before = column.role == "input"
    sign = -1.0 if before else 1.0
    out = []
    for slot in _labelled(column):
        across = column.center_of(slot)
        text = names[slot.unit]
        if frame.right:
            x, y = column.pos + sign * (r + gap), across
            anchor = "end" if before else "start"
            out.append(
                labels.tm.text(
                    x, y, text, size, anchor=anchor, baseline="central", cls="node-label"
                )
            )
        else:
            clear = max(r, labels.block_height(i) / 2) + gap
            if before:
                y = column.pos - clear - labels.tm.descent(size)
            else:
                y = column.pos + clear + labels.tm.ascent(size)
            out.append(labels.tm.text(across, y, text, size, anchor="middle", cls="node-label"))
    return out


def _bias_node(theme: Theme, tm: TextMaker, cx: float, cy: float) -> Group:
    bias = theme.bias
    r = theme.node.radius
    size = max(6.0, min(r * 0.95, theme.font.size))
    text = tm.text(cx, cy, bias.text, size, color=bias.text_color, baseline="central")
    return Group(
        id=None,
        role="bias",
        children=(
            Circle(
                cx,
                cy,
                r,
                Paint(
                    fill=bias.fill,
                    stroke=bias.stroke,
                    stroke_width=bias.stroke_width,
                    dash=bias.dash or None,
                ),
            ),
            text,
        ),
    )


def _ellipsis(theme: Theme, frame: Frame, cx: float, cy: float) -> Group:
    pitch = 2 * theme.node.radius + theme.node.spacing
    step = pitch * 0.26
    dot = theme.ellipsis.dot_radius
    dots = []
    for k in (-1, 0, 1):
        dx, dy = (0.0, k * step) if frame.right else (k * step, 0.0)
        dots.append(Circle(cx + dx, cy + dy, dot))
    return Group(
        id=None,
        role="ellipsis",
        children=tuple(dots),
        paint=Paint(fill=theme.ellipsis.color, stroke="none"),
    )


def _recurrent_loop(theme: Theme, column: Column, frame: Frame) -> Group:
    """A loop arrow leaving the layer's end node and coming back into it.

    It stands on the side away from the labels: over the top of a column, or
    right of a row."""
    r = theme.node.radius
    rec = theme.recurrent
    if frame.right:
        slot = column.slots[0]
        c = frame.xy(column.pos, column.center_of(slot))
        out: Vec = (0.0, -1.0)  # away from the layer
        along: Vec = (1.0, 0.0)  # the flow direction
    else:
        slot = next(s for s in reversed(column.slots) if s.kind == "node")
        c = frame.xy(column.pos, column.center_of(slot))
        out = (1.0, 0.0)
        along = (0.0, 1.0)

    def at(t: float, n: float) -> Vec:
        return (c[0] + along[0] * t + out[0] * n, c[1] + along[1] * t + out[1] * n)

    ang = math.radians(48)
    start = at(r * math.sin(ang), r * math.cos(ang))
    tip = at(-r * math.sin(ang), r * math.cos(ang))
    # Push the tip off the outline by the arrow gap, along the outward radius.
    radial = normalize((tip[0] - c[0], tip[1] - c[1]))
    tip = (tip[0] + radial[0] * theme.arrow.gap, tip[1] + radial[1] * theme.arrow.gap)
    h = rec.height
    c1 = at(r * 2.4, r + h)
    c2 = at(-r * 2.4, r + h)
    length = theme.arrow.length
    direction = normalize((tip[0] - c2[0], tip[1] - c2[1]))
    end = (tip[0] - direction[0] * length * 0.8, tip[1] - direction[1] * length * 0.8)
    head = arrowhead(tip, direction, length, theme.arrow.width)
    return Group(
        id=None,
        role="recurrent",
        children=(
            Path(
                (("M", *start), ("C", *c1, *c2, *end)),
                Paint(fill="none", stroke=rec.color, stroke_width=rec.width),
            ),
            Polygons((head,), Paint(fill=rec.color, stroke="none")),
        ),
    )
