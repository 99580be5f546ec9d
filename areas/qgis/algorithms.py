"""The Processing algorithms of the ``areas`` provider.

Each algorithm calls the public API (:func:`areas.load`,
:func:`areas.summarize`, :func:`areas.write_report`) and nothing else; an
error in the input reaches the Processing log as the message the command
line prints (``areas: error: ...``).

- ``areas:summary``: one row per district, as ``areas summary``;
- ``areas:report``: the report folder, as ``areas report``;
- ``areas:fingerplan``: per firm, the Fingerplan station-proximity verdict
  (``core`` within 600 m of a rail stop in service, ``station_near`` within
  1,200 m, else ``beyond``). The distance is the summary's straight-line
  distance (or its detour estimate with ``DISTANCE = walk``) to the nearest
  rail stop, the ``rail_band`` column of the summary's per-firm transit
  table; it is not yet measured along a walking network.

This module imports outside QGIS too (its classes then derive from
``object`` and cannot be used); :func:`areas.qgis.provider` needs QGIS.
"""

from __future__ import annotations

import inspect
from typing import Any

try:
    from qgis.core import (
        QgsFeature,
        QgsFeatureSink,
        QgsField,
        QgsFields,
        QgsGeometry,
        QgsPointXY,
        QgsProcessing,
        QgsProcessingAlgorithm,
        QgsProcessingException,
        QgsProcessingParameterBoolean,
        QgsProcessingParameterEnum,
        QgsProcessingParameterFeatureSink,
        QgsProcessingParameterFile,
        QgsProcessingParameterFolderDestination,
        QgsProcessingParameterString,
        QgsWkbTypes,
    )
    from qgis.PyQt.QtCore import QVariant

    HAVE_QGIS = True
except ImportError:  # outside QGIS: importable, not usable
    QgsProcessingAlgorithm = object
    HAVE_QGIS = False

__all__ = ["SummaryAlgorithm", "ReportAlgorithm", "FingerplanAlgorithm", "error_message"]

_DISTANCES = ["straight", "walk"]
_INCLUDABLE = ["planned", "study"]
_LANGS = ["en", "da"]
_SOURCE_FILTER = "Layers (*.gpkg *.geojson *.json *.shp *.fgb *.csv *.toml);;All files (*)"


def error_message(exc: BaseException) -> str:
    """Return the message the command line prints for an error.

    Examples
    --------
    >>> from areas.errors import ConfigError
    >>> error_message(ConfigError("bad date"))
    'areas: error: bad date'
    """
    if isinstance(exc, FileNotFoundError) and not _is_areas_error(exc):
        return f"areas: error: no such file or folder: {exc.filename or exc}"
    if isinstance(exc, PermissionError) and not _is_areas_error(exc):
        return f"areas: error: permission denied: {exc.filename or exc}"
    return f"areas: error: {exc}"


def _is_areas_error(exc: BaseException) -> bool:
    from areas.errors import AreasError

    return isinstance(exc, AreasError)


class _Base(QgsProcessingAlgorithm):  # type: ignore[misc, valid-type]
    """Shared parameters (source and scenario) and error handling."""

    _name = ""
    _title = ""
    _help = ""

    def name(self) -> str:  # noqa: D102
        return self._name

    def displayName(self) -> str:  # noqa: D102, N802
        return self._title

    def group(self) -> str:  # noqa: D102
        return "areas"

    def groupId(self) -> str:  # noqa: D102, N802
        return "areas"

    def shortHelpString(self) -> str:  # noqa: D102, N802
        return self._help

    def createInstance(self) -> _Base:  # noqa: D102, N802
        return type(self)()

    def add_scenario_parameters(self) -> None:
        """Add SOURCE, AS_OF, DISTANCE and INCLUDE."""
        self.addParameter(
            QgsProcessingParameterFile(
                "SOURCE",
                "Layers: a GeoPackage, a folder or an areas.toml (empty: the bundled layers)",
                behavior=QgsProcessingParameterFile.File,
                optional=True,
                fileFilter=_SOURCE_FILTER,
            )
        )
        self.addParameter(
            QgsProcessingParameterString(
                "AS_OF", "As of (YYYY-MM-DD; empty: today)", defaultValue="", optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                "DISTANCE",
                "Distance",
                options=_DISTANCES,
                defaultValue="straight",
                usesStaticStrings=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                "INCLUDE",
                "Count stops before they open with status",
                options=_INCLUDABLE,
                allowMultiple=True,
                defaultValue=[],
                optional=True,
                usesStaticStrings=True,
            )
        )

    def scenario(self, parameters: dict, context: Any) -> dict[str, Any]:
        """Return ``source`` and the keyword arguments of :func:`areas.summarize`."""
        source = self.parameterAsString(parameters, "SOURCE", context) or None
        as_of = self.parameterAsString(parameters, "AS_OF", context).strip() or None
        distance = self.parameterAsEnumString(parameters, "DISTANCE", context) or "straight"
        include = tuple(self.parameterAsEnumStrings(parameters, "INCLUDE", context) or ())
        return {"source": source, "as_of": as_of, "distance": distance, "include": include}

    def processAlgorithm(self, parameters: dict, context: Any, feedback: Any) -> dict:  # noqa: D102, N802
        import warnings

        from areas.errors import AreasError

        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = self.compute(parameters, context, feedback)
            for w in caught:
                feedback.pushWarning(f"areas: warning: {w.message}")
            return result
        except (AreasError, FileNotFoundError, PermissionError) as exc:
            raise QgsProcessingException(error_message(exc)) from exc

    def compute(self, parameters: dict, context: Any, feedback: Any) -> dict:
        """Do the work (in subclasses)."""
        raise NotImplementedError

    def load(self, scenario: dict[str, Any], feedback: Any) -> Any:
        """Load the layers named by SOURCE."""
        import areas

        source = scenario["source"]
        feedback.pushInfo(f"areas {areas.__version__}: loading {source or 'the bundled layers'}")
        return areas.load(source)


def _qvariant(dtype: Any) -> Any:
    import pandas as pd

    if pd.api.types.is_bool_dtype(dtype):
        return QVariant.Bool
    if pd.api.types.is_integer_dtype(dtype):
        return QVariant.LongLong
    if pd.api.types.is_float_dtype(dtype):
        return QVariant.Double
    return QVariant.String


def _cell(value: Any) -> Any:
    import pandas as pd

    if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(v) for v in value)
    return value if isinstance(value, (bool, int, float, str)) else str(value)


def _write_rows(
    frame: Any, parameters: dict, context: Any, alg: _Base, geometry: Any = None, crs: Any = None
) -> str:
    fields = QgsFields()
    for column in frame.columns:
        fields.append(QgsField(str(column), _qvariant(frame[column].dtype)))
    wkb = QgsWkbTypes.Point if geometry is not None else QgsWkbTypes.NoGeometry
    if crs is None:
        from qgis.core import QgsCoordinateReferenceSystem

        crs = QgsCoordinateReferenceSystem()
    sink, dest = alg.parameterAsSink(parameters, "OUTPUT", context, fields, wkb, crs)
    if sink is None:
        raise QgsProcessingException(alg.invalidSinkError(parameters, "OUTPUT"))
    for i, row in enumerate(frame.itertuples(index=False, name=None)):
        feature = QgsFeature(fields)
        feature.setAttributes([_cell(v) for v in row])
        if geometry is not None:
            point = geometry[i]
            if point is not None and not point.is_empty:
                feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(point.x, point.y)))
        sink.addFeature(feature, QgsFeatureSink.FastInsert)
    return dest


class SummaryAlgorithm(_Base):
    """``areas:summary``: one row per district (BID coverage, rewilding, transit)."""

    _name = "summary"
    _title = "Summary by district"
    _help = (
        "One row per district: BID coverage, rewilded hectares and transit access, "
        "as `areas summary` prints it. SOURCE is a GeoPackage, a folder or an areas.toml "
        "(empty: the bundled Albertslund–Hvidovre layers). OUTPUT is a table; "
        "a .csv, .xlsx or .gpkg path writes that file."
    )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: D102, N802
        self.add_scenario_parameters()
        self.addParameter(
            QgsProcessingParameterFeatureSink("OUTPUT", "Summary", QgsProcessing.TypeVector)
        )

    def compute(self, parameters: dict, context: Any, feedback: Any) -> dict:  # noqa: D102
        import areas

        sc = self.scenario(parameters, context)
        atlas = self.load(sc, feedback)
        summary = areas.summarize(
            atlas, as_of=sc["as_of"], include=sc["include"], distance=sc["distance"]
        )
        rec = summary.reconciliation
        feedback.pushInfo(
            f"as of {summary.params['as_of']}: firms in {rec['companies_in']} = in a district "
            f"{rec['assigned']} + outside every district {rec['outside']} + excluded "
            f"{rec['excluded']}"
        )
        table = summary.table.reset_index(drop=True)
        return {"OUTPUT": _write_rows(table, parameters, context, self)}


class FingerplanAlgorithm(_Base):
    """``areas:fingerplan``: per firm, the Fingerplan station-proximity verdict."""

    _name = "fingerplan"
    _title = "Fingerplan verdict per firm"
    _help = (
        "Per firm: the nearest rail stop in service, the distance to it and the Fingerplan "
        "band: core (≤ 600 m), station_near (≤ 1,200 m) or beyond. The distance is the "
        "straight line (DISTANCE = walk: straight line × the detour factor), not yet a "
        "walk along the path network."
    )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: D102, N802
        self.add_scenario_parameters()
        self.addParameter(
            QgsProcessingParameterEnum(
                "LANG",
                "Language of the verdict",
                options=_LANGS,
                defaultValue="en",
                usesStaticStrings=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                "OUTPUT", "Fingerplan verdict", QgsProcessing.TypeVectorPoint
            )
        )

    def compute(self, parameters: dict, context: Any, feedback: Any) -> dict:  # noqa: D102
        import pandas as pd
        from qgis.core import QgsCoordinateReferenceSystem

        import areas
        from areas.output.i18n import band_label

        sc = self.scenario(parameters, context)
        lang = self.parameterAsEnumString(parameters, "LANG", context) or "en"
        atlas = self.load(sc, feedback)
        summary = areas.summarize(
            atlas, as_of=sc["as_of"], include=sc["include"], distance=sc["distance"]
        )
        firms = pd.DataFrame(atlas.companies.drop(columns=atlas.companies.geometry.name))
        keep = [c for c in ("company_id", "name", "employees") if c in firms.columns]
        firms = firms[keep].assign(company_id=lambda f: f["company_id"].astype(str))
        transit = pd.DataFrame(summary.transit.companies)
        transit["company_id"] = transit["company_id"].astype(str)
        dist = "rail_walk_m" if sc["distance"] == "walk" else "rail_distance_m"
        cols = ["company_id", "nearest_rail_name", dist, "rail_band"]
        out = firms.merge(transit[cols], on="company_id", how="left", validate="one_to_one")
        assign = pd.DataFrame(summary.assignment)[["company_id", "district_id"]]
        assign["company_id"] = assign["company_id"].astype(str)
        out = out.merge(assign, on="company_id", how="left", validate="one_to_one")
        out = out.rename(columns={dist: "rail_distance_m"})
        out["verdict"] = [band_label(b, lang) for b in out["rail_band"]]
        out["distance_basis"] = sc["distance"]
        out["as_of"] = str(summary.params["as_of"])
        crs = QgsCoordinateReferenceSystem(str(atlas.companies.crs.to_string()))
        geoms = list(atlas.companies.geometry.values)
        return {"OUTPUT": _write_rows(out, parameters, context, self, geoms, crs)}


class ReportAlgorithm(_Base):
    """``areas:report``: the report folder (pages, maps, tables, GeoPackage)."""

    _name = "report"
    _title = "Report"
    _help = (
        "Writes the report folder of `areas report`: index.html, a page per district, "
        "maps, summary.csv/.xlsx, companies.csv, results.gpkg and provenance.json."
    )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: D102, N802
        self.add_scenario_parameters()
        self.addParameter(
            QgsProcessingParameterEnum(
                "LANG", "Language", options=_LANGS, defaultValue="en", usesStaticStrings=True
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean("PUBLIC", "Public version", defaultValue=False)
        )
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT_FOLDER", "Report folder"))

    def compute(self, parameters: dict, context: Any, feedback: Any) -> dict:  # noqa: D102
        import areas
        from areas.errors import ConfigError

        sc = self.scenario(parameters, context)
        lang = self.parameterAsEnumString(parameters, "LANG", context) or "en"
        public = self.parameterAsBool(parameters, "PUBLIC", context)
        folder = self.parameterAsString(parameters, "OUTPUT_FOLDER", context)
        kwargs: dict[str, Any] = {}
        if public:
            if "public" not in inspect.signature(areas.write_report).parameters:
                msg = (
                    f"PUBLIC: this version of areas ({areas.__version__}) cannot write a public "
                    "report. Fix: leave PUBLIC unticked, or update areas"
                )
                raise ConfigError(msg)
            kwargs["public"] = True
        atlas = self.load(sc, feedback)
        result = areas.write_report(
            atlas,
            folder,
            as_of=sc["as_of"],
            include=sc["include"],
            distance=sc["distance"],
            lang=lang,
            progress=False,
            **kwargs,
        )
        feedback.pushInfo(f"report written to {folder}")
        index = getattr(result, "index", None)
        return {"OUTPUT_FOLDER": folder, "INDEX": str(index) if index is not None else ""}
