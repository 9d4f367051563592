"""Helpers the layout tests share: finding groups in a scene, checking generated specs."""

from __future__ import annotations

import json

from hypothesis import reject

from nnsvg.errors import SpecError
from nnsvg.pipeline import load_spec
from nnsvg.scene import Group, Scene
from nnsvg.spec.model import Spec
from nnsvg.spec.shapes import infer_shapes


def groups(scene: Scene, role: str) -> list[Group]:
    """Every group whose role has the word ``role``, depth first."""
    found = []

    def walk(items):
        for item in items:
            if isinstance(item, Group):
                if role in item.role.split():
                    found.append(item)
                walk(item.children)

    walk(scene.items)
    return found


def checked_spec(data: dict) -> Spec:
    """The validated spec of generated ``data``; specs whose maps shrink to nothing are
    rejected (hypothesis draws another)."""
    spec = load_spec("t.json", text=json.dumps(data))
    try:
        infer_shapes(spec)
    except SpecError as err:
        if "shrank to nothing" in err.message:
            reject()
        raise
    return spec
