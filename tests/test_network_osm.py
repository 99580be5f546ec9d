"""Reading walkable ways from OpenStreetMap files written by the tests themselves."""

from __future__ import annotations

import numpy as np
import osmium
import pytest

from areas.analysis.network import build_network, nearest
from areas.errors import DamagedFileError
from areas.load.osm import read_osm

LAT0, LON0 = 55.65, 12.40
# degrees per metre near Hvidovre
DLAT, DLON = 1 / 111_320, 1 / (111_320 * np.cos(np.radians(LAT0)))


def node(i, east_m, north_m):
    return f'<node id="{i}" lat="{LAT0 + north_m * DLAT:.9f}" lon="{LON0 + east_m * DLON:.9f}"/>'


def way(i, refs, **tags):
    nds = "".join(f'<nd ref="{r}"/>' for r in refs)
    tg = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
    return f'<way id="{i}">{nds}{tg}</way>'


def write(path, nodes, ways):
    body = "\n".join([*nodes, *ways])
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">'
    path.write_text(f"{head}\n{body}\n</osm>\n", encoding="utf-8")
    return path


@pytest.fixture
def town(tmp_path):
    nodes = [
        node(1, 0, 0),
        node(2, 200, 0),
        node(3, 400, 0),  # main street, junction at 2
        node(4, 200, 150),  # footway north from the junction
        node(5, 100, -100),
        node(6, 100, 100),  # a bridge over the main street
        node(7, 400, 150),  # a motorway and a foot=no path from 3
        node(8, 0, 150),
    ]
    ways = [
        way(10, [1, 2, 3], highway="residential", name="Hovedgaden"),
        way(11, [2, 4], highway="footway"),
        way(12, [5, 6], highway="footway", bridge="yes"),
        way(13, [3, 7], highway="motorway"),
        way(14, [4, 7], highway="path", foot="no"),
        way(15, [8, 4], highway="steps", layer="-2"),
        way(16, [1, 8], building="yes"),
        way(17, [1, 8], highway="proposed"),
    ]
    return write(tmp_path / "town.osm", nodes, ways)


def test_reads_ways_cut_at_junctions_with_levels_and_walkable(town):
    layer = read_osm(town)
    assert layer.crs == "EPSG:25832"
    by_id = layer.set_index("edge_id")
    assert sorted(by_id.index) == ["w10.1", "w10.2", "w11", "w12", "w13", "w14", "w15"]
    assert by_id.loc["w12", "level"] == 1 and by_id.loc["w15", "level"] == -2
    assert by_id.loc["w10.1", "level"] == 0
    assert not by_id.loc["w13", "walkable"] and not by_id.loc["w14", "walkable"]
    assert by_id.loc["w11", "walkable"] and by_id.loc["w15", "kind"] == "steps"
    # EPSG:25832 stretches lengths by about 0.24 % this far east of 9° E
    assert by_id.loc["w10.1", "geometry"].length == pytest.approx(200, rel=4e-3)
    # the pieces meet at their ends: nothing to cut except where the bridge would cross
    net = build_network(layer)
    assert net.info["cuts"] == 0
    assert net.info["lines_not_walkable"] == 2


def test_osm_distances_bridge_and_foot_no(town):
    layer = read_osm(town)
    net = build_network(layer)
    xy = layer.set_index("edge_id").geometry
    start = np.array(xy["w10.1"].coords[0])  # node 1
    stop = np.array(xy["w11"].coords[-1])  # node 4
    out = nearest(net, start[None, :], stop[None, :], ["s"])
    assert out.loc[0, "network_m"] == pytest.approx(350, rel=4e-3)  # 200 east + 150 north
    # the bridge crosses the street without meeting it
    bridge_end = np.array(xy["w12"].coords[-1])
    out = nearest(net, bridge_end[None, :], start[None, :], ["s"])
    assert out.loc[0, "reason"] == "disconnected"


def test_pbf_reads_like_xml(town, tmp_path):
    pbf = tmp_path / "town.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(town)):
            if obj.is_node():
                writer.add_node(obj)
            elif obj.is_way():
                writer.add_way(obj)
    a, b = read_osm(town), read_osm(pbf)
    assert a.edge_id.tolist() == b.edge_id.tolist()
    np.testing.assert_allclose(a.length, b.length, rtol=1e-6)


def test_missing_and_damaged_files(tmp_path):
    with pytest.raises(Exception, match="no such OpenStreetMap file"):
        read_osm(tmp_path / "nowhere.osm")
    bad = tmp_path / "bad.osm"
    bad.write_text(
        "<osm version='0.6'><way id='1'><nd ref='9'/><nd ref='8'/>"
        "<tag k='highway' v='path'/></way></osm>",
        encoding="utf-8",
    )
    with pytest.raises(DamagedFileError, match="w1"):
        read_osm(bad)
    junk = tmp_path / "junk.osm.pbf"
    junk.write_bytes(b"this is not a pbf file at all")
    with pytest.raises(DamagedFileError, match="junk.osm.pbf"):
        read_osm(junk)
