"""The FCNN engine's edges: each layer pair's edges as a few bundles (uniform edges as
zigzag trails that visit every edge once; weight-encoded edges binned into colour,
width and opacity steps), with their arrowheads, and the weights' colour bar."""

from __future__ import annotations

import math
from array import array
from typing import TYPE_CHECKING

from nnsvg.colors import diverging
from nnsvg.engines.common import TextMaker, arrowhead
from nnsvg.geometry import normalize
from nnsvg.network import Network
from nnsvg.scene import (
    EdgeBundle,
    GradientRect,
    Group,
    Item,
    Paint,
    Polygons,
    TextStyle,
    bounds,
)
from nnsvg.theme import Theme
from nnsvg.weights import WeightSet

if TYPE_CHECKING:
    from nnsvg.engines.fcnn import Column, Frame
    from nnsvg.engines.fcnn_graph import Plan


# --- edges -----------------------------------------------------------------------------
def layer_edges(
    net: Network,
    theme: Theme,
    columns: list[Column],
    frame: Frame,
    weights: WeightSet | None,
    plan: Plan,
) -> tuple[list[Group], float | None]:
    """The edge groups, and the largest |weight| drawn (None when no weights)."""
    edge = theme.edge
    color = net.edges.color or edge.color
    width = net.edges.width if net.edges.width is not None else edge.width
    opacity = net.edges.opacity if net.edges.opacity is not None else edge.opacity
    if "color" in net.edges.encode and net.edges.opacity is None:
        opacity = 1.0  # colours as strong as the colour bar shows them
    curve_name = net.edges.curve or edge.curve
    curve = "straight" if curve_name == "straight" else ("bezier-h" if frame.right else "bezier-v")
    arrows = net.edges.arrows or theme.arrow.shape
    encode = net.edges.encode

    pairs = []
    for i, (ka, kb) in enumerate(plan.pairs):
        a, b = columns[ka], columns[kb]
        sources = [s for s in a.slots if s.kind in ("node", "bias")]
        targets = [s for s in b.slots if s.kind == "node"]
        pairs.append((i, a, b, sources, targets))

    values: list[list[float] | None] = []
    wmax = 0.0
    if encode and weights is not None:
        for i, _a, _b, sources, targets in pairs:
            w = weights.pair_values(i, [s.unit for s in sources], [t.unit for t in targets])
            values.append(w)
            if w:
                wmax = max(wmax, max(abs(v) for v in w))
    groups = []
    for k, (i, a, b, sources, targets) in enumerate(pairs):
        bundles: list[Item] = []
        xs: list[float] = []
        ys: list[float] = []
        for s in sources:
            x, y = frame.xy(a.pos, a.center_of(s))
            xs.append(x)
            ys.append(y)
        for t in targets:
            x, y = frame.xy(b.pos, b.center_of(t))
            xs.append(x)
            ys.append(y)
        m, n = len(sources), len(targets)
        w = values[k] if values else None
        if w is None:
            style = (color, width, opacity)
            bundles.extend(
                bundle(theme, frame, xs, ys, m, n, None, curve, arrows, style, f"{i + 1}")
            )
        else:
            bins = bin_edges(theme, w, wmax, encode, color, width, opacity)
            for n_bin, (style, indices) in enumerate(bins):
                bundles.extend(
                    bundle(
                        theme,
                        frame,
                        xs,
                        ys,
                        m,
                        n,
                        indices,
                        curve,
                        arrows,
                        style,
                        f"{i + 1}-{n_bin}",
                    )
                )
        groups.append(
            Group(
                id=f"edges-{plan.pair_ids[i]}",
                role="edges",
                children=tuple(bundles),
                paint=Paint(fill="none", linecap="round", linejoin="round"),
            )
        )
    return groups, (wmax if values else None)


def bin_edges(
    theme: Theme,
    w: list[float],
    wmax: float,
    encode: tuple[str, ...],
    color: str,
    width: float,
    opacity: float,
) -> list[tuple[tuple[str, float, float], list[int]]]:
    """Group edge indices by drawn style, weakest first (so strong edges lie on top)."""
    levels = theme.weights.levels
    top = levels - 1
    groups: dict[tuple[int, int], list[int]] = {}
    scale = 1.0 / wmax if wmax > 0 else 0.0
    for e, v in enumerate(w):
        level = round(min(1.0, abs(v) * scale) * top)
        sign = (1 if v > 0 else -1 if v < 0 else 0) if "color" in encode and level else 0
        groups.setdefault((level, sign), []).append(e)
    out = []
    wt = theme.weights
    ew = theme.edge
    for (level, sign), indices in sorted(groups.items()):
        t = level / top
        c = diverging(wt.negative, wt.zero, wt.positive, sign * t) if "color" in encode else color
        wd = ew.min_width + (ew.max_width - ew.min_width) * t if "width" in encode else width
        op = ew.min_opacity + (1 - ew.min_opacity) * t if "opacity" in encode else opacity
        out.append(((c, round(wd, 3), round(op, 3)), indices))
    return out


def bundle(
    theme: Theme,
    frame: Frame,
    xs: list[float],
    ys: list[float],
    m: int,
    n: int,
    indices: list[int] | None,
    curve: str,
    arrows: str,
    style: tuple[str, float, float],
    suffix: str,
) -> list[Item]:
    """One style's edges between ``m`` sources (vertices 0..m-1) and ``n`` targets
    (vertices m..m+n-1); ``indices`` picks edges ``s * n + t`` (None: all)."""
    color, width, opacity = style
    paint = Paint(stroke=color, stroke_width=width, stroke_opacity=opacity if opacity < 1 else None)
    if arrows == "none":
        runs = zigzag_runs(m, n) if indices is None else pair_runs(n, m, indices)
        return [EdgeBundle(tuple(xs), tuple(ys), tuple(runs), curve, paint)]
    # With arrowheads every edge ends at its own point short of the target.
    r = theme.node.radius
    arrow = theme.arrow
    bx: list[float] = xs[:m]
    by: list[float] = ys[:m]
    runs = []
    heads = []
    pick = range(m * n) if indices is None else indices
    for e in pick:
        s, t = divmod(e, n)
        sx, sy = xs[s], ys[s]
        tx, ty = xs[m + t], ys[m + t]
        if curve == "straight":
            d = normalize((tx - sx, ty - sy))
        else:
            d = (1.0, 0.0) if frame.right else (0.0, 1.0)  # Bezier ends along the flow
        tip = (tx - d[0] * (r + arrow.gap), ty - d[1] * (r + arrow.gap))
        back = arrow.length * (0.8 if arrow.shape != "open" and arrows == "solid" else 0.0)
        end = (tip[0] - d[0] * back, tip[1] - d[1] * back)
        runs.append(array("i", (s, len(bx))))
        bx.append(end[0])
        by.append(end[1])
        heads.append(arrowhead(tip, d, arrow.length, arrow.width))
    line = EdgeBundle(tuple(bx), tuple(by), tuple(runs), curve, paint)
    if arrows == "solid":
        head_paint = Paint(fill=color, stroke="none", fill_opacity=paint.stroke_opacity)
        return [line, Polygons(tuple(heads), head_paint)]
    open_heads = Polygons(
        tuple(heads),
        Paint(
            fill="none",
            stroke=color,
            stroke_width=arrow.stroke_width,
            stroke_opacity=paint.stroke_opacity,
        ),
        cls="open",
        closed=False,
    )
    return [line, open_heads]


def zigzag_runs(m: int, n: int) -> list[array]:
    """Trails that draw every edge of a complete bipartite graph once.

    Sources are 0..m-1, targets m..m+n-1. Two sources a, b share one trail
    a t0 b t1 a t2 b t3 ...: every step is a new edge, so the path data holds
    one vertex per edge. An odd source out is drawn as t0 s t1, t2 s t3, ...
    """
    runs: list[array] = []
    targets = array("i", range(m, m + n))
    for a in range(0, m - 1, 2):
        # Filled by slices (C loops, not an append per vertex): 267k vertices at 535k edges.
        trail = array("i", [0]) * (2 * n + 1)
        trail[0::2] = (array("i", [a, a + 1]) * (n // 2 + 1))[: n + 1]
        trail[1::2] = targets
        runs.append(trail)
    if m % 2 == 1:
        s = m - 1
        for t in range(0, n, 2):
            if t + 1 < n:
                runs.append(array("i", (m + t, s, m + t + 1)))
            else:
                runs.append(array("i", (s, m + t)))
    return runs


def pair_runs(n: int, m: int, indices: list[int]) -> list[array]:
    """Trails through a subset of edges ``s * n + t``: per source, targets in pairs."""
    by_source: dict[int, list[int]] = {}
    for e in indices:
        s, t = divmod(e, n)
        by_source.setdefault(s, []).append(m + t)
    runs = []
    for s, targets in by_source.items():
        for k in range(0, len(targets), 2):
            if k + 1 < len(targets):
                runs.append(array("i", (targets[k], s, targets[k + 1])))
            else:
                runs.append(array("i", (s, targets[k])))
    return runs


# --- legend and title --------------------------------------------------------------------
def colorbar(theme: Theme, tm: TextMaker, items: list[Item], wmax: float) -> Group:
    """A vertical colour bar right of the figure: negative at the bottom."""
    box = bounds(items)
    legend = theme.legend
    wt = theme.weights
    length, thick = legend.bar_length, legend.bar_thickness
    x = box.x1 + legend.gap
    cy = (box.y0 + box.y1) / 2
    y = cy - length / 2
    size = legend.font_size
    bar = GradientRect(
        x,
        y,
        thick,
        length,
        ((0.0, wt.negative), (0.5, wt.zero), (1.0, wt.positive)),
        vertical=True,
        paint=Paint(stroke=legend.stroke, stroke_width=0.5),
    )
    label = format_weight(wmax)
    tick_x = x + thick + 4
    texts = [
        tm.text(tick_x, y, "+" + label, size, anchor="start", baseline="central"),
        tm.text(tick_x, cy, "0", size, anchor="start", baseline="central"),
        tm.text(tick_x, y + length, "\u2212" + label, size, anchor="start", baseline="central"),
        tm.text(x + thick / 2, y - size * 0.9, "weight", size, anchor="middle"),
    ]
    return Group(
        id="legend",
        role="legend",
        children=(bar, *texts),
        text_style=TextStyle(color=theme.font.color),
    )


def format_weight(value: float) -> str:
    if value == 0:
        return "0"
    digits = max(0, 1 - math.floor(math.log10(abs(value))))
    text = f"{value:.{min(digits, 6)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
