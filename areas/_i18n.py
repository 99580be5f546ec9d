"""Danish and English labels shared by the maps and the reports.

One dictionary holds every user-facing word: layer names, legend entries,
status, mode and distance-band names, and the labels of table columns.
:func:`t` looks a key up in a language; :func:`column_label` names a column
(including the threshold columns such as ``rail_600m_companies_share``); the
``format_*`` functions write numbers, shares and dates the way each language
writes them, with "–" for a missing value.

Examples
--------
>>> t("layer.districts", "da")
'Erhvervsområder'
>>> t("layer.catchment", "en", distance_m=600)
'Within 600 m of a rail stop'
>>> column_label("rail_600m_companies_share", "da")
'Andel virksomheder inden for 600 m af skinnebåren station'
>>> format_number(1234.5, "da", decimals=1)
'1.234,5'
>>> format_share(0.4234, "en")
'42%'
>>> format_value(float("nan"), "en")
'–'
"""

from __future__ import annotations

import datetime as dt
import decimal
import difflib
import math
import re
from typing import Any

import numpy as np
import pandas as pd

from .errors import ConfigError

__all__ = [
    "LANGS",
    "MISSING",
    "check_lang",
    "t",
    "labels",
    "column_label",
    "is_missing",
    "format_number",
    "format_share",
    "format_date",
    "format_value",
]

#: Languages every label exists in.
LANGS = ("en", "da")
#: How a missing value is written.
MISSING = "–"

# key -> (English, Danish). Values may hold ``str.format`` fields.
_LABELS: dict[str, tuple[str, str]] = {
    # generic words
    "yes": ("yes", "ja"),
    "no": ("no", "nej"),
    "missing": (MISSING, MISSING),
    "as_of": ("As of {date}", "Pr. {date}"),
    "legend": ("Legend", "Signatur"),
    "title.overview": ("Business districts", "Erhvervsområder"),
    "title.district": ("{name}", "{name}"),
    "unit.ha": ("ha", "ha"),
    "unit.m": ("m", "m"),
    # layers
    "layer.districts": ("Business districts", "Erhvervsområder"),
    "layer.bids": ("Active BIDs", "Aktive BID'er"),
    "layer.rewilding": ("Rewilded plots", "Arealer med vild natur"),
    "layer.stops": ("Stations and stops", "Stationer og stoppesteder"),
    "layer.catchment": (
        "Within {distance_m} m of a rail stop",
        "Inden for {distance_m} m af station",
    ),
    "layer.companies": ("Firms", "Virksomheder"),
    "layer.company_grid": ("Firms per {cell_m} m cell", "Virksomheder pr. {cell_m} m-felt"),
    "layer.basemap": ("Basemap", "Baggrundskort"),
    # legend notes
    "legend.points_from_zoom": (
        "Firms are drawn as points from zoom level {zoom}; below it as counts per cell.",
        "Virksomheder vises som punkter fra zoomniveau {zoom}; derunder som antal pr. felt.",
    ),
    "legend.catchment_note": (
        "Straight-line distance from rail stops in service",
        "Afstand i luftlinje fra stationer i drift",
    ),
    "legend.catchment_note_walk": (
        "Walking distance estimated as straight line × {factor}",
        "Gangafstand anslået som luftlinje × {factor}",
    ),
    "legend.stop_status": ("Stop status", "Status for station"),
    "legend.stop_mode": ("Mode", "Trafikform"),
    "legend.companies_rail_band": (
        "Firms by distance to rail",
        "Virksomheder efter afstand til station",
    ),
    "legend.companies_bid": ("Firms by BID membership", "Virksomheder efter BID-medlemskab"),
    "legend.illustrative": ("Outline illustrative", "Afgrænsning vejledende"),
    # statuses (plans, districts and stops)
    "status.existing": ("existing", "eksisterende"),
    "status.planned": ("planned", "planlagt"),
    "status.study": ("under study", "under udredning"),
    "status.withdrawn": ("withdrawn", "opgivet"),
    "status.in_service": ("in service", "i drift"),
    "status.focus": ("selected district", "valgt område"),
    # modes
    "mode.light_rail": ("light rail", "letbane"),
    "mode.metro": ("metro", "metro"),
    "mode.s_train": ("S-train", "S-tog"),
    "mode.regional_rail": ("regional rail", "regionaltog"),
    "mode.bus": ("bus", "bus"),
    "mode.brt": ("BRT (high-class bus)", "BRT (højklassebus)"),
    # mode groups
    "group.rail": ("rail", "skinnebåren trafik"),
    "group.bus": ("bus", "bus"),
    "group.any": ("any stop", "alle stoppesteder"),
    # Fingerplan distance bands to rail
    "band.core": ("≤ 600 m (station core area)", "≤ 600 m (stationsnært kerneområde)"),
    "band.station_near": ("600–1,200 m (station-near area)", "600–1.200 m (stationsnært område)"),
    "band.beyond": ("> 1,200 m", "> 1.200 m"),
    "band.unknown": ("no rail distance", "ingen afstand til station"),
    # BID membership of a firm
    "bid.member": ("in a BID, member", "i BID, medlem"),
    "bid.in_bid": ("in a BID, not a member", "i BID, ikke medlem"),
    "bid.outside": ("outside active BIDs", "uden for aktive BID'er"),
    "bid.unknown": ("BID unknown", "BID ukendt"),
    # tooltip rows and table columns
    "col.district_id": ("District id", "Område-id"),
    "col.district": ("District", "Erhvervsområde"),
    "col.name": ("Name", "Navn"),
    "col.municipality": ("Municipality", "Kommune"),
    "col.status": ("Status", "Status"),
    "col.kind": ("Kind", "Type"),
    "col.source": ("Source", "Kilde"),
    "col.area_ha": ("Area (ha)", "Areal (ha)"),
    "col.companies": ("Firms", "Virksomheder"),
    "col.employees": ("Employees", "Ansatte"),
    "col.bid_id": ("BID id", "BID-id"),
    "col.bid": ("BID", "BID"),
    "col.bid_area_ha": ("Area in active BIDs (ha)", "Areal i aktive BID'er (ha)"),
    "col.bid_area_share": ("Share of area in active BIDs", "Andel af areal i aktive BID'er"),
    "col.companies_in_bid": ("Firms in active BIDs", "Virksomheder i aktive BID'er"),
    "col.companies_in_bid_share": (
        "Share of firms in active BIDs",
        "Andel virksomheder i aktive BID'er",
    ),
    "col.employees_in_bid": ("Employees in active BIDs", "Ansatte i aktive BID'er"),
    "col.employees_in_bid_share": (
        "Share of employees in active BIDs",
        "Andel ansatte i aktive BID'er",
    ),
    "col.bid_members": ("BID members", "BID-medlemmer"),
    "col.bid_member": ("BID member", "BID-medlem"),
    "col.bid_participation_share": ("BID participation", "BID-deltagelse"),
    "col.participation_share": ("Participation", "Deltagelse"),
    "col.in_bid": ("In an active BID", "I aktivt BID"),
    "col.active": ("Active", "Aktiv"),
    "col.start": ("Start", "Start"),
    "col.end": ("End", "Slut"),
    "col.invited": ("Firms invited", "Inviterede virksomheder"),
    "col.members": ("Members", "Medlemmer"),
    "col.plot_id": ("Plot id", "Areal-id"),
    "col.owner": ("Owner", "Ejer"),
    "col.established": ("Established", "Etableret"),
    "col.established_year": ("Year established", "Etableret år"),
    "col.habitat": ("Habitat", "Naturtype"),
    "col.species_count": ("Species counted", "Optalte arter"),
    "col.survey_area_m2": ("Survey area (m²)", "Undersøgt areal (m²)"),
    "col.rewilded_ha": ("Rewilded (ha)", "Vild natur (ha)"),
    "col.rewilded_share": ("Share rewilded", "Andel vild natur"),
    "col.plots": ("Plots", "Arealer"),
    "col.owners": ("Owners", "Ejere"),
    "col.firm_owners": ("Firm owners", "Virksomheder som ejere"),
    "col.municipal_owners": ("Municipal owners", "Kommunen som ejer"),
    "col.overlap_ha": ("Overlapping plots (ha)", "Overlappende arealer (ha)"),
    "col.year": ("Year", "År"),
    "col.stop_id": ("Stop id", "Stations-id"),
    "col.mode": ("Mode", "Trafikform"),
    "col.line": ("Line", "Linje"),
    "col.opens": ("Opens", "Åbner"),
    "col.in_service": ("In service", "I drift"),
    "col.company_id": ("Firm id", "Virksomheds-id"),
    "col.sector": ("Sector", "Branche"),
    "col.address": ("Address", "Adresse"),
    "col.assignment": ("Assignment", "Placering"),
    "col.rail_band": ("Distance band to rail", "Afstandsbånd til station"),
    "col.nearest_rail_stop": ("Nearest rail stop", "Nærmeste station"),
    "col.distance_straight_m": ("Distance (straight line)", "Afstand (luftlinje)"),
    "col.distance_walk_m": ("Walking distance (estimated)", "Gangafstand (anslået)"),
    "col.companies_within_600m_share": (
        "Share of firms within 600 m of rail",
        "Andel virksomheder inden for 600 m af station",
    ),
    "col.cell_companies": ("Firms in cell", "Virksomheder i feltet"),
}

# Column patterns with a number or a mode group in the name.
_PATTERNS: list[tuple[re.Pattern[str], tuple[str, str]]] = [
    (
        re.compile(r"^(?P<g>rail|bus|any)_(?P<t>\d+(?:\.\d+)?)m_companies_share$"),
        (
            "Share of firms within {t} m of {g}",
            "Andel virksomheder inden for {t} m af {g}",
        ),
    ),
    (
        re.compile(r"^(?P<g>rail|bus|any)_(?P<t>\d+(?:\.\d+)?)m_employees_share$"),
        (
            "Share of employees within {t} m of {g}",
            "Andel ansatte inden for {t} m af {g}",
        ),
    ),
    (
        re.compile(r"^median_(?P<g>rail|bus|any)_distance_m$"),
        ("Median distance to {g} (m)", "Median afstand til {g} (m)"),
    ),
    (
        re.compile(r"^(?P<g>rail|bus|any)_distance_m$"),
        ("Distance to {g} (m, straight line)", "Afstand til {g} (m, luftlinje)"),
    ),
    (
        re.compile(r"^(?P<g>rail|bus|any)_walk_m$"),
        ("Walking distance to {g} (m, estimated)", "Gangafstand til {g} (m, anslået)"),
    ),
    (
        re.compile(r"^nearest_(?P<g>rail|bus|any)_stop_id$"),
        ("Nearest {g} stop id", "Nærmeste stoppested-id ({g})"),
    ),
    (
        re.compile(r"^nearest_(?P<g>rail|bus|any)_name$"),
        ("Nearest {g} stop", "Nærmeste stoppested ({g})"),
    ),
    (
        re.compile(r"^nearest_(?P<g>rail|bus|any)_mode$"),
        ("Mode of nearest {g} stop", "Trafikform for nærmeste stoppested ({g})"),
    ),
    (
        re.compile(r"^(?P<band>core|station_near|beyond)_companies$"),
        ("Firms: {band}", "Virksomheder: {band}"),
    ),
]
# Danish column labels say "station" for the rail group, reading better than the group name.
_GROUP_IN_COLUMN_DA = {"rail": "station", "bus": "busstoppested", "any": "stoppested"}
_GROUP_IN_COLUMN_DA_LONG = {
    "rail": "skinnebåren station",
    "bus": "busstoppested",
    "any": "stoppested",
}


def check_lang(lang: str) -> str:
    """Return ``lang`` when it is a supported language, else raise.

    Raises
    ------
    ConfigError
        Naming the supported languages.

    Examples
    --------
    >>> check_lang("da")
    'da'
    """
    if lang not in LANGS:
        msg = f"`lang` must be one of {', '.join(LANGS)}, got {lang!r}"
        raise ConfigError(msg)
    return lang


def t(key: str, lang: str = "en", /, **values: Any) -> str:
    """Return the label ``key`` in ``lang``, with ``values`` filled in.

    Parameters
    ----------
    key : str
        A label key such as ``"layer.districts"`` or ``"status.withdrawn"``.
    lang : {"en", "da"}
        Language.
    **values
        Fields of the label (``distance_m``, ``date``, ...).

    Raises
    ------
    KeyError
        For an unknown key (the message suggests close keys).
    ConfigError
        For an unknown language.

    Examples
    --------
    >>> t("status.withdrawn", "da")
    'opgivet'
    >>> t("as_of", "en", date="2026-01-01")
    'As of 2026-01-01'
    """
    check_lang(lang)
    try:
        pair = _LABELS[key]
    except KeyError:
        close = difflib.get_close_matches(key, _LABELS, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        msg = f"no label `{key}`{hint}"
        raise KeyError(msg) from None
    text = pair[LANGS.index(lang)]
    return text.format(**values) if values else text


def labels(lang: str = "en") -> dict[str, str]:
    """Return every label in ``lang`` (for templates), fields left unfilled.

    Examples
    --------
    >>> labels("da")["layer.stops"]
    'Stationer og stoppesteder'
    """
    i = LANGS.index(check_lang(lang))
    return {key: pair[i] for key, pair in _LABELS.items()}


def column_label(column: str, lang: str = "en") -> str:
    """Return a readable label for a table column.

    Known columns have a label; threshold columns (``rail_600m_companies_share``,
    ``median_bus_distance_m``, ...) are named from their parts; any other column
    is returned unchanged (extra source columns keep their own names).

    Examples
    --------
    >>> column_label("area_ha", "en")
    'Area (ha)'
    >>> column_label("bus_400m_employees_share", "en")
    'Share of employees within 400 m of bus'
    >>> column_label("median_rail_distance_m", "da")
    'Median afstand til station (m)'
    >>> column_label("my_column", "da")
    'my_column'
    """
    i = LANGS.index(check_lang(lang))
    key = f"col.{column}"
    if key in _LABELS:
        return _LABELS[key][i]
    for pattern, pair in _PATTERNS:
        match = pattern.match(column)
        if match is None:
            continue
        parts = match.groupdict()
        fields: dict[str, str] = {}
        if "g" in parts:
            g = parts["g"]
            if lang == "da":
                long = "_share" in column
                fields["g"] = (_GROUP_IN_COLUMN_DA_LONG if long else _GROUP_IN_COLUMN_DA)[g]
            else:
                fields["g"] = {"rail": "rail", "bus": "bus", "any": "any stop"}[g]
        if "t" in parts:
            value = float(parts["t"])
            fields["t"] = format_number(value, lang, decimals=0 if value.is_integer() else 1)
        if "band" in parts:
            fields["band"] = t(f"band.{parts['band']}", lang)
        return pair[i].format(**fields)
    return column


def is_missing(value: Any) -> bool:
    """Return True for None, NaN, NaT and ``pandas.NA``.

    Examples
    --------
    >>> [is_missing(v) for v in (None, float("nan"), pd.NA, pd.NaT, 0, "")]
    [True, True, True, True, False, False]
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if isinstance(value, decimal.Decimal):
        return value.is_nan()
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return False


def _group_digits(integer_part: str, sep: str) -> str:
    sign = ""
    if integer_part.startswith("-"):
        sign, integer_part = "-", integer_part[1:]
    groups: list[str] = []
    while len(integer_part) > 3:
        groups.insert(0, integer_part[-3:])
        integer_part = integer_part[:-3]
    groups.insert(0, integer_part)
    return sign + sep.join(groups)


def format_number(value: Any, lang: str = "en", *, decimals: int = 0) -> str:
    """Write a number with the language's separators ("–" when missing).

    Examples
    --------
    >>> format_number(1234567.891, "en", decimals=2)
    '1,234,567.89'
    >>> format_number(1234567.891, "da", decimals=2)
    '1.234.567,89'
    >>> format_number(None, "da")
    '–'
    """
    check_lang(lang)
    if is_missing(value):
        return MISSING
    number = float(value)
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    text = f"{number:.{decimals}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    integer_part, _, fraction = text.partition(".")
    thousands, point = (",", ".") if lang == "en" else (".", ",")
    out = _group_digits(integer_part, thousands)
    return out + (point + fraction if fraction else "")


def format_share(value: Any, lang: str = "en", *, decimals: int = 0) -> str:
    """Write a fraction 0–1 as a percentage ("–" when missing).

    Examples
    --------
    >>> format_share(0.125, "en", decimals=1)
    '12.5%'
    >>> format_share(0.125, "da", decimals=1)
    '12,5 %'
    """
    if is_missing(value):
        check_lang(lang)
        return MISSING
    number = format_number(float(value) * 100, lang, decimals=decimals)
    return f"{number}%" if lang == "en" else f"{number} %"


def format_date(value: Any) -> str:
    """Write a date as ISO 8601 (``YYYY-MM-DD``; with the time only when it has one).

    Examples
    --------
    >>> format_date(pd.Timestamp("2025-10-26"))
    '2025-10-26'
    >>> format_date(dt.datetime(2025, 10, 26, 6, 30))
    '2025-10-26T06:30:00'
    >>> format_date(pd.NaT)
    '–'
    """
    if is_missing(value):
        return MISSING
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, dt.datetime):  # includes pandas.Timestamp
        if value.tzinfo is None and (value.hour, value.minute, value.second, value.microsecond) == (
            0,
            0,
            0,
            0,
        ):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def format_value(value: Any, lang: str = "en", *, decimals: int | None = None) -> str:
    """Write any cell value as readable text.

    Missing values (None, NaN, NaT, ``pandas.NA``) become "–", dates ISO 8601,
    booleans yes/no, integers get thousands separators, floats ``decimals``
    places (default: up to 2, trailing zeros dropped), decimals like floats.

    Examples
    --------
    >>> format_value(pd.Timestamp("2021-05-01"), "da")
    '2021-05-01'
    >>> format_value(True, "da")
    'ja'
    >>> format_value(decimal.Decimal("12.50"), "en")
    '12.5'
    >>> format_value(2.0, "en")
    '2'
    >>> format_value(pd.NA, "en")
    '–'
    """
    check_lang(lang)
    if is_missing(value):
        return MISSING
    if isinstance(value, bool | np.bool_):
        return t("yes" if value else "no", lang)
    if isinstance(value, dt.date | np.datetime64):
        return format_date(value)
    if isinstance(value, int | np.integer):
        return format_number(value, lang, decimals=0)
    if isinstance(value, float | np.floating | decimal.Decimal):
        if decimals is not None:
            return format_number(value, lang, decimals=decimals)
        text = format_number(value, lang, decimals=2)
        point = "." if lang == "en" else ","
        if point in text:
            text = text.rstrip("0").rstrip(point)
        return text
    return str(value)
