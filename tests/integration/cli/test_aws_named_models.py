"""Two named models deployed in one environment (docs/deploy.md, "A second model on AWS"), on moto:
`--name` addresses the model's own pipeline and function; without it, several models are an error.

CloudFormation's DescribeStacks returns each stack's Outputs
(https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from rich.console import Console
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.cli.cloud import run_on_aws
from tests.integration.aws.moto_stacks import OUTPUTS, REGION, create_stacks, definition
from tests.unit.pipeline.aws.conftest import fake_aws_env

__all__ = ["fake_aws_env"]  # the fixture, for pytest

# The stack names stacks/config.py gives `-c models=penguins` (the first model keeps the environment's).
FIRST = {"mlpipe-dev-data": OUTPUTS["mlpipe-dev-Data"]} | {
    f"mlpipe-dev-{unit}": OUTPUTS[f"mlpipe-dev-{unit.title()}"] for unit in ("pipeline", "serving")
}
PENGUINS = {
    "mlpipe-dev-penguins-pipeline": {
        "PipelineName": "mlpipe-dev-penguins-training",
        "ModelPackageGroupName": "mlpipe-penguins",
    },
    "mlpipe-dev-penguins-serving": {
        "ApiUrl": f"https://f6g7h8i9j0.execute-api.{REGION}.amazonaws.com/",
        "FunctionName": "mlpipe-dev-penguins-serving-fn",
        "ClientPolicyArn": "arn:aws:iam::123456789012:policy/mlpipe-dev-penguins-client",
    },
}


@pytest.fixture
def two_models(fake_aws_env: None) -> Iterator[Any]:
    with mock_aws():
        create_stacks(FIRST | PENGUINS)
        sagemaker = boto3.client("sagemaker")
        for pipeline in ("mlpipe-dev-training", "mlpipe-dev-penguins-training"):
            sagemaker.create_pipeline(
                PipelineName=pipeline,
                PipelineDefinition=definition(),
                RoleArn="arn:aws:iam::123456789012:role/r",
            )
        yield sagemaker


def _executions(sagemaker: Any, pipeline: str) -> int:
    return len(sagemaker.list_pipeline_executions(PipelineName=pipeline)["PipelineExecutionSummaries"])


def test_run_with_a_name_starts_that_models_pipeline_only(two_models: Any) -> None:
    output = io.StringIO()

    code = run_on_aws(
        ["Target=species"], wait=False, console=Console(file=output, width=300), name="penguins"
    )

    assert code == 0, output.getvalue()
    assert _executions(two_models, "mlpipe-dev-penguins-training") == 1
    assert _executions(two_models, "mlpipe-dev-training") == 0


def test_run_without_a_name_lists_the_deployed_models(
    two_models: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_on_aws(["Target=species"], wait=False, console=Console(file=io.StringIO()))

    assert code == 1
    assert "which model? " in capsys.readouterr().err
    assert (
        _executions(two_models, "mlpipe-dev-training")
        == _executions(two_models, "mlpipe-dev-penguins-training")
        == 0
    )


def test_approving_a_model_that_is_not_deployed_changes_nothing(two_models: Any) -> None:
    result = CliRunner().invoke(app, ["models", "approve", "1", "--backend", "aws", "--name", "wine"])

    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "model 'wine' (model package group mlpipe-wine) is not deployed" in message
    assert "serve 'penguins', 'titanic-dev'" in message and "-c models=" in message


def test_status_shows_the_named_models_stacks(two_models: Any) -> None:
    role = boto3.client("iam").create_role(RoleName="serving", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    boto3.client("lambda").create_function(
        FunctionName=PENGUINS["mlpipe-dev-penguins-serving"]["FunctionName"],
        Role=role,
        PackageType="Image",
        Code={"ImageUri": f"123456789012.dkr.ecr.{REGION}.amazonaws.com/serving:1"},
        Environment={"Variables": {"MODEL_VERSION": "4"}},
    )

    result = CliRunner().invoke(app, ["status", "--backend", "aws", "--json", "--name", "penguins"])
    unnamed = CliRunner().invoke(app, ["status", "--backend", "aws", "--json"])

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["stacks"] == [
        "mlpipe-dev-data",
        "mlpipe-dev-penguins-pipeline",
        "mlpipe-dev-penguins-serving",
    ]
    assert document["outputs"]["PipelineName"] == "mlpipe-dev-penguins-training"
    assert [target["model_version"] for target in document["serving"]] == ["4"]
    assert unnamed.exit_code == 1
    assert "pass --name NAME" in " ".join(unnamed.stderr.split())
