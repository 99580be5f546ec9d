"""Many districts: the shared preparation gives the same maps and charts, faster.

The report draws one map, one static map and one bar chart per district.
:func:`areas.output.maps.build.district_maps` prepares the layers every map
shows alike once and static maps draw only their window; each is compared
here against the slow, obviously correct way (one :func:`district_map` call
per district, every outline drawn). The SVG drawing itself is compared with
its references in ``test_svg_charts.py``. Plus the friction fixes around them:
a district named instead of its id, the source given positionally.
"""

from __future__ import annotations

import dataclasses
import re
import warnings

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import areas
from areas.cli import main
from areas.output import charts
from areas.output.maps.build import UnknownDistrictError, district_maps

AS_OF = "2026-12-01"


@pytest.fixture(scope="module")
def atlas():
    return areas.load()


@pytest.fixture(scope="module")
def summary(atlas):
    return areas.summarize(atlas, as_of=AS_OF)


def _page(fmap) -> str:
    """Return the map's HTML with Folium's random element names numbered in order."""
    html = fmap.get_root().render()
    names: dict[str, str] = {}
    return re.sub(
        r"(?<=_)[0-9a-f]{32}(?![0-9a-f])",
        lambda m: names.setdefault(m.group(0), f"n{len(names)}"),
        html,
    )


def test_district_maps_equal_one_district_map_each(atlas, summary):
    ids = atlas.districts["district_id"].astype(str).tolist()
    shared = dict(district_maps(atlas, ids, summary, lang="da"))
    assert list(shared) == ids
    for d in ids:
        alone = areas.district_map(atlas, d, summary, lang="da")
        assert _page(shared[d]) == _page(alone), d


def test_district_map_takes_a_name(atlas, summary):
    row = atlas.districts.iloc[0]
    by_name = areas.district_map(atlas, str(row["name"]), summary)
    by_id = _page(areas.district_map(atlas, str(row["district_id"]), summary))
    assert _page(by_name) == by_id
    loose = "  " + str(row["name"]).upper().replace(" ", "   ") + " "
    assert _page(areas.district_map(atlas, loose, summary)) == by_id


def test_district_map_refuses_an_ambiguous_name(atlas):
    districts = atlas.districts.copy()
    districts.loc[1, "name"] = districts.loc[0, "name"]
    twin = dataclasses.replace(atlas, districts=districts)
    name = str(districts.loc[0, "name"])
    with pytest.raises(UnknownDistrictError) as info:
        areas.district_map(twin, name, as_of=AS_OF)
    text = str(info.value)
    assert name in text and "give one of their ids" in text
    assert str(districts.loc[0, "district_id"]) in text
    assert str(districts.loc[1, "district_id"]) in text
    with pytest.raises(UnknownDistrictError, match="valid ids"):
        areas.district_map(atlas, "Ingen Sådan Plan", as_of=AS_OF)


def test_static_map_window_keeps_what_shows(atlas):
    geoms = np.asarray(atlas.districts.geometry.values, dtype=object)
    window = tuple(atlas.districts.geometry.iloc[0].buffer(200).bounds)
    cut = charts._within(geoms, window)
    box = shapely.box(*window)
    # the same area inside the window, nothing outside it
    assert shapely.union_all(cut).area == pytest.approx(
        shapely.union_all(shapely.intersection(geoms, box)).area, rel=1e-9
    )
    assert all(box.buffer(1e-6).contains(g) for g in cut)
    assert len(cut) == int(shapely.intersects(geoms, box).sum())


def test_area_shares_are_exactly_within_0_and_1(atlas):
    """A BID and a rewilding plot over each whole district cover it all, not a bit more.

    (Unclipped, the overlay gives up to 1.0000000000000004 here.)
    """
    n = len(atlas.districts)
    cover = atlas.districts.geometry.buffer(5.0).to_numpy()
    bids = atlas.bids.iloc[[0] * n].reset_index(drop=True)
    bids["bid_id"] = [f"cover-{i}" for i in range(n)]
    bids["district_id"] = atlas.districts["district_id"].to_numpy()
    bids = bids.set_geometry(list(cover), crs=atlas.bids.crs)
    plots = atlas.rewilding.iloc[[0] * n].reset_index(drop=True)
    plots["plot_id"] = [f"cover-{i}" for i in range(n)]
    plots = plots.set_geometry(list(cover), crs=atlas.rewilding.crs)
    covered = dataclasses.replace(atlas, bids=bids, rewilding=plots)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", areas.errors.AreasWarning)  # the overlaps are meant
        table = areas.summarize(covered, as_of=AS_OF).table
    for column in ("bid_area_share", "rewilded_share"):
        values = table[column].to_numpy(dtype=float)
        assert ((values >= 0) & (values <= 1)).all(), (column, values.max())
        assert values == pytest.approx(1.0, abs=1e-12), column


@pytest.mark.parametrize("command", ["summary", "map", "report"])
def test_source_positional_or_layers(tmp_path, command, capsys):
    from pathlib import Path

    layers = Path(__file__).resolve().parent.parent / "layers"
    out = {"summary": [], "map": ["--out", str(tmp_path / "m.html")], "report": []}[command]
    if command == "report":
        out = ["--out", str(tmp_path / "r"), "--quiet"]
    assert main([command, str(layers), "--as-of", AS_OF, *out]) == 0
    capsys.readouterr()
    code = main([command, str(layers), "--layers", str(tmp_path), "--as-of", AS_OF, *out])
    err = capsys.readouterr().err
    assert code == 2 and "two sources given" in err and "Traceback" not in err


def test_summary_transit_companies_name_their_district_and_firm(atlas):
    summary = areas.summarize(atlas, as_of=AS_OF)
    firms = summary.transit.companies
    assert list(firms.columns[:3]) == ["company_id", "district_id", "name"]
    assignment = summary.assignment.set_index("company_id")["district_id"]
    by_id = firms.set_index("company_id")
    assert by_id["district_id"].astype(object).where(
        by_id["district_id"].notna(), None
    ).to_dict() == (assignment.astype(object).where(assignment.notna(), None).to_dict())
    names = atlas.companies.set_index(atlas.companies["company_id"].astype(str))["name"]
    assert (by_id["name"].astype(str) == names.reindex(by_id.index).astype(str)).all()


def test_dir_shows_the_public_names_only():
    shown = [n for n in dir(areas) if not n.startswith("_")]
    assert "TYPE_CHECKING" not in shown and "importlib" not in shown
    assert {"load", "summarize", "district_map", "write_report"} <= set(shown)
    assert set(shown) <= set(areas.__all__)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 5), max_size=8),
    st.lists(st.integers(0, 7), max_size=6),
    st.randoms(use_true_random=False),
)
def test_map_lookup_takes_rows_as_reindex_does(keys, wanted, rnd):
    """The maps' table lookup (positions taken once) against pandas' reindex, column by column."""
    import pandas as pd

    from areas.output.maps.geo import _lookup

    n = len(keys)
    frame = pd.DataFrame(
        {
            "key": pd.array([f"k{k}" for k in keys], dtype="str"),
            "i": pd.array([rnd.randint(0, 9) for _ in keys], dtype="Int64"),
            "j": np.array([rnd.randint(0, 9) for _ in keys], dtype=np.int64),
            "f": np.array([rnd.random() for _ in keys]),
            "b": pd.array([rnd.random() < 0.5 for _ in keys], dtype="boolean"),
            "nb": np.array([rnd.random() < 0.5 for _ in keys], dtype=bool),
            "s": pd.array([None if rnd.random() < 0.3 else f"s{i}" for i in keys], dtype="string"),
            "o": pd.Series(
                [None if rnd.random() < 0.3 else rnd.random() for _ in keys], dtype=object
            ),
            "t": pd.to_datetime(["2020-01-01"] * n),
        }
    )
    ids = [f"k{w}" for w in wanted]
    columns = ["i", "j", "f", "b", "nb", "s", "o", "t", "absent"]
    memo: dict = {}
    got = _lookup(frame, "key", ids, columns, memo)
    again = _lookup(frame, "key", ids, columns, memo)  # from the memo
    # the reference: pandas' reindex, one column at a time, into a new frame
    table = frame.set_index("key")
    table = table[~table.index.duplicated(keep="first")]
    table.index = table.index.astype(str)
    expected = pd.DataFrame(index=pd.Index(ids, dtype=object))
    for name in columns:
        if n and name in table.columns:
            expected[name] = table[name].reindex(expected.index).to_numpy()
        else:
            expected[name] = pd.Series([pd.NA] * len(ids), index=expected.index, dtype=object)
    for result in (got, again):
        pd.testing.assert_frame_equal(result, expected)
        for name in columns:
            assert [repr(v) for v in result[name]] == [repr(v) for v in expected[name]], name


def test_layer_group_renders_as_foliums_feature_group():
    """The maps' layer groups write the page folium's FeatureGroup writes (the reference)."""
    import folium

    from areas.output.maps.elements import LayerGroup

    pages = []
    for group in (folium.FeatureGroup, LayerGroup):
        fmap = folium.Map(location=[55.65, 12.45], zoom_start=12, tiles=None)
        for name, show in (("Erhvervsområder <b>", True), ("Virksomheder", False)):
            layer = group(name=name, show=show)
            layer.add_to(fmap)
            folium.CircleMarker([55.65, 12.45], radius=3, tooltip=name).add_to(layer)
        folium.LayerControl(collapsed=False).add_to(fmap)
        pages.append(_page(fmap))
    assert pages[0] == pages[1]
    assert pages[1].count(".addTo(") >= 3  # the shown group, its marker, the control
