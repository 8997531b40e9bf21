"""`mlpipe run --backend aws` (through run_on_aws), `mlpipe data upload` and `mlpipe status` on moto."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from rich.console import Console
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.cli.cloud import run_on_aws
from tests.integration.aws.moto_stacks import (
    BUCKET,
    PIPELINE,
    create_pipeline,
    create_serving_function,
    create_stacks,
)


@pytest.fixture
def aws(fake_aws_env: None) -> Iterator[None]:
    with mock_aws():
        create_stacks()
        yield


def run(params: list[str]) -> tuple[int, str]:
    output = io.StringIO()
    code = run_on_aws(params, wait=False, console=Console(file=output, width=300))
    return code, output.getvalue()


def test_run_starts_the_deployed_pipeline_with_the_typed_parameters(aws: None) -> None:
    sagemaker = create_pipeline()

    code, output = run(["MaxDepth=6", "Eta=0.1", "Seed=2"])

    [execution] = sagemaker.list_pipeline_executions(PipelineName=PIPELINE)["PipelineExecutionSummaries"]
    sent = sagemaker.list_pipeline_parameters_for_execution(
        PipelineExecutionArn=execution["PipelineExecutionArn"]
    )
    assert code == 0
    assert f"started {execution['PipelineExecutionArn']}" in output
    assert sent["PipelineParameters"] == [
        {"Name": "MaxDepth", "Value": "6"},
        {"Name": "Eta", "Value": "0.1"},
        {"Name": "Seed", "Value": "2"},
        # No test file: TrainFile's name, so Preprocess's test input is one object, not data/.
        {"Name": "TestFile", "Value": "train.csv"},
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [(["MaxDeph=6"], "unknown parameter(s) MaxDeph"), (["NumRound=many"], "NumRound is Integer")],
)
def test_bad_parameter_fails_before_any_aws_call(
    aws: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    params: list[str],
    message: str,
) -> None:
    def no_client(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("an AWS client was created before the parameters were checked")

    monkeypatch.setattr(boto3.session.Session, "client", no_client)

    code, _ = run(params)

    assert code == 2
    assert message in capsys.readouterr().err


def test_parameter_missing_from_the_deployed_pipeline_starts_nothing(
    aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    sagemaker = create_pipeline(without="Seed")

    code, _ = run(["Seed=2"])

    assert code == 2
    assert "redeploy" in capsys.readouterr().err
    assert sagemaker.list_pipeline_executions(PipelineName=PIPELINE)["PipelineExecutionSummaries"] == []


def test_data_upload_command_puts_files_in_the_stack_data_location(aws: None, tmp_path: Path) -> None:
    boto3.client("s3").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    train = tmp_path / "train.csv"
    train.write_text("Survived,Age\n1,22\n", encoding="utf-8")

    first = CliRunner().invoke(app, ["data", "upload", str(train)])
    train.write_text("Survived,Age\n0,40\n", encoding="utf-8")
    refused = CliRunner().invoke(app, ["data", "upload", str(train)])
    forced = CliRunner().invoke(app, ["data", "upload", str(train), "--force"])

    assert first.exit_code == 0, first.output
    assert f"uploaded  s3://{BUCKET}/data/train.csv" in first.output
    assert refused.exit_code == 1
    assert "--force" in refused.output
    assert forced.exit_code == 0
    assert "replaced" in forced.output


def test_status_json_shows_outputs_served_version_and_executions(aws: None) -> None:
    create_pipeline()
    create_serving_function(model_version="3")
    assert run(["MaxDepth=5"])[0] == 0

    result = CliRunner().invoke(app, ["status", "--json"])

    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["stacks"] == ["mlpipe-dev-Data", "mlpipe-dev-Pipeline", "mlpipe-dev-Serving"]
    assert document["outputs"]["PipelineName"] == PIPELINE
    assert document["serving"] == [{"qualifier": "live", "function_version": "1", "model_version": "3"}]
    [execution] = document["executions"]
    assert execution["status"] == "Succeeded"  # moto finishes executions at once


def test_status_table_from_an_outputs_file(aws: None, tmp_path: Path) -> None:
    outputs = tmp_path / "cdk-outputs.json"
    outputs.write_text(json.dumps({"mlpipe-dev-Data": {"DataUri": f"s3://{BUCKET}/data/"}}), encoding="utf-8")

    result = CliRunner().invoke(app, ["status", "--outputs-file", str(outputs)])

    assert result.exit_code == 0, result.output
    assert "Stack outputs" in result.output
    assert f"s3://{BUCKET}/data/" in result.output
