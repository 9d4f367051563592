"""The TikZ writer (nnsvg.render.tex): every primitive written, y flipped, the figure's
printed size, labels escaped for LaTeX, the same bytes every time; and two gallery
figures compiled by pdfLaTeX, their labels found in the PDF (.ci/run installs TeX Live)."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from array import array
from pathlib import Path

import pytest

from nnsvg.errors import ExportError
from nnsvg.pipeline import RenderOptions, build_scene, load_spec
from nnsvg.render.tex import escape, render_tikz
from nnsvg.render.writers import infer_format, write
from nnsvg.scene import (
    Circle,
    EdgeBundle,
    GradientRect,
    Group,
    Image,
    Paint,
    Polygon,
    Polygons,
    Rect,
    Scene,
    Text,
    TextStyle,
)
from nnsvg.scene import Path as PathItem

from .conftest import SPECS_DIR

PDFLATEX = shutil.which("pdflatex")
PDFTOTEXT = shutil.which("pdftotext")


def tikz(*items, **scene) -> str:
    scene.setdefault("viewbox", (0, 0, 200, 100))
    return render_tikz(Scene(items=tuple(items), **scene))


def body(text: str) -> list[str]:
    """The drawing lines (after the bounding box)."""
    lines = text.splitlines()
    return lines[lines.index(next(x for x in lines if x.startswith("\\useasboundingbox"))) + 1 :]


def test_the_suffix_and_format_choose_tex() -> None:
    assert infer_format("fig.TEX") == "tex"
    assert infer_format("fig.out", "tex") == "tex"


def test_the_picture_is_the_printed_size_and_y_grows_up() -> None:
    # 200 user units = 200 px = 150 bp wide; a 2in figure is 144 bp wide.
    text = tikz(Circle(10, 20, 5, Paint(fill="#ff0000")))
    assert "\\useasboundingbox (0,0) rectangle (150,75);" in text
    assert "\\path[fill=nnsvgff0000] (7.5,60) circle[radius=3.75bp];" in text
    assert "\\definecolor{nnsvgff0000}{HTML}{FF0000}" in text
    text = tikz(Circle(10, 20, 5), physical_width=(2.0, "in"))
    assert "\\useasboundingbox (0,0) rectangle (144,72);" in text
    assert "(7.2,57.6) circle[radius=3.6bp]" in text
    # A viewbox that does not start at 0 is moved to the origin.
    text = tikz(Circle(10, 20, 5), viewbox=(10, 20, 200, 100))
    assert "(0,75) circle" in text


def test_a_picture_larger_than_tex_can_measure_is_refused() -> None:
    with pytest.raises(ExportError, match="at most 16000bp"):
        tikz(Circle(10, 20, 5), viewbox=(0, 0, 100, 30000))
    tikz(Circle(10, 20, 5), viewbox=(0, 0, 100, 21000))  # 15750bp: TeX can


def test_every_primitive_is_written() -> None:
    ink = Paint(stroke="#000000")
    bundle = EdgeBundle((0.0, 100.0, 0.0), (0.0, 40.0, 80.0), (array("l", [0, 1, 2]),), paint=ink)
    one = (array("l", [0, 1]),)
    curved = EdgeBundle((0.0, 100.0), (0.0, 40.0), one, curve="bezier-h", paint=ink)
    vertical = EdgeBundle((0.0, 100.0), (0.0, 40.0), one, curve="bezier-v", paint=ink)
    items = (
        Rect(0, 0, 20, 10, rx=2, paint=Paint(fill="#00ff00", stroke="#000000", stroke_width=2)),
        Polygon(((0, 0), (10, 0), (0, 10)), Paint(fill="none", stroke="#0000ff", dash=(2, 1))),
        Polygons((((0, 0), (4, 4)), ((8, 0), (12, 4))), Paint(stroke="#111111"), closed=False),
        PathItem((("M", 0, 0), ("L", 4, 0), ("Q", 8, 0, 8, 4), ("C", 8, 6, 6, 8, 4, 8), ("Z",))),
        PathItem((("M", 0, 0), ("A", 10, 10, 0, 0, 1, 20, 0))),
        bundle,
        curved,
        vertical,
        GradientRect(0, 0, 10, 50, (((0.0, "#ff0000"), (0.5, "#ffffff"), (1.0, "#0000ff"))), True),
        Image(0, 0, 28, 28, "data:image/png;base64,AAAA"),
        Text(100, 50, "label", "middle", 20, 8, 2, TextStyle(size=12, weight="bold")),
    )
    text = tikz(*items, background="#ffffff")
    lines = body(text)
    assert lines[0] == "\\path[fill=nnsvgffffff] (0,0) rectangle (150,75);"
    assert (
        "\\path[fill=nnsvg00ff00,draw=nnsvg000000,line width=1.5bp] [rounded corners=1.5bp] "
        "(0,67.5) rectangle (15,75);" in lines
    )
    assert "\\path[draw=nnsvg0000ff,line width=0.75bp,dash pattern=on 1.5bp off 0.75bp] " in text
    assert "(0,75) -- (7.5,75) -- (0,67.5) -- cycle;" in text
    # Open polylines are never filled.
    assert "\\path[draw=nnsvg111111,line width=0.75bp] (0,75) -- (3,72) (6,75) -- (9,72);" in text
    # A quadratic is raised to a cubic; Z closes the path.
    assert ".. controls (5,75) and (6,74) .. (6,72)" in text
    assert "-- cycle;" in text
    # An arc (a half circle of radius 10, sweep 1) becomes two quarter cubics ending at (20, 0).
    arc = next(x for x in lines if x.startswith("\\path[fill=nnsvg000000] (0,75) .. controls"))
    assert arc.count(".. controls") == 2 and arc.endswith(".. (15,75);")
    # The SVG writer's curves: control points at the flow axis' midpoint.
    assert "(0,75) -- (75,45) -- (0,15);" in text
    assert "(0,75) .. controls (37.5,75) and (37.5,45) .. (75,45);" in text
    assert "(0,75) .. controls (0,60) and (75,60) .. (75,45);" in text
    assert re.search(
        r"\\pgfdeclareverticalshading\{nnsvg-v[0-9a-f]{8}\}\{100bp\}\{rgb\(0bp\)=\(1,0,0\); "
        r"rgb\(25bp\)=\(1,0,0\); rgb\(50bp\)=\(1,1,1\); rgb\(75bp\)=\(0,0,1\); "
        r"rgb\(100bp\)=\(0,0,1\)\}",
        text,
    )
    assert re.search(r"\\path\[shading=nnsvg-v[0-9a-f]{8}\] \(0,37.5\) rectangle \(7.5,75\);", text)
    assert "% an image: a .tex file cannot hold it" in text
    assert "\\typeout{nnsvg: 1 image(s) drawn as placeholders" in text
    assert (
        "\\node[anchor=base,text=nnsvg000000] at (75,37.5) "
        "{\\fontsize{9.03}{10.84}\\selectfont\\bfseries\\nnsvgfont label};" in text
    )


def test_paint_and_text_style_are_inherited_and_group_opacity_multiplies() -> None:
    group = Group(
        "g",
        "layer",
        (
            Rect(0, 0, 10, 10),
            Rect(0, 0, 10, 10, paint=Paint(fill="#0000ff", fill_opacity=0.5)),
            Text(0, 0, "a", "start", 5, 5, 1),
            Text(0, 0, "b", "end", 5, 5, 1, TextStyle(style="italic", color="#00ff00")),
        ),
        paint=Paint(fill="#ff0000", stroke="#000000", opacity=0.5),
        text_style=TextStyle(size=8, color="#ff0000"),
        title="Conv 1",
    )
    text = tikz(group, font=TextStyle(family="Helvetica", size=12, color="#222222"))
    assert "% g: Conv 1" in text
    assert "\\path[fill=nnsvgff0000,fill opacity=0.5,draw=nnsvg000000,line width=0.75bp," in text
    assert "\\path[fill=nnsvg0000ff,fill opacity=0.25,draw=nnsvg000000," in text
    assert (
        "\\node[anchor=base west,text=nnsvgff0000,text opacity=0.5] at (0,75) {\\fontsize{6.02}"
        in text
    )
    assert "\\node[anchor=base east,text=nnsvg00ff00,text opacity=0.5]" in text
    assert "\\selectfont\\itshape\\nnsvgfont b}" in text
    assert "Helvetica" not in text  # labels are in the document's font


@pytest.mark.parametrize(
    ("label", "latex"),
    [
        ("a_b", "a\\_b"),
        ("50%", "50\\%"),
        ("$x$ & #1", "\\$x\\$ \\& \\#1"),
        ("{~^\\}", "\\{\\~{}\\^{}\\textbackslash{}\\}"),
        ("a--b <c>", "a-{}-{}b \\textless{}c\\textgreater{}"),
        (
            "ℝ⁷⁸⁴",
            "\\ifdefined\\mathbb\\ensuremath{\\mathbb{R}}\\else\\textbf{R}\\fi"
            "\\textsuperscript{784}",
        ),
        ("3×3 ‖w‖", "3\\ensuremath{\\times}3 \\ensuremath{\\|}w\\ensuremath{\\|}"),
        ("−2.8", "\\ensuremath{-}2.8"),
        ("σ(x)", "\\ensuremath{\\sigma}(x)"),
        ("x₁", "x\\textsubscript{1}"),
        ("é", "é"),
        ("a\x00\x1fb", "ab"),
        ("😀", "\\ifdefined\\Umathchar 😀\\else ?\\fi{}"),
    ],
)
def test_labels_are_escaped(label: str, latex: str) -> None:
    assert escape(label) == latex


def test_the_same_scene_gives_the_same_bytes() -> None:
    spec = load_spec(SPECS_DIR / "bias-weights.yaml")
    first = write(build_scene(spec), "tex")
    assert write(build_scene(spec), "tex") == first
    assert first.startswith(b"% A figure drawn by nnsvg, as TikZ")
    assert b"\\begin{tikzpicture}" in first and first.endswith(b"\\endgroup\n")


def test_writing_tex_loads_no_cairo() -> None:
    import os
    import sys

    code = (
        "import sys\n"
        "from nnsvg.pipeline import build_scene, load_spec\n"
        "from nnsvg.render.writers import write\n"
        "write(build_scene(load_spec('t.yaml', text='layers: [3, 2]')), 'tex')\n"
        "assert not [m for m in sys.modules if 'cairo' in m], sorted(sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)


# -- compiled by LaTeX ----------------------------------------------------------------

DOCUMENT = r"""\documentclass{article}
\usepackage[paperwidth=%(width)s,paperheight=30cm,margin=1cm]{geometry}
\usepackage{tikz}
%(extra)s
\begin{document}
\noindent\input{%(name)s}
\end{document}
"""

# Every label of the figures, as pdftotext reads them back (ℝ is a bold R without amssymb).
GALLERY = {
    "lenet5.yaml": ["INPUT", "6@28×28", "Convolution 5×5", "Avg-pool 2×2", "Gaussian connections"],
    "bias-weights.yaml": ["Features", "Hidden", "Classes", "tanh", "softmax", "weight", "+2.8"],
    "mnist-mlp.yaml": ["Input", "Hidden 1", "Output", "ReLU", "softmax"],
}


def compile_tex(
    folder: Path, name: str, source: bytes, extra: str = "", width: str = "30cm"
) -> str:
    (folder / f"{name}.tex").write_bytes(source)
    (folder / "doc.tex").write_text(DOCUMENT % {"width": width, "extra": extra, "name": name})
    result = subprocess.run(
        [PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc.tex"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    text = subprocess.run(
        [PDFTOTEXT, "-raw", str(folder / "doc.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    return unicodedata.normalize("NFC", " ".join(text.split()))  # é may come as e + ´


needs_tex = pytest.mark.skipif(
    PDFLATEX is None or PDFTOTEXT is None,
    reason="needs pdflatex (TeX Live with TikZ) and pdftotext: .ci/run installs them",
)


@needs_tex
@pytest.mark.parametrize("spec", sorted(GALLERY))
def test_gallery_figures_compile_and_keep_their_labels(spec: str, tmp_path: Path) -> None:
    scene = build_scene(load_spec(SPECS_DIR / spec), RenderOptions(width="7in"))
    text = compile_tex(tmp_path, "figure", write(scene, "tex"))
    for label in GALLERY[spec]:
        assert label in text, (label, text)


@needs_tex
def test_any_label_compiles(tmp_path: Path) -> None:
    labels = ['a_b 50% $x$ & #1 {~^\\} <c> "q" |', "ℝ⁷⁸⁴ 3×3 ‖w‖ −2.8 σ(x) x₁ é 😀 …"]
    items = tuple(Text(10, 20 + 30 * k, s, "start", 150, 10, 3) for k, s in enumerate(labels))
    source = tikz(*items).encode()
    plain = compile_tex(tmp_path, "labels", source)
    # OT1's underscore is a rule, which pdftotext reads as a space.
    for piece in ["50% $x$ & #1 {", "\\} <c>", "q", "|", "3×3", "−2.8", "σ(x) x1 é ?"]:
        assert piece in plain, (piece, plain)
    assert "R784" in plain.replace(" ", "") and "ℝ" not in plain
    ams = compile_tex(tmp_path, "labels", source, extra="\\usepackage{amssymb}")
    assert "ℝ" in ams or "R784" in ams.replace(" ", "")


@needs_tex
def test_math_labels_compile_as_latex_math(tmp_path: Path) -> None:
    scene = build_scene(load_spec(SPECS_DIR / "elman-rnn.yaml"), RenderOptions(width="7in"))
    source = write(scene, "tex")
    assert b"Hidden $h_t = \\tanh(W_{xh} x_t + W_{hh} h_{t-1})$" in source
    assert b"load amsmath and amssymb" in source
    text = compile_tex(tmp_path, "rnn", source, extra="\\usepackage{amsmath,amssymb}")
    flat = text.replace(" ", "")
    for piece in ["Inputxt", "Hiddenht=tanh(Wxhxt+Whhht−1)", "Output"]:
        assert piece in flat, (piece, text)


def test_module_doctests() -> None:
    import doctest

    import nnsvg.render.tex

    result = doctest.testmod(nnsvg.render.tex)
    assert result.attempted and not result.failed
