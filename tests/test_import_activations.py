"""``nnsvg import --activations SAMPLE``: a PyTorch model run on one input, each drawn
layer's feature map written as an .npy the LeNet style shows on its front map; the PNG
reader against Pillow's; other formats and styles are clear errors."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from nnsvg.importers.activations import _png
from tests.cli_run import run

REPO = Path(__file__).resolve().parent.parent
DIGIT = REPO / "specs" / "digit-7.png"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(REPO))
    return tmp_path


@pytest.mark.parametrize(("mode", "channels"), [("L", 1), ("RGB", 3), ("RGBA", 4), ("LA", 2)])
def test_png_reader_agrees_with_pillow(mode: str, channels: int) -> None:
    image_module = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(channels)
    # smooth and noisy parts: Pillow's adaptive filtering uses every filter type
    ramp = np.add.outer(np.arange(37), np.arange(23)) % 256
    pixels = np.stack([ramp] * channels, axis=2) if channels > 1 else ramp
    pixels = pixels.astype(np.uint8)
    pixels[:10] = rng.integers(0, 256, size=pixels[:10].shape)
    out = io.BytesIO()
    image_module.fromarray(pixels.squeeze(), mode).save(out, format="PNG")
    expected = pixels if channels == 1 else pixels[:, :, : 3 if channels >= 3 else 1]
    assert np.array_equal(_png(out.getvalue()), expected.squeeze())


def test_a_digit_through_lenet_shows_each_layers_maps(work: Path) -> None:
    torch = pytest.importorskip("torch")
    from tests import torch_models

    result = run("import", "torch:tests.torch_models:lenet", "--activations", DIGIT, "-o",
                 "lenet.yaml")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    spec = yaml.safe_load(Path("lenet.yaml").read_text())
    assert spec["style"] == "lenet"
    assert spec["input"]["image"] == "lenet-activations/01-input.npy"
    images = [layer.get("image") for layer in spec["layers"]]
    assert images == [
        "lenet-activations/02-conv2d0.npy", "lenet-activations/03-avgpool2d2.npy",
        "lenet-activations/04-conv2d3.npy", "lenet-activations/05-avgpool2d5.npy", None, None,
    ]  # fmt: skip
    sizes = [np.load(image).shape for image in images if image]
    assert sizes == [(28, 28), (14, 14), (10, 10), (5, 5)]
    # the first layer's map: the most varied channel of tanh(conv(x)), the model's own
    torch.manual_seed(0)
    model = torch_models.lenet().eval()
    digit = np.load("lenet-activations/01-input.npy")
    assert digit.shape == (28, 28) and digit.min() >= 0 and digit.max() <= 1
    with torch.no_grad():
        maps = model[:2](torch.from_numpy(digit)[None, None])[0].numpy()
    shown = np.load(images[0])
    assert any(np.allclose(shown, m, atol=1e-6) for m in maps)
    assert np.isclose(shown.std(), maps.reshape(6, -1).std(axis=1).max(), atol=1e-6)
    result = run("render", "lenet.yaml", "-o", "lenet.svg")
    assert result.exit_code == 0, result.stderr
    assert Path("lenet.svg").read_text().count("<image") == 5


def test_an_npy_sample_must_fit_the_input(work: Path) -> None:
    pytest.importorskip("torch")
    np.save("x.npy", np.zeros((3, 8, 8), dtype=np.float32))
    model = "torch:tests.torch_models:unet"
    result = run("import", model, "--activations", "x.npy", "-o", "u.yaml",
                 "--input-shape", "1,1,32,32")  # fmt: skip
    assert result.exit_code == 1
    assert "error: x.npy: --activations: the sample has shape [3, 8, 8]" in result.stderr
    np.save("x.npy", np.ones((1, 1, 32, 32), dtype=np.float32))
    result = run("import", model, "--activations", "x.npy", "-o", "u.yaml")
    assert result.exit_code == 0, result.stderr
    # the input and 6 layers: the concat is drawn as a sign, not as maps
    assert len(list(Path("u-activations").iterdir())) == 7
    result = run("import", model, "--activations", "x.npy", "-o", "u.yaml", "--force",
                 "--style", "blocks")  # fmt: skip
    assert result.exit_code == 1
    assert "feature maps are shown in the lenet style, not blocks" in result.stderr


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch's legacy ONNX exporter
def test_onnx_maps_come_from_onnxruntime_and_match_torchs(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnx")
    from tests import torch_models

    torch.manual_seed(0)
    torch.onnx.export(torch_models.lenet().eval(), (torch.zeros(1, 1, 28, 28),),
                      "lenet.onnx", dynamo=False)  # fmt: skip
    missing = monkeypatch.context()
    with missing as patch:
        patch.setitem(sys.modules, "onnxruntime", None)
        result = run("import", "lenet.onnx", "--activations", DIGIT, "-o", "o.yaml")
        assert result.exit_code == 1
        assert "running an ONNX model needs onnxruntime, which is not installed" in (result.stderr)
        assert not Path("o.yaml").exists() and not Path("o-activations").exists()
    pytest.importorskip("onnxruntime")
    result = run("import", "lenet.onnx", "--activations", DIGIT, "-o", "o.yaml")
    assert result.exit_code == 0, result.stderr
    result = run("import", "torch:tests.torch_models:lenet", "--activations", DIGIT, "-o",
                 "t.yaml")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    ours = sorted(Path("o-activations").iterdir())
    theirs = sorted(Path("t-activations").iterdir())
    assert len(ours) == len(theirs) == 5
    for a, b in zip(ours, theirs):
        assert np.allclose(np.load(a), np.load(b), atol=1e-5), (a.name, b.name)


def test_keras_and_damaged_samples_are_said_so(work: Path) -> None:
    keras = REPO / "tests" / "keras" / "keras3_sequential_cnn.json"
    np.save("x.npy", np.zeros((1, 28, 28, 1), dtype=np.float32))
    result = run("import", keras, "--activations", "x.npy", "-o", "k.yaml")
    assert result.exit_code == 1
    assert "no runtime for Keras files" in result.stderr
    assert not Path("k.yaml").exists() and not Path("k-activations").exists()
    Path("bad.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    result = run("import", keras, "--activations", "bad.png", "-o", "k.yaml")
    assert result.exit_code == 1 and "not a readable sample" in result.stderr


def test_a_pt2_program_runs_to_the_maps_the_model_gives(work: Path) -> None:
    torch = pytest.importorskip("torch")
    from tests import torch_models

    torch.manual_seed(0)  # the weights the factory's import makes (seeded alike)
    program = torch.export.export(torch_models.lenet().eval(), (torch.zeros(1, 1, 28, 28),))
    torch.export.save(program, "lenet.pt2")
    result = run("import", "lenet.pt2", "--activations", DIGIT, "-o", "p.yaml")
    assert result.exit_code == 0, result.stderr
    result = run("import", "torch:tests.torch_models:lenet", "--activations", DIGIT, "-o",
                 "t.yaml")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    ours, theirs = sorted(Path("p-activations").iterdir()), sorted(Path("t-activations").iterdir())
    assert [p.name for p in ours] == [p.name for p in theirs] and len(ours) == 5
    assert all(np.allclose(np.load(a), np.load(b), atol=1e-6) for a, b in zip(ours, theirs))
    # a program keeps the shape it was exported for
    np.save("x.npy", np.zeros((1, 1, 32, 32), dtype=np.float32))
    result = run("import", "lenet.pt2", "--activations", "x.npy", "-o", "q.yaml")
    assert result.exit_code == 1
    assert "exported for inputs of shape [1, 1, 28, 28], not [1, 1, 32, 32]" in result.stderr
