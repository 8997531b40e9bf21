"""The promoter's Lambda calls, checked call by call with botocore's Stubber."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber

from stacks.promoter.handler import Promotion, PromotionError, pin, wait_until_updated

FUNCTION = "serving"


@pytest.fixture
def lambda_stub() -> Iterator[tuple[object, Stubber]]:
    client = boto3.client("lambda", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def test_pin_keeps_other_variables_waits_then_moves_the_alias(lambda_stub: tuple[object, Stubber]) -> None:
    client, stub = lambda_stub
    variables = {"MODEL_PACKAGE_GROUP": "g", "MODEL_VERSION": ""}
    stub.add_response(
        "get_function_configuration", {"Environment": {"Variables": variables}}, {"FunctionName": FUNCTION}
    )
    stub.add_response(
        "update_function_configuration",
        {},
        {
            "FunctionName": FUNCTION,
            "Environment": {"Variables": {"MODEL_PACKAGE_GROUP": "g", "MODEL_VERSION": "3"}},
        },
    )
    stub.add_response(
        "get_function_configuration", {"LastUpdateStatus": "InProgress"}, {"FunctionName": FUNCTION}
    )
    stub.add_response(
        "get_function_configuration", {"LastUpdateStatus": "Successful"}, {"FunctionName": FUNCTION}
    )
    stub.add_response(
        "publish_version", {"Version": "7"}, {"FunctionName": FUNCTION, "Description": "model version 3"}
    )
    stub.add_response("update_alias", {}, {"FunctionName": FUNCTION, "Name": "live", "FunctionVersion": "7"})
    sleeps: list[float] = []

    assert pin(client, FUNCTION, "live", "3", sleep=sleeps.append) == "7"
    assert sleeps == [1.0]


def test_a_failed_update_is_reported_with_its_reason(lambda_stub: tuple[object, Stubber]) -> None:
    client, stub = lambda_stub
    stub.add_response(
        "get_function_configuration",
        {"LastUpdateStatus": "Failed", "LastUpdateStatusReason": "image not found"},
        {"FunctionName": FUNCTION},
    )

    with pytest.raises(PromotionError, match="image not found"):
        wait_until_updated(client, FUNCTION, sleep=lambda _: None)


def test_an_update_that_never_finishes_times_out(lambda_stub: tuple[object, Stubber]) -> None:
    client, stub = lambda_stub
    for _ in range(3):
        stub.add_response(
            "get_function_configuration", {"LastUpdateStatus": "InProgress"}, {"FunctionName": FUNCTION}
        )

    with pytest.raises(PromotionError, match="still updating"):
        wait_until_updated(client, FUNCTION, attempts=3, sleep=lambda _: None)


def test_promotion_changed_only_when_a_version_was_published() -> None:
    assert not Promotion(previous="1", current="1").changed
    assert Promotion(previous="1", current="2", function_version="5").changed
