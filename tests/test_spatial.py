"""The spatial index and caption rows (nnsvg.spatial) against brute force, and the
AlexNet engine's dimension labels and captions placed through them exactly as the
all-pairs tests placed them."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnsvg.engines import alexnet_labels
from nnsvg.geometry import convex_hull, convex_overlap
from nnsvg.pipeline import build_scene, load_spec
from nnsvg.scene import Text, bbox_of, iter_leaves
from nnsvg.spatial import MAX_CELLS, AllBoxes, AllSpans, BoxIndex, SpanRow, bounds_of

coord = st.floats(-1e4, 1e4, allow_nan=False)
cells = st.sampled_from([0.1, 1.0, 3.0, 7.5, 40.0, 1e3])


@st.composite
def boxes(draw, big: bool = False):
    x0, y0 = draw(coord), draw(coord)
    limit = 1e5 if big else 200.0
    w = draw(st.one_of(st.just(0.0), st.floats(0, limit)))
    h = draw(st.one_of(st.just(0.0), st.floats(0, limit)))
    return (x0, y0, x0 + w, y0 + h)


def brute(stored, query):
    return [
        k
        for k, b in enumerate(stored)
        if b[0] <= query[2] and query[0] <= b[2] and b[1] <= query[3] and query[1] <= b[3]
    ]


@given(cells, st.lists(boxes(big=True), max_size=40), st.lists(boxes(big=True), max_size=10))
def test_query_is_every_box_that_meets(cell, stored, queries) -> None:
    index = BoxIndex(cell)
    for b in stored:
        index.add(b)
    assert len(index) == len(stored)
    for q in [*queries, *stored]:  # a stored box meets itself
        assert index.query(q) == brute(stored, q)


def test_huge_and_non_finite_boxes_are_candidates_everywhere() -> None:
    index = BoxIndex(1.0)
    index.add((0, 0, 10 * MAX_CELLS, 10 * MAX_CELLS))  # too many cells
    index.add((math.nan, 0, 1, 1))
    index.add((5, 5, 6, 6))
    assert index.query((100, 100, 101, 101)) == [0, 1]
    assert index.query((5.5, 5.5, 5.5, 5.5)) == [0, 1, 2]
    assert index.query((math.inf, 0, math.inf, 1)) == [0, 1, 2]  # a query out of bounds
    with pytest.raises(ValueError):
        BoxIndex(0.0)


def test_boxes_past_the_float_range_in_cells() -> None:
    index = BoxIndex(1e-300)
    index.add((1e300, 1e300, 1e301, 1e301))  # 1e300 / 1e-300 is not a float
    index.add((0, 0, 1e-299, 1e-299))
    assert index.query((2e300, 2e300, 3e300, 3e300)) == [0]
    assert index.query((0, 0, 0, 0)) == [1]


def test_all_boxes_answers_everything() -> None:
    index = AllBoxes()
    for b in ((0, 0, 1, 1), (50, 50, 51, 51)):
        index.add(b)
    assert index.query((100, 100, 101, 101)) == [0, 1]


# --- rows of spans (captions) ----------------------------------------------------------
def rows_of(spans, row_type) -> list[int]:
    """The row each span goes to, as the engine places captions: the first row where it
    overlaps nothing."""
    rows: list = []
    out = []
    for s0, s1 in spans:
        row = 0
        while row < len(rows) and rows[row].overlaps(s0, s1):
            row += 1
        if row == len(rows):
            rows.append(row_type())
        rows[row].add(s0, s1)
        out.append(row)
    return out


ends = st.one_of(
    st.integers(-20, 20).map(float),  # small integers: many spans touch or coincide
    st.floats(-1e3, 1e3),
    st.sampled_from([math.inf, -math.inf, math.nan]),
)


@st.composite
def spans(draw):
    a, b = draw(ends), draw(ends)
    return (a, b) if draw(st.booleans()) or not a <= b else (b, a)  # mostly a <= b


@given(st.lists(spans(), max_size=60))
def test_span_rows_place_as_brute_force(drawn) -> None:
    assert rows_of(drawn, SpanRow) == rows_of(drawn, AllSpans)


@given(st.lists(st.tuples(st.integers(-30, 30), st.integers(0, 6)), max_size=80))
def test_span_rows_of_touching_captions(drawn) -> None:
    """Integer spans, many the same or touching (zero-length ones too), always a <= b."""
    placed = [(float(x), float(x + w)) for x, w in drawn]
    assert rows_of(placed, SpanRow) == rows_of(placed, AllSpans)


# --- the engine's use: a label's quad against box hulls and other labels ---------------
@st.composite
def quads(draw):
    x0, y0 = draw(st.floats(-300, 300)), draw(st.floats(-300, 300))
    w, h = draw(st.floats(0, 40)), draw(st.floats(0, 15))
    return [(x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h)]


@st.composite
def hulls(draw):
    cx, cy = draw(st.floats(-300, 300)), draw(st.floats(-300, 300))
    r = draw(st.floats(0.5, 120))
    pts = draw(st.lists(st.tuples(st.floats(-r, r), st.floats(-r, r)), min_size=3, max_size=8))
    return convex_hull([(cx + x, cy + y) for x, y in pts])


@given(cells, st.lists(st.one_of(hulls(), quads()), max_size=30), st.lists(quads(), max_size=8))
def test_candidates_hold_every_overlap(cell, shapes, labels) -> None:
    """Every shape convex_overlap finds a label overlapping is among the candidates the
    engine tests: the index changes how fast, never what."""
    shapes = [s for s in shapes if len(s) >= 3]
    index = BoxIndex(cell)
    for s in shapes:
        index.add(bounds_of(s))
    for quad in labels:
        overlapping = [k for k, s in enumerate(shapes) if convex_overlap(quad, s, 0.5)]
        near = alexnet_labels.quad_bounds(quad)
        candidates = list(alexnet_labels.candidates(index, near))
        assert set(overlapping) <= set(candidates)


def test_a_point_quad_is_tested_against_everything() -> None:
    """convex_overlap calls two points overlapping wherever they are (it has no axis to
    separate them on): the lookup keeps that answer rather than miss it."""
    point = [(1.0, 1.0)] * 4
    far = [(90.0, 90.0)] * 4
    assert convex_overlap(point, far, 0.5)
    index = BoxIndex(1.0)
    index.add(bounds_of(far))
    assert list(alexnet_labels.candidates(index, alexnet_labels.quad_bounds(point))) == [0]


# --- a long network: the same scene as brute force --------------------------------------
def long_spec(layers: int, camera: dict | None = None):
    out: list[dict] = []
    for k in range(layers):
        step = k % 6
        if step in (0, 2):
            filters = (16, 32, 64, 128, 96, 48)[(k // 6 + step) % 6]
            out.append({"type": "conv", "filters": filters, "kernel": 3, "padding": 1})
        elif step in (1, 3):
            out.append({"type": "pool", "size": 2, "stride": 2})
        elif step == 4:
            out.append({"type": "conv", "filters": 8 * (k % 7 + 1), "kernel": 1})
        else:
            out.append({"type": "upsample", "size": 4})
    data: dict = {"style": "alexnet", "input": {"shape": [64, 64, 3]}, "layers": out}
    if camera is not None:
        data["camera"] = camera
    return load_spec("long.json", text=json.dumps(data))


CAMERAS = [
    None,
    {"azimuth": 20, "elevation": 30},  # along the network: labels pile up
    {"azimuth": 60, "elevation": -25, "projection": "perspective", "distance": 2},
    {"azimuth": 45, "elevation": 30, "projection": "oblique"},
]


@pytest.mark.parametrize("camera", CAMERAS, ids=["default", "along", "perspective", "oblique"])
def test_long_network_places_labels_as_brute_force(camera, monkeypatch) -> None:
    spec = long_spec(150, camera)
    indexed = build_scene(spec)
    monkeypatch.setattr(alexnet_labels, "BoxIndex", AllBoxes)
    assert build_scene(spec) == indexed
    dims = [t for t in iter_leaves(indexed.items) if isinstance(t, Text) and t.cls == "dim"]
    assert dims
    quads = [bbox_of(t) for t in dims]
    for i, a in enumerate(quads):  # no two numbers overlap (by more than the 0.5 allowed)
        for b in quads[:i]:
            assert (
                min(a.x1, b.x1) - max(a.x0, b.x0) <= 0.5 or min(a.y1, b.y1) - max(a.y0, b.y0) <= 0.5
            )
