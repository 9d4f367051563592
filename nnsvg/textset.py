"""Setting a label: its math (:mod:`nnsvg.mathtext`) and fallback fonts, as text runs.

A label drawn in one font, every character of which that font has, is a plain
:class:`~nnsvg.scene.Text` (no runs), as before. Otherwise the label is set into
:class:`~nnsvg.scene.TextRun` s: its math as italic letters, scripts on shifted
baselines and symbols, and every character its font lacks in the first shipped
font that has it (Latin Modern Math, then DejaVu Sans, then DejaVu Serif; for a
roman label the math font comes first, for any other DejaVu Sans), except that
superscript and subscript digits the font lacks (``ℝ¹⁶`` in Latin Modern) are set
as raised or lowered digits of the label's own font, as LaTeX sets them. So no glyph is
dropped that any shipped font can draw, and every run is measured in the font it is
drawn with. cairo never falls back to another font by itself (see
:mod:`nnsvg.fonts`): this is where the fallback happens, for SVG, PNG and PDF alike.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from nnsvg.fonts import FAMILIES, font_path
from nnsvg.fonts.sfnt import read_face
from nnsvg.mathtext import Placed, has_math, layout
from nnsvg.scene import TextRun
from nnsvg.textmetrics import TextMetrics

__all__ = ["SetText", "set_text"]

ITALIC_OVERHANG = 0.1  # em: a slanted last letter reaches past its advance


@dataclass(frozen=True, slots=True)
class SetText:
    """A label set: its runs (empty when it is plain text in one font), the plain text
    it stands for, and its extents in the unit of the size."""

    runs: tuple[TextRun, ...]
    text: str
    width: float
    ascent: float
    descent: float


def _face_family(group: str) -> str:
    return f"'{FAMILIES[group]}'"


@lru_cache(maxsize=64)
def _coverage(face: str) -> frozenset[int]:
    return frozenset(read_face(font_path(face)).advances)


def _drawable(ch: str, have: frozenset[int]) -> bool:
    """Whether a character needs no fallback: the face has it, or it draws nothing."""
    return ord(ch) in have or ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")


@lru_cache(maxsize=256)
def _fallbacks(metrics: TextMetrics, family: str, weight: str, style: str) -> tuple[str, ...]:
    """The face groups a character missing from the family's face is drawn in."""
    group = metrics.face(family, weight, style).split("-")[0]
    order = ("math", "sans", "serif") if group == "roman" else ("sans", "serif", "math")
    return tuple(g for g in order if g != group and g in FAMILIES)


@dataclass(frozen=True, slots=True)
class _Look:
    family: str
    weight: str
    style: str


def _split(
    metrics: TextMetrics, text: str, look: _Look, fallbacks: tuple[str, ...]
) -> list[tuple[str, str | None]]:
    """``text`` cut where the drawing face changes: (characters, fallback group or
    None for the look's own family)."""
    have = _coverage(metrics.face(look.family, look.weight, look.style))
    pieces: list[tuple[str, str | None]] = []
    for ch in text:
        group: str | None = None
        if not _drawable(ch, have):
            for candidate in fallbacks:
                face = metrics.face(_face_family(candidate), look.weight, look.style)
                if ord(ch) in _coverage(face):
                    group = candidate
                    break
        if pieces and pieces[-1][1] == group:
            pieces[-1] = (pieces[-1][0] + ch, group)
        else:
            pieces.append((ch, group))
    return pieces


def _look(base: _Look, italic: bool | None, bold: bool | None) -> _Look:
    return _Look(
        base.family,
        base.weight if bold is None else ("bold" if bold else "normal"),
        base.style if italic is None else ("italic" if italic else "normal"),
    )


_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾", "0123456789+-=()", strict=True))
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎", "0123456789+-=()", strict=True))


def _scripts_as_math(content: str, have: frozenset[int]) -> str | None:
    """``content`` with its runs of superscript and subscript characters written as math
    scripts (``ℝ¹⁶`` -> ``ℝ$^{16}$``) when the face lacks one of them, so that they are
    set as raised digits of the label's own font rather than glyphs of two fonts mixed;
    None when there is nothing to do (or the label has math of its own)."""
    if has_math(content) or "\\" in content:
        return None
    if not any((c in _SUPERSCRIPTS or c in _SUBSCRIPTS) and ord(c) not in have for c in content):
        return None
    out: list[str] = []
    k = 0
    while k < len(content):
        table = _SUPERSCRIPTS if content[k] in _SUPERSCRIPTS else _SUBSCRIPTS
        if content[k] not in table:
            out.append(content[k])
            k += 1
            continue
        end = k
        while end < len(content) and content[end] in table:
            end += 1
        mark = "^" if table is _SUPERSCRIPTS else "_"
        out.append(f"${mark}{{{''.join(table[c] for c in content[k:end])}}}$")
        k = end
    return "".join(out)


@lru_cache(maxsize=4096)
def set_text(
    metrics: TextMetrics, content: str, size: float, family: str, weight: str, style: str
) -> SetText:
    """``content`` set at ``size`` in ``family`` (a CSS list), ``weight`` and ``style``."""
    base = _Look(family, weight, style)
    fallbacks = _fallbacks(metrics, family, weight, style)
    have = _coverage(metrics.face(family, weight, style))
    ascent = metrics.ascent(size, family, weight)
    descent = metrics.descent(size, family, weight)
    if not has_math(content) and all(_drawable(ch, have) for ch in content):
        width = metrics.width(content, size, family, weight, style)
        if style in ("italic", "oblique") and content:
            width += size * ITALIC_OVERHANG
        return SetText((), content, width, ascent, descent)
    scripted = _scripts_as_math(content, have)
    if scripted is not None:
        setting = set_text(metrics, scripted, size, family, weight, style)
        return SetText(setting.runs, content, setting.width, setting.ascent, setting.descent)

    def width_em(text: str, scale: float, italic: bool | None, bold: bool | None) -> float:
        look = _look(base, italic, bold)
        return sum(
            metrics.width(
                part,
                scale,
                look.family if group is None else _face_family(group),
                look.weight,
                look.style,
            )
            for part, group in _split(metrics, text, look, fallbacks)
        )

    placed, total = layout(content, width_em)
    runs = _runs(metrics, placed, size, base, fallbacks)
    if not runs:
        return SetText((), "", 0.0, ascent, descent)
    top = max(r.rise + ascent * (r.size or size) / size for r in runs)
    bottom = max(descent * (r.size or size) / size - r.rise for r in runs)
    last = runs[-1]
    width = total * size
    if (last.style or style) in ("italic", "oblique") and last.text[-1:].isalpha():
        width += (last.size or size) * ITALIC_OVERHANG
    text = "".join(r.text for r in runs)
    plain = all(
        r.rise == 0 and r.size is None and r.family is None and r.weight is None
        and r.style is None for r in runs
    )  # fmt: skip
    return SetText((() if plain else runs), text, width, top, bottom)


def _runs(
    metrics: TextMetrics,
    placed: list[Placed],
    size: float,
    base: _Look,
    fallbacks: tuple[str, ...],
) -> tuple[TextRun, ...]:
    """Placed pieces as runs in px, one per face change, neighbours of one look merged."""
    out: list[tuple[TextRun, float]] = []  # run, its end in px
    for piece in placed:
        look = _look(base, piece.italic, piece.bold)
        x = piece.x * size
        run_size = piece.scale * size
        for part, group in _split(metrics, piece.text, look, fallbacks):
            family = look.family if group is None else _face_family(group)
            end = x + metrics.width(part, run_size, family, look.weight, look.style)
            run = TextRun(
                x=x,
                text=part,
                rise=piece.rise * size,
                size=None if piece.scale == 1.0 else run_size,
                family=None if group is None else family,
                weight=None if look.weight == base.weight else look.weight,
                style=None if look.style == base.style else look.style,
            )
            prev = out[-1][0] if out else None
            if (
                prev is not None
                and abs(out[-1][1] - x) < 1e-9
                and (prev.rise, prev.size, prev.family, prev.weight, prev.style)
                == (run.rise, run.size, run.family, run.weight, run.style)
            ):
                out[-1] = (dataclasses.replace(prev, text=prev.text + part), end)
            else:
                out.append((run, end))
            x = end
    return tuple(run for run, _end in out)
