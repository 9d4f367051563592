"""Layered (Sugiyama) placement: nnsvg.layering against the graph-layout libraries.

Run: python benchmarks/bench_layering.py [--repeat N] [--json FILE]
(with nnsvg importable, e.g. PYTHONPATH=. from a checkout). The candidates that are
not installed are skipped; to measure them all, in a scratch venv:
``pip install igraph grandalf networkx rustworkx ogdf-python ogdf-wheel cppyy``.

Graphs are the DAGs network figures make: an Inception module, a ResNet-152-like
chain of 500 nodes (a skip every 3 nodes, projection shortcuts at the 4 stage
starts), DenseNet blocks of 6 and 24 layers (each concatenating all before), siamese
towers of 5 that join, a U-Net of 4 levels (long skips), a two-headed MLP, and
seeded random layered DAGs of 50, 200 and 500 nodes.

Per graph and candidate it prints the edge crossings of the result, counted here
from the ranks and orders the candidate gives (dummy chains included: a long edge
is a chain of one segment per rank), the median time of N runs, and whether two
runs in separate processes (different hash seeds) gave the same result. Then each
candidate's import time (median of 5 fresh processes) and installed size.

Candidates:
  nnsvg      nnsvg.layering.layered (hand-written barycenter sweeps + transposes)
  igraph     Graph.layout_sugiyama with nnsvg's ranks pinned (layers=)
  igraph*    Graph.layout_sugiyama ranking by itself
  grandalf   SugiyamaLayout, 8 ordering rounds (its ranks; cannot be pinned)
  ogdf       SugiyamaLayout.call(GA, rank) with nnsvg's ranks pinned (via cppyy)
  networkx   topological_generations: ranks only, each rank in id order
  rustworkx  topological_generations: ranks only, each rank in id order
Orders from coordinates (igraph, ogdf) are read by sorting each rank by x; a long
edge's dummy sits where its polyline crosses that rank.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

Edges = list[tuple[int, int]]
# A candidate's result: rank per node, and per rank the items in order; an item is
# ("n", node) or ("d", (u, v)) for edge (u, v)'s dummy in that rank.
Result = tuple[list[int], list[list[tuple]]]


# --- graphs -------------------------------------------------------------------------


def inception() -> tuple[int, Edges]:
    # 0 stem; branches: 1 | 2 -> 5 | 3 -> 6 | 4 (pool) -> 7; 8 concat; 9 next.
    e = [(0, 1), (0, 2), (0, 3), (0, 4), (2, 5), (3, 6), (4, 7)]
    e += [(1, 8), (5, 8), (6, 8), (7, 8), (8, 9)]
    return 10, e


def resnet(n: int = 500) -> tuple[int, Edges]:
    """A chain with a skip around every 3 nodes; at 4 stage starts the skip is a
    projection node (i -> p -> i+3). Nodes are numbered in spec order."""
    chain_len = n - 4
    stage_starts = {0, 30, 78, 450}  # ~ResNet-152's 3/8/36/3 blocks, scaled
    ids: list[int] = []
    edges: Edges = []
    nid = 0
    chain_id = {}
    for i in range(chain_len):
        chain_id[i] = nid
        ids.append(nid)
        nid += 1
        if i % 3 == 0 and i in stage_starts:
            chain_id[("p", i)] = nid  # the projection conv, listed after its block input
            nid += 1
    for i in range(chain_len - 1):
        edges.append((chain_id[i], chain_id[i + 1]))
    for i in range(0, chain_len - 3, 3):
        if ("p", i) in chain_id:
            p = chain_id[("p", i)]
            edges += [(chain_id[i], p), (p, chain_id[i + 3])]
        else:
            edges.append((chain_id[i], chain_id[i + 3]))
    return nid, edges


def densenet(layers: int = 6) -> tuple[int, Edges]:
    # 0 input; 1..layers each takes all before; layers+1 the transition.
    n = layers + 2
    return n, [(j, k) for k in range(1, n) for j in range(k)]


def siamese(tower: int = 5) -> tuple[int, Edges]:
    a = list(range(tower))
    b = list(range(tower, 2 * tower))
    join, head = 2 * tower, 2 * tower + 1
    e = [(a[i], a[i + 1]) for i in range(tower - 1)]
    e += [(b[i], b[i + 1]) for i in range(tower - 1)]
    e += [(a[-1], join), (b[-1], join), (join, head)]
    return 2 * tower + 2, e


def unet(levels: int = 4) -> tuple[int, Edges]:
    # encoder 0..levels (levels = bottleneck), decoder up to 2*levels, then the head.
    n = 2 * levels + 2
    e = [(i, i + 1) for i in range(n - 1)]
    e += [(i, 2 * levels - i) for i in range(levels)]
    return n, e


def two_heads() -> tuple[int, Edges]:
    return 6, [(0, 1), (1, 2), (2, 3), (2, 4), (3, 5)]


def random_dag(n: int, seed: int, width: int = 8) -> tuple[int, Edges]:
    """Nodes in layers of about `width`, numbered layer by layer; each node past the
    first layer has 1-3 inputs, most from the layer above, some from 2-4 above."""
    rnd = random.Random(seed)
    layer_of: list[int] = []
    layers: list[list[int]] = []
    while len(layer_of) < n:
        k = min(n - len(layer_of), rnd.randint(max(1, width // 2), width + width // 2))
        layers.append(list(range(len(layer_of), len(layer_of) + k)))
        layer_of += [len(layers) - 1] * k
    edges = set()
    for r in range(1, len(layers)):
        for v in layers[r]:
            for _ in range(rnd.choice((1, 1, 2, 2, 3))):
                back = 1 if r == 1 or rnd.random() < 0.8 else rnd.randint(2, min(4, r))
                edges.add((rnd.choice(layers[r - back]), v))
    return n, sorted(edges)


GRAPHS: dict[str, Callable[[], tuple[int, Edges]]] = {
    "inception": inception,
    "resnet152 (500)": resnet,
    "densenet block 6": densenet,
    "densenet block 24": lambda: densenet(24),  # DenseNet-121's third block
    "siamese 2x5": siamese,
    "unet 4 levels": unet,
    "two-headed mlp": two_heads,
    "random 50": lambda: random_dag(50, 1),
    "random 200": lambda: random_dag(200, 2),
    "random 500": lambda: random_dag(500, 3),
}


# --- crossings (counted here, independently of every candidate) ---------------------


def segments(n: int, edges: Edges, res: Result) -> list[list[tuple[int, int]]]:
    """Per pair of adjacent ranks: the (upper index, lower index) of every segment."""
    rank, order = res
    where: dict[tuple, tuple[int, int]] = {}
    for r, row in enumerate(order):
        for i, item in enumerate(row):
            key = item if item[0] == "n" else ("d", item[1], r)
            where[key] = (r, i)
    segs: list[list[tuple[int, int]]] = [[] for _ in range(max(len(order) - 1, 0))]
    for u, v in sorted(set(edges)):
        a, b = sorted((u, v), key=rank.__getitem__)  # an edge a library reversed: upwards
        mid = [("d", (u, v), r) for r in range(rank[a] + 1, rank[b])]
        path = [("n", a), *mid, ("n", b)]
        for a, b in itertools.pairwise(path):
            (ra, ia), (rb, ib) = where[a], where[b]
            assert rb == ra + 1, (a, b, ra, rb)
            segs[ra].append((ia, ib))
    return segs


def count_crossings(n: int, edges: Edges, res: Result) -> int:
    total = 0
    for segs in segments(n, edges, res):
        segs.sort()
        for i, (a1, b1) in enumerate(segs):
            for a2, b2 in segs[i + 1 :]:
                if a2 > a1 and b2 < b1:
                    total += 1
    return total


def check(n: int, edges: Edges, res: Result) -> None:
    rank, order = res
    assert len(rank) == n
    nodes = sorted(item[1] for row in order for item in row if item[0] == "n")
    assert nodes == list(range(n)), "every node once"


def digest(res: Result) -> str:
    return hashlib.sha256(repr(res).encode()).hexdigest()[:12]


# --- candidates ---------------------------------------------------------------------
# The libraries are optional (measured where installed, skipped elsewhere): nnsvg
# declares none of them.


class Missing(Exception):
    """A candidate library that is not installed."""


def run_nnsvg(n: int, edges: Edges) -> Result:
    from nnsvg.layering import layered

    lay = layered(n, edges)
    back = {d: (uv, i) for uv, ds in lay.chains.items() for i, d in enumerate(ds)}
    order = [[("n", x) if x < n else ("d", back[x][0]) for x in row] for row in lay.ranks]
    return list(lay.rank), order


def longest_path(n: int, edges: Edges) -> list[int]:
    """The ranks nnsvg.layering gives by default (longest path from the sources)."""
    succ: list[list[int]] = [[] for _ in range(n)]
    indeg = [0] * n
    for u, v in set(edges):
        succ[u].append(v)
        indeg[v] += 1
    rank = [0] * n
    ready = [x for x in range(n) if not indeg[x]]
    while ready:
        x = ready.pop()
        for y in succ[x]:
            rank[y] = max(rank[y], rank[x] + 1)
            indeg[y] -= 1
            if not indeg[y]:
                ready.append(y)
    return rank


def from_coordinates(
    n: int,
    edges: Edges,
    xy: list[tuple[float, float]],
    bends: list[list[tuple[float, float]]],
    rank: list[int],
    level: Callable[[float], float],
) -> Result:
    """Orders read off a drawing: each rank sorted by x, dummies where the edge's
    polyline crosses the rank's level (``level`` maps a y to a rank)."""
    rows: list[list[tuple[float, int, tuple]]] = [[] for _ in range(max(rank) + 1)]
    for x in range(n):
        rows[rank[x]].append((xy[x][0], 0, ("n", x)))
    for i, (u, v) in enumerate(edges):
        ru, rv = rank[u], rank[v]
        a, b = (u, v) if ru < rv else (v, u)
        pts = [xy[a], *(bends[i] if ru < rv else bends[i][::-1]), xy[b]]
        levels = [level(p[1]) for p in pts]
        for r in range(min(ru, rv) + 1, max(ru, rv)):
            for k in range(len(pts) - 1):
                if levels[k] - 1e-9 <= r <= levels[k + 1] + 1e-9 and levels[k] != levels[k + 1]:
                    t = (r - levels[k]) / (levels[k + 1] - levels[k])
                    xr = pts[k][0] + t * (pts[k + 1][0] - pts[k][0])
                    rows[r].append((xr, 1, ("d", (u, v))))
                    break
            else:
                raise AssertionError(f"edge {(u, v)} has no point at rank {r}")
    return rank, [[item for *_, item in sorted(row)] for row in rows]


def run_igraph(n: int, edges: Edges, pinned: bool = True) -> Result:
    try:
        import igraph
    except ImportError:
        raise Missing("igraph") from None

    g = igraph.Graph(n=n, edges=edges, directed=True)
    rank = longest_path(n, edges) if pinned else None
    lay = g.layout_sugiyama(layers=rank)
    xy = [tuple(c) for c in lay.coords]
    if rank is None:
        rank = [round(y) for _, y in xy]
    bends = [[tuple(p) for p in route] for route in lay.edge_routing]
    return from_coordinates(n, edges, xy, bends, rank, round)


def run_grandalf(n: int, edges: Edges) -> Result:
    try:
        from grandalf.graphs import Edge, Graph, Vertex
        from grandalf.layouts import SugiyamaLayout
    except ImportError:
        raise Missing("grandalf") from None

    class View:
        w, h = 10, 10

    vs = [Vertex(i) for i in range(n)]
    for v in vs:
        v.view = View()
    g = Graph(vs, [Edge(vs[u], vs[v]) for u, v in edges])
    rank = [0] * n
    rows: list[list[tuple]] = []
    for comp in g.C:  # components side by side
        sug = SugiyamaLayout(comp)
        sug.init_all()
        for _ in range(8):
            for _step in sug.ordering_step():
                pass
        dummy_of = {}
        for e, ctrl in sug.ctrls.items():
            uv = (e.v[0].data, e.v[1].data)
            for dv in ctrl.values():
                dummy_of[id(dv)] = uv
        for r, layer in enumerate(sug.layers):
            while len(rows) <= r:
                rows.append([])
            for v in layer:
                if id(v) in dummy_of and not hasattr(v, "data"):
                    rows[r].append(("d", dummy_of[id(v)]))
                else:
                    rank[v.data] = r
                    rows[r].append(("n", v.data))
    return rank, rows


_OGDF = None
OGDF_OWN_COUNT: dict[tuple[int, int], int] = {}


def run_ogdf(n: int, edges: Edges) -> Result:
    global _OGDF
    if _OGDF is None:
        try:
            from ogdf_python import cppinclude, ogdf
        except ImportError:
            raise Missing("ogdf-python") from None

        cppinclude("ogdf/layered/SugiyamaLayout.h")
        _OGDF = ogdf
    ogdf = _OGDF
    G = ogdf.Graph()
    GA = ogdf.GraphAttributes(
        G, ogdf.GraphAttributes.nodeGraphics | ogdf.GraphAttributes.edgeGraphics
    )
    nodes = [G.newNode() for _ in range(n)]
    es = [G.newEdge(nodes[u], nodes[v]) for u, v in edges]
    rank = longest_path(n, edges)
    ra = ogdf.NodeArray[int](G, 0)
    for i, r in enumerate(rank):
        ra[nodes[i]] = r
    sl = ogdf.SugiyamaLayout()
    sl.arrangeCCs(False)  # components as one drawing: one y per rank
    sl.call(GA, ra)
    OGDF_OWN_COUNT[(n, len(edges))] = sl.numberOfCrossings()
    xy = [(GA.x(v), GA.y(v)) for v in nodes]
    bends = [[(p.m_x, p.m_y) for p in GA.bends(e)] for e in es]
    # Layer distances vary with the edges between them: map a y through the ranks' ys.
    at = sorted({(rank[x], xy[x][1]) for x in range(n)})
    assert len({r for r, _ in at}) == len(at) == max(rank) + 1, "one y per rank"

    def level(y: float) -> float:
        for (r0, y0), (_r1, y1) in itertools.pairwise(at):
            if min(y0, y1) - 1e-6 <= y <= max(y0, y1) + 1e-6:
                return r0 + (y - y0) / (y1 - y0)
        return at[0][0]

    return from_coordinates(n, edges, xy, bends, rank, level)


def id_order(n: int, rank: list[int]) -> Result:
    rows: list[list[tuple]] = [[] for _ in range(max(rank) + 1)]
    for x in range(n):
        rows[rank[x]].append(("n", x))
    return rank, rows


def run_networkx(n: int, edges: Edges) -> Result:
    try:
        import networkx as nx
    except ImportError:
        raise Missing("networkx") from None

    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    rank = [0] * n
    for r, gen in enumerate(nx.topological_generations(g)):
        for x in gen:
            rank[x] = r
    return dummies_in_id_order(n, edges, rank)


def run_rustworkx(n: int, edges: Edges) -> Result:
    try:
        import rustworkx as rx
    except ImportError:
        raise Missing("rustworkx") from None

    g = rx.PyDiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from_no_data(edges)
    rank = [0] * n
    for r, gen in enumerate(rx.topological_generations(g)):
        for x in gen:
            rank[x] = r
    return dummies_in_id_order(n, edges, rank)


def dummies_in_id_order(n: int, edges: Edges, rank: list[int]) -> Result:
    rank_, rows = id_order(n, rank)
    for u, v in sorted(set(edges)):
        for r in range(rank[u] + 1, rank[v]):
            rows[r].append(("d", (u, v)))
    return rank_, rows


CANDIDATES: dict[str, tuple[str, Callable[[int, Edges], Result]]] = {
    "nnsvg": ("nnsvg.layering", run_nnsvg),
    "igraph": ("igraph", run_igraph),
    "igraph*": ("igraph", lambda n, e: run_igraph(n, e, pinned=False)),
    "grandalf": ("grandalf.layouts", run_grandalf),
    "ogdf": ("ogdf_python", run_ogdf),
    "networkx": ("networkx", run_networkx),
    "rustworkx": ("rustworkx", run_rustworkx),
}
SLOW_IMPORT = {"ogdf_python"}
DISTRIBUTIONS = {
    "igraph": ["igraph"],
    "grandalf.layouts": ["grandalf"],
    "networkx": ["networkx"],
    "rustworkx": ["rustworkx"],
    "ogdf_python": ["ogdf-python", "ogdf-wheel", "cppyy", "cppyy-cling", "cppyy-backend"],
}


def available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module.split(".")[0]) is not None
    except (ImportError, ValueError):
        return False


def timed(fn: Callable[[], object], repeat: int) -> float:
    times = []
    budget = time.perf_counter() + 20
    for i in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        if i >= 1 and time.perf_counter() > budget:
            break
    return statistics.median(times)


def import_time(module: str, runs: int = 5) -> float:
    code = (
        f"import time, nnsvg; t = time.perf_counter(); import {module}; "
        "print(time.perf_counter() - t)"
    )
    out = []
    for _ in range(runs if module not in SLOW_IMPORT else 2):
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        out.append(float(p.stdout.strip().splitlines()[-1]))
    return statistics.median(out)


def installed_size(dists: list[str]) -> float:
    from importlib import metadata

    total = 0
    for name in dists:
        try:
            d = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for f in d.files or ():
            p = Path(d.locate_file(f))
            if p.is_file():
                total += p.stat().st_size
    return total / 1e6


def digests_in_child(name: str) -> dict[str, str]:
    """The result digests of every graph, computed in a fresh process."""
    env = dict(os.environ, PYTHONHASHSEED="random")
    p = subprocess.run(
        [sys.executable, __file__, "--digests", name],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(p.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--only", help="comma-separated candidates")
    ap.add_argument("--json", help="also write the numbers to this file")
    ap.add_argument("--digests", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.digests:
        _, fn = CANDIDATES[args.digests]
        out = {}
        for g, make in GRAPHS.items():
            n, e = make()
            out[g] = digest(fn(n, e))
        print(json.dumps(out))
        return

    names = args.only.split(",") if args.only else list(CANDIDATES)
    names = [c for c in names if available(CANDIDATES[c][0])]
    results: dict = {"graphs": {}, "candidates": {}}
    graphs = {g: make() for g, make in GRAPHS.items()}
    print(f"{'graph':18} {'n':>4} {'edges':>5} " + " ".join(f"{c:>17}" for c in names))
    print(f"{'':30}" + " ".join(f"{'crossings    ms':>17}" for _ in names))
    for g, (n, e) in graphs.items():
        cells = []
        results["graphs"][g] = {"n": n, "edges": len(e)}
        for c in names:
            _, fn = CANDIDATES[c]
            res = fn(n, e)
            check(n, e, res)
            x = count_crossings(n, e, res)
            t = timed(lambda fn=fn, n=n, e=e: fn(n, e), args.repeat)
            results["graphs"][g][c] = {"crossings": x, "ms": round(t * 1e3, 2)}
            cells.append(f"{x:>9} {t * 1e3:>7.1f}")
        print(f"{g:18} {n:>4} {len(e):>5} " + " ".join(cells), flush=True)

    print()
    print(f"{'candidate':10} {'import ms':>9} {'installed MB':>12} {'same in 2 processes':>20}")
    for c in names:
        module, _ = CANDIDATES[c]
        same = digests_in_child(c) == digests_in_child(c)
        imp = import_time(module) * 1e3
        size = installed_size(DISTRIBUTIONS.get(module, []))
        results["candidates"][c] = {"import_ms": round(imp, 1), "installed_mb": size, "same": same}
        print(f"{c:10} {imp:>9.1f} {size:>12.1f} {('yes' if same else 'NO'):>20}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
