"""Shares the fake-credential fixture of the unit tests; every test here runs on moto or a local server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.unit.pipeline.aws.conftest import fake_aws_env

__all__ = ["BUCKET", "MIB", "fake_aws_env", "s3"]

BUCKET = "mlpipe-dev-artifacts"
MIB = 1024 * 1024


@pytest.fixture
def s3(fake_aws_env: None) -> Iterator[Any]:
    """A moto S3 client with the artifact bucket `mlpipe data upload` writes to."""
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield client
