"""The six layer kinds, their columns, geometry types and value sets.

This module is the single statement of the layer schema; the loaders, the
validator, the analyses and the README's schema table all read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "WORK_CRS",
    "WEB_CRS",
    "SQM_PER_HA",
    "STATUSES",
    "MODES",
    "MODE_GROUPS",
    "LayerKind",
    "KINDS",
    "KIND_NAMES",
    "OPTIONAL_KINDS",
    "DENMARK_BOUNDS_4326",
    "DENMARK_BOUNDS_25832",
]

#: Measurement CRS: ETRS89 / UTM zone 32N. Areas and distances are computed here only.
WORK_CRS = "EPSG:25832"
#: CRS of web output (Folium/Leaflet).
WEB_CRS = "EPSG:4326"
SQM_PER_HA = 10_000

#: Status of a plan, district or stop.
STATUSES = ("existing", "planned", "study", "withdrawn")
#: Transport modes of a stop.
MODES = ("light_rail", "metro", "s_train", "regional_rail", "bus", "brt")
#: Mode groups used by the accessibility analysis.
MODE_GROUPS = {
    "rail": ("light_rail", "metro", "s_train", "regional_rail"),
    "bus": ("bus", "brt"),
}

#: Denmark including Bornholm and territorial waters (lon_min, lat_min, lon_max, lat_max).
DENMARK_BOUNDS_4326 = (7.7, 54.4, 15.4, 57.9)
#: The same box in EPSG:25832 (x_min, y_min, x_max, y_max), generously rounded.
DENMARK_BOUNDS_25832 = (400_000.0, 6_020_000.0, 920_000.0, 6_420_000.0)


@dataclass(frozen=True)
class LayerKind:
    """One layer kind of the schema.

    Attributes
    ----------
    name : str
        The kind, also the layer name looked for in a GeoPackage or folder.
    id_column : str
        Column holding the feature id (kept as text).
    geometry : str
        ``"polygon"`` ((Multi)Polygon), ``"point"`` or ``"line"`` ((Multi)LineString).
    required : tuple of str
        Columns that must be present (besides geometry).
    optional : tuple of str
        Columns used when present.
    dates : tuple of str
        Columns parsed as dates.
    integers : tuple of str
        Columns parsed as non-negative integers (nullable).
    booleans : tuple of str
        Columns parsed as booleans (nullable).
    values : dict
        Column -> allowed values.
    """

    name: str
    id_column: str
    geometry: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    integers: tuple[str, ...] = ()
    floats: tuple[str, ...] = ()
    booleans: tuple[str, ...] = ()
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        """All schema columns, required first."""
        return self.required + self.optional


KINDS: dict[str, LayerKind] = {
    "districts": LayerKind(
        name="districts",
        id_column="district_id",
        geometry="polygon",
        required=("district_id", "name", "municipality", "status"),
        # priority and adopted decide which district a firm in an overlap belongs to
        optional=("kind", "source", "priority", "adopted"),
        dates=("adopted",),
        integers=("priority",),
        values={"status": STATUSES},
    ),
    "bids": LayerKind(
        name="bids",
        id_column="bid_id",
        geometry="polygon",
        required=("bid_id", "name", "start"),
        optional=("end", "invited", "members", "district_id"),
        dates=("start", "end"),
        integers=("invited", "members"),
    ),
    "rewilding": LayerKind(
        name="rewilding",
        id_column="plot_id",
        geometry="polygon",
        required=("plot_id", "established"),
        optional=("owner", "species_count", "survey_area_m2", "habitat"),
        dates=("established",),
        integers=("species_count",),
        floats=("survey_area_m2",),
    ),
    "stops": LayerKind(
        name="stops",
        id_column="stop_id",
        geometry="point",
        required=("stop_id", "name", "mode", "status"),
        optional=(
            "opens",
            "line",
            "municipality",
            "gtfs_stop_id",
            "position_source",
            "fingerplan_station",
        ),
        dates=("opens",),
        booleans=("fingerplan_station",),
        values={"mode": MODES, "status": STATUSES},
    ),
    "companies": LayerKind(
        name="companies",
        id_column="company_id",
        geometry="point",
        required=("company_id", "name"),
        optional=("employees", "sector", "bid_member", "address", "office_floor_area_m2"),
        integers=("employees",),
        floats=("office_floor_area_m2",),
        booleans=("bid_member",),
    ),
    "network": LayerKind(
        name="network",
        id_column="edge_id",
        geometry="line",
        required=(),
        optional=("edge_id", "walkable", "level", "kind"),
        booleans=("walkable",),
    ),
}

KIND_NAMES = tuple(KINDS)
#: Kinds a source may lack without a warning: the analyses work without them.
OPTIONAL_KINDS = ("network",)
