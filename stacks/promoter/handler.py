"""Pin the serving function on the newest Approved model version; roll back when the live one is rejected.

Level-triggered: an event only says that something changed in the group. The desired version is
recomputed from the registry every time, so repeated, late or out-of-order events converge on the same
state and a repeated event changes nothing. Deployed as a single file with boto3 only.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3

MODEL_VERSION_VARIABLE = "MODEL_VERSION"
NO_PIN = ""  # the serving loader then serves the latest Approved version, or 503 while there is none
logger = logging.getLogger()
logger.setLevel(logging.INFO)


class PromotionError(RuntimeError):
    """The serving function could not be moved to the desired model version."""


@dataclass(frozen=True, kw_only=True)
class Promotion:
    """What one run did: the pin before and after, and the function version the alias now targets."""

    previous: str
    current: str
    function_version: str | None = None

    @property
    def changed(self) -> bool:
        return self.function_version is not None


def newest_approved_version(sagemaker: Any, group: str) -> int | None:
    """The highest Approved version number in the model package group, or None."""
    versions: list[int] = []
    for page in sagemaker.get_paginator("list_model_packages").paginate(
        ModelPackageGroupName=group, ModelApprovalStatus="Approved"
    ):
        versions.extend(int(summary["ModelPackageVersion"]) for summary in page["ModelPackageSummaryList"])
    return max(versions, default=None)


def pinned_version(lambda_client: Any, function: str, alias: str) -> str:
    """The MODEL_VERSION of the function version the alias targets ("" when unpinned)."""
    target = lambda_client.get_alias(FunctionName=function, Name=alias)["FunctionVersion"]
    config = lambda_client.get_function_configuration(FunctionName=function, Qualifier=target)
    return str(config.get("Environment", {}).get("Variables", {}).get(MODEL_VERSION_VARIABLE, NO_PIN))


def wait_until_updated(
    lambda_client: Any,
    function: str,
    *,
    attempts: int = 60,
    delay: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Block until a configuration update has finished; publishing earlier would fail."""
    for _ in range(attempts):
        config = lambda_client.get_function_configuration(FunctionName=function)
        status = config.get("LastUpdateStatus", "Successful")
        if status == "Successful":
            return
        if status == "Failed":
            raise PromotionError(f"updating {function} failed: {config.get('LastUpdateStatusReason')}")
        sleep(delay)
    raise PromotionError(f"{function} still updating after {attempts * delay:.0f} s; the next event retries")


def pin(
    lambda_client: Any,
    function: str,
    alias: str,
    model_version: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Set MODEL_VERSION, publish a function version and point the alias at it; returns that version."""
    config = lambda_client.get_function_configuration(FunctionName=function)
    variables = {**config.get("Environment", {}).get("Variables", {}), MODEL_VERSION_VARIABLE: model_version}
    lambda_client.update_function_configuration(FunctionName=function, Environment={"Variables": variables})
    wait_until_updated(lambda_client, function, sleep=sleep)
    published = lambda_client.publish_version(
        FunctionName=function, Description=f"model version {model_version or 'latest approved'}"
    )
    lambda_client.update_alias(FunctionName=function, Name=alias, FunctionVersion=published["Version"])
    return str(published["Version"])


def promote(
    sagemaker: Any,
    lambda_client: Any,
    *,
    group: str,
    function: str,
    alias: str,
    sleep: Callable[[float], None] = time.sleep,
) -> Promotion:
    """Move the alias to the newest Approved version if it is not there yet."""
    newest = newest_approved_version(sagemaker, group)
    desired = NO_PIN if newest is None else str(newest)
    previous = pinned_version(lambda_client, function, alias)
    if previous == desired:
        return Promotion(previous=previous, current=desired)
    published = pin(lambda_client, function, alias, desired, sleep=sleep)
    return Promotion(previous=previous, current=desired, function_version=published)


@cache
def _clients() -> tuple[Any, Any]:
    return boto3.client("sagemaker"), boto3.client("lambda")


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    group = os.environ["MODEL_PACKAGE_GROUP"]
    event_group = event.get("detail", {}).get("ModelPackageGroupName", group)
    if event_group != group:
        logger.info("ignoring an event for group %s; this promoter serves %s", event_group, group)
        return {"changed": False, "ignored": True}
    sagemaker, lambda_client = _clients()
    result = promote(
        sagemaker,
        lambda_client,
        group=group,
        function=os.environ["SERVING_FUNCTION_NAME"],
        alias=os.environ["SERVING_ALIAS"],
    )
    logger.info(
        "model version pin %r -> %r (function version %s)",
        result.previous,
        result.current,
        result.function_version,
    )
    return {
        "changed": result.changed,
        "previous": result.previous,
        "current": result.current,
        "functionVersion": result.function_version,
    }
