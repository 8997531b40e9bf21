from __future__ import annotations

import pytest

from runtime.features import DerivedFeature, parse_columns, parse_derived_features


def test_parse_derived_features() -> None:
    parsed = parse_derived_features(" Title = title(Name) ; FamilySize=sum(SibSp, Parch);")
    assert parsed == (
        DerivedFeature("Title", "title", ("Name",)),
        DerivedFeature("FamilySize", "sum", ("SibSp", "Parch")),
    )
    assert parsed[0].categorical and not parsed[1].categorical
    assert parsed[1].declaration() == "FamilySize=sum(SibSp,Parch)"
    assert parse_derived_features("") == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Title", "cannot parse derived feature 'Title'"),
        ("Title=title Name", "expected NAME=function"),
        ("X=log(Age)", "unknown function 'log'"),
        ("X=title(Name,Sex)", "takes exactly 1 column"),
        ("X=sum()", "takes at least 1 column"),
        ("X=present(Cabin);X=sum(A,B)", "declared twice"),
    ],
)
def test_parse_errors_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_derived_features(text)


def test_parse_columns_strips_and_drops_empties() -> None:
    assert parse_columns(" a, b,,c ,") == ("a", "b", "c")
    assert parse_columns("") == ()
