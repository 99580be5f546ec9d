"""The options of the maps: :func:`~areas.output.maps.overview_map`, ``district_map``."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from areas.constants import DEFAULT_LANGUAGE

__all__ = ["MapOptions", "ColorBy"]

#: Ways to colour firms.
ColorBy = Literal["rail_band", "bid"]


@dataclass(frozen=True)
class MapOptions:
    """How a map is drawn; every field has the default the maps use.

    Attributes
    ----------
    as_of : date-like, optional
        Scenario date (default: today, or the ``summary``'s date).
    include : iterable of str, default ()
        Stop statuses counted before they open (``"planned"``, ``"study"``), as
        in :func:`areas.analysis.summary.summarize`; they widen the catchments.
    lang : {"en", "da"}, default "en"
        Language of layer names, legend and tooltips.
    tiles : bool, str or folium.TileLayer, default False
        A basemap (e.g. ``"OpenStreetMap"`` or a URL template with
        ``{z}/{x}/{y}``). Off by default: the map reads without one and a
        saved file then needs no network at all; tiles are fetched by the
        viewer's browser when given, and the data are drawn when they fail.
    tiles_attribution : str, optional
        The attribution of a tile URL template (text; shown on the map).
    background : "auto", "bundled", None, GeoDataFrame or path, default "auto"
        Drawn light under the data: "auto" draws the bundled background
        (water and coast, municipal boundaries, main roads, railways) on a
        map of the bundled layers and none on a map of other layers;
        "bundled" always the bundled one; a GeoDataFrame or a file (any
        GDAL format, with a CRS; a ``kind`` column picks the style) the
        user's own; None none.
    background_attribution : str, optional
        The attribution of a user's own background (the bundled one brings its own).
    accessibility_statement : str, optional
        URL of the site's accessibility statement (Danish sites: ``/was``),
        linked from the map.
    public : bool, default False
        Leave every single firm out: no firm points or names, only the count
        grid, cells with fewer than ``min_cell_firms`` firms left out.
    min_cell_firms : int, default 5
        The fewest firms a grid cell of a public map shows.
    color_by : {"rail_band", "bid"}, default "rail_band"
        Colour firms by Fingerplan distance band to rail (core ≤ 600 m,
        station-near ≤ 1,200 m, beyond) or by BID membership.
    margin_m : float, default 1500
        :func:`~areas.output.maps.district_map` only: firms within this
        distance of the district's bounding box are drawn.
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

    Examples
    --------
    >>> options = MapOptions(lang="da", color_by="bid")
    >>> options.replace(grid_m=500).grid_m, options.lang
    (500, 'da')
    """

    as_of: Any = None
    include: Iterable[str] | str | None = ()
    lang: str = DEFAULT_LANGUAGE
    tiles: Any = False
    tiles_attribution: str | None = None
    background: Any = "auto"
    background_attribution: str | None = None
    accessibility_statement: str | None = None
    public: bool = False
    min_cell_firms: int = 5
    color_by: ColorBy | str = "rail_band"
    margin_m: float = 1_500.0
    grid_m: float = 250.0
    aggregate_above: int = 5_000
    points_min_zoom: int = 14
    simplify_m: float = 1.0
    width: str | float = "100%"
    height: str | float = "100%"

    def replace(self, **changes: Any) -> MapOptions:
        """Return a copy with ``changes`` (field names as keywords)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_keywords(
        cls, options: MapOptions | None, keywords: Mapping[str, Any], *, function: str
    ) -> MapOptions:
        """Return ``options`` (or the defaults) updated with the keyword form of the options.

        Raises
        ------
        TypeError
            For a keyword that is not an option, naming the options.
        """
        if options is not None and not isinstance(options, MapOptions):
            msg = f"`options` must be a MapOptions, got {type(options).__name__}"
            raise TypeError(msg)
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = [k for k in keywords if k not in names]
        if unknown:
            msg = (
                f"{function}() got unexpected keyword argument(s) {', '.join(unknown)}; "
                f"the map options are {', '.join(names)}"
            )
            raise TypeError(msg)
        base = options if options is not None else cls()
        return dataclasses.replace(base, **keywords) if keywords else base
