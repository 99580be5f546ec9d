"""Load the five layers into an :class:`~areas.atlas.Atlas`, checked and normalised.

Sources
-------
:func:`load` takes, as ``source``:

- nothing: the bundled layers (:func:`areas.load.datasets.bundled_dir`);
- a folder of files named after the layer kinds -- ``districts``, ``bids``,
  ``rewilding``, ``stops``, ``companies`` -- each a GeoPackage (``.gpkg``),
  GeoJSON (``.geojson``/``.json``), Shapefile (``.shp`` with its ``.shx``,
  ``.dbf``, ``.prj``, ``.cpg``), FlatGeobuf (``.fgb``) or CSV (``.csv`` with
  ``lon``/``lat`` or ``x``/``y`` columns). A folder holding an ``areas.toml``
  is read through that file;
- a GeoPackage whose layers are named after the kinds;
- one file named after a kind (``districts.geojson``);
- an ``areas.toml`` (see :mod:`areas.load.config`) naming, for each kind, a file, a
  layer, a CRS and the user's own column names and constant values, so that a
  plandata.dk local-plan export serves as the districts layer unedited.

``config`` may also be given separately (a path, a mapping with the tables of
an ``areas.toml``, or an :class:`~areas.load.config.AreasConfig`); its kinds take
precedence over those found in ``source``.

Kinds that no source provides are empty layers, or the bundled ones with
``fallback="bundled"``; ``atlas.sources[kind].path`` is ``None`` for an empty
layer, and a warning names them unless the fallback was stated explicitly.
Districts are always required.

What every layer looks like afterwards
--------------------------------------
A :class:`geopandas.GeoDataFrame` in EPSG:25832 indexed 0..n-1, with every
schema column of :data:`areas.schema.KINDS` (optional ones absent from the
file are added empty) followed by the file's other columns; ids are unique
non-null text (leading zeros kept); dates ``datetime64[ns]``; counts ``Int64``;
``bid_member`` ``boolean``; polygons valid (Multi)Polygons; points Points.
CSV coordinate columns become the geometry and are not kept.
``atlas.sources[kind]`` (a :class:`~areas.atlas.LayerSource`) records the
file, its SHA-256, the original CRS, the encoding, the column mapping, every
repair and every excluded feature with its reason; ``features_read ==
features_used + len(excluded)`` always holds.

Bad input: error, repair or exclusion
-------------------------------------
Every error is an :class:`areas.errors.AreasError` subclass whose message names
the file, the layer, the feature ids and the fix. Repairs and exclusions are
announced with :class:`areas.errors.AreasRepairWarning` listing the ids.

============================================  =========================================
Input                                         Outcome
============================================  =========================================
file missing; named layer absent              ``MissingLayerError`` listing what exists
several layers, none named                    ``AmbiguousLayerError`` listing the layers
truncated / garbled / HTML saved as GeoJSON   ``DamagedFileError`` (never fewer rows)
``.shx`` and ``.dbf`` record counts differ    ``DamagedFileError``
text not in its declared encoding; mojibake   ``EncodingError`` with the likely encoding
Shapefile without ``.cpg``, not UTF-8         read in the codepage with the most Danish
                                              letters (cp1252/cp865), ``AreasWarning``
CSV not UTF-8                                 read as cp1252/cp865, ``AreasWarning``
CSV lines with a different field count        ``DamagedFileError`` naming the lines
                                              (unquoted decimal commas)
duplicate / unnamed CSV columns               ``SchemaError`` listing them
required column missing                       ``MissingColumnError`` listing the columns
missing or duplicate ids                      ``SchemaError`` / ``DuplicateIdError``
``status``/``mode`` not a valid value         ``SchemaError`` listing ids and valid values
unreadable dates, counts, booleans            ``SchemaError`` listing ids and values
no CRS and none stated                        ``MissingCrsError`` (with a guess)
stated CRS differs from the file's            ``CrsError`` (``crs_override`` relabels)
coordinates outside Denmark                   ``CoordinateError`` naming the features and
                                              the likely cause (UTM labelled EPSG:4326,
                                              swapped lon/lat, zone 33 labelled 32)
wrong geometry type (point in polygons)       ``GeometryTypeError`` naming the ids
MultiPoint of one point in a point layer      repaired to a Point, warning
invalid polygon (bow-tie, ...)                ``shapely.make_valid``, polygonal parts
                                              kept, warning with area before/after
unclosed ring                                 closed, warning
no / empty / undecodable geometry,            excluded with the reason, warning; for
point at (0, 0), polygon collapsed to          **districts** a ``GeometryError``
zero area                                     (a district must have an outline)
identical geometries under different ids      kept, warning listing the ids (polygons)
============================================  =========================================

Inputs in different CRSs are each reprojected to EPSG:25832.

Rewilding plots that overlap and firms on a boundary shared by two or more
districts are not problems: the analyses count an overlap once and place a
boundary firm by the rule of :mod:`areas.analysis.assign`. :func:`load` records them,
with the ids, in ``atlas.sources[kind].notes`` (no warning);
:func:`areas.validate.validate` lists them as notes.

Examples
--------
>>> import areas.load.pipeline
>>> atlas = areas.load.pipeline.load()
>>> atlas.sources["districts"].features_used
8
"""

from __future__ import annotations

import os
import sys
import types
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

import areas.load._readers as _readers
from areas.atlas import Atlas, Exclusion, LayerSource, Repair
from areas.errors import (
    AmbiguousLayerError,
    AreasError,
    AreasRepairWarning,
    AreasWarning,
    ConfigError,
    CoordinateError,
    CrsError,
    DuplicateIdError,
    EncodingError,
    GeometryError,
    GeometryTypeError,
    MissingColumnError,
    MissingCrsError,
    MissingLayerError,
    SchemaError,
    format_ids,
)
from areas.load.config import (
    AreasConfig,
    LayerConfig,
    check_crs,
    parse_config,
    parse_layer_table,
    read_config,
)
from areas.schema import (
    DENMARK_BOUNDS_4326,
    DENMARK_BOUNDS_25832,
    KIND_NAMES,
    KINDS,
    SQM_PER_HA,
    WORK_CRS,
)

__all__ = ["load", "read_layer", "empty_layer"]

_BOOL_VALUES = {
    "true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
    "ja": True, "nej": False, "t": True, "f": False, "y": True, "n": False,
    "j": True, "sand": True, "falsk": False,
}  # fmt: skip
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y%m%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%Y-%m",
    "%Y",
)
_DATE_FIX = (
    "write dates as YYYY-MM-DD (also read: YYYYMMDD, DD-MM-YYYY, DD.MM.YYYY, DD/MM/YYYY, "
    "YYYY-MM, YYYY, ISO 8601 date-times); leave the field blank for no date"
)
_POLYGON_TYPES = (3, 6)  # shapely type ids: Polygon, MultiPolygon
_TYPE_NAMES = {
    -1: "none", 0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon",
    4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection",
}  # fmt: skip


# --------------------------------------------------------------------------- problem collection


@dataclass
class _Issue:
    """One problem found in a layer (converted to ``areas.validate.Problem``)."""

    severity: str  # "error" | "warning" | "info"
    category: type  # exception class for errors, warning class for warnings
    kind: str | None
    path: str | None
    layer: str | None
    ids: list[str]
    message: str
    fix: str | None = None
    code: str | None = None  # the name reported for an "info" (it has no class of its own)

    def text(self) -> str:
        return self.message + (f" Fix: {self.fix}" if self.fix else "")

    def exception(self) -> AreasError:
        return self.category(
            self.text(),
            path=self.path,
            layer=self.layer,
            ids=self.ids,
            kind=self.kind,
            fix=self.fix,
            detail=self.message,
        )

    def warn(self) -> None:
        # worded like an error: "file ..., layer `...`: message Fix: ..."
        text = str(AreasError(self.text(), path=self.path, layer=self.layer))
        warnings.warn(text, self.category, stacklevel=_user_stacklevel())


def _user_stacklevel() -> int:
    """Return the ``stacklevel`` that points a warning at the first caller outside ``areas``."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame: types.FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame, level = frame.f_back, level + 1
    return level


class _Collector:
    """Raise (``strict``) or collect the problems of one layer."""

    def __init__(self, kind: str, path, layer, *, strict: bool):
        self.kind = kind
        self.path = None if path is None else str(path)
        self.layer = layer
        self.strict = strict
        self.issues: list[_Issue] = []
        self.source: LayerSource | None = None  # filled in by _normalise

    @property
    def failed(self) -> bool:
        return any(i.severity == "error" for i in self.issues)

    def error(self, category, message: str, *, ids=(), fix: str | None = None) -> None:
        issue = _Issue(
            "error", category, self.kind, self.path, self.layer, [str(i) for i in ids], message, fix
        )
        if self.strict:
            raise issue.exception()
        self.issues.append(issue)

    def warn(
        self, message: str, *, ids=(), fix: str | None = None, category=AreasRepairWarning
    ) -> None:
        issue = _Issue(
            "warning",
            category,
            self.kind,
            self.path,
            self.layer,
            [str(i) for i in ids],
            message,
            fix,
        )
        self.issues.append(issue)
        if self.strict:
            issue.warn()


# --------------------------------------------------------------------------- value conversion


def _to_text(series: pd.Series, *, strip: bool = False) -> pd.Series:
    """Return ``series`` as pandas text (NA kept); integral numbers without ``.0``."""
    s = series
    if pd.api.types.is_bool_dtype(s.dtype):
        out = s.astype("str")
    elif pd.api.types.is_integer_dtype(s.dtype):
        out = s.astype("Int64").astype("str")
    elif pd.api.types.is_float_dtype(s.dtype):
        values = s.to_numpy(dtype=float, na_value=np.nan)
        finite = np.isfinite(values)
        integral = finite & (np.floor(np.where(finite, values, 0)) == values)
        out = s.astype("str")
        if integral.any():
            ints = (
                pd.Series(values[integral], index=s.index[integral]).astype("int64").astype("str")
            )
            out = out.copy()
            out[integral] = ints
        out = out.where(~np.isnan(values))
    elif pd.api.types.is_datetime64_any_dtype(s.dtype):
        out = s.dt.strftime("%Y-%m-%d").astype("str")
    elif pd.api.types.is_string_dtype(s.dtype) and s.dtype != object:
        out = s
    else:
        out = s.map(
            lambda v: v if v is None or isinstance(v, str) or pd.isna(v) else str(v)
        ).astype("str")
    if strip:
        out = out.str.strip()
    out = out.where(out.notna() & (out != ""))
    return out.astype("str")


def _to_float(series: pd.Series, decimal: str | None) -> tuple[pd.Series, np.ndarray]:
    """Return (float64 values, mask of values present but unreadable)."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = series.astype("float64")
        return values, np.zeros(len(series), dtype=bool)
    text = series if pd.api.types.is_string_dtype(series.dtype) else _to_text(series)
    values = pd.to_numeric(text, errors="coerce")
    bad = (text.notna() & values.isna()).to_numpy()
    if bad.any() and decimal != ".":
        retry = pd.to_numeric(
            text[bad].str.strip().str.replace(",", ".", regex=False), errors="coerce"
        )
        values = values.astype("float64")
        values[bad] = retry
        bad = (text.notna() & values.isna()).to_numpy()
    return values.astype("float64"), bad


def _parse_dates(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Return (datetime64[ns] values, mask of values present but unreadable)."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        s = series
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_localize(None)
        return s.astype("datetime64[ns]"), np.zeros(len(series), dtype=bool)
    text = _to_text(series, strip=True)
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    remaining = text.notna().to_numpy().copy()
    for fmt in _DATE_FORMATS:
        if not remaining.any():
            break
        parsed = pd.to_datetime(text[remaining], format=fmt, errors="coerce")
        ok = parsed.notna().to_numpy()
        if ok.any():
            idx = np.flatnonzero(remaining)[ok]
            in_range = (parsed[ok] >= pd.Timestamp("1700-01-01")) & (
                parsed[ok] <= pd.Timestamp("2200-12-31")
            )
            idx = idx[in_range.to_numpy()]
            out.iloc[idx] = parsed[ok][in_range.to_numpy()].astype("datetime64[ns]").to_numpy()
            remaining[idx] = False
    if remaining.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = pd.to_datetime(text[remaining], format="ISO8601", errors="coerce", utc=True)
        ok = parsed.notna().to_numpy()
        if ok.any():
            idx = np.flatnonzero(remaining)[ok]
            vals = parsed[ok].dt.tz_convert(None)
            in_range = (
                (vals >= pd.Timestamp("1700-01-01")) & (vals <= pd.Timestamp("2200-12-31"))
            ).to_numpy()
            out.iloc[idx[in_range]] = vals[in_range].astype("datetime64[ns]").to_numpy()
            remaining[idx[in_range]] = False
    return out, remaining


def _parse_bool(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("boolean"), np.zeros(len(series), dtype=bool)
    text = _to_text(series)
    trues = [k for k, v in _BOOL_VALUES.items() if v]
    falses = [k for k, v in _BOOL_VALUES.items() if not v]
    true, false = text.isin(trues).to_numpy().copy(), text.isin(falses).to_numpy().copy()
    other = text.notna().to_numpy() & ~(true | false)
    if other.any():  # other spellings: case and surrounding blanks
        folded = text[other].str.strip().str.lower()
        true[other], false[other] = folded.isin(trues).to_numpy(), folded.isin(falses).to_numpy()
    values = pd.array(np.where(true, True, False), dtype="boolean")
    values[~(true | false)] = pd.NA
    bad = text.notna().to_numpy() & ~(true | false)
    return pd.Series(values, index=series.index), bad


def _crs_label(crs) -> str | None:
    if crs is None:
        return None
    crs = pyproj.CRS.from_user_input(crs)
    epsg = crs.to_epsg(min_confidence=70)
    if epsg is not None:
        return f"EPSG:{epsg}"
    return crs.to_string()


def _same_crs(a, b) -> bool:
    a, b = pyproj.CRS.from_user_input(a), pyproj.CRS.from_user_input(b)
    if a.equals(b, ignore_axis_order=True):
        return True
    ea, eb = a.to_epsg(min_confidence=70), b.to_epsg(min_confidence=70)
    return ea is not None and ea == eb


# --------------------------------------------------------------------------- coordinates


def _in_box(x, y, box) -> np.ndarray:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with np.errstate(invalid="ignore"):
        return (
            np.isfinite(x)
            & np.isfinite(y)
            & (x >= box[0])
            & (x <= box[2])
            & (y >= box[1])
            & (y <= box[3])
        )


def _transform(x, y, src, dst=WORK_CRS):
    transformer = pyproj.Transformer.from_crs(src, dst, always_xy=True)
    with np.errstate(all="ignore"):
        return transformer.transform(
            np.asarray(x, dtype=float), np.asarray(y, dtype=float), errcheck=False
        )


_CANDIDATES = ("EPSG:25832", "EPSG:4326", "swapped", "EPSG:25833", "EPSG:3857")


def _fits(cand: str, x, y, src=None) -> np.ndarray:
    """Which points (x, y as written in the file) lie in Denmark when read as ``cand``."""
    if cand == "swapped":
        if src is not None and not pyproj.CRS.from_user_input(src).is_geographic:
            return np.zeros(len(np.atleast_1d(x)), dtype=bool)
        return _in_box(y, x, DENMARK_BOUNDS_4326)
    if cand == "EPSG:4326":
        return _in_box(x, y, DENMARK_BOUNDS_4326)
    if cand == "EPSG:25832":
        return _in_box(x, y, DENMARK_BOUNDS_25832)
    tx, ty = _transform(x, y, cand)
    return _in_box(tx, ty, DENMARK_BOUNDS_25832)


def _guess_crs(x, y) -> str | None:
    for cand in _CANDIDATES:
        if cand != "swapped" and len(x) and _fits(cand, x, y).all():
            return cand
    return None


# --------------------------------------------------------------------------- the layer pipeline


def empty_layer(kind: str) -> gpd.GeoDataFrame:
    """Return an empty layer of ``kind`` with every schema column, typed, in EPSG:25832.

    Examples
    --------
    >>> empty_layer("companies").columns.tolist()
    ['company_id', 'name', 'employees', 'sector', 'bid_member', 'address', 'geometry']
    """
    if kind not in KINDS:
        msg = f"`kind` must be one of {', '.join(KIND_NAMES)}, got {kind!r}"
        raise ConfigError(msg)
    frame = pd.DataFrame({c: pd.Series([], dtype="str") for c in KINDS[kind].columns})
    frame = _final_dtypes(frame, KINDS[kind])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=WORK_CRS), crs=WORK_CRS)


def _final_dtypes(frame: pd.DataFrame, spec) -> pd.DataFrame:
    for col in spec.columns:
        if col in spec.dates:
            frame[col] = frame[col].astype("datetime64[ns]")
        elif col in spec.integers:
            frame[col] = frame[col].astype("Int64")
        elif col in spec.floats:
            frame[col] = frame[col].astype("float64")
        elif col in spec.booleans:
            frame[col] = frame[col].astype("boolean")
        else:
            frame[col] = frame[col].astype("str")
    return frame


def _read_spec(spec: LayerConfig, *, default_crs: str | None, strict: bool):
    """Read and normalise one layer; return (frame or None, LayerSource, issues)."""
    xy = None
    if "x" in spec.columns or "y" in spec.columns:
        if not ("x" in spec.columns and "y" in spec.columns):
            msg = f"[{spec.kind}.columns] names only one of `x`, `y`; name both coordinate columns"
            raise ConfigError(msg, path=spec.path, layer=spec.kind)
        xy = (spec.columns["x"], spec.columns["y"])
    if spec.path is None:
        msg = f"[{spec.kind}] has no `path`; name the file that holds the `{spec.kind}` layer"
        raise ConfigError(msg, layer=spec.kind)
    try:
        raw = _readers.read_raw(
            spec.path,
            spec.kind,
            layer=spec.layer,
            encoding=spec.encoding,
            sep=spec.sep,
            decimal=spec.decimal,
            xy=xy,
        )
    except AreasError as exc:
        # Errors found while reading the file (damaged, wrongly encoded) know the
        # file only: name the layer too, as every other error does.
        located = exc.in_layer(spec.layer or spec.kind, spec.kind)
        raise located.with_traceback(exc.__traceback__) from None
    col = _Collector(spec.kind, raw.path, raw.layer or spec.kind, strict=strict)
    for message, fix in raw.notes:
        col.warn(message, fix=fix, category=AreasWarning)
    frame = _normalise(raw, spec, default_crs=default_crs, col=col)
    source = col.source
    return (None if col.failed else frame), source, col.issues


def _normalise(raw: _readers.RawLayer, spec_in: LayerConfig, *, default_crs, col: _Collector):
    kind = spec_in.kind
    spec = KINDS[kind]
    frame = raw.frame
    n = len(frame)
    source = LayerSource(
        kind=kind,
        path=str(raw.path),
        layer=raw.layer,
        sha256=raw.sha256,
        features_read=n,
        encoding=raw.encoding if raw.fmt in ("shp", "csv") else None,
    )
    col.source = source
    xy_cols = set(raw.xy or ())

    # ---- columns: explicit mapping, then automatic (case, Shapefile 10-character names)
    mapping = {k: v for k, v in spec_in.columns.items() if k not in ("x", "y")}
    existing = [c for c in frame.columns]
    lowered: dict[str, list[str]] = {}
    for c in existing:
        lowered.setdefault(str(c).lower(), []).append(c)
    renames: dict[str, str] = {}
    absent_sources = []
    for schema_col, src in mapping.items():
        if src in frame.columns:
            renames[src] = schema_col
        elif len(lowered.get(src.lower(), [])) == 1:
            renames[lowered[src.lower()][0]] = schema_col
        else:
            absent_sources.append((schema_col, src))
    if absent_sources:
        col.error(
            MissingColumnError,
            f"has no column {format_ids(f'`{s}`' for _, s in absent_sources)} (mapped to "
            f"{format_ids(f'`{c}`' for c, _ in absent_sources)}); its columns are "
            f"{', '.join(map(str, existing)) or 'none'}",
            fix=f"correct the column names in [{kind}.columns] of the areas.toml",
        )
    taken = set(renames)
    for schema_col in spec.columns:
        if schema_col in mapping or schema_col in spec_in.constants:
            continue
        if schema_col in frame.columns and schema_col not in taken:
            continue
        cands = [
            c
            for c in existing
            if c not in taken
            and c not in xy_cols
            and (
                str(c).lower() == schema_col
                or (len(schema_col) > 10 and str(c).lower() == schema_col[:10])
            )
        ]
        if len(cands) == 1 and cands[0] != schema_col:
            renames[cands[0]] = schema_col
            taken.add(cands[0])
    # a file column already called like a schema column that another column is mapped to
    clash = {
        c: f"{c}_original" for c in frame.columns if c in renames.values() and c not in renames
    }
    clash.update(
        {c: f"{c}_original" for c in frame.columns if c in spec_in.constants and c not in renames}
    )
    frame = frame.rename(columns={**clash, **renames})
    source.column_map = {str(k): v for k, v in renames.items() if k != v}
    for name, value in spec_in.constants.items():
        source.notes.append(f"`{name}` set to {value!r} for every feature (areas.toml constants)")
        frame[name] = pd.Series(value, index=frame.index) if n else pd.Series([], dtype=object)
    missing_cols = [c for c in spec.required if c not in frame.columns]
    if missing_cols:
        have = [str(c) for c in frame.columns if c not in xy_cols]
        col.error(
            MissingColumnError,
            f"has no column {format_ids(f'`{c}`' for c in missing_cols)}, required for `{kind}`; "
            f"its columns are {', '.join(have) or 'none'}",
            fix=(
                f"rename the columns in the file, or map your own names in an areas.toml: "
                f'[{kind}.columns] {missing_cols[0]} = "your column" (or a constant value in '
                f"[{kind}.constants])"
            ),
        )
    for c in spec.columns:
        if c not in frame.columns:
            frame[c] = pd.Series(np.nan, index=frame.index, dtype="str")

    # ---- ids
    ids = _to_text(frame[spec.id_column], strip=True)
    frame[spec.id_column] = ids
    position = pd.Series(np.arange(1, n + 1), index=frame.index)

    def labels(mask) -> list[str]:
        mask = np.asarray(mask, dtype=bool)
        sub = ids[mask]
        pos = position[mask]
        return [
            v if isinstance(v, str) else f"#{p}"
            for v, p in zip(sub.tolist(), pos.tolist(), strict=True)
        ]

    if spec.id_column not in missing_cols:
        no_id = ids.isna().to_numpy()
        if no_id.any():
            col.error(
                SchemaError,
                f"{int(no_id.sum())} feature(s) have no `{spec.id_column}`: feature "
                f"{format_ids(labels(no_id))} (numbered from 1 in file order)",
                ids=labels(no_id),
                fix=f"give every feature a `{spec.id_column}`",
            )
        dup = ids.duplicated(keep=False).to_numpy() & ~no_id
        if dup.any():
            counts = ids[dup].value_counts(sort=False)
            shown = [f"{i} ({c}×)" for i, c in counts.items()]
            col.error(
                DuplicateIdError,
                f"{len(counts)} `{spec.id_column}` value(s) are used by more than one feature: "
                f"{format_ids(shown)}",
                ids=list(counts.index),
                fix=f"give every feature its own `{spec.id_column}` (ids are compared as text)",
            )

    # ---- text that was decoded wrongly
    text_cols = [c for c in frame.columns if c not in xy_cols]
    for name, mask in _readers.find_mojibake(frame[text_cols]).items():
        sample = frame.loc[mask, name].astype("str").head(3).tolist()
        if raw.fmt == "shp":
            fix = (
                'state the real encoding: `encoding="cp1252"` (command line: encoding = '
                f'"cp1252" in the [{kind}] table of an areas.toml), or correct the .cpg file'
            )
        elif raw.fmt == "csv":
            fix = (
                "save the table as UTF-8 once (it was converted twice), or state its real "
                f'encoding: `encoding="cp1252"` (command line: encoding = "cp1252" in the '
                f"[{kind}] table of an areas.toml)"
            )
        else:
            fix = (
                "the text was converted to UTF-8 twice in the source; "
                "export it again from the original"
            )
        col.error(
            EncodingError,
            f"column `{name}` holds garbled text in {int(mask.sum())} feature(s): "
            f"{format_ids(labels(mask))} (e.g. {', '.join(repr(s) for s in sample)}; "
            "'Ã¦' is UTF-8 'æ' read in a Western codepage, '\ufffd' a character that was lost)",
            ids=labels(mask),
            fix=fix,
        )

    # ---- value columns
    present = {c for c in spec.columns if c not in missing_cols}

    def refuse(c: str, bad: np.ndarray, what: str, fix: str) -> None:
        """Report the features whose ``c`` cannot be read (``what`` says why)."""
        if bad.any() and c in present:
            shown = frame.loc[bad, c].astype("str").head(3).tolist()
            col.error(
                SchemaError,
                f"`{c}` of {int(bad.sum())} feature(s) {what}: {format_ids(labels(bad))} "
                f"(e.g. {', '.join(map(repr, shown))})",
                ids=labels(bad),
                fix=fix,
            )

    for c in spec.columns:
        if c == spec.id_column:
            continue
        if c in spec.dates:
            values, bad = _parse_dates(frame[c])
            refuse(c, bad, "cannot be read as a date", _DATE_FIX)
            frame[c] = values
        elif c in spec.integers or c in spec.floats:
            values, bad = _to_float(frame[c], raw.decimal)
            if c in spec.integers:
                with np.errstate(invalid="ignore"):
                    v = values.to_numpy()
                    bad = bad | (np.isfinite(v) & ((np.floor(v) != v) | (v < 0)))
            else:
                with np.errstate(invalid="ignore"):
                    bad = bad | (values.to_numpy() < 0)
            what = "a whole number ≥ 0" if c in spec.integers else "a number ≥ 0"
            refuse(
                c,
                bad,
                f"is not {what}",
                f"write `{c}` as {what} without thousands separators; leave it blank when unknown",
            )
            values = values.where(~bad)
            frame[c] = values.round().astype("Int64") if c in spec.integers else values
        elif c in spec.booleans:
            values, bad = _parse_bool(frame[c])
            refuse(
                c,
                bad,
                "is not true/false",
                f"write `{c}` as true/false, yes/no, ja/nej or 1/0; leave it blank when unknown",
            )
            frame[c] = values
        else:
            text = _to_text(frame[c])
            if c in spec.values:
                valid = spec.values[c]
                norm = text.str.strip().str.lower().str.replace(r"[\s\-]+", "_", regex=True)
                bad = (~norm.isin(valid)).to_numpy()
                if bad.any() and c in present:
                    shown = [
                        f"{i} ({v!r})" if isinstance(v, str) else f"{i} (blank)"
                        for i, v in zip(labels(bad), text[bad].tolist(), strict=True)
                    ]
                    col.error(
                        SchemaError,
                        f"`{c}` of {int(bad.sum())} feature(s) is not one of {', '.join(valid)}: "
                        f"{format_ids(shown)}",
                        ids=labels(bad),
                        fix=(
                            f"use one of {', '.join(valid)}; to give every feature the same "
                            f"`{c}`, write it in the areas.toml: "
                            f'[{kind}.constants] {c} = "{valid[0]}"'
                        ),
                    )
                text = norm.where(~bad, text)
            frame[c] = text

    # ---- geometry
    crs_src = _resolve_crs(raw, spec_in, default_crs, col, frame)
    raw_xy = None  # CSV: the coordinates as written, for (0, 0) and the CRS diagnosis
    if raw.fmt == "csv":
        geoms, blank_xy, raw_xy = _csv_points(raw, frame, col, labels, crs_src)
    else:
        geoms = np.asarray(raw.geometry.array, dtype=object)
        blank_xy = None
    reasons = np.full(n, None, dtype=object)  # exclusion reason per row
    missing = shapely.is_missing(geoms)
    if raw.unreadable is not None:
        reasons[raw.unreadable] = "a geometry that cannot be decoded"
        missing = missing & ~raw.unreadable
    reasons[missing] = (
        "no coordinates (blank coordinate fields)" if blank_xy is not None else "no geometry"
    )
    empty = ~shapely.is_missing(geoms) & shapely.is_empty(geoms)
    reasons[empty] = "empty geometry"
    type_ids = shapely.get_type_id(geoms)
    live = reasons == None  # noqa: E711 - elementwise on an object array
    repairs: list[Repair] = []
    if raw.ring_closed is not None and raw.ring_closed.any():
        closed = labels(raw.ring_closed)
        repairs += [Repair(i, "closed an unclosed polygon ring") for i in closed]
        col.warn(
            f"closed the unclosed polygon ring(s) of {len(closed)} feature(s): "
            f"{format_ids(closed)}",
            ids=closed,
            fix="close every ring in the source (last vertex = first vertex)",
        )
    wrong = np.zeros(n, dtype=bool)
    if spec.geometry == "polygon":
        gc = live & (type_ids == 7)
        if gc.any():
            polys = [_polygonal_part(g) for g in geoms[gc]]
            fixed = np.array(polys, dtype=object)
            geoms = geoms.copy()
            geoms[gc] = fixed
            lost = np.flatnonzero(gc)[shapely.is_missing(fixed)]
            gc_ok = np.flatnonzero(gc)[~shapely.is_missing(fixed)]
            wrong[lost] = True
            if len(gc_ok):
                ok_labels = labels(np.isin(np.arange(n), gc_ok))
                repairs += [
                    Repair(i, "kept the polygons of a geometry collection") for i in ok_labels
                ]
                col.warn(
                    f"kept only the polygons of the geometry collection(s) of {len(ok_labels)} "
                    f"feature(s): {format_ids(ok_labels)}",
                    ids=ok_labels,
                    fix="store (Multi)Polygons only in this layer",
                )
            type_ids = shapely.get_type_id(geoms)
        wrong |= live & ~np.isin(type_ids, _POLYGON_TYPES)
        expected = "(Multi)Polygon"
    else:
        mp = live & (type_ids == 4) & (shapely.get_num_geometries(geoms) == 1)
        if mp.any():
            geoms = geoms.copy()
            geoms[mp] = shapely.get_geometry(geoms[mp], 0)
            mp_labels = labels(mp)
            repairs += [Repair(i, "MultiPoint of one point made a Point") for i in mp_labels]
            col.warn(
                f"turned the one-point MultiPoint(s) of {len(mp_labels)} feature(s) into Points: "
                f"{format_ids(mp_labels)}",
                ids=mp_labels,
            )
            type_ids = shapely.get_type_id(geoms)
        wrong |= live & (type_ids != 0)
        expected = "Point"
    if wrong.any():
        found = sorted({_TYPE_NAMES.get(int(t), str(t)) for t in type_ids[wrong]})
        shown = [
            f"{i} ({_TYPE_NAMES.get(int(t), t)})"
            for i, t in zip(labels(wrong), type_ids[wrong], strict=True)
        ]
        col.error(
            GeometryTypeError,
            f"`{kind}` must hold {expected} geometries, but {int(wrong.sum())} feature(s) hold "
            f"{', '.join(found)}: {format_ids(shown)}",
            ids=labels(wrong),
            fix="remove these features or move them to the layer they belong to",
        )
    live &= ~wrong
    if spec.geometry == "point":
        with np.errstate(invalid="ignore"):
            x0, y0 = raw_xy if raw_xy is not None else (shapely.get_x(geoms), shapely.get_y(geoms))
            null_island = live & (x0 == 0) & (y0 == 0)
        reasons[null_island] = "a point at (0, 0) (the mark of a failed geocoding)"
        live &= ~null_island

    out_geoms = np.full(n, None, dtype=object)
    if crs_src is not None and live.any():
        out_geoms = _reproject_and_check(geoms, live, crs_src, raw, col, labels, raw_xy)
        if spec.geometry == "polygon":
            live_ok = live & ~shapely.is_missing(out_geoms)
            out_geoms, repairs_made, collapsed = _repair_polygons(out_geoms, live_ok, col, labels)
            repairs += repairs_made
            reasons[collapsed] = (
                "a polygon collapsed to zero area (nothing is left after make_valid)"
            )
            live &= ~collapsed
            _warn_duplicate_geometries(out_geoms, live, col, labels)

    # ---- exclusions
    excluded = (
        np.array([r is not None for r in reasons], dtype=bool) if n else np.zeros(0, dtype=bool)
    )
    exclusions = [Exclusion(i, r) for i, r in zip(labels(excluded), reasons[excluded], strict=True)]
    if exclusions:
        by_reason: dict[str, list[str]] = {}
        for e in exclusions:
            by_reason.setdefault(e.reason, []).append(e.id)
        if kind == "districts":
            listing = "; ".join(f"{r}: {format_ids(v)}" for r, v in by_reason.items())
            col.error(
                GeometryError,
                f"{len(exclusions)} district(s) have no usable outline ({listing})",
                ids=[e.id for e in exclusions],
                fix="draw the outline of each district, or remove the district from the file",
            )
        else:
            for reason, excl_ids in by_reason.items():
                col.warn(
                    f"left out {len(excl_ids)} feature(s) with {reason}: {format_ids(excl_ids)}",
                    ids=excl_ids,
                    fix="add the geometry or coordinates in the source to include them",
                )
    source.excluded = exclusions
    source.repairs = repairs
    keep = ~excluded & ~wrong
    source.original_crs = _crs_label(crs_src) if crs_src is not None else None
    source.features_used = int(keep.sum()) if not col.failed else 0
    if col.failed:
        return None

    # ---- assemble
    extras = [
        c for c in frame.columns if c not in spec.columns and c not in xy_cols and c != "geometry"
    ]
    out = frame.loc[keep, [*spec.columns, *extras]].reset_index(drop=True)
    out = _final_dtypes(out, spec)
    geometry = gpd.GeoSeries(out_geoms[keep], crs=WORK_CRS)
    return gpd.GeoDataFrame(out, geometry=geometry, crs=WORK_CRS)


def _polygonal_part(geom):
    parts = shapely.get_parts(geom)
    polys = [p for p in parts if shapely.get_type_id(p) in _POLYGON_TYPES and not p.is_empty]
    if not polys:
        return None
    merged = shapely.union_all(polys)
    return merged if shapely.get_type_id(merged) in _POLYGON_TYPES else None


def _resolve_crs(raw, spec_in: LayerConfig, default_crs, col: _Collector, frame):
    declared = raw.crs
    stated = spec_in.crs
    if stated is not None and declared is not None and not _same_crs(stated, declared):
        if spec_in.crs_override:
            col.warn(
                f"the file declares {_crs_label(declared)} but its coordinates were read as "
                f"{_crs_label(stated)}, as stated with `crs_override`",
                category=AreasWarning,
            )
            return pyproj.CRS.from_user_input(stated)
        col.error(
            CrsError,
            f"the file declares {_crs_label(declared)} but `crs` says {_crs_label(stated)}",
            fix=(
                "remove `crs` (it is for files without a CRS), or, if the file's label is wrong, "
                "keep it and add `crs_override=True` (command line: crs_override = true in the "
                f"[{col.kind}] table of an areas.toml)"
            ),
        )
        return None
    for crs in (stated, declared, default_crs, raw.xy_crs):
        if crs is not None:
            return pyproj.CRS.from_user_input(crs)
    guess = None
    if raw.fmt != "csv":
        geoms = np.asarray(raw.geometry.array, dtype=object)
        ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
        if ok.any():
            b = shapely.bounds(geoms[ok])
            guess = _guess_crs((b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2)
    else:
        x, _ = _to_float(frame[raw.xy[0]], raw.decimal)
        y, _ = _to_float(frame[raw.xy[1]], raw.decimal)
        ok = (x.notna() & y.notna()).to_numpy()
        if ok.any():
            guess = _guess_crs(x.to_numpy()[ok], y.to_numpy()[ok])
    hint = f"; its coordinates look like {guess}" if guess and guess != "swapped" else ""
    suggestion = guess if guess and guess != "swapped" else "EPSG:25832"
    what = {"shp": " (no .prj file)", "csv": " (its coordinate columns are not lon/lat)"}.get(
        raw.fmt, ""
    )
    col.error(
        MissingCrsError,
        f"has no CRS{what} and none was stated{hint}",
        fix=(
            f'state the CRS: `crs="{suggestion}"` (command line: --crs {suggestion}, or '
            f'crs = "{suggestion}" in the [{spec_in.kind}] table of an areas.toml), or save the '
            "file with its CRS"
        ),
    )
    return None


def _csv_points(raw, frame, col: _Collector, labels, crs_src):
    """Return (points, blank mask, (x, y) as written).

    The points are in EPSG:25832 when the CRS is known (one vectorised transform).
    """
    xname, yname = raw.xy
    x, bad_x = _to_float(frame[xname], raw.decimal)
    y, bad_y = _to_float(frame[yname], raw.decimal)
    bad = bad_x | bad_y
    if bad.any():
        shown = [
            f"{i} ({a!r}, {b!r})"
            for i, a, b in zip(
                labels(bad),
                frame.loc[bad, xname].tolist(),
                frame.loc[bad, yname].tolist(),
                strict=True,
            )
        ]
        col.error(
            CoordinateError,
            f"the coordinates (`{xname}`, `{yname}`) of {int(bad.sum())} feature(s) are not "
            f"numbers: {format_ids(shown)}",
            ids=labels(bad),
            fix=(
                "write coordinates as plain numbers with a decimal point "
                "(or a decimal comma in a `;`-separated file)"
            ),
        )
    xv, yv = x.to_numpy(dtype=float), y.to_numpy(dtype=float)
    blank = np.isnan(xv) | np.isnan(yv)
    px, py = np.where(blank, 0.0, xv), np.where(blank, 0.0, yv)
    if crs_src is not None and not _same_crs(crs_src, WORK_CRS):
        px, py = _transform(px, py, crs_src)  # one vectorised transform, points built once
    geoms = shapely.points(px, py)
    geoms[blank] = None
    return geoms, blank, (xv, yv)


def _reproject_and_check(geoms, live, crs_src, raw, col: _Collector, labels, raw_xy=None):
    """Reproject the live geometries to EPSG:25832; error on features outside Denmark.

    With ``raw_xy`` (CSV) the points are already in EPSG:25832 and ``raw_xy`` holds the
    coordinates as written.
    """
    n = len(geoms)
    out = np.full(n, None, dtype=object)
    idx = np.flatnonzero(live)
    if raw_xy is not None:
        rx, ry = raw_xy[0][idx], raw_xy[1][idx]
        raw_bounds = np.column_stack([rx, ry, rx, ry])
        warr = geoms[idx]
    elif _same_crs(crs_src, WORK_CRS):
        raw_bounds = shapely.bounds(geoms[idx])
        warr = geoms[idx]
    elif (shapely.get_type_id(geoms[idx]) == 0).all():  # points: transform the coordinate arrays
        rx, ry = shapely.get_x(geoms[idx]), shapely.get_y(geoms[idx])
        raw_bounds = np.column_stack([rx, ry, rx, ry])
        tx, ty = _transform(rx, ry, crs_src)
        warr = shapely.points(tx, ty)
    else:
        raw_bounds = shapely.bounds(geoms[idx])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warr = np.asarray(
                gpd.GeoSeries(geoms[idx], crs=crs_src).to_crs(WORK_CRS).array, dtype=object
            )
    b = shapely.bounds(warr)
    box = DENMARK_BOUNDS_25832
    with np.errstate(invalid="ignore"):
        inside = (
            np.isfinite(b).all(axis=1)
            & (b[:, 0] >= box[0])
            & (b[:, 2] <= box[2])
            & (b[:, 1] >= box[1])
            & (b[:, 3] <= box[3])
        )
    out[idx] = warr
    if inside.all():
        return out
    outside = idx[~inside]
    mask = np.zeros(n, dtype=bool)
    mask[outside] = True
    ids = labels(mask)
    cx = (raw_bounds[~inside, 0] + raw_bounds[~inside, 2]) / 2
    cy = (raw_bounds[~inside, 1] + raw_bounds[~inside, 3]) / 2
    label = _crs_label(crs_src)
    cause = None
    for cand in _CANDIDATES:
        if cand != "swapped" and _same_crs(cand, crs_src):
            continue
        if _fits(cand, cx, cy, crs_src).all():
            cause = cand
            break
    everything = not inside.any()
    sample = ", ".join(f"({x:.6g}, {y:.6g})" for x, y in list(zip(cx, cy, strict=True))[:2])
    lead = (
        f"{'all ' if everything else ''}{len(ids)} feature(s) lie outside Denmark when their "
        f"coordinates are read as {label}: {format_ids(ids)} (e.g. {sample})"
    )
    if cause == "swapped":
        where = (
            f"the columns `{raw.xy[0]}` and `{raw.xy[1]}`"
            if raw.fmt == "csv"
            else "the coordinates"
        )
        message = (
            f"{lead}. Their longitude and latitude are swapped: read the other way round "
            "they lie in Denmark"
        )
        fix = f"swap {where} (longitude is x, the first coordinate; latitude is y)"
    elif cause is not None:
        explain = {
            "EPSG:25832": "UTM zone 32N metres (EPSG:25832)",
            "EPSG:4326": "longitude/latitude degrees (EPSG:4326)",
            "EPSG:25833": "UTM zone 33N metres (EPSG:25833), the zone east of 12°E",
            "EPSG:3857": "web-map metres (EPSG:3857)",
        }[cause]
        message = f"{lead}. Read as {explain} they lie in Denmark: the CRS label is wrong"
        if raw.fmt == "csv" and raw.xy_crs is not None and cause != "EPSG:4326":
            fix = (
                f"the columns `{raw.xy[0]}`/`{raw.xy[1]}` hold {explain}, not degrees: rename "
                f'them x/y and state `crs="{cause}"` (command line: --crs {cause}, or '
                f'crs = "{cause}" in the [{col.kind}] table of an areas.toml)'
            )
        else:
            fix = (
                f'state `crs="{cause}"` with `crs_override=True` (command line: crs = "{cause}" '
                f"and crs_override = true in the [{col.kind}] table of an areas.toml), or save "
                "the file again with its real CRS"
            )
    else:
        message = f"{lead}"
        fix = (
            "check these coordinates; common causes are swapped longitude/latitude, metres "
            "(EPSG:25832) labelled as degrees, or a wrong CRS label"
        )
    col.error(CoordinateError, message, ids=ids, fix=fix)
    out[outside] = None
    return out


def _repair_polygons(geoms, live, col: _Collector, labels):
    """make_valid the invalid polygons; return (geoms, repairs, collapsed mask)."""
    n = len(geoms)
    collapsed = np.zeros(n, dtype=bool)
    repairs: list[Repair] = []
    if not live.any():
        return geoms, repairs, collapsed
    valid = np.ones(n, dtype=bool)
    valid[live] = shapely.is_valid(geoms[live])
    invalid = live & ~valid
    if not invalid.any():
        return geoms, repairs, collapsed
    geoms = geoms.copy()
    idx = np.flatnonzero(invalid)
    before = shapely.area(geoms[idx])
    fixed = np.array([_polygonal_part(g) for g in shapely.make_valid(geoms[idx])], dtype=object)
    after = np.where(shapely.is_missing(fixed), 0.0, shapely.area(fixed))
    gone = shapely.is_missing(fixed) | (after <= 0)
    collapsed[idx[gone]] = True
    ok = idx[~gone]
    geoms[ok] = fixed[~gone]
    geoms[idx[gone]] = None
    mask = np.zeros(n, dtype=bool)
    mask[ok] = True
    ok_ids = labels(mask)
    details = [
        f"area {a / SQM_PER_HA:.4g} ha → {b / SQM_PER_HA:.4g} ha"
        for a, b in zip(before[~gone], after[~gone], strict=True)
    ]
    repairs += [
        Repair(i, "made valid (shapely.make_valid)", d)
        for i, d in zip(ok_ids, details, strict=True)
    ]
    if ok_ids:
        shown = [f"{i} ({d})" for i, d in zip(ok_ids, details, strict=True)]
        col.warn(
            f"repaired {len(ok_ids)} invalid polygon(s) (self-intersecting, e.g. a bow-tie) with "
            f"shapely.make_valid, keeping the polygonal parts: {format_ids(shown)}",
            ids=ok_ids,
            fix="check the repaired outlines and correct them in the source",
        )
    return geoms, repairs, collapsed


def _warn_duplicate_geometries(geoms, live, col: _Collector, labels):
    idx = np.flatnonzero(live & ~shapely.is_missing(geoms))
    if len(idx) < 2:
        return
    keys = pd.Series(shapely.to_wkb(shapely.normalize(geoms[idx])))
    dup = keys.duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    mask = np.zeros(len(geoms), dtype=bool)
    mask[idx[dup]] = True
    ids = labels(mask)
    groups: dict[bytes, list[str]] = {}
    for key, i in zip(keys[dup].tolist(), ids, strict=True):
        groups.setdefault(key, []).append(i)
    shown = "; ".join(" = ".join(g) for g in groups.values())
    col.warn(
        f"{len(ids)} features have identical geometries under different ids (kept all): {shown}",
        ids=ids,
        fix="remove copied features, or check that each id has its own outline",
    )


# --------------------------------------------------------------------------- public API


def read_layer(
    path: str | os.PathLike,
    kind: str,
    *,
    layer: str | None = None,
    crs: object = None,
    columns: Mapping[str, str] | None = None,
    constants: Mapping[str, object] | None = None,
    encoding: str | None = None,
    crs_override: bool = False,
    sep: str | None = None,
    decimal: str | None = None,
) -> tuple[gpd.GeoDataFrame, LayerSource]:
    """Read one layer, check it and normalise it to the schema of ``kind``.

    Parameters
    ----------
    path : path
        GeoPackage, GeoJSON, Shapefile, FlatGeobuf or CSV file.
    kind : str
        One of ``districts``, ``bids``, ``rewilding``, ``stops``, ``companies``.
    layer : str, optional
        Layer inside the file. Without it: the only layer, or the one named ``kind``.
    crs : str or int, optional
        The file's CRS when it declares none (e.g. ``"EPSG:25832"``).
    columns : mapping, optional
        Schema column -> the file's column (``x``/``y``: CSV coordinate columns).
    constants : mapping, optional
        Schema column -> one value for every feature.
    encoding : str, optional
        Text encoding (Shapefile, CSV); detected when omitted.
    crs_override : bool, default False
        Use ``crs`` even though the file declares another CRS (a wrong label).
    sep, decimal : str, optional
        CSV separator and decimal mark; detected when omitted.

    Returns
    -------
    (geopandas.GeoDataFrame, LayerSource)
        The layer in EPSG:25832 and its provenance.

    Raises
    ------
    AreasError
        A subclass naming the file, the layer, the feature ids and the fix
        (see the table in the module docstring).

    Warns
    -----
    AreasRepairWarning
        For repairs and excluded features, listing the ids.

    Examples
    --------
    >>> import areas.load.pipeline, areas.load.datasets
    >>> path = areas.load.datasets.get_path("stops")
    >>> frame, source = areas.load.pipeline.read_layer(path, "stops")
    >>> frame.crs.to_epsg(), source.reconciles()
    (25832, True)
    """
    if kind not in KINDS:
        msg = f"`kind` must be one of {', '.join(KIND_NAMES)}, got {kind!r}"
        raise ConfigError(msg)
    table = {
        "path": str(path),
        "layer": layer,
        "crs": _crs_text(crs),
        "crs_override": crs_override,
        "encoding": encoding,
        "sep": sep,
        "decimal": decimal,
        "columns": dict(columns or {}),
        "constants": dict(constants or {}),
    }
    lc = parse_layer_table(
        kind, {k: v for k, v in table.items() if v is not None}, base_dir=Path.cwd()
    )
    frame, source, _ = _read_spec(replace(lc, path=Path(path)), default_crs=None, strict=True)
    return frame, source


def _crs_text(crs):
    if crs is None:
        return None
    return check_crs(crs)


@dataclass
class _Plan:
    origin: str
    specs: dict[str, LayerConfig]
    absent: list[str]
    fallback: str
    fallback_stated: bool
    default_crs: str | None


def _folder_specs(folder: Path) -> dict[str, LayerConfig]:
    found: dict[str, list[Path]] = {}
    for p in sorted(folder.iterdir()):
        if p.is_file() and p.suffix.lower() in _readers.FORMATS and p.stem.lower() in KINDS:
            found.setdefault(p.stem.lower(), []).append(p)
    specs = {}
    for kind, paths in found.items():
        if len(paths) > 1:
            msg = (
                f"holds {len(paths)} files for `{kind}` ({', '.join(p.name for p in paths)}); "
                "Fix: keep one, or name the one to use in an areas.toml"
            )
            raise AmbiguousLayerError(msg, path=folder, layer=kind)
        specs[kind] = LayerConfig(kind=kind, path=paths[0])
    return specs


def _gpkg_specs(path: Path) -> dict[str, LayerConfig]:
    names = _readers.list_layer_names(path)
    specs = {}
    for name in names:
        if name.lower() in KINDS:
            specs[name.lower()] = LayerConfig(kind=name.lower(), path=path, layer=name)
    if not specs:
        msg = (
            f"has no layer named after a layer kind ({', '.join(KIND_NAMES)}); its layers are "
            f"{format_ids(names)}. Fix: rename the layers, or write an areas.toml naming the "
            "layer for each kind ([districts] path = ..., layer = ...)"
        )
        raise MissingLayerError(msg, path=path, layer="districts")
    return specs


def _as_config(config, source: Path | None) -> AreasConfig:
    if isinstance(config, AreasConfig):
        return config
    if isinstance(config, Mapping):
        base = Path.cwd()
        if source is not None:
            base = source if source.is_dir() else source.parent
        return parse_config(config, base_dir=base)
    if isinstance(config, str | os.PathLike):
        return read_config(config)
    msg = (
        "`config` must be a path to an areas.toml, a mapping or an AreasConfig, "
        f"got {type(config).__name__}"
    )
    raise ConfigError(msg)


def _plan(source, config, crs, fallback) -> _Plan:
    import areas.load.datasets as datasets

    if fallback is not None and fallback not in ("empty", "bundled"):
        msg = f'`fallback` must be "empty" or "bundled", got {fallback!r}'
        raise ConfigError(msg)
    default_crs = _crs_text(crs)
    src = None if source is None else Path(source)
    cfg = None
    if src is not None and src.suffix.lower() == ".toml":
        if config is not None:
            msg = "give the areas.toml either as `source` or as `config`, not both"
            raise ConfigError(msg, path=src)
        cfg = read_config(src)
        src = None
    elif config is not None:
        cfg = _as_config(config, src)
    if src is not None and not src.exists():
        msg = "does not exist. Fix: check the path"
        raise MissingLayerError(msg, path=src)
    if src is not None and src.is_dir() and cfg is None and (src / "areas.toml").is_file():
        cfg = read_config(src / "areas.toml")
        src = None
    origin = str(source) if source is not None else (str(config) if config is not None else "")

    discovered: dict[str, LayerConfig] = {}
    if src is None and cfg is None:
        folder = datasets.bundled_dir()
        origin = f"bundled layers ({folder})"
        discovered = _folder_specs(folder)
    elif src is not None and src.is_dir():
        discovered = _folder_specs(src)
    elif src is not None:
        fmt = _readers.detect_format(src)
        if fmt in ("gpkg", "fgb") and src.stem.lower() not in KINDS:
            discovered = _gpkg_specs(src)
        elif src.stem.lower() in KINDS:
            discovered = {src.stem.lower(): LayerConfig(kind=src.stem.lower(), path=src)}
        elif cfg is None:
            msg = (
                f"cannot tell which layer kind this file is; name it after a kind "
                f"({', '.join(f'{k}{src.suffix}' for k in KIND_NAMES)}) or write an areas.toml "
                f'([districts] path = "{src.name}")'
            )
            raise ConfigError(msg, path=src)

    specs = dict(discovered)
    if cfg is not None:
        for kind, lc in cfg.layers.items():
            path = lc.path
            if path is None and src is not None and src.is_file():
                path = src
            if path is None and kind in discovered:
                path = discovered[kind].path
            if path is None:
                msg = f"[{kind}] has no `path`; name the file that holds the `{kind}` layer"
                raise ConfigError(msg, path=cfg.path)
            specs[kind] = replace(lc, path=Path(path))
        if default_crs is None:
            default_crs = cfg.crs
    fb = fallback or (cfg.fallback if cfg is not None else "empty")
    stated = fallback is not None or (cfg is not None and cfg.fallback_stated)
    absent = [k for k in KIND_NAMES if k not in specs]
    if absent and fb == "bundled":
        bundled = _folder_specs(datasets.bundled_dir())
        for kind in absent:
            if kind in bundled:
                specs[kind] = bundled[kind]
        absent = [k for k in KIND_NAMES if k not in specs]
    if "districts" in absent:
        where = src if src is not None else (cfg.path if cfg is not None else None)
        have = ", ".join(sorted(specs)) or "no layer named after a kind"
        msg = (
            f"has no districts layer (found: {have}); districts are required. Fix: add a file "
            "named districts.gpkg/.geojson/.shp/.csv, a GeoPackage layer named `districts`, or an "
            "areas.toml with a [districts] table"
        )
        raise MissingLayerError(msg, path=where, layer="districts")
    return _Plan(origin, specs, absent, fb, stated, default_crs)


def _absent_issue(plan: _Plan) -> _Issue | None:
    if not plan.absent or plan.fallback_stated:
        return None
    message = (
        f"no {', '.join(f'`{k}`' for k in plan.absent)} layer in {plan.origin}; "
        f"{'it is' if len(plan.absent) == 1 else 'they are'} empty"
    )
    fix = (
        "add the files (named after the kinds), or say what you want in an areas.toml: "
        '[layers] fallback = "empty" (no warning) or "bundled" (the bundled layers)'
    )
    return _Issue("warning", AreasWarning, None, None, None, [], message, fix)


def _cross_issues(
    layers: dict[str, gpd.GeoDataFrame], sources: dict[str, LayerSource]
) -> list[_Issue]:
    issues = []
    bids, districts = layers.get("bids"), layers.get("districts")
    if bids is not None and districts is not None and len(bids):
        known = set(districts["district_id"].dropna())
        refs = bids["district_id"]
        unknown = refs.notna() & ~refs.isin(known)
        if unknown.any():
            ids = bids.loc[unknown, "bid_id"].tolist()
            shown = [f"{b} ({d})" for b, d in zip(ids, refs[unknown].tolist(), strict=True)]
            issues.append(
                _Issue(
                    "warning",
                    AreasWarning,
                    "bids",
                    sources["bids"].path,
                    sources["bids"].layer or "bids",
                    ids,
                    f"{len(ids)} BID(s) name a `district_id` that is not in the districts "
                    f"layer: {format_ids(shown)}",
                    "correct the `district_id` or leave it blank",
                )
            )
    return issues


def _area_text(area_m2: float) -> str:
    """Return an area as hectares (two decimals), or square metres below 0.01 ha."""
    if area_m2 >= 0.01 * SQM_PER_HA:
        return f"{area_m2 / SQM_PER_HA:,.2f} ha"
    return f"{area_m2:,.0f} m²"


def _cross_notes(
    layers: dict[str, gpd.GeoDataFrame], sources: dict[str, LayerSource]
) -> list[_Issue]:
    """Return what a planner should know about the layers taken together (not problems).

    - rewilding plots that overlap, with the area of each overlap (the analyses
      count an overlap once);
    - firms on a boundary shared by two or more districts, with the district
      the shared-boundary rule of :mod:`areas.analysis.assign` gave each of them.

    These are ``"info"`` issues: :func:`areas.validate.validate` lists them,
    :func:`load` records them in the layer's ``notes`` without a warning (the
    bundled plots overlap on purpose).
    """
    from areas.analysis.assign import assign_districts
    from areas.analysis.rewilding import _overlaps

    notes = []

    def note(kind: str, code: str, ids: list[str], message: str) -> None:
        src = sources.get(kind)
        notes.append(
            _Issue(
                "info",
                AreasWarning,
                kind,
                None if src is None else src.path,
                None if src is None else (src.layer or kind),
                ids,
                message,
                None,
                code,
            )
        )

    plots = layers.get("rewilding")
    if plots is not None and len(plots) > 1:
        geoms = np.asarray(plots.geometry.values, dtype=object)
        usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        ids = plots["plot_id"].astype(str).to_numpy(dtype=object)
        pairs, _ = _overlaps(ids, geoms, usable)
        if len(pairs):
            shown = [
                f"{a} and {b} ({_area_text(ha * SQM_PER_HA)})"
                for a, b, ha in zip(
                    pairs["plot_id_a"], pairs["plot_id_b"], pairs["overlap_ha"], strict=True
                )
            ]
            named = list(dict.fromkeys([*pairs["plot_id_a"], *pairs["plot_id_b"]]))
            n = len(pairs)
            note(
                "rewilding",
                "OverlappingPlots",
                sorted(named),
                f"{n} pair{'s' if n != 1 else ''} of rewilding plots overlap: "
                f"{format_ids(shown)}. Each overlap is counted once in `rewilded_ha` and "
                "shown as `rewilding_overlap_ha`; correct the outlines if the plots should "
                "not overlap",
            )

    firms, districts = layers.get("companies"), layers.get("districts")
    if firms is not None and districts is not None and len(firms) and len(districts) > 1:
        assignment = assign_districts(firms, districts)
        on_edge = (assignment["assignment"] == "boundary").to_numpy(dtype=bool)
        if on_edge.any():
            points = np.asarray(firms.geometry.values, dtype=object)[on_edge]
            outlines = np.asarray(districts.geometry.values, dtype=object)
            district_ids = districts["district_id"].astype(str).to_numpy(dtype=object)
            covers = shapely.covers(outlines[np.newaxis, :], points[:, np.newaxis])
            ids = assignment.loc[on_edge, "company_id"].astype(str).tolist()
            chosen = assignment.loc[on_edge, "district_id"].astype(str).tolist()
            shown = [
                f"{i} → {d} (on {' / '.join(sorted(district_ids[row]))})"
                for i, d, row in zip(ids, chosen, covers, strict=True)
            ]
            n = len(ids)
            note(
                "companies",
                "SharedBoundaryFirms",
                ids,
                f"{n} firm{'s lie' if n != 1 else ' lies'} on a boundary shared by two or more "
                "districts (or where their outlines overlap) and went to one of them by the "
                "shared-boundary rule (districts not withdrawn first, then the lowest "
                f"`district_id`): {format_ids(shown)}",
            )
    return notes


def _empty_source(kind: str) -> LayerSource:
    note = f"no `{kind}` layer in the source: an empty layer stands in"
    return LayerSource(kind=kind, features_read=0, features_used=0, notes=[note])


def load(
    source: str | os.PathLike | None = None,
    *,
    config: object = None,
    crs: object = None,
    fallback: str | None = None,
) -> Atlas:
    """Load, check and normalise the five layers.

    Parameters
    ----------
    source : path, optional
        A folder, a GeoPackage, a file named after a kind, or an ``areas.toml``
        (see the module docstring). Without one, the bundled layers.
    config : path, mapping or AreasConfig, optional
        An ``areas.toml`` given separately; its kinds take precedence over those
        found in ``source``; relative paths in a mapping start at ``source``.
    crs : str or int, optional
        CRS of files that declare none (a default for every layer).
    fallback : {"empty", "bundled"}, optional
        What kinds without a source become; overrides ``[layers] fallback``.
        Stating it silences the warning about empty layers.

    Returns
    -------
    Atlas
        Five layers in EPSG:25832 with provenance in ``atlas.sources``.

    Raises
    ------
    AreasError
        On the first layer that cannot be used (see :func:`areas.validate.validate`
        to collect every problem at once).

    Examples
    --------
    >>> import areas.load.pipeline
    >>> atlas = areas.load.pipeline.load()
    >>> sorted(atlas.sources)
    ['bids', 'companies', 'districts', 'rewilding', 'stops']
    """
    plan = _plan(source, config, crs, fallback)
    layers: dict[str, gpd.GeoDataFrame] = {}
    sources: dict[str, LayerSource] = {}
    for kind in KIND_NAMES:
        if kind in plan.specs:
            frame, src, _ = _read_spec(plan.specs[kind], default_crs=plan.default_crs, strict=True)
            layers[kind], sources[kind] = frame, src
        else:
            layers[kind], sources[kind] = empty_layer(kind), _empty_source(kind)
    issue = _absent_issue(plan)
    if issue is not None:
        issue.warn()
    for issue in _cross_issues(layers, sources):
        issue.warn()
    for issue in _cross_notes(layers, sources):
        sources[issue.kind].notes.append(issue.message)
    return Atlas(**layers, sources=sources)
