"""Run the SageMaker SDK with no AWS account: no credentials, no network, no default bucket lookup."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sagemaker.core.workflow.pipeline_context import PipelineSession

# The SDK creates boto3 clients at import time, which needs a region (not credentials). The region
# only names the session; image URIs and buckets in the definition are placeholders anyway.
BUILD_REGION = "us-east-1"

# Telemetry is opted out through the SDK's own config so that no call leaves the machine.
SDK_CONFIG = {"SchemaVersion": "1.0", "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}}}

_CREDENTIAL_FREE_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": BUILD_REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    # A literal placeholder ARN cannot be validated against IAM (and must not be).
    "SAGEMAKER_VALIDATE_ROLE": "false",
}


@contextmanager
def offline_environment() -> Iterator[None]:
    """Hide any AWS configuration of the caller while the SDK is imported and used; restore it after."""
    saved = dict(os.environ)
    try:
        for name in [name for name in os.environ if name.startswith("AWS_")]:
            del os.environ[name]
        os.environ.update(_CREDENTIAL_FREE_ENVIRONMENT)
        with _schema_checked_once():
            yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def _schema_checked_once() -> Iterator[None]:
    """Validate the SDK config with a validator built once, instead of once per config lookup.

    The SDK calls `jsonschema.validate(config, schema)` on every config lookup, which re-checks the
    (large) schema itself each time: about 0.2 s per lookup and 10 s per definition build. The
    config is still validated on every lookup, exactly as before.
    """
    import jsonschema  # noqa: PLC0415 (the SDK and its dependencies load only in here)
    from sagemaker.core.config.config_manager import SageMakerConfig  # noqa: PLC0415
    from sagemaker.core.config.config_schema import SAGEMAKER_PYTHON_SDK_CONFIG_SCHEMA  # noqa: PLC0415

    schema = SAGEMAKER_PYTHON_SDK_CONFIG_SCHEMA
    validator = jsonschema.validators.validator_for(schema)(schema)
    original = SageMakerConfig.__dict__["validate_sagemaker_config"]
    SageMakerConfig.validate_sagemaker_config = staticmethod(validator.validate)
    try:
        yield
    finally:
        SageMakerConfig.validate_sagemaker_config = original


def pipeline_session(default_bucket: str) -> PipelineSession:
    """A PipelineSession that records job requests instead of sending them (call inside the context)."""
    import boto3  # noqa: PLC0415
    from sagemaker.core.workflow.pipeline_context import PipelineSession  # noqa: PLC0415

    return PipelineSession(
        boto_session=boto3.Session(region_name=BUILD_REGION),
        default_bucket=default_bucket,
        sagemaker_config=SDK_CONFIG,
    )
