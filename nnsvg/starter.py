"""The commented starter spec written by ``nnsvg init``."""

__all__ = ["STARTER_SPEC"]

STARTER_SPEC = """\
# An nnsvg spec: render it with `nnsvg render network.yaml` (-o network.pdf for a PDF).
# Every key is optional except `layers`. The README lists them all.
style: fcnn                 # node-edge diagram (NN-SVG's FCNN)
title: A small MLP          # goes into the SVG <title>; show_title: true draws it
direction: right            # right | down
theme: default              # default | paper | latex | colorblind | dark | path/to/theme.yaml

layers:
  - {units: 8, label: Input}
  - {units: 12, activation: relu, bias: true}
  - {units: 12, activation: relu}
  - {units: 3, activation: softmax, label: Output}

# Wide layers show their first and last nodes around an ellipsis:
max_visible: 16             # per layer too: {units: 784, max_visible: 8}

# Edges can encode weights (from a file, or seeded random ones for a demo):
# weights: weights.npz      # or: random (with seed: 0)
# edges: {encode: [color, width], curve: bezier, arrows: solid}
"""
