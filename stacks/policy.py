"""Policy checks run during synth: cdk-nag AwsSolutions and the cfn-guard Control Tower rules.

A finding fails the synth unless it is acknowledged next to the construct it concerns, with the reason.
"""

from __future__ import annotations

import re
from typing import Any, cast

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks
from cdklabs.cdk_validator_cfnguard import CfnGuardValidator
from constructs import IConstruct

NAG = "AwsSolutions::AwsSolutions-"
"""Prefix of cdk-nag AwsSolutions finding ids, e.g. f"{NAG}IAM5[Resource::*]"."""
GUARD = "cdk-validator-cfnguard::"
"""Prefix of cfn-guard Control Tower finding ids, e.g. f"{GUARD}lambda_inside_vpc_check"."""

VPC_REASON = (
    "the function calls only AWS APIs, over TLS with IAM auth; a VPC would add NAT or endpoint "
    "cost and cold-start latency without narrowing who can reach anything"
)


def add_policy_checks(app: cdk.App) -> None:
    """Register the policy plugins: any unacknowledged finding makes `app.synth()` fail."""
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app),
        # A "Beta1" plugin: CDK accepts it at runtime, its Python type predates the current interface.
        cast(cdk.IPolicyValidationPlugin, CfnGuardValidator()),
    )


def acknowledge(scope: IConstruct, findings: dict[str, str]) -> None:
    """Acknowledge findings on `scope` and its children: full finding id -> the specific reason."""
    cdk.Validations.of(scope).acknowledge(
        *(cdk.Acknowledgment(id=finding, reason=reason) for finding, reason in findings.items())
    )


def nag_resource(scope: IConstruct, arn: str) -> str:
    """How cdk-nag spells a resource ARN (tokens included) in a finding id, e.g. "<AWS::Partition>"."""
    return _render(cdk.Stack.of(scope).resolve(arn))


def _render(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(_render(item) for item in value)
    (function, argument), *_ = value.items()
    if function == "Fn::Join":
        return str(argument[0]).join(_render(item) for item in argument[1])
    if function == "Fn::Sub":
        return re.sub(r"\$\{([^}]+)\}", r"<\1>", argument)
    if function == "Fn::GetAtt":
        return f"<{argument[0]}.{argument[1]}>"
    return f"<{argument}>"  # Ref
