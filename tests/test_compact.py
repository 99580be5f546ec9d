"""The compact points layer (:mod:`areas.output.compact`): packing, decoding, drawing, tooltips.

A plain Python decoder of the packed format is the reference for the
packing; headless chromium decodes the same page and must agree: every firm
exactly once, every coordinate within 1 m of the input, the tooltip text of a
chosen firm, and only the points in view drawn at street level.
"""

from __future__ import annotations

import base64
import zlib

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from areas.errors import OutputError
from areas.output.compact import STEP_DEG, compact_points_layer, encode_points
from areas.output.i18n import value_label
from areas.output.offline import external_resources, make_self_contained

# Albertslund–Hvidovre, EPSG:25832
BOX_25832 = (710_000, 6_160_000, 726_000, 6_177_000)
SECTORS = ["wholesale", "construction", "logistik og transport", "rådgivning"]


def firms(n: int, seed: int = 7) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    x = rng.uniform(BOX_25832[0], BOX_25832[2], n)
    y = rng.uniform(BOX_25832[1], BOX_25832[3], n)
    employees = pd.array(rng.integers(1, 25_000, n), dtype="Int64")
    employees[::17] = pd.NA
    names = pd.array([f"Firma {i:05d} Åmark & Søn <b>" for i in range(n)], dtype="string")
    names[5] = pd.NA
    return gpd.GeoDataFrame(
        {
            "company_id": [f"{i:08d}" for i in range(n)],
            "name": names,
            "employees": employees,
            "sector": rng.choice(SECTORS, n),
            "bid_member": pd.array(rng.random(n) < 0.3, dtype="boolean"),
            "rail_distance_m": rng.uniform(10, 3000, n),
        },
        geometry=shapely.points(np.column_stack([x, y])),
        crs="EPSG:25832",
    )


# --- a plain reference decoder -----------------------------------------------------------------


def _unplane(raw: bytes, count: int, width: int) -> np.ndarray:
    planes = np.frombuffer(raw, np.uint8).reshape(width, count).astype(np.uint64)
    return sum(planes[b] << np.uint64(8 * b) for b in range(width))


def decode(packed: dict) -> tuple[np.ndarray, np.ndarray, dict]:
    """Decode a packed layer with plain loops: (lon, lat, {column: values})."""
    data = base64.b64decode(packed["data"])
    if packed["compressed"]:
        data = zlib.decompress(data, -15)
    n, c = packed["n"], packed["coords"]
    raw = _unplane(data[c["offset"] : c["offset"] + c["length"]], 2 * n, c["width"])
    lon, lat, x, y = [], [], 0, 0
    for i in range(n):
        zx, zy = int(raw[i]), int(raw[n + i])
        x += (zx >> 1) ^ -(zx & 1)
        y += (zy >> 1) ^ -(zy & 1)
        lon.append(packed["origin"][0] + x * packed["step"])
        lat.append(packed["origin"][1] + y * packed["step"])
    columns = {}
    for col in packed["columns"]:
        part = data[col["offset"] : col["offset"] + col["length"]]
        if col["kind"] == "text":
            values = part.decode("utf-8").split("\x00") if n else []
            for i in col["missing"]:
                values[i] = None
        elif col["kind"] == "float":
            values = np.frombuffer(part, "<f4").tolist()
        elif col["kind"] == "cat":
            values = [
                None if v == 0 else col["dict"][v - 1] for v in _unplane(part, n, col["width"])
            ]
        else:
            values = [
                None if v == 0 else int(v) - 1 + col["min"] for v in _unplane(part, n, col["width"])
            ]
        columns[col["name"]] = values
    return np.array(lon), np.array(lat), columns


def metres_apart(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Equirectangular distance in metres (exact enough below a kilometre)."""
    r = 6_371_008.8
    dlat = np.radians(lat2 - lat1)
    dlon = np.radians(lon2 - lon1) * np.cos(np.radians((lat1 + lat2) / 2))
    return r * np.hypot(dlat, dlon)


def test_packing_round_trips_within_a_metre():
    frame = firms(3_000)
    packed = encode_points(frame, ["company_id", "name", "employees", "sector", "rail_distance_m"])
    lon, lat, cols = decode(packed)
    web = frame.to_crs("EPSG:4326").set_index("company_id")
    assert sorted(cols["company_id"]) == sorted(web.index)  # every firm exactly once
    back = web.loc[cols["company_id"]]
    apart = metres_apart(lon, lat, back.geometry.x.to_numpy(), back.geometry.y.to_numpy())
    assert apart.max() < 1.0
    # 1e-5° steps: at most half a step in each direction
    assert apart.max() <= metres_apart(0, 55.7, STEP_DEG / 2, 55.7 + STEP_DEG / 2) + 1e-9
    assert cols["name"] == [None if pd.isna(v) else v for v in back["name"]]
    assert cols["employees"] == [None if pd.isna(v) else int(v) for v in back["employees"]]
    assert cols["sector"] == back["sector"].tolist()
    assert np.allclose(cols["rail_distance_m"], back["rail_distance_m"], rtol=1e-6)


def test_repeated_strings_become_a_dictionary_and_unique_ones_text():
    packed = encode_points(firms(500), ["name", "sector", "bid_member"], lang="da")
    kinds = {c["name"]: c for c in packed["columns"]}
    assert kinds["name"]["kind"] == "text"
    # sectors are shown by their Danish labels (a sector without one as it is)
    danish = sorted(value_label("sector", s, "da") for s in SECTORS)
    assert kinds["sector"]["kind"] == "cat" and sorted(kinds["sector"]["dict"]) == danish
    assert sorted(kinds["bid_member"]["dict"]) == ["ja", "nej"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(8.0, 15.2),
            st.floats(54.5, 57.8),
            st.one_of(st.none(), st.integers(-5, 70_000)),
            st.text(min_size=0, max_size=12).filter(lambda s: "\x00" not in s),
        ),
        min_size=1,
        max_size=60,
    ),
    st.booleans(),
)
def test_any_points_round_trip(rows, compress):
    lon, lat, ints, texts = zip(*rows, strict=True)
    frame = gpd.GeoDataFrame(
        {
            "k": [f"r{i}" for i in range(len(rows))],
            "v": pd.array(list(ints), dtype="Int64"),
            "t": pd.array(list(texts), dtype="string"),
        },
        geometry=shapely.points(np.column_stack([lon, lat])),
        crs="EPSG:4326",
    )
    got_lon, got_lat, cols = decode(encode_points(frame, ["k", "v", "t"], compress=compress))
    by_key = frame.set_index("k")
    assert sorted(cols["k"]) == sorted(by_key.index)
    want = by_key.loc[cols["k"]]
    assert np.abs(got_lon - want.geometry.x.to_numpy()).max() <= STEP_DEG / 2 + 1e-9
    assert np.abs(got_lat - want.geometry.y.to_numpy()).max() <= STEP_DEG / 2 + 1e-9
    assert cols["v"] == [None if pd.isna(v) else int(v) for v in want["v"]]
    assert cols["t"] == want["t"].tolist()


def test_bad_input_is_named():
    frame = firms(10)
    with pytest.raises(OutputError, match="lacks: nope"):
        encode_points(frame, ["nope"])
    with pytest.raises(OutputError, match="no CRS"):
        encode_points(frame.set_crs(None, allow_override=True), ["name"])
    lines = frame.copy()
    lines.loc[3, "geometry"] = shapely.LineString([(710_000, 6_160_000), (710_010, 6_160_010)])
    with pytest.raises(OutputError, match="rows 3"):
        encode_points(lines, ["name"])
    nul = frame.copy()
    nul["name"] = [f"n{i}" for i in range(10)]
    nul.loc[4, "name"] = "a\x00b"
    with pytest.raises(OutputError, match="rows 4"):
        encode_points(nul, ["name"])
    with pytest.raises(OutputError, match="categories"):
        compact_points_layer(frame, columns=["name"], color_by="rail_distance_m")


def test_page_is_self_contained():
    fmap = folium.Map(tiles=None, location=[55.66, 12.4], zoom_start=12)
    compact_points_layer(firms(50), columns=["name"], title="name").add_to(fmap)
    html = make_self_contained(fmap).get_root().render()
    assert external_resources(html) == []
    assert html.count("L.AreasCompactPoints = L.Canvas.extend") == 1


# --- in the browser -------------------------------------------------------------------------

sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need Playwright")

from conftest import CHROMIUM_ARGS, require_or_skip  # noqa: E402

READY = """async (name) => {
    const layer = window[name];
    await layer.ready;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return layer.count();
}"""


@pytest.fixture(scope="module")
def browser(chromium):
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        except sync_api.Error as exc:  # pragma: no cover - depends on the machine
            require_or_skip(f"chromium at {chromium} does not start: {exc}")
        yield b
        b.close()


@pytest.fixture(scope="module")
def page_of(browser, tmp_path_factory):
    frame = firms(4_000)
    fmap = folium.Map(tiles=None, location=[55.66, 12.4], zoom_start=12, prefer_canvas=True)
    layer = compact_points_layer(
        frame,
        columns=["company_id", "employees", "sector", "bid_member", "rail_distance_m"],
        title="name",
        color_by="sector",
        colors={"wholesale": "#d55e00", "construction": "#009e73"},
        name="Virksomheder",
        lang="da",
    ).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    path = tmp_path_factory.mktemp("compact") / "compact.html"
    make_self_contained(fmap).save(str(path))
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto(path.as_uri())
    count = page.evaluate(READY, layer.get_name())
    yield frame, layer.get_name(), page, count, errors
    page.close()


@pytest.mark.browser
def test_browser_decodes_every_firm_once_within_a_metre(page_of):
    frame, name, page, count, errors = page_of
    assert count == len(frame)
    got = page.evaluate(
        """(name) => { const l = window[name], out = [];
            for (let i = 0; i < l.count(); i++) {
                const p = l.latLng(i); out.push([l.value("company_id", i), p.lng, p.lat]); }
            return out; }""",
        name,
    )
    ids = [g[0] for g in got]
    assert sorted(ids) == sorted(frame["company_id"]) and len(set(ids)) == len(frame)
    web = frame.to_crs("EPSG:4326").set_index("company_id").loc[ids]
    apart = metres_apart(
        np.array([g[1] for g in got]),
        np.array([g[2] for g in got]),
        web.geometry.x.to_numpy(),
        web.geometry.y.to_numpy(),
    )
    assert apart.max() < 1.0
    assert errors == []


@pytest.mark.browser
def test_tooltip_of_a_chosen_firm_in_danish(page_of):
    frame, name, page, _, errors = page_of
    chosen = frame.iloc[
        [i for i in range(len(frame)) if not pd.isna(frame["employees"].iloc[i])][7]
    ]
    web = frame.to_crs("EPSG:4326")
    lon, lat = web.geometry.x.iloc[chosen.name], web.geometry.y.iloc[chosen.name]
    xy = page.evaluate(
        """([name, lat, lon]) => { const l = window[name], map = l._map;
            map.setView([lat, lon], 18, {animate: false});
            const p = map.latLngToContainerPoint([lat, lon]);
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y, l.drawn()]; }""",
        [name, lat, lon],
    )
    page.wait_for_timeout(100)
    # at street level only the firms in view are drawn
    drawn = page.evaluate("(name) => window[name].drawn()", name)
    assert 0 < drawn < len(frame) / 20
    page.mouse.move(xy[0] + 1, xy[1])
    page.wait_for_timeout(100)
    tips = page.locator(".leaflet-tooltip .areas-tip")
    assert tips.count() == 1
    assert tips.locator(".areas-tip-title").inner_text() == chosen["name"]
    text = tips.inner_text()
    employees = f"{int(chosen['employees']):,}".replace(",", ".")
    assert employees in text and chosen["company_id"] in text
    assert ("ja" if chosen["bid_member"] else "nej") in text
    assert f"{round(chosen['rail_distance_m']):,} m".replace(",", ".") in text
    assert tips.locator("b").count() == 0  # the name's "<b>" is text
    # away from every firm the tooltip closes
    page.mouse.move(5, 5)
    page.wait_for_timeout(300)
    assert page.locator(".leaflet-tooltip .areas-tip").count() == 0
    assert errors == []


@pytest.mark.browser
def test_missing_values_show_as_a_dash(page_of):
    frame, name, page, _, _ = page_of
    values = page.evaluate(
        """(name) => { const l = window[name], out = {};
            for (let i = 0; i < l.count(); i++) {
                out[l.value("company_id", i)] = [l.value("name", i), l.value("employees", i)]; }
            return out; }""",
        name,
    )
    assert values[frame["company_id"].iloc[5]][0] == "–"
    assert values[frame["company_id"].iloc[17]][1] == "–"


@pytest.mark.browser
def test_layer_control_switches_the_points_off(page_of):
    _, name, page, _, errors = page_of
    box = page.get_by_role("checkbox", name="Virksomheder")
    box.uncheck()
    assert page.evaluate("(name) => window[name]._map === null || !window[name]._map", name)
    box.check()
    assert page.evaluate("(name) => !!window[name]._map", name)
    assert errors == []


@pytest.mark.browser
@pytest.mark.parametrize("zoom", [12, 18])
def test_points_take_their_colour_when_dense_and_when_few(page_of, zoom):
    """Zoom 12 holds thousands of points (drawn as pixels), zoom 18 a few (drawn as arcs)."""
    frame, name, page, _, errors = page_of
    web = frame.to_crs("EPSG:25832")
    xy = np.column_stack([web.geometry.x, web.geometry.y])
    from scipy.spatial import cKDTree

    gap, _ = cKDTree(xy).query(xy, k=2)
    lonely = [i for i in np.argsort(-gap[:, 1]) if frame["sector"].iloc[i] == "wholesale"][0]
    lonlat = frame.to_crs("EPSG:4326").geometry.iloc[lonely]
    pixel = page.evaluate(
        """async ([name, lat, lon, zoom]) => { const l = window[name], map = l._map;
            map.setView([lat, lon], zoom, {animate: false});
            await new Promise((r) => requestAnimationFrame(r));
            const c = l._container, p = map.latLngToLayerPoint([lat, lon]);
            const m = c.width / (l._bounds.max.x - l._bounds.min.x);
            const x = Math.round((p.x - l._bounds.min.x) * m);
            const y = Math.round((p.y - l._bounds.min.y) * m);
            return [l.drawn(), Array.from(c.getContext("2d").getImageData(x, y, 1, 1).data)]; }""",
        [name, lonlat.y, lonlat.x, zoom],
    )
    drawn, (r, g, b, a) = pixel
    assert (drawn > 3_000) == (zoom == 12)
    assert abs(r - 0xD5) <= 3 and abs(g - 0x5E) <= 3 and b <= 3
    assert abs(a - round(0.85 * 255)) <= 3
    assert errors == []


@pytest.mark.browser
def test_compact_layer_in_an_accessible_danish_map(axe, browser, tmp_path):
    from areas.output.a11y import add_accessibility

    fmap = folium.Map(tiles=None, location=[55.66, 12.4], zoom_start=12, prefer_canvas=True)
    compact_points_layer(
        firms(2_000), columns=["employees"], title="name", name="Virksomheder", lang="da"
    ).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    add_accessibility(fmap, lang="da", title="Virksomheder")
    path = tmp_path / "compact_a11y.html"
    make_self_contained(fmap).save(str(path))
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    try:
        page.goto(path.as_uri())
        page.wait_for_function("() => document.readyState === 'complete'")
        page.wait_for_timeout(200)
        axe.assert_clean(page, "a compact points layer in an accessible map")
    finally:
        page.close()
