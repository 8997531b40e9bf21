"""The UI's AWS source: model names from the SageMaker groups (moto), runs and steps from
ListPipelineExecutions / ListPipelineExecutionSteps (botocore Stubber: moto runs no pipeline steps).

AWS behaviour relied upon:
- ListModelPackageGroups filters by NameContains and pages with NextToken:
  https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListModelPackageGroups.html
- ListPipelineExecutions returns PipelineExecutionSummaries (PipelineExecutionArn, StartTime,
  PipelineExecutionStatus, PipelineExecutionFailureReason), sortable by CreationTime:
  https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListPipelineExecutions.html
- ListPipelineExecutionSteps returns StepName, StepStatus, StartTime, EndTime, FailureReason and Metadata
  (the job's Arn): https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListPipelineExecutionSteps.html
- Job names are lower-cased in ARNs while log streams keep the real case, so DescribeProcessingJob gives
  the stream prefix (boto/boto3 issue 4606): https://github.com/boto/boto3/issues/4606
- FilterLogEvents reads every stream of a prefix, paginated by nextToken:
  https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
"""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from pipeline.ui.aws_source import WRITES_OFF, AwsSource
from pipeline.ui.decisions import DecisionRefused, decide

REGION = "us-east-1"
PIPELINE = "mlpipe-dev-pipeline"
EXECUTION = f"arn:aws:sagemaker:{REGION}:123456789012:pipeline/{PIPELINE}/execution/abc123"
JOB_NAME = "pipelines-abc123-Preprocess-XyZ"
JOB = f"arn:aws:sagemaker:{REGION}:123456789012:processing-job/{JOB_NAME.lower()}"


def source(sagemaker: object, *, allow_writes: bool = False, logs: object = None) -> AwsSource:
    s3 = boto3.client("s3", region_name=REGION)
    return AwsSource(
        sagemaker=sagemaker,
        s3=s3,
        logs=logs,
        default_group="mlpipe-titanic",
        pipeline_name=lambda: PIPELINE,
        allow_writes=allow_writes,
        history=lambda group: [],
    )


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield boto3.client("sagemaker", region_name=REGION)


def test_model_names_are_the_mlpipe_groups(aws):
    for group in ("mlpipe-titanic", "mlpipe-wine", "someone-elses-group"):
        aws.create_model_package_group(ModelPackageGroupName=group)

    assert source(aws).model_names() == ["titanic", "wine"]
    assert source(aws).registry("wine").list_versions() == []


def test_approving_on_aws_needs_allow_writes(aws):
    aws.create_model_package_group(ModelPackageGroupName="mlpipe-titanic")

    with pytest.raises(DecisionRefused, match="--allow-writes"):
        decide(source(aws), "titanic", 1, "approve", force=False)
    assert WRITES_OFF.endswith("to approve or reject")


def test_runs_and_steps_come_from_the_pipeline_executions():
    sagemaker = boto3.client(
        "sagemaker", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    started = datetime(2025, 1, 31, 12, 0, tzinfo=UTC)
    summary = {
        "PipelineExecutionArn": EXECUTION,
        "StartTime": started,
        "PipelineExecutionStatus": "Failed",
        "PipelineExecutionFailureReason": "Step failure: One or multiple steps failed.",
    }
    listing = {
        "PipelineName": PIPELINE,
        "SortBy": "CreationTime",
        "SortOrder": "Descending",
        "MaxResults": 100,
    }
    step = {
        "StepName": "Preprocess",
        "StepStatus": "Failed",
        "StartTime": started,
        "EndTime": datetime(2025, 1, 31, 12, 3, tzinfo=UTC),
        "FailureReason": "ClientError: column 'Survived' missing",
        "Metadata": {"ProcessingJob": {"Arn": JOB}},
    }
    described = {
        "ProcessingJobName": JOB_NAME,
        "ProcessingJobArn": JOB,
        "ProcessingResources": {"ClusterConfig": {"VolumeSizeInGB": 30}},
        "AppSpecification": {
            "ImageUri": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"
        },
        "ProcessingJobStatus": "Failed",
        "CreationTime": started,
    }
    logs = boto3.client("logs", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    stream = f"{JOB_NAME}/algo-1-1738324800"
    events = [{"logStreamName": stream, "timestamp": 1, "message": "KeyError: 'Survived'\n"}]
    with Stubber(sagemaker) as stub, Stubber(logs) as logs_stub:
        stub.add_response("list_pipeline_executions", {"PipelineExecutionSummaries": [summary]}, listing)
        stub.add_response("list_pipeline_executions", {"PipelineExecutionSummaries": [summary]}, listing)
        stub.add_response(
            "list_pipeline_execution_steps",
            {"PipelineExecutionSteps": [step]},
            {"PipelineExecutionArn": EXECUTION, "SortOrder": "Ascending"},
        )
        stub.add_response("describe_processing_job", described, {"ProcessingJobName": JOB_NAME.lower()})
        expected = {"logGroupName": "/aws/sagemaker/ProcessingJobs", "logStreamNamePrefix": f"{JOB_NAME}/"}
        logs_stub.add_response("filter_log_events", {"events": events}, expected)
        ui = source(sagemaker, logs=logs)
        runs = ui.runs()
        run = ui.run("abc123")
        texts = ui.logs(run)
        logs_stub.assert_no_pending_responses()

    assert [(r.run_id, r.status, r.model) for r in runs] == [("abc123", "Failed", "titanic")]
    assert run.failure.startswith("Step failure")
    (preprocess,) = run.steps
    assert (preprocess.name, preprocess.status, preprocess.seconds) == ("Preprocess", "Failed", 180.0)
    assert "Survived" in preprocess.failure and f"{JOB_NAME}/*" in preprocess.log_hint
    assert texts == {"Preprocess": "KeyError: 'Survived'"}
