"""Images for feature maps: reading PNG/JPEG/.npy files and embedding them as data URIs."""

from __future__ import annotations

import base64
import io
import os
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnsvg import images, safe_files
from nnsvg.errors import LimitError, Location, SpecError
from nnsvg.images import EmbeddedImage, encode_png, load_image

PIL = pytest.importorskip("PIL")
from PIL import Image  # noqa: E402

LOC = Location("net.yaml", 7, 5)


def _decode_uri(uri: str, mime: str = "image/png") -> bytes:
    prefix = f"data:{mime};base64,"
    assert uri.startswith(prefix)
    return base64.b64decode(uri[len(prefix) :], validate=True)


def _open_uri(uri: str) -> Image.Image:
    img = Image.open(io.BytesIO(_decode_uri(uri)))
    img.load()
    return img


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def _png_header(width: int, height: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + _chunk(
        b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    )


def _error(exc_type: type[Exception], *args: object, **kwargs: object) -> SpecError:
    with pytest.raises(exc_type) as info:
        load_image(*args, **kwargs)  # type: ignore[arg-type]
    err = info.value
    assert isinstance(err, SpecError)
    assert err.location is LOC
    return err


@pytest.fixture
def png_file(tmp_path: Path) -> Path:
    path = tmp_path / "cat.png"
    Image.new("RGB", (7, 5), (200, 10, 30)).save(path)
    return path


# --- PNG and JPEG files ---------------------------------------------------------------


def test_png_embedded_byte_for_byte(tmp_path: Path, png_file: Path) -> None:
    image = load_image("cat.png", tmp_path, LOC)
    assert isinstance(image, EmbeddedImage)
    assert (image.width, image.height) == (7, 5)
    assert _decode_uri(image.uri) == png_file.read_bytes()


def test_png_in_subfolder_and_dotdot_inside(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    Image.new("L", (3, 9)).save(tmp_path / "img" / "a.PNG")
    image = load_image("img/../img/a.PNG", tmp_path, LOC)
    assert (image.width, image.height) == (3, 9)


@pytest.mark.parametrize("name", ["photo.jpg", "photo.jpeg"])
def test_jpeg_size_and_uri(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    Image.new("RGB", (33, 17), (0, 128, 255)).save(path, format="JPEG")
    image = load_image(name, tmp_path, LOC)
    assert (image.width, image.height) == (33, 17)
    assert _decode_uri(image.uri, "image/jpeg") == path.read_bytes()


def test_progressive_jpeg(tmp_path: Path) -> None:
    Image.new("RGB", (40, 30)).save(tmp_path / "p.jpg", format="JPEG", progressive=True)
    image = load_image("p.jpg", tmp_path, LOC)
    assert (image.width, image.height) == (40, 30)


def test_mislabelled_png_gets_the_right_mime(tmp_path: Path) -> None:
    Image.new("RGB", (4, 2)).save(tmp_path / "x.jpg", format="PNG")
    image = load_image("x.jpg", tmp_path, LOC)
    assert image.uri.startswith("data:image/png;base64,")
    assert (image.width, image.height) == (4, 2)


def test_png_and_jpeg_uris_are_deterministic(tmp_path: Path, png_file: Path) -> None:
    assert load_image("cat.png", tmp_path, LOC) == load_image("cat.png", tmp_path, LOC)


# --- .npy arrays, encoded as PNG here --------------------------------------------------


def test_npy_grayscale(tmp_path: Path) -> None:
    arr = np.array([[-1.0, 0.0, 1.0], [0.5, -0.5, 0.25]], dtype=np.float32)
    np.save(tmp_path / "act.npy", arr)
    image = load_image("act.npy", tmp_path, LOC)
    assert (image.width, image.height) == (3, 2)
    img = _open_uri(image.uri)
    assert img.mode == "L"
    assert img.size == (3, 2)
    pixels = np.asarray(img)
    assert pixels[0, 0] == 0  # min
    assert pixels[0, 2] == 255  # max
    expected = np.rint((arr.astype(np.float64) + 1.0) / 2.0 * 255).astype(np.uint8)
    assert np.array_equal(pixels, expected)


def test_npy_png_is_byte_identical_and_minimal(tmp_path: Path) -> None:
    np.save(tmp_path / "act.npy", np.arange(60, dtype=np.int16).reshape(6, 10))
    first = load_image("act.npy", tmp_path, LOC)
    second = load_image("act.npy", tmp_path, LOC)
    assert first.uri == second.uri
    data = _decode_uri(first.uri)
    # Only IHDR, one IDAT and IEND: no timestamps or text chunks.
    kinds = []
    pos = 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kinds.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    assert kinds == [b"IHDR", b"IDAT", b"IEND"]


def test_npy_rgb_channel_last_and_first_agree(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    hwc = rng.normal(size=(5, 8, 3))
    np.save(tmp_path / "hwc.npy", hwc)
    np.save(tmp_path / "chw.npy", np.transpose(hwc, (2, 0, 1)))
    last = load_image("hwc.npy", tmp_path, LOC)
    first = load_image("chw.npy", tmp_path, LOC)
    assert (last.width, last.height) == (first.width, first.height) == (8, 5)
    assert _open_uri(last.uri).mode == "RGB"
    assert _open_uri(first.uri).mode == "RGB"
    assert last.uri == first.uri
    pixels = np.asarray(_open_uri(last.uri))
    assert pixels.min() == 0 and pixels.max() == 255
    assert np.unravel_index(np.argmax(hwc), hwc.shape) in {
        tuple(int(i) for i in idx) for idx in np.argwhere(pixels == 255)
    }


def test_npy_rgba_and_single_channel(tmp_path: Path) -> None:
    np.save(tmp_path / "rgba.npy", np.linspace(0, 1, 2 * 3 * 4).reshape(2, 3, 4))
    rgba = _open_uri(load_image("rgba.npy", tmp_path, LOC).uri)
    assert rgba.mode == "RGBA" and rgba.size == (3, 2)
    np.save(tmp_path / "one.npy", np.arange(10.0).reshape(1, 2, 5))  # (c=1, h, w)
    one = load_image("one.npy", tmp_path, LOC)
    assert (one.width, one.height) == (5, 2)
    assert _open_uri(one.uri).mode == "L"
    np.save(tmp_path / "last1.npy", np.arange(6.0).reshape(2, 3, 1))  # (h, w, c=1)
    last1 = _open_uri(load_image("last1.npy", tmp_path, LOC).uri)
    assert last1.mode == "L" and last1.size == (3, 2)


def test_npy_constant_map_is_mid_grey(tmp_path: Path) -> None:
    np.save(tmp_path / "flat.npy", np.full((4, 4), 3.5))
    pixels = np.asarray(_open_uri(load_image("flat.npy", tmp_path, LOC).uri))
    assert (pixels == 128).all()


def test_npy_bool_and_huge_range(tmp_path: Path) -> None:
    np.save(tmp_path / "mask.npy", np.array([[True, False]]))
    assert np.asarray(_open_uri(load_image("mask.npy", tmp_path, LOC).uri)).tolist() == [[255, 0]]
    np.save(tmp_path / "wide.npy", np.array([[-1.7e308, 0.0, 1.7e308]]))
    pixels = np.asarray(_open_uri(load_image("wide.npy", tmp_path, LOC).uri))
    assert pixels.tolist() == [[0, 128, 255]]


@given(
    st.integers(1, 6),
    st.integers(1, 6),
    st.sampled_from([None, 3, 4]),
    st.integers(0, 2**32 - 1),
)
def test_encode_png_roundtrips_through_pillow(
    height: int, width: int, channels: int | None, seed: int
) -> None:
    shape = (height, width) if channels is None else (height, width, channels)
    pixels = np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)
    data = encode_png(pixels)
    assert data == encode_png(pixels.copy())
    img = Image.open(io.BytesIO(data))
    assert img.mode == {None: "L", 3: "RGB", 4: "RGBA"}[channels]
    assert np.array_equal(np.asarray(img), pixels)


# --- errors ----------------------------------------------------------------------------


def test_npy_nan_refused(tmp_path: Path) -> None:
    np.save(tmp_path / "nan.npy", np.array([[1.0, np.nan]]))
    err = _error(SpecError, "nan.npy", tmp_path, LOC)
    assert "NaN or infinite" in err.message
    np.save(tmp_path / "inf.npy", np.array([[1.0, -np.inf]]))
    assert "NaN or infinite" in _error(SpecError, "inf.npy", tmp_path, LOC).message


@pytest.mark.parametrize("shape", [(5,), (2, 3, 5), (2, 2, 2, 2), (3, 4, 3, 1)])
def test_npy_bad_shape_names_the_allowed_ones(tmp_path: Path, shape: tuple[int, ...]) -> None:
    np.save(tmp_path / "bad.npy", np.zeros(shape))
    err = _error(SpecError, "bad.npy", tmp_path, LOC)
    assert f"has shape {shape}" in err.message
    assert "(h, w)" in err.message and "(h, w, c)" in err.message and "(c, h, w)" in err.message


@pytest.mark.parametrize(
    ("array", "words"),
    [
        (np.zeros((2, 2), dtype=complex), "real numbers"),
        (np.array([["a", "b"]]), "real numbers"),
        (np.array([[1, None]], dtype=object), "plain numeric array"),
        (np.zeros((0, 3)), "empty array"),
    ],
)
def test_npy_bad_contents(tmp_path: Path, array: np.ndarray, words: str) -> None:
    np.save(tmp_path / "bad.npy", array)
    assert words in _error(SpecError, "bad.npy", tmp_path, LOC).message


def test_npy_not_really_npy(tmp_path: Path) -> None:
    (tmp_path / "x.npy").write_bytes(b"just some text")
    err = _error(SpecError, "x.npy", tmp_path, LOC)
    assert err.message == "image 'x.npy' is not an .npy file (wrong signature)"


def test_npy_header_claiming_more_than_the_file_holds(tmp_path: Path) -> None:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": "<f8", "fortran_order": False, "shape": (1000, 1000)}
    )
    (tmp_path / "short.npy").write_bytes(buf.getvalue() + b"\0" * 64)
    err = _error(SpecError, "short.npy", tmp_path, LOC)
    assert "truncated .npy" in err.message


def test_npy_too_many_values_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    buf = io.BytesIO()  # a header claiming 2**40 values and no data at all
    np.lib.format.write_array_header_1_0(
        buf, {"descr": "<f4", "fortran_order": False, "shape": (2**20, 2**20)}
    )
    (tmp_path / "huge.npy").write_bytes(buf.getvalue())
    err = _error(LimitError, "huge.npy", tmp_path, LOC)
    assert "MAX_NPY_VALUES" in err.message and f"{2**40:,} values" in err.message

    monkeypatch.setattr(images, "MAX_NPY_VALUES", 10)
    np.save(tmp_path / "eleven.npy", np.zeros(11).reshape(1, 11))
    err = _error(LimitError, "eleven.npy", tmp_path, LOC)
    assert err.message == "image 'eleven.npy' holds 11 values; at most 10 (MAX_NPY_VALUES)"


def test_npy_wider_than_the_side_limit(tmp_path: Path) -> None:
    np.save(tmp_path / "strip.npy", np.zeros((1, 5000), dtype=np.uint8))
    err = _error(LimitError, "strip.npy", tmp_path, LOC)
    assert err.message.startswith("image 'strip.npy' is 5000×1 pixels; at most 4096×4096")


def test_url_refused(tmp_path: Path) -> None:
    for url in ("http://example.com/a.png", "file:///etc/x.png", "data:image/png;base64,AA"):
        err = _error(SpecError, url, tmp_path, LOC)
        assert err.message.startswith("image must be a local file path, got a URL")


@pytest.mark.parametrize("name", ["anim.gif", "logo.svg", "noext", "weights.npz"])
def test_other_kinds_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"GIF89a")
    err = _error(SpecError, name, tmp_path, LOC)
    assert ".png, .jpg/.jpeg or .npy" in err.message
    assert err.message.startswith(f"image '{name}' has ")


def test_outside_the_folder_refused(tmp_path: Path, png_file: Path) -> None:
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    message = (
        "image '{}' is outside the spec's folder; nnsvg reads only files beside the spec "
        "(use --allow-outside to permit)"
    )
    err = _error(SpecError, "../cat.png", spec_dir, LOC)
    assert err.message == message.format("../cat.png")
    err = _error(SpecError, "/etc/passwd", spec_dir, LOC)
    assert err.message == message.format("/etc/passwd")
    err = _error(SpecError, str(png_file), spec_dir, LOC)
    assert err.message == message.format(png_file)

    # Allowed on request, for a real image.
    image = load_image("../cat.png", spec_dir, LOC, allow_outside=True)
    assert (image.width, image.height) == (7, 5)
    image = load_image(str(png_file), spec_dir, LOC, allow_outside=True)
    assert (image.width, image.height) == (7, 5)


def test_absolute_path_inside_the_folder_allowed(tmp_path: Path, png_file: Path) -> None:
    assert load_image(str(png_file), tmp_path, LOC).width == 7


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_symlink_pointing_outside_refused(tmp_path: Path, png_file: Path) -> None:
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    os.symlink(png_file, spec_dir / "link.png")
    err = _error(SpecError, "link.png", spec_dir, LOC)
    assert "outside the spec's folder" in err.message
    assert load_image("link.png", spec_dir, LOC, allow_outside=True).width == 7
    # A symlink that stays inside is fine.
    os.symlink(spec_dir / "link.png", spec_dir / "inner.png")
    (spec_dir / "real.png").write_bytes(png_file.read_bytes())
    os.symlink(spec_dir / "real.png", spec_dir / "alias.png")
    assert load_image("alias.png", spec_dir, LOC).width == 7


def test_missing_file_and_directory(tmp_path: Path) -> None:
    err = _error(SpecError, "nope.png", tmp_path, LOC)
    assert err.message.startswith("image 'nope.png' not found")
    (tmp_path / "dir.png").mkdir()
    err = _error(SpecError, "dir.png", tmp_path, LOC)
    assert err.message == "image 'dir.png' is a directory, not a file"


def test_field_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as info:
        load_image("nope.png", tmp_path, LOC, field="layers[2].image")
    assert info.value.field == "layers[2].image"
    assert str(info.value).startswith("net.yaml:7:5: layers[2].image: image 'nope.png'")


def test_truncated_png_is_a_spec_error(tmp_path: Path) -> None:
    (tmp_path / "t.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    err = _error(SpecError, "t.png", tmp_path, LOC)
    assert "ends before the IHDR header" in err.message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "wrong signature"),
        (b"GIF89a" + b"\0" * 40, "wrong signature"),
        (_png_header(4, 4), "truncated PNG"),
        (_png_header(4, 4) + _chunk(b"IEND", b""), "no image data"),
        (_png_header(4, 4)[:-1] + b"\0", "checksum"),
        (_png_header(0, 4) + _chunk(b"IEND", b""), "size 0×4"),
        (_png_header(4, 4) + _chunk(b"IDAT", b"abc")[:-2], "runs past the end"),
    ],
)
def test_broken_pngs(tmp_path: Path, data: bytes, words: str) -> None:
    (tmp_path / "b.png").write_bytes(data)
    err = _error(SpecError, "b.png", tmp_path, LOC)
    assert not isinstance(err, LimitError)
    assert words in err.message


def test_png_with_huge_ihdr_is_a_limit_error(tmp_path: Path) -> None:
    # Only the header: the size is refused before anything else is looked at.
    (tmp_path / "big.png").write_bytes(_png_header(100000, 100000))
    err = _error(LimitError, "big.png", tmp_path, LOC)
    assert err.message.startswith("image 'big.png' is 100000×100000 pixels; at most 4096×4096")


def test_png_over_the_pixel_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Image.new("L", (30, 20)).save(tmp_path / "m.png")
    monkeypatch.setattr(images, "MAX_IMAGE_PIXELS", 599)
    err = _error(LimitError, "m.png", tmp_path, LOC)
    assert err.message.startswith("image 'm.png' is 30×20 pixels; at most 4096×4096 and 599 pixels")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\xff\xd8", "truncated"),
        (b"\xff\xd8\xff\xd9", "no frame header"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "runs past the end"),
        (b"\xff\xd8\xff\xc0\x00\x11\x08\x00\x10\x00\x10\x03" + b"\0" * 9, "before the image data"),
        (
            b"\xff\xd8\xff\xc0\x00\x11\x08\x00\x10\x00\x10\x03" + b"\0" * 9 + b"\xff\xd9",
            "no image data",
        ),
        (b"\xff\xd8\x00\x00", "bad segment marker"),
        (b"\xff\xd8\xff\xc3\x00\x0b\x08\x00\x10\x00\x10\x01\x01\x11\x00\xff\xda", "lossless"),
        (b"\x89PNG\r\n\x1a\n", "ends before the IHDR"),  # PNG content sniffed in a .jpg
        (b"hello", "not a JPEG"),
    ],
)
def test_broken_jpegs(tmp_path: Path, data: bytes, words: str) -> None:
    (tmp_path / "b.jpg").write_bytes(data)
    err = _error(SpecError, "b.jpg", tmp_path, LOC)
    assert words in err.message


def test_jpeg_with_huge_frame_is_a_limit_error(tmp_path: Path) -> None:
    sof = b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", 9000, 100) + b"\x03" + b"\0" * 9
    (tmp_path / "big.jpg").write_bytes(b"\xff\xd8" + sof)
    err = _error(LimitError, "big.jpg", tmp_path, LOC)
    assert err.message.startswith("image 'big.jpg' is 100×9000 pixels; at most 4096×4096")


def test_file_too_large(tmp_path: Path, png_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", 50)
    err = _error(LimitError, "cat.png", tmp_path, LOC)
    assert "MAX_IMAGE_BYTES" in err.message
    assert err.message.startswith("image 'cat.png' is ")
    np.save(tmp_path / "a.npy", np.zeros((8, 8)))
    assert "MAX_IMAGE_BYTES" in _error(LimitError, "a.npy", tmp_path, LOC).message


def test_default_limits() -> None:
    assert images.MAX_IMAGE_BYTES == 20 * 1024 * 1024
    assert images.MAX_IMAGE_SIDE == 4096
    assert images.MAX_IMAGE_PIXELS == 4096 * 4096
    assert images.MAX_NPY_VALUES == 16 * 1024 * 1024


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="root reads unreadable files"
)
def test_unreadable_file(tmp_path: Path, png_file: Path) -> None:
    png_file.chmod(0)
    try:
        err = _error(SpecError, "cat.png", tmp_path, LOC)
    finally:
        png_file.chmod(0o644)
    assert err.message.startswith("cannot read image 'cat.png': ")


def test_read_failure_is_a_spec_error(
    tmp_path: Path, png_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    # Images are opened through nnsvg.safe_files.open_regular (O_NONBLOCK, fstat).
    np.save(tmp_path / "a.npy", np.zeros((2, 2)))
    monkeypatch.setattr(safe_files.os, "open", refuse)
    err = _error(SpecError, "cat.png", tmp_path, LOC)
    assert err.message == "cannot read image 'cat.png': permission denied"
    err = _error(SpecError, "a.npy", tmp_path, LOC)
    assert err.message == "cannot read image 'a.npy': permission denied"
