"""fit for a figure of panels (nnsvg.panels_fit) and the line-up of a row's panels
(align): the whole figure prints its text at the minimum, one text factor for every
panel, columns then rows chosen, located errors whose suggestions fit; axes level."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnsvg.engines.rows import printed_min_pt
from nnsvg.errors import NnsvgError, SpecError
from nnsvg.fit import Arrangement, FitError
from nnsvg.lint import LintOptions, lint_drawn, lint_file
from nnsvg.panels import PanelsSpec
from nnsvg.panels_draw import prepare_panels
from nnsvg.panels_fit import arrange_panels
from nnsvg.pipeline import RenderOptions, build_scene, load_spec
from nnsvg.scene import BBox, Group, Scene, Text, bbox_of, bounds, iter_leaves
from tests.cli_run import run
from tests.fit_suggestions import applied, assert_each_suggestion_fits

SPECS = Path(__file__).resolve().parent.parent / "specs"


def conv(label: str = "", stride: int = 1) -> str:
    extra = f", label: {label}" if label else ""
    return (
        f"      - {{type: conv, filters: 16, kernel: 3, stride: {stride}, padding: same{extra}}}\n"
    )


def lenet(caption: str, count: int, skip: bool = False) -> str:
    layers = "".join(conv(f"c{k}") for k in range(count))
    if skip:
        layers = layers.replace("label: c2}", "label: c2, skip_from: c0, merge: add}")
    return (
        f"  - caption: {caption}\n    style: lenet\n    input: [32, 32, 3]\n    layers:\n"
        f"{layers}      - {{type: dense, units: 10}}\n"
    )


PLAIN_RESIDUAL = "panels:\n" + lenet("plain", 6) + lenet("residual", 6, skip=True)
MLP_CNN = "fit: 7in\n" + "".join(  # the gallery's tall and short panels, fit: 7in first
    line
    for line in (SPECS / "mlp-and-cnn.yaml").read_text().splitlines(keepends=True)
    if not line.startswith(("width:", "fit:"))
)


def scene_of(text: str, name: str = "fig.yaml") -> Scene:
    return build_scene(load_spec(name, text=text))


def arrangement(text: str) -> Arrangement:
    spec = load_spec("fig.yaml", text=text)
    assert isinstance(spec, PanelsSpec)
    return arrange_panels(prepare_panels(spec, RenderOptions()))[2]


def panel_groups(scene: Scene) -> dict[str, Group]:
    return {
        item.id.removeprefix("panel-"): item
        for item in scene.items
        if isinstance(item, Group) and item.role == "panel" and item.id
    }


def texts(group: Group) -> dict[str, float]:
    """Each text of a panel and its size (the figure's units)."""
    out: dict[str, float] = {}
    for leaf in iter_leaves(group.children):
        if isinstance(leaf, Text) and leaf.style is not None and leaf.style.size:
            out.setdefault(leaf.text, leaf.style.size)
    return out


# --- fit ---------------------------------------------------------------------------------
@pytest.mark.parametrize("width", [3.5, 7.0])
def test_the_whole_figure_prints_its_text_at_the_minimum(width: float) -> None:
    scene = scene_of(PLAIN_RESIDUAL + f"fit: {width}in\ntitle: T\nshow_title: true\n")
    assert scene.physical_width == (width, "in")
    assert 6 - 1e-9 <= printed_min_pt(scene, (width, "in")) <= 6 * 1.02  # grown just enough
    labels = [t for t in iter_leaves(scene.items) if isinstance(t, Text) and t.cls]
    assert {"panel-label", "title"} <= {t.cls for t in labels}  # counted with the rest
    plain = scene_of(PLAIN_RESIDUAL + f"width: {width}in\n")
    assert printed_min_pt(plain, (width, "in")) < 6  # without fit it does not


def test_equal_text_and_equal_layers_stay_equal_across_panels() -> None:
    scene = scene_of(PLAIN_RESIDUAL + "fit: 3.5in\n")
    a, b = panel_groups(scene)["a"], panel_groups(scene)["b"]
    ta, tb = texts(a), texts(b)
    shared = set(ta) & set(tb)
    assert "Convolution 3×3" in shared and all(ta[t] == tb[t] for t in shared)
    boxes = [bbox_of(g) for g in (a, b)]
    assert boxes[0] is not None and boxes[1] is not None

    def maps(group: Group, node: str) -> tuple[float, float]:
        found = [
            c
            for c in _walk(group)
            if isinstance(c, Group) and c.id == f"panel-{group.id[-1]}-{node}-maps"
        ]
        box = bbox_of(found[0])
        assert box is not None
        return round(box.width, 6), round(box.height, 6)

    for node in ("layer-1", "layer-4"):
        assert maps(a, node) == maps(b, node)


def _walk(group: Group) -> list:
    out = []
    for child in group.children:
        out.append(child)
        if isinstance(child, Group):
            out.extend(_walk(child))
    return out


def test_one_row_of_panels_when_it_fits_else_fewer_columns() -> None:
    side = PLAIN_RESIDUAL.replace("style: lenet", "style: lenet")
    wide = arrangement(side + "fit: 16in\n")
    assert (wide.columns, wide.panel_rows) == (2, (None, None))
    narrow = arrangement(side + "fit: 7in\n")
    assert (narrow.columns, narrow.panel_rows) == (1, (None, None))  # no panel wrapped


def test_the_widest_panel_is_wrapped_and_the_short_one_kept() -> None:
    text = "columns: 1\nfit: 3.5in\npanels:\n" + lenet("long", 10) + lenet("short", 1)
    chosen = arrangement(text)
    assert chosen.columns == 1
    assert chosen.panel_rows[0] is not None and chosen.panel_rows[0] >= 2
    assert chosen.panel_rows[1] is None
    assert printed_min_pt(scene_of(text), (3.5, "in")) >= 6 - 1e-9


def test_equal_panels_are_wrapped_together() -> None:
    text = "columns: 1\nfit: 2.5in\npanels:\n" + lenet("one", 8) + lenet("two", 8)
    rows = arrangement(text).panel_rows
    assert rows[0] is not None and rows[0] == rows[1]


def test_columns_and_a_font_size_are_kept() -> None:
    chosen = arrangement(MLP_CNN.replace("fit: 7in", "columns: 2\nfit: 7in\nfont_size: 8pt"))
    assert chosen.columns == 2
    scene = scene_of(MLP_CNN.replace("fit: 7in", "fit: 7in\nfont_size: 8pt"))
    assert scene.font is not None
    printed = scene.font.size * 7 * 72 / scene.viewbox[2]
    assert printed == pytest.approx(8, rel=0.005)


def test_fit_true_takes_the_figure_width_and_both_widths_is_an_error() -> None:
    a = scene_of(PLAIN_RESIDUAL + "width: 7in\nfit: true\n")
    b = scene_of(PLAIN_RESIDUAL + "fit: 7in\n")
    assert a == b
    for head, words in [("width: 7in\nfit: 5in\n", "give it once"), ("fit: true\n", "gives none")]:
        with pytest.raises(SpecError) as info:
            scene_of(head + PLAIN_RESIDUAL)
        assert info.value.field == "fit" and words in info.value.message
        assert info.value.location is not None and info.value.location.line == 2 - (
            "width" not in head
        )


def test_a_bad_fit_value_is_located() -> None:
    with pytest.raises(NnsvgError) as info:
        scene_of("fit: {width: 7in, min_text: 2pt}\n" + PLAIN_RESIDUAL)
    err = info.value
    err = getattr(err, "errors", [err])[0]
    assert err.field == "fit.min_text" and err.location is not None and err.location.line == 1


UNFITTABLE = [
    "columns: 2\nfit: 1in\npanels:\n" + lenet("long", 10) + lenet("short", 1),
    "fit: {width: 1in, min_text: 12pt}\npanels:\n" + lenet("a", 3) + lenet("b", 3),
    MLP_CNN.replace("fit: 7in", "columns: 2\nfit: 1.2in"),
]


@pytest.mark.parametrize("text", UNFITTABLE)
def test_nothing_fits_a_located_error_whose_suggestions_each_fit(text: str) -> None:
    with pytest.raises(FitError) as info:
        scene_of(text)
    err = info.value
    assert err.field == "fit" and err.location is not None
    assert (
        err.location.line
        == text.splitlines().index(
            next(line for line in text.splitlines() if line.startswith("fit:"))
        )
        + 1
    )
    for value in err.suggestions.values():
        assert f": {value}" in err.message
    assert_each_suggestion_fits(err, text)


def test_fewer_columns_is_suggested_when_the_spec_fixes_them() -> None:
    with pytest.raises(FitError) as info:
        scene_of(UNFITTABLE[0])
    assert info.value.suggestions.get("columns") == 1


def test_the_command_line_prints_the_located_fit_error(tmp_path: Path) -> None:
    path = tmp_path / "fig.yaml"
    path.write_text(UNFITTABLE[0])
    result = run("render", path, "--out-dir", tmp_path / "out")
    assert result.exit_code == 1
    assert re.search(r"fig\.yaml:2:6: fit: no arrangement", result.output)
    assert "Traceback" not in result.output


# --- fit inside a panel ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "value", "column"), [("fit", "3in", 10), ("width", "3in", 12), ("font_size", "9pt", 16)]
)
def test_fit_width_or_font_size_in_an_inline_panel_is_a_located_error(
    key: str, value: str, column: int
) -> None:
    """The figure's scale and text are one for every panel: an inline panel's own is an
    error, not silently left unread."""
    text = f"panels:\n  - {{layers: [3, 2]}}\n  - layers: [4, 2]\n    {key}: {value}\n"
    with pytest.raises(SpecError) as info:
        load_spec("fig.yaml", text=text)
    err = info.value
    assert err.field == f"panels[1].{key}"
    assert err.location is not None and (err.location.line, err.location.column) == (4, column)
    assert f"{key} belongs to the figure" in err.message


def test_a_named_spec_keeps_its_fit_for_when_it_is_drawn_alone(tmp_path: Path) -> None:
    (tmp_path / "mlp.yaml").write_text("layers: [3, 4, 2]\nfit: 3in\n")
    (tmp_path / "bare.yaml").write_text("layers: [3, 4, 2]\n")
    fitted = build_scene(load_spec(_figure(tmp_path, "mlp.yaml")))
    bare = build_scene(load_spec(_figure(tmp_path, "bare.yaml")))
    assert fitted.viewbox == bare.viewbox  # the panel's own fit is not read here
    alone = build_scene(load_spec(tmp_path / "mlp.yaml"))
    assert printed_min_pt(alone, (3, "in")) >= 6 - 1e-9  # alone it is


def _figure(folder: Path, name: str) -> Path:
    path = folder / f"fig-{name}"
    path.write_text(f"panels:\n  - {{spec: {name}}}\n  - {{layers: [2, 2]}}\n")
    return path


# --- the gallery and the lint ---------------------------------------------------------------
def test_the_gallery_figures_of_panels_pass_the_check() -> None:
    for name in ("mlp-and-cnn.yaml", "resnet-plain-vs-residual.yaml"):
        assert lint_file(SPECS / name) == [], name
    result = run("check", SPECS / "mlp-and-cnn.yaml")
    assert result.exit_code == 0, result.stdout


def test_a_fitted_figure_of_panels_is_lint_clean_at_a_stricter_minimum() -> None:
    text = MLP_CNN.replace("fit: 7in", "fit: {width: 7in, min_text: 7pt}")
    spec = load_spec("fig.yaml", text=text)
    scene = build_scene(spec)
    assert lint_drawn(spec, scene, RenderOptions(), LintOptions(7.0)) == []


def test_a_fitted_figure_of_panels_is_deterministic() -> None:
    from nnsvg.render.svg import render_svg

    assert render_svg(scene_of(PLAIN_RESIDUAL + "fit: 3.5in\n")) == render_svg(
        scene_of(PLAIN_RESIDUAL + "fit: 3.5in\n")
    )


# --- align -------------------------------------------------------------------------------
def bodies(scene: Scene, letter: str) -> list[BBox]:
    """The drawn shapes (not texts) of each node of panel ``letter``, in node order."""
    group = panel_groups(scene)[letter]
    found = []
    for child in _walk(group):
        if isinstance(child, Group) and child.role and child.role.startswith("layer"):
            shapes = [x for x in iter_leaves(child.children) if not isinstance(x, Text)]
            box = bounds(shapes)
            if box is not None:
                found.append(box)
    return found


def drawing(scene: Scene, letter: str) -> BBox:
    group = panel_groups(scene)[letter]
    parts = [c for c in group.children if not (isinstance(c, Group) and c.role == "panel-label")]
    box = bounds(parts)
    assert box is not None
    return box


def centre(box: BBox) -> float:
    return (box.y0 + box.y1) / 2


def test_a_residual_panel_s_main_row_is_level_with_its_plain_neighbour() -> None:
    scene = scene_of(PLAIN_RESIDUAL)  # one row, align: axis by default
    a, b = bodies(scene, "a"), bodies(scene, "b")
    assert len(a) == len(b) == 8
    for x, y in zip(a, b):
        assert centre(x) == pytest.approx(centre(y), abs=1e-6)
    assert drawing(scene, "b").y0 < drawing(scene, "a").y0  # its arcs stand above


@pytest.mark.parametrize("align", ["top", "center"])
def test_align_top_and_center(align: str) -> None:
    scene = scene_of(PLAIN_RESIDUAL + f"align: {align}\n")
    a, b = drawing(scene, "a"), drawing(scene, "b")
    if align == "top":
        assert a.y0 == pytest.approx(b.y0, abs=1e-6)
    else:
        assert centre(a) == pytest.approx(centre(b), abs=1e-6)
    assert centre(bodies(scene, "a")[0]) != pytest.approx(centre(bodies(scene, "b")[0]))


def test_a_tall_and_a_short_panel_line_up_on_their_axes() -> None:
    scene = scene_of(MLP_CNN)
    mlp, cnn = bodies(scene, "a"), bodies(scene, "b")
    assert centre(mlp[0]) == pytest.approx(centre(cnn[0]), abs=1e-6)
    assert drawing(scene, "a").height > drawing(scene, "b").height


def test_a_panel_drawn_downwards_has_no_axis_and_is_centred() -> None:
    text = (
        "panels:\n  - {layers: [3, 2]}\n  - {style: blocks, direction: down, layers: [4, 2, 2]}\n"
    )
    spec = load_spec("fig.yaml", text=text)
    assert isinstance(spec, PanelsSpec)
    scene = build_scene(spec)
    a, b = drawing(scene, "a"), drawing(scene, "b")
    axis_a = centre(bodies(scene, "a")[0])
    assert centre(b) == pytest.approx(axis_a, abs=1e-6)
    assert a.height < b.height


def test_a_bad_align_is_located() -> None:
    with pytest.raises(SpecError) as info:
        load_spec("fig.yaml", text="align: middle\n" + PLAIN_RESIDUAL)
    assert info.value.field == "align" or "align" in str(info.value)
    assert "'axis', 'top', 'center'" in str(info.value)


# --- property ----------------------------------------------------------------------------
_PANEL = st.one_of(
    st.lists(st.integers(1, 10), min_size=2, max_size=5).map(lambda units: {"layers": units}),
    st.tuples(st.integers(16, 64), st.integers(1, 6), st.booleans()).map(
        lambda t: {
            "style": "alexnet" if t[2] else "lenet",
            "input": [t[0], t[0], 3],
            "layers": [{"type": "conv", "filters": 8, "kernel": 3, "padding": "same"}] * t[1]
            + [{"type": "dense", "units": 4}],
        }
    ),
)


@settings(
    max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    panels=st.lists(_PANEL, min_size=1, max_size=4),
    columns=st.none() | st.integers(1, 4),
    width=st.sampled_from(["2in", "3.5in", "7in"]),
    minimum=st.sampled_from([5, 6, 8]),
)
def test_fitted_panels_print_at_the_minimum_with_axes_level_or_say_what_fits(
    panels: list, columns: int | None, width: str, minimum: int
) -> None:
    data: dict = {"panels": panels, "fit": {"width": width, "min_text": minimum}}
    if columns is not None:
        data["columns"] = min(columns, len(panels))
    text = json.dumps(data)
    try:
        tries = [(text, scene_of(text, "fig.json"))]
    except FitError as err:
        assert err.suggestions, err.message
        tries = []
        for key, value in err.suggestions.items():
            fixed = applied(text, key, value)
            tries.append((fixed, scene_of(fixed, "fig.json")))
    for fixed, scene in tries:
        fit = json.loads(fixed)["fit"]
        at = (float(fit["width"][:-2]), "in")
        assert printed_min_pt(scene, at) >= float(str(fit["min_text"]).rstrip("pt")) - 1e-9
        rows: dict[float, list[float]] = {}  # the panels of a row share their labels' baseline
        for letter, group in panel_groups(scene).items():
            label = next(
                t
                for t in iter_leaves(group.children)
                if isinstance(t, Text) and t.cls == "panel-label"
            )
            rows.setdefault(round(label.y, 6), []).append(axis_of(scene, letter))
        for axes in rows.values():
            assert max(axes) - min(axes) < 1e-6


def axis_of(scene: Scene, letter: str) -> float:
    """The middle of the row of node shapes the first node (the input) stands in."""
    found = bodies(scene, letter)
    line = centre(found[0])
    row = [b for b in found if b.y0 <= line <= b.y1]
    return (min(b.y0 for b in row) + max(b.y1 for b in row)) / 2


@pytest.mark.parametrize(
    ("extra", "valid"),
    [
        ({"fit": "7in", "align": "top"}, True),
        ({"fit": {"width": "7in", "min_text": "7pt"}, "align": "axis"}, True),
        ({"align": "middle"}, False),
        ({"fit": 3}, False),
        ({"panel": {"width": "3in"}}, False),  # the figure's, not a panel's
        ({"panel": {"font_size": "8pt"}}, False),
        ({"panel": {"fit": "3in"}}, False),
        ({"panel": {"caption": "an MLP", "title": "MLP"}}, True),
    ],
)
def test_the_schema_reads_fit_and_align_on_panels_as_nnsvg_does(extra: dict, valid: bool) -> None:
    import jsonschema

    from nnsvg.spec.schema import spec_schema

    extra = dict(extra)
    panel = extra.pop("panel", {})
    doc = {"panels": [{"layers": [3, 2]}, {"layers": [2, 2], **panel}], **extra}
    errors = list(jsonschema.Draft202012Validator(spec_schema()).iter_errors(doc))
    assert (errors == []) is valid
    if valid:
        scene_of(json.dumps(doc), "fig.json")
    else:
        with pytest.raises(SpecError):
            load_spec("fig.json", text=json.dumps(doc))


def test_the_lint_advises_fit_s_minimum_on_a_fitted_figure_of_panels() -> None:
    spec = load_spec("fig.yaml", text=MLP_CNN)
    scene = build_scene(spec)
    messages = [
        f.message
        for f in lint_drawn(spec, scene, RenderOptions(), LintOptions(7.0))
        if f.rule == "text-too-small"
    ]
    assert messages and all("raise fit's min_text to 7pt" in m for m in messages)
    tiny = MLP_CNN.replace("fit: 7in", "fit: {width: 7in, min_text: 5pt}")
    spec = load_spec("fig.yaml", text=tiny)
    messages = [
        f.message
        for f in lint_drawn(spec, build_scene(spec), RenderOptions(), LintOptions(40.0))
        if f.rule == "text-too-small"
    ]
    assert messages and all("shorten its labels" in m for m in messages)
