"""Groups and skips of a LeNet chain, in one row or wrapped onto several.

A group's tensors are drawn once, under a bracket with its label and ``×N``
(:mod:`nnsvg.engines.brackets`). With ``wrap``, rows break only where no group is
cut and every skip connection that crosses the break leaves from the last tensor
of the row before (as each block of a ResNet stage reads the block before it): that
skip is drawn branching off the connector that brings the tensor into the next row,
at the row's left, and runs over the row to its target like any other. ``wrap: auto``
picks its rows among those breaks; ``wrap: N`` rows that cut a group or a skip
elsewhere are a located error (:func:`~nnsvg.engines.brackets.check_breaks`).
"""

from __future__ import annotations

import dataclasses

from nnsvg.engines.brackets import bracket_items, spans
from nnsvg.engines.common import TextMaker, junction_dot
from nnsvg.engines.lenet import _Element, _Labels
from nnsvg.network import Network
from nnsvg.scene import BBox, Group, Item, Path, bounds
from nnsvg.theme import Theme

__all__ = ["group_items", "row_extras"]


def group_items(
    net: Network,
    elements: list[_Element],
    theme: Theme,
    tm: TextMaker,
    items: list[Item],
    *,
    down: bool = False,
) -> list[Item]:
    """The brackets of ``net``'s groups over the placed ``elements`` (by node index),
    beyond everything in ``items``."""
    if not net.frames:
        return []
    if down:
        extent = {e.index: (e.y, e.y + e.height) for e in elements}
    else:
        extent = {e.index: (e.x, e.x + e.width) for e in elements}
    runs = spans(net, extent, "lenet")
    box = bounds(items) or BBox(0, 0, 1, 1)
    return bracket_items(net, runs, box.x1 if down else box.y1, theme, tm, down=down)


def row_extras(
    net: Network,
    row: list[_Element],
    elements: list[_Element],
    theme: Theme,
    tm: TextMaker,
    labels: _Labels,
    drawn: list[Item],
    top: float,
    row_bottom: float,
    left: float,
) -> tuple[list[Item], list[Item]]:
    """A placed row's skip arcs (those that arrive in it, one from the tensor ending
    the row before branching off the connector at x = ``left``) and the brackets of
    its groups, beyond ``drawn`` (the row's own items)."""
    first = row[0].index
    last = row[-1].index
    skips = tuple(s for s in net.skips if first <= s.target <= last)
    arcs: list[Item] = []
    if skips:
        from nnsvg.engines.lenet_skips import skip_items

        ends = list(elements)
        if any(s.source < first for s in skips):
            source = elements[first - 1]
            ends[first - 1] = dataclasses.replace(source, x=left - source.width / 2)
        sub = dataclasses.replace(net, skips=skips)
        arcs = [
            _branching(a, left, theme)
            for a in skip_items(sub, ends, theme, tm, labels, top, row_bottom)
        ]
    members = {e.index for e in row}
    frames = tuple(f for f in net.frames if f.nodes and set(f.nodes) <= members)
    brackets: list[Item] = []
    if frames:
        sub = dataclasses.replace(net, frames=frames)
        brackets = group_items(sub, row, theme, tm, drawn)
    return arcs, brackets


def _branching(arc: Item, left: float, theme: Theme) -> Item:
    """A skip arc that leaves the connector's leg at x = ``left`` gets a junction dot
    where it turns off the leg (the tensor goes on into the row, and over it)."""
    if not isinstance(arc, Group):
        return arc
    path = next((c for c in arc.children if isinstance(c, Path) and c.cls == "skip"), None)
    if path is None or abs(float(path.commands[0][1]) - left) > 1e-9:
        return arc
    _, x, y = path.commands[1]
    dot = junction_dot(float(x), float(y), theme)
    return dataclasses.replace(arc, children=(*arc.children, dot))
