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


def test_kind_fix_and_detail_are_given_when_the_error_is_made():
    exc = errors.DuplicateIdError(
        "two stops share s1 Fix: renumber",
        path="stops.gpkg",
        kind="stops",
        fix="renumber",
        detail="two stops share s1",
    )
    assert (exc.kind, exc.fix, exc.detail) == ("stops", "renumber", "two stops share s1")
    plain = errors.AreasError("what is wrong")
    assert (plain.kind, plain.fix, plain.detail) == (None, None, None)


def test_in_layer_makes_a_new_error_of_the_same_class():
    exc = errors.DamagedFileError("is truncated", path="firms.gpkg", fix="export it again")
    located = exc.in_layer("companies", "companies")
    assert type(located) is errors.DamagedFileError and located is not exc
    assert str(located) == "file firms.gpkg, layer `companies`: is truncated"
    assert (located.kind, located.fix) == ("companies", "export it again")
    assert exc.layer is None and str(exc) == "file firms.gpkg: is truncated"  # unchanged
    named = errors.AreasError("x", layer="lokalplaner").in_layer("districts")
    assert named.layer == "lokalplaner"  # a layer already named is kept
