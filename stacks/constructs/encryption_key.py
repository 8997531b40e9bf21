"""A customer-managed KMS key whose policy names its actions: no `kms:*`, even for the account root."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

# What the account (and so IAM policies in it) may do with the key; the usual `kms:*` spelled out so
# that no policy in the app holds a whole-service wildcard.
ACCOUNT_KEY_ACTIONS = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)


class EncryptionKey(Construct):
    """A rotating KMS key that the account administers; `service_statements` let AWS services use it."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        description: str,
        service_statements: tuple[iam.PolicyStatement, ...] = (),
        retain: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        statements = [
            iam.PolicyStatement(
                sid="AccountAdministersAndGrants",
                principals=[iam.AccountRootPrincipal()],
                actions=list(ACCOUNT_KEY_ACTIONS),
                resources=["*"],  # in a key policy "*" means this key
            )
        ]
        statements.append(
            iam.PolicyStatement(
                # Control Tower CT.KMS.PR.3: grants only on behalf of AWS services (e.g. Lambda, Logs).
                sid="GrantsOnlyForAwsResources",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["kms:CreateGrant"],
                resources=["*"],
                conditions={
                    "BoolIfExists": {
                        "kms:GrantIsForAWSResource": "false",
                        "aws:PrincipalIsAWSService": "false",
                    }
                },
            )
        )
        statements.extend(service_statements)
        self.key = kms.Key(
            self,
            "Key",
            description=description,
            enable_key_rotation=True,
            policy=iam.PolicyDocument(statements=statements),
            removal_policy=cdk.RemovalPolicy.RETAIN if retain else cdk.RemovalPolicy.DESTROY,
            pending_window=cdk.Duration.days(7),
        )
