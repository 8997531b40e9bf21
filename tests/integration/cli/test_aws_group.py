"""`--backend aws` finds the model package group of the deployed stack when none is configured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli.commands import app


def outputs_file(tmp_path: Path, group: str) -> Path:
    # given the file `cdk deploy --outputs-file` writes (keys of the stacks' outputs)
    path = tmp_path / "cdk-outputs.json"
    path.write_text(
        json.dumps(
            {
                "mlpipe-dev-data": {"ArtifactBucketName": "bucket", "DataUri": "s3://bucket/data/"},
                "mlpipe-dev-pipeline": {
                    "PipelineName": "mlpipe-dev-training",
                    "ModelPackageGroupName": group,
                },
                "mlpipe-dev-serving": {
                    "ApiUrl": "https://abc.execute-api.eu-west-1.amazonaws.com/",
                    "FunctionName": "fn",
                    "ClientPolicyArn": "arn:aws:iam::1:policy/p",
                },
            }
        )
    )
    return path


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")


def test_models_list_uses_the_group_from_the_outputs_file(tmp_path: Path, aws_env: None) -> None:
    from moto import mock_aws

    with mock_aws():
        import boto3

        sagemaker = boto3.client("sagemaker")
        for group in ("deployed-group", "mlpipe-titanic"):
            sagemaker.create_model_package_group(ModelPackageGroupName=group)
        sagemaker.create_model_package(ModelPackageGroupName="deployed-group", ModelApprovalStatus="Approved")
        outputs = outputs_file(tmp_path, "deployed-group")
        env = {"MLPIPE_OUTPUTS_FILE": str(outputs), "MODEL_PACKAGE_GROUP": ""}

        # when listing the versions with no MODEL_PACKAGE_GROUP set
        result = CliRunner().invoke(app, ["models", "list", "--json", "--backend", "aws"], env=env)

    # then the deployed group's version is listed, not the default group's (empty) list
    assert result.exit_code == 0, result.output
    assert [(v["version"], v["status"]) for v in json.loads(result.stdout)] == [(1, "Approved")]


def test_without_a_deployed_stack_the_error_names_the_fix(tmp_path: Path, aws_env: None) -> None:
    env = {"MLPIPE_OUTPUTS_FILE": str(tmp_path / "missing.json"), "MODEL_PACKAGE_GROUP": ""}

    result = CliRunner().invoke(app, ["models", "list", "--backend", "aws"], env=env)

    assert result.exit_code == 2
    assert "MODEL_PACKAGE_GROUP" in result.stderr
