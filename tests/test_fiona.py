"""``engine="fiona"``: the same layers as pyogrio, and damaged files are errors, not fewer rows.

Each damaged file here is one that fiona on its own reads short without a
word (the test shows it does); through the loader it is a DamagedFileError.
"""

from __future__ import annotations

import json
import warnings

import fiona
import geopandas.testing
import pytest

import areas
from areas.errors import AreasWarning, ConfigError, DamagedFileError
from areas.load.pipeline import read_layer

KINDS = ("districts", "bids", "rewilding", "stops", "companies")


def test_the_bundled_layers_read_with_fiona_equal_pyogrio():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        by_fiona = areas.load(engine="fiona")
    by_pyogrio = areas.load()
    for kind in KINDS:
        geopandas.testing.assert_geodataframe_equal(
            getattr(by_fiona, kind), getattr(by_pyogrio, kind), check_dtype=True
        )
        assert by_fiona.sources[kind].to_dict() == by_pyogrio.sources[kind].to_dict()


def _firms(tmp_path, n=20):
    frame = areas.load().companies.head(n)[["company_id", "name", "employees", "geometry"]]
    return frame


def test_a_truncated_dbf_that_fiona_reads_short_is_an_error(tmp_path):
    path = tmp_path / "companies.shp"
    _firms(tmp_path).to_file(path)
    dbf = path.with_suffix(".dbf").read_bytes()
    header = int.from_bytes(dbf[8:10], "little")
    record = int.from_bytes(dbf[10:12], "little")
    path.with_suffix(".dbf").write_bytes(dbf[: header + 17 * record] + b"\x1a")
    with fiona.open(path) as collection:  # fiona alone: 17 rows, no error
        assert len(collection) == 20 and sum(1 for _ in collection) == 17
    with pytest.raises(DamagedFileError, match="says 20 records but holds 17"):
        read_layer(path, "companies", engine="fiona")


def test_a_geojson_feature_with_a_damaged_type_is_an_error(tmp_path):
    path = tmp_path / "companies.geojson"
    _firms(tmp_path, 8).to_file(path, driver="GeoJSON")
    text = path.read_text(encoding="utf-8")
    third = [i for i in range(len(text)) if text.startswith('"type": "Feature"', i)][2]
    path.write_text(text[:third] + '"tpye"' + text[third + len('"type"') :], encoding="utf-8")
    with fiona.open(path) as collection:  # fiona alone: 7 of the 8 features, no error
        assert sum(1 for _ in collection) == 7
    assert len(json.loads(path.read_text(encoding="utf-8"))["features"]) == 8
    with pytest.raises(DamagedFileError, match="holds 8 feature objects but only 7"):
        read_layer(path, "companies", engine="fiona")


@pytest.mark.parametrize("encoding", ["cp1252", "cp865"])
def test_the_encoding_checks_hold_for_fiona(tmp_path, encoding):
    names = ["Ærø Smedie ApS", "Søndergård & Co", "Åbyhøj Værksted"]
    frame = _firms(tmp_path, 3).assign(name=names)
    path = tmp_path / "companies.shp"
    frame.to_file(path, encoding=encoding)
    path.with_suffix(".cpg").unlink()
    with pytest.warns(AreasWarning, match=rf"no \.cpg .* read as {encoding}"):
        got, source = read_layer(path, "companies", engine="fiona")
    assert got["name"].tolist() == names and source.encoding == encoding
    # a .cpg that lies is refused, as with pyogrio
    path.with_suffix(".cpg").write_text("UTF-8")
    with pytest.raises(areas.errors.EncodingError, match="says UTF-8"):
        read_layer(path, "companies", engine="fiona")


def test_engine_in_areas_toml(tmp_path):
    path = tmp_path / "firms.geojson"
    _firms(tmp_path).to_file(path, driver="GeoJSON")
    toml = tmp_path / "areas.toml"
    body = '[layers]\nfallback = "bundled"\n\n[companies]\npath = "firms.geojson"\n'
    toml.write_text(body + 'engine = "fiona"\n', encoding="utf-8")
    assert len(areas.load(toml).companies) == 20
    toml.write_text(body + 'engine = "ogr"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="`engine` must be one of 'pyogrio', 'fiona'"):
        areas.load(toml)
    with pytest.raises(ConfigError, match="`engine` must be"):
        areas.load(engine="gdal")
