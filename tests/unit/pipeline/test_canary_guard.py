"""What a serve worker counts against a canary version (pipeline/canary_guard.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pytest

from pipeline.canary_guard import CountingPredictor, ErrorWindow, Thresholds
from runtime.features.errors import FeatureError
from runtime.features.predictor import Prediction


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Scorer:
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.spec = "the spec"

    def predict_records(self, records: Sequence[Mapping[str, object]]) -> Prediction:
        if self.error is not None:
            raise self.error
        return Prediction(labels=np.zeros(len(records), dtype=np.int64), probabilities=np.zeros(len(records)))


def window(clock: Clock, **limits: float) -> ErrorWindow:
    return ErrorWindow(Thresholds(**{"max_error_rate": 0.1, "min_requests": 10, **limits}), clock)  # type: ignore[arg-type]


def test_an_error_rate_over_the_threshold_names_the_rate() -> None:
    errors = window(Clock())
    for failed in [True] * 2 + [False] * 8:
        errors.record(2, failed)
    assert errors.alarm_reason(2) == "canary v2: error rate 2/10 = 20.0% over 10.0% in the last 60 s"
    assert errors.alarm_reason(1) is None  # another version's outcomes are its own


def test_at_the_threshold_or_below_the_minimum_count_there_is_no_alarm() -> None:
    errors = window(Clock())
    for failed in [True] + [False] * 9:
        errors.record(2, failed)
    assert errors.alarm_reason(2) is None  # exactly 10%: not over
    few = window(Clock())
    for _ in range(9):
        few.record(2, True)
    assert few.alarm_reason(2) is None  # 9 of 9 failed, but 9 requests prove nothing


def test_outcomes_older_than_the_window_are_forgotten() -> None:
    clock = Clock()
    errors = window(clock, window_seconds=30)
    for _ in range(10):
        errors.record(2, True)
    clock.now = 31
    errors.record(2, False)
    assert errors.counts(2) == (0, 1)


def test_scoring_exceptions_count_client_value_errors_do_not() -> None:
    errors = window(Clock())
    with pytest.raises(RuntimeError):
        CountingPredictor(Scorer(RuntimeError("boom")), 2, errors).predict_records([{}])
    with pytest.raises(FeatureError):
        CountingPredictor(Scorer(FeatureError("Age", "not a number")), 2, errors).predict_records([{}])
    counting = CountingPredictor(Scorer(), 2, errors)
    counting.predict_records([{}])
    assert errors.counts(2) == (1, 2)
    assert counting.spec == "the spec"  # the handler still applies the model's serving contract


def test_thresholds_come_from_the_environment_and_bad_values_name_the_variable() -> None:
    found = Thresholds.from_environment(
        {
            "MLPIPE_CANARY_MAX_ERROR_RATE": "0.2",
            "MLPIPE_CANARY_MIN_REQUESTS": "5",
            "MLPIPE_CANARY_WINDOW_SECONDS": "9",
        }
    )
    assert found == Thresholds(max_error_rate=0.2, min_requests=5, window_seconds=9)
    assert Thresholds.from_environment({}) == Thresholds()
    for bad in ({"MLPIPE_CANARY_MAX_ERROR_RATE": "lots"}, {"MLPIPE_CANARY_MAX_ERROR_RATE": "1.5"}):
        with pytest.raises(ValueError, match="MLPIPE_CANARY_MAX_ERROR_RATE"):
            Thresholds.from_environment(bad)
