"""Benchmark :func:`areas.analysis.summary.summarize` on the bundled layers and on synthetic ones.

Run with ``python benchmarks/bench_summary.py`` (``--quick`` for the bundled layers
and the smallest synthetic size).

Prints the best of five runs on the bundled Albertslund-Hvidovre layers
(target: well under a second) and how the time grows with the number of
firms, stops and polygons (districts, BIDs, rewilding plots) on synthetic
layers, with the time of each analysis, and the process's peak memory.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import box

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from areas.analysis.assign import assign_districts  # noqa: E402
from areas.analysis.bid import bid_coverage  # noqa: E402
from areas.analysis.rewilding import rewilded_hectares  # noqa: E402
from areas.analysis.summary import summarize  # noqa: E402
from areas.analysis.transit.access import transit_access  # noqa: E402
from areas.atlas import Atlas  # noqa: E402

CRS = "EPSG:25832"
X0, Y0 = 700_000.0, 6_160_000.0
DISTRICT_M = 500.0


def best_of(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def synthetic_atlas(
    n_districts: int, n_firms: int, n_stops: int, *, plots_per_district: int = 10, seed: int = 0
) -> Atlas:
    """Square districts on a grid, overlapping BIDs and plots, random firms and stops."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_districts)))
    ij = np.array([(i % side, i // side) for i in range(n_districts)], dtype=float)
    x, y = X0 + ij[:, 0] * DISTRICT_M, Y0 + ij[:, 1] * DISTRICT_M
    districts = gpd.GeoDataFrame(
        {
            "district_id": [f"d{i:05d}" for i in range(n_districts)],
            "name": [f"District {i}" for i in range(n_districts)],
            "municipality": "M",
            "status": "existing",
        },
        geometry=box(x, y, x + DISTRICT_M, y + DISTRICT_M),
        crs=CRS,
    )
    # two BIDs per district, overlapping each other and the neighbours
    n_b = 2 * n_districts
    bx = np.repeat(x, 2) + rng.uniform(-100, 300, n_b)
    by = np.repeat(y, 2) + rng.uniform(-100, 300, n_b)
    bids = gpd.GeoDataFrame(
        {
            "bid_id": [f"b{i:05d}" for i in range(n_b)],
            "name": "BID",
            "start": pd.Timestamp("2020-01-01"),
            "end": pd.NaT,
        },
        geometry=box(bx, by, bx + rng.uniform(100, 400, n_b), by + rng.uniform(100, 400, n_b)),
        crs=CRS,
    )
    n_p = plots_per_district * n_districts
    px = np.repeat(x, plots_per_district) + rng.uniform(0, 450, n_p)
    py = np.repeat(y, plots_per_district) + rng.uniform(0, 450, n_p)
    rewilding = gpd.GeoDataFrame(
        {
            "plot_id": [f"p{i:06d}" for i in range(n_p)],
            "established": pd.to_datetime(
                rng.choice(["2021-05-01", "2022-05-01", "2023-05-01"], n_p)
            ),
            "owner": rng.choice(["Hvidovre Kommune", "Acme ApS", "Beta A/S", "Gamma ApS"], n_p),
        },
        geometry=box(px, py, px + rng.uniform(10, 80, n_p), py + rng.uniform(10, 80, n_p)),
        crs=CRS,
    )
    extent = side * DISTRICT_M
    sxy = rng.uniform(-500, extent + 500, (n_stops, 2)) + (X0, Y0)
    stops = gpd.GeoDataFrame(
        {
            "stop_id": [f"s{i:06d}" for i in range(n_stops)],
            "name": [f"Stop {i}" for i in range(n_stops)],
            "mode": np.where(rng.random(n_stops) < 0.2, "s_train", "bus"),
            "status": "existing",
            "opens": pd.NaT,
        },
        geometry=gpd.points_from_xy(sxy[:, 0], sxy[:, 1]),
        crs=CRS,
    )
    fxy = rng.uniform(-200, extent + 200, (n_firms, 2)) + (X0, Y0)
    companies = gpd.GeoDataFrame(
        {
            "company_id": pd.array([f"c{i:07d}" for i in range(n_firms)], dtype="str"),
            "name": "Firm",
            "employees": pd.array(rng.integers(1, 100, n_firms), dtype="Int64"),
            "bid_member": pd.array(rng.random(n_firms) < 0.2, dtype="boolean"),
        },
        geometry=gpd.points_from_xy(fxy[:, 0], fxy[:, 1]),
        crs=CRS,
    )
    return Atlas(
        districts=districts, bids=bids, rewilding=rewilding, stops=stops, companies=companies
    )


def parts(atlas: Atlas) -> dict[str, float]:
    as_of = "2026-01-01"
    return {
        "assign": best_of(lambda: assign_districts(atlas.companies, atlas.districts), 3),
        "bid": best_of(
            lambda: bid_coverage(atlas.districts, atlas.bids, atlas.companies, as_of=as_of), 3
        ),
        "rewilding": best_of(
            lambda: rewilded_hectares(atlas.districts, atlas.rewilding, as_of=as_of), 3
        ),
        "transit": best_of(lambda: transit_access(atlas.companies, atlas.stops, as_of=as_of), 3),
        "summarize": best_of(lambda: summarize(atlas, as_of=as_of), 3),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="bundled layers and the smallest size only"
    )
    args = parser.parse_args(argv)

    status = 0
    try:
        from areas.load.pipeline import load

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            atlas = load()
    except Exception as exc:  # noqa: BLE001 - the benchmark still runs the synthetic sizes
        print(f"bundled layers not available ({exc}); skipping that part")
    else:
        print(f"bundled layers: {atlas!r}")
        t = best_of(lambda: summarize(atlas, as_of="2026-01-01"))
        t_inc = best_of(
            lambda: summarize(
                atlas, as_of="2026-01-01", include=["planned", "study"], distance="walk"
            )
        )
        print(
            f"  summarize (best of 5): {t * 1000:.1f} ms; "
            f"with planned+study, walking: {t_inc * 1000:.1f} ms"
        )
        print("  parts (ms): " + ", ".join(f"{k} {v * 1000:.1f}" for k, v in parts(atlas).items()))
        ok = t < 1.0
        print(f"  target: well under 1 s -> {'OK' if ok else 'MISSED'}")
        status = 0 if ok else 1

    sizes = [
        (8, 10_000, 500),
        (80, 10_000, 500),
        (800, 10_000, 500),
        (80, 100_000, 500),
        (80, 10_000, 5_000),
    ]
    if not args.quick:
        sizes += [(80, 1_000_000, 5_000), (2_000, 100_000, 5_000)]
    else:
        sizes = sizes[:1]
    print("\nsynthetic layers (10 plots and 2 BIDs per district), best of 3, ms:")
    header = f"{'districts':>9} {'polygons':>9} {'firms':>9} {'stops':>6} | " + " ".join(
        f"{k:>9}" for k in ("assign", "bid", "rewilding", "transit", "summarize")
    )
    print(header)
    for n_d, n_f, n_s in sizes:
        atlas = synthetic_atlas(n_d, n_f, n_s)
        polygons = len(atlas.districts) + len(atlas.bids) + len(atlas.rewilding)
        p = parts(atlas)
        print(
            f"{n_d:>9,} {polygons:>9,} {n_f:>9,} {n_s:>6,} | "
            + " ".join(f"{v * 1000:>9.1f}" for v in p.values()),
            flush=True,
        )
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"\nprocess peak RSS (ru_maxrss): {maxrss_kb / 1024:.0f} MB")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
