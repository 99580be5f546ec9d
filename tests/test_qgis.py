"""The ``areas`` Processing provider and plugin, run in headless QGIS.

Every QGIS check runs in one process of Debian's python3-qgis (see
:mod:`areas.qgis.host`); its answers are compared here with the toolkit's
own results computed in this interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import require_or_skip

import areas
import areas.qgis
from areas.output.i18n import band_label

AS_OF = "2026-01-01"

_SCRIPT = r"""
import json, sys, traceback
from qgis.core import QgsApplication
app = QgsApplication([], False)
app.initQgis()
from processing.core.Processing import Processing
Processing.initialize()
import processing
import qgis.utils
tmp, plugin_dir = sys.argv[1], sys.argv[2]
out = {}

# the plugin, installed from its zip into a plugin folder
sys.path.insert(0, plugin_dir)
qgis.utils.plugin_paths.insert(0, plugin_dir)
found = dict(qgis.utils.findPlugins(plugin_dir))
meta = found["areas_processing"]
out["metadata"] = {k: meta.get("general", k) for k in ("name", "version", "hasProcessingProvider")}
out["plugin_loaded"] = qgis.utils.loadPlugin("areas_processing")
out["plugin_started"] = qgis.utils.startProcessingPlugin("areas_processing")
registry = QgsApplication.processingRegistry()
provider = registry.providerById("areas")
out["provider"] = provider.id() if provider else None
out["algorithms"] = sorted(a.id() for a in provider.algorithms()) if provider else []

def run(name, params):
    try:
        return {"ok": processing.run(name, params)}
    except Exception as exc:
        return {"error": str(exc), "type": type(exc).__name__}

out["summary"] = run("areas:summary", {"SOURCE": "", "AS_OF": "2026-01-01",
                                       "OUTPUT": f"{tmp}/summary.csv"})
out["summary_full"] = run("areas:summary", {"AS_OF": "2026-01-01", "DISTANCE": "walk",
                                            "INCLUDE": ["planned", "study"],
                                            "OUTPUT": f"{tmp}/summary_full.csv"})
out["summary_gpkg_source"] = run("areas:summary", {"SOURCE": f"{tmp}/layers.gpkg",
                                                   "AS_OF": "2026-01-01",
                                                   "OUTPUT": f"{tmp}/summary_gpkg.csv"})
out["missing"] = run("areas:summary", {"SOURCE": f"{tmp}/missing.gpkg",
                                       "OUTPUT": f"{tmp}/x.csv"})
out["bad_date"] = run("areas:summary", {"AS_OF": "not a date", "OUTPUT": f"{tmp}/y.csv"})
out["fingerplan"] = run("areas:fingerplan", {"AS_OF": "2026-01-01", "LANG": "da",
                                             "OUTPUT": f"{tmp}/fingerplan.gpkg"})
out["report"] = run("areas:report", {"AS_OF": "2026-01-01", "LANG": "da",
                                     "OUTPUT_FOLDER": f"{tmp}/report"})
out["report_public"] = run("areas:report", {"AS_OF": "2026-01-01", "PUBLIC": True,
                                            "OUTPUT_FOLDER": f"{tmp}/report_public"})
print("RESULT" + json.dumps(out, default=str))
"""


@pytest.fixture(scope="module")
def qgis_python() -> str:
    from areas.qgis.host import qgis_python

    found = qgis_python()
    if found is None:
        require_or_skip("no Python imports qgis.core (apt-get install python3-qgis)")
    return found


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("qgis-processing")


@pytest.fixture(scope="module")
def in_qgis(qgis_python, work) -> dict:
    """Install the plugin from its zip and run every algorithm in QGIS."""
    from areas.qgis.host import run_in_qgis

    atlas = areas.load()
    for kind in ("districts", "bids", "rewilding", "stops", "companies"):
        layer = getattr(atlas, kind)
        layer.to_file(work / "layers.gpkg", layer=kind, driver="GPKG")
    plugins = work / "plugins"
    zipfile.ZipFile(areas.qgis.write_plugin_zip(work / "areas_processing.zip")).extractall(plugins)
    script = work / "run.py"
    script.write_text(_SCRIPT, encoding="utf-8")
    done = run_in_qgis(
        script, str(work), str(plugins), python=qgis_python, env=_qgis_env(work / "profile")
    )
    assert done.returncode == 0, done.stderr[-4000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT"))
    return json.loads(line[len("RESULT") :])


def _qgis_env(profile) -> dict[str, str]:
    """Environment with a throw-away QGIS profile folder (nothing written to the home)."""
    return {**os.environ, "QGIS_CUSTOM_CONFIG_PATH": str(profile)}


def _compare(csv_path, expected: pd.DataFrame) -> None:
    got = pd.read_csv(csv_path, dtype={"district_id": str})
    expected = expected.reset_index(drop=True)
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected)
    for column in expected.columns:
        want = expected[column]
        if pd.api.types.is_numeric_dtype(want) and not pd.api.types.is_bool_dtype(want):
            np.testing.assert_allclose(
                got[column].to_numpy(float), want.to_numpy(float, na_value=np.nan), rtol=1e-9
            )
        else:
            assert got[column].fillna("").astype(str).tolist() == (
                want.astype(object).where(want.notna(), "").astype(str).tolist()
            ), column


def test_provider_needs_qgis_and_says_so():
    with pytest.raises(ImportError, match="needs QGIS"):
        areas.qgis.provider()


def test_plugin_zip_holds_the_plugin(tmp_path):
    path = areas.qgis.write_plugin_zip(tmp_path / "plugin.zip")
    names = zipfile.ZipFile(path).namelist()
    assert sorted(names) == ["areas_processing/__init__.py", "areas_processing/metadata.txt"]
    meta = zipfile.ZipFile(path).read("areas_processing/metadata.txt").decode()
    assert f"version={areas.__version__}" in meta
    done = subprocess.run(
        [sys.executable, "-m", "areas.qgis", "zip", str(tmp_path / "cli.zip")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert zipfile.ZipFile(tmp_path / "cli.zip").namelist() == names
    done = subprocess.run(
        [sys.executable, "-m", "areas", "qgis-plugin", "--out", str(tmp_path / "areas.zip")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert str(tmp_path / "areas.zip") in done.stdout
    for name in names:
        assert zipfile.ZipFile(tmp_path / "areas.zip").read(name) == zipfile.ZipFile(path).read(
            name
        )


@pytest.mark.slow
def test_plugin_installs_and_registers_the_provider(in_qgis):
    assert in_qgis["metadata"] == {
        "name": "areas",
        "version": areas.__version__,
        "hasProcessingProvider": "yes",
    }
    assert in_qgis["plugin_loaded"] and in_qgis["plugin_started"]
    assert in_qgis["provider"] == "areas"
    assert in_qgis["algorithms"] == ["areas:fingerplan", "areas:report", "areas:summary"]


@pytest.mark.slow
def test_summary_in_qgis_equals_the_python_summary(in_qgis, work):
    assert "ok" in in_qgis["summary"], in_qgis["summary"]
    atlas = areas.load()
    _compare(work / "summary.csv", areas.summarize(atlas, as_of=AS_OF, distance="straight").table)
    assert "ok" in in_qgis["summary_full"], in_qgis["summary_full"]
    full = areas.summarize(atlas, as_of=AS_OF, include=("planned", "study"), distance="walk")
    _compare(work / "summary_full.csv", full.table)
    assert "ok" in in_qgis["summary_gpkg_source"], in_qgis["summary_gpkg_source"]
    from_file = areas.summarize(areas.load(work / "layers.gpkg"), as_of=AS_OF, distance="straight")
    _compare(work / "summary_gpkg.csv", from_file.table)


@pytest.mark.slow
def test_errors_reach_qgis_as_the_cli_prints_them(in_qgis, work):
    for key, args in (
        ("missing", ["summary", "--layers", str(work / "missing.gpkg")]),
        ("bad_date", ["summary", "--as-of", "not a date"]),
    ):
        cli = subprocess.run(
            [sys.executable, "-m", "areas", *args], capture_output=True, text=True, check=False
        )
        assert cli.returncode == 2
        message = cli.stderr.strip().splitlines()[-1]
        assert message.startswith("areas: error: ")
        assert in_qgis[key]["type"] == "QgsProcessingException"
        assert in_qgis[key]["error"].strip() == message


@pytest.mark.slow
def test_fingerplan_layer_carries_the_summary_band_per_firm(in_qgis, work):
    assert "ok" in in_qgis["fingerplan"], in_qgis["fingerplan"]
    layer = gpd.read_file(work / "fingerplan.gpkg")
    atlas = areas.load()
    transit = areas.summarize(atlas, as_of=AS_OF, distance="straight").transit.companies
    assert len(layer) == len(atlas.companies)
    assert layer.crs.to_epsg() == 25832
    want = transit.set_index(transit["company_id"].astype(str))["rail_band"]
    got = layer.set_index("company_id")["rail_band"]
    assert got.sort_index().fillna("").tolist() == want.sort_index().fillna("").tolist()
    assert set(layer["verdict"]) <= {band_label(b, "da") for b in (*want.unique(), None)}
    np.testing.assert_allclose(
        layer.geometry.x.to_numpy(),
        atlas.companies.set_index("company_id").loc[layer["company_id"]].geometry.x.to_numpy(),
    )


@pytest.mark.slow
def test_report_in_qgis(in_qgis, work):
    assert "ok" in in_qgis["report"], in_qgis["report"]
    assert (work / "report" / "index.html").is_file()
    assert (work / "report" / "results.gpkg").is_file()
    import inspect

    if "public" in inspect.signature(areas.write_report).parameters:
        assert "ok" in in_qgis["report_public"]
    else:
        error = in_qgis["report_public"]["error"]
        assert error.startswith("areas: error: PUBLIC:") and "cannot write a public" in error
        assert not (work / "report_public").exists() or not any((work / "report_public").iterdir())
