"""The fast raster path of the PNG writer: edges swept with numpy, not stroked by cairo.

cairo rasterises 80k long anti-aliased lines in ~25 s at the default scale: its
cost is per pixel crossed, line after line. Edges between two layers all run
between the same two columns (or rows), so here they are swept column by column
instead: in each pixel column a stroke covers a vertical run, whose optical
depth (-log(1 - coverage)) is added to a difference array for every edge at once
(numpy), then summed: 1 - exp(-depth) composes the strokes as "over" would.
Everything else in the figure (nodes, labels) is drawn by cairosvg from the SVG
without its edges, over the edges (:func:`paint_edges`). Which figures take this path,
and at what size, is the PNG writer's choice (:func:`nnsvg.render.png.wants_fast_png`).

Bezier edges (NN-SVG's curves, control points at the midpoint of the flow axis) are
swept the same way: such a curve is monotone along both axes, so across the sweep it
is ``v0 + dv * F((u - u0) / du)`` with one function F for every edge (see
:func:`_curve_shape`); each column takes the curve's run between its two borders, so a
curved figure costs what a straight one does (cairosvg took 34 s for 40k curved edges
and would take half an hour for 2M). Edges are swept in chunks, so memory stays bounded
whatever their number.

Only scenes whose edges carry no arrowheads can take this path; the result is
deterministic (pure numpy).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

from nnsvg.colors import to_rgb
from nnsvg.scene import EdgeBundle, Group, Item, Polygons, Scene, iter_leaves

__all__ = ["CURVES", "edge_bundles", "has_arrowheads", "paint_edges", "without_edges"]


def edge_bundles(scene: Scene) -> list[EdgeBundle]:
    """Every edge bundle of ``scene``."""
    return [item for item in iter_leaves(scene.items) if isinstance(item, EdgeBundle)]


def has_arrowheads(scene: Scene) -> bool:
    """Whether any edges of ``scene`` end in arrowheads."""
    return _has_arrowheads(scene.items)


def _has_arrowheads(items: tuple[Item, ...]) -> bool:
    for item in items:
        if isinstance(item, Group):
            if item.role == "edges" and any(isinstance(c, Polygons) for c in item.children):
                return True
            if _has_arrowheads(item.children):
                return True
    return False


CURVES = ("straight", "bezier-h", "bezier-v")  # the edge curves this path can sweep
_CHUNK_EDGES = 400_000  # edges swept at once: ~60 MB of arrays
_SHAPE_POINTS = 32769  # samples of the curve's shape: off by < 3e-6 of its span


def without_edges(scene: Scene) -> Scene:
    """``scene`` with no edges and no background: what cairosvg draws over the sweep."""

    def strip(items: tuple[Item, ...]) -> tuple[Item, ...]:
        out: list[Item] = []
        for item in items:
            if isinstance(item, Group):
                if item.role == "edges":
                    continue
                out.append(dataclasses.replace(item, children=strip(item.children)))
            elif not isinstance(item, EdgeBundle):
                out.append(item)
        return tuple(out)

    return dataclasses.replace(scene, items=strip(scene.items), background=None)


def _segments(bundle: EdgeBundle) -> tuple[Any, Any, Any, Any]:
    import numpy as np

    xs = np.asarray(bundle.xs, dtype=float)
    ys = np.asarray(bundle.ys, dtype=float)
    a_idx: list[int] = []
    b_idx: list[int] = []
    for run in bundle.runs:
        a_idx.extend(run[:-1])
        b_idx.extend(run[1:])
    a = np.asarray(a_idx, dtype=np.int64)
    b = np.asarray(b_idx, dtype=np.int64)
    return xs[a], ys[a], xs[b], ys[b]


def _curve_shape(along_flow: bool) -> Callable[[Any], Any]:
    """F with ``v = v0 + dv F(w)``, ``w = (u - u0) / du`` in [0, 1], for NN-SVG's curve.

    With control points (m, v0) and (m, v1), m the midpoint of the flow axis, the curve
    is flow = f0 + df X(t), across = c0 + dc Y(t) with X(t) = 1.5t - 1.5t^2 + t^3 and
    Y(t) = 3t^2 - 2t^3, both increasing on [0, 1]. Swept along the flow axis,
    F = Y(X^-1(w)); swept across it, F = X(Y^-1(w)). Both are symmetric
    (F(1 - w) = 1 - F(w)), so an edge drawn backwards is the same curve."""
    import numpy as np

    t = np.linspace(0.0, 1.0, _SHAPE_POINTS)
    flow = 1.5 * t - 1.5 * t * t + t**3
    across = 3 * t * t - 2 * t**3
    table_w, table_f = (flow, across) if along_flow else (across, flow)
    return lambda w: np.interp(w, table_w, table_f)


def _coverage(
    u0: Any,
    v0: Any,
    u1: Any,
    v1: Any,
    width: float,
    opacity: float,
    cols: range,
    rows: range,
    shape: Callable[[Any], Any] | None = None,
) -> Any:
    """Coverage (len(rows), len(cols)) of strokes from (u0, v0) to (u1, v1), swept
    along u: in each pixel column a stroke crosses a run, added to a difference array.
    ``shape`` is a curve's F (see :func:`_curve_shape`), None for straight strokes.
    Only the strokes that can reach a column are looked at there (sorted by start, none
    longer than the longest)."""
    import numpy as np

    swap = u0 > u1
    u0, u1 = np.where(swap, u1, u0), np.where(swap, u0, u1)
    v0, v1 = np.where(swap, v1, v0), np.where(swap, v0, v1)
    order = np.argsort(u0, kind="stable")
    u0, u1, v0, v1 = u0[order], u1[order], v0[order], v1[order]
    longest = float(np.max(u1 - u0)) if len(u0) else 0.0
    slope = (v1 - v0) / np.maximum(u1 - u0, 1e-9)
    thick = width * np.sqrt(1.0 + slope * slope)  # the stroke's extent along v
    top, size_v = rows.start, len(rows)
    diff = np.zeros((len(cols), size_v + 2), dtype=np.float32)
    for k, col in enumerate(cols):
        first = int(np.searchsorted(u0, col - longest, side="left"))
        last = int(np.searchsorted(u0, col + 1, side="left"))
        if last <= first:
            continue
        a0, a1 = u0[first:last], u1[first:last]
        left = np.clip(col, a0, a1)
        right = np.clip(col + 1, a0, a1)
        inside = right > left
        if not inside.any():
            continue
        frac = (right - left)[inside]  # the part of the column the segment spans
        base, start = v0[first:last][inside], a0[inside]
        if shape is None:
            rate = slope[first:last][inside]
            s0 = base + rate * (left[inside] - start)
            s1 = base + rate * (right[inside] - start)
            band = thick[first:last][inside]
        else:  # the curve between the column's borders, and its slope there
            span_u, span_v = (a1[inside] - start), (v1 - v0)[first:last][inside]
            span_u = np.maximum(span_u, 1e-9)
            s0 = base + span_v * shape((left[inside] - start) / span_u)
            s1 = base + span_v * shape((right[inside] - start) / span_u)
            rate = (s1 - s0) / frac
            band = width * np.sqrt(1.0 + rate * rate)
        half = band / 2
        lo = np.clip(np.minimum(s0, s1) - half - top, 0, size_v)
        hi = np.clip(np.maximum(s0, s1) + half - top, 0, size_v)
        # Optical depth, -log(1 - coverage): summed over strokes it composes them as
        # "over" does (1 - prod(1 - c)), and a line that fills a pixel stays opaque.
        # Each stroke at the bundle's opacity, as cairo composes its paths.
        # The stroke's area in the column over the length of its run there (a part
        # of a column, at a stroke's end, has a shorter run as well as less area).
        per_row = band * frac / (np.abs(rate) * frac + band)
        d = -np.log1p(-np.minimum(per_row * opacity, 0.999))
        ilo = np.floor(lo).astype(np.int64)
        ihi = np.floor(hi).astype(np.int64)
        same = ilo == ihi
        # A box [lo, hi) of height d: partial first and last pixels, full ones between.
        first_part = np.where(same, d * (hi - lo), d * (ilo + 1 - lo))
        last_part = np.where(same, 0.0, d * (hi - ihi))
        middle = np.where(same, 0.0, d)
        idx = np.concatenate([ilo, ilo + 1, ilo + 1, ihi, ihi, ihi + 1])
        weights = np.concatenate([first_part, -first_part, middle, -middle, last_part, -last_part])
        diff[k] = np.bincount(idx, weights, minlength=size_v + 2)[: size_v + 2]
    return np.cumsum(diff, axis=1)[:, :size_v].T


def paint_edges(scene: Scene, top: Any) -> Any:
    """A cairo image surface of ``scene``: its edges swept with numpy onto the
    background, then ``top`` (a cairo image surface of everything else, drawn by cairosvg
    from :func:`without_edges`) painted over them; the pixel size is ``top``'s."""
    import cairocffi
    import numpy as np

    vx, vy, vw, _vh = scene.viewbox
    width, height = top.get_width(), top.get_height()
    scale = width / vw
    # A premultiplied BGRA canvas (cairo's ARGB32 on little-endian machines).
    canvas = np.zeros((height, width, 4), dtype=np.uint8)
    if scene.background:
        r, g, b = to_rgb(scene.background)
        canvas[...] = (b, g, r, 255)
    for bundle in edge_bundles(scene):
        paint = bundle.paint
        if paint is None or paint.stroke in (None, "none") or not bundle.runs:
            continue
        x0, y0, x1, y1 = _segments(bundle)
        px0, py0 = (x0 - vx) * scale, (y0 - vy) * scale
        px1, py1 = (x1 - vx) * scale, (y1 - vy) * scale
        w = (paint.stroke_width or 1.0) * scale
        pad = w + 2
        # Sweep along the axis the bundle is narrowest in: between two layers of a
        # left-to-right figure that is x (a few hundred columns), whatever the slopes.
        span_x = float(max(px0.max(), px1.max()) - min(px0.min(), px1.min()))
        span_y = float(max(py0.max(), py1.max()) - min(py0.min(), py1.min()))
        horizontal = span_x <= span_y
        if not horizontal:  # sweep along y: swap the axes, then swap back
            px0, py0, px1, py1 = py0, px0, py1, px1
        limit_u, limit_v = (width, height) if horizontal else (height, width)
        cols = range(
            max(math.floor(float(min(px0.min(), px1.min()))), 0),
            min(math.ceil(float(max(px0.max(), px1.max()))), limit_u),
        )
        rows = range(
            max(math.floor(float(min(py0.min(), py1.min())) - pad), 0),
            min(math.ceil(float(max(py0.max(), py1.max())) + pad), limit_v),
        )
        if not cols or not rows:
            continue
        opacity = paint.stroke_opacity if paint.stroke_opacity is not None else 1.0
        curved = bundle.curve != "straight"
        # The curve's control points sit at the midpoint of its own flow axis.
        flow_is_u = (bundle.curve == "bezier-h") == horizontal
        shape = _curve_shape(flow_is_u) if curved else None
        cov = None
        for start in range(0, len(px0), _CHUNK_EDGES):
            part = slice(start, start + _CHUNK_EDGES)
            more = _coverage(
                px0[part], py0[part], px1[part], py1[part], w, opacity, cols, rows, shape
            )
            cov = more if cov is None else cov + more  # optical depths add
        if horizontal:
            region = canvas[rows.start : rows.stop, cols.start : cols.stop]
        else:
            cov = cov.T
            region = canvas[cols.start : cols.stop, rows.start : rows.stop]
        a = (1.0 - np.exp(-np.maximum(cov, 0.0))).astype(np.float32)
        keep = 1.0 - a
        r, g, b = to_rgb(paint.stroke)
        # "over", premultiplied, channel by channel (B, G, R, A in memory).
        for channel, value in enumerate((b, g, r, 255)):
            plane = region[..., channel].astype(np.float32)
            plane *= keep
            plane += value * a
            np.rint(plane, out=plane)
            region[..., channel] = plane.astype(np.uint8)
    surface = cairocffi.ImageSurface.create_for_data(
        memoryview(canvas).cast("B"), cairocffi.FORMAT_ARGB32, width, height, width * 4
    )
    context = cairocffi.Context(surface)
    context.set_source_surface(top, 0, 0)
    context.paint()
    surface.flush()
    return surface
