"""``--embed-fonts``: the shipped fonts an SVG's texts use, subset and embedded in it.

A browser or Inkscape draws an SVG's text with whatever fonts its machine has; nnsvg
measured it (and draws PNGs and PDFs) with the DejaVu faces it ships
(:mod:`nnsvg.fonts`). :func:`embed_fonts` makes the SVG carry those faces itself: a
``<style>`` in ``<defs>`` with one ``@font-face`` rule per face its texts are drawn in,
named as the shipped family (``DejaVu Sans``), with that face's ``font-weight`` and
``font-style`` descriptors, and a ``data:`` URI holding only the glyphs the texts use.
Its ``unicode-range`` lists exactly those characters, so that two figures inlined in one
HTML page (each with its own subset of ``DejaVu Sans``) complement each other instead of
one hiding the other's characters.

Which face draws a text is what :meth:`nnsvg.textmetrics.TextMetrics.face` says for its
family, weight and style (inherited from the figure, its groups, the text, and a
:class:`~nnsvg.scene.TextRun`'s own). A ``font-family`` list that does not start with
the shipped family it is drawn in (``'Times New Roman', serif``, from ``--font``) gets
that family put in front, as the PNG and PDF writers replace it
(:func:`nnsvg.render.cairo_svg.for_cairo`): the SVG then shows the glyphs the layout
measured, and the rest of the list stays as the fallback for other characters.

The subsets are made by fontTools' subsetter (imported here only, so that an ordinary
render does not pay its import time), without hinting, without layout features but
those that place combining marks (``ccmp``, ``mark``, ``mkmk``: no kerning nor
ligatures, which nnsvg's layout and cairo do not apply either), with the fonts' own
copyright and licence names kept (the Bitstream Vera licence asks that its notice go
with every copy), and with the fonts' timestamps as they are: the same figure gives the
same bytes on every run.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Iterable
from functools import lru_cache

from nnsvg.fonts import FACE_FILES, FAMILIES, font_path
from nnsvg.scene import Group, Item, Scene, Text, TextStyle
from nnsvg.textmetrics import DEFAULT_METRICS

__all__ = ["embed_fonts", "font_face_rule", "subset_font", "used_faces"]

# The layout features kept: those that compose and place combining marks (x̂).
LAYOUT_FEATURES = ("ccmp", "mark", "mkmk")
# Name records kept: copyright (0), family to PostScript name (1-6), licence and its URL
# (13, 14).
NAME_IDS = (0, 1, 2, 3, 4, 5, 6, 13, 14)
# Tables a browser does not use: FontForge's timestamps, the math layout table.
DROP_TABLES = ("FFTM", "MATH")

_MIME = {".ttf": "font/ttf", ".otf": "font/otf"}
# A font-family attribute: inside a start tag, since text content and attribute values
# hold no raw "<" or ">" (the SVG writer escapes them), so a title that reads
# 'font-family="x"' is left alone.
_FAMILY_ATTR = re.compile(r'(<[^<>]*?\sfont-family=")([^"]*)"')
# What XML 1.0 cannot hold: the SVG writer writes these as U+FFFD (see render.svg._xml).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SVG_SPACE = str.maketrans("\t\n\r", "   ")  # SVG's default xml:space turns them into spaces


def _inherit(style: TextStyle | None, family: str, weight: str, slant: str) -> tuple[str, str, str]:
    if style is None:
        return family, weight, slant
    return (style.family or family, style.weight or weight, style.style or slant)


def _drawn(item: Text, family: str, weight: str, slant: str) -> Iterable[tuple[str, str]]:
    """(face key, characters) of each piece of ``item``, whose inherited font is given."""
    family, weight, slant = _inherit(item.style, family, weight, slant)
    if not item.runs:
        yield DEFAULT_METRICS.face(family, weight, slant), item.text
        return
    for run in item.runs:
        face = DEFAULT_METRICS.face(run.family or family, run.weight or weight, run.style or slant)
        yield face, run.text


def used_faces(scene: Scene) -> dict[str, str]:
    """Face key -> the characters (sorted, each once) that ``scene``'s texts draw in that
    face, as the SVG holds them; faces in :data:`~nnsvg.fonts.FACE_FILES` order."""
    start = _inherit(scene.font, "sans-serif", "normal", "normal")
    found: dict[str, set[str]] = {}
    stack: list[tuple[tuple[Item, ...], tuple[str, str, str]]] = [(scene.items, start)]
    while stack:
        items, inherited = stack.pop()
        for item in items:
            if isinstance(item, Group):
                stack.append((item.children, _inherit(item.text_style, *inherited)))
            elif isinstance(item, Text):
                for face, text in _drawn(item, *inherited):
                    text = _NOT_XML.sub("\ufffd", text).translate(_SVG_SPACE)
                    if text:
                        found.setdefault(face, set()).update(text)
    return {face: "".join(sorted(found[face])) for face in FACE_FILES if face in found}


def subset_font(face: str, chars: str) -> bytes:
    """The shipped file of ``face`` cut down to the glyphs of ``chars`` (and ``.notdef``),
    as the bytes of a font file of the same kind (TrueType or CFF). Deterministic."""
    return _subset(face, chars)[0]


@lru_cache(maxsize=64)
def _subset(face: str, chars: str) -> tuple[bytes, tuple[int, ...]]:
    """:func:`subset_font`'s bytes, and the code points the subset maps (those of
    ``chars`` the face has)."""
    from fontTools import subset
    from fontTools.ttLib.tables.otBase import USE_HARFBUZZ_REPACKER

    options = subset.Options()
    options.hinting = False
    options.layout_features = list(LAYOUT_FEATURES)
    options.name_IDs = list(NAME_IDS)
    options.drop_tables = [*options.drop_tables, *DROP_TABLES]
    options.recalc_timestamp = False  # head.modified as shipped: the same bytes every run
    options.ignore_missing_unicodes = True  # a character the face lacks is left out
    options.desubroutinize = True  # CFF: smaller once a subset has few glyphs
    # fontTools' own packer of the layout tables, not HarfBuzz's where uharfbuzz happens
    # to be installed: the same bytes on every machine.
    options.harfbuzz_repacker = False
    # Lazy: only the glyphs kept are decompiled (0.05 s a face instead of 0.5 s).
    font = subset.load_font(str(font_path(face)), options, dontLoadGlyphNames=True, lazy=True)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[ord(c) for c in chars])
        subsetter.subset(font)
        mapped = tuple(sorted(font.getBestCmap() or ()))
        out = io.BytesIO()
        font.cfg[USE_HARFBUZZ_REPACKER] = False
        font.save(out, reorderTables=True)
    finally:
        font.close()
    return out.getvalue(), mapped


def _family(face: str) -> str:
    """The family name a face is drawn under: the shipped family of its group
    (:data:`~nnsvg.fonts.FAMILIES`, as the SVG's font lists name it), else the family
    its font file names."""
    family = FAMILIES.get(_group(face))
    return family if family is not None else _file_family(face)


def _group(face: str) -> str:
    return face.split("-")[0]


@lru_cache(maxsize=16)
def _file_family(face: str) -> str:
    from fontTools.ttLib import TTFont

    with TTFont(font_path(face), lazy=True) as font:
        return font["name"].getBestFamilyName() or face


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string that is also safe in XML character data."""
    out = []
    for ch in text:
        if ch in "\\'<>&" or ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


def _ranges(codepoints: Iterable[int]) -> str:
    """A CSS ``unicode-range`` value: ``U+20,U+31-33``."""
    parts: list[str] = []
    run: list[int] = []
    for cp in sorted(set(codepoints)):
        if run and cp == run[-1] + 1:
            run.append(cp)
            continue
        if run:
            parts.append(_range(run[0], run[-1]))
        run = [cp]
    if run:
        parts.append(_range(run[0], run[-1]))
    return ",".join(parts)


def _range(first: int, last: int) -> str:
    return f"U+{first:X}" if first == last else f"U+{first:X}-{last:X}"


def font_face_rule(face: str, chars: str) -> str | None:
    """The ``@font-face`` rule that embeds the glyphs of ``chars`` from ``face`` (None
    when the face has none of them)."""
    data, have = _subset(face, chars)
    if not have:
        return None
    mime = _MIME.get(font_path(face).suffix.lower(), "font/sfnt")
    weight = "bold" if "-bold" in face else "normal"
    slant = "italic" if "-italic" in face else "normal"
    payload = base64.b64encode(data).decode("ascii")
    return (
        f"@font-face{{font-family:{_css_string(_family(face))};font-style:{slant};"
        f"font-weight:{weight};unicode-range:{_ranges(have)};"
        f"src:url(data:{mime};base64,{payload})}}"
    )


def _attribute(text: str) -> str:
    """``text`` escaped for an attribute value between double quotes."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _lead_with_shipped(svg: str, families: dict[str, str]) -> str:
    """``svg`` with each ``font-family`` list whose first family is not the shipped
    family it is drawn in (``families``: face group -> family, those embedded) led by
    that family."""

    def lead(match: re.Match[str]) -> str:
        listed = html.unescape(match[2])
        family = families.get(_group(DEFAULT_METRICS.face(listed)))
        first = listed.split(",")[0].strip().strip("\"'").strip()
        if family is None or first.lower() == family.lower():
            return match[0]
        return f'{match[1]}{_attribute(_css_string(family))}, {match[2]}"'

    return _FAMILY_ATTR.sub(lead, svg)


def embed_fonts(svg: str, scene: Scene) -> str:
    """``svg`` (the SVG text :func:`nnsvg.render.svg.render_svg` wrote for ``scene``) with
    the fonts its texts use embedded (see the module's text); a figure without text is
    returned as it is."""
    rules: list[str] = []
    families: dict[str, str] = {}
    for face, chars in used_faces(scene).items():
        rule = font_face_rule(face, chars)
        if rule is not None:
            rules.append(rule)
            families[_group(face)] = _family(face)
    if not rules:
        return svg
    svg = _lead_with_shipped(svg, families)
    style = '<style type="text/css">\n' + "\n".join(rules) + "\n</style>\n"
    # Everything before the figure's root group is the <title>, <desc> and <defs>, whose
    # texts are escaped: the first "<g " is that group, a "<defs>" before it the defs.
    root = svg.find("<g ")
    if root < 0:
        root = svg.rfind("</svg>")
    defs = svg.find("<defs>", 0, root)
    if defs >= 0:
        at = defs + len("<defs>\n")
        return svg[:at] + style + svg[at:]
    return svg[:root] + "<defs>\n" + style + "</defs>\n" + svg[root:]
