"""PostGIS as source and sink, against a real PostgreSQL server with PostGIS.

The server is started and stopped by the ``postgis`` fixture
(tests/postgres_fixture.py).
"""

from __future__ import annotations

import json
import shutil

import geopandas as gpd
import geopandas.testing
import pandas as pd
import postgres_fixture
import pytest

import areas
from areas.errors import ConfigError, MissingLayerError, OutputError, SchemaError
from areas.load.postgis import (
    DatabaseAuthError,
    DatabaseConnectionError,
    connect,
    read_postgis_layer,
)
from areas.output.database import write_postgis

pytestmark = pytest.mark.slow  # starts a PostgreSQL server

#: The PostgreSQL server fixture (session-wide), used under its own name.
postgis = postgres_fixture.postgis

KINDS = ("districts", "bids", "rewilding", "stops", "companies")
AS_OF = "2026-01-01"


@pytest.fixture
def login(postgis, monkeypatch):
    """Put the server's password in PGPASSWORD, as a planner would set it."""
    monkeypatch.setenv("PGPASSWORD", postgis.password)
    monkeypatch.delenv("PGPASSFILE", raising=False)
    return postgis


@pytest.fixture(scope="module")
def raw_layers(tmp_path_factory) -> tuple[dict[str, gpd.GeoDataFrame], object]:
    """Every bundled layer as read from a GeoPackage by pyogrio, and that GeoPackage."""
    atlas = areas.load()
    path = tmp_path_factory.mktemp("gpkg") / "layers.gpkg"
    for kind in KINDS:
        frame = getattr(atlas, kind).copy()
        for name in frame.columns:  # nullable Int64 -> plain, as a planner's file would hold
            if str(frame[name].dtype) == "Int64":
                frame[name] = frame[name].astype("float64" if frame[name].isna().any() else "int64")
        frame.to_file(path, layer=kind, driver="GPKG")
    return {k: gpd.read_file(path, layer=k) for k in KINDS}, path


@pytest.fixture(scope="module")
def in_database(postgis, raw_layers):
    """Write the same layers to schema ``gis`` of the test database."""
    layers, _ = raw_layers
    mp = pytest.MonkeyPatch()
    mp.setenv("PGPASSWORD", postgis.password)
    try:
        counts = write_postgis(layers, postgis.url, "gis")
    finally:
        mp.undo()
    return counts


def test_layers_read_from_postgis_equal_the_geopackage(login, raw_layers, in_database):
    layers, _ = raw_layers
    assert in_database == {k: len(v) for k, v in layers.items()}
    for kind in KINDS:
        got = read_postgis_layer(login.url, table=f"gis.{kind}", layer=kind)
        want = layers[kind]
        # a column without any value: None from the file, NaN from the database
        empty = [c for c in want.columns if c != "geometry" and want[c].isna().all()]
        assert all(got[c].isna().all() for c in empty)
        got, want = got.drop(columns=empty), want.drop(columns=empty)
        assert got.crs == want.crs
        assert list(got.columns) == list(want.columns)
        gpd.testing.assert_geodataframe_equal(
            got.sort_values(got.columns[0]).reset_index(drop=True),
            want.sort_values(want.columns[0]).reset_index(drop=True),
            check_dtype=False,
            check_less_precise=False,
        )
        for name in want.columns:
            if pd.api.types.is_datetime64_any_dtype(want[name]):
                assert pd.api.types.is_datetime64_any_dtype(got[name]), (kind, name)


def test_summary_from_postgis_equals_summary_from_geopackage(
    login, raw_layers, in_database, tmp_path
):
    _, gpkg = raw_layers
    # the PostGIS layers go through the loader exactly as the file's layers do
    through = tmp_path / "from_postgis.gpkg"
    for kind in KINDS:
        read_postgis_layer(login.url, table=f"gis.{kind}").to_file(through, layer=kind)
    a = areas.summarize(areas.load(gpkg), as_of=AS_OF).table
    b = areas.summarize(areas.load(through), as_of=AS_OF).table
    pd.testing.assert_frame_equal(a, b)


def test_a_query_selects_features(login, in_database):
    frame = read_postgis_layer(
        login.url,
        sql="SELECT district_id, name, status, geometry AS shape FROM gis.districts "
        "WHERE status = 'withdrawn'",
    )
    assert frame["district_id"].tolist() == ["holmene"]
    assert frame.geometry.name == "geometry" and frame.crs.to_epsg() == 25832


def test_the_password_can_come_from_a_pgpass_file(postgis, in_database, tmp_path, monkeypatch):
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(
        f"{postgis.host}:{postgis.port}:{postgis.database}:{postgis.user}:{postgis.password}\n"
    )
    pgpass.chmod(0o600)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    assert len(read_postgis_layer(postgis.url, table="gis.districts")) == 8


def test_a_wrong_password_is_a_clear_error(postgis, monkeypatch, tmp_path):
    monkeypatch.setenv("PGPASSWORD", "not-the-password")
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    with pytest.raises(DatabaseAuthError, match="refused user `areas_test`") as info:
        read_postgis_layer(postgis.url, table="gis.districts")
    assert "PGPASSWORD" in str(info.value) and ".pgpass" in str(info.value)
    assert "not-the-password" not in str(info.value)
    assert isinstance(info.value, areas.errors.AreasError)


def test_a_missing_table_lists_the_tables(login, in_database):
    with pytest.raises(MissingLayerError, match="`gis.nope` does not exist") as info:
        read_postgis_layer(login.url, table="gis.nope", layer="districts")
    assert "gis.districts" in str(info.value) and "layer `districts`" in str(info.value)


def test_a_failing_query_is_a_clear_error(login, in_database):
    with pytest.raises(SchemaError, match="the query failed: .*no_such_column"):
        read_postgis_layer(login.url, sql="SELECT no_such_column FROM gis.districts")
    with pytest.raises(SchemaError, match="no geometry column"):
        read_postgis_layer(login.url, sql="SELECT district_id FROM gis.districts")


def test_an_unreachable_server_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "x")
    url = f"postgresql://someone@127.0.0.1:{postgres_fixture.free_port()}/gis"
    with pytest.raises(DatabaseConnectionError, match="cannot connect to PostgreSQL at 127.0.0.1"):
        read_postgis_layer(url, table="public.districts")


def test_a_password_in_the_url_is_refused():
    with pytest.raises(ConfigError, match="holds a password") as info:
        read_postgis_layer("postgresql://u:secret@localhost/db", table="x")
    assert "secret" not in str(info.value)
    with pytest.raises(ConfigError, match="either `table` or `sql`"):
        read_postgis_layer("postgresql://u@localhost/db")
    with pytest.raises(ConfigError, match="not a table name"):
        read_postgis_layer("postgresql://u@localhost/db", table="a.b.c")


def test_a_write_failing_midway_leaves_nothing_half_written(login, raw_layers):
    layers, _ = raw_layers
    write_postgis({"districts": layers["districts"]}, login.url, "results")
    bad = layers["companies"].copy()
    bad.loc[bad.index[5], "name"] = "bad\x00name"  # PostgreSQL text cannot hold NUL
    smaller = layers["districts"].iloc[:2]
    with pytest.raises(OutputError, match="writing table `companies` failed") as info:
        write_postgis(
            {"districts": smaller, "stops": layers["stops"], "companies": bad}, login.url, "results"
        )
    assert "rolled back" in str(info.value)
    with connect(login.url) as conn:
        tables = set(
            conn.exec_driver_sql(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'results'"
            ).scalars()
        )
        rows = conn.exec_driver_sql("SELECT count(*) FROM results.districts").scalar_one()
    assert tables == {"districts"}  # no stops table, no companies table
    assert rows == len(layers["districts"])  # the earlier districts, not the 2 of the failed run


def test_write_refuses_bad_names_and_crs(login, raw_layers):
    layers, _ = raw_layers
    with pytest.raises(OutputError, match="not a valid schema or table name"):
        write_postgis({"districts": layers["districts"]}, login.url, "Bad-Schema")
    with pytest.raises(OutputError, match="must be in EPSG:25832"):
        write_postgis({"districts": layers["districts"].to_crs(4326)}, login.url, "results")


def _toml(tmp_path, url: str, tables: dict[str, str], extra: str = "") -> object:
    body = "\n".join(
        f'[{kind}]\nurl = "{url}"\ntable = "{table}"\n' for kind, table in tables.items()
    )
    path = tmp_path / "areas.toml"
    path.write_text(body + extra, encoding="utf-8")
    return path


def test_areas_toml_reads_postgis_and_gives_the_geopackage_summary(
    login, raw_layers, in_database, tmp_path
):
    _, gpkg = raw_layers
    toml = _toml(tmp_path, login.url, {k: f"gis.{k}" for k in KINDS})
    from_db = areas.load(toml)
    from_file = areas.load(gpkg)
    a = areas.summarize(from_file, as_of=AS_OF).table
    b = areas.summarize(from_db, as_of=AS_OF).table
    pd.testing.assert_frame_equal(a, b)
    for kind in KINDS:
        geopandas.testing.assert_geodataframe_equal(
            getattr(from_db, kind), getattr(from_file, kind), check_dtype=True
        )
        src = from_db.sources[kind]
        assert src.path == f"{login.url} gis.{kind}" and src.reconciles()
    assert login.password not in toml.read_text()


def test_areas_toml_query_filter_and_values_on_postgis(login, in_database, tmp_path):
    toml = tmp_path / "areas.toml"
    toml.write_text(
        '[layers]\nfallback = "bundled"\n\n'
        f'[districts]\nurl = "{login.url}"\n'
        'sql = "SELECT district_id, name, municipality, status, geometry FROM gis.districts"\n'
        "[districts.filter]\nwhere = \"status != 'withdrawn'\"\n"
        '[districts.values.municipality]\n"Hvidovre" = "Hvidovre Kommune"\n',
        encoding="utf-8",
    )
    atlas = areas.load(toml)
    bundled = areas.load().districts
    assert sorted(atlas.districts["district_id"]) == sorted(
        bundled.loc[bundled["status"] != "withdrawn", "district_id"]
    )
    src = atlas.sources["districts"]
    assert src.filter["removed"] == int((bundled["status"] == "withdrawn").sum()) == 1
    n_hvidovre = int((bundled["municipality"] == "Hvidovre").sum())
    assert src.values == {"municipality": {"Hvidovre": n_hvidovre - 1}}  # Holmene was filtered
    assert (atlas.districts["municipality"] == "Hvidovre Kommune").sum() == n_hvidovre - 1


def test_areas_toml_refuses_a_password_in_the_url(tmp_path):
    toml = _toml(tmp_path, "postgresql://planner:hemmelig@db.example/gis", {"districts": "a.b"})
    with pytest.raises(ConfigError, match="holds a password") as info:
        areas.load(toml)
    assert "hemmelig" not in str(info.value) and "[districts] `url`" in str(info.value)
    toml.write_text('[districts]\nurl = "postgresql://u@h/db"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="needs either `table"):
        areas.load(toml)
    toml.write_text('[districts]\ntable = "gis.districts"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="add the connection `url"):
        areas.load(toml)


def _cli(capsys, *args: str) -> tuple[int, str]:
    from areas.cli import main

    code = main(list(args))
    return code, capsys.readouterr().err


def test_cli_wrong_password_and_missing_table_are_one_line_errors(
    postgis, in_database, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    monkeypatch.setenv("PGPASSWORD", "wrong")
    toml = _toml(tmp_path, postgis.url, {"districts": "gis.districts"})
    code, err = _cli(capsys, "summary", "--layers", str(toml))
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("areas: error: ") and "refused user `areas_test`" in err
    assert "PGPASSWORD" in err and "wrong" not in err.replace("wrong password", "")
    monkeypatch.setenv("PGPASSWORD", postgis.password)
    toml = _toml(tmp_path, postgis.url, {"districts": "gis.nope"})
    code, err = _cli(capsys, "summary", "--layers", str(toml))
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "table `gis.nope` does not exist" in err and "gis.districts" in err


def test_report_writes_the_result_layers_to_a_schema(login, tmp_path, capsys):
    out = tmp_path / "report"
    code, err = _cli(
        capsys,
        "report",
        "--as-of",
        AS_OF,
        "--quiet",
        "--out",
        str(out),
        "--database",
        login.url,
        "--schema",
        "report_2026",
    )
    assert code == 0, err
    names = [n for n in gpd.list_layers(out / "results.gpkg")["name"] if n != "layer_styles"]
    prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert prov["database"]["schema"] == "report_2026"
    assert prov["database"]["tables"] == {
        n: len(gpd.read_file(out / "results.gpkg", layer=n)) for n in names
    }
    for name in names:
        back = read_postgis_layer(login.url, table=f"report_2026.{name}")
        want = gpd.read_file(out / "results.gpkg", layer=name)
        assert len(back) == len(want) and sorted(back.columns) == sorted(want.columns), name
    back = read_postgis_layer(login.url, table="report_2026.districts")
    assert sorted(back["district_id"]) == sorted(
        gpd.read_file(out / "results.gpkg", layer="districts")["district_id"]
    )
    shutil.rmtree(out)


def test_a_refused_database_leaves_the_previous_report(postgis, tmp_path, monkeypatch):
    out = tmp_path / "report"
    areas.write_report(areas.load(), out, as_of=AS_OF, progress=False)
    before = (out / "provenance.json").read_bytes()
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    monkeypatch.setenv("PGPASSWORD", "wrong")
    with pytest.raises(DatabaseAuthError):
        areas.write_report(
            areas.load(),
            out,
            as_of="2025-01-01",
            progress=False,
            database=postgis.url,
            schema="never_written",
        )
    assert (out / "provenance.json").read_bytes() == before
    with pytest.raises(ConfigError, match="not a valid schema name"):
        areas.write_report(areas.load(), out, progress=False, database=postgis.url, schema="A-b")
    with pytest.raises(ConfigError, match="give the database too"):
        areas.write_report(areas.load(), out, progress=False, schema="x")
