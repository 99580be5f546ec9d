"""Tests of the Folium maps: layers, embedded data, language, offline output, atomic writes.

The fixtures are squares and points in EPSG:25832 near Albertslund whose
answers can be worked out by hand. The maps draw what a summary says; the
tests hand them a summary built here (:func:`hand_summary`, nearest stops by
brute force) so that every colour and number on the map can be checked
against a known value.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import re
import warnings
from pathlib import Path

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from builders import AS_OF, CRS, XSS_NAMES, hand_summary, make_atlas
from hypothesis import given
from hypothesis import strategies as st

import areas.output.i18n as _i18n
from areas._atomic import TMP_PREFIX
from areas.atlas import Atlas
from areas.errors import AreasError, AreasWarning, ConfigError, CoordinateError, OutputError
from areas.output.maps.build import (
    BAND_COLORS,
    BID_COLORS,
    UnknownDistrictError,
    _json_for_html,
    district_map,
    overview_map,
    save_map,
)
from areas.output.offline import LEAFLET_VERSION, external_resources, make_self_contained
from areas.scenario import stops_in_service
from areas.schema import DENMARK_BOUNDS_4326, MODE_GROUPS


@pytest.fixture
def atlas() -> Atlas:
    return make_atlas()


@pytest.fixture
def summary(atlas):
    return hand_summary(atlas)


def _strict_loads(text: str):
    def refuse(constant):
        raise ValueError(f"non-standard JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


_BLOCK = re.compile(
    r'<script type="application/json" id="([^"]+)" data-areas-layer="([^"]+)">(.*?)</script>',
    re.DOTALL,
)


def data_blocks(page: str) -> dict[str, object]:
    """Return the embedded layers of a rendered map by kind, parsed as strict JSON."""
    out = {}
    for _, kind, text in _BLOCK.findall(page):
        assert kind not in out, f"layer {kind} embedded twice"
        out[kind] = _strict_loads(text)
    return out


def render(fmap: folium.Map) -> str:
    return fmap.get_root().render()


def all_coordinates(blocks: dict) -> np.ndarray:
    """Return every (lon, lat) in the embedded data."""
    pairs = []
    for kind, data in blocks.items():
        if kind == "companies":
            pairs += [(r[1], r[0]) for r in data["rows"]]
        elif kind == "company_grid":
            pairs += [(lon, lat) for cell in data["cells"] for lat, lon in cell[0]]
        else:
            for feature in data["features"]:
                pairs += [
                    tuple(c)
                    for c in shapely.get_coordinates(shapely.geometry.shape(feature["geometry"]))
                ]
    return np.array(pairs, dtype=float)


def tips(feature: dict) -> dict[str, str]:
    return dict(feature["properties"]["r"])


# --- layers and embedded data ----------------------------------------------------------------


def test_every_layer_is_embedded_with_the_input_counts(atlas, summary):
    blocks = data_blocks(render(overview_map(atlas, summary=summary)))
    assert set(blocks) == {
        "catchment_600",
        "catchment_1200",
        "districts",
        "bids",
        "rewilding",
        "stops",
        "companies",
        "company_grid",
    }
    assert [f["properties"]["id"] for f in blocks["districts"]["features"]] == [
        "alpha",
        "beta",
        "islands",
    ]
    # b2 ended 2023-12-31 and p2 is established in 2030: neither counts on 2026-01-01.
    assert [f["properties"]["id"] for f in blocks["bids"]["features"]] == ["b1"]
    assert [f["properties"]["id"] for f in blocks["rewilding"]["features"]] == ["p1"]
    assert [f["properties"]["id"] for f in blocks["stops"]["features"]] == ["s1", "s2", "s3", "s4"]
    assert len(blocks["companies"]["rows"]) == len(atlas.companies) == 40
    assert sum(cell[1] for cell in blocks["company_grid"]["cells"]) == 40


def test_layer_control_lists_each_layer_as_a_toggle(atlas, summary):
    page = render(overview_map(atlas, summary=summary))
    for name in (
        "Within 1,200 m of a rail stop",
        "Within 600 m of a rail stop",
        "Business districts",
        "Active BIDs",
        "Rewilded plots",
        "Firms per 250 m cell",
        "Firms",
        "Stations and stops",
    ):
        assert f'"{name}" : feature_group_' in page
    assert "L.control.layers(" in page
    assert "L.control.scale()" in page


def test_embedded_json_is_strict_even_with_missing_values(atlas, summary):
    # The fixtures hold NaN, NA and NaT in every layer; json.loads with a strict
    # constant hook (in data_blocks) refuses NaN/Infinity.
    page = render(overview_map(atlas, summary=summary))
    blocks = data_blocks(page)
    assert "NaN" not in "".join(_BLOCK.findall(page)[i][2] for i in range(len(blocks)))
    firm = blocks["companies"]["rows"][3]
    assert firm[5] is None  # employees missing -> null, written as "–" by the tooltip code


def test_coordinates_are_in_denmark_and_rounded(atlas, summary):
    page = render(overview_map(atlas, summary=summary))
    coords = all_coordinates(data_blocks(page))
    lon0, lat0, lon1, lat1 = DENMARK_BOUNDS_4326
    assert len(coords) > 100
    assert (coords[:, 0] >= lon0).all() and (coords[:, 0] <= lon1).all()
    assert (coords[:, 1] >= lat0).all() and (coords[:, 1] <= lat1).all()
    # six decimals at most, and really near Albertslund (lon 12.3-12.5, lat 55.6-55.7)
    assert np.allclose(coords, np.round(coords, 6), atol=0, rtol=0)
    assert 12.3 < coords[:, 0].min() and coords[:, 0].max() < 12.5
    assert 55.6 < coords[:, 1].min() and coords[:, 1].max() < 55.7


def test_firm_positions_match_a_direct_reprojection(atlas, summary):
    rows = data_blocks(render(overview_map(atlas, summary=summary)))["companies"]["rows"]
    expected = atlas.companies.to_crs("EPSG:4326")
    assert np.allclose([r[0] for r in rows], expected.geometry.y, atol=1e-6)
    assert np.allclose([r[1] for r in rows], expected.geometry.x, atol=1e-6)


@pytest.mark.parametrize("kind", ["companies", "districts"])
def test_features_outside_denmark_raise(kind):
    atlas = make_atlas()
    frame = getattr(atlas, kind)
    # 400 km west: in the North Sea, outside Denmark's box.
    frame.loc[[1], "geometry"] = frame.geometry.iloc[[1]].translate(-400_000, 0).to_numpy()
    bad_id = frame.iloc[1][f"{'company' if kind == 'companies' else 'district'}_id"]
    with pytest.raises(CoordinateError, match=re.escape(bad_id)) as info:
        overview_map(atlas, summary=hand_summary(atlas))
    assert info.value.ids == [bad_id]
    assert info.value.layer == kind


def test_polygons_are_simplified_in_metres():
    atlas = make_atlas()
    # A square with 400 extra vertices along one edge, each 0.5 m off the line.
    xs = np.linspace(710_000, 711_000, 402)[1:-1]
    wobble = [(x, 6_172_000 + (0.5 if i % 2 else 0.0)) for i, x in enumerate(xs)]
    ring = [
        (710_000, 6_172_000),
        *wobble,
        (711_000, 6_172_000),
        (711_000, 6_173_000),
        (710_000, 6_173_000),
    ]
    atlas.districts.loc[[0], "geometry"] = [shapely.Polygon(ring)]
    blocks = data_blocks(render(overview_map(atlas, summary=hand_summary(atlas))))
    coarse = shapely.geometry.shape(blocks["districts"]["features"][0]["geometry"])
    fine = data_blocks(render(overview_map(atlas, summary=hand_summary(atlas), simplify_m=0)))
    kept = shapely.geometry.shape(fine["districts"]["features"][0]["geometry"])
    assert shapely.get_num_coordinates(kept) >= 400
    assert shapely.get_num_coordinates(coarse) <= 10


# --- what the tooltips and styles say --------------------------------------------------------


def test_district_tooltip_carries_the_summary_numbers(atlas, summary):
    features = data_blocks(render(overview_map(atlas, summary=summary)))["districts"]["features"]
    alpha = tips(features[0])
    assert features[0]["properties"]["t"] == "Alpha Park"
    assert alpha["Area (ha)"] == "100.0"
    assert alpha["Employees"] == "1,234"
    assert alpha["Share of area in active BIDs"] == "50%"
    assert alpha["Rewilded (ha)"] == "0.0"
    assert alpha["Share of firms within 600 m of rail"] == "25%"
    assert alpha["Median distance to rail (m)"] == "812"
    islands = tips(features[2])
    assert islands["Status"] == "withdrawn"
    assert islands["Share of firms within 600 m of rail"] == "no data"  # no firms
    assert islands["Employees"] == "–"


def test_danish_tooltips_and_number_format(atlas, summary):
    features = data_blocks(render(overview_map(atlas, summary=summary, lang="da")))["districts"][
        "features"
    ]
    alpha = tips(features[0])
    assert alpha["Ansatte"] == "1.234"
    assert alpha["Areal (ha)"] == "100,0"
    assert alpha["Andel af virksomhederne højst 600 m fra en station"] == "25 %"
    assert tips(features[2])["Status"] == "opgivet"


def test_withdrawn_plan_is_dashed_grey(atlas, summary):
    page = render(overview_map(atlas, summary=summary))
    features = data_blocks(page)["districts"]["features"]
    assert [f["properties"]["s"] for f in features] == ["existing", "existing", "withdrawn"]
    styles = _styles_of(page, "districts")
    assert styles["withdrawn"]["dashArray"] and "dashArray" not in styles["existing"]
    r, g, b = (int(styles["withdrawn"]["color"][i : i + 2], 16) for i in (1, 3, 5))
    assert r == g == b  # grey


def _styles_of(page: str, kind: str) -> dict:
    """Return the style table of an embedded GeoJSON layer."""
    ids = {kind_: id_ for id_, kind_, _ in _BLOCK.findall(page)}
    call = page[page.index(f'areasGeoJson("{ids[kind]}", ') :]
    styles, _ = json.JSONDecoder().raw_decode(call[call.index("{") :])
    return styles


@pytest.mark.parametrize(
    ("as_of", "states"),
    [
        # s2 (light rail, planned) opens 2025-10-26; s3 is a metro under study.
        ("2025-01-01", ["in_service", "planned", "study", "in_service"]),
        ("2026-01-01", ["in_service", "in_service", "study", "in_service"]),
    ],
)
def test_stops_are_styled_by_state_and_mode(as_of, states):
    atlas = make_atlas()
    page = render(overview_map(atlas, summary=hand_summary(atlas, as_of=as_of)))
    features = data_blocks(page)["stops"]["features"]
    keys = [f["properties"]["s"] for f in features]
    assert keys == [f"{m}|{s}" for m, s in zip(atlas.stops["mode"], states, strict=True)]
    styles = _styles_of(page, "stops")
    filled = styles["s_train|in_service"]
    assert filled["fillOpacity"] == 1 and filled["fillColor"] != "#ffffff"
    assert styles["metro|study"]["dashArray"]
    if "light_rail|planned" in styles:
        hollow = styles["light_rail|planned"]
        assert hollow["fillColor"] == "#ffffff" and "dashArray" not in hollow
    assert styles["s_train|in_service"]["fillColor"] != styles["bus|in_service"]["fillColor"]
    in_service_row = f"In service ({as_of})"
    assert tips(features[1])[in_service_row] == ("no" if as_of < "2025-10-26" else "yes")


def test_bid_and_plot_tooltips_write_dates_and_missing_values(atlas, summary):
    blocks = data_blocks(render(overview_map(atlas, summary=summary)))
    bid = blocks["bids"]["features"][0]
    assert bid["properties"]["t"] == "Alpha <BID>"  # text; the browser shows it with textContent
    rows = tips(bid)
    assert rows["Start"] == "2020-01-01"
    assert rows["End"] == "–"
    assert rows["Members"] == "–"  # NA in the layer
    assert rows["BID members"] == "7"  # counted by the analysis
    assert rows["Firms invited"] == "50"
    assert rows["Participation"] == "25%"
    plot = tips(blocks["rewilding"]["features"][0])
    assert plot["Area (ha)"] == "1.00"
    assert plot["Year established"] == "2022"
    assert plot["Species counted"] == "105"


def test_firms_take_band_and_nearest_stop_from_the_summary(atlas, summary):
    # The map does no analysis: give it bands that contradict the geometry and it shows them.
    summary.transit.companies["rail_band"] = ["beyond"] * 39 + ["core"]
    data = data_blocks(render(overview_map(atlas, summary=summary)))["companies"]
    assert [r[2] for r in data["rows"]] == [2] * 39 + [0]
    first = data["rows"][0]
    assert data["stops"][first[6]] == summary.transit.companies["nearest_rail_name"].iloc[0]
    assert first[7] == round(summary.transit.companies["rail_distance_m"].iloc[0])
    assert data["colors"][:3] == [
        BAND_COLORS["core"],
        BAND_COLORS["station_near"],
        BAND_COLORS["beyond"],
    ]
    assert data["colorColumn"] == 2


def test_walking_distance_summary_shows_walk_metres_and_shrinks_catchments():
    atlas = make_atlas()
    walk = hand_summary(atlas, distance="walk", detour_factor=1.25)
    blocks = data_blocks(render(overview_map(atlas, summary=walk)))
    first = blocks["companies"]["rows"][0]
    assert first[7] == round(walk.transit.companies["rail_walk_m"].iloc[0])
    assert blocks["companies"]["labels"]["distance"] == "Walking distance (estimated)"
    area = _catchment_area_m2(blocks, 600)
    stops = atlas.stops[
        stops_in_service(atlas.stops, AS_OF)
        & atlas.stops["mode"].isin(MODE_GROUPS["rail"]).to_numpy()
    ]
    expected = shapely.union_all(stops.geometry.buffer(600 / 1.25, quad_segs=64)).area
    assert area == pytest.approx(expected, rel=0.01)


def test_color_by_bid(atlas, summary):
    page = render(overview_map(atlas, summary=summary, color_by="bid"))
    data = data_blocks(page)["companies"]
    assert data["colorColumn"] == 3
    assert data["colors"][:3] == [BID_COLORS["member"], BID_COLORS["in_bid"], BID_COLORS["outside"]]
    comp = summary.bid.companies
    member = comp["bid_member"].fillna(False).to_numpy(dtype=bool)
    expected = np.where(comp["in_bid"].to_numpy(dtype=bool), np.where(member, 0, 1), 2)
    assert [r[3] for r in data["rows"]] == expected.tolist()
    assert "Firms in the districts, by BID membership" in page
    inside = [r for r in data["rows"] if r[3] in (0, 1)]
    assert inside and all(data["bids"][r[8]] == "Alpha <BID>" for r in inside)


def _catchment_area_m2(blocks: dict, distance_m: int) -> float:
    features = blocks[f"catchment_{distance_m}"]["features"]
    if not features:
        return 0.0
    shape = shapely.geometry.shape(features[0]["geometry"])
    return float(gpd.GeoSeries([shape], crs="EPSG:4326").to_crs(CRS).area.iloc[0])


@pytest.mark.parametrize(
    ("as_of", "include", "stop_ids"),
    [
        ("2025-01-01", (), ["s1"]),
        ("2025-01-01", ("planned",), ["s1", "s2"]),
        ("2026-01-01", (), ["s1", "s2"]),
        ("2026-01-01", ("planned", "study"), ["s1", "s2", "s3"]),
    ],
)
def test_catchments_are_buffers_of_rail_stops_in_the_scenario(as_of, include, stop_ids):
    atlas = make_atlas()
    blocks = data_blocks(
        render(overview_map(atlas, summary=hand_summary(atlas, as_of=as_of, include=include)))
    )
    points = atlas.stops.set_index("stop_id").loc[stop_ids].geometry
    for distance_m in (600, 1200):
        reference = shapely.union_all(points.buffer(distance_m, quad_segs=64).to_numpy())
        assert _catchment_area_m2(blocks, distance_m) == pytest.approx(reference.area, rel=0.005)


def test_no_catchment_without_rail_stops():
    atlas = make_atlas()
    atlas.stops = atlas.stops[atlas.stops["mode"] == "bus"].reset_index(drop=True)
    blocks = data_blocks(render(overview_map(atlas, summary=hand_summary(atlas))))
    assert blocks["catchment_600"]["features"] == []
    assert {r[2] for r in blocks["companies"]["rows"]} == {2}  # NaN distance: beyond


# --- legend and language ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "en",
            [
                "Legend",
                "Business districts",
                "withdrawn",
                "Stations and stops",
                "Firms in the districts, by distance to rail",
                "≤ 600 m (station core area): ",
            ],
        ),
        (
            "da",
            [
                "Signatur",
                "Erhvervsområder",
                "opgivet",
                "Stationer og stoppesteder",
                "Virksomheder i erhvervsområderne efter afstand til station",
                "≤ 600 m (stationsnært kerneområde): ",
            ],
        ),
    ],
)
def test_legend_in_the_chosen_language(atlas, summary, lang, words):
    page = render(overview_map(atlas, summary=summary, lang=lang))
    match = re.search(
        r'class="areas-legend"\s+data-areas-lang="(\w+)" hidden>(.*?)</details></div>', page, re.S
    )
    assert match and match.group(1) == lang
    legend = match.group(2)
    for word in words:
        assert word in legend
    assert "As of 2026-01-01" in legend if lang == "en" else "Pr. 2026-01-01" in legend
    other = {"en": "Erhvervsområder", "da": "Business districts"}[lang]
    assert other not in page


def test_legend_counts_the_firms_of_the_districts_per_band(atlas, summary):
    page = render(overview_map(atlas, summary=summary))
    # slow reference: the firms inside a district (the summary here assigns none itself)
    inside = np.zeros(len(atlas.companies), dtype=bool)
    for geom in atlas.districts.geometry:
        inside |= np.array([geom.covers(p) for p in atlas.companies.geometry])
    bands = summary.transit.companies["rail_band"][inside].value_counts()
    assert 0 < inside.sum() < len(inside)  # some firms lie outside every district
    assert f"≤ 600 m (station core area): {bands.get('core', 0)}<" in page
    assert f"&gt; 1,200 m: {bands.get('beyond', 0)}<" in page


@pytest.mark.parametrize(
    ("option", "value"), [("lang", "de"), ("color_by", "sector"), ("grid_m", 0)]
)
def test_bad_options_raise_config_errors(atlas, summary, option, value):
    with pytest.raises(ConfigError, match=f"`{option}`"):
        overview_map(atlas, summary=summary, **{option: value})


def test_summary_of_another_date_is_refused(atlas, summary):
    with pytest.raises(ConfigError, match="`as_of`"):
        overview_map(atlas, summary=summary, as_of="2020-01-01")
    # the same date, written differently, is fine
    overview_map(atlas, summary=summary, as_of=dt.date(2026, 1, 1))


# --- escaping --------------------------------------------------------------------------------


def test_names_never_appear_as_markup_in_the_page(atlas, summary):
    page = render(overview_map(atlas, summary=summary))
    for name in (*XSS_NAMES, "Øerne <b>illustrative</b>", "Alpha <BID>"):
        assert name not in page
    assert "<img" not in page
    assert page.count("</script>") == page.count("<script")
    rows = data_blocks(page)["companies"]["rows"]
    assert [r[4] for r in rows[:3]] == list(XSS_NAMES)  # the text arrives intact
    # Tooltips are built with textContent, never innerHTML.
    assert "innerHTML" not in page.split("</head>")[1]


def test_district_name_in_the_legend_title_is_escaped(atlas, summary):
    page = render(district_map(atlas, "islands", summary=summary))
    assert '<div class="areas-legend-title">Øerne &lt;b&gt;illustrative&lt;/b&gt;</div>' in page


@given(st.text())
def test_json_for_html_round_trips_and_cannot_close_a_script(text):
    out = _json_for_html({"name": text, "list": [text]})
    assert json.loads(out) == {"name": text, "list": [text]}
    assert "<" not in out and ">" not in out and "&" not in out


# --- offline ---------------------------------------------------------------------------------


def test_self_contained_page_has_no_external_scripts_or_stylesheets(atlas, summary):
    page = render(overview_map(atlas, summary=summary))
    assert external_resources(page) == []
    assert not re.search(r"<(script|link)\b[^>]*\b(src|href)\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert f"Leaflet {LEAFLET_VERSION}" in page
    for dropped in ("jquery", "bootstrap", "awesome-markers", "fontawesome", "cdn.jsdelivr"):
        assert dropped not in page.lower()
    assert "images/layers.png" not in page  # the layer-control icon travels as a data URI
    assert "sourceMappingURL" not in page


def test_the_inline_notebook_view_is_self_contained(atlas, summary):
    fmap = overview_map(atlas, summary=summary)
    html = fmap._repr_html_()
    assert html.startswith("<div") and "srcdoc=" in html
    import html as html_module

    inner = html_module.unescape(re.search(r'srcdoc="(.*?)"', html, re.S).group(1))
    assert external_resources(inner) == []
    assert f"Leaflet {LEAFLET_VERSION}" in inner


def test_tiles_are_optional_decoration(atlas, summary):
    page = render(overview_map(atlas, summary=summary, tiles="OpenStreetMap"))
    assert "L.tileLayer(" in page and "tile.openstreetmap.org" in page
    assert '"Basemap" : tile_layer_' in page
    assert external_resources(page) == []
    assert "L.tileLayer(" not in render(overview_map(atlas, summary=summary))


def test_tiles_true_means_openstreetmap(atlas, summary):
    assert "tile.openstreetmap.org" in render(overview_map(atlas, summary=summary, tiles=True))


def test_unknown_tiles_raise(atlas, summary):
    with pytest.raises(ConfigError, match="`tiles`"):
        overview_map(atlas, summary=summary, tiles="no such tiles")


def test_make_self_contained_leaves_folium_defaults_alone():
    before = list(folium.Map.default_js)
    fmap = make_self_contained(folium.Map(tiles=None))
    assert external_resources(render(fmap)) == []
    assert folium.Map.default_js == before
    assert external_resources(render(folium.Map(tiles=None)))  # an ordinary map still links CDNs


def test_a_plugin_needing_a_cdn_is_refused():
    fmap = folium.Map(tiles=None)
    folium.plugins.MarkerCluster().add_to(fmap)
    with pytest.raises(OutputError, match="MarkerCluster"):
        make_self_contained(fmap)


# --- saving ----------------------------------------------------------------------------------


def test_save_map_writes_the_rendered_page(tmp_path, atlas, summary):
    out = save_map(overview_map(atlas, summary=summary), tmp_path / "sub" / "map.html")
    assert out == tmp_path / "sub" / "map.html"
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert len(data_blocks(page)["companies"]["rows"]) == 40
    assert external_resources(page) == []
    assert not list(tmp_path.rglob(f"{TMP_PREFIX}*"))


class _Broken(folium.MacroElement):
    def render(self, **kwargs):
        raise RuntimeError("render failed")


@pytest.mark.parametrize("failure", ["render", "plugin"])
def test_a_failed_build_leaves_the_old_map_intact(tmp_path, atlas, summary, failure):
    target = tmp_path / "map.html"
    save_map(overview_map(atlas, summary=summary), target)
    before = target.read_bytes()
    broken = overview_map(atlas, summary=summary)
    if failure == "render":
        _Broken().add_to(broken)
        expected = pytest.raises(RuntimeError, match="render failed")
    else:
        folium.plugins.MarkerCluster().add_to(broken)
        expected = pytest.raises(OutputError)
    with expected:
        save_map(broken, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html"]


def test_interrupted_write_leaves_the_old_map_intact(tmp_path, atlas, summary, monkeypatch):
    target = tmp_path / "map.html"
    target.write_text("old map", encoding="utf-8")

    def fail(self, data):
        with self.open("wb") as fh:
            fh.write(data[: len(data) // 2])
        raise OSError("disk full")

    fmap = overview_map(atlas, summary=summary)
    monkeypatch.setattr(Path, "write_bytes", fail)
    with pytest.raises(OSError, match="disk full"):
        save_map(fmap, target)
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "old map"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html"]


def test_size_budget_warns_but_writes(tmp_path, atlas, summary):
    with pytest.warns(AreasWarning, match="over the budget of 0.01 MB"):
        out = save_map(
            overview_map(atlas, summary=summary), tmp_path / "m.html", size_budget_mb=0.01
        )
    assert out.stat().st_size > 10_000
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        save_map(overview_map(atlas, summary=summary), tmp_path / "m.html")


def test_save_map_refuses_other_objects(tmp_path):
    with pytest.raises(OutputError, match="`fmap`"):
        save_map("<html>", tmp_path / "m.html")


# --- district map ----------------------------------------------------------------------------


def test_district_map_zooms_to_the_district_and_outlines_it(atlas, summary):
    page = render(district_map(atlas, "beta", summary=summary))
    bounds = json.loads(re.search(r"areasFitView\(map_\w+, (\[\[.*?\]\])", page, re.S).group(1))
    beta = atlas.districts.to_crs("EPSG:4326").geometry.iloc[1].bounds
    (south, west), (north, east) = bounds
    assert south <= beta[1] and west <= beta[0] and north >= beta[3] and east >= beta[2]
    assert north - south < 0.02  # about a kilometre, not the whole atlas
    keys = [f["properties"]["s"] for f in data_blocks(page)["districts"]["features"]]
    assert keys == ["existing", "existing|focus", "withdrawn"]
    assert "selected district" in page


def test_district_map_draws_the_firms_near_the_district(atlas, summary):
    page = render(district_map(atlas, "alpha", summary=summary, margin_m=200))
    rows = data_blocks(page)["companies"]["rows"]
    box = shapely.box(710_000 - 200, 6_172_000 - 200, 711_000 + 200, 6_173_000 + 200)
    near = [
        name
        for name, p in zip(atlas.companies["name"], atlas.companies.geometry, strict=True)
        if box.intersects(p)
    ]
    assert 0 < len(near) < len(atlas.companies)
    assert [r[4] for r in rows] == near


def test_unknown_district_lists_the_valid_ids(atlas, summary):
    with pytest.raises(UnknownDistrictError, match="valid ids: alpha, beta, islands") as info:
        district_map(atlas, "gamma", summary=summary)
    assert isinstance(info.value, AreasError) and isinstance(info.value, LookupError)


def test_overview_map_can_open_on_chosen_districts(atlas, summary):
    page = render(overview_map(atlas, summary=summary, districts=["alpha", "beta"]))
    keys = [f["properties"]["s"] for f in data_blocks(page)["districts"]["features"]]
    assert keys == ["existing|focus", "existing|focus", "withdrawn"]
    assert len(data_blocks(page)["companies"]["rows"]) == 40  # an overview keeps every firm
    with pytest.raises(UnknownDistrictError, match="'gamma', 'delta' are not districts"):
        overview_map(atlas, summary=summary, districts=["alpha", "gamma", "delta"])


def test_page_title_names_the_map_and_date(atlas, summary):
    assert "<title>Business districts – 2026-01-01</title>" in render(
        overview_map(atlas, summary=summary)
    )
    page = render(district_map(atlas, "islands", summary=summary, lang="da"))
    assert "<title>Øerne &lt;b&gt;illustrative&lt;/b&gt; – 2026-01-01</title>" in page


def test_values_of_other_types_are_written_as_text():
    atlas = make_atlas()
    # a hand-made atlas may hold Python dates, decimals and NaN in object columns
    atlas.bids["start"] = pd.Series([dt.date(2020, 1, 1), dt.date(2021, 5, 1)], dtype=object)
    atlas.bids["invited"] = pd.Series([decimal.Decimal("50"), np.nan], dtype=object)
    atlas.districts["source"] = pd.Series([decimal.Decimal("1.5"), pd.NaT, None], dtype=object)
    page = render(overview_map(atlas, summary=hand_summary(atlas)))
    blocks = data_blocks(page)  # strict JSON
    bid = tips(blocks["bids"]["features"][0])
    assert bid["Start"] == "2020-01-01"
    assert bid["Firms invited"] == "50"
    sources = [tips(f).get("Source") for f in blocks["districts"]["features"]]
    assert sources == ["1.5", None, None]  # missing sources get no row


# --- many firms ------------------------------------------------------------------------------


def test_many_firms_are_one_compact_layer_and_a_count_grid():
    atlas = make_atlas(3_000, names=(), spread=(705_000, 6_165_000, 723_000, 6_181_000))
    summary = hand_summary(atlas)
    page = render(overview_map(atlas, summary=summary, aggregate_above=1_000, grid_m=500))
    blocks = data_blocks(page)
    grid = blocks["company_grid"]
    assert "companies" not in blocks  # no marker rows: the firms are packed
    packed = compact_payload(page)
    assert packed["n"] == 3_000
    # every firm's band: its category label, colour and shape
    labels = {c["name"]: c for c in packed["columns"]}["category"]["dict"]
    assert sorted(labels) == sorted(
        {_i18n.t(f"band.{b}", "en") for b in summary.transit.companies["rail_band"]}
    )
    assert set(packed["shapes"].values()) <= {"circle", "square", "triangle"}
    # Slow reference: count each firm into its 500 m cell of the EPSG:25832 grid.
    expected: dict[tuple[int, int], list[int]] = {}
    bands = summary.transit.companies["rail_band"].tolist()
    for p, band in zip(atlas.companies.geometry, bands, strict=True):
        counts = expected.setdefault((math.floor(p.x / 500), math.floor(p.y / 500)), [0, 0, 0, 0])
        counts[["core", "station_near", "beyond"].index(band)] += 1
    got = {}
    to_utm = gpd.GeoSeries(
        [shapely.Point(lon, lat) for cell in grid["cells"] for lat, lon in cell[0][:1]],
        crs="EPSG:4326",
    ).to_crs(CRS)
    for cell, corner in zip(grid["cells"], to_utm, strict=True):
        got[(round(corner.x / 500), round(corner.y / 500))] = cell[3]
        assert cell[1] == sum(cell[3])
    assert got == expected
    # the points are shown on opening, the grid is a layer to switch on
    assert not shown_on_opening(page, "Firms per 500 m cell")
    assert re.search(r"areas_compact_points_\w+\.addTo\(map_", page)


def compact_payload(page: str) -> dict:
    """Return the packed firms of a compact layer (``areas.output.compact``)."""
    match = re.search(
        r'<script type="application/json" id="areas_compact_points_\w+_data">(.*?)</script>',
        page,
        re.S,
    )
    assert match, "no compact points layer"
    return _strict_loads(match.group(1))


def shown_on_opening(page: str, layer_name: str) -> bool:
    var = re.search(rf'"{re.escape(layer_name)}" : (feature_group_\w+),', page).group(1)
    return f"{var}.addTo(" in page


def test_few_firms_are_always_points():
    atlas = make_atlas(50)
    page = render(overview_map(atlas, summary=hand_summary(atlas)))
    blocks = data_blocks(page)
    assert blocks["companies"]["aggregate"] is False
    assert blocks["company_grid"]["aggregate"] is False
    assert shown_on_opening(page, "Firms")
    assert not shown_on_opening(page, "Firms per 250 m cell")


def test_ten_thousand_firms_stay_small():
    atlas = make_atlas(10_000, names=(), spread=(705_000, 6_165_000, 723_000, 6_181_000))
    page = render(overview_map(atlas, summary=hand_summary(atlas)))
    assert compact_payload(page)["n"] == 10_000
    # packed firms plus Leaflet: far from the 15 MB budget
    assert len(page.encode()) < 1_500_000


# --- with the real analysis ------------------------------------------------------------------


def test_overview_map_computes_the_summary_itself():
    import areas.analysis.summary as summary_module

    atlas = make_atlas()
    page = render(overview_map(atlas, as_of=AS_OF))
    blocks = data_blocks(page)
    reference = summary_module.summarize(atlas, as_of=AS_OF)
    bands = reference.transit.companies["rail_band"].astype(str).tolist()
    assert [["core", "station_near", "beyond"][r[2]] for r in blocks["companies"]["rows"]] == bands
    alpha = tips(blocks["districts"]["features"][0])
    assert alpha["Area (ha)"] == "100.0"


# --- labels and formatting -------------------------------------------------------------------


def test_every_label_exists_in_both_languages():
    en, da = _i18n.labels("en"), _i18n.labels("da")
    assert en.keys() == da.keys()
    assert all(en[k] and da[k] for k in en)
    fields = re.compile(r"\{(\w+)\}")
    assert all(set(fields.findall(en[k])) == set(fields.findall(da[k])) for k in en)


def test_unknown_label_key_suggests_close_ones():
    with pytest.raises(KeyError, match="layer.districts"):
        _i18n.t("layer.district", "en")


@pytest.mark.parametrize(
    ("column", "lang", "label"),
    [
        ("rail_400m_employees_share", "en", "Share of employees within 400 m of rail"),
        (
            "any_1200m_companies_share",
            "da",
            "Andel af virksomhederne højst 1.200 m fra et stoppested",
        ),
        ("median_bus_distance_m", "en", "Median distance to bus (m)"),
        ("nearest_rail_name", "da", "Nærmeste stoppested (station)"),
        ("core_companies", "en", "Firms: ≤ 600 m (station core area)"),
        ("rewilded_ha", "da", "Vild natur (ha)"),
        ("extra_column", "en", "extra_column"),
    ],
)
def test_column_labels(column, lang, label):
    assert _i18n.column_label(column, lang) == label


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (pd.Timestamp("2025-10-26"), "2025-10-26"),
        (pd.Timestamp("2025-10-26 06:30"), "2025-10-26T06:30:00"),
        (dt.date(2023, 12, 31), "2023-12-31"),
        (np.datetime64("2021-05-01"), "2021-05-01"),
        (pd.NaT, "–"),
        (None, "–"),
        (float("nan"), "–"),
        (pd.NA, "–"),
        (np.float64("nan"), "–"),
        (decimal.Decimal("NaN"), "–"),
        (decimal.Decimal("1234.50"), "1.234,5"),
        (np.int64(1234567), "1.234.567"),
        (0.5, "0,5"),
        (np.bool_(False), "nej"),
        ("Værkstedskvarteret", "Værkstedskvarteret"),
    ],
)
def test_format_value_writes_readable_text(value, text):
    assert _i18n.format_value(value, "da") == text


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(0, 3))
def test_numbers_read_back_in_both_languages(value, decimals):
    plain = f"{value:.{decimals}f}"
    if float(plain) == 0:
        plain = plain.lstrip("-")  # no "-0"
    danish = _i18n.format_number(value, "da", decimals=decimals)
    english = _i18n.format_number(value, "en", decimals=decimals)
    assert danish.replace(".", "").replace(",", ".") == plain
    assert english.replace(",", "") == plain


def test_map_options_and_the_keyword_form_draw_the_same_map(atlas, summary):
    from areas.output.maps import MapOptions

    options = MapOptions(lang="da", color_by="bid", grid_m=500)
    by_options = data_blocks(render(overview_map(atlas, summary, options=options)))
    by_keywords = data_blocks(
        render(overview_map(atlas, summary=summary, lang="da", color_by="bid", grid_m=500))
    )
    assert by_options == by_keywords
    assert by_options["companies"]["colorBy"] == "bid"
    # keywords override the options they are given with
    mixed = data_blocks(render(overview_map(atlas, summary, options=options, color_by="rail_band")))
    assert mixed["companies"]["colorBy"] == "rail_band"
    one = render(district_map(atlas, "alpha", summary, options=options.replace(margin_m=0.0)))
    assert data_blocks(one)["companies"]["colorBy"] == "bid"


def test_an_unknown_map_keyword_names_the_options(atlas, summary):
    with pytest.raises(TypeError, match="unexpected keyword argument.*colour_by.*color_by"):
        overview_map(atlas, summary, colour_by="bid")
