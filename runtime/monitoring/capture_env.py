"""The capture of a serving process, configured once from its environment (docs/monitoring.md).

| variable | meaning | default |
|---|---|---|
| `CAPTURE_RATE` | share of requests captured, 0 (off) to 1 | `1.0` (all: right for dev; lower it in prod) |
| `CAPTURE_MAX_RECORDS` | records per written batch | `1000` |
| `CAPTURE_MAX_SECONDS` | age of the oldest buffered record that makes a batch due | `60` |
| `ARTIFACT_BUCKET` | bucket the batches go to (set by the serving stack) | `mlpipe-local` locally |

A bad value turns capture off with a warning: capture must never stop a model from serving.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from runtime.monitoring.capture import CaptureBuffer, CaptureSettings
from runtime.settings import SettingsError, load_settings, model_name, open_store
from runtime.store.local import LOCAL_BUCKET

logger = logging.getLogger("mlpipe.capture")


def capture_from_environment(environ: Mapping[str, str] = os.environ) -> CaptureBuffer | None:
    """The configured capture, or None when it is off (rate 0, no bucket on AWS, or a bad setting)."""
    try:
        settings = load_settings(environ)
        rate = _number(environ, "CAPTURE_RATE", 1.0, upper=1.0)
        bucket = environ.get("ARTIFACT_BUCKET", "").strip() or (
            LOCAL_BUCKET if settings.backend == "local" else ""
        )
        if rate == 0.0 or not bucket:
            if not bucket:
                logger.warning("capture is off: ARTIFACT_BUCKET is not set")
            return None
        capture = CaptureSettings(
            bucket=bucket,
            name=model_name(settings.model_package_group),
            rate=rate,
            max_records=int(_number(environ, "CAPTURE_MAX_RECORDS", 1000, lower=1)),
            max_seconds=_number(environ, "CAPTURE_MAX_SECONDS", 60.0),
        )
    except (SettingsError, ValueError) as error:
        logger.warning("capture is off: %s", error)
        return None
    return CaptureBuffer(capture, lambda: open_store(settings))


def _number(
    environ: Mapping[str, str], name: str, default: float, *, lower: float = 0.0, upper: float | None = None
) -> float:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value >= lower and (upper is None or value <= upper)):  # also refuses NaN
        bound = f"between {lower:g} and {upper:g}" if upper is not None else f">= {lower:g}"
        raise SettingsError(f"{name}={text!r} is not a number {bound}; fix it or unset it")
    return value
