"""boto3's Lambda client pointed at a local endpoint: `mlpipe serve` or the Runtime Interface Emulator."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.config import Config

# Both local endpoints answer `POST /2015-03-31/functions/{FunctionName}/invocations` for the one
# function they run, named "function" in the emulator's path.
FUNCTION_NAME = "function"


def lambda_client(endpoint_url: str) -> Any:
    """A client that signs with dummy keys (nothing checks them locally) and never retries."""
    return boto3.client(
        "lambda",
        endpoint_url=endpoint_url,
        region_name="eu-west-1",
        aws_access_key_id="AKIDLOCALTEST",
        aws_secret_access_key="local-test-secret",
        config=Config(retries={"total_max_attempts": 1}, read_timeout=60),
    )


def invoke(endpoint_url: str, event: object) -> tuple[dict[str, Any], Any]:
    """A synchronous (RequestResponse) invoke as callers in AWS make it: the response, the decoded payload."""
    response = lambda_client(endpoint_url).invoke(FunctionName=FUNCTION_NAME, Payload=json.dumps(event))
    return response, json.loads(response["Payload"].read())
