"""A notebook shows a figure: nbclient runs a small notebook on this Python's kernel and
the figure's SVG is in the cell's output, as Jupyter would display it."""

from __future__ import annotations

import re

import nbformat
from nbclient import NotebookClient

from .conftest import ROOT


def test_a_notebook_cell_displays_the_figure_as_svg() -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("import nnsvg"),
        nbformat.v4.new_code_cell("fig = nnsvg.Figure({'title': 'XOR', 'layers': [2, 3, 1]})\nfig"),
        nbformat.v4.new_code_cell(
            "nnsvg.Figure('specs/bias-weights.yaml', theme='dark', id_prefix='second-')"
        ),
    ]
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()
    shown = [
        output["data"]
        for cell in notebook.cells[1:]
        for output in cell.outputs
        if output.get("output_type") == "execute_result"
    ]
    assert len(shown) == 2
    first, second = (data["image/svg+xml"] for data in shown)
    assert re.search(r'<title id="n[0-9a-f]{8}-title">XOR</title>', first)
    assert 'data-nnsvg-engine="fcnn"' in first
    assert 'id="second-figure"' in second and "url(#second-" in second
    assert "<nnsvg.Figure <dict>: fcnn, 3 layers>" in shown[0]["text/plain"]
