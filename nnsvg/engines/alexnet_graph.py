"""The AlexNet style for networks that branch: ranks along the network, branches
stacked above one another, connectors in the planes between them.

A chain keeps :mod:`nnsvg.engines.alexnet`'s layout. A network with branches, merges
or several inputs is placed by :func:`nnsvg.layering.layered`: each rank is a slab
along z (the network's axis), its boxes stacked along y in the order that keeps
crossings down, each level with what feeds it where there is room (the same isotonic
placement as the LeNet style's lanes); a long edge keeps a lane of its own through
the ranks it passes. Connectors run in the plane of the boxes' centres: out of a box's
far face, along the network into the gap after its rank, up or down in that gap, and
into the next box's near face, so they never enter a box. Where one box feeds exactly
one other on the same line, the kernel and pyramid (or the arrow) of a chain join
them. ``add``, ``multiply`` and ``concat`` are merge marks. Boxes and connector pieces
are drawn back to front: slab by slab along z, and within a slab by their distance
from the eye. Each box's caption sits under it, in its own group.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from nnsvg.engines.alexnet import _arrow, _filter_and_pyramid, _solid
from nnsvg.engines.alexnet_labels import caption_texts, dims, text_quad
from nnsvg.engines.alexnet_model import KINDS_3D, Tensor, captions_of, draw_order, tensors_of
from nnsvg.engines.common import (
    LayoutLimits,
    TextMaker,
    arrowhead,
    finish_scene,
    kernel_window,
    kind_legend,
    level,
    merge_mark,
    one_to_one,
)
from nnsvg.engines.lenet_graph import _ranks
from nnsvg.geometry import Camera, Vec3, convex_hull, convex_overlap
from nnsvg.layering import layered
from nnsvg.network import Network
from nnsvg.scene import (
    BBox,
    Group,
    Item,
    Paint,
    Path,
    Polygon,
    Polygons,
    Scene,
    Text,
    bbox_of,
    iter_leaves,
)
from nnsvg.spec.graph import MERGE_TYPES
from nnsvg.textmetrics import TextMetrics
from nnsvg.theme import Theme

__all__ = ["layout_alexnet_graph"]

_MARK_SCALE = 1.5  # a merge mark's radius, against the skip mark's


@dataclass(slots=True)
class _Lane:
    """An item of a rank: a box (or mark), or a dummy a long edge passes through."""

    item: int
    low: float  # room it needs below its centre along y (box and caption)
    high: float  # and above
    y: float = 0.0


def layout_alexnet_graph(
    net: Network,
    theme: Theme,
    metrics: TextMetrics,
    *,
    limits: LayoutLimits | None = None,
    physical_width: tuple[float, str] | None = None,
) -> Scene:
    """Lay out a branching ``net`` as 3D boxes in ranks and lanes (module docs; with
    ``wrap``, in rows: :mod:`nnsvg.engines.alexnet_graph_rows`)."""
    tm = TextMaker(metrics, theme.font.family)
    cam = net.camera
    camera = Camera(cam.azimuth, cam.elevation, cam.projection, cam.distance)
    if net.wrap is not None:
        from nnsvg.engines.alexnet_graph_rows import layout_graph_rows

        return layout_graph_rows(net, theme, tm, camera, physical_width)
    items, _ = graph_items(net, theme, tm, camera)
    return finish_graph(net, items, theme, tm, physical_width)


def finish_graph(
    net: Network,
    items: list[Item],
    theme: Theme,
    tm: TextMaker,
    physical_width: tuple[float, str] | None,
) -> Scene:
    """The scene of a drawn graph's ``items``, with its kinds' legend."""
    if kind_legend(net, theme.boxes.color_by):
        from nnsvg.engines.alexnet import _legend
        from nnsvg.scene import bounds

        content = bounds(items)
        assert content is not None
        plain = [t for t in tensors_of(net, theme) if t.kind not in MERGE_TYPES]
        items.append(_legend(plain, theme, tm, content.y1 + theme.legend.gap, content.x0))
    return finish_scene(items, net, theme, tm, engine="alexnet", physical_width=physical_width)


def graph_items(
    net: Network,
    theme: Theme,
    tm: TextMaker,
    camera: Camera,
    *,
    stand_in: bool = False,
) -> tuple[list[Item], tuple[float, float] | None]:
    """The drawn graph (its groups' brackets too). With ``stand_in``, node 0 stands for
    the tensor ending the row before (``wrap``): it is not drawn, its edges are, and
    the second value is where on screen they start (None without it)."""
    boxes = theme.boxes
    tensors = tensors_of(net, theme)
    mark = theme.skip.mark_radius * _MARK_SCALE
    for t in tensors:
        if t.kind in MERGE_TYPES:
            t.w = t.h = t.d = 2 * mark
    if stand_in:
        tensors[0].w = tensors[0].h = tensors[0].d = 0.0
    edges = [(s, n.index) for n in net.nodes for s in n.inputs]
    lay = layered(len(tensors), edges, ranks=_ranks(net))
    caption_h = _caption_height(tensors, net, theme, tm)
    if stand_in:
        caption_h[0] = 0.0
    lanes = _stack(lay.ranks, tensors, caption_h, theme, camera)
    _level(lanes, net, lay.chains, tensors)
    for slots in lanes:
        for lane in slots:
            if lane.item < len(tensors):
                tensors[lane.item].y = lane.y
    slabs, turns = _along(lay.ranks, tensors, net, theme, tm, camera, stand_in=stand_in)
    # The perspective eye looks at the middle of the lanes (they run down from y = 0):
    # a box far off its axis would come near the eye and blow up.
    low = min(t.y - t.h / 2 for t in tensors)
    high = max(t.y + t.h / 2 for t in tensors)
    size = max(slabs[-1][1] - slabs[0][0], high - low, max(max(t.h, t.w) for t in tensors))
    camera = camera.at((0.0, (low + high) / 2, (slabs[0][0] + slabs[-1][1]) / 2), size)
    y_of = {lane.item: lane.y for slots in lanes for lane in slots}

    in_line = one_to_one(net)
    # What each slab draws: boxes (with their outgoing stubs and what joins them to the
    # next box in a chain) in rank slabs, connector pieces in the gaps.
    in_slab: dict[int, list[tuple[float, list[Item]]]] = {}
    kernels: dict[int, list[Item]] = {}  # inside a box, between its back and front faces
    links: dict[int, list[Item]] = {}  # the pyramid (or arrow) after it
    line = Paint(stroke=boxes.arrow_color, stroke_width=boxes.arrow_width, fill="none")
    for u, v in edges:
        a, b = tensors[u], tensors[v]
        ru, rv = lay.rank[u], lay.rank[v]
        chain = lay.chains.get((u, v), ())
        level = not chain and abs(a.y - b.y) < 0.5 and rv == ru + 1
        if level and (u, v) in in_line and not (stand_in and u == 0):
            inside, pyramid = (
                _filter_and_pyramid(a, b, theme, camera)
                if not a.bar and kernel_window(b.layer, a.shape, b.shape)
                else ([], [])
            )
            kernels[u] = inside
            links[u] = [
                Group(
                    id=f"link-{a.number}-{b.number}",
                    role="pyramid" if pyramid else "arrow",
                    children=tuple(pyramid or _arrow(a, b, theme, camera)),
                    paint=Paint(
                        stroke=boxes.stroke, stroke_width=boxes.stroke_width * 0.6, linejoin="round"
                    )
                    if pyramid
                    else None,
                )
            ]
            continue
        path = [u, *chain, v]
        ys = [y_of[p] for p in path]
        # Out of a's far face to the end of its rank's slab: drawn with a.
        stub = [(0.0, ys[0], a.z0 + a.d), (0.0, ys[0], slabs[2 * ru][1])]
        in_slab.setdefault(2 * ru, []).append(
            (_depth(camera, stub[0]), [_line(camera, stub, line)])
        )
        for k in range(len(path) - 1):
            gap = 2 * (ru + k) + 1
            z0, z1 = slabs[gap]
            zm = (
                z0 if stand_in and gap == 1 else turns.get(gap, (z0 + z1) / 2)
            )  # into a row: at its dot
            y0, y1 = ys[k], ys[k + 1]
            end_z = z1 if k + 2 < len(path) else tensors[path[-1]].z0
            points: list[Vec3] = [(0.0, y0, z0), (0.0, y0, zm), (0.0, y1, zm), (0.0, y1, end_z)]
            piece: list[Item] = [_line(camera, points, line, arrow=k + 2 == len(path) and theme)]
            in_slab.setdefault(gap, []).append((_depth(camera, (0.0, (y0 + y1) / 2, zm)), piece))
            if k + 2 < len(path):  # through the lane kept in the next rank
                through = [(0.0, y1, slabs[gap + 1][0]), (0.0, y1, slabs[gap + 1][1])]
                in_slab.setdefault(gap + 1, []).append(
                    (_depth(camera, through[0]), [_line(camera, through, line)])
                )

    faces: dict[int, list[Item]] = {}
    drawn = tensors[1:] if stand_in else tensors
    for t in drawn:
        if t.kind not in MERGE_TYPES:
            split = t.box.z0 + t.d * (1 - boxes.band_depth) if t.band else None
            inside = kernels.get(t.index, [])
            band = _band(t, theme)
            faces[t.index] = _solid(
                t.box, t.color, theme, camera, boxes.opacity, inside, split, band
            )
    routes = [item for pieces in in_slab.values() for _, found in pieces for item in found]
    numbers = _numbers(drawn, faces, links, routes, theme, tm, camera) if net.labels.dims else {}
    for t in drawn:
        k = 2 * lay.rank[t.index]
        if t.kind in MERGE_TYPES:
            cx, cy = camera.project((0.0, t.y, t.z0 + mark))[:2]
            shapes: list[Item] = [
                Group(
                    id=f"{net.nodes[t.index].id}-mark",
                    role=f"mark {t.kind}",
                    children=tuple(merge_mark(cx, cy, t.kind, theme, tm, radius=mark)),
                )
            ]
        else:
            shapes = faces[t.index]
        link = [*links.get(t.index, []), *numbers.get(t.index, [])]
        group = _node_group(t, net, shapes, link, theme, tm, camera)
        in_slab.setdefault(k, []).append((_depth(camera, t.box.center), [group]))
    items: list[Item] = []
    for k in draw_order(slabs, camera):
        for _, found in sorted(in_slab.get(k, []), key=lambda p: p[0]):
            items.extend(found)
    if net.frames:
        from nnsvg.engines.alexnet_groups import group_items

        items.extend(group_items(net, items, theme, tm))
    start = camera.project((0.0, tensors[0].y, tensors[0].z0))[:2] if stand_in else None
    return items, start


def _numbers(
    tensors: list[Tensor],
    faces: dict[int, list[Item]],
    links: dict[int, list[Item]],
    routes: list[Item],
    theme: Theme,
    tm: TextMaker,
    camera: Camera,
) -> dict[int, list[Item]]:
    """Each box's edge numbers that fall on no box (its own included), pyramid,
    connector or number kept before: one that would touch anything is left out."""
    hulls = []
    for items in [*faces.values(), *links.values()]:
        points = [
            p for item in iter_leaves(items) if isinstance(item, Polygon) for p in item.points
        ]
        hull = convex_hull(points)
        if len(hull) >= 3:
            hulls.append(hull)
    segments = []
    for item in iter_leaves(routes):
        if isinstance(item, Path):
            corners = [(float(c[1]), float(c[2])) for c in item.commands]
            segments += list(itertools.pairwise(corners))
    kept: dict[int, list[Item]] = {}
    quads: list[list[tuple[float, float]]] = []
    for t in tensors:
        if t.kind in MERGE_TYPES:
            continue
        for text in dims(t, theme, tm, camera):
            quad = text_quad(text)
            if any(convex_overlap(quad, h, 0.5) for h in [*hulls, *quads]):
                continue
            if any(_crosses(quad, a, b) for a, b in segments):
                continue
            quads.append(quad)
            kept.setdefault(t.index, []).append(text)
    return kept


def _crosses(
    quad: list[tuple[float, float]], a: tuple[float, float], b: tuple[float, float]
) -> bool:
    """Whether segment ab meets the axis-aligned rectangle ``quad`` (Liang-Barsky)."""
    x0, y0 = quad[0]
    x1, y1 = quad[2]
    lo, hi = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in ((-dx, a[0] - x0), (dx, x1 - a[0]), (-dy, a[1] - y0), (dy, y1 - a[1])):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return False
    return True


def _band(t: Tensor, theme: Theme) -> str | None:
    from nnsvg.colors import mix

    if not t.band:
        return None
    return mix(t.color, "#000000", theme.boxes.band_shade) if t.color != "none" else "none"


def _depth(camera: Camera, point: Vec3) -> float:
    """Farther from the eye first: minus the distance along the eye's direction."""
    e = camera.eye_direction()
    return point[0] * e[0] + point[1] * e[1] + point[2] * e[2]


def _line(camera: Camera, points: list[Vec3], paint: Paint, arrow: object = None) -> Item:
    """A polyline through ``points``, projected; with ``arrow`` (the theme) an arrowhead
    at its end."""
    flat = [camera.project(p)[:2] for p in points]
    flat = [p for k, p in enumerate(flat) if k == 0 or math.dist(p, flat[k - 1]) > 1e-6]
    if not isinstance(arrow, Theme) or len(flat) < 2:
        return Path((("M", *flat[0]), *(("L", *p) for p in flat[1:])), paint, cls="connector")
    tip = flat[-1]
    before = flat[-2]
    direction = (tip[0] - before[0], tip[1] - before[1])
    length = arrow.arrow.length
    norm = math.hypot(*direction) or 1.0
    end = (tip[0] - direction[0] / norm * length * 0.8, tip[1] - direction[1] / norm * length * 0.8)
    head = arrowhead(tip, direction, length, arrow.arrow.width)
    return Group(
        id=None,
        role="connector",
        children=(
            Path((("M", *flat[0]), *(("L", *p) for p in flat[1:-1]), ("L", *end)), paint),
            Polygons((head,), Paint(fill=arrow.boxes.arrow_color, stroke="none")),
        ),
    )


def _caption_lines(t: Tensor, net: Network, theme: Theme) -> list[tuple[str, float, str, str]]:
    """A box's caption lines; a merge mark's: its label, and a concat's size."""
    lines = captions_of(t, net, theme)
    if t.kind in ("add", "multiply"):
        return [line for line in lines if line[0] == t.label]
    return lines


def _caption_height(
    tensors: list[Tensor], net: Network, theme: Theme, tm: TextMaker
) -> list[float]:
    out = []
    # a line of edge numbers a caption may be pushed under (see _node_group)
    numbers = theme.boxes.dims_size * 1.4 if net.labels.dims else 0.0
    for t in tensors:
        lines = _caption_lines(t, net, theme)
        height = sum(tm.ascent(s) + tm.descent(s) + theme.label.line_gap for _, s, _, _ in lines)
        out.append(height + (numbers if lines and t.kind not in MERGE_TYPES else 0.0))
    return out


def _stack(
    ranks: tuple[tuple[int, ...], ...],
    tensors: list[Tensor],
    captions: list[float],
    theme: Theme,
    camera: Camera,
) -> list[list[_Lane]]:
    """Each rank's lanes stacked down y (y points up), the first at the top, with room
    for the captions under each box (and its dimension numbers)."""
    gap = theme.label.min_separation * 2 + theme.boxes.dims_size * 2
    origin = camera.project((0.0, 0.0, 0.0))[1]
    down_x = abs(camera.project((1.0, 0.0, 0.0))[1] - origin)
    down_z = abs(camera.project((0.0, 0.0, 1.0))[1] - origin)
    down_y = max(abs(camera.project((0.0, 1.0, 0.0))[1] - origin), 0.2)
    out = []
    for rank in ranks:
        lanes = []
        y = 0.0
        for item in rank:
            if item >= len(tensors):
                lane = _Lane(item, 4.0, 4.0)
            else:
                t = tensors[item]
                # Seen from above or below, a box reaches past its height on screen
                # by the slant of its width and depth.
                slant = (t.w / 2 * down_x + t.d / 2 * down_z) / down_y
                low = t.h / 2 + slant + captions[item] + theme.layer.label_gap
                lane = _Lane(item, low, t.h / 2 + slant)
            y -= lane.high
            lane.y = y
            y -= lane.low + gap
            lanes.append(lane)
        out.append(lanes)
    return out


def _level(
    columns: list[list[_Lane]],
    net: Network,
    chains: dict[tuple[int, int], tuple[int, ...]],
    tensors: list[Tensor],
) -> None:
    """Each lane toward the mean of what feeds it, order and room kept (an isotonic
    regression, pool-adjacent-violators); then a column of inputs toward the layers
    it feeds; then dummies level with their edge where they have room. Worked in -y,
    where the lanes run in order as the LeNet style's do."""
    count = len(tensors)
    feeds: dict[int, list[int]] = {n.index: list(n.inputs) for n in net.nodes}
    for (u, _), dummies in chains.items():
        for before, dummy in zip((u, *dummies), dummies, strict=False):
            feeds[dummy] = [before]
    readers: dict[int, list[int]] = {}
    for item, sources in feeds.items():
        for source in sources:
            readers.setdefault(source, []).append(item)
    for lanes in columns:
        for lane in lanes:
            lane.y = -lane.y
    y_of: dict[int, float] = {}

    def toward(lanes: list[_Lane], wants: dict[int, list[int]]) -> None:
        means: list[float | None] = []
        for lane in lanes:
            placed = [y_of[s] for s in wants.get(lane.item, []) if s in y_of]
            means.append(sum(placed) / len(placed) if placed and lane.item < count else None)
        for lane, y in zip(lanes, level([lane.y for lane in lanes], means), strict=True):
            lane.y = y_of[lane.item] = y

    for lanes in columns:
        toward(lanes, feeds)
    for k in range(len(columns) - 2, -1, -1):
        if all(not feeds.get(lane.item) for lane in columns[k]):
            nxt = {lane.item for lane in columns[k + 1] if lane.item < count}
            toward(columns[k], {i: [r for r in found if r in nxt] for i, found in readers.items()})
    for lanes in columns:
        for j, lane in enumerate(lanes):
            if lane.item < count:
                continue
            low = lanes[j - 1].y + lanes[j - 1].low + 8 + lane.high if j else -math.inf
            high = (
                lanes[j + 1].y - lanes[j + 1].high - 8 - lane.low
                if j + 1 < len(lanes)
                else math.inf
            )
            if low <= high:
                lane.y = min(max(y_of[feeds[lane.item][0]], low), high)
                y_of[lane.item] = lane.y
    for lanes in columns:
        for lane in lanes:
            lane.y = -lane.y


def _along(
    ranks: tuple[tuple[int, ...], ...],
    tensors: list[Tensor],
    net: Network,
    theme: Theme,
    tm: TextMaker,
    camera: Camera,
    *,
    stand_in: bool = False,
) -> tuple[list[tuple[float, float]], dict[int, float]]:
    """Each rank's slab along z and the gap after it, alternating (rank 0, gap 0,
    rank 1, ...); a gap widens when neighbouring captions would touch on screen
    (with ``stand_in``, rank 0 is the undrawn stand-in of a row: see graph_items).
    And where edges turn in a gap whose ranks hold several items: between the
    captions on either side, clear of each, on screen (else the gap's middle)."""
    boxes = theme.boxes
    origin = camera.project((0.0, 0.0, 0.0))[0]
    right_z = abs(camera.project((0.0, 0.0, 1.0))[0] - origin)
    right_x = abs(camera.project((1.0, 0.0, 0.0))[0] - origin)
    sep = theme.label.min_separation
    widths = [
        max(
            (tm.width(text, size, weight) for text, size, weight, _ in captions_of(t, net, theme)),
            default=0.0,
        )
        for t in tensors
    ]
    slabs: list[tuple[float, float]] = []
    z = 0.0
    before: list[int] = []
    previous: tuple[int, ...] = ()
    turns: dict[int, float] = {}  # gap index -> the z edges turn at (else its middle)
    for rank in ranks:
        shown = [i for i in rank if i < len(tensors)]
        depth = max((tensors[i].d for i in shown), default=4.0)
        if before:
            gap = max(boxes.spacing, theme.arrow.length * 3)
            # Room on screen for a box's side (its x extent, seen askew) and a turn.
            wide = max(tensors[i].w for i in [*before, *shown]) * right_x
            if right_z > 0.05:
                gap = max(gap, (wide + 3 * theme.arrow.length) / right_z)
            if right_z > 0.25:
                need = max(widths[i] for i in before) + max((widths[i] for i in shown), default=0)
                have = (gap + depth / 2 + max(tensors[i].d for i in before) / 2) * right_z
                # The captions apart, and the turn between them clear of both.
                margin = max(sep, 3 * theme.arrow.length)
                need = need / 2 + margin
                if have < need:
                    gap += (need - have) / right_z
                if len(rank) > 1 or len(previous) > 1:  # edges turn in the gap: between
                    # the captions, clear of each (as far along as they reach on screen)
                    start = z - max(tensors[i].d for i in before)  # the rank before's z0
                    after = max(start + tensors[i].d / 2 + (widths[i] / 2 + sep) / right_z
                                for i in before) - z  # fmt: skip
                    ahead = max(((widths[i] / 2 + sep) / right_z - tensors[i].d / 2
                                 for i in shown), default=0.0)  # fmt: skip
                    gap = max(gap, after + ahead)
                    turns[len(slabs)] = z + max(after, 0.0) + (gap - after - ahead) / 2
            if stand_in and len(slabs) == 1 and right_z > 0.05:
                # The edges into a row part at the stand-in (it has no caption): the
                # captions after it clear of where they turn.
                half = max((widths[i] for i in shown), default=0) / 2
                half += max(sep, 3 * theme.arrow.length)
                gap = max(gap, half / right_z - depth / 2)
            slabs.append((z, z + gap))
            z += gap
        for i in shown:
            tensors[i].z0 = z
        slabs.append((z, z + depth))
        z += depth
        before, previous = shown, rank
    return slabs, turns


def _touch(text: Item, other: BBox, sep: float) -> bool:
    box = bbox_of(text)
    return box is not None and box.overlaps(other.expand(sep))


def _node_group(
    t: Tensor,
    net: Network,
    shapes: list[Item],
    link: list[Item],
    theme: Theme,
    tm: TextMaker,
    camera: Camera,
) -> Group:
    """A box (or mark), the pyramid or arrow to the box it feeds in line, and its
    caption lines under it."""
    from nnsvg.scene import bounds

    box = bounds(shapes)
    captions: list[Item] = []
    lines = _caption_lines(t, net, theme)
    if box is not None and lines:
        cx = camera.project(t.box.center)[0]
        top = box.y1 + theme.layer.label_gap
        captions = caption_texts(t, lines, cx, top, theme, tm)
        # under an edge number it would touch (small boxes, as fit draws, with text grown)
        numbers = [b for i in link if isinstance(i, Text) and i.cls == "dim" and (b := bbox_of(i))]
        sep = theme.label.min_separation
        if any(_touch(c, b, sep) for c in captions for b in numbers):
            top = max(b.y1 for b in numbers) + theme.layer.label_gap
            captions = caption_texts(t, lines, cx, top, theme, tm)
    node = net.nodes[t.index]
    body: Item = (
        shapes[0]  # a merge mark: its own group, its own paints
        if t.kind in MERGE_TYPES
        else Group(
            id=f"{node.id}-box",
            role="box",
            children=tuple(shapes),
            paint=Paint(stroke=t.stroke, stroke_width=theme.boxes.stroke_width, linejoin="round"),
        )
    )
    return Group(
        id=node.id,
        role=f"layer {t.kind}",
        children=(body, *link, *captions),
        title=t.label or KINDS_3D.get(t.kind, t.kind),
    )
