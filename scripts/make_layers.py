#!/usr/bin/env python
"""Generate the bundled layers in ``layers/`` (deterministic, fixed seed).

The five GeoJSON files are the toolkit's default data: the business districts
of Albertslund and Hvidovre, their Business Improvement Districts (BIDs), the
rewilding plots on Avedøre Holme, the transit stops around them and a
synthetic company register calibrated to the published counts.

Every figure the layers must reproduce, and where it comes from, is listed in
``layers/README.md``. Outlines are approximate digitisations or simplified
derivations from public plan data; companies are synthetic.

Running the script twice gives byte-identical files: the only randomness is a
``random.Random`` seeded with :data:`SEED`, of which only ``random()`` is used
(its stream is stable across Python versions), and every coordinate is rounded
to 0.01 m before it is written.

Usage::

    python scripts/make_layers.py              # writes layers/
    python scripts/make_layers.py --out /tmp/x # writes elsewhere
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, Polygon, box
from shapely.geometry.polygon import orient

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference_layers as ref_layers  # noqa: E402
from reference_layers import (  # noqa: E402
    DEFAULT_REFERENCE,
    check_reference,
    erhverv_polygon_at,
    simplified_outline,
)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "layers"

#: Seed of the only random stream.
SEED = 20230525
#: Coordinates are written rounded to this many decimals (0.01 m).
DECIMALS = 2
CRS_URN = "urn:ogc:def:crs:EPSG::25832"

_TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)


def utm(lat: float, lon: float) -> tuple[float, float]:
    """Project a WGS84 latitude/longitude to EPSG:25832 (x, y)."""
    x, y = _TO_UTM.transform(lon, lat)
    return (x, y)


# --------------------------------------------------------------------------
# Random stream (only ``random()`` is drawn, everything else is built on it)
# --------------------------------------------------------------------------


class Stream:
    """A seeded random stream with draws built on ``random.Random.random``."""

    def __init__(self, seed: int) -> None:
        self._r = random.Random(seed)

    def random(self) -> float:
        """Return a float in [0, 1)."""
        return self._r.random()

    def uniform(self, a: float, b: float) -> float:
        """Return a float in [a, b)."""
        return a + (b - a) * self._r.random()

    def integer(self, a: int, b: int) -> int:
        """Return an integer in [a, b]."""
        return min(b, a + int(self._r.random() * (b - a + 1)))

    def choice(self, seq: Sequence):
        """Return one element of ``seq``."""
        return seq[self.integer(0, len(seq) - 1)]

    def normal(self) -> float:
        """Return a standard normal draw (Box–Muller)."""
        u1 = self._r.random()
        u2 = self._r.random()
        return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)

    def shuffled(self, seq: Iterable) -> list:
        """Return the items of ``seq`` in random order (Fisher–Yates)."""
        items = list(seq)
        for i in range(len(items) - 1, 0, -1):
            j = self.integer(0, i)
            items[i], items[j] = items[j], items[i]
        return items

    def weighted_sample(self, items: Sequence, weights: Sequence[float], k: int) -> list:
        """Sample ``k`` items without replacement, probability proportional to weight."""
        keyed = []
        for idx, (item, w) in enumerate(zip(items, weights, strict=True)):
            u = max(self._r.random(), 1e-12)
            keyed.append((math.log(u) / w, idx, item))
        keyed.sort(key=lambda t: (-t[0], t[1]))
        return [item for _, _, item in keyed[:k]]


# --------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------


def rounded(geom):
    """Round a geometry's coordinates to :data:`DECIMALS` and check it stays valid."""
    out = shapely.set_precision(geom, 10**-DECIMALS, mode="pointwise")
    if out.geom_type in ("Polygon", "MultiPolygon"):
        out = orient_all(out)
        if not out.is_valid:
            msg = f"rounding made an invalid polygon: {shapely.is_valid_reason(out)}"
            raise RuntimeError(msg)
    return out


def orient_all(geom):
    """Orient polygon exteriors counter-clockwise (RFC 7946)."""
    if geom.geom_type == "Polygon":
        return orient(geom, 1.0)
    return MultiPolygon([orient(p, 1.0) for p in geom.geoms])


def shoelace(coords: Sequence[tuple[float, float]]) -> float:
    """Signed-free area of a ring given as a vertex list (closing vertex optional)."""
    pts = list(coords)
    if pts[0] == pts[-1]:
        pts = pts[:-1]
    s = 0.0
    for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1], strict=True):
        s += x1 * y2 - x2 * y1
    return abs(s) / 2.0


def blob(
    cx: float,
    cy: float,
    area_m2: float,
    stream: Stream,
    *,
    n: int = 11,
    jitter: float = 0.18,
    stretch: float = 1.0,
    angle_deg: float = 0.0,
) -> Polygon:
    """Return an irregular island outline of exactly ``area_m2`` around (cx, cy)."""
    radii = [1.0 + stream.uniform(-jitter, jitter) for _ in range(n)]
    a = math.radians(angle_deg)
    unit = []
    for i, r in enumerate(radii):
        t = 2.0 * math.pi * i / n
        x, y = r * math.cos(t) * stretch, r * math.sin(t) / stretch
        unit.append((x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a)))
    scale = math.sqrt(area_m2 / shoelace(unit))
    return Polygon([(cx + x * scale, cy + y * scale) for x, y in unit])


def slug(text: str) -> str:
    """ASCII slug of a Danish name (æ→ae, ø→oe, å→aa)."""
    table = {"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa"}
    text = "".join(table.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out = []
    for ch in text.lower():
        out.append(ch if ch.isalnum() else "-")
    s = "".join(out)
    while "--" in s:
        s = s.replace("--", "-")
    return s.strip("-")


# --------------------------------------------------------------------------
# Districts
# --------------------------------------------------------------------------

#: Lokalplan 518 "Erhvervsområdet Avedøre Holme" (2022, 301.1 ha), simplified to
#: 21 vertices (lat, lon) — from the project's domain facts.
AVEDOERE_HOLME_LATLON = [
    (55.61459, 12.49751),
    (55.60522, 12.49547),
    (55.60390, 12.49318),
    (55.60456, 12.48233),
    (55.60402, 12.48185),
    (55.60465, 12.48098),
    (55.60659, 12.45301),
    (55.60867, 12.45182),
    (55.60896, 12.44972),
    (55.61517, 12.45106),
    (55.61484, 12.45895),
    (55.61590, 12.46923),
    (55.61421, 12.46909),
    (55.61361, 12.47974),
    (55.61558, 12.47991),
    (55.61559, 12.48124),
    (55.61525, 12.48753),
    (55.61345, 12.48714),
    (55.61299, 12.49377),
    (55.61482, 12.49416),
    (55.61459, 12.49751),
]

#: Union of Hvidovre Lokalplan 232 ("Blandet byområde ved Gungevej og Arnold Nielsens
#: Boulevard"), H20 and H20 tillæg 1 ("Område ved Høvedstensvej, Arnold Nielsens Boulevard,
#: Biblioteksvej og Gungevej") from plandata.dk, closed by a 12 m buffer in and out and
#: simplified with a 3 m tolerance (EPSG:25832).
GUNGEVEJ_XY = [
    (718388.39, 6171612.4),
    (718378.85, 6171551.85),
    (718472.04, 6171574.28),
    (718474.09, 6171619.9),
    (718448.78, 6171613.88),
    (718432.45, 6171623.05),
    (718466.06, 6171771.89),
    (718523.98, 6171758.62),
    (718511.89, 6171704.54),
    (718527.83, 6171700.97),
    (718539.95, 6171755.2),
    (718549.97, 6171752.67),
    (718599.37, 6171953.88),
    (718463.86, 6171921.59),
    (718457.17, 6171899.04),
    (718440.69, 6171916.0),
    (718153.78, 6171847.75),
    (718168.05, 6171799.84),
    (718011.64, 6171762.47),
    (717992.53, 6171809.34),
    (717909.19, 6171789.45),
    (718019.87, 6171520.34),
    (718039.53, 6171478.53),
    (718054.51, 6171469.08),
    (718083.91, 6171477.0),
    (718258.13, 6171569.5),
    (718388.39, 6171612.4),
]

#: Hvidovre Lokalplan 407 ("For et bolig- og erhvervsområde i Avedøre", the area around
#: Tårnfalkevej and Strandskadevej) from plandata.dk, same processing as above.
TAARNFALKEVEJ_XY = [
    (718230.18, 6169531.44),
    (718228.65, 6169521.49),
    (718355.62, 6169259.7),
    (718443.93, 6169230.47),
    (718486.75, 6169100.99),
    (718482.86, 6169086.92),
    (718446.41, 6169091.04),
    (718442.03, 6169085.02),
    (718464.01, 6169027.02),
    (718476.92, 6168976.96),
    (718487.83, 6168875.0),
    (718767.73, 6168928.04),
    (718871.87, 6168935.66),
    (718872.41, 6168993.35),
    (718940.73, 6168991.4),
    (718902.3, 6169112.6),
    (718864.24, 6169101.47),
    (718836.76, 6169215.03),
    (718734.22, 6169538.28),
    (718731.05, 6169550.06),
    (718785.6, 6169559.6),
    (718752.29, 6169722.23),
    (718720.1, 6169752.23),
    (718667.23, 6169733.83),
    (718639.78, 6169801.26),
    (718542.23, 6169742.58),
    (718230.18, 6169531.44),
]

#: The Albertslund districts are GeoFA business land-use polygons (``Erhverv``), each
#: found by a point inside it (EPSG:25832) and simplified with a 1 m tolerance. Published
#: area beside the GeoFA polygon's own ``area_ha``.
ALBERTSLUND_GEOFA = {
    # district id: (x, y inside the polygon, published area in ha or None)
    "hersted-industripark": (712867.0, 6175827.0, 158.0),
    "vaerkstedskvarteret": (710129.0, 6173622.0, None),
    "roede-vejmoelle": (711550.0, 6173934.0, None),
    "albertslund-centrum": (710976.0, 6172943.0, None),
}
HERSTED_HA = 158.0

#: Hersted BIDs: the 2019 BID covers the east (by the light-rail stop), the 2020 BID the
#: south-west; they overlap in a strip and leave the north-west corner outside any BID.
HERSTED_BID_EAST = box(712640.0, 6174000.0, 714000.0, 6177000.0)
HERSTED_BID_WEST = box(711000.0, 6174000.0, 712840.0, 6176150.0)

#: Holmene: centres (x, y) of the nine illustrative islands; sizes vary ±15 %.
HOLMENE_ISLANDS = [
    (716500.0, 6166150.0),
    (717450.0, 6166180.0),
    (718400.0, 6166140.0),
    (719350.0, 6166170.0),
    (720300.0, 6166130.0),
    (716975.0, 6165300.0),
    (717925.0, 6165320.0),
    (718875.0, 6165290.0),
    (719825.0, 6165310.0),
]
#: Smallest channel between two islands.
HOLMENE_CHANNEL_M = 60.0
HOLMENE_HA = 320.0


def holmene_outline(stream: Stream) -> MultiPolygon:
    """Nine illustrative islands of 320 ha in all, south of Avedøre Holme."""
    weights = [stream.uniform(0.85, 1.15) for _ in HOLMENE_ISLANDS]
    total = sum(weights)
    parts = []
    for (cx, cy), w in zip(HOLMENE_ISLANDS, weights, strict=True):
        area = HOLMENE_HA * 10_000.0 * w / total
        parts.append(
            blob(
                cx,
                cy,
                area,
                stream,
                n=12,
                jitter=0.12,
                stretch=stream.uniform(1.0, 1.15),
                angle_deg=stream.uniform(-20.0, 20.0),
            )
        )
    for i, a in enumerate(parts):
        for b in parts[i + 1 :]:
            if a.distance(b) < HOLMENE_CHANNEL_M:
                msg = "two Holmene islands are closer than the minimum channel"
                raise RuntimeError(msg)
    return MultiPolygon(parts)


def with_cut_vertices(poly: Polygon, cuts: Sequence) -> Polygon:
    """Insert, as rounded vertices, the points where ``cuts`` cross the outline.

    A BID cut out of a district along these lines then has only vertices the
    district also has, so rounding cannot make it stick out of the district.
    """
    ring = list(poly.exterior.coords)[:-1]
    crossings = shapely.get_coordinates(
        shapely.intersection(poly.exterior, shapely.union_all(list(cuts)))
    )
    out = []
    for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
        out.append(a)
        seg = shapely.LineString([a, b])
        extra = [
            (round(x, DECIMALS), round(y, DECIMALS))
            for x, y in crossings
            if seg.distance(Point(x, y)) < 1e-6 and (x, y) != tuple(a) and (x, y) != tuple(b)
        ]
        extra.sort(key=lambda q: (q[0] - a[0]) ** 2 + (q[1] - a[1]) ** 2)
        out.extend(q for q in extra if q not in out)
    return Polygon(out)


def make_districts(stream: Stream, erhverv) -> list[dict]:
    """Return the district features (properties + shapely geometry).

    ``erhverv`` is GeoFA's business land use (EPSG:25832), from which the four
    Albertslund outlines are taken.
    """

    def geofa(did: str) -> Polygon:
        x, y, _ = ALBERTSLUND_GEOFA[did]
        return simplified_outline(erhverv_polygon_at(erhverv, x, y))

    avedoere = Polygon([utm(lat, lon) for lat, lon in AVEDOERE_HOLME_LATLON])
    strategy = "Albertslund Kommune, Erhvervsstrategi 2019–2024"
    rows = [
        dict(
            district_id="hersted-industripark",
            name="Hersted Industripark",
            municipality="Albertslund",
            status="existing",
            kind="industrial_park",
            source=f"{strategy} (158 ha); outline = the GeoFA business land-use polygon "
            "north-east of the town (157.6 ha), simplified",
            geometry=with_cut_vertices(
                geofa("hersted-industripark"),
                [HERSTED_BID_EAST.exterior, HERSTED_BID_WEST.exterior],
            ),
        ),
        dict(
            district_id="vaerkstedskvarteret",
            name="Værkstedskvarteret",
            municipality="Albertslund",
            status="existing",
            kind="crafts_and_workshops",
            source=f"{strategy} (about 50 firms, near the S-train station, direct access to "
            "Roskildevej, about 1 km to the motorway); outline = the GeoFA business land-use "
            "polygon west of Albertslund station, simplified",
            geometry=geofa("vaerkstedskvarteret"),
        ),
        dict(
            district_id="roede-vejmoelle",
            name="Røde Vejrmølle Industrikvarter",
            municipality="Albertslund",
            status="existing",
            kind="industrial",
            source=f"{strategy} (the Albertslund part of a business area continuing into "
            "Glostrup, Brøndby and Vallensbæk); outline = the GeoFA business land-use polygon "
            "east of Albertslund station, simplified",
            geometry=geofa("roede-vejmoelle"),
        ),
        dict(
            district_id="albertslund-centrum",
            name="Albertslund Centrum",
            municipality="Albertslund",
            status="existing",
            kind="retail_centre",
            source=f"{strategy} (retail centre next to the S-train station); outline = the "
            "GeoFA business land-use polygon south of the station, simplified",
            geometry=geofa("albertslund-centrum"),
        ),
        dict(
            district_id="avedoere-holme",
            name="Avedøre Holme",
            municipality="Hvidovre",
            status="existing",
            kind="business_area",
            source="Hvidovre Kommune, Lokalplan 518 Erhvervsområdet Avedøre Holme (2022, "
            "301.1 ha), outline simplified to 21 vertices",
            geometry=avedoere,
        ),
        dict(
            district_id="holmene",
            name="Holmene",
            municipality="Hvidovre",
            status="withdrawn",
            kind="business_islands_illustrative",
            source="Hvidovre Kommune, Erhvervs- og Vækststrategi 2020–2023, afrapportering "
            "2023 (nine islands, about 320 ha); withdrawn January 2025. ILLUSTRATIVE outline: "
            "no per-island layout was published",
            geometry=holmene_outline(stream),
        ),
        dict(
            district_id="gungevej",
            name="Gungevej/Høvedstensvej/Arnold Nielsens Boulevard",
            municipality="Hvidovre",
            status="existing",
            kind="mixed_use_transition",
            source="Hvidovre Kommune, afrapportering 2023 (re-zoned to mixed urban use in "
            "Kommuneplan 2021); outline from Lokalplan 232, H20 and H20 tillæg 1 "
            "(plandata.dk), simplified",
            geometry=Polygon(GUNGEVEJ_XY),
        ),
        dict(
            district_id="taarnfalkevej",
            name="Tårnfalkevej/Strandskadevej",
            municipality="Hvidovre",
            status="existing",
            kind="mixed_use_transition",
            source="Hvidovre Kommune, afrapportering 2023 (re-zoned to mixed urban use in "
            "Kommuneplan 2021); outline from Lokalplan 407 (plandata.dk), simplified",
            geometry=Polygon(TAARNFALKEVEJ_XY),
        ),
    ]
    for row in rows:
        row["geometry"] = self_clip_safe(rounded(row["geometry"]))
    return rows


def self_clip_safe(geom):
    """Start the ring where clipping the polygon by itself does not grow its area.

    A BID that is the whole district is clipped to the district by the analyses;
    in floating point that area can come out a few 1e-10 m² larger than the
    district's, a share of 1.0000000000000009. Rotating the ring's first vertex
    (the same polygon) avoids it; the first rotation that does is used.
    """
    if geom.geom_type != "Polygon" or geom.interiors:
        return geom
    ring = list(geom.exterior.coords)[:-1]
    for k in range(len(ring)):
        cand = Polygon(ring[k:] + ring[:k])
        if shapely.intersection(cand, cand).area <= cand.area:
            return cand
    return geom  # pragma: no cover - some rotation always works in practice


# --------------------------------------------------------------------------
# BIDs
# --------------------------------------------------------------------------


def make_bids(districts: dict[str, Polygon]) -> list[dict]:
    """Return the BID features."""
    hersted = districts["hersted-industripark"]
    rows = [
        dict(
            bid_id="bid-hersted-oest-2019",
            name="BID Hersted Industripark Øst",
            start="2019-07-01",
            end=None,
            invited=None,
            members=None,
            district_id="hersted-industripark",
            geometry=hersted.intersection(HERSTED_BID_EAST),
        ),
        dict(
            bid_id="bid-roede-vejmoelle-2019",
            name="BID Røde Vejrmølle Industrikvarter",
            start="2019-07-01",
            end=None,
            invited=None,
            members=None,
            district_id="roede-vejmoelle",
            geometry=districts["roede-vejmoelle"],
        ),
        dict(
            bid_id="bid-hersted-vest-2020",
            name="BID Hersted Industripark Vest",
            start="2020-07-01",
            end=None,
            invited=None,
            members=None,
            district_id="hersted-industripark",
            geometry=hersted.intersection(HERSTED_BID_WEST),
        ),
        dict(
            bid_id="bid-vaerkstedskvarteret-2020",
            name="BID Værkstedskvarteret",
            start="2020-07-01",
            end=None,
            invited=None,
            members=None,
            district_id="vaerkstedskvarteret",
            geometry=districts["vaerkstedskvarteret"],
        ),
        dict(
            bid_id="bid-avedoere-holme-2021",
            name="BID Avedøre Holme",
            start="2021-05-01",
            end="2023-12-31",
            invited=394,
            members=78,
            district_id="avedoere-holme",
            geometry=districts["avedoere-holme"],
        ),
    ]
    for row in rows:
        row["geometry"] = rounded(row["geometry"])
    return rows


# --------------------------------------------------------------------------
# Stops
# --------------------------------------------------------------------------

LIGHT_RAIL = "Hovedstadens Letbane"
STAGE1_OPENS = "2025-10-26"
#: Stage 2 (Rødovre Nord – Lundtofte) was due in summer 2026; the Rejseplanen GTFS feed
#: valid 2026-08-10 → 2026-11-04 lists all 29 stops, so the whole line is in the
#: timetable within that period. No source gives the opening day: ``opens`` is the
#: last day of that feed, the latest date by which the stops are certainly served
#: (an "in service by" date, as for the 500S stops).
STAGE2_OPENS: str | None = "2026-11-04"
STAGE2_NOTE = (
    "stage 2 (Rødovre Nord – Lundtofte); due summer 2026; listed in the Rejseplanen "
    "GTFS feed valid 2026-08-10 – 2026-11-04, so in service by 2026-11-04 at the latest "
    "(opening day not published)"
)
STAGE1_NOTE = "stage 1 (Ishøj – Rødovre Nord), opened 2025-10-26"
FEED = "Rejseplanen GTFS (feed valid 2026-08-10 – 2026-11-04)"
FEED_SOURCE = f"{FEED}, stop position as published"

#: S-train stations: name, Rejseplanen stop id, municipality, line.
S_TRAIN = [
    ("Albertslund st.", "8600621", "Albertslund", "S-tog (Høje Taastrup-banen)"),
    ("Glostrup st.", "8600622", "Glostrup", "S-tog (Høje Taastrup-banen)"),
    ("Brøndbyøster st.", "8600679", "Brøndby", "S-tog (Høje Taastrup-banen)"),
    ("Rødovre st.", "8600680", "Hvidovre", "S-tog (Høje Taastrup-banen)"),
    ("Hvidovre st.", "8600600", "Hvidovre", "S-tog (Høje Taastrup-banen)"),
    ("Åmarken st.", "8600763", "Hvidovre", "S-tog (Køge Bugt-banen)"),
    ("Friheden st.", "8600764", "Hvidovre", "S-tog (Køge Bugt-banen)"),
    ("Avedøre st.", "8600765", "Hvidovre", "S-tog (Køge Bugt-banen)"),
    ("Brøndby Strand st.", "8600766", "Brøndby", "S-tog (Køge Bugt-banen)"),
    ("Vallensbæk st.", "8600767", "Vallensbæk", "S-tog (Køge Bugt-banen)"),
    ("Ishøj st.", "8600768", "Ishøj", "S-tog (Køge Bugt-banen)"),
    ("København Syd st.", "8600783", "København", "S-tog (Køge Bugt-banen, Ringbanen)"),
]
S_TRAIN_NOTES = {
    "København Syd st.": "formerly Ny Ellebjerg st.; named København Syd in the Rejseplanen feed",
    "Rødovre st.": "lies inside Hvidovre Kommune",
}

#: The 29 light-rail stations north to south: name, municipality, stage, Rejseplanen id.
#: The feed names 8603428 "Akademivej - DTU" like 8603427; by its position (between
#: Akademivej and Rævehøjvej, in the operator's order) it is Anker Engelunds Vej – DTU.
LIGHT_RAIL_STATIONS = [
    ("Lundtofte", "Lyngby-Taarbæk", 2, "8603430"),
    ("Rævehøjvej", "Lyngby-Taarbæk", 2, "8603429"),
    ("Anker Engelunds Vej – DTU", "Lyngby-Taarbæk", 2, "8603428"),
    ("Akademivej – DTU", "Lyngby-Taarbæk", 2, "8603427"),
    ("Fortunbyen", "Lyngby-Taarbæk", 2, "8603425"),
    ("Lyngby Centrum", "Lyngby-Taarbæk", 2, "8603424"),
    ("Lyngby st.", "Lyngby-Taarbæk", 2, "8603423"),
    ("Gammelmosevej", "Gladsaxe", 2, "8603422"),
    ("Buddinge st.", "Gladsaxe", 2, "8603421"),
    ("Gladsaxe Rådhus", "Gladsaxe", 2, "8603420"),
    ("Gladsaxevej", "Gladsaxe", 2, "8603419"),
    ("Gladsaxe Trafikplads", "Gladsaxe", 2, "8603418"),
    ("Dynamovej", "Gladsaxe", 2, "8603417"),
    ("Herlev Hospital", "Herlev", 2, "8603416"),
    ("Herlev Bymidte", "Herlev", 2, "8603415"),
    ("Herlev st.", "Herlev", 2, "8603414"),
    ("Herlev Syd", "Herlev", 2, "8603413"),
    ("Rødovre Nord", "Rødovre", 1, "8603412"),
    ("Glostrup Ejby", "Glostrup", 1, "8603411"),
    ("Glostrup Nord (– Hersted)", "Glostrup", 1, "8603410"),
    ("Glostrup Hospital – Rigshospitalet", "Glostrup", 1, "8603409"),
    ("Glostrup st.", "Glostrup", 1, "8603408"),
    ("Kirkebjerg", "Brøndby", 1, "8603407"),
    ("Brøndbyvester", "Brøndby", 1, "8603406"),
    ("Delta Park", "Vallensbæk", 1, "8603405"),
    ("Vallensbæk st.", "Vallensbæk", 1, "8603404"),
    ("Strandhaven", "Vallensbæk", 1, "8603403"),
    ("Ishøj Strand – Arken", "Ishøj", 1, "8603402"),
    ("Ishøj st.", "Ishøj", 1, "8603401"),
]
NAME_SLIP = {"8603428": "Anker Engelunds Vej – DTU"}
#: Light-rail stop -> S-train station it shares a name with (interchange).
INTERCHANGES = {"Glostrup st.": "8600622", "Vallensbæk st.": "8600767", "Ishøj st.": "8600768"}

METRO_LINE = "Metro Ny Ellebjerg – Hvidovre Hospital – Rødovre (forundersøgelse)"
#: Hvidovre Hospital: representative point of Lokalplan 229 "Hvidovre Hospital".
METRO_STUDY = [
    (
        "Hvidovre Hospital",
        "Hvidovre",
        ("xy", 718087.68, 6172415.45),
        "space reserved for a station; site = the hospital's local-plan area (Lokalplan 229)",
    ),
    (
        "Rødovre Centrum",
        "Rødovre",
        ("ll", 55.6798, 12.4575),
        "studied alignment; no fixed station site",
    ),
    (
        "Rødovre st.",
        "Hvidovre",
        ("s", "8600680", 60.0, 180.0),
        "studied alignment; no fixed station site; beside the S-train station",
    ),
]

#: Bus stops on Avedøre Holme and in Hersted Industripark, digitised approximately.
UPGRADE_NOTE = "station-like stop of the 500S +Way upgrade, reported in service by 2025-10-21"
BUS_STOPS = [
    # name, mode, status, opens, line, municipality, x, y, note
    (
        "Avedøre Havnevej/Stamholmen (mod Glostrup st.)",
        "bus",
        "existing",
        "2025-10-21",
        "500S",
        "Hvidovre",
        718770.0,
        6168540.0,
        UPGRADE_NOTE + "; new stop at the roundabout",
    ),
    (
        "Avedøre Havnevej/Stamholmen (mod Ørestad st.)",
        "bus",
        "existing",
        "2025-10-21",
        "500S",
        "Hvidovre",
        718850.0,
        6168525.0,
        UPGRADE_NOTE + "; new stop at the roundabout",
    ),
    (
        "CPH Business Park",
        "bus",
        "existing",
        "2025-10-21",
        "500S",
        "Hvidovre",
        718700.0,
        6168560.0,
        UPGRADE_NOTE,
    ),
    (
        "Stamholmen/Hammerholmen",
        "bus",
        "existing",
        None,
        "200S",
        "Hvidovre",
        719380.0,
        6168470.0,
        "weekday daytime service Friheden – Avedøre Holme",
    ),
    (
        "Jernholmen",
        "bus",
        "existing",
        None,
        "200S",
        "Hvidovre",
        719820.0,
        6168180.0,
        "weekday daytime service Friheden – Avedøre Holme",
    ),
    (
        "Industriholmen",
        "bus",
        "existing",
        None,
        "200S",
        "Hvidovre",
        718180.0,
        6168300.0,
        "weekday daytime service Friheden – Avedøre Holme; 500S garage on Industriholmen",
    ),
    (
        "Hammerholmen Syd",
        "bus",
        "existing",
        None,
        "200S",
        "Hvidovre",
        719400.0,
        6167850.0,
        "weekday daytime service Friheden – Avedøre Holme",
    ),
    (
        "Stamholmen/Hammerholmen (BRT)",
        "brt",
        "planned",
        None,
        "200S BRT",
        "Hvidovre",
        719400.0,
        6168490.0,
        "planned high-class bus replacing 200S; preliminary state approval, "
        "no date; stop position illustrative",
    ),
    (
        "Avedøre Havnevej/Stamholmen (BRT)",
        "brt",
        "planned",
        None,
        "200S BRT",
        "Hvidovre",
        718810.0,
        6168560.0,
        "planned high-class bus replacing 200S; preliminary state approval, "
        "no date; stop position illustrative",
    ),
    (
        "Naverland",
        "bus",
        "existing",
        None,
        None,
        "Albertslund",
        713050.0,
        6175800.0,
        "Hersted Industripark; position approximate, line not recorded",
    ),
    (
        "Fabriksparken",
        "bus",
        "existing",
        None,
        None,
        "Albertslund",
        712450.0,
        6175700.0,
        "Hersted Industripark; position approximate, line not recorded",
    ),
    (
        "Herstedvang",
        "bus",
        "existing",
        None,
        None,
        "Albertslund",
        712150.0,
        6176150.0,
        "Hersted Industripark; position approximate, line not recorded",
    ),
    (
        "Herstedøstervej",
        "bus",
        "existing",
        None,
        None,
        "Albertslund",
        712700.0,
        6176300.0,
        "Hersted Industripark; position approximate, line not recorded",
    ),
]


def _offset(x: float, y: float, distance_m: float, bearing_deg: float) -> tuple[float, float]:
    """Point at ``distance_m`` from (x, y) on a compass bearing (0 = north, 90 = east)."""
    b = math.radians(bearing_deg)
    return (x + distance_m * math.sin(b), y + distance_m * math.cos(b))


#: Where the metro study sites come from.
METRO_SOURCE = {
    "Hvidovre Hospital": "approximate: representative point of Lokalplan 229 (no station site "
    "fixed)",
    "Rødovre Centrum": "approximate: read off a map (no station site fixed)",
    "Rødovre st.": "approximate: 60 m south of the Rejseplanen position of Rødovre st. (no "
    "station site fixed)",
}
BUS_SOURCE = "approximate: placed by hand on the street named (no stop position source)"
BRT_SOURCE = "illustrative: no stop sites published"


def make_stops(feed: dict) -> list[dict]:
    """Return the stop features; rail positions come from the Rejseplanen feed ``feed``."""

    def xy(stop_id: str) -> tuple[float, float]:
        return (feed[stop_id].x, feed[stop_id].y)

    def position(spec) -> tuple[float, float]:
        if spec[0] == "ll":
            return utm(spec[1], spec[2])
        if spec[0] == "xy":
            return (spec[1], spec[2])
        x, y = xy(spec[1])
        return _offset(x, y, spec[2], spec[3])

    rows = []
    for name, municipality, stage, gtfs in LIGHT_RAIL_STATIONS:
        x, y = xy(gtfs)
        note = STAGE1_NOTE if stage == 1 else STAGE2_NOTE
        if name in INTERCHANGES:
            metres = math.dist((x, y), xy(INTERCHANGES[name]))
            note += f"; {metres:.0f} m from the S-train station"
        source = FEED_SOURCE
        if gtfs in NAME_SLIP:
            source += f"; the feed names it {feed[gtfs].feed_name!r}, by position it is {name}"
        rows.append(
            dict(
                stop_id=f"lr-{slug(name)}",
                name=name,
                mode="light_rail",
                status="existing" if stage == 1 or STAGE2_OPENS else "planned",
                opens=STAGE1_OPENS if stage == 1 else STAGE2_OPENS,
                line=LIGHT_RAIL,
                municipality=municipality,
                note=note,
                gtfs_stop_id=gtfs,
                position_source=source,
                fingerplan_station=True,
                geometry=Point(x, y),
            )
        )
    for name, gtfs, municipality, line in S_TRAIN:
        rows.append(
            dict(
                stop_id=f"st-{slug(name)}",
                name=name,
                mode="s_train",
                status="existing",
                opens=None,
                line=line,
                municipality=municipality,
                note=S_TRAIN_NOTES.get(name),
                gtfs_stop_id=gtfs,
                position_source=FEED_SOURCE,
                fingerplan_station=True,
                geometry=Point(*xy(gtfs)),
            )
        )
    for name, municipality, spec, note in METRO_STUDY:
        rows.append(
            dict(
                stop_id=f"metro-{slug(name)}",
                name=name,
                mode="metro",
                status="study",
                opens=None,
                line=METRO_LINE,
                municipality=municipality,
                note=note,
                gtfs_stop_id=None,
                position_source=METRO_SOURCE[name],
                fingerplan_station=True,
                geometry=Point(*position(spec)),
            )
        )
    for name, mode, status, opens, line, municipality, x, y, note in BUS_STOPS:
        prefix = f"{mode}-{slug(line.removesuffix(' BRT'))}" if line else mode
        rows.append(
            dict(
                stop_id=f"{prefix}-{slug(name.removesuffix(' (BRT)'))}",
                name=name,
                mode=mode,
                status=status,
                opens=opens,
                line=line,
                municipality=municipality,
                note=note,
                gtfs_stop_id=None,
                position_source=BRT_SOURCE if mode == "brt" else BUS_SOURCE,
                fingerplan_station=False,
                geometry=Point(x, y),
            )
        )
    for row in rows:
        row["geometry"] = rounded(row["geometry"])
    return rows


# --------------------------------------------------------------------------
# Rewilding
# --------------------------------------------------------------------------

REWILDED_HA = 15.0
MUNICIPALITY_OWNER = "Hvidovre Kommune"
N_FIRM_OWNERS = 19
DATES_2022 = ["2022-04-20", "2022-05-03", "2022-05-17", "2022-09-13", "2022-10-04"]
DATES_2023 = ["2023-04-18", "2023-05-02", "2023-05-23", "2023-09-12", "2023-10-03"]
FIRM_HABITATS = [
    "wildflower meadow",
    "fallow grassland",
    "tree and shrub planting",
    "sown verge",
    "wildflower meadow",
]

#: Municipal plots (designed): name tag, habitat, established, rectangle.
MUNICIPAL_PLOTS = [
    ("stamholmen-verge", "sown verge", "2022-04-20", (717420.0, 6168515.0, 718700.0, 6168535.0)),
    ("havnevej-verge", "sown verge", "2022-05-03", (718830.0, 6167700.0, 718855.0, 6168480.0)),
    ("west-fallow", "fallow grassland", "2023-04-18", (717360.0, 6168050.0, 717480.0, 6168130.0)),
]
#: Designed overlaps: a firm plot reaching 10 m into the Stamholmen verge, and two
#: neighbouring firm plots sharing a 10 m strip.
OVERLAP_PLOTS = [
    ("2023-05-02", "wildflower meadow", (718100.0, 6168440.0, 718160.0, 6168525.0)),
    ("2022-05-17", "wildflower meadow", (719700.0, 6167900.0, 719790.0, 6167990.0)),
    ("2023-09-12", "tree and shrub planting", (719780.0, 6167930.0, 719860.0, 6168010.0)),
]
#: The plot whose height is solved for so the union is exactly 15.0 ha.
CALIBRATION_ANCHOR = (717600.0, 6167800.0, 100.0)  # x0, y0, width
CALIBRATION_RESERVE = box(717600.0, 6167800.0, 717700.0, 6167950.0)
CALIBRATION_TARGET_M = 75.0  # planned height; the solved height differs by rounding only


def make_rewilding(district: Polygon, owners: list[str], stream: Stream) -> list[dict]:
    """Return the rewilding plots on Avedøre Holme: 15.0 ha of union area."""
    inner = district.buffer(-15.0)
    plots: list[dict] = []
    for tag, habitat, date, rect in MUNICIPAL_PLOTS:
        plots.append(
            dict(
                owner=MUNICIPALITY_OWNER,
                habitat=habitat,
                established=date,
                geometry=box(*rect),
                tag=tag,
            )
        )
    firm_cycle = list(owners)
    for i, (date, habitat, rect) in enumerate(OVERLAP_PLOTS):
        plots.append(
            dict(
                owner=firm_cycle[i],
                habitat=habitat,
                established=date,
                geometry=box(*rect),
                tag="overlap",
            )
        )
    # one plot for each remaining owner, plus a second plot for some owners
    remaining = firm_cycle[len(OVERLAP_PLOTS) : -1]  # the last owner gets the calibration plot
    seconds = stream.shuffled(firm_cycle[:-1])[:6]
    targets = remaining + seconds
    taken = [p["geometry"] for p in plots] + [CALIBRATION_RESERVE]
    # the random plots share what the designed plots and the calibration plot leave
    designed = shapely.union_all([p["geometry"] for p in plots]).area
    x0, y0, w = CALIBRATION_ANCHOR
    budget = REWILDED_HA * 10_000.0 - designed - CALIBRATION_TARGET_M * w
    raw = [stream.uniform(0.5, 1.8) for _ in targets]
    areas_m2 = [r * budget / sum(raw) for r in raw]
    xmin, ymin, xmax, ymax = inner.bounds
    for owner, area in zip(targets, areas_m2, strict=True):
        aspect = stream.uniform(0.5, 2.2)
        pw = math.sqrt(area * aspect)
        ph = area / pw
        for _ in range(5000):
            px = stream.uniform(xmin, xmax - pw)
            py = stream.uniform(ymin, ymax - ph)
            cand = box(px, py, px + pw, py + ph)
            if not inner.contains(cand):
                continue
            if any(cand.distance(t) < 12.0 for t in taken):
                continue
            break
        else:  # pragma: no cover - the layout has plenty of room
            msg = f"no room for a rewilding plot of {area:.0f} m²"
            raise RuntimeError(msg)
        taken.append(cand)
        year = 2022 if stream.random() < 0.5 else 2023
        plots.append(
            dict(
                owner=owner,
                habitat=stream.choice(FIRM_HABITATS),
                established=stream.choice(DATES_2022 if year == 2022 else DATES_2023),
                geometry=cand,
                tag="firm",
            )
        )
    # calibration plot: solve its height so that the union is exactly 15.0 ha
    union_rest = shapely.union_all([rounded(p["geometry"]) for p in plots]).area
    h = round((REWILDED_HA * 10_000.0 - union_rest) / w, DECIMALS)
    calib = box(x0, y0, x0 + w, y0 + h)
    if not (inner.contains(calib) and CALIBRATION_RESERVE.contains(calib)):
        msg = f"the calibration plot ({h:.1f} m high) does not fit its reserve"
        raise RuntimeError(msg)
    plots.append(
        dict(
            owner=firm_cycle[-1],
            habitat="wildflower meadow",
            established="2023-05-23",
            geometry=calib,
            tag="calibration",
        )
    )

    # survey: the 100 m² "wild" sample plot with 105 species lies in the first 2022 firm
    # meadow; the nearby lawn (2 species) is not rewilded and is recorded on the same row
    survey_idx = next(
        i
        for i, p in enumerate(plots)
        if p["tag"] == "firm"
        and p["established"].startswith("2022")
        and p["habitat"] == "wildflower meadow"
    )
    rows = []
    order = sorted(range(len(plots)), key=lambda i: (plots[i]["established"], i))
    counters = {"2022": 0, "2023": 0}
    for i in order:
        p = plots[i]
        year = p["established"][:4]
        counters[year] += 1
        survey = i == survey_idx
        rows.append(
            dict(
                plot_id=f"rw-{year}-{counters[year]:02d}",
                established=p["established"],
                owner=p["owner"],
                species_count=105 if survey else None,
                survey_area_m2=100.0 if survey else None,
                habitat="wild meadow (survey plot)" if survey else p["habitat"],
                reference_habitat="nearby lawn (not rewilded)" if survey else None,
                reference_species_count=2 if survey else None,
                geometry=rounded(p["geometry"]),
            )
        )
    return rows


# --------------------------------------------------------------------------
# Companies
# --------------------------------------------------------------------------

SURNAMES = [
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Knudsen",
    "Jakobsen",
    "Mikkelsen",
    "Frederiksen",
    "Lund",
    "Holm",
    "Schmidt",
    "Eriksen",
    "Simonsen",
    "Clausen",
    "Svendsen",
    "Andreasen",
    "Iversen",
    "Østergaard",
    "Jeppesen",
    "Vestergaard",
    "Nissen",
    "Lauridsen",
    "Kjær",
    "Dahl",
    "Bæk",
    "Skov",
    "Brandt",
    "Søndergaard",
    "Højgaard",
    "Kjærgaard",
    "Thygesen",
    "Bøgh",
    "Grønbæk",
    "Ravn",
    "Buch",
    "Lykke",
    "Mølgaard",
    "Frandsen",
    "Dam",
    "Krogh",
    "Bech",
    "Winther",
    "Skovgaard",
    "Nørgaard",
    "Hedegaard",
    "Bjørn",
    "Friis",
    "Lønborg",
    "Sønderby",
    "Kaas",
    "Yilmaz",
    "Demir",
    "Hussein",
]
GIVEN = [
    "Lone",
    "Mette",
    "Hanne",
    "Søren",
    "Jørgen",
    "Anja",
    "Bjørn",
    "Tove",
    "Ulla",
    "Kåre",
    "Grethe",
    "Ahmed",
    "Fatma",
    "Mehmet",
    "Nadia",
    "Yasmin",
    "Bo",
    "Mads",
    "Line",
    "Ida",
]

INDUSTRIAL = [
    ("Logistik", "transport and logistics"),
    ("Transport", "transport and logistics"),
    ("Vognmandsforretning", "transport and logistics"),
    ("Spedition", "transport and logistics"),
    ("Lager og Distribution", "transport and logistics"),
    ("Kurérservice", "transport and logistics"),
    ("Engros", "wholesale"),
    ("Import", "wholesale"),
    ("Emballage", "wholesale"),
    ("Fødevareengros", "wholesale"),
    ("Byggevarer", "wholesale"),
    ("Værktøj", "wholesale"),
    ("Maskinfabrik", "manufacturing"),
    ("Stålmontage", "manufacturing"),
    ("Plastindustri", "manufacturing"),
    ("Trykkeri", "manufacturing"),
    ("Betonvarer", "manufacturing"),
    ("Fødevarer", "manufacturing"),
    ("Elektronik", "manufacturing"),
    ("Skiltefabrik", "manufacturing"),
    ("Entreprenør", "construction"),
    ("Anlæg", "construction"),
    ("El-installation", "construction"),
    ("VVS", "construction"),
    ("Ventilation", "construction"),
    ("Tagdækning", "construction"),
    ("Stilladser", "construction"),
    ("Kran- og Liftudlejning", "construction"),
    ("Autoværksted", "motor trade and repair"),
    ("Karrosseri", "motor trade and repair"),
    ("Dækcenter", "motor trade and repair"),
    ("Lastvognsservice", "motor trade and repair"),
    ("Genbrug", "waste and recycling"),
    ("Miljøservice", "waste and recycling"),
    ("Rengøring", "business services"),
    ("Ejendomsservice", "business services"),
    ("IT-service", "business services"),
    ("Rådgivning", "business services"),
    ("Ingeniørfirma", "business services"),
    ("Laboratorium", "business services"),
    ("Vikarservice", "business services"),
    ("Energi", "energy and utilities"),
    ("Solcelleservice", "energy and utilities"),
]
CRAFTS = [
    ("Tømrer- og Snedkerfirma", "construction"),
    ("Murerfirma", "construction"),
    ("Malerfirma", "construction"),
    ("VVS", "construction"),
    ("El-service", "construction"),
    ("Smedie", "manufacturing"),
    ("Maskinværksted", "manufacturing"),
    ("Autoværksted", "motor trade and repair"),
    ("Glas og Facader", "construction"),
    ("Gulvservice", "construction"),
    ("Blikkenslager", "construction"),
    ("Møbelpolstring", "manufacturing"),
    ("Lager", "transport and logistics"),
    ("Flyttefirma", "transport and logistics"),
    ("Skilte og Reklame", "manufacturing"),
    ("Cykelværksted", "motor trade and repair"),
    ("Låsesmed", "construction"),
    ("Anlægsgartner", "construction"),
    ("Kurérservice", "transport and logistics"),
]
RETAIL = [
    ("Optik", "retail"),
    ("Frisør", "personal services"),
    ("Boghandel", "retail"),
    ("Tandlæge", "health"),
    ("Fysioterapi", "health"),
    ("Blomster", "retail"),
    ("Sko", "retail"),
    ("Tøj", "retail"),
    ("Pizzeria", "hospitality"),
    ("Café", "hospitality"),
    ("Bageri", "retail"),
    ("Revision", "business services"),
    ("Ejendomsmægler", "business services"),
    ("Advokatkontor", "business services"),
    ("Guld og Ure", "retail"),
    ("Helsekost", "retail"),
    ("Kiosk", "retail"),
    ("Skrædderi", "personal services"),
    ("Fodterapi", "health"),
    ("Grillbar", "hospitality"),
]

#: Sector mix (share of firms) in the Albertslund industrial districts, leaning on the
#: IRIS Group profile: trade and transport dominate, little manufacturing.
ALBERTSLUND_SECTORS = {
    "transport and logistics": 0.22,
    "wholesale": 0.22,
    "construction": 0.17,
    "business services": 0.15,
    "motor trade and repair": 0.10,
    "manufacturing": 0.04,
    "waste and recycling": 0.03,
    "energy and utilities": 0.02,
}
AVEDOERE_SECTORS = {
    "transport and logistics": 0.20,
    "wholesale": 0.18,
    "manufacturing": 0.15,
    "construction": 0.15,
    "business services": 0.12,
    "motor trade and repair": 0.08,
    "waste and recycling": 0.07,
    "energy and utilities": 0.05,
}

#: Per district: count, total employees, trades (and sector mix), place stems, streets,
#: postcode.
DISTRICT_FIRMS = {
    "avedoere-holme": dict(
        n=394,
        jobs=9000,
        trades=INDUSTRIAL,
        sectors=AVEDOERE_SECTORS,
        places=[
            "Avedøre",
            "Holme",
            "Hvidovre",
            "Køge Bugt",
            "Kalvebod",
            "Amager",
            "Øresund",
            "Vestegnens",
            "Sjællands",
            "Nordisk",
            "Dansk",
            "Havne",
        ],
        streets=["Stamholmen", "Hammerholmen", "Industriholmen", "Jernholmen", "Avedøre Havnevej"],
        postcode="2650 Hvidovre",
    ),
    "hersted-industripark": dict(
        n=405,
        jobs=6000,
        trades=INDUSTRIAL,
        sectors=ALBERTSLUND_SECTORS,
        places=[
            "Hersted",
            "Herstedøster",
            "Albertslund",
            "Glostrup",
            "Vestegnens",
            "Ring 3",
            "Sjællands",
            "Nordisk",
            "Dansk",
            "Vestskov",
        ],
        streets=[
            ("Naverland", "2600 Glostrup"),
            ("Fabriksparken", "2600 Glostrup"),
            ("Herstedvang", "2620 Albertslund"),
            ("Herstedøstervej", "2620 Albertslund"),
        ],
        postcode=None,
    ),
    "vaerkstedskvarteret": dict(
        n=50,
        jobs=620,
        trades=CRAFTS,
        places=["Albertslund", "Vestegnens", "Risby", "Vridsløse", "Stations"],
        streets=["Værkstedskvarteret"],
        postcode="2620 Albertslund",
    ),
    "roede-vejmoelle": dict(
        n=95,
        jobs=2600,
        trades=INDUSTRIAL,
        sectors=ALBERTSLUND_SECTORS,
        places=["Røde Mølle", "Vridsløse", "Albertslund", "Kongsholm", "Vestegnens", "Store Vejle"],
        streets=["Roskildevej", "Røde Vejrmølle Industrikvarter"],
        postcode="2620 Albertslund",
    ),
    "albertslund-centrum": dict(
        n=48,
        jobs=640,
        trades=RETAIL,
        places=["Centrum", "Albertslund", "Torvets", "Stationens"],
        streets=["Albertslund Centrum"],
        postcode="2620 Albertslund",
    ),
    "gungevej": dict(
        n=36,
        jobs=380,
        trades=CRAFTS,
        places=["Hvidovre", "Risbjerg", "Gunge", "Bredalsparkens"],
        streets=["Gungevej", "Høvedstensvej", "Arnold Nielsens Boulevard"],
        postcode="2650 Hvidovre",
    ),
    "taarnfalkevej": dict(
        n=30,
        jobs=340,
        trades=CRAFTS,
        places=["Avedøre", "Friheden", "Hvidovre", "Strandhavens"],
        streets=["Tårnfalkevej", "Strandskadevej"],
        postcode="2650 Hvidovre",
    ),
}
#: Firms outside every district (x, y, street, postcode, municipality).
OUTSIDE_FIRMS = [
    (709850.0, 6174500.0, "Herstedvestervej", "2620 Albertslund"),
    (710300.0, 6175700.0, "Herstedvestervej", "2620 Albertslund"),
    (710050.0, 6172600.0, "Albertslund Syd", "2620 Albertslund"),
    (711500.0, 6174700.0, "Albertslund Nord", "2620 Albertslund"),
    (718560.0, 6173900.0, "Hvidovrevej", "2650 Hvidovre"),
    (719300.0, 6171300.0, "Hvidovrevej", "2650 Hvidovre"),
    (717800.0, 6170500.0, "Avedøre Stationsby", "2650 Hvidovre"),
    (719350.0, 6170100.0, "Friheden", "2650 Hvidovre"),
]

NAMED = "named in the source; attributes synthetic"
#: Firms named as examples by the Albertslund strategy (names and districts are facts;
#: ids, employees, addresses, sectors and positions are synthetic).
NAMED_FIRMS = {
    "hersted-industripark": [
        ("Colas Danmark", 220, "construction"),
        ("Keolis Bus Danmark", 350, "transport and logistics"),
        ("FTZ Autodele & Værktøj", 280, "wholesale"),
    ],
    "vaerkstedskvarteret": [
        ("G4S", 110, "business services"),
        ("Brdr. Klee", 70, "wholesale"),
        ("Malerflex Industrilakering", 18, "manufacturing"),
        ("Albertslund Kommune, Materialegården", 45, "public administration"),
        ("Albertslund Genbrugsstation", 8, "waste and recycling"),
    ],
    "roede-vejmoelle": [
        ("COOP Danmark", 900, "wholesale"),
        ("A.O. Johansen", 320, "wholesale"),
        ("Fritz Schur Teknik", 60, "wholesale"),
    ],
    "albertslund-centrum": [
        ("Føtex", 95, "retail"),
        ("Kvickly", 110, "retail"),
        ("Cafe Felix", 9, "hospitality"),
    ],
}
#: Share of firms inside an active Albertslund BID recorded as BID members.
ALBERTSLUND_MEMBER_SHARE = 0.2
AVEDOERE_MEMBERS = 78


def _pick_trade(trades, weights: dict[str, float] | None, stream: Stream) -> tuple[str, str]:
    """Return a (trade, sector) pair: a sector drawn by weight, then one of its trades."""
    if not weights:
        return stream.choice(trades)
    u = stream.random() * sum(weights.values())
    chosen = ""
    for sector, w in weights.items():
        chosen = sector
        u -= w
        if u <= 0:
            break
    return stream.choice([t for t in trades if t[1] == chosen])


def _firm_name(
    trades, places, stream: Stream, used: set[str], weights: dict[str, float] | None = None
) -> tuple[str, str]:
    """Return a unique, plausible Danish firm name and its sector."""
    for _ in range(1000):
        trade, sector = _pick_trade(trades, weights, stream)
        sur = stream.choice(SURNAMES)
        pattern = stream.random()
        if trades is RETAIL:
            if pattern < 0.35:
                name = f"{stream.choice(GIVEN)}s {trade}"
            elif pattern < 0.6:
                name = f"{stream.choice(places)} {trade}"
            elif pattern < 0.8:
                name = f"{trade} {sur}"
            else:
                name = f"{sur}s {trade}" if not sur.endswith(("s", "z")) else f"{sur} {trade}"
        elif pattern < 0.32:
            name = f"{sur} {trade} {'ApS' if stream.random() < 0.75 else 'A/S'}"
        elif pattern < 0.52:
            name = f"{stream.choice(places)} {trade} {'A/S' if stream.random() < 0.5 else 'ApS'}"
        elif pattern < 0.62:
            name = f"{sur} & Søn {trade}"
        elif pattern < 0.70:
            name = f"Brdr. {sur} {trade}"
        elif pattern < 0.78:
            other = stream.choice(SURNAMES)
            if other == sur:
                continue
            name = f"{sur} & {other} {trade} I/S"
        elif pattern < 0.90:
            name = f"{sur}s {trade}" if not sur.endswith(("s", "z")) else f"{sur} {trade}"
        else:
            name = f"{stream.choice(places)} {trade}"
        if name not in used:
            used.add(name)
            return name, sector
    msg = "could not find a unique firm name"  # pragma: no cover
    raise RuntimeError(msg)


def _employees(n: int, total: int, fixed: list[int], stream: Stream) -> list[int]:
    """``n`` firm sizes (the first ``len(fixed)`` given) summing exactly to ``total``."""
    free = n - len(fixed)
    raw = [math.exp(1.9 + 1.15 * stream.normal()) for _ in range(free)]
    rest = total - sum(fixed)
    scale = rest / sum(raw)
    sizes = [max(1, round(r * scale)) for r in raw]
    diff = rest - sum(sizes)
    order = sorted(range(free), key=lambda i: (-sizes[i], i))
    k = 0
    while diff != 0:
        i = order[k % free]
        step = 1 if diff > 0 else -1
        if sizes[i] + step >= 1:
            sizes[i] += step
            diff -= step
        k += 1
    return list(fixed) + sizes


def _point_in(poly, stream: Stream, avoid=None, near: Polygon | None = None) -> Point:
    """Return a random point strictly inside ``poly``, outside ``avoid``, near ``near``."""
    xmin, ymin, xmax, ymax = poly.bounds
    if near is not None:
        nx0, ny0, nx1, ny1 = near.buffer(150.0).bounds
        xmin, ymin, xmax, ymax = max(xmin, nx0), max(ymin, ny0), min(xmax, nx1), min(ymax, ny1)
    for _ in range(20000):
        x = round(stream.uniform(xmin, xmax), DECIMALS)
        y = round(stream.uniform(ymin, ymax), DECIMALS)
        if not shapely.contains_xy(poly, x, y):
            continue
        if avoid is not None and shapely.intersects_xy(avoid, x, y):
            continue
        return Point(x, y)
    msg = "could not place a point"  # pragma: no cover
    raise RuntimeError(msg)


#: Firms are placed at most this far (straight line) from an edge of the walking network.
FIRM_MAX_NETWORK_M = 100.0
#: Firms are placed at least this far inside their district.
FIRM_INSET_M = 10.0


def placement_areas(districts: dict[str, Polygon], business, water, network: list) -> dict:
    """Where each district's firms may stand.

    Inside the district by :data:`FIRM_INSET_M`; on GeoFA business land use where the
    district has at least 1 ha of it; never in water (lakes, sea); within
    :data:`FIRM_MAX_NETWORK_M` of the walking network.
    """
    geoms = shapely.STRtree(network)
    out = {}
    for did in DISTRICT_FIRMS:
        inner = districts[did].buffer(-FIRM_INSET_M)
        on_business = inner.intersection(business)
        area = on_business if on_business.area >= 10_000.0 else inner
        area = area.difference(water)
        idx = geoms.query(area.buffer(FIRM_MAX_NETWORK_M), predicate="intersects")
        near = shapely.union_all(
            shapely.buffer(np.asarray(network, dtype=object)[idx], FIRM_MAX_NETWORK_M)
        )
        out[did] = shapely.make_valid(area.intersection(near))
    return out


def make_companies(districts: dict[str, Polygon], bids: list[dict], stream: Stream, areas: dict):
    """Return (company rows, rewilding rows); firms stand in ``areas`` (by district)."""
    used: set[str] = {n for firms in NAMED_FIRMS.values() for n, _, _ in firms}
    next_id = [104000]

    def new_id() -> str:
        next_id[0] += stream.integer(3, 97)
        return f"{next_id[0]:08d}"

    records: dict[str, list[dict]] = {}
    for did, spec in DISTRICT_FIRMS.items():
        named = NAMED_FIRMS.get(did, [])
        sizes = _employees(spec["n"], spec["jobs"], [e for _, e, _ in named], stream)
        firms = []
        for i in range(spec["n"]):
            if i < len(named):
                name, _, sector = named[i]
                origin = NAMED
            else:
                name, sector = _firm_name(
                    spec["trades"], spec["places"], stream, used, spec.get("sectors")
                )
                origin = "synthetic"
            street = stream.choice(spec["streets"])
            if isinstance(street, tuple):
                street, postcode = street
            else:
                postcode = spec["postcode"]
            firms.append(
                dict(
                    name=name,
                    employees=sizes[i],
                    sector=sector,
                    address=f"{street} {stream.integer(1, 180)}, {postcode}",
                    origin=origin,
                    district_id=did,
                )
            )
        records[did] = firms

    # Avedøre Holme: 19 firm owners of rewilding plots (firms of 10+ employees)
    avedoere = records["avedoere-holme"]
    candidates = [f for f in avedoere if f["employees"] >= 10]
    owners = stream.weighted_sample(
        candidates, [f["employees"] ** 0.5 for f in candidates], N_FIRM_OWNERS
    )
    owner_names = [f["name"] for f in owners]
    rewilding = make_rewilding(districts["avedoere-holme"], owner_names, stream)
    plots_union = shapely.union_all([r["geometry"] for r in rewilding]).buffer(3.0)

    # Avedøre Holme BID members: the 19 owners and 59 others, larger firms likelier
    others = [f for f in avedoere if f["name"] not in set(owner_names)]
    members = set(owner_names) | {
        f["name"]
        for f in stream.weighted_sample(
            others, [f["employees"] ** 0.4 for f in others], AVEDOERE_MEMBERS - N_FIRM_OWNERS
        )
    }

    # positions
    inner = areas
    first_plot = {}
    for r in rewilding:
        first_plot.setdefault(r["owner"], r["geometry"])
    active_albertslund = [b["geometry"] for b in bids if b["end"] is None]
    rows = []
    for did, firms in records.items():
        for f in firms:
            avoid = plots_union if did == "avedoere-holme" else None
            near = first_plot.get(f["name"]) if did == "avedoere-holme" else None
            pt = _point_in(inner[did], stream, avoid=avoid, near=near)
            if did == "avedoere-holme":
                member = f["name"] in members
            elif any(shapely.intersects_xy(g, pt.x, pt.y) for g in active_albertslund):
                member = stream.random() < ALBERTSLUND_MEMBER_SHARE
            else:
                member = False
            rows.append(
                dict(
                    company_id=new_id(),
                    name=f["name"],
                    employees=f["employees"],
                    sector=f["sector"],
                    bid_member=member,
                    address=f["address"],
                    origin=f["origin"],
                    geometry=pt,
                )
            )
    for x, y, street, postcode in OUTSIDE_FIRMS:
        name, sector = _firm_name(CRAFTS, ["Vestegnens", "Dansk", "Nordisk"], stream, used)
        rows.append(
            dict(
                company_id=new_id(),
                name=name,
                employees=stream.integer(2, 40),
                sector=sector,
                bid_member=False,
                address=f"{street} {stream.integer(1, 180)}, {postcode}",
                origin="synthetic",
                geometry=Point(x, y),
            )
        )
    return rows, rewilding


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

COLUMNS = {
    "districts": ["district_id", "name", "municipality", "status", "kind", "source"],
    "bids": ["bid_id", "name", "start", "end", "invited", "members", "district_id"],
    "rewilding": [
        "plot_id",
        "established",
        "owner",
        "species_count",
        "survey_area_m2",
        "habitat",
        "reference_habitat",
        "reference_species_count",
    ],
    "stops": [
        "stop_id",
        "name",
        "mode",
        "status",
        "opens",
        "line",
        "municipality",
        "note",
        "gtfs_stop_id",
        "position_source",
        "fingerplan_station",
    ],
    "companies": ["company_id", "name", "employees", "sector", "bid_member", "address", "origin"],
    "network": ["edge_id", "kind", "level"],
    "background_water": ["kind", "name", "source"],
    "background_municipalities": ["kind", "name", "source"],
    "background_roads": ["kind", "name", "source"],
    "background_railways": ["kind", "name", "source"],
}
#: The five schema layers (GeoJSON, one feature a line).
SCHEMA_LAYERS = ("districts", "bids", "rewilding", "stops", "companies")
#: Derived geography: the walking network and the map background (compact GeoJSON).
DERIVED_LAYERS = (
    "network",
    "background_water",
    "background_municipalities",
    "background_roads",
    "background_railways",
)

#: The network covers the districts and every stop within this distance of one (m):
#: beyond the Fingerplan's 1,200 m station-near band, so every stop that can serve a
#: district on foot is inside it.
SERVING_M = 1_500.0
#: Margin of the network's frame around those districts and stops (m).
NETWORK_MARGIN_M = 1_500.0
#: Connected parts of the network shorter than this in all are left out (m).
MIN_COMPONENT_M = 1_000.0
#: Margin of the background's frame around the network's frame (m).
BACKGROUND_MARGIN_M = 1_000.0

#: Attribution a published map drawn on these layers must carry.
ATTRIBUTION = {
    "da": "Baggrund og gangnet: GeoFA (kommunerne), DAGI (Geodatastyrelsen); "
    "stoppesteder: Rejseplanen Labs (ODbL); lokalplaner: plandata.dk. "
    "Virksomheder er syntetiske.",
    "en": "Background and walking network: GeoFA (the municipalities), DAGI (Danish "
    "Geodata Agency); stops: Rejseplanen Labs (ODbL); local plans: plandata.dk. "
    "Firms are synthetic.",
    "sources": [
        {
            "name": "GeoFA",
            "holder": "the municipalities (Albertslund, Hvidovre and their neighbours)",
            "licence": "Danish free geodata; name GeoFA and the municipalities as source",
            "used_for": "district outlines (Albertslund), walking network, lakes, roads",
        },
        {
            "name": "DAGI",
            "holder": "Geodatastyrelsen (2014), 1:500,000",
            "licence": "Danish free geodata (attribution)",
            "used_for": "municipal boundaries, coast (sea)",
        },
        {
            "name": "Rejseplanen Labs",
            "holder": "Rejseplanen A/S, GTFS feed valid 2026-08-10 – 2026-11-04, via "
            "trainguessr-data",
            "licence": 'ODbL as published there; "Source: Rejseplanen Labs"',
            "used_for": "light-rail and S-train stop positions, schematic railway lines",
        },
        {
            "name": "plandata.dk",
            "holder": "Hvidovre Kommune, adopted local plans",
            "licence": "public planning data",
            "used_for": "Hvidovre district outlines",
        },
    ],
}


def _coords(geom) -> list:
    geom = shapely.force_2d(geom)

    def ring(r):
        return [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in r.coords]

    if geom.geom_type == "Point":
        return [round(geom.x, DECIMALS), round(geom.y, DECIMALS)]
    if geom.geom_type == "LineString":
        return ring(geom)
    if geom.geom_type == "MultiLineString":
        return [ring(g) for g in geom.geoms]
    if geom.geom_type == "Polygon":
        return [ring(geom.exterior)] + [ring(i) for i in geom.interiors]
    return [[ring(p.exterior)] + [ring(i) for i in p.interiors] for p in geom.geoms]


def feature_collection(kind: str, rows: list[dict], *, compact: bool = False) -> str:
    """Serialise rows as a GeoJSON FeatureCollection with a ``crs`` member, one feature a line.

    ``compact`` drops the blanks after separators (the large derived layers).
    """
    head = (
        "{\n"
        '"type": "FeatureCollection",\n'
        f'"name": "{kind}",\n'
        f'"crs": {{ "type": "name", "properties": {{ "name": "{CRS_URN}" }} }},\n'
        '"features": [\n'
    )
    separators = (",", ":") if compact else (", ", ": ")
    lines = []
    for row in rows:
        props = {c: row.get(c) for c in COLUMNS[kind]}
        geom = row["geometry"]
        feat = {
            "type": "Feature",
            "properties": props,
            "geometry": {"type": geom.geom_type, "coordinates": _coords(geom)},
        }
        lines.append(json.dumps(feat, ensure_ascii=False, separators=separators))
    return head + ",\n".join(lines) + "\n]\n}\n"


#: Edges are written grouped by kind, level and the tile (of this size, m) of their start.
NETWORK_TILE_M = 1_000.0


def network_features(edges: list[dict]) -> list[dict]:
    """Group the noded edges into MultiLineString features (one per tile, kind and level).

    One feature per edge would make the file about 6 MB; grouped it stays small. Every
    part of a feature is one noded edge: parts meet other parts only at their ends,
    except where lines of different ``level`` cross.
    """
    groups: dict[tuple, list] = {}
    for edge in edges:
        x, y = edge["geometry"].coords[0]
        tile = (int(x // NETWORK_TILE_M), int(y // NETWORK_TILE_M))
        groups.setdefault((edge["kind"], edge["level"], tile), []).append(edge["geometry"])
    rows = []
    for (kind, level, (tx, ty)), lines in sorted(groups.items()):
        rows.append(
            dict(
                edge_id=f"{kind}-{level}-{tx}-{ty}".replace("--", "-m"),
                kind=kind,
                level=level,
                geometry=shapely.multilinestrings(lines),
            )
        )
    return rows


def network_frame(districts: list[dict], stops: list[dict]) -> Polygon:
    """Return the network frame: districts (not withdrawn) and the stops that can serve them."""
    polys = [d["geometry"] for d in districts if d["status"] != "withdrawn"]
    reach = shapely.union_all(polys).buffer(SERVING_M)
    serving = [s["geometry"] for s in stops if reach.contains(s["geometry"])]
    return ref_layers.frame_of(polys + serving, NETWORK_MARGIN_M)


def build(reference: Path = DEFAULT_REFERENCE) -> tuple[dict[str, str], dict]:
    """Build every layer; return ({name: GeoJSON text}, network statistics)."""
    ref = check_reference(reference)
    feed = ref_layers.rejseplanen_stops(ref)
    business = ref_layers.erhverv(ref)
    stream = Stream(SEED)
    districts = make_districts(stream, business)
    polys = {d["district_id"]: d["geometry"] for d in districts}
    bids = make_bids(polys)
    stops = make_stops(feed)

    frame = network_frame(districts, stops)
    network = ref_layers.build_network(ref, frame)
    dropped = ref_layers.drop_small_components(network, MIN_COMPONENT_M)
    stats = dict(network.stats)
    stats.update(ref_layers.network_stats(network.edges))
    stats["edges_in_small_components_dropped"] = dropped
    stats["frame"] = [round(v) for v in frame.bounds]

    bg_frame = frame.buffer(BACKGROUND_MARGIN_M, join_style="mitre")
    water = ref_layers.background_water(ref, bg_frame)
    # firms avoid every GeoFA lake (also those too small for the background) and the sea
    water_union = shapely.union_all(
        [w["geometry"] for w in water] + [ref_layers.lakes(ref).buffer(2.0)]
    ).buffer(2.0)
    edges = [e["geometry"] for e in network.edges]
    areas = placement_areas(polys, shapely.union_all(business.geometry.values), water_union, edges)
    companies, rewilding = make_companies(polys, bids, stream, areas)
    background = {
        "background_water": water,
        "background_municipalities": ref_layers.background_municipalities(ref, bg_frame),
        "background_roads": ref_layers.background_roads(ref, bg_frame),
        "background_railways": ref_layers.background_railways(feed, bg_frame),
    }
    out = {
        "districts": feature_collection("districts", districts),
        "bids": feature_collection("bids", bids),
        "rewilding": feature_collection("rewilding", rewilding),
        "stops": feature_collection("stops", stops),
        "companies": feature_collection("companies", companies),
        "network": feature_collection("network", network_features(network.edges), compact=True),
    }
    for name, rows in background.items():
        for row in rows:
            geom = shapely.set_precision(row["geometry"], 10**-DECIMALS)  # valid output
            if geom.geom_type in ("Polygon", "MultiPolygon"):
                geom = orient_all(ref_layers.polygonal(geom))
            row["geometry"] = geom
        out[name] = feature_collection(name, rows, compact=True)
    return out, stats


def write(out_dir: Path, reference: Path = DEFAULT_REFERENCE) -> list[Path]:
    """Write every layer, the network statistics and the attribution; return the paths."""
    sys.path.insert(0, str(REPO))
    from areas._atomic import write_text

    out_dir.mkdir(parents=True, exist_ok=True)
    texts, stats = build(reference)
    paths = [write_text(out_dir / f"{name}.geojson", text) for name, text in texts.items()]
    extra = {
        "network_stats.json": stats,
        "attribution.json": ATTRIBUTION,
    }
    for name, doc in extra.items():
        text = json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        paths.append(write_text(out_dir / name, text))
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Write the layers into ``--out`` (default ``layers/``) and list the files."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--reference",
        type=Path,
        default=DEFAULT_REFERENCE,
        help=f"folder of the public reference data (default: {DEFAULT_REFERENCE})",
    )
    args = parser.parse_args(argv)
    for path in write(args.out, args.reference):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
