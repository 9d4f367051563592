"""A spatial index of axis-aligned boxes: which boxes placed so far may touch a new one.

:class:`BoxIndex` is a uniform grid (a dict of cells): each box is noted in every cell
its bounds cover, and a query looks only in the cells its own bounds cover. A query
returns every stored box whose closed bounds meet the query's (touching included), in
the order they were added, so a caller that runs an exact test on those candidates
decides as it would have after testing every box. :class:`AllBoxes` has the same
interface and returns every box: the all-pairs reference the index must agree with.

:class:`SpanRow` is a row of intervals none of which overlaps another (captions side by
side): whether a new one would overlap any is one binary search, where
:class:`AllSpans`, its reference, tests them all.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections.abc import Iterable

__all__ = ["AllBoxes", "AllSpans", "Bounds", "BoxIndex", "SpanRow", "bounds_of"]

Bounds = tuple[float, float, float, float]  # x0, y0, x1, y1 (x0 <= x1, y0 <= y1)

# A box over more cells than this goes in a list every query looks through, rather
# than in its cells: one huge box does not fill the grid.
MAX_CELLS = 256


def bounds_of(points: Iterable[tuple[float, float]]) -> Bounds:
    """The bounds of (at least one) 2D points.

    >>> bounds_of([(1, 5), (3, 2)])
    (1, 2, 3, 5)
    """
    xs, ys = zip(*points)
    return (min(xs), min(ys), max(xs), max(ys))


def _meet(a: Bounds, b: Bounds) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _finite(b: Bounds) -> bool:
    return all(math.isfinite(v) for v in b) and b[0] <= b[2] and b[1] <= b[3]


class BoxIndex:
    """Boxes in a uniform grid of square cells ``cell`` units wide.

    >>> index = BoxIndex(10.0)
    >>> index.add((0, 0, 5, 5)), index.add((20, 0, 25, 5)), index.add((4, 4, 30, 6))
    (0, 1, 2)
    >>> index.query((5, 5, 6, 6))  # touching counts
    [0, 2]
    >>> index.query((12, 0, 19, 3))
    []
    """

    def __init__(self, cell: float) -> None:
        if not (math.isfinite(cell) and cell > 0):
            raise ValueError(f"cell must be a positive number, got {cell!r}")
        self.cell = cell
        self.boxes: list[Bounds] = []
        self._cells: dict[tuple[int, int], list[int]] = {}
        self._everywhere: list[int] = []  # huge or non-finite boxes: a candidate for all

    def __len__(self) -> int:
        return len(self.boxes)

    def _span(self, b: Bounds) -> tuple[int, int, int, int] | None:
        """The cells (i0, j0, i1, j1) that ``b`` covers, or None if too many (or not
        finite, in world units or in cells). floor(v / cell) never decreases as v
        grows, so boxes whose closed bounds meet share a cell."""
        if not _finite(b):
            return None
        c = self.cell
        x0, y0, x1, y1 = (v / c for v in b)
        if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):  # past the float range
            return None
        i0, i1, j0, j1 = math.floor(x0), math.floor(x1), math.floor(y0), math.floor(y1)
        if (i1 - i0 + 1) * (j1 - j0 + 1) > MAX_CELLS:
            return None
        return i0, j0, i1, j1

    def add(self, bounds: Bounds) -> int:
        """Store a box; returns its number (0, 1, 2... in the order added)."""
        key = len(self.boxes)
        self.boxes.append(bounds)
        span = self._span(bounds)
        if span is None:
            self._everywhere.append(key)
            return key
        i0, j0, i1, j1 = span
        cells = self._cells
        for i in range(i0, i1 + 1):
            for j in range(j0, j1 + 1):
                cells.setdefault((i, j), []).append(key)
        return key

    def query(self, bounds: Bounds) -> list[int]:
        """The numbers, in the order added, of the boxes whose bounds meet ``bounds``,
        and of those not finite (every box if ``bounds`` is not finite)."""
        boxes = self.boxes
        span = self._span(bounds)
        if span is None:
            if not _finite(bounds):
                return list(range(len(boxes)))
            keys: Iterable[int] = range(len(boxes))  # a query over very many cells
        else:
            i0, j0, i1, j1 = span
            found = set(self._everywhere)
            cells = self._cells
            for i in range(i0, i1 + 1):
                for j in range(j0, j1 + 1):
                    found.update(cells.get((i, j), ()))
            keys = sorted(found)
        return [k for k in keys if not _finite(boxes[k]) or _meet(boxes[k], bounds)]


class AllBoxes:
    """The same interface as :class:`BoxIndex`, answering every query with every box."""

    def __init__(self, cell: float = 1.0) -> None:
        self.cell = cell
        self.boxes: list[Bounds] = []

    def __len__(self) -> int:
        return len(self.boxes)

    def add(self, bounds: Bounds) -> int:
        self.boxes.append(bounds)
        return len(self.boxes) - 1

    def query(self, bounds: Bounds) -> list[int]:
        return list(range(len(self.boxes)))


def _clashes(s0: float, s1: float, a: float, b: float) -> bool:
    """Whether the spans (s0, s1) and (a, b) overlap (touching does not count)."""
    return not (s1 <= a or s0 >= b)


def _start(span: tuple[float, float]) -> float:
    return span[0]


class SpanRow:
    """Spans (a, b), a <= b, on a line, none overlapping another: add only a span that
    :meth:`overlaps` calls clear.

    Sorted by (a, b), such spans also have their ends b in order (b <= the next a), so
    of the spans that start before a new one ends, the last reaches farthest: the new
    span overlaps one of them if and only if it overlaps that one.

    >>> row = SpanRow()
    >>> row.add(0, 2); row.add(5, 7)
    >>> row.overlaps(2, 5), row.overlaps(1, 3), row.overlaps(6, 9), row.overlaps(-1, 0)
    (False, True, True, False)
    """

    def __init__(self) -> None:
        self._sorted: list[tuple[float, float]] = []
        self._added: list[tuple[float, float]] = []
        self._ordered = True  # every span added has a <= b (so no NaN): _sorted is kept

    def overlaps(self, s0: float, s1: float) -> bool:
        if self._ordered and s0 <= s1:
            spans = self._sorted
            k = bisect_left(spans, s1, key=_start)  # spans[:k] start before s1
            return k > 0 and spans[k - 1][1] > s0
        return any(_clashes(s0, s1, a, b) for a, b in self._added)

    def add(self, s0: float, s1: float) -> None:
        self._added.append((s0, s1))
        if self._ordered and s0 <= s1:
            insort(self._sorted, (s0, s1))
        else:
            self._ordered = False


class AllSpans:
    """The same interface as :class:`SpanRow`, testing a new span against every span."""

    def __init__(self) -> None:
        self._added: list[tuple[float, float]] = []

    def overlaps(self, s0: float, s1: float) -> bool:
        return any(_clashes(s0, s1, a, b) for a, b in self._added)

    def add(self, s0: float, s1: float) -> None:
        self._added.append((s0, s1))
