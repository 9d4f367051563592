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
import math

from nnsvg.colors import mix
from nnsvg.engines.alexnet_labels import caption_rows, clear_dims, hull, text_quad
from nnsvg.engines.alexnet_model import (
    KINDS_3D,
    Box3,
    Tensor,
    captions_of,
    draw_order,
    tensors_of,
)
from nnsvg.engines.common import (
    LayoutLimits,
    TextMaker,
    arrowhead,
    finish_scene,
    kernel_window,
    kind_legend,
    merge_mark,
    skip_lanes,
)
from nnsvg.engines.notes import obstacle_boxes
from nnsvg.geometry import Camera, Vec3
from nnsvg.network import Network
from nnsvg.scene import (
    BBox,
    Group,
    Item,
    Paint,
    Path,
    Polygon,
    Polygons,
    Rect,
    Scene,
)
from nnsvg.textmetrics import TextMetrics
from nnsvg.theme import Theme

__all__ = ["Box3", "draw_order", "layout_alexnet"]


def _place(
    tensors: list[Tensor], net: Network, theme: Theme, tm: TextMaker, camera: Camera
) -> None:
    """Positions along z; a gap widens when neighbouring captions would touch."""
    z = 0.0
    right_z = abs(camera.project((0.0, 0.0, 1.0))[0] - camera.project((0.0, 0.0, 0.0))[0])
    sep = theme.label.min_separation
    widths = [
        max(
            (tm.width(text, size, weight) for text, size, weight, _ in captions_of(t, net, theme)),
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
    prev: Tensor, t: Tensor, theme: Theme, camera: Camera
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
    # A cube on the input's near face (PlotNeuralNet's look), not a rod through its
    # channels; none where the window is the whole map (global pooling): the pyramid
    # from the whole face says it.
    depth = min(max(fw, fh), a.z1 - a.z0 - 2 * inset)
    kernel_box = Box3(fx0, fx0 + fw, fy1 - fh, fy1, a.z1 - inset - depth, a.z1 - inset)
    whole = kh >= in_h and kw >= in_w
    inside = (
        [] if whole else _solid(kernel_box, boxes.filter_color, theme, camera, boxes.filter_opacity)
    )
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


def _arrow(prev: Tensor, t: Tensor, theme: Theme, camera: Camera) -> list[Item]:
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


def _skips(
    net: Network, tensors: list[Tensor], theme: Theme, tm: TextMaker, camera: Camera
) -> list[Item]:
    """The arcs of the skips that arrive in ``tensors`` (the chain, or one row of it):
    up from the source's top, along the network and down into a merge mark over the
    target. A skip whose source ends the row before (``wrap``) starts on its level
    over the row's first box: :mod:`nnsvg.engines.alexnet_rows` carries it on to the
    connector it branches off."""
    first = tensors[0]
    by_index: dict[int, Tensor] = {t.index: t for t in tensors}
    skips = [s for s in net.skips if s.target in by_index]
    for s in skips:
        if s.source not in by_index:  # from the row before: it enters on the left
            number = net.nodes[s.source].number
            by_index[s.source] = dataclasses.replace(first, index=s.source, number=number)
    placed = skip_lanes(skips, by_index)
    if not placed:
        return []
    sk = theme.skip
    above = camera.eye_direction()[1] >= 0
    sign = 1.0 if above else -1.0
    items: list[Item] = []
    for a, b, lane, merge in placed:
        entering = a.index < first.index
        span = tensors[max(a.index - first.index, 0) : b.index - first.index + 1]
        ya, yb = sign * a.h / 2, sign * b.h / 2
        # Leave a box on its later side and arrive on its earlier side (along the
        # network): an arc arriving where another leaves never crosses it.
        za, zb = a.box.center[2] + a.d / 4, b.box.center[2] - b.d / 4
        if entering:
            za = first.z0
        level = sign * (max(t.h / 2 for t in span) + sk.height + lane * sk.lane)
        level = _clear_level(span, level, sign, za, zb, sk.height + lane * sk.lane, camera)
        points = [(0.0, level, za), (0.0, level, za), (0.0, level, zb)]
        if not entering:
            points[0] = (0.0, ya, za)
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
                            *((("L", *p2[1]),) if not entering else ()),
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
    span: list[Tensor],
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


def _legend(tensors: list[Tensor], theme: Theme, tm: TextMaker, below: float, left: float) -> Group:
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
                    fill=getattr(theme.kinds, kind, theme.boxes.color),  # crop: as drawn
                    stroke=theme.boxes.stroke,
                    stroke_width=0.6,
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
    :mod:`nnsvg.engines.alexnet_graph`; ``wrap`` by :mod:`nnsvg.engines.alexnet_rows`)."""
    if net.wrap is not None:
        from nnsvg.engines.alexnet_rows import check_wrap

        check_wrap(net)
    if net.first_branch() is not None:
        from nnsvg.engines.alexnet_graph import layout_alexnet_graph

        return layout_alexnet_graph(
            net, theme, metrics, limits=limits, physical_width=physical_width
        )
    tm = TextMaker(metrics, theme.font.family)
    cam = net.camera
    camera = Camera(cam.azimuth, cam.elevation, cam.projection, cam.distance)
    tensors = tensors_of(net, theme)
    if net.wrap is not None:
        from nnsvg.engines.alexnet_rows import layout_rows

        return layout_rows(net, tensors, theme, tm, camera, physical_width)
    items = chain_items(net, tensors, theme, tm, camera)
    if net.frames:
        from nnsvg.engines.alexnet_groups import group_items

        items.extend(group_items(net, items, theme, tm))
    boxes = theme.boxes
    if kind_legend(net, boxes.color_by):
        from nnsvg.scene import bounds

        content = bounds(items) or BBox(0, 0, 1, 1)
        items.append(_legend(tensors, theme, tm, content.y1 + theme.legend.gap, content.x0))
    return finish_scene(items, net, theme, tm, engine="alexnet", physical_width=physical_width)


def chain_items(
    net: Network, tensors: list[Tensor], theme: Theme, tm: TextMaker, camera: Camera
) -> list[Item]:
    """The boxes of a chain of ``tensors`` (all of the network, or one row of it)
    placed along z from 0, with their links, skips, edge numbers and captions."""
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
    # clear of it, see clear_dims; the captions lie below everything).
    dims = (
        clear_dims(tensors, drawn, order, list(skips), theme, tm, camera) if net.labels.dims else {}
    )
    boxes_by_number = {
        group.id: hull(group)
        for group in drawn
        if isinstance(group, Group) and group.id and group.id.startswith("layer-")
    }
    obstacles = [boxes_by_number.get(f"layer-{t.number}", []) for t in tensors]
    obstacles += [
        hull(g) for g in drawn if isinstance(g, Group) and (g.id or "").startswith("link-")
    ]
    obstacles += [hull(Group(id=None, role="", children=(s,))) for s in skips]
    # A skip's lines and merge mark (a circle and its sign) piece by piece: the hull
    # above holds its arrowhead only.
    obstacles += [
        [(b.x0, b.y0), (b.x1, b.y0), (b.x1, b.y1), (b.x0, b.y1)]
        for s in skips
        for b in obstacle_boxes(s)
    ]
    obstacles += [text_quad(text) for texts in dims.values() for text in texts]
    captions = caption_rows(tensors, net, theme, tm, camera, obstacles)
    for k, group in enumerate(items):
        number = _layer_number(group)
        if number is None or not (dims.get(number) or captions.get(number)):
            continue
        assert isinstance(group, Group)
        texts = (*dims.get(number, ()), *captions.get(number, ()))
        items[k] = dataclasses.replace(group, children=(*group.children, *texts))
    return items
