"""Batch reports: a website folder with one page per district, tables and layers.

:func:`write_report` runs the analyses once and writes a folder that works
offline as it is (open ``index.html`` from disk or copy the folder to a web
server) and prints cleanly on A4::

    areas-report/
        index.html               overview map, summary table, links, downloads
        map.html                 the overview map (self-contained Leaflet)
        districts/<slug>.html    one page per district
        districts/<slug>.map.html  its map
        summary.csv, summary.xlsx  one row per district (the ``areas summary`` columns)
        companies.csv, .xlsx     every firm: district, BID status, nearest stops, distances
        results.gpkg             result layers in EPSG:25832 with QGIS styles (GDAL, QGIS)
        provenance.json          version, inputs (SHA-256), parameters, counts, files

Atomic output
-------------
The report is built in a staging folder beside ``out_dir``
(``.areas-tmp-<name>-new-<pid>-<random>``), checked (every file present, CSV
row counts, GeoPackage layers and counts, JSON readable), and only then put
in place by :func:`areas._atomic.swap_into_place` (one exchange of the two
folders where the operating system can). A run that fails or is killed leaves
the previous report untouched; the next run removes the leftovers of dead
runs (and, if a run died between the two renames, first puts the previous
report back).

The pieces: :mod:`~areas.output.report.context` (the typed context of a run),
:mod:`~areas.output.report.pages` and :mod:`~areas.output.report.sections`
(one function per page and page section), :mod:`~areas.output.report.files`
(maps, tables, GeoPackage), :mod:`~areas.output.report.provenance` and
:mod:`~areas.output.report.static_map`.

An existing ``out_dir`` is replaced only when it is empty or holds a report
written by this toolkit (its ``provenance.json`` says so); any other folder is
refused, so a mistyped ``--out`` never deletes unrelated files. Files a user
added to an earlier report (any file its ``provenance.json`` does not list)
are kept: they are copied into the new report before it is put in place. A
report file that was edited since (its SHA-256 differs from the one listed)
stops the run with its name, so edits are never lost without a word. A
folder that is, or holds, one of the input files is refused.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

import areas.output.i18n as _i18n
from areas._atomic import atomic_folder, output_error, recover_folder, refuse_inputs, write_text
from areas.constants import (
    CORE_AREA_M,
    DEFAULT_LANGUAGE,
    DEFAULT_SERVICE_WINDOW,
    DEFAULT_THRESHOLDS_M,
    LANGUAGES,
)
from areas.errors import ConfigError, OutputError, format_ids
from areas.load._readers import file_sha256
from areas.output.i18n import format_number
from areas.output.report import files, pages, provenance
from areas.output.report.context import ReportContext, ReportOptions, by_district, make_context
from areas.output.report.files import GPKG_LAYERS as GPKG_LAYERS
from areas.output.report.provenance import GENERATOR
from areas.output.report.slugs import RESERVED_NAMES as RESERVED_NAMES
from areas.output.report.slugs import district_slugs, safe_slug
from areas.output.report.tables import MAX_LIST_ROWS, _label

__all__ = [
    "ReportResult",
    "write_report",
    "safe_slug",
    "district_slugs",
    "recover",
    "REPORT_LABELS",
    "MAX_LIST_ROWS",
]

#: Fingerplan station-near core distance (m): firms farther than this are listed
#: (:data:`areas.constants.CORE_AREA_M`; this name is kept for one release).
CORE_DISTANCE_M = CORE_AREA_M

#: The report's own labels by language, keyed without their ``report.`` prefix
#: (they live with the shared map and column labels in :mod:`areas.output.i18n`).
REPORT_LABELS: dict[str, dict[str, str]] = {
    lang: _i18n.labels(lang, prefix="report.") for lang in LANGUAGES
}


@dataclass(frozen=True)
class ReportResult:
    """What :func:`write_report` wrote.

    Attributes
    ----------
    out_dir : pathlib.Path
        The report folder.
    index : pathlib.Path
        Its front page.
    pages : dict of str to pathlib.Path
        District id -> district page.
    files : tuple of str
        Every file of the report, relative to ``out_dir`` (``/``-separated).
    summary : Summary
        The analyses behind the report (``as_of``).
    comparison : pandas.DataFrame or None
        Per district, numeric summary columns at ``as_of`` minus at ``compare_as_of``.
    provenance : dict
        The content of ``provenance.json``.
    elapsed_s : float
        Run time in seconds.
    """

    out_dir: Path
    index: Path
    pages: dict[str, Path]
    files: tuple[str, ...]
    summary: Any
    comparison: pd.DataFrame | None
    provenance: dict = field(repr=False)
    elapsed_s: float = 0.0

    def __repr__(self) -> str:
        return (
            f"ReportResult(out_dir={str(self.out_dir)!r}, pages={len(self.pages)}, "
            f"files={len(self.files)})"
        )


def recover(out_dir: str | os.PathLike) -> list[Path]:
    """Clean up after runs of :func:`write_report` that were killed.

    If ``out_dir`` is missing but a complete backup of it exists (a run died
    between moving the old report aside and moving the new one in), the
    backup is put back. Then staging and backup folders of ``out_dir`` left by
    processes that no longer run are deleted. Folders of a run still in
    progress are left alone.

    Parameters
    ----------
    out_dir : path
        The report folder.

    Returns
    -------
    list of pathlib.Path
        The folders removed.
    """
    return recover_folder(out_dir)


def _is_report_folder(path: Path) -> bool:
    try:
        entries = list(path.iterdir())
    except NotADirectoryError:
        return False
    if not entries:
        return True
    try:
        data = json.loads((path / "provenance.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("generator") == GENERATOR


def _check_target(out_dir: Path) -> None:
    if out_dir.is_symlink():
        msg = f"`out_dir` {out_dir} is a symbolic link; give the folder it points to"
        raise OutputError(msg)
    if out_dir.is_dir() and os.path.ismount(out_dir):
        msg = (
            f"`out_dir` {out_dir} is a mount point and cannot be replaced; give a folder "
            f"inside it, e.g. {out_dir / 'areas-report'}"
        )
        raise OutputError(msg)
    if out_dir.exists() and not out_dir.is_dir():
        msg = f"`out_dir` {out_dir} is a file; give a folder name"
        raise OutputError(msg)
    if out_dir.is_dir() and not _is_report_folder(out_dir):
        msg = (
            f"`out_dir` {out_dir} exists and is not a report written by areas (it has no areas "
            "provenance.json); choose a new or empty folder, or remove this one first"
        )
        raise OutputError(msg)


def _previous_files(out_dir: Path) -> dict[str, str]:
    """Return the files of the earlier report in ``out_dir`` and their SHA-256."""
    try:
        data = json.loads((out_dir / "provenance.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    listed = data.get("files") if isinstance(data, dict) else None
    out = {"provenance.json": ""}
    for item in listed or ():
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            out[item["path"]] = str(item.get("sha256") or "")
    return out


def _user_files(out_dir: Path) -> list[str]:
    """Return the files in an earlier report that it did not write (a user's), ``/``-separated.

    Raises :class:`OutputError` when a file the report wrote was edited since.
    """
    if not out_dir.is_dir():
        return []
    previous = _previous_files(out_dir)
    added, edited = [], []
    for path in sorted(out_dir.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        rel = path.relative_to(out_dir).as_posix()
        if rel not in previous:
            added.append(rel)
        elif previous[rel] and (path.is_symlink() or file_sha256(path) != previous[rel]):
            edited.append(rel)
    if edited:
        msg = (
            f"`out_dir` {out_dir} holds report files edited since it was written: "
            f"{format_ids(edited)}; a new report would replace them. Copy them elsewhere "
            "(or delete them) and run again, or give another --out folder"
        )
        raise OutputError(msg)
    return added


def _carry_user_files(out_dir: Path, staging: Path, names: list[str], written: Iterable[str]):
    """Copy the user's files of the earlier report into the new one (``staging``)."""
    import shutil

    clash = sorted(set(names) & set(written))
    if clash:
        msg = (
            f"`out_dir` {out_dir} holds files of yours that the new report would overwrite: "
            f"{format_ids(clash)}; rename or move them and run again, or give another --out folder"
        )
        raise OutputError(msg)
    for rel in names:
        dest = staging / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(out_dir / rel, dest, follow_symlinks=False)


def _check_staging(
    staging: Path, *, files: Iterable[str], csv_rows: Mapping[str, int], gpkg: Mapping[str, int]
) -> None:
    from areas.output.export import count_csv_rows, gpkg_layer_counts

    missing = [f for f in files if not (staging / f).is_file() or (staging / f).stat().st_size == 0]
    if missing:
        msg = f"report check failed: files missing or empty: {format_ids(missing)}"
        raise OutputError(msg, path=staging)
    for name, rows in csv_rows.items():
        found = count_csv_rows(staging / name)
        if found != rows:
            msg = f"report check failed: {name} has {found} rows, expected {rows}"
            raise OutputError(msg, path=staging / name)
    counts = gpkg_layer_counts(staging / "results.gpkg")
    styles = counts.pop("layer_styles", 0)  # QGIS's style table, an attribute table
    if counts != dict(gpkg):
        msg = f"report check failed: results.gpkg has layers {counts}, expected {dict(gpkg)}"
        raise OutputError(msg, path=staging / "results.gpkg")
    if styles < len(gpkg):
        msg = f"report check failed: results.gpkg has {styles} styles for {len(gpkg)} layers"
        raise OutputError(msg, path=staging / "results.gpkg")
    data = json.loads((staging / "provenance.json").read_text(encoding="utf-8"))
    if data.get("generator") != GENERATOR:
        msg = "report check failed: provenance.json is not readable"
        raise OutputError(msg, path=staging / "provenance.json")
    # Resources from the network (scripts, images, frames, stylesheets); a link a reader
    # follows (the accessibility statement) is no resource.
    external = re.compile(
        r"""(?:\bsrc|<link\b[^>]*\bhref)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE
    )
    for page in files:
        if page.endswith(".html") and not page.endswith(".map.html") and page != "map.html":
            text = (staging / page).read_text(encoding="utf-8")
            if "</html>" not in text or external.search(text):
                msg = f"report check failed: {page} is incomplete or refers to the network"
                raise OutputError(msg, path=staging / page)


def _comparison(summary_before, summary_after) -> pd.DataFrame:
    from areas.analysis.summary import compare

    diff = compare(summary_before, summary_after)
    return by_district(pd.DataFrame(diff))


def _resolve_districts(atlas, districts) -> list[str]:
    all_ids = [str(d) for d in atlas.districts["district_id"]]
    if districts is None:
        return all_ids
    if isinstance(districts, str):
        districts = [districts]
    wanted = [str(d) for d in dict.fromkeys(str(d) for d in districts)]
    unknown = [d for d in wanted if d not in all_ids]
    if unknown:
        msg = (
            f"`districts` names unknown district ids {format_ids(unknown)}; "
            f"valid ids: {format_ids(all_ids, limit=30)}"
        )
        raise ConfigError(msg)
    if not wanted:
        msg = (
            f"`districts` is empty; give district ids among {format_ids(all_ids, limit=30)} "
            "or None for all"
        )
        raise ConfigError(msg)
    return [d for d in all_ids if d in wanted]


def _check_options(lang, distance, thresholds_m) -> tuple[float, ...]:
    """Check the options before anything is written; return the thresholds as given."""
    from areas.analysis.transit.access import _check_distance, _threshold_values

    _i18n.check_lang(lang)
    if distance is not None:
        _check_distance(distance)
    return _threshold_values(thresholds_m)


class _Steps:
    """A rich progress bar, or nothing."""

    def __init__(self, enabled: bool, total: int, lang: str):
        self.lang = lang
        self.progress = None
        if enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self.progress = Progress(
                TextColumn("[bold]{task.description:<32}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.bar = self.progress.add_task("", total=total)

    def __enter__(self):
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.stop()

    def step(self, key: str, advance: int = 0) -> None:
        if self.progress is not None:
            self.progress.update(self.bar, description=_label(key, self.lang), advance=advance)

    def advance(self, n: int = 1) -> None:
        if self.progress is not None:
            self.progress.advance(self.bar, n)


def _resolve_options(
    atlas: Any,
    districts: Iterable[str] | str | None,
    as_of: object,
    include: Iterable[str] | str,
    compare_as_of: object,
    lang: str,
    thresholds_m: Iterable[float],
    distance: str | None,
    csv_dialect: str = "standard",
    database: str | None = None,
    schema: str | None = None,
    publishing: Mapping[str, Any] | None = None,
) -> ReportOptions:
    """Check and resolve the options before anything is written."""
    from areas.output.export import check_csv_dialect
    from areas.scenario import resolve_as_of, resolve_include

    thresholds = _check_options(lang, distance, thresholds_m)
    from areas.analysis.transit.access import _check_distance

    if distance is None:
        distance = "network" if atlas.has_network else "straight"
    distance = _check_distance(distance)
    if distance == "network" and not atlas.has_network:
        from areas.analysis.transit.access import _network_basis

        _network_basis(None, None)  # raises: the message says how to give a network
    check_csv_dialect(csv_dialect)
    database, schema = _check_database(database, schema)
    as_of_ts = resolve_as_of(as_of)
    compare_ts = None if compare_as_of is None else resolve_as_of(compare_as_of)
    included = resolve_include(include)
    return ReportOptions(
        selected=_resolve_districts(atlas, districts),
        as_of=as_of_ts,
        compare_as_of=compare_ts,
        include=included,
        thresholds=thresholds,
        distance=distance,
        lang=lang,
        csv_dialect=csv_dialect,
        database=database,
        schema=schema,
        **_check_publishing(dict(publishing or {})),
    )


def _check_database(database: str | None, schema: str | None) -> tuple[str | None, str | None]:
    """Check ``database`` and ``schema`` before anything is written (schema default ``areas``)."""
    if database is None:
        if schema is not None:
            msg = "`schema` names a database schema; give the database too (`database=URL`)"
            raise ConfigError(msg)
        return None, None
    from areas.load.postgis import parse_url

    parse_url(database)
    schema = "areas" if schema is None else schema
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
        msg = (
            f"`schema` {schema!r} is not a valid schema name. "
            "Fix: use lower-case ASCII letters, digits and _ (at most 63)"
        )
        raise ConfigError(msg)
    return database, schema


def _check_publishing(options: dict[str, Any]) -> dict[str, Any]:
    """Check the publishing options (tiles, background, statement, public edition)."""
    minimum = options.get("public_min_firms", 5)
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
        msg = f"`public_min_firms` must be a whole number of at least 1, got {minimum!r}"
        raise ConfigError(msg)
    statement = options.get("accessibility_statement")
    if statement is not None and (not isinstance(statement, str) or not statement.strip()):
        msg = (
            "`accessibility_statement` must be the URL of the site's accessibility statement "
            f"(e.g. https://www.albertslund.dk/was), got {statement!r}"
        )
        raise ConfigError(msg)
    if options.get("tiles") and isinstance(options["tiles"], str) and "{" in options["tiles"]:
        if not options.get("tiles_attribution"):
            msg = (
                "a tile URL template needs its attribution: give `tiles_attribution` "
                "(CLI --tiles-attribution), e.g. the text the tile service asks for"
            )
            raise ConfigError(msg)
    options["public"] = bool(options.get("public", False))
    return options


def _prepare_out_dir(out_dir: str | os.PathLike) -> Path:
    """Return ``out_dir`` as an absolute path, its leftovers cleaned up and checked."""
    out_dir = Path(out_dir).absolute()
    if not out_dir.name or out_dir.name in (".", ".."):
        msg = f"`out_dir` must name a folder, got {out_dir}"
        raise ConfigError(msg)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, out_dir, "folder") from None
    recover(out_dir)
    _check_target(out_dir)
    return out_dir


def write_report(
    atlas,
    out_dir: str | os.PathLike = "areas-report",
    *,
    districts: Iterable[str] | str | None = None,
    as_of: object = None,
    include: Iterable[str] | str = (),
    compare_as_of: object = None,
    lang: str = DEFAULT_LANGUAGE,
    thresholds_m: Iterable[float] = DEFAULT_THRESHOLDS_M,
    distance: Literal["straight", "detour", "network", "walk"] | None = None,
    service_date: object = None,
    service_window: tuple[str, str] | str = DEFAULT_SERVICE_WINDOW,
    progress: bool = True,
    csv_dialect: Literal["standard", "excel-da"] = "standard",
    database: str | None = None,
    schema: str | None = None,
    public: bool = False,
    public_min_firms: int = 5,
    tiles: Any = False,
    tiles_attribution: str | None = None,
    background: Any = "auto",
    accessibility_statement: str | None = None,
) -> ReportResult:
    """Write the report folder: pages, maps, tables, GeoPackage and provenance.

    Parameters
    ----------
    atlas : Atlas
        The layers (from :func:`areas.load`).
    out_dir : path, default "areas-report"
        The report folder. Replaced as a whole (atomically) when it holds an
        earlier report; an existing folder that is not a report is refused.
    districts : iterable of str, optional
        District ids to report on (default: all). Firms, BIDs and rewilding
        plots of the tables and layers are limited to these districts.
    as_of : date-like, optional
        Scenario date (default: today).
    include : iterable of str, default ()
        Stop statuses counted before they open: ``"planned"``, ``"study"``.
    compare_as_of : date-like, optional
        A second date; every page then shows the change from this date to ``as_of``.
    lang : {"en", "da"}, default "en"
        Language of the pages and table headers (the CSV/GeoPackage columns
        keep their English names).
    thresholds_m : iterable of float, default (400, 600, 800, 1200)
        Distance thresholds of the accessibility shares.
    distance : {"straight", "detour", "network"}, optional
        The distance behind shares, bands and medians: default ``"network"``
        when the atlas has a network layer, else ``"straight"``; ``"walk"`` is
        the former name of ``"detour"``.
    service_date : date-like, optional
        The day service frequencies are counted on, when the atlas has
        service data (see :func:`areas.summarize`).
    service_window : pair of "HH:MM" or "HH:MM-HH:MM", default ("07:00", "09:00")
        The clock window of the frequencies.
    progress : bool, default True
        Show a progress bar while running and a summary at the end (rich).
    csv_dialect : {"standard", "excel-da"}, default "standard"
        ``summary.csv`` and ``companies.csv``: ``,``-separated with decimal
        points, or ``;``-separated with decimal commas (Danish Excel). Both
        start with a UTF-8 byte order mark.
    database : str, optional
        ``postgresql://user@host:port/database`` (no password: ``PGPASSWORD``
        or ``~/.pgpass``): also write the result layers of ``results.gpkg``
        as tables of ``schema``, in one transaction, after every file of the
        report has passed its checks and before the folder is put in place.
        When the database refuses, nothing is written there and the previous
        report folder is left as it was.
    schema : str, optional
        The schema for ``database`` (default ``areas``; created when absent;
        tables of the same names are replaced).
    public : bool, default False
        The public edition, for a website: no firm names, addresses or
        single firms on the pages, maps or in the files (no ``companies.csv``,
        no firm layer in ``results.gpkg``, no firm points on the maps); firms
        appear only as counts: per district, and per grid cell on the maps and
        in ``results.gpkg`` (``company_cells``), cells with fewer than
        ``public_min_firms`` firms left out. The provenance says so. The
        default edition (for case work) keeps the lists of firms.
    public_min_firms : int, default 5
        The fewest firms a grid cell of the public edition shows.
    tiles, tiles_attribution : optional
        A basemap for the maps (:class:`~areas.output.maps.options.MapOptions`):
        a provider name or a URL template, with its attribution.
    background : default "auto"
        The maps' offline background (see ``MapOptions.background``).
    accessibility_statement : str, optional
        URL of the site's accessibility statement (Danish sites: ``/was``),
        linked from every page and map.

    Returns
    -------
    ReportResult

    Raises
    ------
    ConfigError
        For an unknown district id, language, distance method or a bad date.
    OutputError
        When ``out_dir`` exists and is not a report, or a file fails its check
        (the previous report is then left as it was).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import areas
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "rapport"
    >>> result = areas.write_report(areas.load(), out, as_of="2026-01-01",
    ...                             compare_as_of="2025-01-01", lang="da", progress=False)
    >>> result.index.name, (out / "results.gpkg").exists()
    ('index.html', True)
    """
    t0 = time.perf_counter()
    started = dt.datetime.now().astimezone()
    publishing = {
        "public": public,
        "public_min_firms": public_min_firms,
        "tiles": tiles,
        "tiles_attribution": tiles_attribution,
        "background": background,
        "accessibility_statement": accessibility_statement,
    }
    opts = _resolve_options(
        atlas,
        districts,
        as_of,
        include,
        compare_as_of,
        lang,
        thresholds_m,
        distance,
        csv_dialect,
        database,
        schema,
        publishing,
    )
    from areas.output.maps.build import input_paths

    refuse_inputs(out_dir, input_paths(atlas), "folder")
    out_dir = _prepare_out_dir(out_dir)
    kept = _user_files(out_dir)

    n = len(opts.selected)
    total_steps = 1 + (1 if opts.compare_as_of is not None else 0) + (1 + n) + 4 + (1 + n) + 1
    with _Steps(progress, total_steps, lang) as steps:
        steps.step("progress_analyses")
        from areas.analysis.summary import summarize

        options: dict[str, Any] = {
            "include": opts.include,
            "thresholds_m": opts.thresholds,
            "distance": opts.distance,
            "service_date": service_date,
            "service_window": service_window,
        }
        summary = summarize(atlas, as_of=opts.as_of, **options)
        steps.advance()
        comparison = None
        summary_before = None
        if opts.compare_as_of is not None:
            steps.step("progress_compare")
            summary_before = summarize(atlas, as_of=opts.compare_as_of, **options)
            comparison = _comparison(summary_before, summary)
            steps.advance()

        built: dict[str, Any] = {}

        def check(staging: Path) -> None:
            ctx = make_context(
                atlas,
                staging,
                summary,
                summary_before,
                comparison,
                opts,
                steps=steps,
                started=started,
                t0=t0,
            )
            built.update(_write_bundle(ctx))
            steps.step("progress_check")
            _check_staging(
                staging, files=built["files"], csv_rows=built["csv_rows"], gpkg=built["gpkg"]
            )
            _carry_user_files(out_dir, staging, kept, [*built["files"], "provenance.json"])
            if opts.database is not None:
                steps.step("progress_database")
                written = files.write_database(built["context"])
                if written != dict(built["gpkg"]):
                    msg = f"database check failed: wrote {written}, expected {built['gpkg']}"
                    raise OutputError(msg, path=f"{opts.database} schema {opts.schema}")

        with atomic_folder(out_dir, check=check):
            pass
        steps.advance()

    elapsed = time.perf_counter() - t0
    result = ReportResult(
        out_dir=out_dir,
        index=out_dir / "index.html",
        pages={d: out_dir / rel for d, rel in built["pages"].items()},
        files=tuple(built["files"]) + ("provenance.json",),
        summary=summary,
        comparison=comparison,
        provenance=built["provenance"],
        elapsed_s=elapsed,
    )
    if progress:
        _print_done(result, built, lang)
    return result


def _print_done(result: ReportResult, built: dict, lang: str) -> None:
    from rich.console import Console
    from rich.panel import Panel
    from rich.table import Table

    L = lambda key, **v: _label(key, lang, **v)  # noqa: E731
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(L("done_folder"), str(result.out_dir))
    grid.add_row(L("done_open"), result.index.as_uri())
    grid.add_row(L("done_pages"), f"index.html + {len(result.pages)} × districts/<id>.html")
    grid.add_row(L("done_tables"), "summary.csv, summary.xlsx, companies.csv, companies.xlsx")
    layers = ", ".join(f"{k} ({format_number(v, lang)})" for k, v in built["gpkg"].items())
    grid.add_row(L("done_layers"), f"results.gpkg: {layers}")
    grid.add_row("provenance.json", built["provenance_view"]["reconciliation_line"])
    grid.add_row(
        L("run_time"), L("seconds", value=format_number(result.elapsed_s, lang, decimals=1))
    )
    Console().print(Panel(grid, title=L("done_title"), expand=False))


def _write_bundle(ctx: ReportContext) -> dict[str, Any]:
    """Write every file of the report into the staging folder; return what was written."""
    steps = ctx.steps
    steps.step("progress_maps")
    files.write_maps(ctx)
    steps.step("progress_tables")
    files.write_tables(ctx)
    steps.advance(4)
    steps.step("progress_pages")
    ctx.provenance = provenance.make_provenance(ctx, time.perf_counter() - ctx.t0)
    ctx.prov_view = provenance.provenance_view(ctx.provenance, ctx.lang)
    pages.setup_templates(ctx)
    pages.write_index(ctx)
    steps.advance()
    written = {}
    for d in ctx.selected:
        written[d] = pages.write_district(ctx, d)
        steps.advance()
    ctx.provenance["files"] = [
        {
            "path": f,
            "bytes": (ctx.staging / f).stat().st_size,
            "sha256": file_sha256(ctx.staging / f),
        }
        for f in ctx.files
    ]
    text = json.dumps(ctx.provenance, ensure_ascii=False, indent=2, default=str) + "\n"
    write_text(ctx.staging / "provenance.json", text)
    return {
        "files": list(ctx.files),
        "csv_rows": ctx.csv_rows,
        "gpkg": ctx.gpkg,
        "pages": written,
        "provenance": ctx.provenance,
        "provenance_view": ctx.prov_view,
        "context": ctx,
    }
