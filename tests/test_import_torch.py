"""``nnsvg import`` of PyTorch models of a few lines (tests/torch_models.py): a residual
net, a U-Net with torch.cat, a model with data-dependent control flow, an MLP with its
weights; ``.pt2`` files; pickles refused unless trusted. Skipped where torch is missing
(``pip install '.[test]'`` installs it)."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from nnsvg.errors import NnsvgError
from nnsvg.importers import import_model
from tests.cli_run import run

torch = pytest.importorskip("torch")

from tests import torch_models  # noqa: E402  (needs torch)

REPO = Path(__file__).resolve().parent.parent
SPECS = REPO / "specs"
MODELS = "torch:tests.torch_models"
SHAPES = {
    "tiny_resnet": "1,3,32,32",
    "unet": "1,1,32,32",
    "data_dependent": "1,3,16,16",
    "mlp": "2,4",
    "resnet18": "1,3,224,224",
}
# What a gallery spec adds to its import: how it is shown, not what the model is.
SHOWN = (
    "title",
    "width",
    "font_size",
    "direction",
    "wrap",
    "theme",
    "legend",
    "label",
    "node_labels",
)


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(REPO))  # tests.torch_models, importable from there
    return tmp_path


def _import(name: str, *args: str) -> dict[str, Any]:
    result = run("import", f"{MODELS}:{name}", "--input-shape", SHAPES[name], "-o",
                 f"{name}.yaml", *args)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return yaml.safe_load(Path(f"{name}.yaml").read_text())


def _render(spec: str, *styles: str) -> None:
    for style in styles:
        out = f"{Path(spec).stem}-{style}.svg"
        result = run("render", spec, "-o", out, "--style", style)
        assert result.exit_code == 0, (style, result.stderr)
        assert Path(out).read_text().startswith("<?xml")


def _export(name: str, path: str) -> None:
    """The model as a .pt2 file, exported on the shape the tests import it with."""
    model = getattr(torch_models, name)().eval()
    shape = [int(n) for n in SHAPES[name].split(",")]
    torch.export.save(torch.export.export(model, (torch.randn(*shape),)), path)


def test_a_residual_net_has_its_adds_and_folds_bn_and_relu(work: Path) -> None:
    spec = _import("tiny_resnet")
    text = Path("tiny_resnet.yaml").read_text()
    assert "# Folded into the layer they follow: 12 BatchNorm2d, 9 ReLU.\n" in text
    adds = [layer for layer in spec["layers"] if layer.get("type") == "add"]
    assert [a["from"] for a in adds] == [
        ["layer1.0.conv2", "maxpool"],
        ["layer2.0.conv2", "layer2.0.downsample.0"],
        ["layer3.0.conv2", "layer3.0.downsample.0"],
        ["layer4.0.conv2", "layer4.0.downsample.0"],
    ]
    assert all(a["activation"] == "relu" for a in adds)  # the ReLU after out += identity
    first = spec["layers"][0]
    assert first == {"type": "conv", "filters": 8, "kernel": 7, "stride": 2, "padding": 3,
                     "activation": "relu", "label": "conv1"}  # fmt: skip
    assert spec["layers"][-1] == {"type": "dense", "units": 10, "label": "fc"}
    _render("tiny_resnet.yaml", "lenet", "blocks")


def test_a_unet_joins_encoder_and_decoder_with_a_concat(work: Path) -> None:
    spec = _import("unet")
    kinds = [layer["type"] for layer in spec["layers"]]
    assert kinds == ["conv", "pool", "conv", "conv_transpose", "concat", "conv", "conv"]
    cat = spec["layers"][4]
    assert cat["from"] == ["up", "enc1.0"] and "axis" not in cat  # channels: nnsvg's default
    assert spec["layers"][3]["stride"] == 2
    _render("unet.yaml", "lenet", "blocks")


def test_data_dependent_control_flow_records_the_path_taken(work: Path) -> None:
    # fx tracing cannot follow it: the reason the importer runs the model instead.
    with pytest.raises(Exception, match="symbolically traced"):
        torch.fx.symbolic_trace(torch_models.data_dependent())
    spec = _import("data_dependent")
    text = Path("data_dependent.yaml").read_text()
    assert [layer.get("label") for layer in spec["layers"]] == [
        "conv", "big", "small", "add", "adaptive_avg_pool2d", "fc"
    ]  # fmt: skip
    # y.mean() > ...: computed, but the output does not depend on it
    assert "# Dropped (not drawn): 2 operations the output does not depend on.\n" in text
    assert spec["layers"][3]["from"] == ["big", "small"]
    # on a smaller input the other branch (no strided conv) is the one drawn
    result = run("import", f"{MODELS}:data_dependent", "--input-shape", "1,3,8,8", "-o",
                 "small.yaml")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    labels = [layer.get("label") for layer in yaml.safe_load(Path("small.yaml").read_text())[
        "layers"]]  # fmt: skip
    assert "big" not in labels and "small" in labels
    _render("data_dependent.yaml", "lenet")


@pytest.mark.parametrize("name", ["tiny_resnet", "unet"])
def test_a_pt2_file_imports_as_the_running_model_does(work: Path, name: str) -> None:
    eager = _import(name)
    _export(name, f"{name}.pt2")
    result = run("import", f"{name}.pt2", "-o", "exported.yaml")
    assert result.exit_code == 0, result.stderr
    text = Path("exported.yaml").read_text()
    assert "(torch.export, PyTorch 2." in text.splitlines()[0]
    assert yaml.safe_load(text) == eager
    # a .pt2 keeps the shapes it was exported for
    result = run("import", f"{name}.pt2", "-o", "other.yaml", "--input-shape", "1,3,64,64")
    assert result.exit_code == 1
    assert "exported for inputs of shape" in result.stderr


def test_mlp_weights_are_transposed_and_batch_norm_is_folded(work: Path) -> None:
    torch.manual_seed(3)
    model = torch_models.mlp()
    model.train()
    with torch.no_grad():  # batch statistics that are not 0 and 1
        for _ in range(4):
            model(torch.randn(64, 4) * 3 + 1)
    model.eval()
    torch.export.save(torch.export.export(model, (torch.randn(2, 4),)), "mlp.pt2")
    result = run("import", "mlp.pt2", "-o", "mlp.yaml", "--weights", "mlp.npz")
    assert result.exit_code == 0, result.stderr
    spec = yaml.safe_load(Path("mlp.yaml").read_text())
    assert spec["style"] == "fcnn" and spec["weights"] == "mlp.npz"
    assert [layer["units"] for layer in spec["layers"]] == [4, 16, 3]
    arrays = np.load("mlp.npz")
    assert list(arrays) == ["linear0.weight", "linear0.bias", "linear3.weight", "linear3.bias"]
    assert arrays["linear0.weight"].shape == (4, 16)  # [in, out]: torch's [out, in] turned
    x = np.random.default_rng(0).normal(size=(5, 4))
    hidden = np.maximum(x @ arrays["linear0.weight"] + arrays["linear0.bias"], 0)
    logits = hidden @ arrays["linear3.weight"] + arrays["linear3.bias"]
    expected = model[:4](torch.tensor(x, dtype=torch.float32)).detach().numpy()
    assert np.allclose(logits, expected, atol=1e-5)
    # the running model gives the same matrices
    result = run("import", f"{MODELS}:mlp", "--input-shape", "2,4", "-o", "m2.yaml",
                 "--weights", "m2.npz")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert Path("m2.yaml").read_text().count("units") == 3


def test_functions_outside_modules_are_layers_too(work: Path) -> None:
    Path("funcs.py").write_text(
        "import torch\n"
        "import torch.nn.functional as F\n"
        "class Net(torch.nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.w = torch.nn.Parameter(torch.randn(4, 3, 3, 3))\n"
        "        self.fc = torch.nn.Parameter(torch.randn(5, 4))\n"
        "    def forward(self, x):\n"
        "        x = F.conv2d(F.pad(x, (1, 1, 1, 1)), self.w)\n"
        "        x = F.max_pool2d(torch.relu(x), 2)\n"
        "        x = F.interpolate(x, scale_factor=2)\n"
        "        x = x.mean((2, 3))\n"
        "        return F.linear(x.view(x.size(0), -1), self.fc)\n"
    )
    result = run("import", "torch:funcs:Net", "--input-shape", "1,3,8,8", "-o", "f.yaml")
    assert result.exit_code == 0, result.stderr
    layers = yaml.safe_load(Path("f.yaml").read_text())["layers"]
    assert [(layer["type"], layer.get("padding"), layer.get("size")) for layer in layers] == [
        ("conv", 1, None), ("pool", None, 2), ("upsample", None, 2), ("pool", None, 8),
        ("dense", None, None),
    ]  # fmt: skip
    assert layers[0]["activation"] == "relu"


def test_an_operation_nnsvg_has_no_layer_for_is_a_generic_block(work: Path) -> None:
    Path("odd.py").write_text(
        "import torch\n"
        "net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.PixelShuffle(2))\n"
    )
    result = run("import", "torch:odd:net", "--input-shape", "1,3,8,8", "-o", "odd.yaml")
    assert result.exit_code == 0, result.stderr
    spec = yaml.safe_load(Path("odd.yaml").read_text())
    assert spec["style"] == "blocks"
    assert spec["layers"][-1] == {"name": "pixelshuffle1", "type": "op", "shape": [12, 12, 1],
                                  "label": "PixelShuffle"}  # fmt: skip
    _render("odd.yaml", "blocks")


def test_pickled_models_need_trust(work: Path) -> None:
    torch.save(torch_models.unet(), "unet.pt")
    result = run("import", "unet.pt", "-o", "u.yaml", "--input-shape", "1,1,32,32")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: unet.pt: a pickled model: loading it runs code")
    assert "--trust" in result.stderr and not Path("u.yaml").exists()
    result = run("import", "unet.pt", "-o", "u.yaml", "--input-shape", "1,1,32,32", "--trust")
    assert result.exit_code == 0, result.stderr
    assert len(yaml.safe_load(Path("u.yaml").read_text())["layers"]) == 7
    torch.save(torch_models.unet().state_dict(), "weights.pth")
    result = run("import", "weights.pth", "-o", "w.yaml", "--input-shape", "1,1,32,32")
    assert result.exit_code == 1
    assert "holds weights (a state dict), not a model" in result.stderr


@pytest.mark.parametrize(
    ("model", "args", "message"),
    [
        (f"{MODELS}:unet", [], "needs --input-shape"),
        (f"{MODELS}:unet", ["--input-shape", "1,3,32,32"], "running the model on an input of"),
        (f"{MODELS}:nothing", ["--input-shape", "1,4"], "'tests.torch_models' has no 'nothing'"),
        ("torch:no_such_module:f", ["--input-shape", "1,4"], "cannot import 'no_such_module'"),
        ("torch:tests.torch_models", ["--input-shape", "1,4"], "torch:package.module:factory"),
        (f"{MODELS}:__all__", ["--input-shape", "1,4"], "neither a model nor a function"),
        (f"{MODELS}:BasicBlock", ["--input-shape", "1,4"], "calling 'BasicBlock()' failed"),
        ("missing.pt2", [], "no such file"),
        ("bad.pt2", [], "not a readable torch.export file"),
    ],
)
def test_bad_models_are_located_errors(work: Path, model: str, args: list, message: str) -> None:
    Path("bad.pt2").write_bytes(b"PK\x03\x04 not really")
    result = run("import", model, "-o", "m.yaml", *args)
    assert result.exit_code == 1, result.stdout
    assert result.stderr.startswith(f"error: {model}: "), result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not Path("m.yaml").exists()


def test_missing_torch_names_the_extra(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(NnsvgError, match=r"pip install 'nnsvg\[torch\]'"):
        import_model(f"{MODELS}:unet", input_shape=(1, 1, 32, 32))


def test_help_does_not_import_torch() -> None:
    code = (
        "import sys\nfrom nnsvg.cli import app\n"
        "try:\n    app(['import', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('torch', 'onnx', 'h5py') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO
    )
    assert proc.returncode == 0, proc.stderr
    assert "torch:package.module:factory" in proc.stdout
    assert proc.stdout.strip().endswith("[]")


def _shown(spec: dict[str, Any]) -> dict[str, Any]:
    """A spec without what only shows it (labels, title, width...): the model itself."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in SHOWN}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(spec)


def test_the_gallery_resnet18_is_its_import(work: Path) -> None:
    """specs/resnet18.yaml is `nnsvg import torch:tests.torch_models:resnet18 --style
    blocks` plus how the gallery shows it; the alexnet style draws the import too."""
    committed = (SPECS / "resnet18.yaml").read_text()
    imported = _import("resnet18", "--style", "blocks")
    assert _shown(yaml.safe_load(committed)) == _shown(imported)
    assert committed.startswith(Path("resnet18.yaml").read_text().split("style:")[0])
    _import("resnet18", "--style", "alexnet", "--force")
    result = run("render", "resnet18.yaml", "-o", "r.svg")
    assert result.exit_code == 0, result.stderr
    assert Path("r.svg").read_text().count(">+</text>") == 8  # the eight residual adds


def test_the_gallery_iris_mlp_is_its_import_with_weights(work: Path) -> None:
    """specs/iris-mlp-trained.yaml and .npz are the import of specs/iris-mlp-trained.pt2
    (made by scripts/train_iris_mlp.py) with its weights."""
    model = SPECS / "iris-mlp-trained.pt2"
    result = run("import", model, "-o", "iris.yaml", "--weights", "iris-mlp-trained.npz")
    assert result.exit_code == 0, result.stderr
    imported = yaml.safe_load(Path("iris.yaml").read_text())
    committed = yaml.safe_load((SPECS / "iris-mlp-trained.yaml").read_text())
    assert _shown(committed) == _shown(imported)
    ours, theirs = np.load("iris-mlp-trained.npz"), np.load(SPECS / "iris-mlp-trained.npz")
    assert list(ours) == list(theirs)
    assert all(np.array_equal(ours[k], theirs[k]) for k in ours)


def test_sequence_models_are_blocks_with_their_shapes(work: Path) -> None:
    Path("seq.py").write_text(
        "import torch\n"
        "nn = torch.nn\n"
        "class Tagger(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.emb = nn.Embedding(100, 8)\n"
        "        self.lstm = nn.LSTM(8, 16, batch_first=True, bidirectional=True)\n"
        "        self.fc = nn.Linear(32, 3)\n"
        "    def forward(self, x):\n"
        "        y, _ = self.lstm(self.emb(x))\n"
        "        return self.fc(y[:, -1])\n"
        "class Encoder(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.emb = nn.Embedding(100, 16)\n"
        "        self.enc = nn.TransformerEncoderLayer(16, 4, 32, batch_first=True)\n"
        "    def forward(self, x):\n"
        "        return self.enc(self.emb(x))\n"
    )
    result = run("import", "torch:seq:Tagger", "--input-shape", "1,10", "-o", "t.yaml")
    assert result.exit_code == 0, result.stderr
    spec = yaml.safe_load(Path("t.yaml").read_text())
    assert spec["style"] == "blocks" and spec["input"]["shape"] == [10]  # token ids
    assert spec["layers"][:2] == [
        {"type": "embedding", "units": 8, "vocab": 100, "label": "emb"},
        {"type": "lstm", "units": 32, "label": "Bidirectional LSTM"},
    ]
    result = run("import", "torch:seq:Encoder", "--input-shape", "1,10", "-o", "e.yaml")
    assert result.exit_code == 0, result.stderr
    layers = yaml.safe_load(Path("e.yaml").read_text())["layers"]
    assert layers[1] == {"name": "enc.self_attn", "type": "attention", "heads": 4,
                         "label": "enc.self_attn"}  # fmt: skip
    # a Linear along the last axis: a generic block that keeps the length
    assert layers[4]["shape"] == [10, 32] and layers[4]["label"] == "Linear"
    _render("t.yaml", "blocks")
    _render("e.yaml", "blocks")


def test_a_sequence_model_imports_alike_batch_first_or_not_running_or_exported(
    work: Path,
) -> None:
    """An Embedding-LSTM classifier, with ``batch_first`` true and false, run or read from
    a .pt2 file: all four give the same layers, drawn as (length, features). Before, the
    sequence-first model had an input of shape [1] (the batch), and a .pt2 file's
    embedding and LSTM were generic blocks of shapes [16, 12] (length and features
    swapped, as if channels first)."""
    Path("seqs.py").write_text(
        "import torch\n"
        "nn = torch.nn\n"
        "class Net(nn.Module):\n"
        "    def __init__(self, batch_first=True):\n"
        "        super().__init__()\n"
        "        self.emb = nn.Embedding(100, 16)\n"
        "        self.lstm = nn.LSTM(16, 32, num_layers=2, batch_first=batch_first)\n"
        "        self.fc = nn.Linear(32, 5)\n"
        "        self.first = batch_first\n"
        "    def forward(self, x):\n"
        "        h, _ = self.lstm(self.emb(x))\n"
        "        return self.fc(h[:, -1] if self.first else h[-1])\n"
        "def batch_first():\n"
        "    return Net(True)\n"
        "def sequence_first():\n"
        "    return Net(False)\n"
        "def export():\n"
        "    for name, shape in (('batch_first', (1, 12)), ('sequence_first', (12, 1))):\n"
        "        model = globals()[name]().eval()\n"
        "        x = torch.randint(0, 100, shape)\n"
        "        torch.export.save(torch.export.export(model, (x,)), name + '.pt2')\n"
    )
    runpy.run_path("seqs.py")["export"]()
    sources = [
        ("torch:seqs:batch_first", "--input-shape", "1,12"),
        ("torch:seqs:sequence_first", "--input-shape", "12,1"),
        ("batch_first.pt2",),
        ("sequence_first.pt2",),
    ]
    seen = []
    for k, source in enumerate(sources):
        result = run("import", *source, "-o", f"s{k}.yaml")
        assert result.exit_code == 0, result.stderr
        spec = yaml.safe_load(Path(f"s{k}.yaml").read_text())
        assert spec["input"]["shape"] == [12], source
        layers = [{key: v for key, v in x.items() if key != "label"} for x in spec["layers"]]
        assert layers[0] == {"type": "embedding", "units": 16, "vocab": 100}, source
        assert layers[1] == {"type": "lstm", "units": 32}, source
        assert spec["layers"][1]["label"] == "LSTM ×2", source
        assert layers[-1] == {"type": "dense", "units": 5}, source
        seen.append(layers[:2] + layers[-1:])
        _render(f"s{k}.yaml", "blocks")
    assert all(s == seen[0] for s in seen)
