"""Benchmark: size and build time of the overview map for 1k, 10k and 100k firms.

Synthetic firms are drawn uniformly in the Copenhagen suburbs around
Albertslund and Hvidovre (lon 12.25–12.56, lat 55.58–55.73); the other layers
are the bundled ones. For each size the script times

- ``summarize``: the analysis the map draws from (:func:`areas.analysis.summary.summarize`),
- ``build``: :func:`areas.output.maps.build.overview_map` given that summary,
- ``save``: :func:`areas.output.maps.build.save_map` (render, write, check),

and reports the HTML size against the 15 MB budget. The baseline, measured in
the same run, is the plain Folium way of drawing the same firms: one
``folium.GeoJson`` of points with ``CircleMarker`` and a ``GeoJsonTooltip``
(CDN links, full-precision coordinates).

With ``--browser`` the saved maps are also opened in headless chromium
(``/usr/bin/chromium``, network blocked) and the script reports the time to a
loaded page and the time to draw every firm as a point at zoom 14.

Run: ``python benchmarks/bench_maps.py [--sizes 1000 10000 100000] [--browser]``
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from areas.analysis.summary import summarize
from areas.atlas import Atlas
from areas.errors import AreasWarning
from areas.load.pipeline import load
from areas.output.maps.build import DEFAULT_SIZE_BUDGET_MB, overview_map, save_map

AS_OF = "2026-01-01"
#: Copenhagen suburbs around Albertslund and Hvidovre (lon_min, lat_min, lon_max, lat_max).
SUBURBS_4326 = (12.25, 55.58, 12.56, 55.73)
CHROMIUM = Path("/usr/bin/chromium")
SECTORS = (
    "wholesale",
    "transport and logistics",
    "business services",
    "construction",
    "manufacturing",
)
WORDS = (
    "Olsen",
    "Bøgh",
    "Skov",
    "Dam",
    "Åmark",
    "Nørre",
    "Vest",
    "Holme",
    "Værktøj",
    "Logistik",
    "Rådgivning",
)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_firms(n: int, seed: int = 2026) -> gpd.GeoDataFrame:
    """``n`` firms with schema columns, uniform in the suburbs box, in EPSG:25832."""
    rng = np.random.default_rng(seed)
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)
    x0, y0 = to_utm.transform(SUBURBS_4326[0], SUBURBS_4326[1])
    x1, y1 = to_utm.transform(SUBURBS_4326[2], SUBURBS_4326[3])
    xy = np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])
    pick = random.Random(seed)
    names = [
        f"{pick.choice(WORDS)} & {pick.choice(WORDS)} {pick.choice(('ApS', 'A/S', 'I/S'))}"
        for _ in range(n)
    ]
    return gpd.GeoDataFrame(
        {
            "company_id": [f"{i:08d}" for i in range(n)],
            "name": names,
            "employees": pd.array(rng.integers(1, 400, n), dtype="Int64"),
            "sector": rng.choice(SECTORS, n),
            "bid_member": pd.array(rng.random(n) < 0.2, dtype="boolean"),
            "address": pd.array([pd.NA] * n, dtype="string"),
        },
        geometry=shapely.points(xy),
        crs="EPSG:25832",
    )


def baseline(firms: gpd.GeoDataFrame, path: Path) -> tuple[float, int]:
    """Draw the firms the plain Folium way and return (seconds, bytes).

    One ``folium.GeoJson`` of points with ``CircleMarker`` and a ``GeoJsonTooltip``.
    """
    start = time.perf_counter()
    web = firms[["name", "employees", "geometry"]].to_crs("EPSG:4326")
    web["employees"] = web["employees"].astype("float64")
    fmap = folium.Map(location=[55.65, 12.4], zoom_start=12, tiles=None, prefer_canvas=True)
    folium.GeoJson(
        web,
        marker=folium.CircleMarker(radius=3, fill=True),
        tooltip=folium.GeoJsonTooltip(["name", "employees"]),
    ).add_to(fmap)
    fmap.save(str(path))
    return time.perf_counter() - start, path.stat().st_size


def in_browser(path: Path, n: int) -> tuple[float, float]:
    """Seconds to a loaded page, and to every firm drawn as a point at zoom 14."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.route(
            "**/*",
            lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort(),
        )
        start = time.perf_counter()
        page.goto(path.resolve().as_uri())
        page.wait_for_function("() => document.readyState === 'complete'")
        loaded = time.perf_counter() - start
        name = page.evaluate("() => Object.keys(window).find((k) => /^map_[0-9a-f]+$/.test(k))")
        start = time.perf_counter()
        count = page.evaluate(
            """(name) => new Promise((done) => {
                const map = window[name];
                map.setZoom(14, {animate: false});
                requestAnimationFrame(() => requestAnimationFrame(() => {
                    let n = 0;
                    map.eachLayer((l) => {
                        if (l.options && l.options.areasKind === "firm") { n++; }
                    });
                    done(n);
                }));
            })""",
            name,
        )
        zoomed = time.perf_counter() - start
        browser.close()
    if count != n:
        print(f"  warning: {count} firm markers drawn, expected {n}", file=sys.stderr)
    return loaded, zoomed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1_000, 10_000, 100_000])
    parser.add_argument(
        "--browser", action="store_true", help="also time the maps in headless chromium"
    )
    args = parser.parse_args(argv)
    if args.browser and not CHROMIUM.exists():
        parser.error(f"--browser needs chromium at {CHROMIUM}")

    base = load()
    out = Path(tempfile.mkdtemp(prefix="bench-maps-"))
    print(f"areas map benchmark: overview map, bundled layers + synthetic firms, as of {AS_OF}")
    print(f"HTML files in {out}; size budget {DEFAULT_SIZE_BUDGET_MB:g} MB (MB = 10^6 bytes)\n")
    header = (
        f"{'firms':>8} {'summarize s':>11} {'build s':>8} {'save s':>7} {'map s':>6} "
        f"{'size MB':>8} {'B/firm':>7} {'budget':>7} | {'folium s':>8} {'folium MB':>9} "
        f"{'size ×':>6} {'time ×':>6} "
        f"| {'peak RSS MB':>11}"
    )
    if args.browser:
        header += f" | {'load s':>6} {'zoom-14 s':>9}"
    print(header)
    for n in args.sizes:
        firms = synthetic_firms(n)
        atlas = Atlas(
            districts=base.districts,
            bids=base.bids,
            rewilding=base.rewilding,
            stops=base.stops,
            companies=firms,
        )
        t0 = time.perf_counter()
        summary = summarize(atlas, as_of=AS_OF)
        t1 = time.perf_counter()
        fmap = overview_map(atlas, summary=summary)
        t2 = time.perf_counter()
        path = out / f"overview_{n}.html"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", AreasWarning)
            save_map(fmap, path)
        t3 = time.perf_counter()
        size = path.stat().st_size
        over = any(issubclass(w.category, AreasWarning) for w in caught)
        base_s, base_size = baseline(firms, out / f"folium_{n}.html")
        map_s = t3 - t1
        line = (
            f"{n:>8,} {t1 - t0:>11.2f} {t2 - t1:>8.2f} {t3 - t2:>7.2f} {map_s:>6.2f} "
            f"{size / 1e6:>8.2f} {size / n:>7.0f} {'OVER' if over else 'ok':>7} | "
            f"{base_s:>8.2f} {base_size / 1e6:>9.2f} "
            f"{size / base_size:>6.2f} {map_s / base_s:>6.2f} | {peak_rss_mb():>11.0f}"
        )
        if args.browser:
            loaded, zoomed = in_browser(path, n)
            line += f" | {loaded:>6.2f} {zoomed:>9.2f}"
        print(line, flush=True)
    print(
        "\nmap s = build + save; size × and time × are this map over the plain Folium "
        "GeoJson baseline "
        "(which links CDNs and would not render offline)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
