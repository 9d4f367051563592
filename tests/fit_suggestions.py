"""What the fit tests share: a FitError's suggestion written into its spec, and the
check that every suggestion fits (tests/test_fit.py, tests/test_panels_fit.py)."""

from __future__ import annotations

import json
import re

import yaml

from nnsvg.engines.rows import printed_min_pt
from nnsvg.fit import FitError
from nnsvg.pipeline import build_scene, load_spec
from nnsvg.units import PX_PER_INCH, parse_length, split_length

KEYS_BESIDE_FIT = ("wrap", "columns")  # suggestions that are keys of their own


def applied(text: str, key: str, value: object) -> str:
    """The spec ``text`` (YAML or JSON) with the suggestion ``key: value``, as JSON."""
    data = yaml.safe_load(text)
    fit = data["fit"]
    fit = dict(fit) if isinstance(fit, dict) else {"width": fit}
    if key in KEYS_BESIDE_FIT:
        data[key] = value
    else:
        fit[key] = f"{value}pt" if key == "min_text" else value
    data["fit"] = fit
    return json.dumps(data)


def assert_each_suggestion_fits(err: FitError, text: str) -> None:
    """Each of ``err``'s suggestions, written into ``text``, prints every text at its
    minimum at its width (inches), and no taller than fit's height when it has one."""
    assert err.suggestions, err.message
    for key, value in err.suggestions.items():
        fixed = applied(text, key, value)
        data = json.loads(fixed)
        minimum = float(str(data["fit"].get("min_text", "6pt")).removesuffix("pt"))
        number = float(re.match(r"[\d.]+", data["fit"]["width"])[0])  # type: ignore[index]
        scene = build_scene(load_spec("t.json", text=fixed))
        assert printed_min_pt(scene, (number, "in")) >= minimum - 1e-9, (key, value)
        if "height" in data["fit"]:  # and it prints no taller than fit's height
            _, _, w, h = scene.viewbox
            tall = split_length(data["fit"]["height"])
            assert h / w * number * PX_PER_INCH <= parse_length(data["fit"]["height"]) * (
                1 + 1e-9
            ), (key, value, tall)
