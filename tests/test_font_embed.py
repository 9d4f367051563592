"""--embed-fonts: the subset of the shipped fonts an SVG's texts use, embedded in it."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from fontTools.ttLib import TTFont

import nnsvg
from nnsvg.fonts import font_path
from nnsvg.pipeline import RenderOptions, build_scene, load_spec, render_spec
from nnsvg.render import font_embed
from nnsvg.render.export import convert
from nnsvg.render.svg import render_svg
from nnsvg.scene import Group, Rect, Scene, Text, TextRun, TextStyle
from tests.cli_run import run

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
RULE = re.compile(
    r"@font-face\{font-family:'(?P<family>[^']*)';font-style:(?P<style>\w+);"
    r"font-weight:(?P<weight>\w+);unicode-range:(?P<range>[U+0-9A-F,-]+);"
    r"src:url\(data:(?P<mime>font/\w+);base64,(?P<data>[A-Za-z0-9+/=]+)\)\}"
)
SANS = "'DejaVu Sans', Helvetica, Arial, sans-serif"
SANS_FONT = TextStyle(family=SANS, size=12)


def rules(svg: str) -> list[dict[str, str]]:
    """The @font-face rules of ``svg``'s <style>, each as its descriptors."""
    root = ElementTree.fromstring(svg.encode("utf-8"))
    styles = root.findall("{http://www.w3.org/2000/svg}defs/{http://www.w3.org/2000/svg}style")
    if not styles:
        return []
    assert len(styles) == 1
    lines = [line for line in (styles[0].text or "").splitlines() if line]
    found = [RULE.fullmatch(line) for line in lines]
    assert all(found), lines
    return [m.groupdict() for m in found if m]


def font_of(rule: dict[str, str]) -> TTFont:
    return TTFont(io.BytesIO(base64.b64decode(rule["data"], validate=True)))


def chars_of(font: TTFont) -> str:
    return "".join(sorted(chr(cp) for cp in font.getBestCmap()))


def unicode_range(text: str) -> set[int]:
    found: set[int] = set()
    for part in text.split(","):
        first, _, last = part[2:].partition("-")
        found.update(range(int(first, 16), int(last or first, 16) + 1))
    return found


def text(x: float, value: str, style: TextStyle | None = None, runs=()) -> Text:
    return Text(x, 20, value, "start", 10, 10, 3, style=style, runs=tuple(runs))


def scene(*items, font: TextStyle | None = SANS_FONT) -> Scene:
    return Scene(viewbox=(0, 0, 200, 40), items=tuple(items), font=font)


@pytest.fixture(scope="module")
def lenet() -> Scene:
    return build_scene(load_spec(SPECS / "lenet5.yaml"))


# --------------------------------------------------------------------------- the fonts


def test_the_embedded_font_holds_exactly_the_characters_used(lenet: Scene) -> None:
    svg = render_svg(lenet, embed_fonts=True)
    (rule,) = rules(svg)
    assert (rule["family"], rule["style"], rule["weight"]) == ("DejaVu Sans", "normal", "normal")
    assert rule["mime"] == "font/ttf"
    font = font_of(rule)
    used = {ch for item in _texts(lenet) for ch in item.text}
    assert set(chars_of(font)) == used
    assert unicode_range(rule["range"]) == {ord(ch) for ch in used}
    cmap = font.getBestCmap()
    # Nothing else: .notdef and one glyph a character, without hinting.
    assert sorted(font.getGlyphOrder()) == sorted({".notdef", *cmap.values()})
    assert "fpgm" not in font and "prep" not in font and "cvt " not in font
    assert font["head"].modified == TTFont(font_path("sans"))["head"].modified
    assert font["name"].getDebugName(1) == "DejaVu Sans"
    assert "Bitstream" in (font["name"].getDebugName(0) or "")  # the copyright notice stays
    # The SVG is the plain one plus the <style>: the same ids, the same drawing.
    plain = render_svg(lenet)
    assert svg.replace(svg[svg.index("<defs>") : svg.index("</defs>\n") + 8], "") == plain


def _texts(scene: Scene) -> list[Text]:
    from nnsvg.scene import iter_leaves

    return [item for item in iter_leaves(scene.items) if isinstance(item, Text)]


def test_one_rule_per_face_used_bold_italic_and_runs_get_their_faces() -> None:
    figure = scene(
        text(0, "Plain"),
        Group("bold", "labels", (text(0, "Bold"),), text_style=TextStyle(weight="bold")),
        text(0, "Slanted", TextStyle(style="italic")),
        text(
            0,
            "xy2",
            runs=[
                TextRun(0, "x"),
                TextRun(5, "y", family="serif", style="italic"),
                TextRun(9, "2", weight="bold", family="'DejaVu Serif'"),
            ],
        ),
        text(0, "Mono", TextStyle(family="monospace", weight="bold")),
    )
    found = {
        (r["family"], r["weight"], r["style"]): font_of(r)
        for r in rules(render_svg(figure, embed_fonts=True))
    }
    assert {key: chars_of(font) for key, font in found.items()} == {
        ("DejaVu Sans", "normal", "normal"): "Pailnx",
        ("DejaVu Sans", "bold", "normal"): "Bdlo",
        ("DejaVu Sans", "normal", "italic"): "Sadelnt",
        ("DejaVu Serif", "bold", "normal"): "2",
        ("DejaVu Serif", "normal", "italic"): "y",
        ("DejaVu Sans Mono", "normal", "normal"): "Mno",  # one face: drawn bold
    }
    subfamilies = {key: font["name"].getDebugName(2) for key, font in found.items()}
    assert subfamilies[("DejaVu Sans", "normal", "italic")] == "Oblique"
    assert subfamilies[("DejaVu Serif", "bold", "normal")] == "Bold"


def test_a_figure_without_text_gets_no_style() -> None:
    figure = scene(Rect(0, 0, 10, 10))
    assert render_svg(figure, embed_fonts=True) == render_svg(figure)
    empty = scene(text(0, ""))
    assert "<style" not in render_svg(empty, embed_fonts=True)


def test_characters_no_shipped_face_has_are_left_to_the_viewer() -> None:
    figure = scene(text(0, "漢字"))  # CJK: nnsvg check reports glyph-missing
    assert "<style" not in render_svg(figure, embed_fonts=True)
    mixed = scene(text(0, "a漢"))
    (rule,) = rules(render_svg(mixed, embed_fonts=True))
    assert chars_of(font_of(rule)) == "a" and rule["range"] == "U+61"


def test_combining_marks_keep_their_placement_features() -> None:
    (rule,) = rules(render_svg(scene(text(0, "x̂")), embed_fonts=True))
    font = font_of(rule)
    assert chars_of(font) == "x\u0302"
    features = {r.FeatureTag for r in font["GPOS"].table.FeatureList.FeatureRecord}
    assert {"mark", "mkmk"} <= features and "kern" not in features  # as nnsvg measures


def test_a_font_list_is_led_by_the_shipped_family_it_is_drawn_in() -> None:
    figure = scene(text(0, "Times"), font=TextStyle(family="'Times New Roman', serif", size=12))
    svg = render_svg(figure, embed_fonts=True)
    assert "font-family=\"'DejaVu Serif', 'Times New Roman', serif\"" in svg
    assert [r["family"] for r in rules(svg)] == ["DejaVu Serif"]
    # A list that starts with it is left as it is.
    assert f'font-family="{SANS}"' in render_svg(scene(text(0, "a")), embed_fonts=True)
    # Text that merely reads like the attribute is text: left as it is.
    words = 'font-family="Comic"'
    titled = Scene(
        viewbox=(0, 0, 200, 40),
        items=(text(0, words),),
        font=TextStyle(family="Georgia, serif"),
        title=words,
    )
    svg = render_svg(titled, embed_fonts=True)
    assert svg.count(words) == 2 and svg.count("'DejaVu Serif', Georgia, serif") == 1


def test_cff_fonts_are_embedded_as_otf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "Tiny.otf"
    _tiny_cff_font(path)
    monkeypatch.setattr(font_embed, "font_path", lambda face: path)
    font_embed._subset.cache_clear()
    try:
        (rule,) = rules(render_svg(scene(text(0, "ab")), embed_fonts=True))
    finally:
        font_embed._subset.cache_clear()
    assert rule["mime"] == "font/otf"
    font = font_of(rule)
    assert "CFF " in font and chars_of(font) == "a"


def _tiny_cff_font(path: Path) -> None:
    """A CFF-flavoured OpenType font with a box for 'a' and nothing else."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen

    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder([".notdef", "a"])
    builder.setupCharacterMap({ord("a"): "a"})
    strings = {}
    for name in (".notdef", "a"):
        pen = T2CharStringPen(500, None)
        pen.moveTo((50, 0))
        pen.lineTo((450, 0))
        pen.lineTo((450, 500))
        pen.closePath()
        strings[name] = pen.getCharString()
    builder.setupCFF("Tiny", {"FullName": "Tiny"}, strings, {})
    builder.setupHorizontalMetrics({".notdef": (500, 50), "a": (500, 50)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Tiny", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.save(str(path))


# --------------------------------------------------------------------------- the SVG


def test_the_svg_still_renders_and_draws_the_same_png(lenet: Scene) -> None:
    embedded = render_svg(lenet, embed_fonts=True)
    assert convert(embedded, "png") == convert(render_svg(lenet), "png")
    assert convert(embedded, "pdf").startswith(b"%PDF")


def test_byte_identical_on_every_run(lenet: Scene) -> None:
    first = render_svg(lenet, embed_fonts=True)
    font_embed._subset.cache_clear()
    assert render_svg(lenet, embed_fonts=True) == first
    # Another process (another time): the same bytes.
    code = (
        "import sys\n"
        "from nnsvg.pipeline import RenderOptions, render_spec\n"
        "sys.stdout.buffer.write(render_spec(sys.argv[1], RenderOptions(embed_fonts=True))"
        ".encode())\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(SPECS / "lenet5.yaml")],
        capture_output=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.stdout.decode() == first


def test_an_ordinary_render_does_not_import_fonttools() -> None:
    code = (
        "import sys\n"
        "from nnsvg.pipeline import render_spec\n"
        "render_spec(sys.argv[1])\n"
        "assert not any(m.split('.')[0] == 'fontTools' for m in sys.modules), 'fontTools'\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(SPECS / "lenet5.yaml")], check=True, cwd=ROOT, timeout=120
    )


# --------------------------------------------------------------------------- the API


def test_python_api(tmp_path: Path) -> None:
    options = RenderOptions(embed_fonts=True)
    assert rules(render_spec(SPECS / "lenet5.yaml", options))
    fig = nnsvg.Figure(SPECS / "lenet5.yaml", embed_fonts=True)
    assert "@font-face" in fig.svg
    assert "@font-face" not in fig.with_options(embed_fonts=False).svg
    fig.save(tmp_path / "f.svg")
    fig.save(tmp_path / "f.png")  # the option is for SVGs; a PNG is drawn as ever
    assert (tmp_path / "f.svg").read_text() == fig.svg
    assert (tmp_path / "f.png").read_bytes() == convert(
        fig.with_options(embed_fonts=False).svg, "png"
    )
    with pytest.raises(nnsvg.NnsvgError, match="embed_fonts: must be true or false"):
        nnsvg.Figure(SPECS / "lenet5.yaml", embed_fonts="yes")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the CLI


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()  # no project file above this folder counts
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(SPECS / "elman-rnn.yaml", tmp_path / "net.yaml")
    return tmp_path


def test_cli_flag(work: Path) -> None:
    result = run("render", "net.yaml", "-o", "fig.svg", "--embed-fonts")
    assert result.exit_code == 0, result.stderr
    assert rules((work / "fig.svg").read_text())
    result = run("render", "net.yaml", "-o", "plain.svg")
    assert "<style" not in (work / "plain.svg").read_text()
    result = run("render", "net.yaml", "--format", "svg,png", "--embed-fonts")
    assert result.exit_code == 0, result.stderr
    assert rules((work / "net.svg").read_text()) and (work / "net.png").exists()


@pytest.mark.parametrize(
    "args", [("-o", "fig.png"), ("--format", "png,pdf")], ids=["output", "formats"]
)
def test_cli_flag_without_an_svg_output_is_a_usage_error(work: Path, args) -> None:
    result = run("render", "net.yaml", *args, "--embed-fonts")
    assert result.exit_code == 2
    assert "usage error: --embed-fonts applies to SVG output only" in result.stderr
    assert not list(work.glob("fig.*")) and not list(work.glob("net.p*"))


def test_project_key(work: Path) -> None:
    (work / "nnsvg.toml").write_text("embed_fonts = true\n")
    assert run("render", "net.yaml").exit_code == 0
    assert rules((work / "net.svg").read_text())
    result = run("render", "net.yaml", "-o", "off.svg", "--no-embed-fonts")
    assert result.exit_code == 0, result.stderr
    assert "<style" not in (work / "off.svg").read_text()
    # The project's key applies to the SVGs a command writes: a PNG alone is no error.
    result = run("render", "net.yaml", "-o", "fig.png")
    assert result.exit_code == 0, result.stderr
    (work / "nnsvg.toml").write_text('embed_fonts = "yes"\n')
    result = run("render", "net.yaml")
    assert result.exit_code == 2
    assert "nnsvg.toml:1:15: embed_fonts: must be true or false, got 'yes'" in result.stderr


def test_batch_cache_renders_the_svg_again_when_the_option_changes(work: Path) -> None:
    (work / "specs").mkdir()
    for name in ("elman-rnn.yaml", "iris-mlp.yaml"):
        shutil.copyfile(SPECS / name, work / "specs" / name)
    args = ("render", "specs", "--out-dir", "out", "-f", "svg,png", "-j", "1")

    def rendered(*extra: str) -> list[str]:
        result = run(*args, *extra)
        assert result.exit_code == 0, result.stderr
        return sorted(
            line.split(" -> ")[1]
            for line in result.stdout.splitlines()
            if line.startswith("rendered ") and " -> " in line
        )

    assert len(rendered()) == 2
    svg = Path("out") / "elman-rnn.svg"
    embedded = rendered("--embed-fonts")
    assert embedded == [str(Path("out/elman-rnn.svg")), str(Path("out/iris-mlp.svg"))]  # PNGs kept
    assert rules((work / svg).read_text())
    assert rendered("--embed-fonts") == []
    assert rendered() == embedded
    assert "<style" not in (work / svg).read_text()


def test_the_family_names_agree_with_the_font_files() -> None:
    from nnsvg.fonts import FACE_FILES, FAMILIES

    for face in FACE_FILES:
        assert font_embed._file_family(face) == FAMILIES[face.split("-")[0]], face
