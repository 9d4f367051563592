"""cairosvg, run safely: what the PNG and PDF writers share.

cairosvg and the cairo library are imported only when a PNG or a PDF is drawn
(:func:`import_cairo`), so SVG output needs neither.

cairosvg runs with ``unsafe=False`` (no XML entities) and a URL fetcher that refuses
everything but ``data:`` URIs (:func:`fetch_resource`), so a figure can never make the
converter read a local file or the network. A Ctrl-C while cairo calls back into Python
stays a Ctrl-C (:func:`interrupts_kept`). Anything cairosvg or cairo cannot draw is an
:class:`~nnsvg.errors.ExportError` with a short reason (:func:`reason`).
"""

from __future__ import annotations

import base64
import contextlib
import html
import re
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from nnsvg.errors import ExportError, NnsvgError
from nnsvg.units import PX_PER_INCH

__all__ = [
    "fetch_resource",
    "for_cairo",
    "import_cairo",
    "interrupts_kept",
    "reason",
    "svg_surface",
]

_FAMILY_ATTR = re.compile(r'font-family="([^"]*)"')


def for_cairo(svg: str) -> str:
    """``svg`` with every ``font-family`` list replaced by the one shipped family nnsvg
    measured it with (:mod:`nnsvg.fonts`): cairosvg hands cairo only the first family
    of a list, so a list starting with a family nnsvg does not know ("Inferno, serif")
    would be drawn in another font than the layout measured."""
    from nnsvg.fonts import FAMILIES
    from nnsvg.textmetrics import DEFAULT_METRICS

    def shipped(match: re.Match[str]) -> str:
        face = DEFAULT_METRICS.face(html.unescape(match[1]))
        return f'font-family="{FAMILIES[face.split("-")[0]]}"'

    return _FAMILY_ATTR.sub(shipped, svg)


def import_cairo(fmt: str = "PNG") -> None:
    """Import cairocffi and cairosvg's surfaces (see :func:`nnsvg.render.cairo_decls.
    import_cairo`); an ExportError saying ``fmt`` output needs them when they are
    missing or libcairo cannot be loaded."""
    try:
        from nnsvg.render import cairo_decls

        cairo_decls.import_cairo()
    except (ImportError, OSError) as exc:  # cairocffi raises OSError without libcairo
        raise ExportError(
            f"{fmt} output needs cairosvg and the cairo library: {reason(exc)}"
        ) from exc


def fetch_resource(url: str, resource_type: str) -> bytes:
    """cairosvg's URL fetcher: decode ``data:`` URIs, refuse everything else.

    cairosvg lets the exception propagate, so a figure that links a file or
    a web address fails to convert instead of reading it.
    """
    if not url.startswith("data:"):
        shown = url if len(url) <= 200 else url[:197] + "..."
        raise ExportError(f"refused to fetch external resource {shown!r}")
    header, comma, payload = url[len("data:") :].partition(",")
    if not comma:
        raise ExportError("malformed data: URI in the SVG (no comma)")
    raw = unquote_to_bytes(payload)
    if header.lower().endswith(";base64"):
        try:
            return base64.b64decode(raw)
        except ValueError as exc:
            raise ExportError(f"malformed base64 data: URI in the SVG: {exc}") from exc
    return raw


def svg_surface(svg: str, scale: float) -> Any:
    """cairosvg's drawing of ``svg`` as a cairo image surface (not encoded), at
    ``scale`` device pixels per CSS px."""
    import_cairo("PNG")
    from cairosvg.parser import Tree
    from cairosvg.surface import PNGSurface

    try:
        tree = Tree(
            bytestring=for_cairo(svg).encode("utf-8"), unsafe=False, url_fetcher=fetch_resource
        )
        drawing = PNGSurface(tree, None, PX_PER_INCH, scale=scale)
        drawing.cairo.flush()
        return drawing.cairo
    except NnsvgError:
        raise
    except Exception as exc:  # cairosvg and cairo raise many unrelated kinds
        raise ExportError(f"cannot convert the SVG to PNG: {reason(exc)}") from exc


@contextlib.contextmanager
def interrupts_kept() -> Iterator[None]:
    """Run cairo code so that a Ctrl-C stays a Ctrl-C.

    cairo calls back into Python (a PDF's or PNG's write callback, cffi's destructors);
    an exception there cannot propagate: cffi reports it as "unraisable" (printing a
    traceback) and the caller sees a cairo write error, or nothing at all. Inside this
    block a KeyboardInterrupt reported that way is kept quietly instead, and raised once
    the block ends, in place of whatever error it caused. Other unraisable exceptions go
    to the hook as before."""
    previous = sys.unraisablehook
    caught: list[BaseException] = []

    def hook(info: Any) -> None:
        if info.exc_type is not None and issubclass(info.exc_type, KeyboardInterrupt):
            caught.append(info.exc_value or KeyboardInterrupt())
        else:
            previous(info)

    sys.unraisablehook = hook
    try:
        yield
    except Exception:
        if caught:
            raise KeyboardInterrupt from None
        raise
    finally:
        sys.unraisablehook = previous
    if caught:
        raise KeyboardInterrupt


def reason(exc: BaseException) -> str:
    """A one-line reason for an error cairosvg or cairo raised."""
    if type(exc).__module__.startswith("defusedxml"):
        return "the SVG declares XML entities or a DTD, which are refused for safety"
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ""
    if len(text) > 200:
        text = text[:197] + "..."
    if not text or not isinstance(exc, (ValueError, SyntaxError, OSError)):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text
