"""Labels of the published maps and pages: background, attribution, accessibility, public mode.

key -> (English, Danish), merged into the labels of :mod:`areas.output.i18n`
(read them with :func:`areas.output.i18n.t`).
"""

from __future__ import annotations

PUBLISH_LABELS: dict[str, tuple[str, str]] = {
    "layer.background": ("Background", "Baggrund"),
    "background.sea": ("sea", "hav"),
    "background.lake": ("lake", "sø"),
    "background.municipality": ("municipal boundary", "kommunegrænse"),
    "background.motorway": ("motorway", "motorvej"),
    "background.main_road": ("main road", "hovedvej"),
    "background.s_train": ("S-train line", "S-togslinje"),
    "background.light_rail": ("light-rail line", "letbanelinje"),
    "background.other": ("background feature", "baggrundselement"),
    "accessibility_statement": ("Accessibility statement", "Tilgængelighedserklæring"),
    "report.accessibility_statement": ("Accessibility statement", "Tilgængelighedserklæring"),
    "legend.companies_in_district": (
        "Firms in {name}, by distance to rail",
        "Virksomheder i {name} efter afstand til station",
    ),
    "legend.companies_in_district_bid": (
        "Firms in {name}, by BID membership",
        "Virksomheder i {name} efter BID-medlemskab",
    ),
    "legend.companies_in_districts": (
        "Firms in the districts, by distance to rail",
        "Virksomheder i erhvervsområderne efter afstand til station",
    ),
    "legend.companies_in_districts_bid": (
        "Firms in the districts, by BID membership",
        "Virksomheder i erhvervsområderne efter BID-medlemskab",
    ),
    "legend.public_grid": (
        "Firms are shown only as counts per cell; cells with fewer than {minimum} firms "
        "are left out.",
        "Virksomheder vises kun som antal pr. felt; felter med færre end {minimum} "
        "virksomheder er udeladt.",
    ),
    "a11y.caption_overview": (
        "The map's numbers per business district, as of {date}.",
        "Kortets tal for hvert erhvervsområde pr. {date}.",
    ),
    "a11y.caption_district": (
        "The map's numbers for {name}, as of {date}.",
        "Kortets tal for {name} pr. {date}.",
    ),
    "report.public_note": (
        "This is the public edition of the report: it names no firm and lists no single "
        "firm; firms are shown as counts only.",
        "Dette er rapportens offentlige udgave: den nævner ingen virksomhed og viser ingen "
        "enkelt virksomhed; virksomheder vises kun som antal.",
    ),
    "report.public_lists_left_out": (
        "Lists of single firms are left out of the public edition.",
        "Lister over enkelte virksomheder er udeladt i den offentlige udgave.",
    ),
    "report.public_firms_beyond": (
        "{count} firms lie farther than {distance} m from rail.",
        "{count} virksomheder ligger mere end {distance} m fra en station.",
    ),
    "report.edition": ("Edition", "Udgave"),
    "report.edition_public": (
        "public (no firm names, addresses or single firms; map cells with fewer than "
        "{minimum} firms left out)",
        "offentlig (ingen virksomhedsnavne, adresser eller enkelte virksomheder; kortfelter "
        "med færre end {minimum} virksomheder er udeladt)",
    ),
    "report.edition_case_work": (
        "case work (with the lists of firms)",
        "sagsbehandling (med lister over virksomheder)",
    ),
    "report.dl_company_cells": (
        "firms counted per {cell_m} m cell (in results.gpkg, cells under {minimum} firms left out)",
        "virksomheder talt pr. {cell_m} m-felt (i results.gpkg; felter under {minimum} "
        "virksomheder er udeladt)",
    ),
    "report.map_embed_note": (
        "The map without the page around it, for embedding",
        "Kortet uden siden omkring, til indlejring",
    ),
    "report.table": ("Table", "Tabel"),
}
