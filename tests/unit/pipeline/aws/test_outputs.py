from __future__ import annotations

import json
from pathlib import Path

import pytest

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
