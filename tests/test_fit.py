"""fit: the arrangement (rows, spacing, boxes, text) that prints every text at the
minimum at a width; located errors; suggestions that work; every gallery spec."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnsvg.engines.rows import printed_min_pt
from nnsvg.errors import NnsvgError, SpecError, SpecErrors
from nnsvg.fit import (
    BOX_SCALES,
    MAX_TEXT_GROWTH,
    SPACINGS,
    Arrangement,
    Fit,
    FitError,
    NetworkSubject,
    _Search,
    arrange,
)
from nnsvg.lint import LintOptions, lint_drawn
from nnsvg.pipeline import RenderOptions, build_network, build_scene, load_spec, spec_theme
from nnsvg.scene import Scene, Text, iter_leaves
from nnsvg.units import PX_PER_INCH
from tests.fit_suggestions import applied, assert_each_suggestion_fits

SPECS = sorted(Path(__file__).parent.parent.joinpath("specs").glob("*.yaml"))
CHAIN = (
    "style: lenet\ninput: [64, 64, 3]\nlayers:\n"
    + "".join("  - {type: conv, filters: 16, kernel: 3, padding: same}\n" for _ in range(12))
    + "  - {type: dense, units: 10}\n"
)


def scene_of(text: str, name: str = "t.yaml") -> Scene:
    return build_scene(load_spec(name, text=text))


def base_pt(scene: Scene, inches: float) -> float:
    assert scene.font is not None
    return scene.font.size * inches * PX_PER_INCH / scene.viewbox[2] * 72 / PX_PER_INCH


def connectors(scene: Scene) -> int:
    def count(items: tuple) -> int:
        return sum(
            (getattr(i, "role", None) == "connector") + count(getattr(i, "children", ()))
            for i in items
        )

    return count(tuple(scene.items))


def error_of(text: str) -> NnsvgError:
    with pytest.raises(NnsvgError) as info:
        scene_of(text)
    err = info.value
    if isinstance(err, SpecErrors):
        return err.errors[0]
    return err


# --- the key -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "field", "words"),
    [
        ("7 parsecs", "fit", "unit"),
        ("3", "fit", "must be true, a printed width"),
        ("{width: 7in, bogus: 1}", "fit.bogus", "unknown key"),
        ("{width: 7in, min_text: 2pt}", "fit.min_text", "from 4pt"),
        ("{width: 7in, min_text: big}", "fit.min_text", "text size"),
        ("true", "fit", "gives none"),
        ("{width: 7in, height: -2in}", "fit.height", "positive number"),
        ("{width: 7in, height: tall}", "fit.height", "unit"),
    ],
)
def test_bad_fit_values_are_located_errors(value: str, field: str, words: str) -> None:
    err = error_of(f"layers: [4, 8, 2]\nfit: {value}\n")
    assert err.field == field
    assert err.location is not None and err.location.line == 2
    assert words in err.message


def test_fit_with_a_width_and_width_is_an_error_at_fit() -> None:
    err = error_of("layers: [4, 8, 2]\nwidth: 3in\nfit: 7in\n")
    assert err.field == "fit" and "give it once" in err.message
    assert err.location is not None and err.location.line == 3


def test_fit_true_fits_the_spec_width_and_fit_false_does_nothing() -> None:
    a = scene_of("layers: [4, 8, 2]\nwidth: 2.5in\nfit: true\n")
    b = scene_of("layers: [4, 8, 2]\nfit: {width: 2.5in, min_text: 6pt}\n")
    assert a == b
    assert printed_min_pt(a, (2.5, "in")) >= 6 - 1e-9
    off = scene_of("layers: [4, 8, 2]\nwidth: 2.5in\nfit: false\n")
    assert printed_min_pt(off, (2.5, "in")) < 6


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("7in", True),
        (True, True),
        (False, True),
        ({"width": "89mm", "min_text": "7pt"}, True),
        ({"min_text": 8}, True),
        (3, False),
        ("7 parsecs", False),
        ({"width": "7in", "bogus": 1}, False),
        ({"min_text": 2}, False),
    ],
)
def test_the_schema_reads_fit_as_nnsvg_does(value: object, valid: bool) -> None:
    import jsonschema

    from nnsvg.spec.schema import spec_schema

    spec = {"layers": [3, 2], "fit": value}
    if (isinstance(value, dict) and "width" not in value) or value is True:
        spec["width"] = "3in"
    errors = list(jsonschema.Draft202012Validator(spec_schema()).iter_errors(spec))
    assert (errors == []) is valid
    if valid:
        build_scene(load_spec("t.json", text=json.dumps(spec)))
    else:
        with pytest.raises(SpecError):
            load_spec("t.json", text=json.dumps(spec))


# --- what fit picks --------------------------------------------------------------------
def arrangement(text: str, width: float, **fit: float) -> Arrangement:
    spec = load_spec("t.yaml", text=text)
    return arrange(build_network(spec), spec_theme(spec), Fit(**fit), (width, "in"))[2]


def test_a_figure_already_large_enough_is_left_as_drawn() -> None:
    plain = scene_of("layers: [4, 8, 2]\nwidth: 20in\n")
    fitted = scene_of("layers: [4, 8, 2]\nfit: 20in\n")
    assert fitted.viewbox == plain.viewbox


def test_the_text_grows_only_to_the_minimum() -> None:
    scene = scene_of("layers: [4, 8, 2]\nfit: {width: 3in, min_text: 7pt}\n")
    assert 7 - 1e-9 <= printed_min_pt(scene, (3, "in")) <= 7 * 1.02


SIX = "\n".join(CHAIN.splitlines()[:3] * 1 + CHAIN.splitlines()[3:8] + CHAIN.splitlines()[-1:])


def test_fit_takes_the_fewest_rows_that_fit() -> None:
    one = arrangement(SIX, 7)
    assert (one.rows, one.spacing, one.boxes) == (None, 1.0, 1.0)  # one row fits a page
    assert connectors(scene_of(SIX + "\nfit: 7in\n")) == 0
    half = arrangement(SIX, 3.5)
    assert half.rows == 2
    two = scene_of(SIX + "\nfit: 3.5in\n")
    assert connectors(two) == 1
    assert printed_min_pt(two, (3.5, "in")) >= 6 - 1e-9
    with pytest.raises(FitError):  # one row does not fit there
        scene_of(SIX + "\nwrap: 7\nfit: 3.5in\n")


def test_spacing_then_boxes_are_tightened_in_order_for_each_row_count() -> None:
    spec = load_spec("t.yaml", text=SIX)
    search = _Search(NetworkSubject(build_network(spec), spec_theme(spec)), (7, "in"), 6.0, None)
    factors = [(s, b) for _, s, b in search.themes()]
    assert factors[0] == (1.0, 1.0) and factors[-1] == (min(SPACINGS), min(BOX_SCALES))
    assert factors == sorted(factors, reverse=True)
    spacings = [t.maps.spacing for t, _, b in search.themes() if b == 1.0]
    assert spacings == sorted(spacings, reverse=True) and spacings[0] > spacings[-1]


def test_smaller_boxes_come_before_text_past_twice_its_size() -> None:
    """VGG-16 on one 7 in row: at the theme's boxes its text would grow past twice its
    theme's size, so fit draws smaller boxes (and keeps one row)."""
    path = next(p for p in SPECS if p.stem == "vgg16")
    spec = load_spec(path, text=fitted_text(path))
    net, theme = build_network(spec), spec_theme(spec)
    chosen = arrange(net, theme, Fit(), (7, "in"))[2]
    assert chosen.rows is None and chosen.boxes < 1.0
    assert 1.0 < chosen.text <= MAX_TEXT_GROWTH
    search = _Search(NetworkSubject(net, theme), (7, "in"), 6.0, None)
    loosest = search.attempt(net, search.themes()[0][0])
    assert loosest is not None and loosest[0].font.size / theme.font.size > MAX_TEXT_GROWTH


def test_a_blocks_chain_is_cut_into_runs() -> None:
    text = "style: blocks\ndirection: right\ninput: [64]\nlayers:\n" + "".join(
        f"  - {{type: dense, units: 64, label: Dense block number {i}}}\n" for i in range(12)
    )
    assert arrangement(text, 7).rows is not None
    scene = scene_of(text + "fit: 7in\n")
    plain = scene_of(text + "width: 7in\n")
    assert printed_min_pt(plain, (7, "in")) < 6 <= printed_min_pt(scene, (7, "in")) + 1e-9
    assert scene.viewbox[2] < plain.viewbox[2]


def test_a_font_size_is_kept() -> None:
    scene = scene_of(CHAIN + "fit: 7in\nfont_size: 9pt\n")
    assert base_pt(scene, 7) == pytest.approx(9, rel=0.005)
    assert printed_min_pt(scene, (7, "in")) >= 6 - 1e-9


def test_a_fixed_wrap_is_kept_and_the_advice_says_fewer_per_row() -> None:
    with pytest.raises(FitError) as info:
        scene_of(CHAIN + "wrap: 13\nfit: 2.5in\n")
    err = info.value
    assert err.field == "fit" and err.location is not None
    per = err.suggestions["wrap"]
    assert per < 13 and f"wrap: {per}" in err.message
    scene = scene_of(CHAIN + f"wrap: {per}\nfit: 2.5in\n")
    assert printed_min_pt(scene, (2.5, "in")) >= 6 - 1e-9


def test_the_cli_prints_a_located_message(tmp_path: Path) -> None:
    from tests.cli_run import run

    spec = tmp_path / "s.yaml"
    spec.write_text(CHAIN + "wrap: 13\nfit: 2in\n")
    result = run("render", spec, "--out-dir", tmp_path)
    assert result.exit_code == 1
    assert re.search(r"s\.yaml:\d+:\d+: fit: no arrangement", result.output)
    assert "Traceback" not in result.output


# --- height ----------------------------------------------------------------------------
def printed_height(scene: Scene, inches: float) -> float:
    return scene.viewbox[3] / scene.viewbox[2] * inches


def test_a_height_keeps_the_figure_under_it_with_tighter_boxes() -> None:
    """Twelve convolutions at 3.5 in take three rows 2.38 in tall; under 2.26 in, fit keeps
    the three rows and shrinks the boxes rather than give up or grow the text."""
    free = scene_of(CHAIN + "fit: 3.5in\n")
    assert printed_height(free, 3.5) > 2.26
    text = CHAIN + "fit: {width: 3.5in, height: 2.26in}\n"
    low = scene_of(text)
    assert printed_height(low, 3.5) <= 2.26 * (1 + 1e-9)
    assert printed_min_pt(low, (3.5, "in")) >= 6 - 1e-9
    chosen = arrangement(CHAIN, 3.5, height="2.26in")
    assert chosen.rows == arrangement(CHAIN, 3.5).rows and chosen.boxes < 1.0
    assert arrangement(CHAIN, 3.5, height="9in") == arrangement(CHAIN, 3.5)  # room to spare


def test_a_height_puts_a_long_blocks_chain_on_runs_side_by_side() -> None:
    """In a blocks figure flowing down, runs stand side by side: another run makes the
    figure shorter, so under a height fit goes on to more runs (in lenet and alexnet
    another row makes it taller, and fit stops there)."""
    chain = CHAIN.replace("style: lenet", "style: blocks")
    free = scene_of(chain + "fit: 3.5in\n")
    assert printed_height(free, 3.5) > 20  # one run, 27.5 in
    low = scene_of(chain + "fit: {width: 3.5in, height: 9in}\n")
    assert printed_height(low, 3.5) <= 9
    assert printed_min_pt(low, (3.5, "in")) >= 6 - 1e-9
    assert (arrangement(chain, 3.5, height="9in").rows or 1) >= 2


@pytest.mark.parametrize("height", ["1.5in", "40mm"])
def test_a_height_nothing_fits_under_says_how_tall_and_each_suggestion_fits(height: str) -> None:
    text = CHAIN + f"fit: {{width: 3.5in, height: {height}}}\n"
    with pytest.raises(FitError) as info:
        scene_of(text)
    err = info.value
    assert err.field == "fit" and err.location is not None and err.location.line == 17
    assert f"within {height} tall" in err.message
    assert "the shortest whose text fits prints" in err.message
    assert "height" in err.suggestions and "a taller figure (height: " in err.message
    assert_each_suggestion_fits(err, text)


def test_a_height_fits_a_figure_of_panels_too() -> None:
    text = "fit: {width: 3.5in, height: 3in}\ncolumns: 1\npanels:\n" + "".join(
        "  - style: lenet\n    input: [64, 64, 3]\n    layers:\n"
        + "".join("      - {type: conv, filters: 16, kernel: 3, padding: same}\n" for _ in range(6))
        for _ in range(2)
    )
    free = scene_of(text.replace(", height: 3in", ""))
    tall = printed_height(free, 3.5)  # about 5.1 in: both panels wrapped
    roomy = math.ceil(tall * 100) / 100
    scene = scene_of(text.replace("height: 3in", f"height: {roomy}in"))
    assert scene == free
    with pytest.raises(FitError) as info:
        scene_of(text)
    err = info.value
    assert "within 3in tall" in err.message and "height" in err.suggestions
    assert_each_suggestion_fits(err, text)


# --- suggestions -----------------------------------------------------------------------
UNFITTABLE = [
    "layers:\n  - {units: 4, label: a very long input label that takes the whole width}\n"
    "  - 8\n  - 2\nfit: 1in\n",
    CHAIN + "wrap: 13\nfit: 1.5in\n",
    CHAIN.replace("style: lenet", "style: alexnet") + "wrap: 13\nfit: 1.5in\n",
]


@pytest.mark.parametrize("text", UNFITTABLE)
def test_each_suggestion_fits(text: str) -> None:
    with pytest.raises(FitError) as info:
        scene_of(text)
    assert_each_suggestion_fits(info.value, text)


# --- the gallery -----------------------------------------------------------------------
def fitted_text(path: Path) -> str:
    text = path.read_text()
    width = yaml.safe_load(text).get("width", "7in")
    kept = [
        line for line in text.splitlines() if not re.match(r"(font_size|wrap|width|fit):", line)
    ]
    return "\n".join([*kept, f"fit: {width}", ""])


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_every_gallery_spec_fits_its_width_and_passes_the_lint(path: Path) -> None:
    spec = load_spec(path, text=fitted_text(path))
    scene = build_scene(spec)
    assert scene.physical_width is not None
    assert printed_min_pt(scene, scene.physical_width) >= 6 - 1e-9
    assert lint_drawn(spec, scene, RenderOptions(), LintOptions()) == []


# --- property --------------------------------------------------------------------------
LAYER = st.sampled_from(
    [
        {"type": "conv", "filters": 8, "kernel": 3, "padding": "same"},
        {"type": "conv", "filters": 32, "kernel": 3, "padding": "same"},
        {"type": "pool"},
        {"type": "dense", "units": 64},
    ]
)


@st.composite
def fitted_chains(draw: st.DrawFn) -> dict:
    layers = draw(st.lists(LAYER, min_size=1, max_size=14))
    dense = [la for la in layers if la["type"] == "dense"]
    layers = [la for la in layers if la["type"] != "dense"] + dense  # dense last
    side = draw(st.sampled_from([32, 64, 128]))
    data = {
        "style": draw(st.sampled_from(["lenet", "alexnet"])),
        "input": [side, side, 3],
        "layers": layers,
        "fit": {
            "width": draw(st.sampled_from(["1.5in", "2.5in", "3.5in", "7in"])),
            "min_text": draw(st.sampled_from([5, 6, 8])),
        },
    }
    wrap = draw(st.none() | st.integers(2, 8))  # a fixed wrap: its advice is fewer per row
    if wrap is not None:
        data["wrap"] = wrap
    return data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fitted_chains())
def test_fitted_chains_print_their_text_at_the_minimum_or_say_what_fits(data: dict) -> None:
    text = json.dumps(data)
    try:
        tries = [(text, build_scene(load_spec("t.json", text=text)))]
    except FitError as err:
        assert err.suggestions, err.message
        tries = []
        for key, value in err.suggestions.items():
            fixed = applied(text, key, value)
            tries.append((fixed, build_scene(load_spec("t.json", text=fixed))))
    except SpecError:
        return  # a chain the spec rules refuse (pooled below 1 pixel)
    for fixed, scene in tries:
        fit = json.loads(fixed)["fit"]
        width = (float(fit["width"][:-2]), "in")
        minimum = float(str(fit["min_text"]).removesuffix("pt"))
        assert printed_min_pt(scene, width) >= minimum - 1e-9, fixed
        for leaf in iter_leaves(scene.items):
            if isinstance(leaf, Text):
                assert leaf.x == leaf.x  # no NaN


# --- the lint --------------------------------------------------------------------------
def too_small(text: str, minimum: float) -> list[str]:
    spec = load_spec("t.yaml", text=text)
    findings = lint_drawn(spec, build_scene(spec), RenderOptions(), LintOptions(minimum))
    return [f.message for f in findings if f.rule == "text-too-small"]


def test_the_lint_advises_the_fit_minimum_and_the_advice_passes() -> None:
    text = "layers: [4, 8, 2]\n"
    messages = too_small(text + "fit: 3in\n", 7.0)
    assert messages and all("raise fit's min_text to 7pt" in m for m in messages)
    assert too_small(text + "fit: {width: 3in, min_text: 7pt}\n", 7.0) == []


def test_the_lint_says_when_no_fit_reaches_its_minimum() -> None:
    messages = too_small(SIX + "\nwrap: 7\nfit: {width: 7in, min_text: 5pt}\n", 12.0)
    assert messages and all("shorten its labels" in m for m in messages)
    assert all("raise fit's min_text" not in m for m in messages)
