"""Text measurement for layout, without a font renderer.

The layout has to know how wide a label will be before any SVG is written, and
it must not depend on which fonts the viewer has.  Widths come from the font
files (DejaVu, Latin Modern) nnsvg ships and draws PNGs and PDFs with
(:mod:`nnsvg.fonts`), read by
:mod:`nnsvg.fonts.sfnt` the first time a face is measured: the ``hmtx`` advance of
every character in the face's ``cmap``, in 1/1000 em rounded half up.  A character
a face lacks takes its width from DejaVu Sans of the same weight (mono: DejaVu
Sans).  DejaVu is wider than Helvetica, Arial and Times, so these widths are a
safe, slightly generous measure for whichever font of a CSS family list a viewer
ends up using.

A CSS ``font-family`` list is mapped to one of the shipped faces -- ``"sans"``,
``"serif-bold"``, ``"roman-italic"``, ``"mono"``, ``"math"``, ... -- by the first
family in it that is recognised (see :meth:`TextMetrics.face`).

Characters outside the table are measured by a fallback: 0 for combining marks
and invisible format characters (zero-width space/joiners, BOM, soft hyphen,
...), 1 em for East Asian wide and full-width characters, 0.6 em for anything
else.  A tab counts as four spaces.

All lengths are in the unit of ``size`` (normally px): ``width("M", 1000)`` is the
advance of "M" in 1/1000 em.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from nnsvg.fonts import FACE_FILES, font_path
from nnsvg.fonts.sfnt import read_face

__all__ = ["DEFAULT_METRICS", "TextMetrics"]

_LINE_HEIGHT = 1.2
_FALLBACK = 600  # 1/1000 em, an ordinary character the table lacks
_FALLBACK_WIDE = 1000  # East Asian wide / full-width
_TAB_SPACES = 4
# Invisible characters; any other format character (category Cf) is also 0 wide.
_ZERO_WIDTH = "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"

# Unassigned code points that UAX #11 defaults to East Asian wide.
_UNASSIGNED_WIDE = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFD))

# Family names (lower case, single spaces) -> face group.
_MONO_NAMES = (
    "monospace",
    "ui-monospace",
    "courier",
    "courier new",
    "consolas",
    "menlo",
    "monaco",
    "dejavu sans mono",
    "liberation mono",
    "source code pro",
    "noto sans mono",
    "roboto mono",
    "fira mono",
    "fira code",
    "jetbrains mono",
    "ubuntu mono",
    "sf mono",
    "lucida console",
    "ibm plex mono",
)
_SERIF_NAMES = (
    "serif",
    "ui-serif",
    "times",
    "times new roman",
    "georgia",
    "garamond",
    "palatino",
    "palatino linotype",
    "dejavu serif",
    "liberation serif",
    "cambria",
    "noto serif",
    "tex gyre termes",
    "tex gyre pagella",
    "libertinus serif",
    "linux libertine",
    "charter",
    "baskerville",
)
_SANS_NAMES = (
    "sans-serif",
    "ui-sans-serif",
    "system-ui",
    "-apple-system",
    "helvetica",
    "helvetica neue",
    "arial",
    "dejavu sans",
    "liberation sans",
    "noto sans",
    "verdana",
    "open sans",
    "roboto",
    "inter",
    "segoe ui",
    "lato",
    "fira sans",
    "ibm plex sans",
    "tahoma",
    "calibri",
)
# Computer Modern and its OpenType version Latin Modern: LM Roman 10, shipped.
_ROMAN_NAMES = (
    "latin modern roman",
    "lmroman10",
    "lm roman 10",
    "computer modern",
    "computer modern serif",
    "cmu serif",
)
_MATH_NAMES = ("latin modern math",)
# Prefixes ("cmu*"); the longest matching prefix wins, after the exact names.
_PREFIXES = (
    ("cmu typewriter", "mono"),
    ("cmu sans", "sans"),
    ("cmu bright", "sans"),
    ("cmu", "roman"),
    ("latin modern mono", "mono"),
    ("latin modern sans", "sans"),
    ("latin modern math", "math"),
    ("latin modern", "roman"),
    ("lm roman", "roman"),
    ("lmroman", "roman"),
    ("stix", "serif"),
    ("source sans", "sans"),
    ("source serif", "serif"),
    ("dejavu sans mono", "mono"),
    ("dejavu serif", "serif"),
    ("dejavu sans", "sans"),
)

_EXACT: dict[str, str] = {
    **{name: "sans" for name in _SANS_NAMES},
    **{name: "serif" for name in _SERIF_NAMES},
    **{name: "mono" for name in _MONO_NAMES},
    **{name: "roman" for name in _ROMAN_NAMES},
    **{name: "math" for name in _MATH_NAMES},
}
_PREFIX_ORDER = tuple(sorted(_PREFIXES, key=lambda p: -len(p[0])))
_FAMILY_RE = re.compile(r"\"[^\"]*\"|'[^']*'|[^,]+")


def _group_of(name: str) -> str | None:
    """The face group ("sans", "serif", "mono", "roman", "math") of one family name,
    or None."""
    group = _EXACT.get(name)
    if group is not None:
        return group
    for prefix, group in _PREFIX_ORDER:
        if name.startswith(prefix):
            return group
    return None


def _is_bold(weight: str | int) -> bool:
    """CSS font-weight: "bold", "bolder" or a number >= 600."""
    if isinstance(weight, (int, float)) and not isinstance(weight, bool):
        return weight >= 600
    text = str(weight).strip().lower()
    if text in ("bold", "bolder"):
        return True
    try:
        return float(text) >= 600
    except ValueError:
        return False


def _is_italic(style: str | None) -> bool:
    """CSS font-style: "italic" or "oblique" (any angle)."""
    return str(style or "").strip().lower().split(" ")[0] in ("italic", "oblique")


@lru_cache(maxsize=512)
def _face_key(family: str, weight: str | int, style: str | None = "normal") -> str:
    """Face key for a CSS family list, weight and style (cached: layouts repeat them).

    The ideal key is the group, then "-bold", then "-italic"; where nnsvg ships no
    such face the nearest one that it ships is taken: the slant before the weight, and
    mono and math have a single face."""
    group = "sans"
    for token in _FAMILY_RE.findall(family):
        name = " ".join(token.strip().strip("\"'").split()).lower()
        found = _group_of(name) if name else None
        if found is not None:
            group = found
            break
    bold, italic = _is_bold(weight), _is_italic(style)
    for key in (
        group + "-bold" * bold + "-italic" * italic,
        group + "-italic" * italic,
        group + "-bold" * bold,
    ):
        if key in FACE_FILES:
            return key
    return group


@lru_cache(maxsize=4096)
def _fallback_width(ch: str) -> int:
    """Width in 1/1000 em of a character the table lacks."""
    category = unicodedata.category(ch)
    if category == "Cn":
        # unicodedata reports "F" for every unassigned code point; UAX #11 makes
        # only the unassigned CJK ideograph ranges wide.
        cp = ord(ch)
        wide = any(lo <= cp <= hi for lo, hi in _UNASSIGNED_WIDE)
        return _FALLBACK_WIDE if wide else _FALLBACK
    if unicodedata.combining(ch) or category in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return _FALLBACK_WIDE
    return _FALLBACK


class _WidthTable(dict[str, int]):
    """Character -> advance in 1/1000 em; absent characters use the fallback."""

    __slots__ = ()

    def __missing__(self, ch: str) -> int:
        return _fallback_width(ch)


def _borrow_from(face: str) -> str:
    """Where a face borrows a missing character's width from: DejaVu Sans of the
    same weight."""
    return "sans-bold" if "-bold" in face else "sans"


def _widths(face: str) -> dict[str, int]:
    """Character -> advance in 1/1000 em (rounded half up) of one shipped face."""
    metrics = read_face(font_path(face))
    upm = metrics.units_per_em
    return {chr(cp): (2000 * adv + upm) // (2 * upm) for cp, adv in metrics.advances.items()}


class _Tables(dict[str, _WidthTable]):
    """Face key -> width table, each read from its font file when first used."""

    __slots__ = ()

    def __missing__(self, face: str) -> _WidthTable:
        if face not in FACE_FILES:
            raise KeyError(face)
        table = _WidthTable(_widths(_borrow_from(face)))
        table.update(_widths(face))
        for ch in _ZERO_WIDTH:
            table[ch] = 0
        table["\t"] = _TAB_SPACES * table[" "]
        self[face] = table
        return table


_TABLES = _Tables()


@lru_cache(maxsize=32)
def _vertical(face: str) -> tuple[int, int, int]:
    """A face's ascender, descender (negative) and units per em: the hhea values, unless
    they span more than the line height (1.2 em) and the face has OS/2 typographic ones.

    hhea is what DejaVu's layout always used (1.16 em at most); Latin Modern's hhea
    holds its tallest glyphs (1.42 em), its typographic values TeX's 1 em body, which a
    1.2 em line height of labels fits as a LaTeX document's lines do."""
    metrics = read_face(font_path(face))
    upm = metrics.units_per_em
    ascender, descender = metrics.ascender, metrics.descender
    if ascender - descender > _LINE_HEIGHT * upm and metrics.typo_ascender > 0:
        ascender, descender = metrics.typo_ascender, metrics.typo_descender
    return ascender, descender, upm


def family_groups() -> tuple[dict[str, tuple[str, ...]], tuple[tuple[str, str], ...]]:
    """The family names recognised, lower case: per face group ("sans", "serif",
    "mono", "roman", "math") the exact names, and the (prefix, group) pairs, longest
    prefix first (nnsvg.fonts maps the same names to the shipped fonts)."""
    groups = {
        "sans": _SANS_NAMES,
        "serif": _SERIF_NAMES,
        "mono": _MONO_NAMES,
        "roman": _ROMAN_NAMES,
        "math": _MATH_NAMES,
    }
    return groups, _PREFIX_ORDER


@dataclass(frozen=True, slots=True)
class TextMetrics:
    """Measures text for layout; pure and deterministic.

    Widths are DejaVu advance widths (no kerning), so they slightly
    over-estimate text set in Helvetica, Arial or Times.
    """

    def face(self, family: str, weight: str | int = "normal", style: str | None = "normal") -> str:
        """The face key used for a CSS family list, weight and style: the shipped face
        (:data:`nnsvg.fonts.FACE_FILES`) that draws and measures such text.

        Keys are a group -- "sans", "serif" (DejaVu), "roman" (LM Roman 10, for
        Computer/Latin Modern names), "mono", "math" (Latin Modern Math) -- with
        "-bold" for a weight of "bold", "bolder" or >= 600 and "-italic" for a
        style of "italic" or "oblique": "sans-bold-italic", "roman-italic", ...;
        mono and math have a single face.  The list is scanned left to right
        (comma separated, quotes stripped, case insensitive); the first
        recognised family decides, unknown ones are skipped, and a list with
        none recognised is "sans".
        """
        return _face_key(family, weight, style)

    def width(
        self,
        text: str,
        size: float,
        family: str = "sans-serif",
        weight: str | int = "normal",
        style: str | None = "normal",
    ) -> float:
        """Advance width of one line of ``text`` at font size ``size``.

        The sum of the characters' advances times ``size`` / 1000, in the unit
        of ``size``.  It measures a single line: a newline is not a line break
        and counts like any unknown character (0.6 em).  A tab counts as four
        spaces.
        """
        if not text:
            return 0.0
        table = _TABLES[_face_key(family, weight, style)]
        return sum(map(table.__getitem__, text)) * size / 1000

    def ascent(
        self, size: float, family: str = "sans-serif", weight: str | int = "normal"
    ) -> float:
        """Height above the baseline (see :func:`_vertical`), in the unit of ``size``."""
        ascender, _, units_per_em = _vertical(_face_key(family, weight))
        return ascender * size / units_per_em

    def descent(
        self, size: float, family: str = "sans-serif", weight: str | int = "normal"
    ) -> float:
        """Depth below the baseline (positive; see :func:`_vertical`), in the unit of
        ``size``."""
        _, descender, units_per_em = _vertical(_face_key(family, weight))
        return -descender * size / units_per_em

    def line_height(self, size: float) -> float:
        """Baseline-to-baseline distance: 1.2 × ``size``."""
        return _LINE_HEIGHT * size


DEFAULT_METRICS = TextMetrics()
