"""Golden SVGs: every gallery spec renders to exactly its committed SVG.

On a difference the test shows a unified diff of the canonicalised XML; run
``pytest tests/test_golden.py --update-goldens`` to accept the new output (and
look at the PNGs before committing them).
"""

from __future__ import annotations

import difflib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nnsvg.pipeline import render_spec

from .conftest import GOLDEN_DIR, SPECS_DIR

GALLERY = sorted(SPECS_DIR.glob("*.yaml"))


def canonical(svg: str) -> list[str]:
    """C14N form, one element per line, for a readable diff."""
    body = svg.split("?>", 1)[1] if svg.startswith("<?xml") else svg
    text = ET.canonicalize(body, strip_text=True)
    return text.replace("><", ">\n<").splitlines()


def test_gallery_is_not_empty() -> None:
    names = {p.stem for p in GALLERY}
    assert {"nnsvg-default", "mnist-mlp", "bias-weights", "elman-rnn"} <= names
    assert any("direction: down" in p.read_text() for p in GALLERY)


@pytest.mark.parametrize("spec", GALLERY, ids=[p.stem for p in GALLERY])
def test_golden_svg(spec: Path, update_goldens: bool) -> None:
    svg = render_spec(spec)
    golden = GOLDEN_DIR / f"{spec.stem}.svg"
    if update_goldens or not golden.exists():
        if not update_goldens:
            pytest.fail(f"no golden file {golden.name}; run pytest --update-goldens to create it")
        golden.write_text(svg, encoding="utf-8")
        return
    expected = golden.read_text(encoding="utf-8")
    if svg == expected:
        return
    diff = "\n".join(
        difflib.unified_diff(
            canonical(expected), canonical(svg), f"golden/{golden.name}", "rendered", lineterm=""
        )
    )
    pytest.fail(
        f"{spec.name} no longer renders its golden SVG "
        f"(pytest --update-goldens accepts the change):\n{diff[:20000]}"
    )


def test_canonical_diff_is_readable() -> None:
    a = canonical('<svg><g id="a"><circle r="1"/></g></svg>')
    b = canonical('<svg><g id="a"><circle r="2"/></g></svg>')
    diff = list(difflib.unified_diff(a, b, lineterm=""))
    assert '-<circle r="1">' in diff
    assert '+<circle r="2">' in diff


@pytest.mark.parametrize("spec", GALLERY[:2], ids=[p.stem for p in GALLERY[:2]])
def test_rendering_is_deterministic(spec: Path) -> None:
    assert render_spec(spec) == render_spec(spec)
