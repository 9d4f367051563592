"""Drawing a figure of panels (:mod:`nnsvg.panels`) and linting it.

Each panel is laid out by its own style, in the figure's theme (or its own, when its
spec names one), without a printed width of its own; the panels are then placed on a
grid in one coordinate system, so one unit is one unit in every panel and equal
layers are drawn equal. Each panel is centred in its grid cell and labelled
``(a) caption`` below (or above) it; the captions of a row share a baseline. The
whole is fitted to the figure's ``width`` like any figure, and with ``font_size``
every panel's text is scaled by one factor until the figure's base text prints at
that size.

The ids of a panel's groups are prefixed with its letter (``panel-a-layer-3``) so
they stay unique in one SVG. The lint runs on each panel in place (the figure's
viewBox and width, so printed sizes are the figure's), its findings named
``panel (b) layers[2] 'C1'``, and on the labels and title.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nnsvg.engines import ENGINES, LayoutLimits, layout
from nnsvg.engines.common import TextMaker, fit_scene
from nnsvg.errors import LimitError, SpecError, TextDoesNotFit
from nnsvg.mathtext import plain
from nnsvg.network import Network
from nnsvg.panels import Panel, PanelsSpec
from nnsvg.pipeline import RenderOptions
from nnsvg.scene import (
    BBox,
    Circle,
    EdgeBundle,
    Group,
    Item,
    Scene,
    Text,
    bounds,
    iter_leaves,
    translated,
)
from nnsvg.spec.model import Spec
from nnsvg.theme import Theme

if TYPE_CHECKING:
    from nnsvg.lint import Finding, LintOptions

__all__ = ["PanelScene", "build_panels_scene", "lint_panels"]


@dataclass(frozen=True, slots=True)
class PanelScene:
    """One panel drawn alone (its own coordinates), with what its drawing needs."""

    panel: Panel
    scene: Scene
    net: Network


@dataclass(frozen=True, slots=True)
class _Placed:
    """A panel's items moved to their place in the figure (ids not yet prefixed)."""

    panel: Panel
    items: tuple[Item, ...]
    label: Text
    scene: Scene


def _panel_theme(panel: Panel, figure: Theme, options: RenderOptions) -> Theme:
    """The figure's theme, or the panel's own when its spec (or --theme) names one."""
    from nnsvg.pipeline import spec_theme

    if panel.has_theme or options.theme:
        return spec_theme(panel.spec, options)
    return figure


def _less(limits: LayoutLimits, scene: Scene) -> LayoutLimits:
    """What ``limits`` leave for the next panels once ``scene`` is drawn."""
    edges = nodes = 0
    for leaf in iter_leaves(scene.items):
        if isinstance(leaf, EdgeBundle):
            edges += leaf.edge_count
        elif isinstance(leaf, Circle):
            nodes += 1
    return LayoutLimits(
        max_edges=max(limits.max_edges - edges, 0), max_nodes=max(limits.max_nodes - nodes, 0)
    )


def _styled(spec: Spec, options: RenderOptions) -> Spec:
    return dataclasses.replace(spec, style=options.style) if options.style else spec


def build_panels_scene(spec: PanelsSpec, options: RenderOptions | None = None) -> Scene:
    """A figure of panels as one scene (see the module docs), drawn with ``options``."""
    from nnsvg.names import node_names
    from nnsvg.pipeline import build_network, chosen_width, spec_theme
    from nnsvg.print_size import scaled_text

    options = options or RenderOptions()
    figure_theme = spec_theme(spec.figure_spec(), options)
    nets = [build_network(panel.spec, options) for panel in spec.panels]
    shapes = tuple(sorted({node.shape for net in nets for node in net.nodes}))
    nets = [dataclasses.replace(net, scale_shapes=shapes) for net in nets]
    themes = [_panel_theme(panel, figure_theme, options) for panel in spec.panels]
    limits = LayoutLimits(max_edges=options.max_edges, max_nodes=options.max_nodes)
    width = chosen_width(options, spec.width, spec.where("width"))

    names = [node_names(_styled(panel.spec, options), net) for panel, net in zip(spec.panels, nets)]

    def draw(sized: Theme) -> Scene:
        factor = sized.font.size / figure_theme.font.size
        drawn: list[PanelScene] = []
        left = limits  # the figure's limits, shared by its panels in order
        for panel, net, theme, named in zip(spec.panels, nets, themes, names):
            sized_theme = theme if factor == 1.0 else scaled_text(theme, factor)
            try:
                scene = layout(net, sized_theme, limits=left)
            except LimitError as err:
                if left != limits:
                    err.message += " (the figure's limit, less what the panels before it draw)"
                raise
            drawn.append(PanelScene(panel, dataclasses.replace(scene, names=named), net))
            left = _less(left, scene)
        return compose(spec, drawn, sized, width)

    if spec.font_size is None:
        return draw(figure_theme)
    if width is None:
        raise SpecError(
            "sets the printed size of the text, so the figure needs a printed width: "
            "give width (e.g. width: 7in) or --width",
            location=spec.where("font_size"),
            field="font_size",
        )
    from nnsvg.print_size import fit_text_size

    floor = 1.0 if any(ENGINES[net.style].draws.scales_with_text for net in nets) else 0.5
    try:
        _, scene = fit_text_size(figure_theme, spec.font_size, width, draw, min_factor=floor)
    except TextDoesNotFit as err:
        raise TextDoesNotFit(
            err.message, best=err.best, location=spec.where("font_size"), field="font_size"
        ) from None
    return scene


def _place(spec: PanelsSpec, drawn: list[PanelScene], theme: Theme, tm: TextMaker) -> list[_Placed]:
    """Each panel moved to its cell of the grid, with its label (module docs)."""
    size = theme.font.size
    gap_x, gap_y, label_gap = 2.0 * size, 1.6 * size, 0.7 * size
    columns = spec.columns or len(drawn)
    boxes = [bounds(list(d.scene.items)) or BBox(0, 0, 1, 1) for d in drawn]
    labels = [tm.text(0.0, 0.0, d.panel.label, size, cls="panel-label") for d in drawn]
    cell_w = [max(b.width, t.width) for b, t in zip(boxes, labels)]
    col_w = [
        max(cell_w[k] for k in range(c, len(drawn), columns))
        for c in range(min(columns, len(drawn)))
    ]
    col_x = [sum(col_w[:c]) + c * gap_x for c in range(len(col_w))]
    ascent, descent = tm.ascent(size), tm.descent(size)
    line = ascent + descent
    placed: list[_Placed] = []
    top = 0.0
    for start in range(0, len(drawn), columns):
        row = range(start, min(start + columns, len(drawn)))
        band = max(boxes[k].height for k in row)
        band_top = top + (line + label_gap if spec.captions == "above" else 0.0)
        baseline = (
            (top + ascent) if spec.captions == "above" else (band_top + band + label_gap + ascent)
        )
        for k in row:
            c = k - start
            box = boxes[k]
            centre = col_x[c] + col_w[c] / 2
            dx = centre - (box.x0 + box.x1) / 2
            dy = band_top + (band - box.height) / 2 - box.y0
            items = tuple(translated(item, dx, dy) for item in drawn[k].scene.items)
            label = dataclasses.replace(labels[k], x=centre, y=baseline)
            placed.append(_Placed(drawn[k].panel, items, label, drawn[k].scene))
        top += band + label_gap + line + gap_y
    return placed


def compose(
    spec: PanelsSpec, drawn: list[PanelScene], theme: Theme, width: tuple[float, str] | None
) -> Scene:
    """The figure: ``drawn`` placed (module docs), ids prefixed, title on top."""
    from nnsvg.textmetrics import DEFAULT_METRICS

    tm = TextMaker(DEFAULT_METRICS, theme.font.family)
    placed = _place(spec, drawn, theme, tm)
    items: list[Item] = []
    names: dict[str, str] = {}
    notes: list[str] = []
    for p in placed:
        prefix = f"panel-{p.panel.letter}-"
        caption = Group(id=f"{prefix}label", role="panel-label", children=(p.label,))
        items.append(
            Group(
                id=f"panel-{p.panel.letter}",
                role="panel",
                children=(*(_prefixed(item, prefix) for item in p.items), caption),
                text_style=p.scene.font,
            )
        )
        for node, name in sorted(p.scene.names.items()):
            names[prefix + node] = f"panel ({p.panel.letter}) {name}"
        notes.extend(f"panel ({p.panel.letter}): {note}" for note in p.scene.notes)
    if spec.show_title and spec.title:
        box = bounds(items) or BBox(0, 0, 1, 1)
        size = theme.label.figure_title_size
        text = tm.text(
            (box.x0 + box.x1) / 2, box.y0 - size * 0.8, spec.title, size, weight="bold", cls="title"
        )
        items.append(Group(id="figure-title", role="title", children=(text,)))
    desc = spec.description
    if desc is None:
        desc = "; ".join(
            f"{p.panel.label}: {p.scene.desc}" if p.scene.desc else p.panel.label for p in placed
        )
    scene = fit_scene(
        items,
        theme,
        title=plain(spec.title) if spec.title else None,
        desc=desc,
        physical_width=width,
        meta={"engine": "panels"},
    )
    return dataclasses.replace(scene, names=names, notes=tuple(notes))


def _prefixed(item: Item, prefix: str) -> Item:
    """``item`` (and everything in it) with ``prefix`` before each id."""
    if isinstance(item, Group):
        return dataclasses.replace(
            item,
            id=prefix + item.id if item.id else item.id,
            children=tuple(_prefixed(child, prefix) for child in item.children),
        )
    if item.id:
        return dataclasses.replace(item, id=prefix + item.id)
    return item


# --- the lint ---------------------------------------------------------------------------
def lint_panels(
    spec: PanelsSpec, scene: Scene, render_options: RenderOptions, options: LintOptions | None
) -> list[Finding]:
    """The lint's findings on a figure of panels: each panel's in place (its names
    prefixed ``panel (a)``), then those of the labels and title."""
    from nnsvg.lint import LintOptions, lint_scene

    lint_options = options or LintOptions()
    findings: list[Finding] = []
    rest: list[Item] = []
    for group in scene.items:
        letter = _panel_letter(group)
        if letter is None:
            rest.append(group)
            continue
        assert isinstance(group, Group)
        panel = next(p for p in spec.panels if p.letter == letter)
        prefix = f"panel-{letter}-"
        inner = [_unprefixed(child, prefix) for child in group.children]
        drawn = [i for i in inner if not (isinstance(i, Group) and i.role == "panel-label")]
        rest.extend(i for i in inner if isinstance(i, Group) and i.role == "panel-label")
        names = {
            node[len(prefix) :]: name.removeprefix(f"panel ({letter}) ")
            for node, name in scene.names.items()
            if node.startswith(prefix)
        }
        part = dataclasses.replace(scene, items=tuple(drawn), names=names, meta={})
        for f in lint_scene(part, panel.spec, lint_options):
            where = f"panel ({letter}) {f.layer}" if f.layer else f"panel ({letter})"
            findings.append(dataclasses.replace(f, layer=where))
    labels = dataclasses.replace(scene, items=tuple(rest), names={})
    findings.extend(lint_scene(labels, Spec(layers=(), source=spec.source), lint_options))
    return findings


def _panel_letter(item: Item) -> str | None:
    if isinstance(item, Group) and item.role == "panel" and item.id:
        return item.id.removeprefix("panel-")
    return None


def _unprefixed(item: Item, prefix: str) -> Item:
    if isinstance(item, Group):
        return dataclasses.replace(
            item,
            id=item.id.removeprefix(prefix) if item.id else item.id,
            children=tuple(_unprefixed(child, prefix) for child in item.children),
        )
    if item.id:
        return dataclasses.replace(item, id=item.id.removeprefix(prefix))
    return item
