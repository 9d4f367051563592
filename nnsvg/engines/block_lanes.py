"""Lanes of the blocks style: blocks a spec puts on one straight line along the flow
(``lane: N`` on a layer or an input), as an LSTM's cell state runs across the top of
Olah's figure.

Lane 0 is first across the flow, then lane 1, and so on; the blocks without a lane
come after every lane. A long edge between two blocks of one lane passes along that
lane (its dummies are in it). In the canonical frame of :mod:`nnsvg.engines.blocks`
(flow along +y) a lane is a vertical line ``x = lines[lane]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from nnsvg.errors import SpecError
from nnsvg.network import Frame, Network, Node

__all__ = ["check_lanes", "lane_entries", "lane_lines", "lanes_of", "ordered_by_lane"]


def check_lanes(net: Network) -> None:
    """A block inside a group takes no lane: its frame keeps the group's blocks
    together, and a lane runs across the whole figure (a located error)."""
    for node in net.nodes:
        if node.lane is not None and node.groups and node.layer is not None:
            raise SpecError(
                "a layer inside a group cannot take a lane (its frame keeps the group's "
                "blocks together): give lanes to layers and inputs outside groups",
                location=net.where(*node.layer.path_of("lane")),
                field=node.layer.field_of("lane"),
            )


class _Sized(Protocol):
    w: float
    note_w: float


def lanes_of(
    visible: Sequence[Node | Frame],
    chains: dict[tuple[int, int], tuple[int, ...]],
    count: int,
) -> list[int | None]:
    """Per drawn item (``count`` with the dummies), its lane: a node's own, a dummy's
    when both ends of its edge are on one lane, else None."""
    lanes: list[int | None] = [
        item.lane if isinstance(item, Node) else None for item in visible
    ] + [None] * (count - len(visible))
    for (u, v), chain in chains.items():
        if lanes[u] is not None and lanes[u] == lanes[v]:
            for d in chain:
                lanes[d] = lanes[u]
    return lanes


def ordered_by_lane(ranks: Sequence[Sequence[int]], lanes: list[int | None]) -> list[list[int]]:
    """Each rank with its laned items first, by lane (the rest in their order). A lane
    holds one item a rank: a second item of that lane in the rank (two blocks side by
    side) leaves the lane, in place (``lanes`` is changed).

    >>> lanes = [None, 1, 0, 0]
    >>> ordered_by_lane([[0, 1, 2, 3]], lanes), lanes
    ([[2, 1, 0, 3]], [None, 1, 0, None])
    """
    for rank in ranks:
        seen: set[int] = set()
        for k in rank:
            lane = lanes[k]
            if lane is not None:
                if lane in seen:
                    lanes[k] = None
                seen.add(lane)
    big = 1 << 30
    return [
        sorted(rank, key=lambda k: (big if lanes[k] is None else lanes[k], rank.index(k)))
        for rank in ranks
    ]


def lane_lines(
    blocks: Sequence[_Sized], lanes: Sequence[int | None], gap: float
) -> tuple[dict[int, float], float]:
    """Where each lane's line is across the flow (lane 0 at 0), each lane as wide as
    its widest item, ``gap`` between lanes; and where the blocks without a lane may
    begin (the last lane's far side plus ``gap``)."""
    half: dict[int, float] = {}
    for b, lane in zip(blocks, lanes):
        if lane is not None:
            half[lane] = max(half.get(lane, 0.0), b.w / 2 + b.note_w)
    lines: dict[int, float] = {}
    edge = None
    for lane in sorted(half):
        x = 0.0 if edge is None else edge + gap + half[lane]
        lines[lane] = x
        edge = x + half[lane]
    return lines, (edge + gap if edge is not None else 0.0)


class _Routed(Protocol):
    x: float
    y: float
    w: float
    h: float
    dummy: bool
    note_w: float


def lane_entries(
    edges: Sequence[tuple[int, int]],
    chains: dict[tuple[int, int], tuple[int, ...]],
    blocks: Sequence[_Routed],
    ranks: Sequence[Sequence[int]],
    lanes: Sequence[int | None],
    turn: float,
    taken: dict[int, int],
) -> dict[int, int]:
    """Edges from a block off a lane, in the rank before, into a block on it: into the
    side facing the source (-1 or +1), as the forget gate's output comes up into the
    cell state's × from below. Each side of a block takes one; ``taken`` are the side
    entries already chosen (edge -> side)."""
    rank_of = {k: r for r, row in enumerate(ranks) for k in row}
    sides = {(edges[e][1], s) for e, s in taken.items()}
    spans: dict[int, list[tuple[float, float]]] = {}  # per rank, the side entries' lines
    for e, s in taken.items():
        u, v = edges[e]
        x = blocks[chains[(u, v)][-1]].x
        spans.setdefault(rank_of[v], []).append(
            tuple(sorted((x, blocks[v].x + s * blocks[v].w / 2)))
        )
    out: dict[int, int] = {}
    for e, (u, v) in enumerate(edges):
        b, a = blocks[v], blocks[u]
        if e in taken or (u, v) in chains or lanes[v] is None or lanes[u] == lanes[v]:
            continue
        s = 1 if a.x > b.x else -1
        near = b.x + s * b.w / 2
        if (a.x - s * a.w / 2 - near) * s < turn:
            continue  # no room to turn (wherever along the source its port is)
        if (v, s) in sides or (s > 0 and b.note_w):
            continue
        lo, hi = sorted((near, a.x + s * a.w / 2))
        if _blocked(blocks, ranks[rank_of[v]], v, lo, hi):
            continue
        lines = spans.setdefault(rank_of[v], [])
        if any(p - turn < hi and lo < q + turn for p, q in lines):
            continue  # along another side entry's line
        lines.append((lo, hi))
        sides.add((v, s))
        out[e] = s
    return out


def _blocked(blocks: Sequence[_Routed], row: Sequence[int], own: int, lo: float, hi: float) -> bool:
    """Whether an item of ``row`` (not ``own``; a block, or a long edge passing as a
    dummy) spans part of [lo, hi]."""
    for k in row:
        o = blocks[k]
        if k != own and o.x + o.w / 2 + o.note_w + 2 > lo and o.x - o.w / 2 - 2 < hi:
            return True
    return False
