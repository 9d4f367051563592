"""Edge weights: read from weight files, or seeded random ones for demos.

A :class:`WeightSet` answers, for layer pair ``i``, the weights of the edges
between the drawn source units and the drawn target units; a bias unit (unit
``-1``) takes its weights from the bias vector after the pair's matrix.

Files: a ``.npz`` holds the matrices in order, each optionally followed by a
1-D bias vector (PyTorch's ``state_dict`` order, ``fc1.weight, fc1.bias, ...``);
``.npy`` and ``.csv`` files hold one matrix each, listed in order. A matrix is
``[units_in, units_out]`` or its transpose (``[out, in]``, as PyTorch stores
it); a square matrix is read as ``[in, out]``.
"""

from __future__ import annotations

import random
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnsvg.errors import Location, SpecError

__all__ = ["MAX_WEIGHT_VALUES", "MatrixWeights", "RandomWeights", "WeightSet", "load_weights"]

MAX_WEIGHT_VALUES = 50_000_000


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


def _err(message: str, location: Location | None) -> SpecError:
    return SpecError(message, location=location, field="weights")


def _read_arrays(path: Path, location: Location | None) -> list[tuple[str, Any]]:
    """The named arrays of one weight file, in file order."""
    import numpy as np  # imported only when real weights are used

    suffix = path.suffix.lower()
    if not path.is_file():
        raise _err(f"weight file not found: {path}", location)
    try:
        if suffix == ".npz":
            with np.load(path, allow_pickle=False) as archive:
                return [(name, archive[name]) for name in archive.files]
        if suffix == ".npy":
            return [(path.name, np.load(path, allow_pickle=False))]
        if suffix == ".csv":
            with warnings.catch_warnings():  # numpy warns of an empty file: said below
                warnings.simplefilter("ignore")
                matrix = np.loadtxt(path, delimiter=",", ndmin=2, dtype=float)
            if matrix.size == 0:
                raise _err(f"weight file {path.name} holds no numbers", location)
            return [(path.name, matrix)]
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise _err(f"cannot read weight file {path.name}: {reason}", location) from None
    raise _err(f"unsupported weight file '{path.name}': use .npz, .npy or .csv", location)


def load_weights(
    paths: tuple[str, ...],
    units: list[int],
    bias: list[bool],
    base_dir: Path,
    location: Location | None,
) -> MatrixWeights:
    """Read and check weight files for layers of ``units`` (one matrix per pair)."""
    import numpy as np

    arrays: list[tuple[str, Any]] = []
    total = 0
    for name in paths:
        path = Path(name)
        if not path.is_absolute():
            path = base_dir / path
        for array_name, arr in _read_arrays(path, location):
            total += int(arr.size)
            if total > MAX_WEIGHT_VALUES:
                raise _err(
                    f"weight files hold more than {MAX_WEIGHT_VALUES:,} values; "
                    "that is more than a figure can show",
                    location,
                )
            arrays.append((array_name, arr))

    pairs = len(units) - 1
    matrices: list[Any] = []
    biases: list[Any | None] = []
    k = 0
    for pair in range(pairs):
        # The next 2-D array is this pair's matrix; skip nothing silently.
        if k >= len(arrays):
            raise _err(
                f"the weights hold {len(matrices)} matri{'x' if len(matrices) == 1 else 'ces'}; "
                f"{pairs} are needed, one per pair of neighbouring layers",
                location,
            )
        name, arr = arrays[k]
        k += 1
        n_in, n_out = units[pair], units[pair + 1]
        if arr.ndim != 2:
            raise _err(
                f"array '{name}' should be the {n_in}×{n_out} matrix of layers "
                f"{pair}→{pair + 1}, but it has {arr.ndim} dimension(s)",
                location,
            )
        if arr.shape == (n_in, n_out):
            matrix = arr
        elif arr.shape == (n_out, n_in):
            matrix = arr.T
        else:
            raise _err(
                f"matrix '{name}' has shape {arr.shape[0]}×{arr.shape[1]}; layers "
                f"{pair}→{pair + 1} need {n_in}×{n_out} (or its transpose)",
                location,
            )
        if not np.issubdtype(matrix.dtype, np.number) or np.iscomplexobj(matrix):
            raise _err(f"matrix '{name}' must hold real numbers", location)
        if not np.all(np.isfinite(matrix)):
            raise _err(f"matrix '{name}' holds NaN or infinite values", location)
        vector = None
        if k < len(arrays) and arrays[k][1].ndim == 1:
            bname, barr = arrays[k]
            k += 1
            if not np.issubdtype(barr.dtype, np.number) or np.iscomplexobj(barr):
                raise _err(f"bias vector '{bname}' must hold real numbers", location)
            if barr.shape[0] != n_out:
                raise _err(
                    f"bias vector '{bname}' has {barr.shape[0]} values; layer {pair + 1} has "
                    f"{n_out} units",
                    location,
                )
            if not np.all(np.isfinite(barr)):
                raise _err(f"bias vector '{bname}' holds NaN or infinite values", location)
            vector = barr
        if bias[pair] and vector is None:
            vector = None  # a drawn bias unit with no bias vector gets weight 0
        matrices.append(np.asarray(matrix, dtype=float))
        biases.append(None if vector is None else np.asarray(vector, dtype=float))
    if k < len(arrays):
        raise _err(
            f"the weights hold {len(arrays) - k} more array(s) than the {pairs} layer pair(s) "
            f"need (first extra: '{arrays[k][0]}')",
            location,
        )
    return MatrixWeights(tuple(matrices), tuple(biases))
