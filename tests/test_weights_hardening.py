"""Weight files and images are data a spec names, read without trusting them (issue #13).

* Secrets: a weight file is read only from the spec's folder (or the project's), links
  resolved, unless ``--allow-outside``; only regular files, never ``/proc``; an error
  about a file never quotes its content, except a short escaped excerpt of a file that
  lies inside those folders (never numpy's own words, which quote the file).
* Bombs: every size an ``.npy`` header or an ``.npz`` zip directory declares is checked
  before any data is read (measured here with tracemalloc), and against the bytes the
  file or member really holds.
* Every broken container is a located one-line error, never a traceback; a PNG image is
  decoded when it is loaded, so a broken one is an error there, not cairo's
  "out of memory" at export.
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import tracemalloc
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from nnsvg import images, weights
from nnsvg.errors import LimitError, Location, NnsvgError, SpecError
from nnsvg.images import encode_png, load_image
from nnsvg.pipeline import RenderOptions, build_scene, load_spec
from nnsvg.render.export import convert
from nnsvg.render.png import png_file
from nnsvg.render.svg import render_svg
from nnsvg.weights import load_weights
from tests.cli_run import run
from tests.test_security import clean_exit, errors, opened, watching

LOC = Location("net.yaml", 3, 10)
SECRET = "API_KEY=hunter2-do-not-print"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def npy_header(text: str, data: bytes = b"", version: int = 1) -> bytes:
    """An .npy file with the header text ``text`` as it stands (padded to 64 bytes)."""
    raw = text.encode("latin-1")
    raw += b" " * (-(len(raw) + 11) % 64) + b"\n"
    if version == 1:
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(raw)) + raw + data
    return b"\x93NUMPY\x02\x00" + struct.pack("<I", len(raw)) + raw + data


def declared(shape: tuple[int, ...], descr: str = "<f8", data: bytes = b"") -> bytes:
    return npy_header(f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape!r}, }}", data)


def npz(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def patch_directory(data: bytes, offset: int, fmt: str, value: int, local: int = -1) -> bytes:
    """``data`` (a zip of one member) with a field of its central directory entry (at
    ``offset`` in the entry) set to ``value``, and the same field of the local header
    (at ``local``) when given."""
    out = bytearray(data)
    at = data.rindex(b"PK\x01\x02")
    struct.pack_into(fmt, out, at + offset, value)
    if local >= 0:
        struct.pack_into(fmt, out, local, value)
    return bytes(out)


def fails(
    folder: Path,
    names: tuple[str, ...],
    units: tuple[int, ...] = (2, 3),
    exc: type[SpecError] = SpecError,
    **kwargs: object,
) -> str:
    """The one-line message load_weights refuses ``names`` with, located and fielded."""
    with pytest.raises(exc) as info:
        load_weights(names, list(units), [False] * len(units), folder, LOC, **kwargs)  # type: ignore[arg-type]
    err = info.value
    assert err.location is LOC and err.field == "weights", err
    text = str(err)
    assert text.isprintable() and text.startswith("net.yaml:3:10: weights: "), text
    return err.message


def fcnn_spec(folder: Path, weights_ref: str, layers: str = "[2, 3]") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    spec = folder / "net.yaml"
    spec.write_text(
        f"layers: {layers}\nweights: {weights_ref}\nedges: {{encode: [width]}}\n", encoding="utf-8"
    )
    return spec


@pytest.fixture
def secret(work: Path) -> Path:
    path = work / "secret.csv"
    path.write_text(f"{SECRET}\n1,2,3\n", encoding="utf-8")
    return path


# --- 1. secrets ------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/etc/passwd", "/proc/self/environ", "{secret}"])
def test_a_weight_file_linking_out_of_the_folder_is_refused_unread(
    work: Path, secret: Path, target: str
) -> None:
    figs = work / "figs"
    figs.mkdir()
    (figs / "w.csv").symlink_to(target.format(secret=secret))
    with watching() as log:
        message = fails(figs, ("w.csv",))
    assert message == (
        "weight file w.csv is outside the spec's folder; nnsvg reads only files beside the "
        "spec (use --allow-outside to permit)"
    )
    assert not {"/etc/passwd", "/proc/self/environ", str(secret)} & opened(log)


@pytest.mark.parametrize("ref", ["../secret.csv", "{secret}", "sub/../../secret.csv"])
def test_a_weight_path_out_of_the_folder_is_refused(work: Path, secret: Path, ref: str) -> None:
    (work / "figs" / "sub").mkdir(parents=True)
    message = fails(work / "figs", (ref.format(secret=secret),))
    assert "is outside the spec's folder" in message and SECRET not in message


def test_allow_outside_never_prints_the_content_of_a_file_outside(work: Path, secret: Path) -> None:
    """numpy's loadtxt said ``could not convert string 'API_KEY=...' to float64``."""
    (work / "figs").mkdir()
    message = fails(work / "figs", ("../secret.csv",), allow_outside=True)
    assert message == "weight file ../secret.csv, line 1: value 1 is not a number"
    (work / "figs" / "passwd.csv").symlink_to("/etc/passwd")  # a link inside, to outside
    passwd = fails(work / "figs", ("passwd.csv",), allow_outside=True)
    assert passwd.startswith("weight file passwd.csv, line 1: value 1 ")
    assert "root" not in passwd and ":x:" not in passwd


def test_allow_outside_still_refuses_kernel_files_and_does_not_open_them(work: Path) -> None:
    (work / "figs").mkdir()
    (work / "figs" / "env.csv").symlink_to("/proc/self/environ")
    with watching() as log:
        message = fails(work / "figs", ("env.csv",), allow_outside=True)
    assert message == (
        "cannot read weight file env.csv: a system file (under /proc, /sys or /dev), not a "
        "data file"
    )
    assert "/proc/self/environ" not in opened(log)


def test_a_file_inside_gets_a_short_escaped_excerpt(work: Path) -> None:
    (work / "w.csv").write_text("1,2,3\n4,\x1b[31mred" + "A" * 100 + ",6\n", encoding="utf-8")
    message = fails(work, ("w.csv",))
    excerpt = "'\\x1b[31mred" + "A" * 28 + "…'"
    assert message == f"weight file w.csv, line 2: {excerpt} is not a number"
    assert len(excerpt) == 40 + 2


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("1,2,3\n4,5\n", "line 2 has 2 values; the lines above have 3"),
        ("# weights\n1,2,3\n\n4,,6\n", "line 4: value 2 is empty"),
        ("1,2,3\n4,5,6 7\n", "line 2: '6 7' is not a number"),
    ],
)
def test_csv_problems_are_said_by_line_not_by_numpy(work: Path, content: str, problem: str) -> None:
    (work / "w.csv").write_text(content, encoding="utf-8")
    assert fails(work, ("w.csv",)) == f"weight file w.csv, {problem}"


def test_csv_that_is_not_utf8_names_its_line(work: Path) -> None:
    (work / "w.csv").write_bytes(b"1,2,3\n4,5,\xff\n")
    assert fails(work, ("w.csv",)) == "weight file w.csv, line 2: not UTF-8 text"


def test_member_names_of_an_archive_outside_are_not_shown(work: Path) -> None:
    (work / "w.npz").write_bytes(npz({"SECRET_TOKEN_42.npy": npy(np.zeros((5, 5)))}))
    message = fails(work / "figs", ("../w.npz",), allow_outside=True)
    assert message == "matrix #1 of ../w.npz has shape 5×5; layers 0→1 need 2×3 (or its transpose)"
    inside = fails(work, ("w.npz",))
    assert inside.startswith("matrix 'SECRET_TOKEN_42' has shape 5×5")


def test_weights_may_come_from_the_project_folder(work: Path) -> None:
    (work / "shared").mkdir()
    np.save(work / "shared" / "w.npy", np.ones((2, 3)))
    spec = fcnn_spec(work / "figs", "../shared/w.npy")
    with pytest.raises(SpecError, match="is outside the spec's folder; nnsvg reads only"):
        build_scene(load_spec(spec))
    scene = build_scene(load_spec(spec), RenderOptions(project_dir=work))
    assert render_svg(scene).startswith("<?xml")
    message = fails(work / "figs", ("../../w.npy",), project_dir=work)
    assert message.startswith("weight file ../../w.npy is outside the spec's folder and the ")


def test_render_and_validate_read_weights_from_the_project_folder(work: Path) -> None:
    (work / "shared").mkdir()
    np.save(work / "shared" / "w.npy", np.ones((2, 3)))
    spec = fcnn_spec(work / "figs", "../shared/w.npy")
    clean_exit(run("validate", spec), 1)
    (work / "nnsvg.toml").write_text("", encoding="utf-8")
    clean_exit(run("validate", spec), 0)
    clean_exit(run("render", spec, "-o", "out.svg"), 0)


def test_the_command_refuses_a_link_to_a_secret_and_reads_it_nowhere(
    work: Path, secret: Path
) -> None:
    spec = fcnn_spec(work / "figs", "w.csv")
    (work / "figs" / "w.csv").symlink_to(secret)
    with watching() as log:
        result = run("render", spec, "-o", "out.svg")
    clean_exit(result, 1)
    (line,) = errors(result)
    assert line.startswith(f"{spec}:2:10: weights: weight file w.csv is outside"), line
    assert str(secret) not in opened(log)  # neither the render nor the cache read it
    result = run("render", spec, "-o", "out.svg", "--allow-outside")
    clean_exit(result, 1)
    (line,) = errors(result)
    assert SECRET not in result.stderr and "hunter2" not in result.stderr, line


def test_a_name_too_long_is_a_located_error(work: Path) -> None:
    message = fails(work, ("x" * 300 + ".csv",))
    assert message.endswith(": file name too long")
    (work / "sub").mkdir()
    assert fails(work, ("sub/" + "y" * 256 + "/w.npz",)).endswith(": file name too long")


# --- 2. bombs --------------------------------------------------------------------------


@contextlib.contextmanager
def peak_memory() -> Iterator[list[int]]:
    """The peak of memory allocated (Python objects and numpy arrays) inside the block."""
    peak: list[int] = []
    tracemalloc.start()
    try:
        yield peak
    finally:
        peak.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()


MIB = 1 << 20


def zeros_archive(path: Path, members: int, count: int) -> None:
    """An .npz of ``members`` members of ``count`` float64 zeros each, written in pieces."""
    header = declared((count,))
    zeros = bytes(MIB)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for i in range(members):
            with archive.open(f"m{i}.npy", "w") as member:
                member.write(header)
                left = count * 8
                while left:
                    member.write(zeros[: min(left, MIB)])
                    left -= min(left, MIB)


def test_an_npz_bomb_is_refused_from_its_headers(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ten members of 2M zeros (160 MB unpacked, the issue's 3.2 GB bomb at a twentieth,
    under a limit lowered to match): numpy unpacked every member before the limit was
    checked; now the second member's header goes over it, and nothing is unpacked."""
    monkeypatch.setattr(weights, "MAX_WEIGHT_VALUES", 3_000_000)
    zeros_archive(work / "bomb.npz", 10, 2_000_000)
    assert (work / "bomb.npz").stat().st_size < 2 * MIB
    with peak_memory() as peak:
        message = fails(work, ("bomb.npz",), exc=LimitError)
    assert message == (
        "weight files hold more than 3,000,000 values (MAX_WEIGHT_VALUES); that is more "
        "than a figure can show"
    )
    assert peak[0] < 2 * MIB, peak


def test_an_npy_header_claiming_ten_billion_values_is_a_limit_error(work: Path) -> None:
    """numpy allocated what the header declared: MemoryError, a traceback."""
    (work / "claim.npy").write_bytes(declared((100_000, 100_000), data=bytes(100)))
    with peak_memory() as peak:
        message = fails(work, ("claim.npy",), exc=LimitError)
    assert "MAX_WEIGHT_VALUES" in message and peak[0] < MIB, peak


def test_a_sparse_npy_of_2_4_gb_is_not_read(work: Path) -> None:
    path = work / "sparse.npy"
    header = declared((20_000, 15_000))
    with open(path, "wb") as file:
        file.write(header)
        file.truncate(len(header) + 20_000 * 15_000 * 8)  # a hole: no disk, 2.4 GB to read
    with peak_memory() as peak:
        message = fails(work, ("sparse.npy",), exc=LimitError)
    assert "MAX_WEIGHT_VALUES" in message and peak[0] < MIB, peak


def test_the_limit_counts_every_file_of_the_spec(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(weights, "MAX_WEIGHT_VALUES", 10)
    np.save(work / "a.npy", np.ones((2, 3)))
    np.save(work / "b.npy", np.ones((3, 2)))
    (work / "c.csv").write_text("1,1\n1,1\n1,1\n", encoding="utf-8")
    fails(work, ("a.npy", "b.npy"), (2, 3, 2), exc=LimitError)
    fails(work, ("a.npy", "c.csv"), (2, 3, 2), exc=LimitError)
    monkeypatch.setattr(weights, "MAX_WEIGHT_VALUES", 12)
    load_weights(("a.npy", "b.npy"), [2, 3, 2], [False] * 3, work, LOC)


def _stored(members: dict[str, bytes]) -> bytes:
    return npz(members, zipfile.ZIP_STORED)


def _corrupt_last_byte(data: bytes) -> bytes:
    at = data.rindex(b"PK\x01\x02") - 1  # the stored member's last data byte
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


SIZE_LIES = [
    ("w.npy", declared((1000, 1000), data=bytes(64)), "weight file w.npy is a truncated .npy"),
    (
        "w.npz",
        npz({"a.npy": declared((1000,), data=bytes(16))}),
        "weight file w.npz: member 'a' is a truncated .npy file",
    ),
    (
        "w.npz",
        npz({"a.npy": npy(np.zeros((2, 3))) + b"junk"}),
        "weight file w.npz: member 'a' holds 4 bytes more than its header declares",
    ),
    (
        "w.npz",
        patch_directory(npz({"a.npy": npy(np.zeros((2, 3)))}), 24, "<I", 3_200_000_000),
        "member 'a' declares 3,200,000,000 bytes packed into ",
    ),
    (
        "w.npz",
        patch_directory(_stored({"a.npy": npy(np.zeros((2, 3)))}), 24, "<I", 100_000),
        "member 'a' declares 100,000 bytes stored in 176 (a forged zip directory)",
    ),
    (
        "w.npz",
        _corrupt_last_byte(_stored({"a.npy": npy(np.zeros((2, 3)))})),
        "member 'a' fails its checksum (CRC): the archive is damaged",
    ),
]


@pytest.mark.parametrize(("name", "data", "words"), SIZE_LIES)
def test_declared_sizes_must_match_what_the_file_holds(
    work: Path, name: str, data: bytes, words: str
) -> None:
    (work / name).write_bytes(data)
    with peak_memory() as peak:
        message = fails(work, (name,))
    assert words in message, message
    assert peak[0] < MIB, peak


def test_a_huge_zip_directory_is_refused_before_zipfile_reads_it(work: Path) -> None:
    """zipfile holds the whole directory in memory; 20,000 entries is no weight file."""
    with zipfile.ZipFile(work / "many.npz", "w", zipfile.ZIP_STORED) as archive:
        for i in range(20_000):
            archive.writestr(f"{i:06d}.npy", b"")
    with peak_memory() as peak:
        message = fails(work, ("many.npz",))
    assert message.startswith("weight file many.npz has a zip directory of 1,")
    assert message.endswith("bytes; an .npz holds at most 1,048,576 (MAX_ZIP_DIRECTORY)")
    assert peak[0] < MIB, peak


@pytest.mark.parametrize(
    "array",
    [
        np.arange(6.0).reshape(2, 3),
        np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        np.arange(6, dtype=">i4").reshape(2, 3),
        np.arange(6, dtype=np.uint8).reshape(3, 2),
        np.arange(6, dtype=np.float16).reshape(2, 3),
    ],
    ids=["f8", "fortran", "big-endian", "u1-transposed", "f2"],
)
def test_real_files_still_give_their_exact_values(work: Path, array: np.ndarray) -> None:
    expected = np.asarray(array, dtype=float)
    expected = expected if expected.shape == (2, 3) else expected.T
    bias = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    np.save(work / "w.npy", array)
    np.savez(work / "w.npz", w=array, b=bias)
    np.savez_compressed(work / "c.npz", w=array, b=bias)
    for name in ("w.npy", "w.npz", "c.npz"):
        got = load_weights((name,), [2, 3], [False, False], work, LOC)
        assert np.array_equal(got.matrices[0], expected), name
    assert np.array_equal(got.biases[0], bias)


# --- 3. broken containers: located one-line errors -------------------------------------


def _folder_member() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("d/"), b"")
    return buffer.getvalue()


def _twice() -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("a.npy", npy(np.zeros((2, 3))))
            archive.writestr("a.npy", npy(np.zeros((2, 3))))
    return buffer.getvalue()


GOOD = npy(np.zeros((2, 3)))
BROKEN = [
    ("w.npz", npz({"a.txt": b"1,2,3"}), "member 'a.txt' is not an .npy array"),
    ("w.npz", _folder_member(), "member 'd/' is a folder, not an array"),
    (
        "w.npz",
        patch_directory(npz({"a.npy": GOOD}), 8, "<H", 1, local=6),
        "member 'a' is encrypted",
    ),
    (
        "w.npz",
        patch_directory(npz({"a.npy": GOOD}), 10, "<H", 99, local=8),
        "member 'a' is compressed with method 99; nnsvg reads stored or deflated members",
    ),
    ("w.npz", npz({"a.npy": GOOD}, zipfile.ZIP_BZIP2), "is compressed with method 12"),
    ("w.npz", _twice(), "member 'a' is in the archive twice"),
    ("w.npz", npz({}), "weight file w.npz holds no arrays"),
    ("w.npz", npz({"a.npy": b"\x93NUMPY\x01"}), "member 'a' is a truncated .npy file"),
    ("w.npz", npz({"a.npy": b"\x93NUM"}), "member 'a' is not an .npy file (wrong signature)"),
    ("w.npz", GOOD, "is an .npy file, not an .npz archive"),
    ("w.npy", npz({"a.npy": GOOD}), "is a zip archive (an .npz), not an .npy file"),
    ("w.npz", b"PK\x03\x04" + bytes(40), "is not a valid .npz file"),
    (
        "w.npy",
        npy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3,"),
        "is not a valid .npy file (its header does not parse)",
    ),
    (
        "w.npy",
        npy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'x': 1}"),
        "is not a valid .npy file (its header does not parse)",
    ),
    ("w.npy", declared((6,)).replace(b"(6,)", b"(6) "), "its shape is not a tuple of sizes"),
    ("w.npy", npy(np.zeros((2, 3), dtype=np.longdouble)), "holds float128 values; nnsvg reads"),
    ("w.npy", declared((2, 3), "|O", b"\x80\x04N."), "must hold a plain numeric array"),
    ("w.npy", npy(np.zeros((2, 3), dtype="f4,f4")), "must hold a plain numeric array"),
    ("w.npy", npy(np.zeros((2, 3), dtype=complex)), "must hold real numbers, not complex"),
    ("w.npy", npy(np.zeros((2, 3), dtype="M8[s]")), "must hold real numbers, not dates"),
    ("w.npy", b"\x93NUMPY\x09\x00" + bytes(60), "is an .npy file of format version 9.0"),
    ("w.npy", b"\x93NUMPY\x01\x00\xff\xff{", "is a truncated .npy file (it ends in"),
    ("w.npy", npy(np.zeros((2, 3), dtype=bool)), "matrix 'w.npy' must hold real numbers"),
    ("w.npy", declared((2, 3), data=bytes(10)), "is a truncated .npy file"),
]


@pytest.mark.parametrize(("name", "data", "words"), BROKEN)
def test_broken_containers_are_located_one_line_errors(
    work: Path, name: str, data: bytes, words: str
) -> None:
    (work / name).write_bytes(data)
    assert words in fails(work, (name,))


def test_a_header_of_ten_billion_values_with_100_bytes_is_located(work: Path) -> None:
    (work / "w.npy").write_bytes(declared((10**10,), data=bytes(100)))
    fails(work, ("w.npy",), exc=LimitError)
    (work / "w.npz").write_bytes(npz({"a.npy": declared((10**10,), data=bytes(100))}))
    fails(work, ("w.npz",))  # the member's size says it first: a truncated member


def test_every_broken_container_is_one_located_line_from_the_command(work: Path) -> None:
    for i, (name, data, words) in enumerate(BROKEN + SIZE_LIES):
        folder = work / f"case{i}"
        spec = fcnn_spec(folder, name)
        (folder / name).write_bytes(data)
        result = run("render", spec, "-o", folder / "out.svg")
        clean_exit(result, 1)
        (line,) = errors(result)
        assert line.startswith(f"{spec}:2:10: weights: ") and words in line, line


# --- images: the same .npy reader; PNG decoded when loaded -----------------------------

IMAGE_LOC = Location("fig.yaml", 2, 34)


def image_fails(folder: Path, name: str, exc: type[SpecError] = SpecError) -> str:
    with pytest.raises(exc) as info:
        load_image(name, folder, IMAGE_LOC, field="input.image")
    err = info.value
    assert err.location is IMAGE_LOC and err.field == "input.image"
    assert str(err).isprintable()
    return err.message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (
            npy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3,"),
            "is not a valid .npy file (its header does not parse)",
        ),
        (npy(np.zeros((4, 4), dtype=np.longdouble)), "holds float128 values"),
        (npz({"a.npy": GOOD}), "is a zip archive (an .npz), not an .npy file"),
        (declared((4, 4), "|O", b"\x80\x04N."), "must hold a plain numeric array"),
    ],
)
def test_image_npy_headers_are_checked_like_weights(work: Path, data: bytes, words: str) -> None:
    (work / "x.npy").write_bytes(data)
    assert words in image_fails(work, "x.npy")


def test_an_image_npy_header_claiming_more_than_its_file_is_not_read(work: Path) -> None:
    (work / "x.npy").write_bytes(declared((4000, 4000), data=bytes(100)))
    with peak_memory() as peak:
        assert "is a truncated .npy file" in image_fails(work, "x.npy")
    assert peak[0] < MIB


def _png(width: int, height: int, raw: bytes, color: int = 0, interlace: int = 0) -> bytes:
    data = png_file(width, height, color, zlib.compress(raw, 9))
    if interlace:  # set the IHDR's interlace byte and mend its CRC
        ihdr = bytearray(data[12:29])
        ihdr[-1] = 1
        crc = struct.pack(">I", zlib.crc32(bytes(ihdr)) & 0xFFFFFFFF)
        data = data[:12] + bytes(ihdr) + crc + data[33:]
    return data


def _grey_rows(width: int, height: int, filter_type: int = 0) -> bytes:
    return b"".join(bytes([filter_type]) + bytes(range(width)) for _ in range(height))


def _split_idat(data: bytes) -> bytes:
    """The PNG with a tEXt chunk between two halves of its image data."""
    start = data.index(b"IDAT") - 4
    (length,) = struct.unpack(">I", data[start : start + 4])
    body = data[start + 8 : start + 8 + length]

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
        return struct.pack(">I", len(payload)) + kind + payload + crc

    middle = chunk(b"IDAT", body[:5]) + chunk(b"tEXt", b"a\0b") + chunk(b"IDAT", body[5:])
    return data[:start] + middle + data[start + 12 + length :]


def _truncated_stream() -> bytes:
    raw = _grey_rows(28, 28)
    stream = zlib.compress(raw, 9)
    return png_file(28, 28, 0, stream[: len(stream) // 2])


BAD_PNGS = [
    (_truncated_stream(), "is a truncated PNG file (its image data ends early)"),
    (png_file(28, 28, 0, b"not zlib at all"), "its image data does not decompress"),
    (_png(28, 28, _grey_rows(28, 27)), "less image data than its size needs"),
    (_png(28, 28, _grey_rows(28, 29)), "more image data than its size holds"),
    (_png(28, 28, _grey_rows(28, 28, filter_type=7)), "an unknown row filter"),
    (_png(28, 28, _grey_rows(28, 28), color=3), "no valid palette before its image data"),
    (_split_idat(_png(28, 28, _grey_rows(28, 28))), "IDAT chunks are not in one run"),
]


@pytest.mark.parametrize(("data", "words"), BAD_PNGS)
def test_a_png_that_does_not_decode_is_refused_when_loaded(
    work: Path, data: bytes, words: str
) -> None:
    (work / "x.png").write_bytes(data)
    assert words in image_fails(work, "x.png")


LENET = "style: lenet\ninput: {{shape: [28, 28, 1], image: {image}}}\nlayers:\n" + (
    "  - {{type: conv, filters: 2, kernel: 3}}\n"
)


def test_a_truncated_png_is_a_located_error_not_cairos_out_of_memory(work: Path) -> None:
    (work / "t.png").write_bytes(_truncated_stream())
    (work / "fig.yaml").write_text(LENET.format(image="t.png"), encoding="utf-8")
    result = run("render", "fig.yaml", "-o", "fig.png")
    clean_exit(result, 1)
    (line,) = errors(result)
    assert line == (
        "fig.yaml:2:36: input.image: image 't.png' is a truncated PNG file (its image "
        "data ends early)"
    )


def _interlaced(width: int, height: int) -> bytes:
    rows = images._png_rows(width, height, 8, 0, 1)
    raw = b"".join(b"\0" + bytes((i * 7) % 256 for i in range(n - 1)) for n in rows)
    return _png(width, height, raw, interlace=1)


def _pillow_pngs() -> Iterator[tuple[str, bytes]]:
    image_module = pytest.importorskip("PIL.Image")
    for mode in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16"):
        buffer = io.BytesIO()
        image_module.new(mode, (13, 7)).save(buffer, format="PNG")
        yield mode, buffer.getvalue()


def test_valid_pngs_of_every_kind_still_load_and_convert(work: Path) -> None:
    from PIL import Image

    cases = [*_pillow_pngs(), ("interlaced", _interlaced(13, 7)), ("1x1", _interlaced(1, 1))]
    for mode, data in cases:
        (work / "x.png").write_bytes(data)
        image = load_image("x.png", work, IMAGE_LOC)
        assert image.uri.startswith("data:image/png;base64,"), mode
        Image.open(io.BytesIO(data)).load()  # Pillow decodes it too
    (work / "x.png").write_bytes(_interlaced(28, 28))
    (work / "fig.yaml").write_text(LENET.format(image="x.png"), encoding="utf-8")
    svg = render_svg(build_scene(load_spec(work / "fig.yaml")))
    assert convert(svg, "png", dpi=96, scale=0.5).startswith(b"\x89PNG")


def test_png_data_is_decoded_whole_whatever_the_piece_size(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Output held back by zlib at the end of a piece is still counted."""
    monkeypatch.setattr(images, "_INFLATE_CHUNK", 7)
    cases = [dict(_pillow_pngs()).values(), [_interlaced(13, 7), _interlaced(28, 28)]]
    for i, data in enumerate(d for group in cases for d in group):
        (work / f"{i}.png").write_bytes(data)
        load_image(f"{i}.png", work, IMAGE_LOC)
    (work / "t.png").write_bytes(_truncated_stream())
    assert "ends early" in image_fails(work, "t.png")


def test_an_encoded_npy_image_passes_its_own_decoder(work: Path) -> None:
    np.save(work / "a.npy", np.arange(12.0).reshape(3, 4))
    assert load_image("a.npy", work, IMAGE_LOC).width == 4
    (work / "b.png").write_bytes(encode_png(np.zeros((5, 9, 3), dtype=np.uint8)))
    assert load_image("b.png", work, IMAGE_LOC).height == 5


def test_an_image_error_never_raises_anything_but_nnsvg_errors(work: Path) -> None:
    for i, (data, _words) in enumerate(BAD_PNGS):
        (work / f"{i}.png").write_bytes(data)
        with pytest.raises(NnsvgError):
            load_image(f"{i}.png", work, IMAGE_LOC)
    assert os.path.exists(work / "0.png")
