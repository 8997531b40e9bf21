"""Following an execution on botocore's Stubber: moto has no list_pipeline_execution_steps nor
stop_pipeline_execution. Stubber validates every canned response against the SageMaker service model.

SageMaker lower-cases job names in ARNs (boto/boto3 issue 4606; aws/sagemaker-experiments issue 187,
"unable to load trial-component for jobs with mix-case names") while CloudWatch log streams are named
"<job name>/<host>-<timestamp>" with the name as created
(https://docs.aws.amazon.com/sagemaker/latest/dg/logging-cloudwatch.html), so the fixtures' ARNs are
lower case and the real names come from DescribeTrainingJob / DescribeProcessingJob.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.loaders import Loader
from botocore.stub import ANY, Stubber
from rich.console import Console

from pipeline.aws.follow import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_SUCCEEDED,
    TERMINAL_STATUSES,
    follow_execution,
)

SHAPES = Loader().load_service_model("sagemaker", "service-2")["shapes"]
REGION = "eu-west-1"
ARN = f"arn:aws:sagemaker:{REGION}:123456789012:pipeline/mlpipe-dev-training/execution/k3x9q2w1z0ab"
TRAIN_NAME = "pipelines-k3x9q2w1z0ab-Train-Xyz12"
PREPROCESS_NAME = "pipelines-k3x9q2w1z0ab-Preprocess-Ab3"
TRAIN_JOB = f"arn:aws:sagemaker:{REGION}:123456789012:training-job/{TRAIN_NAME.lower()}"
PREPROCESS_JOB = f"arn:aws:sagemaker:{REGION}:123456789012:processing-job/{PREPROCESS_NAME.lower()}"
T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def step(name: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"StepName": name, "StepStatus": status, "StartTime": T0, **extra}


def test_fixture_fields_and_statuses_exist_in_the_service_model() -> None:
    step_members = SHAPES["PipelineExecutionStep"]["members"]
    metadata_members = SHAPES["PipelineExecutionStepMetadata"]["members"]

    assert {"StepName", "StepStatus", "StartTime", "EndTime", "FailureReason", "Metadata"} <= set(
        step_members
    )
    assert {"ProcessingJob", "TrainingJob", "Fail"} <= set(metadata_members)
    assert set(SHAPES["PipelineExecutionStatus"]["enum"]) >= TERMINAL_STATUSES
    assert {"Executing", "Failed", "Succeeded"} <= set(SHAPES["StepStatus"]["enum"])


@pytest.fixture
def stubbed(fake_aws_env: None) -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("sagemaker", region_name=REGION)
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def expect_poll(stubber: Stubber, status: str, steps: list[dict[str, Any]], reason: str = "") -> None:
    description: dict[str, Any] = {"PipelineExecutionArn": ARN, "PipelineExecutionStatus": status}
    if reason:
        description["FailureReason"] = reason
    stubber.add_response("describe_pipeline_execution", description, {"PipelineExecutionArn": ARN})
    stubber.add_response(
        "list_pipeline_execution_steps",
        {"PipelineExecutionSteps": steps},
        {"PipelineExecutionArn": ARN, "SortOrder": "Ascending"},
    )


def expect_describe_training_job(stubber: Stubber) -> None:
    response = {
        "TrainingJobName": TRAIN_NAME,
        "TrainingJobArn": TRAIN_JOB,
        "ModelArtifacts": {"S3ModelArtifacts": ""},
        "TrainingJobStatus": "Failed",
        "SecondaryStatus": "Failed",
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "CreationTime": T0,
    }
    stubber.add_response("describe_training_job", response, {"TrainingJobName": TRAIN_NAME.lower()})


def expect_describe_processing_job(stubber: Stubber) -> None:
    response = {
        "ProcessingJobName": PREPROCESS_NAME,
        "ProcessingJobArn": PREPROCESS_JOB,
        "ProcessingResources": {"ClusterConfig": {"VolumeSizeInGB": 30}},
        "AppSpecification": {
            "ImageUri": "683313688378.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:3.0-5"
        },
        "ProcessingJobStatus": "Failed",
        "CreationTime": T0,
    }
    stubber.add_response("describe_processing_job", response, {"ProcessingJobName": PREPROCESS_NAME.lower()})


def follow(client: Any, confirm_answer: bool = False, interrupt: bool = False) -> tuple[int, str]:
    output = io.StringIO()
    asked: list[str] = []

    def sleep(_: float) -> None:
        if interrupt:
            raise KeyboardInterrupt

    def confirm(question: str) -> bool:
        asked.append(question)
        return confirm_answer

    code = follow_execution(
        client, ARN, console=Console(file=output, width=200), poll_seconds=0, sleep=sleep, confirm=confirm
    )
    return code, output.getvalue() + "".join(asked)


def test_succeeded_execution_exits_zero_after_following_every_poll(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    preprocess = step("Preprocess", "Executing", Metadata={"ProcessingJob": {"Arn": PREPROCESS_JOB}})
    expect_poll(stubber, "Executing", [preprocess])
    done = {**preprocess, "StepStatus": "Succeeded", "EndTime": T0 + timedelta(seconds=95)}
    expect_poll(stubber, "Succeeded", [done, step("Register", "Succeeded", EndTime=T0)])

    code, output = follow(client)

    assert code == EXIT_SUCCEEDED
    assert "execution succeeded" in output
    assert "95 s" in output


def test_failed_step_prints_its_reason_and_its_cloudwatch_logs(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    failed_train = step(
        "Train",
        "Failed",
        EndTime=T0,
        FailureReason="AlgorithmError: column Age is missing",
        Metadata={"TrainingJob": {"Arn": TRAIN_JOB}},
    )
    expect_poll(stubber, "Failed", [failed_train], reason="Step failure: One or multiple steps failed.")
    expect_describe_training_job(stubber)

    code, output = follow(client)

    assert code == EXIT_FAILED
    assert "execution Failed: Step failure" in output
    assert "step Train failed: AlgorithmError: column Age is missing" in output
    assert f"CloudWatch Logs group /aws/sagemaker/TrainingJobs, streams {TRAIN_NAME}/*" in output
    assert f"aws logs tail /aws/sagemaker/TrainingJobs --log-stream-name-prefix {TRAIN_NAME} " in output
    assert TRAIN_NAME.lower() not in output


def test_quality_gate_failure_shows_the_fail_step_message(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    gate = step("AccuracyTooLow", "Failed", Metadata={"Fail": {"ErrorMessage": "accuracy 0.61 < 0.75"}})
    expect_poll(stubber, "Failed", [gate])

    code, output = follow(client)

    assert code == EXIT_FAILED
    assert "step AccuracyTooLow failed: accuracy 0.61 < 0.75" in output


def test_ctrl_c_then_yes_stops_the_execution(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    expect_poll(stubber, "Executing", [step("Preprocess", "Executing")])
    stubber.add_response(
        "stop_pipeline_execution",
        {"PipelineExecutionArn": ARN},
        {"PipelineExecutionArn": ARN, "ClientRequestToken": ANY},
    )

    code, output = follow(client, confirm_answer=True, interrupt=True)

    assert code == EXIT_INTERRUPTED
    assert "stop requested" in output
    assert "Stop the execution k3x9q2w1z0ab" in output


def test_ctrl_c_then_no_leaves_it_running(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    expect_poll(stubber, "Executing", [step("Preprocess", "Executing")])

    # No stop response is queued: a stop call would make the Stubber raise.
    code, output = follow(client, confirm_answer=False, interrupt=True)

    assert code == EXIT_INTERRUPTED
    assert "left running" in output


def test_reasons_with_brackets_are_printed_verbatim(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    reason = "[Errno 2] No such file: '/opt/ml/processing/input/data/train.csv' [red]"
    expect_poll(stubber, "Failed", [step("Preprocess", "Failed", FailureReason=reason)])
    # A step without job metadata: nothing to describe (the Stubber fails on an unexpected call).

    code, output = follow(client)

    assert code == EXIT_FAILED
    assert reason in output


def test_failed_processing_step_hints_at_the_streams_of_the_real_job_name(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    failed = step(
        "Preprocess", "Failed", FailureReason="exit 1", Metadata={"ProcessingJob": {"Arn": PREPROCESS_JOB}}
    )
    expect_poll(stubber, "Failed", [failed])
    expect_describe_processing_job(stubber)

    code, output = follow(client)

    assert code == EXIT_FAILED
    assert f"--log-stream-name-prefix {PREPROCESS_NAME} --region {REGION}" in output


def test_a_job_that_cannot_be_described_gets_no_wrong_hint(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    failed = step("Train", "Failed", FailureReason="boom", Metadata={"TrainingJob": {"Arn": TRAIN_JOB}})
    expect_poll(stubber, "Failed", [failed])
    stubber.add_client_error("describe_training_job", "AccessDeniedException", http_status_code=403)

    code, output = follow(client)

    assert code == EXIT_FAILED
    assert "--log-stream-name-prefix" not in output
    assert f"job {TRAIN_JOB} could not be described; no log hint" in output
