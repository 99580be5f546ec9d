"""Benchmark the walking-network engine against a bare scipy baseline.

Run with ``python benchmarks/bench_network.py`` (``--quick`` for a small size).

A synthetic grid-ish network (``--side`` × ``--side`` nodes 25 m apart,
jittered, 10 % of the links removed, each link a 2-point line as in an
OpenStreetMap export) carries ``--firms`` firms and 2,000 stops (10 % rail).
Each part runs in its own process so that its peak resident set size is its
own:

- ``baseline``: graph from the edge end points (``np.unique`` + CSR), stops
  and firms snapped to the nearest *node* with ``cKDTree``, one multi-source
  ``dijkstra(min_only=True)`` per group (rail, bus, any).
- ``engine``: :func:`build_network` from the GeoDataFrame (noding check,
  node merging, CSR), firms and stops snapped to the nearest point of the
  nearest edge, :func:`nearest` for the three groups.
- ``unnoded``: the engine on the same grid drawn as long lines (one per row
  and per column, GeoFA style), which must be cut at every crossing.
- ``networkx``: ``networkx.multi_source_dijkstra_path_length`` on a smaller
  grid, against the engine on that grid.

Timings on a shared machine vary; the CPU-time ratio (``time.process_time``,
all threads) is steadier than the wall-clock one, and both are printed.

Targets: engine ≤ 4× the baseline and ≤ 4 GB peak at 1,000,000 firms on a
250,000-node network.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from areas.analysis.network import build_network, nearest  # noqa: E402

X0, Y0 = 700_000.0, 6_160_000.0
SPACING_M = 25.0
N_STOPS = 2_000
RAIL_SHARE = 0.1


def grid(side: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    xy = np.c_[ii.ravel(), jj.ravel()] * SPACING_M + (X0, Y0)
    xy = xy + rng.uniform(-5, 5, xy.shape)
    idx = np.arange(side * side).reshape(side, side)
    links = np.r_[
        np.c_[idx[:, :-1].ravel(), idx[:, 1:].ravel()],
        np.c_[idx[:-1, :].ravel(), idx[1:, :].ravel()],
    ]
    links = links[rng.random(len(links)) >= 0.1]
    return xy, links, idx


def points(side: int, n: int, seed: int):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, (side - 1) * SPACING_M, (n, 2)) + (X0, Y0)


def noded_layer(xy, links):
    geoms = shapely.linestrings(np.stack([xy[links[:, 0]], xy[links[:, 1]]], axis=1))
    return gpd.GeoDataFrame(geometry=geoms, crs="EPSG:25832")


def unnoded_layer(xy, idx):
    rows = [shapely.linestrings(xy[idx[i, :]]) for i in range(idx.shape[0])]
    cols = [shapely.linestrings(xy[idx[:, j]]) for j in range(idx.shape[1])]
    return gpd.GeoDataFrame(geometry=rows + cols, crs="EPSG:25832")


def groups(n_stops: int):
    rail = np.random.default_rng(3).random(n_stops) < RAIL_SHARE
    return {"rail": rail, "bus": ~rail, "any": np.ones(n_stops, bool)}


def run_baseline(side, n_firms):
    xy, links, _ = grid(side)
    fxy, sxy = points(side, n_firms, 1), points(side, N_STOPS, 2)
    t0, c0 = time.perf_counter(), time.process_time()
    ends = np.r_[xy[links[:, 0]], xy[links[:, 1]]]
    nodes, inv = np.unique(ends, axis=0, return_inverse=True)
    inv = inv.ravel()
    u, v = inv[: len(links)], inv[len(links):]
    w = np.hypot(*(nodes[u] - nodes[v]).T)
    n = len(nodes)
    g = csr_matrix((np.r_[w, w], (np.r_[u, v], np.r_[v, u])), shape=(n, n))
    tree = cKDTree(nodes)
    fd, fnode = tree.query(fxy, workers=-1)
    sd, snode = tree.query(sxy, workers=-1)
    out = {}
    for name, mask in groups(N_STOPS).items():
        dist, _, src = dijkstra(g, indices=np.unique(snode[mask]), min_only=True,
                                return_predecessors=True)
        out[name] = dist[fnode] + fd
    cpu = time.process_time() - c0
    return time.perf_counter() - t0, float(np.nanmedian(out["any"])), {"cpu_s": cpu}


def run_engine(side, n_firms, unnoded=False):
    xy, links, idx = grid(side)
    layer = unnoded_layer(xy, idx) if unnoded else noded_layer(xy, links)
    fxy, sxy = points(side, n_firms, 1), points(side, N_STOPS, 2)
    firms = gpd.GeoSeries(gpd.points_from_xy(fxy[:, 0], fxy[:, 1]), crs="EPSG:25832")
    stops = gpd.GeoSeries(gpd.points_from_xy(sxy[:, 0], sxy[:, 1]), crs="EPSG:25832")
    ids = np.array([f"s{i:05d}" for i in range(N_STOPS)], dtype=object)
    t0, c0 = time.perf_counter(), time.process_time()
    net = build_network(layer)
    t_build = time.perf_counter() - t0
    snapped = net.snap(firms)
    t_snap = time.perf_counter() - t0 - t_build
    out = {}
    for name, mask in groups(N_STOPS).items():
        out[name] = nearest(net, snapped, stops[mask], ids[mask])
    total = time.perf_counter() - t0
    return total, float(out["any"].network_m.median()), {
        "cpu_s": time.process_time() - c0,
        "build_s": t_build, "snap_s": t_snap, "groups_s": total - t_build - t_snap,
        "nodes": net.n_nodes, "edges": net.n_edges, "cuts": net.info["cuts"],
    }


def run_networkx(side, n_firms):
    import networkx as nx

    xy, links, _ = grid(side)
    fxy, sxy = points(side, n_firms, 1), points(side, 50, 2)
    t0 = time.perf_counter()
    g = nx.Graph()
    w = np.hypot(*(xy[links[:, 0]] - xy[links[:, 1]]).T)
    g.add_weighted_edges_from(zip(links[:, 0].tolist(), links[:, 1].tolist(), w.tolist(),
                                  strict=True))
    tree = cKDTree(xy)
    fd, fnode = tree.query(fxy)
    _, snode = tree.query(sxy)
    lengths = nx.multi_source_dijkstra_path_length(g, set(snode.tolist()))
    _ = np.array([lengths.get(int(i), np.inf) for i in fnode]) + fd
    t_nx = time.perf_counter() - t0
    layer = noded_layer(xy, links)
    t0 = time.perf_counter()
    nearest(build_network(layer), fxy, sxy, [f"s{i}" for i in range(50)])
    return t_nx, time.perf_counter() - t0


def child(part, side, n_firms):
    if part == "baseline":
        seconds, median, extra = run_baseline(side, n_firms)
    else:
        seconds, median, extra = run_engine(side, n_firms, unnoded=part == "unnoded")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "median": median, "peak_bytes": peak, **extra}))


def spawn(part, side, n_firms):
    cmd = [sys.executable, __file__, "--child", part, "--side", str(side), "--firms", str(n_firms)]
    res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--side", type=int, default=500)
    parser.add_argument("--firms", type=int, default=1_000_000)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.side, args.firms)
        return
    side, n_firms = (100, 20_000) if args.quick else (args.side, args.firms)
    print(f"{side * side:,} nodes, {n_firms:,} firms, {N_STOPS:,} stops, 3 groups")
    base = spawn("baseline", side, n_firms)
    eng = spawn("engine", side, n_firms)
    print(f"baseline (node snap, 3 Dijkstras): {base['seconds']:.2f} s, "
          f"peak RSS {base['peak_bytes'] / 2**20:.0f} MB, median {base['median']:.0f} m")
    print(f"engine (edge snap, 3 groups):      {eng['seconds']:.2f} s "
          f"(build {eng['build_s']:.2f}, snap {eng['snap_s']:.2f}, groups {eng['groups_s']:.2f}), "
          f"peak RSS {eng['peak_bytes'] / 2**20:.0f} MB, median {eng['median']:.0f} m")
    print(f"ratio: {eng['seconds'] / base['seconds']:.2f} x wall clock, "
          f"{eng['cpu_s'] / base['cpu_s']:.2f} x CPU time ({eng['cpu_s']:.1f} s vs "
          f"{base['cpu_s']:.1f} s; target <= 4 x, peak <= 4096 MB)")
    un = spawn("unnoded", side, n_firms)
    print(f"engine, un-noded long lines ({un['cuts']:,} cuts): {un['seconds']:.2f} s "
          f"(build {un['build_s']:.2f}), peak RSS {un['peak_bytes'] / 2**20:.0f} MB, "
          f"median {un['median']:.0f} m; ratio {un['seconds'] / base['seconds']:.2f} x wall, "
          f"{un['cpu_s'] / base['cpu_s']:.2f} x CPU")
    nx_side, nx_firms = (40, 2_000) if args.quick else (100, 10_000)
    t_nx, t_eng = run_networkx(nx_side, nx_firms)
    print(f"networkx ({nx_side * nx_side:,} nodes, {nx_firms:,} firms, one group, node snap): "
          f"{t_nx:.2f} s; engine {t_eng:.2f} s")


if __name__ == "__main__":
    main()
