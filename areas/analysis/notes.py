"""What a planner should know about the layers taken together: notes, not problems.

Rewilding plots that overlap and firms on a boundary shared by two or more
districts are not errors in the input: the analyses count an overlap once
(:mod:`areas.analysis.rewilding`) and place a firm on a shared boundary or
in an overlap of districts by the rule of :mod:`areas.analysis.assign`
(:data:`areas.load.logic.OVERLAP_RULE`). :func:`cross_notes` names
them, with the ids, as :class:`~areas.problems.Problem` of severity ``"info"``;
:func:`areas.validate.validate` lists them, and :func:`layer_notes` gives their
text by kind (for provenance records such as a report's ``provenance.json``).
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import shapely

from areas.analysis.assign import assign_districts
from areas.analysis.rewilding import _overlaps
from areas.atlas import Atlas, LayerSource
from areas.errors import format_ids
from areas.load.logic import OVERLAP_RULE
from areas.problems import Problem
from areas.schema import SQM_PER_HA

__all__ = ["cross_notes", "layer_notes"]


def _area_text(area_m2: float) -> str:
    """Return an area as hectares (two decimals), or square metres below 0.01 ha."""
    if area_m2 >= 0.01 * SQM_PER_HA:
        return f"{area_m2 / SQM_PER_HA:,.2f} ha"
    return f"{area_m2:,.0f} m²"


def cross_notes(
    layers: Mapping[str, gpd.GeoDataFrame], sources: Mapping[str, LayerSource]
) -> list[Problem]:
    """Return what a planner should know about the layers taken together (not problems).

    - rewilding plots that overlap, with the area of each overlap (the analyses
      count an overlap once);
    - firms on a boundary shared by two or more districts or where districts
      overlap, with the district the rule of :mod:`areas.analysis.assign`
      gave each of them.

    These are problems of severity ``"info"``: :func:`areas.validate.validate`
    lists them and records them in the layer's ``notes`` without a warning (the
    bundled plots overlap on purpose).

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        The layers by kind, as :func:`areas.load` returns them.
    sources : mapping of str to LayerSource
        Their provenance (for the file and layer each note names).

    Returns
    -------
    list of Problem
        One note per finding, with the ids concerned.

    Examples
    --------
    >>> import areas
    >>> atlas = areas.load()
    >>> [note.code for note in cross_notes(atlas.layers(), atlas.sources)]
    ['OverlappingPlots']
    """
    notes: list[Problem] = []

    def note(kind: str, code: str, ids: list[str], message: str) -> None:
        src = sources.get(kind)
        notes.append(
            Problem(
                "info",
                kind,
                None if src is None else src.path,
                None if src is None else (src.layer or kind),
                tuple(ids),
                message,
                None,
                code,
            )
        )

    plots = layers.get("rewilding")
    if plots is not None and len(plots) > 1:
        geoms = np.asarray(plots.geometry.values, dtype=object)
        usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        ids = plots["plot_id"].astype(str).to_numpy(dtype=object)
        pairs, _ = _overlaps(ids, geoms, usable)
        if len(pairs):
            shown = [
                f"{a} and {b} ({_area_text(ha * SQM_PER_HA)})"
                for a, b, ha in zip(
                    pairs["plot_id_a"], pairs["plot_id_b"], pairs["overlap_ha"], strict=True
                )
            ]
            named = list(dict.fromkeys([*pairs["plot_id_a"], *pairs["plot_id_b"]]))
            n = len(pairs)
            note(
                "rewilding",
                "OverlappingPlots",
                sorted(named),
                f"{n} pair{'s' if n != 1 else ''} of rewilding plots overlap: "
                f"{format_ids(shown)}. Each overlap is counted once in `rewilded_ha` and "
                "shown as `rewilding_overlap_ha`; correct the outlines if the plots should "
                "not overlap",
            )

    firms, districts = layers.get("companies"), layers.get("districts")
    if firms is not None and districts is not None and len(firms) and len(districts) > 1:
        assignment = assign_districts(firms, districts)
        on_edge = (assignment["assignment"] == "boundary").to_numpy(dtype=bool)
        if on_edge.any():
            points = np.asarray(firms.geometry.values, dtype=object)[on_edge]
            outlines = np.asarray(districts.geometry.values, dtype=object)
            district_ids = districts["district_id"].astype(str).to_numpy(dtype=object)
            covers = shapely.covers(outlines[np.newaxis, :], points[:, np.newaxis])
            ids = assignment.loc[on_edge, "company_id"].astype(str).tolist()
            chosen = assignment.loc[on_edge, "district_id"].astype(str).tolist()
            shown = [
                f"{i} → {d} (on {' / '.join(sorted(district_ids[row]))})"
                for i, d, row in zip(ids, chosen, covers, strict=True)
            ]
            n = len(ids)
            note(
                "companies",
                "SharedBoundaryFirms",
                ids,
                f"{n} firm{'s lie' if n != 1 else ' lies'} on a boundary shared by two or more "
                "districts (or where their outlines overlap) and went to one of them "
                f"({OVERLAP_RULE}): {format_ids(shown)}",
            )
    return notes


def layer_notes(atlas: Atlas) -> dict[str, list[str]]:
    """Return each layer's notes: those the loader recorded, then the :func:`cross_notes`.

    A note already in ``atlas.sources[kind].notes`` (an atlas from
    :func:`areas.validate.validate`) is not repeated. The atlas is not changed.

    Examples
    --------
    >>> import areas
    >>> notes = layer_notes(areas.load())
    >>> notes["rewilding"][0].startswith("2 pairs of rewilding plots overlap")
    True
    """
    sources = atlas.sources or {}
    notes = {kind: list(src.notes) for kind, src in sources.items()}
    for note in cross_notes(atlas.layers(), sources):
        kept = notes.setdefault(str(note.kind), [])
        if note.message not in kept:
            kept.append(note.message)
    return notes
