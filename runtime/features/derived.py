"""Derived features: `NAME=function(columns)` declarations and their row-wise computation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Union

import numpy as np

from runtime.features.errors import FeatureError
from runtime.features.values import ColumnValues, column_values, is_missing, to_numbers

# function name -> (minimum number of sources, maximum or None, result is categorical)
FUNCTIONS: dict[str, tuple[int, int | None, bool]] = {
    "title": (1, 1, True),
    "sum": (1, None, False),
    "present": (1, 1, False),
}
SYNTAX = "NAME=function(Column,...) separated by ';', e.g. Title=title(Name);FamilySize=sum(SibSp,Parch)"
_DECLARATION = re.compile(r"^([^=();,]+)=\s*(\w+)\s*\(([^()]*)\)$")
# "Braund, Mr. Owen Harris" -> "Mr"; "Rothes, the Countess. of (...)" -> "the Countess".
# Linear on purpose: the former `,\s*([^,.]+?)\s*\.` backtracked cubically on a comma followed by
# spaces (1,000 spaces took 1.7 s), a denial of service through one request's Name field.
_TITLE_SEGMENT = re.compile(r",([^,.]*)\.")

# A derived column: category keys for categorical functions, float64 values otherwise.
DerivedValues = Union[list[Union[str, None]], np.ndarray]  # noqa: UP007 (runtime alias on Python 3.10)


@dataclass(frozen=True)
class DerivedFeature:
    """One feature computed from raw columns, e.g. FamilySize=sum(SibSp,Parch)."""

    name: str
    function: str
    sources: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.function not in FUNCTIONS:
            raise ValueError(
                f"derived feature {self.name!r}: unknown function {self.function!r}; "
                f"use one of {', '.join(FUNCTIONS)}"
            )
        low, high, _ = FUNCTIONS[self.function]
        if len(self.sources) < low or (high is not None and len(self.sources) > high):
            expected = f"exactly {low}" if low == high else f"at least {low}"
            raise ValueError(
                f"derived feature {self.name!r}: {self.function}() takes {expected} column(s), "
                f"got {len(self.sources)}"
            )

    @property
    def categorical(self) -> bool:
        return FUNCTIONS[self.function][2]

    def declaration(self) -> str:
        return f"{self.name}={self.function}({','.join(self.sources)})"

    def compute(self, columns: Mapping[str, ColumnValues], n_rows: int) -> DerivedValues:
        if self.function == "title":
            return _titles(column_values(columns, self.sources[0], n_rows), self.sources[0])
        if self.function == "present":
            values = column_values(columns, self.sources[0], n_rows)
            return np.fromiter((0.0 if is_missing(v) else 1.0 for v in values), np.float64, count=n_rows)
        stacked = np.vstack([to_numbers(column_values(columns, s, n_rows), s) for s in self.sources])
        # A sum with every part missing is missing, not 0 (missing values stay missing).
        return np.where(np.isnan(stacked).all(axis=0), np.nan, np.nansum(stacked, axis=0))


def _titles(values: ColumnValues, column: str) -> list[str | None]:
    titles: list[str | None] = []
    for value in values.tolist() if isinstance(values, np.ndarray) else values:
        if is_missing(value):
            titles.append(None)
        elif isinstance(value, str):
            titles.append(_title(value))
        else:
            raise FeatureError(column, f"expected a name such as 'Last, Title. First', got {value!r}")
    return titles


def _title(name: str) -> str | None:
    """The text between the first comma and the next '.', stripped (same result as the former regex)."""
    for match in _TITLE_SEGMENT.finditer(name):
        segment = match.group(1)
        if segment:
            return segment.strip() or segment[-1]
    return None


def parse_derived_features(text: str) -> tuple[DerivedFeature, ...]:
    """Parse "Title=title(Name);FamilySize=sum(SibSp,Parch)"; empty text means no derived features."""
    features: list[DerivedFeature] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        match = _DECLARATION.match(part)
        if match is None:
            raise ValueError(f"cannot parse derived feature {part!r}; expected {SYNTAX}")
        name, function, sources = match.group(1).strip(), match.group(2), parse_columns(match.group(3))
        if any(f.name == name for f in features):
            raise ValueError(f"derived feature {name!r} is declared twice; give each one its own name")
        features.append(DerivedFeature(name=name, function=function, sources=sources))
    return tuple(features)


def parse_columns(text: str) -> tuple[str, ...]:
    """Parse "a, b,,c" into ("a", "b", "c")."""
    return tuple(name for name in (part.strip() for part in text.split(",")) if name)
