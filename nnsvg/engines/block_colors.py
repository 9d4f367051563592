"""The colours of the blocks style: a block's fill by its category (attention, norm,
feed-forward, ...: the theme's ``blocks`` section), and the legend of the categories a
figure uses."""

from __future__ import annotations

from collections.abc import Iterable

from nnsvg.engines.common import TextMaker
from nnsvg.scene import Group, Item, Paint, Rect
from nnsvg.theme import Theme

__all__ = ["CATEGORIES", "CATEGORY_NAMES", "category_of", "fill_of", "legend"]

CATEGORIES = {
    "attention": "attention",
    "layernorm": "norm",
    "batchnorm": "norm",
    "dense": "feed_forward",
    "conv": "conv",
    "conv_transpose": "conv",
    "pool": "pool",
    "upsample": "pool",
    "embedding": "embedding",
    "positional_encoding": "embedding",
    "lstm": "recurrent",
    "gru": "recurrent",
    "activation": "activation",
    "softmax": "activation",
    "dropout": "activation",
    "input": "io",
    "add": "merge",
    "multiply": "merge",
    "concat": "merge",
}
"""A node kind's category; any other kind (op, flatten, crop) is "other"."""

CATEGORY_NAMES = {
    "attention": "Attention",
    "norm": "Normalisation",
    "feed_forward": "Feed-forward",
    "conv": "Convolution",
    "pool": "Pooling",
    "embedding": "Embedding",
    "recurrent": "Recurrent",
    "activation": "Activation",
    "io": "Input",
    "merge": "Merge",
    "other": "Other",
}
"""How the legend names each category."""


def category_of(kind: str) -> str:
    """The category of a node kind.

    >>> category_of("layernorm"), category_of("gru"), category_of("op")
    ('norm', 'recurrent', 'other')
    """
    return CATEGORIES.get(kind, "other")


def fill_of(category: str | None, theme: Theme) -> str:
    """A block's fill: its category's colour (``blocks.color_by: category``), else the
    theme's node fill; a collapsed group (``category`` None) takes the node fill."""
    if category is None or theme.blocks.color_by != "category":
        return theme.node.fill
    return getattr(theme.blocks, category)


def legend(
    categories: Iterable[str], theme: Theme, tm: TextMaker, top: float, left: float
) -> Group:
    """A row of swatches, one per category (in their order, merges left out: their
    sign says what they are), below ``top`` from ``left``."""
    size = theme.legend.font_size
    box = size * 1.1
    stroke = theme.node.stroke if theme.node.stroke != "none" else theme.font.color
    seen = dict.fromkeys(c for c in categories if c != "merge")
    children: list[Item] = []
    x = left
    for category in seen:
        paint = Paint(fill=getattr(theme.blocks, category), stroke=stroke, stroke_width=0.6)
        children.append(Rect(x, top, box, box, rx=box * 0.2, paint=paint))
        name = CATEGORY_NAMES[category]
        children.append(
            tm.text(x + box + 4, top + box / 2, name, size, anchor="start", baseline="central")
        )
        x += box + 4 + tm.width(name, size) + 16
    return Group(id="legend", role="legend", children=tuple(children))
