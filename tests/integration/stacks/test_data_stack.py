"""Artifact bucket, access-log bucket and serving image repository settings."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import assertions

from tests.integration.stacks.cfn import resources_of

pytestmark = pytest.mark.slow

PRIVATE = {
    "BlockPublicAcls": True,
    "BlockPublicPolicy": True,
    "IgnorePublicAcls": True,
    "RestrictPublicBuckets": True,
}


def _buckets(templates: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return resources_of(templates["data"], "AWS::S3::Bucket")


def _artifact_bucket(templates: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return next(props for props in _buckets(templates).values() if "LoggingConfiguration" in props)


def test_every_bucket_is_private_versioned_encrypted_and_without_acls(templates: dict[str, Any]) -> None:
    buckets = _buckets(templates)
    assert len(buckets) == 2
    for props in buckets.values():
        assert props["PublicAccessBlockConfiguration"] == PRIVATE
        assert props["VersioningConfiguration"] == {"Status": "Enabled"}
        assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert props["LifecycleConfiguration"]["Rules"]


def test_artifact_bucket_uses_the_kms_key_and_logs_to_the_log_bucket(templates: dict[str, Any]) -> None:
    props = _artifact_bucket(templates)
    rule = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert rule["BucketKeyEnabled"] is True
    log_bucket_id = props["LoggingConfiguration"]["DestinationBucketName"]["Ref"]
    assert log_bucket_id in _buckets(templates)
    key = templates["data"]["Resources"][
        rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]["Fn::GetAtt"][0]
    ]
    assert key["Properties"]["EnableKeyRotation"] is True


def test_artifact_lifecycle_archives_runs_and_expires_old_versions(templates: dict[str, Any]) -> None:
    rules = {rule["Id"]: rule for rule in _artifact_bucket(templates)["LifecycleConfiguration"]["Rules"]}
    assert rules["archive-old-pipeline-outputs"]["Prefix"] == "runs/"
    assert rules["archive-old-pipeline-outputs"]["Transitions"][0]["StorageClass"] == "STANDARD_IA"
    assert "NoncurrentVersionExpiration" in rules["expire-noncurrent-versions"]
    assert rules["abort-incomplete-uploads"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}


def test_every_bucket_denies_requests_without_tls(templates: dict[str, Any]) -> None:
    policies = resources_of(templates["data"], "AWS::S3::BucketPolicy")
    assert len(policies) == 2
    for props in policies.values():
        assert any(
            statement["Effect"] == "Deny"
            and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for statement in props["PolicyDocument"]["Statement"]
        )


def test_image_repository_scans_is_immutable_and_expires_old_images(templates: dict[str, Any]) -> None:
    assertions.Template.from_json(templates["data"]).has_resource_properties(
        "AWS::ECR::Repository",
        {
            "RepositoryName": "mlpipe-dev-serving",
            "ImageScanningConfiguration": {"ScanOnPush": True},
            "ImageTagMutability": "IMMUTABLE",
            "LifecyclePolicy": {
                "LifecyclePolicyText": assertions.Match.string_like_regexp("imageCountMoreThan")
            },
        },
    )


def test_only_the_cdk_publishing_role_pushes_and_only_this_accounts_functions_pull(
    templates: dict[str, Any],
) -> None:
    repository = next(iter(resources_of(templates["data"], "AWS::ECR::Repository").values()))
    push, pull = repository["RepositoryPolicyText"]["Statement"]
    assert "image-publishing-role" in push["Principal"]["AWS"]["Fn::Sub"][0]
    assert "ecr:PutImage" in push["Action"]
    assert pull["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert sorted(pull["Action"]) == ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    assert ":${AWS::AccountId}:function:*" in pull["Condition"]["StringLike"]["aws:sourceArn"]["Fn::Sub"]
