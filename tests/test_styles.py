"""Styles in results.gpkg: layer_styles, aliases and metadata; QGIS draws them.

The QGIS half runs in Debian's python3-qgis (a separate interpreter, see
:mod:`areas.qgis.host`), headless (``QT_QPA_PLATFORM=offscreen``).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pyogrio
import pytest
from conftest import require_or_skip

import areas
from areas.load._readers import file_sha256
from areas.output.export import gpkg_layer_counts
from areas.output.i18n import column_label, status_label
from areas.output.styles import STYLED_LAYERS, layer_styles, write_gpkg_styles

AS_OF = "2026-01-01"


@pytest.fixture(scope="module")
def report_gpkg(tmp_path_factory) -> Path:
    """results.gpkg of ``areas report`` on the bundled layers (styled by the report)."""
    from areas.cli import main

    out = tmp_path_factory.mktemp("report") / "rapport"
    args = ["report", "--as-of", AS_OF, "--lang", "da", "--quiet", "--out", str(out)]
    assert main(args) == 0
    return out / "results.gpkg"


@pytest.fixture
def styled(report_gpkg, tmp_path) -> Path:
    path = tmp_path / "results.gpkg"
    shutil.copy(report_gpkg, path)
    write_gpkg_styles(
        path, lang="da", as_of=AS_OF, scenario={"include": [], "distance": "straight"}
    )
    return path


def _rows(path: Path, sql: str, args=()) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def test_every_style_is_wellformed_xml_in_both_languages():
    for layer in (*STYLED_LAYERS, "some_other_layer"):
        for lang in ("en", "da"):
            for style in layer_styles(layer, lang, columns=["fid", "status", "name"]):
                qml = ET.fromstring(style.qml.split("\n", 1)[1])
                assert qml.tag == "qgis"
                assert qml.find("renderer-v2").get("type") == "RuleRenderer"
                sld = ET.fromstring(style.sld.split("\n", 1)[1])
                assert sld.tag.endswith("StyledLayerDescriptor")


def test_danish_styles_have_no_english_legend_words():
    da = layer_styles("districts", "da")[0].qml
    en = layer_styles("districts", "en")[0].qml
    assert 'label="opgivet"' in da and 'label="withdrawn"' not in da
    assert 'label="withdrawn"' in en
    stops = layer_styles("stops_in_service", "da")[0].qml
    assert 'label="letbane"' in stops and 'label="i drift"' in stops
    assert "light rail" not in stops and "in service" not in stops


@pytest.mark.slow
def test_the_report_geopackage_is_styled_and_has_no_merge_leftovers(report_gpkg):
    counts = gpkg_layer_counts(report_gpkg)
    layers = {k for k in counts if k != "layer_styles"}
    assert layers == set(STYLED_LAYERS)
    rows = _rows(report_gpkg, "SELECT f_table_name, styleQML, useAsDefault FROM layer_styles")
    assert {r[0] for r in rows if r[2] == 1 and r[1].startswith("<!DOCTYPE qgis")} == layers
    for layer in layers:
        columns = [r[1] for r in _rows(report_gpkg, f'PRAGMA table_info("{layer}")')]
        assert not [c for c in columns if c.endswith(("_x", "_y"))], layer
    # dates are GeoPackage DATEs, counts INTEGERs
    types = {
        (layer, r[1]): r[2]
        for layer in layers
        for r in _rows(report_gpkg, f'PRAGMA table_info("{layer}")')
    }
    for key in (
        ("stops_in_service", "opens"),
        ("active_bids", "start"),
        ("rewilding_plots", "established"),
    ):
        assert types[key] == "DATE", key
    for key in (
        ("districts", "rail_core_employees"),
        ("districts", "rail_beyond_employees"),
        ("active_bids", "members"),
        ("active_bids", "invited"),
        ("companies", "employees"),
    ):
        assert types[key] == "INTEGER", key
    # the BID layer's figures are the summary's: members counted, the layer's as reported
    bids = pyogrio.read_dataframe(report_gpkg, layer="active_bids")
    summary = areas.summarize(areas.load(), as_of=AS_OF).bid.bids.set_index("bid_id")
    for _, row in bids.iterrows():
        assert row["members"] == summary.loc[row["bid_id"], "members"]
    # the run is recorded in the file
    meta = pyogrio.read_info(report_gpkg, layer="districts")["dataset_metadata"]
    assert meta["AS_OF"] == AS_OF and meta["TOOLKIT_VERSION"] == areas.__version__
    assert json.loads(meta["SCENARIO"])["as_of"] == AS_OF
    # provenance hashes the styled file
    prov = json.loads((report_gpkg.parent / "provenance.json").read_text(encoding="utf-8"))
    (entry,) = [f for f in prov["files"] if f["path"] == "results.gpkg"]  # listed once
    assert entry["sha256"] == file_sha256(report_gpkg)


@pytest.mark.slow
def test_layer_styles_table_has_a_default_qml_for_every_layer(styled, report_gpkg):
    layers = {k for k in gpkg_layer_counts(report_gpkg) if k != "layer_styles"}
    rows = _rows(
        styled,
        "SELECT f_table_name, f_geometry_column, styleName, styleQML, styleSLD, useAsDefault "
        "FROM layer_styles",
    )
    defaults = {r[0] for r in rows if r[5] == 1}
    assert defaults == layers
    for _name, geom, _, qml, sld, _ in rows:
        assert geom == "geom" and qml.startswith("<!DOCTYPE qgis") and "<se:Rule>" in sld
    # the companies layer also carries the BID-membership style, not as default
    assert sorted(r[5] for r in rows if r[0] == "companies") == [0, 1]
    # the layers themselves are untouched and layer_styles is an attribute table
    counts = gpkg_layer_counts(styled)
    assert counts == gpkg_layer_counts(report_gpkg)
    assert counts["layer_styles"] == len(rows)


@pytest.mark.slow
def test_aliases_and_metadata_are_written_and_read_back_by_gdal(styled):
    aliases = dict(
        _rows(
            styled,
            "SELECT column_name, name FROM gpkg_data_columns WHERE table_name = 'districts'",
        )
    )
    assert aliases["area_ha"] == column_label("area_ha", "da") == "Areal (ha)"
    assert aliases["rail_600m_companies_share"] == column_label("rail_600m_companies_share", "da")
    info = pyogrio.read_info(styled, layer="districts")
    assert info["dataset_metadata"]["AS_OF"] == AS_OF
    assert info["dataset_metadata"]["TOOLKIT_VERSION"] == areas.__version__
    assert json.loads(info["dataset_metadata"]["SCENARIO"])["distance"] == "straight"
    assert info["layer_metadata"]["TITLE"] == "Erhvervsområder"
    # a second run replaces its rows instead of adding to them
    before = _rows(styled, "SELECT count(*) FROM layer_styles")[0][0]
    write_gpkg_styles(styled, lang="en", as_of="2025-10-25")
    assert _rows(styled, "SELECT count(*) FROM layer_styles")[0][0] == before
    assert _rows(styled, "SELECT count(*) FROM gpkg_metadata")[0][0] == 1 + len(STYLED_LAYERS)
    assert pyogrio.read_info(styled, layer="districts")["dataset_metadata"]["AS_OF"] == "2025-10-25"


def test_a_missing_geopackage_is_a_clear_error(tmp_path):
    with pytest.raises(areas.errors.OutputError, match="does not exist"):
        write_gpkg_styles(tmp_path / "nothing.gpkg")


# ------------------------------------------------------------------------- in QGIS

_QGIS_SCRIPT = r"""
import json, sys
from qgis.core import (QgsApplication, QgsVectorLayer, QgsRenderContext, QgsMapSettings,
                       QgsMapRendererParallelJob, QgsRectangle, QgsPointXY)
from qgis.PyQt.QtCore import QSize, Qt
from qgis.PyQt.QtGui import QColor
app = QgsApplication([], False)
app.initQgis()
path, png, sld_path = sys.argv[1], sys.argv[2], sys.argv[3]
out = {"layers": {}}
layers = {}
for name in ("districts", "companies", "stops_in_service", "active_bids", "rewilding_plots",
             "station_zones", "station_circles"):
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    layers[name] = layer
    r = layer.renderer()
    out["layers"][name] = {
        "valid": layer.isValid(),
        "features": layer.featureCount(),
        "renderer": r.type() if r else None,
        "legend": [i.label() for i in r.legendSymbolItems()] if r else [],
        "aliases": {f.name(): f.alias() for f in layer.fields()},
        "styles": layer.listStylesInDatabase()[2] if layer.isValid() else [],
    }
d = layers["districts"]
ctx = QgsRenderContext()
r = d.renderer().clone()
r.startRender(ctx, d.fields())
symbols = {}
for f in d.getFeatures():
    syms = r.symbolsForFeature(f, ctx)
    s = syms[0].symbolLayer(0)
    symbols[f["district_id"]] = {
        "status": f["status"], "fill": s.fillColor().name(), "stroke": s.strokeColor().name(),
        "dash": int(s.strokeStyle()) == int(Qt.DashLine), "n": len(syms)}
r.stopRender(ctx)
out["district_symbols"] = symbols
# firms: the default style colours by band
c = layers["companies"]
r = c.renderer().clone()
r.startRender(ctx, c.fields())
bands = {}
for f in c.getFeatures():
    syms = r.symbolsForFeature(f, ctx)
    bands.setdefault(str(f["rail_band"]), set()).add(syms[0].color().name() if syms else None)
r.stopRender(ctx)
out["band_colors"] = {k: sorted(v) for k, v in bands.items()}
# SLD read by QGIS
probe = QgsVectorLayer(f"{path}|layername=districts", "sld", "ogr")
msg, ok = probe.loadSldStyle(sld_path)
out["sld"] = {"ok": ok, "msg": msg, "renderer": probe.renderer().type(),
              "rules": [x.label() for x in probe.renderer().legendSymbolItems()]}
# render the districts and sample the fill inside each one
settings = QgsMapSettings()
settings.setLayers([layers[n] for n in ("stops_in_service", "companies", "rewilding_plots",
                                        "active_bids", "districts")])
settings.setDestinationCrs(d.crs())
extent = d.extent()
extent.grow(300)
settings.setExtent(extent)
settings.setOutputSize(QSize(1200, 1000))
settings.setBackgroundColor(QColor(255, 255, 255))
job = QgsMapRendererParallelJob(settings)
job.start()
job.waitForFinished()
image = job.renderedImage()
image.save(png)
only = QgsMapSettings(settings)
only.setLayers([d])
job = QgsMapRendererParallelJob(only)
job.start()
job.waitForFinished()
img = job.renderedImage()
m2p = only.mapToPixel()
pixels = {}
for f in d.getFeatures():
    p = f.geometry().pointOnSurface().asPoint()
    px = m2p.transform(QgsPointXY(p))
    col = QColor(img.pixel(int(px.x()), int(px.y())))
    pixels[f["district_id"]] = [col.red(), col.green(), col.blue()]
out["pixels"] = pixels
# every bundled stop (all statuses) under the stops' style
stops = QgsVectorLayer(f"{sys.argv[4]}|layername=stops_in_service", "all", "ogr")
r = stops.renderer().clone()
r.startRender(ctx, stops.fields())
drawn = {}
for f in stops.getFeatures():
    syms = r.symbolsForFeature(f, ctx)
    s = syms[0].symbolLayer(0) if syms else None
    drawn[f["stop_id"]] = None if s is None else {
        "fill": s.fillColor().name(), "stroke": s.strokeColor().name(),
        "dash": int(s.strokeStyle()) == int(Qt.DashLine), "n": len(syms)}
r.stopRender(ctx)
out["stops"] = drawn
print("RESULT" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def qgis_python() -> str:
    from areas.qgis.host import qgis_python

    found = qgis_python()
    if found is None:
        require_or_skip("no Python imports qgis.core (apt-get install python3-qgis)")
    return found


@pytest.fixture(scope="module")
def in_qgis(report_gpkg, qgis_python, tmp_path_factory, artifacts_dir) -> dict:
    """Return what QGIS sees in the styled results.gpkg (one QGIS run for every check)."""
    from areas.qgis.host import run_in_qgis

    tmp = tmp_path_factory.mktemp("qgis")
    path = tmp / "results.gpkg"
    shutil.copy(report_gpkg, path)  # as `areas report` styled it
    sld = tmp / "districts.sld"
    sld.write_text(layer_styles("districts", "da")[0].sld, encoding="utf-8")
    script = tmp / "probe.py"
    script.write_text(_QGIS_SCRIPT, encoding="utf-8")
    png = artifacts_dir / "qgis-results.png"
    env = {**os.environ, "QGIS_CUSTOM_CONFIG_PATH": str(tmp / "profile")}
    every_stop = tmp / "all_stops.gpkg"
    areas.load().stops.to_file(every_stop, layer="stops_in_service", driver="GPKG")
    write_gpkg_styles(every_stop, lang="en", as_of=AS_OF)
    done = run_in_qgis(
        script, str(path), str(png), str(sld), str(every_stop), python=qgis_python, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT"))
    return json.loads(line[len("RESULT") :])


@pytest.mark.slow
def test_qgis_loads_every_layer_valid_with_its_default_style(in_qgis, report_gpkg):
    counts = gpkg_layer_counts(report_gpkg)
    assert set(in_qgis["layers"]) == {k for k in counts if k != "layer_styles"}
    for name, info in in_qgis["layers"].items():
        assert info["valid"], name
        assert info["features"] == counts[name]
        assert info["renderer"] == "RuleRenderer", name  # ours, not a random single symbol
        assert info["styles"], name
    legend = in_qgis["layers"]["districts"]["legend"]
    assert legend == [status_label(s, "da") for s in ("existing", "planned", "study", "withdrawn")]
    assert "Letbane" not in in_qgis["layers"]["stops_in_service"]["legend"]
    assert "letbane" in in_qgis["layers"]["stops_in_service"]["legend"]


@pytest.mark.slow
def test_qgis_shows_the_danish_aliases(in_qgis):
    aliases = in_qgis["layers"]["districts"]["aliases"]
    assert aliases["area_ha"] == column_label("area_ha", "da")
    assert aliases["status"] == column_label("status", "da")
    firms = in_qgis["layers"]["companies"]["aliases"]
    assert firms["rail_band"] == column_label("rail_band", "da")


@pytest.mark.slow
def test_withdrawn_and_existing_districts_get_different_symbols(in_qgis):
    symbols = in_qgis["district_symbols"]
    withdrawn = [v for v in symbols.values() if v["status"] == "withdrawn"]
    existing = [v for v in symbols.values() if v["status"] == "existing"]
    assert withdrawn and existing
    for w in withdrawn:
        assert w["n"] == 1 and w["dash"] and w["stroke"] == "#7d7d7d"
    for e in existing:
        assert e["n"] == 1 and not e["dash"] and e["stroke"] == "#24466f"
    # and on the rendered image: grey inside Holmene, blue inside an existing district
    pix = in_qgis["pixels"]
    r, g, b = pix["holmene"]
    assert abs(r - b) <= 3 and r < 255
    r, g, b = pix["hersted-industripark"]
    assert b - r >= 10


@pytest.mark.slow
def test_firms_are_coloured_by_band(in_qgis):
    from areas.output.maps.styles import BAND_COLORS

    colors = in_qgis["band_colors"]  # as QGIS draws them: the web map's colours
    assert colors["core"] == [BAND_COLORS["core"]]
    assert colors["station_near"] == [BAND_COLORS["station_near"]]
    assert len({c[0] for c in colors.values()}) == len(colors)


@pytest.mark.slow
def test_qgis_reads_the_sld(in_qgis):
    sld = in_qgis["sld"]
    assert sld["ok"], sld["msg"]
    statuses = ("existing", "planned", "study", "withdrawn")
    assert sld["rules"] == [status_label(s, "da") for s in statuses]


@pytest.mark.slow
def test_stops_are_filled_in_service_hollow_planned_dashed_under_study(in_qgis):
    from areas.output.maps.styles import MODE_COLORS
    from areas.scenario import stops_in_service

    stops = areas.load().stops
    in_service = stops_in_service(stops, AS_OF, ())
    seen = set()
    for (_, stop), counted in zip(stops.iterrows(), in_service, strict=True):
        drawn = in_qgis["stops"][stop["stop_id"]]
        color = MODE_COLORS[stop["mode"]]
        if stop["status"] == "withdrawn":
            assert drawn is None  # not drawn: it never counts
            continue
        assert drawn is not None and drawn["n"] == 1, stop["stop_id"]
        if counted:
            state = "in_service"
            assert drawn["fill"] == color and not drawn["dash"]
        elif stop["status"] in ("planned", "existing"):  # existing: opens after AS_OF
            state = "planned"
            assert drawn["fill"] == "#ffffff" and drawn["stroke"] == color and not drawn["dash"]
        else:
            state = "study"
            assert drawn["stroke"] == color and drawn["dash"]
        seen.add(state)
    assert seen == {"in_service", "planned", "study"}  # the bundled stops have all three
