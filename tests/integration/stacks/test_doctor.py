"""`mlpipe doctor`: the account's Lambda concurrency against what a synthesized environment reserves.

AWS is played by botocore's Stubber, which checks every request and every canned response against
the Lambda and CloudFormation service models (GetAccountSettings, GetFunctionConcurrency,
DescribeStackResource). The rule: "You can reserve up to the Unreserved account concurrency value
that is shown, minus 100" (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from typer.testing import CliRunner

from pipeline.cli.app import app

pytestmark = pytest.mark.slow
PROD_FUNCTIONS = 2  # serving and promoter reserve in prod


def _client(service: str) -> Any:
    return boto3.session.Session().client(
        service, region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


class FakeAws:
    """Stubbed lambda and cloudformation clients, handed to the CLI in place of real ones."""

    def __init__(self) -> None:
        self.clients = {"lambda": _client("lambda"), "cloudformation": _client("cloudformation")}
        self.stubs = {name: Stubber(client) for name, client in self.clients.items()}

    def account(self, *, limit: int, unreserved: int) -> None:
        self.stubs["lambda"].add_response(
            "get_account_settings",
            {
                "AccountLimit": {"ConcurrentExecutions": limit, "UnreservedConcurrentExecutions": unreserved},
                "AccountUsage": {"TotalCodeSize": 0, "FunctionCount": 0},
            },
        )

    def not_deployed(self) -> None:
        self.stubs["cloudformation"].add_client_error(
            "describe_stack_resource",
            service_error_code="ValidationError",
            service_message="Stack 'mlpipe-prod-serving' does not exist",
        )

    def deployed(self, function_name: str, reserved: int) -> None:
        self.stubs["cloudformation"].add_response(
            "describe_stack_resource",
            {
                "StackResourceDetail": {
                    "LogicalResourceId": "Function",
                    "PhysicalResourceId": function_name,
                    "ResourceType": "AWS::Lambda::Function",
                    "LastUpdatedTimestamp": "2026-01-01T00:00:00Z",
                    "ResourceStatus": "UPDATE_COMPLETE",
                }
            },
        )
        self.stubs["lambda"].add_response(
            "get_function_concurrency",
            {"ReservedConcurrentExecutions": reserved},
            {"FunctionName": function_name},
        )


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAws]:
    fake = FakeAws()
    monkeypatch.setattr("pipeline.cli.cloud.aws_client", lambda service, region=None: fake.clients[service])
    for stub in fake.stubs.values():
        stub.activate()
    yield fake
    for stub in fake.stubs.values():
        stub.assert_no_pending_responses()


def doctor(cdk_out: Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, ["doctor", "--cdk-out", str(cdk_out), "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_a_new_account_with_a_limit_of_10_cannot_take_prod(aws: FakeAws, prod_assembly: Path) -> None:
    aws.account(limit=10, unreserved=10)
    for _ in range(PROD_FUNCTIONS):
        aws.not_deployed()

    code, report = doctor(prod_assembly)

    assert code == 1
    assert (report["account_limit"], report["needed"], report["fits"]) == (10, 51, False)
    assert report["unreserved_after_deploy"] == 10 - 51
    assert "Service Quotas" in report["verdict"] and "stacks/config.py" in report["verdict"]


def test_the_same_account_can_take_dev_which_reserves_nothing(aws: FakeAws, cloud_assembly: Path) -> None:
    aws.account(limit=10, unreserved=10)

    code, report = doctor(cloud_assembly)

    assert (code, report["fits"], report["needed"], report["reservations"]) == (0, True, 0, [])


def test_prod_fits_a_default_account_and_leaves_the_rest_unreserved(
    aws: FakeAws, prod_assembly: Path
) -> None:
    aws.account(limit=1000, unreserved=1000)
    for _ in range(PROD_FUNCTIONS):
        aws.not_deployed()

    code, report = doctor(prod_assembly)

    assert (code, report["fits"], report["unreserved_after_deploy"]) == (0, True, 1000 - 51)


def test_a_redeploy_counts_what_the_deployed_functions_already_hold(
    aws: FakeAws, prod_assembly: Path
) -> None:
    # 150 in all, 51 already held by this app's functions: the unreserved pool is 99, below 100, yet a
    # redeploy asks for nothing new, so Lambda has nothing to refuse.
    aws.account(limit=150, unreserved=99)
    aws.deployed("mlpipe-prod-serving-Promoter", 1)
    aws.deployed("mlpipe-prod-serving-Serving", 50)

    code, report = doctor(prod_assembly)

    assert (code, report["fits"], report["unreserved_after_deploy"]) == (0, True, 99)
    assert sorted(r["current"] for r in report["reservations"]) == [1, 50]


def test_no_synth_output_names_the_command_that_makes_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["doctor", "--cdk-out", str(tmp_path / "missing")])

    assert result.exit_code == 1
    assert "npx cdk synth" in result.output
