"""The scheduled drift check (EventBridge schedule -> this Lambda), one model per function.

Reads the live (latest Approved) version's baseline from its archive, the last DRIFT_WINDOW_HOURS of
captured requests of that version, compares them (runtime/monitoring/drift.py), publishes CloudWatch
metrics in `mlpipe/Monitoring` and writes the HTML report next to the version's evaluation report.
PutMetricData takes at most 1000 metrics a request and refuses NaN and infinities
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html).
Why a Lambda and not a processing job: docs/monitoring.md.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from runtime.monitoring.capture import METRIC_NAMESPACE
from runtime.monitoring.check import DriftCheck, NothingToCheck, run_drift_check, write_report
from runtime.settings import load_settings, model_name, open_registry, open_store

METRICS_PER_REQUEST = 1000
DEFAULT_WINDOW_HOURS = 24.0

logger = logging.getLogger("mlpipe.monitoring")
logger.setLevel(logging.INFO)


def metric_data(check: DriftCheck) -> list[dict[str, Any]]:
    """Per model: rows, drifted features, prediction PSI and verdict; per feature: PSI, missing change."""
    model = [{"Name": "Model", "Value": check.name}]
    report = check.report
    data = [
        {"MetricName": "WindowRows", "Dimensions": model, "Value": float(report.rows), "Unit": "Count"},
        {"MetricName": "DriftedFeatures", "Dimensions": model, "Value": float(len(report.drifted_features))},
        {"MetricName": "PredictionDrifted", "Dimensions": model, "Value": float(report.prediction_drifted)},
    ]
    if report.prediction is not None and math.isfinite(report.prediction.psi):
        data.append({"MetricName": "PredictionPSI", "Dimensions": model, "Value": report.prediction.psi})
    for column in report.columns:
        dimensions = [*model, {"Name": "Feature", "Value": column.name}]
        if math.isfinite(column.psi):
            data.append({"MetricName": "FeaturePSI", "Dimensions": dimensions, "Value": column.psi})
        data.append(
            {
                "MetricName": "FeatureMissingShareChange",
                "Dimensions": dimensions,
                "Value": column.missing_change,
            }
        )
    return data


def publish(cloudwatch: Any, data: list[dict[str, Any]], when: datetime) -> None:
    for start in range(0, len(data), METRICS_PER_REQUEST):
        chunk = [{**d, "Timestamp": when} for d in data[start : start + METRICS_PER_REQUEST]]
        cloudwatch.put_metric_data(Namespace=METRIC_NAMESPACE, MetricData=chunk)


def check_drift(environ: Mapping[str, str], cloudwatch: Any, now: datetime) -> dict[str, Any]:
    """One run: the check, its metrics and report; the summary the function returns (and logs)."""
    settings = load_settings(environ)
    name = model_name(settings.model_package_group)
    hours = float(environ.get("DRIFT_WINDOW_HOURS", "").strip() or DEFAULT_WINDOW_HOURS)
    store = open_store(settings)
    try:
        check = run_drift_check(
            open_registry(settings), store, bucket=environ["ARTIFACT_BUCKET"], name=name, end=now, hours=hours
        )
    except NothingToCheck as nothing:
        logger.warning("drift check skipped: %s", nothing)
        return {"status": "skipped", "reason": str(nothing)}
    publish(cloudwatch, metric_data(check), now)
    report_uri = write_report(store, check)
    summary = {
        "status": "checked",
        "version": check.version.version,
        "rows": check.report.rows,
        "drifted_features": check.report.drifted_features,
        "prediction_drifted": check.report.prediction_drifted,
        "report_uri": report_uri,
        "unreadable_batches": check.window.unreadable,
    }
    logger.info("drift check: %s", summary)
    return summary


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:  # noqa: ARG001
    import boto3  # noqa: PLC0415 - only in AWS; the tests pass a fake client to check_drift

    utc = timezone.utc  # noqa: UP017 (the runtime layer's 3.10 style)
    return check_drift(os.environ, boto3.client("cloudwatch"), datetime.now(utc))
