"""Orthogonal edge routes of the blocks style (issue #16), as the papers draw them.

Everything here is in the blocks engine's canonical frame (the flow along +y, ranks in
bands, gaps between them where no block stands). :func:`plan_routes` turns each edge
into an orthogonal polyline:

- vertical through every band it crosses (at its port, then at each dummy the layering
  gave it, so it passes beside the blocks of the ranks it skips, never through them);
- one horizontal jog in a gap where its column changes, on a track of its own: jogs
  whose spans overlap in one gap get distinct tracks (ordered so that they cross as
  little as possible), and a gap is widened when its tracks need the room;
- a long edge (a residual) whose last column runs beside its target turns into the
  target's side at the target's middle, as Vaswani et al. draw the residual into
  "Add & Norm"; each side of a block takes one such edge.

:func:`rounded` draws a polyline with rounded corners (quadratic curves).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from nnsvg.engines.block_lanes import lane_entries

__all__ = ["Point", "clear_turns", "plan_routes", "rounded", "shares_port"]

Point = tuple[float, float]
_EPS = 1e-6


class Box(Protocol):
    """What routing reads of a block (the engine's ``_Block``)."""

    x: float
    y: float
    w: float
    h: float
    merge: str | None
    dummy: bool
    band: tuple[float, float]
    note_w: float  # room for a note on the block's +x side


@dataclass(slots=True)
class _Jog:
    edge: int
    gap: int  # between rank ``gap`` and ``gap + 1``
    x0: float
    x1: float
    track: int = 0


def plan_routes(
    edges: Sequence[tuple[int, int]],
    chains: dict[tuple[int, int], tuple[int, ...]],
    blocks: Sequence[Box],
    ranks: Sequence[Sequence[int]],
    *,
    step: float,
    label_room: Sequence[float],
    frame_room: Sequence[tuple[float, float]],
    turn: float,
    lanes: Sequence[int | None] | None = None,
    closed: frozenset[tuple[int, int]] = frozenset(),
) -> list[list[Point]]:
    """Each edge's orthogonal polyline, from its port to its tip (module docs).

    ``step``: the distance between two tracks of a gap; ``label_room[r]``: room kept in
    the gap before rank r for edge labels, ``frame_room[r]`` for the borders of the
    frames that end before it and begin at it (no track runs there, so an edge jogs
    clear of frame labels);
    ``turn``: the shortest horizontal stretch of a side entry (an arrowhead and a
    corner). Moves later ranks along the flow (the blocks' ``y`` and ``band``) when a
    gap needs more tracks than it has room for. ``lanes`` (per block, or None) keep the
    edges along a lane on its line, and bring edges on and off it through the side
    of its blocks (:mod:`nnsvg.engines.block_lanes`). ``closed`` holds the (block, side)
    pairs no edge may enter by the side (where a frame's label is in the way)."""
    rank_of = {k: r for r, row in enumerate(ranks) for k in row}
    side = _side_entries(edges, chains, blocks, ranks, rank_of, turn)
    lanes = lanes if lanes is not None else [None] * len(blocks)
    if any(lane is not None for lane in lanes):
        side.update(lane_entries(edges, chains, blocks, ranks, lanes, turn, side))
    side = {e: s for e, s in side.items() if (edges[e][1], s) not in closed}
    columns = _columns(edges, chains, blocks, side, step, lanes)
    _nudge(edges, chains, columns, blocks, rank_of, side, step * 0.5, lanes)
    jogs: list[_Jog] = []
    for e, (u, _) in enumerate(edges):
        cols = columns[e]
        for i in range(len(cols) - 1):
            if abs(cols[i] - cols[i + 1]) > _EPS:
                jogs.append(_Jog(e, rank_of[u] + i, cols[i], cols[i + 1]))
    tracks = _assign_tracks(jogs, step)
    _widen(blocks, ranks, tracks, step, [a + b + c for a, (b, c) in zip(label_room, frame_room)])
    by_edge: dict[int, list[_Jog]] = {}
    for jog in jogs:
        by_edge.setdefault(jog.edge, []).append(jog)
    out = []
    for e, (u, v) in enumerate(edges):
        cols = columns[e]
        points: list[Point] = [(cols[0], _port_y(blocks[u], cols[0], +1))]
        for jog in by_edge.get(e, []):
            count = tracks.get(jog.gap, 1)
            y = _track_y(blocks, ranks, jog.gap, count, jog.track, label_room, frame_room)
            points += [(jog.x0, y), (jog.x1, y)]
        if e in side:
            b = blocks[v]
            points += [(cols[-1], b.y), (b.x + side[e] * _half_at(b), b.y)]
        else:
            points.append((cols[-1], _port_y(blocks[v], cols[-1], -1)))
        out.append(_distinct(points))
    return out


def shares_port(b: Box, lane: int | None) -> bool:
    """Whether the edges out of a block leave by one port in its middle: a merge
    circle (too small to spread them) or a block on a lane (whose line goes on)."""
    return not b.dummy and (b.merge is not None or lane is not None)


def _half_at(b: Box) -> float:
    return b.w / 2


def _port_y(b: Box, x: float, side: int) -> float:
    """Where a vertical at ``x`` meets a block's far (+1) or near (-1) side: on the
    circle of a merge, on the straight side of a rectangle."""
    if b.dummy:
        return b.y
    if b.merge is not None:
        r = b.w / 2
        dx = min(abs(x - b.x), r)
        return b.y + side * (r * r - dx * dx) ** 0.5
    return b.y + side * b.h / 2


def clear_turns(
    edges: Sequence[tuple[int, int]],
    chains: dict[tuple[int, int], tuple[int, ...]],
    blocks: Sequence[Box],
    ranks: Sequence[Sequence[int]],
    turn: float,
) -> None:
    """Move a long edge's dummies out beside its target when they run too near it to
    turn into its side, where nothing stands beyond them (each the first or last of
    its rank): the residual goes up beside the sublayer and turns into Add & Norm.
    Called before :func:`plan_routes` (and before frames are kept clear)."""
    rank_of = {k: r for r, row in enumerate(ranks) for k in row}
    moved: list[tuple[int, float]] = []  # (rank, x) of the dummies moved
    for u, v in edges:
        chain = chains.get((u, v))
        b = blocks[v]
        if not chain or b.dummy:
            continue
        x = blocks[chain[-1]].x
        half = _half_at(b)
        s = 1 if x >= b.x else -1
        if s > 0 and b.note_w:
            continue  # its note is there: no turn into that side
        want = b.x + s * (half + turn + 2)
        if (want - x) * s <= 0:
            continue
        ours = [rank_of[d] for d in chain]
        while any(abs(r - q) <= 1 and abs(want - mx) < turn for q, mx in moved for r in ours):
            want += s * turn  # not along another moved edge's line
        for d in chain:
            row = ranks[rank_of[d]]
            if row[-1 if s > 0 else 0] == d and (want - blocks[d].x) * s > 0:
                blocks[d].x = want
                moved.append((rank_of[d], want))


def _side_entries(
    edges: Sequence[tuple[int, int]],
    chains: dict[tuple[int, int], tuple[int, ...]],
    blocks: Sequence[Box],
    ranks: Sequence[Sequence[int]],
    rank_of: dict[int, int],
    turn: float,
) -> dict[int, int]:
    """The edges that turn into their target's side (-1 left, +1 right): those whose
    last dummy runs beside the target with room to turn and nothing in the way."""
    taken: set[tuple[int, int]] = set()
    used: dict[int, list[tuple[float, float]]] = {}  # per rank, the side entries' spans
    out: dict[int, int] = {}
    for e, (u, v) in enumerate(edges):
        chain = chains.get((u, v))
        b = blocks[v]
        if not chain or b.dummy:
            continue
        x = blocks[chain[-1]].x
        half = _half_at(b)
        if x < b.x - half - turn:
            s = -1
        elif x > b.x + half + turn:
            s = +1
        else:
            continue
        if (v, s) in taken or (s > 0 and b.note_w):  # not through its note
            continue
        lo, hi = sorted((x, b.x + s * half))
        reach = blocks[chain[-1]].w / 2  # the same edge twice runs beside its dummy
        lo, hi = lo - reach, hi + reach
        blocked = False
        for k in ranks[rank_of[v]]:
            if k == v:
                continue
            o = blocks[k]  # and its note, on its right
            if o.x + o.w / 2 + o.note_w + 2 > lo and o.x - o.w / 2 - 2 < hi:
                blocked = True
                break
        spans = used.setdefault(rank_of[v], [])
        if any(a - turn < hi and lo < b + turn for a, b in spans):
            blocked = True  # along another side entry's line
        if not blocked:
            taken.add((v, s))
            spans.append((lo, hi))
            out[e] = s
    return out


def _columns(
    edges: Sequence[tuple[int, int]],
    chains: dict[tuple[int, int], tuple[int, ...]],
    blocks: Sequence[Box],
    side: dict[int, int],
    step: float,
    lanes: Sequence[int | None],
) -> list[list[float]]:
    """Per edge, its x in each rank from its source's to its target's: its port, its
    dummies' (the same edge twice runs ``step`` apart beside them), its target port (a
    side entry keeps its last dummy's x). An edge along a lane runs on its line; the
    edges out of a merge circle or a block on a lane leave by one port, in its middle
    (:func:`shares_port`), each turning off at its own track."""
    outs: dict[int, list[int]] = {}
    ins: dict[int, list[int]] = {}
    for e, (u, v) in enumerate(edges):
        outs.setdefault(u, []).append(e)
        if e not in side:
            ins.setdefault(v, []).append(e)

    def next_x(e: int) -> float:
        u, v = edges[e]
        chain = chains.get((u, v), ())
        return blocks[chain[0]].x if chain else blocks[v].x

    out_x: dict[int, float] = {}
    for u, es in outs.items():
        es = sorted(es, key=lambda e: (next_x(e), e))
        for i, e in enumerate(es):
            out_x[e] = _spread(blocks[u], i, len(es))

    def prev_x(e: int) -> float:
        u, v = edges[e]
        chain = chains.get((u, v), ())
        return blocks[chain[-1]].x if chain else out_x[e]

    in_x: dict[int, float] = {}
    for v, es in ins.items():
        es = sorted(es, key=lambda e: (prev_x(e), e))
        along = [e for e in es if lanes[v] is not None and lanes[edges[e][0]] == lanes[v]]
        # on a lane, the middle is the lane's: the edge along it takes it, and the
        # others the ports around it
        count = len(es) + (1 if lanes[v] is not None and not along else 0)
        slots = [_spread(blocks[v], i, count) for i in range(count)]
        if lanes[v] is not None:
            middle = min(slots, key=lambda x: abs(x - blocks[v].x))
            slots.remove(middle)
        if along:
            es = [e for e in es if e != along[0]]
            in_x[along[0]] = blocks[v].x
        for e, x in zip(es, slots):
            in_x[e] = x
    for e, (u, v) in enumerate(edges):  # one edge out and one in: straight if it can be
        chain = chains.get((u, v), ())
        if shares_port(blocks[u], lanes[u]):
            out_x[e] = blocks[u].x
            continue
        alone_out = len(outs[u]) == 1
        alone_in = e in in_x and len(ins[v]) == 1
        if not chain and alone_out and alone_in:
            lo = max(_reach(blocks[u])[0], _reach(blocks[v])[0])
            hi = min(_reach(blocks[u])[1], _reach(blocks[v])[1])
            if lo <= hi:
                out_x[e] = in_x[e] = min(max((blocks[u].x + blocks[v].x) / 2, lo), hi)
        if chain and alone_out and _within(blocks[chain[0]].x, blocks[u]):
            out_x[e] = blocks[chain[0]].x
        if chain and alone_in and _within(blocks[chain[-1]].x, blocks[v]):
            in_x[e] = blocks[chain[-1]].x
    twins = {pair: edges.count(pair) for pair in set(edges)}
    seen: dict[tuple[int, int], int] = {}
    cols = []
    for e, (u, v) in enumerate(edges):
        chain = chains.get((u, v), ())
        j = seen[(u, v)] = seen.get((u, v), -1) + 1
        off = (j - (twins[(u, v)] - 1) / 2) * step
        # the same edge twice out of one port: a little apart, within the port's reach
        port = off * min(1.0, blocks[u].w * 0.2 / step) if shares_port(blocks[u], lanes[u]) else 0
        xs = [out_x[e] + port, *(blocks[d].x + off for d in chain)]
        if e not in side:
            xs.append(in_x[e])
        cols.append(xs)
    return cols


def _nudge(
    edges: Sequence[tuple[int, int]],
    chains: dict[tuple[int, int], tuple[int, ...]],
    columns: list[list[float]],
    blocks: Sequence[Box],
    rank_of: dict[int, int],
    side: dict[int, int],
    pad: float,
    lanes: Sequence[int | None],
) -> None:
    """Move a port a little along its block's side (or a column beside a dummy, within
    the dummy's room) when another edge runs at (almost) its x at the other end of the
    same gap: their verticals would share a line."""

    def near(e: int, x: float, gap: int, upper: bool) -> bool:
        """Whether another edge runs at x at the bottom (or, ``upper``, top) of a gap."""
        for o, (a, _) in enumerate(edges):
            cols = columns[o]
            i = gap + (1 if upper else 0) - rank_of[a]
            if o == e or not 0 <= i < len(cols):
                continue
            if (i > 0 if upper else i < len(cols) - 1) and abs(cols[i] - x) < pad:
                return True
        return False

    def taken(e: int, block: int, x: float) -> bool:
        """Whether another edge's port on the block is at x."""
        r = rank_of[block]
        return any(
            o != e
            and 0 <= r - rank_of[a] < len(columns[o])
            and abs(columns[o][r - rank_of[a]] - x) < pad
            for o, (a, _) in enumerate(edges)
        )

    members: dict[int, list[int]] = {}
    for k, r in rank_of.items():
        members.setdefault(r, []).append(k)

    def free(e: int, own: int, r: int, y: float) -> bool:
        """Whether a column at y in rank r passes ``pad`` clear of the rank's other
        blocks (and their notes) and of the other edges' columns there."""
        for k in members[r]:
            o = blocks[k]
            if k != own and o.x - o.w / 2 - pad < y < o.x + o.w / 2 + o.note_w + pad:
                return False
        return not any(
            o != e
            and 0 <= r - rank_of[a] < len(columns[o])
            and abs(columns[o][r - rank_of[a]] - y) < 2 * pad
            for o, (a, _) in enumerate(edges)
        )

    for e, (u, _) in enumerate(edges):  # a dummy's column: aside, within its room if it
        for i in range(1, len(columns[e]) - 1):  # can, else to free room in its rank
            x, r = columns[e][i], rank_of[u] + i
            if not (near(e, x, r - 1, False) or near(e, x, r, True)):
                continue
            dummy = _dummy_at(edges[e], i, chains)
            room = blocks[dummy].w / 2 - 1
            tries = [(x + room, True), (x - room, True)]
            tries += [(x + s * k * pad, False) for k in (2, 3, 4) for s in (1, -1)]
            for y, inside in tries:
                clear = not (near(e, y, r - 1, False) or near(e, y, r, True))
                if clear and (inside or free(e, dummy, r, y)):
                    columns[e][i] = y
                    break
    for e, (u, v) in enumerate(edges):
        last = len(columns[e]) - 1
        ends = [(v, last, rank_of[v] - 1, False)] if e not in side else []
        ends.append((u, 0, rank_of[u], True))
        for block, i, gap, upper in ends:
            b = blocks[block]
            fixed = upper or lanes[u] == lanes[v]  # a shared port, or the lane's line
            if b.dummy or b.merge is not None or last < 1 or (lanes[block] is not None and fixed):
                continue
            x = columns[e][i]
            if not near(e, x, gap, upper):
                continue
            for k in (1, -1, 2, -2, 3, -3):
                y = x + k * pad
                fits = abs(y - b.x) <= b.w * 0.35
                if fits and not near(e, y, gap, upper) and not taken(e, block, y):
                    columns[e][i] = y
                    break


def _dummy_at(edge: tuple[int, int], i: int, chains: dict[tuple[int, int], tuple[int, ...]]) -> int:
    """The dummy of an edge's i-th column (1: its first dummy)."""
    return chains[edge][i - 1]


def _reach(b: Box) -> tuple[float, float]:
    """The span of a block's side an edge may leave or enter it by, straight."""
    if b.dummy:
        return (b.x, b.x)
    half = b.w * (0.35 if b.merge is None else 0.15)
    return (b.x - half, b.x + half)


def _within(x: float, b: Box) -> bool:
    lo, hi = _reach(b)
    return lo <= x <= hi


def _spread(b: Box, k: int, count: int) -> float:
    """The x of the k-th of ``count`` ports along a block's side."""
    if b.dummy or count < 2:
        return b.x
    spread = b.w * 0.6 if b.merge is None else b.w * 0.5
    return b.x - spread / 2 + spread * (k + 1) / (count + 1)


def _assign_tracks(jogs: list[_Jog], step: float) -> dict[int, int]:
    """Give each jog a track in its gap (0 nearest the source rank) so that jogs whose
    spans overlap differ; a jog to the right starting further right, or one to the
    left starting further left, goes first (then they do not cross). Returns the
    number of tracks per gap."""
    counts: dict[int, int] = {}
    gaps: dict[int, list[_Jog]] = {}
    for jog in jogs:
        gaps.setdefault(jog.gap, []).append(jog)
    pad = step * 0.5
    for gap, group in gaps.items():

        def key(j: _Jog) -> tuple[int, float, int]:
            return (0, -j.x0, j.edge) if j.x1 > j.x0 else (1, j.x0, j.edge)

        done: list[_Jog] = []
        for jog in _ordered(group, key, pad):
            lo, hi = sorted((jog.x0, jog.x1))
            track = 0
            for other in done:
                a, b = sorted((other.x0, other.x1))
                if a - pad < hi and lo < b + pad:
                    track = max(track, other.track + 1)
            jog.track = track
            done.append(jog)
        counts[gap] = 1 + max(j.track for j in group)
    return counts


def _ordered(group: list[_Jog], key: Callable[[_Jog], tuple], pad: float) -> list[_Jog]:
    """The jogs of a gap in ``key`` order, except that a jog starting where another
    ends comes first (its track above the other's, or their verticals would meet)."""
    before: dict[int, set[int]] = {i: set() for i in range(len(group))}
    for i, a in enumerate(group):
        for j, b in enumerate(group):
            if i != j and abs(b.x0 - a.x1) < pad and abs(a.x0 - b.x1) >= pad:
                before[i].add(j)  # b before a
    left = sorted(range(len(group)), key=lambda i: key(group[i]))
    out: list[_Jog] = []
    placed: set[int] = set()
    while left:
        pick = next((i for i in left if before[i] <= placed), left[0])
        left.remove(pick)
        placed.add(pick)
        out.append(group[pick])
    return out


def _widen(
    blocks: Sequence[Box],
    ranks: Sequence[Sequence[int]],
    tracks: dict[int, int],
    step: float,
    label_room: Sequence[float],
) -> None:
    """Move ranks along the flow so every gap holds its tracks and labels."""
    shift = 0.0
    for r in range(1, len(ranks)):
        if shift:
            for k in ranks[r]:
                b = blocks[k]
                b.y += shift
                b.band = (b.band[0] + shift, b.band[1] + shift)
        need = (tracks.get(r - 1, 0) + 1) * step + label_room[r]
        have = _band(blocks, ranks[r])[0] - _band(blocks, ranks[r - 1])[1]
        if have < need:
            extra = need - have
            shift += extra
            for k in ranks[r]:
                b = blocks[k]
                b.y += extra
                b.band = (b.band[0] + extra, b.band[1] + extra)


def _band(blocks: Sequence[Box], row: Sequence[int]) -> tuple[float, float]:
    return blocks[row[0]].band if row else (0.0, 0.0)


def _track_y(
    blocks: Sequence[Box],
    ranks: Sequence[Sequence[int]],
    gap: int,
    count: int,
    track: int,
    label_room: Sequence[float],
    frame_room: Sequence[tuple[float, float]],
) -> float:
    """The y of a track: the tracks centred in the gap, clear of its labels' room and
    of the frame borders in it."""
    ending, starting = frame_room[gap + 1]
    y0 = _band(blocks, ranks[gap])[1] + ending
    y1 = _band(blocks, ranks[gap + 1])[0] - label_room[gap + 1] - starting
    step = (y1 - y0) / (count + 1)
    return y0 + step * (track + 1)


def _distinct(points: list[Point]) -> list[Point]:
    """The points without repeats, and without middle points of straight runs."""
    out = [points[0]]
    for p in points[1:]:
        if abs(p[0] - out[-1][0]) > _EPS or abs(p[1] - out[-1][1]) > _EPS:
            out.append(p)
    keep = [out[0]]
    for i in range(1, len(out) - 1):
        a, b, c = keep[-1], out[i], out[i + 1]
        straight = (abs(a[0] - b[0]) < _EPS and abs(b[0] - c[0]) < _EPS) or (
            abs(a[1] - b[1]) < _EPS and abs(b[1] - c[1]) < _EPS
        )
        if not straight:
            keep.append(b)
    if len(out) > 1:
        keep.append(out[-1])
    return keep


def rounded(points: Sequence[Point], radius: float) -> list[tuple]:
    """Path commands through ``points`` with each corner rounded (a quadratic curve
    whose control point is the corner), the radius cut to half of each leg.

    >>> rounded([(0, 0), (0, 10), (10, 10)], 2)
    [('M', 0, 0), ('L', 0.0, 8.0), ('Q', 0, 10, 2.0, 10.0), ('L', 10, 10)]
    """
    commands: list[tuple] = [("M", *points[0])]
    for i in range(1, len(points) - 1):
        (ax, ay), (bx, by), (cx, cy) = points[i - 1], points[i], points[i + 1]
        la = abs(bx - ax) + abs(by - ay)
        lc = abs(cx - bx) + abs(cy - by)
        r = min(radius, la / 2, lc / 2)
        if la < _EPS or lc < _EPS or r < _EPS:
            commands.append(("L", bx, by))
            continue
        p = (bx - (bx - ax) / la * r, by - (by - ay) / la * r)
        q = (bx + (cx - bx) / lc * r, by + (cy - by) / lc * r)
        commands += [("L", *p), ("Q", bx, by, *q)]
    commands.append(("L", *points[-1]))
    return commands
