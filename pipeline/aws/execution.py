"""SageMaker pipeline executions: validate parameters, start, read step states, stop."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from botocore.exceptions import ClientError

from pipeline.aws.errors import CloudError
from pipeline.parameters import (
    PARAMETERS_BY_NAME,
    ParameterError,
    parse_assignments,
    validated,
    with_exact_test_file,
)

# Where SageMaker sends a job's container logs; streams are named "<job name>/<host>-<timestamp>".
LOG_GROUPS = {"ProcessingJob": "/aws/sagemaker/ProcessingJobs", "TrainingJob": "/aws/sagemaker/TrainingJobs"}
# The job's own name: the one in its ARN is lower-cased, the log streams keep the real case.
DESCRIBE_JOB = {
    "ProcessingJob": ("describe_processing_job", "ProcessingJobName"),
    "TrainingJob": ("describe_training_job", "TrainingJobName"),
}
REDEPLOY = "redeploy with `npx cdk deploy --all`: the deployed pipeline predates this checkout"


def parse_parameter_assignments(assignments: Sequence[str]) -> dict[str, str]:
    """`["MaxDepth=5", ...]` -> {"MaxDepth": "5"}, checked against the parameter contract (no AWS call)."""
    overrides = parse_assignments(assignments)
    values = validated(overrides)
    # SageMaker takes every parameter value as a string (PipelineParameter.Value).
    return {name: str(values[name]) for name in overrides}


def check_deployed_parameters(values: Mapping[str, str], definition_text: str) -> None:
    """Fail when the deployed definition lacks a parameter or types it differently (a stale deploy)."""
    deployed = {p["Name"]: p.get("Type", "String") for p in json.loads(definition_text).get("Parameters", [])}
    problems = [
        f"parameter {name} is not in the deployed pipeline; {REDEPLOY}"
        if name not in deployed
        else f"parameter {name} is {deployed[name]} in the deployed pipeline, "
        f"{PARAMETERS_BY_NAME[name].type} here; {REDEPLOY}"
        for name in values
        if deployed.get(name) != PARAMETERS_BY_NAME[name].type
    ]
    if problems:
        raise ParameterError(problems)


def start_execution(sagemaker: Any, pipeline_name: str, values: Mapping[str, str]) -> str:
    """Start an execution of the deployed pipeline with `values` (already parsed); returns its ARN."""
    definition = sagemaker.describe_pipeline(PipelineName=pipeline_name)["PipelineDefinition"]
    values = with_exact_test_file(values)  # else an empty TestFile reads the whole data/ prefix
    check_deployed_parameters(values, definition)
    response = sagemaker.start_pipeline_execution(
        PipelineName=pipeline_name,
        PipelineParameters=[{"Name": name, "Value": value} for name, value in values.items()],
        # Idempotency: a retried call after a network error does not start a second execution.
        ClientRequestToken=str(uuid.uuid4()),
    )
    return str(response["PipelineExecutionArn"])


def stop_execution(sagemaker: Any, execution_arn: str) -> None:
    """Ask SageMaker to stop the execution (running jobs are stopped too)."""
    token = str(uuid.uuid4())
    sagemaker.stop_pipeline_execution(PipelineExecutionArn=execution_arn, ClientRequestToken=token)


@dataclass(frozen=True, kw_only=True)
class StepState:
    """One step of an execution, as list_pipeline_execution_steps reports it."""

    name: str
    status: str
    failure_reason: str = ""
    job_kind: str = ""  # "ProcessingJob", "TrainingJob" or "" for steps without a job
    job_arn: str = ""
    job_name: str = ""  # as Describe*Job spells it (`with_job_name`); "" until described
    duration_s: float | None = None

    def log_location(self) -> str:
        """The CloudWatch log group and streams of the step's job ("" for steps without a job)."""
        group = LOG_GROUPS.get(self.job_kind)
        return f"CloudWatch Logs group {group}, streams {self.job_name}/*" if group and self.job_name else ""

    def log_command(self) -> str:
        """The AWS CLI command that prints the step's job logs ("" for steps without a job)."""
        group = LOG_GROUPS.get(self.job_kind)
        if not group or not self.job_name:
            return ""
        region = self.job_arn.split(":")[3]
        return f"aws logs tail {group} --log-stream-name-prefix {self.job_name} --region {region}"


def _step_state(step: Mapping[str, Any]) -> StepState:
    metadata = step.get("Metadata", {})
    kind = next((k for k in LOG_GROUPS if k in metadata), "")
    reason = step.get("FailureReason", "") or metadata.get("Fail", {}).get("ErrorMessage", "")
    start, end = step.get("StartTime"), step.get("EndTime")
    return StepState(
        name=step["StepName"],
        status=step.get("StepStatus", "Starting"),
        failure_reason=reason,
        job_kind=kind,
        job_arn=metadata.get(kind, {}).get("Arn", "") if kind else "",
        duration_s=(end - start).total_seconds() if start and end else None,
    )


def with_job_name(sagemaker: Any, step: StepState) -> StepState:
    """The step with its job's real name from Describe*Job (unchanged for steps without a job).

    SageMaker lower-cases job names in ARNs (boto/boto3 issue 4606, aws/sagemaker-experiments issue 187)
    while the CloudWatch log streams are named after the job as created, so the name cannot come from the
    ARN. If the job cannot be described the step keeps no name, and no wrong log hint is printed.
    """
    if step.job_kind not in DESCRIBE_JOB or not step.job_arn:
        return step
    operation, name_key = DESCRIBE_JOB[step.job_kind]
    try:
        described = getattr(sagemaker, operation)(**{name_key: step.job_arn.rsplit("/", 1)[-1]})
    except ClientError:
        return step
    return replace(step, job_name=str(described[name_key]))


def list_steps(sagemaker: Any, execution_arn: str) -> list[StepState]:
    """The execution's steps so far, in the order they started."""
    steps: list[StepState] = []
    request: dict[str, Any] = {"PipelineExecutionArn": execution_arn, "SortOrder": "Ascending"}
    while True:
        page = sagemaker.list_pipeline_execution_steps(**request)
        steps.extend(_step_state(step) for step in page.get("PipelineExecutionSteps", []))
        if not page.get("NextToken"):
            return steps
        request["NextToken"] = page["NextToken"]


def execution_status(sagemaker: Any, execution_arn: str) -> tuple[str, str]:
    """(status, failure reason) of the execution."""
    response = sagemaker.describe_pipeline_execution(PipelineExecutionArn=execution_arn)
    status = response.get("PipelineExecutionStatus")
    if not status:
        raise CloudError(f"SageMaker returned no status for {execution_arn}")
    return str(status), str(response.get("FailureReason", "") or "")
