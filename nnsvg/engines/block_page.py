"""The blocks style's two frames of reference: the canonical one every layout step
works in (the flow along +y, ranks in bands across it) and the page (the flow up,
down, right or left); and what a drawn item is in them (:class:`Block`)."""

from __future__ import annotations

from dataclasses import dataclass

from nnsvg.scene import BBox

__all__ = ["Block", "PageFrame", "page_box"]


@dataclass(slots=True)
class Block:
    """A drawn item: a node, a collapsed frame, or a dummy a long edge passes."""

    key: int  # index into the visible list, or a dummy id
    lines: tuple[str, ...] = ()
    w: float = 0.0  # across and along the flow, in the canonical frame (flow: +y)
    h: float = 0.0
    merge: str | None = None  # add, multiply, concat: drawn as a circle
    note: str | None = None
    note_w: float = 0.0
    note_len: float = 0.0  # a horizontal flow: the note's length along it (its rank's depth)
    x: float = 0.0  # centre, canonical frame
    y: float = 0.0
    dummy: bool = False
    band: tuple[float, float] = (0.0, 0.0)  # its rank's extent along the flow


class PageFrame:
    """Where a direction's canonical frame (flow along +y) goes on the page."""

    def __init__(self, direction: str) -> None:
        self.direction = direction
        self.vertical = direction in ("down", "up")

    def point(self, x: float, y: float) -> tuple[float, float]:
        d = self.direction
        if d == "down":
            return (x, y)
        if d == "up":
            return (x, -y)
        if d == "right":
            return (y, x)
        return (-y, x)

    def size(self, w: float, h: float) -> tuple[float, float]:
        """A page size (w, h) as (across, along)."""
        return (w, h) if self.vertical else (h, w)


def page_box(b: Block, page: PageFrame, note: bool = False) -> BBox:
    """A block's rectangle on the page (``note``: with the room of its note)."""
    right = b.note_w if note else 0.0
    half = max(b.h, b.note_len) / 2 if note else b.h / 2
    x0, y0 = page.point(b.x - b.w / 2, b.y - half)
    x1, y1 = page.point(b.x + b.w / 2 + right, b.y + half)
    return BBox(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
