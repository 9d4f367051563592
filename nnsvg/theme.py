"""Themes: every colour, font, size and spacing of a figure, as data.

Built-in themes are YAML files in ``styles/`` (shipped inside the wheel as
``nnsvg/styles``). A theme names a parent with ``extends:`` (a theme that names
none extends ``default``, which is complete), and its keys are merged over the
parent's. A spec can override any key, the CLI can pick another base theme.
The result is a frozen :class:`Theme`; :func:`theme_to_data` prints it back.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from nnsvg.checker import MISSING, Checker, Locator, did_you_mean, printable
from nnsvg.errors import Location, SpecError, ThemeError, ThemeErrors
from nnsvg.spec.load import Document, Path_, load_document, parse_document

__all__ = [
    "Theme",
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


_SECTION_TYPES: dict[str, type] = {
    f.name: f.type if isinstance(f.type, type) else globals()[f.type]
    for f in fields(Theme)
    if f.metadata["kind"] == "section"
}
_TOP_KEYS = ("extends", *(f.name for f in fields(Theme)))
_MAX_EXTENDS = 16


# --- where themes live ------------------------------------------------------
def styles_dir() -> Path:
    """The folder of built-in themes: ``nnsvg/styles`` in a wheel, ``styles/`` in a checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "styles"
    if packaged.is_dir():
        return packaged
    return here.parent / "styles"


@lru_cache(maxsize=1)
def builtin_theme_names() -> tuple[str, ...]:
    folder = styles_dir()
    if not folder.is_dir():
        return ()
    return tuple(sorted(p.stem for p in folder.glob("*.yaml")))


def builtin_theme_path(name: str) -> Path:
    names = builtin_theme_names()
    if name not in names:
        raise ThemeError(
            f"unknown theme '{name}'{did_you_mean(name, names)}; built-in themes: "
            + ", ".join(names)
            + " (or give a path to a .yaml theme file)"
        )
    return styles_dir() / f"{name}.yaml"


def is_theme_file(name: str) -> bool:
    """Whether a theme reference names a file (a path or a .yaml/.yml/.json name) rather
    than a built-in theme."""
    return name.endswith((".yaml", ".yml", ".json")) or os.sep in name or "/" in name


# --- loading and merging --------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Layer:
    """One theme source: its data and the document that locates its values."""

    data: dict[str, Any]
    doc: Locator


def _read_source(ref: str, base_dir: Path | None, where: Location | None) -> tuple[_Layer, Path]:
    if is_theme_file(ref):
        if "\x00" in ref:
            raise ThemeError("a theme file name must not contain a NUL character", location=where)
        path = Path(ref)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        if not path.is_file():
            raise ThemeError(f"theme file not found: {printable(ref)}", location=where)
    else:
        try:
            path = builtin_theme_path(ref)
        except ThemeError as err:
            raise ThemeError(err.message, location=where) from None
    doc = _load_theme_document(str(path))
    if not isinstance(doc.data, dict):
        raise ThemeError("a theme must be a mapping", location=doc.location(()))
    return _Layer(doc.data, doc), path


@lru_cache(maxsize=64)
def _load_theme_document_cached(path: str, mtime_ns: int, size: int) -> Document:
    return load_document(path)


def _load_theme_document(path: str) -> Document:
    """A theme file's document, cached while the file is unchanged; the loader's
    SpecError is re-typed as a ThemeError."""
    stat = os.stat(path)
    try:
        return _load_theme_document_cached(path, stat.st_mtime_ns, stat.st_size)
    except SpecError as err:
        raise ThemeError(err.message, location=err.location, field=err.field) from None


def _chain(first: _Layer, first_dir: Path | None, first_name: str | None = None) -> list[_Layer]:
    """``first`` and its ancestors, nearest first, ending with a complete base."""
    chain = [first]
    seen: list[str] = [first_name] if first_name else []
    layer, base_dir = first, first_dir
    while True:
        parent = layer.data.get("extends", MISSING)
        if parent is None:
            return chain  # a complete base theme (default.yaml)
        if parent is MISSING:
            parent = "default"
        where = layer.doc.location(("extends",))
        if not isinstance(parent, str) or not parent:
            raise ThemeError("extends: must be a theme name or a path", location=where)
        if "\x00" in parent:
            raise ThemeError(
                "extends: a theme name must not contain a NUL character", location=where
            )
        key = (
            parent if not is_theme_file(parent) else str(((base_dir or Path()) / parent).resolve())
        )
        if key in seen:
            raise ThemeError(
                "extends: themes extend each other in a loop ("
                + " -> ".join(Path(k).name for k in [*seen, key])
                + ")",
                location=where,
            )
        if len(seen) >= _MAX_EXTENDS:
            raise ThemeError(
                f"extends: more than {_MAX_EXTENDS} themes extend each other", location=where
            )
        seen.append(key)
        layer, path = _read_source(parent, base_dir, where)
        base_dir = path.parent
        chain.append(layer)


def _merge(chain: list[_Layer]) -> tuple[dict[str, Any], dict[tuple[str, ...], Locator]]:
    """Merge a chain (nearest first) into one dict, remembering which document gave each key."""
    merged: dict[str, Any] = {}
    origin: dict[tuple[str, ...], Locator] = {}
    for layer in reversed(chain):
        for key, value in layer.data.items():
            if key == "extends":
                continue
            if isinstance(value, dict) and key in _SECTION_TYPES:
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
    errors = []
    values: dict[str, Any] = {}

    def checker_for(key: tuple[str, ...]) -> Checker:
        return Checker(origin.get(key, origin.get(key[:1], doc)), ThemeError)

    top_checker = Checker(doc, ThemeError)
    for key in merged:
        if key not in _TOP_KEYS:
            owner = checker_for((key,))
            owner.error(
                (key,),
                f"unknown theme key '{printable(str(key))}'{did_you_mean(str(key), _TOP_KEYS)}",
                at_key=True,
            )
            errors.extend(owner.errors)
    for f in fields(Theme):
        kind = f.metadata["kind"]
        if kind != "section":
            raw = merged.get(f.name, "")
            checker = checker_for((f.name,))
            values[f.name] = checker.string(raw, (f.name,)) or ""
            errors.extend(checker.errors)
            continue
        section_type = _SECTION_TYPES[f.name]
        raw_section = merged.get(f.name, {})
        if not isinstance(raw_section, dict):
            checker = checker_for((f.name,))
            checker.error((f.name,), "must be a mapping of theme keys")
            errors.extend(checker.errors)
            continue
        names = [sf.name for sf in fields(section_type)]
        section_values = {}
        for key in raw_section:
            if key not in names:
                checker = checker_for((f.name, key))
                hint = did_you_mean(str(key), names) or "; allowed: " + ", ".join(names)
                checker.error(
                    (f.name, key), f"unknown theme key '{printable(str(key))}'{hint}", at_key=True
                )
                errors.extend(checker.errors)
        for sf in fields(section_type):
            path = (f.name, sf.name)
            if sf.name not in raw_section:
                top_checker.error(path, "missing (the theme chain must end in a complete theme)")
                continue
            checker = checker_for(path)
            section_values[sf.name] = _convert(checker, sf, raw_section[sf.name], path)
            errors.extend(checker.errors)
        if len(section_values) == len(names) and None not in section_values.values():
            values[f.name] = section_type(**section_values)
    errors.extend(top_checker.errors)
    if errors:
        if len(errors) == 1:
            raise errors[0]
        raise ThemeErrors(errors)
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
        raise ThemeError(
            f"edge.min_width ({theme.edge.min_width}) must not exceed edge.max_width "
            f"({theme.edge.max_width})",
            location=checker_for(("edge", "min_width")).doc.location(("edge", "min_width")),
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
) -> Theme:
    """The theme ``base`` (a built-in name, a file path or a :class:`Theme`; default
    ``default``), with ``overrides`` (a mapping like a theme file's, e.g. from a spec)
    merged on top.

    ``overrides_doc``/``overrides_path`` locate the overrides in their spec for
    error messages; ``base_dir`` resolves relative theme paths.
    """
    if isinstance(base, Theme):
        if not overrides:
            return base
        data = {**theme_to_data(base), "extends": None}  # complete: nothing to extend
        first = _Layer(data, parse_document("{}", "<theme object>"))
        chain = [first]
    else:
        base = base or "default"
        where = None
        if overrides_doc is not None and base_is_from_overrides:
            where = overrides_doc.location((*overrides_path, "extends"))
        first, first_path = _read_source(base, base_dir, where)
        first_key = str(first_path.resolve()) if is_theme_file(base) else base
        chain = _chain(first, first_path.parent, first_key)
    doc = first.doc
    if overrides:
        odoc = overrides_doc or parse_document("{}", "<overrides>")
        sub = _SubDocument(odoc, overrides_path)
        chain.insert(0, _Layer({k: v for k, v in overrides.items() if k != "extends"}, sub))
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
