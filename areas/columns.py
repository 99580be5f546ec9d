"""The output columns: every summary and per-firm column, with its unit, labels and format.

One registry, built once, names each column the outputs show: its English
and Danish label, its unit and how a cell is written, and, for the columns
made from parts, the parts (mode group, distance threshold, what is counted,
Fingerplan band). The maps, the report, the spreadsheet writer and
:mod:`areas.output.i18n` all read it; nothing parses a label back out of a
column name. :func:`share_column` and the other family constructors name a
column from its parts; :func:`column` returns the entry of a name (the share
columns of any threshold, e.g. ``rail_750m_companies_share``, are added on
first use).

Labels may hold the fields ``{t}`` (the threshold, written by the output's
number format) and ``{band}`` (the band's label); :func:`areas.output.i18n.column_label`
fills them in.

Examples
--------
>>> share_column("bus", 400, "employees").name
'bus_400m_employees_share'
>>> c = column("rail_600m_companies_share")
>>> c.unit, c.group, c.threshold_m, c.what
('share', 'rail', 600.0, 'companies')
>>> column("extra_column") is None
True
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from areas.constants import BANDS, DEFAULT_THRESHOLDS_M, MODE_GROUP_NAMES

__all__ = [
    "Column",
    "Unit",
    "COLUMNS",
    "column",
    "share_column",
    "threshold_columns",
    "unit_of",
    "is_numeric",
    "NUMERIC_UNITS",
    "PTAL_BAND_CODES",
]

#: Units of a column: how its cells are written and which columns are numbers.
Unit = Literal[
    "share",
    "ha",
    "m",
    "m2",
    "count",
    "frequency",
    "index",
    "status",
    "mode",
    "band",
    "ptal",
    "access",
    "value",
]
#: Units of columns of numbers.
NUMERIC_UNITS = ("share", "ha", "m", "m2", "count", "frequency", "index")
#: What a share or band column counts.
COUNTED = ("companies", "employees")

# Count columns (written as whole numbers, right-aligned in tables).
_COUNTS = frozenset(
    {
        "companies",
        "employees",
        "companies_in_bid",
        "employees_in_bid",
        "bid_members",
        "members",
        "invited",
        "plots",
        "owners",
        "firm_owners",
        "municipal_owners",
        "species_count",
    }
)


@dataclass(frozen=True)
class Column:
    """One output column.

    Attributes
    ----------
    name : str
        The column's name in the frames and files (English, ``snake_case``).
    en, da : str
        Its label in English and Danish (may hold ``{t}`` and ``{band}``).
    unit : Unit
        ``share`` (0–1, written as a percentage), ``ha``, ``m``, ``m2``,
        ``count``, ``frequency`` (departures per hour), ``index`` (the PTAL
        accessibility index), a code written by its label (``status``,
        ``mode``, ``band``, ``ptal`` (a PTAL band), ``access`` (a DG REGIO
        class)), or ``value`` (written as it is). A missing ``frequency``,
        ``index``, ``ptal`` or ``access`` cell reads "no frequency data".
    group : str, optional
        The mode group of a transit column (``rail``, ``bus``, ``any``).
    threshold_m : float, optional
        The distance threshold of a share column.
    what : str, optional
        What a share or band column counts: ``companies`` or ``employees``.
    band : str, optional
        The Fingerplan band of a band count (``core``, ``station_near``, ``beyond``).
    """

    name: str
    en: str
    da: str
    unit: Unit = "value"
    group: str | None = None
    threshold_m: float | None = None
    what: str | None = None
    band: str | None = None

    def label(self, lang: str) -> str:
        """Return the label template in ``lang`` (``"en"`` or ``"da"``)."""
        return self.da if lang == "da" else self.en

    @property
    def numeric(self) -> bool:
        """True for columns of numbers (right-aligned in tables)."""
        return self.unit in NUMERIC_UNITS


def _suffix_unit(name: str) -> Unit:
    """Return the unit a column name says by its suffix or code (for any column)."""
    if name.endswith("_share"):
        return "share"
    if name.endswith("_ha"):
        return "ha"
    if name.endswith("_m"):
        return "m"
    if name.endswith("_m2"):
        return "m2"
    if name == "status":
        return "status"
    if name == "mode" or name.endswith("_mode"):
        return "mode"
    if name == "rail_band":
        return "band"
    return "count" if name in _COUNTS else "value"


def _fixed(name: str, en: str, da: str) -> Column:
    return Column(name, en, da, _suffix_unit(name))


# --- families made from parts -----------------------------------------------------------------

# The group as it reads in a label. Danish labels say "station" for the rail
# group, and "skinnebåren station" in the longer share labels.
_GROUP_EN = {"rail": "rail", "bus": "bus", "any": "any stop"}
_GROUP_DA = {"rail": "station", "bus": "busstoppested", "any": "stoppested"}
_GROUP_DA_LONG = {"rail": "en station", "bus": "et busstoppested", "any": "et stoppested"}
_WHAT = {"companies": ("firms", "virksomhederne"), "employees": ("employees", "de ansatte")}


def _threshold_text(threshold_m: float) -> str:
    return f"{float(threshold_m):g}"


def share_column(group: str, threshold_m: float, what: str = "companies") -> Column:
    """Return the column of the share of ``what`` within ``threshold_m`` of a ``group`` stop."""
    en, da = _WHAT[what]
    return Column(
        f"{group}_{_threshold_text(threshold_m)}m_{what}_share",
        f"Share of {en} within {{t}} m of {_GROUP_EN[group]}",
        f"Andel af {da} højst {{t}} m fra {_GROUP_DA_LONG[group]}",
        "share",
        group=group,
        threshold_m=float(threshold_m),
        what=what,
    )


def _group_columns(g: str) -> list[Column]:
    en, da, da_long = _GROUP_EN[g], _GROUP_DA[g], _GROUP_DA_LONG[g]
    del da_long  # the share labels only
    return [
        Column(
            f"median_{g}_distance_m",
            f"Median distance to {en} (m)",
            f"Medianafstand til {da} (m)",
            "m",
            group=g,
        ),
        Column(
            f"{g}_distance_m",
            f"Distance to {en} (m, straight line)",
            f"Afstand til {da} (m, luftlinje)",
            "m",
            group=g,
        ),
        Column(
            f"{g}_walk_m",
            f"Walking distance to {en} (m, estimated)",
            f"Gangafstand til {da} (m, anslået)",
            "m",
            group=g,
        ),
        Column(
            f"{g}_network_m",
            f"Walking distance to {en} (m, along paths)",
            f"Gangafstand til {da} (m, ad stier og veje)",
            "m",
            group=g,
        ),
        Column(
            f"{g}_network_stop_id",
            f"Nearest {en} stop on foot",
            f"Nærmeste stoppested til fods ({da})",
            group=g,
        ),
        Column(
            f"nearest_{g}_stop_id",
            f"Nearest {en} stop id",
            f"Nærmeste stoppested-id ({da})",
            group=g,
        ),
        Column(f"nearest_{g}_name", f"Nearest {en} stop", f"Nærmeste stoppested ({da})", group=g),
        Column(
            f"nearest_{g}_mode",
            f"Mode of nearest {en} stop",
            f"Trafikform for nærmeste stoppested ({da})",
            "mode",
            group=g,
        ),
    ]


def _band_columns(band: str) -> list[Column]:
    out = []
    for what, (en, da) in (
        ("companies", ("Firms", "Virksomheder")),
        ("employees", ("Employees", "Ansatte")),
    ):
        for name in (f"{band}_{what}", f"rail_{band}_{what}"):
            out.append(
                Column(
                    name,
                    f"{en}: {{band}}",
                    f"{da}: {{band}}",
                    "count",
                    "rail",
                    what=what,
                    band=band,
                )
            )
    return out


def _service_columns() -> list[Column]:
    """Return the service-frequency columns: departures per hour, PTAL, DG REGIO access."""
    out = [
        Column(
            "departures_per_hour_600m",
            "Departures per hour within 600 m",
            "Afgange i timen inden for 600 m",
            "frequency",
        ),
        Column(
            "departures_per_hour_600m_median",
            "Median departures per hour within 600 m",
            "Median afgange i timen inden for 600 m",
            "frequency",
        ),
        Column(
            "departures_per_hour_600m_unknown_companies",
            "Firms without frequency data (600 m)",
            "Virksomheder uden frekvensdata (600 m)",
            "count",
        ),
        Column(
            "departures_per_hour",
            "Departures per hour",
            "Afgange i timen",
            "frequency",
        ),
        Column("ptal_ai", "PTAL accessibility index", "PTAL-tilgængelighedsindeks", "index"),
        Column(
            "ptal_ai_median",
            "Median PTAL accessibility index",
            "Median PTAL-tilgængelighedsindeks",
            "index",
        ),
        Column("ptal_band", "PTAL band", "PTAL-klasse", "ptal"),
        Column(
            "dg_regio_access",
            "Access to public transport (EU DG REGIO)",
            "Adgang til kollektiv trafik (EU DG REGIO)",
            "access",
        ),
        Column(
            "service_unknown_stops",
            "Stops in reach without frequency data",
            "Stoppesteder inden for gangafstand uden frekvensdata",
            "count",
        ),
    ]
    for band in PTAL_BAND_CODES:
        for what, (en, da) in _WHAT.items():
            out.append(
                Column(
                    f"ptal_{band}_{what}_share",
                    f"Share of {en} in PTAL band {band}",
                    f"Andel {da} i PTAL-klasse {band}",
                    "share",
                    what=what,
                )
            )
    return out


#: The PTAL bands, lowest first (as areas.analysis.service.PTAL_BANDS).
PTAL_BAND_CODES = ("0", "1a", "1b", "2", "3", "4", "5", "6a", "6b")


def _fingerplan_columns(band: str) -> list[Column]:
    out = []
    for what, (en, da), unit in (
        ("companies", ("Firms", "Virksomheder"), "count"),
        ("employees", ("Employees", "Ansatte"), "count"),
        ("ha", ("Land (ha)", "Areal (ha)"), "ha"),
    ):
        out.append(
            Column(
                f"fingerplan_{band}_{what}",
                f"{en}, Fingerplan: {{band}}",
                f"{da}, Fingerplan: {{band}}",
                unit,  # type: ignore[arg-type]
                None,
                what=what,
                band=band,
            )
        )
    return out


def _build() -> dict[str, Column]:
    columns = [
        _fixed("district_id", "District id", "Område-id"),
        _fixed("district", "District", "Erhvervsområde"),
        _fixed("name", "Name", "Navn"),
        _fixed("municipality", "Municipality", "Kommune"),
        _fixed("status", "Status", "Status"),
        _fixed("kind", "Kind", "Type"),
        _fixed("source", "Source", "Kilde"),
        _fixed("area_ha", "Area (ha)", "Areal (ha)"),
        _fixed("companies", "Firms", "Virksomheder"),
        _fixed("employees", "Employees", "Ansatte"),
        _fixed("bid_id", "BID id", "BID-id"),
        _fixed("bid", "BID", "BID"),
        _fixed("bid_area_ha", "Area in active BIDs (ha)", "Areal i aktive BID'er (ha)"),
        _fixed(
            "bid_area_share", "Share of area in active BIDs", "Andel af arealet i aktive BID'er"
        ),
        _fixed("companies_in_bid", "Firms in active BIDs", "Virksomheder i aktive BID'er"),
        _fixed(
            "companies_in_bid_share",
            "Share of firms in active BIDs",
            "Andel af virksomhederne i aktive BID'er",
        ),
        _fixed("employees_in_bid", "Employees in active BIDs", "Ansatte i aktive BID'er"),
        _fixed(
            "employees_in_bid_share",
            "Share of employees in active BIDs",
            "Andel af de ansatte i aktive BID'er",
        ),
        _fixed("bid_members", "BID members", "BID-medlemmer"),
        _fixed("bid_member", "BID member", "BID-medlem"),
        _fixed("bid_participation_share", "BID participation", "BID-deltagelse"),
        _fixed("participation_share", "Participation", "Deltagelse"),
        _fixed("in_bid", "In an active BID", "I aktivt BID"),
        _fixed("active", "Active", "Aktiv"),
        _fixed("start", "Start", "Start"),
        _fixed("end", "End", "Slut"),
        _fixed("invited", "Firms invited", "Inviterede virksomheder"),
        _fixed("members", "Members", "Medlemmer"),
        _fixed("plot_id", "Plot id", "Areal-id"),
        _fixed("owner", "Owner", "Ejer"),
        _fixed("established", "Established", "Etableret"),
        _fixed("established_year", "Year established", "Etableret år"),
        _fixed("habitat", "Habitat", "Naturtype"),
        _fixed("species_count", "Species counted", "Optalte arter"),
        _fixed("survey_area_m2", "Survey area (m²)", "Undersøgt areal (m²)"),
        _fixed("rewilded_ha", "Rewilded (ha)", "Vild natur (ha)"),
        _fixed("rewilded_share", "Share rewilded", "Andel af arealet med vild natur"),
        _fixed("plots", "Plots", "Arealer"),
        _fixed("owners", "Owners", "Ejere"),
        _fixed("firm_owners", "Firm owners", "Virksomheder som ejere"),
        _fixed("municipal_owners", "Municipal owners", "Kommunen som ejer"),
        _fixed("overlap_ha", "Overlapping plots (ha)", "Overlappende arealer (ha)"),
        _fixed("year", "Year", "År"),
        _fixed("stop_id", "Stop id", "Stations-id"),
        _fixed("mode", "Mode", "Trafikform"),
        _fixed("line", "Line", "Linje"),
        _fixed("opens", "Opens", "Åbner"),
        _fixed("in_service", "In service", "I drift"),
        _fixed("company_id", "Firm id", "Virksomheds-id"),
        _fixed("sector", "Sector", "Branche"),
        _fixed("address", "Address", "Adresse"),
        _fixed("assignment", "Assignment", "Placering"),
        _fixed("rail_band", "Distance band to rail", "Afstandsbånd til station"),
        _fixed("nearest_rail_stop", "Nearest rail stop", "Nærmeste station"),
        _fixed("distance_straight_m", "Distance (straight line)", "Afstand (luftlinje)"),
        _fixed("distance_walk_m", "Walking distance (estimated)", "Gangafstand (anslået)"),
        _fixed(
            "companies_within_600m_share",
            "Share of firms within 600 m of rail",
            "Andel af virksomhederne højst 600 m fra en station",
        ),
        _fixed("cell_companies", "Firms in cell", "Virksomheder i feltet"),
        _fixed(
            "companies_boundary",
            "Firms on a district boundary",
            "Virksomheder på en områdegrænse",
        ),
        _fixed("active_bids", "Active BIDs", "Aktive BID'er"),
        _fixed("rewilding_plots", "Rewilding plots", "Arealer med vild natur"),
        _fixed("rewilding_owners", "Owners of rewilding plots", "Ejere af arealer med vild natur"),
        _fixed(
            "rewilding_overlap_ha",
            "Overlapping rewilding plots (ha)",
            "Overlappende arealer med vild natur (ha)",
        ),
        _fixed("distance_basis", "Distance method", "Afstandsmål"),
        _fixed("detour_factor", "Detour factor", "Omvejsfaktor"),
        _fixed(
            "distance_network_m", "Walking distance (along paths)", "Gangafstand (ad stier og veje)"
        ),
        _fixed("fingerplan_band", "Fingerplan band", "Fingerplan-zone"),
        _fixed("fingerplan_stop_id", "Nearest Fingerplan station", "Nærmeste Fingerplan-station"),
        _fixed(
            "fingerplan_distance_m",
            "Distance to Fingerplan station (m, straight line)",
            "Afstand til Fingerplan-station (m, luftlinje)",
        ),
        _fixed(
            "fingerplan_m",
            "Distance to Fingerplan station (m, basis in use)",
            "Afstand til Fingerplan-station (m, valgt afstandsmål)",
        ),
        _fixed(
            "circle_only_core",
            "Within 600 m in a straight line only",
            "Kun inden for 600 m i luftlinje",
        ),
        _fixed(
            "circle_only_core_companies",
            "Firms within 600 m in a straight line, beyond 600 m on foot",
            "Virksomheder inden for 600 m i luftlinje, men over 600 m til fods",
        ),
        _fixed(
            "circle_only_core_ha",
            "Land within the 600 m circle, beyond 600 m on foot (ha)",
            "Areal i 600 m-cirklen, men over 600 m til fods (ha)",
        ),
        _fixed("office_floor_area_m2", "Office floor area (m²)", "Kontoretageareal (m²)"),
        _fixed(
            "large_office_outside_core",
            "Office over 1,500 m² outside the core area",
            "Kontor over 1.500 m² uden for kerneområdet",
        ),
        _fixed(
            "large_offices_outside_core",
            "Offices over 1,500 m² outside the core area",
            "Kontorer over 1.500 m² uden for kerneområdet",
        ),
        _fixed("fingerplan_station", "Fingerplan station", "Fingerplan-station"),
        _fixed("station_id", "Station id", "Stations-id"),
        _fixed("band_m", "Walking band (m)", "Gangafstand (m)"),
        _fixed("basis", "Distance basis", "Afstandsmål"),
        _fixed("distance_basis", "Distance basis", "Afstandsmål"),
        _fixed("edge_id", "Path id", "Sti-id"),
        _fixed("walkable", "Walkable", "Gangbar"),
        _fixed("level", "Level", "Niveau"),
    ]
    for g in MODE_GROUP_NAMES:
        columns += _group_columns(g)
        columns += [share_column(g, t, w) for t in DEFAULT_THRESHOLDS_M for w in COUNTED]
    for band in BANDS:
        columns += _band_columns(band)
        columns += _fingerplan_columns(band)
    columns += _service_columns()
    registry: dict[str, Column] = {}
    for c in columns:
        registry.setdefault(c.name, c)  # a fixed label wins over a family's
    return registry


#: Every known column by name (the share columns of the default thresholds included).
COLUMNS: dict[str, Column] = _build()

_SHARE = re.compile(r"^(rail|bus|any)_(\d+(?:\.\d+)?)m_(companies|employees)_share$")


@cache
def column(name: str) -> Column | None:
    """Return the registry entry of column ``name``, or None for a column it does not know.

    A share column of a threshold other than the defaults (the analyses take
    any thresholds) is made from its parts on first use.
    """
    found = COLUMNS.get(name)
    if found is not None:
        return found
    match = _SHARE.match(name)
    if match is None:
        return None
    group, threshold, what = match.groups()
    return dataclasses.replace(share_column(group, float(threshold), what), name=name)


def unit_of(name: str) -> Unit:
    """Return the unit of column ``name`` (by its suffix for columns the registry lacks)."""
    found = column(name)
    return found.unit if found is not None else _suffix_unit(name)


def is_numeric(name: str) -> bool:
    """Return True when column ``name`` holds numbers (shares, areas, distances, counts)."""
    return unit_of(name) in NUMERIC_UNITS


def threshold_columns(
    names: Iterable[object], group: str, what: str = "companies"
) -> dict[float, str]:
    """Return threshold -> name of the share columns of ``group`` and ``what`` among ``names``.

    Examples
    --------
    >>> threshold_columns(["rail_800m_companies_share", "rail_400m_companies_share"], "rail")
    {400.0: 'rail_400m_companies_share', 800.0: 'rail_800m_companies_share'}
    """
    found = {}
    for name in names:
        c = column(str(name))
        if c is not None and c.unit == "share" and c.group == group and c.what == what:
            if c.threshold_m is not None:
                found[c.threshold_m] = str(name)
    return dict(sorted(found.items()))
