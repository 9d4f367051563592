"""Long networks on several rows: the pieces any engine's row layout shares.

An engine lays each row out on its own (left to right, from x = 0), measures it,
and asks :func:`stack_rows` where each row goes: rows aligned on the left, one under
the other, with the room between them that the connector joining them needs.
:func:`row_connector` draws that connector, an orthogonal path with rounded
corners from the end of one row (its right side) down to the start of the next (its
left side), optionally broken where a caption sits on its run. :func:`choose_wrap`
picks the number of layers per row for ``wrap: auto``; :func:`join_rows` stacks
drawn rows and joins them with the connectors an engine draws. Nothing here knows
what a row holds, so that the LeNet and AlexNet engines can share it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

from nnsvg.errors import SpecError
from nnsvg.network import Network
from nnsvg.scene import BBox, Group, Item, Scene, Text, bbox_of, iter_leaves, translated
from nnsvg.theme import Theme
from nnsvg.units import PX_PER_INCH, PX_PER_UNIT

__all__ = [
    "MAX_ASPECT",
    "MIN_TEXT_PT",
    "PAD",
    "Connector",
    "balanced_rows",
    "choose_wrap",
    "drop_dims",
    "greedy_rows",
    "join_rows",
    "per_row_choices",
    "printed_min_pt",
    "refuse_wrap_down",
    "row_connector",
    "split_rows",
    "stack_rows",
]

MIN_TEXT_PT = 6.0  # the smallest printed text a journal accepts (the lint's default)
MAX_ASPECT = 2.0  # wrap: auto without a size that prints: the fewest rows under 2:1
PAD = 10.0  # between a row's bounds and its connector's legs

Command = tuple[str | float, ...]


def refuse_wrap_down(net: Network) -> None:
    """A located error (at ``wrap``) for ``wrap`` with ``direction: down``: rows run
    left to right, a column runs down."""
    if net.wrap is not None and net.direction == "down":
        raise SpecError(
            "wrap continues a row on the next row, so it cannot go with direction: down: "
            "remove one of them",
            location=net.where("wrap"),
            field="wrap",
        )


def split_rows(count: int, per_row: int) -> list[range]:
    """Indices ``0..count-1`` in rows of ``per_row`` (the last may be shorter).

    >>> split_rows(5, 2)
    [range(0, 2), range(2, 4), range(4, 5)]
    """
    if per_row < 1:
        raise ValueError("per_row must be at least 1")
    return [range(k, min(k + per_row, count)) for k in range(0, count, per_row)]


def per_row_choices(count: int) -> list[int]:
    """The layers per row that give 1, 2, ... rows of even length, each once, most
    first: for 7 layers, 7 (1 row), 4 (2 rows), 3 (3 rows), 2 (4 rows), 1 (7 rows).

    >>> per_row_choices(7)
    [7, 4, 3, 2, 1]
    """
    out: list[int] = []
    for rows in range(1, count + 1):
        n = math.ceil(count / rows)
        if n not in out and math.ceil(count / n) == rows:
            out.append(n)
    return out


def stack_rows(boxes: list[BBox], gaps: list[float]) -> list[tuple[float, float]]:
    """The shift (dx, dy) of each row, laid out on its own with bounds ``boxes``, that
    puts every row's left edge at x = 0 and its top ``gaps[k]`` under row k's bottom
    (the first row's top at y = 0).

    >>> stack_rows([BBox(5, -10, 50, 10), BBox(-2, -5, 30, 5)], [20])
    [(-5, 10.0), (2, 45.0)]
    """
    out = []
    y = 0.0
    for k, box in enumerate(boxes):
        if k:
            y += gaps[k - 1]
        out.append((-box.x0, y - box.y0))
        y += box.y1 - box.y0
    return out


@dataclass(frozen=True, slots=True)
class Connector:
    """Where a row connector runs: out of ``start`` (the end of a row) to the right
    as far as ``right``, down to ``run_y``, left to ``left``, down to the height of
    ``end`` and right into it (``end`` is where its arrow's shaft stops)."""

    start: tuple[float, float]
    right: float
    run_y: float
    left: float
    end: tuple[float, float]
    radius: float = 8.0

    def paths(self, gap: tuple[float, float] | None = None) -> list[tuple[Command, ...]]:
        """The connector as one path, or two when ``gap`` (x0, x1) on the run is left
        open for a caption."""
        return row_connector(self, gap)


def row_connector(
    c: Connector, gap: tuple[float, float] | None = None
) -> list[tuple[Command, ...]]:
    """The path commands of connector ``c``: orthogonal, corners rounded (quadratic
    curves of radius at most ``c.radius``, less where a leg is short)."""
    (x0, y0), (x1, y1) = c.start, c.end
    down1 = c.run_y - y0
    down2 = y1 - c.run_y
    r1 = max(0.0, min(c.radius, (c.right - x0) / 2, down1 / 2))
    r2 = max(0.0, min(c.radius, (x1 - c.left) / 2, down2 / 2))
    rr = max(0.0, min(r1, r2, (c.right - c.left) / 4))
    first: list[Command] = [
        ("M", x0, y0),
        ("L", c.right - r1, y0),
        ("Q", c.right, y0, c.right, y0 + r1),
        ("L", c.right, c.run_y - rr),
        ("Q", c.right, c.run_y, c.right - rr, c.run_y),
    ]
    second: list[Command] = [
        ("L", c.left + rr, c.run_y),
        ("Q", c.left, c.run_y, c.left, c.run_y + r2),
        ("L", c.left, y1 - r2),
        ("Q", c.left, y1, c.left + r2, y1),
        ("L", x1, y1),
    ]
    if gap is None:
        return [(*first, *second)]
    return [
        (*first, ("L", gap[1], c.run_y)),
        (("M", gap[0], c.run_y), *second),
    ]


def printed_min_pt(scene: Scene, width: tuple[float, str]) -> float:
    """The printed size, in pt, of the smallest text of ``scene`` at ``width``
    (infinite for a scene without text)."""
    number, unit = width
    scale = number * PX_PER_UNIT.get(unit, 1.0) / scene.viewbox[2]
    sizes = [
        item.style.size
        for item in iter_leaves(scene.items)
        if isinstance(item, Text) and item.style is not None and item.style.size
    ]
    if not sizes:
        return math.inf
    return min(sizes) * scale * 72 / PX_PER_INCH


def greedy_rows(
    count: int,
    width: Callable[[int, int], float],
    limit: float,
    allowed: Callable[[int], bool] | None = None,
) -> list[range]:
    """Rows filled in order, each as long as its width (``width(i, j)``: the row of
    items ``i`` to ``j - 1``) stays within ``limit`` (a row holds one item at least).
    With ``allowed``, a row ends only before an item ``j`` it allows (or at the end):
    the longest row that fits, else the shortest.

    >>> greedy_rows(5, lambda i, j: j - i, 2)
    [range(0, 2), range(2, 4), range(4, 5)]
    >>> greedy_rows(5, lambda i, j: j - i, 2, allowed=lambda j: j != 2)
    [range(0, 1), range(1, 3), range(3, 5)]
    """
    rows = []
    i = 0
    if allowed is not None:
        while i < count:
            first = fit = None
            for end in range(i + 1, count + 1):
                if end < count and not allowed(end):
                    continue
                if first is None:
                    first = end
                if width(i, end) > limit + 1e-9:
                    break
                fit = end
            j = fit or first or count
            rows.append(range(i, j))
            i = j
        return rows
    while i < count:
        j = i + 1
        while j < count and width(i, j + 1) <= limit + 1e-9:
            j += 1
        rows.append(range(i, j))
        i = j
    return rows


def balanced_rows(
    count: int,
    width: Callable[[int, int], float],
    rows: int,
    allowed: Callable[[int], bool] | None = None,
) -> list[range]:
    """At most ``rows`` rows whose widest is as narrow as can be: a row of small items
    holds more of them than a row of large ones (``width`` as for :func:`greedy_rows`,
    growing with the row; ``allowed`` the items a row may end before).

    >>> balanced_rows(6, lambda i, j: j - i, 2)
    [range(0, 3), range(3, 6)]
    """
    widths = sorted({width(i, j) for i in range(count) for j in range(i + 1, count + 1)})
    lo, hi = 0, len(widths) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if len(greedy_rows(count, width, widths[mid], allowed)) <= rows:
            hi = mid
        else:
            lo = mid + 1
    return greedy_rows(count, width, widths[lo], allowed)


def choose_wrap(
    count: int,
    draw: Callable[[list[range]], Scene],
    width: tuple[float, str] | None,
    row_width: Callable[[int, int], float],
    *,
    min_pt: float = MIN_TEXT_PT,
    max_aspect: float = MAX_ASPECT,
    allowed: Callable[[int], bool] | None = None,
) -> tuple[list[range], Scene]:
    """``wrap: auto``: the rows (and the scene ``draw`` makes of them) of the
    narrowest layout with 1, 2, ... rows (:func:`balanced_rows`) that is the first
    to print every text at ``min_pt`` or more at ``width``; when none does (or no
    width is given), the first whose figure is at most ``max_aspect`` times as wide
    as it is tall; failing that, one item per row (``allowed``: the items a row may
    end before, as :func:`greedy_rows` takes it)."""
    tried: list[tuple[list[range], Scene]] = []
    seen: set[tuple[int, ...]] = set()
    for n in range(1, count + 1):
        rows = balanced_rows(count, row_width, n, allowed)
        key = tuple(r.start for r in rows)
        if key in seen:
            continue
        seen.add(key)
        scene = draw(rows)
        tried.append((rows, scene))
        if width is not None and printed_min_pt(scene, width) >= min_pt - 1e-9:
            return rows, scene
    for rows, scene in tried:
        w, h = scene.viewbox[2:]
        if w <= max_aspect * h:
            return rows, scene
    return tried[-1]


Shift = tuple[float, float]
Joint = tuple[Group, list[BBox]]


def join_rows(
    drawn: list[list[Item]],
    boxes: list[BBox],
    theme: Theme,
    join: Callable[[int, list[Item], list[Item], list[BBox], Shift], Joint],
) -> list[Item]:
    """Rows of ``drawn`` items (bounds ``boxes``) stacked (:func:`~nnsvg.engines.rows.
    stack_rows`) and joined: ``join(k, above, below, boxes, shift)`` gives the connector
    into row k (``shift``: how row k moved) and the bounds of its legs."""
    room = 2 * PAD + 2 * theme.arrow.length
    shifts = stack_rows(boxes, [room] * (len(drawn) - 1))
    placed = [
        [translated(item, dx, dy) for item in items]
        for items, (dx, dy) in zip(drawn, shifts, strict=True)
    ]
    boxes = [
        BBox(b.x0 + dx, b.y0 + dy, b.x1 + dx, b.y1 + dy)
        for b, (dx, dy) in zip(boxes, shifts, strict=True)
    ]
    connectors: list[Item] = []
    for k in range(1, len(placed)):
        group, legs = join(k, placed[k - 1], placed[k], boxes, shifts[k])
        connectors.append(group)
        # An edge number a leg has to cross (a box too short to pass it) is left out,
        # as clear_dims leaves out a number that would land on another shape.
        placed[k - 1] = [drop_dims(item, legs) for item in placed[k - 1]]
        placed[k] = [drop_dims(item, legs) for item in placed[k]]
    out: list[Item] = []
    for k, items in enumerate(placed):
        if k:
            out.append(connectors[k - 1])
        out.extend(items)
    return out


def drop_dims(item: Item, legs: list[BBox]) -> Item:
    """``item`` without the edge numbers that touch one of ``legs``."""
    if not isinstance(item, Group):
        return item
    kept = tuple(
        drop_dims(child, legs)
        for child in item.children
        if not (
            isinstance(child, Text)
            and child.cls == "dim"
            and any((box := bbox_of(child)) is not None and box.overlaps(leg) for leg in legs)
        )
    )
    return dataclasses.replace(item, children=kept)
