"""The report's provenance: the record in ``provenance.json`` and its page section."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import areas.output.i18n as _i18n
from areas.analysis.notes import layer_notes
from areas.constants import VERSION
from areas.output.i18n import format_number, status_label
from areas.output.report.context import ReportContext
from areas.output.report.tables import MAX_LIST_ROWS, _cell, _col, _label
from areas.schema import MODE_GROUPS, STATUSES, WORK_CRS

#: Name of the generator recorded in ``provenance.json`` (marks a folder as a report).
GENERATOR = "areas"


def make_provenance(ctx: ReportContext, elapsed: float) -> dict:
    """Return the provenance record of the report (``provenance.json``)."""
    atlas = ctx.atlas
    notes = layer_notes(atlas)
    inputs = []
    for kind, frame in atlas.layers().items():
        src = atlas.sources.get(kind)
        if src is not None:
            item = src.to_dict()
            item["notes"] = notes.get(kind, item.get("notes", []))
        else:
            item = {
                "kind": kind,
                "path": None,
                "features_read": len(frame),
                "features_used": len(frame),
                "excluded": [],
                "repairs": [],
            }
        item["features_in_layer"] = len(frame)
        inputs.append(item)
    rec = dict(getattr(ctx.summary, "reconciliation", {}) or {})
    rec = {k: (int(v) if isinstance(v, (int, np.integer)) else v) for k, v in rec.items()}
    params = {
        "as_of": _i18n.format_date(ctx.as_of),
        "compare_as_of": None
        if ctx.compare_as_of is None
        else _i18n.format_date(ctx.compare_as_of),
        "include": list(ctx.include),
        "statuses_counted": ["existing", *[s for s in STATUSES if s in ctx.include]],
        "thresholds_m": list(ctx.thresholds),
        "distance": ctx.distance,
        "detour_factor": ctx.summary.transit.params.get("detour_factor")
        if hasattr(ctx.summary, "transit")
        else None,
        "lang": ctx.lang,
        "districts": list(ctx.selected) if len(ctx.selected) != len(atlas.districts) else None,
        "mode_groups": {k: list(v) for k, v in MODE_GROUPS.items()},
        "csv_dialect": ctx.options.csv_dialect,
    }
    service = getattr(ctx.summary, "service", None)
    if service is not None:  # date, window, feed period, PTAL and DG REGIO parameters, sources
        params["service"] = dict(service.params)
    database = None
    if ctx.options.database is not None:
        database = {
            "url": ctx.options.database,
            "schema": ctx.options.schema,
            "tables": dict(ctx.gpkg),
        }
    if ctx.public:
        inputs = [_public_input(item) for item in inputs]
        rec = _public_reconciliation(rec)
    return {
        "generator": GENERATOR,
        "version": VERSION,
        "edition": "public" if ctx.public else "case_work",
        "public_min_firms": ctx.options.public_min_firms if ctx.public else None,
        "generated_at": ctx.started.isoformat(timespec="seconds"),
        "run_time_s": round(elapsed, 2),
        "python": sys.version.split()[0],
        "crs": WORK_CRS,
        "parameters": params,
        "inputs": inputs,
        "reconciliation": rec,
        "reconciles": all(k in rec for k in ("companies_in", "assigned", "outside", "excluded"))
        and rec["companies_in"] == rec["assigned"] + rec["outside"] + rec["excluded"],
        "stops_in_service": int(ctx.stop_mask.sum()),
        "active_bids": int(ctx.bid_mask.sum()),
        "rewilding_plots_established": int(ctx.plot_mask.sum()),
        "database": database,
    }


def _source_name(path: str | None) -> str | None:
    """Return a file's name, or a database source as it is (URL and table)."""
    if not path:
        return None
    return path if str(path).startswith("postgresql://") else Path(path).name


def _public_input(item: dict) -> dict:
    """Return an input's record without the ids and reasons of single firms (counts kept)."""
    if item.get("kind") != "companies":
        return item
    out = dict(item)
    # one row per firm, without its id or reason (the reason can quote the firm's values)
    out["excluded"] = [{"id": "–", "reason": "–"}] * len(item.get("excluded", []))
    out["repairs"] = [{"id": "–", "what": "–"}] * len(item.get("repairs", []))
    if item.get("notes"):  # notes on firms name them (boundary firms): only their number
        out["notes"] = [
            f"{len(item['notes'])} note(s) on single firms, left out of the public edition"
        ]
    return out


def _public_reconciliation(rec: dict) -> dict:
    out = dict(rec)
    for key, value in rec.items():  # lists of single firms (ids): left out, counted
        if key.endswith("_firms") and isinstance(value, list):
            out[key] = []
            out[f"{key}_count"] = len(value)
    return out


def _kind(kind: str, lang: str) -> str:
    """Name a layer kind (``districts``) in ``lang``; an unknown kind as it is."""
    try:
        return _i18n.t(f"kind.{kind}", lang)
    except KeyError:
        return kind


def provenance_view(prov: dict, lang: str) -> dict:
    """Return the provenance section of the pages, from the record ``prov``."""
    L = lambda key, **v: _label(key, lang, **v)  # noqa: E731
    params = prov["parameters"]
    rec = prov["reconciliation"]
    inputs_rows = []
    exclusions, repairs = [], []
    for src in prov["inputs"]:
        inputs_rows.append(
            {
                "cells": [
                    _cell(_kind(src["kind"], lang)),
                    _cell(_source_name(src.get("path")) or L("in_memory")),
                    _cell(src.get("sha256") or "–", cls="hash"),
                    _cell(src.get("original_crs") or "–"),
                    _cell(format_number(src.get("features_read"), lang), num=True),
                    _cell(format_number(src.get("features_used"), lang), num=True),
                    _cell(format_number(len(src.get("excluded", [])), lang), num=True),
                    _cell(format_number(len(src.get("repairs", [])), lang), num=True),
                ]
            }
        )
        for e in src.get("excluded", []):
            exclusions.append(
                {
                    "cells": [
                        _cell(_kind(src["kind"], lang)),
                        _cell(str(e["id"])),
                        _cell(str(e["reason"])),
                    ]
                }
            )
        for r in src.get("repairs", []):
            what = str(r["what"]) + (f": {r['detail']}" if r.get("detail") else "")
            repairs.append(
                {"cells": [_cell(_kind(src["kind"], lang)), _cell(str(r["id"])), _cell(what)]}
            )
    # Firms the analyses left out (no location in a layer the loader did not read):
    # the reconciliation counts them, so the table lists them too.
    listed = {
        (str(e["id"]), str(e["reason"]))
        for src in prov["inputs"]
        if src["kind"] == "companies"
        for e in src.get("excluded", [])
    }
    for firm in rec.get("excluded_firms", []):
        if (str(firm["id"]), str(firm["reason"])) not in listed:
            exclusions.append(
                {
                    "cells": [
                        _cell("companies"),
                        _cell(str(firm["id"])),
                        _cell(str(firm["reason"])),
                    ]
                }
            )

    def capped(rows, caption):
        note = None
        if len(rows) > MAX_LIST_ROWS:
            note = (
                L("list_capped", shown=MAX_LIST_ROWS, total=len(rows)).split(";")[0]
                + "; provenance.json."
            )
            rows = rows[:MAX_LIST_ROWS]
        return {"caption": caption, "rows": rows, "note": note}

    statuses = ", ".join(status_label(s, lang) for s in params["statuses_counted"])
    distance = (
        L("distance_walk", factor=format_number(params.get("detour_factor"), lang, decimals=2))
        if params["distance"] in ("walk", "detour")
        else L("distance_straight")
    )
    minimum = prov.get("public_min_firms")
    edition = (
        L("edition_public", minimum=format_number(minimum, lang))
        if prov.get("edition") == "public"
        else L("edition_case_work")
    )
    return {
        "edition": edition,
        "version": prov["version"],
        "generated_at": prov["generated_at"],
        "run_time": L("seconds", value=format_number(prov["run_time_s"], lang, decimals=1)),
        "as_of": params["as_of"],
        "compare_as_of": params.get("compare_as_of"),
        "statuses": statuses,
        "thresholds": ", ".join(
            f"{format_number(t, lang, decimals=0 if float(t).is_integer() else 1)} m"
            for t in params["thresholds_m"]
        ),
        "distance": distance,
        "crs": prov["crs"],
        "reconciliation_line": L(
            "reconciliation",
            companies_in=format_number(rec.get("companies_in"), lang),
            assigned=format_number(rec.get("assigned"), lang),
            outside=format_number(rec.get("outside"), lang),
            excluded=format_number(rec.get("excluded"), lang),
        ),
        "inputs": {
            "caption": L("inputs_caption"),
            "columns": [
                _col(L("layer")),
                _col(L("file")),
                _col(L("sha256")),
                _col(L("original_crs")),
                _col(L("features_read"), True),
                _col(L("features_used"), True),
                _col(L("excluded"), True),
                _col(L("repaired"), True),
            ],
            "rows": inputs_rows,
        },
        "exclusions": {
            **capped(exclusions, L("exclusions_caption")),
            "columns": [_col(L("layer")), _col(L("feature_id")), _col(L("reason"))],
        },
        "repairs": {
            **capped(repairs, L("repairs_caption")),
            "columns": [_col(L("layer")), _col(L("feature_id")), _col(L("what"))],
        },
    }
