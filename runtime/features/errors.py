"""The one error type of the feature code: bad input data, named by column."""

from __future__ import annotations


class FeatureError(ValueError):
    """A value or column that the feature spec cannot use; the message names the column and the fix."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(f"column {column!r}: {reason}")
        self.column = column
        self.reason = reason
