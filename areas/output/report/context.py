"""The typed context of one report run: options, analyses and what has been written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from areas._atomic import write_text
from areas.errors import OutputError
from areas.output.report.slugs import district_slugs
from areas.output.report.tables import _label


@dataclass(frozen=True)
class ReportOptions:
    """What the user asked for, checked and resolved."""

    selected: list[str]
    as_of: pd.Timestamp
    compare_as_of: pd.Timestamp | None
    include: tuple[str, ...]
    thresholds: tuple[float, ...]
    distance: str
    lang: str
    csv_dialect: str = "standard"
    database: str | None = None
    schema: str | None = None
    tiles: Any = False
    tiles_attribution: str | None = None
    background: Any = "auto"
    accessibility_statement: str | None = None
    public: bool = False
    public_min_firms: int = 5


@dataclass
class ReportContext:
    """Everything the pages and files of one report are made from, and the files written.

    Built by :func:`make_context`; the page and file functions read it and
    record each file they write in ``files`` (relative, ``/``-separated).
    """

    atlas: Any
    staging: Path
    summary: Any
    summary_before: Any
    comparison: pd.DataFrame | None
    options: ReportOptions
    steps: Any
    started: dt.datetime
    t0: float
    slugs: dict[str, str]
    stop_mask: np.ndarray
    bid_mask: np.ndarray
    plot_mask: np.ndarray
    table: pd.DataFrame
    table_before: pd.DataFrame | None
    districts_by_id: pd.DataFrame
    companies: pd.DataFrame
    files: list[str] = field(default_factory=list)
    csv_rows: dict[str, int] = field(default_factory=dict)
    gpkg: dict[str, int] = field(default_factory=dict)
    layers: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    prov_view: dict[str, Any] = field(default_factory=dict)
    env: Any = None
    common: dict[str, Any] = field(default_factory=dict)
    #: What the pages of every district share, made once a report (see :meth:`firms_of`).
    memo: dict[str, Any] = field(default_factory=dict)

    # the options, read often
    @property
    def selected(self) -> list[str]:
        """``options.selected``."""
        return self.options.selected

    @property
    def as_of(self) -> pd.Timestamp:
        """``options.as_of``."""
        return self.options.as_of

    @property
    def compare_as_of(self) -> pd.Timestamp | None:
        """``options.compare_as_of``."""
        return self.options.compare_as_of

    @property
    def include(self) -> tuple[str, ...]:
        """``options.include``."""
        return self.options.include

    @property
    def thresholds(self) -> tuple[float, ...]:
        """``options.thresholds``."""
        return self.options.thresholds

    @property
    def distance(self) -> str:
        """``options.distance``."""
        return self.options.distance

    @property
    def lang(self) -> str:
        """``options.lang``."""
        return self.options.lang

    @property
    def public(self) -> bool:
        """``options.public``: the public edition (no single firm)."""
        return self.options.public
    def station_zones(self) -> tuple[Any, Any]:
        """Return the Fingerplan station zones of the report's basis and the 600/1,200 m circles."""
        from areas.analysis.fingerplan import circles, station_zones

        if "station_zones" not in self.common:
            factor = self.summary.params.detour_factor
            zones = station_zones(
                self.atlas,
                as_of=self.as_of,
                include=self.include,
                distance=self.distance,
                detour_factor=factor,
            )
            rings = circles(self.atlas, as_of=self.as_of, include=self.include)
            self.common["station_zones"] = (zones, rings)
        return self.common["station_zones"]

    def firms_of(self, district: str) -> pd.DataFrame:
        """Return the rows of :attr:`companies` in district ``district``, in their order."""
        if "firm_rows" not in self.memo:
            ids = self.companies["district_id"]
            self.memo["firm_rows"] = {
                str(k): v for k, v in ids.groupby(ids, sort=False).indices.items()
            }
        rows = self.memo["firm_rows"].get(district)
        return self.companies.iloc[rows if rows is not None else []]

    def L(self, key: str, **values: Any) -> str:  # noqa: N802 - the templates' name for it
        """Return the report label ``key`` in the report's language."""
        return _label(key, self.lang, **values)

    def rel(self, *parts: str) -> Path:
        """Return the staging path of a report file, recording it; refuse paths outside."""
        path = self.staging.joinpath(*parts)
        if self.staging.resolve() not in path.resolve().parents:
            msg = f"refusing to write outside the report folder: {path}"
            raise OutputError(msg, path=path)
        self.files.append("/".join(parts))
        return path

    def render(self, template: str, target: tuple[str, ...], **context: Any) -> None:
        """Render a page template into the report file ``target``."""
        text = self.env.get_template(template).render(**self.common, **context)
        write_text(self.rel(*target), text)


def make_context(
    atlas: Any,
    staging: Path,
    summary: Any,
    summary_before: Any,
    comparison: pd.DataFrame | None,
    options: ReportOptions,
    *,
    steps: Any,
    started: dt.datetime,
    t0: float,
) -> ReportContext:
    """Return the context of a report: the options, the analyses and the tables they give."""
    from areas.scenario import active_bids, plots_established, stops_in_service

    table_before = None
    if summary_before is not None:
        table_before = by_district(pd.DataFrame(summary_before.table))
    dist = atlas.districts
    companies = companies_table(atlas, summary)
    if len(options.selected) != len(atlas.districts):
        companies = companies[companies["district_id"].isin(options.selected)]
    return ReportContext(
        atlas=atlas,
        staging=staging,
        summary=summary,
        summary_before=summary_before,
        comparison=comparison,
        options=options,
        steps=steps,
        started=started,
        t0=t0,
        slugs=district_slugs(options.selected),
        stop_mask=np.asarray(
            stops_in_service(atlas.stops, options.as_of, options.include), dtype=bool
        ),
        bid_mask=np.asarray(active_bids(atlas.bids, options.as_of), dtype=bool),
        plot_mask=np.asarray(plots_established(atlas.rewilding, options.as_of), dtype=bool),
        table=by_district(pd.DataFrame(summary.table)),
        table_before=table_before,
        districts_by_id=dist.set_index(dist["district_id"].astype(str), drop=False),
        companies=companies,
    )


def by_district(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` indexed by its ``district_id`` column (as text), when it has one."""
    if "district_id" in frame.columns:
        frame = frame.set_index("district_id", drop=False)
        frame.index = frame.index.astype(str)
        frame.index.name = "district_id"
    return frame


def companies_table(atlas: Any, summary: Any) -> pd.DataFrame:
    """One row per firm: its attributes, district, BID status, nearest stops, service."""
    firms = atlas.companies
    base_cols = [
        c
        for c in ("company_id", "name", "employees", "sector", "address", "bid_member")
        if c in firms.columns
    ]
    out = pd.DataFrame(firms[base_cols]).copy()
    out["company_id"] = out["company_id"].astype(str)
    assignment = summary.assignment
    a = pd.DataFrame(assignment)[
        [c for c in ("company_id", "district_id", "assignment") if c in assignment.columns]
    ]
    out = out.merge(
        a.drop_duplicates("company_id"), on="company_id", how="left", validate="one_to_one"
    )
    names = atlas.districts.set_index(atlas.districts["district_id"].astype(str))["name"]
    out.insert(
        out.columns.get_loc("district_id") + 1, "district_name", out["district_id"].map(names)
    )
    bidc = pd.DataFrame(summary.bid.companies)
    keep = [c for c in ("company_id", "in_bid", "bid_id") if c in bidc.columns]
    out = out.merge(
        bidc[keep].drop_duplicates("company_id"), on="company_id", how="left", validate="one_to_one"
    )
    # nearest stops, distances and band (the firms' employees are already in)
    # (the firm's name and district are already in too)
    tc = pd.DataFrame(summary.transit.companies).drop(
        columns=["employees", "name", "district_id"], errors="ignore"
    )
    for c in tc.columns:
        if isinstance(tc[c].dtype, pd.CategoricalDtype):
            tc[c] = tc[c].astype(object).where(tc[c].notna(), None)
    out = out.merge(
        tc.drop_duplicates("company_id"), on="company_id", how="left", validate="one_to_one"
    )
    service = getattr(summary, "service", None)
    if service is not None:  # departures per hour, PTAL, DG REGIO access
        from areas.analysis.service_summary import FIRM_COLUMNS

        sf = service.firms[list(FIRM_COLUMNS)].rename_axis("company_id").reset_index()
        sf["company_id"] = sf["company_id"].astype(str)
        out = out.merge(sf, on="company_id", how="left", validate="one_to_one")
    geom = firms.geometry
    xy_ok = ~(geom.isna() | geom.is_empty)
    out["easting_m"] = np.where(xy_ok, geom.x.where(xy_ok), np.nan).round(2)
    out["northing_m"] = np.where(xy_ok, geom.y.where(xy_ok), np.nan).round(2)
    out.index = firms.index
    return out
