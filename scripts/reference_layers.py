"""Derive bundled geography from the public reference data (used by ``make_layers.py``).

Everything here reads the real, third-party files in ``../shared/reference-data``
(see its README): Rejseplanen stop positions, GeoFA business land use, roads,
signed walking and cycle routes, lakes, and the DAGI municipal boundaries. The
outputs are *derived* geometries (a station point, a simplified outline, a noded
and simplified walking network, generalised background lines and polygons); the
files themselves are never copied into the repository.

All operations are deterministic: inputs are read in file order, sorted where
order matters, and coordinates are rounded to 0.01 m before they are written.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiPolygon, Polygon, box

REPO = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE = REPO.parent / "shared" / "reference-data"

ROADS_GPKG = "geofa_vestegnen_roads_paths_landuse.gpkg"
ERHVERV_GPKG = "geofa_vestegnen_erhverv.gpkg"
LETBANE_CSV = "rejseplanen_letbane_stops.csv"
STOG_CSV = "rejseplanen_stog_stations.csv"
DAGI_GEOJSON = "dagi_kommuner_vestegnen.geojson"
HVIDOVRE_EXTENT = "hvidovre_kommuneplan_extent.geojson"

REQUIRED_FILES = (ROADS_GPKG, ERHVERV_GPKG, LETBANE_CSV, STOG_CSV, DAGI_GEOJSON)

_TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)


def check_reference(ref: Path) -> Path:
    """Return ``ref`` if it holds every reference file the generator reads, else exit."""
    missing = [name for name in REQUIRED_FILES if not (ref / name).is_file()]
    if missing:
        msg = (
            f"the reference data folder {ref} lacks {', '.join(missing)}; the bundled "
            "layers are derived from it (pass --reference DIR)"
        )
        raise SystemExit(msg)
    return ref


def _read(path: Path, layer: str | None = None):
    """Read a vector file in EPSG:25832 with pyogrio (GeoDataFrame)."""
    import geopandas as gpd

    frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    return frame.to_crs("EPSG:25832")


# --------------------------------------------------------------------------
# Rejseplanen stop positions
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedStop:
    """One stop of the Rejseplanen-derived CSVs, projected to EPSG:25832."""

    stop_id: str
    feed_name: str
    x: float
    y: float


def rejseplanen_stops(ref: Path) -> dict[str, FeedStop]:
    """Return the light-rail and S-train stops of the Rejseplanen feed by ``stop_id``."""
    out: dict[str, FeedStop] = {}
    for name in (LETBANE_CSV, STOG_CSV):
        with (ref / name).open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                x, y = _TO_UTM.transform(float(row["stop_lon"]), float(row["stop_lat"]))
                out[row["stop_id"]] = FeedStop(row["stop_id"], row["stop_name"], x, y)
    return out


# --------------------------------------------------------------------------
# GeoFA business land use
# --------------------------------------------------------------------------

#: Simplification tolerance for district outlines derived from GeoFA (m).
OUTLINE_TOLERANCE_M = 1.0


def erhverv(ref: Path):
    """Return GeoFA's business land-use polygons (``type == "Erhverv"``), EPSG:25832."""
    return _read(ref / ERHVERV_GPKG)


def erhverv_polygon_at(frame, x: float, y: float) -> Polygon:
    """Return the one business land-use polygon containing (x, y)."""
    hits = frame[frame.geometry.contains(shapely.Point(x, y))]
    if len(hits) != 1:
        msg = f"expected one GeoFA Erhverv polygon at ({x}, {y}), found {len(hits)}"
        raise RuntimeError(msg)
    return hits.geometry.iloc[0]


def simplified_outline(poly: Polygon) -> Polygon:
    """Simplify a GeoFA outline (1 m tolerance, topology kept, holes kept)."""
    out = shapely.simplify(poly, OUTLINE_TOLERANCE_M, preserve_topology=True)
    if out.geom_type != "Polygon" or not out.is_valid:  # pragma: no cover - GeoFA is clean
        msg = "simplifying a GeoFA outline gave an invalid polygon"
        raise RuntimeError(msg)
    return out


def lakes(ref: Path):
    """Return GeoFA's lake polygons (``land_anvendelse`` ``type == "Sø"``) as one geometry."""
    lu = pyogrio.read_dataframe(ref / ROADS_GPKG, layer="land_anvendelse")
    return shapely.union_all(lu.loc[lu["type"] == "Sø"].geometry.values)


def land(ref: Path):
    """Return the land as the union of the DAGI municipalities (and Hvidovre's extent)."""
    parts = [shapely.union_all(_read(ref / DAGI_GEOJSON).geometry.values)]
    if (ref / HVIDOVRE_EXTENT).is_file():
        parts.append(shapely.union_all(_read(ref / HVIDOVRE_EXTENT).geometry.values))
    return shapely.union_all(parts)


# --------------------------------------------------------------------------
# Walking network
# --------------------------------------------------------------------------

#: Road lines not walked: every ``Off. statsvej`` (the state roads in the box are the
#: motorways and their ramps) and municipal roads signed at this speed or above.
NO_WALK_KMH = 80.0
#: A walking or cycle route crossing a road signed at this speed or above, where neither
#: line has a vertex (no junction), is taken to cross it on another level.
GRADE_SEPARATED_KMH = 60.0
#: No road-road junction (a road line's end) within this distance of such a crossing.
JUNCTION_CLEARANCE_M = 20.0
#: Source lines are simplified with this tolerance before noding (m).
NETWORK_TOLERANCE_M = 1.0
#: A road line is "signed at" a speed when this share of it lies within
#: :data:`SPEED_MATCH_M` of speed-limit lines of that speed.
SPEED_MATCH_SHARE = 0.5
SPEED_MATCH_M = 5.0

ROAD_KIND = {
    "Off. kommunevej": "public_road",
    "Privat fællesvej": "private_road",
    "Udlagt priv. fælles": "private_road",
    "Privat vej": "private_road",
    "Almen vej": "private_road",
}
#: When noded pieces coincide, the first kind in this order names the piece.
KIND_ORDER = ("public_road", "private_road", "walking_route", "cycle_route")


@dataclass
class Network:
    """A noded walking network: edges with kind and level, plus statistics."""

    edges: list[dict]
    stats: dict


def _fraction_near(lines: np.ndarray, other, distance: float) -> np.ndarray:
    """Share of each line's length lying within ``distance`` of ``other``."""
    zone = shapely.buffer(other, distance)
    shapely.prepare(zone)
    inside = shapely.length(shapely.intersection(lines, zone))
    return np.where(shapely.length(lines) > 0, inside / np.maximum(shapely.length(lines), 1e-9), 0)


def _speed_of(lines: np.ndarray, speed_lines, kmh: np.ndarray, threshold: float) -> np.ndarray:
    """Return True for lines lying mostly along speed lines of ``threshold`` km/h or more."""
    fast = shapely.union_all(speed_lines[kmh >= threshold])
    return _fraction_near(lines, fast, SPEED_MATCH_M) >= SPEED_MATCH_SHARE


def _edges_to_nodes(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (start node, end node, node xy) for each edge, nodes keyed by rounded xy."""
    starts = shapely.get_coordinates(shapely.get_point(geoms, 0))
    ends = shapely.get_coordinates(shapely.get_point(geoms, -1))
    allxy = np.round(np.vstack([starts, ends]), 2)
    uniq, inv = np.unique(allxy, axis=0, return_inverse=True)
    inv = inv.ravel()
    return inv[: len(geoms)], inv[len(geoms) :], uniq


def _components(n_nodes: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Connected-component label of each node (scipy)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(u)), (u, v)), shape=(n_nodes, n_nodes))
    return connected_components(graph, directed=False)[1]


def build_network(ref: Path, area: Polygon) -> Network:
    """Build the walking network inside ``area`` from GeoFA roads and routes.

    Steps: read road centre lines (``vej_myndighed``), signed walking routes
    (``rute_vandre``) and cycle routes (``rute_cykel``); drop the roads nobody
    walks on (:data:`NO_WALK_KMH`); clip to ``area``; simplify each source line
    (:data:`NETWORK_TOLERANCE_M`); node everything with one planar union (which
    also dissolves route lines drawn on top of a road centre line); give each
    noded piece the kind of the source it lies on; put routes that cross a fast
    road away from any junction on level -1 (:data:`GRADE_SEPARATED_KMH`); merge
    pieces through nodes where only two pieces of the same kind and level meet.
    """
    path = ref / ROADS_GPKG
    roads = pyogrio.read_dataframe(path, layer="vej_myndighed")
    speed = pyogrio.read_dataframe(path, layer="vej_hastighedsgraense")
    walk = pyogrio.read_dataframe(path, layer="rute_vandre")
    cycle = pyogrio.read_dataframe(path, layer="rute_cykel")
    kmh = speed["type"].astype(float).to_numpy()
    speed_geoms = speed.geometry.values

    road_geoms = roads.geometry.values
    road_types = roads["type"].to_numpy()
    state = road_types == "Off. statsvej"
    fast80 = _speed_of(road_geoms, speed_geoms, kmh, NO_WALK_KMH) & ~state
    walkable = ~state & ~fast80
    motorways = shapely.union_all(road_geoms[state])

    src_geoms: list = []
    src_kind: list[str] = []
    for geom, rtype in zip(road_geoms[walkable], road_types[walkable], strict=True):
        src_geoms.append(geom)
        src_kind.append(ROAD_KIND[rtype])
    for frame, kind in ((walk, "walking_route"), (cycle, "cycle_route")):
        for geom in frame.geometry.values:
            src_geoms.append(geom)
            src_kind.append(kind)
    src = np.asarray(src_geoms, dtype=object)
    src = shapely.set_precision(shapely.intersection(src, area), 0.01)
    keep = ~shapely.is_empty(src) & (shapely.length(src) > 0)
    src, kinds = src[keep], np.asarray(src_kind)[keep]

    noded = shapely.get_parts(shapely.union_all(src, grid_size=0.01))
    noded = noded[shapely.length(noded) > 0]
    # the kind of each piece: the highest-priority source it lies on
    mid = shapely.line_interpolate_point(noded, 0.5, normalized=True)
    tree = shapely.STRtree(src)
    pi, si = tree.query(mid, predicate="dwithin", distance=0.05)
    rank = {k: i for i, k in enumerate(KIND_ORDER)}
    best = np.full(len(noded), len(KIND_ORDER), dtype=int)
    for p, s in zip(pi, si, strict=True):
        best[p] = min(best[p], rank[kinds[s]])
    if (best == len(KIND_ORDER)).any():  # pragma: no cover - every piece comes from a source
        msg = f"{int((best == len(KIND_ORDER)).sum())} noded pieces match no source line"
        raise RuntimeError(msg)
    piece_kind = np.asarray(KIND_ORDER, dtype=object)[best]

    # routes along a motorway (none walk there): drop the pieces lying on it
    on_motorway = _fraction_near(noded, motorways, 3.0) > 0.5
    noded, piece_kind = noded[~on_motorway], piece_kind[~on_motorway]

    level, separated = _grade_separation(noded, piece_kind, speed_geoms, kmh, road_geoms[walkable])
    edges = _merge_chains(noded, piece_kind, level)
    stats = network_stats(edges)
    stats.update(
        {
            "source_road_lines_excluded_state": int(state.sum()),
            "source_road_lines_excluded_80kmh": int(fast80.sum()),
            "pieces_dropped_on_motorway": int(on_motorway.sum()),
            "grade_separated_crossings": separated,
        }
    )
    return Network(edges=edges, stats=stats)


def _grade_separation(pieces, kinds, speed_geoms, kmh, roads) -> tuple[np.ndarray, int]:
    """Level -1 for route pieces passing a fast road at a crossing that is no junction.

    A crossing counts when exactly four pieces meet at the node: two road pieces
    signed :data:`GRADE_SEPARATED_KMH` or more and two route pieces, and no road
    line ends within :data:`JUNCTION_CLEARANCE_M` of it (road-road junctions are
    where lines end in GeoFA; a road passing straight through is no junction).
    """
    level = np.zeros(len(pieces), dtype=int)
    is_route = np.isin(kinds, ["walking_route", "cycle_route"])
    fast = np.zeros(len(pieces), dtype=bool)
    fast[~is_route] = _speed_of(pieces[~is_route], speed_geoms, kmh, GRADE_SEPARATED_KMH)
    u, v, nodes = _edges_to_nodes(pieces)
    incident: dict[int, list[int]] = {}
    for i, (a, b) in enumerate(zip(u, v, strict=True)):
        incident.setdefault(int(a), []).append(i)
        incident.setdefault(int(b), []).append(i)
    road_ends = shapely.points(
        np.vstack(
            [
                shapely.get_coordinates(shapely.get_point(roads, 0)),
                shapely.get_coordinates(shapely.get_point(roads, -1)),
            ]
        )
    )
    end_tree = shapely.STRtree(road_ends)
    count = 0
    for node, edges in sorted(incident.items()):
        if len(edges) != 4:
            continue
        routes = [e for e in edges if is_route[e]]
        fasts = [e for e in edges if fast[e]]
        if len(routes) != 2 or len(fasts) != 2:
            continue
        pt = shapely.Point(nodes[node])
        if len(end_tree.query(pt, predicate="dwithin", distance=JUNCTION_CLEARANCE_M)):
            continue
        level[routes] = -1
        count += 1
    return level, count


def _merge_chains(pieces, kinds, levels) -> list[dict]:
    """Merge pieces through nodes where exactly two pieces of the same kind and level meet.

    Nodes where a level -1 route passes over level 0 roads are not nodes of the
    walking graph; there the two route pieces merge and so do the two road pieces.
    """
    u, v, _ = _edges_to_nodes(pieces)
    incident: dict[int, list[int]] = {}
    for i, (a, b) in enumerate(zip(u, v, strict=True)):
        incident.setdefault(int(a), []).append(i)
        incident.setdefault(int(b), []).append(i)
    parent = list(range(len(pieces)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for _, edges in sorted(incident.items()):
        if len(edges) == 2:
            a, b = edges
            if a != b and kinds[a] == kinds[b] and levels[a] == levels[b]:
                join(a, b)
        elif len(edges) == 4:
            by_level: dict[int, list[int]] = {}
            for e in edges:
                by_level.setdefault(int(levels[e]), []).append(e)
            if len(by_level) == 2 and all(len(g) == 2 for g in by_level.values()):
                for a, b in by_level.values():
                    if a != b:
                        join(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(len(pieces)):
        groups.setdefault(find(i), []).append(i)
    out = []
    for root in sorted(groups):
        members = groups[root]
        merged = shapely.line_merge(shapely.multilinestrings(pieces[members]), directed=False)
        parts = shapely.get_parts(merged)
        for part in parts:  # a closed ring or a branching group stays as several lines
            out.append(
                {
                    "kind": str(kinds[members[0]]),
                    "level": int(levels[members[0]]),
                    "geometry": shapely.set_precision(part, 0.01),
                }
            )
    _simplify_edges(out)
    out.sort(key=lambda e: (e["geometry"].coords[0], e["geometry"].coords[-1], e["kind"]))
    for i, edge in enumerate(out, start=1):
        edge["edge_id"] = f"e{i:05d}"
    return out


def _simplify_edges(edges: list[dict]) -> None:
    """Simplify each edge (ends kept); undo it where it would make two edges cross."""
    raw = np.asarray([e["geometry"] for e in edges], dtype=object)
    simple = shapely.set_precision(shapely.simplify(raw, NETWORK_TOLERANCE_M), 0.01)
    levels = np.asarray([e["level"] for e in edges])
    while True:
        tree = shapely.STRtree(simple)
        a, b = tree.query(simple, predicate="crosses")
        bad = (a < b) & (levels[a] == levels[b])
        revert = np.unique(np.concatenate([a[bad], b[bad]]))
        revert = revert[
            shapely.get_num_coordinates(simple[revert]) < shapely.get_num_coordinates(raw[revert])
        ]
        if not len(revert):
            break
        simple[revert] = raw[revert]
    for edge, geom in zip(edges, simple, strict=True):
        edge["geometry"] = geom


def drop_small_components(network: Network, min_length_m: float) -> int:
    """Remove connected parts shorter than ``min_length_m`` in all; return edges removed."""
    geoms = np.asarray([e["geometry"] for e in network.edges], dtype=object)
    u, v, nodes = _edges_to_nodes(geoms)
    labels = _components(len(nodes), u, v)
    lengths = shapely.length(geoms)
    per = np.bincount(labels[u], weights=lengths, minlength=int(labels.max()) + 1)
    keep = per[labels[u]] >= min_length_m
    network.edges = [e for e, k in zip(network.edges, keep, strict=True) if k]
    for i, edge in enumerate(network.edges, start=1):
        edge["edge_id"] = f"e{i:05d}"
    return int((~keep).sum())


def network_stats(edges: list[dict]) -> dict:
    """Nodes, edges, length and the largest connected component of a noded network."""
    geoms = np.asarray([e["geometry"] for e in edges], dtype=object)
    u, v, nodes = _edges_to_nodes(geoms)
    labels = _components(len(nodes), u, v)
    sizes = np.bincount(labels)
    big = int(np.argmax(sizes))
    lengths = shapely.length(geoms)
    in_big = labels[u] == big
    return {
        "nodes": int(len(nodes)),
        "edges": int(len(edges)),
        "length_km": round(float(lengths.sum()) / 1000.0, 1),
        "components": int(len(sizes)),
        "largest_component_nodes": int(sizes[big]),
        "largest_component_node_share": round(float(sizes[big]) / len(nodes), 4),
        "largest_component_length_share": round(float(lengths[in_big].sum() / lengths.sum()), 4),
        "level_minus1_edges": int(sum(1 for e in edges if e["level"] != 0)),
    }


# --------------------------------------------------------------------------
# Map background
# --------------------------------------------------------------------------

#: Lakes smaller than this are left out of the background (m²).
MIN_LAKE_M2 = 5_000.0
BACKGROUND_TOLERANCE_M = 10.0


def background_water(ref: Path, frame: Polygon) -> list[dict]:
    """Sea (frame minus land) and lakes of at least :data:`MIN_LAKE_M2`, generalised."""
    sea = shapely.difference(frame, land(ref))
    lu = pyogrio.read_dataframe(ref / ROADS_GPKG, layer="land_anvendelse")
    lake_geoms = [g for g in lu.loc[lu["type"] == "Sø"].geometry.values if g.area >= MIN_LAKE_M2]
    lake = shapely.intersection(shapely.union_all(lake_geoms), frame)
    rows = []
    for kind, geom, source in (
        ("sea", sea, "frame minus the DAGI municipalities (1:500,000) and Hvidovre's extent"),
        ("lake", lake, "GeoFA land use, type Sø, lakes of 0.5 ha or more"),
    ):
        geom = shapely.simplify(geom, BACKGROUND_TOLERANCE_M / 2, preserve_topology=True)
        geom = polygonal(geom)
        rows.append({"kind": kind, "name": None, "source": source, "geometry": geom})
    return rows


def polygonal(geom) -> MultiPolygon:
    """Keep only the polygon parts of ``geom`` as a valid MultiPolygon."""
    geom = shapely.make_valid(geom)
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and p.area > 1.0]
    return MultiPolygon(parts)


def background_municipalities(ref: Path, frame: Polygon) -> list[dict]:
    """Return the DAGI municipalities (1:500,000) clipped to ``frame``."""
    dagi = _read(ref / DAGI_GEOJSON)
    rows = []
    for code in sorted(set(dagi["KOMKODE"])):
        part = dagi[dagi["KOMKODE"] == code]
        geom = shapely.intersection(shapely.union_all(part.geometry.values), frame)
        if geom.is_empty:
            continue
        geom = polygonal(shapely.simplify(geom, BACKGROUND_TOLERANCE_M, preserve_topology=True))
        rows.append(
            {
                "kind": "municipality",
                "name": str(part["KOMNAVN"].iloc[0]),
                "source": f"DAGI 2014, 1:500,000, kommunekode {code}",
                "geometry": geom,
            }
        )
    return rows


def background_roads(ref: Path, frame: Polygon) -> list[dict]:
    """Motorways (``Off. statsvej``) and main roads (signed 60 km/h or more), generalised."""
    path = ref / ROADS_GPKG
    roads = pyogrio.read_dataframe(path, layer="vej_myndighed")
    speed = pyogrio.read_dataframe(path, layer="vej_hastighedsgraense")
    kmh = speed["type"].astype(float).to_numpy()
    motorway = shapely.union_all(roads.loc[roads["type"] == "Off. statsvej"].geometry.values)
    main = shapely.union_all(speed.geometry.values[(kmh >= 60) & (kmh < 200)])
    rows = []
    for kind, geom, source in (
        ("motorway", motorway, "GeoFA road authority, Off. statsvej (motorways and ramps)"),
        ("main_road", main, "GeoFA speed limits, roads signed 60-80 km/h"),
    ):
        geom = shapely.intersection(geom, frame)
        geom = shapely.line_merge(geom, directed=False)
        geom = shapely.simplify(geom, BACKGROUND_TOLERANCE_M, preserve_topology=False)
        parts = [p for p in shapely.get_parts(geom) if p.length >= 50.0]
        rows.append(
            {
                "kind": kind,
                "name": None,
                "source": source,
                "geometry": shapely.multilinestrings(parts),
            }
        )
    return rows


#: Railway lines as station sequences (Rejseplanen stop ids), drawn schematically as
#: straight lines from station to station.
RAILWAYS = {
    "S-tog Høje Taastrup-banen": [
        "8600798",
        "8600620",
        "8600621",
        "8600622",
        "8600679",
        "8600680",
        "8600600",
        "8600742",
        "8600624",
    ],
    "S-tog Køge Bugt-banen": [
        "8600770",
        "8600769",
        "8600768",
        "8600767",
        "8600766",
        "8600765",
        "8600764",
        "8600763",
        "8600783",
        "8600761",
        "8600760",
    ],
    "S-tog Ringbanen": ["8600736", "8600740", "8600741", "8600742", "8600804", "8600783"],
    "S-tog Frederikssundbanen": ["8600624", "8600701", "8600702", "8600736", "8600703"],
    "Hovedstadens Letbane": [f"86034{n:02d}" for n in range(1, 31) if n != 26],
}


def background_railways(feed: dict[str, FeedStop], frame: Polygon) -> list[dict]:
    """Schematic railway lines through the Rejseplanen station positions."""
    rows = []
    for name, ids in RAILWAYS.items():
        line = LineString([(feed[i].x, feed[i].y) for i in ids])
        geom = shapely.intersection(line, frame)
        kind = "light_rail" if "Letbane" in name else "s_train"
        rows.append(
            {
                "kind": kind,
                "name": name,
                "source": "schematic: straight lines between Rejseplanen station positions",
                "geometry": shapely.multilinestrings(
                    [p for p in shapely.get_parts(geom) if p.length > 0]
                ),
            }
        )
    return rows


def frame_of(geoms: Iterable, margin: float) -> Polygon:
    """Axis-aligned box around ``geoms`` grown by ``margin``, corners on whole 100 m."""
    xmin, ymin, xmax, ymax = shapely.total_bounds(list(geoms))
    return box(
        math.floor((xmin - margin) / 100.0) * 100.0,
        math.floor((ymin - margin) / 100.0) * 100.0,
        math.ceil((xmax + margin) / 100.0) * 100.0,
        math.ceil((ymax + margin) / 100.0) * 100.0,
    )
