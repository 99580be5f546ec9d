"""The walking-network engine: hand-made networks, a networkx reference, invariants."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import LineString, MultiLineString, Point

from areas.analysis.network import (
    SNAP_LIMIT_M,
    build_network,
    nearest,
    station_zones,
    within,
)
from areas.errors import CrsError, GeometryError, GeometryTypeError

CRS = "EPSG:25832"
X0, Y0 = 700_000.0, 6_170_000.0


def layer(lines, **columns):
    lines = [shapely.affinity.translate(g, X0, Y0) for g in lines]
    return gpd.GeoDataFrame(columns, geometry=lines, crs=CRS)


def pts(xy):
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    return gpd.GeoSeries(gpd.points_from_xy(xy[:, 0] + X0, xy[:, 1] + Y0), crs=CRS)


# --------------------------------------------------------------------------- river


def river():
    """Two banks 300 m apart joined by one bridge 400 m east of the station."""
    return layer(
        [
            LineString([(-1000, 150), (1000, 150)]),  # north bank path
            LineString([(-1000, -150), (1000, -150)]),  # south bank path
            LineString([(400, 150), (400, -150)]),  # the bridge
        ],
        edge_id=["north", "south", "bridge"],
    )


def test_river_firm_300_m_straight_is_1100_m_on_foot():
    net = build_network(river())
    out = nearest(net, pts([(0, -150)]), pts([(0, 150)]), ["station"])
    straight = 300.0
    assert out.loc[0, "network_m"] == pytest.approx(1100.0)
    assert out.loc[0, "network_m"] > straight
    assert out.loc[0, "stop_id"] == "station"
    assert bool(out.loc[0, "reachable"]) and out.loc[0, "reason"] == ""


def test_access_legs_both_count():
    net = build_network(river())
    # firm 20 m south of the south path, station 30 m north of the north path
    out = nearest(net, pts([(0, -170)]), pts([(0, 180)]), ["s"])
    assert out.loc[0, "network_m"] == pytest.approx(1100.0 + 20 + 30)


def test_river_zones_exclude_the_far_bank_within_600_m():
    net = build_network(river())
    zones = station_zones(net, pts([(0, 150)]), ["station"], resolution_m=5)
    core = zones.loc[zones.band_m == 600, "geometry"].iloc[0]
    near = zones.loc[zones.band_m == 1200, "geometry"].iloc[0]
    firm = pts([(0, -150)]).iloc[0]
    assert not core.contains(firm)  # 300 m in a straight line, 1,100 m on foot
    assert near.contains(firm)
    assert core.contains(pts([(0, 100)]).iloc[0])
    assert near.contains(core.buffer(-0.01))
    # a 600 m circle covers far more than the 600 m walking zone
    circle = pts([(0, 150)]).iloc[0].buffer(600)
    assert circle.area > 1.3 * core.area
    assert zones.area_ha.tolist() == pytest.approx((zones.geometry.area / 10_000).tolist())


def test_zones_are_reused_only_for_the_same_network_and_station():
    import areas.analysis.network.zones as zones_module

    zones_module._CACHE.clear()
    cold = station_zones(build_network(river()), pts([(0, 150)]), ["a"], resolution_m=5)
    assert len(zones_module._CACHE) == 1
    # a network built again from the same lines, and the same station under another id
    warm = station_zones(build_network(river()), pts([(0, 150)]), ["b"], resolution_m=5)
    assert len(zones_module._CACHE) == 1
    assert [g.wkb for g in warm.geometry] == [g.wkb for g in cold.geometry]
    # a second bridge right beside the station: a new network, new zones
    bridged = pd.concat([river(), layer([LineString([(0, 150), (0, -150)])], edge_id=["new"])])
    near = station_zones(build_network(bridged), pts([(0, 150)]), ["a"], resolution_m=5)
    assert len(zones_module._CACHE) == 2
    assert near.loc[near.band_m == 600, "geometry"].iloc[0].contains(pts([(0, -150)]).iloc[0])
    assert not cold.loc[cold.band_m == 600, "geometry"].iloc[0].contains(pts([(0, -150)]).iloc[0])
    # another station on the same network
    station_zones(build_network(river()), pts([(100, 150)]), ["a"], resolution_m=5)
    assert len(zones_module._CACHE) == 3


# --------------------------------------------------------------------------- noding


def test_unnoded_crossing_lines_are_split():
    net = build_network(layer([LineString([(0, 0), (100, 0)]), LineString([(50, -50), (50, 50)])]))
    assert (net.n_nodes, net.n_edges) == (5, 4)
    out = nearest(net, pts([(0, 0)]), pts([(50, 50)]), ["s"])
    assert out.loc[0, "network_m"] == pytest.approx(100.0)
    # crossing at a vertex of one line: the vertex gives way to the cut
    net = build_network(
        layer([LineString([(0, 0), (50, 0), (100, 0)]), LineString([(50, -50), (50, 50)])])
    )
    assert (np.bincount(net.vertex_edge) == 2).all()
    assert net.length_m.tolist() == pytest.approx([50.0] * 4)


def test_t_junction_on_a_line_interior_is_joined():
    # the side street ends in the middle of the main street (GeoFA style)
    net = build_network(layer([LineString([(0, 0), (200, 0)]), LineString([(80, 0), (80, 100)])]))
    out = nearest(net, pts([(0, 0)]), pts([(80, 100)]), ["s"])
    assert out.loc[0, "network_m"] == pytest.approx(180.0)
    assert net.info["cuts"] == 1


def test_small_gap_is_closed_but_a_large_one_is_not():
    lines = [LineString([(0, 0), (100, 0)]), LineString([(100.3, 0), (200, 0)])]
    out = nearest(build_network(layer(lines)), pts([(0, 0)]), pts([(200, 0)]), ["s"])
    assert out.loc[0, "network_m"] == pytest.approx(199.7, abs=0.01)
    lines[1] = LineString([(105, 0), (200, 0)])
    out = nearest(build_network(layer(lines)), pts([(0, 0)]), pts([(200, 0)]), ["s"])
    assert out.loc[0, "reason"] == "disconnected" and np.isnan(out.loc[0, "network_m"])


def test_noded_layer_is_not_cut():
    grid = [LineString([(x, y), (x + 10, y)]) for x in range(0, 100, 10) for y in range(0, 50, 10)]
    grid += [LineString([(x, y), (x, y + 10)]) for x in range(0, 110, 10) for y in range(0, 40, 10)]
    net = build_network(layer(grid))
    assert net.info["cuts"] == 0
    assert net.n_edges == len(grid)
    assert net.n_nodes == 11 * 5


def test_levels_crossing_without_meeting():
    lines = [LineString([(0, 0), (100, 0)]), LineString([(50, -50), (50, 50)])]
    net = build_network(layer(lines, level=[0, 1]))
    assert (net.n_nodes, net.n_edges) == (4, 2)
    out = nearest(net, pts([(0, 0)]), pts([(50, 50)]), ["s"])
    assert out.loc[0, "reason"] == "disconnected"
    # a bridge meets the road at its end points
    lines.append(LineString([(50, 50), (100, 0)]))
    out = nearest(
        build_network(layer(lines, level=[0, 1, 0])), pts([(0, 0)]), pts([(50, 50)]), ["s"]
    )
    assert out.loc[0, "network_m"] == pytest.approx(100 + np.hypot(50, 50))


def test_not_walkable_lines_are_left_out():
    lines = [LineString([(0, 0), (100, 0)]), LineString([(0, 0), (0, 100), (100, 100), (100, 0)])]
    net = build_network(layer(lines, walkable=[False, True]))
    out = nearest(net, pts([(0, 0)]), pts([(100, 0)]), ["s"])
    assert out.loc[0, "network_m"] == pytest.approx(300.0)
    assert net.info["lines_not_walkable"] == 1


def test_ring_and_multilinestring():
    ring = LineString([(0, 0), (100, 0), (100, 100), (0, 100), (0, 0)])
    multi = MultiLineString([[(0, 0), (-100, 0)], [(-100, 0), (-100, -50)]])
    net = build_network(layer([ring, multi]))
    out = nearest(net, pts([(-100, -50)]), pts([(100, 100)]), ["s"])
    assert out.loc[0, "network_m"] == pytest.approx(350.0)


def test_bad_layers_are_errors():
    with pytest.raises(GeometryTypeError, match="p1"):
        build_network(gpd.GeoDataFrame({"edge_id": ["p1"]}, geometry=[Point(0, 0)], crs=CRS))
    with pytest.raises(GeometryError, match="e2"):
        build_network(
            gpd.GeoDataFrame(
                {"edge_id": ["e1", "e2"]}, geometry=[LineString([(0, 0), (1, 1)]), None], crs=CRS
            )
        )
    with pytest.raises(CrsError):
        build_network(gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1, 1)])]))


# --------------------------------------------------------------------------- snapping


def test_snaps_to_the_nearest_point_of_an_edge_not_a_node():
    net = build_network(layer([LineString([(0, 0), (1000, 0)])]))
    out = nearest(net, pts([(500, 10)]), pts([(520, -5)]), ["s"])
    assert out.loc[0, "network_m"] == pytest.approx(10 + 20 + 5)  # same edge, straight along it


def test_off_network_is_unreachable_never_zero():
    net = build_network(layer([LineString([(0, 0), (1000, 0)])]))
    firms = pts([(0, SNAP_LIMIT_M + 1), (0, SNAP_LIMIT_M - 1), (np.nan, np.nan)])
    out = nearest(net, firms, pts([(0, 0)]), ["s"])
    assert out.reason.tolist() == ["off_network", "", "no_location"]
    assert out.reachable.tolist() == [False, True, False]
    assert np.isnan(out.network_m[0]) and np.isnan(out.network_m[2])
    table = within(net, firms, pts([(0, 0)]), ["s"], 10_000)
    assert table.firm.tolist() == [1]
    stop_off = nearest(net, firms, pts([(0, 500)]), ["far"])
    assert stop_off.reason.tolist() == ["off_network", "no_stop", "no_location"]
    assert stop_off.attrs["stops_unreachable"] == {"far": "off_network"}


# --------------------------------------------------------------------------- reference


def reference(lines, firms_xy, stops_xy, stop_ids, limit=SNAP_LIMIT_M):
    """Shortest paths by networkx on a fully noded copy.

    Each point is inserted into its nearest edge, found by brute force.
    """
    noded = [g for g in shapely.get_parts(shapely.node(MultiLineString(lines)))]
    g = nx.Graph()
    key = {}

    def node(p):
        k = (round(p[0], 6), round(p[1], 6))
        return key.setdefault(k, len(key))

    inserts: dict[int, list] = {i: [] for i in range(len(noded))}
    names = []
    for kind, xy in (("f", firms_xy), ("s", stops_xy)):
        for i, p in enumerate(xy):
            point = Point(p)
            d = [e.distance(point) for e in noded]
            j = int(np.argmin(d))
            name = (kind, i)
            names.append(name)
            if d[j] > limit:
                continue
            inserts[j].append((noded[j].project(point), name))
            g.add_edge(name, ("on", name), weight=d[j])
    for j, e in enumerate(noded):
        a, b = node(e.coords[0]), node(e.coords[-1])
        chain = [(0.0, a)] + sorted(((s, ("on", n)) for s, n in inserts[j]), key=lambda t: t[0])
        chain += [(e.length, b)]
        for (s0, n0), (s1, n1) in zip(chain[:-1], chain[1:], strict=True):
            if n0 != n1 and (not g.has_edge(n0, n1) or g[n0][n1]["weight"] > s1 - s0):
                g.add_edge(n0, n1, weight=s1 - s0)
    result = np.full(len(firms_xy), np.inf)
    per_stop = {}
    for i, sid in enumerate(stop_ids):
        if ("s", i) in g:
            lengths = nx.single_source_dijkstra_path_length(g, ("s", i))
            for f in range(len(firms_xy)):
                d = lengths.get(("f", f), np.inf)
                result[f] = min(result[f], d)
                per_stop[(f, sid)] = min(per_stop.get((f, sid), np.inf), d)
    return result, per_stop


coord = st.floats(0, 1000, allow_nan=False).map(lambda v: round(v, 1))
segment = st.tuples(coord, coord, coord, coord).filter(
    lambda t: np.hypot(t[0] - t[2], t[1] - t[3]) > 5
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    segs=st.lists(segment, min_size=1, max_size=12),
    firms=st.lists(st.tuples(coord, coord), min_size=1, max_size=6),
    stops=st.lists(st.tuples(coord, coord), min_size=1, max_size=3),
)
def test_matches_networkx_reference(segs, firms, stops):
    lines = [LineString([(a, b), (c, d)]) for a, b, c, d in segs]
    frame = gpd.GeoDataFrame(geometry=lines, crs=CRS)
    ids = [f"s{i}" for i in range(len(stops))]
    net = build_network(frame, node_tolerance_m=1e-6)
    got = nearest(net, np.array(firms, float), np.array(stops, float), ids)
    want, per_stop = reference(lines, firms, stops, ids)
    reach = np.isfinite(want)
    assert got.reachable.to_numpy().tolist() == reach.tolist()
    np.testing.assert_allclose(got.network_m.to_numpy()[reach], want[reach], rtol=1e-7, atol=1e-5)
    # never shorter than the straight line to the chosen stop
    chosen = np.array(
        [stops[ids.index(s)] if not pd.isna(s) else (np.nan, np.nan) for s in got.stop_id], float
    )
    straight = np.hypot(*(np.array(firms, float) - chosen).T)
    assert (got.network_m.to_numpy()[reach] >= straight[reach] - 1e-6).all()
    table = within(net, np.array(firms, float), np.array(stops, float), ids, 700.0)
    expect = {k: v for k, v in per_stop.items() if v <= 700.0}
    assert set(zip(table.firm, table.stop_id, strict=True)) == set(expect)
    for f, s, d in zip(table.firm, table.stop_id, table.network_m, strict=True):
        assert d == pytest.approx(expect[(f, s)], abs=1e-5)


# --------------------------------------------------------------------------- invariants


def random_world(seed, n_lines=60, n_firms=200, n_stops=6):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0, 2000, (n_lines, 2))
    b = a + rng.normal(0, 400, (n_lines, 2))
    lines = [LineString([p, q]) for p, q in zip(a, b, strict=True)]
    return lines, rng.uniform(0, 2000, (n_firms, 2)), rng.uniform(0, 2000, (n_stops, 2))


def access(net, points):
    s = net.snap(points)
    out = np.full(s.n, np.inf)
    np.minimum.at(out, s.point, s.access_m)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_adding_an_edge_or_a_stop_never_increases_a_distance(seed):
    lines, firms, stops = random_world(seed)
    ids = [f"s{i}" for i in range(len(stops))]
    net = build_network(layer(lines))
    base = nearest(net, pts(firms), pts(stops), ids).network_m.fillna(np.inf).to_numpy()
    # chords between existing nodes: new routes, same network elsewhere
    rng = np.random.default_rng(seed)
    ends = rng.choice(net.n_nodes, (12, 2))
    stop_access = access(net, pts(stops))
    chords = [
        LineString([net.node_xy[i] - (X0, Y0), net.node_xy[j] - (X0, Y0)])
        for i, j in ends
        if i != j
    ]
    chords = [
        c
        for c in chords  # chords that would take over a stop's snap are left out
        if (shapely.distance(c, shapely.points(stops)) > stop_access + 1).all()
    ]
    assert chords
    wider_net = build_network(layer(lines + chords))
    wider = nearest(wider_net, pts(firms), pts(stops), ids).network_m.fillna(np.inf).to_numpy()
    # a point whose nearest edge is a new one walks from there instead (nearest-edge
    # snapping); the guarantee holds for points whose access leg is unchanged
    same = np.isclose(access(net, pts(firms)), access(wider_net, pts(firms)))
    assert np.allclose(access(net, pts(stops)), access(wider_net, pts(stops)))
    assert same.sum() > len(firms) / 2
    assert (wider[same] <= base[same] + 1e-6).all()
    assert (wider[same] < base[same] - 1).any()
    extra = np.r_[stops, firms[3:4] + 1]
    more = nearest(net, pts(firms), pts(extra), ids + ["new"]).network_m.fillna(np.inf)
    assert (more.to_numpy() <= base + 1e-6).all() and (more.to_numpy() < base - 1).any()


def test_independent_of_row_order_and_crs():
    lines, firms, stops = random_world(7)
    ids = [f"s{i}" for i in range(len(stops))]
    base = nearest(layer(lines), pts(firms), pts(stops), ids)
    rng = np.random.default_rng(0)
    pl, pf = rng.permutation(len(lines)), rng.permutation(len(firms))
    ps = rng.permutation(len(stops))
    shuffled = nearest(
        layer([lines[i] for i in pl]), pts(firms[pf]), pts(stops[ps]), [ids[i] for i in ps]
    )
    np.testing.assert_allclose(
        shuffled.network_m.to_numpy(), base.network_m.to_numpy()[pf], rtol=1e-9, equal_nan=True
    )
    assert shuffled.stop_id.tolist() == base.stop_id.to_numpy()[pf].tolist()
    wgs = nearest(layer(lines).to_crs(4326), pts(firms).to_crs(4326), pts(stops).to_crs(4326), ids)
    np.testing.assert_allclose(
        wgs.network_m.to_numpy(), base.network_m.to_numpy(), atol=1e-3, equal_nan=True
    )
    zones = station_zones(layer(lines), pts(stops[:1]), ["s0"])
    back = station_zones(layer(lines).to_crs(3857), pts(stops[:1]).to_crs(3857), ["s0"])
    np.testing.assert_allclose(back.area_ha, zones.area_ha, rtol=1e-6)
    assert back.crs == CRS


def test_unreachable_never_within_a_threshold_and_within_agrees_with_nearest():
    lines, firms, stops = random_world(11, n_lines=30)
    ids = [f"s{i}" for i in range(len(stops))]
    out = nearest(layer(lines), pts(firms), pts(stops), ids)
    assert (~out.reachable).any() and out.reachable.any()
    table = within(layer(lines), pts(firms), pts(stops), ids, 800)
    assert not set(table.firm) & set(np.flatnonzero(~out.reachable))
    best = table.groupby("firm").network_m.min()
    close = out.network_m.to_numpy() <= 800
    assert set(best.index) == set(np.flatnonzero(close))
    np.testing.assert_allclose(best.to_numpy(), out.network_m.to_numpy()[best.index])


def test_zones_agree_with_firm_verdicts():
    lines, _, stops = random_world(5, n_lines=80)
    net = build_network(layer(lines))
    zones = station_zones(net, pts(stops[:2]), ["a", "b"], resolution_m=5)
    rng = np.random.default_rng(1)
    probe = rng.uniform(-300, 2300, (3000, 2))
    for sid, xy in (("a", stops[0]), ("b", stops[1])):
        d = nearest(net, pts(probe), pts([xy]), [sid]).network_m.to_numpy()
        for band in (600, 1200):
            zone = zones.loc[(zones.station_id == sid) & (zones.band_m == band), "geometry"].iloc[0]
            inside = shapely.contains_xy(zone, probe[:, 0] + X0, probe[:, 1] + Y0)
            assert not (inside & ~(d <= band + 10)).any()  # never covers land beyond the band
            assert inside[d <= band - 10].all()
            assert inside.any()


def test_zones_by_two_threads_are_the_zones_one_after_the_other(monkeypatch):
    """The stations' zones computed side by side: the same bytes, in the same order."""
    import areas.analysis.network.zones as zones_module

    lines, _, stops = random_world(5, n_lines=80)
    net = build_network(layer(lines))
    ids = ["a", "b", "c", "a"]  # "a" has two entrances
    runs = {}
    for threads in (1, 2):
        monkeypatch.setattr(zones_module, "ZONE_THREADS", threads)
        out = station_zones(net, pts(stops[:4]), ids, resolution_m=10)
        runs[threads] = (
            out[["station_id", "band_m"]].values.tolist(),
            out.geometry.to_wkb().tolist(),
        )
    assert runs[1] == runs[2]
    assert len(runs[1][0]) == 6 and any(len(w) > 100 for w in runs[1][1])


def test_zone_threads_raise_the_first_failing_stations_error():
    from areas.analysis.network.zones import _in_parallel

    def func(i):
        if i in (2, 4):
            raise ValueError(f"station {i}")
        return [i]

    with pytest.raises(ValueError, match="station 2"):
        _in_parallel(func, 6)
    assert _in_parallel(lambda i: [i * i], 5) == [[0], [1], [4], [9], [16]]
