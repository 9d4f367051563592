"""The LeNet style's graph connectors: where they meet a tensor, their tracks, paths.

:mod:`nnsvg.engines.lenet_graph` places the tensors and says which edges it routes
(:class:`Route`: the heights an edge runs at, the gaps it turns in). Here each turn
gets a track of its gap (:func:`lanes`; turns that leave one source or enter one
target share one, a bus), and each route becomes an orthogonal path out of its
source's side and into its target's side, with an arrowhead (:func:`route_groups`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from nnsvg.engines.common import arrowhead
from nnsvg.engines.lenet import SLANT, _Element
from nnsvg.scene import Group, Item, Paint, Path, Polygons
from nnsvg.spec.graph import MERGE_TYPES
from nnsvg.theme import Theme

__all__ = ["TRACK", "Route", "lanes", "lift", "meet_in", "meet_out", "route_groups"]

TRACK = 10.0  # between two vertical connector runs in one gap


@dataclass(frozen=True, slots=True)
class Route:
    """An edge's route across the flow: ``ys[0]`` where it leaves its source; then per
    gap ``gaps[k]`` (between that column and the next) a turn to ``ys[2k + 1]``,
    followed, but for the last, by a straight run at that height (``ys[2k + 2]``)
    through the columns up to the next gap; the last turn ends at the target."""

    source: int
    target: int
    ys: list[float]
    gaps: tuple[int, ...]


def lift(e: _Element) -> float:
    """How far below its box's centre connectors meet an element: a stack's front map."""
    return 0.0 if e.is_vector or e.kind in MERGE_TYPES else (e.maps - 1) * e.offset / 2


def _cy(e: _Element, down: bool = False) -> float:
    """Across the flow, where connectors meet an element: its front map's centre."""
    if down:
        return e.x + e.width / 2 + lift(e)
    return e.y + e.height / 2 + lift(e)


def meet_in(e: _Element, theme: Theme, down: bool = False) -> tuple[float, float]:
    """Where a connector arrives, as (along, across) the flow: the outline's left side
    (``down``: its top), level with the front map's centre (a slanted vector: halfway
    along its bar)."""
    y = _cy(e, down)
    if down:
        if e.kind in MERGE_TYPES:
            return (e.y, y)
        if e.is_vector:  # the bar's upper edge, level with its centre
            return (e.y + max(0.0, (e.width - 2 * theme.vector.thickness) / 2), y)
        # The top-most map reaching across to y.
        j = max(0, math.ceil((y - e.x - e.map_w) / e.offset)) if e.offset else 0
        return (e.y + min(j, e.maps - 1) * e.offset, y)
    if e.kind in MERGE_TYPES:
        return (e.x, y)
    if e.is_vector:
        return (e.x + e.length * SLANT / 2, y)
    # The back-most map reaching down to y.
    j = max(0, math.ceil((y - e.y - e.map_h) / e.offset)) if e.offset else 0
    return (e.x + min(j, e.maps - 1) * e.offset, y)


def meet_out(e: _Element, theme: Theme, down: bool = False) -> tuple[float, float]:
    """Where a connector leaves, as (along, across): the right side (``down``: the
    bottom), level with the front map's centre."""
    y = _cy(e, down)
    if down:
        if e.is_vector:  # the bar's lower edge, level with its centre
            return (e.y + min(e.length * SLANT, e.width / 2), y)
        return (e.y + e.height, y)
    if e.kind in MERGE_TYPES:
        return (e.x + e.width, y)
    if e.is_vector:
        return (e.x + theme.vector.thickness + e.length * SLANT / 2, y)
    return (e.x + e.width, y)


def lanes(
    connectors: list[Route],
) -> tuple[dict[tuple[int, int], int], dict[int, int]]:
    """A track for every turn, per gap, and how many tracks each gap has. A track
    holds turns that do not meet, or turns that all leave one source (their first
    leg) or all enter one target (their last leg): a bus, read as one."""
    runs: dict[int, list[tuple[float, float, int, int]]] = {}
    for k, c in enumerate(connectors):
        for leg, gap in enumerate(c.gaps):
            y0, y1 = c.ys[2 * leg], c.ys[2 * leg + 1]
            if abs(y0 - y1) > 0.5:
                runs.setdefault(gap, []).append((min(y0, y1), max(y0, y1), k, leg))
    lane_of: dict[tuple[int, int], int] = {}
    counts: dict[int, int] = {}
    for gap, found in runs.items():
        lanes: list[tuple[set[tuple[str, int]], list[tuple[float, float]]]] = []
        for lo, hi, k, leg in sorted(found):
            c = connectors[k]
            keys = {("from", c.source)} if leg == 0 else set()
            if leg + 1 == len(c.gaps):
                keys.add(("to", c.target))
            lane = 0
            while lane < len(lanes):
                shared, spans = lanes[lane]
                meets = any(not (hi + TRACK < a or lo - TRACK > b) for a, b in spans)
                if not meets or shared & keys:
                    break
                lane += 1
            if lane == len(lanes):
                lanes.append((set(keys), []))
            shared, spans = lanes[lane]
            shared &= keys  # the keys every turn of the lane has
            spans.append((lo, hi))
            lane_of[(k, leg)] = lane
        counts[gap] = len(lanes)
    return lane_of, counts


def route_groups(
    connectors: list[Route],
    lanes: dict[tuple[int, int], int],
    counts: dict[int, int],
    elements: list[_Element],
    ids: list[str],
    spans_x: list[tuple[float, float]],
    theme: Theme,
    down: bool = False,
    stand_in: bool = False,
) -> list[Item]:
    """The connectors as orthogonal paths, each turn on its track in its gap (worked
    out along and across the flow, then turned for ``down``); with ``stand_in``, those
    from node 0 turn where it stands."""
    sk, arrow = theme.skip, theme.arrow
    paint = Paint(stroke=sk.color, stroke_width=sk.width, fill="none", linejoin="round")
    groups: list[Item] = []
    for k, c in enumerate(connectors):
        x0, _ = meet_out(elements[c.source], theme, down)
        x_end, _ = meet_in(elements[c.target], theme, down)
        y = c.ys[0]
        commands: list[tuple[str | float, ...]] = [("M", x0, y)]
        for leg, gap in enumerate(c.gaps):
            y0, y1 = y, c.ys[2 * leg + 1]
            if abs(y0 - y1) > 0.5:  # a turn, on this connector's track in the gap
                middle = (spans_x[gap][1] + spans_x[gap + 1][0]) / 2
                x = middle + (lanes[(k, leg)] - (counts[gap] - 1) / 2) * TRACK
                if stand_in and c.source == 0 and not leg:  # parting at the junction
                    x = x0
                commands += [("L", x, y0), ("L", x, y1)]
            else:  # level within rounding: stay exactly level
                y1 = y0
            y = y1
            if leg + 1 == len(c.gaps):
                commands.append(("L", x_end - arrow.gap - arrow.length * 0.8, y1))
            else:  # into the next column, and straight through to the next gap
                commands.append(("L", spans_x[gap + 1][0], y1))
                commands.append(("L", spans_x[c.gaps[leg + 1]][1], y1))
        tip = (x_end - arrow.gap, y)
        if down:  # along the flow is y, across it x
            commands = [(op, b, a) for op, a, b in commands]
            tip = (tip[1], tip[0])
        head = arrowhead(tip, (0.0, 1.0) if down else (1.0, 0.0), arrow.length, arrow.width)
        groups.append(
            Group(
                id=f"edge-{ids[c.source]}-{ids[c.target]}",
                role="connector",
                children=(
                    Path(tuple(commands), paint, cls="connector"),
                    Polygons((head,), Paint(fill=sk.color, stroke="none")),
                ),
            )
        )
    return groups
