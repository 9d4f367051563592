"""nnsvg's PNG writer for cairo surfaces: the same pixels as cairo's writer, as RGB."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

cairocffi = pytest.importorskip("cairocffi")
Image = pytest.importorskip("PIL.Image")

from nnsvg.pipeline import build_scene, load_spec  # noqa: E402
from nnsvg.render.cairo_svg import svg_surface  # noqa: E402
from nnsvg.render.export import convert  # noqa: E402
from nnsvg.render.png import surface_png  # noqa: E402
from nnsvg.render.svg import render_svg  # noqa: E402

from .conftest import SPECS_DIR  # noqa: E402


def _cairo_png(surface) -> bytes:
    buffer = io.BytesIO()
    surface.write_to_png(buffer)
    return buffer.getvalue()


def _pixels(data: bytes) -> tuple[str, bytes]:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.mode, image.convert("RGBA").tobytes()


@pytest.mark.parametrize("name", ["nnsvg-default", "vgg16", "mnist-image", "alexnet"])
def test_opaque_figures_are_rgb_with_cairos_pixels(name: str) -> None:
    svg = render_svg(build_scene(load_spec(SPECS_DIR / f"{name}.yaml")))
    surface = svg_surface(svg, 2.0)
    ours, theirs = surface_png(surface), _cairo_png(surface)
    assert _pixels(ours)[0] == "RGB"
    assert _pixels(ours)[1] == _pixels(theirs)[1]
    assert surface_png(surface) == ours  # the same pixels, the same bytes


def test_the_gallery_pngs_are_smaller_than_cairos() -> None:
    """Not every figure (a photo-like image compresses better filtered), but in all."""
    ours = theirs = 0
    for spec in sorted(SPECS_DIR.glob("*.yaml")):
        surface = svg_surface(render_svg(build_scene(load_spec(spec))), 2.0)
        ours += len(surface_png(surface))
        theirs += len(_cairo_png(surface))
    assert ours < 0.8 * theirs


def test_a_transparent_figure_keeps_its_alpha(tmp_path: Path) -> None:
    spec = "theme: {canvas: {background: none}}\nlayers: [3, 2]\n"
    svg = render_svg(build_scene(load_spec("t.yaml", text=spec)))
    surface = svg_surface(svg, 1.0)
    mode, pixels = _pixels(surface_png(surface))
    assert mode == "RGBA"
    assert pixels == _pixels(_cairo_png(surface))[1]
    assert 0 in pixels[3::4]  # some pixels really are transparent


@pytest.mark.parametrize("height", [1, 255, 256, 257, 600])
def test_rows_across_band_boundaries_are_exact(height: int) -> None:
    """Every row lands where it belongs, whatever the number of 256-row bands."""
    width = 7
    surface = cairocffi.ImageSurface(cairocffi.FORMAT_ARGB32, width, height)
    context = cairocffi.Context(surface)
    context.set_source_rgb(1, 1, 1)
    context.paint()
    for y in range(height):  # a colour that encodes the row and the column
        for x in range(width):
            context.set_source_rgb((y % 256) / 255, x / 255, (y // 256) / 255)
            context.rectangle(x, y, 1, 1)
            context.fill()
    image = Image.open(io.BytesIO(surface_png(surface)))
    assert image.size == (width, height) and image.mode == "RGB"
    assert [image.getpixel((x, y)) for y in (0, height - 1) for x in (0, width - 1)] == [
        (0, 0, 0),
        (0, width - 1, 0),
        ((height - 1) % 256, 0, (height - 1) // 256),
        ((height - 1) % 256, width - 1, (height - 1) // 256),
    ]
    assert _pixels(surface_png(surface))[1] == _pixels(_cairo_png(surface))[1]


def test_convert_writes_png_through_it() -> None:
    svg = render_svg(build_scene(load_spec(SPECS_DIR / "elman-rnn.yaml")))
    assert Image.open(io.BytesIO(convert(svg, "png"))).mode == "RGB"


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
