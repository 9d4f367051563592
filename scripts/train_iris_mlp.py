"""Trains the gallery's iris MLP and imports it with its weights.

Needs scikit-learn (only for its copy of Fisher's iris data, ``load_iris``) and torch;
neither is needed by nnsvg's tests, which re-import the committed model. Writes
``specs/iris-mlp-trained.pt2`` (the trained model, ``torch.export.save``), then runs
``nnsvg import`` on it: ``specs/iris-mlp-trained.yaml`` and ``specs/iris-mlp-trained.npz``
(the dense matrices, the batch norm folded into them). Deterministic (seeded, CPU).

    python scripts/train_iris_mlp.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_iris

REPO = Path(__file__).resolve().parent.parent
MODEL = REPO / "specs" / "iris-mlp-trained.pt2"
SPEC = REPO / "specs" / "iris-mlp-trained.yaml"
WEIGHTS = REPO / "specs" / "iris-mlp-trained.npz"
# What the gallery adds to the import (the test checks the rest is the import); the
# species in load_iris().target_names order.
SHOWN = {
    "style: fcnn\n": "style: fcnn\n"
    "# Added for the gallery (tests/test_import_torch.py checks the rest is the import):\n"
    "title: Iris classifier, trained\n"
    "width: 3.5in        # a single column\n"
    "font_size: 8pt\n",
    "  - {units: 4, label: input}\n": "  - units: 4\n"
    "    label: Features\n"
    "    node_labels: [sepal length, sepal width, petal length, petal width]\n",
    "label: linear0}": "label: Hidden}",
    "  - {units: 3, activation: softmax, label: linear3}\n": "  - units: 3\n"
    "    activation: softmax\n"
    "    label: Species\n"
    "    node_labels: [setosa, versicolor, virginica]\n",
}


def train() -> tuple[torch.nn.Module, float]:
    """A 4-8-3 MLP with a batch norm, trained full-batch on standardised iris data."""
    torch.manual_seed(0)
    iris = load_iris()
    x = torch.tensor(iris.data, dtype=torch.float32)
    x = (x - x.mean(0)) / x.std(0)
    y = torch.tensor(iris.target)
    model = torch.nn.Sequential(
        torch.nn.Linear(4, 8),
        torch.nn.BatchNorm1d(8),
        torch.nn.ReLU(),
        torch.nn.Linear(8, 3),
        torch.nn.Softmax(dim=1),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(300):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model[:4](x), y)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        accuracy = float((model(x).argmax(1) == y).float().mean())
    return model, accuracy


def main() -> None:
    model, accuracy = train()
    print(f"training accuracy {accuracy:.3f}")
    MODEL.parent.mkdir(parents=True, exist_ok=True)
    torch.export.save(torch.export.export(model, (torch.zeros(2, 4),)), MODEL)
    subprocess.run(
        [sys.executable, "-m", "nnsvg", "import", str(MODEL.relative_to(REPO)), "-o",
         str(SPEC.relative_to(REPO)), "--weights", str(WEIGHTS.relative_to(REPO)), "--force"],
        check=True, cwd=REPO,
    )  # fmt: skip
    text = SPEC.read_text()
    for old, new in SHOWN.items():
        assert old in text, old
        text = text.replace(old, new)
    SPEC.write_text(text)
    print(np.load(WEIGHTS)["linear0.weight"].shape)


if __name__ == "__main__":
    main()
