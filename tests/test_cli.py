"""The command line on the bundled layers and on bad arguments."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys

import pytest
from builders import CONTRACT_COLUMNS
from conftest import REPO

from areas.cli import main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "areas", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )


def test_layers_lists_every_layer_with_counts(capsys):
    assert main(["layers"]) == 0
    out = capsys.readouterr().out
    for kind, count in (("districts", "8"), ("stops", "57"), ("companies", "1,066")):
        line = next(line for line in out.splitlines() if f" {kind} " in line)
        assert f" {count} " in line
        assert "EPSG:25832" in line


def test_summary_csv_has_the_documented_columns_and_one_row_per_district(capsys):
    assert main(["summary", "--as-of", "2023-06-30", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 8
    for column in CONTRACT_COLUMNS:
        assert column in rows[0]
    holme = next(r for r in rows if r["district_id"] == "avedoere-holme")
    assert holme["name"] == "Avedøre Holme"
    assert int(holme["companies_in_bid"]) == 394 and int(holme["bid_members"]) == 78
    # mid-2023 only the plots set aside so far count; the full 15 ha by the end of 2023
    assert 0 < float(holme["rewilded_ha"]) < 15.0
    assert main(["summary", "--as-of", "2024-01-01", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    holme = next(r for r in rows if r["district_id"] == "avedoere-holme")
    assert float(holme["rewilded_ha"]) == pytest.approx(15.0, abs=0.05)
    assert float(holme["rewilded_share"]) == pytest.approx(0.05, abs=0.002)


def test_summary_json_carries_params_and_reconciliation(capsys):
    assert (
        main(["summary", "--format", "json", "--include", "planned", "study", "--distance", "walk"])
        == 0
    )
    payload = json.loads(capsys.readouterr().out)
    assert payload["params"]["include"] == ["planned", "study"]
    assert payload["params"]["distance"] == "detour"  # "walk" is its former name
    rec = payload["reconciliation"]
    assert rec["companies_in"] == rec["assigned"] + rec["outside"] + rec["excluded"]
    shares = [
        v
        for d in payload["districts"]
        for k, v in d.items()
        if k.endswith("_share") and v is not None
    ]
    assert shares and all(0 <= v <= 1 for v in shares)


def test_summary_table_states_the_scenario_and_reconciles(capsys):
    assert main(["summary", "--as-of", "2025-10-25"]) == 0
    out = capsys.readouterr().out
    assert "as of 2025-10-25" in out and "distances: network" in out
    assert "Firms in: 1,066 = assigned" in out
    assert "Avedøre Holme" in out


def test_summary_table_shows_the_thresholds_asked_for_and_whole_names(capsys):
    assert main(["summary", "--as-of", "2026-01-01", "--thresholds", "500", "1000"]) == 0
    out = capsys.readouterr().out
    # Without 600 m among the thresholds, the rail shares at 500 m and 1,000 m are shown.
    assert "rail 500m" in out and "rail 1000m" in out
    hersted = next(line for line in out.splitlines() if "Hersted" in line)
    cells = [c.strip() for c in hersted.split("│") if c.strip()]
    assert cells[-3].endswith("%") and cells[-2].endswith("%")
    # Long district names wrap onto more lines; no part of them is cut off.
    first_column = "".join(
        line.split("│")[1].replace(" ", "") for line in out.splitlines() if line.startswith("│")
    )
    for name in ("Tårnfalkevej/Strandskadevej", "Gungevej/Høvedstensvej/Arnold Nielsens Boulevard"):
        assert name.replace(" ", "") in first_column
    assert "…" not in out


def test_light_rail_opening_raises_hersted_accessibility(capsys):
    shares = {}
    for day in ("2025-10-25", "2025-10-26"):
        assert main(["summary", "--as-of", day, "--format", "json"]) == 0
        rows = json.loads(capsys.readouterr().out)["districts"]
        shares[day] = next(r for r in rows if r["district_id"] == "hersted-industripark")
    assert (
        shares["2025-10-26"]["rail_600m_companies_share"]
        > shares["2025-10-25"]["rail_600m_companies_share"]
    )


def test_map_writes_a_self_contained_file(tmp_path, capsys):
    out = tmp_path / "kort over Avedøre.html"
    assert main(["map", "--district", "avedoere-holme", "--lang", "da", "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "Avedøre Holme" in html
    assert not re.search(r"<script[^>]+src=[\"']?https?:", html)
    assert not re.search(r"<link[^>]+href=[\"']?https?:", html)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["summary", "--as-of", "tomorrow-ish"], "as_of"),
        (["map", "--district", "no-such-district", "--out", "x.html"], "hersted-industripark"),
        (["layers", "no/such/folder"], "no/such/folder"),
    ],
)
def test_errors_are_one_message_and_a_non_zero_exit(tmp_path, args, message):
    result = subprocess.run(
        [sys.executable, "-m", "areas", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("areas: error:")
    assert message in result.stderr


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "report" in capsys.readouterr().out


@pytest.mark.slow
def test_version():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("areas ")
