"""Write → read keeps what matters, for every format the toolkit reads or writes.

Hypothesis generates small layers in EPSG:25832 inside Denmark: ids with
leading zeros, names with æ, ø, å and other text a planner's data holds
(quotes, separators, ``<``, line breaks, non-Latin letters), random
polygons and points. Each layer is

- written in every input format (GeoPackage, GeoJSON, Shapefile with its
  ``.cpg``, CSV) and read back with :func:`areas.load.pipeline.read_layer`;
- written with the report writers of :mod:`areas.output.export` (CSV, XLSX,
  GeoPackage) and read back with pandas, openpyxl and pyogrio;

and must keep its feature count, its ids (as text), its CRS, its text and
its areas (to 1e-6 relative). Finally the report's ``summary.csv``,
``summary.xlsx`` and ``results.gpkg`` of a random atlas must hold
:attr:`Summary.table`.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from shapely import affinity

import areas
from areas.atlas import Atlas
from areas.load.pipeline import read_layer
from areas.output.export import count_csv_rows, write_csv, write_gpkg, write_xlsx
from areas.output.report.write import write_report
from areas.schema import KINDS, STATUSES, WORK_CRS

X0, Y0 = 700_000.0, 6_160_000.0  # Vestegnen, EPSG:25832
REL = 1e-6
SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --------------------------------------------------------------------------- strategies

DANISH = "æøåÆØÅ"
#: Letters and signs of names and addresses, all drawable by the static maps' font.
TEXT = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    + DANISH
    + " .,;:-/&'\"()<>éèüöäßñÉ–—’«»€½§"
    + "ŁŻčřăđ"  # other Latin letters
    + "ΣλЖя"  # other scripts
)
#: Text that only the data files carry (not drawn in the static maps).
WIDE = "漢字😀"


@st.composite
def danish_text(draw, max_size=24, newlines=True, wide=True):
    """Text that starts with a Danish letter and holds any of TEXT (and line breaks, WIDE)."""
    alphabet = TEXT + ("\n" if newlines else "") + (WIDE if wide else "")
    body = draw(st.text(alphabet=alphabet, max_size=max_size))
    return (draw(st.sampled_from(DANISH)) + body).rstrip()


def leading_zero_ids(n):
    """``n`` distinct ids, each with a leading zero ("0", "007", "00042" are all different)."""
    return st.lists(
        st.from_regex(r"0[0-9]{0,5}", fullmatch=True), min_size=n, max_size=n, unique=True
    )


@st.composite
def polygons(draw, n):
    """``n`` distinct polygons: boxes of 1 m to 1 km, some rotated, with a hole in some."""
    geoms = []
    for i in range(n):
        x = X0 + 2_000 * i + draw(st.floats(0, 500, allow_nan=False))
        y = Y0 + draw(st.floats(0, 20_000, allow_nan=False))
        w = draw(st.floats(1, 1_000, allow_nan=False))
        h = draw(st.floats(1, 1_000, allow_nan=False))
        geom = shapely.box(x, y, x + w, y + h)
        if draw(st.booleans()):
            geom = geom.difference(shapely.box(x + w / 4, y + h / 4, x + w / 2, y + h / 2))
        angle = draw(st.sampled_from([0.0, 17.0, 45.0, 90.0]))
        geoms.append(affinity.rotate(geom, angle, origin="centroid"))
    return geoms


@st.composite
def points(draw, n):
    xs = draw(st.lists(st.floats(X0, X0 + 20_000, allow_nan=False), min_size=n, max_size=n))
    ys = draw(st.lists(st.floats(Y0, Y0 + 20_000, allow_nan=False), min_size=n, max_size=n))
    return [shapely.Point(x, y) for x, y in zip(xs, ys, strict=True)]


@st.composite
def district_layers(draw, max_n=5, newlines=True, wide=True):
    n = draw(st.integers(1, max_n))
    return gpd.GeoDataFrame(
        {
            "district_id": draw(leading_zero_ids(n)),
            "name": [draw(danish_text(newlines=newlines, wide=wide)) for _ in range(n)],
            "municipality": [
                draw(st.sampled_from(["Albertslund", "Hvidovre", "Høje-Taastrup", "Brøndby"]))
                for _ in range(n)
            ],
            "status": [draw(st.sampled_from(STATUSES)) for _ in range(n)],
        },
        geometry=draw(polygons(n)),
        crs=WORK_CRS,
    )


@st.composite
def company_layers(draw, max_n=8, newlines=True):
    n = draw(st.integers(1, max_n))
    employees = [draw(st.one_of(st.none(), st.integers(0, 5_000))) for _ in range(n)]
    return gpd.GeoDataFrame(
        {
            "company_id": draw(leading_zero_ids(n)),
            "name": [draw(danish_text(newlines=newlines)) for _ in range(n)],
            "employees": pd.array(employees, dtype="Int64"),
            "sector": [draw(st.from_regex(r"0[0-9]{3}", fullmatch=True)) for _ in range(n)],
            "address": [draw(danish_text(newlines=False)) for _ in range(n)],
        },
        geometry=draw(points(n)),
        crs=WORK_CRS,
    )


# --------------------------------------------------------------------------- comparisons


def assert_same_layer(back: gpd.GeoDataFrame, original: gpd.GeoDataFrame, kind: str) -> None:
    """Count, ids (text), CRS, text columns and geometry (areas or positions) agree."""
    id_col = KINDS[kind].id_column
    assert len(back) == len(original)
    assert back.crs is not None and back.crs.to_epsg() == 25832
    assert [type(i) for i in back[id_col]] == [str] * len(back)
    assert back[id_col].tolist() == original[id_col].tolist()
    text_columns = [
        c for c in ("name", "municipality", "status", "sector", "address") if c in original.columns
    ]
    for column in text_columns:
        assert back[column].tolist() == original[column].tolist(), column
    if "employees" in original.columns:
        assert back["employees"].astype("Int64").tolist() == original["employees"].tolist()
    if KINDS[kind].geometry == "polygon":
        np.testing.assert_allclose(back.geometry.area, original.geometry.area, rtol=REL)
        assert back.geometry.is_valid.all()
    else:
        np.testing.assert_allclose(back.geometry.x, original.geometry.x, rtol=0, atol=1e-6)
        np.testing.assert_allclose(back.geometry.y, original.geometry.y, rtol=0, atol=1e-6)


def write_input(frame: gpd.GeoDataFrame, folder: Path, kind: str, fmt: str) -> Path:
    """Write ``frame`` as a planner's input file of format ``fmt``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kind}.{fmt}"
    if fmt == "csv":
        table = pd.DataFrame(frame.drop(columns="geometry"))
        table["x"], table["y"] = frame.geometry.x, frame.geometry.y
        table.to_csv(path, index=False)
        return path
    options = {"encoding": "UTF-8"} if fmt == "shp" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GDAL shortens Shapefile field names
        pyogrio.write_dataframe(frame, path, layer=kind if fmt == "gpkg" else None, **options)
    if fmt == "shp":
        assert path.with_suffix(".cpg").read_text().strip().upper() in ("UTF-8", "UTF8")
    return path


def read_input(path: Path, kind: str) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clean layer reads without a repair or a guess
        frame, source = read_layer(path, kind, crs="EPSG:25832" if path.suffix == ".csv" else None)
    assert source.reconciles() and source.features_read == len(frame)
    assert source.original_crs == "EPSG:25832"
    return frame


# --------------------------------------------------------------------------- input formats


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "shp"])
@SETTINGS
@given(frame=district_layers())
def test_districts_round_trip_through_input_formats(fmt, frame, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"districts-{fmt}")
    back = read_input(write_input(frame, folder, "districts", fmt), "districts")
    assert_same_layer(back, frame, "districts")


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "shp", "csv"])
@SETTINGS
@given(frame=company_layers())
def test_companies_round_trip_through_input_formats(fmt, frame, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"companies-{fmt}")
    back = read_input(write_input(frame, folder, "companies", fmt), "companies")
    assert_same_layer(back, frame, "companies")


# --------------------------------------------------------------------------- the report writers


@pytest.mark.slow
@SETTINGS
@given(frame=district_layers())
def test_export_writers_round_trip(frame, tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    frame = frame.assign(area_ha=frame.geometry.area / 10_000)

    # CSV: every value as text, floats in full
    path = write_csv(frame, folder / "districts.csv")
    assert count_csv_rows(path) == len(frame)
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    assert list(table.columns) == [c for c in frame.columns if c != "geometry"]
    for column in ("district_id", "name", "municipality", "status"):
        assert table[column].tolist() == frame[column].tolist(), column
    np.testing.assert_allclose(table["area_ha"].astype(float), frame["area_ha"], rtol=1e-12)

    # XLSX: ids stay text, numbers stay numbers
    path = write_xlsx({"districts": frame}, folder / "districts.xlsx")
    book = load_workbook(path, read_only=True)
    try:
        rows = list(book["districts"].iter_rows(values_only=True))
    finally:
        book.close()
    header, body = rows[0], rows[1:]
    assert list(header) == [c for c in frame.columns if c != "geometry"]
    assert len(body) == len(frame)
    sheet = pd.DataFrame(body, columns=header)
    for column in ("district_id", "name", "municipality", "status"):
        assert sheet[column].tolist() == frame[column].tolist(), column
    np.testing.assert_allclose(sheet["area_ha"].astype(float), frame["area_ha"], rtol=1e-12)

    # GeoPackage: read by GDAL, and by the toolkit's own loader as an input again
    path = write_gpkg({"districts": frame}, folder / "districts.gpkg")
    raw = pyogrio.read_dataframe(path, layer="districts")
    assert len(raw) == len(frame) and raw.crs.to_epsg() == 25832
    assert raw["district_id"].tolist() == frame["district_id"].tolist()
    assert raw["name"].tolist() == frame["name"].tolist()
    np.testing.assert_allclose(raw.geometry.area, frame.geometry.area, rtol=REL)
    np.testing.assert_allclose(raw["area_ha"], frame["area_ha"], rtol=1e-12)
    assert_same_layer(read_input(path, "districts"), frame, "districts")


# --------------------------------------------------------------------------- the report


def _layer(kind: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give ``frame`` every schema column of ``kind`` with its dtype (as the loader does)."""
    spec = KINDS[kind]
    for col in spec.columns:
        if col not in frame.columns:
            frame[col] = pd.Series([None] * len(frame), dtype=object, index=frame.index)
    for col in spec.dates:
        frame[col] = pd.to_datetime(frame[col])
    for col in spec.integers:
        frame[col] = pd.array(frame[col], dtype="Int64")
    for col in spec.floats:
        frame[col] = pd.to_numeric(frame[col]).astype(float)
    for col in spec.booleans:
        frame[col] = pd.array(frame[col], dtype="boolean")
    rest = [c for c in frame.columns if c not in spec.columns and c != "geometry"]
    return frame[[*spec.columns, *rest, "geometry"]]


@st.composite
def atlases(draw):
    # district names are drawn in the static maps: letters of the font only
    districts = draw(district_layers(max_n=3, newlines=False, wide=False))
    companies = draw(company_layers(max_n=10, newlines=False))
    box = districts.geometry.iloc[0].envelope
    x0, y0, _, _ = box.bounds
    bids = gpd.GeoDataFrame(
        {"bid_id": ["0b1"], "name": [draw(danish_text(newlines=False))], "start": ["2021-05-01"]},
        geometry=[box],
        crs=WORK_CRS,
    )
    rewilding = gpd.GeoDataFrame(
        {"plot_id": ["0p1"], "established": ["2022-06-01"], "owner": ["Hvidovre Kommune"]},
        geometry=[shapely.box(x0, y0, x0 + 30, y0 + 30)],
        crs=WORK_CRS,
    )
    stops = gpd.GeoDataFrame(
        {
            "stop_id": ["0s1", "0s2"],
            "name": ["Glostrup st.", "Rødovre Hallen"],
            "mode": ["s_train", "bus"],
            "status": ["existing", "existing"],
        },
        geometry=[shapely.Point(X0 + 5_000, Y0 + 5_000), shapely.Point(X0, Y0 + 10_000)],
        crs=WORK_CRS,
    )
    return Atlas(
        districts=_layer("districts", districts),
        bids=_layer("bids", bids),
        rewilding=_layer("rewilding", rewilding),
        stops=_layer("stops", stops),
        companies=_layer("companies", companies),
    )


def _same(a, b, column: str) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)) or a == "":
        return b is None or (isinstance(b, float) and math.isnan(b)) or b == "" or pd.isna(b)
    if isinstance(b, str) and not isinstance(a, str):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, bool) or isinstance(b, str):
        return str(a) == str(b)
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.slow
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a report per example: no shrinking
)
@given(atlas=atlases())
def test_report_files_hold_the_summary(atlas, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "out"
    result = write_report(atlas, out, as_of="2026-01-01", progress=False)
    table = result.summary.table
    expected = table.astype(object).where(table.notna(), None)
    columns = list(table.columns)

    csv_table = pd.read_csv(out / "summary.csv", dtype=str, keep_default_na=False)
    assert list(csv_table.columns) == columns and len(csv_table) == len(table)
    for column in columns:
        for a, b in zip(expected[column], csv_table[column], strict=True):
            assert _same(a, b, column), (column, a, b)

    book = load_workbook(out / "summary.xlsx", read_only=True)
    try:
        rows = list(book["summary"].iter_rows(values_only=True))
    finally:
        book.close()
    assert list(rows[0]) == columns and len(rows) == len(table) + 1
    for values, (_, row) in zip(rows[1:], expected.iterrows(), strict=True):
        for column, b in zip(columns, values, strict=True):
            assert _same(row[column], b, column), (column, row[column], b)

    layers = dict(pyogrio.list_layers(out / "results.gpkg"))
    assert set(layers) >= {"districts", "companies"}
    districts = pyogrio.read_dataframe(out / "results.gpkg", layer="districts")
    assert districts.crs.to_epsg() == 25832
    by_id = districts.set_index("district_id")
    assert sorted(by_id.index) == sorted(table["district_id"])
    for _, row in table.iterrows():
        got = by_id.loc[row["district_id"]]
        assert got["name"] == row["name"]
        assert got["area_ha"] == pytest.approx(row["area_ha"], rel=1e-9)
        assert got["companies"] == row["companies"]
    source = atlas.districts.set_index("district_id").geometry.area
    np.testing.assert_allclose(
        by_id.geometry.area.to_numpy(), source.loc[by_id.index].to_numpy(), rtol=REL
    )
    firms = pyogrio.read_dataframe(out / "results.gpkg", layer="companies")
    assert sorted(firms["company_id"]) == sorted(atlas.companies["company_id"])
    names = dict(zip(atlas.companies["company_id"], atlas.companies["name"], strict=True))
    assert all(names[i] == n for i, n in zip(firms["company_id"], firms["name"], strict=True))
    assert areas.summarize(atlas, as_of="2026-01-01").table.equals(table)
