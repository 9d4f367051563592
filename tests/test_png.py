"""The PNG writer: cairo's pixels and encoder, with the pixel density nnsvg adds."""

from __future__ import annotations

import io

import pytest

cairocffi = pytest.importorskip("cairocffi")
Image = pytest.importorskip("PIL.Image")

from nnsvg.pipeline import build_scene, load_spec  # noqa: E402
from nnsvg.render.cairo_svg import svg_surface  # noqa: E402
from nnsvg.render.export import convert  # noqa: E402
from nnsvg.render.png import surface_png, with_density  # noqa: E402
from nnsvg.render.svg import render_svg  # noqa: E402

from .conftest import SPECS_DIR, unsized  # noqa: E402


def _cairo_png(surface) -> bytes:
    buffer = io.BytesIO()
    surface.write_to_png(buffer)
    return buffer.getvalue()


def _pixels(data: bytes) -> tuple[str, bytes]:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.mode, image.convert("RGBA").tobytes()


@pytest.mark.parametrize("name", ["nnsvg-default", "mnist-image"])
def test_a_png_is_cairos_own_with_the_density_added(name: str) -> None:
    """cairo's writer encodes the pixels (a hand-written encoder saved no time a user
    would notice: benchmarks/bench_png_encoder.py); nnsvg adds only the pHYs chunk."""
    svg = render_svg(build_scene(unsized(SPECS_DIR / f"{name}.yaml")))
    ours = convert(svg, "png")
    theirs = _cairo_png(svg_surface(svg, 2.0))
    assert ours == with_density(theirs, 192)
    assert _pixels(ours) == _pixels(theirs)
    assert convert(svg, "png") == ours  # the same figure, the same bytes


def test_a_transparent_figure_keeps_its_alpha() -> None:
    spec = "theme: {canvas: {background: none}}\nlayers: [3, 2]\n"
    svg = render_svg(build_scene(load_spec("t.yaml", text=spec)))
    mode, pixels = _pixels(surface_png(svg_surface(svg, 1.0)))
    assert mode == "RGBA"
    assert 0 in pixels[3::4]  # some pixels really are transparent


def _chunks(data: bytes) -> list[bytes]:
    kinds, at = [], 8
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        kinds.append(data[at + 4 : at + 8])
        at += 12 + length
    return kinds


@pytest.mark.parametrize(
    ("svg_width", "options", "ppi", "pixels"),
    [
        ("2in", {}, 300, 600),  # a physical width: dpi, 300 by default
        ("2in", {"dpi": 600}, 600, 1200),
        ("2in", {"dpi": 100, "scale": 2}, 200, 400),
        ("200", {}, 192, 400),  # user units: 96 x scale, scale 2 by default
        ("200", {"scale": 1}, 96, 200),
    ],
)
def test_a_png_says_its_pixel_density_so_it_is_placed_at_the_figures_size(
    svg_width: str, options: dict[str, float], ppi: int, pixels: int
) -> None:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{svg_width}" height="1in" '
        'viewBox="0 0 200 96"><rect width="200" height="96" fill="#fff"/></svg>'
    )
    data = convert(svg, "png", **options)
    image = Image.open(io.BytesIO(data))
    assert image.size[0] == pixels
    assert image.info["dpi"] == pytest.approx((ppi, ppi), abs=0.02)
    assert _chunks(data)[:2] == [b"IHDR", b"pHYs"]
    assert _chunks(data).count(b"pHYs") == 1


def test_the_fast_raster_path_and_cairos_writer_say_it_too() -> None:
    from nnsvg.render.png import wants_fast_png
    from nnsvg.render.writers import WriteOptions, write

    scene = build_scene(load_spec("t.yaml", text="elide: false\nlayers: [200, 200]\n"))
    many = render_svg(scene)

    assert wants_fast_png(scene)
    image = Image.open(io.BytesIO(write(scene, "png", WriteOptions(scale=0.5, svg=many))))
    assert image.info["dpi"] == pytest.approx((48, 48), abs=0.02)
    clear = "theme: {canvas: {background: none}}\nlayers: [3, 2]\n"
    data = convert(render_svg(build_scene(load_spec("t.yaml", text=clear))), "png")
    assert Image.open(io.BytesIO(data)).mode == "RGBA"  # cairo's own writer
    assert _chunks(data).count(b"pHYs") == 1
    assert Image.open(io.BytesIO(data)).info["dpi"] == pytest.approx((192, 192), abs=0.02)


def test_with_density_replaces_a_density_already_there() -> None:
    from nnsvg.render.png import with_density

    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    once = convert(svg, "png")
    twice = with_density(once, 72)
    assert _chunks(twice) == _chunks(once)
    assert Image.open(io.BytesIO(twice)).info["dpi"] == pytest.approx((72, 72), abs=0.02)
    with pytest.raises(ValueError, match="not a PNG"):
        with_density(b"GIF89a", 72)
    with pytest.raises(ValueError, match="out of range"):
        with_density(once, 0)
