"""The ``areas`` command line.

Subcommands: ``layers``, ``validate``, ``summary``, ``map`` and ``report``.
Every error about the input is printed as one message naming the file, layer,
ids and the fix, and the command exits non-zero without a traceback.

Exit codes: 0 success; 1 the layers are not usable (``validate``) or an
output could not be written; 2 bad input or bad arguments; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence

from areas import __version__
from areas.constants import (
    DEFAULT_LANGUAGE,
    DEFAULT_SERVICE_WINDOW,
    DEFAULT_THRESHOLDS_M,
    DISTANCES,
    LANGUAGES,
)
from areas.dates import DATE_HELP, resolve_date
from areas.errors import (
    AreasError,
    AreasWarning,
    ConfigError,
    DatabaseError,
    OutputError,
    json_text,
    printable,
)
from areas.output.i18n import (
    column_label,
    format_cell,
    format_number,
    format_share,
    format_value,
    status_label,
    t,
)
from areas.output.terminal import rich_cell, terminal_text
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
        "source",
        nargs="?",
        help="a GeoPackage, a folder of layer files or an areas.toml (default: the bundled layers)",
    )
    parser.add_argument(
        "--layers",
        metavar="SOURCE",
        help="the same as SOURCE (either one may be given)",
    )
    _add_source_options(parser)
    parser.add_argument(
        "--as-of", metavar="DATE", help=f"the scenario's date: {DATE_HELP} (default: today)"
    )
    parser.add_argument(
        "--include",
        nargs="+",
        default=[],
        choices=_INCLUDABLE,
        metavar="STATUS",
        help=f"count stops of these statuses even before they open: {', '.join(_INCLUDABLE)}",
    )
    _add_service(parser)


def _add_service(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--gtfs",
        metavar="PATH",
        help="a GTFS feed (.zip or folder): departures per hour, PTAL and DG REGIO access",
    )
    parser.add_argument(
        "--service-table",
        metavar="CSV",
        help="a service table of planned or what-if lines (line, mode, stops, headways)",
    )
    parser.add_argument(
        "--service-date",
        metavar="DATE",
        help="day the departures are counted on, YYYY-MM-DD (default: the feed's busiest "
        "weekday; for a service table the scenario date)",
    )
    parser.add_argument(
        "--service-window",
        metavar="HH:MM-HH:MM",
        default="-".join(DEFAULT_SERVICE_WINDOW),
        help="clock window of the departures (default: " + "-".join(DEFAULT_SERVICE_WINDOW) + ")",
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


class _Parser(argparse.ArgumentParser):
    """An argument parser that echoes a bad argument escaped (no raw control characters)."""

    def error(self, message: str):  # type: ignore[override]
        super().error(printable(message))


#: The date options, checked before any layer is read (named as the API names them).
_DATE_OPTIONS = ("as_of", "compare_as_of")


def _check_dates(args) -> None:
    """Raise ConfigError, naming the option and the forms read, for a date that is not one."""
    for dest in _DATE_OPTIONS:
        value = getattr(args, dest, None)
        if value is not None:
            resolve_date(value, name=dest)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``areas`` command."""
    parser = _Parser(
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
    p.add_argument(
        "--lang",
        choices=sorted(LANGUAGES),
        default=DEFAULT_LANGUAGE,
        help="language of the table (CSV and JSON keep their column names)",
    )
    _add_csv_dialect(p)

    p = sub.add_parser("map", help="write a self-contained HTML map")
    _add_scenario(p)
    p.add_argument("--district", metavar="ID", help="map one district (default: overview)")
    p.add_argument("--lang", choices=sorted(LANGUAGES), default=DEFAULT_LANGUAGE)
    p.add_argument(
        "--color-by", choices=("rail_band", "bid"), default="rail_band", help="colour firms by"
    )
    _add_publishing(p)
    p.add_argument("--out", required=True, metavar="FILE.html")
    _add_distance(p)

    p = sub.add_parser("report", help="write the full report: pages, maps, tables, GeoPackage")
    _add_scenario(p)
    _add_distance(p)
    p.add_argument("--out", default="areas-report", metavar="DIR", help="default: ./areas-report")
    p.add_argument("--district", nargs="+", metavar="ID", help="only these districts")
    p.add_argument(
        "--compare-as-of", metavar="DATE", help=f"also show the change since this date; {DATE_HELP}"
    )
    p.add_argument("--lang", choices=sorted(LANGUAGES), default=DEFAULT_LANGUAGE)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_csv_dialect(p)
    p.add_argument(
        "--database",
        metavar="URL",
        help="also write the result layers to PostgreSQL/PostGIS: postgresql://user@host:port/db "
        "(password from PGPASSWORD or ~/.pgpass), in one transaction",
    )
    p.add_argument(
        "--schema", metavar="NAME", help="schema for --database (default: areas; created if absent)"
    )

    _add_publishing(p)
    p.add_argument(
        "--public",
        action="store_true",
        help="the public edition: no firm names, addresses or single firms, counts only",
    )
    p.add_argument(
        "--public-min-firms",
        type=int,
        default=5,
        metavar="N",
        help="public edition: map cells with fewer firms are left out (default: 5)",
    )

    p = sub.add_parser("qgis-plugin", help="write the QGIS plugin zip (Processing provider)")
    p.add_argument(
        "--out",
        default="areas_processing.zip",
        metavar="PATH",
        help="the zip to write (default: ./areas_processing.zip)",
    )
    return parser


def _add_csv_dialect(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--csv-dialect",
        choices=("standard", "excel-da"),
        default="standard",
        help="CSV: standard (, and decimal points) or excel-da (; and decimal commas)",
    )


def _add_publishing(parser: argparse.ArgumentParser) -> None:
    """Options of published maps: basemap, background, accessibility statement."""
    parser.add_argument(
        "--tiles",
        metavar="NAME_OR_URL",
        help="add a basemap: a provider name or a URL template {z}/{x}/{y} (needs network "
        "when viewed; the data are drawn when the tiles fail)",
    )
    parser.add_argument(
        "--tiles-attribution",
        metavar="TEXT",
        help="the attribution a tile URL template requires (shown on the map)",
    )
    parser.add_argument(
        "--background",
        metavar="FILE",
        default="auto",
        help="the offline background drawn under the data: a file (any GDAL format; a "
        "`kind` column picks the style), 'bundled', or 'none' (default: the bundled "
        "background for the bundled layers, none for others)",
    )
    parser.add_argument(
        "--accessibility-statement",
        metavar="URL",
        help="link every page and map to the site's accessibility statement (e.g. .../was)",
    )


def _background(value: str):
    return None if value == "none" else value


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

    return load(
        source,
        config=args.config,
        crs=args.crs,
        fallback=args.fallback,
        gtfs=getattr(args, "gtfs", None),
        service_table=getattr(args, "service_table", None),
    )


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
        cells = (
            kind,
            f"{len(frame):,}",
            str(len(src.excluded)) if src else "0",
            str(len(src.repairs)) if src else "0",
            (src.original_crs or "–") if src else "–",
            extent,
            where,
        )
        table.add_row(*(rich_cell(c) for c in cells))
    _console().print(table)
    return 0


def _cmd_validate(args) -> int:
    from areas.validate import validate

    report = validate(args.source, config=args.config, crs=args.crs, fallback=args.fallback)
    if args.format == "json":
        print(json_text(report.to_dict(), indent=2))
    else:
        print(_terminal(report.to_text()))
    return 0 if report.ok else 1


def _scenario_source(args):
    """Return the source given positionally or by ``--layers`` (not both, unless the same)."""
    if args.source and args.layers and args.source != args.layers:
        msg = f"two sources given: {args.source} and --layers {args.layers}; give one of them"
        raise ConfigError(msg)
    return args.source or args.layers


def _inputs(args, atlas) -> list[str]:
    """Return every input file and folder of the run (outputs may not replace them)."""
    from areas.output.maps.build import input_paths

    given = [_scenario_source(args), args.config]
    return [str(p) for p in given if p] + list(input_paths(atlas))


def _summary(args):
    from areas.analysis.summary import summarize

    atlas = _load(args, _scenario_source(args))
    return summarize(
        atlas,
        as_of=args.as_of,
        include=tuple(args.include),
        thresholds_m=tuple(args.thresholds),
        distance=args.distance,
        service_date=args.service_date,
        service_window=args.service_window,
    )


def _fmt(value, column: str, lang: str = "en") -> str:
    """Return one cell of the terminal table: English numbers and codes, or Danish labels."""
    if column.endswith("_share"):
        return format_share(value, lang, decimals=1, space=True)
    if lang != "en" or column.endswith(("_ha", "_m")):
        return format_cell(value, column, lang)
    return format_value(value, lang)


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


_RECONCILED = ("companies_in", "assigned", "outside", "excluded")


def _cmd_summary(args) -> int:
    summary = _summary(args)
    table = summary.table
    if args.format == "csv":
        from areas.output.export import csv_text, neutralise_formulas

        text = csv_text(neutralise_formulas(table), dialect=args.csv_dialect)
        sys.stdout.write(_terminal(text) if sys.stdout.isatty() else text)
        return 0
    if args.format == "json":
        payload = {
            "params": summary.params,
            "reconciliation": summary.reconciliation,
            "districts": json.loads(table.to_json(orient="records", date_format="iso")),
        }
        print(json_text(payload, indent=2, default=str))
        return 0
    from rich.table import Table

    params = summary.params
    lang = args.lang
    as_of = str(params.get("as_of"))[:10]
    included = ", ".join(params.get("include") or ())
    distance = params.get("distance", "straight")
    if lang == "en":
        title = (
            f"areas summary — as of {as_of}, included: {included or 'existing only'}, "
            f"distances: {distance}"
        )
    else:
        title = t(
            "cli.summary_title",
            lang,
            as_of=as_of,
            included=", ".join(status_label(s, lang) for s in params.get("include") or ())
            or t("report.existing_only", lang),
            distance=t(f"distance.{distance}", lang) if distance else "",
        )
    out = Table(title=rich_cell(title))
    columns = [c for c in _table_columns(params.get("thresholds_m", ())) if c in table.columns]
    for col in columns:
        is_text = col in ("name", "municipality", "status")
        # Fold long names onto more lines rather than cutting them off.
        out.add_column(
            rich_cell(col.replace("_", " ") if lang == "en" else column_label(col, lang)),
            justify="left" if is_text else "right",
            overflow="fold" if is_text else "ellipsis",
            min_width=20 if col == "name" else None,
        )
    for _, row in table.iterrows():
        out.add_row(*(rich_cell(_fmt(row[c], c, lang)) for c in columns))
    console = _console()
    console.print(out)
    rec = summary.reconciliation
    if lang == "en":
        line = (
            f"Firms in: {rec['companies_in']:,} = assigned {rec['assigned']:,} "
            f"+ outside every district {rec['outside']:,} + excluded {rec['excluded']:,}"
        )
    else:
        line = t(
            "report.reconciliation",
            lang,
            **{
                k: format_number(rec[k], lang)
                for k in ("companies_in", "assigned", "outside", "excluded")
            },
        )
    console.print(rich_cell(line), highlight=False)
    return 0


def _cmd_map(args) -> int:
    from areas._atomic import check_file_target, refuse_inputs
    from areas.analysis.summary import summarize
    from areas.output.maps import MapOptions, district_map, overview_map, save_map

    check_file_target(args.out)
    atlas = _load(args, _scenario_source(args))
    refuse_inputs(args.out, _inputs(args, atlas))
    summary = summarize(
        atlas,
        as_of=args.as_of,
        include=tuple(args.include),
        service_date=args.service_date,
        service_window=args.service_window,
    )
    options = MapOptions(
        as_of=args.as_of,
        include=tuple(args.include),
        lang=args.lang,
        color_by=args.color_by,
        tiles=args.tiles or False,
        tiles_attribution=args.tiles_attribution,
        background=_background(args.background),
        accessibility_statement=args.accessibility_statement,
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
    print(_terminal(t("cli.map_written", args.lang, path=str(path))))
    return 0


def _cmd_report(args) -> int:
    from areas._atomic import refuse_inputs
    from areas.output.report.write import write_report

    atlas = _load(args, _scenario_source(args))
    refuse_inputs(args.out, _inputs(args, atlas), "folder")
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
        service_date=args.service_date,
        service_window=args.service_window,
        progress=not args.quiet,
        csv_dialect=args.csv_dialect,
        database=args.database,
        schema=args.schema,
        public=args.public,
        public_min_firms=args.public_min_firms,
        tiles=args.tiles or False,
        tiles_attribution=args.tiles_attribution,
        background=_background(args.background),
        accessibility_statement=args.accessibility_statement,
    )
    return 0


def _cmd_qgis_plugin(args) -> int:
    from areas.qgis import write_plugin_zip

    print(f"QGIS plugin written to {write_plugin_zip(args.out)}")
    return 0


_COMMANDS = {
    "layers": _cmd_layers,
    "validate": _cmd_validate,
    "summary": _cmd_summary,
    "map": _cmd_map,
    "report": _cmd_report,
    "qgis-plugin": _cmd_qgis_plugin,
}


def _terminal(text: object) -> str:
    """Return text for the terminal: control characters escaped, lines kept."""
    return terminal_text(text, keep_newlines=True)


def _error(exc: object) -> None:
    print(f"areas: error: {_terminal(exc)}", file=sys.stderr)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    prefix = "warning" if issubclass(category, AreasWarning) else category.__name__
    print(f"areas: {prefix}: {_terminal(message)}", file=sys.stderr)


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
            _check_dates(args)
            return _COMMANDS[args.command](args)
        except (OutputError, DatabaseError) as exc:
            _error(exc)
            return 1
        except AreasError as exc:
            _error(exc)
            return 2
        except FileNotFoundError as exc:
            _error(f"no such file or folder: {exc.filename or exc}")
            return 2
        except PermissionError as exc:
            _error(f"permission denied: {exc.filename or exc}")
            return 1
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            _error(f"{where}{exc.strerror or exc}")
            return 1
        except KeyboardInterrupt:
            print("areas: interrupted", file=sys.stderr)
            return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
