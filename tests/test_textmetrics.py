"""Tests for nnsvg.textmetrics: widths read from the shipped font files, checked against
fontTools reading the same files."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from functools import cache
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from nnsvg.fonts import FACE_FILES, font_path
from nnsvg.textmetrics import DEFAULT_METRICS, TextMetrics

ROOT = Path(__file__).resolve().parents[1]

M = DEFAULT_METRICS
UI_FONTS = "Helvetica, Arial, 'DejaVu Sans', sans-serif"


@cache
def _advances(face: str) -> tuple[dict[int, int], int]:
    """fontTools' reading of a shipped face: code point -> advance, units per em."""
    with TTFont(str(font_path(face)), lazy=True) as font:
        hmtx = font["hmtx"]
        advances = {cp: hmtx[glyph][0] for cp, glyph in font.getBestCmap().items()}
        return advances, font["head"].unitsPerEm


def has(face: str, ch: str) -> bool:
    return ord(ch) in _advances(face)[0]


def table_width(face: str, ch: str) -> int | None:
    """The advance of ``ch`` in 1/1000 em (half up) in the shipped face, as fontTools
    reads it; a character the face lacks borrows DejaVu Sans' of the same weight."""
    advances, upm = _advances(face)
    if ord(ch) not in advances:
        if face.startswith("sans"):
            return None
        return table_width("sans-bold" if "-bold" in face else "sans", ch)
    return (2000 * advances[ord(ch)] + upm) // (2 * upm)


# -- face selection -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "weight", "expected"),
    [
        ("sans-serif", "normal", "sans"),
        (UI_FONTS, "normal", "sans"),
        (UI_FONTS, "bold", "sans-bold"),
        ("serif", "normal", "serif"),
        ('"Times New Roman", Times, serif', 700, "serif-bold"),
        ("Georgia", "bolder", "serif-bold"),
        ("'CMU Serif', serif", "normal", "roman"),
        ("Latin Modern Roman", "normal", "roman"),
        ("STIX Two Text", 600, "serif-bold"),
        ("monospace", "normal", "mono"),
        ("Menlo, Consolas, monospace", "bold", "mono"),
        ("'DejaVu Sans Mono'", 900, "mono"),
        ("'dejavu sans'", "normal", "sans"),
        ("'DEJAVU SERIF'", "normal", "serif"),
        ("  'Source Code Pro' , serif", "normal", "mono"),
        ("Source Sans Pro, serif", "normal", "sans"),
        ("Roboto, 'Noto Serif'", "normal", "sans"),
        ("'Comic Neue', Wingdings, Georgia, sans-serif", "normal", "serif"),
        ("'My Font', Unknown", "normal", "sans"),
        ("", "normal", "sans"),
        ("Inter", "500", "sans"),
        ("Inter", "600", "sans-bold"),
        ("Arial", 599, "sans"),
        ("Arial", "lighter", "sans"),
        ("Helvetica", "Bold", "sans-bold"),
        ("Palatino,Garamond", "normal", "serif"),
        ("Cambria", "normal", "serif"),
        ("'Liberation Mono', 'Liberation Serif'", "normal", "mono"),
    ],
)
def test_face_selection(family: str, weight: str | int, expected: str) -> None:
    assert M.face(family, weight) == expected


def test_face_default_weight_and_family() -> None:
    assert M.face("Verdana") == "sans"
    assert M.face("courier") == "mono"


# -- width ----------------------------------------------------------------------------------


def test_empty_string_is_zero() -> None:
    assert M.width("", 12) == 0
    assert M.width("", 12, "serif", "bold") == 0


@pytest.mark.parametrize("family", ["sans-serif", "serif", "monospace"])
@pytest.mark.parametrize("weight", ["normal", "bold"])
@pytest.mark.parametrize(
    ("a", "b"), [("Input", " Layer"), ("ℝ", "⁷⁸⁴"), ("x", ""), ("中", "é\u0301"), ("a\tb", "☃")]
)
def test_width_is_additive(a: str, b: str, family: str, weight: str) -> None:
    whole = M.width(a + b, 13.5, family, weight)
    assert whole == pytest.approx(
        M.width(a, 13.5, family, weight) + M.width(b, 13.5, family, weight)
    )


@pytest.mark.parametrize("family", ["sans-serif", "serif", "monospace"])
def test_width_scales_linearly_with_size(family: str) -> None:
    base = M.width("Hidden Layer 3 × 128", 1, family)
    assert base > 0
    for size in (0.5, 7, 12, 18.25, 100):
        assert M.width("Hidden Layer 3 × 128", size, family) == pytest.approx(base * size)
    assert M.width("Hidden Layer", 0, family) == 0


def test_bold_is_wider() -> None:
    assert M.width("Hidden Layer", 12, "sans-serif", "bold") > M.width("Hidden Layer", 12)
    assert M.width("Hidden Layer", 12, "serif", "bold") > M.width("Hidden Layer", 12, "serif")
    # Mono has one width in every weight.
    assert M.width("Hidden Layer", 12, "monospace", "bold") == M.width(
        "Hidden Layer", 12, "monospace"
    )


def test_dejavu_serif_is_wider_than_sans() -> None:
    # One might expect serif text to be narrower (Times is narrower than Helvetica),
    # but DejaVu Serif is wider than DejaVu Sans: "Hidden Layer" is 6.921 em vs 6.655 em.
    sans = M.width("Hidden Layer", 1000, "sans-serif")
    serif = M.width("Hidden Layer", 1000, "serif")
    assert sans == pytest.approx(6655)
    assert serif == pytest.approx(6921)
    assert serif > sans


def test_known_value_m() -> None:
    assert table_width("sans", "M") == 863  # DejaVu Sans: 1767 / 2048 em
    assert M.width("M", 1000, "sans-serif") == table_width("sans", "M")
    assert M.width("MM", 1, "sans-serif") == pytest.approx(2 * 0.863)
    assert M.width("M", 1000, "monospace") == 602


def test_every_face_is_measured_from_its_file() -> None:
    for face in FACE_FILES:
        advances, _upm = _advances(face)
        for ch in "Hidden Layer 1@28×28 Wx+b":
            if ord(ch) in advances:
                family = {"sans": "sans-serif", "serif": "serif", "mono": "monospace"}.get(
                    face.split("-")[0], "'Latin Modern Math'" if face == "math" else "cmu serif"
                )
                weight = "bold" if "-bold" in face else "normal"
                style = "italic" if face.endswith("italic") else "normal"
                assert M.face(family, weight, style) == face
                assert M.width(ch, 1000, family, weight, style) == table_width(face, ch), (face, ch)


@pytest.mark.parametrize("face", ["sans", "sans-bold", "serif", "serif-bold", "mono"])
@pytest.mark.parametrize("ch", list("²³¹⁰⁷⁸⁴₀₁ₜℝ∈×·⋅…⋮⋯⊕⊗−±→←↑↓∑√∞≤≥≈∘•©‖αβΣΩωé"))
def test_special_characters_are_measured_from_the_table(face: str, ch: str) -> None:
    family = {"sans": "sans-serif", "serif": "serif", "mono": "monospace"}[face.split("-")[0]]
    weight = "bold" if face.endswith("bold") else "normal"
    expected = table_width(face, ch)
    assert expected is not None
    assert M.width(ch, 1000, family, weight) == expected


def test_superscripts_and_reals_are_not_fallback() -> None:
    assert M.width("ℝ", 1000) == 792
    assert M.width("⁷⁸⁴", 1000) == 3 * 401
    assert M.width("ℝ⁷⁸⁴", 12) == pytest.approx(12 * (792 + 3 * 401) / 1000)


def test_missing_glyphs_are_borrowed_from_dejavu_sans() -> None:
    assert not has("serif-bold", "ℝ")  # DejaVu Serif Bold has no ℝ
    assert M.width("ℝ", 1000, "serif", "bold") == table_width("sans-bold", "ℝ")
    assert not has("serif", "⋮")  # nor ⋮ DejaVu Serif
    assert M.width("⋮", 1000, "serif") == table_width("sans", "⋮")


@pytest.mark.parametrize("ch", ["\u0c85", "\u0f40", "\n", "\u03a2"])
def test_unknown_character_fallback(ch: str) -> None:
    # Characters no shipped DejaVu face has (Kannada, Tibetan, unassigned).
    assert M.width(ch, 10) == pytest.approx(6.0)
    assert M.width(ch, 10, "serif", "bold") == pytest.approx(6.0)


@pytest.mark.parametrize("ch", ["☃", "ж", "\u0100"])
def test_characters_outside_the_old_table_are_measured_from_the_font(ch: str) -> None:
    # Widths come from the shipped files' cmap/hmtx: every character DejaVu Sans has.
    from nnsvg.fonts import font_path
    from nnsvg.fonts.sfnt import read_face

    advance = read_face(font_path("sans")).advances[ord(ch)]
    assert M.width(ch, 1000) == (2000 * advance + 2048) // 4096  # half up


@pytest.mark.parametrize("ch", ["中", "文", "あ", "한", "Ａ", "。", "\U0002fffd"])
def test_east_asian_wide_fallback(ch: str) -> None:
    assert M.width(ch, 10) == pytest.approx(10.0)
    assert M.width(ch * 3, 10, "monospace") == pytest.approx(30.0)


def test_combining_marks_and_zero_width_characters() -> None:
    assert M.width("\u0301", 12) == 0  # combining acute accent
    assert M.width("e\u0301", 12) == M.width("e", 12)
    assert M.width("x\u20d7", 12, "serif") == M.width("x", 12, "serif")  # combining arrow
    for ch in "\u200b\u200c\u200d\ufeff\u00ad\u2060":
        assert M.width(ch, 12) == 0
        assert M.width("a" + ch + "b", 12) == M.width("ab", 12)


def test_tab_counts_as_four_spaces() -> None:
    for family in ("sans-serif", "serif", "monospace"):
        assert M.width("\t", 12, family) == pytest.approx(4 * M.width(" ", 12, family))


def test_width_is_fast() -> None:
    labels = [f"Hidden Layer {i} ℝ⁷⁸⁴" for i in range(10_000)]
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for label in labels:
            M.width(label, 12, UI_FONTS)
        best = min(best, time.perf_counter() - start)
    assert best < 0.1


# -- vertical metrics -------------------------------------------------------------------------


def test_vertical_metrics() -> None:
    assert M.ascent(2048) == pytest.approx(1901)  # DejaVu Sans hhea ascender
    assert M.descent(2048) == pytest.approx(483)  # hhea descender is -483
    assert M.ascent(12, "serif") == pytest.approx(12 * 1901 / 2048)
    assert M.ascent(12, "serif", "bold") == pytest.approx(12 * 1923 / 2048)
    assert M.descent(12, "monospace") == pytest.approx(12 * 483 / 2048)
    assert M.descent(12) > 0
    assert M.ascent(12) + M.descent(12) <= M.line_height(12)
    assert M.line_height(10) == pytest.approx(12.0)
    assert M.ascent(24) == pytest.approx(2 * M.ascent(12))


# -- the object -------------------------------------------------------------------------------


def test_metrics_object_is_frozen_and_pure() -> None:
    assert isinstance(DEFAULT_METRICS, TextMetrics)
    assert TextMetrics() == DEFAULT_METRICS
    assert hash(TextMetrics()) == hash(DEFAULT_METRICS)
    # CPython 3.10/3.11 raise TypeError for a frozen slots dataclass without fields.
    with pytest.raises((dataclasses.FrozenInstanceError, AttributeError, TypeError)):
        DEFAULT_METRICS.size = 3  # type: ignore[attr-defined]
    first = M.width("Input Layer", 12, UI_FONTS)
    assert [M.width("Input Layer", 12, UI_FONTS) for _ in range(3)] == [first] * 3


def test_textmetrics_does_not_import_fonttools() -> None:
    code = (
        "import sys, nnsvg.textmetrics\n"
        "assert not any(m.split('.')[0] == 'fontTools' for m in sys.modules), 'fontTools'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# -- against the real fonts -------------------------------------------------------------------


def test_widths_match_the_ttf() -> None:
    advances, upm = _advances("sans")
    assert abs(M.width("M", 1000, "sans-serif") - advances[ord("M")] * 1000 / upm) <= 0.5
    for ch in "Hidden Layer ℝ⁷⁸⁴ σ(Wx+b) ∑ ⊕ →":
        assert abs(M.width(ch, 1000) - advances[ord(ch)] * 1000 / upm) <= 0.5, ch
    with TTFont(str(font_path("sans")), lazy=True) as font:
        assert M.ascent(upm) == pytest.approx(font["hhea"].ascent)
        assert M.descent(upm) == pytest.approx(-font["hhea"].descent)
