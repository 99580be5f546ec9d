"""Folium maps of the business districts, for notebooks and the website.

:func:`overview_map` shows every district; :func:`district_map` zooms to one.
Both return a :class:`folium.Map` that displays inline in Jupyter and is
self-contained from the start (Leaflet inlined, see :mod:`areas.output.offline`);
:func:`save_map` writes it to one HTML file that renders with no network.

The maps do no analysis: the numbers in tooltips and the firm colours come from
:func:`areas.analysis.summary.summarize` (pass ``summary=`` to reuse one). What the map
adds is drawing: the rail-stop catchments (buffers of the stops counted on
``as_of``, drawn in EPSG:25832) and, for many firms, a count grid.

Layers (each a toggle in the layer control, bottom to top): the two rail
catchments, districts (styled by status; a withdrawn plan such as Holmene in
dashed grey), active BIDs, rewilded plots, the firm count grid, firms (canvas
circle markers coloured by Fingerplan distance band to rail or by BID
membership) and stations/stops (colour by mode; in service filled, planned
hollow, under study a dashed ring).

The pieces: :mod:`~areas.output.maps.options` (:class:`MapOptions`),
:mod:`~areas.output.maps.context` (the scenario and analyses, resolved once),
:mod:`~areas.output.maps.layers` and :mod:`~areas.output.maps.firms` (each
layer's data), :mod:`~areas.output.maps.legend`, :mod:`~areas.output.maps.styles`
and :mod:`~areas.output.maps.elements` (the branca elements; their JavaScript
and CSS are the files in ``static/``).

Data go into the page as strict JSON in ``<script type="application/json">``
elements (``data-areas-layer`` names the layer), coordinates in EPSG:4326
rounded to 6 decimals and checked to lie in Denmark. Tooltips are built with
``textContent``, so text from the data (firm and plan names) is never read as
HTML.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Figure

from areas._atomic import atomic_path, check_file_target, refuse_inputs
from areas.atlas import Atlas
from areas.errors import AreasWarning, ConfigError, OutputError, format_ids
from areas.output.i18n import format_date, format_number, t
from areas.output.maps.access import add_map_accessibility, statement_link
from areas.output.maps.background import (
    background_features,
    bundled_attribution,
    resolve_background,
)
from areas.output.maps.context import MapContext
from areas.output.maps.elements import (
    Attribution,
    BackgroundLayer,
    FirmGrid,
    FirmPoints,
    FitView,
    GeoJsonLayer,
    LayerGroup,
    Legend,
    Stacking,
    Support,
    ZoomTitles,
)
from areas.output.maps.firms import _compact_layer, _firm_data, _firm_frame, _grid_data
from areas.output.maps.geo import _collection_json, _escape, _text
from areas.output.maps.geo import _json_for_html as _json_for_html
from areas.output.maps.layers import (
    _bid_layer,
    _catchment_layers,
    _district_layer,
    _rewilding_layer,
    _stop_layer,
)
from areas.output.maps.legend import _legend_body
from areas.output.maps.options import MapOptions
from areas.output.maps.styles import BAND_COLORS as BAND_COLORS
from areas.output.maps.styles import BID_COLORS as BID_COLORS
from areas.output.maps.styles import (
    CATCHMENT_STYLES,
    CATCHMENTS_M,
    COLOR_BY,
    LAYERS,
)
from areas.output.offline import external_resources, make_self_contained
from areas.schema import STATUSES, WEB_CRS, WORK_CRS

__all__ = [
    "COLOR_BY",
    "LAYERS",
    "CATCHMENTS_M",
    "DEFAULT_SIZE_BUDGET_MB",
    "MapOptions",
    "UnknownDistrictError",
    "overview_map",
    "district_map",
    "district_maps",
    "save_map",
]

#: Size above which :func:`save_map` warns.
DEFAULT_SIZE_BUDGET_MB = 15.0
_BYTES_PER_MB = 1_000_000


class UnknownDistrictError(ConfigError, LookupError):
    """A district id that is not in the districts layer."""


@dataclass(frozen=True)
class _View:
    """What a map shows: its firms, its extent (EPSG:25832) and its title."""

    companies: gpd.GeoDataFrame
    bounds: tuple[float, float, float, float]
    title: str


def _view(ctx: MapContext, focus: tuple[str, ...], clip: bool, margin_m: float) -> _View:
    atlas = ctx.atlas
    districts = atlas.districts
    district_ids = districts["district_id"].astype(str).to_numpy()
    title = t("title.overview", ctx.lang)
    # Firms without a location are not drawn: the summary's reconciliation counts them
    # as excluded (an atlas built in memory may hold them; the loader leaves them out).
    located = np.asarray(atlas.companies.geometry.values, dtype=object)
    located = ~(shapely.is_missing(located) | shapely.is_empty(located))
    companies = atlas.companies if located.all() else atlas.companies[located]
    if focus:
        chosen = np.isin(district_ids, list(focus))
        x0, y0, x1, y1 = shapely.total_bounds(
            np.asarray(districts.geometry.values[chosen], dtype=object)
        )
        if clip:  # a district map: the firms around the district only
            box = shapely.box(x0 - margin_m, y0 - margin_m, x1 + margin_m, y1 + margin_m)
            points = np.asarray(companies.geometry.values, dtype=object)
            companies = companies[shapely.intersects(points, box)]
            if len(focus) == 1:
                title = _text(districts["name"].to_numpy()[chosen][0])
        return _View(companies, (x0, y0, x1, y1), title)
    frames = [f for f in (districts, atlas.stops, companies) if len(f)]
    if not frames:
        msg = "the atlas has no districts, stops or firms to map"
        raise ConfigError(msg)
    # The view: the districts, or everything there is when there are none.
    bounds = np.array(
        [f.total_bounds for f in frames[:1] if len(districts)] or [f.total_bounds for f in frames]
    )
    extent = (bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max())
    return _View(companies, extent, title)


@dataclass(frozen=True)
class _Layers:
    """Every layer's data, reprojected and checked before the map exists."""

    districts: tuple[list[dict], dict]
    bids: tuple[list[dict], dict]
    plots: tuple[list[dict], dict]
    stops: tuple[list[dict], dict]
    stops_present: dict[str, set]
    catchments: dict[int, list[dict]]
    firms: dict | None
    compact: Any
    grid: dict
    grid_breaks: list[int]
    firm_counts: np.ndarray | None
    district_counts: dict[str, np.ndarray]
    aggregate: bool
    background: tuple[list[dict], dict]
    background_attribution: str
    #: The JSON of the polygon and stop layers by layer name (see :class:`_Shared`).
    json: dict[str, str]


def _firm_counts(firms: Any, column: str, focus: tuple[str, ...]) -> tuple[np.ndarray, dict]:
    """Firms per category: of the focus districts (or of every district), and per district."""
    district = firms["district"].to_numpy(dtype=object)
    codes = firms[column].to_numpy(dtype=int)
    per: dict[str, np.ndarray] = {}
    for d in {str(v) for v in district if v is not None}:
        per[d] = np.bincount(codes[district == d], minlength=4)
    wanted = np.array([v is not None and (not focus or v in focus) for v in district], dtype=bool)
    return np.bincount(codes[wanted], minlength=4), per


@dataclass(frozen=True)
class _Shared:
    """The layers every map of one atlas, summary and options shows alike, built once."""

    districts: tuple[list[dict], dict]
    bids: tuple[list[dict], dict]
    plots: tuple[list[dict], dict]
    stops: tuple[list[dict], dict, dict[str, set]]
    catchments: dict[int, list[dict]]
    #: Each layer's collection as JSON, made once for every map (districts: unfocused).
    json: dict[str, str]
    #: The JSON of each district feature, to make a focused district layer's JSON.
    district_json: list[str]


def _shared(ctx: MapContext, simplify_m: float, *, public: bool = False) -> _Shared:
    districts = _district_layer(ctx, simplify_m, frozenset())
    bids = _bid_layer(ctx, simplify_m)
    plots = _rewilding_layer(ctx, simplify_m, public=public)
    stops = _stop_layer(ctx)
    catchments = _catchment_layers(ctx, simplify_m)
    district_json = [_json_for_html(f) for f in districts[0]]
    layers = {"bids": bids[0], "rewilding": plots[0], "stops": stops[0]}
    layers.update({f"catchment_{m}": features for m, features in catchments.items()})
    json = {k: _collection_json([_json_for_html(f) for f in v]) for k, v in layers.items()}
    json["districts"] = _collection_json(district_json)
    return _Shared(districts, bids, plots, stops, catchments, json, district_json)


def _focused(shared: _Shared, focus: tuple[str, ...]) -> tuple[tuple[list[dict], dict], str]:
    """Return the district features with those in ``focus`` drawn in the focus style; the JSON."""
    if not focus:
        return shared.districts, shared.json["districts"]
    features, styles = shared.districts
    chosen = set(focus)
    out = []
    parts = list(shared.district_json)
    for i, feature in enumerate(features):
        props = feature["properties"]
        if props["id"] in chosen:
            feature = {**feature, "properties": {**props, "s": f"{props['s']}|focus"}}
            parts[i] = _json_for_html(feature)
        out.append(feature)
    return (out, styles), _collection_json(parts)


def _layers(
    ctx: MapContext,
    view: _View,
    focus: tuple[str, ...],
    opts: MapOptions,
    shared: _Shared | None = None,
) -> _Layers:
    if shared is None:
        shared = _shared(ctx, opts.simplify_m, public=bool(opts.public))
    simplify_m = opts.simplify_m
    stop_features, stop_styles, stops_present = shared.stops
    firms = _firm_frame(ctx, view.companies)
    public = bool(opts.public)
    aggregate = public or len(firms) > opts.aggregate_above
    zoom = opts.points_min_zoom
    grid, breaks = _grid_data(
        ctx,
        firms,
        cell_m=opts.grid_m,
        aggregate=aggregate and not public,
        min_zoom=zoom,
        min_count=opts.min_cell_firms if public else 1,
    )
    if public:
        grid["aggregate"] = False  # always drawn: the only firm layer of a public map
    color_column = "band" if ctx.color_by == "rail_band" else "bid_cat"
    counts, per_district = _firm_counts(firms, color_column, focus)
    compact = None
    points = None
    if not public and len(firms) > opts.aggregate_above:
        compact = _compact_layer(ctx, firms, _escape(t("layer.companies", ctx.lang)))
    elif not public:
        points = _firm_data(ctx, firms, aggregate=False, min_zoom=zoom)
    frame, bundled = resolve_background(opts.background, ctx.atlas)
    background: tuple[list[dict], dict] = ([], {})
    if frame is not None and len(frame):
        background = background_features(frame, view.bounds, max(simplify_m, 5.0))
    attribution = bundled_attribution(ctx.lang) if bundled else (opts.background_attribution or "")
    districts, districts_json = _focused(shared, focus)
    return _Layers(
        districts=districts,
        bids=shared.bids,
        plots=shared.plots,
        stops=(stop_features, stop_styles),
        stops_present=stops_present,
        catchments=shared.catchments,
        firms=points,
        compact=compact,
        grid=grid,
        grid_breaks=breaks,
        firm_counts=None if public else counts,
        district_counts=per_district,
        aggregate=aggregate and not public and compact is None,
        background=background,
        background_attribution=_escape(attribution) if frame is not None else "",
        json={**shared.json, "districts": districts_json},
    )


def _tile_layer(tiles: Any, lang: str, attribution: str | None = None) -> folium.TileLayer:
    if tiles is True:
        tiles = "OpenStreetMap"
    try:
        if isinstance(tiles, folium.TileLayer):
            layer = tiles
        elif attribution:
            layer = folium.TileLayer(tiles, attr=_escape(attribution))
        else:
            layer = folium.TileLayer(tiles)
    except (ValueError, KeyError) as exc:
        msg = (
            "`tiles` must be a tile provider name such as 'OpenStreetMap' or a URL "
            f"template with an attribution (`tiles_attribution`), got {tiles!r}"
        )
        raise ConfigError(msg) from exc
    layer.layer_name = _escape(t("layer.basemap", lang))
    layer.overlay = True
    layer.control = True
    return layer


def _new_map(ctx: MapContext, view: _View, opts: MapOptions) -> tuple[folium.Map, list]:
    """Return the empty map, self-contained, titled, with its basemap; and its corners."""
    corners = gpd.GeoSeries([shapely.box(*view.bounds)], crs=WORK_CRS).to_crs(WEB_CRS)
    x0, y0, x1, y1 = (float(v) for v in corners.total_bounds)
    fmap = folium.Map(
        location=[(y0 + y1) / 2, (x0 + x1) / 2],
        zoom_start=13,
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
        width=opts.width,
        height=opts.height,
    )
    make_self_contained(fmap)
    Support().add_to(fmap)
    ZoomTitles(t("map.zoom_in", ctx.lang), t("map.zoom_out", ctx.lang)).add_to(fmap)
    figure = fmap.get_root()
    if isinstance(figure, Figure):  # always: folium.Map places itself in a Figure
        # the page's <title> (page.html of areas.output.a11y writes it, escaped)
        figure.title = f"{view.title} – {format_date(ctx.as_of)}"
    if opts.tiles:
        _tile_layer(opts.tiles, ctx.lang, opts.tiles_attribution).add_to(fmap)
    return fmap, [[y0, x0], [y1, x1]]


def _add_layers(fmap: folium.Map, ctx: MapContext, data: _Layers, grid_m: float) -> None:
    """Add the layers, each a toggle of the layer control, bottom to top; keep them stacked."""
    lang = ctx.lang
    groups: dict[str, folium.FeatureGroup] = {}

    def group(key: str, name: str, show: bool = True) -> folium.FeatureGroup:
        fg = LayerGroup(name=_escape(name), show=show)
        fg.add_to(fmap)
        groups[key] = fg
        return fg

    if data.background[0]:
        BackgroundLayer(*data.background, data.background_attribution, fmap.get_name()).add_to(
            group("background", t("layer.background", lang))
        )
    elif data.background_attribution:
        Attribution(data.background_attribution).add_to(fmap)
    for distance_m in sorted(CATCHMENTS_M, reverse=True):
        name = t("layer.catchment", lang, distance_m=format_number(distance_m, lang))
        style = {**CATCHMENT_STYLES[distance_m], "interactive": False}
        GeoJsonLayer(
            f"catchment_{distance_m}",
            data.catchments[distance_m],
            {str(distance_m): style},
            tooltip=False,
            text=data.json[f"catchment_{distance_m}"],
        ).add_to(group(f"catchment_{distance_m}", name))
    GeoJsonLayer("districts", *data.districts, text=data.json["districts"]).add_to(
        group("districts", t("layer.districts", lang))
    )
    GeoJsonLayer("bids", *data.bids, text=data.json["bids"]).add_to(
        group("bids", t("layer.bids", lang))
    )
    GeoJsonLayer("rewilding", *data.plots, text=data.json["rewilding"]).add_to(
        group("rewilding", t("layer.rewilding", lang))
    )
    grid_name = t("layer.company_grid", lang, cell_m=format_number(grid_m, lang))
    show_grid = data.firms is None and data.compact is None
    FirmGrid(data.grid, fmap.get_name()).add_to(group("company_grid", grid_name, show=show_grid))
    if data.firms is not None:
        FirmPoints(data.firms, fmap.get_name()).add_to(
            group("companies", t("layer.companies", lang))
        )
    elif data.compact is not None:
        data.compact.add_to(fmap)
    GeoJsonLayer("stops", *data.stops, sticky=False, text=data.json["stops"]).add_to(
        group("stops", t("layer.stops", lang))
    )
    below = [groups[k].get_name() for k in LAYERS[: LAYERS.index("companies")] if k in groups]
    Stacking(below, [groups["stops"].get_name()]).add_to(fmap)


def _context(atlas: Atlas, summary: Any, opts: MapOptions) -> MapContext:
    ctx = MapContext(
        atlas,
        as_of=opts.as_of,
        include=opts.include,
        lang=opts.lang,
        summary=summary,
        color_by=opts.color_by,
    )
    if opts.grid_m <= 0:
        msg = f"`grid_m` must be a positive cell size in metres, got {opts.grid_m!r}"
        raise ConfigError(msg)
    return ctx


def _draw(
    atlas: Atlas,
    summary: Any,
    opts: MapOptions,
    *,
    focus: tuple[str, ...],
    clip: bool,
    ctx: MapContext | None = None,
    shared: _Shared | None = None,
) -> folium.Map:
    if ctx is None:
        ctx = _context(atlas, summary, opts)
    view = _view(ctx, focus, clip, opts.margin_m if clip else 0.0)
    data = _layers(ctx, view, focus, opts, shared)
    fmap, bounds = _new_map(ctx, view, opts)
    _add_layers(fmap, ctx, data, opts.grid_m)
    statuses = set(atlas.districts["status"].astype(str))
    body = _legend_body(
        ctx,
        title=view.title,
        district_statuses=[s for s in STATUSES if s in statuses],
        focus=bool(focus),
        stops_present=data.stops_present,
        firm_counts=data.firm_counts,
        grid_breaks=data.grid_breaks,
        cell_m=opts.grid_m,
        aggregate=data.aggregate,
        min_zoom=opts.points_min_zoom,
        background_kinds=sorted(data.background[1]),
        public_minimum=opts.min_cell_firms if opts.public else None,
    )
    Legend(body, ctx.lang).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    if opts.accessibility_statement:
        Attribution(statement_link(opts.accessibility_statement, ctx.lang)).add_to(fmap)
    FitView(bounds).add_to(fmap)
    add_map_accessibility(fmap, ctx, view.title, focus, data.district_counts)
    # save_map refuses to write the map over one of the files it was drawn from
    fmap.areas_inputs = input_paths(atlas)  # type: ignore[attr-defined]
    return fmap


def input_paths(atlas: Atlas) -> tuple[str, ...]:
    """Return the files the layers of ``atlas`` were read from."""
    return tuple(
        dict.fromkeys(src.path for src in atlas.sources.values() if src is not None and src.path)
    )


# --- public API ------------------------------------------------------------------------------


def _check_district_ids(
    atlas: Atlas, ids: Iterable[str], *, argument: str = "districts"
) -> tuple[str, ...]:
    valid = atlas.districts["district_id"].astype(str).tolist()
    if isinstance(ids, str):
        ids = [ids]
    chosen = tuple(dict.fromkeys(ids))
    bad = [i for i in chosen if not isinstance(i, str) or i not in valid]
    if bad or not chosen:
        shown = ", ".join(repr(b) for b in bad) if bad else "no id"
        verb = "is not a district" if len(bad) <= 1 else "are not districts"
        msg = f"`{argument}` {shown} {verb}; valid ids: {', '.join(sorted(valid))}"
        raise UnknownDistrictError(msg, layer="districts", ids=bad)
    return chosen


def _district_id(atlas: Atlas, given: Any, *, argument: str = "district_id") -> str:
    """Return the id of the district ``given`` by id or, failing that, by its name."""
    ids = atlas.districts["district_id"].astype(str).tolist()
    if isinstance(given, str) and given in ids:
        return given
    if isinstance(given, str):
        names = atlas.districts["name"].astype(str).tolist()
        matches = [i for i, n in zip(ids, names, strict=True) if n == given]
        if not matches:  # the same name, written in another case or with other spaces
            key = " ".join(given.split()).casefold()
            matches = [
                i for i, n in zip(ids, names, strict=True) if " ".join(n.split()).casefold() == key
            ]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            msg = (
                f"`{argument}` {given!r} is the name of {len(matches)} districts "
                f"({format_ids(matches)}); give one of their ids"
            )
            raise UnknownDistrictError(msg, layer="districts", ids=matches)
    return _check_district_ids(atlas, [given], argument=argument)[0]


def overview_map(
    atlas: Atlas,
    summary: Any = None,
    *,
    districts: Iterable[str] | None = None,
    options: MapOptions | None = None,
    **keywords: Any,
) -> folium.Map:
    """Return a map of every district with BIDs, rewilding, stops, catchments and firms.

    Parameters
    ----------
    atlas : Atlas
        The layers (EPSG:25832), e.g. from :func:`areas.load`.
    summary : areas.analysis.summary.Summary, optional
        A summary to draw numbers and firm colours from; computed with
        :func:`areas.analysis.summary.summarize` when omitted. ``as_of``/``include``, when
        given as well, must agree with it.
    districts : iterable of str, optional
        Districts to open the map on, outlined in bold (default: the view
        holds every district, none outlined). All districts are drawn.
    options : MapOptions, optional
        How the map is drawn (:class:`~areas.output.maps.options.MapOptions`).
    **keywords
        The fields of :class:`MapOptions` as keywords (``as_of=``, ``lang=``,
        ...), the form of earlier releases, kept for one release; they
        override ``options``. The fields:
    as_of : date-like, optional
        Scenario date (default: today, or the ``summary``'s date).
    include : iterable of str, default ()
        Stop statuses counted before they open (``"planned"``, ``"study"``), as
        in :func:`areas.analysis.summary.summarize`; they widen the catchments.
    lang : {"en", "da"}, default "en"
        Language of layer names, legend and tooltips.
    tiles : bool, str or folium.TileLayer, default False
        A basemap (e.g. ``"OpenStreetMap"``). Off by default: the map reads
        without one and a saved file then needs no network at all; tiles are
        fetched by the viewer's browser when given.
    color_by : {"rail_band", "bid"}, default "rail_band"
        Colour firms by Fingerplan distance band to rail (core ≤ 600 m,
        station-near ≤ 1,200 m, beyond) or by BID membership.
    grid_m : float, default 250
        Cell size of the firm count grid, in metres (EPSG:25832).
    aggregate_above : int, default 5000
        With more firms than this, firms show as the count grid below zoom
        ``points_min_zoom`` and as points from it; otherwise always as points
        (the grid is then a layer toggled off).
    points_min_zoom : int, default 14
        Zoom level from which many firms are drawn as points.
    simplify_m : float, default 1.0
        Polygon simplification tolerance in metres, applied in EPSG:25832.
    width, height : str or float, default "100%"
        Size of the map.

    Returns
    -------
    folium.Map
        Self-contained (Leaflet inlined); save with :func:`save_map`.

    Raises
    ------
    ConfigError
        For an unknown ``lang``/``color_by`` or a ``summary`` computed for another scenario.
    UnknownDistrictError
        For an id in ``districts`` that is not a district.
    CoordinateError
        When a feature falls outside Denmark once reprojected.

    Examples
    --------
    >>> import areas, tempfile, pathlib
    >>> atlas = areas.load()
    >>> m = overview_map(atlas, options=MapOptions(as_of="2026-01-01", lang="da"))
    >>> out = save_map(m, pathlib.Path(tempfile.mkdtemp()) / "districts.html")
    >>> out.stat().st_size < 15_000_000
    True
    >>> m = overview_map(atlas, as_of="2026-01-01", lang="da")  # the keyword form
    """
    opts = MapOptions.from_keywords(options, keywords, function="overview_map")
    focus = () if districts is None else _check_district_ids(atlas, districts)
    return _draw(atlas, summary, opts, focus=focus, clip=False)


def district_map(
    atlas: Atlas,
    district_id: str,
    summary: Any = None,
    *,
    options: MapOptions | None = None,
    **keywords: Any,
) -> folium.Map:
    """Return a map zoomed to one district, the district outlined in bold.

    Takes the arguments of :func:`overview_map` (``summary``, ``options`` or the
    options as keywords, among them ``margin_m``: firms within this distance of
    the district's bounding box are drawn), and

    Parameters
    ----------
    district_id : str
        The district: its id (``atlas.districts.district_id``) or its name
        (``"Hersted Industripark"``; case and spacing aside).

    Raises
    ------
    UnknownDistrictError
        When ``district_id`` is neither a district's id nor its name (the
        message lists the valid ids), or is the name of several districts
        (the message lists their ids).

    Examples
    --------
    >>> import areas
    >>> atlas = areas.load()
    >>> m = district_map(atlas, "avedoere-holme", as_of="2026-01-01", color_by="bid")
    >>> district_map(atlas, "hersted")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    areas.output.maps.build.UnknownDistrictError: ... 'hersted' is not a district; valid ids: ...
    """
    opts = MapOptions.from_keywords(options, keywords, function="district_map")
    focus = (_district_id(atlas, district_id),)
    return _draw(atlas, summary, opts, focus=focus, clip=True)


def district_maps(
    atlas: Atlas,
    district_ids: Iterable[str] | None = None,
    summary: Any = None,
    *,
    options: MapOptions | None = None,
    **keywords: Any,
) -> Iterator[tuple[str, folium.Map]]:
    """Yield ``(district_id, map)`` for many districts, preparing the shared layers once.

    The same maps as :func:`district_map` called once per district, but the
    layers every map shows alike (the districts, BIDs, rewilding plots, stops
    and catchments, reprojected and with their popups) are built once, so
    hundreds of district maps take little more than their firms.

    Parameters
    ----------
    district_ids : iterable of str, optional
        The districts (ids or names, as :func:`district_map` takes them;
        default: every district).

    Examples
    --------
    >>> import areas
    >>> atlas = areas.load()
    >>> [d for d, _ in district_maps(atlas, ["avedoere-holme"], as_of="2026-01-01")]
    ['avedoere-holme']
    """
    opts = MapOptions.from_keywords(options, keywords, function="district_maps")
    if district_ids is None:
        chosen = tuple(atlas.districts["district_id"].astype(str))
    else:
        given = [district_ids] if isinstance(district_ids, str) else list(district_ids)
        chosen = tuple(_district_id(atlas, d, argument="district_ids") for d in given)
    if not chosen:
        return
    for district, fmap in _maps(atlas, chosen, summary, opts, overview=False):
        assert district is not None
        yield district, fmap


def report_maps(
    atlas: Atlas, district_ids: Iterable[str], summary: Any, *, options: MapOptions
) -> Iterator[tuple[str | None, folium.Map]]:
    """Yield the overview map (``None``) and one map per district: the maps of a report.

    As :func:`overview_map` and :func:`district_maps`, with the layers every
    map shows alike built once for all of them.
    """
    ids = tuple(_district_id(atlas, d, argument="district_ids") for d in district_ids)
    yield from _maps(atlas, ids, summary, options, overview=True)


def _maps(
    atlas: Atlas, chosen: tuple[str, ...], summary: Any, opts: MapOptions, *, overview: bool
) -> Iterator[tuple[str | None, folium.Map]]:
    ctx = _context(atlas, summary, opts)
    shared = _shared(ctx, opts.simplify_m, public=bool(opts.public))
    if overview:
        yield None, _draw(atlas, summary, opts, focus=(), clip=False, ctx=ctx, shared=shared)
    for district in chosen:
        fmap = _draw(atlas, summary, opts, focus=(district,), clip=True, ctx=ctx, shared=shared)
        yield district, fmap


def save_map(
    fmap: folium.Map,
    path: str | os.PathLike,
    *,
    size_budget_mb: float = DEFAULT_SIZE_BUDGET_MB,
    self_contained: bool = True,
) -> Path:
    """Write ``fmap`` as one HTML file, atomically.

    The page is rendered in memory first; a temporary file beside ``path`` is
    written, checked and moved into place, so a failed build never leaves a
    half-written or emptied map behind.

    Parameters
    ----------
    fmap : folium.Map
        A map from :func:`overview_map` or :func:`district_map` (any Folium map works).
    path : path-like
        The HTML file to write.
    size_budget_mb : float, default 15
        Warn (:class:`~areas.errors.AreasWarning`) when the file is larger (MB = 10⁶ bytes).
    self_contained : bool, default True
        Inline Leaflet and refuse any ``http(s)://`` script or stylesheet, so
        the file renders with no network.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OutputError
        When the map needs an external script or stylesheet (self-contained
        mode), when ``path`` is one of the files the map was drawn from, or
        when the file cannot be written (a folder, a read-only or full disk);
        the message names the path and the fix, and an existing file is left
        as it was.

    Examples
    --------
    >>> import tempfile, pathlib, folium
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "m.html"
    >>> save_map(folium.Map(tiles=None), out).exists()
    True
    """
    path = Path(path)
    if not isinstance(fmap, folium.Map):
        msg = f"`fmap` must be a folium.Map, got {type(fmap).__name__}"
        raise OutputError(msg, path=path)
    check_file_target(path)
    refuse_inputs(path, getattr(fmap, "areas_inputs", ()))
    if self_contained:
        make_self_contained(fmap)
    page = fmap.get_root().render()
    if self_contained:
        found = external_resources(page)
        if found:
            msg = f"the map refers to external scripts or stylesheets: {format_ids(found)}"
            raise OutputError(msg, path=path)
    data = page.encode("utf-8")

    def check(tmp: Path) -> None:
        if tmp.stat().st_size != len(data):
            msg = f"wrote {tmp.stat().st_size} bytes, expected {len(data)}"
            raise OutputError(msg, path=path)

    with atomic_path(path, check=check) as tmp:
        tmp.write_bytes(data)
    size_mb = len(data) / _BYTES_PER_MB
    if size_mb > size_budget_mb:
        msg = (
            f"map {path} is {size_mb:.1f} MB, over the budget of {size_budget_mb:g} MB; "
            "map fewer firms (district_map) or raise `size_budget_mb`"
        )
        warnings.warn(msg, AreasWarning, stacklevel=2)
    return path
