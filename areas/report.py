"""Former home of the batch report; it lives in :mod:`areas.output.report` now.

This module re-exports the public names for one release so that existing
scripts and notebooks keep working. Import from :mod:`areas.output.report` instead.
"""

from areas.output.report.write import *  # noqa: F403
from areas.output.report.write import __all__  # noqa: F401
