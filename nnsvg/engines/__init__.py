"""Layout engines: spec + theme -> scene, one engine per figure style.

:data:`ENGINES` maps a style name to its engine; :func:`layout` dispatches and
names the valid choices when a style is unknown.
"""

from __future__ import annotations

from collections.abc import Callable

from nnsvg.checker import did_you_mean
from nnsvg.engines.alexnet import layout_alexnet
from nnsvg.engines.common import LayoutLimits
from nnsvg.engines.fcnn import layout_fcnn
from nnsvg.engines.lenet import layout_lenet
from nnsvg.errors import RenderError
from nnsvg.scene import Scene
from nnsvg.spec.model import Spec
from nnsvg.textmetrics import DEFAULT_METRICS, TextMetrics
from nnsvg.theme import Theme
from nnsvg.weights import WeightSet

__all__ = ["ENGINES", "LayoutLimits", "layout"]

Engine = Callable[..., Scene]

ENGINES: dict[str, Engine] = {
    "alexnet": layout_alexnet,
    "fcnn": layout_fcnn,
    "lenet": layout_lenet,
}


def layout(
    spec: Spec,
    theme: Theme,
    *,
    metrics: TextMetrics = DEFAULT_METRICS,
    weights: WeightSet | None = None,
    limits: LayoutLimits | None = None,
    physical_width: tuple[float, str] | None = None,
    shapes: tuple[tuple[int, ...], ...] | None = None,
    images: dict[int, str] | None = None,
) -> Scene:
    """The scene for ``spec`` drawn by the engine its ``style`` names.

    ``shapes`` (every layer's output shape) and ``images`` (data URIs by element
    index) are the results of shape inference and image loading, for the CNN engines."""
    engine = ENGINES.get(spec.style)
    if engine is None:
        raise RenderError(
            f"unknown style '{spec.style}'{did_you_mean(spec.style, ENGINES)} "
            f"(must be one of {', '.join(sorted(ENGINES))})",
            location=spec.where("style"),
        )
    return engine(
        spec,
        theme,
        metrics,
        weights=weights,
        limits=limits,
        physical_width=physical_width,
        shapes=shapes,
        images=images,
    )
