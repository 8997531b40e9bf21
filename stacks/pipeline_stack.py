"""The training side: execution role, Model Package Group and the SageMaker Pipeline."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from runtime.names import MODEL_PACKAGE_GROUP_NAME, PIPELINE_NAME
from stacks.config import EnvironmentConfig
from stacks.constructs.pipeline_role import PipelineRole
from stacks.constructs.training_pipeline import TrainingPipeline
from stacks.model_stacks import ModelStacks


class PipelineStack(cdk.Stack):
    """Composes one model's role and pipeline over the data stack's bucket."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        model: ModelStacks,
        bucket_key: kms.IKey,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        # By name, not by export: the data stack stays free to change without export lock-in.
        bucket = s3.Bucket.from_bucket_name(self, "ArtifactBucket", cdk.Fn.sub(config.artifact_bucket_name))
        role = PipelineRole(
            self,
            "PipelineRole",
            bucket=bucket,
            key=bucket_key,
            model_package_group=model.group,
        ).role
        pipeline = TrainingPipeline(
            self,
            "TrainingPipeline",
            pipeline_name=model.pipeline_name,
            model_package_group=model.group,
            bucket=bucket,
            role=role,
            retain_registry=config.retain_data,
        )
        cdk.CfnOutput(
            self,
            PIPELINE_NAME,
            value=pipeline.pipeline.pipeline_name,
            description="start it with `mlpipe cloud run` or the SageMaker console",
        )
        cdk.CfnOutput(
            self,
            MODEL_PACKAGE_GROUP_NAME,
            value=model.group,
            description="model versions are registered here for approval",
        )
