"""Explore the blocks layout on new random graphs (the test suite runs the same 200).

    python benchmarks/explore_block_layouts.py [COUNT]

Draws COUNT random block graphs (tests/test_layout_blocks.py's generator, every
direction, lanes and groups included) and checks each as the test does (no block
overlap, nothing outside the viewBox, right angles, no edge through a block, no two
edges along one line except a shared port's trunk, frames, no edge through a note,
an N× or a label). Prints the time per graph
and each failing case, for a bug report or a new fixed example in the tests.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from nnsvg.errors import SpecError
from nnsvg.network import resolve
from nnsvg.pipeline import load_spec
from tests import test_layout_blocks as t


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    failed: list[str] = []
    seconds: list[float] = []

    @settings(max_examples=count, deadline=None, database=None)
    @given(t.block_specs(), st.sampled_from(["down", "up", "right", "left"]))
    def explore(data: dict, direction: str) -> None:
        start = time.perf_counter()
        net = resolve(load_spec("t.json", text=json.dumps(data)))
        try:
            scene = t.scene_of(dataclasses.replace(net, direction=direction))
        except SpecError as err:  # wrap: N where no run of the graph can end
            if "no run of this graph can end" not in str(err):
                failed.append(f"{direction} {json.dumps(data)}\n  {err}")
            return
        seconds.append(time.perf_counter() - start)
        try:
            t.check_geometry(scene)
            t.check_routes(scene)
            t.check_frames(net, scene)
            t.check_labels_clear(scene)
        except AssertionError as err:
            failed.append(f"{direction} {json.dumps(data)}\n  {err}")

    explore()
    print(f"{len(seconds)} graphs, {1000 * sum(seconds) / len(seconds):.1f} ms each")
    print(f"{len(failed)} failed")
    for case in failed:
        print(case)


if __name__ == "__main__":
    main()
