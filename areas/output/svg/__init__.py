"""SVG written directly: the building blocks of the report's static maps and bar charts.

The report draws one static map, one Fingerplan map and one bar chart per
district. They are written here as SVG text from a few templates
(``templates/*.svg``) and numbers computed with numpy and shapely, without a
plotting library's layout engine, so that a report of many districts is fast:

- polygons become one ``<path>`` per layer, each ring oriented (exteriors one
  way, holes the other) and filled with the non-zero rule, so a hole is empty
  and two overlapping polygons of a layer (the zones of two stations) are both
  filled, as their union;
- points become one ``<path>`` of zero-length segments with round (circles)
  or square caps, snapped to a grid of half the dot's width with duplicates
  dropped, so 100,000 firms cost no more than the places they cover;
- coordinates are in points (1/72 inch) rounded to 0.1 pt, consecutive
  repeats after rounding dropped;
- texts are measured with the advance widths of DejaVu Sans
  (``dejavu_widths.json``, written by ``scripts/font_widths.py``) to wrap long
  names and place legends.

The output is deterministic: the same data gives the same bytes.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

__all__ = [
    "Frame",
    "dash_array",
    "points_path",
    "polygon_path",
    "render",
    "svg_id",
    "text_width",
    "wrap_text",
    "nice_ticks",
    "num",
    "colour",
]

#: Width (em) of a character outside the measured range: conservative (CJK is 1 em).
_WIDE = 1.0


@functools.cache
def _widths() -> tuple[int, np.ndarray, np.ndarray]:
    data = json.loads(
        resources.files("areas.output.svg").joinpath("dejavu_widths.json").read_text("utf-8")
    )
    return (
        int(data["first"]),
        np.asarray(data["regular"], dtype=float) / 1000.0,
        np.asarray(data["bold"], dtype=float) / 1000.0,
    )


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Return the width (pt) of ``text`` set in DejaVu Sans at ``size`` pt.

    Examples
    --------
    >>> round(text_width("Avedøre Holme", 10), 1)
    77.1
    >>> text_width("", 10)
    0.0
    """
    first, regular, heavy = _widths()
    table = heavy if bold else regular
    total = 0.0
    for ch in text:
        i = ord(ch) - first
        total += table[i] if 0 <= i < len(table) else _WIDE
    return float(total * size)


def wrap_text(
    text: str, width: float, size: float, *, bold: bool = False, max_lines: int = 3
) -> list[str]:
    """Return ``text`` broken at spaces into lines of at most ``width`` pt.

    A word longer than a line is cut between characters. When the text needs
    more than ``max_lines`` lines, the last line ends with "…".

    Examples
    --------
    >>> wrap_text("Lokalplan 123 for erhvervsområdet ved Gungevej", 80, 7)
    ['Lokalplan 123 for', 'erhvervsområdet ved', 'Gungevej']
    >>> wrap_text("Kort", 80, 7)
    ['Kort']
    """
    words = text.split(" ")
    lines: list[str] = []
    line = ""
    for word in words:
        trial = f"{line} {word}" if line else word
        if text_width(trial, size, bold=bold) <= width or not trial.strip():
            line = trial
            continue
        if line:
            lines.append(line)
        while text_width(word, size, bold=bold) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and text_width(word[:cut], size, bold=bold) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_width(last + "…", size, bold=bold) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines


def svg_id(prefix: str) -> str:
    """Return ``prefix`` made safe as the start of an SVG id.

    Examples
    --------
    >>> svg_id("map-Ærø 1")
    'map--r--1'
    """
    return re.sub(r"[^A-Za-z0-9_-]", "-", prefix)


def _fmt(values: np.ndarray) -> list[str]:
    """Numbers rounded to 0.1 as short text: ``12.0`` -> ``"12"``, ``-0.0`` -> ``"0"``."""
    tenths = np.rint(np.asarray(values, dtype=float) * 10).astype(np.int64)
    whole, frac = np.divmod(np.abs(tenths), 10)
    return [
        f"{'-' if n else ''}{w}.{f}" if f else f"{'-' if n else ''}{w}"
        for w, f, n in zip(whole.tolist(), frac.tolist(), (tenths < 0).tolist(), strict=True)
    ]


def num(value: float) -> str:
    """Return one number as :func:`_fmt` writes it.

    Examples
    --------
    >>> num(3.14159), num(2.0), num(-0.04)
    ('3.1', '2', '0')
    """
    tenths = round(float(value) * 10)  # half to even, as numpy's rint in _fmt
    whole, frac = divmod(abs(tenths), 10)
    sign = "-" if tenths < 0 else ""
    return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"


@dataclass(frozen=True)
class Frame:
    """Map units (metres, y up) to SVG points (y down): ``x_svg = left + (x - x0) * k``.

    Attributes
    ----------
    x0, y1 : float
        The map coordinates of the frame's top-left corner.
    k : float
        Points per map unit.
    left, top : float
        The frame's top-left corner in the SVG.
    width, height : float
        The frame's size in points.
    """

    x0: float
    y1: float
    k: float
    left: float
    top: float
    width: float
    height: float

    @classmethod
    def fit(
        cls,
        view: tuple[float, float, float, float],
        left: float,
        top: float,
        width: float,
        height: float,
    ) -> Frame:
        """Return the frame showing ``view`` (xmin, ymin, xmax, ymax) at one scale, top-left."""
        x0, y0, x1, y1 = view
        dx, dy = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
        k = min(width / dx, height / dy)
        return cls(x0, y1, k, left, top, dx * k, dy * k)

    def to_svg(self, xy: np.ndarray) -> np.ndarray:
        """Return the SVG positions (n, 2) of map coordinates ``xy`` (n, 2)."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        return np.column_stack(
            [self.left + (xy[:, 0] - self.x0) * self.k, self.top + (self.y1 - xy[:, 1]) * self.k]
        )


def polygon_path(geoms: Sequence | np.ndarray, frame: Frame) -> str:
    """Return the ``d`` of one path drawing all (multi)polygons of ``geoms``.

    Exterior rings are oriented one way and holes the other, so the path is
    meant for ``fill-rule="nonzero"``: holes stay empty, overlapping polygons
    are filled as their union. Rings that shrink below three distinct points
    at 0.1 pt are left out (they are smaller than a tenth of a point).
    """
    import shapely

    geoms = np.asarray(list(geoms) if not isinstance(geoms, np.ndarray) else geoms, dtype=object)
    if len(geoms) == 0:
        return ""
    parts = shapely.get_parts(geoms[~shapely.is_missing(geoms)])
    while np.isin(shapely.get_type_id(parts), (4, 5, 6, 7)).any():  # collections of collections
        parts = shapely.get_parts(parts)
    parts = parts[(shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)]
    if len(parts) == 0:
        return ""
    parts = shapely.orient_polygons(parts, exterior_cw=False)
    rings = shapely.get_rings(parts)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    xy = np.rint(frame.to_svg(coords) * 10) / 10
    # the closing vertex repeats the first: Z closes the ring
    last = np.r_[ring[1:] != ring[:-1], True]
    keep = ~last
    same = np.r_[False, (xy[1:] == xy[:-1]).all(axis=1) & (ring[1:] == ring[:-1])]
    keep &= ~same
    xy, ring = xy[keep], ring[keep]
    if len(ring) == 0:
        return ""
    starts = np.r_[0, np.flatnonzero(ring[1:] != ring[:-1]) + 1]
    ends = np.r_[starts[1:], len(ring)]
    pairs = [f"{x} {y}" for x, y in zip(_fmt(xy[:, 0]), _fmt(xy[:, 1]), strict=True)]
    out = []
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        if e - s < 3:
            continue
        out.append(f"M{pairs[s]}L{' '.join(pairs[s + 1 : e])}Z")
    return "".join(out)


def points_path(
    xy: np.ndarray, frame: Frame, margin: float = 0.0, grid: float = 0.1
) -> tuple[str, int]:
    """Return the ``d`` of one path of zero-length segments, one per point, and their number.

    Drawn with ``stroke-linecap`` round (or square) and a stroke as wide as the
    marker, each segment is a dot. Points are snapped to a grid of ``grid`` pt
    (at least 0.1 pt); points on the same grid node are drawn once, so a
    layer never has more dots than its frame has grid nodes; points more than
    ``margin`` pt outside the frame are left out.
    """
    grid = max(float(grid), 0.1)
    pos = frame.to_svg(xy)
    if len(pos) == 0:
        return "", 0
    pos = np.rint(pos / grid) * grid
    inside = (
        (pos[:, 0] >= frame.left - margin)
        & (pos[:, 0] <= frame.left + frame.width + margin)
        & (pos[:, 1] >= frame.top - margin)
        & (pos[:, 1] <= frame.top + frame.height + margin)
        & np.isfinite(pos).all(axis=1)
    )
    pos = np.unique(np.rint(pos[inside] * 10) / 10, axis=0)
    if len(pos) == 0:
        return "", 0
    text = [f"M{x} {y}h0" for x, y in zip(_fmt(pos[:, 0]), _fmt(pos[:, 1]), strict=True)]
    return "".join(text), len(pos)


#: Dash patterns (in line widths) of matplotlib's named line styles.
_DASHES = {
    "--": (3.7, 1.6),
    "dashed": (3.7, 1.6),
    ":": (1.0, 1.65),
    "dotted": (1.0, 1.65),
    "-.": (6.4, 1.6, 1.0, 1.6),
    "dashdot": (6.4, 1.6, 1.0, 1.6),
}


def dash_array(linestyle: Any, linewidth: float) -> str | None:
    """Return the ``stroke-dasharray`` of a matplotlib-style line style (scaled by the width).

    Examples
    --------
    >>> dash_array("--", 1.2)
    '4.4 1.9'
    >>> dash_array("-", 1.0) is None
    True
    """
    pattern = _DASHES.get(linestyle) if isinstance(linestyle, str) else None
    if pattern is None:
        return None
    scale = max(float(linewidth), 1e-9)
    return " ".join(num(p * scale) for p in pattern)


def colour(value: Any) -> str:
    """Return a colour for SVG: ``"none"`` for none, else the colour as given.

    Examples
    --------
    >>> colour(None), colour("none"), colour("#1b6ca8")
    ('none', 'none', '#1b6ca8')
    """
    if value is None or (isinstance(value, str) and value.lower() == "none"):
        return "none"
    return str(value)


@functools.cache
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("areas.output.svg", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,
    )


def render(template: str, **context: Any) -> str:
    """Return the template ``templates/<template>`` rendered, whitespace between tags removed."""
    text = _environment().get_template(template).render(**context)
    return re.sub(r">\s+<", "><", text.strip())


def nice_ticks(top: float, *, bottom: float = 0.0, n: int = 5) -> list[float]:
    """Return round tick values from at most ``min(bottom, 0)`` to at least ``max(top, 0)``.

    About ``n`` steps of 1, 2, 2.5 or 5 times a power of ten.

    Examples
    --------
    >>> nice_ticks(2.0)
    [0.0, 0.5, 1.0, 1.5, 2.0]
    >>> nice_ticks(14.7)
    [0.0, 5.0, 10.0, 15.0]
    >>> nice_ticks(0.0)
    [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    >>> nice_ticks(3.0, bottom=-1.0)
    [-1.0, 0.0, 1.0, 2.0, 3.0]
    """
    lo = min(bottom, 0.0) if math.isfinite(bottom) else 0.0
    hi = max(top, 0.0) if math.isfinite(top) else 0.0
    if hi - lo <= 0:
        hi = lo + 1.0
    raw = (hi - lo) / n
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    first = math.floor(lo / step + 1e-9)
    last = math.ceil(hi / step - 1e-9)
    return [round(i * step, 10) + 0.0 for i in range(first, last + 1)]
