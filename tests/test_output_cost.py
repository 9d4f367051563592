"""--max-edges bounds what every output kind costs to draw, not only how many edges the
layout makes: 2M curved edges were inside the limit, and their PNG did not finish in
590 s while their PDF took 133 s and 2.4 GB. Curved edges and arrowheads count for
more, most in a PNG drawn by cairo; refused in milliseconds, before anything is written."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import nnsvg
from nnsvg.errors import LimitError
from nnsvg.pipeline import RenderOptions, build_scene, load_spec
from nnsvg.render.png import wants_fast_png
from nnsvg.render.writers import check_output_cost, output_cost
from tests.cli_run import run

CURVED_2M = "elide: false\nedges: {curve: bezier}\nlayers: [1000, 1000, 1000]\n"


def scene_of(text: str, **options):
    return build_scene(load_spec("t.yaml", text=text), RenderOptions(**options))


def test_costs_follow_the_measured_ratios() -> None:
    straight = scene_of("elide: false\nlayers: [100, 100]\n")
    curved = scene_of("elide: false\nlayers: [100, 100]\nedges: {curve: bezier}\n")
    arrows = scene_of("elide: false\nlayers: [100, 100]\nedges: {arrows: solid}\n")
    assert output_cost(straight, "pdf") == 10_000
    assert output_cost(curved, "pdf") == 40_000
    assert output_cost(arrows, "pdf") == 20_000
    assert output_cost(straight, "svg") < output_cost(curved, "svg") < 10_000
    assert wants_fast_png(curved) is False  # 10k edges: under the threshold
    assert output_cost(curved, "png") == 900_000  # drawn by cairo
    assert output_cost(arrows, "png") == 360_000


def test_two_million_curved_edges_are_refused_at_once_for_pdf_but_drawn_as_svg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "big.yaml").write_text(CURVED_2M)
    (tmp_path / "big.pdf").write_bytes(b"old")
    start = time.perf_counter()
    result = run("render", "big.yaml", "-f", "svg,pdf")
    assert time.perf_counter() - start < 30  # the SVG scene is built; no PDF is drawn
    assert result.exit_code == 1
    assert "a PDF of this figure would cost as much as 8,000,000 straight edges" in (result.stderr)
    assert "--max-edges" in result.stderr
    assert (tmp_path / "big.pdf").read_bytes() == b"old"
    assert not (tmp_path / "big.svg").exists()  # nothing written when one output is refused
    # Raising the limit is the way through, as the message says.
    scene = scene_of(CURVED_2M)
    check_output_cost(scene, "pdf", 8_000_000)
    check_output_cost(scene, "svg", 2_000_000)
    check_output_cost(scene, "png", 2_000_000)  # the fast raster path draws curves


def test_arrowheads_on_a_dense_png_are_refused_and_a_figure_says_so_too() -> None:
    text = "elide: false\nedges: {arrows: solid}\nlayers: [300, 300]\n"
    with pytest.raises(LimitError, match="a PNG of this figure would cost"):
        check_output_cost(scene_of(text), "png", 2_000_000)
    figure = nnsvg.Figure(text)
    with pytest.raises(LimitError, match="a PNG of this figure would cost"):
        figure.save("never-written.png")
    assert not Path("never-written.png").exists()
    figure.with_options(max_edges=4_000_000)  # accepted: the option raises the limit
