"""The error hierarchy: one base class, built-in bases kept, messages name file and layer."""

from __future__ import annotations

import pytest

from areas import errors


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (errors.MissingColumnError, KeyError),
        (errors.MissingColumnError, ValueError),
        (errors.DamagedFileError, OSError),
        (errors.EncodingError, UnicodeError),
        (errors.GeometryTypeError, TypeError),
        (errors.CoordinateError, ValueError),
        (errors.MissingLayerError, LookupError),
    ],
)
def test_errors_subclass_the_closest_builtin(cls, builtin):
    exc = cls("what is wrong", path="firms.csv", layer="companies", ids=["007"])
    assert isinstance(exc, errors.AreasError)
    assert isinstance(exc, builtin)
    assert str(exc) == "file firms.csv, layer `companies`: what is wrong"
    assert exc.ids == ["007"]


def test_format_ids_shortens_long_lists():
    assert errors.format_ids(["0001", "0002"]) == "0001, 0002"
    assert errors.format_ids([str(i) for i in range(25)]).endswith("and 15 more")
