r"""Table and layer writers for reports: CSV, XLSX and GeoPackage, each atomic.

Every writer renders into a temporary file beside the target (through
:func:`areas._atomic.atomic_path`), reads the result back to check it and
only then moves it into place, so a failed or killed run never leaves a
half-written file under the final name.

- CSV: UTF-8, comma-separated, ``.`` as decimal mark, ``\n`` line ends, no
  index; missing values are empty fields, dates ISO 8601, booleans
  ``True``/``False``.
- XLSX: one sheet per frame (openpyxl), header row frozen, shares formatted
  as percentages, hectares with two decimals, metres without decimals. Text
  is always a text cell, never a formula (a name starting with ``=`` stays
  text).
- GeoPackage: one layer per frame (pyogrio), written as GeoPackage 1.2 so
  that older GDAL and QGIS versions open it without complaint.

The writers are registered by format in :data:`WRITERS`
(:func:`register_writer` adds one, :func:`writer_for` finds one by format or
file name), so that a new output format is one registration away from the
report.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from areas._atomic import atomic_path
from areas.columns import unit_of
from areas.errors import OutputError

__all__ = [
    "csv_ready",
    "neutralise_formula",
    "neutralise_formulas",
    "write_csv",
    "count_csv_rows",
    "write_xlsx",
    "write_gpkg",
    "gpkg_layer_counts",
    "SAFE_LAYER_NAME",
    "Writer",
    "WRITERS",
    "register_writer",
    "writer_for",
]

#: Layer and sheet names accepted by the writers: ASCII letters, digits, ``_``.
SAFE_LAYER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")

_XLSX_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XLSX_BAD = re.compile(r"[\[\]:*?/\\]")


def _is_scalar_missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _jsonable(value: object) -> object:
    if isinstance(value, (list, tuple, set, dict)):
        return json.dumps(
            list(value) if isinstance(value, (set, tuple)) else value,
            ensure_ascii=False,
            default=str,
        )
    return value


def csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` with plain, file-friendly columns.

    Geometry columns are dropped, dates become ISO strings (``YYYY-MM-DD``
    when there is no time of day), nested values (lists, dicts) JSON text.
    Nullable integer and boolean columns are kept (their missing values are
    written as empty fields).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"d": pd.to_datetime(["2025-10-26", None]), "n": [[1, 2], None]})
    >>> csv_ready(f).to_dict("list")
    {'d': ['2025-10-26', None], 'n': ['[1, 2]', None]}
    """
    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        col = frame[name]
        if isinstance(col.dtype, gpd.array.GeometryDtype):
            continue
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            values = pd.to_datetime(col)
            has_time = bool((values.dropna() != values.dropna().dt.normalize()).any())
            fmt = "%Y-%m-%dT%H:%M:%S" if has_time else "%Y-%m-%d"
            text = values.dt.strftime(fmt)
            out[name] = pd.Series(
                [None if pd.isna(v) else v for v in text], index=frame.index, dtype=object
            )
        elif col.dtype == object:
            values = [None if _is_scalar_missing(v) else _jsonable(v) for v in col]
            out[name] = pd.Series(values, index=frame.index, dtype=object)
        else:
            out[name] = col
    return out


#: First characters that make a spreadsheet program read a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d[\d.,]*|[.,]\d+)(?:[eE][+-]?\d+)?")


def neutralise_formula(value: object) -> object:
    """Return a text cell a spreadsheet would run as a formula with ``'`` in front.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    is written with a leading apostrophe (OWASP's advice against CSV
    injection), so Excel and LibreOffice show it as text instead of running
    it. Numbers, and text that is a plain number such as ``-12`` or
    ``+45``, are left as they are.

    Examples
    --------
    >>> [neutralise_formula(v) for v in ("=1+2", "@SUM(A1)", "-12", "-1+1", "Ærø", -3.5)]
    ["'=1+2", "'@SUM(A1)", '-12', "'-1+1", 'Ærø', -3.5]
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        if not _PLAIN_NUMBER.fullmatch(value):
            return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with :func:`neutralise_formula` applied to its text cells and headers."""
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            if col.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS)).any():
                out[name] = col.astype(object).map(neutralise_formula)
    out.columns = [neutralise_formula(str(c)) for c in out.columns]
    return out


def write_csv(
    frame: pd.DataFrame, path: str | PathLike, *, float_digits: int | None = None
) -> Path:
    """Write ``frame`` (without its index) to a UTF-8 CSV file atomically.

    The file is re-read and its data rows counted before it replaces
    ``path``. Text is written as it is, except that a text cell (or header)
    starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets
    a leading ``'`` (:func:`neutralise_formula`), so that a spreadsheet
    program opening the file does not run it as a formula; numbers, negative
    ones too, stay numbers. (``summary.xlsx`` stores text as text, the
    GeoPackage and JSON outputs keep it verbatim.)

    Parameters
    ----------
    frame : pandas.DataFrame
        Table to write; a geometry column is dropped.
    path : path
        Target file.
    float_digits : int, optional
        Round floats to this many decimals (default: full precision).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    data = csv_ready(frame)
    if float_digits is not None:
        floats = data.select_dtypes(include="float").columns
        data[floats] = data[floats].round(float_digits)
    data = neutralise_formulas(data)
    expected = len(data)

    def check(tmp: Path) -> None:
        found = count_csv_rows(tmp)
        if found != expected:
            msg = f"CSV check failed: wrote {expected} rows, read back {found}"
            raise OutputError(msg, path=path)

    with atomic_path(path, check=check) as tmp:
        data.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
    return Path(path)


def count_csv_rows(path: str | PathLike) -> int:
    """Return the number of data rows (records, not lines) of a CSV file."""
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        try:
            next(reader)
        except StopIteration:
            return 0
        return sum(1 for _ in reader)


def _xlsx_value(value: object) -> object:
    if _is_scalar_missing(value):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return None if math.isinf(value) or math.isnan(value) else value
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, (list, tuple, set, dict)):
        value = _jsonable(value)
    if not isinstance(value, (int, str)):
        value = str(value)
    if isinstance(value, str):
        # a worksheet cannot hold control characters: they are written as visible escapes
        value = _XLSX_ILLEGAL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", value)
    return value


#: Excel number format of a column by its unit (:func:`areas.columns.unit_of`).
_EXCEL_FORMATS = {"share": "0.0%", "ha": "#,##0.00", "m": "#,##0"}


def _number_format(column: str) -> str | None:
    return _EXCEL_FORMATS.get(unit_of(column))


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    path: str | PathLike,
    *,
    headers: Mapping[str, Mapping[str, str]] | None = None,
) -> Path:
    """Write frames to an Excel workbook, one sheet each, atomically.

    Parameters
    ----------
    sheets : mapping of str to DataFrame
        Sheet name -> table (written without its index; geometry dropped).
    path : path
        Target ``.xlsx`` file.
    headers : mapping, optional
        Sheet name -> {column: header text}; columns not named keep their name.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    from openpyxl import Workbook, load_workbook
    from openpyxl.utils import get_column_letter

    for name in sheets:
        if not name or len(name) > 31 or _XLSX_BAD.search(name):
            msg = f"sheet name `{name}` is not valid: 1–31 characters, none of []:*?/\\"
            raise OutputError(msg, path=path)
    headers = headers or {}
    book = Workbook()
    book.remove(book.active)
    expected: dict[str, int] = {}
    for name, frame in sheets.items():
        data = frame.drop(
            columns=[
                c for c in frame.columns if isinstance(frame[c].dtype, gpd.array.GeometryDtype)
            ]
        )
        sheet = book.create_sheet(name)
        labels = headers.get(name, {})
        sheet.append([labels.get(c, str(c)) for c in data.columns])
        for row in data.itertuples(index=False, name=None):
            sheet.append([_xlsx_value(v) for v in row])
        # openpyxl stores text that starts with "=" as a formula: keep all text as text.
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        for j, column in enumerate(data.columns, start=1):
            letter = get_column_letter(j)
            fmt = _number_format(str(column))
            if fmt is not None:
                for cell in sheet[letter][1:]:
                    cell.number_format = fmt
            width = max(
                [len(str(labels.get(column, column)))]
                + [len(str(v)) for v in data[column].head(200)]
            )
            sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
        sheet.freeze_panes = "A2"
        expected[name] = len(data)

    def check(tmp: Path) -> None:
        back = load_workbook(tmp, read_only=True)
        try:
            for name, rows in expected.items():
                if name not in back.sheetnames or back[name].max_row != rows + 1:
                    msg = f"XLSX check failed for sheet `{name}`: expected {rows} data rows"
                    raise OutputError(msg, path=path)
        finally:
            back.close()

    with atomic_path(path, check=check) as tmp:
        book.save(tmp)
    return Path(path)


def _gpkg_ready(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    for name in out.columns:
        if name == out.geometry.name:
            continue
        col = out[name]
        if col.dtype == object:
            out[name] = pd.Series([_gpkg_value(v) for v in col], index=out.index, dtype=object)
    return out


def _gpkg_value(value: object) -> object:
    if _is_scalar_missing(value):
        return None
    if isinstance(value, (list, tuple, set, dict)):
        return _jsonable(value)
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def gpkg_layer_counts(path: str | PathLike) -> dict[str, int]:
    """Return ``{layer name: feature count}`` of a GeoPackage (read with pyogrio)."""
    import pyogrio

    return {
        str(name): int(pyogrio.read_info(path, layer=str(name))["features"])
        for name, _ in pyogrio.list_layers(path)
    }


def write_gpkg(
    layers: Mapping[str, gpd.GeoDataFrame],
    path: str | PathLike,
    *,
    crs: str = "EPSG:25832",
    geometry_types: Mapping[str, str] | None = None,
) -> Path:
    """Write GeoDataFrames as layers of one GeoPackage, atomically.

    The file is written beside ``path`` and checked (every layer present,
    with its feature count and ``crs``) before it replaces ``path``.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Layer name (ASCII letters, digits and ``_``) -> layer; all in ``crs``.
        Empty layers are written too, with their columns.
    path : path
        Target ``.gpkg`` file.
    crs : str, default "EPSG:25832"
        The CRS every layer must have.
    geometry_types : mapping of str to str, optional
        Layer name -> OGR geometry type (``"MultiPolygon"``, ``"Point"``) to
        declare; needed for empty layers to carry a type (else ``Unknown``).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    import pyogrio
    from pyproj import CRS

    want = CRS.from_user_input(crs)
    for name, frame in layers.items():
        if not SAFE_LAYER_NAME.match(name):
            msg = f"layer name `{name}` is not valid: use ASCII letters, digits and _ (at most 63)"
            raise OutputError(msg, path=path)
        if frame.crs is None or CRS.from_user_input(frame.crs) != want:
            msg = f"layer `{name}` must be in {crs} to be written, got {frame.crs}"
            raise OutputError(msg, path=path)
    expected = {name: len(frame) for name, frame in layers.items()}

    def check(tmp: Path) -> None:
        found = gpkg_layer_counts(tmp)
        if found != expected:
            msg = f"GeoPackage check failed: expected layers {expected}, read back {found}"
            raise OutputError(msg, path=path)
        for name in expected:
            info = pyogrio.read_info(tmp, layer=name)
            if info["crs"] is None or CRS.from_user_input(info["crs"]) != want:
                msg = (
                    f"GeoPackage check failed: layer `{name}` has CRS {info['crs']}, expected {crs}"
                )
                raise OutputError(msg, path=path)

    with atomic_path(path, check=check) as tmp:
        first = True
        for name, frame in layers.items():
            geom_type = (geometry_types or {}).get(name)
            if geom_type is None and (len(frame) == 0 or frame.geometry.isna().all()):
                geom_type = "Unknown"
            _write_gpkg_layer(
                _gpkg_ready(frame),
                tmp,
                layer=name,
                driver="GPKG",
                append=not first,
                geometry_type=geom_type,
                promote_to_multi=True if geom_type in ("MultiPolygon", "MultiPoint") else None,
                dataset_options={"VERSION": "1.2"} if first else None,
                layer_options={"SPATIAL_INDEX": "YES"},
            )
            first = False
        if first:  # no layers at all: refuse rather than write an empty file
            msg = "no layers to write"
            raise OutputError(msg, path=path)
    return Path(path)


def _write_gpkg_layer(frame, tmp: Path, **options: object) -> None:
    """Write one layer with GDAL; a failure to write (a full disk) is an ``OSError``."""
    import errno
    import shutil

    import pyogrio
    from pyogrio.errors import DataSourceError, FeatureError, FieldError, GeometryError

    try:
        pyogrio.write_dataframe(frame, tmp, **options)
    except (DataSourceError, FeatureError, FieldError, GeometryError) as exc:
        # GDAL reports a full disk as a failed write or commit, without the errno.
        free = shutil.disk_usage(tmp.parent).free
        if free < max(1 << 20, 2 * (tmp.stat().st_size if tmp.exists() else 0)):
            raise OSError(errno.ENOSPC, "No space left on device") from None
        raise OSError(errno.EIO, f"GDAL could not write the GeoPackage ({exc})") from None


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Writer:
    """An output format: its name, file suffix, writer and, where it has one, its counter.

    ``write(data, path, **options)`` writes atomically and returns the path;
    ``count(path)`` reads a written file back (rows of a CSV, features per
    layer of a GeoPackage) for the report's checks.
    """

    name: str
    suffix: str
    write: Callable[..., Path]
    count: Callable[[Path], object] | None = None
    description: str = ""


#: Output formats by name.
WRITERS: dict[str, Writer] = {}


def register_writer(writer: Writer) -> Writer:
    """Add ``writer`` to :data:`WRITERS` (replacing one of the same name) and return it."""
    if not writer.suffix.startswith("."):
        msg = f"a writer's suffix starts with a dot, got {writer.suffix!r}"
        raise ValueError(msg)
    WRITERS[writer.name] = writer
    return writer


def writer_for(format_or_path: str | PathLike) -> Writer:
    """Return the writer of a format name (``"csv"``) or of a file name by its suffix.

    Examples
    --------
    >>> writer_for("summary.xlsx").name, writer_for("gpkg").suffix
    ('xlsx', '.gpkg')
    """
    key = str(format_or_path)
    if key in WRITERS:
        return WRITERS[key]
    suffix = Path(key).suffix.lower()
    for writer in WRITERS.values():
        if writer.suffix == suffix:
            return writer
    msg = f"no writer for {key!r}; formats: {', '.join(sorted(WRITERS))}"
    raise OutputError(msg)


register_writer(Writer("csv", ".csv", write_csv, count_csv_rows, "CSV, UTF-8, one row per record"))
register_writer(Writer("xlsx", ".xlsx", write_xlsx, None, "Excel workbook, one sheet per table"))
register_writer(
    Writer("gpkg", ".gpkg", write_gpkg, gpkg_layer_counts, "GeoPackage 1.2, one layer per frame")
)
