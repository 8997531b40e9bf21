"""`mlpipe run --backend aws` (through run_on_aws), `mlpipe data upload` and `mlpipe status` on moto."""

from __future__ import annotations

import hashlib
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

    code, output = run(["MaxDepth=6", "Eta=0.1", "Seed=2", "Target=Survived"])

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
        {"Name": "Target", "Value": "Survived"},
        # No test file: TrainFile's name, so Preprocess's test input is one object, not data/.
        {"Name": "TestFile", "Value": "train.csv"},
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (["MaxDeph=6"], "unknown parameter(s) MaxDeph"),
        (["NumRound=many"], "NumRound is Integer"),
        # Issue 11 item 3: every problem in one run.
        (["NumRound=0", "MinAccuracy=1.5", "MaxDepth=-3"], "NumRound=0 must be in [1, 100000]"),
        (["NumRound=0", "MinAccuracy=1.5", "MaxDepth=-3"], "MinAccuracy=1.5 must be in [0, 1]"),
        (["NumRound=0", "MinAccuracy=1.5", "MaxDepth=-3"], "MaxDepth=-3 must be in [1, 30]"),
    ],
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

    code, _ = run(["Seed=2", "Target=Survived"])

    assert code == 2
    assert "redeploy" in capsys.readouterr().err
    assert sagemaker.list_pipeline_executions(PipelineName=PIPELINE)["PipelineExecutionSummaries"] == []


def test_data_upload_command_puts_files_in_the_stack_data_location(aws: None, tmp_path: Path) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    train = tmp_path / "train.csv"
    train.write_text("Survived,Age\n1,22\n", encoding="utf-8")
    first_key = f"data/sha256/{hashlib.sha256(train.read_bytes()).hexdigest()}/train.csv"

    first = CliRunner().invoke(app, ["data", "upload", str(train)])
    again = CliRunner().invoke(app, ["data", "upload", str(train)])
    train.write_text("Survived,Age\n0,40\n", encoding="utf-8")
    changed_key = f"data/sha256/{hashlib.sha256(train.read_bytes()).hexdigest()}/train.csv"
    changed = CliRunner().invoke(app, ["data", "upload", str(train)])

    assert first.exit_code == 0, first.output
    assert f"uploaded  s3://{BUCKET}/{first_key}" in first.output
    assert f"--param TrainFile={first_key.removeprefix('data/')}" in first.output
    assert again.exit_code == 0, again.output
    assert "unchanged" in again.output  # same content, same key: not sent again
    # A changed file lands beside the first: runs that read the first key still find it.
    assert changed.exit_code == 0, changed.output
    assert f"uploaded  s3://{BUCKET}/{changed_key}" in changed.output
    stored = s3.list_objects_v2(Bucket=BUCKET, Prefix="data/")["Contents"]
    assert sorted(o["Key"] for o in stored) == sorted([first_key, changed_key])
    assert s3.get_object(Bucket=BUCKET, Key=first_key)["Body"].read() == b"Survived,Age\n1,22\n"


def test_data_upload_refuses_to_replace_an_object_it_did_not_write(aws: None, tmp_path: Path) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    train = tmp_path / "train.csv"
    train.write_text("Survived,Age\n1,22\n", encoding="utf-8")
    key = f"data/sha256/{hashlib.sha256(train.read_bytes()).hexdigest()}/train.csv"
    # given: an object at the content key with other bytes and no recorded SHA-256 (put by hand)
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"something else")

    refused = CliRunner().invoke(app, ["data", "upload", str(train)])
    forced = CliRunner().invoke(app, ["data", "upload", str(train), "--force"])

    assert refused.exit_code == 1
    assert "--force" in refused.output
    assert forced.exit_code == 0, forced.output
    assert "replaced" in forced.output
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == train.read_bytes()


def test_status_json_shows_outputs_served_version_and_executions(aws: None) -> None:
    create_pipeline()
    create_serving_function(model_version="3")
    assert run(["MaxDepth=5", "Target=Survived"])[0] == 0

    result = CliRunner().invoke(app, ["status", "--backend", "aws", "--json"])

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

    result = CliRunner().invoke(app, ["status", "--backend", "aws", "--outputs-file", str(outputs)])

    assert result.exit_code == 0, result.output
    assert "Stack outputs" in result.output
    assert f"s3://{BUCKET}/data/" in result.output


def test_status_refuses_an_outputs_file_with_the_local_backend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MLPIPE_BACKEND", raising=False)
    monkeypatch.setenv("MLPIPE_HOME", str(tmp_path / "state"))
    outputs = tmp_path / "cdk-outputs.json"
    outputs.write_text("{}", encoding="utf-8")

    typed = CliRunner().invoke(app, ["status", "--outputs-file", str(outputs)])
    # The same file from the environment is a shell default for the AWS commands: not an error.
    from_env = CliRunner().invoke(app, ["status"], env={"MLPIPE_OUTPUTS_FILE": str(outputs)})

    assert typed.exit_code == 2
    assert "--outputs-file describe a deployed app" in typed.output
    assert "add --backend aws" in typed.output
    assert from_env.exit_code == 0, from_env.output
    assert "state folder" in from_env.output
