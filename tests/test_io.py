"""Loading good input: formats, sources, areas.toml, normalisation and provenance."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import Point, box

import areas.load.pipeline
from areas.atlas import Atlas
from areas.errors import AreasWarning, ConfigError, MissingLayerError
from areas.schema import KIND_NAMES, KINDS, SQM_PER_HA, WORK_CRS

# A spot on Avedøre Holme in EPSG:25832; everything below is laid out from here.
X0, Y0 = 717_900.0, 6_168_100.0
FORMATS = ["gpkg", "geojson", "shp", "csv"]


def square(x, y, size):
    return box(x, y, x + size, y + size)


def districts_frame():
    return gpd.GeoDataFrame(
        {
            "district_id": ["avedoere-holme", "holmene"],
            "name": ["Avedøre Holme", "Holmene"],
            "municipality": ["Hvidovre", "Hvidovre"],
            "status": ["existing", "withdrawn"],
        },
        geometry=[square(X0, Y0, 1000), square(X0 + 2000, Y0, 500)],
        crs=WORK_CRS,
    )


def companies_frame():
    return gpd.GeoDataFrame(
        {
            "company_id": ["007", "0042", "100"],
            "name": ["Ærø Æbler ApS", "Brdr. Klee Øst", "Føtex Å"],
            "employees": [5, 12, 0],
            "sector": ["Transport", "Handel", "Handel"],
        },
        geometry=[Point(X0 + 100, Y0 + 100), Point(X0 + 900, Y0 + 500), Point(X0 + 2100, Y0 + 100)],
        crs=WORK_CRS,
    )


def stops_frame():
    return gpd.GeoDataFrame(
        {
            "stop_id": ["s1", "s2"],
            "name": ["Avedøre st.", "Friheden st."],
            "mode": ["s_train", "bus"],
            "status": ["existing", "planned"],
            "opens": ["2025-10-26", ""],
        },
        geometry=[Point(X0 - 500, Y0), Point(X0 + 3000, Y0 + 800)],
        crs=WORK_CRS,
    )


def write_layer(frame, path, *, layer=None):
    """Write ``frame`` as the format its suffix says (CSV: lon/lat columns)."""
    path = Path(path)
    if path.suffix == ".csv":
        lonlat = frame.geometry.to_crs("EPSG:4326")
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        table["lon"] = lonlat.x.round(8)
        table["lat"] = lonlat.y.round(8)
        table.to_csv(path, index=False)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL notes shortened Shapefile field names
            pyogrio.write_dataframe(frame, path, layer=layer)
    return path


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize("fmt", FORMATS)
def test_read_layer_companies_every_format(tmp_path, fmt):
    path = write_layer(companies_frame(), tmp_path / f"companies.{fmt}")
    frame, source = areas.load.pipeline.read_layer(path, "companies")
    assert frame.crs == WORK_CRS
    assert frame["company_id"].tolist() == ["007", "0042", "100"]  # leading zeros kept
    assert all(type(v) is str for v in frame["company_id"])
    assert frame["name"].tolist() == ["Ærø Æbler ApS", "Brdr. Klee Øst", "Føtex Å"]
    assert str(frame["employees"].dtype) == "Int64"
    assert frame["employees"].tolist() == [5, 12, 0]
    assert str(frame["bid_member"].dtype) == "boolean"
    assert frame["bid_member"].isna().all()  # optional column added empty
    assert list(frame.columns[: len(KINDS["companies"].columns)]) == list(
        KINDS["companies"].columns
    )
    assert frame.geometry.name == "geometry" and list(frame.index) == [0, 1, 2]
    expected = companies_frame().geometry
    assert np.allclose(frame.geometry.x, expected.x, atol=0.01)
    assert np.allclose(frame.geometry.y, expected.y, atol=0.01)
    assert source.features_read == source.features_used == 3 and source.reconciles()
    assert source.path == str(path) and len(source.sha256) == 64
    assert source.original_crs == ("EPSG:4326" if fmt == "csv" else "EPSG:25832")


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "shp"])
def test_read_layer_districts_every_format(tmp_path, fmt):
    path = write_layer(districts_frame(), tmp_path / f"districts.{fmt}")
    frame, source = areas.load.pipeline.read_layer(path, "districts")
    assert frame["district_id"].tolist() == ["avedoere-holme", "holmene"]
    assert frame["name"].tolist() == ["Avedøre Holme", "Holmene"]
    assert frame["status"].tolist() == ["existing", "withdrawn"]
    assert np.allclose(frame.area / SQM_PER_HA, [100.0, 25.0])
    assert frame.geometry.is_valid.all()
    assert source.excluded == [] and source.repairs == []


def test_dates_parsed_and_blank_is_nat(tmp_path):
    path = write_layer(stops_frame(), tmp_path / "stops.csv")
    frame, _ = areas.load.pipeline.read_layer(path, "stops")
    assert str(frame["opens"].dtype).startswith("datetime64")
    assert frame["opens"].iloc[0] == pd.Timestamp("2025-10-26")
    assert pd.isna(frame["opens"].iloc[1])


def test_date_formats_accepted(tmp_path):
    bids = gpd.GeoDataFrame(
        {
            "bid_id": ["a", "b", "c", "d", "e"],
            "name": ["A", "B", "C", "D", "E"],
            "start": ["2021-05-01", "20210501", "01-05-2021", "01.05.2021", "2021"],
        },
        geometry=[square(X0 + i * 10, Y0, 5) for i in range(5)],
        crs=WORK_CRS,
    )
    frame, _ = areas.load.pipeline.read_layer(write_layer(bids, tmp_path / "bids.geojson"), "bids")
    assert frame["start"].tolist()[:4] == [pd.Timestamp("2021-05-01")] * 4
    assert frame["start"].iloc[4] == pd.Timestamp("2021-01-01")


def test_extra_columns_kept_after_schema_columns(tmp_path):
    companies = companies_frame().assign(cvr=["12345678", "00012345", "87654321"])
    frame, _ = areas.load.pipeline.read_layer(
        write_layer(companies, tmp_path / "companies.csv"), "companies"
    )
    schema = list(KINDS["companies"].columns)
    assert list(frame.columns) == [*schema, "cvr", "geometry"]
    assert frame["cvr"].tolist()[1] == "00012345"


def test_shapefile_ten_character_column_names_are_matched(tmp_path):
    # district_id and municipality do not fit the 10 characters of a dBASE field name
    path = write_layer(districts_frame(), tmp_path / "districts.shp")
    fields = pyogrio.read_info(path)["fields"].tolist()
    assert "district_i" in fields and "municipali" in fields
    frame, source = areas.load.pipeline.read_layer(path, "districts")
    assert frame["municipality"].tolist() == ["Hvidovre", "Hvidovre"]
    assert source.column_map == {"district_i": "district_id", "municipali": "municipality"}


def test_columns_and_constants(tmp_path):
    plans = gpd.GeoDataFrame(
        {
            "planid": [1079123, 11126774],
            "plannavn": ["Erhvervsområde A", "Erhvervsområdet Avedøre Holme"],
        },
        geometry=[square(X0, Y0, 100), square(X0 + 500, Y0, 100)],
        crs=WORK_CRS,
    )
    path = write_layer(plans, tmp_path / "plans.gpkg")
    frame, source = areas.load.pipeline.read_layer(
        path,
        "districts",
        columns={"district_id": "planid", "name": "plannavn"},
        constants={"municipality": "Hvidovre", "status": "existing"},
    )
    assert frame["district_id"].tolist() == ["1079123", "11126774"]  # integers become text
    assert frame["municipality"].tolist() == ["Hvidovre", "Hvidovre"]
    assert frame["status"].tolist() == ["existing", "existing"]
    assert source.column_map == {"planid": "district_id", "plannavn": "name"}


def test_status_and_mode_are_normalised_case_and_separators(tmp_path):
    stops = stops_frame()
    stops["mode"] = ["Light Rail", "BUS"]
    stops["status"] = [" Existing", "planned"]
    frame, _ = areas.load.pipeline.read_layer(
        write_layer(stops, tmp_path / "stops.geojson"), "stops"
    )
    assert frame["mode"].tolist() == ["light_rail", "bus"]
    assert frame["status"].tolist() == ["existing", "planned"]


def test_booleans_in_danish_and_english(tmp_path):
    companies = companies_frame().assign(bid_member=["ja", "No", ""])
    frame, _ = areas.load.pipeline.read_layer(
        write_layer(companies, tmp_path / "companies.csv"), "companies"
    )
    assert frame["bid_member"].tolist()[:2] == [True, False]
    assert pd.isna(frame["bid_member"].iloc[2])


def test_inputs_in_different_crs_are_reprojected(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    write_layer(districts_frame().to_crs("EPSG:4326"), folder / "districts.geojson")
    write_layer(companies_frame().to_crs("EPSG:25833"), folder / "companies.gpkg")
    write_layer(stops_frame().to_crs("EPSG:3857"), folder / "stops.shp")
    atlas = areas.load.pipeline.load(folder, fallback="empty")
    assert atlas.sources["districts"].original_crs == "EPSG:4326"
    assert atlas.sources["companies"].original_crs == "EPSG:25833"
    assert atlas.sources["stops"].original_crs == "EPSG:3857"
    for kind in KIND_NAMES:
        assert getattr(atlas, kind).crs == WORK_CRS
    expected = companies_frame().geometry
    assert np.allclose(atlas.companies.geometry.x, expected.x, atol=0.01)
    assert np.allclose(atlas.companies.geometry.y, expected.y, atol=0.01)
    assert np.allclose(atlas.districts.area, districts_frame().area, rtol=1e-6)
    # a firm placed inside a district stays inside it after both reprojections
    assert atlas.districts.geometry.iloc[0].contains(atlas.companies.geometry.iloc[0])


# --------------------------------------------------------------------------- load: sources


def test_load_folder_of_mixed_formats(tmp_path):
    write_layer(districts_frame(), tmp_path / "districts.gpkg")
    write_layer(companies_frame(), tmp_path / "companies.csv")
    write_layer(stops_frame(), tmp_path / "stops.shp")
    (tmp_path / "notes.txt").write_text("not a layer")
    with pytest.warns(AreasWarning, match=r"`bids`, `rewilding`.*empty"):
        atlas = areas.load.pipeline.load(tmp_path)
    assert isinstance(atlas, Atlas)
    assert len(atlas.districts) == 2 and len(atlas.companies) == 3 and len(atlas.stops) == 2
    assert len(atlas.bids) == 0 and atlas.sources["bids"].path is None
    assert list(atlas.bids.columns) == [*KINDS["bids"].columns, "geometry"]
    assert str(atlas.bids["start"].dtype).startswith("datetime64")
    assert all(src.reconciles() for src in atlas.sources.values())


def test_load_geopackage_with_kind_layers(tmp_path):
    path = tmp_path / "areas.gpkg"
    write_layer(districts_frame(), path, layer="districts")
    write_layer(companies_frame(), path, layer="companies")
    write_layer(stops_frame(), path, layer="extra_stuff")
    atlas = areas.load.pipeline.load(path, fallback="empty")
    assert atlas.sources["districts"].layer == "districts"
    assert len(atlas.companies) == 3 and len(atlas.stops) == 0


def test_load_single_file_named_after_a_kind(tmp_path):
    path = write_layer(districts_frame(), tmp_path / "districts.geojson")
    atlas = areas.load.pipeline.load(path, fallback="empty")
    assert atlas.districts["district_id"].tolist() == ["avedoere-holme", "holmene"]


def test_load_file_not_named_after_a_kind_needs_a_toml(tmp_path):
    path = write_layer(districts_frame(), tmp_path / "plans.geojson")
    with pytest.raises(ConfigError, match="areas.toml"):
        areas.load.pipeline.load(path)


def test_load_folder_without_districts(tmp_path):
    write_layer(companies_frame(), tmp_path / "companies.csv")
    with pytest.raises(MissingLayerError, match="districts are required"):
        areas.load.pipeline.load(tmp_path)


def test_load_toml_with_mapping_constants_and_relative_path(tmp_path):
    plans = districts_frame().rename(columns={"district_id": "planid", "name": "plannavn"})
    plans = plans.drop(columns=["municipality", "status"]).to_crs("EPSG:4326")
    (tmp_path / "data").mkdir()
    write_layer(plans, tmp_path / "data" / "lokalplaner.geojson")
    write_layer(companies_frame(), tmp_path / "data" / "firms.csv")
    toml = tmp_path / "areas.toml"
    toml.write_text(
        """
[layers]
fallback = "empty"

[districts]
path = "data/lokalplaner.geojson"
[districts.columns]
district_id = "planid"
name = "plannavn"
[districts.constants]
municipality = "Hvidovre"
status = "existing"

[companies]
path = "data/firms.csv"
""",
        encoding="utf-8",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # fallback is stated: no warning about empty layers
        atlas = areas.load.pipeline.load(toml)
    assert atlas.districts["name"].tolist() == ["Avedøre Holme", "Holmene"]
    assert set(atlas.districts["status"]) == {"existing"}
    assert len(atlas.companies) == 3 and len(atlas.rewilding) == 0
    assert atlas.sources["districts"].column_map == {"planid": "district_id", "plannavn": "name"}
    # a folder holding an areas.toml is read through it
    assert len(areas.load.pipeline.load(tmp_path).districts) == 2


def test_config_mapping_with_source_folder(tmp_path):
    write_layer(companies_frame(), tmp_path / "companies.csv")
    plans = districts_frame().rename(columns={"district_id": "id"})
    write_layer(plans, tmp_path / "plans.gpkg")
    atlas = areas.load.pipeline.load(
        tmp_path,
        config={"districts": {"path": "plans.gpkg", "columns": {"district_id": "id"}}},
        fallback="empty",
    )
    assert len(atlas.districts) == 2 and len(atlas.companies) == 3


def test_fallback_bundled_fills_absent_kinds(tmp_path):
    import areas.load.datasets as datasets

    bundled = datasets.bundled_dir()
    write_layer(districts_frame(), tmp_path / "districts.geojson")
    # the bundled BIDs name bundled districts that this districts layer lacks
    with pytest.warns(AreasWarning, match="not in the districts layer"):
        atlas = areas.load.pipeline.load(tmp_path, fallback="bundled")
    assert len(atlas.districts) == 2
    assert atlas.sources["companies"].path == str(bundled / "companies.geojson")


def test_load_bundled_layers():
    import areas.load.datasets as datasets

    datasets.bundled_dir()  # the bundled layers are part of the package
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the bundled data loads without repairs or guesses
        atlas = areas.load.pipeline.load()
    assert set(atlas.districts["district_id"]) >= {"hersted-industripark", "avedoere-holme"}
    for kind in KIND_NAMES:
        src = atlas.sources[kind]
        assert src.reconciles() and src.features_used == len(getattr(atlas, kind))


def test_empty_layer_has_schema_dtypes():
    frame = areas.load.pipeline.empty_layer("rewilding")
    assert frame.crs == WORK_CRS and len(frame) == 0
    assert str(frame["species_count"].dtype) == "Int64"
    assert str(frame["survey_area_m2"].dtype) == "float64"
    assert str(frame["established"].dtype).startswith("datetime64")


# --------------------------------------------------------------------------- a real file


def test_hvidovre_local_plans_as_districts(tmp_path, reference_data):
    plans = reference_data / "hvidovre_lokalplaner.geojson"
    toml = tmp_path / "areas.toml"
    toml.write_text(
        f"""
[layers]
fallback = "empty"

[districts]
path = "{plans.as_posix()}"
[districts.columns]
district_id = "planid"
name = "plannavn"
[districts.constants]
municipality = "Hvidovre"
status = "existing"
""",
        encoding="utf-8",
    )
    atlas = areas.load.pipeline.load(toml)
    districts = atlas.districts
    assert len(districts) == 170
    assert districts.crs == WORK_CRS
    assert all(type(v) is str for v in districts["district_id"])
    assert districts["district_id"].is_unique
    assert atlas.sources["districts"].original_crs == "EPSG:4326"
    assert atlas.sources["districts"].features_read == 170
    holme = districts[districts["name"] == "Erhvervsområdet Avedøre Holme"]
    assert len(holme) == 1
    area_ha = holme.geometry.area.iloc[0] / SQM_PER_HA
    assert area_ha == pytest.approx(301.1, rel=0.01)
    assert holme["plannr"].iloc[0] == "518"  # extra columns kept as text
    assert shapely.is_valid(districts.geometry.array).all()
