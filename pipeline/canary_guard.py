"""What `mlpipe serve` counts during a canary: each version's scoring outcomes over a sliding window.

An error of the model is a scoring call that raises anything but `FeatureError`: the handler answers those
with a 500 `internal_error`. A `FeatureError` (a value the spec cannot use), a contract violation or a bad
request are the client's (4xx) and are never held against a version; neither is a 503 (nothing loaded,
nothing scored). The thresholds come from the environment (docs/deploy.md, "Canary, locally").
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from lambda_inference.served_model import LoadedModel, ScoresRecords
from runtime.features.errors import FeatureError
from runtime.features.predictor import Prediction

MAX_ERROR_RATE_ENV = "MLPIPE_CANARY_MAX_ERROR_RATE"
MIN_REQUESTS_ENV = "MLPIPE_CANARY_MIN_REQUESTS"
WINDOW_SECONDS_ENV = "MLPIPE_CANARY_WINDOW_SECONDS"
MAX_OUTCOMES = 100_000  # per version: bounds memory whatever the request rate


@dataclass(frozen=True, kw_only=True)
class Thresholds:
    """Alarm when the candidate's error rate over the last `window_seconds` exceeds `max_error_rate`,
    once it has answered at least `min_requests` in that window (a few requests prove nothing)."""

    max_error_rate: float = 0.05
    min_requests: int = 20
    window_seconds: float = 60.0

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Thresholds:
        defaults = cls()
        try:
            found = cls(
                max_error_rate=float(environ.get(MAX_ERROR_RATE_ENV) or defaults.max_error_rate),
                min_requests=int(environ.get(MIN_REQUESTS_ENV) or defaults.min_requests),
                window_seconds=float(environ.get(WINDOW_SECONDS_ENV) or defaults.window_seconds),
            )
        except ValueError as error:
            raise ValueError(f"canary thresholds: {error}; e.g. {MAX_ERROR_RATE_ENV}=0.05") from None
        if not 0 <= found.max_error_rate < 1 or found.min_requests < 1 or not found.window_seconds > 0:
            raise ValueError(
                f"canary thresholds out of range: {MAX_ERROR_RATE_ENV} in [0, 1), "
                f"{MIN_REQUESTS_ENV} >= 1, {WINDOW_SECONDS_ENV} > 0"
            )
        return found


class ErrorWindow:
    """Thread-safe (time, failed) outcomes per version, pruned to the window when read."""

    def __init__(self, thresholds: Thresholds, clock: Callable[[], float] = time.monotonic) -> None:
        self.thresholds = thresholds
        self._clock = clock
        self._lock = threading.Lock()
        self._outcomes: dict[int, deque[tuple[float, bool]]] = {}

    def record(self, version: int, failed: bool) -> None:
        with self._lock:
            outcomes = self._outcomes.setdefault(version, deque(maxlen=MAX_OUTCOMES))
            outcomes.append((self._clock(), failed))

    def counts(self, version: int) -> tuple[int, int]:
        """(errors, requests) of `version` within the window."""
        oldest = self._clock() - self.thresholds.window_seconds
        with self._lock:
            outcomes = self._outcomes.get(version, deque())
            while outcomes and outcomes[0][0] < oldest:
                outcomes.popleft()
            return sum(failed for _, failed in outcomes), len(outcomes)

    def alarm_reason(self, version: int) -> str | None:
        """Why `version` must be rolled back, or None while it stays within the threshold."""
        errors, requests = self.counts(version)
        limit = self.thresholds
        if requests < limit.min_requests or errors / requests <= limit.max_error_rate:
            return None
        return (
            f"canary v{version}: error rate {errors}/{requests} = {errors / requests:.1%} over "
            f"{limit.max_error_rate:.1%} in the last {limit.window_seconds:g} s"
        )

    def forget(self, version: int) -> None:
        with self._lock:
            self._outcomes.pop(version, None)


class CountingPredictor:
    """A scorer that records each call's outcome for its version, then answers (or raises) as before."""

    def __init__(self, inner: ScoresRecords, version: int, window: ErrorWindow) -> None:
        self._inner, self._version, self._window = inner, version, window
        self.spec = getattr(inner, "spec", None)  # the handler applies the spec's serving contract

    def predict_records(self, records: Sequence[Mapping[str, object]]) -> Prediction:
        try:
            prediction = self._inner.predict_records(records)
        except FeatureError:
            raise  # the client's value (a 400), neither a success nor an error of the model
        except Exception:
            self._window.record(self._version, failed=True)
            raise
        self._window.record(self._version, failed=False)
        return prediction


def counted(model: LoadedModel, window: ErrorWindow) -> LoadedModel:
    return LoadedModel(
        version=model.version,
        sha256=model.sha256,
        predictor=CountingPredictor(model.predictor, model.version, window),
    )
