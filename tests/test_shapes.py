"""Tests for shape inference (nnsvg.spec.shapes).

Reference networks are checked against their published layer sizes; every error
is asserted as the full one-line message the user sees,
``file:line:col: field: what is wrong``.
"""

from __future__ import annotations

import doctest
import json
import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnsvg.spec.shapes
from nnsvg.errors import LimitError, SpecError
from nnsvg.pipeline import load_spec
from nnsvg.spec.model import InputSpec, Layer, Spec
from nnsvg.spec.shapes import (
    MAX_DIM,
    MAX_ELEMENTS,
    conv_size,
    format_shape,
    infer_shapes,
    transposed_size,
)


def shapes_of(text: str, file: str = "spec.yaml") -> list[str]:
    return [format_shape(shape) for shape in infer_shapes(load_spec(file, text=text))]


def error_of(text: str, file: str = "spec.yaml", cls: type[SpecError] = SpecError) -> str:
    spec = load_spec(file, text=text)
    with pytest.raises(cls) as info:
        infer_shapes(spec)
    return str(info.value)


def test_doctests() -> None:
    result = doctest.testmod(nnsvg.spec.shapes)
    assert result.attempted > 0
    assert result.failed == 0


# --------------------------------------------------------------------------- size formulas


@pytest.mark.parametrize(
    ("args", "size"),
    [
        ((32, 5), 28),
        ((28, 2, 2), 14),
        ((224, 7, 2, 3), 112),  # ResNet stem
        ((112, 3, 2, 1), 56),  # ResNet max-pool
        ((10, 3, 1, 0, 2), 6),
        ((10, 3, 1, 2, 2), 10),
        ((7, 3, 2, "same"), 4),
        ((7, 7, 2, "same", 3), 4),  # "same" ignores the kernel
        ((7, 3, 2, "valid"), 3),
        ((5, 5), 1),
        ((4, 5), 0),
        ((4, 7), -2),
    ],
)
def test_conv_size(args: tuple[int | str, ...], size: int) -> None:
    assert conv_size(*args) == size  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "size"),
    [
        ((7, 4, 2, 1), 14),
        ((7, 3, 2, 1, 1, 1), 14),
        ((7, 3, 2, 0), 15),
        ((7, 5, 2, "same"), 14),
        ((7, 3, 2, "valid"), 15),
        ((4, 3, 1, 0, 2), 8),
        ((1, 1, 1, 1), -1),
    ],
)
def test_transposed_size(args: tuple[int | str, ...], size: int) -> None:
    assert transposed_size(*args) == size  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "call",
    [
        lambda: conv_size(0, 3),
        lambda: conv_size(5, 0),
        lambda: conv_size(5, 3, 0),
        lambda: conv_size(5, 3, 1, -1),
        lambda: conv_size(5, 3, 1, "full"),
        lambda: conv_size(5, 3, 1, 0, 0),
        lambda: transposed_size(5, 3, output_padding=-1),
        lambda: transposed_size(5, 3, 1, "causal"),
    ],
)
def test_size_formulas_reject_bad_arguments(call: object) -> None:
    with pytest.raises(ValueError):
        call()  # type: ignore[operator]


def test_format_shape() -> None:
    assert format_shape((28, 28, 6)) == "28×28×6"
    assert format_shape((100, 16)) == "100×16"
    assert format_shape((120,)) == "120"
    assert format_shape([5, 5, 16]) == "5×5×16"


# --------------------------------------------------------------------------- networks

LENET5 = """\
title: LeNet-5 (LeCun et al. 1998)
input: [32, 32, 1]
layers:
  - {type: conv, filters: 6, kernel: 5, label: C1}
  - {type: pool, size: 2, kind: avg, label: S2}
  - {type: conv, filters: 16, kernel: 5, label: C3}
  - {type: pool, size: 2, kind: avg, label: S4}
  - {type: conv, filters: 120, kernel: 5, label: C5}
  - {units: 84, label: F6}
  - {units: 10, label: OUTPUT}
"""


def test_lenet5() -> None:
    assert shapes_of(LENET5) == ["28×28×6", "14×14×6", "10×10×16", "5×5×16", "1×1×120", "84", "10"]


def test_lenet5_with_flatten_and_dense_c5() -> None:
    text = """\
input: [32, 32, 1]
layers:
  - {type: conv, filters: 6, kernel: 5}
  - {type: pool}
  - {type: conv, filters: 16, kernel: 5}
  - {type: pool}
  - {type: flatten}
  - 120
  - 84
  - 10
"""
    assert shapes_of(text) == ["28×28×6", "14×14×6", "10×10×16", "5×5×16", "400", "120", "84", "10"]


def test_lenet5_explicit_shapes_agree() -> None:
    text = """\
input: [32, 32, 1]
layers:
  - {type: conv, filters: 6, kernel: 5, shape: [28, 28, 6]}
  - {type: pool, size: 2, shape: [14, 14, 6]}
  - {type: conv, filters: 16, kernel: 5, shape: [10, 10, 16]}
  - {type: pool, shape: [5, 5, 16]}
  - {type: flatten, shape: [400]}
  - {units: 120, shape: [120]}
  - {type: dense, shape: [84]}
"""
    assert shapes_of(text) == ["28×28×6", "14×14×6", "10×10×16", "5×5×16", "400", "120", "84"]


ALEXNET = """\
input: [227, 227, 3]
layers:
  - {type: conv, filters: 96, kernel: 11, stride: 4}
  - {type: pool, size: 3, stride: 2}
  - {type: conv, filters: 256, kernel: 5, padding: 2}
  - {type: pool, size: 3, stride: 2}
  - {type: conv, filters: 384, kernel: 3, padding: 1}
  - {type: conv, filters: 384, kernel: 3, padding: 1}
  - {type: conv, filters: 256, kernel: 3, padding: 1}
  - {type: pool, size: 3, stride: 2}
  - {type: flatten}
  - 4096
  - 4096
  - 1000
"""


def test_alexnet() -> None:
    assert shapes_of(ALEXNET) == [
        "55×55×96",
        "27×27×96",
        "27×27×256",
        "13×13×256",
        "13×13×384",
        "13×13×384",
        "13×13×256",
        "6×6×256",
        "9216",
        "4096",
        "4096",
        "1000",
    ]


def test_alexnet_as_json() -> None:
    data = {"input": [227, 227, 3], "layers": [{"type": "conv", "filters": 96, "kernel": 11}]}
    data["layers"][0]["stride"] = 4
    assert shapes_of(json.dumps(data), "net.json") == ["55×55×96"]


def test_vgg_block_with_padding_same() -> None:
    text = """\
input: [224, 224, 3]
layers:
  - {type: conv, filters: 64, kernel: 3, padding: same}
  - {type: conv, filters: 64, kernel: 3, padding: same}
  - {type: pool, size: 2}
  - {type: conv, filters: 128, kernel: 3, padding: same}
  - {type: conv, filters: 128, kernel: 3, padding: [1, 1]}
  - {type: pool, size: 2, stride: 2}
"""
    assert shapes_of(text) == [
        "224×224×64",
        "224×224×64",
        "112×112×64",
        "112×112×128",
        "112×112×128",
        "56×56×128",
    ]


def test_conv1d() -> None:
    text = """\
input: [100, 16]
layers:
  - {type: conv1d, filters: 32, kernel: 5}
  - {type: pool, size: 2}
  - {type: conv, filters: 64, kernel: [3], padding: same, stride: 2}
  - {type: upsample, size: [3]}
  - {type: flatten}
  - 10
"""
    assert shapes_of(text) == ["96×32", "48×32", "24×64", "72×64", "4608", "10"]


def test_transposed_convolutions() -> None:
    text = """\
input: [7, 7, 64]
layers:
  - {type: conv_transpose, filters: 32, kernel: 4, stride: 2, padding: 1}
  - {type: conv_transpose, filters: 16, kernel: 3, stride: 2, padding: 1, output_padding: 1}
  - {type: deconv, filters: 3, kernel: 5, stride: 2, padding: same}
  - {type: conv_transpose, filters: 3, kernel: 3}
  - {type: conv_transpose, filters: 3, kernel: 3, stride: [1, 2], padding: valid}
"""
    assert shapes_of(text) == ["14×14×32", "28×28×16", "56×56×3", "58×58×3", "60×117×3"]


def test_dilation() -> None:
    text = """\
input: [32, 32, 8]
layers:
  - {type: conv, filters: 8, kernel: 3, dilation: 2}
  - {type: conv, filters: 8, kernel: 3, dilation: 2, padding: 2}
  - {type: conv, filters: 8, kernel: 3, dilation: [1, 4]}
  - {type: conv_transpose, filters: 8, kernel: 3, dilation: 2}
"""
    assert shapes_of(text) == ["28×28×8", "28×28×8", "26×20×8", "30×24×8"]


def test_asymmetric_kernel_and_stride() -> None:
    text = """\
input: [28, 28, 1]
layers:
  - {type: conv, filters: 4, kernel: [3, 5], stride: [1, 2]}
  - {type: conv, filters: 4, kernel: [1, 3], padding: [0, 1]}
  - {type: pool, size: [2, 1]}
"""
    assert shapes_of(text) == ["26×12×4", "26×12×4", "13×12×4"]


def test_padding_same_with_stride_2_on_odd_sizes() -> None:
    text = """\
input: [7, 5, 3]
layers:
  - {type: conv, filters: 8, kernel: 3, stride: 2, padding: same}
  - {type: conv, filters: 8, kernel: 3, stride: 2, padding: same}
  - {type: pool, size: 2, padding: same}
"""
    # ceil(7/2)=4, ceil(5/2)=3; ceil(4/2)=2, ceil(3/2)=2; ceil(2/2)=1, ceil(2/2)=1
    assert shapes_of(text) == ["4×3×8", "2×2×8", "1×1×8"]


def test_upsample() -> None:
    text = """\
input: [7, 7, 64]
layers:
  - {type: upsample}
  - {type: upsample, size: 3}
  - {type: upsample, size: [1, 2]}
  - {type: upsample, shape: [50, 90, 64]}
"""
    assert shapes_of(text) == ["14×14×64", "42×42×64", "42×84×64", "50×90×64"]


def test_nn_svg_default_lenet_with_shape_only_layers() -> None:
    text = """\
style: lenet
layers:
  - {type: conv, shape: [128, 128, 8]}
  - {type: pool, shape: [64, 64, 8]}
  - {type: conv, shape: [48, 48, 24]}
  - {type: pool, shape: [16, 16, 24]}
  - 256
  - 128
"""
    assert shapes_of(text) == ["128×128×8", "64×64×8", "48×48×24", "16×16×24", "256", "128"]


def test_shape_only_layers_after_an_input() -> None:
    text = """\
input: [32, 32, 3]
layers:
  - {type: conv, filters: 6, shape: [30, 30, 6]}
  - {type: conv_transpose, shape: [60, 60, 3]}
  - {type: pool, shape: [20, 20, 3]}
  - {type: dense, shape: [10]}
"""
    assert shapes_of(text) == ["30×30×6", "60×60×3", "20×20×3", "10"]


def test_conv_with_kernel_and_shape_but_no_filters_takes_the_channels_from_the_shape() -> None:
    text = """\
input: [32, 32, 3]
layers:
  - {type: conv, kernel: 3, shape: [30, 30, 12]}
"""
    assert shapes_of(text) == ["30×30×12"]


def test_dense_networks() -> None:
    assert shapes_of("layers: [784, 300, 10]\n") == ["784", "300", "10"]
    assert shapes_of("layers:\n  - {type: dense, shape: [784]}\n  - 10\n") == ["784", "10"]
    assert shapes_of("input: [784]\nlayers: [300, 10]\n") == ["300", "10"]
    assert shapes_of("input: {shape: [8, 8, 2]}\nlayers: [{type: flatten}, 10]\n") == ["128", "10"]
    assert shapes_of("input: [8, 8, 2]\nlayers: [10, {type: flatten}]\n") == ["10", "10"]


def test_first_layer_with_a_shape_and_no_input() -> None:
    text = """\
layers:
  - {type: upsample, shape: [100, 4]}
  - {type: pool}
"""
    assert shapes_of(text) == ["100×4", "50×4"]


# --------------------------------------------------------------------------- errors

ERROR_CASES = [
    (
        "shape-disagrees",
        """\
input: [32, 32, 1]
layers:
  - {type: conv, filters: 6, kernel: 5}
  - {type: pool, size: 2}
  - {type: conv, filters: 16, kernel: 5, shape: [12, 12, 16], label: C3}
""",
        "spec.yaml:5:49: layers[2].shape: says 12×12×16, but 'C3' (conv) gives 10×10×16 "
        "(kernel 5, stride 1, padding 0 on a 14×14×6 input); fix 'shape' or the layer's "
        "parameters, or leave 'shape' out",
    ),
    (
        "shape-disagrees-unlabelled-pool",
        """\
input: [28, 28, 6]
layers:
  - {type: pool, size: 2,
     shape: [13, 14, 6]}
""",
        "spec.yaml:4:13: layers[0].shape: says 13×14×6, but layer 0 (pool) gives 14×14×6 "
        "(window 2, stride 2, padding 0 on a 28×28×6 input); fix 'shape' or the layer's "
        "parameters, or leave 'shape' out",
    ),
    (
        "shape-disagrees-flatten",
        "input: [5, 5, 16]\nlayers:\n  - {type: flatten, shape: [401]}\n",
        "spec.yaml:3:28: layers[0].shape: says 401, but layer 0 (flatten) gives 400 "
        "(flattening a 5×5×16 input); fix 'shape' or the layer's parameters, or leave "
        "'shape' out",
    ),
    (
        "shape-disagrees-dense-units",
        "layers:\n  - {units: 10, shape: [12], label: out}\n",
        "spec.yaml:2:24: layers[0].shape: says 12, but 'out' (dense) gives 10 (units 10); fix "
        "'shape' or the layer's parameters, or leave 'shape' out",
    ),
    (
        "shape-disagrees-upsample",
        "input: [7, 7, 4]\nlayers:\n  - {type: upsample, size: 2, shape: [7, 7, 4]}\n",
        "spec.yaml:3:38: layers[0].shape: says 7×7×4, but layer 0 (upsample) gives 14×14×4 "
        "(factor 2 on a 7×7×4 input); fix 'shape' or the layer's parameters, or leave 'shape' "
        "out",
    ),
    (
        "shape-disagrees-transposed",
        "input: [7, 7, 64]\nlayers:\n"
        "  - {type: conv_transpose, filters: 3, kernel: 3, stride: 2, output_padding: 1,"
        " shape: [14, 14, 3]}\n",
        "spec.yaml:3:88: layers[0].shape: says 14×14×3, but layer 0 (conv_transpose) gives "
        "16×16×3 (kernel 3, stride 2, padding 0, output_padding 1 on a 7×7×64 input); fix "
        "'shape' or the layer's parameters, or leave 'shape' out",
    ),
    (
        "shape-disagrees-filters",
        "input: [32, 32, 3]\nlayers:\n  - {type: conv, filters: 8, shape: [30, 30, 6]}\n",
        "spec.yaml:3:37: layers[0].shape: says 30×30×6 (6 channels), but layer 0 (conv) has "
        "filters 8; the channels are the number of filters",
    ),
    (
        "shrink-to-zero",
        """\
input: [16, 16, 1]
layers:
  - {type: conv, filters: 6, kernel: 5}
  - {type: pool, size: 3}
  - {type: conv, filters: 16, kernel: 5}
""",
        "spec.yaml:5:5: layers[2]: the output of layer 2 (conv) would be 0×0 (kernel 5, "
        "stride 1, padding 0 on a 4×4×6 input): the map shrank to nothing; use padding or a "
        "smaller kernel",
    ),
    (
        "shrink-below-zero-labelled-dilated",
        "input: [4, 9, 1]\nlayers:\n  - {type: conv, filters: 2, kernel: 3, dilation: 3, "
        "label: big}\n",
        "spec.yaml:3:5: layers[0]: the output of 'big' (conv) would be 0×3 (kernel 3, "
        "stride 1, padding 0, dilation 3 on a 4×9×1 input): the map shrank to nothing; use "
        "padding or a smaller kernel",
    ),
    (
        "stride-larger-than-input",
        "input: [1, 1, 256]\nlayers:\n  - {type: pool, size: 2, stride: 4}\n",
        "spec.yaml:3:5: layers[0]: the output of layer 0 (pool) would be 0×0 (window 2, "
        "stride 4, padding 0 on a 1×1×256 input): the map shrank to nothing; use a smaller "
        "window (size) or padding: same",
    ),
    (
        "transposed-padding-eats-output",
        "input: [1, 1, 8]\nlayers:\n  - {type: conv_transpose, filters: 4, kernel: 1, "
        "padding: 1}\n",
        "spec.yaml:3:5: layers[0]: the output of layer 0 (conv_transpose) would be 0×0 "
        "(kernel 1, stride 1, padding 1 on a 1×1×8 input): the map shrank to nothing; use "
        "less padding",
    ),
    (
        "kernel-rank-1d",
        """\
input: [100, 16]
layers:
  - {type: conv, filters: 32, kernel: 5}
  - {type: pool}
  - {type: conv, filters: 32, kernel: [3, 3]}
""",
        "spec.yaml:5:39: layers[2].kernel: has 2 values but the input of this layer is 1D "
        "(48×32); give 1",
    ),
    (
        "stride-rank-1d",
        "input: [100, 16]\nlayers:\n  - {type: conv, filters: 32, kernel: 5, stride: [1, 2]}\n",
        "spec.yaml:3:50: layers[0].stride: has 2 values but the input of this layer is 1D "
        "(100×16); give 1",
    ),
    (
        "padding-rank-1d",
        "input: [100, 16]\nlayers:\n  - {type: conv, filters: 8, kernel: 5, padding: [1, 2]}\n",
        "spec.yaml:3:50: layers[0].padding: has 2 values but the input of this layer is 1D "
        "(100×16); give 1",
    ),
    (
        "pool-size-rank-1d",
        "input: [100, 16]\nlayers:\n  - {type: pool, size: [2, 2]}\n",
        "spec.yaml:3:24: layers[0].size: has 2 values but the input of this layer is 1D "
        "(100×16); give 1",
    ),
    (
        "conv-on-a-vector",
        """\
input: [32, 32, 3]
layers:
  - {type: flatten}
  - {type: conv, filters: 8, kernel: 3}
""",
        "spec.yaml:4:5: layers[1]: layer 1 (conv) gets the vector 3072 as input, but a conv "
        "layer needs a 2D map (height×width×channels) or a 1D sequence (length×channels)",
    ),
    (
        "pool-on-a-vector-labelled",
        "layers:\n  - 120\n  - {type: pool, label: P}\n",
        "spec.yaml:3:5: layers[1]: 'P' (pool) gets the vector 120 as input, but a pool layer "
        "needs a 2D map (height×width×channels) or a 1D sequence (length×channels)",
    ),
    (
        "conv-without-kernel-or-shape",
        "input: [32, 32, 3]\nlayers:\n  - {type: conv, filters: 8, stride: 2}\n",
        "spec.yaml:3:5: layers[0]: layer 0 (conv) needs 'kernel' (or an explicit 'shape')",
    ),
    (
        "first-layer-needs-an-input",
        "layers:\n  - {type: conv, filters: 8, kernel: 3}\n  - 10\n",
        "spec.yaml:2:5: layers[0]: layer 0 (conv) is the first layer and the spec has no "
        "'input': give the input shape (input: [height, width, channels] or [length, "
        "channels]) or this layer's 'shape'",
    ),
    (
        "first-layer-shape-too-short",
        "layers:\n  - {type: conv, shape: [8]}\n",
        "spec.yaml:2:25: layers[0].shape: has 1 value, but layer 0 (conv) gives a map or a "
        "sequence: give [height, width, channels] or [length, channels]",
    ),
    (
        "conv-shape-rank-2d",
        "input: [32, 32, 3]\nlayers:\n  - {type: conv, filters: 8, kernel: 3, shape: [30, 8]}\n",
        "spec.yaml:3:48: layers[0].shape: has 2 values, but layer 0 (conv) takes a 2D input "
        "(32×32×3), so its shape has 3: [height, width, channels]",
    ),
    (
        "pool-shape-rank-1d",
        "input: [100, 16]\nlayers:\n  - {type: pool, shape: [50, 1, 16]}\n",
        "spec.yaml:3:25: layers[0].shape: has 3 values, but layer 0 (pool) takes a 1D input "
        "(100×16), so its shape has 2: [length, channels]",
    ),
    (
        "dense-shape-rank",
        "input: [32, 32, 3]\nlayers:\n  - {type: dense, shape: [10, 10]}\n",
        "spec.yaml:3:26: layers[0].shape: has 2 values, but layer 0 (dense) gives a vector: "
        "give [units]",
    ),
    (
        "flatten-shape-rank",
        "input: [5, 5, 16]\nlayers:\n  - {type: flatten, shape: [25, 16]}\n",
        "spec.yaml:3:28: layers[0].shape: has 2 values, but layer 0 (flatten) gives a vector: "
        "give [units]",
    ),
]


@pytest.mark.parametrize(
    ("text", "message"),
    [case[1:] for case in ERROR_CASES],
    ids=[case[0] for case in ERROR_CASES],
)
def test_errors(text: str, message: str) -> None:
    assert error_of(text) == message


def test_error_fields_and_locations() -> None:
    spec = load_spec(
        "spec.yaml",
        text="input: [100, 16]\nlayers:\n  - {type: conv, kernel: [3, 3], filters: 1}\n",
    )
    with pytest.raises(SpecError) as info:
        infer_shapes(spec)
    assert info.value.field == "layers[0].kernel"
    assert info.value.location == spec.where("layers", 0, "kernel")


_LIMITS = (
    "larger than nnsvg can draw (each size at most 1,000,000,000 and at most "
    "1,000,000,000,000,000 values in all)"
)
LIMIT_CASES = [
    (
        "upsample-past-max-dim",
        "input: [1000, 1000, 3]\nlayers:\n  - {type: upsample, size: 1000}\n"
        "  - {type: upsample, size: 1000, label: U2}\n",
        f"spec.yaml:4:5: layers[1]: the output of 'U2' (upsample) would be "
        f"1000000000×1000000000×3, {_LIMITS}",
    ),
    (
        "too-many-values",
        "input: [1000000, 1000000, 1]\nlayers:\n  - {type: conv, filters: 2000, kernel: 1}\n",
        f"spec.yaml:3:5: layers[0]: the output of layer 0 (conv) would be "
        f"1000000×1000000×2000, {_LIMITS}",
    ),
    (
        "dense-units",
        "layers: [10, 2000000000]\n",
        f"spec.yaml:1:14: layers[1]: the output of layer 1 (dense) would be 2000000000, {_LIMITS}",
    ),
    (
        "explicit-shape",
        "layers:\n  - {type: conv, shape: [100000, 100000, 100000000]}\n",
        f"spec.yaml:2:25: layers[0].shape: the output of layer 0 (conv) would be "
        f"100000×100000×100000000, {_LIMITS}",
    ),
    (
        "input-list",
        "input: [1, 2000000000]\nlayers: [10]\n",
        "spec.yaml:1:8: input: the input 1×2000000000 is larger than nnsvg can draw (each size "
        "at most 1,000,000,000 and at most 1,000,000,000,000,000 values in all)",
    ),
    (
        "input-mapping",
        "input:\n  shape: [100000000, 100000000]\nlayers: [10]\n",
        "spec.yaml:2:10: input.shape: the input 100000000×100000000 is larger than nnsvg can "
        "draw (each size at most 1,000,000,000 and at most 1,000,000,000,000,000 values in all)",
    ),
]


@pytest.mark.parametrize(
    ("text", "message"),
    [case[1:] for case in LIMIT_CASES],
    ids=[case[0] for case in LIMIT_CASES],
)
def test_limits(text: str, message: str) -> None:
    assert error_of(text, cls=LimitError) == message


def test_limits_are_inclusive() -> None:
    assert shapes_of(f"layers: [{MAX_DIM}]\n") == [str(MAX_DIM)]
    side = math.isqrt(MAX_ELEMENTS // 1000)
    text = f"input: [{side}, {side}, 500]\nlayers: [{{type: upsample, size: [1, 2]}}]\n"
    assert shapes_of(text) == [f"{side}×{2 * side}×500"]
    assert side * 2 * side * 500 == MAX_ELEMENTS
    # A flatten gives one axis, so it is held to MAX_DIM.
    text = f"input: [{MAX_DIM // 1000}, 1000]\nlayers: [{{type: flatten}}]\n"
    assert shapes_of(text) == [str(MAX_DIM)]


def test_without_a_source_errors_have_no_location() -> None:
    spec = Spec(layers=(Layer(0, type="conv", filters=4, kernel=(9,)),), input=InputSpec((4, 4, 1)))
    with pytest.raises(SpecError) as info:
        infer_shapes(spec)
    assert str(info.value).startswith("layers[0]: the output of layer 0 (conv) would be 0×0")


# --------------------------------------------------------------------------- properties

sizes = st.integers(1, 200)
kernels = st.integers(1, 12)
strides = st.integers(1, 6)
dilations = st.integers(1, 4)
int_paddings = st.integers(0, 8)


@given(sizes, kernels, strides, int_paddings, dilations)
def test_conv_size_counts_window_positions(n: int, k: int, s: int, p: int, d: int) -> None:
    padded = n + 2 * p
    extent = d * (k - 1) + 1
    positions = sum(1 for start in range(0, padded, s) if start + extent <= padded)
    assert max(conv_size(n, k, s, p, d), 0) == positions
    assert (conv_size(n, k, s, p, d) > 0) == (positions > 0)


@given(sizes, kernels, strides, dilations)
def test_same_padding_gives_ceil_n_over_s(n: int, k: int, s: int, d: int) -> None:
    assert conv_size(n, k, s, "same", d) == math.ceil(n / s)
    assert transposed_size(n, k, s, "same", d) == n * s
    assert conv_size(n, k, s, "valid", d) == conv_size(n, k, s, 0, d)


@given(sizes, kernels, strides, int_paddings, dilations)
def test_transposed_size_inverts_conv_size(n: int, k: int, s: int, p: int, d: int) -> None:
    extent = d * (k - 1) + 1
    if n + 2 * p < extent:
        return  # no window fits: the conv has no output to invert
    out = conv_size(n, k, s, p, d)
    output_padding = (n + 2 * p - d * (k - 1) - 1) % s
    assert transposed_size(out, k, s, p, d, output_padding) == n
    assert conv_size(transposed_size(out, k, s, p, d, output_padding), k, s, p, d) == out


@given(sizes, kernels, strides, int_paddings, dilations, st.data())
def test_conv_size_inverts_transposed_size(
    n: int, k: int, s: int, p: int, d: int, data: st.DataObject
) -> None:
    output_padding = data.draw(st.integers(0, s - 1))
    big = transposed_size(n, k, s, p, d, output_padding)
    if big <= 0:
        return
    assert conv_size(big, k, s, p, d) == n


def _axis_values(low: int, high: int) -> st.SearchStrategy[object]:
    return st.one_of(
        st.integers(low, high), st.lists(st.integers(low, high), min_size=1, max_size=2)
    )


_paddings = st.one_of(st.sampled_from(["same", "valid"]), _axis_values(0, 3))
_layers = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("conv"), "filters": st.integers(1, 64), "kernel": _axis_values(1, 7)},
        optional={
            "stride": _axis_values(1, 3),
            "padding": _paddings,
            "dilation": _axis_values(1, 3),
        },
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("conv_transpose"),
            "filters": st.integers(1, 64),
            "kernel": _axis_values(1, 5),
        },
        optional={
            "stride": _axis_values(1, 3),
            "padding": _paddings,
            "dilation": _axis_values(1, 2),
            "output_padding": _axis_values(0, 1),
        },
    ),
    st.fixed_dictionaries(
        {"type": st.just("pool")},
        optional={"size": _axis_values(1, 4), "stride": _axis_values(1, 4), "padding": _paddings},
    ),
    st.fixed_dictionaries({"type": st.just("upsample")}, optional={"size": _axis_values(1, 3)}),
    st.just({"type": "flatten"}),
    st.integers(1, 500),
)
# Mostly maps and sequences large enough for a few layers; sometimes no input at all.
_inputs = st.one_of(
    st.lists(st.integers(8, 64), min_size=2, max_size=3),
    st.lists(st.integers(1, 64), min_size=1, max_size=3),
    st.none(),
)
_LOCATED = re.compile(r"spec\.json:\d+:\d+: layers\[\d+\](\.[a-z_]+)?: \S")


@given(_inputs, st.lists(_layers, min_size=1, max_size=8))
def test_infer_shapes_never_gives_a_non_positive_size(
    input_shape: list[int] | None, layers: list[object]
) -> None:
    data: dict[str, object] = {"layers": layers}
    if input_shape is not None:
        data["input"] = input_shape
    spec = load_spec("spec.json", text=json.dumps(data, indent=1))
    try:
        shapes = infer_shapes(spec)
    except SpecError as err:
        assert _LOCATED.match(str(err)), str(err)
        return
    assert len(shapes) == len(spec.layers)
    for shape, layer in zip(shapes, spec.layers):
        assert 1 <= len(shape) <= 3
        assert all(isinstance(size, int) and size >= 1 for size in shape)
        assert all(size <= MAX_DIM for size in shape)
        if layer.type in ("dense", "flatten"):
            assert len(shape) == 1
