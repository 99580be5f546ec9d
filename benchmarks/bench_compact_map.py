"""Benchmark: a compact points map of 100,000 firms against the plain folium way.

Both pages hold the same firms (synthetic, uniform in the Copenhagen suburbs,
from ``bench_maps.synthetic_firms``) with the same tooltip (name, employees,
sector) and the same inlined Leaflet (both self-contained, no network):

- **compact**: :func:`areas.output.compact.compact_points_layer` (quantised,
  delta-encoded, deflate-compressed typed arrays drawn on a canvas);
- **folium**: the baseline, one ``folium.GeoJson`` of points with
  ``CircleMarker`` and a ``GeoJsonTooltip`` (``prefer_canvas=True``).

Names are made unique (the firm's number is appended), as real firm names
are; ``--repeated-names`` keeps the generator's few hundred names instead.

For each page the script reports its size, the Python time and traced peak
memory to build and save it, and, in headless chromium (``/usr/bin/chromium``,
network blocked), the median over ``--runs`` loads of the time from navigation
start to the points drawn (``performance.now()`` after the data are decoded and
two animation frames have passed), the JavaScript heap then (Chrome DevTools
``JSHeapUsedSize``), the time to redraw at street level (zoom 17), how many
points are drawn there, and whether hovering a chosen firm shows its name.

Run: ``python benchmarks/bench_compact_map.py [--sizes 10000 100000] [--runs 3]``
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import folium
import geopandas as gpd
from bench_maps import synthetic_firms

from areas.output.compact import compact_points_layer
from areas.output.offline import make_self_contained

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
CENTRE = [55.655, 12.405]
#: The issue's budgets for 100,000 firms.
BUDGET_MB = 3.0
BUDGET_LOAD_S = 1.5

# Wait for the points to be drawn; return ms since navigation start and a count.
DRAWN = """async ([kind, name]) => {
    let n = null;
    if (kind === "compact") { await window[name].ready; n = window[name].count(); }
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    if (kind !== "compact") {
        n = 0;
        window[name].eachLayer((l) => { if (l.getLatLng) { n++; } });
    }
    return [performance.now(), n];
}"""
STREET = """async ([kind, name, map, lat, lon]) => {
    const m = window[map], t0 = performance.now();
    m.setView([lat, lon], 17, {animate: false});
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const t1 = performance.now();
    const drawn = kind === "compact" ? window[name].drawn() : null;
    const p = m.latLngToContainerPoint([lat, lon]), box = m.getContainer().getBoundingClientRect();
    return [t1 - t0, drawn, box.left + p.x, box.top + p.y];
}"""


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def compact_page(firms: gpd.GeoDataFrame, path: Path) -> tuple[str, str]:
    """Write the compact page; return the JS names of the layer and the map."""
    fmap = folium.Map(location=CENTRE, zoom_start=11, tiles=None, prefer_canvas=True)
    layer = compact_points_layer(
        firms, columns=["employees", "sector"], title="name", name="Firms", lang="en"
    ).add_to(fmap)
    make_self_contained(fmap).save(str(path))
    return layer.get_name(), fmap.get_name()


def folium_page(firms: gpd.GeoDataFrame, path: Path) -> tuple[str, str]:
    """Write the baseline page (plain folium, Leaflet inlined the same way)."""
    web = firms[["name", "employees", "sector", "geometry"]].to_crs("EPSG:4326")
    web["employees"] = web["employees"].astype("float64")
    fmap = folium.Map(location=CENTRE, zoom_start=11, tiles=None, prefer_canvas=True)
    layer = folium.GeoJson(
        web,
        marker=folium.CircleMarker(radius=3, fill=True),
        tooltip=folium.GeoJsonTooltip(["name", "employees", "sector"]),
    ).add_to(fmap)
    make_self_contained(fmap).save(str(path))
    return layer.get_name(), fmap.get_name()


def build(kind: str, firms: gpd.GeoDataFrame, path: Path) -> tuple[str, str, float, float]:
    """Build and save one page; return names, seconds and traced peak MB."""
    tracemalloc.start()
    start = time.perf_counter()
    names = (compact_page if kind == "compact" else folium_page)(firms, path)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return *names, seconds, peak


def in_browser(browser, path: Path, kind: str, names: tuple[str, str], firm, runs: int) -> dict:
    """Load the page ``runs`` times; measure the drawn time, heap, street zoom and a tooltip."""
    loads, heap, count, street = [], 0.0, 0, (0.0, None, 0.0, 0.0)
    for _ in range(runs):
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.route(
            "**/*",
            lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort(),
        )
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.goto(path.resolve().as_uri())
        ms, count = page.evaluate(DRAWN, [kind, names[0]])
        loads.append(ms / 1000)
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        heap = metrics["JSHeapUsedSize"] / 1e6
        street = page.evaluate(STREET, [kind, names[0], names[1], firm[1], firm[2]])
        page.mouse.move(street[2] + 1, street[3])
        page.wait_for_timeout(150)
        tips = page.locator(".leaflet-tooltip").all_inner_texts()
        page.close()
    return {
        "load_s": statistics.median(loads),
        "heap_mb": heap,
        "count": count,
        "street_s": street[0] / 1000,
        "street_drawn": street[1],
        "tooltip_ok": any(firm[0] in t for t in tips),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[100_000])
    parser.add_argument("--runs", type=int, default=3, help="page loads per map (median)")
    parser.add_argument("--repeated-names", action="store_true", help="keep repeated names")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        parser.error(f"this benchmark needs chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    out = Path(tempfile.mkdtemp(prefix="bench-compact-"))
    print("compact points map vs plain folium GeoJson, synthetic firms, headless chromium")
    print(f"HTML in {out}; MB = 10^6 bytes; budget at 100k: {BUDGET_MB} MB, {BUDGET_LOAD_S} s\n")
    head = (
        f"{'firms':>8} {'page':>8} {'MB':>6} {'build s':>7} {'py peak MB':>10} | "
        f"{'drawn s':>7} {'JS heap MB':>10} {'count':>7} {'z17 s':>6} {'z17 drawn':>9} {'tip':>4}"
    )
    print(head)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        for n in args.sizes:
            firms = synthetic_firms(n)
            if not args.repeated_names:
                firms["name"] = [f"{name} {i}" for i, name in enumerate(firms["name"])]
            web = firms.to_crs("EPSG:4326")
            chosen = n // 3
            firm = (
                firms["name"].iloc[chosen],
                web.geometry.y.iloc[chosen],
                web.geometry.x.iloc[chosen],
            )
            rows = {}
            for kind in ("compact", "folium"):
                path = out / f"{kind}_{n}.html"
                layer, fmap, seconds, peak = build(kind, firms, path)
                size = path.stat().st_size / 1e6
                b = in_browser(browser, path, kind, (layer, fmap), firm, args.runs)
                rows[kind] = (size, b)
                print(
                    f"{n:>8,} {kind:>8} {size:>6.2f} {seconds:>7.2f} {peak:>10.0f} | "
                    f"{b['load_s']:>7.2f} {b['heap_mb']:>10.0f} {b['count']:>7,} "
                    f"{b['street_s']:>6.2f} {str(b['street_drawn'] or '–'):>9} "
                    f"{'yes' if b['tooltip_ok'] else 'NO':>4}",
                    flush=True,
                )
                if b["count"] != n:
                    print(
                        f"  warning: {b['count']} points in the page, expected {n}", file=sys.stderr
                    )
            (cs, cb), (fs, fb) = rows["compact"], rows["folium"]
            print(
                f"{'':>8} {'ratio':>8} {cs / fs:>6.2f} {'':>7} {'':>10} | "
                f"{cb['load_s'] / fb['load_s']:>7.2f} {cb['heap_mb'] / fb['heap_mb']:>10.2f}"
            )
        browser.close()
    print(f"\npeak RSS of this process: {peak_rss_mb():.0f} MB")
    print("drawn s: navigation start to the points drawn (median of the loads).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
