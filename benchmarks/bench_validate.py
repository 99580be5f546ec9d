"""Benchmark: ``areas validate`` on a 1,000,000-firm companies CSV with planted problems.

The command a planner runs on a large register, end to end: a fresh
``python -m areas validate DIR`` process (interpreter start, imports, reading,
every check, the report). The CSV has problems planted at known rows:

- three firms sharing one id (``DuplicateIdError``);
- two firms with blank coordinates and one at (0, 0) (left out, warned);
- one firm with longitude and latitude swapped (``CoordinateError``).

Prints the wall time and peak resident memory of the ``areas validate``
process, the same for a plain ``pandas.read_csv`` of the file in a fresh
process (the baseline) and their ratio, and checks that every planted
problem is named in the output. Target: findings within 60 s and 2 GB.

Each command runs under a small measuring process that imports nothing heavy,
so ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` there is the peak of the
command alone.

Usage::

    python benchmarks/bench_validate.py [--rows 1000000]
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

#: Rows where problems are planted (scaled down for small --rows).
DUPLICATES = (10, 500_000, 500_001)
BLANK = (123_456, 654_321)
ZERO = (999,)
SWAPPED = (777_777,)


def planted(rows: int) -> dict[str, list[int]]:
    """Return the planted rows, each kept below ``rows``."""

    def fit(values):
        return [v % rows for v in values]

    return {
        "duplicates": fit(DUPLICATES),
        "blank": fit(BLANK),
        "zero": fit(ZERO),
        "swapped": fit(SWAPPED),
    }


def company_id(row: int) -> str:
    return f"{row:08d}"


def generate(folder: Path, rows: int, seed: int = 7) -> None:
    """Write ``companies.csv`` (lon/lat, with the planted problems) and ``districts.geojson``."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    from shapely.geometry import box

    rng = np.random.default_rng(seed)
    sectors = np.array(["Transport", "Handel", "Byggeri", "Industri", "Service", "Engros"])
    ids = np.char.zfill(np.arange(rows).astype(str), 8).astype(object)
    lon = rng.uniform(12.33, 12.50, rows).round(6).astype(object)
    lat = rng.uniform(55.60, 55.68, rows).round(6).astype(object)
    rows_of = planted(rows)
    first = rows_of["duplicates"][0]
    for r in rows_of["duplicates"][1:]:
        ids[r] = company_id(first)
    for r in rows_of["blank"]:
        lon[r], lat[r] = "", ""
    for r in rows_of["zero"]:
        lon[r], lat[r] = 0, 0
    for r in rows_of["swapped"]:
        lon[r], lat[r] = lat[r], lon[r]
    frame = pd.DataFrame(
        {
            "company_id": ids,
            "name": np.char.add("Firma Ærø ", np.arange(rows).astype(str)),
            "employees": rng.integers(0, 500, rows),
            "sector": sectors[rng.integers(0, len(sectors), rows)],
            "bid_member": np.where(rng.random(rows) < 0.2, "ja", "nej"),
            "lon": lon,
            "lat": lat,
        }
    )
    frame.to_csv(folder / "companies.csv", index=False)
    gpd.GeoDataFrame(
        {
            "district_id": ["vestegnen"],
            "name": ["Vestegnen"],
            "municipality": ["Hvidovre"],
            "status": ["existing"],
        },
        geometry=[box(12.3, 55.58, 12.52, 55.70)],
        crs="EPSG:4326",
    ).to_file(folder / "districts.geojson")


def measure(command: list[str]) -> dict:
    """Run ``command``; return its wall time, peak memory, exit code and output."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    return {
        "seconds": seconds,
        "peak_mb": peak_kib / 1024,
        "returncode": done.returncode,
        "stdout": done.stdout,
        "stderr": done.stderr,
    }


def run_measured(command: list[str]) -> dict:
    """Measure ``command`` from a fresh, small process (so the peak is the command's own)."""
    out = subprocess.run(
        [sys.executable, __file__, "--measure", json.dumps(command)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--generate", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(Path(args.generate[0]), int(args.generate[1]))
        return
    if args.measure:
        print(json.dumps(measure(json.loads(args.measure))))
        return

    rows = args.rows
    with tempfile.TemporaryDirectory(prefix="areas-bench-validate-") as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--generate", str(folder), str(rows)], check=True)
        size_mb = (folder / "companies.csv").stat().st_size / 1e6
        print(f"generated {rows:,} firms in {time.perf_counter() - t:.1f} s (CSV {size_mb:.0f} MB)")

        csv_path = str(folder / "companies.csv")
        baseline = run_measured(
            [sys.executable, "-c", f"import pandas; print(len(pandas.read_csv({csv_path!r})))"]
        )
        check = run_measured(
            [sys.executable, "-m", "areas", "validate", str(folder), "--fallback", "empty"]
        )

    output = check["stdout"] + check["stderr"]
    rows_of = planted(rows)
    named = {
        "duplicate id": f"{company_id(rows_of['duplicates'][0])} (3×)" in output,
        "blank coordinates": all(company_id(r) in output for r in rows_of["blank"]),
        "(0, 0)": all(company_id(r) in output for r in rows_of["zero"]),
        "swapped lon/lat": all(company_id(r) in output for r in rows_of["swapped"]),
        "no traceback": "Traceback" not in output,
        "exit code 1 (not usable)": check["returncode"] == 1,
    }

    print()
    print(output.strip())
    print()
    header = f"{'step':<28} {'seconds':>8} {'rows/s':>11} {'peak MB':>8} {'× pandas':>9}"
    print(header)
    print("-" * len(header))
    for label, result in (("pandas.read_csv (baseline)", baseline), ("areas validate", check)):
        print(
            f"{label:<28} {result['seconds']:>8.2f} {rows / result['seconds']:>11,.0f} "
            f"{result['peak_mb']:>8.0f} {result['seconds'] / baseline['seconds']:>9.1f}"
        )
    print()
    for what, ok in named.items():
        print(f"  {'yes' if ok else 'NO '}  {what}")
    within = check["seconds"] <= 60 and check["peak_mb"] <= 2048
    print()
    print(
        "targets met (60 s, 2 GB)"
        if within and all(named.values())
        else "targets MISSED: "
        + ", ".join(
            [k for k, v in named.items() if not v]
            + ([] if within else [f"{check['seconds']:.0f} s / {check['peak_mb']:.0f} MB"])
        )
    )


if __name__ == "__main__":
    main()
