"""Rewilded hectares: hand-checked squares, overlaps, owners, years, survey, a slow reference."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import box

import areas
from areas.analysis.rewilding import Rewilding, owner_kind, rewilded_hectares
from areas.errors import CrsError, GeometryError, MissingColumnError

CRS = "EPSG:25832"
X0, Y0 = 717_000.0, 6_167_000.0


def sq(x0, y0, x1, y1):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


@pytest.fixture
def districts():
    # d and e: 1000 m x 1000 m = 100 ha each, side by side
    return gpd.GeoDataFrame(
        {
            "district_id": ["d", "e"],
            "name": ["D", "E"],
            "municipality": ["Hvidovre"] * 2,
            "status": ["existing"] * 2,
        },
        geometry=[sq(0, 0, 1000, 1000), sq(1000, 0, 2000, 1000)],
        crs=CRS,
    )


@pytest.fixture
def plots():
    return gpd.GeoDataFrame(
        {
            "plot_id": ["p1", "p2", "p3", "p4", "p5"],
            "established": pd.to_datetime(
                ["2022-03-01", "2023-05-01", "2022-06-01", None, "2025-01-01"]
            ),
            "owner": ["Hvidovre Kommune", "Acme ApS", "acme  aps", None, "Beta A/S"],
            "species_count": pd.array([105, None, None, None, None], dtype="Int64"),
            "survey_area_m2": [100.0, np.nan, np.nan, np.nan, np.nan],
            "habitat": ["wild meadow", "fallow", "verge", "meadow", "trees"],
            "reference_habitat": ["nearby lawn", None, None, None, None],
            "reference_species_count": [2, None, None, None, None],
        },
        geometry=[
            sq(0, 0, 100, 100),  # 1 ha in d
            sq(50, 0, 150, 100),  # 1 ha in d, 0.5 ha shared with p1
            sq(950, 0, 1050, 100),  # 0.5 ha in d, 0.5 ha in e
            sq(200, 200, 300, 300),  # no date: never counted
            sq(400, 400, 500, 500),  # established after the date
        ],
        crs=CRS,
    )


def test_hand_checked_districts(districts, plots):
    rw = rewilded_hectares(districts, plots, as_of="2023-12-31")
    d = rw.districts.loc["d"]
    assert d["area_ha"] == pytest.approx(100)
    assert d["rewilded_ha"] == pytest.approx(2.0)  # 1.5 (p1 u p2) + 0.5 (p3's half)
    assert d["rewilded_share"] == pytest.approx(0.02)
    assert d["plots_sum_ha"] == pytest.approx(2.5)
    assert d["overlap_ha"] == pytest.approx(0.5)
    assert d["plots"] == 3
    assert d["owners"] == 2  # "Acme ApS" and "acme  aps" are one owner
    assert d["firm_owners"] == 1 and d["municipal_owners"] == 1
    assert d["firm_ha"] == pytest.approx(1.5) and d["municipal_ha"] == pytest.approx(1.0)
    assert d["unknown_owner_ha"] == 0
    e = rw.districts.loc["e"]
    assert e["rewilded_ha"] == pytest.approx(0.5) and e["plots"] == 1 and e["owners"] == 1
    assert e["overlap_ha"] == 0
    assert list(rw.districts.columns[:8]) == [
        "area_ha",
        "rewilded_ha",
        "rewilded_share",
        "plots",
        "owners",
        "firm_owners",
        "municipal_owners",
        "overlap_ha",
    ]


def test_plots_established_later_count_later(districts, plots):
    early = rewilded_hectares(districts, plots, as_of="2022-12-31").districts
    assert early.loc["d", "rewilded_ha"] == pytest.approx(1.5)  # p1 + half of p3
    assert early.loc["d", "overlap_ha"] == 0
    late = rewilded_hectares(districts, plots, as_of="2025-06-01").districts
    assert late.loc["d", "rewilded_ha"] == pytest.approx(3.0)  # p5 joins; p4 never
    none = rewilded_hectares(districts, plots, as_of="2020-01-01")
    assert (none.districts["rewilded_ha"] == 0).all()
    assert none.by_year.empty and list(none.by_year.columns) == [
        "district_id",
        "year",
        "rewilded_ha",
        "added_ha",
        "rewilded_share",
    ]


def test_by_year_is_cumulative(districts, plots):
    rw = rewilded_hectares(districts, plots, as_of="2024-06-30")
    by = rw.by_year.set_index(["district_id", "year"])["rewilded_ha"]
    assert by[("d", 2022)] == pytest.approx(1.5)
    assert by[("d", 2023)] == pytest.approx(2.0)
    assert by[("d", 2024)] == pytest.approx(2.0)
    assert by[("e", 2022)] == pytest.approx(0.5)
    assert rw.by_year["year"].tolist() == [2022, 2023, 2024, 2022, 2023, 2024]
    added = rw.by_year.set_index(["district_id", "year"])["added_ha"]
    assert added[("d", 2023)] == pytest.approx(0.5)
    # The last year equals the district total.
    assert by[("d", 2024)] == pytest.approx(rw.districts.loc["d", "rewilded_ha"])


def test_plot_established_late_on_new_years_eve_belongs_to_that_year(districts):
    """A time of day on the established date neither hides the plot nor moves its year."""
    late = gpd.GeoDataFrame(
        {"plot_id": ["p"], "established": pd.to_datetime(["2023-12-31 10:00"])},
        geometry=[sq(0, 0, 100, 100)],  # 1 ha in d
        crs=CRS,
    )
    on_the_day = rewilded_hectares(districts, late, as_of="2023-12-31")
    assert on_the_day.districts.loc["d", "rewilded_ha"] == pytest.approx(1.0)
    later = rewilded_hectares(districts, late, as_of="2024-06-30")
    by = later.by_year.set_index(["district_id", "year"])
    assert by.loc[("d", 2023), "rewilded_ha"] == pytest.approx(1.0)
    assert by.loc[("d", 2023), "added_ha"] == pytest.approx(1.0)
    assert by.loc[("d", 2024), "added_ha"] == pytest.approx(0.0)


def test_overlaps_listed_once(districts, plots):
    rw = rewilded_hectares(districts, plots, as_of="2023-12-31")
    assert rw.overlaps.to_dict("records") == [
        {"plot_id_a": "p1", "plot_id_b": "p2", "overlap_ha": pytest.approx(0.5)}
    ]


def test_by_owner(districts, plots):
    rw = rewilded_hectares(districts, plots, as_of="2023-12-31")
    d = rw.by_owner[rw.by_owner["district_id"] == "d"]
    assert d["owner"].tolist() == ["Acme ApS", "Hvidovre Kommune"]
    assert d["owner_kind"].tolist() == ["firm", "municipality"]
    assert d["plots"].tolist() == [2, 1]
    assert d["area_ha"].tolist() == pytest.approx([1.5, 1.0])
    assert d["rewilded_share_of_district"].tolist() == pytest.approx([0.75, 0.5])


def test_plots_table_says_why(districts, plots):
    rw = rewilded_hectares(districts, plots, as_of="2023-12-31")
    p = rw.plots.set_index("plot_id")
    assert p["counted"].tolist() == [True, True, True, False, False]
    assert pd.isna(p.loc["p1", "reason"])
    assert p.loc["p4", "reason"] == "no established date"
    assert p.loc["p5", "reason"] == "established after as_of"
    assert p.loc["p3", "district_id"] == "d"  # half and half: the first district by id
    assert p.loc["p3", "in_districts_ha"] == pytest.approx(1.0)
    assert p.loc["p1", "area_ha"] == pytest.approx(1.0)
    assert p.loc["p2", "owner_kind"] == "firm" and p.loc["p4", "owner_kind"] == "unknown"


def test_survey_with_lawn_reference(districts, plots):
    rw = rewilded_hectares(districts, plots, as_of="2023-12-31")
    s = rw.survey
    assert s["plot_id"].tolist() == ["p1"]
    row = s.iloc[0]
    assert row["species_count"] == 105 and row["reference_species_count"] == 2
    assert row["survey_area_m2"] == 100.0
    assert row["wild_lawn_ratio"] == pytest.approx(52.5)
    assert row["reference_habitat"] == "nearby lawn"
    without = rewilded_hectares(
        districts, plots.drop(columns=["reference_species_count", "reference_habitat"])
    )
    assert np.isnan(without.survey.loc[0, "wild_lawn_ratio"])


def test_owner_kind():
    assert owner_kind("Hvidovre Kommune") == "municipality"
    assert owner_kind("ALBERTSLUND KOMMUNE") == "municipality"
    assert owner_kind("Kommunekemi A/S") == "municipality"  # the rule is textual, as documented
    assert owner_kind("Acme ApS") == "firm"
    assert owner_kind("  ") == "unknown"
    assert owner_kind(None) == "unknown"


def test_duplicate_plot_changes_no_area(districts, plots):
    base = rewilded_hectares(districts, plots, as_of="2023-12-31").districts
    dup = pd.concat(
        [plots, plots.iloc[[0, 2]].assign(plot_id=["p1-again", "p3-again"])], ignore_index=True
    )
    again = rewilded_hectares(districts, dup, as_of="2023-12-31").districts
    pd.testing.assert_series_equal(base["rewilded_ha"], again["rewilded_ha"])
    pd.testing.assert_series_equal(base["rewilded_share"], again["rewilded_share"])
    assert again.loc["d", "overlap_ha"] == pytest.approx(
        1.5
    )  # all of p1 and p3's half in d are now covered twice


def test_row_order_and_crs_do_not_matter(districts, plots):
    base = rewilded_hectares(districts, plots, as_of="2023-12-31")
    other = rewilded_hectares(
        districts.iloc[::-1].to_crs("EPSG:3035"),
        plots.iloc[[3, 1, 4, 0, 2]].to_crs("EPSG:4326"),
        as_of="2023-12-31",
    )
    pd.testing.assert_frame_equal(base.districts, other.districts, rtol=1e-3, atol=1e-6)
    pd.testing.assert_frame_equal(base.by_year, other.by_year, rtol=1e-3, atol=1e-6)
    pd.testing.assert_frame_equal(base.plots, other.plots, rtol=1e-3, atol=1e-6)
    pd.testing.assert_frame_equal(base.overlaps, other.overlaps, rtol=1e-3, atol=1e-6)


def test_inputs_are_not_mutated(districts, plots):
    d0, p0 = districts.copy(), plots.copy()
    rewilded_hectares(districts, plots, as_of="2023-12-31")
    assert_geodataframe_equal(districts, d0)
    assert_geodataframe_equal(plots, p0)


def test_errors(districts, plots):
    with pytest.raises(MissingColumnError, match="established"):
        rewilded_hectares(districts, plots.drop(columns="established"))
    with pytest.raises(CrsError):
        rewilded_hectares(districts, plots.set_crs(None, allow_override=True))
    bad = plots.copy()
    bad.loc[0, "geometry"] = shapely.Polygon(
        [(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)]
    )
    with pytest.raises(GeometryError, match="p1"):
        rewilded_hectares(districts, bad)


def test_display(districts, plots):
    rw = rewilded_hectares(districts, plots, as_of="2023-12-31")
    assert isinstance(rw, Rewilding)
    assert "rewilded_share" in rw._repr_html_() and "2023-12-31" in rw._repr_html_()
    assert "rewilded_ha=2.50" in repr(rw)


# --------------------------------------------------------------------------- slow reference


def reference_rewilded_ha(district, plot_geoms) -> float:
    acc = shapely.Polygon()
    for g in plot_geoms:
        acc = acc.union(g.intersection(district))
    return acc.area / 10_000


def reference_overlap_ha(district, plot_geoms) -> float:
    """Area covered by two or more plots: pairwise intersections, unioned one at a time."""
    acc = shapely.Polygon()
    for i in range(len(plot_geoms)):
        for j in range(i + 1, len(plot_geoms)):
            acc = acc.union(plot_geoms[i].intersection(plot_geoms[j]).intersection(district))
    return acc.area / 10_000


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_matches_slow_reference(seed):
    rng = np.random.default_rng(seed)
    outlines = []
    for _ in range(4):
        x, y = rng.integers(0, 500, 2)
        w, h = rng.integers(100, 500, 2)
        outlines.append(sq(x, y, x + w, y + h))
    districts = gpd.GeoDataFrame(
        {"district_id": [f"d{i}" for i in range(4)]}, geometry=outlines, crs=CRS
    )
    geoms = []
    for _ in range(15):
        x, y = rng.uniform(0, 800, 2)
        w, h = rng.uniform(5, 200, 2)
        geoms.append(sq(x, y, x + w, y + h).buffer(rng.uniform(0, 10), quad_segs=4))
    plots = gpd.GeoDataFrame(
        {
            "plot_id": [f"p{i:02d}" for i in range(15)],
            "established": pd.to_datetime(["2022-01-01"] * 15),
        },
        geometry=geoms,
        crs=CRS,
    )
    fast = rewilded_hectares(districts, plots, as_of="2024-01-01").districts
    for did, geom in zip(districts["district_id"], districts.geometry, strict=True):
        assert fast.loc[did, "rewilded_ha"] == pytest.approx(
            reference_rewilded_ha(geom, geoms), rel=1e-9, abs=1e-9
        )
        assert fast.loc[did, "overlap_ha"] == pytest.approx(
            reference_overlap_ha(geom, geoms), rel=1e-6, abs=1e-6
        )


# --------------------------------------------------------------------------- bundled layers


def test_bundled_avedoere_holme_rewilding():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        atlas = areas.load()
    rw = rewilded_hectares(atlas.districts, atlas.rewilding, as_of="2024-01-01")
    row = rw.districts.loc["avedoere-holme"]
    assert row["rewilded_ha"] == pytest.approx(15.0, abs=0.01)
    assert round(100 * row["rewilded_share"]) == 5
    assert row["firm_owners"] == 19 and row["municipal_owners"] == 1
    survey = rw.survey[rw.survey["wild_lawn_ratio"].notna()]
    assert survey["species_count"].tolist() == [105]
    assert survey["reference_species_count"].tolist() == [2]
