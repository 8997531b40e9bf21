"""Raw values to numbers and category keys: what counts as missing, what is refused, what is the same."""

from __future__ import annotations

import math

import numpy as np
import pytest

from runtime.features.errors import FeatureError
from runtime.features.values import (
    category_codes,
    category_index,
    category_key,
    category_keys,
    column_values,
    is_missing,
    to_numbers,
)


@pytest.mark.parametrize("value", [None, "", " ", "\t\n", math.nan, np.float32("nan")])
def test_blank_none_and_nan_are_missing(value: object) -> None:
    assert is_missing(value) is True


@pytest.mark.parametrize("value", ["0", " x ", 0, 0.0, False, "nan-ish"])
def test_zero_false_and_text_are_present(value: object) -> None:
    assert is_missing(value) is False


def test_blank_strings_become_nan_numbers_not_zero() -> None:
    numbers = to_numbers(["1.5", " ", "", None, " 2 "], "Age")
    assert numbers[0] == 1.5 and numbers[4] == 2.0
    assert np.isnan(numbers[1:4]).all()


def test_blank_strings_are_missing_categories() -> None:
    assert category_keys([" a ", " ", "", "b"], "Sex") == ["a", None, None, "b"]
    assert [category_key(v, "Sex") for v in (" ", "", None, math.nan)] == [None, None, None, None]


def test_numeric_arrays_pass_through_as_float64() -> None:
    numbers = to_numbers(np.array([1, 2, 3], dtype=np.int32), "n")
    assert numbers.dtype == np.float64 and numbers.tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["abc"], "cannot read 'abc' as a number"),
        ([True], "got the boolean True"),
        ([{"a": 1}], "expected a number, got dict"),
        (["1e39"], "infinite or too large"),
        ([10**400], "infinite or too large"),
    ],
)
def test_non_numbers_are_refused_with_the_column_and_the_fix(values: list[object], message: str) -> None:
    with pytest.raises(FeatureError, match=message) as error:
        to_numbers(values, "Fare")
    assert "Fare" in str(error.value)


def test_three_as_int_float_and_text_is_one_category() -> None:
    assert {category_key(v, "c") for v in (3, 3.0, "3", np.int64(3))} == {"3"}
    assert category_key(2.5, "c") == "2.5"
    assert category_key(True, "c") == "True"


def test_a_list_is_not_a_category() -> None:
    with pytest.raises(FeatureError, match="expected a string or a number, got list"):
        category_key([1], "c")


def test_codes_of_known_unknown_and_missing_keys() -> None:
    index = category_index(["a", "b", "rare"])
    assert index == {"a": 0.0, "b": 1.0, "rare": 2.0}
    codes = category_codes(["b", "zzz", None], index, fallback="rare")
    assert codes[:2].tolist() == [1.0, 2.0] and math.isnan(codes[2])
    assert math.isnan(category_codes(["zzz"], index, fallback=None)[0])


def test_a_left_out_column_is_all_missing_and_a_short_one_is_refused() -> None:
    assert column_values({}, "Age", 2) == [None, None]
    with pytest.raises(FeatureError, match="has 1 values but the input has 2 rows"):
        column_values({"Age": ["1"]}, "Age", 2)
    with pytest.raises(FeatureError, match="one-dimensional"):
        column_values({"Age": np.zeros((2, 2))}, "Age", 2)
