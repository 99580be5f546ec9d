"""What a map needs, resolved once: options, scenario and the analysis results."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from areas.atlas import Atlas
from areas.errors import ConfigError
from areas.output.i18n import check_lang
from areas.output.maps.styles import COLOR_BY
from areas.scenario import resolve_as_of, resolve_include


class MapContext:
    """Everything a map needs, resolved once: options, scenario and the analysis results."""

    def __init__(
        self,
        atlas: Atlas,
        *,
        as_of: Any,
        include: Iterable[str] | str | None,
        lang: str,
        summary: Any,
        color_by: str,
    ) -> None:
        if not isinstance(atlas, Atlas):
            msg = (
                f"`atlas` must be an areas.Atlas (from `areas.load()`), got {type(atlas).__name__}"
            )
            raise ConfigError(msg)
        self.atlas = atlas
        self.lang = check_lang(lang)
        if color_by not in COLOR_BY:
            msg = f"`color_by` must be one of {', '.join(COLOR_BY)}, got {color_by!r}"
            raise ConfigError(msg)
        self.color_by = color_by
        if summary is None:
            from areas.analysis.summary import summarize  # the maps only call the public analysis

            include = resolve_include(include)
            summary = summarize(atlas, as_of=resolve_as_of(as_of), include=include)
        # read with ``.get`` only: a mapping or the summary's typed parameters
        params = getattr(summary, "params", None) or {}
        self.summary = summary
        self.params = params
        self.as_of = self._agree("as_of", as_of, params.get("as_of"), resolve_as_of)
        self.include = self._agree(
            "include", include, params.get("include"), lambda v: tuple(sorted(resolve_include(v)))
        )
        distance = params.get("distance", "straight") or "straight"
        factor = params.get("detour_factor")
        self.network = distance == "network"
        self.walk = distance in ("walk", "detour") and factor not in (None, 0)
        self.detour_factor = float(factor) if self.walk and factor is not None else 1.0
        #: Tables prepared once for the maps drawn with this context (see ``geo._indexed``).
        self.memo: dict = {}

    @staticmethod
    def _agree(name: str, given: Any, from_summary: Any, resolve) -> Any:
        empty = given is None or (name == "include" and not given)
        if from_summary is None:
            return resolve(given)
        if not empty and resolve(given) != resolve(from_summary):
            msg = (
                f"`{name}` is {given!r} but the `summary` was computed with {from_summary!r}; "
                f"leave `{name}` out to use the summary's, or compute a new summary"
            )
            raise ConfigError(msg)
        return resolve(from_summary)

    def part(self, *names: str) -> pd.DataFrame | None:
        """Return the summary's frame at ``names`` (``part("bid", "bids")``), or None."""
        obj = self.summary
        for name in names:
            obj = getattr(obj, name, None)
            if obj is None:
                return None
        return obj if isinstance(obj, pd.DataFrame) else None
