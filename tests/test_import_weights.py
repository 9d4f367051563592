"""``nnsvg import --weights``: the dense layers' trained matrices written as the ``.npz``
a ``weights:`` key reads ([in, out], each followed by its bias), batch norm folded in
numerically; the figure drawn from it is the one drawn from the true matrices."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml

from tests.cli_run import run

RNG = np.random.default_rng(7)
W1 = RNG.normal(size=(4, 5))  # [in, out]
B1 = RNG.normal(size=5)
GAMMA, BETA = RNG.uniform(0.5, 2, 5), RNG.normal(size=5)
MEAN, VAR = RNG.normal(size=5), RNG.uniform(0.5, 2, 5)
W2 = RNG.normal(size=(5, 3))
B2 = RNG.normal(size=3)


def _folded(eps: float) -> tuple[np.ndarray, np.ndarray]:
    scale = GAMMA / np.sqrt(VAR + eps)
    return W1 * scale, (B1 - MEAN) * scale + BETA


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _onnx_mlp(work: Path) -> Path:
    """Gemm with transB (torch Linear's [out, in]) -> BatchNorm -> Relu -> MatMul + Add."""
    pytest.importorskip("onnx")
    from tests import onnx_models

    b = onnx_models.Builder()
    w1 = b.weight("fc1.weight", [5, 4], W1.T.ravel().tolist())
    b1 = b.weight("fc1.bias", [5], B1.tolist())
    x = b.node("Gemm", ["x", w1, b1], "fc1", transB=1)
    stats = [b.weight(f"bn.{k}", [5], v.tolist()) for k, v in
             zip(("scale", "bias", "mean", "var"), (GAMMA, BETA, MEAN, VAR))]  # fmt: skip
    x = b.node("BatchNormalization", [x, *stats], "bn", epsilon=1e-5)
    x = b.node("Relu", [x], "relu")
    x = b.node("MatMul", [x, b.weight("fc2.weight", [5, 3], W2.ravel().tolist())], "fc2")
    x = b.node("Add", [x, b.weight("fc2.bias", [3], B2.tolist())], "fc2_bias")
    return onnx_models.save(b.model({"x": [1, 4]}, x, "mlp"), work / "mlp.onnx")


def _arrays(path: Path) -> list[np.ndarray]:
    with np.load(path) as data:
        return [data[k] for k in data.files]


def _true_figure(work: Path, spec: str, w1: np.ndarray, b1: np.ndarray) -> str:
    """The figure of the same spec drawn from the true matrices, saved by hand."""
    np.savez(work / "true.npz", w1, b1, W2, B2)
    text = (work / spec).read_text().replace("weights: w.npz", "weights: true.npz")
    (work / "true.yaml").write_text(text)
    assert run("render", "true.yaml", "-o", "true.svg").exit_code == 0
    return (work / "true.svg").read_text()


def test_onnx_mlp_weights_follow_the_trained_matrices(work: Path) -> None:
    _onnx_mlp(work)
    result = run("import", "mlp.onnx", "-o", "mlp.yaml", "--weights", "w.npz")
    assert result.exit_code == 0, result.stderr
    spec = yaml.safe_load((work / "mlp.yaml").read_text())
    assert spec["style"] == "fcnn" and spec["weights"] == "w.npz"
    assert spec["edges"] == {"encode": ["color", "width"]}
    w1, b1 = _folded(1e-5)
    got = _arrays(work / "w.npz")
    assert [a.shape for a in got] == [(4, 5), (5,), (5, 3), (3,)]
    for have, want in zip(got, [w1, b1, W2, B2]):
        np.testing.assert_allclose(have, want, rtol=1e-5, atol=1e-6)
    assert run("render", "mlp.yaml", "-o", "mlp.svg").exit_code == 0
    drawn = (work / "mlp.svg").read_text()
    assert drawn == _true_figure(work, "mlp.yaml", w1, b1)
    np.savez(work / "w.npz", -w1, b1, W2, B2)  # other weights: another figure
    assert run("render", "mlp.yaml", "-o", "other.svg").exit_code == 0
    assert (work / "other.svg").read_text() != drawn


def _keras_config() -> dict:
    def dense(name: str, units: int, activation: str) -> dict:
        return {"class_name": "Dense", "config": {"name": name, "units": units,
                                                  "activation": activation}}  # fmt: skip

    return {"class_name": "Sequential", "config": {"name": "mlp", "layers": [
        {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 4]}},
        dense("fc1", 5, "linear"),
        {"class_name": "BatchNormalization", "config": {"name": "bn", "epsilon": 0.001}},
        {"class_name": "Activation", "config": {"name": "relu", "activation": "relu"}},
        dense("fc2", 3, "softmax")]}}  # fmt: skip


def test_keras_weights_from_a_dot_keras_zip(work: Path) -> None:
    h5py = pytest.importorskip("h5py")
    import json

    weights = io.BytesIO()
    with h5py.File(weights, "w") as handle:
        for name, arrays in {"fc1": [W1, B1], "bn": [GAMMA, BETA, MEAN, VAR],
                             "fc2": [W2, B2]}.items():  # fmt: skip
            group = handle.create_group(f"layers/{name}/vars")
            for k, array in enumerate(arrays):
                group[str(k)] = array
    with zipfile.ZipFile(work / "mlp.keras", "w") as archive:
        archive.writestr("config.json", json.dumps(_keras_config()))
        archive.writestr("model.weights.h5", weights.getvalue())
    result = run("import", "mlp.keras", "-o", "mlp.yaml", "--weights", "w.npz")
    assert result.exit_code == 0, result.stderr
    w1, b1 = _folded(1e-3)
    for have, want in zip(_arrays(work / "w.npz"), [w1, b1, W2, B2]):
        np.testing.assert_allclose(have, want, rtol=1e-6)
    assert run("render", "mlp.yaml", "-o", "mlp.svg").exit_code == 0
    assert (work / "mlp.svg").read_text() == _true_figure(work, "mlp.yaml", w1, b1)


def test_keras_legacy_h5_weights(work: Path) -> None:
    h5py = pytest.importorskip("h5py")
    import json

    with h5py.File(work / "mlp.h5", "w") as handle:
        handle.attrs["model_config"] = json.dumps(_keras_config())
        for name, arrays in {"fc1": [W1, B1], "bn": [GAMMA, BETA, MEAN, VAR],
                             "fc2": [W2, B2]}.items():  # fmt: skip
            group = handle.create_group(f"model_weights/{name}")
            keys = ["kernel:0", "bias:0"] if name != "bn" else [
                "gamma:0", "beta:0", "moving_mean:0", "moving_variance:0"]  # fmt: skip
            for key, array in zip(keys, arrays):
                group[f"{name}/{key}"] = array
            group.attrs["weight_names"] = [f"{name}/{key}".encode() for key in keys]
    result = run("import", "mlp.h5", "-o", "mlp.yaml", "--weights", "w.npz")
    assert result.exit_code == 0, result.stderr
    w1, b1 = _folded(1e-3)
    for have, want in zip(_arrays(work / "w.npz"), [w1, b1, W2, B2]):
        np.testing.assert_allclose(have, want, rtol=1e-6)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("json", "--weights: a Keras JSON config holds no weights"),
        ("cnn", "--weights: the weights are drawn on the edges of an FCNN figure"),
    ],
)
def test_weights_errors_are_located(work: Path, setup: str, message: str) -> None:
    if setup == "json":
        import json

        (work / "m.json").write_text(json.dumps(_keras_config()))
        model = "m.json"
    else:
        pytest.importorskip("onnx")
        from tests import onnx_models

        onnx_models.save(onnx_models.lenet5(), work / "m.onnx")
        model = "m.onnx"
    result = run("import", model, "-o", "m.yaml", "--weights", "w.npz")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {model}: {message}"), result.stderr
    assert "Traceback" not in result.stderr
    assert not (work / "m.yaml").exists() and not (work / "w.npz").exists()


def test_weights_of_any_shape_import_or_are_errors_never_crashes(tmp_path: Path) -> None:
    """Weight arrays of random shapes and values (NaN, a negative variance): the import
    gives a right .npz or an NnsvgError, never another exception."""
    h5py = pytest.importorskip("h5py")
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")
    import json

    from nnsvg.errors import NnsvgError
    from nnsvg.importers import import_model

    sizes = st.lists(st.integers(1, 6), min_size=0, max_size=3)
    values = st.sampled_from([1.0, -2.0, 0.0, float("nan")])

    @hypothesis.settings(max_examples=60, deadline=None)
    @hypothesis.given(st.lists(st.tuples(sizes, values), min_size=8, max_size=8))
    def check(arrays: list[tuple[list[int], float]]) -> None:
        path = tmp_path / "m.keras"
        weights = io.BytesIO()
        with h5py.File(weights, "w") as handle:
            it = iter(arrays)
            for name, count in (("fc1", 2), ("bn", 4), ("fc2", 2)):
                group = handle.create_group(f"layers/{name}/vars")
                for k in range(count):
                    shape, value = next(it)
                    group[str(k)] = np.full(shape, value)
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("config.json", json.dumps(_keras_config()))
            archive.writestr("model.weights.h5", weights.getvalue())
        try:
            result = import_model(path, weights="w.npz")
        except NnsvgError:
            return
        with np.load(io.BytesIO(result.npz)) as data:
            assert [data[k].shape for k in data.files] == [(4, 5), (5,), (5, 3), (3,)]
            assert all(np.all(np.isfinite(data[k])) for k in data.files)

    check()


def test_missing_external_weight_data_is_a_located_error(work: Path) -> None:
    pytest.importorskip("onnx")
    from tests import onnx_models

    b = onnx_models.Builder(external=True)  # initializers in weights.bin, never written
    x = b.gemm("x", 4, 3, "fc")
    onnx_models.save(b.model({"x": [1, 4]}, x, "ext"), work / "ext.onnx")
    assert run("import", "ext.onnx", "-o", "plain.yaml").exit_code == 0  # dims suffice
    result = run("import", "ext.onnx", "-o", "m.yaml", "--weights", "w.npz")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: ext.onnx: --weights: the model's external weight data cannot be read"
    ), result.stderr
    assert "Traceback" not in result.stderr and not (work / "w.npz").exists()
