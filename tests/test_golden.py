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
from .scenes import DERIVED_PREFIX, scene_id

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
    pytest.fail(
        f"{spec.name} no longer renders its golden SVG "
        f"(pytest --update-goldens accepts the change):\n{golden_diff(expected, svg)[:20000]}"
    )


def _id_prefix(svg: str) -> str | None:
    match = re.search(r' id="(n[0-9a-f]{8}-)figure"', svg)
    return match.group(1) if match else None


def golden_diff(expected: str, rendered: str) -> str:
    """A unified diff of the canonical XML. Any change to a figure changes the id prefix
    derived from it, on every line with an id: the diff shows that once, then the lines
    that differ besides, with both prefixes written as ``PREFIX-``."""
    before, after = _id_prefix(expected), _id_prefix(rendered)
    head = []
    if before != after:
        head = [f"id prefix: {before} -> {after} (derived from the figure; shown as PREFIX-)"]
        expected = expected.replace(before, "PREFIX-") if before else expected
        rendered = rendered.replace(after, "PREFIX-") if after else rendered
    lines = difflib.unified_diff(
        canonical(expected), canonical(rendered), "golden", "rendered", lineterm=""
    )
    return "\n".join([*head, *lines])


def test_canonical_diff_is_readable() -> None:
    a = canonical('<svg><g id="a"><circle r="1"/></g></svg>')
    b = canonical('<svg><g id="a"><circle r="2"/></g></svg>')
    diff = list(difflib.unified_diff(a, b, lineterm=""))
    assert '-<circle r="1">' in diff
    assert '+<circle r="2">' in diff


def test_golden_diff_shows_a_changed_id_prefix_once() -> None:
    def svg(prefix: str, r: int) -> str:
        return (
            f'<svg><g id="{prefix}figure"><g id="{prefix}layer-1"><circle r="{r}"/></g>'
            f'<g id="{prefix}layer-2"/></g></svg>'
        )

    diff = golden_diff(svg("n00000001-", 1), svg("n00000002-", 2)).splitlines()
    assert diff[0] == (
        "id prefix: n00000001- -> n00000002- (derived from the figure; shown as PREFIX-)"
    )
    changed = [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ['-<circle r="1">', '+<circle r="2">']


@pytest.mark.parametrize("spec", GALLERY[:2], ids=[p.stem for p in GALLERY[:2]])
def test_rendering_is_deterministic(spec: Path) -> None:
    assert render_spec(spec) == render_spec(spec)


_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


@pytest.mark.parametrize("spec", GALLERY, ids=[p.stem for p in GALLERY])
def test_ids_are_unique_valid_xml_names_and_edges_are_chunked(spec: Path) -> None:
    root = ET.fromstring(render_spec(spec).split("?>", 1)[1])
    full_ids = [el.get("id") for el in root.iter() if el.get("id") is not None]
    assert len(full_ids) == len(set(full_ids))
    assert all(_NCNAME.fullmatch(i) for i in full_ids), full_ids
    # Every id starts with the figure's own prefix.
    prefixes = {DERIVED_PREFIX.match(i).group() for i in full_ids if DERIVED_PREFIX.match(i)}
    assert len(prefixes) == 1 and len(full_ids) == sum(i.startswith(*prefixes) for i in full_ids)
    ids = [scene_id(el) for el in root.iter() if el.get("id") is not None]
    assert "layer-1" in ids or "panel-a-layer-1" in ids  # a figure of panels: prefixed
    if root.get("data-nnsvg-engine") != "fcnn":
        return
    # A chain's edge groups are numbered by layer; a graph's named by the nodes they join.
    assert "edges-1-2" in ids or "edges-layer-0-layer-1" in ids
    edge_paths = [
        p
        for g in root.iter("{http://www.w3.org/2000/svg}g")
        if (scene_id(g) or "").startswith("edges-")
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
