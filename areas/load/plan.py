"""Which files and layers a source names: the plan of a load.

:func:`make_plan` turns the ``source``, ``config``, ``crs`` and ``fallback``
arguments of :func:`areas.load` into a :class:`Plan`: a
:class:`~areas.load.config.LayerConfig` for each kind found (a folder of
files named after the kinds, a GeoPackage with layers named after them, one
file named after a kind, or an ``areas.toml``), the kinds absent, and what
they become. Nothing is read but the list of layers of a GeoPackage.

Examples
--------
>>> plan = make_plan(None, None, None, None)
>>> sorted(plan.specs) == sorted(KIND_NAMES), plan.absent
(True, [])
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import areas.load._readers as _readers
import areas.load.datasets as datasets
from areas.errors import (
    AmbiguousLayerError,
    AreasWarning,
    ConfigError,
    MissingLayerError,
    format_ids,
)
from areas.load.config import AreasConfig, LayerConfig, check_crs, parse_config, read_config
from areas.problems import Problem
from areas.schema import KIND_NAMES, KINDS, OPTIONAL_KINDS

__all__ = ["Plan", "make_plan", "absent_problem", "crs_text"]


def crs_text(crs):
    """Return ``crs`` checked and as text, or None."""
    if crs is None:
        return None
    return check_crs(crs)


@dataclass
class Plan:
    """Which file and layer each kind comes from, and what the absent kinds become."""

    origin: str
    specs: dict[str, LayerConfig]
    absent: list[str]
    fallback: str
    fallback_stated: bool
    default_crs: str | None
    gtfs: Path | None = None
    service: Path | None = None


def _folder_specs(folder: Path) -> dict[str, LayerConfig]:
    """Return a spec for each entry named after a kind.

    An entry that is not a file (a folder named ``companies.csv``, a broken link)
    is taken too, so that reading it says what it is instead of leaving the
    layer out without a word.
    """
    found: dict[str, list[Path]] = {}
    for p in sorted(folder.iterdir()):
        if p.suffix.lower() in _readers.FORMATS and _readers.layer_stem(p) in KINDS:
            found.setdefault(_readers.layer_stem(p), []).append(p)
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


def make_plan(source, config, crs, fallback) -> Plan:
    """Return the plan for ``source`` and ``config`` (the arguments of :func:`areas.load`)."""
    if fallback is not None and fallback not in ("empty", "bundled"):
        msg = f'`fallback` must be "empty" or "bundled", got {fallback!r}'
        raise ConfigError(msg)
    default_crs = crs_text(crs)
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
        stem = _readers.layer_stem(src)
        if fmt in ("gpkg", "fgb") and stem not in KINDS:
            discovered = _gpkg_specs(src)
        elif stem in KINDS:
            discovered = {stem: LayerConfig(kind=stem, path=src)}
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
            if lc.in_database:
                specs[kind] = lc
                continue
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
    gtfs, service = _service_paths(src, cfg)
    if "districts" in absent:
        where = src if src is not None else (cfg.path if cfg is not None else None)
        have = ", ".join(sorted(specs)) or "no layer named after a kind"
        msg = (
            f"has no districts layer (found: {have}); districts are required. Fix: add a file "
            "named districts.gpkg/.geojson/.shp/.csv, a GeoPackage layer named `districts`, or an "
            "areas.toml with a [districts] table"
        )
        raise MissingLayerError(msg, path=where, layer="districts")
    return Plan(origin, specs, absent, fb, stated, default_crs, gtfs, service)


def _service_paths(src: Path | None, cfg: AreasConfig | None) -> tuple[Path | None, Path | None]:
    """Return the GTFS feed and service table a source names (``gtfs.zip``, ``service.csv``).

    The bundled layers carry their service table; a folder source may hold
    ``gtfs.zip`` and ``service.csv``; an areas.toml's ``[gtfs]`` and
    ``[service]`` win over both.
    """
    gtfs = service = None
    if src is None and cfg is None:
        service = datasets.service_table_path()
    elif src is not None and src.is_dir():
        if (src / datasets.GTFS_FILE).is_file():
            gtfs = src / datasets.GTFS_FILE
        if (src / datasets.SERVICE_FILE).is_file():
            service = src / datasets.SERVICE_FILE
    if cfg is not None:
        gtfs = cfg.gtfs or gtfs
        service = cfg.service or service
    return gtfs, service


def absent_problem(plan: Plan) -> Problem | None:
    """Return the warning that kinds without a source are empty, unless the fallback was stated."""
    absent = [k for k in plan.absent if k not in OPTIONAL_KINDS]
    if not absent or plan.fallback_stated:
        return None
    message = (
        f"no {', '.join(f'`{k}`' for k in absent)} layer in {plan.origin}; "
        f"{'it is' if len(absent) == 1 else 'they are'} empty"
    )
    fix = (
        "add the files (named after the kinds), or say what you want in an areas.toml: "
        '[layers] fallback = "empty" (no warning) or "bundled" (the bundled layers)'
    )
    return Problem("warning", None, None, None, (), message, fix, AreasWarning.__name__)
