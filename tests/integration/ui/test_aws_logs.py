"""The Runs page's job logs on AWS: the last lines from CloudWatch Logs (botocore Stubber, which validates
every request and response against the service model).

AWS behaviour relied upon:
- SageMaker sends a processing job's logs to /aws/sagemaker/ProcessingJobs (training: TrainingJobs), one
  stream per host named `<job name>/<host>-<epoch>`:
  https://docs.aws.amazon.com/sagemaker/latest/dg/logging-cloudwatch.html
- FilterLogEvents pages by nextToken, and a partial or empty page can still carry one; reading needs
  logs:FilterLogEvents, refused with AccessDeniedException:
  https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from pipeline.aws.execution import StepState
from pipeline.ui.aws_logs import job_log_tail

GROUP = "/aws/sagemaker/TrainingJobs"
JOB_NAME = "pipelines-abc123-Train-AbCd"
STEP = StepState(name="Train", status="Failed", job_kind="TrainingJob", job_name=JOB_NAME)
REQUEST = {"logGroupName": GROUP, "logStreamNamePrefix": f"{JOB_NAME}/"}


@pytest.fixture
def logs() -> Any:
    return boto3.client("logs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


def events(*messages: str) -> list[dict[str, Any]]:
    stream = f"{JOB_NAME}/algo-1-1738324800"
    return [{"logStreamName": stream, "timestamp": i, "message": m} for i, m in enumerate(messages)]


def test_the_last_lines_across_pages_including_an_empty_page_with_a_token(logs):
    with Stubber(logs) as stub:
        stub.add_response("filter_log_events", {"events": events("a\n", "b\n"), "nextToken": "t1"}, REQUEST)
        stub.add_response(
            "filter_log_events", {"events": [], "nextToken": "t2"}, {**REQUEST, "nextToken": "t1"}
        )
        stub.add_response("filter_log_events", {"events": events("c", "d\n")}, {**REQUEST, "nextToken": "t2"})
        text = job_log_tail(logs, STEP, lines=3)
        stub.assert_no_pending_responses()

    assert text == "b\nc\nd"


def test_credentials_without_filter_log_events_get_the_permission_to_add(logs):
    with Stubber(logs) as stub:
        stub.add_client_error(
            "filter_log_events", "AccessDeniedException", "not authorized", 400, expected_params=REQUEST
        )
        text = job_log_tail(logs, STEP)

    assert (
        "logs:FilterLogEvents" in text and GROUP in text and f"--log-stream-name-prefix {JOB_NAME}/" in text
    )


def test_a_log_group_not_created_yet_says_so(logs):
    with Stubber(logs) as stub:
        stub.add_client_error(
            "filter_log_events", "ResourceNotFoundException", "gone", 400, expected_params=REQUEST
        )
        assert "no log yet" in job_log_tail(logs, STEP)


def test_steps_without_a_job_or_a_real_job_name_read_nothing(logs):
    with Stubber(logs):  # any call would fail: nothing is stubbed
        assert job_log_tail(logs, StepState(name="CheckQuality", status="Succeeded")) == ""
        assert job_log_tail(logs, StepState(name="Train", status="Failed", job_kind="TrainingJob")) == ""
