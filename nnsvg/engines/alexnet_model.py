"""The AlexNet engine's model of a network: a tensor per drawn node (its box's size
from its shape, its colour, its captions), and the painter's order of slabs along z
(see :mod:`nnsvg.engines.alexnet`)."""

from __future__ import annotations

from dataclasses import dataclass

from nnsvg.engines.common import says_the_same, scaled_size, vector_units
from nnsvg.engines.lenet import KIND_NAMES
from nnsvg.geometry import Camera, Vec3
from nnsvg.network import Network
from nnsvg.spec.model import Layer
from nnsvg.spec.shapes import Shape
from nnsvg.theme import Theme

__all__ = [
    "KINDS_3D",
    "Box3",
    "Tensor",
    "captions_of",
    "draw_order",
    "seen_by",
    "size_text",
    "tensors_of",
]

KINDS_3D = {**KIND_NAMES, "softmax": "Softmax"}


@dataclass(frozen=True, slots=True)
class Box3:
    """An axis-aligned box."""

    x0: float
    x1: float
    y0: float
    y1: float
    z0: float
    z1: float

    @property
    def center(self) -> Vec3:
        return ((self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2, (self.z0 + self.z1) / 2)

    def faces(self) -> list[tuple[str, Vec3, tuple[Vec3, ...]]]:
        """(tone, outward normal, corners) of the six faces: tone is front (±z),
        top (±y) or side (±x)."""
        x0, x1, y0, y1, z0, z1 = self.x0, self.x1, self.y0, self.y1, self.z0, self.z1
        return [
            ("front", (0.0, 0.0, -1.0), ((x0, y0, z0), (x1, y0, z0), (x1, y1, z0), (x0, y1, z0))),
            ("front", (0.0, 0.0, 1.0), ((x0, y0, z1), (x0, y1, z1), (x1, y1, z1), (x1, y0, z1))),
            ("top", (0.0, -1.0, 0.0), ((x0, y0, z0), (x0, y0, z1), (x1, y0, z1), (x1, y0, z0))),
            ("top", (0.0, 1.0, 0.0), ((x0, y1, z0), (x1, y1, z0), (x1, y1, z1), (x0, y1, z1))),
            ("side", (-1.0, 0.0, 0.0), ((x0, y0, z0), (x0, y1, z0), (x0, y1, z1), (x0, y0, z1))),
            ("side", (1.0, 0.0, 0.0), ((x1, y0, z0), (x1, y0, z1), (x1, y1, z1), (x1, y1, z0))),
        ]

    def corners(self) -> list[Vec3]:
        return [
            (x, y, z)
            for x in (self.x0, self.x1)
            for y in (self.y0, self.y1)
            for z in (self.z0, self.z1)
        ]


def draw_order(slabs: list[tuple[float, float]], camera: Camera) -> list[int]:
    """Indices of z-slabs (z0, z1), farthest first, for disjoint slabs.

    Parallel views: the eye is at infinity on the +z or -z side of the network.
    Perspective: slabs farther from the eye's z go first."""
    centers = [(a + b) / 2 for a, b in slabs]
    order = list(range(len(slabs)))
    if camera.projection == "perspective" and camera.eye_position is not None:
        # A slab's distance from the eye is that of its nearer end (0 when the eye's z
        # lies inside it): rays from the eye cross slabs in order of that distance.
        ez = camera.eye_position[2]

        def gap(i: int) -> float:
            a, b = slabs[i]
            return 0.0 if a <= ez <= b else min(abs(a - ez), abs(b - ez))

        return sorted(order, key=lambda i: (-gap(i), i))
    ez = camera.eye_direction()[2]
    if ez >= 0:
        return sorted(order, key=lambda i: (centers[i], i))
    return sorted(order, key=lambda i: (-centers[i], i))


@dataclass(slots=True)
class Tensor:
    index: int
    number: int
    kind: str  # input, conv, pool, ..., or softmax for a softmax dense layer
    shape: Shape
    layer: Layer | None
    label: str | None
    size_label: str
    color: str
    stroke: str  # the outline: the spec's own, or the theme's
    band: bool  # conv + ReLU: the activation as a darker band (PlotNeuralNet)
    bar: bool  # dense-like: a thin bar
    w: float = 0.0
    h: float = 0.0
    d: float = 0.0
    z0: float = 0.0
    gap_after: float = 0.0
    y: float = 0.0  # the centre's height: 0 in a chain, a lane's in a graph

    @property
    def box(self) -> Box3:
        y0, y1 = self.y - self.h / 2, self.y + self.h / 2
        return Box3(-self.w / 2, self.w / 2, y0, y1, self.z0, self.z0 + self.d)


def seen_by(tensors: list[Tensor], camera: Camera) -> Camera:
    """``camera`` placed for a chain of placed ``tensors`` (a perspective eye at its
    distance from the chain's centre, in sizes of the chain)."""
    last = tensors[-1].box
    center = (0.0, 0.0, (tensors[0].z0 + last.z1) / 2)
    size = max(last.z1 - tensors[0].z0, max(max(t.h, t.w) for t in tensors))
    return camera.at(center, size)


def size_text(shape: Shape) -> str:
    return "×".join(str(n) for n in shape)


def tensors_of(net: Network, theme: Theme) -> list[Tensor]:
    boxes = theme.boxes
    drawn = net.nodes

    def is_bar(shape: Shape) -> bool:
        return vector_units(shape) is not None

    shapes = [*(d.shape for d in drawn), *net.scale_shapes]  # panels share one scale
    maps = [s for s in shapes if not is_bar(s)]
    largest_side = max((max(s[:-1]) for s in maps), default=1)
    largest_depth = max((s[-1] for s in maps), default=1)
    largest_bar = max((s[-1] for s in shapes if is_bar(s)), default=1)
    by_kind = boxes.color_by == "kind" or net.legend is True
    out = []
    for d in drawn:
        kind, shape, layer = d.kind, d.shape, d.layer
        activation = (layer.activation or "").lower() if layer else ""
        if kind == "dense" and activation == "softmax":
            kind = "softmax"
        color = d.color or (getattr(theme.kinds, kind, boxes.color) if by_kind else boxes.color)
        t = Tensor(
            index=d.index,
            number=d.number,
            kind=kind,
            shape=shape,
            layer=layer,
            label=d.label,
            size_label=d.size_label if d.size_label is not None else size_text(shape),
            color=color,
            stroke=d.stroke or boxes.stroke,
            band=kind in ("conv", "conv_transpose")
            and activation in ("relu", "leaky_relu", "gelu"),
            bar=is_bar(shape),
        )
        if t.bar:
            t.w = t.d = boxes.bar_size
            t.h = scaled_size(shape[-1], largest_bar, boxes.bar_scale, boxes.bar_min, boxes.bar_max)
        else:
            h, w = (shape[0], shape[1]) if len(shape) == 3 else (shape[0], 1)
            t.h = scaled_size(h, largest_side, boxes.scale, boxes.min_size, boxes.max_size)
            t.w = (
                scaled_size(w, largest_side, boxes.scale, boxes.min_size, boxes.max_size)
                if len(shape) == 3
                else boxes.min_size
            )
            t.d = scaled_size(
                shape[-1], largest_depth, boxes.depth_scale, boxes.min_depth, boxes.max_depth
            )
        spacing = layer.spacing if layer and layer.spacing is not None else 0.0
        t.gap_after = max(boxes.spacing + spacing, 4.0)
        out.append(t)
    return out


def captions_of(t: Tensor, net: Network, theme: Theme) -> list[tuple[str, float, str, str]]:
    """(text, size, weight, style) lines under a box: label, size, activation, note."""
    lab = theme.label
    lines = []
    if net.labels.titles and t.label:
        lines.append((t.label, lab.title_size, theme.font.title_weight, "normal"))
    shown_label = t.label if net.labels.titles else None
    if (
        net.labels.sizes != "none"
        and t.size_label  # size_label: "" leaves it out
        and not says_the_same(shown_label, t.size_label)
    ):
        lines.append((t.size_label, lab.size_size, "normal", "normal"))
    if net.labels.activations and t.layer is not None and t.layer.activation:
        from nnsvg.engines.fcnn import ACTIVATION_NAMES

        act = t.layer.activation
        lines.append(
            (ACTIVATION_NAMES.get(act.lower(), act), lab.activation_size, "normal", "italic")
        )
    if t.layer is not None and t.layer.note:  # a note: the caption's last line
        lines.append((t.layer.note, lab.size_size, "normal", "italic"))
    return lines
