"""The managed policy that API clients attach: `execute-api:Invoke` on `POST /predict`, nothing else."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from constructs import Construct

from stacks.policy import NAG, acknowledge, nag_resource


class ApiClientPolicy(Construct):
    """Attach to the roles (or SSO permission sets) of callers; no IAM users or access keys are created."""

    def __init__(self, scope: Construct, construct_id: str, *, route_arn: str) -> None:
        super().__init__(scope, construct_id)
        self.policy = iam.ManagedPolicy(
            self,
            "Policy",
            description="Call the mlpipe prediction API (POST /predict) with SigV4",
            statements=[
                iam.PolicyStatement(
                    sid="InvokePredict", actions=["execute-api:Invoke"], resources=[route_arn]
                )
            ],
        )
        acknowledge(
            self.policy,
            {
                f"{NAG}IAM5[Resource::{nag_resource(self, route_arn)}]": "the only wildcard is the stage "
                "segment, the documented any-stage form; this API has one stage ($default)",
            },
        )
