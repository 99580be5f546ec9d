"""Static charts and maps for report pages, as inline SVG.

The report's static maps and bar charts (one of each per district, and a
Fingerplan map) are written directly as SVG by :mod:`areas.output.svg`:
polygons as paths, points as one path of dots, texts laid out with the
widths of DejaVu Sans. The line and frequency charts are drawn with
matplotlib's object API (a :class:`~matplotlib.figure.Figure` with the
Agg-based SVG canvas; pyplot and its global state are never used), saved to
SVG text and cleaned for inlining in HTML.

Every chart is inline-ready: no XML prolog, ids prefixed per chart so several
charts can share a page, ``role="img"`` with an accessible name and a
``<title>`` for screen readers, and no fixed size (CSS scales them). Text
stays text so æ, ø and å print sharply and can be searched. The output is
deterministic: the same data gives the same bytes.

Names come from the input layers, so every text is drawn as it is: mathtext
is off (``$5 og $10`` is not a formula), and a character the font lacks (a
district named in Chinese) is left to the browser's fallback font without a
warning.
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
from areas.output.svg import (
    Frame,
    colour,
    dash_array,
    nice_ticks,
    num,
    points_path,
    polygon_path,
    render,
    svg_id,
    text_width,
    wrap_text,
)
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
    # matplotlib's style sheet sets line caps and joins for `*`: inline in a page that is every
    # element of the page, so it is kept to this chart's own elements
    first = _ID_ATTR.search(svg)
    if first is not None:
        svg = svg.replace('<style type="text/css">*{', f'<style type="text/css">#{first[1]} *{{', 1)
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


#: Size (pt) of a bar chart (6 × 2.8 inches) and of a static map (6 × 4.6 inches).
BAR_SIZE = (432.0, 201.6)
MAP_SIZE = (432.0, 331.2)
#: Space (pt) around a chart's content.
_EDGE = 4.0


def _text(x: float, y: float, size: float, lines: Sequence[str], **options: Any) -> dict:
    """Return a text block for the SVG templates: lines from baseline ``y``, one every 1.2 em."""
    return {
        "x": num(x),
        "y": num(y),
        "size": num(size),
        "lines": list(lines),
        "step": num(1.2 * size),
        "bold": options.get("bold", False),
        "italic": options.get("italic", False),
        "anchor": options.get("anchor"),
        "rotate": options.get("rotate", False),
    }


def _title_blocks(title: str, width: float) -> tuple[list[dict], float]:
    """Return the title as text (bold, 10 pt, at most two lines) and the y below it."""
    lines = wrap_text(title, width - 2 * _EDGE, 10, bold=True, max_lines=2)
    return [_text(_EDGE, _EDGE + 9.5, 10, lines, bold=True)], _EDGE + 12 * len(lines) + 2


def _value_text(value: float, lang: str, percent: bool, decimals: int) -> str:
    if not math.isfinite(value):
        return "–"
    if percent:
        return format_share(value, lang, decimals=decimals)
    return format_number(value, lang, decimals=decimals)


def _decimals(ticks: Sequence[float]) -> int:
    """Return the decimals (0, 1 or 2) that write every tick exactly."""
    for d in (0, 1):
        if all(abs(t * 10**d - round(t * 10**d)) < 1e-6 for t in ticks):
            return d
    return 2


def _bar_legend(labels: Sequence[str], width: float, y: float) -> tuple[list[dict], float]:
    """Return the legend of a bar chart (a coloured square and a label each, in rows)."""
    entries: list[dict] = []
    x = _EDGE
    for i, label in enumerate(labels):
        shown = wrap_text(label, width / 2, 8, max_lines=1)[0]
        w = 11 + text_width(shown, 8) + 10
        if x > _EDGE and x + w > width - _EDGE:
            x, y = _EDGE, y + 11
        entries.append(
            {
                "x": num(x),
                "y": num(y),
                "colour": PALETTE[i % len(PALETTE)],
                "label": _text(x + 11, y + 6.5, 8, [shown]),
            }
        )
        x += w
    return entries, y + 11


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
        ``<svg ...>...</svg>``: one ``<rect>`` per bar, the axes, a legend when
        there is more than one group, and a ``<desc>`` listing every value.
    """
    title, ylabel = terminal_text(title), terminal_text(ylabel)
    cats = [terminal_text(c) for c in categories]
    values = {terminal_text(k): np.asarray(v, dtype=float) for k, v in groups.items()}
    width, height = BAR_SIZE
    titles, y = _title_blocks(title, width)
    legend: list[dict] = []
    if len(values) > 1:
        legend, y = _bar_legend(list(values), width, y + 2)
    top = y + 6
    known = np.concatenate([v[np.isfinite(v)] for v in values.values()] or [np.zeros(0)])
    if percent:
        ticks = [0.0, 0.25, 0.5, 0.75, 1.0]
    else:
        ticks = nice_ticks(
            float(known.max()) if len(known) else 1.0,
            bottom=float(known.min()) if len(known) else 0.0,
        )
    digits = 0 if percent else _decimals(ticks)
    tick_text = [_value_text(t, lang, percent, digits) for t in ticks]
    left = _EDGE + (14 if ylabel else 0) + max(text_width(t, 9) for t in tick_text) + 6
    right = width - _EDGE
    slot = (right - left) / max(len(cats), 1)
    cat_lines = [wrap_text(c, slot - 2, 9, max_lines=2) for c in cats]
    bottom = height - _EDGE - 10.8 * max((len(c) for c in cat_lines), default=1) - 5
    lo, hi = ticks[0], ticks[-1]

    def ypos(v: float) -> float:
        return bottom - (min(max(v, lo), hi) - lo) * (bottom - top) / (hi - lo)

    n_groups = max(len(values), 1)
    bar_w = 0.8 / n_groups * slot
    bars = []
    for i, heights in enumerate(values.values()):
        for j, h in enumerate(heights.tolist()):
            if not math.isfinite(h) or h == 0:
                continue
            centre = left + (j + 0.5) * slot + (i - (n_groups - 1) / 2) * bar_w
            y0, y1 = sorted((ypos(h), ypos(0.0)))
            if num(y1 - y0) == "0":
                continue  # thinner than the drawing's 0.1 pt
            bars.append(
                {
                    "x": num(centre - bar_w / 2),
                    "y": num(y0),
                    "w": num(bar_w),
                    "h": num(y1 - y0),
                    "colour": PALETTE[i % len(PALETTE)],
                }
            )
    shown = 1 if percent else max(digits, 1)
    desc = "; ".join(
        f"{label}: "
        + ", ".join(
            f"{c} {_value_text(v, lang, percent, shown)}"
            for c, v in zip(cats, heights.tolist(), strict=False)
        )
        for label, heights in values.items()
    )
    grid = [
        {"y": num(ypos(t)), "label": _text(left - 5.5, ypos(t) + 3.2, 9, [s], anchor="end")}
        for t, s in zip(ticks, tick_text, strict=True)
    ]
    columns = [
        {
            "x": num(left + (j + 0.5) * slot),
            "label": _text(left + (j + 0.5) * slot, bottom + 13, 9, lines, anchor="middle"),
        }
        for j, lines in enumerate(cat_lines)
    ]
    axis_label = None
    if ylabel:
        lines = wrap_text(ylabel, bottom - top, 9, max_lines=1)
        axis_label = _text(_EDGE + 8, (top + bottom) / 2, 9, lines, anchor="middle", rotate=True)
    return render(
        "bar_chart.svg",
        pid=svg_id(chart_id) + "-",
        width=num(width),
        height=num(height),
        title=title,
        desc=desc,
        title_blocks=titles,
        legend=legend,
        plot={"left": num(left), "right": num(right), "top": num(top), "bottom": num(bottom)},
        grid=grid,
        zero=num(ypos(0.0)),
        bars=bars,
        columns=columns,
        ylabel=axis_label,
    )


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
    crossing = geoms[cross]
    invalid = ~shapely.is_valid(crossing)
    if invalid.any():
        crossing[invalid] = shapely.make_valid(crossing[invalid])
    out[cross] = shapely.intersection(crossing, box)
    return out


def _polygon_paint(style: Mapping[str, Any]) -> dict:
    """Return the SVG paint of a polygon layer from its matplotlib-style ``style``."""
    alpha = style.get("alpha")
    face = colour(style.get("facecolor", PALETTE[0]))
    edge = colour(style.get("edgecolor", "#000000"))
    width = float(style.get("linewidth", 1.0))
    return {
        "fill": face,
        "fill_opacity": num(alpha) if alpha is not None and face != "none" else None,
        "stroke": edge if width > 0 else "none",
        "stroke_width": num(width),
        "stroke_opacity": num(alpha) if alpha is not None else None,
        "dash": dash_array(style.get("linestyle", "-"), width),
    }


def _point_paint(style: Mapping[str, Any], scale: float = 1.0) -> dict:
    """Return the SVG paint of a point layer from its matplotlib-style ``style``.

    ``s`` is the marker's area in pt² (as for matplotlib's scatter), ``marker``
    ``"s"`` a square (else a circle), ``edgecolors`` and ``linewidths`` its
    outline.
    """
    size = math.sqrt(float(style.get("s", 6))) * scale
    edge = colour(style.get("edgecolors"))
    line = float(style.get("linewidths", 1.0)) if edge != "none" else 0.0
    if line <= 0:
        edge = "none"
    alpha = style.get("alpha")
    return {
        "colour": colour(style.get("color", style.get("c", "#444444"))),
        "size": num(max(size - line, 0.1)),
        "outer": num(size + line),
        "edge": edge,
        "cap": "square" if style.get("marker") == "s" else "round",
        "opacity": num(alpha) if alpha is not None else None,
        "radius": size / 2 + line / 2,
    }


def _view(
    polygons: Sequence[tuple[str, np.ndarray, Mapping]],
    points: Sequence[tuple[str, np.ndarray, Mapping]],
    extent: tuple[float, float, float, float] | None,
) -> tuple[float, float, float, float]:
    """Return the area a static map shows: ``extent`` padded, else all drawn, with a margin."""
    import shapely

    if extent is not None:
        x0, y0, x1, y1 = extent
        pad = 0.04 * max(x1 - x0, y1 - y0, 1.0)
        return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    boxes = [shapely.total_bounds(geoms) for _, geoms, _ in polygons if len(geoms)]
    boxes += [np.r_[np.nanmin(xy, axis=0), np.nanmax(xy, axis=0)] for _, xy, _ in points if len(xy)]
    boxes = [b for b in boxes if np.isfinite(b).all()]
    if not boxes:
        return (0.0, 0.0, 1.0, 1.0)
    stack = np.vstack(boxes)
    x0, y0 = stack[:, 0].min(), stack[:, 1].min()
    x1, y1 = stack[:, 2].max(), stack[:, 3].max()
    mx, my = 0.05 * max(x1 - x0, 1.0), 0.05 * max(y1 - y0, 1.0)
    return (float(x0 - mx), float(y0 - my), float(x1 + mx), float(y1 + my))


def _scale_bar(frame: Frame, view: tuple[float, float, float, float], unit: str) -> dict | None:
    """Return a scale bar of a round length about a fifth of the map's width, bottom left."""
    x0, y0, x1, y1 = view
    target = (x1 - x0) / 5
    if not target > 0:
        return None
    magnitude = 10 ** math.floor(math.log10(target))
    length = max(m * magnitude for m in (1, 2, 5) if m * magnitude <= target)
    start = x0 + 0.04 * (x1 - x0)
    (sx, sy), (ex, _) = frame.to_svg(
        np.array([[start, y0 + 0.05 * (y1 - y0)], [start + length, 0.0]])
    )
    label = f"{length:,.0f} {unit}".replace(",", " ")
    return {
        "x0": num(sx),
        "x1": num(ex),
        "y": num(sy),
        "label": _text(
            (sx + ex) / 2, sy - 0.015 * (y1 - y0) * frame.k - 1.7, 7, [label], anchor="middle"
        ),
    }


def _map_legend(
    entries: list[dict], x: float, top: float, label_w: float
) -> tuple[list[dict], float]:
    """Place the legend entries of a static map in a column from (``x``, ``top``); end y."""
    y = top + 2
    out = []
    for entry in entries:
        lines = wrap_text(entry["label"], label_w, 7, max_lines=3)
        item = {**entry, "label": _text(x + 19.6, y + 6.5, 7, lines)}
        if entry["kind"] == "polygons":
            item.update(x=num(x), y=num(y + 1.5), w="14", h="5")
        else:
            item["d"] = f"M{num(x + 7)} {num(y + 4)}h0"
        out.append(item)
        y += 8.4 * len(lines) + 4
    return out, y


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
        with ``facecolor``, ``edgecolor``, ``alpha``, ``linewidth`` and
        optionally ``hatch`` (diagonal lines) and ``linestyle`` (``"--"``).
        Each layer is one path; overlapping polygons of a layer are filled
        as their union, holes are left empty.
    points : sequence of (label, xy array of shape (n, 2), style)
        Points with a style dict: ``s`` (marker area in pt²), ``color``,
        ``marker`` (``"s"`` for squares, else circles), ``edgecolors``,
        ``linewidths``. Each layer is one path; points closer than 0.1 pt
        are drawn once, so even 100,000 firms keep the page small.
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
    title = terminal_text(title)  # control characters cannot go into SVG
    window = None
    if extent is not None:
        # Only what can show is drawn: each layer is cut to a window a little larger than
        # the view, so that a district map does not carry every outline of the atlas and the
        # cut edges fall outside the frame.
        x0, y0, x1, y1 = extent
        grow = 0.2 * max(x1 - x0, y1 - y0, 1.0)
        window = (x0 - grow, y0 - grow, x1 + grow, y1 + grow)
    polys = [(terminal_text(lb), _within(g, window), st) for lb, g, st in polygons]
    dots = [
        (terminal_text(lb), np.asarray(xy, dtype=float).reshape(-1, 2), st) for lb, xy, st in points
    ]
    view = _view(polys, dots, extent)
    width, height = MAP_SIZE
    titles, top = _title_blocks(title, width)
    labels = [lb for lb, g, _ in polys if lb and len(g)]
    labels += [lb for lb, xy, _ in dots if lb and len(xy)]
    label_w = min(max((text_width(lb, 7) for lb in labels), default=0.0), 130.0)
    legend_w = 19.6 + label_w + 6 if labels else 0.0
    frame = Frame.fit(view, _EDGE, top + 2, width - 2 * _EDGE - legend_w, height - top - 2 - _EDGE)
    pid = svg_id(chart_id) + "-"
    layers: list[dict] = []
    entries: list[dict[str, Any]] = []
    hatches: list[dict] = []
    for label, geoms, style in polys:
        d = polygon_path(geoms, frame)
        if not d:
            continue
        paint = _polygon_paint({"linewidth": 1.0, **style})
        hatch = None
        if style.get("hatch"):
            hatch = f"{pid}hatch{len(hatches)}"
            hatches.append({"id": hatch, "colour": paint["stroke"], "step": 4})
        layers.append({"kind": "polygons", "d": d, "paint": paint, "hatch": hatch})
        if label:
            entries.append({"kind": "polygons", "label": label, "paint": paint, "hatch": hatch})
    for label, xy, style in dots:
        paint = _point_paint({"s": 6, **style})
        # snapped to half a dot: at most a quarter of its width off, and never more dots
        # than the frame has places for
        d, n = points_path(xy, frame, margin=paint["radius"], grid=paint["radius"])
        if n:
            layers.append({"kind": "points", "d": d, "paint": paint})
        if label and len(xy):
            entries.append(
                {
                    "kind": "points",
                    "label": label,
                    "paint": _point_paint({"s": 6, **style}, scale=1.5),
                }
            )
    legend, end = _map_legend(entries, frame.left + frame.width + 6, frame.top, label_w)
    # the picture ends below the frame or the legend, whichever is lower
    height = max(frame.top + frame.height, end) + _EDGE
    return render(
        "static_map.svg",
        pid=pid,
        width=num(width),
        height=num(height),
        title=title,
        desc="; ".join(str(e["label"]) for e in entries),
        title_blocks=titles,
        frame={k: num(getattr(frame, k)) for k in ("left", "top", "width", "height")},
        hatches=hatches,
        layers=layers,
        scale=_scale_bar(frame, view, scale_label),
        legend=legend,
    )
