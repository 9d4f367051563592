"""The figure lint (nnsvg.lint): the gallery passes, and each rule fires on a figure
made to break it, with the exact line ``nnsvg check`` prints."""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path

import pytest

from nnsvg.errors import NnsvgError, SpecError
from nnsvg.lint import RULES, Finding, LintOptions, format_finding, lint_file, lint_scene
from nnsvg.pipeline import RenderOptions, build_scene, load_spec
from nnsvg.scene import Circle, Group, Paint, Polygon, Rect, Scene, Text, TextStyle
from nnsvg.scene import Path as PathItem
from nnsvg.spec.graph import is_graph
from nnsvg.spec.load import format_path
from tests.conftest import skip_panels, unsized

SPECS = Path(__file__).resolve().parent.parent / "specs"

# Gallery figures the lint finds real problems in (reported; the fix is elsewhere).
# Gallery figures with known problems (none now: the box numbers that landed on boxes
# and the kind colours that printed as one grey were fixed).
GALLERY_PROBLEMS: dict[str, str] = {
    # None: vgg-blocks.yaml, eleven stacks too long for one row at 7 in, wraps (#17).
}


def _gallery(known_problems: bool = True) -> list:
    params = []
    for path in sorted(SPECS.glob("*.yaml")):
        reason = GALLERY_PROBLEMS.get(path.name) if known_problems else None
        marks = (
            [pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)] if reason else []
        )
        params.append(pytest.param(path, id=path.stem, marks=marks))
    return params


def lines(path: Path, name: str, options: LintOptions | None = None, **render: object) -> list:
    found = lint_file(path, options, RenderOptions(**render))  # type: ignore[arg-type]
    return [format_finding(name, f) for f in found]


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def bare(tmp_path: Path, name: str) -> Path:
    """A copy of gallery spec ``name`` without the width and font_size it declares."""
    text = (SPECS / name).read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in text if not line.startswith(("width:", "font_size:"))]
    return write(tmp_path, "".join(kept), name)


# --- the gallery --------------------------------------------------------------------
@pytest.mark.parametrize("path", _gallery())
def test_gallery_passes(path: Path) -> None:
    assert lines(path, path.name) == []


def test_gallery_problems_are_real_specs() -> None:
    assert {p.name for p in SPECS.glob("*.yaml")} >= set(GALLERY_PROBLEMS)


def test_a_line_break_in_a_label_cannot_start_a_line_of_its_own(tmp_path: Path) -> None:
    # The layer's name and the quoted text are escaped, as in every other message.
    spec = write(
        tmp_path,
        'layers:\n  - {units: 3, label: "Input\\nerror: forged"}\n  - 2\nwidth: 1in\n',
    )
    found = lines(spec, "spec.yaml")
    assert found
    for line in found:
        assert "\n" not in line and line.startswith("spec.yaml: "), line
    assert found[0].startswith("spec.yaml: layers[0] 'Input\\nerror: forged': text-too-small: ")
    assert "'Input\\nerror: forged'" in found[0].split("text-too-small: ")[1]


# --- label-overlap ------------------------------------------------------------------
def test_label_overlap_legend_font_too_big(tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        "layers: [3, 4, 2]\nweights: random\nedges: {encode: [color]}\n"
        "theme: {legend: {font_size: 60}}\n",
    )
    assert lines(spec, "spec.yaml") == [
        "spec.yaml: legend: label-overlap: '+0.94' at (493, -41) overlaps '0' "
        "by 38.2×9.8 units: lower legend.font_size or raise legend.bar_length",
        "spec.yaml: legend: label-overlap: '0' at (421, 19) overlaps '−0.94' "
        "by 38.2×9.8 units: lower legend.font_size or raise legend.bar_length",
    ]


def test_captions_seen_along_the_network_no_longer_overlap(tmp_path: Path) -> None:
    # Was a finding: looking nearly along the network, the captions of every box
    # stacked up. The layout now puts a caption that would touch another a row lower.
    spec = write(
        tmp_path,
        "style: alexnet\ninput: {shape: [32, 32, 3], label: Image}\nlayers:\n"
        "  - {type: conv, filters: 16, kernel: 3, label: conv}\n"
        "  - {type: pool, size: 2, label: pool}\n"
        "camera: {azimuth: 10}\nlabels: {dims: false}\n",
    )
    assert lines(spec, "spec.yaml") == []


def _two_labels(shift: float) -> list[str]:
    # Boxes (0, 0)-(30, 10) and (27 + shift, 7 + shift)-(57 + shift, 17 + shift):
    # they overlap by 3 - shift units each way.
    scene = _scene(
        _layer(1, _text(0, 0, 30, 10, "first")),
        _layer(2, _text(27 + shift, 7 + shift, 57 + shift, 17 + shift, "second")),
    )
    spec = load_spec("<t>", text=SPEC_2)
    return [format_finding("t.yaml", f) for f in lint_scene(scene, spec)]


def test_label_overlap_between_two_layers() -> None:
    assert _two_labels(0) == [
        "t.yaml: layers[0]: label-overlap: 'first' at (15, 5) overlaps 'second' (layers[1]) "
        "by 3×3 units: raise layer.spacing or label.min_separation, or shorten a label"
    ]


@pytest.mark.parametrize(("shift", "found"), [(2.4, True), (2.6, False)])
def test_label_overlap_tolerance(shift: float, found: bool) -> None:
    assert bool(_two_labels(shift)) is found


# --- label-over-shape ---------------------------------------------------------------
def test_label_over_shape_bias_text_on_the_next_node(tmp_path: Path) -> None:
    # Tiny nodes packed tight: the +1 (never under 6 units) spills onto the next node.
    spec = write(
        tmp_path,
        "direction: down\nlayers:\n  - {units: 3, bias: true}\n  - 2\nwidth: 1.57in\n"
        "theme: {node: {radius: 3, spacing: 0}, bias: {gap: 0}}\n",
    )
    assert lines(spec, "spec.yaml") == [
        "spec.yaml: layers[0]: label-over-shape: '+1' at (-9, 0) lies over a node of "
        "layers[0]: raise node.radius (the +1 is sized from it) or node.spacing",
        "spec.yaml: layers[0]: text-too-small: '+1' of size 6 prints at 4.49 pt at the "
        "figure's width of 1.57in, under 6 pt: print the figure at least 2.1in wide, or "
        "raise node.radius to 8.5",
    ]


def test_box_numbers_no_longer_land_on_boxes(tmp_path: Path) -> None:
    # Was a finding: edge numbers drawn over the box before. The layout now leaves
    # out a number that would land on any box or pyramid.
    spec = write(
        tmp_path,
        "style: alexnet\ninput: {shape: [32, 32, 3], label: Image}\nlayers:\n"
        "  - {type: conv, filters: 16, kernel: 3, label: conv}\n"
        "  - {type: pool, size: 2, label: pool}\n",
    )
    assert lines(spec, "spec.yaml") == []


SPEC_2 = "layers: [1, 1]\n"


def _scene(*items: object, engine: str = "fcnn") -> Scene:
    return Scene(
        viewbox=(0, 0, 300, 300),
        items=tuple(items),  # type: ignore[arg-type]
        font=TextStyle(size=12),
        meta={"engine": engine},
        # What the pipeline would name the layers of SPEC_2 (the lint reads the names
        # off the scene, not the spec).
        names={"layer-1": "layers[0]", "layer-2": "layers[1]"},
    )


def _text(x0: float, y0: float, x1: float, y1: float, text: str = "label") -> Text:
    """A text whose box is exactly (x0, y0)-(x1, y1)."""
    return Text(x0, y1 - 2, text, "start", x1 - x0, y1 - 2 - y0, 2.0, style=TextStyle(size=12))


def _layer(number: int, *children: object) -> Group:
    return Group(id=f"layer-{number}", role="layer hidden", children=tuple(children))  # type: ignore[arg-type]


def _over_shape(scene: Scene) -> list[str]:
    spec = load_spec("<t>", text=SPEC_2)
    return [f.message for f in lint_scene(scene, spec) if f.rule == "label-over-shape"]


NODE = Group(
    id="layer-1-nodes", role="nodes", children=(Circle(50, 50, 10),), paint=Paint(fill="#ffffff")
)


@pytest.mark.parametrize(
    ("box", "hit"),
    [
        ((58, 58, 80, 70), False),  # over the circle's bounds, clear of the circle
        ((55, 55, 80, 70), True),  # into the circle
        ((59.6, 40, 80, 60), False),  # touching: within the 0.5 tolerance
        ((59, 40, 80, 60), True),
    ],
)
def test_label_over_shape_uses_the_circle(box: tuple, hit: bool) -> None:
    scene = _scene(_layer(1, NODE), _layer(2, _text(*box)))
    assert bool(_over_shape(scene)) is hit


@pytest.mark.parametrize(
    ("box", "hit"), [((125, 125, 150, 150), False), ((115, 115, 140, 140), True)]
)
def test_label_over_shape_uses_the_polygon(box: tuple, hit: bool) -> None:
    triangle = Polygon(((100, 100), (140, 100), (100, 140)), Paint(fill="#cccccc"))
    scene = _scene(_layer(1, triangle), _layer(2, _text(*box)))
    assert bool(_over_shape(scene)) is hit


def test_label_over_shape_ignores_lines_and_unfilled_shapes() -> None:
    scene = _scene(
        _layer(
            1,
            Rect(40, 40, 30, 30, paint=Paint(fill="none", stroke="#000000")),
            PathItem((("M", 40.0, 40.0), ("L", 80.0, 80.0)), Paint(stroke="#000000")),
            Rect(40, 40, 30, 30, paint=Paint(fill="#ff0000", fill_opacity=0)),
        ),
        _layer(2, _text(45, 45, 60, 60)),
    )
    assert _over_shape(scene) == []


@pytest.mark.parametrize("role", ["bias", "skip add", "legend"])
def test_label_over_shape_text_on_its_own_mark_is_meant(role: str) -> None:
    mark = Group(
        id=None if role == "bias" else "x",
        role=role,
        children=(
            Circle(50, 50, 10, Paint(fill="#ffffff")),
            _text(45, 45, 55, 55, "+"),
        ),
    )
    assert _over_shape(_scene(_layer(1, mark))) == []
    # ...but not on anybody else's shape.
    other = _layer(2, Rect(40, 40, 30, 30, paint=Paint(fill="#eeeeee")))
    assert len(_over_shape(_scene(other, _layer(1, mark)))) == 1


# --- text-outside -------------------------------------------------------------------
def test_text_outside_a_shrunk_canvas(tmp_path: Path) -> None:
    # The layouts fit the canvas to every text and refuse a negative canvas.margin,
    # so only a scene changed afterwards (or another engine) puts text outside.
    spec = load_spec(bare(tmp_path, "mnist-mlp.yaml"))
    scene = build_scene(spec)
    x, y, w, h = scene.viewbox
    shrunk = dataclasses.replace(scene, viewbox=(x + 20, y, w - 20, h - 30))
    assert [format_finding("mnist-mlp.yaml", f) for f in lint_scene(shrunk, spec)] == [
        "mnist-mlp.yaml: layers[0] 'Input': text-outside: 'Input' at (0, 231) reaches 3.5 "
        "units past the left edge of the canvas, where it is cut off: raise canvas.margin",
        "mnist-mlp.yaml: layers[1] 'Hidden 1': text-outside: 'ReLU' at (160, 264) reaches "
        "13.1 units past the bottom edge of the canvas, where it is cut off: raise "
        "canvas.margin",
        "mnist-mlp.yaml: layers[2] 'Hidden 2': text-outside: 'ReLU' at (320, 264) reaches "
        "13.1 units past the bottom edge of the canvas, where it is cut off: raise "
        "canvas.margin",
        "mnist-mlp.yaml: layers[3] 'Output': text-outside: 'softmax' at (480, 264) reaches "
        "13.1 units past the bottom edge of the canvas, where it is cut off: raise "
        "canvas.margin",
    ]


def test_negative_margin_is_refused_by_the_theme(tmp_path: Path) -> None:
    spec = write(tmp_path, "layers: [2, 2]\ntheme: {canvas: {margin: -50}}\n")
    with pytest.raises(NnsvgError, match="margin"):
        lint_file(spec)


# --- text-too-small -----------------------------------------------------------------
MNIST_AT_1IN = [
    "{f}: layers[0] 'Input': text-too-small: 'Input' and 3 other texts of size 12 print at "
    "1.57 pt {at}, under 6 pt: print the figure at least 3.83in wide, or shorten its labels "
    "(no font_size fits at 1in: there its text prints at 4.4 pt at most)",
    "{f}: layers[0] 'Input': text-too-small: 'ℝ⁷⁸⁴' and 6 other texts of size 11 print at "
    "1.44 pt {at}, under 6 pt: print the figure at least 4.18in wide, or shorten its labels "
    "(no font_size fits at 1in: there its text prints at 4.4 pt at most)",
]


def test_text_too_small_at_the_target_width(tmp_path: Path) -> None:
    mnist = bare(tmp_path, "mnist-mlp.yaml")
    found = lines(mnist, "mnist-mlp.yaml", LintOptions(target_width="1in"))
    assert found == [line.format(f="mnist-mlp.yaml", at="at 1in wide") for line in MNIST_AT_1IN]


def test_text_too_small_at_the_spec_width(tmp_path: Path) -> None:
    spec = write(tmp_path, bare(tmp_path, "mnist-mlp.yaml").read_text() + "width: 1in\n")
    at = "at the figure's width of 1in"
    assert lines(spec, "spec.yaml") == [line.format(f="spec.yaml", at=at) for line in MNIST_AT_1IN]
    # --width overrides the spec's width, and target_width both.
    assert lines(spec, "spec.yaml", width="5in") == []
    assert lines(spec, "spec.yaml", LintOptions(target_width="5in")) == []


def test_text_too_small_at_a_pages_width_when_no_width_is_given(tmp_path: Path) -> None:
    # No width: the figure is checked as printed on a 7 in page (scaled up here).
    spec = write(tmp_path, "layers: [2, 3]\ntheme: {label: {size_size: 2}}\n")
    assert lines(spec, "spec.yaml") == [
        "spec.yaml: layers[0]: text-too-small: 'ℝ²' and 1 other text of size 2 print at "
        "3.78 pt at a page's 7in (no width given), under 6 pt: print the figure at least "
        "11.13in wide, or give font_size: 36.2pt with width: 7in in the spec",
    ]
    assert lines(spec, "spec.yaml", LintOptions(min_text_pt=3)) == []
    assert lines(spec, "spec.yaml", LintOptions(default_width="14in")) == []


def test_the_font_size_advice_clears_the_finding(tmp_path: Path) -> None:
    # Applying the advice passes: font_size keeps the base text at that size whatever
    # the layout does, and every other text in proportion.
    for name in ("lenet5.yaml", "alexnet.yaml", "vgg16.yaml", "resnet-skip.yaml"):
        spec = bare(tmp_path, name)
        (found,) = {re.search(r"give font_size: \S+pt", m)[0] for m in lines(spec, name)}
        advice = found.removeprefix("give ")
        spec.write_text(spec.read_text() + f"width: 7in\n{advice}\n")
        assert lines(spec, name) == [], (name, advice)


# --- greyscale-contrast -------------------------------------------------------------
RED_GREEN = (
    "its fill #00a000 (luminance 0.251) and the fill #ff0000 of {before} (luminance "
    "0.213) differ by 0.039, under 0.08: they print as one grey; make one lighter or "
    "darker ({keys})"
)


def test_greyscale_contrast_fcnn(tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        'layers:\n  - {units: 3, color: "#ff0000"}\n  - {units: 3, color: "#00a000"}\n',
    )
    message = RED_GREEN.format(before="layers[0]", keys="layers[1].color or layers[0].color")
    assert lines(spec, "spec.yaml") == [f"spec.yaml: layers[1]: greyscale-contrast: {message}"]
    assert lines(spec, "spec.yaml", LintOptions(min_grey_difference=0.03)) == []


def test_greyscale_contrast_lenet(tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        "style: lenet\n"
        'input: {shape: [28, 28, 1], label: Input, color: "#ff0000"}\nlayers:\n'
        '  - {type: conv, filters: 4, kernel: 3, label: conv, color: "#00a000"}\n'
        '  - {type: dense, units: 10, label: out, color: "#00a000"}\n',
    )
    message = RED_GREEN.format(before="input", keys="layers[0].color or input.color")
    assert lines(spec, "spec.yaml") == [
        f"spec.yaml: layers[0] 'conv': greyscale-contrast: {message}"
    ]


ALEXNET_KINDS = (
    "style: alexnet\ninput: {shape: [28, 28, 1], label: Input}\nlayers:\n"
    "  - {type: conv, filters: 4, kernel: 3, label: conv, activation: relu}\n"
    "  - {type: pool, size: 2, label: pool}\nlabels: {dims: false}\n"
)
KINDS = 'kinds: {input: "#ff0000", conv: "#00a000", pool: "#00a000"}'


@pytest.mark.parametrize("legend", ["true", "false"])
@pytest.mark.parametrize("azimuth", [69, -69, 120, -120])
def test_greyscale_contrast_alexnet(tmp_path: Path, legend: str, azimuth: int) -> None:
    # Colours by kind, from the legend's swatches or (legend off) read off the faces:
    # the conv box's ReLU band is not its colour, and conv and pool share theirs.
    spec = write(
        tmp_path,
        ALEXNET_KINDS + f"legend: {legend}\ncamera: {{azimuth: {azimuth}}}\n"
        f"theme: {{boxes: {{color_by: kind}}, {KINDS}}}\n",
    )
    message = RED_GREEN.format(before="input", keys="kinds.conv or kinds.input")
    assert lines(spec, "spec.yaml") == [
        f"spec.yaml: layers[0] 'conv': greyscale-contrast: {message}"
    ]


def test_greyscale_contrast_alexnet_spec_colours(tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        ALEXNET_KINDS.replace("label: Input}", 'label: Input, color: "#ff0000"}')
        .replace("activation: relu}", 'activation: relu, color: "#00a000"}')
        .replace("label: pool}", 'label: pool, color: "#00a000"}')
        + "theme: {boxes: {opacity: 1}}\n",
    )
    message = RED_GREEN.format(before="input", keys="layers[0].color or input.color")
    assert lines(spec, "spec.yaml") == [
        f"spec.yaml: layers[0] 'conv': greyscale-contrast: {message}"
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("#ff0000", "#ff0000"),  # one colour on purpose
        ("#e0e0e0", "#e8e8e8"),  # one colour with a nuance
        ("#ff0000", "#ffff00"),  # apart in grey too
    ],
)
def test_greyscale_contrast_not_a_finding(tmp_path: Path, first: str, second: str) -> None:
    spec = write(
        tmp_path,
        f'layers:\n  - {{units: 3, color: "{first}"}}\n  - {{units: 3, color: "{second}"}}\n',
    )
    assert lines(spec, "spec.yaml") == []


def test_layer_names_follow_the_spec_when_fcnn_draws_a_cnn(tmp_path: Path) -> None:
    # --style fcnn draws the dense part of a CNN: layer-1 is the flattened tensor.
    spec = write(
        tmp_path,
        "style: lenet\ninput: {shape: [8, 8, 1]}\nlayers:\n"
        "  - {type: conv, filters: 2, kernel: 3, label: C1}\n"
        "  - {type: flatten, label: flat}\n"
        '  - {type: dense, units: 4, label: D1, color: "#ff0000"}\n'
        '  - {type: dense, units: 3, label: D2, color: "#00a000"}\n',
    )
    message = RED_GREEN.format(before="layers[2] 'D1'", keys="layers[3].color or layers[2].color")
    expected = [f"spec.yaml: layers[3] 'D2': greyscale-contrast: {message}"]
    assert lines(spec, "spec.yaml") == expected
    assert lines(spec, "spec.yaml", style="fcnn") == expected


# --- too-wide -----------------------------------------------------------------------
def test_too_wide_natural_size(tmp_path: Path) -> None:
    found = lines(bare(tmp_path, "nnsvg-default.yaml"), "n.yaml", LintOptions(max_width="2in"))
    assert found == [
        "n.yaml: too-wide: the figure's natural size, 6.11in (1 unit = 1 px), is wider than "
        "the 2in allowed: set width: 2in in the spec or --width 2in (its smallest text then "
        "prints at 2.7 pt)",
    ]


def test_too_wide_target_width(tmp_path: Path) -> None:
    options = LintOptions(max_width="2in", target_width="3in")
    assert lines(bare(tmp_path, "nnsvg-default.yaml"), "n.yaml", options) == [
        "n.yaml: too-wide: the target width 3in is wider than the 2in allowed: set width: 2in "
        "in the spec or --width 2in (its smallest text then prints at 2.7 pt)",
        "n.yaml: layers[0]: text-too-small: 'Input Layer' and 3 other texts of size 12 print "
        "at 4.42 pt at 3in wide, under 6 pt: print the figure at least 4.08in wide, or give "
        "font_size: 6.6pt with width: 3in in the spec",
        "n.yaml: layers[0]: text-too-small: 'ℝ¹⁶' and 3 other texts of size 11 print at "
        "4.05 pt at 3in wide, under 6 pt: print the figure at least 4.45in wide, or give "
        "font_size: 6.6pt with width: 3in in the spec",
    ]


def test_not_too_wide() -> None:
    path = SPECS / "nnsvg-default.yaml"
    assert lines(path, "n.yaml", LintOptions(max_width="7in")) == []
    assert lines(path, "n.yaml", LintOptions(max_width="7in", target_width="7in")) == []
    assert lines(path, "n.yaml", LintOptions(max_width="178mm"), width="7in") == []


@pytest.mark.parametrize("field", ["target_width", "max_width"])
def test_bad_widths_name_the_option(field: str) -> None:
    with pytest.raises(NnsvgError, match=field):
        lint_file(SPECS / "nnsvg-default.yaml", LintOptions(**{field: "3 inch"}))


# --- the report ---------------------------------------------------------------------
def test_format_finding() -> None:
    assert format_finding("a.yaml", Finding("too-wide", None, "m")) == "a.yaml: too-wide: m"
    finding = Finding("label-overlap", "layers[2] 'C1'", "m")
    assert format_finding("a.yaml", finding) == "a.yaml: layers[2] 'C1': label-overlap: m"


def test_findings_are_deterministic_and_sorted() -> None:
    path = SPECS / "vgg16.yaml"
    options = LintOptions(target_width="2in", max_width="1in")
    first = lint_file(path, options)
    assert first == lint_file(path, options)
    assert {f.rule for f in first} <= set(RULES)
    # Figure-wide first, then by layer index (numerically: layers[2] before layers[10]).
    assert first[0].rule == "too-wide" and first[0].layer is None
    indices = [
        int(f.layer.split("]")[0].split("[")[1])
        for f in first
        if f.layer and f.layer.startswith("layers[")
    ]
    assert indices == sorted(indices)


def test_labels_belong_to_their_layers() -> None:
    from nnsvg.lint import _Linter

    spec = load_spec(SPECS / "lenet5.yaml")
    texts = _Linter(build_scene(spec), spec, LintOptions()).texts
    ops = [(t.item.text, t.layer) for t in texts if t.item.cls == "label-op"]
    assert ops == [
        ("Convolution 5×5", 1),
        ("Avg-pool 2×2", 2),
        ("Convolution 5×5", 3),
        ("Avg-pool 2×2", 4),
        ("Convolution 5×5", 5),
        ("Dense", 6),
        ("Gaussian connections", 7),
    ]
    tops = {t.item.text: t.layer for t in texts if t.item.cls == "label-size"}
    assert tops["INPUT"] == 0 and tops["C3"] == 3 and tops["1×10"] == 7


def test_box_numbers_belong_to_their_boxes(tmp_path: Path) -> None:
    from nnsvg.lint import _Linter

    spec = load_spec(bare(tmp_path, "alexnet.yaml"))
    texts = _Linter(build_scene(spec), spec, LintOptions()).texts
    dims = [t.layer for t in texts if t.item.cls == "dim"]
    # Up to three numbers (height, channels, width) per box, in drawing order (those
    # that would land on another shape are left out by the layout).
    assert dims == sorted(dims) and len(dims) >= 9
    assert all(dims.count(n) <= 3 for n in set(dims))


# --- speed --------------------------------------------------------------------------
def test_a_thousand_nodes_lint_fast() -> None:
    spec = load_spec(
        "<big>",
        text="layers:\n  - {units: 1000, bias: true, label: In}\n  - {units: 1000, label: Out}\n"
        "elide: false\nedges: {encode: []}\n",
    )
    scene = build_scene(spec)
    start = time.perf_counter()
    assert lint_scene(scene, spec, LintOptions(target_width="7in")) == []
    assert time.perf_counter() - start < 1.0


def test_many_layers_lint_fast() -> None:
    layers = "".join(
        f"  - {{type: conv, filters: 4, kernel: 1, label: c{i}}}\n" for i in range(300)
    )
    spec = load_spec(
        "<deep>", text=f"style: lenet\ninput: {{shape: [16, 16, 3]}}\nlayers:\n{layers}"
    )
    scene = build_scene(spec)
    start = time.perf_counter()
    lint_scene(scene, spec)
    assert time.perf_counter() - start < 1.0


# --- image-not-drawn -------------------------------------------------------------------
IMAGES = (
    "input: {shape: [28, 28, 1], image: digit-7.png}\n"
    "layers:\n"
    "  - {type: conv, filters: 4, kernel: 5, image: digit-7.png}\n"
    "  - {type: flatten}\n"
    "  - {type: dense, units: 10, label: FC, image: digit-7.png}\n"
)


def test_image_not_drawn_on_a_vector_in_lenet(tmp_path: Path) -> None:
    (tmp_path / "digit-7.png").write_bytes((SPECS / "digit-7.png").read_bytes())
    path = write(tmp_path, IMAGES)
    assert lines(path, "s.yaml", style="lenet") == [
        "s.yaml: layers[2] 'FC': image-not-drawn: layers[2].image 'digit-7.png' is not in "
        "the figure: the layer is drawn as a vector, and images show on feature maps only"
    ]


@pytest.mark.parametrize("style", ["alexnet", "fcnn"])
def test_an_image_in_a_style_without_images_is_an_error(tmp_path: Path, style: str) -> None:
    # Not a lint finding: the spec asks for what the style cannot draw, before any layout.
    (tmp_path / "digit-7.png").write_bytes((SPECS / "digit-7.png").read_bytes())
    path = write(tmp_path, IMAGES)
    with pytest.raises(SpecError) as caught:
        lint_file(path, None, RenderOptions(style=style))
    why = f"the {style} style (from --style) cannot draw this key: remove it, or draw the "
    why += "figure in the lenet or blocks style"
    # fcnn draws only the dense layers a CNN ends with: its first layer stands for the
    # input and the layers before, whose keys it sums up.
    expected = [f"s.yaml:5:41: layers[2].image: {why}"]
    if style == "alexnet":
        expected[:0] = [f"s.yaml:1:29: input.image: {why}", f"s.yaml:3:41: layers[0].image: {why}"]
    assert [line.replace(str(path), "s.yaml") for line in str(caught.value).splitlines()] == (
        expected
    )


@pytest.mark.parametrize("path", _gallery(known_problems=False))
@pytest.mark.parametrize("style", [None, "lenet", "alexnet", "fcnn"])
def test_the_scene_names_every_node_it_draws(path: Path, style: str | None) -> None:
    # The lint names layers from Scene.names (nnsvg.names): every node group drawn has
    # a name, the further inputs are named as inputs, and a layer by its spec index.
    skip_panels(path)
    spec = unsized(path)  # its font_size holds in its own style only
    try:
        scene = build_scene(spec, RenderOptions(style=style))
    except NnsvgError:
        return  # a style that cannot draw this spec
    drawn = {g.id for g in scene.items if isinstance(g, Group) and g.role.split()[0] == "layer"}
    assert drawn <= set(scene.names), drawn - set(scene.names)
    dense_part = scene.meta["engine"] == "fcnn" and spec.is_cnn and not is_graph(spec)
    for node, name in scene.names.items():
        kind, number = node.split("-")
        if kind == "input":
            assert name.startswith(f"inputs[{number}]"), (node, name)
        elif number == "0":
            assert name in ("input", "inputs[0]") or name.startswith("inputs[0] "), name
        elif kind == "group":  # a group drawn as one block: named by its path
            group = spec.groups[int(number) - 1]
            assert name.startswith(format_path(group.path)), (node, name)
        elif not dense_part:  # a layer by its path: layers[3], or layers[2].layers[1]
            assert name.startswith(spec.layers[int(number) - 1].field_of()), (node, name)


def test_every_gallery_spec_declares_the_width_it_is_meant_for() -> None:
    # The gallery passes the lint at the width each figure is printed at (a column's
    # 3.5 in or a page's 7 in), not at whatever width its natural size happens to be.
    for path in sorted(SPECS.glob("*.yaml")):
        spec = load_spec(path)
        assert spec.width is not None, path.name
