"""Invariants of the analyses on random layers (hypothesis).

The layers are drawn on a 10 m grid near Avedøre Holme: polygons are
grid-aligned rectangles, firms sit at cell centres (so never on an edge, which
keeps reprojection round trips from moving them across one) and stops on grid
nodes (so exact distance ties are common).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from areas.analysis.assign import assign_districts
from areas.analysis.bid import bid_coverage
from areas.analysis.rewilding import rewilded_hectares
from areas.analysis.summary import summarize
from areas.analysis.transit.access import transit_access
from areas.analysis.transit.distance import Measured, StopSet
from areas.atlas import Atlas

pytestmark = pytest.mark.slow  # hypothesis runs every property on many atlases

CRS = "EPSG:25832"
X0, Y0 = 717_000.0, 6_167_000.0
CELL = 10.0
GRID = 40  # a 400 m square
AS_OF = "2024-06-30"

#: Random stops often lack a whole group: its shares are "no data", with a warning.
NO_STOPS_OF_A_GROUP = pytest.mark.filterwarnings(
    "ignore:no .* stops in service:areas.errors.AreasWarning"
)

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def rectangles(draw, min_size=1, max_size=5):
    n = draw(st.integers(min_size, max_size))
    out = []
    for _ in range(n):
        x0 = draw(st.integers(0, GRID - 1))
        y0 = draw(st.integers(0, GRID - 1))
        x1 = draw(st.integers(x0 + 1, GRID))
        y1 = draw(st.integers(y0 + 1, GRID))
        out.append(box(X0 + x0 * CELL, Y0 + y0 * CELL, X0 + x1 * CELL, Y0 + y1 * CELL))
    return out


DATES = [None, "2021-05-01", "2022-06-01", "2023-12-31", "2024-06-30", "2025-01-01"]


@st.composite
def atlases(draw):
    d_geoms = draw(rectangles(1, 4))
    districts = gpd.GeoDataFrame(
        {
            "district_id": [f"d{i}" for i in range(len(d_geoms))],
            "name": [f"District {i}" for i in range(len(d_geoms))],
            "municipality": ["Hvidovre"] * len(d_geoms),
            "status": draw(
                st.lists(
                    st.sampled_from(["existing", "planned", "withdrawn"]),
                    min_size=len(d_geoms),
                    max_size=len(d_geoms),
                )
            ),
        },
        geometry=d_geoms,
        crs=CRS,
    )
    b_geoms = draw(rectangles(0, 4))
    n_b = len(b_geoms)
    bids = gpd.GeoDataFrame(
        {
            "bid_id": [f"b{i}" for i in range(n_b)],
            "name": [f"BID {i}" for i in range(n_b)],
            "start": pd.to_datetime(
                draw(st.lists(st.sampled_from(DATES[1:]), min_size=n_b, max_size=n_b))
            ),
            "end": pd.to_datetime(
                draw(
                    st.lists(
                        st.sampled_from([None, "2023-12-31", "2030-01-01"]),
                        min_size=n_b,
                        max_size=n_b,
                    )
                )
            ),
        },
        geometry=b_geoms,
        crs=CRS,
    )
    p_geoms = draw(rectangles(0, 6))
    n_p = len(p_geoms)
    rewilding = gpd.GeoDataFrame(
        {
            "plot_id": [f"p{i}" for i in range(n_p)],
            "established": pd.to_datetime(
                draw(st.lists(st.sampled_from(DATES), min_size=n_p, max_size=n_p))
            ),
            "owner": draw(
                st.lists(
                    st.sampled_from([None, "Hvidovre Kommune", "Acme ApS", "acme aps", "Beta A/S"]),
                    min_size=n_p,
                    max_size=n_p,
                )
            ),
        },
        geometry=p_geoms,
        crs=CRS,
    )
    n_s = draw(st.integers(0, 8))
    stops = gpd.GeoDataFrame(
        {
            "stop_id": [f"s{i}" for i in range(n_s)],
            "name": [f"Stop {i}" for i in range(n_s)],
            "mode": draw(
                st.lists(
                    st.sampled_from(["s_train", "light_rail", "metro", "bus", "brt"]),
                    min_size=n_s,
                    max_size=n_s,
                )
            ),
            "status": draw(
                st.lists(
                    st.sampled_from(["existing", "planned", "study", "withdrawn"]),
                    min_size=n_s,
                    max_size=n_s,
                )
            ),
            "opens": pd.to_datetime(
                draw(st.lists(st.sampled_from(DATES), min_size=n_s, max_size=n_s))
            ),
        },
        geometry=[
            Point(
                X0 + draw(st.integers(-10, GRID + 10)) * CELL,
                Y0 + draw(st.integers(-10, GRID + 10)) * CELL,
            )
            for _ in range(n_s)
        ],
        crs=CRS,
    )
    n_f = draw(st.integers(1, 25))
    companies = gpd.GeoDataFrame(
        {
            "company_id": [f"c{i:02d}" for i in range(n_f)],
            "name": [f"Firm {i}" for i in range(n_f)],
            "employees": pd.array(
                draw(
                    st.lists(st.one_of(st.none(), st.integers(0, 500)), min_size=n_f, max_size=n_f)
                ),
                dtype="Int64",
            ),
            "bid_member": pd.array(
                draw(st.lists(st.one_of(st.none(), st.booleans()), min_size=n_f, max_size=n_f)),
                dtype="boolean",
            ),
        },
        geometry=[
            Point(
                X0 + (draw(st.integers(-2, GRID + 1)) + 0.5) * CELL,
                Y0 + (draw(st.integers(-2, GRID + 1)) + 0.5) * CELL,
            )
            for _ in range(n_f)
        ],
        crs=CRS,
    )
    return Atlas(
        districts=districts, bids=bids, rewilding=rewilding, stops=stops, companies=companies
    )


def _shuffle(frame, seed):
    return frame.iloc[np.random.default_rng(seed).permutation(len(frame))]


@NO_STOPS_OF_A_GROUP
@SETTINGS
@given(atlas=atlases())
def test_shares_are_fractions_and_counts_nest(atlas):
    s = summarize(atlas, as_of=AS_OF, include=["planned"])
    t = s.table
    for col in t.columns:
        if col.endswith("_share"):
            values = t[col].dropna()
            assert ((values >= 0) & (values <= 1)).all(), col
    in_service = s.transit.params.stops_in_service
    assert s.params.groups_without_stops == tuple(g for g, n in in_service.items() if n == 0)
    for g in s.params.groups_without_stops:
        assert t.filter(regex=f"^{g}_.*_share$").isna().all().all(), g
        assert t[f"median_{g}_distance_m"].isna().all(), g
    assert (t["companies_in_bid"] <= t["companies"]).all()
    assert (t["bid_members"] <= t["companies_in_bid"]).all()
    assert (t["bid_area_ha"] <= t["area_ha"] + 1e-9).all()
    rec = s.reconciliation
    assert rec["balanced"] and rec["companies_in"] == len(atlas.companies)
    assert t["companies"].sum() == rec["assigned"]


@SETTINGS
@given(atlas=atlases())
def test_rewilded_area_is_bounded(atlas):
    rw = rewilded_hectares(atlas.districts, atlas.rewilding, as_of=AS_OF)
    d = rw.districts
    counted = rw.plots.set_index("plot_id")["counted"]
    geoms = [
        g
        for pid, g in zip(atlas.rewilding["plot_id"], atlas.rewilding.geometry, strict=True)
        if counted[pid]
    ]
    union_ha = shapely.union_all(geoms).area / 10_000 if geoms else 0.0
    assert (d["rewilded_ha"] <= d["area_ha"] + 1e-9).all()
    assert (d["rewilded_ha"] <= union_ha + 1e-9).all()
    assert (d["rewilded_ha"] <= d["plots_sum_ha"] + 1e-9).all()
    assert (d["overlap_ha"] <= d["rewilded_ha"] + 1e-9).all()
    # The cumulative series ends at the total and never falls.
    for did, g in rw.by_year.groupby("district_id"):
        assert (np.diff(g["rewilded_ha"].to_numpy()) >= -1e-9).all()
        assert g["rewilded_ha"].iloc[-1] == pytest.approx(d.loc[did, "rewilded_ha"])


@SETTINGS
@given(atlas=atlases(), data=st.data())
def test_duplicating_a_plot_or_bid_changes_nothing(atlas, data):
    if len(atlas.rewilding):
        i = data.draw(st.integers(0, len(atlas.rewilding) - 1))
        extra = atlas.rewilding.iloc[[i]].assign(plot_id="zz-copy")
        dup = pd.concat([atlas.rewilding, extra], ignore_index=True)
        a = rewilded_hectares(atlas.districts, atlas.rewilding, as_of=AS_OF).districts
        b = rewilded_hectares(atlas.districts, dup, as_of=AS_OF).districts
        np.testing.assert_allclose(b["rewilded_ha"], a["rewilded_ha"], rtol=1e-9, atol=1e-9)
    if len(atlas.bids):
        i = data.draw(st.integers(0, len(atlas.bids) - 1))
        extra = atlas.bids.iloc[[i]].assign(bid_id="zz-copy")
        dup = pd.concat([atlas.bids, extra], ignore_index=True)
        a = bid_coverage(atlas.districts, atlas.bids, atlas.companies, as_of=AS_OF).districts
        b = bid_coverage(atlas.districts, dup, atlas.companies, as_of=AS_OF).districts
        pd.testing.assert_frame_equal(a.drop(columns="active_bids"), b.drop(columns="active_bids"))


@NO_STOPS_OF_A_GROUP
@SETTINGS
@given(atlas=atlases(), seed=st.integers(0, 2**16))
def test_row_order_does_not_matter(atlas, seed):
    base = summarize(atlas, as_of=AS_OF, include=["planned", "study"])
    shuffled = Atlas(
        **{k: _shuffle(v, seed + i) for i, (k, v) in enumerate(atlas.layers().items())}
    )
    other = summarize(shuffled, as_of=AS_OF, include=["planned", "study"])
    pd.testing.assert_frame_equal(base.table, other.table)
    a = base.transit.companies.set_index("company_id").sort_index()
    b = other.transit.companies.set_index("company_id").sort_index()
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(
        base.assignment.set_index("company_id").sort_index(),
        other.assignment.set_index("company_id").sort_index(),
    )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(atlas=atlases(), crs=st.sampled_from(["EPSG:4326", "EPSG:3035"]))
def test_input_crs_does_not_matter(atlas, crs):
    base_assign = assign_districts(atlas.companies, atlas.districts)
    other_assign = assign_districts(atlas.companies.to_crs(crs), atlas.districts.to_crs(crs))
    pd.testing.assert_frame_equal(base_assign, other_assign)

    base = bid_coverage(atlas.districts, atlas.bids, atlas.companies, as_of=AS_OF)
    other = bid_coverage(
        atlas.districts.to_crs(crs),
        atlas.bids.to_crs(crs),
        atlas.companies.to_crs(crs),
        as_of=AS_OF,
    )
    pd.testing.assert_frame_equal(base.districts, other.districts, rtol=1e-3, atol=1e-9)
    pd.testing.assert_frame_equal(base.companies, other.companies)

    rw = rewilded_hectares(atlas.districts, atlas.rewilding, as_of=AS_OF).districts
    rw2 = rewilded_hectares(
        atlas.districts.to_crs(crs), atlas.rewilding.to_crs(crs), as_of=AS_OF
    ).districts
    pd.testing.assert_frame_equal(rw, rw2, rtol=1e-3, atol=1e-6)

    t = transit_access(atlas.companies, atlas.stops, as_of=AS_OF).companies
    t2 = transit_access(atlas.companies.to_crs(crs), atlas.stops.to_crs(crs), as_of=AS_OF).companies
    for g in ("rail", "bus", "any"):
        np.testing.assert_allclose(t2[f"{g}_distance_m"], t[f"{g}_distance_m"], atol=0.5, rtol=0)
        same = t[f"nearest_{g}_stop_id"].astype(object).fillna("-") == t2[
            f"nearest_{g}_stop_id"
        ].astype(object).fillna("-")
        assert same.all()


class _Chebyshev:
    """A distance basis the seam does not know: max(|dx|, |dy|), every stop compared."""

    name = "chebyshev"
    column = "chebyshev_m"
    stop_column = "chebyshev_stop_id"

    def measure(self, firms: np.ndarray, stops: StopSet) -> Measured:
        """Compare every firm with every stop; ties to the lowest rank."""
        n = len(firms)
        if len(stops) == 0:
            return Measured.unreachable(n)
        d = np.abs(firms[:, None, :] - np.asarray(stops.xy)[None, :, :]).max(axis=2)
        best = d.min(axis=1)
        tied = d <= best[:, None] + 1e-6
        stop = np.where(tied, np.asarray(stops.rank)[None, :], np.iinfo(np.intp).max).argmin(1)
        return Measured(d[np.arange(n), stop], stop.astype(np.intp), np.zeros(n, np.int8))


@SETTINGS
@given(atlas=atlases(), factor=st.floats(1.0, 3.0))
def test_distance_bases_agree_with_their_definitions(atlas, factor):
    straight = transit_access(atlas.companies, atlas.stops, as_of=AS_OF).companies
    walk = transit_access(
        atlas.companies, atlas.stops, as_of=AS_OF, distance="walk", detour_factor=factor
    ).companies
    other = transit_access(atlas.companies, atlas.stops, as_of=AS_OF, distance=_Chebyshev())
    cheb = other.companies
    order = {"core": 0, "station_near": 1, "beyond": 2}
    for g in ("rail", "bus", "any"):
        d = straight[f"{g}_distance_m"].to_numpy()
        np.testing.assert_allclose(walk[f"{g}_walk_m"].to_numpy(), d * factor)
        c = cheb[f"{g}_chebyshev_m"].to_numpy()
        # max(|dx|, |dy|) <= straight line, and both reach a stop or neither does.
        assert np.array_equal(np.isnan(c), np.isnan(d))
        assert (c[~np.isnan(c)] <= d[~np.isnan(d)] + 1e-6).all()
    # The any group is the nearer of rail and bus, whatever the basis.
    rail, bus = cheb["rail_chebyshev_m"].to_numpy(), cheb["bus_chebyshev_m"].to_numpy()
    np.testing.assert_allclose(cheb["any_chebyshev_m"].to_numpy(), np.fmin(rail, bus))
    # A longer measure never moves a firm into a nearer band; a shorter one never out of one.
    for longer, shorter in ((walk, straight), (straight, cheb)):
        assert all(
            order[a] >= order[b]
            for a, b in zip(
                longer["rail_band"].dropna(), shorter["rail_band"].dropna(), strict=True
            )
        )


@SETTINGS
@given(
    atlas=atlases(),
    x=st.integers(-10, GRID + 10),
    y=st.integers(-10, GRID + 10),
    mode=st.sampled_from(["s_train", "bus", "metro", "brt"]),
)
def test_adding_a_stop_never_increases_a_distance(atlas, x, y, mode):
    before = transit_access(atlas.companies, atlas.stops, as_of=AS_OF).companies
    extra = gpd.GeoDataFrame(
        {
            "stop_id": ["new"],
            "name": ["New"],
            "mode": [mode],
            "status": ["existing"],
            "opens": pd.to_datetime([None]),
        },
        geometry=[Point(X0 + x * CELL, Y0 + y * CELL)],
        crs=CRS,
    )
    after = transit_access(
        atlas.companies, pd.concat([atlas.stops, extra], ignore_index=True), as_of=AS_OF
    ).companies
    for g in ("rail", "bus", "any"):
        b = before[f"{g}_distance_m"].to_numpy()
        a = after[f"{g}_distance_m"].to_numpy()
        reachable = ~np.isnan(b)
        assert (~np.isnan(a[reachable])).all()
        assert (a[reachable] <= b[reachable] + 1e-9).all()
    # the band can only move nearer
    order = {"core": 0, "station_near": 1, "beyond": 2}
    assert all(
        order[a] <= order[b] for a, b in zip(after["rail_band"], before["rail_band"], strict=True)
    )


@SETTINGS
@given(
    atlas=atlases(),
    on_edges=st.lists(st.tuples(st.integers(0, GRID), st.integers(0, GRID)), max_size=10),
)
def test_each_firm_is_assigned_exactly_once(atlas, on_edges):
    # add firms on grid nodes, where district edges and corners lie
    extra = gpd.GeoDataFrame(
        {"company_id": [f"e{i:02d}" for i in range(len(on_edges))]},
        geometry=[Point(X0 + x * CELL, Y0 + y * CELL) for x, y in on_edges],
        crs=CRS,
    )
    firms = pd.concat([atlas.companies[["company_id", "geometry"]], extra], ignore_index=True)
    result = assign_districts(firms, atlas.districts)
    assert len(result) == len(firms) and result["company_id"].is_unique
    valid = set(atlas.districts["district_id"])
    placed = result["district_id"].notna()
    assert set(result.loc[placed, "district_id"]) <= valid
    assert (result.loc[placed, "assignment"].isin(["inside", "boundary"])).all()
    assert (result.loc[~placed, "assignment"] == "outside").all()
    # the chosen district covers the firm, and "boundary" means more than one does
    geoms = dict(zip(atlas.districts["district_id"], atlas.districts.geometry, strict=True))
    for r, geom in zip(result.itertuples(), firms.geometry, strict=True):
        covering = [d for d, g in geoms.items() if g.covers(geom)]
        assert len(covering) == {"inside": 1, "outside": 0}.get(r.assignment, len(covering))
        if r.assignment == "boundary":
            assert len(covering) > 1
        if covering:
            assert r.district_id in covering
        else:
            assert pd.isna(r.district_id)
