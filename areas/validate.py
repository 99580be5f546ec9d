"""Check a data source and report every problem at once.

:func:`validate` reads the same sources as :func:`areas.load` with the same
checks, but instead of stopping at the first error it checks each layer on
its own and collects everything it finds into a :class:`ValidationReport`:
errors (the layer cannot be used as it is) and warnings (repairs, excluded
features, guessed encodings). It also notes, without counting them as
problems, what the analyses resolve by rule: rewilding plots that overlap
(each overlap is counted once) and firms on a boundary shared by districts
(placed by the shared-boundary rule). When there are no errors the report
also holds the loaded :class:`~areas.atlas.Atlas`.

On the command line, ``areas validate SOURCE`` prints :meth:`ValidationReport.to_text`
and exits with status 0 when the source is usable and 1 when it is not.

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

import areas.load.pipeline as _io
from areas import errors as _errors
from areas.atlas import Atlas, LayerSource
from areas.errors import AreasError
from areas.schema import KIND_NAMES

__all__ = ["Problem", "ValidationReport", "validate"]


@dataclass(frozen=True)
class Problem:
    """One problem found in the input.

    Attributes
    ----------
    severity : {"error", "warning", "info"}
        An error makes the source unusable; a warning is a repair, an
        exclusion or a guess the user should check; an info is something
        the analyses resolve by rule that the user may want to know about
        (see :attr:`ValidationReport.notes`).
    kind : str or None
        Layer kind, or None for a problem with the source as a whole.
    path : str or None
        File concerned.
    layer : str or None
        Layer name inside the file.
    ids : tuple of str
        Feature ids concerned (``#n`` is the n-th feature where the id is missing).
    message : str
        What is wrong.
    fix : str or None
        How to fix it.
    code : str
        The exception or warning class (e.g. ``"DuplicateIdError"``), or for an
        info what it is about (``"OverlappingPlots"``, ``"SharedBoundaryFirms"``).
    """

    severity: str
    kind: str | None
    path: str | None
    layer: str | None
    ids: tuple[str, ...]
    message: str
    fix: str | None
    code: str

    def __str__(self) -> str:
        where = [
            w for w in (self.kind and f"[{self.kind}]", self.path and f"file {self.path}") if w
        ]
        if self.layer and self.layer != self.kind:
            where.append(f"layer `{self.layer}`")
        head = f"{self.severity.upper()} {self.code}" + (f" {' '.join(where)}" if where else "")
        text = f"{head}: {self.message}"
        if self.fix:
            text += f"\n    Fix: {self.fix}"
        return text

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return {
            "severity": self.severity,
            "code": self.code,
            "kind": self.kind,
            "path": self.path,
            "layer": self.layer,
            "ids": list(self.ids),
            "message": self.message,
            "fix": self.fix,
        }

    def exception(self) -> AreasError:
        """Return the error as its :class:`~areas.errors.AreasError` subclass."""
        cls = getattr(_errors, self.code, None)
        if not (isinstance(cls, type) and issubclass(cls, AreasError)):
            cls = AreasError
        text = self.message + (f" Fix: {self.fix}" if self.fix else "")
        return cls(text, path=self.path, layer=self.layer, ids=self.ids)

    @classmethod
    def from_issue(cls, issue) -> Problem:
        """Return the problem recorded by the loader's checks."""
        return cls(
            severity=issue.severity,
            kind=issue.kind,
            path=issue.path,
            layer=issue.layer,
            ids=tuple(issue.ids),
            message=issue.message,
            fix=issue.fix,
            code=issue.code or issue.category.__name__,
        )

    @classmethod
    def from_exception(cls, exc: AreasError, kind: str | None = None) -> Problem:
        """Return an error raised while reading as a problem."""
        message = exc.detail or exc.message
        fix = exc.fix
        if fix is None and " Fix: " in message:
            message, fix = message.split(" Fix: ", 1)
            message = message.rstrip(".")
        return cls(
            severity="error",
            kind=exc.kind or kind,
            path=exc.path,
            layer=exc.layer,
            ids=tuple(exc.ids or ()),
            message=message,
            fix=fix,
            code=type(exc).__name__,
        )


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
            lines.append(str(problem))
        verdict = "usable" if self.ok else "NOT usable"
        errors = f"{n_err} error{'s' if n_err != 1 else ''}"
        warned = f"{n_warn} warning{'s' if n_warn != 1 else ''}"
        n_notes = len(self.notes)
        noted = f", {n_notes} note{'s' if n_notes != 1 else ''}" if n_notes else ""
        lines.append(f"{errors}, {warned}{noted}: the data is {verdict}")
        return "\n".join(lines)

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
    report = ValidationReport(source=label)
    try:
        plan = _io._plan(source, config, crs, fallback)
    except AreasError as exc:
        report.problems.append(Problem.from_exception(exc))
        return report
    report.source = plan.origin or label
    layers = {}
    for kind in KIND_NAMES:
        if kind not in plan.specs:
            layers[kind] = _io.empty_layer(kind)
            report.sources[kind] = _io._empty_source(kind)
            continue
        try:
            frame, src, issues = _io._read_spec(
                plan.specs[kind], default_crs=plan.default_crs, strict=False
            )
        except AreasError as exc:
            report.problems.append(Problem.from_exception(exc, kind))
            continue
        report.sources[kind] = src
        report.problems.extend(Problem.from_issue(i) for i in issues)
        if frame is not None:
            layers[kind] = frame
    issue = _io._absent_issue(plan)
    if issue is not None:
        report.problems.append(Problem.from_issue(issue))
    if len(layers) == len(KIND_NAMES):
        report.problems.extend(
            Problem.from_issue(i) for i in _io._cross_issues(layers, report.sources)
        )
        if report.ok:
            for issue in _io._cross_notes(layers, report.sources):
                report.notes.append(Problem.from_issue(issue))
                report.sources[issue.kind].notes.append(issue.message)
    if report.ok:
        report.atlas = Atlas(**layers, sources=dict(report.sources))
    return report


# ``areas.validate(...)`` and ``areas.validate.validate(...)`` both work.
from areas._callable import make_callable  # noqa: E402

make_callable(__name__, "validate")
