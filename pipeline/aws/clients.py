"""boto3 clients from the standard credential chain (profile, SSO, environment, role); never from keys."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

# Standard retry mode backs off on throttling, which `status` and execution polling can meet.
_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 5})  # first try included


def aws_client(service: str, region: str | None = None) -> Any:
    """A client for `service` in `region`, or in the region of the default chain (AWS_REGION, profile)."""
    return boto3.session.Session().client(service, region_name=region, config=_CONFIG)
