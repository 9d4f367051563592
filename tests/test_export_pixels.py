"""The exported raster shows what the scene says: nodes where the layout put them."""

from __future__ import annotations

import io

import pytest

from nnsvg.pipeline import build_scene, load_spec
from nnsvg.render.export import convert
from nnsvg.render.svg import render_svg
from nnsvg.scene import Circle, Group

from .conftest import SPECS_DIR, unsized

Image = pytest.importorskip("PIL.Image")


def _first_node(items) -> Circle:
    for item in items:
        if isinstance(item, Group):
            if item.role == "nodes":
                return item.children[0]
            found = _first_node(item.children)
            if found is not None:
                return found
    return None


@pytest.mark.parametrize("scale", [1.0, 3.0])
def test_png_has_a_node_where_the_layout_put_it(scale: float) -> None:
    scene = build_scene(unsized(SPECS_DIR / "nnsvg-default.yaml"))
    png = convert(render_svg(scene), "png", scale=scale)
    image = Image.open(io.BytesIO(png)).convert("L")
    vx, vy, vw, vh = scene.viewbox
    assert image.size == (round(vw * scale), round(vh * scale))
    node = _first_node(scene.items)

    def pixel(x: float, y: float) -> int:
        return image.getpixel((int((x - vx) * scale), int((y - vy) * scale)))

    assert pixel(node.cx, node.cy) > 240  # white fill
    assert pixel(node.cx - node.r, node.cy) < 160  # the dark outline
    assert pixel(vx + 1, vy + 1) > 250  # white background in the margin


def test_pdf_is_vector_with_real_text() -> None:
    svg = render_svg(build_scene(load_spec(SPECS_DIR / "nnsvg-default.yaml")))
    pdf = convert(svg, "pdf")
    assert pdf.startswith(b"%PDF")
    assert b"/Font" in pdf  # labels are text, not outlines
    assert b"/Subtype /Image" not in pdf  # and nothing was rasterised
