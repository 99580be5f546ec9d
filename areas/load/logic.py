"""Checks of what the values mean: dates in the wrong order, far-future dates, blank names.

Each check reads a layer whose values are parsed already and records what it
finds with the layer's :class:`~areas.problems.Collector`:

============================================  =========================================
Input                                         Outcome
============================================  =========================================
a BID whose ``end`` is before its ``start``   ``SchemaError`` naming the BIDs and dates
a plot ``established`` (or a BID ``start``)   warning naming the features and dates; the
more than :data:`FUTURE_YEARS` years after    feature counts from that date on, as any
the day of the run                            planned feature does
a blank ``name``                              the feature is named by its id; warning
                                              listing the ids
a blank ``municipality`` (districts)          ``SchemaError`` naming the districts
============================================  =========================================

Across one layer (:func:`layer_notes`, notes of severity ``"info"``):

- districts whose outlines overlap by more than :data:`OVERLAP_MIN_M2` (not
  only touch): the pairs with the overlap in hectares, and the rule that gives
  a firm in an overlap to one district (:data:`OVERLAP_RULE`);
- a stops layer without any bus stop (``bus`` or ``brt``): the bus shares are
  "no data", not 0 %.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from areas.atlas import Repair
from areas.errors import AreasRepairWarning, AreasWarning, SchemaError, format_ids
from areas.problems import Problem
from areas.schema import MODE_GROUPS, SQM_PER_HA

if TYPE_CHECKING:
    from areas.atlas import LayerSource
    from areas.load.normalise import LayerWork

__all__ = [
    "FUTURE_YEARS",
    "OVERLAP_MIN_M2",
    "OVERLAP_RULE",
    "check_logic",
    "layer_notes",
    "district_overlaps",
]

#: A date this many years after the day of the run is probably mistyped (2052 for 2025).
FUTURE_YEARS = 10
#: Overlaps of district outlines smaller than this (square metres) are digitising slivers.
OVERLAP_MIN_M2 = 1.0
#: Which district a firm in an overlap of districts belongs to.
OVERLAP_RULE = (
    "a firm in an overlap belongs to one district: a live district before a withdrawn one, "
    "then the highest `priority`, then the latest `adopted` date (the newest local plan "
    "wins), then the first `district_id`"
)


def check_logic(work: LayerWork) -> None:
    """Run the checks of the module docstring on one layer (after its values are parsed)."""
    if work.kind == "bids":
        _end_before_start(work)
        _far_future(work, "start")
    elif work.kind == "rewilding":
        _far_future(work, "established")
    if "name" in work.schema.required:
        _blank_names(work)
    if work.kind == "districts":
        _blank_required(work, "municipality")


def _day(value) -> str:
    return str(value)[:10]


def _end_before_start(work: LayerWork) -> None:
    start, end = work.frame["start"], work.frame["end"]
    wrong = (start.notna() & end.notna() & (end < start)).to_numpy()
    if not wrong.any():
        return
    ids = work.labels(wrong)
    shown = [
        f"{i} (start {_day(s)}, end {_day(e)})"
        for i, s, e in zip(ids, start[wrong], end[wrong], strict=True)
    ]
    work.col.error(
        SchemaError,
        f"{len(ids)} BID(s) end before they start: {format_ids(shown)}",
        ids=ids,
        fix="correct `start` or `end` (day first: 01-12-2026 is 1 December); leave `end` "
        "blank for a BID that is still active",
    )


def _far_future(work: LayerWork, column: str) -> None:
    if column in work.missing_cols:
        return
    today = pd.Timestamp(dt.date.today())
    limit = today + pd.DateOffset(years=FUTURE_YEARS)
    dates = work.frame[column]
    late = (dates.notna() & (dates > limit)).to_numpy()
    if not late.any():
        return
    ids = work.labels(late)
    shown = [f"{i} ({_day(d)})" for i, d in zip(ids, dates[late], strict=True)]
    work.col.warn(
        f"`{column}` of {len(ids)} feature(s) is more than {FUTURE_YEARS} years after "
        f"today ({_day(today)}): {format_ids(shown)}; they count only from that date on",
        ids=ids,
        fix=f"check `{column}` (a mistyped year such as 2052 for 2025?); a planned date is fine",
        category=AreasWarning,
    )


def _blank_names(work: LayerWork) -> None:
    if "name" in work.missing_cols or work.ids is None:
        return
    names = work.frame["name"]
    blank = (names.isna() | (names.astype("str").str.strip() == "")).to_numpy()
    blank = blank & work.ids.notna().to_numpy()
    if not blank.any():
        return
    ids = work.labels(blank)
    work.frame.loc[blank, "name"] = work.ids[blank]
    work.source.repairs += [Repair(i, "blank `name`: named by its id") for i in ids]
    work.col.warn(
        f"{len(ids)} feature(s) have no `name` and are named by their "
        f"`{work.schema.id_column}`: {format_ids(ids)}",
        ids=ids,
        fix="give every feature a `name` in the source",
        category=AreasRepairWarning,
    )


def _blank_required(work: LayerWork, column: str) -> None:
    if column in work.missing_cols:
        return
    values = work.frame[column]
    blank = (values.isna() | (values.astype("str").str.strip() == "")).to_numpy()
    if blank.any():
        ids = work.labels(blank)
        work.col.error(
            SchemaError,
            f"`{column}` of {len(ids)} feature(s) is blank: {format_ids(ids)}",
            ids=ids,
            fix=f"give every feature a `{column}`, or one value for all in the areas.toml: "
            f'[{work.kind}.constants] {column} = "..."',
        )


# --------------------------------------------------------------------------- across a layer


def district_overlaps(districts: gpd.GeoDataFrame) -> list[tuple[str, str, float]]:
    """Return (id, id, overlap m²) for each pair of districts overlapping by > OVERLAP_MIN_M2.

    The largest overlap first; in a pair the smaller id first.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> d = gpd.GeoDataFrame({"district_id": ["a", "b", "c"]},
    ...     geometry=[box(0, 0, 100, 100), box(50, 0, 150, 100), box(150, 0, 200, 100)],
    ...     crs="EPSG:25832")
    >>> district_overlaps(d)  # b and c only touch
    [('a', 'b', 5000.0)]
    """
    geoms = np.asarray(districts.geometry.array, dtype=object)
    if len(geoms) < 2:
        return []
    ids = districts["district_id"].astype("str").to_numpy()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if not len(left):
        return []
    areas = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    big = areas > OVERLAP_MIN_M2
    pairs: list[tuple[str, str, float]] = []
    for i, j, a in zip(left[big], right[big], areas[big], strict=True):
        first, second = sorted((str(ids[i]), str(ids[j])))
        pairs.append((first, second, float(a)))
    return sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))


def _hectares(area_m2: float) -> str:
    if area_m2 >= 0.01 * SQM_PER_HA:
        return f"{area_m2 / SQM_PER_HA:,.2f} ha"
    return f"{area_m2:,.0f} m²"


def layer_notes(
    layers: dict[str, gpd.GeoDataFrame], sources: dict[str, LayerSource]
) -> list[Problem]:
    """Return the notes (severity ``"info"``) about the districts and stops layers."""
    notes = []
    districts, src = layers.get("districts"), sources.get("districts")
    if districts is not None and src is not None:
        pairs = district_overlaps(districts)
        if pairs:
            shown = [f"{a} & {b} ({_hectares(m2)})" for a, b, m2 in pairs]
            message = (
                f"{len(pairs)} pair(s) of districts overlap (more than touching): "
                f"{format_ids(shown)}; {OVERLAP_RULE}"
            )
            ids = sorted({i for a, b, _ in pairs for i in (a, b)})
            notes.append(_note("districts", src, ids, message, "OverlappingDistricts"))
    stops, src = layers.get("stops"), sources.get("stops")
    if stops is not None and src is not None and src.path is not None:
        bus = stops["mode"].isin(MODE_GROUPS["bus"]) & (stops["status"] != "withdrawn")
        if not bus.any():
            message = (
                f"the stops layer has no bus stops (mode {' or '.join(MODE_GROUPS['bus'])}; "
                f"{len(stops)} stop(s) of other modes): the bus shares are 'no data', not 0 %"
            )
            notes.append(_note("stops", src, [], message, "NoBusStops"))
    return notes


def _note(kind: str, src: LayerSource, ids: list[str], message: str, code: str) -> Problem:
    return Problem("info", kind, src.path, src.layer or kind, tuple(ids), message, None, code)
