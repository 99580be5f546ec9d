"""Modules that can be called like the function they are named after.

``areas.load`` is both a function (``areas.load("layers.gpkg")``) and the
package of the loading wing (``areas.load.config``); ``areas.validate`` is
both the function and its module. Python binds a submodule to its parent's
attribute on first import, so a plain function of the same name would be
replaced by the module as soon as anything imported the module. Instead the
module itself is made callable: calling it calls the function.
"""

from __future__ import annotations

import sys
import types
from typing import Any

__all__ = ["make_callable"]


class _CallableModule(types.ModuleType):
    """A module whose call forwards to one of its functions."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.__dict__["__call_target__"](*args, **kwargs)


def make_callable(module_name: str, target: str) -> None:
    """Make the module ``module_name`` callable as its function ``target``."""
    module = sys.modules[module_name]
    module.__dict__["__call_target__"] = getattr(module, target)
    module.__class__ = _CallableModule
