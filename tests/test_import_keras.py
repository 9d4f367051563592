"""``nnsvg import`` of Keras models: the JSON configs under tests/keras/ (Keras 3 and
Keras 2 / tf-keras node formats, written as those versions serialise them), read as
``model.to_json()`` files, zipped here into ``.keras`` files, and written into ``.h5``
files with h5py; each imported spec renders. The CLI's own rules (no overwrite, errors
without tracebacks, the import kept off ``nnsvg --help``) are tested here too."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from nnsvg.importers import import_model
from tests.cli_run import run

FIXTURES = Path(__file__).resolve().parent / "keras"
BUILT = sorted(p.stem for p in FIXTURES.glob("*.json") if "unbuilt" not in p.stem)


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _keras_zip(name: str, dest: Path) -> Path:
    """A .keras file as Keras 3 saves one: config.json and metadata.json in a zip."""
    path = dest / f"{name}.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", '{"keras_version": "3.15.1"}')
        archive.writestr("config.json", (FIXTURES / f"{name}.json").read_text())
    return path


def _layers(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text())["layers"]


@pytest.mark.parametrize("name", BUILT)
@pytest.mark.parametrize("container", ["keras", "json"])
def test_every_fixture_imports_and_renders(work: Path, name: str, container: str) -> None:
    model = _keras_zip(name, work) if container == "keras" else FIXTURES / f"{name}.json"
    result = run("import", model, "-o", "spec.yaml")
    assert result.exit_code == 0, result.stderr
    text = (work / "spec.yaml").read_text()
    version = "Keras 2" if name.startswith("keras2") else "Keras 3"
    kind = ".keras" if container == "keras" else "JSON"
    assert text.splitlines()[0].endswith(f"({version} {kind}).")
    rendered = run("render", "spec.yaml", "-o", "spec.svg")
    assert rendered.exit_code == 0, rendered.stderr


def test_sequential_cnn(work: Path) -> None:
    run("import", _keras_zip("keras3_sequential_cnn", work), "-o", "s.yaml")
    spec = yaml.safe_load((work / "s.yaml").read_text())
    assert spec["input"] == {"shape": [28, 28, 1], "label": "input_layer"}
    assert spec["layers"] == [
        {"type": "conv", "filters": 8, "kernel": 3, "padding": "same", "activation": "relu",
         "label": "conv2d"},
        {"type": "pool", "size": 2, "label": "max_pooling2d"},
        {"type": "dense", "units": 10, "activation": "softmax", "label": "dense"},
    ]  # fmt: skip


def test_functional_residual_keras3(work: Path) -> None:
    text = import_model(FIXTURES / "keras3_functional_residual.json").text
    layers = yaml.safe_load(text)["layers"]
    assert layers[2] == {"from": ["c1", "c2"], "type": "add", "activation": "relu", "label": "add"}
    assert layers[4] == {"type": "pool", "size": 16, "kind": "avg", "label": "gap"}
    assert "1 BatchNormalization, 1 ReLU" in text and "Dropped (not drawn): 1 Dropout" in text


def test_functional_keras2_with_tfoplambda_padding_and_concat(work: Path) -> None:
    text = import_model(FIXTURES / "keras2_functional.json").text
    layers = yaml.safe_load(text)["layers"]
    assert layers[0]["padding"] == 1  # the ZeroPadding2D before it
    add = layers[2]
    assert (add["type"], add["from"], add["activation"]) == ("add", ["conv_1", "conv_0"], "relu")
    assert layers[-2]["type"] == "concat"
    assert layers[-2]["from"] == ["tf.__operators__.add", "up"]


def test_nested_sequential_and_two_inputs(work: Path) -> None:
    spec = yaml.safe_load(import_model(FIXTURES / "keras3_nested.json").text)
    assert [i["name"] for i in spec["inputs"]] == ["image", "meta"]
    assert spec["layers"][0]["from"] == "image"
    assert spec["layers"][-1] == {"type": "dense", "units": 4, "activation": "sigmoid",
                                  "label": "head"}  # fmt: skip


def test_mlp_is_an_fcnn(work: Path) -> None:
    run("import", _keras_zip("keras3_mlp", work), "-o", "mlp.yaml")
    assert [x["units"] for x in _layers(work / "mlp.yaml")] == [784, 300, 100, 10]
    assert yaml.safe_load((work / "mlp.yaml").read_text())["style"] == "fcnn"


def test_an_unbuilt_model_needs_input_shape(work: Path) -> None:
    model = _keras_zip("keras3_unbuilt_mlp", work).name
    result = run("import", model, "-o", "mlp.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: keras3_unbuilt_mlp.keras: the input 'input' has no fixed shape (none "
        "stated): give one with --input-shape, batch first, channels last, like 1,28,28,1"
    ]
    assert run("import", model, "-o", "mlp.yaml", "--input-shape", "1,784").exit_code == 0
    assert _layers(work / "mlp.yaml")[0] == {"units": 784, "label": "input"}


def test_legacy_h5(work: Path) -> None:
    h5py = pytest.importorskip("h5py")
    for name in ("keras2_sequential", "keras3_functional_residual"):
        with h5py.File(work / f"{name}.h5", "w") as handle:
            handle.attrs["model_config"] = (FIXTURES / f"{name}.json").read_text()
            handle.attrs["keras_version"] = "2.15.0"
        result = run("import", f"{name}.h5", "-o", f"{name}.yaml")
        assert result.exit_code == 0, result.stderr
        assert run("render", f"{name}.yaml").exit_code == 0
    h5 = (work / "keras2_sequential.yaml").read_text()
    assert h5.splitlines()[0].endswith("(Keras 2 .h5).")
    with h5py.File(work / "weights.h5", "w") as handle:
        handle["w"] = [1.0]
    result = run("import", "weights.h5", "-o", "w.yaml")
    assert result.exit_code == 1
    assert "no model_config: a weights-only file?" in result.stderr


def test_a_layer_that_cannot_read_its_input_is_a_located_error(work: Path) -> None:
    config = json.loads((FIXTURES / "keras3_mlp.json").read_text())
    config["config"]["layers"][2] = {"class_name": "LSTM", "config": {"name": "lstm", "units": 8}}
    Path("lstm.json").write_text(json.dumps(config))
    result = run("import", "lstm.json", "-o", "x.yaml")
    assert result.exit_code == 1
    assert result.stderr.startswith(  # an LSTM over a vector: a located error, not a crash
        "error: lstm.json: the imported spec does not load: <spec imported from lstm.json>:"
    )
    assert "'lstm' (lstm) reads a sequence [length, features], and gets the vector 300" in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("model.txt", b"hello", "error: model.txt: unknown model format (nnsvg imports"),
        ("bad.json", b'{"class_name": "Sequential",\n  "config": }', "error: bad.json:2:13: "
         "not valid JSON: Expecting value"),
        ("x.json", b'{"a": 1}', "error: x.json: not a Keras model config"),
        ("empty.keras", b"PK\x03\x04garbage", "error: empty.keras: not a readable .keras file"),
        ("missing.keras", None, "error: missing.keras: cannot read the model:"),
    ],
)  # fmt: skip
def test_bad_files_are_clear_errors(work: Path, name: str, data: bytes | None, message: str):
    if data is not None:
        Path(name).write_bytes(data)
    result = run("import", name, "-o", "out.yaml")
    assert result.exit_code == 1
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr
    assert not (work / "out.yaml").exists()


def test_a_zip_without_config_json(work: Path) -> None:
    with zipfile.ZipFile("w.keras", "w") as archive:
        archive.writestr("model.weights.h5", b"")
    result = run("import", "w.keras", "-o", "out.yaml")
    assert result.stderr.startswith("error: w.keras: a zip without config.json")


def test_no_overwrite_without_force(work: Path) -> None:
    Path("mine.yaml").write_text("layers: [1]\n")
    model = FIXTURES / "keras3_mlp.json"
    result = run("import", model, "-o", "mine.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "usage error: mine.yaml exists; use --force to overwrite it"
    ]
    assert Path("mine.yaml").read_text() == "layers: [1]\n"
    result = run("import", model, "-o", "mine.yaml", "--force")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "wrote mine.yaml (3 layers, style fcnn); render it with: nnsvg render mine.yaml"
    ]


def test_style_must_be_known(work: Path) -> None:
    result = run("import", FIXTURES / "keras3_mlp.json", "-o", "x.yaml", "--style", "vgg")
    assert result.exit_code == 1
    assert "unknown style 'vgg' (must be one of" in result.stderr


def test_the_cli_loads_no_importer() -> None:
    code = (
        "import sys, nnsvg.cli; "
        "print(sorted(m for m in ('onnx', 'h5py', 'nnsvg.importers') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_an_unzipped_keras_folder(work: Path) -> None:
    Path("saved").mkdir()
    Path("saved/config.json").write_text((FIXTURES / "keras3_sequential_cnn.json").read_text())
    result = run("import", "saved", "-o", "s.yaml")
    assert result.exit_code == 0, result.stderr
    assert "(Keras 3 JSON)" in Path("s.yaml").read_text()


def _mutations(value, draw):
    """The config with one value somewhere replaced by another JSON value."""
    st = pytest.importorskip("hypothesis.strategies")
    if isinstance(value, dict) and value and draw(st.integers(0, 3)):
        key = draw(st.sampled_from(sorted(value)))
        return {**value, key: _mutations(value[key], draw)}
    if isinstance(value, list) and value and draw(st.integers(0, 3)):
        k = draw(st.integers(0, len(value) - 1))
        return [*value[:k], _mutations(value[k], draw), *value[k + 1 :]]
    leaf = st.one_of(st.none(), st.booleans(), st.integers(-3, 40), st.text(max_size=5))
    return draw(st.one_of(leaf, st.lists(leaf, max_size=3), st.dictionaries(st.text(), leaf)))


def test_damaged_configs_are_errors_never_crashes(tmp_path: Path) -> None:
    """A JSON config edited into anything: imported, or an NnsvgError; never another
    exception (which the CLI would report as a bug)."""
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")
    from nnsvg.errors import NnsvgError

    @hypothesis.settings(max_examples=150, deadline=None)
    @hypothesis.given(st.sampled_from(BUILT), st.data())
    def check(name: str, data) -> None:
        config = json.loads((FIXTURES / f"{name}.json").read_text())
        path = tmp_path / "m.json"
        path.write_text(json.dumps(_mutations(config, data.draw)))
        with contextlib.suppress(NnsvgError):
            import_model(path)

    check()


def test_nested_functional_model_with_names_it_shares(work: Path) -> None:
    """A backbone model inside a model (transfer learning); both have a layer 'conv'."""
    text = import_model(FIXTURES / "keras3_nested_functional.json").text
    layers = yaml.safe_load(text)["layers"]
    assert [x["label"] for x in layers] == ["conv", "conv_b", "add", "pool", "conv_2", "gap",
                                            "classes"]  # fmt: skip
    assert layers[2]["from"] == ["conv", "conv_b"]
    assert "the nested model 'backbone' is drawn as its layers" in text


def test_a_1d_sequence_model(work: Path) -> None:
    def layer(cls: str, **config) -> dict:
        return {"module": "keras.layers", "class_name": cls, "config": config}

    model = {"module": "keras", "class_name": "Sequential", "config": {"name": "seq", "layers": [
        layer("InputLayer", batch_shape=[None, 100, 16], name="signal"),
        layer("Conv1D", name="c1", filters=32, kernel_size=[5], strides=[1], padding="valid",
              dilation_rate=[2], activation="relu"),
        layer("MaxPooling1D", name="p1", pool_size=[2], strides=[2], padding="valid"),
        layer("Conv1D", name="c2", filters=8, kernel_size=[3], strides=[2], padding="same",
              activation="linear"),
        layer("GlobalAveragePooling1D", name="gap"),
        layer("Dense", name="out", units=3, activation="softmax"),
    ]}}  # fmt: skip
    Path("seq.json").write_text(json.dumps(model))
    assert run("import", "seq.json", "-o", "seq.yaml").exit_code == 0
    layers = _layers(work / "seq.yaml")
    assert layers[0] == {"type": "conv", "filters": 32, "kernel": 5, "dilation": 2,
                         "activation": "relu", "label": "c1"}  # fmt: skip
    assert layers[2]["stride"] == 2 and layers[2]["padding"] == "same"
    assert layers[3] == {"type": "pool", "size": 23, "kind": "avg", "label": "gap"}
    assert run("render", "seq.yaml").exit_code == 0
