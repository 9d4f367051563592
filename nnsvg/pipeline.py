"""The whole pipeline for one spec: parse, resolve the theme, read weights,
lay out, render, export. The CLI and batch runs call these functions; each
stage stays pure apart from the file reads and writes named here.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nnsvg.engines import ENGINES, STYLES, LayoutLimits, engine_for, layout
from nnsvg.engines.contract import check_drawable, check_structure
from nnsvg.engines.limits import DEFAULT_MAX_EDGES, DEFAULT_MAX_NODES
from nnsvg.errors import Location, NnsvgError, SpecError, TextDoesNotFit, message_lines
from nnsvg.fit import fit_figure, fit_width
from nnsvg.network import Network, resolve
from nnsvg.scene import Scene
from nnsvg.spec.graph import all_inputs, build_graph, is_graph
from nnsvg.spec.load import format_path, load_document, parse_document
from nnsvg.spec.model import Layer, Spec, build_spec
from nnsvg.theme import Theme, ThemeAccess, resolve_theme
from nnsvg.weights import RandomWeights, WeightSet, load_weights

if TYPE_CHECKING:
    from nnsvg.panels import PanelsSpec

__all__ = [
    "RenderOptions",
    "build_network",
    "build_scene",
    "load_spec",
    "physical_width",
    "render_spec",
    "spec_theme",
    "spec_weights",
    "theme_access",
]


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """Choices made outside the spec (CLI flags, batch settings); None keeps the spec's."""

    theme: str | Theme | None = None
    style: str | None = None
    width: str | None = None
    elide: bool | None = None
    seed: int | None = None
    max_edges: int = DEFAULT_MAX_EDGES
    max_nodes: int = DEFAULT_MAX_NODES
    allow_outside: bool = False
    id_prefix: str | None = None  # see nnsvg.render.svg.render_svg
    # Embed the fonts the texts use in SVG outputs (nnsvg.render.font_embed); the other
    # formats draw with those fonts anyway, so it changes SVGs only.
    embed_fonts: bool = False
    # The folder of the project file in force (nnsvg.toml, pyproject's [tool.nnsvg]): files
    # a spec names may be read from it as well as from the spec's own folder.
    project_dir: Path | None = None


def load_spec(source: str | Path, *, text: str | None = None) -> Spec:
    """Read and validate a spec file (or ``text``, named ``source`` in messages); a
    figure of panels is a :class:`~nnsvg.panels.PanelsSpec`."""
    doc = parse_document(text, str(source)) if text is not None else load_document(source)
    from nnsvg.panels import build_panels, is_panels

    if is_panels(doc):
        return build_panels(doc)  # type: ignore[return-value]
    return build_spec(doc)


def _apply_options(spec: Spec, options: RenderOptions) -> Spec:
    changes: dict[str, object] = {}
    if options.style is not None:
        if options.style not in STYLES:
            raise NnsvgError(
                f"--style: unknown style '{options.style}' (must be one of {', '.join(STYLES)})"
            )
        changes["style"] = options.style
    if options.elide is not None:
        changes["elide"] = options.elide
    if options.seed is not None:
        changes["seed"] = options.seed
    return dataclasses.replace(spec, **changes) if changes else spec


def spec_theme(spec: Spec, options: RenderOptions | None = None) -> Theme:
    """The spec's theme: the CLI's base theme (or the spec's), then the spec's overrides.
    The base may be a :class:`~nnsvg.theme.Theme` object (from Python).

    A theme file the spec names, and each one it extends, is read only from the spec's
    folder or the project folder unless ``allow_outside``; one given by the options is
    trusted (see :mod:`nnsvg.theme_files`)."""
    trusted = bool(options and options.theme)
    base = (options.theme if options else None) or spec.theme
    base_dir = spec.base_dir if not trusted else Path.cwd()
    try:
        return resolve_theme(
            base,
            spec.theme_overrides,
            overrides_doc=spec.source,
            overrides_path=("theme",),
            base_dir=base_dir,
            base_is_from_overrides=bool(spec.theme_overrides) and not trusted,
            access=theme_access(spec, options),
        )
    except NnsvgError as err:
        if err.location is None and spec.theme and not trusted:
            err.location = spec.where("theme")
        raise


def theme_access(spec: Spec, options: RenderOptions | None = None) -> ThemeAccess:
    """Which theme files drawing ``spec`` with ``options`` may read and quote."""
    options = options or RenderOptions()
    return ThemeAccess.for_spec(
        spec.base_dir,
        options.project_dir,
        trusted=bool(options.theme),
        allow_outside=options.allow_outside,
    )


def spec_weights(spec: Spec, options: RenderOptions | None = None) -> WeightSet | None:
    """The weights the spec's edges encode: files, seeded random, or none. Files are
    read from the spec's folder or the project's (``options``), or from anywhere with
    ``allow_outside``."""
    if spec.weights:
        return load_weights(
            spec.weights,
            [layer.units for layer in spec.layers],
            [layer.bias for layer in spec.layers],
            spec.base_dir,
            spec.where("weights"),
            allow_outside=bool(options and options.allow_outside),
            project_dir=options.project_dir if options else None,
        )
    if spec.random_weights:
        return RandomWeights(spec.seed)
    return None


def chosen_width(
    options: RenderOptions, text: str | None, where: Location | None, key: str = "width"
) -> tuple[float, str] | None:
    """The figure's printed width: ``--width`` when given, else ``text`` (the spec's
    ``key``); a bad one is an error at the option or at the key (``where``)."""
    if options.width is not None:
        try:
            return physical_width(options.width)
        except NnsvgError as err:
            raise NnsvgError(err.message, field="--width") from None
    try:
        return physical_width(text)
    except NnsvgError as err:
        raise SpecError(err.message, location=where, field=key) from None


def figure_width(spec: Spec | PanelsSpec, options: RenderOptions) -> tuple[float, str] | None:
    """The printed width a figure is drawn at: ``--width``, else fit's, else the spec's
    ``width`` (:func:`chosen_width`; fit without one is an error at ``fit``)."""
    if options.width is not None or spec.fit is None:
        return chosen_width(options, spec.width, spec.where("width"))
    key = "width" if spec.fit.width is None else "fit"
    chosen = fit_width(spec.fit, spec.width, spec.where("fit"))
    return chosen_width(options, chosen, spec.where(key), key)


def physical_width(text: str | None) -> tuple[float, str] | None:
    """``"3.5in"`` -> ``(3.5, "in")`` after checking the length; None stays None."""
    if text is None:
        return None
    from nnsvg.units import split_length

    return split_length(text)


def dense_tail(spec: Spec) -> int:
    """The index of the first of the dense layers a spec ends with (``len(layers)``
    when it ends with another kind of layer)."""
    start = len(spec.layers)
    while start > 0 and spec.layers[start - 1].type == "dense":
        start -= 1
    return start


def dense_part(
    spec: Spec, shapes: tuple[tuple[int, ...], ...], *, style_from_option: bool = False
) -> Spec:
    """A CNN spec as a node-edge network: its trailing dense layers, fed by the
    flattened tensor before them (``--style fcnn`` on a CNN spec). Fed by the input
    itself, that first layer takes the input's label, size caption and colours."""
    start = dense_tail(spec)
    if start == len(spec.layers):
        last = spec.layers[-1]
        message = (
            f"the fcnn style draws dense layers, and this spec ends with a {last.type} layer; "
            "draw it with style: lenet"
        )
        if style_from_option:
            raise NnsvgError(message, field="--style")
        spec_says_style = spec.source is not None and "style" in spec.source.data
        raise SpecError(
            message,
            location=spec.where("style") if spec_says_style else spec.where("layers", last.index),
        )
    layers = []
    if start == 0 and spec.input is not None:
        i = spec.input
        units = math.prod(i.shape)
        label = i.label if i.label is not None else ("Flatten" if len(i.shape) > 1 else None)
        layers.append(
            Layer(
                index=0,
                units=units,
                label=label,
                size_label=i.size_label,
                color=i.color,
                stroke=i.stroke,
            )
        )
    elif start:
        before = spec.layers[start - 1]
        label = before.label or ("Flatten" if len(shapes[start - 1]) > 1 else None)
        layers.append(Layer(index=0, units=math.prod(shapes[start - 1]), label=label))
    for layer in spec.layers[start:]:
        units = layer.units if layer.units is not None else shapes[layer.index][0]
        layers.append(dataclasses.replace(layer, index=len(layers), units=units, skip_from=None))
    return dataclasses.replace(spec, layers=tuple(layers), input=None)


def spec_images(spec: Spec, allow_outside: bool = False) -> dict[int, str]:
    """Data URIs of the images the spec shows, by network node (the inputs first)."""
    from nnsvg.images import load_image

    inputs = all_inputs(spec)
    wanted: list[tuple[int, str, tuple[str | int, ...]]] = []
    for k, item in enumerate(inputs):
        if item.image:
            path: tuple[str | int, ...] = ("inputs", k) if spec.extra_inputs else ("input",)
            wanted.append((k, item.image, (*path, "image")))
    for layer in spec.layers:
        if layer.image:
            wanted.append((len(inputs) + layer.index, layer.image, layer.path_of("image")))
    return {
        node: load_image(
            name,
            spec.base_dir,
            spec.where(*path),
            allow_outside=allow_outside,
            field=format_path(path),
        ).uri
        for node, name, path in wanted
    }


def build_network(spec: Spec, options: RenderOptions | None = None) -> Network:
    """Spec (already validated) -> the Network its engine draws, applying ``options``:
    keys the engine cannot draw are errors; shapes are inferred; images and weights
    are read."""
    options = options or RenderOptions()
    spec = _apply_options(spec, options)
    engine = engine_for(spec.style, spec.where("style"))
    from_option = options.style is not None
    drawers = {name: e.draws for name, e in ENGINES.items()}
    if spec.source is not None:
        check_structure(
            spec.source.data,
            spec.style,
            drawers,
            spec.source.key_location,
            style_from_option=from_option,
        )
    graph = build_graph(spec) if spec.is_cnn else None
    if engine.draws.dense_tail_only and is_graph(spec):
        _check_dense_graph(spec, engine.name, from_option)
        graph = None  # drawn as it is: vectors only, sizes not capped (layers elide)
    if engine.draws.dense_tail_only and graph is not None:
        part = dense_part(spec, graph.layer_shapes, style_from_option=from_option)
        drawn = range(dense_tail(spec), len(spec.layers))
    else:
        part, drawn = spec, range(len(spec.layers))
    notes: list[SpecError] = []
    if spec.source is not None:
        notes = check_drawable(
            spec.source.data,
            spec.style,
            {name: e.draws for name, e in ENGINES.items()},
            spec.source.key_location,
            drawn_layers=drawn,
            input_drawn=drawn.start == 0,
            style_from_option=from_option,
        )
    if part is not spec:
        net = resolve(part, weights=spec_weights(part, options))
    elif engine.draws.dense_tail_only:
        net = resolve(spec, weights=spec_weights(spec, options))
    else:
        net = resolve(spec, graph=graph, images=spec_images(spec, options.allow_outside))
    if notes:
        net = dataclasses.replace(
            net, notes=tuple(line for n in notes for line in message_lines(n))
        )
    if not engine.draws.graphs:
        _check_chain(spec, net, engine.name, from_option)
    elif net.skips and net.first_branch() is not None:
        layer = net.nodes[net.skips[0].target].layer
        assert layer is not None
        raise SpecError(
            "a network that branches writes its merges as layers: "
            "{type: add, from: [a, b]} (or concat) instead of skip_from",
            location=spec.where(*layer.path_of("skip_from")),
            field=layer.field_of("skip_from"),
        )
    return net


def _check_dense_graph(spec: Spec, style: str, from_option: bool) -> None:
    """A node-edge figure of a graph: its inputs are vectors, its layers dense or
    concat, and its weights seeded random (weight files describe a chain)."""
    chosen = f"the {style} style" + (" (from --style)" if from_option else "")
    for k, item in enumerate(all_inputs(spec)):
        if len(item.shape) != 1:
            path: tuple[str | int, ...] = ("inputs", k) if spec.extra_inputs else ("input",)
            raise SpecError(
                f"{chosen} draws vectors of units, and this input is a "
                f"{len(item.shape) - 1}D map; draw the figure in the lenet style",
                location=spec.where(*path),
                field=format_path(path),
            )
    for layer in spec.layers:
        if layer.type not in ("dense", "concat"):
            raise SpecError(
                f"{chosen} draws the dense layers of a graph and joins them with concat; "
                f"a {layer.type} layer is drawn in the lenet style",
                location=spec.where(*layer.path_of("type")),
                field=layer.field_of("type"),
            )
    if spec.weights:
        raise SpecError(
            "weight files hold one matrix per pair of neighbouring layers, and this network "
            "branches; use weights: random",
            location=spec.where("weights"),
            field="weights",
        )


def _check_chain(spec: Spec, net: Network, style: str, from_option: bool) -> None:
    """An engine that draws chains only: a branch, a merge or a second input is an error."""
    node = net.first_branch()
    if node is None:
        return
    dense = all(layer.type in ("dense", "concat") for layer in spec.layers) and all(
        len(item.shape) == 1 for item in all_inputs(spec)
    )
    can = " or ".join(
        name
        for name, e in ENGINES.items()
        if e.draws.graphs and (dense or not e.draws.dense_tail_only)
    )
    chosen = f"the {style} style" + (" (from --style)" if from_option else "")
    if node.layer is None:
        path: tuple[str | int, ...] = ("inputs", node.index)
        what = "a second input"
    else:
        index = node.layer.index
        has_from = spec.source is not None and "from" in spec.source.data["layers"][index]
        path = ("layers", index, "from") if has_from else ("layers", index)
        what = f"a {node.kind} layer" if node.layer.sources is None else "a branch"
    raise SpecError(
        f"{chosen} draws chains of layers, and this is {what}; draw the figure in the {can} style",
        location=spec.where(*path),
        field=format_path(path),
    )


def build_scene(spec: Spec, options: RenderOptions | None = None) -> Scene:
    """Spec (already validated) -> scene, applying ``options``."""
    options = options or RenderOptions()
    from nnsvg.panels import PanelsSpec

    if isinstance(spec, PanelsSpec):
        from nnsvg.panels_draw import build_panels_scene

        return build_panels_scene(spec, options)
    theme = spec_theme(_apply_options(spec, options), options)
    net = build_network(spec, options)
    limits = LayoutLimits(max_edges=options.max_edges, max_nodes=options.max_nodes)
    width = figure_width(spec, options)
    if spec.fit is not None:
        assert width is not None  # fit_width gives one
        theme, scene = fit_figure(
            net,
            theme,
            spec.fit,
            width,
            font_size=spec.font_size,
            limits=limits,
            where=spec.where("fit"),
        )
    elif spec.font_size is None:
        scene = layout(net, theme, limits=limits, physical_width=width)
    elif width is None:
        raise SpecError(
            "sets the printed size of the text, so the figure needs a printed width: "
            "give width (e.g. width: 3.5in) or --width",
            location=spec.where("font_size"),
            field="font_size",
        )
    else:
        from nnsvg.print_size import fit_text_size

        def draw(sized: Theme) -> Scene:
            return layout(net, sized, limits=limits, physical_width=width)

        try:
            if net.wrap == "auto":
                theme, scene = _fit_rows(net, theme, spec.font_size, width, limits)
            else:
                floor = 1.0 if ENGINES[net.style].draws.scales_with_text else 0.5
                theme, scene = fit_text_size(theme, spec.font_size, width, draw, min_factor=floor)
        except TextDoesNotFit as err:
            where = spec.where("font_size")
            raise TextDoesNotFit(
                err.message, best=err.best, location=where, field="font_size"
            ) from None
    from nnsvg.names import node_names  # what the lint calls each node

    names = node_names(_apply_options(spec, options), net)
    return dataclasses.replace(scene, names=names, notes=net.notes)


def _fit_rows(
    net: Network, theme: Theme, points: float, width: tuple[float, str], limits: LayoutLimits
) -> tuple[Theme, Scene]:
    """``wrap: auto`` with a ``font_size``: the text prints at that size whatever the
    rows, so the rows are the fewest (1, 2, ...) at which it fits the width."""
    from nnsvg.print_size import fit_text_size

    failed: TextDoesNotFit | None = None
    for rows in range(1, len(net.nodes) + 1):
        held = dataclasses.replace(net, rows=rows)

        def draw(sized: Theme, held: Network = held) -> Scene:
            return layout(held, sized, limits=limits, physical_width=width)

        try:
            return fit_text_size(theme, points, width, draw)
        except TextDoesNotFit as err:
            failed = failed if failed is not None and failed.best >= err.best else err
    assert failed is not None
    raise failed


def render_spec(source: str | Path, options: RenderOptions | None = None) -> str:
    """A spec file's SVG text (with its fonts embedded when ``options.embed_fonts``)."""
    from nnsvg.render.svg import render_svg

    options = options or RenderOptions()
    return render_svg(
        build_scene(load_spec(source), options),
        id_prefix=options.id_prefix,
        embed_fonts=options.embed_fonts,
    )
