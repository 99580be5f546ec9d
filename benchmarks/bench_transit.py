"""Benchmark :func:`areas.analysis.transit.access.transit_access` against a bare cKDTree.

Run with ``python benchmarks/bench_transit.py`` (``--quick`` for small sizes only).

For each size the script times, on the same coordinates in the same run:

- the baseline: ``scipy.spatial.cKDTree(stops).query(firms)`` - one tree over
  every stop, the nearest stop of any kind, nothing else;
- ``transit_access``: nearest rail, bus and any stop with ids, names, modes,
  straight and walking distances, the Fingerplan band and the per-firm frame.

It reports the best of three runs of each, their ratio, the peak memory that
``tracemalloc`` sees during one ``transit_access`` call and the process's
peak resident set size. The target: at 1,000,000 firms and 50,000 stops,
within 3x the baseline and below 2 GB.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from areas.analysis.transit.access import WORKERS, transit_access  # noqa: E402

X0, Y0 = 700_000.0, 6_160_000.0
EXTENT_M = 30_000.0
RAIL_SHARE = 0.1
TARGET_RATIO = 3.0
TARGET_PEAK_BYTES = 2 * 1024**3


def make_inputs(n_firms: int, n_stops: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    fxy = rng.uniform(0, EXTENT_M, size=(n_firms, 2)) + (X0, Y0)
    sxy = rng.uniform(0, EXTENT_M, size=(n_stops, 2)) + (X0, Y0)
    firms = gpd.GeoDataFrame(
        {
            "company_id": pd.array([f"c{i:07d}" for i in range(n_firms)], dtype="str"),
            "employees": pd.array(rng.integers(1, 200, n_firms), dtype="Int64"),
        },
        geometry=gpd.points_from_xy(fxy[:, 0], fxy[:, 1]),
        crs="EPSG:25832",
    )
    modes = np.where(rng.random(n_stops) < RAIL_SHARE, "s_train", "bus")
    stops = gpd.GeoDataFrame(
        {
            "stop_id": [f"s{i:06d}" for i in range(n_stops)],
            "name": [f"Stop {i}" for i in range(n_stops)],
            "mode": modes,
            "status": "existing",
            "opens": pd.NaT,
        },
        geometry=gpd.points_from_xy(sxy[:, 0], sxy[:, 1]),
        crs="EPSG:25832",
    )
    return firms, stops, fxy, sxy


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def peak_traced(fn) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def run(n_firms: int, n_stops: int, *, memory: bool) -> dict:
    firms, stops, fxy, sxy = make_inputs(n_firms, n_stops)
    base, (dist, _) = best_of(lambda: cKDTree(sxy).query(fxy, workers=WORKERS))
    fast, result = best_of(lambda: transit_access(firms, stops, as_of="2026-01-01"))
    # The two must agree on the nearest stop of any kind.
    agree = np.allclose(result.companies["any_distance_m"].to_numpy(), dist, atol=1e-6)
    peak_mb = float("nan")
    if memory:
        peak_mb = peak_traced(lambda: transit_access(firms, stops, as_of="2026-01-01")) / 1024**2
    return {
        "firms": n_firms,
        "stops": n_stops,
        "baseline_s": base,
        "transit_access_s": fast,
        "ratio": fast / base,
        "agree": agree,
        "peak_traced_mb": peak_mb,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    args = parser.parse_args(argv)
    sizes = [(10_000, 5_000), (100_000, 5_000), (100_000, 50_000)]
    if not args.quick:
        sizes += [(1_000_000, 5_000), (1_000_000, 50_000)]
    print(f"transit_access vs bare cKDTree build+query (workers={WORKERS}), best of 3")
    print(
        f"{'firms':>10} {'stops':>7} {'cKDTree s':>10} {'areas s':>9} {'ratio':>6} "
        f"{'agree':>6} {'peak MB':>8}"
    )
    rows = []
    for n_firms, n_stops in sizes:
        r = run(n_firms, n_stops, memory=n_firms >= 100_000)
        rows.append(r)
        print(
            f"{r['firms']:>10,} {r['stops']:>7,} {r['baseline_s']:>10.3f} "
            f"{r['transit_access_s']:>9.3f} "
            f"{r['ratio']:>6.2f} {r['agree']!s:>6} {r['peak_traced_mb']:>8.0f}",
            flush=True,
        )
    # growth: time per firm and the effect of 10x stops
    print("\nHow the cost grows:")
    by = {(r["firms"], r["stops"]): r for r in rows}
    for (f1, s1), (f2, s2) in [
        ((10_000, 5_000), (100_000, 5_000)),
        ((100_000, 5_000), (1_000_000, 5_000)),
        ((100_000, 5_000), (100_000, 50_000)),
        ((1_000_000, 5_000), (1_000_000, 50_000)),
    ]:
        if (f1, s1) in by and (f2, s2) in by:
            a, b = by[(f1, s1)], by[(f2, s2)]
            print(
                f"  {f1:>9,} -> {f2:>9,} firms, {s1:>6,} -> {s2:>6,} stops: "
                f"areas x{b['transit_access_s'] / a['transit_access_s']:.1f}, "
                f"cKDTree x{b['baseline_s'] / a['baseline_s']:.1f}"
            )
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"\nprocess peak RSS (ru_maxrss, includes the generated inputs): {maxrss_kb / 1024:.0f} MB"
    )
    target = by.get((1_000_000, 50_000))
    if target is None:
        return 0
    ok = (
        target["ratio"] <= TARGET_RATIO
        and target["peak_traced_mb"] * 1024**2 < TARGET_PEAK_BYTES
        and target["agree"]
    )
    print(
        f"target 1,000,000 firms x 50,000 stops: ratio {target['ratio']:.2f} (<= {TARGET_RATIO}), "
        f"peak {target['peak_traced_mb']:.0f} MB (< 2048), results agree: {target['agree']} -> "
        f"{'OK' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
