"""nnsvg.layering: ranks, orders within ranks and dummy chains of a layered placement.

Property tests over random DAGs (every edge climbs, each rank is a permutation of
its nodes and dummies, one dummy per rank a long edge passes, deterministic), and
crossing counts on the graphs network figures make, bounded by what
benchmarks/bench_layering.py measured. Speed on 500 nodes is measured there, not
timed here.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsvg.layering import Layering, crossings, layered

ROOT = Path(__file__).resolve().parent.parent


@st.composite
def dags(draw, max_n: int = 24):
    """(n, edges): a DAG on 0..n-1 whose topological order is a random permutation."""
    n = draw(st.integers(0, max_n))
    perm = draw(st.permutations(range(n)))
    pairs = st.tuples(st.integers(0, max(n - 1, 0)), st.integers(0, max(n - 1, 0)))
    raw = draw(st.lists(pairs, max_size=3 * n)) if n > 1 else []
    edges = [(perm[i], perm[j]) for i, j in raw if i < j]
    return n, edges


def brute_crossings(lay: Layering, edges) -> int:
    """Crossings counted pair by pair from the segments between adjacent ranks."""
    where = {x: (r, i) for r, row in enumerate(lay.ranks) for i, x in enumerate(row)}
    segs: dict[int, list[tuple[int, int]]] = {}
    for u, v in set(edges):
        path = [u, *lay.chains.get((u, v), ()), v]
        for a, b in itertools.pairwise(path):
            (ra, ia), (rb, ib) = where[a], where[b]
            assert rb == ra + 1
            segs.setdefault(ra, []).append((ia, ib))
    total = 0
    for ss in segs.values():
        for k, (a1, b1) in enumerate(ss):
            for a2, b2 in ss[k + 1 :]:
                total += (a1 - a2) * (b1 - b2) < 0
    return total


def check_structure(n: int, edges, lay: Layering) -> None:
    assert len(lay.rank) == n
    assert all(r >= 0 for r in lay.rank)
    assert len(lay.ranks) == (max(lay.rank) + 1 if n else 0)
    for u, v in edges:
        assert lay.rank[u] < lay.rank[v], (u, v)
    # Chains: exactly the edges that span more than one rank, one dummy per rank between.
    long_edges = {(u, v) for u, v in edges if lay.rank[v] - lay.rank[u] > 1}
    assert set(lay.chains) == long_edges
    dummy_rank = {}
    for (u, v), chain in lay.chains.items():
        assert len(chain) == lay.rank[v] - lay.rank[u] - 1
        for k, d in enumerate(chain):
            assert d not in dummy_rank, "a dummy belongs to one edge"
            dummy_rank[d] = lay.rank[u] + 1 + k
    assert sorted(dummy_rank) == list(range(n, n + len(dummy_rank)))
    # Each rank: a permutation of its nodes and its dummies.
    for r, row in enumerate(lay.ranks):
        expected = [x for x in range(n) if lay.rank[x] == r]
        expected += [d for d, dr in dummy_rank.items() if dr == r]
        assert sorted(row) == sorted(expected), r


# --- properties ---------------------------------------------------------------------


@given(dags())
def test_structure(g):
    n, edges = g
    check_structure(n, edges, layered(n, edges))


@given(dags())
def test_default_ranks_are_longest_paths(g):
    n, edges = g
    lay = layered(n, edges)
    preds: dict[int, list[int]] = {}
    for u, v in edges:
        preds.setdefault(v, []).append(u)
    for x in range(n):
        if x not in preds:
            assert lay.rank[x] == 0, "sources at 0"
        else:
            assert lay.rank[x] == 1 + max(lay.rank[u] for u in preds[x])


@given(dags(), st.randoms(use_true_random=False))
def test_deterministic_and_independent_of_edge_listing(g, rnd):
    n, edges = g
    lay = layered(n, edges)
    assert layered(n, edges) == lay
    shuffled = edges + edges[: len(edges) // 2]  # repeats count once
    rnd.shuffle(shuffled)
    again = layered(n, shuffled)
    assert again == lay
    assert list(again.chains.items()) == list(lay.chains.items())


@given(dags())
def test_crossings_counts_what_brute_force_counts(g):
    n, edges = g
    lay = layered(n, edges)
    assert crossings(lay, edges) == brute_crossings(lay, edges)


@given(dags(), st.data())
def test_pinned_ranks(g, data):
    n, edges = g
    base = layered(n, edges).rank
    # Push every node down by a random non-decreasing amount along a topological
    # order: edges still climb, and gaps (empty ranks) appear.
    topo = sorted(range(n), key=lambda x: base[x])
    extra, shift = 0, {}
    for x in topo:
        extra += data.draw(st.integers(0, 2))
        shift[x] = extra
    pinned = [base[x] + shift[x] for x in range(n)]
    lay = layered(n, edges, ranks=pinned)
    assert list(lay.rank) == pinned
    check_structure(n, edges, lay)


@given(st.integers(1, 60))
def test_path_is_one_node_per_rank(n):
    lay = layered(n, [(i, i + 1) for i in range(n - 1)])
    assert lay.ranks == tuple((i,) for i in range(n))
    assert lay.chains == {}


@given(st.integers(2, 40))
def test_chain_with_skips_stays_straight(blocks):
    # A residual stage: a skip around every 3 nodes. The chain keeps one node per
    # rank, in the same column (first), the skips' dummies beside it.
    n = 3 * blocks + 1
    edges = [(i, i + 1) for i in range(n - 1)] + [(i, i + 3) for i in range(0, n - 3, 3)]
    lay = layered(n, edges)
    assert lay.rank == tuple(range(n))
    assert all(row[0] == r for r, row in enumerate(lay.ranks))
    assert crossings(lay, edges) == 0


# --- list order ---------------------------------------------------------------------


def test_list_order_is_kept_where_it_costs_nothing():
    # Four branches of different lengths: the order the spec lists them in stays.
    assert layered(5, [(0, 1), (0, 2), (0, 3), (0, 4)]).ranks == ((0,), (1, 2, 3, 4))
    assert layered(3, []).ranks == ((0, 1, 2),)
    two_heads = layered(6, [(0, 1), (1, 2), (2, 3), (2, 4), (3, 5)])
    assert two_heads.ranks == ((0,), (1,), (2,), (3, 4), (5,))
    siamese = layered(5, [(0, 2), (1, 3), (2, 4), (3, 4)])
    assert siamese.ranks == ((0, 1), (2, 3), (4,))


def test_order_moves_when_it_removes_crossings():
    # 0 -> 3 and 1 -> 2 cross in id order; the order within rank 1 gives way.
    lay = layered(4, [(0, 3), (1, 2)])
    assert crossings(lay, [(0, 3), (1, 2)]) == 0


# --- the graphs of network figures, bounded by the benchmark's measurements ---------


def inception():
    e = [(0, 1), (0, 2), (0, 3), (0, 4), (2, 5), (3, 6), (4, 7)]
    return 10, [*e, (1, 8), (5, 8), (6, 8), (7, 8), (8, 9)]


def resnet(n=500):
    # Chain 0..n-5 with a skip around every 3 nodes; 4 projection nodes appended.
    m = n - 4
    e = [(i, i + 1) for i in range(m - 1)]
    projections = dict(zip((0, 30, 78, 450), range(m, n)))
    for i in range(0, m - 3, 3):
        if i in projections:
            e += [(i, projections[i]), (projections[i], i + 3)]
        else:
            e.append((i, i + 3))
    return n, e


def densenet(layers=6):
    n = layers + 2
    return n, [(j, k) for k in range(1, n) for j in range(k)]


def siamese(tower=5):
    e = [(i, i + 1) for i in range(tower - 1)]
    e += [(tower + i, tower + i + 1) for i in range(tower - 1)]
    e += [(tower - 1, 2 * tower), (2 * tower - 1, 2 * tower), (2 * tower, 2 * tower + 1)]
    return 2 * tower + 2, e


def unet(levels=4):
    n = 2 * levels + 2
    return n, [(i, i + 1) for i in range(n - 1)] + [(i, 2 * levels - i) for i in range(levels)]


@pytest.mark.parametrize(
    ("graph", "bound"),
    [
        (inception, 0),
        (resnet, 0),
        (siamese, 0),
        (unet, 0),
        (densenet, 19),
        (lambda: densenet(24), 7150),
    ],
    ids=["inception", "resnet152", "siamese", "unet", "densenet-block-6", "densenet-block-24"],
)
def test_crossings_on_network_graphs(graph, bound):
    # As measured by benchmarks/bench_layering.py. DenseNet block of 6: OGDF reaches 19
    # too, grandalf 19-22, igraph 29; of 24: OGDF 6905, grandalf 7260, igraph 7676.
    n, edges = graph()
    lay = layered(n, edges)
    check_structure(n, edges, lay)
    assert crossings(lay, edges) <= bound


def test_inception_keeps_the_branches_in_list_order():
    lay = layered(*inception())
    assert lay.ranks[1] == (1, 2, 3, 4)
    assert [x for x in lay.ranks[2] if x < 10] == [5, 6, 7]


def test_resnet_chain_is_straight():
    n, edges = resnet()
    lay = layered(n, edges)
    chain = [x for x in range(n - 4)]
    assert [lay.rank[x] for x in chain] == list(range(n - 4))
    assert all(row[0] == r for r, row in enumerate(lay.ranks))


def test_same_result_in_processes_with_other_hash_seeds():
    code = (
        "from nnsvg.layering import layered\n"
        "n = 60\n"
        "e = [(i, j) for i in range(n) for j in range(i + 1, n) if (i * 7 + j * 13) % 11 == 0]\n"
        "lay = layered(n, e)\n"
        "print(repr((lay.rank, lay.ranks, list(lay.chains.items()))))\n"
    )
    outs = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT))
        p = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        outs.add(p.stdout)
    assert len(outs) == 1


# --- errors -------------------------------------------------------------------------


def has_cycle(n, edges):
    succ = {}
    for u, v in edges:
        succ.setdefault(u, []).append(v)
    state = [0] * n

    def visit(x):
        state[x] = 1
        for y in succ.get(x, ()):
            if state[y] == 1 or (state[y] == 0 and visit(y)):
                return True
        state[x] = 2
        return False

    return any(state[x] == 0 and visit(x) for x in range(n))


@settings(max_examples=200)
@given(
    st.integers(1, 12).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(
                    lambda e: e[0] != e[1]
                ),
                max_size=20,
            ),
        )
    )
)
def test_a_cycle_is_named(g):
    n, edges = g
    if not has_cycle(n, edges):
        check_structure(n, edges, layered(n, edges))
        return
    with pytest.raises(ValueError, match="cycle through node") as info:
        layered(n, edges)
    path = re.search(r": ([\d >-]+)$", str(info.value)).group(1).split(" -> ")
    nodes = [int(x) for x in path]
    assert nodes[0] == nodes[-1]
    assert all((a, b) in set(edges) for a, b in itertools.pairwise(nodes)), "a real cycle"


@pytest.mark.parametrize(
    ("n", "edges", "kw", "message"),
    [
        (3, [(0, 3)], {}, r"edge 0 \(0, 3\): node 3 is not in 0\.\.2"),
        (3, [(0, -1)], {}, r"node -1 is not in"),
        (3, [(0, 1), (1, 1)], {}, r"edge 1 \(1, 1\) is a self loop"),
        (3, [(0, 1, 2)], {}, r"edge 0 is not a pair"),
        (3, [("a", 1)], {}, r"edge 0 is not a pair"),
        (-1, [], {}, r"n must be >= 0"),
        (2, [(0, 1)], {"ranks": [0]}, r"ranks has 1 entries for 2 nodes"),
        (2, [(0, 1)], {"ranks": [1, 1]}, r"edge \(0, 1\) goes from rank 1 to rank 1"),
        (2, [(0, 1)], {"ranks": [-1, 0]}, r"rank of node 0 is -1"),
        (3, [(0, 1), (1, 2), (2, 0)], {}, r"cycle through node 0: 0 -> 1 -> 2 -> 0"),
    ],
)
def test_invalid_input(n, edges, kw, message):
    with pytest.raises(ValueError, match=message):
        layered(n, edges, **kw)


def test_n_must_be_an_int():
    with pytest.raises(TypeError):
        layered(True, [])
    with pytest.raises(TypeError):
        layered(2.0, [])


def test_empty():
    assert layered(0, []) == Layering(rank=(), ranks=(), chains={})
