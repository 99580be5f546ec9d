"""The ``areas`` Processing provider (usable inside QGIS only)."""

from __future__ import annotations

from areas.qgis import PROVIDER_ID
from areas.qgis.algorithms import (
    HAVE_QGIS,
    FingerplanAlgorithm,
    ReportAlgorithm,
    SummaryAlgorithm,
)

if HAVE_QGIS:
    from qgis.core import QgsProcessingProvider
else:  # outside QGIS: importable, not usable
    QgsProcessingProvider = object

__all__ = ["AreasProvider"]


class AreasProvider(QgsProcessingProvider):  # type: ignore[misc, valid-type]
    """Processing provider ``areas``: summary, report and Fingerplan verdict."""

    def __init__(self) -> None:
        if not HAVE_QGIS:
            msg = "the areas Processing provider needs QGIS: run it in QGIS's Python"
            raise ImportError(msg)
        super().__init__()

    def id(self) -> str:  # noqa: D102
        return PROVIDER_ID

    def name(self) -> str:  # noqa: D102
        return "areas: business districts"

    def longName(self) -> str:  # noqa: D102, N802
        import areas

        return f"areas {areas.__version__}: BID coverage, rewilding, transit access"

    def loadAlgorithms(self) -> None:  # noqa: D102, N802
        for algorithm in (SummaryAlgorithm(), ReportAlgorithm(), FingerplanAlgorithm()):
            self.addAlgorithm(algorithm)
