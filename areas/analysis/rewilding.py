"""Rewilded hectares per district: land set aside for wild nature.

Rules
-----
- A plot counts on ``as_of`` when it was established on or before that date
  (:func:`areas.scenario.plots_established`). Plots without an
  ``established`` date, established later or without a geometry are not
  counted; :attr:`Rewilding.plots` says why for each.
- **Area.** A district's rewilded area is the area of the *union* of its
  counted plots clipped to the district: where plots overlap, the overlap is
  counted once. The overlaps themselves are listed (:attr:`Rewilding.overlaps`,
  pairs of plots and their shared hectares) and summed per district as
  ``overlap_ha`` (the area covered by two or more plots); ``plots_sum_ha`` is
  the naive sum of the clipped plots, so ``plots_sum_ha - rewilded_ha`` is
  what adding plots up would double count.
- **Owners.** An owner containing "kommune" (any case) is the municipality,
  any other owner is a firm, a missing owner is unknown. Owners are
  distinct by their text, compared without regard to case or spacing.
  Area by owner (and by owner kind) is the union of that owner's plots clipped
  to the district; where two owners' plots overlap, each owner's row counts
  the shared part.
- **Survey.** Plots with a ``species_count`` are survey plots
  (``survey_area_m2`` is the sampled area). Where the layer records a
  reference survey on the same row - the extra columns
  ``reference_species_count`` and ``reference_habitat``, as the bundled layer
  does for the lawn next to the wild sample plot on Avedøre Holme (105 against
  2 species) - ``wild_lawn_ratio`` is species on the plot / species on the
  reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from areas.analysis._geom import (
    MIN_AREA_M2,
    area_ha,
    area_share,
    clip_pairs,
    nullable_int,
    numeric_column,
    polygon_layer,
    safe_share,
    text_column,
    union_by_group,
)
from areas.analysis.prepared import PreparedDistricts, prepare_districts
from areas.scenario import DateLike, plots_established, resolve_as_of
from areas.schema import SQM_PER_HA

__all__ = ["OWNER_KINDS", "Rewilding", "rewilded_hectares", "owner_kind"]

#: Values of ``owner_kind``.
OWNER_KINDS = ("firm", "municipality", "unknown")

_REASONS = {
    "geometry": "no geometry",
    "undated": "no established date",
    "later": "established after as_of",
}


def owner_kind(owner: object) -> str:
    """Classify an owner as ``"municipality"``, ``"firm"`` or ``"unknown"``.

    Examples
    --------
    >>> owner_kind("Hvidovre Kommune"), owner_kind("Acme ApS"), owner_kind(None)
    ('municipality', 'firm', 'unknown')
    """
    return _kind_of_key(_owner_key(owner))


def _kind_of_key(key: str | None) -> str:
    if key is None:
        return "unknown"
    return "municipality" if "kommune" in key else "firm"


def _owner_keys(owners: np.ndarray) -> np.ndarray:
    """Owner keys of a text column (``str`` or ``None`` values, see :func:`_owner_key`)."""
    return np.array(
        [None if o is None else (" ".join(o.split()).casefold() or None) for o in owners],
        dtype=object,
    )


def _owner_key(owner: object) -> str | None:
    if owner is None or (isinstance(owner, float) and np.isnan(owner)) or owner is pd.NA:
        return None
    key = " ".join(str(owner).split()).casefold()
    return key or None


@dataclass(frozen=True, eq=False)
class Rewilding:
    """Rewilded area per district on one date.

    Attributes
    ----------
    districts : pandas.DataFrame
        Indexed by ``district_id`` (sorted): ``area_ha``, ``rewilded_ha``,
        ``rewilded_share``, ``plots`` (counted plots overlapping the
        district), ``owners``, ``firm_owners``, ``municipal_owners``,
        ``overlap_ha``, ``plots_sum_ha``, ``firm_ha``, ``municipal_ha``,
        ``unknown_owner_ha``.
    by_year : pandas.DataFrame
        ``district_id``, ``year``, ``rewilded_ha`` (cumulative, plots
        established by the end of the year and by ``as_of``), ``added_ha``,
        ``rewilded_share``; every district for every year from the first
        establishment to ``as_of``.
    by_owner : pandas.DataFrame
        ``district_id``, ``owner``, ``owner_kind``, ``plots``, ``area_ha``,
        ``rewilded_share_of_district`` (of the district's rewilded area).
    overlaps : pandas.DataFrame
        ``plot_id_a`` < ``plot_id_b``, ``overlap_ha``: counted plots that overlap.
    plots : pandas.DataFrame
        One row per plot (sorted by ``plot_id``): ``plot_id``, ``district_id``
        (holding most of the plot), ``owner``, ``owner_kind``, ``established``,
        ``habitat``, ``counted``, ``reason`` (why not counted), ``area_ha``,
        ``in_districts_ha``, ``species_count``, ``survey_area_m2``.
    survey : pandas.DataFrame
        Plots with a species count (sorted by id): ``plot_id``,
        ``district_id``, ``counted``, ``habitat``, ``species_count``,
        ``survey_area_m2``, ``reference_habitat``,
        ``reference_species_count`` and ``wild_lawn_ratio`` (missing where the
        layer has no reference survey).
    as_of : pandas.Timestamp
        The date.
    """

    districts: pd.DataFrame
    by_year: pd.DataFrame
    by_owner: pd.DataFrame
    overlaps: pd.DataFrame
    plots: pd.DataFrame
    survey: pd.DataFrame
    as_of: pd.Timestamp

    def _repr_html_(self) -> str:
        head = f"<p><b>Rewilding</b> as of {self.as_of.date().isoformat()}</p>"
        return head + self.districts._repr_html_()

    def __repr__(self) -> str:
        counted = int(self.plots["counted"].sum()) if len(self.plots) else 0
        return (
            f"Rewilding(as_of={self.as_of.date().isoformat()}, districts={len(self.districts)}, "
            f"plots={len(self.plots)} ({counted} counted), "
            f"rewilded_ha={self.districts['rewilded_ha'].sum():.2f})"
        )


@dataclass(frozen=True, eq=False)
class _Plots:
    """The plots of the layer as arrays in its row order, checked and classified."""

    ids: np.ndarray  # plot_id as str
    geoms: np.ndarray  # EPSG:25832
    ok: np.ndarray  # a usable polygon
    est: np.ndarray  # established, datetime64 (NaT: no date)
    counted: np.ndarray  # ok and established by as_of
    reason: np.ndarray  # why not counted (None when counted)
    owners: np.ndarray  # owner text or None
    keys: np.ndarray  # owner key (see _owner_key)
    kinds: np.ndarray  # owner kind
    habitat: np.ndarray


def _plots(
    rewilding: gpd.GeoDataFrame, ts: pd.Timestamp, established: np.ndarray | None = None
) -> _Plots:
    ids, geoms, ok = polygon_layer(rewilding, "plot_id", ["established"], layer="rewilding")
    # Calendar days, as :func:`plots_established` compares them: a plot planted at
    # 10:00 on 31 December belongs to that year.
    est = pd.to_datetime(rewilding["established"]).dt.normalize().to_numpy()
    if established is None:
        established = plots_established(rewilding, ts)
    reason = np.full(len(ids), None, dtype=object)
    reason[pd.isna(est)] = _REASONS["undated"]
    reason[~pd.isna(est) & ~established] = _REASONS["later"]
    reason[~ok] = _REASONS["geometry"]
    owners = text_column(rewilding, "owner")
    keys = _owner_keys(owners)
    return _Plots(
        ids=ids,
        geoms=geoms,
        ok=ok,
        est=est,
        counted=ok & established,
        reason=reason,
        owners=owners,
        keys=keys,
        kinds=np.array([_kind_of_key(k) for k in keys], dtype=object),
        habitat=text_column(rewilding, "habitat"),
    )


def _rewilding(
    d: PreparedDistricts,
    rewilding: gpd.GeoDataFrame,
    ts: pd.Timestamp,
    established: np.ndarray | None = None,
) -> Rewilding:
    """Measure rewilding; ``established`` is :func:`areas.scenario.plots_established` if known."""
    p = _plots(rewilding, ts, established)
    n_d = len(d.ids)
    keys, kinds = p.keys, p.kinds

    # Every usable plot clipped to every district it overlaps.
    d_idx, p_idx, clipped = clip_pairs(p.geoms, d.geoms)
    clipped_m2 = shapely.area(clipped)
    cm = p.counted[p_idx]
    cd, cp, cg, ca = d_idx[cm], p_idx[cm], clipped[cm], clipped_m2[cm]

    district_area = area_ha(d.geoms)
    rewilded = area_ha(union_by_group(cg, cd, n_d))
    plots_sum = np.bincount(cd, weights=ca, minlength=n_d) / SQM_PER_HA
    plots_n = np.bincount(cd, minlength=n_d)

    # Owners per district.
    has_owner = np.array([k is not None for k in keys[cp]], dtype=bool)
    pairs = pd.DataFrame(
        {"d": cd[has_owner], "key": keys[cp][has_owner], "kind": kinds[cp][has_owner]}
    )
    pairs = pairs.drop_duplicates(["d", "key"])
    owners_n = np.bincount(pairs["d"].to_numpy(dtype=np.intp), minlength=n_d)
    firm_n = np.bincount(
        pairs.loc[pairs["kind"] == "firm", "d"].to_numpy(dtype=np.intp), minlength=n_d
    )
    muni_n = np.bincount(
        pairs.loc[pairs["kind"] == "municipality", "d"].to_numpy(dtype=np.intp), minlength=n_d
    )
    kind_ha = {}
    for kind in OWNER_KINDS:
        sel = kinds[cp] == kind
        kind_ha[kind] = area_ha(union_by_group(cg[sel], cd[sel], n_d))

    # Overlaps between counted plots.
    overlaps, overlap_geoms = _overlaps(p.ids, p.geoms, p.counted)
    od, _, og = clip_pairs(overlap_geoms, d.geoms)
    overlap_ha = area_ha(union_by_group(og, od, n_d))

    index = pd.Index(d.ids, name="district_id", dtype="str")
    table = pd.DataFrame(
        {
            "area_ha": district_area,
            "rewilded_ha": rewilded,
            "rewilded_share": area_share(rewilded, district_area),
            "plots": plots_n.astype(np.int64),
            "owners": owners_n.astype(np.int64),
            "firm_owners": firm_n.astype(np.int64),
            "municipal_owners": muni_n.astype(np.int64),
            "overlap_ha": overlap_ha,
            "plots_sum_ha": plots_sum,
            "firm_ha": kind_ha["firm"],
            "municipal_ha": kind_ha["municipality"],
            "unknown_owner_ha": kind_ha["unknown"],
        },
        index=index,
    ).sort_index()

    by_year = _by_year(d, district_area, p.est[cp], cd, cg, ts)
    by_owner = _by_owner(d, rewilded, cd, cp, cg, p)
    plots = _plots_table(d, rewilding, p, d_idx, p_idx, clipped_m2)
    survey = _survey(plots, rewilding)
    return Rewilding(
        districts=table,
        by_year=by_year,
        by_owner=by_owner,
        overlaps=overlaps,
        plots=plots,
        survey=survey,
        as_of=ts,
    )


def _overlaps(
    ids: np.ndarray, geoms: np.ndarray, counted: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray]:
    idx = np.flatnonzero(counted)
    columns = {
        "plot_id_a": pd.array([], dtype="str"),
        "plot_id_b": pd.array([], dtype="str"),
        "overlap_ha": np.array([]),
    }
    if len(idx) < 2:
        return pd.DataFrame(columns), np.empty(0, dtype=object)
    tree = shapely.STRtree(geoms[idx])
    qi, qj = tree.query(geoms[idx], predicate="intersects")
    i, j = idx[qi], idx[qj]
    # Each unordered pair once, the lower id first.
    first = ids[i].astype(str) < ids[j].astype(str)
    i, j = i[first], j[first]
    inter = shapely.intersection(geoms[i], geoms[j])
    a = shapely.area(inter)
    keep = a >= MIN_AREA_M2
    i, j, inter, a = i[keep], j[keep], inter[keep], a[keep]
    frame = pd.DataFrame(
        {
            "plot_id_a": pd.array(ids[i], dtype="str"),
            "plot_id_b": pd.array(ids[j], dtype="str"),
            "overlap_ha": a / SQM_PER_HA,
        }
    )
    order = np.lexsort(
        (frame["plot_id_b"].to_numpy(dtype=object), frame["plot_id_a"].to_numpy(dtype=object))
    )
    return frame.iloc[order].reset_index(drop=True), inter


def _by_year(
    d: PreparedDistricts,
    district_area: np.ndarray,
    est: np.ndarray,
    cd: np.ndarray,
    cg: np.ndarray,
    ts: pd.Timestamp,
) -> pd.DataFrame:
    columns = ["district_id", "year", "rewilded_ha", "added_ha", "rewilded_share"]
    if len(cd) == 0:
        return pd.DataFrame(
            {c: pd.Series(dtype="str" if c == "district_id" else float) for c in columns}
        ).astype({"year": np.int64})
    n_d = len(d.ids)
    years = np.arange(pd.Timestamp(est.min()).year, ts.year + 1)
    rows = []
    previous = np.zeros(n_d)
    prev_cutoff = np.datetime64("NaT")
    for y in years:
        cutoff = np.datetime64(min(ts, pd.Timestamp(year=int(y), month=12, day=31)))
        # Only districts with a plot established this year change.
        new = (est <= cutoff) if np.isnat(prev_cutoff) else ((est > prev_cutoff) & (est <= cutoff))
        changed = np.zeros(n_d, dtype=bool)
        changed[cd[new]] = True
        ha = previous.copy()
        if changed.any():
            sel = (est <= cutoff) & changed[cd]
            ha[changed] = area_ha(union_by_group(cg[sel], cd[sel], n_d))[changed]
        prev_cutoff = cutoff
        rows.append(
            pd.DataFrame(
                {
                    "district_id": pd.array(d.ids, dtype="str"),
                    "year": np.full(n_d, y, dtype=np.int64),
                    "rewilded_ha": ha,
                    "added_ha": ha - previous,
                    "rewilded_share": area_share(ha, district_area),
                }
            )
        )
        previous = ha
    out = pd.concat(rows, ignore_index=True)
    return out.sort_values(["district_id", "year"], kind="stable").reset_index(drop=True)


def _by_owner(
    d: PreparedDistricts,
    rewilded: np.ndarray,
    cd: np.ndarray,
    cp: np.ndarray,
    cg: np.ndarray,
    p: _Plots,
) -> pd.DataFrame:
    # Display name of an owner key: its first spelling in sorted order.
    display: dict[str, str] = {}
    for k, o in sorted(
        ((k, o) for k, o in zip(p.keys, p.owners, strict=True) if k is not None),
        key=lambda t: (t[0], t[1]),
    ):
        display.setdefault(k, o)
    key_of_piece = np.array(["\0unknown" if k is None else k for k in p.keys[cp]], dtype=object)
    groups = pd.DataFrame({"d": cd, "key": key_of_piece})
    codes, uniques = pd.MultiIndex.from_frame(groups).factorize()
    n_g = len(uniques)
    union = union_by_group(cg, codes, n_g)
    plots_per = (
        pd.DataFrame({"g": codes, "p": cp})
        .drop_duplicates()
        .groupby("g")
        .size()
        .reindex(range(n_g), fill_value=0)
    )
    g_d = np.array([u[0] for u in uniques], dtype=np.intp) if n_g else np.empty(0, dtype=np.intp)
    g_key = [u[1] for u in uniques]
    ha = area_ha(union)
    out = pd.DataFrame(
        {
            "district_id": pd.array(d.ids[g_d], dtype="str"),
            "owner": pd.array(
                [None if k == "\0unknown" else display[k] for k in g_key], dtype="str"
            ),
            "owner_kind": pd.array(
                [owner_kind(None if k == "\0unknown" else k) for k in g_key], dtype="str"
            ),
            "plots": plots_per.to_numpy(dtype=np.int64),
            "area_ha": ha,
            "rewilded_share_of_district": area_share(ha, rewilded[g_d]) if n_g else np.array([]),
        }
    )
    out = out.sort_values(
        ["district_id", "area_ha", "owner"], ascending=[True, False, True], na_position="last"
    )
    return out.reset_index(drop=True)


def _plots_table(
    d: PreparedDistricts,
    rewilding: gpd.GeoDataFrame,
    p: _Plots,
    d_idx: np.ndarray,
    p_idx: np.ndarray,
    clipped_m2: np.ndarray,
) -> pd.DataFrame:
    n_p = len(p.ids)
    in_districts = np.bincount(p_idx, weights=clipped_m2, minlength=n_p) / SQM_PER_HA
    main = np.full(n_p, -1, dtype=np.intp)
    if len(p_idx):
        order = np.lexsort((d.rank[d_idx], -clipped_m2, p_idx))
        ps = p_idx[order]
        first = np.r_[True, ps[1:] != ps[:-1]]
        main[ps[first]] = d_idx[order][first]
    district_id = np.full(n_p, None, dtype=object)
    district_id[main >= 0] = d.ids[main[main >= 0]]
    frame = pd.DataFrame(
        {
            "plot_id": pd.array(p.ids, dtype="str"),
            "district_id": pd.array(district_id, dtype="str"),
            "owner": pd.array(p.owners, dtype="str"),
            "owner_kind": pd.array(p.kinds, dtype="str"),
            "established": p.est,
            "habitat": pd.array(p.habitat, dtype="str"),
            "counted": p.counted,
            "reason": pd.array(p.reason, dtype="str"),
            "area_ha": np.where(p.ok, area_ha(p.geoms), np.nan),
            "in_districts_ha": in_districts,
            "species_count": nullable_int(numeric_column(rewilding, "species_count")),
            "survey_area_m2": numeric_column(rewilding, "survey_area_m2"),
        }
    )
    order = np.argsort(p.ids.astype(str), kind="stable")
    return frame.iloc[order].reset_index(drop=True)


def _survey(plots: pd.DataFrame, rewilding: pd.DataFrame) -> pd.DataFrame:
    """Survey plots (sorted by id) with the reference survey recorded on the same row."""
    by_id = pd.DataFrame(
        {
            "plot_id": rewilding["plot_id"].astype(str).to_numpy(),
            "reference_habitat": text_column(rewilding, "reference_habitat"),
            "reference_species_count": numeric_column(rewilding, "reference_species_count"),
        }
    ).set_index("plot_id")
    surveyed = plots[plots["species_count"].notna()]
    ref = by_id.reindex(surveyed["plot_id"].to_numpy())
    species = surveyed["species_count"].to_numpy(dtype=float, na_value=np.nan)
    ref_species = ref["reference_species_count"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "plot_id": surveyed["plot_id"].array,
            "district_id": surveyed["district_id"].array,
            "counted": surveyed["counted"].to_numpy(),
            "habitat": surveyed["habitat"].array,
            "species_count": surveyed["species_count"].array,
            "survey_area_m2": surveyed["survey_area_m2"].to_numpy(),
            "reference_habitat": pd.array(
                ref["reference_habitat"].to_numpy(dtype=object), dtype="str"
            ),
            "reference_species_count": nullable_int(ref_species),
            "wild_lawn_ratio": safe_share(species, ref_species),
        }
    ).reset_index(drop=True)


def rewilded_hectares(
    districts: gpd.GeoDataFrame,
    rewilding: gpd.GeoDataFrame,
    *,
    as_of: DateLike = None,
) -> Rewilding:
    """Measure the rewilded area of each district, never counting an overlap twice.

    Parameters
    ----------
    districts : geopandas.GeoDataFrame
        District polygons with ``district_id``.
    rewilding : geopandas.GeoDataFrame
        Plot polygons with ``plot_id`` and ``established``; ``owner``,
        ``habitat``, ``species_count``, ``survey_area_m2`` used when present.
    as_of : date-like, optional
        The date (default: today).

    Returns
    -------
    Rewilding
        ``.districts``, ``.by_year``, ``.by_owner``, ``.overlaps``, ``.plots``,
        ``.survey`` and ``.as_of``; the module docstring gives the rules.

    Raises
    ------
    areas.errors.MissingCrsError
        If a frame has no CRS.
    areas.errors.MissingColumnError
        If ``rewilding`` lacks ``plot_id`` or ``established``.

    Examples
    --------
    A 1 ha district with two 0.25 ha plots overlapping by 0.05 ha, one owned by
    the municipality; the second plot was established in 2023:

    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely.geometry import box
    >>> districts = gpd.GeoDataFrame(
    ...     {"district_id": ["d"]}, geometry=[box(0, 0, 100, 100)], crs="EPSG:25832")
    >>> plots = gpd.GeoDataFrame(
    ...     {"plot_id": ["p1", "p2"], "owner": ["Hvidovre Kommune", "Acme ApS"],
    ...      "established": pd.to_datetime(["2022-05-01", "2023-04-01"])},
    ...     geometry=[box(0, 0, 50, 50), box(40, 0, 90, 50)], crs="EPSG:25832")
    >>> rw = rewilded_hectares(districts, plots, as_of="2023-12-31")
    >>> rw.districts[["rewilded_ha", "rewilded_share", "overlap_ha", "owners", "municipal_owners"]]
    ... # doctest: +NORMALIZE_WHITESPACE
                 rewilded_ha  rewilded_share  overlap_ha  owners  municipal_owners
    district_id
    d                   0.45            0.45        0.05       2                 1
    >>> rw.by_year[["year", "rewilded_ha"]]
       year  rewilded_ha
    0  2022         0.25
    1  2023         0.45
    """
    ts = resolve_as_of(as_of)
    return _rewilding(prepare_districts(districts), rewilding, ts)
