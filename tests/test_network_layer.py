"""The network layer kind: reading it, the cached graph, and the walking summary end to end.

The held-out world: a district north of a railway, a station south of it, one
underpass 500 m east of the station, and three firms whose walking distances
are worked out by hand below.
"""

from __future__ import annotations

import csv
import io
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import GeometryCollection, LineString, Point, box

import areas
from areas.cli import main
from areas.errors import GeometryTypeError

CRS = "EPSG:25832"
X0, Y0 = 690_000.0, 6_175_000.0


def P(x, y):
    return Point(X0 + x, Y0 + y)


def L(*xy):
    return LineString([(X0 + x, Y0 + y) for x, y in xy])


def network_frame():
    # North road y = +50, south road y = -50, the railway between them (y = 0) crossed
    # only by the underpass at x = 500 (the roads are not noded there: the loader splits
    # them), a footpath into the estate at x = 0, a locked gate through the railway,
    # and a flyover at level 1 that crosses both roads without meeting them.
    return gpd.GeoDataFrame(
        {
            "edge_id": ["north", "south", "underpass", "estate", "fenced", "flyover"],
            "walkable": [True, True, True, True, False, True],
            "level": [0, 0, 0, 0, 0, 1],
            "kind": ["road", "road", "footway", "footway", "private", "road"],
        },
        geometry=[
            L((-1000, 50), (1000, 50)),
            L((-1000, -50), (1000, -50)),
            L((500, -50), (500, 50)),
            L((0, 50), (0, 250)),
            L((0, -50), (0, 50)),  # a gate through the railway: not walkable
            L((-300, -400), (-300, 400)),
        ],
        crs=CRS,
    )


def write_world(folder, network=True, fmt="gpkg"):
    folder.mkdir(parents=True, exist_ok=True)
    gpd.GeoDataFrame(
        {
            "district_id": ["nord"],
            "name": ["Nordområdet"],
            "municipality": ["Hvidovre"],
            "status": ["existing"],
        },
        geometry=[box(X0 - 1000, Y0 + 10, X0 + 1000, Y0 + 1000)],
        crs=CRS,
    ).to_file(folder / "districts.geojson")
    gpd.GeoDataFrame(
        {
            "stop_id": ["st", "bus"],
            "name": ["Station", "Busstop"],
            "mode": ["s_train", "bus"],
            "status": ["existing", "existing"],
        },
        geometry=[P(0, -80), P(0, 60)],
        crs=CRS,
    ).to_file(folder / "stops.geojson")
    gpd.GeoDataFrame(
        {"company_id": ["a", "b", "c"], "name": ["A", "B", "C"], "employees": [10, 20, 30]},
        geometry=[P(0, 200), P(500, 80), P(-900, 900)],
        crs=CRS,
    ).to_file(folder / "companies.geojson")
    if network:
        frame = network_frame()
        if fmt == "gpkg":
            frame.to_file(folder / "network.gpkg", layer="network")
        else:
            frame.to_file(folder / "network.geojson")
    return folder


#: By hand. a at (0, 200) on the estate path: 150 down the path + 500 east + 100
#: through the underpass + 500 west + 30 access to the station = 1,280 m (straight
#: 280 m). b at (500, 80), 30 m north of the underpass's north end: 30 + 100 + 500
#: + 30 = 660 m (straight 525 m). c at (-900, 900): 850 m from every path, beyond
#: the 300 m snapping limit: unreachable.
HAND = {"a": 1280.0, "b": 660.0}


def test_summary_cli_and_transit_access_give_the_hand_distances(tmp_path, capsys):
    folder = write_world(tmp_path / "world")
    assert (
        main(
            [
                "summary",
                "--layers",
                str(folder),
                "--distance",
                "network",
                "--format",
                "csv",
                "--as-of",
                "2026-01-01",
                "--fallback",
                "empty",
            ]
        )
        == 0
    )
    [row] = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert row["distance_basis"] == "network"
    # a (1,280 m) and c (off the network) are beyond; b (660 m) is station-near
    assert (
        row["fingerplan_core_companies"],
        row["fingerplan_station_near_companies"],
        row["fingerplan_beyond_companies"],
    ) == ("0", "1", "2")
    # a is 280 m and b 525 m from the station in a straight line: both in the circle
    assert row["circle_only_core_companies"] == "2"
    atlas = areas.load(folder, fallback="empty")
    r = areas.transit_access(
        atlas.companies, atlas.stops, network=atlas.network, distance="network", as_of="2026-01-01"
    )
    got = r.companies.set_index("company_id")
    for firm, metres in HAND.items():
        assert got.loc[firm, "rail_network_m"] == pytest.approx(metres, abs=1)
        assert got.loc[firm, "rail_network_m"] >= got.loc[firm, "rail_distance_m"]
    assert np.isnan(got.loc["c", "rail_network_m"]) and got.loc["c", "fingerplan_band"] == "beyond"
    # the bus stop next to firm a never decides its Fingerplan band
    assert got.loc["a", "any_network_stop_id"] == "bus"
    assert got.loc["a", "fingerplan_band"] == "beyond"
    # the same through the prepared graph
    again = areas.transit_access(
        atlas.companies, atlas.stops, network=atlas.walking_network(), as_of="2026-01-01"
    ).companies
    pd.testing.assert_series_equal(again["rail_network_m"], r.companies["rail_network_m"])


def test_unreachable_firms_are_in_the_reconciliation(tmp_path):
    atlas = areas.load(write_world(tmp_path / "world"), fallback="empty")
    s = areas.summarize(atlas, as_of="2026-01-01")
    assert s.distance == "network"  # the default with a network
    un = s.reconciliation["unreachable"]
    assert un["basis"] == "network" and un["snap_limit_m"] == 300
    assert {"id": "c", "group": "rail", "reason": "off_network"} in un["firms"]
    row = s.table.iloc[0]
    # land: a 10 m grid over the district; the bands add up to its area
    total = row[["fingerplan_core_ha", "fingerplan_station_near_ha", "fingerplan_beyond_ha"]]
    assert total.sum() == pytest.approx(row["area_ha"])
    assert row["circle_only_core_ha"] > 0
    straight = areas.summarize(atlas, as_of="2026-01-01", distance="straight")
    assert straight.distance == "straight" and straight.table.iloc[0]["circle_only_core_ha"] == 0


@pytest.mark.parametrize("fmt", ["gpkg", "geojson"])
def test_network_layer_is_read_and_its_graph_built_once(tmp_path, fmt):
    atlas = areas.load(write_world(tmp_path / "world", fmt=fmt), fallback="empty")
    assert len(atlas.network) == 6 and atlas.network.crs == CRS
    src = atlas.sources["network"]
    assert src.features_read == 6 and src.reconciles()
    assert atlas.walking_network() is atlas.walking_network()
    assert atlas.walking_network().info["lines_not_walkable"] == 1


def test_network_from_a_geopackage_layer_and_an_areas_toml(tmp_path):
    folder = write_world(tmp_path / "world", network=False)
    gpkg = tmp_path / "all.gpkg"
    for kind in ("districts", "stops", "companies"):
        gpd.read_file(folder / f"{kind}.geojson").to_file(gpkg, layer=kind)
    network_frame().to_file(gpkg, layer="network")
    assert len(areas.load(gpkg, fallback="empty").network) == 6
    paths = tmp_path / "paths.geojson"
    network_frame().rename(columns={"edge_id": "sti"}).to_file(paths)
    (folder / "areas.toml").write_text(
        '[layers]\nfallback = "empty"\n[districts]\npath = "districts.geojson"\n'
        '[stops]\npath = "stops.geojson"\n[companies]\npath = "companies.geojson"\n'
        '[network]\npath = "../paths.geojson"\n[network.columns]\nedge_id = "sti"\n',
        encoding="utf-8",
    )
    atlas = areas.load(folder / "areas.toml")
    assert sorted(atlas.network["edge_id"]) == [
        "estate",
        "fenced",
        "flyover",
        "north",
        "south",
        "underpass",
    ]


def test_no_network_means_no_warning_and_straight_distances(tmp_path):
    atlas = areas.load(write_world(tmp_path / "world", network=False), fallback="empty")
    assert len(atlas.network) == 0 and atlas.walking_network() is None
    assert areas.summarize(atlas, as_of="2026-01-01").distance == "straight"


def test_bad_network_geometry_is_an_error_or_a_listed_repair(tmp_path):
    folder = write_world(tmp_path / "world", network=False)
    frame = network_frame()
    frame.loc[6] = ["pt", True, 0, "x", P(0, 0)]
    frame.to_file(folder / "network.gpkg", layer="network")
    with pytest.raises(GeometryTypeError, match="pt"):
        areas.load(folder, fallback="empty")
    frame = network_frame()
    frame.loc[6] = ["gc", True, 0, "x", GeometryCollection([L((0, 0), (5, 5)), P(1, 1)])]
    frame.loc[7] = ["zero", True, 0, "x", L((3, 3), (3, 3))]
    frame.to_file(folder / "network.gpkg", layer="network", mode="w")
    with pytest.warns(UserWarning) as caught:
        atlas = areas.load(folder, fallback="empty")
    said = " ".join(str(w.message) for w in caught)
    assert "gc" in said and "zero" in said
    src = atlas.sources["network"]
    assert [r.id for r in src.repairs] == ["gc"]
    assert [e.id for e in src.excluded] == ["zero"] and src.reconciles()
    assert len(atlas.network) == 7


def test_layers_command_lists_the_network(tmp_path, capsys):
    folder = write_world(tmp_path / "world")
    assert main(["layers", str(folder), "--fallback", "empty"]) == 0
    assert "network" in capsys.readouterr().out


def test_osm_file_is_a_network_layer(tmp_path):
    from tests.test_network_osm import node, way, write

    folder = write_world(tmp_path / "world", network=False)
    write(
        folder / "network.osm",
        [node(1, 0, 0), node(2, 300, 0), node(3, 300, 200)],
        [way(10, [1, 2, 3], highway="footway"), way(11, [2, 3], highway="motorway")],
    )
    atlas = areas.load(folder, fallback="empty")
    assert sorted(atlas.network["edge_id"]) == ["w10.1", "w10.2", "w11"]
    assert atlas.sources["network"].path.endswith("network.osm")
    assert json.dumps(atlas.sources["network"].to_dict())


def test_bundled_walking_distances_are_never_shorter_than_straight():
    atlas = areas.load()
    assert atlas.has_network and atlas.sources["network"].reconciles()
    s = areas.summarize(atlas, as_of="2026-06-01")
    assert s.distance == "network" and (s.table["distance_basis"] == "network").all()
    c = s.transit.companies
    for g in ("rail", "bus", "any"):
        walked = c[f"{g}_network_m"].to_numpy(dtype=float)
        straight = c[f"{g}_distance_m"].to_numpy(dtype=float)
        ok = ~np.isnan(walked)
        assert ok.sum() > 0.9 * len(c)
        assert (walked[ok] >= straight[ok] - 1e-6).all(), g
    # every unreachable firm is listed, with its reason, and is beyond every band
    listed = {(f["id"], f["group"]) for f in s.reconciliation["unreachable"]["firms"]}
    for g in ("rail", "bus"):
        gone = c.loc[c[f"{g}_network_m"].isna(), "company_id"]
        assert {(i, g) for i in gone} <= listed
    assert (c.loc[c["fingerplan_m"].isna(), "fingerplan_band"] == "beyond").all()
    # the bands and the gap add up per district
    t = s.table
    bands = t[[f"fingerplan_{b}_companies" for b in ("core", "station_near", "beyond")]]
    assert (bands.sum(axis=1) == t["companies"]).all()
    assert (t["circle_only_core_companies"] <= t["companies"]).all()


@pytest.mark.parametrize("distance", ["network", "detour"])
def test_map_command_takes_the_distance(tmp_path, distance, capsys):
    folder = write_world(tmp_path / "world")
    out = tmp_path / "map.html"
    argv = [
        "map",
        "--layers",
        str(folder),
        "--fallback",
        "empty",
        "--as-of",
        "2026-01-01",
        "--distance",
        distance,
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    html = out.read_text(encoding="utf-8")
    walking = "Within 600 m walking of a Fingerplan station" in html
    assert walking == (distance == "network")
