"""Math in labels: parsing, setting into runs, fallback fonts, and every output."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsvg import mathsymbols
from nnsvg.mathtext import MathError, layout, parse, plain, to_latex
from nnsvg.textmetrics import DEFAULT_METRICS
from nnsvg.textset import set_text
from tests.cli_run import run

SANS = "sans-serif"
SERIF = "'DejaVu Serif', serif"


def runs(label: str, family: str = SANS, size: float = 10.0, style: str = "normal"):
    return set_text(DEFAULT_METRICS, label, size, family, "normal", style)


# -- parsing and errors ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "message", "index"),
    [
        (r"$\foo$", r"uses \foo, which nnsvg's math does not support", 1),
        (r"$\mathbbb{R}$", r"(did you mean \mathbb?)", 1),
        (r"$\alpah$", r"(did you mean \alpha?)", 1),
        (r"x $\frac{a}{b}$", r"uses \frac, which a one-line label cannot stack", 3),
        ("Cost $5", "has a $ that opens math and no $ closing it", 5),
        ("$a^b^c$", "has a double superscript", 4),
        ("$a_1_2$", "has a double subscript", 4),
        ("$x_{1$", "has a { that is never closed", 3),
        ("$x}$", "has a } that closes nothing", 2),
        ("$x^$", "needs an argument", 3),
        ("$$", "has empty math", 1),
        ("$a & b$", r"has a bare &: write \& for the character", 3),
        ("$x\\$", "has a $ that opens math", 0),
    ],
)
def test_math_errors_name_what_and_where(label: str, message: str, index: int) -> None:
    with pytest.raises(MathError) as info:
        parse(label)
    assert message in info.value.message
    assert info.value.index == index


@pytest.mark.parametrize(
    "label",
    ["no math at all", r"a \ backslash", r"Cost \$5", r"\$\$", "50%", r"$\$5$", r"$\{a\}$"],
)
def test_labels_without_math_or_with_escapes_parse(label: str) -> None:
    parse(label)


@pytest.mark.parametrize(
    ("label", "reading"),
    [
        ("plain text", "plain text"),
        (r"Cost \$5", "Cost $5"),
        ("$x_t$", "x_t"),
        ("$h^{(1)}$", "h^(1)"),
        (r"$\mathbb{R}^{784}$", "ℝ^784"),
        (r"$\hat{x}$", "x\u0302"),
        ("$W_{hh}$", "W_hh"),
        (r"$\sigma(x) \odot h$", "σ(x) ⊙ h"),
        (r"$a \oplus b \times c$", "a ⊕ b × c"),
        (r"$x^{i+1}$", "x^(i + 1)"),
        (r"$\tanh z$", "tanh z"),
        (r"$-x$", "−x"),
        (r"$\text{max pool}$", "max pool"),
    ],
)
def test_plain_reading(label: str, reading: str) -> None:
    assert plain(label) == reading


def test_to_latex_keeps_math_verbatim_and_escapes_text() -> None:
    assert to_latex(
        r"50% of $x_1^{2}$ \$", lambda t: t.replace("%", r"\%").replace("$", r"\$")
    ) == (r"50\% of $x_1^{2}$ \$")


# -- setting -------------------------------------------------------------------------


def test_plain_labels_have_no_runs_and_keep_their_width() -> None:
    setting = runs("Hidden layer 1")
    assert setting.runs == ()
    assert setting.width == DEFAULT_METRICS.width("Hidden layer 1", 10, SANS)


def test_scripts_are_smaller_on_shifted_baselines() -> None:
    setting = runs("$h^{(1)}_t$")
    by_text = {r.text: r for r in setting.runs}
    assert by_text["h"].style == "italic" and by_text["h"].rise == 0 and by_text["h"].size is None
    sup, sub = by_text["(1)"], by_text["t"]
    assert sup.size == pytest.approx(7.0) and sup.rise > 3
    assert sub.size == pytest.approx(7.0) and sub.rise < -2
    assert sub.x == by_text["h"].x + DEFAULT_METRICS.width("h", 10, SANS, style="italic")
    assert sup.x > sub.x  # the italic correction
    assert setting.text == "h(1)t"
    assert setting.ascent > DEFAULT_METRICS.ascent(10)  # the superscript reaches higher
    assert setting.descent > DEFAULT_METRICS.descent(10)


def test_nested_scripts_shrink_to_half_size() -> None:
    setting = runs("$e^{x^2}$")
    assert [r.size for r in setting.runs] == [None, pytest.approx(7.0), pytest.approx(5.0)]
    assert setting.runs[2].rise > setting.runs[1].rise > 0


def test_binary_operators_and_relations_get_tex_spacing() -> None:
    tight = runs("$ab$").width
    binary = runs("$a+b$").width - DEFAULT_METRICS.width("+", 10, SANS)
    relation = runs("$a=b$").width - DEFAULT_METRICS.width("=", 10, SANS)
    assert binary == pytest.approx(tight + 2 * 10 * 4 / 18)
    assert relation == pytest.approx(tight + 2 * 10 * 5 / 18)
    unary = runs("$-b$")  # no space after a minus that starts the formula
    assert unary.width == pytest.approx(
        DEFAULT_METRICS.width("−", 10, SANS)
        + DEFAULT_METRICS.width("b", 10, SANS, style="italic")
        + 1.0  # the italic overhang of the last letter
    )


@pytest.mark.parametrize(
    ("label", "text"),
    [
        (r"$\mathbb{R}^{784}$", "ℝ784"),
        (r"$\mathbb{E}[x]$", "𝔼[x]"),
        (r"$\alpha\beta\Gamma$", "αβΓ"),
        (r"$\sigma \odot \oplus \otimes \times \cdot$", "σ⊙⊕⊗×·"),
        (r"$\hat{x} \bar{y} \vec{v}$", "x\u0302y\u0304v\u20d7"),
        (r"$\mathcal{L}$", "ℒ"),
        (r"$\tanh x$", "tanhx"),
        (r"$\text{soft max}$", "soft max"),
        (r"$\left( x \right)$", "(x)"),
        (r"$\sqrt{d_k}$", "√(dk)"),
        (r"$a \leq b \to c$", "a≤b→c"),
        (r"$\|w\|_2$", "‖w‖2"),
    ],
)
def test_commands_become_their_characters(label: str, text: str) -> None:
    assert runs(label).text == text


def test_upright_and_italic_follow_tex() -> None:
    setting = runs(r"$x \, \alpha \, \Gamma \, 2 \tanh \mathrm{d} \mathbf{W}$")
    look = {}
    for piece in setting.runs:
        for ch in piece.text:
            look[ch] = (piece.style, piece.weight)
    assert look["x"][0] == "italic"
    assert look["α"][0] == "italic"  # lower-case Greek is italic, as in TeX
    upright = (None, "normal")  # None: the label's own style, here normal
    assert look["Γ"][0] in upright  # upper-case Greek is upright
    assert look["2"][0] in upright and look["t"][0] in upright and look["d"][0] in upright
    assert look["W"] == (None, "bold")


def test_text_in_an_italic_label_stays_italic_and_math_upright_is_explicit() -> None:
    setting = runs(r"Note $2x$", style="italic")
    styles = [(r.text, r.style) for r in setting.runs]
    assert ("Note ", None) in styles
    assert ("2", "normal") in styles


def test_a_character_the_font_lacks_is_drawn_in_a_fallback_font() -> None:
    setting = runs("a ⋮ b", family=SERIF)  # DejaVu Serif has no ⋮
    assert [(r.text, r.family) for r in setting.runs] == [
        ("a ", None),
        ("⋮", "'DejaVu Sans'"),
        (" b", None),
    ]
    sans = DEFAULT_METRICS.width("⋮", 10, "DejaVu Sans")
    assert setting.width == pytest.approx(DEFAULT_METRICS.width("a  b", 10, SERIF) + sans)


def test_a_character_no_font_has_stays_in_the_labels_font() -> None:
    assert runs("入", family=SERIF).runs == ()


_ATOMS = st.sampled_from(
    ["x", "y", "2", "+", "=", "(", ")", "^", "_", "{", "}", "\\alpha", "\\odot", "\\hat",
     "\\mathbb", "\\tanh", "\\,", " ", "\\frac", "\\nope", "&", "\\$", "'", ",", "\\text"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_ATOMS, max_size=12), st.booleans())
def test_any_math_either_sets_or_is_a_math_error(atoms: list[str], dollars: bool) -> None:
    body = "".join(atoms)
    label = f"a ${body}$ b" if dollars else body
    try:
        parse(label)
    except MathError as exc:
        assert 0 <= exc.index <= len(label)
        return
    setting = runs(label)
    assert math.isfinite(setting.width) and setting.width >= 0
    assert all(math.isfinite(r.x) and math.isfinite(r.rise) for r in setting.runs)
    placed, total = layout(label, lambda t, s, i, b: len(t) * s * 0.5)
    assert all(p.x <= total + 1e-9 for p in placed)


# -- the spec, the outputs -------------------------------------------------------------

SPEC = r"""style: fcnn
title: 'A $\sigma$ net'
layers:
  - {units: 3, label: 'Input $x_t \in \mathbb{R}^{784}$'}
  - {units: 4, label: 'Hidden $h^{(1)} = \sigma(W_{hh} h)$'}
  - {units: 2, label: '$\hat{y} = a \odot b \oplus c$'}
"""


def test_a_bad_command_is_a_located_spec_error(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("style: fcnn\nlayers:\n  - {units: 3, label: '$\\mathbbb{R}$'}\n  - 2\n")
    result = run("render", spec, "-o", tmp_path / "bad.svg")
    assert result.exit_code == 1
    assert re.search(
        r"bad\.yaml:3:23: layers\[0\]\.label: uses \\mathbbb, which nnsvg's math does not "
        r"support \(did you mean \\mathbb\?\).*\(character 2 of the label\)",
        result.output,
    ), result.output
    assert not (tmp_path / "bad.svg").exists()


def test_svg_places_each_run_at_its_measured_x(tmp_path: Path) -> None:
    spec = tmp_path / "m.yaml"
    spec.write_text(SPEC)
    assert run("render", spec, "-o", tmp_path / "m.svg").exit_code == 0
    svg = (tmp_path / "m.svg").read_text()
    assert "<title" in svg and "A σ net</title>" in svg
    text = re.search(r"<text[^>]*>(<tspan[^>]*>Hidden </tspan>.*?)</text>", svg)
    assert text is not None
    spans = re.findall(r"<tspan([^>]*)>([^<]*)</tspan>", text.group(1))
    assert [t for _a, t in spans][:4] == ["Hidden ", "h", "(1)", "="]
    xs = [float(re.search(r' x="([-0-9.]+)"', a).group(1)) for a, _t in spans]
    assert xs == sorted(xs)
    ys = [float(re.search(r' y="([-0-9.]+)"', a).group(1)) for a, _t in spans]
    assert ys[2] < ys[1]  # the superscript is raised


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler)")
def test_pdf_has_the_math_as_text(tmp_path: Path) -> None:
    spec = tmp_path / "m.yaml"
    spec.write_text(SPEC)
    assert run("render", spec, "-o", tmp_path / "m.pdf").exit_code == 0
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "m.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = "".join(text.split())
    for piece in ["Inputxt∈ℝ784", "h(1)=σ(Whhh)", "ŷ=a⊙b⊕c"]:
        assert (
            piece in flat.replace("\u0302", "").replace("y", "ŷ", 0)
            or piece.replace("ŷ", "y\u0302") in flat
        ), (piece, flat)


def test_math_labels_lay_out_without_findings(tmp_path: Path) -> None:
    from nnsvg.lint import lint_file

    for style in ("fcnn", "lenet", "alexnet"):
        spec = tmp_path / f"{style}.yaml"
        body = SPEC.replace("style: fcnn", f"style: {style}")
        if style != "fcnn":
            body = (
                f"style: {style}\ninput: {{shape: [28, 28, 1], "
                "label: '$x \\in \\mathbb{R}^{28\\times 28}$'}\nlayers:\n"
                "  - {type: conv, filters: 6, kernel: 5, label: '$h^{(1)}_{ij}$'}\n"
                "  - {type: pool, size: 2, label: '$\\max_{2\\times 2}$'}\n"
                "  - {type: dense, units: 10, label: '$\\hat{y} = \\mathrm{softmax}(z)$'}\n"
            )
        spec.write_text(body)
        findings = list(lint_file(spec))
        assert findings == [], (style, [f.message for f in findings])


def test_the_readme_lists_every_command() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Math in labels", 1)[1].split("\n## ", 1)[0]
    names = {
        *mathsymbols.COMMANDS,
        *mathsymbols.OPERATOR_NAMES,
        *mathsymbols.FONT_COMMANDS,
        *mathsymbols.ACCENTS,
    }
    missing = sorted(n for n in names if n.isalpha() and f"\\{n}" not in section)
    assert missing == []


def test_superscripts_the_font_lacks_are_raised_digits_of_its_own() -> None:
    roman = "'Latin Modern Roman', serif"  # LM Roman has ¹ but not ⁶
    setting = runs("ℝ¹⁶ units", family=roman)
    assert setting.text == "ℝ¹⁶ units"  # what it stands for (TikZ sets it as \textsuperscript)
    assert [(r.text, r.family, r.size) for r in setting.runs] == [
        ("ℝ", "'Latin Modern Math'", None),
        ("16", None, pytest.approx(7.0)),
        (" units", None, None),
    ]
    assert setting.runs[1].rise > 0
    assert runs("ℝ¹⁶").runs == ()  # DejaVu Sans has them all: left as they are
    assert [r.rise < 0 for r in runs("x₁₂", family=roman).runs] == [False, True]
