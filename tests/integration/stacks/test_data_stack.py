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


def test_image_repository_scans_and_is_immutable(templates: dict[str, Any]) -> None:
    assertions.Template.from_json(templates["data"]).has_resource_properties(
        "AWS::ECR::Repository",
        {
            "RepositoryName": "mlpipe-dev-serving",
            "ImageScanningConfiguration": {"ScanOnPush": True},
            "ImageTagMutability": "IMMUTABLE",
        },
    )


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_no_image_ever_expires_while_a_function_version_may_use_it(
    templates: dict[str, Any], prod_templates: dict[str, Any], environment: str
) -> None:
    """Issue 10, defect 9: no ECR lifecycle rule, in any environment.

    Lambda: "If the corresponding container image no longer exists on Amazon ECR ..., the function
    enters the Failed state, and Lambda returns a failure for any function invocations"
    (https://docs.aws.amazon.com/lambda/latest/dg/invocation-images.html). Every published version and
    rollback target pins an image digest; a count or age rule
    (https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html) cannot
    see which, and untagged images here are manifests of a tagged index (aws/aws-cdk issue 30258).
    """
    data = (templates if environment == "dev" else prod_templates)["data"]
    repository = next(iter(resources_of(data, "AWS::ECR::Repository").values()))

    assert "LifecyclePolicy" not in repository


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


def _resources(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == resource_type}


def test_dev_destroy_empties_and_deletes_every_bucket_and_the_image_repository(
    templates: dict[str, Any],
) -> None:
    """Issue 10, defect 8: `cdk destroy` of dev leaves nothing behind.

    CloudFormation deletes only empty buckets ("All objects (including all object versions and delete
    markers) in the bucket must be deleted before the bucket itself can be deleted",
    https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html); CDK's
    `autoDeleteObjects` custom resource empties them on stack deletion
    (https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_s3.Bucket.html). ECR's
    `EmptyOnDelete` does the same for the repository
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecr-repository.html).
    """
    data = templates["data"]
    buckets = _resources(data, "AWS::S3::Bucket")
    emptied = {
        r["Properties"]["BucketName"]["Ref"] for r in _resources(data, "Custom::S3AutoDeleteObjects").values()
    }

    assert emptied == set(buckets) and len(buckets) == 2
    assert all(bucket["DeletionPolicy"] == "Delete" for bucket in buckets.values())
    (repository,) = _resources(data, "AWS::ECR::Repository").values()
    assert repository["DeletionPolicy"] == "Delete"
    assert repository["Properties"]["EmptyOnDelete"] is True


def test_prod_retains_buckets_key_and_images_and_empties_nothing(prod_templates: dict[str, Any]) -> None:
    """What README.md says a prod environment retains: both buckets, the bucket key, the image repository."""
    data = prod_templates["data"]
    retained = {r["Type"] for r in data["Resources"].values() if r.get("DeletionPolicy") == "Retain"}

    assert {"AWS::S3::Bucket", "AWS::KMS::Key", "AWS::ECR::Repository"} <= retained
    assert not _resources(data, "Custom::S3AutoDeleteObjects")
    (repository,) = _resources(data, "AWS::ECR::Repository").values()
    assert not repository["Properties"].get("EmptyOnDelete")
