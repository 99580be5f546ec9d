"""The output-column registry: labels, units and parts of every column the outputs show."""

from __future__ import annotations

import csv

import pytest
from conftest import REPO

import areas.columns as columns
from areas.constants import BANDS, DEFAULT_THRESHOLDS_M, MODE_GROUP_NAMES
from areas.output.i18n import column_label, format_cell

GOLDEN = REPO / "tests" / "golden"


def _header(name: str) -> list[str]:
    with open(GOLDEN / name, newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh))


@pytest.mark.parametrize("name", ["summary.csv", "companies.csv"])
def test_the_columns_of_the_bundled_tables_have_labels_in_both_languages(name):
    for c in _header(name):
        entry = columns.column(c)
        if entry is None:  # extra columns keep their own names
            assert column_label(c, "da") == column_label(c, "en") == c
            continue
        en, da = column_label(c, "en"), column_label(c, "da")
        assert en and da and "{" not in en + da


def test_every_share_column_is_named_and_labelled_from_its_parts():
    for group in MODE_GROUP_NAMES:
        for threshold in (*DEFAULT_THRESHOLDS_M, 750, 12.5):
            for what in columns.COUNTED:
                made = columns.share_column(group, threshold, what)
                assert made.name == f"{group}_{threshold:g}m_{what}_share"
                assert columns.column(made.name) == made
                assert (made.group, made.threshold_m, made.what) == (group, threshold, what)
                assert columns.unit_of(made.name) == "share"
    assert column_label("rail_1200m_employees_share", "da") == (
        "Andel af de ansatte højst 1.200 m fra en station"
    )
    assert column_label("bus_12.5m_companies_share", "da") == (
        "Andel af virksomhederne højst 12,5 m fra et busstoppested"
    )


def test_band_columns_carry_their_band():
    for band in BANDS:
        for name in (f"rail_{band}_companies", f"{band}_employees"):
            entry = columns.column(name)
            assert entry is not None and entry.band == band and entry.unit == "count"


def test_threshold_columns_picks_one_group_and_count():
    names = [
        "rail_800m_companies_share",
        "rail_400m_employees_share",
        "bus_400m_companies_share",
        "rail_12.5m_companies_share",
        "rail_band",
    ]
    assert columns.threshold_columns(names, "rail") == {
        12.5: "rail_12.5m_companies_share",
        800.0: "rail_800m_companies_share",
    }
    assert columns.threshold_columns(names, "rail", "employees") == {
        400.0: "rail_400m_employees_share"
    }


def test_units_decide_how_cells_are_written():
    assert format_cell(0.1234, "rail_600m_companies_share", "da") == "12,3 %"
    assert format_cell(12.345, "rewilded_ha", "en") == "12.3"
    assert format_cell(612.4, "nearest_rail_name", "en") == "612.4"  # a name, not metres
    assert format_cell("s_train", "nearest_rail_mode", "da") == "S-tog"
    assert format_cell(1234.4, "easting_m", "en") == "1,234"  # unknown column: by its suffix
    assert columns.is_numeric("companies") and not columns.is_numeric("name")
