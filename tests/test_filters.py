"""``[kind.filter]`` and ``[kind.values.column]`` of areas.toml, on real public files."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import areas
from areas.errors import ConfigError
from areas.load.select import parse_filter

AS_OF = "2026-01-01"


def _toml(folder: Path, text: str) -> Path:
    path = folder / "areas.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def plans(reference_data, tmp_path) -> Path:
    shutil.copy(reference_data / "hvidovre_lokalplaner.geojson", tmp_path)
    return tmp_path / "hvidovre_lokalplaner.geojson"


def _plan_uses(path: Path) -> list[object]:
    """Return the anvgen of every feature, read with the json module (a slow reference)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [f["properties"].get("anvgen") for f in data["features"]]


_DISTRICTS = """
[layers]
fallback = "empty"

[districts]
path = "hvidovre_lokalplaner.geojson"

[districts.columns]
district_id = "planid"
name = "plannavn"

[districts.constants]
municipality = "Hvidovre"
status = "existing"
"""


@pytest.mark.parametrize("rule", ["anvgen = 31", 'anvgen = "31"', 'where = "anvgen = 31"'])
def test_anvgen_31_keeps_the_business_plans(plans, rule):
    uses = _plan_uses(plans)
    business = sum(1 for u in uses if u is not None and int(u) == 31)
    assert business == 9 and len(uses) == 170  # the real file: 9 business plans of 170
    cfg = _toml(plans.parent, _DISTRICTS + f"\n[districts.filter]\n{rule}\n")
    atlas = areas.load(cfg)
    assert len(atlas.districts) == business
    src = atlas.sources["districts"]
    assert src.filter == {
        "rule": "anvgen = 31" if "where" in rule else src.filter["rule"],
        "read": 170,
        "kept": business,
        "removed": 170 - business,
    }
    assert src.reconciles() and src.features_read == business
    assert any("kept 9 of 170 features, removed 161" in n for n in src.notes)


def test_the_filter_reaches_the_report_provenance(plans, tmp_path):
    cfg = _toml(plans.parent, _DISTRICTS + "\n[districts.filter]\nanvgen = [31, 41]\n")
    out = tmp_path / "report"
    result = areas.write_report(areas.load(cfg), out, as_of=AS_OF, progress=False)
    (districts,) = [i for i in result.provenance["inputs"] if i["kind"] == "districts"]
    assert districts["filter"]["rule"] == "anvgen in (31, 41)"
    assert districts["filter"]["kept"] == 9 + 16 and districts["filter"]["removed"] == 170 - 25
    assert json.loads((out / "provenance.json").read_text(encoding="utf-8")) == result.provenance


def test_an_expression_with_or_and_not_and_null(plans):
    uses = _plan_uses(plans)
    want = sum(1 for u in uses if u is None or int(u) in (31, 41))
    cfg = _toml(
        plans.parent,
        _DISTRICTS + '\n[districts.filter]\nwhere = "anvgen is null or anvgen in (31, 41)"\n',
    )
    assert len(areas.load(cfg).districts) == want == 4 + 9 + 16
    cfg = _toml(
        plans.parent,
        _DISTRICTS
        + "\n[districts.filter]\nwhere = \"not (anvgen < 31 or anvgen > 31) and plannavn != ''\"\n",
    )
    # a missing anvgen fails both comparisons, so `not (...)` keeps it: 9 plans + 4 without
    assert len(areas.load(cfg).districts) == 9 + sum(1 for u in uses if u is None)


def test_a_filter_naming_an_absent_column_is_an_error(plans):
    cfg = _toml(plans.parent, _DISTRICTS + "\n[districts.filter]\nanvendelse = 31\n")
    with pytest.raises(ConfigError, match="`anvendelse` the layer does not have") as info:
        areas.load(cfg)
    assert "anvgen" in str(info.value)  # lists the file's columns


@pytest.mark.parametrize(
    "where",
    [
        "__import__('os').system('echo hi')",
        "anvgen == ",
        "anvgen = 31 ; drop table",
        "(anvgen = 31",
        "anvgen in 31",
        "lambda: 1",
    ],
)
def test_an_expression_is_parsed_never_evaluated(plans, where):
    cfg = _toml(plans.parent, _DISTRICTS + f"\n[districts.filter]\nwhere = {json.dumps(where)}\n")
    with pytest.raises(ConfigError, match=re.escape("[districts.filter] `where`")):
        areas.load(cfg)


def test_a_bad_filter_table_is_an_error(plans):
    for body, match in (
        ("anvgen = []", "empty list"),
        ("anvgen = {a = 1}", "must be a number, a text or true/false"),
        ("where = 3", "must be text"),
    ):
        cfg = _toml(plans.parent, _DISTRICTS + f"\n[districts.filter]\n{body}\n")
        with pytest.raises(ConfigError, match=re.escape(match)):
            areas.load(cfg)


_OPS = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


@given(
    values=st.lists(st.one_of(st.none(), st.integers(-5, 5)), min_size=1, max_size=30),
    op=st.sampled_from(sorted(_OPS)),
    literal=st.integers(-5, 5),
    other=st.integers(-5, 5),
    join=st.sampled_from(["and", "or"]),
)
def test_a_filter_agrees_with_python_comparisons(values, op, literal, other, join):
    frame = pd.DataFrame({"a": [None if v is None else str(v) for v in values]})
    expr = f"a {op} {literal} {join} not a = {other}"
    got = parse_filter({"where": expr}, "districts").mask(frame).tolist()
    want = []
    for v in values:
        first = v is not None and _OPS[op](v, literal)
        second = not (v is not None and v == other)
        want.append((first and second) if join == "and" else (first or second))
    assert got == want


def test_station_values_are_mapped_to_modes_and_counted(reference_data, tmp_path):
    shutil.copy(reference_data / "stations_kk_wfs.geojson", tmp_path)
    raw = json.loads((tmp_path / "stations_kk_wfs.geojson").read_text(encoding="utf-8"))
    kinds = pd.Series([f["properties"]["objekt_type"] for f in raw["features"]]).value_counts()
    cfg = _toml(
        tmp_path,
        """
[layers]
fallback = "bundled"

[stops]
path = "stations_kk_wfs.geojson"

[stops.columns]
stop_id = "ogc_fid"
name = "navn"
mode = "objekt_type"

[stops.constants]
status = "existing"

[stops.values.mode]
"S-station" = "s_train"
"Metrostation" = "metro"
"Anden station" = "regional_rail"
""",
    )
    # most of these stations have no `navn`: named by their id, with a warning
    with pytest.warns(areas.errors.AreasRepairWarning, match="have no `name`"):
        atlas = areas.load(cfg)
    modes = atlas.stops["mode"].value_counts()
    assert modes["s_train"] == kinds["S-station"] == 80
    assert modes["metro"] == kinds["Metrostation"]
    assert modes["regional_rail"] == kinds["Anden station"]
    src = atlas.sources["stops"]
    assert src.values == {
        "mode": {"S-station": 80, "Metrostation": 40, "Anden station": 8},
    }
    assert any("'S-station' -> 's_train' (80)" in n for n in src.notes)


def test_a_value_mapping_of_an_unknown_column_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="names `kind`, not a schema column of `stops`"):
        areas.load.config.parse_config(
            {
                "layers": {"fallback": "bundled"},
                "stops": {"path": "x.geojson", "values": {"kind": {"a": "b"}}},
            },
            base_dir=tmp_path,
        )


def test_an_unmapped_value_is_still_refused(reference_data, tmp_path):
    shutil.copy(reference_data / "stations_kk_wfs.geojson", tmp_path)
    cfg = _toml(
        tmp_path,
        """
[layers]
fallback = "bundled"

[stops]
path = "stations_kk_wfs.geojson"
columns = { stop_id = "ogc_fid", name = "navn", mode = "objekt_type" }
constants = { status = "existing" }

[stops.values.mode]
"S-station" = "s_train"
""",
    )
    with pytest.raises(areas.errors.SchemaError, match="Metrostation"):
        areas.load(cfg)
