"""Analyses: pure functions from an :class:`~areas.atlas.Atlas`'s layers to tables.

Nothing here reads or writes files, and nothing imports :mod:`areas.output`.
"""

from areas.analysis.assign import ASSIGNMENTS, assign_districts
from areas.analysis.bid import BidCoverage, bid_coverage
from areas.analysis.rewilding import Rewilding, rewilded_hectares
from areas.analysis.summary import Summary, compare, summarize
from areas.analysis.transit import TransitAccess, transit_access

__all__ = [
    "ASSIGNMENTS",
    "assign_districts",
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
