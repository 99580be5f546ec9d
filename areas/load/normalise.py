"""Normalise one layer to its schema, as a sequence of small steps.

:func:`normalise` takes a :class:`~areas.load._readers.RawLayer` (the file as
read) and returns the layer as every analysis expects it (see
:mod:`areas.load.pipeline`), recording each problem with a
:class:`~areas.problems.Collector`:

1. :func:`map_columns` -- the user's column names (``[kind.columns]``), then
   case and Shapefile 10-character names; constants; required columns;
2. :func:`check_ids` -- missing and duplicate ids;
3. :func:`check_text` -- text decoded in the wrong codepage (mojibake);
4. :func:`parse_values` -- dates, counts, numbers, booleans, ``status``/``mode``;
   then :func:`areas.load.logic.check_logic` -- dates in the wrong order or far
   ahead, blank names;
5. :func:`areas.load.geometry.check_geometry` -- CRS, geometry types, repairs,
   coordinates outside Denmark;
6. :func:`exclude` -- features without a usable geometry;
7. :func:`assemble` -- the final frame in EPSG:25832.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

import areas.load._readers as _readers
from areas.atlas import Exclusion, LayerSource
from areas.errors import (
    DuplicateIdError,
    EncodingError,
    GeometryError,
    MissingColumnError,
    SchemaError,
    format_ids,
)
from areas.errors import shown as shown_value
from areas.load.config import LayerConfig
from areas.load.crs import crs_label
from areas.load.geometry import Shapes, check_geometry
from areas.load.logic import check_logic
from areas.load.values import (
    DATE_FIX,
    MAX_EXACT_INTEGER,
    parse_bool,
    parse_dates,
    to_number,
    to_text,
)
from areas.problems import Collector
from areas.schema import KINDS, WORK_CRS, LayerKind

__all__ = ["LayerWork", "normalise", "final_dtypes"]


@dataclass
class LayerWork:
    """A layer being normalised: the frame, its provenance and where its problems go.

    Attributes
    ----------
    raw : RawLayer
        The file as read.
    config : LayerConfig
        What the user said about the layer (column names, constants, CRS).
    schema : LayerKind
        The schema of the layer's kind.
    frame : pandas.DataFrame
        The attribute table, normalised step by step.
    source : LayerSource
        The provenance being recorded.
    col : Collector
        Where the layer's problems go.
    """

    raw: _readers.RawLayer
    config: LayerConfig
    schema: LayerKind
    frame: pd.DataFrame
    source: LayerSource
    col: Collector
    xy_cols: set = field(default_factory=set)
    missing_cols: list[str] = field(default_factory=list)
    ids: pd.Series | None = None

    @property
    def kind(self) -> str:
        """The layer kind."""
        return self.config.kind

    @property
    def n(self) -> int:
        """How many features the file holds."""
        return len(self.frame)

    def labels(self, mask) -> list[str]:
        """Return the ids of the features in ``mask`` (``#n`` for the n-th without one)."""
        mask = np.asarray(mask, dtype=bool)
        ids = self.ids if self.ids is not None else pd.Series([None] * self.n, dtype=object)
        position = np.arange(1, self.n + 1)
        return [
            v if isinstance(v, str) else f"#{p}"
            for v, p in zip(ids[mask].tolist(), position[mask].tolist(), strict=True)
        ]


def normalise(
    raw: _readers.RawLayer, config: LayerConfig, *, default_crs, col: Collector
) -> tuple[gpd.GeoDataFrame | None, LayerSource]:
    """Normalise ``raw`` to the schema of ``config.kind``; return (frame or None, provenance).

    The frame is None when an error was collected (``col.strict`` is False).
    """
    source = LayerSource(
        kind=config.kind,
        path=str(raw.path),
        layer=raw.layer,
        sha256=raw.sha256,
        features_read=len(raw.frame),
        encoding=raw.encoding if raw.fmt in ("shp", "csv") else None,
    )
    work = LayerWork(raw, config, KINDS[config.kind], raw.frame, source, col, set(raw.xy or ()))
    map_columns(work)
    check_ids(work)
    check_text(work)
    parse_values(work)
    check_logic(work)
    shapes = check_geometry(work, default_crs)
    keep = exclude(work, shapes)
    if col.failed:
        return None, source
    return assemble(work, keep, shapes.out), source


# --------------------------------------------------------------------------- columns


def map_columns(work: LayerWork) -> None:
    """Rename the file's columns to the schema's; add constants and absent optional columns."""
    frame, config, kind = work.frame, work.config, work.kind
    mapping = {k: v for k, v in config.columns.items() if k not in ("x", "y")}
    renames = _mapped_renames(work, mapping)
    renames.update(_automatic_renames(work, mapping, set(renames)))
    # a file column already called like a schema column that another column is mapped to
    clash = {
        c: f"{c}_original" for c in frame.columns if c in renames.values() and c not in renames
    }
    clash.update(
        {c: f"{c}_original" for c in frame.columns if c in config.constants and c not in renames}
    )
    frame = frame.rename(columns={**clash, **renames})
    work.source.column_map = {str(k): v for k, v in renames.items() if k != v}
    for name, value in config.constants.items():
        work.source.notes.append(
            f"`{name}` set to {value!r} for every feature (areas.toml constants)"
        )
        frame[name] = (
            pd.Series(value, index=frame.index) if len(frame) else pd.Series([], dtype=object)
        )
    missing_cols = [c for c in work.schema.required if c not in frame.columns]
    if missing_cols:
        have = [str(c) for c in frame.columns if c not in work.xy_cols]
        work.col.error(
            MissingColumnError,
            f"has no column {format_ids(f'`{c}`' for c in missing_cols)}, required for `{kind}`; "
            f"its columns are {', '.join(have) or 'none'}",
            fix=(
                f"rename the columns in the file, or map your own names in an areas.toml: "
                f'[{kind}.columns] {missing_cols[0]} = "your column" (or a constant value in '
                f"[{kind}.constants])"
            ),
        )
    for c in work.schema.columns:
        if c not in frame.columns:
            frame[c] = pd.Series(np.nan, index=frame.index, dtype="str")
    work.frame, work.missing_cols = frame, missing_cols


def _mapped_renames(work: LayerWork, mapping: dict[str, str]) -> dict[str, str]:
    """Return the renames the user asked for; record an error for columns not in the file."""
    frame = work.frame
    lowered: dict[str, list[str]] = {}
    for c in frame.columns:
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
        work.col.error(
            MissingColumnError,
            f"has no column {format_ids(f'`{s}`' for _, s in absent_sources)} (mapped to "
            f"{format_ids(f'`{c}`' for c, _ in absent_sources)}); its columns are "
            f"{', '.join(map(str, frame.columns)) or 'none'}",
            fix=f"correct the column names in [{work.kind}.columns] of the areas.toml",
        )
    return renames


def _automatic_renames(work: LayerWork, mapping: dict[str, str], taken: set) -> dict[str, str]:
    """Return renames of columns that differ from the schema's in case or are cut to 10."""
    frame, config = work.frame, work.config
    renames: dict[str, str] = {}
    for schema_col in work.schema.columns:
        if schema_col in mapping or schema_col in config.constants:
            continue
        if schema_col in frame.columns and schema_col not in taken:
            continue
        cands = [
            c
            for c in frame.columns
            if c not in taken
            and c not in work.xy_cols
            and (
                str(c).lower() == schema_col
                or (len(schema_col) > 10 and str(c).lower() == schema_col[:10])
            )
        ]
        if len(cands) == 1 and cands[0] != schema_col:
            renames[cands[0]] = schema_col
            taken.add(cands[0])
    return renames


# --------------------------------------------------------------------------- ids and text


def check_ids(work: LayerWork) -> None:
    """Read the ids as text; record missing and duplicate ids."""
    id_column = work.schema.id_column
    ids = to_text(work.frame[id_column], strip=True)
    work.frame[id_column] = ids
    work.ids = ids
    if id_column in work.missing_cols:
        return
    no_id = ids.isna().to_numpy()
    if no_id.any():
        work.col.error(
            SchemaError,
            f"{int(no_id.sum())} feature(s) have no `{id_column}`: feature "
            f"{format_ids(work.labels(no_id))} (numbered from 1 in file order)",
            ids=work.labels(no_id),
            fix=f"give every feature a `{id_column}`",
        )
    dup = ids.duplicated(keep=False).to_numpy() & ~no_id
    if dup.any():
        counts = ids[dup].value_counts(sort=False)
        shown = [f"{i} ({c}×)" for i, c in counts.items()]
        work.col.error(
            DuplicateIdError,
            f"{len(counts)} `{id_column}` value(s) are used by more than one feature: "
            f"{format_ids(shown)}",
            ids=list(counts.index),
            fix=f"give every feature its own `{id_column}` (ids are compared as text)",
        )


def _mojibake_fix(fmt: str, kind: str) -> str:
    if fmt == "shp":
        return (
            'state the real encoding: `encoding="cp1252"` (command line: encoding = '
            f'"cp1252" in the [{kind}] table of an areas.toml), or correct the .cpg file'
        )
    if fmt == "csv":
        return (
            "save the table as UTF-8 once (it was converted twice), or state its real "
            f'encoding: `encoding="cp1252"` (command line: encoding = "cp1252" in the '
            f"[{kind}] table of an areas.toml)"
        )
    return "the text was converted to UTF-8 twice in the source; export it again from the original"


def check_text(work: LayerWork) -> None:
    """Record the columns holding text that was decoded in the wrong codepage."""
    frame = work.frame
    text_cols = [c for c in frame.columns if c not in work.xy_cols]
    for name, mask in _readers.find_mojibake(frame[text_cols]).items():
        sample = frame.loc[mask, name].astype("str").head(3).tolist()
        work.col.error(
            EncodingError,
            f"column `{name}` holds garbled text in {int(mask.sum())} feature(s): "
            f"{format_ids(work.labels(mask))} (e.g. {', '.join(shown_value(s) for s in sample)}; "
            "'Ã¦' is UTF-8 'æ' read in a Western codepage, '\ufffd' a character that was lost)",
            ids=work.labels(mask),
            fix=_mojibake_fix(work.raw.fmt, work.kind),
        )


# --------------------------------------------------------------------------- values


def parse_values(work: LayerWork) -> None:
    """Parse every schema column but the id to its type; record the values that cannot be read."""
    schema = work.schema
    for c in schema.columns:
        if c == schema.id_column:
            continue
        if c in schema.dates:
            _parse_dates(work, c)
        elif c in schema.integers or c in schema.floats:
            _parse_number(work, c)
        elif c in schema.booleans:
            _parse_boolean(work, c)
        else:
            _parse_text(work, c)


def _refuse(work: LayerWork, c: str, bad: np.ndarray, what: str, fix: str) -> None:
    """Record the features whose ``c`` cannot be read (``what`` says why)."""
    if bad.any() and c not in work.missing_cols:
        examples = work.frame.loc[bad, c].astype("str").head(3).tolist()
        work.col.error(
            SchemaError,
            f"`{c}` of {int(bad.sum())} feature(s) {what}: {format_ids(work.labels(bad))} "
            f"(e.g. {', '.join(map(shown_value, examples))})",
            ids=work.labels(bad),
            fix=fix,
        )


def _parse_dates(work: LayerWork, c: str) -> None:
    values, bad = parse_dates(work.frame[c])
    _refuse(work, c, bad, "cannot be read as a date", DATE_FIX)
    work.frame[c] = values


def _parse_number(work: LayerWork, c: str) -> None:
    """Read ``c`` as numbers in the file's decimal mark (:mod:`areas.load.values`)."""
    integer = c in work.schema.integers
    raw = work.raw
    values, bad = to_number(work.frame[c], raw.number_mark, count=integer)
    with np.errstate(invalid="ignore"):
        v = values.to_numpy()
        if integer:
            bad = bad | (np.isfinite(v) & ((np.floor(v) != v) | (v < 0)))
        else:
            bad = bad | (v < 0)
    what = "a whole number ≥ 0" if integer else "a number ≥ 0"
    text_numbers = not pd.api.types.is_numeric_dtype(work.frame[c].dtype)
    dialect = f" (the file's numbers are read with {raw.number_dialect})" if text_numbers else ""
    if integer and bad.any():
        as_floats = to_number(work.frame[c][bad], None)[0].to_numpy()
        with np.errstate(invalid="ignore"):
            if np.any(np.abs(as_floats) > MAX_EXACT_INTEGER):
                dialect += f"; a count above {MAX_EXACT_INTEGER:,} (2**53) cannot be held exactly"
    where = f"the [{work.kind}] table of an areas.toml"
    fix = f"write `{c}` as {what} in digits only (12000, 12.5)"
    if text_numbers:
        fix += (
            ', or state the decimal mark of the file: decimal = "," (1.250 is then 1250) or '
            f'decimal = "." in {where}'
        )
    _refuse(work, c, bad, f"is not {what}{dialect}", fix + "; leave it blank when unknown")
    values = values.where(~bad)
    work.frame[c] = values.round().astype("Int64") if integer else values


def _parse_boolean(work: LayerWork, c: str) -> None:
    values, bad = parse_bool(work.frame[c])
    _refuse(
        work,
        c,
        bad,
        "is not true/false",
        f"write `{c}` as true/false, yes/no, ja/nej or 1/0; leave it blank when unknown",
    )
    work.frame[c] = values


def _parse_text(work: LayerWork, c: str) -> None:
    """Read ``c`` as text; a column with valid values (``status``, ``mode``) is checked."""
    text = to_text(work.frame[c])
    if c in work.schema.values:
        valid = work.schema.values[c]
        norm = text.str.strip().str.lower().str.replace(r"[\s\-]+", "_", regex=True)
        bad = (~norm.isin(valid)).to_numpy()
        if bad.any() and c not in work.missing_cols:
            shown = [
                f"{i} ({shown_value(v)})" if isinstance(v, str) else f"{i} (blank)"
                for i, v in zip(work.labels(bad), text[bad].tolist(), strict=True)
            ]
            work.col.error(
                SchemaError,
                f"`{c}` of {int(bad.sum())} feature(s) is not one of {', '.join(valid)}: "
                f"{format_ids(shown)}",
                ids=work.labels(bad),
                fix=(
                    f"use one of {', '.join(valid)}; to give every feature the same "
                    f"`{c}`, write it in the areas.toml: "
                    f'[{work.kind}.constants] {c} = "{valid[0]}"'
                ),
            )
        text = norm.where(~bad, text)
    work.frame[c] = text


# --------------------------------------------------------------------------- exclusions and result


def exclude(work: LayerWork, shapes: Shapes) -> np.ndarray:
    """Record the excluded features (an error for districts); return the mask of those kept."""
    n, source = work.n, work.source
    reasons = shapes.reasons
    excluded = (
        np.array([r is not None for r in reasons], dtype=bool) if n else np.zeros(0, dtype=bool)
    )
    exclusions = [
        Exclusion(i, r) for i, r in zip(work.labels(excluded), reasons[excluded], strict=True)
    ]
    if exclusions:
        by_reason: dict[str, list[str]] = {}
        for e in exclusions:
            by_reason.setdefault(e.reason, []).append(e.id)
        if work.kind == "districts":
            listing = "; ".join(f"{r}: {format_ids(v)}" for r, v in by_reason.items())
            work.col.error(
                GeometryError,
                f"{len(exclusions)} district(s) have no usable outline ({listing})",
                ids=[e.id for e in exclusions],
                fix="draw the outline of each district, or remove the district from the file",
            )
        else:
            for reason, excl_ids in by_reason.items():
                work.col.warn(
                    f"left out {len(excl_ids)} feature(s) with {reason}: {format_ids(excl_ids)}",
                    ids=excl_ids,
                    fix="add the geometry or coordinates in the source to include them",
                )
    source.excluded = exclusions
    source.repairs = shapes.repairs
    keep = ~excluded & ~shapes.wrong
    source.original_crs = crs_label(shapes.crs) if shapes.crs is not None else None
    source.features_used = int(keep.sum()) if not work.col.failed else 0
    return keep


def assemble(work: LayerWork, keep: np.ndarray, geoms: np.ndarray) -> gpd.GeoDataFrame:
    """Return the kept features: schema columns first, then the file's others, in EPSG:25832."""
    schema, frame = work.schema, work.frame
    extras = [
        c
        for c in frame.columns
        if c not in schema.columns and c not in work.xy_cols and c != "geometry"
    ]
    out = frame.loc[keep, [*schema.columns, *extras]].reset_index(drop=True)
    out = final_dtypes(out, schema)
    geometry = gpd.GeoSeries(geoms[keep], crs=WORK_CRS)
    return gpd.GeoDataFrame(out, geometry=geometry, crs=WORK_CRS)


def final_dtypes(frame: pd.DataFrame, schema: LayerKind) -> pd.DataFrame:
    """Give every schema column of ``frame`` its final dtype."""
    for col in schema.columns:
        if col in schema.dates:
            frame[col] = frame[col].astype("datetime64[ns]")
        elif col in schema.integers:
            frame[col] = frame[col].astype("Int64")
        elif col in schema.floats:
            frame[col] = frame[col].astype("float64")
        elif col in schema.booleans:
            frame[col] = frame[col].astype("boolean")
        else:
            frame[col] = frame[col].astype("str")
    return frame
