"""How large a figure's PNG is (and its PDF page), from a Scene or from SVG text.

A figure whose root ``<svg>`` has a ``width`` in a physical unit (in, mm, cm,
pt or pc) has a physical size:

* PNG: pixels = physical size × ``dpi`` (default 300), times ``scale`` if
  given. ``width="3.5in"`` at the defaults is 1050 pixels wide.
* PDF: the page is the physical size.

Any other figure (unitless or ``px`` width, or only a ``viewBox``) is measured
in user units, one user unit being one CSS px (1/96 in):

* PNG: pixels = user units × ``scale``; ``scale`` defaults to 2.0, or to
  ``dpi / 96`` when only ``dpi`` is given (``dpi`` is ignored when ``scale``
  is given too).
* PDF: the page is the width and height read as px at 96 per inch
  (100 user units = 75 pt), cairosvg's own rule.

Every PNG records its pixel density (a pHYs chunk: ``dpi`` × ``scale`` for a physical
size, 96 × ``scale`` otherwise), so a word processor or LaTeX places it at the
figure's size, as it does the SVG and the PDF.

A ``%`` width or height falls back to the ``viewBox``. ``dpi`` and ``scale``
must be positive and finite; a PNG is limited to
``MAX_PNG_SIDE`` × ``MAX_PNG_SIDE`` pixels and ``MAX_PNG_PIXELS`` pixels in all.

A writer that has the Scene takes its size from :func:`scene_size` (the numbers
:func:`nnsvg.render.svg.root_size` writes on the root, so cairosvg draws the SVG at the
same size); only the public functions that take SVG text read it back from the root
start tag (:func:`svg_size`).
"""

from __future__ import annotations

import math
import re

from nnsvg.errors import ExportError
from nnsvg.scene import Scene
from nnsvg.units import PX_PER_INCH, PX_PER_UNIT

__all__ = [
    "DEFAULT_DPI",
    "DEFAULT_SCALE",
    "MAX_PNG_PIXELS",
    "MAX_PNG_SIDE",
    "check_positive",
    "pixel_size",
    "png_factor",
    "scene_size",
    "svg_size",
]

DEFAULT_DPI = 300.0
DEFAULT_SCALE = 2.0
MAX_PNG_SIDE = 20_000
MAX_PNG_PIXELS = 200_000_000

_PHYSICAL_UNITS = frozenset({"in", "mm", "cm", "pt", "pc"})

# The root start tag; quoted attribute values may contain ">".
_SVG_START_TAG = re.compile(r"<svg(?=[\s>/])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_SVG_LENGTH = re.compile(
    r"\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(px|in|mm|cm|pt|pc|%)?\s*"
)

#: A figure's size: width and height in CSS px, and whether they are physical.
Size = tuple[float, float, bool]


def check_positive(name: str, value: float | None) -> float | None:
    """``value`` as a float (None stays None); an ExportError unless positive and finite."""
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not (math.isfinite(value) and value > 0)
    ):
        raise ExportError(f"{name} must be a positive number, not {value!r}")
    return float(value)


def scene_size(scene: Scene) -> Size:
    """The width and height of ``scene``'s SVG in CSS px, and whether they are physical.

    >>> scene = Scene(viewbox=(0, 0, 200, 100), items=(), physical_width=(2.0, "in"))
    >>> scene_size(scene)
    (192.0, 96.0, True)
    """
    from nnsvg.render.svg import root_size

    width, height, unit = root_size(scene)
    per_unit = PX_PER_UNIT[unit or "px"]
    width_px, height_px = width * per_unit, height * per_unit
    for name, value in (("width", width_px), ("height", height_px)):
        if not (math.isfinite(value) and value > 0):
            raise ExportError(f"the SVG {name} must be positive, not {value!r}")
    return width_px, height_px, unit in _PHYSICAL_UNITS


def png_factor(size: Size, dpi: float | None, scale: float | None) -> float:
    """Device pixels per CSS px for a PNG of a figure of ``size``; checks the size
    limits. ``dpi`` and ``scale`` must have passed :func:`check_positive`."""
    width, height, physical = size
    if physical:
        factor = (dpi or DEFAULT_DPI) / PX_PER_INCH * (scale or 1.0)
    elif scale is not None:
        factor = scale
    elif dpi is not None:
        factor = dpi / PX_PER_INCH
    else:
        factor = DEFAULT_SCALE
    size_x, size_y = width * factor, height * factor
    if not (size_x < 1e9 and size_y < 1e9):  # inf too
        # Absurdly large (1e300 px from a 1e300in figure: the int arithmetic below would
        # overflow on it): refuse it from the floats alone.
        raise ExportError(
            f"the PNG would be {size_x:.4g}×{size_y:.4g} pixels, over the limit of "
            f"{MAX_PNG_SIDE}×{MAX_PNG_SIDE} and {MAX_PNG_PIXELS // 1_000_000} megapixels: "
            "use a smaller --dpi or --scale"
        )
    pixels_x, pixels_y = round(size_x), round(size_y)
    if pixels_x < 1 or pixels_y < 1:
        raise ExportError(
            f"the PNG would be {pixels_x}×{pixels_y} pixels: use a larger --dpi or --scale"
        )
    if max(pixels_x, pixels_y) > MAX_PNG_SIDE or pixels_x * pixels_y > MAX_PNG_PIXELS:
        raise ExportError(
            f"the PNG would be {pixels_x}×{pixels_y} pixels "
            f"({pixels_x * pixels_y / 1e6:.1f} megapixels), over the limit of "
            f"{MAX_PNG_SIDE}×{MAX_PNG_SIDE} and {MAX_PNG_PIXELS // 1_000_000} megapixels: "
            "use a smaller --dpi or --scale"
        )
    return factor


def pixel_size(size: Size, factor: float) -> tuple[int, int]:
    """The PNG's (width, height) in pixels at ``factor`` device pixels per CSS px,
    rounded as cairosvg sizes its surface (``int(round(...))``)."""
    return round(size[0] * factor), round(size[1] * factor)


def svg_size(svg: str) -> Size:
    """The root's width and height in CSS px and whether they are physical, read from
    SVG text.

    Only the ``<svg ...>`` start tag is read (a regex, not an XML parse), with
    cairosvg's rules: a missing or ``%`` length takes the ``viewBox`` size.

    >>> svg_size('<svg width="2in" height="1in">')
    (192.0, 96.0, True)
    """
    match = _SVG_START_TAG.search(svg)
    if match is None:
        raise ExportError("not an SVG document: no <svg> element found")
    attributes = match[1]
    viewbox = _svg_viewbox(_svg_attribute(attributes, "viewBox"))
    width, width_unit = _svg_length(attributes, "width", viewbox[0] if viewbox else None)
    height, _ = _svg_length(attributes, "height", viewbox[1] if viewbox else None)
    return width, height, width_unit in _PHYSICAL_UNITS


def _svg_attribute(attributes: str, name: str) -> str | None:
    match = re.search(rf"(?:^|\s){name}\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", attributes)
    if match is None:
        return None
    return match[1] if match[1] is not None else match[2]


def _svg_viewbox(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        numbers = [float(part) for part in re.split(r"[\s,]+", text.strip())]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise ExportError(f"cannot read the SVG viewBox {text!r}: expected four numbers")
    return numbers[2], numbers[3]


def _svg_length(attributes: str, name: str, fallback: float | None) -> tuple[float, str]:
    """Return one root length in CSS px and its unit (``""`` for unitless)."""
    text = _svg_attribute(attributes, name)
    match = _SVG_LENGTH.fullmatch(text) if text is not None else None
    if text is not None and match is None:
        raise ExportError(
            f"cannot read the SVG {name} {text!r}: "
            "expected a number with an optional unit px, in, mm, cm, pt, pc or %"
        )
    if match is None or match[2] == "%":
        if fallback is None:
            raise ExportError(
                f"cannot tell the {name} of the SVG: its <svg> element needs a {name} or a viewBox"
            )
        value, unit = fallback, ""
    else:
        unit = match[2] or ""
        value = float(match[1]) * PX_PER_UNIT[unit or "px"]
    if not (math.isfinite(value) and value > 0):
        raise ExportError(f"the SVG {name} must be positive, not {text or value!r}")
    return value, unit
