"""The canary on AWS: the `live` alias's weighted routing is the state, the alias Description its clock.

Why not CodeDeploy: its Lambda deployments shift the same alias weights (RoutingConfig), but they need a
second service, an application, a deployment group and a service role, and are started by a CodeDeploy
deployment, not by a registry approval; the promoter already owns the registry trigger and the history
(docs/deploy.md, "Canary on AWS"). No new store either: GetAlias returns the live function version
(FunctionVersion) and the candidate's (RoutingConfig.AdditionalVersionWeights, 0.0-1.0), and the
Description holds `{"to": <model version>, "step": <index>, "since": <ISO time>}`
(https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html,
https://docs.aws.amazon.com/lambda/latest/api/API_AliasRoutingConfiguration.html). Ticks come from an
EventBridge schedule; the promotion rules are `rollout.transition` (shared with the local canary).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import boto3

try:  # in Lambda the promoter's folder is the code root; in the repository it is the `promoter` package
    import history
    from rollout import FULL, Action, Event, Record, Route, State, parse_plan, transition
except ImportError:
    from promoter import history
    from promoter.rollout import FULL, Action, Event, Record, Route, State, parse_plan, transition

logger = logging.getLogger()

TICK = {"mlpipe": "tick"}  # the EventBridge schedule's constant input (stacks/constructs/promoter.py)
ALARM_STATE = "ALARM"


@dataclass(frozen=True, kw_only=True)
class AliasState:
    """The alias as the state machine sees it, plus the function versions behind its model versions."""

    state: State
    live_function_version: str
    candidate_function_version: str | None = None
    rolled_back: int | None = None  # the model version the last canary rolled back from


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """One tick: the alias before, the state after, and the history records of the change."""

    before: AliasState
    after: State
    records: tuple[Record, ...]


def is_tick(event: dict[str, Any]) -> bool:
    return event.get("mlpipe") == TICK["mlpipe"]


def read_alias(lambda_client: Any, function: str, alias: str) -> AliasState:
    """GetAlias (and the live version's MODEL_VERSION): the canary state, with no store of its own."""
    got = lambda_client.get_alias(FunctionName=function, Name=alias)
    live_function = str(got["FunctionVersion"])
    live = _model_version(lambda_client, function, live_function)
    weights = got.get("RoutingConfig", {}).get("AdditionalVersionWeights") or {}
    if not weights:
        rolled_back = _rolled_back(got.get("Description", ""))
        return AliasState(
            state=State(live=live), live_function_version=live_function, rolled_back=rolled_back
        )
    (candidate_function, weight), *_ = weights.items()
    marker = _marker(got.get("Description", ""))
    state = State(
        live=live,
        candidate=int(marker["to"]),
        weight=round(float(weight) * FULL),
        step=int(marker["step"]),
        since=str(marker["since"]),
    )
    return AliasState(
        state=state, live_function_version=live_function, candidate_function_version=str(candidate_function)
    )


def route(
    lambda_client: Any,
    function: str,
    alias: str,
    *,
    function_version: str,
    candidate: tuple[str, State] | None = None,
    rolled_back: int | None = None,
) -> None:
    """UpdateAlias: all traffic to `function_version`, or `state.weight` percent to the candidate's
    function version with the step clock in the Description. An empty AdditionalVersionWeights removes
    the routing (configuring-alias-routing.html)."""
    weights: dict[str, float] = {}
    description = json.dumps({"rolled_back": rolled_back}) if rolled_back is not None else ""
    if candidate is not None:
        candidate_function, state = candidate
        weights = {candidate_function: state.weight / FULL}
        description = json.dumps({"to": state.candidate, "step": state.step, "since": state.since})
    lambda_client.update_alias(
        FunctionName=function,
        Name=alias,
        FunctionVersion=function_version,
        Description=description,
        RoutingConfig={"AdditionalVersionWeights": weights},
    )


def start(
    lambda_client: Any, function: str, alias: str, *, published: str, to: int, plan: str, at: str
) -> State:
    """The approval of `to` under `plan`: the alias keeps its version and sends the first weight to
    `published` (the function version pinned on `to`)."""
    current = read_alias(lambda_client, function, alias)
    event = Event(kind="approved", version=to, at=at)
    new, actions = transition(current.state, event, parse_plan(plan))
    if new.candidate != to:
        raise ValueError(f"v{to} did not open a canary from {current.state}; invoke the promoter with {{}}")
    _carry_out(lambda_client, function, alias, current, new, actions, candidate_function=published)
    return new


def settle(lambda_client: Any, *, function: str, alias: str, desired: str) -> str | None:
    """What an approval event may change while a plan is set: None while the canary toward `desired`
    runs (ticks move it) or when `desired` is the version the last canary rolled back from (a human
    rejects it, or approves a newer one); otherwise closes an open canary (its candidate was rejected or
    a newer one approved) and returns `desired` for the handler to move to."""
    current = read_alias(lambda_client, function, alias)
    state = current.state
    if state.candidate is not None and str(state.candidate) == desired:
        return None
    if state.candidate is None and current.rolled_back is not None and str(current.rolled_back) == desired:
        logger.info("v%s was rolled back by its canary; not retrying it (docs/deploy.md)", desired)
        return None
    if state.candidate is not None:
        route(lambda_client, function, alias, function_version=current.live_function_version)
        logger.info("canary to v%s closed: the registry now asks for v%s", state.candidate, desired or "none")
    return desired


def tick(
    lambda_client: Any, cloudwatch: Any, *, function: str, alias: str, plan: str, alarms: str, at: str
) -> Outcome:
    """One scheduled tick: roll back while any of `alarms` (comma-separated names) fires, else advance
    or finish when the step is due."""
    current = read_alias(lambda_client, function, alias)
    state = current.state
    if state.candidate is None:
        return Outcome(before=current, after=state, records=())
    if firing := alarms_firing(cloudwatch, alarm_names(alarms)):
        reason = (
            f"CloudWatch alarm {', '.join(firing)} was in ALARM during the canary; v{state.candidate} is "
            "Archived, still Approved: a human rejects it (`mlpipe models reject`)"
        )
        event = Event(kind="alarm", version=state.candidate, at=at, actor="promoter canary", reason=reason)
    else:
        event = Event(kind="tick", at=at, actor="promoter canary")
    new, actions = transition(state, event, parse_plan(plan))
    _carry_out(lambda_client, function, alias, current, new, actions)
    records = tuple(action for action in actions if isinstance(action, Record))
    return Outcome(before=current, after=new, records=records)


def on_tick(
    sagemaker: Any, lambda_client: Any, *, group: str, set_stages: Callable[[Any, str, str, str], None]
) -> dict[str, Any]:
    """The schedule's entry point: tick, then ModelLifeCycle stages and history for a finished canary."""
    cloudwatch, s3 = _clients()
    outcome = tick(
        lambda_client,
        cloudwatch,
        function=os.environ["SERVING_FUNCTION_NAME"],
        alias=os.environ["SERVING_ALIAS"],
        plan=os.environ.get("CANARY_PLAN", ""),
        alarms=os.environ.get("CANARY_ALARM", ""),
        at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    before, after = outcome.before.state, outcome.after
    if before.candidate is not None and after.candidate is None:
        promoted = after.live == before.candidate
        replaced = before.live if promoted else before.candidate
        set_stages(sagemaker, group, _text(after.live), _text(replaced))
    bucket = os.environ.get("DEPLOYMENT_HISTORY_BUCKET", "")
    for record in outcome.records if bucket else ():
        history.put_entry(s3, bucket, group, history.entry_of(record))
    logger.info("canary tick: %s -> %s", before, after)
    return {
        "changed": after != before,
        "live": after.live,
        "candidate": after.candidate,
        "weight": after.weight,
    }


def alarm_names(text: str) -> list[str]:
    """CANARY_ALARM's comma-separated alarm names (stacks/constructs/promoter.py `watch_canary`)."""
    return [name.strip() for name in text.split(",") if name.strip()]


def alarms_firing(cloudwatch: Any, alarms: list[str]) -> list[str]:
    """One DescribeAlarms of the canary alarms (AlarmNames takes up to 100): the names in ALARM."""
    if not alarms:
        return []
    found = cloudwatch.describe_alarms(AlarmNames=alarms, AlarmTypes=["MetricAlarm"])["MetricAlarms"]
    return [alarm["AlarmName"] for alarm in found if alarm.get("StateValue") == ALARM_STATE]


def _carry_out(  # noqa: PLR0917 (private: both callers pass the alias's parts in this order)
    lambda_client: Any,
    function: str,
    alias: str,
    current: AliasState,
    new: State,
    actions: list[Action],
    *,
    candidate_function: str | None = None,
) -> None:
    """The Route actions as UpdateAlias calls, on the function versions the alias already names."""
    candidate_function = candidate_function or current.candidate_function_version
    for action in actions:
        if not isinstance(action, Route):
            continue
        if action.candidate is not None and candidate_function:
            route(
                lambda_client,
                function,
                alias,
                function_version=current.live_function_version,
                candidate=(candidate_function, new),
            )
        elif action.live == current.state.candidate and candidate_function:
            route(lambda_client, function, alias, function_version=candidate_function)
        else:
            route(
                lambda_client,
                function,
                alias,
                function_version=current.live_function_version,
                rolled_back=current.state.candidate,
            )


def _rolled_back(description: str) -> int | None:
    try:
        marker = json.loads(description or "{}")
    except ValueError:
        return None
    value = marker.get("rolled_back") if isinstance(marker, dict) else None
    return int(value) if value is not None else None


def _text(version: int | None) -> str:
    return "" if version is None else str(version)


@cache
def _clients() -> tuple[Any, Any]:
    return boto3.client("cloudwatch"), boto3.client("s3")


def _marker(description: str) -> dict[str, Any]:
    try:
        marker = json.loads(description or "{}")
    except ValueError:
        marker = {}
    if not isinstance(marker, dict) or not {"to", "step", "since"} <= set(marker):
        raise ValueError(
            f"the alias routes traffic to a second version but its Description {description!r} is not a "
            "canary marker; finish by hand: `aws lambda update-alias --routing-config "
            "AdditionalVersionWeights={}` (then invoke the promoter with {} to reconcile)"
        )
    return marker


def _model_version(lambda_client: Any, function: str, qualifier: str) -> int | None:
    config = lambda_client.get_function_configuration(FunctionName=function, Qualifier=qualifier)
    value = config.get("Environment", {}).get("Variables", {}).get("MODEL_VERSION", "")
    return int(value) if value else None
