"""Tests of the report writers (CSV, XLSX, GeoPackage) and the inline SVG charts."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.raw
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import areas.output.export as _export
from areas._atomic import TMP_PREFIX
from areas.errors import OutputError
from areas.output.charts import bar_chart, line_chart, static_map
from areas.output.export import (
    count_csv_rows,
    gpkg_layer_counts,
    neutralise_formula,
    write_csv,
    write_gpkg,
    write_xlsx,
)

CRS = "EPSG:25832"


def _tmp_leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(TMP_PREFIX)]


@pytest.fixture
def firms() -> gpd.GeoDataFrame:
    """Three firms at hand-checkable points; awkward text and every nullable dtype."""
    return gpd.GeoDataFrame(
        {
            "company_id": ["007", "a,b", "c"],
            "name": ['Æblegården "Øst"\nlinje 2', "<script>alert(1)</script>", "Ålholm ApS"],
            "employees": pd.array([12, None, 3], dtype="Int64"),
            "bid_member": pd.array([True, None, False], dtype="boolean"),
            "opens": pd.to_datetime(["2025-10-26", None, "2021-05-01"]),
            "distance_m": [412.5, np.nan, 0.0],
        },
        geometry=shapely.points([0.0, 10.0, 5.0], [0.0, 0.0, 5.0]),
        crs=CRS,
    )


# --------------------------------------------------------------------------- CSV


def test_csv_round_trip_keeps_text_ids_and_missing(tmp_path, firms):
    path = write_csv(firms, tmp_path / "firms.csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["company_id", "name", "employees", "bid_member", "opens", "distance_m"]
    assert len(rows) == 4
    assert rows[1] == ["007", 'Æblegården "Øst"\nlinje 2', "12", "True", "2025-10-26", "412.5"]
    assert rows[2] == ["a,b", "<script>alert(1)</script>", "", "", "", ""]
    assert count_csv_rows(path) == 3  # the embedded newline is not a row
    assert _tmp_leftovers(tmp_path) == []


def test_csv_is_utf8_with_a_bom_and_unix_newlines(tmp_path, firms):
    raw = write_csv(firms, tmp_path / "f.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfcompany_id,")  # Excel then reads æ, ø, å right
    assert raw.count(b"\xef\xbb\xbf") == 1
    assert "Ålholm".encode() in raw
    assert b"\r\n" not in raw


def test_csv_excel_da_dialect_round_trips_with_pandas(tmp_path, firms):
    path = write_csv(firms, tmp_path / "f.csv", dialect="excel-da")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfcompany_id;name;")
    assert b"412,5" in raw and b"412.5" not in raw
    back = pd.read_csv(path, sep=";", decimal=",", dtype={"company_id": str}, encoding="utf-8-sig")
    assert back["company_id"].tolist()[:2] == ["007", "a,b"]
    assert back["name"].tolist() == firms["name"].tolist()
    assert back["distance_m"].tolist()[0] == 412.5 and back["distance_m"].isna().tolist()[1]
    assert back["employees"].tolist()[0] == 12
    assert count_csv_rows(path) == 3
    with pytest.raises(OutputError, match="`csv_dialect` must be one of"):
        write_csv(firms, tmp_path / "g.csv", dialect="excel-de")


def test_csv_excel_da_round_trips_through_the_loader(tmp_path):
    import areas

    firms = areas.load().companies.head(25).copy()
    xy = firms.geometry.to_crs("EPSG:4326")
    table = pd.DataFrame(firms.drop(columns="geometry")).assign(lon=xy.x, lat=xy.y)
    path = write_csv(table, tmp_path / "companies.csv", dialect="excel-da")
    frame, source = areas.load.pipeline.read_layer(path, "companies")
    assert frame["company_id"].tolist() == firms["company_id"].tolist()
    assert frame["name"].tolist() == firms["name"].tolist()
    assert frame["employees"].tolist() == firms["employees"].tolist()
    assert frame.geometry.distance(firms.geometry.reset_index(drop=True)).max() < 0.01
    assert source.encoding == "utf-8-sig"


def test_csv_failed_check_keeps_previous_file(tmp_path, firms, monkeypatch):
    target = tmp_path / "f.csv"
    target.write_text("previous\n", encoding="utf-8")
    monkeypatch.setattr(_export, "count_csv_rows", lambda path: -1)
    with pytest.raises(OutputError, match="CSV check failed"):
        write_csv(firms, target)
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert _tmp_leftovers(tmp_path) == []


def test_csv_ready_dates_with_time_keep_the_time():
    frame = pd.DataFrame({"t": pd.to_datetime(["2025-10-26 06:30", None])})
    assert _export.csv_ready(frame)["t"].tolist() == ["2025-10-26T06:30:00", None]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(
        st.text(
            alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
            max_size=12,
        ),
        max_size=8,
    )
)
def test_csv_any_text_round_trips(tmp_path_factory, names):
    folder = tmp_path_factory.mktemp("csv")
    frame = pd.DataFrame({"name": pd.Series(names, dtype=object), "n": range(len(names))})
    path = write_csv(frame, folder / "t.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    # text is verbatim, except that a would-be formula carries a leading apostrophe
    assert back["name"].tolist() == [neutralise_formula(n) for n in names]
    assert count_csv_rows(path) == len(names)


# --------------------------------------------------------------------------- XLSX


def test_xlsx_sheets_headers_formats(tmp_path):
    table = pd.DataFrame(
        {
            "district_id": ["holmene", "gungevej"],
            "area_ha": [320.25, 12.0],
            "rail_600m_companies_share": [0.5, np.nan],
            "median_rail_distance_m": [640.2, np.nan],
            "companies": pd.array([380, None], dtype="Int64"),
        }
    )
    path = write_xlsx(
        {
            "summary": table,
            "kolonner": pd.DataFrame({"column": ["area_ha"], "label": ["Areal (ha)"]}),
        },
        tmp_path / "s.xlsx",
        headers={"summary": {"area_ha": "Areal (ha)"}},
    )
    book = load_workbook(path)
    assert book.sheetnames == ["summary", "kolonner"]
    ws = book["summary"]
    assert [c.value for c in ws[1]] == [
        "district_id",
        "Areal (ha)",
        "rail_600m_companies_share",
        "median_rail_distance_m",
        "companies",
    ]
    assert ws["B2"].value == 320.25 and ws["B2"].number_format == "#,##0.00"
    assert ws["C2"].value == 0.5 and ws["C2"].number_format == "0.0%"
    assert ws["C3"].value is None  # NaN is an empty cell, not the text "nan"
    assert ws["E3"].value is None and ws["E2"].value == 380
    assert ws.freeze_panes == "A2"
    assert _tmp_leftovers(tmp_path) == []


@pytest.mark.parametrize("name", ["", "a" * 32, "bad/name", "x[1]"])
def test_xlsx_refuses_invalid_sheet_names(tmp_path, name):
    with pytest.raises(OutputError, match="sheet name"):
        write_xlsx({name: pd.DataFrame({"a": [1]})}, tmp_path / "s.xlsx")
    assert not (tmp_path / "s.xlsx").exists()


# --------------------------------------------------------------------------- GeoPackage


def test_gpkg_layers_counts_crs_and_values(tmp_path, firms):
    squares = gpd.GeoDataFrame(
        {"district_id": ["a", "b"], "area_ha": [0.01, 0.02]},
        geometry=[
            shapely.box(0, 0, 10, 10),
            shapely.MultiPolygon([shapely.box(20, 0, 30, 10), shapely.box(40, 0, 50, 10)]),
        ],
        crs=CRS,
    )
    empty = gpd.GeoDataFrame(
        {"bid_id": pd.Series([], dtype=str)}, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS
    )
    path = write_gpkg(
        {"districts": squares, "companies": firms, "active_bids": empty},
        tmp_path / "r.gpkg",
        geometry_types={
            "districts": "MultiPolygon",
            "companies": "Point",
            "active_bids": "MultiPolygon",
        },
    )
    assert gpkg_layer_counts(path) == {"districts": 2, "companies": 3, "active_bids": 0}
    layers = dict(pyogrio.list_layers(path))
    assert layers == {
        "districts": "MultiPolygon",
        "companies": "Point",
        "active_bids": "MultiPolygon",
    }
    for layer in layers:
        assert pyogrio.read_info(path, layer=layer)["crs"] == CRS
    back = pyogrio.read_dataframe(path, layer="companies")
    assert back["company_id"].tolist() == ["007", "a,b", "c"]
    assert back["name"].iloc[1] == "<script>alert(1)</script>"
    assert back["employees"].isna().tolist() == [False, True, False]
    dist = pyogrio.read_dataframe(path, layer="districts")
    assert dist.geometry.area.round(6).tolist() == [100.0, 200.0]
    assert _tmp_leftovers(tmp_path) == []


@pytest.mark.parametrize("name", ["résultats", "a b", "1st", "../x", ""])
def test_gpkg_refuses_non_ascii_layer_names(tmp_path, firms, name):
    with pytest.raises(OutputError, match="layer name"):
        write_gpkg({name: firms}, tmp_path / "r.gpkg")
    assert not (tmp_path / "r.gpkg").exists()


def test_gpkg_refuses_other_crs(tmp_path, firms):
    with pytest.raises(OutputError, match="must be in EPSG:25832"):
        write_gpkg({"companies": firms.to_crs("EPSG:4326")}, tmp_path / "r.gpkg")


def test_gpkg_failed_write_keeps_previous_file(tmp_path, firms, monkeypatch):
    target = tmp_path / "r.gpkg"
    write_gpkg({"companies": firms}, target)
    before = target.read_bytes()
    real = pyogrio.raw.write

    def fail_on_second(*args, layer=None, **kw):
        if layer == "second":
            raise RuntimeError("disk full")
        return real(*args, layer=layer, **kw)

    monkeypatch.setattr(pyogrio.raw, "write", fail_on_second)
    with pytest.raises(RuntimeError, match="disk full"):
        write_gpkg({"first": firms, "second": firms}, target)
    assert target.read_bytes() == before
    assert _tmp_leftovers(tmp_path) == []


def test_gpkg_is_version_1_2(tmp_path, firms):
    """GeoPackage 1.2 opens without a version warning in GDAL 3.6 (Debian 12) and QGIS 3.28."""
    path = write_gpkg({"companies": firms}, tmp_path / "r.gpkg")
    import sqlite3

    con = sqlite3.connect(path)
    try:
        (user_version,) = con.execute("PRAGMA user_version").fetchone()
    finally:
        con.close()
    assert user_version == 10200


# --------------------------------------------------------------------------- charts


def test_chart_svg_is_inline_safe_and_escaped():
    svg = line_chart(
        {
            "<script>alert(1)</script>": ([2021, 2022, 2023], [1.0, 5.5, 15.0]),
            "Øst": ([2022], [2.0]),
        },
        title="Vild natur <b>Avedøre</b>",
        ylabel="ha",
        chart_id="rw-x",
        lang="da",
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert "<title>Vild natur &lt;b&gt;Avedøre&lt;/b&gt;</title>" in svg
    assert "http" not in svg  # no namespace URLs or links to fetch
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("rw-x-") for i in ids)
    for ref in re.findall(r'(?:href="#|url\(#)([^")]+)', svg):
        assert ref in ids


def test_charts_are_deterministic_and_ids_differ_between_charts():
    a = bar_chart(
        ["400 m", "600 m"],
        {"rail": [0.1, np.nan], "bus": [0.5, 1.0]},
        title="T",
        chart_id="a",
        percent=True,
    )
    b = bar_chart(
        ["400 m", "600 m"],
        {"rail": [0.1, np.nan], "bus": [0.5, 1.0]},
        title="T",
        chart_id="a",
        percent=True,
    )
    c = bar_chart(
        ["400 m", "600 m"],
        {"rail": [0.1, np.nan], "bus": [0.5, 1.0]},
        title="T",
        chart_id="c",
        percent=True,
    )
    assert a == b
    assert not set(re.findall(r'\bid="([^"]+)"', a)) & set(re.findall(r'\bid="([^"]+)"', c))
    assert "100%" in a and "50%" in a  # the share axis


def test_chart_danish_decimal_comma():
    svg = bar_chart(
        ["1.200 m"], {"rail": [0.125]}, title="T", chart_id="d", lang="da", percent=True
    )
    assert "25 %" in svg and "100 %" in svg and "1.200 m" in svg


def test_static_map_draws_few_and_many_points_as_vectors_and_stays_small():
    square = [shapely.box(0, 0, 1000, 1000)]
    few = static_map(
        title="m",
        polygons=[("d", square, {"facecolor": "none"})],
        points=[("f", np.array([[1.0, 1.0]]), {})],
        chart_id="m1",
    )
    many_xy = np.random.default_rng(0).uniform(0, 1000, (5000, 2))
    many = static_map(
        title="m",
        polygons=[("d", square, {"facecolor": "none"})],
        points=[("f", many_xy, {})],
        chart_id="m2",
    )
    assert "data:image" not in few and "data:image" not in many
    assert few.count("h0") == 1 + 1  # the point and its legend entry
    assert many.count("h0") > 4000  # nearly every one of the 5,000 points has its own place
    assert len(many) < 400_000


def test_writers_leave_no_temp_files_when_killed_between(tmp_path, firms):
    """A writer that raises inside the block removes its temporary file."""
    from areas._atomic import atomic_path

    with pytest.raises(KeyboardInterrupt):
        with atomic_path(tmp_path / "x.gpkg") as tmp:
            pyogrio.write_dataframe(firms, tmp, layer="companies")
            raise KeyboardInterrupt
    assert os.listdir(tmp_path) == []


def test_writers_are_registered_by_format_and_suffix(tmp_path):
    assert {"csv", "xlsx", "gpkg"} <= set(_export.WRITERS)
    assert _export.writer_for("out/summary.CSV").name == "csv"
    frame = pd.DataFrame({"district_id": ["a", "b"], "companies": [1, 2]})
    path = _export.writer_for("csv").write(frame, tmp_path / "t.csv")
    assert _export.writer_for("csv").count(path) == 2
    with pytest.raises(OutputError, match="no writer for 'x.parquet'; formats: csv, gpkg, xlsx"):
        _export.writer_for("x.parquet")
