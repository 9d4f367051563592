"""The AlexNet style's skip connections (``skip_from``): arcs beside the boxes they span.

An arc leaves its first box on the box's later half (along the network), runs
parallel to the network at a level clear of every box it spans on screen, and comes
back into its last box's earlier half through the merge mark (an arc arriving where
another leaves never crosses it; nested arcs take lanes, :func:`skip_lanes`). In a
row the arcs pass over the boxes (under them, seen from below); in a column
(``direction: down``) they pass on the right of the boxes, the side the captions
leave free.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

from nnsvg.engines.alexnet_model import Tensor
from nnsvg.engines.common import TextMaker, arrowhead, merge_mark, skip_lanes
from nnsvg.geometry import Camera, Vec3
from nnsvg.network import Network
from nnsvg.scene import Group, Item, Paint, Path, Polygons
from nnsvg.theme import Theme

__all__ = ["skip_items"]


def _lateral(camera: Camera) -> tuple[tuple[float, float], int, float]:
    """The direction across the network (x, y) the arcs stand out along, the screen
    axis (0: x, 1: y) that measures how far out they are, and which way on it is out
    (+1: larger)."""
    if camera.down:
        right = camera.basis()[0]  # across the column: its z part is 0
        n = math.hypot(right[0], right[1]) or 1.0
        return (right[0] / n, right[1] / n), 0, 1.0
    sign = 1.0 if camera.eye_direction()[1] >= 0 else -1.0  # over the boxes, seen from above
    return (0.0, sign), 1, -sign


def skip_items(
    net: Network, tensors: list[Tensor], theme: Theme, tm: TextMaker, camera: Camera
) -> list[Item]:
    """The arcs of the skips that arrive in ``tensors`` (the chain, or one row of it).
    A skip whose source ends the row before (``wrap``) starts on its level over the
    row's first box: :mod:`nnsvg.engines.alexnet_rows` carries it on to the connector
    it branches off."""
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
    (lx, ly), axis, out = _lateral(camera)

    def at(r: float, z: float) -> Vec3:
        return (lx * r, ly * r, z)

    def face(t: Tensor) -> float:  # from the box's centre out to its side, along (lx, ly)
        return min(t.w / 2 / abs(lx) if lx else math.inf, t.h / 2 / abs(ly) if ly else math.inf)

    def reach(t: Tensor) -> float:  # how far the box reaches along (lx, ly)
        return abs(lx) * t.w / 2 + abs(ly) * t.h / 2

    items: list[Item] = []
    for a, b, lane, merge in placed:
        entering = a.index < first.index
        span = tensors[max(a.index - first.index, 0) : b.index - first.index + 1]
        # Leave a box on its later side and arrive on its earlier side (along the
        # network): an arc arriving where another leaves never crosses it.
        za, zb = a.box.center[2] + a.d / 4, b.box.center[2] - b.d / 4
        if entering:
            za = first.z0
        level = max(reach(t) for t in span) + sk.height + lane * sk.lane
        clear = _Clear(span, axis, out, camera, reach)
        level = clear.level(level, at, za, zb, sk.height + lane * sk.lane)
        points = [at(level if entering else face(a), za), at(level, za), at(level, zb)]
        p2 = [camera.project(p)[:2] for p in points]
        top_b = camera.project(at(face(b), zb))[:2]
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


class _Clear:
    """Where, on screen, the boxes an arc spans end on its side: ``axis`` (0: x,
    1: y), ``out`` +1 when out is towards larger values."""

    def __init__(
        self,
        span: list[Tensor],
        axis: int,
        out: float,
        camera: Camera,
        reach: Callable[[Tensor], float],
    ) -> None:
        corners = [camera.project(c)[axis] for t in span for c in t.box.corners()]
        self.edge = max(corners) if out > 0 else min(corners)
        self.step = max(max(2 * reach(t) for t in span), 1.0) * 0.1
        self.axis, self.out, self.camera = axis, out, camera

    def level(
        self, level: float, at: Callable[[float, float], Vec3], za: float, zb: float, margin: float
    ) -> float:
        """Move an arc's level out until, on screen, it passes ``margin`` beyond every
        box it spans (over them, seen from above, in a row)."""
        step = self.step
        for _ in range(200):
            ends = [self.camera.project(at(level, z))[self.axis] for z in (za, zb)]
            if self.out < 0 and max(ends) <= self.edge - margin:
                break
            if self.out > 0 and min(ends) >= self.edge + margin:
                break
            level += step
            step *= 1.25  # steep views need a much higher arc: grow the step
        return level
