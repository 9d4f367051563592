"""Drawing a figure of panels (:mod:`nnsvg.panels`) and linting it.

Each panel is laid out by its own style, in the figure's theme (or its own, when its
spec names one), without a printed width of its own; the panels are then placed on a
grid in one coordinate system, so one unit is one unit in every panel and equal
layers are drawn equal. Each panel is centred in its grid's column, and the panels
of a row line up as ``align`` says: by default on their axis (the middle of the row
of nodes the input stands in, so a residual network's arcs above it do not push its
main row down from its plain neighbour's), else at their tops or their centres. Each
is labelled ``(a) caption`` below (or above) it; the captions of a row share a
baseline. The whole is fitted to the figure's ``width`` like any figure; with
``font_size`` every panel's text is scaled by one factor until the figure's base
text prints at that size, and with ``fit`` the figure is arranged to print every text
at the minimum (:mod:`nnsvg.panels_fit`).

The ids of a panel's groups are prefixed with its letter (``panel-a-layer-3``) so
they stay unique in one SVG. The lint runs on each panel in place (the figure's
viewBox and width, so printed sizes are the figure's), its findings named
``panel (b) layers[2] 'C1'``, and on the labels and title.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nnsvg.engines import LayoutLimits, layout
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

__all__ = ["PanelScene", "PanelsFigure", "build_panels_scene", "lint_panels", "prepare_panels"]


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


@dataclass(frozen=True, slots=True)
class PanelsFigure:
    """A figure of panels ready to draw: each panel's network, theme and node names,
    the figure's theme, limits and printed width."""

    spec: PanelsSpec
    nets: tuple[Network, ...]
    themes: tuple[Theme, ...]
    names: tuple[dict[str, str], ...]
    theme: Theme
    limits: LayoutLimits
    width: tuple[float, str] | None

    @property
    def styles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(net.style for net in self.nets))

    def draw(
        self,
        sized: Theme,
        *,
        nets: tuple[Network, ...] | None = None,
        columns: int | None = None,
        factors: tuple[float, float] = (1.0, 1.0),
        width: tuple[float, str] | None = None,
    ) -> Scene:
        """The figure with ``sized`` (the figure's theme, its text scaled by one factor
        for every panel, and tightened by ``factors``: :func:`nnsvg.fit.tightened`),
        ``nets`` for the panels' own (their rows), ``columns`` for the spec's and ``width``
        for the figure's."""
        from nnsvg.fit import tightened
        from nnsvg.print_size import scaled_text

        factor = sized.font.size / self.theme.font.size
        drawn: list[PanelScene] = []
        left = self.limits  # the figure's limits, shared by its panels in order
        for panel, net, theme, named in zip(
            self.spec.panels, nets or self.nets, self.themes, self.names
        ):
            if theme is self.theme:
                theme = sized
            else:  # a panel's own theme: the same text factor and tightening
                theme = tightened(theme, self.styles, *factors)
                theme = theme if factor == 1.0 else scaled_text(theme, factor)
            try:
                scene = layout(net, theme, limits=left)
            except LimitError as err:
                if left != self.limits:
                    err.message += " (the figure's limit, less what the panels before it draw)"
                raise
            drawn.append(PanelScene(panel, dataclasses.replace(scene, names=named), net))
            left = _less(left, scene)
        spec = self.spec
        if columns is not None and columns != spec.columns:
            spec = dataclasses.replace(spec, columns=columns)
        return compose(spec, drawn, sized, width or self.width)


def prepare_panels(spec: PanelsSpec, options: RenderOptions) -> PanelsFigure:
    """What drawing ``spec`` with ``options`` needs (each panel's network and theme)."""
    from nnsvg.names import node_names
    from nnsvg.pipeline import build_network, figure_width, spec_theme

    figure_theme = spec_theme(spec.figure_spec(), options)
    nets = [build_network(panel.spec, options) for panel in spec.panels]
    shapes = tuple(sorted({node.shape for net in nets for node in net.nodes}))
    nets = [dataclasses.replace(net, scale_shapes=shapes) for net in nets]
    return PanelsFigure(
        spec=spec,
        nets=tuple(nets),
        themes=tuple(_panel_theme(panel, figure_theme, options) for panel in spec.panels),
        names=tuple(
            node_names(_styled(panel.spec, options), net) for panel, net in zip(spec.panels, nets)
        ),
        theme=figure_theme,
        limits=LayoutLimits(max_edges=options.max_edges, max_nodes=options.max_nodes),
        width=figure_width(spec, options),
    )


def build_panels_scene(spec: PanelsSpec, options: RenderOptions | None = None) -> Scene:
    """A figure of panels as one scene (see the module docs), drawn with ``options``."""
    figure = prepare_panels(spec, options or RenderOptions())
    if spec.fit is not None:
        from nnsvg.panels_fit import fit_panels

        return fit_panels(figure)
    if spec.font_size is None:
        return figure.draw(figure.theme)
    width = figure.width
    if width is None:
        raise SpecError(
            "sets the printed size of the text, so the figure needs a printed width: "
            "give width (e.g. width: 7in) or --width",
            location=spec.where("font_size"),
            field="font_size",
        )
    from nnsvg.fit import text_floor
    from nnsvg.print_size import fit_text_size

    floor = text_floor(figure.styles)
    try:
        _, scene = fit_text_size(figure.theme, spec.font_size, width, figure.draw, min_factor=floor)
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
        axes = [_axis(drawn[k]) if spec.align == "axis" else None for k in row]
        offsets, band = _row_offsets(spec.align, [boxes[k] for k in row], axes)
        band_top = top + (line + label_gap if spec.captions == "above" else 0.0)
        baseline = (
            (top + ascent) if spec.captions == "above" else (band_top + band + label_gap + ascent)
        )
        for k in row:
            c = k - start
            box = boxes[k]
            centre = col_x[c] + col_w[c] / 2
            dx = centre - (box.x0 + box.x1) / 2
            dy = band_top + offsets[c] - box.y0
            items = tuple(translated(item, dx, dy) for item in drawn[k].scene.items)
            label = dataclasses.replace(labels[k], x=centre, y=baseline)
            placed.append(_Placed(drawn[k].panel, items, label, drawn[k].scene))
        top += band + label_gap + line + gap_y
    return placed


def _row_offsets(
    align: str, boxes: list[BBox], axes: list[float | None]
) -> tuple[list[float], float]:
    """How far below the top of its row each panel of the row starts, and the row's
    height: tops level (``top``), centres level (``center``), or axes level (``axis``;
    a panel without an axis, one drawn top to bottom, is centred on the others')."""
    if align == "top":
        offsets = [0.0] * len(boxes)
    elif align == "center" or all(a is None for a in axes):
        tallest = max(b.height for b in boxes)
        offsets = [(tallest - b.height) / 2 for b in boxes]
    else:
        depth = [a - b.y0 if a is not None else b.height / 2 for a, b in zip(axes, boxes)]
        offsets = [max(depth) - d for d in depth]
    return offsets, max(o + b.height for o, b in zip(offsets, boxes))


def _axis(drawn: PanelScene) -> float | None:
    """The y of a panel's axis: the middle of the row of nodes its first node (the
    input) stands in, taken from their drawn shapes (not their captions, arcs or
    arrows); None for a network drawn top to bottom (or bottom to top)."""
    if drawn.net.direction not in ("right", "left"):
        return None
    ids = {node.id for node in drawn.net.nodes}
    found: dict[str, BBox] = {}

    def walk(items: tuple[Item, ...]) -> None:
        for item in items:
            if not isinstance(item, Group):
                continue
            if item.id in ids:
                shapes = [leaf for leaf in iter_leaves(item.children) if not isinstance(leaf, Text)]
                box = bounds(shapes)
                if box is not None:
                    found[item.id] = box
            else:
                walk(item.children)

    walk(drawn.scene.items)
    bodies = [found[node.id] for node in drawn.net.nodes if node.id in found]
    if not bodies:
        return None
    line = (bodies[0].y0 + bodies[0].y1) / 2
    row = [b for b in bodies if b.y0 <= line <= b.y1]
    return (min(b.y0 for b in row) + max(b.y1 for b in row)) / 2


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
    prefixed ``panel (a)``), then those of the labels and title. With the figure's
    ``fit``, text-too-small's advice raises fit's ``min_text``, checked by a build."""
    from nnsvg.lint import LintOptions, fit_advice_checked, lint_advised

    lint_options = options or LintOptions()
    fit = spec.fit

    def lint(part: Scene, of: Spec) -> list[Finding]:
        nonlocal advice
        found, said = lint_advised(part, dataclasses.replace(of, fit=fit), lint_options)
        advice = advice or said
        return found

    advice: tuple[float, str, str] | None = None
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
        for f in lint(part, panel.spec):
            where = f"panel ({letter}) {f.layer}" if f.layer else f"panel ({letter})"
            findings.append(dataclasses.replace(f, layer=where))
    labels = dataclasses.replace(scene, items=tuple(rest), names={})
    findings.extend(lint(labels, Spec(layers=(), source=spec.source)))
    if advice is not None and fit is not None:
        trial = dataclasses.replace(render_options, width=advice[1])
        findings = fit_advice_checked(findings, advice, spec, trial)
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
