"""Service frequency in the summary, the loader and the command line, on a world built here.

The world: one district, four firms on a line, a stops layer with two stops,
and a GTFS feed with an S-train route (Alfa st. -> Bravo st.) and a bus
(Cirkel -> Delta, every 15 minutes from frequencies.txt). Departures are
counted by hand below; PTAL by hand from TfL's formula.
"""

from __future__ import annotations

import io
import json
import statistics
import zipfile
from contextlib import redirect_stderr, redirect_stdout

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Point, box

import areas
from areas.cli import main
from areas.errors import ConfigError

CRS = "EPSG:25832"
X0, Y0 = 712_000.0, 6_170_000.0  # Glostrup
WEDNESDAY = "2026-09-02"
# stations (x offset from X0, on y = Y0)
A_X, B_X, C_X, D_X = 0.0, 2000.0, 300.0, 3000.0
FIRMS = {"f1": 100.0, "f2": 500.0, "f3": 1000.0, "f4": -400.0}


def _lonlat(dx: float) -> tuple[float, float]:
    lon, lat = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform(X0 + dx, Y0)
    return round(lat, 7), round(lon, 7)


def feed_files(end_date: str = "20261104") -> dict[str, str]:
    (alat, alon), (blat, blon), (clat, clon), (dlat, dlon) = (
        _lonlat(x) for x in (A_X, B_X, C_X, D_X)
    )
    return {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\n"
        "A,Test,http://x,Europe/Copenhagen\n",
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
        f"ALFA,Alfa st.,{alat},{alon},1,\n"
        f"ALFA1,Alfa st. spor 1,{alat},{alon},0,ALFA\n"
        f"BRAVO,Bravo st.,{blat},{blon},0,\n"
        f"CIRKEL,Cirkel,{clat},{clon},0,\n"
        f"DELTA,Delta,{dlat},{dlon},0,\n",
        "routes.txt": "route_id,agency_id,route_short_name,route_type\nS,A,B,109\nBUS,A,9,3\n",
        "trips.txt": "route_id,service_id,trip_id,direction_id\n"
        "S,WK,s1,0\nS,WK,s2,0\nS,WK,s3,0\nS,WK,s4,1\nS,WK,s5,0\nBUS,WK,b,0\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        # Alfa -> Bravo at 07:10, 07:40, 08:10 (3 in the window), 09:10 (after it)
        "s1,07:10:00,07:10:00,ALFA1,1\ns1,07:15:00,07:15:00,BRAVO,2\n"
        "s2,07:40:00,07:40:00,ALFA1,1\ns2,07:45:00,07:45:00,BRAVO,2\n"
        "s3,08:10:00,08:10:00,ALFA1,1\ns3,08:15:00,08:15:00,BRAVO,2\n"
        "s5,09:10:00,09:10:00,ALFA1,1\ns5,09:15:00,09:15:00,BRAVO,2\n"
        # Bravo -> Alfa at 07:20 (1)
        "s4,07:20:00,07:20:00,BRAVO,1\ns4,07:25:00,07:25:00,ALFA1,2\n"
        # bus template Cirkel -> Delta
        "b,06:00:00,06:00:00,CIRKEL,1\nb,06:10:00,06:10:00,DELTA,2\n",
        # every 15 minutes 07:00 up to 09:00: 07:00, 07:15, ..., 08:45 = 8 departures
        "frequencies.txt": "trip_id,start_time,end_time,headway_secs\nb,07:00:00,09:00:00,900\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
        f"start_date,end_date\nWK,1,1,1,1,1,0,0,20260810,{end_date}\n",
    }


# Hand count, 07:00-09:00 (2 hours): Alfa 3 departures, Bravo 1, Cirkel 8; Delta none (last stop).
HAND_DPH = {"ALFA": 3 / 2, "BRAVO": 1 / 2, "CIRKEL": 8 / 2}


def write_feed(folder, files=None):
    path = folder / "gtfs.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in (files or feed_files()).items():
            zf.writestr(name, text)
    return path


def write_world(folder):
    folder.mkdir(parents=True, exist_ok=True)
    gpd.GeoDataFrame(
        {"district_id": ["d1"], "name": ["Testkvarteret"], "municipality": ["Glostrup"],
         "status": ["existing"]},
        geometry=[box(X0 - 1000, Y0 - 200, X0 + 1500, Y0 + 200)], crs=CRS,
    ).to_file(folder / "districts.geojson")  # fmt: skip
    gpd.GeoDataFrame(
        {"stop_id": ["st-alfa", "bus-cirkel"], "name": ["Alfa st.", "Cirkel"],
         "mode": ["s_train", "bus"], "status": ["existing", "existing"]},
        geometry=[Point(X0 + A_X, Y0), Point(X0 + C_X, Y0)], crs=CRS,
    ).to_file(folder / "stops.geojson")  # fmt: skip
    gpd.GeoDataFrame(
        {"company_id": list(FIRMS), "name": [f"Firma {k}" for k in FIRMS],
         "employees": [10, 20, 30, 40], "bid_member": [False] * 4},
        geometry=[Point(X0 + dx, Y0) for dx in FIRMS.values()], crs=CRS,
    ).to_file(folder / "companies.geojson")  # fmt: skip
    return folder


def hand_departures_600m(dx: float) -> float:
    """Sum of the hand-counted departures per hour of the stations within 600 m."""
    where = {"ALFA": A_X, "BRAVO": B_X, "CIRKEL": C_X}
    return sum(HAND_DPH[s] for s, x in where.items() if abs(dx - x) <= 600)


def hand_ptal(dx: float) -> float:
    """PTAL by TfL's formula: EDF = 30 / (walk + 0.5 x 60 / f + margin), best route per mode."""
    ai = 0.0
    # S-train route (rail: 960 m, margin 0.75 min): f = busier direction per hour at the stop
    rail = [30 / (abs(dx - x) / 80 + 0.5 * 60 / f + 0.75)
            for x, f in ((A_X, 3 / 2), (B_X, 1 / 2)) if abs(dx - x) <= 960]  # fmt: skip
    ai += max(rail, default=0.0)  # one route: counts once, at its best stop
    if abs(dx - C_X) <= 640:  # bus (640 m, margin 2 min), 4 an hour
        ai += 30 / (abs(dx - C_X) / 80 + 0.5 * 60 / 4 + 2)
    return ai


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture()
def world(tmp_path):
    folder = write_world(tmp_path / "world")
    feed = write_feed(tmp_path)
    return folder, feed


def test_service_frequency_gives_the_hand_count(world):
    _, feed = world
    result = areas.service_frequency(feed, date=WEDNESDAY, window=("07:00", "09:00"))
    got = result.stations.set_index("station_id")["departures_per_hour"].to_dict()
    assert got == HAND_DPH


def test_cli_summary_has_the_hand_count_medians(world):
    folder, feed = world
    code, out, err = run(
        ["summary", "--layers", str(folder), "--gtfs", str(feed), "--format", "csv",
         "--service-date", WEDNESDAY, "--as-of", WEDNESDAY, "--fallback", "empty"]
    )  # fmt: skip
    assert code == 0, err
    row = pd.read_csv(io.StringIO(out)).set_index("district_id").loc["d1"]
    dph = [hand_departures_600m(dx) for dx in FIRMS.values()]
    assert dph == [5.5, 5.5, 0.0, 1.5]  # the hand count: Alfa + Cirkel, Alfa + Cirkel, none, Alfa
    assert row["departures_per_hour_600m_median"] == pytest.approx(statistics.median(dph))
    ai = [hand_ptal(dx) for dx in FIRMS.values()]
    # stations travel through WGS84 at 7 decimals (about 1 cm): distances agree to a few cm
    assert row["ptal_ai_median"] == pytest.approx(statistics.median(ai), abs=1e-4)
    # f3 has no station in reach: band 0; shares add up to one
    assert row["ptal_0_companies_share"] == pytest.approx(0.25)
    shares = [c for c in row.index if c.startswith("ptal_") and c.endswith("_companies_share")]
    assert row[shares].sum() == pytest.approx(1.0)


def test_gtfs_zip_in_the_folder_and_in_areas_toml(world, tmp_path):
    folder, feed = world
    (folder / "gtfs.zip").write_bytes(feed.read_bytes())
    atlas = areas.load(folder, fallback="empty")
    assert atlas.service is not None and atlas.service_sources["gtfs"]["period"] == [
        "2026-08-10",
        "2026-11-04",
    ]
    s = areas.summarize(atlas, as_of=WEDNESDAY, service_date=WEDNESDAY)
    per_firm = s.service.firms["departures_per_hour_600m"].to_dict()
    assert per_firm == {k: hand_departures_600m(dx) for k, dx in FIRMS.items()}
    assert s.params["service_date"] == WEDNESDAY
    assert s.params["service"]["sources"]["gtfs"]["sha256"] is not None
    (folder / "gtfs.zip").unlink()
    toml = folder / "areas.toml"
    toml.write_text(
        '[layers]\nfallback = "empty"\n[districts]\npath = "districts.geojson"\n'
        '[stops]\npath = "stops.geojson"\n[companies]\npath = "companies.geojson"\n'
        f'[gtfs]\npath = "{feed.as_posix()}"\n',
        encoding="utf-8",
    )
    assert areas.load(toml).service is not None
    toml.write_text('[districts]\npath = "districts.geojson"\n[gtfs]\nfile = "x.zip"\n')
    with pytest.raises(ConfigError, match="valid keys: path"):
        areas.load(toml)


def test_date_outside_the_feed_period_is_refused_naming_it(world, tmp_path):
    folder, _ = world
    (tmp_path / "short").mkdir()
    short = write_feed(tmp_path / "short", feed_files(end_date="20260831"))
    atlas = areas.load(folder, fallback="empty", gtfs=short)
    with pytest.raises(ConfigError, match="2026-08-10 → 2026-08-31"):
        areas.summarize(atlas, as_of=WEDNESDAY, service_date=WEDNESDAY)
    code, out, err = run(
        ["summary", "--layers", str(folder), "--gtfs", str(short), "--format", "csv",
         "--service-date", WEDNESDAY, "--fallback", "empty"]
    )  # fmt: skip
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if line.startswith("areas: error")]
    assert len(lines) == 1 and "2026-08-10 → 2026-08-31" in lines[0]
    assert "Traceback" not in err


def test_bad_window_is_one_line(world):
    folder, feed = world
    code, _, err = run(["summary", "--layers", str(folder), "--gtfs", str(feed),
                        "--service-window", "7-9", "--fallback", "empty"])  # fmt: skip
    assert code == 2 and err.count("\n") == 1 and "--service-window 07:00-09:00" in err


def test_without_service_data_no_columns(world):
    folder, _ = world
    s = areas.summarize(areas.load(folder, fallback="empty"), as_of=WEDNESDAY)
    assert s.service is None
    assert "ptal_ai_median" not in s.table.columns
    assert "service" not in s.params


def test_walk_distance_scales_the_pairs(world):
    folder, feed = world
    atlas = areas.load(folder, fallback="empty", gtfs=feed)
    s = areas.summarize(atlas, as_of=WEDNESDAY, service_date=WEDNESDAY, distance="walk",
                        detour_factor=2.0)  # fmt: skip
    # with walking twice the straight line, f2 (Alfa 500 m -> 1,000 m) keeps only Cirkel
    got = s.service.firms["departures_per_hour_600m"].to_dict()
    assert got == {"f1": 5.5, "f2": 4.0, "f3": 0.0, "f4": 0.0}


def test_compare_gives_the_change_and_params_are_recorded(world):
    folder, feed = world
    atlas = areas.load(folder, fallback="empty", gtfs=feed)
    peak = areas.summarize(atlas, as_of=WEDNESDAY, service_date=WEDNESDAY)
    late = areas.summarize(atlas, as_of=WEDNESDAY, service_date=WEDNESDAY,
                           service_window=("09:00", "10:00"))  # fmt: skip
    diff = areas.compare(peak, late)
    # 09:00-10:00: Alfa 1 (09:10), Cirkel none: f1, f2 1.0; f3 0; f4 1.0 -> median 1.0
    assert diff.loc["d1", "departures_per_hour_600m_median"] == pytest.approx(1.0 - 3.5)
    assert late.params["service_window"] == ("09:00", "10:00")
    blob = json.loads(json.dumps(dict(peak.params), default=str))
    assert blob["service"]["ptal"]["walk_speed_m_per_min"] == 80.0
    assert blob["service"]["feed_period"] == ["2026-08-10", "2026-11-04"]


def test_report_carries_the_service_columns(world, tmp_path):
    folder, feed = world
    atlas = areas.load(folder, fallback="empty", gtfs=feed)
    out = tmp_path / "rapport"
    result = areas.write_report(atlas, out, as_of=WEDNESDAY, service_date=WEDNESDAY, lang="da",
                                progress=False)  # fmt: skip
    firms = pd.read_csv(out / "companies.csv").set_index("company_id")
    expected = {k: hand_departures_600m(dx) for k, dx in FIRMS.items()}
    assert firms["departures_per_hour_600m"].to_dict() == expected
    assert firms.loc["f3", "ptal_band"] == "0" and firms.loc["f1", "ptal_band"] == "1b"
    layer = gpd.read_file(out / "results.gpkg", layer="companies").set_index("company_id")
    assert layer["ptal_ai"].to_dict() == pytest.approx(firms["ptal_ai"].to_dict())
    summary = pd.read_csv(out / "summary.csv").set_index("district_id")
    assert summary.loc["d1", "ptal_ai_median"] == pytest.approx(
        statistics.median(hand_ptal(dx) for dx in FIRMS.values()), abs=1e-4
    )
    prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    service = prov["parameters"]["service"]
    assert service["service_date"] == WEDNESDAY and service["service_window"] == ["07:00", "09:00"]
    assert service["sources"]["gtfs"]["period"] == ["2026-08-10", "2026-11-04"]
    assert service["ptal"]["rail_catchment_m"] == 960.0
    page = next((out / "districts").glob("*.html")).read_text(encoding="utf-8")
    assert "Median afgange i timen inden for 600 m" in page and "PTAL-klasse" in page
    assert "Alfa st." in page and "Cirkel" in page  # the frequency chart's stations
    assert result.summary.service is not None


def test_report_without_service_says_no_frequency_data(world, tmp_path):
    folder, _ = world
    out = tmp_path / "report"
    areas.write_report(areas.load(folder, fallback="empty"), out, as_of=WEDNESDAY,
                       progress=False)  # fmt: skip
    page = next((out / "districts").glob("*.html")).read_text(encoding="utf-8")
    assert "no frequency data" in page
    assert "departures_per_hour_600m" not in pd.read_csv(out / "companies.csv").columns


def test_labels_and_cells_of_the_service_columns():
    from areas.output.i18n import column_label, format_cell

    assert column_label("departures_per_hour_600m", "da") == "Afgange i timen inden for 600 m"
    assert column_label("ptal_1a_employees_share", "en") == "Share of employees in PTAL band 1a"
    assert format_cell(float("nan"), "departures_per_hour_600m_median", "da") == (
        "ingen frekvensdata"
    )
    assert format_cell(None, "ptal_band", "en") == "no frequency data"
    assert [format_cell(c, "dg_regio_access", "da") for c in ("high", "medium", "low", "none")] == [
        "høj",
        "middel",
        "lav",
        "ingen",
    ]
    assert format_cell(0.0, "departures_per_hour_600m", "en") == "0.0"  # a true zero stays 0


def test_map_tooltip_rows_carry_departures_and_band(world, tmp_path):
    from areas.output.maps import MapOptions, overview_map, save_map

    folder, feed = world
    atlas = areas.load(folder, fallback="empty", gtfs=feed)
    summary = areas.summarize(atlas, as_of=WEDNESDAY, service_date=WEDNESDAY)
    path = save_map(overview_map(atlas, summary, options=MapOptions(lang="da")),
                    tmp_path / "map.html")  # fmt: skip
    html = path.read_text(encoding="utf-8")
    assert "Afgange i timen inden for 600 m" in html and "PTAL-klasse" in html
    assert '"5,5","1b"' in html  # f1: departures per hour and band, as the tooltip shows them
    bare = overview_map(areas.load(folder, fallback="empty"), options=MapOptions(as_of=WEDNESDAY))
    plain = save_map(bare, tmp_path / "p.html")
    assert "PTAL band" not in plain.read_text(encoding="utf-8")  # the label, not the script


def test_walking_network_pairs_give_the_hand_count(world):
    from shapely.geometry import LineString

    from areas.analysis.network import build_network
    from areas.analysis.service import firm_service
    from areas.analysis.service_summary import network_pairs

    folder, feed = world
    atlas = areas.load(folder, fallback="empty", gtfs=feed)
    # one street 90 m south of the firms and stations: a walk is 90 + along + 90 metres
    street = gpd.GeoDataFrame(
        geometry=[LineString([(X0 - 2000, Y0 - 90), (X0 + 4000, Y0 - 90)])], crs=CRS
    )
    freq = areas.service_frequency(feed, date=WEDNESDAY)
    pairs = network_pairs(build_network(street), atlas.companies, freq.stations,
                          max_distance_m=960)  # fmt: skip
    where = {"ALFA": A_X, "BRAVO": B_X, "CIRKEL": C_X}
    for row in pairs.itertuples():
        walk = abs(FIRMS[row.company_id] - where[row.stop_id]) + 180
        assert row.distance_m == pytest.approx(walk, abs=0.5)  # stations via WGS84 at 7 decimals
    firms = firm_service(pairs, freq, firm_ids=list(FIRMS))
    dph = firms["departures_per_hour_600m"].to_dict()
    # f1: Alfa 280 m + Cirkel 380 m; f2: Alfa 680 m (too far), Cirkel 380 m; f4: Alfa 580 m
    assert dph == {"f1": 5.5, "f2": 4.0, "f3": 0.0, "f4": 1.5}


def test_cli_service_table_of_a_planned_line(world, tmp_path):
    folder, _ = world
    table = tmp_path / "plan.csv"
    table.write_text(
        "line,mode,stops,termini,headway_min_peak,headway_min_day,status\n"
        "BRT 1,brt,st-alfa;bus-cirkel,st-alfa;bus-cirkel,6,,existing\n",
        encoding="utf-8",
    )
    code, out, err = run(
        ["summary", "--layers", str(folder), "--service-table", str(table), "--format", "csv",
         "--as-of", WEDNESDAY, "--fallback", "empty"]
    )  # fmt: skip
    assert code == 0, err
    row = pd.read_csv(io.StringIO(out)).set_index("district_id").loc["d1"]
    # every 6 minutes = 10 an hour; both stops are termini, so one direction each:
    # f1 and f2 reach both (20), f3 none (0), f4 Alfa only (10): median 15
    assert row["departures_per_hour_600m_median"] == 15.0
    # a window outside the periods the table gives: no frequency data, never 0
    code, out, err = run(
        ["summary", "--layers", str(folder), "--service-table", str(table), "--format", "csv",
         "--as-of", WEDNESDAY, "--fallback", "empty", "--service-window", "10:00-11:00"]
    )  # fmt: skip
    assert code == 0 and "no frequency data for line(s) BRT 1" in err
    row = pd.read_csv(io.StringIO(out)).set_index("district_id").loc["d1"]
    assert pd.isna(row["departures_per_hour_600m_median"])
