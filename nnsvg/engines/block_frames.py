"""The frames of the blocks style's groups, drawn: around a group's blocks and inner
frames, its label inside the top-left corner, ``N×`` beside it (moved along the frame
off the edges that leave it) and its note."""

from __future__ import annotations

from collections.abc import Sequence

from nnsvg.engines.block_edges import clear_of
from nnsvg.engines.block_page import Block, PageFrame, page_box
from nnsvg.engines.common import TextMaker
from nnsvg.network import Frame, Network, Node
from nnsvg.scene import BBox, Group, Item, Paint, Rect, bounds
from nnsvg.theme import Theme

__all__ = ["frames", "inside_collapsed", "later_sibling"]


def frames(
    net: Network,
    visible: list[Node | Frame],
    blocks: list[Block],
    chains: dict[tuple[int, int], tuple[int, ...]],
    page: PageFrame,
    tm: TextMaker,
    theme: Theme,
    segments: Sequence[tuple[tuple[float, float], tuple[float, float]]] = (),
) -> list[Item]:
    """A frame around each group not collapsed (nor inside a collapsed one): around its
    blocks and inner frames, with its label inside the top-left corner, N× beside it
    (moved along the frame off the edges, ``segments`` on the page, that leave it)."""
    node_item = {item.index: k for k, item in enumerate(visible) if isinstance(item, Node)}
    frame_item = {item.index: k for k, item in enumerate(visible) if isinstance(item, Frame)}
    size = theme.label.size_size
    margin = theme.font.size * 0.9
    boxes: dict[int, BBox] = {}
    out: list[Item] = []
    for frame in reversed(net.frames):  # children before their parents
        if frame.index in frame_item or inside_collapsed(net, frame):
            continue
        nodes = set(frame.nodes)
        members = {node_item[n] for n in frame.nodes if n in node_item}
        members |= {
            frame_item[f.index]
            for f in net.frames
            if f.index in frame_item and set(f.nodes) <= nodes
        }
        # the bends of the edges inside the group (a residual beside its blocks) too
        members |= {d for (u, v), chain in chains.items() if {u, v} <= members for d in chain}
        box: BBox | None = None
        for k in sorted(members):
            b = page_box(blocks[k], page)
            box = b if box is None else box.union(b)
        for child in net.frames:
            if child.parent == frame.index and child.index in boxes:
                box = boxes[child.index] if box is None else box.union(boxes[child.index])
        if box is None:
            continue
        top = size * 1.6
        box = BBox(box.x0 - margin, box.y0 - margin - top, box.x1 + margin, box.y1 + margin)
        boxes[frame.index] = box
        paint = Paint(
            fill="none", stroke=theme.label.secondary_color, stroke_width=0.9, dash=(4.0, 2.0)
        )
        children: list[Item] = [
            Rect(box.x0, box.y0, box.width, box.height, rx=margin * 0.6, paint=paint),
            tm.text(
                box.x0 + margin * 0.6,
                box.y0 + size * 1.1,
                frame.label,
                size,
                anchor="start",
                weight="bold",
                cls="group-label",
            ),
        ]
        if frame.repeat > 1:  # N×: beside a frame of a vertical flow, under one across
            x, y, anchor = (
                (box.x0 - size * 0.5, (box.y0 + box.y1) / 2, "end")
                if page.vertical and not later_sibling(net, frame)
                else (box.x1 + size * 0.5, (box.y0 + box.y1) / 2, "start")
                if page.vertical
                else ((box.x0 + box.x1) / 2, box.y1 + size * 1.1, "middle")
            )
            repeat = f"{frame.repeat}×"
            places = [(x, y)]
            for k in range(1, 7):  # along the frame's side, nearest first
                for sign in (1, -1):
                    d = sign * k * size * 1.5
                    px, py = (x, y + d) if page.vertical else (x + d, y)
                    if box.x0 < px < box.x1 or box.y0 < py < box.y1:
                        places.append((px, py))
            children.append(
                clear_of(
                    [
                        tm.text(
                            px,
                            py,
                            repeat,
                            size * 1.2,
                            anchor=anchor,
                            baseline="central",
                            cls="repeat",
                        )
                        for px, py in places
                    ],
                    segments,
                )
            )
        if frame.note:
            children.append(
                tm.text(
                    box.x1 + size * 0.5,
                    box.y0 + size * 1.1,
                    frame.note,
                    size,
                    anchor="start",
                    style="italic",
                    color=theme.label.secondary_color,
                    cls="note",
                )
            )
        # a parent's frame goes round this one's N× and note too, not through them
        boxes[frame.index] = bounds(children) or box
        out.append(Group(id=frame.id, role="group", children=tuple(children)))
    return out[::-1]  # parents drawn first, under their children


def later_sibling(net: Network, frame: Frame) -> bool:
    """Whether a frame comes after another of its parent's (its N× goes right of it,
    as the decoder's in Vaswani et al.'s figure, away from the encoder)."""
    return any(f.parent == frame.parent and f.index < frame.index for f in net.frames)


def inside_collapsed(net: Network, frame: Frame) -> bool:
    parent = frame.parent
    while parent is not None:
        if net.frames[parent].collapse:
            return True
        parent = net.frames[parent].parent
    return False
