"""Long chains in the blocks style on several columns (``wrap: N`` or ``auto``).

A chain of blocks laid out in one run is cut into runs of N blocks placed side by
side across the flow (columns of a top-to-bottom figure, rows of a left-to-right
one), each starting level with the first. The edge from the last block of a run to
the first of the next becomes a connector: out of the block along the flow, across
to the gutter between the runs, back along it past the next run's first block, and
into that block, with rounded corners. ``wrap: auto`` takes the fewest runs whose
figure is no more than twice as long along the flow as it is wide across it (the
rule of the other styles' rows).

Everything here works in the canonical frame of :mod:`nnsvg.engines.blocks` (flow
along +y); the blocks are moved in place.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from nnsvg.engines.rows import MAX_ASPECT
from nnsvg.errors import SpecError
from nnsvg.network import Network

__all__ = ["wrap_runs"]

Point = tuple[float, float]


class _Placed(Protocol):
    x: float
    y: float
    w: float
    h: float
    note_w: float
    band: tuple[float, float]


def wrap_runs(
    net: Network,
    blocks: Sequence[_Placed],
    ranks: Sequence[Sequence[int]],
    edges: Sequence[tuple[int, int, object]],
    routes: list[list[Point]],
    gutter: float,
) -> list[list[Point]]:
    """Move the blocks of a chain onto runs of ``net.wrap`` blocks (module docs) and
    return the edges' routes, moved along or made connectors. A network that is not
    a chain, or has groups, is a located error with ``wrap: N``; ``wrap: auto`` keeps
    it in one run (the fewest runs it can take)."""
    if net.wrap == "auto" and not _is_chain(net, ranks, edges):
        return routes
    _check_chain(net, ranks, edges)
    count = len(ranks)
    if net.wrap == "auto":  # held at net.rows runs (the pipeline fitting a width)
        per = math.ceil(count / net.rows) if net.rows else _per_run(blocks, ranks, gutter)
    else:
        per = int(net.wrap or count)
    if per >= count:
        return routes
    across = max(blocks[r[0]].w + 2 * blocks[r[0]].note_w for r in ranks)
    run_of = {}
    shift: list[Point] = []
    for start in range(0, count, per):
        run = len(shift)
        dx = run * (across + gutter)
        dy = -blocks[ranks[start][0]].band[0]
        shift.append((dx, dy))
        for rank in ranks[start : start + per]:
            k = rank[0]
            run_of[k] = run
            b = blocks[k]
            b.x += dx
            b.y += dy
            b.band = (b.band[0] + dy, b.band[1] + dy)
    moved: list[list[Point]] = []
    for (u, v, _), route in zip(edges, routes):
        if run_of[u] == run_of[v]:
            dx, dy = shift[run_of[u]]
            moved.append([(x + dx, y + dy) for x, y in route])
        else:
            moved.append(_connector(blocks[u], blocks[v], across, gutter))
    return moved


def _connector(a: _Placed, b: _Placed, across: float, gutter: float) -> list[Point]:
    """From the end of one run to the start of the next, through the gutter."""
    out_y = a.y + a.h / 2
    in_y = b.y - b.h / 2
    reach = gutter / 2
    lane = b.x - across / 2 - gutter / 2  # the middle of the gutter before b's run
    return [
        (a.x, out_y),
        (a.x, out_y + reach),
        (lane, out_y + reach),
        (lane, in_y - reach),
        (b.x, in_y - reach),
        (b.x, in_y),
    ]


def _per_run(blocks: Sequence[_Placed], ranks: Sequence[Sequence[int]], gutter: float) -> int:
    """``wrap: auto``: blocks per run for the fewest runs no more than MAX_ASPECT
    times as long along the flow as across it."""
    count = len(ranks)
    across = max(blocks[r[0]].w + 2 * blocks[r[0]].note_w for r in ranks)
    for runs in range(1, count + 1):
        per = math.ceil(count / runs)
        longest = max(
            blocks[ranks[min(s + per, count) - 1][0]].band[1] - blocks[ranks[s][0]].band[0]
            for s in range(0, count, per)
        )
        if longest <= MAX_ASPECT * (runs * across + (runs - 1) * gutter):
            return per
    return 1


def _chain(ranks: Sequence[Sequence[int]], edges: Sequence[tuple[int, int, object]]) -> bool:
    """One block a rank, each read by the next and by nothing else."""
    links = {(ranks[k][0], ranks[k + 1][0]) for k in range(len(ranks) - 1)}
    chain = all(len(r) == 1 for r in ranks) and len(edges) == len(ranks) - 1
    return chain and {(u, v) for u, v, _ in edges} == links


def _is_chain(
    net: Network, ranks: Sequence[Sequence[int]], edges: Sequence[tuple[int, int, object]]
) -> bool:
    return _chain(ranks, edges) and not net.frames


def _check_chain(
    net: Network, ranks: Sequence[Sequence[int]], edges: Sequence[tuple[int, int, object]]
) -> None:
    """Only a chain without groups wraps: one block a rank, each read by the next."""
    chain = _chain(ranks, edges)
    if chain and not net.frames:
        return
    what = "groups" if chain else "branches, merges or skips"
    raise SpecError(
        f"the blocks style wraps chains of layers onto runs, and this network has {what}: "
        "remove wrap: the graph is drawn in one run",
        location=net.where("wrap"),
        field="wrap",
    )
