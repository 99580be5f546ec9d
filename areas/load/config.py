"""``areas.toml``: bring your own data without editing it.

An ``areas.toml`` tells :func:`areas.load` which file holds each layer kind,
which layer inside it, its CRS when the file has none, and which of the file's
own columns hold the schema columns, so that an export such as a plandata.dk
local-plan file (columns ``planid``, ``plannavn``, ...) serves as the
districts layer as it is.

Schema
------
Every table is optional except ``[districts]`` (see "Absent kinds" below)::

    [layers]                      # applies to the whole file
    fallback = "empty"            # absent kinds: "empty" layers, or the "bundled" ones
    crs = "EPSG:25832"            # CRS of files that declare none (a default)

    [districts]                   # one table per kind: districts, bids, rewilding,
                                  # stops, companies
    path = "hvidovre_lokalplaner.geojson"  # relative to this areas.toml
    layer = "lokalplaner"         # layer inside a GeoPackage (optional)
    crs = "EPSG:4326"             # the file's CRS when it declares none (optional)
    crs_override = false          # true: the file's CRS label is wrong, use `crs`
    encoding = "cp1252"           # Shapefile/CSV text encoding (optional; detected)
    sep = ";"                     # CSV separator (optional; detected)
    decimal = ","                 # CSV decimal mark (optional; detected)

    [districts.columns]           # schema column = the file's column
    district_id = "planid"
    name = "plannavn"

    [districts.constants]         # one value for every feature
    municipality = "Hvidovre"
    status = "existing"

For a CSV, ``x`` and ``y`` in ``[kind.columns]`` name the coordinate columns
(by default ``lon``/``lat``, ``longitude``/``latitude`` or ``x``/``y``).

Service inputs
--------------
Two optional tables name the inputs of the service-frequency columns
(:mod:`areas.load.gtfs`, :mod:`areas.load.service_table`)::

    [gtfs]
    path = "rejseplanen_gtfs.zip" # a GTFS feed: a .zip or a folder of .txt files

    [service]
    path = "service.csv"          # a service table of planned or what-if lines

Their only key is ``path`` (relative to the areas.toml).

Absent kinds
------------
A kind without a table is an empty layer (``fallback = "empty"``, the
default) or the bundled layer (``fallback = "bundled"``); either way
``atlas.sources[kind]`` records it (an empty layer has ``path = None``).
Unless ``fallback`` is written in the file, :func:`areas.load` warns which
kinds are empty. Districts are always required: without a ``[districts]``
table the file is an error, unless ``fallback = "bundled"``.

Unknown tables and keys are errors that list the valid ones, so a typo never
passes silently.

Examples
--------
>>> cfg = parse_config(
...     {"districts": {"path": "plans.geojson", "columns": {"district_id": "planid"},
...                    "constants": {"status": "existing"}}},
...     base_dir=".",
... )
>>> cfg.layers["districts"].columns
{'district_id': 'planid'}
>>> cfg.fallback
'empty'
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyproj

from areas.errors import ConfigError
from areas.schema import KIND_NAMES, KINDS

__all__ = [
    "LayerConfig",
    "AreasConfig",
    "read_config",
    "parse_config",
    "parse_layer_table",
    "check_crs",
    "FALLBACKS",
]

#: What an absent kind becomes.
FALLBACKS = ("empty", "bundled")

_LAYER_KEYS = (
    "path",
    "layer",
    "crs",
    "crs_override",
    "encoding",
    "sep",
    "decimal",
    "columns",
    "constants",
)
_GLOBAL_KEYS = ("fallback", "crs")
#: Tables naming the service inputs, and their keys.
SERVICE_TABLES = ("gtfs", "service")
_SERVICE_KEYS = ("path",)


@dataclass(frozen=True)
class LayerConfig:
    """Where one layer kind comes from and how its columns map to the schema.

    Attributes
    ----------
    kind : str
        Layer kind.
    path : pathlib.Path or None
        The file (absolute). ``None`` means "the source given to :func:`areas.load`".
    layer : str or None
        Layer name inside the file.
    crs : str or None
        CRS of the file when it declares none.
    crs_override : bool
        Use ``crs`` even when the file declares another CRS.
    encoding, sep, decimal : str or None
        Text encoding, CSV separator and decimal mark (detected when None).
    columns : dict
        Schema column -> the file's column (``x``/``y``: CSV coordinate columns).
    constants : dict
        Schema column -> value for every feature.
    """

    kind: str
    path: Path | None = None
    layer: str | None = None
    crs: str | None = None
    crs_override: bool = False
    encoding: str | None = None
    sep: str | None = None
    decimal: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class AreasConfig:
    """A parsed ``areas.toml``.

    Attributes
    ----------
    path : pathlib.Path or None
        The toml file (None when built from a mapping).
    base_dir : pathlib.Path
        Folder relative paths start from.
    layers : dict of str to LayerConfig
        The kinds the file names.
    fallback : {"empty", "bundled"}
        What absent kinds become.
    fallback_stated : bool
        Whether ``fallback`` was written explicitly (no warning about empty layers then).
    crs : str or None
        Default CRS for files without one.
    gtfs, service : pathlib.Path or None
        The GTFS feed and the service table (``[gtfs]``, ``[service]``).
    """

    path: Path | None
    base_dir: Path
    layers: dict[str, LayerConfig]
    fallback: str = "empty"
    fallback_stated: bool = False
    crs: str | None = None
    gtfs: Path | None = None
    service: Path | None = None


def check_crs(value: object, *, name: str = "crs", path=None) -> str:
    """Return ``value`` as a CRS string pyproj understands, or raise :class:`ConfigError`.

    Examples
    --------
    >>> check_crs("EPSG:25832")
    'EPSG:25832'
    >>> check_crs(4326)
    'EPSG:4326'
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"EPSG:{value}"
    if isinstance(value, pyproj.CRS):
        return value.to_string()
    if not isinstance(value, str):
        msg = f'`{name}` must be a CRS such as "EPSG:25832", got {value!r}'
        raise ConfigError(msg, path=path)
    try:
        pyproj.CRS.from_user_input(value)
    except pyproj.exceptions.CRSError as exc:
        msg = (
            f'`{name}` = {value!r} is not a CRS pyproj knows; use e.g. "EPSG:25832" or "EPSG:4326"'
        )
        raise ConfigError(msg, path=path) from exc
    return value


def read_config(path: str | os.PathLike) -> AreasConfig:
    """Read and check an ``areas.toml`` file.

    Parameters
    ----------
    path : path
        The toml file. Relative paths inside it start at its folder.

    Returns
    -------
    AreasConfig

    Raises
    ------
    ConfigError
        When the file is not valid TOML or does not follow the schema.
    """
    path = Path(path)
    if not path.is_file():
        msg = "does not exist. Fix: check the path of the areas.toml"
        raise ConfigError(msg, path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        msg = "is not UTF-8 text. Fix: save the areas.toml as UTF-8"
        raise ConfigError(msg, path=path) from exc
    except tomllib.TOMLDecodeError as exc:
        msg = f"is not valid TOML: {exc}"
        raise ConfigError(msg, path=path) from exc
    return parse_config(data, base_dir=path.parent, path=path)


def parse_config(
    data: Mapping, *, base_dir: str | Path, path: str | Path | None = None
) -> AreasConfig:
    """Check a mapping with the structure of an ``areas.toml`` and return it parsed.

    Parameters
    ----------
    data : mapping
        Tables as in the module docstring.
    base_dir : path
        Folder relative ``path`` values start from.
    path : path, optional
        The toml file, for messages.
    """
    base_dir = Path(base_dir)
    where = path
    if not isinstance(data, Mapping):
        msg = f"`config` must be a mapping of tables, got {type(data).__name__}"
        raise ConfigError(msg, path=where)
    unknown = [k for k in data if k not in (*KIND_NAMES, "layers", *SERVICE_TABLES)]
    if unknown:
        msg = (
            f"unknown table(s) {', '.join(f'[{k}]' for k in unknown)}; valid tables are "
            f"[layers], one per kind: {', '.join(f'[{k}]' for k in KIND_NAMES)}, "
            "and [gtfs], [service]"
        )
        raise ConfigError(msg, path=where)
    glob = data.get("layers", {})
    if not isinstance(glob, Mapping):
        msg = "[layers] must be a table (fallback, crs)"
        raise ConfigError(msg, path=where)
    _check_keys(glob, _GLOBAL_KEYS, "layers", where)
    fallback = glob.get("fallback", "empty")
    if fallback not in FALLBACKS:
        valid = ", ".join(map(repr, FALLBACKS))
        msg = f"[layers] `fallback` must be one of {valid}, got {fallback!r}"
        raise ConfigError(msg, path=where)
    default_crs = glob.get("crs")
    if default_crs is not None:
        default_crs = check_crs(default_crs, name="[layers] crs", path=where)
    layers = {}
    for kind in KIND_NAMES:
        if kind in data:
            layers[kind] = _parse_layer(kind, data[kind], base_dir, where)
    if "districts" not in layers and fallback != "bundled":
        msg = (
            "has no [districts] table; districts are always required. Fix: add a [districts] "
            'table with the `path` of your districts file, or set [layers] fallback = "bundled"'
        )
        raise ConfigError(msg, path=where)
    return AreasConfig(
        path=None if path is None else Path(path),
        base_dir=base_dir,
        layers=layers,
        fallback=fallback,
        fallback_stated="fallback" in glob,
        crs=default_crs,
        gtfs=_service_path(data, "gtfs", base_dir, where),
        service=_service_path(data, "service", base_dir, where),
    )


def _service_path(data: Mapping, name: str, base_dir: Path, where) -> Path | None:
    """Return the ``path`` of the ``[gtfs]`` or ``[service]`` table (absolute), or None."""
    if name not in data:
        return None
    table = data[name]
    if isinstance(table, str):  # shorthand: gtfs = "feed.zip"
        table = {"path": table}
    if not isinstance(table, Mapping):
        msg = f"[{name}] must be a table with `path`"
        raise ConfigError(msg, path=where)
    _check_keys(table, _SERVICE_KEYS, name, where)
    value = table.get("path")
    if not isinstance(value, str) or not value:
        msg = f"[{name}] needs `path`, the file as text, got {value!r}"
        raise ConfigError(msg, path=where)
    p = Path(value).expanduser()
    return p if p.is_absolute() else base_dir / p


def parse_layer_table(kind: str, table: object, *, base_dir: str | Path, path=None) -> LayerConfig:
    """Check one kind's table of an ``areas.toml`` (a mapping) and return it parsed.

    Examples
    --------
    >>> table = {"path": "/data/stops.csv", "crs": "EPSG:25832"}
    >>> parse_layer_table("stops", table, base_dir="/").crs
    'EPSG:25832'
    """
    return _parse_layer(kind, table, Path(base_dir), path)


def _check_keys(table: Mapping, valid: tuple[str, ...], section: str, where) -> None:
    bad = [k for k in table if k not in valid]
    if bad:
        keys = ", ".join(f"`{k}`" for k in bad)
        msg = f"unknown key(s) {keys} in [{section}]; valid keys: {', '.join(valid)}"
        raise ConfigError(msg, path=where)


def _parse_layer(kind: str, table: object, base_dir: Path, where) -> LayerConfig:
    if isinstance(table, str):  # shorthand: districts = "file.geojson"
        table = {"path": table}
    if not isinstance(table, Mapping):
        msg = f"[{kind}] must be a table with at least `path`"
        raise ConfigError(msg, path=where)
    _check_keys(table, _LAYER_KEYS, kind, where)
    spec = KINDS[kind]
    for key in ("path", "layer", "encoding", "sep", "decimal"):
        if key in table and not isinstance(table[key], str):
            msg = f"[{kind}] `{key}` must be text, got {table[key]!r}"
            raise ConfigError(msg, path=where)
    file_path = None
    if "path" in table:
        file_path = Path(table["path"]).expanduser()
        if not file_path.is_absolute():
            file_path = base_dir / file_path
    crs = table.get("crs")
    if crs is not None:
        crs = check_crs(crs, name=f"[{kind}] crs", path=where)
    override = table.get("crs_override", False)
    if not isinstance(override, bool):
        msg = f"[{kind}] `crs_override` must be true or false, got {override!r}"
        raise ConfigError(msg, path=where)
    if override and crs is None:
        msg = f"[{kind}] `crs_override = true` needs `crs`, the CRS to use instead of the file's"
        raise ConfigError(msg, path=where)
    encoding = table.get("encoding")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            msg = (
                f"[{kind}] `encoding` {encoding!r} is not a known encoding; "
                "use e.g. utf-8, cp1252, cp865"
            )
            raise ConfigError(msg, path=where) from exc
    sep = table.get("sep")
    if sep is not None and len(sep) != 1:
        msg = f'[{kind}] `sep` must be one character such as ";" or ",", got {sep!r}'
        raise ConfigError(msg, path=where)
    decimal = table.get("decimal")
    if decimal is not None and decimal not in (".", ","):
        msg = f'[{kind}] `decimal` must be "." or ",", got {decimal!r}'
        raise ConfigError(msg, path=where)
    columns = table.get("columns", {})
    if not isinstance(columns, Mapping):
        msg = f"[{kind}.columns] must be a table of schema column = the file's column"
        raise ConfigError(msg, path=where)
    valid_columns = (*spec.columns, "x", "y")
    bad = [k for k in columns if k not in valid_columns]
    if bad:
        msg = (
            f"[{kind}.columns] names unknown schema column(s) {', '.join(f'`{k}`' for k in bad)}; "
            f"the keys are schema columns ({', '.join(spec.columns)}; x, y for CSV "
            "coordinates) and the values the file's own column names"
        )
        raise ConfigError(msg, path=where)
    for key, value in columns.items():
        if not isinstance(value, str) or not value:
            msg = (
                f"[{kind}.columns] `{key}` must be the name of a column in the file, got {value!r}"
            )
            raise ConfigError(msg, path=where)
    sources = list(columns.values())
    twice = sorted({v for v in sources if sources.count(v) > 1})
    if twice:
        names = ", ".join(f"`{v}`" for v in twice)
        msg = f"[{kind}.columns] maps the file's column(s) {names} to more than one schema column"
        raise ConfigError(msg, path=where)
    constants = table.get("constants", {})
    if not isinstance(constants, Mapping):
        msg = f"[{kind}.constants] must be a table of schema column = value"
        raise ConfigError(msg, path=where)
    bad = [k for k in constants if k not in spec.columns or k == spec.id_column]
    if bad:
        msg = (
            f"[{kind}.constants] names column(s) {', '.join(f'`{k}`' for k in bad)} that cannot "
            f"be constant; valid: {', '.join(c for c in spec.columns if c != spec.id_column)}"
        )
        raise ConfigError(msg, path=where)
    for key, value in constants.items():
        if not isinstance(value, str | int | float | bool | dt.date):
            msg = (
                f"[{kind}.constants] `{key}` must be text, a number, true/false or a date, "
                f"got {value!r}"
            )
            raise ConfigError(msg, path=where)
    both = sorted(set(columns) & set(constants))
    if both:
        names = ", ".join(f"`{c}`" for c in both)
        msg = f"[{kind}] maps {names} both to a column and to a constant; keep one"
        raise ConfigError(msg, path=where)
    return LayerConfig(
        kind=kind,
        path=file_path,
        layer=table.get("layer"),
        crs=crs,
        crs_override=override,
        encoding=encoding,
        sep=sep,
        decimal=decimal,
        columns=dict(columns),
        constants=dict(constants),
    )
