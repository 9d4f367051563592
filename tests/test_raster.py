"""The fast PNG path for figures with very many edges (straight or Bezier) matches
cairo's picture."""

from __future__ import annotations

import io

import pytest

from nnsvg.pipeline import build_scene, load_spec
from nnsvg.render import png, raster
from nnsvg.render.export import convert
from nnsvg.render.svg import render_svg
from nnsvg.render.writers import WriteOptions, write

Image = pytest.importorskip("PIL.Image")
np = pytest.importorskip("numpy")


def scene_of(text: str):
    return build_scene(load_spec("t.yaml", text=text))


@pytest.fixture
def low_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(png, "FAST_EDGE_THRESHOLD", 100)


@pytest.mark.parametrize(
    "text",
    [
        "layers: [30, 40, 20]\nelide: false\n",
        "layers: [30, 40, 20]\nelide: false\ndirection: down\n",
        "layers: [30, 40]\nelide: false\ntheme: dark\nedges: {opacity: 0.5, width: 1.5}\n",
        "layers: [{units: 30, bias: true}, 40]\nelide: false\nedges: {encode: [color, width]}\n",
        "layers: [30, 40, 20]\nelide: false\nedges: {curve: bezier}\n",
        "layers: [30, 40, 20]\nelide: false\nedges: {curve: bezier}\ndirection: down\n",
        "layers: [6, 40]\nelide: false\nedges: {curve: bezier, width: 2}\n",
    ],
)
def test_fast_png_matches_cairo(low_threshold: None, text: str) -> None:
    scene = scene_of(text)
    assert png.wants_fast_png(scene)
    svg = render_svg(scene)
    slow = np.asarray(Image.open(io.BytesIO(convert(svg, "png"))).convert("RGB"), float)
    fast_png = write(scene, "png", WriteOptions(svg=svg))
    fast = np.asarray(Image.open(io.BytesIO(fast_png)).convert("RGB"), float)
    assert fast.shape == slow.shape
    # The same picture: as light or dark overall, and pixel by pixel within what a box
    # filter (a diagonal line spread over two pixels, where cairo keeps it crisper)
    # accounts for. At the sizes that take this path (20k edges and up) fans are dense
    # and the two are indistinguishable.
    assert np.abs(fast.mean() - slow.mean()) < 4.0
    assert np.abs(fast - slow).mean() < 14.0
    assert fast_png == write(scene, "png", WriteOptions(svg=svg))  # deterministic bytes


def test_fast_png_keeps_dpi_and_scale(low_threshold: None) -> None:
    scene = scene_of("layers: [30, 40]\nelide: false\n")
    svg = render_svg(scene)
    for options in ({"scale": 1.0}, {"scale": 3.0}, {"dpi": 192}):
        fast = Image.open(io.BytesIO(write(scene, "png", WriteOptions(svg=svg, **options))))
        slow = Image.open(io.BytesIO(convert(svg, "png", **options)))
        assert fast.size == slow.size


@pytest.mark.parametrize(
    "text",
    [
        "layers: [30, 40]\nelide: false\nedges: {arrows: solid}\n",
        "layers: [3, 4]\n",
    ],
)
def test_arrows_and_small_figures_take_the_cairo_path(text: str) -> None:
    assert not png.wants_fast_png(scene_of(text))


def test_big_figures_take_the_fast_path() -> None:
    assert png.wants_fast_png(scene_of("layers: [200, 200]\nelide: false\n"))
    curved = "layers: [200, 200]\nelide: false\nedges: {curve: bezier}\n"
    assert png.wants_fast_png(scene_of(curved))


def test_the_curve_shape_is_nnsvgs_bezier() -> None:
    # The cubic from (0, 0) to (1, 1) with control points (0.5, 0) and (0.5, 1) (along x)
    # sampled finely, against the shape the sweep uses, both ways round.
    t = np.linspace(0, 1, 100_001)
    x = 3 * (1 - t) ** 2 * t * 0.5 + 3 * (1 - t) * t * t * 0.5 + t**3
    y = 3 * (1 - t) * t * t + t**3
    along, across = raster._curve_shape(True), raster._curve_shape(False)
    # Off by less than 0.02 px across a 1000 px fan (the most right at the ends, where
    # the curve leaves its node square to the sweep).
    assert np.abs(along(x) - y).max() < 2e-5
    assert np.abs(across(y) - x).max() < 2e-5
    w = np.linspace(0, 1, 101)
    for shape in (along, across):
        assert np.allclose(shape(1 - w), 1 - shape(w))  # drawn backwards: the same curve
        assert np.all(np.diff(shape(w)) >= 0)
