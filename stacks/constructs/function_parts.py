"""The parts every function construct here repeats: its encrypted log group and its Lambda role."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct


def encrypted_log_group(
    scope: Construct, log_key: kms.IKey, log_retention: logs.RetentionDays, construct_id: str = "Logs"
) -> logs.LogGroup:
    """A log group under the stack's log key, deleted with the stack (its retention bounds what is kept)."""
    return logs.LogGroup(
        scope,
        construct_id,
        retention=log_retention,
        encryption_key=log_key,
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )


def lambda_role(scope: Construct, description: str) -> iam.Role:
    """An empty role only Lambda can assume; each construct grants it exactly what its function does."""
    return iam.Role(
        scope,
        "Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=description,
    )
