"""Skip connections of a LeNet chain drawn in one row: arcs over everything, in lanes,
each ending in a merge mark above the captions of the layer it joins."""

from __future__ import annotations

from nnsvg.engines.common import TextMaker, arrowhead, merge_mark, skip_lanes
from nnsvg.engines.lenet import _Element, _Labels
from nnsvg.network import Network
from nnsvg.scene import Group, Item, Paint, Path, Polygons
from nnsvg.theme import Theme

__all__ = ["skip_items"]


def skip_items(
    net: Network,
    elements: list[_Element],
    theme: Theme,
    tm: TextMaker,
    labels: _Labels,
    top: float,
    row_bottom: float,
) -> list[Item]:
    """The arcs of ``net``'s skip connections over ``elements`` (placed in one row):
    above ``top``, from the captions of the source to a mark over the target's, whose
    size labels end at ``row_bottom``."""
    placed = skip_lanes(net.skips, elements)
    if not placed:
        return []
    sk = theme.skip
    arrow = theme.arrow
    mark_r = sk.mark_radius
    # Room under the arc for the merge mark and an arrow down to the labels.
    drop = max(sk.height, 2 * mark_r + arrow.length + 10)
    items: list[Item] = []
    targets = {b.index for _, b, _, _ in placed}
    for a, b, lane, merge in placed:
        y = top - drop - lane * sk.lane
        x0, x1 = a.center_x, b.center_x
        if a.index in targets:  # leave beside the mark of the skip that arrives here
            x0 += 2 * mark_r + 2
        start = _label_top(a, labels, row_bottom) - 3
        tip = (x1, _label_top(b, labels, row_bottom) - 2)
        mark_center = (x1, tip[1] - arrow.length - mark_r - 2)
        paint = Paint(stroke=sk.color, stroke_width=sk.width, fill="none")
        r = min(10.0, (x1 - x0) / 4, (mark_center[1] - mark_r - y) / 2)
        path = Path(
            (
                ("M", x0, start),
                ("L", x0, y + r),
                ("Q", x0, y, x0 + r, y),
                ("L", x1 - r, y),
                ("Q", x1, y, x1, y + r),
                ("L", x1, mark_center[1] - mark_r),
            ),
            paint,
            cls="skip",
        )
        head = arrowhead(tip, (0.0, 1.0), arrow.length, arrow.width)
        mark = merge_mark(*mark_center, merge, theme, tm)
        line = Path(
            (("M", x1, mark_center[1] + mark_r), ("L", tip[0], tip[1] - arrow.length * 0.8)),
            paint,
        )
        heads = Polygons((head,), Paint(fill=sk.color, stroke="none"))
        items.append(
            Group(
                id=f"skip-{a.number}-{b.number}",
                role=f"skip {merge}",
                children=(path, *mark, line, heads),
            )
        )
    return items


def _label_top(e: _Element, labels: _Labels, row_bottom: float) -> float:
    """The top of an element's size labels."""
    return row_bottom - labels.top_height(e)
