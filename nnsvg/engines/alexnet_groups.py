"""Groups of layers in the AlexNet style: brackets under the boxes (beside a column).

A group's boxes are drawn once, as any others; a bracket under the figure spans
them, with the group's label and ``×N`` (:mod:`nnsvg.engines.brackets`). The run of
a group is read from the drawn boxes (each node's group, ``layer-N``, holds its box
or merge mark first), so it follows whatever the camera does. With ``wrap``, rows
break between groups (``wrap: auto``), and ``wrap: N`` rows that cut one are a
located error.
"""

from __future__ import annotations

import dataclasses

from nnsvg.engines.brackets import bracket_items, spans
from nnsvg.engines.common import TextMaker
from nnsvg.network import Network
from nnsvg.scene import BBox, Group, Item, bounds
from nnsvg.theme import Theme

__all__ = ["group_items", "row_network"]


def group_items(
    net: Network, items: list[Item], theme: Theme, tm: TextMaker, *, down: bool = False
) -> list[Item]:
    """The brackets of ``net``'s groups under ``items`` (the drawn figure, or a row);
    with ``down`` (a column), on their right."""
    if not net.frames:
        return []
    index = {node.id: node.index for node in net.nodes}
    extent: dict[int, tuple[float, float]] = {}
    for item in items:
        if isinstance(item, Group) and item.id in index and item.children:
            body = bounds([item.children[0]])
            if body is not None:
                extent[index[item.id]] = (body.y0, body.y1) if down else (body.x0, body.x1)
    runs = spans(net, extent, "alexnet", by_centre=True)
    box = bounds(items) or BBox(0, 0, 1, 1)
    return bracket_items(net, runs, box.x1 if down else box.y1, theme, tm, down=down)


def row_network(net: Network, first: int, last: int) -> Network:
    """``net`` with only the groups whose nodes all lie in ``first`` to ``last``."""
    frames = tuple(
        f for f in net.frames if f.nodes and first <= min(f.nodes) <= max(f.nodes) <= last
    )
    return dataclasses.replace(net, frames=frames)
