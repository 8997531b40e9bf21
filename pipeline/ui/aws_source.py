"""The AWS backend: SageMaker model package groups and pipeline executions, reports from S3.

Credentials come from boto3's standard chain. Model names are the groups named `mlpipe-<name>`
(ListModelPackageGroups, NameContains); runs are ListPipelineExecutions of the deployed pipeline, and
each run's steps ListPipelineExecutionSteps, each job's real name Describe*Job, and the last lines of
its log CloudWatch Logs FilterLogEvents (pipeline/ui/aws_logs.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from pipeline.aws.execution import StepState, list_steps, with_job_name
from pipeline.ui.aws_logs import job_log_tail
from pipeline.ui.runs import RunView, StepView
from pipeline.ui.source import SourceError
from runtime.registry.base import ModelRegistry
from runtime.registry.sagemaker import SageMakerModelRegistry
from runtime.settings import GROUP_PREFIX, model_name
from runtime.store.base import StoreError
from runtime.store.s3 import S3ArtifactStore

RUNS_SHOWN = 100
WRITES_OFF = "read-only on AWS: restart with `mlpipe ui --backend aws --allow-writes` to approve or reject"


class AwsSource:
    backend = "aws"

    def __init__(
        self,
        *,
        sagemaker: Any,
        s3: Any,
        logs: Any,
        default_group: str,
        pipeline_name: Callable[[], str],
        allow_writes: bool,
        history: Callable[[str], list[dict[str, Any]]],
    ) -> None:
        self.sagemaker = sagemaker
        self.store = S3ArtifactStore(s3)
        self.logs_client = logs
        self.default_group = default_group
        self._pipeline_name = pipeline_name
        self._history = history  # group -> entries: what `mlpipe models history --backend aws` reads
        self.writes_allowed = allow_writes
        self.writes_refused_because = "" if allow_writes else WRITES_OFF
        self.location = f"AWS {sagemaker.meta.region_name}"

    def _groups(self) -> dict[str, str]:
        groups = [self.default_group]
        try:
            pages = self.sagemaker.get_paginator("list_model_package_groups").paginate(
                NameContains=GROUP_PREFIX
            )
            listed = [g["ModelPackageGroupName"] for p in pages for g in p["ModelPackageGroupSummaryList"]]
        except (ClientError, BotoCoreError) as error:
            raise SourceError(
                f"cannot list model package groups ({error}); check the AWS credentials"
            ) from None
        groups += [g for g in listed if g.startswith(GROUP_PREFIX)]
        return {model_name(group): group for group in sorted(set(groups))}

    def model_names(self) -> list[str]:
        return list(self._groups())

    def registry(self, name: str) -> ModelRegistry:
        group = self._groups().get(name)
        if group is None:
            raise SourceError(f"no model package group for model {name!r}")
        return SageMakerModelRegistry(group, self.sagemaker, store=self.store)

    def read_object(self, uri: str) -> bytes:
        return self.store.get_bytes(uri)

    def history(self, name: str) -> list[dict[str, Any]]:
        group = self._groups().get(name)
        if group is None:
            raise SourceError(f"no model package group for model {name!r}")
        try:
            return self._history(group)
        except (ClientError, BotoCoreError, StoreError, ValueError) as error:
            raise SourceError(f"cannot read the deployment history: {error}") from None

    def _summaries(self) -> list[dict[str, Any]]:
        try:
            response = self.sagemaker.list_pipeline_executions(
                PipelineName=self._pipeline_name(),
                SortBy="CreationTime",
                SortOrder="Descending",
                MaxResults=RUNS_SHOWN,
            )
        except (ClientError, BotoCoreError) as error:
            raise SourceError(f"cannot list pipeline executions ({error})") from None
        return list(response.get("PipelineExecutionSummaries", []))

    def runs(self) -> list[RunView]:
        return [self._view(summary, steps=[]) for summary in self._summaries()]

    def run(self, run_id: str) -> RunView:
        for summary in self._summaries():
            if summary["PipelineExecutionArn"].rsplit("/", 1)[-1] == run_id:
                states = list_steps(self.sagemaker, summary["PipelineExecutionArn"])
                steps = [_step_view(with_job_name(self.sagemaker, state)) for state in states]
                return self._view(summary, steps=steps)
        raise SourceError(f"no execution {run_id!r} among the last {RUNS_SHOWN} of the pipeline")

    def _view(self, summary: dict[str, Any], *, steps: list[StepView]) -> RunView:
        started = summary.get("StartTime")
        return RunView(
            run_id=summary["PipelineExecutionArn"].rsplit("/", 1)[-1],
            status=str(summary.get("PipelineExecutionStatus", "")),
            started=started.isoformat() if isinstance(started, datetime) else str(started or ""),
            model=model_name(self.default_group),
            steps=steps,
            failure=str(summary.get("PipelineExecutionFailureReason", "") or ""),
        )

    def log(self, run_id: str, step: str) -> str:
        return self.logs(self.run(run_id)).get(step, "")

    def logs(self, run: RunView) -> dict[str, str]:
        """The last lines of each job's log; steps without a job have none."""
        return {step.name: job_log_tail(self.logs_client, _step_state(step)) for step in run.steps}

    def after_decision(self, registry: ModelRegistry) -> None:
        """On AWS the promoter moves the serving alias and the stages when the status changes."""


def _step_view(state: StepState) -> StepView:
    return StepView(
        name=state.name,
        type=state.job_kind,
        status=state.status,
        seconds=state.duration_s,
        failure=state.failure_reason,
        log_hint=state.log_location() or (state.job_arn and f"CloudWatch Logs of {state.job_arn}"),
        job_name=state.job_name,
    )


def _step_state(step: StepView) -> StepState:
    return StepState(name=step.name, status=step.status, job_kind=step.type, job_name=step.job_name)
