"""Benchmark: loading and validating a 1,000,000-firm companies layer.

Generates, in a temporary folder, a companies CSV (comma-separated with
decimal points, and the Danish-Excel variant with ``;`` and decimal commas)
and a GeoPackage of the same firms, then measures, each in a fresh process so
that peak memory belongs to that step alone:

- ``pandas.read_csv`` of the file with no checks (the baseline);
- :func:`areas.load.pipeline.read_layer` (every check, reprojection to EPSG:25832);
- :func:`areas.validate.validate` of the CSV and of the GeoPackage.

Prints seconds, rows per second, peak resident memory and the ratio to the
baseline. Targets: ``read_layer`` under 10 s and 2 GB; ``validate`` under
60 s and 2 GB.

Usage::

    python benchmarks/bench_load.py [--rows 1000000] [--skip-gpkg]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def make_frame(rows: int, seed: int = 42):
    """Return a companies table of ``rows`` firms around Avedøre Holme and Hersted (lon/lat)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    sectors = np.array(["Transport", "Handel", "Byggeri", "Industri", "Service", "Engros"])
    return pd.DataFrame(
        {
            "company_id": np.char.zfill(np.arange(rows).astype(str), 8),  # leading zeros
            "name": np.char.add("Firma ", np.arange(rows).astype(str)),
            "employees": rng.integers(0, 500, rows),
            "sector": sectors[rng.integers(0, len(sectors), rows)],
            "bid_member": np.where(rng.random(rows) < 0.2, "ja", "nej"),
            "lon": rng.uniform(12.33, 12.50, rows).round(6),
            "lat": rng.uniform(55.60, 55.68, rows).round(6),
        }
    )


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(step: str, path: str, sep: str, decimal: str) -> dict:
    """Run one step in this (fresh) process; return its figures."""
    import warnings

    start = time.perf_counter()
    if step == "pandas":
        import pandas as pd

        rows = len(pd.read_csv(path, sep=sep, decimal=decimal))
    elif step == "read_layer":
        from areas.load.pipeline import read_layer

        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the clean file must load without repairs
            frame, source = read_layer(path, "companies")
        rows = len(frame)
        assert source.reconciles() and frame.crs.to_epsg() == 25832
    elif step == "validate":
        from areas.validate import validate

        districts = Path(path).parent / "districts.geojson"
        report = validate(
            config={"districts": {"path": str(districts)}, "companies": {"path": path}},
            fallback="empty",
        )
        assert report.ok, report.to_text()
        rows = report.sources["companies"].features_used
    else:  # pragma: no cover
        raise ValueError(step)
    seconds = time.perf_counter() - start
    return {"step": step, "seconds": seconds, "rows": rows, "peak_rss_mb": peak_rss_mb()}


def run_step(step: str, path: Path, sep: str = ",", decimal: str = ".") -> dict:
    cmd = [sys.executable, __file__, "--worker", step, str(path), sep, decimal]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{step} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_districts(folder: Path) -> None:
    import geopandas as gpd
    from shapely.geometry import box

    frame = gpd.GeoDataFrame(
        {
            "district_id": ["all"],
            "name": ["Vestegnen"],
            "municipality": ["Hvidovre"],
            "status": ["existing"],
        },
        geometry=[box(12.3, 55.58, 12.52, 55.70)],
        crs="EPSG:4326",
    )
    frame.to_file(folder / "districts.geojson")


def generate(folder: Path, rows: int, *, gpkg: bool) -> None:
    """Write the benchmark inputs into ``folder``."""
    frame = make_frame(rows)
    frame.to_csv(folder / "companies.csv", index=False)
    frame.to_csv(folder / "companies_dk.csv", index=False, sep=";", decimal=",")
    write_districts(folder)
    if gpkg:
        import geopandas as gpd
        import pyogrio

        gdf = gpd.GeoDataFrame(
            frame.drop(columns=["lon", "lat"]),
            geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
            crs="EPSG:4326",
        ).to_crs("EPSG:25832")
        pyogrio.write_dataframe(gdf, folder / "companies.gpkg", layer="companies")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--skip-gpkg", action="store_true", help="do not build and validate a GeoPackage"
    )
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return
    if args.generate:
        generate(Path(args.generate[0]), int(args.generate[1]), gpkg=args.generate[2] == "1")
        return

    with tempfile.TemporaryDirectory(prefix="areas-bench-") as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        # generated in a child process, so that this process stays small: on Linux a
        # child's ru_maxrss starts from its parent's size
        cmd = [
            sys.executable,
            __file__,
            "--generate",
            str(folder),
            str(args.rows),
            str(int(not args.skip_gpkg)),
        ]
        subprocess.run(cmd, check=True)
        plain, danish = folder / "companies.csv", folder / "companies_dk.csv"
        gpkg = None if args.skip_gpkg else folder / "companies.gpkg"
        print(
            f"generated {args.rows:,} firms in {time.perf_counter() - t:.1f} s "
            f"(CSV {plain.stat().st_size / 1e6:.0f} MB)"
        )

        results = []
        for label, path, sep, decimal in (
            ("CSV , .", plain, ",", "."),
            ("CSV ; ,", danish, ";", ","),
        ):
            base = run_step("pandas", path, sep, decimal)
            layer = run_step("read_layer", path)
            check = run_step("validate", path)
            results.append((label, base, layer, check))
        if gpkg is not None:
            check = run_step("validate", gpkg)
            results.append(("GeoPackage", None, None, check))

    print()
    header = (
        f"{'input':<11} {'step':<11} {'seconds':>8} {'rows/s':>11} {'peak MB':>8} {'× pandas':>9}"
    )
    print(header)
    print("-" * len(header))
    for label, base, layer, check in results:
        for result in (base, layer, check):
            if result is None:
                continue
            ratio = result["seconds"] / base["seconds"] if base else float("nan")
            print(
                f"{label:<11} {result['step']:<11} {result['seconds']:>8.2f} "
                f"{result['rows'] / result['seconds']:>11,.0f} {result['peak_rss_mb']:>8.0f} "
                f"{ratio:>9.1f}"
            )
    slow = [
        (label, r["step"], r["seconds"], r["peak_rss_mb"])
        for label, _, layer, check in results
        for r, limit in ((layer, 10), (check, 60))
        if r is not None and (r["seconds"] > limit or r["peak_rss_mb"] > 2048)
    ]
    print()
    print("targets met" if not slow else f"targets MISSED: {slow}")


if __name__ == "__main__":
    main()
