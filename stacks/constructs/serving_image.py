"""The ECR repository the serving image is pushed to by `cdk deploy` (the image asset's destination)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from constructs import Construct

KEEP_IMAGES = 10
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
    """Private repository: scan on push, immutable tags, old images expired.

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
            lifecycle_rules=[
                ecr.LifecycleRule(
                    description=f"keep the newest {KEEP_IMAGES} images",
                    max_image_count=KEEP_IMAGES,
                )
            ],
            removal_policy=cdk.RemovalPolicy.RETAIN if retain else cdk.RemovalPolicy.DESTROY,
            empty_on_delete=not retain,
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
