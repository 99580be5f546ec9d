"""Danish and English labels and number formats shared by the maps, reports and CLI.

One dictionary holds every user-facing word: layer names, legend entries,
status, mode and distance-band names, the labels of table columns and the
report's headings and notes (``report.<key>``). :func:`t` looks a key up in a
language; :func:`column_label` names a column (including the threshold
columns such as ``rail_600m_companies_share`` and the distance-band counts
such as ``rail_core_companies``); the ``format_*`` functions write numbers,
shares, dates and whole table cells the way each language writes them, with
"–" for a missing value.

Examples
--------
>>> t("layer.districts", "da")
'Erhvervsområder'
>>> t("layer.catchment", "en", distance_m=600)
'Within 600 m of a rail stop'
>>> column_label("rail_600m_companies_share", "da")
'Andel af virksomhederne højst 600 m fra en station'
>>> format_number(1234.5, "da", decimals=1)
'1.234,5'
>>> format_share(0.4234, "en")
'42%'
>>> format_value(float("nan"), "en")
'–'
>>> format_cell(0.1234, "bid_area_share", "da")
'12,3 %'
"""

from __future__ import annotations

import datetime as dt
import decimal
import difflib
import functools
import math
from typing import Any

import numpy as np
import pandas as pd

import areas.columns as _columns
from areas.constants import LANGUAGES
from areas.errors import ConfigError

__all__ = [
    "LANGS",
    "MISSING",
    "check_lang",
    "t",
    "labels",
    "column_label",
    "status_label",
    "mode_label",
    "band_label",
    "value_label",
    "VALUE_COLUMNS",
    "is_missing",
    "format_number",
    "format_share",
    "format_date",
    "format_value",
    "format_cell",
]

#: Languages every label exists in (:data:`areas.constants.LANGUAGES`; this name is
#: kept for one release).
LANGS = LANGUAGES
#: How a missing value is written.
MISSING = "–"

# key -> (English, Danish). Values may hold ``str.format`` fields.
_LABELS: dict[str, tuple[str, str]] = {
    # generic words
    "yes": ("yes", "ja"),
    "no": ("no", "nej"),
    "missing": (MISSING, MISSING),
    # a share or median that cannot be computed (no firms, or no stops of a group)
    "no_data": ("no data", "ingen data"),
    "as_of": ("As of {date}", "Pr. {date}"),
    "legend": ("Legend", "Signatur"),
    "title.overview": ("Business districts", "Erhvervsområder"),
    "title.district": ("{name}", "{name}"),
    "unit.ha": ("ha", "ha"),
    "unit.m": ("m", "m"),
    # command line
    "cli.map_written": ("Map written to {path}", "Kortet er gemt i {path}"),
    "cli.summary_title": (
        "areas summary — as of {as_of}, included: {included}, distances: {distance}",
        "areas-oversigt — pr. {as_of}, stationer med status: {included}, afstande: {distance}",
    ),
    # layer kinds
    "kind.districts": ("districts", "erhvervsområder"),
    "kind.bids": ("BIDs", "BID'er"),
    "kind.rewilding": ("rewilding plots", "arealer med vild natur"),
    "kind.stops": ("stops", "stoppesteder"),
    "kind.companies": ("firms", "virksomheder"),
    "kind.network": ("walking network", "gangnet"),
    # map controls (Leaflet's own titles are English)
    "map.zoom_in": ("Zoom in", "Zoom ind"),
    "map.zoom_out": ("Zoom out", "Zoom ud"),
    # distance methods (the ``distance_basis`` column)
    "distance.straight": ("straight line", "luftlinje"),
    "distance.walk": ("walking distance (estimated)", "gangafstand (anslået)"),
    "distance.network": ("walking network", "stinet"),
    # sectors of the bundled firms
    "sector.business services": ("business services", "erhvervsservice"),
    "sector.construction": ("construction", "bygge og anlæg"),
    "sector.energy and utilities": ("energy and utilities", "energi og forsyning"),
    "sector.health": ("health", "sundhed"),
    "sector.hospitality": ("hospitality", "hotel og restauration"),
    "sector.manufacturing": ("manufacturing", "industri"),
    "sector.motor trade and repair": ("motor trade and repair", "autohandel og -værksteder"),
    "sector.personal services": ("personal services", "personlige serviceydelser"),
    "sector.public administration": ("public administration", "offentlig administration"),
    "sector.retail": ("retail", "detailhandel"),
    "sector.transport and logistics": ("transport and logistics", "transport og logistik"),
    "sector.waste and recycling": ("waste and recycling", "affald og genanvendelse"),
    "sector.wholesale": ("wholesale", "engroshandel"),
    # habitats of the bundled rewilding plots
    "habitat.fallow grassland": ("fallow grassland", "brakmark med græs"),
    "habitat.sown verge": ("sown verge", "tilsået rabat"),
    "habitat.tree and shrub planting": ("tree and shrub planting", "træ- og buskplantning"),
    "habitat.wild meadow (survey plot)": (
        "wild meadow (survey plot)",
        "vild eng (undersøgelsesfelt)",
    ),
    "habitat.wildflower meadow": ("wildflower meadow", "blomstereng"),
    # layers
    "layer.districts": ("Business districts", "Erhvervsområder"),
    "layer.bids": ("Active BIDs", "Aktive BID'er"),
    "layer.rewilding": ("Rewilded plots", "Arealer med vild natur"),
    "layer.stops": ("Stations and stops", "Stationer og stoppesteder"),
    "layer.catchment": (
        "Within {distance_m} m of a rail stop",
        "Inden for {distance_m} m af station",
    ),
    "layer.zone": (
        "Within {distance_m} m walking of a Fingerplan station",
        "Inden for {distance_m} m gang fra en Fingerplan-station",
    ),
    "layer.companies": ("Firms", "Virksomheder"),
    "layer.station_zones": (
        "Walking zones of the Fingerplan stations",
        "Gangzoner om Fingerplan-stationer",
    ),
    "layer.station_circles": (
        "Circles around the Fingerplan stations (straight line)",
        "Cirkler om Fingerplan-stationer (luftlinje)",
    ),
    "layer.company_grid": ("Firms per {cell_m} m cell", "Virksomheder pr. {cell_m} m-felt"),
    "layer.basemap": ("Basemap", "Baggrundskort"),
    # legend notes
    "legend.points_from_zoom": (
        "Firms are drawn as points from zoom level {zoom}; below it as counts per cell.",
        "Virksomheder vises som punkter fra zoomniveau {zoom}; derunder som antal pr. felt.",
    ),
    "legend.catchment_note": (
        "Straight-line distance from rail stops in service",
        "Afstand i luftlinje fra stationer i drift",
    ),
    "legend.catchment_note_network": (
        "Walking distance along paths from Fingerplan stations in service "
        "(straight walk to the nearest path, at most 300 m)",
        "Gangafstand ad stier og veje fra Fingerplan-stationer i drift "
        "(lige linje til nærmeste sti, højst 300 m)",
    ),
    "legend.catchment_note_walk": (
        "Walking distance estimated as straight line × {factor}",
        "Gangafstand anslået som luftlinje × {factor}",
    ),
    "legend.stop_status": ("Stop status", "Status for stoppested"),
    "legend.stop_mode": ("Mode", "Trafikform"),
    "legend.companies_rail_band": (
        "Firms by distance to rail",
        "Virksomheder efter afstand til station",
    ),
    "legend.companies_bid": ("Firms by BID membership", "Virksomheder efter BID-medlemskab"),
    "legend.illustrative": ("Outline illustrative", "Afgrænsning vejledende"),
    # statuses (plans, districts and stops)
    "status.existing": ("existing", "eksisterende"),
    "status.planned": ("planned", "planlagt"),
    "status.study": ("under study", "under udredning"),
    "status.withdrawn": ("withdrawn", "opgivet"),
    "status.in_service": ("in service", "i drift"),
    "status.focus": ("selected district", "valgt område"),
    # modes
    "mode.light_rail": ("light rail", "letbane"),
    "mode.metro": ("metro", "metro"),
    "mode.s_train": ("S-train", "S-tog"),
    "mode.regional_rail": ("regional rail", "regionaltog"),
    "mode.bus": ("bus", "bus"),
    "mode.brt": ("BRT (high-class bus)", "BRT (højklassebus)"),
    # mode groups
    "group.rail": ("rail", "skinnebåren trafik"),
    "group.bus": ("bus", "bus"),
    "group.any": ("any stop", "alle stoppesteder"),
    # Fingerplan distance bands to rail
    "band.core": ("≤ 600 m (station core area)", "≤ 600 m (stationsnært kerneområde)"),
    "band.station_near": ("600–1,200 m (station-near area)", "600–1.200 m (stationsnært område)"),
    "band.beyond": ("> 1,200 m", "> 1.200 m"),
    "band.unknown": ("no rail distance", "ingen afstand til station"),
    # service frequency
    "no_frequency_data": ("no frequency data", "ingen frekvensdata"),
    "access.high": ("high", "høj"),
    "access.medium": ("medium", "middel"),
    "access.low": ("low", "lav"),
    "access.none": ("none", "ingen"),
    # BID membership of a firm
    "bid.member": ("in a BID, member", "i BID, medlem"),
    "bid.in_bid": ("in a BID, not a member", "i BID, ikke medlem"),
    "bid.outside": ("outside active BIDs", "uden for aktive BID'er"),
    "bid.unknown": ("BID unknown", "BID ukendt"),
    # (the labels of table columns are in areas.columns)
    # report pages, tables and progress (the report looks them up as ``report.<key>``)
    "report.report_kicker": ("Business-district report", "Rapport om erhvervsområder"),
    "report.index_title": ("Business districts", "Erhvervsområder"),
    "report.meta_line": (
        "As of {as_of} · stops counted: {statuses} · distances: {distance}",
        "Pr. {as_of} · stationer med status: {statuses} · afstande: {distance}",
    ),
    "report.overview_map": ("Overview map", "Oversigtskort"),
    "report.summary": ("Summary by district", "Oversigt pr. erhvervsområde"),
    "report.district_pages": ("District pages", "Sider for de enkelte områder"),
    "report.downloads": ("Downloads", "Filer til download"),
    "report.key_figures": ("Key figures", "Nøgletal"),
    "report.map": ("Map", "Kort"),
    "report.bid_coverage": (
        "Business Improvement Districts (BID)",
        "Business Improvement Districts (BID)",
    ),
    "report.rewilding": ("Rewilding", "Vild natur"),
    "report.transit": ("Transit accessibility", "Adgang til kollektiv trafik"),
    "report.provenance": ("Data and assumptions", "Data og forudsætninger"),
    "report.toolkit_version": ("Toolkit", "Værktøj"),
    "report.generated_at": ("Generated", "Dannet"),
    "report.run_time": ("Run time", "Kørselstid"),
    "report.as_of": ("As of", "Opgjort pr."),
    "report.compare_as_of": ("Compared with", "Sammenlignet med"),
    "report.statuses_counted": ("Stop statuses counted", "Stoppesteder med status"),
    "report.thresholds": ("Distance thresholds", "Afstandsgrænser"),
    "report.distance_method": ("Distance method", "Afstandsmål"),
    "report.crs": ("Coordinate system", "Koordinatsystem"),
    "report.no_exclusions": (
        "No features were excluded from the input.",
        "Ingen objekter er udeladt fra data.",
    ),
    "report.no_repairs": ("No features were repaired.", "Ingen objekter er repareret."),
    "report.provenance_file_note": (
        "The full record, with the files' SHA-256 checksums, is in",
        "Den fulde beskrivelse med filernes SHA-256-kontrolsummer findes i",
    ),
    "report.footer": ("Written by", "Dannet med"),
    "report.navigation": ("Navigation", "Navigation"),
    "report.back_to_index": ("← All districts", "← Alle erhvervsområder"),
    "report.open_map": ("Open the map on its own page", "Åbn kortet på sin egen side"),
    "report.map_print_note": (
        "Static map for print; the interactive map is on the web page.",
        "Statisk kort til udskrift; det interaktive kort findes på websiden.",
    ),
    "report.map_missing_note": (
        "Static map (the interactive map could not be written).",
        "Statisk kort (det interaktive kort kunne ikke dannes).",
    ),
    "report.no_bids": (
        "No BID covers this district on the report date.",
        "Intet BID dækker området på rapportens dato.",
    ),
    "report.outside_bid_heading": (
        "Firms outside the active BIDs (call list)",
        "Virksomheder uden for de aktive BID'er (ringeliste)",
    ),
    "report.no_rewilding": (
        "No rewilding plot established in this district by the report date.",
        "Ingen arealer med vild natur etableret i området på rapportens dato.",
    ),
    "report.none_beyond": (
        "Every firm in the district lies within {distance} m of a rail stop.",
        "Alle virksomheder i området ligger inden for {distance} m af en station.",
    ),
    "report.no_change": (
        "No figure changed between the two dates.",
        "Ingen tal har ændret sig mellem de to datoer.",
    ),
    "report.beyond_heading": (
        "Firms more than {distance} m from a rail stop",
        "Virksomheder mere end {distance} m fra en station",
    ),
    "report.change_heading": (
        "Change from {before} to {after}",
        "Ændring fra {before} til {after}",
    ),
    "report.inputs_caption": ("Input layers", "Datalag"),
    "report.exclusions_caption": ("Features excluded from the input", "Objekter udeladt fra data"),
    "report.repairs_caption": ("Features repaired", "Reparerede objekter"),
    "report.layer": ("Layer", "Lag"),
    "report.file": ("File", "Fil"),
    "report.sha256": ("SHA-256", "SHA-256"),
    "report.original_crs": ("CRS of the file", "Filens koordinatsystem"),
    "report.features_read": ("Features read", "Objekter læst"),
    "report.features_used": ("Features used", "Objekter brugt"),
    "report.excluded": ("Excluded", "Udeladt"),
    "report.repaired": ("Repaired", "Repareret"),
    "report.feature_id": ("Feature", "Objekt"),
    "report.reason": ("Reason", "Årsag"),
    "report.what": ("Repair", "Reparation"),
    "report.in_memory": ("(in memory)", "(i hukommelsen)"),
    "report.reconciliation": (
        "Firms in: {companies_in} = in a district {assigned} + outside every district {outside}"
        " + excluded {excluded}",
        "Virksomheder i alt: {companies_in} = i et erhvervsområde {assigned}"
        " + uden for alle områder {outside} + udeladt {excluded}",
    ),
    "report.districts_count": ("Districts", "Erhvervsområder"),
    "report.active_bids_count": ("Active BIDs", "Aktive BID'er"),
    "report.stops_count": ("Stops in service", "Stoppesteder i drift"),
    "report.total": ("Total", "I alt"),
    "report.total_live": ("Total, withdrawn excluded", "I alt, uden opgivne"),
    "report.metric": ("Figure", "Nøgletal"),
    "report.before": ("{date}", "{date}"),
    "report.after": ("{date}", "{date}"),
    "report.change": ("Change", "Ændring"),
    "report.percentage_points": ("pp", "pct.-point"),
    "report.distance_straight": ("straight line", "luftlinje"),
    "report.distance_walk": (
        "walking distance estimated as straight line × {factor}",
        "gangafstand anslået som luftlinje × {factor}",
    ),
    "report.fingerplan": ("Fingerplan: station proximity", "Fingerplan: stationsnærhed"),
    "report.fingerplan_caption": (
        "Firms, employees and land by Fingerplan band (distance to a Fingerplan station)",
        "Virksomheder, ansatte og areal efter Fingerplan-zone (afstand til Fingerplan-station)",
    ),
    "report.fingerplan_assumptions": ("What the verdict assumes", "Hvad vurderingen bygger på"),
    "report.fingerplan_zone": ("Within {distance} m walking", "Inden for {distance} m gang"),
    "report.fingerplan_circle_zone": (
        "Within {distance} m (circle)",
        "Inden for {distance} m (cirkel)",
    ),
    "report.fingerplan_circle": (
        "{distance} m circle (straight line)",
        "{distance} m-cirkel (luftlinje)",
    ),
    "report.fingerplan_stations": ("Fingerplan stations", "Fingerplan-stationer"),
    "report.fingerplan_map_title": (
        "{district}: walking zones and circles",
        "{district}: gangzoner og cirkler",
    ),
    "report.network_in_memory": (
        "a network layer given in memory",
        "et stinet givet i hukommelsen",
    ),
    "report.fingerplan_assume_network": (
        "Walking distances run along the network layer ({source}); it is taken to hold every "
        "path people may walk, and nothing else.",
        "Gangafstande går ad stinettet ({source}); det antages at rumme alle stier og veje, "
        "man må gå ad, og intet andet.",
    ),
    "report.fingerplan_assume_snap": (
        "Firms, land and stations walk straight to the nearest point of the network, at most "
        "{limit} m; farther away they count as beyond every band.",
        "Virksomheder, arealer og stationer går i lige linje til nærmeste punkt på stinettet, "
        "højst {limit} m; længere væk tæller de som uden for alle zoner.",
    ),
    "report.fingerplan_assume_from": (
        "The walk starts at the firm's address point (land: the centre of each 10 m cell) "
        "and ends at the stop's position in the stops layer.",
        "Turen starter i virksomhedens adressepunkt (arealer: midten af hver 10 m-celle) og "
        "slutter i stoppestedets position i stoppestedslaget.",
    ),
    "report.fingerplan_assume_zone": (
        "A zone is the land whose straight walk to the network plus the walk along it is "
        "within the band, drawn from network points every 10 m.",
        "En zone er det areal, hvor den lige tur til stinettet plus turen ad det ligger inden "
        "for afstanden, tegnet ud fra punkter på stinettet for hver 10 m.",
    ),
    "report.fingerplan_assume_unreachable": (
        "Stations off the network (no zone): {ids}.",
        "Stationer uden for stinettet (ingen zone): {ids}.",
    ),
    "report.fingerplan_assume_no_network": (
        "No network layer: the bands use the {basis} distance (detour factor {factor}) and "
        "the zones are circles.",
        "Intet stinet: zonerne bygger på {basis} (omvejsfaktor {factor}) og er cirkler.",
    ),
    "report.fingerplan_assume_stations": (
        "Fingerplan stations: rail stops in service (S-train, regional rail, metro, light "
        "rail) and BRT stops marked fingerplan_station; bus stops never count.",
        "Fingerplan-stationer: skinnebårne stationer i drift (S-tog, regionaltog, metro, "
        "letbane) og BRT-stoppesteder markeret fingerplan_station; busstoppesteder tæller aldrig.",
    ),
    "report.bands_caption": (
        "Firms by Fingerplan distance band to rail",
        "Virksomheder efter Fingerplanens afstandsbånd til station",
    ),
    "report.band": ("Band", "Afstandsbånd"),
    "report.share_of_firms": ("Share of firms", "Andel af virksomhederne"),
    "report.share_of_jobs": ("Share of jobs", "Andel arbejdspladser"),
    "report.service_heading": (
        "Service frequency on {date}, {window}",
        "Afgangsfrekvens {date}, kl. {window}",
    ),
    "report.service_none": (
        "Service frequency: {no_data} (give a GTFS feed or a service table).",
        "Afgangsfrekvens: {no_data} (angiv et GTFS-feed eller en køreplanstabel).",
    ),
    "report.service_unknown": (
        "{count} stop(s) in service have {no_data}: firms within 600 m of one have no "
        "departures figure, and their PTAL index counts only the known routes.",
        "{count} stoppested(er) i drift har {no_data}: virksomheder inden for 600 m af et af "
        "dem har intet afgangstal, og deres PTAL-indeks tæller kun de kendte linjer.",
    ),
    "report.chart_frequency": (
        "Departures per hour at the stations in reach",
        "Afgange i timen ved stationerne inden for gangafstand",
    ),
    "report.ptal_caption": (
        "Firms and jobs by PTAL band",
        "Virksomheder og arbejdspladser efter PTAL-klasse",
    ),
    "report.ptal_note": (
        "PTAL after Transport for London: 0 no access, 1a lowest to 6b highest.",
        "PTAL efter Transport for London: 0 ingen adgang, 1a lavest til 6b højest.",
    ),
    "report.chart_rewilding": ("Rewilded hectares (cumulative)", "Hektar vild natur (akkumuleret)"),
    "report.chart_transit": (
        "Share of firms within a distance of a stop",
        "Andel af virksomhederne inden for en given afstand af et stoppested",
    ),
    "report.year": ("Year", "År"),
    "report.hectares": ("ha", "ha"),
    "report.bids_caption": ("BIDs in or touching the district", "BID'er i eller op til området"),
    "report.members_reported": ("{members} (reported)", "{members} (indberettet)"),
    "report.members_reported_note": (
        "(reported): the member count as stated in the BID layer, shown for a BID that is not "
        "active on the report date (its members are not counted).",
        "(indberettet): medlemstallet som angivet i BID-laget, vist for et BID, der ikke er "
        "aktivt på rapportens dato (dets medlemmer tælles ikke).",
    ),
    "report.plots_caption": ("Rewilding plots in the district", "Arealer med vild natur i området"),
    "report.list_capped": (
        "The first {shown} of {total} are listed; every firm is in companies.csv.",
        "De første {shown} af {total} er vist; alle virksomheder står i companies.csv.",
    ),
    "report.status_withdrawn": (
        "This district's plan has been withdrawn; its figures are shown for reference.",
        "Planen for området er opgivet; tallene vises til orientering.",
    ),
    "report.status_planned": (
        "This district is planned, not yet built.",
        "Området er planlagt, men endnu ikke anlagt.",
    ),
    "report.status_study": (
        "This district is under study; there is no decision.",
        "Området er under udredning; der er ikke truffet beslutning.",
    ),
    "report.dl_summary_csv": (
        "one row per district (CSV, UTF-8)",
        "én række pr. erhvervsområde (CSV, UTF-8)",
    ),
    "report.dl_summary_xlsx": (
        "one row per district (Excel)",
        "én række pr. erhvervsområde (Excel)",
    ),
    "report.dl_companies_csv": (
        "every firm: district, BID status, nearest stops and distances (CSV, UTF-8)",
        "alle virksomheder: område, BID, nærmeste stationer og afstande (CSV, UTF-8)",
    ),
    "report.dl_companies_xlsx": (
        "every firm: district, BID status, nearest stops and distances (Excel)",
        "alle virksomheder: område, BID, nærmeste stationer og afstande (Excel)",
    ),
    "report.dl_results_gpkg": (
        "result layers for QGIS/GDAL with QGIS styles, EPSG:25832 (GeoPackage)",
        "resultatlag til QGIS/GDAL med QGIS-stilarter, EPSG:25832 (GeoPackage)",
    ),
    "report.dl_provenance": (
        "inputs, parameters and checksums (JSON)",
        "data, forudsætninger og kontrolsummer (JSON)",
    ),
    "report.dl_map": ("the overview map on its own page", "oversigtskortet på sin egen side"),
    "report.district_in": ("{municipality} Municipality", "{municipality} Kommune"),
    "report.seconds": ("{value} s", "{value} s"),
    "report.existing_only": ("existing", "eksisterende"),
    "report.done_title": ("Report written", "Rapporten er skrevet"),
    "report.done_folder": ("Folder", "Mappe"),
    "report.done_open": ("Open", "Åbn"),
    "report.done_pages": ("Pages", "Sider"),
    "report.done_tables": ("Tables", "Tabeller"),
    "report.done_layers": ("GeoPackage layers", "GeoPackage-lag"),
    "report.progress_analyses": ("Analyses", "Analyser"),
    "report.progress_compare": ("Comparison", "Sammenligning"),
    "report.progress_maps": ("Maps", "Kort"),
    "report.progress_tables": ("Tables and layers", "Tabeller og lag"),
    "report.progress_pages": ("Pages", "Sider"),
    "report.progress_check": ("Checking and moving into place", "Kontrollerer og flytter på plads"),
    "report.progress_database": ("Writing to the database", "Skriver til databasen"),
    "report.sheet_columns": ("columns", "kolonner"),
    "report.column": ("Column", "Kolonne"),
    "report.description": ("Description", "Beskrivelse"),
}


@functools.cache
def _all_labels() -> dict[str, tuple[str, str]]:
    """Return the labels with those of the fixed columns as ``col.<name>`` (built once)."""
    named = {
        f"col.{c.name}": (c.en, c.da)
        for c in _columns.COLUMNS.values()
        if c.threshold_m is None and c.band is None
    }
    from areas.output.labels_publish import PUBLISH_LABELS

    return {**_LABELS, **PUBLISH_LABELS, **named}


def check_lang(lang: str) -> str:
    """Return ``lang`` when it is a supported language, else raise.

    Raises
    ------
    ConfigError
        Naming the supported languages.

    Examples
    --------
    >>> check_lang("da")
    'da'
    """
    if lang not in LANGS:
        msg = f"`lang` must be one of {', '.join(LANGS)}, got {lang!r}"
        raise ConfigError(msg)
    return lang


def t(key: str, lang: str = "en", /, **values: Any) -> str:
    """Return the label ``key`` in ``lang``, with ``values`` filled in.

    Parameters
    ----------
    key : str
        A label key such as ``"layer.districts"``, ``"status.withdrawn"`` or
        ``"report.total"``.
    lang : {"en", "da"}
        Language.
    **values
        Fields of the label (``distance_m``, ``date``, ...).

    Raises
    ------
    KeyError
        For an unknown key (the message suggests close keys).
    ConfigError
        For an unknown language.

    Examples
    --------
    >>> t("status.withdrawn", "da")
    'opgivet'
    >>> t("as_of", "en", date="2026-01-01")
    'As of 2026-01-01'
    """
    check_lang(lang)
    try:
        pair = _all_labels()[key]
    except KeyError:
        close = difflib.get_close_matches(key, _all_labels(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        msg = f"no label `{key}`{hint}"
        raise KeyError(msg) from None
    text = pair[LANGS.index(lang)]
    return text.format(**values) if values else text


def labels(lang: str = "en", *, prefix: str = "") -> dict[str, str]:
    """Return every label in ``lang`` (for templates), fields left unfilled.

    With ``prefix``, only the labels whose key starts with it, keyed without it.

    Examples
    --------
    >>> labels("da")["layer.stops"]
    'Stationer og stoppesteder'
    >>> labels("en", prefix="report.")["total"]
    'Total'
    """
    i = LANGS.index(check_lang(lang))
    return {
        key.removeprefix(prefix): pair[i]
        for key, pair in _all_labels().items()
        if key.startswith(prefix)
    }


def column_label(column: str, lang: str = "en") -> str:
    """Return a readable label for a table column.

    Known columns have a label; threshold columns (``rail_600m_companies_share``,
    ``median_bus_distance_m``, ...) are named from their parts; any other column
    is returned unchanged (extra source columns keep their own names).

    Examples
    --------
    >>> column_label("area_ha", "en")
    'Area (ha)'
    >>> column_label("bus_400m_employees_share", "en")
    'Share of employees within 400 m of bus'
    >>> column_label("median_rail_distance_m", "da")
    'Medianafstand til station (m)'
    >>> column_label("my_column", "da")
    'my_column'
    """
    check_lang(lang)
    entry = _columns.column(column)
    if entry is None:
        return column
    fields: dict[str, str] = {}
    if entry.threshold_m is not None:
        value = entry.threshold_m
        fields["t"] = format_number(value, lang, decimals=0 if value.is_integer() else 1)
    if entry.band is not None:
        fields["band"] = t(f"band.{entry.band}", lang)
    return entry.label(lang).format(**fields) if fields else entry.label(lang)


def _code_label(group: str, value: Any, lang: str) -> str:
    """Return the label ``<group>.<value>``, or the value itself when there is none."""
    try:
        return t(f"{group}.{value}", lang)
    except KeyError:
        return str(value)


def status_label(value: Any, lang: str = "en") -> str:
    """Name a plan or stop status (an unknown status is returned as it is).

    Examples
    --------
    >>> status_label("study", "da"), status_label("unheard-of", "en")
    ('under udredning', 'unheard-of')
    """
    return _code_label("status", value, lang)


def mode_label(value: Any, lang: str = "en") -> str:
    """Name a transit mode ("–" when missing, an unknown mode as it is).

    Examples
    --------
    >>> mode_label("s_train", "da"), mode_label(None, "en")
    ('S-tog', '–')
    """
    if is_missing(value):
        check_lang(lang)
        return MISSING
    return _code_label("mode", value, lang)


def band_label(value: Any, lang: str = "en") -> str:
    """Name a Fingerplan distance band to rail (``core``, ``station_near``, ``beyond``).

    A missing band (a firm without a location) is "no rail distance".

    Examples
    --------
    >>> band_label("core", "en"), band_label(None, "da")
    ('≤ 600 m (station core area)', 'ingen afstand til station')
    """
    if is_missing(value):
        return t("band.unknown", lang)
    return _code_label("band", value, lang)


#: Text columns whose values have labels (``<column>.<value>``): a value without one
#: (the user's own wording) is shown as it is.
VALUE_COLUMNS = {"sector": "sector", "habitat": "habitat", "distance_basis": "distance"}


def value_label(column: str, value: Any, lang: str = "en") -> str:
    """Name a data value of a labelled text column (``sector``, ``habitat``, ``distance_basis``).

    Examples
    --------
    >>> value_label("sector", "wholesale", "da"), value_label("sector", "Bageri", "da")
    ('engroshandel', 'Bageri')
    """
    if is_missing(value):
        check_lang(lang)
        return MISSING
    return _code_label(VALUE_COLUMNS.get(column, column), value, lang)


def is_missing(value: Any) -> bool:
    """Return True for None, NaN, NaT and ``pandas.NA``.

    Examples
    --------
    >>> [is_missing(v) for v in (None, float("nan"), pd.NA, pd.NaT, 0, "")]
    [True, True, True, True, False, False]
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if isinstance(value, decimal.Decimal):
        return value.is_nan()
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return False


def _group_digits(integer_part: str, sep: str) -> str:
    sign = ""
    if integer_part.startswith("-"):
        sign, integer_part = "-", integer_part[1:]
    groups: list[str] = []
    while len(integer_part) > 3:
        groups.insert(0, integer_part[-3:])
        integer_part = integer_part[:-3]
    groups.insert(0, integer_part)
    return sign + sep.join(groups)


def format_number(value: Any, lang: str = "en", *, decimals: int = 0) -> str:
    """Write a number with the language's separators ("–" when missing).

    Examples
    --------
    >>> format_number(1234567.891, "en", decimals=2)
    '1,234,567.89'
    >>> format_number(1234567.891, "da", decimals=2)
    '1.234.567,89'
    >>> format_number(None, "da")
    '–'
    """
    check_lang(lang)
    if is_missing(value):
        return MISSING
    number = float(value)
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    text = f"{number:.{decimals}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    integer_part, _, fraction = text.partition(".")
    thousands, point = (",", ".") if lang == "en" else (".", ",")
    out = _group_digits(integer_part, thousands)
    return out + (point + fraction if fraction else "")


def format_share(
    value: Any, lang: str = "en", *, decimals: int = 0, space: bool | None = None
) -> str:
    """Write a fraction 0–1 as a percentage ("no data" / "ingen data" when missing).

    ``space`` puts a space before the percent sign; by default Danish has one
    and English not. A missing share has no data behind it (a district without
    firms, a transit group without stops in service): it is not 0 %.

    Examples
    --------
    >>> format_share(0.125, "en", decimals=1)
    '12.5%'
    >>> format_share(0.125, "da", decimals=1)
    '12,5 %'
    >>> format_share(0.125, "en", decimals=1, space=True)
    '12.5 %'
    >>> format_share(float("nan"), "da")
    'ingen data'
    """
    if is_missing(value):
        check_lang(lang)
        return t("no_data", lang)
    number = format_number(float(value) * 100, lang, decimals=decimals)
    if space is None:
        space = lang != "en"
    return f"{number} %" if space else f"{number}%"


def format_date(value: Any) -> str:
    """Write a date as ISO 8601 (``YYYY-MM-DD``; with the time only when it has one).

    Examples
    --------
    >>> format_date(pd.Timestamp("2025-10-26"))
    '2025-10-26'
    >>> format_date(dt.datetime(2025, 10, 26, 6, 30))
    '2025-10-26T06:30:00'
    >>> format_date(pd.NaT)
    '–'
    """
    if is_missing(value):
        return MISSING
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, dt.datetime):  # includes pandas.Timestamp
        if value.tzinfo is None and (value.hour, value.minute, value.second, value.microsecond) == (
            0,
            0,
            0,
            0,
        ):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def format_value(value: Any, lang: str = "en", *, decimals: int | None = None) -> str:
    """Write any cell value as readable text.

    Missing values (None, NaN, NaT, ``pandas.NA``) become "–", dates ISO 8601,
    booleans yes/no, integers get thousands separators, floats ``decimals``
    places (default: up to 2, trailing zeros dropped), decimals like floats.

    Examples
    --------
    >>> format_value(pd.Timestamp("2021-05-01"), "da")
    '2021-05-01'
    >>> format_value(True, "da")
    'ja'
    >>> format_value(decimal.Decimal("12.50"), "en")
    '12.5'
    >>> format_value(2.0, "en")
    '2'
    >>> format_value(pd.NA, "en")
    '–'
    """
    check_lang(lang)
    if is_missing(value):
        return MISSING
    if isinstance(value, bool | np.bool_):
        return t("yes" if value else "no", lang)
    if isinstance(value, dt.date | np.datetime64):
        return format_date(value)
    if isinstance(value, int | np.integer):
        return format_number(value, lang, decimals=0)
    if isinstance(value, float | np.floating | decimal.Decimal):
        if decimals is not None:
            return format_number(value, lang, decimals=decimals)
        text = format_number(value, lang, decimals=2)
        point = "." if lang == "en" else ","
        if point in text:
            text = text.rstrip("0").rstrip(point)
        return text
    return str(value)


def format_cell(value: Any, column: str, lang: str = "en") -> str:
    """Write a table cell by its column: the unit in the name, or the code it holds.

    Shares (``*_share``) become percentages with one decimal, hectares
    (``*_ha``) get one decimal, metres (``*_m``, ``*_m2``) none; ``status``,
    ``mode``/``*_mode`` and ``rail_band`` codes become their labels; any other
    value is written by :func:`format_value`. A missing share or median
    (``median_*``) is "no data" / "ingen data"; any other missing value "–".

    Examples
    --------
    >>> format_cell(0.1234, "bid_area_share", "da")
    '12,3 %'
    >>> format_cell(1234.56, "area_ha", "en")
    '1,234.6'
    >>> format_cell(612.4, "median_rail_distance_m", "en")
    '612'
    >>> format_cell("withdrawn", "status", "da")
    'opgivet'
    >>> format_cell(None, "rail_band", "en")
    '–'
    >>> format_cell(float("nan"), "bus_400m_companies_share", "en")
    'no data'
    >>> format_cell(None, "departures_per_hour_600m", "da"), format_cell(12, "ptal_ai", "en")
    ('ingen frekvensdata', '12.00')
    >>> format_cell("medium", "dg_regio_access", "da")
    'middel'
    """
    unit = _columns.unit_of(column)
    if is_missing(value):
        check_lang(lang)
        if unit in ("frequency", "index", "ptal", "access"):
            return t("no_frequency_data", lang)
        if unit == "share" or column.startswith("median_"):
            return t("no_data", lang)
        return MISSING
    if column in VALUE_COLUMNS:
        return value_label(column, value, lang)
    if unit == "frequency":
        return format_number(value, lang, decimals=1)
    if unit == "index":
        return format_number(value, lang, decimals=2)
    if unit == "ptal":
        return str(value)
    if unit == "access":
        return _code_label("access", value, lang)
    if unit == "share":
        return format_share(value, lang, decimals=1)
    if unit == "ha":
        return format_number(value, lang, decimals=1)
    if unit in ("m", "m2"):
        return format_number(value, lang, decimals=0)
    if unit == "status":
        return status_label(value, lang)
    if unit == "mode":
        return mode_label(value, lang)
    if unit == "band":
        return band_label(value, lang)
    return format_value(value, lang)
