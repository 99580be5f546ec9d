"""The report's static maps and bar charts, written directly as SVG.

Each drawing is read back and compared against a slow, obviously correct
reference: a polygon path is parsed and its non-zero winding number tested
at sample points against shapely's union of the polygons; a point path is
compared with the set of positions computed one point at a time; the bars'
heights are read off against the axis and compared with the values; text
widths are compared with matplotlib's own measurement of DejaVu Sans.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import areas
from areas.output import svg
from areas.output.charts import PALETTE, bar_chart, static_map

_NUMBER = r"-?\d+(?:\.\d+)?"


def _rings(d: str) -> list[np.ndarray]:
    """Parse a path of ``M x y L x y x y ... Z`` rings back into coordinate arrays."""
    rings = []
    for part in re.findall(r"M([^Z]*)Z", d):
        nums = [float(v) for v in re.findall(_NUMBER, part)]
        rings.append(np.asarray(nums, dtype=float).reshape(-1, 2))
    assert "".join(f"M{p}Z" for p in re.findall(r"M([^Z]*)Z", d)) == d  # nothing else in d
    return rings


def _winding(rings: list[np.ndarray], pts: np.ndarray) -> np.ndarray:
    """Winding number of each point about the closed rings (the non-zero fill rule)."""
    w = np.zeros(len(pts), dtype=int)
    px, py = pts[:, 0][:, None], pts[:, 1][:, None]
    for ring in rings:
        a = ring
        b = np.roll(ring, -1, axis=0)
        ax, ay, bx, by = a[:, 0][None], a[:, 1][None], b[:, 0][None], b[:, 1][None]
        cross = (bx - ax) * (py - ay) - (px - ax) * (by - ay)
        up = (ay <= py) & (by > py) & (cross > 0)
        down = (ay > py) & (by <= py) & (cross < 0)
        w += up.sum(axis=1) - down.sum(axis=1)
    return w


def _frame(view=(0.0, 0.0, 1000.0, 1000.0)) -> svg.Frame:
    return svg.Frame.fit(view, 4.0, 20.0, 300.0, 300.0)


def _to_svg_geoms(geoms, frame: svg.Frame):
    """Return the geometries in the SVG's coordinates, written out (y down from the top)."""

    def move(xy):
        return np.column_stack(
            [
                frame.left + (xy[:, 0] - frame.x0) * frame.k,
                frame.top + (frame.y1 - xy[:, 1]) * frame.k,
            ]
        )

    return [shapely.transform(g, move) for g in geoms]


polygons = st.builds(
    lambda x, y, r, hole: (
        shapely.Point(x, y)
        .buffer(r, quad_segs=6)
        .difference(shapely.Point(x + r * 0.2, y).buffer(r * 0.4, quad_segs=4))
        if hole
        else shapely.box(x - r, y - r * 0.6, x + r, y + r * 0.6)
    ),
    st.floats(100, 900),
    st.floats(100, 900),
    st.floats(20, 250),
    st.booleans(),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(polygons, min_size=1, max_size=6), st.booleans())
def test_polygon_path_paints_the_union_of_the_polygons(geoms, multi):
    """Holes stay empty, overlaps stay filled: the non-zero fill is the union."""
    if multi:
        geoms = [shapely.MultiPolygon([g for g in geoms if g.geom_type == "Polygon"])] + [
            g for g in geoms if g.geom_type != "Polygon"
        ]
    frame = _frame()
    d = svg.polygon_path(geoms, frame)
    rings = _rings(d)
    union = shapely.union_all(_to_svg_geoms(geoms, frame))
    grid = np.stack(np.meshgrid(np.linspace(4, 304, 61), np.linspace(20, 320, 61)), -1)
    pts = grid.reshape(-1, 2)
    # points within rounding distance (0.1 pt) of an edge may go either way
    clear = shapely.distance(union.boundary, shapely.points(pts)) > 0.2
    painted = _winding(rings, pts[clear]) != 0
    inside = shapely.contains_xy(union, pts[clear][:, 0], pts[clear][:, 1])
    assert (painted == inside).all()


def test_polygon_path_keeps_the_area_of_real_districts(reference_data):
    """The 170 Hvidovre local plans: every plan drawn, with its area (to the rounding)."""
    import geopandas as gpd

    plans = gpd.read_file(reference_data / "hvidovre_lokalplaner.geojson").to_crs(25832)
    geoms = np.asarray(plans.geometry.values, dtype=object)
    frame = svg.Frame.fit(tuple(plans.total_bounds), 4.0, 20.0, 400.0, 300.0)
    for geom in geoms[:40]:
        d = svg.polygon_path([geom], frame)
        rings = _rings(d)
        signed = sum(
            0.5 * float(np.sum(r[:, 0] * np.roll(r[:, 1], -1) - np.roll(r[:, 0], -1) * r[:, 1]))
            for r in rings
        )
        expected = geom.area * frame.k**2
        # all rings turn one way (exteriors) or the other (holes): |sum| is the area
        assert abs(signed) == pytest.approx(expected, rel=0.02, abs=0.5)
    whole = svg.polygon_path(geoms, frame)
    n_rings = int(sum(1 + len(p.interiors) for g in geoms for p in getattr(g, "geoms", [g])))
    assert whole.count("M") <= n_rings
    assert whole.count("M") >= len(geoms)  # every plan at least its outline


def test_points_path_draws_each_position_once():
    rng = np.random.default_rng(3)
    xy = np.r_[rng.uniform(-100, 1100, (3000, 2)), [[500.0, 500.0]] * 5]
    frame = _frame()
    d, n = svg.points_path(xy, frame, margin=1.0)
    drawn = {tuple(float(v) for v in m) for m in re.findall(rf"M({_NUMBER}) ({_NUMBER})h0", d)}
    assert len(drawn) == n == d.count("h0")
    expected = set()
    for x, y in xy:  # the slow way: one point at a time
        sx = round(4.0 + (x - 0.0) * frame.k, 1)
        sy = round(20.0 + (1000.0 - y) * frame.k, 1)
        if 3.0 <= sx <= 305.0 and 19.0 <= sy <= 321.0:
            expected.add((sx, sy))
    assert drawn == expected


def test_many_points_keep_the_map_small_without_a_raster():
    """Dots are snapped to half their width: never more dots than the frame has places for."""
    square = [shapely.box(0, 0, 1000, 1000)]
    rng = np.random.default_rng(0)
    sizes = {}
    for n in (5_000, 200_000):
        out = static_map(
            title="m",
            polygons=[("d", square, {"facecolor": "none"})],
            points=[("f", rng.uniform(0, 1000, (n, 2)), {"s": 1})],
            chart_id="m2",
        )
        assert "data:image" not in out
        dots = re.search(r'<path d="(M[^"]*h0)" fill="none" stroke="#444444"', out).group(1)
        sizes[n] = (dots.count("h0"), len(out))
    frame = re.search(
        r'<clipPath[^>]*><rect x="[^"]*" y="[^"]*" width="([^"]*)" '
        r'height="([^"]*)"',
        out,
    )
    places = (float(frame.group(1)) / 0.5 + 3) * (float(frame.group(2)) / 0.5 + 3)
    assert sizes[5_000][0] == pytest.approx(5_000, rel=0.02)  # sparse: (almost) every firm
    assert sizes[200_000][0] <= places
    assert sizes[5_000][1] < 100_000 and sizes[200_000][1] < 15 * places


def _bars(svg_text: str) -> list[tuple[str, float, float]]:
    return [
        (fill, float(y), float(h))
        for y, h, fill in re.findall(
            rf'<rect x="{_NUMBER}" y="({_NUMBER})" width="{_NUMBER}" height="({_NUMBER})"'
            r' fill="(#[0-9a-f]{6})"/>',
            svg_text,
        )
    ]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(0, 1) | st.just(float("nan")), min_size=8, max_size=8),
    st.sampled_from(["da", "en"]),
)
def test_bar_heights_are_the_values(heights, lang):
    cats = ["400 m", "600 m", "800 m", "1.200 m"]
    groups = {"skinner": heights[:4], "bus": heights[4:]}
    out = bar_chart(cats, groups, title="Andel", ylabel="Andel", lang=lang, percent=True)
    # the axis: the 0 % and 100 % grid lines
    grid = [float(y) for y in re.findall(rf'<path d="M{_NUMBER} ({_NUMBER})H', out)]
    zero, full = max(grid), min(grid)
    # the bars: the rectangles in the plot (the legend's squares lie above it)
    bars = [b for b in _bars(out) if b[0] in PALETTE[:2] and b[1] >= full - 0.11]
    assert len(_bars(out)) == len(bars) + 2
    drawn = {c: [] for c in PALETTE[:2]}
    for fill, y, h in bars:
        assert y + h == pytest.approx(zero, abs=0.11)
        drawn[fill].append(h / (zero - full))
    for colour, values in zip(PALETTE[:2], (heights[:4], heights[4:]), strict=True):
        want = [v for v in values if np.isfinite(v) and round(v * (zero - full), 1) > 0]
        assert drawn[colour] == pytest.approx(want, abs=0.1 / (zero - full) + 1e-9)
    # every value is in the description, as the page's table writes it
    desc = re.search(r"<desc>(.*?)</desc>", out).group(1)
    for v in heights:
        text = "–" if not np.isfinite(v) else areas.output.i18n.format_share(v, lang, decimals=1)
        assert html.escape(text) in desc


def test_bar_chart_axis_of_plain_numbers():
    out = bar_chart(["a", "b"], {"x": [3.0, 14.7]}, title="T", lang="da")
    ticks = re.findall(r'text-anchor="end">([^<]*)<', out)
    assert ticks == ["0", "5", "10", "15"]
    neg = bar_chart(["a", "b"], {"x": [-2.0, 3.0]}, title="T")
    assert re.findall(r'text-anchor="end">([^<]*)<', neg)[0].startswith("-")


def test_static_map_structure_is_accessible_and_every_layer_is_listed():
    atlas = areas.load()
    geoms = list(atlas.districts.geometry)
    out = static_map(
        title="Oversigt <b>",
        polygons=[
            ("Erhvervsområder", geoms, {"facecolor": "#dbe8f3", "edgecolor": "#1b6ca8"}),
            ("BID'er", geoms[:2], {"facecolor": "none", "edgecolor": "#e69f00", "hatch": "///"}),
            ("", geoms[2:3], {"facecolor": "#f0f0f0"}),
        ],
        points=[("Virksomheder", np.array([[716000.0, 6175000.0]]), {"s": 9})],
        chart_id="ov map",
    )
    assert out.startswith('<svg class="chart" role="img" aria-label="Oversigt &lt;b&gt;"')
    assert "<title>Oversigt &lt;b&gt;</title>" in out
    assert re.search(r"<desc>Erhvervsområder; BID&#39;er; Virksomheder</desc>", out)
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", out)
    assert {"Erhvervsområder", "BID&#39;er", "Virksomheder"} <= set(texts)
    ids = re.findall(r'\bid="([^"]+)"', out)
    assert ids and all(i.startswith("ov-map-") for i in ids) and len(ids) == len(set(ids))
    for ref in re.findall(r'(?:href="#|url\(#)([^")]+)', out):
        assert ref in ids
    # the districts' layer draws every district's outline
    layer = re.search(r'<path d="([^"]+)" fill-rule="nonzero" fill="#dbe8f3"', out).group(1)
    assert layer.count("M") >= len(geoms)
    assert "http" not in out and "<?xml" not in out


@pytest.mark.parametrize("bold", [False, True])
def test_text_widths_match_matplotlibs_measure(bold):
    """The width table against matplotlib's own layout of DejaVu Sans (the slow reference)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    measure = TextToPath()
    prop = FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal", size=10)
    for text in ["Avedøre Holme", "Lokalplan 123 [udkast]", "Ærø ÅØ æøå", "1.200 m", "WiWi"]:
        width, _, _ = measure.get_text_width_height_descent(text, prop, ismath=False)
        assert svg.text_width(text, 10, bold=bold) == pytest.approx(width, rel=0.03), text


@settings(max_examples=60, deadline=None)
@given(
    st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=80),
    st.floats(20, 200),
)
def test_wrapped_lines_fit_and_keep_the_text(text, width):
    lines = svg.wrap_text(text, width, 7, max_lines=50)
    for line in lines:
        assert svg.text_width(line, 7) <= width + 1e-9 or len(line) == 1
    if not lines[-1].endswith("…"):
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
