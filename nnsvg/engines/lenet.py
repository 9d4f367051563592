"""The LeNet engine: stacks of 2D feature maps, filters, dense vectors (NN-SVG's LeNet).

Each tensor with a spatial shape is a stack of maps offset diagonally (the
front map bottom-right, drawn last); at most ``maps.max_drawn`` maps are drawn,
the label keeps the true count. A convolution or pooling shows its kernel as a
square on the front map of its input, with projection lines to the point it
produces on the next stack. Vectors (flatten, dense) are slanted bars whose
length scales with their units. Map sides and vector lengths are relative to
the largest one (linear, sqrt or log). Labels: the size (``6@28×28``) above a
stack, the operation (``Convolution 5×5``) on one baseline below, between the
two tensors it joins; gaps widen so no two labels touch. Skip connections are
arcs over everything, in lanes, ending in a merge mark.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from nnsvg.colors import mix
from nnsvg.engines.common import (
    LayoutLimits,
    TextMaker,
    finish_scene,
    kernel_window,
    kind_legend,
    says_the_same,
    scaled_size,
    vector_units,
)
from nnsvg.network import Network
from nnsvg.scene import (
    BBox,
    Circle,
    Group,
    Image,
    Item,
    Paint,
    Path,
    Polygon,
    Rect,
    Scene,
    Text,
    bounds,
)
from nnsvg.spec.model import LabelOptions, Layer
from nnsvg.spec.shapes import Shape
from nnsvg.textmetrics import TextMetrics
from nnsvg.theme import Theme

__all__ = ["KIND_NAMES", "layout_lenet", "op_text", "size_text"]

KIND_NAMES = {
    "input": "Input",
    "conv": "Convolution",
    "conv_transpose": "Transposed convolution",
    "pool": "Pooling",
    "upsample": "Upsampling",
    "flatten": "Flatten",
    "dense": "Dense",
    "add": "Add",
    "multiply": "Multiply",
    "concat": "Concatenate",
    "crop": "Crop",
}
SLANT = math.cos(math.radians(45))  # vectors and stacks run down-right at 45 degrees


def _pair(values: tuple[int, ...] | None, default: int, dims: int) -> tuple[int, ...]:
    if values is None:
        return (default,) * dims
    return values * dims if len(values) == 1 else values


def _times(values: tuple[int, ...]) -> str:
    return "×".join(str(v) for v in values)


def op_text(layer: Layer, dims: int) -> str:
    """The operation a layer performs, for the label under the figure.

    >>> op_text(Layer(0, type="conv", filters=6, kernel=(5,)), 2)
    'Convolution 5×5'
    >>> op_text(Layer(0, type="pool", size=(3,), stride=(2,)), 2)
    'Max-pool 3×3, stride 2'

    On 1D maps (sequences) it says so, and what the number is:

    >>> op_text(Layer(0, type="conv", filters=64, kernel=(5,)), 1)
    '1D convolution, kernel 5'
    >>> op_text(Layer(0, type="pool", size=(2,)), 1)
    '1D max-pool, window 2'
    """
    if layer.op_label:
        return layer.op_label
    kind = layer.type
    if kind == "dense":
        return "Dense"
    if kind == "flatten":
        return "Flatten"
    if kind in ("add", "multiply", "concat", "crop"):
        return KIND_NAMES[kind]
    if kind == "upsample":
        factor = _pair(layer.size, 2, max(dims, 1))
        return "Upsample ×" + (str(factor[0]) if len(set(factor)) == 1 else _times(factor))
    if kind == "pool":
        name = "Avg-pool" if layer.kind == "avg" else "Max-pool"
        window = _pair(layer.size, 2, max(dims, 1))
        text = f"1D {name.lower()}, window {window[0]}" if dims == 1 else f"{name} {_times(window)}"
        stride = _pair(layer.stride, 0, max(dims, 1))
        if layer.stride is not None and stride != window:
            text += f", stride {_times(stride) if len(set(stride)) > 1 else stride[0]}"
        return text
    name = "Convolution" if kind == "conv" else "Transposed conv"
    if layer.kernel is None:
        return name
    kernel = _pair(layer.kernel, 1, max(dims, 1))
    if dims == 1:
        text = f"1D {name[0].lower()}{name[1:]}, kernel {kernel[0]}"
    else:
        text = f"{name} {_times(kernel)}"
    for word, values in (("stride", layer.stride), ("dilation", layer.dilation)):
        values = _pair(values, 1, max(dims, 1))
        if any(v != 1 for v in values):
            text += f", {word} {_times(values) if len(set(values)) > 1 else values[0]}"
    return text


def size_text(shape: Shape) -> str:
    """``6@28×28`` for maps, ``16@100`` for 1D maps, ``1×120`` for vectors.

    >>> size_text((28, 28, 6)), size_text((100, 16)), size_text((120,))
    ('6@28×28', '16@100', '1×120')
    """
    if len(shape) == 3:
        return f"{shape[2]}@{shape[0]}×{shape[1]}"
    if len(shape) == 2:
        return f"{shape[1]}@{shape[0]}"
    return f"1×{shape[0]}"


# --- the elements --------------------------------------------------------------------
@dataclass(slots=True)
class _Element:
    """One tensor as drawn: a stack of maps or a vector, before and after placing."""

    index: int  # drawing order: the input (if any) first
    number: int  # as in the SVG ids: layer-1 is the first layer, layer-0 the input
    kind: str
    shape: Shape
    layer: Layer | None
    label: str | None
    size_label: str
    op_label: str | None
    fill: tuple[str, ...]
    stroke: str
    colored: bool  # fills from a kind or layer colour (vectors then take it too)
    # geometry relative to the element's own top-left corner
    width: float = 0.0
    height: float = 0.0
    map_w: float = 0.0
    map_h: float = 0.0
    maps: int = 0
    offset: float = 0.0
    length: float = 0.0
    spacing_after: float = 0.0
    image: str | None = None
    x: float = 0.0
    y: float = 0.0
    items: list[Item] = field(default_factory=list)

    @property
    def is_vector(self) -> bool:
        return vector_units(self.shape) is not None

    @property
    def center_x(self) -> float:
        return self.x + self.width / 2

    def front(self) -> BBox:
        """The front map (or the vector's own box) in figure coordinates."""
        if self.is_vector:
            return BBox(self.x, self.y, self.x + self.width, self.y + self.height)
        k = (self.maps - 1) * self.offset
        return BBox(self.x + k, self.y + k, self.x + k + self.map_w, self.y + k + self.map_h)


def _elements(net: Network, theme: Theme) -> list[_Element]:
    maps = theme.maps
    by_kind = maps.color_by == "kind" or net.legend is True
    drawn = net.nodes
    shapes = [*(d.shape for d in drawn), *net.scale_shapes]  # panels share one scale
    spatial = [s for s in shapes if vector_units(s) is None]
    largest_side = max((max(s[:-1]) for s in spatial), default=1)
    vectors = [n for s in shapes if (n := vector_units(s)) is not None]
    largest_vector = max(vectors, default=1)

    out: list[_Element] = []
    for d in drawn:
        index, kind, shape, layer = d.index, d.kind, d.shape, d.layer
        base = d.color or (getattr(theme.kinds, kind, None) if by_kind else None)
        if base == "none":  # unfilled maps: outlines only
            fills: tuple[str, ...] = ("none",)
        else:
            fills = (base, mix(base, "#000000", 0.18)) if base else maps.colors
        element = _Element(
            index=index,
            number=d.number,
            kind=kind,
            shape=shape,
            layer=layer,
            label=d.label,
            size_label=d.size_label if d.size_label is not None else size_text(shape),
            op_label=op_text(layer, len(shape) - 1) if layer is not None else None,
            fill=fills,
            stroke=d.stroke or maps.stroke,
            colored=base is not None,
            image=d.image,
        )
        units = vector_units(shape)
        if units is not None:
            element.length = scaled_size(
                units,
                largest_vector,
                theme.vector.scale,
                theme.vector.min_length,
                theme.vector.max_length,
            )
            t = theme.vector.thickness
            element.width = element.length * SLANT + t
            element.height = element.length * SLANT + t
        else:
            h, w = (shape[0], shape[1]) if len(shape) == 3 else (1, shape[0])
            element.map_w = scaled_size(w, largest_side, maps.scale, maps.min_side, maps.max_side)
            if len(shape) == 3:
                element.map_h = scaled_size(
                    h, largest_side, maps.scale, maps.min_side, maps.max_side
                )
            else:  # a 1D map: a bar as thick as a vector
                element.map_h = max(maps.min_side, theme.vector.thickness * 1.5)
            element.maps = min(shape[-1], maps.max_drawn)
            # Small maps keep a visible step, big ones NN-SVG's offset.
            element.offset = min(maps.offset, max(2.0, element.map_w * 0.45))
            depth = (element.maps - 1) * element.offset
            element.width = element.map_w + depth
            element.height = element.map_h + depth
        element.spacing_after = layer.spacing if layer and layer.spacing is not None else 0.0
        out.append(element)
    return out


# --- labels ----------------------------------------------------------------------------
class _Labels:
    def __init__(self, theme: Theme, tm: TextMaker, shown: LabelOptions) -> None:
        self.theme = theme
        self.tm = tm
        self.shown = shown  # the spec's labels: which lines to draw

    def top_lines(self, e: _Element) -> list[tuple[str, float, str]]:
        """(text, size, weight) lines above an element: its label, then its size."""
        lab = self.theme.label
        lines = []
        if e.label and self.shown.titles:
            lines.append((e.label, lab.title_size, self.theme.font.title_weight))
        shown_label = e.label if self.shown.titles else None
        if (
            e.size_label
            and self.shown.sizes != "none"  # size_label: "" leaves it out
            and not says_the_same(shown_label, e.size_label)
        ):
            lines.append((e.size_label, lab.size_size, "normal"))
        return lines

    def top_width(self, e: _Element) -> float:
        return max((self.tm.width(t, s, w) for t, s, w in self.top_lines(e)), default=0.0)

    def top_height(self, e: _Element) -> float:
        gap = self.theme.label.line_gap
        return sum(self.tm.ascent(s) + self.tm.descent(s) + gap for _, s, _ in self.top_lines(e))

    def op_lines(self, e: _Element) -> list[tuple[str, float, str]]:
        lab = self.theme.label
        lines = []
        if e.op_label:
            lines.append((e.op_label, lab.size_size, "normal"))
        if e.layer is not None and e.layer.activation and self.shown.activations:
            from nnsvg.engines.fcnn import ACTIVATION_NAMES

            name = ACTIVATION_NAMES.get(e.layer.activation.lower(), e.layer.activation)
            lines.append((name, lab.activation_size, "italic"))
        if e.layer is not None and e.layer.note:  # a note: with the operation it is about
            lines.append((e.layer.note, lab.size_size, "italic"))
        return lines

    def op_width(self, e: _Element) -> float:
        return max((self.tm.width(t, s, w) for t, s, w in self.op_lines(e)), default=0.0)

    def op_texts(self, e: _Element, x: float, top: float) -> list[Text]:
        """The operation lines of ``e`` centred on ``x``, the first line's top at ``top``."""
        texts = []
        y = top
        for text, size, style in self.op_lines(e):
            y += self.tm.ascent(size)
            texts.append(
                self.tm.text(
                    x,
                    y,
                    text,
                    size,
                    style=style,
                    color=self.theme.label.secondary_color,
                    cls="label-op",
                )
            )
            y += self.tm.descent(size) + self.theme.label.line_gap
        return texts


def _place(elements: list[_Element], theme: Theme, labels: _Labels) -> None:
    """Left to right; each element's box centred on y = 0; gaps fit every label."""
    sep = theme.label.min_separation
    x = 0.0
    for i, e in enumerate(elements):
        if i:
            prev = elements[i - 1]
            gap = theme.maps.spacing + prev.spacing_after
            # Size labels above neighbouring elements must not touch...
            need_top = (labels.top_width(prev) + labels.top_width(e)) / 2 + sep
            x = max(x + gap, prev.center_x + need_top - e.width / 2)
            # ...nor the operation labels, centred under the gap before each element.
            if i >= 2 and labels.op_lines(e):
                prev_op_center = _op_center(elements[i - 2], prev)
                need = (labels.op_width(prev) + labels.op_width(e)) / 2 + sep
                this_center = (prev.x + prev.width + x) / 2
                if this_center - prev_op_center < need:
                    # Moving e right by d moves the op centre by d / 2.
                    x += 2 * (need - (this_center - prev_op_center))
        e.x = x
        e.y = -e.height / 2
        x += e.width


def _op_center(before: _Element, after: _Element) -> float:
    return (before.x + before.width + after.x) / 2


# --- drawing --------------------------------------------------------------------------
def _stack_items(e: _Element, theme: Theme, eid: str) -> list[Item]:
    maps = theme.maps
    items: list[Item] = []
    for k in range(e.maps):
        items.append(
            Rect(
                e.x + k * e.offset,
                e.y + k * e.offset,
                e.map_w,
                e.map_h,
                # The front map (drawn last) takes the first colour.
                paint=Paint(fill=e.fill[(e.maps - 1 - k) % len(e.fill)]),
            )
        )
    if e.image:
        front = e.front()
        items.append(Image(front.x0, front.y0, front.width, front.height, e.image))
        items.append(Rect(front.x0, front.y0, front.width, front.height, paint=Paint(fill="none")))
    return [
        Group(
            id=f"{eid}-maps",
            role="maps",
            children=tuple(items),
            paint=Paint(
                stroke=e.stroke,
                stroke_width=maps.stroke_width,
                fill_opacity=maps.opacity if maps.opacity < 1 else None,
            ),
        )
    ]


def _vector_items(e: _Element, theme: Theme, eid: str) -> list[Item]:
    t = theme.vector.thickness
    d = e.length * SLANT
    x, y = e.x, e.y
    # A parallelogram of thickness t running down-right at 45 degrees.
    points = ((x, y), (x + t, y), (x + t + d, y + d), (x + d, y + d))
    fill = e.fill[0] if e.colored else theme.vector.fill
    return [
        Polygon(
            points,
            Paint(fill=fill, stroke=e.stroke, stroke_width=theme.maps.stroke_width),
            id=f"{eid}-vector",
            cls="vector",
        )
    ]


def _link_items(prev: _Element, e: _Element, theme: Theme) -> list[Item]:
    """Lines joining the previous tensor to a vector: top to top, bottom to bottom."""
    a = prev.front() if not prev.is_vector else None
    t = theme.vector.thickness
    if prev.is_vector:
        d = prev.length * SLANT
        top_a = (prev.x + t, prev.y)
        bottom_a = (prev.x + t + d, prev.y + d)
    else:
        top_a = (a.x1, a.y0)
        bottom_a = (a.x1, a.y1)
    d = e.length * SLANT
    top_b = (e.x, e.y)
    bottom_b = (e.x + d, e.y + d)
    paint = Paint(stroke=theme.vector.link_color, stroke_width=theme.vector.link_width, fill="none")
    return [
        Path((("M", *top_a), ("L", *top_b)), paint),
        Path((("M", *bottom_a), ("L", *bottom_b)), paint),
    ]


def _filter_items(prev: _Element, e: _Element, theme: Theme, down: bool = False) -> list[Item]:
    """The kernel on ``prev``'s front map and lines to the point it makes on ``e``
    (from the kernel's right side; ``down``: from its bottom side)."""
    layer = e.layer
    window = None if prev.is_vector else kernel_window(layer, prev.shape, e.shape)
    if window is None:
        return []
    dims = len(window)
    # Maps: (height, width); a 1D sequence is drawn as a bar along x.
    kh, kw = window if dims == 2 else (1, window[0])
    in_h, in_w = (prev.shape[0], prev.shape[1]) if dims == 2 else (1, prev.shape[0])
    front = prev.front()
    sx, sy = front.width / in_w, front.height / in_h
    # A deterministic place, clear of the edges: 35% across, 55% down the free room.
    col = round((in_w - kw) * 0.35)
    row = round((in_h - kh) * 0.55)
    fx, fy = front.x0 + col * sx, front.y0 + row * sy
    fw, fh = max(kw * sx, 3.0), max(kh * sy, 3.0)
    # The output position of that window, on the next front map (a 1×1 output drawn
    # as a vector: the middle of its near edge).
    if e.is_vector:
        half = e.length * SLANT / 2
        px, py = e.x + half, e.y + half
    else:
        target = e.front()
        u = (col + kw / 2) / in_w
        v = (row + kh / 2) / in_h
        px = target.x0 + min(max(u, 0.0), 1.0) * target.width
        py = target.y0 + min(max(v, 0.0), 1.0) * target.height
        if dims == 1:
            py = target.y0 + target.height / 2
    fil = theme.filter
    line = Paint(stroke=fil.line_color, stroke_width=fil.line_width, fill="none")
    starts = [(fx, fy + fh) if down else (fx + fw, fy), (fx + fw, fy + fh)]
    return [
        Rect(
            fx,
            fy,
            fw,
            fh,
            paint=Paint(
                fill=fil.fill,
                fill_opacity=fil.fill_opacity,
                stroke=fil.stroke,
                stroke_width=fil.stroke_width,
            ),
            cls="filter",
        ),
        *(Path(_in_front(start, (px, py), e), line, cls="projection") for start in starts),
        Circle(px, py, max(1.2, fil.line_width * 1.8), Paint(fill=fil.line_color, stroke="none")),
    ]


def _in_front(
    start: tuple[float, float], end: tuple[float, float], e: _Element
) -> tuple[tuple[str, float, float], ...]:
    """A projection line to a point on ``e``'s front map, as path commands: the part
    over ``e``'s maps behind the front one left out (the line runs behind the stack
    and comes out on its front map, a second piece of the path), so it never crosses
    the back maps."""
    whole = (("M", *start), ("L", *end))
    if e.is_vector or e.maps < 2:
        return whole
    front = e.front()
    behind = [
        _entry(start, end, BBox(e.x + k * e.offset, e.y + k * e.offset,
                                e.x + k * e.offset + e.map_w, e.y + k * e.offset + e.map_h))
        for k in range(e.maps - 1)
    ]  # fmt: skip
    into_stack = min((t for t in behind if t is not None), default=None)
    into_front = _entry(start, end, front)
    if into_stack is None or into_front is None or into_stack >= into_front:
        return whole

    def at(t: float) -> tuple[float, float]:
        return (start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t)

    return (("M", *start), ("L", *at(into_stack)), ("M", *at(into_front)), ("L", *end))


def _entry(a: tuple[float, float], b: tuple[float, float], box: BBox) -> float | None:
    """Where (0..1) the segment a-b first enters ``box`` (Liang-Barsky), None if never."""
    t0, t1 = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in (
        (-dx, a[0] - box.x0),
        (dx, box.x1 - a[0]),
        (-dy, a[1] - box.y0),
        (dy, box.y1 - a[1]),
    ):
        if abs(p) < 1e-12:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
    return t0 if t0 <= t1 else None


def _label_items(
    e: _Element,
    theme: Theme,
    tm: TextMaker,
    labels: _Labels,
    row_bottom: float,
    op_x: float | None,
    op_top: float,
) -> list[Item]:
    """Size labels bottom-aligned on one row above every element (so none reaches over
    a taller neighbour), and the operation labels on one row below."""
    items: list[Item] = []
    lines = labels.top_lines(e)
    y = row_bottom - labels.top_height(e) + theme.label.line_gap
    for k, (text, size, weight) in enumerate(lines):
        y += tm.ascent(size)
        color = None if k == 0 and e.label else theme.label.secondary_color
        items.append(
            tm.text(e.center_x, y, text, size, weight=weight, color=color, cls="label-size")
        )
        y += tm.descent(size) + theme.label.line_gap
    if op_x is not None:
        items.extend(labels.op_texts(e, op_x, op_top))
    return items


def layout_lenet(
    net: Network,
    theme: Theme,
    metrics: TextMetrics,
    *,
    limits: LayoutLimits | None = None,
    physical_width: tuple[float, str] | None = None,
) -> Scene:
    """Lay out ``net`` as stacks of feature maps and vectors (a network that branches
    by :mod:`nnsvg.engines.lenet_graph`)."""
    if net.layout == "u":
        from nnsvg.engines.lenet_u import layout_u

        return layout_u(net, theme, metrics, limits=limits, physical_width=physical_width)
    if net.wrap is not None or net.direction == "down":
        from nnsvg.engines.lenet_rows import check_rows

        check_rows(net)
    if net.first_branch() is not None:
        from nnsvg.engines.lenet_graph import layout_lenet_graph

        return layout_lenet_graph(net, theme, metrics, limits=limits, physical_width=physical_width)
    tm = TextMaker(metrics, theme.font.family)
    labels = _Labels(theme, tm, net.labels)
    elements = _elements(net, theme)
    if net.wrap is not None or net.direction == "down":
        from nnsvg.engines.lenet_rows import layout_rows

        return layout_rows(net, elements, theme, tm, labels, physical_width)
    _place(elements, theme, labels)
    items, filters, top, row_bottom = draw_row(elements, theme, tm, labels)
    if filters:
        items.append(Group(id="filters", role="filters", children=tuple(filters)))
    if net.skips:
        from nnsvg.engines.lenet_skips import skip_items

        items.extend(skip_items(net, elements, theme, tm, labels, top, row_bottom))
    if net.frames:
        from nnsvg.engines.lenet_groups import group_items

        items.extend(group_items(net, elements, theme, tm, items))
    if kind_legend(net, theme.maps.color_by):
        items.append(_legend(elements, theme, tm, items))
    return finish_scene(items, net, theme, tm, engine="lenet", physical_width=physical_width)


def draw_row(
    elements: list[_Element], theme: Theme, tm: TextMaker, labels: _Labels
) -> tuple[list[Item], list[Item], float, float]:
    """The placed ``elements`` of one row: a group per element (its shapes, its size
    above, and its operation below the gap before it; the first one's operation is
    left to the caller), the filters between them, the top of everything and the
    baseline row of the size labels."""
    shapes: list[list[Item]] = []
    for i, e in enumerate(elements):
        eid = f"layer-{e.number}"
        parts: list[Item] = []
        if i and e.is_vector:
            parts.extend(_link_items(elements[i - 1], e, theme))
        parts.extend(_vector_items(e, theme, eid) if e.is_vector else _stack_items(e, theme, eid))
        shapes.append(parts)
    filters: list[Item] = []
    for i in range(1, len(elements)):
        filters.extend(_filter_items(elements[i - 1], elements[i], theme))

    box = bounds([*itertools.chain.from_iterable(shapes), *filters]) or BBox(0, 0, 1, 1)
    op_top = box.y1 + theme.layer.label_gap
    row_bottom = min(e.y for e in elements) - theme.layer.label_gap
    items: list[Item] = []
    captions: list[Item] = []
    for i, e in enumerate(elements):
        op_x = _op_center(elements[i - 1], e) if i else None
        own = _label_items(e, theme, tm, labels, row_bottom, op_x, op_top)
        captions.extend(own)
        items.append(
            Group(
                id=f"layer-{e.number}",
                role=f"layer {e.kind}",
                children=(*shapes[i], *own),
                title=e.label or KIND_NAMES[e.kind],
            )
        )
    top = min(b.y0 for b in (bounds(captions) or box, box))
    return items, filters, top, row_bottom


def _legend(elements: list[_Element], theme: Theme, tm: TextMaker, items: list[Item]) -> Group:
    """Colour swatches of the layer kinds present, in a row under the figure."""
    content = bounds(items)
    size = theme.legend.font_size
    kinds = list(dict.fromkeys(e.kind for e in elements))
    x = content.x0
    y = content.y1 + theme.legend.gap
    children: list[Item] = []
    box = size * 1.1
    for kind in kinds:
        color = getattr(theme.kinds, kind, None) or theme.maps.colors[0]  # crop: as drawn
        children.append(
            Rect(
                x, y, box, box, paint=Paint(fill=color, stroke=theme.maps.stroke, stroke_width=0.6)
            )
        )
        name = KIND_NAMES[kind]
        children.append(
            tm.text(x + box + 4, y + box / 2, name, size, anchor="start", baseline="central")
        )
        x += box + 4 + tm.width(name, size) + 16
    return Group(id="legend", role="legend", children=tuple(children))
