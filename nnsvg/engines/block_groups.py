"""Groups kept together in the blocks style (issue #16): clusters and clear frames.

A group's blocks are drawn inside its frame; so that no other block stands inside it
and the frames of two sibling groups never overlap:

- :func:`cluster_ranks` reorders each rank of the layering so that every group's items
  are contiguous, sibling groups (and the items beside them) in one order across all
  ranks (by the mean position of their items);
- :func:`separate` moves, after placement, what stands beside a frame out of it, rank
  by rank, until every frame clears the items and sibling frames in its ranks;
- :func:`pulled_ranks` ranks the blocks so that a branch joining late (a decoder
  beside an encoder) stays next to what it feeds;
- :func:`frame_room` is the room a gap along the flow needs for the frames that end
  before it or begin after it (their margins and labels).

Everything is in the blocks engine's canonical frame (the flow along +y). An item's
``path`` is the tuple of the (drawn) frames it is inside, outermost first; a dummy's is
the common part of its edge's ends'.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

__all__ = ["Box4", "cluster_ranks", "frame_boxes", "frame_room", "pulled_ranks", "separate"]

Box4 = tuple[float, float, float, float]  # x0, y0, x1, y1


class Item(Protocol):
    """What this module reads and moves of a block (the engine's ``_Block``)."""

    x: float
    y: float
    w: float
    h: float
    note_w: float
    note_len: float
    band: tuple[float, float]


def cluster_ranks(
    ranks: Sequence[Sequence[int]], paths: Sequence[tuple[int, ...]]
) -> list[list[int]]:
    """Each rank reordered so that every frame's items are contiguous, sibling frames in
    the same order in every rank (the layering's order within a frame otherwise kept).

    >>> # items 0 and 2 are in frame 7: they come together, 1 beside them
    >>> cluster_ranks([[0, 1, 2], [3, 4]], [(7,), (), (7,), (), ()])
    [[0, 2, 1], [3, 4]]
    """
    where: dict[int, list[float]] = {}
    for row in ranks:
        for i, k in enumerate(row):
            for f in paths[k]:
                where.setdefault(f, []).append((i + 0.5) / len(row))
    mean = {f: sum(v) / len(v) for f, v in where.items()}
    out = []
    for row in ranks:

        def key(k: int, row: Sequence[int] = row) -> tuple[tuple[float, int], ...]:
            own = ((row.index(k) + 0.5) / len(row), k)
            return (*((mean[f], -1 - f) for f in paths[k]), own)

        out.append(sorted(row, key=key))
    return out


def frame_boxes(
    items: Sequence[Item],
    paths: Sequence[tuple[int, ...]],
    parents: dict[int, int | None],
    pads: dict[int, Box4],
) -> dict[int, Box4]:
    """Each frame's outline: its items' boxes (with their notes) and inner frames, out by
    its ``pads`` (its margin, and room for its label, N× and note) on each side."""
    boxes: dict[int, Box4] = {}
    for k, it in enumerate(items):
        half = max(it.h, it.note_len) / 2  # a note under a block of a horizontal flow
        for f in paths[k]:
            x0, y0, x1, y1 = boxes.get(f, (it.x, it.y, it.x, it.y))
            boxes[f] = (
                min(x0, it.x - it.w / 2),
                min(y0, it.y - half),
                max(x1, it.x + it.w / 2 + it.note_w),  # a note beside it, on its right
                max(y1, it.y + half),
            )
    depth = {f: _depth(f, parents) for f in boxes}
    out: dict[int, Box4] = {}
    for f in sorted(boxes, key=lambda f: -depth[f]):  # inner frames first
        x0, y0, x1, y1 = boxes[f]
        for g, box in out.items():
            if parents.get(g) == f:
                x0, y0, x1, y1 = min(x0, box[0]), min(y0, box[1]), max(x1, box[2]), max(y1, box[3])
        p = pads[f]
        out[f] = (x0 - p[0], y0 - p[1], x1 + p[2], y1 + p[3])
    return out


def _depth(f: int, parents: dict[int, int | None]) -> int:
    d = 0
    p = parents.get(f)
    while p is not None:
        d += 1
        p = parents.get(p)
    return d


def separate(
    items: Sequence[Item],
    ranks: Sequence[Sequence[int]],
    paths: Sequence[tuple[int, ...]],
    parents: dict[int, int | None],
    pads: dict[int, Box4],
    gap: float,
) -> None:
    """Move items across the flow until no frame holds an item or a sibling frame not
    its own in its ranks: what stands right of a frame (by its centre) moves right in
    those ranks, with everything after it (module docs)."""
    rank_of = {k: r for r, row in enumerate(ranks) for k in row}
    for _ in range(10 * (len(items) + len(parents)) + 4):
        boxes = frame_boxes(items, paths, parents, pads)
        move = _first_clash(items, ranks, paths, parents, boxes, rank_of, gap)
        if move is None:
            return
        f, g, k, right, delta = move
        ours = set(_chain(f, parents))
        moving = {m for m in range(len(items)) if g in paths[m]} if g is not None else {k}
        while True:  # what it pushes, and whole frames of what it pushes, go too
            more = set(moving)
            for r in {rank_of[m] for m in moving}:
                row = ranks[r]
                mine = [i for i, m in enumerate(row) if m in moving]
                cut = row[mine[0] :] if right else row[: mine[-1] + 1]
                more |= {m for m in cut if f not in paths[m]}
            frames = {h for m in more for h in paths[m] if h not in ours}
            more |= {m for m in range(len(items)) if frames & set(paths[m])}
            more = {m for m in more if f not in paths[m]}
            if more == moving:
                break
            moving = more
        for m in moving:
            if f not in paths[m]:
                items[m].x += delta if right else -delta


def _first_clash(
    items: Sequence[Item],
    ranks: Sequence[Sequence[int]],
    paths: Sequence[tuple[int, ...]],
    parents: dict[int, int | None],
    boxes: dict[int, Box4],
    rank_of: dict[int, int],
    gap: float,
) -> tuple[int, int | None, int, bool, float] | None:
    """The first frame f with something not its own across it in its ranks: (f, the
    sibling frame standing there or None, the item, whether it goes right, how far)."""
    for f, (fx0, _, fx1, _) in sorted(boxes.items()):
        rows = sorted({rank_of[k] for k in range(len(items)) if f in paths[k]})
        for r in range(rows[0], rows[-1] + 1):
            for k in ranks[r]:
                if f in paths[k]:
                    continue
                g, (x0, x1) = _unit(k, f, items, paths, parents, boxes)
                if x1 + gap <= fx0 + 1e-6 or fx1 + gap <= x0 + 1e-6:
                    continue
                if (x0 + x1) / 2 >= (fx0 + fx1) / 2:
                    return f, g, k, True, fx1 + gap - x0 + 1e-3
                return f, g, k, False, x1 + gap - fx0 + 1e-3
    return None


def _unit(
    k: int,
    f: int,
    items: Sequence[Item],
    paths: Sequence[tuple[int, ...]],
    parents: dict[int, int | None],
    boxes: dict[int, Box4],
) -> tuple[int | None, tuple[float, float]]:
    """What item k stands as beside frame f: the outermost frame it is in that f is not
    in (a sibling's frame), else the item itself (with its note's room)."""
    ours = set(_chain(f, parents))
    for g in paths[k]:
        if g not in ours and g in boxes:
            return g, (boxes[g][0], boxes[g][2])
    it = items[k]
    half = it.w / 2 + it.note_w
    return None, (it.x - half, it.x + half)


def _chain(f: int, parents: dict[int, int | None]) -> list[int]:
    out = [f]
    p = parents.get(f)
    while p is not None:
        out.append(p)
        p = parents.get(p)
    return out


def frame_room(
    ranks: Sequence[Sequence[int]],
    paths: Sequence[tuple[int, ...]],
    pads: dict[int, Box4],
) -> list[tuple[float, float]]:
    """Per rank, the room the gap before it needs for frame borders: each frame's pad
    along the flow where it ends before the gap, and where one begins after it."""
    out = [(0.0, 0.0)]
    for r in range(1, len(ranks)):
        before = {f for k in ranks[r - 1] for f in paths[k]}
        after = {f for k in ranks[r] for f in paths[k]}
        ending = before - after
        starting = after - before
        out.append((sum(pads[f][3] for f in ending), sum(pads[f][1] for f in starting)))
    return out


def pulled_ranks(n: int, pairs: list[tuple[int, int]]) -> list[int]:
    """Ranks by the longest path from the sources, then every block that is not a
    source moved up to just before the first block that reads it: a branch that joins
    late (the decoder's first sublayers, read by an attention above the encoder) stays
    next to what it feeds instead of leaving a long edge; the inputs stay at rank 0."""
    succ: list[list[int]] = [[] for _ in range(n)]
    pred: list[list[int]] = [[] for _ in range(n)]
    for u, v in pairs:
        succ[u].append(v)
        pred[v].append(u)
    rank = [0] * n
    order = []
    ready = [x for x in range(n) if not pred[x]]
    left = [len(p) for p in pred]
    while ready:
        x = ready.pop()
        order.append(x)
        for y in succ[x]:
            rank[y] = max(rank[y], rank[x] + 1)
            left[y] -= 1
            if not left[y]:
                ready.append(y)
    for x in reversed(order):
        if pred[x] and succ[x]:
            rank[x] = max(rank[x], min(rank[y] for y in succ[x]) - 1)
    return rank
