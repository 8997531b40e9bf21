"""One drift check of a model's live version: its baseline, the captured window, the comparison, the
HTML report next to the version's evaluation report. Shared by the drift Lambda and `mlpipe monitor`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from runtime.features.archive import read_model_archive
from runtime.monitoring.drift import DriftReport, compare
from runtime.monitoring.report import render_html
from runtime.monitoring.window import Window, read_window
from runtime.registry.base import ModelRegistry, ModelVersion
from runtime.store.base import ArtifactStore, join_uri

DRIFT_FOLDER = "drift"


class NothingToCheck(Exception):
    """No live version, or one without a baseline; the message says what to do."""


@dataclass(frozen=True)
class DriftCheck:
    name: str
    version: ModelVersion
    start: datetime
    end: datetime
    window: Window
    report: DriftReport
    report_uri: str


def live_version(registry: ModelRegistry, name: str) -> ModelVersion:
    version = registry.latest_approved()
    if version is None:
        raise NothingToCheck(f"model {name!r} has no Approved version to monitor; approve one first")
    return version


def drift_report_uri(version: ModelVersion, bucket: str, name: str, end: datetime) -> str:
    """`<evaluation report folder>/drift/<end>.html`, or under `monitoring/<name>/` without a report."""
    stamp = end.strftime("%Y-%m-%dT%H%M%SZ")
    if version.report_uri:
        folder = version.report_uri.rsplit("/", 1)[0]
        return f"{folder}/{DRIFT_FOLDER}/{stamp}.html"
    return join_uri(bucket, f"monitoring/{name}/v{version.version}/{DRIFT_FOLDER}/{stamp}.html")


def run_drift_check(
    registry: ModelRegistry, store: ArtifactStore, *, bucket: str, name: str, end: datetime, hours: float
) -> DriftCheck:
    """Compare the last `hours` of the live version's captured requests with its baseline."""
    version = live_version(registry, name)
    baseline = read_model_archive(store.get_bytes(version.artifact_uri)).baseline
    if baseline is None:
        raise NothingToCheck(
            f"version {version.version} of {name!r} was trained before baselines existed; retrain it "
            "(mlpipe run) and approve the new version to monitor drift"
        )
    start = end - timedelta(hours=hours)
    window = read_window(store, bucket, name, start=start, end=end, version=str(version.version))
    report = compare(baseline, window.records)
    uri = drift_report_uri(version, bucket, name, end)
    return DriftCheck(name, version, start, end, window, report, uri)


def write_report(store: ArtifactStore, check: DriftCheck) -> str:
    """Write the HTML report; returns its URI."""
    html = render_html(
        check.report, name=check.name, version=check.version.version, start=check.start, end=check.end
    )
    store.put_bytes(html.encode("utf-8"), check.report_uri)
    return check.report_uri
