"""The AlexNet style with ``direction: down``: the chain stands on end, in a column.

The camera turns the network so that its axis runs down the page
(:class:`~nnsvg.geometry.Camera` with ``down``): each feature map is a plate seen
from the spec's camera, its channels its thickness, the plates stacked one under
another with the kernel cube on a plate's underside and its pyramid running down to
the next plate's top (an arrow between dense bars). Every box keeps a band of the
page to itself (no two boxes share a height on screen), so that links join only
neighbours and pass through no other box; gaps widen where the captions beside two
neighbouring boxes would touch. Captions stand on the left of their boxes, level with
them (:func:`~nnsvg.engines.alexnet_labels.caption_beside`); the legend wraps to the
column's width under it.

What a column cannot draw is a located error saying what to change: ``wrap`` (a
column does not continue on another row), ``skip_from`` arcs, groups of layers and
networks that branch.
"""

from __future__ import annotations

from nnsvg.engines.alexnet_model import Tensor, captions_of
from nnsvg.engines.common import TextMaker, kernel_window
from nnsvg.errors import SpecError
from nnsvg.geometry import Camera
from nnsvg.network import Network
from nnsvg.theme import Theme

__all__ = ["check_down", "place_down"]


def check_down(net: Network) -> None:
    """Raise a located error (at ``direction``, or ``wrap``) for what a column of boxes
    cannot draw."""
    where = net.where("direction")
    if net.wrap is not None:
        raise SpecError(
            "wrap continues a row on the next row, so it cannot go with direction: down: "
            "remove one of them",
            location=net.where("wrap"),
            field="wrap",
        )
    if net.skips:
        raise SpecError(
            "the alexnet style draws skip_from arcs over a row of boxes, and this network has "
            "skip connections: remove direction (the network is then drawn left to right), "
            "or draw it in the lenet or blocks style",
            location=where,
            field="direction",
        )
    if net.first_branch() is not None:
        raise SpecError(
            "the alexnet style draws a column (direction: down) of a chain of layers, and "
            "this network branches: remove direction (its branches are then drawn left to "
            "right), or draw it down in the lenet or blocks style",
            location=where,
            field="direction",
        )
    if net.frames:
        raise SpecError(
            "the alexnet style draws groups of layers under a row of boxes, not beside a "
            "column: remove direction, or list the group's layers without the group",
            location=where,
            field="direction",
        )


def _caption_height(t: Tensor, net: Network, theme: Theme, tm: TextMaker) -> float:
    lines = captions_of(t, net, theme)
    return sum(tm.ascent(s) + tm.descent(s) + theme.label.line_gap for _, s, _, _ in lines)


def _band(t: Tensor, camera: Camera) -> tuple[float, float]:
    """The top and bottom of ``t``'s box on screen."""
    ys = [camera.project(c)[1] for c in t.box.corners()]
    return min(ys), max(ys)


def place_down(
    tensors: list[Tensor], net: Network, theme: Theme, tm: TextMaker, camera: Camera
) -> None:
    """Positions along z, for a column: each box below the one before on screen, by
    its gap (``boxes.spacing`` and the layer's ``spacing``) and never by less than
    room for the link between them; farther where the captions beside the two boxes
    would touch."""
    origin = camera.project((0.0, 0.0, 0.0))[1]
    down_z = camera.project((0.0, 0.0, 1.0))[1] - origin  # screen y per unit z: > 0
    sep = theme.label.min_separation
    heights = [_caption_height(t, net, theme, tm) for t in tensors]
    for i, t in enumerate(tensors):
        if not i:
            t.z0 = 0.0
            continue
        prev = tensors[i - 1]
        t.z0 = prev.z0 + prev.d + prev.gap_after
        _, bottom = _band(prev, camera)
        top, _ = _band(t, camera)
        # Room between the two bands for the link to show: an arrow's shaft and head,
        # or the waist of a pyramid (it also runs through the two boxes' faces).
        arrow = prev.bar or kernel_window(t.layer, prev.shape, t.shape) is None
        room = 2 * theme.arrow.length if arrow else sep / 2
        if top < bottom + room:
            t.z0 += (bottom + room - top) / down_z
        centre = camera.project(prev.box.center)[1]
        need = (heights[i - 1] + heights[i]) / 2 + sep
        have = camera.project(t.box.center)[1] - centre
        if have < need:
            t.z0 += (need - have) / down_z
