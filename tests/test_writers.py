"""The registry of writers (nnsvg.render.writers): one module a format, sized from the
Scene, the same bytes as the SVG-text API."""

from __future__ import annotations

import sys
import types

import pytest

from nnsvg.errors import ExportError
from nnsvg.pipeline import RenderOptions, build_scene, load_spec
from nnsvg.render import png, sizing, writers
from nnsvg.render.export import convert
from nnsvg.render.svg import render_svg
from nnsvg.render.writers import WriteOptions, infer_format, write

from .conftest import SPECS_DIR, unsized


@pytest.mark.parametrize("width", [None, "3.5in", "89mm", "12.7cm", "250pt", "30pc", "640px"])
def test_the_scene_size_is_the_size_written_on_the_svg(width: str | None) -> None:
    for spec in sorted(SPECS_DIR.glob("*.yaml")):
        scene = build_scene(unsized(spec), RenderOptions(width=width))
        assert sizing.scene_size(scene) == sizing.svg_size(render_svg(scene)), spec.name


def test_a_png_from_the_scene_reads_no_svg_size_back(monkeypatch: pytest.MonkeyPatch) -> None:
    scene = build_scene(unsized(SPECS_DIR / "lenet5.yaml"), RenderOptions(width="3.5in"))
    svg = render_svg(scene)
    expected = convert(svg, "png", dpi=150)

    def refused(text: str) -> sizing.Size:
        raise AssertionError("the SVG text was parsed for its size")

    monkeypatch.setattr(sizing, "svg_size", refused)
    monkeypatch.setattr(png, "svg_size", refused)
    assert write(scene, "png", WriteOptions(dpi=150)) == expected
    assert write(scene, "png", WriteOptions(dpi=150, svg=svg)) == expected


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_the_scene_and_the_text_give_the_same_file(fmt: str) -> None:
    scene = build_scene(load_spec(SPECS_DIR / "alexnet.yaml"))
    assert write(scene, fmt) == convert(render_svg(scene), fmt)


def test_dpi_and_scale_are_checked_for_every_format() -> None:
    scene = build_scene(load_spec("t.yaml", text="layers: [2, 2]\n"))
    for fmt in writers.formats():
        with pytest.raises(ExportError, match="dpi must be a positive number"):
            write(scene, fmt, WriteOptions(dpi=0))


def test_the_error_lists_the_registered_formats() -> None:
    with pytest.raises(ExportError, match=r"use a \.svg, \.png, \.pdf or \.tex suffix"):
        infer_format("fig.tiff")
    with pytest.raises(ExportError, match="use svg, png, pdf or tex"):
        write(build_scene(load_spec("t.yaml", text="layers: [2, 2]\n")), "gif")


def test_a_new_format_is_one_module_and_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("nnsvg_test_txt_writer")
    module.write = lambda scene, options: f"{scene.viewbox[2]:g}x{scene.viewbox[3]:g}".encode()
    module.cost = lambda scene: 0.0
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(writers, "WRITERS", dict(writers.WRITERS))
    writers.register(writers.Writer("txt", (".txt",), module.__name__, "the size, as text"))
    assert infer_format("out/fig.TXT") == "txt"
    scene = build_scene(load_spec("t.yaml", text="layers: [2, 2]\n"))
    assert write(scene, "txt") == f"{scene.viewbox[2]:g}x{scene.viewbox[3]:g}".encode()
    writers.check_output_cost(scene, "txt", 0)
    with pytest.raises(ValueError, match="taken"):
        writers.register(writers.Writer("jpeg", (".png",), module.__name__, "a clash"))


def test_writing_svg_loads_no_cairo() -> None:
    import os
    import subprocess
    from pathlib import Path

    repo = str(Path(__file__).resolve().parent.parent)
    code = (
        "import sys\n"
        "from nnsvg.pipeline import build_scene, load_spec\n"
        "from nnsvg.render.writers import write, output_cost\n"
        "scene = build_scene(load_spec('t.yaml', text='layers: [3, 2]'))\n"
        "write(scene, 'svg'); output_cost(scene, 'png'); output_cost(scene, 'pdf')\n"
        "print([m for m in sys.modules if m.split('.')[0] in ('cairosvg', 'cairocffi')])\n"
    )
    env = {**os.environ, "PYTHONPATH": repo}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[]"
