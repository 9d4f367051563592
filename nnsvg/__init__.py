"""nnsvg: publication-quality neural-network schematics from a small spec file.

One object a figure, for scripts and notebooks::

    fig = nnsvg.Figure("mlp.yaml", theme="paper", width="3.5in")
    fig.save("mlp.pdf")                           # SVG, PNG or PDF, written atomically
    fig.check()                                   # what a reviewer would send back
    fig                                           # a notebook shows the figure

The pipeline, one function a stage::

    spec = nnsvg.load_spec("mlp.yaml")           # parse + validate (located errors)
    scene = nnsvg.layout(spec)                    # pure geometry
    svg = nnsvg.render_svg(scene)                 # SVG text, byte-identical every run
    nnsvg.export(svg, "mlp.pdf")                  # SVG, PNG or PDF, written atomically

Heavy modules load on first use, so ``import nnsvg`` (and ``nnsvg --help``) stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nnsvg._version import __version__

__all__ = [
    "Figure",
    "NnsvgError",
    "SpecError",
    "__version__",
    "export",
    "layout",
    "load_spec",
    "load_theme",
    "render_svg",
]

if TYPE_CHECKING:
    from nnsvg.errors import NnsvgError, SpecError
    from nnsvg.figure import Figure
    from nnsvg.pipeline import load_spec
    from nnsvg.render.export import export
    from nnsvg.render.svg import render_svg
    from nnsvg.scene import Scene
    from nnsvg.spec.model import Spec
    from nnsvg.theme import Theme, load_theme


def layout(spec: Spec, theme: Theme | str | None = None, **options: Any) -> Scene:
    """The scene for ``spec``, in any style; ``theme`` is a Theme, a theme name or path,
    or None for the spec's own. ``options`` are :class:`nnsvg.pipeline.RenderOptions`
    fields (style, width, elide, seed, ...)."""
    from nnsvg.pipeline import RenderOptions, build_scene

    return build_scene(spec, RenderOptions(theme=theme, **options))


_LAZY = {
    "Figure": ("nnsvg.figure", "Figure"),
    "load_spec": ("nnsvg.pipeline", "load_spec"),
    "render_svg": ("nnsvg.render.svg", "render_svg"),
    "export": ("nnsvg.render.export", "export"),
    "load_theme": ("nnsvg.theme", "load_theme"),
    "NnsvgError": ("nnsvg.errors", "NnsvgError"),
    "SpecError": ("nnsvg.errors", "SpecError"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'nnsvg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
