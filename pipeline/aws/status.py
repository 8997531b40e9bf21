"""What is deployed and running: the serving function's pinned model version and the last executions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.table import Table

from pipeline.aws.outputs import DeployedStack
from runtime.aws import aws_client
from runtime.names import FUNCTION_NAME, MODEL_VERSION_ENV, PIPELINE_NAME


@dataclass(frozen=True, kw_only=True)
class ServingTarget:
    """One alias of the serving function (or $LATEST when it has none) and the model version it serves."""

    qualifier: str
    function_version: str
    model_version: str  # "" = the latest Approved version, resolved at load time

    def to_json(self) -> dict[str, str]:
        return {
            "qualifier": self.qualifier,
            "function_version": self.function_version,
            "model_version": self.model_version,
        }


@dataclass(frozen=True, kw_only=True)
class ExecutionSummary:
    arn: str
    status: str
    started: str  # ISO 8601
    failure_reason: str

    def to_json(self) -> dict[str, str]:
        return {
            "arn": self.arn,
            "status": self.status,
            "started": self.started,
            "failure_reason": self.failure_reason,
        }


def _model_version(configuration: dict[str, Any]) -> str:
    return str(configuration.get("Environment", {}).get("Variables", {}).get(MODEL_VERSION_ENV, ""))


def serving_targets(lambda_client: Any, function_name: str) -> list[ServingTarget]:
    """The promoter pins a version through an alias; each alias's function version carries MODEL_VERSION."""
    aliases = [
        a
        for page in lambda_client.get_paginator("list_aliases").paginate(FunctionName=function_name)
        for a in page["Aliases"]
    ]
    if not aliases:
        configuration = lambda_client.get_function_configuration(FunctionName=function_name)
        return [
            ServingTarget(
                qualifier="$LATEST", function_version="$LATEST", model_version=_model_version(configuration)
            )
        ]
    targets = []
    for alias in sorted(aliases, key=lambda a: a["Name"]):
        configuration = lambda_client.get_function_configuration(
            FunctionName=function_name, Qualifier=alias["Name"]
        )
        targets.append(
            ServingTarget(
                qualifier=alias["Name"],
                function_version=alias["FunctionVersion"],
                model_version=_model_version(configuration),
            )
        )
    return targets


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value or "")


def recent_executions(sagemaker: Any, pipeline_name: str, limit: int = 5) -> list[ExecutionSummary]:
    """The last `limit` executions, newest first."""
    response = sagemaker.list_pipeline_executions(
        PipelineName=pipeline_name, SortBy="CreationTime", SortOrder="Descending", MaxResults=limit
    )
    summaries = sorted(
        response.get("PipelineExecutionSummaries", []), key=lambda s: _iso(s.get("StartTime")), reverse=True
    )[:limit]
    return [
        ExecutionSummary(
            arn=s["PipelineExecutionArn"],
            status=s.get("PipelineExecutionStatus", ""),
            started=_iso(s.get("StartTime")),
            failure_reason=s.get("PipelineExecutionFailureReason", "") or "",
        )
        for s in summaries
    ]


def status_document(
    deployed: DeployedStack, executions: int, client: Callable[[str], Any] = aws_client
) -> dict[str, Any]:
    """What `mlpipe status --json` prints: stacks, outputs, serving targets, last executions."""
    document: dict[str, Any] = {
        "stacks": list(deployed.stack_names),
        "outputs": dict(deployed.outputs),
        "serving": [],
        "executions": [],
    }
    if FUNCTION_NAME in deployed.outputs:
        targets = serving_targets(client("lambda"), deployed.function_name)
        document["serving"] = [target.to_json() for target in targets]
    if PIPELINE_NAME in deployed.outputs:
        summaries = recent_executions(client("sagemaker"), deployed.pipeline_name, executions)
        document["executions"] = [summary.to_json() for summary in summaries]
    return document


def status_tables(document: dict[str, Any]) -> list[Table]:
    """Three tables for `mlpipe status` (from its JSON document): outputs, what is served, last executions."""
    outputs_table = Table("output", title="Stack outputs")
    outputs_table.add_column("value", overflow="fold")  # URLs and ARNs in full, to copy
    for key, value in sorted(document["outputs"].items()):
        outputs_table.add_row(key, value)
    serving_table = Table("alias", "function version", "model version", title="Serving")
    for target in document["serving"]:
        serving_table.add_row(
            target["qualifier"],
            target["function_version"],
            target["model_version"] or "latest Approved (none pinned)",
        )
    executions_table = Table("started", "status", "execution", "failure", title="Last pipeline executions")
    for execution in document["executions"]:
        executions_table.add_row(
            execution["started"],
            execution["status"],
            execution["arn"].rsplit("/", 1)[-1],
            execution["failure_reason"],
        )
    return [outputs_table, serving_table, executions_table]
