"""Issue 12 on AWS: `--name` against the deployed stacks; `models approve --force` recorded on the package.

The deployed stacks serve one model package group (their `ModelPackageGroupName` output); a `--name` that
maps to another group fails before any call that changes anything, naming the deployed model. Stacks,
pipeline and registry are moto's; outputs come from CloudFormation DescribeStacks as in production.

AWS behaviour relied upon:
- UpdateModelPackage takes CustomerMetadataProperties next to ModelApprovalStatus in one call
  (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateModelPackage.html); keys may hold
  letters, digits, `-` (botocore's CustomerMetadataKey pattern). moto replaces the map with what the update
  carries (DESIGN.md), so the registry re-sends the current entries: sha256 must survive.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from rich.console import Console
from typer.testing import CliRunner

from pipeline.cli.cloud import run_on_aws
from pipeline.cli.commands import app
from promoter.schema_guard import SCHEMA_CHANGE_ACCEPTED
from tests.integration.aws.moto_stacks import PIPELINE, create_pipeline, create_stacks

DEPLOYED, OTHER = "mlpipe-titanic-dev", "mlpipe-penguins"


@pytest.fixture
def aws(fake_aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv("MODEL_PACKAGE_GROUP", raising=False)
    monkeypatch.delenv("MLPIPE_CONFIG", raising=False)
    with mock_aws():
        create_stacks()
        sagemaker = boto3.client("sagemaker")
        for group in (DEPLOYED, OTHER):
            sagemaker.create_model_package_group(ModelPackageGroupName=group)
            sagemaker.create_model_package(
                ModelPackageGroupName=group,
                ModelApprovalStatus="PendingManualApproval",
                CustomerMetadataProperties={"sha256": "ff" * 32},
            )
        yield sagemaker


def status_of(sagemaker: Any, group: str) -> dict[str, Any]:
    [summary] = sagemaker.list_model_packages(ModelPackageGroupName=group)["ModelPackageSummaryList"]
    return dict(sagemaker.describe_model_package(ModelPackageName=summary["ModelPackageArn"]))


def test_run_with_another_name_starts_nothing_and_names_the_deployed_model(
    aws: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sagemaker = create_pipeline()

    code = run_on_aws(["Target=species"], wait=False, name="penguins", console=Console(file=io.StringIO()))

    err = capsys.readouterr().err
    assert code == 1
    assert "'penguins'" in err and "'titanic-dev'" in err and "--name titanic-dev" in err
    assert sagemaker.list_pipeline_executions(PipelineName=PIPELINE)["PipelineExecutionSummaries"] == []


def test_run_with_the_deployed_name_starts_the_pipeline(aws: Any) -> None:
    sagemaker = create_pipeline()

    code = run_on_aws(
        ["Target=Survived"], wait=False, name="titanic-dev", console=Console(file=io.StringIO())
    )

    assert code == 0
    assert len(sagemaker.list_pipeline_executions(PipelineName=PIPELINE)["PipelineExecutionSummaries"]) == 1


def test_run_with_a_config_naming_another_model_starts_nothing(aws: Any, tmp_path: Any) -> None:
    """mlpipe.toml's name counts on AWS as locally: its columns must not train into the deployed group."""
    sagemaker = create_pipeline()
    config = tmp_path / "mlpipe.toml"
    config.write_text('name = "penguins"\ntarget = "species"\n')

    result = CliRunner().invoke(app, ["run", "--backend", "aws", "--config", str(config), "--no-wait"])

    assert result.exit_code == 1, result.output
    assert "'penguins'" in result.output and "--name titanic-dev" in result.output
    assert sagemaker.list_pipeline_executions(PipelineName=PIPELINE)["PipelineExecutionSummaries"] == []


@pytest.mark.parametrize("command", [["approve", "1", "--force"], ["reject", "1"], ["rollback"]])
def test_models_commands_with_another_name_change_nothing(aws: Any, command: list[str]) -> None:
    result = CliRunner().invoke(app, ["models", *command, "--backend", "aws", "--name", "penguins"])

    assert result.exit_code == 1, result.output
    assert "--name titanic-dev" in result.output
    assert status_of(aws, OTHER)["ModelApprovalStatus"] == "PendingManualApproval"
    assert SCHEMA_CHANGE_ACCEPTED not in status_of(aws, OTHER)["CustomerMetadataProperties"]


def test_approve_force_records_the_accepted_schema_change_on_the_package(aws: Any) -> None:
    result = CliRunner().invoke(
        app, ["models", "approve", "1", "--force", "--backend", "aws", "--name", "titanic-dev"]
    )

    described = status_of(aws, DEPLOYED)
    assert result.exit_code == 0, result.output
    assert described["ModelApprovalStatus"] == "Approved"
    # the marker the promoter reads, and the digest moto would have wiped
    assert described["CustomerMetadataProperties"] == {"sha256": "ff" * 32, SCHEMA_CHANGE_ACCEPTED: "true"}


def test_approve_without_force_records_no_acceptance(aws: Any) -> None:
    result = CliRunner().invoke(app, ["models", "approve", "1", "--backend", "aws"])

    described = status_of(aws, DEPLOYED)
    assert result.exit_code == 0, result.output
    assert described["ModelApprovalStatus"] == "Approved"
    assert described["CustomerMetadataProperties"] == {"sha256": "ff" * 32}
