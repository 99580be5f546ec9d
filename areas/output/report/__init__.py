"""Batch reports: a website bundle of pages, maps, tables and provenance."""

from areas.output.report.write import *  # noqa: F403
from areas.output.report.write import __all__  # noqa: F401
