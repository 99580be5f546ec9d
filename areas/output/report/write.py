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
        companies.csv            every firm: district, BID status, nearest stops, distances
        results.gpkg             result layers in EPSG:25832 (GDAL, QGIS)
        provenance.json          version, inputs (SHA-256), parameters, counts, files

Atomic output
-------------
The report is built in a staging folder beside ``out_dir``
(``.areas-tmp-<name>-new-<pid>-<random>``), checked (every file present, CSV
row counts, GeoPackage layers and counts, JSON readable), and only then put
in place. On Linux the two folders are exchanged in one step
(``renameat2(RENAME_EXCHANGE)``), so ``out_dir`` always holds a complete
report, the old or the new one; elsewhere the old folder is first renamed to
``.areas-tmp-<name>-old-<pid>-<random>`` and the new one renamed into place.
A run that fails or is killed leaves the previous report untouched; the next
run removes the leftovers of dead runs (and, if a run died between the two
renames, first puts the previous report back).

An existing ``out_dir`` is replaced only when it is empty or holds a report
written by this toolkit (its ``provenance.json`` says so); any other folder is
refused, so a mistyped ``--out`` never deletes unrelated files.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import areas.output.i18n as _i18n
from areas._atomic import TMP_PREFIX, write_text
from areas.errors import ConfigError, OutputError, format_ids
from areas.load._readers import file_sha256
from areas.output.i18n import band_label, column_label, format_cell, format_number, status_label
from areas.schema import MODE_GROUPS, STATUSES, WORK_CRS

__all__ = [
    "ReportResult",
    "write_report",
    "safe_slug",
    "district_slugs",
    "recover",
    "REPORT_LABELS",
    "MAX_LIST_ROWS",
]

#: Firms listed per table on a district page; the full lists are in ``companies.csv``.
MAX_LIST_ROWS = 500
#: Name of the generator recorded in ``provenance.json`` (marks a folder as a report).
GENERATOR = "areas"
#: Fingerplan station-near core distance (m): firms farther than this are listed.
CORE_DISTANCE_M = 600
#: Windows device names; never used as file names (with or without extension).
RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)
_SLUG_MAX = 60
_STAGING_RANDOM = r"[a-z0-9_]{8}"

#: The report's own labels by language, keyed without their ``report.`` prefix
#: (they live with the shared map and column labels in :mod:`areas.output.i18n`).
REPORT_LABELS: dict[str, dict[str, str]] = {
    lang: _i18n.labels(lang, prefix="report.") for lang in _i18n.LANGS
}

#: Columns of the summary table on the front page, in order (those present are shown).
_INDEX_COLUMNS = (
    "municipality",
    "status",
    "area_ha",
    "companies",
    "employees",
    "bid_area_share",
    "companies_in_bid_share",
    "bid_participation_share",
    "rewilded_ha",
    "rewilded_share",
    "rail_600m_companies_share",
    "rail_600m_employees_share",
    "median_rail_distance_m",
)
#: Summary columns added up in the total row.
_ADDITIVE = (
    "area_ha",
    "companies",
    "employees",
    "bid_area_ha",
    "companies_in_bid",
    "bid_members",
    "rewilded_ha",
)
#: Key figures of a district page.
_KEY_FIGURES = (
    "area_ha",
    "companies",
    "employees",
    "bid_area_share",
    "companies_in_bid_share",
    "rewilded_ha",
    "rewilded_share",
    "rail_600m_companies_share",
    "median_rail_distance_m",
)
#: Figures of the BID, rewilding and transit sections of a district page.
_BID_FIGURES = (
    "bid_area_ha",
    "bid_area_share",
    "companies_in_bid",
    "companies_in_bid_share",
    "employees_in_bid_share",
    "bid_members",
    "bid_participation_share",
)
_REWILDING_FIGURES = (
    "rewilded_ha",
    "rewilded_share",
    "plots",
    "owners",
    "firm_owners",
    "municipal_owners",
    "overlap_ha",
)
_TRANSIT_FIGURES = (
    "rail_600m_companies_share",
    "rail_600m_employees_share",
    "median_rail_distance_m",
    "median_bus_distance_m",
)
#: Columns compared on the front page when ``compare_as_of`` is given.
_INDEX_COMPARE = (
    "companies_in_bid_share",
    "bid_area_share",
    "rewilded_ha",
    "rail_600m_companies_share",
    "rail_600m_employees_share",
    "median_rail_distance_m",
)
#: Result layers of ``results.gpkg`` and their geometry types.
GPKG_LAYERS = {
    "districts": "MultiPolygon",
    "companies": "Point",
    "stops_in_service": "Point",
    "active_bids": "MultiPolygon",
    "rewilding_plots": "MultiPolygon",
}


# --------------------------------------------------------------------------- result


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


# --------------------------------------------------------------------------- labels & formats


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
    return column.endswith(("_share", "_ha", "_m", "_m2")) or column in (
        "companies",
        "employees",
        "companies_in_bid",
        "employees_in_bid",
        "bid_members",
        "members",
        "invited",
        "plots",
        "owners",
        "firm_owners",
        "municipal_owners",
        "species_count",
    )


# --------------------------------------------------------------------------- slugs


def safe_slug(text: object, *, max_length: int = _SLUG_MAX) -> str:
    """Return a file-name-safe slug for a district id.

    The slug holds only ``a-z``, ``0-9`` and ``-``: it cannot contain a path
    separator, ``..``, a drive letter or a leading dot, so a page named after
    it stays inside the report folder on every operating system. Danish
    letters are transliterated (æ → ae, ø → oe, å → aa), other accents
    dropped; Windows device names (``CON``, ``NUL``, ``COM1`` ...) get a
    suffix; an id with nothing usable becomes ``district``.

    Parameters
    ----------
    text : object
        The district id (any text).
    max_length : int, default 60
        Longest slug returned.

    Returns
    -------
    str

    Examples
    --------
    >>> safe_slug("Røde Vejrmølle")
    'roede-vejrmoelle'
    >>> safe_slug("../../etc/passwd")
    'etc-passwd'
    >>> safe_slug("CON")
    'con-district'
    >>> safe_slug("..")
    'district'
    """
    s = unicodedata.normalize("NFKC", str(text)).lower()
    for a, b in (
        ("æ", "ae"),
        ("ø", "oe"),
        ("å", "aa"),
        ("ß", "ss"),
        ("đ", "d"),
        ("ł", "l"),
        ("ı", "i"),
    ):
        s = s.replace(a, b)
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    s = s[:max_length].rstrip("-")
    if not s:
        s = "district"
    if s in RESERVED_NAMES:
        s = f"{s}-district"
    return s


def district_slugs(ids: Iterable[object]) -> dict[str, str]:
    """Return a unique :func:`safe_slug` for each id.

    Ids whose slugs collide (``"A 1"`` and ``"a-1"``, or ids differing only
    in case, which collide on case-insensitive file systems) keep the plain
    slug only where the id already is that slug; the others get the first
    eight hex digits of the SHA-1 of the id appended, so the result depends
    only on the ids, not on their order.

    Examples
    --------
    >>> district_slugs(["holmene", "Holmene"])
    {'holmene': 'holmene', 'Holmene': 'holmene-fb92ec55'}
    """
    unique = list(dict.fromkeys(str(i) for i in ids))
    base = {i: safe_slug(i) for i in unique}
    groups: dict[str, list[str]] = {}
    for i in unique:
        groups.setdefault(base[i], []).append(i)
    out: dict[str, str] = {}
    for slug, members in groups.items():
        for i in members:
            if len(members) == 1 or i == slug:
                out[i] = slug
            else:
                out[i] = (
                    f"{slug[: _SLUG_MAX - 9]}-{hashlib.sha1(i.encode('utf-8')).hexdigest()[:8]}"
                )
    taken: dict[str, str] = {}
    for i, slug in out.items():  # a hashed slug meeting a plain one: extend the hash
        while slug in taken and taken[slug] != i:
            slug = f"{slug}-{hashlib.sha1(slug.encode('utf-8')).hexdigest()[:4]}"
        taken[slug] = i
        out[i] = slug
    return out


# --------------------------------------------------------------------------- atomic folder


def _staging_pattern(name: str) -> re.Pattern[str]:
    return re.compile(
        re.escape(TMP_PREFIX + name) + r"-(new|old|del)-(\d+)-" + _STAGING_RANDOM + r"$"
    )


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own leftovers (an earlier run in this process) are stale
    if os.name != "posix":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _leftovers(out_dir: Path) -> list[tuple[str, int, Path]]:
    """Return (kind, pid, path) of staging/backup folders of ``out_dir``."""
    pattern = _staging_pattern(out_dir.name)
    found = []
    try:
        entries = list(out_dir.parent.iterdir())
    except FileNotFoundError:
        return []
    for entry in entries:
        m = pattern.match(entry.name)
        if m and entry.is_dir() and not entry.is_symlink():
            found.append((m.group(1), int(m.group(2)), entry))
    return found


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
    out_dir = Path(out_dir).absolute()
    dead = [(kind, pid, path) for kind, pid, path in _leftovers(out_dir) if not _pid_alive(pid)]
    if not out_dir.exists():
        backups = sorted(
            (p for kind, _, p in dead if kind == "old"), key=lambda p: p.stat().st_mtime
        )
        if backups:
            os.rename(backups[-1], out_dir)
            dead = [d for d in dead if d[2] != backups[-1]]
    removed = []
    for _, _, path in dead:
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            removed.append(path)
    return removed


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
    if out_dir.exists() and not out_dir.is_dir():
        msg = f"`out_dir` {out_dir} is a file; give a folder name"
        raise OutputError(msg)
    if out_dir.is_dir() and not _is_report_folder(out_dir):
        msg = (
            f"`out_dir` {out_dir} exists and is not a report written by areas (it has no areas "
            "provenance.json); choose a new or empty folder, or remove this one first"
        )
        raise OutputError(msg)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step where the OS can; return False where it cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    if sys.platform.startswith("linux"):
        fn = getattr(libc, "renameat2", None)
        if fn is None:
            return False
        fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        at_fdcwd, rename_exchange = -100, 2
        result = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    elif sys.platform == "darwin":
        fn = getattr(libc, "renamex_np", None)
        if fn is None:
            return False
        fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
        result = fn(os.fsencode(a), os.fsencode(b), 0x2)  # RENAME_SWAP
    else:
        return False
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _new_dir(parent: Path, name: str, kind: str) -> Path:
    """Create a staging folder with the permissions a plain ``mkdir`` would give.

    (``mkdtemp`` makes it private, ``0o700``, which a web server could not read.)
    """
    path = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{name}-{kind}-{os.getpid()}-", dir=parent))
    with contextlib.suppress(OSError):
        os.chmod(path, 0o777 & ~_umask())
    return path


def _free_name(parent: Path, name: str, kind: str) -> Path:
    """Return an unused path for a rename target named like :func:`_new_dir`'s folders."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789_"
    while True:
        token = "".join(secrets.choice(alphabet) for _ in range(8))
        path = parent / f"{TMP_PREFIX}{name}-{kind}-{os.getpid()}-{token}"
        if not os.path.lexists(path):
            return path


def _swap_into_place(staging: Path, out_dir: Path) -> None:
    """Put the checked ``staging`` folder in place of ``out_dir``."""
    parent, name = out_dir.parent, out_dir.name
    if not out_dir.exists():
        os.rename(staging, out_dir)
        _fsync_dir(parent)
        return
    if _exchange(staging, out_dir):
        _fsync_dir(parent)
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous report
        return
    backup = _free_name(parent, name, "old")
    os.rename(out_dir, backup)
    try:
        os.rename(staging, out_dir)
    except BaseException:
        os.rename(backup, out_dir)
        raise
    _fsync_dir(parent)
    doomed = _free_name(parent, name, "del")
    os.rename(backup, doomed)
    shutil.rmtree(doomed, ignore_errors=True)


# --------------------------------------------------------------------------- checks


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
    if counts != dict(gpkg):
        msg = f"report check failed: results.gpkg has layers {counts}, expected {dict(gpkg)}"
        raise OutputError(msg, path=staging / "results.gpkg")
    data = json.loads((staging / "provenance.json").read_text(encoding="utf-8"))
    if data.get("generator") != GENERATOR:
        msg = "report check failed: provenance.json is not readable"
        raise OutputError(msg, path=staging / "provenance.json")
    external = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
    for page in files:
        if page.endswith(".html") and not page.endswith(".map.html") and page != "map.html":
            text = (staging / page).read_text(encoding="utf-8")
            if "</html>" not in text or external.search(text):
                msg = f"report check failed: {page} is incomplete or refers to the network"
                raise OutputError(msg, path=staging / page)


# --------------------------------------------------------------------------- data preparation


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("areas")
    except PackageNotFoundError:
        return "0+unknown"


def _by_district(frame: pd.DataFrame) -> pd.DataFrame:
    if "district_id" in frame.columns:
        frame = frame.set_index("district_id", drop=False)
        frame.index = frame.index.astype(str)
        frame.index.name = "district_id"
    return frame


def _companies_table(atlas, summary) -> pd.DataFrame:
    """One row per firm: its attributes, district, BID status, nearest stops."""
    firms = atlas.companies
    base_cols = [
        c
        for c in ("company_id", "name", "employees", "sector", "address", "bid_member")
        if c in firms.columns
    ]
    out = pd.DataFrame(firms[base_cols]).copy()
    out["company_id"] = out["company_id"].astype(str)
    assignment = summary.assignment
    a = pd.DataFrame(assignment)[
        [c for c in ("company_id", "district_id", "assignment") if c in assignment.columns]
    ]
    out = out.merge(
        a.drop_duplicates("company_id"), on="company_id", how="left", validate="one_to_one"
    )
    names = atlas.districts.set_index(atlas.districts["district_id"].astype(str))["name"]
    out.insert(
        out.columns.get_loc("district_id") + 1, "district_name", out["district_id"].map(names)
    )
    bidc = pd.DataFrame(summary.bid.companies)
    keep = [c for c in ("company_id", "in_bid", "bid_id") if c in bidc.columns]
    out = out.merge(
        bidc[keep].drop_duplicates("company_id"), on="company_id", how="left", validate="one_to_one"
    )
    # nearest stops, distances and band (the firms' employees are already in)
    tc = pd.DataFrame(summary.transit.companies).drop(columns="employees", errors="ignore")
    for c in tc.columns:
        if isinstance(tc[c].dtype, pd.CategoricalDtype):
            tc[c] = tc[c].astype(object).where(tc[c].notna(), None)
    out = out.merge(
        tc.drop_duplicates("company_id"), on="company_id", how="left", validate="one_to_one"
    )
    geom = firms.geometry
    xy_ok = ~(geom.isna() | geom.is_empty)
    out["easting_m"] = np.where(xy_ok, geom.x.where(xy_ok), np.nan).round(2)
    out["northing_m"] = np.where(xy_ok, geom.y.where(xy_ok), np.nan).round(2)
    out.index = firms.index
    return out


def _comparison(summary_before, summary_after) -> pd.DataFrame:
    from areas.analysis.summary import compare

    diff = compare(summary_before, summary_after)
    return _by_district(pd.DataFrame(diff))


def _numeric_columns(frame: pd.DataFrame) -> list[str]:
    return [
        c
        for c in frame.columns
        if c != "district_id"
        and pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
    ]


# --------------------------------------------------------------------------- page models


def _provenance_view(prov: dict, lang: str) -> dict:
    L = lambda key, **v: _label(key, lang, **v)  # noqa: E731
    params = prov["parameters"]
    rec = prov["reconciliation"]
    inputs_rows = []
    exclusions, repairs = [], []
    for src in prov["inputs"]:
        inputs_rows.append(
            {
                "cells": [
                    _cell(src["kind"]),
                    _cell(Path(src["path"]).name if src.get("path") else L("in_memory")),
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
                {"cells": [_cell(src["kind"]), _cell(str(e["id"])), _cell(str(e["reason"]))]}
            )
        for r in src.get("repairs", []):
            what = str(r["what"]) + (f": {r['detail']}" if r.get("detail") else "")
            repairs.append({"cells": [_cell(src["kind"]), _cell(str(r["id"])), _cell(what)]})
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
        if params["distance"] == "walk"
        else L("distance_straight")
    )
    return {
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
    pattern = re.compile(rf"^{group}_(\d+(?:\.\d+)?)m_{what}_share$")
    found = {}
    for c in frame.columns:
        m = pattern.match(str(c))
        if m:
            found[float(m.group(1))] = str(c)
    return dict(sorted(found.items()))


# --------------------------------------------------------------------------- the report


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


def write_report(
    atlas,
    out_dir: str | os.PathLike = "areas-report",
    *,
    districts: Iterable[str] | str | None = None,
    as_of: object = None,
    include: Iterable[str] | str = (),
    compare_as_of: object = None,
    lang: str = "en",
    thresholds_m: Iterable[float] = (400, 600, 800, 1200),
    distance: str = "straight",
    progress: bool = True,
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
    distance : {"straight", "walk"}, default "straight"
        The distance behind shares, bands and medians.
    progress : bool, default True
        Show a progress bar while running and a summary at the end (rich).

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
    from areas.scenario import resolve_as_of, resolve_include

    t0 = time.perf_counter()
    started = dt.datetime.now().astimezone()
    thresholds = _check_options(lang, distance, thresholds_m)
    as_of_ts = resolve_as_of(as_of)
    compare_ts = None if compare_as_of is None else resolve_as_of(compare_as_of)
    include = resolve_include(include)
    selected = _resolve_districts(atlas, districts)
    out_dir = Path(out_dir).absolute()
    if not out_dir.name or out_dir.name in (".", ".."):
        msg = f"`out_dir` must name a folder, got {out_dir}"
        raise ConfigError(msg)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    recover(out_dir)
    _check_target(out_dir)

    n = len(selected)
    total_steps = 1 + (1 if compare_ts is not None else 0) + (1 + n) + 4 + (1 + n) + 1
    with _Steps(progress, total_steps, lang) as steps:
        steps.step("progress_analyses")
        from areas.analysis.summary import summarize

        options: dict[str, Any] = {
            "include": include,
            "thresholds_m": thresholds,
            "distance": distance,
        }
        summary = summarize(atlas, as_of=as_of_ts, **options)
        steps.advance()
        comparison = None
        summary_before = None
        if compare_ts is not None:
            steps.step("progress_compare")
            summary_before = summarize(atlas, as_of=compare_ts, **options)
            comparison = _comparison(summary_before, summary)
            steps.advance()

        staging = _new_dir(out_dir.parent, out_dir.name, "new")
        try:
            builder = _Builder(
                atlas=atlas,
                staging=staging,
                summary=summary,
                summary_before=summary_before,
                comparison=comparison,
                selected=selected,
                as_of=as_of_ts,
                compare_as_of=compare_ts,
                include=include,
                thresholds=thresholds,
                distance=distance,
                lang=lang,
                steps=steps,
                started=started,
                t0=t0,
            )
            built = builder.build()
            steps.step("progress_check")
            _check_staging(
                staging, files=built["files"], csv_rows=built["csv_rows"], gpkg=built["gpkg"]
            )
            _swap_into_place(staging, out_dir)
            steps.advance()
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

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
    grid.add_row(L("done_tables"), "summary.csv, summary.xlsx, companies.csv")
    layers = ", ".join(f"{k} ({format_number(v, lang)})" for k, v in built["gpkg"].items())
    grid.add_row(L("done_layers"), f"results.gpkg: {layers}")
    grid.add_row("provenance.json", built["provenance_view"]["reconciliation_line"])
    grid.add_row(
        L("run_time"), L("seconds", value=format_number(result.elapsed_s, lang, decimals=1))
    )
    Console().print(Panel(grid, title=L("done_title"), expand=False))


class _Builder:
    """Writes every file of one report into the staging folder."""

    # given to __init__ by write_report
    atlas: Any
    staging: Path
    summary: Any
    summary_before: Any
    comparison: pd.DataFrame | None
    selected: list[str]
    as_of: pd.Timestamp
    compare_as_of: pd.Timestamp | None
    include: tuple[str, ...]
    thresholds: tuple[float, ...]
    distance: str
    lang: str
    steps: _Steps
    started: dt.datetime
    t0: float

    def __init__(self, **kw: Any):
        self.__dict__.update(kw)
        self.files: list[str] = []
        self.csv_rows: dict[str, int] = {}
        self.gpkg: dict[str, int] = {}
        self.slugs = district_slugs(self.selected)
        from areas.scenario import active_bids, plots_established, stops_in_service

        self.stop_mask = np.asarray(
            stops_in_service(self.atlas.stops, self.as_of, self.include), dtype=bool
        )
        self.bid_mask = np.asarray(active_bids(self.atlas.bids, self.as_of), dtype=bool)
        self.plot_mask = np.asarray(plots_established(self.atlas.rewilding, self.as_of), dtype=bool)
        self.table = _by_district(pd.DataFrame(self.summary.table))
        self.table_before = None
        if self.summary_before is not None:
            self.table_before = _by_district(pd.DataFrame(self.summary_before.table))
        dist = self.atlas.districts
        self.districts_by_id = dist.set_index(dist["district_id"].astype(str), drop=False)
        self.companies = _companies_table(self.atlas, self.summary)
        if len(self.selected) != len(self.atlas.districts):
            self.companies = self.companies[self.companies["district_id"].isin(self.selected)]

    # ---------------------------------------------------------------- paths and rendering

    def L(self, key: str, **values: Any) -> str:
        return _label(key, self.lang, **values)

    def rel(self, *parts: str) -> Path:
        path = self.staging.joinpath(*parts)
        resolved = path.resolve()
        if self.staging.resolve() not in resolved.parents:
            msg = f"refusing to write outside the report folder: {path}"
            raise OutputError(msg, path=path)
        self.files.append("/".join(parts))
        return path

    def render(self, template: str, target: tuple[str, ...], **context: Any) -> None:
        text = self.env.get_template(template).render(**self.common, **context)
        write_text(self.rel(*target), text)

    # ---------------------------------------------------------------- build

    def build(self) -> dict:
        steps = self.steps
        steps.step("progress_maps")
        self.write_maps()
        steps.step("progress_tables")
        self.write_tables()
        steps.advance(4)
        steps.step("progress_pages")
        elapsed = time.perf_counter() - self.t0
        self.provenance = self.make_provenance(elapsed)
        self.prov_view = _provenance_view(self.provenance, self.lang)
        self.setup_templates()
        self.write_index()
        steps.advance()
        pages = {}
        for d in self.selected:
            pages[d] = self.write_district(d)
            steps.advance()
        self.provenance["files"] = [
            {
                "path": f,
                "bytes": (self.staging / f).stat().st_size,
                "sha256": file_sha256(self.staging / f),
            }
            for f in self.files
        ]
        text = json.dumps(self.provenance, ensure_ascii=False, indent=2, default=str) + "\n"
        write_text(self.staging / "provenance.json", text)
        return {
            "files": list(self.files),
            "csv_rows": self.csv_rows,
            "gpkg": self.gpkg,
            "pages": pages,
            "provenance": self.provenance,
            "provenance_view": self.prov_view,
        }

    # ---------------------------------------------------------------- maps

    def write_maps(self) -> None:
        from areas.output.maps.build import district_map, overview_map, save_map

        opts = {
            "as_of": self.as_of,
            "include": self.include,
            "lang": self.lang,
            "summary": self.summary,
        }
        save_map(overview_map(self.atlas, **opts), self.rel("map.html"))
        self.steps.advance()
        for d in self.selected:
            fmap = district_map(self.atlas, d, **opts)
            save_map(fmap, self.rel("districts", f"{self.slugs[d]}.map.html"))
            self.steps.advance()

    # ---------------------------------------------------------------- tables

    def summary_rows(self) -> pd.DataFrame:
        table = pd.DataFrame(self.summary.table)
        if "district_id" in table.columns:
            table = table[table["district_id"].astype(str).isin(self.selected)]
        return table

    def write_tables(self) -> None:
        from areas.output.export import write_csv, write_gpkg, write_xlsx

        table = self.summary_rows()
        write_csv(table, self.rel("summary.csv"))
        self.csv_rows["summary.csv"] = len(table)
        about = pd.DataFrame(
            {
                "column": [str(c) for c in table.columns],
                "label": [column_label(str(c), self.lang) for c in table.columns],
            }
        )
        write_xlsx({"summary": table, self.L("sheet_columns"): about}, self.rel("summary.xlsx"))
        write_csv(self.companies, self.rel("companies.csv"))
        self.csv_rows["companies.csv"] = len(self.companies)
        layers = self.result_layers(table)
        write_gpkg(layers, self.rel("results.gpkg"), crs=WORK_CRS, geometry_types=GPKG_LAYERS)
        self.gpkg = {name: len(frame) for name, frame in layers.items()}

    def result_layers(self, table: pd.DataFrame) -> dict:
        import geopandas as gpd

        atlas = self.atlas
        sel = set(self.selected)
        dist = atlas.districts[atlas.districts["district_id"].astype(str).isin(sel)]
        extra = table.drop(
            columns=[c for c in ("name", "municipality", "status") if c in table.columns]
        )
        districts = dist[["district_id", "name", "municipality", "status", "geometry"]].merge(
            extra, on="district_id", how="left"
        )
        districts = gpd.GeoDataFrame(districts, geometry="geometry", crs=atlas.districts.crs)

        firms = atlas.companies.loc[self.companies.index, ["geometry"]]
        companies = gpd.GeoDataFrame(
            self.companies.drop(columns=["easting_m", "northing_m"]),
            geometry=firms.geometry,
            crs=atlas.companies.crs,
        )

        stops = atlas.stops[self.stop_mask].copy()

        area = dist.geometry.union_all() if len(dist) else None
        subset = len(sel) != len(atlas.districts)

        bids = atlas.bids[self.bid_mask].copy()
        bid_stats = pd.DataFrame(self.summary.bid.bids)
        if len(bid_stats) and "bid_id" in bid_stats.columns:
            stats = bid_stats.drop(
                columns=[c for c in ("name", "district_id") if c in bid_stats.columns]
            )
            bids = bids.merge(stats.drop_duplicates("bid_id"), on="bid_id", how="left")
        bids = gpd.GeoDataFrame(bids, geometry="geometry", crs=atlas.bids.crs)
        plots = atlas.rewilding[self.plot_mask].copy()
        if subset and area is not None:
            bids = bids[bids.intersects(area)]
            plots = plots[plots.intersects(area)]
        plots["area_ha"] = plots.geometry.area / 10_000
        return {
            "districts": districts,
            "companies": companies,
            "stops_in_service": stops,
            "active_bids": bids,
            "rewilding_plots": plots,
        }

    # ---------------------------------------------------------------- provenance

    def make_provenance(self, elapsed: float) -> dict:
        atlas = self.atlas
        inputs = []
        for kind, frame in atlas.layers().items():
            src = atlas.sources.get(kind)
            if src is not None:
                item = src.to_dict()
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
        rec = dict(getattr(self.summary, "reconciliation", {}) or {})
        rec = {k: (int(v) if isinstance(v, (int, np.integer)) else v) for k, v in rec.items()}
        params = {
            "as_of": _i18n.format_date(self.as_of),
            "compare_as_of": None
            if self.compare_as_of is None
            else _i18n.format_date(self.compare_as_of),
            "include": list(self.include),
            "statuses_counted": ["existing", *[s for s in STATUSES if s in self.include]],
            "thresholds_m": list(self.thresholds),
            "distance": self.distance,
            "detour_factor": self.summary.transit.params.get("detour_factor")
            if hasattr(self.summary, "transit")
            else None,
            "lang": self.lang,
            "districts": list(self.selected)
            if len(self.selected) != len(atlas.districts)
            else None,
            "mode_groups": {k: list(v) for k, v in MODE_GROUPS.items()},
        }
        return {
            "generator": GENERATOR,
            "version": _package_version(),
            "generated_at": self.started.isoformat(timespec="seconds"),
            "run_time_s": round(elapsed, 2),
            "python": sys.version.split()[0],
            "crs": WORK_CRS,
            "parameters": params,
            "inputs": inputs,
            "reconciliation": rec,
            "reconciles": all(k in rec for k in ("companies_in", "assigned", "outside", "excluded"))
            and rec["companies_in"] == rec["assigned"] + rec["outside"] + rec["excluded"],
            "stops_in_service": int(self.stop_mask.sum()),
            "active_bids": int(self.bid_mask.sum()),
            "rewilding_plots_established": int(self.plot_mask.sum()),
        }

    # ---------------------------------------------------------------- templates

    def setup_templates(self) -> None:
        import jinja2
        from markupsafe import Markup

        self.Markup = Markup
        loader = jinja2.PackageLoader("areas.output.report", "templates")
        self.env = jinja2.Environment(
            loader=loader,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=False,
            lstrip_blocks=False,
        )
        css = loader.get_source(self.env, "report.css")[0]
        print_css = loader.get_source(self.env, "print.css")[0]
        statuses = ", ".join(
            status_label(s, self.lang) for s in self.provenance["parameters"]["statuses_counted"]
        )
        self.common = {
            "lang": self.lang,
            "t": self.L,
            "css": Markup(css),
            "print_css": Markup(print_css),
            "prov": self.prov_view,
            "meta_line": self.L(
                "meta_line",
                as_of=self.provenance["parameters"]["as_of"],
                statuses=statuses,
                distance=self.prov_view["distance"],
            ),
        }

    def static_map(self, district: str | None, chart_id: str) -> Any:
        from areas.output.charts import static_map

        atlas = self.atlas
        polys: list[tuple[str, list, dict[str, Any]]] = []
        if district is None:
            dist = atlas.districts[atlas.districts["district_id"].astype(str).isin(self.selected)]
            extent = tuple(dist.total_bounds) if len(dist) else None
            title = self.L("overview_map")
            polys.append(
                (
                    _i18n.t("layer.districts", self.lang),
                    list(dist.geometry),
                    {"facecolor": "#dbe8f3", "edgecolor": "#1b6ca8", "linewidth": 1.0},
                )
            )
        else:
            row = self.districts_by_id.loc[district]
            x0, y0, x1, y1 = row.geometry.bounds
            pad = 300.0
            extent = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
            title = str(row["name"])
            others = atlas.districts[atlas.districts["district_id"].astype(str) != district]
            if len(others):
                polys.append(
                    (
                        "",
                        list(others.geometry),
                        {"facecolor": "#f0f0f0", "edgecolor": "#bbbbbb", "linewidth": 0.6},
                    )
                )
            polys.append(
                (
                    str(row["name"]),
                    [row.geometry],
                    {"facecolor": "#dbe8f3", "edgecolor": "#1b6ca8", "linewidth": 1.4},
                )
            )
        bids = atlas.bids[self.bid_mask]
        if len(bids):
            polys.append(
                (
                    _i18n.t("layer.bids", self.lang),
                    list(bids.geometry),
                    {"facecolor": "none", "edgecolor": "#e69f00", "linewidth": 1.2, "hatch": "///"},
                )
            )
        plots = atlas.rewilding[self.plot_mask]
        if len(plots):
            polys.append(
                (
                    _i18n.t("layer.rewilding", self.lang),
                    list(plots.geometry),
                    {
                        "facecolor": "#009e73",
                        "edgecolor": "#006b4e",
                        "alpha": 0.8,
                        "linewidth": 0.5,
                    },
                )
            )
        points: list[tuple[str, np.ndarray, dict[str, Any]]] = []
        firms = self.companies
        if district is not None:
            firms = firms[firms["district_id"] == district]
        xy = firms[["easting_m", "northing_m"]].dropna().to_numpy()
        if extent is not None and len(xy):
            inside = (
                (xy[:, 0] >= extent[0])
                & (xy[:, 0] <= extent[2])
                & (xy[:, 1] >= extent[1])
                & (xy[:, 1] <= extent[3])
            )
            xy = xy[inside]
        points.append(
            (
                _i18n.t("layer.companies", self.lang),
                xy,
                {
                    "s": 9 if len(xy) < 500 else (4 if len(xy) < 5000 else 1),
                    "color": "#444444",
                    "linewidths": 0,
                },
            )
        )
        stops = atlas.stops[self.stop_mask]
        rail = stops[stops["mode"].isin(MODE_GROUPS["rail"])]
        if len(rail):
            sxy = np.column_stack([rail.geometry.x, rail.geometry.y])
            if extent is not None:
                pad = 1500.0
                keep = (
                    (sxy[:, 0] >= extent[0] - pad)
                    & (sxy[:, 0] <= extent[2] + pad)
                    & (sxy[:, 1] >= extent[1] - pad)
                    & (sxy[:, 1] <= extent[3] + pad)
                )
                sxy = sxy[keep]
            points.append(
                (
                    _i18n.t("group.rail", self.lang),
                    sxy,
                    {
                        "s": 30,
                        "marker": "s",
                        "color": "#cc0000",
                        "edgecolors": "white",
                        "linewidths": 0.8,
                    },
                )
            )
        return self.Markup(
            static_map(title=title, polygons=polys, points=points, extent=extent, chart_id=chart_id)
        )

    # ---------------------------------------------------------------- index

    def summary_table(self) -> dict:
        lang = self.lang
        table = self.summary_rows()
        cols = [c for c in _INDEX_COLUMNS if c in table.columns]
        columns = [_col(column_label("name", lang)), *_headers(cols, lang)]
        rows: list[dict[str, Any]] = []
        for _, r in table.iterrows():
            d = str(r["district_id"])
            cells = [_cell(str(r.get("name", d)), href=f"districts/{self.slugs[d]}.html")]
            cells += [_cell(format_cell(r[c], c, lang), num=_is_num_column(c)) for c in cols]
            rows.append({"cells": cells})
        if len(table) > 1:
            # A withdrawn district (Holmene) is listed but is no business area: leave it
            # out of the sums, and say so.
            withdrawn = (table["status"].astype(str) == "withdrawn").to_numpy()
            live = table[~withdrawn]
            total = [_cell(self.L("total_live" if withdrawn.any() else "total"))]
            for c in cols:
                if c in _ADDITIVE:
                    total.append(
                        _cell(
                            format_cell(pd.to_numeric(live[c], errors="coerce").sum(), c, lang),
                            num=True,
                        )
                    )
                else:
                    total.append(_cell("", num=_is_num_column(c)))
            rows.append({"cells": total, "cls": "total"})
        return _table(columns, rows, table_id="summary-table")

    def index_comparison(self) -> dict | None:
        if self.comparison is None:
            return None
        lang = self.lang
        cols = [c for c in _INDEX_COMPARE if c in self.comparison.columns]
        columns = [_col(column_label("name", lang))] + [
            _col(column_label(c, lang), True) for c in cols
        ]
        rows = []
        for d in self.selected:
            if d not in self.comparison.index:
                continue
            r = self.comparison.loc[d]
            cells = [
                _cell(
                    str(self.districts_by_id.loc[d, "name"]), href=f"districts/{self.slugs[d]}.html"
                )
            ]
            for c in cols:
                v = r[c]
                cells.append(_cell(_change(v, c, lang), num=True, cls=_change_class(v)))
            rows.append({"cells": cells})
        return _table(columns, rows, table_id="comparison-table")

    def comparison_heading(self) -> str:
        if self.compare_as_of is None:
            return ""
        return self.L(
            "change_heading",
            before=_i18n.format_date(self.compare_as_of),
            after=_i18n.format_date(self.as_of),
        )

    def write_index(self) -> None:
        lang = self.lang
        table = self.summary_rows()
        links = []
        for d in self.selected:
            row = self.districts_by_id.loc[d]
            status = str(row["status"])
            links.append(
                {
                    "href": f"districts/{self.slugs[d]}.html",
                    "name": str(row["name"]),
                    "municipality": self.L("district_in", municipality=str(row["municipality"])),
                    "status_text": None if status == "existing" else status_label(status, lang),
                }
            )

        def total(column: str, decimals: int = 0) -> dict:
            value = pd.to_numeric(table[column], errors="coerce").sum() if column in table else None
            return {
                "label": column_label(column, lang),
                "value": format_number(value, lang, decimals=decimals),
            }

        def count(key: str, n: int) -> dict:
            return {"label": self.L(key), "value": format_number(n, lang)}

        key_figures = [
            count("districts_count", len(self.selected)),
            total("companies"),
            total("employees"),
            total("rewilded_ha", decimals=1),
            count("active_bids_count", int(self.bid_mask.sum())),
            count("stops_count", int(self.stop_mask.sum())),
        ]
        downloads = [
            {"href": name, "name": name, "text": self.L(key)}
            for name, key in (
                ("map.html", "dl_map"),
                ("summary.csv", "dl_summary_csv"),
                ("summary.xlsx", "dl_summary_xlsx"),
                ("companies.csv", "dl_companies_csv"),
                ("results.gpkg", "dl_results_gpkg"),
                ("provenance.json", "dl_provenance"),
            )
        ]
        self.render(
            "index.html",
            ("index.html",),
            root="",
            page_title=f"{self.L('index_title')} — {self.provenance['parameters']['as_of']}",
            heading=self.L("index_title"),
            map_src="map.html",
            static_map=self.static_map(None, "overview-map"),
            key_figures=key_figures,
            summary_table=self.summary_table(),
            comparison=self.index_comparison(),
            comparison_heading=self.comparison_heading(),
            district_links=links,
            downloads=downloads,
        )

    # ---------------------------------------------------------------- district pages

    def write_district(self, d: str) -> str:
        lang = self.lang
        slug = self.slugs[d]
        row = self.districts_by_id.loc[d]
        srow = self.table.loc[d] if d in self.table.index else pd.Series(dtype=object)
        status = str(row["status"])
        status_note = {
            "withdrawn": "status_withdrawn",
            "planned": "status_planned",
            "study": "status_study",
        }.get(status)
        key_figures = _figures(srow, _KEY_FIGURES, lang)
        rel = ("districts", f"{slug}.html")
        self.render(
            "district.html",
            rel,
            root="../",
            page_title=f"{row['name']} — {self.provenance['parameters']['as_of']}",
            heading=str(row["name"]),
            status_note=self.L(status_note) if status_note else None,
            key_figures=key_figures,
            map_src=f"{slug}.map.html",
            static_map=self.static_map(d, f"map-{slug}"),
            bid=self.bid_section(d, slug),
            rewilding=self.rewilding_section(d, slug),
            transit=self.transit_section(d, slug),
            comparison=self.district_comparison(d),
            comparison_heading=self.comparison_heading(),
        )
        return "/".join(rel)

    def _district_row(self, result, d: str) -> pd.Series:
        frame = (
            _by_district(pd.DataFrame(result.districts))
            if "district_id" in getattr(result.districts, "columns", [])
            else pd.DataFrame(result.districts)
        )
        frame.index = frame.index.astype(str)
        return frame.loc[d] if d in frame.index else pd.Series(dtype=object)

    def bid_section(self, d: str, slug: str) -> dict:
        lang = self.lang
        bid = self.summary.bid
        r = self._district_row(bid, d)
        figs = _figures(r, _BID_FIGURES, lang)
        geom = self.districts_by_id.loc[d].geometry
        all_bids = self.atlas.bids
        touching = (
            all_bids[all_bids.intersects(geom) & ~all_bids.touches(geom)]
            if len(all_bids)
            else all_bids
        )
        stats = pd.DataFrame(bid.bids)
        stats = (
            stats.drop_duplicates("bid_id").set_index("bid_id")
            if "bid_id" in stats.columns
            else pd.DataFrame()
        )
        columns = [
            "name",
            "active",
            "start",
            "end",
            "area_ha",
            "companies",
            "members",
            "invited",
            "participation_share",
        ]
        rows = []
        any_reported = False
        for _, b in touching.sort_values("bid_id").iterrows():
            bid_id = str(b["bid_id"])
            s = stats.loc[bid_id] if bid_id in stats.index else pd.Series(dtype=object)
            values = {
                "name": b.get("name"),
                "active": s.get("active", None),
                "start": b.get("start"),
                "end": b.get("end"),
                "area_ha": s.get("area_ha", None),
                "companies": s.get("companies", None),
                "members": s.get("members", None),
                "invited": s.get("invited", b.get("invited")),
                "participation_share": s.get("participation_share", None),
            }
            texts = {c: format_cell(values[c], c, lang) for c in columns}
            # No members are counted in a BID that is not active: show the layer's own
            # figure instead, marked as reported so it is not read as a count.
            reported = s.get("members_reported", b.get("members"))
            if _i18n.is_missing(values["members"]) and not _i18n.is_missing(reported):
                texts["members"] = self.L("members_reported", members=format_number(reported, lang))
                any_reported = True
            rows.append({"cells": [_cell(texts[c], num=_is_num_column(c)) for c in columns]})
        table = _table(
            _headers(columns, lang),
            rows,
            caption=self.L("bids_caption"),
            note=self.L("members_reported_note") if any_reported else None,
        )
        calls = None
        active_here = bool(len(touching)) and bool(
            np.asarray(self.bid_mask)[all_bids.index.get_indexer(touching.index)].any()
        )
        if active_here and hasattr(bid, "outside_bid"):
            call = pd.DataFrame(bid.outside_bid(d))
            if "name" not in call.columns and "company_id" in call.columns:
                call = call.merge(
                    self.companies[["company_id", "name"]], on="company_id", how="left"
                )
            if "employees" in call.columns:
                call = call.sort_values(
                    ["employees", "name"], ascending=[False, True], na_position="last"
                )
            calls = _firm_list(call, ["company_id", "name", "employees", "sector", "address"], lang)
        return {"figures": figs if rows else [], "table": table, "calls": calls}

    def rewilding_section(self, d: str, slug: str) -> dict:
        from areas.output.charts import line_chart

        lang = self.lang
        rw = self.summary.rewilding
        r = self._district_row(rw, d)
        figs = _figures(r, _REWILDING_FIGURES, lang)
        chart = None
        by_year = pd.DataFrame(getattr(rw, "by_year", pd.DataFrame()))
        if len(by_year) and "district_id" in by_year.columns:
            mine = by_year[by_year["district_id"].astype(str) == d].sort_values("year")
            if len(mine) and float(pd.to_numeric(mine["rewilded_ha"], errors="coerce").max()) > 0:
                years = [int(y) for y in mine["year"]]
                values = [float(v) for v in mine["rewilded_ha"]]
                if years[-1] < self.as_of.year:
                    years.append(self.as_of.year)
                    values.append(values[-1])
                title = self.L("chart_rewilding")
                chart = self.Markup(
                    line_chart(
                        {title: (years, values)},
                        title=title,
                        xlabel=self.L("year"),
                        ylabel=self.L("hectares"),
                        chart_id=f"rw-{slug}",
                        lang=lang,
                    )
                )
        plots = pd.DataFrame(getattr(rw, "plots", pd.DataFrame()))
        columns = [
            c
            for c in (
                "plot_id",
                "owner",
                "established",
                "habitat",
                "rewilded_ha",
                "area_ha",
                "species_count",
            )
            if c in plots.columns
        ]
        if len(plots) and "district_id" in plots.columns and columns:
            mine = plots[plots["district_id"].astype(str) == d]
            if "counted" in mine.columns:
                mine = mine[mine["counted"].fillna(False).astype(bool)]
            sort = [c for c in ("established", "plot_id") if c in mine.columns]
            mine = mine.sort_values(sort) if sort else mine
            table = _firm_list(mine, columns, lang, caption=self.L("plots_caption"))
        else:
            table = _table([], [])
        return {"figures": figs, "chart": chart, "table": table}

    def transit_section(self, d: str, slug: str) -> dict:
        from areas.output.charts import bar_chart

        lang = self.lang
        per = self.summary.transit.per_district(
            self.summary.assignment, self.atlas.companies, district_ids=[d]
        ).loc[d]
        figs = _figures(per, _TRANSIT_FIGURES, lang)
        frame = per.to_frame().T
        groups = {}
        cats: list[str] = []
        for g in ("rail", "bus", "any"):
            cols = _threshold_columns(frame, g)
            if not cols:
                continue
            cats = [
                f"{format_number(t, lang, decimals=0 if float(t).is_integer() else 1)} m"
                for t in cols
            ]
            groups[_i18n.t(f"group.{g}", lang)] = [
                float(per[c]) if not _i18n.is_missing(per[c]) else float("nan")
                for c in cols.values()
            ]
        chart = None
        shares = None
        if groups:
            title = self.L("chart_transit")
            chart = self.Markup(
                bar_chart(
                    cats,
                    groups,
                    title=title,
                    ylabel=self.L("share_of_firms"),
                    chart_id=f"tr-{slug}",
                    lang=lang,
                    percent=True,
                )
            )
            shares = {
                "caption": title,
                "columns": [_col("")] + [_col(c, True) for c in cats],
                "rows": [
                    {
                        "cells": [_cell(g)]
                        + [_cell(_i18n.format_share(v, lang, decimals=1), num=True) for v in values]
                    }
                    for g, values in groups.items()
                ],
            }
        firms = self.companies[self.companies["district_id"] == d]
        counts = (
            firms["rail_band"].value_counts(dropna=False)
            if "rail_band" in firms.columns
            else pd.Series(dtype=int)
        )
        total = len(firms)
        band_rows = []
        for b in ("core", "station_near", "beyond"):
            k = int(counts.get(b, 0))
            band_rows.append(
                {
                    "cells": [
                        _cell(band_label(b, lang)),
                        _cell(format_number(k, lang), num=True),
                        _cell(
                            _i18n.format_share(
                                k / total if total else float("nan"), lang, decimals=1
                            ),
                            num=True,
                        ),
                    ]
                }
            )
        bands = _table(
            [
                _col(self.L("band")),
                _col(column_label("companies", lang), True),
                _col(self.L("share_of_firms"), True),
            ],
            band_rows,
            caption=self.L("bands_caption"),
        )
        dcol = "rail_walk_m" if self.distance == "walk" else "rail_distance_m"
        if dcol in firms.columns:
            dist = pd.to_numeric(firms[dcol], errors="coerce")
            far = firms.assign(_d=dist)
            far = far[(dist > CORE_DISTANCE_M) | dist.isna()]
            far = far.sort_values(["_d", "name"], ascending=[False, True], na_position="first")
        else:
            far = firms.iloc[0:0]
        beyond = _firm_list(
            far,
            [
                "company_id",
                "name",
                "employees",
                "nearest_rail_name",
                "nearest_rail_mode",
                dcol,
                "nearest_bus_name",
                "bus_walk_m" if self.distance == "walk" else "bus_distance_m",
            ],
            lang,
        )
        return {
            "figures": figs,
            "chart": chart,
            "bands": bands,
            "beyond": beyond,
            "beyond_heading": self.L(
                "beyond_heading", distance=format_number(CORE_DISTANCE_M, lang)
            ),
            "none_beyond": self.L("none_beyond", distance=format_number(CORE_DISTANCE_M, lang)),
            "shares": shares,
        }

    def district_comparison(self, d: str) -> dict | None:
        if self.comparison is None:
            return None
        lang = self.lang
        columns = [
            _col(self.L("metric")),
            _col(_i18n.format_date(self.compare_as_of), True),
            _col(_i18n.format_date(self.as_of), True),
            _col(self.L("change"), True),
        ]
        rows = []
        if d in self.comparison.index:
            diff = self.comparison.loc[d]
            before = (
                self.table_before.loc[d]
                if d in self.table_before.index
                else pd.Series(dtype=object)
            )
            after = self.table.loc[d] if d in self.table.index else pd.Series(dtype=object)
            for c in _numeric_columns(self.comparison):
                v = diff[c]
                b, a = before.get(c), after.get(c)
                changed = not _i18n.is_missing(v) and abs(float(v)) > 1e-12
                changed = changed or (_i18n.is_missing(b) != _i18n.is_missing(a))
                if not changed:
                    continue
                rows.append(
                    {
                        "cells": [
                            _cell(column_label(c, lang)),
                            _cell(format_cell(b, c, lang), num=True),
                            _cell(format_cell(a, c, lang), num=True),
                            _cell(_change(v, c, lang), num=True, cls=_change_class(v)),
                        ]
                    }
                )
        return _table(columns, rows, table_id="comparison-table")
