"""Golden SVGs: every gallery spec renders to exactly its committed SVG.

On a difference the test shows a unified diff of the canonicalised XML; run
``pytest tests/test_golden.py --update-goldens`` to accept the new output (and
look at the PNGs before committing them).
"""

from __future__ import annotations

import difflib
import re
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


_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


@pytest.mark.parametrize("spec", GALLERY, ids=[p.stem for p in GALLERY])
def test_ids_are_unique_valid_xml_names_and_edges_are_chunked(spec: Path) -> None:
    root = ET.fromstring(render_spec(spec).split("?>", 1)[1])
    ids = [el.get("id") for el in root.iter() if el.get("id") is not None]
    assert len(ids) == len(set(ids))
    assert all(_NCNAME.fullmatch(i) for i in ids), ids
    assert "layer-1" in ids
    if root.get("data-nnsvg-engine") != "fcnn":
        return
    assert "edges-1-2" in ids
    edge_paths = [
        p
        for g in root.iter("{http://www.w3.org/2000/svg}g")
        if (g.get("id") or "").startswith("edges-")
        for p in g.iter("{http://www.w3.org/2000/svg}path")
    ]
    assert edge_paths
    for path in edge_paths:
        assert _segments(path.get("d", "")) <= 100


def _segments(d: str) -> int:
    """Line or curve segments in path data made of M, implicit-L pairs, C and Z."""
    count = 0
    for part in d.split("M")[1:]:
        if "C" in part:
            count += part.count("C")
        else:
            count += len(re.findall(r"-?\d+(?:\.\d+)?", part.rstrip("Z"))) // 2 - 1
    return count


def test_segment_counter() -> None:
    assert _segments("M0 0 1 1 2 2M3 3 4 4") == 3
    assert _segments("M0 0C1 1 2 2 3 3C4 4 5 5 6 6") == 2


@pytest.mark.parametrize("spec", GALLERY, ids=[p.stem for p in GALLERY])
def test_readme_gallery_is_up_to_date(spec: Path) -> None:
    """docs/gallery holds what the README shows: it must be today's rendering."""
    gallery = GOLDEN_DIR.parent.parent / "docs" / "gallery"
    assert (gallery / f"{spec.stem}.png").is_file()
    shown = (gallery / f"{spec.stem}.svg").read_text(encoding="utf-8")
    assert shown == render_spec(spec), (
        "re-render the gallery: nnsvg render specs/ --out-dir docs/gallery --format svg,png"
    )
