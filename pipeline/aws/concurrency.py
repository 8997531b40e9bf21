"""Does the synthesized app's reserved concurrency fit this account? What `mlpipe doctor` reports.

Lambda refuses a reservation that would leave the account fewer than 100 unreserved concurrent
executions ("You can reserve up to the Unreserved account concurrency value that is shown, minus 100",
https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html); the error names the
account's minimum ("decreases account's UnreservedConcurrentExecution below its minimum value of
[N]"). New accounts have reduced concurrency quotas, often 10 in all
(https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), where any reservation fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from pipeline.aws.errors import CloudError

MIN_UNRESERVED = 100
FUNCTION_TYPE = "AWS::Lambda::Function"
STACK_ARTIFACT = "aws:cloudformation:stack"


@dataclass(frozen=True, kw_only=True)
class Reservation:
    """One function's reserved concurrency: what the synthesized template asks, what is deployed now."""

    stack: str
    logical_id: str
    wanted: int
    current: int  # 0 when the function is not deployed yet or reserves nothing


@dataclass(frozen=True, kw_only=True)
class ConcurrencyReport:
    account_limit: int  # AccountLimit.ConcurrentExecutions
    unreserved: int  # AccountLimit.UnreservedConcurrentExecutions, today
    reservations: tuple[Reservation, ...]

    @property
    def needed(self) -> int:
        return sum(r.wanted for r in self.reservations)

    @property
    def unreserved_after_deploy(self) -> int:
        """Today's unreserved pool, plus what this app's functions hold now, minus what they will hold."""
        return self.unreserved + sum(r.current for r in self.reservations) - self.needed

    @property
    def fits(self) -> bool:
        """Lambda checks only a reservation that grows; keeping or lowering one is never refused."""
        grows = any(r.wanted > r.current for r in self.reservations)
        return not grows or self.unreserved_after_deploy >= MIN_UNRESERVED

    def verdict(self) -> str:
        left = self.unreserved_after_deploy
        if not self.reservations:
            return "fits: this app reserves no concurrency"
        if self.fits:
            return f"fits: {left} unreserved executions remain after the deploy (minimum {MIN_UNRESERVED})"
        return (
            f"does not fit: the deploy would leave {left} unreserved executions and Lambda refuses fewer "
            f"than {MIN_UNRESERVED}; request a higher Lambda 'Concurrent executions' quota in Service "
            "Quotas, or deploy an environment that reserves less (reserved_concurrency and "
            "promoter_reserved_concurrency in stacks/config.py; dev reserves none)"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "account_limit": self.account_limit,
            "unreserved": self.unreserved,
            "needed": self.needed,
            "unreserved_after_deploy": self.unreserved_after_deploy,
            "minimum_unreserved": MIN_UNRESERVED,
            "fits": self.fits,
            "verdict": self.verdict(),
            "reservations": [r.__dict__ for r in self.reservations],
        }


def requested_reservations(cdk_out: Path) -> list[tuple[str, str, int]]:
    """(stack name, logical id, reserved executions) of every function that reserves, from `cdk synth`."""
    manifest_file = cdk_out / "manifest.json"
    if not manifest_file.is_file():
        raise CloudError(
            f"no cloud assembly in {cdk_out}; run `npx cdk synth` with the same `-c env=...` as the "
            "deploy first, or point --cdk-out at its output folder"
        )
    artifacts = json.loads(manifest_file.read_text(encoding="utf-8"))["artifacts"]
    requested = []
    for artifact_id, artifact in sorted(artifacts.items()):
        if artifact["type"] != STACK_ARTIFACT:
            continue
        properties = artifact["properties"]
        template = json.loads((cdk_out / properties["templateFile"]).read_text(encoding="utf-8"))
        stack = properties.get("stackName", artifact_id)
        for logical_id, resource in sorted(template.get("Resources", {}).items()):
            wanted = resource.get("Properties", {}).get("ReservedConcurrentExecutions")
            if resource["Type"] == FUNCTION_TYPE and isinstance(wanted, int):
                requested.append((stack, logical_id, wanted))
    return requested


def _deployed_reservation(cloudformation: Any, lambda_client: Any, stack: str, logical_id: str) -> int:
    try:
        resource = cloudformation.describe_stack_resource(StackName=stack, LogicalResourceId=logical_id)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ValidationError":  # no such stack or resource
            return 0
        raise
    function_name = resource["StackResourceDetail"]["PhysicalResourceId"]
    concurrency = lambda_client.get_function_concurrency(FunctionName=function_name)
    return int(concurrency.get("ReservedConcurrentExecutions", 0))


def concurrency_report(
    lambda_client: Any, cloudformation: Any, requested: list[tuple[str, str, int]]
) -> ConcurrencyReport:
    """The account's limits (lambda:GetAccountSettings) against `requested_reservations(cdk_out)`."""
    limits = lambda_client.get_account_settings()["AccountLimit"]
    reservations = tuple(
        Reservation(
            stack=stack,
            logical_id=logical_id,
            wanted=wanted,
            current=_deployed_reservation(cloudformation, lambda_client, stack, logical_id),
        )
        for stack, logical_id, wanted in requested
    )
    return ConcurrencyReport(
        account_limit=int(limits["ConcurrentExecutions"]),
        unreserved=int(limits["UnreservedConcurrentExecutions"]),
        reservations=reservations,
    )
