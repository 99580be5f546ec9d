"""The bad-input contract: every bad file is a clear error or a reported repair.

Each case builds a real file in ``tmp_path`` and asserts the error class, that
the message names the file, the features and the fix, or that the repair or
exclusion is warned about and recorded so that counts reconcile.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
from builders import (
    HOLME_X0,
    HOLME_Y0,
    NAMES,
    URN_25832,
    companies,
    district_props,
    districts,
    encoded_shapefile,
    feature,
    ring,
    shapefile,
    square,
    write,
    write_any,
    write_geojson,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiPoint, Point, Polygon

import areas.load.pipeline
from areas.errors import (
    AmbiguousLayerError,
    AreasError,
    AreasRepairWarning,
    AreasWarning,
    CoordinateError,
    CrsError,
    DamagedFileError,
    DuplicateIdError,
    EncodingError,
    GeometryError,
    GeometryTypeError,
    MissingColumnError,
    MissingCrsError,
    MissingLayerError,
    SchemaError,
)
from areas.schema import SQM_PER_HA, WORK_CRS

REPO = Path(__file__).resolve().parent.parent
X0, Y0 = HOLME_X0, HOLME_Y0  # Avedøre Holme, EPSG:25832


# =========================================================================== CRS and coordinates


def test_missing_crs_is_an_error_with_a_guess(tmp_path):
    path = write(districts(), tmp_path / "districts.shp")
    path.with_suffix(".prj").unlink()
    with pytest.raises(MissingCrsError) as info:
        areas.load.pipeline.read_layer(path, "districts")
    text = str(info.value)
    assert "districts.shp" in text and "no .prj" in text
    assert "look like EPSG:25832" in text and 'crs="EPSG:25832"' in text


def test_missing_crs_stated_by_the_user(tmp_path):
    path = write(districts(), tmp_path / "districts.shp")
    path.with_suffix(".prj").unlink()
    frame, source = areas.load.pipeline.read_layer(path, "districts", crs="EPSG:25832")
    assert frame.crs == WORK_CRS and source.original_crs == "EPSG:25832"
    assert np.allclose(frame.area / SQM_PER_HA, 100.0)


def test_missing_crs_default_from_load(tmp_path):
    path = write(districts(), tmp_path / "districts.shp")
    path.with_suffix(".prj").unlink()
    atlas = areas.load.pipeline.load(tmp_path, crs="EPSG:25832", fallback="empty")
    assert len(atlas.districts) == 2


def test_utm_coordinates_labelled_4326(tmp_path):
    # a GeoJSON without a crs member is EPSG:4326 by definition; these are metres
    features = [
        feature(
            district_props(i), {"type": "Polygon", "coordinates": [ring(X0 + i * 2000, Y0, 1000)]}
        )
        for i in (1, 2)
    ]
    path = write_geojson(features, tmp_path / "districts.geojson")
    with pytest.raises(CoordinateError) as info:
        areas.load.pipeline.read_layer(path, "districts")
    text = str(info.value)
    assert "d1, d2" in text and "EPSG:4326" in text
    assert "EPSG:25832" in text and "crs_override" in text
    # the suggested fix works, and says what it did
    with pytest.warns(AreasWarning, match="read as EPSG:25832"):
        frame, source = areas.load.pipeline.read_layer(
            path, "districts", crs="EPSG:25832", crs_override=True
        )
    assert np.allclose(frame.area / SQM_PER_HA, 100.0)
    assert source.original_crs == "EPSG:25832"


def test_stated_crs_contradicting_the_file_is_an_error(tmp_path):
    path = write(districts(), tmp_path / "districts.gpkg")
    with pytest.raises(CrsError, match="declares EPSG:25832 but `crs` says EPSG:4326"):
        areas.load.pipeline.read_layer(path, "districts", crs="EPSG:4326")


def test_zone_33_labelled_zone_32(tmp_path):
    frame = districts().to_crs("EPSG:25833").set_crs("EPSG:25832", allow_override=True)
    path = write(frame, tmp_path / "districts.gpkg")
    with pytest.raises(CoordinateError) as info:
        areas.load.pipeline.read_layer(path, "districts")
    assert "EPSG:25833" in str(info.value) and "zone 33" in str(info.value)
    assert "d1, d2" in str(info.value)
    with pytest.warns(AreasWarning):
        fixed, _ = areas.load.pipeline.read_layer(
            path, "districts", crs="EPSG:25833", crs_override=True
        )
    assert np.allclose(fixed.total_bounds, districts().total_bounds, atol=0.01)


def test_swapped_lon_lat_in_csv(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text(
        "company_id,name,lon,lat\n0001,A,55.61,12.46\n0002,B,55.62,12.47\n", encoding="utf-8"
    )
    with pytest.raises(CoordinateError) as info:
        areas.load.pipeline.read_layer(path, "companies")
    text = str(info.value)
    assert "0001, 0002" in text and "swapped" in text and "`lon` and `lat`" in text


def test_one_feature_outside_denmark_is_named(tmp_path):
    frame = companies(3).to_crs("EPSG:4326")
    frame.loc[1, "geometry"] = Point(13.40, 52.52)  # Berlin
    path = write(frame, tmp_path / "companies.geojson")
    with pytest.raises(CoordinateError) as info:
        areas.load.pipeline.read_layer(path, "companies")
    assert info.value.ids == ["0002"]
    assert "outside Denmark" in str(info.value) and "0001" not in str(info.value)


def test_csv_lon_lat_columns_holding_metres(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text(f"company_id,name,lon,lat\n0001,A,{X0},{Y0}\n", encoding="utf-8")
    with pytest.raises(CoordinateError, match=r"rename them x/y .*EPSG:25832"):
        areas.load.pipeline.read_layer(path, "companies")


def test_csv_x_y_without_crs(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text(f"company_id;name;x;y\n0001;A;{X0};{Y0}\n", encoding="utf-8")
    with pytest.raises(MissingCrsError, match="look like EPSG:25832"):
        areas.load.pipeline.read_layer(path, "companies")
    frame, _ = areas.load.pipeline.read_layer(path, "companies", crs=25832)
    assert frame.geometry.iloc[0].equals(Point(X0, Y0))


def test_points_at_zero_zero_and_blank_coordinates_are_excluded(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text(
        "company_id,name,lon,lat\n0001,A,12.46,55.61\n0002,B,0,0\n0003,C,,\n0004,D,12.47,55.62\n",
        encoding="utf-8",
    )
    with pytest.warns(AreasRepairWarning) as record:
        frame, source = areas.load.pipeline.read_layer(path, "companies")
    messages = " ".join(str(w.message) for w in record)
    assert "0002" in messages and "(0, 0)" in messages and "0003" in messages
    assert frame["company_id"].tolist() == ["0001", "0004"]
    assert {e.id: e.reason for e in source.excluded}.keys() == {"0002", "0003"}
    assert source.features_read == 4 and source.features_used == 2 and source.reconciles()


def test_unreadable_coordinates_are_an_error(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text(
        "company_id,name,lon,lat\n0001,A,12.46,55.61\n0002,B,12.4.6,abc\n", encoding="utf-8"
    )
    with pytest.raises(CoordinateError, match=r"0002 \('12.4.6', 'abc'\)"):
        areas.load.pipeline.read_layer(path, "companies")


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "shp", "csv"])
def test_duplicate_ids_every_format(tmp_path, fmt):
    frame = companies(3)
    frame["company_id"] = ["0042", "0042", "0043"]
    path = write_any(frame, tmp_path / f"companies.{fmt}")
    with pytest.raises(DuplicateIdError, match=r"0042 \(2×\)") as info:
        areas.load.pipeline.read_layer(path, "companies")
    assert info.value.ids == ["0042"] and path.name in str(info.value)


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "shp", "csv"])
def test_point_at_zero_zero_every_format(tmp_path, fmt):
    frame = companies(3).to_crs("EPSG:4326")
    frame.loc[1, "geometry"] = Point(0, 0)
    path = write_any(frame, tmp_path / f"companies.{fmt}")
    with pytest.warns(AreasRepairWarning, match=r"\(0, 0\).*: 0002"):
        result, source = areas.load.pipeline.read_layer(path, "companies")
    assert result["company_id"].tolist() == ["0001", "0003"]
    assert source.features_read == 3 and source.reconciles()


# =========================================================================== geometry


def test_bow_tie_polygon_is_repaired_and_reported(tmp_path):
    bow_tie = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100), (X0, Y0)])
    assert not bow_tie.is_valid
    path = write(
        districts(2, geometry=[bow_tie, square(X0 + 500, Y0, 100)]), tmp_path / "districts.gpkg"
    )
    with pytest.warns(AreasRepairWarning, match=r"d1 \(area 0 ha → 0\.5 ha\)"):
        frame, source = areas.load.pipeline.read_layer(path, "districts")
    assert frame.geometry.is_valid.all()
    assert frame.geometry.iloc[0].geom_type in ("Polygon", "MultiPolygon")
    assert frame.geometry.iloc[0].area == pytest.approx(5000.0)  # two triangles of 50 × 100 m
    assert [r.id for r in source.repairs] == ["d1"]
    assert "make_valid" in source.repairs[0].what and "0.5 ha" in source.repairs[0].detail


def test_unclosed_ring_is_closed_and_reported(tmp_path):
    open_ring = ring(X0, Y0, 100)[:-1]
    features = [
        feature(district_props(1), {"type": "Polygon", "coordinates": [open_ring]}),
        feature(district_props(2), {"type": "Polygon", "coordinates": [ring(X0 + 500, Y0, 100)]}),
    ]
    path = write_geojson(features, tmp_path / "districts.geojson", crs=URN_25832)
    with pytest.warns(AreasRepairWarning, match=r"unclosed polygon ring.*: d1"):
        frame, source = areas.load.pipeline.read_layer(path, "districts")
    assert frame.geometry.iloc[0].area == pytest.approx(10_000.0)
    assert source.repairs[0].id == "d1"


@pytest.mark.parametrize(
    ("geometry", "reason"),
    [
        (None, "no geometry"),
        ({"type": "Polygon", "coordinates": []}, "empty geometry"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[X0, Y0], [X0 + 50, Y0 + 50], [X0 + 100, Y0 + 100], [X0, Y0]]],
            },
            "collapsed to zero area",
        ),
    ],
    ids=["null", "empty", "collapsed"],
)
def test_unusable_polygons_excluded_from_bids_but_fatal_for_districts(tmp_path, geometry, reason):
    good = {"type": "Polygon", "coordinates": [ring(X0, Y0, 100)]}
    bids = [
        feature({"bid_id": "b1", "name": "A", "start": "2021-05-01"}, good),
        feature({"bid_id": "b2", "name": "B", "start": "2021-05-01"}, geometry),
    ]
    path = write_geojson(bids, tmp_path / "bids.geojson", crs=URN_25832)
    with pytest.warns(AreasRepairWarning, match=rf"left out 1 feature\(s\) with .*{reason}.*: b2"):
        frame, source = areas.load.pipeline.read_layer(path, "bids")
    assert frame["bid_id"].tolist() == ["b1"]
    assert [e.id for e in source.excluded] == ["b2"] and reason in source.excluded[0].reason
    assert source.features_read == 2 and source.reconciles()

    dists = [feature(district_props(1), good), feature(district_props(2), geometry)]
    path = write_geojson(dists, tmp_path / "districts.geojson", crs=URN_25832)
    with pytest.raises(GeometryError, match=rf"no usable outline .*{reason}.*d2"):
        areas.load.pipeline.read_layer(path, "districts")


def test_point_in_a_polygon_layer(tmp_path):
    frame = districts(
        3, geometry=[square(X0, Y0, 100), Point(X0, Y0), LineString([(X0, Y0), (X0 + 5, Y0)])]
    )
    path = write(frame, tmp_path / "districts.gpkg", geometry_type="Unknown")
    with pytest.raises(GeometryTypeError) as info:
        areas.load.pipeline.read_layer(path, "districts")
    assert info.value.ids == ["d2", "d3"]
    assert "d2 (Point)" in str(info.value) and "LineString" in str(info.value)


def test_polygon_in_a_point_layer_and_one_point_multipoint(tmp_path):
    frame = companies(3, geometry=[Point(X0, Y0), MultiPoint([(X0 + 5, Y0)]), square(X0, Y0, 10)])
    path = write(frame, tmp_path / "companies.gpkg", geometry_type="Unknown")
    with (
        pytest.raises(GeometryTypeError, match=r"0003 \(Polygon\)"),
        pytest.warns(AreasRepairWarning),
    ):
        areas.load.pipeline.read_layer(path, "companies")
    path = write(frame.iloc[:2], tmp_path / "companies2.gpkg", geometry_type="Unknown")
    with pytest.warns(AreasRepairWarning, match="MultiPoint.*0002"):
        fixed, _ = areas.load.pipeline.read_layer(path, "companies")
    assert fixed.geometry.iloc[1].equals(Point(X0 + 5, Y0))


def test_identical_geometries_under_different_ids_warn(tmp_path):
    same = square(X0, Y0, 100)
    path = write(
        districts(3, geometry=[same, square(X0 + 500, Y0, 100), same]), tmp_path / "districts.gpkg"
    )
    with pytest.warns(AreasRepairWarning, match=r"identical geometries.*d1 = d3"):
        frame, _ = areas.load.pipeline.read_layer(path, "districts")
    assert len(frame) == 3  # kept, not dropped


# =========================================================================== columns and values


def test_duplicate_ids(tmp_path):
    frame = companies(4)
    frame["company_id"] = ["0042", "0042", "7", "7"]
    path = write(frame, tmp_path / "companies.gpkg")
    with pytest.raises(DuplicateIdError) as info:
        areas.load.pipeline.read_layer(path, "companies")
    assert info.value.ids == ["0042", "7"]
    assert "0042 (2×)" in str(info.value) and "companies.gpkg" in str(info.value)


def test_missing_ids(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text(
        "company_id,name,lon,lat\n0001,A,12.46,55.61\n,B,12.47,55.62\n", encoding="utf-8"
    )
    with pytest.raises(SchemaError, match=r"no `company_id`: feature #2"):
        areas.load.pipeline.read_layer(path, "companies")


def test_missing_required_column_lists_what_exists(tmp_path):
    path = write(districts().drop(columns=["status"]), tmp_path / "districts.gpkg")
    with pytest.raises(MissingColumnError) as info:
        areas.load.pipeline.read_layer(path, "districts")
    text = str(info.value)
    assert (
        "`status`" in text
        and "district_id, name, municipality" in text
        and "[districts.constants]" in text
    )


def test_mapped_column_that_does_not_exist(tmp_path):
    path = write(districts(), tmp_path / "districts.gpkg")
    with pytest.raises(MissingColumnError, match="no column `plannavn`"):
        areas.load.pipeline.read_layer(path, "districts", columns={"name": "plannavn"})


def test_invalid_status_and_mode(tmp_path):
    frame = gpd.GeoDataFrame(
        {
            "stop_id": ["s1", "s2", "s3"],
            "name": ["A", "B", "C"],
            "mode": ["bus", "tram", "metro"],
            "status": ["existing", "existing", "vedtaget"],
        },
        geometry=[Point(X0, Y0), Point(X0 + 1, Y0), Point(X0 + 2, Y0)],
        crs=WORK_CRS,
    )
    path = write(frame, tmp_path / "stops.gpkg")
    with pytest.raises(SchemaError) as info:
        areas.load.pipeline.read_layer(path, "stops")
    text = str(info.value)
    assert "s2 ('tram')" in text and "light_rail, metro, s_train, regional_rail, bus, brt" in text
    # validate() reports both columns, not just the first
    from areas.validate import validate

    report = validate(
        path,
        fallback="empty",
        config={"districts": {"path": str(write(districts(), tmp_path / "d.gpkg"))}},
    )
    problems = {p.message.split(" of ")[0]: p for p in report.errors}
    assert set(problems) == {"`mode`", "`status`"}
    assert problems["`status`"].ids == ("s3",)


def test_unparseable_dates_name_ids(tmp_path):
    frame = gpd.GeoDataFrame(
        {"plot_id": ["p1", "p2", "p3"], "established": ["2022-05-01", "spring 2022", "2022-13-45"]},
        geometry=[square(X0 + i * 200, Y0, 100) for i in range(3)],
        crs=WORK_CRS,
    )
    path = write(frame, tmp_path / "rewilding.gpkg")
    with pytest.raises(SchemaError) as info:
        areas.load.pipeline.read_layer(path, "rewilding")
    assert info.value.ids == ["p2", "p3"]
    assert "'spring 2022'" in str(info.value) and "YYYY-MM-DD" in str(info.value)


def test_bad_integers_and_booleans(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text(
        "company_id;name;employees;bid_member;lon;lat\n"
        "1;A;12;ja;12,46;55,61\n2;B;1.234,5;nej;12,47;55,62\n3;C;-3;måske;12,48;55,63\n",
        encoding="utf-8",
    )
    from areas.validate import validate

    report = validate(
        tmp_path / "companies.csv",
        config={"districts": {"path": str(write(districts(), tmp_path / "d.gpkg"))}},
        fallback="empty",
    )
    by_column = {p.message.split(" of ")[0]: p.ids for p in report.errors}
    assert by_column == {"`employees`": ("2", "3"), "`bid_member`": ("3",)}


# =========================================================================== layers


def test_multi_layer_geopackage_without_a_layer_named(tmp_path):
    path = tmp_path / "plans.gpkg"
    write(districts(), path, layer="lokalplaner")
    write(districts(), path, layer="kommuneplan")
    with pytest.raises(AmbiguousLayerError) as info:
        areas.load.pipeline.read_layer(path, "districts")
    assert "lokalplaner" in str(info.value) and "kommuneplan" in str(info.value)
    frame, source = areas.load.pipeline.read_layer(path, "districts", layer="lokalplaner")
    assert source.layer == "lokalplaner" and len(frame) == 2


def test_named_layer_that_does_not_exist(tmp_path):
    path = tmp_path / "plans.gpkg"
    write(districts(), path, layer="lokalplaner")
    with pytest.raises(MissingLayerError, match=r"no layer `districter`; it holds lokalplaner"):
        areas.load.pipeline.read_layer(path, "districts", layer="districter")


def test_missing_file(tmp_path):
    with pytest.raises(MissingLayerError, match="does not exist"):
        areas.load.pipeline.read_layer(tmp_path / "nope.gpkg", "districts")


def test_two_files_for_one_kind_in_a_folder(tmp_path):
    write(districts(), tmp_path / "districts.gpkg")
    write(districts(), tmp_path / "districts.geojson")
    with pytest.raises(AmbiguousLayerError, match="districts.geojson, districts.gpkg"):
        areas.load.pipeline.load(tmp_path)


# =========================================================================== damaged files


def test_truncated_shp(tmp_path):
    path = shapefile(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[:-10])
    with pytest.raises(DamagedFileError, match="truncated"):
        areas.load.pipeline.read_layer(path, "companies")


def test_dbf_with_fewer_records_than_shx(tmp_path):
    three = shapefile(tmp_path, 3)
    two = shapefile(tmp_path, 2)
    shutil.copy(two.with_suffix(".dbf"), three.with_suffix(".dbf"))
    with pytest.raises(
        DamagedFileError, match=r"indexes 3 shapes but companies.dbf holds 2 records"
    ):
        areas.load.pipeline.read_layer(three, "companies")


def test_truncated_dbf(tmp_path):
    path = shapefile(tmp_path)
    dbf = path.with_suffix(".dbf")
    dbf.write_bytes(dbf.read_bytes()[:-40])
    with pytest.raises(DamagedFileError, match="says 3 records but holds 2"):
        areas.load.pipeline.read_layer(path, "companies")


def test_missing_dbf(tmp_path):
    path = shapefile(tmp_path)
    path.with_suffix(".dbf").unlink()
    with pytest.raises(DamagedFileError, match=r"no \.dbf .*copy all of them"):
        areas.load.pipeline.read_layer(path, "companies")


def test_truncated_geopackage(tmp_path):
    path = write(companies(50), tmp_path / "companies.gpkg")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DamagedFileError, match="truncated"):
        areas.load.pipeline.read_layer(path, "companies")


def test_garbled_geopackage(tmp_path):
    path = write(companies(50), tmp_path / "companies.gpkg")
    data = bytearray(path.read_bytes())
    data[100:4000] = bytes(range(256)) * 15 + bytes(range(60))
    path.write_bytes(bytes(data))
    with pytest.raises(DamagedFileError, match="companies.gpkg"):
        areas.load.pipeline.read_layer(path, "companies")


def test_html_page_saved_as_geojson(tmp_path):
    path = tmp_path / "districts.geojson"
    path.write_text(
        "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", encoding="utf-8"
    )
    with pytest.raises(DamagedFileError, match="HTML page"):
        areas.load.pipeline.read_layer(path, "districts")


def test_truncated_geojson(tmp_path):
    path = write(districts(), tmp_path / "districts.geojson")
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(DamagedFileError, match="cut off"):
        areas.load.pipeline.read_layer(path, "districts")


def test_geojson_feature_that_gdal_would_skip(tmp_path):
    good = {"type": "Polygon", "coordinates": [ring(X0, Y0, 100)]}
    features = [feature(district_props(i), good) for i in (1, 2, 3)]
    features[1]["typf"] = features[1].pop("type")  # one damaged byte in a key
    path = write_geojson(features, tmp_path / "districts.geojson", crs=URN_25832)
    with pytest.raises(DamagedFileError, match="holds 3 feature objects but only 2 could be read"):
        areas.load.pipeline.read_layer(path, "districts")
    # a property whose value happens to be "Feature" is not mistaken for damage
    features = [
        feature(
            district_props(i, kind="Feature"),
            {"type": "Polygon", "coordinates": [ring(X0 + i * 500, Y0, 100)]},
        )
        for i in (1, 2)
    ]
    path = write_geojson(features, tmp_path / "districts.geojson", crs=URN_25832)
    assert len(areas.load.pipeline.read_layer(path, "districts")[0]) == 2


def test_a_short_read_is_an_error_not_fewer_rows(tmp_path, monkeypatch):
    path = write(companies(5), tmp_path / "companies.gpkg")
    real = pyogrio.read_dataframe

    def short(*args, **kwargs):
        return real(*args, **kwargs).iloc[:3]

    monkeypatch.setattr(pyogrio, "read_dataframe", short)
    with pytest.raises(DamagedFileError, match="gave 3 features but says it holds 5"):
        areas.load.pipeline.read_layer(path, "companies")


def test_empty_file(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_bytes(b"")
    with pytest.raises(DamagedFileError, match="empty"):
        areas.load.pipeline.read_layer(path, "companies")


# =========================================================================== Shapefile encodings


def names_of(frame):
    return frame["name"].tolist()


@pytest.mark.parametrize("encoding", ["UTF-8", "cp1252", "cp865"])
def test_shapefile_with_cpg(tmp_path, encoding):
    frame, source = areas.load.pipeline.read_layer(
        encoded_shapefile(tmp_path, encoding), "companies"
    )
    assert names_of(frame) == NAMES
    assert source.encoding == {"UTF-8": "utf-8", "cp1252": "cp1252", "cp865": "cp865"}[encoding]


def test_shapefile_utf8_without_cpg(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame, source = areas.load.pipeline.read_layer(
            encoded_shapefile(tmp_path, "UTF-8", cpg=None), "companies"
        )
    assert names_of(frame) == NAMES and source.encoding == "utf-8"


@pytest.mark.parametrize("encoding", ["cp1252", "cp865"])
def test_shapefile_single_byte_without_cpg_is_guessed_with_a_warning(tmp_path, encoding):
    path = encoded_shapefile(tmp_path, encoding, cpg=None)
    with pytest.warns(AreasWarning, match=rf"no \.cpg .* read as {encoding}"):
        frame, source = areas.load.pipeline.read_layer(path, "companies")
    assert names_of(frame) == NAMES and source.encoding == encoding


def test_shapefile_cp865_declared_by_ldid(tmp_path):
    path = encoded_shapefile(tmp_path, "cp865", cpg=None, ldid=0x66)  # dBASE "Nordic MS-DOS"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame, source = areas.load.pipeline.read_layer(path, "companies")
    assert names_of(frame) == NAMES and source.encoding == "cp865"


def test_cpg_that_lies_utf8_over_cp1252(tmp_path):
    path = encoded_shapefile(tmp_path, "cp1252", cpg="UTF-8")
    with pytest.raises(
        EncodingError, match=r"says UTF-8 but the text is not UTF-8; it looks like cp1252"
    ):
        areas.load.pipeline.read_layer(path, "companies")
    frame, source = areas.load.pipeline.read_layer(path, "companies", encoding="cp1252")
    assert names_of(frame) == NAMES and source.encoding == "cp1252"


def test_cpg_that_lies_1252_over_utf8(tmp_path):
    path = encoded_shapefile(tmp_path, "UTF-8", cpg="1252")
    with pytest.raises(EncodingError, match=r"says 1252 but the text is UTF-8"):
        areas.load.pipeline.read_layer(path, "companies")


def test_cpg_that_lies_1252_over_cp865(tmp_path):
    path = encoded_shapefile(tmp_path, "cp865", cpg="1252")
    with pytest.raises(EncodingError, match="cp865|cannot be cp1252"):
        areas.load.pipeline.read_layer(path, "companies")
    frame, _ = areas.load.pipeline.read_layer(path, "companies", encoding="cp865")
    assert names_of(frame) == NAMES


def test_mojibake_in_the_source_is_refused(tmp_path):
    broken = [n.encode("utf-8").decode("cp1252", errors="replace") for n in NAMES]
    assert broken[0].startswith("Ã†")
    path = write(companies(3, name=broken), tmp_path / "companies.geojson")
    with pytest.raises(EncodingError) as info:
        areas.load.pipeline.read_layer(path, "companies")
    assert info.value.ids == ["0001", "0002", "0003"] and "Ã¦" in str(info.value)


# =========================================================================== CSV


def test_csv_semicolon_and_decimal_commas(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text("company_id;name;employees;lon;lat\n0042;Ærø;3;12,46;55,61\n", encoding="utf-8")
    frame, _ = areas.load.pipeline.read_layer(path, "companies")
    expected = gpd.GeoSeries([Point(12.46, 55.61)], crs="EPSG:4326").to_crs(WORK_CRS)
    assert frame.geometry.iloc[0].distance(expected.iloc[0]) < 0.01
    assert frame["company_id"].tolist() == ["0042"] and frame["name"].tolist() == ["Ærø"]


def test_csv_comma_with_unquoted_decimal_commas(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text(
        "company_id,name,lon,lat\n0001,A,12,46,55,61\n0002,B,12,47,55,62\n", encoding="utf-8"
    )
    with pytest.raises(DamagedFileError) as info:
        areas.load.pipeline.read_layer(path, "companies")
    text = str(info.value)
    assert "line 2 (6 fields), 3 (6 fields)" in text and "decimal commas" in text and "`;`" in text


def test_csv_line_with_too_few_fields(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text("company_id,name,lon,lat\n0001,A,12.46,55.61\n0002,B,12.47\n", encoding="utf-8")
    with pytest.raises(DamagedFileError, match=r"line 3 \(3 fields\)"):
        areas.load.pipeline.read_layer(path, "companies")


def test_csv_quoted_fields_with_separators(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text(
        'company_id,name,lon,lat\n0001,"Klee, Brdr.","12,46","55,61"\n', encoding="utf-8"
    )
    frame, _ = areas.load.pipeline.read_layer(path, "companies")
    assert frame["name"].tolist() == ["Klee, Brdr."] and len(frame) == 1


def test_csv_duplicate_column_names(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_text("company_id;name;name;lon;lat\n1;A;B;12,4;55,6\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="duplicate column names: `name`"):
        areas.load.pipeline.read_layer(path, "companies")


def test_csv_cp1252_is_read_with_a_warning(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_bytes("company_id;name;lon;lat\n0001;Ærø Å;12,46;55,61\n".encode("cp1252"))
    with pytest.warns(AreasWarning, match="not UTF-8; it was read as cp1252"):
        frame, source = areas.load.pipeline.read_layer(path, "companies")
    assert frame["name"].tolist() == ["Ærø Å"] and source.encoding == "cp1252"


def test_csv_leading_zero_codes_and_utf8_bom(tmp_path):
    path = tmp_path / "companies.csv"
    path.write_bytes("\ufeffcompany_id,name,sector,lon,lat\n00123,A,0165,12.46,55.61\n".encode())
    frame, _ = areas.load.pipeline.read_layer(path, "companies")
    assert frame["company_id"].tolist() == ["00123"] and frame["sector"].tolist() == ["0165"]


# =========================================================================== truncation

_VALID: dict[str, dict[str, bytes]] = {}


def _valid_files(fmt: str) -> dict[str, bytes]:
    """Return the bytes of a valid companies layer in ``fmt`` (built once)."""
    if fmt not in _VALID:
        with tempfile.TemporaryDirectory() as tmp:
            suffix = {"gpkg": ".gpkg", "geojson": ".geojson", "shp": ".shp"}[fmt]
            write(companies(40), Path(tmp) / f"companies{suffix}")
            _VALID[fmt] = {p.suffix: p.read_bytes() for p in Path(tmp).iterdir()}
    return _VALID[fmt]


def _check_truncation(fmt: str, part: str, fraction: float) -> None:
    files = _valid_files(fmt)
    data = files[part]
    cut = min(int(len(data) * fraction), len(data) - 1)
    with tempfile.TemporaryDirectory() as tmp:
        for suffix, content in files.items():
            (Path(tmp) / f"companies{suffix}").write_bytes(
                content[:cut] if suffix == part else content
            )
        main = Path(tmp) / (
            "companies" + {"gpkg": ".gpkg", "geojson": ".geojson", "shp": ".shp"}[fmt]
        )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", AreasWarning)
                frame, source = areas.load.pipeline.read_layer(main, "companies")
        except AreasError:
            return
        assert frame["company_id"].tolist() == [f"{i:04d}" for i in range(1, 41)]
        assert source.features_read == 40 and source.reconciles()


fractions = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fraction=fractions)
def test_truncated_geopackage_never_loses_rows(fraction):
    _check_truncation("gpkg", ".gpkg", fraction)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fraction=fractions)
def test_truncated_geojson_never_loses_rows(fraction):
    _check_truncation("geojson", ".geojson", fraction)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(part=st.sampled_from([".shp", ".shx", ".dbf"]), fraction=fractions)
def test_truncated_shapefile_never_loses_rows(part, fraction):
    _check_truncation("shp", part, fraction)


def test_truncation_boundaries():
    """The edges hypothesis may not hit: nothing left, and one byte short."""
    for fmt, part in (
        ("gpkg", ".gpkg"),
        ("geojson", ".geojson"),
        ("shp", ".shp"),
        ("shp", ".dbf"),
        ("shp", ".shx"),
    ):
        _check_truncation(fmt, part, 0.0)
        _check_truncation(fmt, part, 1.0)


# =========================================================================== command line


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "areas", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


@pytest.mark.slow
def test_cli_validate_names_problems_without_traceback(tmp_path):
    frame = districts(3)
    frame["district_id"] = ["d1", "d1", "d3"]
    write(frame, tmp_path / "districts.gpkg")
    (tmp_path / "companies.csv").write_text(
        "company_id,name,lon,lat\n0001,A,12,46,55,61\n", encoding="utf-8"
    )
    result = run_cli("validate", str(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "Traceback" not in output
    assert "DuplicateIdError" in output and "d1 (2×)" in output
    assert "DamagedFileError" in output and "line 2" in output


@pytest.mark.slow
def test_cli_validate_damaged_file_and_missing_path(tmp_path):
    (tmp_path / "districts.geojson").write_text("<html>error</html>", encoding="utf-8")
    result = run_cli("validate", str(tmp_path / "districts.geojson"))
    assert result.returncode != 0 and "Traceback" not in result.stdout + result.stderr
    assert "HTML page" in result.stdout + result.stderr
    result = run_cli("validate", str(tmp_path / "nothing-here"))
    assert result.returncode != 0 and "Traceback" not in result.stdout + result.stderr
    assert "does not exist" in result.stdout + result.stderr


@pytest.mark.slow
def test_cli_validate_good_data_exits_zero(tmp_path):
    write(districts(), tmp_path / "districts.gpkg")
    write(companies(), tmp_path / "companies.gpkg")
    result = run_cli("validate", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors" in result.stdout
