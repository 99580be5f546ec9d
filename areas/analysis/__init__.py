"""Analyses: pure functions from an :class:`~areas.atlas.Atlas`'s layers to tables.

Nothing here reads or writes files, and nothing imports :mod:`areas.output`.
:mod:`~areas.analysis.prepared` holds the firms and districts checked once
(:class:`PreparedFirms`, :class:`PreparedDistricts`) and every firm's
district (:class:`Assignment`), shared by the analyses.
"""

from areas.analysis.assign import ASSIGNMENTS, assign_districts
from areas.analysis.bid import BidCoverage, bid_coverage
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
    "transit_access",
    "Summary",
    "summarize",
    "compare",
]
