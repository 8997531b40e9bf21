"""The canary on AWS (promoter/canary_aws.py), call by call on botocore's Stubber: every request and canned
response is validated against botocore's Lambda and CloudWatch service models, and an unexpected call fails.

AWS behaviour relied upon:
- An alias keeps its FunctionVersion and sends `RoutingConfig.AdditionalVersionWeights` {version: 0.0-1.0}
  of the requests to one other version; UpdateAlias with an empty map removes the routing
  (https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html,
  https://docs.aws.amazon.com/lambda/latest/api/API_AliasRoutingConfiguration.html,
  https://docs.aws.amazon.com/lambda/latest/api/API_UpdateAlias.html: Description up to 256 characters).
- DescribeAlarms with AlarmNames returns the alarm's StateValue (OK | ALARM | INSUFFICIENT_DATA)
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from promoter import canary_aws
from promoter.rollout import State

REGION = "us-east-1"
FUNCTION, ALIAS, ALARM = "serving", "live", "mlpipe-dev-serving-canary-errors"
LATENCY = "mlpipe-dev-serving-canary-p99-duration"
ALARMS = f"{ALARM},{LATENCY}"  # CANARY_ALARM as watch_canary sets it
ALIAS_ARN = f"arn:aws:lambda:{REGION}:123456789012:function:{FUNCTION}:{ALIAS}"
START = "2026-11-29T12:00:00+00:00"
PLAN = "10:5,50:5"


@pytest.fixture
def stubs() -> Iterator[tuple[Any, Stubber, Any, Stubber]]:
    credentials = {"region_name": REGION, "aws_access_key_id": "x", "aws_secret_access_key": "x"}
    lambda_client, cloudwatch = (
        boto3.client("lambda", **credentials),
        boto3.client("cloudwatch", **credentials),
    )
    with Stubber(lambda_client) as functions, Stubber(cloudwatch) as alarms:
        yield lambda_client, functions, cloudwatch, alarms
        functions.assert_no_pending_responses()
        alarms.assert_no_pending_responses()


def expect_get_alias(
    functions: Stubber,
    live_fn: str,
    model: int,
    *,
    candidate_fn: str = "",
    weight: float = 0,
    marker: Any = None,
) -> None:
    response: dict[str, Any] = {"AliasArn": ALIAS_ARN, "Name": ALIAS, "FunctionVersion": live_fn}
    if candidate_fn:
        response["RoutingConfig"] = {"AdditionalVersionWeights": {candidate_fn: weight}}
    if marker is not None:
        response["Description"] = json.dumps(marker)
    functions.add_response("get_alias", response, {"FunctionName": FUNCTION, "Name": ALIAS})
    functions.add_response(
        "get_function_configuration",
        {
            "FunctionName": FUNCTION,
            "Version": live_fn,
            "Environment": {"Variables": {"MODEL_VERSION": str(model)}},
        },
        {"FunctionName": FUNCTION, "Qualifier": live_fn},
    )


def expect_update(functions: Stubber, version: str, weights: dict[str, float], description: str) -> None:
    functions.add_response(
        "update_alias",
        {"AliasArn": ALIAS_ARN, "Name": ALIAS, "FunctionVersion": version},
        {
            "FunctionName": FUNCTION,
            "Name": ALIAS,
            "FunctionVersion": version,
            "Description": description,
            "RoutingConfig": {"AdditionalVersionWeights": weights},
        },
    )


def expect_alarm(alarms: Stubber, state: str, latency: str = "OK") -> None:
    """One DescribeAlarms call naming both canary alarms, answering each one's state."""
    found = [{"AlarmName": ALARM, "StateValue": state}, {"AlarmName": LATENCY, "StateValue": latency}]
    alarms.add_response(
        "describe_alarms",
        {"MetricAlarms": found, "CompositeAlarms": []},
        {"AlarmNames": [ALARM, LATENCY], "AlarmTypes": ["MetricAlarm"]},
    )


def marker(to: int, step: int, since: str = START) -> dict[str, Any]:
    return {"to": to, "step": step, "since": since}


def test_approval_with_a_plan_routes_the_first_weight_to_the_new_version(stubs: Any) -> None:
    lambda_client, functions, _, _ = stubs
    expect_get_alias(functions, "6", 6)
    expect_update(functions, "6", {"7": 0.1}, json.dumps(marker(7, 0)))

    state = canary_aws.start(lambda_client, FUNCTION, ALIAS, published="7", to=7, plan=PLAN, at=START)

    assert state == State(live=6, candidate=7, weight=10, step=0, since=START)


def test_the_alias_is_the_canary_state(stubs: Any) -> None:
    lambda_client, functions, _, _ = stubs
    expect_get_alias(functions, "6", 6, candidate_fn="7", weight=0.5, marker=marker(7, 1))

    read = canary_aws.read_alias(lambda_client, FUNCTION, ALIAS)

    assert read.state == State(live=6, candidate=7, weight=50, step=1, since=START)
    assert (read.live_function_version, read.candidate_function_version) == ("6", "7")


def test_a_tick_before_the_step_time_changes_nothing(stubs: Any) -> None:
    lambda_client, functions, cloudwatch, alarms = stubs
    expect_get_alias(functions, "6", 6, candidate_fn="7", weight=0.1, marker=marker(7, 0))
    expect_alarm(alarms, "OK")

    outcome = canary_aws.tick(
        lambda_client,
        cloudwatch,
        function=FUNCTION,
        alias=ALIAS,
        plan=PLAN,
        alarms=ALARMS,
        at="2026-11-29T12:04:59+00:00",
    )

    assert outcome.after == outcome.before.state
    assert outcome.records == ()


def test_a_tick_after_the_step_time_moves_to_the_next_weight(stubs: Any) -> None:
    lambda_client, functions, cloudwatch, alarms = stubs
    at = "2026-11-29T12:05:00+00:00"
    expect_get_alias(functions, "6", 6, candidate_fn="7", weight=0.1, marker=marker(7, 0))
    expect_alarm(alarms, "OK")
    expect_update(functions, "6", {"7": 0.5}, json.dumps(marker(7, 1, at)))

    outcome = canary_aws.tick(
        lambda_client, cloudwatch, function=FUNCTION, alias=ALIAS, plan=PLAN, alarms=ALARMS, at=at
    )

    assert outcome.after == State(live=6, candidate=7, weight=50, step=1, since=at)
    assert [(r.outcome, r.weight) for r in outcome.records] == [("canary", 50)]


def test_the_final_tick_sends_all_traffic_to_the_new_version_without_routing(stubs: Any) -> None:
    lambda_client, functions, cloudwatch, alarms = stubs
    expect_get_alias(functions, "6", 6, candidate_fn="7", weight=0.5, marker=marker(7, 1))
    expect_alarm(alarms, "OK")
    expect_update(functions, "7", {}, "")

    outcome = canary_aws.tick(
        lambda_client,
        cloudwatch,
        function=FUNCTION,
        alias=ALIAS,
        plan=PLAN,
        alarms=ALARMS,
        at="2026-11-29T12:05:00+00:00",
    )

    assert outcome.after == State(live=7)
    assert [(r.action, r.from_version, r.to_version, r.outcome) for r in outcome.records] == [
        ("promote", 6, 7, "live")
    ]


def test_an_alarm_rolls_back_to_the_old_version_and_remembers_the_rolled_back_one(stubs: Any) -> None:
    lambda_client, functions, cloudwatch, alarms = stubs
    expect_get_alias(functions, "6", 6, candidate_fn="7", weight=0.1, marker=marker(7, 0))
    expect_alarm(alarms, "ALARM")
    expect_update(functions, "6", {}, json.dumps({"rolled_back": 7}))

    outcome = canary_aws.tick(
        lambda_client,
        cloudwatch,
        function=FUNCTION,
        alias=ALIAS,
        plan=PLAN,
        alarms=ALARMS,
        at="2026-11-29T12:01:00+00:00",
    )

    assert outcome.after == State(live=6)
    (record,) = outcome.records
    assert (record.action, record.from_version, record.to_version, record.outcome) == (
        "rollback",
        7,
        6,
        "rolled back",
    )
    assert ALARM in record.reason and "Archived" in record.reason
    assert LATENCY not in record.reason


def test_a_latency_alarm_alone_rolls_back_and_is_named_as_the_reason(stubs: Any) -> None:
    """Issue 15 item 1: the p99 duration alarm in ALARM (errors OK) rolls the canary back too."""
    lambda_client, functions, cloudwatch, alarms = stubs
    expect_get_alias(functions, "6", 6, candidate_fn="7", weight=0.1, marker=marker(7, 0))
    expect_alarm(alarms, "OK", latency="ALARM")
    expect_update(functions, "6", {}, json.dumps({"rolled_back": 7}))

    outcome = canary_aws.tick(
        lambda_client,
        cloudwatch,
        function=FUNCTION,
        alias=ALIAS,
        plan=PLAN,
        alarms=ALARMS,
        at="2026-11-29T12:01:00+00:00",
    )

    assert outcome.after == State(live=6)
    (record,) = outcome.records
    assert (record.action, record.outcome) == ("rollback", "rolled back")
    assert LATENCY in record.reason and f"{ALARM}," not in record.reason


def test_insufficient_data_does_not_roll_back(stubs: Any) -> None:
    """Only ALARM counts; INSUFFICIENT_DATA (no invocations yet) is not a failure, and names are trimmed."""
    _, _, cloudwatch, alarms = stubs
    expect_alarm(alarms, "INSUFFICIENT_DATA", latency="OK")
    assert canary_aws.alarms_firing(cloudwatch, canary_aws.alarm_names(f" {ALARM} , {LATENCY},")) == []
    assert canary_aws.alarm_names("") == []


def test_a_tick_without_a_canary_reads_the_alias_only(stubs: Any) -> None:
    lambda_client, functions, cloudwatch, _ = stubs
    expect_get_alias(functions, "6", 6)

    outcome = canary_aws.tick(
        lambda_client, cloudwatch, function=FUNCTION, alias=ALIAS, plan=PLAN, alarms=ALARMS, at=START
    )

    assert outcome.after == State(live=6) and outcome.records == ()


def test_a_rolled_back_version_is_not_canaried_again_but_a_newer_one_is(stubs: Any) -> None:
    lambda_client, functions, _, _ = stubs
    expect_get_alias(functions, "6", 6, marker={"rolled_back": 7})
    expect_get_alias(functions, "6", 6, marker={"rolled_back": 7})

    assert canary_aws.settle(lambda_client, function=FUNCTION, alias=ALIAS, desired="7") is None
    assert canary_aws.settle(lambda_client, function=FUNCTION, alias=ALIAS, desired="8") == "8"


def test_a_rejected_candidate_closes_the_canary(stubs: Any) -> None:
    lambda_client, functions, _, _ = stubs
    expect_get_alias(functions, "6", 6, candidate_fn="7", weight=0.1, marker=marker(7, 0))
    expect_update(functions, "6", {}, "")

    assert canary_aws.settle(lambda_client, function=FUNCTION, alias=ALIAS, desired="6") == "6"


def test_a_duplicate_approval_of_the_candidate_leaves_the_canary_to_the_ticks(stubs: Any) -> None:
    lambda_client, functions, _, _ = stubs
    expect_get_alias(functions, "6", 6, candidate_fn="7", weight=0.1, marker=marker(7, 0))

    assert canary_aws.settle(lambda_client, function=FUNCTION, alias=ALIAS, desired="7") is None


def test_routing_without_a_marker_is_refused_with_the_fix(stubs: Any) -> None:
    lambda_client, functions, _, _ = stubs
    expect_get_alias(functions, "6", 6, candidate_fn="7", weight=0.1)

    with pytest.raises(ValueError, match="AdditionalVersionWeights=\\{\\}"):
        canary_aws.read_alias(lambda_client, FUNCTION, ALIAS)


def test_the_promoter_opens_a_canary_instead_of_moving_the_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    """promote() with CANARY_PLAN: v7 approved over live v6 -> v7 published without moving the alias, the
    alias keeps v6's function version and routes 10% to v7's; no ModelLifeCycle stage is set yet (no
    UpdateModelPackage is stubbed), the final tick sets them; v7's function version carries v7's artifact."""
    from promoter import handler
    from tests.unit.promoter.test_handler import (
        APPROVED,
        EVENT_TIME,
        GROUP,
        IMAGE,
        artifact,
        expect_describe,
        expect_list,
        expect_schema,
        state_change,
    )

    credentials = {"region_name": REGION, "aws_access_key_id": "x", "aws_secret_access_key": "x"}
    sagemaker, lambda_client = boto3.client("sagemaker", **credentials), boto3.client("lambda", **credentials)
    published: list[dict[str, Any]] = []

    def fake_pin(_client: Any, _function: str, _alias: str, version: str, **options: Any) -> str:
        published.append({"version": version, **options})
        return "5"

    monkeypatch.setattr(handler, "pin", fake_pin)
    with Stubber(sagemaker) as registry, Stubber(lambda_client) as functions:
        expect_describe(registry, 7, APPROVED, EVENT_TIME)
        expect_list(registry, {6, 7})
        expect_get_alias(functions, "4", 6)  # the live pin
        expect_get_alias(functions, "4", 6)  # settle: no canary open
        expect_schema(registry, 6, {"properties": {}})
        expect_schema(registry, 7, {"properties": {}})
        expect_get_alias(functions, "4", 6)  # start
        at = state_change(7, APPROVED)["time"]  # the step clock starts at the approval
        expect_update(functions, "4", {"5": 0.1}, json.dumps(marker(7, 0, at)))

        result = handler.promote(
            sagemaker, lambda_client, group=GROUP, function=FUNCTION, alias=ALIAS, expected_image=IMAGE,
            event=state_change(7, APPROVED), delay=0, plan="10:5",
        )  # fmt: skip

        registry.assert_no_pending_responses()
        functions.assert_no_pending_responses()
    assert (result.previous, result.current, result.function_version, result.plan) == ("6", "7", "5", "10:5")
    assert [(call["version"], call["move_alias"]) for call in published] == [("7", False)]
    # the canary's function version is pinned on v7's artifact too, from the Describe the schema check made
    assert published[0]["artifact"] == artifact(7)


def test_a_rolled_back_canary_archives_the_version_and_records_why(
    stubs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The schedule's entry point: the alarm fires during v7's canary -> alias back to v6, v7's stage
    Archived (never Rejected: the promoter's role may not change approvals), one history object with
    the alarm as the reason (s3 PutObject validated against botocore's S3 model)."""
    lambda_client, functions, cloudwatch, alarms = stubs
    s3 = boto3.client("s3", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    monkeypatch.setattr(canary_aws, "_clients", lambda: (cloudwatch, s3))
    for name, value in {
        "SERVING_FUNCTION_NAME": FUNCTION,
        "SERVING_ALIAS": ALIAS,
        "CANARY_PLAN": PLAN,
        "CANARY_ALARM": ALARMS,
        "DEPLOYMENT_HISTORY_BUCKET": "artifacts",
    }.items():
        monkeypatch.setenv(name, value)
    expect_get_alias(functions, "6", 6, candidate_fn="7", weight=0.1, marker=marker(7, 0))
    expect_alarm(alarms, "ALARM")
    expect_update(functions, "6", {}, json.dumps({"rolled_back": 7}))
    stages: list[tuple[str, str, str]] = []
    written: list[dict[str, Any]] = []
    put_entry = canary_aws.history.put_entry

    def spy(client: Any, bucket: str, group: str, entry: dict[str, Any]) -> str:
        written.append(dict(entry))
        return put_entry(client, bucket, group, entry)

    monkeypatch.setattr(canary_aws.history, "put_entry", spy)
    with Stubber(s3) as objects:
        objects.add_response(
            "put_object",
            {},
            {
                "Bucket": "artifacts",
                "Key": ANY,
                "Body": ANY,
                "ContentType": "application/json",
            },
        )
        result = canary_aws.on_tick(
            None,
            lambda_client,
            group="g",
            set_stages=lambda _sm, group, live, old: stages.append((group, live, old)),
        )
        objects.assert_no_pending_responses()

    assert result == {"changed": True, "live": 6, "candidate": None, "weight": 0}
    assert stages == [("g", "6", "7")]  # set_stages(live=v6 Production, replaced=v7 Archived)
    (entry,) = written
    assert (entry["action"], entry["from_version"], entry["to_version"]) == ("rollback", 7, 6)
    assert entry["outcome"] == "rolled back" and ALARM in entry["reason"]
