"""Tests of :func:`areas.output.report.write.write_report`: files, contents, safety and atomicity.

A hand-made atlas (three 1 km squares near Albertslund, a few firms and stops
whose distances are round numbers) checks the figures by hand; the bundled
layers check the full run, the GeoPackage through GDAL's own ``ogrinfo`` and
that a killed run never damages the previous report.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from builders import CRS, X0, XSS, tiny_atlas
from conftest import require_or_skip
from hypothesis import given, settings
from hypothesis import strategies as st

import areas
import areas._atomic as _atomic
import areas.output.report.pages as report_pages
from areas._atomic import TMP_PREFIX
from areas.errors import ConfigError, OutputError
from areas.output.report.write import (
    RESERVED_NAMES,
    district_slugs,
    recover,
    safe_slug,
    write_report,
)

REPO = Path(__file__).resolve().parent.parent
EXTERNAL = re.compile(r"https?://|(?:src|href)\s*=\s*[\"']?\s*//", re.IGNORECASE)


# --------------------------------------------------------------------------- shared checks


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(TMP_PREFIX))


def _own_pages(folder: Path) -> list[Path]:
    """Return the report's own HTML pages (not the Leaflet map files)."""
    return [
        p
        for p in folder.rglob("*.html")
        if not p.name.endswith(".map.html") and p.name != "map.html"
    ]


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _check_complete(folder: Path) -> None:
    """Assert ``folder`` is a whole report: every file listed in provenance.json, bytes intact."""
    prov = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    assert prov["generator"] == "areas"
    listed = {f["path"] for f in prov["files"]}
    present = set(_snapshot(folder)) - {"provenance.json"}
    assert listed == present
    for f in prov["files"]:
        assert hashlib.sha256((folder / f["path"]).read_bytes()).hexdigest() == f["sha256"], f[
            "path"
        ]


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny") / "rapport"
    result = write_report(
        tiny_atlas(), out, as_of="2026-01-01", compare_as_of="2025-01-01", lang="da", progress=False
    )
    return result


@pytest.fixture(scope="module")
def bundled_report(tmp_path_factory):
    import areas

    out = tmp_path_factory.mktemp("bundled") / "areas-report"
    return write_report(
        areas.load(), out, as_of="2026-01-01", compare_as_of="2025-06-01", progress=False
    )


# --------------------------------------------------------------------------- slugs


@pytest.mark.parametrize(
    ("district_id", "slug"),
    [
        ("hersted-industripark", "hersted-industripark"),
        ("Røde Vejrmølle", "roede-vejrmoelle"),
        ("Avedøre Holme", "avedoere-holme"),
        ("../../etc/passwd", "etc-passwd"),
        ("/abs/path", "abs-path"),
        ("C:\\Windows\\x", "c-windows-x"),
        ("..", "district"),
        ("", "district"),
        ("   ", "district"),
        ("CON", "con-district"),
        ("nul", "nul-district"),
        ("com1", "com1-district"),
        ("LPT9", "lpt9-district"),
        (".hidden", "hidden"),
        ("a" * 100, "a" * 60),
        (518, "518"),
    ],
)
def test_safe_slug(district_id, slug):
    assert safe_slug(district_id) == slug


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_safe_slug_never_leaves_the_folder(tmp_path_factory, text):
    slug = safe_slug(text)
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug)
    assert slug not in RESERVED_NAMES and len(slug) <= 60
    base = Path("/report/districts")
    assert (base / f"{slug}.html").resolve().parent == base
    assert (base / f"{slug}.map.html").resolve().parent == base


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="aAbB-_ ./æÆ", max_size=5), max_size=8))
def test_district_slugs_are_unique_even_ignoring_case(ids):
    slugs = district_slugs(ids)
    assert set(slugs) == {str(i) for i in ids}
    values = [s.lower() for s in slugs.values()]
    assert len(set(values)) == len(values)
    assert district_slugs(list(reversed(ids))) == slugs  # independent of order


# ----------------------------------------------------------------------- folder swap and recovery


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _fake_report(folder: Path, text: str) -> None:
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(text, encoding="utf-8")
    (folder / "provenance.json").write_text(json.dumps({"generator": "areas"}), encoding="utf-8")


def test_recover_restores_backup_and_removes_dead_runs_only(tmp_path):
    out = tmp_path / "rapport"
    dead, alive = _dead_pid(), os.getppid()
    backup = tmp_path / f"{TMP_PREFIX}rapport-old-{dead}-abcdefgh"
    _fake_report(backup, "previous")
    stale_new = tmp_path / f"{TMP_PREFIX}rapport-new-{dead}-ijklmnop"
    stale_new.mkdir()
    running = tmp_path / f"{TMP_PREFIX}rapport-new-{alive}-qrstuvwx"
    running.mkdir()
    other = tmp_path / f"{TMP_PREFIX}rapport2-new-{dead}-abcdefgh"  # another report's staging
    other.mkdir()
    lookalike = tmp_path / f"{TMP_PREFIX}rapport-new-{dead}-x"  # not our naming: left alone
    lookalike.mkdir()
    user = tmp_path / "rapport-old"
    user.mkdir()

    removed = recover(out)

    assert (out / "index.html").read_text(encoding="utf-8") == "previous"
    assert removed == [stale_new]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["rapport", running.name, other.name, lookalike.name, "rapport-old"]
    )


def test_recover_keeps_existing_report_and_drops_backup(tmp_path):
    out = tmp_path / "r"
    _fake_report(out, "current")
    backup = tmp_path / f"{TMP_PREFIX}r-old-{_dead_pid()}-abcdefgh"
    _fake_report(backup, "older")
    recover(out)
    assert (out / "index.html").read_text(encoding="utf-8") == "current"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_swap_into_place(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(_atomic, "_exchange", lambda a, b: False)
    out = tmp_path / "r"
    _fake_report(out, "old")
    staging = _atomic.new_staging_dir(tmp_path, "r", "new")
    (staging / "index.html").write_text("new", encoding="utf-8")
    _atomic.swap_into_place(staging, out)
    assert (out / "index.html").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_exchange_swaps_in_one_step(tmp_path):
    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2(RENAME_EXCHANGE) is Linux only")
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("a")
    (b / "x").write_text("b")
    if not _atomic._exchange(a, b):
        pytest.skip("the file system does not support RENAME_EXCHANGE")
    assert (a / "x").read_text() == "b" and (b / "x").read_text() == "a"


def test_refuses_to_replace_a_folder_that_is_not_a_report(tmp_path):
    out = tmp_path / "Documents"
    out.mkdir()
    (out / "budget.xlsx").write_bytes(b"important")
    with pytest.raises(OutputError, match="not a report written by areas"):
        write_report(tiny_atlas(), out, as_of="2026-01-01", progress=False)
    assert (out / "budget.xlsx").read_bytes() == b"important"
    assert _leftovers(tmp_path) == []


def test_refuses_a_file_as_out_dir(tmp_path):
    out = tmp_path / "report"
    out.write_text("x")
    with pytest.raises(OutputError, match="is a file"):
        write_report(tiny_atlas(), out, as_of="2026-01-01", progress=False)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"districts": ["nord", "nowhere"]},
            r"unknown district ids nowhere; valid ids: nord, \.\./syd, CON",
        ),
        ({"districts": []}, "`districts` is empty"),
        ({"lang": "de"}, "`lang` must be one of en, da"),
        ({"distance": "network"}, "needs a walking network"),
        ({"distance": "manhattan"}, "`distance` must be 'straight' or 'detour'"),
        ({"thresholds_m": (600, -1)}, "`thresholds_m` must be positive"),
        ({"as_of": "next week"}, "`as_of` must be a date"),
        ({"include": ("withdrawn",)}, "`include` takes statuses"),
    ],
)
def test_invalid_arguments_are_refused_before_writing(tmp_path, kwargs, match):
    with pytest.raises(ConfigError, match=match):
        write_report(tiny_atlas(), tmp_path / "r", progress=False, **kwargs)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_failed_run_keeps_previous_report_and_leaves_nothing(tmp_path, monkeypatch):
    out = tmp_path / "r"
    write_report(tiny_atlas(), out, as_of="2026-01-01", progress=False)
    before = _snapshot(out)

    def broken(ctx):
        raise RuntimeError("template crashed")

    monkeypatch.setattr(report_pages, "write_index", broken)
    with pytest.raises(RuntimeError, match="template crashed"):
        write_report(tiny_atlas(), out, as_of="2025-01-01", progress=False)
    assert _snapshot(out) == before
    assert _leftovers(tmp_path) == []


# ----------------------------------------------------------------------- the tiny report, by hand


def test_tiny_report_files(tiny_report):
    out = tiny_report.out_dir
    slugs = {"nord": "nord", "../syd": "syd", "CON": "con-district"}
    expected = {
        "index.html",
        "map.html",
        "summary.csv",
        "summary.xlsx",
        "companies.csv",
        "companies.xlsx",
        "results.gpkg",
        "provenance.json",
        *(f"districts/{s}.html" for s in slugs.values()),
        *(f"districts/{s}.map.html" for s in slugs.values()),
    }
    assert set(_snapshot(out)) == expected
    assert set(tiny_report.files) == expected
    assert {d: p.relative_to(out).as_posix() for d, p in tiny_report.pages.items()} == {
        d: f"districts/{s}.html" for d, s in slugs.items()
    }
    assert _leftovers(out.parent) == []
    _check_complete(out)


def test_tiny_report_tables_by_hand(tiny_report):
    out = tiny_report.out_dir
    summary = {r["district_id"]: r for r in _csv_rows(out / "summary.csv")}
    assert sorted(summary) == ["../syd", "CON", "nord"]
    assert float(summary["nord"]["area_ha"]) == pytest.approx(100.0)
    assert int(summary["nord"]["companies"]) == 2
    assert float(summary["nord"]["bid_area_share"]) == pytest.approx(0.5)
    assert float(summary["../syd"]["rewilded_ha"]) == pytest.approx(2.0)
    assert float(summary["nord"]["rail_600m_companies_share"]) == pytest.approx(
        0.5
    )  # c1 yes, c2 no

    firms = {r["company_id"]: r for r in _csv_rows(out / "companies.csv")}
    assert list(firms) == ["c1", "c2", "c3", "c4", "c5"]
    assert firms["c2"]["name"] == XSS
    assert (
        firms["c1"]["district_id"] == "nord" and firms["c1"]["district_name"] == "Nørre Erhverv <b>"
    )
    assert firms["c1"]["in_bid"] == "True" and firms["c1"]["bid_id"] == "b1"
    assert firms["c2"]["in_bid"] == "False"
    assert float(firms["c1"]["rail_distance_m"]) == pytest.approx(150.0)
    assert firms["c1"]["nearest_rail_stop_id"] == "s1"
    assert float(firms["c3"]["rail_distance_m"]) == pytest.approx(50.0)
    assert float(firms["c2"]["rail_distance_m"]) == pytest.approx(630.0)
    assert firms["c3"]["nearest_rail_stop_id"] == "s2"
    assert firms["c4"]["district_id"] == "" and firms["c4"]["assignment"] == "outside"
    assert firms["c5"]["district_id"] == "../syd" and firms["c5"]["assignment"] == "boundary"
    assert float(firms["c1"]["easting_m"]) == X0 + 100


def test_report_csvs_start_with_a_bom_and_companies_xlsx_has_every_firm(tiny_report):
    from openpyxl import load_workbook

    out = tiny_report.out_dir
    for name in ("companies.csv", "summary.csv"):
        raw = (out / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\xef\xbb\xbf") == 1, name
    firms = _csv_rows(out / "companies.csv")
    book = load_workbook(out / "companies.xlsx", read_only=True)
    try:
        rows = list(book["companies"].iter_rows(values_only=True))
    finally:
        book.close()
    assert list(rows[0]) == list(firms[0])  # the CSV's columns, in order
    assert len(rows) - 1 == len(firms)
    by_id = {str(r[0]): r for r in rows[1:]}
    for firm in firms:
        assert by_id[firm["company_id"]][1] == firm["name"]


def test_report_csvs_in_the_danish_excel_dialect(tmp_path, capsys):
    from areas.cli import main

    out = tmp_path / "rapport"
    args = ["report", "--as-of", "2026-01-01", "--lang", "da", "--quiet", "--out", str(out)]
    assert main([*args, "--csv-dialect", "excel-da"]) == 0
    summary = pd.read_csv(out / "summary.csv", sep=";", decimal=",", encoding="utf-8-sig")
    firms = pd.read_csv(out / "companies.csv", sep=";", decimal=",", encoding="utf-8-sig")
    expected = areas.summarize(areas.load(), as_of="2026-01-01").table
    assert summary["district_id"].tolist() == expected["district_id"].tolist()
    pd.testing.assert_series_equal(
        summary["area_ha"], expected["area_ha"], check_names=False, check_index=False
    )
    assert (out / "summary.csv").read_bytes().splitlines()[0].count(b";") == len(
        summary.columns
    ) - 1
    assert firms["rail_distance_m"].dtype == float and len(firms) > 100
    prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert prov["parameters"]["csv_dialect"] == "excel-da"
    assert (
        main(["summary", "--as-of", "2026-01-01", "--format", "csv", "--csv-dialect", "excel-da"])
        == 0
    )
    printed = capsys.readouterr().out
    assert not printed.startswith("\ufeff")  # no BOM on standard output
    assert printed.splitlines()[0].startswith("district_id;name;")
    back = pd.read_csv(io.StringIO(printed), sep=";", decimal=",")
    pd.testing.assert_series_equal(back["area_ha"], expected["area_ha"], check_names=False)


def counts_rail(report):
    """Return the rail stops in service of a report, from its own stops layer."""
    stops = pyogrio.read_dataframe(report.out_dir / "results.gpkg", layer="stops_in_service")
    rail = ("s_train", "metro", "light_rail", "regional_rail")
    return stops.loc[stops["mode"].isin(rail), "stop_id"].tolist()


def test_tiny_report_geopackage(tiny_report):
    path = tiny_report.out_dir / "results.gpkg"
    counts = {
        name: pyogrio.read_info(path, layer=name)["features"]
        for name, _ in pyogrio.list_layers(path)
    }
    # stops: s1, s3 and s2 (open since 2025-10-26); BID b1 active; both plots established
    assert counts == {
        "districts": 3,
        "companies": 5,
        "stops_in_service": 3,
        "active_bids": 1,
        "rewilding_plots": 2,
        "layer_styles": 8,  # QGIS's styles: one per layer (seven), two for the firms
        # no network: the zones are the 600 m and 1,200 m circles of the two rail stops
        "station_zones": 2 * len(set(counts_rail(tiny_report))),
        "station_circles": 2 * len(set(counts_rail(tiny_report))),
    }
    zones = pyogrio.read_dataframe(path, layer="station_zones")
    assert set(zones["basis"]) == {"straight"} and set(zones["band_m"]) == {600.0, 1200.0}
    for name in counts:
        if name != "layer_styles":
            assert pyogrio.read_info(path, layer=name)["crs"] == CRS
    districts = pyogrio.read_dataframe(path, layer="districts")
    assert districts["district_id"].tolist() == ["nord", "../syd", "CON"]
    assert districts.set_index("district_id").loc["nord", "companies"] == 2
    plots = pyogrio.read_dataframe(path, layer="rewilding_plots")
    assert plots["area_ha"].round(6).tolist() == [1.0, 1.0]


def test_tiny_report_provenance(tiny_report):
    prov = json.loads((tiny_report.out_dir / "provenance.json").read_text(encoding="utf-8"))
    assert prov == tiny_report.provenance
    assert prov["version"] == version("areas")
    params = prov["parameters"]
    assert params["as_of"] == "2026-01-01" and params["compare_as_of"] == "2025-01-01"
    assert params["statuses_counted"] == ["existing"] and params["include"] == []
    assert params["thresholds_m"] == [400, 600, 800, 1200] and params["distance"] == "straight"
    rec = prov["reconciliation"]
    assert (rec["companies_in"], rec["assigned"], rec["outside"], rec["excluded"]) == (5, 4, 1, 0)
    assert [i["kind"] for i in prov["inputs"]] == [
        "districts",
        "bids",
        "rewilding",
        "stops",
        "companies",
        "network",
    ]
    assert prov["inputs"][4]["features_in_layer"] == 5
    assert prov["inputs"][5]["features_in_layer"] == 0
    assert prov["run_time_s"] >= 0


def test_tiny_report_pages_escape_and_work_offline(tiny_report):
    pages = _own_pages(tiny_report.out_dir)
    assert len(pages) == 4
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>")
        assert '<meta charset="utf-8">' in text and '<html lang="da">' in text
        assert XSS not in text and "Nørre Erhverv <b>" not in text
        assert not EXTERNAL.search(text), page
        assert "@page" in text and "size: A4" in text
        assert (
            "Virksomheder i alt: 5 = i et erhvervsområde 4 + uden for alle områder 1 + udeladt 0"
            in text
        )
        assert "Data og forudsætninger" in text
    nord = (tiny_report.out_dir / "districts" / "nord.html").read_text(encoding="utf-8")
    assert "Nørre Erhverv &lt;b&gt;" in nord
    assert 'src="nord.map.html"' in nord and 'href="../index.html"' in nord
    for name in ("map.html", "districts/nord.map.html"):
        assert XSS not in (tiny_report.out_dir / name).read_text(encoding="utf-8")


def test_tiny_report_district_content(tiny_report):
    out = tiny_report.out_dir
    nord = (out / "districts" / "nord.html").read_text(encoding="utf-8")
    # c2 is 630 m from s1: beyond the 600 m core, listed (as text) with its distance; c1 is not
    beyond = nord.split("Virksomheder mere end 600 m")[-1].split("</section>")[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in beyond and "630" in beyond
    assert "Ærø Å/S" not in beyond
    # the BID call list holds c2 (outside the BID), not c1
    bid = nord.split('id="bid"')[1].split("</section>")[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in bid and "BID Nord" in bid
    assert "Ærø Å/S" not in bid
    syd = (out / "districts" / "syd.html").read_text(encoding="utf-8")
    assert syd.count("<svg") >= 3  # static map, rewilding chart, distance-band chart
    comparison = syd.split('id="comparison"')[1]
    assert "Ændring fra 2025-01-01 til 2026-01-01" in comparison
    assert (
        "+100,0 pct.-point" in comparison
    )  # c3 and c5 were 1,350 m and 1,000 m from rail, now 100 m / 500 m
    con = (out / "districts" / "con-district.html").read_text(encoding="utf-8")
    assert "Planen for området er opgivet" in con
    index = (out / "index.html").read_text(encoding="utf-8")
    for slug in ("nord", "syd", "con-district"):
        assert f'href="districts/{slug}.html"' in index
    assert 'id="summary-table"' in index and 'id="comparison-table"' in index


def _bid_table(page: Path) -> dict[str, dict[str, str]]:
    """Return the BID table of a district page: BID name -> column label -> cell text."""
    section = page.read_text(encoding="utf-8").split('id="bid"')[1].split("</section>")[0]
    table = section.split("<table")[1].split("</table>")[0]
    header = re.findall(r"<th[^>]*>(.*?)</th>", table)
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in table.split("<tr>")[2:]]
    return {cells[0]: dict(zip(header, cells, strict=True)) for cells in rows}


@pytest.mark.slow
def test_inactive_bid_shows_the_reported_member_count(bundled_report, tiny_report, tmp_path):
    # Avedøre Holme's BID ended 2023-12-31: no member is counted on 2026-01-01, so the
    # page shows the 78 members the BID layer states, marked as reported
    page = bundled_report.out_dir / "districts" / "avedoere-holme.html"
    row = _bid_table(page)["BID Avedøre Holme"]
    assert row["Active"] == "no" and row["Members"] == "78 (reported)"
    assert "(reported): the member count as stated in the BID layer" in page.read_text("utf-8")
    # an active BID shows the members counted from the firms, not the layer's figure:
    # BID Nord holds c1 (a member) and states 2 members
    nord = tiny_report.out_dir / "districts" / "nord.html"
    assert _bid_table(nord)["BID Nord"]["Medlemmer"] == "1"
    assert "indberettet" not in nord.read_text(encoding="utf-8")
    # before BID Nord starts (2021-01-01) it is not active either: its 2 are reported
    early = write_report(tiny_atlas(), tmp_path / "r", as_of="2020-06-01", progress=False)
    row = _bid_table(early.out_dir / "districts" / "nord.html")["BID Nord"]
    assert row["Active"] == "no" and row["Members"] == "2 (reported)"


@pytest.mark.slow
def test_district_selection_limits_pages_and_tables(tmp_path):
    result = write_report(
        tiny_atlas(), tmp_path / "r", districts=["../syd"], as_of="2026-01-01", progress=False
    )
    out = result.out_dir
    assert sorted(p.relative_to(out).as_posix() for p in out.glob("districts/*")) == [
        "districts/syd.html",
        "districts/syd.map.html",
    ]
    assert [r["district_id"] for r in _csv_rows(out / "summary.csv")] == ["../syd"]
    assert sorted(r["company_id"] for r in _csv_rows(out / "companies.csv")) == ["c3", "c5"]
    counts = {
        n: pyogrio.read_info(out / "results.gpkg", layer=n)["features"]
        for n, _ in pyogrio.list_layers(out / "results.gpkg")
    }
    assert counts["districts"] == 1 and counts["companies"] == 2 and counts["active_bids"] == 0
    assert result.provenance["parameters"]["districts"] == ["../syd"]


@pytest.mark.slow
def test_include_counts_planned_stops_before_they_open(tmp_path):
    result = write_report(
        tiny_atlas(), tmp_path / "r", as_of="2025-01-01", include=("planned",), progress=False
    )
    params = result.provenance["parameters"]
    assert params["statuses_counted"] == ["existing", "planned"]
    assert params["include"] == ["planned"]
    assert result.provenance["stops_in_service"] == 3  # s2 counts though it opens later
    firms = {r["company_id"]: r for r in _csv_rows(result.out_dir / "companies.csv")}
    assert firms["c3"]["nearest_rail_stop_id"] == "s2"
    assert "stops counted: existing, planned" in result.index.read_text(encoding="utf-8")
    assert result.provenance["reconciles"] is True


@pytest.mark.slow
def test_second_run_replaces_the_report(tmp_path):
    out = tmp_path / "r"
    first = write_report(tiny_atlas(), out, as_of="2026-01-01", progress=False)
    (out / "notes.txt").write_text("added by the user")
    write_report(tiny_atlas(), out, as_of="2025-01-01", lang="en", progress=False)
    # the report's files are replaced, a file the user added is kept
    assert (out / "notes.txt").read_text() == "added by the user"
    assert set(first.files) <= {p.relative_to(out).as_posix() for p in out.rglob("*")}
    assert json.loads((out / "provenance.json").read_text())["parameters"]["as_of"] == "2025-01-01"
    assert _leftovers(tmp_path) == []
    (out / "notes.txt").unlink()
    _check_complete(out)


@pytest.mark.slow
def test_progress_prints_a_summary(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    write_report(tiny_atlas(), tmp_path / "r", as_of="2026-01-01", progress=True)
    out = capsys.readouterr().out
    assert "Report written" in out and str(tmp_path / "r") in out
    assert "Firms in: 5 = in a district 4 + outside every district 1 + excluded 0" in out


# --------------------------------------------------------------------------- the bundled layers


@pytest.mark.slow
def test_bundled_report_structure(bundled_report):
    out = bundled_report.out_dir
    ids = [
        "hersted-industripark",
        "vaerkstedskvarteret",
        "roede-vejmoelle",
        "albertslund-centrum",
        "avedoere-holme",
        "holmene",
        "gungevej",
        "taarnfalkevej",
    ]
    assert sorted(bundled_report.pages) == sorted(ids)
    for d in ids:
        assert (out / "districts" / f"{d}.html").is_file()
        assert (out / "districts" / f"{d}.map.html").is_file()
    _check_complete(out)
    summary = _csv_rows(out / "summary.csv")
    assert sorted(r["district_id"] for r in summary) == sorted(ids)
    firms = _csv_rows(out / "companies.csv")
    rec = bundled_report.provenance["reconciliation"]
    assert len(firms) == rec["companies_in"] - rec["excluded"]
    assert rec["companies_in"] == rec["assigned"] + rec["outside"] + rec["excluded"]
    for page in _own_pages(out):
        assert not EXTERNAL.search(page.read_text(encoding="utf-8")), page


def test_danish_key_figure_counts_stops_not_stations(tiny_report):
    """The count covers bus stops too: Danish "stationer" would mean rail stations only."""
    page = (tiny_report.out_dir / "index.html").read_text(encoding="utf-8")
    assert "Stoppesteder i drift" in page
    assert "Stationer i drift" not in page


@pytest.mark.slow
def test_bundled_total_row_leaves_out_the_withdrawn_district(bundled_report):
    """Holmene (withdrawn, 320 ha) is listed but not added to the total business area."""
    page = (bundled_report.out_dir / "index.html").read_text(encoding="utf-8")
    row = re.search(r'<tr class="total">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells[0] == "Total, withdrawn excluded"
    summary = _csv_rows(bundled_report.out_dir / "summary.csv")
    live = [r for r in summary if r["status"] != "withdrawn"]
    assert len(live) == len(summary) - 1
    area = sum(float(r["area_ha"]) for r in live)
    # the seven live districts of layers/README.md (Albertslund outlines from GeoFA)
    assert area == pytest.approx(626.8, abs=0.05)
    assert f"{area:,.1f}" in cells
    assert f"{sum(float(r['area_ha']) for r in summary):,.1f}" not in cells


@pytest.mark.slow
def test_bundled_geopackage_with_gdal_cli(bundled_report):
    ogrinfo = shutil.which("ogrinfo") or "/usr/bin/ogrinfo"
    if not Path(ogrinfo).exists():
        require_or_skip("GDAL's ogrinfo is not installed (apt-get install gdal-bin)")
    path = bundled_report.out_dir / "results.gpkg"
    run = subprocess.run(
        [ogrinfo, "-so", "-al", str(path)], capture_output=True, text=True, check=True
    )
    assert "Warning" not in run.stderr and "ERROR" not in run.stderr
    layers = dict(re.findall(r"Layer name: (\w+)\n.*?Feature Count: (\d+)", run.stdout, flags=re.S))
    expected = {
        n: pyogrio.read_info(path, layer=n)["features"] for n, _ in pyogrio.list_layers(path)
    }
    assert set(layers) == {
        "districts",
        "companies",
        "stops_in_service",
        "active_bids",
        "rewilding_plots",
        "layer_styles",
        "station_zones",
        "station_circles",
    }
    assert {k: int(v) for k, v in layers.items()} == expected
    assert expected["districts"] == 8
    assert expected["companies"] == len(_csv_rows(bundled_report.out_dir / "companies.csv"))
    geometry = dict(
        re.findall(r"Layer name: (\w+)\n.*?Geometry: ([\w ]+)\n", run.stdout, flags=re.S)
    )
    assert run.stdout.count('ID["EPSG",25832]]') == 7  # every layer's CRS
    assert geometry["districts"] == "Multi Polygon" and geometry["companies"] == "Point"


# --------------------------------------------------------------------------- killed runs


_KILL_SCRIPT = textwrap.dedent(
    """
    import os, shutil, sys, time
    from pathlib import Path
    import areas
    import areas._atomic as atomic
    import areas.output.report.pages as pages
    out, point, ready = sys.argv[1], sys.argv[2], Path(sys.argv[3])

    def hang():
        ready.write_text("ready")
        time.sleep(600)

    if point == "building":  # maps and tables written into the staging folder
        pages.write_index = lambda ctx: hang()
    elif point == "between-renames":  # no RENAME_EXCHANGE: old report moved aside, new not yet in
        atomic._exchange = lambda a, b: False
        rename = os.rename
        def slow_rename(a, b):
            rename(a, b)
            if "-old-" in os.path.basename(b):
                hang()
        os.rename = slow_rename
    elif point == "after-swap":  # new report in place, previous one not yet deleted
        rmtree = shutil.rmtree
        def slow_rmtree(path, *args, **kw):
            if os.path.basename(str(path)).startswith(atomic.TMP_PREFIX):
                hang()
            return rmtree(path, *args, **kw)
        shutil.rmtree = slow_rmtree
    else:
        ready.write_text("ready")
    areas.write_report(areas.load(), out, as_of="2025-01-01", progress=False)
    """
)


def _run_and_kill(tmp_path: Path, out: Path, point: str, delay_s: float | None = None) -> bool:
    """Run a report in a child process, SIGKILL it at ``point``; return whether it was running."""
    ready = tmp_path / f"ready-{point}-{delay_s}"
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILL_SCRIPT, str(out), point, str(ready)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not ready.exists():
            if proc.poll() is not None:
                pytest.fail(
                    f"the report run ended before the kill point: {proc.stderr.read().decode()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(f"the report run never reached {point}")
            time.sleep(0.02)
        if delay_s:
            time.sleep(delay_s)
    finally:
        running = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
    return running


@pytest.fixture(scope="module")
def previous_report(tmp_path_factory):
    import areas

    folder = tmp_path_factory.mktemp("previous")
    write_report(areas.load(), folder / "areas-report", as_of="2026-01-01", progress=False)
    return folder / "areas-report"


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("point", ["building", "between-renames", "after-swap"])
def test_killed_run_keeps_previous_report_and_next_run_cleans_up(tmp_path, previous_report, point):
    import areas

    out = tmp_path / "areas-report"
    shutil.copytree(previous_report, out)
    before = _snapshot(out)

    _run_and_kill(tmp_path, out, point)

    left = _leftovers(tmp_path)
    assert left, "the run was killed before it left anything to clean up"
    if point == "building":
        assert _snapshot(out) == before
    elif point == "between-renames":
        assert not out.exists()  # the one moment the fallback swap has no folder in place
        assert [n for n in left if "-old-" in n]
        recover(out)
        assert _snapshot(out) == before
    else:  # after-swap: the new report is complete and in place
        _check_complete(out)
        assert (
            json.loads((out / "provenance.json").read_text())["parameters"]["as_of"] == "2025-01-01"
        )

    # the next run (one district keeps it short) removes the leftovers and writes a whole report
    result = write_report(
        areas.load(), out, districts=["gungevej"], as_of="2026-01-01", progress=False
    )
    assert _leftovers(tmp_path) == []
    _check_complete(result.out_dir)


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_killed_at_any_moment_leaves_a_complete_report(tmp_path, previous_report):
    """Kill at several delays: the folder is always the previous or a complete new report."""
    out = tmp_path / "areas-report"
    shutil.copytree(previous_report, out)
    before = _snapshot(out)
    killed_while_running = []
    for delay_s in (0.3, 1.5, 3.0):
        killed_while_running.append(_run_and_kill(tmp_path, out, "timed", delay_s))
        recover(out)
        assert _leftovers(tmp_path) == []
        _check_complete(out)  # the previous report, or a whole new one
    assert killed_while_running[0]  # the first kill did land in the middle of a run
    assert (
        _snapshot(out) == before
        or json.loads((out / "provenance.json").read_text())["parameters"]["as_of"] == "2025-01-01"
    )


@pytest.mark.slow
def test_bundled_provenance_carries_the_cross_layer_notes(bundled_report):
    """Overlapping rewilding plots are a cross-layer note: the report's provenance keeps it."""
    import areas
    from areas.analysis.notes import layer_notes

    prov = json.loads((bundled_report.out_dir / "provenance.json").read_text(encoding="utf-8"))
    by_kind = {item["kind"]: item for item in prov["inputs"]}
    expected = layer_notes(areas.load())
    assert expected["rewilding"], "the bundled layers have overlapping plots"
    assert by_kind["rewilding"]["notes"] == expected["rewilding"]
    assert any("overlap" in note for note in by_kind["rewilding"]["notes"])
