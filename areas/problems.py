"""One type for everything the checks find in the input: :class:`Problem`.

A :class:`Problem` is an error (the layer cannot be used as it is), a warning
(a repair, an exclusion, a guess the user should check) or an info (something
the analyses resolve by rule). It is built once, with everything it says, and
then either raised (:meth:`Problem.exception`), warned (:meth:`Problem.warn`)
or listed by :func:`areas.validate.validate`.

A :class:`Collector` gathers the problems of one run. In ``strict`` mode, as in
:func:`areas.load`, it raises the first error and warns each warning as it is
found; otherwise, as in :func:`areas.validate.validate`, it keeps them all.

Examples
--------
>>> from areas.errors import DuplicateIdError
>>> problems = Collector(strict=False)
>>> problems.error(DuplicateIdError, "two stops are called s1", kind="stops", ids=["s1"],
...                fix="give every stop its own id")
>>> print(problems.problems[0])
ERROR DuplicateIdError [stops]: two stops are called s1
    Fix: give every stop its own id
>>> problems.failed
True
"""

from __future__ import annotations

import os
import sys
import types
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from areas import errors as _errors
from areas.errors import AreasError, AreasRepairWarning, printable

__all__ = ["Problem", "Collector", "Severity"]

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Problem:
    """One problem found in the input.

    Attributes
    ----------
    severity : {"error", "warning", "info"}
        An error makes the source unusable; a warning is a repair, an
        exclusion or a guess the user should check; an info is something
        the analyses resolve by rule that the user may want to know about
        (see :attr:`areas.validate.ValidationReport.notes`).
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

    severity: Severity
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
        text = printable(f"{head}: {self.message}")
        if self.fix:
            text += f"\n    Fix: {printable(self.fix)}"
        return text

    def text(self) -> str:
        """Return the message followed by the fix, as an error message says it.

        Printed through :func:`areas.errors.printable`, as every message is.
        """
        return self.message + (f" Fix: {self.fix}" if self.fix else "")

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
        return cls(
            self.text(),
            path=self.path,
            layer=self.layer,
            ids=self.ids,
            kind=self.kind,
            fix=self.fix,
            detail=self.message,
        )

    def warn(self) -> None:
        """Issue the problem as its warning class, pointed at the caller outside ``areas``."""
        cls = getattr(_errors, self.code, None)
        if not (isinstance(cls, type) and issubclass(cls, Warning)):
            cls = _errors.AreasWarning
        # worded like an error: "file ..., layer `...`: message Fix: ..."
        text = str(AreasError(self.text(), path=self.path, layer=self.layer))
        warnings.warn(text, cls, stacklevel=_user_stacklevel())

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
            ids=tuple(str(i) for i in exc.ids or ()),
            message=message,
            fix=fix,
            code=type(exc).__name__,
        )


def _user_stacklevel() -> int:
    """Return the ``stacklevel`` that points a warning at the first caller outside ``areas``."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame: types.FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame, level = frame.f_back, level + 1
    return level


@dataclass
class Collector:
    """Raise (``strict``) or collect the problems of one run.

    ``kind``, ``path`` and ``layer`` are where the problems are unless a call
    names another place; :meth:`at` returns a collector for one layer that
    shares the list of problems.
    """

    strict: bool
    kind: str | None = None
    path: str | None = None
    layer: str | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """True when an error was collected at this collector's place (or anywhere, at the top)."""
        return any(
            p.severity == "error" and (self.kind is None or p.kind == self.kind)
            for p in self.problems
        )

    def at(self, kind: str, path: object, layer: str | None) -> Collector:
        """Return a collector for the problems of one layer, sharing this one's list."""
        where = None if path is None else str(path)
        return Collector(self.strict, kind, where, layer, self.problems)

    def add(self, problem: Problem) -> None:
        """Record ``problem``; in strict mode raise an error and warn a warning."""
        if problem.severity == "error" and self.strict:
            raise problem.exception()
        self.problems.append(problem)
        if problem.severity == "warning" and self.strict:
            problem.warn()

    def error(
        self,
        category: type[AreasError],
        message: str,
        *,
        ids: Iterable[object] = (),
        fix: str | None = None,
        kind: str | None = None,
    ) -> None:
        """Record (or, in strict mode, raise) an error of class ``category``."""
        self.add(self._problem("error", category.__name__, message, ids, fix, kind))

    def warn(
        self,
        message: str,
        *,
        ids: Iterable[object] = (),
        fix: str | None = None,
        category: type[Warning] = AreasRepairWarning,
        kind: str | None = None,
    ) -> None:
        """Record (and, in strict mode, issue) a warning of class ``category``."""
        self.add(self._problem("warning", category.__name__, message, ids, fix, kind))

    def _problem(self, severity, code, message, ids, fix, kind) -> Problem:
        return Problem(
            severity=severity,
            kind=kind or self.kind,
            path=self.path,
            layer=self.layer,
            ids=tuple(str(i) for i in ids),
            message=message,
            fix=fix,
            code=code,
        )
