"""Helpers the layout tests share: finding groups in a scene, checking generated specs,
checking that a figure is finite and on its canvas."""

from __future__ import annotations

import itertools
import json
import math
import random
import re
from xml.etree import ElementTree

from hypothesis import reject

from nnsvg.errors import SpecError
from nnsvg.pipeline import load_spec
from nnsvg.render.svg import render_svg
from nnsvg.scene import BBox, Group, Scene, bbox_of, iter_leaves
from nnsvg.spec.model import Spec
from nnsvg.spec.shapes import infer_shapes

DERIVED_PREFIX = re.compile(r"n[0-9a-f]{8}-")


def scene_id(element: ElementTree.Element) -> str | None:
    """An SVG element's id as the scene gave it: without the prefix render_svg derives."""
    eid = element.get("id")
    if eid is None:
        return None
    match = DERIVED_PREFIX.match(eid)
    return eid[match.end() :] if match else eid


def groups(scene: Scene, role: str) -> list[Group]:
    """Every group whose role has the word ``role``, depth first."""
    found = []

    def walk(items):
        for item in items:
            if isinstance(item, Group):
                if role in item.role.split():
                    found.append(item)
                walk(item.children)

    walk(scene.items)
    return found


def shuffled(value: object, rnd: random.Random) -> object:
    """``value`` (spec data) with the keys of every mapping in an order drawn from ``rnd``."""
    if isinstance(value, dict):
        items = list(value.items())
        rnd.shuffle(items)
        return {k: shuffled(v, rnd) for k, v in items}
    if isinstance(value, list):
        return [shuffled(v, rnd) for v in value]
    return value


def checked_spec(data: dict) -> Spec:
    """The validated spec of generated ``data``; specs whose maps shrink to nothing are
    rejected (hypothesis draws another)."""
    spec = load_spec("t.json", text=json.dumps(data))
    try:
        infer_shapes(spec)
    except SpecError as err:
        if "shrank to nothing" in err.message:
            reject()
        raise
    return spec


_NOT_FINITE = re.compile(r"(?i)(?<![a-z])(nan|inf)(?![a-z])")


def svg_numbers_are_finite(svg: str) -> None:
    """No attribute of any element holds a NaN or an infinity (text content may)."""
    for element in ElementTree.fromstring(svg).iter():
        for name, value in element.attrib.items():
            if not value.startswith("data:"):
                assert not _NOT_FINITE.search(value), (element.tag, name, value)


def assert_inside_viewbox_and_finite(scene: Scene) -> None:
    """Every drawn item of ``scene`` has finite coordinates inside the viewBox (no
    tolerance), and its SVG has no NaN or infinity in any attribute."""
    x, y, w, h = scene.viewbox
    assert w > 0 and h > 0
    for item in iter_leaves(scene.items):
        box = bbox_of(item)
        if box is None:
            continue
        for v in (box.x0, box.y0, box.x1, box.y1):
            assert math.isfinite(v), item
        assert x <= box.x0 and box.x1 <= x + w and y <= box.y0 and box.y1 <= y + h, (
            item,
            scene.viewbox,
        )
    svg_numbers_are_finite(render_svg(scene))


def rows_down_the_page(boxes: dict[str, BBox], cuts: list[int]) -> list[list[str]]:
    """The node ids (``layer-N``) of each row of a wrapped figure, a row ending at each
    of ``cuts`` (node numbers), asserting that every row holds a node and lies wholly
    under the one before (``boxes``: each node's drawn body)."""
    rows: list[list[str]] = [[]]
    for n in sorted(int(name.split("-")[1]) for name in boxes):
        rows[-1].append(f"layer-{n}")
        if n in cuts:
            rows.append([])
    assert all(rows)
    for above, below in itertools.pairwise(rows):
        assert max(boxes[n].y1 for n in above) < min(boxes[n].y0 for n in below)
    return rows


def wrapped_scene(data: dict) -> Scene | None:
    """The scene of generated ``data`` with ``wrap`` (:func:`checked_spec`), or None
    where its ``wrap: N`` finds no place a row of a branching network can end: the
    error that says so, and only then."""
    from nnsvg.errors import NnsvgError
    from nnsvg.pipeline import build_scene

    try:
        return build_scene(checked_spec(data))
    except NnsvgError as caught:
        assert "no row of this network can end" in str(caught)
        assert isinstance(data["wrap"], int)
        return None
