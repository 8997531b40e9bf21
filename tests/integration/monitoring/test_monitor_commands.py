"""`mlpipe monitor`, `mlpipe monitor labels` and the drift Lambda's run, offline on one local state folder.

The drift Lambda's PutMetricData calls are checked against botocore's service model (ParamValidator),
and the 1000-metrics-a-request limit and the refusal of NaN are those of
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html.
"""

from __future__ import annotations

import csv
import hashlib
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator
from typer.testing import CliRunner

from monitoring import handler as drift_handler
from pipeline.cli.commands import app
from runtime.registry.base import Registration
from runtime.registry.sqlite import SqliteModelRegistry
from runtime.store.local import LOCAL_BUCKET, LocalArtifactStore
from tests.integration.monitoring import loop

pytestmark = pytest.mark.slow
RUN = f"s3://{LOCAL_BUCKET}/runs/exec-1"


class ValidatingCloudWatch:
    """Records PutMetricData calls after checking each against botocore's CloudWatch model."""

    def __init__(self) -> None:
        model = botocore.session.get_session().get_service_model("cloudwatch")
        self.shape = model.operation_model("PutMetricData").input_shape
        self.calls: list[dict[str, Any]] = []

    def put_metric_data(self, **request: Any) -> None:
        report = ParamValidator().validate(request, self.shape)
        assert not report.has_errors(), report.generate_report()
        assert len(request["MetricData"]) <= 1000
        assert all(math.isfinite(d["Value"]) for d in request["MetricData"])
        self.calls.append(request)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A state folder with an Approved titanic version (with baseline) and shifted captured traffic."""
    work = tmp_path_factory.mktemp("monitor")
    archive, held_out = loop.train_model(work / "train", seed=3)
    home = work / "home"
    store = LocalArtifactStore(home)
    store.put_bytes(archive, f"{RUN}/model.tar.gz")
    registry = SqliteModelRegistry(home / "registry.db", "mlpipe-titanic")
    version = registry.register_version(
        Registration(
            artifact_uri=f"{RUN}/model.tar.gz",
            sha256=hashlib.sha256(archive).hexdigest(),
            metrics={"accuracy": 0.8, "auc": 0.85},
            parameters={},
            input_schema={},
            output_schema={},
            report_uri=f"{RUN}/evaluate/report/index.html",
        )
    )
    registry.set_status(version.version, "Approved")
    loop.serve_and_check(archive, loop.requests(held_out), home, loop.shifter(3))
    with (work / "labels.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["request_id", "instance", "Survived"])
        for i, batch in enumerate(loop.requests(held_out)):
            writer.writerows([f"req-{i}", j, 1 if b["Sex"] == "female" else 0] for j, b in enumerate(batch))
    return home


def _run(home: Path, *args: str) -> Any:
    env = {"MLPIPE_HOME": str(home), "MLPIPE_BACKEND": "local", "MLPIPE_CONFIG": ""}
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def test_mlpipe_monitor_prints_the_drift_table_and_writes_the_report(home: Path) -> None:
    result = _run(home, "monitor", "--name", "titanic")
    assert result.exit_code == 0, result.output
    assert "223 captured records" in result.output
    [report] = (home / "s3" / LOCAL_BUCKET / "runs" / "exec-1" / "evaluate" / "report" / "drift").glob(
        "*.html"
    )
    html = report.read_text()
    assert "drifted: Age, Embarked, Sex" in html and "<script" not in html
    assert str(report) in result.output.replace("\n", "")


def test_mlpipe_monitor_labels_reports_live_accuracy_next_to_the_evaluation(home: Path) -> None:
    labels = str(home.parent / "labels.csv")
    result = _run(home, "monitor", "labels", "--name", "titanic", "--label", "Survived", labels)
    assert result.exit_code == 0, result.output
    # The "truth" is the (flipped) sex, so the live accuracy is poor: the join and the maths are real.
    assert "223 labels joined, 0 unmatched" in result.output
    assert "0.8000" in result.output and "0.8500" in result.output


def test_the_drift_lambda_publishes_valid_metrics_and_writes_the_report(home: Path) -> None:
    cloudwatch = ValidatingCloudWatch()
    environ = {"MLPIPE_BACKEND": "local", "MLPIPE_HOME": str(home), "ARTIFACT_BUCKET": LOCAL_BUCKET}
    summary = drift_handler.check_drift(environ, cloudwatch, datetime.now(UTC))
    assert summary["status"] == "checked" and summary["drifted_features"] == ["Age", "Embarked", "Sex"]
    data = {
        (d["MetricName"], tuple(x["Value"] for x in d["Dimensions"])): d["Value"]
        for call in cloudwatch.calls
        for d in call["MetricData"]
    }
    assert data[("DriftedFeatures", ("titanic",))] == 3.0
    assert data[("PredictionDrifted", ("titanic",))] == 1.0
    assert data[("FeaturePSI", ("titanic", "Age"))] > 1
    assert {c["Namespace"] for c in cloudwatch.calls} == {"mlpipe/Monitoring"}


def test_the_drift_lambda_skips_a_model_without_an_approved_version(tmp_path: Path) -> None:
    environ = {"MLPIPE_BACKEND": "local", "MLPIPE_HOME": str(tmp_path), "ARTIFACT_BUCKET": LOCAL_BUCKET}
    SqliteModelRegistry(tmp_path / "registry.db", "mlpipe-titanic")
    summary = drift_handler.check_drift(environ, ValidatingCloudWatch(), datetime.now(UTC))
    assert summary["status"] == "skipped" and "approve one first" in summary["reason"]
