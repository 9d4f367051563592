"""The Python API: nnsvg.Figure and the staged functions, as the package docstring says."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

import nnsvg
from nnsvg.errors import ExportError, NnsvgError, SpecError
from nnsvg.lint import Finding
from nnsvg.scene import Scene
from nnsvg.theme import load_theme

from .conftest import ROOT, SPECS_DIR, unsized

STYLES = {"fcnn": "mnist-mlp", "lenet": "lenet5", "alexnet": "alexnet"}


def _ids(svg: str) -> set[str]:
    root = ElementTree.fromstring(svg.split("?>", 1)[1])
    return {el.get("id") for el in root.iter() if el.get("id")}


def _references(svg: str) -> set[str]:
    return set(re.findall(r"url\(#([^)]+)\)", svg)) | set(re.findall(r'href="#([^"]+)"', svg))


# -- the staged functions --------------------------------------------------------------


@pytest.mark.parametrize("style", sorted(STYLES))
def test_the_staged_functions_work_in_every_style(style: str, tmp_path: Path) -> None:
    spec = unsized(SPECS_DIR / f"{STYLES[style]}.yaml")
    for theme in (None, "paper", load_theme("dark")):
        scene = nnsvg.layout(spec, theme)
        assert isinstance(scene, Scene) and scene.meta["engine"] == style
    svg = nnsvg.render_svg(nnsvg.layout(spec, width="3.5in"))
    assert 'width="3.5in"' in svg
    nnsvg.export(svg, tmp_path / "fig.pdf")
    assert (tmp_path / "fig.pdf").read_bytes().startswith(b"%PDF")
    # Still the functions after every submodule is loaded (a subpackage of the same
    # name used to replace them on the package).
    for module in ("nnsvg.engines", "nnsvg.render.export", "nnsvg.pipeline", "nnsvg.cli"):
        importlib.import_module(module)
    assert callable(nnsvg.layout) and callable(nnsvg.export)


def test_names_import_from_the_package_in_a_fresh_process() -> None:
    code = (
        "from nnsvg import Figure, export, layout, load_spec, load_theme, render_svg\n"
        "import nnsvg\n"
        "spec = load_spec('specs/lenet5.yaml')\n"
        "scene = nnsvg.layout(spec)\n"
        "print(type(layout).__name__, type(nnsvg.export).__name__, len(render_svg(scene)) > 0)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["function", "function", "True"]


def test_layout_with_a_theme_object_applies_the_specs_own_overrides() -> None:
    spec = nnsvg.load_spec("t.yaml", text="layers: [2, 1]\ntheme: {node: {radius: 3}}\n")
    scene = nnsvg.layout(spec, load_theme("paper"))
    svg = nnsvg.render_svg(scene)
    assert 'r="3"' in svg


# -- Figure: sources ---------------------------------------------------------------------


def test_a_figure_from_a_file_text_json_data_or_layer_sizes() -> None:
    from_file = nnsvg.Figure(SPECS_DIR / "nnsvg-default.yaml")
    from_str_path = nnsvg.Figure(str(SPECS_DIR / "nnsvg-default.yaml"))
    text = (SPECS_DIR / "nnsvg-default.yaml").read_text()
    from_text = nnsvg.Figure(text)
    from_data = nnsvg.Figure({"layers": [16, 12, 10, 1]})
    from_json = nnsvg.Figure('{"layers": [16, 12, 10, 1]}')
    from_sizes = nnsvg.Figure([16, 12, 10, 1])
    assert from_file.svg == from_str_path.svg == from_text.svg
    assert from_data.svg == from_json.svg == from_sizes.svg
    assert from_file.name.endswith("nnsvg-default.yaml") and from_text.name == "<string>"
    assert repr(from_data) == "<nnsvg.Figure <dict>: fcnn, 4 layers>"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"layers": [{"units": 3}, {"units": 4}, {"units": -3}]},
            "<dict>: layers[2].units: must be a positive integer, got -3",
        ),
        ({"layers": [3, 2], "titel": "x"}, "<dict>: titel: unknown key 'titel'"),
        ({"layers": [3, b"x"]}, "<dict>: layers[1]: must be a mapping, a list, a string"),
        ({"layers": [3, 2], 7: 1}, "<dict>: keys must be strings, got the key 7"),
        ({"layers": [3, {"units": 2, "label": "\ud800"}]}, "<dict>: layers[1].label: character"),
        ([3, 0], "<dict>: layers[1]: must be a positive integer, got 0"),
    ],
)
def test_data_is_validated_like_a_file_with_errors_located_by_path(
    data: object, message: str
) -> None:
    with pytest.raises(SpecError) as info:
        nnsvg.Figure(data)
    assert str(info.value).startswith(message), str(info.value)
    assert "\n" not in str(info.value).split(": ", 1)[0]


def test_data_from_numpy_and_tuples_reads_as_plain_numbers() -> None:
    np = pytest.importorskip("numpy")
    fig = nnsvg.Figure({"layers": (np.int64(3), {"units": np.int32(2)})})
    assert [layer.units for layer in fig.spec.layers] == [3, 2]


def test_deep_or_huge_data_is_a_limit_error_not_a_crash() -> None:
    deep: list = []
    node = deep
    for _ in range(5000):
        node.append([])
        node = node[0]
    with pytest.raises(SpecError, match="nested more than 100 levels"):
        nnsvg.Figure({"layers": [2, 1], "title": deep})
    cyclic: dict = {"layers": [2, 1]}
    cyclic["theme"] = cyclic
    with pytest.raises(SpecError, match="nested more than 100 levels"):
        nnsvg.Figure(cyclic)


def test_bad_sources_and_options_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"missing\.yaml: cannot read spec: no such file"):
        nnsvg.Figure("missing.yaml")
    with pytest.raises(SpecError, match="no such file"):
        nnsvg.Figure("typo-without-suffix")
    with pytest.raises(NnsvgError, match="got a value of type int"):
        nnsvg.Figure(42)  # type: ignore[arg-type]
    with pytest.raises(NnsvgError, match="id_prefix: must be empty or start with a letter"):
        nnsvg.Figure([2, 1], id_prefix="1bad")
    with pytest.raises(NnsvgError, match="theme: must be a theme name"):
        nnsvg.Figure([2, 1], theme=3)  # type: ignore[arg-type]
    with pytest.raises(NnsvgError, match="unknown style 'lenett'"):
        _ = nnsvg.Figure([2, 1], style="lenett").svg


# -- Figure: outputs ----------------------------------------------------------------------


def test_save_writes_every_format_atomically(tmp_path: Path) -> None:
    fig = nnsvg.Figure(SPECS_DIR / "mnist-mlp.yaml", theme="paper")
    assert fig.save(tmp_path / "a.svg") == tmp_path / "a.svg"
    assert (tmp_path / "a.svg").read_text() == fig.svg
    fig.save(tmp_path / "a.pdf")
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    fig.save(tmp_path / "a.png", dpi=150, width="3.5in")
    png = (tmp_path / "a.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    assert int.from_bytes(png[16:20], "big") == 525  # 3.5 in at 150 dpi
    fig.save(tmp_path / "b", format="svg")
    assert (tmp_path / "b").read_text() == fig.svg
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "a.png", "a.svg", "b"]


def test_save_never_overwrites_an_input_or_writes_through_a_link(tmp_path: Path) -> None:
    spec = tmp_path / "self.svg"
    spec.write_text("layers: [2, 1]\n")
    fig = nnsvg.Figure(spec)
    with pytest.raises(ExportError, match="is an input of this run"):
        fig.save(spec)
    assert spec.read_text() == "layers: [2, 1]\n"
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "link.svg").symlink_to(tmp_path / "notes.txt")
    with pytest.raises(ExportError, match="is a symbolic link"):
        fig.save(tmp_path / "link.svg")
    assert (tmp_path / "notes.txt").read_text() == "mine"
    with pytest.raises(ExportError, match="cannot tell the output format"):
        fig.save(tmp_path / "fig.bmp")


def test_check_returns_findings_as_data() -> None:
    fig = nnsvg.Figure(SPECS_DIR / "resnet-stage.yaml")  # declares 7in, no font_size
    assert fig.check() == []
    small = fig.check(width="3.5in")
    assert small and all(isinstance(f, Finding) for f in small)
    assert {f.rule for f in small} == {"text-too-small"}
    assert fig.check(width="3.5in", min_pt=1) == []
    with pytest.raises(NnsvgError, match="min_pt"):
        fig.check(min_pt=0)


def test_with_options_makes_a_changed_copy() -> None:
    fig = nnsvg.Figure([3, 2])
    dark = fig.with_options(theme="dark", font="Times")
    assert dark.options.theme == "dark" and fig.options.theme is None
    assert 'font-family="Times"' in dark.svg and fig.svg != dark.svg
    assert 'font-family="Times"' not in dark.with_options(font=None).svg  # back to the theme's
    with pytest.raises(TypeError, match="unknown option"):
        fig.with_options(colour="red")


def test_a_figure_shows_itself_in_jupyter() -> None:
    fig = nnsvg.Figure([3, 2])
    assert fig._repr_svg_() == fig.svg
    assert fig._repr_svg_().startswith("<?xml")


# -- ids across figures --------------------------------------------------------------------


def test_two_figures_in_one_page_share_no_id_and_keep_their_own_gradient() -> None:
    # bias-weights has a weight colour bar: a gradient referenced by url(#...).
    light = nnsvg.Figure(SPECS_DIR / "bias-weights.yaml")
    dark = nnsvg.Figure(SPECS_DIR / "bias-weights.yaml", theme="dark")
    other = nnsvg.Figure(SPECS_DIR / "lenet5.yaml")
    figures = [light.svg, dark.svg, other.svg]
    id_sets = [_ids(svg) for svg in figures]
    for i in range(3):
        for j in range(i + 1, 3):
            assert not id_sets[i] & id_sets[j], (i, j)
    for svg, ids in zip(figures, id_sets):
        assert _references(svg) <= ids  # every reference stays inside its own figure
    assert _references(light.svg) and _references(light.svg) != _references(dark.svg)
    # The same figure twice is the same document, ids and all (deterministic).
    assert nnsvg.Figure(SPECS_DIR / "bias-weights.yaml").svg == light.svg


def test_a_given_id_prefix_is_used_and_an_empty_one_keeps_the_scene_ids() -> None:
    fig = nnsvg.Figure(SPECS_DIR / "bias-weights.yaml", id_prefix="fig2-")
    ids = _ids(fig.svg)
    assert all(i.startswith("fig2-") for i in ids) and "fig2-layer-1" in ids
    assert _references(fig.svg) <= ids
    plain = fig.with_options(id_prefix="")
    assert "layer-1" in _ids(plain.svg) and _references(plain.svg) <= _ids(plain.svg)


@pytest.mark.parametrize("style", sorted(STYLES))
def test_an_empty_label_or_size_label_leaves_its_line_out(style: str) -> None:
    if style == "fcnn":
        data = {
            "layers": [
                {"units": 3, "label": "", "size_label": ""},
                {"units": 2, "label": "Out", "size_label": "two"},
            ]
        }
    else:
        data = {
            "style": style,
            "input": {"shape": [8, 8, 1], "label": "", "size_label": ""},
            "layers": [
                {"type": "conv", "filters": 2, "kernel": 3, "label": "", "size_label": ""},
                {"type": "conv", "filters": 2, "kernel": 3, "label": "C2", "size_label": "two"},
            ],
        }
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", nnsvg.Figure(data).svg)
    assert "Out" in texts or "C2" in texts
    assert "two" in texts
    for default in ("Input Layer", "Output Layer", "ℝ³", "8×8×1", "6×6×2", "1@8×8", "2@6×6"):
        assert default not in texts, (default, texts)
