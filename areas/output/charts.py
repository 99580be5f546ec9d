"""Static charts and maps for report pages, as inline SVG.

Charts are drawn with matplotlib's object API (a :class:`~matplotlib.figure.Figure`
with the Agg-based SVG canvas; pyplot and its global state are never used),
saved to SVG text and cleaned for inlining in HTML: no XML prolog, ids
prefixed per chart so several charts can share a page, a ``<title>`` for
screen readers, and no fixed size (CSS scales them). Text stays text
(``svg.fonttype = "none"``) so æ, ø and å print sharply and can be searched.
The output is deterministic: the same data gives the same bytes.

Names come from the input layers, so every text is drawn as it is: mathtext
is off (``$5 og $10`` is not a formula), and a character the font lacks (a
district named in Chinese) is left out of the drawing without a warning.
"""

from __future__ import annotations

import contextlib
import html
import io
import math
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from areas.output.i18n import format_number, format_share
from areas.output.terminal import terminal_text

__all__ = ["bar_chart", "frequency_chart", "line_chart", "static_map"]

#: matplotlib settings for every chart.
_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "areas",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    # Text from the data is text: "$" does not start a formula.
    "text.parse_math": False,
}

#: Colours (colour-blind safe, print in grey distinguishably).
PALETTE = ("#1b6ca8", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#999999")

_ID_ATTR = re.compile(r'\bid="([^"]+)"')


@contextlib.contextmanager
def _drawing(rc: Mapping[str, Any] | None = None) -> Iterator[None]:
    """Apply the chart settings and silence matplotlib's missing-glyph warnings.

    The SVG keeps text as text, so a glyph missing from the bundled font only
    affects how the browser's fallback font draws it; the warning would only
    be noise on the command line.
    """
    import matplotlib

    settings: dict[Any, Any] = {**_RC, **(rc or {})}
    with matplotlib.rc_context(settings), warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"Glyph .* missing from font", category=UserWarning
        )
        yield


def _figure(width_in: float, height_in: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width_in, height_in), layout="constrained")


def _to_svg(fig, *, chart_id: str, title: str) -> str:
    """Return the figure as SVG markup ready to inline in HTML."""
    title = terminal_text(title)
    buf = io.StringIO()
    with _drawing():
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    prefix = re.sub(r"[^A-Za-z0-9_-]", "-", chart_id) + "-"
    ids = set(_ID_ATTR.findall(svg))
    for old in sorted(ids, key=len, reverse=True):
        new = prefix + old
        svg = svg.replace(f'id="{old}"', f'id="{new}"')
        svg = svg.replace(f"#{old})", f"#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    head_end = svg.index(">") + 1
    head = svg[:head_end]
    # inline SVG in HTML needs no namespace declarations (the HTML parser adds them)
    head = re.sub(r'\s(width|height|xmlns|xmlns:xlink|version)="[^"]*"', "", head)
    head = head.replace(
        "<svg", f'<svg class="chart" role="img" aria-label="{html.escape(title, quote=True)}"', 1
    )
    svg = head + f"<title>{html.escape(title)}</title>" + svg[head_end:]
    return svg.strip()


def _tick_formatter(lang: str, *, percent: bool = False, digits: int = 0):
    from matplotlib.ticker import FuncFormatter

    if percent:
        return FuncFormatter(lambda v, _pos: format_share(v, lang, decimals=digits))
    return FuncFormatter(lambda v, _pos: format_number(v, lang, decimals=digits))


def line_chart(
    series: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    *,
    title: str,
    xlabel: str = "",
    ylabel: str = "",
    chart_id: str = "chart",
    lang: str = "en",
    step: bool = True,
    integer_x: bool = True,
    digits: int = 1,
) -> str:
    """Return a line (or step) chart as inline SVG markup.

    Parameters
    ----------
    series : mapping of str to (x, y)
        Label -> x values and y values, one line each.
    title, xlabel, ylabel : str
        Texts (any characters; they are escaped).
    chart_id : str
        Prefix making the SVG's ids unique on a page.
    lang : {"en", "da"}
        Decimal mark of the axis labels.
    step : bool, default True
        Draw a step line (a cumulative total that changes on given years).
    integer_x : bool, default True
        Tick the x axis at whole numbers (years).
    digits : int, default 1
        Decimals of the y-axis labels.

    Returns
    -------
    str
        ``<svg ...>...</svg>``.
    """
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    with _drawing():
        fig = _figure(6.0, 2.8)
        ax = fig.add_subplot()
        for i, (label, (xs, ys)) in enumerate(series.items()):
            x = np.asarray(xs, dtype=float)
            y = np.asarray(ys, dtype=float)
            color = PALETTE[i % len(PALETTE)]
            if step:
                ax.step(x, y, where="post", color=color, label=label, linewidth=1.8)
                ax.plot(x, y, "o", color=color, markersize=3.5)
            else:
                ax.plot(x, y, "o-", color=color, label=label, linewidth=1.8, markersize=3.5)
        ax.set_title(title, loc="left")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        if integer_x:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{int(round(v))}"))
        ax.yaxis.set_major_formatter(_tick_formatter(lang, digits=digits))
        if len(series) > 1:
            ax.legend(loc="upper left")
        return _to_svg(fig, chart_id=chart_id, title=title)


def bar_chart(
    categories: Sequence[str],
    groups: Mapping[str, Sequence[float]],
    *,
    title: str,
    ylabel: str = "",
    chart_id: str = "chart",
    lang: str = "en",
    percent: bool = False,
) -> str:
    """Return a grouped bar chart as inline SVG markup.

    Parameters
    ----------
    categories : sequence of str
        Labels along the x axis.
    groups : mapping of str to sequence of float
        Group label -> one value per category (NaN draws no bar).
    title, ylabel : str
        Texts (escaped).
    chart_id : str
        Prefix making the SVG's ids unique on a page.
    lang : {"en", "da"}
        Decimal mark of the labels.
    percent : bool, default False
        Values are fractions 0–1, shown as percentages on a 0–100 % axis.

    Returns
    -------
    str
        ``<svg ...>...</svg>``.
    """
    title, ylabel = terminal_text(title), terminal_text(ylabel)
    categories = [terminal_text(c) for c in categories]
    values = {
        terminal_text(k): np.nan_to_num(np.asarray(v, dtype=float), nan=0.0)
        for k, v in groups.items()
    }
    key = (tuple(categories), tuple(values), title, ylabel, lang)
    if percent:
        # The labels and the 0–100 % axis are the same for every district: the figure (and its
        # layout) is made once and only the bars' heights change from chart to chart.
        cached = _BAR_FIGURES.get(key)
        if cached is not None:
            fig, bars = cached
            for label, rects in bars.items():
                for rect, height in zip(rects, values[label], strict=True):
                    rect.set_height(height)
            return _to_svg(fig, chart_id=chart_id, title=title)
    fig, bars = _bar_figure(categories, values, title, ylabel, lang, percent)
    svg = _to_svg(fig, chart_id=chart_id, title=title)
    if percent:
        fig.set_layout_engine("none")  # keep the layout just computed
        if len(_BAR_FIGURES) >= 8:
            _BAR_FIGURES.pop(next(iter(_BAR_FIGURES)))
        _BAR_FIGURES[key] = (fig, bars)
    return svg


#: Bar-chart figures by their labels, reused with new heights (see :func:`bar_chart`).
_BAR_FIGURES: dict[tuple, tuple[Any, dict[str, list]]] = {}


def _bar_figure(categories, values, title, ylabel, lang, percent):
    n_groups = max(len(values), 1)
    width = 0.8 / n_groups
    x = np.arange(len(categories), dtype=float)
    bars: dict[str, list] = {}
    with _drawing():
        fig = _figure(6.0, 2.8)
        ax = fig.add_subplot()
        ax.grid(axis="x", visible=False)
        for i, (label, heights) in enumerate(values.items()):
            offset = (i - (n_groups - 1) / 2) * width
            container = ax.bar(
                x + offset,
                heights,
                width,
                label=label,
                color=PALETTE[i % len(PALETTE)],
            )
            bars[label] = list(container.patches)
        ax.set_xticks(x, list(categories))
        ax.set_title(title, loc="left")
        ax.set_ylabel(ylabel)
        if percent:
            ax.set_ylim(0, 1.0)
            ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
            ax.yaxis.set_major_formatter(_tick_formatter(lang, percent=True))
        else:
            ax.yaxis.set_major_formatter(_tick_formatter(lang))
        if len(values) > 1:
            ax.legend(
                loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=min(len(values), 4), fontsize=8
            )
            ax.set_title(title, loc="left", pad=22)
    return fig, bars


def frequency_chart(
    stations: Sequence[str],
    departures_per_hour: Sequence[float],
    *,
    title: str,
    xlabel: str,
    no_data: str,
    chart_id: str = "chart",
    lang: str = "en",
) -> str:
    """Return a horizontal bar chart of departures per hour per station as inline SVG.

    Parameters
    ----------
    stations : sequence of str
        Station names, one bar each (top to bottom).
    departures_per_hour : sequence of float
        One value per station; NaN draws no bar and writes ``no_data`` instead
        (never a bar of zero).
    title, xlabel, no_data : str
        Texts (escaped).
    chart_id : str
        Prefix making the SVG's ids unique on a page.
    lang : {"en", "da"}
        Decimal mark of the labels.
    """
    values = np.asarray(departures_per_hour, dtype=float)
    y = np.arange(len(stations), dtype=float)[::-1]
    known = values[np.isfinite(values)]
    top = float(known.max()) if len(known) else 1.0
    with _drawing():
        fig = _figure(6.0, max(1.4, 0.32 * len(stations) + 0.8))
        ax = fig.add_subplot()
        ax.grid(axis="y", visible=False)
        ax.barh(y, np.nan_to_num(values, nan=0.0), 0.6, color=PALETTE[0])
        for yi, v in zip(y, values, strict=True):
            text = no_data if not np.isfinite(v) else format_number(v, lang, decimals=1)
            ax.text(
                (0.0 if not np.isfinite(v) else v) + top * 0.01,
                yi,
                text,
                va="center",
                fontsize=8,
                style="italic" if not np.isfinite(v) else "normal",
            )
        ax.set_yticks(y, list(stations))
        ax.set_xlim(0, top * 1.25 if top > 0 else 1.0)
        ax.set_title(title, loc="left")
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_formatter(_tick_formatter(lang))
        return _to_svg(fig, chart_id=chart_id, title=title)


def _polygon_path(geoms):
    """Return one matplotlib Path drawing all (multi)polygons, holes included."""
    import shapely
    from matplotlib.path import Path as MplPath

    vertices, codes = [], []
    parts = shapely.get_parts(np.asarray(geoms, dtype=object))
    for poly in parts:
        if poly is None or poly.is_empty or poly.geom_type != "Polygon":
            continue
        for ring in [poly.exterior, *poly.interiors]:
            coords = np.asarray(ring.coords)[:, :2]
            if len(coords) < 3:
                continue
            vertices.append(coords)
            codes.append(
                [MplPath.MOVETO] + [MplPath.LINETO] * (len(coords) - 2) + [MplPath.CLOSEPOLY]
            )
    if not vertices:
        return None
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def _within(geoms, window):
    """Return the (multi)polygons cut to ``window`` (xmin, ymin, xmax, ymax); all when None."""
    import shapely

    geoms = np.asarray(list(geoms), dtype=object)
    if window is None or len(geoms) == 0:
        return geoms
    box = shapely.box(*window)
    geoms = geoms[shapely.intersects(geoms, box)]
    # A full intersection, not clip_by_rect: GEOS's rectangle clipper can build
    # a three-point ring from the slivers of a zone cut from Voronoi cells.
    out = geoms.copy()
    cross = ~shapely.within(geoms, box)
    out[cross] = shapely.intersection(shapely.make_valid(geoms[cross]), box)
    return out


def static_map(
    *,
    title: str,
    polygons: Sequence[tuple[str, Sequence, Mapping]] = (),
    points: Sequence[tuple[str, np.ndarray, Mapping]] = (),
    extent: tuple[float, float, float, float] | None = None,
    chart_id: str = "map",
    scale_label: str = "m",
) -> str:
    """Return a printable outline map as inline SVG markup.

    Parameters
    ----------
    title : str
        Title (escaped).
    polygons : sequence of (label, geometries, style)
        Shapely (Multi)Polygons in a projected CRS (metres) and a style dict
        with ``facecolor``, ``edgecolor``, ``alpha``, ``linewidth``.
    points : sequence of (label, xy array of shape (n, 2), style)
        Points with a style dict for :meth:`~matplotlib.axes.Axes.scatter`.
        Layers of more than 2,000 points are rasterised inside the SVG (a
        ``data:`` image) to keep the page small.
    extent : (xmin, ymin, xmax, ymax), optional
        Area shown; default: everything drawn.
    chart_id : str
        Prefix making the SVG's ids unique on a page.
    scale_label : str
        Unit of the scale bar.

    Returns
    -------
    str
        ``<svg ...>...</svg>``.
    """
    from matplotlib.patches import PathPatch

    title = terminal_text(title)  # control characters cannot go into SVG
    polygons = [(terminal_text(label), geoms, style) for label, geoms, style in polygons]
    points = [(terminal_text(label), xy, style) for label, xy, style in points]
    window = None
    if extent is not None:
        # Only what can show is drawn: each layer is cut to a window a little larger than
        # the view, so that a district map does not carry every outline of the atlas and the
        # cut edges fall outside the frame.
        x0, y0, x1, y1 = extent
        grow = 0.2 * max(x1 - x0, y1 - y0, 1.0)
        window = (x0 - grow, y0 - grow, x1 + grow, y1 + grow)
    with _drawing({"axes.grid": False}):
        fig = _figure(6.0, 4.6)
        ax = fig.add_subplot()
        handles = []
        for label, geoms, style in polygons:
            path = _polygon_path(_within(geoms, window))
            if path is None:
                continue
            patch = PathPatch(path, label=label, **{"linewidth": 1.0, **style})
            if window is None:
                ax.add_patch(patch)  # the view is fitted to what is drawn
            else:
                ax.add_artist(patch)  # the view is given: no need to measure the patch
            if label:
                handles.append(patch)
        for label, xy, style in points:
            xy = np.asarray(xy, dtype=float).reshape(-1, 2)
            if len(xy) == 0:
                continue
            sc = ax.scatter(
                xy[:, 0], xy[:, 1], label=label, rasterized=len(xy) > 2000, **{"s": 6, **style}
            )
            if label:
                handles.append(sc)
        if extent is None:
            ax.autoscale_view()
        else:
            x0, y0, x1, y1 = extent
            pad = 0.04 * max(x1 - x0, y1 - y0, 1.0)
            ax.set_xlim(x0 - pad, x1 + pad)
            ax.set_ylim(y0 - pad, y1 + pad)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_visible(True)
            ax.spines[side].set_color("#999999")
        # scale bar: a round length about a fifth of the width
        xlo, xhi = ax.get_xlim()
        ylo, yhi = ax.get_ylim()
        target = (xhi - xlo) / 5
        if target > 0:
            magnitude = 10 ** math.floor(math.log10(target))
            length = max(m * magnitude for m in (1, 2, 5) if m * magnitude <= target)
            x_start = xlo + 0.04 * (xhi - xlo)
            y_bar = ylo + 0.05 * (yhi - ylo)
            ax.plot([x_start, x_start + length], [y_bar, y_bar], color="black", linewidth=2)
            ax.text(
                x_start + length / 2,
                y_bar + 0.015 * (yhi - ylo),
                f"{length:,.0f} {scale_label}".replace(",", " "),
                ha="center",
                va="bottom",
                fontsize=7,
            )
        ax.set_title(title, loc="left")
        if handles:
            ax.legend(
                handles=handles,
                loc="upper left",
                bbox_to_anchor=(1.01, 1.0),
                fontsize=7,
                markerscale=1.5,
            )
        return _to_svg(fig, chart_id=chart_id, title=title)
