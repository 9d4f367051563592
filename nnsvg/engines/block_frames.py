"""The frames of the blocks style's groups, drawn: around a group's blocks and inner
frames, its label inside the top-left corner, ``N×`` beside it (moved along the frame
off the edges that leave it) and its note."""

from __future__ import annotations

from collections.abc import Sequence

from nnsvg.engines.block_edges import clear_of
from nnsvg.engines.block_page import Block, PageFrame, page_box
from nnsvg.engines.common import TextMaker
from nnsvg.network import Frame, Network, Node
from nnsvg.scene import BBox, Group, Item, Paint, Rect, Text, bbox_of, bounds
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
    others: list[BBox] | None = None
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
            b = page_box(blocks[k], page, note=True)
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
        if frame.repeat > 1:
            if others is None:  # the blocks an N× on a frame's other side must not cover
                others = [page_box(b, page, note=True) for b in blocks if not b.dummy]
            first = not (page.vertical and later_sibling(net, frame))
            children.append(
                _repeat_label(frame.repeat, box, page, first, size, tm, segments, others)
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


def _repeat_label(
    repeat: int,
    box: BBox,
    page: PageFrame,
    first: bool,
    size: float,
    tm: TextMaker,
    segments: Sequence[tuple[tuple[float, float], tuple[float, float]]],
    others: Sequence[BBox],
) -> Text:
    """A group's N×: beside its frame in a vertical flow (left of it, or right when
    ``first`` is false), under it across one; moved along that side, nearest first, off
    the edges (``segments``) that pass there, and else to the other side (above the
    frame across a flow), where it covers no block (``others``)."""
    big = size * 1.2
    sides = (
        [(box.x0 - size * 0.5, "end"), (box.x1 + size * 0.5, "start")]
        if page.vertical
        else [(box.y1 + size * 1.1, "middle"), (box.y0 - size * 0.9, "middle")]
    )
    if page.vertical and not first:
        sides.reverse()
    texts: list[Text] = []
    for k, (at, anchor) in enumerate(sides):
        x, y = (at, (box.y0 + box.y1) / 2) if page.vertical else ((box.x0 + box.x1) / 2, at)
        for step in range(7):  # along the frame's side, nearest first
            for sign in (1, -1) if step else (1,):
                d = sign * step * size * 1.5
                px, py = (x, y + d) if page.vertical else (x + d, y)
                if box.x0 < px < box.x1 or box.y0 < py < box.y1:
                    text = tm.text(px, py, f"{repeat}×", big, anchor=anchor,
                                   baseline="central", cls="repeat")  # fmt: skip
                    area = bbox_of(text)
                    if k == 0 or (area is not None and not any(area.overlaps(o) for o in others)):
                        texts.append(text)
    return clear_of(texts, segments)


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
