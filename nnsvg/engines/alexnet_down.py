"""The AlexNet style with ``direction: down``: the chain stands on end, in a column.

The camera turns the network so that its axis runs down the page
(:class:`~nnsvg.geometry.Camera` with ``down``): each feature map is a plate seen
from the spec's camera, its channels its thickness, the plates stacked one under
another with the kernel cube on a plate's underside and its pyramid running down to
the next plate's top (an arrow between dense bars). Every box keeps a band of the
page to itself (no two boxes share a height on screen), so that links join only
neighbours and pass through no other box; gaps widen where the captions beside two
neighbouring boxes would touch. Captions stand on the left of their boxes, level with
them (:func:`~nnsvg.engines.alexnet_labels.caption_rows`); the legend wraps to the
column's width under it.

What a column cannot draw is a located error saying what to change: ``wrap`` (a
column does not continue on another row) and networks that branch. ``skip_from``
arcs run beside the column, on its right (:mod:`nnsvg.engines.alexnet_skips`), and
the brackets of groups of layers stand right of everything
(:mod:`nnsvg.engines.alexnet_groups`).
"""

from __future__ import annotations

from nnsvg.engines.alexnet_labels import caption_height
from nnsvg.engines.alexnet_model import Tensor, captions_of, seen_by
from nnsvg.engines.common import TextMaker, kernel_window
from nnsvg.engines.rows import refuse_wrap_down
from nnsvg.errors import SpecError
from nnsvg.geometry import Camera
from nnsvg.network import Network
from nnsvg.theme import Theme

__all__ = ["check_down", "place_down"]


def check_down(net: Network) -> None:
    """Raise a located error (at ``direction``, or ``wrap``) for what a column of boxes
    cannot draw."""
    where = net.where("direction")
    refuse_wrap_down(net)
    if net.first_branch() is not None:
        raise SpecError(
            "the alexnet style draws a column (direction: down) of a chain of layers, and "
            "this network branches: remove direction (its branches are then drawn left to "
            "right), or draw it down in the lenet or blocks style",
            location=where,
            field="direction",
        )


_ROUNDS = 30  # a perspective column: at most this many placements under the moved eye


def _band(t: Tensor, camera: Camera) -> tuple[float, float]:
    """The top and bottom of ``t``'s box on screen."""
    ys = [camera.project(c)[1] for c in t.box.corners()]
    return min(ys), max(ys)


def _middle(t: Tensor, camera: Camera) -> float:
    top, bottom = _band(t, camera)
    return (top + bottom) / 2


def place_down(
    tensors: list[Tensor], net: Network, theme: Theme, tm: TextMaker, camera: Camera
) -> None:
    """Positions along z, for a column: each box below the one before on screen, by
    its gap (``boxes.spacing`` and the layer's ``spacing``) and never by less than
    room for the link between them; farther where the captions beside the two boxes
    would touch. A perspective view moves with the column (it is placed on the
    column's centre, :func:`seen_by`): the boxes are pushed apart again under the
    camera so placed until none moves."""
    heights = [caption_height(captions_of(t, net, theme), theme, tm) for t in tensors]
    for i, t in enumerate(tensors):
        prev = tensors[i - 1] if i else None
        t.z0 = prev.z0 + prev.d + prev.gap_after if prev else 0.0
    view = camera
    for _ in range(_ROUNDS):
        moved = False
        for i in range(1, len(tensors)):
            push = _shortfall(tensors[i - 1], tensors[i], heights[i - 1 : i + 1], theme, view)
            if push > 0:
                for t in tensors[i:]:
                    t.z0 += push
                moved = True
        if camera.projection != "perspective" or (view is not camera and not moved):
            break  # a parallel view is placed in one pass
        view = seen_by(tensors, camera)


def _shortfall(
    prev: Tensor, t: Tensor, heights: list[float], theme: Theme, camera: Camera
) -> float:
    """How much farther along z ``t`` must go for its band to lie far enough under
    ``prev``'s, and its captions' centre under ``prev``'s."""
    centre = camera.project(t.box.center)[1]
    down_z = max(camera.project((0.0, t.y, t.box.center[2] + 1.0))[1] - centre, 1e-6)
    sep = theme.label.min_separation
    _, bottom = _band(prev, camera)
    top, _ = _band(t, camera)
    # Room between the two bands for the link to show: an arrow's shaft and head, or
    # the waist of a pyramid (it also runs through the two boxes' faces).
    arrow = prev.bar or kernel_window(t.layer, prev.shape, t.shape) is None
    room = 2 * theme.arrow.length if arrow else sep / 2
    need = (heights[0] + heights[1]) / 2 + sep
    have = _middle(t, camera) - _middle(prev, camera)
    return max(bottom + room - top, need - have, 0.0) / down_z
