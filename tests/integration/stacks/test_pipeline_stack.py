"""The SageMaker pipeline definition with its tokens, and the scope of the pipeline role."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from pipeline import bundles
from pipeline.definition import placeholders
from stacks.constructs.artifact_store import DATA_PREFIX, PIPELINE_OUTPUT_PREFIX
from stacks.constructs.training_pipeline import DEFINITION_FILE
from tests.integration.stacks.cfn import actions_of, only, resources_of

pytestmark = pytest.mark.slow
TOKEN = "<token>"


def _definition_parts(templates: dict[str, Any]) -> list[Any]:
    body = only(templates["pipeline"], "AWS::SageMaker::Pipeline")["PipelineDefinition"][
        "PipelineDefinitionBody"
    ]
    return body["Fn::Join"][1]


def _definition_with_markers(templates: dict[str, Any]) -> dict[str, Any]:
    """The definition JSON with every CloudFormation intrinsic replaced by a marker: it must still parse."""
    text = "".join(part if isinstance(part, str) else TOKEN for part in _definition_parts(templates))
    return json.loads(text)


def test_definition_has_the_train_evaluate_gate_and_register_steps(templates: dict[str, Any]) -> None:
    steps = {step["Name"]: step for step in _definition_with_markers(templates)["Steps"]}

    assert {"Preprocess", "Train", "Evaluate", "CheckQuality"} <= set(steps)
    assert steps["CheckQuality"]["Type"] == "Condition"
    branches = steps["CheckQuality"]["Arguments"]
    assert [step["Name"] for step in branches["IfSteps"]] == ["Register"]
    assert [step["Name"] for step in branches["ElseSteps"]] == ["QualityGateFailed"]


def test_no_placeholder_survives_and_tokens_fill_them(templates: dict[str, Any]) -> None:
    parts = _definition_parts(templates)
    text = json.dumps(parts)
    for placeholder in placeholders.ALL:
        assert placeholder not in text
    intrinsics = json.dumps([part for part in parts if not isinstance(part, str)])
    assert "Fn::GetAtt" in intrinsics  # role ARN
    assert "Fn::FindInMap" in intrinsics  # region's XGBoost image
    assert "mlpipe-dev-artifacts-${AWS::AccountId}-${AWS::Region}" in intrinsics
    assert "cdk-hnb659fds-assets" in intrinsics  # code bundles


def test_processing_steps_do_not_depend_on_the_bundle_file_name(templates: dict[str, Any]) -> None:
    # A file asset's S3 key is "<hash>.gz": the step must untar whatever file its code input holds.
    text = json.dumps(_definition_parts(templates))
    assert bundles.PROCESSING_BUNDLE not in text
    assert re.search(r"cdk-hnb659fds-assets-\$\{AWS::AccountId\}-\$\{AWS::Region\}/[0-9a-f]{64}\.gz", text)


def test_role_covers_every_bucket_prefix_the_definition_uses() -> None:
    text = DEFINITION_FILE.read_text()
    literal = re.findall(rf"s3://{placeholders.ARTIFACT_BUCKET}/([^/\"]+/)", text)
    joined = re.findall(rf'"s3:/",\s*"{placeholders.ARTIFACT_BUCKET}",\s*"([^"]+)"', text)
    used = set(literal) | {f"{prefix}/" for prefix in joined}

    assert used, "the definition no longer names artifact bucket prefixes; update this test"
    assert used <= {DATA_PREFIX, PIPELINE_OUTPUT_PREFIX}


def test_pass_role_only_for_itself_to_sagemaker(templates: dict[str, Any]) -> None:
    (policy,) = resources_of(templates["pipeline"], "AWS::IAM::Policy").values()
    passes = [s for s in policy["PolicyDocument"]["Statement"] if "iam:PassRole" in actions_of(s)]
    (statement,) = passes
    role_id = next(iter(resources_of(templates["pipeline"], "AWS::IAM::Role")))
    assert statement["Resource"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert statement["Condition"] == {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}


def test_role_has_no_managed_policies_and_is_for_sagemaker(templates: dict[str, Any]) -> None:
    (role,) = resources_of(templates["pipeline"], "AWS::IAM::Role").values()
    assert "ManagedPolicyArns" not in role
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "sagemaker.amazonaws.com"}


def test_sagemaker_actions_are_scoped_to_pipeline_jobs_and_this_group(templates: dict[str, Any]) -> None:
    (policy,) = resources_of(templates["pipeline"], "AWS::IAM::Policy").values()
    for statement in policy["PolicyDocument"]["Statement"]:
        if any(action.startswith("sagemaker:") for action in actions_of(statement)):
            resources = json.dumps(statement["Resource"])
            assert "pipelines-*" in resources or "mlpipe-titanic-dev" in resources, statement


def test_model_package_group_is_created_before_the_pipeline(templates: dict[str, Any]) -> None:
    group = only(templates["pipeline"], "AWS::SageMaker::ModelPackageGroup")
    assert group["ModelPackageGroupName"] == "mlpipe-titanic-dev"
    pipeline = next(
        r for r in templates["pipeline"]["Resources"].values() if r["Type"] == "AWS::SageMaker::Pipeline"
    )
    assert pipeline["DependsOn"]
