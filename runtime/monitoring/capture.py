"""Serving-time capture: a sample of validated inputs and predictions, batched, never in a request's way.

`record` only appends to an in-memory buffer (no I/O) and never raises: a capture failure is logged and
counted, the response is unchanged. A batch is written when the buffer holds `max_records` records or
its oldest record is `max_seconds` old, as one gzip JSON-lines object
`capture/<name>/date=YYYY-MM-DD/<uuid>.jsonl.gz` in the artifact bucket (locally under the state folder),
always from a writer thread. A long-running server (`mlpipe serve`) also checks on a timer; a Lambda
environment is frozen between invocations (https://docs.aws.amazon.com/lambda/latest/dg/
lambda-runtime-environment.html), so the handler calls `end_invocation` after building its answer, which
hands a due batch to the writer and waits for it at most `wait_seconds`. Records only: the model's input
columns that the request carried (strings cut to MAX_TEXT characters), never the raw body.
Failures are also published as the CloudWatch metric `mlpipe/Monitoring CaptureFailures` through the
embedded metric format on stdout (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/
CloudWatch_Embedded_Metric_Format_Specification.html).
"""

from __future__ import annotations

import gzip
import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

from runtime.store.base import join_uri

CAPTURE_PREFIX = "capture"
MAX_TEXT = 256
MAX_BUFFERED_BATCHES = 10  # the buffer keeps at most this many batches while writes fail, then drops
METRIC_NAMESPACE = "mlpipe/Monitoring"

logger = logging.getLogger("mlpipe.capture")


class WritesObjects(Protocol):
    """The part of `ArtifactStore` capture uses."""

    def put_bytes(self, data: bytes, uri: str) -> None: ...


class CapturesPredictions(Protocol):
    """What the serving handler calls (the real buffer, or a fake in tests)."""

    def record(
        self,
        *,
        request_id: str,
        version: str,
        instances: Sequence[Mapping[str, Any]],
        probabilities: Sequence[float],
        labels: Sequence[int],
        fields: Sequence[str],
    ) -> None: ...

    def end_invocation(self) -> None: ...


@dataclass(frozen=True, kw_only=True)
class CaptureSettings:
    bucket: str
    name: str
    rate: float = 1.0
    max_records: int = 1000
    max_seconds: float = 60.0
    wait_seconds: float = 2.0


def capture_prefix(bucket: str, name: str) -> str:
    """`s3://<bucket>/capture/<name>/`: every captured batch of the model is below it."""
    return join_uri(bucket, f"{CAPTURE_PREFIX}/{name}/")


def _clip(value: object) -> object:
    return value[:MAX_TEXT] if isinstance(value, str) else value


def _now_iso(seconds: float) -> str:
    utc = timezone.utc  # noqa: UP017 (runtime/ stays Python 3.10-compatible)
    return datetime.fromtimestamp(seconds, tz=utc).isoformat(timespec="milliseconds")


class CaptureBuffer:
    """The capture of one invocation environment (one Lambda sandbox, one server worker)."""

    def __init__(
        self,
        settings: CaptureSettings,
        open_store: Callable[[], WritesObjects],
        *,
        clock: Callable[[], float] = time.time,
        sample: Callable[[], float] = random.random,
    ) -> None:
        self.settings = settings
        self._open_store = open_store
        self._store: WritesObjects | None = None
        self._clock = clock
        self._sample = sample
        self._lock = threading.Lock()
        self._buffer: list[dict[str, Any]] = []
        self._oldest = 0.0
        self._writes: list[tuple[list[dict[str, Any]], threading.Event]] = []
        self._wake = threading.Condition()
        self._writer: threading.Thread | None = None
        self.stats = {"captured": 0, "written": 0, "failures": 0, "dropped": 0}

    def record(
        self,
        *,
        request_id: str,
        version: str,
        instances: Sequence[Mapping[str, Any]],
        probabilities: Sequence[float],
        labels: Sequence[int],
        fields: Sequence[str],
    ) -> None:
        """Buffer the request's records if it is sampled; never raises, never does I/O."""
        try:
            if self._sample() >= self.settings.rate:
                return
            now = self._clock()
            stamp = _now_iso(now)
            rows = [
                {
                    "request_id": request_id,
                    "instance": i,
                    "time": stamp,
                    "version": version,
                    "features": {f: _clip(instance[f]) for f in fields if f in instance},
                    "probability": float(probabilities[i]),
                    "label": int(labels[i]),
                }
                for i, instance in enumerate(instances)
            ]
            with self._lock:
                if not self._buffer:
                    self._oldest = now
                self._buffer.extend(rows)
                self.stats["captured"] += len(rows)
                self._bound_buffer()
        except Exception:
            self._failed("capture record failed; the response is unaffected")

    def due(self) -> bool:
        with self._lock:
            return bool(self._buffer) and (
                len(self._buffer) >= self.settings.max_records
                or self._clock() - self._oldest >= self.settings.max_seconds
            )

    def end_invocation(self) -> None:
        """In Lambda, after the answer is built: write a due batch before the environment is frozen."""
        try:
            if self.due():
                done = self._hand_over()
                if done is not None and not done.wait(self.settings.wait_seconds):
                    logger.warning("capture write still running after %.1f s", self.settings.wait_seconds)
        except Exception:
            self._failed("capture flush failed; the response is unaffected")

    def flush(self, timeout: float | None = None) -> bool:
        """Write everything buffered now (shutdown, tests); True when written within `timeout`."""
        done = self._hand_over()
        return True if done is None else done.wait(timeout)

    def start_timer(self) -> None:
        """Long-running servers: check every second whether a batch is due (a daemon thread)."""
        threading.Thread(target=self._tick, name="mlpipe-capture-timer", daemon=True).start()

    def _tick(self) -> None:
        while True:
            time.sleep(1.0)
            if self.due():
                self._hand_over()

    def _hand_over(self) -> threading.Event | None:
        with self._lock:
            batch, self._buffer = self._buffer, []
        if not batch:
            return None
        done = threading.Event()
        with self._wake:
            self._writes.append((batch, done))
            self._ensure_writer()
            self._wake.notify()
        return done

    def _ensure_writer(self) -> None:
        if self._writer is None or not self._writer.is_alive():
            self._writer = threading.Thread(target=self._write_forever, name="mlpipe-capture", daemon=True)
            self._writer.start()

    def _write_forever(self) -> None:
        while True:
            with self._wake:
                while not self._writes:
                    self._wake.wait()
                batch, done = self._writes.pop(0)
            try:
                self._write(batch)
            except Exception:
                self._failed(f"capture write of {len(batch)} records failed; they are dropped")
                self.stats["dropped"] += len(batch)
            finally:
                done.set()

    def _write(self, batch: list[dict[str, Any]]) -> None:
        lines = "".join(json.dumps(row, separators=(",", ":"), default=str) + "\n" for row in batch)
        date = batch[0]["time"][:10]
        key = f"{CAPTURE_PREFIX}/{self.settings.name}/date={date}/{uuid.uuid4().hex}.jsonl.gz"
        if self._store is None:
            self._store = self._open_store()
        data = gzip.compress(lines.encode("utf-8"), mtime=0)
        self._store.put_bytes(data, join_uri(self.settings.bucket, key))
        self.stats["written"] += len(batch)

    def _bound_buffer(self) -> None:
        """While writes fail, keep memory bounded: drop the oldest records beyond MAX_BUFFERED_BATCHES."""
        excess = len(self._buffer) - MAX_BUFFERED_BATCHES * self.settings.max_records
        if excess > 0:
            del self._buffer[:excess]
            self.stats["dropped"] += excess

    def _failed(self, message: str) -> None:
        self.stats["failures"] += 1
        try:
            logger.exception(message)
            print(failure_metric(self.settings.name, self._clock()), flush=True)
        except Exception:  # noqa: S110 - the last resort: a broken stdout must not reach the request
            pass


def failure_metric(name: str, seconds: float) -> str:
    """One CaptureFailures count for model `name`, as an embedded-metric-format log line."""
    return json.dumps(
        {
            "_aws": {
                "Timestamp": int(seconds * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": METRIC_NAMESPACE,
                        "Dimensions": [["Model"]],
                        "Metrics": [{"Name": "CaptureFailures", "Unit": "Count"}],
                    }
                ],
            },
            "Model": name,
            "CaptureFailures": 1,
        }
    )
