"""Fuzzing weight containers (issue #13): the structure of ``.npz`` and ``.npy`` files.

The strategies build right weight files for a small FCNN spec, then break their
structure rather than their bytes at random: the fields of a zip directory entry, of
a local header and of the end record (flags, method, sizes, offsets, counts), member
names (folders, other kinds, duplicates, control characters), the ``.npy`` header's
dict text (dtypes such as float128, objects, records, dates; shapes of 10^10 values,
of no tuple, broken; keys dropped or added; other versions), the data after a header
(cut, lengthened), and the whole file (cut, a byte flipped, junk around it). Some
files lie outside the spec's folder, read with ``allow_outside``.

The only allowed outcomes:

* a figure (the oracle of tests/test_fuzz.py: well-formed, finite, inert SVG, and a
  PNG of it), or
* a located one-line :class:`~nnsvg.errors.NnsvgError` (``spec.yaml:3:10: weights:
  ...``), that never quotes more than 40 characters of the file, and nothing of a file
  outside the spec's folder (a marker string planted in names, headers and values
  must not show);

and, whatever the file declares, reading it allocates little: the arrays generated are
at most 5×5, so a peak of several MiB (tracemalloc, around load_weights) would mean a
declared size was trusted. ``--hypothesis-profile deep`` runs 5000 examples per test.

Images share the ``.npy`` reader and their PNGs are decoded when loaded: a PNG with
damaged image data that load_image accepts must convert (cairo), and an ``.npy`` image
with a broken header is a located error.
"""

from __future__ import annotations

import io
import struct
import tracemalloc
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnsvg.errors import NnsvgError
from nnsvg.images import encode_png, load_image
from nnsvg.pipeline import RenderOptions, build_scene, load_spec
from nnsvg.render.export import convert
from nnsvg.render.svg import render_svg
from nnsvg.weights import load_weights
from tests.test_fuzz import FUZZ, OPTIONS, Workdir, note, run_pipeline

MARKER = "QZXJ" * 12 + "QZ"  # 50 characters no message may show whole
MARKER_PIECE = MARKER[:6]
PEAK_BYTES = 8 << 20  # far above what 5×5 arrays need; far below a trusted forged size

DTYPES = ["<f8", "<f4", "<f2", ">f8", "|i1", "<i8", "|u1", ">i4"]
BAD_DESCRS = [
    "<f16",
    "<g",
    "|O",
    "<c16",
    "|b1",
    "<U3",
    "|S2",
    "<M8[s]",
    "|V8",
    "<f3",
    "f8",
    "=f8",
    MARKER,
    "",
]
SHAPES = [
    "(10000000000,)",
    "(4294967296, 4294967296)",
    "()",
    "(0, 3)",
    "(3)",
    "(2, 3, 4)",
    "(2, 3",
    "(2 3)",
    "(-1, 3)",
    "(99999999999999999999,)",
    "[2, 3]",
    "(2L, 3L)",
    "(1,) * 40",
    f"'{MARKER}'",
]

# Fields of a zip central directory entry, a local header and the end record:
# (offset, struct format).
CD_FIELDS = [(8, "<H"), (10, "<H"), (16, "<I"), (20, "<I"), (24, "<I"), (28, "<H")]
CD_FIELDS += [(30, "<H"), (32, "<H"), (34, "<H"), (42, "<I")]
LOCAL_FIELDS = [(6, "<H"), (8, "<H"), (14, "<I"), (18, "<I"), (22, "<I"), (26, "<H"), (28, "<H")]
END_FIELDS = [(4, "<H"), (8, "<H"), (10, "<H"), (12, "<I"), (16, "<I"), (20, "<H")]
FIELD_VALUES = st.one_of(
    st.sampled_from([0, 1, 2, 8, 9, 12, 14, 99, 0x41, 0xFFFF, 0xFFFFFFFF, 10**9, 3_200_000_000]),
    st.integers(0, 0xFFFFFFFF),
)


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def header_dict(array: np.ndarray) -> dict[str, str]:
    """The three fields of ``array``'s .npy header, as text."""
    return {
        "descr": repr(array.dtype.str),
        "fortran_order": repr(bool(array.flags.f_contiguous and array.ndim > 1)),
        "shape": repr(array.shape),
    }


def raw_npy(fields: list[tuple[str, str]], data: bytes, version: bytes, pad: bool) -> bytes:
    text = "{" + ", ".join(f"{key}: {value}" for key, value in fields) + ", }"
    raw = text.encode("utf-8", "surrogatepass")
    if pad:
        raw += b" " * (-(len(raw) + 11) % 64) + b"\n"
    size = struct.pack("<H", len(raw)) if version == b"\x01\x00" else struct.pack("<I", len(raw))
    return b"\x93NUMPY" + version + size + raw + data


@st.composite
def npy_member(draw: st.DrawFn, array: np.ndarray) -> bytes:
    """``array`` as .npy bytes, maybe with its header text or its data broken."""
    if draw(st.integers(0, 3)):
        return npy_bytes(array)
    head = header_dict(array)
    fields = [(repr(key), value) for key, value in head.items()]

    def put(key: str, value: str) -> None:
        at = [i for i, (k, _) in enumerate(fields) if k == key]
        if at:
            fields[at[0]] = (key, value)
        else:
            fields.append((key, value))

    for _ in range(draw(st.integers(1, 3))):
        what = draw(st.sampled_from(["descr", "shape", "order", "drop", "add", "key", "text"]))
        if what == "descr":
            put("'descr'", repr(draw(st.sampled_from(BAD_DESCRS))))
            if draw(st.booleans()):
                put("'descr'", "[('a', '<f4'), ('b', '<i2')]")
        elif what == "shape":
            put("'shape'", draw(st.sampled_from(SHAPES)))
        elif what == "order":
            put("'fortran_order'", draw(st.sampled_from(["True", "1", "'x'", "None"])))
        elif what == "drop" and fields:
            fields.pop(draw(st.integers(0, len(fields) - 1)))
        elif what == "add":
            fields.append((draw(st.sampled_from(["'extra'", "'shape'", repr(MARKER)])), "1"))
        elif what == "key" and fields:
            at = draw(st.integers(0, len(fields) - 1))
            fields[at] = ('"' + fields[at][0][1:-1] + '"', fields[at][1])
        else:
            fields = [(draw(st.text(max_size=12)), draw(st.text(max_size=12)))]
    data = np.ascontiguousarray(array).tobytes()
    change = draw(st.sampled_from(["keep", "cut", "grow", "empty"]))
    if change == "cut":
        data = data[: draw(st.integers(0, max(0, len(data) - 1)))]
    elif change == "grow":
        data += MARKER.encode() * draw(st.integers(1, 3))
    elif change == "empty":
        data = b""
    version = draw(
        st.sampled_from([b"\x01\x00", b"\x01\x00", b"\x02\x00", b"\x03\x00", b"\x09\x01"])
    )
    return raw_npy(fields, data, version, draw(st.booleans()))


def _patch(data: bytearray, at: int, fmt: str, value: int) -> None:
    size = struct.calcsize(fmt)
    if at >= 0 and at + size <= len(data):
        struct.pack_into(fmt, data, at, value & (0xFFFF if fmt == "<H" else 0xFFFFFFFF))


@st.composite
def zip_mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` (a zip) with fields of its structure changed, or cut, flipped, padded."""
    out = bytearray(data)
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["cd", "cd", "local", "end", "cut", "flip", "junk"]))
        if kind in ("cd", "local", "end"):
            signature = {"cd": b"PK\x01\x02", "local": b"PK\x03\x04", "end": b"PK\x05\x06"}[kind]
            found = [i for i in range(len(out) - 3) if out[i : i + 4] == signature]
            if not found:
                continue
            base = draw(st.sampled_from(found))
            fields = {"cd": CD_FIELDS, "local": LOCAL_FIELDS, "end": END_FIELDS}[kind]
            offset, fmt = draw(st.sampled_from(fields))
            _patch(out, base + offset, fmt, draw(FIELD_VALUES))
        elif kind == "cut" and out:
            del out[draw(st.integers(0, len(out) - 1)) :]
        elif kind == "flip" and out:
            at = draw(st.integers(0, len(out) - 1))
            out[at] ^= draw(st.integers(1, 255))
        else:
            junk = MARKER.encode() * draw(st.integers(1, 4))
            out = bytearray(junk + out) if draw(st.booleans()) else out + bytearray(junk)
    return bytes(out)


@st.composite
def weight_containers(draw: st.DrawFn) -> tuple[list[int], list[bool], str, bytes]:
    """Layer sizes, bias flags, and one weight file (name, bytes) for them."""
    sizes = draw(st.lists(st.integers(1, 5), min_size=2, max_size=3))
    bias = [draw(st.booleans()) for _ in sizes[:-1]] + [False]
    named: list[tuple[str, np.ndarray]] = []
    for i in range(len(sizes) - 1):
        shape = (sizes[i], sizes[i + 1])
        if draw(st.booleans()):
            shape = shape[::-1]
        values = np.arange(shape[0] * shape[1], dtype=np.float64).reshape(shape) / 7 - 1
        array = values.astype(draw(st.sampled_from(DTYPES)))
        if draw(st.integers(0, 4)) == 0:
            array = np.asfortranarray(array)
        named.append((f"fc{i}.weight", array))
        if bias[i] or draw(st.integers(0, 5)) == 0:
            named.append((f"fc{i}.bias", np.linspace(-1, 1, sizes[i + 1])))
    kind = draw(st.sampled_from(["npz", "npz", "npz", "npy"]))
    if kind == "npy":
        data = draw(npy_member(named[0][1]))
        name = draw(st.sampled_from(["w.npy", "w.npy", "w.npz"]))
        return sizes[:2], [bias[0], False], name, data
    method = draw(st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]))
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", method) as archive:
        warnings.simplefilter("ignore")  # a duplicate name, on purpose
        for i, (member, array) in enumerate(named):
            name = member + ".npy"
            rename = draw(st.integers(0, 9))
            if rename == 0:
                name = draw(
                    st.sampled_from(
                        ["d/", "x.txt", MARKER + ".npy", "a\n\x1b[31m.npy", named[0][0]]
                    )
                )
            elif rename == 1 and i:
                name = named[i - 1][0] + ".npy"  # the same name twice
            archive.writestr(zipfile.ZipInfo(name), draw(npy_member(array)), method)
    data = draw(zip_mutated(buffer.getvalue()))
    return sizes, bias, draw(st.sampled_from(["w.npz", "w.npz", "w.npz", "w.npy"])), data


def check_quotes(message: str, outside: bool) -> None:
    """No message shows a whole marker; one about a file outside shows none of it."""
    assert MARKER not in message, message
    if outside:
        assert MARKER_PIECE not in message and "QZX" not in message, message


@FUZZ
@given(case=weight_containers(), outside=st.integers(0, 3))
def test_mutated_weight_containers_give_a_figure_or_a_located_error(
    case: tuple[list[int], list[bool], str, bytes], outside: int
) -> None:
    sizes, bias, name, data = case
    outside_file = outside == 0
    with Workdir() as root:
        folder = root / "spec"
        folder.mkdir()
        target = (root if outside_file else folder) / name
        target.write_bytes(data)
        ref = f"../{name}" if outside_file else name
        layers: list[Any] = [{"units": n, "bias": b} for n, b in zip(sizes[:-1], bias)]
        layers.append(sizes[-1])
        import yaml

        spec = folder / "spec.yaml"
        spec.write_text(
            yaml.safe_dump({"layers": layers, "weights": ref, "edges": {"encode": ["width"]}}),
            encoding="utf-8",
        )
        tracemalloc.start()
        try:
            load_weights((ref,), sizes, bias, folder, None, allow_outside=outside_file)
            loaded = True
        except NnsvgError as err:
            loaded = False
            assert err.field == "weights", err
            assert err.message.isprintable(), err.message
            check_quotes(err.message, outside_file)
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        assert peak < PEAK_BYTES, f"{peak:,} bytes to read a {len(data):,}-byte file"
        note("loaded" if loaded else "refused")
        options = RenderOptions(
            max_edges=OPTIONS.max_edges, max_nodes=OPTIONS.max_nodes, allow_outside=outside_file
        )
        outcome = run_pipeline(spec, options)
        assert (outcome.error is None) == loaded, outcome.error
        if outcome.error is not None:
            text = str(outcome.error)
            assert "\n" not in text and text.startswith(f"{spec}:"), text
            assert ": weights: " in text, text
            check_quotes(text, outside_file)


@FUZZ
@given(values=st.lists(st.sampled_from(["1", "-2.5", "nan", "", " ", MARKER, "1e999", "0x1"])))
def test_csv_errors_quote_little_inside_and_nothing_outside(values: list[str]) -> None:
    with Workdir() as root:
        (root / "spec").mkdir()
        line = ",".join(values) or MARKER
        for folder, ref in ((root / "spec", "w.csv"), (root, "../w.csv")):
            (folder / "w.csv").write_text(f"1,2\n{line}\n", encoding="utf-8")
            try:
                load_weights(
                    (ref,), [2, 2], [False, False], root / "spec", None, allow_outside=True
                )
            except NnsvgError as err:
                check_quotes(err.message, ref.startswith(".."))


# --- images: the .npy header, and PNG image data against cairo ------------------------


@FUZZ
@given(member=st.data())
def test_mutated_npy_images_give_an_image_or_a_located_error(member: Any) -> None:
    array = np.arange(12, dtype=member.draw(st.sampled_from(DTYPES))).reshape(3, 4)
    data = member.draw(npy_member(array))
    with Workdir() as root:
        (root / "x.npy").write_bytes(data)
        try:
            image = load_image("x.npy", root, None, field="input.image")
        except NnsvgError as err:
            assert err.field == "input.image" and err.message.isprintable(), err
            return
        assert image.uri.startswith("data:image/png;base64,")


LENET = "style: lenet\ninput: {shape: [8, 8, 1], image: x.png}\nlayers:\n" + (
    "  - {type: conv, filters: 2, kernel: 3}\n"
)


@st.composite
def damaged_pngs(draw: st.DrawFn) -> bytes:
    shape = (draw(st.integers(1, 9)), draw(st.integers(1, 9)), draw(st.sampled_from([1, 3, 4])))
    pixels = np.arange(int(np.prod(shape)), dtype=np.uint8).reshape(shape)
    data = bytearray(encode_png(pixels))
    start = data.index(b"IDAT") + 4
    (length,) = struct.unpack(">I", data[start - 8 : start - 4])
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(start, start + length - 1))  # in the zlib stream
        data[at] ^= draw(st.integers(1, 255))
    # Mend the chunk's CRC, so that only the image data is wrong.
    import zlib

    crc = zlib.crc32(bytes(data[start - 4 : start + length])) & 0xFFFFFFFF
    struct.pack_into(">I", data, start + length, crc)
    return bytes(data)


@FUZZ
@given(data=damaged_pngs())
def test_a_damaged_png_either_is_refused_when_loaded_or_converts(data: bytes) -> None:
    """What load_image accepts, cairo draws: no "out of memory" at export."""
    with Workdir() as root:
        (root / "x.png").write_bytes(data)
        (root / "fig.yaml").write_text(LENET, encoding="utf-8")
        try:
            scene = build_scene(load_spec(root / "fig.yaml"))
        except NnsvgError as err:
            assert str(err).startswith(f"{root / 'fig.yaml'}:2:"), err
            note("refused")
            return
        note("accepted")
        assert convert(render_svg(scene), "png", dpi=96, scale=0.5).startswith(b"\x89PNG")


def test_the_memory_oracle_notices_a_trusted_size(tmp_path: Path) -> None:
    """The tracemalloc bound above does see numpy's allocations: numpy.load of a
    member of 2M zeros (16 MB) goes over it."""
    np.savez_compressed(tmp_path / "w.npz", a=np.zeros(2_000_000))
    tracemalloc.start()
    try:
        with np.load(tmp_path / "w.npz") as archive:
            archive["a"]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak > PEAK_BYTES


@pytest.mark.parametrize("outside", [False, True])
def test_the_quote_oracle_notices_a_leak(outside: bool) -> None:
    with pytest.raises(AssertionError):
        check_quotes(f"weight file w.csv, line 2: '{MARKER}' is not a number", outside)
    if outside:
        with pytest.raises(AssertionError):
            check_quotes(f"line 2: '{MARKER[:10]}' is not a number", outside)
