"""Every firm is accounted for, on every input that loads.

For each case of the bad-input corpus that the loader accepts (repairs,
exclusions, guessed encodings, boundary firms, different CRSs; see
``tests/test_corpus_cli.py``), and for a few layers built here to mix every
reason a firm can be left out, the summary and the report must state::

    firms in = in a district + outside every district + excluded

with ``firms in`` the number of rows of the source file (counted here without
the loader), the excluded firms and their reasons exactly those of
``atlas.sources["companies"].excluded``, the per-district ``companies`` adding
up to the firms in a district, and the report's ``provenance.json`` and every
page saying the same.
"""

from __future__ import annotations

import csv
import html
import json
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from builders import (
    CASES,
    FALLBACK,
    HOLME_X0,
    HOLME_Y0,
    URN_25832,
    built,
    check_summary,
    district_props,
    feature,
    ring,
    write_geojson,
)
from shapely.geometry import Point

import areas
from areas.atlas import Atlas
from areas.errors import AreasWarning
from areas.output.report.write import REPORT_LABELS, write_report
from areas.schema import KINDS, WORK_CRS

X0, Y0 = HOLME_X0, HOLME_Y0  # Avedøre Holme, EPSG:25832
USABLE = [c for c in CASES if c.outcome != "error"]
COMPANY_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".csv", ".fgb")


# --------------------------------------------------------------------------- counting


def rows_in_file(path: Path) -> int:
    """Count the features of a companies file without the toolkit's loader."""
    if path.suffix == ".csv":
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("latin-1")
        lines = text.splitlines()
        dialect = csv.Sniffer().sniff(lines[0], delimiters=";,")
        return sum(1 for row in csv.reader(lines[1:], dialect) if any(row))
    if path.suffix in (".geojson", ".json"):
        return len(json.loads(path.read_text(encoding="utf-8"))["features"])
    return int(pyogrio.read_info(path)["features"])


def companies_file(folder: Path) -> Path | None:
    found = [p for p in folder.iterdir() if p.stem == "companies" and p.suffix in COMPANY_SUFFIXES]
    assert len(found) <= 1
    return found[0] if found else None


def load_quietly(source, **kwargs) -> Atlas:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AreasWarning)
        return areas.load(source, **kwargs)


def reconciliation_line(rec: dict, lang: str) -> str:
    """Return the line every page must carry, formatted here from the numbers."""
    return REPORT_LABELS[lang]["reconciliation"].format(
        companies_in=rec["companies_in"],
        assigned=rec["assigned"],
        outside=rec["outside"],
        excluded=rec["excluded"],
    )


# --------------------------------------------------------------------------- the checks


def check_report(atlas: Atlas, summary, out: Path, lang: str) -> None:
    """Write the report and check that provenance.json and every page reconcile."""
    result = write_report(atlas, out, as_of="2026-01-01", lang=lang, progress=False)
    rec = summary.reconciliation
    prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert prov["reconciles"] is True
    for key in ("companies_in", "assigned", "outside", "excluded", "excluded_reasons"):
        assert prov["reconciliation"][key] == rec[key], key
    assert prov["reconciliation"]["excluded_firms"] == rec["excluded_firms"]
    inputs = {item["kind"]: item for item in prov["inputs"]}
    source = atlas.sources.get("companies")
    if source is not None:
        assert inputs["companies"]["excluded"] == [
            {"id": e.id, "reason": e.reason} for e in source.excluded
        ]
        assert inputs["companies"]["features_read"] == rec["companies_in"]
    line = html.escape(reconciliation_line(rec, lang), quote=False)
    pages = [result.index, *result.pages.values()]
    assert len(pages) == 1 + len(atlas.districts)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert line in text, page.name
        for firm in rec["excluded_firms"]:  # the exclusions table lists every firm left out
            assert f"<td>{html.escape(firm['id'])}</td>" in text, (page.name, firm)


# --------------------------------------------------------------------------- the corpus


@pytest.mark.slow
@pytest.mark.parametrize("case", USABLE, ids=[c.id for c in USABLE])
def test_corpus_case_reconciles(case, tmp_path):
    source = built(case, tmp_path)
    atlas = load_quietly(source, fallback=FALLBACK[1])
    folder = source if source.is_dir() else source.parent
    path = companies_file(folder)
    rows_in = rows_in_file(path) if path is not None else 0
    source_info = atlas.sources["companies"]
    assert source_info.features_read == rows_in and source_info.reconciles()
    summary = check_summary(atlas, rows_in)
    lang = "da" if USABLE.index(case) % 2 else "en"
    check_report(atlas, summary, tmp_path / "report", lang)


def test_the_corpus_exercises_exclusions_and_boundaries():
    """The corpus holds firms left out, on a boundary and outside, so the sums are tested."""
    ids = {c.id for c in USABLE}
    assert {"zero_and_blank_points_csv", "null_geometry_firm", "firm_on_shared_boundary"} <= ids


# --------------------------------------------------------------------------- every reason at once


def _firm(i, geometry, **props):
    return feature({"company_id": i, "name": f"Firma {i} ÆØÅ", **props}, geometry)


def _pt(x, y):
    return {"type": "Point", "coordinates": [x, y]}


@pytest.fixture
def mixed_folder(tmp_path):
    """Districts d1 | d2 sharing an edge, and firms of every kind.

    inside d1: 0001, 0002 (same point: two firms in one building, both counted);
    on the d1/d2 edge: 0003 (to d1); inside d2: 0004; outside: 0005;
    excluded: 0006 (no geometry), 0007 (empty point), 0008 (at (0, 0) in a GeoJSON
    whose CRS is EPSG:25832: a failed geocoding gives (0, 0) whatever the CRS).
    """
    dists = [
        feature(district_props(1), {"type": "Polygon", "coordinates": [ring(X0, Y0, 1000)]}),
        feature(district_props(2), {"type": "Polygon", "coordinates": [ring(X0 + 1000, Y0, 1000)]}),
    ]
    write_geojson(dists, tmp_path / "districts.geojson", crs=URN_25832)
    firms = [
        _firm("0001", _pt(X0 + 100, Y0 + 100), employees=5),
        _firm("0002", _pt(X0 + 100, Y0 + 100), employees=7),
        _firm("0003", _pt(X0 + 1000, Y0 + 500), employees=1),
        _firm("0004", _pt(X0 + 1500, Y0 + 500)),
        _firm("0005", _pt(X0 + 5000, Y0 + 5000)),
        _firm("0006", None),
        _firm("0007", {"type": "Point", "coordinates": []}),
        _firm("0008", _pt(0, 0)),
    ]
    write_geojson(firms, tmp_path / "companies.geojson", crs=URN_25832)
    return tmp_path


def test_every_reason_at_once(mixed_folder, tmp_path):
    with pytest.warns(AreasWarning) as record:
        atlas = areas.load(mixed_folder, fallback="empty")
    warned = " ".join(str(w.message) for w in record)
    source = atlas.sources["companies"]
    excluded = {e.id: e.reason for e in source.excluded}
    assert set(excluded) == {"0006", "0007", "0008"}
    assert all(i in warned for i in excluded)
    summary = check_summary(atlas, rows_in=8)
    rec = summary.reconciliation
    assert (rec["companies_in"], rec["assigned"], rec["outside"], rec["excluded"]) == (8, 4, 1, 3)
    assert rec["boundary"] == 1
    table = summary.table.set_index("district_id")
    assert table.loc["d1", "companies"] == 3 and table.loc["d2", "companies"] == 1
    assert table.loc["d1", "employees"] == 13
    check_report(atlas, summary, tmp_path / "report", "en")


def test_every_reason_through_the_command_line(mixed_folder, capsys):
    from areas.cli import main

    assert main(["summary", "--layers", str(mixed_folder), *FALLBACK]) == 0
    out, err = capsys.readouterr()
    assert "Firms in: 8 = assigned 4 + outside every district 1 + excluded 3" in out
    for i in ("0006", "0007", "0008"):
        assert i in err
    assert main(["summary", "--layers", str(mixed_folder), "--format", "json", *FALLBACK]) == 0
    rec = json.loads(capsys.readouterr().out)["reconciliation"]
    assert [f["id"] for f in rec["excluded_firms"]] == ["0006", "0007", "0008"]


def test_a_report_on_some_districts_still_counts_every_firm(mixed_folder, tmp_path):
    """A report on d2 alone: its page shows the reconciliation of all firms read."""
    atlas = load_quietly(mixed_folder, fallback="empty")
    result = write_report(
        atlas, tmp_path / "r", districts=["d2"], as_of="2026-01-01", progress=False
    )
    rec = result.summary.reconciliation
    assert rec["companies_in"] == 8
    line = reconciliation_line(rec, "en")
    for page in (result.index, result.pages["d2"]):
        assert line in page.read_text(encoding="utf-8")
    with open(tmp_path / "r" / "companies.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["company_id"] for r in rows] == ["0004"]


# --------------------------------------------------------------------------- made by hand


def _hand_atlas() -> Atlas:
    """Return an atlas built in memory where firm ``b`` has no geometry."""

    def layer(kind, data, geometry):
        frame = gpd.GeoDataFrame(data, geometry=geometry, crs=WORK_CRS)
        for col in KINDS[kind].columns:
            if col not in frame.columns:
                frame[col] = pd.Series([None] * len(frame), dtype=object)
        for col in KINDS[kind].dates:
            frame[col] = pd.to_datetime(frame[col])
        for col in KINDS[kind].integers:
            frame[col] = pd.array(frame[col], dtype="Int64")
        for col in KINDS[kind].floats:
            frame[col] = pd.to_numeric(frame[col]).astype(float)
        for col in KINDS[kind].booleans:
            frame[col] = pd.array(frame[col], dtype="boolean")
        return frame

    district = layer(
        "districts",
        {
            "district_id": ["d1"],
            "name": ["Ø"],
            "municipality": ["Hvidovre"],
            "status": ["existing"],
        },
        [shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)],
    )
    empty = {
        kind: layer(kind, {c: [] for c in KINDS[kind].required}, [])
        for kind in ("bids", "rewilding", "stops")
    }
    firms = layer(
        "companies",
        {"company_id": ["a", "b", "c"], "name": ["A", "B", "C"]},
        [Point(X0 + 10, Y0 + 10), None, Point(X0 + 5000, Y0)],
    )
    return Atlas(districts=district, companies=firms, **empty)


def test_a_firm_without_geometry_in_a_hand_made_atlas():
    summary = check_summary(_hand_atlas(), rows_in=3)
    rec = summary.reconciliation
    assert (rec["assigned"], rec["outside"], rec["excluded"]) == (1, 1, 1)
    assert [f["id"] for f in rec["excluded_firms"]] == ["b"]


@pytest.mark.slow
def test_report_on_a_hand_made_atlas_with_a_firm_without_geometry(tmp_path):
    atlas = _hand_atlas()
    summary = check_summary(atlas, rows_in=3)
    check_report(atlas, summary, tmp_path / "report", "en")
