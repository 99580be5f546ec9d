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
boundary firm by the shared-boundary rule. The loader does not look for them:
``cross_notes`` of the analysis package names them, and
:func:`areas.validate.validate` lists them as notes (and records them in
``report.sources[kind].notes``).

One pipeline
------------
:func:`collect` is the one pipeline behind :func:`load` and
:func:`areas.validate.validate`: with ``strict=True`` it raises the first error
and warns each warning as it is found (:func:`load`); with ``strict=False`` it
checks each layer on its own and collects every
:class:`~areas.problems.Problem` (:func:`areas.validate.validate`). The steps
live in :mod:`areas.load.plan` (which files and layers), :mod:`areas.load._readers`
(reading), :mod:`areas.load.normalise` (columns, ids, values),
:mod:`areas.load.values` (value parsing), :mod:`areas.load.geometry` and
:mod:`areas.load.crs` (geometry and CRS checks).

Examples
--------
>>> import areas.load.pipeline
>>> atlas = areas.load.pipeline.load()
>>> atlas.sources["districts"].features_used
8
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

import areas.load._readers as _readers
from areas.atlas import Atlas, LayerSource
from areas.errors import AreasError, AreasWarning, ConfigError, format_ids
from areas.load.config import ENGINES, LayerConfig, parse_layer_table
from areas.load.logic import layer_notes
from areas.load.normalise import final_dtypes, normalise
from areas.load.plan import absent_problem, crs_text, make_plan
from areas.problems import Collector, Problem
from areas.schema import KIND_NAMES, KINDS, WORK_CRS

__all__ = ["load", "read_layer", "empty_layer", "collect", "Collected", "read_spec"]


@dataclass
class Collected:
    """What one run of :func:`collect` found.

    Attributes
    ----------
    origin : str or None
        What was read (None when the source itself could not be used).
    layers : dict of str to GeoDataFrame
        The layers that could be used, by kind.
    sources : dict of str to LayerSource
        Provenance of each layer that could be read.
    problems : list of Problem
        Errors and warnings, in the order found.
    gtfs, service : pathlib.Path or None
        The GTFS feed and service table the source names (read by :func:`load`).
    """

    origin: str | None
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    sources: dict[str, LayerSource] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    gtfs: Path | None = None
    service: Path | None = None

    @property
    def complete(self) -> bool:
        """True when every kind has a usable layer."""
        return len(self.layers) == len(KIND_NAMES)

    def atlas(self) -> Atlas:
        """Return the layers as an :class:`~areas.atlas.Atlas` (they must be :attr:`complete`)."""
        return Atlas(**self.layers, sources=dict(self.sources))


def collect(
    source: str | os.PathLike | None = None,
    *,
    config: object = None,
    crs: object = None,
    fallback: str | None = None,
    strict: bool = True,
    engine: str | None = None,
) -> Collected:
    """Read and check every layer of a source: the pipeline of :func:`load` and ``validate``.

    Parameters
    ----------
    source, config, crs, fallback
        As for :func:`load`.
    strict : bool, default True
        Raise the first error and warn each warning as found (:func:`load`);
        with False, check each layer on its own and collect every problem.
    engine : {"pyogrio", "fiona"}, optional
        As for :func:`load`.

    Returns
    -------
    Collected
        The usable layers, their provenance and the problems found.

    Examples
    --------
    >>> found = collect(strict=False)
    >>> found.complete, found.problems
    (True, [])
    """
    problems = Collector(strict=strict)
    try:
        _check_engine(engine)
        plan = make_plan(source, config, crs, fallback)
    except AreasError as exc:
        if strict:
            raise
        problems.add(Problem.from_exception(exc))
        return Collected(None, problems=problems.problems)
    found = Collected(plan.origin, problems=problems.problems, gtfs=plan.gtfs, service=plan.service)
    for kind in KIND_NAMES:
        if kind not in plan.specs:
            found.layers[kind], found.sources[kind] = empty_layer(kind), _empty_source(kind)
            continue
        spec = plan.specs[kind]
        if engine is not None and spec.engine is None and not spec.in_database:
            spec = replace(spec, engine=engine)
        try:
            frame, src = read_spec(spec, default_crs=plan.default_crs, problems=problems)
        except AreasError as exc:
            if strict:
                raise
            problems.add(Problem.from_exception(exc, kind))
            continue
        found.sources[kind] = src
        if frame is not None:
            found.layers[kind] = frame
    absent = absent_problem(plan)
    if absent is not None:
        problems.add(absent)
    if found.complete:
        for problem in _unknown_districts(found.layers, found.sources):
            problems.add(problem)
    for note in layer_notes(found.layers, found.sources):
        problems.add(note)  # an info: kept, never raised or warned
        found.sources[str(note.kind)].notes.append(note.message)
    return found


def read_spec(
    spec: LayerConfig, *, default_crs: str | None, problems: Collector
) -> tuple[gpd.GeoDataFrame | None, LayerSource]:
    """Read and normalise one layer; return (frame, or None after an error, LayerSource)."""
    xy = None
    if "x" in spec.columns or "y" in spec.columns:
        if not ("x" in spec.columns and "y" in spec.columns):
            msg = f"[{spec.kind}.columns] names only one of `x`, `y`; name both coordinate columns"
            raise ConfigError(msg, path=spec.path, layer=spec.kind)
        xy = (spec.columns["x"], spec.columns["y"])
    if spec.path is None and not spec.in_database:
        msg = f"[{spec.kind}] has no `path`; name the file that holds the `{spec.kind}` layer"
        raise ConfigError(msg, layer=spec.kind)
    try:
        if spec.in_database:
            raw = _database_raw(spec)
        else:
            assert spec.path is not None
            raw = _readers.read_raw(
                spec.path,
                spec.kind,
                layer=spec.layer,
                encoding=spec.encoding,
                sep=spec.sep,
                decimal=spec.decimal,
                xy=xy,
                engine=spec.engine,
            )
    except AreasError as exc:
        # Errors found while reading the file (damaged, wrongly encoded) know the
        # file only: name the layer too, as every other error does.
        located = exc.in_layer(spec.layer or spec.kind, spec.kind)
        raise located.with_traceback(exc.__traceback__) from None
    col = problems.at(spec.kind, raw.path, raw.layer or spec.kind)
    for message, fix in raw.notes:
        col.warn(message, fix=fix, category=AreasWarning)
    selected = None
    if spec.filter is not None:
        raw, selected = _apply_filter(raw, spec)
    frame, source = normalise(raw, spec, default_crs=default_crs, col=col)
    if selected is not None:
        source.filter = selected
        source.notes.append(
            f"[{spec.kind}.filter] {selected['rule']}: kept {selected['kept']:,} of "
            f"{selected['read']:,} features, removed {selected['removed']:,}"
        )
    return frame, source


def _database_raw(spec: LayerConfig) -> _readers.RawLayer:
    """Read a PostGIS layer into the shape of a file read (needs the ``postgis`` extra)."""
    from areas.load.postgis import read_postgis_layer

    assert spec.url is not None
    frame = read_postgis_layer(
        spec.url, table=spec.table, sql=spec.sql, geometry=spec.geometry, layer=spec.kind
    )
    source = frame.attrs["source"]
    geometry = frame.geometry
    return _readers.RawLayer(
        path=source.describe(),
        fmt="postgis",
        layer=spec.table,
        frame=pd.DataFrame(frame.drop(columns=geometry.name)).reset_index(drop=True),
        geometry=gpd.GeoSeries(geometry.to_numpy(), crs=geometry.crs),
        crs=geometry.crs,
        encoding=None,
        sha256=None,
    )


def _apply_filter(raw: _readers.RawLayer, spec: LayerConfig) -> tuple[_readers.RawLayer, dict]:
    """Keep the features ``[kind.filter]`` selects; return the smaller layer and the record."""
    assert spec.filter is not None
    have = [str(c) for c in raw.frame.columns]
    absent = [c for c in spec.filter.columns() if c not in raw.frame.columns]
    if absent:
        msg = (
            f"[{spec.kind}.filter] names column(s) {format_ids(f'`{c}`' for c in absent)} the "
            f"layer does not have; its columns are {', '.join(have)}. Fix: use the file's own "
            "column names in the filter"
        )
        raise ConfigError(msg, path=str(raw.path), layer=spec.kind)
    keep = spec.filter.mask(raw.frame)
    index = np.flatnonzero(keep)

    def pick(values):
        return None if values is None else values[index]

    smaller = replace(
        raw,
        frame=raw.frame.iloc[index].reset_index(drop=True),
        geometry=None if raw.geometry is None else raw.geometry.iloc[index].reset_index(drop=True),
        unreadable=pick(raw.unreadable),
        ring_closed=pick(raw.ring_closed),
    )
    record = {
        "rule": spec.filter.text,
        "read": len(raw.frame),
        "kept": int(keep.sum()),
        "removed": int(len(raw.frame) - keep.sum()),
    }
    return smaller, record


def _check_engine(engine: str | None) -> None:
    if engine is not None and engine not in ENGINES:
        msg = f"`engine` must be one of {', '.join(map(repr, ENGINES))}, got {engine!r}"
        raise ConfigError(msg)


def empty_layer(kind: str) -> gpd.GeoDataFrame:
    """Return an empty layer of ``kind`` with every schema column, typed, in EPSG:25832.

    Examples
    --------
    >>> empty_layer("companies").columns.tolist()[-3:]
    ['address', 'office_floor_area_m2', 'geometry']
    """
    if kind not in KINDS:
        msg = f"`kind` must be one of {', '.join(KIND_NAMES)}, got {kind!r}"
        raise ConfigError(msg)
    frame = pd.DataFrame({c: pd.Series([], dtype="str") for c in KINDS[kind].columns})
    frame = final_dtypes(frame, KINDS[kind])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=WORK_CRS), crs=WORK_CRS)


def _empty_source(kind: str) -> LayerSource:
    note = f"no `{kind}` layer in the source: an empty layer stands in"
    return LayerSource(kind=kind, features_read=0, features_used=0, notes=[note])


def _unknown_districts(
    layers: dict[str, gpd.GeoDataFrame], sources: dict[str, LayerSource]
) -> list[Problem]:
    """Return a warning for the BIDs that name a district the districts layer lacks."""
    bids, districts = layers["bids"], layers["districts"]
    if not len(bids):
        return []
    known = set(districts["district_id"].dropna())
    refs = bids["district_id"]
    unknown = refs.notna() & ~refs.isin(known)
    if not unknown.any():
        return []
    ids = [str(i) for i in bids.loc[unknown, "bid_id"].tolist()]
    shown = [f"{b} ({d})" for b, d in zip(ids, refs[unknown].tolist(), strict=True)]
    message = (
        f"{len(ids)} BID(s) name a `district_id` that is not in the districts layer: "
        f"{format_ids(shown)}"
    )
    src = sources["bids"]
    return [
        Problem(
            "warning",
            "bids",
            src.path,
            src.layer or "bids",
            tuple(ids),
            message,
            "correct the `district_id` or leave it blank",
            AreasWarning.__name__,
        )
    ]


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
    engine: str | None = None,
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
    engine : {"pyogrio", "fiona"}, optional
        The reader of vector files: pyogrio (the default) or fiona (the
        ``fiona`` extra), with the same checks before and after reading.

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
        "crs": crs_text(crs),
        "crs_override": crs_override,
        "encoding": encoding,
        "sep": sep,
        "decimal": decimal,
        "engine": engine,
        "columns": dict(columns or {}),
        "constants": dict(constants or {}),
    }
    lc = parse_layer_table(
        kind, {k: v for k, v in table.items() if v is not None}, base_dir=Path.cwd()
    )
    frame, source = read_spec(
        replace(lc, path=Path(path)), default_crs=None, problems=Collector(strict=True)
    )
    assert frame is not None  # strict: an error was raised
    return frame, source


def load(
    source: str | os.PathLike | None = None,
    *,
    config: object = None,
    crs: object = None,
    fallback: str | None = None,
    engine: str | None = None,
    gtfs: str | os.PathLike | None = None,
    service_table: str | os.PathLike | None = None,
) -> Atlas:
    """Load, check and normalise the five layers (and the service inputs, if any).

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
    engine : {"pyogrio", "fiona"}, optional
        The reader of vector files (default pyogrio); an ``engine`` in an
        ``areas.toml`` layer table takes precedence for that layer.
    gtfs : path, optional
        A GTFS feed (``.zip`` or folder); wins over ``[gtfs]`` and a
        ``gtfs.zip`` in the source (see :mod:`areas.load.service_inputs`).
    service_table : path, optional
        A service table CSV; wins over ``[service]``, a ``service.csv`` in
        the source and the bundled one.

    Returns
    -------
    Atlas
        Five layers in EPSG:25832 with provenance in ``atlas.sources``; the
        feed and service table in ``atlas.service`` and ``atlas.service_table``.

    Raises
    ------
    AreasError
        On the first layer that cannot be used (see :func:`areas.validate.validate`
        to collect every problem at once).

    Warns
    -----
    AreasWarning
        For repairs, exclusions, guessed encodings and kinds left empty.

    Examples
    --------
    >>> import areas.load.pipeline
    >>> atlas = areas.load.pipeline.load()
    >>> sorted(atlas.sources)
    ['bids', 'companies', 'districts', 'network', 'rewilding', 'stops']
    """
    from areas.load.service_inputs import attach_service

    found = collect(source, config=config, crs=crs, fallback=fallback, strict=True, engine=engine)
    return attach_service(
        found.atlas(),
        gtfs if gtfs is not None else found.gtfs,
        service_table if service_table is not None else found.service,
    )
