"""Long figures in the blocks style on several runs (``wrap: N`` or ``auto``).

A figure laid out in one run is cut between ranks into runs placed side by side
across the flow (columns of a top-to-bottom figure, rows of a left-to-right one),
each starting level with the first. A run may end only after a rank that holds one
block and nothing else, from which every edge into the next runs leaves: a chain
may end a run anywhere, a ResNet after the sum of a residual block (its skip leaves
from there too), and never inside a group. ``wrap: N`` ends each run at the last
such place at most N ranks on; ``wrap: auto`` takes the fewest runs whose figure is
no more than twice as long along the flow as it is wide across it (the rule of the
other styles' rows).

An edge into the next run becomes a connector: out of its block along the flow, to
its own level under the block, across to its own lane in the gutter between the
runs, back along the gutter past the next run's top, across to where the edge went
on, and on as it did. Lanes and levels are ordered so that connectors out of one
block do not cross each other.

Everything here works in the canonical frame of :mod:`nnsvg.engines.blocks` (flow
along +y); the blocks (dummies too) are moved in place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from nnsvg.engines.rows import MAX_ASPECT, balanced_rows, greedy_rows
from nnsvg.errors import SpecError
from nnsvg.network import Network

__all__ = ["run_ends", "wrap_runs"]

Point = tuple[float, float]
Edge = tuple[int, int, object]


class _Placed(Protocol):
    x: float
    y: float
    w: float
    h: float
    note_w: float
    dummy: bool
    band: tuple[float, float]


def wrap_runs(
    net: Network,
    blocks: Sequence[_Placed],
    ranks: Sequence[Sequence[int]],
    edges: Sequence[Edge],
    routes: list[list[Point]],
    paths: Sequence[tuple[int, ...]],
    pads: dict[int, tuple[float, float, float, float]],
    *,
    gutter: float,
    step: float,
) -> list[list[Point]]:
    """Move the blocks onto runs (module docs) and return the edges' routes, moved
    along with their runs or made connectors. ``paths``: per item, the frames it is
    inside (a run never ends inside one); ``pads``: each frame's room around its items
    (x0, y0, x1, y1 sides), which its run keeps. ``wrap: N`` where no run may end is a
    located error; ``wrap: auto`` then keeps one run."""
    count = len(ranks)
    room = _Room(blocks, paths, pads)
    rank_of = {k: r for r, row in enumerate(ranks) for k in row}
    ends = run_ends(ranks, edges, paths, rank_of)

    def allowed(j: int) -> bool:  # a run may end before rank j
        return j - 1 in ends

    if net.wrap == "auto" and net.rows:  # held at net.rows runs (fitting a width)
        runs = balanced_rows(count, lambda i, j: _along(room, ranks, i, j), net.rows, allowed)
    elif net.wrap == "auto":
        runs = _auto_runs(room, ranks, gutter, allowed)
    else:
        per = int(net.wrap or count)
        if per < count and not ends:
            raise SpecError(
                f"wrap: {per}: no run of this graph can end: a run ends after a block that "
                "every edge into the next run leaves from (as the sum of a residual block), "
                "outside groups; remove wrap, or use wrap: auto",
                location=net.where("wrap"),
                field="wrap",
            )
        runs = greedy_rows(count, lambda i, j: j - i, per, allowed)
    if len(runs) < 2:
        return routes
    run_of: dict[int, int] = {}
    shift: list[Point] = []
    right = 0.0
    for s, run in enumerate(runs):
        items = [k for r in run for k in ranks[r]]
        x0, x1 = room.span(items)
        dx = 0.0 if s == 0 else right + gutter - x0
        dy = -room.top(ranks[run.start])
        right = x1 + dx
        shift.append((dx, dy))
        for k in items:
            run_of[k] = s
            b = blocks[k]
            b.x += dx
            b.y += dy
            b.band = (b.band[0] + dy, b.band[1] + dy)
    crossing: dict[int, list[int]] = {}  # run -> the edges out of it, into the next
    for e, (u, v, _) in enumerate(edges):
        if run_of[u] != run_of[v]:
            crossing.setdefault(run_of[u], []).append(e)
    moved = [
        [(x + shift[run_of[u]][0], y + shift[run_of[u]][1]) for x, y in route]
        for (u, _, _), route in zip(edges, routes)
    ]
    for s, es in crossing.items():
        # the rightmost port first: the shallowest level under the block, the lane
        # nearest the run it leaves, the highest level over the next run
        es.sort(key=lambda e: -routes[e][0][0])
        first = ranks[runs[s + 1].start]
        last = ranks[runs[s].stop - 1][0]
        right = room.span([k for r in runs[s] for k in ranks[r]])[1]
        for k, e in enumerate(es):
            moved[e] = _connector(
                routes[e],
                shift[s],
                shift[s + 1],
                blocks[last].band[1] + room.below(last),
                room.top(first),
                blocks[first[0]].band[0] - shift[s + 1][1],
                _lane(k, len(es), right, gutter, step),
                (k + 1) / (len(es) + 1),
                gutter,
            )
    return moved


def _lane(k: int, count: int, right: float, gutter: float, step: float) -> float:
    """The k-th of ``count`` lanes in the gutter after a run ending at ``right``."""
    room = min(step, gutter / (count + 1))
    middle = right + gutter / 2
    return middle + (k - (count - 1) / 2) * room


def _connector(
    route: Sequence[Point],
    here: Point,
    there: Point,
    bottom: float,
    top: float,
    next_band: float,
    lane: float,
    level: float,
    gutter: float,
) -> list[Point]:
    """An edge's route into the next run: from its port under the run's last block
    (``bottom``: past it and its frames' room, as moved) down to its ``level`` (a
    fraction of the gutter), across to its ``lane``, along the gutter to over the next
    run (``top``: its first rank's near side and frames' room, as moved), across, and
    into the rest of its old route (``next_band``: where that rank began before the
    move)."""
    start = (route[0][0] + here[0], route[0][1] + here[1])
    below = bottom + gutter * level
    i = next(
        (i for i, (_, y) in enumerate(route) if y >= next_band - 1e-6),
        len(route) - 1,
    )
    rest = [(x + there[0], y + there[1]) for x, y in route[i:]]
    over = top - gutter * (1 - level)
    return [
        start,
        (start[0], below),
        (lane, below),
        (lane, over),
        (rest[0][0], over),
        *rest,
    ]


class _Room:
    """The room items take with their notes and the frames around them (each frame's
    pads added for every frame an item is inside)."""

    def __init__(
        self,
        blocks: Sequence[_Placed],
        paths: Sequence[tuple[int, ...]],
        pads: dict[int, tuple[float, float, float, float]],
    ) -> None:
        self.blocks, self.paths, self.pads = blocks, paths, pads

    def _pad(self, k: int, side: int) -> float:
        return sum(self.pads[f][side] for f in self.paths[k] if f in self.pads)

    def span(self, items: Sequence[int]) -> tuple[float, float]:
        """Their extent across the flow."""
        b = self.blocks
        x0 = min(b[k].x - b[k].w / 2 - b[k].note_w - self._pad(k, 0) for k in items)
        x1 = max(b[k].x + b[k].w / 2 + b[k].note_w + self._pad(k, 2) for k in items)
        return x0, x1

    def top(self, rank: Sequence[int]) -> float:
        """Where a rank's items and their frames begin along the flow."""
        return min(self.blocks[k].band[0] - self._pad(k, 1) for k in rank)

    def below(self, k: int) -> float:
        """The room of an item's frames after it along the flow."""
        return self._pad(k, 3)


def run_ends(
    ranks: Sequence[Sequence[int]],
    edges: Sequence[Edge],
    paths: Sequence[tuple[int, ...]],
    rank_of: dict[int, int],
) -> set[int]:
    """The ranks a run may end after: one block alone in its rank, every edge that
    crosses the gap after it leaving from it, and no frame with items on both sides."""
    last = len(ranks) - 1
    out: set[int] = set()
    inside: dict[int, tuple[int, int]] = {}  # frame -> its first and last rank
    for k, frames in enumerate(paths):
        if k not in rank_of:
            continue
        for f in frames:
            lo, hi = inside.get(f, (rank_of[k], rank_of[k]))
            inside[f] = (min(lo, rank_of[k]), max(hi, rank_of[k]))
    for g in range(last):
        row = ranks[g]
        if len(row) != 1:
            continue
        b = row[0]
        crossing = [(u, v) for u, v, _ in edges if rank_of[u] <= g < rank_of[v]]
        if not crossing or any(u != b for u, _ in crossing):
            continue
        if any(lo <= g < hi for lo, hi in inside.values()):
            continue
        out.add(g)
    return out


def _along(room: _Room, ranks: Sequence[Sequence[int]], i: int, j: int) -> float:
    """How long ranks i to j - 1 are along the flow (their frames' room too)."""
    return room.blocks[ranks[j - 1][0]].band[1] - room.top(ranks[i])


def _auto_runs(
    room: _Room,
    ranks: Sequence[Sequence[int]],
    gutter: float,
    allowed: Callable[[int], bool],
) -> list[range]:
    """``wrap: auto``: the fewest runs (each as short as the run ends allow) no more
    than MAX_ASPECT times as long along the flow as the runs are wide across it."""
    count = len(ranks)

    def along(i: int, j: int) -> float:
        return _along(room, ranks, i, j)

    seen: set[tuple[int, ...]] = set()
    for n in range(1, count + 1):
        runs = balanced_rows(count, along, n, allowed)
        key = tuple(r.start for r in runs)
        if key in seen:
            continue
        seen.add(key)
        spans = [room.span([k for r in run for k in ranks[r]]) for run in runs]
        across = sum(x1 - x0 for x0, x1 in spans) + gutter * (len(runs) - 1)
        if max(along(r.start, r.stop) for r in runs) <= MAX_ASPECT * across:
            return runs
    return balanced_rows(count, along, count, allowed)
