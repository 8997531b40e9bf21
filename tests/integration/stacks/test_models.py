"""Several named models in one environment (issue 12 item 1): `-c models=penguins` adds a pipeline and a
serving stack for model penguins next to the first model's, over the one shared data stack.

The two-model synth runs with the policy checks on (cdk-nag AwsSolutions and the cfn-guard rules fail
the synth on a finding: `two_model_assembly`), and checkov here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.aws.outputs import select_model
from runtime.names import MODEL_PACKAGE_GROUP_NAME
from stacks import snapshots
from tests.integration.conftest import SECOND_MODEL
from tests.reliability.test_checkov import ACKNOWLEDGED, CONFIG, checkov

pytestmark = pytest.mark.slow
FIRST_STACKS = ("mlpipe-dev-data", "mlpipe-dev-pipeline", "mlpipe-dev-serving")
SECOND_STACKS = (f"mlpipe-dev-{SECOND_MODEL}-pipeline", f"mlpipe-dev-{SECOND_MODEL}-serving")
# The name property of each resource type whose name is unique in an account and region (or an API's
# name, which the console lists by). A resource without it gets a name CloudFormation generates from the
# stack name, logical id and a random suffix, unique per stack
# (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html).
NAME_PROPERTY = {
    "AWS::SageMaker::Pipeline": "PipelineName",
    "AWS::SageMaker::ModelPackageGroup": "ModelPackageGroupName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::ApiGatewayV2::Api": "Name",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::Events::Rule": "Name",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::KMS::Alias": "AliasName",
    "AWS::ECR::Repository": "RepositoryName",
}


def _template(cdk_out: Path, stack: str) -> dict[str, Any]:
    return dict(json.loads((cdk_out / f"{stack}.template.json").read_text()))


def _physical_names(template: dict[str, Any]) -> set[str]:
    """The names the template sets (JSON text when built from intrinsics)."""
    names = set()
    for resource in template["Resources"].values():
        value = resource.get("Properties", {}).get(NAME_PROPERTY.get(resource["Type"], ""))
        if value is not None:
            names.add(value if isinstance(value, str) else json.dumps(value, sort_keys=True))
    return names


def test_the_assembly_holds_one_data_stack_and_two_stacks_per_model(two_model_assembly: Path) -> None:
    stacks = sorted(
        path.name.removesuffix(".template.json") for path in two_model_assembly.glob("*.template.json")
    )

    assert stacks == sorted((*FIRST_STACKS, *SECOND_STACKS))


def test_the_first_models_templates_are_unchanged_by_a_second_model(
    two_model_assembly: Path, cloud_assembly: Path
) -> None:
    for stack in FIRST_STACKS:
        text = (two_model_assembly / f"{stack}.template.json").read_bytes()
        assert text == (cloud_assembly / f"{stack}.template.json").read_bytes(), stack
        snapshot = (snapshots.SNAPSHOT_DIR / f"{stack}.template.json").read_text()
        assert snapshots.render(json.loads(text)) == snapshot, f"{stack} differs from tests/snapshots"


def test_no_physical_name_is_set_twice_across_the_two_models(two_model_assembly: Path) -> None:
    first = set().union(*(_physical_names(_template(two_model_assembly, s)) for s in FIRST_STACKS[1:]))
    second = set().union(*(_physical_names(_template(two_model_assembly, s)) for s in SECOND_STACKS))

    assert first & second == set()
    assert {"mlpipe-dev-training", "mlpipe-titanic-dev", "mlpipe-dev-serving-ServingErrors"} <= first
    assert {
        f"mlpipe-dev-{SECOND_MODEL}-training",
        f"mlpipe-{SECOND_MODEL}",
        f"mlpipe-dev-{SECOND_MODEL}-api",
        f"mlpipe-dev-{SECOND_MODEL}-serving-ServingErrors",
        f"mlpipe-dev-{SECOND_MODEL}-serving-DriftedFeatures",
    } <= second
    assert all(SECOND_MODEL in name for name in second), second


def test_each_models_stacks_name_only_its_own_group(two_model_assembly: Path) -> None:
    first = json.dumps([_template(two_model_assembly, s) for s in FIRST_STACKS[1:]])
    second = json.dumps([_template(two_model_assembly, s) for s in SECOND_STACKS])

    assert "mlpipe-titanic-dev" in first and f"mlpipe-{SECOND_MODEL}" not in first
    assert f"mlpipe-{SECOND_MODEL}" in second and "mlpipe-titanic-dev" not in second


def test_every_serving_stack_ships_the_one_image_after_the_data_stack(two_model_assembly: Path) -> None:
    """One Dockerfile, one asset hash and tag, in the data stack's repository (the serving stacks'
    synthesizer names it); each serving stack deploys after the data stack. Publishing the second serving
    stack's copy pushes nothing: cdk-assets checks ECR DescribeImages for the tag first and skips a found
    image (aws-cdk, packages/@aws-cdk/cdk-assets-lib/lib/private/handlers/container-images.ts,
    `destinationAlreadyExists`), so the repository's immutable tags are never pushed twice."""
    manifest = json.loads((two_model_assembly / "manifest.json").read_text())["artifacts"]
    images = {}
    for stack in ("mlpipe-dev-serving", SECOND_STACKS[1]):
        assets = json.loads((two_model_assembly / f"{stack}.assets.json").read_text())["dockerImages"]
        images[stack] = {
            (asset_hash, destination["repositoryName"])
            for asset_hash, asset in assets.items()
            for destination in asset["destinations"].values()
        }
        assert "mlpipe-dev-data" in manifest[stack]["dependencies"]
    assert images["mlpipe-dev-serving"] == images[SECOND_STACKS[1]]
    assert {repository for _, repository in images["mlpipe-dev-serving"]} == {"mlpipe-dev-serving"}


def test_the_cli_selects_each_models_stacks_from_their_declared_outputs(two_model_assembly: Path) -> None:
    """The outputs `cdk deploy --outputs-file` would write (values made up, keys and groups from the
    templates): pipeline/aws/outputs.py pairs each model's stacks as stacks/config.py names them."""
    outputs = {}
    for stack in (*FIRST_STACKS, *SECOND_STACKS):
        declared = _template(two_model_assembly, stack).get("Outputs", {})
        outputs[stack] = {key: f"{stack}/{key}" for key in declared if not key.startswith("ExportsOutput")}
        if MODEL_PACKAGE_GROUP_NAME in declared:
            outputs[stack][MODEL_PACKAGE_GROUP_NAME] = declared[MODEL_PACKAGE_GROUP_NAME]["Value"]

    second = select_model(outputs, "synth", f"mlpipe-{SECOND_MODEL}")
    first = select_model(outputs, "synth", "mlpipe-titanic-dev")

    assert second.stack_names == ("mlpipe-dev-data", *SECOND_STACKS)
    assert (second.function_name, second.pipeline_name) == (
        f"{SECOND_STACKS[1]}/FunctionName",
        f"{SECOND_STACKS[0]}/PipelineName",
    )
    assert first.stack_names == FIRST_STACKS
    assert first.api_url == "mlpipe-dev-serving/ApiUrl"
    assert second.artifact_bucket == first.artifact_bucket == "mlpipe-dev-data/ArtifactBucketName"


def test_checkov_finds_no_unacknowledged_failure_with_two_models(two_model_assembly: Path) -> None:
    report = checkov(two_model_assembly, "--config-file", str(CONFIG))

    assert [(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]] == []
    skipped = checkov(two_model_assembly, "--check", ",".join(ACKNOWLEDGED))
    for check in skipped["results"]["failed_checks"]:
        logical_id = check["resource"].split(".", 1)[1]
        assert any(logical_id.startswith(p) for p in ACKNOWLEDGED[check["check_id"]]), check["resource"]
