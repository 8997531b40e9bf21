"""Names pasted into JSON text (issue 18, item 9): every name is checked, placeholders go into the parsed
definition.

`MODEL_PACKAGE_GROUP='g", "ModelApprovalStatus": "Approved'` used to register version 1 as Approved: the
group was replaced into the definition's JSON text, where its quote ended the string and its own key
won. SageMaker's ModelPackageGroupName (EntityName) pattern, `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}` in
botocore's sagemaker/2017-07-24 service model, has no character that could do that.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.definition import placeholders
from pipeline.local_run import DEFINITION_PATH
from runtime.settings import SettingsError, check_group, load_settings

INJECTIONS = [
    'g", "ModelApprovalStatus": "Approved',
    'g","ModelApprovalStatus":"Approved","x":"',
    "g\\",
    "g; touch /tmp/pwned",
    "$(touch /tmp/pwned)",
    "g/../../etc",
    "g\nh",
    "g h",
    "-g",
    "g-",
    "x" * 64,
    "",
]


def nodes_with(node: Any, key: str) -> list[Any]:
    if isinstance(node, dict):
        found = [node[key]] if key in node else []
        return found + [hit for value in node.values() for hit in nodes_with(value, key)]
    if isinstance(node, list):
        return [hit for item in node for hit in nodes_with(item, key)]
    return []


@pytest.mark.parametrize("group", INJECTIONS[:3])
def test_a_quoted_group_stays_a_string_value_of_the_parsed_definition(group: str) -> None:
    definition = json.loads(DEFINITION_PATH.read_text())

    substituted = placeholders.substitute(definition, {placeholders.MODEL_PACKAGE_GROUP: group})

    assert nodes_with(substituted, "ModelApprovalStatus") == ["PendingManualApproval"]
    assert group in nodes_with(substituted, "ModelPackageGroupName")
    # Its text, parsed again, is the same structure: nothing was injected.
    assert json.loads(json.dumps(substituted)) == substituted
    assert substituted.keys() == definition.keys()


def test_substitute_replaces_every_placeholder_inside_strings_and_leaves_the_input_alone() -> None:
    definition: dict[str, Any] = {
        "a": [f"s3://{placeholders.ARTIFACT_BUCKET}/x", {"b": placeholders.PIPELINE_ROLE_ARN}],
        "n": 3,
    }
    values = {placeholders.ARTIFACT_BUCKET: "bucket", placeholders.PIPELINE_ROLE_ARN: "arn:role"}

    assert placeholders.substitute(definition, values) == {"a": ["s3://bucket/x", {"b": "arn:role"}], "n": 3}
    assert definition["a"][0] == f"s3://{placeholders.ARTIFACT_BUCKET}/x"


@pytest.mark.parametrize("group", INJECTIONS[:-1])
def test_a_group_from_the_environment_must_match_sagemakers_pattern(group: str) -> None:
    with pytest.raises(SettingsError, match="ModelPackageGroupName pattern"):
        load_settings({"MODEL_PACKAGE_GROUP": group})
    with pytest.raises(SettingsError):
        check_group(group)


@pytest.mark.parametrize("group", ["g", "mlpipe-titanic", "A1-b2--c3", "x" * 63])
def test_valid_group_names_are_accepted(group: str) -> None:
    assert load_settings({"MODEL_PACKAGE_GROUP": group}).model_package_group == group
    assert check_group(group) == group


def test_the_stack_refuses_a_bad_group_before_synth(tmp_path: Path) -> None:
    """The pipeline construct checks the stack config's group (stacks/constructs/training_pipeline.py)."""
    cdk = pytest.importorskip("aws_cdk")
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_s3 as s3

    from stacks.constructs.training_pipeline import TrainingPipeline

    stack = cdk.Stack(cdk.App(outdir=str(tmp_path)), "S")
    with pytest.raises(SettingsError, match="stack config model_package_group"):
        TrainingPipeline(
            stack,
            "P",
            pipeline_name="p",
            model_package_group=INJECTIONS[0],
            bucket=s3.Bucket(stack, "B"),
            role=iam.Role(stack, "R", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com")),
            retain_registry=False,
        )
