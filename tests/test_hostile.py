"""Hostile and messy input: real files through the Python API and the command line.

Families: Danish dates (day first), thousands separators and decimal marks,
logical errors (dates in the wrong order or far ahead, blank names, overlapping
districts, no bus stops), folder entries that are not files, inputs that used
to end in a traceback (UTF-16 CSV, Excel's ``sep=`` line, NaN vertices,
numbers beyond 64 bits, very long text) and text with control characters.
Each family holds cases beyond the examples that named it.

For every case: :func:`areas.validate` and :func:`areas.load` (the API),
``areas validate`` and ``areas summary`` (the command line, in this process),
and for a handful ``python -m areas`` in a process of its own. An error exits
non-zero with one message naming the file, the ids and the fix and no
traceback; a repair or a note leaves the data usable and names the ids; a
value read is read as the file means it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyproj
import pytest
from test_bad_input import X0, Y0, districts, feature, ring, square, write, write_geojson

import areas
from areas.cli import main
from areas.dates import DATE_HELP, read_date, resolve_date
from areas.errors import AreasError, ConfigError, printable
from areas.load.values import read_number

FALLBACK = ("--fallback", "empty")
_TO_4326 = pyproj.Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)


def _lonlat(i: int, mark: str = ".") -> tuple[str, str]:
    """Return the lon/lat text of the i-th firm (inside district d1), with decimal ``mark``."""
    lon, lat = _TO_4326.transform(X0 + 100 * i, Y0 + 50 * i)
    return f"{lon:.6f}".replace(".", mark), f"{lat:.6f}".replace(".", mark)


def _companies_csv(
    folder: Path, rows: list[list[str]], *, sep=";", mark=",", columns=None, head=""
):
    """Write companies.csv: ``rows`` are the fields before lon/lat; the i-th row lies in d1."""
    columns = columns or ["company_id", "name", "employees"]
    lines = [sep.join([*columns, "lon", "lat"])]
    for i, row in enumerate(rows, start=1):
        lines.append(sep.join([*row, *_lonlat(i, mark)]))
    (folder / "companies.csv").write_text(head + "\n".join(lines) + "\n", encoding="utf-8")


def _with_districts(folder: Path, **columns) -> None:
    write(districts(**columns), folder / "districts.gpkg")


def _bids(folder: Path, starts, ends=None, ids=None) -> None:
    n = len(starts)
    features = [
        feature(
            {
                "bid_id": (ids or [f"b{i}" for i in range(1, n + 1)])[i],
                "name": f"BID {i}",
                "start": starts[i],
                "end": None if ends is None else ends[i],
            },
            {"type": "Polygon", "coordinates": [ring(X0 + 10, Y0 + 10, 500 - 10 * i)]},
        )
        for i in range(n)
    ]
    write_geojson(features, folder / "bids.geojson", crs="urn:ogc:def:crs:EPSG::25832")


# =========================================================================== builders


def build_bid_dates_day_first(folder):
    _with_districts(folder)
    _bids(
        folder,
        ["01-12-2020", "01.11.2021", "1/12/2020", "1. december 2020", "20201201", "2020-12-01"],
    )
    return folder


def _bid_start(text):
    def build(folder):
        _with_districts(folder)
        _bids(folder, ["2020-01-01", text], ids=["b-ok", "b-bad"])
        return folder

    return build


def build_danish_thousands(folder):
    _with_districts(folder)
    _companies_csv(folder, [["0001", "A", "12.000"], ["0002", "B", "1.250"], ["0003", "C", "3"]])
    return folder


def build_spaces_group_thousands(folder):
    _with_districts(folder)
    rows = [["0001", "A", "12 000"], ["0002", "B", "1\u00a0250"], ["0003", "C", "1.250.000"]]
    _companies_csv(folder, rows, sep="\t")
    return folder


def build_comma_thousands_in_comma_csv(folder):
    _with_districts(folder)
    _companies_csv(folder, [["0001", "A", '"12,000"'], ["0002", "B", "7"]], sep=",", mark=".")
    return folder


def build_point_decimal_semicolon_csv(folder):
    _with_districts(folder)
    _companies_csv(folder, [["0001", "A", "1.250"], ["0002", "B", "7"]], mark=".")
    return folder


def build_no_known_mark(folder):
    _with_districts(folder)
    lines = ["company_id;name;employees;x;y", f"0001;A;12.000;{X0 + 100:.0f};{Y0 + 50:.0f}"]
    (folder / "companies.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "areas.toml").write_text(
        '[layers]\ncrs = "EPSG:25832"\n[districts]\npath = "districts.gpkg"\n'
        '[companies]\npath = "companies.csv"\n',
        encoding="utf-8",
    )
    return folder


def build_stated_decimal_comma(folder):
    build_no_known_mark(folder)
    with (folder / "areas.toml").open("a", encoding="utf-8") as f:
        f.write('decimal = ","\n')
    return folder


def build_huge_count_csv(folder):
    _with_districts(folder)
    _companies_csv(folder, [["0001", "A", "99999999999999999999999"], ["0002", "B", "4"]])
    return folder


def build_huge_count_geojson(folder):
    _with_districts(folder)
    features = [
        feature(
            {"company_id": f"000{i}", "name": "A", "employees": e},
            {"type": "Point", "coordinates": [X0 + 100 * i, Y0 + 50 * i]},
        )
        for i, e in ((1, 18446744073709551615), (2, 5))
    ]
    path = folder / "companies.geojson"
    write_geojson(features, path, crs="urn:ogc:def:crs:EPSG::25832")
    return folder


def build_infinite_area(folder):
    _with_districts(folder)
    features = [
        feature(
            {"plot_id": "p1", "established": "2020-05-01", "survey_area_m2": "1e400"},
            {"type": "Polygon", "coordinates": [ring(X0 + 10, Y0 + 10, 50)]},
        )
    ]
    write_geojson(features, folder / "rewilding.geojson", crs="urn:ogc:def:crs:EPSG::25832")
    return folder


def build_bid_ends_before_start(folder):
    _with_districts(folder)
    _bids(folder, ["01-05-2024", "2020-01-01"], ["31-12-2023", None])
    return folder


def build_plot_far_ahead(folder):
    _with_districts(folder)
    year = dt.date.today().year + 30
    features = [
        feature(
            {"plot_id": pid, "established": est},
            {"type": "Polygon", "coordinates": [ring(X0 + 10 + 100 * k, Y0 + 10, 50)]},
        )
        for k, (pid, est) in enumerate([("p-2020", "2020-05-01"), ("p-typo", f"{year}-05-01")])
    ]
    write_geojson(features, folder / "rewilding.geojson", crs="urn:ogc:def:crs:EPSG::25832")
    return folder


def build_stop_without_name(folder):
    _with_districts(folder)
    lines = ["stop_id,name,mode,status,lon,lat"]
    lines.append("s1,,bus,existing,{},{}".format(*_lonlat(1)))
    lines.append("s2,Avedøre,bus,existing,{},{}".format(*_lonlat(2)))
    lines.append("s3,   ,s_train,existing,{},{}".format(*_lonlat(3)))
    (folder / "stops.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def build_no_bus_stops(folder):
    _with_districts(folder)
    lines = ["stop_id,name,mode,status,lon,lat"]
    lines.append("s1,Avedøre st.,s_train,existing,{},{}".format(*_lonlat(1)))
    lines.append("s2,Bus,bus,withdrawn,{},{}".format(*_lonlat(2)))
    (folder / "stops.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _companies_csv(folder, [["0001", "A", "3"]], sep=",", mark=".")
    return folder


def build_overlapping_districts(folder):
    geoms = [square(X0, Y0, 1000), square(X0 + 500, Y0, 1000), square(X0 + 1500, Y0, 1000)]
    _with_districts_frame = districts(n=3, geometry=geoms)
    write(_with_districts_frame, folder / "districts.gpkg")
    return folder


def build_blank_municipality(folder):
    _with_districts(folder, municipality=["Hvidovre", "  "])
    return folder


def build_folder_named_companies_csv(folder):
    _with_districts(folder)
    (folder / "companies.csv").mkdir()
    (folder / "companies.csv" / "companies.csv").write_text("company_id\n", encoding="utf-8")
    return folder


def build_broken_link(folder):
    _with_districts(folder)
    os.symlink(folder / "gone.geojson", folder / "companies.geojson")
    return folder


def build_utf16_tab_csv(folder):
    _with_districts(folder)
    lines = ["company_id\tname\temployees\tlon\tlat"]
    lines += ["\t".join(["0001", "Æblehaven", "12", *_lonlat(1, ",")])]
    lines += ["\t".join(["0002", "Øst", "1.250", *_lonlat(2, ",")])]
    (folder / "companies.csv").write_bytes("\r\n".join(lines).encode("utf-16"))
    return folder


def build_utf16_without_bom(folder):
    _with_districts(folder)
    text = "company_id\tname\tlon\tlat\r\n0001\tA\t{}\t{}\r\n".format(*_lonlat(1))
    (folder / "companies.csv").write_bytes(text.encode("utf-16-le"))
    return folder


def build_excel_sep_line(folder):
    _with_districts(folder)
    _companies_csv(folder, [["0001", "A", "12.000"], ["0002", "B", "3"]], head="sep=;\n")
    return folder


def build_excel_sep_line_comma(folder):
    _with_districts(folder)
    _companies_csv(folder, [["0001", "A", "4"]], sep=",", mark=".", head='"sep=,"\n')
    return folder


def build_nan_vertex_district(folder):
    bad = ring(X0 + 2000, Y0, 1000)
    bad[1][0] = float("nan")
    features = [
        feature(
            {
                "district_id": f"d{i}",
                "name": f"D{i}",
                "municipality": "Hvidovre",
                "status": "existing",
            },
            {"type": "Polygon", "coordinates": [r]},
        )
        for i, r in ((1, ring(X0, Y0, 1000)), (2, bad))
    ]
    write_geojson(features, folder / "districts.geojson", crs="urn:ogc:def:crs:EPSG::25832")
    return folder


def build_infinite_vertex_bid(folder):
    _with_districts(folder)
    bad = ring(X0 + 10, Y0 + 10, 500)
    bad[2][1] = float("inf")
    features = [
        feature(
            {"bid_id": "b-inf", "name": "BID", "start": "2020-01-01"},
            {"type": "Polygon", "coordinates": [bad]},
        ),
        feature(
            {"bid_id": "b-ok", "name": "BID", "start": "2020-01-01"},
            {"type": "Polygon", "coordinates": [ring(X0 + 10, Y0 + 10, 400)]},
        ),
    ]
    write_geojson(features, folder / "bids.geojson", crs="urn:ogc:def:crs:EPSG::25832")
    return folder


LONG = "Lang tekst " * 100_000  # 1.1 MB


def build_long_text_field(folder):
    _with_districts(folder)
    _companies_csv(folder, [["0001", f'"{LONG}"', "2"], ["0002", "B", "3"]], sep=",", mark=".")
    return folder


def build_long_text_and_bad_line(folder):
    _with_districts(folder)
    _companies_csv(folder, [["0001", f'"{LONG}"', "2"], ["0002", "B", "3", "x"]], sep=",", mark=".")
    return folder


def build_long_duplicate_ids(folder):
    _with_districts(folder)
    long_id = "x" * 5000
    _companies_csv(folder, [[long_id, "A", "2"], [long_id, "B", "3"]], sep=",", mark=".")
    return folder


ESC_ID = "s\x1b[2J\x1b]0;owned\x07\r\u202eexe.1"


def build_escape_sequences_in_ids(folder):
    _with_districts(folder)
    rows = [[f'"{ESC_ID}"', "A", "2"], [f'"{ESC_ID}"', "B\x9b31m", "3"], ["ok", "[udkast]", "1"]]
    _companies_csv(folder, rows, sep=",", mark=".")
    return folder


def build_bare_carriage_return(folder):
    _with_districts(folder)
    _companies_csv(folder, [["0001", "A\rB", "2"], ["0002", "C", "3"]], sep=",", mark=".")
    return folder


def build_control_characters_in_values(folder):
    _with_districts(folder)
    _bids(folder, ["2020-01-01", "\x1b[31m2021\x7f"], ids=["b1", "b\u200b2"])
    return folder


# =========================================================================== the corpus


@dataclass(frozen=True)
class Case:
    """One hostile input: ``outcome`` is "error", "warning", "note" or "ok".

    ``code`` is the problem (or note) class, ``ids`` what it names, ``says``
    text of its message, ``fix`` text of its fix. ``check`` is run on the
    atlas :func:`areas.load` returns for a usable input.
    """

    id: str
    build: Callable[[Path], Path]
    outcome: str
    file: str
    code: str | None = None
    ids: tuple[str, ...] = ()
    says: tuple[str, ...] = ()
    fix: str | None = None
    check: Callable | None = None

    def __str__(self) -> str:
        return self.id


def _values(kind, column, expected):
    def check(atlas):
        values = getattr(atlas, kind)[column]
        got = [None if pd.isna(v) else v for v in values.tolist()]
        assert got == expected, got

    return check


def _dates(kind, column, expected):
    def check(atlas):
        got = [str(v)[:10] for v in getattr(atlas, kind)[column].tolist()]
        assert got == expected, got

    return check


CASES = [
    # ---------------------------------------------------------------- dates
    Case(
        "dates_day_first_every_form",
        build_bid_dates_day_first,
        "ok",
        "bids.geojson",
        check=_dates("bids", "start", ["2020-12-01", "2021-11-01", *["2020-12-01"] * 4]),
    ),
    Case(
        "date_month_name_alone",
        _bid_start("december"),
        "error",
        "bids.geojson",
        code="SchemaError",
        ids=("b-bad",),
        says=("`start`", "cannot be read as a date", "'december'"),
        fix="DD-MM-YYYY",
    ),
    Case(
        "date_no_such_day",
        _bid_start("31-02-2021"),
        "error",
        "bids.geojson",
        code="SchemaError",
        ids=("b-bad",),
        says=("'31-02-2021'",),
        fix="YYYY-MM-DD",
    ),
    Case(
        "date_two_digit_year",
        _bid_start("01-12-20"),
        "error",
        "bids.geojson",
        code="SchemaError",
        ids=("b-bad",),
        says=("'01-12-20'",),
        fix="DD-MM-YYYY",
    ),
    Case(
        "date_month_first_us",
        _bid_start("12/31/2020"),
        "error",
        "bids.geojson",
        code="SchemaError",
        ids=("b-bad",),
        says=("'12/31/2020'",),
        fix="day first",
    ),
    # ---------------------------------------------------------------- numbers
    Case(
        "danish_thousands_in_counts",
        build_danish_thousands,
        "ok",
        "companies.csv",
        check=_values("companies", "employees", [12000, 1250, 3]),
    ),
    Case(
        "spaces_group_thousands",
        build_spaces_group_thousands,
        "ok",
        "companies.csv",
        check=_values("companies", "employees", [12000, 1250, 1250000]),
    ),
    Case(
        "comma_thousands_in_point_decimal_file",
        build_comma_thousands_in_comma_csv,
        "error",
        "companies.csv",
        code="SchemaError",
        ids=("0001",),
        says=("`employees`", "'12,000'", "decimal points"),
        fix='decimal = ","',
    ),
    Case(
        "point_thousands_in_point_decimal_file",
        build_point_decimal_semicolon_csv,
        "error",
        "companies.csv",
        code="SchemaError",
        ids=("0001",),
        says=("'1.250'", "decimal points, as `"),
        fix="digits only",
    ),
    Case(
        "ambiguous_without_a_known_mark",
        build_no_known_mark,
        "error",
        "companies.csv",
        code="SchemaError",
        ids=("0001",),
        says=("'12.000'", "no known decimal mark"),
        fix='decimal = ","',
    ),
    Case(
        "stated_decimal_comma",
        build_stated_decimal_comma,
        "ok",
        "companies.csv",
        check=_values("companies", "employees", [12000]),
    ),
    Case(
        "count_beyond_64_bits_csv",
        build_huge_count_csv,
        "error",
        "companies.csv",
        code="SchemaError",
        ids=("0001",),
        says=("2**53", "99999999999999999999999"),
        fix="whole number",
    ),
    Case(
        "count_beyond_64_bits_geojson",
        build_huge_count_geojson,
        "error",
        "companies.geojson",
        code="SchemaError",
        ids=("0001",),
        says=("2**53",),
        fix="whole number",
    ),
    Case(
        "number_not_finite",
        build_infinite_area,
        "error",
        "rewilding.geojson",
        code="SchemaError",
        ids=("p1",),
        says=("`survey_area_m2`", "'1e400'"),
        fix="digits only",
    ),
    # ---------------------------------------------------------------- logic
    Case(
        "bid_ends_before_start",
        build_bid_ends_before_start,
        "error",
        "bids.geojson",
        code="SchemaError",
        ids=("b1",),
        says=("end before they start", "start 2024-05-01, end 2023-12-31"),
        fix="leave `end` blank",
    ),
    Case(
        "plot_established_far_ahead",
        build_plot_far_ahead,
        "warning",
        "rewilding.geojson",
        code="AreasWarning",
        ids=("p-typo",),
        says=("more than 10 years after", f"{dt.date.today().year + 30}-05-01"),
        fix="mistyped year",
    ),
    Case(
        "stops_without_name",
        build_stop_without_name,
        "warning",
        "stops.csv",
        code="AreasRepairWarning",
        ids=("s1", "s3"),
        says=("no `name`", "named by their `stop_id`"),
        fix="give every feature a `name`",
        check=_values("stops", "name", ["s1", "Avedøre", "s3"]),
    ),
    Case(
        "no_bus_stops",
        build_no_bus_stops,
        "note",
        "stops.csv",
        code="NoBusStops",
        says=("no bus stops", "'no data', not 0 %"),
    ),
    Case(
        "overlapping_districts",
        build_overlapping_districts,
        "note",
        "districts.gpkg",
        code="OverlappingDistricts",
        ids=("d1", "d2"),
        says=("d1 & d2 (50.00 ha)", "1 pair(s)", "newest local plan wins"),
    ),
    Case(
        "blank_municipality",
        build_blank_municipality,
        "error",
        "districts.gpkg",
        code="SchemaError",
        ids=("d2",),
        says=("`municipality`", "blank"),
        fix="[districts.constants] municipality",
    ),
    # ---------------------------------------------------------------- folder entries
    Case(
        "folder_named_companies_csv",
        build_folder_named_companies_csv,
        "error",
        "companies.csv",
        code="DamagedFileError",
        says=("is a folder, not a file",),
        fix="rename the folder",
    ),
    Case(
        "broken_link",
        build_broken_link,
        "error",
        "companies.geojson",
        code="MissingLayerError",
        says=("is a link to", "does not exist"),
        fix="point the link at the file",
    ),
    # ---------------------------------------------------------------- used to crash
    Case(
        "excel_unicode_text_utf16_tabs",
        build_utf16_tab_csv,
        "ok",
        "companies.csv",
        check=_values("companies", "employees", [12, 1250]),
    ),
    Case(
        "utf16_without_bom",
        build_utf16_without_bom,
        "error",
        "companies.csv",
        code="EncodingError",
        says=("NUL characters", "UTF-16"),
        fix="CSV UTF-8",
    ),
    Case(
        "excel_sep_line",
        build_excel_sep_line,
        "ok",
        "companies.csv",
        check=_values("companies", "employees", [12000, 3]),
    ),
    Case(
        "excel_sep_line_comma_quoted",
        build_excel_sep_line_comma,
        "ok",
        "companies.csv",
        check=_values("companies", "employees", [4]),
    ),
    Case(
        "nan_vertex_in_district",
        build_nan_vertex_district,
        "error",
        "districts.geojson",
        code="GeometryError",
        ids=("d2",),
        says=("NaN or infinite coordinate",),
        fix="draw the outline",
    ),
    Case(
        "infinite_vertex_in_bid",
        build_infinite_vertex_bid,
        "warning",
        "bids.geojson",
        code="AreasRepairWarning",
        ids=("b-inf",),
        says=("left out 1 feature(s)", "NaN or infinite coordinate"),
        fix="add the geometry",
        check=_values("bids", "bid_id", ["b-ok"]),
    ),
    Case(
        "long_text_field",
        build_long_text_field,
        "ok",
        "companies.csv",
        check=lambda atlas: (
            atlas.companies["name"].tolist() == [LONG, "B"] or pytest.fail("long text changed")
        ),
    ),
    Case(
        "long_text_field_and_a_bad_line",
        build_long_text_and_bad_line,
        "error",
        "companies.csv",
        code="DamagedFileError",
        says=("line 3 (6 fields)",),
        fix="quote values",
    ),
    Case(
        "long_duplicate_ids",
        build_long_duplicate_ids,
        "error",
        "companies.csv",
        code="DuplicateIdError",
        says=("x" * 200 + "…",),
        fix="its own `company_id`",
    ),
    # ---------------------------------------------------------------- control characters
    Case(
        "escape_sequences_in_ids",
        build_escape_sequences_in_ids,
        "error",
        "companies.csv",
        code="DuplicateIdError",
        says=(printable(ESC_ID),),
        fix="its own `company_id`",
    ),
    Case(
        "bare_carriage_return_in_a_field",
        build_bare_carriage_return,
        "error",
        "companies.csv",
        code="DamagedFileError",
        says=("line 2 (2 fields)",),
        fix="quote values",
    ),
    Case(
        "control_characters_in_values",
        build_control_characters_in_values,
        "error",
        "bids.geojson",
        code="SchemaError",
        says=("b\\u200b2", "\\x1b[31m2021\\x7f"),
        fix="DD-MM-YYYY",
    ),
]
CASE_IDS = [c.id for c in CASES]
USABLE = [c for c in CASES if c.outcome != "error"]
ERRORS = [c for c in CASES if c.outcome == "error"]

#: Characters that must never reach a terminal raw.
RAW_CONTROLS = ("\x1b", "\x07", "\r", "\x9b", "\u202e", "\u200b", "\x00")


def built(case: Case, tmp_path: Path) -> Path:
    folder = tmp_path / case.id
    folder.mkdir()
    return case.build(folder)


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main([*args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    for char in RAW_CONTROLS:
        assert char not in out + err, repr(char)
    return code, out, err


def _found(report, case):
    pool = report.notes if case.outcome == "note" else report.problems
    return [p for p in pool if p.code == case.code]


# =========================================================================== the API


def test_every_family_has_held_out_cases():
    families = {
        "date": 5, "thousands": 4, "decimal": 2, "bits": 2, "far_ahead": 1, "before_start": 1,
        "without_name": 1, "bus": 1, "overlapping": 1, "folder": 1, "link": 1, "utf16": 2,
        "sep_line": 2, "vertex": 2, "long": 3, "escape": 1, "control": 1, "carriage": 1,
    }  # fmt: skip
    for word, least in families.items():
        assert sum(word in c for c in CASE_IDS) >= least, word
    assert len(set(CASE_IDS)) == len(CASE_IDS)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_validate_api(case, tmp_path):
    source = built(case, tmp_path)
    report = areas.validate(source, fallback="empty")
    assert report.ok is (case.outcome != "error"), report.to_text()
    text = report.to_text()
    for char in RAW_CONTROLS:
        assert char not in text
    if case.outcome == "ok":
        assert report.problems == [], text
        return
    found = _found(report, case)
    assert found, text
    assert all(Path(p.path).name == case.file for p in found), found
    named = sorted(i for p in found for i in p.ids)
    if case.ids and case.code not in ("DuplicateIdError",):
        assert named == sorted(case.ids), named
    message = "\n".join(str(p) for p in found)
    for part in case.says:
        assert part in message, (part, message)
    if case.fix:
        assert all(case.fix in (p.fix or "") for p in found), found
    assert len(message) < 6000  # long values are cut, never the whole megabyte


@pytest.mark.parametrize("case", USABLE, ids=[c.id for c in USABLE])
def test_load_api_reads_values_as_meant(case, tmp_path):
    source = built(case, tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        atlas = areas.load(source, fallback="empty")
    said = [str(w.message) for w in caught]
    if case.outcome == "warning":
        assert any(all(i in m for i in case.ids) for m in said), said
    else:
        assert said == [], said
    sources = atlas.sources
    assert all(s.reconciles() for s in sources.values())
    if case.check is not None:
        case.check(atlas)


@pytest.mark.parametrize("case", ERRORS, ids=[c.id for c in ERRORS])
def test_load_api_raises_one_error(case, tmp_path):
    source = built(case, tmp_path)
    with pytest.raises(AreasError) as info:
        areas.load(source, fallback="empty")
    assert type(info.value).__name__ == case.code
    assert case.file in str(info.value)
    assert "Fix:" in str(info.value)


# =========================================================================== the command line


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_validate_cli(case, tmp_path, capsys):
    source = built(case, tmp_path)
    code, out, err = cli(capsys, "validate", str(source), *FALLBACK)
    assert code == (1 if case.outcome == "error" else 0), out
    if case.outcome == "ok":
        assert out.strip().splitlines()[-1].startswith("0 errors, 0 warnings"), out
        return
    head = {"error": "ERROR", "warning": "WARNING", "note": "INFO"}[case.outcome]
    lines = [line for line in out.splitlines() if line.startswith(f"{head} {case.code}")]
    assert lines, out
    text = "\n".join(lines)
    assert case.file in text
    for part in (*case.ids, *case.says):
        assert printable(part) in text, (part, text)
    if case.fix:
        assert any(case.fix in line for line in out.splitlines() if "Fix:" in line), out


@pytest.mark.parametrize("case", ERRORS, ids=[c.id for c in ERRORS])
def test_summary_cli_refuses_with_one_message(case, tmp_path, capsys):
    source = built(case, tmp_path)
    code, out, err = cli(capsys, "summary", "--layers", str(source), *FALLBACK)
    assert code == 2 and out == ""
    assert err.startswith("areas: error: ") and err.count("areas: error:") == 1
    assert case.file in err and "Fix: " in err
    for part in case.says:
        assert printable(part) in err, (part, err)


@pytest.mark.parametrize("case", USABLE, ids=[c.id for c in USABLE])
def test_summary_cli_of_usable_input(case, tmp_path, capsys):
    source = built(case, tmp_path)
    code, out, err = cli(capsys, "summary", "--layers", str(source), "--format", "json", *FALLBACK)
    assert code == 0, err
    warned = [line for line in err.splitlines() if line]
    if case.outcome == "warning":
        assert warned and all(line.startswith("areas: warning: ") for line in warned), err
        for part in case.ids:
            assert part in err
    else:
        assert warned == [], err
    rec = json.loads(out)["reconciliation"]
    assert rec["companies_in"] == rec["assigned"] + rec["outside"] + rec["excluded"]


def test_danish_thousands_reach_the_summary(tmp_path, capsys):
    source = built(CASES[CASE_IDS.index("danish_thousands_in_counts")], tmp_path)
    code, out, _ = cli(capsys, "summary", "--layers", str(source), "--format", "json", *FALLBACK)
    rows = {r["district_id"]: r for r in json.loads(out)["districts"]}
    assert code == 0 and rows["d1"]["employees"] == 12000 + 1250 + 3


# ================================================================ dates on the command line


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("01-12-2026", "2026-12-01"),
        ("13-12-2026", "2026-12-13"),
        ("01.11.2025", "2025-11-01"),
        ("1/12/2026", "2026-12-01"),
        ("2026-12-01", "2026-12-01"),
        ("20261201", "2026-12-01"),
        ("1. december 2026", "2026-12-01"),
        ("1 okt. 2025", "2025-10-01"),
    ],
)
def test_as_of_is_day_first_on_the_command_line(text, day, capsys):
    code, out, _ = cli(capsys, "summary", "--as-of", text, "--format", "json")
    assert code == 0 and json.loads(out)["params"]["as_of"] == day


@pytest.mark.parametrize(
    "text", ["december", "12-2026", "01-12-26", "32-01-2026", "2026-13-01", ""]
)
def test_as_of_that_is_not_a_date_is_refused(text, capsys):
    code, out, err = cli(capsys, "summary", "--as-of", text)
    assert code == 2 and out == ""
    assert err.startswith("areas: error: ") and "`as_of` must be a date" in err
    assert "day first" in err


def test_as_of_in_the_api_matches_the_command_line():
    assert resolve_date("01-12-2026") == pd.Timestamp("2026-12-01")
    assert areas.scenario.resolve_as_of("1/12/2026") == pd.Timestamp("2026-12-01")
    for bad in ("december", 2026, 20261201.0, True, "0001-12-01"):
        with pytest.raises(ConfigError, match="must be a date"):
            areas.scenario.resolve_as_of(bad)
    assert "day first" in DATE_HELP and "01-12-2026" in DATE_HELP


def test_read_date_against_a_slow_reference():
    """Every day-first form of every day of two years reads back as that day."""
    day = dt.date(2024, 1, 1)
    while day.year < 2026:
        d, m, y = day.day, day.month, day.year
        for text in (f"{d:02d}-{m:02d}-{y}", f"{d}.{m}.{y}", f"{d}/{m}/{y}", day.isoformat()):
            assert read_date(text) == day, text
        day += dt.timedelta(days=1)


# =========================================================================== numbers


def _reference(text: str, decimal: str | None, count: bool) -> float | None:
    """Return the number the rule gives, written out longhand (to compare with read_number)."""
    t = text.strip()
    sign = -1.0 if t.startswith("-") else 1.0
    t = t.lstrip("+-").replace(" ", "").replace("\u00a0", "")
    marks = [c for c in t if c in ".,"]
    digits = t.replace(".", "").replace(",", "")
    if not digits.isdigit():
        return None
    if not marks:
        return sign * float(t)
    if len(marks) == 1:
        whole, frac = t.split(marks[0])
        three = len(frac) == 3 and 1 <= len(whole) <= 3
        if marks[0] == decimal or (decimal is None and not three):
            if count and three:
                return None
            return None if not whole else sign * float(f"{whole}.{frac}")
        if decimal == "," and marks[0] == "." and three:
            return sign * float(whole + frac)
        return None
    last = marks[-1]
    thousands = [c for c in marks[:-1]]
    if len(set(marks)) == 1:  # 1.250.000
        last, thousands = None, marks
    if len(set(thousands)) != 1 or (last is not None and last == thousands[0]):
        return None
    sep = thousands[0]
    mark = last or ("," if sep == "." else ".")
    if decimal is not None and decimal != mark:
        return None
    whole, _, frac = t.partition(last) if last else (t, "", "")
    groups = whole.split(sep)
    if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
        return None
    return sign * float("".join(groups) + (f".{frac}" if frac else ""))


@pytest.mark.parametrize("decimal", [",", ".", None])
@pytest.mark.parametrize("count", [False, True])
def test_read_number_matches_the_longhand_rule(decimal, count):
    samples = [
        "12", "12.000", "12,000", "1.250", "1.250,5", "1,250.5", "12,5", "12.5", "12 000",
        "1.250.000", "1,250,000", "-3", "0012", "1.2.3", "1,2,3", "12.3456", "12,3456", "1.25",
        "1234.567", "1234,567", "1.234.56", "1,234,56", "1 250,5", "12.000,25", "12,000.25",
    ]  # fmt: skip
    for text in samples:
        assert read_number(text, decimal, count=count) == _reference(text, decimal, count), text


def test_message_ids_with_escapes_reach_the_terminal_escaped(tmp_path):
    source = built(CASES[CASE_IDS.index("escape_sequences_in_ids")], tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "areas", "validate", str(source), *FALLBACK],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    for char in RAW_CONTROLS:
        assert char not in result.stdout + result.stderr
    assert "s\\x1b[2J\\x1b]0;owned\\x07\\x0d\\u202eexe.1" in result.stdout


#: A handful as ``python -m areas`` processes of their own.
SUBPROCESS_CASES = [
    "excel_unicode_text_utf16_tabs",
    "nan_vertex_in_district",
    "folder_named_companies_csv",
    "comma_thousands_in_point_decimal_file",
    "long_text_field",
]


@pytest.mark.parametrize("case_id", SUBPROCESS_CASES)
def test_real_process(case_id, tmp_path):
    case = CASES[CASE_IDS.index(case_id)]
    source = built(case, tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "areas", "summary", "--layers", str(source), "--format", "csv",
         *FALLBACK],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )  # fmt: skip
    assert "Traceback" not in result.stdout + result.stderr
    if case.outcome == "error":
        assert result.returncode == 2 and result.stderr.startswith("areas: error: ")
        assert case.file in result.stderr
    else:
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("district_id,")
