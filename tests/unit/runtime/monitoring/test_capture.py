"""Capture batching (N records or T seconds, on the writer thread), sampling, bounds, settings, read-back."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from runtime.monitoring import capture as capture_module
from runtime.monitoring.capture import CaptureBuffer, CaptureSettings
from runtime.monitoring.capture_env import capture_from_environment
from runtime.monitoring.window import read_window
from runtime.store.local import LOCAL_BUCKET, LocalArtifactStore


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 23, 59, 30, tzinfo=UTC).timestamp()

    def __call__(self) -> float:
        return self.now


class RecordingStore:
    def __init__(self) -> None:
        self.writes: list[tuple[str, str]] = []

    def put_bytes(self, data: bytes, uri: str) -> None:
        self.writes.append((uri, threading.current_thread().name))


def _record(buffer: CaptureBuffer, n: int = 1) -> None:
    buffer.record(
        request_id="r",
        version="3",
        instances=[{"Age": 30}] * n,
        probabilities=[0.5] * n,
        labels=[1] * n,
        fields=["Age"],
    )


def test_a_batch_is_due_at_n_records_or_t_seconds_and_written_off_the_request_thread():
    store, clock = RecordingStore(), Clock()
    buffer = CaptureBuffer(
        CaptureSettings(bucket="b", name="m", max_records=3, max_seconds=60), lambda: store, clock=clock
    )
    _record(buffer, 2)
    buffer.end_invocation()
    assert store.writes == []  # 2 records, 0 s: not due
    _record(buffer)
    buffer.end_invocation()
    clock.now += 61
    _record(buffer)
    buffer.end_invocation()
    assert len(store.writes) == 1  # a fresh record: not due
    clock.now += 61
    buffer.end_invocation()  # one record, but 61 s old
    assert [name for _, name in store.writes] == ["mlpipe-capture", "mlpipe-capture"]
    # the day of the batch's first record: the second batch started after midnight
    assert [uri.split("/")[5] for uri, _ in store.writes] == ["date=2026-03-01", "date=2026-03-02"]


def test_sampling_keeps_the_configured_share():
    draws = iter([0.05, 0.5, 0.09, 0.99])
    buffer = CaptureBuffer(
        CaptureSettings(bucket="b", name="m", rate=0.1), RecordingStore, sample=lambda: next(draws)
    )
    for _ in range(4):
        _record(buffer)
    assert buffer.stats["captured"] == 2


def test_memory_stays_bounded_while_writes_fail(monkeypatch):
    monkeypatch.setattr(capture_module, "MAX_BUFFERED_BATCHES", 2)
    buffer = CaptureBuffer(CaptureSettings(bucket="b", name="m", max_records=10), RecordingStore)
    _record(buffer, 35)
    assert buffer.stats["dropped"] == 15 and buffer.stats["captured"] == 35


def test_written_batches_read_back_as_a_window(tmp_path: Path):
    store, clock = LocalArtifactStore(tmp_path), Clock()
    buffer = CaptureBuffer(CaptureSettings(bucket=LOCAL_BUCKET, name="m"), lambda: store, clock=clock)
    _record(buffer, 4)
    assert buffer.flush(timeout=5)
    files = list((tmp_path / "s3" / LOCAL_BUCKET / "capture" / "m" / "date=2026-03-01").glob("*.jsonl.gz"))
    assert len(files) == 1
    start = datetime.fromtimestamp(clock.now, UTC)
    window = read_window(store, LOCAL_BUCKET, "m", start=start, end=start + timedelta(hours=1))
    assert len(window.records) == 4 and window.records[0]["features"] == {"Age": 30}
    assert (
        read_window(
            store, LOCAL_BUCKET, "m", start=start, end=start + timedelta(hours=1), version="2"
        ).records
        == []
    )
    later = read_window(
        store, LOCAL_BUCKET, "m", start=start + timedelta(seconds=1), end=start + timedelta(1)
    )
    assert later.records == []


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, (LOCAL_BUCKET, "titanic", 1.0)),
        ({"CAPTURE_RATE": "0.25", "MODEL_PACKAGE_GROUP": "mlpipe-churn"}, (LOCAL_BUCKET, "churn", 0.25)),
        ({"MLPIPE_BACKEND": "aws", "ARTIFACT_BUCKET": "bkt"}, ("bkt", "titanic", 1.0)),
        ({"CAPTURE_RATE": "0"}, None),
        ({"CAPTURE_RATE": "2"}, None),  # a bad value turns capture off, never stops serving
        ({"CAPTURE_MAX_RECORDS": "many"}, None),
        ({"MLPIPE_BACKEND": "aws"}, None),  # no bucket to write to
    ],
)
def test_settings_from_the_environment(environ, expected):
    buffer = capture_from_environment(environ)
    got = None if buffer is None else (buffer.settings.bucket, buffer.settings.name, buffer.settings.rate)
    assert got == expected
