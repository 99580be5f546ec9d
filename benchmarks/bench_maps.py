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
(full-precision coordinates), with Leaflet inlined as in the toolkit's pages.

With ``--browser`` the saved maps (and the baseline) are also opened in headless
chromium (``/usr/bin/chromium``, network blocked) and the script reports the
time from navigation to every firm drawn (above 5,000 firms the toolkit draws
them from one compact layer, :mod:`areas.output.compact`) and the time to
redraw at street level (zoom 17). The issue's budget for 100,000 firms:
at most 3 MB, drawn in under 1.5 s.

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
from areas.output.offline import make_self_contained

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
    make_self_contained(fmap)  # Leaflet inlined, as in the toolkit's pages: both render offline
    fmap.save(str(path))
    return time.perf_counter() - start, path.stat().st_size


# Wait for the firms to be drawn; return ms since navigation start. The toolkit's page
# draws many firms from one compact layer (decoded asynchronously); the folium page's
# markers exist once the page has loaded.
DRAWN = """async (name) => {
    const map = window[name];
    const waits = [];
    map.eachLayer((l) => { if (l.ready && l.count) { waits.push(l.ready); } });
    await Promise.all(waits);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now();
}"""
# Zoom to street level at the centre and wait for the redraw; return seconds.
STREET = """(name) => new Promise((done) => {
    const map = window[name], start = performance.now();
    map.setView([55.655, 12.405], 17, {animate: false});
    const seconds = () => (performance.now() - start) / 1000;
    requestAnimationFrame(() => requestAnimationFrame(() => done(seconds())));
})"""


def in_browser(path: Path) -> tuple[float, float]:
    """Seconds from navigation to every firm drawn, and to a redraw at street level (zoom 17)."""
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
        page.goto(path.resolve().as_uri(), timeout=180_000)
        page.wait_for_function("() => document.readyState === 'complete'", timeout=180_000)
        name = page.evaluate("() => Object.keys(window).find((k) => /^map_[0-9a-f]+$/.test(k))")
        drawn = page.evaluate(DRAWN, name) / 1000
        street = page.evaluate(STREET, name)
        browser.close()
    return drawn, street


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
        header += f" | {'drawn s':>7} {'z17 s':>6} | {'folium drawn s':>14}"
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
            drawn, street = in_browser(path)
            base_drawn, _ = in_browser(out / f"folium_{n}.html")
            line += f" | {drawn:>7.2f} {street:>6.2f} | {base_drawn:>14.2f}"
        print(line, flush=True)
    print(
        "\nmap s = build + save; size × and time × are this map over the plain Folium "
        "GeoJson baseline (Leaflet inlined the same way). drawn s: navigation to every firm "
        "drawn in headless chromium; z17 s: redraw at street level."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
