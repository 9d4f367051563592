"""The AlexNet engine: tensors as 3D boxes, drawn in 2D with our own projection.

World axes: x is a map's width, y its height, z runs along the network; a box's
thickness along z comes from its channels. Sizes map through a scale per axis
(linear, sqrt or log, against the largest), never below a minimum, so 224×224×3
and 13×13×384 both read, and a 1-channel map is not a flat sheet.

Hidden surfaces: every object (a box, a kernel box inside it, a pyramid or an
arrow in the gap after it) lives in its own slab along z, and slabs never
overlap, so drawing slabs from the farthest to the nearest (by the eye's side
of the network) is a correct painter's order for every camera; inside a slab,
a box's back faces go first, then what is inside it, then its front faces.
Faces are single quads (no triangle seams), shaded front / top / side.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass

from nnsvg.colors import mix
from nnsvg.engines.common import (
    LayoutLimits,
    TextMaker,
    arrowhead,
    finish_scene,
    kernel_window,
    merge_mark,
    scaled_size,
    skip_lanes,
    vector_units,
)
from nnsvg.engines.lenet import KIND_NAMES
from nnsvg.geometry import Camera, Vec3, convex_hull, convex_overlap
from nnsvg.network import Network
from nnsvg.scene import (
    BBox,
    Circle,
    Group,
    Item,
    Paint,
    Path,
    Polygon,
    Polygons,
    Rect,
    Scene,
    Text,
    bbox_of,
    iter_leaves,
)
from nnsvg.spatial import Bounds, BoxIndex, SpanRow, bounds_of
from nnsvg.spec.model import Layer
from nnsvg.spec.shapes import Shape
from nnsvg.textmetrics import TextMetrics
from nnsvg.theme import Theme

__all__ = ["Box3", "draw_order", "layout_alexnet"]

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
class _Tensor:
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


def _size_text(shape: Shape) -> str:
    return "×".join(str(n) for n in shape)


def _tensors(net: Network, theme: Theme) -> list[_Tensor]:
    boxes = theme.boxes
    drawn = net.nodes

    def is_bar(shape: Shape) -> bool:
        return vector_units(shape) is not None

    maps = [d.shape for d in drawn if not is_bar(d.shape)]
    largest_side = max((max(s[:-1]) for s in maps), default=1)
    largest_depth = max((s[-1] for s in maps), default=1)
    largest_bar = max((d.shape[-1] for d in drawn if is_bar(d.shape)), default=1)
    by_kind = boxes.color_by == "kind" or net.legend is True
    out = []
    for d in drawn:
        kind, shape, layer = d.kind, d.shape, d.layer
        activation = (layer.activation or "").lower() if layer else ""
        if kind == "dense" and activation == "softmax":
            kind = "softmax"
        color = d.color or (getattr(theme.kinds, kind, boxes.color) if by_kind else boxes.color)
        t = _Tensor(
            index=d.index,
            number=d.number,
            kind=kind,
            shape=shape,
            layer=layer,
            label=d.label,
            size_label=d.size_label if d.size_label is not None else _size_text(shape),
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


def _captions(t: _Tensor, net: Network, theme: Theme) -> list[tuple[str, float, str, str]]:
    """(text, size, weight, style) lines under a box."""
    lab = theme.label
    lines = []
    if net.labels.titles and t.label:
        lines.append((t.label, lab.title_size, theme.font.title_weight, "normal"))
    if net.labels.sizes != "none" and t.size_label:  # size_label: "" leaves it out
        lines.append((t.size_label, lab.size_size, "normal", "normal"))
    if net.labels.activations and t.layer is not None and t.layer.activation:
        from nnsvg.engines.fcnn import ACTIVATION_NAMES

        act = t.layer.activation
        lines.append(
            (ACTIVATION_NAMES.get(act.lower(), act), lab.activation_size, "normal", "italic")
        )
    return lines


def _place(
    tensors: list[_Tensor], net: Network, theme: Theme, tm: TextMaker, camera: Camera
) -> None:
    """Positions along z; a gap widens when neighbouring captions would touch."""
    z = 0.0
    right_z = abs(camera.project((0.0, 0.0, 1.0))[0] - camera.project((0.0, 0.0, 0.0))[0])
    sep = theme.label.min_separation
    widths = [
        max(
            (tm.width(text, size, weight) for text, size, weight, _ in _captions(t, net, theme)),
            default=0.0,
        )
        for t in tensors
    ]
    for i, t in enumerate(tensors):
        if i:
            prev = tensors[i - 1]
            z = prev.z0 + prev.d + prev.gap_after
            if right_z > 0.25:  # the captions spread along the network: keep them apart
                need = (widths[i - 1] + widths[i]) / 2 + sep
                have = (z + t.d / 2 - (prev.z0 + prev.d / 2)) * right_z
                if have < need:
                    z += (need - have) / right_z
        t.z0 = z


# --- faces -------------------------------------------------------------------------------
def _face_paint(color: str, tone: str, theme: Theme, opacity: float) -> Paint:
    boxes = theme.boxes
    if color == "none":  # an unfilled box: its edges only
        return Paint(fill="none")
    if tone == "top":
        fill = mix(color, "#ffffff", boxes.shade_top)
    elif tone == "side":
        fill = mix(color, "#000000", boxes.shade_side)
    else:
        fill = color
    return Paint(fill=fill, fill_opacity=opacity if opacity < 1 else None)


def _project(camera: Camera, points: tuple[Vec3, ...]) -> tuple[tuple[float, float], ...]:
    return tuple(camera.project(p)[:2] for p in points)


def _box_faces(
    box: Box3,
    color: str,
    theme: Theme,
    camera: Camera,
    opacity: float,
    front: bool,
    split: float | None = None,
    band_color: str | None = None,
) -> list[Item]:
    """The box's back faces (front=False) or front faces (front=True), as quads.

    With ``split``, the part of the box beyond z = split is a band in ``band_color``:
    the faces along z are cut there, the far end face takes the band colour."""
    out: list[Item] = []
    for tone, normal, corners in box.faces():
        if camera.faces_viewer(normal, corners[0]) != front:
            continue
        if split is None or band_color is None:
            out.append(Polygon(_project(camera, corners), _face_paint(color, tone, theme, opacity)))
        elif tone == "front":
            face_color = band_color if normal[2] > 0 else color
            out.append(
                Polygon(_project(camera, corners), _face_paint(face_color, tone, theme, opacity))
            )
        else:
            for z0, z1, part_color in ((box.z0, split, color), (split, box.z1, band_color)):
                piece = tuple((x, y, min(max(z, z0), z1)) for x, y, z in corners)
                out.append(
                    Polygon(_project(camera, piece), _face_paint(part_color, tone, theme, opacity))
                )
    return out


def _solid(
    box: Box3,
    color: str,
    theme: Theme,
    camera: Camera,
    opacity: float,
    inside: list[Item] | None = None,
    split: float | None = None,
    band_color: str | None = None,
) -> list[Item]:
    """A convex box with what is inside it, in painter's order: the back faces (only
    seen through translucent ones), the inside, the front faces."""
    back = (
        _box_faces(box, color, theme, camera, opacity, False, split, band_color)
        if opacity < 1
        else []
    )
    front = _box_faces(box, color, theme, camera, opacity, True, split, band_color)
    return [*back, *(inside or []), *front]


def _filter_and_pyramid(
    prev: _Tensor, t: _Tensor, theme: Theme, camera: Camera
) -> tuple[list[Item], list[Item]]:
    """The kernel box inside ``prev`` (spanning its channels) and the pyramid from the
    kernel's far face to the point it makes on ``t``'s near face."""
    window = None if prev.bar else kernel_window(t.layer, prev.shape, t.shape)
    if window is None:
        return [], []
    # Maps: (height, width); a 1D sequence stands along y, one unit wide.
    kh, kw = window if len(window) == 2 else (window[0], 1)
    boxes = theme.boxes
    in_h = prev.shape[0]
    in_w = prev.shape[1] if len(prev.shape) == 3 else 1
    a = prev.box
    fw = max(a.x1 - a.x0, 0) * kw / in_w
    fh = max(a.y1 - a.y0, 0) * kh / in_h
    fw, fh = max(fw, 1.5), max(fh, 1.5)
    u = 0.35  # a fixed, clear place: 35% across, 45% down the free room
    v = 0.45
    fx0 = a.x0 + (a.x1 - a.x0 - fw) * u
    fy1 = a.y1 - (a.y1 - a.y0 - fh) * v
    inset = min(0.4, (a.z1 - a.z0) * 0.02)
    kernel_box = Box3(fx0, fx0 + fw, fy1 - fh, fy1, a.z0 + inset, a.z1 - inset)
    inside = _solid(kernel_box, boxes.filter_color, theme, camera, boxes.filter_opacity)
    b = t.box
    # The output point: the kernel centre's place on the next box's near face
    # (its height from the height, its width from the width).
    cu = ((fx0 + fw / 2) - a.x0) / max(a.x1 - a.x0, 1e-9)
    cv = ((fy1 - fh / 2) - a.y0) / max(a.y1 - a.y0, 1e-9)
    apex = (b.x0 + cu * (b.x1 - b.x0), b.y0 + cv * (b.y1 - b.y0), b.z0)
    base = (
        (kernel_box.x0, kernel_box.y0, a.z1),
        (kernel_box.x1, kernel_box.y0, a.z1),
        (kernel_box.x1, kernel_box.y1, a.z1),
        (kernel_box.x0, kernel_box.y1, a.z1),
    )
    paint = Paint(
        fill=boxes.pyramid_color,
        fill_opacity=boxes.pyramid_opacity if boxes.pyramid_opacity < 1 else None,
    )
    back: list[Item] = []
    front: list[Item] = []
    for k in range(4):
        p, q = base[k], base[(k + 1) % 4]
        tri = (p, q, apex)
        # The outward normal of a side of a convex pyramid: away from the base's centre.
        normal = _triangle_normal(tri, base)
        visible = camera.faces_viewer(normal, p)
        (front if visible else back).append(Polygon(_project(camera, tri), paint))
    return inside, [*back, *front]


def _triangle_normal(tri: tuple[Vec3, Vec3, Vec3], base: tuple[Vec3, ...]) -> Vec3:
    (ax, ay, az), (bx, by, bz), (cx, cy, cz) = tri
    ux, uy, uz = bx - ax, by - ay, bz - az
    vx, vy, vz = cx - ax, cy - ay, cz - az
    n = (uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx)
    mx = sum(p[0] for p in base) / 4
    my = sum(p[1] for p in base) / 4
    mz = sum(p[2] for p in base) / 4
    out = (ax - mx, ay - my, az - mz)
    if n[0] * out[0] + n[1] * out[1] + n[2] * out[2] < 0:
        n = (-n[0], -n[1], -n[2])
    return n


def _arrow(prev: _Tensor, t: _Tensor, theme: Theme, camera: Camera) -> list[Item]:
    """An arrow from the centre of ``prev``'s far face to ``t``'s near face."""
    a, b = prev.box, t.box
    start = camera.project((0.0, prev.y, a.z1))[:2]
    tip = camera.project((0.0, t.y, b.z0))[:2]
    boxes = theme.boxes
    length = theme.arrow.length
    direction = (tip[0] - start[0], tip[1] - start[1])
    norm = math.hypot(*direction)
    if norm < length * 1.5:
        return []
    ux, uy = direction[0] / norm, direction[1] / norm
    end = (tip[0] - ux * length * 0.8, tip[1] - uy * length * 0.8)
    head = arrowhead(tip, direction, length, theme.arrow.width)
    return [
        Path(
            (("M", *start), ("L", *end)),
            Paint(stroke=boxes.arrow_color, stroke_width=boxes.arrow_width, fill="none"),
        ),
        Polygons((head,), Paint(fill=boxes.arrow_color, stroke="none")),
    ]


# --- labels on edges, captions, skips, legend -------------------------------------------
def _dims(t: _Tensor, theme: Theme, tm: TextMaker, camera: Camera) -> list[Item]:
    """Height, width and channels beside three silhouette edges of a box."""
    if t.bar or len(t.shape) < 2:
        return []
    box = t.box
    e = camera.eye_direction()
    xs = box.x0 if e[0] < 0 else box.x1  # the side face the eye sees
    zs = box.z1 if e[2] >= 0 else box.z0  # the end face the eye sees
    yb = box.y0 if e[1] >= 0 else box.y1  # the bottom (or top, from below)
    h = t.shape[0]
    w = t.shape[1] if len(t.shape) == 3 else None
    c = t.shape[-1]
    zh = box.z0 if e[2] >= 0 else box.z1  # the end away from the eye: the outer silhouette
    edges = [
        (str(h), (xs, box.y0, zh), (xs, box.y1, zh)),
        (str(c), (xs, yb, box.z0), (xs, yb, box.z1)),
    ]
    if w is not None:
        edges.append((str(w), (box.x0, yb, zs), (box.x1, yb, zs)))
    center = camera.project(box.center)[:2]
    size = theme.boxes.dims_size
    out: list[Item] = []
    for text, p, q in edges:
        a, b = camera.project(p)[:2], camera.project(q)[:2]
        width = tm.width(text, size)
        if math.hypot(b[0] - a[0], b[1] - a[1]) < max(width, size) * 1.1:
            continue  # too short an edge to label cleanly
        mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
        dx, dy = mx - center[0], my - center[1]
        n = math.hypot(dx, dy) or 1.0
        off = size * 0.6 + width / 2 * abs(dx / n)
        out.append(
            tm.text(
                mx + dx / n * off,
                my + dy / n * off,
                text,
                size,
                baseline="central",
                color=theme.label.secondary_color,
                cls="dim",
            )
        )
    return out


def _hull(group: Group) -> list[tuple[float, float]]:
    points = [
        p for item in iter_leaves(group.children) if isinstance(item, Polygon) for p in item.points
    ]
    return convex_hull(points)


def _text_quad(item: Item) -> list[tuple[float, float]]:
    box = bbox_of(item)
    assert box is not None
    return [(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1)]


def _clear_dims(
    tensors: list[_Tensor],
    drawn: list[Group],
    order: list[int],
    on_top: list[Item],
    theme: Theme,
    tm: TextMaker,
    camera: Camera,
) -> dict[int, list[Text]]:
    """Edge numbers that fall on no box (their own included), kernel pyramid or other
    number, by tensor number: a number that would be covered is left out rather than
    drawn over something.

    A number is drawn in its box's group, right after the box, so what is drawn after
    that group (``drawn`` in the painter's ``order``, then ``on_top``: the skips) could
    cover it: a number is also left out when anything drawn later overlaps it by more
    than 0.5, as above but with that shape's stroke counted (arrows and skip arcs
    too). Over 540 camera views of three gallery networks this leaves out 65 of 7516
    numbers (none in the gallery), which the earlier figures drew within 0.5 of an
    outline drawn over them; in the views where it leaves none out, the PNGs are
    those of the figures with every number drawn last (2 pixels differ by 1/255)."""
    hulls = {g.id: _hull(g) for g in drawn}
    kept: dict[int, list[Text]] = {}
    obstacles = [h for h in hulls.values() if len(h) >= 3]
    # Each number is tested only against the shapes and numbers whose bounds meet its
    # own (issue #14: testing all of them made long networks quadratic). That loses no
    # overlap: a number's quad is an axis-aligned rectangle, so convex_overlap tests
    # its x and y axes, and an overlap of more than 0.5 on both means the bounds meet.
    size = theme.boxes.dims_size
    sides = sorted(max(b[2] - b[0], b[3] - b[1]) for b in map(bounds_of, obstacles))
    shapes = BoxIndex(max(sides[len(sides) // 2] if sides else 0.0, 4 * size))
    for h in obstacles:
        shapes.add(bounds_of(h))
    later = _Later(drawn, order, on_top, shapes.cell)
    numbers = BoxIndex(4 * size)
    kept_quads: list[list[tuple[float, float]]] = []
    for t in tensors:
        for text in _dims(t, theme, tm, camera):
            quad = _text_quad(text)
            near = _near(quad)
            if any(convex_overlap(quad, obstacles[k], 0.5) for k in _candidates(shapes, near)):
                continue
            if any(convex_overlap(quad, kept_quads[k], 0.5) for k in _candidates(numbers, near)):
                continue
            if later.covers(quad, f"layer-{t.number}"):
                continue
            kept.setdefault(t.number, []).append(text)
            kept_quads.append(quad)
            numbers.add(bounds_of(quad))
    return kept


class _Later:
    """The pieces of what is drawn, each convex (a face, a triangle, a line segment, an
    arrowhead, a merge mark's square), with the half stroke around it and the place it
    is drawn at: which of them are drawn after a group, and touch a quad."""

    def __init__(self, drawn: list[Group], order: list[int], on_top: list[Item], cell: float):
        self.place = {drawn[i].id: rank for rank, i in enumerate(order)}
        self.pieces: list[tuple[list[tuple[float, float]], float, int]] = []
        self.index = BoxIndex(cell)
        for rank, i in enumerate(order):
            self._add(drawn[i], rank, 0.0)
        for item in on_top:
            self._add(item, len(order), 0.0)

    def _add(self, item: Item, rank: int, pad: float) -> None:
        paint = getattr(item, "paint", None)
        if paint is not None and paint.stroke == "none":
            pad = 0.0
        elif paint is not None and paint.stroke_width is not None:
            pad = paint.stroke_width / 2
        pieces: list[list[tuple[float, float]]] = []
        if isinstance(item, Group):
            for child in item.children:
                self._add(child, rank, pad)
        elif isinstance(item, Polygon):
            pieces.append(list(item.points))
        elif isinstance(item, Polygons):
            pieces.extend(list(poly) for poly in item.polygons if poly)
        elif isinstance(item, Path):
            ends = [cmd[-2:] for cmd in item.commands if cmd[0] != "Z"]
            pieces.extend([a, b] for a, b in itertools.pairwise(ends))  # M and L only
        elif isinstance(item, (Circle, Text)):
            box = bbox_of(item)
            if box is not None:
                pieces.append(
                    [(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1)]
                )
        for piece in pieces:
            x0, y0, x1, y1 = bounds_of(piece)
            self.index.add((x0 - pad, y0 - pad, x1 + pad, y1 + pad))
            self.pieces.append((piece, pad, rank))

    def covers(self, quad: list[tuple[float, float]], group: str) -> bool:
        """Whether a piece drawn after ``group`` overlaps ``quad``, grown by the
        piece's half stroke, by more than 0.5."""
        after = self.place.get(group, -1)
        x0, y0, x1, y1 = bounds_of(quad)
        for k in self.index.query((x0, y0, x1, y1)):
            piece, pad, rank = self.pieces[k]
            if rank <= after:
                continue
            grown = [
                (x0 - pad, y0 - pad),
                (x1 + pad, y0 - pad),
                (x1 + pad, y1 + pad),
                (x0 - pad, y1 + pad),
            ]
            if convex_overlap(grown, piece, 0.5):
                return True
        return False


def _candidates(index: BoxIndex, near: Bounds | None) -> Iterable[int]:
    """The boxes of ``index`` to test against a quad looked up by ``near`` (all of them
    for a quad with no bounds to look up by)."""
    return range(len(index)) if near is None else index.query(near)


def _near(quad: list[tuple[float, float]]) -> Bounds | None:
    """The bounds to look up a text quad's neighbours with: its own, widened by far more
    than convex_overlap's rounding (so a tested overlap of 0.5 is never missed); None for
    a quad shrunk to a point, which the overlap test does not treat as a rectangle."""
    x0, y0, x1, y1 = bounds_of(quad)
    if x0 == x1 and y0 == y1:
        return None
    slack = 1e-9 * (1.0 + max(abs(x0), abs(y0), abs(x1), abs(y1)))
    return (x0 - slack, y0 - slack, x1 + slack, y1 + slack)


def _caption_rows(
    tensors: list[_Tensor], net: Network, theme: Theme, tm: TextMaker, camera: Camera, top: float
) -> dict[int, list[Text]]:
    """Captions under each box's centre, by tensor number; a caption that would touch
    one already placed goes one row down (views along the network stack them)."""
    sep = theme.label.min_separation / 2
    blocks = []
    for t in tensors:
        lines = _captions(t, net, theme)
        if not lines:
            continue
        x = camera.project(t.box.center)[0]
        width = max(tm.width(text, size, weight) for text, size, weight, _ in lines)
        height = sum(tm.ascent(s) + tm.descent(s) + theme.label.line_gap for _, s, _, _ in lines)
        blocks.append((t, lines, x, width, height))
    row_height = max((b[4] for b in blocks), default=0.0) + theme.label.line_gap
    rows: list[SpanRow] = []  # each caption is looked up among its row's, not tested on all
    out: dict[int, list[Text]] = {}
    for t, lines, x, width, _height in blocks:
        span = (x - width / 2 - sep, x + width / 2 + sep)
        row = 0
        while row < len(rows) and rows[row].overlaps(*span):
            row += 1
        if row == len(rows):
            rows.append(SpanRow())
        rows[row].add(*span)
        texts = caption_texts(t, lines, x, top + row * row_height, theme, tm)
        out.setdefault(t.number, []).extend(texts)
    return out


def caption_texts(
    t: _Tensor,
    lines: list[tuple[str, float, str, str]],
    x: float,
    top: float,
    theme: Theme,
    tm: TextMaker,
) -> list[Item]:
    """A box's caption lines centred on ``x``, the first line's top at ``top``: its
    label, then in the secondary colour its size and activation."""
    out: list[Item] = []
    y = top
    for text, size, weight, style in lines:
        y += tm.ascent(size)
        color = None if text == t.label else theme.label.secondary_color
        out.append(
            tm.text(x, y, text, size, weight=weight, style=style, color=color, cls="caption")
        )
        y += tm.descent(size) + theme.label.line_gap
    return out


def _skips(
    net: Network, tensors: list[_Tensor], theme: Theme, tm: TextMaker, camera: Camera
) -> list[Item]:
    placed = skip_lanes(net.skips, tensors)
    if not placed:
        return []
    sk = theme.skip
    above = camera.eye_direction()[1] >= 0
    sign = 1.0 if above else -1.0
    items: list[Item] = []
    for a, b, lane, merge in placed:
        span = tensors[a.index : b.index + 1]
        ya, yb = sign * a.h / 2, sign * b.h / 2
        # Leave a box on its later side and arrive on its earlier side (along the
        # network): an arc arriving where another leaves never crosses it.
        za, zb = a.box.center[2] + a.d / 4, b.box.center[2] - b.d / 4
        level = sign * (max(t.h / 2 for t in span) + sk.height + lane * sk.lane)
        level = _clear_level(span, level, sign, za, zb, sk.height + lane * sk.lane, camera)
        points = [(0.0, ya, za), (0.0, level, za), (0.0, level, zb)]
        p2 = [camera.project(p)[:2] for p in points]
        top_b = camera.project((0.0, yb, zb))[:2]
        mark_r = sk.mark_radius
        dx, dy = top_b[0] - p2[-1][0], top_b[1] - p2[-1][1]
        n = math.hypot(dx, dy) or 1.0
        ux, uy = dx / n, dy / n
        mark = (
            p2[-1][0] + ux * min(n * 0.4, mark_r * 2.5),
            p2[-1][1] + uy * min(n * 0.4, mark_r * 2.5),
        )
        tip = (top_b[0] - ux * 2, top_b[1] - uy * 2)
        paint = Paint(stroke=sk.color, stroke_width=sk.width, fill="none")
        head = arrowhead(tip, (ux, uy), theme.arrow.length, theme.arrow.width)
        items.append(
            Group(
                id=f"skip-{a.number}-{b.number}",
                role=f"skip {merge}",
                children=(
                    Path(
                        (
                            ("M", *p2[0]),
                            ("L", *p2[1]),
                            ("L", *p2[2]),
                            ("L", mark[0] - ux * mark_r, mark[1] - uy * mark_r),
                        ),
                        paint,
                        cls="skip",
                    ),
                    *merge_mark(*mark, merge, theme, tm),
                    Path(
                        (
                            ("M", mark[0] + ux * mark_r, mark[1] + uy * mark_r),
                            (
                                "L",
                                tip[0] - ux * theme.arrow.length * 0.8,
                                tip[1] - uy * theme.arrow.length * 0.8,
                            ),
                        ),
                        paint,
                    ),
                    Polygons((head,), Paint(fill=sk.color, stroke="none")),
                ),
            )
        )
    return items


def _clear_level(
    span: list[_Tensor],
    level: float,
    sign: float,
    za: float,
    zb: float,
    margin: float,
    camera: Camera,
) -> float:
    """Raise an arc's level until, on screen, it passes ``margin`` over every box it spans
    (above them seen from above, below them seen from below)."""
    corners = [camera.project(c)[1] for t in span for c in t.box.corners()]
    edge = min(corners) if sign > 0 else max(corners)
    step = max(max(t.h for t in span), 1.0) * 0.1
    for _ in range(200):
        ys = [camera.project((0.0, level, z))[1] for z in (za, zb)]
        if (sign > 0 and max(ys) <= edge - margin) or (sign < 0 and min(ys) >= edge + margin):
            break
        level += sign * step
        step *= 1.25  # steep views need a much higher arc: grow the step
    return level


def _legend(
    tensors: list[_Tensor], theme: Theme, tm: TextMaker, below: float, left: float
) -> Group:
    size = theme.legend.font_size
    kinds = list(dict.fromkeys(t.kind for t in tensors))
    x, y = left, below
    box = size * 1.1
    children: list[Item] = []
    for kind in kinds:
        children.append(
            Rect(
                x,
                y,
                box,
                box,
                paint=Paint(
                    fill=getattr(theme.kinds, kind), stroke=theme.boxes.stroke, stroke_width=0.6
                ),
            )
        )
        name = KINDS_3D[kind]
        children.append(
            tm.text(x + box + 4, y + box / 2, name, size, anchor="start", baseline="central")
        )
        x += box + 4 + tm.width(name, size) + 16
    banded = next((t for t in tensors if t.band), None)
    if banded is not None:  # the band's swatch, in the colour the bands are drawn
        base = banded.color if banded.color != "none" else theme.boxes.color
        band = mix(base, "#000000", theme.boxes.band_shade)
        swatch = Paint(fill=band, stroke=theme.boxes.stroke, stroke_width=0.6)
        children.append(Rect(x, y, box, box, paint=swatch))
        children.append(
            tm.text(x + box + 4, y + box / 2, "ReLU", size, anchor="start", baseline="central")
        )
    return Group(id="legend", role="legend", children=tuple(children))


def _layer_number(item: Item) -> int | None:
    """N for a box's group (``layer-N``), None for any other item."""
    if isinstance(item, Group) and item.id is not None and item.role.startswith("layer "):
        return int(item.id.removeprefix("layer-"))
    return None


def layout_alexnet(
    net: Network,
    theme: Theme,
    metrics: TextMetrics,
    *,
    limits: LayoutLimits | None = None,
    physical_width: tuple[float, str] | None = None,
) -> Scene:
    """Lay out ``net`` as 3D boxes seen by its camera (a network that branches by
    :mod:`nnsvg.engines.alexnet_graph`)."""
    if net.first_branch() is not None:
        from nnsvg.engines.alexnet_graph import layout_alexnet_graph

        return layout_alexnet_graph(
            net, theme, metrics, limits=limits, physical_width=physical_width
        )
    tm = TextMaker(metrics, theme.font.family)
    cam = net.camera
    camera = Camera(cam.azimuth, cam.elevation, cam.projection, cam.distance)
    tensors = _tensors(net, theme)
    _place(tensors, net, theme, tm, camera)
    last = tensors[-1].box
    center = (0.0, 0.0, (tensors[0].z0 + last.z1) / 2)
    size = max(last.z1 - tensors[0].z0, max(max(t.h, t.w) for t in tensors))
    camera = camera.at(center, size)
    boxes = theme.boxes

    # Slabs along z: each tensor's box, and the gap after it (pyramid or arrow).
    slabs: list[tuple[float, float]] = []
    drawn: list[Group] = []
    for i, t in enumerate(tensors):
        box = t.box
        nxt = tensors[i + 1] if i + 1 < len(tensors) else None
        inside, pyramid = _filter_and_pyramid(t, nxt, theme, camera) if nxt else ([], [])
        split = box.z0 + (box.z1 - box.z0) * (1 - boxes.band_depth) if t.band else None
        band_color = mix(t.color, "#000000", boxes.band_shade) if t.color != "none" else "none"
        faces = _solid(box, t.color, theme, camera, boxes.opacity, inside, split, band_color)
        slabs.append((box.z0, box.z1))
        drawn.append(
            Group(
                id=f"layer-{t.number}",
                role=f"layer {t.kind}",
                children=(
                    # The outline on the faces' group, not the layer's: the numbers and
                    # captions added to the layer's group later take no stroke.
                    Group(
                        id=f"layer-{t.number}-box",
                        role="box",
                        children=tuple(faces),
                        paint=Paint(
                            stroke=t.stroke, stroke_width=boxes.stroke_width, linejoin="round"
                        ),
                    ),
                ),
                title=t.label or KINDS_3D[t.kind],
            )
        )
        if nxt is not None:
            link = pyramid or _arrow(t, nxt, theme, camera)
            slabs.append((box.z1, nxt.z0))
            drawn.append(
                Group(
                    id=f"link-{t.number}-{nxt.number}",
                    role="pyramid" if pyramid else "arrow",
                    children=tuple(link),
                    paint=Paint(
                        stroke=boxes.stroke, stroke_width=boxes.stroke_width * 0.6, linejoin="round"
                    )
                    if pyramid
                    else None,
                )
            )
    order = draw_order(slabs, camera)
    skips = _skips(net, tensors, theme, tm, camera)
    items: list[Item] = [drawn[i] for i in order]
    items.extend(skips)

    # Numbers on the box edges, where they land clear of every other shape; then the
    # captions under everything, in rows so that none overlaps another. Each box's
    # numbers and captions go in its own group, after its faces (so that moving a box
    # in an editor takes them along): nothing drawn later covers them (the numbers are
    # clear of it, see _clear_dims; the captions lie below everything).
    from nnsvg.scene import bounds

    body = bounds(items) or BBox(0, 0, 1, 1)
    dims = (
        _clear_dims(tensors, drawn, order, list(skips), theme, tm, camera)
        if net.labels.dims
        else {}
    )
    dims_box = bounds([text for texts in dims.values() for text in texts])
    top = max(body.y1, dims_box.y1 if dims_box else body.y1) + theme.layer.label_gap
    captions = _caption_rows(tensors, net, theme, tm, camera, top)
    for k, group in enumerate(items):
        number = _layer_number(group)
        if number is None or not (dims.get(number) or captions.get(number)):
            continue
        assert isinstance(group, Group)
        texts = (*dims.get(number, ()), *captions.get(number, ()))
        items[k] = dataclasses.replace(group, children=(*group.children, *texts))
    if net.legend is True or (boxes.color_by == "kind" and net.legend is not False):
        content = bounds(items) or body
        items.append(_legend(tensors, theme, tm, content.y1 + theme.legend.gap, content.x0))
    return finish_scene(items, net, theme, tm, engine="alexnet", physical_width=physical_width)
