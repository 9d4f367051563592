"""Layered (Sugiyama) placement of a network graph: ranks, orders within ranks, dummies.

The engines place a graph-shaped network (branches, merges, several inputs and heads)
in layers along the flow. ``layered`` gives them the combinatorial part of that
placement: each node's rank, the order of the items across the flow in each rank, and
one dummy item per rank that a long edge passes through, so that edges can be routed
between the nodes without crossing them. Coordinates are the engines' business.

>>> # An Inception-like module: stem 0, four branches (1 | 2-5 | 3-6 | 4-7), concat 8.
>>> lay = layered(9, [(0, 1), (0, 2), (0, 3), (0, 4), (2, 5), (3, 6), (4, 7),
...                   (1, 8), (5, 8), (6, 8), (7, 8)])
>>> lay.rank
(0, 1, 1, 1, 1, 2, 2, 2, 3)
>>> lay.ranks  # the branch listed first stays first; its edge to 8 passes dummy 9
((0,), (1, 2, 3, 4), (9, 5, 6, 7), (8,))
>>> lay.chains
{(1, 8): (9,)}

Why hand-written, not a library: benchmarks/bench_layering.py measured the candidates
(this 2-core x86_64 machine, Python 3.11; crossings counted by the benchmark from each
result's ranks and orders, dummy chains included; median ms of 7 runs; ranges are
over two runs of the benchmark):

=================  ============  ==============  ==============  ============  ===========
graph              this module   igraph 1.0 [1]  OGDF [1]        grandalf 0.8  ids only [2]
=================  ============  ==============  ==============  ============  ===========
Inception          0             0               0               0             3
ResNet-152 (500)   0, 4.5 ms     0, 2.2 ms       0, 111 ms       0, 146 ms     4
DenseNet block 6   19            29              19              19-22         175
DenseNet block 24  7150, 144 ms  7676, 40 ms     6905, 181 ms    7260, 163 ms  42550
siamese; U-Net     0; 0          0; 0            0; 0            0; 0          0; 12
random 50          75            158             70-74           109-117       284
random 200         565           1307            545-551         812-840       1826
random 500         1256, 47 ms   2980, 13 ms     1227-1249, 81   1564-1589     4440
import             10 ms         27-32 ms [3]    1.4-1.6 s [4]   102-116 ms
download           (none)        5.7 MB wheel    91 MB + 48 MB   42 kB
same result in     yes           yes             no              no
two processes
=================  ============  ==============  ==============  ============  ===========

[1] with this module's ranks pinned (igraph ranking by itself: within 7 % of these).
[2] networkx or rustworkx ``topological_generations``: ranks, but no order in a rank.
[3] 45-90 ms from a cold cache. [4] 5.7 s the first time (cppyy compiles headers).

- igraph (``Graph.layout_sugiyama``, C core, well kept) is faster, but leaves 2.1-2.4x
  the crossings on branching graphs and 29 against 19 on a DenseNet block, which a
  reader sees; ``maxiter=1000`` does not help (29, 152, 2622). Its import alone is a
  third of all of nnsvg's CLI imports (~90 ms).
- OGDF (ogdf-python 0.3.5 + ogdf-wheel 2025.10 through cppyy) finds 1-7 % fewer
  crossings on random DAGs and 3 % on a DenseNet-24 block, the same elsewhere, but its
  order differs between processes, it installs ~460 MB, compiles cppyy on install and
  takes seconds to import: not for a CLI whose whole 500-node run has 1 s.
- grandalf (pure Python, last release 2023) also differs between processes (it
  collects a component's edges in a set of Edge objects: memory-address order),
  cannot be given ranks without setting its internals, and takes ~150 ms on 500 nodes.

So the ~200 lines of code here are kept: longest-path ranks, barycenter sweeps down
and up (ties keep the current order, which starts as the spec's list order) each
followed by adjacent swaps that strictly remove crossings, the best order seen kept by
its crossing count (Barth, Juenger and Mutzel's accumulator tree). Everything is integer lists and
stable sorts over ids: no set or dict order, no hash seed, no randomness.
"""

from __future__ import annotations

import itertools
import operator
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Layering", "crossings", "layered"]

# Sweeps (one down + one up each) without a better order before the search stops.
_PATIENCE = 3
_MAX_SWEEPS = 24


@dataclass(frozen=True, slots=True)
class Layering:
    """Where a graph's nodes go in a layered drawing.

    ``rank``: per node, its rank along the flow (sources at 0 unless pinned).
    ``ranks``: per rank, the items across the flow in order; node ids are 0..n-1,
    dummy ids are >= n. ``chains``: per edge (u, v) spanning more than one rank, its
    dummy ids, one per rank strictly between rank[u] and rank[v], in rank order.
    """

    rank: tuple[int, ...]
    ranks: tuple[tuple[int, ...], ...]
    chains: dict[tuple[int, int], tuple[int, ...]]


def layered(
    n: int, edges: Sequence[tuple[int, int]], *, ranks: Sequence[int] | None = None
) -> Layering:
    """Rank the nodes 0..n-1 of a DAG and order each rank so that few edges cross.

    ``ranks`` default to the longest path from the sources, so every edge points to a
    higher rank and a chain with skip connections stays one node per rank; give
    ``ranks=`` (one int >= 0 per node, each edge to a strictly higher rank) to pin
    them. The result depends only on n, the set of edges (a repeated edge counts once,
    and the order they are listed in does not matter) and the ranks; where orders
    tie on crossings the lower node id stays first.

    Raises ValueError for a node out of range, a self loop, a cycle (naming a node on
    it) or pinned ranks that an edge does not climb.

    >>> layered(3, [(0, 1), (1, 2), (0, 2)]).ranks   # a skip: the chain stays straight
    ((0,), (1, 3), (2,))
    >>> layered(2, [(0, 1), (1, 0)])
    Traceback (most recent call last):
    ...
    ValueError: the edges form a cycle through node 0: 0 -> 1 -> 0
    """
    n = _count(n)
    es = _edges(n, edges)
    rank = _longest_path(n, es) if ranks is None else _pinned(n, es, ranks)
    height = max(rank) + 1 if n else 0

    # The layered graph: items are nodes, then dummies; up/down are neighbour ids.
    up: list[list[int]] = [[] for _ in range(n)]
    down: list[list[int]] = [[] for _ in range(n)]
    item_rank = list(rank)
    chains: dict[tuple[int, int], tuple[int, ...]] = {}
    for u, v in es:  # sorted: dummy ids follow (u, v), whatever order edges came in
        prev = u
        chain = []
        for r in range(rank[u] + 1, rank[v]):
            d = len(item_rank)
            item_rank.append(r)
            up.append([prev])
            down.append([])
            down[prev].append(d)
            chain.append(d)
            prev = d
        down[prev].append(v)
        up[v].append(prev)
        if chain:
            chains[(u, v)] = tuple(chain)

    # First order: nodes by id, a dummy of (u, v) where node v would sort, so the
    # spec's list order is where the sweeps start (and what they keep on ties).
    def natural(x: int) -> tuple[int, int, int]:
        return (x, 0, 0) if x < n else (_target(x, down, n), 1, x)

    order: list[list[int]] = [[] for _ in range(height)]
    for x in sorted(range(len(item_rank)), key=natural):
        order[item_rank[x]].append(x)
    pos = [0] * len(item_rank)
    for row in order:
        for i, x in enumerate(row):
            pos[x] = i

    best = _total(order, down, pos)
    best_order = [row[:] for row in order]
    stale = 0
    for _ in range(_MAX_SWEEPS):
        if best == 0 or stale >= _PATIENCE:
            break
        improved = False
        for sweep in (range(1, height), range(height - 2, -1, -1)):
            for r in sweep:
                _sort_by_barycenter(order[r], up if sweep.step == 1 else down, pos)
            _transpose(order, up, down, pos)
            count = _total(order, down, pos)
            if count < best:
                best, best_order, improved = count, [row[:] for row in order], True
        stale = 0 if improved else stale + 1

    order = best_order
    for row in order:
        for i, x in enumerate(row):
            pos[x] = i
    if best:
        _transpose(order, up, down, pos)
    return Layering(
        rank=tuple(rank),
        ranks=tuple(tuple(row) for row in order),
        chains=chains,
    )


def crossings(lay: Layering, edges: Sequence[tuple[int, int]]) -> int:
    """The number of edge crossings in ``lay``, dummy chains included.

    >>> crossings(layered(4, [(0, 2), (1, 3), (0, 3)]), [(0, 2), (1, 3), (0, 3)])
    0
    """
    n = len(lay.rank)
    size = n + sum(len(c) for c in lay.chains.values())
    down: list[list[int]] = [[] for _ in range(size)]
    for u, v in _edges(n, edges):
        chain = lay.chains.get((u, v), ())
        path = [u, *chain, v]
        for a, b in itertools.pairwise(path):
            down[a].append(b)
    pos = [0] * size
    for row in lay.ranks:
        for i, x in enumerate(row):
            pos[x] = i
    return _total([list(row) for row in lay.ranks], down, pos)


def _count(n: int) -> int:
    if isinstance(n, bool):
        raise TypeError("n must be an int, not a bool")
    n = operator.index(n)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    return n


def _edges(n: int, edges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The edges, checked, each once, sorted."""
    seen: dict[tuple[int, int], None] = {}
    for i, edge in enumerate(edges):
        try:
            u, v = edge
            u, v = operator.index(u), operator.index(v)
        except (TypeError, ValueError):
            raise ValueError(f"edge {i} is not a pair of node ids: {edge!r}") from None
        for x in (u, v):
            if not 0 <= x < n:
                raise ValueError(f"edge {i} ({u}, {v}): node {x} is not in 0..{n - 1}")
        if u == v:
            raise ValueError(f"edge {i} ({u}, {v}) is a self loop")
        seen[(u, v)] = None
    return sorted(seen)


def _longest_path(n: int, es: list[tuple[int, int]]) -> list[int]:
    succ: list[list[int]] = [[] for _ in range(n)]
    indeg = [0] * n
    for u, v in es:
        succ[u].append(v)
        indeg[v] += 1
    rank = [0] * n
    ready = [x for x in range(n) if indeg[x] == 0]
    done = 0
    while ready:
        x = ready.pop()
        done += 1
        for y in succ[x]:
            if rank[y] <= rank[x]:
                rank[y] = rank[x] + 1
            indeg[y] -= 1
            if indeg[y] == 0:
                ready.append(y)
    if done < n:
        raise ValueError(_cycle_message(n, es, indeg))
    return rank


def _cycle_message(n: int, es: list[tuple[int, int]], indeg: list[int]) -> str:
    # Every node left with in-degree > 0 has a predecessor also left: walk back from
    # the lowest one until a node repeats; the walk from there is a cycle.
    left = [indeg[x] > 0 for x in range(n)]
    pred: list[int | None] = [None] * n
    for u, v in es:  # sorted, so the lowest predecessor still left wins
        if left[u] and left[v] and pred[v] is None:
            pred[v] = u
    start = left.index(True)
    walk, at = [], {}
    x = start
    while x not in at:
        at[x] = len(walk)
        walk.append(x)
        x = pred[x]
    cycle = walk[at[x] :][::-1]  # walked backwards; forwards now
    low = cycle.index(min(cycle))
    cycle = cycle[low:] + cycle[:low]
    path = " -> ".join(str(c) for c in [*cycle, cycle[0]])
    return f"the edges form a cycle through node {cycle[0]}: {path}"


def _pinned(n: int, es: list[tuple[int, int]], ranks: Sequence[int]) -> list[int]:
    if len(ranks) != n:
        raise ValueError(f"ranks has {len(ranks)} entries for {n} nodes")
    rank = []
    for x, r in enumerate(ranks):
        r = operator.index(r)
        if r < 0:
            raise ValueError(f"rank of node {x} is {r}: ranks must be >= 0")
        rank.append(r)
    for u, v in es:
        if rank[v] <= rank[u]:
            raise ValueError(
                f"edge ({u}, {v}) goes from rank {rank[u]} to rank {rank[v]}: "
                "pinned ranks must increase along every edge"
            )
    return rank


def _target(d: int, down: list[list[int]], n: int) -> int:
    while d >= n:
        d = down[d][0]
    return d


def _sort_by_barycenter(row: list[int], nbrs: list[list[int]], pos: list[int]) -> None:
    """Reorder one rank by its items' mean neighbour position; items without
    neighbours on that side keep their slots, ties keep the current order."""
    movable, slots = [], []
    for i, x in enumerate(row):
        ns = nbrs[x]
        if ns:
            movable.append((sum(pos[y] for y in ns) / len(ns), i, x))
            slots.append(i)
    movable.sort()
    for slot, (_, _, x) in zip(slots, movable):
        row[slot] = x
        pos[x] = slot


def _total(order: list[list[int]], down: list[list[int]], pos: list[int]) -> int:
    total = 0
    for r in range(len(order) - 1):
        total += _between(order[r], down, pos, len(order[r + 1]))
    return total


def _between(row: list[int], down: list[list[int]], pos: list[int], width: int) -> int:
    """Crossings of the edges from ``row`` to the next rank (Barth, Juenger and
    Mutzel 2004): lower ends in upper-end order, inversions counted in a tree."""
    first = 1
    while first < width:
        first *= 2
    tree = [0] * (2 * first - 1)
    first -= 1
    cross = 0
    for x in row:
        for p in sorted(pos[y] for y in down[x]):
            i = p + first
            tree[i] += 1
            while i > 0:
                if i % 2:
                    cross += tree[i + 1]
                i = (i - 1) // 2
                tree[i] += 1
    return cross


def _pair(a: int, b: int, up: list[list[int]], down: list[list[int]], pos: list[int]) -> int:
    """How many crossings swapping neighbours a (left) and b removes: those between
    a's and b's edges, as they are minus as they would be (shared ends cross neither
    way)."""
    gain = 0
    for nbrs in (up, down):
        na, nb = nbrs[a], nbrs[b]
        if not na or not nb:
            continue
        if len(nb) <= 8:
            for y in nb:
                q = pos[y]
                for x in na:
                    p = pos[x]
                    gain += (p > q) - (p < q)
            continue
        qs = sorted([pos[y] for y in nb])  # a dense node: count by bisection
        for x in na:
            p = pos[x]
            gain += bisect_left(qs, p) - (len(qs) - bisect_right(qs, p))
    return gain


def _transpose(
    order: list[list[int]], up: list[list[int]], down: list[list[int]], pos: list[int]
) -> None:
    """Swap neighbours in a rank while a swap strictly removes crossings (each swap
    changes only the crossings between the two items' edges). A rank is gone over
    again only after a swap in it or next to it."""
    dirty = [True] * len(order)
    while True in dirty:
        for r, row in enumerate(order):
            if not dirty[r]:
                continue
            dirty[r] = False
            for i in range(len(row) - 1):
                a, b = row[i], row[i + 1]
                ua, ub, da, db = up[a], up[b], down[a], down[b]
                if len(ua) == len(ub) == len(da) == len(db) == 1:  # two dummies' worth
                    p, q, s, t = pos[ua[0]], pos[ub[0]], pos[da[0]], pos[db[0]]
                    gain = (p > q) - (p < q) + (s > t) - (s < t)
                else:
                    gain = _pair(a, b, up, down, pos)
                if gain > 0:
                    row[i], row[i + 1] = b, a
                    pos[a], pos[b] = i + 1, i
                    dirty[r] = True
                    if r:
                        dirty[r - 1] = True
                    if r + 1 < len(order):
                        dirty[r + 1] = True
