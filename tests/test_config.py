"""``areas.toml`` parsing: the schema, relative paths and the errors for typos."""

from __future__ import annotations

from pathlib import Path

import pytest

from areas.errors import ConfigError
from areas.load.config import (
    FALLBACKS,
    AreasConfig,
    check_crs,
    parse_config,
    parse_layer_table,
    read_config,
)


def write_toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "areas.toml"
    path.write_text(text, encoding="utf-8")
    return path


FULL = """
[layers]
fallback = "bundled"
crs = "EPSG:25832"

[districts]
path = "data/hvidovre_lokalplaner.geojson"
crs = "EPSG:4326"
[districts.columns]
district_id = "planid"
name = "plannavn"
[districts.constants]
municipality = "Hvidovre"
status = "existing"

[companies]
path = "/abs/firms.csv"
encoding = "cp1252"
sep = ";"
decimal = ","
[companies.columns]
x = "easting"
y = "northing"

[stops]
path = "transit.gpkg"
layer = "stoppesteder"
crs = "EPSG:4326"
crs_override = true
"""


def test_full_schema(tmp_path):
    cfg = read_config(write_toml(tmp_path, FULL))
    assert isinstance(cfg, AreasConfig)
    assert cfg.fallback == "bundled" and cfg.fallback_stated and cfg.crs == "EPSG:25832"
    districts = cfg.layers["districts"]
    assert (
        districts.path == tmp_path / "data" / "hvidovre_lokalplaner.geojson"
    )  # relative to the toml
    assert districts.columns == {"district_id": "planid", "name": "plannavn"}
    assert districts.constants == {"municipality": "Hvidovre", "status": "existing"}
    companies = cfg.layers["companies"]
    assert companies.path == Path("/abs/firms.csv")
    assert (companies.encoding, companies.sep, companies.decimal) == ("cp1252", ";", ",")
    assert companies.columns == {"x": "easting", "y": "northing"}
    stops = cfg.layers["stops"]
    assert stops.layer == "stoppesteder" and stops.crs_override is True
    assert set(cfg.layers) == {"districts", "companies", "stops"}


def test_defaults(tmp_path):
    cfg = read_config(write_toml(tmp_path, '[districts]\npath = "d.gpkg"\n'))
    assert cfg.fallback == "empty" and not cfg.fallback_stated and cfg.crs is None
    layer = cfg.layers["districts"]
    assert layer.layer is None and layer.crs is None and not layer.crs_override
    assert layer.columns == {} and layer.constants == {}


def test_shorthand_path(tmp_path):
    cfg = read_config(write_toml(tmp_path, 'districts = "plans.geojson"\n'))
    assert cfg.layers["districts"].path == tmp_path / "plans.geojson"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            '[district]\npath = "d.gpkg"\n',
            r"unknown table\(s\) \[district\]; valid tables are \[layers\]",
        ),
        (
            '[districts]\npaht = "d.gpkg"\n',
            r"unknown key\(s\) `paht` in \[districts\]; valid keys: path",
        ),
        (
            '[layers]\nfallback = "none"\n[districts]\npath = "d"\n',
            r"`fallback` must be one of 'empty', 'bundled'",
        ),
        (
            '[layers]\nfallbak = "empty"\n[districts]\npath = "d"\n',
            r"unknown key\(s\) `fallbak` in \[layers\]",
        ),
        ('[companies]\npath = "c.csv"\n', r"no \[districts\] table; districts are always required"),
        ('[districts]\npath = "d"\ncrs = "EPSG:99999999"\n', r"not a CRS pyproj knows"),
        ('[districts]\npath = "d"\ncrs_override = true\n', r"`crs_override = true` needs `crs`"),
        ('[districts]\npath = "d"\ncrs_override = "yes"\n', r"must be true or false"),
        ('[districts]\npath = "d"\nencoding = "klingon"\n', r"not a known encoding"),
        ('[districts]\npath = "d"\nsep = ";;"\n', r"`sep` must be one character"),
        ('[districts]\npath = "d"\ndecimal = ";"\n', r"`decimal` must be"),
        ("[districts]\npath = 3\n", r"`path` must be text"),
        (
            '[districts]\npath = "d"\n[districts.columns]\nnavn = "plannavn"\n',
            r"unknown schema column\(s\) `navn`",
        ),
        (
            '[districts]\npath = "d"\n[districts.columns]\nname = 5\n',
            r"must be the name of a column",
        ),
        (
            '[districts]\npath = "d"\n[districts.columns]\nname = "a"\nmunicipality = "a"\n',
            r"maps the file's column\(s\) `a` to more than one",
        ),
        (
            '[districts]\npath = "d"\n[districts.constants]\ndistrict_id = "x"\n',
            r"cannot be constant",
        ),
        (
            '[districts]\npath = "d"\n[districts.constants]\nstatus = [1, 2]\n',
            r"must be text, a number",
        ),
        (
            '[districts]\npath = "d"\n[districts.columns]\nstatus = "s"\n'
            '[districts.constants]\nstatus = "existing"\n',
            r"both to a column and to a constant",
        ),
        ('[districts\npath = "d"\n', r"not valid TOML"),
    ],
    ids=lambda v: v[:30] if isinstance(v, str) else None,
)
def test_invalid_config_names_the_problem(tmp_path, text, match):
    path = write_toml(tmp_path, text)
    with pytest.raises(ConfigError, match=match) as info:
        read_config(path)
    assert str(path) in str(info.value)


def test_bundled_fallback_makes_districts_optional(tmp_path):
    cfg = read_config(
        write_toml(tmp_path, '[layers]\nfallback = "bundled"\n[companies]\npath = "c.csv"\n')
    )
    assert "districts" not in cfg.layers and cfg.fallback == "bundled"


def test_missing_file_and_non_utf8(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        read_config(tmp_path / "nope.toml")
    path = tmp_path / "areas.toml"
    path.write_bytes('[districts]\npath = "Ærø.gpkg"\n'.encode("cp1252"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        read_config(path)


def test_parse_config_from_mapping():
    cfg = parse_config({"districts": {"path": "x.gpkg"}}, base_dir="/data")
    assert cfg.path is None and cfg.layers["districts"].path == Path("/data/x.gpkg")
    with pytest.raises(ConfigError, match="must be a mapping"):
        parse_config(["districts"], base_dir=".")


def test_parse_layer_table_and_dates_as_constants():
    import datetime as dt

    layer = parse_layer_table(
        "bids", {"path": "b.gpkg", "constants": {"start": dt.date(2021, 5, 1)}}, base_dir="/"
    )
    assert layer.constants == {"start": dt.date(2021, 5, 1)}


def test_check_crs():
    assert check_crs("EPSG:4326") == "EPSG:4326"
    assert check_crs(25832) == "EPSG:25832"
    with pytest.raises(ConfigError, match="`crs` must be a CRS"):
        check_crs(3.5)
    assert FALLBACKS == ("empty", "bundled")
