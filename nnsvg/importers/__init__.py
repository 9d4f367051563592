"""``nnsvg import``: a model (ONNX, Keras, PyTorch) as an editable spec.

:func:`import_model` reads the model with the importer its format needs (each imported
only when used: ``onnx``, ``h5py`` and ``torch`` are optional extras), folds what a figure does not
draw, writes the spec text, and checks that nnsvg loads it and infers the model's own
shapes. :func:`detect_format` picks the importer from the file itself.

The blocks style is chosen for a model with operation blocks (LSTM, attention, a
generic ``op``) or a big graph; there, repeated blocks become ``repeat: N`` groups
(:mod:`nnsvg.importers.collapse`). ``weights`` also gives the dense layers' matrices
(:mod:`nnsvg.importers.weights_out`). PyTorch models are ``torch:package.module:factory``
(run once and recorded), ``.pt2`` files, and pickled modules only with ``trust``
(:mod:`nnsvg.importers.torch_import`).

>>> detect_format("model.onnx", b"\x08\x07"), detect_format("m.keras", b"PK\x03\x04")
('onnx', 'keras')
>>> detect_format("model.txt", b"hello")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
nnsvg.importers.ir.ModelError: model.txt: unknown model format (nnsvg imports .onnx, ...)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnsvg.errors import NnsvgError, display_path
from nnsvg.importers.ir import Graph, ModelError, fold, keep_blocks

__all__ = ["FORMATS", "ImportResult", "ModelError", "detect_format", "import_model"]

FORMATS = ("onnx", "keras", "keras-json", "keras-h5", "torch")
_HDF5 = b"\x89HDF\r\n\x1a\n"
TORCH_SUFFIXES = (".pt", ".pt2", ".pth")


@dataclass(frozen=True)
class ImportResult:
    """The spec text written for a model, the style chosen, and how many layers."""

    text: str
    style: str
    layers: int
    format: str
    npz: bytes | None = None  # the --weights file's content
    maps: dict[str, bytes] | None = None  # --activations: .npy files by path from the spec


def detect_format(path: str | os.PathLike[str], head: bytes) -> str:
    """One of ``FORMATS``, from the file's first bytes and its suffix."""
    suffix = Path(path).suffix.lower()
    if head.startswith(_HDF5):
        return "keras-h5"
    if head.startswith(b"PK\x03\x04"):
        return "keras"
    if suffix == ".onnx":
        return "onnx"
    if suffix == ".json" or head.lstrip()[:1] == b"{":
        return "keras-json"
    if suffix in (".keras", ".h5", ".hdf5"):
        return {".keras": "keras"}.get(suffix, "keras-h5")
    raise ModelError(
        display_path(path),
        "unknown model format (nnsvg imports .onnx, .keras, a Keras model.to_json() "
        ".json file, Keras .h5, PyTorch .pt2, and torch:package.module:factory)",
    )


def parse_input_shape(text: str | None) -> tuple[int, ...] | None:
    """``--input-shape 1,3,224,224`` as a tuple (the batch first, in the model's layout).

    >>> parse_input_shape("1,3,224,224"), parse_input_shape(None)
    ((1, 3, 224, 224), None)
    """
    if text is None:
        return None
    try:
        shape = tuple(int(part) for part in text.replace("x", ",").split(","))
    except ValueError:
        shape = ()
    if not shape or any(n < 1 for n in shape):
        raise NnsvgError(
            f"must be sizes separated by commas, batch first, like 1,3,224,224; got '{text}'",
            field="--input-shape",
        )
    return shape


def read_graph(
    path: str | os.PathLike[str],
    input_shape: tuple[int, ...] | None = None,
    weights: bool = False,
    trust: bool = False,
    sample: Any = None,
) -> Graph:
    """The model at ``path`` as an (unfolded) graph; with ``weights``, the arrays that
    ``--weights`` writes too; with ``trust``, a pickled PyTorch module is loaded; with
    ``sample`` (batch first), the model is run on it and its ops keep their outputs."""
    if str(path).startswith("torch:"):
        from nnsvg.importers.torch_import import read_torch

        return read_torch(str(path), str(path), input_shape, weights, trust, sample)
    name = display_path(path)
    if Path(path).suffix.lower() in TORCH_SUFFIXES:
        from nnsvg.importers.torch_import import read_torch

        return read_torch(os.fspath(path), name, input_shape, weights, trust, sample)
    if Path(path).is_dir() and (Path(path) / "config.json").is_file():  # an unzipped .keras
        from nnsvg.importers.keras_import import read_keras

        _no_runtime(name, sample)
        return read_keras(path, name, "keras-json", input_shape, weights)
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError as err:
        raise ModelError(name, f"cannot read the model: {err.strerror or err}") from None
    fmt = detect_format(path, head)
    if fmt == "onnx":
        from nnsvg.importers.onnx_import import read_onnx

        if sample is not None:
            input_shape = tuple(sample.shape)
        return read_onnx(path, name, input_shape, weights, sample)
    _no_runtime(name, sample)
    from nnsvg.importers.keras_import import read_keras

    return read_keras(path, name, fmt, input_shape, weights)


def _no_runtime(name: str, sample: Any) -> None:
    """``--activations`` of a Keras model: an error (nnsvg runs no Keras)."""
    if sample is not None:
        raise ModelError(
            name,
            "--activations: nnsvg runs PyTorch and ONNX models only; it has no runtime "
            "for Keras files (export the model to ONNX)",
        )


def import_model(
    path: str | os.PathLike[str],
    *,
    style: str | None = None,
    input_shape: tuple[int, ...] | None = None,
    weights: str | None = None,
    collapse: bool = True,
    trust: bool = False,
    activations: str | os.PathLike[str] | None = None,
    maps_folder: str = "activations",
) -> ImportResult:
    """Read the model at ``path`` and write it as spec text (see the module docstring).
    With ``weights`` (the ``.npz`` file's name as the spec refers to it), the dense
    layers' matrices too (:attr:`ImportResult.npz`), for an FCNN figure. ``trust``
    allows loading a pickled PyTorch module (which runs code from the file). With
    ``activations`` (a sample: ``.npy`` or ``.png``), the model is run on it and each
    drawn layer shows one of its feature maps (:attr:`ImportResult.maps`, files under
    ``maps_folder``); the style is then lenet, the one that shows them."""
    from nnsvg.spec.model import STYLES

    if style is not None and style not in STYLES:
        raise NnsvgError(f"unknown style '{style}' (must be one of {', '.join(STYLES)})")
    sample = None
    if activations is not None:
        from nnsvg.importers.activations import model_input, read_sample

        if style not in (None, "lenet"):
            raise NnsvgError(
                f"--activations: feature maps are shown in the lenet style, not {style}"
            )
        style = "lenet"
        image = str(activations).lower().endswith(".png")
        sample = model_input(
            read_sample(activations), input_shape, display_path(activations), image
        )
    graph = read_graph(path, input_shape, weights=weights is not None, trust=trust, sample=sample)
    maps = None
    if sample is not None:
        from nnsvg.importers.activations import attach_maps

        maps = attach_maps(graph, maps_folder)
    from nnsvg.importers.spec_writer import needs_blocks, write_spec

    blocks = style == "blocks" or (style is None and needs_blocks(graph))
    if blocks:
        keep_blocks(graph)
    if weights is not None:
        from nnsvg.importers.weights_out import fold_weights

        fold_weights(graph)
    fold(graph)
    images = {op.id: op.attrs.pop("image") for op in graph.ops.values() if "image" in op.attrs}
    text, chosen = write_spec(graph, style or ("blocks" if blocks else None), collapse)
    _check(graph, text, chosen, chosen_by_user=style is not None or bool(images))
    if images:  # written again with them: the map files are not written yet
        for key, image in images.items():
            graph.ops[key].attrs["image"] = image
        text, chosen = write_spec(graph, chosen, collapse)
    npz = None
    if weights is not None:  # after the check: the .npz is not written yet
        text, npz = _with_weights(graph, text, chosen, weights)
    layers = sum(1 for op in graph.ops.values() if op.kind != "input")
    return ImportResult(
        text=text, style=chosen, layers=layers, format=graph.format, npz=npz, maps=maps
    )


def _with_weights(graph: Graph, text: str, style: str, ref: str) -> tuple[str, bytes]:
    """The spec text that draws the weights (``weights:``, edges by colour and width),
    and the ``.npz`` bytes; an error unless the figure is an FCNN."""
    from nnsvg.importers.spec_writer import names_of, scalar
    from nnsvg.importers.weights_out import npz_bytes

    if style != "fcnn":
        raise ModelError(
            graph.path,
            f"--weights: the weights are drawn on the edges of an FCNN figure, and this "
            f"model is drawn in the {style} style (only a chain of dense layers is an FCNN)",
        )
    npz = npz_bytes(graph, names_of(graph))
    text += f"weights: {scalar(ref)}\nedges:\n  encode: [color, width]\n"
    return text, npz


def _check(graph: Graph, text: str, style: str, chosen_by_user: bool = False) -> None:
    """nnsvg loads the written spec and infers the shapes the model has; else an error
    that names the layer (a bug of the importer, or a model nnsvg cannot draw)."""
    from nnsvg.pipeline import build_network, load_spec
    from nnsvg.spec.shapes import format_shape

    try:
        spec = load_spec(f"<spec imported from {graph.path}>", text=text)
        net = build_network(spec)
    except NnsvgError as err:
        if chosen_by_user:  # the style asked for cannot draw this model: say so, not where
            reason = f"{err.field}: {err.message}" if err.field else err.message
            message = f"--style {style} cannot draw this model: {reason}"
            raise ModelError(graph.path, message) from None
        raise ModelError(graph.path, f"the imported spec does not load: {err}") from None
    if style == "fcnn":
        return
    ops = graph.inputs + [op for op in graph.ops.values() if op.kind != "input"]
    for node, op in zip(net.nodes, ops):
        if op.shape is not None and tuple(node.shape) != tuple(op.shape):
            raise ModelError(
                graph.path,
                f"node '{op.name}' (op {op.source}): nnsvg infers {format_shape(node.shape)} "
                f"but the model has {format_shape(op.shape)}; nnsvg cannot draw it as it is",
            )
