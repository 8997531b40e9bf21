from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from pipeline.aws.errors import CloudError
from pipeline.aws.outputs import DeployedStack, from_outputs_file, load_deployed_stack

CDK_OUTPUTS = {
    "mlpipe-dev-data": {"ArtifactBucketName": "art-bucket", "DataUri": "s3://art-bucket/data/"},
    "mlpipe-dev-pipeline": {"PipelineName": "mlpipe-dev-training", "ModelPackageGroupName": "grp"},
    "mlpipe-dev-serving": {
        "ApiUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com/",
        "FunctionName": "fn",
        "ClientPolicyArn": "arn:aws:iam::123456789012:policy/c",
    },
}


def write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "cdk-outputs.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_outputs_file_of_several_stacks_is_merged(tmp_path: Path) -> None:
    deployed = from_outputs_file(write(tmp_path, CDK_OUTPUTS))

    assert deployed.stack_names == ("mlpipe-dev-data", "mlpipe-dev-pipeline", "mlpipe-dev-serving")
    assert deployed.artifact_bucket == "art-bucket"
    assert deployed.data_uri == "s3://art-bucket/data/"
    assert deployed.pipeline_name == "mlpipe-dev-training"
    assert deployed.model_package_group == "grp"
    assert deployed.api_url.startswith("https://abc123.")
    assert deployed.function_name == "fn"
    assert deployed.client_policy_arn.endswith(":policy/c")


def test_missing_output_names_the_key_the_source_and_the_fix() -> None:
    deployed = DeployedStack(stack_names=("s",), outputs={"DataUri": "s3://b/data/"}, source="outputs file x")

    with pytest.raises(CloudError, match=r"'ApiUrl' not found in outputs file x .*cdk deploy"):
        _ = deployed.api_url


def test_same_key_with_two_values_is_refused(tmp_path: Path) -> None:
    document = {"a": {"DataUri": "s3://one/data/"}, "b": {"DataUri": "s3://two/data/"}}

    with pytest.raises(CloudError, match="differs between stacks a and b"):
        from_outputs_file(write(tmp_path, document))


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"stack": "value"}'])
def test_malformed_outputs_file_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "out.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CloudError, match=str(path)):
        from_outputs_file(path)


def test_missing_outputs_file_says_how_to_write_it(tmp_path: Path) -> None:
    with pytest.raises(CloudError, match="--outputs-file"):
        from_outputs_file(tmp_path / "absent.json")


def test_outputs_file_from_the_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLPIPE_OUTPUTS_FILE", str(write(tmp_path, CDK_OUTPUTS)))

    # A CloudFormation client that fails on use proves the file was read instead.
    deployed = load_deployed_stack(cloudformation=object())

    assert deployed.function_name == "fn"


# stacks/config.py with -c models=penguins: the first model keeps the environment's stack names.
TWO_MODELS = {
    **CDK_OUTPUTS,
    "mlpipe-dev-pipeline": {
        "PipelineName": "mlpipe-dev-training",
        "ModelPackageGroupName": "mlpipe-titanic-dev",
    },
    "mlpipe-dev-penguins-pipeline": {
        "PipelineName": "mlpipe-dev-penguins-training",
        "ModelPackageGroupName": "mlpipe-penguins",
    },
    "mlpipe-dev-penguins-serving": {
        "ApiUrl": "https://def456.execute-api.eu-west-1.amazonaws.com/",
        "FunctionName": "penguins-fn",
        "ClientPolicyArn": "arn:aws:iam::123456789012:policy/p",
    },
}


def test_a_named_model_gets_the_data_stack_and_its_own_stacks(tmp_path: Path) -> None:
    deployed = from_outputs_file(write(tmp_path, TWO_MODELS), "mlpipe-penguins")

    assert deployed.stack_names == (
        "mlpipe-dev-data",
        "mlpipe-dev-penguins-pipeline",
        "mlpipe-dev-penguins-serving",
    )
    assert deployed.artifact_bucket == "art-bucket"
    assert deployed.pipeline_name == "mlpipe-dev-penguins-training"
    assert deployed.model_package_group == "mlpipe-penguins"
    assert (deployed.function_name, deployed.client_policy_arn[-2:]) == ("penguins-fn", "/p")
    assert deployed.api_url.startswith("https://def456.")
    assert deployed.models == ("mlpipe-penguins", "mlpipe-titanic-dev")


def test_the_first_model_keeps_the_environments_stacks(tmp_path: Path) -> None:
    deployed = from_outputs_file(write(tmp_path, TWO_MODELS), "mlpipe-titanic-dev")

    assert deployed.stack_names == ("mlpipe-dev-data", "mlpipe-dev-pipeline", "mlpipe-dev-serving")
    assert (deployed.pipeline_name, deployed.function_name) == ("mlpipe-dev-training", "fn")


def test_several_models_and_no_name_list_the_names_when_a_model_output_is_read(tmp_path: Path) -> None:
    deployed = from_outputs_file(write(tmp_path, TWO_MODELS))

    assert deployed.artifact_bucket == "art-bucket"  # shared: no model needed
    for read in (lambda: deployed.function_name, lambda: deployed.model_package_group):
        with pytest.raises(
            CloudError, match=r"which model\? .* deploy 2: penguins, titanic-dev; pass --name"
        ):
            read()


def test_a_model_that_is_not_deployed_is_refused_with_the_deployed_names(tmp_path: Path) -> None:
    with pytest.raises(CloudError) as raised:
        from_outputs_file(write(tmp_path, TWO_MODELS), "mlpipe-wine")

    message = str(raised.value)
    assert "model 'wine' (model package group mlpipe-wine) is not deployed" in message
    assert "serve 'penguins', 'titanic-dev'" in message
    assert "-c models=<every other model>,wine" in message and "A second model on AWS" in message


def test_the_only_model_is_refused_another_name(tmp_path: Path) -> None:
    with pytest.raises(CloudError, match=r"'penguins' .* is not deployed: .* serve 'grp'. Use --name grp,"):
        from_outputs_file(write(tmp_path, CDK_OUTPUTS), "mlpipe-penguins")


def _described(outputs: dict[str, dict[str, str]]) -> dict[str, object]:
    return {
        "Stacks": [
            {
                "StackName": stack,
                "CreationTime": datetime(2026, 1, 1, tzinfo=UTC),
                "StackStatus": "CREATE_COMPLETE",
                "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in values.items()],
            }
            for stack, values in outputs.items()
        ]
    }


def test_cloudformation_stacks_are_selected_the_same_way() -> None:
    """DescribeStacks lists every stack with its Outputs (OutputKey, OutputValue):
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html"""
    cloudformation = boto3.client(
        "cloudformation", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stubber = Stubber(cloudformation)
    listed = {**TWO_MODELS, "other-app": {"PipelineName": "someone-elses"}}
    for _ in range(2):
        stubber.add_response("describe_stacks", _described(listed), {})

    with stubber:
        penguins = load_deployed_stack(cloudformation=cloudformation, group="mlpipe-penguins")
        unnamed = load_deployed_stack(cloudformation=cloudformation)

    assert penguins.stack_names[1:] == ("mlpipe-dev-penguins-pipeline", "mlpipe-dev-penguins-serving")
    assert penguins.function_name == "penguins-fn"
    with pytest.raises(CloudError, match="which model"):
        _ = unnamed.pipeline_name
