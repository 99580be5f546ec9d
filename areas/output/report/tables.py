"""Table and figure models for the report templates: cells, headers, capped firm lists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

import areas.output.i18n as _i18n
from areas.columns import is_numeric, threshold_columns
from areas.output.i18n import column_label, format_cell, format_number

#: Firms listed per table on a district page; the full lists are in ``companies.csv``.
MAX_LIST_ROWS = 500


def _label(key: str, lang: str, **values: Any) -> str:
    """Return a label of the report (``report.<key>`` in :mod:`areas.output.i18n`)."""
    return _i18n.t(f"report.{key}", lang, **values)


def _change(value: Any, column: str, lang: str) -> str:
    """Format a difference with its sign; shares as percentage points."""
    if _i18n.is_missing(value):
        return _i18n.MISSING
    value = float(value)
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    if column.endswith("_share"):
        points = format_number(abs(value) * 100, lang, decimals=1)
        return f"{sign}{points} {_label('percentage_points', lang)}"
    decimals = 1 if column.endswith("_ha") else 0
    if not (column.endswith("_ha") or column.endswith("_m")) and not float(value).is_integer():
        decimals = 2
    return f"{sign}{format_number(abs(value), lang, decimals=decimals)}"


def _figures(row: pd.Series, columns: Iterable[str], lang: str) -> list[dict]:
    """Return the label and formatted value of each of ``columns`` that ``row`` holds."""
    return [
        {"label": column_label(c, lang), "value": format_cell(row[c], c, lang)}
        for c in columns
        if c in row.index
    ]


def _col(label: str, num: bool = False) -> dict:
    return {"label": label, "num": num}


def _headers(columns: Iterable[str], lang: str) -> list[dict]:
    """Return the header cells of a table showing ``columns``."""
    return [_col(column_label(c, lang), _is_num_column(c)) for c in columns]


def _table(
    columns: list[dict],
    rows: list[dict],
    *,
    caption: str | None = None,
    note: str | None = None,
    table_id: str | None = None,
) -> dict:
    """Return a table for the ``data_table`` macro of the templates."""
    table = {"caption": caption, "columns": columns, "rows": rows, "note": note}
    if table_id is not None:
        table["id"] = table_id
    return table


def _change_class(value: Any) -> str | None:
    """Return the CSS class of a change: ``pos``, ``neg`` or none (no change or missing)."""
    if _i18n.is_missing(value) or value == 0:
        return None
    return "pos" if value > 0 else "neg"


def _cell(text: str, *, num: bool = False, href: str | None = None, cls: str | None = None) -> dict:
    classes = " ".join(c for c in ("num" if num else None, cls) if c)
    return {"text": text, "href": href, "cls": classes or None}


def _is_num_column(column: str) -> bool:
    """Return True for a column of numbers (right-aligned): :func:`areas.columns.is_numeric`."""
    return is_numeric(column)


def _numeric_columns(frame: pd.DataFrame) -> list[str]:
    return [
        c
        for c in frame.columns
        if c != "district_id"
        and pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
    ]


def _firm_list(
    frame: pd.DataFrame, columns: Sequence[str], lang: str, caption: str | None = None
) -> dict:
    total = len(frame)
    shown = frame.head(MAX_LIST_ROWS)
    cols = [c for c in columns if c in shown.columns]
    rows = [
        {
            "cells": [
                _cell(format_cell(v, c, lang), num=_is_num_column(c))
                for c, v in zip(cols, values, strict=True)
            ]
        }
        for values in shown[cols].itertuples(index=False, name=None)
    ]
    note = (
        _label(
            "list_capped",
            lang,
            shown=format_number(MAX_LIST_ROWS, lang),
            total=format_number(total, lang),
        )
        if total > MAX_LIST_ROWS
        else None
    )
    return _table(_headers(cols, lang), rows, caption=caption, note=note)


def _threshold_columns(
    frame: pd.DataFrame, group: str, what: str = "companies"
) -> dict[float, str]:
    """Return threshold -> column of the share columns of ``group`` in ``frame``."""
    return threshold_columns(frame.columns, group, what)
