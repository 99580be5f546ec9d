"""validate(): every problem collected, layer by layer, into one report."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point, Polygon, box

import areas.load.pipeline
from areas.atlas import Atlas
from areas.cli import main as cli_main
from areas.errors import ConfigError, DuplicateIdError, SchemaError
from areas.schema import KIND_NAMES, WORK_CRS
from areas.validate import Problem, ValidationReport, validate

X0, Y0 = 717_900.0, 6_168_100.0


def write(frame, path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pyogrio.write_dataframe(frame, path)
    return Path(path)


def districts(ids=("d1", "d2"), status=("existing", "planned"), geoms=None):
    n = len(ids)
    return gpd.GeoDataFrame(
        {
            "district_id": list(ids),
            "name": [f"D {i}" for i in ids],
            "municipality": ["Hvidovre"] * n,
            "status": list(status),
        },
        geometry=geoms
        or [box(X0 + i * 2000, Y0, X0 + i * 2000 + 1000, Y0 + 1000) for i in range(n)],
        crs=WORK_CRS,
    )


def stops(modes=("bus", "metro")):
    n = len(modes)
    return gpd.GeoDataFrame(
        {
            "stop_id": [f"s{i}" for i in range(n)],
            "name": ["S"] * n,
            "mode": list(modes),
            "status": ["existing"] * n,
        },
        geometry=[Point(X0 + i, Y0) for i in range(n)],
        crs=WORK_CRS,
    )


@pytest.fixture
def good_folder(tmp_path):
    write(districts(), tmp_path / "districts.gpkg")
    write(stops(), tmp_path / "stops.geojson")
    (tmp_path / "companies.csv").write_text(
        "company_id;name;lon;lat\n0001;Ærø;12,46;55,61\n", encoding="utf-8"
    )
    return tmp_path


def test_good_source_is_ok_and_holds_the_atlas(good_folder):
    report = validate(good_folder, fallback="empty")
    assert report.ok and report.errors == [] and report.warnings == []
    assert isinstance(report.atlas, Atlas)
    assert report.atlas.companies["company_id"].tolist() == ["0001"]
    assert set(report.sources) == set(KIND_NAMES)
    assert report.sources["companies"].features_read == 1
    # validate does not warn: it reports
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        validate(good_folder)


def test_same_result_as_load(good_folder):
    report = validate(good_folder, fallback="empty")
    atlas = areas.load.pipeline.load(good_folder, fallback="empty")
    for kind in KIND_NAMES:
        a, b = getattr(report.atlas, kind), getattr(atlas, kind)
        assert a.equals(b), kind


def test_absent_layers_are_a_warning(good_folder):
    report = validate(good_folder)
    assert report.ok
    [problem] = report.warnings
    assert problem.code == "AreasWarning" and "`bids`, `rewilding`" in problem.message


def test_collects_problems_of_every_layer_and_every_check(tmp_path):
    # districts: a duplicate id, an invalid status and a bow-tie (three problems, one layer)
    bow_tie = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    frame = districts(ids=("d1", "d1", "d3"), status=("existing", "vedtaget", "planned"))
    frame.loc[2, "geometry"] = bow_tie
    write(frame, tmp_path / "districts.gpkg")
    # stops: an invalid mode
    write(stops(modes=("bus", "tram")), tmp_path / "stops.gpkg")
    # companies: a damaged file
    (tmp_path / "companies.geojson").write_text("<html>404</html>", encoding="utf-8")
    report = validate(tmp_path, fallback="empty")
    assert not report.ok and report.atlas is None
    codes = [(p.kind, p.code) for p in report.errors]
    assert codes == [
        ("districts", "DuplicateIdError"),
        ("districts", "SchemaError"),
        ("stops", "SchemaError"),
        ("companies", "DamagedFileError"),
    ]
    [repair] = [p for p in report.warnings if p.kind == "districts"]
    assert repair.code == "AreasRepairWarning" and repair.ids == ("d3",)
    assert report.errors[0].ids == ("d1",)
    assert report.errors[2].ids == ("s1",) and "tram" in report.errors[2].message
    assert "HTML" in report.errors[3].message and report.errors[3].fix
    assert "companies" not in report.sources  # not readable at all


def test_to_text_and_to_dict(tmp_path):
    write(districts(ids=("d1", "d1")), tmp_path / "districts.gpkg")
    report = validate(tmp_path, fallback="empty")
    text = report.to_text()
    assert str(report) == text
    assert "ERROR DuplicateIdError [districts]" in text and "d1 (2×)" in text
    assert "Fix: give every feature its own `district_id`" in text
    assert text.splitlines()[-1].startswith("1 error, 0 warnings: the data is NOT usable")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["ok"] is False and data["errors"] == 1
    assert data["problems"][0]["code"] == "DuplicateIdError" and data["problems"][0]["ids"] == [
        "d1"
    ]
    assert data["layers"]["districts"]["features_read"] == 2


def test_problem_exception_round_trip(tmp_path):
    write(districts(ids=("d1", "d1")), tmp_path / "districts.gpkg")
    report = validate(tmp_path, fallback="empty")
    with pytest.raises(DuplicateIdError, match="d1"):
        report.raise_first()
    with pytest.raises(DuplicateIdError):
        areas.load.pipeline.load(tmp_path, fallback="empty")


def test_load_raises_the_first_error_validate_collects(tmp_path):
    """One pipeline: strict stops at the problem report-all lists first, worded the same."""
    frame = districts(ids=("d1", "d1", "d3"), status=("existing", "vedtaget", "planned"))
    write(frame, tmp_path / "districts.gpkg")
    write(stops(modes=("bus", "tram")), tmp_path / "stops.gpkg")
    report = validate(tmp_path, fallback="empty")
    assert len(report.errors) == 3
    first = report.errors[0]
    with pytest.raises(DuplicateIdError) as raised:
        areas.load.pipeline.load(tmp_path, fallback="empty")
    exc = raised.value
    assert str(exc) == str(first.exception())
    assert (exc.kind, exc.fix, exc.detail, exc.ids) == (
        first.kind,
        first.fix,
        first.message,
        list(first.ids),
    )
    assert Problem.from_exception(exc) == first
    found = areas.load.pipeline.collect(tmp_path, fallback="empty", strict=False)
    assert found.problems == report.problems and not found.complete


def test_collector_strict_raises_and_warns_report_all_keeps():
    from areas.errors import AreasRepairWarning
    from areas.problems import Collector

    strict = Collector(strict=True).at("stops", "stops.gpkg", "stops")
    with pytest.warns(AreasRepairWarning, match="file stops.gpkg, layer `stops`: closed s2"):
        strict.warn("closed s2", ids=["s2"])
    with pytest.raises(DuplicateIdError, match="s1 twice Fix: renumber") as raised:
        strict.error(DuplicateIdError, "s1 twice", ids=["s1"], fix="renumber")
    assert raised.value.kind == "stops" and raised.value.detail == "s1 twice"
    top = Collector(strict=False)
    layer = top.at("stops", "stops.gpkg", "stops")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer.warn("closed s2", ids=["s2"])
        layer.error(DuplicateIdError, "s1 twice", ids=["s1"], fix="renumber")
    assert [p.severity for p in top.problems] == ["warning", "error"]
    assert layer.failed and top.failed
    assert not top.at("bids", None, "bids").failed  # an error in stops is not one in bids


def test_config_errors_are_reported_not_raised(tmp_path):
    toml = tmp_path / "areas.toml"
    toml.write_text('[district]\npath = "x"\n', encoding="utf-8")
    report = validate(toml)
    assert not report.ok
    [problem] = report.problems
    assert (
        problem.code == "ConfigError" and problem.kind is None and "[district]" in problem.message
    )
    with pytest.raises(ConfigError):
        report.raise_first()


def test_missing_source(tmp_path):
    report = validate(tmp_path / "nope")
    assert not report.ok and report.errors[0].code == "MissingLayerError"


def test_counts_reconcile_with_exclusions(tmp_path):
    write(districts(), tmp_path / "districts.gpkg")
    (tmp_path / "companies.csv").write_text(
        "company_id,name,lon,lat\n1,A,12.46,55.61\n2,B,,\n3,C,0,0\n", encoding="utf-8"
    )
    report = validate(tmp_path, fallback="empty")
    assert report.ok
    src = report.sources["companies"]
    assert (src.features_read, src.features_used, len(src.excluded)) == (3, 1, 2)
    assert src.reconciles()
    assert {p.ids for p in report.warnings} == {("2",), ("3",)}


def test_problem_str_is_one_readable_block():
    problem = Problem(
        "error", "stops", "/x/stops.gpkg", "stops", ("s1",), "bad mode", "use bus", "SchemaError"
    )
    assert (
        str(problem) == "ERROR SchemaError [stops] file /x/stops.gpkg: bad mode\n    Fix: use bus"
    )
    assert isinstance(SchemaError("m"), ValueError)


def test_cli_validate_exit_codes(tmp_path, capsys, good_folder):
    assert cli_main(["validate", str(good_folder), "--fallback", "empty"]) == 0
    assert "0 errors" in capsys.readouterr().out
    write(districts(ids=("d1", "d1")), good_folder / "districts.gpkg")
    assert cli_main(["validate", str(good_folder), "--fallback", "empty", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["ok"] is False


def test_report_defaults():
    report = ValidationReport(source="x")
    assert report.ok and report.atlas is None and "0 errors, 0 warnings" in report.to_text()
