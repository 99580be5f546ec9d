"""The ``areas`` command line.

Subcommands: ``layers``, ``validate``, ``summary``, ``map`` and ``report``.
Every error about the input is printed as one message naming the file, layer,
ids and the fix, and the command exits non-zero without a traceback.

Exit codes: 0 success; 1 the layers are not usable (``validate``) or an
output could not be written; 2 bad input or bad arguments; 130 interrupted.
"""

from __future__ import annotations

import argparse
import io as _stdio
import json
import sys
import warnings
from collections.abc import Sequence

from areas import __version__
from areas.constants import DEFAULT_LANGUAGE, DEFAULT_THRESHOLDS_M, DISTANCES, LANGUAGES
from areas.errors import AreasError, AreasWarning, OutputError
from areas.output.i18n import format_cell, format_share, format_value
from areas.schema import STATUSES

__all__ = ["main", "build_parser"]

_INCLUDABLE = tuple(s for s in STATUSES if s not in ("existing", "withdrawn"))


def _add_source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--crs",
        metavar="CRS",
        help=(
            "CRS of input files that carry none, e.g. EPSG:25832 (never overrides a file's own CRS)"
        ),
    )
    parser.add_argument(
        "--config", metavar="TOML", help="an areas.toml mapping kinds to files and columns"
    )
    parser.add_argument(
        "--fallback",
        choices=("empty", "bundled"),
        help="layer kinds the source lacks: empty layers (default) or the bundled ones",
    )


def _add_scenario(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--layers",
        metavar="SOURCE",
        help="a GeoPackage, a folder of layer files or an areas.toml (default: the bundled layers)",
    )
    _add_source_options(parser)
    parser.add_argument(
        "--as-of", metavar="DATE", help="scenario date, YYYY-MM-DD (default: today)"
    )
    parser.add_argument(
        "--include",
        nargs="+",
        default=[],
        choices=_INCLUDABLE,
        metavar="STATUS",
        help=f"count stops of these statuses even before they open: {', '.join(_INCLUDABLE)}",
    )


def _add_distance(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--distance",
        choices=DISTANCES,
        default=None,
        help="distance behind shares, bands and medians: straight, detour (straight line × "
        "detour factor; walk is its former name) or network (walking along the network "
        "layer); default: network when the layers have one, else straight",
    )
    parser.add_argument(
        "--thresholds",
        nargs="+",
        type=float,
        metavar="M",
        default=list(DEFAULT_THRESHOLDS_M),
        help="distance thresholds in metres (default: "
        + " ".join(f"{t:g}" for t in DEFAULT_THRESHOLDS_M)
        + ")",
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``areas`` command."""
    parser = argparse.ArgumentParser(
        prog="areas",
        description=(
            "BID coverage, rewilded hectares and transit accessibility for business districts. "
            "With no --layers, every command runs on the bundled Albertslund–Hvidovre layers."
        ),
    )
    parser.add_argument("--version", action="version", version=f"areas {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("layers", help="list the layers: features, CRS, extent, source")
    p.add_argument("source", nargs="?", help="layers to list (default: the bundled layers)")
    _add_source_options(p)

    p = sub.add_parser("validate", help="check layers and name every problem found")
    p.add_argument("source", nargs="?", help="layers to check (default: the bundled layers)")
    _add_source_options(p)
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = sub.add_parser("summary", help="one row per district: BID coverage, rewilding, transit")
    _add_scenario(p)
    _add_distance(p)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")

    p = sub.add_parser("map", help="write a self-contained HTML map")
    _add_scenario(p)
    p.add_argument("--district", metavar="ID", help="map one district (default: overview)")
    p.add_argument("--lang", choices=sorted(LANGUAGES), default=DEFAULT_LANGUAGE)
    p.add_argument(
        "--color-by", choices=("rail_band", "bid"), default="rail_band", help="colour firms by"
    )
    p.add_argument("--tiles", metavar="NAME", help="add a basemap (needs network when viewed)")
    p.add_argument("--out", required=True, metavar="FILE.html")
    _add_distance(p)

    p = sub.add_parser("report", help="write the full report: pages, maps, tables, GeoPackage")
    _add_scenario(p)
    _add_distance(p)
    p.add_argument("--out", default="areas-report", metavar="DIR", help="default: ./areas-report")
    p.add_argument("--district", nargs="+", metavar="ID", help="only these districts")
    p.add_argument("--compare-as-of", metavar="DATE", help="also show the change since this date")
    p.add_argument("--lang", choices=sorted(LANGUAGES), default=DEFAULT_LANGUAGE)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _console():
    """Return a rich console that is wide enough for tables when output is not a terminal."""
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=200)
    return console


# --- commands -----------------------------------------------------------------------------


def _load(args, source):
    from areas.load.pipeline import load

    return load(source, config=args.config, crs=args.crs, fallback=args.fallback)


def _cmd_layers(args) -> int:
    from rich.table import Table

    atlas = _load(args, args.source)
    table = Table(title="areas layers", show_lines=False)
    counts = ("features", "excluded", "repaired")
    for col in ("layer", *counts, "CRS (input)", "extent (km, EPSG:25832)", "source"):
        table.add_column(col, justify="right" if col in counts else "left")
    for kind, frame in atlas.layers().items():
        src = atlas.sources.get(kind)
        if len(frame) and not frame.geometry.is_empty.all():
            x0, y0, x1, y1 = frame.total_bounds / 1000
            extent = f"x {x0:.1f}–{x1:.1f}, y {y0:.1f}–{y1:.1f}"
        else:
            extent = "–"
        where = "–"
        if src is not None and src.path:
            where = src.path + (f" ({src.layer})" if src.layer else "")
        table.add_row(
            kind,
            f"{len(frame):,}",
            str(len(src.excluded)) if src else "0",
            str(len(src.repairs)) if src else "0",
            (src.original_crs or "–") if src else "–",
            extent,
            where,
        )
    _console().print(table)
    return 0


def _cmd_validate(args) -> int:
    from areas.validate import validate

    report = validate(args.source, config=args.config, crs=args.crs, fallback=args.fallback)
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(report.to_text())
    return 0 if report.ok else 1


def _summary(args):
    from areas.analysis.summary import summarize

    atlas = _load(args, args.layers)
    return summarize(
        atlas,
        as_of=args.as_of,
        include=tuple(args.include),
        thresholds_m=tuple(args.thresholds),
        distance=args.distance,
    )


def _fmt(value, column: str) -> str:
    """Return one cell of the terminal table: English numbers, codes as they are."""
    if column.endswith("_share"):
        return format_share(value, "en", decimals=1, space=True)
    if column.endswith(("_ha", "_m")):
        return format_cell(value, column, "en")
    return format_value(value, "en")


#: Columns shown in the terminal table (the CSV and JSON carry all of them).
_TABLE_COLUMNS = (
    "name",
    "municipality",
    "status",
    "area_ha",
    "companies",
    "employees",
    "bid_area_share",
    "companies_in_bid",
    "bid_members",
    "rewilded_ha",
    "rewilded_share",
    "rail_600m_companies_share",
    "rail_600m_employees_share",
    "median_rail_distance_m",
)


def _table_columns(thresholds_m) -> list[str]:
    """Return the terminal table's columns: the 600 m rail shares, or the thresholds asked for."""
    labels = [f"{t:g}" for t in thresholds_m]
    if not labels or "600" in labels:
        return list(_TABLE_COLUMNS)
    rail = [f"rail_{t}m_companies_share" for t in labels]
    i = _TABLE_COLUMNS.index("rail_600m_companies_share")
    return [*_TABLE_COLUMNS[:i], *rail, *_TABLE_COLUMNS[i + 2 :]]


def _cmd_summary(args) -> int:
    summary = _summary(args)
    table = summary.table
    if args.format == "csv":
        buf = _stdio.StringIO()
        table.to_csv(buf, index=False, lineterminator="\n")
        sys.stdout.write(buf.getvalue())
        return 0
    if args.format == "json":
        payload = {
            "params": summary.params,
            "reconciliation": summary.reconciliation,
            "districts": json.loads(table.to_json(orient="records", date_format="iso")),
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return 0
    from rich.table import Table

    params = summary.params
    title = (
        f"areas summary — as of {str(params.get('as_of'))[:10]}, "
        f"included: {', '.join(params.get('include') or ()) or 'existing only'}, "
        f"distances: {params.get('distance', 'straight')}"
    )
    out = Table(title=title)
    columns = [c for c in _table_columns(params.get("thresholds_m", ())) if c in table.columns]
    for col in columns:
        text = col in ("name", "municipality", "status")
        # Fold long names onto more lines rather than cutting them off.
        out.add_column(
            col.replace("_", " "),
            justify="left" if text else "right",
            overflow="fold" if text else "ellipsis",
            min_width=20 if col == "name" else None,
        )
    for _, row in table.iterrows():
        out.add_row(*(_fmt(row[c], c) for c in columns))
    console = _console()
    console.print(out)
    rec = summary.reconciliation
    console.print(
        f"Firms in: {rec['companies_in']:,} = assigned {rec['assigned']:,} "
        f"+ outside every district {rec['outside']:,} + excluded {rec['excluded']:,}",
        highlight=False,
    )
    return 0


def _cmd_map(args) -> int:
    from areas.output.maps import MapOptions, district_map, overview_map, save_map

    atlas = _load(args, args.layers)
    options = MapOptions(
        as_of=args.as_of,
        include=tuple(args.include),
        lang=args.lang,
        color_by=args.color_by,
        tiles=args.tiles or False,
    )
    from areas.analysis.summary import summarize

    summary = summarize(
        atlas,
        as_of=args.as_of,
        include=tuple(args.include),
        thresholds_m=tuple(args.thresholds),
        distance=args.distance,
    )
    options = options.replace(as_of=None, include=())  # the summary's scenario
    if args.district:
        fmap = district_map(atlas, args.district, summary, options=options)
    else:
        fmap = overview_map(atlas, summary, options=options)
    path = save_map(fmap, args.out)
    print(f"Map written to {path}")
    return 0


def _cmd_report(args) -> int:
    from areas.output.report.write import write_report

    atlas = _load(args, args.layers)
    write_report(
        atlas,
        args.out,
        districts=args.district,
        as_of=args.as_of,
        include=tuple(args.include),
        compare_as_of=args.compare_as_of,
        lang=args.lang,
        thresholds_m=tuple(args.thresholds),
        distance=args.distance,
        progress=not args.quiet,
    )
    return 0


_COMMANDS = {
    "layers": _cmd_layers,
    "validate": _cmd_validate,
    "summary": _cmd_summary,
    "map": _cmd_map,
    "report": _cmd_report,
}


def _show_warning(message, category, filename, lineno, file=None, line=None):
    prefix = "warning" if issubclass(category, AreasWarning) else category.__name__
    print(f"areas: {prefix}: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = _show_warning
        try:
            return _COMMANDS[args.command](args)
        except OutputError as exc:
            print(f"areas: error: {exc}", file=sys.stderr)
            return 1
        except AreasError as exc:
            print(f"areas: error: {exc}", file=sys.stderr)
            return 2
        except FileNotFoundError as exc:
            name = exc.filename or exc
            print(f"areas: error: no such file or folder: {name}", file=sys.stderr)
            return 2
        except PermissionError as exc:
            print(f"areas: error: permission denied: {exc.filename or exc}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("areas: interrupted", file=sys.stderr)
            return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
