"""nnsvg draws PNGs and PDFs with the fonts it ships, whatever fonts the system has."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nnsvg import fonts, textmetrics

from .conftest import ROOT, SPECS_DIR

pytest.importorskip("cairosvg")

# Places a system keeps fonts in; a configuration below names one kind only.
_GHOSTSCRIPT_DIRS = (
    "/usr/share/fonts/type1/urw-base35",
    "/usr/share/fonts/opentype/urw-base35",
    "/usr/share/fonts/urw-base35",
    "/usr/share/ghostscript/fonts",
)
_DEJAVU_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")


def _conf(tmp: Path, name: str, dirs: tuple[str, ...]) -> Path:
    """A fontconfig file that knows the fonts of ``dirs`` only (none when none exists)."""
    found = "".join(f"<dir>{d}</dir>" for d in dirs if Path(d).is_dir())
    path = tmp / f"{name}.conf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig>{found}<cachedir>{tmp / (name + '-cache')}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    return path


def _render(conf: Path, out: Path, spec: Path, theme: str | None = None) -> None:
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "PYTHONPATH": str(ROOT)}
    env.pop("NNSVG_SYSTEM_FONTS", None)
    args = [sys.executable, "-m", "nnsvg", "render", str(spec), "--out-dir", str(out)]
    args += ["--format", "png,pdf"] + (["--theme", theme] if theme else [])
    subprocess.run(args, check=True, capture_output=True, env=env, cwd=out.parent)


@pytest.mark.parametrize("theme", [None, "paper", "latex"])
def test_png_and_pdf_are_the_same_under_any_system_fonts(tmp_path: Path, theme: str | None) -> None:
    # One figure with ℝ and superscripts (the size lines), drawn in two processes whose
    # system fonts differ: ghostscript's (or none at all) and DejaVu only.
    spec = SPECS_DIR / "nnsvg-default.yaml"
    outs = []
    for name, dirs in (("ghostscript", _GHOSTSCRIPT_DIRS), ("dejavu", _DEJAVU_DIRS)):
        out = tmp_path / name
        _render(_conf(tmp_path, name, dirs), out, spec, theme)
        outs.append(out)
    png = [(o / "nnsvg-default.png").read_bytes() for o in outs]
    pdf = [(o / "nnsvg-default.pdf").read_bytes() for o in outs]
    assert png[0] == png[1]
    assert pdf[0] == pdf[1]


def test_every_size_line_character_is_drawn(tmp_path: Path) -> None:
    # Under a configuration with no font at all, "ℝ¹⁶" still draws: erasing it from
    # the figure changes pixels (with no font, cairo draws nothing or empty boxes).
    from PIL import Image, ImageChops

    conf = _conf(tmp_path, "none", ())
    spec = SPECS_DIR / "nnsvg-default.yaml"
    text = spec.read_text(encoding="utf-8")
    _render(conf, tmp_path / "with", spec)
    plain = tmp_path / "plain.yaml"
    plain.write_text(text + "\nlabels: {sizes: plain}\n", encoding="utf-8")
    _render(conf, tmp_path / "without", plain)
    a = Image.open(tmp_path / "with" / "nnsvg-default.png").convert("L")
    b = Image.open(tmp_path / "without" / "plain.png").convert("L").resize(a.size)
    assert ImageChops.difference(a, b).getbbox() is not None


def test_the_shipped_fonts_and_their_licence_are_in_the_package() -> None:
    for face in fonts.FACE_FILES:
        assert fonts.font_path(face).is_file()
    assert (fonts.FONT_DIR / "LICENSE-DejaVu.txt").is_file()


def test_the_configuration_maps_every_recognised_family() -> None:
    conf = fonts.fonts_conf()
    exact, _ = textmetrics.family_groups()
    for names in exact.values():
        for name in names:
            assert f"<string>{name}</string>" in conf
    assert conf == fonts.fonts_conf()  # deterministic
    assert "<dir>" not in conf and "cachedir" not in conf  # nothing read or written


def test_the_reader_agrees_with_fonttools() -> None:
    ttlib = pytest.importorskip("fontTools.ttLib")
    from nnsvg.fonts.sfnt import read_face

    for face in fonts.FACE_FILES:
        ours = read_face(fonts.font_path(face))
        font = ttlib.TTFont(str(fonts.font_path(face)))
        hmtx = font["hmtx"]
        assert ours.advances == {cp: hmtx[g][0] for cp, g in font.getBestCmap().items()}
        assert ours.units_per_em == font["head"].unitsPerEm
        assert (ours.ascender, ours.descender) == (font["hhea"].ascent, font["hhea"].descent)


def test_a_character_the_font_lacks_is_a_lint_finding(tmp_path: Path) -> None:
    from nnsvg.lint import lint_file

    spec = tmp_path / "n.yaml"
    spec.write_text(
        'style: fcnn\nlayers:\n  - {units: 3, label: "入 x̂"}\n  - {units: 2, label: "Out ⋮"}\n',
        encoding="utf-8",
    )
    found = [(f.rule, f.message) for f in lint_file(spec)]
    assert [m for r, m in found if r == "glyph-missing"] == [
        "'入 x̂' at (0, 71) has U+5165 CJK UNIFIED IDEOGRAPH-5165, which DejaVu Sans (the "
        "font nnsvg draws it with) cannot draw: PNG and PDF show an empty box; write the "
        "label without it"
    ]  # x̂'s combining hat and ⋮ are in DejaVu Sans
    from nnsvg.pipeline import RenderOptions

    paper = lint_file(spec, render_options=RenderOptions(theme="paper"))
    # DejaVu Serif lacks ⋮: it is drawn in DejaVu Sans instead (nnsvg.textset), so only
    # the character no shipped font has is a finding.
    assert [f.message.split(" has ")[1][:6] for f in paper if f.rule == "glyph-missing"] == [
        "U+5165"
    ]


def test_cairo_draws_a_family_list_in_the_face_it_was_measured_with() -> None:
    # cairosvg passes cairo the first family only: "Inferno, serif" (measured as
    # serif) must print in DejaVu Serif, not in the default sans.
    from nnsvg.render.cairo_svg import for_cairo
    from nnsvg.render.png import png_from_svg

    text = '<text x="4" y="30" font-size="20" font-family="{}">Rx ℝ⁴</text>'
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">{}</svg>'
    unknown = svg.format(text.format("Inferno, serif"))
    assert 'font-family="DejaVu Serif"' in for_cairo(unknown)
    assert png_from_svg(unknown) == png_from_svg(svg.format(text.format("DejaVu Serif")))
    assert png_from_svg(unknown) != png_from_svg(svg.format(text.format("DejaVu Sans")))


def test_italic_text_is_drawn_in_the_shipped_oblique() -> None:
    from nnsvg.render.png import png_from_svg

    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="4" y="30" '
        'font-size="20" font-family="DejaVu Sans" font-style="{}">ReLU</text></svg>'
    )
    assert png_from_svg(svg.format("italic")) != png_from_svg(svg.format("normal"))
