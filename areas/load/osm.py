"""Read walkable ways from OpenStreetMap files (``.osm``, ``.osm.pbf``) as a network layer.

Needs the optional extra ``osm`` (``pip install "areas[osm]"``, which brings
`pyosmium <https://osmcode.org/pyosmium/>`_).

Rules
-----
- **Which ways.** Every way with a ``highway`` tag of a kind people can walk
  (:data:`WALKABLE_HIGHWAYS`: footways, paths, steps, pedestrian streets,
  residential, service and living streets, unclassified up to primary
  roads, tracks, cycleways, platforms); ``walkable`` is false for
  motorways and trunk roads (:data:`FOOT_ONLY_IF_TAGGED`) unless tagged
  ``foot=yes|designated|permissive`` or with a ``sidewalk``, and for every way
  tagged ``foot=no`` or ``foot=use_sidepath`` (a separately mapped path is
  to be used), or ``access=no|private`` without a ``foot`` permission.
  Other highway values (``proposed``, ``construction``, ``raceway``, …) are
  not read. The non-walkable ways are kept, flagged, so that counts reconcile;
  the network builder leaves them out.
- **Junctions.** Ways are cut at every node they share with another read way
  (and at nodes a way passes twice), so the lines meet at their end points,
  as in the OpenStreetMap graph.
- **Levels.** ``level`` is the ``layer`` tag when it is a whole number, else
  1 for ``bridge`` and -1 for ``tunnel`` (any value but ``no``), else 0.
- **Ids.** ``edge_id`` is ``w<way id>`` or, for the pieces of a cut way,
  ``w<way id>.<k>`` (k from 1 along the way). ``kind`` is the highway value.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from areas.errors import AreasRepairWarning, DamagedFileError, LayerError
from areas.schema import WORK_CRS

__all__ = ["WALKABLE_HIGHWAYS", "FOOT_ONLY_IF_TAGGED", "read_osm"]

#: Highway values read as walkable.
WALKABLE_HIGHWAYS = frozenset(
    {
        "footway",
        "path",
        "pedestrian",
        "steps",
        "living_street",
        "residential",
        "service",
        "unclassified",
        "tertiary",
        "tertiary_link",
        "secondary",
        "secondary_link",
        "primary",
        "primary_link",
        "track",
        "cycleway",
        "bridleway",
        "corridor",
        "platform",
        "road",
        "busway",
    }
)
#: Highway values read, but walkable only with a foot permission or a sidewalk.
FOOT_ONLY_IF_TAGGED = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})
_FOOT_YES = {"yes", "designated", "permissive", "official"}
_FOOT_NO = {"no", "use_sidepath"}
_SIDEWALK_YES = {"yes", "both", "left", "right", "separate_no"}


def _import_osmium():
    try:
        import osmium
    except ImportError as exc:
        msg = (
            "reading OpenStreetMap files needs the optional extra `osm`: "
            'pip install "areas[osm]" (it installs pyosmium)'
        )
        raise ImportError(msg) from exc
    return osmium


def _walkable(tags: dict) -> bool:
    foot = tags.get("foot", "")
    if foot in _FOOT_NO:
        return False
    if foot in _FOOT_YES:
        return True
    if tags.get("access", "") in {"no", "private"}:
        return False
    if tags["highway"] in FOOT_ONLY_IF_TAGGED:
        return tags.get("sidewalk", "") in _SIDEWALK_YES
    return True


def _level(tags: dict) -> int:
    layer = tags.get("layer", "").strip()
    if layer.lstrip("+-").isdigit():
        return int(layer)
    if tags.get("bridge", "no") != "no":
        return 1
    if tags.get("tunnel", "no") != "no":
        return -1
    return 0


def _ways(path: Path):
    """Way ids, tags and node (id, lon, lat) lists of the highway ways."""
    osmium = _import_osmium()
    keep = WALKABLE_HIGHWAYS | FOOT_ONLY_IF_TAGGED
    way_ids: list[int] = []
    tags: list[dict] = []
    refs: list[int] = []
    lons: list[float] = []
    lats: list[float] = []
    counts: list[int] = []
    missing, short = [], []
    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    for obj in processor:
        if not obj.is_way():
            continue
        t = {tag.k: tag.v for tag in obj.tags}
        if t.get("highway") not in keep:
            continue
        nodes = [(n.ref, n.location) for n in obj.nodes]
        if any(not loc.valid() for _, loc in nodes):
            missing.append(obj.id)
            continue
        if len(nodes) < 2:
            short.append(obj.id)
            continue
        way_ids.append(obj.id)
        tags.append(t)
        counts.append(len(nodes))
        refs.extend(r for r, _ in nodes)
        lons.extend(loc.lon for _, loc in nodes)
        lats.extend(loc.lat for _, loc in nodes)
    if missing:
        shown = ", ".join(f"w{w}" for w in missing[:10])
        msg = (
            f"{len(missing)} ways refer to nodes the file does not hold ({shown}); "
            "export the area with complete ways (osmium extract --strategy complete_ways)"
        )
        raise DamagedFileError(msg, path=path, layer="network")
    if short:
        msg = f"{path}: left out {len(short)} highway ways with fewer than two nodes: " + ", ".join(
            f"w{w}" for w in short[:10]
        )
        warnings.warn(msg, AreasRepairWarning, stacklevel=3)
    return way_ids, tags, np.array(refs, np.int64), np.array(lons), np.array(lats), counts


def read_osm(path) -> gpd.GeoDataFrame:
    """Read the walkable ways of an OpenStreetMap file as a network layer.

    Parameters
    ----------
    path : str or Path
        An ``.osm`` (XML) or ``.osm.pbf`` file.

    Returns
    -------
    geopandas.GeoDataFrame
        LineStrings in EPSG:25832 with ``edge_id``, ``walkable``, ``level``
        and ``kind`` (see the module notes).

    Raises
    ------
    ImportError
        When pyosmium is not installed (the message names the extra).
    DamagedFileError
        When the file cannot be read or its ways lack nodes.
    """
    path = Path(path)
    if not path.is_file():
        msg = "no such OpenStreetMap file; check the path"
        raise LayerError(msg, path=path, layer="network")
    try:
        way_ids, tags, refs, lons, lats, counts = _ways(path)
    except RuntimeError as exc:
        msg = f"cannot be read as OpenStreetMap data ({exc}); is it a complete .osm or .osm.pbf?"
        raise DamagedFileError(msg, path=path, layer="network") from exc
    counts_arr = np.array(counts, np.int64)
    way = np.repeat(np.arange(len(way_ids)), counts_arr)
    start = np.cumsum(counts_arr) - counts_arr
    pos = np.arange(len(refs)) - np.repeat(start, counts_arr)
    # junctions: nodes used more than once by the ways read
    _, inverse, used = np.unique(refs, return_inverse=True, return_counts=True)
    inner = (pos > 0) & (pos < np.repeat(counts_arr, counts_arr) - 1)
    cut = inner & (used[inverse] > 1)
    # each cut node ends one piece and starts the next: emit it twice
    dup = np.repeat(np.arange(len(refs)), np.where(cut, 2, 1))
    starts_piece = np.r_[True, dup[1:] == dup[:-1]] | np.r_[True, way[dup][1:] != way[dup][:-1]]
    piece = np.cumsum(starts_piece) - 1
    x, y = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True).transform(lons, lats)
    xy = np.c_[x, y][dup]
    piece_way = way[dup][starts_piece]
    geoms = shapely.linestrings(xy, indices=piece)
    k = np.arange(len(piece_way)) - np.searchsorted(piece_way, piece_way)
    n_pieces = np.bincount(piece_way, minlength=len(way_ids))[piece_way]
    wid = np.array(way_ids, np.int64)[piece_way].astype(str)
    base = np.char.add("w", wid)
    edge_id = np.where(n_pieces > 1, np.char.add(base, np.char.add(".", (k + 1).astype(str))), base)
    levels = np.array([_level(t) for t in tags], np.int64)
    kinds = np.array([t["highway"] for t in tags] + [None], dtype=object)[:-1]
    frame = gpd.GeoDataFrame(
        {
            "edge_id": pd.array(edge_id.astype(object), dtype="string"),
            "walkable": np.array([_walkable(t) for t in tags], bool)[piece_way],
            "level": pd.array(levels[piece_way], dtype="Int64"),
            "kind": pd.array(kinds[piece_way], dtype="string"),
        },
        geometry=geoms,
        crs=WORK_CRS,
    )
    frame.attrs["source"] = str(path)
    return frame
