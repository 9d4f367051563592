"""``nnsvg import`` of models with operators that only the blocks style draws (LSTM,
GRU, attention, LayerNormalization kept as a block) or that nnsvg has no layer type for
(a generic ``{type: op, label: <operator>}`` block, noted in the header: never dropped,
never an error); and ``torch:`` models, not importable yet (a clear error)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
import yaml

from nnsvg.importers import import_model
from tests.cli_run import run

FIXTURES = Path(__file__).resolve().parent / "keras"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _layers(text: str) -> list[dict]:
    return yaml.safe_load(text)["layers"]


def _render(spec: str) -> None:
    result = run("render", spec, "-o", Path(spec).with_suffix(".svg").name)
    assert result.exit_code == 0, result.stderr


def _onnx(work: Path, name: str) -> Path:
    pytest.importorskip("onnx")
    from tests import onnx_models

    return onnx_models.save(getattr(onnx_models, name)(), work / f"{name}.onnx")


def test_onnx_lstm_is_an_lstm_block_in_the_blocks_style(work: Path) -> None:
    model = _onnx(work, "lstm_model")
    result = run("import", model, "-o", "lstm.yaml")
    assert result.exit_code == 0, result.stderr
    spec = yaml.safe_load((work / "lstm.yaml").read_text())
    assert spec["style"] == "blocks"
    assert spec["input"]["shape"] == [5, 8]  # [seq, batch, features]: the sequence
    assert spec["layers"] == [{"type": "lstm", "units": 16, "label": "lstm1"}]
    _render("lstm.yaml")


def test_a_style_that_cannot_draw_blocks_is_a_clear_error(work: Path) -> None:
    _onnx(work, "lstm_model")
    result = run("import", "lstm_model.onnx", "-o", "lstm.yaml", "--style", "lenet")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: lstm_model.onnx: --style lenet cannot draw")
    assert "blocks style" in result.stderr and "Traceback" not in result.stderr
    assert not (work / "lstm.yaml").exists()


def test_gru_layernorm_and_a_generic_transpose(work: Path) -> None:
    model = _onnx(work, "sequence_model")
    text = import_model(model).text
    layers = _layers(text)
    assert [layer["type"] for layer in layers] == ["gru", "op", "layernorm", "op", "lstm"]
    assert layers[0]["units"] == 32 and layers[0]["label"] == "Bidirectional GRU"
    assert layers[1]["label"] == "Reshape" and layers[3]["label"] == "Transpose"
    assert layers[3]["name"] == "to_time_major"  # the model's name stays, as the name
    assert "Kept as generic blocks (type: op; " in text and "1 Transpose" in text
    (work / "seq.yaml").write_text(text)
    _render("seq.yaml")


def test_layernorm_is_folded_outside_the_blocks_style(work: Path) -> None:
    pytest.importorskip("onnx")
    from tests import onnx_models

    b = onnx_models.Builder()
    x = b.conv("x", 3, 8, 3, "conv")
    scale, bias = b.weight("ln.scale", [8]), b.weight("ln.bias", [8])
    x = b.node("LayerNormalization", [x, scale, bias], "ln", axis=1)
    model = onnx_models.save(b.model({"x": [1, 3, 16, 16]}, x, "cnn-ln"), work / "ln.onnx")
    folded = import_model(model)
    assert folded.style == "lenet" and [la["type"] for la in _layers(folded.text)] == ["conv"]
    assert "1 LayerNormalization" in folded.text
    kept = import_model(model, style="blocks")
    assert [la["type"] for la in _layers(kept.text)] == ["conv", "layernorm"]


def test_an_unknown_operator_is_a_generic_block_never_dropped(work: Path) -> None:
    pytest.importorskip("onnx")
    from tests import onnx_models

    b = onnx_models.Builder()
    x = b.conv("x", 3, 8, 3, "conv", pads=[1] * 4)
    x = b.node("Erf", [x], "erf")  # no nnsvg layer type, no activation either
    x = b.node("MatMul", [x, x], "gram")  # a product of two data tensors
    x = b.conv(x, 8, 4, 1, "head")
    model = onnx_models.save(b.model({"x": [1, 3, 16, 16]}, x, "odd"), work / "odd.onnx")
    result = run("import", model, "-o", "odd.yaml")
    assert result.exit_code == 0, result.stderr
    text = (work / "odd.yaml").read_text()
    layers = _layers(text)
    assert [la["type"] for la in layers] == ["conv", "op", "op", "conv"]
    assert layers[1] == {"name": "erf", "type": "op", "label": "Erf"}
    assert layers[2]["from"] == ["erf", "erf"] and layers[2]["label"] == "MatMul"
    assert "1 Erf, 1 MatMul" in text
    assert "# Note: MatMul 'gram' kept as a generic block (a product of two data tensors)." in text
    _render("odd.yaml")


def test_keras_sequence_layers_map_to_blocks() -> None:
    result = import_model(FIXTURES / "keras3_sequence_blocks.json")
    assert result.style == "blocks"
    layers = _layers(result.text)
    assert layers[0] == {"type": "embedding", "units": 32, "vocab": 1000, "label": "emb"}
    assert layers[1] == {"name": "lstm", "type": "lstm", "units": 32, "label": "lstm"}
    assert layers[2]["type"] == "attention" and layers[2]["heads"] == 4
    assert layers[2]["from"] == ["lstm", "lstm"]  # query and value
    assert [la["type"] for la in layers[3:]] == [
        "add", "layernorm", "op", "gru", "lstm", "dense"
    ]  # fmt: skip
    assert layers[5] == {"name": "gate", "type": "op", "label": "MyGate"}
    assert layers[7]["units"] == 16 and layers[7]["return_sequences"] is False
    assert "1 MyGate" in result.text


def test_keras_unknown_class_is_generic_not_an_error(work: Path) -> None:
    config = json.loads((FIXTURES / "keras3_mlp.json").read_text())
    config["config"]["layers"][2] = {"class_name": "Whitening", "config": {"name": "white"}}
    Path("odd.json").write_text(json.dumps(config))
    result = run("import", "odd.json", "-o", "odd.yaml")
    assert result.exit_code == 0, result.stderr
    spec = yaml.safe_load((work / "odd.yaml").read_text())
    assert spec["style"] == "blocks"
    assert {"name": "white", "type": "op", "label": "Whitening"} in spec["layers"]
    _render("odd.yaml")


def test_attention_whose_heads_do_not_divide_its_width(work: Path) -> None:
    config = json.loads((FIXTURES / "keras3_sequence_blocks.json").read_text())
    config["config"]["layers"][3]["config"]["num_heads"] = 5  # 32 is not a multiple of 5
    Path("mha.json").write_text(json.dumps(config))
    result = run("import", "mha.json", "-o", "mha.yaml")
    assert result.exit_code == 0, result.stderr
    text = (work / "mha.yaml").read_text()
    attention = _layers(text)[2]
    assert "heads" not in attention and attention["shape"] == [20, 32]
    assert "'mha': 5 heads do not divide 32" in text
    _render("mha.yaml")


def test_a_torch_style_batch_first_lstm_export(work: Path) -> None:
    """torch.onnx.export of a batch_first LSTM: Transpose, LSTM, Squeeze, Transpose."""
    pytest.importorskip("onnx")
    from tests import onnx_models

    b = onnx_models.Builder()
    x = b.node("Transpose", ["tokens"], "to_seq_first", perm=[1, 0, 2])
    w, r = b.weight("lstm.W", [1, 64, 8]), b.weight("lstm.R", [1, 64, 16])
    x = b.node("LSTM", [x, w, r], "lstm", hidden_size=16)
    x = b.node("Squeeze", [x, b.ints("axes", [1])], "squeeze")
    x = b.node("Transpose", [x], "to_batch_first", perm=[1, 0, 2])
    onnx_models.save(b.model({"tokens": [1, 12, 8]}, x, "lstm-bf"), work / "bf.onnx")
    result = run("import", "bf.onnx", "-o", "bf.yaml")
    assert result.exit_code == 0, result.stderr
    spec = yaml.safe_load((work / "bf.yaml").read_text())
    assert spec["input"]["shape"] == [12, 8]  # [batch, seq, features] read as the sequence
    assert [la["type"] for la in spec["layers"]] == ["op", "lstm", "op", "op"]
    assert spec["layers"][1]["units"] == 16
    _render("bf.yaml")


def test_damaged_sequence_and_mlp_models_are_errors_never_crashes(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Bytes of the LSTM/GRU model and of an MLP changed anywhere, imported with and
    without --weights: a spec, or an NnsvgError; never another exception."""
    pytest.importorskip("onnx")
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")
    from nnsvg.errors import NnsvgError
    from tests import onnx_models

    models = [onnx_models.sequence_model(), onnx_models.mlp_legacy_flatten()]
    clean = [bytes(m.SerializeToString()) for m in models]

    @hypothesis.settings(max_examples=60, deadline=None)
    @hypothesis.given(st.data())
    def check(data) -> None:
        raw = bytearray(clean[data.draw(st.integers(0, len(clean) - 1))])
        for _ in range(data.draw(st.integers(1, 4))):
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
        path = tmp_path_factory.mktemp("damaged") / "m.onnx"
        path.write_bytes(bytes(raw))
        weights = data.draw(st.sampled_from([None, "w.npz"]))
        with contextlib.suppress(NnsvgError):
            import_model(path, weights=weights)

    check()
