"""The pipeline role can list the processing code bundle, as SageMaker does for an S3Prefix input.

Defect 2 of issue 10. A ProcessingInput with S3DataType `S3Prefix` makes SageMaker use "all objects
with the specified key name prefix"
(https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProcessingS3Input.html), found by
listing the bucket, which needs s3:ListBucket on the bucket
(https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html, "Permissions"); `s3:prefix`
is the condition key that scopes a listing
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.integration.service_model import resolve

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def template(cloud_assembly: Path) -> dict[str, Any]:
    [path] = cloud_assembly.glob("*-pipeline.template.json")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def role_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    """Every statement of the identity policies attached to the pipeline role, tokens resolved."""
    [role_id] = [
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Role" and logical_id.startswith("PipelineRole")
    ]
    statements = []
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in properties.get("Roles", []):
            statements += properties["PolicyDocument"]["Statement"]
    return json.loads(json.dumps(statements), object_hook=lambda node: _resolved(node, template))


def _resolved(node: dict[str, Any], template: dict[str, Any]) -> Any:
    # Called bottom-up: a list-valued Fn::Split is left for the Fn::Select around it to resolve.
    intrinsic = len(node) == 1 and next(iter(node)).startswith(("Fn::", "Ref")) and "Fn::Split" not in node
    return resolve.cfn_value(node, template) if intrinsic else node


def code_inputs(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    steps = {step["Name"]: step for step in resolve.steps(resolve.pipeline_definition(template))}
    return {
        name: next(
            i["S3Input"] for i in steps[name]["Arguments"]["ProcessingInputs"] if i["InputName"] == "code"
        )
        for name in ("Preprocess", "Evaluate")
    }


def test_processing_code_inputs_are_listed_and_the_role_may_list_exactly_that_key(
    template: dict[str, Any],
) -> None:
    inputs = code_inputs(template)
    assert {i["S3DataType"] for i in inputs.values()} == {"S3Prefix"}  # why listing is needed
    [uri] = {i["S3Uri"] for i in inputs.values()}
    bucket, key = uri.removeprefix("s3://").split("/", 1)

    listings = [s for s in role_statements(template) if s["Action"] == "s3:ListBucket"]
    code_listings = [s for s in listings if s["Resource"] == f"arn:aws:s3:::{bucket}"]

    assert code_listings == [
        {
            "Action": "s3:ListBucket",
            "Condition": {"StringEquals": {"s3:prefix": key}},
            "Effect": "Allow",
            "Resource": f"arn:aws:s3:::{bucket}",
            "Sid": "ListProcessingCodeBundle",
        }
    ]
    readable = [s["Resource"] for s in role_statements(template) if s["Action"] == "s3:GetObject"]
    assert f"arn:aws:s3:::{bucket}/{key}" in [
        r for group in readable for r in (group if isinstance(group, list) else [group])
    ]
