"""Free text notes on layers (``note: "stride 4"``) placed on their own, for the fcnn
style (the lenet style writes a note under the operation that makes its layer, the
alexnet style as the last line of its box's caption: there the layout already keeps
room for them).

A note is anchored to its layer's shapes: it goes just above them, else just below,
else to their right or left, each a little farther out in turn, at the first place
where it touches nothing drawn (shapes, edges, connectors, texts, notes placed
before it). It is added to its layer's group, so moving the layer in an editor takes
it along. Notes are placed after everything else, the legend included, and before
the title (:func:`~nnsvg.engines.common.finish_scene`), so nothing later covers them.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Iterator

from nnsvg.scene import BBox, EdgeBundle, Group, Item, Path, Polygons, Text, bbox_of, bounds
from nnsvg.spatial import BoxIndex

__all__ = ["add_notes", "obstacle_boxes"]

MakeText = Callable[[float, float, str, str], Text]
_STEPS = 60  # how many times a note moves one step farther out before it gives up
_PIECE = 6.0  # the length of the pieces an edge is cut into, as obstacles


def obstacle_boxes(item: Item) -> Iterator[BBox]:
    """Boxes covering everything ``item`` draws: a path piece by piece (an L-shaped
    connector leaves its corner's inside free), each polygon of a set on its own."""
    if isinstance(item, Group):
        for child in item.children:
            yield from obstacle_boxes(child)
    elif isinstance(item, Path):
        x = y = 0.0
        for cmd in item.commands:
            if cmd[0] == "Z" or len(cmd) < 3:
                continue
            xs, ys = [x, *cmd[1::2]], [y, *cmd[2::2]]
            if cmd[0] == "A":  # radii and flags, then the end point: the end only
                xs, ys = [x, cmd[6]], [y, cmd[7]]
            if cmd[0] != "M":
                pad = _half_stroke(item)
                yield BBox(min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)
            x, y = xs[-1], ys[-1]
    elif isinstance(item, EdgeBundle):
        yield from _edge_pieces(item)
    elif isinstance(item, Polygons):
        for poly in item.polygons:
            if poly:
                xs, ys = [p[0] for p in poly], [p[1] for p in poly]
                yield BBox(min(xs), min(ys), max(xs), max(ys))
    else:
        box = bbox_of(item)
        if box is not None:
            yield box


def _edge_pieces(bundle: EdgeBundle) -> Iterator[BBox]:
    """Small boxes along every edge of ``bundle`` (a fan's bounds would cover the
    free room beside a layer's nodes): each edge cut into pieces about
    ``_PIECE`` long, curves followed through their Bezier control points."""
    pad = _half_stroke(bundle)
    xs, ys = bundle.xs, bundle.ys
    for run in bundle.runs:
        for a, b in itertools.pairwise(run):
            p0, p3 = (xs[a], ys[a]), (xs[b], ys[b])
            if bundle.curve == "bezier-h":
                mid = (p0[0] + p3[0]) / 2
                p1, p2 = (mid, p0[1]), (mid, p3[1])
            elif bundle.curve == "bezier-v":
                mid = (p0[1] + p3[1]) / 2
                p1, p2 = (p0[0], mid), (p3[0], mid)
            else:
                p1, p2 = p0, p3
            n = max(1, int(math.hypot(p3[0] - p0[0], p3[1] - p0[1]) / _PIECE) + 1)
            points = [_cubic(p0, p1, p2, p3, k / n) for k in range(n + 1)]
            for (x0, y0), (x1, y1) in itertools.pairwise(points):
                yield BBox(
                    min(x0, x1) - pad, min(y0, y1) - pad, max(x0, x1) + pad, max(y0, y1) + pad
                )


def _cubic(
    p0: tuple[float, float],
    p1: tuple[float, float],
    p2: tuple[float, float],
    p3: tuple[float, float],
    t: float,
) -> tuple[float, float]:
    u = 1 - t
    a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
    return (
        a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
        a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
    )


def _half_stroke(item: Path | EdgeBundle) -> float:
    paint = item.paint
    return (paint.stroke_width or 1.0) / 2 if paint is not None else 0.5


def _find(items: list[Item], ident: str) -> Group | None:
    for item in items:
        if isinstance(item, Group):
            if item.id == ident:
                return item
            found = _find(list(item.children), ident)
            if found is not None:
                return found
    return None


def _with_child(item: Item, ident: str, child: Item) -> Item:
    """``item`` with ``child`` added to its group ``ident`` (wherever it is)."""
    if not isinstance(item, Group):
        return item
    if item.id == ident:
        return dataclasses.replace(item, children=(*item.children, child))
    return dataclasses.replace(
        item, children=tuple(_with_child(c, ident, child) for c in item.children)
    )


def _shapes_box(group: Group) -> BBox | None:
    """The bounds of what a layer draws that is not text (its whole bounds if all is)."""

    def leaves(item: Item) -> Iterator[Item]:
        if isinstance(item, Group):
            for c in item.children:
                yield from leaves(c)
        elif not isinstance(item, Text):
            yield item

    return bounds(list(leaves(group))) or bounds([group])


def add_notes(
    items: list[Item],
    notes: list[tuple[str, str]],
    size: float,
    gap: float,
    sep: float,
    make_text: MakeText,
) -> list[Item]:
    """``items`` with each note of ``notes`` ((layer id, text)) added to its layer's
    group, clear of everything (module docs); ``make_text(x, y, text, anchor)`` makes
    the note's text with its baseline at y; ``gap`` is the room between a layer and
    its note, ``sep`` the least room between a note and anything else."""
    if not notes:
        return items
    boxes = [b for item in items for b in obstacle_boxes(item)]
    index = BoxIndex(max(4 * size, 1.0))
    for b in boxes:
        index.add((b.x0, b.y0, b.x1, b.y1))
    out = list(items)
    for ident, note in notes:
        group = _find(out, ident)
        anchor = _shapes_box(group) if group is not None else None
        if anchor is None:
            continue
        text = _place(anchor, note, index, size, gap, sep, make_text)
        box = bbox_of(text)
        assert box is not None
        index.add((box.x0, box.y0, box.x1, box.y1))
        out = [_with_child(item, ident, text) for item in out]
    return out


def _place(
    anchor: BBox,
    note: str,
    index: BoxIndex,
    size: float,
    gap: float,
    sep: float,
    make_text: MakeText,
) -> Text:
    """The note's text at the first clear place around ``anchor`` (module docs)."""
    probe: Text = make_text(0.0, 0.0, note, "middle")
    up, down = probe.ascent, probe.descent
    cx, cy = (anchor.x0 + anchor.x1) / 2, (anchor.y0 + anchor.y1) / 2
    step = size * 0.5
    first: Text | None = None
    for k in range(_STEPS):
        d = gap + k * step
        for x, y, where in (
            (cx, anchor.y0 - d - down, "middle"),
            (cx, anchor.y1 + d + up, "middle"),
            (anchor.x1 + d, cy + (up - down) / 2, "start"),
            (anchor.x0 - d, cy + (up - down) / 2, "end"),
        ):
            text: Text = make_text(x, y, note, where)
            first = first or text
            box = bbox_of(text)
            assert box is not None
            grown = (box.x0 - sep, box.y0 - sep, box.x1 + sep, box.y1 + sep)
            if not any(_meets(grown, index.boxes[j]) for j in index.query(grown)):
                return text
    assert first is not None
    return first


def _meets(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
