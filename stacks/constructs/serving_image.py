"""The ECR repository the serving image is pushed to by `cdk deploy` (the image asset's destination)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from constructs import Construct

from stacks.policy import GUARD, acknowledge

# What the CDK bootstrap's image-publishing role does when `cdk deploy` pushes an image asset.
PUBLISH_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:DescribeImages",
    "ecr:DescribeRepositories",
    "ecr:GetDownloadUrlForLayer",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
)


class ServingImageRepository(Construct):
    """Private repository: scan on push, immutable tags, and no lifecycle rule: no image ever expires.

    Every image here can still be in use. Each published Lambda version pins the digest of the image it
    was created from, and the promoter's versions are the rollback targets; a function whose image is
    gone from ECR enters the Failed state and every invocation fails (Lambda developer guide, "Invoking
    functions defined as container images"; aws-cdk issue 18629 reports exactly that after a lifecycle
    rule). A count or age rule (`imageCountMoreThan`, `sinceImagePushed`, ECR user guide "Lifecycle
    policy properties") cannot tell which digests a version references. Untagged images are no safer:
    tags are immutable content hashes, so nothing is ever untagged by a re-push, and the only untagged
    images are the platform and attestation manifests of a pushed image index, which the tagged index
    still needs (aws-cdk issue 30258). Old images are removed by hand once no version references them
    (docs/deploy.md, "Old serving images").

    It lives in a stack deployed before the serving stack because `cdk deploy` publishes a stack's
    image assets before it deploys that stack. The serving stack's synthesizer names this repository
    as its image-asset destination, so the CLI builds `lambda_inference/Dockerfile` and pushes here;
    tags are the asset's content hash, which is what makes immutable tags workable.
    """

    def __init__(self, scope: Construct, construct_id: str, *, repository_name: str, retain: bool) -> None:
        super().__init__(scope, construct_id)
        self.repository = ecr.Repository(
            self,
            "Repository",
            repository_name=repository_name,
            image_scan_on_push=True,
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,
            encryption=ecr.RepositoryEncryption.AES_256,
            removal_policy=cdk.RemovalPolicy.RETAIN if retain else cdk.RemovalPolicy.DESTROY,
            empty_on_delete=not retain,
        )
        acknowledge(
            self.repository,
            {
                f"{GUARD}ecr_private_lifecycle_policy_configured_check": "any image may still back a "
                "retained Lambda version or rollback target, and Lambda fails a function whose image is "
                "deleted; no lifecycle rule can tell which digests are referenced (see the docstring)",
            },
        )
        publisher = cdk.Fn.sub(
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/"
            "cdk-${Qualifier}-image-publishing-role-${AWS::AccountId}-${AWS::Region}",
            {"Qualifier": _bootstrap_qualifier(self)},
        )
        self.repository.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CdkDeployPushesImageAssets",
                principals=[iam.ArnPrincipal(publisher)],
                actions=list(PUBLISH_ACTIONS),
            )
        )
        # Lambda would add this itself on first use, but the next deploy of this stack would remove it.
        self.repository.add_to_resource_policy(
            iam.PolicyStatement(
                sid="LambdaPullsFunctionImages",
                principals=[iam.ServicePrincipal("lambda.amazonaws.com")],
                actions=["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                conditions={
                    "StringLike": {
                        "aws:sourceArn": cdk.Fn.sub(
                            "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:*"
                        )
                    }
                },
            )
        )


def _bootstrap_qualifier(scope: Construct) -> str:
    qualifier = scope.node.try_get_context("@aws-cdk/core:bootstrapQualifier")
    return str(qualifier or cdk.DefaultStackSynthesizer.DEFAULT_QUALIFIER)
