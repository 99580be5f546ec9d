"""Analyses: pure functions from an :class:`~areas.atlas.Atlas`'s layers to tables.

Nothing here reads or writes files, and nothing imports :mod:`areas.output`.

- :mod:`~areas.analysis.prepared`: firms and districts checked once
  (:class:`PreparedFirms`, :class:`PreparedDistricts`) and every firm's
  district (:class:`Assignment`), shared by the analyses;
- :mod:`~areas.analysis.assign`, :mod:`~areas.analysis.bid`,
  :mod:`~areas.analysis.rewilding`, :mod:`~areas.analysis.transit`: one
  question each;
- :mod:`~areas.analysis.summary`: all of them for one scenario;
- :mod:`~areas.analysis.params`: the typed parameters of the results.
"""

from areas.analysis.assign import ASSIGNMENTS, assign_districts
from areas.analysis.bid import BidCoverage, bid_coverage
from areas.analysis.params import SummaryParams, TransitParams
from areas.analysis.prepared import (
    Assignment,
    PreparedDistricts,
    PreparedFirms,
    prepare_assignment,
    prepare_districts,
    prepare_firms,
)
from areas.analysis.rewilding import Rewilding, rewilded_hectares
from areas.analysis.summary import Summary, compare, summarize
from areas.analysis.transit import TransitAccess, transit_access

__all__ = [
    "ASSIGNMENTS",
    "assign_districts",
    "Assignment",
    "PreparedFirms",
    "PreparedDistricts",
    "prepare_firms",
    "prepare_districts",
    "prepare_assignment",
    "BidCoverage",
    "bid_coverage",
    "Rewilding",
    "rewilded_hectares",
    "TransitAccess",
    "TransitParams",
    "transit_access",
    "Summary",
    "SummaryParams",
    "summarize",
    "compare",
]
