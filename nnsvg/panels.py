"""Figures of panels: several networks side by side as one figure, read from a spec.

A spec with ``panels:`` lists the networks it shows, each an inline spec mapping or
``{spec: other.yaml}`` (a file beside the spec), each with an optional ``caption``.
The figure keeps its own ``title``, ``width``, ``font_size``, ``theme`` and ``fit``
(the whole figure fitted to a width: :mod:`nnsvg.panels_fit`), and ``columns`` (how
many panels a row; all in one row by default), ``captions`` (below or above each
panel) and ``align`` (how the panels of a row line up: on the network's axis, their
tops or their centres). ``fit`` in an inline panel is an error (the panels share the
figure's scale); a spec file a panel names keeps its own ``fit``, ``width`` and
``font_size`` for when it is drawn alone, and they are not read here.

:func:`build_panels` validates it into a :class:`PanelsSpec`; errors are located in
the file they come from: a value of an inline panel at its line in the figure's
file, one of a referenced spec in that spec's file. A panel that has panels itself
is an error (so no cycles).

Drawing is :mod:`nnsvg.panels_draw`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnsvg.checker import MISSING, Checker
from nnsvg.errors import Location, SpecError, printable
from nnsvg.fit import Fit, read_fit
from nnsvg.spec.load import Document, Path_, load_document
from nnsvg.spec.model import Spec, _physical_width, _points, _theme, build_spec

__all__ = [
    "ALIGNS",
    "CAPTION_PLACES",
    "PANEL_KEYS",
    "PANEL_TOP_KEYS",
    "Panel",
    "PanelsSpec",
    "build_panels",
    "is_panels",
    "panels_schema",
]

# The keys of a figure of panels an inline panel may not give: one scale, one text size
# and one fit for every panel (with an example for the message).
FIGURE_ONLY = {"fit": "fit: 7in", "width": "width: 7in", "font_size": "font_size: 8pt"}

PANEL_TOP_KEYS = (
    "panels",
    "title",
    "description",
    "show_title",
    "width",
    "font_size",
    "theme",
    "columns",
    "captions",
    "align",
    "fit",
)
PANEL_KEYS = ("spec", "caption")  # of a panel that names a file
CAPTION_PLACES = ("below", "above")
ALIGNS = ("axis", "top", "center")  # how the panels of a row line up (nnsvg.panels_draw)
MAX_PANELS = 26  # (a) to (z)


@dataclass(frozen=True)
class _PanelDocument(Document):
    """An inline panel's part of the figure's file: its values keep their places in
    the file, and messages name them from the top (``panels[1].layers[2].units``)."""

    field_prefix: Path_ = ()


@dataclass(frozen=True, slots=True)
class Panel:
    """One panel: its network's spec, its letter (``a``), its caption and its place."""

    spec: Spec
    letter: str
    caption: str | None
    path: Path_  # where the panel stands in the figure's spec: ("panels", 1)
    file: str | None = None  # the spec file it names, as written

    @property
    def label(self) -> str:
        """``(a) Plain network`` (``(a)`` without a caption)."""
        return f"({self.letter}) {self.caption}" if self.caption else f"({self.letter})"

    @property
    def has_theme(self) -> bool:
        """Whether the panel's spec names a theme of its own."""
        source = self.spec.source
        return source is not None and isinstance(source.data, dict) and "theme" in source.data


@dataclass(frozen=True, slots=True)
class PanelsSpec:
    """A figure of panels; the attributes other figures' code reads (``theme``,
    ``width``, ``font_size``, ``source``...) mean what they mean on a :class:`Spec`."""

    panels: tuple[Panel, ...]
    title: str | None = None
    description: str | None = None
    show_title: bool = False
    width: str | None = None
    font_size: float | None = None
    theme: str | None = None
    theme_overrides: dict[str, Any] | None = None
    columns: int | None = None  # panels a row; None: all in one row
    captions: str = "below"
    align: str = "axis"
    fit: Fit | None = None  # the whole figure fitted to a printed width (nnsvg.panels_fit)
    source: Document | None = field(default=None, compare=False, repr=False)
    style: str = "panels"
    layers: tuple = ()  # a figure of panels has no layers, images or weights of its own
    input: None = None
    extra_inputs: tuple = ()
    weights: None = None
    is_cnn: bool = False

    @property
    def base_dir(self) -> Path:
        if self.source is None or self.source.file.startswith("<"):
            return Path.cwd()
        return Path(self.source.file).resolve().parent

    def where(self, *path: str | int) -> Location | None:
        return self.source.location(tuple(path)) if self.source is not None else None

    def figure_spec(self) -> Spec:
        """The figure's own keys as a :class:`Spec` without layers (for its theme)."""
        return Spec(
            layers=(),
            title=self.title,
            description=self.description,
            theme=self.theme,
            theme_overrides=self.theme_overrides,
            width=self.width,
            font_size=self.font_size,
            fit=self.fit,
            source=self.source,
        )


def is_panels(doc: Document) -> bool:
    """Whether ``doc`` is a figure of panels (a mapping with ``panels``)."""
    return isinstance(doc.data, dict) and "panels" in doc.data


def _sub_document(doc: Document, path: Path_) -> _PanelDocument:
    """The value at ``path`` of ``doc`` as a document of its own, its places kept."""
    data: Any = doc.data
    for part in path:
        data = data[part]
    n = len(path)

    def marks(table: dict[Path_, tuple[int, int]]) -> dict[Path_, tuple[int, int]]:
        return {p[n:]: m for p, m in table.items() if p[:n] == path}

    return _PanelDocument(
        data={k: v for k, v in data.items() if k != "caption"},
        file=doc.file,
        _marks=marks(doc._marks),
        _key_marks=marks(doc._key_marks),
        field_prefix=(*getattr(doc, "field_prefix", ()), *path),
    )


def build_panels(doc: Document) -> PanelsSpec:
    """Validate a figure of panels (``is_panels(doc)``) into a :class:`PanelsSpec`;
    raises :class:`~nnsvg.errors.SpecError` (or ``SpecErrors``) located in the file
    each value comes from."""
    check = Checker(doc)
    data = check.mapping(doc.data, (), PANEL_TOP_KEYS, what="a mapping of spec keys")
    get = data.get
    title = _text(check, get("title", MISSING), ("title",), 500)
    description = _text(check, get("description", MISSING), ("description",), 5000)
    show_title = check.boolean(get("show_title", MISSING), ("show_title",), default=False)
    width = _physical_width(check, get("width", MISSING))
    font_size = _points(check, get("font_size", MISSING))
    theme, overrides = _theme(check, get("theme", MISSING))
    captions = check.choice(
        get("captions", MISSING), ("captions",), CAPTION_PLACES, default="below"
    )
    items = get("panels")
    if not isinstance(items, list) or not items:
        check.error(
            ("panels",),
            "must be a list of panels, each a spec mapping or {spec: file.yaml} with an "
            f"optional caption, got {_describe(items)}",
        )
        items = []
    elif len(items) > MAX_PANELS:
        check.error(("panels",), f"at most {MAX_PANELS} panels, (a) to (z), got {len(items)}")
        items = []
    columns = check.integer(
        get("columns", MISSING),
        ("columns",),
        minimum=1,
        maximum=max(len(items), 1),
        what="a number of panels a row",
    )
    align = check.choice(get("align", MISSING), ("align",), ALIGNS, default="axis")
    fit = read_fit(check, get("fit", MISSING), _physical_width, _points)
    check.raise_if_errors()
    panels = tuple(_panel(doc, item, k) for k, item in enumerate(items))
    return PanelsSpec(
        panels=panels,
        title=title,
        description=description,
        show_title=bool(show_title),
        width=width,
        font_size=font_size,
        theme=theme,
        theme_overrides=overrides,
        columns=columns,
        captions=captions or "below",
        align=align or "axis",
        fit=fit,
        source=doc,
    )


def _text(check: Checker, value: Any, path: Path_, limit: int) -> str | None:
    if value is MISSING or value is None:
        return None
    return check.string(value, path, max_length=limit)


def _describe(value: Any) -> str:
    from nnsvg.checker import describe

    return describe(value)


def _panel(doc: Document, item: Any, k: int) -> Panel:
    path: Path_ = ("panels", k)
    letter = chr(ord("a") + k)
    if not isinstance(item, dict):
        raise SpecError(
            f"panel ({letter}) must be a spec mapping or {{spec: file.yaml}}, got "
            f"{_describe(item)}",
            location=doc.location(path),
            field=f"panels[{k}]",
        )
    check = Checker(doc)
    caption = _text(check, item.get("caption", MISSING), (*path, "caption"), 500)
    if "spec" in item:
        check.mapping(item, path, PANEL_KEYS, what="a panel")
        name = check.string(item["spec"], (*path, "spec"), allow_empty=False)
        check.raise_if_errors()
        assert name is not None
        sub = _referenced(doc, name, (*path, "spec"))
        where = doc.location((*path, "spec"))
    else:
        for key, example in FIGURE_ONLY.items():
            if key in item:  # the figure's: one scale and one text size for every panel
                raise SpecError(
                    f"panel ({letter}) is drawn at the figure's scale, with the other panels, "
                    f"so {key} belongs to the figure: write {key} (such as {example}) beside "
                    "panels",
                    location=doc.location((*path, key)),
                    field=f"panels[{k}].{key}",
                )
        check.raise_if_errors()
        sub = _sub_document(doc, path)
        name, where = None, doc.location(path)
    if is_panels(sub):
        what = f"{printable(name)} is a figure of panels" if name else "it has panels"
        raise SpecError(
            f"panel ({letter}) draws one network, and {what}; list its networks here instead",
            location=where,
            field=f"panels[{k}]",
        )
    return Panel(spec=build_spec(sub), letter=letter, caption=caption, path=path, file=name)


def _referenced(doc: Document, name: str, path: Path_) -> Document:
    """The spec file a panel names: beside the figure's spec (or below its folder),
    read with the safety rules of any spec file."""
    location = doc.location(path)
    field_name = f"panels[{path[1]}].spec"

    def err(message: str) -> SpecError:
        return SpecError(message, location=location, field=field_name)

    shown = printable(name)
    if "\x00" in name:
        raise err("the path contains a NUL character")
    if "://" in name:
        raise err(f"must be a local file path, got a URL: {shown}")
    from nnsvg.safe_files import inside

    base = doc.file if not doc.file.startswith("<") else os.path.join(os.getcwd(), "<spec>")
    base_real = os.path.realpath(os.path.dirname(os.path.abspath(base)))
    real = os.path.realpath(os.path.join(base_real, name))
    if not inside(real, base_real):
        raise err(
            f"{shown} is outside the spec's folder; a panel's spec is read only from the "
            "figure's folder or below it"
        )
    if os.path.splitext(real)[1].lower() not in (".yaml", ".yml", ".json"):
        raise err(f"{shown} is not a spec file; give a .yaml, .yml or .json file")
    if not os.path.exists(real):
        raise err(f"{shown} not found (looked for {printable(real)})")
    if doc.file.startswith("<"):
        return load_document(real)
    return load_document(os.path.normpath(os.path.join(os.path.dirname(doc.file), name)))


def panels_schema(network: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema definitions of a figure of panels (``panels_figure``, ``panel``),
    given the schema of a network spec and of each of its top-level keys."""
    caption = {"description": "The panel's caption, after its letter.", **_STRING}
    own = {k: v for k, v in network["properties"].items() if k not in FIGURE_ONLY}
    inline = {**network, "properties": {**own, "caption": caption}}
    named = {
        "type": "object",
        "properties": {
            "spec": {"description": "A spec file beside this one.", **_STRING, "minLength": 1},
            "caption": caption,
        },
        "required": ["spec"],
        "additionalProperties": False,
    }
    figure = {
        "type": "object",
        "properties": {
            "panels": {
                "description": "Networks side by side as one figure, labelled (a), (b)...",
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_PANELS,
                "items": {"$ref": "#/$defs/panel"},
            },
            **{name: top[name] for name in ("title", "description", "show_title", "width")},
            **{name: top[name] for name in ("font_size", "theme", "fit")},
            "columns": {
                "description": "Panels a row (all in one row by default).",
                "type": ["integer", "null"],
                "minimum": 1,
                "maximum": MAX_PANELS,
            },
            "captions": {
                "description": "Where the labels go: below or above each panel.",
                "enum": [*CAPTION_PLACES, None],
            },
            "align": {
                "description": "How the panels of a row line up: on the network's axis "
                "(its main row level with the others'), at the top, or centred.",
                "enum": [*ALIGNS, None],
            },
        },
        "required": ["panels"],
        "additionalProperties": False,
    }
    panel = {"if": {"type": "object", "required": ["spec"]}, "then": named, "else": inline}
    return {"panels_figure": figure, "panel": panel}


_STRING = {"type": ["string", "number", "null"], "maxLength": 500}
