"""Benchmark :func:`areas.write_report`: the bundled layers and 100,000 firms.

Run with ``python benchmarks/bench_report.py`` (options: ``--firms N``,
``--repeat R``). Each case runs in a fresh Python process so that its peak
memory (``ru_maxrss``) is its own. For every case the script prints

- the time of :func:`areas.summarize` alone (the baseline: the analyses the
  report is built on) and of the full report, and their ratio;
- the time of each stage of the report (maps, tables and layers, pages, check
  and swap);
- the peak resident memory of the process and the size of the report folder.

The synthetic case keeps the bundled districts, BIDs, rewilding plots and
stops and replaces the firms by ``--firms`` random points inside the districts
(area-weighted, fixed seed), with Danish names and employee counts.

The many-districts case ("hvidovre") keeps the bundled layers and uses the
170 real Hvidovre local plans (``--plans``, the reference-data GeoJSON) as
the districts: 170 district pages, maps, static maps and charts.

Targets: the bundled layers in under 30 s, the 170 Hvidovre plans in under
15 s, 100,000 firms in under 3 minutes, on two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS_S = {"bundled": 30.0, "hvidovre": 15.0, "synthetic": 180.0}
CASES = tuple(TARGETS_S)


def synthetic_atlas(n_firms: int, seed: int = 20251026):
    """Return the bundled atlas with ``n_firms`` random firms inside its districts."""
    import dataclasses

    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    import areas
    from areas.atlas import LayerSource

    atlas = areas.load()
    rng = np.random.default_rng(seed)
    districts = atlas.districts
    areas_m2 = districts.geometry.area.to_numpy()
    per = rng.multinomial(n_firms, areas_m2 / areas_m2.sum())
    xs, ys = [], []
    for geom, k in zip(districts.geometry, per, strict=True):
        x0, y0, x1, y1 = geom.bounds
        shapely.prepare(geom)
        got_x, got_y, need = [], [], int(k)
        while need > 0:
            x = rng.uniform(x0, x1, need * 3 + 16)
            y = rng.uniform(y0, y1, need * 3 + 16)
            inside = shapely.contains_xy(geom, x, y)
            got_x.append(x[inside][:need])
            got_y.append(y[inside][:need])
            need -= int(min(inside.sum(), need))
        xs.append(np.concatenate(got_x))
        ys.append(np.concatenate(got_y))
    x = np.round(np.concatenate(xs), 2)
    y = np.round(np.concatenate(ys), 2)
    first = np.array(
        ["Ærø", "Østergaard", "Åby", "Nørgaard", "Sønderby", "Hvidovre", "Glostrup", "Brdr. Jensen"]
    )
    last = np.array(["ApS", "A/S", "I/S", "Logistik", "Værksted", "Rådgivning", "Transport"])
    names = np.char.add(np.char.add(rng.choice(first, n_firms), " "), rng.choice(last, n_firms))
    companies = gpd.GeoDataFrame(
        {
            "company_id": pd.array([f"{i:08d}" for i in range(n_firms)], dtype="str"),
            "name": pd.array(names.astype(object), dtype="str"),
            "employees": pd.array(rng.integers(1, 60, n_firms), dtype="Int64"),
            "sector": pd.array(
                rng.choice(["wholesale", "construction", "manufacturing"], n_firms).astype(object),
                dtype="str",
            ),
            "bid_member": pd.array(rng.random(n_firms) < 0.2, dtype="boolean"),
            "address": pd.array([None] * n_firms, dtype="str"),
        },
        geometry=shapely.points(x, y),
        crs=atlas.companies.crs,
    )
    sources = dict(atlas.sources)
    sources["companies"] = LayerSource(
        kind="companies", features_read=n_firms, features_used=n_firms
    )
    return dataclasses.replace(atlas, companies=companies, sources=sources)


def _stage_timer():
    """Wrap the report's stages to time them (monkeypatching the builder)."""
    import areas.output.report.write as report

    times: dict[str, float] = {}

    def wrap(name, func):
        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                times[name] = times.get(name, 0.0) + time.perf_counter() - t

        return timed

    import areas._atomic as atomic
    import areas.output.report.files as files
    import areas.output.report.pages as pages

    files.write_maps = wrap("maps", files.write_maps)
    files.write_tables = wrap("tables+gpkg", files.write_tables)
    pages.write_index = wrap("pages", pages.write_index)
    pages.write_district = wrap("pages", pages.write_district)
    report._check_staging = wrap("check", report._check_staging)
    atomic.swap_into_place = wrap("swap", atomic.swap_into_place)
    return times


#: The real Hvidovre local plans (lokalplaner) used as 170 districts.
HVIDOVRE_PLANS = (
    Path(__file__).resolve().parent.parent.parent
    / "shared"
    / "reference-data"
    / "hvidovre_lokalplaner.geojson"
)
HVIDOVRE_TOML = """[layers]
fallback = "bundled"

[districts]
path = "{path}"

[districts.columns]
district_id = "planid"
name = "plannavn"

[districts.constants]
municipality = "Hvidovre"
status = "existing"
"""


def hvidovre_atlas(plans: Path):
    """Return the bundled layers with the Hvidovre local plans as the districts."""
    import warnings

    import areas

    folder = Path(tempfile.mkdtemp())
    toml = folder / "areas.toml"
    toml.write_text(HVIDOVRE_TOML.format(path=plans.as_posix()), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the bundled BIDs name districts the plans do not have
        return areas.load(toml)


def run_case(case: str, n_firms: int, repeat: int, plans: Path = HVIDOVRE_PLANS) -> dict:
    """Run one case in this process and return its numbers."""
    import areas

    t = time.perf_counter()
    if case == "bundled":
        atlas = areas.load()
    elif case == "hvidovre":
        atlas = hvidovre_atlas(plans)
    else:
        atlas = synthetic_atlas(n_firms)
    prepare_s = time.perf_counter() - t
    times = _stage_timer()
    summary_s, report_s = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "areas-report"
        for _ in range(repeat):
            t = time.perf_counter()
            areas.summarize(atlas, as_of="2026-01-01")
            summary_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            areas.write_report(
                atlas, out, as_of="2026-01-01", compare_as_of="2025-10-25", progress=False
            )
            report_s.append(time.perf_counter() - t)
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        files = sum(1 for p in out.rglob("*") if p.is_file())
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "case": case,
        "firms": len(atlas.companies),
        "districts": len(atlas.districts),
        "prepare_s": prepare_s,
        "summarize_s": statistics.median(summary_s),
        "report_s": statistics.median(report_s),
        "stages_s": {k: v / repeat for k, v in times.items()},
        "peak_rss_mb": maxrss_kb / 1024,
        "report_mb": size / 1e6,
        "files": files,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--firms", type=int, default=100_000, help="firms in the synthetic case")
    parser.add_argument("--repeat", type=int, default=1, help="report runs per case (median shown)")
    parser.add_argument(
        "--plans",
        type=Path,
        default=HVIDOVRE_PLANS,
        help="the Hvidovre local plans (GeoJSON) of the many-districts case",
    )
    parser.add_argument(
        "--cases",
        nargs="+",
        choices=CASES,
        default=list(CASES),
        help="cases to run (default: all)",
    )
    parser.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:  # child process: one case, JSON on stdout
        print(json.dumps(run_case(args.case, args.firms, args.repeat, args.plans)))
        return 0

    print(f"areas report benchmark — {os.cpu_count()} CPU(s), Python {sys.version.split()[0]}")
    ok = True
    for case in args.cases:
        if case == "hvidovre" and not args.plans.is_file():
            print(f"\nhvidovre: skipped, {args.plans} not found (give it with --plans)")
            continue
        cmd = [
            sys.executable,
            __file__,
            "--case",
            case,
            "--firms",
            str(args.firms),
            "--repeat",
            str(args.repeat),
            "--plans",
            str(args.plans),
        ]
        run = subprocess.run(cmd, capture_output=True, text=True, check=True)
        r = json.loads(run.stdout.strip().splitlines()[-1])
        target = TARGETS_S[case]
        verdict = "ok" if r["report_s"] < target else "TOO SLOW"
        ok &= r["report_s"] < target
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in r["stages_s"].items())
        print(
            f"\n{case}: {r['districts']:,} districts, {r['firms']:,} firms\n"
            f"  summarize (baseline) {r['summarize_s']:7.2f} s\n"
            f"  full report          {r['report_s']:7.2f} s"
            f"  = {r['report_s'] / r['summarize_s']:.1f} × baseline"
            f"  (target < {target:.0f} s: {verdict})\n"
            f"    stages: {stages}\n"
            f"  peak RSS {r['peak_rss_mb']:,.0f} MB;"
            f" report {r['report_mb']:.1f} MB in {r['files']} files;"
            f" preparing the layers {r['prepare_s']:.1f} s"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
