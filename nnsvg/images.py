"""Images shown on feature maps, read once before layout and embedded as data URIs.

A layer's ``image`` names a ``.png``, ``.jpg``/``.jpeg`` or ``.npy`` file beside the
spec. PNG and JPEG files are checked by hand (signature and header, never decoded) and
embedded byte for byte; an ``.npy`` array (an activation map, say) is scaled min..max to
0..255 and encoded here as a PNG with ``zlib`` and ``struct``, so the same array gives
the same bytes on every run. Pillow is not needed at run time.

Every problem, whatever raised it underneath, comes out as a :class:`SpecError` (or a
:class:`LimitError` for a size limit) carrying the caller's location.
"""

from __future__ import annotations

import base64
import os
import re
import stat
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from nnsvg.array_files import ArrayFileError, TooManyValues, open_npy
from nnsvg.checker import printable
from nnsvg.errors import LimitError, Location, SpecError
from nnsvg.render.png import PNG_SIGNATURE, png_file
from nnsvg.safe_files import FileRefused, open_regular
from nnsvg.safe_files import inside as inside_folder  # the rule: resolved path inside the folder

__all__ = [
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "MAX_IMAGE_SIDE",
    "MAX_NPY_VALUES",
    "EmbeddedImage",
    "encode_png",
    "inside_folder",
    "load_image",
]

MAX_IMAGE_BYTES = 20 * 1024 * 1024
"""Largest image file read, in bytes (PNG and JPEG are embedded as they are)."""
MAX_IMAGE_SIDE = 4096
"""Largest width or height, in pixels."""
MAX_IMAGE_PIXELS = 16 * 1024 * 1024
"""Largest width × height, in pixels."""
MAX_NPY_VALUES = 16 * 1024 * 1024
"""Most values an ``.npy`` image may hold (checked from its header, before reading)."""

KINDS = ".png, .jpg/.jpeg or .npy"

# Allowed bit depths per PNG colour type (PNG spec, table 11.1).
_PNG_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
# JPEG markers without a length field: TEM and RST0..RST7.
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})
# Frame headers browsers decode: baseline, extended sequential, progressive (Huffman).
_JPEG_SOF_SHOWN = frozenset({0xC0, 0xC1, 0xC2})
# The other SOFn: lossless, hierarchical, arithmetic coding.
_JPEG_SOF_OTHER = frozenset({0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
# A URL scheme of two or more letters ("C:" alone is a Windows drive, not a URL).
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")


@dataclass(frozen=True, slots=True)
class EmbeddedImage:
    """An image ready for the SVG: a ``data:`` URI and its size in pixels."""

    uri: str
    width: int
    height: int


class _Bad(Exception):
    """A reason a file is not a valid image; becomes a SpecError in load_image."""


class _TooBig(_Bad):
    """A size limit a file goes over; becomes a LimitError in load_image."""


def load_image(
    path: str,
    base_dir: Path,
    location: Location | None,
    *,
    allow_outside: bool = False,
    field: str | None = None,
) -> EmbeddedImage:
    """Read the image ``path`` (relative to ``base_dir``, the spec's folder) for embedding.

    The file must resolve (following symlinks) inside ``base_dir`` unless
    ``allow_outside``. Errors carry ``location`` and ``field`` (``layers[2].image``).
    """

    def err(message: str) -> SpecError:
        return SpecError(message, location=location, field=field)

    def limit(message: str) -> LimitError:
        return LimitError(message, location=location, field=field)

    if not path:
        raise err("image path is empty")
    name = _quote(path)  # the path as messages show it: one line, no control codes
    if _URL.match(path):
        raise err(f"image must be a local file path, got a URL: {name}")
    if "\x00" in path:
        raise err("image path contains a NUL character")

    base_real = os.path.realpath(base_dir)
    real = os.path.realpath(os.path.join(base_real, path))
    if not allow_outside and not inside_folder(real, base_real):
        raise err(
            f"image {name} is outside the spec's folder; nnsvg reads only files beside "
            "the spec (use --allow-outside to permit)"
        )

    suffix = Path(path).suffix.lower()
    if suffix not in (".png", ".jpg", ".jpeg", ".npy"):
        shown = f"'{suffix}'" if suffix else "no extension"
        raise err(f"image {name} has {shown}; use a {KINDS} file")

    try:
        info = os.stat(real)
    except FileNotFoundError:
        raise err(f"image {name} not found (looked for {printable(real)})") from None
    except OSError as exc:
        raise err(f"cannot read image {name}: {_reason(exc)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise err(f"image {name} is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise err(f"image {name} is not a regular file")
    if info.st_size > MAX_IMAGE_BYTES:
        raise limit(
            f"image {name} is {_mib(info.st_size)}; image files are limited to "
            f"{_mib(MAX_IMAGE_BYTES)} (MAX_IMAGE_BYTES)"
        )

    def check_size(width: int, height: int) -> None:
        if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
            raise limit(
                f"image {name} is {width}×{height} pixels; at most "
                f"{MAX_IMAGE_SIDE}×{MAX_IMAGE_SIDE} and {MAX_IMAGE_PIXELS:,} pixels "
                "can be embedded"
            )

    try:
        try:
            file, opened = open_regular(real)  # not a FIFO swapped in since the stat
        except FileRefused as exc:
            raise err(f"cannot read image {name}: {exc}") from None
        with file:
            if suffix == ".npy":
                return _load_npy(file, opened.st_size, check_size)
            try:
                data = file.read(MAX_IMAGE_BYTES + 1)
            except OSError as exc:
                raise err(f"cannot read image {name}: {_reason(exc)}") from None
        if len(data) > MAX_IMAGE_BYTES:  # grew since the stat
            raise limit(f"image {name} is larger than {_mib(MAX_IMAGE_BYTES)} (MAX_IMAGE_BYTES)")
        # Trust the content over the extension between PNG and JPEG: the MIME type
        # then matches the bytes and the figure shows either way.
        if data.startswith(PNG_SIGNATURE) or (suffix == ".png" and not _is_jpeg(data)):
            width, height = _png_size(data, check_size)
            mime = "image/png"
        else:
            width, height = _jpeg_size(data, check_size)
            mime = "image/jpeg"
        return EmbeddedImage(_data_uri(mime, data), width, height)
    except _TooBig as exc:
        raise limit(f"image {name} {exc}") from None
    except _Bad as exc:
        raise err(f"image {name} {exc}") from None
    except MemoryError:
        raise err(f"image {name} is too large to read") from None
    except (OSError, ValueError, EOFError, TypeError, OverflowError) as exc:
        # numpy's reader, or anything else underneath: one short reason.
        raise err(f"cannot read image {name}: {_reason(exc)}") from None
    except (struct.error, zlib.error, IndexError) as exc:  # pragma: no cover - safety net
        raise err(f"image {name} is corrupt ({_reason(exc)})") from None


def encode_png(pixels: Any) -> bytes:
    """A PNG of ``pixels``: a uint8 array (h, w) grey, (h, w, 3) RGB or (h, w, 4) RGBA.

    Filter type 0 on every row, one IDAT at zlib level 9, no ancillary chunks: the same
    pixels give the same bytes every time.
    """
    import numpy as np

    arr = np.ascontiguousarray(pixels, dtype=np.uint8)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3 or arr.shape[2] not in (1, 3, 4) or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"cannot encode pixels of shape {arr.shape} as PNG")
    height, width, channels = arr.shape
    color_type = {1: 0, 3: 2, 4: 6}[channels]
    rows = arr.reshape(height, width * channels)
    raw = np.concatenate([np.zeros((height, 1), dtype=np.uint8), rows], axis=1).tobytes()
    return png_file(width, height, color_type, zlib.compress(raw, 9))


def _quote(text: str) -> str:
    return f"'{printable(text)}'"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB" if size % (1024 * 1024) else f"{size >> 20} MiB"


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _is_jpeg(data: bytes) -> bool:
    return data[:3] == b"\xff\xd8\xff"


def _png_size(data: bytes, check_size: Any) -> tuple[int, int]:
    """Width and height from a PNG's IHDR, after checking the chunk structure."""
    if not data.startswith(PNG_SIGNATURE):
        raise _Bad("is not a PNG file (wrong signature)")
    if len(data) < 33:  # signature + IHDR chunk (8 + 13 + 4)
        raise _Bad("is not a complete PNG file (it ends before the IHDR header)")
    length, kind = struct.unpack(">I4s", data[8:16])
    if kind != b"IHDR" or length != 13:
        raise _Bad("is not a valid PNG file (no IHDR header first)")
    width, height, depth, color, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", data[16:29]
    )
    (crc,) = struct.unpack(">I", data[29:33])
    if zlib.crc32(data[12:29]) & 0xFFFFFFFF != crc:
        raise _Bad("is a corrupt PNG file (IHDR checksum mismatch)")
    if width == 0 or height == 0 or width >= 2**31 or height >= 2**31:
        raise _Bad(f"is not a valid PNG file (size {width}×{height})")
    if depth not in _PNG_DEPTHS.get(color, ()) or compression or filtering or interlace > 1:
        raise _Bad("is not a valid PNG file (unknown colour type, depth or method)")
    check_size(width, height)

    # Walk the chunks: every length fits, critical CRCs match, a palette comes before
    # the image data where the colour type needs one, the image data is one run of
    # IDAT chunks, and IEND closes it (bytes after IEND are ignored).
    pos, idat, palette, after_idat = 33, [], False, False
    view = memoryview(data)
    while True:
        if pos + 12 > len(data):
            raise _Bad("is a truncated PNG file (no IEND chunk)")
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        name = printable(kind.decode("latin-1"))
        if length >= 2**31 or end > len(data):
            raise _Bad(f"is a truncated PNG file (chunk {name} runs past the end)")
        if kind[0:1].isupper():  # critical chunk
            (crc,) = struct.unpack(">I", data[end - 4 : end])
            if zlib.crc32(view[pos + 4 : end - 4]) & 0xFFFFFFFF != crc:
                raise _Bad(f"is a corrupt PNG file (checksum mismatch in {name})")
        if kind == b"IDAT":
            if after_idat:
                raise _Bad("is not a valid PNG file (its IDAT chunks are not in one run)")
            idat.append(view[pos + 8 : end - 4])
        elif idat:
            after_idat = True
        if kind == b"IEND":
            break
        if kind == b"IHDR":
            raise _Bad("is not a valid PNG file (a second IHDR header)")
        if kind == b"PLTE" and not idat:
            palette = length % 3 == 0 and 3 <= length <= 768
        pos = end
    if not idat:
        raise _Bad("is not a valid PNG file (no image data)")
    if color == 3 and not palette:
        raise _Bad("is not a valid PNG file (no valid palette before its image data)")
    _check_png_pixels(idat, width, height, depth, color, interlace)
    return width, height


# Samples per pixel of each PNG colour type, and the passes of Adam7 interlacing
# (x0, y0, dx, dy).
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_ADAM7 = (
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
)
_INFLATE_CHUNK = 1 << 20


def _png_rows(width: int, height: int, depth: int, color: int, interlace: int) -> list[int]:
    """The length of each scanline a PNG's image data holds (filter byte included), in
    order: ``height`` equal rows, or those of each non-empty Adam7 pass."""
    bits = _PNG_CHANNELS[color] * depth
    if not interlace:
        return [1 + (width * bits + 7) // 8] * height
    rows: list[int] = []
    for x0, y0, dx, dy in _ADAM7:
        pass_width = (width - x0 + dx - 1) // dx if width > x0 else 0
        pass_height = (height - y0 + dy - 1) // dy if height > y0 else 0
        if pass_width and pass_height:
            rows.extend([1 + (pass_width * bits + 7) // 8] * pass_height)
    return rows


def _check_png_pixels(
    idat: list[memoryview], width: int, height: int, depth: int, color: int, interlace: int
) -> None:
    """Decompress a PNG's image data as a viewer will (in bounded pieces, keeping none):
    a complete zlib stream of exactly the scanlines the header declares, each starting
    with a known filter type. A PNG that fails this is embedded by no one: cairo
    would refuse it (with "out of memory") when the figure is drawn as PNG or PDF."""
    rows = _png_rows(width, height, depth, color, interlace)
    expected = sum(rows)
    inflater = zlib.decompressobj()
    produced = 0
    row, next_filter = 0, 0  # the scanline whose filter byte comes next, and its offset
    try:
        for piece in idat:
            pending: bytes | memoryview = piece
            while not inflater.eof:
                out = inflater.decompress(pending, _INFLATE_CHUNK)
                pending = inflater.unconsumed_tail
                if not out and not pending:
                    break  # this piece is used up, and zlib holds no output back
                if produced + len(out) > expected:
                    raise _Bad("is a corrupt PNG file (more image data than its size holds)")
                while row < len(rows) and next_filter < produced + len(out):
                    if out[next_filter - produced] > 4:
                        raise _Bad("is a corrupt PNG file (an unknown row filter)")
                    next_filter += rows[row]
                    row += 1
                produced += len(out)
    except zlib.error:
        raise _Bad("is a corrupt PNG file (its image data does not decompress)") from None
    if not inflater.eof:
        raise _Bad("is a truncated PNG file (its image data ends early)")
    if produced < expected:
        raise _Bad("is a corrupt PNG file (less image data than its size needs)")


def _jpeg_size(data: bytes, check_size: Any) -> tuple[int, int]:
    """Width and height from a JPEG's frame header (SOFn), walking the segments."""
    if data[:2] != b"\xff\xd8":
        raise _Bad("is not a JPEG file (no start-of-image marker)")
    pos = 2
    size: tuple[int, int] | None = None
    while True:
        if pos >= len(data):
            raise _Bad("is a truncated JPEG file (it ends before the image data)")
        if data[pos] != 0xFF:
            raise _Bad("is a corrupt JPEG file (bad segment marker)")
        while pos < len(data) and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= len(data):
            raise _Bad("is a truncated JPEG file")
        marker = data[pos]
        pos += 1
        if marker in _JPEG_STANDALONE:
            continue
        if marker == 0xD9:  # EOI
            break
        if pos + 2 > len(data):
            raise _Bad("is a truncated JPEG file")
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        if length < 2 or pos + length > len(data):
            raise _Bad("is a truncated or corrupt JPEG file (segment runs past the end)")
        if marker in _JPEG_SOF_SHOWN or marker in _JPEG_SOF_OTHER:
            if length < 8:
                raise _Bad("is a corrupt JPEG file (short frame header)")
            if marker in _JPEG_SOF_OTHER:
                raise _Bad(
                    "uses a lossless, hierarchical or arithmetic-coded JPEG that SVG viewers "
                    "do not show; save it as a baseline or progressive JPEG"
                )
            height, width = struct.unpack(">HH", data[pos + 3 : pos + 7])
            if width == 0 or height == 0:
                raise _Bad(f"is a JPEG with an unsupported size ({width}×{height})")
            check_size(width, height)
            size = (width, height)
        elif marker == 0xDA:  # SOS: entropy-coded data follows
            break
        pos += length
    if size is None:
        raise _Bad("is not a complete JPEG file (no frame header before the image data)")
    if marker != 0xDA:
        raise _Bad("is not a complete JPEG file (no image data)")
    return size


def _load_npy(file: BinaryIO, size: int, check_size: Any) -> EmbeddedImage:
    """An ``.npy`` array as a grey, RGB or RGBA PNG, scaled min..max to 0..255; its header
    (values, shape, size against the file's) is checked before any data is read."""
    import numpy as np

    try:
        stored = open_npy(file, size, "", MAX_NPY_VALUES)
    except TooManyValues as exc:
        raise _TooBig(
            f"holds {exc.count:,} values; at most {MAX_NPY_VALUES:,} (MAX_NPY_VALUES)"
        ) from None
    except ArrayFileError as exc:
        raise _Bad(exc.reason) from None
    shape = stored.header.shape
    width, height, channels, channel_first = _npy_geometry(shape)
    check_size(width, height)
    try:
        arr = stored.read()
    except ArrayFileError as exc:
        raise _Bad(exc.reason) from None

    if channel_first:
        arr = np.moveaxis(arr, 0, 2)  # (c, h, w) -> (h, w, c)
    arr = arr.reshape(height, width, channels)
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise _Bad("holds NaN or infinite values")
    with np.errstate(all="ignore"):
        values = arr.astype(np.float64)
    if not np.all(np.isfinite(values)):
        raise _Bad("holds values too large to show")
    lo, hi = float(values.min()), float(values.max())
    if hi == lo:
        pixels = np.full(values.shape, 128, dtype=np.uint8)
    else:
        with np.errstate(all="ignore"):
            span = hi - lo
            if np.isfinite(span):
                scaled = (values - lo) / span
            else:  # the range overflows float64: halve everything first
                scaled = (values * 0.5 - lo * 0.5) / (hi * 0.5 - lo * 0.5)
        pixels = np.clip(np.rint(scaled * 255.0), 0, 255).astype(np.uint8)
    if channels == 1:
        pixels = pixels[:, :, 0]
    return EmbeddedImage(_data_uri("image/png", encode_png(pixels)), width, height)


def _npy_geometry(shape: tuple[int, ...]) -> tuple[int, int, int, bool]:
    """(width, height, channels, channel_first) of an image array's shape, or _Bad."""
    channel_first = False
    if len(shape) == 2:
        height, width, channels = shape[0], shape[1], 1
    elif len(shape) == 3 and shape[0] in (1, 3) and shape[2] not in (1, 3):
        channels, height, width = shape  # channel-first, as PyTorch stores it
        channel_first = True
    elif len(shape) == 3 and shape[2] in (1, 3, 4):
        height, width, channels = shape
    else:
        raise _Bad(
            f"has shape {shape}; an image array must be (h, w) grey, (h, w, c) with c = 1, 3 "
            "or 4 (grey, RGB, RGBA) or (c, h, w) with c = 1 or 3"
        )
    if height == 0 or width == 0:
        raise _Bad(f"is an empty array (shape {shape})")
    return width, height, channels, channel_first
