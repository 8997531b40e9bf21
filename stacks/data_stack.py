"""Stateful resources: the artifact bucket (and its log bucket) and the serving image repository."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from runtime.names import ARTIFACT_BUCKET_NAME, DATA_URI
from stacks.config import EnvironmentConfig
from stacks.constructs.artifact_store import ArtifactStore
from stacks.constructs.serving_image import ServingImageRepository


class DataStack(cdk.Stack):
    """Deployed first: the pipeline reads and writes the bucket, `cdk deploy` pushes the image to the repo."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.store = ArtifactStore(
            self,
            "ArtifactStore",
            bucket_name=cdk.Fn.sub(config.artifact_bucket_name),
            output_archive_days=config.pipeline_output_archive_days,
            noncurrent_expiry_days=config.noncurrent_version_expiry_days,
            retain=config.retain_data,
        )
        self.image_repository = ServingImageRepository(
            self,
            "ServingImage",
            repository_name=config.serving_repository_name,
            retain=config.retain_data,
        ).repository
        cdk.CfnOutput(
            self,
            ARTIFACT_BUCKET_NAME,
            value=self.store.bucket.bucket_name,
            description="artifact bucket of the pipeline",
        )
        cdk.CfnOutput(
            self, DATA_URI, value=self.store.data_uri, description="upload the training CSV files here"
        )
