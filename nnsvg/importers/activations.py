"""``nnsvg import --activations SAMPLE``: the model run on one input (an ``.npy`` array
or a ``.png`` image), each drawn layer's feature maps kept, and one of them written as
an ``.npy`` image that the LeNet style shows on the layer's front map (``image:``).

PyTorch models (``torch:package.module:factory``, a trusted pickle, a ``.pt2``
program) are run by the importer itself; ONNX models by onnxruntime
(:func:`onnx_maps`), where it is installed (else the error says to install it); Keras
files are not run.

For each layer the map shown is the output of what is drawn as that layer (after its
folded batch norm and activation), and of its maps the one that varies most (the first
maps are often flat); the input shows the sample itself.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zlib
from typing import Any

from nnsvg.importers.ir import DRAWN, FOLDED, Graph, ModelError

__all__ = ["attach_maps", "model_input", "onnx_maps", "read_sample"]

MAX_SIDE = 4096  # a sample's height or width, at most
MERGES = frozenset({"add", "multiply", "concat"})  # drawn as a sign, not as maps


def read_sample(path: str) -> Any:
    """The sample as a float array: an ``.npy`` as stored, a PNG as ``(h, w)`` (grey)
    or ``(h, w, 3)`` scaled to 0..1 (alpha dropped)."""
    import numpy as np

    name = os.fspath(path)
    suffix = os.path.splitext(name)[1].lower()
    try:
        if suffix == ".npy":
            array = np.load(name, allow_pickle=False)
            if array.dtype.kind not in "biuf" or array.ndim == 0:
                raise ValueError(f"holds {array.dtype} values of shape {array.shape}")
            return array.astype(np.float32)
        if suffix == ".png":
            with open(name, "rb") as handle:
                return _png(handle.read()).astype(np.float32) / 255.0
    except OSError as err:
        raise ModelError(name, f"--activations: cannot read the sample ({err.strerror})") from None
    except (ValueError, KeyError, zlib.error, struct.error, IndexError) as err:
        raise ModelError(name, f"--activations: not a readable sample ({err})") from None
    raise ModelError(name, "--activations: the sample must be an .npy array or a .png image")


def _png(data: bytes) -> Any:
    """An 8-bit, non-interlaced PNG (grey, grey+alpha, RGB, RGBA) as ``(h, w[, 3])``."""
    import numpy as np

    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError("not a PNG file")
    pos, chunks, idat = 8, {}, b""
    while pos + 8 <= len(data):
        (length,), kind = struct.unpack(">I", data[pos : pos + 4]), data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IDAT":
            idat += body
        else:
            chunks.setdefault(kind, body)
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(color)
    if depth != 8 or channels is None or interlace:
        raise ValueError("only 8-bit non-interlaced grey or RGB(A) PNGs are read; use an .npy")
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise ValueError(f"an image of {width}×{height}")
    raw = zlib.decompress(idat)
    stride = width * channels
    rows = np.zeros((height, stride), dtype=np.int32)
    previous = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], np.frombuffer(raw, np.uint8, stride, start + 1).astype(np.int32)
        row = _unfilter(kind, line, previous, channels)
        rows[y], previous = row, row
    pixels = rows.reshape(height, width, channels)
    if channels in (2, 4):
        pixels = pixels[:, :, :-1]  # the alpha
    return pixels[:, :, 0] if pixels.shape[2] == 1 else pixels


def _unfilter(kind: int, line: Any, up: Any, bpp: int) -> Any:
    """One PNG scanline with its filter undone."""
    import numpy as np

    if kind == 0:
        return line
    if kind == 2:
        return (line + up) & 0xFF
    out = np.zeros_like(line)
    for i in range(len(line)):
        left = out[i - bpp] if i >= bpp else 0
        corner = up[i - bpp] if i >= bpp else 0
        if kind == 1:
            pred = left
        elif kind == 3:
            pred = (left + up[i]) // 2
        elif kind == 4:
            p = left + up[i] - corner
            pa, pb, pc = abs(p - left), abs(p - up[i]), abs(p - corner)
            pred = left if pa <= pb and pa <= pc else (up[i] if pb <= pc else corner)
        else:
            raise ValueError(f"an unknown PNG filter {kind}")
        out[i] = (line[i] + pred) & 0xFF
    return out


def model_input(
    sample: Any, input_shape: tuple[int, ...] | None, name: str, image: bool = False
) -> Any:
    """The sample as the model's input, batch first. With ``input_shape``, the sample
    must have that shape, with or without the batch (an image read as ``(h, w[, c])``
    is taken as ``(c, h, w)``). Without it, an image is ``(1, c, h, w)`` and an array
    is the input as it is (batch first)."""
    import numpy as np

    chw = sample
    if image:
        chw = np.transpose(sample if sample.ndim == 3 else sample[:, :, None], (2, 0, 1))
    if input_shape is None:
        if chw.ndim < 2:
            raise ModelError(
                name,
                f"--activations: the sample has shape {list(sample.shape)}: give the "
                "input's shape with --input-shape (batch first)",
            )
        return np.ascontiguousarray(chw[None] if image else chw)
    for candidate in (sample, chw):
        if candidate.shape in (tuple(input_shape), tuple(input_shape[1:])):
            return np.ascontiguousarray(candidate.reshape(input_shape))
    raise ModelError(
        name,
        f"--activations: the sample has shape {list(sample.shape)}, which is not the "
        f"input's {list(input_shape)} (with or without the batch)",
    )


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "map"


def _npy(array: Any) -> bytes:
    import numpy as np

    out = io.BytesIO()
    np.save(out, np.ascontiguousarray(array, dtype=np.float32))
    return out.getvalue()


def _shown(array: Any) -> Any:
    """Of a layer's maps ``(c, h, w)``, the one that varies most, as ``(h, w)``."""
    import numpy as np

    spread = array.reshape(array.shape[0], -1).std(axis=1)
    return array[int(np.argmax(spread))]


def attach_maps(graph: Graph, folder: str) -> dict[str, bytes]:
    """Before folding: each drawn op whose output is a stack of 2D maps gets
    ``attrs["image"]`` (``folder/NN-name.npy``); returns those files' bytes by path."""
    consumers = graph.consumers()
    files: dict[str, bytes] = {}
    index = 0
    for op in graph.ops.values():
        if op.kind != "input" and op.kind not in DRAWN - MERGES:
            continue
        last = op
        while len(consumers[last.id]) == 1:  # through what folds into it
            after = graph.ops[consumers[last.id][0]]
            if after.kind not in FOLDED or "map" not in after.params:
                break
            last = after
        array = last.params.get("map")
        if array is None or array.ndim != 3:
            continue
        if op.kind == "input" and array.shape[0] in (1, 3):  # the sample: grey or RGB
            shown = array[0] if array.shape[0] == 1 else array.transpose(1, 2, 0)
        else:
            shown = _shown(array)
        index += 1
        path = f"{folder}/{index:02d}-{_safe(op.name)}.npy"
        op.attrs["image"] = path
        files[path] = _npy(shown)
    for op in graph.ops.values():
        op.params.pop("map", None)
    return files


def onnx_maps(model: Any, graph: Graph, sample: Any) -> None:
    """Runs the ONNX ``model`` (shapes inferred) on ``sample`` with onnxruntime, every
    op's output made a model output; each op keeps its own in ``params["map"]``."""
    try:
        import onnxruntime
    except ImportError:
        raise ModelError(
            graph.path,
            "--activations: running an ONNX model needs onnxruntime, which is not "
            "installed: pip install onnxruntime",
        ) from None
    import numpy as np

    model = type(model).FromString(model.SerializeToString())  # a copy to add outputs to
    declared = {value.name for value in model.graph.output}
    typed = {value.name: value for value in model.graph.value_info}
    for key in graph.ops:
        if key not in declared and key in typed:
            model.graph.output.append(typed[key])
    first = graph.inputs[0]
    try:
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # errors only: nothing on the terminal otherwise
        session = onnxruntime.InferenceSession(
            model.SerializeToString(), options, providers=["CPUExecutionProvider"]
        )
        names = [output.name for output in session.get_outputs()]
        values = session.run(names, {first.id: sample.astype(np.float32)})
    except Exception as err:  # onnxruntime's own errors: an operator it lacks, a type
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ModelError(graph.path, f"--activations: onnxruntime failed ({message})") from None
    first.params["map"] = sample[0]
    for key, value in zip(names, values):
        if key in graph.ops and getattr(value, "ndim", 0) >= 2:
            graph.ops[key].params["map"] = np.asarray(value[0], dtype=np.float32)
