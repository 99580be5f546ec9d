"""Assignment of firms to districts: hand-checked squares, the boundary rule, a slow reference."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point, Polygon, box

from areas.analysis.assign import assign_districts
from areas.analysis.prepared import (
    Assignment,
    PreparedDistricts,
    PreparedFirms,
    prepare_assignment,
)
from areas.dates import read_date
from areas.errors import (
    CrsError,
    DuplicateIdError,
    GeometryError,
    GeometryTypeError,
    MissingColumnError,
    SchemaError,
)

CRS = "EPSG:25832"
# Somewhere on Avedøre Holme, so that reprojection behaves as it does for real data.
X0, Y0 = 717_000.0, 6_167_000.0


def sq(x0, y0, x1, y1):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def pt(x, y):
    return Point(X0 + x, Y0 + y)


@pytest.fixture
def districts():
    # alpha | beta share the edge x = 100; "a-withdrawn" overlaps beta on 150..200 and
    # sorts first by id but is withdrawn, so it loses every tie.
    return gpd.GeoDataFrame(
        {
            "district_id": ["alpha", "beta", "a-withdrawn", "gamma"],
            "name": ["Alpha", "Beta", "Withdrawn", "Gamma"],
            "municipality": ["M", "M", "M", "M"],
            "status": ["existing", "existing", "withdrawn", "planned"],
        },
        geometry=[
            sq(0, 0, 100, 100),
            sq(100, 0, 200, 100),
            sq(150, 0, 250, 100),
            sq(300, 0, 400, 100),
        ],
        crs=CRS,
    )


@pytest.fixture
def firms():
    return gpd.GeoDataFrame(
        {"company_id": ["f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10"]},
        geometry=[
            pt(50, 50),  # alpha
            pt(100, 50),  # alpha/beta edge -> alpha (id order)
            pt(175, 50),  # beta + withdrawn -> beta (withdrawn last)
            pt(225, 50),  # only the withdrawn district
            pt(500, 50),  # nowhere
            pt(0, 0),  # alpha's outer corner: covered, so inside
            None,  # no geometry
            Point(),  # empty point
            pt(200, 50),  # beta's edge, inside the withdrawn one -> beta
            pt(350, 100),  # gamma's outer edge
        ],
        crs=CRS,
    )


EXPECTED = {
    "f1": ("alpha", "inside"),
    "f2": ("alpha", "boundary"),
    "f3": ("beta", "boundary"),
    "f4": ("a-withdrawn", "inside"),
    "f5": (None, "outside"),
    "f6": ("alpha", "inside"),
    "f7": (None, "excluded"),
    "f8": (None, "excluded"),
    "f9": ("beta", "boundary"),
    "f10": ("gamma", "inside"),
}


def as_dict(result: pd.DataFrame) -> dict:
    return {
        r.company_id: (None if pd.isna(r.district_id) else r.district_id, r.assignment)
        for r in result.itertuples()
    }


def test_hand_checked_assignment(firms, districts):
    result = assign_districts(firms, districts)
    assert list(result.columns) == ["company_id", "district_id", "assignment", "excluded_reason"]
    assert result.index.equals(firms.index)
    assert as_dict(result) == EXPECTED
    reasons = result.set_index("company_id")["excluded_reason"]
    assert reasons["f7"] == "no location: null geometry"
    assert reasons["f8"] == "no location: empty geometry"
    assert reasons.drop(["f7", "f8"]).isna().all()


def test_every_firm_counted_once(firms, districts):
    result = assign_districts(firms, districts)
    counts = result["assignment"].value_counts()
    assert counts.sum() == len(firms)
    assert counts["inside"] + counts["boundary"] + counts["outside"] + counts["excluded"] == len(
        firms
    )
    assert result["company_id"].is_unique


def test_row_order_does_not_matter(firms, districts):
    expected = as_dict(assign_districts(firms, districts))
    rng = np.random.default_rng(7)
    for _ in range(5):
        f = firms.iloc[rng.permutation(len(firms))]
        d = districts.iloc[rng.permutation(len(districts))]
        result = assign_districts(f, d)
        assert result.index.equals(f.index)
        assert as_dict(result) == expected


def test_index_labels_are_kept(firms, districts):
    f = firms.set_index(pd.Index([f"row{i}" for i in range(len(firms))]))
    result = assign_districts(f, districts)
    assert list(result.index) == list(f.index)


def test_inputs_are_not_mutated(firms, districts):
    f0, d0 = firms.copy(), districts.copy()
    assign_districts(firms, districts)
    assert_geodataframe_equal(firms, f0)
    assert_geodataframe_equal(districts, d0)


@pytest.mark.parametrize(
    ("firm_crs", "district_crs"), [("EPSG:4326", "EPSG:3035"), ("EPSG:3035", "EPSG:4326")]
)
def test_other_crs_give_the_same_answer(firms, districts, firm_crs, district_crs):
    # Points exactly on an edge may fall a nanometre either side after reprojection;
    # compare the firms that are clearly inside or outside.
    clear = ["f1", "f3", "f4", "f5", "f7", "f8"]
    f = firms[firms["company_id"].isin(clear)]
    result = assign_districts(f.to_crs(firm_crs), districts.to_crs(district_crs))
    assert as_dict(result) == {k: EXPECTED[k] if k != "f3" else ("beta", "boundary") for k in clear}


def test_missing_crs_is_an_error(firms, districts):
    with pytest.raises(CrsError, match="no CRS"):
        assign_districts(firms.set_crs(None, allow_override=True), districts)
    with pytest.raises(CrsError, match="`districts`"):
        assign_districts(firms, districts.set_crs(None, allow_override=True))


def test_duplicate_and_missing_ids(firms, districts):
    dup = districts.copy()
    dup.loc[1, "district_id"] = "alpha"
    with pytest.raises(DuplicateIdError, match="alpha"):
        assign_districts(firms, dup)
    with pytest.raises(MissingColumnError, match="company_id"):
        assign_districts(firms.drop(columns="company_id"), districts)


def test_wrong_and_invalid_geometries(firms, districts):
    bow_tie = Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])
    bad = districts.copy()
    bad.loc[0, "geometry"] = bow_tie
    with pytest.raises(GeometryError, match="alpha"):
        assign_districts(firms, bad)
    poly_firms = firms.copy()
    poly_firms.loc[0, "geometry"] = sq(0, 0, 1, 1)
    with pytest.raises(GeometryTypeError, match="f1"):
        assign_districts(poly_firms, districts)


def test_no_districts_means_everyone_outside(firms, districts):
    result = assign_districts(firms, districts.iloc[0:0])
    located = result["assignment"] != "excluded"
    assert (result.loc[located, "assignment"] == "outside").all()
    assert result["district_id"].isna().all()


# --------------------------------------------------------------------------- slow reference


def _day(value) -> dt.date:
    """Return a date as written in the frame; text is day first (read_date is tested)."""
    return read_date(value) if isinstance(value, str) else pd.Timestamp(value).date()


def reference_assign(firms: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> dict:
    """One firm at a time, one district at a time, with shapely's `covers`.

    The districts are ordered by the overlap rule written out longhand: live
    first, then the highest `priority` (none after any), then the latest
    `adopted` (none after any), then the id.
    """

    def value(column, i):
        if column not in districts.columns:
            return None
        v = districts[column].iloc[i]
        return None if pd.isna(v) else v

    def key(i):
        priority, adopted = value("priority", i), value("adopted", i)
        return (
            value("status", i) == "withdrawn",
            priority is None,
            -(priority or 0),
            adopted is None,
            -(_day(adopted).toordinal() if adopted is not None else 0),
            districts["district_id"].iloc[i],
        )

    order = sorted(range(len(districts)), key=key)
    out = {}
    for cid, geom in zip(firms["company_id"], firms.geometry, strict=True):
        if geom is None or geom.is_empty:
            out[cid] = (None, "excluded")
            continue
        covering = [i for i in order if districts.geometry.iloc[i].covers(geom)]
        if not covering:
            out[cid] = (None, "outside")
        else:
            out[cid] = (
                districts["district_id"].iloc[covering[0]],
                "inside" if len(covering) == 1 else "boundary",
            )
    return out


def test_matches_slow_reference_on_a_grid_with_many_edge_points():
    rng = np.random.default_rng(42)
    polys, ids, status = [], [], []
    for k in range(12):
        x, y = rng.integers(0, 8, size=2) * 50
        w, h = rng.integers(1, 5, size=2) * 50
        polys.append(sq(x, y, x + w, y + h))
        ids.append(f"d{k:02d}")
        status.append("withdrawn" if k % 4 == 0 else "existing")
    districts = gpd.GeoDataFrame({"district_id": ids, "status": status}, geometry=polys, crs=CRS)
    xy = rng.integers(0, 13, size=(400, 2)) * 25  # many on edges and corners
    firms = gpd.GeoDataFrame(
        {"company_id": [f"c{i:03d}" for i in range(len(xy))]},
        geometry=[pt(x, y) for x, y in xy],
        crs=CRS,
    )
    assert as_dict(assign_districts(firms, districts)) == reference_assign(firms, districts)


def test_prepared_assignment_is_what_assign_districts_reports():
    rng = np.random.default_rng(7)
    districts = gpd.GeoDataFrame(
        {"district_id": ["b", "a", "c"], "status": ["existing", "existing", "withdrawn"]},
        geometry=[sq(0, 0, 100, 100), sq(100, 0, 200, 100), sq(50, 0, 150, 100)],
        crs=CRS,
    )
    xy = rng.integers(0, 9, size=(60, 2)) * 25
    firms = gpd.GeoDataFrame(
        {"company_id": [f"c{i:02d}" for i in range(len(xy))]},
        geometry=[pt(x, y) for x, y in xy],
        crs=CRS,
        index=pd.RangeIndex(100, 100 + len(xy)),
    )
    a = prepare_assignment(firms, districts)
    assert isinstance(a, Assignment)
    assert isinstance(a.firms, PreparedFirms) and isinstance(a.districts, PreparedDistricts)
    frame = a.frame(firms.index)
    pd.testing.assert_frame_equal(frame, assign_districts(firms, districts))
    ref = reference_assign(firms, districts)
    for cid, idx, n in zip(a.firms.ids, a.district_index, a.covering, strict=True):
        want_id, want_kind = ref[cid]
        assert (a.districts.ids[idx] if idx >= 0 else None) == want_id
        assert {"outside": 0, "inside": 1}.get(want_kind, 2) == min(int(n), 2)
    # Rank: live districts by id, then the withdrawn one.
    assert dict(zip(a.districts.ids, a.districts.rank, strict=True)) == {"a": 0, "b": 1, "c": 2}


# --------------------------------------------------------------------------- overlapping plans


def local_plans(**columns):
    """Three local plans over the same land: lp-1 (0..200), lp-2 (100..300), lp-3 (150..250)."""
    data = {"district_id": ["lp-1", "lp-2", "lp-3"], "status": ["existing"] * 3}
    data.update(columns)
    return gpd.GeoDataFrame(
        data,
        geometry=[sq(0, 0, 200, 100), sq(100, 0, 300, 100), sq(150, 0, 250, 100)],
        crs=CRS,
    )


@pytest.fixture
def plan_firms():
    return gpd.GeoDataFrame(
        {"company_id": ["west", "lp12", "all", "east"]},
        geometry=[pt(50, 50), pt(125, 50), pt(175, 50), pt(275, 50)],
        crs=CRS,
    )


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        # no priority, no date: by id
        ({}, {"lp12": "lp-1", "all": "lp-1"}),
        # the newest adopted plan wins, whatever its id
        (
            {"adopted": pd.to_datetime(["1998-03-12", "2021-06-01", "2010-01-01"])},
            {"lp12": "lp-2", "all": "lp-2"},
        ),
        # dates as day-first text (a hand-made frame): 01-06-2021 is 1 June
        ({"adopted": ["12-03-1998", "01-06-2021", "06-01-2021"]}, {"lp12": "lp-2", "all": "lp-2"}),
        # a plan without a date loses to any dated one
        ({"adopted": [None, "2001-01-01", None]}, {"lp12": "lp-2", "all": "lp-2"}),
        # priority before the date
        (
            {"priority": [None, None, 2], "adopted": ["2001-01-01", "2021-06-01", "1990-01-01"]},
            {"lp12": "lp-2", "all": "lp-3"},
        ),
        ({"priority": [1, 0, None]}, {"lp12": "lp-1", "all": "lp-1"}),
        # a withdrawn plan loses whatever its priority and date
        (
            {
                "status": ["existing", "withdrawn", "existing"],
                "priority": [None, 9, None],
                "adopted": ["1990-01-01", "2025-01-01", "1980-01-01"],
            },
            {"lp12": "lp-1", "all": "lp-1"},
        ),
    ],
)
def test_overlapping_plans_go_to_the_newest_or_highest_priority(plan_firms, columns, expected):
    plans = local_plans(**columns)
    result = assign_districts(plan_firms, plans).set_index("company_id")
    assert result.loc["west", "district_id"] == "lp-1"
    assert result.loc["west", "assignment"] == "inside"
    for firm, district in expected.items():
        assert result.loc[firm, "district_id"] == district, firm
        assert result.loc[firm, "assignment"] == "boundary"
    assert result.loc["east", "district_id"] == "lp-2"
    # every firm once, and the same answer as the longhand rule in any row order
    assert result.index.is_unique and len(result) == len(plan_firms)
    assert as_dict(assign_districts(plan_firms, plans)) == reference_assign(plan_firms, plans)
    shuffled = plans.iloc[[2, 0, 1]]
    assert as_dict(assign_districts(plan_firms, shuffled)) == as_dict(
        assign_districts(plan_firms, plans)
    )


@pytest.mark.parametrize(
    ("columns", "wrong"),
    [
        ({"priority": ["high", None, 1]}, ["lp-1"]),
        ({"adopted": [None, "december", "2001-01-01"]}, ["lp-2"]),
    ],
)
def test_unreadable_priority_or_date_is_an_error(plan_firms, columns, wrong):
    with pytest.raises(SchemaError) as info:
        assign_districts(plan_firms, local_plans(**columns))
    assert info.value.ids == wrong
    assert wrong[0] in str(info.value) and "districts" in str(info.value)


def test_random_overlaps_match_the_longhand_rule():
    rng = np.random.default_rng(15)
    n = 14
    polys = []
    for _ in range(n):
        x, y = rng.integers(0, 6, size=2) * 50
        w, h = rng.integers(2, 6, size=2) * 50
        polys.append(sq(x, y, x + w, y + h))
    priority = pd.array(rng.choice([0, 1, 2, -1], size=n), dtype="Int64")
    priority[priority == -1] = pd.NA
    days = pd.to_datetime("1990-01-01") + pd.to_timedelta(rng.integers(0, 12_000, n), unit="D")
    adopted = pd.Series(days).where(rng.random(n) < 0.7)
    districts = gpd.GeoDataFrame(
        {
            "district_id": [f"lp-{k:03d}" for k in rng.permutation(n)],
            "status": np.where(rng.random(n) < 0.2, "withdrawn", "existing"),
            "priority": priority,
            "adopted": adopted.to_numpy(),
        },
        geometry=polys,
        crs=CRS,
    )
    xy = rng.integers(0, 15, size=(500, 2)) * 25
    firms = gpd.GeoDataFrame(
        {"company_id": [f"c{i:03d}" for i in range(len(xy))]},
        geometry=[pt(x, y) for x, y in xy],
        crs=CRS,
    )
    result = assign_districts(firms, districts)
    assert as_dict(result) == reference_assign(firms, districts)
    assert (result["assignment"] == "boundary").sum() > 50  # many firms in overlaps
    assert result["company_id"].is_unique and len(result) == len(firms)
