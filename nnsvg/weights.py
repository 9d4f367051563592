"""Edge weights: read from weight files, or seeded random ones for demos.

A :class:`WeightSet` answers, for layer pair ``i``, the weights of the edges
between the drawn source units and the drawn target units; a bias unit (unit
``-1``) takes its weights from the bias vector after the pair's matrix.

Files: a ``.npz`` holds the matrices in order, each optionally followed by a
1-D bias vector (PyTorch's ``state_dict`` order, ``fc1.weight, fc1.bias, ...``);
``.npy`` and ``.csv`` files hold one matrix each, listed in order. A matrix is
``[units_in, units_out]`` or its transpose (``[out, in]``, as PyTorch stores
it); a square matrix is read as ``[in, out]``.

Weight files are data a spec names, read under the rules images follow: they must lie
(symbolic links resolved) inside the spec's folder or the project's folder unless
``allow_outside``; they must be regular files (never a FIFO, a device or a file under
``/proc``); ``.npy`` and ``.npz`` are read by :mod:`nnsvg.array_files`, which checks
every size a header or zip directory declares before reading data, so the value limit
(:data:`MAX_WEIGHT_VALUES`) is enforced before memory is spent, and the shapes are
matched to the layers before any data is read. An error about a file never quotes its
content, except a short escaped excerpt of a CSV value or an ``.npz`` member's name,
and only when the file lies inside the spec's or the project's folder.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import random
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnsvg.array_files import (
    ArrayFileError,
    NpyHeader,
    StoredArray,
    TooManyValues,
    open_npy,
    open_npz,
)
from nnsvg.checker import printable
from nnsvg.errors import LimitError, Location, SpecError
from nnsvg.safe_files import FileRefused, confine, open_regular

__all__ = [
    "MAX_CSV_BYTES",
    "MAX_WEIGHT_VALUES",
    "MatrixWeights",
    "RandomWeights",
    "WeightSet",
    "load_weights",
]

MAX_WEIGHT_VALUES = 50_000_000
"""Most values all the weight files of a spec may hold (checked from their headers)."""
MAX_CSV_BYTES = 64 * 1024 * 1024
"""Largest ``.csv`` weight file read, in bytes."""
EXCERPT_CHARS = 40
"""Longest excerpt of a file's content a message shows (escaped, files inside only)."""

# A number as numpy's loadtxt reads one, to say which value of a CSV line is not one.
_NUMBER = re.compile(
    r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)", re.IGNORECASE
)


class WeightSet:
    """Weights of the drawn edges, per layer pair."""

    def pair_values(self, pair: int, sources: list[int], targets: list[int]) -> list[float]:
        """Weights of edges ``sources[s] -> targets[t]``, in the order ``s * len(targets) + t``.

        A source unit of -1 is the bias unit of the pair's first layer."""
        raise NotImplementedError


@dataclass(frozen=True)
class RandomWeights(WeightSet):
    """Uniform weights in [-1, 1] from a seeded generator: the same seed, the same figure."""

    seed: int = 0

    def pair_values(self, pair: int, sources: list[int], targets: list[int]) -> list[float]:
        rng = random.Random(f"nnsvg:{self.seed}:{pair}")
        return [rng.uniform(-1.0, 1.0) for _ in range(len(sources) * len(targets))]


@dataclass(frozen=True)
class MatrixWeights(WeightSet):
    """Weights from files: ``matrices[i]`` is ``[in, out]``, ``biases[i]`` the pair's bias."""

    matrices: tuple[Any, ...]
    biases: tuple[Any | None, ...]

    def pair_values(self, pair: int, sources: list[int], targets: list[int]) -> list[float]:
        matrix = self.matrices[pair]
        bias = self.biases[pair]
        out: list[float] = []
        for s in sources:
            if s < 0:
                row = bias if bias is not None else None
                out.extend(float(row[t]) if row is not None else 0.0 for t in targets)
            else:
                values = matrix[s]
                out.extend(float(values[t]) for t in targets)
        return out


@dataclass(frozen=True)
class _Parsed:
    """A CSV matrix, parsed already (a CSV has no header to check first)."""

    name: str
    header: NpyHeader
    array: Any

    def read(self) -> Any:
        return self.array


@dataclass(frozen=True)
class _Source:
    """One weight file as messages name it, and whether they may quote its content."""

    shown: str  # the path as the spec writes it, escaped
    quote: bool  # it lies inside the spec's or the project's folder


def _err(message: str, location: Location | None) -> SpecError:
    return SpecError(message, location=location, field="weights")


def _excerpt(text: str) -> str:
    """``text`` quoted for a message: escaped, and cut to :data:`EXCERPT_CHARS`."""
    shown = printable(text)
    if len(shown) > EXCERPT_CHARS:
        shown = shown[: EXCERPT_CHARS - 1] + "…"
    return f"'{shown}'"


def _file_error(source: _Source, exc: ArrayFileError) -> str:
    if exc.member is not None:
        return f"weight file {source.shown}: member {exc.member} {exc.reason}"
    return f"weight file {source.shown} {exc.reason}"


def _too_many(location: Location | None) -> LimitError:
    return LimitError(
        f"weight files hold more than {MAX_WEIGHT_VALUES:,} values (MAX_WEIGHT_VALUES); "
        "that is more than a figure can show",
        location=location,
        field="weights",
    )


def _open_weight_file(
    name: str,
    folders: list[Path],
    allow_outside: bool,
    budget: int,
    location: Location | None,
    stack: contextlib.ExitStack,
) -> tuple[_Source, list[StoredArray | _Parsed]]:
    """The arrays of one weight file, headers read and checked (at most ``budget``
    values), data not yet read (the file stays open on ``stack``)."""
    shown = printable(name)
    suffix = Path(name).suffix.lower()
    if suffix not in (".npz", ".npy", ".csv"):
        raise _err(f"unsupported weight file {shown}: use .npz, .npy or .csv", location)
    if "\x00" in name:
        raise _err(f"weight file {shown}: the name holds a NUL character", location)
    path = Path(name)
    if not path.is_absolute():
        path = folders[0] / path
    try:  # inside the folders, links resolved
        real, quote = confine(path, folders), True
    except FileRefused:
        if not allow_outside:
            where = (
                "the spec's folder and the project's folder"
                if len(folders) > 1
                else "the spec's folder; nnsvg reads only files beside the spec"
            )
            raise _err(
                f"weight file {shown} is outside {where} (use --allow-outside to permit)",
                location,
            ) from None
        real, quote = os.path.realpath(path), False  # read, but never quoted
    source = _Source(shown, quote)
    try:
        file, info = open_regular(real)
    except FileRefused as exc:
        if str(exc) == "no such file":
            raise _err(f"weight file {shown} not found", location) from None
        raise _err(f"cannot read weight file {shown}: {exc}", location) from None
    stack.enter_context(file)
    try:
        if suffix == ".npz":
            arrays: list[StoredArray | _Parsed] = list(
                open_npz(file, info.st_size, _member_label(source), budget)
            )
            if not arrays:
                raise _err(f"weight file {shown} holds no arrays", location)
            if not quote:  # "#2" alone would not say of which file
                arrays = [dataclasses.replace(a, name=f"{a.name} of {shown}") for a in arrays]
            return source, arrays
        if suffix == ".npy":
            label = f"'{printable(path.name)}'"
            return source, [open_npy(file, info.st_size, label, budget)]
        if info.st_size > MAX_CSV_BYTES:
            raise LimitError(
                f"weight file {shown} is {info.st_size:,} bytes; CSV weight files are "
                f"limited to {MAX_CSV_BYTES:,} (MAX_CSV_BYTES)",
                location=location,
                field="weights",
            )
        data = file.read(MAX_CSV_BYTES + 1)
        matrix = _parse_csv(data, source, location)
        header = NpyHeader(matrix.shape, matrix.dtype, False, 0)
        return source, [_Parsed(f"'{printable(path.name)}'", header, matrix)]
    except TooManyValues:
        raise _too_many(location) from None
    except ArrayFileError as exc:
        raise _err(_file_error(source, exc), location) from None
    except (OSError, MemoryError) as exc:
        reason = exc.strerror.lower() if isinstance(exc, OSError) and exc.strerror else "too large"
        raise _err(f"cannot read weight file {shown}: {reason}", location) from None


def _member_label(source: _Source) -> Any:
    """How messages name an ``.npz`` member: its name (as numpy does, without ``.npy``)
    when the file's content may be quoted, else its place in the archive."""

    def label(index: int, filename: str) -> str:
        if source.quote:
            return _excerpt(filename[: -len(".npy")] if filename.endswith(".npy") else filename)
        return f"#{index + 1}"

    return label


def _parse_csv(data: bytes, source: _Source, location: Location | None) -> Any:
    """The matrix of a CSV weight file; a problem names its line, never numpy's words
    (which quote the file)."""
    import numpy as np

    if len(data) > MAX_CSV_BYTES:  # grew since the stat
        raise LimitError(
            f"weight file {source.shown} is larger than {MAX_CSV_BYTES:,} bytes (MAX_CSV_BYTES)",
            location=location,
            field="weights",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _err(f"weight file {source.shown}, line {line}: not UTF-8 text", location) from None
    try:
        with warnings.catch_warnings():  # numpy warns of an empty file: said below
            warnings.simplefilter("ignore")
            matrix = np.loadtxt(io.StringIO(text), delimiter=",", ndmin=2, dtype=float)
    except (ValueError, TypeError, OverflowError):
        raise _err(f"weight file {source.shown}{_csv_problem(text, source)}", location) from None
    if matrix.size == 0:
        raise _err(f"weight file {source.shown} holds no numbers", location)
    return matrix


def _csv_problem(text: str, source: _Source) -> str:
    """Where and why ``text`` is not a table of numbers, for a message after the name."""
    width = None
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split("#", 1)[0]
        if not fields.strip():
            continue
        values = fields.split(",")
        for column, value in enumerate(values, start=1):
            value = value.strip()
            if not value:
                return f", line {number}: value {column} is empty"
            if not _NUMBER.fullmatch(value):
                what = _excerpt(value) if source.quote else f"value {column}"
                return f", line {number}: {what} is not a number"
        if width is None:
            width = len(values)
        elif len(values) != width:
            count = f"{len(values)} value{'s' if len(values) != 1 else ''}"
            return f", line {number} has {count}; the lines above have {width}"
    return " is not a table of comma-separated numbers"


def load_weights(
    paths: tuple[str, ...],
    units: list[int],
    bias: list[bool],
    base_dir: Path,
    location: Location | None,
    *,
    allow_outside: bool = False,
    project_dir: Path | None = None,
) -> MatrixWeights:
    """Read and check weight files for layers of ``units`` (one matrix per pair).

    Files are looked for relative to ``base_dir`` (the spec's folder) and must lie in it
    or in ``project_dir`` unless ``allow_outside``. Every header is read and checked
    (sizes, shapes, types) before any data is read."""
    folders = [Path(base_dir)] + ([Path(project_dir)] if project_dir is not None else [])
    with contextlib.ExitStack() as stack:
        arrays: list[tuple[_Source, StoredArray | _Parsed]] = []
        total = 0
        for name in paths:
            budget = MAX_WEIGHT_VALUES - total
            source, found = _open_weight_file(name, folders, allow_outside, budget, location, stack)
            for arr in found:
                total += arr.header.count
                if total > MAX_WEIGHT_VALUES:  # a CSV, counted once parsed
                    raise _too_many(location)
                arrays.append((source, arr))
        plan = _match(arrays, units, location)
        matrices: list[Any] = []
        biases: list[Any | None] = []
        for (msource, matrix, transposed), vector in plan:
            values = _values(msource, matrix, "matrix", location)
            matrices.append(values.T if transposed else values)
            biases.append(None if vector is None else _values(*vector, "bias vector", location))
    return MatrixWeights(tuple(matrices), tuple(biases))


def _match(
    arrays: list[tuple[_Source, StoredArray | _Parsed]],
    units: list[int],
    location: Location | None,
) -> list[tuple[tuple[_Source, Any, bool], tuple[_Source, Any] | None]]:
    """Each layer pair's matrix (and whether it is stored transposed) and bias vector,
    decided from the arrays' headers alone."""
    pairs = len(units) - 1
    plan: list[tuple[tuple[_Source, Any, bool], tuple[_Source, Any] | None]] = []
    k = 0
    for pair in range(pairs):
        # The next 2-D array is this pair's matrix; skip nothing silently.
        if k >= len(arrays):
            raise _err(
                f"the weights hold {len(plan)} matri{'x' if len(plan) == 1 else 'ces'}; "
                f"{pairs} are needed, one per pair of neighbouring layers",
                location,
            )
        source, arr = arrays[k]
        k += 1
        name, shape = arr.name, arr.header.shape
        n_in, n_out = units[pair], units[pair + 1]
        if len(shape) != 2:
            raise _err(
                f"array {name} should be the {n_in}×{n_out} matrix of layers "
                f"{pair}→{pair + 1}, but it has {len(shape)} dimension(s)",
                location,
            )
        if shape == (n_in, n_out):
            transposed = False
        elif shape == (n_out, n_in):
            transposed = True
        else:
            raise _err(
                f"matrix {name} has shape {shape[0]}×{shape[1]}; layers "
                f"{pair}→{pair + 1} need {n_in}×{n_out} (or its transpose)",
                location,
            )
        if arr.header.dtype.kind not in "iuf":
            raise _err(f"matrix {name} must hold real numbers", location)
        vector = None
        if k < len(arrays) and len(arrays[k][1].header.shape) == 1:
            bsource, barr = arrays[k]
            k += 1
            if barr.header.dtype.kind not in "iuf":
                raise _err(f"bias vector {barr.name} must hold real numbers", location)
            if barr.header.shape[0] != n_out:
                raise _err(
                    f"bias vector {barr.name} has {barr.header.shape[0]} values; layer "
                    f"{pair + 1} has {n_out} units",
                    location,
                )
            vector = (bsource, barr)
        plan.append(((source, arr, transposed), vector))
    if k < len(arrays):
        raise _err(
            f"the weights hold {len(arrays) - k} more array(s) than the {pairs} layer pair(s) "
            f"need (first extra: {arrays[k][1].name})",
            location,
        )
    return plan


def _values(
    source: _Source, arr: StoredArray | _Parsed, what: str, location: Location | None
) -> Any:
    """The data of ``arr`` as float64, read now, every value finite."""
    import numpy as np

    try:
        values = np.asarray(arr.read(), dtype=float)
    except ArrayFileError as exc:
        raise _err(_file_error(source, exc), location) from None
    except (OSError, MemoryError) as exc:
        reason = exc.strerror.lower() if isinstance(exc, OSError) and exc.strerror else "too large"
        raise _err(f"cannot read weight file {source.shown}: {reason}", location) from None
    if not np.all(np.isfinite(values)):
        raise _err(f"{what} {arr.name} holds NaN or infinite values", location)
    return values
