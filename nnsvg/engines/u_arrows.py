"""``layout: u``: what each arrow of a U does, its colour, and the legend that says so.

As Ronneberger et al. (2015, Fig. 1) colour their arrows, an arrow's colour names its
operation: convolutions blue, pooling red, up-convolutions green (colour-blind safe,
Okabe and Ito); a second operation of a kind takes the next spare colour. A copy
connection is grey, dashed without a crop. :func:`op_legend` lists each operation
beside an arrow in its colour, in lines under the figure no wider than it.
"""

from __future__ import annotations

from nnsvg.engines.common import TextMaker, arrowhead
from nnsvg.engines.lenet import KIND_NAMES, _Element, _Labels
from nnsvg.engines.u_shape import UPlan
from nnsvg.network import Network
from nnsvg.scene import Group, Item, Paint, Path, Polygons, bounds
from nnsvg.spec.graph import MERGE_TYPES
from nnsvg.theme import Theme

__all__ = ["ARROW_COLORS", "DASH", "Op", "arrow_paint", "op_legend", "operations"]

Op = tuple[str, str, bool]  # an arrow's operation (or ""), colour, and whether dashed
DASH = (4.0, 2.5)  # a copy without a crop

# Arrow colours by operation kind (colour-blind safe, Okabe and Ito), as the paper
# colours its arrows: convolutions blue, pooling red, up-convolutions green; a second
# operation of a kind takes the next colour of the spare ones.
ARROW_COLORS = {
    "conv": "#0072b2",
    "pool": "#d55e00",
    "conv_transpose": "#009e73",
    "upsample": "#009e73",
}
_SPARE = ("#cc79a7", "#56b4e9", "#e69f00", "#7f3c8d", "#11a579")


def arrow_paint(colour: str, width: float, dashed: bool) -> Paint:
    """The line of an arrow of the U (and of its swatch in the legend)."""
    return Paint(
        stroke=colour,
        stroke_width=width,
        fill="none",
        linecap="butt",
        dash=DASH if dashed else None,
    )


def _op_name(e: _Element, labels: _Labels) -> str:
    """An operation as the legend says it: the operation, then the activation."""
    return ", ".join(text for text, _, _ in labels.op_lines(e) if text)


def operations(
    net: Network, plan: UPlan, elements: list[_Element], labels: _Labels
) -> dict[tuple[int, int], Op]:
    """Each arrow's operation and colour, by (source, target): a step's is its target's
    operation; a copy connection says "Copy" (and crop); an arrow into a merge has none
    ("")."""
    ops: dict[tuple[int, int], Op] = {}
    colours: dict[str, str] = {}
    spare = iter(_SPARE)
    skip_color = "#7f7f7f"

    def colour_of(name: str, kind: str) -> str:
        if name not in colours:
            base = ARROW_COLORS.get(kind)
            if base is None or base in colours.values():
                base = next(spare, "#444444")
            colours[name] = base
        return colours[name]

    for a, b in zip(plan.spine, plan.spine[1:]):
        e = elements[b]
        if e.kind in MERGE_TYPES:
            ops[(a, b)] = ("", "", False)
            continue
        name = _op_name(e, labels) or KIND_NAMES[e.kind]
        ops[(a, b)] = (name, colour_of(name, e.kind), False)
    for c in plan.copies:
        if c.crop is not None:
            crop = net.nodes[c.crop].layer
            name = crop.op_label if crop is not None and crop.op_label else "Copy and crop"
        else:
            name = "Copy"
        ops[(c.source, c.merge)] = (name, skip_color, c.crop is None)
    return ops


def op_legend(
    ops: dict[tuple[int, int], Op],
    theme: Theme,
    tm: TextMaker,
    items: list[Item],
) -> Group:
    """The arrows' operations, each beside an arrow in its colour, in lines under the
    figure no wider than it."""
    content = bounds(items)
    size = theme.label.size_size
    arrow, sk = theme.arrow, theme.skip
    seen: dict[str, tuple[str, bool]] = {}
    for name, colour, dashed in ops.values():
        if name and name not in seen:
            seen[name] = (colour, dashed)
    length = 4 * arrow.length
    x0 = content.x0
    x, y = x0, content.y1 + theme.legend.gap
    line_h = tm.ascent(size) + tm.descent(size) + theme.label.line_gap + 4
    children: list[Item] = []
    for name, (colour, dashed) in seen.items():
        width = length + 6 + tm.width(name, size) + 18
        if x > x0 and x + width - 18 > content.x1:
            x, y = x0, y + line_h
        mid = y + line_h / 2
        tip = (x + length, mid)
        shaft = (tip[0] - arrow.length * 0.8, mid)
        paint = arrow_paint(colour, sk.width, dashed)
        children.append(Path((("M", x, mid), ("L", *shaft)), paint))
        children.append(
            Polygons((arrowhead(tip, (1.0, 0.0), arrow.length, arrow.width),), Paint(fill=colour))
        )
        children.append(
            tm.text(x + length + 6, mid, name, size, anchor="start", baseline="central")
        )
        x += width
    return Group(id="legend", role="legend", children=tuple(children))
