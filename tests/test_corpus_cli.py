"""The bad-input corpus through the command line.

Every case of the bad-input contract (``tests/test_bad_input.py`` checks the
Python API) is built here as real files and run through ``areas validate`` and
``areas summary --layers``, in-process via :func:`areas.cli.main` and, for a
representative handful, as real ``python -m areas`` processes. For each case:

- an **error** exits non-zero with one message naming the file, the layer, the
  feature ids and the fix, and no traceback (``validate``: exit 1 and the
  problem in the report; ``summary``: exit 2 and ``areas: error: ...``);
- a **repair** or **exclusion** leaves the data usable (``validate`` exits 0)
  and is announced with the ids (``summary`` prints ``areas: warning: ...``);
- a case the toolkit reads as it is (different CRSs, encodings it detects,
  CSV dialects) exits 0 and gives the right figures.

The builders of ``tests/test_bad_input.py`` are reused where the cases there
have one; the others are written here.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from shapely.geometry import LineString, Point, Polygon
from test_bad_input import (
    NAMES,
    URN_25832,
    X0,
    Y0,
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

from areas.cli import main

REPO = Path(__file__).resolve().parent.parent

# Every case states its fallback, so the only warnings printed are the case's own.
FALLBACK = ("--fallback", "empty")


# =========================================================================== builders
#
# Each builder writes its files into an empty folder and returns the source to
# give the command line (the folder, or one file).


def _with_districts(folder: Path) -> None:
    """Add a clean districts layer (two 1 km squares; the firms of `companies()` lie in d1)."""
    write(districts(), folder / "districts.gpkg")


def build_missing_crs(folder):
    path = write(districts(), folder / "districts.shp")
    path.with_suffix(".prj").unlink()
    return folder


def build_utm_labelled_4326(folder):
    features = [
        feature(
            district_props(i), {"type": "Polygon", "coordinates": [ring(X0 + i * 2000, Y0, 1000)]}
        )
        for i in (1, 2)
    ]
    write_geojson(features, folder / "districts.geojson")  # no crs member: EPSG:4326
    return folder


def build_swapped_lon_lat(folder):
    _with_districts(folder)
    (folder / "companies.csv").write_text(
        "company_id,name,lon,lat\n0001,A,55.61,12.46\n0002,B,55.62,12.47\n", encoding="utf-8"
    )
    return folder


def build_zero_and_blank_points(folder):
    _with_districts(folder)
    (folder / "companies.csv").write_text(
        "company_id,name,lon,lat\n0001,A,12.46,55.61\n0002,B,0,0\n0003,C,,\n0004,D,12.47,55.62\n",
        encoding="utf-8",
    )
    return folder


def build_zero_point_geopackage(folder):
    _with_districts(folder)
    frame = companies(3).to_crs("EPSG:4326")
    frame.loc[1, "geometry"] = Point(0, 0)
    write(frame, folder / "companies.gpkg")
    return folder


def build_null_geometry_firm(folder):
    _with_districts(folder)

    def point(x):
        return {"type": "Point", "coordinates": [x, Y0 + 10]}

    features = [
        feature({"company_id": "0001", "name": NAMES[0]}, point(X0 + 10)),
        feature({"company_id": "0002", "name": NAMES[1]}, None),
        feature({"company_id": "0003", "name": NAMES[2]}, point(X0 + 20)),
    ]
    write_geojson(features, folder / "companies.geojson", crs=URN_25832)
    return folder


def build_zone33_labelled_zone32(folder):
    frame = districts().to_crs("EPSG:25833").set_crs("EPSG:25832", allow_override=True)
    write(frame, folder / "districts.gpkg")
    return folder


def build_two_crs(folder):
    _with_districts(folder)  # EPSG:25832
    write(companies(3).to_crs("EPSG:4326"), folder / "companies.geojson")  # EPSG:4326
    return folder


def build_bow_tie(folder):
    bow_tie = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100), (X0, Y0)])
    write(districts(2, geometry=[bow_tie, square(X0 + 500, Y0, 100)]), folder / "districts.gpkg")
    return folder


def build_unclosed_ring(folder):
    features = [
        feature(district_props(1), {"type": "Polygon", "coordinates": [ring(X0, Y0, 100)[:-1]]}),
        feature(district_props(2), {"type": "Polygon", "coordinates": [ring(X0 + 500, Y0, 100)]}),
    ]
    write_geojson(features, folder / "districts.geojson", crs=URN_25832)
    return folder


_UNUSABLE = {
    "collapsed": {
        "type": "Polygon",
        "coordinates": [[[X0, Y0], [X0 + 50, Y0 + 50], [X0 + 100, Y0 + 100], [X0, Y0]]],
    },
    "empty": {"type": "Polygon", "coordinates": []},
    "null": None,
}


def _bids_with(geometry_key):
    def build(folder):
        _with_districts(folder)
        good = {"type": "Polygon", "coordinates": [ring(X0, Y0, 100)]}
        bids = [
            feature({"bid_id": "b1", "name": "A", "start": "2021-05-01"}, good),
            feature({"bid_id": "b2", "name": "B", "start": "2021-05-01"}, _UNUSABLE[geometry_key]),
        ]
        write_geojson(bids, folder / "bids.geojson", crs=URN_25832)
        return folder

    return build


def _districts_with(geometry_key):
    def build(folder):
        good = {"type": "Polygon", "coordinates": [ring(X0, Y0, 100)]}
        bad = _UNUSABLE[geometry_key]
        dists = [feature(district_props(1), good), feature(district_props(2), bad)]
        write_geojson(dists, folder / "districts.geojson", crs=URN_25832)
        return folder

    return build


def build_mixed_geometry_types(folder):
    frame = districts(
        3, geometry=[square(X0, Y0, 100), Point(X0, Y0), LineString([(X0, Y0), (X0 + 5, Y0)])]
    )
    write(frame, folder / "districts.gpkg", geometry_type="Unknown")
    return folder


def build_duplicate_ids(folder):
    _with_districts(folder)
    frame = companies(4)
    frame["company_id"] = ["0042", "0042", "7", "7"]
    write(frame, folder / "companies.gpkg")
    return folder


def build_duplicate_ids_csv(folder):
    _with_districts(folder)
    frame = companies(3)
    frame["company_id"] = ["0042", "0042", "0043"]
    write_any(frame, folder / "companies.csv")
    return folder


def build_identical_geometries(folder):
    same = square(X0, Y0, 100)
    frame = districts(3, geometry=[same, square(X0 + 500, Y0, 100), same])
    write(frame, folder / "districts.gpkg")
    return folder


def build_overlapping_plots(folder):
    _with_districts(folder)
    import geopandas as gpd

    plots = gpd.GeoDataFrame(
        {"plot_id": ["p1", "p2"], "established": ["2022-05-01", "2023-05-01"]},
        # two 1 ha plots in d1 overlapping by 0.5 ha: 1.5 ha rewilded, not 2
        geometry=[square(X0 + 200, Y0 + 200, 100), square(X0 + 250, Y0 + 200, 100)],
        crs="EPSG:25832",
    )
    write(plots, folder / "rewilding.gpkg")
    return folder


def build_firm_on_shared_boundary(folder):
    # d1 and d2 share the edge x = X0 + 1000; firm 0002 sits exactly on it
    frame = districts(2, geometry=[square(X0, Y0, 1000), square(X0 + 1000, Y0, 1000)])
    write(frame, folder / "districts.gpkg")
    firms = companies(3, geometry=[Point(X0 + x, Y0 + 500) for x in (500, 1000, 1500)])
    write(firms, folder / "companies.gpkg")
    return folder


def _encoded(encoding, **options):
    def build(folder):
        _with_districts(folder)
        path = encoded_shapefile(folder, encoding, **options)
        for part in path.parent.iterdir():
            shutil.move(part, folder / part.name)
        path.parent.rmdir()
        return folder

    return build


def _shapefile_damage(damage):
    def build(folder):
        _with_districts(folder)
        path = shapefile(folder, 3)
        if damage == "truncated_shp":
            path.write_bytes(path.read_bytes()[:-10])
        elif damage == "short_dbf":
            two = shapefile(folder, 2, name="two")
            shutil.copy(two.with_suffix(".dbf"), path.with_suffix(".dbf"))
            shutil.rmtree(two.parent)
        elif damage == "missing_dbf":
            path.with_suffix(".dbf").unlink()
        for part in path.parent.iterdir():
            shutil.move(part, folder / part.name)
        path.parent.rmdir()
        return folder

    return build


def build_truncated_geopackage(folder):
    _with_districts(folder)
    path = write(companies(50), folder / "companies.gpkg")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return folder


def build_garbled_geopackage(folder):
    _with_districts(folder)
    path = write(companies(50), folder / "companies.gpkg")
    data = bytearray(path.read_bytes())
    data[100:4000] = bytes(range(256)) * 15 + bytes(range(60))
    path.write_bytes(bytes(data))
    return folder


def build_gpkg_layers_none_named(folder):
    path = folder / "plans.gpkg"
    write(districts(), path, layer="lokalplaner")
    write(districts(), path, layer="kommuneplan")
    return path


def build_districts_gpkg_two_layers(folder):
    path = folder / "districts.gpkg"
    write(districts(), path, layer="lokalplaner")
    write(districts(), path, layer="kommuneplan")
    return folder


def _csv(text, encoding="utf-8"):
    def build(folder):
        _with_districts(folder)
        (folder / "companies.csv").write_bytes(text.encode(encoding))
        return folder

    return build


def build_html_as_geojson(folder):
    (folder / "districts.geojson").write_text(
        "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", encoding="utf-8"
    )
    return folder


# =========================================================================== the corpus


@dataclass(frozen=True)
class Case:
    """One bad input and what the command line must do with it.

    ``outcome`` is ``"error"`` (not usable), ``"warning"`` (usable, repaired,
    excluded or guessed, and said so) or ``"ok"`` (usable, nothing to say).
    ``code`` is the problem class ``validate`` reports, ``ids`` every feature
    id (or CSV line) its problems name, ``says`` text of the message and
    ``fix`` text of the fix. ``layers`` and ``figures`` are checked against
    ``validate --format json`` and ``summary --format json``.
    """

    id: str
    build: Callable[[Path], Path]
    outcome: str
    kind: str
    file: str
    code: str | None = None
    ids: tuple[str, ...] = ()
    says: tuple[str, ...] = ()
    fix: str | None = None
    layers: dict | None = None  # kind -> {LayerSource field: value}
    figures: dict | None = None  # district_id -> {summary column: value}

    def __str__(self) -> str:
        return self.id


def _excluded(kind, file, ids, reason, build):
    return dict(
        build=build,
        outcome="warning",
        kind=kind,
        file=file,
        code="AreasRepairWarning",
        ids=ids,
        says=("left out", reason),
        fix="add the geometry or coordinates",
    )


_LINES = ("line 2 (6 fields)", "3 (6 fields)")

CASES = [
    # ---------------------------------------------------------------- CRS and coordinates
    Case(
        "missing_crs",
        build_missing_crs,
        "error",
        "districts",
        "districts.shp",
        code="MissingCrsError",
        says=("no CRS", "no .prj", "look like EPSG:25832"),
        fix='crs="EPSG:25832"',
    ),
    Case(
        "utm_labelled_4326",
        build_utm_labelled_4326,
        "error",
        "districts",
        "districts.geojson",
        code="CoordinateError",
        ids=("d1", "d2"),
        says=("outside Denmark", "EPSG:4326", "UTM zone 32N", "EPSG:25832"),
        fix="crs_override",
    ),
    Case(
        "swapped_lon_lat",
        build_swapped_lon_lat,
        "error",
        "companies",
        "companies.csv",
        code="CoordinateError",
        ids=("0001", "0002"),
        says=("swapped",),
        fix="swap the columns `lon` and `lat`",
    ),
    Case(
        "zone33_labelled_zone32",
        build_zone33_labelled_zone32,
        "error",
        "districts",
        "districts.gpkg",
        code="CoordinateError",
        ids=("d1", "d2"),
        says=("zone 33", "EPSG:25833"),
        fix='crs="EPSG:25833"',
    ),
    Case(
        "zero_and_blank_points_csv",
        **_excluded(
            "companies", "companies.csv", ("0002", "0003"), "(0, 0)", build_zero_and_blank_points
        ),
        layers={"companies": {"features_read": 4, "features_used": 2}},
        figures={"d1": {"companies": 1}},
    ),
    Case(
        "zero_point_geopackage",
        **_excluded(
            "companies", "companies.gpkg", ("0002",), "(0, 0)", build_zero_point_geopackage
        ),
        layers={"companies": {"features_read": 3, "features_used": 2}},
        figures={"d1": {"companies": 2}},
    ),
    Case(
        "null_geometry_firm",
        **_excluded(
            "companies", "companies.geojson", ("0002",), "no geometry", build_null_geometry_firm
        ),
        layers={"companies": {"features_read": 3, "features_used": 2}},
        figures={"d1": {"companies": 2}},
    ),
    Case(
        "two_inputs_two_crs",
        build_two_crs,
        "ok",
        "companies",
        "companies.geojson",
        layers={
            "districts": {"original_crs": "EPSG:25832"},
            "companies": {"original_crs": "EPSG:4326", "features_used": 3},
        },
        figures={"d1": {"companies": 3}, "d2": {"companies": 0}},
    ),
    # ---------------------------------------------------------------- geometry
    Case(
        "bow_tie",
        build_bow_tie,
        "warning",
        "districts",
        "districts.gpkg",
        code="AreasRepairWarning",
        ids=("d1",),
        says=("make_valid", "d1 (area 0 ha → 0.5 ha)"),
        fix="check the repaired outlines",
        figures={"d1": {"area_ha": 0.5}, "d2": {"area_ha": 1.0}},
    ),
    Case(
        "unclosed_ring",
        build_unclosed_ring,
        "warning",
        "districts",
        "districts.geojson",
        code="AreasRepairWarning",
        ids=("d1",),
        says=("unclosed",),
        fix="close every ring",
        figures={"d1": {"area_ha": 1.0}},
    ),
    *[
        Case(
            f"{key}_polygon_in_districts",
            _districts_with(key),
            "error",
            "districts",
            "districts.geojson",
            code="GeometryError",
            ids=("d2",),
            says=("no usable outline", reason),
            fix="draw the outline",
        )
        for key, reason in (
            ("collapsed", "collapsed to zero area"),
            ("empty", "empty geometry"),
            ("null", "no geometry"),
        )
    ],
    *[
        Case(
            f"{key}_polygon_in_bids",
            **_excluded("bids", "bids.geojson", ("b2",), reason, _bids_with(key)),
            layers={"bids": {"features_read": 2, "features_used": 1}},
            figures={"d1": {"bid_area_ha": 1.0}},
        )
        for key, reason in (
            ("collapsed", "collapsed to zero area"),
            ("empty", "empty geometry"),
            ("null", "no geometry"),
        )
    ],
    Case(
        "mixed_geometry_types",
        build_mixed_geometry_types,
        "error",
        "districts",
        "districts.gpkg",
        code="GeometryTypeError",
        ids=("d2", "d3"),
        says=("(Multi)Polygon", "d2 (Point)", "d3 (LineString)"),
        fix="remove these features",
    ),
    Case(
        "duplicate_ids",
        build_duplicate_ids,
        "error",
        "companies",
        "companies.gpkg",
        code="DuplicateIdError",
        ids=("0042", "7"),
        says=("0042 (2×)", "7 (2×)"),
        fix="its own `company_id`",
    ),
    Case(
        "duplicate_ids_csv",
        build_duplicate_ids_csv,
        "error",
        "companies",
        "companies.csv",
        code="DuplicateIdError",
        ids=("0042",),
        says=("0042 (2×)",),
        fix="its own `company_id`",
    ),
    Case(
        "identical_geometries",
        build_identical_geometries,
        "warning",
        "districts",
        "districts.gpkg",
        code="AreasRepairWarning",
        ids=("d1", "d3"),
        says=("identical geometries", "d1 = d3"),
        fix="remove copied features",
    ),
    Case(
        "overlapping_plots",
        build_overlapping_plots,
        "ok",
        "rewilding",
        "rewilding.gpkg",
        layers={"rewilding": {"features_used": 2}},
        # two 1 ha plots overlapping by 0.5 ha: the overlap is counted once
        figures={"d1": {"rewilded_ha": 1.5, "rewilding_overlap_ha": 0.5, "rewilding_plots": 2}},
    ),
    Case(
        "firm_on_shared_boundary",
        build_firm_on_shared_boundary,
        "ok",
        "companies",
        "companies.gpkg",
        # 0002 lies on the d1/d2 edge and goes to d1, the lower id, once
        figures={
            "d1": {"companies": 2, "companies_boundary": 1},
            "d2": {"companies": 1, "companies_boundary": 0},
        },
    ),
    # ---------------------------------------------------------------- Shapefile encodings
    Case(
        "shapefile_utf8_without_cpg",
        _encoded("UTF-8", cpg=None),
        "ok",
        "companies",
        "companies.shp",
        layers={"companies": {"encoding": "utf-8", "features_used": 3}},
    ),
    Case(
        "shapefile_cp1252_with_cpg",
        _encoded("cp1252"),
        "ok",
        "companies",
        "companies.shp",
        layers={"companies": {"encoding": "cp1252", "features_used": 3}},
    ),
    Case(
        "shapefile_cp1252_without_cpg",
        _encoded("cp1252", cpg=None),
        "warning",
        "companies",
        "companies.shp",
        code="AreasWarning",
        says=("no .cpg", "read as cp1252"),
        fix="add a .cpg file",
        layers={"companies": {"encoding": "cp1252", "features_used": 3}},
    ),
    Case(
        "shapefile_cp865_with_cpg",
        _encoded("cp865"),
        "ok",
        "companies",
        "companies.shp",
        layers={"companies": {"encoding": "cp865", "features_used": 3}},
    ),
    Case(
        "shapefile_cp865_without_cpg",
        _encoded("cp865", cpg=None),
        "warning",
        "companies",
        "companies.shp",
        code="AreasWarning",
        says=("no .cpg", "read as cp865"),
        fix="add a .cpg file",
        layers={"companies": {"encoding": "cp865", "features_used": 3}},
    ),
    Case(
        "shapefile_cp865_declared_by_ldid",
        _encoded("cp865", cpg=None, ldid=0x66),
        "ok",
        "companies",
        "companies.shp",
        layers={"companies": {"encoding": "cp865", "features_used": 3}},
    ),
    Case(
        "cpg_lies_utf8_over_cp1252",
        _encoded("cp1252", cpg="UTF-8"),
        "error",
        "companies",
        "companies.shp",
        code="EncodingError",
        says=("the .cpg says UTF-8", "looks like cp1252"),
        fix='encoding="cp1252"',
    ),
    Case(
        "cpg_lies_1252_over_utf8",
        _encoded("UTF-8", cpg="1252"),
        "error",
        "companies",
        "companies.shp",
        code="EncodingError",
        says=("the .cpg says 1252", "the text is UTF-8"),
        fix='encoding="utf-8"',
    ),
    Case(
        "cpg_lies_1252_over_cp865",
        _encoded("cp865", cpg="1252"),
        "error",
        "companies",
        "companies.shp",
        code="EncodingError",
        says=("the .cpg says 1252", "cannot be cp1252"),
        fix="correct the .cpg file",
    ),
    # ---------------------------------------------------------------- damaged files
    Case(
        "truncated_shp",
        _shapefile_damage("truncated_shp"),
        "error",
        "companies",
        "companies.shp",
        code="DamagedFileError",
        says=("truncated",),
        fix="copy or export the Shapefile again",
    ),
    Case(
        "dbf_fewer_records_than_shx",
        _shapefile_damage("short_dbf"),
        "error",
        "companies",
        "companies.shp",
        code="DamagedFileError",
        says=("companies.shx indexes 3 shapes but companies.dbf holds 2 records",),
        fix="copy or export the Shapefile again",
    ),
    Case(
        "missing_dbf",
        _shapefile_damage("missing_dbf"),
        "error",
        "companies",
        "companies.shp",
        code="DamagedFileError",
        says=("no .dbf",),
        fix="copy all of them",
    ),
    Case(
        "truncated_geopackage",
        build_truncated_geopackage,
        "error",
        "companies",
        "companies.gpkg",
        code="DamagedFileError",
        says=("truncated",),
        fix="copy or download the GeoPackage again",
    ),
    Case(
        "garbled_geopackage",
        build_garbled_geopackage,
        "error",
        "companies",
        "companies.gpkg",
        code="DamagedFileError",
        says=("damaged",),
        fix="copy or export the GeoPackage again",
    ),
    Case(
        "geopackage_layers_none_named",
        build_gpkg_layers_none_named,
        "error",
        "districts",
        "plans.gpkg",
        code="MissingLayerError",
        says=("no layer named after a layer kind", "lokalplaner, kommuneplan"),
        fix="areas.toml",
    ),
    Case(
        "districts_geopackage_with_two_layers",
        build_districts_gpkg_two_layers,
        "error",
        "districts",
        "districts.gpkg",
        code="AmbiguousLayerError",
        says=("2 layers", "lokalplaner, kommuneplan"),
        fix="name the layer to use",
    ),
    Case(
        "html_page_as_geojson",
        build_html_as_geojson,
        "error",
        "districts",
        "districts.geojson",
        code="DamagedFileError",
        says=("HTML page",),
        fix="download the data again",
    ),
    # ---------------------------------------------------------------- CSV
    Case(
        "csv_semicolons_and_decimal_commas",
        _csv("company_id;name;employees;lon;lat\n0042;Ærø;3;12,46;55,61\n"),
        "ok",
        "companies",
        "companies.csv",
        layers={"companies": {"features_read": 1, "features_used": 1, "encoding": "utf-8"}},
    ),
    Case(
        "csv_commas_with_unquoted_decimal_commas",
        _csv("company_id,name,lon,lat\n0001,A,12,46,55,61\n0002,B,12,47,55,62\n"),
        "error",
        "companies",
        "companies.csv",
        code="DamagedFileError",
        ids=_LINES,  # a damaged line has no id: the lines are named
        says=("decimal commas",),
        fix="`;` as separator",
    ),
    Case(
        "csv_leading_zero_codes",
        # 00123 and 123 are two firms: compared as numbers they would be one duplicate id
        _csv(
            "\ufeffcompany_id,name,sector,lon,lat\n"
            "00123,A,0165,12.46,55.61\n123,B,165,12.47,55.62\n"
        ),
        "ok",
        "companies",
        "companies.csv",
        layers={"companies": {"features_read": 2, "features_used": 2}},
    ),
    Case(
        "csv_duplicate_column_names",
        _csv("company_id;name;name;lon;lat\n1;A;B;12,4;55,6\n"),
        "error",
        "companies",
        "companies.csv",
        code="SchemaError",
        says=("duplicate column names: `name`",),
        fix="give every column its own name",
    ),
    Case(
        "csv_cp1252",
        _csv("company_id;name;lon;lat\n0001;Ærø Å;12,46;55,61\n", encoding="cp1252"),
        "warning",
        "companies",
        "companies.csv",
        code="AreasWarning",
        says=("not UTF-8", "read as cp1252"),
        fix='encoding="cp1252"',
        layers={"companies": {"encoding": "cp1252", "features_used": 1}},
    ),
]
CASE_IDS = [c.id for c in CASES]
ERRORS = [c for c in CASES if c.outcome == "error"]
USABLE = [c for c in CASES if c.outcome != "error"]
WARNED = [c for c in CASES if c.outcome == "warning"]


def built(case: Case, tmp_path: Path) -> Path:
    """Build ``case`` in a folder of its own; return the source to give the CLI."""
    folder = tmp_path / case.id
    folder.mkdir()
    return case.build(folder)


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run ``areas ARGS`` in this process; return (exit code, stdout, stderr)."""
    code = main([*args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _problems(report: dict, case: Case) -> list[dict]:
    return [p for p in report["problems"] if p["code"] == case.code]


# =========================================================================== validate


def test_the_corpus_covers_the_contract():
    """Every kind of bad input the contract names has a case here."""
    wanted = {
        "missing_crs", "utm_labelled_4326", "swapped_lon_lat", "zero_and_blank_points_csv",
        "zone33_labelled_zone32", "two_inputs_two_crs", "bow_tie", "unclosed_ring",
        "collapsed_polygon_in_districts", "empty_polygon_in_districts", "mixed_geometry_types",
        "duplicate_ids", "identical_geometries", "overlapping_plots", "firm_on_shared_boundary",
        "shapefile_utf8_without_cpg", "shapefile_cp1252_with_cpg", "shapefile_cp1252_without_cpg",
        "cpg_lies_utf8_over_cp1252", "shapefile_cp865_without_cpg", "truncated_shp",
        "dbf_fewer_records_than_shx", "missing_dbf", "truncated_geopackage", "garbled_geopackage",
        "geopackage_layers_none_named", "csv_semicolons_and_decimal_commas",
        "csv_commas_with_unquoted_decimal_commas", "csv_leading_zero_codes",
        "csv_duplicate_column_names", "html_page_as_geojson",
    }  # fmt: skip
    assert wanted <= set(CASE_IDS)
    assert len(CASE_IDS) == len(set(CASE_IDS))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_validate_text(case, tmp_path, capsys):
    source = built(case, tmp_path)
    code, out, err = cli(capsys, "validate", str(source), *FALLBACK)
    assert code == (1 if case.outcome == "error" else 0), out
    assert err == ""
    last = out.strip().splitlines()[-1]
    if case.outcome == "error":
        assert last.endswith("the data is NOT usable")
        head = f"ERROR {case.code}"
    else:
        assert last.endswith("the data is usable")
        head = f"WARNING {case.code}"
    if case.outcome == "ok":
        assert last.startswith("0 errors, 0 warnings"), out
        return
    lines = [line for line in out.splitlines() if line.startswith(head)]
    assert lines, out
    text = "\n".join(lines)
    assert case.file in text
    assert f"[{case.kind}]" in text or f"layer `{case.kind}`" in text  # the layer
    for part in (*case.ids, *case.says):
        assert part in text, (part, text)
    fixes = [line for line in out.splitlines() if line.strip().startswith("Fix:")]
    assert any(case.fix in line for line in fixes), out


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_validate_json(case, tmp_path, capsys):
    source = built(case, tmp_path)
    code, out, _ = cli(capsys, "validate", str(source), "--format", "json", *FALLBACK)
    report = json.loads(out)
    assert report["ok"] is (case.outcome != "error") and code == (0 if report["ok"] else 1)
    if case.outcome == "ok":
        assert report["problems"] == []
    else:
        found = _problems(report, case)
        assert found, report["problems"]
        assert all(Path(p["path"]).name == case.file for p in found)
        # the layer kind (a problem with the source as a whole names the layer it looked for)
        assert all(case.kind in (p["kind"], p["layer"]) for p in found), found
        named = [i for p in found for i in p["ids"]]
        if case.ids and case.code != "DamagedFileError":
            assert sorted(named) == sorted(case.ids)
        assert all(p["fix"] for p in found)
        severity = "error" if case.outcome == "error" else "warning"
        assert {p["severity"] for p in found} == {severity}
    for kind, expected in (case.layers or {}).items():
        layer = report["layers"][kind]
        assert {k: layer[k] for k in expected} == expected, kind
        assert layer["features_read"] == layer["features_used"] + len(layer["excluded"])


# =========================================================================== summary


@pytest.mark.parametrize("case", ERRORS, ids=[c.id for c in ERRORS])
def test_summary_refuses_bad_input_with_one_message(case, tmp_path, capsys):
    source = built(case, tmp_path)
    code, out, err = cli(capsys, "summary", "--layers", str(source), *FALLBACK)
    assert code == 2 and out == ""
    assert err.startswith("areas: error: ") and err.count("areas: error:") == 1
    assert case.file in err
    for part in (*case.ids, *case.says):
        assert part in err, (part, err)
    assert "Fix: " in err and case.fix in err.split("Fix: ", 1)[1]


@pytest.mark.parametrize("case", ERRORS, ids=[c.id for c in ERRORS])
def test_summary_error_names_the_layer(case, tmp_path, capsys):
    source = built(case, tmp_path)
    code, _, err = cli(capsys, "summary", "--layers", str(source), *FALLBACK)
    assert code == 2
    assert f"layer `{case.kind}`" in err, err


@pytest.mark.parametrize("case", USABLE, ids=[c.id for c in USABLE])
def test_summary_of_usable_input(case, tmp_path, capsys):
    source = built(case, tmp_path)
    code, out, err = cli(capsys, "summary", "--layers", str(source), "--format", "json", *FALLBACK)
    assert code == 0
    warned = [line for line in err.splitlines() if line]
    if case.outcome == "ok":
        assert warned == []
    else:
        assert warned and all(line.startswith("areas: warning: ") for line in warned), err
        text = "\n".join(warned)
        assert case.file in text and f"layer `{case.kind}`" in text
        for part in (*case.ids, *case.says):
            assert part in text, (part, text)
        assert case.fix in text
    payload = json.loads(out)
    rec = payload["reconciliation"]
    assert rec["companies_in"] == rec["assigned"] + rec["outside"] + rec["excluded"]
    rows = {row["district_id"]: row for row in payload["districts"]}
    for district, figures in (case.figures or {}).items():
        for column, value in figures.items():
            assert rows[district][column] == pytest.approx(value), (district, column)


# =========================================================================== following the fix


def _toml(folder: Path, text: str) -> Path:
    path = folder / "areas.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_crs_fixed_with_the_crs_option(tmp_path, capsys):
    source = built(CASES[CASE_IDS.index("missing_crs")], tmp_path)
    code, out, _ = cli(capsys, "validate", str(source), "--crs", "EPSG:25832", *FALLBACK)
    assert code == 0 and "0 errors, 0 warnings" in out
    code, out, _ = cli(
        capsys,
        "summary",
        "--layers",
        str(source),
        "--crs",
        "EPSG:25832",
        "--format",
        "json",
        *FALLBACK,
    )
    assert code == 0
    assert [r["area_ha"] for r in json.loads(out)["districts"]] == [100.0, 100.0]


@pytest.mark.parametrize(
    ("case_id", "table", "message"),
    [
        ("utm_labelled_4326", 'crs = "EPSG:25832"\ncrs_override = true', "read as EPSG:25832"),
        ("zone33_labelled_zone32", 'crs = "EPSG:25833"\ncrs_override = true', "EPSG:25833"),
        ("districts_geopackage_with_two_layers", 'layer = "lokalplaner"', None),
    ],
)
def test_districts_fixed_as_the_message_says(case_id, table, message, tmp_path, capsys):
    case = CASES[CASE_IDS.index(case_id)]
    folder = built(case, tmp_path)
    config = _toml(
        folder, f'[layers]\nfallback = "empty"\n\n[districts]\npath = "{case.file}"\n{table}\n'
    )
    code, out, err = cli(capsys, "validate", str(config))
    assert code == 0, out
    if message:
        assert message in out
    code, out, err = cli(capsys, "summary", "--layers", str(config), "--format", "json")
    assert code == 0
    assert [r["area_ha"] for r in json.loads(out)["districts"]] == pytest.approx([100.0, 100.0])


def test_lying_cpg_fixed_with_the_encoding_named(tmp_path, capsys):
    case = CASES[CASE_IDS.index("cpg_lies_utf8_over_cp1252")]
    folder = built(case, tmp_path)
    config = _toml(
        folder,
        '[layers]\nfallback = "empty"\n\n[districts]\npath = "districts.gpkg"\n\n'
        '[companies]\npath = "companies.shp"\nencoding = "cp1252"\n',
    )
    code, out, _ = cli(capsys, "validate", str(config), "--format", "json")
    assert code == 0
    assert json.loads(out)["layers"]["companies"]["encoding"] == "cp1252"


# =========================================================================== the gaps


# Overlapping plots and firms on a shared boundary are resolved by rule (an overlap is
# counted once; a boundary firm goes to one district), so they are not problems: both
# cases are "ok" above (no warning, exit 0, no problem in the JSON), and the bundled
# plots overlap on purpose. ``validate`` names them as notes (``INFO`` lines).


def test_validate_names_overlapping_plots(tmp_path, capsys):
    source = built(CASES[CASE_IDS.index("overlapping_plots")], tmp_path)
    code, out, _ = cli(capsys, "validate", str(source), *FALLBACK)
    assert code == 0
    assert re.search(r"INFO .*overlap.*p1.*p2", out), out


def test_validate_names_firms_on_a_shared_boundary(tmp_path, capsys):
    source = built(CASES[CASE_IDS.index("firm_on_shared_boundary")], tmp_path)
    code, out, _ = cli(capsys, "validate", str(source), *FALLBACK)
    assert code == 0
    assert re.search(r"INFO .*boundary.*0002", out), out


def test_notes_are_in_the_json_and_not_problems(tmp_path, capsys):
    source = built(CASES[CASE_IDS.index("overlapping_plots")], tmp_path)
    code, out, _ = cli(capsys, "validate", str(source), "--format", "json", *FALLBACK)
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["problems"] == [] and report["warnings"] == 0
    [note] = report["notes"]
    assert note["severity"] == "info" and note["code"] == "OverlappingPlots"
    assert note["kind"] == "rewilding" and Path(note["path"]).name == "rewilding.gpkg"
    assert note["ids"] == ["p1", "p2"] and "p1 and p2 (0.50 ha)" in note["message"]
    assert report["layers"]["rewilding"]["notes"] == [note["message"]]


def test_boundary_firms_are_named_by_validate_summary_and_notes(tmp_path, capsys):
    source = built(CASES[CASE_IDS.index("firm_on_shared_boundary")], tmp_path)
    code, out, _ = cli(capsys, "validate", str(source), "--format", "json", *FALLBACK)
    [note] = json.loads(out)["notes"]
    assert note["code"] == "SharedBoundaryFirms" and note["ids"] == ["0002"]
    assert "0002 → d1 (on d1 / d2)" in note["message"]
    assert json.loads(out)["layers"]["companies"]["notes"] == [note["message"]]
    code, out, err = cli(capsys, "summary", "--layers", str(source), "--format", "json", *FALLBACK)
    assert code == 0 and err == ""
    rec = json.loads(out)["reconciliation"]
    assert rec["boundary_firms"] == [{"id": "0002", "district_id": "d1"}]
    from areas import load
    from areas.analysis.notes import layer_notes

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a note, not a warning
        atlas = load(source, fallback="empty")
    # the loader does not look at the layers together; the analyses' notes do
    assert atlas.sources["companies"].notes == []
    assert layer_notes(atlas)["companies"] == [note["message"]]
    assert atlas.sources["companies"].notes == []  # the atlas is not changed


def test_bundled_layers_validate_with_notes_only(capsys):
    """The bundled plots overlap on purpose: a note, no warning."""
    code, out, _ = cli(capsys, "validate")
    assert code == 0
    assert out.strip().splitlines()[-1] == "0 errors, 0 warnings, 1 note: the data is usable"
    assert re.search(
        r"^INFO OverlappingPlots \[rewilding\] .*: 2 pairs of rewilding plots", out, re.M
    )


def test_encoding_fixes_say_how_on_the_command_line(tmp_path, capsys):
    """A .cpg saying 1252 over cp865 text: the message names cp865 and the areas.toml line."""
    case = CASES[CASE_IDS.index("cpg_lies_1252_over_cp865")]
    folder = built(case, tmp_path)
    code, _, err = cli(capsys, "summary", "--layers", str(folder), *FALLBACK)
    assert code == 2
    assert "it looks like cp865" in err
    assert 'encoding = "cp865" in the [companies] table of an areas.toml' in err
    config = _toml(
        folder,
        '[layers]\nfallback = "empty"\n\n[districts]\npath = "districts.gpkg"\n\n'
        '[companies]\npath = "companies.shp"\nencoding = "cp865"\n',
    )
    code, out, _ = cli(capsys, "validate", str(config), "--format", "json")
    assert code == 0
    assert json.loads(out)["layers"]["companies"]["encoding"] == "cp865"


def test_crs_fixes_say_how_on_the_command_line(tmp_path, capsys):
    case = CASES[CASE_IDS.index("utm_labelled_4326")]
    code, _, err = cli(capsys, "summary", "--layers", str(built(case, tmp_path)), *FALLBACK)
    assert code == 2
    assert (
        'command line: crs = "EPSG:25832" and crs_override = true in the [districts] table '
        "of an areas.toml"
    ) in err
    case = CASES[CASE_IDS.index("missing_crs")]
    code, _, err = cli(capsys, "summary", "--layers", str(built(case, tmp_path)), *FALLBACK)
    assert code == 2 and "command line: --crs EPSG:25832" in err


def test_exclusion_warning_reads_as_a_sentence(tmp_path, capsys):
    source = built(CASES[CASE_IDS.index("zero_point_geopackage")], tmp_path)
    code, _, err = cli(capsys, "summary", "--layers", str(source), *FALLBACK)
    assert code == 0
    assert (
        "left out 1 feature(s) with a point at (0, 0) (the mark of a failed geocoding): 0002" in err
    )


# =========================================================================== real processes

#: A representative handful, run as ``python -m areas`` in a process of their own.
SUBPROCESS_CASES = [
    ("missing_crs", "validate"),
    ("html_page_as_geojson", "summary"),
    ("truncated_shp", "validate"),
    ("cpg_lies_utf8_over_cp1252", "summary"),
    ("csv_duplicate_column_names", "validate"),
    ("garbled_geopackage", "summary"),
    ("zero_and_blank_points_csv", "summary"),
]


@pytest.mark.parametrize(("case_id", "command"), SUBPROCESS_CASES)
def test_real_process(case_id, command, tmp_path):
    case = CASES[CASE_IDS.index(case_id)]
    source = built(case, tmp_path)
    args = [str(source)] if command == "validate" else ["--layers", str(source), "--format", "csv"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        result = subprocess.run(
            [sys.executable, "-m", "areas", command, *args, *FALLBACK],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert case.file in output
    if case.outcome == "error":
        assert result.returncode == (1 if command == "validate" else 2), output
        if command == "summary":
            assert result.stderr.startswith("areas: error: ") and result.stdout == ""
        else:
            assert f"ERROR {case.code}" in result.stdout
    else:
        assert result.returncode == 0, output
        warned = result.stderr.splitlines()
        assert warned and all(line.startswith("areas: warning: ") for line in warned)
        for i in case.ids:
            assert i in result.stderr
        assert result.stdout.startswith("district_id,")
