"""Reading ``.npy`` arrays and ``.npz`` archives of them without trusting what they declare.

``numpy.load`` allocates what an ``.npy`` header declares and decompresses an ``.npz``
member whole before a caller can look at its size: a 3 MB archive of zeros can declare
3.2 GB, a 200-byte header 10^10 values. Here every size is known before any data is
read, so that the caller can check it against its limits first:

* an ``.npy`` header is read by numpy's own header reader
  (:func:`numpy.lib.format.read_array_header_1_0` / ``_2_0``: ``ast.literal_eval`` of at
  most :data:`MAX_HEADER_BYTES`, no data read); only plain booleans, integers and floats
  of at most 64 bits are accepted (no objects, so never a pickle);
* an ``.npz`` is checked from its zip directory first: its size, then each member's
  kind (an ``.npy``, not a folder), encryption, compression method (stored or deflated,
  as numpy writes them) and declared sizes (a deflated member cannot hold more than
  1032 times its packed size; a stored one holds exactly its packed size), then each
  member's ``.npy`` header, read by decompressing its first bytes only;
* the data size a header declares must match the bytes the file (or member) holds.

:func:`open_npy` and :func:`open_npz` return :class:`StoredArray` objects: a name, a
header, and :meth:`StoredArray.read`, which reads exactly the declared bytes (from the
still open file) when the caller decides to. Every problem is an
:class:`ArrayFileError` whose ``str()`` is a predicate to put after the file's name
(``is a truncated .npy file (...)``); it never quotes the file's content.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

__all__ = [
    "MAX_HEADER_BYTES",
    "MAX_ZIP_DIRECTORY",
    "ArrayFileError",
    "NpyHeader",
    "StoredArray",
    "TooManyValues",
    "open_npy",
    "open_npz",
    "read_npy_header",
]

NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
MAX_HEADER_BYTES = 65536
"""Longest ``.npy`` header read (numpy itself refuses more than 10,000 bytes)."""
MAX_ZIP_DIRECTORY = 1 << 20
"""Largest zip directory of an ``.npz`` (about 10,000 members); zipfile holds it whole."""
MAX_DIMS = 32
_DEFLATE_RATIO = 1032  # the most deflate can pack into one byte (RFC 1951: 258 bytes/2 bits)
_DEFLATE_SLACK = 1024  # stream headers and a final block, for tiny members
_CHUNK = 1 << 22

_SIZES = {"b": (1,), "i": (1, 2, 4, 8), "u": (1, 2, 4, 8), "f": (2, 4, 8)}
_OTHER_KINDS = {
    "c": "complex numbers",
    "U": "text",
    "S": "bytes",
    "a": "bytes",
    "M": "dates",
    "m": "time spans",
    "V": "raw records",
}
RECORDS = "must hold a plain numeric array (not objects or records)"


class ArrayFileError(Exception):
    """Why an array file cannot be read: ``str()`` is a predicate such as
    ``is a truncated .npy file (...)``; ``member`` names the ``.npz`` member, if any."""

    def __init__(self, reason: str, member: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.member = member


class TooManyValues(ArrayFileError):
    """The headers declare more values than the caller's ``max_values``: ``count`` is
    how many they declare, up to and including the array that went over."""

    def __init__(self, count: int) -> None:
        super().__init__(f"declares {count:,} values")
        self.count = count


@dataclass(frozen=True)
class NpyHeader:
    """What an ``.npy`` header declares; ``data_offset`` is where its data starts."""

    shape: tuple[int, ...]
    dtype: Any  # numpy.dtype
    fortran_order: bool
    data_offset: int

    @property
    def count(self) -> int:
        """How many values the shape declares."""
        count = 1
        for dim in self.shape:
            count *= dim
        return count

    @property
    def nbytes(self) -> int:
        """How many data bytes the header declares."""
        return self.count * int(self.dtype.itemsize)


@dataclass(frozen=True)
class StoredArray:
    """An array whose header has been read and checked; :meth:`read` reads its data."""

    name: str  # as messages show it: quoted, escaped (or a member's place in its archive)
    header: NpyHeader
    reader: Callable[[], bytes | memoryview]
    member: str | None = None  # the same, for an .npz member

    def read(self) -> Any:
        """The array (read-only), after reading exactly the bytes its header declares."""
        import numpy as np

        header = self.header
        try:
            data = self.reader()
        except ArrayFileError as exc:
            raise ArrayFileError(exc.reason, self.member) from None
        if len(data) < header.nbytes:
            raise ArrayFileError(
                "is a truncated .npy file (less data than its header says)", self.member
            )
        flat = np.frombuffer(data, dtype=header.dtype, count=header.count)
        if header.dtype.kind == "b":  # any nonzero byte is True, as numpy reads it
            flat = flat.view(np.uint8) != 0
        if header.fortran_order:
            return flat.reshape(header.shape[::-1]).T
        return flat.reshape(header.shape)


def read_npy_header(read: Callable[[int], bytes | memoryview]) -> NpyHeader:
    """The header of the ``.npy`` data that ``read(n)`` returns, checked, reading no data."""
    head = bytes(read(10))
    if not head.startswith(NPY_MAGIC):
        if head.startswith(ZIP_MAGIC):
            raise ArrayFileError("is a zip archive (an .npz), not an .npy file")
        raise ArrayFileError("is not an .npy file (wrong signature)")
    if len(head) < 10:
        raise ArrayFileError("is a truncated .npy file (it ends in its header)")
    major, minor = head[6], head[7]
    if (major, minor) == (1, 0):
        (length,) = struct.unpack("<H", head[8:10])
        offset = 10
    elif (major, minor) == (2, 0):
        rest = bytes(read(2))
        if len(rest) < 2:
            raise ArrayFileError("is a truncated .npy file (it ends in its header)")
        (length,) = struct.unpack("<I", head[8:10] + rest)
        offset = 12
    else:
        raise ArrayFileError(f"is an .npy file of format version {major}.{minor}; use 1.0")
    if length > MAX_HEADER_BYTES:
        raise ArrayFileError(
            f"is not a valid .npy file (a header of {length:,} bytes; at most {MAX_HEADER_BYTES:,})"
        )
    raw = bytes(read(length))
    if len(raw) < length:
        raise ArrayFileError("is a truncated .npy file (it ends in its header)")
    shape, fortran_order, dtype = _numpy_header(head[8:offset] + raw, (major, minor))
    return NpyHeader(shape, _plain(dtype), fortran_order, offset + length)


def open_npy(file: BinaryIO, size: int, name: str, max_values: int | None = None) -> StoredArray:
    """The array of the open ``.npy`` file ``file`` of ``size`` bytes, its header checked
    (at most ``max_values`` values, else :class:`TooManyValues`; then against the file's
    size); its data is read by :meth:`StoredArray.read`."""
    file.seek(0)
    header = read_npy_header(file.read)
    if max_values is not None and header.count > max_values:
        raise TooManyValues(header.count)
    if header.nbytes > size - header.data_offset:
        raise ArrayFileError("is a truncated .npy file (less data than its header says)")

    def reader() -> memoryview:
        file.seek(header.data_offset)
        return _read_upto(file, header.nbytes)

    return StoredArray(name, header, reader)


def open_npz(
    file: BinaryIO,
    size: int,
    label: Callable[[int, str], str],
    max_values: int | None = None,
) -> list[StoredArray]:
    """The arrays of the open ``.npz`` file ``file`` of ``size`` bytes, in archive order,
    each checked from the zip directory and its ``.npy`` header; no data is read. The
    headers may declare at most ``max_values`` values in all (else
    :class:`TooManyValues`, as soon as one goes over).

    ``label(index, name)`` is how messages show a member (its quoted name, or its place
    in the archive where its name must not be shown); it is the array's ``name``."""
    file.seek(0)
    if file.read(6) == NPY_MAGIC:
        raise ArrayFileError("is an .npy file, not an .npz archive")
    directory = _directory_size(file, size)
    if directory > MAX_ZIP_DIRECTORY:
        raise ArrayFileError(
            f"has a zip directory of {directory:,} bytes; an .npz holds at most "
            f"{MAX_ZIP_DIRECTORY:,} (MAX_ZIP_DIRECTORY)"
        )
    try:
        archive = zipfile.ZipFile(file)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, *_ZIP_ERRORS):
        raise ArrayFileError("is not a valid .npz file (a damaged or foreign zip)") from None
    found: list[StoredArray] = []
    seen: set[str] = set()
    total = 0
    for index, info in enumerate(members):
        member = label(index, info.filename)
        _check_member(info, size, member)
        if info.filename in seen:
            raise ArrayFileError("is in the archive twice", member)
        seen.add(info.filename)
        header = _member_header(archive, info, member)
        total += header.count
        if max_values is not None and total > max_values:
            raise TooManyValues(total)
        found.append(StoredArray(member, header, _member_reader(archive, info, header), member))
    return found


# --------------------------------------------------------------------------- the header


_NUMPY_SAYS = {
    "shape is not valid": "its shape is not a tuple of sizes",
    "fortran_order is not a valid bool": "fortran_order is not True or False",
    "descr is not a valid dtype": "its dtype is not a type name",
}


def _numpy_header(data: bytes, version: tuple[int, int]) -> tuple[tuple[int, ...], bool, Any]:
    """(shape, fortran_order, dtype) of an ``.npy`` header (its length field and text),
    read by numpy; anything it cannot take is an :class:`ArrayFileError` that quotes
    nothing of the header (numpy's own messages do)."""
    import io
    import warnings

    import numpy as np

    reader = (
        np.lib.format.read_array_header_1_0
        if version == (1, 0)
        else np.lib.format.read_array_header_2_0
    )
    try:
        with warnings.catch_warnings():  # a Python 2 header is read with a warning
            warnings.simplefilter("ignore")
            shape, fortran_order, dtype = reader(io.BytesIO(data), max_header_size=MAX_HEADER_BYTES)
    except Exception as exc:  # whatever numpy's reader (ast, tokenize) raises on junk
        # numpy names the field it refuses (wording only: any other text reads as junk).
        what = "its header does not parse"
        for start, said in _NUMPY_SAYS.items():
            if str(exc).startswith(start):
                what = said
        raise ArrayFileError(f"is not a valid .npy file ({what})") from None
    if len(shape) > MAX_DIMS:
        raise ArrayFileError(f"has more than {MAX_DIMS} dimensions")
    if any(dim < 0 for dim in shape):
        raise ArrayFileError("is not a valid .npy file (its shape is not a tuple of sizes)")
    return tuple(int(dim) for dim in shape), bool(fortran_order), dtype


def _plain(dtype: Any) -> Any:
    """``dtype`` if it is a plain boolean, integer or float of at most 64 bits, else
    why it is refused."""
    kind, size = dtype.kind, dtype.itemsize
    if kind == "O" or dtype.fields is not None or dtype.subdtype is not None or kind == "V":
        raise ArrayFileError(RECORDS)
    if kind in _OTHER_KINDS:
        raise ArrayFileError(f"must hold real numbers, not {_OTHER_KINDS[kind]}")
    if kind == "f" and size > 8:  # float128, long double
        raise ArrayFileError(
            f"holds float{size * 8} values; nnsvg reads floats of at most 64 bits "
            "(save it as float64)"
        )
    if kind not in _SIZES or size not in _SIZES[kind]:
        raise ArrayFileError("is not a valid .npy file (an unknown dtype)")
    return dtype


# --------------------------------------------------------------------------- the archive

# What zipfile raises on a damaged directory or member, besides BadZipFile.
_ZIP_ERRORS = (
    ValueError,
    EOFError,
    OSError,
    struct.error,
    OverflowError,
    NotImplementedError,
    RuntimeError,
    IndexError,
    KeyError,
    zlib.error,
)


def _directory_size(file: BinaryIO, size: int) -> int:
    """The size of the zip directory, as the end records declare it (the largest they
    declare), read the way zipfile finds them; 0 when there is no end record (zipfile
    then says the file is no zip)."""
    tail_size = min(size, 22 + 65535 + 20 + 56)
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return 0
    (declared,) = struct.unpack("<I", tail[at + 12 : at + 16])
    locator = at - 20
    if locator >= 56 and tail[locator : locator + 4] == b"PK\x06\x07":
        record = locator - 56
        if tail[record : record + 4] == b"PK\x06\x06":
            (declared64,) = struct.unpack("<Q", tail[record + 40 : record + 48])
            declared = max(declared, declared64)
    return declared


def _check_member(info: zipfile.ZipInfo, size: int, member: str) -> None:
    """What the zip directory says of one member: refuse before reading it."""
    if info.is_dir():
        raise ArrayFileError("is a folder, not an array", member)
    if info.flag_bits & 0x1:
        raise ArrayFileError("is encrypted; nnsvg reads unencrypted archives only", member)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ArrayFileError(
            f"is compressed with method {info.compress_type}; nnsvg reads stored or "
            "deflated members (as numpy writes them)",
            member,
        )
    if not info.filename.endswith(".npy"):
        raise ArrayFileError("is not an .npy array (an .npz holds .npy members only)", member)
    packed, unpacked = info.compress_size, info.file_size
    if info.header_offset + 30 + packed > size:
        raise ArrayFileError("runs past the end of the archive (a truncated .npz)", member)
    if info.compress_type == zipfile.ZIP_STORED and packed != unpacked:
        raise ArrayFileError(
            f"declares {unpacked:,} bytes stored in {packed:,} (a forged zip directory)", member
        )
    if unpacked > packed * _DEFLATE_RATIO + _DEFLATE_SLACK:
        raise ArrayFileError(
            f"declares {unpacked:,} bytes packed into {packed:,}, more than deflate can "
            "pack (a forged zip directory)",
            member,
        )


def _member_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, member: str) -> NpyHeader:
    """A member's ``.npy`` header, decompressing its first bytes only; its declared data
    size must be the member's size."""
    try:
        with archive.open(info) as stream:
            header = read_npy_header(lambda n: _read_upto(stream, n))
    except ArrayFileError as exc:
        raise ArrayFileError(exc.reason, member) from None
    except (zipfile.BadZipFile, *_ZIP_ERRORS) as exc:  # a small member is read whole
        raise ArrayFileError(_damage(exc), member) from None
    expected = header.data_offset + header.nbytes
    if info.file_size < expected:
        raise ArrayFileError("is a truncated .npy file (less data than its header says)", member)
    if info.file_size > expected:
        raise ArrayFileError(
            f"holds {info.file_size - expected:,} bytes more than its header declares", member
        )
    return header


def _member_reader(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, header: NpyHeader
) -> Callable[[], bytes]:
    def reader() -> memoryview:
        # Reading to the member's declared end makes zipfile check its CRC.
        try:
            with archive.open(info) as stream:
                data = _read_upto(stream, header.data_offset + header.nbytes)
        except (zipfile.BadZipFile, *_ZIP_ERRORS) as exc:
            raise ArrayFileError(_damage(exc)) from None
        return data[header.data_offset :]

    return reader


def _damage(exc: BaseException) -> str:
    """What zipfile found wrong in a member, in nnsvg's words (zipfile's quote names)."""
    if isinstance(exc, zipfile.BadZipFile) and "CRC" in str(exc):
        return "fails its checksum (CRC): the archive is damaged"
    return "is damaged (it does not decompress)"


def _read_upto(stream: Any, n: int) -> memoryview:
    """Up to ``n`` bytes of ``stream`` (fewer only at its end), read into one buffer in
    chunks: the peak is ``n`` bytes and one chunk, never twice ``n``."""
    buffer = bytearray(n)
    view = memoryview(buffer)
    got = 0
    while got < n:
        chunk = stream.read(min(n - got, _CHUNK))
        if not chunk:
            break
        view[got : got + len(chunk)] = chunk
        got += len(chunk)
    return view[:got]
