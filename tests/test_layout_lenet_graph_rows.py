"""The LeNet style's rows for networks that branch (wrap on a graph): geometry
properties on random residual networks (hypothesis), ResNet-18 at 7 in, fit, errors."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsvg.engines.rows import printed_min_pt
from nnsvg.errors import NnsvgError
from nnsvg.fit import FitError
from nnsvg.pipeline import build_scene, load_spec
from nnsvg.scene import Circle, Group, Polygons, Scene, iter_leaves
from nnsvg.scene import Path as PathItem
from tests.cli_run import run
from tests.scenes import groups, wrapped_scene
from tests.test_layout_alexnet_graph_rows import residual_nets
from tests.test_layout_lenet_graph import bodies, check_graph_figure, graphs
from tests.test_layout_lenet_rows import crossings

ROOT = Path(__file__).resolve().parent.parent
RESNET18 = ROOT / "specs" / "resnet18.yaml"


def lenet_residual_nets():
    """The alexnet tests' random residual chains, drawn in the lenet style."""
    return residual_nets().map(
        lambda d: {**{k: v for k, v in d.items() if k != "camera"}, "style": "lenet"}
    )


def row_connectors(scene: Scene) -> list[Group]:
    """The connectors between rows: their corners are rounded (Q), the edges' are not."""
    return [
        c
        for c in groups(scene, "connector")
        if any(
            isinstance(p, PathItem) and any(cmd[0] == "Q" for cmd in p.commands)
            for p in iter_leaves(c.children)
        )
    ]


def assert_parting_at(scene: Scene, dot: tuple[float, float], joins: list[Group]) -> None:
    """The edges that start at a junction ``dot`` (two or more) part right there: one
    at most runs on to the right, level; the others turn up or down at the dot (those
    turning one way share the track, as edges leaving one tensor do)."""
    ways = []
    for c in groups(scene, "connector"):
        if c in joins:
            continue
        path = next(p for p in c.children if isinstance(p, PathItem))
        points = [(float(cmd[1]), float(cmd[2])) for cmd in path.commands]
        if points[0] != pytest.approx(dot):
            continue
        after = next(p for p in points if abs(p[0] - dot[0]) + abs(p[1] - dot[1]) > 1e-6)
        ways.append((round(after[0] - dot[0], 6) > 0, round(after[1] - dot[1], 6)))
    assert len(ways) >= 2
    level = [right for right, y in ways if y == 0]
    assert level in ([], [True]), ways


def check_rows(scene: Scene) -> list[list[str]]:
    """Each row drawn as a clean graph figure (everything inside the viewBox, no body
    on another, no caption on a body or another caption, orthogonal edges through no
    body or text); no connector (a row's too) through a map, bar or caption; rows down
    the page, each joined to the one before by a connector that ends in an arrow into
    the one box reading the row before's last tensor, or else where the edges into the
    row start, a dot where they part; the node ids of each row."""
    joins = row_connectors(scene)
    ids = {id(c) for c in joins}
    rest = tuple(i for i in scene.items if id(i) not in ids)
    check_graph_figure(dataclasses.replace(scene, items=rest))
    assert crossings(scene) == []
    cuts = []
    for c in joins:
        cuts.append(int((c.id or "").split("-")[2]))
        lines = [leaf for leaf in iter_leaves(c.children) if isinstance(leaf, PathItem)]
        end = lines[-1].commands[-1][1:]
        dots = [d for d in c.children if isinstance(d, Circle)]
        heads = [p for p in iter_leaves(c.children) if isinstance(p, Polygons)]
        if (c.id or "").endswith("-row"):
            assert not heads and len(dots) <= 1
        else:
            assert len(heads) == 1 and not dots
        for d in dots:
            assert (d.cx, d.cy) == pytest.approx(end)
            assert_parting_at(scene, (d.cx, d.cy), joins)
    # Each body wholly between two runs of the row connectors: the rows, top to bottom.
    paths = [next(p for p in c.children if isinstance(p, PathItem)) for c in joins]
    runs = [float(p.commands[4][-1]) for p in paths]  # M, L, Q, L, then Q to the run
    assert runs == sorted(runs)
    rows: list[list[str]] = [[] for _ in range(len(runs) + 1)]
    for name, box in bodies(scene).items():
        k = sum(1 for y in runs if y < box.y0)
        assert k == len(runs) or box.y1 < runs[k], name
        rows[k].append(name)
    assert all(rows)
    for k, cut in enumerate(cuts):  # each connector leaves from its row's tensor
        assert f"layer-{cut}" in rows[k]
    return rows


def wrapped_graphs() -> st.SearchStrategy[dict]:
    """Any branching network (nodes out of rank order too), with a random ``wrap``."""
    wraps = st.one_of(st.just("auto"), st.integers(1, 6))
    return st.builds(lambda d, w: {**d, "wrap": w, "width": "3in"}, graphs(), wraps)


@settings(max_examples=80, deadline=None)
@given(st.one_of(lenet_residual_nets(), wrapped_graphs()))
def test_wrapped_networks_that_branch_stay_inside_and_join_their_rows_cleanly(data: dict) -> None:
    scene = wrapped_scene(data)  # None: wrap: N with no place a row can end
    if scene is not None:
        check_rows(scene)


def resnet18_data(**changes: object) -> dict:
    data = yaml.safe_load(RESNET18.read_text(encoding="utf-8"))
    del data["direction"]  # the blocks style's
    data.update({"style": "lenet", "wrap": "auto", **changes})
    return {k: v for k, v in data.items() if v is not None}


def resnet18(**changes: object) -> Scene:
    return build_scene(load_spec("resnet18.json", text=json.dumps(resnet18_data(**changes))))


def test_resnet18_in_the_lenet_style_wraps_after_its_blocks_and_prints_at_6pt() -> None:
    assert printed_min_pt(resnet18(wrap=None), (7, "in")) < 3
    scene = resnet18()
    rows = check_rows(scene)
    assert len(rows) > 2
    assert printed_min_pt(scene, (7, "in")) >= 6.0
    # Rows end after the sum of a residual block (or before the blocks begin).
    layers = [g for g in scene.items if isinstance(g, Group) and g.role.startswith("layer")]
    titles = {g.id: g.title for g in layers}
    ends = [row[-1] for row in rows[:-1]]
    assert all(titles[n].endswith(".add") or titles[n] == "maxpool" for n in ends), ends
    # Several tensors read each row's last: the edges into the next part at a dot.
    assert all(any(isinstance(d, Circle) for d in c.children) for c in row_connectors(scene))


def test_the_cli_check_passes_resnet18_wrapped_in_the_lenet_style(tmp_path: Path) -> None:
    path = tmp_path / "resnet18.yaml"
    path.write_text(yaml.safe_dump(resnet18_data()), encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 0, result.stdout + result.stderr


def test_one_reader_of_a_rows_last_tensor_takes_the_connector_into_its_side() -> None:
    conv = {"type": "conv", "filters": 8, "kernel": 3, "padding": "same"}
    data = {
        "style": "lenet",
        "input": {"shape": [16, 16, 8], "name": "x"},
        "layers": [
            {**conv, "name": "a"},
            {**conv, "name": "b"},
            {"type": "add", "name": "m", "from": ["b", "x"]},
            {**conv, "name": "c"},
            {**conv, "name": "d"},
            {"type": "add", "from": ["d", "c"]},
        ],
        "wrap": 3,
    }
    scene = build_scene(load_spec("t.json", text=json.dumps(data)))
    rows = check_rows(scene)
    assert len(rows) == 3  # x; a, b, m; c, d and their sum
    into_row, into_c = row_connectors(scene)
    assert into_row.id == "edge-layer-0-row"  # a and m read x: the edges part at a dot
    assert any(isinstance(d, Circle) for d in into_row.children)
    assert into_c.id == "edge-layer-3-layer-4"  # from the sum m into the side of c


def test_wrap_n_on_a_graph_where_no_row_can_end_is_a_located_error() -> None:
    conv = {"type": "conv", "filters": 8, "kernel": 3, "padding": "same"}
    data = {
        "style": "lenet",
        "inputs": [{"shape": [16, 16, 8], "name": "x"}, {"shape": [16, 16, 8], "name": "y"}],
        "layers": [{**conv, "name": "a", "from": "x"}, {**conv, "from": "y"}],
        "wrap": 1,
    }
    data["layers"].append({"type": "add", "from": ["a", -1]})
    with pytest.raises(NnsvgError) as caught:
        build_scene(load_spec("t.json", text=json.dumps(data)))
    assert str(caught.value).startswith("t.json:1:")
    assert "wrap: wrap: 1: no row of this network can end" in str(caught.value)


def test_wrap_with_direction_down_on_a_graph_stays_a_located_error() -> None:
    with pytest.raises(NnsvgError) as caught:
        resnet18(direction="down")
    assert "wrap: wrap continues a row on the next row, so it cannot go with direction: down" in (
        str(caught.value)
    )
    assert str(caught.value).startswith("resnet18.json:1:")


def test_resnet18_fitted_to_a_page_is_lint_clean(tmp_path: Path) -> None:
    fit = {"width": "7in", "height": "9.5in"}
    scene = resnet18(wrap=None, width=None, fit=fit)
    rows = check_rows(scene)
    assert len(rows) >= 2
    assert printed_min_pt(scene, (7, "in")) >= 6.0
    assert scene.viewbox[3] / scene.viewbox[2] * 7 <= 9.5 * (1 + 1e-9)
    path = tmp_path / "resnet18.yaml"
    path.write_text(yaml.safe_dump(resnet18_data(wrap=None, width=None, fit=fit)), "utf-8")
    result = run("check", path)
    assert result.exit_code == 0, result.stdout + result.stderr


def test_resnet18_fitted_under_too_low_a_page_is_a_located_fit_error() -> None:
    with pytest.raises(FitError) as caught:
        resnet18(wrap=None, width=None, fit={"width": "7in", "height": "6in"})
    message = str(caught.value)
    assert message.startswith("resnet18.json:1:"), message
    assert "fit: no arrangement prints every text at 6pt or more at 7in within 6in tall" in message
