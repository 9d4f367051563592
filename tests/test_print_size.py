"""font_size: text in printed points at the figure's width, whatever the style."""

from __future__ import annotations

import pytest

from nnsvg.errors import NnsvgError
from nnsvg.pipeline import RenderOptions, build_scene, load_spec
from nnsvg.scene import Scene, Text, iter_leaves
from nnsvg.units import PX_PER_INCH

MLP = "layers: [784, 300, 100, 10]\n"
LENET = (
    "style: lenet\ninput: [32, 32, 1]\nlayers:\n  - {type: conv, filters: 6, kernel: 5}\n"
    "  - {type: pool}\n  - {type: conv, filters: 16, kernel: 5}\n  - {type: pool}\n"
    "  - {type: dense, units: 120}\n  - {type: dense, units: 10}\n"
)


def printed(scene: Scene, inches: float) -> list[tuple[str, float]]:
    """(class, printed size in pt) of every text."""
    scale = inches * PX_PER_INCH / scene.viewbox[2]
    out = []
    for leaf in iter_leaves(scene.items):
        if isinstance(leaf, Text) and leaf.style is not None and leaf.style.size:
            out.append((leaf.cls or "", leaf.style.size * scale * 72 / PX_PER_INCH))
    return out


SIZES = {12, 11, 9, 15, 10}  # the default theme's text sizes: base (12) and the others
CASES = [
    (style, width, points)
    for style in ("fcnn", "alexnet")
    for width, points in ((3.5, 8.0), (7.0, 9.0), (2.5, 6.0))
] + [("lenet", 7.0, 9.0), ("lenet", 7.0, 8.0)]


@pytest.mark.parametrize(("style", "width", "points"), CASES)
def test_the_base_text_prints_at_the_size_asked(style: str, width: float, points: float) -> None:
    body = MLP if style == "fcnn" else LENET.replace("style: lenet", f"style: {style}")
    text = f"width: {width}in\nfont_size: {points}pt\n{body}"
    scene = build_scene(load_spec("t.yaml", text=text))
    sizes = printed(scene, width)
    assert sizes
    # Every text keeps its proportion to the base size, which prints at the size asked.
    for _, pt in sizes:
        assert any(abs(pt - points * s / 12) <= points * 0.005 for s in SIZES), pt


def test_a_figure_whose_text_takes_its_width_says_how_large_it_can_print() -> None:
    # LeNet-5's captions set its width: at 3.5 in its text cannot reach 8 pt.
    text = f"width: 3.5in\nfont_size: 8pt\n{LENET}"
    with pytest.raises(NnsvgError) as caught:
        build_scene(load_spec("t.yaml", text=text))
    message = str(caught.value)
    assert message.startswith("t.yaml:2:12: font_size: text of 8pt does not fit a figure 3.5in")
    assert "at most (give a wider width, shorter labels, or a smaller font_size)" in message


def test_without_font_size_the_text_shrinks_with_the_figure() -> None:
    scene = build_scene(load_spec("t.yaml", text=f"width: 3.5in\n{MLP}"))
    assert max(pt for _, pt in printed(scene, 3.5)) < 6.0  # why font_size exists


def test_the_width_option_counts_too() -> None:
    scene = build_scene(
        load_spec("t.yaml", text=f"font_size: 8\n{MLP}"), RenderOptions(width="5in")
    )
    assert max(pt for _, pt in printed(scene, 5.0)) == pytest.approx(8.0, rel=0.01)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            f"font_size: 8pt\n{MLP}",
            "t.yaml:1:12: font_size: sets the printed size of the text, so the figure needs a "
            "printed width: give width (e.g. width: 3.5in) or --width",
        ),
        (
            f"width: 3.5in\nfont_size: 8px\n{MLP}",
            "t.yaml:2:12: font_size: must be a text size in points from 4pt to 72pt, such as "
            "8pt, got '8px'",
        ),
        (
            f"width: 3.5in\nfont_size: 100\n{MLP}",
            "t.yaml:2:12: font_size: must be a text size in points from 4pt to 72pt, such as "
            "8pt, got 100",
        ),
        (
            "width: 1in\nfont_size: 30pt\nlayers: [{units: 3, label: A long input title}, 2]\n",
            "t.yaml:2:12: font_size: text of 30pt does not fit a figure 1in wide: its labels "
            "take the room themselves, and at this width its text prints at about 4.7pt at "
            "most (give a wider width, shorter labels, or a smaller font_size)",
        ),
    ],
)
def test_errors(text: str, message: str) -> None:
    with pytest.raises(NnsvgError) as caught:
        build_scene(load_spec("t.yaml", text=text))
    assert str(caught.value) == message
