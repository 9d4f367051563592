"""Layout engines: Network + theme -> Scene, one engine per figure style.

:data:`ENGINES` is the one registry of styles: each entry names the module that
draws the style (imported when first used) and what it can draw (a
:class:`~nnsvg.engines.contract.Capabilities`). :func:`layout` dispatches and
names the valid choices when a style is unknown. A new engine is one module plus
one entry here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nnsvg.engines.contract import BASE_TYPES, BLOCK_TYPES, Capabilities
from nnsvg.engines.limits import LayoutLimits

if TYPE_CHECKING:
    from nnsvg.errors import Location
    from nnsvg.network import Network
    from nnsvg.scene import Scene
    from nnsvg.textmetrics import TextMetrics
    from nnsvg.theme import Theme

__all__ = ["ENGINES", "STYLES", "Engine", "LayoutLimits", "engine_for", "layout"]

LayoutFunction = Callable[..., "Scene"]


@dataclass(frozen=True, slots=True)
class Engine:
    """A figure style: the function that draws it and what it can draw."""

    name: str
    module: str
    function: str
    draws: Capabilities
    summary: str

    def load(self) -> LayoutFunction:
        """The layout function (imports its module on first use)."""
        return getattr(importlib.import_module(self.module), self.function)  # type: ignore[no-any-return]


_LABELS = ("labels.titles", "labels.sizes", "labels.activations")
_CNN_LAYER_KEYS = ("label", "size_label", "activation", "color", "stroke", "spacing")
_CAMERA = ("camera.azimuth", "camera.elevation", "camera.projection", "camera.distance")
# Groups drawn once under a bracket (nnsvg.engines.brackets): not collapsed to one box.
_BRACKETED = frozenset({"repeat", "note"})
_EDGES = ("edges.encode", "edges.curve", "edges.arrows", "edges.color", "edges.width")

ENGINES: dict[str, Engine] = {
    "fcnn": Engine(
        name="fcnn",
        module="nnsvg.engines.fcnn",
        function="layout_fcnn",
        summary="node-edge diagrams of dense layers",
        draws=Capabilities(
            keys=frozenset(
                {
                    "direction",
                    "weights",
                    "seed",
                    *_EDGES,
                    "edges.opacity",
                    *_LABELS,
                    "legend",
                    "max_visible",
                    "elide",
                }
            ),
            layer_keys=frozenset(
                {"units", "label", "size_label", "activation", "color", "stroke", "note"}
                | {"bias", "recurrent", "max_visible", "node_labels"}
            ),
            input_keys=frozenset({"label", "size_label", "color", "stroke"}),
            dense_tail_only=True,
            graphs=True,
        ),
    ),
    "lenet": Engine(
        name="lenet",
        module="nnsvg.engines.lenet",
        function="layout_lenet",
        summary="stacks of feature maps with filters (LeNet-style)",
        draws=Capabilities(
            keys=frozenset({*_LABELS, "legend", "direction", "wrap"}),
            layer_keys=frozenset(
                {*_CNN_LAYER_KEYS, "op_label", "image", "skip_from", "merge", "note"}
            ),
            input_keys=frozenset({"label", "size_label", "image", "color", "stroke"}),
            graphs=True,
            groups=True,
            group_keys=_BRACKETED,
            layouts=("line", "u"),
        ),
    ),
    "alexnet": Engine(
        name="alexnet",
        module="nnsvg.engines.alexnet",
        function="layout_alexnet",
        summary="3D boxes seen by a camera (AlexNet-style)",
        draws=Capabilities(
            keys=frozenset({*_LABELS, "labels.dims", "legend", "wrap", "direction", *_CAMERA}),
            layer_keys=frozenset({*_CNN_LAYER_KEYS, "skip_from", "merge", "note"}),
            input_keys=frozenset({"label", "size_label", "color", "stroke"}),
            graphs=True,
            groups=True,
            group_keys=_BRACKETED,
            directions=("right", "down"),  # down: the boxes stand in a column
        ),
    ),
    "blocks": Engine(
        name="blocks",
        module="nnsvg.engines.blocks",
        function="layout_blocks",
        summary="labelled operation blocks joined by arrows (Transformer, LSTM, Inception)",
        draws=Capabilities(
            keys=frozenset(
                {"direction", "labels.sizes", "labels.activations", "edges.color", "edges.width"}
                | {"legend", "edges.arrows", "wrap"}
            ),
            layer_keys=frozenset(
                {"label", "size_label", "op_label", "activation", "color", "stroke", "note"}
                | {"category", "image", "skip_from", "merge", "bias", "recurrent", "node_labels"}
                | {"lane"}
                | {"from.label", "from.style"}
                | {"heads", "rate", "fn", "vocab", "return_sequences"}
            ),
            input_keys=frozenset({"label", "size_label", "color", "stroke", "image", "lane"}),
            graphs=True,
            layer_types=BASE_TYPES | BLOCK_TYPES,
            groups=True,
            group_keys=frozenset({"repeat", "collapse", "note"}),
            directions=("down", "right", "up", "left"),  # down: a graph view, as plot_model
            scales_with_text=True,
        ),
    ),
}
STYLES: tuple[str, ...] = tuple(ENGINES)


def engine_for(style: str, location: Location | None = None) -> Engine:
    """The engine of ``style``; an unknown style is an error listing the choices,
    at ``location`` (where the spec names the style)."""
    from nnsvg.checker import did_you_mean
    from nnsvg.errors import RenderError

    engine = ENGINES.get(style)
    if engine is None:
        raise RenderError(
            f"unknown style '{style}'{did_you_mean(style, ENGINES)} "
            f"(must be one of {', '.join(sorted(ENGINES))})",
            location=location,
        )
    return engine


def layout(
    net: Network,
    theme: Theme,
    *,
    metrics: TextMetrics | None = None,
    limits: LayoutLimits | None = None,
    physical_width: tuple[float, str] | None = None,
) -> Scene:
    """The scene of ``net`` drawn by the engine its ``style`` names."""
    from nnsvg.textmetrics import DEFAULT_METRICS

    return engine_for(net.style, net.where("style")).load()(
        net,
        theme,
        metrics or DEFAULT_METRICS,
        limits=limits,
        physical_width=physical_width,
    )
