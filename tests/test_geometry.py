"""The 3D camera of the AlexNet style (nnsvg.geometry.Camera): pure-function properties.

Conventions under test (from the Camera docstring and the README's ``camera`` key):
x is a map's width, y its height (up), z runs along the network; ``project`` returns
(screen x, screen y *down*, depth, larger = farther); ``basis`` is (right, up, forward)
with right = forward × up; azimuth 0 looks from the +z end, 90 from the -x side.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from nnsvg.geometry import PROJECTIONS, Camera, cross3, dot3, norm3, sub3

EPS = 1e-9
PARALLEL = ("orthographic", "oblique")

azimuths = st.floats(-180, 180, allow_nan=False)
elevations = st.floats(-80, 80, allow_nan=False)
coords = st.floats(-1e4, 1e4, allow_nan=False)
points = st.tuples(coords, coords, coords)


def close(a, b, tol: float = 1e-6) -> bool:
    return all(math.isclose(x, y, rel_tol=tol, abs_tol=tol) for x, y in zip(a, b, strict=True))


def add3(a, b):
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def mul3(a, k: float):
    return (a[0] * k, a[1] * k, a[2] * k)


def box_faces(x0, x1, y0, y1, z0, z1):
    """(outward normal, a point on the face) of the six faces of an axis-aligned box."""
    return [
        ((-1.0, 0.0, 0.0), (x0, y0, z0)),
        ((1.0, 0.0, 0.0), (x1, y0, z0)),
        ((0.0, -1.0, 0.0), (x0, y0, z0)),
        ((0.0, 1.0, 0.0), (x0, y1, z0)),
        ((0.0, 0.0, -1.0), (x0, y0, z0)),
        ((0.0, 0.0, 1.0), (x0, y0, z1)),
    ]


# --- known points ----------------------------------------------------------------------
def test_the_default_camera_is_nnsvgs() -> None:
    camera = Camera()
    assert (camera.azimuth, camera.elevation, camera.projection) == (69, 21, "orthographic")
    nnsvg = norm3((-219.0, 92.0, 84.0))  # NN-SVG's camera position, the scene at the origin
    e = camera.eye_direction()
    assert math.dist(e, nnsvg) < 0.01, (e, nnsvg)
    assert math.isclose(math.dist(e, (0, 0, 0)), 1.0)


@pytest.mark.parametrize("projection", PROJECTIONS)
def test_the_origin_projects_to_the_screen_origin(projection: str) -> None:
    camera = Camera(40, 30, projection).at((0.0, 0.0, 0.0), 100.0)
    x, y, _ = camera.project((0.0, 0.0, 0.0))
    assert abs(x) < EPS and abs(y) < EPS


@pytest.mark.parametrize("projection", PROJECTIONS)
def test_the_scene_centre_is_the_perspective_screen_origin(projection: str) -> None:
    centre = (3.0, -7.0, 250.0)
    camera = Camera(-20, 10, projection).at(centre, 300.0)
    if projection == "perspective":
        x, y, _ = camera.project(centre)
        assert abs(x) < 1e-6 and abs(y) < 1e-6
    else:  # parallel views have no eye position: the world origin stays at (0, 0)
        assert camera == Camera(-20, 10, projection)
        assert camera.project((0.0, 0.0, 0.0)) == pytest.approx((0.0, 0.0, 0.0), abs=EPS)


@given(azimuths, elevations, st.sampled_from(PARALLEL), points, points)
def test_parallel_projection_is_linear(az: float, el: float, projection: str, a, b) -> None:
    camera = Camera(az, el, projection)
    pa, pb, pab = camera.project(a), camera.project(b), camera.project(add3(a, b))
    p0 = camera.project((0.0, 0.0, 0.0))
    expected = tuple(u + v - w for u, v, w in zip(pa, pb, p0))
    assert close(pab, expected, tol=1e-6 * (1 + max(map(abs, (*a, *b))))), (pab, expected)


# The signs of (screen x, screen y down, depth) of the unit axes, derived by hand from
# right = forward × up_world and up = right × forward, forward = -eye_direction.
#   az 0: eye on +z (looking along -z); 90: eye on -x; -90: on +x; 180: on -z.
#   el 45: the eye above, so +y comes nearer and nearer things sit lower on screen.
AXIS_SIGNS = {
    (0, 0): {"x": (1, 0, 0), "y": (0, -1, 0), "z": (0, 0, -1)},
    (90, 0): {"x": (0, 0, 1), "y": (0, -1, 0), "z": (1, 0, 0)},
    (-90, 0): {"x": (0, 0, -1), "y": (0, -1, 0), "z": (-1, 0, 0)},
    (180, 0): {"x": (-1, 0, 0), "y": (0, -1, 0), "z": (0, 0, 1)},
    (0, 45): {"x": (1, 0, 0), "y": (0, -1, -1), "z": (0, 1, -1)},
    (90, 45): {"x": (0, -1, 1), "y": (0, -1, -1), "z": (1, 0, 0)},
    (-90, 45): {"x": (0, 1, -1), "y": (0, -1, -1), "z": (-1, 0, 0)},
    (180, 45): {"x": (-1, 0, 0), "y": (0, -1, -1), "z": (0, -1, 1)},
}
UNITS = {"x": (1.0, 0.0, 0.0), "y": (0.0, 1.0, 0.0), "z": (0.0, 0.0, 1.0)}


def sign(v: float, tol: float = 1e-9) -> int:
    return 0 if abs(v) < tol else (1 if v > 0 else -1)


@pytest.mark.parametrize(("azimuth", "elevation"), sorted(AXIS_SIGNS))
def test_axis_directions_on_screen(azimuth: float, elevation: float) -> None:
    camera = Camera(azimuth, elevation, "orthographic")
    for axis, expected in AXIS_SIGNS[azimuth, elevation].items():
        got = tuple(sign(v) for v in camera.project(UNITS[axis]))
        assert got == expected, (azimuth, elevation, axis, camera.project(UNITS[axis]))


def test_azimuth_0_looks_along_minus_z_and_90_sees_the_network_from_its_side() -> None:
    assert close(Camera(0, 0).eye_direction(), (0.0, 0.0, 1.0))
    assert close(Camera(0, 0).basis()[2], (0.0, 0.0, -1.0))
    # Azimuth 90: the network's +z axis points to screen right, +y up (negative screen y).
    camera = Camera(90, 0)
    assert close(camera.project((0.0, 0.0, 1.0))[:2], (1.0, 0.0))
    assert close(camera.project((0.0, 1.0, 0.0))[:2], (0.0, -1.0))
    # The default view runs the network left to right and shows the tops of the boxes.
    default = Camera()
    assert default.project((0.0, 0.0, 1.0))[0] > 0
    assert default.project((0.0, 1.0, 0.0))[1] < 0
    assert default.eye_direction()[1] > 0


@pytest.mark.parametrize("projection", ("orthographic", "perspective"))
@given(az=azimuths, el=elevations)
def test_right_is_forward_cross_up_and_up_has_positive_y(projection, az, el) -> None:
    right, up, forward = Camera(az, el, projection).basis()
    assert close(right, norm3(cross3(forward, (0.0, 1.0, 0.0))))
    assert close(up, cross3(right, forward))
    assert up[1] > 0  # never upside down within -80..80
    assert abs(right[1]) < 1e-12  # the horizon stays level


# --- depth -----------------------------------------------------------------------------
@given(
    azimuths,
    elevations,
    st.sampled_from(PROJECTIONS),
    st.tuples(*[st.floats(-500, 500)] * 3),
    st.floats(0.01, 300),
)
def test_moving_towards_the_eye_lowers_the_depth(az, el, projection, p, t) -> None:
    camera = Camera(az, el, projection).at((0.0, 0.0, 0.0), 1000.0)
    e = camera.eye_direction()
    near = add3(p, mul3(e, t))
    assert camera.project(near)[2] < camera.project(p)[2]


@given(azimuths, elevations, st.floats(1.5, 100), st.floats(1.0, 1e4))
def test_the_perspective_eye_is_distance_times_size_from_the_centre(az, el, distance, size):
    centre = (10.0, -20.0, 300.0)
    camera = Camera(az, el, "perspective", distance).at(centre, size)
    assert camera.eye_position is not None
    expected = add3(centre, mul3(camera.eye_direction(), distance * size))
    assert close(camera.eye_position, expected, tol=1e-9 * (1 + distance * size))
    # The centre's depth is that distance; the eye itself is at depth 0.
    assert math.isclose(camera.project(centre)[2], distance * size, rel_tol=1e-9)


@given(
    azimuths,
    elevations,
    st.floats(1.5, 10),
    st.tuples(*[st.floats(-0.4, 0.4)] * 2),
    st.floats(0.05, 0.9),
    st.floats(0.05, 0.9),
)
def test_perspective_nearer_points_have_smaller_depth(az, el, distance, offset, s1, s2) -> None:
    assume(abs(s1 - s2) > 1e-3)
    size = 100.0
    camera = Camera(az, el, "perspective", distance).at((0.0, 0.0, 0.0), size)
    right, up, forward = camera.basis()
    eye = camera.eye_position
    # Two points on one viewing ray from the eye: the nearer has the smaller depth and
    # both land on the same screen point.
    ray = add3(forward, add3(mul3(right, offset[0]), mul3(up, offset[1])))
    d = distance * size
    p1, p2 = add3(eye, mul3(ray, s1 * 2 * d)), add3(eye, mul3(ray, s2 * 2 * d))
    (x1, y1, d1), (x2, y2, d2) = camera.project(p1), camera.project(p2)
    assert (d1 < d2) == (s1 < s2)
    assert math.isclose(x1, x2, rel_tol=1e-9, abs_tol=1e-6)
    assert math.isclose(y1, y2, rel_tol=1e-9, abs_tol=1e-6)


@given(azimuths, elevations, st.floats(1.5, 20), st.floats(1, 200))
def test_perspective_shrinks_farther_objects(az, el, distance, farther) -> None:
    camera = Camera(az, el, "perspective", distance).at((0.0, 0.0, 0.0), 100.0)
    right, up, forward = camera.basis()

    def screen_length(a, b):
        pa, pb = camera.project(a), camera.project(b)
        return math.hypot(pb[0] - pa[0], pb[1] - pa[1])

    for axis in (right, up):
        near = screen_length((0.0, 0.0, 0.0), mul3(axis, 10.0))
        far_start = mul3(forward, farther)
        far = screen_length(far_start, add3(far_start, mul3(axis, 10.0)))
        assert far < near
    # A parallel view keeps the same length wherever the segment is.
    ortho = Camera(az, el, "orthographic")
    a = ortho.project(mul3(ortho.basis()[2], farther))
    b = ortho.project(add3(mul3(ortho.basis()[2], farther), mul3(ortho.basis()[0], 10.0)))
    assert math.isclose(math.hypot(b[0] - a[0], b[1] - a[1]), 10.0)


@pytest.mark.parametrize("azimuth", (0, 180))
def test_perspective_picture_does_not_depend_on_where_the_scene_sits(azimuth: float) -> None:
    size = 400.0
    here = Camera(azimuth, 20, "perspective", 1.5).at((0.0, 0.0, 0.0), size)
    there = Camera(azimuth, 20, "perspective", 1.5).at((0.0, 0.0, 200.0), size)
    for p in ((30.0, 40.0, -50.0), (-60.0, 10.0, 120.0), (0.0, -70.0, 0.0)):
        a = here.project(p)
        b = there.project(add3(p, (0.0, 0.0, 200.0)))
        # The same scene moved together with its centre: the same picture.
        assert close(a[:2], b[:2], tol=1e-6), (p, a, b)


# --- faces_viewer ----------------------------------------------------------------------
generic = st.floats(-180, 180).filter(lambda a: all(abs(a - k) > 0.5 for k in range(-180, 181, 90)))
generic_el = st.floats(-80, 80).filter(lambda e: abs(e) > 0.5)


@given(generic, generic_el, st.sampled_from(PARALLEL))
def test_three_faces_of_a_box_face_a_parallel_viewer(az: float, el: float, projection) -> None:
    camera = Camera(az, el, projection)
    faces = box_faces(-1.0, 2.0, -3.0, 4.0, 5.0, 9.0)
    seen = [camera.faces_viewer(n, p) for n, p in faces]
    assert sum(seen) == 3
    for k in range(0, 6, 2):  # -x/+x, -y/+y, -z/+z
        assert seen[k] != seen[k + 1]
    # The faces seen are those whose normal points at the eye.
    e = camera.eye_direction()
    assert seen == [dot3(n, e) > 0 for n, _ in faces]


@given(
    st.tuples(st.floats(-50, 50), st.floats(-50, 50), st.floats(-50, 50)),
    st.sampled_from([-1, 1]),
    st.integers(0, 2),
)
def test_perspective_faces_seen_from_an_eye_in_front_of_them(p, side, axis) -> None:
    box = (-10.0, 10.0, -20.0, 20.0, 100.0, 160.0)
    lows, highs = box[0::2], box[1::2]
    eye = list(p)
    # Put the eye in the half-space in front of one face, within the box's other ranges:
    # that face alone is seen.
    for k in range(3):
        if k == axis:
            eye[k] = (highs[k] + 1 + abs(p[k])) if side > 0 else (lows[k] - 1 - abs(p[k]))
        else:
            eye[k] = lows[k] + (highs[k] - lows[k]) * (0.5 + p[k] / 200)
    camera = Camera(0, 0, "perspective", eye_position=tuple(eye))
    seen = [camera.faces_viewer(n, q) for n, q in box_faces(*box)]
    expected = [False] * 6
    expected[2 * axis + (1 if side > 0 else 0)] = True
    assert seen == expected
    # From a corner region outside all three pairs of planes, three faces, never opposite.
    corner = tuple(highs[k] + 5 if k != axis else lows[k] - 5 for k in range(3))
    camera = Camera(0, 0, "perspective", eye_position=corner)
    seen = [camera.faces_viewer(n, q) for n, q in box_faces(*box)]
    assert sum(seen) == 3
    assert all(seen[k] != seen[k + 1] for k in range(0, 6, 2))


@given(generic, generic_el, st.floats(1.5, 20))
def test_perspective_faces_agree_with_the_eye_side_of_each_plane(az, el, distance) -> None:
    camera = Camera(az, el, "perspective", distance).at((0.0, 0.0, 50.0), 100.0)
    eye = camera.eye_position
    for n, q in box_faces(-30.0, 20.0, -10.0, 40.0, 0.0, 100.0):
        assert camera.faces_viewer(n, q) == (dot3(n, sub3(eye, q)) > 0)


# --- oblique ---------------------------------------------------------------------------
@given(st.floats(-1e4, 1e4), st.floats(-1e4, 1e4), elevations)
def test_oblique_keeps_the_z_y_plane_face_on(y: float, z: float, el: float) -> None:
    camera = Camera(0, el, "oblique")
    sx, sy, _ = camera.project((0.0, y, z))
    assert close((sx, sy), (z, -y))


@given(st.floats(1, 80), st.floats(0.1, 1000))
def test_oblique_x_recedes_up_and_right_at_half_length(el: float, x: float) -> None:
    camera = Camera(0, el, "oblique")
    sx, sy, depth = camera.project((x, 0.0, 0.0))
    assert sx > 0 and sy < 0  # up (negative screen y) and to the right
    assert math.isclose(math.hypot(sx, sy), x / 2, rel_tol=1e-9)
    assert math.isclose(math.degrees(math.atan2(-sy, sx)), el, rel_tol=1e-9, abs_tol=1e-9)
    # Receding: farther from the eye.
    assert depth > camera.project((0.0, 0.0, 0.0))[2]
    # The eye direction is the direction the oblique view projects along.
    assert camera.project(camera.eye_direction())[:2] == pytest.approx((0.0, 0.0), abs=1e-12)


# --- robustness ------------------------------------------------------------------------
@given(azimuths, elevations, st.sampled_from(PROJECTIONS), st.floats(1.5, 100), points)
def test_basis_is_orthonormal_and_projection_finite(az, el, projection, distance, p) -> None:
    camera = Camera(az, el, projection, distance).at((0.0, 0.0, 500.0), 1000.0)
    e = camera.eye_direction()
    assert math.isclose(dot3(e, e), 1.0, rel_tol=1e-12)
    right, up, forward = camera.basis()
    for a in (right, up, forward):
        assert math.isclose(dot3(a, a), 1.0, rel_tol=1e-12)
    for a, b in ((right, up), (right, forward), (up, forward)):
        assert abs(dot3(a, b)) < 1e-12
    assert close(forward, mul3(e, -1.0))
    assert all(math.isfinite(v) for v in camera.project(p))


def test_translated_moves_every_primitive_and_keeps_arcs_radii() -> None:
    from nnsvg.scene import (
        Circle,
        EdgeBundle,
        Group,
        Path,
        Polygon,
        Polygons,
        Rect,
        Text,
        bounds,
        translated,
    )

    items = (
        Rect(0, 0, 10, 5),
        Circle(3, 4, 2),
        Polygon(((0, 0), (4, 0), (0, 3))),
        Polygons((((1, 1), (2, 1), (1, 2)),)),
        Path((("M", 0.0, 0.0), ("A", 5.0, 5.0, 0.0, 0, 1, 10.0, 0.0), ("Z",))),
        Text(5, 5, "x", "middle", 4, 3, 1),
        EdgeBundle(xs=(0.0, 8.0), ys=(0.0, 2.0), runs=((0, 1),)),
    )
    group = Group(id="g", role="layer", children=items)
    moved = translated(group, 7, -2)
    before, after = bounds([group]), bounds([moved])
    assert (after.x0 - before.x0, after.y0 - before.y0) == (7, -2)
    assert (after.x1 - before.x1, after.y1 - before.y1) == (7, -2)
    arc = next(c for c in moved.children if isinstance(c, Path)).commands[1]
    assert arc == ("A", 5.0, 5.0, 0.0, 0, 1, 17.0, -2.0)  # radii and flags kept
