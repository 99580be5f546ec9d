"""Check a data source and report every problem at once.

:func:`validate` reads the same sources as :func:`areas.load` with the same
checks, but instead of stopping at the first error it checks each layer on
its own and collects everything it finds into a :class:`ValidationReport`:
errors (the layer cannot be used as it is) and warnings (repairs, excluded
features, guessed encodings). It also notes, without counting them as
problems, what the analyses resolve by rule: rewilding plots that overlap
(each overlap is counted once), firms on a boundary shared by districts
(placed by the shared-boundary rule), districts that overlap (with the overlap
in hectares and the rule that places a firm in it) and a stops layer without
bus stops (see :mod:`areas.load.logic`). When there are no errors the report
also holds the loaded :class:`~areas.atlas.Atlas`.

On the command line, ``areas validate SOURCE`` prints :meth:`ValidationReport.to_text`
and exits with status 0 when the source is usable and 1 when it is not.

The checks are those of :func:`areas.load` (the one pipeline
:func:`areas.load.pipeline.collect`, run without stopping at the first error);
the notes come from :func:`areas.analysis.notes.cross_notes`. Each problem is an
:class:`areas.problems.Problem` (also importable as ``areas.validate.Problem``).

Examples
--------
>>> from areas.validate import validate
>>> report = validate()  # the bundled layers
>>> report.ok, len(report.errors), len(report.warnings)
(True, 0, 0)
>>> print(report.to_text().splitlines()[-1])
0 errors, 0 warnings, 1 note: the data is usable
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from areas.analysis.notes import cross_notes
from areas.atlas import Atlas, LayerSource
from areas.errors import printable
from areas.load.pipeline import collect
from areas.problems import Problem
from areas.schema import KIND_NAMES

__all__ = ["Problem", "ValidationReport", "validate"]


@dataclass
class ValidationReport:
    """Everything :func:`validate` found.

    Attributes
    ----------
    source : str
        What was checked.
    problems : list of Problem
        Errors and warnings, layer by layer in kind order.
    sources : dict of str to LayerSource
        Provenance of each layer that could be read (counts, exclusions, repairs).
    atlas : Atlas or None
        The loaded layers when there are no errors.
    notes : list of Problem
        Information of severity ``"info"``, not counted as problems:
        overlapping rewilding plots and firms placed by the shared-boundary
        rule, with their ids.
    """

    source: str
    problems: list[Problem] = field(default_factory=list)
    sources: dict[str, LayerSource] = field(default_factory=dict)
    atlas: Atlas | None = None
    notes: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity ``error``."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems of severity ``warning``."""
        return [p for p in self.problems if p.severity == "warning"]

    def raise_first(self) -> None:
        """Raise the first error as its exception class; do nothing when :attr:`ok`."""
        if self.errors:
            raise self.errors[0].exception()

    def to_text(self) -> str:
        """Return a plain-text report: a line per layer, then each problem and note."""
        lines = [f"areas validate: {self.source}"]
        for kind in KIND_NAMES:
            src = self.sources.get(kind)
            if src is None:
                lines.append(f"  {kind:<10} not read (see the errors below)")
            elif src.path is None:
                lines.append(f"  {kind:<10} empty (no source)")
            else:
                where = src.path + (f" (layer {src.layer})" if src.layer else "")
                extra = []
                if src.excluded:
                    extra.append(f"{len(src.excluded)} excluded")
                if src.repairs:
                    extra.append(f"{len(src.repairs)} repaired")
                if src.original_crs:
                    extra.append(src.original_crs)
                if src.encoding:
                    extra.append(src.encoding)
                tail = f" [{', '.join(extra)}]" if extra else ""
                counts = f"{src.features_read:>9,} read {src.features_used:>9,} used"
                lines.append(f"  {kind:<10} {counts}  {where}{tail}")
        n_err, n_warn = len(self.errors), len(self.warnings)
        for problem in [*self.problems, *self.notes]:
            lines.extend(str(problem).split("\n"))  # the message, then its fix
        verdict = "usable" if self.ok else "NOT usable"
        errors = f"{n_err} error{'s' if n_err != 1 else ''}"
        warned = f"{n_warn} warning{'s' if n_warn != 1 else ''}"
        n_notes = len(self.notes)
        noted = f", {n_notes} note{'s' if n_notes != 1 else ''}" if n_notes else ""
        lines.append(f"{errors}, {warned}{noted}: the data is {verdict}")
        # every line escaped: a file name or id cannot drive the terminal
        return "\n".join(printable(line) for line in lines)

    def __str__(self) -> str:
        return self.to_text()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return {
            "source": self.source,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [p.to_dict() for p in self.problems],
            "notes": [p.to_dict() for p in self.notes],
            "layers": {k: v.to_dict() for k, v in self.sources.items()},
        }


def validate(
    source: str | os.PathLike | None = None,
    *,
    config: object = None,
    crs: object = None,
    fallback: str | None = None,
) -> ValidationReport:
    """Check every layer of a source and collect all the problems found.

    Takes the same arguments as :func:`areas.load.pipeline.load`. Each layer is checked on
    its own so that one bad layer does not hide the problems of another, and
    within a layer every check runs that can (ids, values, dates, geometry,
    CRS) before the report is made.

    Parameters
    ----------
    source : path, optional
        A folder, GeoPackage, layer file or ``areas.toml``; the bundled layers
        when omitted.
    config : path, mapping or AreasConfig, optional
        An ``areas.toml`` given separately.
    crs : str or int, optional
        CRS of files that declare none.
    fallback : {"empty", "bundled"}, optional
        What kinds without a source become.

    Returns
    -------
    ValidationReport
        ``.ok`` is False when any error was found; ``.atlas`` holds the layers
        when it is True.

    Examples
    --------
    >>> report = validate()
    >>> report.ok, len(report.errors)
    (True, 0)
    """
    label = (
        str(source)
        if source is not None
        else (str(config) if config is not None else "bundled layers")
    )
    found = collect(source, config=config, crs=crs, fallback=fallback, strict=False)
    report = ValidationReport(
        source=found.origin or label,
        problems=[p for p in found.problems if p.severity != "info"],
        sources=found.sources,
    )
    layer_infos = [p for p in found.problems if p.severity == "info"]
    report.notes.extend(layer_infos)  # recorded in the layers' notes by the loader
    if report.ok and found.complete:
        for note in cross_notes(found.layers, report.sources):
            report.notes.append(note)
            report.sources[str(note.kind)].notes.append(note.message)
        report.atlas = found.atlas()
    return report


# ``areas.validate(...)`` and ``areas.validate.validate(...)`` both work.
from areas._callable import make_callable  # noqa: E402

make_callable(__name__, "validate")
