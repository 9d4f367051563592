"""Themes: every colour, font, size and spacing of a figure, as data.

Built-in themes are YAML files in ``styles/`` (shipped inside the wheel as
``nnsvg/styles``). A theme names a parent with ``extends:`` (a theme that names
none extends ``default``, which is complete), and its keys are merged over the
parent's. A spec can override any key, the CLI can pick another base theme.
The result is a frozen :class:`Theme`; :func:`theme_to_data` prints it back.

Which theme files may be read, how, and what their errors may quote is
:mod:`nnsvg.theme_files`' business: :func:`resolve_theme` takes its
:class:`~nnsvg.theme_files.ThemeAccess`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from nnsvg.checker import NOT_SHOWN, Checker, ErrorLog, Locator, unknown_key
from nnsvg.errors import Location, ThemeError, ThemeErrors
from nnsvg.spec.load import Path_, parse_document
from nnsvg.theme_files import (
    TRUSTED,
    ThemeAccess,
    ThemeLayer,
    builtin_theme_names,
    builtin_theme_path,
    is_theme_file,
    read_chain,
    read_source,
    styles_dir,
)

__all__ = [
    "SECTION_TYPES",
    "Theme",
    "ThemeAccess",
    "builtin_theme_names",
    "builtin_theme_path",
    "is_theme_file",
    "load_theme",
    "resolve_theme",
    "styles_dir",
    "theme_to_data",
]


# --- the theme's shape --------------------------------------------------------
# Each field's metadata says how to read it: kind is one of number, posnumber,
# unit (0..1), integer, color, string, choice, bool, dash; choices for choice.


def _f(kind: str, **meta: Any) -> Any:
    return dataclasses.field(metadata={"kind": kind, **meta})


@dataclass(frozen=True, slots=True)
class CanvasTheme:
    background: str = _f("color")
    margin: float = _f("number", minimum=0, maximum=1000)


@dataclass(frozen=True, slots=True)
class FontTheme:
    family: str = _f("string")
    size: float = _f("number", minimum=1, maximum=200)
    color: str = _f("color")
    title_weight: str = _f("choice", choices=("normal", "bold"))


@dataclass(frozen=True, slots=True)
class NodeTheme:
    radius: float = _f("number", minimum=1, maximum=200)
    spacing: float = _f("number", minimum=0, maximum=1000)
    fill: str = _f("color")
    stroke: str = _f("color")
    stroke_width: float = _f("number", minimum=0, maximum=20)
    input_fill: str = _f("color")
    output_fill: str = _f("color")


@dataclass(frozen=True, slots=True)
class BiasTheme:
    fill: str = _f("color")
    stroke: str = _f("color")
    stroke_width: float = _f("number", minimum=0, maximum=20)
    dash: tuple[float, ...] = _f("dash")
    text: str = _f("string")
    text_color: str = _f("color")
    gap: float = _f("number", minimum=0, maximum=1000)


@dataclass(frozen=True, slots=True)
class LayerTheme:
    spacing: float = _f("number", minimum=10, maximum=5000)
    label_gap: float = _f("number", minimum=0, maximum=500)


@dataclass(frozen=True, slots=True)
class EdgeTheme:
    color: str = _f("color", allow_none=False)
    width: float = _f("number", minimum=0.01, maximum=20)
    opacity: float = _f("number", minimum=0, maximum=1)
    curve: str = _f("choice", choices=("straight", "bezier"))
    min_width: float = _f("number", minimum=0.01, maximum=20)
    max_width: float = _f("number", minimum=0.01, maximum=20)
    min_opacity: float = _f("number", minimum=0, maximum=1)


@dataclass(frozen=True, slots=True)
class WeightTheme:
    negative: str = _f("color", allow_none=False)
    zero: str = _f("color", allow_none=False)
    positive: str = _f("color", allow_none=False)
    levels: int = _f("integer", minimum=2, maximum=256)


@dataclass(frozen=True, slots=True)
class ArrowTheme:
    shape: str = _f("choice", choices=("none", "open", "solid"))
    length: float = _f("number", minimum=1, maximum=100)
    width: float = _f("number", minimum=1, maximum=100)
    gap: float = _f("number", minimum=0, maximum=100)
    stroke_width: float = _f("number", minimum=0.1, maximum=10)


@dataclass(frozen=True, slots=True)
class EllipsisTheme:
    color: str = _f("color", allow_none=False)
    dot_radius: float = _f("number", minimum=0.2, maximum=50)


@dataclass(frozen=True, slots=True)
class RecurrentTheme:
    color: str = _f("color", allow_none=False)
    width: float = _f("number", minimum=0.1, maximum=20)
    height: float = _f("number", minimum=1, maximum=500)


@dataclass(frozen=True, slots=True)
class LabelTheme:
    title_size: float = _f("number", minimum=1, maximum=200)
    size_size: float = _f("number", minimum=1, maximum=200)
    activation_size: float = _f("number", minimum=1, maximum=200)
    activation_style: str = _f("choice", choices=("normal", "italic"))
    secondary_color: str = _f("color", allow_none=False)
    line_gap: float = _f("number", minimum=0, maximum=100)
    min_separation: float = _f("number", minimum=0, maximum=500)
    figure_title_size: float = _f("number", minimum=1, maximum=200)


@dataclass(frozen=True, slots=True)
class LegendTheme:
    bar_length: float = _f("number", minimum=10, maximum=2000)
    bar_thickness: float = _f("number", minimum=2, maximum=200)
    gap: float = _f("number", minimum=0, maximum=1000)
    font_size: float = _f("number", minimum=1, maximum=200)
    stroke: str = _f("color")


@dataclass(frozen=True, slots=True)
class MapsTheme:
    """Stacks of 2D feature maps (the LeNet style)."""

    colors: tuple[str, ...] = _f("colorlist")
    color_by: str = _f("choice", choices=("alternate", "kind"))
    opacity: float = _f("number", minimum=0.05, maximum=1)
    stroke: str = _f("color")
    stroke_width: float = _f("number", minimum=0, maximum=20)
    offset: float = _f("number", minimum=0, maximum=200)
    max_drawn: int = _f("integer", minimum=1, maximum=64)
    scale: str = _f("choice", choices=("linear", "sqrt", "log"))
    max_side: float = _f("number", minimum=4, maximum=2000)
    min_side: float = _f("number", minimum=1, maximum=2000)
    spacing: float = _f("number", minimum=0, maximum=2000)


@dataclass(frozen=True, slots=True)
class VectorTheme:
    """Dense layers drawn as slanted vectors."""

    scale: str = _f("choice", choices=("linear", "sqrt", "log"))
    max_length: float = _f("number", minimum=4, maximum=2000)
    min_length: float = _f("number", minimum=1, maximum=2000)
    thickness: float = _f("number", minimum=1, maximum=200)
    fill: str = _f("color")
    link_color: str = _f("color", allow_none=False)
    link_width: float = _f("number", minimum=0.1, maximum=20)


@dataclass(frozen=True, slots=True)
class FilterTheme:
    """The kernel square on a map and its projection lines to the next map."""

    stroke: str = _f("color", allow_none=False)
    stroke_width: float = _f("number", minimum=0.1, maximum=20)
    fill: str = _f("color")
    fill_opacity: float = _f("number", minimum=0, maximum=1)
    line_color: str = _f("color", allow_none=False)
    line_width: float = _f("number", minimum=0.1, maximum=20)


@dataclass(frozen=True, slots=True)
class SkipTheme:
    """Skip connections: arcs over the figure with a merge mark."""

    color: str = _f("color", allow_none=False)
    width: float = _f("number", minimum=0.1, maximum=20)
    height: float = _f("number", minimum=4, maximum=500)
    lane: float = _f("number", minimum=2, maximum=200)
    mark_radius: float = _f("number", minimum=2, maximum=50)
    mark_fill: str = _f("color")


@dataclass(frozen=True, slots=True)
class KindsTheme:
    """A colour per layer kind (maps.color_by: kind, and the legend of kinds)."""

    input: str = _f("color", allow_none=False)
    conv: str = _f("color", allow_none=False)
    conv_transpose: str = _f("color", allow_none=False)
    pool: str = _f("color", allow_none=False)
    upsample: str = _f("color", allow_none=False)
    flatten: str = _f("color", allow_none=False)
    dense: str = _f("color", allow_none=False)
    softmax: str = _f("color", allow_none=False)


@dataclass(frozen=True, slots=True)
class BlocksTheme:
    """Block colours by category (the blocks style), and whether to use them."""

    color_by: str = _f("choice", choices=("category", "none"))
    attention: str = _f("color", allow_none=False)
    norm: str = _f("color", allow_none=False)
    feed_forward: str = _f("color", allow_none=False)
    conv: str = _f("color", allow_none=False)
    pool: str = _f("color", allow_none=False)
    embedding: str = _f("color", allow_none=False)
    recurrent: str = _f("color", allow_none=False)
    activation: str = _f("color", allow_none=False)
    io: str = _f("color", allow_none=False)
    merge: str = _f("color", allow_none=False)
    other: str = _f("color", allow_none=False)


@dataclass(frozen=True, slots=True)
class BoxesTheme:
    """3D boxes (the AlexNet style)."""

    color: str = _f("color", allow_none=False)
    color_by: str = _f("choice", choices=("uniform", "kind"))
    opacity: float = _f("number", minimum=0.05, maximum=1)
    stroke: str = _f("color", allow_none=False)
    stroke_width: float = _f("number", minimum=0, maximum=20)
    shade_top: float = _f("number", minimum=0, maximum=1)
    shade_side: float = _f("number", minimum=0, maximum=1)
    scale: str = _f("choice", choices=("linear", "sqrt", "log"))
    max_size: float = _f("number", minimum=4, maximum=2000)
    min_size: float = _f("number", minimum=1, maximum=2000)
    depth_scale: str = _f("choice", choices=("linear", "sqrt", "log"))
    max_depth: float = _f("number", minimum=1, maximum=2000)
    min_depth: float = _f("number", minimum=1, maximum=2000)
    spacing: float = _f("number", minimum=0, maximum=2000)
    filter_color: str = _f("color", allow_none=False)
    filter_opacity: float = _f("number", minimum=0.05, maximum=1)
    pyramid_color: str = _f("color", allow_none=False)
    pyramid_opacity: float = _f("number", minimum=0.05, maximum=1)
    band_shade: float = _f("number", minimum=0, maximum=1)
    band_depth: float = _f("number", minimum=0.05, maximum=0.9)
    bar_size: float = _f("number", minimum=1, maximum=200)
    bar_scale: str = _f("choice", choices=("linear", "sqrt", "log"))
    bar_max: float = _f("number", minimum=4, maximum=2000)
    bar_min: float = _f("number", minimum=1, maximum=2000)
    arrow_color: str = _f("color", allow_none=False)
    arrow_width: float = _f("number", minimum=0.1, maximum=20)
    dims_size: float = _f("number", minimum=1, maximum=200)


@dataclass(frozen=True, slots=True)
class Theme:
    name: str = _f("string")
    description: str = _f("string")
    canvas: CanvasTheme = _f("section")
    font: FontTheme = _f("section")
    node: NodeTheme = _f("section")
    bias: BiasTheme = _f("section")
    layer: LayerTheme = _f("section")
    edge: EdgeTheme = _f("section")
    weights: WeightTheme = _f("section")
    arrow: ArrowTheme = _f("section")
    ellipsis: EllipsisTheme = _f("section")
    recurrent: RecurrentTheme = _f("section")
    label: LabelTheme = _f("section")
    legend: LegendTheme = _f("section")
    maps: MapsTheme = _f("section")
    vector: VectorTheme = _f("section")
    filter: FilterTheme = _f("section")
    skip: SkipTheme = _f("section")
    kinds: KindsTheme = _f("section")
    boxes: BoxesTheme = _f("section")
    blocks: BlocksTheme = _f("section")


#: Each section of a theme (node, edge...) and the dataclass of its keys.
SECTION_TYPES: dict[str, type] = {
    f.name: f.type if isinstance(f.type, type) else globals()[f.type]
    for f in fields(Theme)
    if f.metadata["kind"] == "section"
}
_TOP_KEYS = ("extends", *(f.name for f in fields(Theme)))


# --- merging ---------------------------------------------------------------------
def _merge(chain: list[ThemeLayer]) -> tuple[dict[str, Any], dict[tuple[str, ...], Locator]]:
    """Merge a chain (nearest first) into one dict, remembering which document gave each key."""
    merged: dict[str, Any] = {}
    origin: dict[tuple[str, ...], Locator] = {}
    for layer in reversed(chain):
        for key, value in layer.data.items():
            if key == "extends":
                continue
            if isinstance(value, dict) and key in SECTION_TYPES:
                section = merged.setdefault(key, {})
                if not isinstance(section, dict):
                    section = merged[key] = {}
                for sub, subvalue in value.items():
                    section[sub] = subvalue
                    origin[(key, sub)] = layer.doc
            else:
                merged[key] = value
                origin[(key,)] = layer.doc
    return merged, origin


def _convert(checker: Checker, spec: dataclasses.Field, value: Any, path: Path_) -> Any:
    kind = spec.metadata["kind"]
    meta = spec.metadata
    if value is None:
        if kind == "color" and meta.get("allow_none", True):
            return "none"
        if kind == "dash":
            return ()
        checker.error(path, "must have a value (it is empty/null)")
        return None
    if kind == "number":
        return checker.number(value, path, minimum=meta.get("minimum"), maximum=meta.get("maximum"))
    if kind == "integer":
        return checker.integer(
            value, path, minimum=meta.get("minimum"), maximum=meta.get("maximum")
        )
    if kind == "color":
        return checker.color(value, path, allow_none=meta.get("allow_none", True))
    if kind == "string":
        return checker.string(value, path)
    if kind == "choice":
        return checker.choice(value, path, meta["choices"])
    if kind == "bool":
        return checker.boolean(value, path)
    if kind == "colorlist":
        items = checker.sequence(value, path, what="a list of colours, e.g. ['#e0e0e0', '#a0a0a0']")
        if not items:
            if items is not None:
                checker.error(path, "must list at least one colour")
            return None
        colors = tuple(checker.color(v, (*path, i), allow_none=False) for i, v in enumerate(items))
        return None if None in colors else colors
    if kind == "dash":
        if value is None or value == [] or value == "none":
            return ()
        items = checker.sequence(value, path, what="a list of dash lengths, e.g. [3, 2]")
        if items is None:
            return None
        dash = tuple(
            checker.number(v, (*path, i), minimum=0, maximum=1000) for i, v in enumerate(items)
        )
        return None if None in dash else dash
    raise AssertionError(kind)


def _build(merged: dict[str, Any], origin: dict[tuple[str, ...], Locator], doc: Locator) -> Theme:
    log = ErrorLog()  # the whole chain's errors: the first ones reported, the rest counted
    values: dict[str, Any] = {}

    def checker_for(key: tuple[str, ...]) -> Checker:
        return Checker(origin.get(key, origin.get(key[:1], doc)), ThemeError, log)

    top_checker = Checker(doc, ThemeError, log)
    for key in merged:
        if key not in _TOP_KEYS:
            message = unknown_key(key, _TOP_KEYS, noun="theme key", listing=None)
            checker_for((key,)).error((key,), message, at_key=True)
    for f in fields(Theme):
        kind = f.metadata["kind"]
        if kind != "section":
            raw = merged.get(f.name, "")
            values[f.name] = checker_for((f.name,)).string(raw, (f.name,)) or ""
            continue
        section_type = SECTION_TYPES[f.name]
        raw_section = merged.get(f.name, {})
        if not isinstance(raw_section, dict):
            checker_for((f.name,)).error((f.name,), "must be a mapping of theme keys")
            continue
        names = tuple(sf.name for sf in fields(section_type))
        section_values = {}
        for key in raw_section:
            if key not in names:
                message = unknown_key(key, names, noun="theme key", listing="; allowed: ")
                checker_for((f.name, key)).error((f.name, key), message, at_key=True)
        for sf in fields(section_type):
            path = (f.name, sf.name)
            if sf.name not in raw_section:
                top_checker.error(
                    path, "missing (the theme chain must end in a complete theme)", content=False
                )
                continue
            section_values[sf.name] = _convert(checker_for(path), sf, raw_section[sf.name], path)
        if len(section_values) == len(names) and None not in section_values.values():
            values[f.name] = section_type(**section_values)
    log.raise_if_any(ThemeErrors)
    theme = Theme(**values)
    for section, low, high in (
        ("maps", "min_side", "max_side"),
        ("vector", "min_length", "max_length"),
        ("boxes", "min_size", "max_size"),
        ("boxes", "min_depth", "max_depth"),
        ("boxes", "bar_min", "bar_max"),
    ):
        if getattr(getattr(theme, section), low) > getattr(getattr(theme, section), high):
            raise ThemeError(
                f"{section}.{low} must not exceed {section}.{high}",
                location=checker_for((section, low)).doc.location((section, low)),
            )
    if theme.edge.min_width > theme.edge.max_width:
        owner = checker_for(("edge", "min_width")).doc
        numbers = (
            (f" ({theme.edge.min_width})", f" ({theme.edge.max_width})")
            if getattr(owner, "quotable", True)
            else ("", f" ({NOT_SHOWN})")
        )
        raise ThemeError(
            f"edge.min_width{numbers[0]} must not exceed edge.max_width{numbers[1]}",
            location=owner.location(("edge", "min_width")),
        )
    return theme


def resolve_theme(
    base: str | Theme | None = None,
    overrides: dict[str, Any] | None = None,
    *,
    overrides_doc: Locator | None = None,
    overrides_path: Path_ = (),
    base_dir: Path | None = None,
    base_is_from_overrides: bool = False,
    access: ThemeAccess = TRUSTED,
) -> Theme:
    """The theme ``base`` (a built-in name, a file path or a :class:`Theme`; default
    ``default``), with ``overrides`` (a mapping like a theme file's, e.g. from a spec)
    merged on top.

    ``overrides_doc``/``overrides_path`` locate the overrides in their spec for
    error messages; ``base_dir`` resolves relative theme paths; ``access`` says which
    theme files may be read and quoted (see :mod:`nnsvg.theme_files`; by default any
    regular file: a theme the caller names is trusted).
    """
    if isinstance(base, Theme):
        if not overrides:
            return base
        data = {**theme_to_data(base), "extends": None}  # complete: nothing to extend
        first = ThemeLayer(data, parse_document("{}", "<theme object>"))
        chain = [first]
    else:
        base = base or "default"
        where = None
        if overrides_doc is not None and base_is_from_overrides:
            where = overrides_doc.location((*overrides_path, "extends"))
        first, first_path, first_key = read_source(base, base_dir, where, access)
        chain = read_chain(first, first_path.parent, first_key, access)
    doc = first.doc
    if overrides:
        odoc = overrides_doc or parse_document("{}", "<overrides>")
        sub = _SubDocument(odoc, overrides_path)
        chain.insert(0, ThemeLayer({k: v for k, v in overrides.items() if k != "extends"}, sub))
        doc = sub
    merged, origin = _merge(chain)
    return _build(merged, origin, doc)


def load_theme(name_or_path: str) -> Theme:
    """A built-in theme by name, or a theme file by path."""
    return resolve_theme(name_or_path)


class _SubDocument:
    """Locations inside a mapping nested in a larger document (a spec's ``theme:``)."""

    def __init__(self, doc: Locator, prefix: Path_) -> None:
        self._doc = doc
        self._prefix = tuple(prefix)
        self.field_prefix = self._prefix  # errors name theme.node.radius, not node.radius

    def location(self, path: Path_) -> Location:
        return self._doc.location((*self._prefix, *path))

    def key_location(self, path: Path_) -> Location:
        return self._doc.key_location((*self._prefix, *path))


def theme_to_data(theme: Theme) -> dict[str, Any]:
    """The theme as plain data, in field order, ready to dump as a theme file."""
    data: dict[str, Any] = {}
    for f in fields(theme):
        value = getattr(theme, f.name)
        if dataclasses.is_dataclass(value):
            data[f.name] = {
                sf.name: list(v) if isinstance(v := getattr(value, sf.name), tuple) else v
                for sf in fields(value)
            }
        else:
            data[f.name] = value
    return data
