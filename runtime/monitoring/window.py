"""Read a window of captured records back from the store (the drift Lambda and `mlpipe monitor`)."""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from runtime.monitoring.capture import capture_prefix
from runtime.store.base import ArtifactStore, StoreError

MAX_WINDOW_RECORDS = 500_000  # ~1.7 KB a parsed record (measured): ~850 MB, within the 2 GB drift Lambda
MAX_BATCH_BYTES = 64 * 2**20  # one captured batch, decompressed (a batch is ~1000 records, ~0.4 MB)


@dataclass(frozen=True)
class Window:
    records: list[dict[str, Any]]
    batches: int
    unreadable: int  # batches skipped because they were not gzip JSON lines


def dates_between(start: datetime, end: datetime) -> list[str]:
    """The `date=` partitions a window [start, end) touches (UTC dates, YYYY-MM-DD)."""
    days, day = [], start.date()
    while day <= end.date():
        days.append(day.isoformat())
        day += timedelta(days=1)
    return days


def read_window(
    store: ArtifactStore,
    bucket: str,
    name: str,
    *,
    start: datetime,
    end: datetime,
    version: str | None = None,
) -> Window:
    """Captured records of model `name` with start <= time < end (and of `version`, if given).

    `start` and `end` are timezone-aware UTC datetimes: records carry UTC ISO 8601 times, compared as text.
    """
    low, high = start.isoformat(timespec="milliseconds"), end.isoformat(timespec="milliseconds")
    records: list[dict[str, Any]] = []
    batches = unreadable = 0
    for day in dates_between(start, end):
        for uri in sorted(store.list_uris(f"{capture_prefix(bucket, name)}date={day}/")):
            batches += 1
            try:
                rows = list(_rows(store.get_bytes(uri)))
            except (OSError, EOFError, zlib.error, ValueError, StoreError):
                unreadable += 1
                continue
            records.extend(
                r
                for r in rows
                if low <= str(r.get("time", "")) < high and (version is None or r.get("version") == version)
            )
            if len(records) > MAX_WINDOW_RECORDS:
                raise ValueError(
                    f"over {MAX_WINDOW_RECORDS} captured records in the window; shorten it or lower "
                    "CAPTURE_RATE on the serving function"
                )
    return Window(records=records, batches=batches, unreadable=unreadable)


def _rows(data: bytes) -> Iterator[dict[str, Any]]:
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
        text = stream.read(MAX_BATCH_BYTES + 1)
    if len(text) > MAX_BATCH_BYTES:
        raise ValueError("captured batch too large")
    for line in text.splitlines():
        if line.strip():
            row = json.loads(line)
            if isinstance(row, dict):
                yield row
