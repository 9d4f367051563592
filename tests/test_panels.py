"""Figures of panels (nnsvg.panels, nnsvg.panels_draw): validation with located errors,
one shared scale, labels, unique ids, placement, the lint and the command line."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnsvg.errors import NnsvgError, SpecError
from nnsvg.lint import lint_file
from nnsvg.panels import PanelsSpec
from nnsvg.pipeline import build_scene, load_spec
from nnsvg.render.svg import render_svg
from nnsvg.scene import BBox, Group, Scene, Text, bbox_of, iter_leaves
from tests.cli_run import run

SPECS = Path(__file__).resolve().parent.parent / "specs"

LENET = """\
  - caption: {caption}
    style: lenet
    input: [28, 28, 1]
    layers:
      - {{type: conv, filters: 4, kernel: 5}}
      - {{type: pool, size: 2}}
{extra}      - {{type: dense, units: 10}}
"""


def write(folder: Path, text: str, name: str = "fig.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def figure(tmp_path: Path, head: str = "", extra: str = "") -> Path:
    """Two LeNet-like panels, the second ``extra`` layers deeper."""
    text = head + "panels:\n" + LENET.format(caption="short", extra="")
    text += LENET.format(caption="deeper", extra=extra)
    return write(tmp_path, text)


def error_of(path: Path) -> str:
    with pytest.raises(NnsvgError) as caught:
        build_scene(load_spec(path))
    return str(caught.value).replace(str(path.parent) + "/", "")


def groups(scene: Scene) -> dict[str, Group]:
    found: dict[str, Group] = {}

    def walk(items: tuple) -> None:
        for item in items:
            if isinstance(item, Group):
                if item.id:
                    found[item.id] = item
                walk(item.children)

    walk(scene.items)
    return found


# --- the spec -----------------------------------------------------------------------
def test_a_panels_spec_loads_as_panels(tmp_path: Path) -> None:
    spec = load_spec(figure(tmp_path, "title: Two\ncolumns: 2\ncaptions: above\n"))
    assert isinstance(spec, PanelsSpec)
    assert [p.label for p in spec.panels] == ["(a) short", "(b) deeper"]
    assert (spec.columns, spec.captions, spec.title) == (2, "above", "Two")
    assert [len(p.spec.layers) for p in spec.panels] == [3, 3]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("columns: 3\n", "fig.yaml:1:10: columns: must be at most 2, got 3"),
        ("columns: 0\n", "fig.yaml:1:10: columns: must be a number of panels a row, got 0"),
        ("captions: left\n", "fig.yaml:1:11: captions: must be one of 'below', 'above'"),
        ("layers: [3]\n", "fig.yaml:1:1: layers: unknown key 'layers'"),
        ("font_size: 8pt\n", "fig.yaml:1:12: font_size: sets the printed size of the text"),
    ],
)
def test_bad_figure_keys_are_located(tmp_path: Path, head: str, expected: str) -> None:
    assert error_of(figure(tmp_path, head)).startswith(expected)


def test_panels_must_be_a_non_empty_list(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "panels: []\n"))
    assert message.startswith("fig.yaml:1:9: panels: must be a list of panels")
    message = error_of(write(tmp_path, "panels:\n  - 3\n"))
    assert message.startswith("fig.yaml:2:5: panels[0]: panel (a) must be a spec mapping")


def test_an_error_inside_an_inline_panel_points_at_its_line(tmp_path: Path) -> None:
    path = figure(tmp_path, extra="      - {type: conv, filters: -3, kernel: 3}\n")
    assert error_of(path).startswith("fig.yaml:15:31: panels[1].layers[2].filters:")


def test_a_shape_error_inside_an_inline_panel_points_at_its_line(tmp_path: Path) -> None:
    path = figure(tmp_path, extra="      - {type: pool, size: 99}\n")
    assert error_of(path).startswith("fig.yaml:15:")


def test_a_referenced_spec_is_read_beside_the_figure(tmp_path: Path) -> None:
    write(tmp_path, "style: fcnn\nlayers: [3, 4, 2]\n", "mlp.yaml")
    spec = load_spec(write(tmp_path, "panels:\n  - {spec: mlp.yaml, caption: an MLP}\n"))
    assert isinstance(spec, PanelsSpec)
    assert spec.panels[0].spec.style == "fcnn"
    scene = build_scene(spec)
    assert "panel-a-layer-1" in groups(scene)


def test_an_error_in_a_referenced_spec_points_into_that_file(tmp_path: Path) -> None:
    write(tmp_path, "style: fcnn\nlayers:\n  - 3\n  - -4\n", "mlp.yaml")
    message = error_of(write(tmp_path, "panels:\n  - {spec: mlp.yaml}\n"))
    assert message.startswith("mlp.yaml:4:5: layers[1]")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("missing.yaml", "fig.yaml:2:12: panels[0].spec: missing.yaml not found"),
        ("../out.yaml", "fig.yaml:2:12: panels[0].spec: ../out.yaml is outside the spec's folder"),
        ("mlp.png", "fig.yaml:2:12: panels[0].spec: mlp.png is not a spec file"),
    ],
)
def test_a_bad_panel_file_is_refused_where_it_is_named(
    tmp_path: Path, name: str, expected: str
) -> None:
    inner = tmp_path / "in"
    inner.mkdir()
    write(tmp_path, "layers: [3]\n", "out.yaml")
    assert error_of(write(inner, f"panels:\n  - {{spec: {name}}}\n")).startswith(expected)


def test_a_panel_with_panels_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "panels:\n  - {spec: fig.yaml}\n", "fig.yaml")  # itself: no cycle
    message = error_of(tmp_path / "fig.yaml")
    assert message.startswith("fig.yaml:2:12: panels[0]: panel (a) draws one network")
    text = "panels:\n  - panels:\n      - {layers: [3]}\n"
    message = error_of(write(tmp_path, text, "inline.yaml"))
    assert message.startswith("inline.yaml:2:5: panels[0]: panel (a) draws one network")


def test_unknown_keys_of_a_named_panel_are_errors(tmp_path: Path) -> None:
    write(tmp_path, "layers: [3]\n", "mlp.yaml")
    message = error_of(write(tmp_path, "panels:\n  - {spec: mlp.yaml, layers: [4]}\n"))
    assert message.startswith("fig.yaml:2:22: panels[0].layers: unknown key 'layers'")


# --- drawing ------------------------------------------------------------------------
def test_equal_layers_are_drawn_equal_in_every_panel(tmp_path: Path) -> None:
    extra = "      - {type: conv, filters: 4, kernel: 3}\n"
    scene = build_scene(load_spec(figure(tmp_path, "width: 7in\n", extra)))
    found = groups(scene)
    for node in ("layer-0", "layer-1", "layer-2"):
        a = bbox_of(found[f"panel-a-{node}"])
        b = bbox_of(found[f"panel-b-{node}"])
        assert a is not None and b is not None
        assert (round(a.width, 6), round(a.height, 6)) == (round(b.width, 6), round(b.height, 6))


@pytest.mark.parametrize("style", ["lenet", "alexnet"])
def test_a_layer_is_drawn_the_same_size_whatever_else_its_panel_holds(
    tmp_path: Path, style: str
) -> None:
    # Each style sizes a map against the largest one: in panels, the largest of all.
    text = f"""panels:
  - {{style: {style}, input: [28, 28, 4], layers: [{{type: pool, size: 2}}]}}
  - style: {style}
    input: [56, 56, 4]
    layers: [{{type: pool, size: 2}}, {{type: pool, size: 2}}]
"""
    found = groups(build_scene(load_spec(write(tmp_path, text))))

    def shapes(node: str) -> list[tuple[float, float]]:
        leaves = iter_leaves(found[node].children)
        boxes = [bbox_of(x) for x in leaves if not isinstance(x, Text)]
        return sorted((round(b.width, 6), round(b.height, 6)) for b in boxes if b is not None)

    assert shapes("panel-a-layer-0") == shapes("panel-b-layer-1")  # both 28x28x4
    assert shapes("panel-a-layer-1") == shapes("panel-b-layer-2")  # both 14x14x4
    assert shapes("panel-b-layer-0") != shapes("panel-b-layer-1")


def test_node_edge_panels_share_their_scale(tmp_path: Path) -> None:
    text = "panels:\n  - {layers: [3, 4, 2]}\n  - {layers: [3, 6, 6, 2]}\n"
    scene = build_scene(load_spec(write(tmp_path, text)))
    radii = {
        round(leaf.r, 6)
        for leaf in iter_leaves(scene.items)
        if type(leaf).__name__ == "Circle" and leaf.cls != "merge"
    }
    assert len(radii) == 1


def labels(scene: Scene) -> list[str]:
    return [
        t.text for t in iter_leaves(scene.items) if isinstance(t, Text) and t.cls == "panel-label"
    ]


def test_panels_are_labelled_in_order_with_their_captions(tmp_path: Path) -> None:
    text = "panels:\n  - {layers: [3, 2], caption: one}\n  - {layers: [2, 2]}\n"
    text += "  - {layers: [4, 2], caption: three}\n"
    scene = build_scene(load_spec(write(tmp_path, text)))
    assert labels(scene) == ["(a) one", "(b)", "(c) three"]


@pytest.mark.parametrize("captions", ["below", "above"])
def test_labels_are_below_or_above_their_panel(tmp_path: Path, captions: str) -> None:
    scene = build_scene(load_spec(figure(tmp_path, f"captions: {captions}\n")))
    for letter in "ab":
        group = groups(scene)[f"panel-{letter}"]
        label = bbox_of(groups(scene)[f"panel-{letter}-label"])
        drawing = [
            c for c in group.children if not (isinstance(c, Group) and c.role == "panel-label")
        ]
        boxes = [b for b in map(bbox_of, drawing) if b is not None]
        top, bottom = min(b.y0 for b in boxes), max(b.y1 for b in boxes)
        assert label is not None
        assert (label.y0 >= bottom) if captions == "below" else (label.y1 <= top)


def test_ids_are_unique_and_prefixed(tmp_path: Path) -> None:
    svg = render_svg(build_scene(load_spec(figure(tmp_path))), id_prefix="")
    ids = [el.get("id") for el in ET.fromstring(svg).iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    assert "panel-a-layer-1" in ids and "panel-b-layer-1" in ids


def test_the_figure_is_fitted_to_its_width_with_its_font_size(tmp_path: Path) -> None:
    scene = build_scene(load_spec(figure(tmp_path, "width: 7in\nfont_size: 9pt\n")))
    assert scene.physical_width == (7.0, "in")
    label = next(
        t for t in iter_leaves(scene.items) if isinstance(t, Text) and t.cls == "panel-label"
    )
    assert label.style is not None and label.style.size is not None
    printed = label.style.size * 7 * 72 / scene.viewbox[2]
    assert printed == pytest.approx(9.0, rel=0.01)


def test_a_figure_of_panels_is_deterministic(tmp_path: Path) -> None:
    path = figure(tmp_path, "title: T\nshow_title: true\ncolumns: 1\n")
    assert render_svg(build_scene(load_spec(path))) == render_svg(build_scene(load_spec(path)))


# --- placement over random panel sets ---------------------------------------------------
_PANEL = st.one_of(
    st.lists(st.integers(1, 12), min_size=2, max_size=5).map(lambda units: {"layers": units}),
    st.tuples(st.integers(8, 40), st.integers(1, 3), st.integers(1, 8)).map(
        lambda t: {
            "style": "lenet",
            "input": [t[0], t[0], 1],
            "layers": [{"type": "conv", "filters": t[2], "kernel": 3, "padding": "same"}] * t[1]
            + [{"type": "dense", "units": 4}],
        }
    ),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    panels=st.lists(_PANEL, min_size=1, max_size=5),
    columns=st.integers(1, 5),
    captions=st.sampled_from(["below", "above"]),
    caption=st.text(alphabet="abc xyz", max_size=30),
)
def test_panels_lie_inside_the_viewbox_and_apart(
    panels: list, columns: int, captions: str, caption: str
) -> None:
    import json

    items = [{**panel, "caption": caption or None} for panel in panels]
    doc = {"panels": items, "columns": min(columns, len(items)), "captions": captions}
    scene = build_scene(load_spec("fig.json", text=json.dumps(doc)))
    x, y, w, h = scene.viewbox
    view = BBox(x, y, x + w, y + h)
    for leaf in iter_leaves(scene.items):
        box = bbox_of(leaf)
        if box is not None:
            assert view.x0 <= box.x0 and box.x1 <= view.x1, leaf
            assert view.y0 <= box.y0 and box.y1 <= view.y1, leaf
    found = groups(scene)
    boxes = [bbox_of(found[f"panel-{chr(97 + k)}"]) for k in range(len(items))]
    for a, b in itertools.combinations(boxes, 2):
        assert a is not None and b is not None
        assert not a.overlaps(b)


# --- the lint and the command line -------------------------------------------------------
def test_the_lint_names_the_panel_of_a_finding(tmp_path: Path) -> None:
    findings = lint_file(figure(tmp_path, "width: 1.5in\n"))
    assert findings
    layers = {f.layer for f in findings}
    assert any(layer and layer.startswith("panel (a) ") for layer in layers), layers
    assert any(layer and layer.startswith("panel (b) ") for layer in layers), layers
    assert any(f.layer is None and "(a) short" in f.message for f in findings)


def test_the_gallery_figure_of_panels_is_lint_clean() -> None:
    assert lint_file(SPECS / "resnet-plain-vs-residual.yaml") == []


def test_the_command_line_renders_a_figure_of_panels(tmp_path: Path) -> None:
    path = figure(tmp_path, "width: 7in\nfont_size: 8pt\n")
    result = run("render", path, "--out-dir", tmp_path / "out", "--format", "svg,png,pdf")
    assert result.exit_code == 0, result.stderr
    for suffix in ("svg", "png", "pdf"):
        assert (tmp_path / "out" / f"fig.{suffix}").stat().st_size > 0
    result = run("check", path)
    assert result.exit_code == 0, result.stdout


def test_the_command_line_reports_a_located_panel_error(tmp_path: Path) -> None:
    write(tmp_path, "layers: [3, 0]\n", "mlp.yaml")
    path = write(tmp_path, "panels:\n  - {spec: mlp.yaml}\n")
    result = run("render", path, "--out-dir", tmp_path / "out")
    assert result.exit_code == 1
    assert "mlp.yaml:1:13: layers[1]" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_spec_errors_are_spec_errors(tmp_path: Path) -> None:
    with pytest.raises(SpecError):
        load_spec(write(tmp_path, "panels: 3\n"))


def test_a_figure_of_panels_is_made_from_the_files_its_panels_name(tmp_path: Path) -> None:
    from nnsvg.figure_files import figure_inputs
    from nnsvg.pipeline import RenderOptions

    write(tmp_path, "layers: [3, 2]\n", "mlp.yaml")
    path = write(tmp_path, "panels:\n  - {spec: mlp.yaml}\n  - {layers: [2, 2]}\n")
    inputs = figure_inputs(load_spec(path), path, RenderOptions())
    specs = [item.path.name for item in inputs if item.kind == "spec" and item.path]
    assert specs == ["fig.yaml", "mlp.yaml"]


def test_the_panels_share_the_figure_s_edge_limit(tmp_path: Path) -> None:
    from nnsvg.errors import LimitError
    from nnsvg.pipeline import RenderOptions

    # Each panel draws 3*4 + 4*2 = 20 edges: one fits a limit of 30, two do not.
    text = "panels:\n  - {layers: [3, 4, 2]}\n  - {layers: [3, 4, 2]}\n"
    spec = load_spec(write(tmp_path, text))
    build_scene(spec, RenderOptions(max_edges=40))
    with pytest.raises(LimitError, match="less what the panels before it draw"):
        build_scene(spec, RenderOptions(max_edges=30))
