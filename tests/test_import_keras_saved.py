"""``nnsvg import`` of files Keras itself saved (tests/keras/saved, written by Keras
3.15.1 on the torch backend with scripts/make_keras_fixtures.py): the hand-written
configs of test_import_keras.py follow the documented formats, these are what Keras
writes. A model saved as .keras, .h5 and to_json() imports to one spec; each renders;
the dense matrices come out of the real weight files."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import yaml

from nnsvg.importers import import_model
from nnsvg.pipeline import build_scene, load_spec

SAVED = Path(__file__).resolve().parent / "keras" / "saved"


def body(text: str) -> dict:
    """The spec without its header comments (they name the source file and format)."""
    return yaml.safe_load(text)


@pytest.mark.parametrize("name", sorted(p.name for p in SAVED.iterdir()))
def test_every_saved_file_imports_and_renders(name: str) -> None:
    text = import_model(SAVED / name).text
    scene = build_scene(load_spec("model.yaml", text=text))
    assert scene.items


def test_one_model_in_three_formats_is_one_spec() -> None:
    specs = [body(import_model(SAVED / f"small_cnn.{ext}").text) for ext in ("keras", "h5", "json")]
    assert specs[0] == specs[1] == specs[2]
    layers = specs[0]["layers"]
    assert [(la["type"], la.get("filters") or la.get("units")) for la in layers] == [
        ("conv", 4),
        ("pool", None),
        ("conv", 8),
        ("pool", None),
        ("dense", 16),
        ("dense", 10),
    ]  # dropout and the flatten before a dense layer are folded away
    assert layers[0]["activation"] == "relu" and layers[-1]["activation"] == "softmax"
    assert specs[0]["input"]["shape"] == [28, 28, 1]


def test_a_functional_residual_block() -> None:
    keras_spec = body(import_model(SAVED / "resblock.keras").text)
    assert keras_spec == body(import_model(SAVED / "resblock.h5").text)
    types = [la["type"] for la in keras_spec["layers"]]
    assert types == ["conv", "conv", "add", "conv", "concat", "pool", "dense"]
    add = keras_spec["layers"][2]
    assert add["from"][1] == keras_spec["input"]["name"]  # the identity skip
    assert add["activation"] == "relu"
    text = import_model(SAVED / "resblock.keras").text
    assert "1 BatchNormalization" in text  # folded, and said so in the header


def test_a_sequence_model_becomes_blocks() -> None:
    spec = body(import_model(SAVED / "lstm_classifier.keras").text)
    assert spec["style"] == "blocks"
    assert [la["type"] for la in spec["layers"]] == ["embedding", "lstm", "dense"]
    assert spec["layers"][0]["vocab"] == 50 and spec["layers"][0]["units"] == 8
    assert spec["layers"][1]["units"] == 16


def test_the_dense_matrices_come_from_the_weight_file(tmp_path: Path) -> None:
    # a CNN drawn as an FCNN: its dense tail, fed by the flattened maps before it
    result = import_model(SAVED / "small_cnn.keras", style="fcnn", weights="w.npz")
    assert result.npz is not None
    with np.load(io.BytesIO(result.npz)) as arrays:
        shapes = [arrays[k].shape for k in sorted(arrays.files)]
        assert all(np.isfinite(arrays[k]).all() for k in arrays.files)
    # 28 -> 24 -> 12 -> 8 -> 4: the flattened 4x4x8 maps feed 16 units, then 10
    assert (128, 16) in shapes and (16, 10) in shapes
    (tmp_path / "w.npz").write_bytes(result.npz)
    (tmp_path / "cnn.yaml").write_text(result.text, encoding="utf-8")
    scene = build_scene(load_spec(tmp_path / "cnn.yaml"))  # the figure reads them
    assert scene.meta["engine"] == "fcnn"
