"""Latin Modern (LaTeX's Computer Modern) and DejaVu bold italic: shipped, measured,
drawn, and the ``latex`` theme that uses them (issue #15)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from nnsvg import fonts
from nnsvg.fonts.sfnt import read_face
from nnsvg.textmetrics import DEFAULT_METRICS as M

NEW_FACES = (
    "roman",
    "roman-bold",
    "roman-italic",
    "roman-bold-italic",
    "math",
    "sans-bold-italic",
    "serif-bold-italic",
)
LM = "Latin Modern Roman"
SPEC = {
    "style": "fcnn",
    "layers": [
        {"units": 3, "label": "Input"},
        {"units": 4, "label": "Hidden", "activation": "relu"},
        {"units": 2, "label": "Output"},
    ],
    "labels": {"sizes": "plain"},
}


def _svg(text: str, family: str, weight: str = "normal", style: str = "normal") -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40"><text x="4" y="30" '
        f'font-size="20" font-family="{family}" font-weight="{weight}" font-style="{style}">'
        f"{text}</text></svg>"
    )


# -- shipped and read ---------------------------------------------------------------------


def test_the_new_faces_and_the_licence_ship() -> None:
    for face in NEW_FACES:
        assert fonts.font_path(face).is_file(), face
        assert face in fonts.FACE_NAMES
    licence = (fonts.FONT_DIR / "LICENSE-LatinModern.txt").read_text(encoding="utf-8")
    assert "GUST Font License" in licence and "lmroman10-regular.otf" in licence


@pytest.mark.parametrize("face", [f for f in NEW_FACES if f.startswith(("roman", "math"))])
def test_latin_modern_files_are_unmodified(face: str) -> None:
    # The GUST Font License asks for renamed fonts when modified: ship them as TeX has them.
    name = fonts.FACE_FILES[face]
    sub = "lm-math" if face == "math" else "lm"
    system = Path("/usr/share/texmf/fonts/opentype/public") / sub / name
    if not system.is_file():
        pytest.skip("fonts-lmodern is not installed")
    assert fonts.font_path(face).read_bytes() == system.read_bytes()


@pytest.mark.parametrize(
    "face", ["roman", "roman-bold", "roman-italic", "roman-bold-italic", "math"]
)
def test_the_cff_files_are_read(face: str) -> None:
    metrics = read_face(fonts.font_path(face))
    assert metrics.units_per_em == 1000
    assert metrics.ascender > 0 > metrics.descender
    assert ord("M") in metrics.advances and ord("x") in metrics.advances


def test_widths_come_from_the_latin_modern_files() -> None:
    advances = read_face(fonts.font_path("roman")).advances
    assert advances[ord("M")] == 917  # LM Roman 10 Regular, 1000 units per em
    assert M.width("M", 1000, LM) == 917
    assert M.width("Hidden Layer", 10, LM) == pytest.approx(
        sum(advances[ord(c)] for c in "Hidden Layer") / 100
    )
    for face, weight, style in (
        ("roman-bold", "bold", "normal"),
        ("roman-italic", "normal", "italic"),
        ("roman-bold-italic", "bold", "italic"),
    ):
        advance = read_face(fonts.font_path(face)).advances[ord("M")]
        assert M.width("M", 1000, LM, weight, style) == advance
    # LM Roman is narrower than DejaVu Serif, which the serif names keep.
    assert M.width("Hidden Layer", 10, LM) < M.width("Hidden Layer", 10, "serif")


def test_latin_modern_lines_use_its_typographic_extent() -> None:
    # LM Roman's hhea spans its tallest glyphs (1.127 + 0.290 em), more than a 1.2 em
    # line: labels use its OS/2 typographic 0.806 + 0.194 em, TeX's body; DejaVu keeps hhea.
    regular = read_face(fonts.font_path("roman"))
    assert (regular.ascender, regular.descender) == (1127, -290)
    assert (regular.typo_ascender, regular.typo_descender) == (806, -194)
    for weight in ("normal", "bold"):
        assert M.ascent(1000, LM, weight) == 806 and M.descent(1000, LM, weight) == 194
    assert M.ascent(12, LM) + M.descent(12, LM) <= M.line_height(12)
    assert M.ascent(2048, "serif") == 1901 and M.descent(2048, "serif") == 483


def test_the_reader_agrees_with_fonttools_on_os2() -> None:
    ttlib = pytest.importorskip("fontTools.ttLib")
    for face in fonts.FACE_FILES:
        ours = read_face(fonts.font_path(face))
        os2 = ttlib.TTFont(str(fonts.font_path(face)))["OS/2"]
        assert (ours.typo_ascender, ours.typo_descender) == (
            os2.sTypoAscender,
            os2.sTypoDescender,
        )


def test_bold_italic_is_measured_in_its_own_face() -> None:
    sans = read_face(fonts.font_path("sans-bold-italic"))
    expected = (2000 * sans.advances[ord("W")] + 2048) // 4096
    assert M.width("W", 1000, "sans-serif", "bold", "italic") == expected
    assert M.width("Wide", 12, "serif", 700, "italic") != M.width(
        "Wide", 12, "serif", 400, "italic"
    )


def test_a_character_latin_modern_lacks_is_measured_in_dejavu_sans() -> None:
    assert ord("ℝ") not in read_face(fonts.font_path("roman")).advances
    assert M.width("ℝ", 1000, LM) == M.width("ℝ", 1000, "DejaVu Sans")
    assert M.width("ℝ", 1000, LM, "bold") == M.width("ℝ", 1000, "DejaVu Sans", "bold")
    assert (
        M.width("ℝ", 1000, "Latin Modern Math")
        == read_face(fonts.font_path("math")).advances[ord("ℝ")]
    )


# -- family names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "weight", "style", "expected"),
    [
        ("'Latin Modern Roman', 'Computer Modern', 'CMU Serif', serif", "normal", None, "roman"),
        ("Latin Modern Roman", "bold", "normal", "roman-bold"),
        ("Latin Modern Roman", "normal", "italic", "roman-italic"),
        ("Latin Modern Roman", 700, "italic", "roman-bold-italic"),
        ("'LM Roman 10'", "normal", "normal", "roman"),
        ("LMRoman10", "normal", "oblique", "roman-italic"),
        ("'Latin Modern Roman 12'", "normal", "normal", "roman"),
        ("Computer Modern", "bold", "normal", "roman-bold"),
        ("'Computer Modern Serif'", "normal", "normal", "roman"),
        ("'CMU Serif'", "normal", "normal", "roman"),
        ("'CMU Serif Upright Italic'", "normal", "normal", "roman"),
        ("'CMU Concrete'", "normal", "normal", "roman"),
        ("'Latin Modern Math'", "normal", "normal", "math"),
        ("'Latin Modern Math'", "bold", "italic", "math"),
        ("'CMU Sans Serif'", "normal", "normal", "sans"),
        ("'CMU Typewriter Text'", "normal", "normal", "mono"),
        ("'Latin Modern Mono'", "bold", "normal", "mono"),
        ("'Latin Modern Sans'", "normal", "italic", "sans-italic"),
        ("'STIX Two Text'", "normal", "normal", "serif"),
        ("Times, serif", "bold", "italic", "serif-bold-italic"),
        ("sans-serif", "bold", "italic", "sans-bold-italic"),
        ("monospace", "bold", "italic", "mono"),
    ],
)
def test_family_names_map_to_faces(
    family: str, weight: str | int, style: str | None, expected: str
) -> None:
    assert M.face(family, weight, style) == expected


def test_the_configuration_names_the_new_families() -> None:
    conf = fonts.fonts_conf()
    for name in ("latin modern roman", "computer modern", "cmu serif", "latin modern math"):
        assert f"<string>{name}</string>" in conf
    assert "<string>Latin Modern Roman</string>" in conf
    assert "<string>Latin Modern Math</string>" in conf
    assert fonts.FAMILIES["roman"] == LM and fonts.FAMILIES["math"] == "Latin Modern Math"


# -- drawn ---------------------------------------------------------------------------------


def test_cairo_draws_each_shipped_family_in_its_own_face() -> None:
    pytest.importorskip("cairosvg")
    from nnsvg.render.png import png_from_svg

    drawn = {
        (family, weight, style): png_from_svg(_svg("Rxfg W1", family, weight, style))
        for family in (LM, "DejaVu Serif", "DejaVu Sans", "DejaVu Sans Mono")
        for weight in ("normal", "bold")
        for style in ("normal", "italic")
    }
    # Every family, weight and slant differs from every other, except that mono has
    # one face (its bold is emboldened).
    distinct = {
        key: png for key, png in drawn.items() if key[0] != "DejaVu Sans Mono" or key[2] != "italic"
    }
    assert len(set(distinct.values())) == len(distinct)
    # Latin Modern Math draws what LM Roman lacks (its Latin letters are LM Roman's).
    math = png_from_svg(_svg("ℝ ∑ ≤", "Latin Modern Math"))
    assert math != png_from_svg(_svg("ℝ ∑ ≤", LM))
    assert math != png_from_svg(_svg("ℝ ∑ ≤", "DejaVu Serif"))
    # "Computer Modern" and "CMU Serif" are drawn in LM Roman, as they are measured.
    assert png_from_svg(_svg("Rxfg W1", "'CMU Serif', serif")) == drawn[(LM, "normal", "normal")]
    assert png_from_svg(_svg("Rxfg W1", "Computer Modern")) == drawn[(LM, "normal", "normal")]


def _pdffonts(path: Path) -> str:
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    return subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    pytest.importorskip("cairosvg")
    import nnsvg

    out = tmp_path_factory.mktemp("latex")
    paths = {}
    for theme in ("latex", "paper"):
        figure = nnsvg.Figure(SPEC, theme=theme)
        for fmt in ("png", "pdf"):
            paths[f"{theme}.{fmt}"] = figure.save(out / f"{theme}.{fmt}")
        paths[f"{theme}-again.png"] = figure.save(out / f"{theme}-again.png")
        paths[f"{theme}-again.pdf"] = nnsvg.Figure(SPEC, theme=theme).save(
            out / f"{theme}-again.pdf"
        )
    return paths


def test_a_latex_figure_is_drawn_in_latin_modern(rendered: dict[str, Path]) -> None:
    listing = _pdffonts(rendered["latex.pdf"])
    assert "LMRoman10-Regular" in listing
    assert "LMRoman10-Italic" in listing  # the activation line
    assert "DejaVu" not in listing
    assert "LMRoman10" not in _pdffonts(rendered["paper.pdf"])
    assert rendered["latex.png"].read_bytes() != rendered["paper.png"].read_bytes()


def test_latex_figures_are_deterministic(rendered: dict[str, Path]) -> None:
    for name in ("latex.png", "latex.pdf"):
        again = name.replace(".", "-again.")
        assert rendered[name].read_bytes() == rendered[again].read_bytes(), name


# -- the theme and the lint ---------------------------------------------------------------


def test_the_latex_theme() -> None:
    from nnsvg.theme import builtin_theme_names, load_theme

    assert "latex" in builtin_theme_names()
    theme = load_theme("latex")
    assert theme.font.family.startswith("'Latin Modern Roman'")
    assert M.face(theme.font.family) == "roman"
    assert theme.font.size == 10
    assert 8 <= theme.label.size_size <= 9 and 8 <= theme.legend.font_size <= 9
    paper = load_theme("paper")
    assert (theme.node, theme.edge, theme.font.color) == (paper.node, paper.edge, paper.font.color)


def test_the_lint_names_latin_modern_for_a_character_it_lacks(tmp_path: Path) -> None:
    from nnsvg.lint import lint_file
    from nnsvg.pipeline import RenderOptions

    spec = tmp_path / "n.yaml"
    spec.write_text(
        'style: fcnn\nlayers:\n  - {units: 3, label: "x 入"}\n  - {units: 2, label: "Out³"}\n'
        "labels: {sizes: plain}\n",
        encoding="utf-8",
    )
    found = [
        f.message
        for f in lint_file(spec, render_options=RenderOptions(theme="latex"))
        if f.rule == "glyph-missing"
    ]
    # No shipped font has the CJK character; ³ is in LM Roman.
    assert len(found) == 1
    assert "U+5165 CJK UNIFIED IDEOGRAPH-5165, which LM Roman 10 (the font" in found[0]
